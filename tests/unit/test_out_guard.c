/* Unit tests for src/cli/outguard.c and src/cli/opts.c: where --output may not write (content
 * roots, the state directory, alfwipe's own files, also not yet created, also through a
 * symbolic link), what passes (a file of its own, a device), and options given twice. Each
 * case works in a mkdtemp() sandbox. */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "alfwipe/cli.h"
#include "alfwipe/exitcode.h"
#include "alfwipe/urlpath.h"

struct sandbox {
    char dir[PATH_MAX];
    char cs[PATH_MAX + 32], del[PATH_MAX + 32], state[PATH_MAX + 32];
    char cert[PATH_MAX + 32], lock[PATH_MAX + 32];
    struct conf conf;
};

static void touch(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "x\n", 2), 2);
    close(fd);
}

static void sandbox_make(struct sandbox *s)
{
    memset(s, 0, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "/tmp/aw-outguard.XXXXXX");
    assert_non_null(mkdtemp(s->dir));
    snprintf(s->cs, sizeof s->cs, "%s/contentstore", s->dir);
    snprintf(s->del, sizeof s->del, "%s/contentstore.deleted", s->dir);
    snprintf(s->state, sizeof s->state, "%s/state", s->dir);
    snprintf(s->cert, sizeof s->cert, "%s/cert.jsonl", s->dir);
    snprintf(s->lock, sizeof s->lock, "%s/wipe.lock", s->dir);   /* never created */
    assert_int_equal(mkdir(s->cs, 0700), 0);
    assert_int_equal(mkdir(s->del, 0700), 0);
    assert_int_equal(mkdir(s->state, 0700), 0);
    touch(s->cert);
    s->conf.alfresco.contentstore.val = s->cs;
    s->conf.alfresco.contentstore_deleted.val = s->del;
    s->conf.wipe.state_dir.val = s->state;
    s->conf.wipe.certificate.val = s->cert;
    s->conf.wipe.lock_file.val = s->lock;
}

static void sandbox_remove(struct sandbox *s)
{
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
    assert_int_equal(system(cmd), 0);
}

/* out_guard_check on dir/rel: 0, or -1 with the message in msg. */
static int guard(struct sandbox *s, const char *rel, char *msg, size_t msglen)
{
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/%s", s->dir, rel);
    struct err err = ERR_INIT;
    int rc = out_guard_check(&s->conf, "report", path, NULL, 0, NULL, 0, &err);
    snprintf(msg, msglen, "%s", err.msg);
    if (rc != 0)
        assert_true(err.hint[0] != '\0');
    return rc;
}

static void out_guard_check__content_roots__refused(void **state)
{
    (void)state;
    struct sandbox s;
    sandbox_make(&s);
    char msg[ERR_MSG_MAX], p[PATH_MAX * 2];
    snprintf(p, sizeof p, "%s/a.bin", s.cs);
    touch(p);
    assert_int_equal(guard(&s, "contentstore/a.bin", msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "is inside the content root alfresco.contentstore"));
    /* not yet there, nor its directory */
    assert_int_equal(guard(&s, "contentstore.deleted/2024/1/new.json", msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "alfresco.contentstore_deleted"));
    assert_int_equal(guard(&s, "state/x.json", msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "state directory"));
    /* through a symbolic link to the store's directory */
    snprintf(p, sizeof p, "%s/link", s.dir);
    assert_int_equal(symlink(s.cs, p), 0);
    assert_int_equal(guard(&s, "link/new.json", msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "alfresco.contentstore"));
    sandbox_remove(&s);
}

static void out_guard_check__own_files__refused(void **state)
{
    (void)state;
    struct sandbox s;
    sandbox_make(&s);
    char msg[ERR_MSG_MAX];
    assert_int_equal(guard(&s, "cert.jsonl", msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "is the wipe certificate wipe.certificate"));
    assert_int_equal(guard(&s, "wipe.lock", msg, sizeof msg), -1);   /* not created yet */
    assert_non_null(strstr(msg, "lock file"));
    /* the same file under another name: a hard link */
    char p[PATH_MAX * 2];
    snprintf(p, sizeof p, "%s/hard.jsonl", s.dir);
    assert_int_equal(link(s.cert, p), 0);
    assert_int_equal(guard(&s, "hard.jsonl", msg, sizeof msg), -1);
    /* a file the command adds */
    struct out_guard_file own = {"a list being read --from", p};
    struct err err = ERR_INIT;
    s.conf.wipe.certificate.val = NULL;
    assert_int_equal(out_guard_check(&s.conf, "verify", p, NULL, 0, &own, 1, &err), -1);
    assert_non_null(strstr(err.msg, "a list being read --from"));
    sandbox_remove(&s);
}

static void out_guard_check__own_output__passes(void **state)
{
    (void)state;
    struct sandbox s;
    sandbox_make(&s);
    char msg[ERR_MSG_MAX];
    assert_int_equal(guard(&s, "report.json", msg, sizeof msg), 0);
    assert_int_equal(guard(&s, "contentstore.json", msg, sizeof msg), 0);  /* a prefix only */
    struct err err = ERR_INIT;
    assert_int_equal(out_guard_check(&s.conf, "report", "/dev/null", NULL, 0, NULL, 0, &err), 0);
    assert_int_equal(out_guard_check(&s.conf, "report", NULL, NULL, 0, NULL, 0, &err), 0);
    assert_int_equal(out_guard_check(&s.conf, "report", "-", NULL, 0, NULL, 0, &err), 0);
    sandbox_remove(&s);
}

static void cli_once__value_given_twice__refused(void **state)
{
    (void)state;
    static const struct option opts[] = {
        {"method", required_argument, NULL, 'm'},
        {"root", required_argument, NULL, 'r'},
        {"dry-run", no_argument, NULL, 'd'},
        {NULL, 0, NULL, 0},
    };
    static const char *const rep[] = {"root", NULL};
    struct cli_once o;
    cli_once_init(&o, "wipe", opts, rep);
    assert_int_equal(cli_once(&o, 'm', "gutmann"), 0);
    assert_int_equal(cli_once(&o, 'r', "/a"), 0);
    assert_int_equal(cli_once(&o, 'r', "/b"), 0);
    assert_int_equal(cli_once(&o, 'd', NULL), 0);
    assert_int_equal(cli_once(&o, 'd', NULL), 0);
    assert_int_equal(cli_once(&o, '?', NULL), 0);
    assert_int_equal(cli_once(&o, 'm', "zero"), AW_UNKNOWN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(out_guard_check__content_roots__refused),
        cmocka_unit_test(out_guard_check__own_files__refused),
        cmocka_unit_test(out_guard_check__own_output__passes),
        cmocka_unit_test(cli_once__value_given_twice__refused),
    };
    return cmocka_run_group_tests_name("out_guard", tests, NULL, NULL);
}
