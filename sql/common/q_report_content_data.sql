-- Every content data row and the content URL it points at.
SELECT d.id, d.content_url_id
FROM alf_content_data d
