-- Version nodes of a version store and the uuid of the node they version: ver2:frozenNodeRef
-- on the version node, else ver2:versionedNodeId on its version history (primary parent).
-- Purging a trashcan item deletes its version history, so these URLs count towards what a
-- purge frees. $1 version store id, $2 ver2:frozenNodeRef qname id,
-- $3 ver2:versionedNodeId qname id
-- PostgreSQL: the version histories are taken from the version store first and only their
-- children's associations are joined (a child association never leaves its store), rather than
-- every primary association of the repository; the rows are those of
-- sql/common/q_report_version_owners.sql.
SELECT n.id, fr.string_value, vh.string_value
FROM alf_node n
LEFT JOIN alf_node_properties fr ON fr.node_id = n.id AND fr.qname_id = $2
LEFT JOIN (
    SELECT c.child_node_id, p.string_value
    FROM alf_node h
    JOIN alf_node_properties p ON p.node_id = h.id AND p.qname_id = $3
    JOIN alf_child_assoc c ON c.parent_node_id = h.id AND c.is_primary = TRUE
    WHERE h.store_id = $1) vh ON vh.child_node_id = n.id
WHERE n.store_id = $1
  AND (fr.string_value IS NOT NULL OR vh.string_value IS NOT NULL)
ORDER BY n.id
