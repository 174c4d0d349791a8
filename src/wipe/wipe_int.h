/* Private interfaces of the wipe module: filesystem assurance, candidate selection, per-file
 * overwrite and removal, the state journal and lock, the database reference check and the
 * test-only hooks. Only src/wipe/, src/cmd/wipe.c and the wipe unit tests include this. */
#ifndef ALFWIPE_WIPE_INT_H
#define ALFWIPE_WIPE_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "alfwipe/conf.h"
#include "alfwipe/err.h"
#include "alfwipe/wipe.h"
#include "alfwipe/xalloc.h"

struct db;

/* ---- fsinfo.c: can this filesystem overwrite in place? ---- */

enum wipe_fs_policy {
    WIPE_FS_SAFE = 0,      /* in-place overwrite holds (ext4 ordered/writeback, ...) */
    WIPE_FS_PER_FILE,      /* depends on the file: btrfs (NOCOW), XFS (no shared extents) */
    WIPE_FS_UNSAFE,        /* cannot be guaranteed for any file */
};

struct wipe_fsinfo {
    unsigned long magic;         /* statfs f_type */
    char fstype[32];             /* from mountinfo, else named from the magic */
    char *mount_point;           /* owned; NULL when not found */
    char *mount_source;          /* owned */
    char *mount_options;         /* owned: per-mount options, then super options */
    unsigned dev_major, dev_minor;
    int rotational;              /* 1, 0, -1 unknown */
    char *device;                /* owned: block device name in sysfs, NULL when none */
    enum wipe_fs_policy policy;
    bool compressed;             /* compress / compress-force mount option */
    bool data_journal;           /* ext4 data=journal */
    char reason[256];            /* why not SAFE (a full clause, no final period) */
};

/* Probe the filesystem holding the open directory rootfd (whose resolved path is path):
 * statfs, the matching /proc/self/mountinfo entry, the rotational flag from sysfs. */
int wipe_fsinfo_probe(int rootfd, const char *path, struct wipe_fsinfo *fi, struct err *err);
void wipe_fsinfo_release(struct wipe_fsinfo *fi);
/* Filesystem name for a statfs magic, or NULL when unknown. */
const char *wipe_fs_magic_name(unsigned long magic);
/* Rotational flag of block device maj:min (following dm/md slaves): 1, 0 or -1 unknown. */
int wipe_dev_rotational(unsigned maj, unsigned min);

struct wipe_file_fs {
    bool flags_known;            /* FS_IOC_GETFLAGS answered */
    bool journal_data;           /* FS_JOURNAL_DATA_FL (chattr +j) */
    bool nocow;                  /* FS_NOCOW_FL (chattr +C) */
    bool compressed;             /* FS_COMPR_FL */
    bool shared_known;           /* FIEMAP answered */
    bool shared;                 /* an extent is shared (reflink, snapshot) */
};

/* Inode flags and (when extents is set: filesystems whose answer depends on sharing) shared
 * extents of an open regular file. Never fails: what cannot be learnt stays false with its
 * *_known flag false. */
void wipe_file_fs_probe(int fd, bool extents, struct wipe_file_fs *ff);

/* Whether an in-place overwrite of this file holds on fi. false with why filled when not. */
bool wipe_fs_file_in_place(const struct wipe_fsinfo *fi, const struct wipe_file_fs *ff,
                           char *why, size_t whylen);

/* ---- select.c: walk a root with directory descriptors ---- */

enum wipe_cand_kind {
    WIPE_CAND_FILE = 0,
    WIPE_CAND_SYMLINK,
    WIPE_CAND_OTHER,       /* FIFO, socket, device */
    WIPE_CAND_MOUNT,       /* directory on another filesystem or mount: not entered */
    WIPE_CAND_UNREADABLE,  /* directory that could not be opened or read */
};

struct wipe_cand {
    uint32_t root;         /* index of the root */
    uint32_t rel_len;
    size_t rel_off;        /* relative path in names ("/"-separated, no leading "/") */
    int64_t size;
    int64_t mtime_ms;
    int64_t btime_ms;      /* the inode's birth, or INT64_MIN where the filesystem has none */
    uint64_t dev, ino;
    uint32_t nlink;
    uint32_t mode;
    uint8_t kind;          /* enum wipe_cand_kind */
    int sys_errno;         /* UNREADABLE: why */
};

struct wipe_cands {
    struct arena names;
    struct wipe_cand *v;
    size_t n, cap;
};

void wipe_cands_init(struct wipe_cands *c);
void wipe_cands_release(struct wipe_cands *c);

/* Walk the directory rootfd (never closed here) depth first in byte order of names: never
 * following a symlink, never entering a directory on another device or mount, never leaving
 * the root. Every entry that is not a directory becomes a candidate of its kind. */
