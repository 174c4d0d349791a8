/* Allocation wrappers that never return NULL: out of memory ends the process with exit 3. */
#ifndef ALFWIPE_XALLOC_H
#define ALFWIPE_XALLOC_H

#include <stddef.h>
#include <stdio.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* Grow an array: *cap doubles (from 16) until it holds need elements of size elem. The check
 * is inline: most calls append to an array that has room. */
void *xgrow_slow(void *p, size_t *cap, size_t need, size_t elem);
static inline void *xgrow(void *p, size_t *cap, size_t need, size_t elem)
{
    return need <= *cap ? p : xgrow_slow(p, cap, need, elem);
}
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* open_memstream that never fails. */
FILE *xopen_memstream(char **buf, size_t *len);
/* asprintf that never fails. Caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* An append-only arena of bytes; offsets stay valid across growth. */
struct arena {
    char *buf;
    size_t len, cap;
};
#define ARENA_INIT {0, 0, 0}
/* Copy n bytes plus a NUL terminator; returns the offset of the copy. */
size_t arena_add(struct arena *a, const char *s, size_t n);
static inline const char *arena_str(const struct arena *a, size_t off) { return a->buf + off; }
void arena_release(struct arena *a);

#endif
