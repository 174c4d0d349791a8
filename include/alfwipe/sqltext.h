/* SQL embedded at build time from sql/<dialect>/q_*.sql (scripts/embed-sql.sh). */
#ifndef ALFWIPE_SQLTEXT_H
#define ALFWIPE_SQLTEXT_H

struct sql_text {
    const char *dialect; /* "common", "pg" or "mysql" */
    const char *name;    /* file name without .sql, e.g. "q_tables" */
    const char *text;
};

extern const struct sql_text sql_texts[];

/* The text of query 'name' for dialect ("pg" or "mysql"): the dialect's own file if there is
 * one, else the common one; NULL when neither exists. Borrowed, static storage. */
const char *sql_lookup(const char *dialect, const char *name);

#endif
