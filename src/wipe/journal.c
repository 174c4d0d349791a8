/* One wipe at a time (flock on wipe.lock_file) and the state journal in wipe.state_dir that
 * lets the next run find files an interrupted run left half-done, even after SIGKILL. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "wipe_int.h"

#define JOURNAL_NAME "wipe-state.json"
#define JOURNAL_TMP "wipe-state.json.tmp"

/* The error for a lock another process holds, naming it by the pid it wrote. */
static int lock_held(int fd, const char *path, struct err *err)
{
    char buf[32] = {0};
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    long pid = n > 0 ? strtol(buf, NULL, 10) : 0;
    if (pid > 0)
        err_set(err, ERR_IO, "another wipe is running: pid %ld holds the lock '%s'", pid, path);
    else
        err_set(err, ERR_IO, "another wipe is running: the lock '%s' is held", path);
    return err_hint(err, "Wait for that run to finish; only one wipe runs at a time.");
}

int wipe_lock_acquire(struct wipe_lock *l, const char *path, struct err *err)
{
    l->fd = -1;
    l->path = NULL;
    int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        err_sys(err, ERR_IO, errno, "could not open lock file '%s'", path);
        return err_hint(err, "Set wipe.lock_file to a path in a writable directory.");
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        if (e == EWOULDBLOCK) {
            lock_held(fd, path, err);
            close(fd);
            return -1;
        }
        close(fd);
        return err_sys(err, ERR_IO, e, "could not lock '%s'", path);
    }
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)n, 0) != n) {
        int e = errno;
        close(fd);
        return err_sys(err, ERR_IO, e, "could not write lock file '%s'", path);
    }
    l->fd = fd;
    l->path = xstrdup(path);
    return 0;
}

int wipe_can_create(const char *path, bool is_dir, bool make_parent)
{
    char *d = xstrdup(path);
    size_t len = strlen(d);
    while (is_dir && len > 1 && d[len - 1] == '/')
        d[--len] = '\0';
    int rc = -1;
    char *slash = strrchr(d, '/');
    if (len == 0 || (slash && slash[1] == '\0')) {
        errno = len == 0 ? ENOENT : EISDIR;
        goto out;
    }
    const char *dir = ".";
    if (slash == d)
        dir = "/";
    else if (slash) {
        *slash = '\0';
        dir = d;
    }
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            errno = ENOTDIR;
        else if (access(dir, W_OK | X_OK) == 0)
            rc = 0;
    } else if (errno == ENOENT && make_parent && slash && slash != d) {
        rc = wipe_can_create(dir, true, false);
    }
out:
    free(d);
    return rc;
}

int wipe_lock_check(const char *path, struct err *err)
{
    struct stat st;
    int e = 0;
    if (lstat(path, &st) == 0) {
        if (S_ISLNK(st.st_mode))
            e = ELOOP;
        else if (S_ISDIR(st.st_mode))
            e = EISDIR;
        else if (access(path, R_OK | W_OK) != 0)
            e = errno;
    } else if (errno != ENOENT || wipe_can_create(path, false, true) != 0) {
        e = errno;
    }
    if (e == 0) {
        /* Held by a running wipe? A shared lock fails where the exclusive one would, and goes
         * with the descriptor at once. */
        int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        int rc = 0;
        if (fd >= 0 && flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK)
            rc = lock_held(fd, path, err);
        if (fd >= 0)
            close(fd);
        return rc;
    }
    err_sys(err, ERR_IO, e, "could not open lock file '%s'", path);
    return err_hint(err, "Set wipe.lock_file to a path in a writable directory.");
}

void wipe_lock_release(struct wipe_lock *l)
{
    if (l->fd >= 0) {
        /* Empty the pid first so a reader never names a finished process. */
        if (ftruncate(l->fd, 0) != 0) {
            /* nothing to do: the lock goes with the descriptor anyway */
        }
        close(l->fd);
    }
    free(l->path);
    l->fd = -1;
    l->path = NULL;
}

static void entry_free(struct wipe_jentry *e)
{
    free(e->root);
    free(e->rel);
    free(e->cur_rel);
}

