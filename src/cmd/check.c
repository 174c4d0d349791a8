/* alfwipe check: print the effective settings and where each came from; with --connect, also
 * open the database snapshot and run the schema check, and look at the content roots. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alfwipe/api.h"
#include "alfwipe/cli.h"
#include "alfwipe/db.h"
#include "alfwipe/exitcode.h"
#include "alfwipe/urlpath.h"
#include "alfwipe/xalloc.h"
#include "alfwipe/wipe_cert.h"
#include "alfwipe/report.h"
#include "alfwipe/wipe.h"

static void check_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: alfwipe [-c FILE] check [OPTIONS]\n"
            "\n"
            "Print every effective setting and where it came from (command line, alfwipe.conf,\n"
            "alfresco-global.properties, default). Passwords are never printed.\n"
            "\n"
            "Options:\n"
            "  --format text|json   output format (default text)\n"
            "  --connect            also connect to the database (read-only), check the\n"
            "                       schema, and check that the content roots are directories\n"
            "  -h, --help           this help\n"
            "\n"
            "Exit codes: 0 settings valid (and, with --connect, database and roots usable),\n"
            "3 invalid configuration, unreachable database or unusable root.\n");
}

/* The secrets the commands will read must be readable and private: a password file that the
 * commands would refuse makes the configuration invalid here too, and so does an api group
 * that purge would refuse. The secrets are read and dropped again (conf_release clears
 * them); nothing is printed of them. */
