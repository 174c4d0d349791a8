/* Test driver for the database layer on MySQL/MariaDB: t_db_mysql.py builds it against
 * libalfwipe.a and runs it against a throwaway MariaDB to check db_open, db_check_schema and
 * db_query from outside. Errors go to stderr as alfwipe prints them, followed by a 'kind:'
 * line. (The PostgreSQL backend is exercised through the alfwipe binary by every report,
 * wipe, verify and purge test.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alfwipe/conf.h"
#include "alfwipe/db.h"
#include "db_int.h"

static void usage(void)
{
    fputs("usage: dbprobe_my [-S SOCKET | -H HOST -p PORT] [-u USER] [-w PASSWORD] [-d DB]\n"
          "                  [-m SSLMODE] COMMAND [ARGS]\n"
          "defaults: $AW_MY_SOCKET, $AW_MY_USER; -S '' forces TCP\n"
          "commands:\n"
          "  open                   engine, server version, dialect\n"
          "  schema                 db_check_schema\n"
          "  query NAME [P...]      db_query, rows tab-separated (NULL as \\N); P '\\N' = NULL\n"
          "  value NAME [P...]      db_query_value\n"
          "  raw SQL [P...]         the backend's query function with SQL not from sql/\n"
          "  count SQL ROWS         stream, check column 1 is 1..ROWS, print the peak RSS\n"
          "  stop SQL N             stop after N rows, then show the snapshot still works\n"
          "  pause SQL N            after N rows print 'paused' and wait for a line on stdin\n"
          "  nested SQL1 SQL2       run SQL2 from inside every row callback of SQL1\n"
          "  snapshot SQL           run SQL, print, wait for a line on stdin, run it again\n",
          stderr);
    exit(3);
}

static const char *kind_name(enum err_kind k)
{
    switch (k) {
    case ERR_NONE: return "ERR_NONE";
    case ERR_USAGE: return "ERR_USAGE";
    case ERR_CONFIG: return "ERR_CONFIG";
    case ERR_IO: return "ERR_IO";
    case ERR_DB: return "ERR_DB";
    case ERR_SCHEMA: return "ERR_SCHEMA";
    case ERR_NET: return "ERR_NET";
    case ERR_DATA: return "ERR_DATA";
    case ERR_NOMEM: return "ERR_NOMEM";
    case ERR_INTERNAL: return "ERR_INTERNAL";
    }
    return "?";
}

static int fail(const struct err *err)
{
    fflush(stdout);
    err_print(err);
    fprintf(stderr, "kind: %s\n", kind_name(err->kind));
    return 3;
}

/* Arguments '\N' become NULL parameters. */
static const char *const *params_of(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "\\N") == 0)
            argv[i] = NULL;
    return (const char *const *)argv;
}

/* One value: NULL as \N; tab, newline and backslash escaped so that a row stays one line.
 * A length that disagrees with the NUL terminator is flagged. */
static void put_value(const struct db_value *v)
{
    if (v->null) {
        fputs("\\N", stdout);
        return;
    }
    if (strlen(v->s) != v->len)
        fputs("<len!>", stdout);
    for (size_t i = 0; i < v->len; i++) {
        char c = v->s[i];
        if (c == '\t')
            fputs("\\t", stdout);
        else if (c == '\n')
            fputs("\\n", stdout);
        else if (c == '\\')
            fputs("\\\\", stdout);
        else
            putchar(c);
    }
}

static int print_row(void *arg, const struct db_value *cols, int ncols, struct err *err)
{
    (void)arg;
    (void)err;
    for (int c = 0; c < ncols; c++) {
        if (c)
            putchar('\t');
        put_value(&cols[c]);
    }
    putchar('\n');
    return 0;
}

static long peak_rss_kb(void)
{
    FILE *fp = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (fp && fgets(line, sizeof line, fp))
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
            break;
    if (fp)
        fclose(fp);
    return kb;
}

struct counter {
    long long rows;
    long long stop_at;     /* 0: never */
    long long expect;      /* next value expected in column 1 */
    long long bad;
    size_t bytes;          /* sum of the lengths of all other columns */
    int pause;
    struct db *db;
    const char *inner;
};

static int count_row(void *arg, const struct db_value *cols, int ncols, struct err *err)
{
    struct counter *c = arg;
    int64_t v;
    if (ncols < 1 || db_int64(&cols[0], &v) < 0 || v != c->expect)
        c->bad++;
    for (int i = 1; i < ncols; i++)
        c->bytes += cols[i].len;
    c->expect++;
    c->rows++;
    if (c->stop_at > 0 && c->rows == c->stop_at) {
        if (!c->pause)
            return err_set(err, ERR_DATA, "stopped by the callback after %lld rows", c->rows);
        printf("paused\n");
        fflush(stdout);
        char line[16];
        if (!fgets(line, sizeof line, stdin))
            return err_set(err, ERR_IO, "stdin closed while paused");
    }
    return 0;
}

static int nested_row(void *arg, const struct db_value *cols, int ncols, struct err *err)
{
    struct counter *c = arg;
    fputs("outer", stdout);
    for (int i = 0; i < ncols; i++) {
        putchar('\t');
        put_value(&cols[i]);
    }
    putchar('\n');
    c->rows++;
    return c->db->ops->query(c->db, "nested", c->inner, NULL, 0, print_row, NULL, err);
}