static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static int load(struct wipe_journal *j, struct err *err)
{
    json_error_t je;
    int fd = openat(j->dirfd, JOURNAL_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        return err_sys(err, ERR_IO, errno, "could not open state journal '%s'", j->path);
    }
    json_t *root = json_loadfd(fd, JSON_REJECT_DUPLICATES, &je);
    close(fd);
    if (!root || !json_is_object(root)) {
        json_decref(root);
        err_set(err, ERR_DATA, "state journal '%s' is not readable JSON (line %d: %s)",
                j->path, je.line, je.text);
        return err_hint(err, "Move the file aside and rerun; every file still in "
                             "contentstore.deleted is wiped again anyway.");
    }
    json_t *arr = json_object_get(root, "entries");
    size_t i;
    json_t *o;
    json_array_foreach(arr, i, o) {
        struct wipe_jentry e;
        memset(&e, 0, sizeof e);
        e.root = xstrdup(jstr(o, "root"));
        e.rel = xstrdup(jstr(o, "rel"));
        const char *cur = jstr(o, "cur_rel");
        e.cur_rel = *cur ? xstrdup(cur) : NULL;
        e.dev = (uint64_t)json_integer_value(json_object_get(o, "dev"));
        e.ino = (uint64_t)json_integer_value(json_object_get(o, "ino"));
        e.size = json_integer_value(json_object_get(o, "size"));
        e.mtime_ms = json_integer_value(json_object_get(o, "mtime_ms"));
        e.pass = (unsigned)json_integer_value(json_object_get(o, "pass"));
        e.started_ms = json_integer_value(json_object_get(o, "started_ms"));
        e.kept_mtime_ns = json_integer_value(json_object_get(o, "kept_mtime_ns"));
        snprintf(e.run, sizeof e.run, "%s", jstr(o, "run"));
        snprintf(e.method, sizeof e.method, "%s", jstr(o, "method"));
        snprintf(e.state, sizeof e.state, "%s", jstr(o, "state"));
        j->v = xgrow(j->v, &j->cap, j->n + 1, sizeof *j->v);
        j->v[j->n++] = e;
    }
    json_decref(root);
    j->n_loaded = j->n;
    return 0;
}

/* Open (creating state_dir unless readonly) and load. Read-only, a missing state_dir is an
 * empty journal when the real run could create it. */
static int journal_open(struct wipe_journal *j, const char *state_dir, bool readonly,
                        struct err *err)
{
    memset(j, 0, sizeof *j);
    j->dirfd = -1;
    if (!readonly && mkdir(state_dir, 0700) != 0 && errno != EEXIST) {
        err_sys(err, ERR_IO, errno, "could not create state directory '%s'", state_dir);
        return err_hint(err, "Create it or set wipe.state_dir to a writable directory.");
    }
    j->dirfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (readonly && j->dirfd < 0 && errno == ENOENT) {
        j->readonly = true;
        if (wipe_can_create(state_dir, true, false) == 0)
            return 0;   /* the real run creates it: nothing was interrupted */
        err_sys(err, ERR_IO, errno, "could not create state directory '%s'", state_dir);
        return err_hint(err, "Create it or set wipe.state_dir to a writable directory.");
    }
    /* the real run renames the journal into place: a dry run checks that it could */
    if (j->dirfd < 0 || (readonly && access(state_dir, W_OK | X_OK) != 0)) {
        err_sys(err, ERR_IO, errno, "could not open state directory '%s'%s", state_dir,
                j->dirfd < 0 ? "" : " for writing");
        wipe_journal_release(j);
        return err_hint(err, "Create it or set wipe.state_dir to a writable directory.");
    }
    j->dir = xstrdup(state_dir);
    j->path = xasprintf("%s/%s", state_dir, JOURNAL_NAME);
    if (load(j, err) != 0) {
        wipe_journal_release(j);
        return -1;
    }
    j->readonly = readonly;
    return 0;
}

int wipe_journal_open(struct wipe_journal *j, const char *state_dir, struct err *err)
{
    return journal_open(j, state_dir, false, err);
}

int wipe_journal_open_ro(struct wipe_journal *j, const char *state_dir, struct err *err)
{
    return journal_open(j, state_dir, true, err);
}

