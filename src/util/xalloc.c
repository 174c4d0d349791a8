/* Allocation that never returns NULL, and a byte arena for compact string storage. */
#include "alfwipe/xalloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
    fprintf(stderr, "alfwipe: out of memory allocating %zu bytes\n", n);
    exit(3);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

FILE *xopen_memstream(char **buf, size_t *len)
{
    FILE *fp = open_memstream(buf, len);
    if (!fp)
        oom(BUFSIZ);
    return fp;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom(n * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

void *xgrow_slow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap : 16;
    while (c < need)
        c = c > SIZE_MAX / 2 ? SIZE_MAX : c * 2;
    if (elem && c > SIZE_MAX / elem)
        oom(SIZE_MAX);
    p = xrealloc(p, c * elem);
    *cap = c;
    return p;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int r = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (r < 0)
        oom(0);
    return s;
}

size_t arena_add(struct arena *a, const char *s, size_t n)
{
    if (a->len + n + 1 > a->cap) {
        size_t c = a->cap ? a->cap : 4096;
        while (c < a->len + n + 1)
            c *= 2;
        a->buf = xrealloc(a->buf, c);
        a->cap = c;
    }
    size_t off = a->len;
    memcpy(a->buf + off, s, n);
    a->buf[off + n] = '\0';
    a->len += n + 1;
    return off;
}

void arena_release(struct arena *a)
{
    free(a->buf);
    a->buf = NULL;
    a->len = a->cap = 0;
}
