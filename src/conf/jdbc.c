/* db.url: the JDBC URL forms of PostgreSQL, MySQL and MariaDB that name one server. Everything
 * else is refused with the value in the message: alfwipe must read the database Alfresco uses,
 * so it never guesses. */
#include "alfwipe/jdbc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alfwipe/hexdigit.h"
#include "alfwipe/redact.h"
#include "alfwipe/xalloc.h"

static const char supported[] = "alfwipe reads PostgreSQL, MySQL and MariaDB";

/* Percent-decode s[0..n) (as the drivers decode the database name and parameter values). */
static char *pct_decode(const char *s, size_t n)
{
    char *out = xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int h1, h2;
        if (s[i] == '%' && i + 2 < n && (h1 = hex_digit(s[i + 1])) >= 0 &&
            (h2 = hex_digit(s[i + 2])) >= 0) {
            out[o++] = (char)(h1 << 4 | h2);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

static void refuse_hint_conf(struct err *err)
{
    err_hint(err, "Set database.type, host, port and name in alfwipe.conf to the one server "
                  "alfwipe should read.");
}

static bool is_true(const char *v)
{
    return strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0 || strcmp(v, "1") == 0;
}

static bool is_false(const char *v)
{
    return strcasecmp(v, "false") == 0 || strcasecmp(v, "no") == 0 || strcmp(v, "0") == 0;
}

/* Map a driver's sslmode / sslMode value onto libpq's vocabulary. pgjdbc knows only libpq's
 * six names; the MySQL and MariaDB drivers have their own. */
static const char *map_sslmode(enum db_type type, const char *v)
{
    static const char *const map[][2] = {
        {"disable", "disable"},         {"allow", "allow"},
        {"prefer", "prefer"},           {"require", "require"},
        {"verify-ca", "verify-ca"},     {"verify-full", "verify-full"},
        {"disabled", "disable"},        {"preferred", "prefer"},
        {"required", "require"},        {"verify_ca", "verify-ca"},
        {"verify_identity", "verify-full"}, {"trust", "require"},
    };
    size_t n = type == DB_PG ? 6 : sizeof map / sizeof map[0];
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(map[i][0], v) == 0)
            return map[i][1];
    return NULL;
}

/* Record a parameter alfwipe does not apply; the message and hint follow, as err_set's. */
static struct err *unapplied(struct jdbc_url *u, enum jdbc_override by)
{
    u->unapplied = xrealloc(u->unapplied, (u->n_unapplied + 1) * sizeof *u->unapplied);
    struct jdbc_unapplied *x = &u->unapplied[u->n_unapplied++];
    x->by = by;
    err_init(&x->err);
    return &x->err;
}

/* pgjdbc 42.2.5+ (SslMode.of): without sslmode, ssl=true or a bare ssl means verify-full,
 * anything else (ssl=false, ssl=yes) the default, prefer. A value other than true or false
 * is refused rather than read as prefer: whoever wrote ssl=yes meant encryption. */
static void pg_ssl_flag(const char *url, const char *val, struct jdbc_url *u)
{
    if (strcasecmp(val, "true") == 0 || *val == '\0') {
        u->sslmode = xstrdup("verify-full");
    } else if (strcasecmp(val, "false") == 0) {
        u->sslmode = xstrdup("prefer");
    } else {
        struct err *e = unapplied(u, JDBC_BY_SSLMODE);
        err_set(e, ERR_CONFIG, "ssl '%s' in db.url '%s' is neither true nor false (the "
                               "PostgreSQL driver takes it as false: sslmode prefer)", val, url);
        err_hint(e, "Write ssl=true (the driver then verifies the certificate and host name, "
                    "as sslmode=verify-full) or an explicit sslmode= in db.url, or set "
                    "database.sslmode in alfwipe.conf.");
    }
}

/* PostgreSQL parameters that move the connection or the schema, which alfwipe does not apply:
 * 1 when key is one (recorded in u), else 0. */
static int pg_unapplied(const char *url, const char *key, const char *val, struct jdbc_url *u)
{
    struct err *e;
    if (strcmp(key, "options") == 0) {
        /* startup options: -c search_path=... chooses the schema the tables are read from */
        e = unapplied(u, JDBC_BY_SCHEMA);
        err_set(e, ERR_CONFIG, "db.url '%s' sets options '%s', which alfwipe does not apply "
                               "(a search_path there chooses the schema Alfresco reads)", url,
                val);
        err_hint(e, "Set database.schema in alfwipe.conf to the schema that holds the alf_ "
                    "tables (the first of the search_path).");
        return 1;
    }
    if (strcmp(key, "socketFactory") == 0 || strcmp(key, "socketFactoryArg") == 0) {
        /* junixsocket's AFUNIXSocketFactory and its socket path: a Unix socket, not host:port */
        e = unapplied(u, JDBC_BY_ENDPOINT);
        err_set(e, ERR_CONFIG, "db.url '%s' sets %s '%s': Alfresco's driver connects through "
                               "it, not to the host and port of the URL, and alfwipe cannot",
                url, key, val);
        err_hint(e, "Set database.socket in alfwipe.conf to the directory of the server's Unix "
                    "socket (for /run/postgresql/.s.PGSQL.5432: /run/postgresql), or "
                    "database.host to where alfwipe should connect.");
        return 1;
    }
    if (strcmp(key, "sslfactory") == 0 && strcmp(val, "org.postgresql.ssl.LibPQFactory") != 0 &&
        strcmp(val, "org.postgresql.ssl.DefaultJavaSSLFactory") != 0) {
        e = unapplied(u, JDBC_BY_SSLMODE);
        if (strcmp(val, "org.postgresql.ssl.NonValidatingFactory") == 0)
            err_set(e, ERR_CONFIG, "db.url '%s' sets sslfactory '%s': Alfresco does not verify "
                                   "the server's certificate, and alfwipe will not guess "
                                   "whether to", url, val);
        else
            err_set(e, ERR_CONFIG, "db.url '%s' sets sslfactory '%s', a Java class alfwipe "
                                   "cannot use", url, val);
        err_hint(e, "Set database.sslmode in alfwipe.conf: verify-full, with "
                    "database.sslrootcert naming the server's CA certificate (recommended), or "
                    "require to encrypt without verifying the server.");
        return 1;
    }
    if (strcmp(key, "currentSchema") == 0 && (!*val || strchr(val, ','))) {
        /* the driver sets search_path to it: a list is not the one schema alfwipe reads */
        e = unapplied(u, JDBC_BY_SCHEMA);
        err_set(e, ERR_CONFIG, "currentSchema '%s' in db.url '%s' is not one schema", val, url);
        err_hint(e, "alfwipe reads the alf_ tables of one schema: set database.schema in "
                    "alfwipe.conf to the schema that holds them.");
        return 1;
    }
    return 0;
}

static int parse_params(const char *url, const char *q, struct jdbc_url *u, struct err *err)
{
    const char *explicit_mode = NULL;
    const char *flag_mode = NULL;
    char *pg_ssl = NULL;
    int ret = 0;
    char *copy = xstrdup(q);
    char *save = NULL;
    for (char *kv = strtok_r(copy, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        const char *key = kv;
        char *val = NULL;
        if (eq) {
            *eq = '\0';
            val = pct_decode(eq + 1, strlen(eq + 1));
        } else {
            val = xstrdup("");
        }
        if (u->type == DB_PG && pg_unapplied(url, key, val, u)) {
            /* recorded in u->unapplied */
        } else if (strcasecmp(key, "sslmode") == 0) {
            explicit_mode = map_sslmode(u->type, val);
            if (!explicit_mode) {
                err_set(err, ERR_CONFIG, "unknown ssl mode '%s' in db.url '%s'", val, url);
                if (u->type == DB_PG)
                    err_hint(err, "Use one of disable, allow, prefer, require, verify-ca, "
                                  "verify-full (the PostgreSQL driver knows no other).");
                else
                    err_hint(err, "Use one of disable, allow, prefer, require, verify-ca, "
                                  "verify-full (or the driver's own DISABLED, PREFERRED, "
                                  "REQUIRED, VERIFY_CA, VERIFY_IDENTITY).");
                free(val);
                ret = -1;
                break;
            }
        } else if ((u->type == DB_MYSQL && (strcasecmp(key, "localSocket") == 0 ||
                                            strcasecmp(key, "junixsocket.file") == 0 ||
                                            strcasecmp(key, "serverSslCert") == 0)) ||
                   (u->type == DB_PG && strcasecmp(key, "sslrootcert") == 0)) {
            /* MariaDB Connector/J's Unix socket, or MySQL Connector/J's through junixsocket;
             * the CA certificate file of MariaDB's and PostgreSQL's drivers. A certificate
             * given inline or from the class path cannot be read from here. */
            bool is_cert = strcasecmp(key, "serverSslCert") == 0 ||
                           strcasecmp(key, "sslrootcert") == 0;
            if (val[0] != '/') {
                err_set(err, ERR_CONFIG, "%s '%s' in db.url '%s' is not an absolute path", key,
                        val, url);
                if (is_cert)
                    err_hint(err, "Give the full path of the CA certificate file (PEM), or set "
                                  "database.sslrootcert in alfwipe.conf.");
                else
                    err_hint(err, "Give the full path of the server's socket (SELECT @@socket "
                                  "shows it), or set database.socket in alfwipe.conf.");
                free(val);
                ret = -1;
                break;
            }
            char **dst = is_cert ? &u->sslrootcert : &u->socket;
            free(*dst);
            *dst = xstrdup(val);
        } else if (u->type == DB_PG && strcmp(key, "currentSchema") == 0) {
            /* the driver sets search_path to it: the schema the alf_ tables are read from */
            free(u->schema);
            u->schema = xstrdup(val);
        } else if (strcmp(key, "user") == 0) {
            free(u->user);
            u->user = xstrdup(val);
        } else if (strcmp(key, "password") == 0) {
            /* used as the drivers use it, like db.password (conf_merge decides the order) */
            if (u->password)
                explicit_bzero(u->password, strlen(u->password));
            free(u->password);
            u->password = xstrdup(val);
        } else if (u->type == DB_PG && strcasecmp(key, "ssl") == 0) {
            free(pg_ssl);
            pg_ssl = xstrdup(val);
        } else if (strcasecmp(key, "ssl") == 0 || strcasecmp(key, "useSSL") == 0 ||
                   strcasecmp(key, "requireSSL") == 0) {
            if (is_true(val) || (strcasecmp(key, "ssl") == 0 && *val == '\0'))
                flag_mode = "require";
            else if (is_false(val) && strcasecmp(key, "requireSSL") != 0 && !flag_mode)
                flag_mode = "disable";
        }
        if (strcmp(key, "password") == 0)
            explicit_bzero(val, strlen(val));
        free(val);
    }
    explicit_bzero(copy, strlen(q));
    free(copy);
    if (ret == 0) {
        const char *mode = explicit_mode ? explicit_mode : flag_mode;
        if (mode)
            u->sslmode = xstrdup(mode);
        else if (pg_ssl)
            pg_ssl_flag(url, pg_ssl, u);
    }
    free(pg_ssl);
    return ret;
}

/* host[:port] or [v6]:port or empty. */
static int parse_authority(const char *url, const char *a, size_t n, struct jdbc_url *u,
                           struct err *err)
{
    if (memchr(a, ',', n)) {
        err_set(err, ERR_CONFIG,
                "db.url '%s' lists several hosts (failover or load balancing); alfwipe reads "
                "one server",
                url);
        refuse_hint_conf(err);
        return -1;
    }
    if (memchr(a, '@', n) || memchr(a, '(', n) || memchr(a, '=', n)) {
        err_set(err, ERR_CONFIG, "unsupported host part in db.url '%s'", url);
        refuse_hint_conf(err);
        return -1;
    }
    if (n == 0)
        return 0;
    size_t hend, pstart;
    if (a[0] == '[') {
        const char *rb = memchr(a, ']', n);
        if (!rb) {
            err_set(err, ERR_CONFIG, "unterminated IPv6 address in db.url '%s'", url);
            return err_hint(err, "Write the address as [addr]:port.");
        }
        hend = (size_t)(rb - a) + 1;
        if (hend < n && a[hend] != ':') {
            err_set(err, ERR_CONFIG, "unsupported host part in db.url '%s'", url);
            refuse_hint_conf(err);
            return -1;
        }
        pstart = hend + 1;
        u->host = xstrndup(a + 1, hend - 2);
    } else {
        const char *colon = memchr(a, ':', n);
        hend = colon ? (size_t)(colon - a) : n;
        pstart = hend + 1;
        u->host = xstrndup(a, hend);
    }
    if (u->host[0] == '\0') {
        free(u->host);
        u->host = NULL;
    }
    if (pstart <= n) {
        long port = 0;
        size_t i = pstart;
        if (i == n) {
            err_set(err, ERR_CONFIG, "empty port in db.url '%s'", url);
            return err_hint(err, "Write the port as a number, for example :5432, or leave "
                                 "it out with its colon.");
        }
        for (; i < n; i++) {
            if (a[i] < '0' || a[i] > '9' || port > 65535)
                break;
            port = port * 10 + (a[i] - '0');
        }
        if (i != n || port < 1 || port > 65535) {
            err_set(err, ERR_CONFIG, "invalid port '%.*s' in db.url '%s'", (int)(n - pstart),
                    a + pstart, url);
            return err_hint(err, "Give a port number between 1 and 65535.");
        }
        u->port = (int)port;
    }
    return 0;
}

/* shown: url as messages may show it (no password). */
static int parse_url(const char *url, const char *shown, struct jdbc_url *out, struct err *err)
{
    struct jdbc_url u = {0};
    if (strstr(url, "${")) {
        err_set(err, ERR_CONFIG, "db.url '%s' contains an unresolved placeholder", shown);
        return err_hint(err, "Define the property the placeholder names in "
                             "alfresco-global.properties, or set the database group in "
                             "alfwipe.conf.");
    }
    if (strncasecmp(url, "jdbc:", 5) != 0) {
        err_set(err, ERR_CONFIG, "db.url '%s' is not a JDBC URL", shown);
        return err_hint(err, "Write it as jdbc:postgresql://host:port/name or "
                             "jdbc:mysql://host:port/name.");
    }
    const char *sp = url + 5;
    size_t splen = strcspn(sp, ":");
    const char *rest = sp[splen] == ':' ? sp + splen + 1 : sp + splen;
    if (splen == 0) {
        err_set(err, ERR_CONFIG, "db.url '%s' names no driver", shown);
        return err_hint(err, "Write it as jdbc:postgresql://host:port/name or "
                             "jdbc:mysql://host:port/name.");
    }
    if (splen == 10 && strncasecmp(sp, "postgresql", 10) == 0) {
        u.type = DB_PG;
    } else if ((splen == 5 && strncasecmp(sp, "mysql", 5) == 0) ||
               (splen == 7 && strncasecmp(sp, "mariadb", 7) == 0)) {
        u.type = DB_MYSQL;
    } else if (splen > 5 && (strncasecmp(sp, "mysql+", 6) == 0 ||
                             strncasecmp(sp, "mariadb+", 8) == 0)) {
        err_set(err, ERR_CONFIG, "connection variant '%.*s' in db.url '%s' is not supported",
                (int)splen, sp, shown);
        refuse_hint_conf(err);
        return -1;
    } else {
        err_set(err, ERR_CONFIG, "db.url '%s' uses %.*s: engine not supported; %s", shown,
                (int)splen, sp, supported);
        return err_hint(err, "alfwipe needs an Alfresco on PostgreSQL, MySQL or MariaDB; if "
                             "db.url is overridden elsewhere (JVM -D options, JNDI), set the "
                             "database group in alfwipe.conf.");
    }
    if (u.type == DB_MYSQL && strncmp(rest, "//", 2) != 0) {
        size_t vlen = strcspn(rest, ":/?");
        err_set(err, ERR_CONFIG, "connection variant '%.*s' in db.url '%s' is not supported",
                (int)vlen, rest, shown);
        refuse_hint_conf(err);
        return -1;
    }
    const char *q = strchr(rest, '?');
    size_t body_len = q ? (size_t)(q - rest) : strlen(rest);
    const char *db;
    size_t dblen;
    if (strncmp(rest, "//", 2) == 0) {
        const char *a = rest + 2;
        size_t alen = strcspn(a, "/?");
        if (alen > body_len - 2)
            alen = body_len - 2;
        if (parse_authority(shown, a, alen, &u, err) != 0)
            goto fail;
        db = a + alen;
        dblen = body_len - 2 - alen;
        if (dblen > 0 && db[0] == '/') {
            db++;
            dblen--;
        }
    } else {
        db = rest;
        dblen = body_len;
    }
    if (dblen == 0 || memchr(db, '/', dblen)) {
        if (dblen == 0)
            err_set(err, ERR_CONFIG, "db.url '%s' names no database", shown);
        else
            err_set(err, ERR_CONFIG, "unsupported database part '%.*s' in db.url '%s'",
                    (int)dblen, db, shown);
        err_hint(err, "Add the database name, as in jdbc:postgresql://host:5432/alfresco, or "
                      "set database.name in alfwipe.conf.");
        goto fail;
    }
    u.dbname = pct_decode(db, dblen);
    if (q && q[1]) {
        u.params = xstrdup(q + 1);
        if (parse_params(shown, q + 1, &u, err) != 0)
            goto fail;
    }
    *out = u;
    return 0;
fail:
    jdbc_url_release(&u);
    return -1;
}

int jdbc_parse(const char *url, struct jdbc_url *out, struct err *err)
{
    char *shown = url_redact(url);
    int ret = parse_url(url, shown, out, err);
    free(shown);
    return ret;
}

void jdbc_url_release(struct jdbc_url *u)
{
    if (!u)
        return;
    free(u->host);
    free(u->dbname);
    free(u->sslmode);
    free(u->socket);
    free(u->sslrootcert);
    free(u->schema);
    free(u->user);
    if (u->password)
        explicit_bzero(u->password, strlen(u->password));
    free(u->password);
    if (u->params)
        explicit_bzero(u->params, strlen(u->params));
    free(u->params);
    free(u->unapplied);
    memset(u, 0, sizeof *u);
}
