/* Unit tests for src/db/pgcopy.c: COPY text lines as the PostgreSQL server writes them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/db/pgcopy.h"

struct split {
    char buf[256];
    struct db_value *cols;
    size_t cap;
    int n;
};

/* Split a copy of text (len bytes) as PQgetCopyData hands it: NUL-terminated. */
static void split(struct split *s, const char *text, size_t len)
{
    assert_true(len < sizeof s->buf);
    memcpy(s->buf, text, len);
    s->buf[len] = '\0';
    s->n = pgcopy_split(s->buf, len, &s->cols, &s->cap);
}

static void expect_col(const struct split *s, int i, const char *want, size_t wlen)
{
    assert_true(i < s->n);
    assert_false(s->cols[i].null);
    assert_int_equal(s->cols[i].len, wlen);
    assert_memory_equal(s->cols[i].s, want, wlen);
    assert_int_equal(s->cols[i].s[wlen], '\0');
}

static void pgcopy_split__plain_row__columns_and_null(void **state)
{
    (void)state;
    struct split s = {0};
    const char line[] = "42\tstore://2024/6/30/12/5/a.bin\t\\N\t1719705600000\n";
    split(&s, line, sizeof line - 1);
    assert_int_equal(s.n, 4);
    expect_col(&s, 0, "42", 2);
    expect_col(&s, 1, "store://2024/6/30/12/5/a.bin", 28);
    assert_true(s.cols[2].null);
    assert_int_equal(s.cols[2].len, 0);
    expect_col(&s, 3, "1719705600000", 13);
    free(s.cols);
}

static void pgcopy_split__empty_columns__not_null(void **state)
{
    (void)state;
    struct split s = {0};
    split(&s, "\t\t\n", 3);
    assert_int_equal(s.n, 3);
    for (int i = 0; i < 3; i++)
        expect_col(&s, i, "", 0);
    /* one empty column: an empty line */
    split(&s, "\n", 1);
    assert_int_equal(s.n, 1);
    expect_col(&s, 0, "", 0);
    free(s.cols);
}

static void pgcopy_split__escapes__their_bytes(void **state)
{
    (void)state;
    struct split s = {0};
    /* what the server writes for a tab, a newline, a CR and a backslash in data */
    const char line[] = "a\\tb\\nc\\rd\\\\e\t\\b\\f\\v\t\\101\\x42\\7\t\\q\\x\\xg\n";
    split(&s, line, sizeof line - 1);
    assert_int_equal(s.n, 4);
    expect_col(&s, 0, "a\tb\nc\rd\\e", 9);
    expect_col(&s, 1, "\b\f\v", 3);
    expect_col(&s, 2, "AB\a", 3);
    expect_col(&s, 3, "qxxg", 4);
    free(s.cols);
}

static void pgcopy_split__not_null_lookalikes__text(void **state)
{
    (void)state;
    struct split s = {0};
    /* \\N is a backslash and an N; \N inside a longer value is an N */
    const char line[] = "\\\\N\tx\\N\t\\N";
    split(&s, line, sizeof line - 1);
    assert_int_equal(s.n, 3);
    expect_col(&s, 0, "\\N", 2);
    expect_col(&s, 1, "xN", 2);
    assert_true(s.cols[2].null);
    free(s.cols);
}

static void pgcopy_split__high_bytes__kept(void **state)
{
    (void)state;
    struct split s = {0};
    const char line[] = "caf\xc3\xa9\t\xff\xfe\n";
    split(&s, line, sizeof line - 1);
    assert_int_equal(s.n, 2);
    expect_col(&s, 0, "caf\xc3\xa9", 5);
    expect_col(&s, 1, "\xff\xfe", 2);
    free(s.cols);
}

static void pgcopy_split__many_columns__array_grows(void **state)
{
    (void)state;
    struct split s = {0};
    char line[200];
    size_t len = 0;
    for (int i = 0; i < 40; i++)
        len += (size_t)snprintf(line + len, sizeof line - len, i ? "\t%d" : "%d", i);
    split(&s, line, len);
    assert_int_equal(s.n, 40);
    char want[8];
    for (int i = 0; i < 40; i++) {
        int wl = snprintf(want, sizeof want, "%d", i);
        expect_col(&s, i, want, (size_t)wl);
    }
    assert_true(s.cap >= 40);
    free(s.cols);
}

static void pgcopy_split__trailing_backslash__refused(void **state)
{
    (void)state;
    struct split s = {0};
    split(&s, "1\tab\\\n", 6);
    assert_int_equal(s.n, -1);
    free(s.cols);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pgcopy_split__plain_row__columns_and_null),
        cmocka_unit_test(pgcopy_split__empty_columns__not_null),
        cmocka_unit_test(pgcopy_split__escapes__their_bytes),
        cmocka_unit_test(pgcopy_split__not_null_lookalikes__text),
        cmocka_unit_test(pgcopy_split__high_bytes__kept),
        cmocka_unit_test(pgcopy_split__many_columns__array_grows),
        cmocka_unit_test(pgcopy_split__trailing_backslash__refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
