/* One file, one descriptor: open without following, pin dev/ino, overwrite only the allocated
 * extents pass by pass, make each pass durable, read it back from the device, and remove the
 * file through its directory descriptor after re-checking that the name is still ours. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wipe_int.h"

static void wf_reset(struct wipe_file *wf)
{
    memset(wf, 0, sizeof *wf);
    wf->fd = wf->rfd = wf->dirfd = wf->rootfd = -1;
}

static int64_t mtime_ns_of(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

int wipe_file_open(struct wipe_file *wf, int dirfd, const char *name, bool writable,
                   char *reason, size_t reasonlen, struct err *err)
{
    wf_reset(wf);
    struct stat pre;
    /* The type decides before any open: a FIFO or device is never opened. */
    if (fstatat(dirfd, name, &pre, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) {
            snprintf(reason, reasonlen, "disappeared before the wipe");
            return WIPE_OPEN_REFUSED;
        }
        return err_sys(err, ERR_IO, errno, "could not stat '%s'", name);
    }
    if (S_ISLNK(pre.st_mode)) {
        snprintf(reason, reasonlen, "symlink");
        return WIPE_OPEN_REFUSED;
    }
    if (!S_ISREG(pre.st_mode)) {
        snprintf(reason, reasonlen, "not a regular file (%s)",
                 S_ISCHR(pre.st_mode) || S_ISBLK(pre.st_mode) ? "device"
                                                              : wipe_mode_name(pre.st_mode));
        return WIPE_OPEN_REFUSED;
    }
    if (pre.st_nlink > 1) {
        snprintf(reason, reasonlen, "%lu hard links", (unsigned long)pre.st_nlink);
        return WIPE_OPEN_REFUSED;
    }
    int flags = (writable ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
    int fd = openat(dirfd, name, flags | (writable ? 0 : O_NOATIME));
    if (fd < 0 && !writable && errno == EPERM)   /* O_NOATIME needs ownership */
        fd = openat(dirfd, name, flags);
    if (fd < 0) {
        if (errno == ELOOP) {
            snprintf(reason, reasonlen, "symlink");
            return WIPE_OPEN_REFUSED;
        }
        if (errno == ENOENT) {
            snprintf(reason, reasonlen, "disappeared before the wipe");
            return WIPE_OPEN_REFUSED;
        }
        return err_sys(err, ERR_IO, errno, "could not open '%s'%s", name,
                       writable ? " for writing" : "");
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return err_sys(err, ERR_IO, e, "could not stat '%s'", name);
    }
    if (st.st_dev != pre.st_dev || st.st_ino != pre.st_ino || !S_ISREG(st.st_mode)) {
        close(fd);
        snprintf(reason, reasonlen, "replaced while it was being opened");
        return WIPE_OPEN_REFUSED;
    }
    if (st.st_nlink != 1) {
        close(fd);
        snprintf(reason, reasonlen, "%lu hard links", (unsigned long)st.st_nlink);
        return WIPE_OPEN_REFUSED;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
        int e = errno;
        close(fd);
        return err_sys(err, ERR_IO, e, "could not set up '%s' for writing", name);
    }
    wf->dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
    if (wf->dirfd < 0) {
        int e = errno;
        close(fd);
        return err_sys(err, ERR_IO, e, "could not duplicate a directory descriptor");
    }
    wf->fd = fd;
    wf->name = xstrdup(name);
    wf->dev = st.st_dev;
    wf->ino = st.st_ino;
    wf->size = st.st_size;
    wf->mtime_ns = mtime_ns_of(&st);
    wf->nlink = (uint32_t)st.st_nlink;
    return WIPE_OPEN_OK;
}

void wipe_file_close_data(struct wipe_file *wf)
{
    if (wf->rfd >= 0 && wf->rfd != wf->fd)
        close(wf->rfd);
    if (wf->fd >= 0)
        close(wf->fd);
    wf->fd = wf->rfd = -1;
}

void wipe_file_close(struct wipe_file *wf)
{
    wipe_file_close_data(wf);
    if (wf->dirfd >= 0)
        close(wf->dirfd);
    free(wf->name);
    free(wf->ext);
    free(wf->rel);
    wf_reset(wf);
}

