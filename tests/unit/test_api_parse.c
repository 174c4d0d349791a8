/* Unit tests for the strict parsing of deleted-nodes pages and of Alfresco error bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "alfwipe/api.h"

static const char GOOD[] =
    "{\"list\": {\"pagination\": {\"count\": 3, \"hasMoreItems\": true, \"totalItems\": 5,"
    " \"skipCount\": 0, \"maxItems\": 3},"
    " \"entries\": ["
    "  {\"entry\": {\"id\": \"uuid-a\", \"name\": \"a.txt\", \"nodeType\": \"cm:content\","
    "   \"isFolder\": false, \"isFile\": true, \"archivedAt\": \"2024-06-25T10:00:00.000+0000\","
    "   \"archivedByUser\": {\"id\": \"alice\", \"displayName\": \"Alice\"},"
    "   \"content\": {\"mimeType\": \"text/plain\", \"mimeTypeName\": \"Plain Text\","
    "    \"sizeInBytes\": 100, \"encoding\": \"UTF-8\"}}},"
    "  {\"entry\": {\"id\": \"uuid-d\", \"name\": \"Reports\", \"nodeType\": \"cm:folder\","
    "   \"isFolder\": true, \"isFile\": false, \"archivedAt\": \"2024-04-01T10:00:00.000+0000\","
    "   \"archivedByUser\": {\"id\": \"carol\", \"displayName\": \"Carol\"}}},"
    "  {\"entry\": {\"id\": \"uuid-f\", \"name\": \"f.txt\", \"nodeType\": \"cm:content\","
    "   \"isFolder\": false, \"isFile\": true,"
    "   \"archivedByUser\": {\"id\": \"alice\"}, \"content\": {\"sizeInBytes\": 10}}}"
    " ]}}";

/* A one-entry page whose entry is 'entry' (JSON object text). */
static char *page_with(const char *entry)
{
    static char buf[2048];
    snprintf(buf, sizeof buf,
             "{\"list\": {\"pagination\": {\"count\": 1, \"hasMoreItems\": false,"
             " \"skipCount\": 4, \"maxItems\": 100}, \"entries\": [{\"entry\": %s}]}}",
             entry);
    return buf;
}

static int parse(const char *text, int64_t skip, struct api_page *pg, struct api_item_list *l,
                 struct err *err)
{
    return api_parse_page(text, strlen(text), skip, pg, l, err);
}

static void api_parse_page__good_page__all_fields(void **state)
{
    (void)state;
    struct api_page pg;
    struct api_item_list l = {0};
    struct err err = ERR_INIT;
    assert_int_equal(parse(GOOD, 0, &pg, &l, &err), 0);
    assert_int_equal(pg.count, 3);
    assert_true(pg.has_more);
    assert_true(pg.has_total);
    assert_int_equal(pg.total_items, 5);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.v[0].id, "uuid-a");
    assert_string_equal(l.v[0].name, "a.txt");
    assert_string_equal(l.v[0].node_type, "cm:content");
    assert_true(l.v[0].is_file);
    assert_false(l.v[0].is_folder);
    assert_true(l.v[0].has_archived_at);
    assert_int_equal(l.v[0].archived_at_ms, INT64_C(1719309600000)); /* 2024-06-25T10:00Z */
    assert_string_equal(l.v[0].archived_by, "alice");
    assert_string_equal(l.v[0].archived_by_name, "Alice");
    assert_true(l.v[0].has_size);
    assert_int_equal(l.v[0].size_bytes, 100);
    assert_string_equal(l.v[0].mime_type, "text/plain");
    /* folder: no content, size unknown */
    assert_true(l.v[1].is_folder);
    assert_false(l.v[1].has_size);
    assert_null(l.v[1].mime_type);
    /* no archivedAt: listed, flagged */
    assert_false(l.v[2].has_archived_at);
    assert_null(l.v[2].archived_by_name);
    assert_int_equal(l.v[2].size_bytes, 10);
    api_item_list_release(&l);
    assert_int_equal(l.n, 0);
}

static void api_parse_page__appends__keeps_earlier_items(void **state)
{
    (void)state;
    struct api_page pg;
    struct api_item_list l = {0};
    struct err err = ERR_INIT;
    assert_int_equal(parse(GOOD, 0, &pg, &l, &err), 0);
    assert_int_equal(parse(page_with("{\"id\": \"uuid-e\", \"name\": \"e\", \"nodeType\":"
                                     " \"cm:content\", \"isFolder\": false, \"isFile\": true}"),
                           3, &pg, &l, &err), 0);
    assert_int_equal(l.n, 4);
    assert_string_equal(l.v[3].id, "uuid-e");
    assert_false(pg.has_total);
    assert_false(pg.has_more);
    api_item_list_release(&l);
}