int wipe_select_root(struct wipe_cands *c, uint32_t root, int rootfd, struct err *err);

static inline const char *wipe_cand_rel(const struct wipe_cands *c, const struct wipe_cand *e)
{
    return c->names.buf + e->rel_off;
}

/* "FIFO", "socket", "character device", "block device", "directory", "symlink",
 * "regular file" for a st_mode. */
const char *wipe_mode_name(uint32_t mode);

/* True when rel is a safe relative path: not empty, no leading "/", no empty, "." or ".."
 * component. The walker only produces such paths; the check guards the URL mapping. */
bool wipe_rel_ok(const char *rel, size_t len);

/* Open the directory holding rel (all components but the last) below rootfd, one component
 * at a time with O_NOFOLLOW|O_DIRECTORY, each on device dev. Returns the fd (caller closes)
 * or -1 with err. */
int wipe_open_parent(int rootfd, uint64_t dev, const char *rel, struct err *err);

/* ---- urlmap.c: content URL <-> relative path ---- */

/* "store://" + rel (caller frees), or NULL when rel is not a safe relative path (wipe_rel_ok)
 * or holds a backslash, which Alfresco would read as a separator, or is not valid UTF-8. */
char *wipe_url_of_rel(const char *prefix, const char *rel);
/* The relative path of a store:// URL into out; -1 when the URL is not store://, its path
 * would leave the root, or out is too small. */
int wipe_rel_of_url(const char *url, char *out, size_t outlen);
/* Whether two resolved absolute paths overlap: equal, or one below the other. */
bool wipe_path_overlaps(const char *a, const char *b);

/* ---- overwrite.c: one file, one descriptor ---- */

enum wipe_check_how {
    WIPE_CHECK_NONE = 0,   /* nothing read back */
    WIPE_CHECK_DIRECT,     /* read back with O_DIRECT: from the device */
    WIPE_CHECK_CACHE,      /* O_DIRECT refused: fdatasync + DONTNEED + read (cache-only) */
};

struct wipe_extent {
    uint64_t off, len;
};

struct wipe_file {
    int dirfd;                   /* owned dup of the parent directory */
    char *name;                  /* owned basename */
    int fd;                      /* O_RDWR, O_NOFOLLOW, pinned */
    int rfd;                     /* read-back: fd itself, switched to O_DIRECT when possible;
                                  * -1 until prepared */
    bool rfd_direct;
    uint64_t dev, ino;
    int64_t size;                /* at open */
    int64_t mtime_ns;            /* at open, then after each of our passes */
    uint32_t nlink;
    struct wipe_extent *ext;     /* allocated extents within [0, size) */
    size_t next;
    uint64_t data_bytes;         /* sum of extent lengths */
    bool direct_write;           /* O_DIRECT writes for the aligned part */
    uint64_t stream_id;
    int rootfd;                  /* borrowed: the wipe root, -1 when not set */
    const char *rootpath;        /* borrowed: the root's resolved path */
    char *rel;                   /* owned: the path from the root (wipe_file_set_place) */
};

/* Where the file lies: its root (descriptor and resolved path) and its path from there. Each
 * check between passes and the removal then also ask that the root is still at its path and
 * the directory the file was opened in still at its place below it: a directory moved away
 * (into a live store, with mv) takes the file along under its name. */
void wipe_file_set_place(struct wipe_file *wf, int rootfd, const char *rootpath,
                         const char *rel);

/* Outcome of wipe_file_open when it is not an error. */
enum wipe_open_result { WIPE_OPEN_OK = 0, WIPE_OPEN_REFUSED };

/* Open name in dirfd (for overwriting when writable, else read-only for a dry run): type checked with fstatat before any open (a FIFO is
 * never opened), then openat(O_RDWR|O_NOFOLLOW|O_NONBLOCK|O_NOCTTY), fstat, same dev/ino as
 * the fstatat, regular, one link. REFUSED with reason filled when a rule says no; -1 on a
 * system error (err). On OK, wf owns a dup of dirfd and the fd. */
int wipe_file_open(struct wipe_file *wf, int dirfd, const char *name, bool writable,
                   char *reason, size_t reasonlen, struct err *err);
void wipe_file_close(struct wipe_file *wf);
/* Close the file's own descriptors (after its removal: the inode is freed then), keeping the
 * directory descriptor and the name; wipe_file_close still releases the rest. */
void wipe_file_close_data(struct wipe_file *wf);

/* Map the allocated extents with SEEK_DATA/SEEK_HOLE (whole file when unsupported). */
int wipe_file_map(struct wipe_file *wf, struct err *err);

/* Aligned I/O buffers shared by all files of a run. */
#define WIPE_BUF_SIZE (4u << 20)
#define WIPE_ALIGN 4096u
struct wipe_bufs {
    uint8_t *wbuf;               /* pass data */
    uint8_t *rbuf;               /* read back */
    uint8_t *ebuf;               /* expected */
};
int wipe_bufs_init(struct wipe_bufs *b, struct err *err);
void wipe_bufs_release(struct wipe_bufs *b);

