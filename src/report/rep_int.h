/* Private structures of the report engine: what scan.c builds and output.c prints. */
#ifndef ALFWIPE_REP_INT_H
#define ALFWIPE_REP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "alfwipe/cli.h"
#include "alfwipe/report.h"
#include "alfwipe/timeutil.h"
#include "alfwipe/xalloc.h"

enum store_kind { SK_LIVE = 0, SK_VERSION, SK_ARCHIVE };

struct rstore {
    int64_t id;
    char *protocol, *identifier;
    int64_t root_node_id;
    bool has_root;
    enum store_kind kind;
    uint64_t urls, bytes;     /* distinct URLs referenced from this store */
};

enum root_kind { RK_CONTENT = 0, RK_EXTRA, RK_DELETED };

struct rroot {
    char *name;               /* "contentstore", "contentstore_deleted", "extra_roots[0]" */
    char *path;               /* as configured */
    char *source;             /* where the setting came from, for messages */
    enum root_kind kind;
    bool missing_ok;          /* a missing root is a note, not an error */
    bool missing;
    uint64_t files, bytes;    /* regular files found */
    uint64_t matched;         /* files that belong to a URL row */
    uint64_t dev;             /* the root directory's device: the walk stays on it */
};

struct trash_item {
    int64_t node_id;
    char *uuid;
    char *name;               /* cm:name; NULL when absent */
    char *by;                 /* sys:archivedBy */
    char *date_raw;           /* sys:archivedDate as stored */
    bool has_date;            /* parsed */
    int64_t archived_ms;
    unsigned findings;        /* F_TRASHCAN_EXPIRED, F_NO_ARCHIVED_DATE */
    uint64_t urls, bytes, reclaimable;
};

/* One file under a root, attached to an item. */
struct rfile {
    const struct rroot *root;
    const char *path;
    size_t path_len;
    int64_t size;
    int64_t mtime_ms;
    unsigned type;            /* enum walk_type */
};

/* One line of the report, as handed to the writers. Everything is borrowed. */
struct ritem {
    enum rclass cls;
    unsigned findings;
    const char *url;          /* content URL (derived "store://<path>" for a disk-only file) */
    size_t url_len;
    const char *protocol;
    bool has_size;
    int64_t size;             /* content_size, or the file size for disk-only items */
    bool has_disk_size;
    int64_t disk_size;        /* first file's size when it differs (size_mismatch) */
    bool encrypted;
    bool has_orphan_time;
    int64_t orphan_time;
    bool has_age;
    int64_t age_ms;
    bool has_eligible;
    int64_t eligible_after;   /* orphans: first cleaner run after this instant may take it */
    const struct rfile *files;
    size_t nfiles;
    char *const *node_refs;   /* "workspace://SpacesStore/<uuid>" */
    size_t nrefs;
    char *const *trash_uuids; /* trashcan items the URL belongs to */
    size_t ntrash;
    uint32_t nlink;           /* hard_linked: the file's link count */
    const struct rfile *links;/* hard_linked: the other names of its inode the walk saw */
    size_t nlinks;
};

struct class_total {
    uint64_t count, bytes;
};

/* *total += bytes (a negative size adds nothing), held at INT64_MAX: byte totals are written
 * as JSON integers, and several content_size values near 2^63 must not wrap. */
static inline void bytes_add(uint64_t *total, int64_t bytes)
{
    *total = (uint64_t)i64_add_sat((int64_t)*total, bytes > 0 ? bytes : 0);
}

struct proto_total {
    char *protocol;
    uint64_t count, bytes;
};

enum bucket_set { BS_TRASHCAN = 0, BS_ORPHANS, BS_DELETED, BS_COUNT };

struct rsummary {
    struct class_total cls[CLS_COUNT];
    struct proto_total *protos;
    size_t nprotos, protos_cap;
    uint64_t findings[F_COUNT_BITS];
    struct class_total buckets[BS_COUNT][AGE_NBUCKETS];
    uint64_t critical_missing;      /* live/version/trashcan URLs without a file */
    uint64_t critical_not_regular;  /* ... whose path holds only a non-regular file */
    uint64_t strays_past_grace;
    bool has_oldest_protected;
    int64_t oldest_protected_eligible; /* earliest eligible_after among protected orphans */
    bool has_oldest_trash;
    int64_t oldest_trash_ms;
};

