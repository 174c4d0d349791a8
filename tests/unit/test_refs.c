/* Unit tests of the lookup of a content URL's references (src/report/refs.c, crefs_of): the
 * direct index of dense url ids and the binary search of sparse ones give the same pairs, also
 * for ids below, between and above the known ones and at the int64 limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../src/report/rep_int.h"

static void add(struct crefs *cr, int64_t url_id, int64_t node_id)
{
    cr->v = xgrow(cr->v, &cr->cap, cr->n + 1, sizeof *cr->v);
    cr->v[cr->n++] = (struct cref){.url_id = url_id, .node_id = node_id, .store = -1};
}

/* What crefs_of must answer: the pairs of url_id, counted by a plain scan. */
static size_t count_of(const struct cref *v, size_t n, int64_t url_id)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += v[i].url_id == url_id;
    return c;
}

static void check_all(const struct crefs *cr, const int64_t *probe, size_t nprobe)
{
    for (size_t i = 0; i < nprobe; i++) {
        size_t n = 99;
        const struct cref *r = crefs_of(cr, probe[i], &n);
        if (n != count_of(cr->v, cr->n, probe[i]))
            fail_msg("url id %lld: %zu pairs, expected %zu", (long long)probe[i], n,
                     count_of(cr->v, cr->n, probe[i]));
        for (size_t k = 0; k < n; k++)
            assert_true(r[k].url_id == probe[i]);
    }
}

static void crefs_of__dense_ids__indexed_and_exact(void **state)
{
    (void)state;
    struct crefs cr = {0};
    /* ids 5..2004, every third missing, every seventh with three pairs; added backwards */
    for (int64_t id = 2004; id >= 5; id--) {
        if (id % 3 == 0)
            continue;
        add(&cr, id, id * 10);
        if (id % 7 == 0) {
            add(&cr, id, id * 10 + 1);
            add(&cr, id, id * 10 + 2);
        }
    }
    crefs_join(&cr);
    assert_non_null(cr.at);
    int64_t probe[2100];
    size_t np = 0;
    for (int64_t id = -3; id <= 2010; id++)
        probe[np++] = id;
    probe[np++] = INT64_MIN;
    probe[np++] = INT64_MAX;
    check_all(&cr, probe, np);
    /* the pairs of one id come in node order */
    size_t n;
    const struct cref *r = crefs_of(&cr, 14, &n);
    assert_int_equal(n, 3);
    assert_true(r[0].node_id == 140 && r[1].node_id == 141 && r[2].node_id == 142);
    crefs_release(&cr);
}

static void crefs_of__sparse_and_extreme_ids__searched(void **state)
{
    (void)state;
    struct crefs cr = {0};
    const int64_t ids[] = {INT64_MIN + 1, -5, 1, 2, 1000000000000, INT64_MAX};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        add(&cr, ids[i], (int64_t)i);
        if (i % 2)
            add(&cr, ids[i], (int64_t)i + 100);
    }
    crefs_join(&cr);
    assert_null(cr.at);   /* the range is far too wide for an index */
    const int64_t probe[] = {INT64_MIN, INT64_MIN + 1, -6, -5, 0, 1, 2, 3, 999999999999,
                             1000000000000, INT64_MAX - 1, INT64_MAX};
    check_all(&cr, probe, sizeof probe / sizeof probe[0]);
    crefs_release(&cr);
}

static void crefs_of__no_pairs__none(void **state)
{
    (void)state;
    struct crefs cr = {0};
    crefs_join(&cr);
    size_t n = 99;
    crefs_of(&cr, 1, &n);
    assert_int_equal(n, 0);
    crefs_release(&cr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crefs_of__dense_ids__indexed_and_exact),
        cmocka_unit_test(crefs_of__sparse_and_extreme_ids__searched),
        cmocka_unit_test(crefs_of__no_pairs__none),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
