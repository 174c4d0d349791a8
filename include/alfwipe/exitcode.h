/* Exit codes shared by every command (Nagios style, so cron and monitors can act on them). */
#ifndef ALFWIPE_EXITCODE_H
#define ALFWIPE_EXITCODE_H

enum aw_exit {
    AW_OK = 0,        /* nothing to worry about / all done */
    AW_WARNING = 1,   /* something needs attention, or some items skipped by the rules */
    AW_CRITICAL = 2,  /* data at risk, or a write/verify/delete failed */
    AW_UNKNOWN = 3,   /* could not run: usage, config, connection, unusable root */
    AW_SIGINT = 130,
    AW_SIGTERM = 143,
};

static inline int aw_exit_worst(int a, int b)
{
    /* UNKNOWN outranks CRITICAL only when it means 'could not run'; callers decide that.
     * Here: the larger code wins. */
    return a > b ? a : b;
}

#endif
