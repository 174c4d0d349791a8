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
    WALK_OTHER,      /* FIFO, socket, device */
    WALK_MOUNT,      /* directory on another filesystem: not entered */
    WALK_UNREADABLE, /* directory that could not be opened or read */
};

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

/* Sort entries by relative path bytes (memcmp order, shorter first on a tie), then root. */
void walk_sort(struct walk *w);

static inline const char *walk_path(const struct walk *w, const struct walk_entry *e)
{
    return w->names.buf + e->path_off;
}

#endif