static int check_secrets(struct conf *conf)
{
    struct err err = ERR_INIT;
    int rc = AW_OK;
    if (conf->db.configured && conf_load_db_password(conf, &err) != 0) {
        err_print(&err);
        rc = AW_UNKNOWN;
    }
    /* An api group is checked the way purge checks it before sending anything (api.url,
     * the password, api.ca_file), with the same messages and hints. */
    err_init(&err);
    if (api_conf_present(conf) && api_check_conf(conf, &err) != 0) {
        err_print(&err);
        rc = AW_UNKNOWN;
    } else if (api_conf_present(conf) && !conf->api.password_file.val) {
        err_init(&err);
        if (conf_load_api_password(conf, &err) != 0)
            warnx_msg("%s: purge will need $ALFWIPE_API_PASSWORD in its environment, or "
                      "api.password_file", err.msg);
    }
    /* The method and the final zero pass as wipe builds its schedule from them (a zero key:
     * only the refusals matter here). */
    err_init(&err);
    const struct wipe_method *m = wipe_method_find(conf->wipe.method.val);
    enum wipe_verify v;
    struct wipe_schedule sched;
    struct wipe_key nokey = {{0}};
    if (m && wipe_verify_parse(conf->wipe.verify.val, &v, &err) == 0 &&
        wipe_schedule_build(&sched, m, conf->wipe.final_zero.val, v, &nokey, &err) != 0 &&
        conf->wipe.final_zero.val)
        err_prefix(&err, "wipe.final_zero in the configuration");
    if (err.kind != ERR_NONE) {
        err_print(&err);
        rc = AW_UNKNOWN;
    }
    /* A CA file that the connection would fail to read. */
    err_init(&err);
    const char *ca = conf->db.sslrootcert.val;
    if (conf->db.configured && ca) {
        const char *from = conf->db.sslrootcert.origin ? conf->db.sslrootcert.origin
                                                       : conf_source_name(conf->db.sslrootcert.src);
        int fd = open(ca, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        int e = errno;
        struct stat st;
        bool reg = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
        if (fd >= 0)
            close(fd);
        if (fd < 0)
            err_sys(&err, ERR_CONFIG, e, "cannot open database.sslrootcert '%s' (%s)", ca, from);
        else if (!reg)
            err_set(&err, ERR_CONFIG, "database.sslrootcert '%s' (%s) is not a regular file", ca,
                    from);
        if (fd < 0 || !reg) {
            err_hint(&err, "Point database.sslrootcert at the PEM file of the CA that signed the "
                           "database server's certificate; the connection would fail without it.");
            err_print(&err);
            rc = AW_UNKNOWN;
        }
    }
    err_init(&err);
    /* Where wipe's own files lie, against contentstore.deleted (wipe's default root) and the
     * live stores: wipe refuses these before it starts. */
    char del[PATH_MAX];
    const char *droot[1] = {del};
    const char *dv = conf->alfresco.contentstore_deleted.val;
    size_t nd = dv && realpath(dv, del) ? 1 : 0;
    if (wipe_own_files_check(conf, conf->wipe.certificate.val, "wipe.certificate", droot, nd,
                             &err) != 0) {
        err_print(&err);
        rc = AW_UNKNOWN;
    }
    err_init(&err);
    if (conf->wipe.hmac_key_file.val) {
        /* The same loader and rules as wipe: raw bytes, owner-only, CERT_KEY_MIN at least. */
        uint8_t *key = NULL;
        size_t keylen = 0;
        if (cert_key_load(conf->wipe.hmac_key_file.val, CERT_KEY_MIN, &key, &keylen,
                          &err) != 0) {
            err_print(&err);
            rc = AW_UNKNOWN;
        }
        if (key) {
            OPENSSL_cleanse(key, keylen);
            free(key);
        }
    }
    return rc;
}

/* The outcome of --connect, printed as text lines or as the "checks" member of the JSON. */
struct checks {
    FILE *fp;        /* text output, or NULL for JSON */
    json_t *json;
};

static void check_line(struct checks *ck, const char *name, const char *path, const char *state,
                       bool ok)
{
    if (ck->fp) {
        if (path)
            fprintf(ck->fp, "  %-22s %s: %s\n", name, path, state);
        else
            fprintf(ck->fp, "  %-22s %s\n", name, state);
        return;
    }
    json_t *o = json_object();
    json_set_bytes(o, "path", path, path ? strlen(path) : 0);
    json_object_set_new(o, "state", json_string(state));
    json_object_set_new(o, "ok", json_boolean(ok));
    json_object_set_new(ck->json, name, o);
}

/* A root that report, verify and wipe would refuse: its line, then on standard error the
 * message and hint those commands give (where the setting came from, and what to do). */
static int check_root(struct checks *ck, const char *name, const char *path, const char *origin,
                      bool optional)
{
    struct stat st;
    struct err err = ERR_INIT;
    if (!path) {
        check_line(ck, name, NULL, "(unset)", optional);
        return optional ? 0 : -1;
    }
    if (path[0] != '/') {
        check_line(ck, name, path, "relative path", false);
        conf_root_relative(&err, name, path, origin);
    } else if (stat(path, &st) != 0) {
        int e = errno;
        if (optional && e == ENOENT) {
            check_line(ck, name, path, "missing (allowed)", true);
            return 0;
        }
        check_line(ck, name, path, e == ENOENT ? "missing" : strerror(e), false);
        conf_root_unusable(&err, e, name, path, origin, NULL);
    } else if (!S_ISDIR(st.st_mode)) {
        check_line(ck, name, path, "not a directory", false);
        conf_root_unusable(&err, ENOTDIR, name, path, origin, NULL);
    } else {
        check_line(ck, name, path, "ok", true);
        return 0;
    }
    if (ck->fp)
        fflush(ck->fp);
    err_print(&err);
    return -1;
}

static const char *root_origin(const struct conf_str *s)
{
    return s->origin ? s->origin : conf_source_name(s->src);
}

/* Roots that are the same directory or lie one inside another (also through a bind mount)
 * are refused by report and wipe: say so here too. */
static int check_roots_apart(const struct conf *conf, struct checks *ck)
{
    const struct conf_alfresco *a = &conf->alfresco;
    size_t n = 0;
    const char *name[66], *path[66];
    char (*real)[PATH_MAX] = xcalloc(66, sizeof *real);
    name[n] = "contentstore";
    path[n++] = a->contentstore.val;
    name[n] = "contentstore_deleted";
    path[n++] = a->contentstore_deleted.val;
    for (size_t i = 0; i < a->n_extra_roots && n < 66; i++) {
        name[n] = "extra_roots";
        path[n++] = a->extra_roots[i];
    }
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (!path[i] || !realpath(path[i], real[i])) {
            real[i][0] = '\0';
            continue;
        }
        for (size_t j = 0; j < i; j++) {
            if (!real[j][0] || !dirs_overlap(real[i], real[j]))
                continue;
            char state[2 * PATH_MAX + 200];
            snprintf(state, sizeof state, "%s '%s' and %s '%s' overlap (the same directory, or "
                     "one inside the other): report and wipe refuse them", name[j], real[j],
                     name[i], real[i]);
            check_line(ck, "roots", NULL, state, false);
            rc = -1;
        }
    }
    free(real);
    return rc;
}

/* An empty contentstore while the database references store:// content is an unmounted
 * volume: the report refuses it (unless extra roots may hold the content). */
