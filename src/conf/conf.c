/* alfwipe.conf through libconfig: every group and key checked against one table, errors with
 * file and line; then the merge with alfresco-global.properties (conf_merge.c). */
#include "alfwipe/conf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alfwipe/props.h"
#include "alfwipe/redact.h"
#include "alfwipe/timeutil.h"
#include "alfwipe/wipe.h"
#include "alfwipe/xalloc.h"
#include "conf_int.h"

#define DEFAULT_CONF_PATH "/etc/alfwipe/alfwipe.conf"
#define MAX_DAYS 36500

#define OFF(member) offsetof(struct conf, member)

static const char *const sslmodes[] = {"disable", "allow",     "prefer",     "require",
                                       "verify-ca", "verify-full", NULL};
static const char *const verify_modes[] = {"off", "last", "all", NULL};

static const struct conf_key alfresco_keys[] = {
    {"global_properties", CK_PATH, OFF(alfresco.global_properties), 0, 0, NULL},
    {"dir_root", CK_PATH, OFF(alfresco.dir_root), 0, 0, NULL},
    {"contentstore", CK_PATH, OFF(alfresco.contentstore), 0, 0, NULL},
    {"contentstore_deleted", CK_PATH, OFF(alfresco.contentstore_deleted), 0, 0, NULL},
    {"extra_roots", CK_PATHLIST, 0, 0, 0, NULL},
};

static const struct conf_key database_keys[] = {
    {"type", CK_DBTYPE, 0, 0, 0, NULL},
    {"host", CK_STR, OFF(db.host), 0, 0, NULL},
    {"port", CK_INT, OFF(db.port), 1, 65535, NULL},
    {"name", CK_STR, OFF(db.name), 0, 0, NULL},
    {"user", CK_STR, OFF(db.user), 0, 0, NULL},
    {"password_file", CK_PATH, OFF(db.password_file), 0, 0, NULL},
    {"socket", CK_PATH, OFF(db.socket), 0, 0, NULL},
    {"sslmode", CK_CHOICE, OFF(db.sslmode), 0, 0, sslmodes},
    {"sslrootcert", CK_PATH, OFF(db.sslrootcert), 0, 0, NULL},
    {"schema", CK_STR, OFF(db.schema), 0, 0, NULL},
};

static const struct conf_key policy_keys[] = {
    {"orphan_protect_days", CK_INT, OFF(policy.orphan_protect_days), 0, MAX_DAYS, NULL},
    {"eager_orphan_cleanup", CK_BOOL, OFF(policy.eager_orphan_cleanup), 0, 0, NULL},
    {"trashcan_keep_days", CK_KEEP, OFF(policy.trashcan_keep_ms), 0, MAX_DAYS, NULL},
    {"in_flight_grace_minutes", CK_INT, OFF(policy.in_flight_grace_minutes), 0,
     MAX_DAYS * 1440, NULL},
    {"cleaner_slack_days", CK_INT, OFF(policy.cleaner_slack_days), 0, MAX_DAYS, NULL},
};

static const struct conf_key wipe_keys[] = {
    {"method", CK_NAME, OFF(wipe.method), 0, 0, NULL},
    {"verify", CK_CHOICE, OFF(wipe.verify), 0, 0, verify_modes},
    {"min_age_days", CK_INT, OFF(wipe.min_age_days), 0, MAX_DAYS, NULL},
    {"lock_file", CK_PATH, OFF(wipe.lock_file), 0, 0, NULL},
    {"state_dir", CK_PATH, OFF(wipe.state_dir), 0, 0, NULL},
    {"certificate", CK_PATH, OFF(wipe.certificate), 0, 0, NULL},
    {"hmac_key_file", CK_PATH, OFF(wipe.hmac_key_file), 0, 0, NULL},
    {"operator", CK_STR, OFF(wipe.operator_name), 0, 0, NULL},
    {"final_zero", CK_BOOL, OFF(wipe.final_zero), 0, 0, NULL},
};

