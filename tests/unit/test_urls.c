/* Unit tests of the URL index (src/report/urls.c): rows in any order come out in the byte order
 * of their URL (ties by id), matched to the walk's paths or sorted on their own, with case
 * twins, other protocols, URLs between and beyond the walked paths, a path in two roots and a
 * URL on two rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "alfwipe/db.h"
#include "alfwipe/walk.h"
#include "../../src/report/rep_int.h"

/* A walk of these relative paths (root 0, or 1 for a leading '!'), sorted as the walker does. */
static void make_walk(struct walk *w, const char *const *paths, size_t n)
{
    walk_init(w, 2);
    for (size_t i = 0; i < n; i++) {
        const char *p = paths[i];
        uint32_t root = 0;
        if (*p == '!') {
            root = 1;
            p++;
        }
        w->v = xgrow(w->v, &w->cap, w->n + 1, sizeof *w->v);
        struct walk_entry e = {0};
        e.root = root;
        e.path_len = (uint32_t)strlen(p);
        e.path_off = arena_add(&w->names, p, e.path_len);
        w->v[w->n++] = e;
    }
    walk_sort(w);
}

static void add_row(struct uindex *u, long id, const char *url)
{
    char ids[24];
    snprintf(ids, sizeof ids, "%ld", id);
    struct db_value c[4] = {
        {ids, strlen(ids), false}, {url, strlen(url), false}, {"7", 1, false}, {NULL, 0, true}};
    struct err err = ERR_INIT;
    assert_int_equal(uindex_row(u, c, 4, &err), 0);
}

/* The rows from position at on, as "id url" lines; the number of rows in *nrows. */
static void read_from(const struct uindex *u, struct upos at, char *out, size_t size,
                      size_t *nrows)
{
    const struct urow *row;
    const char *url;
    size_t len, o = 0;
    out[0] = '\0';
    *nrows = 0;
    struct ucursor c;
    ucursor_init(&c, at);
    while (uindex_next(u, &c, &row, &url, &len)) {
        assert_int_equal(strlen(url), len);
        int k = snprintf(out + o, size - o, "%ld %s\n", (long)row->id, url);
        assert_true(k > 0 && (size_t)k < size - o);
        o += (size_t)k;
        (*nrows)++;
    }
    ucursor_release(&c);
}

/* The start of line n of s. */
static const char *line_at(const char *s, size_t n)
{
    while (n-- > 0) {
        s = strchr(s, '\n');
        assert_non_null(s);
        s++;
    }
    return s;
}

/* Everything uindex_next hands out, as "id url" lines. Reading resumed from each position
 * uindex_skip passes gives the rest of the same lines, and the skips count every row. */
static void drain(struct uindex *u, const struct walk *w, char *out, size_t size)
{
    uindex_match(u, w);
    size_t total;
    struct upos start = {0, 0, 0};
    read_from(u, start, out, size, &total);
    struct ucursor c;
    ucursor_init(&c, start);
    size_t done = 0, nrows, entry = 0, len = 0;
    bool walked;
    const char *url = NULL;
    char *rest = malloc(size);
    assert_non_null(rest);
    for (;;) {
        size_t n;
        read_from(u, c.at, rest, size, &n);
        assert_int_equal(n, total - done);
        assert_string_equal(rest, line_at(out, done));
        if (!uindex_skip(u, &c, &nrows, &walked, &entry, &url, &len))
            break;
        /* the skipped URL is the next line's */
        const char *next = strchr(line_at(out, done), ' ') + 1;
        if (walked) {
            assert_memory_equal(next, "store://", 8);
            assert_memory_equal(next + 8, walk_path(w, &w->v[entry]), w->v[entry].path_len);
        } else {
            assert_memory_equal(next, url, len);
        }
        done += nrows;
    }
    assert_int_equal(done, total);
    free(rest);
    ucursor_release(&c);
}

