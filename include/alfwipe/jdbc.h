/* db.url in its JDBC forms: jdbc:postgresql://host:port/db?params, jdbc:postgresql:db,
 * jdbc:mysql://host:port/db?params, jdbc:mysql:///db, jdbc:mariadb://... Anything else
 * (Oracle, SQL Server, failover host lists, loadbalance/replication variants) is refused with
 * a message naming the value. */
#ifndef ALFWIPE_JDBC_H
#define ALFWIPE_JDBC_H

#include "alfwipe/conf.h"

/* What an alfwipe.conf setting must give instead of a db.url parameter alfwipe cannot apply. */
enum jdbc_override {
    JDBC_BY_SCHEMA,   /* database.schema */
    JDBC_BY_ENDPOINT, /* database.host or database.socket */
    JDBC_BY_SSLMODE,  /* database.sslmode */
};

/* A parameter that changes where or how Alfresco's driver connects, or what it reads, and that
 * alfwipe does not apply (options=, socketFactory=, sslfactory=, a currentSchema= list...).
 * The URL parses; the caller refuses it unless alfwipe.conf gives the setting by names. */
struct jdbc_unapplied {
    enum jdbc_override by;
    struct err err;   /* the refusal: the parameter, the URL (password masked), a hint */
};

struct jdbc_url {
    enum db_type type;
    char *host;       /* NULL: localhost */
    int port;         /* 0: engine default */
    char *dbname;
    /* from sslmode= (wins), else PostgreSQL ssl=true (or bare ssl) -> "verify-full" and
     * ssl=false -> "prefer" as pgjdbc 42.2.5+ does; MySQL useSSL/requireSSL=true ->
     * "require", useSSL=false -> "disable" */
    char *sslmode;
    char *socket;     /* MySQL/MariaDB Unix socket: localSocket= or junixsocket.file= */
    char *sslrootcert; /* CA file: sslrootcert= (PostgreSQL), serverSslCert= (MariaDB) */
    char *schema;     /* PostgreSQL currentSchema= (one schema; a list is refused) */
    char *user;       /* user= (the PostgreSQL driver prefers it to db.username) */
    char *password;   /* password= (a secret: cleared on release, never in a message) */
    char *params;     /* the raw query string, for 'check' */
    struct jdbc_unapplied *unapplied;
    size_t n_unapplied;
};

int jdbc_parse(const char *url, struct jdbc_url *out, struct err *err);
void jdbc_url_release(struct jdbc_url *u);

#endif
