/* alfresco-global.properties reader: the syntax of java.util.Properties.load, then Spring-style
 * ${name} / ${name:default} expansion against the file's keys and Alfresco's defaults. */
#include "alfwipe/props.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alfwipe/hexdigit.h"
#include "alfwipe/xalloc.h"

/* Largest properties file accepted, and largest value an expansion may produce: both far
 * beyond any real alfresco-global.properties, small enough to stop a runaway expansion. */
#define PROPS_MAX_FILE (16u << 20)
#define PROPS_MAX_VALUE (1u << 20)
#define PROPS_MAX_DEPTH 64

/* Alfresco's built-in values (repository.properties and the bundled trashcan cleaner module),
 * used to resolve placeholders the file does not define. */
static const char *const alfresco_defaults[][2] = {
    {"dir.root", "./alf_data"},
    {"dir.contentstore", "${dir.root}/contentstore"},
    {"dir.contentstore.deleted", "${dir.root}/contentstore.deleted"},
    {"dir.contentstore.bucketsPerMinute", "0"},
    {"dir.cachedcontent", "${dir.root}/cachedcontent"},
    {"dir.auditcontentstore", "${dir.root}/audit.contentstore"},
    {"dir.indexes", "${dir.root}/lucene-indexes"},
    {"dir.keystore", "${dir.root}/keystore"},
    {"filecontentstore.subsystem.name", "unencryptedContentStore"},
    {"system.content.eagerOrphanCleanup", "false"},
    {"system.content.orphanProtectDays", "14"},
    {"system.content.deletionFailureAction", "IGNORE"},
    {"system.content.orphanCleanup.cronExpression", "0 0 4 * * ?"},
    {"system.content.cleanerBatchSize", "1000"},
    {"db.driver", "org.gjt.mm.mysql.Driver"},
    {"db.name", "alfresco"},
    {"db.url", "jdbc:mysql:///${db.name}"},
    {"db.username", "alfresco"},
    {"db.schema.name", ""},
    {"spaces.store", "workspace://SpacesStore"},
    {"spaces.archive.store", "archive://SpacesStore"},
    {"trashcan-cleaner.cron", "* * * * * ? 2099"},
    {"trashcan-cleaner.keepPeriod", "P28D"},
    {"trashcan-cleaner.deleteBatchCount", "1000"},
};

/* A growable byte string, NUL-terminated. */
struct sbuf {
    char *s;
    size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
    b->s = xgrow(b->s, &b->cap, b->len + n + 1, 1);
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sb_addc(struct sbuf *b, char c)
{
    sb_add(b, &c, 1);
}

static char *sb_take(struct sbuf *b)
{
    if (!b->s)
        return xstrdup("");
    char *s = b->s;
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

static void sb_release(struct sbuf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\f';
}

static void put_utf8(struct sbuf *b, uint32_t cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    sb_add(b, u, n);
}

/* Read the 4 hex digits of a \uHHHH escape at s[i] (just after the 'u'). */
static int read_u4(const char *s, size_t len, size_t i, uint32_t *out)
{
    if (i + 4 > len)
        return -1;
    uint32_t v = 0;
    for (size_t k = 0; k < 4; k++) {
        int h = hex_digit(s[i + k]);
        if (h < 0)
            return -1;
        v = v << 4 | (uint32_t)h;
    }
    *out = v;
    return 0;
}

/* Decode the escapes of a key or value (Properties.loadConvert): \t \n \r \f, \uHHHH as UTF-8
 * (surrogate pairs joined, a lone surrogate becomes U+FFFD), any other escaped character
 * stands for itself. -1 on a malformed \uHHHH. */
static int unescape(const char *s, size_t len, struct sbuf *out)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c != '\\') {
            sb_addc(out, c);
            continue;
        }
        if (++i >= len)
            break; /* a lone trailing backslash is dropped, as Java does */
        c = s[i];
        switch (c) {
        case 't':
            sb_addc(out, '\t');
            break;
        case 'n':
            sb_addc(out, '\n');
            break;
        case 'r':
            sb_addc(out, '\r');
            break;
        case 'f':
            sb_addc(out, '\f');
            break;
        case 'u': {
            uint32_t cu;
            if (read_u4(s, len, i + 1, &cu) != 0)
                return -1;
            i += 4;
            if (cu >= 0xD800 && cu <= 0xDBFF) {
                uint32_t lo;
                if (i + 2 < len && s[i + 1] == '\\' && s[i + 2] == 'u' &&
                    read_u4(s, len, i + 3, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
                    i += 6;
                    cu = 0x10000 + ((cu - 0xD800) << 10) + (lo - 0xDC00);
                } else {
                    cu = 0xFFFD;
                }
            } else if (cu >= 0xDC00 && cu <= 0xDFFF) {
                cu = 0xFFFD;
            }
            put_utf8(out, cu);
            break;
        }
        default:
            sb_addc(out, c);
            break;
        }
    }
    return 0;
}

