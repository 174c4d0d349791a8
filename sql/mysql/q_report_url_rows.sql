-- Every content URL, ordered by its bytes, so that the report can merge it with the sorted disk
-- walk in one pass. Its references are joined in memory (report/refs.c), not here.
-- MySQL/MariaDB: the column collation may be case-insensitive, so order by the bytes, and by
-- the bytes of the URL in UTF-8 (as the client receives it and the disk walk sorts it) even
-- when the database's character set is another one.
SELECT u.id, u.content_url, u.content_size, u.orphan_time
FROM alf_content_url u
ORDER BY CAST(CONVERT(u.content_url USING utf8mb4) AS BINARY), u.id
