/* Wipe certificates as evidence: check each one (cert_verify), then collect its runs and file
 * records so that verdicts can cite them by line. A certificate that is not intact gives no
 * evidence at all: the verdict cannot rest on any of its lines. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <jansson.h>

#include "alfwipe/verify.h"
#include "alfwipe/wipe_cert.h"
#include "alfwipe/xalloc.h"

const char *verify_cert_state_name(enum vcert_state s)
{
    static const char *const names[] = {"intact", "tampered", "needs_key", "unreadable",
                                        "absent"};
    return names[s];
}

static char *jdup(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    if (json_is_string(v))
        return xstrdup(json_string_value(v));
    if (json_is_integer(v))
        return xasprintf("%lld", (long long)json_integer_value(v));
    return NULL;
}

static int64_t jint(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

static int on_record(void *arg, long line, const json_t *rec, struct err *err)
{
    (void)err;
    struct vcert *c = arg;
    c->recs = xrealloc(c->recs, (c->nrecs + 1) * sizeof *c->recs);
    struct vcertrec *r = &c->recs[c->nrecs++];
    memset(r, 0, sizeof *r);
    r->cert = c;
    r->line = line;
    r->run = jdup(rec, "run");
    r->content_url = jdup(rec, "content_url");
    r->root = jdup(rec, "root");
    r->path = jdup(rec, "path");
    r->status = jdup(rec, "status");
    r->reason = jdup(rec, "reason");
    r->verify_how = jdup(rec, "verify_how");
    r->assurance = jdup(rec, "assurance");
    r->started = jdup(rec, "started");
    r->ended = jdup(rec, "ended");
    r->verified = json_is_true(json_object_get(rec, "verified"));
    r->size = jint(rec, "size");
    r->passes_done = jint(rec, "passes_done");
    r->passes_total = jint(rec, "passes_total");
    r->bytes_verified = jint(rec, "bytes_verified");
    return 0;
}

/* Second pass over an intact certificate for the run headers and footers (cert_verify hands
 * out file records only). With a key configured, also finds a plain-chain run that no keyed
 * run follows: a keyed header's prev is the HMAC of the line before it, so every earlier line,
 * plain or not, is fixed by it; plain runs after the last keyed run could be recomputed by
 * anyone. (wipe appends a keyed run to a certificate begun without a key.) */
static void read_runs(struct vcert *c, bool want_key)
{
    FILE *fp = fopen(c->path, "r");
    if (!fp)
        return;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long ln = 0;
    long unanchored = 0;   /* first plain header after the last keyed one */
    while ((n = getline(&line, &cap, fp)) > 0) {
        ln++;
        json_t *o = json_loadb(line, (size_t)n, 0, NULL);
        const char *type = json_string_value(json_object_get(o, "type"));
        if (type && strcmp(type, "header") == 0) {
            c->runv = xrealloc(c->runv, (c->nruns + 1) * sizeof *c->runv);
            struct vrun *r = &c->runv[c->nruns++];
            memset(r, 0, sizeof *r);
            r->run = jdup(o, "run");
            r->line = ln;
            r->method = jdup(o, "method");
            r->verify = jdup(o, "verify");
            r->filesystem = jdup(o, "filesystem");
            r->assurance = jdup(o, "assurance");
            r->chain = jdup(o, "chain");
            r->tool_version = jdup(o, "tool_version");
            r->host = jdup(o, "host");
            r->operator_name = jdup(o, "operator");
            r->started = jdup(o, "started");
            if (r->chain && strcmp(r->chain, "sha256") == 0) {
                if (!unanchored)
                    unanchored = ln;
            } else {
                unanchored = 0;
            }
        } else if (type && strcmp(type, "footer") == 0 && c->nruns) {
            struct vrun *r = &c->runv[c->nruns - 1];
            r->footer_line = ln;
            r->ended = jdup(o, "ended");
        }
        json_decref(o);
    }
    free(line);
    fclose(fp);
    c->plain_from = c->state == VC_INTACT ? unanchored : 0;
    if (c->nruns && !c->runv[c->nruns - 1].footer_line) {
        c->last_open = true;
        c->last_open_line = c->runv[c->nruns - 1].line;
    }
    if (want_key && c->state == VC_INTACT && unanchored) {
        c->state = VC_TAMPERED;
        c->bad_line = unanchored;
        snprintf(c->problem, sizeof c->problem,
                 "the run starting at line %ld has a plain SHA-256 chain and no keyed run "
                 "follows it although wipe.hmac_key_file is set: anyone could have rewritten it",
                 unanchored);
    }
}

static void inconsistent(struct vcert *c, long line, const char *what, long header)
{
    c->state = VC_TAMPERED;
    c->bad_line = line;
    snprintf(c->problem, sizeof c->problem,
             "line %ld does not agree with the header of its run at line %ld: %s", line,
             header, what);
}

/* Headers must agree with their records: a run that did not verify has no verified record,
 * a run on a filesystem without guarantee has no guaranteed record, an ERASED record did all
 * its passes. Fields a writer did not set are not judged. */