void wipe_file_set_place(struct wipe_file *wf, int rootfd, const char *rootpath,
                         const char *rel)
{
    free(wf->rel);
    wf->rootfd = rootfd;
    wf->rootpath = rootpath;
    wf->rel = xstrdup(rel);
}

static void add_extent(struct wipe_file *wf, uint64_t off, uint64_t len, size_t *cap)
{
    if (len == 0)
        return;
    wf->ext = xgrow(wf->ext, cap, wf->next + 1, sizeof *wf->ext);
    wf->ext[wf->next].off = off;
    wf->ext[wf->next].len = len;
    wf->next++;
    wf->data_bytes += len;
}

int wipe_file_map(struct wipe_file *wf, struct err *err)
{
    size_t cap = 0;
    free(wf->ext);
    wf->ext = NULL;
    wf->next = 0;
    wf->data_bytes = 0;
    uint64_t size = (uint64_t)wf->size;
    uint64_t off = 0;
    while (off < size) {
        off_t d = lseek(wf->fd, (off_t)off, SEEK_DATA);
        if (d < 0) {
            if (errno == ENXIO)   /* only holes from here to the end */
                break;
            if (errno == EINVAL && wf->next == 0) {
                /* SEEK_DATA unsupported: the whole file is data */
                add_extent(wf, 0, size, &cap);
                break;
            }
            return err_sys(err, ERR_IO, errno, "could not map the data of '%s'", wf->name);
        }
        off_t h = lseek(wf->fd, d, SEEK_HOLE);
        if (h < 0)
            return err_sys(err, ERR_IO, errno, "could not map the holes of '%s'", wf->name);
        uint64_t ds = (uint64_t)d, he = (uint64_t)h;
        if (ds >= size)
            break;
        if (he > size)
            he = size;
        if (he <= ds)
            break;
        add_extent(wf, ds, he - ds, &cap);
        off = he;
    }
    /* Large files get O_DIRECT writes for their aligned part; small ones are written through
     * the page cache so many of them can share one sync barrier. */
    wf->direct_write = wf->data_bytes >= (1u << 20);
    return 0;
}

int wipe_bufs_init(struct wipe_bufs *b, struct err *err)
{
    memset(b, 0, sizeof *b);
    void *p[3] = {NULL, NULL, NULL};
    for (int i = 0; i < 3; i++) {
        int rc = posix_memalign(&p[i], WIPE_ALIGN, WIPE_BUF_SIZE);
        if (rc != 0) {
            for (int j = 0; j < i; j++)
                free(p[j]);
            return err_sys(err, ERR_NOMEM, rc, "could not allocate I/O buffers");
        }
    }
    b->wbuf = p[0];
    b->rbuf = p[1];
    b->ebuf = p[2];
    return 0;
}

void wipe_bufs_release(struct wipe_bufs *b)
{
    free(b->wbuf);
    free(b->rbuf);
    free(b->ebuf);
    memset(b, 0, sizeof *b);
}

static int set_direct(int fd, bool on)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0)
        return -1;
    int want = on ? (fl | O_DIRECT) : (fl & ~O_DIRECT);
    if (want == fl)
        return 0;
    return fcntl(fd, F_SETFL, want);
}

/* pwrite all of buf at off, over short writes and EINTR. On failure *fail_off says where. */
static int pwrite_all(int fd, const uint8_t *buf, size_t n, uint64_t off, uint64_t *fail_off)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = pwrite(fd, buf + done, n - done, (off_t)(off + done));
        if (w < 0) {
            if (errno == EINTR)
                continue;
            *fail_off = off + done;
            return -1;
        }
        if (w == 0) {
            *fail_off = off + done;
            errno = EIO;
            return -1;
        }
        done += (size_t)w;
    }
    return 0;
}

