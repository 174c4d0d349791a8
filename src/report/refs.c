/* Content references, joined in memory: alf_node_properties (content properties), alf_node and
 * alf_content_data are read as plain scans, with no join and no sort on the server, and turned
 * into one array of (content URL id, node) pairs sorted by URL id. Joining a million rows of
 * each inside the database costs it about three times the CPU of the three scans.
 *
 * The scan of the properties also makes the last schema check: a content property of the legacy
 * type 11 (3.2's content URL conversion never finished) stops the report with the same error as
 * db_check_content_types.
 *
 * The properties come first (node id, data id) and the node scan keeps only the nodes a
 * property names; the data rows, read on the report's other session meanwhile, then give each
 * property its URL (crefs_join). The properties and data rows are freed once the pairs are
 * built. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "alfwipe/db.h"
#include "rep_int.h"

struct cprop {
    int64_t node_id, data_id;
    uint32_t uuid;
    int32_t store;       /* index in r->stores, -1 unknown */
    bool found;          /* the node exists */
};

struct cdata {
    int64_t id, url_id;
};

/* The node scan's view: the report's stores and the properties to complete. */
struct node_scan {
    struct crefs *cr;
    const struct report *r;
};

static int bad_int(struct err *err, const char *what, const struct db_value *v)
{
    return err_set(err, ERR_DATA, "%s '%.*s' is not an integer", what, (int)v->len, v->s);
}

static int on_prop(void *arg, const struct db_value *c, int nc, struct err *err)
{
    struct crefs *l = arg;
    if (nc < 3)
        return err_set(err, ERR_DATA, "alf_node_properties: unexpected row shape");
    if (c[2].len == 2 && memcmp(c[2].s, "11", 2) == 0)
        return db_legacy_content_error(err, c[0].s);
    if (c[1].null)
        return 0;   /* a content property without a content data id points at nothing */
    struct cprop p = {0};
    if (db_int64(&c[0], &p.node_id) != 0)
        return bad_int(err, "alf_node_properties: node_id", &c[0]);
    if (db_int64(&c[1], &p.data_id) != 0)
        return bad_int(err, "alf_node_properties: long_value of a content property", &c[1]);
    p.store = -1;
    l->p = xgrow(l->p, &l->pcap, l->np + 1, sizeof *l->p);
    l->p[l->np++] = p;
    return 0;
}

static int cmp_prop_node(const void *pa, const void *pb)
{
    const struct cprop *a = pa, *b = pb;
    return (a->node_id > b->node_id) - (a->node_id < b->node_id);
}

static int cmp_prop_data(const void *pa, const void *pb)
{
    const struct cprop *a = pa, *b = pb;
    return (a->data_id > b->data_id) - (a->data_id < b->data_id);
}

static int cmp_data(const void *pa, const void *pb)
{
    const struct cdata *a = pa, *b = pb;
    if (a->id != b->id)
        return (a->id > b->id) - (a->id < b->id);
    return (a->url_id > b->url_id) - (a->url_id < b->url_id);
}

static int cmp_ref(const void *pa, const void *pb)
{
    const struct cref *a = pa, *b = pb;
    if (a->url_id != b->url_id)
        return (a->url_id > b->url_id) - (a->url_id < b->url_id);
    return (a->node_id > b->node_id) - (a->node_id < b->node_id);
}

/* Sort unless already in order (scans of tables filled in id order usually are). */
static void sort_if_needed(void *base, size_t n, size_t size,
                           int (*cmp)(const void *, const void *))
{
    const char *b = base;
    for (size_t i = 1; i < n; i++)
        if (cmp(b + (i - 1) * size, b + i * size) > 0) {
            qsort(base, n, size, cmp);
            return;
        }
}

/* First property of node id at or after the hint, else by halving; np when there is none. */
static size_t find_node(struct crefs *l, int64_t id)
{
    size_t h = l->hint;
    if (h < l->np && l->p[h].node_id < id && (h + 1 >= l->np || l->p[h + 1].node_id >= id))
        h++;
    else if (!(h < l->np && l->p[h].node_id == id && (h == 0 || l->p[h - 1].node_id < id))) {
        size_t lo = 0, hi = l->np;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (l->p[mid].node_id < id)
                lo = mid + 1;
            else
                hi = mid;
        }
        h = lo;
    }
    return h < l->np && l->p[h].node_id == id ? h : l->np;
}

/* ---- uuids: 16 bytes for the usual form, else the text; a handle below UUID_TEXT is an
 * index into bin, from UUID_TEXT on (UUID_TEXT + i) the i-th text. */
#define UUID_TEXT 0x80000000u