static int check_mounted(const struct conf *conf, struct db *db, struct checks *ck)
{
    const char *cs = conf->alfresco.contentstore.val;
    struct stat st;
    if (!cs || conf->alfresco.n_extra_roots > 0 || stat(cs, &st) != 0 || !S_ISDIR(st.st_mode))
        return 0;
    struct err err = ERR_INIT;
    long long nurls = 0;
    if (report_store_unmounted(db, cs, &nurls, &err) != 0) {
        err_print(&err);
        return -1;
    }
    if (nurls <= 0)
        return 0;
    char state[256];
    snprintf(state, sizeof state, "empty while the database references %lld store:// URLs: is "
             "the volume mounted?", nurls);
    check_line(ck, "contentstore", cs, state, false);
    return -1;
}

static int connect_check(struct conf *conf, struct checks *ck)
{
    struct err err = ERR_INIT;
    int rc = AW_OK;
    if (ck->fp)
        fprintf(ck->fp, "\nchecks:\n");
    const struct conf_alfresco *a = &conf->alfresco;
    if (check_root(ck, "contentstore", a->contentstore.val, root_origin(&a->contentstore),
                   false) != 0)
        rc = AW_UNKNOWN;
    if (check_root(ck, "contentstore_deleted", a->contentstore_deleted.val,
                   root_origin(&a->contentstore_deleted),
                   conf->policy.eager_orphan_cleanup.val) != 0)
        rc = AW_UNKNOWN;
    for (size_t i = 0; i < a->n_extra_roots; i++) {
        char name[48];
        snprintf(name, sizeof name, "extra_roots[%zu]", i);
        if (check_root(ck, name, a->extra_roots[i], NULL, false) != 0)
            rc = AW_UNKNOWN;
    }
    if (check_roots_apart(conf, ck) != 0)
        rc = AW_UNKNOWN;
    if (!conf->db.configured) {
        check_line(ck, "database", NULL,
                   "not configured: add a database group to alfwipe.conf, or db.url to the "
                   "alfresco-global.properties it names (report, verify and wipe read it)",
                   false);
        return AW_UNKNOWN;
    }
    struct db *db = NULL;
    struct db_schema_info info;
    if (conf_load_db_password(conf, &err) != 0 || db_open(&db, &conf->db, &err) != 0 ||
        db_check_schema(db, &info, &err) != 0) {
        check_line(ck, "database", NULL, "FAILED", false);
        if (ck->fp)
            fflush(ck->fp);
        err_print(&err);
        db_close(db);
        return AW_UNKNOWN;
    }
    char state[512];
    snprintf(state, sizeof state,
             "ok: %s %s, schema %" PRId64 "..%" PRId64 ", read-only snapshot", db_engine(db),
             db_server_version(db), info.schema_min, info.schema_max);
    check_line(ck, "database", NULL, state, true);
    if (check_mounted(conf, db, ck) != 0)
        rc = AW_UNKNOWN;
    db_close(db);
    return rc;
}

int cmd_check(struct ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"connect", no_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    enum out_format fmt = OUT_TEXT;
    bool do_connect = false;
    struct cli_once once;
    cli_once_init(&once, "check", opts, NULL);
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (cli_once(&once, c, optarg) != 0)
            return AW_UNKNOWN;
        switch (c) {
        case 'f':
            if (out_format_parse_text_json("check", optarg, &fmt) != 0)
                return AW_UNKNOWN;
            break;
        case 'C':
            do_connect = true;
            break;
        case 'h':
            check_usage(stdout);
            return AW_OK;
        default:
            return cli_bad_option("check", argc, argv);
        }
    }
    if (optind < argc) {
        fprintf(stderr, "alfwipe: unexpected argument '%s'\n"
                        "Try 'alfwipe check --help' for more information.\n", argv[optind]);
        return AW_UNKNOWN;
    }
    struct conf conf = {0};
    if (cli_load_conf(ctx, &conf) != 0)
        return AW_UNKNOWN;
    int rc = check_secrets(&conf);
    if (fmt == OUT_JSON) {
        /* One JSON document: the settings, plus "checks" with --connect. */
        json_t *root = conf_show_json(&conf);
        if (do_connect) {
            struct checks ck = {NULL, json_object()};
            /* a settings error found above stays the exit code */
            int crc = connect_check(&conf, &ck);
            if (crc != AW_OK)
                rc = crc;
            json_object_set_new(root, "checks", ck.json);
        }
        if (json_dumpf(root, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII) != 0 ||
            fputc('\n', stdout) == EOF)
            rc = AW_UNKNOWN;
        json_decref(root);
    } else {
        if (conf_show(&conf, stdout, false) != 0)
            rc = AW_UNKNOWN;
        struct checks ck = {stdout, NULL};
        if (do_connect && rc == AW_OK)
            rc = connect_check(&conf, &ck);
    }
    if (fflush(stdout) != 0 || ferror(stdout))
        rc = AW_UNKNOWN;
    conf_release(&conf);
    return rc;
}
