-- State of the snapshot transaction, checked right after it begins (and run first, so the
-- repeatable-read snapshot is taken at connect time): read-only flag ('on'), isolation level
-- ('repeatable read') and the schema the tables resolve in.
SELECT current_setting('transaction_read_only'),
       current_setting('transaction_isolation'),
       current_schema()
