/* Private to 'alfwipe purge': what purging the selected trashcan items releases to Alfresco's
 * orphan cleaner, computed from the database (read-only) before anything is deleted. */
#ifndef ALFWIPE_PURGE_INT_H
#define ALFWIPE_PURGE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alfwipe/db.h"
#include "alfwipe/err.h"

#include "alfwipe/conf.h"

struct purge_refs;

/* For each of the n trashcan items (uuids of top-level nodes in archive://SpacesStore), read
 * every content URL its tree and its version history reference, and every reference to those
 * URLs (query q_purge_item_refs). An item whose node is not live in archive://SpacesStore
 * (absent, or only a sys:deleted placeholder) is not found and references nothing. *out owned
 * by the caller (purge_refs_free). */
int purge_refs_collect(struct db *db, const char *const *uuids, size_t n,
                       struct purge_refs **out, struct err *err);

/* Whether the node with this uuid is live (not a sys:deleted placeholder) in
 * <protocol>://SpacesStore, protocol "archive" or "workspace": 1 yes, 0 no, -1 on error. */
int purge_node_live(struct db *db, const char *protocol, const char *uuid, struct err *err);

/* One alf_content_data row that points at a URL an item references: a row of
 * q_purge_item_refs. */
struct purge_ref_row {
    int64_t url_id;
    int64_t data_id;
    int64_t size;           /* the URL's content_size */
    bool inside;            /* the data row belongs to the item (its tree or versions) */
    const char *where;      /* "protocol://identifier/uuid" of the node holding the data row,
                             * or NULL when not known; copied */
};

/* Building the set by hand, as purge_refs_collect does from the rows it reads: n_items items,
 * none found; mark an item found, then add its rows. */
struct purge_refs *purge_refs_new(size_t n_items);
void purge_refs_set_found(struct purge_refs *r, size_t item);
void purge_refs_add(struct purge_refs *r, size_t item, const struct purge_ref_row *row);

/* The outcome for one item, given which items were (or would be) purged. */
struct purge_item_release {
    bool found;            /* the item's node is in the database */
    int64_t bytes;         /* released URLs this item references (a URL shared by two purged
                            * items counts for both here, once in the total) */
    size_t urls;           /* its released URLs */
    size_t kept_urls;      /* its URLs still referenced from outside the purged items */
    char *shared_with;     /* owned: one outside reference, e.g. workspace://SpacesStore/<uuid>,
                            * or "N other references"; NULL when nothing is kept */
};

struct purge_release_total {
    int64_t bytes;         /* distinct released URLs */
    size_t urls;
    size_t kept_urls;      /* URLs of purged items still referenced elsewhere */
};

/* purged[i]: item i went (purged by this run, or gone from the trashcan without being
 * restored). A URL is released when every data row pointing at it belongs to an item that
 * went. Fills items[0..n-1] (release the shared_with strings with free) and *tot. */
void purge_refs_release(const struct purge_refs *r, const bool *purged,
                        struct purge_item_release *items, struct purge_release_total *tot);

void purge_refs_free(struct purge_refs *r);

/* When the released URLs reach the orphan cleaner, from the policy (orphan_protect_days,
 * default 14; eager_orphan_cleanup) and system.content.orphanCleanup.cronExpression of
 * alfresco-global.properties (default "0 0 4 * * ?"). */
struct purge_release_when {
    bool eager;                /* unlinked right after the purge commits, no copy kept */
    int64_t protect_days;
    int64_t orphan_time_ms;    /* the mark: the purge time (not set with eager cleanup) */
    int64_t cleaner_after_ms;  /* the cleaner takes the URL at its first run after this */
    const char *cron;          /* borrowed from conf */
};
void purge_release_when(const struct conf *conf, int64_t purge_ms, struct purge_release_when *w);

#endif
