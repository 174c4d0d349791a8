/* Unit tests for src/conf/jdbc.c: the db.url forms of facts §8.3 and the refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "alfwipe/jdbc.h"

static struct jdbc_url ok(const char *url)
{
    struct jdbc_url u;
    struct err err = ERR_INIT;
    if (jdbc_parse(url, &u, &err) != 0)
        fail_msg("'%s' refused: %s", url, err.msg);
    return u;
}

static struct err refused(const char *url)
{
    struct jdbc_url u = {0};
    struct err err = ERR_INIT;
    if (jdbc_parse(url, &u, &err) == 0)
        fail_msg("'%s' accepted", url);
    assert_int_equal(err.kind, ERR_CONFIG);
    /* every refusal names the value and says how to fix it */
    assert_non_null(strstr(err.msg, url));
    assert_true(err.hint[0] != '\0');
    assert_null(u.host);
    assert_null(u.dbname);
    return err;
}

static void jdbc_parse__postgresql_full__all_parts(void **state)
{
    (void)state;
    struct jdbc_url u = ok("jdbc:postgresql://db.example.org:5433/alfresco");
    assert_int_equal(u.type, DB_PG);
    assert_string_equal(u.host, "db.example.org");
    assert_int_equal(u.port, 5433);
    assert_string_equal(u.dbname, "alfresco");
    assert_null(u.sslmode);
    assert_null(u.params);
    jdbc_url_release(&u);
}

static void jdbc_parse__postgresql_without_port__port_zero(void **state)
{
    (void)state;
    struct jdbc_url u = ok("jdbc:postgresql://localhost/alf");
    assert_string_equal(u.host, "localhost");
    assert_int_equal(u.port, 0);
    assert_string_equal(u.dbname, "alf");
    jdbc_url_release(&u);
}

static void jdbc_parse__postgresql_short_form__localhost(void **state)
{
    (void)state;
    struct jdbc_url u = ok("jdbc:postgresql:alfresco");
    assert_int_equal(u.type, DB_PG);
    assert_null(u.host);
    assert_int_equal(u.port, 0);
    assert_string_equal(u.dbname, "alfresco");
    jdbc_url_release(&u);
    u = ok("jdbc:postgresql:alfresco?sslmode=verify-full");
    assert_string_equal(u.dbname, "alfresco");
    assert_string_equal(u.sslmode, "verify-full");
    jdbc_url_release(&u);
}

static void jdbc_parse__mysql_triple_slash__localhost(void **state)
{
    (void)state;
    struct jdbc_url u = ok("jdbc:mysql:///alfresco");
    assert_int_equal(u.type, DB_MYSQL);
    assert_null(u.host);
    assert_int_equal(u.port, 0);
    assert_string_equal(u.dbname, "alfresco");
    jdbc_url_release(&u);
}

static void jdbc_parse__mysql_with_params__params_kept(void **state)
{
    (void)state;
    struct jdbc_url u =
        ok("jdbc:mysql://localhost/alfresco?useUnicode=yes&characterEncoding=UTF-8");
    assert_int_equal(u.type, DB_MYSQL);
    assert_string_equal(u.host, "localhost");
    assert_string_equal(u.dbname, "alfresco");
    assert_string_equal(u.params, "useUnicode=yes&characterEncoding=UTF-8");
    assert_null(u.sslmode);
    jdbc_url_release(&u);
}

static void jdbc_parse__mariadb__mysql_type(void **state)
{
    (void)state;
    struct jdbc_url u = ok("jdbc:mariadb://host:3307/alfresco?useSsl=true");
    assert_int_equal(u.type, DB_MYSQL);
    assert_string_equal(u.host, "host");
    assert_int_equal(u.port, 3307);
    assert_string_equal(u.sslmode, "require");
    jdbc_url_release(&u);
}

