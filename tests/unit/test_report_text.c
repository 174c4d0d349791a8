/* Unit tests of the text report's byte escaping (src/report/output.c, text_escape): names keep
 * one line each and any byte can be read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../src/report/rep_int.h"

static char *escaped(const char *s, size_t len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *fp = open_memstream(&buf, &n);
    assert_non_null(fp);
    text_escape(fp, s, len);
    fclose(fp);
    return buf;
}

static void text_escape__plain_and_utf8__unchanged(void **state)
{
    (void)state;
    const char in[] = "2024/5/1/\xc3\xa9t\xc3\xa9.bin";
    char *e = escaped(in, sizeof in - 1);
    assert_string_equal(e, "2024/5/1/\xc3\xa9t\xc3\xa9.bin");
    free(e);
}

static void text_escape__control_backslash_invalid__escaped(void **state)
{
    (void)state;
    const char in[] = "a\"b\\c\td\xff" "e\n\x7f";
    char *e = escaped(in, sizeof in - 1);
    assert_string_equal(e, "a\"b\\\\c\\x09d\\xffe\\x0a\\x7f");
    free(e);
}

static void text_escape__truncated_or_overlong_utf8__escaped(void **state)
{
    (void)state;
    char *e = escaped("x\xe2\x82", 3);          /* truncated 3-byte sequence */
    assert_string_equal(e, "x\\xe2\\x82");
    free(e);
    e = escaped("\xc0\xaf", 2);                  /* overlong '/' */
    assert_string_equal(e, "\\xc0\\xaf");
    free(e);
    e = escaped("\xe2\x82\xac", 3);              /* the euro sign stays */
    assert_string_equal(e, "\xe2\x82\xac");
    free(e);
}

/* The byte-at-a-time answer rw_json_scan must give. */
static unsigned scan_ref(const unsigned char *s, size_t len)
{
    unsigned acc = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] >= 0x80)
            acc |= JB_HIGH;
        if (s[i] < 0x20 || s[i] == '"' || s[i] == '\\')
            acc |= JB_ESCAPE;
    }
    return acc;
}

static void json_scan__every_byte_at_every_position__as_bytewise(void **state)
{
    (void)state;
    unsigned char buf[40];
    for (size_t len = 0; len <= sizeof buf; len++) {
        for (size_t pos = 0; pos < len; pos++) {
            for (unsigned b = 0; b < 256; b++) {
                memset(buf, 'a', sizeof buf);
                buf[pos] = (unsigned char)b;
                unsigned got = rw_json_scan((const char *)buf, len);
                if (got != scan_ref(buf, len))
                    fail_msg("length %zu, byte 0x%02x at %zu: got %u", len, b, pos, got);
            }
        }
        memset(buf, 'z', sizeof buf);
        assert_int_equal(rw_json_scan((const char *)buf, len), 0);
    }
    /* Neighbours that borrow in a word-wide subtraction: 0x20 and 0x21 next to 0x00 or 0x80. */
    const unsigned char tricky[][9] = {
        {0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20},
        {0x21, 0x7f, 0x5d, 0x5b, 0x23, 0x21, 0x7e, 0x20, 0x41},
        {0x00, 0x20, 0x21, 0x22, 0x5c, 0x80, 0xff, 0x1f, 0x20},
        {0x80, 0x20, 0x80, 0x20, 0x80, 0x20, 0x80, 0x20, 0x80},
    };
    for (size_t t = 0; t < sizeof tricky / sizeof tricky[0]; t++)
        for (size_t len = 0; len <= 9; len++)
            assert_int_equal(rw_json_scan((const char *)tricky[t], len), scan_ref(tricky[t], len));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_escape__plain_and_utf8__unchanged),
        cmocka_unit_test(json_scan__every_byte_at_every_position__as_bytewise),
        cmocka_unit_test(text_escape__control_backslash_invalid__escaped),
        cmocka_unit_test(text_escape__truncated_or_overlong_utf8__escaped),
    };
    return cmocka_run_group_tests_name("report_text", tests, NULL, NULL);
}
