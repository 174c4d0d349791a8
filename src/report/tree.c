/* Trashcan trees: the top-level item each archive node belongs to, found by following primary
 * parents. Deep trees and corrupt parent cycles are both handled without recursion. */
#include <stdlib.h>

#include "rep_int.h"

#define TREE_UNRESOLVED (-2)
#define TREE_VISITING (-3)

void tree_add(struct tree *t, int64_t id, int64_t parent)
{
    t->v = xgrow(t->v, &t->cap, t->n + 1, sizeof *t->v);
    t->v[t->n].id = id;
    t->v[t->n].parent = parent;
    t->v[t->n].item = TREE_UNRESOLVED;
    t->n++;
}

long tree_find(const struct tree *t, int64_t id)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->v[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->n && t->v[lo].id == id ? (long)lo : -1;
}

int tree_item(struct tree *t, size_t idx, tree_top_fn *top, const void *arg)
{
    size_t depth = 0;
    int item = -1;
    long i = (long)idx;
    while (i >= 0) {
        struct tree_node *x = &t->v[i];
        if (x->item == TREE_VISITING)
            break;                      /* a parent cycle: belongs to no item */
        if (x->item != TREE_UNRESOLVED) {
            item = x->item;
            break;
        }
        int k = top(arg, x->id);
        if (k >= 0) {
            item = x->item = k;
            break;
        }
        t->path = xgrow(t->path, &t->path_cap, depth + 1, sizeof *t->path);
        t->path[depth++] = (size_t)i;
        x->item = TREE_VISITING;
        i = x->parent >= 0 ? tree_find(t, x->parent) : -1;
    }
    for (size_t d = 0; d < depth; d++)
        t->v[t->path[d]].item = item;
    return item;
}

void tree_release(struct tree *t)
{
    free(t->v);
    free(t->path);
    t->v = NULL;
    t->path = NULL;
    t->n = t->cap = t->path_cap = 0;
}
