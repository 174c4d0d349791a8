/* Database front end: picks the backend, looks queries up by name, checks that the database
 * is an Alfresco schema alfwipe can read, and parses column values. */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alfwipe/db.h"
#include "alfwipe/sqltext.h"
#include "alfwipe/timeutil.h"
#include "alfwipe/xalloc.h"
#include "db_int.h"

static const struct db_ops *const backends[] = {
    [DB_PG] = &db_pg_ops,
    [DB_MYSQL] = &db_mysql_ops,
};

int db_open(struct db **out, const struct conf_db *cd, struct err *err)
{
    *out = NULL;
    if ((size_t)cd->type >= sizeof backends / sizeof backends[0] || !backends[cd->type]) {
        err_set(err, ERR_CONFIG, "no database configured");
        return err_hint(err, "Set db.url in alfresco-global.properties, or add a database group "
                             "to alfwipe.conf.");
    }
    const struct db_ops *ops = backends[cd->type];
    struct db *db = NULL;
    if (ops->open(&db, cd, err) < 0)
        return -1;
    db->ops = ops;
    *out = db;
    return 0;
}

int db_open_twin(struct db *db, struct db **out, struct err *err)
{
    *out = NULL;
    if (!db->ops->twin)
        return 1;
    struct db *tw = NULL;
    if (db->ops->twin(db, &tw, err) < 0)
        return -1;
    tw->ops = db->ops;
    *out = tw;
    return 0;
}

/* Skip a quoted run starting at s[0] (the quote); a doubled quote stands for itself. */
static const char *skip_quoted(const char *s)
{
    char q = *s++;
    while (*s) {
        if (*s == q && s[1] == q)
            s += 2;
        else if (*s++ == q)
            break;
    }
    return s;
}

/* Skip a block comment starting at s[0] ('/' '*'); they nest, as PostgreSQL reads them. */
static const char *skip_comment(const char *s)
{
    int depth = 0;
    while (*s) {
        if (s[0] == '/' && s[1] == '*') {
            depth++;
            s += 2;
        } else if (s[0] == '*' && s[1] == '/') {
            s += 2;
            if (--depth == 0)
                break;
        } else {
            s++;
        }
    }
    return s;
}

static bool ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

/* A dollar-quoted string ($$...$$ or $tag$...$tag$) at s, or s itself when there is none. */
static const char *skip_dollar_quoted(const char *s)
{
    const char *t = s + 1;
    while (*t != '$' && ident_char(*t))
        t++;
    if (*t != '$')
        return s;
    size_t taglen = (size_t)(t - s) + 1;
    for (const char *p = t + 1; *p; p++)
        if (*p == '$' && strncmp(p, s, taglen) == 0)
            return p + taglen;
    return s + strlen(s);
}

int db_sql_max_param(const char *sql)
{
    int max = 0;
    const char *s = sql;
    while (*s) {
        if (*s == '\'' || *s == '"' || *s == '`') {
            s = skip_quoted(s);
        } else if (s[0] == '-' && s[1] == '-') {
            s += strcspn(s, "\n");
        } else if (s[0] == '/' && s[1] == '*') {
            s = skip_comment(s);
        } else if (ident_char(*s) && *s != '$') {
            /* An identifier or number, '$' included: "a$1" is a name, not a parameter. */
            while (ident_char(*s))
                s++;
        } else if (s[0] == '$' && s[1] >= '0' && s[1] <= '9') {
            long n = 0;
            for (s++; *s >= '0' && *s <= '9'; s++)
                if (n < 100000)
                    n = n * 10 + (*s - '0');
            if (n > max)
                max = (int)n;
        } else if (s[0] == '$') {
            const char *end = skip_dollar_quoted(s);
            s = end == s ? s + 1 : end;
        } else {
            s++;
        }
    }
    return max;
}

/* Counts the rows a query hands on, for the debug line that ends it. */
struct counted {
    db_row_fn *fn;
    void *arg;
    unsigned long long rows;
};

static int count_row(void *arg, const struct db_value *cols, int ncols, struct err *err)
{
    struct counted *c = arg;
    c->rows++;
    return c->fn(c->arg, cols, ncols, err);
}

int db_query(struct db *db, const char *name, const char *const *params, int nparams,
             db_row_fn *fn, void *arg, struct err *err)
{
    assert(nparams >= 0 && (nparams == 0 || params));
    const char *sql = sql_lookup(db->ops->dialect, name);
    if (!sql)
        return err_set(err, ERR_INTERNAL, "query '%s' is not built in for %s", name,
                       db->ops->engine);
    int want = db_sql_max_param(sql);
    if (want != nparams)
        return err_set(err, ERR_INTERNAL, "query '%s' takes %d parameter%s, %d given", name,
                       want, want == 1 ? "" : "s", nparams);
    debug_msg("query %s (%d parameter%s)", name, nparams, nparams == 1 ? "" : "s");
    struct counted c = {fn, arg, 0};
    double t0 = time_mono_s();
    int rc = db->ops->query(db, name, sql, params, nparams, count_row, &c, err);
    if (rc == 0)
        debug_msg("query %s: %llu row%s in %.3f s", name, c.rows, c.rows == 1 ? "" : "s",
                  time_mono_s() - t0);
    return rc;
}

