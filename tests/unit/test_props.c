/* Unit tests for src/conf/props.c: Java properties syntax, later keys winning, ${...}
 * expansion against the file and Alfresco's defaults, cycles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "alfwipe/props.h"
#include "alfwipe/xalloc.h"

static struct props *parse_ok(const char *text)
{
    struct props *p = xcalloc(1, sizeof *p);
    struct err err = ERR_INIT;
    if (props_parse(p, text, strlen(text), "test.properties", &err) != 0)
        fail_msg("parse failed: %s", err.msg);
    return p;
}

static void props_parse__separators__all_three_forms(void **state)
{
    (void)state;
    struct props *p = parse_ok("a=1\n"
                               "b: 2\n"
                               "c 3\n"
                               "  d   =   4\n"
                               "e\t:\tfive six\n"
                               "f\f=6\n"
                               "g = = 7\n"
                               "h :=8\n"
                               "i\n"
                               "j=\n");
    assert_string_equal(props_get(p, "a"), "1");
    assert_string_equal(props_get(p, "b"), "2");
    assert_string_equal(props_get(p, "c"), "3");
    assert_string_equal(props_get(p, "d"), "4");
    assert_string_equal(props_get(p, "e"), "five six");
    assert_string_equal(props_get(p, "f"), "6");
    assert_string_equal(props_get(p, "g"), "= 7");
    assert_string_equal(props_get(p, "h"), "=8");
    assert_string_equal(props_get(p, "i"), "");
    assert_string_equal(props_get(p, "j"), "");
    assert_null(props_get(p, "k"));
    props_free(p);
}

static void props_parse__comments_and_blanks__skipped_with_line_numbers(void **state)
{
    (void)state;
    struct props *p = parse_ok("# comment\n"
                               "! also a comment\n"
                               "\n"
                               "   \t\n"
                               "   # indented comment \\\n"
                               "dir.root=/srv/alf_data\n"
                               "x=a#b!c\n");
    assert_int_equal(p->n, 2);
    assert_string_equal(props_get(p, "dir.root"), "/srv/alf_data");
    assert_int_equal(props_line(p, "dir.root"), 6);
    assert_string_equal(props_get(p, "x"), "a#b!c");
    assert_int_equal(props_line(p, "x"), 7);
    assert_int_equal(props_line(p, "nope"), 0);
    props_free(p);
}

static void props_parse__continuation__joins_and_drops_leading_space(void **state)
{
    (void)state;
    struct props *p = parse_ok("list=a,\\\n"
                               "       b,\\\n"
                               "\t# not a comment here\n"
                               "next=1\n"
                               "two=x\\\\\n"
                               "three=y\n"
                               "crlf=p\\\r\n  q\r\n"
                               "after=z\r\n"
                               "end=tail\\");
    assert_string_equal(props_get(p, "list"), "a,b,# not a comment here");
    assert_int_equal(props_line(p, "list"), 1);
    assert_int_equal(props_line(p, "next"), 4);
    assert_string_equal(props_get(p, "two"), "x\\");
    assert_string_equal(props_get(p, "three"), "y");
    assert_string_equal(props_get(p, "crlf"), "pq");
    assert_string_equal(props_get(p, "after"), "z");
    assert_int_equal(props_line(p, "after"), 9);
    assert_string_equal(props_get(p, "end"), "tail");
    props_free(p);
}

static void props_parse__escapes__decoded(void **state)
{
    (void)state;
    struct props *p = parse_ok("tab=a\\tb\n"
                               "nl=a\\nb\\rc\\fd\n"
                               "bs=C:\\\\alf\n"
                               "other=\\q\\#\\z\n"
                               "u=caf\\u00e9 \\u20AC\n"
                               "pair=\\uD83D\\uDE00\n"
                               "lone=\\uD83Dx\n"
                               "path=C:\\alf\\data\n");
    assert_string_equal(props_get(p, "tab"), "a\tb");
    assert_string_equal(props_get(p, "nl"), "a\nb\rc\fd");
    assert_string_equal(props_get(p, "bs"), "C:\\alf");
    assert_string_equal(props_get(p, "other"), "q#z");
    assert_string_equal(props_get(p, "u"), "caf\xc3\xa9 \xe2\x82\xac");
    assert_string_equal(props_get(p, "pair"), "\xf0\x9f\x98\x80");
    assert_string_equal(props_get(p, "lone"), "\xef\xbf\xbdx");
    /* a backslash before an ordinary letter keeps only the letter, as Java does */
    assert_string_equal(props_get(p, "path"), "C:alfdata");
    props_free(p);
}

