/* The database reference check of the wipe: is a content URL still referenced by any
 * alf_content_data row, and by which nodes. Read only, through the db layer.
 *
 * Freshness: db_open starts one repeatable-read snapshot, which would show every file the
 * database as it was when the run began. The wipe therefore opens a new connection (a new
 * snapshot) for each batch of files, right before the batch's first write; a batch is small
 * (tens of milliseconds of work for small files, one file when large), so the check a file gets
 * is at most one batch old. See wipe_dbcheck_begin in src/cmd/wipe_run.c. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alfwipe/db.h"
#include "alfwipe/urlpath.h"
#include "wipe_int.h"

struct refs_acc {
    struct wipe_refs *r;
    size_t cap;
    int64_t last_data;
    bool have_last;
};

static int refs_row(void *arg, const struct db_value *cols, int ncols, struct err *err)
{
    struct refs_acc *a = arg;
    struct wipe_refs *r = a->r;
    if (ncols != 5)
        return err_set(err, ERR_DATA, "query q_wipe_refs returned %d columns, 5 expected",
                       ncols);
    r->url_row = true;
    int64_t data_id;
    if (cols[1].null)
        return 0;   /* URL row without any alf_content_data row */
    if (db_int64(&cols[1], &data_id) != 0)
        return err_set(err, ERR_DATA, "alf_content_data.id '%s' is not an integer", cols[1].s);
    r->referenced = true;
    bool new_data = !a->have_last || data_id != a->last_data;
    if (new_data) {
        r->ndata++;
        a->last_data = data_id;
        a->have_last = true;
    }
    if (cols[4].null || cols[2].null || cols[3].null) {
        if (new_data)
            r->orphan_data++;
        return 0;
    }
    char *ref = xasprintf("%s://%s/%s", cols[2].s, cols[3].s, cols[4].s);
    for (size_t i = 0; i < r->nrefs; i++)
        if (strcmp(r->node_refs[i], ref) == 0) {
            free(ref);
            return 0;
        }
    r->node_refs = xgrow(r->node_refs, &a->cap, r->nrefs + 1, sizeof *r->node_refs);
    r->node_refs[r->nrefs++] = ref;
    return 0;
}

int wipe_db_refs(struct db *db, const char *url, struct wipe_refs *out, struct err *err)
{
    memset(out, 0, sizeof *out);
    size_t len = strlen(url);
    char shortv[13], crc[16];
    url_short(url, len, shortv);
    snprintf(crc, sizeof crc, "%" PRIu32, url_crc(url, len));
    const char *params[3] = {url, shortv, crc};
    const char *scan[2] = {url, crc};
    struct refs_acc a = {out, 0, 0, false};
    /* Through the (short, crc) index where the short value is certain, else by CRC alone. */
    bool certain = url_short_certain(url, len);
    if (db_query(db, certain ? "q_wipe_refs" : "q_wipe_refs_scan", certain ? params : scan,
                 certain ? 3 : 2, refs_row, &a, err) != 0) {
        wipe_refs_release(out);
        return -1;
    }
    return 0;
}

void wipe_refs_release(struct wipe_refs *r)
{
    for (size_t i = 0; i < r->nrefs; i++)
        free(r->node_refs[i]);
    free(r->node_refs);
    memset(r, 0, sizeof *r);
}

void wipe_refs_reason(const struct wipe_refs *r, char *buf, size_t len)
{
    if (r->nrefs == 0) {
        snprintf(buf, len,
                 "content URL still referenced by %zu alf_content_data row%s (no node found)",
                 r->ndata, r->ndata == 1 ? "" : "s");
        return;
    }
    size_t off = (size_t)snprintf(buf, len, "content URL still referenced by ");
    size_t shown = 0;
    for (; shown < r->nrefs && shown < 3 && off < len; shown++) {
        int n = snprintf(buf + off, len - off, "%s%s", shown ? ", " : "", r->node_refs[shown]);
        if (n < 0)
            break;
        off += (size_t)n;
    }
    if (off < len && shown < r->nrefs)
        off += (size_t)snprintf(buf + off, len - off, " (and %zu more)", r->nrefs - shown);
    if (off < len && r->orphan_data > 0)
        snprintf(buf + off, len - off, " and %zu alf_content_data row%s without a node",
                 r->orphan_data, r->orphan_data == 1 ? "" : "s");
}
