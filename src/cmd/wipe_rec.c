/* alfwipe wipe: the per-file records and the certificate's header, file and footer records.
 * One builder serves the certificate and --format json, so both carry the same fields. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pwd.h>

#include "alfwipe/report.h"
#include "alfwipe/timeutil.h"
#include "alfwipe/xalloc.h"
#include "wipe_cmd.h"

struct wrec *wrec_add(struct wrun *w, uint32_t root, const char *rel)
{
    w->recs = xgrow(w->recs, &w->cap, w->nrecs + 1, sizeof *w->recs);
    struct wrec *r = &w->recs[w->nrecs++];
    memset(r, 0, sizeof *r);
    r->root = root;
    r->rel = xstrdup(rel);
    r->url = wipe_url_of_rel(w->roots[root].url_prefix, rel);
    r->passes_total = (unsigned)w->sched.npasses;
    r->guaranteed = w->roots[root].fi.policy != WIPE_FS_UNSAFE;
    return r;
}

void wrec_set_reason(struct wrec *r, const char *fmt, ...)
{
    free(r->reason);
    va_list ap;
    va_start(ap, fmt);
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    r->reason = xstrdup(buf);
}

void wrec_release_all(struct wrun *w)
{
    for (size_t i = 0; i < w->nrecs; i++) {
        free(w->recs[i].rel);
        free(w->recs[i].url);
        free(w->recs[i].reason);
        free(w->recs[i].earlier);
    }
    free(w->recs);
    w->recs = NULL;
    w->nrecs = w->cap = 0;
}

const char *wst_name(enum wst st)
{
    static const char *const names[WST_N] = {"ERASED", "FAILED", "REFUSED", "ABORTED",
                                             "WOULD_ERASE"};
    return st < WST_N ? names[st] : "?";
}

const char *wipe_check_how_name(enum wipe_check_how how)
{
    switch (how) {
    case WIPE_CHECK_DIRECT:
        return "o_direct";
    case WIPE_CHECK_CACHE:
        return "cache_only";
    case WIPE_CHECK_NONE:
        break;
    }
    return "none";
}

static json_t *time_json(int64_t ms)
{
    char buf[TIME_ISO_MAX];
    return ms ? json_string(time_format_iso8601(ms, buf)) : json_null();
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *wrec_json(const struct wrun *w, const struct wrec *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "type", json_string("file"));
    json_object_set_new(o, "run", json_string(w->run_id));
    json_object_set_new(o, "content_url", str_or_null(r->url));
    json_object_set_new(o, "root", json_string(w->roots[r->root].name));
    json_set_bytes(o, "path", r->rel, strlen(r->rel));
    json_object_set_new(o, "size", json_integer(r->size));
    json_object_set_new(o, "dev", json_integer((json_int_t)r->dev));
    json_object_set_new(o, "ino", json_integer((json_int_t)r->ino));
    json_object_set_new(o, "nlink", json_integer(r->nlink));
    json_object_set_new(o, "mtime", time_json(r->mtime_ms));
    json_object_set_new(o, "status", json_string(wst_name(r->st)));
    json_object_set_new(o, "reason", str_or_null(r->reason));
    json_object_set_new(o, "passes_done", json_integer(r->passes_done));
    json_object_set_new(o, "passes_total", json_integer(r->passes_total));
    json_object_set_new(o, "bytes_written", json_integer((json_int_t)r->bytes_written));
    json_object_set_new(o, "bytes_verified", json_integer((json_int_t)r->bytes_verified));
    json_object_set_new(o, "verified", json_boolean(r->verified));
    json_object_set_new(o, "verify_how", json_string(wipe_check_how_name(r->how)));
    json_object_set_new(o, "assurance",
                        json_string(r->guaranteed ? "guaranteed" : "not-guaranteed"));
    json_object_set_new(o, "removed", json_boolean(r->removed));
    json_object_set_new(o, "interrupted_earlier", str_or_null(r->earlier));
    json_object_set_new(o, "started", time_json(r->started_ms));
    json_object_set_new(o, "ended", time_json(r->ended_ms));
    return o;
}

json_t *wipe_passes_json(const struct wipe_schedule *s)
{
    json_t *a = json_array();
    for (size_t i = 0; i < s->npasses; i++) {
        const struct wipe_pass *p = &s->passes[i];
        char desc[32];
        json_t *o = json_object();
        json_object_set_new(o, "pass", json_integer((json_int_t)i + 1));
        json_object_set_new(o, "pattern", json_string(wipe_pass_describe(p, desc, sizeof desc)));
        json_object_set_new(o, "verify", json_boolean(p->verify));
        json_object_set_new(o, "run_byte", json_boolean(p->run_byte));
        json_object_set_new(o, "final_zero", json_boolean(p->final_zero));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *rotational_json(int r)
{
    return r < 0 ? json_null() : json_boolean(r == 1);
}

static char *operator_of(const struct wrun *w)
{
    if (w->o.operator_name)
        return xstrdup(w->o.operator_name);
    if (w->conf->wipe.operator_name.val)
        return xstrdup(w->conf->wipe.operator_name.val);
    struct passwd *pw = getpwuid(geteuid());
    return xasprintf("%s (login; no operator configured)", pw ? pw->pw_name : "unknown");
}

json_t *wipe_header_json(const struct wrun *w, const char *prev_open_run)
{
    char host[256] = "unknown";
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "unknown");
    host[sizeof host - 1] = '\0';
    json_t *o = json_object();
    json_object_set_new(o, "type", json_string("header"));
    json_object_set_new(o, "run", json_string(w->run_id));
    json_object_set_new(o, "tool_version", json_string("alfwipe " ALFWIPE_VERSION));
    json_object_set_new(o, "host", json_string(host));
    char *op = operator_of(w);
    json_object_set_new(o, "operator", json_string(op));
    free(op);
    json_object_set_new(o, "method", json_string(w->sched.method->name));
    json_object_set_new(o, "method_origin", json_string(w->sched.method->origin));
    json_object_set_new(o, "final_zero", json_boolean(w->sched.final_zero));
    json_object_set_new(o, "passes", wipe_passes_json(&w->sched));
    json_object_set_new(o, "verify", json_string(wipe_verify_name(w->sched.verify)));
    /* the id of the run's own random key (random passes), never the key: not key_id, which
     * names the HMAC key of a keyed chain */
    json_object_set_new(o, "stream_key_id", json_string(w->key_id));
    /* The first root's filesystem; every root's details follow in "roots". */
    const struct wroot *r0 = &w->roots[0];
    bool all_safe = true;
    json_t *roots = json_array();
    for (size_t i = 0; i < w->nroots; i++) {
        const struct wroot *r = &w->roots[i];
        if (r->fi.policy != WIPE_FS_SAFE)
            all_safe = false;
        json_t *ro = json_object();
        json_object_set_new(ro, "root", json_string(r->name));
        json_object_set_new(ro, "path", json_string(r->path));
        json_object_set_new(ro, "filesystem", json_string(r->fi.fstype));
        json_object_set_new(ro, "mount_point", str_or_null(r->fi.mount_point));
        json_object_set_new(ro, "mount_source", str_or_null(r->fi.mount_source));
        json_object_set_new(ro, "mount_options", str_or_null(r->fi.mount_options));
        json_object_set_new(ro, "device", str_or_null(r->fi.device));
        json_object_set_new(ro, "rotational", rotational_json(r->fi.rotational));
        json_object_set_new(ro, "assurance", json_string(r->fi.policy == WIPE_FS_UNSAFE
                                                             ? "not-guaranteed"
                                                             : r->fi.policy == WIPE_FS_SAFE
                                                                   ? "guaranteed"
                                                                   : "per-file"));
        json_object_set_new(ro, "assurance_reason",
                            r->fi.reason[0] ? json_string(r->fi.reason) : json_null());
        json_array_append_new(roots, ro);
    }
    json_object_set_new(o, "filesystem", json_string(r0->fi.fstype));
    json_object_set_new(o, "assurance", json_string(all_safe ? "guaranteed"
                                                             : w->o.allow_unsafe
                                                                   ? "not-guaranteed"
                                                                   : "per-file"));
    json_object_set_new(o, "rotational", rotational_json(r0->fi.rotational));
    json_object_set_new(o, "roots", roots);
    json_object_set_new(o, "db_check", json_boolean(!w->o.no_db_check));
    json_object_set_new(o, "min_age_days", json_integer(w->min_age_ms / MS_PER_DAY));
    json_object_set_new(o, "keep", json_boolean(w->o.keep));
    json_object_set_new(o, "allow_unsafe_fs", json_boolean(w->o.allow_unsafe));
    json_object_set_new(o, "scope",
                        json_string("file overwrite: at best NIST SP 800-88 Clear for the "
                                    "file's current blocks"));
    json_object_set_new(o, "previous_run_incomplete", str_or_null(prev_open_run));
    json_object_set_new(o, "test_settings", str_or_null(wipe_test_settings()));
    json_object_set_new(o, "started", time_json(w->t0_ms));
    return o;
}

