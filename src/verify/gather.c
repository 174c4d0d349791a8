/* Evidence for 'alfwipe verify': the node's rows in every store, its version nodes and content
 * URLs, each URL's row and references (read-only snapshot), the files under every content
 * root, and the certificate records naming the URL. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alfwipe/timeutil.h"
#include "alfwipe/urlpath.h"
#include "alfwipe/verify.h"
#include "alfwipe/xalloc.h"

static const struct {
    const char *uri, *prefix;
} prefixes[] = {
    {"http://www.alfresco.org/model/system/1.0", "sys"},
    {"http://www.alfresco.org/model/content/1.0", "cm"},
    {"http://www.alfresco.org/model/rendition/1.0", "rn"},
    {"http://www.alfresco.org/model/versionstore/2.0", "ver2"},
    {"http://www.alfresco.org/model/recordsmanagement/1.0", "rma"},
    {"http://www.alfresco.org/model/recordableversion/1.0", "rmv"},
    {"http://www.alfresco.org/model/application/1.0", "app"},
    {"http://www.alfresco.org/model/user/1.0", "usr"},
};

static char *qname_text(const struct db_value *uri, const struct db_value *local)
{
    if (local->null)
        return NULL;
    for (size_t i = 0; !uri->null && i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strcmp(uri->s, prefixes[i].uri) == 0)
            return xasprintf("%s:%s", prefixes[i].prefix, local->s);
    return xasprintf("{%s}%s", uri->null ? "" : uri->s, local->s);
}

static char *vdup(const struct db_value *v)
{
    return v->null ? NULL : xstrdup(v->s);
}

/* An instant column (sys:archivedDate, stored as text) in the one form verify writes instants,
 * time_format_iso8601's, as the report does: *norm; the stored text goes to *raw only when it
 * does not parse. */
static void set_instant(const struct db_value *v, char **norm, char **raw)
{
    int64_t ms;
    char t[TIME_ISO_MAX];
    if (v->null)
        return;
    if (time_parse_iso8601(v->s, &ms) == 0)
        *norm = xstrdup(time_format_iso8601(ms, t));
    else
        *raw = xstrdup(v->s);
}

static int bad_row(struct err *err, const char *q)
{
    return err_set(err, ERR_DATA, "query '%s' returned a row alfwipe cannot read", q);
}

static int on_node_row(void *arg, const struct db_value *c, int nc, struct err *err)
{
    struct vnode *n = arg;
    if (nc < 11)
        return bad_row(err, "q_verify_node_rows");
    n->rows = xrealloc(n->rows, (n->nrows + 1) * sizeof *n->rows);
    struct vnoderow *r = &n->rows[n->nrows];
    memset(r, 0, sizeof *r);
    if (db_int64(&c[0], &r->id) != 0)
        return bad_row(err, "q_verify_node_rows");
    n->nrows++;
    r->store = xasprintf("%s://%s", c[1].s, c[2].s);
    r->kind = verify_store_kind(c[1].s, c[2].s);
    r->type = qname_text(&c[3], &c[4]);
    r->deleted = !c[3].null && strcmp(c[3].s, "http://www.alfresco.org/model/system/1.0") == 0 &&
                 strcmp(c[4].s, "deleted") == 0;
    r->ghosted = db_bool(&c[5]);
    r->record = db_bool(&c[6]);
    set_instant(&c[7], &r->archived_date, &r->archived_raw);
    r->archived_by = vdup(&c[8]);
    r->has_commit = db_int64(&c[9], &r->commit_ms) == 0;
    if (db_int64(&c[10], &r->ncontent) != 0)
        r->ncontent = 0;
    return 0;
}

static int on_version(void *arg, const struct db_value *c, int nc, struct err *err)
{
    struct vnode *n = arg;
    if (nc < 3)
        return bad_row(err, "q_verify_node_versions");
    n->vers = xrealloc(n->vers, (n->nvers + 1) * sizeof *n->vers);
    struct vversion *v = &n->vers[n->nvers];
    if (db_int64(&c[0], &v->id) != 0)
        return bad_row(err, "q_verify_node_versions");
    n->nvers++;
    v->uuid = vdup(&c[1]);
    v->label = vdup(&c[2]);
    return 0;
}

static struct vurl *find_url(struct vresult *r, const char *url)
{
    for (size_t i = 0; i < r->nurls; i++)
        if (strcmp(r->urls[i].url, url) == 0)
            return &r->urls[i];
    return NULL;
}

