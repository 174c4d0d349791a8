/* PostgreSQL backend (libpq): one connection, one read-only repeatable-read transaction, rows
 * streamed row by row so memory stays bounded whatever the table sizes. */
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alfwipe/sqltext.h"
#include "alfwipe/xalloc.h"
#include "db_int.h"
#include "pgcopy.h"

struct db_pg {
    struct db base;
    PGconn *conn;
    char *where;        /* "host:port" or "'/socket/dir' (port n)", for messages */
    char *schema;       /* db.schema.name, NULL for the search_path's default */
};

/* The first line of a libpq message, without the "ERROR:  " / "FATAL:  " prefix. */
static void first_line(const char *msg, char *buf, size_t size)
{
    if (!msg || !*msg)
        msg = "no message from libpq";
    for (const char *pfx = NULL; (pfx = strstr(msg, ":  ")) && pfx - msg <= 8;)
        msg = pfx + 3;
    size_t n = strcspn(msg, "\n");
    if (n >= size)
        n = size - 1;
    memcpy(buf, msg, n);
    buf[n] = '\0';
}

/* The message of a failed result: the server's primary message when there is one. */
static void result_message(const PGconn *conn, const PGresult *res, char *buf, size_t size)
{
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    first_line(primary ? primary : PQerrorMessage(conn), buf, size);
}

static char *describe_where(const PGconn *conn)
{
    const char *host = PQhost(conn), *port = PQport(conn);
    if (!host || !*host)
        host = "the default socket";
    if (!port || !*port)
        port = "5432";
    if (host[0] == '/' || host[0] == '@')
        return xasprintf("'%s' (port %s)", host, port);
    return xasprintf("%s:%s", host, port);
}

/* Run a statement that returns no rows (BEGIN, SET, CLOSE ...). */
static int pg_command(struct db_pg *pg, const char *sql, const char *what, struct err *err)
{
    PGresult *res = PQexec(pg->conn, sql);
    if (PQresultStatus(res) == PGRES_COMMAND_OK) {
        PQclear(res);
        return 0;
    }
    char msg[512];
    result_message(pg->conn, res, msg, sizeof msg);
    PQclear(res);
    return err_set(err, ERR_DB, "could not %s on postgresql at %s: %s", what, pg->where, msg);
}

static int pg_fail(struct db_pg *pg, const char *name, const PGresult *res, long long rows,
                   struct err *err)
{
    char msg[512];
    result_message(pg->conn, res, msg, sizeof msg);
    char after[64] = "";
    if (rows > 0)
        snprintf(after, sizeof after, " after %lld rows", rows);
    if (PQstatus(pg->conn) == CONNECTION_BAD) {
        err_set(err, ERR_DB, "query '%s' failed%s: lost the connection to postgresql at %s: %s",
                name, after, pg->where, msg);
        return err_hint(err, "Check the PostgreSQL server and its log, then run alfwipe again; "
                             "nothing was written to the database.");
    }
    err_set(err, ERR_DB, "query '%s' failed%s on postgresql at %s: %s", name, after, pg->where,
            msg);
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (state && strcmp(state, "42501") == 0)
        err_hint(err, "Grant the database user SELECT on the Alfresco tables.");
    return -1;
}

/* Ask the server to cancel the running statement (best effort: a failure is only logged). */
static void send_cancel(struct db_pg *pg)
{
    PGcancel *cancel = PQgetCancel(pg->conn);
    char buf[256];
    if (cancel) {
        if (!PQcancel(cancel, buf, sizeof buf))
            debug_msg("could not cancel a query on postgresql at %s: %s", pg->where, buf);
        PQfreeCancel(cancel);
    }
}

/* Wait for the end of the running query and throw its remaining rows away. What libpq has
 * buffered already is read; if the query has not finished with that, the server is asked to
 * cancel it rather than send all its remaining rows. */
static void pg_abandon(struct db_pg *pg)
{
    PGresult *res;
    while (!PQisBusy(pg->conn)) {
        if (!(res = PQgetResult(pg->conn)))
            return;
        PQclear(res);
    }
    send_cancel(pg);
    while ((res = PQgetResult(pg->conn)))
        PQclear(res);
}

