/* Output destinations that never leave a half-written file behind. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
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

/* ---- O_DIRECT files ---------------------------------------------------------------------
 * The stream is a fopencookie one: its write function gathers the bytes in an aligned block;
 * each full block goes to a writer thread, which writes it with pwrite on the O_DIRECT
 * descriptor while the next block fills (a direct write waits for the device, and this way the
 * report does not wait with it). The last, partial block goes the same way, and the writer
 * clears O_DIRECT for it and writes it through the page cache at its true length: the file
 * never holds padding that a later ftruncate would have to take away again, and a failure at
 * any point leaves only the temporary file, which out_close removes. EINVAL from a direct
 * write (a filesystem that accepts the flag but not the request) clears O_DIRECT and writes
 * the same bytes again, buffered; any other error is the stream's error, reported by the next
 * write. */
struct out_direct {
    int fd;
    char *blk[2];    /* OUT_DIRECT_BLOCK bytes each, aligned for direct I/O */
    int cur;         /* the block being filled */
    size_t len;      /* bytes in blk[cur] */
    off_t off;       /* file offset of blk[cur][0] */
    bool discard;    /* out_close(!ok): write nothing more */
    int failed;      /* the writer's error, as the filling side last saw it */
    pthread_t writer;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* under mu: */
    bool pending;    /* blk[!cur] is handed to the writer */
    size_t plen;
    off_t poff;
    bool stop;
    int error;       /* errno of the first failed write; every later write fails */
    bool direct;     /* O_DIRECT is still set on fd (changed by whoever writes) */
};

/* Memory alignment for direct I/O on fd: 0 when the file cannot be written that way. */
static size_t direct_align(int fd)
{
    size_t align = 4096;
#ifdef STATX_DIOALIGN
    struct statx stx;
    if (statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx) == 0 &&
        (stx.stx_mask & STATX_DIOALIGN)) {
        size_t mem = stx.stx_dio_mem_align, off = stx.stx_dio_offset_align;
        /* Every direct write starts at a multiple of the block size. */
        if (mem == 0 || off == 0 || OUT_DIRECT_BLOCK % off != 0 || (mem & (mem - 1)) != 0)
            return 0;
        if (mem > align)
            align = mem;
        if (off > align)
            align = off;
    }
#endif
    return align;
}

static int direct_buffered(struct out_direct *d)
{
    int fl = fcntl(d->fd, F_GETFL);
    if (fl < 0 || fcntl(d->fd, F_SETFL, fl & ~O_DIRECT) != 0)
        return -1;
    d->direct = false;
    return 0;
}

/* Writes n bytes at off, all of them, or returns an errno. */
static int direct_pwrite(struct out_direct *d, const char *p, size_t n, off_t off)
{
    while (n > 0) {
        ssize_t w = pwrite(d->fd, p, n, off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno == EINVAL && d->direct) {
            /* A short direct write leaves an unaligned rest, which gets here too. */
            if (direct_buffered(d) != 0)
                return errno;
            continue;
        }
        if (w < 0)
            return errno;
        if (w == 0)
            return EIO;
        p += w;
        n -= (size_t)w;
        off += w;
    }
    return 0;
}

static void *direct_writer(void *arg)
{
    struct out_direct *d = arg;
    pthread_mutex_lock(&d->mu);
    for (;;) {
        while (!d->pending && !d->stop)
            pthread_cond_wait(&d->cv, &d->mu);
        if (!d->pending)
            break;
        const char *p = d->blk[!d->cur];
        size_t n = d->plen;
        off_t off = d->poff;
        bool skip = d->error != 0;
        pthread_mutex_unlock(&d->mu);
        int e = 0;
        /* The last, partial block: through the page cache. */
        if (!skip && n < OUT_DIRECT_BLOCK && d->direct && direct_buffered(d) != 0)
            e = errno;
        if (!skip && !e)
            e = direct_pwrite(d, p, n, off);
        pthread_mutex_lock(&d->mu);
        if (e && !d->error)
            d->error = e;
        d->pending = false;
        pthread_cond_broadcast(&d->cv);
    }
    pthread_mutex_unlock(&d->mu);
    return NULL;
}

/* Waits until the writer is idle; its error, or 0. */
static int direct_wait(struct out_direct *d)
{
    pthread_mutex_lock(&d->mu);
    while (d->pending)
        pthread_cond_wait(&d->cv, &d->mu);
    int e = d->error;
    pthread_mutex_unlock(&d->mu);
    return e;
}

