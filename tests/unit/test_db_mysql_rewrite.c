/* Unit tests for the server-free parts of src/db/db_mysql.c: $n -> ? rewriting with its
 * parameter map, and FLOAT/DOUBLE text that matches PostgreSQL's output (reference values
 * printed by PostgreSQL 15). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/db/db_mysql_int.h"

/* Rewrite sql with nparams; on success check the text and the map (terminated by -1). */
static void expect_rewrite(const char *sql, int nparams, const char *text, const int *map)
{
    struct db_mysql_sql out;
    struct err err = ERR_INIT;
    assert_int_equal(db_mysql_rewrite("q_test", sql, nparams, &out, &err), 0);
    assert_string_equal(out.text, text);
    int n = 0;
    while (map[n] >= 0)
        n++;
    assert_int_equal(out.nmap, n);
    for (int i = 0; i < n; i++)
        assert_int_equal(out.map[i], map[i]);
    db_mysql_sql_release(&out);
    assert_null(out.text);
    assert_null(out.map);
}

/* Rewrite must fail with ERR_INTERNAL and a message containing what. */
static void expect_refused(const char *sql, int nparams, const char *what)
{
    struct db_mysql_sql out;
    struct err err = ERR_INIT;
    assert_int_equal(db_mysql_rewrite("q_test", sql, nparams, &out, &err), -1);
    assert_int_equal(err.kind, ERR_INTERNAL);
    assert_non_null(strstr(err.msg, "q_test"));
    assert_non_null(strstr(err.msg, what));
    assert_null(out.text);
}

static void rewrite__in_order__positional(void **state)
{
    (void)state;
    static const int map[] = {0, 1, -1};
    expect_rewrite("SELECT a FROM t WHERE b = $1 AND c = $2", 2,
                   "SELECT a FROM t WHERE b = ? AND c = ?", map);
}

static void rewrite__reused_and_reordered__map_follows_text(void **state)
{
    (void)state;
    static const int map[] = {2, 0, 2, 1, -1};
    expect_rewrite("x($3, $1, $3, $2)", 3, "x(?, ?, ?, ?)", map);
}

static void rewrite__two_digit_numbers__whole_number_taken(void **state)
{
    (void)state;
    static const int map[] = {11, 0, -1};
    expect_rewrite("IN ($12,$1)", 12, "IN (?,?)", map);
}

static void rewrite__dollar_in_string_literal__kept(void **state)
{
    (void)state;
    static const int map[] = {0, -1};
    expect_rewrite("SELECT '$1', 'it''s $2', $1", 1, "SELECT '$1', 'it''s $2', ?", map);
}

static void rewrite__backslash_in_literal__ordinary_character(void **state)
{
    (void)state;
    /* NO_BACKSLASH_ESCAPES: '\' ends nothing; the literal closes at the second quote */
    static const int map[] = {0, -1};
    expect_rewrite("SELECT 'a\\', $1", 1, "SELECT 'a\\', ?", map);
}

static void rewrite__quoted_identifiers__kept(void **state)
{
    (void)state;
    static const int map[] = {0, -1};
    expect_rewrite("SELECT \"$1\", `$2`, \"a\"\"$3\" FROM t WHERE x = $1", 1,
                   "SELECT \"$1\", `$2`, \"a\"\"$3\" FROM t WHERE x = ?", map);
}

static void rewrite__comments__dropped_with_their_placeholders(void **state)
{
    (void)state;
    static const int map[] = {0, -1};
    expect_rewrite("-- uses $9 and ?\nSELECT /* $8 ? */ $1 -- tail $7\n", 1,
                   "\nSELECT   ? \n", map);
}

static void rewrite__nested_block_comment__dropped_whole(void **state)
{
    (void)state;
    static const int map[] = {0, -1};
    expect_rewrite("a /* x /* $5 */ $6\n */ $1", 1, "a \n  ?", map);
}

static void rewrite__dollar_after_identifier__kept(void **state)
{
    (void)state;
    static const int map[] = {-1};
    expect_rewrite("SELECT a$1, $x, $ FROM t", 0, "SELECT a$1, $x, $ FROM t", map);
}

static void rewrite__no_placeholders__text_unchanged(void **state)
{
    (void)state;
    static const int map[] = {-1};
    expect_rewrite("SELECT DATABASE()", 0, "SELECT DATABASE()", map);
}

