-- One node that still has a property of the legacy CONTENT type (11) under any qname, read
-- once per wipe. q_schema_type11 looks only at the d:content properties of the core models
-- (cheap, through idx_alf_nprop_l); a custom model's d:content property that the unfinished
-- 3.2 conversion left behind keeps its URL as text ('contentUrl=store://...|...') or as a
-- serialized value, with no alf_content_url row for the per-batch lookup to find, so a wipe
-- would erase the copy of live content. No index holds actual_type_n: this reads the whole
-- property table, once per wipe (never per batch, and never in report or verify).
SELECT p.node_id
FROM alf_node_properties p
WHERE p.actual_type_n = 11
LIMIT 1
