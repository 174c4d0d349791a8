/* alfwipe purge: empty Alfresco's trashcan by age through its public REST API, oldest first.
 * Lists the whole trashcan before the first DELETE; Alfresco does every database write. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alfwipe/api.h"
#include "alfwipe/cli.h"
#include "alfwipe/conf.h"
#include "alfwipe/db.h"
#include "alfwipe/exitcode.h"
#include "alfwipe/props.h"
#include "alfwipe/timeutil.h"
#include "alfwipe/visible.h"
#include "alfwipe/xalloc.h"
#include "purge_int.h"

enum row_state {
    ROW_SELECTED = 0,   /* chosen, not yet sent */
    ROW_PURGED,
    ROW_WOULD_PURGE,    /* --dry-run */
    ROW_GONE,           /* 404: no longer in the trashcan, not restored (purged elsewhere) */
    ROW_RESTORED,       /* 404, and the database shows the node in workspace://SpacesStore */
    ROW_FAILED,
    ROW_NOT_ATTEMPTED,  /* the run stopped before this item */
    ROW_SKIPPED,        /* no archivedAt */
};

static const char *const row_state_name[] = {
    "selected", "purged", "would_purge", "already_gone", "restored",
    "failed", "not_attempted", "skipped",
};

struct row {
    const struct api_item *it;
    enum row_state state;
    char *reason;                     /* owned; NULL when none */
    long http_status;
    int attempts;
    struct api_error_body eb;
    struct purge_item_release rel;    /* valid when the database was used */
};

struct opts {
    bool dry_run, include_undated;
    const char *older_than;           /* as given, NULL: policy */
    int64_t older_ms;
    int64_t max_items;                /* 0: no bound */
    bool max_items_set;               /* --max-items given (0 included): api.max_per_run unused */
    enum out_format fmt;
    const char *output;
    enum api_auth auth;
    int retries;                      /* -1: default */
};

struct summary {
    size_t listed, eligible, kept, remaining;
    size_t n[ROW_SKIPPED + 1];
    int64_t bytes[ROW_SKIPPED + 1];   /* known sizes */
    size_t unknown[ROW_SKIPPED + 1];  /* items without a size (folders) */
};

/* Database side: what the purge releases to the orphan cleaner. */
struct release_info {
    bool used;                 /* a database is configured */
    bool ok;                   /* and the analysis ran */
    char error[ERR_MSG_MAX];
    struct purge_release_total tot;
    struct purge_release_when when;
    size_t gone;               /* items already gone whose URLs count as released */
    bool gone_unchecked;       /* restored could not be told from purged for them */
};

/* The item left the trashcan for good: purged by this run (or would be), or gone (404) and
 * not restored. */
static bool row_went(enum row_state st)
{
    return st == ROW_PURGED || st == ROW_WOULD_PURGE || st == ROW_GONE;
}

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
    got_signal = sig;
}

static void usage(FILE *fp)
{
    fprintf(fp,
            "Usage: alfwipe [GLOBAL OPTIONS] purge [OPTIONS]\n"
            "\n"
            "Empty the trashcan by age through Alfresco's REST API (api group of alfwipe.conf),\n"
            "oldest first. The whole trashcan is listed before the first delete.\n"
            "\n"
            "Options:\n"
            "      --older-than AGE    purge items archived longer ago than AGE: days (28) or an\n"
            "                          ISO-8601 duration (P28D, PT12H); default: the policy's\n"
            "                          trashcan keep period (trashcan_keep_days or keepPeriod)\n"
            "      --include-undated   also purge items without archivedAt, before the\n"
            "                          dated ones (as Alfresco's trashcan cleaner does)\n"
            "      --dry-run           list what would be purged; delete nothing\n"
            "      --max-items N       purge at most N items in this run (default\n"
            "                          api.max_per_run; 0: no bound)\n"
            "      --auth MODE         basic (default) or ticket\n"
            "      --retries N         retries per request on 429/502/503/504, timeouts and\n"
            "                          connection resets (default %d)\n"
            "      --format FMT        text (default), csv or json\n"
            "      --output FILE       write the result to FILE instead of standard output\n"
            "  -h, --help              this help\n"
            "\n"
            "Exit codes: 0 done (also when --max-items left items for later, or items were\n"
            "already gone or restored meanwhile), 1 some items skipped (no archivedAt) or the\n"
            "release figures could not be read, 2 some deletes failed or were not attempted\n"
            "after a stop, 3 could not run (nothing deleted), 130/143 interrupted by\n"
            "SIGINT/SIGTERM.\n",
            API_DEFAULT_ATTEMPTS - 1);
}

/* "<what> '<arg>'" plus a hint; returns the exit code for usage errors. */
static int usage_error(const char *what, const char *arg, const char *hint)
{
    struct err err = ERR_INIT;
    err_set(&err, ERR_USAGE, "%s '%s'", what, arg);
    if (hint)
        err_hint(&err, "%s", hint);
    err_print(&err);
    return AW_UNKNOWN;
}