static void rewrite__unterminated_literal__copied_to_end(void **state)
{
    (void)state;
    static const int map[] = {-1};
    expect_rewrite("SELECT 'abc $1", 0, "SELECT 'abc $1", map);
}

static void rewrite__number_above_nparams__refused(void **state)
{
    (void)state;
    expect_refused("SELECT $3", 2, "$3");
}

static void rewrite__dollar_zero__refused(void **state)
{
    (void)state;
    expect_refused("SELECT $0", 2, "$0");
}

static void rewrite__bare_question_mark__refused(void **state)
{
    (void)state;
    expect_refused("SELECT a FROM t WHERE b = ?", 0, "'?'");
}

static void rewrite__question_mark_in_literal__allowed(void **state)
{
    (void)state;
    static const int map[] = {0, -1};
    expect_rewrite("SELECT '?' = $1", 1, "SELECT '?' = ?", map);
}

static void fmt(double v, bool single, const char *want)
{
    char out[32];
    db_mysql_format_real(out, sizeof out, v, single);
    assert_string_equal(out, want);
}

static void format_real__double__as_postgresql_prints(void **state)
{
    (void)state;
    fmt(1e15, false, "1e+15");
    fmt(1e14, false, "100000000000000");
    fmt(0.0001, false, "0.0001");
    fmt(0.00001, false, "1e-05");
    fmt(0.1, false, "0.1");
    fmt(1.0 / 3.0, false, "0.3333333333333333");
    fmt(1.2345678901234568e+17, false, "1.2345678901234568e+17");
    fmt(123456789012345.6, false, "123456789012345.6");
    fmt(5e-324, false, "5e-324");
    fmt(1.7976931348623157e308, false, "1.7976931348623157e+308");
    fmt(16777217.0, false, "16777217");
    fmt(-0.0, false, "-0");
    fmt(0.0, false, "0");
    fmt(-2.5, false, "-2.5");
}

static void format_real__float__as_postgresql_prints(void **state)
{
    (void)state;
    fmt((double)100000.0f, true, "100000");
    fmt((double)1000000.0f, true, "1e+06");
    fmt((double)1.5e-5f, true, "1.5e-05");
    fmt((double)123456.7f, true, "123456.7");
    fmt((double)0.1f, true, "0.1");
    fmt((double)3.14159f, true, "3.14159");
    fmt((double)(1.0f / 3.0f), true, "0.33333334");
    fmt((double)16777216.0f, true, "1.6777216e+07");
    fmt((double)0.000123f, true, "0.000123");
}

static void format_real__special_values__postgresql_words(void **state)
{
    (void)state;
    fmt(NAN, false, "NaN");
    fmt(INFINITY, false, "Infinity");
    fmt(-INFINITY, true, "-Infinity");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rewrite__in_order__positional),
        cmocka_unit_test(rewrite__reused_and_reordered__map_follows_text),
        cmocka_unit_test(rewrite__two_digit_numbers__whole_number_taken),
        cmocka_unit_test(rewrite__dollar_in_string_literal__kept),
        cmocka_unit_test(rewrite__backslash_in_literal__ordinary_character),
        cmocka_unit_test(rewrite__quoted_identifiers__kept),
        cmocka_unit_test(rewrite__comments__dropped_with_their_placeholders),
        cmocka_unit_test(rewrite__nested_block_comment__dropped_whole),
        cmocka_unit_test(rewrite__dollar_after_identifier__kept),
        cmocka_unit_test(rewrite__no_placeholders__text_unchanged),
        cmocka_unit_test(rewrite__unterminated_literal__copied_to_end),
        cmocka_unit_test(rewrite__number_above_nparams__refused),
        cmocka_unit_test(rewrite__dollar_zero__refused),
        cmocka_unit_test(rewrite__bare_question_mark__refused),
        cmocka_unit_test(rewrite__question_mark_in_literal__allowed),
        cmocka_unit_test(format_real__double__as_postgresql_prints),
        cmocka_unit_test(format_real__float__as_postgresql_prints),
        cmocka_unit_test(format_real__special_values__postgresql_words),
    };
    return cmocka_run_group_tests_name("db_mysql_rewrite", tests, NULL, NULL);
}
