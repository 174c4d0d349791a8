/* 'alfwipe check': every effective setting with the place it came from. Secrets never appear:
 * only whether they are set and where from. */
#include <inttypes.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alfwipe/conf.h"
#include "alfwipe/redact.h"
#include "alfwipe/report.h"
#include "alfwipe/xalloc.h"
#include "conf_int.h"

static const char *engine_of(enum db_type t)
{
    return t == DB_PG ? "postgresql" : t == DB_MYSQL ? "mysql" : NULL;
}

/* One setting as (value text or NULL, source, origin). buf holds numbers; *owned, when not
 * NULL, is the value shown (a URL without its password) and is the caller's to free. */
static void describe(const struct conf *conf, const struct conf_key *k, char *buf, size_t n,
                     const char **val, enum conf_source *src, const char **origin,
                     char **owned)
{
    *owned = NULL;
    const void *field = (const char *)conf + k->off;
    *val = NULL;
    *src = SRC_UNSET;
    *origin = NULL;
    switch (k->type) {
    case CK_STR:
    case CK_PATH:
    case CK_NAME:
    case CK_URL:
    case CK_CHOICE: {
        const struct conf_str *s = field;
        *val = s->val;
        if (k->type == CK_URL && s->val)
            *val = *owned = url_redact(s->val);
        *src = s->src;
        *origin = s->origin;
        break;
    }
    case CK_INT: {
        const struct conf_int *s = field;
        if (s->src != SRC_UNSET) {
            snprintf(buf, n, "%" PRId64, s->val);
            *val = buf;
        }
        *src = s->src;
        *origin = s->origin;
        break;
    }
    case CK_KEEP: {
        const struct conf_int *s = field;
        if (s->src != SRC_UNSET) {
            if (s->val % MS_PER_DAY == 0)
                snprintf(buf, n, "%" PRId64, s->val / MS_PER_DAY);
            else
                snprintf(buf, n, "%.6g", (double)s->val / (double)MS_PER_DAY);
            *val = buf;
        }
        *src = s->src;
        *origin = s->origin;
        break;
    }
    case CK_BOOL: {
        const struct conf_bool *s = field;
        if (s->src != SRC_UNSET)
            *val = s->val ? "true" : "false";
        *src = s->src;
        *origin = s->origin;
        break;
    }
    case CK_DBTYPE:
        *val = engine_of(conf->db.type);
        *src = conf->db.type_src;
        *origin = conf->db.type_origin;
        break;
    case CK_PATHLIST:
        *src = conf->alfresco.n_extra_roots ? SRC_CONFIG : SRC_UNSET;
        break;
    }
}

/* buf receives the text when it names the place in alfresco-global.properties. */
static const char *secret_state(const char *pw, enum conf_source src, const char *file,
                                const char *origin, char *buf, size_t n)
{
    if (!pw)
        return file ? "in password_file (not read)" : "not set";
    switch (src) {
    case SRC_ENV:
        return "set (from the environment)";
    case SRC_PROPERTIES:
        if (!origin)
            return "set (db.password in alfresco-global.properties)";
        snprintf(buf, n, "set (%s)", origin);
        return buf;
    default:
        return "set (from password_file)";
    }
}

static const char *db_secret_state(const struct conf_db *d, char *buf, size_t n)
{
    return secret_state(d->password, d->password_src, d->password_file.val, d->password_origin,
                        buf, n);
}

static void show_text(const struct conf *conf, FILE *fp)
{
    fprintf(fp, "configuration file: %s\n", conf->path ? conf->path : "(none found)");
    const struct conf_str *gp = &conf->alfresco.global_properties;
    fprintf(fp, "alfresco-global.properties: %s\n", gp->val ? gp->val : "(not used)");
    for (size_t gi = 0; gi < conf_ngroups; gi++) {
        const struct conf_group *g = &conf_groups[gi];
        fprintf(fp, "\n[%s]\n", g->name);
        if (strcmp(g->name, "database") == 0 && !conf->db.configured)
            fprintf(fp, "  no database configured: add a database group to alfwipe.conf, or set "
                        "alfresco.global_properties so that db.url can be read\n");
        for (size_t i = 0; i < g->n; i++) {
            const struct conf_key *k = &g->keys[i];
            char buf[64];
            const char *val, *origin;
            enum conf_source src;
            char *owned;
            describe(conf, k, buf, sizeof buf, &val, &src, &origin, &owned);
            if (k->type == CK_PATHLIST) {
                for (size_t r = 0; r < conf->alfresco.n_extra_roots; r++)
                    fprintf(fp, "  %-24s = %s  (alfwipe.conf)\n", "extra_roots", conf->alfresco.extra_roots[r]);
                if (!conf->alfresco.n_extra_roots)
                    fprintf(fp, "  %-24s   (none)\n", "extra_roots");
                continue;
            }
            if (!val) {
                fprintf(fp, "  %-24s   (unset)\n", k->name);
                continue;
            }
            fprintf(fp, "  %-24s = %s  (%s%s%s)\n", k->name, val, conf_source_name(src),
                    origin && strcmp(origin, conf_source_name(src)) ? ": " : "",
                    origin && strcmp(origin, conf_source_name(src)) ? origin : "");
            free(owned);
        }
        char sbuf[1024];
        if (strcmp(g->name, "database") == 0)
            fprintf(fp, "  %-24s : %s\n", "password",
                    db_secret_state(&conf->db, sbuf, sizeof sbuf));
        if (strcmp(g->name, "api") == 0)
            fprintf(fp, "  %-24s : %s\n", "password",
                    conf->api.password
                        ? secret_state(conf->api.password,
                                       conf->api.password_file.val ? SRC_CONFIG : SRC_ENV, NULL,
                                       NULL, sbuf, sizeof sbuf)
                    : conf->api.password_file.val ? "in password_file (not read)"
                                                  : "not set (or $ALFWIPE_API_PASSWORD)");
    }
    if (conf->n_warnings) {
        fprintf(fp, "\nwarnings:\n");
        for (size_t i = 0; i < conf->n_warnings; i++)
            fprintf(fp, "  %s\n", conf->warnings[i]);
    }
}

