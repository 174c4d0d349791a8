/* Lookup of the queries embedded from sql/. */
#include "alfwipe/sqltext.h"

#include <string.h>

const char *sql_lookup(const char *dialect, const char *name)
{
    const char *common = NULL;
    for (const struct sql_text *t = sql_texts; t->name; t++) {
        if (strcmp(t->name, name) != 0)
            continue;
        if (strcmp(t->dialect, dialect) == 0)
            return t->text;
        if (strcmp(t->dialect, "common") == 0)
            common = t->text;
    }
    return common;
}