static const struct conf_key api_keys[] = {
    {"url", CK_URL, OFF(api.url), 0, 0, NULL},
    {"user", CK_STR, OFF(api.user), 0, 0, NULL},
    {"password_file", CK_PATH, OFF(api.password_file), 0, 0, NULL},
    {"ca_file", CK_PATH, OFF(api.ca_file), 0, 0, NULL},
    {"timeout_seconds", CK_INT, OFF(api.timeout_seconds), 1, 3600, NULL},
    {"max_per_run", CK_INT, OFF(api.max_per_run), 0, 1000000000, NULL},
};

/* Index of the database group in conf_groups, whose presence matters to the merge. */
#define GROUP_DATABASE 1
#define GROUP(name, keys) {name, keys, sizeof keys / sizeof keys[0]}
const struct conf_group conf_groups[] = {
    GROUP("alfresco", alfresco_keys), GROUP("database", database_keys),
    GROUP("policy", policy_keys),     GROUP("wipe", wipe_keys),
    GROUP("api", api_keys),
};
const size_t conf_ngroups = sizeof conf_groups / sizeof conf_groups[0];

int conf_root_unusable(struct err *err, int e, const char *key, const char *path,
                       const char *origin, const char *also)
{
    if (origin)
        err_sys(err, ERR_CONFIG, e, "content root '%s' ('%s', from %s) is not usable", key, path,
                origin);
    else
        err_sys(err, ERR_CONFIG, e, "content root '%s' ('%s') is not usable", key, path);
    const char *sep = also ? " " : "", *tail = also ? also : "";
    if (e == ENOTDIR)
        return err_hint(err, "Point alfresco.%s at the content store directory itself, not at "
                             "a file.%s%s", key, sep, tail);
    if (e == EACCES)
        return err_hint(err, "Run alfwipe as a user that can read '%s' and every directory "
                             "below it.%s%s", path, sep, tail);
    return err_hint(err, "Check that the volume is mounted and that alfwipe.conf names the path "
                         "as seen from this machine (containers often use other paths).%s%s",
                    sep, tail);
}

int conf_root_relative(struct err *err, const char *key, const char *path, const char *origin)
{
    err_set(err, ERR_CONFIG, "content root '%s' ('%s'%s%s) is a relative path: what it names "
            "would depend on the directory alfwipe is started from", key, path,
            origin ? ", from " : "", origin ? origin : "");
    return err_hint(err, "Set alfresco.dir_root (or alfresco.%s) in alfwipe.conf to the "
                         "absolute path of Alfresco's data directory as seen from this machine.",
                    key);
}

const char *conf_source_name(enum conf_source src)
{
    switch (src) {
    case SRC_UNSET:
        return "not set";
    case SRC_DEFAULT:
        return "default";
    case SRC_PROPERTIES:
        return "alfresco-global.properties";
    case SRC_CONFIG:
        return "alfwipe.conf";
    case SRC_ENV:
        return "environment";
    case SRC_CMDLINE:
        return "command line";
    }
    return "unknown";
}

void conf_str_set(struct conf_str *s, const char *val, enum conf_source src, char *origin)
{
    free(s->val);
    free(s->origin);
    s->val = val ? xstrdup(val) : NULL;
    s->src = src;
    s->origin = origin;
}

void conf_int_set(struct conf_int *s, int64_t val, enum conf_source src, char *origin)
{
    free(s->origin);
    s->val = val;
    s->src = src;
    s->origin = origin;
}

void conf_bool_set(struct conf_bool *s, bool val, enum conf_source src, char *origin)
{
    free(s->origin);
    s->val = val;
    s->src = src;
    s->origin = origin;
}

void conf_warn(struct conf *conf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    if (!s)
        return;
    conf->warnings = xrealloc(conf->warnings, (conf->n_warnings + 1) * sizeof *conf->warnings);
    conf->warnings[conf->n_warnings++] = s;
}

/* --- reading alfwipe.conf --------------------------------------------------------------- */

struct reader {
    struct conf *conf;
    const char *path;
    struct err *err;
};

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static const char *setting_file(const struct reader *r, const config_setting_t *s)
{
    const char *f = config_setting_source_file(s);
    return f ? f : r->path;
}

