/* alfwipe wipe, the engine: walk the roots, apply the refusal rules, check the database right
 * before each batch of files, then overwrite pass by pass with one sync barrier per pass for
 * the whole batch, read back, remove, and record. A batch is a run of small files (or one large
 * file): barriers are shared across files, yet a pass is read back, and the next pass started,
 * only once its data is durable.
 *
 * Durability of a batch, in order: (1) the journal names every file and its removal name
 * before the first write (a batch of one large file: its removal name right before its
 * removal, and the journal follows it pass by pass); (2) each pass is written and made durable by one syncfs; (3) each
 * file's last pass is read back from the device and, only if it matched, the file is renamed,
 * truncated and unlinked (finish_batch: file by file on a pool of threads); (4) one barrier
 * makes the batch's renames, unlinks and rmdirs durable (removals_done: a record says
 * "removed" only after it succeeded); (5) only then are the batch's certificate records
 * appended and fsync'd, once for the batch. A crash before (5) leaves no record of the batch,
 * never one claiming more than was done; the journal lets the next run find each file still
 * there, under either name, and wipe it again from the first pass.
 *
 * Steps (3) and (4) of a batch of several files run on their own thread (struct wpipe) while
 * the main thread opens, checks and overwrites the next batch; each batch keeps its own order.
 * Only the main thread writes the journal and the certificate: it takes a finished batch back
 * (settle, take_back) and appends its records, in record order, only after the thread that
 * ran (4) has ended. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alfwipe/db.h"
#include "alfwipe/exitcode.h"
#include "alfwipe/timeutil.h"
#include "alfwipe/urlpath.h"
#include "alfwipe/xalloc.h"
#include "wipe_cmd.h"

#define BATCH_MAX_FILES 1024
#define BATCH_MAX_BYTES (64u << 20)

atomic_int wipe_stop_signal;

struct bfile {
    struct wrec *rec;        /* &w->recs[ri], re-pointed when w->recs grows */
    size_t ri;
    struct wipe_file wf;
    bool opened;
    bool active;             /* still being wiped */
    bool pass_written;       /* the current pass reached the file completely */
    char tmpname[256];
    bool earlier;            /* an earlier run left it half-done: its mtime came from there */
    int64_t kept_mtime_ns;   /* an earlier run kept it (--keep): the mtime it left, else 0 */
    int rm_rc;               /* removal outcome, filled on a pool thread */
    bool tried_remove;       /* wipe_file_remove ran: rm_rc and the rest say how it went */
    char rm_reason[512];
    struct err rm_err;
    uint64_t stream_id;      /* numbers the keyed streams: unique per file within the run */
    int64_t final_mtime_ns;  /* the file's mtime when its descriptors were closed */
};

struct batch {
    struct bfile *v;
    size_t n, cap;
    uint64_t bytes;
    uint32_t root;
    size_t nact;             /* files that reached the passes */
};

/* The last stage of a batch of several files (finish_batch, then closing) runs on its own
 * thread while the main thread opens, checks and overwrites the next batch. Only the main
 * thread touches the journal, the certificate and the records outside the batch; it takes
 * the batch back (settle) before the next batch's last stage starts, and at the end. */
struct wpipe {
    struct batch b;
    size_t nverified;
    pthread_t th;
    bool running;            /* started and not joined yet */
    atomic_bool done;        /* the thread has finished its work */
};

static const char *signame(int sig)
{
    return sig == SIGINT ? "SIGINT" : "SIGTERM";
}

/* The refusal of a file younger than --min-age; a modification time after "now" (a clock
 * set wrong, or --now in the past) is said as such, not as a negative age. */
static void set_young_reason(struct wrun *w, struct wrec *r, int64_t age_ms)
{
    int64_t days = w->min_age_ms / MS_PER_DAY;
    if (age_ms < 0)
        wrec_set_reason(r, "younger than the minimum age of %" PRId64 " day%s (modified %.1f "
                        "days after the time of this run)", days, days == 1 ? "" : "s",
                        (double)-age_ms / (double)MS_PER_DAY);
    else
        wrec_set_reason(r, "younger than the minimum age of %" PRId64 " day%s (age %.1f days)",
                        days, days == 1 ? "" : "s", (double)age_ms / (double)MS_PER_DAY);
}

/* ---- progress: stderr on a terminal, at most once a second, durable bytes only ---- */

static void progress(struct wrun *w, bool final)
{
    if (!w->progress)
        return;
    int64_t now = time_now_ms();
    if (!final && now - w->last_progress_ms < 1000)
        return;
    w->last_progress_ms = now;
    double secs = (double)(now - w->t0_ms) / 1000.0;
    double rate = secs > 0 ? (double)w->bytes_durable / secs : 0;
    char eta[32] = "-";
    if (rate > 0 && w->bytes_planned > w->bytes_durable)
        snprintf(eta, sizeof eta, "%.0f s",
                 (double)(w->bytes_planned - w->bytes_durable) / rate);
    size_t done = 0;
    for (size_t i = 0; i < w->recs_final; i++)
        done += w->recs[i].st != WST_WOULD;
    fprintf(stderr, "\ralfwipe: wipe: files %zu/%zu, %.1f/%.1f MiB written, %.1f MiB/s, ETA %s ",
            done, w->ncands_files, (double)w->bytes_durable / 1048576.0,
            (double)w->bytes_planned / 1048576.0, rate / 1048576.0, eta);
    w->progress_shown = true;
    if (final)
        fputc('\n', stderr);
}

/* ---- journal ---- */

static void journal_set(struct wrun *w, struct bfile *f, const char *state, unsigned pass)
{
    if (!w->have_journal)
        return;
    const struct wrec *r = f->rec;
    struct wipe_jentry e;
    memset(&e, 0, sizeof e);
    e.root = w->roots[r->root].path;
    e.rel = r->rel;
    e.cur_rel = NULL;
    char cur[PATH_MAX];
    if (f->tmpname[0]) {
        const char *slash = strrchr(r->rel, '/');
        size_t dlen = slash ? (size_t)(slash - r->rel) + 1 : 0;
        snprintf(cur, sizeof cur, "%.*s%s", (int)dlen, r->rel, f->tmpname);
        e.cur_rel = cur;
    }
    e.dev = r->dev;
    e.ino = r->ino;
    e.size = r->size;
    e.mtime_ms = r->mtime_ms;
    snprintf(e.run, sizeof e.run, "%s", w->run_id);
    snprintf(e.method, sizeof e.method, "%s", w->sched.method->name);
    e.pass = pass;
    snprintf(e.state, sizeof e.state, "%s", state);
    e.started_ms = r->started_ms;
    if (strcmp(state, "kept") == 0)
        e.kept_mtime_ns = f->final_mtime_ns;
    wipe_journal_put(&w->journal, &e);
}

static int journal_save(struct wrun *w)
{
    if (!w->have_journal || w->journal.readonly)
        return 0;
    if (wipe_journal_save(&w->journal, &w->fatal_err) != 0) {
        w->fatal = 1;
        return -1;
    }
    return 0;
}

/* An entry an earlier run left for this file: same dev/ino and path (or the name it was being
 * renamed to, or any name under this root while it was being removed), also when that run
 * had another root: contentstore.deleted, or a --root inside it. */
static struct wipe_jentry *journal_match(struct wrun *w, const struct wroot *root,
                                         const struct wipe_cand *c, const char *rel)
{
    if (!w->have_journal)
        return NULL;
    struct wipe_jentry *e = wipe_journal_find(&w->journal, root->path, rel, c->dev, c->ino);
    if (e)
        return e;
    for (size_t i = 0; i < w->journal.n; i++) {
        struct wipe_jentry *j = &w->journal.v[i];
        if (j->dev == c->dev && j->ino == c->ino && wipe_journal_within(j->root, j->rel,
                                                                        root->path) &&
            strcmp(j->state, "removing") == 0)
            return j;
    }
    return NULL;
}