static void props_parse__escaped_separators_in_key__part_of_key(void **state)
{
    (void)state;
    struct props *p = parse_ok("a\\=b=1\n"
                               "c\\:d:2\n"
                               "e\\ f 3\n"
                               "g\\\\=4\n");
    assert_string_equal(props_get(p, "a=b"), "1");
    assert_string_equal(props_get(p, "c:d"), "2");
    assert_string_equal(props_get(p, "e f"), "3");
    assert_string_equal(props_get(p, "g\\"), "4");
    props_free(p);
}

static void props_parse__latin1_bytes__passed_through(void **state)
{
    (void)state;
    struct props *p = parse_ok("name=caf\xe9\n");
    assert_string_equal(props_get(p, "name"), "caf\xe9");
    props_free(p);
}

static void props_parse__bad_unicode_escape__error_with_line(void **state)
{
    (void)state;
    struct props *p = xcalloc(1, sizeof *p);
    struct err err = ERR_INIT;
    const char *t = "a=1\nb=\\u12G4\n";
    assert_int_equal(props_parse(p, t, strlen(t), "x.properties", &err), -1);
    assert_non_null(strstr(err.msg, "x.properties"));
    assert_non_null(strstr(err.msg, "line 2"));
    assert_int_equal(err.kind, ERR_CONFIG);
    assert_true(err.hint[0] != '\0');
    props_free(p);
}

static void props_parse__duplicate_key__later_wins(void **state)
{
    (void)state;
    struct props *p = parse_ok("dir.root=/first\n"
                               "x=1\n"
                               "dir.root=/second\n");
    assert_string_equal(props_get(p, "dir.root"), "/second");
    assert_int_equal(props_line(p, "dir.root"), 3);
    assert_int_equal(p->n, 2);
    props_free(p);
}

static void props_parse__placeholders__expanded_from_file_and_defaults(void **state)
{
    (void)state;
    struct props *p = parse_ok("dir.contentstore=${dir.root}/cs\n"
                               "dir.root=/srv/alf\n"
                               "db.url=jdbc:postgresql://${db.host}:${db.port}/${db.name}\n"
                               "db.host=pg\n"
                               "db.port=5432\n"
                               "deleted=${dir.contentstore.deleted}\n"
                               "raw=${dir.root}\n");
    assert_string_equal(props_get(p, "dir.contentstore"), "/srv/alf/cs");
    /* db.name is not in the file: Alfresco's default 'alfresco' */
    assert_string_equal(props_get(p, "db.url"), "jdbc:postgresql://pg:5432/alfresco");
    /* the default dir.contentstore.deleted resolves against the file's dir.root */
    assert_string_equal(props_get(p, "deleted"), "/srv/alf/contentstore.deleted");
    assert_string_equal(props_find(p, "raw")->raw, "${dir.root}");
    props_free(p);
}

static void props_parse__default_syntax__used_when_missing(void **state)
{
    (void)state;
    struct props *p = parse_ok("a=${missing:fallback}\n"
                               "b=${x:fallback}\n"
                               "x=given\n"
                               "c=${missing:${x}/sub}\n"
                               "d=${missing:}\n"
                               "e=${a:b:c}\n"
                               "f=${nested${x}:n}\n"
                               "nestedgiven=N\n");
    assert_string_equal(props_get(p, "a"), "fallback");
    assert_string_equal(props_get(p, "b"), "given");
    assert_string_equal(props_get(p, "c"), "given/sub");
    assert_string_equal(props_get(p, "d"), "");
    assert_string_equal(props_get(p, "e"), "fallback");
    assert_string_equal(props_get(p, "f"), "N");
    props_free(p);
}

static void props_parse__unresolvable__left_as_written(void **state)
{
    (void)state;
    struct props *p = parse_ok("a=${nope}/x\n"
                               "b=${unterminated\n"
                               "c=$x {y} $\n");
    assert_string_equal(props_get(p, "a"), "${nope}/x");
    assert_string_equal(props_get(p, "b"), "${unterminated");
    assert_string_equal(props_get(p, "c"), "$x {y} $");
    props_free(p);
}