static char *origin_of(const struct reader *r, const config_setting_t *s)
{
    return xasprintf("%s:%d", base_name(setting_file(r, s)),
                     (int)config_setting_source_line(s));
}

/* Edit distance, for "did you mean". Short strings only. */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 99;
    size_t d[64][64];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            size_t m = sub < del ? sub : del;
            d[i][j] = m < ins ? m : ins;
        }
    return d[la][lb];
}

static int unknown_key(struct reader *r, const struct conf_group *g, const config_setting_t *s)
{
    const char *name = config_setting_name(s);
    err_set(r->err, ERR_CONFIG, "unknown setting '%s.%s' in '%s' line %d", g->name,
            name ? name : "?", setting_file(r, s), (int)config_setting_source_line(s));
    char list[ERR_MSG_MAX / 2] = "";
    size_t n = 0;
    const char *best = NULL;
    size_t best_d = 4;
    for (size_t i = 0; i < g->n; i++) {
        int w = snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "", g->keys[i].name);
        if (w > 0 && (size_t)w < sizeof list - n)
            n += (size_t)w;
        size_t dd = name ? distance(name, g->keys[i].name) : 99;
        if (dd < best_d) {
            best_d = dd;
            best = g->keys[i].name;
        }
    }
    if (best)
        return err_hint(r->err, "Did you mean '%s'? The valid keys of group '%s' are: %s.", best,
                        g->name, list);
    return err_hint(r->err, "Use one of the valid keys of group '%s': %s.", g->name, list);
}

static int bad_value(struct reader *r, const struct conf_group *g, const struct conf_key *k,
                     const config_setting_t *s, const char *what, const char *hint)
{
    err_set(r->err, ERR_CONFIG, "invalid '%s.%s' in '%s' line %d: %s", g->name, k->name,
            setting_file(r, s), (int)config_setting_source_line(s), what);
    return err_hint(r->err, "%s", hint);
}

static int want_type(struct reader *r, const struct conf_group *g, const struct conf_key *k,
                     const config_setting_t *s, int type, const char *example,
                     const char *note)
{
    int t = config_setting_type(s);
    if (t == type || (type == CONFIG_TYPE_INT && t == CONFIG_TYPE_INT64))
        return 0;
    static const char *const names[] = {"nothing", "a group",  "an integer", "an integer",
                                        "a number", "a string", "a boolean", "an array",
                                        "a list"};
    char what[64];
    snprintf(what, sizeof what, "expected %s, found %s", names[type],
             t >= 0 && t <= CONFIG_TYPE_LIST ? names[t] : "something else");
    char hint[256];
    snprintf(hint, sizeof hint, "Write it as %s = %s;%s%s", k->name, example, note ? " " : "",
             note ? note : "");
    return bad_value(r, g, k, s, what, hint);
}

/* The integer literal of setting s as written in its file. libconfig 1.5 stores a literal
 * without the L suffix in an int and wraps larger ones silently (4294967296 becomes 0), so a
 * range check on its value can pass a number nobody wrote. The text after "name =" (or
 * "name :"), from the setting's line on, is the number as written. *wrote gets it
 * (NUL-terminated); returns 0 when it cannot be found, 1 when found, 2 when it is longer than
 * n-1 bytes (*wrote then holds its start and "..."). */