/* ---- the database check: a new snapshot per batch ---- */

/* Whether odd URL row e is referenced: as last read, or (kept unreferenced) asked again on
 * the batch's snapshot. 1 yes, 0 no, -1 with err. */
static int odd_referenced(struct db *db, struct odd_url *e, struct err *err)
{
    if (e->referenced)
        return 1;
    char id[32];
    snprintf(id, sizeof id, "%" PRId64, e->url_id);
    const char *params[1] = {id};
    char *v = NULL;
    if (db_query_value(db, "q_wipe_url_refd", params, 1, &v, err) < 0)
        return -1;
    if (!v)
        return 0;
    free(v);
    e->referenced = true;   /* never forgotten: a file it keeps stays refused */
    return 1;
}

/* The referenced row, among those sorted by path in v, whose path equals key; NULL when none.
 * *rc is -1 (with err) when the database could not answer. */
static struct odd_url *odd_hit(struct db *db, struct odd_url *v, size_t n, const char *key,
                               int *rc, struct err *err)
{
    struct odd_url k = {(char *)(uintptr_t)key, NULL, false, false, 0};
    struct odd_url *e = n ? bsearch(&k, v, n, sizeof *v, wipe_cmp_odd) : NULL;
    if (!e)
        return NULL;
    while (e > v && strcmp(e[-1].path, key) == 0)
        e--;
    for (; e < v + n && strcmp(e->path, key) == 0; e++) {
        int r = odd_referenced(db, e, err);
        if (r != 0) {
            *rc = r < 0 ? -1 : 0;
            return r < 0 ? NULL : e;
        }
    }
    return NULL;
}

/* The referenced URL that is not a plain path but resolves to url's path, or reaches the
 * file itself from the live store (f's absolute path), or NULL; *rc -1 with err when the
 * database could not answer. */
static const struct odd_url *odd_url_of(struct wrun *w, struct db *db, const struct bfile *f,
                                        const char *url, int *rc, struct err *err)
{
    *rc = 0;
    struct odd_url *hit = NULL;
    if (w->nodd > 0 && strncmp(url, "store://", 8) == 0)
        hit = odd_hit(db, w->odd, w->nodd, url + 8, rc, err);
    if (!hit && *rc == 0 && w->nodd_abs > 0) {
        char *abs = xasprintf("%s/%s", w->roots[f->rec->root].path, f->rec->rel);
        hit = odd_hit(db, w->odd_abs, w->nodd_abs, abs, rc, err);
        free(abs);
    }
    return hit;
}

static int db_check_batch(struct wrun *w, struct batch *b)
{
    if (w->o.no_db_check)
        return 0;
    struct db *db = NULL;
    struct err err = ERR_INIT;
    if (db_open(&db, &w->conf->db, &err) != 0) {
        w->fatal = 1;
        w->fatal_err = err;
        err_prefix(&w->fatal_err, "cannot check references");
        err_hint(&w->fatal_err, "The database answered at the start of the run; check it, "
                                "then run again (files not reached are untouched).");
        return -1;
    }
    /* URL rows added since the last batch: one that is no plain path, or whose short value
     * or CRC does not match it, escapes the lookup below */
    if (wipe_load_odd_urls(w, db, &err) != 0) {
        w->fatal = 1;
        w->fatal_err = err;
        db_close(db);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < b->n; i++) {
        struct bfile *f = &b->v[i];
        if (!f->active)
            continue;
        if (!f->rec->url) {
            f->active = false;
            f->rec->st = WST_REFUSED;
            wrec_set_reason(f->rec, "name has no content URL (%s)",
                            strchr(f->rec->rel, '\\') ? "holds a backslash"
                                                       : "not valid UTF-8");
            continue;
        }
        int orc = 0;
        const struct odd_url *odd = odd_url_of(w, db, f, f->rec->url, &orc, &err);
        if (orc != 0) {
            w->fatal = 1;
            w->fatal_err = err;
            err_prefix(&w->fatal_err, "cannot check references of '%s'", f->rec->url);
            rc = -1;
            break;
        }
        if (odd && odd->inconsistent) {
            f->active = false;
            f->rec->st = WST_REFUSED;
            wrec_set_reason(f->rec, "deleted_referenced: the database holds the referenced URL "
                            "'%s' in a row whose content_url_short or content_url_crc does not "
                            "match the URL (Alfresco still reads it through its content data)",
                            odd->url);
            continue;
        }
        if (odd) {
            f->active = false;
            f->rec->st = WST_REFUSED;
            wrec_set_reason(f->rec, "deleted_referenced: the database holds the referenced URL "
                            "'%s', which Alfresco reads as this file", odd->url);
            continue;
        }
        struct wipe_refs refs;
        if (wipe_db_refs(db, f->rec->url, &refs, &err) != 0) {
            w->fatal = 1;
            w->fatal_err = err;
            err_prefix(&w->fatal_err, "cannot check references of '%s'", f->rec->url);
            rc = -1;
            break;
        }
        if (refs.referenced) {
            char reason[900];
            wipe_refs_reason(&refs, reason, sizeof reason);
            f->active = false;
            f->rec->st = WST_REFUSED;
            wrec_set_reason(f->rec, "deleted_referenced: %s", reason);
        }
        wipe_refs_release(&refs);
    }
    db_close(db);
    return rc;
}

/* ---- opening a batch ---- */

static void refuse(struct wrec *r, const char *reason)
{
    r->st = WST_REFUSED;
    wrec_set_reason(r, "%s", reason);
}

static void fail_rec(struct wrec *r, const struct err *err)
{
    r->st = WST_FAILED;
    wrec_set_reason(r, "%s", err->msg);
}

/* The parent directory of rel, reusing the previous one when it is the same directory. */
struct parent_cache {
    int fd;
    uint32_t root;
    char dir[PATH_MAX];
};

static int parent_fd(struct wrun *w, struct parent_cache *pc, uint32_t root, const char *rel,
                     uint64_t dev, struct err *err)
{
    const char *slash = strrchr(rel, '/');
    size_t dlen = slash ? (size_t)(slash - rel) : 0;
    if (pc->fd >= 0 && pc->root == root && strlen(pc->dir) == dlen &&
        strncmp(pc->dir, rel, dlen) == 0)
        return pc->fd;
    if (pc->fd >= 0)
        close(pc->fd);
    pc->fd = wipe_open_parent(w->roots[root].fd, dev, rel, err);
    if (pc->fd < 0)
        return -1;
    pc->root = root;
    snprintf(pc->dir, sizeof pc->dir, "%.*s", (int)dlen, rel);
    return pc->fd;
}

