/* The verdict rules of 'alfwipe verify': from the evidence about a URL (references, its row,
 * files, certificate records) and the item's node, decide destroyed / destroyed_unverified /
 * pending / not_destroyed / unknown and say why in words a records manager can file. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "alfwipe/timeutil.h"
#include "alfwipe/urlpath.h"
#include "alfwipe/verify.h"
#include "alfwipe/xalloc.h"

const char *verify_verdict_name(enum vverdict v)
{
    static const char *const names[] = {"destroyed", "destroyed_unverified", "pending",
                                        "not_destroyed", "unknown"};
    return names[v];
}

enum vstore_kind verify_store_kind(const char *protocol, const char *identifier)
{
    if (!protocol || !identifier)
        return VS_OTHER;
    if (strcmp(protocol, "archive") == 0)
        return VS_ARCHIVE;
    if (strcmp(protocol, "workspace") == 0 && strcmp(identifier, "SpacesStore") == 0)
        return VS_LIVE;
    if (strcmp(protocol, "workspace") == 0 &&
        (strcmp(identifier, "version2Store") == 0 ||
         strcmp(identifier, "lightWeightVersionStore") == 0))
        return VS_VERSION;
    return VS_OTHER;
}

/* A growing explanation: sentences joined with "; ". */
struct why {
    char *s;
};

static void why_add(struct why *w, char *part)
{
    if (!w->s) {
        w->s = part;
        return;
    }
    char *n = xasprintf("%s; %s", w->s, part);
    free(w->s);
    free(part);
    w->s = n;
}

size_t verify_why_finding_len(const char *s)
{
    int depth = 0;
    size_t i = 0;
    for (; s[i]; i++) {
        if (s[i] == '(')
            depth++;
        else if (s[i] == ')' && depth > 0)
            depth--;
        else if (depth == 0 && s[i] == ';' && s[i + 1] == ' ')
            break;
    }
    return i;
}

static bool node_ghosted(const struct vresult *r)
{
    for (size_t i = 0; i < r->node.nrows; i++)
        if (r->node.rows[i].ghosted)
            return true;
    return false;
}

static const char *ref_label(const struct vref *f)
{
    return f->has_node ? f->node_ref : "no node";
}

/* "workspace://SpacesStore/x (cm:content), ..." for the references of one kind, or all. */
static char *ref_list(const struct vurl *u, int kind)
{
    char *s = NULL;
    for (size_t i = 0; i < u->nrefs; i++) {
        const struct vref *f = &u->refs[i];
        if (kind >= 0 && (!f->has_node || (int)f->kind != kind))
            continue;
        char *one;
        if (!f->has_node)
            one = xasprintf("alf_content_data %lld (held by no node property)",
                            (long long)f->data_id);
        else if (f->kind == VS_VERSION && f->frozen_ref)
            one = xasprintf("%s (%s, a version of %s)", f->node_ref, f->prop, f->frozen_ref);
        else if (f->kind == VS_ARCHIVE && (f->archived_date || f->archived_raw))
            one = xasprintf("%s (%s, %s%s%sdeleted %s by %s)", f->node_ref, f->prop,
                            f->archived_item ? "in trashcan item " : "",
                            f->archived_item ? f->archived_item : "",
                            f->archived_item ? ", " : "",
                            f->archived_date ? f->archived_date : f->archived_raw,
                            f->archived_by ? f->archived_by : "an unknown user");
        else
            one = xasprintf("%s (%s)", ref_label(f), f->prop ? f->prop : "?");
        if (!s) {
            s = one;
        } else {
            char *n = xasprintf("%s, %s", s, one);
            free(s);
            free(one);
            s = n;
        }
    }
    return s;
}

static bool has_kind(const struct vurl *u, enum vstore_kind k)
{
    for (size_t i = 0; i < u->nrefs; i++)
        if (u->refs[i].has_node && u->refs[i].kind == k)
            return true;
    return false;
}