/* Hands the full block to the writer and starts filling the other one. */
static void direct_handoff(struct out_direct *d)
{
    pthread_mutex_lock(&d->mu);
    while (d->pending)
        pthread_cond_wait(&d->cv, &d->mu);
    d->failed = d->error;
    if (!d->failed) {
        d->pending = true;
        d->plen = d->len;
        d->poff = d->off;
        d->cur = !d->cur;
        d->off += (off_t)d->len;
        d->len = 0;
        pthread_cond_broadcast(&d->cv);
    }
    pthread_mutex_unlock(&d->mu);
}

static ssize_t direct_write(void *cookie, const char *buf, size_t size)
{
    struct out_direct *d = cookie;
    if (d->discard)
        return (ssize_t)size;
    for (size_t done = 0; done < size;) {
        if (d->failed) {
            errno = d->failed;
            return 0; /* a cookie write reports failure by writing nothing */
        }
        size_t n = OUT_DIRECT_BLOCK - d->len;
        if (n > size - done)
            n = size - done;
        memcpy(d->blk[d->cur] + d->len, buf + done, n);
        d->len += n;
        done += n;
        if (d->len == OUT_DIRECT_BLOCK)
            direct_handoff(d);
    }
    return (ssize_t)size;
}

static int direct_close(void *cookie)
{
    struct out_direct *d = cookie;
    pthread_mutex_lock(&d->mu);
    d->stop = true;
    pthread_cond_broadcast(&d->cv);
    pthread_mutex_unlock(&d->mu);
    pthread_join(d->writer, NULL);
    pthread_cond_destroy(&d->cv);
    pthread_mutex_destroy(&d->mu);
    int ret = close(d->fd);
    free(d->blk[0]);
    free(d->blk[1]);
    free(d);
    return ret;
}

/* The last, partial block, every block still in flight, and fsync: 0, or -1 with errno. */
static int direct_finish(struct out_direct *d)
{
    if (d->len)
        direct_handoff(d);
    int e = direct_wait(d);
    if (!e && fsync(d->fd) != 0)
        e = errno;
    errno = e;
    return e ? -1 : 0;
}

