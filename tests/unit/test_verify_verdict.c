/* Unit tests for src/verify/verdict.c: the verdict rules on evidence built in memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alfwipe/verify.h"

/* String literals for the evidence structs, whose fields are not const. */
#define S(lit) ((char *)(uintptr_t)(lit))

#define NOW INT64_C(1719705600000) /* 2024-06-30T00:00:00Z */
#define DAY INT64_C(86400000)

static const struct vpolicy pol = {NOW, 14 * DAY, 1 * DAY, false, false, "0 0 4 * * ?"};

static struct vitem item_node = {.source = S("--node"), .uuid = S("uuid-1")};
static struct vitem item_url = {.source = S("--url")};

static void judge(struct vresult *r, struct vurl *u, const struct vpolicy *p)
{
    r->urls = u;
    r->nurls = 1;
    verify_judge_url(p ? p : &pol, r, u);
    verify_judge_item(p ? p : &pol, r);
}

static void clear(struct vresult *r, struct vurl *u)
{
    free(u->why);
    u->why = NULL;
    free(r->why);
    r->why = NULL;
}

static void judge_url__referenced__not_destroyed_by_whom(void **state)
{
    (void)state;
    struct vref ref = {.data_id = 5, .has_node = true,
                       .node_ref = S("archive://SpacesStore/uuid-1"), .kind = VS_ARCHIVE,
                       .prop = S("cm:content"), .archived_date = S("2024-06-10"),
                       .archived_by = S("dave")};
    struct vurl u = {.url = S("store://a/b.bin"), .local = true, .db_known = true,
                     .refs = &ref, .nrefs = 1};
    struct vresult r = {.item = &item_node, .node_known = true};
    judge(&r, &u, NULL);
    assert_int_equal(u.verdict, V_NOT_DESTROYED);
    assert_int_equal(r.verdict, V_NOT_DESTROYED);
    assert_non_null(strstr(u.why, "archive://SpacesStore/uuid-1"));
    assert_non_null(strstr(u.why, "by dave"));
    assert_non_null(strstr(u.why, "alfwipe purge"));
    clear(&r, &u);
    /* a data row no node holds is still a reference */
    struct vref dangling = {.data_id = 9, .has_node = false};
    u.refs = &dangling;
    judge(&r, &u, NULL);
    assert_int_equal(u.verdict, V_NOT_DESTROYED);
    assert_non_null(strstr(u.why, "alf_content_data 9"));
    clear(&r, &u);
}

static void judge_url__file_left__pending_with_what_next(void **state)
{
    (void)state;
    struct vfile f = {.root_name = S("contentstore_deleted"), .kind = VR_DELETED,
                      .path = S("/d/a/b.bin"), .size = 10, .regular = true};
    struct vurl u = {.url = S("store://a/b.bin"), .local = true, .files = &f, .nfiles = 1};
    struct vresult r = {.item = &item_node, .node_known = true};
    judge(&r, &u, NULL);
    assert_int_equal(u.verdict, V_PENDING);
    assert_int_equal(r.verdict, V_PENDING);
    assert_non_null(strstr(u.why, "never empties contentstore.deleted"));
    clear(&r, &u);
    /* in contentstore with no row: nothing in Alfresco removes it */
    f.kind = VR_CONTENT;
    f.root_name = S("contentstore");
    judge(&r, &u, NULL);
    assert_non_null(strstr(u.why, "nothing in Alfresco will ever remove this file"));
    clear(&r, &u);
    /* kept row */
    u.db_known = true;
    u.has_orphan_time = true;
    u.orphan_time = 0;
    judge(&r, &u, NULL);
    assert_string_equal(u.orphan_state, "orphan_kept");
    clear(&r, &u);
}

