/* alfwipe wipe: the state of one run, shared by the option parsing and output (wipe.c), the
 * engine that walks, checks and overwrites (wipe_run.c) and the records (wipe_rec.c). */
#ifndef ALFWIPE_WIPE_CMD_H
#define ALFWIPE_WIPE_CMD_H

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "alfwipe/cli.h"
#include "alfwipe/wipe_cert.h"
#include "../wipe/wipe_int.h"

/* A record's status; WST_WOULD only in a dry run. Same order as enum cert_status_idx. */
enum wst { WST_ERASED = 0, WST_FAILED, WST_REFUSED, WST_ABORTED, WST_WOULD, WST_N };

/* Worker threads of a batch's last stage (read back, remove) and of a large file's read-back:
 * the device gets several requests at once, and block freeing runs in parallel. */
#define WIPE_THREADS 16

struct wroot {
    char *name;                  /* "contentstore_deleted", or the --root path as given */
    char *path;                  /* resolved once at start */
    char *url_prefix;            /* owned: where the root lies inside contentstore.deleted
                                  * ("" for the store itself, "2024/" below it); a file's URL
                                  * is store://<url_prefix><path below the root> */
    int fd;
    struct wipe_fsinfo fi;
};

struct wrec {
    uint32_t root;
    char *rel;                   /* owned, relative to the root */
    char *url;                   /* owned, store://rel; NULL when rel has no URL */
    int64_t size, mtime_ms;
    uint64_t dev, ino;
    uint32_t nlink;
    enum wst st;
    char *reason;                /* owned; NULL when none */
    unsigned passes_done, passes_total;
    uint64_t bytes_written, bytes_verified;
    bool verified;
    enum wipe_check_how how;
    bool guaranteed;
    bool removed;
    char *earlier;               /* owned: how an earlier run left this file, or NULL */
    int64_t started_ms, ended_ms;
};

struct wopts {
    const char *method;
    const char *verify;
    bool final_zero, final_zero_set;
    bool dry_run;
    int64_t min_age_days;
    bool min_age_set;
    uint64_t max_files, max_bytes, max_seconds;   /* 0: no bound */
    const char **roots;
    size_t nroots;
    bool keep;
    bool no_db_check;
    bool allow_unsafe;
    const char *operator_name;
    const char *certificate;
    enum out_format fmt;
    const char *output;
};

struct wpipe;

struct wrun {
    const struct ctx *ctx;
    struct conf *conf;
    struct wopts o;
    struct wipe_schedule sched;
    struct wipe_key key;
    char key_id[17];
    char run_id[33];
    int64_t min_age_ms;
    struct wroot *roots;
    size_t nroots;
    struct wipe_cands cands;
    struct wipe_journal journal;
    bool have_journal;
    struct cert_writer *cert;
    struct wipe_bufs bufs;
    struct wipe_bufs tbufs[WIPE_THREADS]; /* one set per worker thread, allocated on first use */
    size_t ntbufs;
    struct wipe_bufs fbufs[WIPE_THREADS]; /* the same for the last stage of a batch, which may
                                           * run beside the next batch's passes */
    size_t nfbufs;
    struct wpipe *pipe;          /* the batch whose last stage runs on its own thread (wipe_run.c) */
    struct wrec *recs;           /* reserved for every candidate before the first batch: never
                                  * moves while a batch's last stage runs */
    size_t nrecs, cap;
    size_t cert_done;            /* records [0, cert_done) are in the certificate */
    size_t recs_final;           /* records [0, recs_final) have their final status */
    size_t ncands_files;         /* candidates of kind FILE */
    size_t remaining;            /* candidates not reached because of a bound or a signal */
    const char *stopped;         /* why the run stopped early, or NULL */
    uint64_t stop_size;          /* stopped by max-bytes: the size of the file not started */
    int fatal;                   /* set when the run could not go on (exit 3) */
    bool cert_failed;            /* records could not be appended to the certificate: files
                                  * may be erased without a record (exit 2) */
    struct err fatal_err;
    uint64_t files_started, bytes_started;
    uint64_t bytes_durable;      /* bytes written and synced: the rate counts only these */
    uint64_t bytes_planned;
    int64_t t0_ms;
    int64_t last_progress_ms;
    bool progress;
    bool progress_shown;
    struct odd_url *odd;         /* referenced URLs that are not plain paths, by the path they
                                  * resolve to (sorted): read once at the start */
    size_t nodd, oddcap;
    struct odd_url *odd_abs;     /* the same by the absolute path they reach from the live
                                  * store (a '..' URL may reach contentstore.deleted), sorted */
    size_t nodd_abs, odd_abscap;
    int64_t marks_max_id;        /* the highest alf_content_url id read for them */
};

/* A referenced content URL that is not a plain path, and the path Alfresco reads it as. */
struct odd_url {
    char *path;                  /* owned, resolved (url_resolved_path), or absolute */
    char *url;                   /* owned, as in the database */
    bool inconsistent;           /* a plain URL whose row's short or CRC does not match it */
    bool referenced;             /* an alf_content_data row pointed at it when last read */
    int64_t url_id;              /* its alf_content_url id */
};

/* Order of struct odd_url by path (qsort, bsearch). */
int wipe_cmp_odd(const void *a, const void *b);

/* Read the URL rows above w->marks_max_id into w->odd and w->odd_abs (sorted again): the
 * whole table at the start, the rows added since before each batch. */
int wipe_load_odd_urls(struct wrun *w, struct db *db, struct err *err);

/* The signal that asked the run to stop (SIGINT, SIGTERM), 0 while none: set by the handler,
 * read by every thread (a lock-free atomic, safe in a signal handler). */
extern atomic_int wipe_stop_signal;

/* wipe_run.c: with w->cands walked, check, overwrite, verify and remove file by file (in
 * batches that share sync barriers). Records go to w->recs and, unless dry run, to the
 * certificate. Returns 0, or -1 when the run could not go on (w->fatal_err filled). */
int wipe_run_all(struct wrun *w);

/* wipe_rec.c */
struct wrec *wrec_add(struct wrun *w, uint32_t root, const char *rel);
void wrec_set_reason(struct wrec *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void wrec_release_all(struct wrun *w);
const char *wst_name(enum wst st);
const char *wipe_check_how_name(enum wipe_check_how how);
/* The certificate / JSON object of a file record (new reference). */
json_t *wrec_json(const struct wrun *w, const struct wrec *r);
/* Header and footer records (new references). */
json_t *wipe_header_json(const struct wrun *w, const char *prev_open_run);
json_t *wipe_footer_json(const struct wrun *w, int exit_code);
/* The pass table of the run's schedule as a JSON array. */
json_t *wipe_passes_json(const struct wipe_schedule *s);
/* Append the records [w->cert_done, to) to the certificate and sync it once. */
int wipe_cert_flush(struct wrun *w, size_t to, struct err *err);

#endif
