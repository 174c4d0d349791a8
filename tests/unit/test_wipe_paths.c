/* Content URL <-> relative path of the wipe, path containment of roots, and the safe relative
 * paths the walker produces (wipe_rel_ok). */
#include <setjmp.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alfwipe/urlpath.h"
#include "../../src/wipe/wipe_int.h"

static void url_of_rel__alfresco_path__is_store_url(void **state)
{
    (void)state;
    char *u = wipe_url_of_rel("", "2024/3/7/9/5/0b7c2a4e-5d1f-4c3a-9e8b-1f2d3c4b5a69.bin");
    assert_string_equal(u, "store://2024/3/7/9/5/0b7c2a4e-5d1f-4c3a-9e8b-1f2d3c4b5a69.bin");
    free(u);
    u = wipe_url_of_rel("", "a.bin");
    assert_string_equal(u, "store://a.bin");
    free(u);
}

static void url_of_rel__unsafe_paths__have_no_url(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "/abs.bin", "a//b.bin", "a/../b.bin", "../x", "./x",
                                      "a/.", "a/", "back\\slash.bin", "bad\xff.bin",
                                      "2024/1/1/0/0/\xc3(.bin"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_null(wipe_url_of_rel("", bad[i]));
}

static void rel_of_url__round_trip__gives_the_path_back(void **state)
{
    (void)state;
    static const char *const rels[] = {"2024/1/15/9/30/a1.bin", "x.bin", "v/2024/1/1/0/0/b.bin"};
    for (size_t i = 0; i < sizeof rels / sizeof rels[0]; i++) {
        char *u = wipe_url_of_rel("", rels[i]);
        char back[256];
        assert_int_equal(wipe_rel_of_url(u, back, sizeof back), 0);
        assert_string_equal(back, rels[i]);
        free(u);
    }
}

static void url_of_rel__root_inside_the_store__prefix_first(void **state)
{
    (void)state;
    /* --root contentstore.deleted/2024/3: the URL is the path from the store */
    char *u = wipe_url_of_rel("2024/3/", "7/9/5/a.bin");
    assert_string_equal(u, "store://2024/3/7/9/5/a.bin");
    free(u);
    assert_null(wipe_url_of_rel("2024/", "back\\slash.bin"));
    assert_null(wipe_url_of_rel("2024/", "bad\xff.bin"));
}

static void url_resolved_path__as_java_io_file__reads_it(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"store://2024/1//a.bin", "2024/1/a.bin"},
        {"store://2024/1/./a.bin", "2024/1/a.bin"},
        {"store:///2024/1/a.bin", "2024/1/a.bin"},
        {"store://2024/x/../1/a.bin", "2024/1/a.bin"},
        {"store://2024\\1\\a.bin", "2024/1/a.bin"},
        {"store://2024/1/a.bin/", "2024/1/a.bin"},
        {"store://2024/1/a.bin", "2024/1/a.bin"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *p = url_resolved_path(cases[i][0]);
        assert_non_null(p);
        assert_string_equal(p, cases[i][1]);
        free(p);
    }
    /* above the root, the root itself, other protocols: no file */
    static const char *const none[] = {"store://../x.bin", "store://a/../../x.bin", "store://",
                                       "store://./", "s3://b/x.bin", "store:/x.bin"};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
        assert_null(url_resolved_path(none[i]));
}

