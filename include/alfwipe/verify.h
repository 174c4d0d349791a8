/* alfwipe verify: prove that content is gone. Input items (nodes, node refs, content URLs), the
 * evidence gathered for each from the database, the content roots and the wipe certificates,
 * and the verdict rules. Input parsing and the rules are pure (no I/O beyond the FILE given);
 * gathering lives in src/verify/gather.c and src/verify/certs.c. */
#ifndef ALFWIPE_VERIFY_H
#define ALFWIPE_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "alfwipe/conf.h"
#include "alfwipe/db.h"
#include "alfwipe/err.h"

/* ---- input ------------------------------------------------------------------------------ */

enum vtok_kind { VTOK_UUID = 0, VTOK_NODE_REF, VTOK_URL };

/* Classify one token: a node uuid (1-36 characters of letters, digits, '-' and '_'), a node
 * ref (<workspace|archive|user|system>://<store>/<uuid>) or a content URL (<protocol>://<rest>;
 * a store:// URL must resolve, as Alfresco opens it, to a file inside the store: empty, '.' and
 * '..' components are allowed while they stay inside). On success *uuid_out (owned) is the uuid
 * for a uuid or node ref, NULL for a URL. -1 with err (ERR_DATA, message naming the token)
 * otherwise. */
int verify_classify(const char *tok, enum vtok_kind *kind, char **uuid_out, struct err *err);

/* One thing to check: a node, one or more content URLs, or both. */
struct vitem {
    char *source;        /* "--node", "--url", or the file name */
    long line;           /* line in the file; 0 for arguments */
    char *given;         /* the input as written (for the report) */
    char *uuid;          /* node uuid, NULL when only URLs were given */
    char *node_ref;      /* the node ref as given, NULL when a bare uuid or none */
    char **urls;         /* URLs given with the item */
    size_t nurls;
};

/* A line that could not be used. */
struct vbad {
    char *source;
    long line;
    char *text;          /* the line as read (trimmed) */
    char *msg;           /* why, lower case */
};

struct vinput {
    struct vitem *items;
    size_t nitems, cap;
    struct vbad *bad;
    size_t nbad, badcap;
};

/* Add --node TOKEN (a new item) or --url TOKEN (attached to the item of the --node right
 * before it, else an item of its own). -1 with err for a malformed token. */
int verify_add_arg(struct vinput *in, bool is_url, const char *tok, struct err *err);

/* Read a list (--from): one uuid, node ref or URL per line, '#' comments and blank lines
 * ignored; or CSV whose first line is a header naming the columns (node, node_ref, noderef,
 * uuid, nodeRef for nodes; url, content_url, contentUrl for URLs; other columns ignored).
 * Malformed lines are appended to in->bad with their line number and the others are still
 * read. -1 with err only when fp cannot be read or the header names no usable column. */
int verify_read_list(struct vinput *in, FILE *fp, const char *name, struct err *err);

void verify_input_release(struct vinput *in);

/* ---- certificates ----------------------------------------------------------------------- */

enum vcert_state { VC_INTACT = 0, VC_TAMPERED, VC_NEEDS_KEY, VC_UNREADABLE, VC_ABSENT };

struct vrun {
    char *run;
    long line;                 /* header line */
    char *method, *verify, *filesystem, *assurance, *chain, *tool_version, *host, *operator_name;
    char *started, *ended;
    long footer_line;          /* 0: no footer */
};

struct vcertrec {
    const struct vcert *cert;
    long line;
    char *run, *content_url, *root, *path, *status, *reason, *verify_how, *assurance;
    char *started, *ended;
    bool verified;
    int64_t size, passes_done, passes_total, bytes_verified;
};