int wipe_journal_save(struct wipe_journal *j, struct err *err)
{
    if (j->readonly)
        return err_set(err, ERR_INTERNAL, "the state journal was opened read-only (dry run)");
    json_t *arr = json_array();
    for (size_t i = 0; i < j->n; i++) {
        const struct wipe_jentry *e = &j->v[i];
        json_t *o = json_object();
        json_object_set_new(o, "root", json_string(e->root));
        json_object_set_new(o, "rel", json_string(e->rel));
        if (e->cur_rel)
            json_object_set_new(o, "cur_rel", json_string(e->cur_rel));
        json_object_set_new(o, "dev", json_integer((json_int_t)e->dev));
        json_object_set_new(o, "ino", json_integer((json_int_t)e->ino));
        json_object_set_new(o, "size", json_integer(e->size));
        json_object_set_new(o, "mtime_ms", json_integer(e->mtime_ms));
        json_object_set_new(o, "run", json_string(e->run));
        json_object_set_new(o, "method", json_string(e->method));
        json_object_set_new(o, "pass", json_integer(e->pass));
        json_object_set_new(o, "state", json_string(e->state));
        json_object_set_new(o, "started_ms", json_integer(e->started_ms));
        if (e->kept_mtime_ns)
            json_object_set_new(o, "kept_mtime_ns", json_integer(e->kept_mtime_ns));
        json_array_append_new(arr, o);
    }
    json_t *root = json_pack("{s:i,s:o}", "version", 1, "entries", arr);
    char *text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    if (!text)
        return err_set(err, ERR_NOMEM, "could not encode the state journal");
    int ret = -1;
    int fd = openat(j->dirfd, JOURNAL_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
                    0600);
    if (fd < 0) {
        err_sys(err, ERR_IO, errno, "could not write state journal '%s'", j->path);
        goto out;
    }
    size_t len = strlen(text), done = 0;
    while (done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            err_sys(err, ERR_IO, errno, "could not write state journal '%s'", j->path);
            close(fd);
            goto out;
        }
        done += (size_t)w;
    }
    if (fsync(fd) != 0) {
        err_sys(err, ERR_IO, errno, "could not sync state journal '%s'", j->path);
        close(fd);
        goto out;
    }
    close(fd);
    if (renameat(j->dirfd, JOURNAL_TMP, j->dirfd, JOURNAL_NAME) != 0) {
        err_sys(err, ERR_IO, errno, "could not replace state journal '%s'", j->path);
        goto out;
    }
    if (fsync(j->dirfd) != 0) {
        err_sys(err, ERR_IO, errno, "could not sync state directory '%s'", j->dir);
        goto out;
    }
    ret = 0;
out:
    free(text);
    return ret;
}

/* root/rel as one path into buf (roots are real paths): false when it does not fit. */
static bool joined(char *buf, size_t cap, const char *root, const char *rel)
{
    int n = snprintf(buf, cap, "%s/%s", root, rel);
    return n > 0 && (size_t)n < cap;
}

bool wipe_journal_same_path(const char *root_a, const char *rel_a, const char *root_b,
                            const char *rel_b)
{
    char a[PATH_MAX], b[PATH_MAX];
    return joined(a, sizeof a, root_a, rel_a) && joined(b, sizeof b, root_b, rel_b) &&
           strcmp(a, b) == 0;
}

bool wipe_journal_within(const char *root_e, const char *rel_e, const char *root)
{
    char p[PATH_MAX];
    size_t lr = strlen(root);
    return joined(p, sizeof p, root_e, rel_e) && strncmp(p, root, lr) == 0 && p[lr] == '/';
}

struct wipe_jentry *wipe_journal_find(struct wipe_journal *j, const char *root, const char *rel,
                                      uint64_t dev, uint64_t ino)
{
    for (size_t i = 0; i < j->n; i++) {
        struct wipe_jentry *e = &j->v[i];
        if (e->dev != dev || e->ino != ino)
            continue;
        if (wipe_journal_same_path(e->root, e->rel, root, rel) ||
            (e->cur_rel && wipe_journal_same_path(e->root, e->cur_rel, root, rel)))
            return e;
    }
    return NULL;
}

struct wipe_jentry *wipe_journal_put(struct wipe_journal *j, const struct wipe_jentry *e)
{
    struct wipe_jentry *slot = NULL;
    for (size_t i = 0; i < j->n; i++)
        if (j->v[i].dev == e->dev && j->v[i].ino == e->ino) {
            slot = &j->v[i];
            break;
        }
    if (!slot) {
        j->v = xgrow(j->v, &j->cap, j->n + 1, sizeof *j->v);
        slot = &j->v[j->n++];
    } else {
        entry_free(slot);
    }
    *slot = *e;
    slot->root = xstrdup(e->root);
    slot->rel = xstrdup(e->rel);
    slot->cur_rel = e->cur_rel ? xstrdup(e->cur_rel) : NULL;
    return slot;
}

void wipe_journal_remove(struct wipe_journal *j, uint64_t dev, uint64_t ino)
{
    /* the last entry fills the hole: removing a batch's entries stays linear (the journal is
     * a set, its order means nothing) */
    for (size_t i = 0; i < j->n; i++) {
        if (j->v[i].dev != dev || j->v[i].ino != ino)
            continue;
        entry_free(&j->v[i]);
        if (i != j->n - 1)
            j->v[i] = j->v[j->n - 1];
        j->n--;
        return;
    }
}

void wipe_journal_release(struct wipe_journal *j)
{
    for (size_t i = 0; i < j->n; i++)
        entry_free(&j->v[i]);
    free(j->v);
    free(j->dir);
    free(j->path);
    if (j->dirfd >= 0)
        close(j->dirfd);
    memset(j, 0, sizeof *j);
    j->dirfd = -1;
}