/* An entry whose key holds a NUL is a key no lookup names (Java keeps the NUL in the key), so
 * it is never found: not even by the text before its NUL. */
static struct props_entry *find_entry(const struct props *p, const char *key)
{
    if (!p)
        return NULL;
    for (size_t i = p->n; i-- > 0;)
        if (!p->v[i].key_nul && strcmp(p->v[i].key, key) == 0)
            return &p->v[i];
    return NULL;
}

static void put_entry(struct props *p, char *key, bool key_nul, char *raw, bool raw_nul,
                      int line)
{
    struct props_entry *e = key_nul ? NULL : find_entry(p, key);
    if (e) {
        /* java.util.Properties: the later definition replaces the earlier one */
        free(key);
        free(e->raw);
        e->raw = raw;
        e->raw_nul = raw_nul;
        e->line = line;
        return;
    }
    p->v = xgrow(p->v, &p->cap, p->n + 1, sizeof *p->v);
    p->v[p->n++] = (struct props_entry){.key = key, .raw = raw, .line = line,
                                        .key_nul = key_nul, .raw_nul = raw_nul};
}

/* Split one logical line (continuations already joined) into key and value as
 * Properties.load does, decode both and store the entry. */
static int add_logical_line(struct props *p, const char *l, size_t len, int line,
                            const char *name, struct err *err)
{
    size_t klen = 0, vstart = len;
    bool has_sep = false, bs = false;
    while (klen < len) {
        char c = l[klen];
        if ((c == '=' || c == ':') && !bs) {
            vstart = klen + 1;
            has_sep = true;
            break;
        }
        if (is_ws(c) && !bs) {
            vstart = klen + 1;
            break;
        }
        bs = c == '\\' ? !bs : false;
        klen++;
    }
    while (vstart < len) {
        char c = l[vstart];
        if (!is_ws(c)) {
            if (!has_sep && (c == '=' || c == ':'))
                has_sep = true;
            else
                break;
        }
        vstart++;
    }
    struct sbuf k = {0}, v = {0};
    if (unescape(l, klen, &k) != 0 || unescape(l + vstart, len - vstart, &v) != 0) {
        sb_release(&k);
        sb_release(&v);
        err_set(err, ERR_CONFIG, "malformed \\uHHHH escape in '%s' line %d", name, line);
        return err_hint(err, "Write a backslash-u escape with exactly four hexadecimal "
                             "digits, or '\\\\' for a literal backslash.");
    }
    /* A NUL (from \u0000 or a NUL byte) would end the C string early: the key is kept up to
     * it (and marked, so that it never matches a key alfwipe reads), the value is marked so
     * that a key alfwipe uses refuses it instead of reading it cut short. */
    bool key_nul = k.len && memchr(k.s, '\0', k.len) != NULL;
    bool raw_nul = v.len && memchr(v.s, '\0', v.len) != NULL;
    put_entry(p, sb_take(&k), key_nul, sb_take(&v), raw_nul, line);
    return 0;
}

/* Properties.LineReader: natural lines become logical lines. Leading whitespace is dropped,
 * blank lines and lines starting with '#' or '!' are skipped, a line ending in an odd number
 * of backslashes continues on the next one (whose leading whitespace is dropped). */
static int parse_lines(struct props *p, const char *t, size_t len, const char *name,
                       struct err *err)
{
    struct sbuf l = {0};
    size_t i = 0;
    int lineno = 1;
    while (i < len) {
        /* start of a logical line */
        while (i < len && is_ws(t[i]))
            i++;
        if (i >= len)
            break;
        if (t[i] == '\n' || t[i] == '\r') {
            if (t[i] == '\r' && i + 1 < len && t[i + 1] == '\n')
                i++;
            i++;
            lineno++;
            continue;
        }
        if (t[i] == '#' || t[i] == '!') {
            while (i < len && t[i] != '\n' && t[i] != '\r')
                i++;
            continue;
        }
        int start_line = lineno;
        l.len = 0;
        for (;;) {
            size_t s = i;
            while (i < len && t[i] != '\n' && t[i] != '\r')
                i++;
            size_t nbs = 0;
            while (nbs < i - s && t[i - 1 - nbs] == '\\')
                nbs++;
            bool cont = nbs % 2 == 1;
            sb_add(&l, t + s, i - s - (cont ? 1 : 0));
            if (i < len) {
                if (t[i] == '\r' && i + 1 < len && t[i + 1] == '\n')
                    i++;
                i++;
                lineno++;
            }
            if (!cont || i >= len)
                break;
            while (i < len && is_ws(t[i]))
                i++;
        }
        if (add_logical_line(p, l.s ? l.s : "", l.len, start_line, name, err) != 0) {
            sb_release(&l);
            return -1;
        }
    }
    sb_release(&l);
    return 0;
}