static void judge_url__orphan_boundaries__protected_eligible_overdue(void **state)
{
    (void)state;
    struct vfile f = {.root_name = S("contentstore"), .kind = VR_CONTENT,
                      .path = S("/c/a/b.bin"), .size = 1, .regular = true};
    struct vurl u = {.url = S("store://a/b.bin"), .local = true, .db_known = true,
                     .has_orphan_time = true, .files = &f, .nfiles = 1};
    struct vresult r = {.item = &item_url};
    u.orphan_time = NOW - 14 * DAY; /* exactly at the boundary: still protected */
    judge(&r, &u, NULL);
    assert_string_equal(u.orphan_state, "orphan_protected");
    clear(&r, &u);
    u.orphan_time = NOW - 14 * DAY - 1;
    judge(&r, &u, NULL);
    assert_string_equal(u.orphan_state, "orphan_eligible");
    clear(&r, &u);
    u.orphan_time = NOW - 15 * DAY - 1;
    judge(&r, &u, NULL);
    assert_string_equal(u.orphan_state, "orphan_overdue");
    assert_non_null(strstr(u.why, "check that it runs"));
    clear(&r, &u);
    u.has_orphan_time = false;
    judge(&r, &u, NULL);
    assert_string_equal(u.orphan_state, "unreferenced");
    assert_int_equal(u.verdict, V_PENDING);
    clear(&r, &u);
}

static void judge_url__certificate__destroyed_only_when_erased_verified_guaranteed(void **state)
{
    (void)state;
    struct vcert cert = {.path = S("/c.jsonl")};
    struct vcertrec rec = {.cert = &cert, .line = 2, .status = S("ERASED"), .verified = true,
                           .assurance = S("guaranteed"), .passes_done = 3,
                           .passes_total = 3};
    const struct vcertrec *recs[] = {&rec};
    struct vurl u = {.url = S("store://a/b.bin"), .local = true, .recs = recs, .nrecs = 1};
    struct vresult r = {.item = &item_url};
    judge(&r, &u, NULL);
    assert_int_equal(u.verdict, V_DESTROYED);
    assert_ptr_equal(u.proof, &rec);
    assert_int_equal(r.verdict, V_DESTROYED);
    assert_non_null(strstr(u.why, "/c.jsonl line 2"));
    clear(&r, &u);
    rec.verified = false;
    judge(&r, &u, NULL);
    assert_int_equal(u.verdict, V_DESTROYED_UNVERIFIED);
    assert_null(u.proof);
    assert_non_null(strstr(u.why, "not verified"));
    clear(&r, &u);
    rec.verified = true;
    rec.assurance = S("not-guaranteed");
    judge(&r, &u, NULL);
    assert_int_equal(u.verdict, V_DESTROYED_UNVERIFIED);
    assert_non_null(strstr(u.why, "not-guaranteed"));
    clear(&r, &u);
    rec.assurance = S("guaranteed");
    rec.status = S("FAILED");
    judge(&r, &u, NULL);
    assert_int_equal(u.verdict, V_DESTROYED_UNVERIFIED);
    clear(&r, &u);
    /* a non-local URL cannot be proven destroyed by a record about a local path */
    rec.status = S("ERASED");
    u.local = false;
    judge(&r, &u, NULL);
    assert_int_equal(u.verdict, V_DESTROYED_UNVERIFIED);
    clear(&r, &u);
}

static void judge_url__nothing_known__unknown_unless_node_known(void **state)
{
    (void)state;
    struct vcert bad = {.path = S("/t.jsonl"), .state = VC_TAMPERED, .bad_line = 4};
    const struct vcert *untrusted[] = {&bad};
    struct vurl u = {.url = S("store://a/b.bin"), .local = true};
    struct vresult r = {.item = &item_url};
    judge(&r, &u, NULL);
    assert_int_equal(u.verdict, V_UNKNOWN);
    assert_int_equal(r.verdict, V_UNKNOWN);
    clear(&r, &u);
    struct vnoderow ghost = {.store = S("workspace://SpacesStore"), .kind = VS_LIVE,
                             .ghosted = true, .record = true};
    struct vresult rn = {.item = &item_node, .node_known = true,
                         .node = {.rows = &ghost, .nrows = 1}};
    u.untrusted = untrusted;
    u.nuntrusted = 1;
    judge(&rn, &u, NULL);
    assert_int_equal(u.verdict, V_DESTROYED_UNVERIFIED);
    assert_non_null(strstr(u.why, "Records Management without overwrite"));
    assert_non_null(strstr(u.why, "/t.jsonl is not intact"));
    clear(&rn, &u);
    struct vpolicy cl = pol;
    cl.cleansing = true;
    judge(&rn, &u, &cl);
    assert_non_null(strstr(u.why, "0xFF, 0x00, random"));
    clear(&rn, &u);
    ghost.ghosted = false;
    ghost.deleted = true;
    struct vpolicy eager = pol;
    eager.eager = true;
    judge(&rn, &u, &eager);
    assert_non_null(strstr(u.why, "eager cleanup never copies"));
    clear(&rn, &u);
}

