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
        {"jdbc:postgresql://h/d?ssl=true", "require"},
        {"jdbc:postgresql://h/d?ssl", "require"},
        {"jdbc:postgresql://h/d?ssl=false", "disable"},
        {"jdbc:postgresql://h/d?ssl=true&sslmode=verify-ca", "verify-ca"},
        {"jdbc:postgresql://h/d?sslmode=disable&ssl=true", "disable"},
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
    struct err e = refused("jdbc:postgresql://h/alfresco?currentSchema=a,public");
    assert_non_null(strstr(e.msg, "not one schema"));
    refused("jdbc:postgresql://h/alfresco?currentSchema=");
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
    };
    return cmocka_run_group_tests_name("jdbc", tests, NULL, NULL);
}