static int int_literal(const struct reader *r, const config_setting_t *s, char *wrote,
                       size_t n)
{
    const char *name = config_setting_name(s);
    int line = (int)config_setting_source_line(s);
    const char *file = setting_file(r, s);
    char *joined = NULL;
    if (file[0] != '/' && file != r->path && strcmp(file, r->path) != 0) {
        /* an @include file, named relative to the directory of alfwipe.conf */
        const char *slash = strrchr(r->path, '/');
        if (slash)
            file = joined = xasprintf("%.*s/%s", (int)(slash - r->path), r->path, file);
    }
    FILE *fp = name && line > 0 ? fopen(file, "re") : NULL;
    free(joined);
    if (!fp)
        return 0;
    char *text = NULL;
    size_t cap = 0, len = 0;
    for (;;) {
        if (len + 4096 + 1 > cap)
            text = xgrow(text, &cap, len + 4096 + 1, 1);
        size_t got = fread(text + len, 1, 4096, fp);
        len += got;
        if (got == 0)
            break;
    }
    fclose(fp);
    text[len] = '\0';
    const char *p = text;
    for (int l = 1; l < line && p; l++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    int found = 0;
    size_t nl = strlen(name);
    for (const char *q = p ? strstr(p, name) : NULL; q && !found; q = strstr(q + 1, name)) {
        if (q > text && (isalnum((unsigned char)q[-1]) || q[-1] == '_' || q[-1] == '-'))
            continue;
        const char *v = q + nl;
        while (isspace((unsigned char)*v))
            v++;
        if (*v != '=' && *v != ':')
            continue;
        v++;
        while (isspace((unsigned char)*v))
            v++;
        size_t k = *v == '-' || *v == '+';
        if (!isdigit((unsigned char)v[k]))
            continue;
        while (isalnum((unsigned char)v[k]))
            k++;
        if (k >= n) {
            snprintf(wrote, n, "%.*s...", (int)(n - 4), v);
            found = 2;
        } else {
            memcpy(wrote, v, k);
            wrote[k] = '\0';
            found = 1;
        }
    }
    free(text);
    return found;
}

/* The value of integer setting s, checked against what its file says: -1 with the number as
 * written in *wrote when it is not the number libconfig kept (out of any range). */
static int int_value(const struct reader *r, const config_setting_t *s, long long *v,
                     char *wrote, size_t n)
{
    *v = config_setting_get_int64(s);
    snprintf(wrote, n, "%lld", *v);
    char lit[64];
    int got = int_literal(r, s, lit, sizeof lit);
    if (got == 0)
        return 0;
    if (got == 2) {
        snprintf(wrote, n, "%s", lit);
        return -1; /* 64 characters and more: beyond every key's range */
    }
    char digits[64];
    size_t k = 0;
    for (const char *c = lit; *c && k + 1 < sizeof digits; c++)
        if (*c != 'L' && *c != 'l')
            digits[k++] = *c;
    digits[k] = '\0';
    const char *d = digits + (digits[0] == '-' || digits[0] == '+');
    bool hex = d[0] == '0' && (d[1] == 'x' || d[1] == 'X');
    errno = 0;
    char *end;
    long long exact = strtoll(digits, &end, hex ? 16 : 10);
    if (*end || end == digits)
        return 0; /* a form this reading does not know: keep libconfig's value */
    if (errno == ERANGE || exact != *v) {
        snprintf(wrote, n, "%s", lit);
        return -1;
    }
    return 0;
}

static int read_path_value(struct reader *r, const struct conf_group *g,
                           const struct conf_key *k, const config_setting_t *s, const char *v)
{
    if (!v || !*v)
        return bad_value(r, g, k, s, "the path is empty",
                         "Give an absolute path, or remove the line.");
    if (v[0] != '/') {
        char what[ERR_MSG_MAX / 2];
        snprintf(what, sizeof what, "'%.400s' is not an absolute path", v);
        return bad_value(r, g, k, s, what,
                         "Give the absolute path as seen from the machine alfwipe runs on.");
    }
    return 0;
}

static int read_key(struct reader *r, const struct conf_group *g, const struct conf_key *k,
                    const config_setting_t *s)
{
    struct conf *c = r->conf;
    void *field = (char *)c + k->off;
    const char *str;
    char what[ERR_MSG_MAX / 2];
    switch (k->type) {
    case CK_STR:
    case CK_PATH:
    case CK_NAME:
    case CK_URL:
    case CK_CHOICE:
        if (want_type(r, g, k, s, CONFIG_TYPE_STRING, "\"...\"", NULL) != 0)
            return -1;
        str = config_setting_get_string(s);
        if (k->type == CK_PATH && read_path_value(r, g, k, s, str) != 0)
            return -1;
        if (!str || !*str)
            return bad_value(r, g, k, s, "the value is empty",
                             "Give a value, or remove the line to use the default.");
        if (k->type == CK_NAME && !wipe_method_find(str)) {
            snprintf(what, sizeof what, "'%.400s' is not a wipe method", str);
            char hint[ERR_MSG_MAX / 2];
            snprintf(hint, sizeof hint, "Use one of: %s ('alfwipe methods' lists their passes).",
                     wipe_method_names());
            return bad_value(r, g, k, s, what, hint);
        }
        if (k->type == CK_URL && strncmp(str, "http://", 7) != 0 &&
            strncmp(str, "https://", 8) != 0) {
            char *shown = url_redact(str);
            snprintf(what, sizeof what, "'%.400s' is not an http:// or https:// URL", shown);
            free(shown);
            return bad_value(r, g, k, s, what,
                             "Give the Alfresco webapp URL, e.g. "
                             "\"https://alfresco.example.org/alfresco\".");
        }
        if (k->type == CK_CHOICE) {
            size_t i = 0;
            char list[256] = "";
            size_t n = 0;
            for (; k->choices[i]; i++) {
                if (strcmp(k->choices[i], str) == 0)
                    break;
            }
            if (!k->choices[i]) {
                for (size_t j = 0; k->choices[j]; j++) {
                    int w = snprintf(list + n, sizeof list - n, "%s%s", j ? ", " : "",
                                     k->choices[j]);
                    if (w > 0 && (size_t)w < sizeof list - n)
                        n += (size_t)w;
                }
                snprintf(what, sizeof what, "'%.200s' is not one of %s", str, list);
                char hint[400];
                snprintf(hint, sizeof hint, "Set %s to one of: %s.", k->name, list);
                return bad_value(r, g, k, s, what, hint);
            }
        }
        conf_str_set(field, str, SRC_CONFIG, origin_of(r, s));
        return 0;
    case CK_INT: {
        char note[96];
        snprintf(note, sizeof note, "N is a whole number from %lld to %lld, without quotes.",
                 (long long)k->min, (long long)k->max);
        if (want_type(r, g, k, s, CONFIG_TYPE_INT, "N", note) != 0)
            return -1;
        long long v;
        char wrote[64];
        if (int_value(r, s, &v, wrote, sizeof wrote) != 0 || v < k->min || v > k->max) {
            snprintf(what, sizeof what, "%s is out of range", wrote);
            char hint[128];
            snprintf(hint, sizeof hint, "Give a whole number between %lld and %lld.",
                     (long long)k->min, (long long)k->max);
            return bad_value(r, g, k, s, what, hint);
        }
        conf_int_set(field, v, SRC_CONFIG, origin_of(r, s));
        return 0;
    }
    case CK_BOOL:
        if (want_type(r, g, k, s, CONFIG_TYPE_BOOL, "true", NULL) != 0)
            return -1;
        conf_bool_set(field, config_setting_get_bool(s) != 0, SRC_CONFIG, origin_of(r, s));
        return 0;
    case CK_KEEP: {
        int t = config_setting_type(s);
        int64_t ms;
        if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
            long long v;
            char wrote[64];
            if (int_value(r, s, &v, wrote, sizeof wrote) != 0 || v < 0 || v > k->max) {
                snprintf(what, sizeof what, "%s is out of range", wrote);
                return bad_value(r, g, k, s, what,
                                 "Give a number of days between 0 and 36500.");
            }
            ms = (int64_t)v * MS_PER_DAY;
        } else if (t == CONFIG_TYPE_FLOAT) {
            double v = config_setting_get_float(s);
            if (!(v >= 0 && v <= (double)k->max)) {
                snprintf(what, sizeof what, "%g is out of range", v);
                return bad_value(r, g, k, s, what,
                                 "Give a number of days between 0 and 36500.");
            }
            ms = (int64_t)(v * (double)MS_PER_DAY);
        } else if (t == CONFIG_TYPE_STRING) {
            str = config_setting_get_string(s);
            if (duration_parse_days_or_iso(str, &ms) != 0 || ms < 0 ||
                ms > k->max * MS_PER_DAY) {
                snprintf(what, sizeof what, "'%.200s' is not a number of days or an ISO-8601 "
                                            "duration between 0 and 36500 days", str);
                return bad_value(r, g, k, s, what,
                                 "Write it as a number of days (28) or a duration such as "
                                 "\"P28D\" or \"P4W\"; months and years are not "
                                 "durations.");
            }
        } else {
            return want_type(r, g, k, s, CONFIG_TYPE_INT, "28", NULL);
        }
        conf_int_set(field, ms, SRC_CONFIG, origin_of(r, s));
        return 0;
    }
    case CK_DBTYPE:
        if (want_type(r, g, k, s, CONFIG_TYPE_STRING, "\"postgresql\"", NULL) != 0)
            return -1;
        str = config_setting_get_string(s);
        if (strcmp(str, "postgresql") == 0) {
            c->db.type = DB_PG;
        } else if (strcmp(str, "mysql") == 0 || strcmp(str, "mariadb") == 0) {
            c->db.type = DB_MYSQL;
        } else {
            snprintf(what, sizeof what, "'%.200s' is not a supported engine", str);
            return bad_value(r, g, k, s, what,
                             "Set type to \"postgresql\" or \"mysql\" (also for MariaDB); "
                             "alfwipe reads PostgreSQL, MySQL and MariaDB.");
        }
        c->db.type_src = SRC_CONFIG;
        free(c->db.type_origin);
        c->db.type_origin = origin_of(r, s);
        return 0;
    case CK_PATHLIST: {
        int t = config_setting_type(s);
        if (t != CONFIG_TYPE_LIST && t != CONFIG_TYPE_ARRAY)
            return want_type(r, g, k, s, CONFIG_TYPE_ARRAY, "[\"/srv/alf_data/archive\"]",
                             NULL);
        int n = config_setting_length(s);
        for (int i = 0; i < n; i++) {
            const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
            if (config_setting_type(e) != CONFIG_TYPE_STRING) {
                snprintf(what, sizeof what, "element %d is not a string", i);
                return bad_value(r, g, k, s, what,
                                 "Write it as extra_roots = [\"/path/one\", \"/path/two\"];");
            }
            str = config_setting_get_string(e);
            if (read_path_value(r, g, k, s, str) != 0)
                return -1;
        }
        c->alfresco.extra_roots = xcalloc((size_t)n + 1, sizeof *c->alfresco.extra_roots);
        for (int i = 0; i < n; i++)
            c->alfresco.extra_roots[i] =
                xstrdup(config_setting_get_string(config_setting_get_elem(s, (unsigned)i)));
        c->alfresco.n_extra_roots = (size_t)n;
        return 0;
    }
    }
    return err_set(r->err, ERR_INTERNAL, "unhandled key type for '%s'", k->name);
}