static void judge_url__not_plain_path__names_the_file_alfresco_opens(void **state)
{
    (void)state;
    struct vurl u = {.url = S("store://2024//x.bin"), .local = true, .rel = S("2024/x.bin")};
    struct vresult r = {.item = &item_url};
    judge(&r, &u, NULL);
    assert_non_null(strstr(u.why, "Alfresco opens this URL as the file 2024/x.bin"));
    clear(&r, &u);
    /* a plain URL gets no such note */
    u.url = S("store://2024/x.bin");
    judge(&r, &u, NULL);
    assert_null(strstr(u.why, "opens this URL as"));
    clear(&r, &u);
}

static void judge_url__inconsistent_row__says_the_index_misses_it(void **state)
{
    (void)state;
    int64_t more[] = {77};
    struct vurl u = {.url = S("store://a/b.bin"), .local = true, .db_known = true, .id = 12,
                     .by_text = true, .crc_mismatch = true, .row_crc = 5,
                     .short_mismatch = true, .row_short = S("wrong")};
    struct vresult r = {.item = &item_url};
    judge(&r, &u, NULL);
    assert_int_equal(u.verdict, V_DESTROYED_UNVERIFIED);
    assert_non_null(strstr(u.why, "row 12 does not match its URL"));
    assert_non_null(strstr(u.why, "content_url_short 'wrong', not 're://a/b.bin'"));
    assert_non_null(strstr(u.why, "content_url_crc 5, not "));
    assert_null(strstr(u.why, "more alf_content_url row"));
    clear(&r, &u);
    /* found by text and consistent (an uncertain short value): nothing said; a second row is */
    u.crc_mismatch = u.short_mismatch = false;
    u.more_ids = more;
    u.nmore = 1;
    judge(&r, &u, NULL);
    assert_null(strstr(u.why, "does not match"));
    assert_non_null(strstr(u.why, "1 more alf_content_url row holds the same URL (id 77)"));
    clear(&r, &u);
}

static void judge_url__version_of_trashcan_node__released_by_the_purge(void **state)
{
    (void)state;
    struct vref ref = {.data_id = 5, .has_node = true,
                       .node_ref = S("workspace://version2Store/v1"), .kind = VS_VERSION,
                       .prop = S("cm:content"), .frozen_ref = S("workspace://SpacesStore/uuid-1"),
                       .frozen_state = VF_TRASH};
    struct vurl u = {.url = S("store://a/b.bin"), .local = true, .db_known = true,
                     .refs = &ref, .nrefs = 1};
    struct vresult r = {.item = &item_url};
    judge(&r, &u, NULL);
    assert_int_equal(u.verdict, V_NOT_DESTROYED);
    assert_non_null(strstr(u.why, "purging the item from the trashcan"));
    assert_null(strstr(u.why, "delete those versions"));
    clear(&r, &u);
    ref.frozen_state = VF_LIVE;
    judge(&r, &u, NULL);
    assert_non_null(strstr(u.why, "of a live node"));
    assert_null(strstr(u.why, "purging the item from the trashcan"));
    clear(&r, &u);
    ref.frozen_state = VF_GONE;
    judge(&r, &u, NULL);
    assert_non_null(strstr(u.why, "though its node is gone"));
    clear(&r, &u);
    /* not looked up: the item's own node in the trashcan tells */
    ref.frozen_state = VF_UNKNOWN;
    struct vnoderow arch = {.store = S("archive://SpacesStore"), .kind = VS_ARCHIVE};
    struct vresult rn = {.item = &item_node, .node_known = true, .node = {.rows = &arch,
                                                                          .nrows = 1}};
    judge(&rn, &u, NULL);
    assert_non_null(strstr(u.why, "purging the item from the trashcan"));
    clear(&rn, &u);
}

