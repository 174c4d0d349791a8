-- The trashcan item an archived node belongs to: node $1 and its primary parents in the same
-- store, up to the first one that carries sys:archivedDate (only the top node of an archived
-- tree does). Per row (at most one): the top node's uuid, sys:archivedDate, sys:archivedBy.
WITH RECURSIVE
up (id, depth) AS (
    SELECT n.id, 0 FROM alf_node n WHERE n.id = $1
    UNION ALL
    SELECT c.parent_node_id, up.depth + 1 FROM up
    JOIN alf_child_assoc c ON c.child_node_id = up.id AND c.is_primary = TRUE
    JOIN alf_node p ON p.id = c.parent_node_id
    JOIN alf_node me ON me.id = up.id AND me.store_id = p.store_id
    WHERE up.depth < 1000
),
sysq AS (
    SELECT q.id, q.local_name FROM alf_qname q
    JOIN alf_namespace ns ON ns.id = q.ns_id
    WHERE ns.uri = 'http://www.alfresco.org/model/system/1.0'
      AND q.local_name IN ('archivedDate', 'archivedBy')
)
SELECT n.uuid, dp.string_value,
       (SELECT MIN(bp.string_value) FROM alf_node_properties bp
        JOIN sysq ON sysq.id = bp.qname_id AND sysq.local_name = 'archivedBy'
        WHERE bp.node_id = n.id)
FROM up
JOIN alf_node n ON n.id = up.id
JOIN alf_node_properties dp ON dp.node_id = n.id
JOIN sysq ON sysq.id = dp.qname_id AND sysq.local_name = 'archivedDate'
ORDER BY up.depth
