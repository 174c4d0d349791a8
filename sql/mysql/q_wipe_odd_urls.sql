-- Referenced store:// URLs whose relative part is not a plain path: an empty component (a
-- leading, doubled or trailing '/'), a '.' or '..' component, or a backslash. Alfresco opens
-- them through java.io.File, which reads 'a//b', 'a/./b' and 'a/x/../b' as the file a/b, so
-- such a URL keeps that file alive though no URL names it exactly. Read once per wipe (a scan
-- of alf_content_url): the wipe refuses every file one of them resolves to. Per row: the URL.
SELECT u.content_url
FROM alf_content_url u
WHERE u.content_url LIKE 'store://%'
  AND (SUBSTRING(u.content_url, 9) REGEXP '(^|/)[.]{0,2}(/|$)'
       OR LOCATE(CHAR(92 USING utf8mb4), u.content_url) > 0)
  AND EXISTS (SELECT 1 FROM alf_content_data d WHERE d.content_url_id = u.id)
