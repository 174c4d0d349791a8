/* The wipe certificate: JSON Lines, appended run after run, hash-chained.
 *
 * Format (one JSON object per line, '\n' terminated, keys in a fixed order):
 *   {"type":"header"|"file"|"footer","run":"<32 hex>", ...fields...,
 *    "seq":N,"prev":"<64 hex>","sig":"<64 hex>"}
 * - seq is the line number in the file (1-based).
 * - prev is H(the previous line's bytes, without its '\n'); the first line has 64 '0's.
 * - sig is H(this line's bytes up to, not including, the ',"sig":' that ends it); "sig" is
 *   always the last key, so the text before it is exactly what was hashed.
 * - H is SHA-256, or HMAC-SHA-256 keyed with wipe.hmac_key_file when the run's header says
 *   "chain":"hmac-sha256". Every line of a run, the header included, uses the run's H.
 * - A run is a header, its file records (all with the header's run id), and a footer whose
 *   "totals" count the run's records per status. A run without footer was interrupted (or its
 *   tail cut off at a line boundary): reported as incomplete, not as tampering.
 * Nothing is ever written into a wiped file; the certificate is the only record. */
#ifndef ALFWIPE_WIPE_CERT_H
#define ALFWIPE_WIPE_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "alfwipe/err.h"

#define CERT_HASH_HEX 64
#define CERT_KEY_MIN 16      /* bytes a new wipe requires of wipe.hmac_key_file */
#define CERT_KEY_MAX 4096

/* Read the HMAC key of wipe.hmac_key_file: a regular file only its owner can access (no group
 * or other permission bits), whose bytes are the key, binary or text. A file that is one line
 * of text (no NUL, no newline but a final "\n", "\r\n" or "\r") gives that line without its
 * line end, as keys written with 'echo' always gave. Refused below min_len bytes (wipe passes
 * CERT_KEY_MIN; verify 1, to check old certificates) and above CERT_KEY_MAX. The caller frees
 * *key after OPENSSL_cleanse. */
int cert_key_load(const char *path, size_t min_len, uint8_t **key, size_t *keylen,
                  struct err *err);

struct cert_writer;

/* Open path for appending (created 0640 when missing, never through a symlink). Reads the last
 * line to continue the chain; refuses a file whose last line is incomplete (no '\n' or not a
 * record), naming the line. key/keylen: HMAC key, or NULL/0 for plain SHA-256. Caller closes
 * with cert_close. */
int cert_open(struct cert_writer **out, const char *path, const uint8_t *key, size_t keylen,
              struct err *err);

/* What cert_open would refuse (not a regular file, not writable, an incomplete last line, a
 * chain broken anywhere, another key), found without creating, writing or locking anything:
 * 0 the file exists and could be appended to, 1 it does not exist (whether it could be
 * created is the caller's question), -1 with err. */
int cert_check(const char *path, const uint8_t *key, size_t keylen, struct err *err);

/* Whether the file's last run had no footer when it was opened (its run id, or NULL). */
const char *cert_open_run(const struct cert_writer *w);

/* "sha256" or "hmac-sha256": the chain this writer produces. */
const char *cert_chain_name(const struct cert_writer *w);

/* Append rec (borrowed; "seq" and "prev" are set on it, any "sig" removed) as one line. The
 * line reaches the file with one write(2); call cert_sync to make it durable. */
int cert_append(struct cert_writer *w, json_t *rec, struct err *err);
int cert_sync(struct cert_writer *w, struct err *err);
/* Sync and close. NULL ok. Returns -1 when the final sync failed. */
int cert_close(struct cert_writer *w, struct err *err);

/* ---- checking a certificate ---- */

enum cert_state {
    CERT_INTACT = 0,    /* every line checks out (runs may still be incomplete) */
    CERT_TAMPERED,      /* a line was changed, removed, inserted, reordered, or cut short */
    CERT_NEEDS_KEY,     /* a keyed run could not be checked: no key, or a different key */
    CERT_UNREADABLE,    /* the file could not be read (cert_verify returned -1) */
};

enum cert_status_idx { CERT_ERASED = 0, CERT_FAILED, CERT_REFUSED, CERT_ABORTED, CERT_NSTATUS };

struct cert_report {
    enum cert_state state;
    long bad_line;              /* first line that does not check out (1-based); 0 if none */
    char problem[512];          /* what is wrong there, lower case, no final period */
    long lines;                 /* lines read */
    long runs;                  /* headers seen */
    long runs_complete;         /* runs closed by a footer */
    long runs_incomplete;       /* runs without footer */
    long first_incomplete_line; /* header line of the first incomplete run, 0 if none */
    long runs_keyed;            /* runs with an HMAC chain */
    long runs_unkeyed;          /* runs with a plain SHA-256 chain */
    long files[CERT_NSTATUS];   /* file records per status */
};

/* Called for each file record (after its line checked out). rec is borrowed for the call.
 * Return 0 to go on, -1 (err filled) to stop. */
typedef int cert_record_fn(void *arg, long line, const json_t *rec, struct err *err);

/* Check the certificate at path: every line is one JSON object without duplicate keys, seq is
 * its line number, prev matches the previous line, sig matches the line itself, runs are
 * well formed (header, records of that run, footer whose totals match), the file ends with
 * '\n'. Stops at the first broken line: rep->bad_line and rep->problem say which and why.
 * key/keylen: the HMAC key for keyed runs (NULL: keyed runs make the state CERT_NEEDS_KEY,
 * reported at the run's header line). Unkeyed runs are checked with SHA-256 either way and
 * counted in runs_unkeyed so a caller that expects keys can object.
 * Returns 0 when the file was read (rep->state says what it found) and -1 with err when it
 * could not be opened or read (rep->state = CERT_UNREADABLE). fn may be NULL. */
int cert_verify(const char *path, const uint8_t *key, size_t keylen, cert_record_fn *fn,
                void *arg, struct cert_report *rep, struct err *err);

/* Index of a status name ("ERASED", ...) or -1. */
int cert_status_index(const char *status);

#endif