static void api_parse_page__missing_id__names_page_entry_field(void **state)
{
    (void)state;
    const char *text =
        "{\"list\": {\"pagination\": {\"count\": 2, \"hasMoreItems\": false, \"skipCount\": 0,"
        " \"maxItems\": 100}, \"entries\": ["
        " {\"entry\": {\"id\": \"uuid-a\", \"name\": \"a\", \"nodeType\": \"cm:content\","
        "  \"isFolder\": false, \"isFile\": true}},"
        " {\"entry\": {\"name\": \"b\", \"nodeType\": \"cm:content\", \"isFolder\": false,"
        "  \"isFile\": true}}]}}";
    struct api_page pg;
    struct api_item_list l = {0};
    struct err err = ERR_INIT;
    assert_int_equal(parse(text, 0, &pg, &l, &err), -1);
    assert_int_equal(err.kind, ERR_DATA);
    assert_non_null(strstr(err.msg, "skipCount 0"));
    assert_non_null(strstr(err.msg, "'list.entries[1].entry.id' is missing"));
    /* nothing half-parsed is kept, not even the good first entry */
    assert_int_equal(l.n, 0);
    api_item_list_release(&l);
}

static void api_parse_page__wrong_types__named(void **state)
{
    (void)state;
    static const struct {
        const char *entry, *want;
    } cases[] = {
        {"{\"id\": \"x\", \"name\": \"n\", \"nodeType\": \"cm:content\", \"isFolder\": \"no\","
         " \"isFile\": true}",
         "'list.entries[0].entry.isFolder' is a string, expected a boolean"},
        {"{\"id\": 7, \"name\": \"n\", \"nodeType\": \"cm:content\", \"isFolder\": false,"
         " \"isFile\": true}",
         "'list.entries[0].entry.id' is an integer, expected a string"},
        {"{\"id\": \"x\", \"name\": \"n\", \"nodeType\": \"cm:content\", \"isFolder\": false,"
         " \"isFile\": true, \"content\": {\"sizeInBytes\": \"100\"}}",
         "'list.entries[0].entry.content.sizeInBytes' is a string, expected an integer"},
        {"{\"id\": \"x\", \"name\": \"n\", \"nodeType\": \"cm:content\", \"isFolder\": false,"
         " \"isFile\": true, \"archivedAt\": 1718000000}",
         "'list.entries[0].entry.archivedAt' is an integer, expected a string"},
        {"{\"id\": \"x\", \"name\": \"n\", \"nodeType\": \"cm:content\", \"isFolder\": false,"
         " \"isFile\": true, \"archivedAt\": \"yesterday\"}",
         "'list.entries[0].entry.archivedAt' is not a date"},
        {"{\"id\": \"x\", \"name\": \"n\", \"nodeType\": \"cm:content\", \"isFolder\": false,"
         " \"isFile\": true, \"archivedByUser\": \"bob\"}",
         "'list.entries[0].entry.archivedByUser' is a string, expected an object"},
        {"{\"id\": \"x\", \"name\": \"n\", \"nodeType\": \"cm:content\", \"isFolder\": false,"
         " \"isFile\": true, \"archivedByUser\": {\"displayName\": \"Bob\"}}",
         "'list.entries[0].entry.archivedByUser.id' is missing"},
        {"{\"id\": \"../../people\", \"name\": \"n\", \"nodeType\": \"cm:content\","
         " \"isFolder\": false, \"isFile\": true}",
         "'list.entries[0].entry.id' is not a node id"},
        {"[1, 2]", "'list.entries[0].entry' is an array, expected an object"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct api_page pg;
        struct api_item_list l = {0};
        struct err err = ERR_INIT;
        assert_int_equal(parse(page_with(cases[i].entry), 4, &pg, &l, &err), -1);
        assert_non_null(strstr(err.msg, "page at skipCount 4"));
        if (!strstr(err.msg, cases[i].want))
            fail_msg("case %zu: '%s' does not contain '%s'", i, err.msg, cases[i].want);
        assert_int_equal(l.n, 0);
        api_item_list_release(&l);
    }
}

static void api_parse_page__envelope_errors__named(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"{\"list\": {\"pagination\": {\"count\": 0, \"hasMoreItems\": false, \"skipCount\": 0,"
         " \"maxItems\": 100}}}",
         "'list.entries' is missing"},
        {"{\"entries\": []}", "'list' is missing"},
        {"{\"list\": {\"entries\": []}}", "'list.pagination' is missing"},
        {"{\"list\": {\"pagination\": {\"count\": 0, \"skipCount\": 0, \"maxItems\": 100},"
         " \"entries\": []}}",
         "'list.pagination.hasMoreItems' is missing"},
        {"{\"list\": {\"pagination\": {\"count\": 0, \"hasMoreItems\": \"false\","
         " \"skipCount\": 0, \"maxItems\": 100}, \"entries\": []}}",
         "'list.pagination.hasMoreItems' is a string, expected a boolean"},
        {"{\"list\": {\"pagination\": {\"count\": 0, \"hasMoreItems\": false, \"skipCount\": 0,"
         " \"maxItems\": 100, \"totalItems\": \"5\"}, \"entries\": []}}",
         "'list.pagination.totalItems' is a string, expected an integer"},
        {"{\"list\": {\"pagination\": {\"count\": 0, \"hasMoreItems\": false, \"skipCount\": 0,"
         " \"maxItems\": 100}, \"entries\": {}}}",
         "'list.entries' is an object, expected an array"},
        {"{\"list\": {\"pagination\": {\"count\": 2, \"hasMoreItems\": false, \"skipCount\": 0,"
         " \"maxItems\": 100}, \"entries\": []}}",
         "'list.pagination.count' is 2 but the page holds 0 entries"},
        {"[]", "is an array, expected an object"},
        {"{\"list\": {\"pagination\": ", "is not valid JSON"},
        {"", "is not valid JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct api_page pg;
        struct api_item_list l = {0};
        struct err err = ERR_INIT;
        assert_int_equal(parse(cases[i].text, 2, &pg, &l, &err), -1);
        assert_int_equal(err.kind, ERR_DATA);
        assert_non_null(strstr(err.msg, "page at skipCount 2"));
        if (!strstr(err.msg, cases[i].want))
            fail_msg("case %zu: '%s' does not contain '%s'", i, err.msg, cases[i].want);
        assert_int_equal(l.n, 0);
    }
}