static int hexval(unsigned char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The 16 bytes of a lowercase 8-4-4-4-12 uuid; false for any other text. */
static bool uuid_parse(const char *s, size_t n, unsigned char out[16])
{
    if (n != 36)
        return false;
    size_t o = 0;
    for (size_t i = 0; i < 36;) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i++] != '-')
                return false;
            continue;
        }
        int hi = hexval((unsigned char)s[i]), lo = hexval((unsigned char)s[i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[o++] = (unsigned char)(hi << 4 | lo);
        i += 2;
    }
    return true;
}

static int uuid_add(struct cuuids *u, const char *s, size_t n, uint32_t *handle)
{
    unsigned char b[16];
    if (uuid_parse(s, n, b)) {
        if (u->nbin >= UUID_TEXT)
            return -1;
        u->bin = xgrow(u->bin, &u->bin_cap, u->nbin + 1, sizeof *u->bin);
        memcpy(u->bin[u->nbin], b, 16);
        *handle = (uint32_t)u->nbin++;
        return 0;
    }
    if (u->ntext >= UUID_TEXT)
        return -1;
    u->text_off = xgrow(u->text_off, &u->text_cap, u->ntext + 1, sizeof *u->text_off);
    u->text_off[u->ntext] = arena_add(&u->text, s, n);
    *handle = UUID_TEXT + (uint32_t)u->ntext++;
    return 0;
}

const char *crefs_uuid(const struct crefs *cr, const struct cref *ref, char buf[CREF_UUID_MAX])
{
    const struct cuuids *u = &cr->uuids;
    if (ref->uuid >= UUID_TEXT)
        return arena_str(&u->text, u->text_off[ref->uuid - UUID_TEXT]);
    static const char hex[] = "0123456789abcdef";
    const unsigned char *b = u->bin[ref->uuid];
    size_t o = 0;
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            buf[o++] = '-';
        buf[o++] = hex[b[i] >> 4];
        buf[o++] = hex[b[i] & 15];
    }
    buf[o] = '\0';
    return buf;
}

static int on_node(void *arg, const struct db_value *c, int nc, struct err *err)
{
    const struct node_scan *ns = arg;
    struct crefs *l = ns->cr;
    if (nc < 3)
        return err_set(err, ERR_DATA, "alf_node: unexpected row shape");
    int64_t id;
    if (db_int64(&c[0], &id) != 0)
        return bad_int(err, "alf_node: id", &c[0]);
    size_t i = find_node(l, id);
    if (i == l->np)
        return 0;
    l->hint = i;
    int64_t store_id = -1;
    (void)db_int64(&c[1], &store_id);
    int store = report_store_index(ns->r, store_id);
    uint32_t uuid;
    if (uuid_add(&l->uuids, c[2].null ? "?" : c[2].s, c[2].null ? 1 : c[2].len, &uuid) != 0)
        return err_set(err, ERR_DATA, "more than %u nodes with content", UUID_TEXT - 1u);
    for (; i < l->np && l->p[i].node_id == id; i++) {
        l->p[i].found = true;
        l->p[i].store = store;
        l->p[i].uuid = uuid;
    }
    return 0;
}

static int on_data(void *arg, const struct db_value *c, int nc, struct err *err)
{
    struct crefs *l = arg;
    if (nc < 2)
        return err_set(err, ERR_DATA, "alf_content_data: unexpected row shape");
    struct cdata d;
    if (db_int64(&c[0], &d.id) != 0)
        return bad_int(err, "alf_content_data: id", &c[0]);
    if (c[1].null)
        return 0;   /* content data without a URL holds no bytes */
    if (db_int64(&c[1], &d.url_id) != 0)
        return bad_int(err, "alf_content_data: content_url_id", &c[1]);
    l->d = xgrow(l->d, &l->dcap, l->nd + 1, sizeof *l->d);
    l->d[l->nd++] = d;
    return 0;
}

static void add_ref(struct crefs *cr, int64_t url_id, int64_t node_id, int32_t store,
                    uint32_t uuid)
{
    cr->v = xgrow(cr->v, &cr->cap, cr->n + 1, sizeof *cr->v);
    cr->v[cr->n++] = (struct cref){url_id, node_id, uuid, store};
}

/* Both sorted by data id: each data row with the properties that point at it; a row that no
 * existing node's property points at is dangling. Properties of unknown data rows point at no
 * URL and are dropped. */
static void join(struct crefs *l)
{
    struct crefs *cr = l;
    size_t j = 0;
    for (size_t i = 0; i < l->nd; i++) {
        const struct cdata *d = &l->d[i];
        while (j < l->np && l->p[j].data_id < d->id)
            j++;
        bool any = false;
        for (size_t k = j; k < l->np && l->p[k].data_id == d->id; k++) {
            const struct cprop *p = &l->p[k];
            if (p->found)
                add_ref(cr, d->url_id, p->node_id, p->store, p->uuid);
            else
                add_ref(cr, d->url_id, CREF_DANGLING, -1, 0);
            any = true;
        }
        if (!any)
            add_ref(cr, d->url_id, CREF_DANGLING, -1, 0);
    }
}

