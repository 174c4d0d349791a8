/* Private backend interface behind db.h. Each backend embeds struct db as its first member
 * and fills one static const struct db_ops. */
#ifndef ALFWIPE_DB_INT_H
#define ALFWIPE_DB_INT_H

#include "alfwipe/db.h"

struct db_ops {
    const char *engine;   /* "postgresql", "mysql" */
    const char *dialect;  /* sql/ folder: "pg", "mysql" */
    /* Connect and start the read-only consistent snapshot; *out is the backend's object. */
    int (*open)(struct db **out, const struct conf_db *cd, struct err *err);
    /* Run sql (already looked up, $n placeholders) with text params, streaming rows. */
    int (*query)(struct db *db, const char *name, const char *sql, const char *const *params,
                 int nparams, db_row_fn *fn, void *arg, struct err *err);
    /* Open a second session in the same snapshot (NULL: the engine cannot share one). */
    int (*twin)(struct db *db, struct db **out, struct err *err);
    /* End the transaction, disconnect and free the object, server_version included. */
    void (*close)(struct db *db);
};

struct db {
    const struct db_ops *ops;
    char *server_version;   /* owned */
};

/* Highest $n placeholder in sql, outside quoted text and comments; 0 when there is none.
 * db_query refuses a call whose parameter count differs. */
int db_sql_max_param(const char *sql);

extern const struct db_ops db_pg_ops;
extern const struct db_ops db_mysql_ops;

#endif
