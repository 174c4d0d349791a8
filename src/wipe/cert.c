/* The wipe certificate: JSON Lines appended run after run, each line chained to the previous
 * one and signed over its own bytes (SHA-256, or HMAC-SHA-256 with wipe.hmac_key_file), and the
 * checker that finds the first line that does not fit. Format in wipe_cert.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "alfwipe/wipe_cert.h"
#include "alfwipe/xalloc.h"

#define SIG_PREFIX ",\"sig\":\""
#define SIG_PREFIX_LEN 8
#define SIG_SUFFIX_LEN (SIG_PREFIX_LEN + CERT_HASH_HEX + 2) /* ,"sig":"<hex>"} */
#define TAIL_MAX (64u << 20)

static const char zeros[CERT_HASH_HEX + 1] =
    "0000000000000000000000000000000000000000000000000000000000000000";

struct cert_writer {
    int fd;
    char *path;
    uint8_t *key;
    size_t keylen;
    char *last;          /* last line, without '\n'; NULL for an empty file */
    size_t last_len;
    long seq;            /* seq of the last line */
    char *open_run;      /* run id of a last run without footer */
};

static void to_hex(const uint8_t *md, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[md[i] >> 4];
        out[2 * i + 1] = hx[md[i] & 15];
    }
    out[2 * n] = '\0';
}

/* H(data) as 64 hex digits: SHA-256, or HMAC-SHA-256 when key is given. */
static void chain_hash(const uint8_t *key, size_t keylen, const char *data, size_t len,
                       char out[CERT_HASH_HEX + 1])
{
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (key)
        HMAC(EVP_sha256(), key, (int)keylen, (const uint8_t *)data, len, md, &mdlen);
    else
        EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
    to_hex(md, 32, out);
}

static void key_id(const uint8_t *key, size_t keylen, char out[17])
{
    static const char label[] = "alfwipe certificate key id";
    char full[CERT_HASH_HEX + 1];
    chain_hash(key, keylen, label, sizeof label - 1, full);
    memcpy(out, full, 16);
    out[16] = '\0';
}

int cert_key_load(const char *path, size_t min_len, uint8_t **key, size_t *keylen,
                  struct err *err)
{
    *key = NULL;
    *keylen = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        err_sys(err, ERR_CONFIG, errno, "cannot open wipe.hmac_key_file '%s'", path);
        return err_hint(err, "Create it with 'head -c 32 /dev/urandom > FILE; chmod 600 FILE', "
                             "or correct the path.");
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        err_set(err, ERR_CONFIG, "wipe.hmac_key_file '%s' is not a regular file", path);
        return err_hint(err, "Point it at a file holding the key (at least %zu bytes).",
                        (size_t)CERT_KEY_MIN);
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        close(fd);
        err_set(err, ERR_CONFIG, "wipe.hmac_key_file '%s' is readable by group or others (mode "
                "%04o); refusing to use it", path, (unsigned)(st.st_mode & 07777));
        return err_hint(err, "Run 'chmod 600 %s' so that only its owner can read it.", path);
    }
    uint8_t *buf = xmalloc(CERT_KEY_MAX + 1);
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, buf + len, CERT_KEY_MAX + 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            OPENSSL_cleanse(buf, CERT_KEY_MAX + 1);
            free(buf);
            return err_sys(err, ERR_CONFIG, e, "cannot read wipe.hmac_key_file '%s'", path);
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len > CERT_KEY_MAX) {
            close(fd);
            OPENSSL_cleanse(buf, CERT_KEY_MAX + 1);
            free(buf);
            err_set(err, ERR_CONFIG, "wipe.hmac_key_file '%s' is larger than %d bytes", path,
                    CERT_KEY_MAX);
            return err_hint(err, "The file holds only the key: 32 random bytes are plenty.");
        }
    }
    close(fd);
    /* A key written as one line of text keeps the key it always had: without its line end
     * ("\n", "\r\n" or "\r"), provided nothing else in it is a NUL or a newline. Any other
     * content is the key byte for byte. */
    size_t tl = len;
    if (tl > 0 && buf[tl - 1] == '\n')
        tl--;
    if (tl > 0 && buf[tl - 1] == '\r')
        tl--;
    if (!memchr(buf, '\0', tl) && !memchr(buf, '\n', tl))
        len = tl;
    if (len < min_len) {
        OPENSSL_cleanse(buf, CERT_KEY_MAX + 1);
        free(buf);
        if (len == 0)
            err_set(err, ERR_CONFIG, "wipe.hmac_key_file '%s' is empty", path);
        else
            err_set(err, ERR_CONFIG, "wipe.hmac_key_file '%s' holds a key of %zu byte%s; at "
                    "least %zu are required", path, len, len == 1 ? "" : "s", min_len);
        return err_hint(err, "Write a random key into it, e.g. 'head -c 32 /dev/urandom > %s' "
                             "(then chmod 600); certificates written with the old key need "
                             "the old file to be checked.", path);
    }
    *key = buf;
    *keylen = len;
    return 0;
}