static void open_file(struct wrun *w, struct bfile *f, struct parent_cache *pc)
{
    struct wrec *r = f->rec;
    const struct wroot *root = &w->roots[r->root];
    struct err err = ERR_INIT;
    wipe_hook("file", r->rel, NULL);
    int dfd = parent_fd(w, pc, r->root, r->rel, r->dev, &err);
    if (dfd < 0) {
        refuse(r, err.msg);
        f->active = false;
        return;
    }
    const char *base = strrchr(r->rel, '/');
    base = base ? base + 1 : r->rel;
    char reason[512] = "";
    int rc = wipe_file_open(&f->wf, dfd, base, !w->o.dry_run, reason, sizeof reason, &err);
    if (rc < 0) {
        fail_rec(r, &err);
        f->active = false;
        return;
    }
    if (rc == WIPE_OPEN_REFUSED) {
        refuse(r, reason);
        f->active = false;
        return;
    }
    f->opened = true;
    wipe_file_set_place(&f->wf, root->fd, root->path, r->rel);
    if (f->wf.dev != r->dev || f->wf.ino != r->ino) {
        refuse(r, "replaced since the directory was read");
        f->active = false;
        return;
    }
    r->size = f->wf.size;
    r->nlink = f->wf.nlink;
    if (f->earlier && f->kept_mtime_ns && f->wf.mtime_ns != f->kept_mtime_ns) {
        /* changed since an earlier run kept it: its own mtime decides again */
        f->earlier = false;
        free(r->earlier);
        r->earlier = NULL;
    }
    if (!f->earlier) {
        r->mtime_ms = f->wf.mtime_ns / 1000000;
        int64_t age = w->ctx->now_ms - r->mtime_ms;
        if (age < w->min_age_ms) {
            set_young_reason(w, r, age);
            r->st = WST_REFUSED;
            f->active = false;
            return;
        }
    }
    /* Whether an in-place overwrite holds for this very file. */
    struct wipe_file_fs ff;
    wipe_file_fs_probe(f->wf.fd, root->fi.policy != WIPE_FS_SAFE, &ff);
    if (wipe_fault_jflag(f->wf.name))
        ff.journal_data = true;
    char why[300];
    if (ff.journal_data) {
        if (!w->o.allow_unsafe) {
            refuse(r, "data journaling enabled for this file (chattr +j): the journal keeps "
                      "copies of the old content");
            f->active = false;
            return;
        }
        r->guaranteed = false;
    } else if (!wipe_fs_file_in_place(&root->fi, &ff, why, sizeof why)) {
        if (!w->o.allow_unsafe) {
            refuse(r, why);
            f->active = false;
            return;
        }
        r->guaranteed = false;
    }
    f->wf.stream_id = f->stream_id;
    if (wipe_file_map(&f->wf, &err) != 0) {
        fail_rec(r, &err);
        f->active = false;
    }
}

static void settle(struct wrun *w, size_t limit, bool wait);

/* ---- syncing a pass for the whole batch ---- */

static void sync_pass(struct wrun *w, struct batch *b, unsigned passno)
{
    size_t nact = 0;
    int any_fd = -1;
    for (size_t i = 0; i < b->n; i++) {
        struct bfile *f = &b->v[i];
        if (!f->active)
            continue;
        int ferr = wipe_fault_sync(passno, f->wf.name);
        if (ferr) {
            struct err err = ERR_INIT;
            err_sys(&err, ERR_IO, ferr, "sync failed after pass %u", passno);
            fail_rec(f->rec, &err);
            f->active = false;
            continue;
        }
        nact++;
        any_fd = f->wf.fd;
    }
    if (nact == 0)
        return;
    /* One barrier for all: syncfs writes every dirty page of the filesystem and flushes the
     * device once. On error, each file's own fdatasync says which one failed. */
    bool per_file = nact == 1 || syncfs(any_fd) != 0;
    for (size_t i = 0; i < b->n; i++) {
        struct bfile *f = &b->v[i];
        if (!f->active)
            continue;
        if (per_file) {
            struct err err = ERR_INIT;
            if (wipe_file_sync(&f->wf, passno, &err) != 0) {
                fail_rec(f->rec, &err);
                f->active = false;
                continue;
            }
        }
        w->bytes_durable += f->wf.data_bytes;
    }
}

/* ---- a small pool: fn(ctx, i, worker) for i in [0, n) on up to nthreads threads ---- */

struct pool {
    void (*fn)(void *ctx, size_t i, size_t worker);
    void *ctx;
    size_t n, next;
    pthread_mutex_t mu;
};

struct pool_arg {
    struct pool *pl;
    size_t worker;
};

static void *pool_worker(void *arg)
{
    struct pool_arg *a = arg;
    struct pool *pl = a->pl;
    for (;;) {
        pthread_mutex_lock(&pl->mu);
        size_t i = pl->next++;
        pthread_mutex_unlock(&pl->mu);
        if (i >= pl->n)
            return NULL;
        pl->fn(pl->ctx, i, a->worker);
    }
}

/* Runs on the calling thread alone (as worker 0) when nthreads is 1 or no thread starts. */
static void pool_run(size_t nthreads, size_t n, void (*fn)(void *ctx, size_t i, size_t worker),
                     void *ctx)
{
    struct pool pl = {fn, ctx, n, 0, PTHREAD_MUTEX_INITIALIZER};
    pthread_t th[WIPE_THREADS];
    struct pool_arg args[WIPE_THREADS];
    size_t started = 0;
    for (size_t t = 0; nthreads > 1 && t < nthreads && t < WIPE_THREADS && t < n; t++) {
        args[started].pl = &pl;
        args[started].worker = started;
        if (pthread_create(&th[started], NULL, pool_worker, &args[started]) == 0)
            started++;
    }
    if (started == 0) {
        struct pool_arg self = {&pl, 0};
        pool_worker(&self);
    }
    for (size_t t = 0; t < started; t++)
        pthread_join(th[t], NULL);
}

/* Buffers for up to want worker threads (sets[], *nsets of them allocated, kept for the run):
 * how many there are. */
static size_t bufs_for(struct wipe_bufs *sets, size_t *nsets, size_t want)
{
    if (want > WIPE_THREADS)
        want = WIPE_THREADS;
    while (*nsets < want) {
        struct err err = ERR_INIT;
        if (wipe_bufs_init(&sets[*nsets], &err) != 0)
            break;
        (*nsets)++;
    }
    return want < *nsets ? want : *nsets;
}

/* The main thread's worker buffers (passes, a large file's read-back). */
static size_t thread_bufs(struct wrun *w, size_t want)
{
    return bufs_for(w->tbufs, &w->ntbufs, want);
}

/* ---- removal ---- */

static size_t depth_of(const char *s)
{
    size_t d = 0;
    for (; *s; s++)
        d += *s == '/';
    return d;
}

static int cmp_depth_desc(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    size_t dx = depth_of(x), dy = depth_of(y);
    if (dx != dy)
        return dx > dy ? -1 : 1;
    return strcmp(x, y);
}

/* Remove the directories that the batch's removals left empty, deepest first and upward, never
 * the root; then make every rename, unlink and rmdir of the batch durable with one barrier:
 * the directory's fsync when a single file went and no directory, else one syncfs of the
 * filesystem. 0 when durable, else -1 with errno set. */
static int remove_empty_parents(struct wrun *w, struct batch *b, int file_dirfd,
                                size_t nremoved)
{
    char **dirs = NULL;
    size_t n = 0, cap = 0, nrm = 0;
    for (size_t i = 0; i < b->n; i++) {
        struct bfile *f = &b->v[i];
        if (!f->rec->removed)
            continue;
        const char *slash = strrchr(f->rec->rel, '/');
        if (!slash)
            continue;
        dirs = xgrow(dirs, &cap, n + 1, sizeof *dirs);
        dirs[n++] = xstrndup(f->rec->rel, (size_t)(slash - f->rec->rel));
    }
    /* Sorted once, deepest first, duplicates dropped: a parent is tried after all of its
     * children, and a parent added later goes in at its place in that order. */
    if (n > 1)
        qsort(dirs, n, sizeof *dirs, cmp_depth_desc);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m > 0 && strcmp(dirs[m - 1], dirs[i]) == 0)
            free(dirs[i]);
        else
            dirs[m++] = dirs[i];
    }
    n = m;
    int pfd = -1;
    char *pdir = NULL;   /* the directory pfd is open on: consecutive entries often share it */
    for (size_t i = 0; i < n; i++) {
        char *d = dirs[i];
        const char *base = strrchr(d, '/');
        size_t plen = base ? (size_t)(base - d) : 0;
        if (!pdir || strlen(pdir) != plen || strncmp(pdir, d, plen) != 0) {
            if (pfd >= 0)
                close(pfd);
            free(pdir);
            pdir = NULL;
            struct err err = ERR_INIT;
            pfd = wipe_open_parent(w->roots[b->root].fd, b->v[0].rec->dev, d, &err);
            if (pfd >= 0)
                pdir = xstrndup(d, plen);
        }
        bool gone = pfd >= 0 && unlinkat(pfd, base ? base + 1 : d, AT_REMOVEDIR) == 0;
        nrm += gone;
        if (gone && base) {
            char *up = xstrndup(d, plen);
            size_t at = i + 1;
            while (at < n && cmp_depth_desc(&dirs[at], &up) < 0)
                at++;
            if (at < n && strcmp(dirs[at], up) == 0) {
                free(up);
            } else {
                dirs = xgrow(dirs, &cap, n + 1, sizeof *dirs);
                memmove(&dirs[at + 1], &dirs[at], (n - at) * sizeof *dirs);
                dirs[at] = up;
                n++;
            }
        }
    }
    if (pfd >= 0)
        close(pfd);
    free(pdir);
    for (size_t i = 0; i < n; i++)
        free(dirs[i]);
    free(dirs);
    int ferr = nremoved + nrm > 0 ? wipe_fault_rmsync() : 0;
    if (ferr) {
        errno = ferr;
        return -1;
    }
    if (nremoved == 1 && nrm == 0)
        return fsync(file_dirfd);
    if (nremoved + nrm > 0)
        return syncfs(file_dirfd);
    return 0;
}