const char *props_default(const char *key)
{
    for (size_t i = 0; i < sizeof alfresco_defaults / sizeof alfresco_defaults[0]; i++)
        if (strcmp(alfresco_defaults[i][0], key) == 0)
            return alfresco_defaults[i][1];
    return NULL;
}

/* Expansion state: the chain of keys being expanded, for cycle detection and the message. */
struct xstate {
    const struct props *p;
    const char *const *overrides;
    const char *chain[PROPS_MAX_DEPTH];
    size_t depth;
    const struct props_entry *nul; /* the first entry expanded whose value holds a NUL */
    struct err *err;
};

static const char *lookup(struct xstate *x, const char *key)
{
    if (x->overrides)
        for (const char *const *o = x->overrides; o[0]; o += 2)
            if (strcmp(o[0], key) == 0)
                return o[1];
    const struct props_entry *e = find_entry(x->p, key);
    if (e) {
        if (e->raw_nul && !x->nul)
            x->nul = e;
        return e->raw;
    }
    return props_default(key);
}

static int cycle_error(struct xstate *x, const char *key)
{
    char chain[ERR_MSG_MAX / 2] = "";
    size_t first = 0;
    for (size_t i = 0; i < x->depth; i++)
        if (strcmp(x->chain[i], key) == 0) {
            first = i;
            break;
        }
    size_t n = 0;
    for (size_t i = first; i < x->depth && n < sizeof chain; i++) {
        int w = snprintf(chain + n, sizeof chain - n, "%s -> ", x->chain[i]);
        if (w < 0)
            break;
        n += (size_t)w;
    }
    if (n < sizeof chain)
        snprintf(chain + n, sizeof chain - n, "%s", key);
    const struct props_entry *e = find_entry(x->p, key);
    if (e && x->p->path)
        err_set(x->err, ERR_CONFIG, "circular placeholder reference in '%s' line %d: %s",
                x->p->path, e->line, chain);
    else
        err_set(x->err, ERR_CONFIG, "circular placeholder reference: %s", chain);
    return err_hint(x->err, "Change '%s' so that it no longer refers back to itself.", key);
}

static int expand_into(struct xstate *x, const char *t, size_t len, struct sbuf *out);

/* Resolve one placeholder body (the text between "${" and its "}") and append the result. */
static int resolve(struct xstate *x, const char *body, size_t blen, struct sbuf *out)
{
    struct sbuf name = {0};
    int ret = -1;
    /* the name may itself hold placeholders: ${a${b}} */
    if (expand_into(x, body, blen, &name) != 0)
        goto out;
    const char *key = name.s ? name.s : "";
    const char *val = lookup(x, key);
    const char *used = key;
    char *k2 = NULL;
    const char *defval = NULL;
    if (!val) {
        const char *colon = strchr(key, ':');
        if (colon) {
            k2 = xstrndup(key, (size_t)(colon - key));
            val = lookup(x, k2);
            used = k2;
            if (!val)
                defval = colon + 1;
        }
    }
    if (!val && !defval) {
        /* unresolvable: keep the placeholder as written */
        sb_add(out, "${", 2);
        sb_add(out, body, blen);
        sb_addc(out, '}');
        ret = 0;
        free(k2);
        goto out;
    }
    if (val) {
        for (size_t i = 0; i < x->depth; i++)
            if (strcmp(x->chain[i], used) == 0) {
                cycle_error(x, used);
                free(k2);
                goto out;
            }
        if (x->depth >= PROPS_MAX_DEPTH) {
            err_set(x->err, ERR_CONFIG, "placeholders nested too deeply at '%s'", used);
            err_hint(x->err, "Keep ${...} references fewer than %d levels deep.",
                     PROPS_MAX_DEPTH);
            free(k2);
            goto out;
        }
        x->chain[x->depth++] = used;
        ret = expand_into(x, val, strlen(val), out);
        x->depth--;
    } else {
        ret = expand_into(x, defval, strlen(defval), out);
    }
    free(k2);
out:
    sb_release(&name);
    return ret;
}

