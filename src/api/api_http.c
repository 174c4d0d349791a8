/* libcurl side of the REST client: one easy handle, TLS always verified, retries with backoff,
 * basic or ticket authentication, and the trashcan listing and purge requests.
 * Secrets (password, ticket) go only to libcurl or into a header; -vv logs method, path and
 * status, never a header or a body. */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alfwipe/api.h"
#include "alfwipe/timeutil.h"
#include "alfwipe/xalloc.h"

#ifndef ALFWIPE_VERSION
#define ALFWIPE_VERSION "0"
#endif

struct api {
    CURL *curl;
    char *base;             /* webapp base URL without trailing '/' */
    char *base_path;        /* its path part, for log lines */
    char *host;
    char *user;
    char *password;         /* secret */
    char *ca_file;
    long timeout_s;
    int max_attempts;
    long page_size;
    enum api_auth auth;
    bool https;
    struct curl_slist *auth_hdr;   /* ticket mode: "Authorization: Basic ..." (secret) */
    volatile sig_atomic_t *stop;
    api_sleep_fn *sleep_fn;
    void *sleep_arg;
    long nreq;
    char errbuf[CURL_ERROR_SIZE];
};

/* A reply as received. */
struct resp {
    long status;
    char *body;
    size_t len, cap;
    bool too_big;
    char retry_after[64];
};

static void resp_reset(struct resp *r)
{
    r->status = 0;
    r->len = 0;
    r->too_big = false;
    r->retry_after[0] = '\0';
    if (r->body)
        r->body[0] = '\0';
}

static void resp_release(struct resp *r)
{
    free(r->body);
    memset(r, 0, sizeof *r);
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *arg)
{
    struct resp *r = arg;
    size_t n = size * nmemb;
    if (r->len + n > API_MAX_BODY) {
        r->too_big = true;
        return 0;   /* makes libcurl stop with CURLE_WRITE_ERROR */
    }
    r->body = xgrow(r->body, &r->cap, r->len + n + 1, 1);
    memcpy(r->body + r->len, p, n);
    r->len += n;
    r->body[r->len] = '\0';
    return n;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *arg)
{
    struct resp *r = arg;
    size_t n = size * nmemb;
    static const char name[] = "retry-after:";
    if (n > sizeof name - 1 && strncasecmp(p, name, sizeof name - 1) == 0) {
        size_t vlen = n - (sizeof name - 1);
        const char *v = p + sizeof name - 1;
        while (vlen > 0 && (*v == ' ' || *v == '\t')) {
            v++;
            vlen--;
        }
        while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
            vlen--;
        if (vlen >= sizeof r->retry_after)
            vlen = sizeof r->retry_after - 1;
        memcpy(r->retry_after, v, vlen);
        r->retry_after[vlen] = '\0';
    }
    return n;
}