static bool item_in_trash(const struct vresult *r)
{
    for (size_t i = 0; i < r->node.nrows; i++)
        if (!r->node.rows[i].deleted && !r->node.rows[i].ghosted &&
            r->node.rows[i].kind == VS_ARCHIVE)
            return true;
    return false;
}

/* Version nodes holding the URL. Purging a node from the trashcan deletes its version history
 * too (facts 5.1), so for a node in the trashcan the purge releases them; for a live node, or
 * a history whose node is gone, the versions themselves must go. */
static void explain_versions(const struct vresult *r, const struct vurl *u, struct why *w)
{
    bool trash = false, live = false, gone = false;
    for (size_t i = 0; i < u->nrefs; i++) {
        const struct vref *f = &u->refs[i];
        if (!f->has_node || f->kind != VS_VERSION)
            continue;
        enum vfrozen st = f->frozen_state;
        if (st == VF_UNKNOWN)   /* not looked up: the item's own node tells, if any */
            st = item_in_trash(r) ? VF_TRASH : VF_GONE;
        trash |= st == VF_TRASH;
        live |= st == VF_LIVE;
        gone |= st == VF_GONE;
    }
    if (trash)
        why_add(w, xstrdup("the version history in workspace://version2Store still holds this "
                           "content, but it goes with the node: purging the item from the "
                           "trashcan (for example with 'alfwipe purge') deletes its version "
                           "history too and so releases it"));
    if (live)
        why_add(w, xstrdup("the version history of a live node in workspace://version2Store "
                           "still holds this content: delete those versions (or the version "
                           "history), or delete the node and purge it from the trashcan, to "
                           "release it"));
    if (gone)
        why_add(w, xstrdup("the version history in workspace://version2Store still holds this "
                           "content though its node is gone: delete those versions (or the "
                           "version history) to release it"));
}

static void judge_referenced(const struct vresult *r, struct vurl *u, struct why *w)
{
    char *all = ref_list(u, -1);
    why_add(w, xasprintf("still referenced by %s", all));
    free(all);
    if (has_kind(u, VS_ARCHIVE))
        why_add(w, xstrdup("it is still in the trashcan: purge it first (for example with "
                           "'alfwipe purge'), then the orphan cleaner and 'alfwipe wipe' can "
                           "remove it"));
    explain_versions(r, u, w);
    bool other = false, copy = false;
    for (size_t i = 0; i < u->nrefs; i++) {
        const struct vref *f = &u->refs[i];
        if (!f->has_node || f->ghosted || f->kind != VS_LIVE)
            continue;
        other = true;
        /* RM's duplicate check counts only other nodes' cm:content, renditions aside */
        if (f->prop && strcmp(f->prop, "cm:content") == 0 &&
            !(f->type && strcmp(f->type, "thumbnail") == 0))
            copy = true;
    }
    if (node_ghosted(r) && copy)
        why_add(w, xstrdup("Records Management destroyed the record but left the content in "
                           "place because another node references it through cm:content; the "
                           "file stays until that node lets go of it"));
    else if (other)
        why_add(w, xstrdup("live content still uses it"));
    for (size_t i = 0; i < u->nrefs; i++)
        if (!u->refs[i].has_node) {
            why_add(w, xstrdup("an alf_content_data row that no node property holds still "
                               "points at it, so Alfresco's cleaner will never take it"));
            break;
        }
}

/* Records the certificates hold for a URL, by status. */
static const struct vcertrec *best_record(const struct vurl *u, bool *erased_verified)
{
    const struct vcertrec *best = NULL;
    *erased_verified = false;
    for (size_t i = 0; i < u->nrecs; i++) {
        const struct vcertrec *c = u->recs[i];
        bool erased = c->status && strcmp(c->status, "ERASED") == 0;
        bool ok = erased && c->verified && c->assurance &&
                  strcmp(c->assurance, "guaranteed") == 0;
        if (ok) {
            *erased_verified = true;
            return c;
        }
        if (erased && (!best || strcmp(best->status, "ERASED") != 0))
            best = c;
        else if (!best)
            best = c;
    }
    return best;
}

