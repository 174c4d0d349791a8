/* Error reporting: a small struct filled by the function that failed.
 *
 * Convention: int f(..., struct err *err) returns 0 on success, -1 on failure with *err filled.
 * Messages: lower case, failure first, subject in single quotes, no final period.
 * A hint is a full sentence that names the fix. */
#ifndef ALFWIPE_ERR_H
#define ALFWIPE_ERR_H

#include <stdarg.h>

enum err_kind {
    ERR_NONE = 0,
    ERR_USAGE,    /* bad flags or arguments */
    ERR_CONFIG,   /* alfwipe.conf, alfresco-global.properties, password files */
    ERR_IO,       /* file system */
    ERR_DB,       /* connection, query */
    ERR_SCHEMA,   /* not an Alfresco database, unsupported schema */
    ERR_NET,      /* REST API transport */
    ERR_DATA,     /* malformed rows, replies, input lines */
    ERR_NOMEM,
    ERR_INTERNAL, /* a bug */
};

#define ERR_MSG_MAX 1024

struct err {
    enum err_kind kind;
    int sys_errno;            /* errno when the failure came from a system call, else 0 */
    char msg[ERR_MSG_MAX];
    char hint[ERR_MSG_MAX];
};

#define ERR_INIT {ERR_NONE, 0, "", ""}

void err_init(struct err *err);

/* Fill err (kind + formatted message, hint cleared); returns -1 so callers can
 * 'return err_set(err, ...)'. err may be NULL. */
int err_set(struct err *err, enum err_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like err_set, appending ": strerror(errnum)" and recording errnum. */
int err_sys(struct err *err, enum err_kind kind, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Set the hint of an already filled err; returns -1. */
int err_hint(struct err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prefix the message with more context: "<context>: <old message>"; returns -1. */
int err_prefix(struct err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print "alfwipe: <msg>" and "hint: <hint>" to stderr. */
void err_print(const struct err *err);

/* Print a warning line "alfwipe: warning: ..." to stderr unless quiet mode is on. */
void warnx_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Global verbosity, set once by main: -1 quiet, 0 default, 1 -v, 2 -vv. */
extern int log_verbosity;
void debug_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
