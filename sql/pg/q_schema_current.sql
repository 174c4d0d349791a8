-- The schema the Alfresco tables are looked up in: the first readable schema of the search_path,
-- which the backend sets to db.schema.name when one is configured; NULL when there is none.
SELECT current_schema()
