/* Test-only hooks of the wipe, inert unless an ALFWIPE_TEST_* variable is set: run a program at
 * fixed points, inject write/sync/O_DIRECT faults, bound the batch size. A run that uses any of
 * them says so in its certificate header. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wipe_int.h"

#define MAX_FAULTS 8

enum fault_kind { F_WRITE, F_SYNC, F_ODIRECT, F_JFLAG, F_RMSYNC };

struct fault {
    enum fault_kind kind;
    unsigned pass;
    uint64_t offset;
    int err;
    char part[128];      /* only files whose name contains this; empty: all */
};

static struct {
    bool loaded;
    struct fault f[MAX_FAULTS];
    size_t n;
} faults;

static int errno_of(const char *s)
{
    static const struct {
        const char *name;
        int value;
    } names[] = {{"EIO", EIO}, {"ENOSPC", ENOSPC}, {"EDQUOT", EDQUOT}, {"EROFS", EROFS},
                 {"EINVAL", EINVAL}, {"EPERM", EPERM}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i].name) == 0)
            return names[i].value;
    int v = atoi(s);
    return v > 0 ? v : EIO;
}

static void load_faults(void)
{
    if (faults.loaded)
        return;
    faults.loaded = true;
    const char *env = getenv("ALFWIPE_TEST_FAULT");
    if (!env || !*env)
        return;
    char *copy = xstrdup(env), *save = NULL;
    for (char *spec = strtok_r(copy, ",", &save); spec && faults.n < MAX_FAULTS;
         spec = strtok_r(NULL, ",", &save)) {
        struct fault *f = &faults.f[faults.n];
        memset(f, 0, sizeof *f);
        char *fs = NULL;
        char *kind = strtok_r(spec, ":", &fs);
        if (!kind)
            continue;
        if (strcmp(kind, "odirect") == 0) {
            f->kind = F_ODIRECT;
            faults.n++;
            continue;
        }
        if (strcmp(kind, "rmsync") == 0) {
            char *e = strtok_r(NULL, ":", &fs);
            f->kind = F_RMSYNC;
            f->err = e ? errno_of(e) : EIO;
            faults.n++;
            continue;
        }
        if (strcmp(kind, "jflag") == 0) {
            char *part = strtok_r(NULL, ":", &fs);
            f->kind = F_JFLAG;
            if (part)
                snprintf(f->part, sizeof f->part, "%s", part);
            faults.n++;
            continue;
        }
        char *pass = strtok_r(NULL, ":", &fs);
        if (!pass)
            continue;
        f->pass = (unsigned)strtoul(pass, NULL, 10);
        if (strcmp(kind, "write") == 0) {
            char *off = strtok_r(NULL, ":", &fs);
            if (!off)
                continue;
            f->kind = F_WRITE;
            f->offset = strtoull(off, NULL, 10);
        } else if (strcmp(kind, "sync") == 0) {
            f->kind = F_SYNC;
        } else {
            continue;
        }
        char *e = strtok_r(NULL, ":", &fs);
        f->err = e ? errno_of(e) : EIO;
        char *part = strtok_r(NULL, ":", &fs);
        if (part)
            snprintf(f->part, sizeof f->part, "%s", part);
        faults.n++;
    }
    free(copy);
}

static bool part_matches(const struct fault *f, const char *name)
{
    return !f->part[0] || (name && strstr(name, f->part));
}

int wipe_fault_write(unsigned passno, uint64_t off, size_t len, const char *name,
                     uint64_t *fail_off)
{
    load_faults();
    for (size_t i = 0; i < faults.n; i++) {
        const struct fault *f = &faults.f[i];
        if (f->kind == F_WRITE && f->pass == passno && f->offset >= off &&
            f->offset < off + len && part_matches(f, name)) {
            *fail_off = f->offset;
            return f->err;
        }
    }
    return 0;
}

int wipe_fault_sync(unsigned passno, const char *name)
{
    load_faults();
    for (size_t i = 0; i < faults.n; i++) {
        const struct fault *f = &faults.f[i];
        if (f->kind == F_SYNC && f->pass == passno && part_matches(f, name))
            return f->err;
    }
    return 0;
}

int wipe_fault_rmsync(void)
{
    load_faults();
    for (size_t i = 0; i < faults.n; i++)
        if (faults.f[i].kind == F_RMSYNC)
            return faults.f[i].err;
    return 0;
}

bool wipe_fault_odirect(void)
{
    load_faults();
    for (size_t i = 0; i < faults.n; i++)
        if (faults.f[i].kind == F_ODIRECT)
            return true;
    return false;
}

bool wipe_fault_jflag(const char *name)
{
    load_faults();
    for (size_t i = 0; i < faults.n; i++)
        if (faults.f[i].kind == F_JFLAG && part_matches(&faults.f[i], name))
            return true;
    return false;
}

size_t wipe_test_batch(void)
{
    const char *env = getenv("ALFWIPE_TEST_BATCH");
    if (!env || !*env)
        return 0;
    unsigned long v = strtoul(env, NULL, 10);
    return (size_t)v;
}

bool wipe_hooks_active(void)
{
    const char *h = getenv("ALFWIPE_TEST_HOOK");
    return h && *h;
}

void wipe_hook(const char *event, const char *a1, const char *a2)
{
    const char *prog = getenv("ALFWIPE_TEST_HOOK");
    if (!prog || !*prog)
        return;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        return;
    if (pid == 0) {
        /* results go to stdout: keep the hook's chatter on stderr */
        dup2(STDERR_FILENO, STDOUT_FILENO);
        char *argv[5] = {xstrdup(prog), xstrdup(event), xstrdup(a1 ? a1 : ""),
                         xstrdup(a2 ? a2 : ""), NULL};
        execvp(prog, argv);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
}

const char *wipe_test_settings(void)
{
    static char buf[160];
    static const char *const vars[] = {"ALFWIPE_TEST_KEY", "ALFWIPE_TEST_HOOK",
                                       "ALFWIPE_TEST_FAULT", "ALFWIPE_TEST_BATCH"};
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (!v || !*v)
            continue;
        int n = snprintf(buf + off, sizeof buf - off, "%s%s", off ? "," : "", vars[i]);
        if (n < 0 || (size_t)n >= sizeof buf - off)
            break;
        off += (size_t)n;
    }
    return off ? buf : NULL;
}
