-- How many store:// URLs are still referenced: used only when a content root is empty, to tell
-- an unmounted volume from a fresh installation.
SELECT COUNT(*)
FROM alf_content_url u
WHERE u.content_url LIKE 'store://%'
  AND EXISTS (SELECT 1 FROM alf_content_data d WHERE d.content_url_id = u.id)