/* Write one chunk: the aligned part with O_DIRECT when the file uses it, the rest buffered. */
static int write_chunk(struct wipe_file *wf, const uint8_t *buf, size_t n, uint64_t off,
                       uint64_t *fail_off)
{
    size_t direct_len = 0;
    if (wf->direct_write && off % WIPE_ALIGN == 0)
        direct_len = n - n % WIPE_ALIGN;
    if (direct_len > 0) {
        if (set_direct(wf->fd, true) != 0) {
            wf->direct_write = false;
            direct_len = 0;
        } else if (pwrite_all(wf->fd, buf, direct_len, off, fail_off) != 0) {
            if (errno != EINVAL)
                return -1;
            /* O_DIRECT refused for this range: carry on through the page cache. */
            wf->direct_write = false;
            direct_len = 0;
        }
    }
    if (direct_len < n) {
        if (set_direct(wf->fd, false) != 0) {
            *fail_off = off + direct_len;
            return -1;
        }
        if (pwrite_all(wf->fd, buf + direct_len, n - direct_len, off + direct_len, fail_off))
            return -1;
    }
    return 0;
}

/* Fill buf with n bytes of pass p at file offset off (stream already positioned at off). */
static int fill(const struct wipe_pass *p, struct wipe_stream *st, uint8_t *buf, size_t n,
                uint64_t off, struct err *err)
{
    if (p->kind == WIPE_PASS_RANDOM)
        return wipe_stream_read(st, buf, n, err);
    wipe_pass_fill(p, off, buf, n);
    return 0;
}

int wipe_file_write_pass(struct wipe_file *wf, const struct wipe_pass *p, unsigned passno,
                         const struct wipe_key *key, struct wipe_bufs *b,
                         const atomic_int *stop, uint64_t *written, struct err *err)
{
    *written = 0;
    struct wipe_stream *st = NULL;
    if (p->kind == WIPE_PASS_RANDOM) {
        st = wipe_stream_new(key, wf->stream_id, passno, err);
        if (!st)
            return -1;
    }
    int ret = -1;
    bool single_fill = p->kind == WIPE_PASS_PATTERN && p->len <= 1;
    if (single_fill) /* only as much as this file needs: small files are the common case */
        wipe_pass_fill(p, 0, b->wbuf,
                       wf->data_bytes < WIPE_BUF_SIZE ? (size_t)wf->data_bytes : WIPE_BUF_SIZE);
    for (size_t i = 0; i < wf->next; i++) {
        uint64_t pos = wf->ext[i].off, end = pos + wf->ext[i].len;
        if (st && wipe_stream_seek(st, pos, err) != 0)
            goto out;
        while (pos < end) {
            size_t n = end - pos > WIPE_BUF_SIZE ? WIPE_BUF_SIZE : (size_t)(end - pos);
            if (!single_fill && fill(p, st, b->wbuf, n, pos, err) != 0)
                goto out;
            uint64_t fail_off = 0;
            uint64_t fault_off;
            int ferr = wipe_fault_write(passno, pos, n, wf->name, &fault_off);
            if (ferr) {
                size_t before = (size_t)(fault_off - pos);
                if (before > 0 && write_chunk(wf, b->wbuf, before, pos, &fail_off) != 0) {
                    err_sys(err, ERR_IO, errno, "write failed at offset %llu in pass %u",
                            (unsigned long long)fail_off, passno);
                    goto out;
                }
                *written += before;
                err_sys(err, ERR_IO, ferr, "write failed at offset %llu in pass %u",
                        (unsigned long long)fault_off, passno);
                goto out;
            }
            if (write_chunk(wf, b->wbuf, n, pos, &fail_off) != 0) {
                err_sys(err, ERR_IO, errno, "write failed at offset %llu in pass %u",
                        (unsigned long long)fail_off, passno);
                goto out;
            }
            pos += n;
            *written += n;
            if (atomic_load_explicit(stop, memory_order_relaxed)) {
                ret = 1;
                goto out;
            }
        }
    }
    ret = 0;
out:
    wipe_stream_free(st);
    return ret;
}

