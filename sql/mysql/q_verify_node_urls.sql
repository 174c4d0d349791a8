-- MySQL/MariaDB variant of sql/common/q_verify_node_urls.sql: uuids, node refs and store
-- identifiers are compared byte for byte, as PostgreSQL compares them (see
-- q_verify_node_rows.sql); the plain comparisons stay for the indexes.
-- Content URLs that node uuid $1 still reaches: through a content property (actual_type_n 21)
-- of any of its rows in any store, or of a version node that freezes it (see
-- q_verify_node_versions; $2 and $3 are its workspace and archive refs), or of one of its
-- renditions (children through an rn:rendition association: derived content such as previews
-- and thumbnails). Per URL: id, URL.
-- Text columns are converted to utf8mb4 before a byte comparison with a parameter (sent as
-- UTF-8): a database created in latin1 holds an 'é' as one byte, which must still match.
WITH
vstore AS (
    SELECT s.id FROM alf_store s
    WHERE CAST(CONVERT(s.protocol USING utf8mb4) AS BINARY) = 'workspace'
      AND CAST(CONVERT(s.identifier USING utf8mb4) AS BINARY) = 'version2Store'
),
ver2q AS (
    SELECT q.id, q.local_name FROM alf_qname q
    JOIN alf_namespace ns ON ns.id = q.ns_id
    WHERE ns.uri = 'http://www.alfresco.org/model/versionstore/2.0'
      AND q.local_name IN ('versionedNodeId', 'frozenNodeRef')
),
members AS (
    SELECT n.id FROM alf_store s JOIN alf_node n ON n.store_id = s.id AND n.uuid = $1
      AND CAST(CONVERT(n.uuid USING utf8mb4) AS BINARY) = CAST($1 AS BINARY)
    UNION
    SELECT p.node_id FROM alf_node_properties p
    JOIN ver2q ON ver2q.id = p.qname_id AND ver2q.local_name = 'frozenNodeRef'
    JOIN alf_node v ON v.id = p.node_id
    JOIN vstore ON v.store_id = vstore.id
    WHERE p.string_value IN ($2, $3)
      AND CAST(CONVERT(p.string_value USING utf8mb4) AS BINARY) IN (CAST($2 AS BINARY), CAST($3 AS BINARY))
    UNION
    SELECT c.child_node_id FROM alf_node_properties p
    JOIN ver2q ON ver2q.id = p.qname_id AND ver2q.local_name = 'versionedNodeId'
    JOIN alf_node h ON h.id = p.node_id
    JOIN vstore ON h.store_id = vstore.id
    JOIN alf_child_assoc c ON c.parent_node_id = h.id AND c.is_primary = TRUE
    WHERE p.string_value = $1 AND CAST(CONVERT(p.string_value USING utf8mb4) AS BINARY) = CAST($1 AS BINARY)
    UNION
    SELECT c.child_node_id FROM alf_store s
    JOIN alf_node n ON n.store_id = s.id AND n.uuid = $1
      AND CAST(CONVERT(n.uuid USING utf8mb4) AS BINARY) = CAST($1 AS BINARY)
    JOIN alf_child_assoc c ON c.parent_node_id = n.id
    JOIN alf_qname rq ON rq.id = c.type_qname_id AND rq.local_name = 'rendition'
    JOIN alf_namespace rns ON rns.id = rq.ns_id
     AND rns.uri = 'http://www.alfresco.org/model/rendition/1.0'
)
SELECT DISTINCT u.id, u.content_url
FROM members m
JOIN alf_node_properties p ON p.node_id = m.id AND p.actual_type_n = 21
JOIN alf_content_data d ON d.id = p.long_value
JOIN alf_content_url u ON u.id = d.content_url_id
ORDER BY u.id