/* Rows of a query with parameters: PQsetSingleRowMode, one PGresult per row, memory bounded
 * by the widest row.
 *
 * Why not a server-side cursor (DECLARE ... CURSOR, FETCH FORWARD 10000)? Measured on one
 * PostgreSQL 15 over a unix socket, 1M rows of (id, content_url, content_size, orphan_time),
 * 15 runs each, medians: unordered scan 2.88M rows/s single-row against 1.71M rows/s FETCH
 * (2.11M with the next FETCH sent before handling the current batch); ORDER BY id 1.43M
 * against 1.11M (1.36M). In single-row mode the server keeps producing rows while the client
 * handles the previous ones; FETCH makes both sides wait for each other once per batch.
 *
 * The price: the connection is busy until the last row, so a row callback cannot run another
 * query, and stopping early means cancelling the statement (pg_abandon). */
static int stream_rows(struct db_pg *pg, const char *name, const char *sql,
                       const char *const *params, int nparams, db_row_fn *fn, void *arg,
                       struct err *err)
{
    if (!PQsendQueryParams(pg->conn, sql, nparams, NULL, params, NULL, NULL, 0) ||
        !PQsetSingleRowMode(pg->conn)) {
        pg_fail(pg, name, NULL, 0, err);
        pg_abandon(pg);
        return -1;
    }

    struct db_value *cols = NULL;
    size_t cap = 0;
    long long rows = 0;
    bool done = false;
    PGresult *res;
    while (!done && (res = PQgetResult(pg->conn))) {
        switch (PQresultStatus(res)) {
        case PGRES_SINGLE_TUPLE: {
            int nf = PQnfields(res);
            cols = xgrow(cols, &cap, (size_t)nf, sizeof *cols);
            for (int c = 0; c < nf; c++) {
                cols[c].s = PQgetvalue(res, 0, c);
                cols[c].len = (size_t)PQgetlength(res, 0, c);
                cols[c].null = PQgetisnull(res, 0, c) != 0;
            }
            rows++;
            if (fn(arg, cols, nf, err) != 0) {
                /* The caller's stop: its err stays as it is. */
                PQclear(res);
                free(cols);
                pg_abandon(pg);
                return -1;
            }
            break;
        }
        case PGRES_TUPLES_OK:
            /* The end of the rows (a result of its own in single-row mode). */
            done = true;
            break;
        default:
            pg_fail(pg, name, res, rows, err);
            PQclear(res);
            free(cols);
            pg_abandon(pg);
            return -1;
        }
        PQclear(res);
    }
    free(cols);
    if (!done) {
        /* No end marker: the connection went away between two rows. */
        return pg_fail(pg, name, NULL, rows, err);
    }
    while ((res = PQgetResult(pg->conn)))
        PQclear(res);
    return 0;
}

/* Stop a COPY OUT before its end: ask the server to cancel the statement, read and drop what
 * is still on its way (the server ends the COPY with the cancellation error), then collect
 * the results. */
static void copy_abandon(struct db_pg *pg)
{
    send_cancel(pg);
    char *line;
    int n;
    while ((n = PQgetCopyData(pg->conn, &line, 0)) > 0)
        PQfreemem(line);
    PGresult *res;
    while ((res = PQgetResult(pg->conn)))
        PQclear(res);
}

/* The statement of a parameterless query as COPY (query) TO STDOUT, or NULL when the text is
 * not a plain SELECT (or WITH ... SELECT) that COPY can wrap: it must not end in ';'. */
static char *copy_statement(const char *sql)
{
    const char *p = sql;
    for (;;) {
        p += strspn(p, " \t\r\n");
        if (p[0] == '-' && p[1] == '-')
            p += strcspn(p, "\n");
        else
            break;
    }
    if (strncasecmp(p, "SELECT", 6) != 0 && strncasecmp(p, "WITH", 4) != 0)
        return NULL;
    size_t len = strlen(sql);
    while (len > 0 && strchr(" \t\r\n", sql[len - 1]))
        len--;
    if (len > 0 && sql[len - 1] == ';')
        return NULL;
    /* The newline before ')' ends a final '--' comment of the query. */
    return xasprintf("COPY (\n%.*s\n) TO STDOUT", (int)len, sql);
}

/* Rows of a query without parameters: COPY (query) TO STDOUT in text format. Each row arrives
 * as one buffer, split in place (pgcopy_split), where single-row mode builds a result object
 * per row: at a million rows and more (the report's plain scans) that is most of the client's
 * time. The values are the same text as a query's (the types' output functions), NULL aside,
 * which COPY writes as \N. COPY TO is a read: allowed in the read-only transaction, and with
 * no privilege beyond SELECT on the tables. The server streams, as in single-row mode. */