/* Keep the first column of the first row. The queries run this way return one row; reading
 * to the end rather than stopping spares the backend a cancel. */
struct first_value {
    char *val;
    bool seen;
};

static int first_value_row(void *arg, const struct db_value *cols, int ncols, struct err *err)
{
    struct first_value *fv = arg;
    (void)err;
    if (!fv->seen && ncols > 0 && !cols[0].null)
        fv->val = xstrndup(cols[0].s, cols[0].len);
    fv->seen = true;
    return 0;
}

int db_query_value(struct db *db, const char *name, const char *const *params, int nparams,
                   char **out, struct err *err)
{
    struct first_value fv = {NULL, false};
    *out = NULL;
    if (db_query(db, name, params, nparams, first_value_row, &fv, err) < 0) {
        free(fv.val);
        return -1;
    }
    *out = fv.val;
    return 0;
}

const char *db_engine(const struct db *db) { return db->ops->engine; }
const char *db_server_version(const struct db *db) { return db->server_version; }
const char *db_dialect(const struct db *db) { return db->ops->dialect; }

void db_close(struct db *db)
{
    if (db)
        db->ops->close(db);
}

int db_int64(const struct db_value *v, int64_t *out)
{
    if (v->null || v->len == 0)
        return -1;
    /* strtoll alone would take leading blanks and a '+'; a column value has neither. */
    if (v->s[0] != '-' && (v->s[0] < '0' || v->s[0] > '9'))
        return -1;
    char *end;
    errno = 0;
    long long n = strtoll(v->s, &end, 10);
    if (errno != 0 || end == v->s || (size_t)(end - v->s) != v->len)
        return -1;
    *out = (int64_t)n;
    return 0;
}

bool db_bool(const struct db_value *v)
{
    if (v->null)
        return false;
    /* A MySQL BIT(1) arrives as one raw byte in the text protocol. */
    if (v->len == 1)
        return v->s[0] == 't' || v->s[0] == 'T' || v->s[0] == '1' || v->s[0] == '\1';
    return v->len == 4 && strcasecmp(v->s, "true") == 0;
}

/* ---- schema check ---- */

/* The tables alfwipe reads, in the order the check names a missing one. */
static const char *const required_tables[] = {
    "alf_store",        "alf_node",           "alf_node_properties", "alf_content_data",
    "alf_content_url",  "alf_qname",          "alf_namespace",       "alf_child_assoc",
    "alf_node_aspects", "alf_applied_patch",
};

struct name_list {
    char **v;
    size_t n, cap;
};

