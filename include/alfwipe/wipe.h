/* Secure wipe, part 1: the pass table of every method, the schedule of one run, and the keyed
 * random stream that makes random passes verifiable. `alfwipe methods`, --help, the log and the
 * certificate are all generated from wipe_methods[]; nothing else lists passes. */
#ifndef ALFWIPE_WIPE_H
#define ALFWIPE_WIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alfwipe/err.h"

enum wipe_pass_kind {
    WIPE_PASS_PATTERN = 0,  /* a 1-3 byte pattern: byte at file offset o is pat[o % len] */
    WIPE_PASS_RANDOM,       /* the keyed stream of (run key, file, pass number) */
    WIPE_PASS_RUN_BYTE,     /* table only: one byte drawn once per run from the keyed stream
                             * (dod-7's "c"); the schedule turns it into a PATTERN pass */
};

/* One entry of a method's pass table. */
struct wipe_pass_def {
    enum wipe_pass_kind kind;
    uint8_t len;             /* pattern length 1..3 (PATTERN only) */
    uint8_t pat[3];
    bool always_verify;      /* read back whatever --verify says */
};

enum wipe_method_flags {
    WIPE_M_SHUFFLE = 1 << 0,        /* table entries shuffle_first..shuffle_last are permuted
                                     * per run with the keyed stream (Gutmann 5-31) */
    WIPE_M_NO_FINAL_ZERO = 1 << 1,  /* the final pass must stay random: no final zero pass */
};

struct wipe_method {
    const char *name;
    const char *summary;             /* one line for `alfwipe methods` */
    const char *origin;              /* where the passes come from, and how sure that is */
    const struct wipe_pass_def *passes;
    uint8_t npasses;
    unsigned flags;                  /* enum wipe_method_flags */
    uint8_t shuffle_first, shuffle_last;  /* 0-based, inclusive; WIPE_M_SHUFFLE only */
};

/* The table, in listing order. */
extern const struct wipe_method wipe_methods[];
extern const size_t wipe_nmethods;

/* The method called name, or NULL. */
const struct wipe_method *wipe_method_find(const char *name);

/* Comma-separated list of method names for usage errors and help. Static storage. */
const char *wipe_method_names(void);

enum wipe_verify { WIPE_VERIFY_OFF = 0, WIPE_VERIFY_LAST, WIPE_VERIFY_ALL };

/* "off" | "last" | "all". -1 with err (ERR_USAGE, naming the value) on anything else. */
int wipe_verify_parse(const char *s, enum wipe_verify *out, struct err *err);
const char *wipe_verify_name(enum wipe_verify v);

/* ---- keyed stream (AES-256-CTR, OpenSSL EVP) ---- */

#define WIPE_KEY_LEN 32
struct wipe_key {
    uint8_t k[WIPE_KEY_LEN];
};

/* A fresh run key from getrandom(2). */
int wipe_key_random(struct wipe_key *key, struct err *err);
/* 64 hex digits -> key (test hook ALFWIPE_TEST_KEY). -1 when malformed. */
int wipe_key_parse_hex(const char *hex, struct wipe_key *key);
/* A public identifier of the key (16 hex digits + NUL): HMAC-SHA-256(key, "alfwipe key id"),
 * truncated. Says which key was used without revealing it. */
void wipe_key_id(const struct wipe_key *key, char out[17]);

/* Stream ids: 0 is the run itself (shuffle, run byte); files are numbered 1, 2, ... in a run.
 * The stream of (key, file_id, pass) is AES-256-CTR under the subkey
 * HMAC-SHA-256(key, "alfwipe stream v1" || be64(file_id) || be32(pass)), counter block =
 * 128-bit big-endian offset / 16, so the byte at any offset can be regenerated on its own. */
struct wipe_stream;

/* New stream positioned at offset 0. Caller frees with wipe_stream_free. */
struct wipe_stream *wipe_stream_new(const struct wipe_key *key, uint64_t file_id,
                                    uint32_t pass, struct err *err);
/* Position the stream at byte offset off. */
int wipe_stream_seek(struct wipe_stream *s, uint64_t off, struct err *err);
/* The next n bytes of the stream into buf. */
int wipe_stream_read(struct wipe_stream *s, uint8_t *buf, size_t n, struct err *err);
void wipe_stream_free(struct wipe_stream *s);   /* NULL ok */

/* ---- the schedule of one run ---- */

#define WIPE_MAX_PASSES 40

/* One pass as it runs: RUN_BYTE already resolved to a PATTERN pass. */
struct wipe_pass {
    enum wipe_pass_kind kind;  /* PATTERN or RANDOM */
    uint8_t len;
    uint8_t pat[3];
    bool verify;               /* read back after this pass is durable */
    bool final_zero;           /* the optional final zero pass */
    bool run_byte;             /* pattern drawn for this run (dod-7's c) */
    uint8_t table_index;       /* 0-based position in the method's table before shuffling;
                                * the final zero pass has npasses of the method */
};

struct wipe_schedule {
    const struct wipe_method *method;
    bool final_zero;
    enum wipe_verify verify;
    size_t npasses;
    struct wipe_pass passes[WIPE_MAX_PASSES];
};

/* The schedule of method m for one run: table order, the shuffle (if the method has one) and
 * the run byte drawn from key's stream 0, the optional final zero pass appended, and the
 * verified passes marked (off: only always_verify passes; last: the last pass plus those;
 * all: every pass). Refuses final_zero for WIPE_M_NO_FINAL_ZERO methods (ERR_USAGE). */
int wipe_schedule_build(struct wipe_schedule *s, const struct wipe_method *m, bool final_zero,
                        enum wipe_verify verify, const struct wipe_key *key, struct err *err);

/* Number of passes the schedule reads back. */
size_t wipe_schedule_nverified(const struct wipe_schedule *s);

/* Fill buf with the bytes of PATTERN pass p for file offsets off .. off+n-1. */
void wipe_pass_fill(const struct wipe_pass *p, uint64_t off, uint8_t *buf, size_t n);

/* "00", "92 49 24", "random". buf of at least 16 bytes. Returns buf. */
char *wipe_pass_describe(const struct wipe_pass *p, char *buf, size_t len);
/* The same for a table entry: "00", "random", "c (one byte drawn per run)". */
char *wipe_pass_def_describe(const struct wipe_pass_def *d, char *buf, size_t len);


/* alfwipe's own files against the wipe roots (resolved paths) and the live content stores of
 * conf: the certificate (cert, named cert_key in messages: "wipe.certificate" or
 * "--certificate"), wipe.lock_file, wipe.state_dir and wipe.hmac_key_file may not lie inside a
 * wipe root (a wipe would take them for candidates); the first three not inside a live store
 * (they are written to). 0, or -1 with err (ERR_CONFIG). */
struct conf;
int wipe_own_files_check(const struct conf *conf, const char *cert, const char *cert_key,
                         const char *const *roots, size_t nroots, struct err *err);

#endif
