-- The alf_content_url row of URL $1 when its content_url_short cannot be told for certain (a
-- URL whose last 12 characters are not plain ASCII, or hold an 'I'): Alfresco computes the
-- short value with Java's toLowerCase() in the JVM's locale and counts UTF-16 characters.
-- Found by its CRC ($2) and the full URL compared as bytes, without the (short, crc) index: a
-- scan of alf_content_url, made only for such URLs. Per row: id, content_size, orphan_time.
-- Text columns are converted to utf8mb4 before a byte comparison with a parameter (sent as
-- UTF-8): a database created in latin1 holds an 'é' as one byte, which must still match.
SELECT u.id, u.content_size, u.orphan_time
FROM alf_content_url u
WHERE u.content_url_crc = $2
  AND CAST(CONVERT(u.content_url USING utf8mb4) AS BINARY) = CAST($1 AS BINARY)
