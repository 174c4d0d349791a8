/* 'alfwipe check': every effective setting with the place it came from. Secrets never appear:
 * only whether they are set and where from. */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "alfwipe/conf.h"
#include "conf_int.h"

static const char *engine_of(enum db_type t)
{
    return t == DB_PG ? "postgresql" : t == DB_MYSQL ? "mysql" : NULL;
}

/* One setting as (value text or NULL, source, origin). buf holds numbers. */
static void describe(const struct conf *conf, const struct conf_key *k, char *buf, size_t n,
                     const char **val, enum conf_source *src, const char **origin)
{
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
        break;
    case CK_PATHLIST:
        *src = conf->alfresco.n_extra_roots ? SRC_CONFIG : SRC_UNSET;
        break;
    }
}

static const char *secret_state(const char *pw, enum conf_source src, const char *file)
{
    if (!pw)
        return file ? "in password_file (not read)" : "not set";
    switch (src) {
    case SRC_ENV:
        return "set (from the environment)";
    case SRC_PROPERTIES:
        return "set (db.password in alfresco-global.properties)";
    default:
        return "set (from password_file)";
    }
}

static void show_text(const struct conf *conf, FILE *fp)
{
    fprintf(fp, "configuration file: %s\n", conf->path ? conf->path : "(none found)");
    const struct conf_str *gp = &conf->alfresco.global_properties;
    fprintf(fp, "alfresco-global.properties: %s\n", gp->val ? gp->val : "(not used)");
    for (size_t gi = 0; gi < conf_ngroups; gi++) {
        const struct conf_group *g = &conf_groups[gi];
        fprintf(fp, "\n[%s]\n", g->name);
        for (size_t i = 0; i < g->n; i++) {
            const struct conf_key *k = &g->keys[i];
            char buf[64];
            const char *val, *origin;
            enum conf_source src;
            describe(conf, k, buf, sizeof buf, &val, &src, &origin);
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
        }
        if (strcmp(g->name, "database") == 0)
            fprintf(fp, "  %-24s : %s\n", "password",
                    secret_state(conf->db.password, conf->db.password_src,
                                 conf->db.password_file.val));
        if (strcmp(g->name, "api") == 0)
            fprintf(fp, "  %-24s : %s\n", "password",
                    conf->api.password
                        ? secret_state(conf->api.password,
                                       conf->api.password_file.val ? SRC_CONFIG : SRC_ENV, NULL)
                    : conf->api.password_file.val ? "in password_file (not read)"
                                                  : "not set (or $ALFWIPE_API_PASSWORD)");
    }
    if (conf->n_warnings) {
        fprintf(fp, "\nwarnings:\n");
        for (size_t i = 0; i < conf->n_warnings; i++)
            fprintf(fp, "  %s\n", conf->warnings[i]);
    }
}

json_t *conf_show_json(const struct conf *conf)
{
    json_t *root = json_object();
    json_object_set_new(root, "config_file", conf->path ? json_string(conf->path) : json_null());
    json_t *settings = json_object();
    for (size_t gi = 0; gi < conf_ngroups; gi++) {
        const struct conf_group *g = &conf_groups[gi];
        json_t *grp = json_object();
        for (size_t i = 0; i < g->n; i++) {
            const struct conf_key *k = &g->keys[i];
            char buf[64];
            const char *val, *origin;
            enum conf_source src;
            describe(conf, k, buf, sizeof buf, &val, &src, &origin);
            json_t *o = json_object();
            if (k->type == CK_PATHLIST) {
                json_t *a = json_array();
                for (size_t r = 0; r < conf->alfresco.n_extra_roots; r++)
                    json_array_append_new(a, json_string(conf->alfresco.extra_roots[r]));
                json_object_set_new(o, "value", a);
            } else {
                json_object_set_new(o, "value", val ? json_string(val) : json_null());
            }
            json_object_set_new(o, "source",
                                src == SRC_UNSET ? json_null() : json_string(conf_source_name(src)));
            if (origin)
                json_object_set_new(o, "origin", json_string(origin));
            json_object_set_new(grp, k->name, o);
        }
        if (strcmp(g->name, "database") == 0)
            json_object_set_new(grp, "password",
                                json_string(secret_state(conf->db.password, conf->db.password_src,
                                                         conf->db.password_file.val)));
        json_object_set_new(settings, g->name, grp);
    }
    json_object_set_new(root, "settings", settings);
    json_t *w = json_array();
    for (size_t i = 0; i < conf->n_warnings; i++)
        json_array_append_new(w, json_string(conf->warnings[i]));
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
