-- The alf_content_url row of URL $1, found through the unique (short, crc) index ($2, $3) and
-- then compared in full (MNT-22710). MySQL/MariaDB: the column collation may be
-- case-insensitive, so the full URL is compared as bytes. Per row: id, content_size,
-- orphan_time.
SELECT u.id, u.content_size, u.orphan_time
FROM alf_content_url u
WHERE u.content_url_short = $2 AND u.content_url_crc = $3
  AND CAST(u.content_url AS BINARY) = CAST($1 AS BINARY)