static void clear_free(char *s)
{
    if (s) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

static void clear_slist(struct curl_slist *l)
{
    for (struct curl_slist *p = l; p; p = p->next)
        if (p->data)
            explicit_bzero(p->data, strlen(p->data));
    curl_slist_free_all(l);
}

static bool stopping(const struct api *a)
{
    return a->stop && *a->stop;
}

static void default_sleep(void *arg, int64_t ms)
{
    struct api *a = arg;
    const char *hook = getenv("ALFWIPE_TEST_BACKOFF_MS");
    if (hook && *hook) {
        char *end;
        long long t = strtoll(hook, &end, 10);
        if (*end == '\0' && t >= 0)
            ms = t;
    }
    /* Sleep in slices so that a signal ends the wait soon. */
    while (ms > 0 && !stopping(a)) {
        int64_t slice = ms > 100 ? 100 : ms;
        struct timespec ts = {(time_t)(slice / 1000), (long)(slice % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !stopping(a))
            ;
        ms -= slice;
    }
}

static bool host_is_loopback(const char *h)
{
    return strcmp(h, "127.0.0.1") == 0 || strcmp(h, "localhost") == 0 ||
           strcmp(h, "[::1]") == 0 || strcmp(h, "::1") == 0 ||
           strncmp(h, "127.", 4) == 0;
}

/* The path of api.url as written, up to a query or fragment (refused later): only characters
 * RFC 3986 allows in a path, '%' only as %HH, and not the API path itself (it is appended). */
static int check_path(const char *url, const char *path, struct err *err)
{
    static const char ok[] = "-._~!$&'()*+,;=:@/";
    for (const char *p = path; *p && *p != '?' && *p != '#'; p++) {
        unsigned char ch = (unsigned char)*p;
        if ((ch < 128 && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                          (ch >= '0' && ch <= '9'))) || (ch && strchr(ok, ch)))
            continue;
        if (ch == '%' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
            p += 2;
            continue;
        }
        if (ch >= 0x80)
            err_set(err, ERR_CONFIG, "api.url '%s' holds the byte 0x%02x, which does not "
                                     "belong in a URL", url, ch);
        else
            err_set(err, ERR_CONFIG, "api.url '%s' holds '%c', which does not belong in a "
                                     "URL path", url, ch);
        return err_hint(err, "Set api.url to the bare webapp address, e.g. "
                             "https://alfresco.example:8443/alfresco, with nothing after it "
                             "(percent-encode a special character of the path as %%HH).");
    }
    if (strstr(path, "/api/-default-/") || strstr(path, "/service/api/")) {
        err_set(err, ERR_CONFIG, "api.url '%s' already holds an API path", url);
        return err_hint(err, "Set api.url to the webapp base only, e.g. "
                             "https://alfresco.example:8443/alfresco; alfwipe appends "
                             "%s itself.", API_PATH_CORE);
    }
    return 0;
}

/* api.url as written: "scheme://", a non-empty authority, then check_path. libcurl is lenient
 * here ("https:/host" and "https:///path" parse, the latter with the first path segment as
 * the host; raw quotes, backslashes and '%' pass into the request line), so this looks at the
 * text itself. Credentials are refused before anything echoes the URL. */
static int check_url_text(const char *url, struct err *err)
{
    /* A control character is named by position: echoing it would break the message. */
    for (const char *p = url; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            err_set(err, ERR_CONFIG, "api.url holds the control character 0x%02x at position "
                                     "%zu, which does not belong in a URL",
                    (unsigned char)*p, (size_t)(p - url) + 1);
            return err_hint(err, "Set api.url to the bare webapp address on one line, e.g. "
                                 "https://alfresco.example:8443/alfresco.");
        }
    }
    const char *sep = strstr(url, "://");
    if (!sep || sep == url) {
        err_set(err, ERR_CONFIG, "api.url '%s' is not a URL: it does not start with "
                                 "'https://'", url);
        return err_hint(err, "Set api.url to the Alfresco webapp, e.g. "
                             "https://alfresco.example:8443/alfresco.");
    }
    const char *auth = sep + 3;
    size_t n = strcspn(auth, "/?#");
    if (memchr(auth, '@', n)) {
        /* Do not echo the URL: it may hold a password. */
        err_set(err, ERR_CONFIG, "api.url carries credentials");
        return err_hint(err, "Remove 'user:password@' from api.url and use api.user and "
                             "api.password_file.");
    }
    if (n == 0 || auth[0] == ':') {
        err_set(err, ERR_CONFIG, "api.url '%s' has no host", url);
        return err_hint(err, "Set api.url to the Alfresco webapp with its host name, e.g. "
                             "https://alfresco.example:8443/alfresco.");
    }
    return check_path(url, auth + n, err);
}

static int curl_ready(struct err *err)
{
    static bool done;
    if (!done) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            return err_set(err, ERR_NET, "could not initialise libcurl");
        done = true;
    }
    return 0;
}

