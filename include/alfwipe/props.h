/* alfresco-global.properties: Java properties syntax with ${...} placeholder expansion. */
#ifndef ALFWIPE_PROPS_H
#define ALFWIPE_PROPS_H

#include <stddef.h>

#include "alfwipe/err.h"

struct props_entry {
    char *key;
    char *raw;        /* value as written (escapes decoded) */
    char *value;      /* value with ${...} placeholders expanded; NULL until expanded */
    int line;         /* line number where the entry starts */
};

struct props {
    char *path;
    struct props_entry *v;
    size_t n, cap;
};

/* Parse a properties file (ISO-8859-1 bytes are passed through as is; \uHHHH becomes UTF-8).
 * Later keys override earlier ones, as in java.util.Properties. Placeholders are expanded
 * against the file's own keys plus 'defaults' (Alfresco's built-in values such as
 * dir.root=./alf_data), with ${name:default} supported; an unresolvable placeholder is left as
 * is; a cycle is an error naming the key. */
int props_load(struct props *p, const char *path, struct err *err);
int props_parse(struct props *p, const char *text, size_t len, const char *name, struct err *err);

/* The expanded value of key, or NULL. Borrowed. */
const char *props_get(const struct props *p, const char *key);
/* The line number of key, or 0. */
int props_line(const struct props *p, const char *key);

/* The entry of key (last one wins), or NULL. Borrowed. */
const struct props_entry *props_find(const struct props *p, const char *key);

/* Alfresco's built-in value of key as repository.properties writes it (placeholders not
 * expanded, e.g. "${dir.root}/contentstore"), or NULL when alfwipe does not know it. Static. */
const char *props_default(const char *key);

/* Expand the ${...} placeholders of text. Names are looked up in overrides first (a
 * NULL-terminated list of key, value pairs; NULL for none), then in the file's keys, then in
 * Alfresco's defaults. p may be NULL (defaults only). *out is owned by the caller. -1 with err
 * on a circular reference, naming the keys. */
int props_expand(const struct props *p, const char *text, const char *const *overrides,
                 char **out, struct err *err);

void props_free(struct props *p);  /* frees contents and p itself; NULL ok */

#endif