int cert_status_index(const char *status)
{
    static const char *const names[CERT_NSTATUS] = {"ERASED", "FAILED", "REFUSED", "ABORTED"};
    for (int i = 0; i < CERT_NSTATUS; i++)
        if (status && strcmp(status, names[i]) == 0)
            return i;
    return -1;
}

/* Read the last line of fd (size bytes) into w->last. */
static int read_tail(struct cert_writer *w, off_t size, struct err *err)
{
    size_t want = 4096;
    for (;;) {
        if ((off_t)want > size)
            want = (size_t)size;
        char *buf = xmalloc(want);
        off_t at = size - (off_t)want;
        size_t got = 0;
        while (got < want) {
            ssize_t r = pread(w->fd, buf + got, want - got, at + (off_t)got);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0) {
                free(buf);
                return err_sys(err, ERR_IO, r < 0 ? errno : EIO,
                               "could not read certificate '%s'", w->path);
            }
            got += (size_t)r;
        }
        if (buf[want - 1] != '\n') {
            free(buf);
            err_set(err, ERR_DATA, "certificate '%s' ends with an incomplete line", w->path);
            return err_hint(err, "Check it with 'alfwipe verify --certificate'; a run that "
                                 "was cut off mid-line cannot be continued, so name a new "
                                 "file with --certificate.");
        }
        size_t start = want - 1;
        while (start > 0 && buf[start - 1] != '\n')
            start--;
        if (start > 0 || (off_t)want == size) {
            w->last_len = want - 1 - start;
            w->last = xmalloc(w->last_len + 1);
            memcpy(w->last, buf + start, w->last_len);
            w->last[w->last_len] = '\0';
            free(buf);
            return 0;
        }
        free(buf);
        if (want >= TAIL_MAX)
            return err_set(err, ERR_DATA, "certificate '%s' has a last line over %u bytes",
                           w->path, TAIL_MAX);
        want *= 4;
    }
}

/* Which chain the file goes on with, told by its last line's signature. A keyed run may follow
 * a plain one (its first link, an HMAC, fixes every line before it), but a plain run after a
 * keyed one, or a run keyed with another key, would leave a certificate that no single
 * wipe.hmac_key_file can check intact. */
static int check_continuation(const struct cert_writer *w, struct err *err)
{
    const char *l = w->last;
    size_t len = w->last_len;
    if (len < SIG_SUFFIX_LEN + 1 ||
        memcmp(l + len - SIG_SUFFIX_LEN, SIG_PREFIX, SIG_PREFIX_LEN) != 0) {
        err_set(err, ERR_DATA, "certificate '%s' does not end with a signed record", w->path);
        return err_hint(err, "Check it with 'alfwipe verify --certificate' or name a new file "
                             "with --certificate.");
    }
    const char *have = l + len - SIG_SUFFIX_LEN + SIG_PREFIX_LEN;
    char sig[CERT_HASH_HEX + 1];
    if (w->key) {
        chain_hash(w->key, w->keylen, l, len - SIG_SUFFIX_LEN, sig);
        if (memcmp(sig, have, CERT_HASH_HEX) == 0)
            return 0;
    }
    chain_hash(NULL, 0, l, len - SIG_SUFFIX_LEN, sig);
    if (memcmp(sig, have, CERT_HASH_HEX) == 0)
        return 0;
    if (w->key) {
        err_set(err, ERR_DATA, "certificate '%s' ends with a record signed with another key "
                               "than wipe.hmac_key_file (or changed since)", w->path);
        return err_hint(err, "Set wipe.hmac_key_file to the key its last run was written "
                             "with, or name a new file with --certificate; check it with "
                             "'alfwipe verify --certificate'.");
    }
    err_set(err, ERR_DATA, "certificate '%s' goes on with a keyed (HMAC-SHA-256) chain but "
                           "wipe.hmac_key_file is not set", w->path);
    return err_hint(err, "Set wipe.hmac_key_file to the key of its last run, or name a new file "
                         "with --certificate: a plain run after a keyed one could be rewritten "
                         "by anyone.");
}

