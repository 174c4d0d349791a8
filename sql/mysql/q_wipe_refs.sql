-- Who still references one content URL, checked right before its file in contentstore.deleted
-- is wiped: $1 the full URL, $2 its content_url_short, $3 its content_url_crc (the unique
-- index finds the row; the full URL is then compared as BINARY, never with the column's
-- possibly case-insensitive collation). One row per alf_content_data row pointing at it, with
-- the node holding it through a content property (actual_type_n 21) when there is one; a URL
-- row without data rows gives one row with NULLs after u.id; no row when the URL is unknown.
-- Text columns are converted to utf8mb4 before a byte comparison with a parameter (sent as
-- UTF-8): a database created in latin1 holds an 'é' as one byte, which must still match.
SELECT u.id, d.id, s.protocol, s.identifier, n.uuid
FROM alf_content_url u
LEFT JOIN alf_content_data d ON d.content_url_id = u.id
LEFT JOIN alf_node_properties p ON p.long_value = d.id AND p.actual_type_n = 21
LEFT JOIN alf_node n ON n.id = p.node_id
LEFT JOIN alf_store s ON s.id = n.store_id
WHERE u.content_url_short = $2
  AND u.content_url_crc = CAST($3 AS UNSIGNED)
  AND CAST(CONVERT(u.content_url USING utf8mb4) AS BINARY) = CAST($1 AS BINARY)
ORDER BY d.id, s.protocol, s.identifier, n.uuid
