/* Wipe candidates: walk a root with directory descriptors (openat, O_NOFOLLOW, O_DIRECTORY,
 * statx without following), never leaving the root's filesystem or mount, never following a
 * symlink. Every non-directory entry becomes a candidate; the rules decide later. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "wipe_int.h"

#define WALK_MAX_DEPTH 64

void wipe_cands_init(struct wipe_cands *c)
{
    memset(c, 0, sizeof *c);
}

void wipe_cands_release(struct wipe_cands *c)
{
    arena_release(&c->names);
    free(c->v);
    memset(c, 0, sizeof *c);
}

const char *wipe_mode_name(uint32_t mode)
{
    switch (mode & S_IFMT) {
    case S_IFIFO:
        return "FIFO";
    case S_IFSOCK:
        return "socket";
    case S_IFCHR:
        return "character device";
    case S_IFBLK:
        return "block device";
    case S_IFDIR:
        return "directory";
    case S_IFLNK:
        return "symlink";
    case S_IFREG:
        return "regular file";
    }
    return "unknown file type";
}

bool wipe_rel_ok(const char *rel, size_t len)
{
    if (len == 0 || rel[0] == '/')
        return false;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && rel[i] == '\0')
            return false;
        if (i == len || rel[i] == '/') {
            size_t n = i - start;
            if (n == 0 || (n == 1 && rel[start] == '.') ||
                (n == 2 && rel[start] == '.' && rel[start + 1] == '.'))
                return false;
            start = i + 1;
        }
    }
    return true;
}

static struct wipe_cand *add_cand(struct wipe_cands *c, uint32_t root, const char *rel,
                                  size_t len, const struct statx *sx, enum wipe_cand_kind kind)
{
    c->v = xgrow(c->v, &c->cap, c->n + 1, sizeof *c->v);
    struct wipe_cand *e = &c->v[c->n++];
    memset(e, 0, sizeof *e);
    e->root = root;
    e->rel_off = arena_add(&c->names, rel, len);
    e->rel_len = (uint32_t)len;
    e->kind = (uint8_t)kind;
    if (sx) {
        e->size = (int64_t)sx->stx_size;
        e->mtime_ms = (int64_t)sx->stx_mtime.tv_sec * 1000 + sx->stx_mtime.tv_nsec / 1000000;
        e->btime_ms = (sx->stx_mask & STATX_BTIME)
                          ? (int64_t)sx->stx_btime.tv_sec * 1000 + sx->stx_btime.tv_nsec / 1000000
                          : INT64_MIN;
        e->dev = makedev(sx->stx_dev_major, sx->stx_dev_minor);
        e->ino = sx->stx_ino;
        e->nlink = sx->stx_nlink;
        e->mode = sx->stx_mode;
    }
    return e;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

struct walk_ctx {
    struct wipe_cands *c;
    uint32_t root;
    uint64_t dev;
    uint64_t mnt_id;
    bool have_mnt_id;
    char path[PATH_MAX];
};

static int walk_dir(struct walk_ctx *w, int dfd, size_t plen, int depth, struct err *err);

static void unreadable(struct walk_ctx *w, size_t len, int errnum)
{
    struct wipe_cand *e = add_cand(w->c, w->root, w->path, len, NULL, WIPE_CAND_UNREADABLE);
    e->sys_errno = errnum;
}

static int walk_entry(struct walk_ctx *w, int dfd, const char *name, size_t plen, int depth,
                      struct err *err)
{
    size_t nlen = strlen(name);
    size_t len = plen ? plen + 1 + nlen : nlen;
    if (len >= sizeof w->path) {
        /* Too long to name: report the directory holding it. */
        unreadable(w, plen, ENAMETOOLONG);
        return 0;
    }
    if (plen)
        w->path[plen] = '/';
    memcpy(w->path + (plen ? plen + 1 : 0), name, nlen);
    w->path[len] = '\0';

    struct statx sx;
    if (statx(dfd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
              STATX_BASIC_STATS | STATX_MNT_ID | STATX_BTIME, &sx) != 0) {
        if (errno == ENOENT)   /* gone since readdir */
            return 0;
        unreadable(w, len, errno);
        return 0;
    }
    uint64_t dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
    bool other_mount = dev != w->dev ||
                       (w->have_mnt_id && (sx.stx_mask & STATX_MNT_ID) &&
                        sx.stx_mnt_id != w->mnt_id);
    switch (sx.stx_mode & S_IFMT) {
    case S_IFDIR: {
        if (other_mount) {
            add_cand(w->c, w->root, w->path, len, &sx, WIPE_CAND_MOUNT);
            return 0;
        }
        if (depth >= WALK_MAX_DEPTH) {
            unreadable(w, len, ELOOP);
            return 0;
        }
        int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0) {
            unreadable(w, len, errno);
            return 0;
        }
        struct stat st;
        if (fstat(sub, &st) != 0 || st.st_dev != dev || st.st_ino != sx.stx_ino) {
            /* replaced between statx and open: do not follow whatever is there now */
            close(sub);
            unreadable(w, len, ESTALE);
            return 0;
        }
        int rc = walk_dir(w, sub, len, depth + 1, err);
        close(sub);
        return rc;
    }
    case S_IFLNK:
        add_cand(w->c, w->root, w->path, len, &sx, WIPE_CAND_SYMLINK);
        return 0;
    case S_IFREG:
        add_cand(w->c, w->root, w->path, len, &sx,
                 other_mount ? WIPE_CAND_MOUNT : WIPE_CAND_FILE);
        return 0;
    default:
        add_cand(w->c, w->root, w->path, len, &sx, WIPE_CAND_OTHER);
        return 0;
    }
}