/* Split and check api.url; a NULL a only checks. */
static int parse_base(struct api *a, const char *url, struct err *err)
{
    int ret = -1;
    char *scheme = NULL, *host = NULL, *user = NULL, *pass = NULL, *query = NULL;
    char *frag = NULL, *path = NULL, *full = NULL;
    if (check_url_text(url, err) != 0 || curl_ready(err) != 0)
        return -1;
    CURLU *u = curl_url();
    if (!u)
        return err_set(err, ERR_NOMEM, "out of memory");
    CURLUcode uc = curl_url_set(u, CURLUPART_URL, url, 0);
    if (uc == CURLUE_OK)
        uc = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
    if (uc == CURLUE_OK)
        uc = curl_url_get(u, CURLUPART_HOST, &host, 0);
    if (uc != CURLUE_OK) {
        err_set(err, ERR_CONFIG, "api.url '%s' is not a URL: %s", url, curl_url_strerror(uc));
        err_hint(err, "Set api.url to the Alfresco webapp, e.g. "
                      "https://alfresco.example:8443/alfresco.");
        goto out;
    }
    curl_url_get(u, CURLUPART_USER, &user, 0);
    curl_url_get(u, CURLUPART_PASSWORD, &pass, 0);
    curl_url_get(u, CURLUPART_QUERY, &query, 0);
    curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0);
    if (user || pass) {
        /* Do not echo the URL: it may hold a password. */
        err_set(err, ERR_CONFIG, "api.url carries credentials");
        err_hint(err, "Remove 'user:password@' from api.url and use api.user and "
                      "api.password_file.");
        goto out;
    }
    if (query || frag) {
        err_set(err, ERR_CONFIG, "api.url '%s' has a query or fragment", url);
        err_hint(err, "Set api.url to the bare webapp address, e.g. "
                      "https://alfresco.example:8443/alfresco.");
        goto out;
    }
    bool https = false;
    if (strcmp(scheme, "https") == 0) {
        https = true;
    } else if (strcmp(scheme, "http") == 0 && host_is_loopback(host)) {
        /* Plain HTTP only to this machine (e.g. Tomcat behind a local proxy): nothing
         * crosses a network in clear. */
        https = false;
    } else if (strcmp(scheme, "http") == 0) {
        err_set(err, ERR_CONFIG, "api.url '%s' is plain http to another host", url);
        err_hint(err, "Use https:// (the password would cross the network in clear); "
                      "plain http is accepted only for 127.0.0.1, ::1 and localhost.");
        goto out;
    } else {
        err_set(err, ERR_CONFIG, "api.url '%s' has unsupported scheme '%s'", url, scheme);
        err_hint(err, "Use an https:// address.");
        goto out;
    }
    if (curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK) {
        err_set(err, ERR_CONFIG, "api.url '%s' is not a URL", url);
        goto out;
    }
    ret = 0;
    if (!a)
        goto out;
    a->https = https;
    size_t n = strlen(full);
    while (n > 0 && full[n - 1] == '/')
        n--;
    a->base = xstrndup(full, n);
    n = strlen(path);
    while (n > 0 && path[n - 1] == '/')
        n--;
    a->base_path = xstrndup(path, n);
    a->host = xstrdup(host);
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(user);
    curl_free(pass);
    curl_free(query);
    curl_free(frag);
    curl_free(path);
    curl_free(full);
    curl_url_cleanup(u);
    return ret;
}

/* api.ca_file must be a readable regular file before anything is sent: libcurl would only
 * find out during the first handshake, and blame the server's certificate. */
static int check_ca_file(const char *path, struct err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        err_sys(err, ERR_CONFIG, errno, "cannot read api.ca_file '%s'", path);
        return err_hint(err, "Point api.ca_file at the PEM file of the CA that signed the "
                             "server's certificate, or remove it to use the system's CAs.");
    }
    struct stat st;
    int rc = fstat(fd, &st);
    close(fd);
    if (rc != 0 || !S_ISREG(st.st_mode)) {
        err_set(err, ERR_CONFIG, "api.ca_file '%s' is not a regular file", path);
        return err_hint(err, "Point api.ca_file at the PEM file of the CA that signed the "
                             "server's certificate.");
    }
    return 0;
}

int api_check_opts(const struct api_opts *o, struct err *err)
{
    if (!o->url || !*o->url) {
        err_set(err, ERR_CONFIG, "api.url is not set");
        return err_hint(err, "Set api.url in alfwipe.conf to the Alfresco webapp, e.g. "
                             "https://alfresco.example:8443/alfresco.");
    }
    if (!o->user || !*o->user) {
        err_set(err, ERR_CONFIG, "api.user is not set");
        return err_hint(err, "Set api.user in alfwipe.conf to an Alfresco administrator.");
    }
    if (o->ca_file && *o->ca_file && check_ca_file(o->ca_file, err) != 0)
        return -1;
    return parse_base(NULL, o->url, err);
}

