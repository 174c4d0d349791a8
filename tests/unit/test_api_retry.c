/* Unit tests for the REST client's retry policy, backoff, URL checks and retry loop (with an
 * injected sleep, against a loopback port that refuses connections). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "alfwipe/api.h"

#define NOW INT64_C(1719705600000) /* 2024-06-30T00:00:00Z */

static void api_retryable__statuses__only_transient(void **state)
{
    (void)state;
    assert_true(api_retryable(API_T_OK, 429));
    assert_true(api_retryable(API_T_OK, 502));
    assert_true(api_retryable(API_T_OK, 503));
    assert_true(api_retryable(API_T_OK, 504));
    assert_false(api_retryable(API_T_OK, 500));
    assert_false(api_retryable(API_T_OK, 200));
    assert_false(api_retryable(API_T_OK, 204));
    assert_false(api_retryable(API_T_OK, 400));
    assert_false(api_retryable(API_T_OK, 401));
    assert_false(api_retryable(API_T_OK, 403));
    assert_false(api_retryable(API_T_OK, 404));
}

static void api_retryable__transport__resets_yes_tls_no(void **state)
{
    (void)state;
    assert_true(api_retryable(API_T_RESET, 0));
    assert_true(api_retryable(API_T_TIMEOUT, 0));
    assert_true(api_retryable(API_T_CONNECT, 0));
    assert_false(api_retryable(API_T_TLS, 0));
    assert_false(api_retryable(API_T_FATAL, 0));
}

static void api_backoff_ms__exponential__capped(void **state)
{
    (void)state;
    assert_int_equal(api_backoff_ms(2, NULL, NOW), API_BACKOFF_BASE_MS);
    assert_int_equal(api_backoff_ms(3, NULL, NOW), 2 * API_BACKOFF_BASE_MS);
    assert_int_equal(api_backoff_ms(4, NULL, NOW), 4 * API_BACKOFF_BASE_MS);
    assert_int_equal(api_backoff_ms(5, NULL, NOW), 8 * API_BACKOFF_BASE_MS);
    assert_int_equal(api_backoff_ms(40, NULL, NOW), API_BACKOFF_MAX_MS);
    assert_int_equal(api_backoff_ms(2, "", NOW), API_BACKOFF_BASE_MS);
}

static void api_backoff_ms__retry_after__honoured(void **state)
{
    (void)state;
    /* longer than the backoff: wait what the server asked */
    assert_int_equal(api_backoff_ms(2, "7", NOW), 7000);
    assert_int_equal(api_backoff_ms(2, " 7 ", NOW), 7000);
    /* shorter: the backoff still applies */
    assert_int_equal(api_backoff_ms(4, "1", NOW), 4 * API_BACKOFF_BASE_MS);
    assert_int_equal(api_backoff_ms(2, "0", NOW), API_BACKOFF_BASE_MS);
    /* an HTTP date, 10 s after now */
    assert_int_equal(api_backoff_ms(2, "Sun, 30 Jun 2024 00:00:10 GMT", NOW), 10000);
    /* a date in the past: no extra wait */
    assert_int_equal(api_backoff_ms(2, "Sat, 29 Jun 2024 00:00:00 GMT", NOW),
                     API_BACKOFF_BASE_MS);
    /* unreadable: ignored */
    assert_int_equal(api_backoff_ms(2, "soon", NOW), API_BACKOFF_BASE_MS);
    assert_int_equal(api_backoff_ms(2, "-5", NOW), API_BACKOFF_BASE_MS);
}

static void api_backoff_ms__retry_after_too_long__gives_up(void **state)
{
    (void)state;
    assert_int_equal(api_backoff_ms(2, "301", NOW), -1);
    assert_int_equal(api_backoff_ms(2, "300", NOW), 300000);
    assert_int_equal(api_backoff_ms(2, "Sun, 30 Jun 2024 01:00:00 GMT", NOW), -1);
}

static int new_client(const char *url, struct api **a, struct err *err)
{
    struct api_opts o = {.url = url, .user = "admin", .password = "pw", .max_attempts = 3};
    return api_new(a, &o, err);
}

