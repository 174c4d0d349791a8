/* Unit tests of the trashcan tree resolution (src/report/tree.c): which top-level item an
 * archive node belongs to, for descendants, deep trees, nodes outside any item and cycles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../src/report/rep_int.h"

/* Items: node 10 is item 0, node 20 is item 1. */
static int top_of(const void *arg, int64_t id)
{
    int *calls = (int *)(uintptr_t)arg;
    if (calls)
        (*calls)++;
    return id == 10 ? 0 : id == 20 ? 1 : -1;
}

static int item_of(struct tree *t, int64_t id, int *calls)
{
    long i = tree_find(t, id);
    assert_true(i >= 0);
    return tree_item(t, (size_t)i, top_of, calls);
}

static void tree_item__descendants__top_item(void **state)
{
    (void)state;
    struct tree t = {0};
    tree_add(&t, 10, 1);    /* item, parent is the archive root */
    tree_add(&t, 11, 10);
    tree_add(&t, 12, 11);
    tree_add(&t, 20, 1);
    tree_add(&t, 21, 20);
    tree_add(&t, 30, -1);   /* archive node outside any item */
    assert_int_equal(item_of(&t, 12, NULL), 0);
    assert_int_equal(item_of(&t, 11, NULL), 0);
    assert_int_equal(item_of(&t, 10, NULL), 0);
    assert_int_equal(item_of(&t, 21, NULL), 1);
    assert_int_equal(item_of(&t, 30, NULL), -1);
    assert_int_equal(tree_find(&t, 99), -1);
    tree_release(&t);
}

static void tree_item__resolved_chain__cached(void **state)
{
    (void)state;
    struct tree t = {0};
    tree_add(&t, 10, 1);
    tree_add(&t, 11, 10);
    tree_add(&t, 12, 11);
    int calls = 0;
    assert_int_equal(item_of(&t, 12, &calls), 0);
    int first = calls;
    assert_int_equal(item_of(&t, 11, &calls), 0);
    assert_int_equal(item_of(&t, 12, &calls), 0);
    assert_int_equal(calls, first);   /* answered from the cache */
    tree_release(&t);
}

static void tree_item__deep_tree__followed_to_the_top(void **state)
{
    (void)state;
    struct tree t = {0};
    tree_add(&t, 10, 1);
    for (int64_t id = 1000; id < 1000 + 5000; id++)
        tree_add(&t, id, id == 1000 ? 10 : id - 1);
    assert_int_equal(item_of(&t, 1000 + 4999, NULL), 0);
    assert_int_equal(item_of(&t, 1000 + 2500, NULL), 0);
    tree_release(&t);
}

static void tree_item__parent_cycle__no_item(void **state)
{
    (void)state;
    struct tree t = {0};
    tree_add(&t, 40, 42);
    tree_add(&t, 41, 40);
    tree_add(&t, 42, 41);
    tree_add(&t, 43, 42);
    assert_int_equal(item_of(&t, 43, NULL), -1);
    assert_int_equal(item_of(&t, 40, NULL), -1);
    tree_release(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tree_item__descendants__top_item),
        cmocka_unit_test(tree_item__resolved_chain__cached),
        cmocka_unit_test(tree_item__deep_tree__followed_to_the_top),
        cmocka_unit_test(tree_item__parent_cycle__no_item),
    };
    return cmocka_run_group_tests_name("tree", tests, NULL, NULL);
}