static char *rec_where(const struct vcertrec *c)
{
    return xasprintf("%s line %ld", c->cert->path, c->line);
}

static void explain_unlinked(const struct vpolicy *pol, const struct vresult *r, struct why *w)
{
    if (node_ghosted(r)) {
        if (pol->cleansing)
            why_add(w, xstrdup("Records Management overwrote the file before unlinking it "
                               "(rm.content.cleansing.enabled: 0xFF, 0x00, random, no sync, no "
                               "read-back), but nothing on disk or in a certificate proves it"));
        else
            why_add(w, xstrdup("the file was unlinked by Records Management without overwrite "
                               "(forced deletion right after the destroy, no copy in "
                               "contentstore.deleted)"));
    } else if (pol->eager) {
        why_add(w, xstrdup("unlinked right after the purge, not overwritten; eager cleanup "
                           "never copies to contentstore.deleted"));
    } else {
        why_add(w, xstrdup("no wipe record: the file was unlinked, not overwritten (Alfresco's "
                           "cleaner copies it to contentstore.deleted and unlinks the original; "
                           "that copy is gone without a certificate record)"));
    }
}

static void orphan_words(const struct vpolicy *pol, struct vurl *u, struct why *w, bool file)
{
    char t[TIME_ISO_MAX];
    if (!u->db_known) {
        u->orphan_state = "no_row";
        return;
    }
    if (!u->has_orphan_time) {
        u->orphan_state = "unreferenced";
        why_add(w, xstrdup(file ? "unreferenced but never marked as an orphan: Alfresco will "
                                  "never remove it; it needs manual handling"
                                : "unreferenced, never marked as an orphan: Alfresco will never "
                                  "remove its row"));
        return;
    }
    if (u->orphan_time == 0) {
        u->orphan_state = "orphan_kept";
        why_add(w, xstrdup(file ? "kept after a failed delete (orphan_time 0): Alfresco will "
                                  "never process it again; it needs manual handling"
                                : "its row was kept after a failed delete (orphan_time 0)"));
        return;
    }
    int64_t due = u->orphan_time + pol->protect_ms;
    double days = (double)(pol->now_ms - u->orphan_time) / (double)MS_PER_DAY;
    if (due >= pol->now_ms) {
        u->orphan_state = "orphan_protected";
        if (file)
            why_add(w, xasprintf("orphan_protected (orphaned %.1f days): Alfresco's cleaner "
                                 "will copy it to contentstore.deleted at its first run after "
                                 "%s (cron '%s') and unlink the original without overwriting "
                                 "it; the copy then stays until 'alfwipe wipe' erases it",
                                 days, time_format_iso8601(due, t), pol->cron));
        else
            why_add(w, xasprintf("orphan_protected (orphaned %.1f days): its row will be "
                                 "removed by the cleaner after %s", days,
                                 time_format_iso8601(due, t)));
        return;
    }
    bool overdue = due < pol->now_ms - pol->slack_ms;
    u->orphan_state = overdue ? "orphan_overdue" : "orphan_eligible";
    if (file)
        why_add(w, xasprintf("%s (orphaned %.1f days, due since %s): %s; it will copy the file "
                             "to contentstore.deleted and unlink the original without "
                             "overwriting it",
                             u->orphan_state, days, time_format_iso8601(due, t),
                             overdue ? "Alfresco's cleaner should have taken it already: "
                                       "check that it runs"
                                     : "Alfresco's cleaner takes it at its next run"));
    else
        why_add(w, xasprintf("%s: its row is due for removal by the cleaner since %s",
                             u->orphan_state, time_format_iso8601(due, t)));
}