static int read_group(struct reader *r, const config_setting_t *gs, bool *seen)
{
    const char *gname = config_setting_name(gs);
    const struct conf_group *g = NULL;
    for (size_t i = 0; i < conf_ngroups; i++)
        if (gname && strcmp(conf_groups[i].name, gname) == 0) {
            g = &conf_groups[i];
            seen[i] = true;
        }
    if (!g) {
        const char *best = NULL;
        for (size_t i = 0; i < conf_ngroups; i++)
            if (gname && distance(gname, conf_groups[i].name) <= 2)
                best = conf_groups[i].name;
        err_set(r->err, ERR_CONFIG, "unknown group '%s' in '%s' line %d", gname ? gname : "?",
                setting_file(r, gs), (int)config_setting_source_line(gs));
        if (best)
            return err_hint(r->err, "Did you mean '%s'? The groups are alfresco, database, "
                                    "policy, wipe and api.", best);
        return err_hint(r->err, "Use the groups alfresco, database, policy, wipe and api.");
    }
    if (config_setting_type(gs) != CONFIG_TYPE_GROUP) {
        err_set(r->err, ERR_CONFIG, "'%s' in '%s' line %d is not a group", gname,
                setting_file(r, gs), (int)config_setting_source_line(gs));
        return err_hint(r->err, "Write it as %s = { key = value; ... };", gname);
    }
    int n = config_setting_length(gs);
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(gs, (unsigned)i);
        const char *name = config_setting_name(s);
        const struct conf_key *k = NULL;
        for (size_t j = 0; j < g->n; j++)
            if (name && strcmp(g->keys[j].name, name) == 0)
                k = &g->keys[j];
        if (!k)
            return unknown_key(r, g, s);
        if (read_key(r, g, k, s) != 0)
            return -1;
    }
    return 0;
}

