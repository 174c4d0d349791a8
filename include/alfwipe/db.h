/* Read-only access to an Alfresco database through one small interface.
 *
 * db_open connects and starts one read-only repeatable-read transaction: every query of a
 * session sees the same snapshot. Queries are the embedded sql/ files, run by name with text
 * parameters ($1, $2 ... in the files; the MySQL backend rewrites them to ?). Rows stream to a
 * callback; no backend holds a whole result set in memory. Nothing here ever writes. */
#ifndef ALFWIPE_DB_H
#define ALFWIPE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alfwipe/conf.h"
#include "alfwipe/err.h"

struct db;

/* One column of the current row. s is NUL-terminated and valid only during the callback. */
struct db_value {
    const char *s;
    size_t len;
    bool null;
};

/* Called once per row. Return 0 to go on, -1 (with err filled) to stop the query: db_query
 * then returns -1 with that err untouched and the snapshot stays usable. A callback must not
 * start another query on the same db (the connection is busy streaming). */
typedef int db_row_fn(void *arg, const struct db_value *cols, int ncols, struct err *err);

/* Connect (conf->db must be complete, password loaded) and begin the read-only snapshot.
 * Connection failures name engine, host and port (or socket). */
int db_open(struct db **out, const struct conf_db *cd, struct err *err);

/* Run embedded query 'name' with nparams text parameters (NULL pointer = SQL NULL) and stream
 * the rows. Errors name the query: ERR_INTERNAL for an unknown name or a parameter count that
 * differs from the query's highest $n, ERR_DB for a server error or a connection lost mid-way
 * (never a partial success). */
int db_query(struct db *db, const char *name, const char *const *params, int nparams,
             db_row_fn *fn, void *arg, struct err *err);

/* Convenience for single-value queries: first column of the first row into *out (owned), or
 * NULL when no row / NULL value. */
int db_query_value(struct db *db, const char *name, const char *const *params, int nparams,
                   char **out, struct err *err);

/* Open a second session that sees exactly the snapshot of db, so that two queries of one run
 * can stream at the same time (each session still runs one query at a time). 0 with *out
 * set; 1 when the engine cannot share a snapshot between sessions (MySQL, MariaDB: the caller
 * keeps to db alone); -1 with err when sharing was possible and failed. Close the twin with
 * db_close before db. */
int db_open_twin(struct db *db, struct db **out, struct err *err);

const char *db_engine(const struct db *db);          /* "postgresql" or "mysql" */
const char *db_server_version(const struct db *db);  /* as reported by the server */
const char *db_dialect(const struct db *db);         /* "pg" or "mysql" (sql/ folder) */

/* Ends the transaction (rollback: nothing was written anyway) and disconnects. NULL ok. */
void db_close(struct db *db);

/* What the schema check found. */
struct db_schema_info {
    bool has_encryption_table;   /* alf_content_url_encryption (5.0+) */
    bool has_server_id;          /* alf_transaction.server_id (before 7.1) */
    int64_t schema_min;          /* min(applied_to_schema > -1), 0 when unknown */
    int64_t schema_max;          /* max(applied_to_schema), 0 when unknown */
};

/* Refuse what is not an Alfresco database (first missing table named), a schema too old
 * (alf_content_url.orphan_time missing, alf_node.node_deleted present, content properties of
 * type 11) and a schema creation/upgrade in progress (alf_bootstrap_lock). ERR_SCHEMA. */
int db_check_schema(struct db *db, struct db_schema_info *info, struct err *err);

/* The two halves of db_check_schema, for a caller that runs the second one (a scan of the
 * content properties) alongside other work: db_check_tables (tables, columns, the upgrade
 * lock, patches; fills info) and db_check_content_types (no content property of type 11). */
int db_check_tables(struct db *db, struct db_schema_info *info, struct err *err);
int db_check_content_types(struct db *db, struct err *err);
/* The error db_check_content_types gives for a legacy (type 11) content property of node_id,
 * for a caller that finds such rows in a scan of its own; returns -1. */
int db_legacy_content_error(struct err *err, const char *node_id);

/* Parse helpers for callbacks: 0 ok, -1 when the column is NULL or not an integer. */
int db_int64(const struct db_value *v, int64_t *out);
bool db_bool(const struct db_value *v);   /* t/true/1 (BOOL or BIT as text) */

#endif
