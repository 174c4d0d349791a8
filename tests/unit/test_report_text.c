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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_escape__plain_and_utf8__unchanged),
        cmocka_unit_test(text_escape__control_backslash_invalid__escaped),
        cmocka_unit_test(text_escape__truncated_or_overlong_utf8__escaped),
    };
    return cmocka_run_group_tests_name("report_text", tests, NULL, NULL);
}
