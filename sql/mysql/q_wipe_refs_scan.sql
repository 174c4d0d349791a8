-- q_wipe_refs for a URL whose content_url_short cannot be told for certain (its last 12
-- characters are not plain ASCII, or hold an 'I': Alfresco lower-cases with Java's
-- toLowerCase() in the JVM's locale and counts UTF-16 characters). $1 the full URL, $2 its
-- content_url_crc; the row is found by those two, the URL compared as BINARY, without the
-- (short, crc) index, so this scans alf_content_url, and runs only for such URLs. Same rows
-- as q_wipe_refs.
-- Text columns are converted to utf8mb4 before a byte comparison with a parameter (sent as
-- UTF-8): a database created in latin1 holds an 'é' as one byte, which must still match.
SELECT u.id, d.id, s.protocol, s.identifier, n.uuid
FROM alf_content_url u
LEFT JOIN alf_content_data d ON d.content_url_id = u.id
LEFT JOIN alf_node_properties p ON p.long_value = d.id AND p.actual_type_n = 21
LEFT JOIN alf_node n ON n.id = p.node_id
LEFT JOIN alf_store s ON s.id = n.store_id
WHERE u.content_url_crc = CAST($2 AS UNSIGNED)
  AND CAST(CONVERT(u.content_url USING utf8mb4) AS BINARY) = CAST($1 AS BINARY)
ORDER BY d.id, s.protocol, s.identifier, n.uuid
