/* Options that take one value: given twice, the command line is refused. getopt_long lets the
 * last value win, and for a tool that destroys data a forgotten earlier --method or --verify in
 * a long command line (or a wrapper script adding its own) must not be overridden silently. */
#include <assert.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "alfwipe/cli.h"
#include "alfwipe/exitcode.h"

void cli_once_init(struct cli_once *o, const char *cmd, const struct option *opts,
                   const char *const *repeatable)
{
    memset(o, 0, sizeof *o);
    o->cmd = cmd;
    o->opts = opts;
    o->repeatable = repeatable;
    size_t n = 0;
    while (opts[n].name)
        n++;
    assert(n <= CLI_ONCE_MAX);
}

int cli_once(struct cli_once *o, int c, const char *arg)
{
    size_t i = 0;
    while (o->opts[i].name && (o->opts[i].flag || o->opts[i].val != c))
        i++;
    /* Not an option of the table ('?'), a flag (--dry-run twice means the same), or one
     * that may repeat (wipe --root, verify --node). */
    if (!o->opts[i].name || o->opts[i].has_arg == no_argument)
        return 0;
    const char *name = o->opts[i].name;
    for (const char *const *r = o->repeatable; r && *r; r++)
        if (strcmp(*r, name) == 0)
            return 0;
    if (!o->seen[i]) {
        o->seen[i] = true;
        o->val[i] = arg;
        return 0;
    }
    fprintf(stderr, "alfwipe%s%s: --%s given twice ('%s', then '%s')\n"
                    "hint: Give --%s once, with the value meant: alfwipe never lets one value "
                    "silently override another.\n",
            o->cmd ? " " : "", o->cmd ? o->cmd : "", name, o->val[i] ? o->val[i] : "",
            arg ? arg : "", name);
    return AW_UNKNOWN;
}
