/* The report model: classes, findings and the rules that assign them. Pure functions here;
 * the database/disk merge lives in src/report/scan.c and the writers in src/report/output.c. */
#ifndef ALFWIPE_REPORT_H
#define ALFWIPE_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "alfwipe/timeutil.h"

enum rclass {
    /* URL side */
    CLS_LIVE = 0,
    CLS_VERSION,
    CLS_TRASHCAN,
    CLS_ORPHAN_PROTECTED,
    CLS_ORPHAN_ELIGIBLE,
    CLS_ORPHAN_OVERDUE,
    CLS_ORPHAN_KEPT,
    CLS_UNREFERENCED,
    CLS_NON_FILE,
    /* disk side */
    CLS_STRAY,
    CLS_DELETED,
    CLS_DELETED_REFERENCED,
    CLS_COUNT
};

enum finding {
    F_MISSING_FILE = 1u << 0,      /* no file in any content root */
    F_SIZE_MISMATCH = 1u << 1,     /* file size differs from content_size (not encrypted) */
    F_STALE_ORPHAN_MARK = 1u << 2, /* referenced, yet orphan_time is set */
    F_SHARED = 1u << 3,            /* referenced by several nodes */
    F_TRASHCAN_EXPIRED = 1u << 4,  /* in (or from) a trashcan item older than the keep period */
    F_NO_ARCHIVED_DATE = 1u << 5,  /* trashcan item without sys:archivedDate */
    F_IN_FLIGHT = 1u << 6,         /* file younger than the in-flight grace period */
    F_DANGLING_DATA = 1u << 7,     /* alf_content_data rows point at it, but no node property */
    F_INVALID_URL = 1u << 8,       /* store:// URL with no safe path (it would leave the root) */
    F_NOT_REGULAR = 1u << 9,       /* a symlink, FIFO, socket, device or directory where a
                                    * file belongs */
    F_NOT_WALKED = 1u << 10,       /* no file found, but its directory was not walked (another
                                    * filesystem, unreadable): unknown, not missing */
    F_HARD_LINKED = 1u << 11,      /* a file in contentstore.deleted with more than one name */
    F_NOT_CONTENT_NAME = 1u << 12, /* a file in contentstore.deleted not named <guid>.bin */
    F_COUNT_BITS = 13
};

const char *rclass_name(enum rclass c);

/* Classes that raise the report's status on their own, without a finding on the item:
 * overdue, kept and unreferenced orphans, strays (past the grace period unless in_flight) and
 * files in contentstore.deleted whose URL is still referenced. The text output lists these
 * items beside the ones with findings, so that a WARNING always names its items. */
bool rclass_needs_attention(enum rclass c);
/* Name of a single finding bit. */
const char *finding_name(unsigned bit);

/* The policy in milliseconds, with "now". */
struct rpolicy {
    int64_t now_ms;
    int64_t protect_ms;   /* orphan_protect_days */
    int64_t slack_ms;     /* cleaner_slack_days */
    int64_t keep_ms;      /* trashcan keep period */
    int64_t grace_ms;     /* in_flight_grace_minutes */
    bool eager;
};

/* What the database says about one content URL. */
struct url_facts {
    bool is_store;        /* protocol is store:// */
    bool has_live;        /* referenced by a node outside the archive and version stores */
    bool has_version;     /* ... from a version store */
    bool has_archive;     /* ... from archive://SpacesStore */
    bool has_dangling;    /* an alf_content_data row without a node property */
    bool orphan_set;      /* orphan_time IS NOT NULL */
    int64_t orphan_time;  /* ms; 0 = kept */
};

/* Exactly one class for a URL row. The protocol decides first (non_file), then the strongest
 * reference (live > version > trashcan), then the orphan state. A URL referenced only by
 * dangling content data is 'unreferenced' (Alfresco will never clean it) with F_DANGLING_DATA
 * added by the caller. */
enum rclass classify_url(const struct url_facts *f, const struct rpolicy *p);

/* Class of a file that no URL item claims: under contentstore.deleted 'deleted' (a wipe
 * candidate) unless a URL row with that path is still referenced ('deleted_referenced');
 * under a content root (contentstore, extra roots) a file without a URL row is 'stray'. */
enum rclass classify_file(bool in_deleted_root, bool url_referenced);

/* True when a file of this age (now - mtime, negative for a future mtime) is younger than the
 * in-flight grace period: it may belong to a transaction that has not committed yet. */
bool file_in_flight(int64_t age_ms, const struct rpolicy *p);

/* a + b and a - b, held at the int64 limits instead of overflowing: instants and ages come
 * from database rows and file times, which can hold any value. */
static inline int64_t i64_add_sat(int64_t a, int64_t b)
{
    int64_t r;
    return __builtin_add_overflow(a, b, &r) ? (b > 0 ? INT64_MAX : INT64_MIN) : r;
}

static inline int64_t i64_sub_sat(int64_t a, int64_t b)
{
    int64_t r;
    return __builtin_sub_overflow(a, b, &r) ? (b < 0 ? INT64_MAX : INT64_MIN) : r;
}

/* When Alfresco's cleaner may first take an orphan: orphan_time + protect (strictly after). */
static inline int64_t orphan_eligible_after(int64_t orphan_time, const struct rpolicy *p)
{
    return i64_add_sat(orphan_time, p->protect_ms);
}

/* True when a trashcan item archived at archived_ms is past the keep period. */
bool trash_expired(int64_t archived_ms, const struct rpolicy *p);

/* An empty contentstore while the database references store:// URLs is an unmounted volume,
 * not missing content. *nurls gets the number of store:// URLs the database references when
 * the directory contentstore holds no regular file anywhere below it (a depth-first probe that
 * stops at the first file; links are not followed), else 0. 0, or -1 with err (the query). */
struct db;
struct err;
int report_store_unmounted(struct db *db, const char *contentstore, long long *nurls,
                           struct err *err);
/* The error for that case, in the same words for every command ("content root '...' is
 * empty while the database references N store:// URLs; is it mounted?"); also, when given,
 * follows the hint. Returns -1. */
int report_unmounted_error(struct err *err, const char *contentstore, long long nurls,
                           bool extra_roots, const char *also);

/* Write bytes for text output (report, wipe): valid UTF-8 as is, a backslash as two, a
 * control byte (below 0x20, 0x7f) or a byte outside valid UTF-8 as \xNN. */
void text_escape(FILE *fp, const char *s, size_t len);

/* Set obj.key to the bytes s (len): a JSON string when they are valid UTF-8, else the string
 * with each invalid byte as U+FFFD plus key_base64 holding the exact bytes; null for NULL. */
struct json_t;
void json_set_bytes(struct json_t *obj, const char *key, const char *s, size_t len);

#endif