json_t *wipe_footer_json(const struct wrun *w, int exit_code)
{
    long counts[CERT_NSTATUS] = {0};
    uint64_t written = 0, verified = 0;
    for (size_t i = 0; i < w->nrecs; i++) {
        if (w->recs[i].st < WST_WOULD)
            counts[w->recs[i].st]++;
        written += w->recs[i].bytes_written;
        verified += w->recs[i].bytes_verified;
    }
    json_t *t = json_object();
    json_object_set_new(t, "files", json_integer((json_int_t)w->nrecs));
    for (int i = 0; i < CERT_NSTATUS; i++)
        json_object_set_new(t, wst_name((enum wst)i), json_integer(counts[i]));
    json_t *b = json_object();
    json_object_set_new(b, "written", json_integer((json_int_t)written));
    json_object_set_new(b, "verified", json_integer((json_int_t)verified));
    json_t *o = json_object();
    json_object_set_new(o, "type", json_string("footer"));
    json_object_set_new(o, "run", json_string(w->run_id));
    json_object_set_new(o, "totals", t);
    json_object_set_new(o, "bytes", b);
    json_object_set_new(o, "remaining", json_integer((json_int_t)w->remaining));
    json_object_set_new(o, "stopped", str_or_null(w->stopped));
    json_object_set_new(o, "exit", json_integer(exit_code));
    json_object_set_new(o, "ended", time_json(time_now_ms()));
    return o;
}

int wipe_cert_flush(struct wrun *w, size_t to, struct err *err)
{
    if (!w->cert || to <= w->cert_done)
        return 0;
    for (; w->cert_done < to; w->cert_done++) {
        json_t *o = wrec_json(w, &w->recs[w->cert_done]);
        int rc = cert_append(w->cert, o, err);
        json_decref(o);
        if (rc != 0)
            return -1;
    }
    return cert_sync(w->cert, err);
}