static struct vurl *add_url(struct vresult *r, const char *url, bool given)
{
    struct vurl *u = find_url(r, url);
    if (u) {
        u->given |= given;
        return u;
    }
    r->urls = xrealloc(r->urls, (r->nurls + 1) * sizeof *r->urls);
    u = &r->urls[r->nurls++];
    memset(u, 0, sizeof *u);
    u->url = xstrdup(url);
    u->given = given;
    /* Where Alfresco opens it: store://2024//x.bin and store://2024/a/../x.bin are 2024/x.bin,
     * as report and wipe read them. */
    u->rel = url_resolved_path(url);
    u->local = u->rel != NULL;
    return u;
}

static int on_node_url(void *arg, const struct db_value *c, int nc, struct err *err)
{
    struct vresult *r = arg;
    if (nc < 2 || c[1].null)
        return bad_row(err, "q_verify_node_urls");
    add_url(r, c[1].s, false);
    return 0;
}

static int on_url_row(void *arg, const struct db_value *c, int nc, struct err *err)
{
    struct vurl *u = arg;
    if (nc < 3 || db_int64(&c[0], &u->id) != 0 || db_int64(&c[1], &u->size) != 0)
        return bad_row(err, "q_verify_url");
    u->db_known = true;
    u->has_orphan_time = db_int64(&c[2], &u->orphan_time) == 0;
    return 0;
}

/* A row found by the full text (q_verify_url_text): the first fills u, the others (rows of the
 * same text, possible only when some are inconsistent) are kept by id. */
struct text_lookup {
    struct vurl *u;
    const char *shortv;
    uint32_t crc;
    bool certain;
};

static int on_url_text_row(void *arg, const struct db_value *c, int nc, struct err *err)
{
    struct text_lookup *t = arg;
    struct vurl *u = t->u;
    int64_t id, size, crc;
    if (nc < 5 || db_int64(&c[0], &id) != 0 || db_int64(&c[1], &size) != 0)
        return bad_row(err, "q_verify_url_text");
    if (u->db_known) {
        u->more_ids = xrealloc(u->more_ids, (u->nmore + 1) * sizeof *u->more_ids);
        u->more_ids[u->nmore++] = id;
        return 0;
    }
    u->db_known = true;
    u->by_text = true;
    u->id = id;
    u->size = size;
    u->has_orphan_time = db_int64(&c[2], &u->orphan_time) == 0;
    u->row_short = vdup(&c[3]);
    u->row_crc = db_int64(&c[4], &crc) == 0 ? crc : -1;
    /* An uncertain short value is Java's to tell, not ours: only a certain one is compared. */
    u->short_mismatch = t->certain && (!u->row_short || strcmp(u->row_short, t->shortv) != 0);
    u->crc_mismatch = u->row_crc != (int64_t)t->crc;
    return 0;
}

struct top {
    struct vref *f;
};

static int on_top(void *arg, const struct db_value *c, int nc, struct err *err)
{
    struct vref *f = ((struct top *)arg)->f;
    if (nc < 3)
        return bad_row(err, "q_verify_archive_top");
    if (f->archived_date || f->archived_raw)
        return 0; /* the nearest dated ancestor came first */
    f->archived_item = xasprintf("archive://SpacesStore/%s", c[0].s);
    set_instant(&c[1], &f->archived_date, &f->archived_raw);
    f->archived_by = vdup(&c[2]);
    return 0;
}

static int on_ref(void *arg, const struct db_value *c, int nc, struct err *err)
{
    struct vurl *u = arg;
    if (nc < 12)
        return bad_row(err, "q_verify_url_refs");
    u->refs = xrealloc(u->refs, (u->nrefs + 1) * sizeof *u->refs);
    struct vref *f = &u->refs[u->nrefs];
    memset(f, 0, sizeof *f);
    if (db_int64(&c[0], &f->data_id) != 0)
        return bad_row(err, "q_verify_url_refs");
    u->nrefs++;
    f->has_node = !c[1].null && db_int64(&c[1], &f->node_id) == 0;
    if (f->has_node) {
        f->node_ref = xasprintf("%s://%s/%s", c[2].s, c[3].s, c[4].s);
        f->kind = verify_store_kind(c[2].s, c[3].s);
    }
    f->prop = qname_text(&c[5], &c[6]);
    f->type = vdup(&c[7]);
    f->ghosted = db_bool(&c[8]);
    set_instant(&c[9], &f->archived_date, &f->archived_raw);
    f->archived_by = vdup(&c[10]);
    f->frozen_ref = vdup(&c[11]);
    return 0;
}