static void uindex__rows_in_any_order__come_out_in_byte_order(void **state)
{
    (void)state;
    static const char *const paths[] = {"2024/1/b.bin", "2024/1/a.bin", "!2024/1/a.bin",
                                        "2024/1/AbC.bin", "2024/1/abc.bin", "2024/2/z.bin"};
    struct walk w;
    make_walk(&w, paths, sizeof paths / sizeof *paths);
    struct uindex u;
    uindex_init(&u);
    add_row(&u, 9, "store://2024/2/z.bin");
    add_row(&u, 3, "store://2024/1/abc.bin");
    add_row(&u, 4, "store://2024/1/AbC.bin");
    add_row(&u, 5, "s3://bucket/x.bin");              /* another protocol */
    add_row(&u, 6, "store://2024/1/aa-missing.bin");  /* no file, between two that have one */
    add_row(&u, 7, "store://2025/missing.bin");       /* no file, after every path */
    add_row(&u, 8, "store://2024/1/a.bin");           /* in both roots */
    add_row(&u, 2, "store://2024/1/b.bin");
    add_row(&u, 1, "store://2024/1/a.bin");           /* the same URL on a second row */
    add_row(&u, 10, "store://2024");                  /* a directory's path, not a file's */
    add_row(&u, 11, "store:");
    char out[1024];
    drain(&u, &w, out, sizeof out);
    assert_string_equal(out, "5 s3://bucket/x.bin\n"
                             "11 store:\n"
                             "10 store://2024\n"
                             "4 store://2024/1/AbC.bin\n"
                             "1 store://2024/1/a.bin\n"
                             "8 store://2024/1/a.bin\n"
                             "6 store://2024/1/aa-missing.bin\n"
                             "3 store://2024/1/abc.bin\n"
                             "2 store://2024/1/b.bin\n"
                             "9 store://2024/2/z.bin\n"
                             "7 store://2025/missing.bin\n");
    uindex_release(&u);
    walk_release(&w);
}

static void uindex__empty_walk__every_url_sorted_on_its_own(void **state)
{
    (void)state;
    struct walk w;
    make_walk(&w, NULL, 0);
    struct uindex u;
    uindex_init(&u);
    add_row(&u, 2, "store://b");
    add_row(&u, 3, "store://a");
    add_row(&u, 1, "store://b");
    char out[256];
    drain(&u, &w, out, sizeof out);
    assert_string_equal(out, "3 store://a\n1 store://b\n2 store://b\n");
    uindex_release(&u);
    walk_release(&w);
}

static void uindex__bad_rows__refused_naming_the_column(void **state)
{
    (void)state;
    struct walk w;
    make_walk(&w, NULL, 0);
    struct uindex u;
    uindex_init(&u);
    struct err err = ERR_INIT;
    struct db_value c[4] = {
        {"x1", 2, false}, {"store://a", 9, false}, {"7", 1, false}, {NULL, 0, true}};
    assert_int_equal(uindex_row(&u, c, 4, &err), -1);
    assert_non_null(strstr(err.msg, "id 'x1'"));
    err_init(&err);
    c[0] = (struct db_value){"1", 1, false};
    c[2] = (struct db_value){"big", 3, false};
    assert_int_equal(uindex_row(&u, c, 4, &err), -1);
    assert_non_null(strstr(err.msg, "content_size 'big'"));
    err_init(&err);
    c[2] = (struct db_value){"7", 1, false};
    c[3] = (struct db_value){"later", 5, false};
    assert_int_equal(uindex_row(&u, c, 4, &err), -1);
    assert_non_null(strstr(err.msg, "orphan_time 'later'"));
    assert_int_equal(u.n, 0);
    uindex_release(&u);
    walk_release(&w);
}

static const struct walk *give_walk(void *arg, struct err *err)
{
    (void)err;
    return arg;
}

static void uindex__walk_attached_midway__same_order(void **state)
{
    (void)state;
    static const char *const paths[] = {"a/1.bin", "a/2.bin", "!a/2.bin", "b/3.bin"};
    struct walk w;
    make_walk(&w, paths, sizeof paths / sizeof *paths);
    struct uindex u;
    uindex_init(&u);
    u.keep_max = 40;   /* the third row's text passes it: the walk is attached then */
    u.wait = give_walk;
    u.wait_arg = &w;
    add_row(&u, 4, "store://b/3.bin");
    add_row(&u, 9, "store://zz-missing.bin");
    assert_null(u.w);
    add_row(&u, 2, "store://a/2.bin");
    assert_ptr_equal(u.w, &w);
    add_row(&u, 1, "store://a/1.bin");
    add_row(&u, 5, "store://a/2.bin");
    add_row(&u, 3, "store://a/10-missing.bin");
    char out[512];
    drain(&u, &w, out, sizeof out);
    assert_string_equal(out, "1 store://a/1.bin\n"
                             "3 store://a/10-missing.bin\n"
                             "2 store://a/2.bin\n"
                             "5 store://a/2.bin\n"
                             "4 store://b/3.bin\n"
                             "9 store://zz-missing.bin\n");
    uindex_release(&u);
    walk_release(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(uindex__rows_in_any_order__come_out_in_byte_order),
        cmocka_unit_test(uindex__empty_walk__every_url_sorted_on_its_own),
        cmocka_unit_test(uindex__walk_attached_midway__same_order),
        cmocka_unit_test(uindex__bad_rows__refused_naming_the_column),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
