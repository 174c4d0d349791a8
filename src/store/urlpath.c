/* Content URL helpers: protocol split, the MNT-12301 containment rule, and the two lookup
 * columns Alfresco derives from a URL (content_url_short, content_url_crc). */
#include "alfwipe/urlpath.h"

#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <zlib.h>

#include "alfwipe/xalloc.h"

int url_split(const char *url, size_t len, char *proto, size_t protolen, size_t *rel_off)
{
    for (size_t i = 0; i + 3 <= len; i++) {
        if (url[i] != ':' || url[i + 1] != '/' || url[i + 2] != '/')
            continue;
        if (proto && protolen > 0) {
            size_t n = i < protolen - 1 ? i : protolen - 1;
            memcpy(proto, url, n);
            proto[n] = '\0';
        }
        *rel_off = i + 3;
        return 0;
    }
    return -1;
}

/* Alfresco resolves <root>/<relative part> and refuses anything whose normalised path leaves
 * the root. alfwipe is stricter and never normalises: every component must be a plain name. */
bool url_store_relpath_ok(const char *rel, size_t len)
{
    if (len == 0 || memchr(rel, '\0', len))
        return false;
    /* Components between '/' or '\\': none empty (a leading, doubled or trailing separator),
     * none "." or "..". */
    const char *p = rel, *end = rel + len;
    for (;;) {
        const char *q = p;
        while (q < end && *q != '/' && *q != '\\')
            q++;
        size_t clen = (size_t)(q - p);
        if (clen == 0 || (clen == 1 && p[0] == '.') || (clen == 2 && p[0] == '.' && p[1] == '.'))
            return false;
        if (q == end)
            return true;
        p = q + 1;
    }
}

bool url_file_name_ok(const char *rel, size_t len)
{
    if (!url_store_relpath_ok(rel, len) || memchr(rel, '\\', len))
        return false;
    json_t *probe = json_stringn(rel, len);
    json_decref(probe);
    return probe != NULL;
}

bool url_content_file_name(const char *rel, size_t len)
{
    const char *base = rel;
    for (size_t i = 0; i < len; i++)
        if (rel[i] == '/')
            base = rel + i + 1;
    size_t n = len - (size_t)(base - rel);
    return n > 4 && memcmp(base + n - 4, ".bin", 4) == 0;
}

bool url_short_certain(const char *url, size_t len)
{
    size_t from = len > 12 ? len - 12 : 0;
    for (size_t i = from; i < len; i++) {
        unsigned char c = (unsigned char)url[i];
        if (c >= 0x80 || c == 'I' || c == 0)
            return false;
    }
    return true;
}

