/* Content-root walker: directory descriptors, getdents64, fstatat without following links, an
 * explicit stack instead of recursion and a bounded number of open descriptors. Each directory
 * is listed in path byte order, so walk_sort mostly finds the entries sorted already. */
#include "alfwipe/walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Directory descriptors one walk holds at most, besides the root's. Deeper trees close the
 * shallowest ones and open them again by name (checking device and inode) when needed. */
#define WALK_MAX_OPEN 32
#define WALK_DENTS_BUF (128 * 1024)
#define WALK_DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

enum { KIND_DIR = 0xff };   /* a child to descend into; any other kind is an enum walk_type */

/* One name read from a directory, waiting to be recorded or entered. */
struct child {
    size_t name_off;        /* NUL-terminated name in ctx.names */
    int64_t size, mtime_ms;
    uint64_t ino;
    uint32_t name_len, nlink;
    uint8_t kind;
};

/* One directory on the current path from the root. */
struct frame {
    int fd;                 /* -1 once closed to stay under WALK_MAX_OPEN */
    dev_t dev;
    ino_t ino;
    size_t prefix_len;      /* length of "a/b/" in ctx.path for this directory's children */
    size_t lo, hi, cur;     /* this directory's children in ctx.ch, and the next one */
    size_t names_mark;      /* ctx.nnames before the children were read */
    size_t name_off;        /* this directory's own name in ctx.names (unused for the root) */
};

struct ctx {
    struct walk *w;
    struct walk_split *split;   /* directories at split->depth are left to walk_task */
    uint32_t root;
    struct walk_root_stats *st;
    dev_t root_dev;
    char *dents;
    struct child *ch;
    size_t nch, capch;
    char *names;
    size_t nnames, capnames;
    struct frame *fr;
    size_t nfr, capfr;
    char *path;
    size_t cappath;
    int nopen;
};

static int64_t ts_ms(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

static uint8_t kind_of(mode_t mode)
{
    if (S_ISREG(mode))
        return WALK_FILE;
    if (S_ISDIR(mode))
        return KIND_DIR;
    if (S_ISLNK(mode))
        return WALK_SYMLINK;
    if (S_ISFIFO(mode))
        return WALK_FIFO;
    if (S_ISSOCK(mode))
        return WALK_SOCKET;
    if (S_ISBLK(mode) || S_ISCHR(mode))
        return WALK_DEVICE;
    return WALK_OTHER;
}

const char *walk_type_name(unsigned type)
{
    static const char *const names[] = {
        [WALK_FILE] = "file",     [WALK_SYMLINK] = "symlink",        [WALK_OTHER] = "other",
        [WALK_MOUNT] = "mount",   [WALK_UNREADABLE] = "unreadable",  [WALK_FIFO] = "fifo",
        [WALK_SOCKET] = "socket", [WALK_DEVICE] = "device",          [WALK_DIR] = "directory",
    };
    return type < sizeof names / sizeof names[0] && names[type] ? names[type] : "other";
}

static void child_set_stat(struct child *k, const struct stat *st)
{
    k->kind = kind_of(st->st_mode);
    k->size = (int64_t)st->st_size;
    k->mtime_ms = ts_ms(&st->st_mtim);
    k->ino = (uint64_t)st->st_ino;
    k->nlink = (uint32_t)st->st_nlink;
}

/* Order of names inside one directory such that the walk comes out in path byte order: a
 * directory sorts as its name followed by '/', since its entries' paths continue that way. */
static int child_cmp(const void *pa, const void *pb, void *arg)
{
    const struct child *a = pa, *b = pb;
    const unsigned char *names = arg;
    const unsigned char *na = names + a->name_off, *nb = names + b->name_off;
    size_t m = a->name_len < b->name_len ? a->name_len : b->name_len;
    int r = memcmp(na, nb, m);
    if (r != 0)
        return r;
    /* Names in one directory differ, so at most one of them ends here. */
    int ca = a->name_len > m ? na[m] : (a->kind == KIND_DIR ? '/' : -1);
    int cb = b->name_len > m ? nb[m] : (b->kind == KIND_DIR ? '/' : -1);
    return (ca > cb) - (ca < cb);
}

static size_t names_add(struct ctx *c, const char *name, size_t len)
{
    c->names = xgrow(c->names, &c->capnames, c->nnames + len + 1, 1);
    size_t off = c->nnames;
    memcpy(c->names + off, name, len + 1);
    c->nnames += len + 1;
    return off;
}

/* Read every name of the directory open on fd into ctx.ch (stat'ing all but directories),
 * sorted. Returns -1 with errno set, and nothing added, when the directory cannot be read. */
static int read_dir(struct ctx *c, int fd)
{
    size_t ch0 = c->nch, names0 = c->nnames;
    for (;;) {
        ssize_t n = getdents64(fd, c->dents, WALK_DENTS_BUF);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            goto fail;
        }
        if (n == 0)
            break;
        for (ssize_t off = 0; off < n;) {
            const struct dirent64 *d = (const struct dirent64 *)(void *)(c->dents + off);
            off += d->d_reclen;
            const char *nm = d->d_name;
            if (nm[0] == '.' && (nm[1] == '\0' || (nm[1] == '.' && nm[2] == '\0')))
                continue;
            c->ch = xgrow(c->ch, &c->capch, c->nch + 1, sizeof *c->ch);
            struct child *k = &c->ch[c->nch];
            size_t len = strlen(nm);
            if (d->d_type == DT_DIR) {
                /* Device and inode come from the opened descriptor when it is entered. */
                memset(k, 0, sizeof *k);
                k->kind = KIND_DIR;
            } else {
                struct stat st;
                if (fstatat(fd, nm, &st, AT_SYMLINK_NOFOLLOW) != 0) {
                    if (errno == ENOENT)
                        continue;   /* removed since it was listed */
                    goto fail;
                }
                child_set_stat(k, &st);
            }
            k->name_len = (uint32_t)len;
            k->name_off = names_add(c, nm, len);
            c->nch++;
        }
    }
    if (c->nch - ch0 > 1)
        qsort_r(c->ch + ch0, c->nch - ch0, sizeof *c->ch, child_cmp, c->names);
    return 0;
fail:;
    int e = errno;
    c->nch = ch0;
    c->nnames = names0;
    errno = e;
    return -1;
}