static void judge_pending(const struct vpolicy *pol, struct vurl *u, struct why *w)
{
    bool in_store = false, in_extra = false, in_deleted = false;
    for (size_t i = 0; i < u->nfiles; i++) {
        const struct vfile *f = &u->files[i];
        why_add(w, xasprintf("%s present in %s: %s (%lld bytes)%s",
                             f->regular ? "file" : "non-regular entry", f->root_name, f->path,
                             (long long)f->size,
                             f->via_link ? ", reached through a symbolic link on the way" : ""));
        in_store |= f->kind == VR_CONTENT;
        in_extra |= f->kind == VR_EXTRA;
        in_deleted |= f->kind == VR_DELETED;
    }
    if (in_store || in_extra) {
        if (u->db_known)
            orphan_words(pol, u, w, true);
        else
            why_add(w, xstrdup("no row left: nothing in Alfresco will ever remove this file; it "
                               "needs manual handling"));
        if (in_extra)
            why_add(w, xstrdup("Alfresco deletes only from its primary store: a copy in another "
                               "root stays until removed by hand"));
    } else {
        orphan_words(pol, u, w, false);
    }
    if (in_deleted)
        why_add(w, xstrdup("Alfresco never empties contentstore.deleted: the copy stays until "
                           "'alfwipe wipe' erases it"));
    for (size_t i = 0; i < u->nrecs; i++) {
        const struct vcertrec *c = u->recs[i];
        char *where = rec_where(c);
        if (c->status && strcmp(c->status, "ERASED") == 0)
            why_add(w, xasprintf("%s says it was ERASED, yet a file is at that path again "
                                 "(restored from a backup, or copied back?)", where));
        else
            why_add(w, xasprintf("the wipe at %s was %s%s%s", where, c->status ? c->status : "?",
                                 c->reason ? ": " : "", c->reason ? c->reason : ""));
        free(where);
    }
}

/* A row found by its full text whose lookup columns do not match it: Alfresco's own (short,
 * crc) lookup misses it, yet it is there and may be referenced. */
static void explain_row_lookup(const struct vurl *u, struct why *w)
{
    if (!u->db_known || !u->by_text)
        return;
    if (u->short_mismatch || u->crc_mismatch) {
        char want_short[13];
        size_t len = strlen(u->url);
        url_short(u->url, len, want_short);
        char *shortp = u->short_mismatch
            ? xasprintf("content_url_short '%s', not '%s'",
                        u->row_short ? u->row_short : "NULL", want_short)
            : NULL;
        char *crcp = u->crc_mismatch
            ? xasprintf("content_url_crc %lld, not %lu", (long long)u->row_crc,
                        (unsigned long)url_crc(u->url, len))
            : NULL;
        why_add(w, xasprintf("its alf_content_url row %lld does not match its URL (%s%s%s): "
                             "the (short, crc) index Alfresco looks URLs up by misses it, so "
                             "it was found by the full URL", (long long)u->id,
                             shortp ? shortp : "", shortp && crcp ? " and " : "",
                             crcp ? crcp : ""));
        free(shortp);
        free(crcp);
    }
    if (u->nmore) {
        char *ids = xasprintf("%lld", (long long)u->more_ids[0]);
        for (size_t i = 1; i < u->nmore; i++) {
            char *n = xasprintf("%s, %lld", ids, (long long)u->more_ids[i]);
            free(ids);
            ids = n;
        }
        why_add(w, xasprintf("%zu more alf_content_url row%s hold%s the same URL (id %s): "
                             "their references count too", u->nmore, u->nmore == 1 ? "" : "s",
                             u->nmore == 1 ? "s" : "", ids));
        free(ids);
    }
}