int api_new(struct api **out, const struct api_opts *o, struct err *err)
{
    *out = NULL;
    if (api_check_opts(o, err) != 0)
        return -1;
    if (!o->password) {
        err_set(err, ERR_CONFIG, "no password for api.user '%s'", o->user);
        return err_hint(err, "Set api.password_file (mode 0600) or $ALFWIPE_API_PASSWORD.");
    }
    if (strchr(o->user, ':') && o->auth == API_AUTH_BASIC) {
        err_set(err, ERR_CONFIG, "api.user '%s' contains ':'", o->user);
        return err_hint(err, "HTTP basic authentication cannot carry such a user name; "
                             "use --auth ticket.");
    }
    struct api *a = xcalloc(1, sizeof *a);
    if (parse_base(a, o->url, err) != 0) {
        api_free(a);
        return -1;
    }
    a->user = xstrdup(o->user);
    a->password = xstrdup(o->password);
    a->ca_file = o->ca_file && *o->ca_file ? xstrdup(o->ca_file) : NULL;
    a->timeout_s = o->timeout_seconds > 0 ? o->timeout_seconds : API_DEFAULT_TIMEOUT_S;
    a->max_attempts = o->max_attempts > 0 ? o->max_attempts : API_DEFAULT_ATTEMPTS;
    a->page_size = o->page_size > 0 ? o->page_size : API_DEFAULT_PAGE_SIZE;
    a->auth = o->auth;
    a->stop = o->stop_flag;
    a->sleep_fn = default_sleep;
    a->sleep_arg = a;
    a->curl = curl_easy_init();
    if (!a->curl) {
        api_free(a);
        return err_set(err, ERR_NET, "could not initialise libcurl");
    }
    CURL *c = a->curl;
    long tmo = a->timeout_s * 1000;
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, a->errbuf);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, a->https ? "https" : "http");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (a->ca_file)
        curl_easy_setopt(c, CURLOPT_CAINFO, a->ca_file);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, tmo);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, tmo < 30000 ? tmo : 30000L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "alfwipe/" ALFWIPE_VERSION);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    *out = a;
    return 0;
}

void api_set_sleep(struct api *a, api_sleep_fn *fn, void *arg)
{
    a->sleep_fn = fn ? fn : default_sleep;
    a->sleep_arg = fn ? arg : a;
}

long api_request_count(const struct api *a)
{
    return a->nreq;
}

static enum api_transport classify(CURLcode rc)
{
    switch (rc) {
    case CURLE_OK:
        return API_T_OK;
    case CURLE_OPERATION_TIMEDOUT:
        return API_T_TIMEOUT;
    case CURLE_COULDNT_CONNECT:
        return API_T_CONNECT;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return API_T_RESET;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_USE_SSL_FAILED:
        return API_T_TLS;
    default:
        return API_T_FATAL;
    }
}

/* Describe a transport failure in err. */
static int transport_error(struct api *a, CURLcode rc, const struct resp *r, struct err *err)
{
    const char *detail = a->errbuf[0] ? a->errbuf : curl_easy_strerror(rc);
    switch (classify(rc)) {
    case API_T_TLS:
        if (rc == CURLE_SSL_CACERT_BADFILE) {
            err_set(err, ERR_CONFIG, "api.ca_file '%s' holds no usable CA certificate: %s",
                    a->ca_file ? a->ca_file : "(system default)", detail);
            return err_hint(err, "Set api.ca_file to a PEM file with the certificate of the CA "
                                 "that signed the server's certificate.");
        }
        if (rc == CURLE_PEER_FAILED_VERIFICATION) {
            err_set(err, ERR_NET, "TLS certificate verification failed for %s: %s", a->host,
                    detail);
            if (strstr(detail, "host name") || strstr(detail, "subject name"))
                return err_hint(err, "Use in api.url a host name the server's certificate was "
                                     "issued for; verification is never switched off.");
            if (a->ca_file)
                return err_hint(err, "api.ca_file ('%s') does not hold the CA that signed the "
                                     "server's certificate: point it at that CA's PEM file; "
                                     "verification is never switched off.", a->ca_file);
            return err_hint(err, "Set api.ca_file to the PEM file of the CA that signed the "
                                 "server's certificate; verification is never switched off.");
        }
        err_set(err, ERR_NET, "TLS handshake with %s failed: %s", a->host, detail);
        return err_hint(err, "Check that api.url points at an HTTPS port and that api.ca_file "
                             "is a PEM file.");
    case API_T_TIMEOUT:
        err_set(err, ERR_NET, "no reply from %s within %ld s", a->host, a->timeout_s);
        return err_hint(err, "Check that Alfresco is up; raise api.timeout_seconds if it is "
                             "only slow.");
    case API_T_CONNECT:
        err_set(err, ERR_NET, "could not connect to %s: %s", a->host, detail);
        return err_hint(err, "Check the host and port in api.url and that Alfresco is "
                             "running.");
    case API_T_RESET:
        return err_set(err, ERR_NET, "connection to %s broke: %s", a->host, detail);
    default:
        if (rc == CURLE_WRITE_ERROR && r->too_big)
            return err_set(err, ERR_NET, "reply from %s is larger than %u bytes", a->host,
                           API_MAX_BODY);
        if (rc == CURLE_COULDNT_RESOLVE_HOST) {
            err_set(err, ERR_NET, "could not resolve host '%s' of api.url", a->host);
            return err_hint(err, "Check the host name in api.url.");
        }
        return err_set(err, ERR_NET, "request to %s failed: %s", a->host, detail);
    }
}

