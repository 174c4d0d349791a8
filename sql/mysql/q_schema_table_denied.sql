-- MySQL/MariaDB hide the tables a user has no privilege on from every listing, so a table that
-- exists but cannot be read cannot be told from a missing one: no rows ($1 schema, $2 table).
SELECT 1 FROM DUAL WHERE $1 IS NULL AND $2 IS NULL