static int stream_copy(struct db_pg *pg, const char *name, const char *copy, db_row_fn *fn,
                       void *arg, struct err *err)
{
    PGresult *res = PQexec(pg->conn, copy);
    if (PQresultStatus(res) != PGRES_COPY_OUT) {
        pg_fail(pg, name, res, 0, err);
        PQclear(res);
        while ((res = PQgetResult(pg->conn)))
            PQclear(res);
        return -1;
    }
    PQclear(res);

    struct db_value *cols = NULL;
    size_t cap = 0;
    long long rows = 0;
    char *line;
    int n;
    while ((n = PQgetCopyData(pg->conn, &line, 0)) > 0) {
        int nf = pgcopy_split(line, (size_t)n, &cols, &cap);
        if (nf < 0) {
            PQfreemem(line);
            free(cols);
            copy_abandon(pg);
            return err_set(err, ERR_DB, "query '%s': row %lld from postgresql at %s ends "
                           "inside an escape", name, rows + 1, pg->where);
        }
        rows++;
        int stop = fn(arg, cols, nf, err);
        PQfreemem(line);
        if (stop != 0) {
            /* The caller's stop: its err stays as it is. */
            free(cols);
            copy_abandon(pg);
            return -1;
        }
    }
    free(cols);
    /* -1: the COPY ended; its outcome is the next result. -2: the connection failed. */
    int rc = 0;
    bool ended = false;
    while ((res = PQgetResult(pg->conn))) {
        if (rc == 0 && PQresultStatus(res) == PGRES_COMMAND_OK) {
            ended = true;
        } else if (rc == 0) {
            rc = pg_fail(pg, name, res, rows, err);
        }
        PQclear(res);
    }
    if (rc == 0 && (n == -2 || !ended))
        rc = pg_fail(pg, name, NULL, rows, err);
    return rc;
}

/* Each query runs inside a savepoint: after a cancel (or any error) ROLLBACK TO SAVEPOINT
 * leaves the transaction, and the repeatable-read snapshot it holds, usable for the next
 * query. */
static int pg_query(struct db *db, const char *name, const char *sql, const char *const *params,
                    int nparams, db_row_fn *fn, void *arg, struct err *err)
{
    struct db_pg *pg = (struct db_pg *)db;
    if (pg_command(pg, "SAVEPOINT alfwipe_query", "set a savepoint", err) < 0)
        return err_prefix(err, "query '%s'", name);
    char *copy = nparams == 0 ? copy_statement(sql) : NULL;
    int rc = copy ? stream_copy(pg, name, copy, fn, arg, err)
                  : stream_rows(pg, name, sql, params, nparams, fn, arg, err);
    free(copy);
    if (rc == 0) {
        if (pg_command(pg, "RELEASE SAVEPOINT alfwipe_query", "release a savepoint", err) < 0)
            return err_prefix(err, "query '%s'", name);
        return 0;
    }
    /* Best effort: when the connection is gone there is nothing left to keep usable. */
    if (PQstatus(pg->conn) == CONNECTION_OK) {
        PQclear(PQexec(pg->conn, "ROLLBACK TO SAVEPOINT alfwipe_query"));
        PQclear(PQexec(pg->conn, "RELEASE SAVEPOINT alfwipe_query"));
    }
    return -1;
}

static void pg_close(struct db *db)
{
    struct db_pg *pg = (struct db_pg *)db;
    if (pg->conn) {
        if (PQstatus(pg->conn) == CONNECTION_OK)
            PQclear(PQexec(pg->conn, "ROLLBACK"));
        PQfinish(pg->conn);
    }
    free(pg->where);
    free(pg->schema);
    free(pg->base.server_version);
    free(pg);
}

static const char *conf_val(const struct conf_str *s)
{
    return s->val && s->val[0] ? s->val : NULL;
}

static int connect_error(struct db_pg *pg, const struct conf_db *cd, struct err *err)
{
    char line[512];
    first_line(PQerrorMessage(pg->conn), line, sizeof line);
    /* libpq starts with 'connection to server at "h", port p failed: ', which the message
     * already says in its own words. */
    const char *msg = line, *failed = strstr(line, " failed: ");
    if (strncmp(line, "connection to server ", 21) == 0 && failed)
        msg = failed + 9;
    err_set(err, ERR_DB, "could not connect to postgresql at %s: %s", pg->where, msg);
    const char *user = conf_val(&cd->user) ? cd->user.val : PQuser(pg->conn);
    if (PQconnectionNeedsPassword(pg->conn))
        return err_hint(err, "The server wants a password for user '%s': put it in the file "
                             "named by database.password_file (mode 0600) or in "
                             "$ALFWIPE_DB_PASSWORD.", user ? user : "");
    if (PQconnectionUsedPassword(pg->conn) && strstr(msg, "authentication failed"))
        return err_hint(err, "Check the user name and the password of user '%s'.",
                        user ? user : "");
    return err_hint(err, "Check that PostgreSQL runs and accepts connections at %s, and the "
                         "database host, port, name and user in alfwipe.conf (or db.url in "
                         "alfresco-global.properties).", pg->where);
}