/* One request with retries. Returns 0 when an HTTP response arrived (r->status may still be a
 * retryable status when the attempts ran out), -1 on a transport failure (after retries for the
 * retryable kinds) with err filled and *tk set. 'rel' is the path after the webapp base. */
static int request(struct api *a, const char *method, const char *rel, const char *body,
                   struct curl_slist *auth_hdr, bool basic, struct resp *r, int *attempts,
                   enum api_transport *tk, struct err *err)
{
    CURL *c = a->curl;
    char *url = xasprintf("%s%s", a->base, rel);
    struct curl_slist *hdr = curl_slist_append(NULL, "Accept: application/json");
    if (body)
        hdr = curl_slist_append(hdr, "Content-Type: application/json");
    for (struct curl_slist *p = auth_hdr; p; p = p->next)
        hdr = curl_slist_append(hdr, p->data);
    int ret = -1;
    *tk = API_T_OK;
    *attempts = 0;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    if (basic) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERNAME, a->user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, a->password);
    } else {
        curl_easy_setopt(c, CURLOPT_USERNAME, NULL);
        curl_easy_setopt(c, CURLOPT_PASSWORD, NULL);
    }
    if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)(body ? strlen(body) : 0));
    } else {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    }
    for (int attempt = 1;; attempt++) {
        if (attempt > 1 && stopping(a)) {
            err_set(err, ERR_NET, "interrupted");
            *tk = API_T_FATAL;
            goto out;
        }
        resp_reset(r);
        a->errbuf[0] = '\0';
        a->nreq++;
        *attempts = attempt;
        CURLcode rc = curl_easy_perform(c);
        enum api_transport t = classify(rc);
        if (t == API_T_OK)
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
        if (t == API_T_OK)
            debug_msg("%s %s%s -> %ld", method, a->base_path, rel, r->status);
        else
            debug_msg("%s %s%s -> no reply (%s)", method, a->base_path, rel,
                      curl_easy_strerror(rc));
        if (!api_retryable(t, r->status) || attempt >= a->max_attempts || stopping(a)) {
            if (t == API_T_OK) {
                ret = 0;
            } else {
                transport_error(a, rc, r, err);
                *tk = t;
            }
            goto out;
        }
        int64_t wait = api_backoff_ms(attempt + 1, t == API_T_OK ? r->retry_after : NULL,
                                      time_now_ms());
        if (wait < 0) {
            debug_msg("Retry-After '%s' is longer than %d s: not retrying", r->retry_after,
                      API_RETRY_AFTER_MAX_MS / 1000);
            ret = 0;
            goto out;
        }
        debug_msg("retrying %s %s%s in %lld ms (attempt %d of %d)", method, a->base_path, rel,
                  (long long)wait, attempt + 1, a->max_attempts);
        a->sleep_fn(a->sleep_arg, wait);
    }