void wipe_file_start_writeback(struct wipe_file *wf)
{
    /* Only a hint: the barrier that makes the pass durable comes later (syncfs, fdatasync). */
    (void)sync_file_range(wf->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
}

int wipe_file_sync(struct wipe_file *wf, unsigned passno, struct err *err)
{
    int ferr = wipe_fault_sync(passno, wf->name);
    if (ferr)
        return err_sys(err, ERR_IO, ferr, "sync failed after pass %u", passno);
    if (fdatasync(wf->fd) == 0)
        return 0;
    if (errno == EINVAL && fsync(wf->fd) == 0)
        return 0;
    return err_sys(err, ERR_IO, errno, "sync failed after pass %u", passno);
}

/* The read-back reads through the file's own descriptor, switched to O_DIRECT before every
 * read-back (a pass's buffered writes switch it off): the same open file, never re-opened by
 * name. Where O_DIRECT is refused (or the test fault says so), the same descriptor reads
 * through the page cache after it was dropped (cache-only), for every later pass too. */
static void open_readback(struct wipe_file *wf)
{
    if (wf->rfd >= 0 && !wf->rfd_direct)
        return;
    wf->rfd = wf->fd;
    wf->rfd_direct = !wipe_fault_odirect() && set_direct(wf->fd, true) == 0;
    if (!wf->rfd_direct)
        (void)set_direct(wf->fd, false);
}

static ssize_t pread_full(int fd, uint8_t *buf, size_t n, uint64_t off)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = pread(fd, buf + done, n - done, (off_t)(off + done));
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0)
            break;
        done += (size_t)r;
    }
    return (ssize_t)done;
}

int wipe_file_verify_prepare(struct wipe_file *wf, unsigned passno, struct err *err)
{
    open_readback(wf);
    if (!wf->rfd_direct) {
        if (fdatasync(wf->fd) != 0 && errno != EINVAL)
            return err_sys(err, ERR_IO, errno, "sync failed after pass %u", passno);
        (void)posix_fadvise(wf->fd, 0, 0, POSIX_FADV_DONTNEED);
    }
    return 0;
}

/* O_DIRECT refused after all: read through the page cache after dropping it (cache-only). */
static int fall_back_to_cache(struct wipe_file *wf, unsigned passno, struct err *err)
{
    wf->rfd = wf->fd;
    wf->rfd_direct = false;
    if (set_direct(wf->fd, false) != 0)
        return err_sys(err, ERR_IO, errno, "could not read back pass %u through the page cache",
                       passno);
    if (fdatasync(wf->fd) != 0 && errno != EINVAL)
        return err_sys(err, ERR_IO, errno, "sync failed after pass %u", passno);
    (void)posix_fadvise(wf->fd, 0, 0, POSIX_FADV_DONTNEED);
    return 0;
}

int wipe_file_verify_range(struct wipe_file *wf, const struct wipe_pass *p, unsigned passno,
                           const struct wipe_key *key, struct wipe_bufs *b,
                           const atomic_int *stop, uint64_t lo, uint64_t hi,
                           uint64_t *nread, char *reason, size_t reasonlen, struct err *err)
{
    *nread = 0;
    struct wipe_stream *st = NULL;
    if (p->kind == WIPE_PASS_RANDOM) {
        st = wipe_stream_new(key, wf->stream_id, passno, err);
        if (!st)
            return -1;
    }
    int ret = -1;
    for (size_t i = 0; i < wf->next; i++) {
        uint64_t pos = wf->ext[i].off, end = pos + wf->ext[i].len;
        if (pos < lo)
            pos = lo;
        if (end > hi)
            end = hi;
        if (pos >= end)
            continue;
        if (st && wipe_stream_seek(st, pos, err) != 0)
            goto out;
        while (pos < end) {
            size_t n = end - pos > WIPE_BUF_SIZE ? WIPE_BUF_SIZE : (size_t)(end - pos);
            size_t want = n;
            if (wf->rfd_direct) /* aligned length; the read stops at end of file */
                want = (n + WIPE_ALIGN - 1) / WIPE_ALIGN * WIPE_ALIGN;
            if (want > WIPE_BUF_SIZE)
                want = WIPE_BUF_SIZE;
            ssize_t r = pread_full(wf->rfd, b->rbuf, want, pos);
            if (r < 0 && errno == EINVAL && wf->rfd_direct) {
                ret = 3;   /* the device refuses this alignment: the caller falls back */
                goto out;
            }
            if (r < 0) {
                err_sys(err, ERR_IO, errno, "read back failed at offset %llu in pass %u",
                        (unsigned long long)pos, passno);
                goto out;
            }
            if ((size_t)r < n) {
                snprintf(reason, reasonlen,
                         "read back ended early at offset %llu in pass %u (file shrank)",
                         (unsigned long long)(pos + (uint64_t)r), passno);
                ret = 2;
                goto out;
            }
            if (fill(p, st, b->ebuf, n, pos, err) != 0)
                goto out;
            if (memcmp(b->rbuf, b->ebuf, n) != 0) {
                size_t k = 0;
                while (k < n && b->rbuf[k] == b->ebuf[k])
                    k++;
                snprintf(reason, reasonlen, "verification mismatch at offset %llu in pass %u",
                         (unsigned long long)(pos + k), passno);
                *nread += k;
                ret = 2;
                goto out;
            }
            pos += n;
            *nread += n;
            if (atomic_load_explicit(stop, memory_order_relaxed)) {
                ret = 1;
                goto out;
            }
        }
    }
    ret = 0;
out:
    wipe_stream_free(st);
    return ret;
}

