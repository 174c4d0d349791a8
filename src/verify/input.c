/* What 'alfwipe verify' is asked about: --node / --url arguments and --from lists (plain lines
 * or CSV with a header), each token classified as a uuid, a node ref or a content URL. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alfwipe/urlpath.h"
#include "alfwipe/verify.h"
#include "alfwipe/xalloc.h"

#define UUID_MAX 36

static const char *const node_protocols[] = {"workspace", "archive", "user", "system", NULL};
static const char *const node_columns[] = {"node", "node_ref", "noderef", "uuid", "node_uuid",
                                           "nodeid", "node_id", NULL};
static const char *const url_columns[] = {"url", "content_url", "contenturl", NULL};

static bool uuid_ok(const char *s, size_t len)
{
    if (len == 0 || len > UUID_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
            return false;
    return true;
}

static bool in_list(const char *const *list, const char *s, size_t len)
{
    for (; *list; list++)
        if (strlen(*list) == len && strncasecmp(*list, s, len) == 0)
            return true;
    return false;
}

int verify_classify(const char *tok, enum vtok_kind *kind, char **uuid_out, struct err *err)
{
    *uuid_out = NULL;
    size_t len = strlen(tok);
    const char *sep = strstr(tok, "://");
    if (!sep) {
        if (uuid_ok(tok, len)) {
            *kind = VTOK_UUID;
            *uuid_out = xstrdup(tok);
            return 0;
        }
        return err_set(err, ERR_DATA, "'%s' is not a node ref, uuid or content URL", tok);
    }
    size_t plen = (size_t)(sep - tok);
    const char *rest = sep + 3;
    for (size_t i = 0; i < plen; i++)
        if (!isalnum((unsigned char)tok[i]) && tok[i] != '+' && tok[i] != '-' && tok[i] != '.')
            return err_set(err, ERR_DATA, "'%s' is not a node ref, uuid or content URL", tok);
    for (const char *p = tok; *p; p++)
        if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
            return err_set(err, ERR_DATA, "'%s' is not a node ref, uuid or content URL", tok);
    if (plen == 0 || !*rest)
        return err_set(err, ERR_DATA, "'%s' is not a node ref, uuid or content URL", tok);
    if (in_list(node_protocols, tok, plen)) {
        const char *slash = strchr(rest, '/');
        if (!slash || slash == rest || !uuid_ok(slash + 1, strlen(slash + 1)))
            return err_set(err, ERR_DATA,
                           "'%s' is not a node ref (<protocol>://<store>/<uuid>), uuid or "
                           "content URL", tok);
        *kind = VTOK_NODE_REF;
        *uuid_out = xstrdup(slash + 1);
        return 0;
    }
    /* A URL that is not a plain path (an empty, '.' or '..' component) is taken as report and
     * wipe take it: Alfresco opens the file it resolves to, which may still be inside the store.
     * Only a resolution that leaves the store, or names its root, is refused. */
    if (plen == 5 && strncmp(tok, "store", 5) == 0) {
        char *rel = url_resolved_path(tok);
        if (rel) {
            free(rel);
        } else if (url_resolves_above(tok)) {
            return err_set(err, ERR_DATA, "content URL '%s' resolves to a path outside the "
                           "content store (a '..' climbs above its root)", tok);
        } else {
            return err_set(err, ERR_DATA, "content URL '%s' resolves to the content store's "
                           "root itself, not to a file in it", tok);
        }
    }
    *kind = VTOK_URL;
    return 0;
}

/* ---- building the list ---- */

static struct vitem *new_item(struct vinput *in, const char *source, long line, const char *given)
{
    in->items = xgrow(in->items, &in->cap, in->nitems + 1, sizeof *in->items);
    struct vitem *it = &in->items[in->nitems++];
    memset(it, 0, sizeof *it);
    it->source = xstrdup(source);
    it->line = line;
    it->given = xstrdup(given);
    return it;
}

static void add_url(struct vitem *it, const char *url)
{
    it->urls = xrealloc(it->urls, (it->nurls + 1) * sizeof *it->urls);
    it->urls[it->nurls++] = xstrdup(url);
}

