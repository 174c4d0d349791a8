/* alfwipe wipe: options, the checks that decide whether the run may start at all (method,
 * roots, filesystem, database, lock, journal, certificate), the run, and the output.
 * alfwipe methods: the pass tables, generated from wipe_methods[]. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "alfwipe/db.h"
#include "alfwipe/exitcode.h"
#include "alfwipe/report.h"
#include "alfwipe/timeutil.h"
#include "alfwipe/urlpath.h"
#include "alfwipe/xalloc.h"
#include "wipe_cmd.h"

static void print_pass_table(FILE *fp, const struct wipe_method *m, const char *indent)
{
    char d[32];
    for (size_t i = 0; i < m->npasses; i++) {
        const struct wipe_pass_def *p = &m->passes[i];
        bool shuffled = (m->flags & WIPE_M_SHUFFLE) && i >= m->shuffle_first &&
                        i <= m->shuffle_last;
        char extra[96];
        snprintf(extra, sizeof extra, "%s%s%s",
                 p->kind == WIPE_PASS_RUN_BYTE ? "  one byte drawn per run" : "",
                 p->always_verify ? "  always read back" : "",
                 shuffled ? "  (shuffled per run)" : "");
        fprintf(fp, "%s%2zu  %-*s%s\n", indent, i + 1, extra[0] ? 10 : 0,
                wipe_pass_def_describe(p, d, sizeof d), extra);
    }
}

static void wipe_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: alfwipe [-c FILE] [--now ISO8601] [-q] [-v] wipe [OPTIONS]\n"
            "\n"
            "Overwrite the files in contentstore.deleted with a verified multi-pass method,\n"
            "remove them, and append a hash-chained certificate record for each.\n"
            "\n"
            "Options:\n"
            "  --method NAME            wipe method (config wipe.method, default nist-clear;\n"
            "                           the methods are listed below)\n"
            "  --verify off|last|all    passes read back (config wipe.verify, default last)\n"
            "  --final-zero             append a final zero pass (config wipe.final_zero)\n"
            "  --dry-run                list every candidate with its decision; write nothing\n"
            "  --min-age DAYS           spare files younger than this (config\n"
            "                           wipe.min_age_days, default 7)\n"
            "  --max-files N, --max-bytes N, --max-seconds N\n"
            "                           stop cleanly between files when a bound is reached\n"
            "  --root DIR               wipe DIR instead of contentstore.deleted (repeatable;\n"
            "                           same rules; never a live content store)\n"
            "  --keep                   overwrite but leave the files in place\n"
            "  --no-db-check            wipe without the database reference check\n"
            "  --allow-unsafe-fs        proceed where an in-place overwrite is not guaranteed;\n"
            "                           every record then says not-guaranteed\n"
            "  --operator NAME          operator on the certificate (config wipe.operator)\n"
            "  --certificate FILE       certificate to append to (config wipe.certificate)\n"
            "  --format text|csv|json   output format (default text)\n"
            "  --output FILE            write the output to FILE (appears only when complete)\n"
            "  -q, --quiet              the global -q, also accepted here: print only when\n"
            "                           the state is not OK\n"
            "  -h, --help               this help\n"
            "\n"
            "Methods and their passes (also 'alfwipe methods'):\n");
    for (size_t i = 0; i < wipe_nmethods; i++) {
        const struct wipe_method *m = &wipe_methods[i];
        char line[256] = "";
        size_t off = 0;
        for (size_t k = 0; k < m->npasses && off < sizeof line; k++) {
            char d[32];
            int n = snprintf(line + off, sizeof line - off, "%s%s%s", k ? " " : "",
                             wipe_pass_def_describe(&m->passes[k], d, sizeof d),
                             m->passes[k].always_verify ? "*" : "");
            if (n < 0)
                break;
            off += (size_t)n;
        }
        fprintf(fp, "  %-17s %s\n", m->name, line);
    }
    fprintf(fp,
            "  (* always read back; c: one byte drawn per run; gutmann shuffles passes 5-31)\n"
            "\n"
            "Exit codes: 0 every candidate erased (or nothing to do), 1 some refused or skipped\n"
            "by the rules, or candidates left by a bound, 2 a write, sync or verification\n"
            "failed, 3 could not run (config, lock, database, unsafe filesystem), 130/143\n"
            "interrupted by SIGINT/SIGTERM. A dry run exits as the real run would.\n");
}

static void methods_usage(FILE *fp)
{
    fprintf(fp, "Usage: alfwipe methods [--format text|json] [NAME]\n"
                "\n"
                "Print the pass table of every wipe method (or of NAME).\n"
                "\n"
                "Exit codes: 0 printed, 3 unknown method or bad option.\n");
}

int cmd_methods(struct ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    enum out_format fmt = OUT_TEXT;
    struct err err = ERR_INIT;
    struct cli_once once;
    cli_once_init(&once, "methods", opts, NULL);
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (cli_once(&once, c, optarg) != 0)
            return AW_UNKNOWN;
        switch (c) {
        case 'f':
            if (out_format_parse_text_json("methods", optarg, &fmt) != 0)
                return AW_UNKNOWN;
            break;
        case 'h':
            methods_usage(stdout);
            return AW_OK;
        default:
            return cli_bad_option("methods", argc, argv);
        }
    }
    const struct wipe_method *only = NULL;
    if (optind + 1 < argc) {
        err_set(&err, ERR_USAGE, "'alfwipe methods' takes at most one method name, got %d",
                argc - optind);
        err_hint(&err, "Run 'alfwipe methods NAME' once per method, or without a name for all.");
        err_print(&err);
        return AW_UNKNOWN;
    }
    if (optind < argc) {
        only = wipe_method_find(argv[optind]);
        if (!only) {
            err_set(&err, ERR_USAGE, "unknown method '%s'", argv[optind]);
            err_hint(&err, "Use one of: %s.", wipe_method_names());
            err_print(&err);
            return AW_UNKNOWN;
        }
    }
    json_t *arr = fmt == OUT_JSON ? json_array() : NULL;
    for (size_t i = 0; i < wipe_nmethods; i++) {
        const struct wipe_method *m = &wipe_methods[i];
        if (only && m != only)
            continue;
        if (arr) {
            json_t *passes = json_array();
            char d[32];
            for (size_t k = 0; k < m->npasses; k++) {
                const struct wipe_pass_def *p = &m->passes[k];
                json_t *o = json_object();
                json_object_set_new(o, "pass", json_integer((json_int_t)k + 1));
                json_object_set_new(o, "pattern",
                                    json_string(wipe_pass_def_describe(p, d, sizeof d)));
                json_object_set_new(o, "always_verify", json_boolean(p->always_verify));
                json_object_set_new(o, "run_byte", json_boolean(p->kind == WIPE_PASS_RUN_BYTE));
                json_object_set_new(o, "shuffled",
                                    json_boolean((m->flags & WIPE_M_SHUFFLE) &&
                                                 k >= m->shuffle_first && k <= m->shuffle_last));
                json_array_append_new(passes, o);
            }
            json_t *mo = json_object();
            json_object_set_new(mo, "name", json_string(m->name));
            json_object_set_new(mo, "summary", json_string(m->summary));
            json_object_set_new(mo, "origin", json_string(m->origin));
            json_object_set_new(mo, "final_zero_allowed",
                                json_boolean(!(m->flags & WIPE_M_NO_FINAL_ZERO)));
            json_object_set_new(mo, "passes", passes);
            json_array_append_new(arr, mo);
            continue;
        }
        printf("%s%s: %u pass%s - %s\n  origin: %s\n", i && !only ? "\n" : "", m->name,
               m->npasses, m->npasses == 1 ? "" : "es", m->summary, m->origin);
        print_pass_table(stdout, m, "  ");
        if (m->flags & WIPE_M_NO_FINAL_ZERO)
            printf("  no final zero pass: the last pass must stay random and read back\n");
    }
    if (arr) {
        json_dumpf(arr, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(arr);
    } else if (!only) {
        printf("\nWith --verify last the last pass is read back, plus every 'always read back'\n"
               "pass; --verify all reads back every pass; --final-zero appends one 00 pass.\n");
    }
    return AW_OK;
}

/* ---- wipe ---- */