/* Run "<command> <value>" with value quoted as an identifier (ident) or as a literal. */
static int pg_command_quoted(struct db_pg *pg, const char *command, const char *value,
                             bool ident, const char *what, struct err *err)
{
    char *q = ident ? PQescapeIdentifier(pg->conn, value, strlen(value))
                    : PQescapeLiteral(pg->conn, value, strlen(value));
    if (!q)
        return err_set(err, ident ? ERR_CONFIG : ERR_DB, "could not %s: cannot quote '%s': %s",
                       what, value, PQerrorMessage(pg->conn));
    char *sql = xasprintf("%s %s", command, q);
    PQfreemem(q);
    int rc = pg_command(pg, sql, what, err);
    free(sql);
    return rc;
}

/* Start the snapshot and check that the server agrees it is read-only repeatable read. With
 * snapshot (an id from pg_export_snapshot), the transaction adopts that snapshot instead of
 * taking its own. */
static int begin_snapshot(struct db_pg *pg, const char *schema, const char *snapshot,
                          struct err *err)
{
    if (schema && pg_command_quoted(pg, "SET search_path TO", schema, true,
                                    "set the search_path", err) < 0)
        return -1;
    /* alfwipe's queries are plain scans and index lookups, and the report runs them on two
     * sessions beside its own disk walk: parallel workers would cost the server more CPU in
     * all, taken from the cores everything else needs. A server before 9.6 has no such
     * setting; its refusal changes nothing. */
    PQclear(PQexec(pg->conn, "SET max_parallel_workers_per_gather = 0"));
    if (pg_command(pg, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                   "begin a read-only transaction", err) < 0)
        return -1;
    if (snapshot && pg_command_quoted(pg, "SET TRANSACTION SNAPSHOT", snapshot, false,
                                      "adopt the report's snapshot", err) < 0)
        return -1;

    const char *sql = sql_lookup("pg", "q_txn_state");
    PGresult *res = PQexec(pg->conn, sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 || PQnfields(res) != 3) {
        pg_fail(pg, "q_txn_state", res, 0, err);
        PQclear(res);
        return -1;
    }
    int ret = 0;
    const char *ro = PQgetvalue(res, 0, 0), *iso = PQgetvalue(res, 0, 1);
    if (strcmp(ro, "on") != 0 || strcmp(iso, "repeatable read") != 0) {
        ret = err_set(err, ERR_DB, "postgresql at %s did not start a read-only repeatable-read "
                                   "snapshot (read only '%s', isolation '%s')", pg->where, ro,
                      iso);
        err_hint(err, "Connect to PostgreSQL directly, not through a pooler that rewrites "
                      "transactions.");
    } else if (schema && (PQgetisnull(res, 0, 2) || strcmp(PQgetvalue(res, 0, 2), schema))) {
        ret = err_set(err, ERR_SCHEMA, "schema '%s' does not exist in database '%s' or user "
                                       "'%s' may not use it", schema, PQdb(pg->conn),
                      PQuser(pg->conn));
        err_hint(err, "Set db.schema.name to the schema that holds the alf_ tables, or leave "
                      "it empty to use the search_path.");
    }
    PQclear(res);
    return ret;
}

struct conn_params {
    const char *kw[16], *val[16];
    int n;
};

static void conn_param(struct conn_params *cp, const char *kw, const char *val)
{
    if (!val)
        return;
    cp->kw[cp->n] = kw;
    cp->val[cp->n++] = val;
    cp->kw[cp->n] = cp->val[cp->n] = NULL;
}

