-- Every content URL, ordered by its bytes, so that the report can merge it with the sorted disk
-- walk in one pass. Its references are joined in memory (report/refs.c), not here.
SELECT u.id, u.content_url, u.content_size, u.orphan_time
FROM alf_content_url u
ORDER BY u.content_url COLLATE "C", u.id