static int usage_error(const char *what, const char *arg, const char *hint)
{
    fprintf(stderr, "alfwipe: %s '%s'\nhint: %s\nTry 'alfwipe wipe --help' for more "
                    "information.\n", what, arg, hint);
    return AW_UNKNOWN;
}

static int parse_u64(const char *s, uint64_t *out)
{
    if (!*s || *s == '-' || *s == '+')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

enum { O_METHOD = 256, O_VERIFY, O_FINAL_ZERO, O_DRY_RUN, O_MIN_AGE, O_MAX_FILES, O_MAX_BYTES,
       O_MAX_SECONDS, O_ROOT, O_KEEP, O_NO_DB, O_UNSAFE, O_OPERATOR, O_CERT, O_FORMAT,
       O_OUTPUT };

static int parse_opts(struct wopts *o, int argc, char **argv)
{
    static const struct option opts[] = {
        {"method", required_argument, NULL, O_METHOD},
        {"verify", required_argument, NULL, O_VERIFY},
        {"final-zero", no_argument, NULL, O_FINAL_ZERO},
        {"dry-run", no_argument, NULL, O_DRY_RUN},
        {"min-age", required_argument, NULL, O_MIN_AGE},
        {"max-files", required_argument, NULL, O_MAX_FILES},
        {"max-bytes", required_argument, NULL, O_MAX_BYTES},
        {"max-seconds", required_argument, NULL, O_MAX_SECONDS},
        {"root", required_argument, NULL, O_ROOT},
        {"keep", no_argument, NULL, O_KEEP},
        {"no-db-check", no_argument, NULL, O_NO_DB},
        {"allow-unsafe-fs", no_argument, NULL, O_UNSAFE},
        {"operator", required_argument, NULL, O_OPERATOR},
        {"certificate", required_argument, NULL, O_CERT},
        {"format", required_argument, NULL, O_FORMAT},
        {"output", required_argument, NULL, O_OUTPUT},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static const char *const repeatable[] = {"root", NULL};
    struct err err = ERR_INIT;
    struct cli_once once;
    cli_once_init(&once, "wipe", opts, repeatable);
    int c;
    while ((c = getopt_long(argc, argv, "hq", opts, NULL)) != -1) {
        uint64_t v;
        if (cli_once(&once, c, optarg) != 0)
            return AW_UNKNOWN;
        switch (c) {
        case O_METHOD:
            o->method = optarg;
            break;
        case O_VERIFY:
            o->verify = optarg;
            break;
        case O_FINAL_ZERO:
            o->final_zero = o->final_zero_set = true;
            break;
        case O_DRY_RUN:
            o->dry_run = true;
            break;
        case O_MIN_AGE:
            if (parse_u64(optarg, &v) != 0 || v > 36500)
                return usage_error("invalid --min-age", optarg,
                                   "Give a whole number of days from 0 to 36500.");
            o->min_age_days = (int64_t)v;
            o->min_age_set = true;
            break;
        case O_MAX_FILES:
        case O_MAX_BYTES:
        case O_MAX_SECONDS:
            if (parse_u64(optarg, &v) != 0 || v == 0)
                return usage_error("invalid bound", optarg,
                                   "Give a positive whole number to --max-files, --max-bytes "
                                   "or --max-seconds.");
            if (c == O_MAX_FILES)
                o->max_files = v;
            else if (c == O_MAX_BYTES)
                o->max_bytes = v;
            else
                o->max_seconds = v;
            break;
        case O_ROOT:
            o->roots = xrealloc(o->roots, (o->nroots + 1) * sizeof *o->roots);
            o->roots[o->nroots++] = optarg;
            break;
        case O_KEEP:
            o->keep = true;
            break;
        case O_NO_DB:
            o->no_db_check = true;
            break;
        case O_UNSAFE:
            o->allow_unsafe = true;
            break;
        case O_OPERATOR:
            if (!optarg[0] || strspn(optarg, " \t") == strlen(optarg))
                return usage_error("empty --operator", optarg,
                                   "Name the person or job that runs the wipe; the "
                                   "certificate records it.");
            o->operator_name = optarg;
            break;
        case O_CERT:
            o->certificate = optarg;
            break;
        case O_FORMAT:
            if (out_format_parse(optarg, &o->fmt, &err) != 0) {
                err_print(&err);
                return AW_UNKNOWN;
            }
            break;
        case O_OUTPUT:
            o->output = optarg;
            break;
        case 'q':   /* also after the command: 'alfwipe wipe --dry-run -q' (cron) */
            if (log_verbosity > 0)
                return cli_quiet_and_verbose();
            log_verbosity = -1;
            break;
        case 'h':
            wipe_usage(stdout);
            return -1;
        default:
            return cli_bad_option("wipe", argc, argv);
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument", argv[optind],
                           "Options only; the files come from contentstore.deleted or --root.");
    return 0;
}

/* Where a wipe root lies in contentstore.deleted, which decides the content URL of each of
 * its files (the database check and the certificate go by that URL): the store itself or a
 * directory inside it (also through a bind mount) gives the path from the store to the root
 * as the prefix of every URL, so that --root .../contentstore.deleted/2024 still checks
 * store://2024/...; a root holding contentstore.deleted inside it is refused, since the paths
 * below it are not content URLs; any other root (a copy of the store elsewhere) is taken as
 * a contentstore.deleted of its own. */
static int root_url_prefix(struct wrun *w, struct wroot *r, struct err *err)
{
    r->url_prefix = xstrdup("");
    const char *del = w->conf->alfresco.contentstore_deleted.val;
    char dreal[PATH_MAX], rel[PATH_MAX];
    if (!del || !realpath(del, dreal))
        return 0;
    if (dir_within(r->path, dreal, rel, sizeof rel)) {
        free(r->url_prefix);
        r->url_prefix = rel[0] ? xasprintf("%s/", rel) : xstrdup("");
        return 0;
    }
    if (dir_within(dreal, r->path, rel, sizeof rel)) {
        err_set(err, ERR_USAGE, "wipe root '%s' holds contentstore.deleted '%s': the paths "
                "below it are not content URLs", r->path, dreal);
        return err_hint(err, "Give contentstore.deleted itself, or a directory inside it, as "
                             "--root.");
    }
    return 0;
}

/* Resolve and open one root; refuse one that overlaps a live content store. */
static int open_root(struct wrun *w, struct wroot *r, const char *given, const char *name,
                     struct err *err)
{
    r->fd = -1;
    r->name = xstrdup(name);
    char real[PATH_MAX];
    if (!realpath(given, real)) {
        err_sys(err, ERR_IO, errno, "could not resolve wipe root '%s'", given);
        return err_hint(err, "Check alfresco.contentstore_deleted (or --root): the directory "
                             "must exist.");
    }
    r->path = xstrdup(real);
    const struct conf_alfresco *a = &w->conf->alfresco;
    const char *live[64];
    size_t nlive = 0;
    if (a->contentstore.val)
        live[nlive++] = a->contentstore.val;
    for (size_t i = 0; i < a->n_extra_roots && nlive < 64; i++)
        live[nlive++] = a->extra_roots[i];
    for (size_t i = 0; i < nlive; i++) {
        char lreal[PATH_MAX];
        const char *lp = realpath(live[i], lreal) ? lreal : live[i];
        if (wipe_path_overlaps(real, lp)) {
            err_set(err, ERR_USAGE, "wipe root '%s' overlaps the live content store '%s'", real,
                    lp);
            return err_hint(err, "Wipe only contentstore.deleted or a copy of it; live content "
                                 "stores are never wiped.");
        }
    }
    if (root_url_prefix(w, r, err) != 0)
        return -1;
    r->fd = open(real, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (r->fd < 0) {
        int e = errno;
        err_sys(err, ERR_IO, e, "could not open wipe root '%s'", real);
        if (e == ENOTDIR || e == ELOOP)
            return err_hint(err, "Give the contentstore.deleted directory itself (a directory, "
                                 "not a file or a symbolic link).");
        if (e == EACCES)
            return err_hint(err, "Run alfwipe wipe as a user that can read and write '%s'.",
                            real);
        return err_hint(err, "Check the path and that the volume holding it is mounted.");
    }
    if (wipe_fsinfo_probe(r->fd, real, &r->fi, err) != 0)
        return -1;
    return 0;
}

/* Wipe roots must not overlap each other (every file would be wiped twice, the second time
 * refused as changed), and alfwipe's own files must keep out of the roots and the live stores
 * (wipe_own_files_check). */
static int check_roots_apart(struct wrun *w, const char *cert, struct err *err)
{
    for (size_t i = 0; i < w->nroots; i++)
        for (size_t j = i + 1; j < w->nroots; j++)
            if (wipe_path_overlaps(w->roots[i].path, w->roots[j].path)) {
                err_set(err, ERR_USAGE, "wipe roots '%s' and '%s' overlap (the same directory, "
                        "or one inside the other)", w->roots[i].path, w->roots[j].path);
                return err_hint(err, "Give each directory once with --root, none inside "
                                     "another.");
            }
    const char **paths = xcalloc(w->nroots ? w->nroots : 1, sizeof *paths);
    for (size_t i = 0; i < w->nroots; i++)
        paths[i] = w->roots[i].path;
    int rc = wipe_own_files_check(w->conf, cert,
                                  w->o.certificate ? "--certificate" : "wipe.certificate", paths,
                                  w->nroots, err);
    free(paths);
    return rc;
}

/* The live contentstore must be there: the overlap checks compare the wipe roots with it,
 * and a wipe configured without it (a typo, an unmounted volume) could be pointed at live
 * content as if it were contentstore.deleted. */
static int check_live_store(struct wrun *w, struct err *err)
{
    const struct conf_str *cs = &w->conf->alfresco.contentstore;
    struct stat st;
    if (!cs->val) {
        err_set(err, ERR_CONFIG, "the live contentstore is not configured");
        return err_hint(err, "Set alfresco.contentstore or alfresco.dir_root in alfwipe.conf: "
                             "a wipe compares its roots with the live store, and never runs "
                             "without knowing where it is.");
    }
    int e = stat(cs->val, &st) != 0 ? errno : !S_ISDIR(st.st_mode) ? ENOTDIR : 0;
    if (e)
        return conf_root_unusable(err, e, "contentstore", cs->val,
                                  cs->origin ? cs->origin : conf_source_name(cs->src),
                                  "A wipe never runs without the live contentstore in view.");
    return 0;
}

/* One directory of a live store, and what lies below it (depth-first, directories only
 * stat'ed, files never): a symbolic link, or a mount, that leads into a wipe root makes the
 * files there live content. 0, 1 with err filled, -1 never (errors below are skipped: a walk
 * problem of the live store is the report's to tell). */
static int live_dir_links(struct wrun *w, int dfd, const char *path, dev_t dev, int depth,
                          struct err *err)
{
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return 0;
    }
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        const char *nm = de->d_name;
        if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0)
            continue;
        unsigned char t = de->d_type;
        struct stat st;
        if (t == DT_UNKNOWN || t == DT_DIR) {
            if (fstatat(dirfd(d), nm, &st, AT_SYMLINK_NOFOLLOW) != 0)
                continue;
            t = S_ISDIR(st.st_mode) ? DT_DIR : S_ISLNK(st.st_mode) ? DT_LNK : DT_REG;
        }
        if (t != DT_DIR && t != DT_LNK)
            continue;
        char *sub = xasprintf("%s/%s", path, nm);
        char target[PATH_MAX], rel[PATH_MAX];
        bool leads = (t == DT_LNK || st.st_dev != dev) && realpath(sub, target);
        for (size_t i = 0; leads && rc == 0 && i < w->nroots; i++) {
            if (!dir_within(target, w->roots[i].path, rel, sizeof rel) &&
                !(t == DT_DIR && dir_within(w->roots[i].path, target, rel, sizeof rel)))
                continue;
            err_set(err, ERR_USAGE, "the live content store holds '%s', %s '%s', which %s the "
                    "wipe root '%s': files there are live content", sub,
                    t == DT_LNK ? "a symbolic link to" : "a mount of", target,
                    dir_within(target, w->roots[i].path, rel, sizeof rel) ? "lies in" : "holds",
                    w->roots[i].path);
            err_hint(err, "Nothing was written. Move that content back into the content store "
                          "(or remove the link or mount) before wiping.");
            rc = 1;
        }
        if (rc == 0 && t == DT_DIR && depth < 64) {
            int sfd = openat(dirfd(d), nm, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sfd >= 0)
                rc = live_dir_links(w, sfd, sub, st.st_dev, depth + 1, err);
        }
        free(sub);
    }
    closedir(d);
    return rc;
}

/* The live stores must not lead into a wipe root through a symbolic link or a mount (say a
 * year moved into contentstore.deleted and linked back): reading every directory of them
 * (no file is stat'ed) costs about half a second a million files. */
static int check_live_links(struct wrun *w, struct err *err)
{
    const struct conf_alfresco *a = &w->conf->alfresco;
    for (size_t i = 0; i <= a->n_extra_roots; i++) {
        const char *lp = i == 0 ? a->contentstore.val : a->extra_roots[i - 1];
        char real[PATH_MAX];
        struct stat st;
        if (!lp || !realpath(lp, real) || stat(real, &st) != 0)
            continue;
        int fd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            continue;
        if (live_dir_links(w, fd, real, st.st_dev, 0, err) != 0)
            return -1;
        /* bind mounts keep their parent's device: look them up in the mount table */
        char **mps = NULL;
        size_t nmp = mounts_below(real, &mps);
        int rc = 0;
        for (size_t k = 0; k < nmp; k++) {
            for (size_t r = 0; rc == 0 && r < w->nroots; r++) {
                if (!wipe_path_overlaps(mps[k], w->roots[r].path))
                    continue;
                err_set(err, ERR_USAGE, "the live content store holds '%s', a mount that "
                        "overlaps the wipe root '%s': files there are live content", mps[k],
                        w->roots[r].path);
                err_hint(err, "Nothing was written. Move that content back into the content "
                              "store (or remove the mount) before wiping.");
                rc = -1;
            }
            free(mps[k]);
        }
        free(mps);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* An empty contentstore while the database references store:// content is an unmounted
 * volume (the report refuses it too): the configuration cannot be trusted to tell live
 * content from deleted content. Extra roots may hold the content instead. */
static int check_live_mounted(struct wrun *w, struct db *db, struct err *err)
{
    const char *cs = w->conf->alfresco.contentstore.val;
    long long n = 0;
    if (w->conf->alfresco.n_extra_roots > 0)
        return 0;
    if (report_store_unmounted(db, cs, &n, err) != 0)
        return -1;
    if (n <= 0)
        return 0;
    return report_unmounted_error(err, cs, n, false, "Nothing was written.");
}

/* On btrfs and XFS the answer depends on each file: look at every candidate before any write. */
static int prescan_per_file(struct wrun *w, struct err *err)
{
    size_t bad = 0;
    char first[600] = "";
    for (size_t i = 0; i < w->cands.n; i++) {
        const struct wipe_cand *c = &w->cands.v[i];
        const struct wroot *r = &w->roots[c->root];
        if (c->kind != WIPE_CAND_FILE || r->fi.policy != WIPE_FS_PER_FILE)
            continue;
        const char *rel = wipe_cand_rel(&w->cands, c);
        struct err e2 = ERR_INIT;
        int dfd = wipe_open_parent(r->fd, c->dev, rel, &e2);
        if (dfd < 0)
            continue;
        const char *base = strrchr(rel, '/');
        int fd = openat(dfd, base ? base + 1 : rel,
                        O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        close(dfd);
        if (fd < 0)
            continue;
        struct stat st;
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            close(fd);
            continue;
        }
        struct wipe_file_fs ff;
        wipe_file_fs_probe(fd, true, &ff);
        close(fd);
        char why[300];
        if (!wipe_fs_file_in_place(&r->fi, &ff, why, sizeof why)) {
            if (bad++ == 0)
                snprintf(first, sizeof first, "'%s': %s", rel, why);
        }
    }
    if (bad == 0)
        return 0;
    err_set(err, ERR_IO, "%s cannot overwrite %zu candidate%s in place (first %s)",
            w->roots[0].fi.fstype, bad, bad == 1 ? "" : "s", first);
    return err_hint(err, "Nothing was written. On btrfs only NOCOW files (chattr +C before the "
                         "data was written) without shared extents are overwritten in place; "
                         "use --allow-unsafe-fs to proceed with records marked not-guaranteed.");
}

static int mkparent(const char *path)
{
    char *d = xstrdup(path);
    char *slash = strrchr(d, '/');
    int rc = 0;
    if (slash && slash != d) {
        *slash = '\0';
        if (mkdir(d, 0750) != 0 && errno != EEXIST)
            rc = -1;
    }
    free(d);
    return rc;
}

/* Storing to an atomic from a signal handler is defined only when it is lock-free. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_int must be lock-free");

static void on_signal(int sig)
{
    wipe_stop_signal = sig;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* ---- output ---- */

static const char *state_name(int rc)
{
    switch (rc) {
    case AW_OK:
        return "OK";
    case AW_WARNING:
        return "WARNING";
    case AW_CRITICAL:
        return "CRITICAL";
    case AW_SIGINT:
    case AW_SIGTERM:
        return "INTERRUPTED";
    }
    return "UNKNOWN";
}

static void count(const struct wrun *w, size_t n[WST_N])
{
    memset(n, 0, WST_N * sizeof n[0]);
    for (size_t i = 0; i < w->nrecs; i++)
        n[w->recs[i].st]++;
}

static int exit_code(const struct wrun *w)
{
    /* Files were erased (or may have been) that the certificate does not record: that needs
     * action, it is no mere failure to start. */
    if (w->cert_failed)
        return AW_CRITICAL;
    if (w->fatal)
        return AW_UNKNOWN;
    if (wipe_stop_signal)
        return wipe_stop_signal == SIGINT ? AW_SIGINT : AW_SIGTERM;
    int rc = AW_OK;
    for (size_t i = 0; i < w->nrecs; i++) {
        const struct wrec *r = &w->recs[i];
        if (r->st == WST_FAILED)
            rc = aw_exit_worst(rc, AW_CRITICAL);
        else if (r->st == WST_REFUSED || r->st == WST_ABORTED ||
                 (r->st == WST_ERASED && !r->removed && !w->o.keep) ||
                 ((r->st == WST_ERASED || r->st == WST_WOULD) && !r->guaranteed))
            rc = aw_exit_worst(rc, AW_WARNING);
    }
    /* A bound (--max-files, --max-bytes, --max-seconds) left candidates for a later run:
     * they are not erased, so the run is not OK. */
    if (w->stopped && w->remaining > 0)
        rc = aw_exit_worst(rc, AW_WARNING);
    return rc;
}

/* The value of the bound that stopped the run, 0 when none did. */
static uint64_t stop_bound(const struct wrun *w)
{
    if (!w->stopped)
        return 0;
    if (strcmp(w->stopped, "max-files") == 0)
        return w->o.max_files;
    if (strcmp(w->stopped, "max-bytes") == 0)
        return w->o.max_bytes;
    if (strcmp(w->stopped, "max-seconds") == 0)
        return w->o.max_seconds;
    return 0;
}

static void text_line(FILE *fp, const struct wrun *w, const struct wrec *r)
{
    const char *root = w->nroots > 1 ? w->roots[r->root].path : NULL;
    /* Names are escaped as in the text report: a newline in a file name cannot forge a line. */
    fprintf(fp, "%-11s ", r->st == WST_WOULD                      ? "would erase"
                          : r->st == WST_REFUSED && w->o.dry_run ? "skip"
                                                                 : wst_name(r->st));
    if (root) {
        text_escape(fp, root, strlen(root));
        fputc('/', fp);
    }
    text_escape(fp, r->rel, strlen(r->rel));
    fprintf(fp, "  size %" PRId64, r->size);
    if (r->st != WST_WOULD && !(r->st == WST_REFUSED && w->o.dry_run))
        fprintf(fp, "  passes %u/%u", r->passes_done, r->passes_total);
    if (r->st == WST_ERASED) {
        if (r->verified)
            fprintf(fp, "  verified (%s, %" PRIu64 " bytes)", wipe_check_how_name(r->how),
                    r->bytes_verified);
        else
            fprintf(fp, "  not verified");
        fprintf(fp, "%s", r->removed ? "  removed" : w->o.keep ? "  kept" : "");
        if (!r->guaranteed)
            fprintf(fp, "  not-guaranteed");
    }
    /* reasons and notes can quote names and node refs: escaped like the path */
    if (r->reason) {
        fprintf(fp, "  %s", w->o.dry_run && r->st == WST_REFUSED ? "refused: " : "");
        text_escape(fp, r->reason, strlen(r->reason));
    }
    if (r->earlier) {
        fputs("  [", fp);
        text_escape(fp, r->earlier, strlen(r->earlier));
        fputc(']', fp);
    }
    fputc('\n', fp);
}

static void write_output(FILE *fp, const struct wrun *w, int rc)
{
    size_t n[WST_N];
    count(w, n);
    if (w->o.fmt == OUT_JSON) {
        json_t *o = json_object();
        json_object_set_new(o, "run", json_string(w->run_id));
        json_object_set_new(o, "dry_run", json_boolean(w->o.dry_run));
        json_object_set_new(o, "state", json_string(state_name(rc)));
        json_object_set_new(o, "exit", json_integer(rc));
        json_object_set_new(o, "method", json_string(w->sched.method->name));
        json_object_set_new(o, "verify", json_string(wipe_verify_name(w->sched.verify)));
        json_object_set_new(o, "passes", wipe_passes_json(&w->sched));
        json_t *t = json_object();
        for (int i = 0; i < WST_N; i++)
            if (i != WST_WOULD || w->o.dry_run)
                json_object_set_new(t, wst_name((enum wst)i), json_integer((json_int_t)n[i]));
        json_object_set_new(o, "totals", t);
        json_object_set_new(o, "remaining", json_integer((json_int_t)w->remaining));
        json_object_set_new(o, "stopped", w->stopped ? json_string(w->stopped) : json_null());
        json_t *files = json_array();
        for (size_t i = 0; i < w->nrecs; i++)
            json_array_append_new(files, wrec_json(w, &w->recs[i]));
        json_object_set_new(o, "files", files);
        json_dumpf(o, fp, JSON_INDENT(2));
        fputc('\n', fp);
        json_decref(o);
        return;
    }
    if (w->o.fmt == OUT_CSV) {
        fputs("status,root,path,content_url,size,passes_done,passes_total,bytes_written,"
              "bytes_verified,verified,verify_how,assurance,removed,reason\r\n", fp);
        for (size_t i = 0; i < w->nrecs; i++) {
            const struct wrec *r = &w->recs[i];
            fprintf(fp, "%s,", wst_name(r->st));
            csv_write_str(fp, w->roots[r->root].name);
            fputc(',', fp);
            csv_write_str(fp, r->rel);
            fputc(',', fp);
            csv_write_str(fp, r->url);
            fprintf(fp, ",%" PRId64 ",%u,%u,%" PRIu64 ",%" PRIu64 ",%s,%s,%s,%s,", r->size,
                    r->passes_done, r->passes_total, r->bytes_written, r->bytes_verified,
                    r->verified ? "true" : "false", wipe_check_how_name(r->how),
                    r->guaranteed ? "guaranteed" : "not-guaranteed",
                    r->removed ? "true" : "false");
            csv_write_str(fp, r->reason);
            fputs("\r\n", fp);
        }
        return;
    }
    if (w->o.dry_run)
        fprintf(fp, "alfwipe wipe (dry run): %s: would erase %zu, would refuse %zu",
                state_name(rc), n[WST_WOULD], n[WST_REFUSED]);
    else
        fprintf(fp, "alfwipe wipe: %s: %zu erased, %zu failed, %zu refused, %zu aborted",
                state_name(rc), n[WST_ERASED], n[WST_FAILED], n[WST_REFUSED], n[WST_ABORTED]);
    if (w->remaining)
        fprintf(fp, ", %zu candidate%s remain", w->remaining, w->remaining == 1 ? "" : "s");
    if (w->stopped && stop_bound(w))
        fprintf(fp, " (stopped: --%s %" PRIu64 " reached; a later run wipes the rest)",
                w->stopped, stop_bound(w));
    else if (w->stopped)
        fprintf(fp, " (stopped: %s)", w->stopped);
    fprintf(fp, "\nmethod %s, verify %s%s; ", w->sched.method->name,
            wipe_verify_name(w->sched.verify), w->sched.final_zero ? ", final zero" : "");
    for (size_t i = 0; i < w->nroots; i++)
        fprintf(fp, "%sroot %s (%s, %s%s)", i ? ", " : "", w->roots[i].path,
                w->roots[i].fi.fstype,
                w->roots[i].fi.policy == WIPE_FS_SAFE ? "in-place overwrite" : "per-file check",
                w->roots[i].fi.rotational == 0 ? ", non-rotational: flash may keep old pages"
                                               : "");
    fprintf(fp, "; database check %s\n", w->o.no_db_check ? "off (--no-db-check)" : "on");
    for (size_t i = 0; i < w->nrecs; i++)
        text_line(fp, w, &w->recs[i]);
}

/* ---- the command ---- */

static void odd_urls_free(struct odd_url *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].path);
        free(v[i].url);
    }
    free(v);
}