int wipe_file_verify_pass(struct wipe_file *wf, const struct wipe_pass *p, unsigned passno,
                          const struct wipe_key *key, struct wipe_bufs *b,
                          const atomic_int *stop, enum wipe_check_how *how, uint64_t *nread,
                          char *reason, size_t reasonlen, struct err *err)
{
    *nread = 0;
    *how = WIPE_CHECK_NONE;
    if (wipe_file_verify_prepare(wf, passno, err) != 0)
        return -1;
    int rc = wipe_file_verify_range(wf, p, passno, key, b, stop, 0, (uint64_t)wf->size, nread,
                                    reason, reasonlen, err);
    if (rc == 3) {
        if (fall_back_to_cache(wf, passno, err) != 0)
            return -1;
        rc = wipe_file_verify_range(wf, p, passno, key, b, stop, 0, (uint64_t)wf->size, nread,
                                    reason, reasonlen, err);
    }
    *how = wf->rfd_direct ? WIPE_CHECK_DIRECT : WIPE_CHECK_CACHE;
    return rc;
}

/* Whether the root is still at its path and the directory the file was opened in still the
 * one its path from the root reaches (true when no place was set). */
static bool dir_in_place(const struct wipe_file *wf)
{
    if (wf->rootfd < 0 || !wf->rel)
        return true;
    struct stat rp, rf;
    if (wf->rootpath && (stat(wf->rootpath, &rp) != 0 || fstat(wf->rootfd, &rf) != 0 ||
                         rp.st_dev != rf.st_dev || rp.st_ino != rf.st_ino))
        return false;
    struct err err = ERR_INIT;
    int fd = wipe_open_parent(wf->rootfd, wf->dev, wf->rel, &err);
    if (fd < 0)
        return false;
    struct stat a, b;
    bool same = fstat(fd, &a) == 0 && fstat(wf->dirfd, &b) == 0 && a.st_dev == b.st_dev &&
                a.st_ino == b.st_ino;
    close(fd);
    return same;
}