static void props_parse__cycle__error_names_key(void **state)
{
    (void)state;
    struct props *p = xcalloc(1, sizeof *p);
    struct err err = ERR_INIT;
    const char *t = "ok=1\nalpha=${beta}\nbeta=x${alpha}\n";
    assert_int_equal(props_parse(p, t, strlen(t), "g.properties", &err), -1);
    assert_non_null(strstr(err.msg, "circular"));
    assert_non_null(strstr(err.msg, "alpha"));
    assert_non_null(strstr(err.msg, "beta"));
    assert_non_null(strstr(err.msg, "g.properties"));
    props_free(p);

    p = xcalloc(1, sizeof *p);
    t = "self=${self}\n";
    assert_int_equal(props_parse(p, t, strlen(t), "g.properties", &err), -1);
    assert_non_null(strstr(err.msg, "self -> self"));
    props_free(p);

    /* through a default: dir.root -> dir.contentstore (default ${dir.root}/contentstore) */
    p = xcalloc(1, sizeof *p);
    t = "dir.root=${dir.contentstore}\n";
    assert_int_equal(props_parse(p, t, strlen(t), "g.properties", &err), -1);
    assert_non_null(strstr(err.msg, "dir.root"));
    props_free(p);
}

static void props_expand__overrides__win_over_file(void **state)
{
    (void)state;
    struct props *p = parse_ok("dir.root=/usr/local/tomcat/alf_data\n"
                               "dir.contentstore=${dir.root}/contentstore\n");
    const char *ov[] = {"dir.root", "/srv/alf_data", NULL};
    char *out = NULL;
    struct err err = ERR_INIT;
    const char *raw = props_find(p, "dir.contentstore")->raw;
    assert_int_equal(props_expand(p, raw, ov, &out, NULL, &err), 0);
    assert_string_equal(out, "/srv/alf_data/contentstore");
    free(out);
    assert_int_equal(props_expand(NULL, "${dir.contentstore.deleted}", NULL, &out, NULL, &err), 0);
    assert_string_equal(out, "./alf_data/contentstore.deleted");
    free(out);
    assert_int_equal(props_expand(NULL, "jdbc:mysql:///${db.name}", NULL, &out, NULL, &err), 0);
    assert_string_equal(out, "jdbc:mysql:///alfresco");
    free(out);
    props_free(p);
}

/* Java keeps a NUL (\u0000 or a NUL byte) in the value; a C string would end there, so the
 * entry says so, for the value itself and for every value whose ${...} brings it in. */
static void props_parse__nul_in_value__marked_not_hidden(void **state)
{
    (void)state;
    static const char t[] = "dir.root=/srv/\\u0000x\n"
                            "db.username=bob\0x\n"
                            "dir.contentstore=${dir.root}/contentstore\n"
                            "plain=/srv/u0000\n"
                            "escaped=a\\\\u0000\n";
    struct props *p = xcalloc(1, sizeof *p);
    struct err err = ERR_INIT;
    assert_int_equal(props_parse(p, t, sizeof t - 1, "n.properties", &err), 0);
    const struct props_entry *root = props_find(p, "dir.root");
    assert_non_null(root);
    assert_true(root->raw_nul);
    assert_ptr_equal(props_nul(p, "dir.root"), root);
    assert_true(props_find(p, "db.username")->raw_nul);
    assert_ptr_equal(props_nul(p, "db.username"), props_find(p, "db.username"));
    /* through the placeholder: the entry that holds the NUL, with its line */
    assert_false(props_find(p, "dir.contentstore")->raw_nul);
    assert_ptr_equal(props_nul(p, "dir.contentstore"), root);
    assert_int_equal(props_nul(p, "dir.contentstore")->line, 1);
    /* no NUL: "u0000" as text, and an escaped backslash before it */
    assert_null(props_nul(p, "plain"));
    assert_null(props_nul(p, "escaped"));
    assert_string_equal(props_get(p, "escaped"), "a\\u0000");
    /* an expansion with alfwipe.conf's dir.root does not take the file's NUL */
    const char *ov[] = {"dir.root", "/data", NULL};
    const struct props_entry *nul = root;
    char *out = NULL;
    assert_int_equal(props_expand(p, "${dir.root}/cs", ov, &out, &nul, &err), 0);
    assert_null(nul);
    assert_string_equal(out, "/data/cs");
    free(out);
    assert_int_equal(props_expand(p, "${dir.root}/cs", NULL, &out, &nul, &err), 0);
    assert_ptr_equal(nul, root);
    free(out);
    props_free(p);
}