out:
    if (body) {
        /* The ticket request's body holds the password: libcurl must not keep a pointer. */
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    clear_slist(hdr);
    free(url);
    return ret;
}

static int auth_failed(struct api *a, long status, struct err *err)
{
    if (status == 403) {
        err_set(err, ERR_CONFIG, "user '%s' is not allowed to use the trashcan at %s (HTTP 403)",
                a->user, a->base);
        return err_hint(err, "Run purge as an Alfresco administrator.");
    }
    err_set(err, ERR_CONFIG, "authentication failed for user '%s' at %s (HTTP %ld)", a->user,
            a->base, status);
    return err_hint(err, "Check api.user and api.password_file.");
}

static char *b64(const char *s)
{
    size_t n = strlen(s);
    unsigned char *out = xmalloc(4 * ((n + 2) / 3) + 1);
    EVP_EncodeBlock(out, (const unsigned char *)s, (int)n);
    return (char *)out;
}

int api_login(struct api *a, struct err *err)
{
    if (a->auth != API_AUTH_TICKET)
        return 0;
    if (a->auth_hdr) {
        clear_slist(a->auth_hdr);
        a->auth_hdr = NULL;
    }
    json_t *req = json_pack("{s:s, s:s}", "userId", a->user, "password", a->password);
    char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (!body)
        return err_set(err, ERR_NOMEM, "could not build the ticket request");
    struct resp r = {0};
    int attempts;
    enum api_transport tk;
    int ret = -1;
    int rc = request(a, "POST", API_PATH_TICKETS, body, NULL, false, &r, &attempts, &tk, err);
    clear_free(body);
    if (rc != 0) {
        err_prefix(err, "could not obtain a ticket");
        goto out;
    }
    if (r.status == 401 || r.status == 403) {
        auth_failed(a, 401, err);
        goto out;
    }
    if (r.status != 201 && r.status != 200) {
        struct api_error_body eb;
        api_parse_error_body(r.body, r.len, &eb);
        err_set(err, ERR_NET, "could not obtain a ticket at %s: HTTP %ld%s%s", a->base,
                r.status, eb.brief_summary[0] ? ": " : "", eb.brief_summary);
        goto out;
    }
    json_t *root = json_loadb(r.body ? r.body : "", r.len, 0, NULL);
    const char *id = json_string_value(json_object_get(json_object_get(root, "entry"), "id"));
    if (!id || !*id) {
        json_decref(root);
        err_set(err, ERR_DATA, "ticket reply from %s has no 'entry.id'", a->base);
        goto out;
    }
    char *enc = b64(id);
    char *line = xasprintf("Authorization: Basic %s", enc);
    a->auth_hdr = curl_slist_append(NULL, line);
    clear_free(enc);
    clear_free(line);
    json_decref(root);   /* the ticket string inside is not cleared: jansson owns it */
    ret = 0;
out:
    if (r.body)
        explicit_bzero(r.body, r.len);
    resp_release(&r);
    return ret;
}

/* A request with authentication. With tickets, a 401 (expired ticket) gets one fresh ticket
 * and a single repeat of the request. */
static int call(struct api *a, const char *method, const char *rel, struct resp *r,
                int *attempts, enum api_transport *tk, struct err *err)
{
    bool basic = a->auth == API_AUTH_BASIC;
    int rc = request(a, method, rel, NULL, a->auth_hdr, basic, r, attempts, tk, err);
    if (rc == 0 && r->status == 401 && !basic) {
        int more;
        debug_msg("ticket refused, asking for a new one");
        if (api_login(a, err) != 0) {
            *tk = API_T_FATAL;
            return -1;
        }
        rc = request(a, method, rel, NULL, a->auth_hdr, false, r, &more, tk, err);
        *attempts += more;
    }
    return rc;
}

static void describe_status(struct api *a, const char *what, const struct resp *r,
                            const struct api_error_body *eb, struct err *err)
{
    (void)a;
    char extra[768] = "";
    if (eb->brief_summary[0] && eb->log_id[0])
        snprintf(extra, sizeof extra, ": %s (logId %s)", eb->brief_summary, eb->log_id);
    else if (eb->brief_summary[0])
        snprintf(extra, sizeof extra, ": %s", eb->brief_summary);
    else if (eb->log_id[0])
        snprintf(extra, sizeof extra, " (logId %s)", eb->log_id);
    err_set(err, ERR_NET, "%s: HTTP %ld%s", what, r->status, extra);
}