/* Append an entry for name (in the directory whose children start at prefix_len of ctx.path). */
static void emit(struct ctx *c, size_t prefix_len, const struct child *k, uint8_t type)
{
    struct walk *w = c->w;
    struct arena *a = &w->names;
    size_t len = prefix_len + k->name_len;
    if (a->len + len + 1 > a->cap) {
        size_t cap = a->cap ? a->cap : 4096;
        while (cap < a->len + len + 1)
            cap *= 2;
        a->buf = xrealloc(a->buf, cap);
        a->cap = cap;
    }
    char *p = a->buf + a->len;
    memcpy(p, c->path, prefix_len);
    memcpy(p + prefix_len, c->names + k->name_off, (size_t)k->name_len + 1);

    w->v = xgrow(w->v, &w->cap, w->n + 1, sizeof *w->v);
    struct walk_entry *e = &w->v[w->n++];
    e->root = c->root;
    e->path_len = (uint32_t)len;
    e->path_off = a->len;
    e->size = k->size;
    e->mtime_ms = k->mtime_ms;
    e->ino = k->ino;
    e->nlink = k->nlink;
    e->type = type;
    a->len += len + 1;

    if (type == WALK_FILE) {
        c->st->files++;
        c->st->bytes += (uint64_t)(k->size > 0 ? k->size : 0);
    } else {
        c->st->others++;
    }
}

