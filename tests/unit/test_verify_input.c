/* Unit tests for src/verify/input.c: token classification, --node/--url pairing, plain and CSV
 * lists with comments, blank lines and malformed lines reported by number. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alfwipe/verify.h"

static int classify(const char *tok, enum vtok_kind *k, char **uuid)
{
    struct err e = ERR_INIT;
    return verify_classify(tok, k, uuid, &e);
}

static void verify_classify__uuid_ref_url__recognised(void **state)
{
    (void)state;
    enum vtok_kind k;
    char *u;
    assert_int_equal(classify("0d4c6f1e-2b3a-4c5d-8e9f-a0b1c2d3e4f5", &k, &u), 0);
    assert_int_equal(k, VTOK_UUID);
    assert_string_equal(u, "0d4c6f1e-2b3a-4c5d-8e9f-a0b1c2d3e4f5");
    free(u);
    assert_int_equal(classify("archive://SpacesStore/uuid-doc6", &k, &u), 0);
    assert_int_equal(k, VTOK_NODE_REF);
    assert_string_equal(u, "uuid-doc6");
    free(u);
    assert_int_equal(classify("store://2024/3/3/3/3/w1.bin", &k, &u), 0);
    assert_int_equal(k, VTOK_URL);
    assert_null(u);
    assert_int_equal(classify("s3://bucket/key.bin", &k, &u), 0);
    assert_int_equal(k, VTOK_URL);
}

static void verify_classify__malformed__rejected_with_the_token(void **state)
{
    (void)state;
    enum vtok_kind k;
    char *u = NULL;
    struct err e = ERR_INIT;
    assert_int_equal(verify_classify("workspace:/SpacesStore/uuid-x", &k, &u, &e), -1);
    assert_non_null(strstr(e.msg, "'workspace:/SpacesStore/uuid-x' is not a node ref"));
    assert_int_equal(classify("hello world", &k, &u), -1);
    assert_int_equal(classify("workspace://SpacesStore/", &k, &u), -1);
    assert_int_equal(classify("workspace:///uuid", &k, &u), -1);
    assert_int_equal(verify_classify("store://../etc/passwd", &k, &u, &e), -1);
    assert_non_null(strstr(e.msg, "resolves to a path outside the content store"));
    assert_int_equal(classify("store://2024/../../x.bin", &k, &u), -1);
    assert_int_equal(verify_classify("store://2024/..", &k, &u, &e), -1);
    assert_non_null(strstr(e.msg, "the content store's root itself"));
    assert_int_equal(classify("0123456789012345678901234567890123456", &k, &u), -1); /* 37 */
    assert_int_equal(classify("://x", &k, &u), -1);
    assert_null(u);
}

static void verify_classify__not_plain_but_inside__accepted_as_url(void **state)
{
    (void)state;
    enum vtok_kind k;
    char *u = NULL;
    static const char *const ok[] = {"store://2024//x.bin", "store://2024/./x.bin",
                                     "store://2024/a/../x.bin", "store://2024\\x.bin",
                                     "store://2024/x.bin/"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        k = VTOK_UUID;
        assert_int_equal(classify(ok[i], &k, &u), 0);
        assert_int_equal(k, VTOK_URL);
        assert_null(u);
    }
}

static void verify_add_arg__url_after_node__same_item(void **state)
{
    (void)state;
    struct vinput in = {0};
    struct err e = ERR_INIT;
    assert_int_equal(verify_add_arg(&in, true, "store://a/1.bin", &e), 0);
    assert_int_equal(verify_add_arg(&in, false, "uuid-rec2", &e), 0);
    assert_int_equal(verify_add_arg(&in, true, "store://a/2.bin", &e), 0);
    assert_int_equal(verify_add_arg(&in, true, "store://a/3.bin", &e), 0);
    assert_int_equal(verify_add_arg(&in, false, "workspace://SpacesStore/n2", &e), 0);
    assert_int_equal(in.nitems, 3);
    assert_null(in.items[0].uuid);
    assert_int_equal(in.items[0].nurls, 1);
    assert_string_equal(in.items[1].uuid, "uuid-rec2");
    assert_int_equal(in.items[1].nurls, 2);
    assert_string_equal(in.items[1].urls[1], "store://a/3.bin");
    assert_string_equal(in.items[2].uuid, "n2");
    assert_string_equal(in.items[2].node_ref, "workspace://SpacesStore/n2");
    assert_int_equal(verify_add_arg(&in, true, "uuid-x", &e), -1);
    assert_non_null(strstr(e.msg, "--url"));
    assert_int_equal(verify_add_arg(&in, false, "store://a/1.bin", &e), -1);
    verify_input_release(&in);
}

