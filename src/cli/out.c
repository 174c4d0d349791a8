/* Output destinations that never leave a half-written file behind. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alfwipe/cli.h"
#include "alfwipe/conf.h"
#include "alfwipe/exitcode.h"
#include "alfwipe/timeutil.h"
#include "alfwipe/xalloc.h"

int out_format_parse(const char *s, enum out_format *out, struct err *err)
{
    if (strcmp(s, "text") == 0)
        *out = OUT_TEXT;
    else if (strcmp(s, "csv") == 0)
        *out = OUT_CSV;
    else if (strcmp(s, "json") == 0)
        *out = OUT_JSON;
    else {
        err_set(err, ERR_USAGE, "unknown output format '%s'", s);
        return err_hint(err, "Use --format text, csv or json.");
    }
    return 0;
}

/* Standard output that is not a terminal gets the large buffer too; it lives until exit. */
static char stdout_buf[OUT_BUFSIZE];

static void out_buffer(struct out *o)
{
    o->buf = xmalloc(OUT_BUFSIZE);
    if (setvbuf(o->fp, o->buf, _IOFBF, OUT_BUFSIZE) != 0) {
        free(o->buf);
        o->buf = NULL;
    }
}

int out_open(struct out *o, const char *path, struct err *err)
{
    memset(o, 0, sizeof *o);
    if (!path || strcmp(path, "-") == 0) {
        static bool stdout_buffered;
        o->fp = stdout;
        if (!stdout_buffered && !isatty(STDOUT_FILENO)) {
            stdout_buffered = true;
            (void)setvbuf(stdout, stdout_buf, _IOFBF, sizeof stdout_buf);
        }
        return 0;
    }
    if (!*path) {
        err_set(err, ERR_USAGE, "empty --output");
        return err_hint(err, "Give --output a file name, or leave it out (or give '-') to "
                             "write to standard output.");
    }
    struct stat st;
    /* A symbolic link to a file is refused: the file appears by renaming a complete temporary
     * over the name, which would replace the link itself, and following it instead would let
     * whoever can plant a link choose the file that gets overwritten. A link to a device or
     * FIFO (/dev/stdout on a terminal or pipe) is written through, as the device would be. */
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) &&
        (stat(path, &st) != 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) {
        err_set(err, ERR_USAGE, "output '%s' is a symbolic link", path);
        return err_hint(err, "Give --output the path of the file itself (not a link to it), or "
                             "leave --output out to write to standard output.");
    }
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        err_set(err, ERR_USAGE, "output file '%s' is a directory", path);
        return err_hint(err, "Give --output a file name, for example '%s/report.json'.", path);
    }
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        /* Renaming a temporary over /dev/null (as root) would replace the device by a file. */
        int sfd = open(path, O_WRONLY | O_CLOEXEC);
        if (sfd < 0 || !(o->fp = fdopen(sfd, "w"))) {
            int e = errno;
            if (sfd >= 0)
                close(sfd);
            return err_sys(err, ERR_IO, e, "could not open output '%s'", path);
        }
        o->stream = true;
        out_buffer(o);
        return 0;
    }
    o->path = xstrdup(path);
    o->tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
    int fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
        err_sys(err, ERR_IO, errno, "could not create output file '%s' (as '%s')", path,
                o->tmp);
        err_hint(err, "Give --output a path in an existing directory that this user may "
                      "write to.");
        free(o->path);
        free(o->tmp);
        o->path = o->tmp = NULL;
        return -1;
    }
    o->fp = fdopen(fd, "w");
    if (!o->fp) {
        close(fd);
        unlink(o->tmp);
        return err_sys(err, ERR_IO, errno, "could not open output file '%s'", o->tmp);
    }
    out_buffer(o);
    return 0;
}

int out_close(struct out *o, bool ok, struct err *err)
{
    int ret = 0;
    if (!o->fp)
        return 0;
    if (!o->path) {
        /* !ok: the caller failed (a failed write included) and has said so already. */
        const char *what = o->stream ? "the output" : "standard output";
        int e = 0;
        bool failed = false;
        if (fflush(o->fp) != 0) {
            e = errno;
            failed = true;
        } else if (ferror(o->fp)) {
            failed = true; /* an earlier write failed; its errno is gone */
        }
        if (o->stream && fclose(o->fp) != 0 && !failed) {
            e = errno;
            failed = true;
        }
        o->fp = NULL;
        free(o->buf);
        o->buf = NULL;
        if (failed && ok) {
            if (e)
                ret = err_sys(err, ERR_IO, e, "could not write to %s", what);
            else
                ret = err_set(err, ERR_IO, "could not write to %s", what);
        }
        return ret;
    }
    if (ok && (fflush(o->fp) != 0 || ferror(o->fp) || fsync(fileno(o->fp)) != 0)) {
        ret = err_sys(err, ERR_IO, errno, "could not write output file '%s'", o->tmp);
        ok = false;
    }
    if (fclose(o->fp) != 0 && ok) {
        ret = err_sys(err, ERR_IO, errno, "could not write output file '%s'", o->tmp);
        ok = false;
    }
    o->fp = NULL;
    free(o->buf);
    o->buf = NULL;
    if (ok && rename(o->tmp, o->path) != 0) {
        ret = err_sys(err, ERR_IO, errno, "could not rename '%s' to '%s'", o->tmp, o->path);
        ok = false;
    }
    if (!ok)
        unlink(o->tmp);
    free(o->path);
    free(o->tmp);
    o->path = o->tmp = NULL;
    return ret;
}

int cli_load_conf(const struct ctx *ctx, struct conf *conf)
{
    struct err err = ERR_INIT;
    if (conf_load(conf, ctx->conf_path, &err) != 0) {
        err_print(&err);
        return AW_UNKNOWN;
    }
    return 0;
}

int out_format_parse_text_json(const char *cmd, const char *s, enum out_format *out)
{
    struct err err = ERR_INIT;
    if (out_format_parse(s, out, &err) == 0 && *out != OUT_CSV)
        return 0;
    if (*out == OUT_CSV)
        err_set(&err, ERR_USAGE, "%s has no CSV output", cmd);
    err_hint(&err, "Use --format text or --format json.");
    err_print(&err);
    return AW_UNKNOWN;
}

int cli_check_now(const struct ctx *ctx, const char *cmd, bool dry_run)
{
    /* Five minutes of slack for a --now taken from another machine's clock. */
    const int64_t slack_ms = 5 * 60 * 1000;
    if (!ctx->now_pinned || dry_run || ctx->now_ms <= time_now_ms() + slack_ms)
        return 0;
    char pinned[TIME_ISO_MAX];
    time_format_iso8601(ctx->now_ms, pinned);
    fprintf(stderr, "alfwipe %s: --now %s is later than the clock: every age would look "
                    "longer than it is\n"
                    "hint: Drop --now, or add --dry-run to see what a later run would do.\n",
            cmd, pinned);
    return AW_UNKNOWN;
}

void csv_write_field(FILE *fp, const char *s, size_t len)
{
    bool quote = false;
    for (size_t i = 0; i < len && !quote; i++)
        quote = s[i] == '"' || s[i] == ',' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t';
    if (!quote) {
        fwrite(s, 1, len, fp);
        return;
    }
    fputc('"', fp);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            fputc('"', fp);
        fputc(s[i], fp);
    }
    fputc('"', fp);
}

void csv_write_str(FILE *fp, const char *s)
{
    if (s)
        csv_write_field(fp, s, strlen(s));
}

void csv_write_cell(FILE *fp, const char *s, bool last)
{
    csv_write_str(fp, s);
    fputc(last ? '\n' : ',', fp);
}