static void jdbc_parse__local_socket__socket_path(void **state)
{
    (void)state;
    struct jdbc_url u = ok("jdbc:mariadb://localhost/alfresco?localSocket=%2Frun%2Fmysqld%2Fm.sock"
                           "&useSsl=false");
    assert_string_equal(u.socket, "/run/mysqld/m.sock");
    assert_string_equal(u.dbname, "alfresco");
    jdbc_url_release(&u);
    u = ok("jdbc:mysql:///alfresco?socketFactory=org.newsclub.net.mysql."
           "AFUNIXDatabaseSocketFactory&junixsocket.file=/var/run/mysqld/mysqld.sock");
    assert_string_equal(u.socket, "/var/run/mysqld/mysqld.sock");
    jdbc_url_release(&u);
    /* PostgreSQL's driver has no such parameter: not taken as a socket */
    u = ok("jdbc:postgresql://h/alfresco?localSocket=/tmp/x&sslrootcert=/etc/ssl/pg-ca.pem");
    assert_null(u.socket);
    assert_string_equal(u.sslrootcert, "/etc/ssl/pg-ca.pem");
    jdbc_url_release(&u);
    u = ok("jdbc:mariadb://h/alfresco?sslMode=verify-full&serverSslCert=/etc/ssl/my-ca.pem");
    assert_string_equal(u.sslrootcert, "/etc/ssl/my-ca.pem");
    assert_string_equal(u.sslmode, "verify-full");
    jdbc_url_release(&u);
}

static void jdbc_parse__ssl_params__mapped_to_libpq_modes(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        /* pgjdbc 42.2.5+: ssl=true (or a bare ssl) without sslmode verifies the certificate
         * and the host name; ssl=false is the default, prefer; an explicit sslmode wins */
        {"jdbc:postgresql://h/d?ssl=true", "verify-full"},
        {"jdbc:postgresql://h/d?ssl=TRUE", "verify-full"},
        {"jdbc:postgresql://h/d?ssl", "verify-full"},
        {"jdbc:postgresql://h/d?ssl=", "verify-full"},
        {"jdbc:postgresql://h/d?ssl=false", "prefer"},
        {"jdbc:postgresql://h/d?ssl=true&sslmode=verify-ca", "verify-ca"},
        {"jdbc:postgresql://h/d?ssl=true&sslmode=require", "require"},
        {"jdbc:postgresql://h/d?sslmode=disable&ssl=true", "disable"},
        {"jdbc:postgresql://h/d?ssl=false&sslmode=verify-full", "verify-full"},
        {"jdbc:postgresql://h/d?ssl=yes&sslmode=require", "require"},
        {"jdbc:mysql://h/d?useSSL=true", "require"},
        {"jdbc:mysql://h/d?useSSL=false", "disable"},
        {"jdbc:mysql://h/d?useSSL=false&requireSSL=true", "require"},
        {"jdbc:mysql://h/d?sslMode=VERIFY_IDENTITY", "verify-full"},
        {"jdbc:mysql://h/d?sslMode=PREFERRED", "prefer"},
        {"jdbc:mariadb://h/d?sslMode=verify-ca", "verify-ca"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct jdbc_url u = ok(cases[i][0]);
        if (!u.sslmode || strcmp(u.sslmode, cases[i][1]) != 0)
            fail_msg("'%s' gave sslmode '%s', expected '%s'", cases[i][0],
                     u.sslmode ? u.sslmode : "(null)", cases[i][1]);
        jdbc_url_release(&u);
    }
}

static void jdbc_parse__ipv6_and_encoded_name__decoded(void **state)
{
    (void)state;
    struct jdbc_url u = ok("jdbc:postgresql://[::1]:5432/alf%2Dprod");
    assert_string_equal(u.host, "::1");
    assert_int_equal(u.port, 5432);
    assert_string_equal(u.dbname, "alf-prod");
    jdbc_url_release(&u);
}

static void jdbc_parse__oracle__engine_not_supported(void **state)
{
    (void)state;
    struct err e = refused("jdbc:oracle:thin:@localhost:1521:alfresco");
    assert_non_null(strstr(e.msg, "engine not supported; alfwipe reads PostgreSQL, MySQL and "
                                  "MariaDB"));
    assert_non_null(strstr(e.msg, "oracle"));
    e = refused("jdbc:sqlserver://dbhost:1433;databaseName=alfresco;lockTimeout=1000;");
    assert_non_null(strstr(e.msg, "engine not supported"));
    assert_non_null(strstr(e.msg, "sqlserver"));
}

static void jdbc_parse__failover_hosts__refused(void **state)
{
    (void)state;
    struct err e = refused("jdbc:postgresql://pg1:5432,pg2:5432/alfresco");
    assert_non_null(strstr(e.msg, "several hosts"));
    e = refused("jdbc:mysql://db1,db2/alfresco");
    assert_non_null(strstr(e.msg, "several hosts"));
}

