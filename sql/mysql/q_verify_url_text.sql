-- The alf_content_url rows whose content_url is exactly URL $1, found by the full text alone,
-- without the (short, crc) index: run only when that index finds nothing (or when the URL's
-- content_url_short cannot be told for certain: its last 12 characters are not plain ASCII,
-- or hold an 'I', and Alfresco lower-cases with Java's toLowerCase() in the JVM's locale), so
-- a row whose content_url_short or content_url_crc does not match its text is still found and
-- judged. No index covers content_url: this scans alf_content_url, once per such URL.
-- MySQL/MariaDB: the column collation may be case-insensitive, so the URL is compared as bytes.
-- Per row: id, content_size, orphan_time, content_url_short, content_url_crc.
-- Text columns are converted to utf8mb4 before a byte comparison with a parameter (sent as
-- UTF-8): a database created in latin1 holds an 'é' as one byte, which must still match.
SELECT u.id, u.content_size, u.orphan_time, u.content_url_short, u.content_url_crc
FROM alf_content_url u
WHERE CAST(CONVERT(u.content_url USING utf8mb4) AS BINARY) = CAST($1 AS BINARY)
ORDER BY u.id
