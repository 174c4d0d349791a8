-- MySQL/MariaDB variant of sql/common/q_verify_node_versions.sql: uuids, node refs and store
-- identifiers are compared byte for byte, as PostgreSQL compares them (see
-- q_verify_node_rows.sql); the plain comparisons stay for the indexes.
-- Version nodes in workspace://version2Store that freeze node uuid $1: those whose
-- ver2:frozenNodeRef is one of its refs ($2 workspace://SpacesStore/<uuid>, $3
-- archive://SpacesStore/<uuid>), and the children of a version history whose
-- ver2:versionedNodeId is $1. Per version node: id, uuid, ver2:versionLabel.
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
      AND q.local_name IN ('versionedNodeId', 'frozenNodeRef', 'versionLabel')
),
vers AS (
    SELECT p.node_id AS id FROM alf_node_properties p
    JOIN ver2q ON ver2q.id = p.qname_id AND ver2q.local_name = 'frozenNodeRef'
    JOIN alf_node v ON v.id = p.node_id
    JOIN vstore ON v.store_id = vstore.id
    WHERE p.string_value IN ($2, $3)
      AND CAST(CONVERT(p.string_value USING utf8mb4) AS BINARY) IN (CAST($2 AS BINARY), CAST($3 AS BINARY))
    UNION
    SELECT c.child_node_id AS id FROM alf_node_properties p
    JOIN ver2q ON ver2q.id = p.qname_id AND ver2q.local_name = 'versionedNodeId'
    JOIN alf_node h ON h.id = p.node_id
    JOIN vstore ON h.store_id = vstore.id
    JOIN alf_child_assoc c ON c.parent_node_id = h.id AND c.is_primary = TRUE
    WHERE p.string_value = $1 AND CAST(CONVERT(p.string_value USING utf8mb4) AS BINARY) = CAST($1 AS BINARY)
)
SELECT n.id, n.uuid,
       (SELECT MIN(l.string_value) FROM alf_node_properties l
        JOIN ver2q ON ver2q.id = l.qname_id AND ver2q.local_name = 'versionLabel'
        WHERE l.node_id = n.id)
FROM vers
JOIN alf_node n ON n.id = vers.id
ORDER BY n.id