static int pg_open(struct db **out, const struct conf_db *cd, struct err *err)
{
    struct conn_params cp = {{NULL}, {NULL}, 0};
    char port[16];
    conn_param(&cp, "host", conf_val(&cd->socket) ? cd->socket.val : conf_val(&cd->host));
    if (cd->port.src != SRC_UNSET) {
        if (cd->port.val < 1 || cd->port.val > 65535)
            return err_set(err, ERR_CONFIG, "database port %lld is out of range 1-65535",
                           (long long)cd->port.val);
        snprintf(port, sizeof port, "%lld", (long long)cd->port.val);
        conn_param(&cp, "port", port);
    }
    conn_param(&cp, "dbname", conf_val(&cd->name));
    conn_param(&cp, "user", conf_val(&cd->user));
    conn_param(&cp, "password", cd->password);
    conn_param(&cp, "sslmode", conf_val(&cd->sslmode));
    conn_param(&cp, "sslrootcert", conf_val(&cd->sslrootcert));
    conn_param(&cp, "application_name", "alfwipe");
    conn_param(&cp, "connect_timeout", "10");
    conn_param(&cp, "client_encoding", "UTF8");

    struct db_pg *pg = xcalloc(1, sizeof *pg);
    pg->base.ops = &db_pg_ops;
    /* expand_dbname 0: a database name is a name, never a connection string. */
    pg->conn = PQconnectdbParams(cp.kw, cp.val, 0);
    if (!pg->conn) {
        free(pg);
        return err_set(err, ERR_NOMEM, "could not connect to postgresql: out of memory");
    }
    pg->where = describe_where(pg->conn);
    if (PQstatus(pg->conn) != CONNECTION_OK) {
        connect_error(pg, cd, err);
        pg_close(&pg->base);
        return -1;
    }
    const char *version = PQparameterStatus(pg->conn, "server_version");
    pg->base.server_version = xstrdup(version ? version : "unknown");
    if (conf_val(&cd->schema))
        pg->schema = xstrdup(cd->schema.val);
    if (begin_snapshot(pg, pg->schema, NULL, err) < 0) {
        pg_close(&pg->base);
        return -1;
    }
    debug_msg("connected to postgresql %s at %s", pg->base.server_version, pg->where);
    *out = &pg->base;
    return 0;
}

/* A second connection in the same snapshot: pg_export_snapshot on this one (outside any
 * savepoint: a subtransaction cannot export), then a new connection with the same connection
 * options that begins its transaction with SET TRANSACTION SNAPSHOT. Both then see exactly
 * the same committed data, whatever commits in between. */
static int pg_twin(struct db *db, struct db **out, struct err *err)
{
    struct db_pg *pg = (struct db_pg *)db;
    PGresult *res = PQexec(pg->conn, "SELECT pg_export_snapshot()");
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 ||
        PQgetisnull(res, 0, 0)) {
        char msg[512];
        result_message(pg->conn, res, msg, sizeof msg);
        PQclear(res);
        return err_set(err, ERR_DB, "could not export the snapshot on postgresql at %s: %s",
                       pg->where, msg);
    }
    char *snapshot = xstrdup(PQgetvalue(res, 0, 0));
    PQclear(res);

    PQconninfoOption *opts = PQconninfo(pg->conn);
    if (!opts) {
        free(snapshot);
        return err_set(err, ERR_NOMEM, "could not read the connection options: out of memory");
    }
    size_t n = 0;
    for (const PQconninfoOption *o = opts; o->keyword; o++)
        n++;
    const char **kw = xcalloc(n + 1, sizeof *kw), **val = xcalloc(n + 1, sizeof *val);
    size_t k = 0;
    for (const PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val)
            continue;
        kw[k] = o->keyword;
        val[k++] = o->val;
    }

    struct db_pg *tw = xcalloc(1, sizeof *tw);
    tw->base.ops = &db_pg_ops;
    tw->conn = PQconnectdbParams(kw, val, 0);
    free(kw);
    free(val);
    PQconninfoFree(opts);
    int ret = -1;
    if (!tw->conn) {
        free(tw);
        free(snapshot);
        return err_set(err, ERR_NOMEM, "could not connect to postgresql: out of memory");
    }
    tw->where = describe_where(tw->conn);
    if (PQstatus(tw->conn) != CONNECTION_OK) {
        char line[512];
        first_line(PQerrorMessage(tw->conn), line, sizeof line);
        err_set(err, ERR_DB, "could not open a second connection to postgresql at %s: %s",
                tw->where, line);
        goto out;
    }
    const char *version = PQparameterStatus(tw->conn, "server_version");
    tw->base.server_version = xstrdup(version ? version : "unknown");
    if (pg->schema)
        tw->schema = xstrdup(pg->schema);
    if (begin_snapshot(tw, tw->schema, snapshot, err) < 0)
        goto out;
    debug_msg("second connection to postgresql at %s shares snapshot %s", tw->where, snapshot);
    *out = &tw->base;
    tw = NULL;
    ret = 0;
out:
    if (tw)
        pg_close(&tw->base);
    free(snapshot);
    return ret;
}

const struct db_ops db_pg_ops = {
    .engine = "postgresql",
    .dialect = "pg",
    .open = pg_open,
    .query = pg_query,
    .twin = pg_twin,
    .close = pg_close,
};