static int walk_dir(struct walk_ctx *w, int dfd, size_t plen, int depth, struct err *err)
{
    int dup_fd = dup(dfd);
    if (dup_fd < 0)
        return err_sys(err, ERR_IO, errno, "could not duplicate a directory descriptor");
    DIR *d = fdopendir(dup_fd);
    if (!d) {
        close(dup_fd);
        unreadable(w, plen, errno);
        return 0;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    errno = 0;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        names = xgrow(names, &cap, n + 1, sizeof *names);
        names[n++] = xstrdup(de->d_name);
        errno = 0;
    }
    int rd_errno = errno;
    closedir(d);
    if (rd_errno)
        unreadable(w, plen, rd_errno);
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_names);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (rc == 0)
            rc = walk_entry(w, dfd, names[i], plen, depth, err);
        free(names[i]);
    }
    free(names);
    if (plen < sizeof w->path)
        w->path[plen] = '\0';
    return rc;
}

/* ---- read-ahead of the tree ----
 * On a cold cache the walk waits for one directory or inode block after the other. While it
 * goes depth first on the calling thread, PREFETCH_THREADS threads read the same tree (open,
 * readdir of every directory), so the device gets several reads at once and the walk finds
 * the blocks in the cache. They only read: never following a symlink (openat2 RESOLVE_BENEATH,
 * RESOLVE_NO_SYMLINKS, RESOLVE_NO_XDEV), never leaving the root's device; every decision stays
 * with the walk. Without openat2 there is no read-ahead. */

#define PREFETCH_THREADS 4

static int open_beneath(int rootfd, const char *dir);

struct prefetch {
    int rootfd;
    uint64_t dev;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char **stack;        /* relative paths of directories still to read */
    size_t n, cap;
    size_t busy;         /* threads reading a directory now */
    atomic_bool stop;
};

static char *pf_pop(struct prefetch *pf)
{
    pthread_mutex_lock(&pf->mu);
    for (;;) {
        if (pf->stop || (pf->n == 0 && pf->busy == 0)) {
            pthread_cond_broadcast(&pf->cv);
            pthread_mutex_unlock(&pf->mu);
            return NULL;
        }
        if (pf->n > 0)
            break;
        pthread_cond_wait(&pf->cv, &pf->mu);
    }
    char *rel = pf->stack[--pf->n];
    pf->busy++;
    pthread_mutex_unlock(&pf->mu);
    return rel;
}

