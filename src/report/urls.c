/* Content URL rows matched to the sorted disk walk (see rep_int.h, struct uindex).
 *
 * The rows come in the table's order, while the walk still runs, and are kept as they come.
 * Once the walk is complete, a store:// URL whose path it found is attached to that path's
 * first walk entry: walk order is then its order. Every other URL (no file, another protocol)
 * is sorted here; there are few of those in a healthy repository. The server sorts nothing:
 * ordering a million URLs costs PostgreSQL about a CPU second. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "alfwipe/db.h"
#include "alfwipe/err.h"
#include "alfwipe/timeutil.h"
#include "alfwipe/walk.h"
#include "rep_int.h"

#define NO_ROW UINT32_MAX

/* A hash of the path bytes, eight at a time, for the table of walk paths (not cryptographic). */
static uint64_t path_hash(const char *p, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15u ^ n;
    while (n >= 8) {
        uint64_t k;
        memcpy(&k, p, 8);
        h = (h ^ k) * 0xff51afd7ed558ccdu;
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    uint64_t k = 0;
    memcpy(&k, p, n);
    h = (h ^ k) * 0xc4ceb9fe1a85ec53u;
    return h ^ (h >> 29);
}

static bool same_path(const struct walk *w, size_t i, const char *p, size_t n)
{
    const struct walk_entry *e = &w->v[i];
    return e->path_len == n && memcmp(walk_path(w, e), p, n) == 0;
}

void uindex_init(struct uindex *u)
{
    memset(u, 0, sizeof *u);
    u->keep_max = UINDEX_KEEP_MAX;
}

/* The hash table of the walk's paths: one slot per path (its first entry; the same path in
 * several roots comes in neighbouring entries). */
static void index_walk(struct uindex *u, const struct walk *w)
{
    u->w = w;
    size_t groups = 0;
    for (size_t i = 0; i < w->n; i++)
        if (i == 0 || !same_path(w, i - 1, walk_path(w, &w->v[i]), w->v[i].path_len))
            groups++;
    size_t size = 16;
    while (size < 2 * groups)
        size *= 2;
    u->mask = size - 1;
    u->slot = xcalloc(size, sizeof *u->slot);
    u->first = xmalloc((w->n ? w->n : 1) * sizeof *u->first);
    for (size_t i = 0; i < w->n; i++) {
        u->first[i] = NO_ROW;
        const struct walk_entry *e = &w->v[i];
        if (i > 0 && same_path(w, i - 1, walk_path(w, e), e->path_len))
            continue;
        size_t s = path_hash(walk_path(w, e), e->path_len) & u->mask;
        while (u->slot[s])
            s = (s + 1) & u->mask;
        u->slot[s] = (uint32_t)i + 1;
    }
}

/* First walk entry of this relative path, or -1. */
static long find_path(const struct uindex *u, const char *p, size_t n)
{
    for (size_t s = path_hash(p, n) & u->mask; u->slot[s]; s = (s + 1) & u->mask)
        if (same_path(u->w, u->slot[s] - 1, p, n))
            return (long)u->slot[s] - 1;
    return -1;
}

static const struct uindex *g_sort_u;

static int cmp_loose(const void *pa, const void *pb)
{
    const struct uindex *u = g_sort_u;
    const struct uloose *a = pa, *b = pb;
    size_t m = a->len < b->len ? a->len : b->len;
    int c = memcmp(u->strs.buf + a->off, u->strs.buf + b->off, m);
    if (c != 0)
        return c;
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    int64_t x = u->rows[a->row].id, y = u->rows[b->row].id;
    return (x > y) - (x < y);
}

static int cmp_dup(const void *pa, const void *pb)
{
    const struct udup *a = pa, *b = pb;
    if (a->entry != b->entry)
        return a->entry < b->entry ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row);
}

/* Row `row` with this URL: attached to its walk path, or kept with its text among the loose. */
static void place(struct uindex *u, uint32_t row, const char *url, size_t len, struct arena *to)
{
    long at = -1;
    if (len > STORE_PREFIX_LEN && memcmp(url, STORE_PREFIX, STORE_PREFIX_LEN) == 0)
        at = find_path(u, url + STORE_PREFIX_LEN, len - STORE_PREFIX_LEN);
    if (at >= 0 && u->first[at] == NO_ROW) {
        u->first[at] = row;
    } else if (at >= 0) {
        /* The same URL on a second row (a table without its unique key): kept beside it. */
        u->dups = xgrow(u->dups, &u->dups_cap, u->ndups + 1, sizeof *u->dups);
        u->dups[u->ndups++] = (struct udup){(uint32_t)at, row};
    } else {
        u->loose = xgrow(u->loose, &u->loose_cap, u->nloose + 1, sizeof *u->loose);
        u->loose[u->nloose++] = (struct uloose){arena_add(to, url, len), len, row};
    }
}

