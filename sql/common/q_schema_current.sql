-- The schema the Alfresco tables are looked up in. MySQL and MariaDB: the connection's
-- database. PostgreSQL has its own file (current_schema()).
SELECT DATABASE()
