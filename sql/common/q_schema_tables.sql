-- Every table of schema $1 that the connected user can see. The schema check looks for the
-- tables alfwipe reads, alf_bootstrap_lock (an upgrade is running) and
-- alf_content_url_encryption (5.0 and later).
SELECT table_name
FROM information_schema.tables
WHERE table_schema = $1
ORDER BY table_name