/* Write pass number passno (1-based) of every extent. *stop is polled after each chunk: when
 * set the write stops early (return 1). *written gets the bytes written in this pass. Errors
 * name the pass and the offset. */
int wipe_file_write_pass(struct wipe_file *wf, const struct wipe_pass *p, unsigned passno,
                         const struct wipe_key *key, struct wipe_bufs *b,
                         const atomic_int *stop, uint64_t *written, struct err *err);

/* Prepare the read-back: the file's own descriptor switched to O_DIRECT, else cache-only after
 * fdatasync + DONTNEED. */
int wipe_file_verify_prepare(struct wipe_file *wf, unsigned passno, struct err *err);
/* Read back and compare the part of pass passno within file offsets [lo, hi), after
 * wipe_file_verify_prepare; safe to run on disjoint ranges of one file from several threads,
 * each with its own buffers. 0 ok, 1 stopped, 2 mismatch (reason), 3 O_DIRECT refused here
 * (redo with wipe_file_verify_pass, which falls back to cache-only), -1 error. */
int wipe_file_verify_range(struct wipe_file *wf, const struct wipe_pass *p, unsigned passno,
                           const struct wipe_key *key, struct wipe_bufs *b,
                           const atomic_int *stop, uint64_t lo, uint64_t hi,
                           uint64_t *nread, char *reason, size_t reasonlen, struct err *err);

/* Start writing the file's dirty pages to the device without waiting, so the device works
 * while the next files are written; durability still needs wipe_file_sync or syncfs. */
void wipe_file_start_writeback(struct wipe_file *wf);
/* fdatasync (fsync as fallback); errors say "sync failed after pass N". */
int wipe_file_sync(struct wipe_file *wf, unsigned passno, struct err *err);

/* Read pass passno back and compare. 0 ok, 1 stopped (*stop), 2 mismatch (reason names pass
 * and offset), -1 error. *how says how it was read, *nread the bytes read back. */
int wipe_file_verify_pass(struct wipe_file *wf, const struct wipe_pass *p, unsigned passno,
                          const struct wipe_key *key, struct wipe_bufs *b,
                          const atomic_int *stop, enum wipe_check_how *how, uint64_t *nread,
                          char *reason, size_t reasonlen, struct err *err);

/* Size, mtime and link count unchanged since open or our last pass? false with a reason
 * "changed during wipe (size)" / "(mtime)" / "(link count)". Remembers the new mtime when
 * after_own_write is set (our own pass moved it). */
bool wipe_file_unchanged(struct wipe_file *wf, char *reason, size_t reasonlen);
void wipe_file_note_own_write(struct wipe_file *wf);

enum wipe_remove_result {
    WIPE_REMOVED = 0,       /* renamed, truncated, unlinked */
    WIPE_NOT_REMOVED,       /* reason says why; file left as it is or truncated */
};

/* Remove after a verified wipe: re-check dev/ino through dirfd, one rename to a random name of
 * the same length (RENAME_NOREPLACE; tmpname first when given and of that length, so the
 * state journal can name it in advance), re-check, truncate, unlink. A directory that refuses
 * the rename gets the file truncated to 0 and NOT_REMOVED. The directory is not synced here. */
int wipe_file_remove(struct wipe_file *wf, const char *tmpname, char *reason, size_t reasonlen,
                     bool *truncated, struct err *err);
/* len random characters [a-z0-9] + NUL into out (len < 256). */
int wipe_random_name(char *out, size_t len, struct err *err);

/* ---- journal.c: lock and state journal ---- */

struct wipe_lock {
    int fd;
    char *path;
};

/* flock(LOCK_EX|LOCK_NB) on path (created 0644, O_NOFOLLOW); writes our pid into it. A held
 * lock fails with a message naming the file and the pid written by its holder. */
int wipe_lock_acquire(struct wipe_lock *l, const char *path, struct err *err);
void wipe_lock_release(struct wipe_lock *l);

struct wipe_jentry {
    char *root;                  /* resolved root */
    char *rel;                   /* original relative path */
    char *cur_rel;               /* current name when a removal rename happened, else NULL */
    uint64_t dev, ino;
    int64_t size, mtime_ms;      /* before our first write */
    char run[33];
    char method[32];
    unsigned pass;               /* pass reached */
    char state[16];              /* "wiping", "aborted", "removing", "kept" */
    int64_t started_ms;
    int64_t kept_mtime_ns;       /* "kept": the file's mtime right after our last pass */
    bool seen;                   /* matched a candidate in this run */
};

