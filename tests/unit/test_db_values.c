/* Unit tests for the server-free helpers of src/db/db.c: column parsing (db_int64, db_bool)
 * and the $n placeholder count that db_query checks parameters against. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "alfwipe/db.h"
#include "../../src/db/db_int.h"

static struct db_value val(const char *s)
{
    struct db_value v = {s ? s : "", s ? strlen(s) : 0, s == NULL};
    return v;
}

static void db_int64__valid_text__parsed(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int64_t want;
    } cases[] = {
        {"0", 0},
        {"42", 42},
        {"-1", -1},
        {"1709802311123", INT64_C(1709802311123)},
        {"4294967295", INT64_C(4294967295)},
        {"9223372036854775807", INT64_MAX},
        {"-9223372036854775808", INT64_MIN},
        {"007", 7},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct db_value v = val(cases[i].text);
        int64_t got = 12345;
        assert_int_equal(db_int64(&v, &got), 0);
        assert_true(got == cases[i].want);
    }
}

static void db_int64__bad_text__refused_output_untouched(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", " 1", "1 ", "+1", "1.5", "1e3", "0x10", "abc", "12abc", "-", "--1",
        "9223372036854775808", "-9223372036854775809", "99999999999999999999",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct db_value v = val(bad[i]);
        int64_t got = 12345;
        assert_int_equal(db_int64(&v, &got), -1);
        assert_true(got == 12345);
    }
    struct db_value null = val(NULL);
    int64_t got = 7;
    assert_int_equal(db_int64(&null, &got), -1);
    assert_true(got == 7);
}

static void db_int64__embedded_nul__refused(void **state)
{
    (void)state;
    /* The length says 3 bytes; the text stops after one: not a clean integer. */
    struct db_value v = {"1\0" "2", 3, false};
    int64_t got = 0;
    assert_int_equal(db_int64(&v, &got), -1);
}

static void db_bool__pg_and_mysql_spellings__read(void **state)
{
    (void)state;
    static const char *const yes[] = {"t", "T", "true", "TRUE", "True", "1", "\1"};
    static const char *const no[] = {"f", "F", "false", "0", "", "2", "yes", "tru", "truex"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        struct db_value v = val(yes[i]);
        assert_true(db_bool(&v));
    }
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        struct db_value v = val(no[i]);
        assert_false(db_bool(&v));
    }
    struct db_value bit0 = {"\0", 1, false};   /* a MySQL BIT(1) zero: one NUL byte */
    assert_false(db_bool(&bit0));
    struct db_value null = {"t", 1, true};
    assert_false(db_bool(&null));
}

static void db_sql_max_param__placeholders__highest_counted(void **state)
{
    (void)state;
    static const struct {
        const char *sql;
        int want;
    } cases[] = {
        {"SELECT 1", 0},
        {"SELECT $1", 1},
        {"SELECT $2, $1, $2", 2},
        {"SELECT x FROM t WHERE a IN ($1, $2, $3, $4, $5, $6, $7, $8)", 8},
        {"SELECT $12", 12},
        {"SELECT $1+$3", 3},
        {"SELECT * FROM t WHERE a=$1\n", 1},
        /* Not parameters: quoted text, identifiers, comments, dollar quotes. */
        {"SELECT '$1'", 0},
        {"SELECT 'it''s $3', $1", 1},
        {"SELECT \"col$2\" FROM t", 0},
        {"SELECT `x$4`", 0},
        {"SELECT a$1 FROM t", 0},
        {"SELECT x -- $5 is mentioned here\nFROM t WHERE y = $2", 2},
        {"SELECT /* $9 /* nested $8 */ still $7 */ $1", 1},
        {"SELECT $$ $6 $$, $tag$ $5 $tag$, $2", 2},
        {"-- The schema $1 (a header comment)\nSELECT table_name FROM t WHERE s = $1", 1},
        /* Unterminated pieces end the scan without reading past the text. */
        {"SELECT '$1", 0},
        {"SELECT 1 /* $1", 0},
        {"SELECT $1, $$ $2", 1},
        {"SELECT $", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = db_sql_max_param(cases[i].sql);
        if (got != cases[i].want)
            fail_msg("'%s': got %d, want %d", cases[i].sql, got, cases[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(db_int64__valid_text__parsed),
        cmocka_unit_test(db_int64__bad_text__refused_output_untouched),
        cmocka_unit_test(db_int64__embedded_nul__refused),
        cmocka_unit_test(db_bool__pg_and_mysql_spellings__read),
        cmocka_unit_test(db_sql_max_param__placeholders__highest_counted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
