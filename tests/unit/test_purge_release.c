/* Unit tests for what purging trashcan items releases to Alfresco's orphan cleaner
 * (purge_refs_release) and when (purge_release_when). The reference rows are built by hand,
 * as q_purge_item_refs returns them: for each item, every alf_content_data row that points
 * at one of its URLs, flagged inside (the row belongs to that item) or not, with the node
 * holding it when known. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/cmd/purge_int.h"
#include "alfwipe/props.h"

#define NOW INT64_C(1719705600000) /* 2024-06-30T00:00:00Z */

/* Up to 4 items. */
struct fx {
    struct purge_refs *r;
    bool went[4];
    struct purge_item_release items[4];
    struct purge_release_total tot;
    size_t n;
};

static void fx_init(struct fx *f, size_t n)
{
    memset(f, 0, sizeof *f);
    f->n = n;
    f->r = purge_refs_new(n);
    for (size_t i = 0; i < n; i++)
        purge_refs_set_found(f->r, i);
}

static void row(struct fx *f, size_t item, int64_t url, int64_t data, int64_t size, bool inside,
                const char *where)
{
    struct purge_ref_row x = {url, data, size, inside, where};
    purge_refs_add(f->r, item, &x);
}

static void fx_run(struct fx *f)
{
    purge_refs_release(f->r, f->went, f->items, &f->tot);
}

static void fx_free(struct fx *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->items[i].shared_with);
    purge_refs_free(f->r);
}

/* An item's URL also held by a live node (a copy in workspace://SpacesStore): nothing
 * released, and the item names the live node. */
static void release__shared_with_live_node__kept(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, 1);
    row(&f, 0, 1, 10, 30000, true, "archive://SpacesStore/uuid-c");
    row(&f, 0, 1, 11, 30000, false, "workspace://SpacesStore/live-copy");
    f.went[0] = true;
    fx_run(&f);
    assert_true(f.items[0].found);
    assert_int_equal(f.items[0].bytes, 0);
    assert_int_equal(f.items[0].urls, 0);
    assert_int_equal(f.items[0].kept_urls, 1);
    assert_string_equal(f.items[0].shared_with, "workspace://SpacesStore/live-copy");
    assert_int_equal(f.tot.bytes, 0);
    assert_int_equal(f.tot.urls, 0);
    assert_int_equal(f.tot.kept_urls, 1);
    fx_free(&f);
}

/* A URL only the item references: released with its size. */
static void release__only_reference__released(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, 1);
    row(&f, 0, 7, 70, 500000, true, "archive://SpacesStore/uuid-e");
    f.went[0] = true;
    fx_run(&f);
    assert_int_equal(f.items[0].bytes, 500000);
    assert_int_equal(f.items[0].urls, 1);
    assert_int_equal(f.items[0].kept_urls, 0);
    assert_null(f.items[0].shared_with);
    assert_int_equal(f.tot.bytes, 500000);
    assert_int_equal(f.tot.urls, 1);
    fx_free(&f);
}

/* Items a (purged) and b (not purged) share one URL, each through its own data row; each
 * item's query sees the other's row as outside. Nothing is released while b stays; once both
 * go, the URL is released once. */
static void rows_shared_by_a_and_b(struct fx *f)
{
    fx_init(f, 2);
    row(f, 0, 3, 30, 2000, true, "archive://SpacesStore/uuid-a");
    row(f, 0, 3, 31, 2000, false, "archive://SpacesStore/uuid-b");
    row(f, 1, 3, 30, 2000, false, "archive://SpacesStore/uuid-a");
    row(f, 1, 3, 31, 2000, true, "archive://SpacesStore/uuid-b");
}

static void release__shared_with_unpurged_item__kept(void **state)
{
    (void)state;
    struct fx f;
    rows_shared_by_a_and_b(&f);
    f.went[0] = true;
    fx_run(&f);
    assert_int_equal(f.items[0].bytes, 0);
    assert_int_equal(f.items[0].kept_urls, 1);
    assert_string_equal(f.items[0].shared_with, "archive://SpacesStore/uuid-b");
    /* b did not go: no figures for it. */
    assert_int_equal(f.items[1].bytes, 0);
    assert_int_equal(f.items[1].kept_urls, 0);
    assert_null(f.items[1].shared_with);
    assert_int_equal(f.tot.bytes, 0);
    assert_int_equal(f.tot.urls, 0);
    assert_int_equal(f.tot.kept_urls, 1);
    fx_free(&f);
}