/* Whether name in the file's directory is still the file (same device and inode). */
static bool name_is_ours(const struct wipe_file *wf, const char *name)
{
    struct stat st;
    return fstatat(wf->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
           st.st_dev == wf->dev && st.st_ino == wf->ino;
}

bool wipe_file_unchanged(struct wipe_file *wf, char *reason, size_t reasonlen)
{
    struct stat st;
    if (fstat(wf->fd, &st) != 0) {
        snprintf(reason, reasonlen, "changed during wipe (could not stat: %s)",
                 strerror(errno));
        return false;
    }
    if (st.st_size != wf->size) {
        snprintf(reason, reasonlen, "changed during wipe (size)");
        return false;
    }
    if (mtime_ns_of(&st) != wf->mtime_ns) {
        snprintf(reason, reasonlen, "changed during wipe (mtime)");
        return false;
    }
    if (st.st_nlink != 1) {
        snprintf(reason, reasonlen, "changed during wipe (link count)");
        return false;
    }
    /* Still at its place in the root: a file renamed away (into a live store, say) between
     * two passes is not written to again. */
    if (!name_is_ours(wf, wf->name) || !dir_in_place(wf)) {
        snprintf(reason, reasonlen, "changed during wipe (moved or renamed)");
        return false;
    }
    return true;
}

void wipe_file_note_own_write(struct wipe_file *wf)
{
    struct stat st;
    if (fstat(wf->fd, &st) == 0)
        wf->mtime_ns = mtime_ns_of(&st);
}

int wipe_random_name(char *out, size_t len, struct err *err)
{
    static const char set[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    uint8_t rnd[256];
    if (len > sizeof rnd)
        len = sizeof rnd;
    size_t got = 0;
    while (got < len) {
        ssize_t n = getrandom(rnd + got, len - got, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return err_sys(err, ERR_IO, errno, "could not draw a random name");
        }
        got += (size_t)n;
    }
    for (size_t i = 0; i < len; i++)
        out[i] = set[rnd[i] % (sizeof set - 1)];
    out[len] = '\0';
    return 0;
}

static int truncate_kept(struct wipe_file *wf, char *reason, size_t reasonlen, const char *why,
                         bool *truncated, struct err *err)
{
    if (ftruncate(wf->fd, 0) != 0 || fdatasync(wf->fd) != 0)
        return err_sys(err, ERR_IO, errno, "could not truncate '%s'", wf->name);
    *truncated = true;
    snprintf(reason, reasonlen, "%s; truncated to 0 bytes", why);
    return WIPE_NOT_REMOVED;
}

int wipe_file_remove(struct wipe_file *wf, const char *tmpname, char *reason, size_t reasonlen,
                     bool *truncated, struct err *err)
{
    *truncated = false;
    if (!dir_in_place(wf)) {
        snprintf(reason, reasonlen, "its directory is no longer at its place under the root "
                                    "(moved away)");
        return WIPE_NOT_REMOVED;
    }
    if (!name_is_ours(wf, wf->name)) {
        snprintf(reason, reasonlen, "name now refers to a different file");
        return WIPE_NOT_REMOVED;
    }
    size_t len = strlen(wf->name);
    char tmp[256];
    if (len >= sizeof tmp)
        return err_set(err, ERR_IO, "name '%s' is too long", wf->name);
    int rc = -1;
    for (int tries = 0; tries < 16; tries++) {
        if (tries == 0 && tmpname && strlen(tmpname) == len)
            memcpy(tmp, tmpname, len + 1);
        else if (wipe_random_name(tmp, len, err) != 0)
            return -1;
        rc = renameat2(wf->dirfd, wf->name, wf->dirfd, tmp, RENAME_NOREPLACE);
        if (rc == 0 || errno != EEXIST)
            break;
    }
    if (rc != 0 && errno == EINVAL) {
        /* RENAME_NOREPLACE unsupported here: check the target name is free first. */
        struct stat st;
        if (fstatat(wf->dirfd, tmp, &st, AT_SYMLINK_NOFOLLOW) == 0)
            errno = EEXIST;
        else
            rc = renameat(wf->dirfd, wf->name, wf->dirfd, tmp);
    }
    if (rc != 0) {
        int e = errno;
        if (e == EACCES || e == EPERM || e == EROFS) {
            char why[200];
            snprintf(why, sizeof why, "directory does not allow removing the file (%s)",
                     strerror(e));
            return truncate_kept(wf, reason, reasonlen, why, truncated, err);
        }
        return err_sys(err, ERR_IO, e, "could not rename '%s'", wf->name);
    }
    if (!name_is_ours(wf, tmp)) {
        /* Lost a race between the check and the rename: put that file back, touch nothing. */
        (void)renameat2(wf->dirfd, tmp, wf->dirfd, wf->name, RENAME_NOREPLACE);
        snprintf(reason, reasonlen, "name now refers to a different file");
        return WIPE_NOT_REMOVED;
    }
    if (ftruncate(wf->fd, 0) != 0)
        return err_sys(err, ERR_IO, errno, "could not truncate '%s'", wf->name);
    *truncated = true;
    if (!name_is_ours(wf, tmp)) {
        snprintf(reason, reasonlen, "renamed name now refers to a different file");
        return WIPE_NOT_REMOVED;
    }
    if (unlinkat(wf->dirfd, tmp, 0) != 0) {
        int e = errno;
        if (e == EACCES || e == EPERM || e == EROFS) {
            snprintf(reason, reasonlen,
                     "directory does not allow removing the file (%s); truncated to 0 bytes",
                     strerror(e));
            return WIPE_NOT_REMOVED;
        }
        return err_sys(err, ERR_IO, e, "could not unlink '%s'", wf->name);
    }
    return WIPE_REMOVED;
}
