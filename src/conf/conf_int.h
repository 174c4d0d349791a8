/* Private to src/conf/: the alfwipe.conf key table and the helpers shared by conf.c (libconfig
 * side), conf_merge.c (alfresco-global.properties and defaults) and conf_secret.c. */
#ifndef ALFWIPE_CONF_INT_H
#define ALFWIPE_CONF_INT_H

#include <stddef.h>
#include <stdint.h>

#include "alfwipe/conf.h"

enum conf_key_type {
    CK_STR,      /* any non-empty string */
    CK_PATH,     /* an absolute path */
    CK_PATHLIST, /* a list (or array) of absolute paths: alfresco.extra_roots */
    CK_INT,      /* an integer within [min, max] */
    CK_BOOL,     /* true / false */
    CK_CHOICE,   /* one string of choices */
    CK_NAME,     /* a lower-case name: letters, digits, '-' */
    CK_URL,      /* http:// or https:// */
    CK_DBTYPE,   /* "postgresql" | "mysql" (or "mariadb") into conf_db.type */
    CK_KEEP,     /* days (integer, decimal or ISO-8601 duration) into milliseconds */
};

struct conf_key {
    const char *name;
    enum conf_key_type type;
    size_t off;                  /* offset in struct conf of the conf_str / conf_int / bool */
    int64_t min, max;            /* CK_INT */
    const char *const *choices;  /* CK_CHOICE, NULL-terminated */
};

struct conf_group {
    const char *name;
    const struct conf_key *keys;
    size_t n;
};

extern const struct conf_group conf_groups[];
extern const size_t conf_ngroups;

/* Replace a setting's value and source; origin is taken over (may be NULL). */
void conf_str_set(struct conf_str *s, const char *val, enum conf_source src, char *origin);
void conf_int_set(struct conf_int *s, int64_t val, enum conf_source src, char *origin);
void conf_bool_set(struct conf_bool *s, bool val, enum conf_source src, char *origin);

/* Record a warning (kept in conf->warnings, printed later by conf_load). */
void conf_warn(struct conf *conf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "alfresco-global.properties:7 (dir.root)" for a key of the loaded properties file. */
char *conf_props_origin(const struct conf *conf, const char *key);

/* Merge alfresco-global.properties (already in conf->props, or NULL) and the defaults into
 * every setting alfwipe.conf left unset; validate the result. */
int conf_merge(struct conf *conf, bool has_db_group, struct err *err);

#endif
