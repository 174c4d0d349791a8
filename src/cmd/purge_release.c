/* Bytes that purging trashcan items releases to Alfresco's orphan cleaner: a content URL is
 * released only when every alf_content_data row that points at it belongs to a purged item
 * (its tree or its version history); anything else keeps it alive. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alfwipe/props.h"
#include "alfwipe/xalloc.h"
#include "purge_int.h"

/* One alf_content_data row pointing at a URL one of the items references. */
struct ref {
    int64_t url_id;
    int64_t data_id;
    int64_t size;
    size_t item;        /* index of the item whose query returned the row */
    bool inside;        /* the data row belongs to that item */
    size_t where;       /* arena offset of "protocol://identifier/uuid", or SIZE_MAX */
};

struct purge_refs {
    size_t n_items;
    bool *found;
    struct ref *v;
    size_t n, cap;
    struct arena strs;
};

struct collect {
    struct purge_refs *r;
    size_t item;
};

struct purge_refs *purge_refs_new(size_t n_items)
{
    struct purge_refs *r = xcalloc(1, sizeof *r);
    r->n_items = n_items;
    r->found = xcalloc(n_items ? n_items : 1, sizeof *r->found);
    return r;
}

void purge_refs_set_found(struct purge_refs *r, size_t item)
{
    r->found[item] = true;
}

void purge_refs_add(struct purge_refs *r, size_t item, const struct purge_ref_row *row)
{
    struct ref x = {row->url_id, row->data_id, row->size, item, row->inside, SIZE_MAX};
    if (row->where)
        x.where = arena_add(&r->strs, row->where, strlen(row->where));
    r->v = xgrow(r->v, &r->cap, r->n + 1, sizeof *r->v);
    r->v[r->n++] = x;
}

static int on_ref(void *arg, const struct db_value *cols, int ncols, struct err *err)
{
    struct collect *c = arg;
    if (ncols != 8)
        return err_set(err, ERR_DATA, "query 'q_purge_item_refs' returned %d columns, "
                                      "expected 8", ncols);
    struct purge_ref_row x = {0};
    if (db_int64(&cols[0], &x.url_id) != 0 || db_int64(&cols[2], &x.size) != 0 ||
        db_int64(&cols[3], &x.data_id) != 0)
        return err_set(err, ERR_DATA, "query 'q_purge_item_refs' returned a non-integer id "
                                      "or size");
    x.inside = db_bool(&cols[4]);
    char *w = NULL;
    if (!cols[5].null && !cols[6].null && !cols[7].null)
        w = xasprintf("%s://%s/%s", cols[5].s, cols[6].s, cols[7].s);
    x.where = w;
    purge_refs_add(c->r, c->item, &x);
    free(w);
    return 0;
}

int purge_node_live(struct db *db, const char *protocol, const char *uuid, struct err *err)
{
    const char *p[2] = {protocol, uuid};
    char *cnt = NULL;
    if (db_query_value(db, "q_purge_node_live", p, 2, &cnt, err) != 0)
        return -1;
    int live = cnt && strcmp(cnt, "0") != 0;
    free(cnt);
    return live;
}

int purge_refs_collect(struct db *db, const char *const *uuids, size_t n,
                       struct purge_refs **out, struct err *err)
{
    struct purge_refs *r = purge_refs_new(n);
    for (size_t i = 0; i < n; i++) {
        int live = purge_node_live(db, "archive", uuids[i], err);
        if (live < 0)
            goto fail;
        if (!live)
            continue;
        purge_refs_set_found(r, i);
        struct collect c = {r, i};
        const char *p[1] = {uuids[i]};
        if (db_query(db, "q_purge_item_refs", p, 1, on_ref, &c, err) != 0)
            goto fail;
    }
    *out = r;
    return 0;
fail:
    purge_refs_free(r);
    *out = NULL;
    return -1;
}

static int cmp_ref(const void *a, const void *b)
{
    const struct ref *x = a, *y = b;
    if (x->url_id != y->url_id)
        return x->url_id < y->url_id ? -1 : 1;
    if (x->data_id != y->data_id)
        return x->data_id < y->data_id ? -1 : 1;
    return (x->item > y->item) - (x->item < y->item);
}

void purge_refs_release(const struct purge_refs *r, const bool *purged,
                        struct purge_item_release *items, struct purge_release_total *tot)
{
    memset(tot, 0, sizeof *tot);
    for (size_t i = 0; i < r->n_items; i++) {
        memset(&items[i], 0, sizeof items[i]);
        items[i].found = r->found[i];
    }
    if (r->n == 0)
        return;
    /* Work on a sorted copy: rows of one URL, then of one data row, side by side. */
    struct ref *v = xmalloc(r->n * sizeof *v);
    memcpy(v, r->v, r->n * sizeof *v);
    qsort(v, r->n, sizeof *v, cmp_ref);
    bool *uses = xcalloc(r->n_items, sizeof *uses);
    for (size_t a = 0; a < r->n;) {
        size_t b = a;
        while (b < r->n && v[b].url_id == v[a].url_id)
            b++;
        /* URL v[a..b): released when each of its data rows is inside some purged item. */
        bool released = true;
        size_t outside = 0;
        const char *example = NULL;
        memset(uses, 0, r->n_items * sizeof *uses);
        for (size_t d = a; d < b;) {
            size_t e = d;
            bool in = false;
            const char *where = NULL;
            while (e < b && v[e].data_id == v[d].data_id) {
                if (v[e].inside && purged[v[e].item])
                    in = true;
                if (v[e].inside)
                    uses[v[e].item] = true;
                if (!where && v[e].where != SIZE_MAX)
                    where = arena_str(&r->strs, v[e].where);
                e++;
            }
            if (!in) {
                released = false;
                outside++;
                if (!example && where)
                    example = where;
            }
            d = e;
        }
        bool any = false;
        for (size_t i = 0; i < r->n_items; i++) {
            if (!uses[i] || !purged[i])
                continue;
            any = true;
            if (released) {
                items[i].bytes += v[a].size;
                items[i].urls++;
            } else {
                items[i].kept_urls++;
                if (!items[i].shared_with) {
                    if (example)
                        items[i].shared_with = xstrdup(example);
                    else
                        items[i].shared_with =
                            xasprintf("%zu other reference%s", outside, outside == 1 ? "" : "s");
                }
            }
        }
        if (any && released) {
            tot->bytes += v[a].size;
            tot->urls++;
        } else if (any) {
            tot->kept_urls++;
        }
        a = b;
    }
    free(uses);
    free(v);
}

void purge_refs_free(struct purge_refs *r)
{
    if (!r)
        return;
    free(r->found);
    free(r->v);
    arena_release(&r->strs);
    free(r);
}

void purge_release_when(const struct conf *conf, int64_t purge_ms, struct purge_release_when *w)
{
    memset(w, 0, sizeof *w);
    w->eager = conf->policy.eager_orphan_cleanup.val;
    w->protect_days = conf->policy.orphan_protect_days.src != SRC_UNSET
                          ? conf->policy.orphan_protect_days.val : 14;
    if (!w->eager) {
        w->orphan_time_ms = purge_ms;
        w->cleaner_after_ms = purge_ms + w->protect_days * MS_PER_DAY;
    }
    const char *cron = conf->props
        ? props_get(conf->props, "system.content.orphanCleanup.cronExpression") : NULL;
    w->cron = cron && *cron ? cron : "0 0 4 * * ?";
}
