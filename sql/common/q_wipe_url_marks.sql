-- Every store:// URL row with id above $1 (0 at the start of a wipe, then the highest id seen,
-- before each batch), with the two values Alfresco's URL lookups go through and whether an
-- alf_content_data row references it now. The wipe refuses each file in contentstore.deleted
-- that one of these rows keeps but the per-batch check (q_wipe_refs, by content_url_short and
-- content_url_crc) would not find:
--   - a URL that is no plain path (an empty, '.' or '..' component, a backslash): Alfresco
--     opens it through java.io.File, which reads 'a//b' and 'a/x/../b' as the file a/b;
--   - a row whose content_url_short or content_url_crc does not match its URL text: the index
--     lookup misses it, yet alf_content_data still points at it by id, so the content is live.
-- Such rows that no content data references yet are kept too: a batch asks again by id
-- (q_wipe_url_refd) whether one now is. The whole table is read once per run; before each
-- batch only the rows added since (by the primary key).
-- Per row: the URL, its content_url_short, its content_url_crc, its id, 1 when referenced.
SELECT u.content_url, u.content_url_short, u.content_url_crc, u.id,
       CASE WHEN EXISTS (SELECT 1 FROM alf_content_data d WHERE d.content_url_id = u.id)
            THEN 1 ELSE 0 END
FROM alf_content_url u
WHERE u.id > $1
  AND u.content_url LIKE 'store://%'