/* Rename, truncate, unlink (wipe_file_remove); a removed file's descriptors are closed at once,
 * so its inode is freed here too (on a pool thread when the batch has one). */
static void remove_file(struct bfile *f)
{
    bool truncated = false;
    f->rm_reason[0] = '\0';
    err_init(&f->rm_err);
    f->rm_rc = wipe_file_remove(&f->wf, f->tmpname[0] ? f->tmpname : NULL, f->rm_reason,
                                sizeof f->rm_reason, &truncated, &f->rm_err);
    if (f->rm_rc == WIPE_REMOVED)
        wipe_file_close_data(&f->wf);
}

/* Name each file's removal in advance and save the journal (state "removing"): a rerun after
 * SIGKILL finds the file under either name. false when there is nothing to remove or the
 * journal could not be written. */
static bool journal_removals(struct wrun *w, struct batch *b)
{
    bool any = false;
    for (size_t i = 0; i < b->n; i++) {
        struct bfile *f = &b->v[i];
        if (!f->active)
            continue;
        struct err err = ERR_INIT;
        if (wipe_random_name(f->tmpname, strlen(f->wf.name), &err) != 0)
            f->tmpname[0] = '\0';
        journal_set(w, f, "removing", (unsigned)w->sched.npasses);
        any = true;
    }
    if (!any)
        return false;
    if (journal_save(w) == 0)
        return true;
    for (size_t i = 0; i < b->n; i++)
        if (b->v[i].active)
            wrec_set_reason(b->v[i].rec, "overwritten, not removed: the state journal could "
                                         "not be written");
    return false;
}

/* After the removals of a batch: apply their outcomes to the records, remove emptied
 * directories and make it all durable. Only then does a record say "removed" (and it reaches
 * the certificate, whose fsync follows, only after this barrier). */
static void removals_done(struct wrun *w, struct batch *b)
{
    int sync_fd = -1;   /* a directory of a removed file: any fd on the filesystem */
    size_t nremoved = 0;
    for (size_t i = 0; i < b->n; i++) {
        struct bfile *f = &b->v[i];
        if (!f->active || !f->tried_remove)
            continue;
        if (f->rm_rc == WIPE_REMOVED) {
            f->rec->removed = true;
            sync_fd = f->wf.dirfd;
            nremoved++;
        } else if (f->rm_rc == WIPE_NOT_REMOVED) {
            wrec_set_reason(f->rec, "overwritten, not removed: %s", f->rm_reason);
        } else {
            wrec_set_reason(f->rec, "overwritten, not removed: %s", f->rm_err.msg);
        }
    }
    if (remove_empty_parents(w, b, sync_fd, nremoved) == 0)
        return;
    int e = errno;
    warnx_msg("could not sync the directories of removed files: %s", strerror(e));
    for (size_t i = 0; i < b->n; i++) {
        struct bfile *f = &b->v[i];
        if (!f->rec->removed)
            continue;
        f->rec->removed = false;
        wrec_set_reason(f->rec, "overwritten and unlinked, but the removal could not be made "
                                "durable: %s", strerror(e));
    }
}

/* A batch of one file (a large one): removed on this thread. */
static void remove_batch(struct wrun *w, struct batch *b)
{
    if (!journal_removals(w, b))
        return;
    for (size_t i = 0; i < b->n; i++) {
        struct bfile *f = &b->v[i];
        if (!f->active)
            continue;
        wipe_hook("before-remove", f->rec->rel, NULL);
        f->tried_remove = true;
        remove_file(f);
    }
    removals_done(w, b);
}

enum abort_at { AB_WRITE, AB_VERIFY, AB_AFTER };

static void abort_rec(struct bfile *f, int sig, unsigned passno, enum abort_at at)
{
    struct wrec *r = f->rec;
    r->st = WST_ABORTED;
    f->active = false;
    static const char *const where[] = {"during pass", "during verification of pass",
                                        "after pass"};
    wrec_set_reason(r, "interrupted by %s %s %u (%u of %u passes done)", signame(sig),
                    where[at], passno, r->passes_done, r->passes_total);
}

/* ---- reading a pass back: several files, or ranges of a large one, at a time ---- */

#define VERIFY_THREADS 4
#define VERIFY_UNIT (64u << 20)

struct vunit {
    struct bfile *f;
    uint64_t lo, hi;
    int rc;
    uint64_t nread;
    char reason[160];
    struct err err;
};

struct vpool {
    struct wrun *w;
    const struct wipe_pass *p;
    unsigned pn;
    struct vunit *u;
    size_t n, next;
    pthread_mutex_t mu;
};

struct vworker {
    struct vpool *pool;
    struct wipe_bufs *bufs;
};

static void *verify_worker(void *arg)
{
    struct vworker *vw = arg;
    struct vpool *pool = vw->pool;
    for (;;) {
        pthread_mutex_lock(&pool->mu);
        size_t i = pool->next++;
        pthread_mutex_unlock(&pool->mu);
        if (i >= pool->n)
            break;
        struct vunit *u = &pool->u[i];
        err_init(&u->err);
        u->rc = wipe_file_verify_range(&u->f->wf, pool->p, pool->pn, &pool->w->key, vw->bufs,
                                       &wipe_stop_signal, u->lo, u->hi, &u->nread, u->reason,
                                       sizeof u->reason, &u->err);
    }
    return NULL;
}

/* Read pass pn back for every active file of the batch with up to VERIFY_THREADS threads, so
 * the device sees several requests at once. Results are applied in file order afterwards. */
