-- The alf_content_url row of URL $1, found through the unique (short, crc) index ($2, $3) and
-- then compared in full (MNT-22710). Per row: id, content_size, orphan_time.
SELECT u.id, u.content_size, u.orphan_time
FROM alf_content_url u
WHERE u.content_url_short = $2 AND u.content_url_crc = $3 AND u.content_url = $1
