-- One node that still has a content property of the legacy CONTENT type (11): the 3.2 content
-- URL conversion did not finish. Such a row keeps its value outside long_value, so the lookup
-- goes through idx_alf_nprop_l (qname_id, long_value) for the d:content properties of the core
-- models instead of reading the whole property table.
SELECT p.node_id
FROM alf_node_properties p
WHERE p.long_value IS NULL
  AND p.actual_type_n = 11
  AND p.qname_id IN (
      SELECT q.id
      FROM alf_qname q
      JOIN alf_namespace ns ON ns.id = q.ns_id
      WHERE (ns.uri = 'http://www.alfresco.org/model/content/1.0'
             AND q.local_name IN ('content', 'persondescription', 'tagScopeCache',
                                  'preferenceValues'))
         OR (ns.uri = 'http://www.alfresco.org/model/system/1.0'
             AND q.local_name IN ('versionEdition', 'versionProperties', 'keyStore')))
LIMIT 1