static int parse_count(const char *s, int64_t *out)
{
    char *end;
    if (!*s || *s == '-')
        return -1;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end || v < 0 || errno == ERANGE)
        return -1;
    *out = v;
    return 0;
}

/* 0 ok, else an exit code (usage printed). */
static int parse_opts(int argc, char **argv, struct opts *o, bool *help)
{
    enum { O_OLDER = 256, O_UNDATED, O_DRY, O_MAX, O_FORMAT, O_OUTPUT, O_AUTH, O_RETRIES };
    static const struct option lo[] = {
        {"older-than", required_argument, NULL, O_OLDER},
        {"include-undated", no_argument, NULL, O_UNDATED},
        {"dry-run", no_argument, NULL, O_DRY},
        {"max-items", required_argument, NULL, O_MAX},
        {"format", required_argument, NULL, O_FORMAT},
        {"output", required_argument, NULL, O_OUTPUT},
        {"auth", required_argument, NULL, O_AUTH},
        {"retries", required_argument, NULL, O_RETRIES},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct err err = ERR_INIT;
    int c;
    int64_t v;
    struct cli_once once;
    cli_once_init(&once, "purge", lo, NULL);
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        if (cli_once(&once, c, optarg) != 0)
            return AW_UNKNOWN;
        switch (c) {
        case O_OLDER:
            o->older_than = optarg;
            if (duration_parse_days_or_iso(optarg, &o->older_ms) != 0)
                return usage_error("invalid --older-than", optarg,
                                   "Give days (28) or an ISO-8601 duration of weeks, days, "
                                   "hours, minutes or seconds (P4W, P28D, PT12H); months and "
                                   "years have no fixed length.");
            if (o->older_ms < 0)
                return usage_error("invalid --older-than", optarg,
                                   "Give a duration of zero or more; negative ages are "
                                   "refused.");
            break;
        case O_UNDATED:
            o->include_undated = true;
            break;
        case O_DRY:
            o->dry_run = true;
            break;
        case O_MAX:
            if (parse_count(optarg, &v) != 0)
                return usage_error("invalid --max-items", optarg,
                                   "Give a number of items, or 0 for no bound.");
            o->max_items = v;
            o->max_items_set = true;
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
        case O_AUTH:
            if (strcmp(optarg, "basic") == 0)
                o->auth = API_AUTH_BASIC;
            else if (strcmp(optarg, "ticket") == 0)
                o->auth = API_AUTH_TICKET;
            else
                return usage_error("invalid --auth", optarg, "Use basic or ticket.");
            break;
        case O_RETRIES:
            if (parse_count(optarg, &v) != 0 || v > 20)
                return usage_error("invalid --retries", optarg,
                                   "Give a number from 0 to 20.");
            o->retries = (int)v;
            break;
        case 'h':
            *help = true;
            return 0;
        default:
            return cli_bad_option("purge", argc, argv);
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument", argv[optind],
                           "Run 'alfwipe purge --help' for the options.");
    return 0;
}

/* Oldest first; undated items (only selected with --include-undated) before everything, as
 * Alfresco's own trashcan cleaner treats them as the epoch; ties by id. */
static int cmp_age(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    int64_t tx = x->it->has_archived_at ? x->it->archived_at_ms : INT64_MIN;
    int64_t ty = y->it->has_archived_at ? y->it->archived_at_ms : INT64_MIN;
    if (tx != ty)
        return tx < ty ? -1 : 1;
    return strcmp(x->it->id, y->it->id);
}

/* A period as a person reads it: whole days, else days with up to three decimals (1.5 days),
 * below a day in hours, minutes or seconds. */
static char *fmt_age(int64_t ms)
{
    if (ms % MS_PER_DAY == 0)
        return xasprintf("%lld day%s", (long long)(ms / MS_PER_DAY),
                         ms == MS_PER_DAY ? "" : "s");
    if (ms > MS_PER_DAY) {
        char buf[64];
        snprintf(buf, sizeof buf, "%.3f", (double)ms / (double)MS_PER_DAY);
        char *e = buf + strlen(buf);
        while (e[-1] == '0')
            *--e = '\0';
        return xasprintf("%s days", buf);
    }
    if (ms % 3600000 == 0)
        return xasprintf("%lld h", (long long)(ms / 3600000));
    if (ms % 60000 == 0)
        return xasprintf("%lld min", (long long)(ms / 60000));
    if (ms % 1000 == 0)
        return xasprintf("%lld s", (long long)(ms / 1000));
    return xasprintf("%lld ms", (long long)ms);
}

static const char *state_word(int code)
{
    switch (code) {
    case AW_OK:
        return "OK";
    case AW_WARNING:
        return "WARNING";
    case AW_CRITICAL:
        return "CRITICAL";
    default:
        return "UNKNOWN";
    }
}

/* ---- output ---------------------------------------------------------------------------- */

struct result {
    const struct opts *o;
    const struct ctx *ctx;
    const char *url, *user;
    int64_t cutoff_ms;
    struct row *rows;
    size_t nrows;
    struct summary sum;
    struct release_info rel;
    const char *stopped;     /* why the run stopped early, or NULL */
    int code;
};

/* Text from the server (names are chosen by Alfresco users, and cm:name allows control
 * characters) goes through vis_dup before it is printed as text. */

static void size_text(const struct api_item *it, char *buf, size_t cap)
{
    if (it->has_size)
        snprintf(buf, cap, "%lld", (long long)it->size_bytes);
    else
        snprintf(buf, cap, "unknown");
}

static const char *row_detail(const struct row *r)
{
    return r->reason ? r->reason : "";
}

static void print_release_text(FILE *fp, const struct result *res)
{
    const struct release_info *ri = &res->rel;
    char t1[TIME_ISO_MAX], t2[TIME_ISO_MAX];
    if (!ri->used)
        return;
    if (!ri->ok) {
        fprintf(fp, "release: unknown (database: %s)\n", ri->error);
        return;
    }
    const char *verb = res->o->dry_run ? "would release" : "releases";
    fprintf(fp, "release: the purge %s %lld bytes in %zu content URL%s to the orphan cleaner",
            verb, (long long)ri->tot.bytes, ri->tot.urls, ri->tot.urls == 1 ? "" : "s");
    if (ri->tot.kept_urls)
        fprintf(fp, "; %zu URL%s stay%s referenced from outside the purged items",
                ri->tot.kept_urls, ri->tot.kept_urls == 1 ? "" : "s",
                ri->tot.kept_urls == 1 ? "s" : "");
    fputc('\n', fp);
    if (ri->gone)
        fprintf(fp, "release: %zu of the items %s already gone (purged elsewhere before their "
                    "DELETE, %s): their URLs count as released, %s\n",
                ri->gone, ri->gone == 1 ? "was" : "were",
                ri->gone_unchecked ? "restored or purged could not be told" : "not restored",
                ri->when.eager ? "unlinked when they went"
                               : "marked when they went, so the cleaner may take those earlier");
    if (ri->when.eager) {
        fprintf(fp, "release: system.content.eagerOrphanCleanup is on: the files are unlinked "
                    "right after each purge, without a copy in contentstore.deleted and "
                    "without overwrite\n");
    } else {
        fprintf(fp, "release: marked at purge time (%s); the cleaner takes them at its first "
                    "run after %s (orphanProtectDays %lld, cron '%s'%s), then copies them into "
                    "contentstore.deleted where 'alfwipe wipe' can erase them\n",
                time_format_iso8601(ri->when.orphan_time_ms, t1),
                time_format_iso8601(ri->when.cleaner_after_ms, t2),
                (long long)ri->when.protect_days, ri->when.cron,
                strcmp(ri->when.cron, "0 0 4 * * ?") == 0 ? ": 04:00 server time" : "");
    }
}

static void print_text(FILE *fp, const struct result *res)
{
    const struct opts *o = res->o;
    const struct summary *s = &res->sum;
    char t[TIME_ISO_MAX];
    char *age = fmt_age(o->older_ms);
    enum row_state done = o->dry_run ? ROW_WOULD_PURGE : ROW_PURGED;
    fprintf(fp, "purge%s %s: %s %zu of %zu listed item%s, %lld bytes", o->dry_run ? " (dry run)"
            : "", state_word(res->code), o->dry_run ? "would purge" : "purged", s->n[done],
            s->listed, s->listed == 1 ? "" : "s", (long long)s->bytes[done]);
    if (s->unknown[done])
        fprintf(fp, " + %zu item%s of unknown size", s->unknown[done],
                s->unknown[done] == 1 ? "" : "s");
    fprintf(fp, "; already gone %zu", s->n[ROW_GONE]);
    if (s->n[ROW_RESTORED])
        fprintf(fp, ", restored meanwhile %zu", s->n[ROW_RESTORED]);
    fprintf(fp, ", failed %zu, not attempted %zu, skipped %zu\n", s->n[ROW_FAILED],
            s->n[ROW_NOT_ATTEMPTED], s->n[ROW_SKIPPED]);
    fprintf(fp, "kept %zu (archived after %s, younger than %s)\n", s->kept,
            time_format_iso8601(res->cutoff_ms, t), age);
    if (s->remaining)
        fprintf(fp, "%zu eligible item%s remain%s for a later run (bound of %lld per run)\n",
                s->remaining, s->remaining == 1 ? "" : "s", s->remaining == 1 ? "s" : "",
                (long long)o->max_items);
    if (res->stopped) {
        char *why = vis_dup(res->stopped);
        fprintf(fp, "stopped: %s\n", why);
        free(why);
    }
    print_release_text(fp, res);
    free(age);
    if (res->nrows == 0)
        return;
    fprintf(fp, "\n%-13s %-36s %-12s %-24s %-12s %-10s %s\n", "STATUS", "ID", "TYPE",
            "ARCHIVED", "BY", "SIZE", "NAME");
    for (size_t i = 0; i < res->nrows; i++) {
        const struct row *r = &res->rows[i];
        char sz[32];
        size_text(r->it, sz, sizeof sz);
        char *type = vis_dup(r->it->node_type), *by = vis_dup(r->it->archived_by);
        char *name = vis_dup(r->it->name), *reason = vis_dup(r->reason);
        fprintf(fp, "%-13s %-36s %-12s %-24s %-12s %-10s %s", row_state_name[r->state],
                r->it->id, type,
                r->it->has_archived_at ? time_format_iso8601(r->it->archived_at_ms, t) : "-",
                by ? by : "-", sz, name);
        if (reason)
            fprintf(fp, "  (%s)", reason);
        free(type);
        free(by);
        free(name);
        free(reason);
        if (res->rel.ok && row_went(r->state)) {
            if (!r->rel.found)
                fprintf(fp, "  [release: not in the database]");
            else if (r->rel.shared_with)
                fprintf(fp, "  [releases %lld bytes; shared with %s]", (long long)r->rel.bytes,
                        r->rel.shared_with);
            else
                fprintf(fp, "  [releases %lld bytes]", (long long)r->rel.bytes);
        }
        fputc('\n', fp);
    }
}

static void csv_num(FILE *fp, bool has, int64_t v, bool last)
{
    char b[32];
    snprintf(b, sizeof b, "%lld", (long long)v);
    csv_write_cell(fp, has ? b : "", last);
}

static void print_csv(FILE *fp, const struct result *res)
{
    char t[TIME_ISO_MAX];
    fputs("record,status,id,name,node_type,archived_at,archived_by,size_bytes,count,reason,"
          "http_status,brief_summary,log_id,release_bytes,shared_with\n", fp);
    for (size_t i = 0; i < res->nrows; i++) {
        const struct row *r = &res->rows[i];
        const struct api_item *it = r->it;
        bool rel = res->rel.ok && r->rel.found && row_went(r->state);
        csv_write_cell(fp, "item", false);
        csv_write_cell(fp, row_state_name[r->state], false);
        csv_write_cell(fp, it->id, false);
        csv_write_cell(fp, it->name, false);
        csv_write_cell(fp, it->node_type, false);
        csv_write_cell(fp, it->has_archived_at ? time_format_iso8601(it->archived_at_ms, t) : "",
                  false);
        csv_write_cell(fp, it->archived_by, false);
        csv_num(fp, it->has_size, it->size_bytes, false);
        csv_write_cell(fp, "", false);
        csv_write_cell(fp, row_detail(r), false);
        csv_num(fp, r->http_status != 0, r->http_status, false);
        csv_write_cell(fp, r->eb.brief_summary, false);
        csv_write_cell(fp, r->eb.log_id, false);
        csv_num(fp, rel, r->rel.bytes, false);
        csv_write_cell(fp, rel ? r->rel.shared_with : NULL, true);
    }
    const struct summary *s = &res->sum;
    for (int st = ROW_PURGED; st <= ROW_SKIPPED; st++) {
        csv_write_cell(fp, "summary", false);
        csv_write_cell(fp, row_state_name[st], false);
        fputs(",,,,,", fp);
        csv_num(fp, true, s->bytes[st], false);
        csv_num(fp, true, (int64_t)s->n[st], false);
        fputs(",,,,,\n", fp);
    }
    fprintf(fp, "summary,kept,,,,,,,%zu,,,,,,\n", s->kept);
    fprintf(fp, "summary,remaining,,,,,,,%zu,,,,,,\n", s->remaining);
    /* The release row: bytes and URLs, and in the reason column when the cleaner takes them
     * (or why the figures are missing). */
    const struct release_info *ri = &res->rel;
    if (ri->ok) {
        char when[160];
        if (ri->when.eager)
            snprintf(when, sizeof when, "unlinked right after each purge (eager cleanup), no "
                                        "copy in contentstore.deleted");
        else
            snprintf(when, sizeof when, "taken by the first cleaner run after %s",
                     time_format_iso8601(ri->when.cleaner_after_ms, t));
        fprintf(fp, "summary,release,,,,,,%lld,%zu,", (long long)ri->tot.bytes, ri->tot.urls);
        csv_write_cell(fp, when, false);
        fputs(",,,,\n", fp);
    } else if (ri->used) {
        fputs("summary,release,,,,,,,,", fp);
        csv_write_cell(fp, ri->error, false);
        fputs(",,,,\n", fp);
    }
}

static json_t *jstr_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *jtime(bool has, int64_t ms)
{
    char t[TIME_ISO_MAX];
    return has ? json_string(time_format_iso8601(ms, t)) : json_null();
}

static json_t *jcount(size_t n, bool with_bytes, int64_t bytes, size_t unknown)
{
    json_t *o = json_object();
    json_object_set_new(o, "count", json_integer((json_int_t)n));
    if (with_bytes) {
        json_object_set_new(o, "bytes", json_integer(bytes));
        json_object_set_new(o, "unknown_size", json_integer((json_int_t)unknown));
    }
    return o;
}

static int print_json(FILE *fp, const struct result *res)
{
    const struct opts *o = res->o;
    const struct summary *s = &res->sum;
    json_t *root = json_object();
    json_object_set_new(root, "command", json_string("purge"));
    json_object_set_new(root, "dry_run", json_boolean(o->dry_run));
    json_object_set_new(root, "now", jtime(true, res->ctx->now_ms));
    json_object_set_new(root, "older_than_ms", json_integer(o->older_ms));
    json_object_set_new(root, "cutoff", jtime(true, res->cutoff_ms));
    json_object_set_new(root, "include_undated", json_boolean(o->include_undated));
    json_object_set_new(root, "max_items",
                        o->max_items ? json_integer(o->max_items) : json_null());
    json_object_set_new(root, "url", json_string(res->url));
    json_object_set_new(root, "user", json_string(res->user));
    json_t *items = json_array();
    for (size_t i = 0; i < res->nrows; i++) {
        const struct row *r = &res->rows[i];
        const struct api_item *it = r->it;
        json_t *j = json_object();
        json_object_set_new(j, "status", json_string(row_state_name[r->state]));
        json_object_set_new(j, "id", json_string(it->id));
        json_object_set_new(j, "name", json_string(it->name));
        json_object_set_new(j, "node_type", json_string(it->node_type));
        json_object_set_new(j, "is_folder", json_boolean(it->is_folder));
        json_object_set_new(j, "archived_at", jtime(it->has_archived_at, it->archived_at_ms));
        json_object_set_new(j, "archived_by", jstr_or_null(it->archived_by));
        json_object_set_new(j, "size_bytes",
                            it->has_size ? json_integer(it->size_bytes) : json_null());
        json_object_set_new(j, "reason", jstr_or_null(r->reason));
        json_object_set_new(j, "http_status",
                            r->http_status ? json_integer(r->http_status) : json_null());
        json_object_set_new(j, "attempts", json_integer(r->attempts));
        json_object_set_new(j, "brief_summary",
                            jstr_or_null(r->eb.brief_summary[0] ? r->eb.brief_summary : NULL));
        json_object_set_new(j, "log_id", jstr_or_null(r->eb.log_id[0] ? r->eb.log_id : NULL));
        if (res->rel.ok && row_went(r->state)) {
            json_t *rl = json_object();
            json_object_set_new(rl, "found", json_boolean(r->rel.found));
            json_object_set_new(rl, "bytes", json_integer(r->rel.bytes));
            json_object_set_new(rl, "urls", json_integer((json_int_t)r->rel.urls));
            json_object_set_new(rl, "kept_urls", json_integer((json_int_t)r->rel.kept_urls));
            json_object_set_new(rl, "shared_with", jstr_or_null(r->rel.shared_with));
            json_object_set_new(j, "release", rl);
        }
        json_array_append_new(items, j);
    }
    json_object_set_new(root, "items", items);
    json_t *sm = json_object();
    json_object_set_new(sm, "listed", json_integer((json_int_t)s->listed));
    json_object_set_new(sm, "eligible", json_integer((json_int_t)s->eligible));
    for (int st = ROW_PURGED; st <= ROW_SKIPPED; st++)
        json_object_set_new(sm, row_state_name[st],
                            jcount(s->n[st], true, s->bytes[st], s->unknown[st]));
    json_object_set_new(sm, "kept", jcount(s->kept, false, 0, 0));
    json_object_set_new(sm, "remaining", jcount(s->remaining, false, 0, 0));
    json_object_set_new(root, "summary", sm);
    if (res->rel.used) {
        const struct release_info *ri = &res->rel;
        json_t *rl = json_object();
        json_object_set_new(rl, "available", json_boolean(ri->ok));
        if (ri->ok) {
            json_object_set_new(rl, "bytes", json_integer(ri->tot.bytes));
            json_object_set_new(rl, "urls", json_integer((json_int_t)ri->tot.urls));
            json_object_set_new(rl, "kept_urls", json_integer((json_int_t)ri->tot.kept_urls));
            const struct purge_release_when *w = &ri->when;
            json_object_set_new(rl, "already_gone_items", json_integer((json_int_t)ri->gone));
            json_object_set_new(rl, "already_gone_checked", json_boolean(!ri->gone_unchecked));
            json_object_set_new(rl, "eager_cleanup", json_boolean(w->eager));
            json_object_set_new(rl, "orphan_protect_days", json_integer(w->protect_days));
            json_object_set_new(rl, "orphan_time", jtime(!w->eager, w->orphan_time_ms));
            json_object_set_new(rl, "cleaner_after", jtime(!w->eager, w->cleaner_after_ms));
            json_object_set_new(rl, "cleaner_cron", json_string(w->cron));
            json_object_set_new(rl, "copied_to_contentstore_deleted", json_boolean(!w->eager));
        } else {
            json_object_set_new(rl, "error", json_string(ri->error));
        }
        json_object_set_new(root, "release", rl);
    }
    json_object_set_new(root, "stopped", jstr_or_null(res->stopped));
    json_object_set_new(root, "exit_code", json_integer(res->code));
    int rc = json_dumpf(root, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', fp);
    json_decref(root);
    return rc;
}

/* ---- database side --------------------------------------------------------------------- */

static void release_prepare(const struct ctx *ctx, struct conf *conf, struct result *res)
{
    struct release_info *ri = &res->rel;
    ri->used = conf->db.configured;
    /* A real purge marks the URLs when Alfresco deletes them, on the clock, whatever --now
     * says (it only moves the age cut-off); a dry run previews a purge at --now. */
    if (ri->used)
        purge_release_when(conf, res->o->dry_run ? ctx->now_ms : time_now_ms(), &ri->when);
}

/* Before any delete: read what the selected items reference. Failure only loses the release
 * figures (a warning), never the purge. */
static struct purge_refs *release_collect(struct conf *conf, struct result *res, size_t nsel)
{
    struct release_info *ri = &res->rel;
    struct err err = ERR_INIT;
    struct db *db = NULL;
    struct purge_refs *refs = NULL;
    struct db_schema_info info;
    const char **uuids = xcalloc(nsel ? nsel : 1, sizeof *uuids);
    for (size_t i = 0; i < nsel; i++)
        uuids[i] = res->rows[i].it->id;
    if (conf_load_db_password(conf, &err) != 0 || db_open(&db, &conf->db, &err) != 0 ||
        db_check_schema(db, &info, &err) != 0 ||
        purge_refs_collect(db, uuids, nsel, &refs, &err) != 0) {
        snprintf(ri->error, sizeof ri->error, "%s", err.msg);
        warnx_msg("could not work out what the purge releases: %s", err.msg);
        refs = NULL;
    }
    db_close(db);
    free(uuids);
    return refs;
}

/* After the deletes: an item whose DELETE answered 404 has left the trashcan, purged (by
 * someone else, or by Alfresco's trashcan cleaner) or restored. A fresh snapshot tells them
 * apart: a restored node is live in workspace://SpacesStore again, and its content stays
 * referenced. When that cannot be read, the items count as purged and the run warns. */
static void release_recheck_gone(struct conf *conf, struct result *res, size_t nsel)
{
    size_t n = 0;
    for (size_t i = 0; i < nsel; i++)
        n += res->rows[i].state == ROW_GONE;
    if (n == 0)
        return;
    struct err err = ERR_INIT;
    struct db *db = NULL;
    if (db_open(&db, &conf->db, &err) != 0)
        goto fail;
    for (size_t i = 0; i < nsel; i++) {
        struct row *r = &res->rows[i];
        if (r->state != ROW_GONE)
            continue;
        int live = purge_node_live(db, "workspace", r->it->id, &err);
        if (live < 0)
            goto fail;
        if (live) {
            r->state = ROW_RESTORED;
            free(r->reason);
            r->reason = xstrdup("not purged: restored to workspace://SpacesStore before the "
                                "DELETE (HTTP 404)");
        }
    }
    db_close(db);
    return;
fail:
    warnx_msg("could not tell whether the %zu item%s already gone %s restored or purged; "
              "counted as purged: %s", n, n == 1 ? "" : "s", n == 1 ? "was" : "were", err.msg);
    res->rel.gone_unchecked = true;
    db_close(db);
}

static void release_compute(struct purge_refs *refs, struct result *res, size_t nsel)
{
    bool *went = xcalloc(nsel ? nsel : 1, sizeof *went);
    struct purge_item_release *rel = xcalloc(nsel ? nsel : 1, sizeof *rel);
    for (size_t i = 0; i < nsel; i++) {
        went[i] = row_went(res->rows[i].state);
        res->rel.gone += res->rows[i].state == ROW_GONE;
    }
    purge_refs_release(refs, went, rel, &res->rel.tot);
    for (size_t i = 0; i < nsel; i++)
        res->rows[i].rel = rel[i];
    res->rel.ok = true;
    free(rel);
    free(went);
}

/* ---- the command ------------------------------------------------------------------------ */

static void tally(struct result *res)
{
    struct summary *s = &res->sum;
    for (size_t i = 0; i < res->nrows; i++) {
        const struct row *r = &res->rows[i];
        s->n[r->state]++;
        if (r->it->has_size)
            s->bytes[r->state] += r->it->size_bytes;
        else
            s->unknown[r->state]++;
    }
}

static int exit_code(const struct result *res, int sig)
{
    if (sig == SIGINT)
        return AW_SIGINT;
    if (sig == SIGTERM)
        return AW_SIGTERM;
    const struct summary *s = &res->sum;
    if (s->n[ROW_FAILED] || s->n[ROW_NOT_ATTEMPTED])
        return AW_CRITICAL;
    if (s->n[ROW_SKIPPED] || (res->rel.used && (!res->rel.ok || res->rel.gone_unchecked)))
        return AW_WARNING;
    return AW_OK;
}

static void set_reason(struct row *r, const struct err *err)
{
    free(r->reason);
    r->reason = xstrdup(err->msg[0] ? err->msg : "failed");
}

int cmd_purge(struct ctx *ctx, int argc, char **argv)
{
    struct opts o = {0};
    o.retries = -1;
    bool help = false;
    int rc = parse_opts(argc, argv, &o, &help);
    if (rc != 0)
        return rc;
    if (help) {
        usage(stdout);
        return AW_OK;
    }
    if (cli_check_now(ctx, "purge", o.dry_run) != 0)
        return AW_UNKNOWN;

    struct conf conf;
    memset(&conf, 0, sizeof conf);
    if (cli_load_conf(ctx, &conf) != 0)
        return AW_UNKNOWN;

    struct err err = ERR_INIT;
    struct api *api = NULL;
    struct api_item_list list = {0};
    struct result res;
    struct out out = {0};
    struct purge_refs *refs = NULL;
    bool out_open_ok = false;
    char *stop_msg = NULL;
    struct sigaction sa_new, sa_int, sa_term;
    bool handlers = false;
    memset(&res, 0, sizeof res);
    int code = AW_UNKNOWN;
    if (out_guard_check(&conf, "purge", o.output, NULL, 0, NULL, 0, &err) != 0)
        goto fail;

    if (!o.older_than) {
        const struct conf_int *k = &conf.policy.trashcan_keep_ms;
        o.older_ms = k->src != SRC_UNSET ? k->val : 28 * MS_PER_DAY;
    }
    if (!o.max_items_set && conf.api.max_per_run.src != SRC_UNSET && conf.api.max_per_run.val > 0)
        o.max_items = conf.api.max_per_run.val;
    if (!api_conf_present(&conf)) {
        err_set(&err, ERR_CONFIG, "no api group in the configuration");
        err_hint(&err, "Add an api group with url, user and password_file to alfwipe.conf.");
        goto fail;
    }
    if (api_check_conf(&conf, &err) != 0 || conf_load_api_password(&conf, &err) != 0)
        goto fail;

    struct api_opts ao;
    api_opts_from_conf(&conf, &ao);
    ao.max_attempts = o.retries >= 0 ? o.retries + 1 : 0;
    ao.auth = o.auth;
    ao.stop_flag = &got_signal;
    if (api_new(&api, &ao, &err) != 0)
        goto fail;
    /* The output file is created before any request: a run that cannot report does not
     * purge. */
    if (out_open(&out, o.output, &err) != 0)
        goto fail;
    out_open_ok = true;

    memset(&sa_new, 0, sizeof sa_new);
    sa_new.sa_handler = on_signal;
    sigemptyset(&sa_new.sa_mask);
    sigaction(SIGINT, &sa_new, &sa_int);
    sigaction(SIGTERM, &sa_new, &sa_term);
    handlers = true;

    if (api_login(api, &err) != 0 || api_list_trashcan(api, &list, &err) != 0)
        goto fail;
    if (got_signal)
        goto interrupted;

    /* Sizes whose total wraps past INT64_MAX cannot be real, and would make every byte count
     * of the report wrong: the reply is refused before anything is deleted. */
    int64_t total_bytes = 0;
    for (size_t i = 0; i < list.n; i++) {
        const struct api_item *it = &list.v[i];
        if (it->has_size && __builtin_add_overflow(total_bytes, it->size_bytes, &total_bytes)) {
            err_set(&err, ERR_DATA, "the trashcan listing's content.sizeInBytes values add up "
                    "to more than %lld bytes (at item '%s', %lld bytes): the reply cannot be "
                    "right", (long long)INT64_MAX, it->id, (long long)it->size_bytes);
            err_hint(&err, "Check what answers at api.url: it is not a working Alfresco.");
            goto fail;
        }
    }

    /* Select: eligible items oldest first, then the undated ones that are skipped. */
    res.o = &o;
    res.ctx = ctx;
    res.url = conf.api.url.val;
    res.user = conf.api.user.val;
    res.cutoff_ms = ctx->now_ms - o.older_ms;
    res.sum.listed = list.n;
    res.rows = xcalloc(list.n ? list.n : 1, sizeof *res.rows);
    size_t nsel = 0;
    for (size_t i = 0; i < list.n; i++) {
        const struct api_item *it = &list.v[i];
        bool eligible = it->has_archived_at ? it->archived_at_ms < res.cutoff_ms
                                            : o.include_undated;
        if (!it->has_archived_at && !o.include_undated)
            continue;
        if (!eligible) {
            res.sum.kept++;
            continue;
        }
        res.rows[nsel++].it = it;
    }
    qsort(res.rows, nsel, sizeof *res.rows, cmp_age);
    res.sum.eligible = nsel;
    if (o.max_items > 0 && nsel > (size_t)o.max_items) {
        res.sum.remaining = nsel - (size_t)o.max_items;
        nsel = (size_t)o.max_items;
    }
    res.nrows = nsel;
    for (size_t i = 0; i < list.n; i++) {
        const struct api_item *it = &list.v[i];
        if (it->has_archived_at || o.include_undated)
            continue;
        struct row *r = &res.rows[res.nrows++];
        r->it = it;
        r->state = ROW_SKIPPED;
        r->reason = xstrdup("no archivedAt");
    }

    release_prepare(ctx, &conf, &res);
    if (res.rel.used)
        refs = release_collect(&conf, &res, nsel);

    for (size_t i = 0; i < nsel; i++) {
        struct row *r = &res.rows[i];
        if (got_signal || stop_msg) {
            r->state = ROW_NOT_ATTEMPTED;
            continue;
        }
        if (o.dry_run) {
            r->state = ROW_WOULD_PURGE;
            continue;
        }
        struct api_del_result dr;
        err_init(&err);
        api_purge_item(api, r->it->id, &dr, &err);
        r->http_status = dr.http_status;
        r->attempts = dr.attempts;
        r->eb = dr.body;
        switch (dr.status) {
        case API_DEL_PURGED:
            r->state = ROW_PURGED;
            if (log_verbosity >= 1) {
                char *name = vis_dup(r->it->name);
                fprintf(stderr, "alfwipe: purged '%s' (%s)\n", r->it->id, name);
                free(name);
            }
            break;
        case API_DEL_GONE:
            r->state = ROW_GONE;
            r->reason = xstrdup("already gone (HTTP 404)");
            break;
        case API_DEL_FAILED:
            r->state = ROW_FAILED;
            set_reason(r, &err);
            {
                char *name = vis_dup(r->it->name), *msg = vis_dup(err.msg);
                warnx_msg("could not purge '%s' (%s): %s", r->it->id, name, msg);
                free(name);
                free(msg);
            }
            break;
        case API_DEL_STOP:
            r->state = ROW_FAILED;
            set_reason(r, &err);
            stop_msg = xstrdup(got_signal ? "interrupted" : err.msg);
            err_print(&err);
            break;
        }
    }
    if (got_signal && !stop_msg)
        stop_msg = xstrdup("interrupted");
    res.stopped = stop_msg;
    if (!o.dry_run)
        api_logout(api);
    if (refs) {
        release_recheck_gone(&conf, &res, nsel);
        release_compute(refs, &res, nsel);
    }
    tally(&res);
    code = exit_code(&res, got_signal);
    res.code = code;

    if (o.fmt == OUT_JSON)
        print_json(out.fp, &res);
    else if (o.fmt == OUT_CSV)
        print_csv(out.fp, &res);
    else
        print_text(out.fp, &res);
    if (out_close(&out, true, &err) != 0) {
        err_print(&err);
        code = AW_UNKNOWN;
    }
    out_open_ok = false;
    goto out;

interrupted:
    code = got_signal == SIGTERM ? AW_SIGTERM : AW_SIGINT;
    fprintf(stderr, "alfwipe: interrupted before any purge\n");
    goto out;
fail:
    if (got_signal)
        goto interrupted;
    err_print(&err);
    code = AW_UNKNOWN;
out:
    if (out_open_ok)
        out_close(&out, false, NULL);
    if (handlers) {
        sigaction(SIGINT, &sa_int, NULL);
        sigaction(SIGTERM, &sa_term, NULL);
    }
    for (size_t i = 0; i < res.nrows; i++) {
        free(res.rows[i].reason);
        free(res.rows[i].rel.shared_with);
    }
    free(res.rows);
    free(stop_msg);
    purge_refs_free(refs);
    api_item_list_release(&list);
    api_free(api);
    conf_release(&conf);
    return code;
}