static void api_parse_page__bad_json__says_where(void **state)
{
    (void)state;
    struct api_page pg;
    struct api_item_list l = {0};
    struct err err = ERR_INIT;
    assert_int_equal(parse("{\"list\": {\n  \"pagination\": nope}}", 2, &pg, &l, &err), -1);
    assert_non_null(strstr(err.msg, "line 2"));
    assert_non_null(strstr(err.msg, "column"));
}

static void api_parse_error_body__fields__copied(void **state)
{
    (void)state;
    const char *b = "{\"error\": {\"errorKey\": \"framework.exception.ApiDefault\","
                    " \"statusCode\": 500, \"briefSummary\": \"05300001 boom\","
                    " \"stackTrace\": \"...\", \"logId\": \"abc123\"}}";
    struct api_error_body eb;
    api_parse_error_body(b, strlen(b), &eb);
    assert_string_equal(eb.error_key, "framework.exception.ApiDefault");
    assert_string_equal(eb.brief_summary, "05300001 boom");
    assert_string_equal(eb.log_id, "abc123");
    assert_int_equal(eb.status_code, 500);
}

static void api_parse_error_body__garbage__empty(void **state)
{
    (void)state;
    struct api_error_body eb;
    const char *g = "<html>Bad Gateway</html>";
    api_parse_error_body(g, strlen(g), &eb);
    assert_string_equal(eb.brief_summary, "");
    assert_string_equal(eb.log_id, "");
    assert_int_equal(eb.status_code, 0);
    api_parse_error_body(NULL, 0, &eb);
    assert_string_equal(eb.error_key, "");
}

/* Text from the server reaches the terminal in error messages: control characters are shown
 * escaped, never raw (a terminal escape or a line break could forge output). */
static void api_parse__control_characters__escaped_in_messages(void **state)
{
    (void)state;
    struct api_page pg;
    struct api_item_list l = {0};
    struct err err = ERR_INIT;
    const char *e1 = "{\"id\": \"x\\u001b]0;t\\u0007\", \"name\": \"n\", \"nodeType\": "
                     "\"cm:content\", \"isFolder\": false, \"isFile\": true}";
    assert_int_equal(parse(page_with(e1), 4, &pg, &l, &err), -1);
    assert_null(strchr(err.msg, 0x1b));
    assert_null(strchr(err.msg, 0x07));
    assert_non_null(strstr(err.msg, "'x\\x1b]0;t\\x07'"));
    err_init(&err);
    const char *e2 = "{\"id\": \"x\", \"name\": \"n\", \"nodeType\": \"cm:content\","
                     " \"isFolder\": false, \"isFile\": true, \"archivedAt\": \"1\\n2\"}";
    assert_int_equal(parse(page_with(e2), 4, &pg, &l, &err), -1);
    assert_null(strchr(err.msg, '\n'));
    assert_non_null(strstr(err.msg, "'1\\n2'"));
    const char *b = "{\"error\": {\"briefSummary\": \"boom\\u001b[2J\\nfake\","
                    " \"logId\": \"a\\rb\"}}";
    struct api_error_body eb;
    api_parse_error_body(b, strlen(b), &eb);
    assert_string_equal(eb.brief_summary, "boom\\x1b[2J\\nfake");
    assert_string_equal(eb.log_id, "a\\rb");
    api_item_list_release(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(api_parse_page__good_page__all_fields),
        cmocka_unit_test(api_parse_page__appends__keeps_earlier_items),
        cmocka_unit_test(api_parse_page__missing_id__names_page_entry_field),
        cmocka_unit_test(api_parse_page__wrong_types__named),
        cmocka_unit_test(api_parse_page__envelope_errors__named),
        cmocka_unit_test(api_parse_page__bad_json__says_where),
        cmocka_unit_test(api_parse_error_body__fields__copied),
        cmocka_unit_test(api_parse_error_body__garbage__empty),
        cmocka_unit_test(api_parse__control_characters__escaped_in_messages),
    };
    return cmocka_run_group_tests_name("api_parse", tests, NULL, NULL);
}
