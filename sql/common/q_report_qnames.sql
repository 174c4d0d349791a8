-- Every qname with its namespace URI. alfwipe looks qnames up by URI + local name and never
-- hard-codes an id (ids differ between installations).
SELECT q.id, n.uri, q.local_name
FROM alf_qname q
JOIN alf_namespace n ON n.id = q.ns_id
