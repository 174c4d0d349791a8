/* Walk content roots with directory descriptors (openat, O_NOFOLLOW, O_DIRECTORY, fstatat),
 * never following symlinks and never crossing into another filesystem. Collects every entry
 * compactly: a million files cost tens of megabytes, not a tree of mallocs. */
#ifndef ALFWIPE_WALK_H
#define ALFWIPE_WALK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "alfwipe/err.h"
#include "alfwipe/xalloc.h"

enum walk_type {
    WALK_FILE = 0,   /* regular file */
    WALK_SYMLINK,    /* never followed */
    WALK_OTHER,      /* any other kind of file */
    WALK_MOUNT,      /* directory on another filesystem: not entered */
    WALK_UNREADABLE, /* directory that could not be opened or read */
    WALK_FIFO,       /* named pipe (never opened) */
    WALK_SOCKET,
    WALK_DEVICE,     /* block or character device */
    WALK_DIR,        /* never in a walk: a directory where a caller expected a file */
};

/* "file", "symlink", "fifo", "socket", "device", "directory", ... for messages and reports. */
const char *walk_type_name(unsigned type);

struct walk_entry {
    uint32_t root;       /* index of the root in the walk */
    uint32_t path_len;
    size_t path_off;     /* relative path ("/"-separated, no leading "/") in walk.names */
    int64_t size;
    int64_t mtime_ms;
    uint64_t ino;
    uint32_t nlink;
    uint8_t type;        /* enum walk_type */
};

struct walk_root_stats {
    uint64_t files, bytes, dirs, others;
    int error;           /* errno when the root itself could not be opened, else 0 */
};

struct walk {
    struct arena names;
    struct walk_entry *v;
    size_t n, cap;
    struct walk_root_stats *stats;   /* one per root */
    size_t nroots;
};

void walk_init(struct walk *w, size_t nroots);
void walk_release(struct walk *w);

/* Walk one root (index root < nroots) and append its entries. An unopenable root is recorded in
 * stats[root].error and returns -1 with err filled; unreadable subdirectories become
 * WALK_UNREADABLE entries and the walk goes on. */
int walk_root(struct walk *w, uint32_t root, const char *path, struct err *err);

/* A walk split for threads: walk_root_split leaves every directory at split.depth below the
 * root (checked like any other: same filesystem, not a mount point) to a task, which
 * walk_task walks on any thread into a walk of its own; walk_append then gathers the walks
 * and walk_sort orders the whole. */
struct walk_task {
    uint32_t root;
    char *rel;                 /* relative path of the directory */
    size_t rel_len;
    uint64_t dev, ino;         /* the directory, as listed */
    uint64_t root_dev, root_ino;
};
struct walk_split {
    size_t depth;              /* 1: the root's subdirectories, 2: theirs, ... */
    struct walk_task *v;
    size_t n, cap;
};
int walk_root_split(struct walk *w, uint32_t root, const char *path, struct walk_split *split,
                    struct err *err);
/* Walk task t of a root opened again from root_path. A directory that is no longer the one
 * listed (or cannot be read) becomes a WALK_UNREADABLE entry. w must have the same roots. */
void walk_task(struct walk *w, const char *root_path, const struct walk_task *t);
/* Append src's entries and add its counts to dst's (same roots). */
void walk_append(struct walk *dst, const struct walk *src);
void walk_split_release(struct walk_split *sp);

/* Sort entries by relative path bytes (memcmp order, shorter first on a tie), then root. */
void walk_sort(struct walk *w);

static inline const char *walk_path(const struct walk *w, const struct walk_entry *e)
{
    return w->names.buf + e->path_off;
}

#endif