static void jdbc_parse__variants__refused(void **state)
{
    (void)state;
    struct err e = refused("jdbc:mysql:loadbalance://db1:3306,db2:3306/alfresco");
    assert_non_null(strstr(e.msg, "'loadbalance'"));
    e = refused("jdbc:mariadb:replication://db1/alfresco");
    assert_non_null(strstr(e.msg, "'replication'"));
    e = refused("jdbc:mysql+srv://_mysql._tcp.example.com/alfresco");
    assert_non_null(strstr(e.msg, "'mysql+srv'"));
    e = refused("jdbc:mariadb:sequential://h/alfresco");
    assert_non_null(strstr(e.msg, "'sequential'"));
}

static void jdbc_parse__malformed__refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "postgresql://h/alfresco",
        "jdbc:postgresql://h:99999/alfresco",
        "jdbc:postgresql://h:abc/alfresco",
        "jdbc:postgresql://h:/alfresco",
        "jdbc:postgresql://h/",
        "jdbc:postgresql://h",
        "jdbc:postgresql:",
        "jdbc:mysql:///",
        "jdbc:postgresql://${db.host}:5432/alfresco",
        "jdbc:mysql://address=(host=h)(port=3306)/alfresco",
        "jdbc:postgresql://h/a/b",
        "jdbc:postgresql://h/d?sslmode=sometimes",
        "jdbc:mariadb://localhost/d?localSocket=mysqld.sock",
        "jdbc:mariadb://h/d?serverSslCert=-----BEGIN%20CERTIFICATE-----",
        "jdbc:",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        refused(bad[i]);
}