/* s as a JSON string: the bytes when they are valid UTF-8, else each invalid byte as U+FFFD;
 * *exact gets the base64 of the bytes in that case (json_set_bytes' convention). */
static json_t *json_text(const char *s, json_t **exact)
{
    json_t *tmp = json_object();
    json_set_bytes(tmp, "v", s, strlen(s));
    json_t *v = json_incref(json_object_get(tmp, "v"));
    json_t *b = json_object_get(tmp, "v_base64");
    if (exact)
        *exact = b ? json_incref(b) : NULL;
    json_decref(tmp);
    return v;
}

static void set_text(json_t *obj, const char *key, const char *s)
{
    if (s)
        json_set_bytes(obj, key, s, strlen(s));
    else
        json_object_set_new(obj, key, json_null());
}

/* alfresco.extra_roots: "value" holds the paths; when one of them is not valid UTF-8,
 * "value_base64" holds the exact bytes of every one, in the same order. */
static void set_roots(json_t *o, const struct conf_alfresco *a)
{
    json_t *arr = json_array(), *b64 = json_array();
    bool need = false;
    for (size_t r = 0; r < a->n_extra_roots; r++) {
        const char *p = a->extra_roots[r];
        json_t *exact = NULL;
        json_array_append_new(arr, json_text(p, &exact));
        need = need || exact;
        json_decref(exact);
        size_t len = strlen(p);
        unsigned char *enc = xmalloc(4 * ((len + 2) / 3) + 1);
        int n = EVP_EncodeBlock(enc, (const unsigned char *)p, (int)len);
        json_array_append_new(b64, json_stringn((const char *)enc, (size_t)n));
        free(enc);
    }
    json_object_set_new(o, "value", arr);
    if (need)
        json_object_set_new(o, "value_base64", b64);
    else
        json_decref(b64);
}

json_t *conf_show_json(const struct conf *conf)
{
    json_t *root = json_object();
    set_text(root, "config_file", conf->path);
    json_object_set_new(root, "database_configured", json_boolean(conf->db.configured));
    json_t *settings = json_object();
    for (size_t gi = 0; gi < conf_ngroups; gi++) {
        const struct conf_group *g = &conf_groups[gi];
        json_t *grp = json_object();
        for (size_t i = 0; i < g->n; i++) {
            const struct conf_key *k = &g->keys[i];
            char buf[64];
            const char *val, *origin;
            enum conf_source src;
            char *owned;
            describe(conf, k, buf, sizeof buf, &val, &src, &origin, &owned);
            json_t *o = json_object();
            if (k->type == CK_PATHLIST)
                set_roots(o, &conf->alfresco);
            else
                set_text(o, "value", val);
            free(owned);
            json_object_set_new(o, "source",
                                src == SRC_UNSET ? json_null() : json_string(conf_source_name(src)));
            if (origin)
                set_text(o, "origin", origin);
            json_object_set_new(grp, k->name, o);
        }
        char sbuf[1024];
        if (strcmp(g->name, "database") == 0)
            set_text(grp, "password", db_secret_state(&conf->db, sbuf, sizeof sbuf));
        json_object_set_new(settings, g->name, grp);
    }
    json_object_set_new(root, "settings", settings);
    json_t *w = json_array();
    for (size_t i = 0; i < conf->n_warnings; i++)
        json_array_append_new(w, json_text(conf->warnings[i], NULL));
    json_object_set_new(root, "warnings", w);
    return root;
}

int conf_show(const struct conf *conf, FILE *fp, bool json)
{
    if (!json) {
        show_text(conf, fp);
        return ferror(fp) ? -1 : 0;
    }
    json_t *root = conf_show_json(conf);
    int rc = json_dumpf(root, fp, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    fputc('\n', fp);
    json_decref(root);
    return rc;
}
