-- State of the snapshot transaction, in the words of sql/pg/q_txn_state.sql: read-only flag
-- ('on'), isolation level ('repeatable read') and the database the tables resolve in. The
-- backend reads the first two from the server right after the snapshot begins and keeps them
-- in user variables, because the server variables are named differently on MySQL 8
-- (transaction_read_only) and on MariaDB before 11.1 (tx_read_only).
SELECT CASE WHEN @alfwipe_txn_read_only = 1 THEN 'on' ELSE 'off' END,
       LOWER(REPLACE(@alfwipe_txn_isolation, '-', ' ')),
       DATABASE()
