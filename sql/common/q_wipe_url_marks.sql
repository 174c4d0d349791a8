-- Every referenced store:// URL with the two values Alfresco's URL lookups go through, read
-- once per wipe (a scan of alf_content_url). The wipe refuses each file in contentstore.deleted
-- that one of these rows keeps but the per-batch check (q_wipe_refs, by content_url_short and
-- content_url_crc) would not find:
--   - a URL that is no plain path (an empty, '.' or '..' component, a backslash): Alfresco
--     opens it through java.io.File, which reads 'a//b' and 'a/x/../b' as the file a/b;
--   - a row whose content_url_short or content_url_crc does not match its URL text: the index
--     lookup misses it, yet alf_content_data still points at it by id, so the content is live.
-- Per row: the URL, its content_url_short, its content_url_crc.
SELECT u.content_url, u.content_url_short, u.content_url_crc
FROM alf_content_url u
WHERE u.content_url LIKE 'store://%'
  AND EXISTS (SELECT 1 FROM alf_content_data d WHERE d.content_url_id = u.id)
