/* Command dispatch: global options are parsed by main, then one command runs with its own
 * argv (argv[0] is the command name). Each command returns an exit code (exitcode.h). */
#ifndef ALFWIPE_CLI_H
#define ALFWIPE_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "alfwipe/conf.h"

struct ctx {
    const char *conf_path;   /* -c FILE, or NULL */
    int64_t now_ms;          /* --now, or the clock at start */
    bool now_pinned;
    int verbosity;           /* -1 quiet, 0, 1 (-v), 2 (-vv) */
};

enum out_format { OUT_TEXT = 0, OUT_CSV, OUT_JSON };

/* Parse "text" | "csv" | "json". -1 with err on anything else. */
int out_format_parse(const char *s, enum out_format *out, struct err *err);

/* --format of a command that prints text or JSON only (check, methods): prints the error
 * naming cmd and returns AW_UNKNOWN, or 0. */
int out_format_parse_text_json(const char *cmd, const char *s, enum out_format *out);

/* Output to stdout or to a file that only appears, complete, when out_close succeeds:
 * written to "<file>.tmp.<pid>", renamed at the end, removed on failure. An empty path and a
 * symbolic link to a file (or a dangling one) are refused; a device, a FIFO, or a link to one
 * (/dev/stdout) is written in place. */
struct out {
    FILE *fp;
    char *path;      /* final path, NULL for stdout */
    char *tmp;
    bool stream;     /* an existing device or FIFO (/dev/null): written in place, never replaced */
    char *buf;       /* the stream's buffer (OUT_BUFSIZE), freed by out_close */
    struct out_direct *direct; /* a file written with O_DIRECT (out.c), or NULL */
};
/* Reports run to hundreds of megabytes: written in blocks of this size rather than in stdio's
 * default 4 KiB (one write per 4 KiB costs several microseconds of kernel time each). */
#define OUT_BUFSIZE (1u << 20)
/* A file (not standard output, a device or a FIFO) is written with O_DIRECT in blocks of this
 * size where its filesystem allows it, so that a large report neither pays for copying every
 * byte into the page cache nor pushes the database's and content store's pages out of it. The
 * last partial block is written through the page cache; a filesystem that refuses O_DIRECT
 * gets the ordinary buffered writes. The bytes are the same either way. */
#define OUT_DIRECT_BLOCK (4u << 20)
int out_open(struct out *o, const char *path, struct err *err);
/* ok: commit (flush, fsync, rename); !ok: discard. Returns -1 when committing failed. */
int out_close(struct out *o, bool ok, struct err *err);

/* Refuses an --output path that would replace live content or alfwipe's own files, before a
 * command does anything else: a path inside a content root (alfresco.contentstore,
 * contentstore_deleted, each extra_roots entry, and the nroots directories of wipe --root) or
 * inside wipe.state_dir, judged by the nearest directory that exists and by place in the
 * filesystem (a symbolic link or bind mount leading there counts); and a path that is the
 * same file (device and inode, or, while one of them does not exist, the same name in the
 * same directory) as wipe.certificate, wipe.lock_file, wipe.hmac_key_file, the database and
 * API password and CA files, the alfwipe.conf and alfresco-global.properties that were read,
 * or one of the nown files the command adds (own[i].what says what it is: "the wipe
 * certificate --certificate"). Standard output ("-" or NULL), a device and a FIFO pass:
 * out_open writes them in place. cmd names the command in the hint's example. 0, or -1 with
 * err filled ("--output 'PATH' is ...", ERR_USAGE) and a hint. */
struct out_guard_file {
    const char *what;
    const char *path;
};
int out_guard_check(const struct conf *conf, const char *cmd, const char *output,
                    const char *const *roots, size_t nroots, const struct out_guard_file *own,
                    size_t nown, struct err *err);

/* CSV (RFC 4180), shared by every command's CSV output: one field, quoted when it holds a
 * comma, double quote, CR, LF or tab (quotes doubled inside), else written as the bytes are.
 * csv_write_str takes a C string (NULL: empty field); csv_write_cell adds the separator, ','
 * or, for the last field of a row, '\n'. */
void csv_write_field(FILE *fp, const char *s, size_t len);
void csv_write_str(FILE *fp, const char *s);
void csv_write_cell(FILE *fp, const char *s, bool last);

/* Load the configuration for a command; prints the error and returns AW_UNKNOWN on failure,
 * 0 on success. */
int cli_load_conf(const struct ctx *ctx, struct conf *conf);

/* A run that erases or deletes may not be pinned after the clock: a later --now makes files
 * and trashcan items look older than they are, past the age rules. An earlier --now only
 * makes them look younger. Prints the error and returns AW_UNKNOWN, or 0. */
int cli_check_now(const struct ctx *ctx, const char *cmd, bool dry_run);

/* After getopt refused argv[optind - 1]: a hint when it is an option that belongs on the other
 * side of the command (a global one after it, cmd non-NULL; a command's before it, cmd NULL),
 * then "Try 'alfwipe [cmd] --help'". Returns AW_UNKNOWN. */
int cli_bad_option(const char *cmd, int argc, char *const *argv);

/* -q and -v given together (before the command, or wipe's -q after it): says so with a hint;
 * returns AW_UNKNOWN. */
int cli_quiet_and_verbose(void);

/* The command a command option given before it belongs to, for that hint: the command named in
 * argv[from..argc) when it takes opt ("--dry-run" before "purge": purge), else the first
 * command that does (report, wipe, purge, verify, check, methods); NULL for no command's. */
const char *cli_option_command(const char *opt, int argc, char *const *argv, int from);

/* Options that take a value are given at most once: getopt_long would let the last one win
 * (--method gutmann --method zero runs zero). A command's option loop calls cli_once for every
 * option getopt_long returns, before acting on it. Options without a value may repeat (they
 * mean the same each time), and so may those named in repeatable (wipe --root, verify --node),
 * a NULL-terminated list of long names, or NULL. cmd names the command in the message ("wipe"),
 * NULL for the global options. opts is the getopt_long table, at most CLI_ONCE_MAX entries;
 * it and the values must outlive o. */
#define CLI_ONCE_MAX 24
struct option;
struct cli_once {
    const char *cmd;
    const struct option *opts;
    const char *const *repeatable;
    const char *val[CLI_ONCE_MAX];   /* the first value of opts[i] */
    bool seen[CLI_ONCE_MAX];
};
void cli_once_init(struct cli_once *o, const char *cmd, const struct option *opts,
                   const char *const *repeatable);
/* c and arg as getopt_long returned them (optarg). The second value of a single-valued
 * option prints "alfwipe CMD: --NAME given twice ('first', then 'second')" and a hint, and
 * returns AW_UNKNOWN; otherwise 0. */
int cli_once(struct cli_once *o, int c, const char *arg);

int cmd_report(struct ctx *ctx, int argc, char **argv);
int cmd_check(struct ctx *ctx, int argc, char **argv);
int cmd_wipe(struct ctx *ctx, int argc, char **argv);
int cmd_methods(struct ctx *ctx, int argc, char **argv);
int cmd_verify(struct ctx *ctx, int argc, char **argv);
int cmd_purge(struct ctx *ctx, int argc, char **argv);

#endif