/* Record a directory that was not entered, with whatever lstat says about it. */
static void emit_dir(struct ctx *c, int dirfd, size_t prefix_len, struct child *k, uint8_t type)
{
    struct stat st;
    if (dirfd >= 0 && fstatat(dirfd, c->names + k->name_off, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        child_set_stat(k, &st);
    } else {
        k->size = k->mtime_ms = 0;
        k->ino = 0;
        k->nlink = 0;
    }
    emit(c, prefix_len, k, type);
}

static int dir_id(int fd, dev_t *dev, ino_t *ino, int *mount_root)
{
    struct statx sx;
    if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_INO, &sx) != 0)
        return -1;
    *dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
    *ino = (ino_t)sx.stx_ino;
    /* A bind mount keeps the device number; the kernel flags the top of any mount. */
    *mount_root = (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
                  (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
    return 0;
}

static void fd_close(struct ctx *c, struct frame *f)
{
    if (f->fd >= 0) {
        close(f->fd);
        f->fd = -1;
        c->nopen--;
    }
}

/* Close the shallowest descriptors (never the root's) while more than WALK_MAX_OPEN are open. */
static void evict(struct ctx *c)
{
    for (size_t i = 1; c->nopen > WALK_MAX_OPEN && i + 1 < c->nfr; i++)
        fd_close(c, &c->fr[i]);
}

/* Open the top frame's directory again, from the deepest ancestor still open, one component
 * at a time without following links; each must still be the directory walked before. */
static int reopen_top(struct ctx *c)
{
    size_t top = c->nfr - 1, a = top;
    while (c->fr[a].fd < 0)
        a--;
    for (size_t j = a + 1; j <= top; j++) {
        struct frame *f = &c->fr[j];
        int fd = openat(c->fr[j - 1].fd, c->names + f->name_off, WALK_DIR_FLAGS);
        if (fd < 0)
            return -1;
        dev_t dev;
        ino_t ino;
        int mroot;
        if (dir_id(fd, &dev, &ino, &mroot) != 0 || dev != f->dev || ino != f->ino) {
            close(fd);
            return -1;
        }
        f->fd = fd;
        c->nopen++;
        evict(c);
    }
    return 0;
}

static void pop_frame(struct ctx *c)
{
    struct frame *f = &c->fr[c->nfr - 1];
    fd_close(c, f);
    c->nch = f->lo;
    c->nnames = f->names_mark;
    c->nfr--;
}

/* Leave the directory k (checked: same filesystem, not a mount) to walk_task. */
static void add_task(struct ctx *c, size_t prefix_len, const struct child *k, dev_t dev,
                     ino_t ino)
{
    struct walk_split *sp = c->split;
    size_t len = prefix_len + k->name_len;
    char *rel = xmalloc(len + 1);
    memcpy(rel, c->path, prefix_len);
    memcpy(rel + prefix_len, c->names + k->name_off, (size_t)k->name_len + 1);
    sp->v = xgrow(sp->v, &sp->cap, sp->n + 1, sizeof *sp->v);
    sp->v[sp->n++] = (struct walk_task){.root = c->root, .rel = rel, .rel_len = len,
                                        .dev = (uint64_t)dev, .ino = (uint64_t)ino};
}

/* Enter the directory child k of the top frame, or record why it was not entered. */
static void enter_dir(struct ctx *c, struct child *k)
{
    struct frame *f = &c->fr[c->nfr - 1];
    size_t prefix_len = f->prefix_len;
    if (f->fd < 0 && reopen_top(c) != 0) {
        emit_dir(c, -1, prefix_len, k, WALK_UNREADABLE);
        return;
    }
    int pfd = f->fd;
    const char *nm = c->names + k->name_off;
    int fd = openat(pfd, nm, WALK_DIR_FLAGS);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT)
            return;
        struct stat st;
        if ((e == ENOTDIR || e == ELOOP) && fstatat(pfd, nm, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            !S_ISDIR(st.st_mode)) {
            /* Replaced by something else since it was listed. */
            child_set_stat(k, &st);
            emit(c, prefix_len, k, k->kind);
            return;
        }
        emit_dir(c, pfd, prefix_len, k, WALK_UNREADABLE);
        return;
    }
    dev_t dev;
    ino_t ino;
    int mroot;
    if (dir_id(fd, &dev, &ino, &mroot) != 0) {
        close(fd);
        emit_dir(c, pfd, prefix_len, k, WALK_UNREADABLE);
        return;
    }
    if (dev != c->root_dev || mroot) {
        close(fd);
        emit_dir(c, pfd, prefix_len, k, WALK_MOUNT);
        return;
    }
    if (c->split && c->nfr == c->split->depth) {
        close(fd);
        add_task(c, prefix_len, k, dev, ino);
        return;
    }

    size_t plen = prefix_len + k->name_len + 1;
    c->path = xgrow(c->path, &c->cappath, plen, 1);
    memcpy(c->path + prefix_len, nm, k->name_len);
    c->path[plen - 1] = '/';

    c->fr = xgrow(c->fr, &c->capfr, c->nfr + 1, sizeof *c->fr);
    struct frame *nf = &c->fr[c->nfr++];
    nf->fd = fd;
    nf->dev = dev;
    nf->ino = ino;
    nf->prefix_len = plen;
    nf->name_off = k->name_off;
    nf->names_mark = c->nnames;
    nf->lo = nf->cur = c->nch;
    c->nopen++;
    evict(c);
    if (read_dir(c, fd) != 0) {
        struct stat st;
        if (fstat(fd, &st) == 0)
            child_set_stat(k, &st);
        pop_frame(c);
        emit(c, prefix_len, k, WALK_UNREADABLE);
        return;
    }
    nf = &c->fr[c->nfr - 1];
    nf->hi = c->nch;
    c->st->dirs++;
}