/* Status decided at the end of a run. */
struct rstatus {
    int exit_code;
    char **reasons;
    size_t nreasons, cap;
};
void rstatus_add(struct rstatus *st, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void rstatus_release(struct rstatus *st);

struct db;
struct db_value;

/* The whole run's context. */
struct report {
    struct rpolicy pol;
    struct conf *conf;           /* the password is loaded lazily */
    int verbosity;
    enum out_format fmt;
    /* database */
    char *engine, *engine_version;
    int64_t schema_min, schema_max;
    struct rstore *stores;
    size_t nstores;
    /* disk */
    struct rroot *roots;
    size_t nroots;
    /* trashcan */
    struct trash_item *trash;
    size_t ntrash;
    /* results */
    struct rsummary sum;
    struct rstatus status;
    char **problems;          /* walk problems (mount points, unreadable directories) */
    size_t nproblems, problems_cap;
    /* contentstore holds no file while the database has this many store:// URLs: the report
     * goes on only if an extra root holds files of the database's URLs (else R16, exit 3) */
    long long cs_empty_urls;
};

/* Trashcan trees (tree.c): archive nodes with their primary parent, sorted by id. */
struct tree_node {
    int64_t id, parent;       /* parent -1: none */
    int item;                 /* trashcan item index, -1 none; internal marks below -1 */
};
struct tree {
    struct tree_node *v;
    size_t n, cap;
    size_t *path, path_cap;   /* scratch for tree_item */
};
/* The index of the trashcan item whose top node has this id, or -1. */
typedef int tree_top_fn(const void *arg, int64_t node_id);
/* Append a node; ids must come in ascending order (tree_find searches by halving). */
void tree_add(struct tree *t, int64_t id, int64_t parent);
/* Index of node id, or -1. */
long tree_find(const struct tree *t, int64_t id);
/* The item the node at idx belongs to (the first node up its chain of primary parents for which
 * top answers >= 0), or -1 when the chain ends, or loops, without one. Results are cached on
 * every node of the chain; any depth is followed. */
int tree_item(struct tree *t, size_t idx, tree_top_fn *top, const void *arg);
void tree_release(struct tree *t);

/* Content references (refs.c): one pair per (content URL, node whose content property points
 * at one of the URL's content data rows), sorted by URL id then node id; a content data row that
 * no existing node's property points at gives one pair with node CREF_DANGLING (sorted first). */
#define CREF_DANGLING INT64_MIN
struct cref {
    int64_t url_id, node_id;
    uint32_t uuid;            /* the node's uuid: crefs_uuid */
    int32_t store;            /* index in r->stores, -1 unknown */
};
/* Node uuids: the usual lowercase 8-4-4-4-12 hex form in 16 bytes, any other text as is. */
struct cuuids {
    unsigned char (*bin)[16];
    size_t nbin, bin_cap;
    struct arena text;
    size_t *text_off;
    size_t ntext, text_cap;
};
struct cprop;
struct cdata;
struct crefs {
    struct cref *v;
    size_t n, cap;
    struct cuuids uuids;
    int64_t *enc;             /* encrypted content URL ids, sorted */
    size_t nenc, enc_cap;
    /* after crefs_join, when the url ids are dense enough: at[id - at_min] is the first pair
     * of that url id, CREF_NONE when it has none (else crefs_of searches v) */
    uint32_t *at;
    int64_t at_min;
    size_t at_n;
    /* until crefs_join: the content data rows (crefs_load_data) and the content properties
     * with their nodes (crefs_load_props), read on two sessions of the same snapshot */
    struct cdata *d;
    size_t nd, dcap;
    struct cprop *p;
    size_t np, pcap, hint;
};
/* Read the content data rows and the encrypted URLs. */
int crefs_load_data(struct crefs *cr, struct db *db, bool has_encryption, struct err *err);
/* Read the content properties and their nodes. content_qnames: the eight known d:content
 * qname ids ("-1" when absent) for rows written with actual_type_n 3. */
int crefs_load_props(struct crefs *cr, struct db *db, const struct report *r,
                     const char *const *content_qnames, struct err *err);
/* Once both are loaded: the pairs; frees what they were made of. */
void crefs_join(struct crefs *cr);
/* The pairs of url_id (*n of them, dangling ones first). */
const struct cref *crefs_of(const struct crefs *cr, int64_t url_id, size_t *n);
bool crefs_encrypted(const struct crefs *cr, int64_t url_id);
/* The uuid of a pair's node as text: in buf, or in the pairs' own storage. */
#define CREF_UUID_MAX 37
const char *crefs_uuid(const struct crefs *cr, const struct cref *ref, char buf[CREF_UUID_MAX]);
void crefs_release(struct crefs *cr);
/* Index in r->stores of the store with this id, -1 when unknown (scan.c). */
int report_store_index(const struct report *r, int64_t id);

/* "store://" + a relative path is the URL of a file under a content root. */
#define STORE_PREFIX "store://"
#define STORE_PREFIX_LEN (sizeof STORE_PREFIX - 1)
/* Compare "store://" + path with url, byte-wise, shorter first (scan.c). */
int report_cmp_path_url(const char *path, size_t plen, const char *url, size_t ulen);

/* Content URL rows matched to the sorted walk (urls.c), handed out in byte order. */
struct walk;
struct urow {
    int64_t id, size, orphan_time;   /* orphan_time UROW_NO_ORPHAN: NULL */
};
#define UROW_NO_ORPHAN INT64_MIN
struct udup {
    uint32_t entry, row;      /* a second row with the URL of walk entry 'entry' */
};
struct uloose {
    size_t off;               /* the URL's text in strs */
    size_t len;
    uint32_t row;
};
struct utext {
    size_t off;               /* a row's URL in strs, until uindex_match */
    size_t len;
};
struct uindex {
    const struct walk *w;
    uint32_t *slot;           /* hash table of walk paths: first entry of a path + 1, 0 free */
    size_t mask;
    uint32_t *first;          /* per walk entry: the row whose URL is store://<path>, or none */
    struct urow *rows;
    size_t n, cap;
    struct udup *dups;
    size_t ndups, dups_cap;
    struct uloose *loose;     /* URLs that match no walked path */
    size_t nloose, loose_cap;
    struct utext *text;       /* per row, until the walk is attached */
    size_t text_cap;
    struct arena strs;
    /* Called when the rows kept before the walk is complete reach UINDEX_KEEP_MAX bytes of
     * text: returns the complete walk (or NULL with err filled). */
    const struct walk *(*wait)(void *arg, struct err *err);
    void *wait_arg;
    size_t keep_max;          /* UINDEX_KEEP_MAX */
};
#define UINDEX_KEEP_MAX (8u << 20)
void uindex_init(struct uindex *u);
/* db_row_fn for q_report_url_rows: id, content_url, content_size, orphan_time. Rows that come
 * before the walk is attached are kept with their text (see wait). */
int uindex_row(void *arg, const struct db_value *c, int nc, struct err *err);
/* After the last row, with the walk complete (sorted by walk_sort): match each URL kept so far
 * to its path, order what matched none. */
void uindex_match(struct uindex *u, const struct walk *w);
/* A position in the URL order, and what reading from it needs. Positions between two URLs
 * (struct upos) can be taken and resumed, by several readers at once. */
struct upos {
    size_t entry, loose_at, dup_at;
};
struct ucursor {
    struct upos at;           /* the next URL's group */
    size_t gpos, ngroup, group_cap, url_cap;
    uint32_t *group;          /* rows of the group being read, by id */
    char *url;
};
void ucursor_init(struct ucursor *c, struct upos at);
void ucursor_release(struct ucursor *c);
/* After uindex_match: true when a URL row names the path of walk entry i (the first entry of
 * that path). */
bool uindex_has_row(const struct uindex *u, size_t i);
/* The next row in byte order of the URL (ties by id); false at the end. *url stays valid
 * until the next call. u is only read: each reader has its own cursor. */
bool uindex_next(const struct uindex *u, struct ucursor *c, const struct urow **row,
                 const char **url, size_t *len);
/* Past the next URL's rows without reading them (c between two URLs): false at the end, else
 * the rows' count and, when the URL is a walked path, its first walk entry (*entry, true
 * returned in *walked), else the URL itself. */
bool uindex_skip(const struct uindex *u, struct ucursor *c, size_t *nrows, bool *walked,
                 size_t *entry, const char **url, size_t *len);
void uindex_release(struct uindex *u);

/* Writers (output.c). */
struct rwriter {
    enum out_format fmt;
    FILE *fp;                 /* final destination */
    FILE *text_items;         /* text: items buffered until the summary is printed */
    bool all_items;           /* text: -v shows every item */
    size_t nitems;
    int error;                /* errno of a failed write */
    const char *dest;         /* the --output file a write error names, or NULL */
    char *jbuf;               /* json: the item being encoded (output.c) */
    size_t jlen, jcap;
    struct json_t *jstr, *jreal; /* json: values reused to encode strings and reals */
};
/* JB_HIGH when s has a byte >= 0x80, JB_ESCAPE when it has a control byte, '"' or
 * '\\' (what a JSON string must escape); 0 when it can be copied between quotes as it is. */
enum { JB_HIGH = 1, JB_ESCAPE = 2 };
unsigned rw_json_scan(const char *s, size_t len);
int rw_begin(struct rwriter *w, const struct report *r, FILE *fp, struct err *err);
void rw_item(struct rwriter *w, const struct report *r, const struct ritem *it);
int rw_end(struct rwriter *w, const struct report *r, struct err *err);
/* Frees what the writer keeps between items. */
void rw_release(struct rwriter *w);

/* The engine (scan.c): fills r and streams items to w. Returns an exit code. */
int report_run(struct report *r, struct rwriter *w, FILE *fp);

#endif
