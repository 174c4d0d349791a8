/* Strict parsing of deleted-nodes list replies and of Alfresco's error bodies (jansson).
 * Every missing or ill-typed field is an error that names the page, the entry and the field. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alfwipe/api.h"
#include "alfwipe/timeutil.h"
#include "alfwipe/visible.h"
#include "alfwipe/xalloc.h"

/* Longest node id accepted; Alfresco's are 36-character uuids. */
#define API_ID_MAX 128

void api_item_release(struct api_item *it)
{
    free(it->id);
    free(it->name);
    free(it->node_type);
    free(it->archived_by);
    free(it->archived_by_name);
    free(it->mime_type);
    memset(it, 0, sizeof *it);
}

void api_item_list_release(struct api_item_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        api_item_release(&l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

static const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "a value";
}

/* Field lookup context: where we are, for the error message. */
struct jctx {
    int64_t skip;       /* skipCount of the page */
    const char *path;   /* e.g. "list.entries[3].entry" */
    struct err *err;
};

static int missing(const struct jctx *c, const char *field)
{
    return err_set(c->err, ERR_DATA, "page at skipCount %lld: '%s%s%s' is missing",
                   (long long)c->skip, c->path, c->path[0] ? "." : "", field);
}

static int ill_typed(const struct jctx *c, const char *field, const json_t *v, const char *want)
{
    return err_set(c->err, ERR_DATA, "page at skipCount %lld: '%s%s%s' is %s, expected %s",
                   (long long)c->skip, c->path, c->path[0] ? "." : "", field, json_kind(v),
                   want);
}

/* get_*: required fields fail when absent; opt_* return 1 when absent (nothing stored). */
static int get_obj(const struct jctx *c, const json_t *o, const char *f, json_t **out)
{
    json_t *v = json_object_get(o, f);
    if (!v)
        return missing(c, f);
    if (!json_is_object(v))
        return ill_typed(c, f, v, "an object");
    *out = v;
    return 0;
}

static int get_str(const struct jctx *c, const json_t *o, const char *f, const char **out)
{
    json_t *v = json_object_get(o, f);
    if (!v)
        return missing(c, f);
    if (!json_is_string(v))
        return ill_typed(c, f, v, "a string");
    *out = json_string_value(v);
    return 0;
}

static int opt_str(const struct jctx *c, const json_t *o, const char *f, const char **out)
{
    json_t *v = json_object_get(o, f);
    if (!v || json_is_null(v))
        return 1;
    if (!json_is_string(v))
        return ill_typed(c, f, v, "a string");
    *out = json_string_value(v);
    return 0;
}

static int get_bool(const struct jctx *c, const json_t *o, const char *f, bool *out)
{
    json_t *v = json_object_get(o, f);
    if (!v)
        return missing(c, f);
    if (!json_is_boolean(v))
        return ill_typed(c, f, v, "a boolean");
    *out = json_is_true(v);
    return 0;
}

static int get_int(const struct jctx *c, const json_t *o, const char *f, int64_t *out)
{
    json_t *v = json_object_get(o, f);
    if (!v)
        return missing(c, f);
    if (!json_is_integer(v))
        return ill_typed(c, f, v, "an integer");
    *out = (int64_t)json_integer_value(v);
    return 0;
}

static int opt_int(const struct jctx *c, const json_t *o, const char *f, int64_t *out)
{
    json_t *v = json_object_get(o, f);
    if (!v || json_is_null(v))
        return 1;
    if (!json_is_integer(v))
        return ill_typed(c, f, v, "an integer");
    *out = (int64_t)json_integer_value(v);
    return 0;
}

/* Node ids end up in a URL path: accept what Alfresco's uuids are made of, nothing else. */
static bool id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > API_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.';
        if (!ok)
            return false;
    }
    return strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

