-- q_report_urls for schemas before 5.0, which have no alf_content_url_encryption table.
-- The content properties come from a derived table: alf_node_properties has no index that
-- starts with long_value (idx_alf_nprop_l is (qname_id, long_value)), and MariaDB, which has
-- no hash join by default, would join it to every content data row by a nested loop over the
-- whole table (quadratic; minutes at 200,000 URLs). The LIMIT keeps the derived table from
-- being merged back into the join; materialized, it gets a key on long_value (MariaDB's
-- derived_with_keys, MySQL's auto keys): one scan of the properties, then lookups.
SELECT u.id, u.content_url, u.content_size, u.orphan_time,
       FALSE AS encrypted,
       d.id, n.id, n.store_id, n.uuid
FROM alf_content_url u
LEFT JOIN alf_content_data d ON d.content_url_id = u.id
LEFT JOIN (SELECT cp.long_value, cp.node_id
           FROM alf_node_properties cp
           WHERE cp.actual_type_n = 21
              OR (cp.actual_type_n = 3 AND cp.qname_id IN ($1, $2, $3, $4, $5, $6, $7, $8))
           LIMIT 18446744073709551615) p
       ON p.long_value = d.id
LEFT JOIN alf_node n ON n.id = p.node_id
ORDER BY CAST(CONVERT(u.content_url USING utf8mb4) AS BINARY), u.id, n.id
