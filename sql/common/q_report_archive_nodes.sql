-- Every node of the archive store with its primary parent, so that each node can be traced up
-- to the trashcan item at the top of its tree. $1 archive store id.
SELECT n.id, c.parent_node_id, n.uuid
FROM alf_node n
LEFT JOIN alf_child_assoc c ON c.child_node_id = n.id AND c.is_primary = TRUE
WHERE n.store_id = $1
ORDER BY n.id