void verify_judge_url(const struct vpolicy *pol, const struct vresult *r, struct vurl *u)
{
    struct why w = {NULL};
    u->proof = NULL;
    u->orphan_state = u->db_known ? (u->nrefs ? "referenced" : "unreferenced") : "no_row";
    for (size_t i = 0; i < u->nuntrusted; i++)
        why_add(&w, xasprintf("certificate %s is not intact (%s at line %ld): none of its "
                              "records can be relied on", u->untrusted[i]->path,
                              verify_cert_state_name(u->untrusted[i]->state),
                              u->untrusted[i]->bad_line));
    /* u->rel is set only for store:// URLs */
    if (u->rel && strcmp(u->url + strlen("store://"), u->rel) != 0)
        why_add(&w, xasprintf("not a plain path: Alfresco opens this URL as the file %s (empty "
                              "and '.' components dropped, '..' resolved), so that file is the "
                              "one looked for", u->rel));
    explain_row_lookup(u, &w);
    if (u->nrefs > 0) {
        u->verdict = V_NOT_DESTROYED;
        judge_referenced(r, u, &w);
        for (size_t i = 0; i < u->nfiles; i++)
            why_add(&w, xasprintf("file present in %s: %s (%lld bytes)", u->files[i].root_name,
                                  u->files[i].path, (long long)u->files[i].size));
        if (u->db_known && u->has_orphan_time)
            why_add(&w, xstrdup("its orphan mark is stale: a referenced URL is never cleaned"));
    } else if (u->nfiles > 0) {
        u->verdict = V_PENDING;
        judge_pending(pol, u, &w);
    } else {
        bool ev = false;
        const struct vcertrec *c = best_record(u, &ev);
        if (u->db_known)
            orphan_words(pol, u, &w, false);
        if (!u->local)
            why_add(&w, xstrdup("not a store:// URL: its object lives where alfwipe cannot look "
                                "(S3, Azure or another connector)"));
        else
            why_add(&w, xstrdup("no file in contentstore, the extra roots or "
                                "contentstore.deleted"));
        if (ev && u->local) {
            u->verdict = V_DESTROYED;
            u->proof = c;
            char *where = rec_where(c);
            const struct vrun *run = verify_cert_run(c->cert, c->run);
            why_add(&w, xasprintf("erased and verified by 'alfwipe wipe' (%s: status ERASED, "
                                  "%lld of %lld passes, verified by %s read-back, run at line "
                                  "%ld: method %s, verify %s, filesystem %s, assurance %s)",
                                  where, (long long)c->passes_done, (long long)c->passes_total,
                                  c->verify_how ? c->verify_how : "?", run ? run->line : 0L,
                                  run && run->method ? run->method : "?",
                                  run && run->verify ? run->verify : "?",
                                  run && run->filesystem ? run->filesystem : "?",
                                  c->assurance));
            free(where);
        } else if (c) {
            u->verdict = V_DESTROYED_UNVERIFIED;
            char *where = rec_where(c);
            bool erased = c->status && strcmp(c->status, "ERASED") == 0;
            if (erased && !c->verified)
                why_add(&w, xasprintf("%s says ERASED but not verified (the run did not read "
                                      "the last pass back)", where));
            else if (erased)
                why_add(&w, xasprintf("%s says ERASED, but with assurance '%s': the "
                                      "filesystem does not guarantee that the overwrite reached "
                                      "the old blocks", where,
                                      c->assurance ? c->assurance : "unknown"));
            else
                why_add(&w, xasprintf("the wipe at %s was %s%s%s, yet the file is gone: it was "
                                      "removed some other way, without a proven overwrite",
                                      where, c->status ? c->status : "?", c->reason ? ": " : "",
                                      c->reason ? c->reason : ""));
            free(where);
        } else if (!u->db_known && !r->node_known) {
            u->verdict = V_UNKNOWN;
            why_add(&w, xstrdup("unknown to the database (no alf_content_url row) and no "
                                "certificate record: nothing shows it ever existed here"));
        } else {
            u->verdict = V_DESTROYED_UNVERIFIED;
            if (!u->db_known)
                why_add(&w, xstrdup("unknown to the database (no alf_content_url row)"));
            explain_unlinked(pol, r, &w);
        }
    }
    free(u->why);
    u->why = w.s;
}