static char *dup_opt(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static int parse_entry(struct jctx *c, const json_t *entry, struct api_item *it)
{
    const char *id, *name, *type, *archived = NULL;
    memset(it, 0, sizeof *it);
    if (get_str(c, entry, "id", &id) != 0 || get_str(c, entry, "name", &name) != 0 ||
        get_str(c, entry, "nodeType", &type) != 0 ||
        get_bool(c, entry, "isFolder", &it->is_folder) != 0 ||
        get_bool(c, entry, "isFile", &it->is_file) != 0)
        return -1;
    if (!id_ok(id)) {
        char shown[4 * 80 + 1];
        vis_copy(shown, sizeof shown, id, 80);
        return err_set(c->err, ERR_DATA, "page at skipCount %lld: '%s.id' is not a node id: '%s'",
                       (long long)c->skip, c->path, shown);
    }
    int r = opt_str(c, entry, "archivedAt", &archived);
    if (r < 0)
        return -1;
    if (r == 0) {
        if (time_parse_iso8601(archived, &it->archived_at_ms) != 0) {
            char shown[4 * 64 + 1];
            vis_copy(shown, sizeof shown, archived, 64);
            return err_set(c->err, ERR_DATA,
                           "page at skipCount %lld: '%s.archivedAt' is not a date: '%s'",
                           (long long)c->skip, c->path, shown);
        }
        it->has_archived_at = true;
    }
    const char *by = NULL, *by_name = NULL, *mime = NULL;
    json_t *v = json_object_get(entry, "archivedByUser");
    if (v && !json_is_null(v)) {
        if (!json_is_object(v))
            return ill_typed(c, "archivedByUser", v, "an object");
        char sub[128];
        snprintf(sub, sizeof sub, "%s.archivedByUser", c->path);
        struct jctx cu = {c->skip, sub, c->err};
        if (get_str(&cu, v, "id", &by) != 0 || opt_str(&cu, v, "displayName", &by_name) < 0)
            return -1;
    }
    v = json_object_get(entry, "content");
    if (v && !json_is_null(v)) {
        if (!json_is_object(v))
            return ill_typed(c, "content", v, "an object");
        char sub[128];
        snprintf(sub, sizeof sub, "%s.content", c->path);
        struct jctx cc = {c->skip, sub, c->err};
        int s = opt_int(&cc, v, "sizeInBytes", &it->size_bytes);
        if (s < 0 || opt_str(&cc, v, "mimeType", &mime) < 0)
            return -1;
        if (s == 0 && it->size_bytes < 0)
            return err_set(c->err, ERR_DATA,
                           "page at skipCount %lld: '%s.sizeInBytes' is negative",
                           (long long)c->skip, sub);
        it->has_size = (s == 0);
    }
    it->id = xstrdup(id);
    it->name = xstrdup(name);
    it->node_type = xstrdup(type);
    it->archived_by = dup_opt(by);
    it->archived_by_name = dup_opt(by_name);
    it->mime_type = dup_opt(mime);
    return 0;
}

int api_parse_page(const char *body, size_t len, int64_t skip_count, struct api_page *page,
                   struct api_item_list *list, struct err *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return err_set(err, ERR_DATA,
                       "page at skipCount %lld is not valid JSON: %s at line %d, column %d",
                       (long long)skip_count, jerr.text, jerr.line, jerr.column);
    int ret = -1;
    size_t first = list->n;
    struct jctx c = {skip_count, "", err};
    json_t *lst = NULL, *pag = NULL, *entries;
    memset(page, 0, sizeof *page);
    if (!json_is_object(root)) {
        err_set(err, ERR_DATA, "page at skipCount %lld is %s, expected an object",
                (long long)skip_count, json_kind(root));
        goto out;
    }
    if (get_obj(&c, root, "list", &lst) != 0)
        goto out;
    c.path = "list";
    if (get_obj(&c, lst, "pagination", &pag) != 0)
        goto out;
    c.path = "list.pagination";
    if (get_int(&c, pag, "count", &page->count) != 0 ||
        get_bool(&c, pag, "hasMoreItems", &page->has_more) != 0 ||
        get_int(&c, pag, "skipCount", &page->skip_count) != 0 ||
        get_int(&c, pag, "maxItems", &page->max_items) != 0)
        goto out;
    int t = opt_int(&c, pag, "totalItems", &page->total_items);
    if (t < 0)
        goto out;
    page->has_total = (t == 0);
    c.path = "list";
    entries = json_object_get(lst, "entries");
    if (!entries) {
        missing(&c, "entries");
        goto out;
    }
    if (!json_is_array(entries)) {
        ill_typed(&c, "entries", entries, "an array");
        goto out;
    }
    size_t n = json_array_size(entries);
    if (page->count < 0 || (size_t)page->count != n) {
        err_set(err, ERR_DATA,
                "page at skipCount %lld: 'list.pagination.count' is %lld but the page holds "
                "%zu entries", (long long)skip_count, (long long)page->count, n);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        char path[64], epath[64];
        snprintf(path, sizeof path, "list.entries[%zu]", i);
        snprintf(epath, sizeof epath, "list.entries[%zu].entry", i);
        json_t *wrap = json_array_get(entries, i), *entry;
        if (!json_is_object(wrap)) {
            err_set(err, ERR_DATA, "page at skipCount %lld: '%s' is %s, expected an object",
                    (long long)skip_count, path, json_kind(wrap));
            goto out;
        }
        c.path = path;
        if (get_obj(&c, wrap, "entry", &entry) != 0)
            goto out;
        c.path = epath;
        list->v = xgrow(list->v, &list->cap, list->n + 1, sizeof *list->v);
        if (parse_entry(&c, entry, &list->v[list->n]) != 0)
            goto out;
        list->n++;
    }
    ret = 0;
out:
    if (ret != 0) {
        /* Undo what this page appended: nothing half-parsed reaches the caller. */
        for (size_t i = first; i < list->n; i++)
            api_item_release(&list->v[i]);
        list->n = first;
    }
    json_decref(root);
    return ret;
}

static void copy_str(char *dst, size_t cap, const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    vis_copy(dst, cap, s ? s : "", cap);
}

void api_parse_error_body(const char *body, size_t len, struct api_error_body *out)
{
    memset(out, 0, sizeof *out);
    if (!body || len == 0)
        return;
    json_t *root = json_loadb(body, len, 0, NULL);
    if (!root)
        return;
    json_t *e = json_object_get(root, "error");
    if (json_is_object(e)) {
        copy_str(out->error_key, sizeof out->error_key, e, "errorKey");
        copy_str(out->brief_summary, sizeof out->brief_summary, e, "briefSummary");
        copy_str(out->log_id, sizeof out->log_id, e, "logId");
        json_t *sc = json_object_get(e, "statusCode");
        if (json_is_integer(sc))
            out->status_code = (long)json_integer_value(sc);
    }
    json_decref(root);
}