static void wrun_release(struct wrun *w)
{
    wrec_release_all(w);
    wipe_cands_release(&w->cands);
    if (w->have_journal)
        wipe_journal_release(&w->journal);
    for (size_t i = 0; i < w->nroots; i++) {
        if (w->roots[i].fd >= 0)
            close(w->roots[i].fd);
        wipe_fsinfo_release(&w->roots[i].fi);
        free(w->roots[i].name);
        free(w->roots[i].url_prefix);
        free(w->roots[i].path);
    }
    free(w->roots);
    odd_urls_free(w->odd, w->nodd);
    odd_urls_free(w->odd_abs, w->nodd_abs);
    wipe_bufs_release(&w->bufs);
    for (size_t i = 0; i < w->ntbufs; i++)
        wipe_bufs_release(&w->tbufs[i]);
    for (size_t i = 0; i < w->nfbufs; i++)
        wipe_bufs_release(&w->fbufs[i]);
    OPENSSL_cleanse(&w->key, sizeof w->key);
    free(w->o.roots);
}

static int setup_schedule(struct wrun *w, struct err *err)
{
    struct conf_wipe *cw = &w->conf->wipe;
    const char *mname = w->o.method ? w->o.method : cw->method.val;
    const struct wipe_method *m = wipe_method_find(mname);
    if (!m) {
        err_set(err, ERR_USAGE, "unknown wipe method '%s'%s", mname,
                w->o.method ? "" : " (wipe.method)");
        return err_hint(err, "Use one of: %s ('alfwipe methods' lists their passes).",
                        wipe_method_names());
    }
    enum wipe_verify v;
    if (wipe_verify_parse(w->o.verify ? w->o.verify : cw->verify.val, &v, err) != 0)
        return -1;
    bool fz = w->o.final_zero_set ? w->o.final_zero : cw->final_zero.val;
    const char *hex = getenv("ALFWIPE_TEST_KEY");
    if (hex && *hex) {
        if (wipe_key_parse_hex(hex, &w->key) != 0)
            return err_set(err, ERR_USAGE, "ALFWIPE_TEST_KEY is not 64 hex digits");
    } else if (wipe_key_random(&w->key, err) != 0) {
        return -1;
    }
    wipe_key_id(&w->key, w->key_id);
    if (wipe_schedule_build(&w->sched, m, fz, v, &w->key, err) != 0) {
        if (!w->o.final_zero_set && fz)
            err_prefix(err, "wipe.final_zero in the configuration");
        return -1;
    }
    w->min_age_ms = (w->o.min_age_set ? w->o.min_age_days : cw->min_age_days.val) * MS_PER_DAY;
    uint8_t id[16];
    struct wipe_key idk;
    if (wipe_key_random(&idk, err) != 0)
        return -1;
    memcpy(id, idk.k, sizeof id);
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < 16; i++) {
        w->run_id[2 * i] = hx[id[i] >> 4];
        w->run_id[2 * i + 1] = hx[id[i] & 15];
    }
    w->run_id[32] = '\0';
    return 0;
}

