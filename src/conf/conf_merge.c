/* The merge: every setting alfwipe.conf leaves unset comes from alfresco-global.properties,
 * else from Alfresco's (or alfwipe's) default, and remembers which. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alfwipe/conf.h"
#include "alfwipe/jdbc.h"
#include "alfwipe/props.h"
#include "alfwipe/redact.h"
#include "alfwipe/timeutil.h"
#include "alfwipe/xalloc.h"
#include "conf_int.h"

#define ALFRESCO_DEFAULT "Alfresco default"
#define ALFWIPE_DEFAULT "alfwipe default"

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

char *conf_props_origin(const struct conf *conf, const char *key)
{
    if (!conf->props)
        return xasprintf("alfresco-global.properties (%s)", key);
    return xasprintf("%s:%d (%s)", base_name(conf->props->path), props_line(conf->props, key),
                     key);
}

static const char *pget(const struct conf *conf, const char *key)
{
    return conf->props ? props_get(conf->props, key) : NULL;
}

static const char *origin_or_source(const struct conf_str *s)
{
    return s->origin ? s->origin : conf_source_name(s->src);
}

/* Java keeps trailing blanks as part of a property value; a path or URL ending in one is
 * almost always a typing slip that Alfresco would take literally. */
static void warn_trailing_blank(struct conf *conf, const char *key)
{
    const char *v = pget(conf, key);
    size_t n = v ? strlen(v) : 0;
    if (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        conf_warn(conf, "'%s' in '%s' line %d ends with whitespace, which Java keeps as part of "
                        "the value",
                  key, conf->props->path, props_line(conf->props, key));
}

/* A NUL character (from \u0000 or a NUL byte) in the value alfwipe would read for key: Java
 * keeps it, but the C string alfwipe holds ends there, so the value would be read cut short
 * (dir.root=/srv/\u0000x as /srv/). nul: the entry whose value holds it, key's own or one its
 * placeholders name (props_nul, props_expand); NULL: nothing to refuse. conf_key names the
 * alfwipe.conf setting that replaces the property (NULL: none does). */
static int nul_refused(const struct conf *conf, const char *key, const struct props_entry *nul,
                       const char *conf_key, struct err *err)
{
    if (!nul)
        return 0;
    const char *path = conf->props->path;
    int line = props_line(conf->props, key);
    if (nul == props_find(conf->props, key))
        err_set(err, ERR_CONFIG, "'%s' in '%s' line %d holds a NUL character (\\u0000): "
                                 "alfwipe would read its value cut short", key, path, line);
    else
        err_set(err, ERR_CONFIG, "'%s' in '%s' line %d takes a NUL character (\\u0000) from "
                                 "'%s' (line %d): alfwipe would read its value cut short",
                key, path, line, nul->key, nul->line);
    if (!conf_key)
        return err_hint(err, "Remove the \\u0000 escape (or NUL byte) from line %d of that "
                             "file.", nul->line);
    return err_hint(err, "Remove the \\u0000 escape (or NUL byte) from line %d of that file, "
                         "or set %s in alfwipe.conf.", nul->line, conf_key);
}

/* A ${...} placeholder left in the expanded value of a key alfwipe uses: Alfresco would take
 * the text literally (or not start), so alfwipe cannot know what is meant. conf_key names the
 * alfwipe.conf setting that replaces the property. */
static int placeholder_left(const struct conf *conf, const char *key, const char *value,
                            const char *conf_key, struct err *err)
{
    const char *p = value ? strstr(value, "${") : NULL;
    if (!p)
        return 0;
    size_t n = 2, nest = 0;
    for (; p[n]; n++) {
        if (p[n] == '$' && p[n + 1] == '{') {
            nest++;
            n++;
        } else if (p[n] == '}' && nest-- == 0) {
            n++;
            break;
        }
    }
    err_set(err, ERR_CONFIG, "'%s' in '%s' line %d holds the unresolved placeholder '%.*s'",
            key, conf->props->path, props_line(conf->props, key), (int)n, p);
    return err_hint(err, "Define the property the placeholder names in that file, or set %s "
                         "in alfwipe.conf (a value Alfresco takes from a JVM -D option or the "
                         "environment is invisible to alfwipe).", conf_key);
}

/* The value alfwipe reads for key (value: expanded, NULL when the file lacks key) as the
 * file's own expansion gives it: no NUL in it, no placeholder left. */
static int unresolved(const struct conf *conf, const char *key, const char *value,
                      const char *conf_key, struct err *err)
{
    if (!value)
        return 0;
    if (nul_refused(conf, key, props_nul(conf->props, key), conf_key, err) != 0)
        return -1;
    return placeholder_left(conf, key, value, conf_key, err);
}

/* --- content roots --------------------------------------------------------------------- */

static int merge_store(struct conf *conf, struct conf_str *dst, const char *key,
                       const char *suffix, struct err *err)
{
    if (dst->src != SRC_UNSET)
        return 0;
    struct conf_alfresco *a = &conf->alfresco;
    const struct props_entry *e = conf->props ? props_find(conf->props, key) : NULL;
    if (e) {
        /* alfresco.dir_root in alfwipe.conf stands for Alfresco's dir.root as seen from this
         * machine, so it replaces dir.root wherever the property refers to it */
        const char *ov[] = {"dir.root", a->dir_root.val, NULL};
        bool override = a->dir_root.src == SRC_CONFIG;
        char *v = NULL;
        const struct props_entry *nul = NULL;
        const char *conf_key = strcmp(key, "dir.contentstore") == 0
                                   ? "alfresco.contentstore"
                                   : "alfresco.contentstore_deleted";
        if (props_expand(conf->props, e->raw, override ? ov : NULL, &v, &nul, err) != 0)
            return -1;
        /* the expansion with alfwipe.conf's dir.root decides: not the file's own dir.root */
        if (nul_refused(conf, key, e->raw_nul ? e : nul, conf_key, err) != 0 ||
            placeholder_left(conf, key, v, conf_key, err) != 0) {
            free(v);
            return -1;
        }
        char *origin = conf_props_origin(conf, key);
        if (override && e->value && strcmp(v, e->value) != 0) {
            char *o2 = xasprintf("%s, with dir.root from %s", origin, a->dir_root.origin);
            free(origin);
            origin = o2;
        }
        if (!*v) {
            err_set(err, ERR_CONFIG, "'%s' is empty in '%s' line %d", key, conf->props->path,
                    e->line);
            err_hint(err, "Set alfresco.%s in alfwipe.conf to the path of the store.",
                     strcmp(key, "dir.contentstore") == 0 ? "contentstore"
                                                          : "contentstore_deleted");
            free(v);
            free(origin);
            return -1;
        }
        conf_str_set(dst, v, SRC_PROPERTIES, origin);
        free(v);
        warn_trailing_blank(conf, key);
        return 0;
    }
    char *v = xasprintf("%s/%s", a->dir_root.val, suffix);
    char *origin;
    if (a->dir_root.src == SRC_DEFAULT)
        origin = xasprintf(ALFRESCO_DEFAULT " (${dir.root}/%s, dir.root=./alf_data)", suffix);
    else
        origin = xasprintf("${dir.root}/%s, dir.root from %s", suffix,
                           origin_or_source(&a->dir_root));
    conf_str_set(dst, v, a->dir_root.src, origin);
    free(v);
    return 0;
}

/* A relative path someone configured. Alfresco's own default (./alf_data) draws no warning:
 * it is nobody's setting, most commands (purge, verify --certificate) never use the roots, and
 * those that do name the root and where it came from when it is not there. */
static void warn_relative(struct conf *conf, const char *name, const struct conf_str *s)
{
    if (!s->val || s->val[0] == '/' || s->src == SRC_DEFAULT)
        return;
    conf_warn(conf,
              "%s '%s' (%s) is a relative path: Alfresco resolves it against the working "
              "directory of its JVM, which alfwipe cannot know; set alfresco.dir_root or "
              "alfresco.%s in alfwipe.conf",
              name, s->val, origin_or_source(s), name);
}

static int merge_alfresco(struct conf *conf, struct err *err)
{
    struct conf_alfresco *a = &conf->alfresco;
    if (a->dir_root.src == SRC_UNSET) {
        const char *v = pget(conf, "dir.root");
        if (v && unresolved(conf, "dir.root", v, "alfresco.dir_root", err) != 0)
            return -1;
        if (v) {
            conf_str_set(&a->dir_root, v, SRC_PROPERTIES, conf_props_origin(conf, "dir.root"));
            warn_trailing_blank(conf, "dir.root");
        } else {
            conf_str_set(&a->dir_root, props_default("dir.root"), SRC_DEFAULT,
                         xstrdup(ALFRESCO_DEFAULT " (dir.root=./alf_data)"));
        }
    }
    if (merge_store(conf, &a->contentstore, "dir.contentstore", "contentstore", err) != 0 ||
        merge_store(conf, &a->contentstore_deleted, "dir.contentstore.deleted",
                    "contentstore.deleted", err) != 0)
        return -1;
    warn_relative(conf, "contentstore", &a->contentstore);
    warn_relative(conf, "contentstore_deleted", &a->contentstore_deleted);
    return 0;
}

/* --- policy ---------------------------------------------------------------------------- */

/* Spring converts numbers after trimming whitespace. */
static int parse_long_trimmed(const char *s, int64_t *out)
{
    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return -1;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s)
        return -1;
    while (isspace((unsigned char)*end))
        end++;
    if (*end)
        return -1;
    *out = v;
    return 0;
}

