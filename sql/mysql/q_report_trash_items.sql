-- MySQL/MariaDB variant of sql/common/q_report_trash_items.sql: the association name is
-- compared byte for byte, as PostgreSQL compares it. Under the case-insensitive collations
-- MySQL databases usually have, qname_localname = 'archivedItem' would also take
-- 'ARCHIVEDITEM' (and, with PAD SPACE, 'archivedItem '), which Alfresco treats as another name.
-- Top-level trashcan items: children of the archive store's root node through an association
-- of type sys:children named sys:archivedItem, with their sys:archivedDate, sys:archivedBy and
-- cm:name. Descendants are found through their primary parents (q_report_archive_nodes).
-- $1 archive root node id, $2 sys:children qname id, $3 sys namespace id,
-- $4 sys:archivedDate qname id, $5 sys:archivedBy qname id, $6 cm:name qname id
SELECT n.id, n.uuid, ad.string_value, ab.string_value, nm.string_value
FROM alf_child_assoc c
JOIN alf_node n ON n.id = c.child_node_id
LEFT JOIN alf_node_properties ad ON ad.node_id = n.id AND ad.qname_id = $4
LEFT JOIN alf_node_properties ab ON ab.node_id = n.id AND ab.qname_id = $5
LEFT JOIN alf_node_properties nm ON nm.node_id = n.id AND nm.qname_id = $6
WHERE c.parent_node_id = $1
  AND c.type_qname_id = $2
  AND c.qname_ns_id = $3
  AND CAST(c.qname_localname AS BINARY) = 'archivedItem'
ORDER BY n.id