/* The absolute files a URL may open from a live store root (url_reach_paths). */
static void add_odd_abs(struct wrun *w, const char *base, const char *url, bool inconsistent,
                        bool referenced, int64_t id)
{
    char *paths[URL_REACH_MAX];
    size_t n = url_reach_paths(base, url, paths);
    for (size_t k = 0; k < n; k++) {
        w->odd_abs = xgrow(w->odd_abs, &w->odd_abscap, w->nodd_abs + 1, sizeof *w->odd_abs);
        w->odd_abs[w->nodd_abs++] =
            (struct odd_url){paths[k], xstrdup(url), inconsistent, referenced, id};
    }
}

/* One URL row (q_wipe_url_marks): kept when it is no plain path or when the per-batch lookup
 * by its short value and CRC would miss it, referenced or not (a batch asks again by id). */
static int on_url_mark(void *arg, const struct db_value *c, int nc, struct err *err)
{
    struct wrun *w = arg;
    if (nc < 5 || c[0].null)
        return 0;
    int64_t id = 0;
    if (c[3].null || db_int64(&c[3], &id) != 0)
        return err_set(err, ERR_DATA, "alf_content_url.id '%s' is not an integer",
                       c[3].null ? "NULL" : c[3].s);
    if (id > w->marks_max_id)
        w->marks_max_id = id;
    bool referenced = c[4].null || strcmp(c[4].s, "0") != 0;
    const char *url = c[0].s;
    size_t len = strlen(url);
    bool odd = len <= 8 || !url_store_relpath_ok(url + 8, len - 8) ||
               memchr(url + 8, '\\', len - 8) != NULL;
    bool inconsistent = false;
    if (!odd) {
        char shortv[13];
        url_short(url, len, shortv);
        char *end = NULL;
        long long crc = c[2].null ? -1 : strtoll(c[2].s, &end, 10);
        inconsistent = c[2].null || !end || *end || crc != (long long)url_crc(url, len) ||
                       (url_short_certain(url, len) && (c[1].null || strcmp(c[1].s, shortv) != 0));
        if (!inconsistent)
            return 0;
    }
    char *path = url_resolved_path(url);
    if (path) {
        w->odd = xgrow(w->odd, &w->oddcap, w->nodd + 1, sizeof *w->odd);
        w->odd[w->nodd++] = (struct odd_url){path, xstrdup(url), inconsistent, referenced, id};
    }
    /* every live store: contentstore and the extra roots (a store selector's stores) */
    const struct conf_alfresco *a = &w->conf->alfresco;
    if (a->contentstore.val)
        add_odd_abs(w, a->contentstore.val, url, inconsistent, referenced, id);
    for (size_t i = 0; i < a->n_extra_roots; i++)
        add_odd_abs(w, a->extra_roots[i], url, inconsistent, referenced, id);
    return 0;
}

