-- Whether URL row $1 (a URL that is no plain path, or whose short value or CRC does not match
-- it, unreferenced when last read) is referenced by an alf_content_data row now: one row, or
-- none.
SELECT d.id
FROM alf_content_data d
WHERE d.content_url_id = $1
LIMIT 1
