/* Internals of the MySQL/MariaDB backend that unit tests reach without a server: the
 * rewriting of PostgreSQL-style $n placeholders into MySQL's positional '?', and the text of
 * FLOAT/DOUBLE values. */
#ifndef ALFWIPE_DB_MYSQL_INT_H
#define ALFWIPE_DB_MYSQL_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "alfwipe/err.h"

/* The result of db_mysql_rewrite: the statement text for mysql_stmt_prepare and, for the
 * i-th '?' in it, the 0-based index of the caller's parameter to bind there ($2 -> 1). A $n
 * used twice gives two '?' with the same index; $n may appear in any order. */
struct db_mysql_sql {
    char *text;   /* owned */
    int *map;     /* owned; nmap entries (NULL when nmap is 0) */
    int nmap;
};

/* Rewrite sql for MySQL: every $n outside string literals, quoted identifiers and comments
 * becomes '?'; comments (-- to end of line, nested block comments) are dropped, keeping their
 * newlines, so that the server sees PostgreSQL's comment rules applied. Literals follow the
 * session's sql_mode set by the backend: '' doubles a quote and backslash is an ordinary
 * character (NO_BACKSLASH_ESCAPES); "..." and `...` are identifiers. A $ inside or right after
 * an identifier, or not followed by a digit, is copied unchanged.
 * Fails (ERR_INTERNAL, naming query 'name') on $0, on $n with n > nparams, and on a bare '?'
 * outside literals (it would be taken as a placeholder). On success *out is filled and owned
 * by the caller (db_mysql_sql_release). */
int db_mysql_rewrite(const char *name, const char *sql, int nparams, struct db_mysql_sql *out,
                     struct err *err);

/* Free what db_mysql_rewrite allocated; leaves *s empty. NULL-safe on the members. */
void db_mysql_sql_release(struct db_mysql_sql *s);

/* Print a FLOAT (single) or DOUBLE value as PostgreSQL's float4out / float8out do: the
 * shortest decimal that reads back as the same value, in fixed notation when the decimal
 * exponent is -4..5 (float) or -4..14 (double), else as d.ddde+XX; NaN, Infinity, -Infinity.
 * outsz of 32 is always enough. */
void db_mysql_format_real(char *out, size_t outsz, double v, bool single);

#endif
