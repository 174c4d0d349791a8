-- q_report_urls for schemas before 5.0, which have no alf_content_url_encryption table.
SELECT u.id, u.content_url, u.content_size, u.orphan_time,
       FALSE AS encrypted,
       d.id, n.id, n.store_id, n.uuid
FROM alf_content_url u
LEFT JOIN alf_content_data d ON d.content_url_id = u.id
LEFT JOIN alf_node_properties p
       ON p.long_value = d.id
      AND (p.actual_type_n = 21
           OR (p.actual_type_n = 3 AND p.qname_id IN ($1, $2, $3, $4, $5, $6, $7, $8)))
LEFT JOIN alf_node n ON n.id = p.node_id
ORDER BY CAST(CONVERT(u.content_url USING utf8mb4) AS BINARY), u.id, n.id