/* cert_open, or with check_only (a dry run) the same checks on a read-only descriptor:
 * returns 1 without error when the file does not exist (nothing was created). */
static int open_common(struct cert_writer **out, const char *path, const uint8_t *key,
                       size_t keylen, bool check_only, struct err *err)
{
    *out = NULL;
    struct cert_writer *w = xcalloc(1, sizeof *w);
    w->path = xstrdup(path);
    if (check_only)
        w->fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
    else
        w->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);
    if (w->fd < 0 && check_only && errno == ENOENT && path[0]) {
        cert_close(w, NULL);
        return 1;
    }
    if (w->fd < 0 || (check_only && access(path, W_OK) != 0)) {
        err_sys(err, ERR_IO, errno, "could not open certificate '%s'", path);
        err_hint(err, "Set wipe.certificate or --certificate to a file in a writable "
                      "directory.");
        cert_close(w, NULL);
        return -1;
    }
    struct stat st;
    if (fstat(w->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        err_set(err, ERR_IO, "certificate '%s' is not a regular file", path);
        err_hint(err, "Set wipe.certificate or --certificate to a regular file (it is created "
                      "when missing); a device, FIFO or directory cannot hold the record.");
        cert_close(w, NULL);
        return -1;
    }
    if (key) {
        w->key = xmalloc(keylen ? keylen : 1);
        memcpy(w->key, key, keylen);
        w->keylen = keylen;
    }
    if (st.st_size > 0) {
        if (read_tail(w, st.st_size, err) != 0) {
            cert_close(w, NULL);
            return -1;
        }
        json_error_t je;
        json_t *last = json_loadb(w->last, w->last_len, JSON_REJECT_DUPLICATES, &je);
        json_t *seq = last ? json_object_get(last, "seq") : NULL;
        if (!last || !json_is_integer(seq)) {
            json_decref(last);
            err_set(err, ERR_DATA, "certificate '%s' does not end with a certificate record",
                    path);
            err_hint(err, "Check it with 'alfwipe verify --certificate' or name a new file "
                          "with --certificate.");
            cert_close(w, NULL);
            return -1;
        }
        w->seq = (long)json_integer_value(seq);
        const char *type = json_string_value(json_object_get(last, "type"));
        const char *run = json_string_value(json_object_get(last, "run"));
        if (type && strcmp(type, "footer") != 0 && run)
            w->open_run = xstrdup(run);
        json_decref(last);
        if (check_continuation(w, err) != 0) {
            cert_close(w, NULL);
            return -1;
        }
        /* New records must not extend a chain that is already broken: they would prove
         * nothing. The whole file is checked, not only its last line. */
        struct cert_report rep;
        if (cert_verify(path, key, keylen, NULL, NULL, &rep, err) != 0) {
            cert_close(w, NULL);
            return -1;
        }
        if (rep.state == CERT_TAMPERED) {
            err_set(err, ERR_DATA, "certificate '%s' does not check out at line %ld: %s", path,
                    rep.bad_line, rep.problem);
            err_hint(err, "Keep that file as evidence and name a new certificate with "
                          "--certificate or wipe.certificate; 'alfwipe verify --certificate' "
                          "shows what it found.");
            cert_close(w, NULL);
            return -1;
        }
    }
    *out = w;
    return 0;
}

int cert_open(struct cert_writer **out, const char *path, const uint8_t *key, size_t keylen,
              struct err *err)
{
    return open_common(out, path, key, keylen, false, err);
}

int cert_check(const char *path, const uint8_t *key, size_t keylen, struct err *err)
{
    struct cert_writer *w = NULL;
    int rc = open_common(&w, path, key, keylen, true, err);
    cert_close(w, NULL);
    return rc;
}

