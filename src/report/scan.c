/* The report engine: one read-only snapshot of the database and one walk of the content roots,
 * merged in a single pass. The big query returns every URL with its references ordered by the
 * URL's bytes; the walk (run in a thread while the database sorts) is sorted the same way, so
 * each URL meets its files without any lookup table and memory stays bounded by the walk. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alfwipe/db.h"
#include "alfwipe/exitcode.h"
#include "alfwipe/urlpath.h"
#include "alfwipe/walk.h"
#include "rep_int.h"

#define NS_SYS "http://www.alfresco.org/model/system/1.0"
#define NS_CM "http://www.alfresco.org/model/content/1.0"
#define NS_VER2 "http://www.alfresco.org/model/versionstore/2.0"
#define NS_PUB "http://www.alfresco.org/model/publishing/1.0"


/* ------------------------------------------------------------------ status helpers */

void rstatus_add(struct rstatus *st, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        s = xstrdup("(out of memory)");
    va_end(ap);
    st->reasons = xgrow(st->reasons, &st->cap, st->nreasons + 1, sizeof *st->reasons);
    st->reasons[st->nreasons++] = s;
    if (code > st->exit_code)
        st->exit_code = code;
}

void rstatus_release(struct rstatus *st)
{
    for (size_t i = 0; i < st->nreasons; i++)
        free(st->reasons[i]);
    free(st->reasons);
    memset(st, 0, sizeof *st);
}

/* ------------------------------------------------------------------ qnames */

struct qname_row {
    int64_t id;
    char *uri, *local;
};

struct qnames {
    struct qname_row *v;
    size_t n, cap;
};

static int on_qname(void *arg, const struct db_value *c, int nc, struct err *err)
{
    struct qnames *q = arg;
    if (nc < 3 || c[1].null || c[2].null)
        return err_set(err, ERR_DATA, "alf_qname: unexpected row shape");
    q->v = xgrow(q->v, &q->cap, q->n + 1, sizeof *q->v);
    struct qname_row *r = &q->v[q->n];
    if (db_int64(&c[0], &r->id) != 0)
        return err_set(err, ERR_DATA, "alf_qname: id '%s' is not an integer", c[0].s);
    r->uri = xstrdup(c[1].s);
    r->local = xstrdup(c[2].s);
    q->n++;
    return 0;
}

/* The id of {uri}local, or -1 when the installation never used that name. */
static int64_t qname_id(const struct qnames *q, const char *uri, const char *local)
{
    for (size_t i = 0; i < q->n; i++)
        if (strcmp(q->v[i].uri, uri) == 0 && strcmp(q->v[i].local, local) == 0)
            return q->v[i].id;
    return -1;
}

static void qnames_release(struct qnames *q)
{
    for (size_t i = 0; i < q->n; i++) {
        free(q->v[i].uri);
        free(q->v[i].local);
    }
    free(q->v);
}

/* ------------------------------------------------------------------ stores */

static int on_store(void *arg, const struct db_value *c, int nc, struct err *err)
{
    struct report *r = arg;
    if (nc < 4 || c[1].null || c[2].null)
        return err_set(err, ERR_DATA, "alf_store: unexpected row shape");
    size_t cap = r->nstores;
    r->stores = xrealloc(r->stores, (cap + 1) * sizeof *r->stores);
    struct rstore *s = &r->stores[r->nstores];
    memset(s, 0, sizeof *s);
    if (db_int64(&c[0], &s->id) != 0)
        return err_set(err, ERR_DATA, "alf_store: id '%s' is not an integer", c[0].s);
    s->protocol = xstrdup(c[1].s);
    s->identifier = xstrdup(c[2].s);
    s->has_root = db_int64(&c[3], &s->root_node_id) == 0;
    if (strcmp(s->protocol, "archive") == 0)
        s->kind = SK_ARCHIVE;
    else if (strcmp(s->protocol, "workspace") == 0 &&
             (strcmp(s->identifier, "version2Store") == 0 ||
              strcmp(s->identifier, "lightWeightVersionStore") == 0))
        s->kind = SK_VERSION;
    else
        s->kind = SK_LIVE;
    r->nstores++;
    return 0;
}

int report_store_index(const struct report *r, int64_t id)
{
    for (size_t i = 0; i < r->nstores; i++)
        if (r->stores[i].id == id)
            return (int)i;
    return -1;
}

static const struct rstore *find_store(const struct report *r, const char *proto,
                                       const char *ident)
{
    for (size_t i = 0; i < r->nstores; i++)
        if (strcmp(r->stores[i].protocol, proto) == 0 &&
            strcmp(r->stores[i].identifier, ident) == 0)
            return &r->stores[i];
    return NULL;
}

/* ------------------------------------------------------------------ trashcan */

static int on_trash_item(void *arg, const struct db_value *c, int nc, struct err *err)
{
    struct report *r = arg;
    if (nc < 5 || c[1].null)
        return err_set(err, ERR_DATA, "trashcan item: unexpected row shape");
    int64_t id;
    if (db_int64(&c[0], &id) != 0)
        return err_set(err, ERR_DATA, "trashcan item: node id '%s' is not an integer", c[0].s);
    /* Several property rows (locales) can repeat a node; keep the first. */
    if (r->ntrash && r->trash[r->ntrash - 1].node_id == id)
        return 0;
    r->trash = xrealloc(r->trash, (r->ntrash + 1) * sizeof *r->trash);
    struct trash_item *t = &r->trash[r->ntrash++];
    memset(t, 0, sizeof *t);
    t->node_id = id;
    t->uuid = xstrdup(c[1].s);
    t->date_raw = c[2].null ? NULL : xstrdup(c[2].s);
    t->by = c[3].null ? NULL : xstrdup(c[3].s);
    t->name = c[4].null ? NULL : xstrdup(c[4].s);
    if (t->date_raw && time_parse_iso8601(t->date_raw, &t->archived_ms) == 0)
        t->has_date = true;
    if (!t->has_date)
        t->findings |= F_NO_ARCHIVED_DATE;
    else if (trash_expired(t->archived_ms, &r->pol))
        t->findings |= F_TRASHCAN_EXPIRED;
    return 0;
}

static int trash_index(const struct report *r, int64_t node_id)
{
    size_t lo = 0, hi = r->ntrash;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->trash[mid].node_id < node_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < r->ntrash && r->trash[lo].node_id == node_id ? (int)lo : -1;
}

/* Archive nodes with their primary parent (a tree, tree.c) and their uuids. */
struct anodes {
    struct tree t;
    size_t *uuid_off;         /* parallel to t.v */
    size_t uuid_cap;
    struct arena uuids;
    size_t *by_uuid;          /* indexes sorted by uuid */
};

static int on_archive_node(void *arg, const struct db_value *c, int nc, struct err *err)
{
    struct anodes *a = arg;
    if (nc < 3 || c[2].null)
        return err_set(err, ERR_DATA, "archive node: unexpected row shape");
    int64_t id, parent;
    if (db_int64(&c[0], &id) != 0)
        return err_set(err, ERR_DATA, "archive node: id '%s' is not an integer", c[0].s);
    if (a->t.n && a->t.v[a->t.n - 1].id == id)
        return 0;
    if (db_int64(&c[1], &parent) != 0)
        parent = -1;
    a->uuid_off = xgrow(a->uuid_off, &a->uuid_cap, a->t.n + 1, sizeof *a->uuid_off);
    a->uuid_off[a->t.n] = arena_add(&a->uuids, c[2].s, c[2].len);
    tree_add(&a->t, id, parent);
    return 0;
}

static int trash_top(const void *arg, int64_t node_id)
{
    return trash_index(arg, node_id);
}

/* The trashcan item an archive node belongs to, -1 none. */
static int anode_item(const struct report *r, struct anodes *a, int64_t node_id)
{
    long i = tree_find(&a->t, node_id);
    return i >= 0 ? tree_item(&a->t, (size_t)i, trash_top, r) : -1;
}

static struct anodes *g_sort_anodes;
static int cmp_anode_uuid(const void *pa, const void *pb)
{
    const struct anodes *a = g_sort_anodes;
    return strcmp(arena_str(&a->uuids, a->uuid_off[*(const size_t *)pa]),
                  arena_str(&a->uuids, a->uuid_off[*(const size_t *)pb]));
}

static int anode_item_by_uuid(const struct report *r, struct anodes *a, const char *uuid)
{
    size_t lo = 0, hi = a->t.n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(arena_str(&a->uuids, a->uuid_off[a->by_uuid[mid]]), uuid);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < a->t.n && strcmp(arena_str(&a->uuids, a->uuid_off[a->by_uuid[lo]]), uuid) == 0)
        return tree_item(&a->t, a->by_uuid[lo], trash_top, r);
    return -1;
}

/* Version nodes whose versioned node sits in the trashcan: purging the item deletes them. */
struct vowner {
    int64_t id;
    int item;
};

struct vowners {
    struct vowner *v;
    size_t n, cap;
    const struct report *r;
    struct anodes *a;
};

static int on_version_owner(void *arg, const struct db_value *c, int nc, struct err *err)
{
    struct vowners *vo = arg;
    if (nc < 3)
        return err_set(err, ERR_DATA, "version node: unexpected row shape");
    int64_t id;
    if (db_int64(&c[0], &id) != 0)
        return err_set(err, ERR_DATA, "version node: id '%s' is not an integer", c[0].s);
    if (vo->n && vo->v[vo->n - 1].id == id)
        return 0;
    /* frozenNodeRef is "workspace://SpacesStore/<uuid>"; versionedNodeId is the uuid. */
    const char *uuid = NULL;
    if (!c[1].null) {
        const char *slash = strrchr(c[1].s, '/');
        uuid = slash ? slash + 1 : c[1].s;
    } else if (!c[2].null) {
        uuid = c[2].s;
    }
    if (!uuid)
        return 0;
    int item = anode_item_by_uuid(vo->r, vo->a, uuid);
    if (item < 0)
        return 0;
    vo->v = xgrow(vo->v, &vo->cap, vo->n + 1, sizeof *vo->v);
    vo->v[vo->n].id = id;
    vo->v[vo->n].item = item;
    vo->n++;
    return 0;
}

