-- The columns that tell schema generations apart: alf_content_url.orphan_time (3.2 and later),
-- alf_node.node_deleted (before the 4.1-SP/4.2 NodeDeleted patch) and alf_transaction.server_id
-- (before 7.1). One row per (table, column) of those tables in schema $1.
SELECT table_name, column_name
FROM information_schema.columns
WHERE table_schema = $1
  AND table_name IN ('alf_content_url', 'alf_node', 'alf_transaction')
ORDER BY table_name, column_name