/* Where the node a version node freezes is now, from its rows in every store: in the trashcan,
 * live elsewhere, or gone (placeholders at most). */
static int frozen_state(struct db *db, struct vref *f, struct err *err)
{
    const char *slash = strrchr(f->frozen_ref, '/');
    const char *p1[] = {slash ? slash + 1 : f->frozen_ref};
    struct vnode n = {0};
    int rc = db_query(db, "q_verify_node_rows", p1, 1, on_node_row, &n, err);
    f->frozen_state = VF_GONE;
    for (size_t i = 0; i < n.nrows; i++) {
        const struct vnoderow *x = &n.rows[i];
        if (x->deleted)
            continue;
        if (x->kind == VS_ARCHIVE)
            f->frozen_state = VF_TRASH;
        else if (f->frozen_state != VF_TRASH)
            f->frozen_state = VF_LIVE;
    }
    struct vresult tmp = {.node = n};
    verify_result_release(&tmp);
    return rc;
}

/* The references of URL row id, appended to u->refs. */
static int query_refs(struct db *db, int64_t row_id, struct vurl *u, struct err *err)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)row_id);
    const char *pi[] = {id};
    return db_query(db, "q_verify_url_refs", pi, 1, on_ref, u, err);
}

int verify_gather_db(struct db *db, struct vresult *r, struct err *err)
{
    const struct vitem *it = r->item;
    if (db && it->uuid) {
        char *ws = xasprintf("workspace://SpacesStore/%s", it->uuid);
        char *ar = xasprintf("archive://SpacesStore/%s", it->uuid);
        const char *p3[] = {it->uuid, ws, ar};
        int rc = db_query(db, "q_verify_node_rows", p3, 1, on_node_row, &r->node, err);
        if (rc == 0)
            rc = db_query(db, "q_verify_node_versions", p3, 3, on_version, &r->node, err);
        if (rc == 0)
            rc = db_query(db, "q_verify_node_urls", p3, 3, on_node_url, r, err);
        free(ws);
        free(ar);
        if (rc != 0)
            return -1;
        r->node_known = r->node.nrows > 0;
    }
    for (size_t i = 0; i < it->nurls; i++)
        add_url(r, it->urls[i], true);
    for (size_t i = 0; db && i < r->nurls; i++) {
        struct vurl *u = &r->urls[i];
        char shortv[13], crc[16];
        uint32_t crcv = url_crc(u->url, strlen(u->url));
        url_short(u->url, strlen(u->url), shortv);
        snprintf(crc, sizeof crc, "%lu", (unsigned long)crcv);
        const char *pu[] = {u->url, shortv, crc};
        /* Through the (short, crc) index where the short value is certain. On a miss, or for
         * an uncertain short value, by the full text alone (a scan, so only then): a row whose
         * short or CRC does not match its text is missed by the index but may still be
         * referenced, and no row must not read as evidence of destruction when there is one. */
        bool certain = url_short_certain(u->url, strlen(u->url));
        if (certain && db_query(db, "q_verify_url", pu, 3, on_url_row, u, err) != 0)
            return -1;
        struct text_lookup tl = {u, shortv, crcv, certain};
        if (!u->db_known &&
            db_query(db, "q_verify_url_text", pu, 1, on_url_text_row, &tl, err) != 0)
            return -1;
        if (!u->db_known)
            continue;
        if (query_refs(db, u->id, u, err) != 0)
            return -1;
        for (size_t k = 0; k < u->nmore; k++)
            if (query_refs(db, u->more_ids[k], u, err) != 0)
                return -1;
        /* A descendant in the trashcan: date and user live on its item's top node. A version
         * node: whether the node it freezes is in the trashcan. */
        for (size_t k = 0; k < u->nrefs; k++) {
            struct vref *f = &u->refs[k];
            if (f->has_node && f->kind == VS_VERSION && f->frozen_ref &&
                frozen_state(db, f, err) != 0)
                return -1;
            if (!f->has_node || f->kind != VS_ARCHIVE || f->archived_date || f->archived_raw)
                continue;
            char nid[24];
            snprintf(nid, sizeof nid, "%lld", (long long)f->node_id);
            const char *pn[] = {nid};
            struct top t = {f};
            if (db_query(db, "q_verify_archive_top", pn, 1, on_top, &t, err) != 0)
                return -1;
        }
    }
    return 0;
}

