/* Unit tests of the split walk (src/store/walk.c): walk_root_split + walk_task + walk_append +
 * walk_sort give exactly the entries and counts of walk_root, whatever depth the split is at
 * and in whatever order the tasks run; a task whose directory was replaced after the listing
 * is recorded as unreadable, not followed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "alfwipe/walk.h"

static char root[256];

static void put(const char *rel, const char *data)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    for (char *s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
        *s = '\0';
        mkdir(p, 0755);
        *s = '/';
    }
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(data, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/aw-walk-split.XXXXXX");
    assert_non_null(mkdtemp(root));
    put("top.bin", "t");
    put("2024/mid.bin", "mm");
    put("2024/6/day.bin", "ddd");
    put("2024/6/1/9/0/a.bin", "aaaa");
    put("2024/6/1/9/0/b.bin", "b");
    put("2024/6/1/10/5/c.bin", "cc");
    put("2024/6/2/0/0/d.bin", "d");
    put("2024/6/10/0/0/e.bin", "eeeee");
    put("2024/6/1-x/f.bin", "f");
    put("2025/1/1/0/0/g.bin", "g");
    put("2025/1/1/0/0/h", "h");
    char p[512], t[512];
    snprintf(p, sizeof p, "%s/2024/6/1/9/link.bin", root);
    assert_int_equal(symlink("/etc/passwd", p), 0);
    snprintf(p, sizeof p, "%s/2024/6/3", root);
    snprintf(t, sizeof t, "%s/2025", root);
    assert_int_equal(symlink(t, p), 0);   /* a link to a directory where a task would be */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

/* The entries as "type size path" lines plus the counts, after walk_sort. */
static void dump(struct walk *w, char *out, size_t size)
{
    walk_sort(w);
    size_t o = 0;
    for (size_t i = 0; i < w->n; i++) {
        const struct walk_entry *e = &w->v[i];
        int k = snprintf(out + o, size - o, "%u %lld %s\n", e->type, (long long)e->size,
                         walk_path(w, e));
        assert_true(k > 0 && (size_t)k < size - o);
        o += (size_t)k;
    }
    const struct walk_root_stats *st = &w->stats[0];
    snprintf(out + o, size - o, "files %llu bytes %llu dirs %llu others %llu\n",
             (unsigned long long)st->files, (unsigned long long)st->bytes,
             (unsigned long long)st->dirs, (unsigned long long)st->others);
}

static void plain(char *out, size_t size)
{
    struct walk w;
    walk_init(&w, 1);
    struct err err = ERR_INIT;
    assert_int_equal(walk_root(&w, 0, root, &err), 0);
    dump(&w, out, size);
    walk_release(&w);
}

/* Split at depth, tasks run last to first, each into a walk of its own. */
static void split(size_t depth, char *out, size_t size, size_t *ntasks)
{
    struct walk w;
    walk_init(&w, 1);
    struct walk_split sp = {.depth = depth};
    struct err err = ERR_INIT;
    assert_int_equal(walk_root_split(&w, 0, root, &sp, &err), 0);
    *ntasks = sp.n;
    for (size_t i = sp.n; i-- > 0;) {
        struct walk t;
        walk_init(&t, 1);
        walk_task(&t, root, &sp.v[i]);
        walk_append(&w, &t);
        walk_release(&t);
    }
    dump(&w, out, size);
    walk_split_release(&sp);
    walk_release(&w);
}

static void walk_split__any_depth__same_entries_and_counts(void **state)
{
    (void)state;
    static char want[8192], got[8192];
    plain(want, sizeof want);
    assert_non_null(strstr(want, "2024/6/1/9/0/a.bin"));
    assert_non_null(strstr(want, "files 11 bytes 22 dirs 20 others 2"));
    for (size_t depth = 1; depth <= 6; depth++) {
        size_t ntasks = 0;
        split(depth, got, sizeof got, &ntasks);
        assert_string_equal(got, want);
        if (depth == 3)
            assert_int_equal(ntasks, 5); /* 2024/6/1, 1-x, 2, 10 and 2025/1/1 */
    }
}

static void walk_task__directory_replaced__unreadable_not_followed(void **state)
{
    (void)state;
    struct walk w;
    walk_init(&w, 1);
    struct walk_split sp = {.depth = 3};
    struct err err = ERR_INIT;
    assert_int_equal(walk_root_split(&w, 0, root, &sp, &err), 0);
    size_t k = sp.n;
    for (size_t i = 0; i < sp.n; i++)
        if (strcmp(sp.v[i].rel, "2024/6/2") == 0)
            k = i;
    assert_true(k < sp.n);
    /* Between the listing and the task, the directory becomes a link to another one. */
    char p[512], q[512], t[512];
    snprintf(p, sizeof p, "%s/2024/6/2", root);
    snprintf(q, sizeof q, "%s/2024-6-2-moved", root);
    snprintf(t, sizeof t, "%s/2025/1", root);
    assert_int_equal(rename(p, q), 0);
    assert_int_equal(symlink(t, p), 0);
    struct walk tw;
    walk_init(&tw, 1);
    walk_task(&tw, root, &sp.v[k]);
    assert_int_equal(tw.n, 1);
    assert_int_equal(tw.v[0].type, WALK_UNREADABLE);
    assert_string_equal(walk_path(&tw, &tw.v[0]), "2024/6/2");
    walk_release(&tw);
    assert_int_equal(unlink(p), 0);
    assert_int_equal(rename(q, p), 0);
    walk_split_release(&sp);
    walk_release(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(walk_split__any_depth__same_entries_and_counts),
        cmocka_unit_test(walk_task__directory_replaced__unreadable_not_followed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
