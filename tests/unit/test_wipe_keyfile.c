/* The certificate's HMAC key file (cert_key_load: raw bytes, one-line text keys as they always
 * were, mode and length rules) and the dry run's creatability check (wipe_can_create). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "alfwipe/wipe_cert.h"
#include "../../src/wipe/wipe_int.h"

static char dir[] = "/tmp/aw-keyfile-XXXXXX";

static const char *put(const char *name, const void *data, size_t len, mode_t mode)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    fclose(fp);
    assert_int_equal(chmod(path, mode), 0);
    return path;
}

/* The key cert_key_load gives for a file holding data (asserts it loads). */
static size_t load(const void *data, size_t len, uint8_t *out)
{
    const char *p = put("k", data, len, 0600);
    uint8_t *key = NULL;
    size_t keylen = 0;
    struct err err = ERR_INIT;
    assert_int_equal(cert_key_load(p, CERT_KEY_MIN, &key, &keylen, &err), 0);
    memcpy(out, key, keylen);
    free(key);
    return keylen;
}

static void key__one_line_text__loses_only_its_line_end(void **state)
{
    (void)state;
    uint8_t k[64];
    static const char *const forms[] = {"0123456789abcdefXYZ\n", "0123456789abcdefXYZ\r\n",
                                        "0123456789abcdefXYZ\r", "0123456789abcdefXYZ"};
    for (size_t i = 0; i < 4; i++) {
        size_t n = load(forms[i], strlen(forms[i]), k);
        assert_int_equal(n, 19);
        assert_memory_equal(k, "0123456789abcdefXYZ", 19);
    }
}

static void key__binary__is_every_byte(void **state)
{
    (void)state;
    uint8_t k[64];
    /* a NUL, a newline inside, a newline at the end: all part of the key */
    static const uint8_t bin[] = {1, 2, 3, 0, 5, 6, 7, 8, '\n', 10, 11, 12, 13, 14, 15, 16, 17,
                                  '\n'};
    assert_int_equal(load(bin, sizeof bin, k), sizeof bin);
    assert_memory_equal(k, bin, sizeof bin);
    static const uint8_t two_lines[] = "0123456789\nabcdefgh\n";
    assert_int_equal(load(two_lines, sizeof two_lines - 1, k), sizeof two_lines - 1);
}

static void key__short_loose_or_missing__refused(void **state)
{
    (void)state;
    uint8_t *key = NULL;
    size_t keylen = 0;
    struct err err = ERR_INIT;
    const char *p = put("short", "A\n", 2, 0600);
    assert_int_equal(cert_key_load(p, CERT_KEY_MIN, &key, &keylen, &err), -1);
    assert_non_null(strstr(err.msg, "at least 16"));
    err_init(&err);
    assert_int_equal(cert_key_load(p, 1, &key, &keylen, &err), 0);   /* verify's minimum */
    assert_int_equal(keylen, 1);
    free(key);
    p = put("empty", "", 0, 0600);
    err_init(&err);
    assert_int_equal(cert_key_load(p, 1, &key, &keylen, &err), -1);
    assert_non_null(strstr(err.msg, "empty"));
    p = put("loose", "0123456789abcdefgh", 18, 0640);
    err_init(&err);
    assert_int_equal(cert_key_load(p, CERT_KEY_MIN, &key, &keylen, &err), -1);
    assert_non_null(strstr(err.msg, "group or others"));
    err_init(&err);
    assert_int_equal(cert_key_load("/nonexistent/k", CERT_KEY_MIN, &key, &keylen, &err), -1);
    assert_null(key);
}

static void can_create__parent_rules(void **state)
{
    (void)state;
    char p[300];
    snprintf(p, sizeof p, "%s/new.jsonl", dir);
    assert_int_equal(wipe_can_create(p, false, false), 0);
    snprintf(p, sizeof p, "%s/sub/new.jsonl", dir);
    assert_int_equal(wipe_can_create(p, false, false), -1);   /* sub is missing */
    assert_int_equal(wipe_can_create(p, false, true), 0);     /* ... but could be made */
    snprintf(p, sizeof p, "%s/a/b/new.jsonl", dir);
    assert_int_equal(wipe_can_create(p, false, true), -1);    /* one level only */
    assert_int_equal(wipe_can_create("", false, true), -1);
    snprintf(p, sizeof p, "%s/", dir);
    assert_int_equal(wipe_can_create(p, false, true), -1);    /* names a directory */
    snprintf(p, sizeof p, "%s/state/", dir);
    assert_int_equal(wipe_can_create(p, true, false), 0);     /* a directory to make */
    snprintf(p, sizeof p, "%s/k/x", dir);                     /* k is a file */
    put("k", "x", 1, 0600);
    assert_int_equal(wipe_can_create(p, false, true), -1);
    struct stat st;
    snprintf(p, sizeof p, "%s/sub", dir);
    assert_int_not_equal(stat(p, &st), 0);                    /* nothing was created */
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    static const char *const names[] = {"k", "short", "empty", "loose"};
    char p[300];
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    return rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(key__one_line_text__loses_only_its_line_end),
        cmocka_unit_test(key__binary__is_every_byte),
        cmocka_unit_test(key__short_loose_or_missing__refused),
        cmocka_unit_test(can_create__parent_rules),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