static void check_consistency(struct vcert *c)
{
    for (size_t i = 0; c->state == VC_INTACT && i < c->nrecs; i++) {
        const struct vcertrec *r = &c->recs[i];
        const struct vrun *run = verify_cert_run(c, r->run);
        long hl = run ? run->line : 0;
        if (!run)
            inconsistent(c, r->line, "the record names no run header", 0);
        else if (run->verify && strcmp(run->verify, "off") == 0 && r->verified)
            inconsistent(c, r->line, "a verified record in a run with verify off", hl);
        else if (run->assurance && strcmp(run->assurance, "not-guaranteed") == 0 &&
                 r->assurance && strcmp(r->assurance, "guaranteed") == 0)
            inconsistent(c, r->line, "a guaranteed record in a run without guarantee", hl);
        else if (r->status && strcmp(r->status, "ERASED") == 0 && r->passes_done >= 0 &&
                 r->passes_total >= 0 && r->passes_done < r->passes_total)
            inconsistent(c, r->line, "ERASED with fewer passes done than planned", hl);
    }
}

static void free_recs(struct vcert *c)
{
    for (size_t i = 0; i < c->nrecs; i++) {
        struct vcertrec *r = &c->recs[i];
        free(r->run);
        free(r->content_url);
        free(r->root);
        free(r->path);
        free(r->status);
        free(r->reason);
        free(r->verify_how);
        free(r->assurance);
        free(r->started);
        free(r->ended);
    }
    free(c->recs);
    c->recs = NULL;
    c->nrecs = 0;
}

void verify_cert_load(struct vcert *c, const char *path, bool configured, const uint8_t *key,
                      size_t keylen)
{
    memset(c, 0, sizeof *c);
    c->path = xstrdup(path);
    c->configured = configured;
    struct cert_report rep;
    struct err err = ERR_INIT;
    if (cert_verify(path, key, keylen, on_record, c, &rep, &err) != 0) {
        c->state = configured && err.sys_errno == ENOENT ? VC_ABSENT : VC_UNREADABLE;
        snprintf(c->problem, sizeof c->problem, "%s", err.msg);
        free_recs(c);
        return;
    }
    c->lines = rep.lines;
    c->runs = rep.runs;
    c->runs_complete = rep.runs_complete;
    c->runs_incomplete = rep.runs_incomplete;
    for (int i = 0; i < 4; i++) {
        c->files[i] = rep.files[i];
        c->records += rep.files[i];
    }
    c->bad_line = rep.bad_line;
    snprintf(c->problem, sizeof c->problem, "%s", rep.problem);
    switch (rep.state) {
    case CERT_INTACT:
        c->state = VC_INTACT;
        break;
    case CERT_TAMPERED:
        c->state = VC_TAMPERED;
        break;
    case CERT_NEEDS_KEY:
        c->state = VC_NEEDS_KEY;
        break;
    case CERT_UNREADABLE:
        c->state = VC_UNREADABLE;
        break;
    }
    if (c->state == VC_INTACT && c->lines == 0) {
        /* An empty file proves nothing, but it is no tampering either: a certificate named
         * on the command line must hold records to be checked at all (it may have been cut
         * to nothing); the configured one may simply not have been written yet. */
        if (!configured) {
            c->state = VC_UNREADABLE;
            snprintf(c->problem, sizeof c->problem,
                     "certificate '%s' holds no records: an empty file proves nothing", path);
        }
        return;
    }
    if (c->state == VC_INTACT)
        read_runs(c, key != NULL);
    if (c->state == VC_INTACT)
        check_consistency(c);
    if (c->state != VC_INTACT)
        free_recs(c);
}

void verify_cert_check_open(struct vcert *c, const char *lock_file, const char *wipe_cert)
{
    c->in_progress = false;
    struct stat st, sc, sw;
    if (c->state != VC_INTACT || !c->last_open || !lock_file || stat(lock_file, &st) != 0)
        return;
    /* Only the certificate a running wipe appends to can have a run in progress: any other
     * file whose last run has no footer was killed or cut, whatever wipe holds the lock. */
    if (!wipe_cert || stat(c->path, &sc) != 0 || stat(wipe_cert, &sw) != 0 ||
        sc.st_dev != sw.st_dev || sc.st_ino != sw.st_ino)
        return;
    /* "1: FLOCK  ADVISORY  WRITE 1234 08:01:131 0 EOF"; waiters carry "->" */
    char want[64];
    snprintf(want, sizeof want, " %02x:%02x:%llu ", major(st.st_dev), minor(st.st_dev),
             (unsigned long long)st.st_ino);
    FILE *fp = fopen("/proc/locks", "r");
    if (!fp)
        return;
    char line[256];
    while (fgets(line, sizeof line, fp))
        if (strstr(line, " FLOCK ") && !strstr(line, "->") && strstr(line, want))
            c->in_progress = true;
    fclose(fp);
}

const struct vrun *verify_cert_run(const struct vcert *c, const char *run)
{
    for (size_t i = 0; run && i < c->nruns; i++)
        if (c->runv[i].run && strcmp(c->runv[i].run, run) == 0)
            return &c->runv[i];
    return NULL;
}

void verify_cert_release(struct vcert *c)
{
    free_recs(c);
    for (size_t i = 0; i < c->nruns; i++) {
        struct vrun *r = &c->runv[i];
        free(r->run);
        free(r->method);
        free(r->verify);
        free(r->filesystem);
        free(r->assurance);
        free(r->chain);
        free(r->tool_version);
        free(r->host);
        free(r->operator_name);
        free(r->started);
        free(r->ended);
    }
    free(c->runv);
    free(c->path);
    memset(c, 0, sizeof *c);
}
