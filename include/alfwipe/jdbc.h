/* db.url in its JDBC forms: jdbc:postgresql://host:port/db?params, jdbc:postgresql:db,
 * jdbc:mysql://host:port/db?params, jdbc:mysql:///db, jdbc:mariadb://... Anything else
 * (Oracle, SQL Server, failover host lists, loadbalance/replication variants) is refused with
 * a message naming the value. */
#ifndef ALFWIPE_JDBC_H
#define ALFWIPE_JDBC_H

#include "alfwipe/conf.h"

struct jdbc_url {
    enum db_type type;
    char *host;       /* NULL: localhost */
    int port;         /* 0: engine default */
    char *dbname;
    char *sslmode;    /* from sslmode=, or ssl=true -> "require", useSSL=true -> "require" */
    char *socket;     /* MySQL/MariaDB Unix socket: localSocket= or junixsocket.file= */
    char *sslrootcert; /* CA file: sslrootcert= (PostgreSQL), serverSslCert= (MariaDB) */
    char *schema;     /* PostgreSQL currentSchema= (one schema; a list is refused) */
    char *user;       /* user= (the PostgreSQL driver prefers it to db.username) */
    char *params;     /* the raw query string, for 'check' */
};

int jdbc_parse(const char *url, struct jdbc_url *out, struct err *err);
void jdbc_url_release(struct jdbc_url *u);

#endif
