-- Whether the node with uuid $2 is live in the store $1://SpacesStore: how many rows (0 or 1)
-- that are not sys:deleted placeholders (a purged or moved node leaves one behind, same uuid).
-- 'archive': the trashcan item is there; 'workspace': the node is in the repository again,
-- e.g. restored from the trashcan.
SELECT COUNT(*)
FROM alf_node n
JOIN alf_store s ON s.id = n.store_id
WHERE s.protocol = $1 AND s.identifier = 'SpacesStore' AND n.uuid = $2
  AND NOT EXISTS (
      SELECT 1 FROM alf_qname q
      JOIN alf_namespace ns ON ns.id = q.ns_id
      WHERE q.id = n.type_qname_id
        AND ns.uri = 'http://www.alfresco.org/model/system/1.0' AND q.local_name = 'deleted')