/* A stream writing fd with O_DIRECT, or NULL (fd as it was) when its filesystem refuses it. */
static FILE *direct_open(struct out *o, int fd)
{
    size_t align = direct_align(fd);
    int fl = fcntl(fd, F_GETFL);
    if (!align || fl < 0 || fcntl(fd, F_SETFL, fl | O_DIRECT) != 0)
        return NULL;
    struct out_direct *d = xcalloc(1, sizeof *d);
    void *b0 = NULL, *b1 = NULL;
    FILE *fp = NULL;
    d->fd = fd;
    d->direct = true;
    if (posix_memalign(&b0, align, OUT_DIRECT_BLOCK) != 0 ||
        posix_memalign(&b1, align, OUT_DIRECT_BLOCK) != 0)
        goto fail;
    d->blk[0] = b0;
    d->blk[1] = b1;
    pthread_mutex_init(&d->mu, NULL);
    pthread_cond_init(&d->cv, NULL);
    if (pthread_create(&d->writer, NULL, direct_writer, d) != 0) {
        pthread_cond_destroy(&d->cv);
        pthread_mutex_destroy(&d->mu);
        goto fail;
    }
    cookie_io_functions_t io = {.write = direct_write, .close = direct_close};
    fp = fopencookie(d, "w", io);
    if (!fp) {
        d->fd = -1; /* closing it is the caller's */
        direct_close(d);
        (void)fcntl(fd, F_SETFL, fl);
        return NULL;
    }
    o->direct = d;
    return fp;
fail:
    free(b0);
    free(b1);
    free(d);
    (void)fcntl(fd, F_SETFL, fl);
    return NULL;
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
    /* A file size limit (ulimit -f) fails the write with EFBIG, reported like any other
     * write error, instead of killing the process with its temporary file left behind. */
    signal(SIGXFSZ, SIG_IGN);
    o->fp = direct_open(o, fd);
    if (!o->fp)
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
    if (ok && (fflush(o->fp) != 0 || ferror(o->fp) ||
               (o->direct ? direct_finish(o->direct) : fsync(fileno(o->fp))) != 0)) {
        int e = errno;
        ret = err_sys(err, ERR_IO, e, "could not write output file '%s' (as '%s')", o->path,
                      o->tmp);
        if (e == ENOSPC || e == EDQUOT)
            err_hint(err, "Free space on that filesystem, or give --output a file on another "
                          "one; the incomplete file has been removed.");
        ok = false;
    }
    if (o->direct && !ok)
        o->direct->discard = true;
    o->direct = NULL; /* freed by fclose */
    if (fclose(o->fp) != 0 && ok) {
        ret = err_sys(err, ERR_IO, errno, "could not write output file '%s' (as '%s')", o->path,
                      o->tmp);
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

/* The option name of an argument ("--now=x" -> "--now"), compared with names. */
static bool opt_is(const char *arg, const char *const *names)
{
    size_t n = strcspn(arg, "=");
    for (; *names; names++)
        if (strlen(*names) == n && strncmp(arg, *names, n) == 0)
            return true;
    return false;
}

/* The options of each command, in the order an example is looked for: an option given before
 * the command is shown after the command the user typed when that one takes it, else after
 * the first command here that does. */
static const char *const report_opts[] = {"--format", "--output", NULL};
static const char *const wipe_opts[] = {"--method", "--verify", "--final-zero", "--dry-run",
                                        "--min-age", "--max-files", "--max-bytes",
                                        "--max-seconds", "--root", "--keep", "--no-db-check",
                                        "--allow-unsafe-fs", "--operator", "--certificate",
                                        "--format", "--output", NULL};
static const char *const purge_opts[] = {"--older-than", "--include-undated", "--dry-run",
                                         "--max-items", "--auth", "--retries", "--format",
                                         "--output", NULL};
static const char *const verify_opts[] = {"--node", "--url", "--from", "--certificate",
                                          "--format", "--output", NULL};
static const char *const check_opts[] = {"--connect", "--format", NULL};
static const char *const methods_opts[] = {"--format", NULL};
static const struct {
    const char *cmd;
    const char *const *opts;
} command_opts[] = {
    {"report", report_opts}, {"wipe", wipe_opts},   {"purge", purge_opts},
    {"verify", verify_opts}, {"check", check_opts}, {"methods", methods_opts},
};

static const char *first_command_taking(const char *opt)
{
    for (size_t c = 0; c < sizeof command_opts / sizeof command_opts[0]; c++)
        if (opt_is(opt, command_opts[c].opts))
            return command_opts[c].cmd;
    return NULL;
}

const char *cli_option_command(const char *opt, int argc, char *const *argv, int from)
{
    /* the command the user typed (the first argument naming one), if it takes the option */
    for (int i = from; i < argc; i++)
        for (size_t c = 0; c < sizeof command_opts / sizeof command_opts[0]; c++)
            if (strcmp(argv[i], command_opts[c].cmd) == 0)
                return opt_is(opt, command_opts[c].opts) ? command_opts[c].cmd
                                                         : first_command_taking(opt);
    return first_command_taking(opt);
}

int cli_quiet_and_verbose(void)
{
    fprintf(stderr, "alfwipe: -q (--quiet) and -v (--verbose) given together\n"
                    "hint: Give one: -q prints only problems and the results, -v (or -vv) "
                    "also what was done.\n");
    return AW_UNKNOWN;
}

int cli_bad_option(const char *cmd, int argc, char *const *argv)
{
    static const char *const global[] = {"-c", "--config", "--now", "-q", "--quiet", "-v",
                                         "-vv", "-vvv", "--verbose", NULL};
    static const char *const with_value[] = {"-c", "--config", "--now", "--format", "--output",
                                             "--method", "--verify", "--older-than", "--node",
                                             "--url", "--certificate", "--max-items", "--from",
                                             "--auth", "--retries", "--min-age", "--max-files",
                                             "--max-bytes", "--max-seconds", "--root",
                                             "--operator", NULL};
    const char *arg = optind >= 1 && optind - 1 < argc ? argv[optind - 1] : NULL;
    const char *owner = NULL;
    /* The option as it should be written, with its value: the one given after it (getopt
     * left it as the next argument), or a placeholder. */
    char shown[256] = "";
    if (arg) {
        int nlen = (int)strcspn(arg, "=");
        if (arg[nlen] == '=' || !opt_is(arg, with_value))
            snprintf(shown, sizeof shown, "%s", arg);
        else if (optind < argc && argv[optind][0] != '-')
            snprintf(shown, sizeof shown, "%s %s", arg, argv[optind]);
        else
            snprintf(shown, sizeof shown, "%s VALUE", arg);
    }
    if (cmd && arg && opt_is(arg, global))
        fprintf(stderr, "hint: %.*s is a global option: give it before the command, as in "
                        "'alfwipe %s %s ...'.\n",
                (int)strcspn(arg, "="), arg, shown, cmd);
    else if (!cmd && arg && (owner = cli_option_command(arg, argc, argv, optind)) != NULL)
        fprintf(stderr, "hint: %.*s belongs to a command: give it after the command, as in "
                        "'alfwipe %s %s ...'.\n",
                (int)strcspn(arg, "="), arg, owner, shown);
    if (cmd)
        fprintf(stderr, "Try 'alfwipe %s --help' for more information.\n", cmd);
    else
        fprintf(stderr, "Try 'alfwipe --help' for more information.\n");
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
