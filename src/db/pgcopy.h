/* PostgreSQL's COPY text format, the client side: one data line split into columns. Used by
 * the PostgreSQL backend for queries without parameters (COPY (query) TO STDOUT), whose rows
 * then cost the client one buffer each instead of one result object each. */
#ifndef ALFWIPE_PGCOPY_H
#define ALFWIPE_PGCOPY_H

#include <stddef.h>

#include "alfwipe/db.h"

/* Split one COPY text line (line[0..len), the final '\n' included or not, and line[len]
 * writable, as in the NUL-terminated buffer PQgetCopyData returns) into columns, in place:
 * each column is NUL-terminated and unescaped inside line, \N is SQL NULL, and the escapes of
 * the format (\b \f \n \r \t \v \\, \ooo octal, \xhh hex, a backslash before any other
 * character) give their bytes. *cols grows as needed (*cap elements). Returns the number of
 * columns, or -1 when the line ends inside an escape (a backslash as its last byte), which
 * the server never sends. */
int pgcopy_split(char *line, size_t len, struct db_value **cols, size_t *cap);

#endif
