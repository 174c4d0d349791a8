/* The keyed random stream of the wipe: AES-256-CTR (OpenSSL EVP) under a per-file, per-pass
 * subkey, seekable to any byte so a random pass can be regenerated for verification. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "alfwipe/hexdigit.h"
#include "alfwipe/wipe.h"
#include "alfwipe/xalloc.h"

struct wipe_stream {
    EVP_CIPHER_CTX *ctx;
    uint8_t subkey[32];
};

int wipe_key_random(struct wipe_key *key, struct err *err)
{
    size_t got = 0;
    while (got < sizeof key->k) {
        ssize_t n = getrandom(key->k + got, sizeof key->k - got, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return err_sys(err, ERR_IO, errno, "could not draw the run key from getrandom");
        }
        got += (size_t)n;
    }
    return 0;
}

int wipe_key_parse_hex(const char *hex, struct wipe_key *key)
{
    if (strlen(hex) != 2 * WIPE_KEY_LEN)
        return -1;
    for (size_t i = 0; i < WIPE_KEY_LEN; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        key->k[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

void wipe_key_id(const struct wipe_key *key, char out[17])
{
    static const char label[] = "alfwipe key id";
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    HMAC(EVP_sha256(), key->k, WIPE_KEY_LEN, (const uint8_t *)label, sizeof label - 1, md,
         &mdlen);
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < 8; i++) {
        out[2 * i] = hx[md[i] >> 4];
        out[2 * i + 1] = hx[md[i] & 15];
    }
    out[16] = '\0';
}

struct wipe_stream *wipe_stream_new(const struct wipe_key *key, uint64_t file_id,
                                    uint32_t pass, struct err *err)
{
    static const char label[] = "alfwipe stream v1";
    uint8_t msg[sizeof label - 1 + 12];
    memcpy(msg, label, sizeof label - 1);
    uint8_t *p = msg + sizeof label - 1;
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(file_id >> (56 - 8 * i));
    for (int i = 0; i < 4; i++)
        p[8 + i] = (uint8_t)(pass >> (24 - 8 * i));

    struct wipe_stream *s = xcalloc(1, sizeof *s);
    unsigned int mdlen = 0;
    if (!HMAC(EVP_sha256(), key->k, WIPE_KEY_LEN, msg, sizeof msg, s->subkey, &mdlen) ||
        mdlen != sizeof s->subkey) {
        free(s);
        err_set(err, ERR_INTERNAL, "could not derive the stream key (HMAC-SHA-256)");
        return NULL;
    }
    s->ctx = EVP_CIPHER_CTX_new();
    if (!s->ctx) {
        wipe_stream_free(s);
        err_set(err, ERR_NOMEM, "could not allocate a cipher context");
        return NULL;
    }
    if (wipe_stream_seek(s, 0, err) != 0) {
        wipe_stream_free(s);
        return NULL;
    }
    return s;
}

int wipe_stream_seek(struct wipe_stream *s, uint64_t off, struct err *err)
{
    uint8_t iv[16] = {0};
    uint64_t block = off / 16;
    for (int i = 0; i < 8; i++)
        iv[8 + i] = (uint8_t)(block >> (56 - 8 * i));
    if (EVP_EncryptInit_ex(s->ctx, EVP_aes_256_ctr(), NULL, s->subkey, iv) != 1)
        return err_set(err, ERR_INTERNAL, "could not start AES-256-CTR");
    size_t skip = (size_t)(off % 16);
    if (skip) {
        uint8_t junk[16];
        if (wipe_stream_read(s, junk, skip, err) != 0)
            return -1;
    }
    return 0;
}

int wipe_stream_read(struct wipe_stream *s, uint8_t *buf, size_t n, struct err *err)
{
    /* The keystream is the encryption of zeros; CTR allows in-place operation. */
    memset(buf, 0, n);
    while (n > 0) {
        int chunk = n > (size_t)(INT_MAX / 2) ? INT_MAX / 2 : (int)n;
        int outl = 0;
        if (EVP_EncryptUpdate(s->ctx, buf, &outl, buf, chunk) != 1 || outl != chunk)
            return err_set(err, ERR_INTERNAL, "AES-256-CTR keystream generation failed");
        buf += chunk;
        n -= (size_t)chunk;
    }
    return 0;
}

void wipe_stream_free(struct wipe_stream *s)
{
    if (!s)
        return;
    EVP_CIPHER_CTX_free(s->ctx);
    OPENSSL_cleanse(s->subkey, sizeof s->subkey);
    free(s);
}
