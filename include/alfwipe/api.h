/* Client for Alfresco's public REST API, trashcan part (deleted-nodes): list the whole
 * trashcan with paging, purge items one by one. The only module that speaks HTTP; libcurl and
 * jansson types never leave src/api/. */
#ifndef ALFWIPE_API_H
#define ALFWIPE_API_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alfwipe/err.h"

/* Paths appended to api.url (the webapp base, e.g. https://host:8443/alfresco). */
#define API_PATH_CORE "/api/-default-/public/alfresco/versions/1"
#define API_PATH_TICKETS "/api/-default-/public/authentication/versions/1/tickets"

enum api_auth {
    API_AUTH_BASIC = 0,   /* user and password on every request (libcurl, never in the URL) */
    API_AUTH_TICKET,      /* one POST .../tickets, then Authorization: Basic base64(ticket) */
};

/* Defaults for what the configuration leaves open. */
#define API_DEFAULT_TIMEOUT_S 60
#define API_DEFAULT_ATTEMPTS 5        /* the first try plus four retries */
#define API_DEFAULT_PAGE_SIZE 100     /* maxItems asked for; the server may send fewer */
#define API_BACKOFF_BASE_MS 1000      /* wait before the 2nd attempt; doubles each time */
#define API_BACKOFF_MAX_MS 60000      /* cap of the exponential part */
#define API_RETRY_AFTER_MAX_MS 300000 /* a longer Retry-After ends the retries instead */
#define API_MAX_BODY (64u << 20)      /* replies larger than this are refused */

/* Called instead of sleeping between attempts; ms is the wait the policy chose. */
typedef void api_sleep_fn(void *arg, int64_t ms);

struct api_opts {
    const char *url;             /* webapp base; https://, or http:// to a loopback host */
    const char *user;
    const char *password;        /* borrowed; the client keeps its own copy, cleared on free */
    const char *ca_file;         /* PEM bundle of trusted CAs; NULL: the system's */
    long timeout_seconds;        /* whole-request timeout; <= 0: API_DEFAULT_TIMEOUT_S */
    int max_attempts;            /* per request, including the first; <= 0: default */
    long page_size;              /* <= 0: API_DEFAULT_PAGE_SIZE */
    enum api_auth auth;
    /* Set by a signal handler: no new attempt and no backoff sleep once it is non-zero. */
    volatile sig_atomic_t *stop_flag;
};

/* One trashcan item as the API describes it. Strings owned by the list that holds it. */
struct api_item {
    char *id;                /* node uuid; checked to be URL-safe */
    char *name;
    char *node_type;         /* e.g. cm:content */
    bool is_folder, is_file;
    bool has_archived_at;    /* false when the server left archivedAt out */
    int64_t archived_at_ms;
    char *archived_by;       /* archivedByUser.id; NULL when absent */
    char *archived_by_name;  /* archivedByUser.displayName; NULL when absent */
    bool has_size;           /* content.sizeInBytes present (files only) */
    int64_t size_bytes;
    char *mime_type;         /* content.mimeType; NULL when absent */
};

struct api_item_list {
    struct api_item *v;
    size_t n, cap;
};

/* Free one item's strings (the item itself belongs to its list). */
void api_item_release(struct api_item *it);

/* Free the items' strings and the array; the list is empty afterwards. */
void api_item_list_release(struct api_item_list *l);

/* Paging envelope of one list reply. */
struct api_page {
    int64_t count, skip_count, max_items, total_items;
    bool has_total;          /* totalItems is optional */
    bool has_more;
};

/* Parse one GET /deleted-nodes reply body. Strict: a missing or ill-typed field is an
 * ERR_DATA error naming the page (skip_count asked for), the entry index and the field, e.g.
 * "page at skipCount 0: 'list.entries[1].entry.id' is missing". Appends the entries to *list;
 * on failure nothing is appended. */
int api_parse_page(const char *body, size_t len, int64_t skip_count, struct api_page *page,
                   struct api_item_list *list, struct err *err);

/* Error body {"error": {...}} of a failed request: fields copied into the caller's buffers
 * (empty when absent or when the body is not such an object). Never fails. */
struct api_error_body {
    char error_key[128];
    char brief_summary[512];
    char log_id[64];
    long status_code;        /* 0 when absent */
};
void api_parse_error_body(const char *body, size_t len, struct api_error_body *out);

/* What an attempt ended with, as far as the retry policy cares. */
enum api_transport {
    API_T_OK = 0,       /* an HTTP response arrived (any status) */
    API_T_RESET,        /* connection reset / closed without a reply / partial reply */
    API_T_TIMEOUT,      /* no complete reply within the timeout */
    API_T_CONNECT,      /* connection refused */
    API_T_TLS,          /* certificate or handshake failure: never retried */
    API_T_FATAL,        /* anything else (bad host name, out of memory ...) */
};