static int verify_parallel(struct wrun *w, struct batch *b, const struct wipe_pass *p,
                           unsigned pn)
{
    int sig = 0;
    size_t nu = 0, cap = 0;
    struct vunit *u = NULL;
    for (size_t i = 0; i < b->n; i++) {
        struct bfile *f = &b->v[i];
        if (!f->active || f->wf.data_bytes == 0)
            continue;
        struct err err = ERR_INIT;
        if (wipe_file_verify_prepare(&f->wf, pn, &err) != 0) {
            fail_rec(f->rec, &err);
            f->active = false;
            continue;
        }
        for (uint64_t lo = 0; lo < (uint64_t)f->wf.size; lo += VERIFY_UNIT) {
            u = xgrow(u, &cap, nu + 1, sizeof *u);
            memset(&u[nu], 0, sizeof u[nu]);
            u[nu].f = f;
            u[nu].lo = lo;
            u[nu].hi = lo + VERIFY_UNIT < (uint64_t)f->wf.size ? lo + VERIFY_UNIT
                                                               : (uint64_t)f->wf.size;
            nu++;
        }
    }
    size_t nt = thread_bufs(w, nu < VERIFY_THREADS ? nu : VERIFY_THREADS);
    struct vpool pool = {w, p, pn, u, nu, 0, PTHREAD_MUTEX_INITIALIZER};
    struct vworker vw[VERIFY_THREADS];
    pthread_t th[VERIFY_THREADS];
    size_t started = 0;
    for (size_t t = 0; t < nt; t++) {
        vw[t].pool = &pool;
        vw[t].bufs = &w->tbufs[t];
        if (pthread_create(&th[t], NULL, verify_worker, &vw[t]) != 0)
            break;
        started++;
    }
    if (started == 0) {
        struct vworker self = {&pool, &w->bufs};
        verify_worker(&self);
    }
    for (size_t t = 0; t < started; t++)
        pthread_join(th[t], NULL);
    /* Apply per file, in offset order: error, then a mismatch, then a stop. */
    for (size_t k = 0; k < nu;) {
        struct bfile *f = u[k].f;
        size_t end = k;
        int rc = 0;
        const struct vunit *bad = NULL;
        uint64_t nread = 0;
        for (; end < nu && u[end].f == f; end++) {
            nread += u[end].nread;
            int r = u[end].rc;
            int rank = r == -1 ? 4 : r == 3 ? 3 : r == 2 ? 2 : r == 1 ? 1 : 0;
            int cur = rc == -1 ? 4 : rc == 3 ? 3 : rc == 2 ? 2 : rc == 1 ? 1 : 0;
            if (rank > cur) {
                rc = r;
                bad = &u[end];
            }
        }
        k = end;
        enum wipe_check_how how = f->wf.rfd_direct ? WIPE_CHECK_DIRECT : WIPE_CHECK_CACHE;
        if (rc == 3) {
            /* O_DIRECT refused part-way: read the whole file again, cache-only */
            char reason[256] = "";
            struct err err = ERR_INIT;
            rc = wipe_file_verify_pass(&f->wf, p, pn, &w->key, &w->bufs, &wipe_stop_signal,
                                       &how, &nread, reason, sizeof reason, &err);
            if (rc == 2)
                wrec_set_reason(f->rec, "%s", reason);
            else if (rc < 0)
                fail_rec(f->rec, &err);
            if (rc == 2 || rc < 0) {
                if (rc == 2)
                    f->rec->st = WST_FAILED;
                f->active = false;
            }
        } else if (rc == 2) {
            f->rec->st = WST_FAILED;
            wrec_set_reason(f->rec, "%s", bad->reason);
            f->active = false;
        } else if (rc < 0) {
            fail_rec(f->rec, &bad->err);
            f->active = false;
        }
        f->rec->bytes_verified += nread;
        if (f->rec->how == WIPE_CHECK_NONE || how == WIPE_CHECK_CACHE)
            f->rec->how = how;
        if (rc == 1) {
            sig = wipe_stop_signal ? wipe_stop_signal : SIGTERM;
            abort_rec(f, sig, pn, AB_VERIFY);
        }
    }
    free(u);
    return sig ? sig : wipe_stop_signal;
}

/* ---- one batch ---- */

/* Every pass written, synced and (where planned) read back, and the file unchanged: ERASED.
 * verified: every pass the schedule reads back was read back and matched. */
static void mark_erased(struct bfile *f, bool verified)
{
    char reason[128];
    if (!wipe_file_unchanged(&f->wf, reason, sizeof reason)) {
        refuse(f->rec, reason);
        f->active = false;
        return;
    }
    struct wrec *r = f->rec;
    r->st = WST_ERASED;
    r->verified = verified && f->wf.data_bytes > 0;
    if (f->wf.data_bytes == 0)
        wrec_set_reason(r, "%s", f->wf.size == 0 ? "empty file: nothing to overwrite"
                                                 : "no allocated data: nothing to overwrite");
}

struct wpass {
    struct wrun *w;
    struct batch *b;
    const struct wipe_pass *p;
    unsigned pn;
    const char *pbuf;
};

/* Write pass pn of file i (once a stop was asked for, no new file is started). */
static void write_one(void *ctx, size_t i, size_t worker)
{
    struct wpass *wp = ctx;
    struct bfile *f = &wp->b->v[i];
    if (!f->active)
        return;
    f->pass_written = false;
    char reason[128];
    if (!wipe_file_unchanged(&f->wf, reason, sizeof reason)) {
        refuse(f->rec, reason);
        f->active = false;
        return;
    }
    if (wipe_stop_signal)
        return;
    wipe_hook("pass-start", f->rec->rel, wp->pbuf);
    uint64_t written = 0;
    struct err err = ERR_INIT;
    struct wipe_bufs *bufs = wp->w->ntbufs > worker ? &wp->w->tbufs[worker] : &wp->w->bufs;
    int rc = wipe_file_write_pass(&f->wf, wp->p, wp->pn, &wp->w->key, bufs, &wipe_stop_signal,
                                  &written, &err);
    /* Our own write moved the mtime: remember it before anyone else can. */
    wipe_file_note_own_write(&f->wf);
    f->rec->bytes_written += written;
    if (rc < 0) {
        fail_rec(f->rec, &err);
        f->active = false;
        return;
    }
    f->pass_written = rc == 0;
    if (wp->b->n > 1)
        wipe_file_start_writeback(&f->wf);
    if (rc == 0 && !wipe_stop_signal)
        wipe_hook("pass-written", f->rec->rel, wp->pbuf);
}

/* One writer per CPU (at most WIPE_THREADS, each with its buffers). */
static size_t write_threads(struct wrun *w)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    size_t want = ncpu > 1 ? (size_t)ncpu : 1;
    return want > 1 ? thread_bufs(w, want) : 1;
}

/* Write, sync and read back every pass for the whole batch. With defer_last the last pass is
 * written and synced but left to finish_batch to read back (and the files to mark ERASED);
 * *nverified gets the passes read back so far. */