int main(int argc, char **argv)
{
    struct conf_db cd;
    memset(&cd, 0, sizeof cd);
    cd.type = DB_MYSQL;
    cd.type_src = SRC_CMDLINE;
    cd.configured = true;
    cd.socket.val = getenv("AW_MY_SOCKET");
    cd.user.val = getenv("AW_MY_USER");
    cd.host.val = "127.0.0.1";
    if (getenv("AW_MY_PORT"))
        cd.port.val = strtoll(getenv("AW_MY_PORT"), NULL, 10);
    cd.name.val = "mysql";

    int opt;
    while ((opt = getopt(argc, argv, "+S:H:p:u:w:d:m:")) != -1) {
        switch (opt) {
        case 'S': cd.socket.val = optarg; break;
        case 'H': cd.host.val = optarg; break;
        case 'p': cd.port.val = strtoll(optarg, NULL, 10); break;
        case 'u': cd.user.val = optarg; break;
        case 'w': cd.password = optarg; break;
        case 'd': cd.name.val = optarg; break;
        case 'm': cd.sslmode.val = optarg; break;
        default: usage();
        }
    }
    argc -= optind;
    argv += optind;
    if (argc < 1)
        usage();
    const char *cmd = argv[0];

    struct err err = ERR_INIT;
    struct db *db = NULL;
    if (db_open(&db, &cd, &err) < 0)
        return fail(&err);
    int rc = 0;

    if (strcmp(cmd, "open") == 0) {
        printf("%s\t%s\t%s\n", db_engine(db), db_server_version(db), db_dialect(db));
    } else if (strcmp(cmd, "schema") == 0) {
        struct db_schema_info info;
        if (db_check_schema(db, &info, &err) < 0)
            rc = fail(&err);
        else
            printf("ok encryption=%d server_id=%d min=%lld max=%lld\n",
                   info.has_encryption_table, info.has_server_id, (long long)info.schema_min,
                   (long long)info.schema_max);
    } else if (strcmp(cmd, "query") == 0 && argc >= 2) {
        if (db_query(db, argv[1], params_of(argc - 2, argv + 2), argc - 2, print_row, NULL,
                     &err) < 0)
            rc = fail(&err);
    } else if (strcmp(cmd, "value") == 0 && argc >= 2) {
        char *v = NULL;
        if (db_query_value(db, argv[1], params_of(argc - 2, argv + 2), argc - 2, &v, &err) < 0)
            rc = fail(&err);
        else
            printf("%s\n", v ? v : "\\N");
        free(v);
    } else if (strcmp(cmd, "raw") == 0 && argc >= 2) {
        if (db->ops->query(db, "raw", argv[1], params_of(argc - 2, argv + 2), argc - 2,
                           print_row, NULL, &err) < 0)
            rc = fail(&err);
    } else if (strcmp(cmd, "count") == 0 && argc == 3) {
        struct counter c = {0, 0, 1, 0, 0, 0, db, NULL};
        if (db->ops->query(db, "count", argv[1], NULL, 0, count_row, &c, &err) < 0)
            rc = fail(&err);
        printf("rows %lld bad %lld expected %s bytes %zu peak_rss_kb %ld\n", c.rows, c.bad,
               argv[2], c.bytes, peak_rss_kb());
    } else if ((strcmp(cmd, "stop") == 0 || strcmp(cmd, "pause") == 0) && argc == 3) {
        struct counter c = {0, strtoll(argv[2], NULL, 10), 1, 0, 0, 0, db, NULL};
        c.pause = strcmp(cmd, "pause") == 0;
        int q = db->ops->query(db, cmd, argv[1], NULL, 0, count_row, &c, &err);
        printf("result %d rows %lld bad %lld\n", q, c.rows, c.bad);
        if (q < 0) {
            rc = fail(&err);
            err_init(&err);
        }
        if (!c.pause && db_query(db, "q_txn_state", NULL, 0, print_row, NULL, &err) < 0)
            rc = fail(&err);   /* after a stop the same snapshot answers the next query */
    } else if (strcmp(cmd, "nested") == 0 && argc == 3) {
        struct counter c = {0, 0, 1, 0, 0, 0, db, argv[2]};
        if (db->ops->query(db, "outer", argv[1], NULL, 0, nested_row, &c, &err) < 0)
            rc = fail(&err);
    } else if (strcmp(cmd, "snapshot") == 0 && argc == 2) {
        for (int i = 0; i < 2 && rc == 0; i++) {
            if (db->ops->query(db, "snapshot", argv[1], NULL, 0, print_row, NULL, &err) < 0)
                rc = fail(&err);
            if (i == 0) {
                printf("waiting\n");
                fflush(stdout);
                char line[16];
                if (!fgets(line, sizeof line, stdin))
                    rc = 3;
            }
        }
    } else {
        db_close(db);
        usage();
    }
    db_close(db);
    if (fflush(stdout) != 0)
        rc = 3;
    return rc;
}
