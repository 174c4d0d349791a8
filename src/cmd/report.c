/* alfwipe report: parse options, load the configuration, run the engine, pick the exit code. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alfwipe/cli.h"
#include "alfwipe/exitcode.h"
#include "../report/rep_int.h"

static void report_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: alfwipe [-c FILE] [--now ISO8601] [-q] [-v] report [OPTIONS]\n"
            "\n"
            "Classify every content URL in the Alfresco database and every file under the\n"
            "content roots (contentstore, extra_roots, contentstore.deleted). Read-only.\n"
            "\n"
            "Options:\n"
            "  --format text|csv|json   output format (default text)\n"
            "  --output FILE            write to FILE (appears only when complete)\n"
            "  -h, --help               this help\n"
            "\n"
            "Exit codes: 0 OK, 1 WARNING, 2 CRITICAL (missing files for live, version or\n"
            "trashcan content, or no regular file at their path), 3 UNKNOWN (usage, config,\n"
            "connection, unusable or empty root, not an Alfresco database or an unsupported\n"
            "schema),\n"
            "130/143 interrupted by SIGINT/SIGTERM (no report written).\n");
}

/* SIGINT / SIGTERM: the report stops where it is. The --output file never appears (its
 * temporary file is removed), and the exit code says it was interrupted. */
static char report_tmp_path[4096];  /* a copy: out_close frees the original */

static void on_report_signal(int sig)
{
    static const char msg[] = "alfwipe: interrupted; no report was written\n";
    if (report_tmp_path[0])
        unlink(report_tmp_path);
    ssize_t n = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)n;
    _exit(sig == SIGINT ? AW_SIGINT : AW_SIGTERM);
}

static void report_release(struct report *r)
{
    free(r->engine);
    free(r->engine_version);
    for (size_t i = 0; i < r->nstores; i++) {
        free(r->stores[i].protocol);
        free(r->stores[i].identifier);
    }
    free(r->stores);
    for (size_t i = 0; i < r->nroots; i++) {
        free(r->roots[i].name);
        free(r->roots[i].path);
        free(r->roots[i].source);
    }
    free(r->roots);
    for (size_t i = 0; i < r->ntrash; i++) {
        free(r->trash[i].uuid);
        free(r->trash[i].name);
        free(r->trash[i].by);
        free(r->trash[i].date_raw);
    }
    free(r->trash);
    for (size_t i = 0; i < r->sum.nprotos; i++)
        free(r->sum.protos[i].protocol);
    free(r->sum.protos);
    for (size_t i = 0; i < r->nproblems; i++)
        free(r->problems[i]);
    free(r->problems);
    rstatus_release(&r->status);
}

int cmd_report(struct ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    enum out_format fmt = OUT_TEXT;
    const char *output = NULL;
    struct err err = ERR_INIT;
    struct cli_once once;
    cli_once_init(&once, "report", opts, NULL);
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (cli_once(&once, c, optarg) != 0)
            return AW_UNKNOWN;
        switch (c) {
        case 'f':
            if (out_format_parse(optarg, &fmt, &err) != 0) {
                err_print(&err);
                return AW_UNKNOWN;
            }
            break;
        case 'o':
            output = optarg;
            break;
        case 'h':
            report_usage(stdout);
            return AW_OK;
        default:
            return cli_bad_option("report", argc, argv);
        }
    }
    if (optind < argc) {
        fprintf(stderr, "alfwipe: unexpected argument '%s'\n"
                        "Try 'alfwipe report --help' for more information.\n", argv[optind]);
        return AW_UNKNOWN;
    }

    struct conf conf = {0};
    if (cli_load_conf(ctx, &conf) != 0)
        return AW_UNKNOWN;
    if (out_guard_check(&conf, "report", output, NULL, 0, NULL, 0, &err) != 0) {
        err_print(&err);
        conf_release(&conf);
        return AW_UNKNOWN;
    }
    if (!conf.db.configured) {
        err_set(&err, ERR_CONFIG, "no database configured%s", conf_unread_note(&conf));
        conf_release(&conf);
        err_hint(&err, "Add a database group to alfwipe.conf, or set "
                       "alfresco.global_properties so that db.url can be read.");
        err_print(&err);
        return AW_UNKNOWN;
    }

    struct report r = {0};
    r.conf = &conf;
    r.verbosity = ctx->verbosity;
    r.fmt = fmt;
    r.pol.now_ms = ctx->now_ms;
    r.pol.protect_ms = conf.policy.orphan_protect_days.val * MS_PER_DAY;
    r.pol.slack_ms = conf.policy.cleaner_slack_days.val * MS_PER_DAY;
    r.pol.keep_ms = conf.policy.trashcan_keep_ms.val;
    r.pol.grace_ms = conf.policy.in_flight_grace_minutes.val * MS_PER_MINUTE;
    r.pol.eager = conf.policy.eager_orphan_cleanup.val;

    struct out out;
    if (out_open(&out, output, &err) != 0) {
        err_print(&err);
        conf_release(&conf);
        return AW_UNKNOWN;
    }
    struct rwriter w = {0};
    w.fmt = fmt;
    w.all_items = ctx->verbosity > 0;
    w.dest = out.path ? out.path : out.stream ? output : NULL;
    struct sigaction sa = {0}, old_int, old_term;
    sa.sa_handler = on_report_signal;
    sigemptyset(&sa.sa_mask);
    snprintf(report_tmp_path, sizeof report_tmp_path, "%s", out.tmp ? out.tmp : "");
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    int rc = report_run(&r, &w, out.fp);
    if (w.text_items)
        fclose(w.text_items);
    rw_release(&w);
    if (out_close(&out, rc != AW_UNKNOWN, &err) != 0) {
        err_print(&err);
        rc = AW_UNKNOWN;
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    report_tmp_path[0] = '\0';
    report_release(&r);
    conf_release(&conf);
    return rc;
}