/* Every file other than path that a setting under s came from (an @include, also nested),
 * into conf->includes, each once. libconfig names an included file as the @include line
 * wrote it, relative to the directory of alfwipe.conf (as int_literal joins it). An included
 * file without settings is not seen. */
static void note_includes(struct conf *conf, const char *path, const config_setting_t *s)
{
    const char *f = config_setting_source_file(s);
    if (f && strcmp(f, path) != 0) {
        const char *slash = strrchr(path, '/');
        char *full = f[0] != '/' && slash
                         ? xasprintf("%.*s/%s", (int)(slash - path), path, f)
                         : xstrdup(f);
        bool known = false;
        for (size_t i = 0; !known && i < conf->n_includes; i++)
            known = strcmp(conf->includes[i], full) == 0;
        if (known) {
            free(full);
        } else {
            conf->includes = xrealloc(conf->includes,
                                      (conf->n_includes + 1) * sizeof *conf->includes);
            conf->includes[conf->n_includes++] = full;
        }
    }
    int n = config_setting_is_aggregate(s) ? config_setting_length(s) : 0;
    for (int i = 0; i < n; i++)
        note_includes(conf, path, config_setting_get_elem(s, (unsigned)i));
}

/* Read alfwipe.conf into conf; *found false when the default file does not exist. */
static int read_conf_file(struct conf *conf, const char *path, bool explicit_path,
                          bool *seen, bool *found, struct err *err)
{
    *found = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT && !explicit_path)
            return 0;
        err_sys(err, ERR_CONFIG, e, "could not open configuration file '%s'", path);
        if (e == ENOENT)
            return err_hint(err, "Check the path given with -c or $ALFWIPE_CONFIG.");
        return -1;
    }
    struct stat st;
    int sr = fstat(fd, &st);
    int e = errno;
    close(fd);
    if (sr != 0)
        return err_sys(err, ERR_CONFIG, e, "could not read configuration file '%s'", path);
    if (!S_ISREG(st.st_mode)) {
        err_set(err, ERR_CONFIG, "configuration file '%s' is not a regular file", path);
        return err_hint(err, "Give -c (or $ALFWIPE_CONFIG) the path of alfwipe.conf itself; "
                             "conf/alfwipe.conf.example shows every setting.");
    }
    *found = true;

    config_t cfg;
    config_init(&cfg);
    /* @include paths are relative to the file's own directory */
    char *dircopy = xstrdup(path);
    config_set_include_dir(&cfg, dirname(dircopy));
    int ret = -1;
    if (config_read_file(&cfg, path) != CONFIG_TRUE) {
        const char *f = config_error_file(&cfg);
        if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO && !f) {
            err_set(err, ERR_CONFIG, "could not read configuration file '%s'", path);
        } else {
            /* libconfig's own text is often just "syntax error": say it once */
            const char *text = config_error_text(&cfg);
            if (!text || strcmp(text, "syntax error") == 0)
                err_set(err, ERR_CONFIG, "syntax error in '%s' line %d", f ? f : path,
                        config_error_line(&cfg));
            else
                err_set(err, ERR_CONFIG, "syntax error in '%s' line %d: %s", f ? f : path,
                        config_error_line(&cfg), text);
            err_hint(err, "Fix the line; settings look like key = \"value\"; inside groups "
                          "such as policy = { ... };");
        }
        goto out;
    }
    struct reader r = {conf, path, err};
    const config_setting_t *root = config_root_setting(&cfg);
    note_includes(conf, path, root);
    int n = config_setting_length(root);
    for (int i = 0; i < n; i++)
        if (read_group(&r, config_setting_get_elem(root, (unsigned)i), seen) != 0)
            goto out;
    ret = 0;
