-- MySQL/MariaDB variant of sql/common/q_verify_node_rows.sql: the uuid is compared byte for
-- byte, as PostgreSQL compares it. Under the case-insensitive collations MySQL databases usually
-- have, n.uuid = $1 alone would also find the node of an upper-case uuid that PostgreSQL does
-- not find; the plain comparison stays so that the (store_id, uuid) index still finds the row.
-- Every alf_node row with uuid $1, in every store: the live node, its trashcan copy, its
-- sys:deleted placeholders. Per row: id, store protocol and identifier, type (namespace URI and
-- local name), whether it carries rma:ghosted and rma:record, sys:archivedDate and
-- sys:archivedBy (top node of a trashcan item only), the commit time of its transaction (ms),
-- and how many content properties (actual_type_n 21) it still has. The uuid is looked up per
-- store: the unique index is (store_id, uuid), and uuid alone has none.
-- Text columns are converted to utf8mb4 before a byte comparison with a parameter (sent as
-- UTF-8): a database created in latin1 holds an 'é' as one byte, which must still match.
SELECT n.id, s.protocol, s.identifier, tns.uri, tq.local_name,
       CASE WHEN EXISTS (
           SELECT 1 FROM alf_node_aspects a
           JOIN alf_qname q ON q.id = a.qname_id
           JOIN alf_namespace ns ON ns.id = q.ns_id
           WHERE a.node_id = n.id AND q.local_name = 'ghosted'
             AND ns.uri = 'http://www.alfresco.org/model/recordsmanagement/1.0')
            THEN 1 ELSE 0 END,
       CASE WHEN EXISTS (
           SELECT 1 FROM alf_node_aspects a
           JOIN alf_qname q ON q.id = a.qname_id
           JOIN alf_namespace ns ON ns.id = q.ns_id
           WHERE a.node_id = n.id AND q.local_name = 'record'
             AND ns.uri = 'http://www.alfresco.org/model/recordsmanagement/1.0')
            THEN 1 ELSE 0 END,
       (SELECT MIN(p.string_value) FROM alf_node_properties p
        JOIN alf_qname q ON q.id = p.qname_id
        JOIN alf_namespace ns ON ns.id = q.ns_id
        WHERE p.node_id = n.id AND q.local_name = 'archivedDate'
          AND ns.uri = 'http://www.alfresco.org/model/system/1.0'),
       (SELECT MIN(p.string_value) FROM alf_node_properties p
        JOIN alf_qname q ON q.id = p.qname_id
        JOIN alf_namespace ns ON ns.id = q.ns_id
        WHERE p.node_id = n.id AND q.local_name = 'archivedBy'
          AND ns.uri = 'http://www.alfresco.org/model/system/1.0'),
       t.commit_time_ms,
       (SELECT COUNT(*) FROM alf_node_properties p
        WHERE p.node_id = n.id AND p.actual_type_n = 21)
FROM alf_store s
JOIN alf_node n ON n.store_id = s.id AND n.uuid = $1
  AND CAST(CONVERT(n.uuid USING utf8mb4) AS BINARY) = CAST($1 AS BINARY)
JOIN alf_qname tq ON tq.id = n.type_qname_id
JOIN alf_namespace tns ON tns.id = tq.ns_id
LEFT JOIN alf_transaction t ON t.id = n.transaction_id
ORDER BY n.id