const char *cert_open_run(const struct cert_writer *w)
{
    return w->open_run;
}

const char *cert_chain_name(const struct cert_writer *w)
{
    return w->key ? "hmac-sha256" : "sha256";
}

int cert_append(struct cert_writer *w, json_t *rec, struct err *err)
{
    const char *type = json_string_value(json_object_get(rec, "type"));
    if (type && strcmp(type, "header") == 0) {
        json_object_set_new(rec, "chain", json_string(cert_chain_name(w)));
        if (w->key) {
            char kid[17];
            key_id(w->key, w->keylen, kid);
            json_object_set_new(rec, "key_id", json_string(kid));
        }
    }
    char prev[CERT_HASH_HEX + 1];
    if (w->last)
        chain_hash(w->key, w->keylen, w->last, w->last_len, prev);
    else
        memcpy(prev, zeros, sizeof prev);
    json_object_del(rec, "sig");
    json_object_del(rec, "seq");
    json_object_del(rec, "prev");
    json_object_set_new(rec, "seq", json_integer(w->seq + 1));
    json_object_set_new(rec, "prev", json_string(prev));
    char *body = json_dumps(rec, JSON_COMPACT);
    if (!body)
        return err_set(err, ERR_DATA, "could not encode a certificate record");
    size_t blen = strlen(body);
    if (blen < 2 || body[blen - 1] != '}') {
        free(body);
        return err_set(err, ERR_INTERNAL, "certificate record is not an object");
    }
    blen--; /* drop the closing brace: the signature goes last */
    char sig[CERT_HASH_HEX + 1];
    chain_hash(w->key, w->keylen, body, blen, sig);
    size_t llen = blen + SIG_SUFFIX_LEN;
    char *line = xmalloc(llen + 2);
    memcpy(line, body, blen);
    memcpy(line + blen, SIG_PREFIX, SIG_PREFIX_LEN);
    memcpy(line + blen + SIG_PREFIX_LEN, sig, CERT_HASH_HEX);
    memcpy(line + blen + SIG_PREFIX_LEN + CERT_HASH_HEX, "\"}\n", 3);
    free(body);
    /* All of the line or none of it: a partial line (a full disk) is cut off again, so the
     * chain stays intact and verifiable up to the last whole record. */
    off_t end = lseek(w->fd, 0, SEEK_END);
    size_t done = 0;
    int e = 0;
    while (done < llen + 1) {
        ssize_t n = write(w->fd, line + done, llen + 1 - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            e = n < 0 ? errno : EIO;
            break;
        }
        done += (size_t)n;
    }
    if (e) {
        free(line);
        bool cut = done == 0 || (end >= 0 && ftruncate(w->fd, end) == 0);
        err_sys(err, ERR_IO, e, "could not append to certificate '%s'", w->path);
        return err_hint(err, "%s the records of this run from here on are missing from it "
                             "(the run's output lists every file and its status). Free space "
                             "on its filesystem (or fix the error above) before the next wipe.",
                        cut ? "The certificate ends with its last whole record, still "
                              "verifiable;"
                            : "A partial record could not be cut off the certificate's end "
                              "(verify reports it as tampered there);");
    }
    line[llen] = '\0';
    free(w->last);
    w->last = line;
    w->last_len = llen;
    w->seq++;
    return 0;
}

int cert_sync(struct cert_writer *w, struct err *err)
{
    if (fsync(w->fd) != 0)
        return err_sys(err, ERR_IO, errno, "could not sync certificate '%s'", w->path);
    return 0;
}

int cert_close(struct cert_writer *w, struct err *err)
{
    if (!w)
        return 0;
    int ret = 0;
    if (w->fd >= 0) {
        if (err && fsync(w->fd) != 0)
            ret = err_sys(err, ERR_IO, errno, "could not sync certificate '%s'", w->path);
        close(w->fd);
    }
    if (w->key)
        OPENSSL_cleanse(w->key, w->keylen);
    free(w->key);
    free(w->last);
    free(w->path);
    free(w->open_run);
    free(w);
    return ret;
}

/* ---- checking ---- */

struct vstate {
    struct cert_report *rep;
    const uint8_t *key;
    size_t keylen;
    char my_kid[17];
    bool in_run;
    bool run_keyed;
    char run[64];
    long run_line;
    long counts[CERT_NSTATUS];
    long nfiles;
};