int wipe_cmp_odd(const void *a, const void *b)
{
    return strcmp(((const struct odd_url *)a)->path, ((const struct odd_url *)b)->path);
}

/* URLs such as store://2024/1//x.bin name a file no exact URL names, and a row whose short
 * value or CRC does not match its URL escapes the per-batch lookup: the batches refuse those
 * files when such a row is referenced (odd_url_of). Alfresco never writes either itself
 * (imports, custom code and hand-edited rows may). The table is read once per run; each batch
 * reads the rows added since and asks whether a kept unreferenced one is referenced now. */
int wipe_load_odd_urls(struct wrun *w, struct db *db, struct err *err)
{
    char from[32];
    snprintf(from, sizeof from, "%" PRId64, w->marks_max_id);
    const char *params[1] = {from};
    size_t had = w->nodd, had_abs = w->nodd_abs;
    if (db_query(db, "q_wipe_url_marks", params, 1, on_url_mark, w, err) != 0)
        return err_prefix(err, "cannot check references");
    /* sorted again only when rows came (before a batch, mostly none) */
    if (w->nodd > had && w->nodd > 1)
        qsort(w->odd, w->nodd, sizeof *w->odd, wipe_cmp_odd);
    if (w->nodd_abs > had_abs && w->nodd_abs > 1)
        qsort(w->odd_abs, w->nodd_abs, sizeof *w->odd_abs, wipe_cmp_odd);
    return 0;
}

