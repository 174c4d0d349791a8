-- Whether table $2 exists in schema $1 but the connected user may not SELECT from it
-- (information_schema.tables lists only the tables a user has some privilege on, so a role
-- without grants would otherwise look like a database without Alfresco's tables).
SELECT NOT has_table_privilege(c.oid, 'SELECT')
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = $2
