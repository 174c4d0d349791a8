-- What purging one trashcan item dereferences: every content URL referenced by the item's tree
-- in archive://SpacesStore (the top node $1 and its descendants through primary parents) or by
-- its version history in workspace://version2Store (version nodes under the history whose
-- ver2:versionedNodeId is a uuid of the tree, or whose ver2:frozenNodeRef names one), since a
-- purge deletes both. For each such URL, one row per alf_content_data row that points at it,
-- anywhere, with a flag saying whether that data row belongs to the item; a row outside the
-- item comes with the node that holds it when a property of the same qname points at it.
-- Content properties: actual_type_n 21. $1 the item's uuid.
WITH RECURSIVE
arch AS (
    SELECT s.id FROM alf_store s
    WHERE s.protocol = 'archive' AND s.identifier = 'SpacesStore'
),
vstore AS (
    SELECT s.id FROM alf_store s
    WHERE s.protocol = 'workspace' AND s.identifier = 'version2Store'
),
ver2q AS (
    SELECT q.id, q.local_name FROM alf_qname q
    JOIN alf_namespace ns ON ns.id = q.ns_id
    WHERE ns.uri = 'http://www.alfresco.org/model/versionstore/2.0'
      AND q.local_name IN ('versionedNodeId', 'frozenNodeRef')
),
tree (id, uuid) AS (
    SELECT n.id, n.uuid FROM alf_node n
    JOIN arch ON n.store_id = arch.id
    WHERE n.uuid = $1
    UNION ALL
    SELECT n.id, n.uuid FROM tree t
    JOIN alf_child_assoc c ON c.parent_node_id = t.id AND c.is_primary = TRUE
    JOIN alf_node n ON n.id = c.child_node_id
),
hist AS (
    SELECT p.node_id AS id FROM alf_node_properties p
    JOIN ver2q ON ver2q.id = p.qname_id AND ver2q.local_name = 'versionedNodeId'
    JOIN alf_node h ON h.id = p.node_id
    JOIN vstore ON h.store_id = vstore.id
    WHERE p.string_value IN (SELECT uuid FROM tree)
),
vers AS (
    SELECT c.child_node_id AS id FROM hist
    JOIN alf_child_assoc c ON c.parent_node_id = hist.id AND c.is_primary = TRUE
    UNION
    SELECT p.node_id AS id FROM alf_node_properties p
    JOIN ver2q ON ver2q.id = p.qname_id AND ver2q.local_name = 'frozenNodeRef'
    JOIN alf_node v ON v.id = p.node_id
    JOIN vstore ON v.store_id = vstore.id
    WHERE p.string_value IN (SELECT CONCAT('workspace://SpacesStore/', uuid) FROM tree)
),
members AS (
    SELECT id FROM tree
    UNION
    SELECT id FROM vers
),
inside AS (
    SELECT d.id AS data_id, d.content_url_id AS url_id, p.qname_id
    FROM members m
    JOIN alf_node_properties p ON p.node_id = m.id AND p.actual_type_n = 21
    JOIN alf_content_data d ON d.id = p.long_value
    WHERE d.content_url_id IS NOT NULL
),
urls AS (
    SELECT DISTINCT url_id FROM inside
)
SELECT u.id, u.content_url, u.content_size, d.id,
       CASE WHEN d.id IN (SELECT data_id FROM inside) THEN 1 ELSE 0 END,
       s.protocol, s.identifier, n.uuid
FROM urls
JOIN alf_content_url u ON u.id = urls.url_id
JOIN alf_content_data d ON d.content_url_id = u.id
LEFT JOIN alf_node_properties p
       ON p.qname_id IN (SELECT qname_id FROM inside)
      AND p.long_value = d.id
      AND p.actual_type_n = 21
LEFT JOIN alf_node n ON n.id = p.node_id
LEFT JOIN alf_store s ON s.id = n.store_id
ORDER BY u.id, d.id
