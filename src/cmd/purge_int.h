/* Private to 'alfwipe purge': what purging the selected trashcan items releases to Alfresco's
 * orphan cleaner, computed from the database (read-only) before anything is deleted. */
#ifndef ALFWIPE_PURGE_INT_H
#define ALFWIPE_PURGE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alfwipe/db.h"
#include "alfwipe/err.h"

struct purge_refs;

/* For each of the n trashcan items (uuids of top-level nodes in archive://SpacesStore), read
 * every content URL its tree and its version history reference, and every reference to those
 * URLs (query q_purge_item_refs). *out owned by the caller (purge_refs_free). */
int purge_refs_collect(struct db *db, const char *const *uuids, size_t n,
                       struct purge_refs **out, struct err *err);

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

/* purged[i]: item i went. Fills items[0..n-1] (release the shared_with strings with free) and
 * *tot. */
void purge_refs_release(const struct purge_refs *r, const bool *purged,
                        struct purge_item_release *items, struct purge_release_total *tot);

void purge_refs_free(struct purge_refs *r);

#endif