/* From now on rows are placed as they come: place the ones kept so far, keep only the text of
 * those that matched no path. */
static void attach(struct uindex *u, const struct walk *w)
{
    double t0 = time_mono_s();
    index_walk(u, w);
    double t1 = time_mono_s();
    struct arena kept = ARENA_INIT;
    for (size_t i = 0; i < u->n; i++)
        place(u, (uint32_t)i, u->strs.buf + u->text[i].off, u->text[i].len, &kept);
    arena_release(&u->strs);
    u->strs = kept;
    free(u->text);
    u->text = NULL;
    u->text_cap = 0;
    debug_msg("URL rows: %zu paths indexed in %.3f s, %zu rows kept so far placed in %.3f s",
              w->n, t1 - t0, u->n, time_mono_s() - t1);
}

int uindex_row(void *arg, const struct db_value *c, int nc, struct err *err)
{
    struct uindex *u = arg;
    if (nc < 4 || c[0].null)
        return err_set(err, ERR_DATA, "alf_content_url: unexpected row shape");
    struct urow r = {0};
    if (db_int64(&c[0], &r.id) != 0)
        return err_set(err, ERR_DATA, "alf_content_url: id '%s' is not an integer", c[0].s);
    if (c[1].null || c[2].null) {
        /* NOT NULL in Alfresco's schema: a row Alfresco did not write this way */
        err_set(err, ERR_DATA, "alf_content_url %" PRId64 ": %s is NULL, which Alfresco never "
                "writes (the column is NOT NULL in its schema)", r.id,
                c[1].null ? "content_url" : "content_size");
        return err_hint(err, "Look at that row (SELECT * FROM alf_content_url WHERE id = %" PRId64
                        ") and at what changed the table; alfwipe only reads the database and "
                        "reports nothing it cannot classify.", r.id);
    }
    if (db_int64(&c[2], &r.size) != 0)
        return err_set(err, ERR_DATA, "alf_content_url %" PRId64 ": content_size '%s' is not "
                       "an integer", r.id, c[2].s);
    r.orphan_time = UROW_NO_ORPHAN;
    if (!c[3].null && db_int64(&c[3], &r.orphan_time) != 0)
        return err_set(err, ERR_DATA, "alf_content_url %" PRId64 ": orphan_time '%s' is not "
                       "an integer", r.id, c[3].s);
    if (!c[3].null && r.orphan_time == UROW_NO_ORPHAN)
        return err_set(err, ERR_DATA, "alf_content_url %" PRId64 ": orphan_time '%s' is out of "
                       "range", r.id, c[3].s);
    if (u->n >= NO_ROW)
        return err_set(err, ERR_DATA, "more than %" PRIu32 " content URLs", NO_ROW - 1);
    u->rows = xgrow(u->rows, &u->cap, u->n + 1, sizeof *u->rows);
    u->rows[u->n] = r;
    if (u->w) {
        place(u, (uint32_t)u->n++, c[1].s, c[1].len, &u->strs);
        return 0;
    }
    u->text = xgrow(u->text, &u->text_cap, u->n + 1, sizeof *u->text);
    u->text[u->n++] = (struct utext){arena_add(&u->strs, c[1].s, c[1].len), c[1].len};
    /* Rows that come before the walk is complete are kept whole, up to a bound; past it, wait
     * for the walk. */
    if (u->strs.len > u->keep_max && u->wait) {
        const struct walk *w = u->wait(u->wait_arg, err);
        if (!w)
            return -1;
        attach(u, w);
    }
    return 0;
}

void uindex_match(struct uindex *u, const struct walk *w)
{
    if (!u->w)
        attach(u, w);
    /* Every row is placed: the table of paths is not needed any more. */
    free(u->slot);
    u->slot = NULL;
    g_sort_u = u;
    if (u->nloose > 1)
        qsort(u->loose, u->nloose, sizeof *u->loose, cmp_loose);
    if (u->ndups > 1)
        qsort(u->dups, u->ndups, sizeof *u->dups, cmp_dup);
}

static int cmp_row_id(const void *pa, const void *pb, void *arg)
{
    const struct uindex *u = (const struct uindex *)(uintptr_t)arg;
    int64_t x = u->rows[*(const uint32_t *)pa].id, y = u->rows[*(const uint32_t *)pb].id;
    return (x > y) - (x < y);
}