static int root_fail(struct err *err, const char *path, int e, const char *what)
{
    err_sys(err, ERR_IO, e, "could not %s content root '%s'", what, path);
    if (e == ENOENT)
        err_hint(err, "Check that the volume is mounted and that the configured path is the "
                      "path on this host, not inside a container.");
    else if (e == EACCES)
        err_hint(err, "Run alfwipe as a user that can read '%s' and every directory below it.",
                 path);
    else if (e == ENOTDIR)
        err_hint(err, "Point the setting at the content store directory itself.");
    return -1;
}

void walk_init(struct walk *w, size_t nroots)
{
    w->names = (struct arena)ARENA_INIT;
    w->v = NULL;
    w->n = w->cap = 0;
    w->stats = xcalloc(nroots, sizeof *w->stats);
    w->nroots = nroots;
}

void walk_release(struct walk *w)
{
    arena_release(&w->names);
    free(w->v);
    free(w->stats);
    w->v = NULL;
    w->stats = NULL;
    w->n = w->cap = w->nroots = 0;
}

/* Walk from the frames on the stack until none is left. */
static void run(struct ctx *c)
{
    while (c->nfr > 0) {
        struct frame *f = &c->fr[c->nfr - 1];
        if (f->cur == f->hi) {
            pop_frame(c);
            continue;
        }
        struct child k = c->ch[f->cur++];
        if (k.kind == KIND_DIR)
            enter_dir(c, &k);
        else
            emit(c, f->prefix_len, &k, k.kind);
    }
}

static void ctx_release(struct ctx *c)
{
    while (c->nfr > 0)
        pop_frame(c);
    free(c->dents);
    free(c->ch);
    free(c->names);
    free(c->fr);
    free(c->path);
}

int walk_root(struct walk *w, uint32_t root, const char *path, struct err *err)
{
    return walk_root_split(w, root, path, NULL, err);
}

int walk_root_split(struct walk *w, uint32_t root, const char *path, struct walk_split *split,
                    struct err *err)
{
    if (root >= w->nroots)
        return err_set(err, ERR_INTERNAL, "walk root index %u out of range (%zu roots)", root,
                       w->nroots);
    struct walk_root_stats *st = &w->stats[root];
    memset(st, 0, sizeof *st);
    size_t n0 = w->n, names0 = w->names.len;