static void add_bad(struct vinput *in, const char *source, long line, const char *text,
                    const char *msg)
{
    in->bad = xgrow(in->bad, &in->badcap, in->nbad + 1, sizeof *in->bad);
    struct vbad *b = &in->bad[in->nbad++];
    b->source = xstrdup(source);
    b->line = line;
    b->text = xstrdup(text);
    b->msg = xstrdup(msg);
}

int verify_add_arg(struct vinput *in, bool is_url, const char *tok, struct err *err)
{
    enum vtok_kind kind;
    char *uuid = NULL;
    if (verify_classify(tok, &kind, &uuid, err) != 0)
        return err_prefix(err, "%s", is_url ? "--url" : "--node");
    if (is_url != (kind == VTOK_URL)) {
        free(uuid);
        if (is_url)
            return err_set(err, ERR_DATA, "--url: '%s' is a node ref or uuid, not a content URL",
                           tok);
        return err_set(err, ERR_DATA, "--node: '%s' is a content URL, not a node ref or uuid",
                       tok);
    }
    if (!is_url) {
        struct vitem *it = new_item(in, "--node", 0, tok);
        it->uuid = uuid;
        if (kind == VTOK_NODE_REF)
            it->node_ref = xstrdup(tok);
        return 0;
    }
    /* A --url right after a --node (or after such a --url) belongs to that node. */
    struct vitem *last = in->nitems ? &in->items[in->nitems - 1] : NULL;
    if (last && last->line == 0 && last->uuid) {
        add_url(last, tok);
        char *g = xasprintf("%s %s", last->given, tok);
        free(last->given);
        last->given = g;
        return 0;
    }
    add_url(new_item(in, "--url", 0, tok), tok);
    return 0;
}

/* Trim spaces, tabs and CR from both ends, in place. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

/* Split one CSV line (RFC 4180, no line breaks inside fields) into owned, trimmed fields.
 * -1 for an unterminated quote. */
static int csv_split(const char *line, char ***out, size_t *n)
{
    char **v = NULL;
    size_t nv = 0;
    const char *p = line;
    for (;;) {
        size_t cap = strlen(p) + 1, len = 0;
        char *f = xmalloc(cap);
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '"') {
            p++;
            for (;;) {
                if (!*p) {
                    free(f);
                    for (size_t i = 0; i < nv; i++)
                        free(v[i]);
                    free(v);
                    return -1;
                }
                if (*p == '"' && p[1] == '"') {
                    f[len++] = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    f[len++] = *p++;
                }
            }
            while (*p && *p != ',')
                f[len++] = *p++;
        } else {
            while (*p && *p != ',')
                f[len++] = *p++;
        }
        f[len] = '\0';
        char *t = trim(f);
        v = xrealloc(v, (nv + 1) * sizeof *v);
        v[nv++] = xstrdup(t);
        free(f);
        if (*p != ',')
            break;
        p++;
    }
    *out = v;
    *n = nv;
    return 0;
}