/* A legacy content property (type 11) of any qname, not only the core models' d:content
 * properties db_check_schema looks at: its URL has no alf_content_url row, so the per-batch
 * lookup cannot see that the content is live. */
static int check_legacy_content(struct db *db, struct err *err)
{
    char *node = NULL;
    if (db_query_value(db, "q_wipe_type11_any", NULL, 0, &node, err) < 0)
        return err_prefix(err, "cannot check references");
    if (!node)
        return 0;
    db_legacy_content_error(err, node);
    free(node);
    return -1;
}

static int check_db(struct wrun *w, struct err *err)
{
    if (w->o.no_db_check) {
        warnx_msg("--no-db-check: no file is checked against the database; a copy whose "
                  "content URL is still referenced would be %s like any other",
                  w->o.dry_run ? "listed for erasure" : "erased");
        return 0;
    }
    if (!w->conf->db.configured) {
        err_set(err, ERR_CONFIG, "cannot check references: no database configured%s",
                conf_unread_note(w->conf));
        return err_hint(err, "Configure the database (alfwipe.conf or db.url), or give "
                             "--no-db-check to wipe without the reference check.");
    }
    struct db *db = NULL;
    struct db_schema_info info;
    if (conf_load_db_password(w->conf, err) != 0 || db_open(&db, &w->conf->db, err) != 0 ||
        db_check_schema(db, &info, err) != 0) {
        db_close(db);
        err_prefix(err, "cannot check references");
        return err_hint(err, "Make the database reachable and run again: without it no file "
                             "can be checked against the content Alfresco still uses. "
                             "--no-db-check wipes without that check, erasing also a copy a "
                             "live document still needs: use it only for a store known to "
                             "hold none.");
    }
    int rc = check_live_mounted(w, db, err);
    if (rc == 0)
        rc = check_legacy_content(db, err);
    if (rc == 0)
        rc = wipe_load_odd_urls(w, db, err);
    db_close(db);
    return rc;
}