/* More top-level items than one run lists: a server that hands out new ids for ever, and
 * no totalItems to catch it by, would otherwise be listed until memory runs out (some 200
 * bytes an item). ALFWIPE_TEST_LIST_MAX lowers the bound for tests. */
#define LIST_MAX_ITEMS 20000000u

static size_t list_max_items(void)
{
    const char *env = getenv("ALFWIPE_TEST_LIST_MAX");
    if (env && *env) {
        char *end;
        unsigned long long v = strtoull(env, &end, 10);
        if (*end == '\0' && v > 0)
            return (size_t)v;
    }
    return LIST_MAX_ITEMS;
}

int api_list_trashcan(struct api *a, struct api_item_list *list, struct err *err)
{
    const size_t max_items = list_max_items();
    int ret = -1;
    int64_t skip = 0;
    struct resp r = {0};
    json_t *seen = json_object();   /* used as a hash set of the ids listed so far */
    for (long page_no = 1;; page_no++) {
        if (stopping(a)) {
            /* A signal between pages: the listing could go on for long; the caller reports
             * the interruption. */
            err_set(err, ERR_NET, "interrupted");
            goto out;
        }
        char rel[160];
        snprintf(rel, sizeof rel, "%s/deleted-nodes?skipCount=%lld&maxItems=%ld",
                 API_PATH_CORE, (long long)skip, a->page_size);
        int attempts;
        enum api_transport tk;
        if (call(a, "GET", rel, &r, &attempts, &tk, err) != 0) {
            err_prefix(err, "could not list the trashcan: page at skipCount %lld",
                       (long long)skip);
            goto out;
        }
        if (r.status == 401 || r.status == 403) {
            auth_failed(a, r.status, err);
            goto out;
        }
        if (r.status == 404) {
            err_set(err, ERR_NET, "no trashcan API at %s%s/deleted-nodes (HTTP 404)", a->base,
                    API_PATH_CORE);
            err_hint(err, "Set api.url to the Alfresco webapp (ending in /alfresco); the "
                          "REST API needs Alfresco 5.2 or later.");
            goto out;
        }
        if (r.status >= 300 && r.status < 400) {
            err_set(err, ERR_NET, "could not list the trashcan: page at skipCount %lld: HTTP "
                    "%ld redirects to another address, which is not followed", (long long)skip,
                    r.status);
            err_hint(err, "Set api.url to the address Alfresco answers at (e.g. https:// "
                          "instead of http://, or the host a proxy sends to): alfwipe follows "
                          "no redirect, so that the credentials never leave the configured "
                          "host.");
            goto out;
        }
        if (r.status != 200) {
            struct api_error_body eb;
            char what[96];
            api_parse_error_body(r.body, r.len, &eb);
            snprintf(what, sizeof what, "could not list the trashcan: page at skipCount %lld",
                     (long long)skip);
            describe_status(a, what, &r, &eb, err);
            if (attempts > 1)
                err_hint(err, "The server still failed after %d attempts; try again later.",
                         attempts);
            goto out;
        }
        struct api_page pg;
        size_t first = list->n;
        if (api_parse_page(r.body ? r.body : "", r.len, skip, &pg, list, err) != 0)
            goto out;
        /* Keep the first copy of every id: items added meanwhile shift later pages. */
        size_t fresh = 0, w = first;
        for (size_t i = first; i < list->n; i++) {
            struct api_item *it = &list->v[i];
            if (json_object_get(seen, it->id)) {
                api_item_release(it);
                continue;
            }
            json_object_set_new(seen, it->id, json_true());
            list->v[w++] = *it;
            fresh++;
        }
        list->n = w;
        debug_msg("page at skipCount %lld: %lld entries, %zu new, hasMoreItems %s",
                  (long long)skip, (long long)pg.count, fresh, pg.has_more ? "true" : "false");
        if (!pg.has_more)
            break;
        if (list->n > max_items) {
            err_set(err, ERR_DATA, "the trashcan listing passed %zu items at skipCount %lld and "
                    "the server still says hasMoreItems: more than one run lists", max_items,
                    (long long)skip);
            err_hint(err, "Check that api.url is Alfresco's and that its paging ends. If the "
                          "trashcan really holds that many items, empty part of it with "
                          "Alfresco's own trashcan cleaner first; nothing was purged.");
            goto out;
        }
        if (pg.count == 0) {
            err_set(err, ERR_DATA, "pagination does not advance: page at skipCount %lld is "
                    "empty but hasMoreItems is true", (long long)skip);
            goto out;
        }
        if (pg.has_total && pg.total_items >= 0 && skip + pg.count >= pg.total_items) {
            /* The page says it ends the list and, at once, that more follows: a server that
             * hands out new ids for ever would otherwise be listed until memory runs out. */
            err_set(err, ERR_DATA, "pagination does not advance: page at skipCount %lld ends at "
                    "item %lld of totalItems %lld but hasMoreItems is true", (long long)skip,
                    (long long)(skip + pg.count), (long long)pg.total_items);
            goto out;
        }
        if (fresh == 0) {
            err_set(err, ERR_DATA, "pagination does not advance: page at skipCount %lld brings "
                    "no new ids (page %ld)", (long long)skip, page_no);
            goto out;
        }
        skip += pg.count;
    }
    ret = 0;
out:
    json_decref(seen);
    resp_release(&r);
    return ret;
}

