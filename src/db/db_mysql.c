/* MySQL / MariaDB backend on the MySQL client API (libmysqlclient or MariaDB Connector/C):
 * one read-only consistent snapshot, server-side prepared statements, rows streamed one at a
 * time and printed as text the way PostgreSQL prints the same values. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include "alfwipe/db.h"
#include "alfwipe/xalloc.h"
#include "db_int.h"
#include "db_mysql_int.h"

/*
 * Session set-up, in this order, right after connecting:
 *
 *   sql_mode ANSI_QUOTES,PIPES_AS_CONCAT,NO_BACKSLASH_ESCAPES
 *       the shared sql/common files are written for both engines; these three modes make
 *       MySQL read "x" as an identifier, || as concatenation and '\' as an ordinary character,
 *       as PostgreSQL does, instead of silently giving those texts another meaning.
 *   time_zone '+00:00'
 *       TIMESTAMP values and NOW() in UTC, whatever the server's or client's zone.
 *   net_write_timeout 3600
 *       rows stream while the caller works on them; a slow consumer must not make the server
 *       drop the connection after its default 60 seconds.
 *   max_statement_time 0 (MariaDB), max_execution_time 0 (MySQL)
 *       no server-wide statement time limit: the report's scans of a large repository stream
 *       for minutes while the walk and the merge go on. Each variable exists on one kind of
 *       server only; the other ignores it.
 *   tmp_table_size, max_heap_table_size at least 256 MiB (never lowered)
 *       a query that needs a temporary table (the trashcan and version queries' joins) keeps
 *       it in memory instead of moving it to disk. The memory is this session's own, for the
 *       length of a query.
 *   REPEATABLE READ, then START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY
 *       one snapshot for the whole session; any write is refused by the server (error 1792).
 *
 * Connection: with db.socket set, the Unix socket; otherwise always TCP to host:port (default
 * localhost:3306), as a JDBC URL means it; the client library would otherwise take
 * "localhost" as its compiled-in socket. Character set utf8mb4. No option files are read.
 * Automatic reconnection stays off: a new connection would silently leave the snapshot.
 *
 * sslmode (PostgreSQL's names; MySQL's spellings accepted too):
 *   disable / disabled          no TLS
 *   allow, prefer / preferred   TLS when the server offers it (MySQL: SSL_MODE_PREFERRED;
 *                               MariaDB Connector/C: its default behaviour)
 *   require / required          TLS or fail, server certificate not checked
 *   verify-ca / verify_ca       TLS, certificate checked against the system's CA store
 *   verify-full / verify_identity
 *                               TLS, certificate and host name checked
 * Unset: the client library's default. MariaDB Connector/C has one switch that checks the
 * certificate chain and the host name together, so there verify-ca is as strict as
 * verify-full (never weaker than asked).
 *
 * Values, as PostgreSQL prints them: integers in decimal (unsigned columns and expressions
 * such as CRC32() as unsigned); BIT as its integer value, so BIT(1) gives "1" / "0" (db_bool
 * accepts both); FLOAT and DOUBLE in the shortest form that reads back to the same value, in
 * fixed notation for decimal exponents -4..5 (float) / -4..14 (double), else as 1.5e+20;
 * DECIMAL as the server sends it; DATE "YYYY-MM-DD", DATETIME and TIMESTAMP "YYYY-MM-DD
 * HH:MM:SS[.ffffff]" without trailing zeros in the fraction; BLOB columns of the binary
 * character set (PostgreSQL's bytea) as "\x" and lower-case hex; every other string byte for
 * byte, including CAST(... AS BINARY) expressions; NULL as a null value with s = "".
 */

#define MY_DEFAULT_PORT 3306
#define MY_CONNECT_TIMEOUT_S 10u
#define MY_TEXT_BUF_MAX 1024ul      /* initial buffer of a text column; longer values overflow */
#define MY_TEXT_BUF_MIN 64ul

#ifdef LIBMARIADB
typedef my_bool my_flag;
#else
typedef bool my_flag;
#endif

enum col_kind {
    COL_INT,      /* any integer type, signed or unsigned (is_unsigned in the bind) */
    COL_BIT,      /* BIT(n): up to 8 bytes, big-endian */
    COL_FLOAT,
    COL_DOUBLE,
    COL_TIME,     /* DATE, DATETIME, TIMESTAMP, TIME */
    COL_TEXT,     /* strings, DECIMAL, everything else: the bytes as sent */
    COL_BYTEA,    /* BLOB of the binary character set: printed as \x hex */
};

struct my_col {
    enum col_kind kind;
    enum enum_field_types type;
    unsigned long length;
    my_flag is_null;
    my_flag error;
    union {
        long long i;
        unsigned long long u;
        float f;
        double d;
        MYSQL_TIME t;
    } num;
    char *buf;            /* bound buffer of text columns (cap bytes, one kept for the NUL) */
    size_t cap;
    char *big;            /* values longer than buf: fetched here with mysql_stmt_fetch_column */
    size_t bigcap;
    char *hex;            /* bytea values as \x hex */
    size_t hexcap;
    char txt[64];         /* numbers and times, formatted */
};