static int vowner_item(const struct vowners *vo, int64_t id)
{
    size_t lo = 0, hi = vo->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (vo->v[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < vo->n && vo->v[lo].id == id ? vo->v[lo].item : -1;
}

/* ------------------------------------------------------------------ trashcan trees */

/* What the merge needs besides the URL rows: the trashcan items, the archive store's nodes,
 * the version nodes' owners and the content data rows (the last schema check, for legacy
 * content properties, is made by the scan of content properties, refs.c).
 * With a second session in the same snapshot these queries run in a thread while the URL
 * query sorts on the other session; nothing is printed before they are done. */
struct prep {
    struct db *db;
    struct report *r;
    const struct qnames *qn;
    struct anodes *an;
    struct vowners *vo;
    struct crefs *cr;         /* its content data rows are read here too */
    bool has_encryption;
    pthread_t thread;
    bool started, joined;
    int rc;
    struct err err;
};

static int load_trees(struct prep *p, struct err *err)
{
    struct report *r = p->r;
    const struct qnames *qn = p->qn;
    struct anodes *an = p->an;
    struct vowners *vo = p->vo;
    const struct rstore *archive = find_store(r, "archive", "SpacesStore");
    const struct rstore *version = find_store(r, "workspace", "version2Store");
    int64_t q_children = qname_id(qn, NS_SYS, "children");
    int64_t q_date = qname_id(qn, NS_SYS, "archivedDate");
    int64_t q_by = qname_id(qn, NS_SYS, "archivedBy");
    int64_t q_name = qname_id(qn, NS_CM, "name");
    if (archive && archive->has_root && q_children >= 0) {
        char p1[24], p2[24], p3[24], p4[24], p5[24], p6[24];
        /* The association name's namespace is sys: take it from a sys qname's namespace. */
        char *ns = NULL;
        const char *pns[1] = {NS_SYS};
        if (db_query_value(p->db, "q_report_namespace_id", pns, 1, &ns, err) != 0)
            return -1;
        snprintf(p1, sizeof p1, "%" PRId64, archive->root_node_id);
        snprintf(p2, sizeof p2, "%" PRId64, q_children);
        snprintf(p3, sizeof p3, "%s", ns ? ns : "-1");
        free(ns);
        snprintf(p4, sizeof p4, "%" PRId64, q_date);
        snprintf(p5, sizeof p5, "%" PRId64, q_by);
        snprintf(p6, sizeof p6, "%" PRId64, q_name);
        const char *tp[6] = {p1, p2, p3, p4, p5, p6};
        if (db_query(p->db, "q_report_trash_items", tp, 6, on_trash_item, r, err) != 0)
            return -1;
        char sid[24];
        snprintf(sid, sizeof sid, "%" PRId64, archive->id);
        const char *ap[1] = {sid};
        if (db_query(p->db, "q_report_archive_nodes", ap, 1, on_archive_node, an, err) != 0)
            return -1;
        an->by_uuid = xmalloc((an->t.n ? an->t.n : 1) * sizeof *an->by_uuid);
        for (size_t i = 0; i < an->t.n; i++)
            an->by_uuid[i] = i;
        g_sort_anodes = an;
        qsort(an->by_uuid, an->t.n, sizeof *an->by_uuid, cmp_anode_uuid);
    }
    vo->r = r;
    vo->a = an;
    if (version && an->t.n) {
        char sid[24], qf[24], qv[24];
        snprintf(sid, sizeof sid, "%" PRId64, version->id);
        snprintf(qf, sizeof qf, "%" PRId64, qname_id(qn, NS_VER2, "frozenNodeRef"));
        snprintf(qv, sizeof qv, "%" PRId64, qname_id(qn, NS_VER2, "versionedNodeId"));
        const char *vp[3] = {sid, qf, qv};
        if (db_query(p->db, "q_report_version_owners", vp, 3, on_version_owner, vo, err) != 0)
            return -1;
    }
    return crefs_load_data(p->cr, p->db, p->has_encryption, err);
}

static void *prep_main(void *arg)
{
    struct prep *p = arg;
    p->rc = load_trees(p, &p->err);
    return NULL;
}

/* Wait for the thread (if one runs) and pass its error on. */
static int prep_join(struct prep *p, struct err *err)
{
    if (p->started && !p->joined) {
        pthread_join(p->thread, NULL);
        p->joined = true;
    }
    if (p->rc != 0) {
        *err = p->err;
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ walk thread */

struct walker {
    pthread_t thread;
    bool started, joined;
    struct walk w;
    const struct report *r;
    int rc;
    struct err err;
};

/* The walk lists each root down to the day directories (yyyy/mm/dd) itself and leaves each of
 * those to whichever of two threads is free first; each finished directory is appended to the
 * walk in the order of the listing, so the walk stays in a few ascending runs for walk_sort.
 * A content store spends nearly all its time below that level, so both threads have work
 * until the end. */
#define WALK_SPLIT_DEPTH 3

struct walk_tasks {
    const struct report *r;
    const struct walk_split *split;
    atomic_size_t next;       /* the next task to take */
    pthread_mutex_t mu;       /* guards what follows */
    struct walk *out;
    struct walk **done;       /* per task: its walk, finished, waiting for the ones before */
    size_t commit;            /* the next task to append to out */
};

static void walk_tasks_run(struct walk_tasks *wt)
{
    for (;;) {
        size_t i = atomic_fetch_add(&wt->next, 1);
        if (i >= wt->split->n)
            return;
        const struct walk_task *t = &wt->split->v[i];
        struct walk *tw = xmalloc(sizeof *tw);
        walk_init(tw, wt->r->nroots);
        walk_task(tw, wt->r->roots[t->root].path, t);
        pthread_mutex_lock(&wt->mu);
        wt->done[i] = tw;
        while (wt->commit < wt->split->n && wt->done[wt->commit]) {
            struct walk *d = wt->done[wt->commit];
            walk_append(wt->out, d);
            walk_release(d);
            free(d);
            wt->done[wt->commit++] = NULL;
        }
        pthread_mutex_unlock(&wt->mu);
    }
}

static void *walk_helper_main(void *arg)
{
    walk_tasks_run(arg);
    return NULL;
}

static void *walk_main(void *arg)
{
    struct walker *wk = arg;
    double t0 = time_mono_s();
    struct walk_split split = {.depth = WALK_SPLIT_DEPTH};
    for (size_t i = 0; i < wk->r->nroots; i++) {
        if (wk->r->roots[i].missing)
            continue;
        struct err e = ERR_INIT;
        if (walk_root_split(&wk->w, (uint32_t)i, wk->r->roots[i].path, &split, &e) != 0 &&
            wk->rc == 0) {
            wk->rc = -1;
            wk->err = e;
        }
    }
    struct walk_tasks wt = {.r = wk->r, .split = &split, .out = &wk->w};
    atomic_init(&wt.next, 0);
    pthread_mutex_init(&wt.mu, NULL);
    wt.done = xcalloc(split.n ? split.n : 1, sizeof *wt.done);
    pthread_t helper;
    bool helped = split.n > 1 && pthread_create(&helper, NULL, walk_helper_main, &wt) == 0;
    walk_tasks_run(&wt);
    if (helped)
        pthread_join(helper, NULL);
    pthread_mutex_destroy(&wt.mu);
    free(wt.done);
    walk_split_release(&split);
    /* The directories' walks were freed as they were appended; give their memory back
     * rather than keep it for the rest of the run. */
    malloc_trim(0);
    double t1 = time_mono_s();
    walk_sort(&wk->w);
    debug_msg("disk walk: %zu entries in %.3f s (sorted in %.3f s)", wk->w.n,
              time_mono_s() - t0, time_mono_s() - t1);
    return NULL;
}

static int walker_join(struct walker *wk, struct err *err)
{
    if (!wk->started || wk->joined)
        return wk->rc == 0 ? 0 : (*err = wk->err, -1);
    pthread_join(wk->thread, NULL);
    wk->joined = true;
    if (wk->rc != 0) {
        *err = wk->err;
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ the merge */

struct skipped_dir {
    const char *path;
    size_t len;
};

struct scan {
    struct report *r;
    struct rwriter *w;
    struct walker *wk;
    struct prep *prep;
    struct anodes *an;
    struct vowners *vo;
    FILE *fp;                 /* the writer starts once the walk is complete */
    bool walk_ready;
    size_t wc;                /* walk cursor */
    /* the URL being finished */
    char *url;
    size_t url_len, url_cap;
    int64_t size;
    bool orphan_set;
    int64_t orphan_time;
    bool encrypted;
    bool dangling;
    const struct crefs *crefs;
    const struct cref *refs;  /* the URL's references, in crefs */
    size_t nrefs;
    /* directories of content roots the walk did not enter, in walk order (shared) */
    const struct skipped_dir *skipped;
    size_t nskipped;
    /* scratch for items */
    struct rfile *files;
    size_t files_cap;
    char **noderefs;          /* into refbuf, at refoff */
    size_t noderefs_cap;
    char *refbuf;
    size_t reflen, refbuf_cap;
    size_t *refoff;
    size_t refoff_cap;
    char **trashrefs;
    size_t trashrefs_cap;
    int *items;
    size_t items_cap;
    /* regular files with more than one link, as walk indexes sorted by device and inode */
    size_t *linked;
    size_t nlinked;
    struct rfile *linkfiles;  /* scratch: the other names of one inode */
    size_t linkfiles_cap;
    /* files in contentstore.deleted that a referenced URL which is no plain path names
     * (store://a//b.bin, store://../contentstore.deleted/b.bin), by walk index (shared) */
    struct odd_target *odd;
    size_t nodd;
};

struct odd_target {
    size_t entry;             /* walk index */
    int64_t url_id;
};

int report_cmp_path_url(const char *path, size_t plen, const char *url, size_t ulen)
{
    size_t n = ulen < STORE_PREFIX_LEN ? ulen : STORE_PREFIX_LEN;
    int c = memcmp(STORE_PREFIX, url, n);
    if (c != 0)
        return c;
    if (ulen < STORE_PREFIX_LEN)
        return 1;
    size_t rest = ulen - STORE_PREFIX_LEN;
    size_t m = plen < rest ? plen : rest;
    c = memcmp(path, url + STORE_PREFIX_LEN, m);
    if (c != 0)
        return c;
    return plen < rest ? -1 : plen > rest ? 1 : 0;
}

static void bucket_add(struct report *r, enum bucket_set set, bool has_age, int64_t age,
                       int64_t bytes)
{
    struct class_total *b = &r->sum.buckets[set][age_bucket_of(has_age, age)];
    b->count++;
    bytes_add(&b->bytes, bytes);
}

static void count_item(struct report *r, const struct ritem *it)
{
    struct rsummary *s = &r->sum;
    s->cls[it->cls].count++;
    if (it->has_size)
        bytes_add(&s->cls[it->cls].bytes, it->size);
    for (unsigned b = 0; b < F_COUNT_BITS; b++)
        if (it->findings & (1u << b))
            s->findings[b]++;
}

static struct rfile *scan_file(struct scan *sc, size_t idx)
{
    sc->files = xgrow(sc->files, &sc->files_cap, idx + 1, sizeof *sc->files);
    return &sc->files[idx];
}

static void fill_file(struct scan *sc, struct rfile *f, const struct walk_entry *e)
{
    f->root = &sc->r->roots[e->root];
    f->path = walk_path(&sc->wk->w, e);
    f->path_len = e->path_len;
    f->size = e->size;
    f->mtime_ms = e->mtime_ms;
    f->type = e->type;
}

/* True when the symbolic link rel under root leads to a directory: content below it is not
 * walked (links are never followed), so it is not_walked, not missing. */
static bool link_to_dir(const char *root, const char *rel)
{
    char *p = xasprintf("%s/%s", root, rel);
    struct stat st;
    bool dir = stat(p, &st) == 0 && S_ISDIR(st.st_mode);
    free(p);
    return dir;
}

/* Hard links: the walk's regular files with more than one link, by device and inode. A root's
 * entries are all on its device (the walk does not cross into another filesystem). */
static int cmp_linked(const void *pa, const void *pb, void *arg)
{
    const struct scan *sc = arg;
    const struct walk_entry *a = &sc->wk->w.v[*(const size_t *)pa];
    const struct walk_entry *b = &sc->wk->w.v[*(const size_t *)pb];
    uint64_t da = sc->r->roots[a->root].dev, db = sc->r->roots[b->root].dev;
    if (da != db)
        return da < db ? -1 : 1;
    if (a->ino != b->ino)
        return a->ino < b->ino ? -1 : 1;
    return (*(const size_t *)pa > *(const size_t *)pb) - (*(const size_t *)pa < *(const size_t *)pb);
}

static void index_links(struct scan *sc)
{
    const struct walk *w = &sc->wk->w;
    size_t cap = 0;
    for (size_t i = 0; i < w->n; i++) {
        if (w->v[i].type != WALK_FILE || w->v[i].nlink < 2)
            continue;
        sc->linked = xgrow(sc->linked, &cap, sc->nlinked + 1, sizeof *sc->linked);
        sc->linked[sc->nlinked++] = i;
    }
    if (sc->nlinked > 1)
        qsort_r(sc->linked, sc->nlinked, sizeof *sc->linked, cmp_linked, sc);
}

/* The other names the walk saw of the inode of walk entry e (into sc->linkfiles). */
static size_t other_links(struct scan *sc, const struct walk_entry *e)
{
    const struct walk *w = &sc->wk->w;
    uint64_t dev = sc->r->roots[e->root].dev;
    size_t lo = 0, hi = sc->nlinked, n = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct walk_entry *m = &w->v[sc->linked[mid]];
        uint64_t md = sc->r->roots[m->root].dev;
        if (md < dev || (md == dev && m->ino < e->ino))
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < sc->nlinked; lo++) {
        const struct walk_entry *m = &w->v[sc->linked[lo]];
        if (sc->r->roots[m->root].dev != dev || m->ino != e->ino)
            break;
        if (m == e)
            continue;
        sc->linkfiles = xgrow(sc->linkfiles, &sc->linkfiles_cap, n + 1, sizeof *sc->linkfiles);
        fill_file(sc, &sc->linkfiles[n++], m);
    }
    return n;
}

/* A file under contentstore.deleted: 'deleted' (a wipe candidate) unless its URL is still
 * referenced, or a file with no URL row under a content root: 'stray'. */
static int cmp_odd_entry(const void *a, const void *b)
{
    size_t x = ((const struct odd_target *)a)->entry, y = ((const struct odd_target *)b)->entry;
    return x < y ? -1 : x > y;
}

static void emit_disk_item_as(struct scan *sc, const struct walk_entry *e, bool referenced,
                              char *const *refs, size_t nrefs);
static int cmp_str_ptr(const void *a, const void *b);

/* The node ref of a reference, "<protocol>://<identifier>/<uuid>", as five parts. */
static void cref_parts(const struct scan *sc, const struct cref *g, char ubuf[CREF_UUID_MAX],
                       const char *parts[5])
{
    const struct rstore *st = g->store >= 0 ? &sc->r->stores[g->store] : NULL;
    parts[0] = st ? st->protocol : "?";
    parts[1] = "://";
    parts[2] = st ? st->identifier : "?";
    parts[3] = "/";
    parts[4] = crefs_uuid(sc->crefs, g, ubuf);
}

/* A file of contentstore.deleted with no URL of its own may still be named by a referenced
 * URL that is no plain path: then it is deleted_referenced, with that URL's nodes (the wipe
 * refuses it for the same reason). */
static void emit_disk_item(struct scan *sc, const struct walk_entry *e, bool referenced,
                           char *const *refs, size_t nrefs)
{
    const struct odd_target *hit = NULL;
    if (!referenced && sc->nodd && sc->r->roots[e->root].kind == RK_DELETED) {
        struct odd_target key = {(size_t)(e - sc->wk->w.v), 0};
        hit = bsearch(&key, sc->odd, sc->nodd, sizeof *sc->odd, cmp_odd_entry);
    }
    if (!hit) {
        emit_disk_item_as(sc, e, referenced, refs, nrefs);
        return;
    }
    size_t n = 0;
    const struct cref *g = crefs_of(sc->crefs, hit->url_id, &n);
    char **names = xcalloc(n ? n : 1, sizeof *names);
    for (size_t i = 0; i < n; i++) {
        char ubuf[CREF_UUID_MAX];
        const char *parts[5];
        cref_parts(sc, &g[i], ubuf, parts);
        names[i] = xasprintf("%s%s%s%s%s", parts[0], parts[1], parts[2], parts[3], parts[4]);
    }
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_str_ptr);
    emit_disk_item_as(sc, e, true, names, n);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static void emit_disk_item_as(struct scan *sc, const struct walk_entry *e, bool referenced,
                              char *const *refs, size_t nrefs)
{
    struct report *r = sc->r;
    const struct rroot *root = &r->roots[e->root];
    bool dir_link = e->type == WALK_SYMLINK && root->kind != RK_DELETED &&
                    link_to_dir(root->path, walk_path(&sc->wk->w, e));
    if (e->type == WALK_MOUNT || e->type == WALK_UNREADABLE || dir_link) {
        const char *what = e->type == WALK_MOUNT ? "is on another filesystem and was not walked"
                           : dir_link            ? "is a symbolic link and was not followed"
                                                 : "could not be read";
        r->problems = xgrow(r->problems, &r->problems_cap, r->nproblems + 1,
                            sizeof *r->problems);
        r->problems[r->nproblems++] =
            xasprintf("%s: directory '%s' %s", root->name, walk_path(&sc->wk->w, e), what);
        return;
    }
    char *url = xasprintf("%s%s", STORE_PREFIX, walk_path(&sc->wk->w, e));
    struct rfile *f = scan_file(sc, 0);
    fill_file(sc, f, e);
    struct ritem it = {0};
    it.url = url;
    it.url_len = STORE_PREFIX_LEN + e->path_len;
    it.protocol = "store";
    it.has_size = true;
    it.size = e->size;
    it.files = f;
    it.nfiles = 1;
    it.node_refs = refs;   /* deleted_referenced: the nodes that still need the content */
    it.nrefs = nrefs;
    it.has_age = true;
    it.age_ms = i64_sub_sat(r->pol.now_ms, e->mtime_ms);
    if (e->type != WALK_FILE)
        it.findings |= F_NOT_REGULAR;
    if (root->kind == RK_DELETED && e->type == WALK_FILE && e->nlink > 1) {
        /* Another name keeps the inode: overwriting this one overwrites that too. */
        it.findings |= F_HARD_LINKED;
        it.nlink = e->nlink;
        it.nlinks = other_links(sc, e);
        it.links = sc->linkfiles;
    }
    if (root->kind == RK_DELETED && e->type == WALK_FILE && !referenced &&
        !url_file_name_ok(walk_path(&sc->wk->w, e), e->path_len))
        it.findings |= F_INVALID_URL;   /* alfwipe wipe cannot check it, and refuses it */
    else if (root->kind == RK_DELETED && e->type == WALK_FILE && !referenced &&
             !url_content_file_name(walk_path(&sc->wk->w, e), e->path_len))
        it.findings |= F_NOT_CONTENT_NAME;   /* not Alfresco's: alfwipe wipe refuses it */
    it.cls = classify_file(root->kind == RK_DELETED, referenced);
    bool young = file_in_flight(it.age_ms, &r->pol);
    if (young)
        it.findings |= F_IN_FLIGHT;
    if (it.cls == CLS_DELETED)
        bucket_add(r, BS_DELETED, true, it.age_ms, e->size);
    else if (it.cls == CLS_STRAY && !young)
        r->sum.strays_past_grace++;
    count_item(r, &it);
    rw_item(sc->w, r, &it);
    free(url);
}

/* Totals held at INT64_MAX, as bytes_add holds them. */
static uint64_t add_u64(uint64_t a, uint64_t b)
{
    return (uint64_t)i64_add_sat((int64_t)(a > INT64_MAX ? INT64_MAX : a),
                                 (int64_t)(b > INT64_MAX ? INT64_MAX : b));
}

static void proto_add_n(struct report *r, const char *proto, uint64_t count, uint64_t bytes)
{
    struct rsummary *s = &r->sum;
    for (size_t i = 0; i < s->nprotos; i++) {
        if (strcmp(s->protos[i].protocol, proto) == 0) {
            s->protos[i].count += count;
            s->protos[i].bytes = add_u64(s->protos[i].bytes, bytes);
            return;
        }
    }
    s->protos = xgrow(s->protos, &s->protos_cap, s->nprotos + 1, sizeof *s->protos);
    s->protos[s->nprotos].protocol = xstrdup(proto);
    s->protos[s->nprotos].count = count;
    s->protos[s->nprotos].bytes = bytes;
    s->nprotos++;
}

static void proto_add(struct report *r, const char *proto, int64_t size)
{
    proto_add_n(r, proto, 1, (uint64_t)(size > 0 ? size : 0));
}

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* True when rel lies below a content-root directory the walk did not enter (all listed before
 * the merge starts). */
static bool under_skipped(const struct scan *sc, const char *rel, size_t len)
{
    for (size_t i = 0; i < sc->nskipped; i++) {
        const struct skipped_dir *d = &sc->skipped[i];
        if (len > d->len && rel[d->len] == '/' && memcmp(rel, d->path, d->len) == 0)
            return true;
    }
    return false;
}

/* A URL with no file may name a directory (the walk lists what is inside a directory, not the
 * directory itself): looked up in each content root without following any link, each one found
 * is a file of the item, of type WALK_DIR, with F_NOT_REGULAR. Returns the new file count. */
static size_t dirs_at_path(struct scan *sc, const char *rel, size_t nfiles, unsigned *findings)
{
    const struct report *r = sc->r;
    for (size_t i = 0; i < r->nroots; i++) {
        const struct rroot *root = &r->roots[i];
        struct stat st;
        if (root->kind == RK_DELETED || root->missing ||
            !path_lstat_under(root->path, rel, &st) || !S_ISDIR(st.st_mode))
            continue;
        struct rfile *f = scan_file(sc, nfiles++);
        f->root = root;
        f->path = rel;
        f->path_len = strlen(rel);
        f->size = (int64_t)st.st_size;
        f->mtime_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
        f->type = WALK_DIR;
        *findings |= F_NOT_REGULAR;
    }
    return nfiles;
}

/* Finish the accumulated URL: meet its files, classify, account, emit. */
static void finish_url(struct scan *sc)
{
    struct report *r = sc->r;
    const char *url = sc->url;
    size_t ulen = sc->url_len;
    struct walk *w = &sc->wk->w;

    /* Files whose derived URL sorts before this one have no row. */
    while (sc->wc < w->n &&
           report_cmp_path_url(walk_path(w, &w->v[sc->wc]), w->v[sc->wc].path_len, url, ulen) < 0) {
        emit_disk_item(sc, &w->v[sc->wc], false, NULL, 0);
        sc->wc++;
    }
    size_t first = sc->wc;
    while (sc->wc < w->n &&
           report_cmp_path_url(walk_path(w, &w->v[sc->wc]), w->v[sc->wc].path_len, url, ulen) == 0)
        sc->wc++;
    size_t last = sc->wc;

    char proto[64];
    size_t rel_off = 0;
    bool has_proto = url_split(url, ulen, proto, sizeof proto, &rel_off) == 0;
    if (!has_proto)
        strcpy(proto, "");
    struct url_facts f = {0};
    f.is_store = has_proto && strcmp(proto, "store") == 0;
    f.orphan_set = sc->orphan_set;
    f.orphan_time = sc->orphan_time;
    f.has_dangling = sc->dangling;

    /* References: store kinds, trashcan items, distinct nodes. */
    size_t nitems = 0;
    bool outside = sc->dangling;   /* something a purge would not delete references it */
    size_t nodes = 0;
    int64_t last_node = INT64_MIN;
    size_t nrefs_out = 0;
    size_t ntrash_out = 0;
    for (size_t i = 0; i < sc->nrefs; i++) {
        const struct cref *g = &sc->refs[i];
        if (g->node_id != last_node) {
            nodes++;
            last_node = g->node_id;
        }
        enum store_kind kind = g->store >= 0 ? r->stores[g->store].kind : SK_LIVE;
        int item = -1;
        if (kind == SK_LIVE)
            f.has_live = true;
        else if (kind == SK_VERSION) {
            f.has_version = true;
            item = vowner_item(sc->vo, g->node_id);
        } else {
            f.has_archive = true;
            item = anode_item(r, sc->an, g->node_id);
        }
        if (item < 0) {
            outside = true;
        } else {
            bool seen = false;
            for (size_t k = 0; k < nitems; k++)
                seen = seen || sc->items[k] == item;
            if (!seen) {
                sc->items = xgrow(sc->items, &sc->items_cap, nitems + 1, sizeof *sc->items);
                sc->items[nitems++] = item;
            }
        }
        /* "<protocol>://<identifier>/<uuid>", built in one buffer reused for every URL. */
        char ubuf[CREF_UUID_MAX];
        const char *parts[5];
        cref_parts(sc, g, ubuf, parts);
        sc->refoff = xgrow(sc->refoff, &sc->refoff_cap, nrefs_out + 1, sizeof *sc->refoff);
        sc->refoff[nrefs_out++] = sc->reflen;
        for (size_t k = 0; k < 5; k++) {
            size_t n = strlen(parts[k]) + (k == 4);  /* the last one with its NUL */
            sc->refbuf = xgrow(sc->refbuf, &sc->refbuf_cap, sc->reflen + n, 1);
            memcpy(sc->refbuf + sc->reflen, parts[k], n);
            sc->reflen += n;
        }
    }
    sc->noderefs = xgrow(sc->noderefs, &sc->noderefs_cap, nrefs_out, sizeof *sc->noderefs);
    for (size_t i = 0; i < nrefs_out; i++)
        sc->noderefs[i] = sc->refbuf + sc->refoff[i];
    sc->reflen = 0;
    bool referenced = sc->nrefs > 0 || sc->dangling;

    struct ritem it = {0};
    it.url = url;
    it.url_len = ulen;
    it.protocol = has_proto ? proto : "";
    it.has_size = true;
    it.size = sc->size;
    it.encrypted = sc->encrypted;
    it.has_orphan_time = sc->orphan_set;
    it.orphan_time = sc->orphan_time;
    it.cls = classify_url(&f, &r->pol);
    if (sc->dangling && sc->nrefs == 0)
        it.findings |= F_DANGLING_DATA;
    if (referenced && sc->orphan_set)
        it.findings |= F_STALE_ORPHAN_MARK;
    if (nodes > 1)
        it.findings |= F_SHARED;

    /* Files: content roots belong to this item; contentstore.deleted files are items of
     * their own. */
    size_t nfiles = 0;
    bool present = false;
    for (size_t i = first; i < last; i++) {
        const struct walk_entry *e = &w->v[i];
        const struct rroot *root = &r->roots[e->root];
        if (root->kind == RK_DELETED)
            continue;
        if (e->type == WALK_MOUNT || e->type == WALK_UNREADABLE) {
            emit_disk_item(sc, e, referenced, NULL, 0);
            continue;
        }
        fill_file(sc, scan_file(sc, nfiles), e);
        nfiles++;
        r->roots[e->root].matched++;
        if (e->type != WALK_FILE) {
            it.findings |= F_NOT_REGULAR;
            continue;
        }
        present = true;
        bool size_checked = !sc->encrypted && !(sc->orphan_set && sc->orphan_time <= 0);
        if (size_checked && e->size != sc->size && !it.has_disk_size) {
            it.findings |= F_SIZE_MISMATCH;
            it.has_disk_size = true;
            it.disk_size = e->size;
        }
    }
    if (f.is_store) {
        if (!url_store_relpath_ok(url + rel_off, ulen - rel_off))
            it.findings |= F_INVALID_URL;
        else if (!present && under_skipped(sc, url + rel_off, ulen - rel_off))
            it.findings |= F_NOT_WALKED;
        else if (!present && !(it.findings & F_NOT_REGULAR))
            nfiles = dirs_at_path(sc, url + rel_off, nfiles, &it.findings);
        if (!present && !(it.findings & (F_INVALID_URL | F_NOT_WALKED | F_NOT_REGULAR)))
            it.findings |= F_MISSING_FILE;
    }
    it.files = sc->files;
    it.nfiles = nfiles;
    bool needed = it.cls == CLS_LIVE || it.cls == CLS_VERSION || it.cls == CLS_TRASHCAN;
    if ((it.findings & F_MISSING_FILE) && needed)
        r->sum.critical_missing++;
    else if ((it.findings & F_NOT_REGULAR) && !present && needed)
        r->sum.critical_not_regular++;

    /* Trashcan items: bytes, what a purge would free, expiry findings, age. */
    int64_t oldest = INT64_MAX;
    for (size_t k = 0; k < nitems; k++) {
        struct trash_item *t = &r->trash[sc->items[k]];
        t->urls++;
        bytes_add(&t->bytes, sc->size);
        if (nitems == 1 && !outside)
            bytes_add(&t->reclaimable, sc->size);
        it.findings |= t->findings & (F_TRASHCAN_EXPIRED | F_NO_ARCHIVED_DATE);
        if (t->has_date && t->archived_ms < oldest)
            oldest = t->archived_ms;
        sc->trashrefs =
            xgrow(sc->trashrefs, &sc->trashrefs_cap, ntrash_out + 1, sizeof *sc->trashrefs);
        sc->trashrefs[ntrash_out++] = t->uuid;
    }
    it.trash_uuids = sc->trashrefs;
    it.ntrash = ntrash_out;

    /* Per-store totals count each URL once per store. */
    for (size_t i = 0; i < sc->nrefs; i++) {
        int s = sc->refs[i].store;
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++)
            dup = sc->refs[j].store == s;
        if (s >= 0 && !dup) {
            r->stores[s].urls++;
            bytes_add(&r->stores[s].bytes, sc->size);
        }
    }

    /* Ages. */
    switch (it.cls) {
    case CLS_TRASHCAN:
        if (oldest != INT64_MAX) {
            it.has_age = true;
            it.age_ms = i64_sub_sat(r->pol.now_ms, oldest);
        }
        break;
    case CLS_ORPHAN_PROTECTED:
    case CLS_ORPHAN_ELIGIBLE:
    case CLS_ORPHAN_OVERDUE:
        it.has_age = true;
        it.age_ms = i64_sub_sat(r->pol.now_ms, sc->orphan_time);
        it.has_eligible = true;
        it.eligible_after = orphan_eligible_after(sc->orphan_time, &r->pol);
        if (it.cls == CLS_ORPHAN_PROTECTED &&
            (!r->sum.has_oldest_protected ||
             it.eligible_after < r->sum.oldest_protected_eligible)) {
            r->sum.has_oldest_protected = true;
            r->sum.oldest_protected_eligible = it.eligible_after;
        }
        bucket_add(r, BS_ORPHANS, true, it.age_ms, sc->size);
        break;
    case CLS_ORPHAN_KEPT:
    case CLS_UNREFERENCED:
        bucket_add(r, BS_ORPHANS, false, 0, sc->size);
        break;
    default:
        break;
    }
    if (it.cls == CLS_NON_FILE)
        proto_add(r, it.protocol[0] ? it.protocol : "(none)", sc->size);

    if (nrefs_out > 1)   /* sc->noderefs is NULL until a URL has references */
        qsort(sc->noderefs, nrefs_out, sizeof *sc->noderefs, cmp_str_ptr);
    it.node_refs = sc->noderefs;
    it.nrefs = nrefs_out;
    count_item(r, &it);
    rw_item(sc->w, r, &it);

    for (size_t i = first; i < last; i++) {
        const struct walk_entry *e = &w->v[i];
        if (r->roots[e->root].kind == RK_DELETED)
            emit_disk_item(sc, e, referenced, it.node_refs, it.nrefs);
    }
    sc->nrefs = 0;
}

/* contentstore is empty (R16): true when an extra root holds a file whose path a URL row
 * names, so the database's content is visible after all. */
static bool extra_holds_urls(const struct scan *sc, const struct uindex *u)
{
    const struct walk *w = &sc->wk->w;
    for (size_t i = 0; i < w->n;) {
        size_t j = i + 1;
        while (j < w->n && w->v[j].path_len == w->v[i].path_len &&
               memcmp(walk_path(w, &w->v[j]), walk_path(w, &w->v[i]), w->v[i].path_len) == 0)
            j++;
        for (size_t k = i; k < j && uindex_has_row(u, i); k++)
            if (w->v[k].type == WALK_FILE && sc->r->roots[w->v[k].root].kind == RK_EXTRA)
                return true;
        i = j;
    }
    return false;
}

/* Wait for the trashcan trees and the disk walk, match the URL rows to the walk, then start
 * the writer: a failed walk, or an empty contentstore whose content no extra root holds,
 * prints nothing at all. */
static int walk_ready(struct scan *sc, struct uindex *u, struct err *err)
{
    if (sc->walk_ready)
        return 0;
    if (prep_join(sc->prep, err) != 0 || walker_join(sc->wk, err) != 0)
        return -1;
    uindex_match(u, &sc->wk->w);
    if (sc->r->cs_empty_urls > 0 && !extra_holds_urls(sc, u))
        return report_unmounted_error(err, sc->r->roots[0].path, sc->r->cs_empty_urls, true,
                                      NULL);
    if (rw_begin(sc->w, sc->r, sc->fp, err) != 0)
        return -1;
    index_links(sc);
    sc->walk_ready = true;
    return 0;
}

/* The URL rows' wait for the walk (struct uindex): the complete, sorted walk. */
static const struct walk *urls_wait(void *arg, struct err *err)
{
    struct walker *wk = arg;
    return walker_join(wk, err) == 0 ? &wk->w : NULL;
}

/* Make row the URL being finished, with its references from the joined pairs. */
static void set_url(struct scan *sc, const struct urow *row, const char *url, size_t len)
{
    sc->url = xgrow(sc->url, &sc->url_cap, len + 1, 1);
    memcpy(sc->url, url, len);
    sc->url[len] = '\0';
    sc->url_len = len;
    sc->size = row->size;
    sc->orphan_set = row->orphan_time != UROW_NO_ORPHAN;
    sc->orphan_time = sc->orphan_set ? row->orphan_time : 0;
    sc->encrypted = crefs_encrypted(sc->crefs, row->id);
    size_t n;
    const struct cref *refs = crefs_of(sc->crefs, row->id, &n);
    sc->dangling = false;
    while (n > 0 && refs->node_id == CREF_DANGLING) {
        sc->dangling = true;
        refs++;
        n--;
    }
    sc->refs = refs;
    sc->nrefs = n;
}

/* ------------------------------------------------------------------ the merge, in segments */

/* The merge is cut into segments: consecutive URLs with the walk entries among them, in byte
 * order. Up to MERGE_THREADS threads take them in order, each with its own counters (a copy of
 * what the merge adds to in struct report) and the segment's output in memory; the finished
 * segments are written in order, and none is started MERGE_WINDOW ahead of the writing. The
 * output and the totals are those of one pass. */
#define SEG_ROWS 2048
#define SEG_ENTRIES 2048
#define MERGE_THREADS 2
#define MERGE_WINDOW 4

/* Rows and walk entries per segment: SEG_ROWS, or $ALFWIPE_MERGE_SEGMENT (a number from 1), so
 * that tests can cut small inputs at every kind of boundary. */
static size_t seg_size(void)
{
    const char *v = getenv("ALFWIPE_MERGE_SEGMENT");
    char *end;
    unsigned long n = v ? strtoul(v, &end, 10) : 0;
    return v && *v && !*end && n >= 1 && n <= SEG_ROWS ? (size_t)n : SEG_ROWS;
}

struct mseg {
    struct upos start;        /* the first URL's position */
    size_t nrows;             /* URL rows */
    size_t wstart, wend;      /* walk entries */
    /* the result, until written */
    char *buf;
    size_t len, nitems;
    struct proto_total *protos;
    size_t nprotos;
    char **problems;
    size_t nproblems;
    int error;
    bool done;
};

struct mrun {
    const struct uindex *u;
    struct report *r;
    struct rwriter *w;        /* the real output */
    struct mseg *seg;
    size_t nseg, seg_cap;
    pthread_mutex_t mu;       /* guards what follows */
    pthread_cond_t cv;
    size_t next_take, next_write;
    bool writing;
};

struct mworker {
    struct mrun *m;
    struct report sh;         /* the counters of this thread's segments */
    struct scan sc;
    struct rwriter w;
    struct ucursor cur;
    pthread_t th;
};

static struct mseg *seg_add(struct mrun *m, struct upos start, size_t wstart)
{
    if (m->nseg > 0)
        m->seg[m->nseg - 1].wend = wstart;
    m->seg = xgrow(m->seg, &m->seg_cap, m->nseg + 1, sizeof *m->seg);
    struct mseg *g = &m->seg[m->nseg++];
    memset(g, 0, sizeof *g);
    g->start = start;
    g->wstart = wstart;
    return g;
}

/* The first walk entry whose URL does not sort before url. */
static size_t walk_lower_bound(const struct walk *w, const char *url, size_t len)
{
    size_t lo = 0, hi = w->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (report_cmp_path_url(walk_path(w, &w->v[mid]), w->v[mid].path_len, url, len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Cut between two URLs, at any walk entry from the one after the earlier URL's files to the
 * later URL's first: finish_url emits the entries before its URL, and a segment's end the
 * ones left before the next segment's start. Long runs of entries without a URL are cut too. */
static void plan_segments(struct mrun *m, const struct walk *w)
{
    struct upos zero = {0, 0, 0};
    struct ucursor c;
    ucursor_init(&c, zero);
    struct mseg *g = seg_add(m, zero, 0);
    const size_t rows_max = seg_size(), entries_max = rows_max;
    size_t pos = 0;   /* the first walk entry after the files of the URLs so far */
    for (;;) {
        struct upos before = c.at;
        size_t nrows = 0, entry = 0, len = 0;
        bool walked = false;
        const char *url = NULL;
        bool more = uindex_skip(m->u, &c, &nrows, &walked, &entry, &url, &len);
        size_t lb = !more ? w->n : walked ? entry : walk_lower_bound(w, url, len);
        while (lb - g->wstart > entries_max) {
            size_t at = g->wstart + entries_max > pos ? g->wstart + entries_max : pos;
            if (at >= lb)
                break;
            g = seg_add(m, before, at);
        }
        if (!more)
            break;
        if (g->nrows >= rows_max || (pos > g->wstart && pos - g->wstart >= entries_max))
            g = seg_add(m, before, pos > g->wstart ? pos : g->wstart);
        g->nrows += nrows;
        pos = lb;
        if (walked) {
            const struct walk_entry *e = &w->v[entry];
            for (pos = entry + 1; pos < w->n && w->v[pos].path_len == e->path_len &&
                                  memcmp(walk_path(w, &w->v[pos]), walk_path(w, e),
                                         e->path_len) == 0;
                 pos++)
                ;
        }
    }
    g->wend = w->n;
    ucursor_release(&c);
}

/* The directories of content roots the walk did not enter, in walk order. */
static struct skipped_dir *list_skipped(const struct report *r, const struct walk *w,
                                        size_t *n)
{
    struct skipped_dir *v = NULL;
    size_t cap = 0;
    *n = 0;
    for (size_t i = 0; i < w->n; i++) {
        const struct walk_entry *e = &w->v[i];
        const struct rroot *root = &r->roots[e->root];
        if (root->kind == RK_DELETED)
            continue;
        if (e->type == WALK_MOUNT || e->type == WALK_UNREADABLE ||
            (e->type == WALK_SYMLINK && link_to_dir(root->path, walk_path(w, e)))) {
            v = xgrow(v, &cap, *n + 1, sizeof *v);
            v[(*n)++] = (struct skipped_dir){walk_path(w, e), e->path_len};
        }
    }
    return v;
}

static void *dup_array(const void *p, size_t n, size_t size)
{
    void *q = xmalloc(n ? n * size : 1);
    if (n)
        memcpy(q, p, n * size);
    return q;
}

/* A copy of r whose counters start at zero; strings and everything else shared. */
static void shadow_init(struct report *sh, const struct report *r)
{
    *sh = *r;
    memset(&sh->sum, 0, sizeof sh->sum);
    memset(&sh->status, 0, sizeof sh->status);
    sh->problems = NULL;
    sh->nproblems = sh->problems_cap = 0;
    sh->stores = dup_array(r->stores, r->nstores, sizeof *r->stores);
    for (size_t i = 0; i < r->nstores; i++)
        sh->stores[i].urls = sh->stores[i].bytes = 0;
    sh->roots = dup_array(r->roots, r->nroots, sizeof *r->roots);
    for (size_t i = 0; i < r->nroots; i++)
        sh->roots[i].matched = 0;
    sh->trash = dup_array(r->trash, r->ntrash, sizeof *r->trash);
    for (size_t i = 0; i < r->ntrash; i++)
        sh->trash[i].urls = sh->trash[i].bytes = sh->trash[i].reclaimable = 0;
}

static void add_total(struct class_total *to, const struct class_total *t)
{
    to->count = add_u64(to->count, t->count);
    to->bytes = add_u64(to->bytes, t->bytes);
}

/* The counters of sh added to r's. */
static void shadow_merge(struct report *r, const struct report *sh)
{
    struct rsummary *s = &r->sum;
    const struct rsummary *x = &sh->sum;
    for (size_t c = 0; c < CLS_COUNT; c++)
        add_total(&s->cls[c], &x->cls[c]);
    for (size_t b = 0; b < F_COUNT_BITS; b++)
        s->findings[b] = add_u64(s->findings[b], x->findings[b]);
    for (size_t k = 0; k < BS_COUNT; k++)
        for (size_t a = 0; a < AGE_NBUCKETS; a++)
            add_total(&s->buckets[k][a], &x->buckets[k][a]);
    s->critical_missing = add_u64(s->critical_missing, x->critical_missing);
    s->critical_not_regular = add_u64(s->critical_not_regular, x->critical_not_regular);
    s->strays_past_grace = add_u64(s->strays_past_grace, x->strays_past_grace);
    if (x->has_oldest_protected &&
        (!s->has_oldest_protected || x->oldest_protected_eligible < s->oldest_protected_eligible)) {
        s->has_oldest_protected = true;
        s->oldest_protected_eligible = x->oldest_protected_eligible;
    }
    for (size_t i = 0; i < r->nstores; i++) {
        r->stores[i].urls = add_u64(r->stores[i].urls, sh->stores[i].urls);
        r->stores[i].bytes = add_u64(r->stores[i].bytes, sh->stores[i].bytes);
    }
    for (size_t i = 0; i < r->nroots; i++)
        r->roots[i].matched = add_u64(r->roots[i].matched, sh->roots[i].matched);
    for (size_t i = 0; i < r->ntrash; i++) {
        struct trash_item *t = &r->trash[i];
        const struct trash_item *y = &sh->trash[i];
        t->urls = add_u64(t->urls, y->urls);
        t->bytes = add_u64(t->bytes, y->bytes);
        t->reclaimable = add_u64(t->reclaimable, y->reclaimable);
    }
}

static void shadow_release(struct report *sh)
{
    free(sh->stores);
    free(sh->roots);
    free(sh->trash);
    free(sh->sum.protos);
    free(sh->problems);
}

/* Merge one segment into its own output and counters. */
static void run_segment(struct mworker *k, struct mseg *g)
{
    struct scan *sc = &k->sc;
    const struct walk *w = &sc->wk->w;
    FILE *mem = xopen_memstream(&g->buf, &g->len);
    k->w.fp = k->w.text_items = mem;
    k->w.error = 0;
    /* JSON: every item of a segment comes after a separator; the very first loses it when
     * written. */
    size_t n0 = k->w.nitems = k->w.fmt == OUT_JSON ? 1 : 0;
    k->sh.sum.protos = NULL;
    k->sh.sum.nprotos = k->sh.sum.protos_cap = 0;
    k->sh.problems = NULL;
    k->sh.nproblems = k->sh.problems_cap = 0;
    k->cur.at = g->start;
    k->cur.gpos = k->cur.ngroup = 0;
    sc->wc = g->wstart;
    const struct urow *row;
    const char *url;
    size_t len;
    for (size_t i = 0; i < g->nrows && uindex_next(k->m->u, &k->cur, &row, &url, &len); i++) {
        set_url(sc, row, url, len);
        finish_url(sc);
    }
    for (; sc->wc < g->wend; sc->wc++)
        emit_disk_item(sc, &w->v[sc->wc], false, NULL, 0);
    if (fclose(mem) != 0 && !k->w.error)
        k->w.error = errno ? errno : ENOMEM;
    k->w.fp = k->w.text_items = NULL;
    g->error = k->w.error;
    g->nitems = k->w.nitems - n0;
    g->protos = k->sh.sum.protos;
    g->nprotos = k->sh.sum.nprotos;
    g->problems = k->sh.problems;
    g->nproblems = k->sh.nproblems;
    k->sh.sum.protos = NULL;
    k->sh.problems = NULL;
}

/* A segment's output, protocols and problems after those of the segments before it. */
static void write_segment(struct mrun *m, struct mseg *g)
{
    struct rwriter *w = m->w;
    struct report *r = m->r;
    FILE *to = w->fmt == OUT_TEXT ? w->text_items : w->fp;
    size_t skip = w->fmt == OUT_JSON && w->nitems == 0 && g->nitems > 0 ? 2 : 0;
    if (g->len > skip && fwrite(g->buf + skip, 1, g->len - skip, to) != g->len - skip &&
        !w->error)
        w->error = errno ? errno : EIO;
    if (g->error && !w->error)
        w->error = g->error;
    w->nitems += g->nitems;
    free(g->buf);
    g->buf = NULL;
    for (size_t i = 0; i < g->nprotos; i++) {
        proto_add_n(r, g->protos[i].protocol, g->protos[i].count, g->protos[i].bytes);
        free(g->protos[i].protocol);
    }
    free(g->protos);
    g->protos = NULL;
    r->problems = xgrow(r->problems, &r->problems_cap, r->nproblems + g->nproblems,
                        sizeof *r->problems);
    for (size_t i = 0; i < g->nproblems; i++)
        r->problems[r->nproblems++] = g->problems[i];
    free(g->problems);
    g->problems = NULL;
}

static void *merge_main(void *arg)
{
    struct mworker *k = arg;
    struct mrun *m = k->m;
    pthread_mutex_lock(&m->mu);
    for (;;) {
        while (m->next_take < m->nseg && m->next_take >= m->next_write + MERGE_WINDOW)
            pthread_cond_wait(&m->cv, &m->mu);
        if (m->next_take >= m->nseg)
            break;
        struct mseg *g = &m->seg[m->next_take++];
        pthread_mutex_unlock(&m->mu);
        run_segment(k, g);
        pthread_mutex_lock(&m->mu);
        g->done = true;
        /* Whoever finds the next segment to write finished writes it, one writer at a time. */
        while (!m->writing && m->next_write < m->nseg && m->seg[m->next_write].done) {
            m->writing = true;
            struct mseg *x = &m->seg[m->next_write];
            pthread_mutex_unlock(&m->mu);
            write_segment(m, x);
            pthread_mutex_lock(&m->mu);
            m->next_write++;
            m->writing = false;
            pthread_cond_broadcast(&m->cv);
        }
    }
    pthread_mutex_unlock(&m->mu);
    return NULL;
}

static void worker_init(struct mworker *k, struct mrun *m, const struct scan *sc,
                        const struct skipped_dir *skipped, size_t nskipped)
{
    memset(k, 0, sizeof *k);
    k->m = m;
    shadow_init(&k->sh, m->r);
    k->sc.r = &k->sh;
    k->sc.w = &k->w;
    k->sc.wk = sc->wk;
    k->sc.prep = sc->prep;
    k->sc.an = sc->an;
    k->sc.vo = sc->vo;
    k->sc.fp = sc->fp;
    k->sc.walk_ready = true;
    k->sc.crefs = sc->crefs;
    k->sc.skipped = skipped;
    k->sc.nskipped = nskipped;
    k->sc.linked = sc->linked;   /* shared: the main scan frees it */
    k->sc.nlinked = sc->nlinked;
    k->sc.odd = sc->odd;         /* the same */
    k->sc.nodd = sc->nodd;
    k->w.fmt = m->w->fmt;
    k->w.all_items = m->w->all_items;
    k->w.dest = m->w->dest;
    struct upos zero = {0, 0, 0};
    ucursor_init(&k->cur, zero);
}

static void scan_release(struct scan *sc);

static void worker_release(struct mworker *k)
{
    k->sc.linked = NULL;
    k->sc.odd = NULL;
    shadow_release(&k->sh);
    scan_release(&k->sc);
    rw_release(&k->w);
    ucursor_release(&k->cur);
}

static void odd_add(struct scan *sc, const char *rel, size_t len, int64_t url_id)
{
    const struct walk *w = &sc->wk->w;
    char *url = xasprintf("%s%.*s", STORE_PREFIX, (int)len, rel);
    size_t at = walk_lower_bound(w, url, STORE_PREFIX_LEN + len);
    free(url);
    for (size_t i = at;
         i < w->n && w->v[i].path_len == len && memcmp(walk_path(w, &w->v[i]), rel, len) == 0;
         i++) {
        if (sc->r->roots[w->v[i].root].kind != RK_DELETED)
            continue;
        sc->odd = xrealloc(sc->odd, (sc->nodd + 1) * sizeof *sc->odd);
        sc->odd[sc->nodd++] = (struct odd_target){i, url_id};
    }
}

/* An absolute path a referenced URL reaches (directory resolved): the file of a deleted root
 * it is, if any (dreal: each deleted root resolved, NULL for the others). */
static void odd_in_deleted(struct scan *sc, const char *abs, int64_t url_id, char *const *dreal)
{
    for (size_t k = 0; k < sc->r->nroots; k++) {
        const char *d = dreal[k];
        size_t dl = d ? strlen(d) : 0;
        if (d && strncmp(abs, d, dl) == 0 && abs[dl] == '/')
            odd_add(sc, abs + dl + 1, strlen(abs + dl + 1), url_id);
    }
}

/* The files of contentstore.deleted named by referenced URLs that are no plain path: such a
 * URL matches no walked path (it is among the loose ones), yet Alfresco opens it through
 * java.io.File as a path that may be a file in contentstore.deleted (store://a//b.bin as
 * a/b.bin; store://../contentstore.deleted/b.bin, which passes Alfresco's check of normalised
 * text, as that very file), from contentstore or an extra root, as the text reads and as the
 * kernel opens it (store://a/lnk/../x.bin goes where the link lnk points, then up). */
static void map_odd_urls(struct scan *sc, const struct uindex *u)
{
    const struct report *r = sc->r;
    char **dreal = xcalloc(r->nroots + 1, sizeof *dreal);   /* deleted roots, resolved */
    for (size_t k = 0; k < r->nroots; k++) {
        char real[PATH_MAX];
        if (r->roots[k].kind == RK_DELETED && realpath(r->roots[k].path, real))
            dreal[k] = xstrdup(real);
    }
    for (size_t i = 0; i < u->nloose; i++) {
        const char *url = u->strs.buf + u->loose[i].off;
        size_t len = u->loose[i].len;
        if (len <= STORE_PREFIX_LEN || memcmp(url, STORE_PREFIX, STORE_PREFIX_LEN) != 0 ||
            url_store_relpath_ok(url + STORE_PREFIX_LEN, len - STORE_PREFIX_LEN))
            continue;
        int64_t id = u->rows[u->loose[i].row].id;
        size_t nrefs = 0;
        crefs_of(sc->crefs, id, &nrefs);
        if (nrefs == 0)
            continue;
        char *rel = url_resolved_path(url);
        if (rel) {
            odd_add(sc, rel, strlen(rel), id);
            free(rel);
        }
        /* from every live store (contentstore, the extra roots) */
        for (size_t b = 0; b < r->nroots; b++) {
            char *paths[URL_REACH_MAX];
            size_t np = r->roots[b].kind == RK_DELETED
                ? 0 : url_reach_paths(r->roots[b].path, url, paths);
            for (size_t k = 0; k < np; k++) {
                odd_in_deleted(sc, paths[k], id, dreal);
                free(paths[k]);
            }
        }
    }
    for (size_t k = 0; k < r->nroots; k++)
        free(dreal[k]);
    free(dreal);
    if (sc->nodd > 1)
        qsort(sc->odd, sc->nodd, sizeof *sc->odd, cmp_odd_entry);
}

/* Once the walk is complete: the URL rows (u), matched to its paths, then every item in byte
 * order. */
static int stream_urls(struct scan *sc, struct uindex *u, struct err *err)
{
    if (walk_ready(sc, u, err) != 0)
        return -1;
    double t0 = time_mono_s();
    const struct walk *w = &sc->wk->w;
    /* What the threads only read from now on: every archive node's trashcan item resolved,
     * the directories not walked listed. */
    for (size_t i = 0; i < sc->an->t.n; i++)
        tree_item(&sc->an->t, i, trash_top, sc->r);
    size_t nskipped;
    struct skipped_dir *skipped = list_skipped(sc->r, w, &nskipped);
    map_odd_urls(sc, u);

    struct mrun m = {.u = u, .r = sc->r, .w = sc->w};
    plan_segments(&m, w);
    pthread_mutex_init(&m.mu, NULL);
    pthread_cond_init(&m.cv, NULL);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    size_t nk = m.nseg > 1 && ncpu > 1 ? MERGE_THREADS : 1;
    struct mworker k[MERGE_THREADS];
    for (size_t i = 0; i < nk; i++)
        worker_init(&k[i], &m, sc, skipped, nskipped);
    size_t started = 1;
    while (started < nk && pthread_create(&k[started].th, NULL, merge_main, &k[started]) == 0)
        started++;
    merge_main(&k[0]);
    for (size_t i = 1; i < started; i++)
        pthread_join(k[i].th, NULL);
    for (size_t i = 0; i < nk; i++) {
        shadow_merge(sc->r, &k[i].sh);
        worker_release(&k[i]);
    }
    pthread_cond_destroy(&m.cv);
    pthread_mutex_destroy(&m.mu);
    free(m.seg);
    free(skipped);
    debug_msg("merge: %zu URLs and %zu walk entries written in %.3f s, %zu segments on %zu "
              "thread%s", u->n, w->n, time_mono_s() - t0, m.nseg, started,
              started == 1 ? "" : "s");
    return 0;
}

static void scan_release(struct scan *sc)
{
    free(sc->url);
    free(sc->files);
    free(sc->noderefs);
    free(sc->refbuf);
    free(sc->refoff);
    free(sc->trashrefs);
    free(sc->items);
    free(sc->linked);
    free(sc->linkfiles);
    free(sc->odd);
}

/* ------------------------------------------------------------------ roots */

static void add_root(struct report *r, const char *name, const char *path, const char *source,
                     enum root_kind kind, bool missing_ok)
{
    r->roots = xrealloc(r->roots, (r->nroots + 1) * sizeof *r->roots);
    struct rroot *x = &r->roots[r->nroots++];
    memset(x, 0, sizeof *x);
    x->name = xstrdup(name);
    x->path = xstrdup(path);
    x->source = xstrdup(source);
    x->kind = kind;
    x->missing_ok = missing_ok;
}

static const char *origin_of(const struct conf_str *s)
{
    return s->origin ? s->origin : conf_source_name(s->src);
}

static bool same_dir(const char *a, const char *b)
{
    struct stat sa, sb;
    return strcmp(a, b) == 0 || (stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
                                 sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino);
}

/* Roots that are the same directory, or one inside another (also through symlinks or '..'),
 * would count their files twice and could class live content as contentstore.deleted's. */
static int check_overlaps(const struct report *r, struct err *err)
{
    char (*real)[PATH_MAX] = xcalloc(r->nroots ? r->nroots : 1, sizeof *real);
    int ret = 0;
    for (size_t i = 0; i < r->nroots && ret == 0; i++) {
        if (r->roots[i].missing)
            continue;
        if (!realpath(r->roots[i].path, real[i])) {
            ret = err_sys(err, ERR_CONFIG, errno, "content root '%s' ('%s') cannot be resolved",
                          r->roots[i].name, r->roots[i].path);
            break;
        }
        for (size_t j = 0; j < i && ret == 0; j++) {
            if (r->roots[j].missing || !dirs_overlap(real[i], real[j]))
                continue;
            err_set(err, ERR_CONFIG, "content roots '%s' ('%s') and '%s' ('%s') overlap%s",
                    r->roots[j].name, real[j], r->roots[i].name, real[i],
                    same_dir(real[i], real[j]) ? ": they are the same directory" : "");
            ret = err_hint(err, "Give each content root its own directory, none inside another "
                                "(Alfresco keeps contentstore and contentstore.deleted side by "
                                "side under dir.root).");
        }
    }
    free(real);
    return ret;
}

/* Check that every root can be opened before anything else runs. */
static int open_roots(struct report *r, struct err *err)
{
    const struct conf_alfresco *a = &r->conf->alfresco;
    if (!a->contentstore.val) {
        err_set(err, ERR_CONFIG, "no content store configured");
        return err_hint(err, "Set alfresco.contentstore (or alfresco.dir_root) in alfwipe.conf, "
                             "or alfresco.global_properties to read dir.root from Alfresco.");
    }
    add_root(r, "contentstore", a->contentstore.val, origin_of(&a->contentstore), RK_CONTENT,
             false);
    for (size_t i = 0; i < a->n_extra_roots; i++) {
        char name[48];
        snprintf(name, sizeof name, "extra_roots[%zu]", i);
        add_root(r, name, a->extra_roots[i], "alfwipe.conf", RK_EXTRA, false);
    }
    if (a->contentstore_deleted.val)
        add_root(r, "contentstore_deleted", a->contentstore_deleted.val,
                 origin_of(&a->contentstore_deleted), RK_DELETED,
                 r->conf->policy.eager_orphan_cleanup.val);
    for (size_t i = 0; i < r->nroots; i++) {
        struct rroot *x = &r->roots[i];
        if (x->path[0] != '/')
            return conf_root_relative(err, x->name, x->path, x->source);
        int fd = open(x->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) {
            struct stat st;
            if (fstat(fd, &st) == 0)
                x->dev = (uint64_t)st.st_dev;
            close(fd);
            continue;
        }
        int e = errno;
        if (e == ENOENT && x->missing_ok) {
            x->missing = true;
            continue;
        }
        return conf_root_unusable(err, e, x->name, x->path, x->source, NULL);
    }
    return check_overlaps(r, err);
}

/* True when a regular file exists anywhere below path (stops at the first one found, so a
 * populated store answers at once). Symlinks are not followed. */
static bool root_has_file(const char *path)
{
    /* Depth-first probe without collecting the whole tree. */
    char *stack[64];
    size_t depth = 0;
    bool found = false;
    stack[depth++] = xstrdup(path);
    while (depth && !found) {
        char *dir = stack[--depth];
        DIR *d = opendir(dir);
        if (d) {
            struct dirent *de;
            while (!found && (de = readdir(d)) != NULL) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                    continue;
                struct stat st;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
                    continue;
                if (S_ISREG(st.st_mode))
                    found = true;
                else if (S_ISDIR(st.st_mode) && depth < sizeof stack / sizeof stack[0])
                    stack[depth++] = xasprintf("%s/%s", dir, de->d_name);
            }
            closedir(d);
        }
        free(dir);
    }
    while (depth)
        free(stack[--depth]);
    return found;
}

int report_store_unmounted(struct db *db, const char *contentstore, long long *nurls,
                           struct err *err)
{
    *nurls = 0;
    if (root_has_file(contentstore))
        return 0;
    char *count = NULL;
    if (db_query_value(db, "q_report_count_store_urls", NULL, 0, &count, err) != 0)
        return -1;
    *nurls = count ? atoll(count) : 0;
    free(count);
    return 0;
}

/* ------------------------------------------------------------------ run */

int report_unmounted_error(struct err *err, const char *contentstore, long long nurls,
                           bool extra_roots, const char *also)
{
    err_set(err, ERR_CONFIG,
            "content root '%s' is empty while the database references %lld store:// URLs%s; "
            "is it mounted?", contentstore, nurls,
            extra_roots ? ", and no extra root holds a file of any of them" : "");
    return err_hint(err, "Mount the content store volume, or point alfresco.contentstore at "
                         "the path where it is visible on this machine.%s%s", also ? " " : "",
                    also ? also : "");
}

static void summarize_trash(struct report *r)
{
    for (size_t i = 0; i < r->ntrash; i++) {
        struct trash_item *t = &r->trash[i];
        bucket_add(r, BS_TRASHCAN, t->has_date,
                   t->has_date ? i64_sub_sat(r->pol.now_ms, t->archived_ms) : 0, (int64_t)t->bytes);
        if (t->has_date && (!r->sum.has_oldest_trash || t->archived_ms < r->sum.oldest_trash_ms)) {
            r->sum.has_oldest_trash = true;
            r->sum.oldest_trash_ms = t->archived_ms;
        }
    }
}

static void decide_status(struct report *r)
{
    const struct rsummary *s = &r->sum;
    uint64_t expired = 0;
    for (size_t i = 0; i < r->ntrash; i++)
        expired += (r->trash[i].findings & F_TRASHCAN_EXPIRED) != 0;
    if (s->critical_missing)
        rstatus_add(&r->status, AW_CRITICAL,
                    "%" PRIu64 " live, version or trashcan URL(s) have no file in any content root",
                    s->critical_missing);
    if (s->critical_not_regular)
        rstatus_add(&r->status, AW_CRITICAL,
                    "%" PRIu64 " live, version or trashcan URL(s) whose path holds no regular file "
                    "(a symbolic link, FIFO, socket, device or directory)",
                    s->critical_not_regular);
    uint64_t odd = s->findings[__builtin_ctz(F_NOT_REGULAR)];
    if (odd > s->critical_not_regular)
        rstatus_add(&r->status, AW_WARNING,
                    "%" PRIu64 " item(s) with a symbolic link, FIFO, socket, device or directory "
                    "where a content file belongs", odd - s->critical_not_regular);
    uint64_t invalid = s->findings[__builtin_ctz(F_INVALID_URL)];
    if (invalid)
        rstatus_add(&r->status, AW_WARNING,
                    "%" PRIu64 " item(s) without a usable content URL (invalid_url): a "
                    "store:// URL that names no safe path in a content root, or a file in "
                    "contentstore.deleted whose name gives no URL (not UTF-8, or a backslash); "
                    "neither can be checked, and alfwipe wipe refuses such files", invalid);
    uint64_t strange = s->findings[__builtin_ctz(F_NOT_CONTENT_NAME)];
    if (strange)
        rstatus_add(&r->status, AW_WARNING,
                    "%" PRIu64 " file(s) in contentstore.deleted not named like Alfresco content "
                    "(<guid>.bin), so not put there by Alfresco's cleaner: alfwipe wipe refuses "
                    "them (unless its journal knows the name: a file an interrupted wipe had "
                    "renamed); find out whose they are (not_content_name)", strange);
    uint64_t linked = s->findings[__builtin_ctz(F_HARD_LINKED)];
    if (linked)
        rstatus_add(&r->status, AW_WARNING,
                    "%" PRIu64 " file(s) in contentstore.deleted with more than one hard link: "
                    "overwriting one would overwrite every name of it (alfwipe wipe refuses "
                    "them)", linked);
    if (s->cls[CLS_ORPHAN_OVERDUE].count)
        rstatus_add(&r->status, AW_WARNING,
                    "%" PRIu64 " orphan(s) past the protect window: Alfresco's cleaner is not "
                    "running", s->cls[CLS_ORPHAN_OVERDUE].count);
    if (s->cls[CLS_ORPHAN_KEPT].count)
        rstatus_add(&r->status, AW_WARNING,
                    "%" PRIu64 " kept URL(s) (orphan_time 0) that Alfresco never processes again",
                    s->cls[CLS_ORPHAN_KEPT].count);
    if (s->cls[CLS_UNREFERENCED].count)
        rstatus_add(&r->status, AW_WARNING,
                    "%" PRIu64 " unreferenced URL(s) never marked as orphans: Alfresco will never "
                    "clean them", s->cls[CLS_UNREFERENCED].count);
    if (s->strays_past_grace)
        rstatus_add(&r->status, AW_WARNING,
                    "%" PRIu64 " stray file(s) that Alfresco does not know", s->strays_past_grace);
    if (expired)
        rstatus_add(&r->status, AW_WARNING,
                    "%" PRIu64 " trashcan item(s) older than the keep period", expired);
    uint64_t mismatched = s->findings[__builtin_ctz(F_SIZE_MISMATCH)];
    if (mismatched)
        rstatus_add(&r->status, AW_WARNING,
                    "%" PRIu64 " file(s) whose size differs from the database", mismatched);
    if (s->cls[CLS_DELETED_REFERENCED].count)
        rstatus_add(&r->status, AW_WARNING,
                    "%" PRIu64 " file(s) in contentstore.deleted whose URL is still referenced",
                    s->cls[CLS_DELETED_REFERENCED].count);
    if (r->nproblems)
        rstatus_add(&r->status, AW_WARNING,
                    "%zu directory problem(s) during the disk walk", r->nproblems);
}

int report_run(struct report *r, struct rwriter *w, FILE *fp)
{
    struct err err = ERR_INIT;
    struct db *db = NULL, *twin = NULL;
    struct walker wk = {0};
    struct prep prep = {0};
    struct anodes an = {0};
    struct vowners vo = {0};
    struct qnames qn = {0};
    struct scan sc = {0};
    struct crefs cr = {0};
    struct uindex urls;
    uindex_init(&urls);
    int rc = AW_UNKNOWN;

    if (open_roots(r, &err) != 0)
        goto fail;
    if (conf_load_db_password(r->conf, &err) != 0)
        goto fail;
    if (db_open(&db, &r->conf->db, &err) != 0)
        goto fail;
    struct db_schema_info info = {0};
    if (db_check_tables(db, &info, &err) != 0)
        goto fail;
    r->engine = xstrdup(db_engine(db));
    r->engine_version = xstrdup(db_server_version(db));
    r->schema_min = info.schema_min;
    r->schema_max = info.schema_max;

    /* An empty main root while the database references content is a mount problem, not
     * thousands of missing files: find out before printing anything. With extra roots the
     * content may live there (a store selector): then the walk decides (walk_ready). */
    long long n = 0;
    if (report_store_unmounted(db, r->roots[0].path, &n, &err) != 0)
        goto fail;
    if (n > 0 && r->conf->alfresco.n_extra_roots == 0) {
        report_unmounted_error(&err, r->roots[0].path, n, false, NULL);
        goto fail;
    }
    r->cs_empty_urls = n;

    /* The walk runs while the database works. */
    walk_init(&wk.w, r->nroots);
    wk.r = r;
    if (pthread_create(&wk.thread, NULL, walk_main, &wk) != 0) {
        err_set(&err, ERR_INTERNAL, "could not start the disk walk thread");
        goto fail;
    }
    wk.started = true;

    if (db_query(db, "q_report_qnames", NULL, 0, on_qname, &qn, &err) != 0)
        goto fail;
    if (db_query(db, "q_report_stores", NULL, 0, on_store, r, &err) != 0)
        goto fail;

    /* The trashcan trees and the content data rows load on a second session in the same
     * snapshot while the content properties and nodes load on this one; an engine that cannot
     * share a snapshot loads them first. */
    prep.db = db;
    prep.r = r;
    prep.qn = &qn;
    prep.an = &an;
    prep.vo = &vo;
    prep.cr = &cr;
    prep.has_encryption = info.has_encryption_table;
    struct db *urldb = db;
    int tw = db_open_twin(db, &twin, &err);
    if (tw < 0) {
        debug_msg("%s; the queries run one after another", err.msg);
        err_init(&err);
    } else if (tw == 0) {
        prep.db = twin;
        if (pthread_create(&prep.thread, NULL, prep_main, &prep) == 0)
            prep.started = true;
    }
    if (!prep.started && (prep.rc = load_trees(&prep, &prep.err)) != 0) {
        err = prep.err;
        goto fail;
    }

    /* Known d:content properties, for rows written with actual_type_n 3. */
    static const struct { const char *ns, *local; } content_props[8] = {
        {NS_CM, "content"},         {NS_CM, "persondescription"},
        {NS_CM, "tagScopeCache"},   {NS_CM, "preferenceValues"},
        {NS_SYS, "versionEdition"}, {NS_SYS, "versionProperties"},
        {NS_SYS, "keyStore"},       {NS_PUB, "publishingEventPayload"},
    };
    char cp[8][24];
    const char *cparams[8];
    for (size_t i = 0; i < 8; i++) {
        snprintf(cp[i], sizeof cp[i], "%" PRId64,
                 qname_id(&qn, content_props[i].ns, content_props[i].local));
        cparams[i] = cp[i];
    }

    sc.r = r;
    sc.w = w;
    sc.wk = &wk;
    sc.prep = &prep;
    sc.an = &an;
    sc.vo = &vo;
    sc.fp = fp;

    sc.crefs = &cr;
    urls.wait = urls_wait;
    urls.wait_arg = &wk;
    /* The content properties and their nodes here, the content data rows on the other
     * session (after the trashcan trees); once both are in, the pairs (which frees what they
     * were made of) and then the URL rows, while the walk may still go on. The merge needs
     * those and the complete walk. */
    int step = crefs_load_props(&cr, urldb, r, cparams, &err);
    if (step == 0)
        step = prep_join(&prep, &err);
    if (step == 0) {
        crefs_join(&cr);
        step = db_query(urldb, "q_report_url_rows", NULL, 0, uindex_row, &urls, &err);
    }
    if (step == 0)
        step = stream_urls(&sc, &urls, &err);
    if (step != 0) {
        /* A failed schema check in the thread explains more than the URL query's failure. */
        struct err perr = ERR_INIT;
        if (prep_join(&prep, &perr) != 0)
            err = perr;
        goto fail;
    }
    for (size_t i = 0; i < wk.w.n; i++) {
        const struct walk_entry *e = &wk.w.v[i];
        if (e->type == WALK_FILE) {
            r->roots[e->root].files++;
            bytes_add(&r->roots[e->root].bytes, e->size);
        }
    }
    summarize_trash(r);
    decide_status(r);
    if (rw_end(w, r, &err) != 0)
        goto fail;
    rc = r->status.exit_code;
    goto out;

fail:
    err_print(&err);
    rc = AW_UNKNOWN;
out:
    if (wk.started && !wk.joined) {
        pthread_join(wk.thread, NULL);
        wk.joined = true;
    }
    if (prep.started && !prep.joined) {
        pthread_join(prep.thread, NULL);
        prep.joined = true;
    }
    scan_release(&sc);
    crefs_release(&cr);
    uindex_release(&urls);
    db_close(twin);
    db_close(db);
    walk_release(&wk.w);
    qnames_release(&qn);
    tree_release(&an.t);
    free(an.uuid_off);
    free(an.by_uuid);
    arena_release(&an.uuids);
    free(vo.v);
    return rc;
}
