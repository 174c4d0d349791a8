-- Whether a trashcan item's node is in archive://SpacesStore: 1 or 0. $1 the item's uuid.
SELECT COUNT(*)
FROM alf_node n
JOIN alf_store s ON s.id = n.store_id
WHERE s.protocol = 'archive' AND s.identifier = 'SpacesStore' AND n.uuid = $1
