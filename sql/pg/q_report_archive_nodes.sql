-- Every node of the archive store with its primary parent, so that each node can be traced up
-- to the trashcan item at the top of its tree. $1 archive store id.
-- PostgreSQL: the parent is looked up per node through the child_node_id index (the LATERAL
-- subquery with OFFSET 0 keeps that plan) instead of hashing every primary association of the
-- repository; the rows are those of sql/common/q_report_archive_nodes.sql.
SELECT n.id, c.parent_node_id, n.uuid
FROM alf_node n
LEFT JOIN LATERAL (
    SELECT c.parent_node_id
    FROM alf_child_assoc c
    WHERE c.child_node_id = n.id AND c.is_primary = TRUE
    OFFSET 0) c ON TRUE
WHERE n.store_id = $1
ORDER BY n.id
