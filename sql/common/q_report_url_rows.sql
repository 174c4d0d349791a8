-- Every content URL, in no particular order: the report matches each store:// URL to the path
-- the sorted disk walk found for it and sorts the rest itself (report/urls.c), so the server
-- neither sorts nor joins. Its references are joined in memory (report/refs.c).
SELECT u.id, u.content_url, u.content_size, u.orphan_time
FROM alf_content_url u