struct wipe_journal {
    char *dir;
    char *path;
    int dirfd;
    struct wipe_jentry *v;
    size_t n, cap;
    size_t n_loaded;             /* entries found at open: interrupted earlier */
    bool readonly;               /* opened by wipe_journal_open_ro: never saved */
};

/* Create state_dir (0700) when missing, open it, load wipe-state.json when present. */
int wipe_journal_open(struct wipe_journal *j, const char *state_dir, struct err *err);
/* The same for a dry run, creating and changing nothing: a missing state directory or journal
 * is an empty journal when the real run could create it; a directory the real run could not
 * write to, or a journal it could not read, fails the same way. */
int wipe_journal_open_ro(struct wipe_journal *j, const char *state_dir, struct err *err);
/* Whether a real run could open the lock file (or create it, with its directory) and take
 * the lock, found without creating anything or keeping a lock: a lock another wipe holds is
 * the real run's error. */
int wipe_lock_check(const char *path, struct err *err);
/* Whether path could be created (a file, or a directory when is_dir) without creating
 * anything: its directory exists and is writable, or, with make_parent, that directory could
 * itself be made (one level, as the wipe command does). 0, or -1 with errno set. */
int wipe_can_create(const char *path, bool is_dir, bool make_parent);
/* Atomic replace: write .tmp, fsync, rename, fsync the directory. */
int wipe_journal_save(struct wipe_journal *j, struct err *err);
/* The entry of the file at root/rel with that dev/ino, under its name or the name it was being
 * renamed to. An entry is found whichever root it was written under: a run over
 * contentstore.deleted finds one left by a run with --root contentstore.deleted/2023, and the
 * other way round (roots are real paths). */
struct wipe_jentry *wipe_journal_find(struct wipe_journal *j, const char *root, const char *rel,
                                      uint64_t dev, uint64_t ino);
/* Whether root_a/rel_a and root_b/rel_b are the same path, one root being the other or lying
 * inside it. */
bool wipe_journal_same_path(const char *root_a, const char *rel_a, const char *root_b,
                            const char *rel_b);
/* Whether the path root_e/rel_e lies inside root (root_e being root, inside it, or above it). */
bool wipe_journal_within(const char *root_e, const char *rel_e, const char *root);
/* Add (or replace the entry with the same dev/ino); strings are copied. */
struct wipe_jentry *wipe_journal_put(struct wipe_journal *j, const struct wipe_jentry *e);
void wipe_journal_remove(struct wipe_journal *j, uint64_t dev, uint64_t ino);
void wipe_journal_release(struct wipe_journal *j);

/* ---- dbref.c: is this content URL still referenced? ---- */

struct wipe_refs {
    bool url_row;                /* an alf_content_url row with exactly this URL exists */
    bool referenced;             /* at least one alf_content_data row points at it */
    size_t ndata;                /* alf_content_data rows */
    char **node_refs;            /* owned: protocol://identifier/uuid of referencing nodes */
    size_t nrefs;
    size_t orphan_data;          /* alf_content_data rows without any node */
};

/* Look url up through (content_url_short, content_url_crc), compare the full URL byte-wise,
 * then list the referencing nodes. Read only. */
int wipe_db_refs(struct db *db, const char *url, struct wipe_refs *out, struct err *err);
void wipe_refs_release(struct wipe_refs *r);
/* "content URL still referenced by workspace://SpacesStore/..., ... (and N more)" */
void wipe_refs_reason(const struct wipe_refs *r, char *buf, size_t len);

/* ---- testhook.c: test-only hooks, inert unless ALFWIPE_TEST_* is set ---- */

/* ALFWIPE_TEST_HOOK=program: run "program EVENT ARGS..." and wait for it at fixed points
 * (candidates, file, pass-start, pass-written, verify-start, before-remove). */
void wipe_hook(const char *event, const char *a1, const char *a2);
bool wipe_hooks_active(void);
/* A description of the active test settings for the certificate header, or NULL. */
const char *wipe_test_settings(void);

/* ALFWIPE_TEST_FAULT=spec[,spec]: write:PASS:OFFSET:ERRNO[:PATHPART],
 * sync:PASS:ERRNO[:PATHPART], rmsync:ERRNO (the barrier that makes a batch's removals durable
 * fails), odirect, jflag[:PATHPART] (the file reports the per-file data journaling flag, for
 * machines where chattr +j needs a capability the tests lack). */
int wipe_fault_write(unsigned passno, uint64_t off, size_t len, const char *name,
                     uint64_t *fail_off);
int wipe_fault_sync(unsigned passno, const char *name);
int wipe_fault_rmsync(void);
bool wipe_fault_odirect(void);
bool wipe_fault_jflag(const char *name);

/* ALFWIPE_TEST_BATCH=n: at most n files per batch (1 = one file at a time). 0 when unset. */
size_t wipe_test_batch(void);

#endif
