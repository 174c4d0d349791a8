/* url_redact: the password in a URL never reaches a message or a listing. */
#include "alfwipe/redact.h"

#include <string.h>
#include <strings.h>

#include "alfwipe/xalloc.h"

#define MASK "***"

char *url_redact(const char *url)
{
    size_t len = strlen(url);
    /* Every masked part is replaced by 3 bytes; at worst each byte starts a part. */
    char *out = xmalloc(len * 4 + 1);
    size_t o = 0;
    const char *sep = strstr(url, "://");
    const char *auth, *at = NULL;
    if (sep) {
        /* scheme://user:password@host/...: all of the user information */
        auth = sep + 3;
        size_t alen = strcspn(auth, "/?#");
        for (const char *p = auth; p < auth + alen; p++)
            if (*p == '@')
                at = p;
    } else {
        /* user:password@host, jdbc:oracle:thin:user/password@host: what precedes the first
         * '@' back to a ':' (jdbc:oracle:thin:@host has nothing there) */
        at = strchr(url, '@');
        auth = url;
        for (const char *p = at; p && p > url; p--)
            if (p[-1] == ':') {
                auth = p;
                break;
            }
        if (at == auth)
            at = NULL;
    }
    if (!at)
        auth = url;
    memcpy(out, url, (size_t)(auth - url));
    o = (size_t)(auth - url);
    const char *p = auth;
    if (at) {
        memcpy(out + o, MASK, 3);
        o += 3;
        p = at;
    }
    const char *q = strpbrk(p, "?#");
    if (!q || *q == '#') {
        strcpy(out + o, p);
        return out;
    }
    memcpy(out + o, p, (size_t)(q - p + 1));
    o += (size_t)(q - p + 1);
    p = q + 1;
    /* key=value pairs separated by '&' (or ';'), up to a fragment */
    while (*p && *p != '#') {
        size_t plen = strcspn(p, "&;#");
        const char *eq = memchr(p, '=', plen);
        if (eq && (size_t)(eq - p) == 8 && strncasecmp(p, "password", 8) == 0) {
            memcpy(out + o, p, 9);
            o += 9;
            memcpy(out + o, MASK, 3);
            o += 3;
        } else {
            memcpy(out + o, p, plen);
            o += plen;
        }
        p += plen;
        if (*p == '&' || *p == ';')
            out[o++] = *p++;
    }
    strcpy(out + o, p);
    return out;
}
