/* Effective configuration: alfwipe.conf (libconfig) merged with alfresco-global.properties and
 * Alfresco's defaults. Precedence: command line > alfwipe.conf > alfresco-global.properties >
 * Alfresco's defaults. Every setting remembers where it came from, for 'alfwipe check'.
 * No libconfig type leaks out of src/conf/. */
#ifndef ALFWIPE_CONF_H
#define ALFWIPE_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alfwipe/err.h"

enum conf_source {
    SRC_UNSET = 0,     /* no value anywhere */
    SRC_DEFAULT,       /* Alfresco's (or alfwipe's) default */
    SRC_PROPERTIES,    /* alfresco-global.properties */
    SRC_CONFIG,        /* alfwipe.conf */
    SRC_ENV,           /* environment variable */
    SRC_CMDLINE,       /* command line */
};

/* "command line", "alfwipe.conf", "alfresco-global.properties", "default", ... */
const char *conf_source_name(enum conf_source src);

/* A content root that cannot be opened (errno e), in the same words for every command:
 * "content root 'KEY' ('PATH', from ORIGIN) is not usable: REASON" and a hint for the cause,
 * ending with also (when given). origin may be NULL. Returns -1. */
int conf_root_unusable(struct err *err, int e, const char *key, const char *path,
                       const char *origin, const char *also);
/* A content root given as a relative path (Alfresco's default dir.root ./alf_data is one):
 * what it names would depend on the directory alfwipe is started from. Returns -1. */
int conf_root_relative(struct err *err, const char *key, const char *path, const char *origin);

struct conf_str {
    char *val;               /* owned; NULL when unset */
    enum conf_source src;
    char *origin;            /* owned, optional: e.g. "alfwipe.conf:12" or "dir.root" */
};
struct conf_int {
    int64_t val;
    enum conf_source src;
    char *origin;
};
struct conf_bool {
    bool val;
    enum conf_source src;
    char *origin;
};

enum db_type { DB_NONE = 0, DB_PG, DB_MYSQL };

struct conf_alfresco {
    struct conf_str global_properties;
    struct conf_str dir_root;
    struct conf_str contentstore;          /* default ${dir.root}/contentstore */
    struct conf_str contentstore_deleted;  /* default ${dir.root}/contentstore.deleted */
    char **extra_roots;                    /* owned list of paths; named "extra_roots[i]" */
    size_t n_extra_roots;
};

struct conf_db {
    enum db_type type;
    enum conf_source type_src;
    char *type_origin;                     /* file:line or properties key, owned */
    struct conf_str host;
    struct conf_int port;
    struct conf_str name;
    struct conf_str user;
    struct conf_str password_file;
    struct conf_str socket;
    struct conf_str sslmode;
    struct conf_str sslrootcert; /* CA certificates (PEM) that verify-ca / verify-full trust */
    struct conf_str schema;      /* PostgreSQL schema (db.schema.name); optional */
    /* The password itself, from password_file, $ALFWIPE_DB_PASSWORD, password= in db.url or
     * db.password. Never printed; cleared with explicit_bzero in conf_release. */
    char *password;
    enum conf_source password_src;
    char *password_origin;       /* where a password from the properties file is, owned */
    /* password= of the db.url alfwipe uses, and where it is: a secret, kept for
     * conf_load_db_password; cleared in conf_release. */
    char *url_password;
    char *url_password_origin;
    bool configured;             /* a database group or db.url was found */
};

struct conf_policy {
    struct conf_int orphan_protect_days;      /* 14 */
    struct conf_bool eager_orphan_cleanup;    /* false */
    struct conf_int trashcan_keep_ms;         /* 28 days; from trashcan_keep_days or keepPeriod */
    struct conf_int in_flight_grace_minutes;  /* 60 */
    struct conf_int cleaner_slack_days;       /* 1 */
};

struct conf_wipe {
    struct conf_str method;         /* default "nist-clear" */
    struct conf_str verify;         /* off | last | all; default "last" */
    struct conf_int min_age_days;   /* 7 */
    struct conf_str lock_file;
    struct conf_str state_dir;
    struct conf_str certificate;
    struct conf_str hmac_key_file;
    struct conf_str operator_name;  /* key "operator" */
    struct conf_bool final_zero;
};

struct conf_api {
    struct conf_str url;            /* webapp base, e.g. https://host:8443/alfresco */
    struct conf_str user;
    struct conf_str password_file;
    struct conf_str ca_file;
    struct conf_int timeout_seconds;
    struct conf_int max_per_run;
    char *password;                 /* secret; cleared on release */
    bool configured;
};

struct conf {
    char *path;                     /* the alfwipe.conf that was read; NULL when none */
    /* The files alfwipe.conf pulled in with @include (absolute, or relative to the working
     * directory as path is), each once: configuration as much as path. Owned. */
    char **includes;
    size_t n_includes;
    struct conf_alfresco alfresco;
    struct conf_db db;
    struct conf_policy policy;
    struct conf_wipe wipe;
    struct conf_api api;
    /* Raw properties kept for 'check' (eagerOrphanCleanup etc. origins); may be NULL. */
    struct props *props;
    /* Warnings found while loading (also printed by conf_load through warnx_msg), for
     * 'alfwipe check'. Owned. */
    char **warnings;
    size_t n_warnings;
};

/* Where to find alfwipe.conf: cli_path if given, else $ALFWIPE_CONFIG, else
 * /etc/alfwipe/alfwipe.conf. A missing default file is not an error (everything may come from
 * alfresco-global.properties); a missing explicitly named file is. */
int conf_load(struct conf *conf, const char *cli_path, struct err *err);

/* Load the database password (password_file must be mode 0600 or stricter, else refused;
 * then $ALFWIPE_DB_PASSWORD; then db.password). Called by commands that connect. */
int conf_load_db_password(struct conf *conf, struct err *err);

/* Same for the API password (api.password_file, then $ALFWIPE_API_PASSWORD). */
int conf_load_api_password(struct conf *conf, struct err *err);

/* Read a secret from a file: refuses group/world-readable files with a chmod hint; strips one
 * trailing newline. *out owned by the caller (clear with explicit_bzero before free). */
int conf_read_secret_file(const char *path, const char *what, char **out, struct err *err);

void conf_release(struct conf *conf);
/* For "no database configured": why, when no alfwipe.conf was read at all ("" otherwise). */
const char *conf_unread_note(const struct conf *conf);

/* Print every effective setting with its source (text, or JSON when json is true). Secrets
 * appear only as "set"/"not set". */
#include <stdio.h>
int conf_show(const struct conf *conf, FILE *fp, bool json);

/* The JSON document conf_show prints, as a new jansson object (caller owns the reference), so
 * that a command can add its own members before printing it. */
struct json_t;
struct json_t *conf_show_json(const struct conf *conf);

/* Day / minute helpers in milliseconds. */
#define MS_PER_DAY INT64_C(86400000)
#define MS_PER_MINUTE INT64_C(60000)

#endif
