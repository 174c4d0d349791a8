-- Every node with its store and uuid: the report keeps those that a content property names.
SELECT n.id, n.store_id, n.uuid
FROM alf_node n