/* Spring's boolean conversion: true/false, on/off, yes/no, 1/0, any case, trimmed. */
static int parse_bool_spring(const char *s, bool *out)
{
    char buf[16];
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    static const char *const yes[] = {"true", "on", "yes", "1"};
    static const char *const no[] = {"false", "off", "no", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(buf, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(buf, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return -1;
}

/* A property alfwipe.conf overrides is only a warning when invalid; otherwise an error. */
static int bad_property(struct conf *conf, bool overridden, const char *key, const char *value,
                        const char *problem, const char *conf_key, const char *hint,
                        struct err *err)
{
    if (overridden) {
        conf_warn(conf, "ignoring %s '%s' in '%s' line %d: %s; %s from alfwipe.conf applies",
                  key, value, conf->props->path, props_line(conf->props, key), problem,
                  conf_key);
        return 0;
    }
    err_set(err, ERR_CONFIG, "%s '%s' in '%s' line %d is %s", key, value, conf->props->path,
            props_line(conf->props, key), problem);
    return err_hint(err, "%s", hint);
}

static int merge_policy(struct conf *conf, struct err *err)
{
    struct conf_policy *p = &conf->policy;
    const char *key = "system.content.orphanProtectDays";
    const char *v = pget(conf, key);
    int64_t n;
    bool set = p->orphan_protect_days.src != SRC_UNSET;
    if (!set && unresolved(conf, key, v, "policy.orphan_protect_days", err) != 0)
        return -1;
    if (v) {
        if (parse_long_trimmed(v, &n) != 0 || n < 0 || n > 36500) {
            if (bad_property(conf, set, key, v, "not a whole number of days from 0 to 36500",
                             "policy.orphan_protect_days",
                             "Fix it in alfresco-global.properties, or set "
                             "policy.orphan_protect_days in alfwipe.conf.",
                             err) != 0)
                return -1;
        } else if (!set) {
            conf_int_set(&p->orphan_protect_days, n, SRC_PROPERTIES,
                         conf_props_origin(conf, key));
        }
    }
    if (p->orphan_protect_days.src == SRC_UNSET)
        conf_int_set(&p->orphan_protect_days, 14, SRC_DEFAULT,
                     xstrdup(ALFRESCO_DEFAULT " (" "system.content.orphanProtectDays=14)"));

    key = "system.content.eagerOrphanCleanup";
    v = pget(conf, key);
    set = p->eager_orphan_cleanup.src != SRC_UNSET;
    if (!set && unresolved(conf, key, v, "policy.eager_orphan_cleanup", err) != 0)
        return -1;
    bool b;
    if (v) {
        if (parse_bool_spring(v, &b) != 0) {
            if (bad_property(conf, set, key, v, "not a boolean", "policy.eager_orphan_cleanup",
                             "Set it to true or false in alfresco-global.properties, or set "
                             "policy.eager_orphan_cleanup in alfwipe.conf.",
                             err) != 0)
                return -1;
        } else if (!set) {
            conf_bool_set(&p->eager_orphan_cleanup, b, SRC_PROPERTIES,
                          conf_props_origin(conf, key));
        }
    }
    if (p->eager_orphan_cleanup.src == SRC_UNSET)
        conf_bool_set(&p->eager_orphan_cleanup, false, SRC_DEFAULT,
                      xstrdup(ALFRESCO_DEFAULT " (system.content.eagerOrphanCleanup=false)"));

    key = "trashcan-cleaner.keepPeriod";
    v = pget(conf, key);
    set = p->trashcan_keep_ms.src != SRC_UNSET;
    if (!set && unresolved(conf, key, v, "policy.trashcan_keep_days", err) != 0)
        return -1;
    int64_t ms;
    if (v) {
        if (duration_parse_java(v, &ms) != 0) {
            if (bad_property(conf, set, key, v,
                             "not a valid java.time.Duration (Alfresco would not start with it)",
                             "policy.trashcan_keep_days",
                             "Write the period in days, hours, minutes or seconds, e.g. P30D "
                             "for 30 days (P1M is not a month; PT1M is one minute), or set "
                             "policy.trashcan_keep_days in alfwipe.conf.",
                             err) != 0)
                return -1;
        } else if (!set) {
            conf_int_set(&p->trashcan_keep_ms, ms, SRC_PROPERTIES,
                         conf_props_origin(conf, key));
            if (ms <= 0)
                conf_warn(conf, "%s '%s' (%s) is zero or negative: the trashcan cleaner, when "
                                "it runs, purges every item",
                          key, v, p->trashcan_keep_ms.origin);
            else if (ms < MS_PER_DAY)
                conf_warn(conf, "%s '%s' (%s) is shorter than a day: the trashcan cleaner, "
                                "when it runs, purges items older than %lld minute(s)",
                          key, v, p->trashcan_keep_ms.origin, (long long)(ms / MS_PER_MINUTE));
        }
    } else if (pget(conf, "trashcan.daysToKeep")) {
        conf_warn(conf, "'trashcan.daysToKeep' in '%s' line %d belongs to the old trashcan "
                        "cleaner; the bundled module reads trashcan-cleaner.keepPeriod",
                  conf->props->path, props_line(conf->props, "trashcan.daysToKeep"));
    }
    if (p->trashcan_keep_ms.src == SRC_UNSET)
        conf_int_set(&p->trashcan_keep_ms, 28 * MS_PER_DAY, SRC_DEFAULT,
                     xstrdup(ALFRESCO_DEFAULT " (trashcan-cleaner.keepPeriod=P28D)"));

    if (p->in_flight_grace_minutes.src == SRC_UNSET)
        conf_int_set(&p->in_flight_grace_minutes, 60, SRC_DEFAULT, xstrdup(ALFWIPE_DEFAULT));
    if (p->cleaner_slack_days.src == SRC_UNSET)
        conf_int_set(&p->cleaner_slack_days, 1, SRC_DEFAULT, xstrdup(ALFWIPE_DEFAULT));
    return 0;
}

/* --- database -------------------------------------------------------------------------- */

static const char *engine_name(enum db_type t)
{
    return t == DB_PG ? "postgresql" : t == DB_MYSQL ? "mysql" : "none";
}

/* db.url parameters alfwipe does not apply (jdbc.h): each is refused unless alfwipe.conf
 * gives the setting that replaces it. */
static int unapplied_refused(const struct conf *conf, const struct conf_db *d,
                             const struct jdbc_url *ju, const struct props_entry *ue,
                             struct err *err)
{
    for (size_t i = 0; i < ju->n_unapplied; i++) {
        const struct jdbc_unapplied *x = &ju->unapplied[i];
        bool given = false;
        switch (x->by) {
        case JDBC_BY_SCHEMA:
            given = d->schema.src == SRC_CONFIG;
            break;
        case JDBC_BY_ENDPOINT:
            given = d->socket.src == SRC_CONFIG || d->host.src == SRC_CONFIG;
            break;
        case JDBC_BY_SSLMODE:
            given = d->sslmode.src == SRC_CONFIG;
            break;
        }
        if (given)
            continue;
        *err = x->err;
        if (ue)
            err_prefix(err, "'%s' line %d", conf->props->path, ue->line);
        return -1;
    }
    return 0;
}

static int merge_db(struct conf *conf, bool has_db_group, struct err *err)
{
    struct conf_db *d = &conf->db;
    d->configured = has_db_group;
    const struct props_entry *ue = conf->props ? props_find(conf->props, "db.url") : NULL;
    char *url = NULL, *uorigin = NULL;
    enum conf_source usrc;
    if (!ue && !has_db_group)
        return 0; /* no database: nothing to show as if it were one (check, report agree) */
    if (ue) {
        url = xstrdup(ue->value);
        usrc = SRC_PROPERTIES;
        uorigin = conf_props_origin(conf, "db.url");
        d->configured = true;
        warn_trailing_blank(conf, "db.url");
    } else {
        if (props_expand(conf->props, props_default("db.url"), NULL, &url, NULL, err) != 0)
            return -1;
        usrc = SRC_DEFAULT;
        uorigin = xstrdup(ALFRESCO_DEFAULT " (db.url=jdbc:mysql:///${db.name})");
    }
    int ret = -1;
    struct jdbc_url ju = {0};
    struct err jerr = ERR_INIT;
    bool use_url = false;
    if (ue && ue->nul) {
        nul_refused(conf, "db.url", ue->nul, "the database group (type, host, port, name)",
                    &jerr);
    } else if (jdbc_parse(url, &ju, &jerr) == 0) {
        use_url = true;
    } else if (!has_db_group || (ue && d->type_src == SRC_UNSET)) {
        /* Without database.type alfwipe.conf does not say which server either: db.url's own
         * problem is the cause to report, not the missing type. */
        *err = jerr;
        if (ue)
            err_prefix(err, "'%s' line %d", conf->props->path, ue->line);
        /* jdbc_parse's own hint says how to fix this URL; keep it. */
        if (!err->hint[0])
            err_hint(err, "alfwipe needs an Alfresco on PostgreSQL, MySQL or MariaDB; if "
                          "db.url is overridden elsewhere (JVM -D options, JNDI), set the "
                          "database group in alfwipe.conf.");
        goto out;
    }
    if (!use_url && (!has_db_group || (ue && d->type_src == SRC_UNSET))) {
        *err = jerr; /* the NUL in db.url */
        goto out;
    }
    if (!use_url)
        conf_warn(conf, "ignoring db.url (%s) because alfwipe.conf has a database group: %s",
                  uorigin, jerr.msg);
    if (use_url && unapplied_refused(conf, d, &ju, ue, err) != 0)
        goto out;
    if (d->type_src == SRC_UNSET) {
        if (!use_url) {
            err_set(err, ERR_CONFIG, "database.type is not set%s%s%s",
                    conf->path ? " in '" : "", conf->path ? conf->path : "",
                    conf->path ? "'" : "");
            err_hint(err, "Add type = \"postgresql\" or type = \"mysql\" to the database group "
                          "of alfwipe.conf.");
            goto out;
        }
        d->type = ju.type;
        d->type_src = usrc;
        d->type_origin = xstrdup(uorigin);
    }
    if (d->socket.src == SRC_UNSET && d->host.src == SRC_UNSET && use_url && ju.socket &&
        d->type == DB_MYSQL)
        conf_str_set(&d->socket, ju.socket, usrc, xstrdup(uorigin));
    if (d->host.src == SRC_UNSET && !(d->socket.src != SRC_UNSET)) {
        if (use_url && ju.host)
            conf_str_set(&d->host, ju.host, usrc, xstrdup(uorigin));
        else if (use_url)
            conf_str_set(&d->host, "localhost", usrc,
                         xasprintf("%s; no host in db.url means localhost", uorigin));
        else
            conf_str_set(&d->host, "localhost", SRC_DEFAULT, xstrdup(ALFRESCO_DEFAULT));
    }
    if (d->port.src == SRC_UNSET) {
        if (use_url && ju.port)
            conf_int_set(&d->port, ju.port, usrc, xstrdup(uorigin));
        else
            conf_int_set(&d->port, d->type == DB_PG ? 5432 : 3306, SRC_DEFAULT,
                         xasprintf("%s default port", engine_name(d->type)));
    }
    if (d->name.src == SRC_UNSET) {
        const char *pn = pget(conf, "db.name");
        if (!use_url && unresolved(conf, "db.name", pn, "database.name", err) != 0)
            goto out;
        if (use_url)
            conf_str_set(&d->name, ju.dbname, usrc, xstrdup(uorigin));
        else if (pn && *pn)
            conf_str_set(&d->name, pn, SRC_PROPERTIES, conf_props_origin(conf, "db.name"));
        else
            conf_str_set(&d->name, "alfresco", SRC_DEFAULT,
                         xstrdup(ALFRESCO_DEFAULT " (db.name=alfresco)"));
    }
    if (d->user.src == SRC_UNSET) {
        const char *pu = pget(conf, "db.username");
        if (unresolved(conf, "db.username", pu, "database.user", err) != 0)
            goto out;
        const char *eff = pu && *pu ? pu : "alfresco";
        if (use_url && ju.user && *ju.user && d->type == DB_MYSQL && strcmp(ju.user, eff)) {
            /* Connector/J and the MariaDB driver do not agree on which of the two wins. */
            err_set(err, ERR_CONFIG, "db.url in '%s' line %d sets user=%s but db.username is "
                                     "'%s'", conf->props->path, ue->line, ju.user, eff);
            err_hint(err, "Set database.user in alfwipe.conf to the user Alfresco connects as "
                          "(MySQL and MariaDB drivers differ on which of the two they use).");
            goto out;
        }
        if (use_url && ju.user && *ju.user)
            /* the PostgreSQL driver takes URL parameters before the connection properties
             * (db.username) */
            conf_str_set(&d->user, ju.user, usrc, xasprintf("%s, user=", uorigin));
        else if (pu && *pu)
            conf_str_set(&d->user, pu, SRC_PROPERTIES, conf_props_origin(conf, "db.username"));
        else
            conf_str_set(&d->user, "alfresco", SRC_DEFAULT,
                         xstrdup(ALFRESCO_DEFAULT " (db.username=alfresco)"));
    }
    if (use_url && ju.password && *ju.password) {
        /* the password the drivers send; conf_load_db_password decides whether it is used */
        d->url_password = ju.password;
        ju.password = NULL;
        d->url_password_origin = xasprintf("password= in db.url in '%s' line %d",
                                           conf->props->path, ue->line);
    }
    if (d->sslmode.src == SRC_UNSET && use_url && ju.sslmode)
        conf_str_set(&d->sslmode, ju.sslmode, usrc, xstrdup(uorigin));
    if (d->sslrootcert.src == SRC_UNSET && use_url && ju.sslrootcert)
        conf_str_set(&d->sslrootcert, ju.sslrootcert, usrc, xstrdup(uorigin));
    if (d->schema.src == SRC_UNSET) {
        const char *ps = pget(conf, "db.schema.name");
        if (unresolved(conf, "db.schema.name", ps, "database.schema", err) != 0)
            goto out;
        if (use_url && ju.schema && ps && *ps && strcmp(ps, ju.schema) != 0) {
            err_set(err, ERR_CONFIG, "db.url in '%s' line %d sets currentSchema=%s but "
                                     "db.schema.name (line %d) is '%s'", conf->props->path,
                    ue->line, ju.schema, props_line(conf->props, "db.schema.name"), ps);
            err_hint(err, "Make them name the same schema, or set database.schema in "
                          "alfwipe.conf to the schema that holds the alf_ tables.");
            goto out;
        }
        if (use_url && ju.schema)
            conf_str_set(&d->schema, ju.schema, usrc, xasprintf("%s, currentSchema=", uorigin));
        else if (ps && *ps)
            conf_str_set(&d->schema, ps, SRC_PROPERTIES,
                         conf_props_origin(conf, "db.schema.name"));
    }
    ret = 0;
out:
    jdbc_url_release(&ju);
    free(url);
    free(uorigin);
    return ret;
}

/* --- wipe and api ---------------------------------------------------------------------- */

static void default_str(struct conf_str *s, const char *v)
{
    if (s->src == SRC_UNSET)
        conf_str_set(s, v, SRC_DEFAULT, xstrdup(ALFWIPE_DEFAULT));
}

static void default_int(struct conf_int *s, int64_t v)
{
    if (s->src == SRC_UNSET)
        conf_int_set(s, v, SRC_DEFAULT, xstrdup(ALFWIPE_DEFAULT));
}

static void merge_wipe_api(struct conf *conf)
{
    struct conf_wipe *w = &conf->wipe;
    default_str(&w->method, "nist-clear");
    default_str(&w->verify, "last");
    default_int(&w->min_age_days, 7);
    default_str(&w->lock_file, "/run/alfwipe/wipe.lock");
    default_str(&w->state_dir, "/var/lib/alfwipe");
    default_str(&w->certificate, "/var/lib/alfwipe/certificate.jsonl");
    if (w->final_zero.src == SRC_UNSET)
        conf_bool_set(&w->final_zero, false, SRC_DEFAULT, xstrdup(ALFWIPE_DEFAULT));

    struct conf_api *a = &conf->api;
    default_int(&a->timeout_seconds, 30);
    default_int(&a->max_per_run, 0);
    a->configured = a->url.src != SRC_UNSET;
}

/* Every key of alfresco-global.properties that alfwipe reads. */
static const char *const keys_read[] = {
    "dir.root", "dir.contentstore", "dir.contentstore.deleted", "db.url", "db.username",
    "db.password", "db.name", "db.schema.name", "system.content.orphanProtectDays",
    "system.content.eagerOrphanCleanup", "trashcan-cleaner.keepPeriod", "trashcan.daysToKeep",
    "system.content.orphanCleanup.cronExpression", "rm.content.cleansing.enabled", NULL,
};

/* NULs that the merge below does not meet: a key alfwipe reads followed by a NUL (Java reads
 * 'db.url\u0000' as another key, so what was meant is anybody's guess), and the values that
 * verify and purge read straight from the file. */
static int nul_elsewhere(const struct conf *conf, struct err *err)
{
    const struct props_entry *e = props_nul_key(conf->props, keys_read);
    if (e) {
        err_set(err, ERR_CONFIG, "the key '%s\\u0000...' in '%s' line %d holds a NUL character, "
                                 "which makes it a key other than '%s'", e->key,
                conf->props->path, e->line, e->key);
        return err_hint(err, "Remove the \\u0000 escape (or NUL byte) from the key on line %d.",
                        e->line);
    }
    if (nul_refused(conf, "system.content.orphanCleanup.cronExpression",
                    props_nul(conf->props, "system.content.orphanCleanup.cronExpression"),
                    NULL, err) != 0)
        return -1;
    return nul_refused(conf, "rm.content.cleansing.enabled",
                       props_nul(conf->props, "rm.content.cleansing.enabled"),
                       NULL, err);
}

int conf_merge(struct conf *conf, bool has_db_group, struct err *err)
{
    if (conf->props && nul_elsewhere(conf, err) != 0)
        return -1;
    if (merge_alfresco(conf, err) != 0 || merge_policy(conf, err) != 0 ||
        merge_db(conf, has_db_group, err) != 0)
        return -1;
    merge_wipe_api(conf);
    return 0;
}