struct vcert {
    char *path;
    bool configured;           /* from wipe.certificate (absent is then no error) */
    enum vcert_state state;
    long bad_line;
    char problem[ERR_MSG_MAX];
    long lines, runs, runs_complete, runs_incomplete, records;
    bool last_open;            /* intact, but the last run has no footer: interrupted, or
                                  lines cut off the end of the file */
    long last_open_line;       /* that run's header line */
    long plain_from;           /* intact, and the runs from this header line on have a plain
                                * SHA-256 chain that no keyed run follows: anyone able to
                                * write the file could have recomputed them; 0 when none */
    bool in_progress;          /* ... and a wipe holds wipe.lock_file: it is still running */
    long files[4];             /* ERASED, FAILED, REFUSED, ABORTED */
    struct vrun *runv;
    size_t nruns;
    struct vcertrec *recs;
    size_t nrecs;
};

/* Check path (state, bad line, problem) and collect its runs and file records. key NULL: no
 * wipe.hmac_key_file; with a key, a run that is not keyed counts as tampering (its chain could
 * have been recomputed by anyone). Records are collected only when the certificate is intact.
 * Never fails: an unreadable file becomes VC_UNREADABLE (VC_ABSENT when missing and
 * configured is true). */
void verify_cert_load(struct vcert *c, const char *path, bool configured, const uint8_t *key,
                      size_t keylen);
/* For an intact certificate whose last run has no footer, whether that run is a wipe running
 * now: c is the file wipe_cert (wipe.certificate, the same device and inode however the path
 * is spelled) and someone holds an flock on lock_file (looked up in /proc/locks, without taking
 * any lock). Sets c->in_progress. */
void verify_cert_check_open(struct vcert *c, const char *lock_file, const char *wipe_cert);
void verify_cert_release(struct vcert *c);
const char *verify_cert_state_name(enum vcert_state s);
const struct vrun *verify_cert_run(const struct vcert *c, const char *run);

/* ---- evidence --------------------------------------------------------------------------- */

enum vverdict { V_DESTROYED = 0, V_DESTROYED_UNVERIFIED, V_PENDING, V_NOT_DESTROYED, V_UNKNOWN,
                V_NVERDICTS };
const char *verify_verdict_name(enum vverdict v);

enum vstore_kind { VS_LIVE = 0, VS_ARCHIVE, VS_VERSION, VS_OTHER };
enum vstore_kind verify_store_kind(const char *protocol, const char *identifier);

/* One alf_node row of the item's uuid. */
struct vnoderow {
    int64_t id;
    char *store;               /* protocol://identifier */
    enum vstore_kind kind;
    char *type;                /* prefixed when known: cm:content, sys:deleted, or {uri}local */
    bool deleted, ghosted, record;
    char *archived_date, *archived_by;  /* archived_date as time_format_iso8601 writes it */
    char *archived_raw;        /* sys:archivedDate as stored, when it does not parse */
    bool has_commit;
    int64_t commit_ms;
    int64_t ncontent;          /* content properties it still has */
};

struct vversion {
    int64_t id;
    char *uuid, *label;
};

/* Who references a URL: one alf_content_data row, with the node holding it when any. */
struct vref {
    int64_t data_id;
    bool has_node;
    char *node_ref;            /* protocol://identifier/uuid */
    enum vstore_kind kind;
    char *prop;                /* cm:content or {uri}local */
    char *type;                /* the node's type local name */
    bool ghosted;
    char *archived_date, *archived_by, *frozen_ref;
    char *archived_raw;        /* sys:archivedDate as stored, when it does not parse */
    int64_t node_id;
    char *archived_item;       /* node ref of the trashcan item a descendant belongs to */
    enum vfrozen { VF_UNKNOWN = 0, VF_GONE, VF_TRASH, VF_LIVE } frozen_state;
                               /* a version node: where the node it freezes is now (in the
                                * trashcan, purging it deletes its version history too) */
};

enum vroot_kind { VR_CONTENT = 0, VR_EXTRA, VR_DELETED };

struct vfile {
    char *root_name;           /* "contentstore", "extra_roots[0]", ... */
    enum vroot_kind kind;
    char *path;                /* full path */
    int64_t size;
    bool regular;              /* false: a symlink or other non-regular entry */
    bool via_link;             /* reached only by following a symbolic link on the way (a
                                * linked directory): content is there, so nothing is proved */
};

