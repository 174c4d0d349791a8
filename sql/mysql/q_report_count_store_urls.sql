-- MySQL/MariaDB variant of sql/common/q_report_count_store_urls.sql: LIKE follows the column's
-- collation there, often case-insensitive, so the prefix is matched on the bytes as
-- PostgreSQL's LIKE matches it ('STORE://' is not a store:// URL).
-- How many store:// URLs are still referenced: used only when a content root is empty, to tell
-- an unmounted volume from a fresh installation.
SELECT COUNT(*)
FROM alf_content_url u
WHERE CAST(u.content_url AS BINARY) LIKE 'store://%'
  AND EXISTS (SELECT 1 FROM alf_content_data d WHERE d.content_url_id = u.id)