static int on_encrypted(void *arg, const struct db_value *c, int nc, struct err *err)
{
    struct crefs *cr = arg;
    int64_t id;
    if (nc < 1 || c[0].null)
        return 0;
    if (db_int64(&c[0], &id) != 0)
        return bad_int(err, "alf_content_url_encryption: content_url_id", &c[0]);
    cr->enc = xgrow(cr->enc, &cr->enc_cap, cr->nenc + 1, sizeof *cr->enc);
    cr->enc[cr->nenc++] = id;
    return 0;
}

static int cmp_i64(const void *pa, const void *pb)
{
    int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
    return (a > b) - (a < b);
}

int crefs_load_data(struct crefs *cr, struct db *db, bool has_encryption, struct err *err)
{
    if (db_query(db, "q_report_content_data", NULL, 0, on_data, cr, err) != 0)
        return -1;
    sort_if_needed(cr->d, cr->nd, sizeof *cr->d, cmp_data);
    if (has_encryption &&
        db_query(db, "q_report_encrypted_urls", NULL, 0, on_encrypted, cr, err) != 0)
        return -1;
    sort_if_needed(cr->enc, cr->nenc, sizeof *cr->enc, cmp_i64);
    return 0;
}

int crefs_load_props(struct crefs *cr, struct db *db, const struct report *r,
                     const char *const *content_qnames, struct err *err)
{
    if (db_query(db, "q_report_content_props", content_qnames, 8, on_prop, cr, err) != 0)
        return -1;
    sort_if_needed(cr->p, cr->np, sizeof *cr->p, cmp_prop_node);
    struct node_scan ns = {cr, r};
    if (cr->np > 0 && db_query(db, "q_report_content_nodes", NULL, 0, on_node, &ns, err) != 0)
        return -1;
    return 0;
}

#define CREF_NONE UINT32_MAX

/* The direct index of url ids, when it costs at most about four slots a pair: a binary search
 * of a million pairs misses the cache some ten times, the index once. */
static void index_urls(struct crefs *cr)
{
    if (cr->n == 0 || cr->n >= CREF_NONE)
        return;
    int64_t lo = cr->v[0].url_id, hi = cr->v[cr->n - 1].url_id;
    uint64_t range = (uint64_t)hi - (uint64_t)lo;
    if (range >= 4 * (uint64_t)cr->n + 4096)
        return;
    cr->at_n = (size_t)range + 1;
    cr->at_min = lo;
    cr->at = xmalloc(cr->at_n * sizeof *cr->at);
    memset(cr->at, 0xff, cr->at_n * sizeof *cr->at);
    for (size_t i = cr->n; i-- > 0;)
        cr->at[(uint64_t)cr->v[i].url_id - (uint64_t)lo] = (uint32_t)i;
}

void crefs_join(struct crefs *cr)
{
    sort_if_needed(cr->p, cr->np, sizeof *cr->p, cmp_prop_data);
    join(cr);
    free(cr->p);
    free(cr->d);
    cr->p = NULL;
    cr->d = NULL;
    cr->np = cr->pcap = cr->nd = cr->dcap = 0;
    sort_if_needed(cr->v, cr->n, sizeof *cr->v, cmp_ref);
    index_urls(cr);
}

const struct cref *crefs_of(const struct crefs *cr, int64_t url_id, size_t *n)
{
    size_t lo = 0, hi = cr->n;
    if (cr->at) {
        uint64_t k = (uint64_t)url_id - (uint64_t)cr->at_min;
        if (url_id < cr->at_min || k >= cr->at_n || cr->at[k] == CREF_NONE) {
            *n = 0;
            return cr->v;
        }
        lo = hi = cr->at[k];
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cr->v[mid].url_id < url_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < cr->n && cr->v[end].url_id == url_id)
        end++;
    *n = end - lo;
    return cr->v + lo;
}

bool crefs_encrypted(const struct crefs *cr, int64_t url_id)
{
    return cr->nenc > 0 && bsearch(&url_id, cr->enc, cr->nenc, sizeof *cr->enc, cmp_i64);
}

void crefs_release(struct crefs *cr)
{
    free(cr->p);
    free(cr->d);
    free(cr->v);
    free(cr->enc);
    free(cr->at);
    free(cr->uuids.bin);
    free(cr->uuids.text_off);
    arena_release(&cr->uuids.text);
    memset(cr, 0, sizeof *cr);
}
