/* Unit tests for src/store/urlpath.c: URL split, containment rule, short form and CRC, with the
 * reference values of the Alfresco facts (§6.3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "alfwipe/urlpath.h"

#define S(x) (x), strlen(x)

static const char u_lower[] = "store://2024/3/7/9/5/0b7c2a4e-5d1f-4c3a-9e8b-1f2d3c4b5a69.bin";
static const char u_upper[] = "STORE://2024/3/7/9/5/0B7C2A4E-5D1F-4C3A-9E8B-1F2D3C4B5A69.BIN";

static void url_crc__reference_urls__match_facts_table(void **state)
{
    (void)state;
    assert_int_equal(url_crc(S(u_lower)), 2377962970u);
    assert_int_equal(url_crc(S(u_upper)), 461956086u);
    assert_int_equal(url_crc(S("spoof://abc")), 1279082141u);
    assert_int_equal(url_crc(S("store://a")), 3923078292u);
}

static void url_crc__empty__is_zero(void **state)
{
    (void)state;
    assert_int_equal(url_crc("", 0), 0u);
}

static void url_short__reference_urls__match_facts_table(void **state)
{
    (void)state;
    char out[13];
    url_short(S(u_lower), out);
    assert_string_equal(out, "3c4b5a69.bin");
    url_short(S(u_upper), out);
    assert_string_equal(out, "3c4b5a69.bin");
    url_short(S("spoof://abc"), out);
    assert_string_equal(out, "spoof://abc");
    url_short(S("store://a"), out);
    assert_string_equal(out, "store://a");
}

static void url_short__empty__is_dot_empty(void **state)
{
    (void)state;
    char out[13];
    url_short("", 0, out);
    assert_string_equal(out, ".empty");
}

static void url_short__exactly_twelve__whole_url_lowercased(void **state)
{
    (void)state;
    char out[13];
    url_short(S("STORE://AB/C"), out);
    assert_string_equal(out, "store://ab/c");
}

static void url_split__store_url__protocol_and_offset(void **state)
{
    (void)state;
    char proto[16];
    size_t off = 0;
    assert_int_equal(url_split(S(u_lower), proto, sizeof proto, &off), 0);
    assert_string_equal(proto, "store");
    assert_int_equal(off, 8);
    assert_string_equal(u_lower + off, "2024/3/7/9/5/0b7c2a4e-5d1f-4c3a-9e8b-1f2d3c4b5a69.bin");
}

static void url_split__first_delimiter__wins(void **state)
{
    (void)state;
    char proto[16];
    size_t off = 0;
    assert_int_equal(url_split(S("s3://bucket/x://y"), proto, sizeof proto, &off), 0);
    assert_string_equal(proto, "s3");
    assert_int_equal(off, 5);
}

static void url_split__no_delimiter__fails(void **state)
{
    (void)state;
    char proto[16];
    size_t off = 0;
    assert_int_equal(url_split(S("store:/2024/1.bin"), proto, sizeof proto, &off), -1);
    assert_int_equal(url_split(S("store:/"), proto, sizeof proto, &off), -1);
}

static void url_split__long_protocol__truncated(void **state)
{
    (void)state;
    char proto[4];
    size_t off = 0;
    assert_int_equal(url_split(S("abcdefgh://x"), proto, sizeof proto, &off), 0);
    assert_string_equal(proto, "abc");
    assert_int_equal(off, 11);
}

static void url_store_relpath_ok__normal_path__accepted(void **state)
{
    (void)state;
    assert_true(url_store_relpath_ok(S("2024/3/7/9/5/0b7c2a4e.bin")));
    assert_true(url_store_relpath_ok(S("vol1/2024/3/7/9/5/12/x.bin")));
    assert_true(url_store_relpath_ok(S("a")));
    assert_true(url_store_relpath_ok(S("...")));
    assert_true(url_store_relpath_ok(S("a/..b/c..")));
}

static void url_store_relpath_ok__escapes__refused(void **state)
{
    (void)state;
    assert_false(url_store_relpath_ok(S("")));
    assert_false(url_store_relpath_ok(S("../etc/passwd")));
    assert_false(url_store_relpath_ok(S("2024/../../x.bin")));
    assert_false(url_store_relpath_ok(S("2024/..")));
    assert_false(url_store_relpath_ok(S("/etc/passwd")));
    assert_false(url_store_relpath_ok(S("2024//x.bin")));
    assert_false(url_store_relpath_ok(S("2024/./x.bin")));
    assert_false(url_store_relpath_ok(S("2024/x/")));
    assert_false(url_store_relpath_ok(S("2024\\..\\x.bin")));
    assert_false(url_store_relpath_ok(S("\\x.bin")));
    assert_false(url_store_relpath_ok(S(".")));
    assert_false(url_store_relpath_ok("a\0b", 3));
}

static void url_resolves_above__climbs_out__only_then(void **state)
{
    (void)state;
    assert_true(url_resolves_above("store://../etc/passwd"));
    assert_true(url_resolves_above("store://2024/../../x.bin"));
    assert_true(url_resolves_above("store://2024\\..\\..\\x.bin"));
    assert_true(url_resolves_above("store://../contentstore.deleted/x.bin"));
    /* inside the store, or the root itself: not above */
    assert_false(url_resolves_above("store://2024//x.bin"));
    assert_false(url_resolves_above("store://2024/./x.bin"));
    assert_false(url_resolves_above("store://2024/a/../x.bin"));
    assert_false(url_resolves_above("store://2024/.."));
    assert_false(url_resolves_above("store://2024/3/7/9/5/x.bin"));
    assert_false(url_resolves_above("s3://../x.bin"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(url_crc__reference_urls__match_facts_table),
        cmocka_unit_test(url_crc__empty__is_zero),
        cmocka_unit_test(url_short__reference_urls__match_facts_table),
        cmocka_unit_test(url_short__empty__is_dot_empty),
        cmocka_unit_test(url_short__exactly_twelve__whole_url_lowercased),
        cmocka_unit_test(url_split__store_url__protocol_and_offset),
        cmocka_unit_test(url_split__first_delimiter__wins),
        cmocka_unit_test(url_split__no_delimiter__fails),
        cmocka_unit_test(url_split__long_protocol__truncated),
        cmocka_unit_test(url_store_relpath_ok__normal_path__accepted),
        cmocka_unit_test(url_store_relpath_ok__escapes__refused),
        cmocka_unit_test(url_resolves_above__climbs_out__only_then),
    };
    return cmocka_run_group_tests_name("urlpath", tests, NULL, NULL);
}
