-- Version nodes of a version store and the uuid of the node they version: ver2:frozenNodeRef
-- on the version node, else ver2:versionedNodeId on its version history (primary parent).
-- Purging a trashcan item deletes its version history, so these URLs count towards what a
-- purge frees. $1 version store id, $2 ver2:frozenNodeRef qname id,
-- $3 ver2:versionedNodeId qname id
SELECT n.id, fr.string_value, vh.string_value
FROM alf_node n
LEFT JOIN alf_node_properties fr ON fr.node_id = n.id AND fr.qname_id = $2
LEFT JOIN alf_child_assoc c ON c.child_node_id = n.id AND c.is_primary = TRUE
LEFT JOIN alf_node_properties vh ON vh.node_id = c.parent_node_id AND vh.qname_id = $3
WHERE n.store_id = $1
  AND (fr.string_value IS NOT NULL OR vh.string_value IS NOT NULL)
ORDER BY n.id