void url_short(const char *url, size_t len, char out[13])
{
    if (len == 0) {
        url = ".empty";
        len = 6;
    }
    size_t from = len > 12 ? len - 12 : 0;
    size_t n = len - from;
    for (size_t i = 0; i < n; i++) {
        char c = url[from + i];
        out[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    out[n] = '\0';
}

uint32_t url_crc(const char *url, size_t len)
{
    uLong crc = crc32_z(0L, Z_NULL, 0);
    crc = crc32_z(crc, (const Bytef *)url, len);
    return (uint32_t)crc;
}

static bool path_within(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    if (n == 1 && dir[0] == '/')
        return path[0] == '/';
    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

bool path_overlaps(const char *a, const char *b)
{
    return path_within(a, b) || path_within(b, a);
}

/* True when dir, or a directory above it, is the directory (same device and inode) top. */
static bool below_inode(const char *dir, const struct stat *top)
{
    char p[PATH_MAX];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof p)
        return false;
    memcpy(p, dir, n + 1);
    for (;;) {
        struct stat st;
        if (stat(p, &st) == 0 && st.st_dev == top->st_dev && st.st_ino == top->st_ino)
            return true;
        char *slash = strrchr(p, '/');
        if (!slash || (slash == p && p[1] == '\0'))
            return false;
        if (slash == p)
            slash[1] = '\0';   /* up to "/" itself */
        else
            *slash = '\0';
    }
}

/* /proc/self/mountinfo writes a space, tab, newline and backslash in paths as \ooo. */
static void mountinfo_unescape(char *s)
{
    char *out = s;
    for (char *in = s; *in;) {
        if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' && in[2] >= '0' && in[2] <= '7' &&
            in[3] >= '0' && in[3] <= '7') {
            *out++ = (char)((in[1] - '0') * 64 + (in[2] - '0') * 8 + (in[3] - '0'));
            in += 4;
        } else {
            *out++ = *in++;
        }
    }
    *out = '\0';
}

/* One line of /proc/self/mountinfo ("id parent major:minor root mount-point options ..."),
 * read into line: root and mount point unescaped, in place. False at the end. */
struct mount_line {
    unsigned major, minor;
    char *root, *mp;
};

static bool mountinfo_next(FILE *fp, char **line, size_t *cap, struct mount_line *m)
{
    while (getline(line, cap, fp) > 0) {
        int at = 0;
        if (sscanf(*line, "%*u %*u %u:%u %n", &m->major, &m->minor, &at) != 2 || !at)
            continue;
        char *sp = strchr(*line + at, ' ');
        if (!sp)
            continue;
        *sp = '\0';
        m->root = *line + at;
        m->mp = sp + 1;
        if (!(sp = strchr(m->mp, ' ')))
            continue;
        *sp = '\0';
        mountinfo_unescape(m->root);
        mountinfo_unescape(m->mp);
        return true;
    }
    return false;
}

bool fs_location(const char *real, uint64_t *dev, char *out, size_t outlen)
{
    struct stat st;
    if (real[0] != '/' || stat(real, &st) != 0)
        return false;
    FILE *fp = fopen("/proc/self/mountinfo", "re");
    if (!fp)
        return false;
    char *line = NULL, *best_root = NULL;
    size_t cap = 0, best_len = 0;
    unsigned best_major = 0, best_minor = 0;
    bool found = false;
    struct mount_line m;
    while (mountinfo_next(fp, &line, &cap, &m)) {
        size_t mlen = strlen(m.mp);
        /* the longest mount point holding the path; of equal ones the last (mounted on top) */
        if (!path_within(real, m.mp) || (found && mlen < best_len))
            continue;
        free(best_root);
        best_root = xstrdup(m.root);
        best_len = mlen;
        best_major = m.major;
        best_minor = m.minor;
        found = true;
    }
    free(line);
    fclose(fp);
    bool ok = found && makedev(best_major, best_minor) == st.st_dev;
    if (ok) {
        /* the path below the mount point, appended to the mounted directory */
        const char *rest = best_len == 1 ? real : real + best_len;
        const char *root = strcmp(best_root, "/") == 0 ? "" : best_root;
        int n = snprintf(out, outlen, "%s%s", root, rest);
        ok = n >= 0 && (size_t)n + 1 < outlen;
        if (ok && n == 0)    /* the mount point of a whole filesystem: its root */
            snprintf(out, outlen, "/");
        *dev = (uint64_t)st.st_dev;
    }
    free(best_root);
    return ok;
}

size_t mounts_below(const char *real, char ***out)
{
    *out = NULL;
    FILE *fp = fopen("/proc/self/mountinfo", "re");
    if (!fp)
        return 0;
    char *line = NULL;
    size_t cap = 0, n = 0, ocap = 0;
    struct mount_line m;
    while (mountinfo_next(fp, &line, &cap, &m)) {
        if (strcmp(m.mp, real) == 0 || !path_within(m.mp, real))
            continue;
        *out = xgrow(*out, &ocap, n + 1, sizeof **out);
        (*out)[n++] = xstrdup(m.mp);
    }
    free(line);
    fclose(fp);
    return n;
}

/* path_within for the locations inside one filesystem of two directories, which see through
 * bind mounts: a directory mounted somewhere else is still inside its original parent. */
static bool fs_within(const char *inner, const char *outer, char *rel, size_t relsize)
{
    char li[PATH_MAX], lo[PATH_MAX];
    uint64_t di, dout;
    if (!fs_location(inner, &di, li, sizeof li) || !fs_location(outer, &dout, lo, sizeof lo) ||
        di != dout || !path_within(li, lo))
        return false;
    size_t n = strlen(lo);
    const char *r = strcmp(lo, "/") == 0 ? li + 1 : li + n + (li[n] == '/');
    return (size_t)snprintf(rel, relsize, "%s", r) < relsize;
}

bool dir_within(const char *inner, const char *outer, char *rel, size_t relsize)
{
    if (path_within(inner, outer)) {
        size_t n = strlen(outer);
        const char *r = n == 1 ? inner + 1 : inner + n + (inner[n] == '/');
        return (size_t)snprintf(rel, relsize, "%s", r) < relsize;
    }
    struct stat so, si;
    if (stat(outer, &so) == 0 && stat(inner, &si) == 0 && so.st_dev == si.st_dev &&
        so.st_ino == si.st_ino)
        return snprintf(rel, relsize, "%s", "") >= 0;
    return fs_within(inner, outer, rel, relsize);
}

bool dirs_overlap(const char *a, const char *b)
{
    if (path_overlaps(a, b))
        return true;
    struct stat sa, sb;
    if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
        return false;
    if (below_inode(a, &sb) || below_inode(b, &sa))
        return true;
    char rel[PATH_MAX];
    return fs_within(a, b, rel, sizeof rel) || fs_within(b, a, rel, sizeof rel);
}

bool path_nearest_dir(const char *path, char *out)
{
    char missing[1];
    return path_nearest_missing(path, out, missing, sizeof missing);
}

bool path_nearest_missing(const char *path, char *out, char *missing, size_t mcap)
{
    char *p = xstrdup(path);
    const char *gone = "";
    bool ok = false;
    for (;;) {
        struct stat st;
        if (realpath(p, out) && stat(out, &st) == 0 && S_ISDIR(st.st_mode)) {
            ok = true;
            break;
        }
        char *slash = strrchr(p, '/');
        if (slash == p)
            break;
        if (!slash) {
            /* a relative name: the working directory, where it would be created */
            ok = strcmp(p, ".") != 0 && realpath(".", out) != NULL;
            gone = p;
            break;
        }
        gone = slash + 1;   /* trailing slashes leave "", the name before them replaces it */
        *slash = '\0';
    }
    if (ok)
        snprintf(missing, mcap, "%s", gone);
    free(p);
    return ok;
}

bool path_lstat_under(const char *root, const char *rel, struct stat *st)
{
    int dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return false;
    char *copy = xstrdup(rel);
    char *part = copy;
    bool found = false;
    for (;;) {
        char *slash = strchr(part, '/');
        if (!slash) {
            found = fstatat(dfd, part, st, AT_SYMLINK_NOFOLLOW) == 0;
            break;
        }
        *slash = '\0';
        int nfd = openat(dfd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (nfd < 0)
            break;
        close(dfd);
        dfd = nfd;
        part = slash + 1;
    }
    close(dfd);
    free(copy);
    return found;
}

/* p's components (split at '/' and '\\') normalised by text into out as "/c1/c2...": empty
 * and '.' ones dropped, '..' taking one back. Returns the length (0: nothing left); *above is
 * set when a '..' had nothing to take back. out must hold strlen(p) + 2 bytes. */
static size_t normalize_components(const char *p, char *out, bool *above)
{
    size_t n = 0;
    *above = false;
    for (;;) {
        size_t clen = strcspn(p, "/\\");
        if (clen == 2 && p[0] == '.' && p[1] == '.') {
            if (n == 0)
                *above = true;
            while (n > 0 && out[n - 1] != '/')
                n--;
            if (n > 0)
                n--;                    /* the '/' before the dropped component */
        } else if (clen > 0 && !(clen == 1 && p[0] == '.')) {
            out[n++] = '/';
            memcpy(out + n, p, clen);
            n += clen;
        }
        if (!p[clen])
            break;
        p += clen + 1;
    }
    out[n] = '\0';
    return n;
}

char *url_resolved_path(const char *url)
{
    size_t len = strlen(url);
    if (len <= 8 || strncmp(url, "store://", 8) != 0)
        return NULL;
    char *out = xmalloc(len + 2);
    bool above;
    size_t n = normalize_components(url + 8, out, &above);
    if (n == 0 || above) {          /* the root itself, or above it */
        free(out);
        return NULL;
    }
    memmove(out, out + 1, n);       /* relative: without the leading '/' */
    return out;
}

bool url_resolves_above(const char *url)
{
    size_t len = strlen(url);
    if (len <= 8 || strncmp(url, "store://", 8) != 0)
        return false;
    char *out = xmalloc(len + 2);
    bool above;
    normalize_components(url + 8, out, &above);
    free(out);
    return above;
}

char *url_lexical_path(const char *base, const char *url)
{
    if (strncmp(url, "store://", 8) != 0 || base[0] != '/')
        return NULL;
    char *joined = xasprintf("%s/%s", base, url + 8);
    char *out = xmalloc(strlen(joined) + 2);
    bool above;
    if (normalize_components(joined, out, &above) == 0)
        strcpy(out, "/");            /* at most to the filesystem's root */
    free(joined);
    return out;
}

/* realpath(3) of path's directory joined with its last component; NULL when the directory
 * cannot be resolved or the last component is empty, '.' or '..' (no file). */
static char *resolve_dir_of(char *path)
{
    char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return NULL;
    const char *last = slash + 1;
    if (!*last || strcmp(last, ".") == 0 || strcmp(last, "..") == 0)
        return NULL;
    *slash = '\0';
    char dir[PATH_MAX];
    char *out = realpath(path, dir) ? xasprintf("%s/%s", dir, last) : NULL;
    *slash = '/';
    return out;
}

static size_t reach_add(char *out[URL_REACH_MAX], size_t n, char *p)
{
    for (size_t k = 0; p && k < n; k++)
        if (strcmp(out[k], p) == 0) {
            free(p);
            return n;
        }
    if (p)
        out[n++] = p;
    return n;
}

size_t url_reach_paths(const char *base, const char *url, char *out[URL_REACH_MAX])
{
    size_t n = 0;
    if (strncmp(url, "store://", 8) != 0 || base[0] != '/')
        return 0;
    char real[PATH_MAX];
    const char *bases[2] = {base, realpath(base, real) ? real : NULL};
    for (size_t b = 0; b < 2 && bases[b]; b++) {
        char *lex = url_lexical_path(bases[b], url);
        if (lex)
            n = reach_add(out, n, resolve_dir_of(lex));
        free(lex);
        char *raw = xasprintf("%s/%s", bases[b], url + 8);
        n = reach_add(out, n, resolve_dir_of(raw));
        free(raw);
    }
    return n;
}