/* A key holding a NUL is another key for Java: never found under the text before its NUL,
 * and it replaces nothing; props_nul_key finds it for a key alfwipe reads. */
static void props_parse__nul_in_key__never_found(void **state)
{
    (void)state;
    struct props *p = parse_ok("db.url=jdbc:postgresql://h/alfresco\n"
                               "db.url\\u0000x=jdbc:mysql://other/alfresco\n"
                               "mail\\u0000=1\n");
    assert_string_equal(props_get(p, "db.url"), "jdbc:postgresql://h/alfresco");
    assert_int_equal(props_line(p, "db.url"), 1);
    assert_null(props_get(p, "mail"));
    static const char *const read[] = {"dir.root", "db.url", NULL};
    const struct props_entry *e = props_nul_key(p, read);
    assert_non_null(e);
    assert_int_equal(e->line, 2);
    static const char *const other[] = {"dir.root", NULL};
    assert_null(props_nul_key(p, other));
    props_free(p);
}

static void props_default__known_keys__alfresco_values(void **state)
{
    (void)state;
    assert_string_equal(props_default("dir.root"), "./alf_data");
    assert_string_equal(props_default("dir.contentstore"), "${dir.root}/contentstore");
    assert_string_equal(props_default("system.content.orphanProtectDays"), "14");
    assert_string_equal(props_default("system.content.eagerOrphanCleanup"), "false");
    assert_string_equal(props_default("trashcan-cleaner.keepPeriod"), "P28D");
    assert_string_equal(props_default("db.url"), "jdbc:mysql:///${db.name}");
    assert_null(props_default("no.such.key"));
}

static void props_load__file__read_with_path(void **state)
{
    (void)state;
    char dir[] = "/tmp/aw-props-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = xasprintf("%s/alfresco-global.properties", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("# sample\ndir.root=/opt/alf_data\n", fp);
    fclose(fp);
    struct props *p = xcalloc(1, sizeof *p);
    struct err err = ERR_INIT;
    assert_int_equal(props_load(p, path, &err), 0);
    assert_string_equal(props_get(p, "dir.root"), "/opt/alf_data");
    assert_int_equal(props_line(p, "dir.root"), 2);
    assert_string_equal(p->path, path);
    props_free(p);

    char *missing = xasprintf("%s/missing.properties", dir);
    p = xcalloc(1, sizeof *p);
    assert_int_equal(props_load(p, missing, &err), -1);
    assert_non_null(strstr(err.msg, missing));
    props_free(p);
    unlink(path);
    rmdir(dir);
    free(path);
    free(missing);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(props_parse__separators__all_three_forms),
        cmocka_unit_test(props_parse__comments_and_blanks__skipped_with_line_numbers),
        cmocka_unit_test(props_parse__continuation__joins_and_drops_leading_space),
        cmocka_unit_test(props_parse__escapes__decoded),
        cmocka_unit_test(props_parse__escaped_separators_in_key__part_of_key),
        cmocka_unit_test(props_parse__latin1_bytes__passed_through),
        cmocka_unit_test(props_parse__bad_unicode_escape__error_with_line),
        cmocka_unit_test(props_parse__duplicate_key__later_wins),
        cmocka_unit_test(props_parse__placeholders__expanded_from_file_and_defaults),
        cmocka_unit_test(props_parse__default_syntax__used_when_missing),
        cmocka_unit_test(props_parse__unresolvable__left_as_written),
        cmocka_unit_test(props_parse__cycle__error_names_key),
        cmocka_unit_test(props_expand__overrides__win_over_file),
        cmocka_unit_test(props_parse__nul_in_value__marked_not_hidden),
        cmocka_unit_test(props_parse__nul_in_key__never_found),
        cmocka_unit_test(props_default__known_keys__alfresco_values),
        cmocka_unit_test(props_load__file__read_with_path),
    };
    return cmocka_run_group_tests_name("props", tests, NULL, NULL);
}