void ucursor_init(struct ucursor *c, struct upos at)
{
    memset(c, 0, sizeof *c);
    c->at = at;
}

void ucursor_release(struct ucursor *c)
{
    free(c->group);
    free(c->url);
    memset(c, 0, sizeof *c);
}

/* Rows of the walk path starting at entry, by id, into c->group. */
static void group_rows(const struct uindex *u, struct ucursor *c, size_t entry)
{
    c->ngroup = 0;
    c->group = xgrow(c->group, &c->group_cap, 1, sizeof *c->group);
    c->group[c->ngroup++] = u->first[entry];
    while (c->at.dup_at < u->ndups && u->dups[c->at.dup_at].entry < entry)
        c->at.dup_at++;
    for (; c->at.dup_at < u->ndups && u->dups[c->at.dup_at].entry == entry; c->at.dup_at++) {
        c->group = xgrow(c->group, &c->group_cap, c->ngroup + 1, sizeof *c->group);
        c->group[c->ngroup++] = u->dups[c->at.dup_at].row;
    }
    if (c->ngroup > 1)
        qsort_r(c->group, c->ngroup, sizeof *c->group, cmp_row_id, (void *)(uintptr_t)u);
}

static int cmp_entry_url(const struct uindex *u, size_t i, const char *url, size_t len)
{
    const struct walk_entry *e = &u->w->v[i];
    return report_cmp_path_url(walk_path(u->w, e), e->path_len, url, len);
}

/* The next URL from c->at: a walked path (true, its entry in c->at.entry) or the loose URL at
 * c->at.loose_at (false); none at all: false with no loose URL left. */
static bool next_walked(const struct uindex *u, struct ucursor *c)
{
    while (c->at.entry < u->w->n && u->first[c->at.entry] == NO_ROW)
        c->at.entry++;
    const struct uloose *l = c->at.loose_at < u->nloose ? &u->loose[c->at.loose_at] : NULL;
    return c->at.entry < u->w->n &&
           (!l || cmp_entry_url(u, c->at.entry, u->strs.buf + l->off, l->len) < 0);
}

bool uindex_next(const struct uindex *u, struct ucursor *c, const struct urow **row,
                 const char **url, size_t *len)
{
    if (c->gpos >= c->ngroup) {
        if (!next_walked(u, c)) {
            if (c->at.loose_at >= u->nloose)
                return false;
            const struct uloose *l = &u->loose[c->at.loose_at++];
            *row = &u->rows[l->row];
            *url = u->strs.buf + l->off;
            *len = l->len;
            return true;
        }
        group_rows(u, c, c->at.entry);
        c->gpos = 0;
    }
    const struct walk_entry *e = &u->w->v[c->at.entry];
    *row = &u->rows[c->group[c->gpos++]];
    c->url = xgrow(c->url, &c->url_cap, STORE_PREFIX_LEN + e->path_len + 1, 1);
    memcpy(c->url, STORE_PREFIX, STORE_PREFIX_LEN);
    memcpy(c->url + STORE_PREFIX_LEN, walk_path(u->w, e), e->path_len + 1);
    *url = c->url;
    *len = STORE_PREFIX_LEN + e->path_len;
    if (c->gpos == c->ngroup) {
        c->at.entry++;
        c->gpos = c->ngroup = 0;
    }
    return true;
}

bool uindex_skip(const struct uindex *u, struct ucursor *c, size_t *nrows, bool *walked,
                 size_t *entry, const char **url, size_t *len)
{
    if (!next_walked(u, c)) {
        if (c->at.loose_at >= u->nloose)
            return false;
        const struct uloose *l = &u->loose[c->at.loose_at++];
        *nrows = 1;
        *walked = false;
        *url = u->strs.buf + l->off;
        *len = l->len;
        return true;
    }
    size_t n = 1;
    while (c->at.dup_at < u->ndups && u->dups[c->at.dup_at].entry < c->at.entry)
        c->at.dup_at++;
    for (; c->at.dup_at < u->ndups && u->dups[c->at.dup_at].entry == c->at.entry; c->at.dup_at++)
        n++;
    *nrows = n;
    *walked = true;
    *entry = c->at.entry++;
    return true;
}

bool uindex_has_row(const struct uindex *u, size_t i)
{
    return u->first && i < u->w->n && u->first[i] != NO_ROW;
}

void uindex_release(struct uindex *u)
{
    free(u->slot);
    free(u->first);
    free(u->rows);
    free(u->dups);
    free(u->loose);
    free(u->text);
    arena_release(&u->strs);
    memset(u, 0, sizeof *u);
}