    /* The root itself may be reached through symlinks; below it nothing is followed. */
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        st->error = errno;
        return root_fail(err, path, errno, "open");
    }

    struct ctx c;
    memset(&c, 0, sizeof c);
    c.w = w;
    c.split = split;
    c.root = root;
    c.st = st;
    size_t tasks0 = split ? split->n : 0;
    int ret = -1, e = 0;
    const char *what = "read";
    ino_t root_ino;
    int mroot;
    if (dir_id(fd, &c.root_dev, &root_ino, &mroot) != 0) {
        e = errno;
        what = "stat";
        close(fd);
        goto out;
    }
    c.dents = xmalloc(WALK_DENTS_BUF);
    c.fr = xgrow(c.fr, &c.capfr, 16, sizeof *c.fr);
    c.path = xgrow(c.path, &c.cappath, 256, 1);
    c.fr[0] = (struct frame){.fd = fd, .dev = c.root_dev, .ino = root_ino};
    c.nfr = 1;
    c.nopen = 1;
    if (read_dir(&c, fd) != 0) {
        e = errno;
        goto out;
    }
    c.fr[0].hi = c.nch;
    st->dirs = 1;

    run(&c);
    ret = 0;
out:
    ctx_release(&c);
    if (ret == 0 && split) {
        for (size_t i = tasks0; i < split->n; i++) {
            split->v[i].root_dev = (uint64_t)c.root_dev;
            split->v[i].root_ino = (uint64_t)root_ino;
        }
    }
    if (ret != 0) {
        /* Nothing half-done: a root that could not be walked contributes no entries. */
        if (split) {
            for (size_t i = tasks0; i < split->n; i++)
                free(split->v[i].rel);
            split->n = tasks0;
        }
        w->n = n0;
        w->names.len = names0;
        memset(st, 0, sizeof *st);
        st->error = e;
        return root_fail(err, path, e, what);
    }
    return 0;
}

/* ------------------------------------------------------------------ split walks */

/* The task's directory could not be opened again as the one listed: recorded as unreadable,
 * as the walk records a directory it cannot enter. */
static void task_unreadable(struct ctx *c, const struct walk_task *t)
{
    const char *slash = strrchr(t->rel, '/');
    size_t prefix_len = slash ? (size_t)(slash - t->rel) + 1 : 0;
    struct child k = {0};
    k.name_len = (uint32_t)(t->rel_len - prefix_len);
    k.name_off = names_add(c, t->rel + prefix_len, k.name_len);
    k.kind = WALK_UNREADABLE;
    emit(c, prefix_len, &k, WALK_UNREADABLE);
}

/* Open the task's directory from the root, one component at a time without following links;
 * the root and the directory must be the ones walk_root_split saw. -1 otherwise. */