void verify_gather_files(const struct vroot *roots, size_t nroots, struct vresult *r)
{
    for (size_t i = 0; i < r->nurls; i++) {
        struct vurl *u = &r->urls[i];
        if (!u->local)
            continue;
        const char *rel = u->rel;
        for (size_t k = 0; k < nroots; k++) {
            struct stat st;
            if (roots[k].missing)
                continue;
            char *full = xasprintf("%s/%s", roots[k].path, rel);
            bool via_link = false;
            if (!path_lstat_under(roots[k].path, rel, &st)) {
                /* Not there without following links; but a directory on the way may be a
                 * link (an old year moved to another volume): what Alfresco would open is
                 * what counts, and it follows links. */
                if (stat(full, &st) != 0) {
                    free(full);
                    continue;
                }
                via_link = true;
            }
            u->files = xrealloc(u->files, (u->nfiles + 1) * sizeof *u->files);
            struct vfile *f = &u->files[u->nfiles++];
            f->root_name = xstrdup(roots[k].name);
            f->kind = roots[k].kind;
            f->path = full;
            f->size = (int64_t)st.st_size;
            f->regular = S_ISREG(st.st_mode);
            f->via_link = via_link;
        }
    }
}

/* Whether a certificate record is about u's file: it names u's URL, or (for a URL that is not a
 * plain path) the plain URL of the file that u resolves to, which is what a wipe records. */
static bool rec_names(const struct vcertrec *rec, const struct vurl *u)
{
    const char *cu = rec->content_url;
    if (!cu)
        return false;
    if (strcmp(cu, u->url) == 0)
        return true;
    return u->rel && strncmp(cu, "store://", 8) == 0 && strcmp(cu + 8, u->rel) == 0;
}

void verify_gather_certs(const struct vcert *certs, size_t ncerts, struct vresult *r)
{
    for (size_t i = 0; i < r->nurls; i++) {
        struct vurl *u = &r->urls[i];
        for (size_t k = 0; k < ncerts; k++) {
            const struct vcert *c = &certs[k];
            if (c->state != VC_INTACT) {
                if (c->state == VC_ABSENT)
                    continue;
                u->untrusted = xrealloc(u->untrusted, (u->nuntrusted + 1) * sizeof *u->untrusted);
                u->untrusted[u->nuntrusted++] = c;
                continue;
            }
            for (size_t j = 0; j < c->nrecs; j++) {
                if (!rec_names(&c->recs[j], u))
                    continue;
                u->recs = xrealloc(u->recs, (u->nrecs + 1) * sizeof *u->recs);
                u->recs[u->nrecs++] = &c->recs[j];
            }
        }
    }
}

void verify_result_release(struct vresult *r)
{
    for (size_t i = 0; i < r->node.nrows; i++) {
        struct vnoderow *n = &r->node.rows[i];
        free(n->store);
        free(n->type);
        free(n->archived_date);
        free(n->archived_raw);
        free(n->archived_by);
    }
    free(r->node.rows);
    for (size_t i = 0; i < r->node.nvers; i++) {
        free(r->node.vers[i].uuid);
        free(r->node.vers[i].label);
    }
    free(r->node.vers);
    for (size_t i = 0; i < r->nurls; i++) {
        struct vurl *u = &r->urls[i];
        free(u->url);
        free(u->rel);
        free(u->row_short);
        free(u->more_ids);
        for (size_t j = 0; j < u->nrefs; j++) {
            struct vref *f = &u->refs[j];
            free(f->node_ref);
            free(f->prop);
            free(f->type);
            free(f->archived_date);
            free(f->archived_raw);
            free(f->archived_by);
            free(f->frozen_ref);
            free(f->archived_item);
        }
        free(u->refs);
        for (size_t j = 0; j < u->nfiles; j++) {
            free(u->files[j].path);
            free(u->files[j].root_name);
        }
        free(u->files);
        free(u->recs);
        free(u->untrusted);
        free(u->why);
    }
    free(r->urls);
    free(r->why);
    memset(r, 0, sizeof *r);
}
