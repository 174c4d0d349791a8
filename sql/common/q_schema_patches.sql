-- Schema numbers recorded by the applied patches: the smallest applied_to_schema above -1 is
-- the schema Alfresco was installed with (SchemaBootstrap.getInstalledSchemaNumber); the
-- largest approximates the newest Alfresco that ran against the database.
SELECT MIN(CASE WHEN applied_to_schema > -1 THEN applied_to_schema END),
       MAX(applied_to_schema)
FROM alf_applied_patch
