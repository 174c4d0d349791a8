/* alfresco-global.properties: Java properties syntax with ${...} placeholder expansion. */
#ifndef ALFWIPE_PROPS_H
#define ALFWIPE_PROPS_H

#include <stdbool.h>
#include <stddef.h>

#include "alfwipe/err.h"

struct props_entry {
    char *key;
    char *raw;        /* value as written (escapes decoded) */
    char *value;      /* value with ${...} placeholders expanded; NULL until expanded */
    int line;         /* line number where the entry starts */
    /* A NUL character (\u0000 or a NUL byte), which Java keeps but a C string cannot hold:
     * key_nul: the key holds one (key is cut before it; the entry is never found by a
     * lookup); raw_nul: the value holds one (raw and value are cut before it). */
    bool key_nul, raw_nul;
    /* The entry whose value puts a NUL into this expanded value (this one, or one its
     * ${...} names); NULL when none. Borrowed. */
    const struct props_entry *nul;
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

/* The entry whose value holds the NUL that key's expanded value would hold (key's own entry,
 * or that of a placeholder it names), or NULL: a key alfwipe reads must refuse it, since the
 * value it reads is cut before the NUL. Borrowed. */
const struct props_entry *props_nul(const struct props *p, const char *key);

/* The first entry whose key holds a NUL and reads, before it, as one of keys (a
 * NULL-terminated list), or NULL. Java reads such a key as another one. Borrowed. */
const struct props_entry *props_nul_key(const struct props *p, const char *const *keys);

/* The entry of key (last one wins), or NULL. Borrowed. */
const struct props_entry *props_find(const struct props *p, const char *key);

/* Alfresco's built-in value of key as repository.properties writes it (placeholders not
 * expanded, e.g. "${dir.root}/contentstore"), or NULL when alfwipe does not know it. Static. */
const char *props_default(const char *key);

/* Expand the ${...} placeholders of text. Names are looked up in overrides first (a
 * NULL-terminated list of key, value pairs; NULL for none), then in the file's keys, then in
 * Alfresco's defaults. p may be NULL (defaults only). *out is owned by the caller. *nul (when
 * nul is not NULL) gets the first entry expanded whose value holds a NUL (so *out is cut
 * short), else NULL. -1 with err on a circular reference, naming the keys. */
int props_expand(const struct props *p, const char *text, const char *const *overrides,
                 char **out, const struct props_entry **nul, struct err *err);

void props_free(struct props *p);  /* frees contents and p itself; NULL ok */

#endif
