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
