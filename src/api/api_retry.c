/* Retry policy of the REST client: which outcomes are tried again and how long to wait. */
#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "alfwipe/api.h"

bool api_retryable(enum api_transport t, long status)
{
    switch (t) {
    case API_T_RESET:
    case API_T_TIMEOUT:
    case API_T_CONNECT:
        return true;
    case API_T_TLS:
    case API_T_FATAL:
        return false;
    case API_T_OK:
        break;
    }
    /* 500 is left out on purpose: Alfresco answers it for errors of the item itself, which a
     * retry would only repeat. */
    return status == 429 || status == 502 || status == 503 || status == 504;
}

/* Retry-After as milliseconds from now: delta-seconds or an HTTP date. -1 when unusable. */
static int64_t retry_after_ms(const char *s, int64_t now_ms)
{
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s >= '0' && *s <= '9') {
        char *end;
        errno = 0;
        long long secs = strtoll(s, &end, 10);
        while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
            end++;
        if (errno != 0 || *end != '\0' || secs < 0)
            return -1;
        if (secs > INT64_MAX / 1000)
            return INT64_MAX;
        return (int64_t)secs * 1000;
    }
    time_t when = curl_getdate(s, NULL);
    if (when == (time_t)-1)
        return -1;
    int64_t ms = (int64_t)when * 1000 - now_ms;
    return ms < 0 ? 0 : ms;
}

int64_t api_backoff_ms(int next_attempt, const char *retry_after, int64_t now_ms)
{
    int64_t wait = API_BACKOFF_BASE_MS;
    for (int i = 2; i < next_attempt && wait < API_BACKOFF_MAX_MS; i++)
        wait *= 2;
    if (wait > API_BACKOFF_MAX_MS)
        wait = API_BACKOFF_MAX_MS;
    if (retry_after && *retry_after) {
        int64_t ra = retry_after_ms(retry_after, now_ms);
        if (ra > API_RETRY_AFTER_MAX_MS)
            return -1;
        if (ra > wait)
            wait = ra;
    }
    return wait;
}
