-- MySQL/MariaDB: the column collation may be case-insensitive, so order by the bytes, and by
-- the bytes of the URL in UTF-8 (as the client receives it and the disk walk sorts it) even
-- when the database's character set is another one.
-- Every content URL with every reference to it, one row per (URL, referencing node), ordered
-- by the URL's bytes so that the report can merge it with the sorted disk walk in one pass.
-- A URL without any alf_content_data row comes once with NULL reference columns; a content
-- data row that no node property points at comes with a NULL node (dangling data).
-- Content properties: actual_type_n 21 for any qname; 3 only for the known d:content qnames
-- ($1..$8, -1 when absent), which early 3.2 builds wrote.
-- The content properties come from a derived table: alf_node_properties has no index that
-- starts with long_value (idx_alf_nprop_l is (qname_id, long_value)), and MariaDB, which has
-- no hash join by default, would join it to every content data row by a nested loop over the
-- whole table (quadratic; minutes at 200,000 URLs). The LIMIT keeps the derived table from
-- being merged back into the join; materialized, it gets a key on long_value (MariaDB's
-- derived_with_keys, MySQL's auto keys): one scan of the properties, then lookups.
SELECT u.id, u.content_url, u.content_size, u.orphan_time,
       (e.id IS NOT NULL) AS encrypted,
       d.id, n.id, n.store_id, n.uuid
FROM alf_content_url u
LEFT JOIN alf_content_url_encryption e ON e.content_url_id = u.id
LEFT JOIN alf_content_data d ON d.content_url_id = u.id
LEFT JOIN (SELECT cp.long_value, cp.node_id
           FROM alf_node_properties cp
           WHERE cp.actual_type_n = 21
              OR (cp.actual_type_n = 3 AND cp.qname_id IN ($1, $2, $3, $4, $5, $6, $7, $8))
           LIMIT 18446744073709551615) p
       ON p.long_value = d.id
LEFT JOIN alf_node n ON n.id = p.node_id
ORDER BY CAST(CONVERT(u.content_url USING utf8mb4) AS BINARY), u.id, n.id