static void release__shared_by_two_purged_items__counted_once(void **state)
{
    (void)state;
    struct fx f;
    rows_shared_by_a_and_b(&f);
    f.went[0] = f.went[1] = true;
    fx_run(&f);
    assert_int_equal(f.items[0].bytes, 2000);
    assert_int_equal(f.items[1].bytes, 2000);
    assert_int_equal(f.items[0].urls, 1);
    assert_int_equal(f.items[1].urls, 1);
    assert_null(f.items[0].shared_with);
    assert_null(f.items[1].shared_with);
    assert_int_equal(f.tot.bytes, 2000);
    assert_int_equal(f.tot.urls, 1);
    assert_int_equal(f.tot.kept_urls, 0);
    fx_free(&f);
}

/* Three purged items on one URL, plus one of them holding it twice (the node and a version):
 * released once in the total. */
static void release__several_purged_items__bytes_once(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, 3);
    for (size_t it = 0; it < 3; it++)
        for (int64_t d = 40; d < 44; d++)
            row(&f, it, 4, d, 123, d - 40 == (int64_t)it || (it == 2 && d == 43), NULL);
    f.went[0] = f.went[1] = f.went[2] = true;
    fx_run(&f);
    for (size_t it = 0; it < 3; it++) {
        assert_int_equal(f.items[it].bytes, 123);
        assert_int_equal(f.items[it].urls, 1);
    }
    assert_int_equal(f.tot.bytes, 123);
    assert_int_equal(f.tot.urls, 1);
    /* One of the three stays: the URL stays with it. */
    fx_free(&f);
    fx_init(&f, 3);
    for (size_t it = 0; it < 3; it++)
        for (int64_t d = 40; d < 44; d++)
            row(&f, it, 4, d, 123, d - 40 == (int64_t)it || (it == 2 && d == 43), NULL);
    f.went[0] = f.went[1] = true;
    fx_run(&f);
    assert_int_equal(f.tot.bytes, 0);
    assert_int_equal(f.tot.kept_urls, 1);
    /* The holder is unknown (no node for the rows): counted instead. */
    assert_string_equal(f.items[0].shared_with, "2 other references");
    fx_free(&f);
}

/* Released and kept URLs side by side; sizes add up per item and in the total. */
static void release__mixed_urls__per_item_and_total(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, 2);
    row(&f, 0, 1, 1, 100, true, NULL);                   /* a only: released */
    row(&f, 0, 2, 2, 20, true, NULL);                    /* a and live: kept */
    row(&f, 0, 2, 3, 20, false, NULL);
    row(&f, 0, 5, 5, 9, true, NULL);                     /* a and b: released, both go */
    row(&f, 0, 5, 6, 9, false, "archive://SpacesStore/uuid-b");
    row(&f, 1, 5, 5, 9, false, "archive://SpacesStore/uuid-a");
    row(&f, 1, 5, 6, 9, true, NULL);
    row(&f, 1, 8, 8, 4000, true, NULL);                  /* b only: released */
    f.went[0] = f.went[1] = true;
    fx_run(&f);
    assert_int_equal(f.items[0].bytes, 109);
    assert_int_equal(f.items[0].urls, 2);
    assert_int_equal(f.items[0].kept_urls, 1);
    assert_string_equal(f.items[0].shared_with, "1 other reference");
    assert_int_equal(f.items[1].bytes, 4009);
    assert_int_equal(f.items[1].urls, 2);
    assert_int_equal(f.tot.bytes, 4109);
    assert_int_equal(f.tot.urls, 3);
    assert_int_equal(f.tot.kept_urls, 1);
    fx_free(&f);
}

/* Nothing went (a dry run that selected nothing, every delete failed): no figures at all. An
 * item not in the database is reported as such. */
