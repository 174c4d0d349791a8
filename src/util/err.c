/* Error struct helpers and the two diagnostics printers. */
#include "alfwipe/err.h"

#include <stdio.h>
#include <string.h>

int log_verbosity = 0;

void err_init(struct err *err)
{
    err->kind = ERR_NONE;
    err->sys_errno = 0;
    err->msg[0] = '\0';
    err->hint[0] = '\0';
}

int err_set(struct err *err, enum err_kind kind, const char *fmt, ...)
{
    if (!err)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->kind = kind;
    err->sys_errno = 0;
    err->hint[0] = '\0';
    return -1;
}

int err_sys(struct err *err, enum err_kind kind, int errnum, const char *fmt, ...)
{
    if (!err)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    size_t n = strlen(err->msg);
    snprintf(err->msg + n, sizeof err->msg - n, ": %s", strerror(errnum));
    err->kind = kind;
    err->sys_errno = errnum;
    err->hint[0] = '\0';
    return -1;
}

int err_hint(struct err *err, const char *fmt, ...)
{
    if (!err)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->hint, sizeof err->hint, fmt, ap);
    va_end(ap);
    return -1;
}

int err_prefix(struct err *err, const char *fmt, ...)
{
    if (!err)
        return -1;
    char pre[ERR_MSG_MAX], old[ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pre, sizeof pre, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    /* A message that no longer fits is cut short; the context comes first. */
    if (snprintf(err->msg, sizeof err->msg, "%s: %s", pre, old) >= (int)sizeof err->msg)
        err->msg[sizeof err->msg - 1] = '\0';
    return -1;
}

void err_print(const struct err *err)
{
    fprintf(stderr, "alfwipe: %s\n", err->msg[0] ? err->msg : "unknown error");
    if (err->hint[0])
        fprintf(stderr, "hint: %s\n", err->hint);
}

void warnx_msg(const char *fmt, ...)
{
    if (log_verbosity < 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("alfwipe: warning: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void debug_msg(const char *fmt, ...)
{
    if (log_verbosity < 2)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("alfwipe: debug: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}