static void run_passes(struct wrun *w, struct batch *b, bool defer_last, size_t *nverified)
{
    unsigned npasses = (unsigned)w->sched.npasses;
    size_t nverify_planned = wipe_schedule_nverified(&w->sched);
    size_t nverify_done = 0;
    *nverified = 0;
    int sig = 0;
    for (unsigned pn = 1; pn <= npasses && !sig; pn++) {
        const struct wipe_pass *p = &w->sched.passes[pn - 1];
        char pbuf[16];
        snprintf(pbuf, sizeof pbuf, "%u", pn);
        /* Page-cache writes cost CPU: small files are written on several threads. */
        struct wpass wp = {w, b, p, pn, pbuf};
        pool_run(b->n > 1 && !wipe_hooks_active() ? write_threads(w) : 1, b->n, write_one,
                 &wp);
        sig = wipe_stop_signal;
        /* The previous batch's last stage, when it is over: its journal states and records
         * go out now, while the device still writes this pass. */
        settle(w, b->v[0].ri, false);
        /* What was written reaches the disk before anything is read back or reported. */
        sync_pass(w, b, pn);
        if (!sig)
            sig = wipe_stop_signal;
        if (sig) {
            for (size_t i = 0; i < b->n; i++) {
                struct bfile *f = &b->v[i];
                if (!f->active)
                    continue;
                if (f->pass_written && !p->verify)
                    f->rec->passes_done = pn;
                abort_rec(f, sig, pn, AB_WRITE);
            }
            break;
        }
        if (defer_last && pn == npasses) {
            for (size_t i = 0; i < b->n; i++)
                if (b->v[i].active && !p->verify)
                    b->v[i].rec->passes_done = pn;
            *nverified = nverify_done;
            return;
        }
        size_t nver = 0;
        uint64_t vbytes = 0;
        for (size_t i = 0; i < b->n; i++)
            if (b->v[i].active) {
                nver++;
                vbytes += b->v[i].wf.data_bytes;
            }
        if (p->verify && !wipe_hooks_active() && (nver > 1 || vbytes > VERIFY_UNIT)) {
            sig = verify_parallel(w, b, p, pn);
            nverify_done++;
        } else if (p->verify) {
            for (size_t i = 0; i < b->n; i++) {
                struct bfile *f = &b->v[i];
                if (!f->active)
                    continue;
                if (sig) {
                    abort_rec(f, sig, pn, AB_VERIFY);
                    continue;
                }
                wipe_hook("verify-start", f->rec->rel, pbuf);
                enum wipe_check_how how;
                uint64_t nread = 0;
                char reason[256] = "";
                struct err err = ERR_INIT;
                int rc = wipe_file_verify_pass(&f->wf, p, pn, &w->key, &w->bufs,
                                               &wipe_stop_signal, &how, &nread, reason,
                                               sizeof reason, &err);
                f->rec->bytes_verified += nread;
                if (f->wf.data_bytes > 0 &&
                    (f->rec->how == WIPE_CHECK_NONE || how == WIPE_CHECK_CACHE))
                    f->rec->how = how;
                if (rc == 1) {
                    sig = wipe_stop_signal;
                    abort_rec(f, sig, pn, AB_VERIFY);
                } else if (rc == 2) {
                    f->rec->st = WST_FAILED;
                    wrec_set_reason(f->rec, "%s", reason);
                    f->active = false;
                } else if (rc < 0) {
                    fail_rec(f->rec, &err);
                    f->active = false;
                } else if (wipe_stop_signal) {
                    sig = wipe_stop_signal;
                }
            }
            nverify_done++;
        }
        for (size_t i = 0; i < b->n; i++) {
            struct bfile *f = &b->v[i];
            if (!f->active)
                continue;
            f->rec->passes_done = pn;
            if (sig && pn < npasses)
                abort_rec(f, sig, pn, AB_AFTER);
            else
                journal_set(w, f, "wiping", pn);
        }
        /* A large file alone in its batch: the journal follows it pass by pass. */
        if (b->n == 1 && b->v[0].active && pn < npasses)
            (void)journal_save(w);
        progress(w, false);
    }
    *nverified = nverify_done;
    /* Survivors: every pass written, synced and (where planned) read back. */
    for (size_t i = 0; i < b->n; i++)
        if (b->v[i].active)
            mark_erased(&b->v[i], nverify_planned > 0 && nverify_done == nverify_planned);
}

/* ---- the last stage of a batch of several files: read back, mark, remove ---- */

/* Once the last pass of the batch is durable, each file goes on its own, on a pool of
 * WIPE_THREADS threads: its last pass is read back from the device (when the schedule says
 * so), it is marked ERASED only if that matched and it is unchanged, and then it is renamed,
 * truncated, unlinked and closed. Read-backs of some files thus overlap with the removal of
 * others. The durability of all the removals is one barrier afterwards (removals_done), and
 * the records reach the certificate, with its own fsync, only after that barrier: a crash at
 * any point leaves no record claiming more than was done. The journal, saved before the first
 * pass with each file's removal name, lets a rerun find every file of the batch that is still
 * there, under either name. */
struct finish {
    struct wrun *w;
    struct batch *b;
    struct wipe_bufs *bufs;  /* one set per worker, nbufs of them */
    size_t nbufs;
    const struct wipe_pass *p;
    unsigned pn;
    bool verified;           /* every read-back the schedule plans done (the last one here) */
    bool verify_last;        /* the last pass is read back here */
    bool remove;
};

static void finish_one(void *ctx, size_t i, size_t worker)
{
    struct finish *fs = ctx;
    struct bfile *f = &fs->b->v[i];
    if (!f->active)
        return;
    struct wrec *r = f->rec;
    struct wipe_bufs *bufs = fs->nbufs > worker ? &fs->bufs[worker] : &fs->w->bufs;
    if (fs->verify_last && f->wf.data_bytes > 0) {
        int sig = wipe_stop_signal;
        if (sig) {
            abort_rec(f, sig, fs->pn, AB_VERIFY);
            return;
        }
        char pbuf[16];
        snprintf(pbuf, sizeof pbuf, "%u", fs->pn);
        wipe_hook("verify-start", r->rel, pbuf);
        enum wipe_check_how how;
        uint64_t nread = 0;
        char reason[256] = "";
        struct err err = ERR_INIT;
        int rc = wipe_file_verify_pass(&f->wf, fs->p, fs->pn, &fs->w->key, bufs,
                                       &wipe_stop_signal, &how, &nread, reason, sizeof reason,
                                       &err);
        r->bytes_verified += nread;
        if (r->how == WIPE_CHECK_NONE || how == WIPE_CHECK_CACHE)
            r->how = how;
        if (rc == 1) {
            abort_rec(f, wipe_stop_signal ? wipe_stop_signal : SIGTERM, fs->pn, AB_VERIFY);
            return;
        }
        if (rc == 2) {
            r->st = WST_FAILED;
            wrec_set_reason(r, "%s", reason);
            f->active = false;
            return;
        }
        if (rc < 0) {
            fail_rec(r, &err);
            f->active = false;
            return;
        }
    }
    if (fs->verify_last)
        r->passes_done = fs->pn;
    mark_erased(f, fs->verified);
    if (!f->active || !fs->remove)
        return;
    wipe_hook("before-remove", r->rel, NULL);
    f->tried_remove = true;
    remove_file(f);
}

/* On the calling thread (with a test hook in the way, one file after the other) or, when the
 * batch's last stage runs beside the next batch, on its own thread: the buffers are the last
 * stage's own (w->fbufs), never those of the passes. */
static void finish_batch(struct wrun *w, struct batch *b, size_t nverified)
{
    unsigned npasses = (unsigned)w->sched.npasses;
    const struct wipe_pass *p = &w->sched.passes[npasses - 1];
    size_t planned = wipe_schedule_nverified(&w->sched);
    struct finish fs = {w, b, w->fbufs, 0, p, npasses, false, p->verify, false};
    /* a file that reaches mark_erased has had its last pass read back, when it is planned */
    fs.verified = planned > 0 && nverified + (p->verify ? 1u : 0u) == planned;
    fs.remove = !w->o.keep;
    size_t nact = 0;
    for (size_t i = 0; i < b->n; i++)
        nact += b->v[i].active;
    fs.nbufs = bufs_for(w->fbufs, &w->nfbufs, wipe_hooks_active() ? 1 : nact);
    pool_run(wipe_hooks_active() ? 1 : fs.nbufs, b->n, finish_one, &fs);
    if (fs.remove)
        removals_done(w, b);
}

static void close_one(void *ctx, size_t i, size_t worker)
{
    (void)worker;
    struct batch *b = ctx;
    struct bfile *f = &b->v[i];
    if (f->opened) {
        f->final_mtime_ns = f->wf.mtime_ns;
        wipe_file_close(&f->wf);
    }
}

/* The last close of a removed directory frees it (and may wait for the device to discard its
 * blocks): several at once. */
static void close_files(struct batch *b)
{
    pool_run(b->n > 1 && !wipe_hooks_active() ? WIPE_THREADS : 1, b->n, close_one, b);
}


/* Every file of the batch ends now (its last stage is over). */
static void stamp_end(struct batch *b)
{
    int64_t t_end = time_now_ms();
    for (size_t i = 0; i < b->n; i++)
        b->v[i].rec->ended_ms = t_end;
}

static void *finish_thread(void *arg)
{
    struct wrun *w = arg;
    struct wpipe *p = w->pipe;
    finish_batch(w, &p->b, p->nverified);
    stamp_end(&p->b);
    close_files(&p->b);
    atomic_store(&p->done, true);
    return NULL;
}