static void verify_why_finding_len__parenthesis__not_split(void **state)
{
    (void)state;
    const char *why = "no wipe record: unlinked (the cleaner copies it; that copy is gone); "
                      "next";
    size_t n = verify_why_finding_len(why);
    assert_int_equal(n, strlen("no wipe record: unlinked (the cleaner copies it; that copy is "
                               "gone)"));
    assert_string_equal(why + n + 2, "next");
    assert_int_equal(verify_why_finding_len("next"), 4);
    assert_int_equal(verify_why_finding_len("a; b"), 1);
    assert_int_equal(verify_why_finding_len(""), 0);
    /* a stray ')' does not make the depth negative */
    assert_int_equal(verify_why_finding_len("a) b; c"), 4);
}

static void judge_item__node_states(void **state)
{
    (void)state;
    struct vnoderow rows[2] = {
        {.store = S("workspace://SpacesStore"), .kind = VS_LIVE, .deleted = true},
        {.store = S("archive://SpacesStore"), .kind = VS_ARCHIVE},
    };
    struct vresult r = {.item = &item_node, .node_known = true, .node = {.rows = rows, .nrows = 2}};
    verify_judge_item(&pol, &r);
    assert_int_equal(r.verdict, V_NOT_DESTROYED);
    assert_non_null(strstr(r.why, "trashcan"));
    free(r.why);
    r.why = NULL;
    r.node.nrows = 1; /* only the placeholder, no URL known */
    verify_judge_item(&pol, &r);
    assert_int_equal(r.verdict, V_DESTROYED_UNVERIFIED);
    assert_non_null(strstr(r.why, "--url"));
    free(r.why);
    r.why = NULL;
    r.node_known = false;
    r.node.nrows = 0;
    verify_judge_item(&pol, &r);
    assert_int_equal(r.verdict, V_UNKNOWN);
    free(r.why);
}

static void verify_exit_code__order_of_precedence(void **state)
{
    (void)state;
    size_t c[V_NVERDICTS] = {3, 0, 0, 0, 0};
    assert_int_equal(verify_exit_code(c, false, false), 0);
    assert_int_equal(verify_exit_code(c, true, false), 2);
    assert_int_equal(verify_exit_code(c, false, true), 3);
    c[V_UNKNOWN] = 1;
    assert_int_equal(verify_exit_code(c, false, false), 1);
    c[V_NOT_DESTROYED] = 1;
    assert_int_equal(verify_exit_code(c, false, true), 2);
    size_t none[V_NVERDICTS] = {0};
    none[V_PENDING] = 1;
    assert_int_equal(verify_exit_code(none, false, false), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(judge_url__referenced__not_destroyed_by_whom),
        cmocka_unit_test(judge_url__file_left__pending_with_what_next),
        cmocka_unit_test(judge_url__orphan_boundaries__protected_eligible_overdue),
        cmocka_unit_test(judge_url__certificate__destroyed_only_when_erased_verified_guaranteed),
        cmocka_unit_test(judge_url__nothing_known__unknown_unless_node_known),
        cmocka_unit_test(judge_url__not_plain_path__names_the_file_alfresco_opens),
        cmocka_unit_test(judge_url__inconsistent_row__says_the_index_misses_it),
        cmocka_unit_test(judge_url__version_of_trashcan_node__released_by_the_purge),
        cmocka_unit_test(verify_why_finding_len__parenthesis__not_split),
        cmocka_unit_test(judge_item__node_states),
        cmocka_unit_test(verify_exit_code__order_of_precedence),
    };
    return cmocka_run_group_tests_name("verify_verdict", tests, NULL, NULL);
}