static void url_lexical_path__may_leave_the_store(void **state)
{
    (void)state;
    static const char *const cases[][3] = {
        {"/srv/alf/contentstore", "store://../contentstore.deleted/2024/a.bin",
         "/srv/alf/contentstore.deleted/2024/a.bin"},
        {"/srv/alf/contentstore", "store://2024/../../x//./y.bin", "/srv/alf/x/y.bin"},
        {"/srv/alf/contentstore", "store://2024\\1\\a.bin", "/srv/alf/contentstore/2024/1/a.bin"},
        {"/a", "store://../../../../etc/passwd", "/etc/passwd"},
        {"/a", "store://..", "/"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *p = url_lexical_path(cases[i][0], cases[i][1]);
        assert_non_null(p);
        assert_string_equal(p, cases[i][2]);
        free(p);
    }
    assert_null(url_lexical_path("/a", "s3://b/x.bin"));
    assert_null(url_lexical_path("relative", "store://x.bin"));
}

/* A tree with a symbolic link: the kernel's path differs from the text's. */
static void url_reach_paths__text_and_kernel(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/reachXXXXXX";
    char *top = mkdtemp(tmpl);
    assert_non_null(top);
    char buf[512];
    const char *dirs[] = {"cs", "cs/2024", "sib", "sib/deeper", "del", "del/x", "cs/del",
                          "cs/del/x"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(buf, sizeof buf, "%s/%s", top, dirs[i]);
        assert_int_equal(mkdir(buf, 0755), 0);
    }
    char target[512];
    snprintf(target, sizeof target, "%s/sib/deeper", top);
    snprintf(buf, sizeof buf, "%s/cs/2024/lnk", top);
    assert_int_equal(symlink(target, buf), 0);
    char cs[512];
    snprintf(cs, sizeof cs, "%s/cs", top);
    char *out[URL_REACH_MAX];
    /* text: cs/2024/lnk/../../del/x/a.bin is cs/del/x/a.bin; kernel: lnk/.. is sib, then top */
    size_t n = url_reach_paths(cs, "store://2024/lnk/../../del/x/a.bin", out);
    assert_int_equal(n, 2);
    char want_text[600], want_kernel[600];
    snprintf(want_text, sizeof want_text, "%s/cs/del/x/a.bin", top);
    snprintf(want_kernel, sizeof want_kernel, "%s/del/x/a.bin", top);
    assert_string_equal(out[0], want_text);
    assert_string_equal(out[1], want_kernel);
    free(out[0]);
    free(out[1]);
    /* no link on the way: one path; a missing directory: none; not store://: none */
    n = url_reach_paths(cs, "store://../del/x//b.bin", out);
    assert_int_equal(n, 1);
    snprintf(want_kernel, sizeof want_kernel, "%s/del/x/b.bin", top);
    assert_string_equal(out[0], want_kernel);
    free(out[0]);
    assert_int_equal(url_reach_paths(cs, "store://nowhere/at/all.bin", out), 0);
    assert_int_equal(url_reach_paths(cs, "s3://b/x.bin", out), 0);
    assert_int_equal(url_reach_paths(cs, "store://2024/lnk/../nowhere/x.bin", out), 0);
    snprintf(buf, sizeof buf, "rm -rf '%s'", top);
    assert_int_equal(system(buf), 0);
}

static void url_short_certain__ascii_tail_without_capital_i(void **state)
{
    (void)state;
    static const char *const yes[] = {"store://2024/1/1/0/0/0b7c2a4e-5d1f.bin", "store://a.bin",
                                      "store://r\xc3\xa9sum\xc3\xa9/0123456789ab.bin"};
    static const char *const no[] = {"store://2024/1/1/0/0/r\xc3\xa9sum\xc3\xa9.bin",
                                     "store://2024/1/1/0/0/FILE-I.bin",
                                     "store://\xc4\xb0.bin", "store://x\xe2\x82\xac.bin"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        assert_true(url_short_certain(yes[i], strlen(yes[i])));
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_false(url_short_certain(no[i], strlen(no[i])));
}

static void url_file_name_ok__utf8_no_backslash(void **state)
{
    (void)state;
    static const char *const yes[] = {"2024/1/r\xc3\xa9sum\xc3\xa9.bin", "2024/1/a.bin"};
    static const char *const no[] = {"2024/1/del\xe9.bin", "2024/1/a\\b.bin", "2024//a.bin",
                                     "2024/1/\xc3(.bin", "../a.bin"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        assert_true(url_file_name_ok(yes[i], strlen(yes[i])));
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_false(url_file_name_ok(no[i], strlen(no[i])));
}

static void url_content_file_name__guid_bin_only(void **state)
{
    (void)state;
    static const char *const yes[] = {"2024/1/2/3/4/7c1f0e2a-9b8d-4c3e-8f5a-0d1e2f3a4b5c.bin",
                                      "a.bin", "2024/1/x.y.bin", "2024.bin/1/z.bin"};
    static const char *const no[] = {"notes.txt", "2024/1/.bin", "2024/1/a.bin.gz", ".bin",
                                     "2024/1/a.BIN", "2024/1/abc", "2024/a.bin/c", ""};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        assert_true(url_content_file_name(yes[i], strlen(yes[i])));
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_false(url_content_file_name(no[i], strlen(no[i])));
}

static void rel_of_url__other_protocols_and_escapes__refused(void **state)
{
    (void)state;
    char out[64];
    static const char *const bad[] = {"s3://bucket/x.bin", "store://", "store:///x",
                                      "store://a/../../etc/passwd", "store://a\\..\\b",
                                      "STORE://a.bin", "spoof://abc", "store://a//b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(wipe_rel_of_url(bad[i], out, sizeof out), -1);
    assert_int_equal(wipe_rel_of_url("store://0123456789.bin", out, 8), -1);
}

static void path_overlaps__equal_inside_outside(void **state)
{
    (void)state;
    assert_true(wipe_path_overlaps("/srv/alf_data/contentstore", "/srv/alf_data/contentstore"));
    assert_true(wipe_path_overlaps("/srv/alf_data/contentstore/2024", "/srv/alf_data/contentstore"));
    assert_true(wipe_path_overlaps("/srv/alf_data", "/srv/alf_data/contentstore"));
    assert_true(wipe_path_overlaps("/", "/srv"));
    assert_false(wipe_path_overlaps("/srv/alf_data/contentstore.deleted",
                                    "/srv/alf_data/contentstore"));
    assert_false(wipe_path_overlaps("/srv/alf_data/contentstore2", "/srv/alf_data/contentstore"));
    assert_false(wipe_path_overlaps("/a/b", "/a/c"));
}

static void rel_ok__components__checked(void **state)
{
    (void)state;
    assert_true(wipe_rel_ok("a/b/c.bin", 9));
    assert_true(wipe_rel_ok("..a/b..", 7));
    assert_false(wipe_rel_ok("a/../c", 6));
    assert_false(wipe_rel_ok("a/./c", 5));
    assert_false(wipe_rel_ok("/a", 2));
    assert_false(wipe_rel_ok("a//b", 4));
    assert_false(wipe_rel_ok("a\0b", 3));
    assert_false(wipe_rel_ok("", 0));
}

static void random_name__same_length_and_charset(void **state)
{
    (void)state;
    char a[64], b[64];
    struct err err = ERR_INIT;
    assert_int_equal(wipe_random_name(a, 40, &err), 0);
    assert_int_equal(wipe_random_name(b, 40, &err), 0);
    assert_int_equal(strlen(a), 40);
    assert_int_equal(strspn(a, "abcdefghijklmnopqrstuvwxyz0123456789"), 40);
    assert_string_not_equal(a, b);
}

static void refs_reason__lists_three_then_counts(void **state)
{
    (void)state;
    char r0[] = "workspace://SpacesStore/a", r1[] = "archive://SpacesStore/b",
         r2[] = "workspace://version2Store/c", r3[] = "workspace://SpacesStore/d",
         r4[] = "workspace://SpacesStore/e";
    char *refs[5] = {r0, r1, r2, r3, r4};
    struct wipe_refs r = {true, true, 5, refs, 5, 0};
    char buf[512];
    wipe_refs_reason(&r, buf, sizeof buf);
    assert_string_equal(buf, "content URL still referenced by workspace://SpacesStore/a, "
                             "archive://SpacesStore/b, workspace://version2Store/c (and 2 more)");
    struct wipe_refs none = {true, true, 2, NULL, 0, 2};
    wipe_refs_reason(&none, buf, sizeof buf);
    assert_string_equal(buf, "content URL still referenced by 2 alf_content_data rows (no node "
                             "found)");
    r.nrefs = 1;
    r.orphan_data = 1;
    wipe_refs_reason(&r, buf, sizeof buf);
    assert_string_equal(buf, "content URL still referenced by workspace://SpacesStore/a and 1 "
                             "alf_content_data row without a node");
}

static void journal_same_path__across_roots(void **state)
{
    (void)state;
    const char *del = "/srv/alf_data/contentstore.deleted";
    const char *y23 = "/srv/alf_data/contentstore.deleted/2023";
    assert_true(wipe_journal_same_path(del, "2023/1/1/0/0/a.bin", del, "2023/1/1/0/0/a.bin"));
    assert_false(wipe_journal_same_path(del, "2023/1/1/0/0/a.bin", del, "2023/1/1/0/0/b.bin"));
    /* a --root inside contentstore.deleted, either way round */
    assert_true(wipe_journal_same_path(del, "2023/1/1/0/0/a.bin", y23, "1/1/0/0/a.bin"));
    assert_true(wipe_journal_same_path(y23, "1/1/0/0/a.bin", del, "2023/1/1/0/0/a.bin"));
    assert_false(wipe_journal_same_path(del, "2024/1/1/0/0/a.bin", y23, "1/1/0/0/a.bin"));
    assert_false(wipe_journal_same_path(del, "20231/1/0/0/a.bin", y23, "1/1/0/0/a.bin"));
    /* a sibling whose name starts like the root is not inside it */
    assert_false(wipe_journal_same_path("/srv/del", "x/a.bin", "/srv/del2", "x/a.bin"));
    assert_false(wipe_journal_same_path("/srv/del", "2/x/a.bin", "/srv/del2", "x/a.bin"));
    /* unrelated roots */
    assert_false(wipe_journal_same_path("/a", "x.bin", "/b", "x.bin"));
}

static void journal_within__entry_inside_root(void **state)
{
    (void)state;
    const char *del = "/srv/alf_data/contentstore.deleted";
    const char *y23 = "/srv/alf_data/contentstore.deleted/2023";
    assert_true(wipe_journal_within(del, "2023/1/a.bin", del));
    assert_true(wipe_journal_within(y23, "1/a.bin", del));
    assert_true(wipe_journal_within(del, "2023/1/a.bin", y23));
    assert_false(wipe_journal_within(del, "2024/1/a.bin", y23));
    assert_false(wipe_journal_within(del, "20231/a.bin", y23));
    assert_false(wipe_journal_within("/srv/del2", "a.bin", "/srv/del"));
    assert_false(wipe_journal_within("/srv/del", "a.bin", "/srv/del2"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(url_of_rel__alfresco_path__is_store_url),
        cmocka_unit_test(url_of_rel__unsafe_paths__have_no_url),
        cmocka_unit_test(rel_of_url__round_trip__gives_the_path_back),
        cmocka_unit_test(url_of_rel__root_inside_the_store__prefix_first),
        cmocka_unit_test(url_resolved_path__as_java_io_file__reads_it),
        cmocka_unit_test(url_lexical_path__may_leave_the_store),
        cmocka_unit_test(url_short_certain__ascii_tail_without_capital_i),
        cmocka_unit_test(url_file_name_ok__utf8_no_backslash),
        cmocka_unit_test(url_content_file_name__guid_bin_only),
        cmocka_unit_test(rel_of_url__other_protocols_and_escapes__refused),
        cmocka_unit_test(url_reach_paths__text_and_kernel),
        cmocka_unit_test(path_overlaps__equal_inside_outside),
        cmocka_unit_test(journal_same_path__across_roots),
        cmocka_unit_test(journal_within__entry_inside_root),
        cmocka_unit_test(rel_ok__components__checked),
        cmocka_unit_test(random_name__same_length_and_charset),
        cmocka_unit_test(refs_reason__lists_three_then_counts),
    };
    return cmocka_run_group_tests_name("wipe_paths", tests, NULL, NULL);
}