static int rank(enum vverdict v)
{
    switch (v) {
    case V_NOT_DESTROYED:
        return 4;
    case V_PENDING:
        return 3;
    case V_UNKNOWN:
        return 2;
    case V_DESTROYED_UNVERIFIED:
        return 1;
    default:
        return 0;
    }
}

static bool has_upper(const char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            return true;
    return false;
}

void verify_judge_item(const struct vpolicy *pol, struct vresult *r)
{
    struct why w = {NULL};
    enum vverdict v = V_DESTROYED;
    bool live = false, trash = false, other = false;
    for (size_t i = 0; i < r->node.nrows; i++) {
        const struct vnoderow *n = &r->node.rows[i];
        if (n->deleted || n->ghosted)
            continue;
        if (n->kind == VS_ARCHIVE)
            trash = true;
        else if (n->kind == VS_LIVE)
            live = true;
        else
            other = true;
    }
    if (r->item->uuid) {
        if (!r->node_known && has_upper(r->item->uuid)) {
            char *low = xstrdup(r->item->uuid);
            for (char *p = low; *p; p++)
                *p = (char)tolower((unsigned char)*p);
            why_add(&w, xasprintf("node %s: no alf_node row in any store (uuids are compared "
                                  "exactly as stored, and Alfresco writes them in lower case: "
                                  "try %s)", r->item->uuid, low));
            free(low);
        } else if (!r->node_known)
            why_add(&w, xasprintf("node %s: no alf_node row in any store", r->item->uuid));
        else if (trash)
            why_add(&w, xasprintf("node %s is in the trashcan (archive://SpacesStore): it must "
                                  "be purged first, for example with 'alfwipe purge'",
                                  r->item->uuid));
        else if (live || other) {
            for (size_t i = 0; i < r->node.nrows; i++) {
                const struct vnoderow *n = &r->node.rows[i];
                if (!n->deleted && !n->ghosted)
                    why_add(&w, xasprintf("node %s still exists in %s (%s)", r->item->uuid,
                                          n->store, n->type ? n->type : "?"));
            }
        }
        else if (node_ghosted(r))
            why_add(&w, xasprintf("node %s is a ghosted record (rma:ghosted): its metadata "
                                  "stays, its content properties are gone", r->item->uuid));
        else
            why_add(&w, xasprintf("node %s: only sys:deleted placeholders remain", r->item->uuid));
        if (r->node.nvers)
            why_add(&w, xasprintf("%zu version node%s in workspace://version2Store%s",
                                  r->node.nvers, r->node.nvers == 1 ? "" : "s",
                                  trash ? " (purging the node from the trashcan deletes "
                                          "them with it)" : ""));
        if (trash || live || other)
            v = V_NOT_DESTROYED;
    }
    for (size_t i = 0; i < r->nurls; i++) {
        if (rank(r->urls[i].verdict) > rank(v))
            v = r->urls[i].verdict;
        why_add(&w, xasprintf("%s: %s", r->urls[i].url, verify_verdict_name(r->urls[i].verdict)));
    }
    if (r->nurls == 0) {
        if (!r->item->uuid || !r->node_known) {
            v = V_UNKNOWN;
        } else if (v != V_NOT_DESTROYED) {
            v = V_DESTROYED_UNVERIFIED;
            why_add(&w, xstrdup("the database no longer links it to any content URL, so no file "
                                "could be looked for: give the URL (from an earlier 'alfwipe "
                                "report' or an export) with --url to check it"));
        }
    }
    (void)pol;
    r->verdict = v;
    free(r->why);
    r->why = w.s;
}

int verify_exit_code(const size_t counts[V_NVERDICTS], bool tampered, bool unusable_input)
{
    if (tampered || counts[V_NOT_DESTROYED])
        return 2;
    if (unusable_input)
        return 3;
    for (int v = V_DESTROYED_UNVERIFIED; v < V_NVERDICTS; v++)
        if (counts[v])
            return 1;
    return 0;
}