static void name_list_release(struct name_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

static bool name_list_has(const struct name_list *l, const char *name)
{
    /* Table and column names are lower case in Alfresco's scripts; a MySQL server on a
     * case-insensitive file system may still report them otherwise. */
    for (size_t i = 0; i < l->n; i++)
        if (strcasecmp(l->v[i], name) == 0)
            return true;
    return false;
}

/* Row callback: column 0, or "column0.column1" when the row has two columns. */
static int name_list_row(void *arg, const struct db_value *cols, int ncols, struct err *err)
{
    struct name_list *l = arg;
    if (ncols < 1 || cols[0].null || (ncols > 1 && cols[1].null))
        return err_set(err, ERR_DATA, "schema query returned an empty name");
    l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = ncols > 1 ? xasprintf("%s.%s", cols[0].s, cols[1].s) : xstrdup(cols[0].s);
    return 0;
}

struct patch_range {
    int64_t min, max;
};

static int patch_range_row(void *arg, const struct db_value *cols, int ncols, struct err *err)
{
    struct patch_range *r = arg;
    if (ncols < 2)
        return err_set(err, ERR_DATA, "query 'q_schema_patches' returned %d columns, not 2",
                       ncols);
    if (!cols[0].null && db_int64(&cols[0], &r->min) < 0)
        return err_set(err, ERR_DATA, "alf_applied_patch: schema number '%s' is not an integer",
                       cols[0].s);
    if (!cols[1].null && db_int64(&cols[1], &r->max) < 0)
        return err_set(err, ERR_DATA, "alf_applied_patch: schema number '%s' is not an integer",
                       cols[1].s);
    return 0;
}

static int schema_too_old(struct err *err, const char *when, const char *why)
{
    err_set(err, ERR_SCHEMA, "schema too old (%s), not supported: %s", when, why);
    return err_hint(err, "alfwipe reads Alfresco 4.2 and later (and 4.1 service packs with the "
                         "NodeDeleted patch); upgrade Alfresco first.");
}

int db_check_tables(struct db *db, struct db_schema_info *info, struct err *err)
{
    struct name_list tables = {0}, columns = {0};
    struct patch_range range = {0, 0};
    char *schema = NULL;
    int ret = -1;

    memset(info, 0, sizeof *info);
    if (db_query_value(db, "q_schema_current", NULL, 0, &schema, err) < 0)
        goto out;
    if (!schema) {
        err_set(err, ERR_SCHEMA, "the %s connection has no current schema or database",
                db->ops->engine);
        err_hint(err, "Name the database that holds the alf_ tables in database.name (and, "
                      "for PostgreSQL, its schema in database.schema, or db.schema.name in "
                      "alfresco-global.properties).");
        goto out;
    }
    const char *p1[] = {schema};
    if (db_query(db, "q_schema_tables", p1, 1, name_list_row, &tables, err) < 0)
        goto out;

    if (name_list_has(&tables, "alf_bootstrap_lock")) {
        err_set(err, ERR_SCHEMA, "an Alfresco schema creation or upgrade is in progress "
                                 "(table 'alf_bootstrap_lock' exists in '%s')", schema);
        err_hint(err, "Wait until Alfresco has finished starting and the table is gone, then "
                      "run alfwipe again.");
        goto out;
    }
    for (size_t i = 0; i < sizeof required_tables / sizeof required_tables[0]; i++) {
        if (name_list_has(&tables, required_tables[i]))
            continue;
        const char *p2[] = {schema, required_tables[i]};
        char *denied = NULL;
        if (db_query_value(db, "q_schema_table_denied", p2, 2, &denied, err) < 0)
            goto out;
        bool no_select = denied && db_bool(&(struct db_value){denied, strlen(denied), false});
        free(denied);
        if (no_select) {
            err_set(err, ERR_SCHEMA, "the database user may not read table '%s' in '%s' (no "
                                     "SELECT privilege)", required_tables[i], schema);
            err_hint(err, "Grant the user read access, for example GRANT SELECT ON ALL TABLES IN "
                          "SCHEMA %s TO <user>; alfwipe needs nothing more.", schema);
            goto out;
        }
        err_set(err, ERR_SCHEMA, "not an Alfresco database: table '%s' is missing from '%s'",
                required_tables[i], schema);
        err_hint(err, "Point the database settings (or db.url) at the database Alfresco uses; "
                      "for a non-default PostgreSQL schema set db.schema.name. On MySQL and "
                      "MariaDB a table the user has no privilege on looks missing too.");
        goto out;
    }

    if (db_query(db, "q_schema_columns", p1, 1, name_list_row, &columns, err) < 0)
        goto out;
    if (!name_list_has(&columns, "alf_content_url.orphan_time")) {
        schema_too_old(err, "before 3.2", "alf_content_url has no 'orphan_time' column");
        goto out;
    }
    if (name_list_has(&columns, "alf_node.node_deleted")) {
        schema_too_old(err, "before the 4.1-SP/4.2 NodeDeleted change",
                       "alf_node has a 'node_deleted' column");
        goto out;
    }
    if (db_query(db, "q_schema_patches", NULL, 0, patch_range_row, &range, err) < 0)
        goto out;
    info->has_encryption_table = name_list_has(&tables, "alf_content_url_encryption");
    info->has_server_id = name_list_has(&columns, "alf_transaction.server_id");
    info->schema_min = range.min > 0 ? range.min : 0;
    info->schema_max = range.max > 0 ? range.max : 0;
    ret = 0;
out:
    name_list_release(&tables);
    name_list_release(&columns);
    free(schema);
    return ret;
}

int db_check_content_types(struct db *db, struct err *err)
{
    char *node = NULL;
    if (db_query_value(db, "q_schema_type11", NULL, 0, &node, err) < 0)
        return -1;
    if (!node)
        return 0;
    db_legacy_content_error(err, node);
    free(node);
    return -1;
}

int db_legacy_content_error(struct err *err, const char *node_id)
{
    err_set(err, ERR_SCHEMA, "the 3.2 content URL conversion never finished: node %s has a "
                             "content property of the legacy type 11", node_id);
    return err_hint(err, "Start the Alfresco release that upgraded this database and let its "
                         "content URL conversion run to completion, then run alfwipe again.");
}

int db_check_schema(struct db *db, struct db_schema_info *info, struct err *err)
{
    return db_check_tables(db, info, err) < 0 || db_check_content_types(db, err) < 0 ? -1 : 0;
}