/* Read one directory: statx each entry, and push the subdirectories (in reverse byte order,
 * so that they come off the stack in the walk's order). */
static void pf_read(struct prefetch *pf, const char *rel)
{
    /* a new open file description, even for the root: a dup would share the walk's offset */
    int fd = open_beneath(pf->rootfd, *rel ? rel : ".");
    if (fd < 0)
        return;
    struct stat st;
    DIR *d = fstat(fd, &st) == 0 && st.st_dev == pf->dev ? fdopendir(fd) : NULL;
    if (!d) {
        close(fd);
        return;
    }
    char **subs = NULL;
    size_t ns = 0, cap = 0;
    struct dirent *de;
    while (!pf->stop && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        /* The entry type from the directory itself where the filesystem gives it: only
         * subdirectories are read ahead (openat2 refuses another mount), and the inodes of
         * files come in with the inode table's own read-ahead. */
        if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
            continue;
        struct statx sx;
        if (de->d_type == DT_UNKNOWN &&
            (statx(dirfd(d), de->d_name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
                   STATX_BASIC_STATS, &sx) != 0 || !S_ISDIR(sx.stx_mode) ||
             makedev(sx.stx_dev_major, sx.stx_dev_minor) != pf->dev))
            continue;
        size_t rl = strlen(rel), nl = strlen(de->d_name);
        if (rl + 1 + nl >= PATH_MAX)
            continue;
        char *sub = xmalloc(rl + nl + 2);
        if (rl) {
            memcpy(sub, rel, rl);
            sub[rl] = '/';
            memcpy(sub + rl + 1, de->d_name, nl + 1);
        } else {
            memcpy(sub, de->d_name, nl + 1);
        }
        subs = xgrow(subs, &cap, ns + 1, sizeof *subs);
        subs[ns++] = sub;
    }
    closedir(d);
    if (ns > 1)
        qsort(subs, ns, sizeof *subs, cmp_names);
    pthread_mutex_lock(&pf->mu);
    for (size_t i = ns; i-- > 0;) {
        pf->stack = xgrow(pf->stack, &pf->cap, pf->n + 1, sizeof *pf->stack);
        pf->stack[pf->n++] = subs[i];
    }
    pthread_cond_broadcast(&pf->cv);
    pthread_mutex_unlock(&pf->mu);
    free(subs);
}

static void *pf_worker(void *arg)
{
    struct prefetch *pf = arg;
    char *rel;
    while ((rel = pf_pop(pf)) != NULL) {
        pf_read(pf, rel);
        free(rel);
        pthread_mutex_lock(&pf->mu);
        pf->busy--;
        pthread_cond_broadcast(&pf->cv);
        pthread_mutex_unlock(&pf->mu);
    }
    return NULL;
}

int wipe_select_root(struct wipe_cands *c, uint32_t root, int rootfd, struct err *err)
{
    struct walk_ctx *w = xcalloc(1, sizeof *w);
    w->c = c;
    w->root = root;
    struct statx sx;
    if (statx(rootfd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_MNT_ID, &sx) != 0) {
        free(w);
        return err_sys(err, ERR_IO, errno, "could not stat a wipe root");
    }
    w->dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
    w->have_mnt_id = (sx.stx_mask & STATX_MNT_ID) != 0;
    w->mnt_id = sx.stx_mnt_id;

    struct prefetch pf = {rootfd, w->dev, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
                          NULL, 0, 0, 0, false};
    pthread_t th[PREFETCH_THREADS];
    size_t started = 0;
    int probe = open_beneath(rootfd, ".");
    if (probe >= 0) {
        close(probe);
        pf.stack = xmalloc(sizeof *pf.stack);
        pf.stack[0] = xstrdup("");
        pf.n = pf.cap = 1;
        for (size_t t = 0; t < PREFETCH_THREADS; t++)
            if (pthread_create(&th[started], NULL, pf_worker, &pf) == 0)
                started++;
    }
    int rc = walk_dir(w, rootfd, 0, 0, err);
    pthread_mutex_lock(&pf.mu);
    pf.stop = true;
    pthread_cond_broadcast(&pf.cv);
    pthread_mutex_unlock(&pf.mu);
    for (size_t t = 0; t < started; t++)
        pthread_join(th[t], NULL);
    for (size_t i = 0; i < pf.n; i++)
        free(pf.stack[i]);
    free(pf.stack);
    free(w);
    return rc;
}

