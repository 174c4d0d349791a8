/* Unit tests of the report's byte totals (held at INT64_MAX, never wrapping) and of the names
 * the report gives to what it finds on disk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "alfwipe/walk.h"
#include "../../src/report/rep_int.h"

static void bytes_add__near_2_63__held_at_int64_max(void **state)
{
    (void)state;
    uint64_t t = 0;
    int64_t big = (INT64_C(1) << 62) + 5;
    bytes_add(&t, big);
    assert_true(t == (uint64_t)big);
    bytes_add(&t, big);
    assert_true(t == (uint64_t)INT64_MAX);
    bytes_add(&t, big);
    bytes_add(&t, INT64_MAX);
    assert_true(t == (uint64_t)INT64_MAX);
    assert_true((int64_t)t > 0);
}

static void bytes_add__negative_or_zero__adds_nothing(void **state)
{
    (void)state;
    uint64_t t = 7;
    bytes_add(&t, -1);
    bytes_add(&t, INT64_MIN);
    bytes_add(&t, 0);
    assert_true(t == 7);
    bytes_add(&t, 3);
    assert_true(t == 10);
}

static void walk_type_name__every_kind__named(void **state)
{
    (void)state;
    assert_string_equal(walk_type_name(WALK_FILE), "file");
    assert_string_equal(walk_type_name(WALK_SYMLINK), "symlink");
    assert_string_equal(walk_type_name(WALK_FIFO), "fifo");
    assert_string_equal(walk_type_name(WALK_SOCKET), "socket");
    assert_string_equal(walk_type_name(WALK_DEVICE), "device");
    assert_string_equal(walk_type_name(WALK_DIR), "directory");
    assert_string_equal(walk_type_name(200), "other");
    assert_string_equal(finding_name(F_HARD_LINKED), "hard_linked");
    assert_string_equal(finding_name(F_NOT_CONTENT_NAME), "not_content_name");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bytes_add__near_2_63__held_at_int64_max),
        cmocka_unit_test(bytes_add__negative_or_zero__adds_nothing),
        cmocka_unit_test(walk_type_name__every_kind__named),
    };
    return cmocka_run_group_tests_name("report_totals", tests, NULL, NULL);
}