out:
    config_destroy(&cfg);
    free(dircopy);
    return ret;
}

const char *conf_unread_note(const struct conf *conf)
{
    return conf->path ? ""
                      : " (no configuration file was read: none given with -c or "
                        "$ALFWIPE_CONFIG, and " DEFAULT_CONF_PATH " does not exist)";
}

int conf_load(struct conf *conf, const char *cli_path, struct err *err)
{
    memset(conf, 0, sizeof *conf);
    const char *path = cli_path;
    bool explicit_path = true;
    if (!path || !*path) {
        path = getenv("ALFWIPE_CONFIG");
        if (!path || !*path) {
            path = DEFAULT_CONF_PATH;
            explicit_path = false;
        }
    }
    bool seen[sizeof conf_groups / sizeof conf_groups[0]] = {false};
    bool found = false;
    if (read_conf_file(conf, path, explicit_path, seen, &found, err) != 0)
        goto fail;
    if (found)
        conf->path = xstrdup(path);

    const struct conf_str *gp = &conf->alfresco.global_properties;
    if (gp->val) {
        conf->props = xcalloc(1, sizeof *conf->props);
        if (props_load(conf->props, gp->val, err) != 0) {
            props_free(conf->props);
            conf->props = NULL;
            err_hint(err, "Fix the file, or correct alfresco.global_properties (%s).",
                     gp->origin ? gp->origin : "alfwipe.conf");
            goto fail;
        }
    }
    if (conf_merge(conf, seen[GROUP_DATABASE], err) != 0)
        goto fail;
    for (size_t i = 0; i < conf->n_warnings; i++)
        warnx_msg("%s", conf->warnings[i]);
    return 0;
fail:
    conf_release(conf);
    return -1;
}