/* One prepared statement, kept for the session so that repeated queries prepare once. */
struct my_stmt {
    char *name;
    char *src;                  /* the $n text it was prepared from */
    int nparams;
    struct db_mysql_sql rw;
    MYSQL_STMT *stmt;
    unsigned ncols;
    MYSQL_BIND *rbind;          /* ncols result binds */
    struct my_col *cols;        /* ncols */
    struct db_value *vals;      /* ncols */
    struct my_stmt *next;
};

struct db_mysql {
    struct db base;
    MYSQL *conn;
    char *where;                /* "'host:port'" or "socket '/path'", for messages */
    struct my_stmt *stmts;
    const char *streaming;      /* name of the query whose rows are being read, or NULL */
};

/* ------------------------------------------------------------------------------------------ */
/* $n -> ? */

static bool is_ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

/* Copy a quoted run starting at s[*i] (the opening quote q) to out; a doubled quote stays
 * inside. An unterminated run is copied to the end: the server reports it. */
static void copy_quoted(const char *s, size_t *i, char q, char *out, size_t *o)
{
    out[(*o)++] = s[(*i)++];
    while (s[*i]) {
        char c = s[(*i)++];
        out[(*o)++] = c;
        if (c == q) {
            if (s[*i] == q) {
                out[(*o)++] = s[(*i)++];
                continue;
            }
            return;
        }
    }
}

int db_mysql_rewrite(const char *name, const char *sql, int nparams, struct db_mysql_sql *out,
                     struct err *err)
{
    size_t n = strlen(sql);
    char *text = xmalloc(n + 1);   /* the result is never longer: "$12" -> "?" */
    int *map = NULL;
    size_t mapcap = 0;
    int nmap = 0;
    size_t i = 0, o = 0;

    out->text = NULL;
    out->map = NULL;
    out->nmap = 0;
    while (i < n) {
        char c = sql[i];
        if (c == '\'' || c == '"' || c == '`') {
            copy_quoted(sql, &i, c, text, &o);
        } else if (c == '-' && sql[i + 1] == '-') {
            while (i < n && sql[i] != '\n')
                i++;
        } else if (c == '/' && sql[i + 1] == '*') {
            /* PostgreSQL nests block comments; keep the line breaks for error positions */
            int depth = 0;
            do {
                if (sql[i] == '/' && sql[i + 1] == '*') {
                    depth++;
                    i += 2;
                } else if (sql[i] == '*' && sql[i + 1] == '/') {
                    depth--;
                    i += 2;
                } else {
                    if (sql[i] == '\n')
                        text[o++] = '\n';
                    i++;
                }
            } while (depth > 0 && i < n);
            text[o++] = ' ';
        } else if (c == '$' && sql[i + 1] >= '0' && sql[i + 1] <= '9' &&
                   (i == 0 || !is_ident_char(sql[i - 1]))) {
            long v = 0;
            size_t j = i + 1;
            while (sql[j] >= '0' && sql[j] <= '9') {
                if (v < 100000)
                    v = v * 10 + (sql[j] - '0');
                j++;
            }
            if (v < 1 || v > nparams) {
                err_set(err, ERR_INTERNAL, "query '%s' uses $%ld but has %d parameter%s", name,
                        v, nparams, nparams == 1 ? "" : "s");
                goto fail;
            }
            map = xgrow(map, &mapcap, (size_t)nmap + 1, sizeof *map);
            map[nmap++] = (int)v - 1;
            text[o++] = '?';
            i = j;
        } else if (c == '?') {
            err_set(err, ERR_INTERNAL,
                    "query '%s' contains a bare '?', which MySQL would take as a parameter",
                    name);
            goto fail;
        } else {
            text[o++] = sql[i++];
        }
    }
    text[o] = '\0';
    out->text = text;
    out->map = map;
    out->nmap = nmap;
    return 0;
fail:
    free(text);
    free(map);
    return -1;
}