static void free_fields(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

struct csv_cols {
    long node, url;            /* column index, -1 when absent */
    const char *node_name, *url_name;
};

/* A header: some field names a node or URL column. */
static bool csv_header(char **f, size_t n, struct csv_cols *c)
{
    c->node = c->url = -1;
    for (size_t i = 0; i < n; i++) {
        if (c->node < 0 && in_list(node_columns, f[i], strlen(f[i]))) {
            c->node = (long)i;
            c->node_name = f[i];
        } else if (c->url < 0 && in_list(url_columns, f[i], strlen(f[i]))) {
            c->url = (long)i;
            c->url_name = f[i];
        }
    }
    return c->node >= 0 || c->url >= 0;
}

static void plain_line(struct vinput *in, const char *name, long ln, const char *s)
{
    struct err e = ERR_INIT;
    enum vtok_kind kind;
    char *uuid = NULL;
    if (verify_classify(s, &kind, &uuid, &e) != 0) {
        add_bad(in, name, ln, s, e.msg);
        return;
    }
    struct vitem *it = new_item(in, name, ln, s);
    if (kind == VTOK_URL) {
        add_url(it, s);
    } else {
        it->uuid = uuid;
        if (kind == VTOK_NODE_REF)
            it->node_ref = xstrdup(s);
    }
}

static void csv_line(struct vinput *in, const char *name, long ln, const char *s,
                     const struct csv_cols *c)
{
    char **f;
    size_t n;
    if (csv_split(s, &f, &n) != 0) {
        add_bad(in, name, ln, s, "unterminated quoted field");
        return;
    }
    const char *node = c->node >= 0 && (size_t)c->node < n ? f[c->node] : "";
    const char *url = c->url >= 0 && (size_t)c->url < n ? f[c->url] : "";
    struct err e = ERR_INIT;
    char *uuid = NULL;
    enum vtok_kind kind = VTOK_UUID;
    char msg[ERR_MSG_MAX + 64];
    if (!*node && !*url) {
        if (c->node >= 0 && c->url >= 0)
            snprintf(msg, sizeof msg, "empty '%s' and '%s'", c->node_name, c->url_name);
        else
            snprintf(msg, sizeof msg, "empty '%s'", c->node >= 0 ? c->node_name : c->url_name);
        add_bad(in, name, ln, s, msg);
        goto out;
    }
    if (*node) {
        if (verify_classify(node, &kind, &uuid, &e) != 0 || kind == VTOK_URL) {
            snprintf(msg, sizeof msg, "column '%s': %s", c->node_name,
                     kind == VTOK_URL && !e.msg[0] ? "a content URL, not a node ref or uuid"
                                                    : e.msg);
            add_bad(in, name, ln, s, msg);
            free(uuid);
            goto out;
        }
    }
    if (*url) {
        enum vtok_kind uk;
        char *uu = NULL;
        err_init(&e);
        if (verify_classify(url, &uk, &uu, &e) != 0 || uk != VTOK_URL) {
            snprintf(msg, sizeof msg, "column '%s': %s", c->url_name,
                     e.msg[0] ? e.msg : "a node ref or uuid, not a content URL");
            add_bad(in, name, ln, s, msg);
            free(uu);
            free(uuid);
            goto out;
        }
    }
    struct vitem *it = new_item(in, name, ln, s);
    if (*node) {
        it->uuid = uuid;
        if (kind == VTOK_NODE_REF)
            it->node_ref = xstrdup(node);
    }
    if (*url)
        add_url(it, url);
out:
    free_fields(f, n);
}

int verify_read_list(struct vinput *in, FILE *fp, const char *name, struct err *err)
{
    char *buf = NULL;
    size_t cap = 0;
    ssize_t got;
    long ln = 0;
    bool first = true, csv = false;
    struct csv_cols cols = {-1, -1, NULL, NULL};
    char **hdr = NULL;
    size_t nhdr = 0;
    while ((got = getline(&buf, &cap, fp)) >= 0) {
        ln++;
        if (memchr(buf, '\0', (size_t)got)) {
            add_bad(in, name, ln, "", "the line holds a NUL byte");
            continue;
        }
        char *s = trim(buf);
        if (ln == 1 && (unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbb &&
            (unsigned char)s[2] == 0xbf)
            s = trim(s + 3);   /* UTF-8 byte order mark, as spreadsheet exports write */
        if (!*s || *s == '#')
            continue;
        if (first) {
            first = false;
            if (csv_split(s, &hdr, &nhdr) == 0) {
                if (csv_header(hdr, nhdr, &cols)) {
                    csv = true;
                    continue;
                }
                free_fields(hdr, nhdr);
                hdr = NULL;
                nhdr = 0;
            }
        }
        if (csv)
            csv_line(in, name, ln, s, &cols);
        else
            plain_line(in, name, ln, s);
    }
    int e = errno;
    bool failed = ferror(fp) != 0;
    free(buf);
    free_fields(hdr, nhdr);
    if (failed) {
        err_sys(err, ERR_IO, e, "could not read '%s'", name);
        return err_hint(err, "Name a readable file with --from, or '-' for standard input.");
    }
    return 0;
}

void verify_input_release(struct vinput *in)
{
    for (size_t i = 0; i < in->nitems; i++) {
        struct vitem *it = &in->items[i];
        free(it->source);
        free(it->given);
        free(it->uuid);
        free(it->node_ref);
        for (size_t j = 0; j < it->nurls; j++)
            free(it->urls[j]);
        free(it->urls);
    }
    free(in->items);
    for (size_t i = 0; i < in->nbad; i++) {
        free(in->bad[i].source);
        free(in->bad[i].text);
        free(in->bad[i].msg);
    }
    free(in->bad);
    memset(in, 0, sizeof *in);
}
