/* Content URL <-> path relative to a wipe root, and the containment rule between roots. Pure
 * string functions: no file system access. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alfwipe/urlpath.h"
#include "alfwipe/xalloc.h"
#include "wipe_int.h"

#define STORE_PREFIX "store://"
#define STORE_PREFIX_LEN 8

char *wipe_url_of_rel(const char *prefix, const char *rel)
{
    char *full = xasprintf("%s%s", prefix, rel);
    size_t len = strlen(full);
    if (!wipe_rel_ok(full, len) || !url_file_name_ok(full, len)) {
        free(full);
        return NULL;
    }
    char *url = xasprintf(STORE_PREFIX "%s", full);
    free(full);
    return url;
}

int wipe_rel_of_url(const char *url, char *out, size_t outlen)
{
    size_t len = strlen(url);
    if (len <= STORE_PREFIX_LEN || strncmp(url, STORE_PREFIX, STORE_PREFIX_LEN) != 0)
        return -1;
    const char *rel = url + STORE_PREFIX_LEN;
    size_t rlen = len - STORE_PREFIX_LEN;
    if (!url_store_relpath_ok(rel, rlen) || memchr(rel, '\\', rlen) || rlen + 1 > outlen)
        return -1;
    memcpy(out, rel, rlen + 1);
    return 0;
}

/* True when a and b are the same directory or one lies below the other, by path or through
 * another path to the same directory (a bind mount); both resolved. */
bool wipe_path_overlaps(const char *a, const char *b)
{
    return dirs_overlap(a, b);
}

char *wipe_url_resolved_path(const char *url)
{
    size_t len = strlen(url);
    if (len <= STORE_PREFIX_LEN || strncmp(url, STORE_PREFIX, STORE_PREFIX_LEN) != 0)
        return NULL;
    const char *rel = url + STORE_PREFIX_LEN;
    char *out = xmalloc(len + 1);
    size_t n = 0;
    const char *p = rel;
    for (;;) {
        size_t clen = strcspn(p, "/\\");
        if (clen == 2 && p[0] == '.' && p[1] == '.') {
            if (n == 0) {               /* above the root */
                free(out);
                return NULL;
            }
            while (n > 0 && out[n - 1] != '/')
                n--;
            if (n > 0)
                n--;                    /* the '/' before the dropped component */
        } else if (clen > 0 && !(clen == 1 && p[0] == '.')) {
            if (n > 0)
                out[n++] = '/';
            memcpy(out + n, p, clen);
            n += clen;
        }
        if (!p[clen])
            break;
        p += clen + 1;
    }
    if (n == 0) {
        free(out);
        return NULL;
    }
    out[n] = '\0';
    return out;
}

char *wipe_url_lexical_path(const char *base, const char *url)
{
    size_t blen = strlen(base), ulen = strlen(url);
    if (ulen < STORE_PREFIX_LEN || strncmp(url, STORE_PREFIX, STORE_PREFIX_LEN) != 0 ||
        base[0] != '/')
        return NULL;
    char *joined = xasprintf("%s/%s", base, url + STORE_PREFIX_LEN);
    char *out = xmalloc(blen + ulen + 3);
    size_t n = 0;
    const char *p = joined + 1;
    for (;;) {
        size_t clen = strcspn(p, "/\\");
        if (clen == 2 && p[0] == '.' && p[1] == '.') {
            while (n > 0 && out[n - 1] != '/')
                n--;
            if (n > 0)
                n--;
        } else if (clen > 0 && !(clen == 1 && p[0] == '.')) {
            out[n++] = '/';
            memcpy(out + n, p, clen);
            n += clen;
        }
        if (!p[clen])
            break;
        p += clen + 1;
    }
    if (n == 0)
        out[n++] = '/';
    out[n] = '\0';
    free(joined);
    return out;
}