/* Journal states of a batch's files once its last stage is over (main thread). */
static void batch_after(struct wrun *w, struct batch *b)
{
    for (size_t i = 0; i < b->n && w->have_journal; i++) {
        struct bfile *f = &b->v[i];
        if (f->rec->st == WST_ABORTED) {
            journal_set(w, f, "aborted", f->rec->passes_done);
        } else if (f->rec->st == WST_ERASED && !f->rec->removed && w->o.keep && f->opened) {
            /* Overwritten and left in place: its mtime is now ours. The next run takes the
             * age from the journal, as for an interrupted file, instead of refusing it as
             * too young. */
            journal_set(w, f, "kept", f->rec->passes_done);
        } else if (f->rec->st == WST_ERASED || f->rec->st == WST_FAILED ||
                   (f->rec->st == WST_REFUSED && !f->kept_mtime_ns)) {
            wipe_journal_remove(&w->journal, f->rec->dev, f->rec->ino);
        }
    }
    /* Entries of finished files leave the journal with the next save (the next batch's, or
     * the run's last); a stale entry only says that this inode was being wiped by this tool,
     * which stays true. An interrupted batch is saved at once. */
    if (!w->o.dry_run && b->nact > 0 && (wipe_stop_signal || w->fatal))
        (void)journal_save(w);
    b->n = 0;
    b->bytes = 0;
}

/* Records [cert_done, limit) have their final status: into the certificate, synced once.
 * A batch's records get here only after the barrier that made its removals durable. */
static void flush_records(struct wrun *w, size_t limit)
{
    if (limit > w->recs_final)
        w->recs_final = limit;
    struct err err = ERR_INIT;
    if (wipe_cert_flush(w, limit, &err) != 0 && !w->fatal) {
        w->cert_failed = true;
        w->fatal = 1;
        w->fatal_err = err;
    }
}

/* A batch whose last stage is over (its thread joined): its journal states, then its records
 * and those refused after it, up to limit (the first record of the batch the main thread works
 * on, or all). */
static void take_back(struct wrun *w, struct batch *b, size_t limit)
{
    batch_after(w, b);
    flush_records(w, limit);
    progress(w, false);
}

/* Take back the batch whose last stage runs on its own thread, once it is done (wait: after
 * waiting for it). */
static void settle(struct wrun *w, size_t limit, bool wait)
{
    struct wpipe *p = w->pipe;
    if (!p || !p->running || (!wait && !atomic_load(&p->done)))
        return;
    pthread_join(p->th, NULL);
    p->running = false;
    take_back(w, &p->b, limit);
}

/* Hand the batch's last stage to its own thread; the previous batch's thread is joined first,
 * and that batch is taken back (journal, records) once the new thread runs, beside it. b
 * comes back empty. false when it must run here: a test hook wants one event after the
 * other, or no thread or buffer could be had (the previous batch is then taken back). */
static bool pipe_start(struct wrun *w, struct batch *b, size_t nverified, size_t first_rec)
{
    if (wipe_hooks_active() || bufs_for(w->fbufs, &w->nfbufs, 1) == 0)
        return false;
    if (!w->pipe)
        w->pipe = xcalloc(1, sizeof *w->pipe);
    struct wpipe *p = w->pipe;
    bool had = p->running;
    if (had) {
        pthread_join(p->th, NULL);
        p->running = false;
    }
    struct batch prev = p->b;   /* the batch just joined, or an empty spare */
    p->b = *b;
    p->nverified = nverified;
    atomic_store(&p->done, false);
    if (pthread_create(&p->th, NULL, finish_thread, w) != 0) {
        *b = p->b;
        p->b = prev;
        if (had)
            take_back(w, &p->b, first_rec);
        return false;
    }
    p->running = true;
    if (had)
        take_back(w, &prev, first_rec);
    *b = prev;
    b->n = 0;
    b->bytes = 0;
    return true;
}

static void run_batch(struct wrun *w, struct batch *b)
{
    if (b->n == 0)
        return;
    size_t first_rec = b->v[0].ri;
    struct parent_cache pc = {-1, 0, ""};
    int64_t t_start = time_now_ms();
    for (size_t i = 0; i < b->n; i++) {
        b->v[i].rec->started_ms = t_start;
        b->v[i].active = true;
        open_file(w, &b->v[i], &pc);
    }
    if (pc.fd >= 0)
        close(pc.fd);
    if (db_check_batch(w, b) != 0) {
        for (size_t i = 0; i < b->n; i++)
            if (b->v[i].active) {
                b->v[i].active = false;
                refuse(b->v[i].rec, "not wiped: the database reference check failed");
            }
    }
    size_t nact = 0;
    for (size_t i = 0; i < b->n; i++)
        nact += b->v[i].active;
    b->nact = nact;
    if (w->o.dry_run) {
        for (size_t i = 0; i < b->n; i++)
            if (b->v[i].active)
                b->v[i].rec->st = WST_WOULD;
        settle(w, first_rec, true);
    } else if (nact > 0) {
        /* A batch of several files names each file's removal now, so that this one journal
         * save covers the batch to its end (finish_batch): a rerun finds each file under its
         * name or its removal name. */
        for (size_t i = 0; i < b->n; i++)
            if (b->v[i].active) {
                struct err err = ERR_INIT;
                if (b->n > 1 && !w->o.keep &&
                    wipe_random_name(b->v[i].tmpname, strlen(b->v[i].wf.name), &err) != 0)
                    b->v[i].tmpname[0] = '\0';
                journal_set(w, &b->v[i], "wiping", 0);
                w->bytes_planned += b->v[i].wf.data_bytes * w->sched.npasses;
            }
        if (journal_save(w) == 0) {
            /* several files: their last stage runs beside the next batch's passes
             * (finish_batch on its own thread); a single, large file is read back by ranges
             * on several threads (verify_parallel) */
            size_t nverified = 0;
            run_passes(w, b, b->n > 1, &nverified);
            if (b->n > 1 && pipe_start(w, b, nverified, first_rec))
                return;
            settle(w, first_rec, true);
            if (b->n > 1)
                finish_batch(w, b, nverified);
            else if (!w->o.keep)
                remove_batch(w, b);
        } else {
            settle(w, first_rec, true);
            for (size_t i = 0; i < b->n; i++)
                if (b->v[i].active)
                    refuse(b->v[i].rec, "not wiped: the state journal could not be written");
        }
    } else {
        settle(w, first_rec, true);
    }
    stamp_end(b);
    close_files(b);
    batch_after(w, b);
    flush_records(w, w->nrecs);
    progress(w, false);
}

/* ---- the walk and the quick rules ---- */

static const char *kind_reason(const struct wipe_cand *c, char *buf, size_t len)
{
    switch ((enum wipe_cand_kind)c->kind) {
    case WIPE_CAND_SYMLINK:
        return "symlink";
    case WIPE_CAND_OTHER: {
        uint32_t t = c->mode & S_IFMT;
        snprintf(buf, len, "not a regular file (%s)",
                 t == S_IFCHR || t == S_IFBLK ? "device" : wipe_mode_name(c->mode));
        return buf;
    }
    case WIPE_CAND_MOUNT:
        return "on another filesystem or mount: not entered";
    case WIPE_CAND_UNREADABLE:
        snprintf(buf, len, "could not be read: %s", strerror(c->sys_errno));
        return buf;
    case WIPE_CAND_FILE:
        break;
    }
    return NULL;
}

static bool bound_reached(struct wrun *w, const struct wipe_cand *c)
{
    if (w->o.max_files && w->files_started >= w->o.max_files) {
        w->stopped = "max-files";
        return true;
    }
    if (w->o.max_bytes && w->bytes_started + (uint64_t)c->size > w->o.max_bytes) {
        w->stopped = "max-bytes";
        w->stop_size = (uint64_t)c->size;
        return true;
    }
    if (w->o.max_seconds &&
        (uint64_t)(time_now_ms() - w->t0_ms) >= w->o.max_seconds * 1000u) {
        w->stopped = "max-seconds";
        return true;
    }
    return false;
}