static void api_new__urls__checked(void **state)
{
    (void)state;
    struct api *a = NULL;
    struct err err = ERR_INIT;
    assert_int_equal(new_client("https://alfresco.example:8443/alfresco/", &a, &err), 0);
    api_free(a);
    assert_int_equal(new_client("http://127.0.0.1:8080/alfresco", &a, &err), 0);
    api_free(a);
    assert_int_equal(new_client("http://localhost:8080/alfresco", &a, &err), 0);
    api_free(a);

    assert_int_equal(new_client("http://alfresco.example/alfresco", &a, &err), -1);
    assert_int_equal(err.kind, ERR_CONFIG);
    assert_non_null(strstr(err.msg, "plain http"));
    assert_null(a);

    assert_int_equal(new_client("https://admin:hunter2@alfresco.example/alfresco", &a, &err),
                     -1);
    assert_non_null(strstr(err.msg, "carries credentials"));
    assert_null(strstr(err.msg, "hunter2"));

    assert_int_equal(new_client("ftp://alfresco.example/", &a, &err), -1);
    assert_non_null(strstr(err.msg, "unsupported scheme"));
    assert_int_equal(new_client("https://alfresco.example/alfresco?x=1", &a, &err), -1);
    assert_int_equal(new_client("", &a, &err), -1);
    assert_non_null(strstr(err.msg, "api.url is not set"));
}

static void api_new__no_password__refused(void **state)
{
    (void)state;
    struct api *a = NULL;
    struct err err = ERR_INIT;
    struct api_opts o = {.url = "https://h/alfresco", .user = "admin", .password = NULL};
    assert_int_equal(api_new(&a, &o, &err), -1);
    assert_non_null(strstr(err.msg, "no password for api.user 'admin'"));
    o.password = "x";
    o.user = "";
    assert_int_equal(api_new(&a, &o, &err), -1);
    assert_non_null(strstr(err.msg, "api.user is not set"));
}

/* api_check_opts refuses what api_new refuses, with the same message, and sends nothing. */
static void api_check_opts__bad_urls__named_with_hint(void **state)
{
    (void)state;
    static const struct {
        const char *url, *msg;
    } bad[] = {
        {"alfresco.example:8443/alfresco", "does not start with 'https://'"},
        {"ftp://alfresco.example/alfresco", "unsupported scheme 'ftp'"},
        {"https://", "has no host"},
        {"https:///alfresco", "has no host"},
        {"https://:8443/alfresco", "has no host"},
        {"https:/alfresco.example/alfresco", "does not start with 'https://'"},
        {"http://alfresco.example/alfresco", "plain http to another host"},
        {"https://alfresco.example/alfresco extra", "holds ' '"},
        {"https://alfresco.example/alfresco\\", "holds '\\'"},
        {"https://alfresco.example/alfresco\"", "holds '\"'"},
        {"https://alfresco.example/alfresco%zz", "holds '%'"},
        {"https://alfresco.example/alfresco\n", "control character 0x0a at position 34"},
        {"https://alfresco.example/alfr\xc3\xa9sco", "holds the byte 0xc3"},
        {"https://alfresco.example:84x3/alfresco", "is not a URL"},
        {"https://alfresco.example:99999/alfresco", "is not a URL"},
        {"https://alfresco.example/alfresco#top", "query or fragment"},
        {"https://alfresco.example/alfresco/api/-default-/public/alfresco/versions/1",
         "already holds an API path"},
        {"https://u:hunter2@alfresco.example:84x3/alfresco", "carries credentials"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct api_opts o = {.url = bad[i].url, .user = "admin", .password = "pw"};
        struct err e1 = ERR_INIT, e2 = ERR_INIT;
        struct api *a = NULL;
        assert_int_equal(api_check_opts(&o, &e1), -1);
        assert_int_equal(e1.kind, ERR_CONFIG);
        if (!strstr(e1.msg, bad[i].msg))
            fail_msg("url %zu: '%s' does not say '%s'", i, e1.msg, bad[i].msg);
        assert_true(e1.hint[0] != '\0');
        assert_null(strstr(e1.msg, "hunter2"));
        assert_int_equal(api_new(&a, &o, &e2), -1);
        assert_null(a);
        assert_string_equal(e1.msg, e2.msg);
        assert_string_equal(e1.hint, e2.hint);
    }
    static const char *const good[] = {
        "https://alfresco.example:8443/alfresco", "https://alfresco.example/alfresco/",
        "https://alfresco.example/my%20alfresco", "HTTPS://alfresco.example/alfresco",
        "http://127.0.0.1:8080/alfresco", "http://[::1]:8080/alfresco",
        "https://[2001:db8::1]:8443/alfresco",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        struct api_opts o = {.url = good[i], .user = "admin", .password = "pw"};
        struct err err = ERR_INIT;
        if (api_check_opts(&o, &err) != 0)
            fail_msg("url '%s' refused: %s", good[i], err.msg);
    }
    /* The CA file is checked before anything is sent. */
    struct api_opts o = {.url = good[0], .user = "admin", .password = "pw",
                         .ca_file = "/nonexistent/ca.pem"};
    struct err err = ERR_INIT;
    assert_int_equal(api_check_opts(&o, &err), -1);
    assert_non_null(strstr(err.msg, "api.ca_file '/nonexistent/ca.pem'"));
    o.ca_file = "/";
    assert_int_equal(api_check_opts(&o, &err), -1);
    assert_non_null(strstr(err.msg, "not a regular file"));
}

struct sleeps {
    int64_t ms[16];
    int n;
};

static void record_sleep(void *arg, int64_t ms)
{
    struct sleeps *s = arg;
    if (s->n < 16)
        s->ms[s->n++] = ms;
}

/* A loopback port nobody listens on. */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin = {0};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
    socklen_t len = sizeof sin;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
    close(fd);
    return ntohs(sin.sin_port);
}

