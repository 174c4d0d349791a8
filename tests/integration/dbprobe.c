/* Test driver for the database layer: t_db_pg.py builds it against libalfwipe.a and runs it
 * against a throwaway PostgreSQL to check db_open, db_check_schema and db_query from outside.
 * Output is line-oriented for the test to assert on; errors go to stderr as alfwipe prints them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alfwipe/conf.h"
#include "alfwipe/db.h"
#include "db_int.h"

static void usage(void)
{
    fputs("usage: dbprobe [-d DB] [-s SCHEMA] [-H HOST] [-p PORT] [-u USER] [-w PASSWORD]\n"
          "               COMMAND [ARGS]\n"
          "commands:\n"
          "  open                   engine, server version, dialect\n"
          "  schema                 db_check_schema\n"
          "  query NAME [P...]      db_query, rows tab-separated (NULL as \\N); P '\\N' = NULL\n"
          "  value NAME [P...]      db_query_value\n"
          "  raw SQL [P...]         the backend's query function with SQL not from sql/\n"
          "  count SQL ROWS         stream, check column 1 is 1..ROWS, print the peak RSS\n"
          "  stop SQL N             stop after N rows, then show the snapshot still works\n"
          "  pause SQL N            after N rows print 'paused' and wait for a line on stdin\n"
          "  snapshot SQL           run SQL, print, wait for a line on stdin, run it again\n",
          stderr);
    exit(3);
}

static int fail(const struct err *err)
{
    static const char *const kinds[] = {
        "ERR_NONE", "ERR_USAGE", "ERR_CONFIG", "ERR_IO", "ERR_DB", "ERR_SCHEMA",
        "ERR_NET", "ERR_DATA", "ERR_NOMEM", "ERR_INTERNAL",
    };
    err_print(err);
    fprintf(stderr, "kind: %s\n", kinds[err->kind]);
    return 3;
}

static const char *const *params_of(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "\\N") == 0)
            argv[i] = NULL;
    return (const char *const *)argv;
}

static int print_row(void *arg, const struct db_value *cols, int ncols, struct err *err)
{
    (void)arg;
    (void)err;
    for (int c = 0; c < ncols; c++) {
        if (c)
            putchar('\t');
        if (cols[c].null)
            fputs("\\N", stdout);
        else
            fwrite(cols[c].s, 1, cols[c].len, stdout);
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
    long long rows, stop_at;
    long long expect;   /* next value expected in column 1 */
    int bad;
    int pause;
};

static int count_row(void *arg, const struct db_value *cols, int ncols, struct err *err)
{
    struct counter *c = arg;
    int64_t v;
    if (ncols < 1 || db_int64(&cols[0], &v) < 0 || v != c->expect)
        c->bad++;
    c->expect++;
    c->rows++;
    if (c->stop_at > 0 && c->rows == c->stop_at) {
        if (c->pause) {
            printf("paused\n");
            fflush(stdout);
            char line[16];
            if (!fgets(line, sizeof line, stdin))
                return err_set(err, ERR_IO, "stdin closed while paused");
        } else {
            return err_set(err, ERR_DATA, "stopped by the callback after %lld rows", c->rows);
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct conf_db cd;
    memset(&cd, 0, sizeof cd);
    cd.type = DB_PG;
    cd.type_src = SRC_CMDLINE;
    cd.host.val = getenv("AW_PG_HOST");
    if (getenv("AW_PG_PORT")) {
        cd.port.val = strtoll(getenv("AW_PG_PORT"), NULL, 10);
        cd.port.src = SRC_ENV;
    }
    cd.user.val = getenv("AW_PG_USER");
    cd.name.val = "postgres";

    int opt;
    while ((opt = getopt(argc, argv, "+d:s:H:p:u:w:")) != -1) {
        switch (opt) {
        case 'd': cd.name.val = optarg; break;
        case 's': cd.schema.val = optarg; break;
        case 'H': cd.host.val = optarg; break;
        case 'p':
            cd.port.val = strtoll(optarg, NULL, 10);
            cd.port.src = SRC_CMDLINE;
            break;
        case 'u': cd.user.val = optarg; break;
        case 'w': cd.password = optarg; break;
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
        struct counter c = {0, 0, 1, 0, 0};
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (db->ops->query(db, "count", argv[1], NULL, 0, count_row, &c, &err) < 0)
            rc = fail(&err);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        /* The rate is printed for people; tests never assert on it. */
        printf("rows %lld bad %d expected %s peak_rss_kb %ld rows_per_s %.0f\n", c.rows, c.bad,
               argv[2], peak_rss_kb(), s > 0 ? (double)c.rows / s : 0.0);
    } else if ((strcmp(cmd, "stop") == 0 || strcmp(cmd, "pause") == 0) && argc == 3) {
        struct counter c = {0, strtoll(argv[2], NULL, 10), 1, 0, 0};
        c.pause = strcmp(cmd, "pause") == 0;
        int q = db->ops->query(db, cmd, argv[1], NULL, 0, count_row, &c, &err);
        printf("result %d rows %lld bad %d\n", q, c.rows, c.bad);
        if (q < 0) {
            rc = fail(&err);
            err_init(&err);
        }
        if (!c.pause) {
            /* After a stop the same snapshot must answer the next query. */
            if (db_query(db, "q_txn_state", NULL, 0, print_row, NULL, &err) < 0)
                rc = fail(&err);
        }
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