int api_purge_item(struct api *a, const char *id, struct api_del_result *res,
                   struct err *err)
{
    memset(res, 0, sizeof *res);
    char *esc = curl_easy_escape(a->curl, id, 0);
    if (!esc)
        return err_set(err, ERR_NOMEM, "out of memory");
    char *rel = xasprintf("%s/deleted-nodes/%s", API_PATH_CORE, esc);
    curl_free(esc);
    struct resp r = {0};
    enum api_transport tk;
    int rc = call(a, "DELETE", rel, &r, &res->attempts, &tk, err);
    free(rel);
    res->http_status = r.status;
    if (rc != 0) {
        res->status = (tk == API_T_TLS || stopping(a)) ? API_DEL_STOP : API_DEL_FAILED;
        if (res->attempts > 1)
            err_prefix(err, "after %d attempts", res->attempts);
        resp_release(&r);
        return 0;
    }
    if (r.status >= 200 && r.status < 300) {
        res->status = API_DEL_PURGED;
    } else if (r.status == 404) {
        res->status = API_DEL_GONE;
    } else {
        api_parse_error_body(r.body, r.len, &res->body);
        if (r.status == 401 || r.status == 403) {
            res->status = API_DEL_STOP;
            if (r.status == 401)
                auth_failed(a, r.status, err);
            else {
                err_set(err, ERR_NET, "user '%s' is not allowed to purge '%s' (HTTP 403%s%s)",
                        a->user, id, res->body.brief_summary[0] ? ": " : "",
                        res->body.brief_summary);
                err_hint(err, "Run purge as an Alfresco administrator.");
            }
        } else {
            res->status = API_DEL_FAILED;
            describe_status(a, "purge refused", &r, &res->body, err);
            if (res->attempts > 1)
                err_prefix(err, "after %d attempts", res->attempts);
        }
    }
    resp_release(&r);
    return 0;
}

void api_logout(struct api *a)
{
    if (!a || a->auth != API_AUTH_TICKET || !a->auth_hdr)
        return;
    struct resp r = {0};
    struct err err = ERR_INIT;
    int attempts;
    enum api_transport tk;
    int saved = a->max_attempts;
    a->max_attempts = 1;
    if (request(a, "DELETE", API_PATH_TICKETS "/-me-", NULL, a->auth_hdr, false, &r, &attempts,
                &tk, &err) != 0)
        debug_msg("logout failed: %s", err.msg);
    a->max_attempts = saved;
    resp_release(&r);
}

void api_free(struct api *a)
{
    if (!a)
        return;
    if (a->curl)
        curl_easy_cleanup(a->curl);
    clear_slist(a->auth_hdr);
    clear_free(a->password);
    free(a->user);
    free(a->base);
    free(a->base_path);
    free(a->host);
    free(a->ca_file);
    explicit_bzero(a, sizeof *a);
    free(a);
}