/* A refusal is decided before any write: stamp it, and when no batch is open or finishing
 * (so nothing before it in the record list waits for a write) append it to the certificate at
 * once; else it goes with the records before it. */
static void refused_now(struct wrun *w, struct wrec *r, bool no_open_batch)
{
    r->started_ms = r->ended_ms = time_now_ms();
    if (no_open_batch && !(w->pipe && w->pipe->running))
        flush_records(w, w->nrecs);
}

/* Files per batch: BATCH_MAX_FILES, or fewer when the descriptor limit (raised to its hard
 * limit first) cannot hold two per file (the file, its directory) for two batches at once
 * (one overwritten while the other is read back and removed). */
static size_t batch_files_max(void)
{
    const rlim_t per_file = 2 * 2;
    const rlim_t reserve = 64, want = per_file * (rlim_t)BATCH_MAX_FILES + reserve;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return BATCH_MAX_FILES;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want &&
        (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > rl.rlim_cur)) {
        struct rlimit up = rl;
        up.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &up) == 0)
            rl = up;
    }
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want)
        return BATCH_MAX_FILES;
    return rl.rlim_cur > reserve + per_file ? (size_t)((rl.rlim_cur - reserve) / per_file) : 1;
}

int wipe_run_all(struct wrun *w)
{
    for (size_t i = 0; i < w->cands.n; i++)
        w->ncands_files += w->cands.v[i].kind == WIPE_CAND_FILE;
    wipe_hook("candidates", NULL, NULL);

    /* one record per candidate at most: reserved now, so that records never move while a
     * batch's last stage runs on its own thread */
    w->recs = xgrow(w->recs, &w->cap, w->nrecs + w->cands.n, sizeof *w->recs);
    struct batch b = {0};
    size_t batch_max = batch_files_max();
    if (wipe_test_batch() && wipe_test_batch() < batch_max)
        batch_max = wipe_test_batch();
    size_t i = 0;
    for (; i < w->cands.n; i++) {
        if (w->fatal)
            break;
        if (wipe_stop_signal) {
            w->stopped = wipe_stop_signal == SIGINT ? "SIGINT" : "SIGTERM";
            break;
        }
        const struct wipe_cand *c = &w->cands.v[i];
        const char *rel = wipe_cand_rel(&w->cands, c);
        if (c->kind == WIPE_CAND_FILE && b.n > 0 && b.root != c->root)
            run_batch(w, &b);
        if (c->kind == WIPE_CAND_FILE && bound_reached(w, c)) {
            run_batch(w, &b);
            break;
        }
        struct wrec *old_base = w->recs;
        struct wrec *r = wrec_add(w, c->root, rel);
        if (w->recs != old_base)   /* the records moved: so do the batch's pointers */
            for (size_t k = 0; k < b.n; k++)
                b.v[k].rec = &w->recs[b.v[k].ri];
        r->size = c->size;
        r->mtime_ms = c->mtime_ms;
        r->dev = c->dev;
        r->ino = c->ino;
        r->nlink = c->nlink;
        char buf[256];
        const char *why = kind_reason(c, buf, sizeof buf);
        if (why) {
            refuse(r, why);
            refused_now(w, r, b.n == 0);
            continue;
        }
        const struct wipe_jentry *je = journal_match(w, &w->roots[c->root], c, rel);
        bool kept = je && strcmp(je->state, "kept") == 0;
        /* A kept file counts only while it is as that run left it (size and mtime). */
        if (kept && (je->size != c->size || je->kept_mtime_ns / 1000000 != c->mtime_ms))
            je = NULL;
        /* An interrupted one only while it can be that file: our passes never change the
         * size, and its inode was born before that run started (a file created since may
         * have been given the freed inode number: it is judged as itself, by its own age). */
        if (je && !kept &&
            ((je->size != c->size && strcmp(je->state, "removing") != 0) ||
             (c->btime_ms != INT64_MIN && je->started_ms > 0 && c->btime_ms > je->started_ms)))
            je = NULL;   /* ("removing": a truncate may have been done) */
        if (je && kept) {
            r->mtime_ms = je->mtime_ms;
            r->earlier = xasprintf("overwritten and kept earlier (run %s, %s, %u pass%s, "
                                   "--keep): wiped again from pass 1", je->run, je->method,
                                   je->pass, je->pass == 1 ? "" : "es");
        } else if (je) {
            r->mtime_ms = je->mtime_ms;
            /* found under its removal name: say which file it was */
            bool renamed = !wipe_journal_same_path(je->root, je->rel, w->roots[c->root].path,
                                                   rel);
            r->earlier = xasprintf("interrupted earlier (run %s, %s at pass %u%s%s): wiped "
                                   "again from pass 1", je->run, je->state, je->pass,
                                   renamed ? ", first named " : "", renamed ? je->rel : "");
        }
        if (!je && !url_content_file_name(rel, strlen(rel))) {
            /* Alfresco's file stores name every content file <guid>.bin, and the cleaner
             * moves them with their names: anything else in a root is not its content (a
             * root given by mistake, an administrator's file). A file an earlier run renamed
             * to its removal name is known by the journal. */
            wrec_set_reason(r, "not named like Alfresco content (<guid>.bin)");
            r->st = WST_REFUSED;
        } else if (c->nlink > 1) {
            wrec_set_reason(r, "%u hard links", c->nlink);
            r->st = WST_REFUSED;
        } else if (w->ctx->now_ms - r->mtime_ms < w->min_age_ms) {
            set_young_reason(w, r, w->ctx->now_ms - r->mtime_ms);
            r->st = WST_REFUSED;
        }
        if (r->st == WST_REFUSED) {
            refused_now(w, r, b.n == 0);
            continue;
        }
        w->files_started++;
        w->bytes_started += (uint64_t)c->size;
        if (b.n == 0)
            b.root = c->root;
        b.v = xgrow(b.v, &b.cap, b.n + 1, sizeof *b.v);
        struct bfile *f = &b.v[b.n++];
        memset(f, 0, sizeof *f);
        f->rec = r;
        f->ri = w->nrecs - 1;
        f->earlier = je != NULL;
        f->kept_mtime_ns = je && kept ? je->kept_mtime_ns : 0;
        f->stream_id = w->files_started;
        b.bytes += (uint64_t)c->size;
        if (b.n >= batch_max || b.bytes >= BATCH_MAX_BYTES)
            run_batch(w, &b);
    }
    run_batch(w, &b);
    settle(w, w->nrecs, true);
    if (wipe_stop_signal && !w->stopped)
        w->stopped = wipe_stop_signal == SIGINT ? "SIGINT" : "SIGTERM";
    if (w->stopped || w->fatal)
        w->remaining = w->cands.n - (i < w->cands.n ? i : w->cands.n);
    free(b.v);
    if (w->pipe) {
        free(w->pipe->b.v);
        free(w->pipe);
        w->pipe = NULL;
    }
    progress(w, w->progress_shown);
    /* Entries of files that are gone (removed after the journal was written) end here. */
    if (w->have_journal && (w->stopped || w->fatal)) {
        (void)journal_save(w);
    } else if (w->have_journal) {
        for (size_t k = w->journal.n; k-- > 0;) {
            struct wipe_jentry *e = &w->journal.v[k];
            bool ours = false;
            for (size_t r = 0; r < w->nroots; r++)
                ours = ours || wipe_journal_within(e->root, e->rel, w->roots[r].path);
            bool seen = false;
            for (size_t r = 0; r < w->cands.n && ours && !seen; r++)
                seen = w->cands.v[r].dev == e->dev && w->cands.v[r].ino == e->ino;
            if (ours && !seen && strcmp(e->run, w->run_id) != 0)
                wipe_journal_remove(&w->journal, e->dev, e->ino);
        }
        (void)journal_save(w);
    }
    return w->fatal ? -1 : 0;
}