/* A password in db.url never reaches a message: the URL is shown with it masked. */
static void jdbc_parse__credentials__not_in_the_message(void **state)
{
    (void)state;
    static const char *const bad[][2] = {
        {"jdbc:mysql://user:secret@h/alfresco", "jdbc:mysql://***@h/alfresco"},
        {"jdbc:postgresql://h/d?password=secret&sslmode=sometimes",
         "jdbc:postgresql://h/d?password=***&sslmode=sometimes"},
        {"jdbc:oracle:thin:scott/secret@//h:1521/svc", "jdbc:oracle:thin:***@//h:1521/svc"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct jdbc_url u = {0};
        struct err err = ERR_INIT;
        assert_int_equal(jdbc_parse(bad[i][0], &u, &err), -1);
        assert_null(strstr(err.msg, "secret"));
        assert_non_null(strstr(err.msg, bad[i][1]));
    }
}

/* currentSchema= and user= (PostgreSQL driver parameters) are kept; a schema list is not one
 * schema and is refused. */
static void jdbc_parse__schema_and_user__kept(void **state)
{
    (void)state;
    struct jdbc_url u = ok("jdbc:postgresql://h/alfresco?currentSchema=alf%5Fs&user=bob");
    assert_string_equal(u.schema, "alf_s");
    assert_string_equal(u.user, "bob");
    jdbc_url_release(&u);
    u = ok("jdbc:mysql://h/alfresco?user=carol&currentSchema=ignored");
    assert_null(u.schema);
    assert_string_equal(u.user, "carol");
    jdbc_url_release(&u);
}

/* Parameters alfwipe does not apply: the URL parses, and each is recorded with its refusal
 * (naming the parameter and the URL, with a hint) and the alfwipe.conf setting that would
 * replace it; conf_merge refuses the URL unless that setting is given. */
static void unapplied1(const char *url, enum jdbc_override by, const char *param,
                       const char *hint_key)
{
    struct jdbc_url u = ok(url);
    if (u.n_unapplied != 1)
        fail_msg("'%s': %zu parameters not applied, expected 1", url, u.n_unapplied);
    const struct err *e = &u.unapplied[0].err;
    assert_int_equal(u.unapplied[0].by, by);
    assert_int_equal(e->kind, ERR_CONFIG);
    if (!strstr(e->msg, param) || !strstr(e->msg, "db.url '"))
        fail_msg("'%s': message '%s' does not name %s and the URL", url, e->msg, param);
    if (!strstr(e->hint, hint_key))
        fail_msg("'%s': hint '%s' does not name %s", url, e->hint, hint_key);
    jdbc_url_release(&u);
}

static void jdbc_parse__unapplied_parameters__recorded(void **state)
{
    (void)state;
    unapplied1("jdbc:postgresql://h/alfresco?currentSchema=a,public", JDBC_BY_SCHEMA,
               "not one schema", "database.schema");
    unapplied1("jdbc:postgresql://h/alfresco?currentSchema=", JDBC_BY_SCHEMA, "currentSchema",
               "database.schema");
    unapplied1("jdbc:postgresql://h/alfresco?options=-c%20search_path%3Dfoo", JDBC_BY_SCHEMA,
               "options '-c search_path=foo'", "database.schema");
    unapplied1("jdbc:postgresql://h/alfresco?socketFactory=org.newsclub.net.unix."
               "AFUNIXSocketFactory$FactoryArg", JDBC_BY_ENDPOINT, "socketFactory",
               "database.socket");
    unapplied1("jdbc:postgresql://h/alfresco?socketFactoryArg=/run/postgresql/.s.PGSQL.5432",
               JDBC_BY_ENDPOINT, "socketFactoryArg", "database.socket");
    unapplied1("jdbc:postgresql://h/alfresco?ssl=true&sslfactory=org.postgresql.ssl."
               "NonValidatingFactory", JDBC_BY_SSLMODE, "does not verify", "database.sslmode");
    unapplied1("jdbc:postgresql://h/alfresco?sslfactory=com.example.MyFactory",
               JDBC_BY_SSLMODE, "sslfactory 'com.example.MyFactory'", "database.sslmode");
    unapplied1("jdbc:postgresql://h/alfresco?ssl=yes", JDBC_BY_SSLMODE, "ssl 'yes'",
               "database.sslmode");
    /* the driver's own factories verify as libpq does: nothing to refuse */
    struct jdbc_url u = ok("jdbc:postgresql://h/alfresco?ssl=true&sslfactory=org.postgresql.ssl."
                           "LibPQFactory&ApplicationName=alfresco");
    assert_int_equal(u.n_unapplied, 0);
    assert_string_equal(u.sslmode, "verify-full");
    jdbc_url_release(&u);
    /* MySQL's drivers have no such parameters; Connector/J's socketFactory with a
     * junixsocket.file is the socket (jdbc_parse__local_socket__socket_path) */
    u = ok("jdbc:mysql://h/alfresco?options=x&currentSchema=a,b");
    assert_int_equal(u.n_unapplied, 0);
    jdbc_url_release(&u);
    /* the MySQL vocabulary is not pgjdbc's */
    struct err e = refused("jdbc:postgresql://h/d?sslmode=VERIFY_IDENTITY");
    assert_null(strstr(e.hint, "VERIFY_IDENTITY"));
}

/* password= is kept (a secret for the connection), never shown: the URL in a message has it
 * masked. */
static void jdbc_parse__password__kept_and_masked(void **state)
{
    (void)state;
    struct jdbc_url u = ok("jdbc:postgresql://h/alfresco?user=bob&password=s%3Dcret&ssl=maybe");
    assert_string_equal(u.password, "s=cret");
    assert_int_equal(u.n_unapplied, 1);
    assert_null(strstr(u.unapplied[0].err.msg, "cret"));
    assert_non_null(strstr(u.unapplied[0].err.msg, "password=***"));
    jdbc_url_release(&u);
    assert_null(u.password);
    u = ok("jdbc:mariadb://h/alfresco?password=pw");
    assert_string_equal(u.password, "pw");
    jdbc_url_release(&u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(jdbc_parse__postgresql_full__all_parts),
        cmocka_unit_test(jdbc_parse__postgresql_without_port__port_zero),
        cmocka_unit_test(jdbc_parse__postgresql_short_form__localhost),
        cmocka_unit_test(jdbc_parse__mysql_triple_slash__localhost),
        cmocka_unit_test(jdbc_parse__mysql_with_params__params_kept),
        cmocka_unit_test(jdbc_parse__mariadb__mysql_type),
        cmocka_unit_test(jdbc_parse__local_socket__socket_path),
        cmocka_unit_test(jdbc_parse__ssl_params__mapped_to_libpq_modes),
        cmocka_unit_test(jdbc_parse__ipv6_and_encoded_name__decoded),
        cmocka_unit_test(jdbc_parse__oracle__engine_not_supported),
        cmocka_unit_test(jdbc_parse__failover_hosts__refused),
        cmocka_unit_test(jdbc_parse__variants__refused),
        cmocka_unit_test(jdbc_parse__malformed__refused),
        cmocka_unit_test(jdbc_parse__credentials__not_in_the_message),
        cmocka_unit_test(jdbc_parse__schema_and_user__kept),
        cmocka_unit_test(jdbc_parse__unapplied_parameters__recorded),
        cmocka_unit_test(jdbc_parse__password__kept_and_masked),
    };
    return cmocka_run_group_tests_name("jdbc", tests, NULL, NULL);
}