static void read_text(struct vinput *in, const char *text)
{
    FILE *fp = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
    assert_non_null(fp);
    struct err e = ERR_INIT;
    assert_int_equal(verify_read_list(in, fp, "list.txt", &e), 0);
    fclose(fp);
}

static void verify_read_list__plain__comments_blank_and_bad_lines(void **state)
{
    (void)state;
    struct vinput in = {0};
    read_text(&in, "# records due for destruction, batch 7\nuuid-doc6\n"
                   "workspace:/SpacesStore/uuid-x\nstore://2024/3/3/3/3/w1.bin\nhello world\n"
                   "\n  \t\r\n");
    assert_int_equal(in.nitems, 2);
    assert_int_equal(in.items[0].line, 2);
    assert_string_equal(in.items[0].uuid, "uuid-doc6");
    assert_int_equal(in.items[1].line, 4);
    assert_string_equal(in.items[1].urls[0], "store://2024/3/3/3/3/w1.bin");
    assert_int_equal(in.nbad, 2);
    assert_int_equal(in.bad[0].line, 3);
    assert_int_equal(in.bad[1].line, 5);
    assert_string_equal(in.bad[1].text, "hello world");
    assert_string_equal(in.bad[0].source, "list.txt");
    verify_input_release(&in);
}

static void verify_read_list__csv__columns_by_name(void **state)
{
    (void)state;
    struct vinput in = {0};
    read_text(&in, "\xef\xbb\xbf" "comment,Node_Ref,content_url\r\n"
                   "\"batch 7, shelf 2\",uuid-rec1,store://2024/5/2/9/30/rec1.bin\r\n"
                   "# skipped\r\n"
                   "empty,,\r\n"
                   "only url,,store://x/y.bin\r\n"
                   "bad,store://x/z.bin,\r\n"
                   "\"unterminated,uuid-q,\r\n");
    assert_int_equal(in.nitems, 2);
    assert_string_equal(in.items[0].uuid, "uuid-rec1");
    assert_int_equal(in.items[0].nurls, 1);
    assert_string_equal(in.items[0].urls[0], "store://2024/5/2/9/30/rec1.bin");
    assert_int_equal(in.items[0].line, 2);
    assert_null(in.items[1].uuid);
    assert_int_equal(in.items[1].line, 5);
    assert_int_equal(in.nbad, 3);
    assert_int_equal(in.bad[0].line, 4);
    assert_non_null(strstr(in.bad[0].msg, "empty 'Node_Ref' and 'content_url'"));
    assert_int_equal(in.bad[1].line, 6);
    assert_non_null(strstr(in.bad[1].msg, "column 'Node_Ref'"));
    assert_int_equal(in.bad[2].line, 7);
    verify_input_release(&in);
}

static void verify_read_list__csv_single_column__header_alone(void **state)
{
    (void)state;
    struct vinput in = {0};
    read_text(&in, "node_ref\nworkspace://SpacesStore/a\n\nb\n");
    assert_int_equal(in.nitems, 2);
    assert_int_equal(in.nbad, 0);
    assert_string_equal(in.items[1].uuid, "b");
    verify_input_release(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(verify_classify__uuid_ref_url__recognised),
        cmocka_unit_test(verify_classify__malformed__rejected_with_the_token),
        cmocka_unit_test(verify_classify__not_plain_but_inside__accepted_as_url),
        cmocka_unit_test(verify_add_arg__url_after_node__same_item),
        cmocka_unit_test(verify_read_list__plain__comments_blank_and_bad_lines),
        cmocka_unit_test(verify_read_list__csv__columns_by_name),
        cmocka_unit_test(verify_read_list__csv_single_column__header_alone),
    };
    return cmocka_run_group_tests_name("verify_input", tests, NULL, NULL);
}