void conf_release(struct conf *conf)
{
    if (!conf)
        return;
    for (size_t gi = 0; gi < conf_ngroups; gi++) {
        const struct conf_group *g = &conf_groups[gi];
        for (size_t i = 0; i < g->n; i++) {
            const struct conf_key *k = &g->keys[i];
            void *field = (char *)conf + k->off;
            switch (k->type) {
            case CK_STR:
            case CK_PATH:
            case CK_NAME:
            case CK_URL:
            case CK_CHOICE: {
                struct conf_str *s = field;
                free(s->val);
                free(s->origin);
                break;
            }
            case CK_INT:
            case CK_KEEP:
                free(((struct conf_int *)field)->origin);
                break;
            case CK_BOOL:
                free(((struct conf_bool *)field)->origin);
                break;
            case CK_DBTYPE:
            case CK_PATHLIST:
                break;
            }
        }
    }
    for (size_t i = 0; i < conf->alfresco.n_extra_roots; i++)
        free(conf->alfresco.extra_roots[i]);
    free(conf->alfresco.extra_roots);
    free(conf->db.type_origin);
    if (conf->db.password) {
        explicit_bzero(conf->db.password, strlen(conf->db.password));
        free(conf->db.password);
    }
    if (conf->db.url_password) {
        explicit_bzero(conf->db.url_password, strlen(conf->db.url_password));
        free(conf->db.url_password);
    }
    free(conf->db.password_origin);
    free(conf->db.url_password_origin);
    if (conf->api.password) {
        explicit_bzero(conf->api.password, strlen(conf->api.password));
        free(conf->api.password);
    }
    for (size_t i = 0; i < conf->n_warnings; i++)
        free(conf->warnings[i]);
    free(conf->warnings);
    props_free(conf->props);
    for (size_t i = 0; i < conf->n_includes; i++)
        free(conf->includes[i]);
    free(conf->includes);
    free(conf->path);
    memset(conf, 0, sizeof *conf);
}