/* The kernel walks the whole path at once: no symlink, no "..", no other mount, never above
 * rootfd. -1 with errno ENOSYS where openat2 is missing (Linux < 5.6). */
static int open_beneath(int rootfd, const char *dir)
{
#ifdef SYS_openat2
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV |
                  RESOLVE_NO_MAGICLINKS;
    return (int)syscall(SYS_openat2, rootfd, dir, &how, sizeof how);
#else
    (void)rootfd;
    (void)dir;
    errno = ENOSYS;
    return -1;
#endif
}

int wipe_open_parent(int rootfd, uint64_t dev, const char *rel, struct err *err)
{
    const char *last = strrchr(rel, '/');
    if (last && (size_t)(last - rel) < PATH_MAX && wipe_rel_ok(rel, strlen(rel))) {
        char dir[PATH_MAX];
        memcpy(dir, rel, (size_t)(last - rel));
        dir[last - rel] = '\0';
        int fd = open_beneath(rootfd, dir);
        if (fd >= 0) {
            struct stat st;
            if (fstat(fd, &st) != 0 || st.st_dev != dev) {
                close(fd);
                return err_set(err, ERR_IO, "directory of '%s' is now on another filesystem",
                               rel);
            }
            return fd;
        }
        if (errno != ENOSYS && errno != EINVAL && errno != EPERM)
            return err_sys(err, ERR_IO, errno, "could not open directory of '%s'", rel);
    }
    struct statx rsx;
    if (statx(rootfd, "", AT_EMPTY_PATH, STATX_MNT_ID, &rsx) != 0)
        return err_sys(err, ERR_IO, errno, "could not stat a wipe root");
    int fd = dup(rootfd);
    if (fd < 0)
        return err_sys(err, ERR_IO, errno, "could not duplicate a directory descriptor");
    const char *p = rel;
    for (;;) {
        const char *slash = strchr(p, '/');
        if (!slash)
            break;
        size_t n = (size_t)(slash - p);
        char comp[NAME_MAX + 1];
        if (n == 0 || n > NAME_MAX) {
            close(fd);
            return err_set(err, ERR_DATA, "invalid path '%s'", rel);
        }
        memcpy(comp, p, n);
        comp[n] = '\0';
        if (strcmp(comp, ".") == 0 || strcmp(comp, "..") == 0) {
            close(fd);
            return err_set(err, ERR_DATA, "path '%s' leaves its root", rel);
        }
        int sub = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int e = errno;
        close(fd);
        if (sub < 0)
            return err_sys(err, ERR_IO, e, "could not open directory of '%s'", rel);
        struct statx sx;
        if (statx(sub, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_MNT_ID, &sx) != 0 ||
            makedev(sx.stx_dev_major, sx.stx_dev_minor) != dev ||
            ((sx.stx_mask & STATX_MNT_ID) && (rsx.stx_mask & STATX_MNT_ID) &&
             sx.stx_mnt_id != rsx.stx_mnt_id)) {
            close(sub);
            return err_set(err, ERR_IO, "directory of '%s' is now on another filesystem", rel);
        }
        fd = sub;
        p = slash + 1;
    }
    return fd;
}