static int load_hmac_key(struct wrun *w, uint8_t **key, size_t *keylen, struct err *err)
{
    *key = NULL;
    *keylen = 0;
    const char *path = w->conf->wipe.hmac_key_file.val;
    if (!path)
        return 0;
    return cert_key_load(path, CERT_KEY_MIN, key, keylen, err);
}

/* The dry run's answer to whether the real run could start: the lock file, the state
 * journal and the certificate (with the HMAC key) are checked as the real run would check
 * them, without creating, locking or changing anything. */
static int dry_run_checks(struct wrun *w, const char *cert_path, const uint8_t *key,
                          size_t keylen, struct err *err)
{
    if (wipe_lock_check(w->conf->wipe.lock_file.val, err) != 0)
        return -1;
    int rc = cert_check(cert_path, key, keylen, err);
    if (rc < 0)
        return -1;
    if (rc == 1 && wipe_can_create(cert_path, false, true) != 0) {
        err_sys(err, ERR_IO, errno, "could not create certificate '%s'", cert_path);
        return err_hint(err, "Set wipe.certificate or --certificate to a file in a writable "
                             "directory.");
    }
    return 0;
}

int cmd_wipe(struct ctx *ctx, int argc, char **argv)
{
    struct wrun w;
    memset(&w, 0, sizeof w);
    w.ctx = ctx;
    int prc = parse_opts(&w.o, argc, argv);
    if (prc == 0 && cli_check_now(ctx, "wipe", w.o.dry_run) != 0)
        prc = AW_UNKNOWN;
    if (prc != 0) {
        free(w.o.roots);
        return prc < 0 ? AW_OK : prc;
    }
    struct conf conf = {0};
    if (cli_load_conf(ctx, &conf) != 0) {
        free(w.o.roots);
        return AW_UNKNOWN;
    }
    w.conf = &conf;
    w.t0_ms = time_now_ms();
    struct err err = ERR_INIT;
    int rc = AW_UNKNOWN;
    struct wipe_lock lock = {-1, NULL};
    struct out out = {0};
    bool out_open_ok = false;
    uint8_t *hkey = NULL;
    size_t hkeylen = 0;

    /* Before anything else, and long before the first write. */
    const struct out_guard_file cert_opt = {"the wipe certificate --certificate",
                                            w.o.certificate};
    if (out_guard_check(&conf, "wipe", w.o.output, w.o.roots, w.o.nroots, &cert_opt, 1,
                        &err) != 0)
        goto fail;
    if (setup_schedule(&w, &err) != 0)
        goto fail;
    /* Roots: contentstore.deleted, or the --root directories. */
    size_t nroots = w.o.nroots ? w.o.nroots : 1;
    w.roots = xcalloc(nroots, sizeof *w.roots);
    for (size_t i = 0; i < nroots; i++)
        w.roots[i].fd = -1;
    w.nroots = nroots;
    if (!w.o.nroots && !conf.alfresco.contentstore_deleted.val) {
        err_set(&err, ERR_CONFIG, "contentstore.deleted is not configured");
        err_hint(&err, "Set alfresco.contentstore_deleted or alfresco.dir_root in alfwipe.conf, "
                       "or give --root.");
        goto fail;
    }
    if (!w.o.nroots && conf.alfresco.contentstore_deleted.val[0] != '/') {
        const struct conf_str *cd = &conf.alfresco.contentstore_deleted;
        err_set(&err, ERR_CONFIG, "contentstore.deleted '%s' (from %s) is a relative path, so "
                "what a wipe erases would depend on the directory it is started from", cd->val,
                cd->origin ? cd->origin : conf_source_name(cd->src));
        err_hint(&err, "Set alfresco.contentstore_deleted (or alfresco.dir_root) in "
                       "alfwipe.conf to an absolute path, or give --root.");
        goto fail;
    }
    for (size_t i = 0; i < nroots; i++) {
        const char *given = w.o.nroots ? w.o.roots[i] : conf.alfresco.contentstore_deleted.val;
        if (open_root(&w, &w.roots[i], given, w.o.nroots ? given : "contentstore_deleted",
                      &err) != 0)
            goto fail;
        if (w.roots[i].fi.policy == WIPE_FS_UNSAFE && !w.o.allow_unsafe) {
            err_set(&err, ERR_IO, "refusing to wipe '%s' on %s: %s", w.roots[i].path,
                    w.roots[i].fi.fstype, w.roots[i].fi.reason);
            err_hint(&err, "Nothing was written. Move contentstore.deleted to a filesystem "
                           "that overwrites in place (ext4 data=ordered), or give "
                           "--allow-unsafe-fs to proceed with every record marked "
                           "not-guaranteed.");
            goto fail;
        }
    }
    const char *cp = w.o.certificate ? w.o.certificate : conf.wipe.certificate.val;
    if (check_live_store(&w, &err) != 0 || check_roots_apart(&w, cp, &err) != 0 ||
        check_live_links(&w, &err) != 0)
        goto fail;
    if (check_db(&w, &err) != 0)
        goto fail;
    if (w.o.dry_run) {
        if (load_hmac_key(&w, &hkey, &hkeylen, &err) != 0 ||
            dry_run_checks(&w, cp, hkey, hkeylen, &err) != 0 ||
            wipe_journal_open_ro(&w.journal, conf.wipe.state_dir.val, &err) != 0)
            goto fail;
        w.have_journal = true;
    } else {
        const char *lp = conf.wipe.lock_file.val;
        if (mkparent(lp) != 0 || wipe_lock_acquire(&lock, lp, &err) != 0) {
            if (!err.msg[0])
                err_sys(&err, ERR_IO, errno, "could not create the directory of lock file '%s'",
                        lp);
            goto fail;
        }
        if (wipe_journal_open(&w.journal, conf.wipe.state_dir.val, &err) != 0)
            goto fail;
        w.have_journal = true;
    }
    wipe_cands_init(&w.cands);
    for (uint32_t i = 0; i < w.nroots; i++)
        if (wipe_select_root(&w.cands, i, w.roots[i].fd, &err) != 0)
            goto fail;
    if (!w.o.allow_unsafe && prescan_per_file(&w, &err) != 0)
        goto fail;
    if (out_open(&out, w.o.output, &err) != 0)
        goto fail;
    out_open_ok = true;
    if (!w.o.dry_run) {
        if (load_hmac_key(&w, &hkey, &hkeylen, &err) != 0)
            goto fail;
        if (mkparent(cp) != 0 || cert_open(&w.cert, cp, hkey, hkeylen, &err) != 0) {
            if (!err.msg[0])
                err_sys(&err, ERR_IO, errno, "could not create the directory of certificate "
                                             "'%s'", cp);
            goto fail;
        }
        json_t *h = wipe_header_json(&w, cert_open_run(w.cert));
        int hrc = cert_append(w.cert, h, &err);
        json_decref(h);
        if (hrc != 0 || cert_sync(w.cert, &err) != 0)
            goto fail;
        if (wipe_bufs_init(&w.bufs, &err) != 0)
            goto fail;
    }
    w.progress = isatty(STDERR_FILENO) && log_verbosity >= 0;
    install_signals();

    (void)wipe_run_all(&w);
    rc = exit_code(&w);
    if (w.cert) {
        json_t *f = wipe_footer_json(&w, rc);
        struct err e2 = ERR_INIT;
        int arc = cert_append(w.cert, f, &e2);
        /* closed in every case: a failed footer still leaves the handle to free */
        struct err e3 = ERR_INIT;
        int crc = cert_close(w.cert, arc != 0 ? &e3 : &e2);
        if (arc != 0 || crc != 0) {
            if (!w.fatal) {
                w.fatal = 1;
                w.fatal_err = e2;
            }
            rc = AW_CRITICAL;   /* the run is over: its certificate is incomplete */
        }
        w.cert = NULL;
        json_decref(f);
    }
    if (w.fatal)
        err_print(&w.fatal_err);
    if (w.stop_size > w.o.max_bytes && w.remaining > 0 && w.stopped &&
        strcmp(w.stopped, "max-bytes") == 0)
        warnx_msg("the next candidate holds %" PRIu64 " bytes, more than --max-bytes %" PRIu64
                  ": no run with this bound reaches it or anything after it; raise the bound",
                  w.stop_size, w.o.max_bytes);
    if (log_verbosity >= 0 || rc != AW_OK)
        write_output(out.fp, &w, rc);
    if (out_close(&out, true, &err) != 0) {
        err_print(&err);
        rc = AW_UNKNOWN;
    }
    out_open_ok = false;
    goto done;

fail:
    err_print(&err);
    rc = AW_UNKNOWN;
done:
    if (out_open_ok)
        out_close(&out, false, NULL);
    if (w.cert)
        cert_close(w.cert, NULL);
    if (hkey) {
        OPENSSL_cleanse(hkey, hkeylen);
        free(hkey);
    }
    wipe_lock_release(&lock);
    wrun_release(&w);
    conf_release(&conf);
    return rc;
}