/* Retry policy. True when an attempt that ended with (t, status) may be tried again: 429,
 * 502, 503, 504, resets, timeouts and refused connections; never a TLS failure, 401, 403,
 * 404 or 500. */
bool api_retryable(enum api_transport t, long status);

/* Wait before attempt number 'next_attempt' (2 for the first retry): API_BACKOFF_BASE_MS
 * doubled per further attempt, capped at API_BACKOFF_MAX_MS, and never shorter than
 * Retry-After (delta-seconds or an HTTP date, relative to now_ms; NULL when absent).
 * Returns -1 when Retry-After asks for more than API_RETRY_AFTER_MAX_MS: give up instead of
 * retrying early. */
int64_t api_backoff_ms(int next_attempt, const char *retry_after, int64_t now_ms);

struct api;

/* Check the settings of the options without preparing a client or sending anything: url and
 * user present; ca_file a readable regular file; url with scheme https (http only to a
 * loopback host), a host, no credentials, query or fragment, only characters a URL path
 * allows and not the API path itself. ERR_CONFIG naming the api.* setting, with a hint.
 * api_new runs the same checks; 'alfwipe check' uses this to refuse what purge refuses. */
int api_check_opts(const struct api_opts *opts, struct err *err);

struct conf;

/* The options the api group of the configuration gives (url, user, the password once
 * conf_load_api_password has read it, ca_file, timeout_seconds); what the command line
 * chooses (auth, attempts, stop flag, page size) is left at its default. */
void api_opts_from_conf(const struct conf *conf, struct api_opts *o);

/* Whether the configuration sets any of api.url, api.user, api.password_file, api.ca_file
 * (the other keys have defaults). */
bool api_conf_present(const struct conf *conf);

/* Everything purge refuses in the settings of the api group before it sends anything: api.url
 * unset, api.password_file (read through conf_load_api_password: missing, not private, empty)
 * when set, then api_check_opts. That no password comes from anywhere is not a setting (the
 * environment of a later run may bring $ALFWIPE_API_PASSWORD): conf_load_api_password says
 * so. Nothing is sent. Used by purge and by 'alfwipe check'. */
int api_check_conf(struct conf *conf, struct err *err);

/* api_check_opts, then the password (present) and what depends on the command line (a user
 * name with ':' needs ticket authentication), and prepare the client. No request is sent.
 * ERR_CONFIG on bad options. */
int api_new(struct api **out, const struct api_opts *opts, struct err *err);

/* Replace the sleep between attempts (tests). By default the client sleeps the chosen time,
 * or ALFWIPE_TEST_BACKOFF_MS milliseconds when that variable is set (test hook); either way
 * -vv logs the chosen wait. */
void api_set_sleep(struct api *a, api_sleep_fn *fn, void *arg);

/* Ticket authentication: obtain the ticket (no-op for basic auth). A 401/403 answer is an
 * ERR_CONFIG error "authentication failed for user '<user>' at <url>". */
int api_login(struct api *a, struct err *err);

/* List the whole trashcan into *list, in the server's order. Pages are requested with
 * skipCount advanced by the entries actually received until hasMoreItems is false. A page
 * that brings no new id, an empty page that claims more, a failed request (after retries),
 * a 401/403 or a malformed reply ends the listing with an error naming the page. */
int api_list_trashcan(struct api *a, struct api_item_list *list, struct err *err);

enum api_del_status {
    API_DEL_PURGED = 0,   /* 204 (or another 2xx) */
    API_DEL_GONE,         /* 404: not in the trashcan any more */
    API_DEL_FAILED,       /* any other answer, or the request failed after retries */
    API_DEL_STOP,         /* 401/403, TLS failure or interrupted: item failed, stop the run */
};

struct api_del_result {
    enum api_del_status status;
    long http_status;            /* 0 when no response arrived */
    int attempts;
    struct api_error_body body;  /* from the error reply, when there was one */
};

/* DELETE /deleted-nodes/<id>. Returns 0 with *res filled for every outcome that concerns the
 * item; err is filled too (a one-line reason) when res->status is FAILED or STOP. */
int api_purge_item(struct api *a, const char *id, struct api_del_result *res,
                   struct err *err);

/* Ticket authentication: DELETE .../tickets/-me- (best effort, errors only logged). */
void api_logout(struct api *a);

/* Requests sent so far, counting every attempt. */
long api_request_count(const struct api *a);

/* Clears the password and ticket, frees everything. NULL ok. */
void api_free(struct api *a);

#endif