static int expand_into(struct xstate *x, const char *t, size_t len, struct sbuf *out)
{
    size_t i = 0;
    while (i < len) {
        if (t[i] == '$' && i + 1 < len && t[i + 1] == '{') {
            /* find the matching '}', allowing nested ${...} */
            size_t j = i + 2, nest = 0;
            bool found = false;
            while (j < len) {
                if (t[j] == '$' && j + 1 < len && t[j + 1] == '{') {
                    nest++;
                    j += 2;
                    continue;
                }
                if (t[j] == '}') {
                    if (nest == 0) {
                        found = true;
                        break;
                    }
                    nest--;
                }
                j++;
            }
            if (!found) {
                sb_add(out, t + i, len - i);
                break;
            }
            if (resolve(x, t + i + 2, j - i - 2, out) != 0)
                return -1;
            i = j + 1;
        } else {
            sb_addc(out, t[i]);
            i++;
        }
        if (out->len > PROPS_MAX_VALUE) {
            err_set(x->err, ERR_CONFIG, "placeholder expansion longer than %u bytes",
                    PROPS_MAX_VALUE);
            return err_hint(x->err, "Check the ${...} references for runaway repetition.");
        }
    }
    return 0;
}

int props_expand(const struct props *p, const char *text, const char *const *overrides,
                 char **out, const struct props_entry **nul, struct err *err)
{
    struct xstate x = {.p = p, .overrides = overrides, .err = err};
    struct sbuf b = {0};
    if (expand_into(&x, text, strlen(text), &b) != 0) {
        sb_release(&b);
        return -1;
    }
    *out = sb_take(&b);
    if (nul)
        *nul = x.nul;
    return 0;
}

static void props_release(struct props *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].key);
        free(p->v[i].raw);
        free(p->v[i].value);
    }
    free(p->v);
    free(p->path);
    memset(p, 0, sizeof *p);
}

int props_parse(struct props *p, const char *text, size_t len, const char *name,
                struct err *err)
{
    memset(p, 0, sizeof *p);
    p->path = xstrdup(name ? name : "properties");
    if (parse_lines(p, text, len, p->path, err) != 0)
        goto fail;
    for (size_t i = 0; i < p->n; i++) {
        struct props_entry *e = &p->v[i];
        struct xstate x = {.p = p, .err = err};
        struct sbuf b = {0};
        x.chain[x.depth++] = e->key;
        x.nul = e->raw_nul ? e : NULL;
        if (expand_into(&x, e->raw, strlen(e->raw), &b) != 0) {
            sb_release(&b);
            goto fail;
        }
        e->value = sb_take(&b);
        /* p->v no longer moves: the entries are all in */
        e->nul = x.nul;
    }
    return 0;
fail:
    props_release(p);
    return -1;
}

int props_load(struct props *p, const char *path, struct err *err)
{
    memset(p, 0, sizeof *p);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_sys(err, ERR_CONFIG, errno, "could not open '%s'", path);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return err_sys(err, ERR_CONFIG, e, "could not read '%s'", path);
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return err_set(err, ERR_CONFIG, "'%s' is not a regular file", path);
    }
    if (st.st_size > (off_t)PROPS_MAX_FILE) {
        close(fd);
        return err_set(err, ERR_CONFIG, "'%s' is larger than %u bytes", path, PROPS_MAX_FILE);
    }
    struct sbuf b = {0};
    char chunk[8192];
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof chunk);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            sb_release(&b);
            return err_sys(err, ERR_CONFIG, e, "could not read '%s'", path);
        }
        if (r == 0)
            break;
        sb_add(&b, chunk, (size_t)r);
        if (b.len > PROPS_MAX_FILE) {
            close(fd);
            sb_release(&b);
            return err_set(err, ERR_CONFIG, "'%s' is larger than %u bytes", path,
                           PROPS_MAX_FILE);
        }
    }
    close(fd);
    int ret = props_parse(p, b.s ? b.s : "", b.len, path, err);
    sb_release(&b);
    return ret;
}

const struct props_entry *props_find(const struct props *p, const char *key)
{
    return find_entry(p, key);
}

const char *props_get(const struct props *p, const char *key)
{
    const struct props_entry *e = find_entry(p, key);
    return e ? e->value : NULL;
}

int props_line(const struct props *p, const char *key)
{
    const struct props_entry *e = find_entry(p, key);
    return e ? e->line : 0;
}

const struct props_entry *props_nul(const struct props *p, const char *key)
{
    const struct props_entry *e = find_entry(p, key);
    return e ? e->nul : NULL;
}

const struct props_entry *props_nul_key(const struct props *p, const char *const *keys)
{
    for (size_t i = 0; p && i < p->n; i++)
        for (const char *const *k = keys; p->v[i].key_nul && *k; k++)
            if (strcmp(p->v[i].key, *k) == 0)
                return &p->v[i];
    return NULL;
}

void props_free(struct props *p)
{
    if (!p)
        return;
    props_release(p);
    free(p);
}