void db_mysql_sql_release(struct db_mysql_sql *s)
{
    free(s->text);
    free(s->map);
    s->text = NULL;
    s->map = NULL;
    s->nmap = 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Value formatting */

void db_mysql_format_real(char *out, size_t outsz, double v, bool single)
{
    if (isnan(v)) {
        snprintf(out, outsz, "NaN");
        return;
    }
    if (isinf(v)) {
        snprintf(out, outsz, v < 0 ? "-Infinity" : "Infinity");
        return;
    }
    char e[48];
    int maxp = single ? 9 : 17;
    int p;
    for (p = 1; p < maxp; p++) {
        snprintf(e, sizeof e, "%.*e", p - 1, v);
        if (single ? strtof(e, NULL) == (float)v : strtod(e, NULL) == v)
            break;
    }
    snprintf(e, sizeof e, "%.*e", p - 1, v);
    /* significant digits actually needed: drop trailing zeros of the mantissa */
    const char *ep = strchr(e, 'e');
    int x = ep ? atoi(ep + 1) : 0;
    int digits = 0, last = 0;
    for (const char *q = e; q < ep; q++) {
        if (*q >= '0' && *q <= '9') {
            digits++;
            if (*q != '0')
                last = digits;
        }
    }
    if (last == 0)
        last = 1;
    if (x >= -4 && x < (single ? 6 : 15)) {
        int dec = last - 1 - x;
        snprintf(out, outsz, "%.*f", dec > 0 ? dec : 0, v);
    } else {
        snprintf(out, outsz, "%.*e", last - 1, v);
    }
}

static void fmt_time(char *out, size_t outsz, const MYSQL_TIME *t, enum enum_field_types type)
{
    size_t n = 0;
    if (type == MYSQL_TYPE_TIME) {
        unsigned long h = (unsigned long)t->day * 24ul + t->hour;
        n = (size_t)snprintf(out, outsz, "%s%02lu:%02u:%02u", t->neg ? "-" : "", h, t->minute,
                             t->second);
    } else {
        n = (size_t)snprintf(out, outsz, "%04u-%02u-%02u", t->year, t->month, t->day);
        if (type != MYSQL_TYPE_DATE && type != MYSQL_TYPE_NEWDATE)
            n += (size_t)snprintf(out + n, outsz - n, " %02u:%02u:%02u", t->hour, t->minute,
                                  t->second);
    }
    if (type != MYSQL_TYPE_DATE && type != MYSQL_TYPE_NEWDATE && t->second_part > 0 &&
        n < outsz) {
        char frac[16];
        snprintf(frac, sizeof frac, ".%06lu", t->second_part % 1000000ul);
        size_t fl = strlen(frac);
        while (fl > 1 && frac[fl - 1] == '0')
            frac[--fl] = '\0';
        snprintf(out + n, outsz - n, "%s", frac);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Errors */

/* Errors that mean the connection ended while a statement ran. Over TLS the client library
 * reports a server that vanished as a TLS error (2026, "unexpected eof while reading"); a
 * server shutting down or a KILL CONNECTION may arrive as the server's own error first. */
static bool conn_lost(unsigned int code)
{
    switch (code) {
    case CR_SERVER_LOST:
    case CR_SERVER_GONE_ERROR:
    case CR_SSL_CONNECTION_ERROR:
    case ER_SERVER_SHUTDOWN:
#ifdef ER_CONNECTION_KILLED
    case ER_CONNECTION_KILLED:
#endif
#ifdef CR_SERVER_LOST_EXTENDED
    case CR_SERVER_LOST_EXTENDED:
#endif
        return true;
    default:
        return false;
    }
}

static int query_error(struct db_mysql *m, const char *name, unsigned int code, const char *msg,
                       struct err *err)
{
    if (conn_lost(code)) {
        err_set(err, ERR_DB, "lost connection to mysql server at %s during query '%s': %s",
                m->where, name, msg);
        return err_hint(err, "The server closed the connection (restart, crash, network or "
                             "timeout) before all rows arrived. Check the server's error log "
                             "and run alfwipe again.");
    }
    return err_set(err, ERR_DB, "query '%s' failed on mysql server at %s: %s (error %u)", name,
                   m->where, msg, code);
}

/* The statement's error, or the connection's: Connector/C records a connection lost while
 * fetching unbuffered rows only on the connection. */
static int stmt_error(struct db_mysql *m, const char *name, MYSQL_STMT *st, struct err *err)
{
    if (mysql_stmt_errno(st) != 0)
        return query_error(m, name, mysql_stmt_errno(st), mysql_stmt_error(st), err);
    if (mysql_errno(m->conn) != 0)
        return query_error(m, name, mysql_errno(m->conn), mysql_error(m->conn), err);
    return query_error(m, name, CR_UNKNOWN_ERROR, "the client library gave no reason", err);
}

/* ------------------------------------------------------------------------------------------ */
/* Connection */

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static int lib_rc;

static void lib_init(void)
{
    lib_rc = mysql_library_init(0, NULL, NULL);
}

/* The CA certificates of database.sslrootcert, unless TLS is off. */
static int set_ssl_ca(MYSQL *c, const char *ca, int level, struct err *err)
{
    if (!ca || !*ca || level == 0)
        return 0;
    if (access(ca, R_OK) != 0) {
        err_sys(err, ERR_CONFIG, errno, "database.sslrootcert '%s' cannot be read", ca);
        return err_hint(err, "Name the PEM file of the CA that signed the server's certificate, "
                             "readable by the user running alfwipe.");
    }
    mysql_options(c, MYSQL_OPT_SSL_CA, ca);
    return 0;
}

/* Set the TLS options for sslmode; *level gets 0 disable, 1 prefer, 2 require, 3 verify-ca,
 * 4 verify-full, or -1 when mode is unset (the library's default). */
static int set_ssl(MYSQL *c, const char *mode, const char *ca, int *level_out, struct err *err)
{
    *level_out = -1;
    if (!mode || !*mode)
        return set_ssl_ca(c, ca, -1, err);
    int level;
    if (!strcasecmp(mode, "disable") || !strcasecmp(mode, "disabled"))
        level = 0;
    else if (!strcasecmp(mode, "allow") || !strcasecmp(mode, "prefer") ||
             !strcasecmp(mode, "preferred"))
        level = 1;
    else if (!strcasecmp(mode, "require") || !strcasecmp(mode, "required"))
        level = 2;
    else if (!strcasecmp(mode, "verify-ca") || !strcasecmp(mode, "verify_ca"))
        level = 3;
    else if (!strcasecmp(mode, "verify-full") || !strcasecmp(mode, "verify_identity"))
        level = 4;
    else {
        err_set(err, ERR_CONFIG, "unknown sslmode '%s' for mysql", mode);
        return err_hint(err, "Use sslmode disable, prefer, require, verify-ca or verify-full.");
    }
    *level_out = level;
#ifdef LIBMARIADB
    my_bool on = 1, off = 0;
    switch (level) {
    case 0:
        mysql_optionsv(c, MYSQL_OPT_SSL_ENFORCE, &off);
        mysql_optionsv(c, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &off);
        break;
    case 1:
        break;
    case 2:
        mysql_optionsv(c, MYSQL_OPT_SSL_ENFORCE, &on);
        mysql_optionsv(c, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &off);
        break;
    default:
        mysql_optionsv(c, MYSQL_OPT_SSL_ENFORCE, &on);
        mysql_optionsv(c, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
        break;
    }
#else
    static const unsigned int modes[] = {SSL_MODE_DISABLED, SSL_MODE_PREFERRED,
                                         SSL_MODE_REQUIRED, SSL_MODE_VERIFY_CA,
                                         SSL_MODE_VERIFY_IDENTITY};
    mysql_options(c, MYSQL_OPT_SSL_MODE, &modes[level]);
#endif
    return set_ssl_ca(c, ca, level, err);
}

static int connect_error(struct db_mysql *m, const struct conf_db *cd, struct err *err)
{
    unsigned int code = mysql_errno(m->conn);
    const char *db = cd->name.val ? cd->name.val : "";
    const char *user = cd->user.val ? cd->user.val : "";
    switch (code) {
    case ER_ACCESS_DENIED_ERROR:
        err_set(err, ERR_DB, "mysql server at %s refused user '%s': %s", m->where, user,
                mysql_error(m->conn));
        return err_hint(err, "Check the user (database.user in alfwipe.conf, or db.username in "
                             "alfresco-global.properties) and its password (database.password_file, "
                             "$ALFWIPE_DB_PASSWORD, or db.password in alfresco-global.properties).");
    case ER_BAD_DB_ERROR:
        err_set(err, ERR_DB, "unknown database '%s' on mysql server at %s", db, m->where);
        return err_hint(err, "Check database.name in alfwipe.conf (or db.name, or the database "
                             "in db.url, in alfresco-global.properties); 'SHOW DATABASES' lists "
                             "the databases the user can see.");
    case ER_DBACCESS_DENIED_ERROR:
        /* The server says this also for a database that does not exist, to users who could
         * not see it anyway. */
        err_set(err, ERR_DB, "user '%s' may not use database '%s' on mysql server at %s (it "
                "does not exist, or the user has no grant on it): %s", user, db, m->where,
                mysql_error(m->conn));
        return err_hint(err, "Check database.name in alfwipe.conf (or db.name, or the database "
                             "in db.url, in alfresco-global.properties), and grant the user "
                             "SELECT on the Alfresco database.");
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_UNKNOWN_HOST:
        err_set(err, ERR_DB, "could not connect to mysql server at %s: %s", m->where,
                mysql_error(m->conn));
        return err_hint(err, "Check that the server is running and that database.host, "
                             "database.port or database.socket in alfwipe.conf (or db.url in "
                             "alfresco-global.properties) point at it.");
    default:
        err_set(err, ERR_DB, "could not connect to mysql server at %s (database '%s', user "
                "'%s'): %s (error %u)", m->where, db, user, mysql_error(m->conn), code);
        if (code == CR_SSL_CONNECTION_ERROR)
            return err_hint(err, "Check sslmode and the server's TLS set-up; for a server "
                                 "certificate from a private CA, set database.sslrootcert to "
                                 "that CA's PEM file.");
        return -1;
    }
}

/* Run a session statement through the text protocol; no result expected. optional: a setting
 * only some servers know, where an unknown variable is no error. */
static int session_exec(struct db_mysql *m, const char *sql, const char *what, bool optional,
                        struct err *err)
{
    if (mysql_real_query(m->conn, sql, strlen(sql)) != 0) {
        unsigned int code = mysql_errno(m->conn);
        if (optional && code == ER_UNKNOWN_SYSTEM_VARIABLE)
            return 0;
        err_set(err, ERR_DB, "could not %s on mysql server at %s: %s (error %u)", what,
                m->where, mysql_error(m->conn), code);
        if (code == ER_PARSE_ERROR)
            err_hint(err, "alfwipe needs MySQL 5.6.5 or MariaDB 10.0 or later (read-only "
                          "transactions).");
        return -1;
    }
    MYSQL_RES *r = mysql_store_result(m->conn);
    if (r)
        mysql_free_result(r);
    return 0;
}

/* Read back what the server made of the session: it must be read-only and REPEATABLE READ.
 * The values are kept in @alfwipe_txn_read_only and @alfwipe_txn_isolation for
 * sql/mysql/q_txn_state.sql, because the variables' names differ between servers (MySQL 8:
 * transaction_*, MariaDB before 11.1 and MySQL 5.x: tx_*). */
static int check_txn(struct db_mysql *m, struct err *err)
{
    static const char *const sets[] = {
        "SET @alfwipe_txn_read_only = @@session.transaction_read_only, "
        "@alfwipe_txn_isolation = @@session.transaction_isolation",
        "SET @alfwipe_txn_read_only = @@session.tx_read_only, "
        "@alfwipe_txn_isolation = @@session.tx_isolation",
    };
    int ok = -1;
    for (size_t i = 0; i < sizeof sets / sizeof sets[0] && ok != 0; i++) {
        ok = mysql_real_query(m->conn, sets[i], strlen(sets[i]));
        if (ok != 0 && mysql_errno(m->conn) != ER_UNKNOWN_SYSTEM_VARIABLE)
            break;
    }
    if (ok != 0)
        return err_set(err, ERR_DB, "could not read the transaction state on mysql server at "
                       "%s: %s (error %u)", m->where, mysql_error(m->conn),
                       mysql_errno(m->conn));
    static const char q[] = "SELECT @alfwipe_txn_read_only, @alfwipe_txn_isolation";
    if (mysql_real_query(m->conn, q, sizeof q - 1) != 0)
        return err_set(err, ERR_DB, "could not read the transaction state on mysql server at "
                       "%s: %s (error %u)", m->where, mysql_error(m->conn),
                       mysql_errno(m->conn));
    MYSQL_RES *r = mysql_store_result(m->conn);
    MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
    bool ro = row && row[0] && strcmp(row[0], "1") == 0;
    bool rr = row && row[1] && strcasecmp(row[1], "REPEATABLE-READ") == 0;
    char iso[64];
    snprintf(iso, sizeof iso, "%s", row && row[1] ? row[1] : "unknown");
    if (r)
        mysql_free_result(r);
    if (!ro || !rr) {
        err_set(err, ERR_DB, "mysql server at %s did not give a read-only REPEATABLE READ "
                "session (read-only %s, isolation '%s')", m->where, ro ? "yes" : "no", iso);
        return err_hint(err, "alfwipe reads only through a read-only snapshot; it needs MySQL "
                             "5.6.5 or MariaDB 10.0 or later with InnoDB tables.");
    }
    return 0;
}

static void stmt_free(struct my_stmt *s)
{
    if (s->stmt)
        mysql_stmt_close(s->stmt);
    for (unsigned i = 0; i < s->ncols; i++) {
        free(s->cols[i].buf);
        free(s->cols[i].big);
        free(s->cols[i].hex);
    }
    free(s->cols);
    free(s->rbind);
    free(s->vals);
    db_mysql_sql_release(&s->rw);
    free(s->name);
    free(s->src);
    free(s);
}

static void my_close(struct db *db)
{
    struct db_mysql *m = (struct db_mysql *)db;
    if (!m)
        return;
    for (struct my_stmt *s = m->stmts, *next; s; s = next) {
        next = s->next;
        stmt_free(s);
    }
    if (m->conn) {
        /* nothing was written; ending the snapshot is a courtesy to the server */
        mysql_real_query(m->conn, "ROLLBACK", 8);
        mysql_close(m->conn);
    }
    free(m->where);
    free(m->base.server_version);
    free(m);
}

static int my_open(struct db **out, const struct conf_db *cd, struct err *err)
{
    *out = NULL;
    pthread_once(&lib_once, lib_init);
    if (lib_rc != 0)
        return err_set(err, ERR_DB, "could not initialise the mysql client library");

    struct db_mysql *m = xcalloc(1, sizeof *m);
    m->base.ops = &db_mysql_ops;
    const char *sock = cd->socket.val && *cd->socket.val ? cd->socket.val : NULL;
    const char *host = cd->host.val && *cd->host.val ? cd->host.val : "localhost";
    unsigned int port = cd->port.val > 0 && cd->port.val <= 65535 ? (unsigned int)cd->port.val
                                                                 : MY_DEFAULT_PORT;
    if (sock)
        m->where = xasprintf("socket '%s'", sock);
    else if (strchr(host, ':'))
        m->where = xasprintf("'[%s]:%u'", host, port);
    else
        m->where = xasprintf("'%s:%u'", host, port);

    m->conn = mysql_init(NULL);
    if (!m->conn) {
        free(m->where);
        free(m);
        return err_set(err, ERR_NOMEM, "could not allocate a mysql connection");
    }
    unsigned int timeout = MY_CONNECT_TIMEOUT_S;
    unsigned int proto = sock ? MYSQL_PROTOCOL_SOCKET : MYSQL_PROTOCOL_TCP;
    my_flag yes = 1;
    unsigned int no_infile = 0;
    mysql_options(m->conn, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_options(m->conn, MYSQL_OPT_PROTOCOL, &proto);
    mysql_options(m->conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    mysql_options(m->conn, MYSQL_REPORT_DATA_TRUNCATION, &yes);
    mysql_options(m->conn, MYSQL_OPT_LOCAL_INFILE, &no_infile);
#ifdef LIBMARIADB
    my_flag no = 0;
    mysql_options(m->conn, MYSQL_OPT_RECONNECT, &no);
#endif
    int ssl_level;
    if (set_ssl(m->conn, cd->sslmode.val, cd->sslrootcert.val, &ssl_level, err) != 0)
        goto fail;

    if (!mysql_real_connect(m->conn, sock ? "localhost" : host, cd->user.val, cd->password,
                            cd->name.val, sock ? 0 : port, sock, 0)) {
        connect_error(m, cd, err);
        goto fail;
    }
    /* MariaDB Connector/C falls back to plain text when the server offers no TLS unless the
     * certificate is verified too: require must not mean "maybe". A Unix socket never
     * carries TLS and never leaves the machine, as with PostgreSQL's sslmode. */
    if (!sock && ssl_level >= 2 && !mysql_get_ssl_cipher(m->conn)) {
        err_set(err, ERR_DB, "mysql server at %s offers no TLS, but sslmode is '%s'", m->where,
                cd->sslmode.val);
        err_hint(err, "Enable TLS on the server (ssl_cert and ssl_key), or lower sslmode (in "
                      "the database group of alfwipe.conf or in db.url) to prefer if a plain "
                      "connection is acceptable.");
        goto fail;
    }
    const char *ver = mysql_get_server_info(m->conn);
    m->base.server_version = xstrdup(ver ? ver : "");

    if (session_exec(m, "SET SESSION sql_mode = 'ANSI_QUOTES,PIPES_AS_CONCAT,"
                        "NO_BACKSLASH_ESCAPES'", "set sql_mode", false, err) != 0 ||
        session_exec(m, "SET time_zone = '+00:00'", "set the session time zone to UTC",
                     false, err) != 0 ||
        session_exec(m, "SET SESSION net_write_timeout = 3600", "set net_write_timeout",
                     false, err) != 0 ||
        session_exec(m, "SET SESSION max_statement_time = 0",
                     "lift the statement time limit", true, err) != 0 ||
        session_exec(m, "SET SESSION max_execution_time = 0",
                     "lift the statement time limit", true, err) != 0 ||
        session_exec(m, "SET SESSION tmp_table_size = GREATEST(@@tmp_table_size, 268435456), "
                        "max_heap_table_size = GREATEST(@@max_heap_table_size, 268435456)",
                     "raise the in-memory temporary table size", true, err) != 0 ||
        session_exec(m, "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
                     "make the session read-only and REPEATABLE READ", false, err) != 0 ||
        session_exec(m, "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY",
                     "start a read-only snapshot", false, err) != 0 ||
        check_txn(m, err) != 0)
        goto fail;
    *out = &m->base;
    return 0;
fail:
    my_close(&m->base);
    return -1;
}

/* ------------------------------------------------------------------------------------------ */
/* Queries */

static void col_setup(struct my_col *c, MYSQL_BIND *b, const MYSQL_FIELD *f)
{
    memset(b, 0, sizeof *b);
    c->type = f->type;
    b->length = &c->length;
    b->is_null = &c->is_null;
    b->error = &c->error;
    switch (f->type) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_LONGLONG:
    case MYSQL_TYPE_YEAR:
        c->kind = COL_INT;
        b->buffer_type = MYSQL_TYPE_LONGLONG;
        b->buffer = &c->num.i;
        b->is_unsigned = (f->flags & UNSIGNED_FLAG) != 0;
        return;
    case MYSQL_TYPE_FLOAT:
        c->kind = COL_FLOAT;
        b->buffer_type = MYSQL_TYPE_FLOAT;
        b->buffer = &c->num.f;
        return;
    case MYSQL_TYPE_DOUBLE:
        c->kind = COL_DOUBLE;
        b->buffer_type = MYSQL_TYPE_DOUBLE;
        b->buffer = &c->num.d;
        return;
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_NEWDATE:
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_TIMESTAMP:
    case MYSQL_TYPE_TIME:
        c->kind = COL_TIME;
        b->buffer_type = f->type == MYSQL_TYPE_NEWDATE ? MYSQL_TYPE_DATE : f->type;
        b->buffer = &c->num.t;
        b->buffer_length = sizeof c->num.t;
        return;
    case MYSQL_TYPE_BIT:
        c->kind = COL_BIT;
        break;
    case MYSQL_TYPE_TINY_BLOB:
    case MYSQL_TYPE_MEDIUM_BLOB:
    case MYSQL_TYPE_LONG_BLOB:
    case MYSQL_TYPE_BLOB:
        c->kind = f->charsetnr == 63 ? COL_BYTEA : COL_TEXT;
        break;
    default:
        c->kind = COL_TEXT;
        break;
    }
    /* bytes: a buffer sized from the column's declared width, capped; see fetch_long */
    size_t cap = (size_t)f->length + 1;
    if (cap > MY_TEXT_BUF_MAX)
        cap = MY_TEXT_BUF_MAX;
    if (cap < MY_TEXT_BUF_MIN)
        cap = MY_TEXT_BUF_MIN;
    c->buf = xmalloc(cap);
    c->cap = cap;
    b->buffer_type = MYSQL_TYPE_BLOB;
    b->buffer = c->buf;
    b->buffer_length = (unsigned long)(cap - 1);
}

/* The prepared statement for (name, sql, nparams), preparing it on first use. */
static struct my_stmt *stmt_get(struct db_mysql *m, const char *name, const char *sql,
                                int nparams, struct err *err)
{
    for (struct my_stmt *s = m->stmts; s; s = s->next)
        if (s->nparams == nparams && !strcmp(s->name, name) && !strcmp(s->src, sql))
            return s;

    struct my_stmt *s = xcalloc(1, sizeof *s);
    s->name = xstrdup(name);
    s->src = xstrdup(sql);
    s->nparams = nparams;
    if (db_mysql_rewrite(name, sql, nparams, &s->rw, err) != 0)
        goto fail;
    s->stmt = mysql_stmt_init(m->conn);
    if (!s->stmt) {
        query_error(m, name, mysql_errno(m->conn), mysql_error(m->conn), err);
        goto fail;
    }
    if (mysql_stmt_prepare(s->stmt, s->rw.text, strlen(s->rw.text)) != 0) {
        stmt_error(m, name, s->stmt, err);
        goto fail;
    }
    if (mysql_stmt_param_count(s->stmt) != (unsigned long)s->rw.nmap) {
        err_set(err, ERR_INTERNAL, "query '%s': the server counts %lu parameters, alfwipe %d",
                name, mysql_stmt_param_count(s->stmt), s->rw.nmap);
        goto fail;
    }
    MYSQL_RES *meta = mysql_stmt_result_metadata(s->stmt);
    if (meta) {
        s->ncols = mysql_num_fields(meta);
        MYSQL_FIELD *f = mysql_fetch_fields(meta);
        s->rbind = xcalloc(s->ncols, sizeof *s->rbind);
        s->cols = xcalloc(s->ncols, sizeof *s->cols);
        s->vals = xcalloc(s->ncols, sizeof *s->vals);
        for (unsigned i = 0; i < s->ncols; i++)
            col_setup(&s->cols[i], &s->rbind[i], &f[i]);
        mysql_free_result(meta);
    }
    s->next = m->stmts;
    m->stmts = s;
    return s;
fail:
    stmt_free(s);
    return NULL;
}

/* A value longer than its bound buffer: fetch the whole of it into the overflow buffer. */
static int fetch_long(struct db_mysql *m, const char *name, struct my_stmt *s, unsigned i,
                      const char **p, struct err *err)
{
    struct my_col *c = &s->cols[i];
    size_t need = (size_t)c->length + 1;
    if (need > c->bigcap) {
        free(c->big);
        c->big = xmalloc(need);
        c->bigcap = need;
    }
    MYSQL_BIND b;
    unsigned long len = 0;
    memset(&b, 0, sizeof b);
    b.buffer_type = MYSQL_TYPE_BLOB;
    b.buffer = c->big;
    b.buffer_length = c->length;
    b.length = &len;
    if (mysql_stmt_fetch_column(s->stmt, &b, i, 0) != 0)
        return stmt_error(m, name, s->stmt, err);
    c->big[c->length] = '\0';
    *p = c->big;
    return 0;
}

/* Turn the bound column i of the current row into its text value. */
static int col_value(struct db_mysql *m, const char *name, struct my_stmt *s, unsigned i,
                     struct err *err)
{
    struct my_col *c = &s->cols[i];
    struct db_value *v = &s->vals[i];
    v->null = c->is_null != 0;
    v->s = "";
    v->len = 0;
    if (v->null)
        return 0;
    switch (c->kind) {
    case COL_INT:
        if (s->rbind[i].is_unsigned)
            snprintf(c->txt, sizeof c->txt, "%llu", c->num.u);
        else
            snprintf(c->txt, sizeof c->txt, "%lld", c->num.i);
        break;
    case COL_FLOAT:
        db_mysql_format_real(c->txt, sizeof c->txt, (double)c->num.f, true);
        break;
    case COL_DOUBLE:
        db_mysql_format_real(c->txt, sizeof c->txt, c->num.d, false);
        break;
    case COL_TIME:
        fmt_time(c->txt, sizeof c->txt, &c->num.t, c->type);
        break;
    case COL_BIT: {
        unsigned long long bits = 0;
        unsigned long nb = c->length < c->cap ? c->length : (unsigned long)(c->cap - 1);
        for (unsigned long k = 0; k < nb; k++)
            bits = (bits << 8) | (unsigned char)c->buf[k];
        snprintf(c->txt, sizeof c->txt, "%llu", bits);
        break;
    }
    case COL_TEXT:
    case COL_BYTEA: {
        const char *p = c->buf;
        if (c->length > s->rbind[i].buffer_length) {
            if (fetch_long(m, name, s, i, &p, err) != 0)
                return -1;
        } else {
            c->buf[c->length] = '\0';
        }
        if (c->kind == COL_TEXT) {
            v->s = p;
            v->len = c->length;
            return 0;
        }
        /* bytea: \x and two hex digits a byte, built in the overflow buffer */
        static const char hex[] = "0123456789abcdef";
        size_t need = 2 + 2 * (size_t)c->length + 1;
        if (need > c->hexcap) {
            free(c->hex);
            c->hex = xmalloc(need);
            c->hexcap = need;
        }
        char *h = c->hex;
        h[0] = '\\';
        h[1] = 'x';
        for (unsigned long k = 0; k < c->length; k++) {
            h[2 + 2 * k] = hex[(unsigned char)p[k] >> 4];
            h[3 + 2 * k] = hex[(unsigned char)p[k] & 15];
        }
        h[need - 1] = '\0';
        v->s = h;
        v->len = need - 1;
        return 0;
    }
    }
    v->s = c->txt;
    v->len = strlen(c->txt);
    return 0;
}

static int my_query(struct db *db, const char *name, const char *sql, const char *const *params,
                    int nparams, db_row_fn *fn, void *arg, struct err *err)
{
    struct db_mysql *m = (struct db_mysql *)db;
    if (m->streaming)
        return err_set(err, ERR_INTERNAL, "query '%s' started while the rows of '%s' are "
                       "still streaming on the same mysql connection", name, m->streaming);
    if (nparams < 0)
        nparams = 0;
    struct my_stmt *s = stmt_get(m, name, sql, nparams, err);
    if (!s)
        return -1;

    int ret = -1;
    MYSQL_BIND *pb = NULL;
    my_flag *pnull = NULL;
    unsigned long *plen = NULL;
    if (s->rw.nmap > 0) {
        size_t n = (size_t)s->rw.nmap;
        pb = xcalloc(n, sizeof *pb);
        pnull = xcalloc(n, sizeof *pnull);
        plen = xcalloc(n, sizeof *plen);
        for (size_t k = 0; k < n; k++) {
            const char *p = params[s->rw.map[k]];
            pb[k].buffer_type = MYSQL_TYPE_STRING;
            pb[k].buffer = (void *)(uintptr_t)p;
            plen[k] = p ? (unsigned long)strlen(p) : 0;
            pb[k].buffer_length = plen[k];
            pb[k].length = &plen[k];
            pnull[k] = p == NULL;
            pb[k].is_null = &pnull[k];
        }
        if (mysql_stmt_bind_param(s->stmt, pb) != 0) {
            stmt_error(m, name, s->stmt, err);
            goto out;
        }
    }
    if (mysql_stmt_execute(s->stmt) != 0) {
        stmt_error(m, name, s->stmt, err);
        goto out;
    }
    if (s->ncols == 0) {
        ret = 0;
        goto out;
    }
    if (mysql_stmt_bind_result(s->stmt, s->rbind) != 0) {
        stmt_error(m, name, s->stmt, err);
        goto drain;
    }
    m->streaming = name;
    for (;;) {
        int rc = mysql_stmt_fetch(s->stmt);
        if (rc == MYSQL_NO_DATA)
            break;
        if (rc == 1) {
            stmt_error(m, name, s->stmt, err);
            goto drain;
        }
        /* 0 or MYSQL_DATA_TRUNCATED: long values are fetched whole by col_value */
        for (unsigned i = 0; i < s->ncols; i++)
            if (col_value(m, name, s, i, err) != 0)
                goto drain;
        if (fn && fn(arg, s->vals, (int)s->ncols, err) != 0)
            goto drain;
    }
    ret = 0;
drain:
    /* reads and drops any rows left, so the connection can run the next query */
    mysql_stmt_free_result(s->stmt);
    m->streaming = NULL;
out:
    free(pb);
    free(pnull);
    free(plen);
    return ret;
}

const struct db_ops db_mysql_ops = {
    .engine = "mysql",
    .dialect = "mysql",
    .open = my_open,
    .query = my_query,
    .close = my_close,
};
