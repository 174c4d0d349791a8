-- Content properties: which node's property points at which alf_content_data row (long_value).
-- Read as a plain scan and joined in memory with alf_content_data and alf_node (report/refs.c):
-- the server does no join and no sort. Any qname with actual_type_n 21 (d:content); 3 only for
-- the known d:content qnames ($1..$8, -1 when absent), which early 3.2 builds wrote.
-- The same scan makes the check of q_schema_type11: a known content property ($1..$7) of the
-- legacy type 11 without a long_value means 3.2's content URL conversion never finished.
SELECT p.node_id, p.long_value, p.actual_type_n
FROM alf_node_properties p
WHERE p.actual_type_n = 21
   OR (p.actual_type_n = 3 AND p.qname_id IN ($1, $2, $3, $4, $5, $6, $7, $8))
   OR (p.actual_type_n = 11 AND p.long_value IS NULL
       AND p.qname_id IN ($1, $2, $3, $4, $5, $6, $7))
