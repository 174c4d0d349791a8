-- Who still references URL row $1: one row per alf_content_data row pointing at it, with the
-- node whose content property (actual_type_n 21) holds that data row, if any (a data row no
-- property holds still keeps the URL from the cleaner). The properties are reached through
-- every qname id, so that the engine can probe idx_alf_nprop_l (qname_id, long_value) for the
-- few data rows instead of scanning alf_node_properties for long_value.
-- Per row: data id, node id, store protocol, store identifier, node uuid, property namespace
-- URI and local name, node type local name, rma:ghosted (0/1), sys:archivedDate,
-- sys:archivedBy, ver2:frozenNodeRef (version nodes).
WITH
data AS (
    SELECT d.id FROM alf_content_data d WHERE d.content_url_id = $1
),
held AS (
    SELECT data.id AS data_id, p.node_id, p.qname_id
    FROM data
    JOIN alf_qname q ON 1 = 1
    JOIN alf_node_properties p
      ON p.qname_id = q.id AND p.long_value = data.id AND p.actual_type_n = 21
)
SELECT data.id, n.id, s.protocol, s.identifier, n.uuid, pns.uri, pq.local_name, tq.local_name,
       CASE WHEN n.id IS NOT NULL AND EXISTS (
           SELECT 1 FROM alf_node_aspects a
           JOIN alf_qname q ON q.id = a.qname_id
           JOIN alf_namespace ns ON ns.id = q.ns_id
           WHERE a.node_id = n.id AND q.local_name = 'ghosted'
             AND ns.uri = 'http://www.alfresco.org/model/recordsmanagement/1.0')
            THEN 1 ELSE 0 END,
       (SELECT MIN(x.string_value) FROM alf_node_properties x
        JOIN alf_qname q ON q.id = x.qname_id
        JOIN alf_namespace ns ON ns.id = q.ns_id
        WHERE x.node_id = n.id AND q.local_name = 'archivedDate'
          AND ns.uri = 'http://www.alfresco.org/model/system/1.0'),
       (SELECT MIN(x.string_value) FROM alf_node_properties x
        JOIN alf_qname q ON q.id = x.qname_id
        JOIN alf_namespace ns ON ns.id = q.ns_id
        WHERE x.node_id = n.id AND q.local_name = 'archivedBy'
          AND ns.uri = 'http://www.alfresco.org/model/system/1.0'),
       (SELECT MIN(x.string_value) FROM alf_node_properties x
        JOIN alf_qname q ON q.id = x.qname_id
        JOIN alf_namespace ns ON ns.id = q.ns_id
        WHERE x.node_id = n.id AND q.local_name = 'frozenNodeRef'
          AND ns.uri = 'http://www.alfresco.org/model/versionstore/2.0')
FROM data
LEFT JOIN held ON held.data_id = data.id
LEFT JOIN alf_qname pq ON pq.id = held.qname_id
LEFT JOIN alf_namespace pns ON pns.id = pq.ns_id
LEFT JOIN alf_node n ON n.id = held.node_id
LEFT JOIN alf_store s ON s.id = n.store_id
LEFT JOIN alf_qname tq ON tq.id = n.type_qname_id
ORDER BY data.id, n.id