static int task_open(const char *root_path, const struct walk_task *t)
{
    int fd = open(root_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    dev_t dev;
    ino_t ino;
    int mroot;
    if (fd < 0 || dir_id(fd, &dev, &ino, &mroot) != 0 || (uint64_t)dev != t->root_dev ||
        (uint64_t)ino != t->root_ino)
        goto fail;
    for (const char *p = t->rel; *p;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        char comp[256];
        if (n == 0 || n >= sizeof comp)
            goto fail;
        memcpy(comp, p, n);
        comp[n] = '\0';
        int nfd = openat(fd, comp, WALK_DIR_FLAGS);
        close(fd);
        fd = nfd;
        if (fd < 0)
            goto fail;
        p += n + (slash ? 1 : 0);
    }
    if (dir_id(fd, &dev, &ino, &mroot) != 0 || (uint64_t)dev != t->dev ||
        (uint64_t)ino != t->ino || mroot)
        goto fail;
    return fd;
fail:
    if (fd >= 0)
        close(fd);
    return -1;
}

void walk_task(struct walk *w, const char *root_path, const struct walk_task *t)
{
    struct ctx c;
    memset(&c, 0, sizeof c);
    c.w = w;
    c.root = t->root;
    c.st = &w->stats[t->root];
    c.root_dev = (dev_t)t->root_dev;
    c.path = xgrow(c.path, &c.cappath, t->rel_len + 1, 1);
    memcpy(c.path, t->rel, t->rel_len);
    c.path[t->rel_len] = '/';
    int fd = task_open(root_path, t);
    if (fd < 0) {
        task_unreadable(&c, t);
        ctx_release(&c);
        return;
    }
    c.dents = xmalloc(WALK_DENTS_BUF);
    c.fr = xgrow(c.fr, &c.capfr, 16, sizeof *c.fr);
    c.fr[0] = (struct frame){.fd = fd, .dev = (dev_t)t->dev, .ino = (ino_t)t->ino,
                             .prefix_len = t->rel_len + 1};
    c.nfr = 1;
    c.nopen = 1;
    if (read_dir(&c, fd) != 0) {
        pop_frame(&c);
        task_unreadable(&c, t);
        ctx_release(&c);
        return;
    }
    c.fr[0].hi = c.nch;
    c.st->dirs++;
    run(&c);
    ctx_release(&c);
}

void walk_append(struct walk *dst, const struct walk *src)
{
    for (size_t i = 0; i < src->n; i++) {
        const struct walk_entry *e = &src->v[i];
        dst->v = xgrow(dst->v, &dst->cap, dst->n + 1, sizeof *dst->v);
        struct walk_entry *d = &dst->v[dst->n++];
        *d = *e;
        d->path_off = arena_add(&dst->names, walk_path(src, e), e->path_len);
    }
    for (size_t r = 0; r < src->nroots && r < dst->nroots; r++) {
        dst->stats[r].files += src->stats[r].files;
        dst->stats[r].bytes += src->stats[r].bytes;
        dst->stats[r].dirs += src->stats[r].dirs;
        dst->stats[r].others += src->stats[r].others;
    }
}

void walk_split_release(struct walk_split *sp)
{
    for (size_t i = 0; i < sp->n; i++)
        free(sp->v[i].rel);
    free(sp->v);
    sp->v = NULL;
    sp->n = sp->cap = 0;
}

/* ------------------------------------------------------------------ sort */

static int entry_cmp(const struct walk *w, const struct walk_entry *a, const struct walk_entry *b)
{
    size_t m = a->path_len < b->path_len ? a->path_len : b->path_len;
    int r = memcmp(w->names.buf + a->path_off, w->names.buf + b->path_off, m);
    if (r != 0)
        return r;
    if (a->path_len != b->path_len)
        return a->path_len < b->path_len ? -1 : 1;
    return (a->root > b->root) - (a->root < b->root);
}

/* Merge the sorted index runs src[lo, mid) and src[mid, hi) into dst[lo, hi). */
static void merge(const struct walk *w, const size_t *src, size_t *dst, size_t lo, size_t mid,
                  size_t hi)
{
    size_t i = lo, j = mid, o = lo;
    while (i < mid && j < hi)
        dst[o++] = entry_cmp(w, &w->v[src[j]], &w->v[src[i]]) < 0 ? src[j++] : src[i++];
    while (i < mid)
        dst[o++] = src[i++];
    while (j < hi)
        dst[o++] = src[j++];
}

/* Position j takes the entry at a[j]: apply that permutation in place, cycle by cycle. */
static void permute(struct walk *w, size_t *a)
{
    for (size_t i = 0; i < w->n; i++) {
        if (a[i] == i)
            continue;
        struct walk_entry tmp = w->v[i];
        size_t j = i;
        for (;;) {
            size_t s = a[j];
            a[j] = j;
            if (s == i) {
                w->v[j] = tmp;
                break;
            }
            w->v[j] = w->v[s];
            j = s;
        }
    }
}

/* Few ascending runs (the walk's output: about one per root): merge neighbouring runs pairwise
 * until one is left. */
static void sort_runs(struct walk *w, size_t nruns)
{
    size_t n = w->n;
    size_t *bound = xmalloc((nruns + 1) * sizeof *bound);
    size_t nb = 0;
    bound[nb++] = 0;
    for (size_t i = 1; i < n; i++)
        if (entry_cmp(w, &w->v[i - 1], &w->v[i]) > 0)
            bound[nb++] = i;
    bound[nb] = n;
    size_t *a = xmalloc(n * sizeof *a), *b = xmalloc(n * sizeof *b);
    for (size_t i = 0; i < n; i++)
        a[i] = i;
    while (nb > 1) {
        size_t out = 0;
        for (size_t r = 0; r < nb; r += 2) {
            if (r + 1 < nb)
                merge(w, a, b, bound[r], bound[r + 1], bound[r + 2]);
            else
                memcpy(b + bound[r], a + bound[r], (bound[r + 1] - bound[r]) * sizeof *a);
            bound[out++] = bound[r];
        }
        bound[out] = n;
        nb = out;
        size_t *t = a;
        a = b;
        b = t;
    }
    free(b);
    free(bound);
    permute(w, a);
    free(a);
}

/* Eight path bytes from depth on, big-endian, zero past the end: comparing two of these as
 * numbers compares the paths' bytes, and a path ending first sorts first (no name holds NUL). */
struct skey {
    uint64_t k;
    size_t i;
};

static uint64_t key_at(const struct walk *w, const struct walk_entry *e, size_t depth)
{
    const unsigned char *p = (const unsigned char *)w->names.buf + e->path_off;
    uint64_t k = 0;
    if (depth + 8 <= e->path_len) {
        memcpy(&k, p + depth, 8);
        return __builtin_bswap64(k);
    }
    for (size_t b = 0; b < 8; b++)
        k = (k << 8) | (depth + b < e->path_len ? p[depth + b] : 0u);
    return k;
}

static int skey_cmp(const void *pa, const void *pb)
{
    const struct skey *a = pa, *b = pb;
    return (a->k > b->k) - (a->k < b->k);
}

/* Whole-path comparisons for a small group of keys. */
static void insertion_sort(const struct walk *w, struct skey *key, size_t lo, size_t hi)
{
    for (size_t i = lo + 1; i < hi; i++) {
        struct skey t = key[i];
        size_t j = i;
        while (j > lo && entry_cmp(w, &w->v[key[j - 1].i], &w->v[t.i]) > 0) {
            key[j] = key[j - 1];
            j--;
        }
        key[j] = t;
    }
}

struct span {
    size_t lo, hi, depth;
};

/* Any order: sort eight-byte keys, then each group of equal keys on its next eight bytes,
 * until groups are small enough to finish with whole-path comparisons. Keys are read from
 * the names once per eight bytes of shared prefix instead of once per comparison. */
static void sort_keys(struct walk *w)
{
    size_t n = w->n;
    struct skey *key = xmalloc(n * sizeof *key);
    for (size_t i = 0; i < n; i++)
        key[i] = (struct skey){key_at(w, &w->v[i], 0), i};
    struct span *stack = NULL;
    size_t nstack = 0, capstack = 0;
    stack = xgrow(stack, &capstack, 1, sizeof *stack);
    stack[nstack++] = (struct span){0, n, 0};
    while (nstack > 0) {
        struct span s = stack[--nstack];
        if (s.hi - s.lo <= 16) {
            insertion_sort(w, key, s.lo, s.hi);
            continue;
        }
        if (s.depth > 0)
            for (size_t i = s.lo; i < s.hi; i++)
                key[i].k = key_at(w, &w->v[key[i].i], s.depth);
        qsort(key + s.lo, s.hi - s.lo, sizeof *key, skey_cmp);
        for (size_t i = s.lo; i < s.hi;) {
            size_t j = i + 1;
            while (j < s.hi && key[j].k == key[i].k)
                j++;
            if (j - i > 1 && w->v[key[i].i].path_len < s.depth + 8) {
                /* These paths end inside the eight bytes, so they are equal: only the root
                 * differs. */
                insertion_sort(w, key, i, j);
            } else if (j - i > 1) {
                stack = xgrow(stack, &capstack, nstack + 1, sizeof *stack);
                stack[nstack++] = (struct span){i, j, s.depth + 8};
            }
            i = j;
        }
    }
    free(stack);
    size_t *a = xmalloc(n * sizeof *a);
    for (size_t i = 0; i < n; i++)
        a[i] = key[i].i;
    free(key);
    permute(w, a);
    free(a);
}

/* The walk lists every root in order already, so the usual input is one ascending run per
 * root and costs a scan plus a merge or two; anything else goes through the key sort. */
void walk_sort(struct walk *w)
{
    size_t nruns = 1;
    for (size_t i = 1; i < w->n; i++)
        if (entry_cmp(w, &w->v[i - 1], &w->v[i]) > 0)
            nruns++;
    if (nruns == 1)
        return;
    if (nruns <= 64)
        sort_runs(w, nruns);
    else
        sort_keys(w);
}