static void api_list_trashcan__refused__bounded_attempts_with_backoff(void **state)
{
    (void)state;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/alfresco", closed_port());
    struct api *a = NULL;
    struct err err = ERR_INIT;
    assert_int_equal(new_client(url, &a, &err), 0);
    struct sleeps s = {{0}, 0};
    api_set_sleep(a, record_sleep, &s);
    struct api_item_list l = {0};
    assert_int_equal(api_list_trashcan(a, &l, &err), -1);
    /* three attempts, two waits, doubling */
    assert_int_equal(api_request_count(a), 3);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.ms[0], API_BACKOFF_BASE_MS);
    assert_int_equal(s.ms[1], 2 * API_BACKOFF_BASE_MS);
    assert_non_null(strstr(err.msg, "page at skipCount 0"));
    assert_non_null(strstr(err.msg, "could not connect"));
    assert_int_equal(l.n, 0);
    api_free(a);
}

static void api_purge_item__refused__failed_not_stop(void **state)
{
    (void)state;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/alfresco", closed_port());
    struct api *a = NULL;
    struct err err = ERR_INIT;
    assert_int_equal(new_client(url, &a, &err), 0);
    struct sleeps s = {{0}, 0};
    api_set_sleep(a, record_sleep, &s);
    struct api_del_result res;
    assert_int_equal(api_purge_item(a, "uuid-e", &res, &err), 0);
    assert_int_equal(res.status, API_DEL_FAILED);
    assert_int_equal(res.attempts, 3);
    assert_int_equal(res.http_status, 0);
    assert_non_null(strstr(err.msg, "after 3 attempts"));
    api_free(a);
}

static void api_purge_item__stop_flag__no_retry(void **state)
{
    (void)state;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/alfresco", closed_port());
    volatile sig_atomic_t stop = 1;
    struct api_opts o = {.url = url, .user = "admin", .password = "pw", .max_attempts = 5,
                         .stop_flag = &stop};
    struct api *a = NULL;
    struct err err = ERR_INIT;
    assert_int_equal(api_new(&a, &o, &err), 0);
    struct sleeps s = {{0}, 0};
    api_set_sleep(a, record_sleep, &s);
    struct api_del_result res;
    assert_int_equal(api_purge_item(a, "uuid-e", &res, &err), 0);
    assert_int_equal(res.status, API_DEL_STOP);
    assert_int_equal(res.attempts, 1);
    assert_int_equal(s.n, 0);
    api_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(api_retryable__statuses__only_transient),
        cmocka_unit_test(api_retryable__transport__resets_yes_tls_no),
        cmocka_unit_test(api_backoff_ms__exponential__capped),
        cmocka_unit_test(api_backoff_ms__retry_after__honoured),
        cmocka_unit_test(api_backoff_ms__retry_after_too_long__gives_up),
        cmocka_unit_test(api_new__urls__checked),
        cmocka_unit_test(api_new__no_password__refused),
        cmocka_unit_test(api_check_opts__bad_urls__named_with_hint),
        cmocka_unit_test(api_list_trashcan__refused__bounded_attempts_with_backoff),
        cmocka_unit_test(api_purge_item__refused__failed_not_stop),
        cmocka_unit_test(api_purge_item__stop_flag__no_retry),
    };
    return cmocka_run_group_tests_name("api_retry", tests, NULL, NULL);
}