static void release__nothing_went__zero(void **state)
{
    (void)state;
    struct fx f;
    memset(&f, 0, sizeof f);
    f.n = 2;
    f.r = purge_refs_new(2);
    purge_refs_set_found(f.r, 0);
    row(&f, 0, 1, 1, 100, true, NULL);
    fx_run(&f);
    assert_true(f.items[0].found);
    assert_false(f.items[1].found);
    assert_int_equal(f.items[0].bytes, 0);
    assert_int_equal(f.items[0].kept_urls, 0);
    assert_int_equal(f.tot.bytes, 0);
    assert_int_equal(f.tot.urls, 0);
    assert_int_equal(f.tot.kept_urls, 0);
    /* No rows at all. */
    fx_free(&f);
    fx_init(&f, 1);
    f.went[0] = true;
    fx_run(&f);
    assert_int_equal(f.tot.urls, 0);
    assert_null(f.items[0].shared_with);
    fx_free(&f);
}

/* ---- when ------------------------------------------------------------------------------ */

static void when__defaults__14_days_at_4(void **state)
{
    (void)state;
    struct conf conf;
    memset(&conf, 0, sizeof conf);
    struct purge_release_when w;
    purge_release_when(&conf, NOW, &w);
    assert_false(w.eager);
    assert_int_equal(w.protect_days, 14);
    assert_int_equal(w.orphan_time_ms, NOW);
    assert_int_equal(w.cleaner_after_ms, NOW + 14 * MS_PER_DAY);
    assert_string_equal(w.cron, "0 0 4 * * ?");
}

static void when__protect_days_and_cron__used(void **state)
{
    (void)state;
    struct conf conf;
    memset(&conf, 0, sizeof conf);
    conf.policy.orphan_protect_days.val = 3;
    conf.policy.orphan_protect_days.src = SRC_PROPERTIES;
    static const char text[] = "system.content.orphanCleanup.cronExpression=0 30 2 * * ?\n";
    struct props *p = calloc(1, sizeof *p);
    struct err err = ERR_INIT;
    assert_non_null(p);
    assert_int_equal(props_parse(p, text, sizeof text - 1, "t.properties", &err), 0);
    conf.props = p;
    struct purge_release_when w;
    purge_release_when(&conf, NOW, &w);
    assert_int_equal(w.protect_days, 3);
    assert_int_equal(w.cleaner_after_ms, NOW + 3 * MS_PER_DAY);
    assert_string_equal(w.cron, "0 30 2 * * ?");
    /* Zero days: the cleaner may take them at its next run. */
    conf.policy.orphan_protect_days.val = 0;
    purge_release_when(&conf, NOW, &w);
    assert_int_equal(w.cleaner_after_ms, NOW);
    props_free(p);
}

static void when__eager__no_mark_no_wait(void **state)
{
    (void)state;
    struct conf conf;
    memset(&conf, 0, sizeof conf);
    conf.policy.eager_orphan_cleanup.val = true;
    conf.policy.eager_orphan_cleanup.src = SRC_PROPERTIES;
    conf.policy.orphan_protect_days.val = 30;
    conf.policy.orphan_protect_days.src = SRC_CONFIG;
    struct purge_release_when w;
    purge_release_when(&conf, NOW, &w);
    assert_true(w.eager);
    assert_int_equal(w.orphan_time_ms, 0);
    assert_int_equal(w.cleaner_after_ms, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(release__shared_with_live_node__kept),
        cmocka_unit_test(release__only_reference__released),
        cmocka_unit_test(release__shared_with_unpurged_item__kept),
        cmocka_unit_test(release__shared_by_two_purged_items__counted_once),
        cmocka_unit_test(release__several_purged_items__bytes_once),
        cmocka_unit_test(release__mixed_urls__per_item_and_total),
        cmocka_unit_test(release__nothing_went__zero),
        cmocka_unit_test(when__defaults__14_days_at_4),
        cmocka_unit_test(when__protect_days_and_cron__used),
        cmocka_unit_test(when__eager__no_mark_no_wait),
    };
    return cmocka_run_group_tests_name("purge_release", tests, NULL, NULL);
}
