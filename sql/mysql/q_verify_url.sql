-- The alf_content_url row of URL $1, found through the unique (short, crc) index ($2, $3) and
-- then compared in full (MNT-22710). MySQL/MariaDB: the column collation may be
-- case-insensitive, so the full URL is compared as bytes. Per row: id, content_size,
-- orphan_time.
-- Text columns are converted to utf8mb4 before a byte comparison with a parameter (sent as
-- UTF-8): a database created in latin1 holds an 'é' as one byte, which must still match.
SELECT u.id, u.content_size, u.orphan_time
FROM alf_content_url u
WHERE u.content_url_short = $2 AND u.content_url_crc = $3
  AND CAST(CONVERT(u.content_url USING utf8mb4) AS BINARY) = CAST($1 AS BINARY)
