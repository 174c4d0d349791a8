/* Unit tests of the report's classification rules (report-cases R7-R11, R15, boundaries). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alfwipe/report.h"
#include "alfwipe/timeutil.h"

/* --now 2024-06-30T00:00:00Z with the default policy. */
static const struct rpolicy POL = {
    .now_ms = INT64_C(1719705600000),
    .protect_ms = 14 * INT64_C(86400000),
    .slack_ms = INT64_C(86400000),
    .keep_ms = 28 * INT64_C(86400000),
    .grace_ms = 60 * INT64_C(60000),
};

static enum rclass orphan(int64_t t)
{
    struct url_facts f = {.is_store = true, .orphan_set = true, .orphan_time = t};
    return classify_url(&f, &POL);
}

static void classify_url__orphan_inside_window__protected(void **state)
{
    (void)state;
    assert_int_equal(orphan(INT64_C(1718841600000)), CLS_ORPHAN_PROTECTED); /* R7 */
}

static void classify_url__orphan_exactly_at_boundary__protected(void **state)
{
    (void)state;
    assert_int_equal(orphan(INT64_C(1718496000000)), CLS_ORPHAN_PROTECTED); /* R8b */
    assert_int_equal(orphan(INT64_C(1718496000000) - 1), CLS_ORPHAN_ELIGIBLE);
}

static void classify_url__orphan_within_slack__eligible(void **state)
{
    (void)state;
    assert_int_equal(orphan(INT64_C(1718452800000)), CLS_ORPHAN_ELIGIBLE); /* R8 */
    assert_int_equal(orphan(INT64_C(1718409600000)), CLS_ORPHAN_ELIGIBLE);
    assert_int_equal(orphan(INT64_C(1718409600000) - 1), CLS_ORPHAN_OVERDUE);
}

static void classify_url__orphan_long_past__overdue(void **state)
{
    (void)state;
    assert_int_equal(orphan(INT64_C(1714521600000)), CLS_ORPHAN_OVERDUE); /* R9 */
}

static void classify_url__orphan_time_zero__kept(void **state)
{
    (void)state;
    assert_int_equal(orphan(0), CLS_ORPHAN_KEPT); /* R10 */
    assert_int_equal(orphan(-5), CLS_ORPHAN_KEPT);
}

static void classify_url__no_reference_no_mark__unreferenced(void **state)
{
    (void)state;
    struct url_facts f = {.is_store = true};
    assert_int_equal(classify_url(&f, &POL), CLS_UNREFERENCED); /* R11 */
    f.has_dangling = true;
    f.orphan_set = true;
    f.orphan_time = 1;
    assert_int_equal(classify_url(&f, &POL), CLS_UNREFERENCED);
}

static void classify_url__references__strongest_wins(void **state)
{
    (void)state;
    struct url_facts f = {.is_store = true, .has_archive = true, .has_version = true,
                          .has_live = true, .orphan_set = true, .orphan_time = 5};
    assert_int_equal(classify_url(&f, &POL), CLS_LIVE); /* R13: workspace outranks archive */
    f.has_live = false;
    assert_int_equal(classify_url(&f, &POL), CLS_VERSION);
    f.has_version = false;
    assert_int_equal(classify_url(&f, &POL), CLS_TRASHCAN);
}

static void classify_url__other_protocol__non_file_first(void **state)
{
    (void)state;
    struct url_facts f = {.is_store = false, .has_live = true};
    assert_int_equal(classify_url(&f, &POL), CLS_NON_FILE); /* R15 */
}

static void trash_expired__keep_period__strictly_older(void **state)
{
    (void)state;
    int64_t boundary = POL.now_ms - POL.keep_ms; /* 2024-06-02T00:00:00Z */
    assert_true(trash_expired(boundary - 1, &POL));
    assert_false(trash_expired(boundary, &POL));
    assert_true(trash_expired(INT64_C(1705276800000), &POL)); /* R5: 2024-01-15 */
}

static void classify_file__roots__stray_deleted_referenced(void **state)
{
    (void)state;
    assert_int_equal(classify_file(false, false), CLS_STRAY);              /* R2 */
    assert_int_equal(classify_file(true, false), CLS_DELETED);             /* R1 */
    assert_int_equal(classify_file(true, true), CLS_DELETED_REFERENCED);   /* R18 */
}

static void file_in_flight__grace_period__strictly_younger(void **state)
{
    (void)state;
    int64_t grace = POL.grace_ms;
    assert_true(file_in_flight(30 * INT64_C(60000), &POL));                /* R2: u10 */
    assert_true(file_in_flight(grace - 1, &POL));
    assert_false(file_in_flight(grace, &POL));
    assert_false(file_in_flight(14 * INT64_C(3600000), &POL));             /* R12: e1 */
    assert_true(file_in_flight(-5000, &POL));    /* mtime after "now": not settled either */
}

static void names__every_class_and_finding__named(void **state)
{
    (void)state;
    assert_string_equal(rclass_name(CLS_DELETED_REFERENCED), "deleted_referenced");
    assert_string_equal(rclass_name(CLS_ORPHAN_KEPT), "orphan_kept");
    assert_string_equal(finding_name(F_MISSING_FILE), "missing_file");
    assert_string_equal(finding_name(F_IN_FLIGHT), "in_flight");
    assert_string_equal(finding_name(F_NO_ARCHIVED_DATE), "no_archived_date");
    for (int c = 0; c < CLS_COUNT; c++)
        assert_string_not_equal(rclass_name((enum rclass)c), "?");
    for (unsigned b = 0; b < F_COUNT_BITS; b++)
        assert_string_not_equal(finding_name(1u << b), "?");
}

static void needs_attention__warning_classes__listed_without_findings(void **state)
{
    (void)state;
    const enum rclass yes[] = {CLS_ORPHAN_OVERDUE, CLS_ORPHAN_KEPT, CLS_UNREFERENCED, CLS_STRAY,
                               CLS_DELETED_REFERENCED};
    const enum rclass no[] = {CLS_LIVE, CLS_VERSION, CLS_TRASHCAN, CLS_ORPHAN_PROTECTED,
                              CLS_ORPHAN_ELIGIBLE, CLS_NON_FILE, CLS_DELETED};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        assert_true(rclass_needs_attention(yes[i]));
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_false(rclass_needs_attention(no[i]));
    assert_int_equal(sizeof yes / sizeof yes[0] + sizeof no / sizeof no[0], CLS_COUNT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(classify_url__orphan_inside_window__protected),
        cmocka_unit_test(classify_url__orphan_exactly_at_boundary__protected),
        cmocka_unit_test(classify_url__orphan_within_slack__eligible),
        cmocka_unit_test(classify_url__orphan_long_past__overdue),
        cmocka_unit_test(classify_url__orphan_time_zero__kept),
        cmocka_unit_test(classify_url__no_reference_no_mark__unreferenced),
        cmocka_unit_test(classify_url__references__strongest_wins),
        cmocka_unit_test(classify_url__other_protocol__non_file_first),
        cmocka_unit_test(trash_expired__keep_period__strictly_older),
        cmocka_unit_test(classify_file__roots__stray_deleted_referenced),
        cmocka_unit_test(file_in_flight__grace_period__strictly_younger),
        cmocka_unit_test(names__every_class_and_finding__named),
        cmocka_unit_test(needs_attention__warning_classes__listed_without_findings),
    };
    return cmocka_run_group_tests_name("classify", tests, NULL, NULL);
}