struct vurl {
    char *url;
    bool given;                /* named in the input (not only found through the node) */
    bool local;                /* a store:// URL alfwipe can look for on disk */
    char *rel;                 /* owned: the path below each root that Alfresco opens for it
                                * (url_resolved_path; empty, '.' and '..' components resolved),
                                * NULL when not local */
    bool db_known;
    int64_t id, size;
    bool by_text;              /* the row was found by its full text, not through the (short,
                                * crc) index */
    bool short_mismatch;       /* ... and its content_url_short, */
    bool crc_mismatch;         /* ... or its content_url_crc, does not match its text */
    char *row_short;           /* owned: the row's content_url_short, when by_text */
    int64_t row_crc;
    int64_t *more_ids;         /* owned: further rows holding the same text (only by text, when
                                * some are inconsistent): their references count too */
    size_t nmore;
    bool has_orphan_time;
    int64_t orphan_time;
    struct vref *refs;
    size_t nrefs;
    struct vfile *files;
    size_t nfiles;
    const struct vcertrec **recs;     /* borrowed, trusted certificates only */
    size_t nrecs;
    const struct vcert **untrusted;   /* certificates not intact that could not be used */
    size_t nuntrusted;
    /* the rules' result */
    enum vverdict verdict;
    const char *orphan_state;
    char *why;
    const struct vcertrec *proof;     /* the ERASED record the verdict rests on, if any */
};

struct vnode {
    struct vnoderow *rows;
    size_t nrows;
    struct vversion *vers;
    size_t nvers;
};

/* The policy the rules need. */
struct vpolicy {
    int64_t now_ms, protect_ms, slack_ms;
    bool eager;                /* system.content.eagerOrphanCleanup */
    bool cleansing;            /* rm.content.cleansing.enabled */
    const char *cron;          /* system.content.orphanCleanup.cronExpression */
};

struct vresult {
    const struct vitem *item;
    struct vnode node;
    bool node_known;           /* any row with the uuid */
    struct vurl *urls;
    size_t nurls;
    enum vverdict verdict;
    char *why;
};

/* The rules: decide u->verdict, u->orphan_state, u->why (owned) and u->proof from the evidence
 * in u and the item's node (r->node). Then the item's verdict and why. Pure. */
void verify_judge_url(const struct vpolicy *pol, const struct vresult *r, struct vurl *u);
/* An explanation (why) holds findings joined with "; ". The length of the first finding of s:
 * up to the first "; " outside parentheses (a finding's own parenthesis may hold "; "), else
 * all of s. Pure. */
size_t verify_why_finding_len(const char *s);
void verify_judge_item(const struct vpolicy *pol, struct vresult *r);

/* Exit code of a run: 2 when any item is not_destroyed or a certificate is tampered with;
 * else 3 when some input could not be checked (malformed lines, unusable certificate); else
 * 0 when every item is destroyed, 1 otherwise. */
int verify_exit_code(const size_t counts[V_NVERDICTS], bool tampered, bool unusable_input);

/* ---- gathering -------------------------------------------------------------------------- */

struct vroot {
    char *name, *path;
    const char *origin;        /* where the setting came from (borrowed from the conf), or NULL */
    enum vroot_kind kind;
    bool missing;              /* a missing contentstore.deleted (eager setups): no files */
};

/* Fill r (item given) from the database: node rows, versions, the node's URLs, then for every
 * URL its row and references. db may be NULL (no database: URLs only, nothing known). */
int verify_gather_db(struct db *db, struct vresult *r, struct err *err);
/* Look for each URL's file in every root (no symlink followed, path kept inside the root). */
void verify_gather_files(const struct vroot *roots, size_t nroots, struct vresult *r);
/* Attach the certificate records for each URL. */
void verify_gather_certs(const struct vcert *certs, size_t ncerts, struct vresult *r);

void verify_result_release(struct vresult *r);

#endif
