-- The stores and their root nodes.
SELECT s.id, s.protocol, s.identifier, s.root_node_id
FROM alf_store s
ORDER BY s.id
