/* alfwipe: argv -> global options -> command table -> run -> exit code. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alfwipe/cli.h"
#include "alfwipe/exitcode.h"
#include "alfwipe/timeutil.h"

struct cmd {
    const char *name;
    int (*fn)(struct ctx *ctx, int argc, char **argv);
    const char *summary;
};

static const struct cmd commands[] = {
    {"report", cmd_report, "classify every content URL and every file under the content roots"},
    {"check", cmd_check, "print the effective settings and where each came from"},
    {"verify", cmd_verify, "prove that nodes' content is destroyed; check wipe certificates"},
    {"purge", cmd_purge, "empty the trashcan by age through Alfresco's REST API"},
    {"wipe", cmd_wipe, "overwrite contentstore.deleted provably, with a certificate"},
    {"methods", cmd_methods, "print the pass table of every wipe method"},
};

static void usage(FILE *fp)
{
    fprintf(fp,
            "Usage: alfwipe [GLOBAL OPTIONS] COMMAND [OPTIONS]\n"
            "\n"
            "Find where deleted Alfresco content really is, and destroy it provably.\n"
            "\n"
            "Global options (before the command):\n"
            "  -c, --config FILE   alfwipe.conf to read (default $ALFWIPE_CONFIG, then\n"
            "                      /etc/alfwipe/alfwipe.conf)\n"
            "      --now ISO8601   pin the time used as \"now\" (reproducible runs; UTC when\n"
            "                      no offset is given)\n"
            "  -q, --quiet         print only when the state is not OK\n"
            "  -v, --verbose       more detail (-vv: debug)\n"
            "  -h, --help          this help\n"
            "  -V, --version       print the version\n"
            "\n"
            "Commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(fp, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(fp, "\nRun 'alfwipe COMMAND --help' for a command's options.\n"
                "Exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (see README).\n");
}

#define NOW_MIN_MS 946684800000LL   /* 2000-01-01T00:00:00Z */

int main(int argc, char **argv)
{
    /* getopt names argv[0] in its messages: "alfwipe", not the path the binary was run as. */
    static char prog[] = "alfwipe";
    static char cmdname[64];
    argv[0] = prog;
    struct ctx ctx = {0};
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"now", required_argument, NULL, 'N'},
        {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    /* '+': stop at the first non-option, the command name. */
    struct cli_once once;
    cli_once_init(&once, NULL, opts, NULL);
    int c;
    while ((c = getopt_long(argc, argv, "+c:qvhV", opts, NULL)) != -1) {
        if (cli_once(&once, c, optarg) != 0)
            return AW_UNKNOWN;
        switch (c) {
        case 'c':
            /* An empty name (a script's unset variable) would fall through to
             * $ALFWIPE_CONFIG or the default file: another configuration, silently. */
            if (!*optarg) {
                fprintf(stderr, "alfwipe: empty -c (--config)\n"
                                "hint: Give -c the path of alfwipe.conf, or leave -c out to read "
                                "$ALFWIPE_CONFIG, then /etc/alfwipe/alfwipe.conf.\n");
                return AW_UNKNOWN;
            }
            ctx.conf_path = optarg;
            break;
        case 'N':
            if (time_parse_iso8601(optarg, &ctx.now_ms) != 0) {
                fprintf(stderr, "alfwipe: invalid --now '%s'\n"
                                "hint: Give an ISO-8601 instant such as 2024-06-30T00:00:00Z.\n",
                        optarg);
                return AW_UNKNOWN;
            }
            /* Alfresco's first release is from 2005: an earlier "now" is a typing error, and
             * every age measured from it would be negative. */
            if (ctx.now_ms < NOW_MIN_MS) {
                fprintf(stderr, "alfwipe: --now '%s' is before 2000-01-01\n"
                                "hint: Give the instant the report should treat as now, such as "
                                "2024-06-30T00:00:00Z.\n", optarg);
                return AW_UNKNOWN;
            }
            ctx.now_pinned = true;
            break;
        case 'q':
        case 'v':
            /* -q and -v ask for opposite things: neither silently wins */
            if ((c == 'q' && ctx.verbosity > 0) || (c == 'v' && ctx.verbosity < 0))
                return cli_quiet_and_verbose();
            ctx.verbosity = c == 'q' ? -1 : ctx.verbosity + 1;
            break;
        case 'h':
            usage(stdout);
            return AW_OK;
        case 'V':
            printf("alfwipe %s\n", ALFWIPE_VERSION);
            return AW_OK;
        default:
            return cli_bad_option(NULL, argc, argv);
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "alfwipe: no command given\n");
        /* "alfwipe -c report": the command was taken as the configuration file */
        for (size_t i = 0; ctx.conf_path && i < sizeof commands / sizeof commands[0]; i++)
            if (strcmp(ctx.conf_path, commands[i].name) == 0) {
                fprintf(stderr, "hint: '%s' was read as the FILE of -c; write "
                                "'alfwipe -c FILE %s'.\n", ctx.conf_path, ctx.conf_path);
                return AW_UNKNOWN;
            }
        fprintf(stderr, "hint: Give one of the commands; 'alfwipe --help' lists them.\n");
        return AW_UNKNOWN;
    }
    if (!ctx.now_pinned)
        ctx.now_ms = time_now_ms();
    log_verbosity = ctx.verbosity;

    const char *name = argv[optind];
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i].name, name) != 0)
            continue;
        int sub_argc = argc - optind;
        char **sub_argv = argv + optind;
        /* ... and "alfwipe report" for a command's options. */
        snprintf(cmdname, sizeof cmdname, "alfwipe %s", commands[i].name);
        sub_argv[0] = cmdname;
        optind = 1; /* reset getopt for the command's own options */
        int rc = commands[i].fn(&ctx, sub_argc, sub_argv);
        /* A write that failed earlier (ferror only) is the command's to report when it
         * failed; what fails only now is reported here, with the reason. */
        int e = fflush(stdout) != 0 ? errno : 0;
        if (e || (ferror(stdout) && rc != AW_UNKNOWN)) {
            if (e)
                fprintf(stderr, "alfwipe: could not write to standard output: %s\n",
                        strerror(e));
            else
                fprintf(stderr, "alfwipe: could not write to standard output\n");
            return AW_UNKNOWN;
        }
        return rc;
    }
    fprintf(stderr, "alfwipe: unknown command '%s'\nTry 'alfwipe --help' for more information.\n",
            name);
    return AW_UNKNOWN;
}