static void tampered(struct cert_report *rep, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void tampered(struct cert_report *rep, long line, const char *fmt, ...)
{
    rep->state = CERT_TAMPERED;
    rep->bad_line = line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rep->problem, sizeof rep->problem, fmt, ap);
    va_end(ap);
}

static void close_incomplete(struct vstate *v)
{
    if (!v->in_run)
        return;
    v->rep->runs_incomplete++;
    if (!v->rep->first_incomplete_line)
        v->rep->first_incomplete_line = v->run_line;
    v->in_run = false;
}

static bool is_hex64(const char *s)
{
    for (int i = 0; i < CERT_HASH_HEX; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

/* Check one line (without '\n'); prev is the previous line or NULL. 0 go on, 1 stop. */
static int check_line(struct vstate *v, long ln, const char *line, size_t len, const char *prev,
                      size_t prevlen, json_t **out)
{
    struct cert_report *rep = v->rep;
    json_error_t je;
    json_t *rec = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
    if (!rec || !json_is_object(rec)) {
        json_decref(rec);
        tampered(rep, ln, "line %ld is not a certificate record (%s)", ln,
                 rec ? "not an object" : je.text);
        return 1;
    }
    *out = rec;
    const char *type = json_string_value(json_object_get(rec, "type"));
    const char *run = json_string_value(json_object_get(rec, "run"));
    if (!type || !run ||
        (strcmp(type, "header") && strcmp(type, "file") && strcmp(type, "footer"))) {
        tampered(rep, ln, "line %ld has no valid type or run", ln);
        return 1;
    }
    bool header = strcmp(type, "header") == 0;
    if (header) {
        const char *chain = json_string_value(json_object_get(rec, "chain"));
        if (!chain || (strcmp(chain, "sha256") && strcmp(chain, "hmac-sha256"))) {
            tampered(rep, ln, "header at line %ld names no known chain", ln);
            return 1;
        }
        close_incomplete(v);
        v->in_run = true;
        v->run_keyed = strcmp(chain, "hmac-sha256") == 0;
        snprintf(v->run, sizeof v->run, "%s", run);
        v->run_line = ln;
        memset(v->counts, 0, sizeof v->counts);
        v->nfiles = 0;
        rep->runs++;
        if (v->run_keyed)
            rep->runs_keyed++;
        else
            rep->runs_unkeyed++;
    } else if (!v->in_run || strcmp(run, v->run) != 0) {
        tampered(rep, ln, "line %ld is a %s record outside its run", ln, type);
        return 1;
    }
    const uint8_t *key = v->run_keyed ? v->key : NULL;
    if (v->run_keyed && !v->key) {
        rep->state = CERT_NEEDS_KEY;
        rep->bad_line = v->run_line;
        snprintf(rep->problem, sizeof rep->problem,
                 "the run starting at line %ld is keyed (HMAC-SHA-256); its key is needed to "
                 "check it", v->run_line);
        return 1;
    }
    /* The signature: the line must end with ,"sig":"<64 hex>"} */
    if (len < SIG_SUFFIX_LEN + 1 ||
        memcmp(line + len - SIG_SUFFIX_LEN, SIG_PREFIX, SIG_PREFIX_LEN) != 0 ||
        !is_hex64(line + len - SIG_SUFFIX_LEN + SIG_PREFIX_LEN) ||
        memcmp(line + len - 2, "\"}", 2) != 0) {
        tampered(rep, ln, "line %ld does not end with its signature", ln);
        return 1;
    }
    char sig[CERT_HASH_HEX + 1];
    chain_hash(key, v->keylen, line, len - SIG_SUFFIX_LEN, sig);
    if (memcmp(sig, line + len - SIG_SUFFIX_LEN + SIG_PREFIX_LEN, CERT_HASH_HEX) != 0) {
        if (header && v->run_keyed) {
            const char *kid = json_string_value(json_object_get(rec, "key_id"));
            if (kid && strcmp(kid, v->my_kid) != 0) {
                rep->state = CERT_NEEDS_KEY;
                rep->bad_line = ln;
                snprintf(rep->problem, sizeof rep->problem,
                         "the run starting at line %ld was keyed with another key (key id %s)",
                         ln, kid);
                return 1;
            }
        }
        tampered(rep, ln, "line %ld was changed: its signature does not match its content", ln);
        return 1;
    }
    json_t *seqv = json_object_get(rec, "seq");
    if (!json_is_integer(seqv) || json_integer_value(seqv) != ln) {
        tampered(rep, ln,
                 "line %ld carries record number %lld: a line was removed, inserted or moved "
                 "before it", ln, json_is_integer(seqv) ? (long long)json_integer_value(seqv)
                                                         : -1LL);
        return 1;
    }
    char want[CERT_HASH_HEX + 1];
    if (prev)
        chain_hash(key, v->keylen, prev, prevlen, want);
    else
        memcpy(want, zeros, sizeof want);
    const char *got = json_string_value(json_object_get(rec, "prev"));
    if (!got || strcmp(got, want) != 0) {
        tampered(rep, ln,
                 "line %ld does not follow line %ld: a line was removed, inserted, reordered "
                 "or changed before it", ln, ln - 1);
        return 1;
    }
    if (strcmp(type, "file") == 0) {
        int idx = cert_status_index(json_string_value(json_object_get(rec, "status")));
        if (idx < 0) {
            tampered(rep, ln, "line %ld has no valid status", ln);
            return 1;
        }
        v->counts[idx]++;
        v->nfiles++;
        rep->files[idx]++;
    } else if (strcmp(type, "footer") == 0) {
        static const char *const names[CERT_NSTATUS] = {"ERASED", "FAILED", "REFUSED",
                                                        "ABORTED"};
        json_t *totals = json_object_get(rec, "totals");
        bool ok = json_is_object(totals) &&
                  json_integer_value(json_object_get(totals, "files")) == v->nfiles;
        for (int i = 0; ok && i < CERT_NSTATUS; i++)
            ok = json_integer_value(json_object_get(totals, names[i])) == v->counts[i];
        if (!ok) {
            tampered(rep, ln, "footer at line %ld does not match the records of its run", ln);
            return 1;
        }
        v->in_run = false;
        rep->runs_complete++;
    }
    return 0;
}

int cert_verify(const char *path, const uint8_t *key, size_t keylen, cert_record_fn *fn,
                void *arg, struct cert_report *rep, struct err *err)
{
    memset(rep, 0, sizeof *rep);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    FILE *fp = fd >= 0 ? fdopen(fd, "r") : NULL;
    if (!fp) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        rep->state = CERT_UNREADABLE;
        return err_sys(err, ERR_IO, e, "could not open certificate '%s'", path);
    }
    struct vstate v;
    memset(&v, 0, sizeof v);
    v.rep = rep;
    v.key = key;
    v.keylen = keylen;
    if (key)
        key_id(key, keylen, v.my_kid);
    char *line = NULL, *prev = NULL;
    size_t cap = 0, prevcap = 0, prevlen = 0;
    ssize_t n;
    long ln = 0;
    int ret = 0;
    while ((n = getline(&line, &cap, fp)) > 0) {
        ln++;
        rep->lines = ln;
        size_t len = (size_t)n;
        if (line[len - 1] != '\n') {
            tampered(rep, ln, "line %ld is incomplete: the file was cut short", ln);
            break;
        }
        len--;
        json_t *rec = NULL;
        int stop = check_line(&v, ln, line, len, ln > 1 ? prev : NULL, prevlen, &rec);
        if (!stop && fn && rec && strcmp(json_string_value(json_object_get(rec, "type")),
                                         "file") == 0) {
            if (fn(arg, ln, rec, err) != 0) {
                json_decref(rec);
                ret = -1;
                break;
            }
        }
        json_decref(rec);
        if (stop)
            break;
        if (len + 1 > prevcap) {
            prevcap = len + 1;
            prev = xrealloc(prev, prevcap);
        }
        memcpy(prev, line, len);
        prevlen = len;
    }
    if (ferror(fp)) {
        rep->state = CERT_UNREADABLE;
        ret = err_sys(err, ERR_IO, errno, "could not read certificate '%s'", path);
    }
    if (rep->state == CERT_INTACT)
        close_incomplete(&v);
    free(line);
    free(prev);
    fclose(fp);
    return ret;
}
