-- Content URLs whose content is encrypted (5.0 and later): their size is not checked.
SELECT e.content_url_id
FROM alf_content_url_encryption e
