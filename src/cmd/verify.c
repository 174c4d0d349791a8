/* alfwipe verify: for a list of nodes and content URLs, show whether the content is really
 * gone (database references, files under every root, wipe certificates) with the evidence;
 * with only --certificate, check certificates' integrity. Strictly read-only. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "alfwipe/cli.h"
#include "alfwipe/conf.h"
#include "alfwipe/db.h"
#include "alfwipe/exitcode.h"
#include "alfwipe/props.h"
#include "alfwipe/timeutil.h"
#include "alfwipe/report.h"
#include "alfwipe/verify.h"
#include "alfwipe/wipe_cert.h"
#include "alfwipe/xalloc.h"

/* ---- text escaping: input, database and certificate strings never reach a terminal raw ---- */

/* s with '\\', control bytes and invalid UTF-8 written as \xNN, as in the text report (caller
 * frees). */
static char *esc_dup(const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return xstrdup("?");
    text_escape(m, s, strlen(s));
    if (fclose(m) != 0 || !buf) {
        free(buf);
        return xstrdup("?");
    }
    return buf;
}

#define ESC_RING 12
static char *esc_ring[ESC_RING];
static size_t esc_next;

/* esc_dup(s) (NULL: "?"), valid until ESC_RING further calls or esc_release. */
static const char *E(const char *s)
{
    char *e = esc_dup(s ? s : "?");
    free(esc_ring[esc_next]);
    esc_ring[esc_next] = e;
    esc_next = (esc_next + 1) % ESC_RING;
    return e;
}

static void esc_release(void)
{
    for (size_t i = 0; i < ESC_RING; i++) {
        free(esc_ring[i]);
        esc_ring[i] = NULL;
    }
}

static void usage(FILE *fp)
{
    fprintf(fp,
            "Usage: alfwipe [GLOBAL OPTIONS] verify [OPTIONS]\n"
            "\n"
            "Show whether the content of nodes and content URLs is really destroyed: every row\n"
            "of the node in every store, its version history, who still references each URL,\n"
            "the files under contentstore, extra_roots and contentstore.deleted, and the wipe\n"
            "certificate records (wipe.certificate and every --certificate). Read-only.\n"
            "\n"
            "Options:\n"
            "      --node ID          a node uuid or node ref (workspace://SpacesStore/<uuid>)\n"
            "      --url URL          a content URL; right after --node it belongs to that node\n"
            "      --from FILE        one uuid, node ref or URL per line ('#' comments), or CSV\n"
            "                         with a header naming the columns (node_ref, content_url)\n"
            "      --certificate FILE a wipe certificate to take records from; given alone,\n"
            "                         check its integrity (exit 0 intact, 1 last run\n"
            "                         without footer and no running wipe writing that\n"
            "                         file, 2 tampered, 3 unreadable)\n"
            "      --format FMT       text (default), csv (one row per item) or json\n"
            "      --output FILE      write the result to FILE (appears only when complete)\n"
            "  -h, --help             this help\n"
            "\n"
            "Verdicts: destroyed, destroyed_unverified, pending, not_destroyed, unknown.\n"
            "Exit codes: 0 all destroyed; 1 some destroyed_unverified, pending or unknown;\n"
            "2 some not_destroyed or a tampered certificate; 3 could not run (or some input\n"
            "could not be checked).\n");
}

struct opts {
    enum out_format fmt;
    const char *output;
    const char **froms;
    size_t nfroms;
    const char **certs;
    size_t ncerts;
};

static const char *state_word(int code)
{
    static const char *const w[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
    return code >= 0 && code <= 3 ? w[code] : "UNKNOWN";
}

static void push(const char ***v, size_t *n, const char *s)
{
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = s;
}

/* ---- certificates ------------------------------------------------------------------------ */

struct certs {
    struct vcert *v;
    size_t n;
    bool tampered, unusable;
    bool cut;                  /* some last run without footer that no running wipe writes */
};

static int load_key(const struct conf *conf, uint8_t **key, size_t *keylen, struct err *err)
{
    *key = NULL;
    *keylen = 0;
    if (!conf->wipe.hmac_key_file.val)
        return 0;
    /* Any length is taken here, so that certificates written before the minimum can still be
     * checked; a short key is named, since anyone may guess it. */
    if (cert_key_load(conf->wipe.hmac_key_file.val, 1, key, keylen, err) != 0)
        return -1;
    if (*keylen < CERT_KEY_MIN)
        warnx_msg("wipe.hmac_key_file '%s' holds only %zu byte%s: a key that short can be "
                  "guessed, so a keyed chain proves little; new wipes refuse it (at least %d "
                  "bytes)", conf->wipe.hmac_key_file.val, *keylen, *keylen == 1 ? "" : "s",
                  CERT_KEY_MIN);
    return 0;
}

/* The same certificate, however its path is spelled (same device and inode), or the same text
 * when it does not exist. */
static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    return strcmp(a, b) == 0;
}

static void load_certs(struct certs *cs, const struct conf *conf, const struct opts *o,
                       bool with_configured, const uint8_t *key, size_t keylen)
{
    cs->v = xcalloc(o->ncerts + 1, sizeof *cs->v);
    const char *cfg = with_configured ? conf->wipe.certificate.val : NULL;
    if (cfg)
        verify_cert_load(&cs->v[cs->n++], cfg, true, key, keylen);
    for (size_t i = 0; i < o->ncerts; i++) {
        if (cfg && same_file(cfg, o->certs[i])) {
            cs->v[0].configured = false;   /* named explicitly: it must exist */
            if (cs->v[0].state == VC_ABSENT)
                cs->v[0].state = VC_UNREADABLE;
            continue;
        }
        verify_cert_load(&cs->v[cs->n++], o->certs[i], false, key, keylen);
    }
    for (size_t i = 0; i < cs->n; i++) {
        verify_cert_check_open(&cs->v[i], conf->wipe.lock_file.val,
                               conf->wipe.certificate.val);
        if (cs->v[i].state == VC_INTACT && cs->v[i].last_open && !cs->v[i].in_progress)
            cs->cut = true;
        if (cs->v[i].state == VC_TAMPERED)
            cs->tampered = true;
        else if (cs->v[i].state == VC_UNREADABLE || cs->v[i].state == VC_NEEDS_KEY)
            cs->unusable = true;
        /* A certificate that could not be checked gives exit 3: say which and what to do on
         * standard error too, as for a malformed input line. */
        if (cs->v[i].state == VC_UNREADABLE || cs->v[i].state == VC_NEEDS_KEY) {
            struct err e = ERR_INIT;
            err_set(&e, ERR_DATA, "certificate '%s' could not be checked: %s", E(cs->v[i].path),
                    E(cs->v[i].problem));
            if (cs->v[i].state == VC_NEEDS_KEY)
                err_hint(&e, "Set wipe.hmac_key_file to the key file the wipe that wrote it "
                             "used.");
            else
                err_hint(&e, "Give --certificate a certificate file that 'alfwipe wipe' wrote "
                             "(wipe.certificate names the usual one) and that this user may "
                             "read.");
            err_print(&e);
        }
    }
}

static void certs_release(struct certs *cs)
{
    for (size_t i = 0; i < cs->n; i++)
        verify_cert_release(&cs->v[i]);
    free(cs->v);
}

static void cert_text(FILE *fp, const struct vcert *c)
{
    fprintf(fp, "certificate %s: %s", E(c->path), verify_cert_state_name(c->state));
    if (c->state == VC_INTACT) {
        fprintf(fp, " (%ld line%s, %ld run%s, %ld file record%s: %ld ERASED, %ld FAILED, "
                    "%ld REFUSED, %ld ABORTED)\n", c->lines, c->lines == 1 ? "" : "s",
                c->runs, c->runs == 1 ? "" : "s", c->records, c->records == 1 ? "" : "s",
                c->files[0], c->files[1], c->files[2], c->files[3]);
        if (c->plain_from)
            fprintf(fp, "  runs from line %ld on have a plain SHA-256 chain: it shows accidental "
                        "edits and cut lines, not deliberate ones (anyone who can write the "
                        "file can recompute it); set wipe.hmac_key_file for tamper evidence\n",
                    c->plain_from);
        if (c->runs_incomplete)
            fprintf(fp, "  %ld run%s without footer (interrupted, or cut off at a line "
                        "boundary)\n", c->runs_incomplete, c->runs_incomplete == 1 ? "" : "s");
        if (c->last_open && c->in_progress)
            fprintf(fp, "  the last run (line %ld) has no footer yet: a wipe holds the lock, it "
                        "is still running\n", c->last_open_line);
        else if (c->last_open)
            fprintf(fp, "  the last run (line %ld) has no footer and no running wipe writes "
                        "this file: it was killed, or lines were cut off the end of the file "
                        "(records after line %ld may be missing)\n", c->last_open_line,
                    c->lines);
        for (size_t i = 0; i < c->nruns; i++) {
            const struct vrun *r = &c->runv[i];
            fprintf(fp, "  run %s at line %ld: method %s, verify %s, filesystem %s, assurance "
                        "%s, chain %s, started %s%s%s\n", E(r->run), r->line,
                    E(r->method), E(r->verify), E(r->filesystem), E(r->assurance), E(r->chain),
                    E(r->started), r->footer_line ? ", ended " : ", no footer",
                    r->footer_line ? E(r->ended) : "");
        }
    } else if (c->state == VC_ABSENT) {
        fprintf(fp, " (wipe.certificate does not exist yet: no wipe has run)\n");
    } else if (c->bad_line) {
        fprintf(fp, " at line %ld: %s\n", c->bad_line, E(c->problem));
    } else {
        fprintf(fp, ": %s\n", E(c->problem));
    }
}

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *cert_json(const struct vcert *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "path", json_string(c->path));
    json_object_set_new(o, "state", json_string(verify_cert_state_name(c->state)));
    json_object_set_new(o, "plain_chain_from_line",
                        c->plain_from ? json_integer(c->plain_from) : json_null());
    json_object_set_new(o, "bad_line", c->bad_line ? json_integer(c->bad_line) : json_null());
    json_object_set_new(o, "problem", c->problem[0] ? json_string(c->problem) : json_null());
    json_object_set_new(o, "lines", json_integer(c->lines));
    json_object_set_new(o, "runs", json_integer(c->runs));
    json_object_set_new(o, "runs_complete", json_integer(c->runs_complete));
    json_object_set_new(o, "runs_incomplete", json_integer(c->runs_incomplete));
    json_object_set_new(o, "last_run_open", json_boolean(c->last_open));
    json_object_set_new(o, "in_progress", json_boolean(c->in_progress));
    json_t *f = json_object();
    static const char *const st[] = {"ERASED", "FAILED", "REFUSED", "ABORTED"};
    for (int i = 0; i < 4; i++)
        json_object_set_new(f, st[i], json_integer(c->files[i]));
    json_object_set_new(o, "records", f);
    json_t *runs = json_array();
    for (size_t i = 0; i < c->nruns; i++) {
        const struct vrun *r = &c->runv[i];
        json_t *j = json_object();
        json_object_set_new(j, "run", jstr(r->run));
        json_object_set_new(j, "line", json_integer(r->line));
        json_object_set_new(j, "method", jstr(r->method));
        json_object_set_new(j, "verify", jstr(r->verify));
        json_object_set_new(j, "filesystem", jstr(r->filesystem));
        json_object_set_new(j, "assurance", jstr(r->assurance));
        json_object_set_new(j, "chain", jstr(r->chain));
        json_object_set_new(j, "tool_version", jstr(r->tool_version));
        json_object_set_new(j, "host", jstr(r->host));
        json_object_set_new(j, "operator", jstr(r->operator_name));
        json_object_set_new(j, "started", jstr(r->started));
        json_object_set_new(j, "ended", jstr(r->ended));
        json_object_set_new(j, "footer_line",
                            r->footer_line ? json_integer(r->footer_line) : json_null());
        json_array_append_new(runs, j);
    }
    json_object_set_new(o, "run_headers", runs);
    return o;
}

/* A last run without footer that no running wipe writes: killed, or the end of the file cut
 * off, which the chain cannot tell apart. Not tampering, but not intact either. */
static int integrity_code(const struct certs *cs)
{
    return cs->tampered ? AW_CRITICAL : cs->unusable ? AW_UNKNOWN : cs->cut ? AW_WARNING : AW_OK;
}

static void integrity_print(FILE *fp, enum out_format fmt, const struct certs *cs, int code,
                            bool quiet)
{
    if (fmt == OUT_JSON) {
        json_t *root = json_object();
        json_object_set_new(root, "command", json_string("verify"));
        json_object_set_new(root, "mode", json_string("certificate"));
        json_t *a = json_array();
        for (size_t i = 0; i < cs->n; i++)
            json_array_append_new(a, cert_json(&cs->v[i]));
        json_object_set_new(root, "certificates", a);
        json_object_set_new(root, "status", json_string(state_word(code)));
        json_object_set_new(root, "exit_code", json_integer(code));
        json_dumpf(root, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', fp);
        json_decref(root);
        return;
    }
    if (fmt == OUT_TEXT && quiet && code == AW_OK)
        return;
    if (fmt == OUT_CSV) {
        fputs("certificate,state,bad_line,problem,lines,runs,runs_complete,runs_incomplete,"
              "erased,failed,refused,aborted\n", fp);
        for (size_t i = 0; i < cs->n; i++) {
            const struct vcert *c = &cs->v[i];
            csv_write_cell(fp, c->path, false);
            csv_write_cell(fp, verify_cert_state_name(c->state), false);
            fprintf(fp, "%ld,", c->bad_line);
            csv_write_cell(fp, c->problem, false);
            fprintf(fp, "%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld\n", c->lines, c->runs, c->runs_complete,
                    c->runs_incomplete, c->files[0], c->files[1], c->files[2], c->files[3]);
        }
        return;
    }
    fprintf(fp, "verify certificate %s: %zu certificate%s checked\n", state_word(code), cs->n,
            cs->n == 1 ? "" : "s");
    for (size_t i = 0; i < cs->n; i++)
        cert_text(fp, &cs->v[i]);
}

/* ---- items ----------------------------------------------------------------------------- */

struct run {
    const struct ctx *ctx;
    struct vinput in;
    struct vresult *res;
    size_t nres;
    struct certs certs;
    size_t counts[V_NVERDICTS];
    int code;
};

static const char *node_state(const struct vresult *r)
{
    if (!r->item->uuid)
        return "";
    if (!r->node_known)
        return "unknown";
    bool trash = false, live = false, ghost = false;
    for (size_t i = 0; i < r->node.nrows; i++) {
        const struct vnoderow *n = &r->node.rows[i];
        if (n->ghosted)
            ghost = true;
        else if (!n->deleted && n->kind == VS_ARCHIVE)
            trash = true;
        else if (!n->deleted)
            live = true;
    }
    return trash ? "in_trashcan" : live ? "live" : ghost ? "ghosted" : "placeholders_only";
}

static char *join_refs(const struct vresult *r)
{
    char *s = xstrdup("");
    for (size_t i = 0; i < r->nurls; i++)
        for (size_t j = 0; j < r->urls[i].nrefs; j++) {
            const struct vref *f = &r->urls[i].refs[j];
            char *n = xasprintf("%s%s%s", s, *s ? ";" : "",
                                f->has_node ? f->node_ref : "alf_content_data");
            free(s);
            s = n;
        }
    return s;
}

static char *join_files(const struct vresult *r)
{
    char *s = xstrdup("");
    for (size_t i = 0; i < r->nurls; i++)
        for (size_t j = 0; j < r->urls[i].nfiles; j++) {
            char *n = xasprintf("%s%s%s", s, *s ? ";" : "", r->urls[i].files[j].path);
            free(s);
            s = n;
        }
    return s;
}

static char *join_recs(const struct vresult *r)
{
    char *s = xstrdup("");
    for (size_t i = 0; i < r->nurls; i++)
        for (size_t j = 0; j < r->urls[i].nrecs; j++) {
            const struct vcertrec *c = r->urls[i].recs[j];
            char *n = xasprintf("%s%s%s:%ld %s%s", s, *s ? ";" : "", c->cert->path, c->line,
                                c->status ? c->status : "?", c->verified ? " verified" : "");
            free(s);
            s = n;
        }
    return s;
}

static void print_csv(FILE *fp, const struct run *rn)
{
    fputs("item,source,line,input,node,node_state,content_urls,verdict,url_verdicts,"
          "referenced_by,files,certificate_records,explanation\n", fp);
    char num[32], ln[32];
    for (size_t i = 0; i < rn->nres; i++) {
        const struct vresult *r = &rn->res[i];
        snprintf(num, sizeof num, "%zu", i + 1);
        snprintf(ln, sizeof ln, "%ld", r->item->line);
        char *urls = xstrdup(""), *uv = xstrdup("");
        for (size_t j = 0; j < r->nurls; j++) {
            char *a = xasprintf("%s%s%s", urls, j ? ";" : "", r->urls[j].url);
            char *b = xasprintf("%s%s%s", uv, j ? ";" : "",
                                verify_verdict_name(r->urls[j].verdict));
            free(urls);
            free(uv);
            urls = a;
            uv = b;
        }
        char *refs = join_refs(r), *files = join_files(r), *recs = join_recs(r);
        char *why = xstrdup(r->why ? r->why : "");
        for (size_t j = 0; j < r->nurls; j++) {
            char *n = xasprintf("%s | %s: %s", why, r->urls[j].url,
                                r->urls[j].why ? r->urls[j].why : "");
            free(why);
            why = n;
        }
        csv_write_cell(fp, num, false);
        csv_write_cell(fp, r->item->source, false);
        csv_write_cell(fp, r->item->line ? ln : "", false);
        csv_write_cell(fp, r->item->given, false);
        csv_write_cell(fp, r->item->uuid ? r->item->uuid : "", false);
        csv_write_cell(fp, node_state(r), false);
        csv_write_cell(fp, urls, false);
        csv_write_cell(fp, verify_verdict_name(r->verdict), false);
        csv_write_cell(fp, uv, false);
        csv_write_cell(fp, refs, false);
        csv_write_cell(fp, files, false);
        csv_write_cell(fp, recs, false);
        csv_write_cell(fp, why, true);
        free(urls);
        free(uv);
        free(refs);
        free(files);
        free(recs);
        free(why);
    }
    for (size_t i = 0; i < rn->in.nbad; i++) {
        const struct vbad *b = &rn->in.bad[i];
        snprintf(ln, sizeof ln, "%ld", b->line);
        csv_write_cell(fp, "", false);
        csv_write_cell(fp, b->source, false);
        csv_write_cell(fp, b->line ? ln : "", false);
        csv_write_cell(fp, b->text, false);
        for (int k = 0; k < 3; k++)
            csv_write_cell(fp, "", false);
        csv_write_cell(fp, "malformed", false);
        for (int k = 0; k < 4; k++)
            csv_write_cell(fp, "", false);
        csv_write_cell(fp, b->msg, true);
    }
}

/* The explanation, one finding per line (a "; " inside a finding's parenthesis stays). */
static void print_why(FILE *fp, const char *indent, const char *why)
{
    if (!why)
        return;
    const char *p = why;
    for (;;) {
        size_t n = verify_why_finding_len(p);
        fputs(indent, fp);
        text_escape(fp, p, n);
        fputc('\n', fp);
        if (!p[n])
            break;
        p += n + 2;
    }
}

static void print_text(FILE *fp, const struct run *rn)
{
    fprintf(fp, "verify %s: %zu item%s: %zu destroyed, %zu destroyed_unverified, %zu pending, "
                "%zu not_destroyed, %zu unknown", state_word(rn->code), rn->nres,
            rn->nres == 1 ? "" : "s", rn->counts[V_DESTROYED], rn->counts[V_DESTROYED_UNVERIFIED],
            rn->counts[V_PENDING], rn->counts[V_NOT_DESTROYED], rn->counts[V_UNKNOWN]);
    if (rn->in.nbad)
        fprintf(fp, "; %zu malformed input line%s", rn->in.nbad, rn->in.nbad == 1 ? "" : "s");
    fputc('\n', fp);
    for (size_t i = 0; i < rn->certs.n; i++)
        cert_text(fp, &rn->certs.v[i]);
    for (size_t i = 0; i < rn->in.nbad; i++) {
        const struct vbad *b = &rn->in.bad[i];
        if (b->line)
            fprintf(fp, "malformed: %s line %ld: %s\n", E(b->source), b->line, E(b->msg));
        else
            fprintf(fp, "malformed: %s\n", E(b->msg));
    }
    char t[TIME_ISO_MAX];
    for (size_t i = 0; i < rn->nres; i++) {
        const struct vresult *r = &rn->res[i];
        fprintf(fp, "\n[%zu] %s", i + 1, E(r->item->given));
        if (r->item->line)
            fprintf(fp, " (%s line %ld)", E(r->item->source), r->item->line);
        fprintf(fp, ": %s\n", verify_verdict_name(r->verdict));
        if (r->item->uuid) {
            fprintf(fp, "  node %s: %s\n", E(r->item->uuid), node_state(r));
            for (size_t j = 0; j < r->node.nrows; j++) {
                const struct vnoderow *n = &r->node.rows[j];
                fprintf(fp, "    %s/%s: %s%s%s", E(n->store), E(r->item->uuid), E(n->type),
                        n->ghosted ? ", rma:ghosted" : "", n->record ? ", rma:record" : "");
                if (n->ncontent == 0 && !n->deleted)
                    fprintf(fp, ", holds no content");
                if (n->archived_date || n->archived_raw)
                    fprintf(fp, ", deleted %s by %s",
                            E(n->archived_date ? n->archived_date : n->archived_raw),
                            E(n->archived_by));
                if (n->has_commit)
                    fprintf(fp, ", transaction committed %s",
                            time_format_iso8601(n->commit_ms, t));
                fputc('\n', fp);
            }
            for (size_t j = 0; j < r->node.nvers; j++)
                fprintf(fp, "    version workspace://version2Store/%s (label %s)\n",
                        E(r->node.vers[j].uuid), E(r->node.vers[j].label));
        }
        for (size_t j = 0; j < r->nurls; j++) {
            const struct vurl *u = &r->urls[j];
            fprintf(fp, "  url %s: %s (%s", E(u->url), verify_verdict_name(u->verdict),
                    E(u->orphan_state));
            if (u->db_known)
                fprintf(fp, ", row %lld, %lld bytes", (long long)u->id, (long long)u->size);
            fprintf(fp, ")\n");
            for (size_t k = 0; k < u->nrecs; k++) {
                const struct vcertrec *c = u->recs[k];
                fprintf(fp, "    certificate %s line %ld: %s, verified %s (%s), assurance %s, "
                            "ended %s\n", E(c->cert->path), c->line, E(c->status),
                        c->verified ? "yes" : "no", E(c->verify_how), E(c->assurance),
                        E(c->ended));
            }
            if (!u->nrecs)
                fprintf(fp, "    certificate: no record for this URL\n");
            print_why(fp, "    - ", u->why);
        }
        print_why(fp, "  = ", r->why);
    }
}

static json_t *url_json(const struct vurl *u)
{
    json_t *o = json_object();
    json_object_set_new(o, "url", json_string(u->url));
    json_object_set_new(o, "given", json_boolean(u->given));
    json_object_set_new(o, "verdict", json_string(verify_verdict_name(u->verdict)));
    json_object_set_new(o, "orphan_state", json_string(u->orphan_state));
    json_object_set_new(o, "path", jstr(u->rel));
    json_object_set_new(o, "why", jstr(u->why));
    if (u->db_known) {
        json_t *row = json_object();
        json_object_set_new(row, "id", json_integer(u->id));
        json_object_set_new(row, "content_size", json_integer(u->size));
        json_object_set_new(row, "orphan_time",
                            u->has_orphan_time ? json_integer(u->orphan_time) : json_null());
        json_object_set_new(row, "found_by", json_string(u->by_text ? "text" : "index"));
        json_object_set_new(row, "consistent",
                            json_boolean(!u->short_mismatch && !u->crc_mismatch));
        json_t *more = json_array();
        for (size_t i = 0; i < u->nmore; i++)
            json_array_append_new(more, json_integer(u->more_ids[i]));
        json_object_set_new(row, "same_url_rows", more);
        json_object_set_new(o, "row", row);
    } else {
        json_object_set_new(o, "row", json_null());
    }
    json_t *refs = json_array();
    for (size_t i = 0; i < u->nrefs; i++) {
        const struct vref *f = &u->refs[i];
        json_t *j = json_object();
        json_object_set_new(j, "content_data_id", json_integer(f->data_id));
        json_object_set_new(j, "node_ref", jstr(f->node_ref));
        json_object_set_new(j, "property", jstr(f->prop));
        json_object_set_new(j, "node_type", jstr(f->type));
        json_object_set_new(j, "ghosted", json_boolean(f->ghosted));
        json_object_set_new(j, "archived_date", jstr(f->archived_date));
        if (f->archived_raw)
            json_object_set_new(j, "archived_date_raw", json_string(f->archived_raw));
        json_object_set_new(j, "archived_by", jstr(f->archived_by));
        json_object_set_new(j, "trashcan_item", jstr(f->kind == VS_ARCHIVE && f->has_node
                                                         ? (f->archived_item ? f->archived_item
                                                                             : f->node_ref)
                                                         : NULL));
        json_object_set_new(j, "frozen_node_ref", jstr(f->frozen_ref));
        static const char *const frozen[] = {NULL, "gone", "in_trashcan", "live"};
        json_object_set_new(j, "frozen_node_state", jstr(frozen[f->frozen_state]));
        json_array_append_new(refs, j);
    }
    json_object_set_new(o, "referenced_by", refs);
    json_t *files = json_array();
    for (size_t i = 0; i < u->nfiles; i++) {
        json_t *j = json_object();
        json_object_set_new(j, "root", json_string(u->files[i].root_name));
        json_object_set_new(j, "path", json_string(u->files[i].path));
        json_object_set_new(j, "size", json_integer(u->files[i].size));
        json_object_set_new(j, "regular", json_boolean(u->files[i].regular));
        json_object_set_new(j, "via_link", json_boolean(u->files[i].via_link));
        json_array_append_new(files, j);
    }
    json_object_set_new(o, "files", files);
    json_t *recs = json_array();
    for (size_t i = 0; i < u->nrecs; i++) {
        const struct vcertrec *c = u->recs[i];
        const struct vrun *run = verify_cert_run(c->cert, c->run);
        json_t *j = json_object();
        json_object_set_new(j, "certificate", json_string(c->cert->path));
        json_object_set_new(j, "line", json_integer(c->line));
        json_object_set_new(j, "run", jstr(c->run));
        json_object_set_new(j, "run_line", run ? json_integer(run->line) : json_null());
        json_object_set_new(j, "method", jstr(run ? run->method : NULL));
        json_object_set_new(j, "run_verify", jstr(run ? run->verify : NULL));
        json_object_set_new(j, "filesystem", jstr(run ? run->filesystem : NULL));
        json_object_set_new(j, "status", jstr(c->status));
        json_object_set_new(j, "reason", jstr(c->reason));
        json_object_set_new(j, "verified", json_boolean(c->verified));
        json_object_set_new(j, "verify_how", jstr(c->verify_how));
        json_object_set_new(j, "assurance", jstr(c->assurance));
        json_object_set_new(j, "passes_done", json_integer(c->passes_done));
        json_object_set_new(j, "passes_total", json_integer(c->passes_total));
        json_object_set_new(j, "root", jstr(c->root));
        json_object_set_new(j, "path", jstr(c->path));
        json_object_set_new(j, "ended", jstr(c->ended));
        json_object_set_new(j, "proof", json_boolean(c == u->proof));
        json_array_append_new(recs, j);
    }
    json_object_set_new(o, "certificate_records", recs);
    return o;
}

static json_t *node_json(const struct vresult *r)
{
    if (!r->item->uuid)
        return json_null();
    json_t *o = json_object();
    json_object_set_new(o, "uuid", json_string(r->item->uuid));
    json_object_set_new(o, "node_ref", jstr(r->item->node_ref));
    json_object_set_new(o, "known", json_boolean(r->node_known));
    json_object_set_new(o, "state", json_string(node_state(r)));
    json_t *rows = json_array();
    char t[TIME_ISO_MAX];
    for (size_t i = 0; i < r->node.nrows; i++) {
        const struct vnoderow *n = &r->node.rows[i];
        json_t *j = json_object();
        json_object_set_new(j, "id", json_integer(n->id));
        json_object_set_new(j, "store", json_string(n->store));
        json_object_set_new(j, "type", jstr(n->type));
        json_object_set_new(j, "deleted", json_boolean(n->deleted));
        json_object_set_new(j, "ghosted", json_boolean(n->ghosted));
        json_object_set_new(j, "record", json_boolean(n->record));
        json_object_set_new(j, "content_properties", json_integer(n->ncontent));
        json_object_set_new(j, "archived_date", jstr(n->archived_date));
        if (n->archived_raw)
            json_object_set_new(j, "archived_date_raw", json_string(n->archived_raw));
        json_object_set_new(j, "archived_by", jstr(n->archived_by));
        json_object_set_new(j, "committed",
                            n->has_commit ? json_string(time_format_iso8601(n->commit_ms, t))
                                          : json_null());
        json_array_append_new(rows, j);
    }
    json_object_set_new(o, "rows", rows);
    json_t *vers = json_array();
    for (size_t i = 0; i < r->node.nvers; i++) {
        json_t *j = json_object();
        char *ref = xasprintf("workspace://version2Store/%s", r->node.vers[i].uuid);
        json_object_set_new(j, "node_ref", json_string(ref));
        free(ref);
        json_object_set_new(j, "label", jstr(r->node.vers[i].label));
        json_array_append_new(vers, j);
    }
    json_object_set_new(o, "versions", vers);
    return o;
}

static void print_json(FILE *fp, const struct run *rn)
{
    char t[TIME_ISO_MAX];
    json_t *root = json_object();
    json_object_set_new(root, "command", json_string("verify"));
    json_object_set_new(root, "now", json_string(time_format_iso8601(rn->ctx->now_ms, t)));
    json_object_set_new(root, "status", json_string(state_word(rn->code)));
    json_object_set_new(root, "exit_code", json_integer(rn->code));
    json_t *sum = json_object();
    json_object_set_new(sum, "items", json_integer((json_int_t)rn->nres));
    for (int v = 0; v < V_NVERDICTS; v++)
        json_object_set_new(sum, verify_verdict_name((enum vverdict)v),
                            json_integer((json_int_t)rn->counts[v]));
    json_object_set_new(sum, "malformed", json_integer((json_int_t)rn->in.nbad));
    json_object_set_new(root, "summary", sum);
    json_t *certs = json_array();
    for (size_t i = 0; i < rn->certs.n; i++)
        json_array_append_new(certs, cert_json(&rn->certs.v[i]));
    json_object_set_new(root, "certificates", certs);
    json_t *bad = json_array();
    for (size_t i = 0; i < rn->in.nbad; i++) {
        json_t *j = json_object();
        json_object_set_new(j, "source", json_string(rn->in.bad[i].source));
        json_object_set_new(j, "line",
                            rn->in.bad[i].line ? json_integer(rn->in.bad[i].line) : json_null());
        json_object_set_new(j, "text", json_string(rn->in.bad[i].text));
        json_object_set_new(j, "error", json_string(rn->in.bad[i].msg));
        json_array_append_new(bad, j);
    }
    json_object_set_new(root, "malformed", bad);
    json_t *items = json_array();
    for (size_t i = 0; i < rn->nres; i++) {
        const struct vresult *r = &rn->res[i];
        json_t *j = json_object();
        json_object_set_new(j, "source", json_string(r->item->source));
        json_object_set_new(j, "line", r->item->line ? json_integer(r->item->line) : json_null());
        json_object_set_new(j, "input", json_string(r->item->given));
        json_object_set_new(j, "verdict", json_string(verify_verdict_name(r->verdict)));
        json_object_set_new(j, "why", jstr(r->why));
        json_object_set_new(j, "node", node_json(r));
        json_t *urls = json_array();
        for (size_t k = 0; k < r->nurls; k++)
            json_array_append_new(urls, url_json(&r->urls[k]));
        json_object_set_new(j, "urls", urls);
        json_array_append_new(items, j);
    }
    json_object_set_new(root, "items", items);
    json_dumpf(root, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', fp);
    json_decref(root);
}

/* ---- set-up ------------------------------------------------------------------------------ */

static bool prop_true(const struct conf *conf, const char *key)
{
    const char *v = conf->props ? props_get(conf->props, key) : NULL;
    return v && strcasecmp(v, "true") == 0;
}

static const char *setting_origin(const struct conf_str *s)
{
    return s->origin ? s->origin : conf_source_name(s->src);
}

static int make_roots(const struct conf *conf, struct vroot **out, size_t *n, struct err *err)
{
    const struct conf_alfresco *a = &conf->alfresco;
    *out = NULL;
    *n = 0;
    if (!a->contentstore.val) {
        err_set(err, ERR_CONFIG, "no content store configured");
        return err_hint(err, "Set alfresco.contentstore (or alfresco.dir_root) in alfwipe.conf, "
                             "or alfresco.global_properties to read dir.root from Alfresco.");
    }
    struct vroot *v = xcalloc(a->n_extra_roots + 2, sizeof *v);
    size_t k = 0;
    v[k].name = xstrdup("contentstore");
    v[k].path = xstrdup(a->contentstore.val);
    v[k].origin = setting_origin(&a->contentstore);
    v[k++].kind = VR_CONTENT;
    for (size_t i = 0; i < a->n_extra_roots; i++) {
        v[k].name = xasprintf("extra_roots[%zu]", i);
        v[k].path = xstrdup(a->extra_roots[i]);
        v[k++].kind = VR_EXTRA;
    }
    if (a->contentstore_deleted.val) {
        v[k].name = xstrdup("contentstore_deleted");
        v[k].path = xstrdup(a->contentstore_deleted.val);
        v[k].origin = setting_origin(&a->contentstore_deleted);
        v[k++].kind = VR_DELETED;
    }
    *out = v;
    *n = k;
    for (size_t i = 0; i < k; i++) {
        if (v[i].path[0] != '/')
            return conf_root_relative(err, v[i].name, v[i].path, v[i].origin);
        int fd = open(v[i].path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) {
            close(fd);
            continue;
        }
        if (v[i].kind == VR_DELETED && errno == ENOENT) {
            v[i].missing = true;
            continue;
        }
        return conf_root_unusable(err, errno, v[i].name, v[i].path, v[i].origin, NULL);
    }
    return 0;
}

static void roots_free(struct vroot *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].path);
    }
    free(v);
}

static int parse_opts(int argc, char **argv, struct opts *o, struct vinput *in, bool *help)
{
    enum { O_NODE = 256, O_URL, O_FROM, O_CERT, O_FORMAT, O_OUTPUT };
    static const struct option lo[] = {
        {"node", required_argument, NULL, O_NODE},
        {"url", required_argument, NULL, O_URL},
        {"from", required_argument, NULL, O_FROM},
        {"certificate", required_argument, NULL, O_CERT},
        {"format", required_argument, NULL, O_FORMAT},
        {"output", required_argument, NULL, O_OUTPUT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    /* Each --node, --url, --from and --certificate adds one more. */
    static const char *const repeatable[] = {"node", "url", "from", "certificate", NULL};
    struct err err = ERR_INIT;
    struct cli_once once;
    cli_once_init(&once, "verify", lo, repeatable);
    int c;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        if (cli_once(&once, c, optarg) != 0)
            return AW_UNKNOWN;
        switch (c) {
        case O_NODE:
        case O_URL:
            err_init(&err);
            if (verify_add_arg(in, c == O_URL, optarg, &err) != 0) {
                in->bad = xgrow(in->bad, &in->badcap, in->nbad + 1, sizeof *in->bad);
                struct vbad *b = &in->bad[in->nbad++];
                b->source = xstrdup(c == O_URL ? "--url" : "--node");
                b->line = 0;
                b->text = xstrdup(optarg);
                b->msg = xstrdup(err.msg);
            }
            break;
        case O_FROM:
            push(&o->froms, &o->nfroms, optarg);
            break;
        case O_CERT:
            push(&o->certs, &o->ncerts, optarg);
            break;
        case O_FORMAT:
            if (out_format_parse(optarg, &o->fmt, &err) != 0) {
                err_print(&err);
                return AW_UNKNOWN;
            }
            break;
        case O_OUTPUT:
            o->output = optarg;
            break;
        case 'h':
            *help = true;
            return 0;
        default:
            return cli_bad_option("verify", argc, argv);
        }
    }
    if (optind < argc) {
        err_set(&err, ERR_USAGE, "unexpected argument '%s'", E(argv[optind]));
        err_hint(&err, "Give nodes with --node, content URLs with --url, or a list with "
                       "--from.");
        err_print(&err);
        return AW_UNKNOWN;
    }
    return 0;
}

static void report_bad(const struct vinput *in)
{
    for (size_t i = 0; i < in->nbad; i++) {
        const struct vbad *b = &in->bad[i];
        struct err e = ERR_INIT;
        if (b->line)
            err_set(&e, ERR_DATA, "%s line %ld: %s", E(b->source), b->line, E(b->msg));
        else
            err_set(&e, ERR_DATA, "%s", E(b->msg));
        if (b->line)
            err_hint(&e, "Give one node uuid, node ref (workspace://SpacesStore/<uuid>) or "
                         "content URL (store://...) per line; the other lines were still "
                         "checked.");
        else if (strcmp(b->source, "--url") == 0)
            err_hint(&e, "Give --url a content URL (store://...), and a node uuid or node ref "
                         "with --node; the other items were still checked.");
        else
            err_hint(&e, "Give --node a node uuid or a node ref "
                         "(workspace://SpacesStore/<uuid>), and a content URL (store://...) with "
                         "--url; the other items were still checked.");
        err_print(&e);
    }
}

static int run_items(struct run *rn, struct conf *conf, struct err *err)
{
    struct db *db = NULL;
    struct vroot *roots = NULL;
    size_t nroots = 0;
    int ret = -1;
    if (!conf->db.configured) {
        err_set(err, ERR_CONFIG, "no database configured%s", conf_unread_note(conf));
        err_hint(err, "Add a database group to alfwipe.conf, or set alfresco.global_properties "
                      "so that db.url can be read; without the database nothing can be proven.");
        return -1;
    }
    if (make_roots(conf, &roots, &nroots, err) != 0)
        goto out;
    struct db_schema_info info;
    if (conf_load_db_password(conf, err) != 0 || db_open(&db, &conf->db, err) != 0 ||
        db_check_schema(db, &info, err) != 0)
        goto out;
    /* An empty contentstore (and no file in any extra root) while the database references
     * content is an unmounted volume: every file would look unlinked, and the verdicts with
     * it. */
    long long nurls = 0;
    if (report_store_unmounted(db, conf->alfresco.contentstore.val, &nurls, err) != 0)
        goto out;
    for (size_t i = 0; nurls > 0 && i < conf->alfresco.n_extra_roots; i++) {
        long long n = 0;
        if (report_store_unmounted(db, conf->alfresco.extra_roots[i], &n, err) != 0)
            goto out;
        if (n == 0)
            nurls = 0;   /* that root holds a file: the content may live there */
    }
    if (nurls > 0) {
        report_unmounted_error(err, conf->alfresco.contentstore.val, nurls,
                               conf->alfresco.n_extra_roots > 0,
                               "Nothing can be proven of files while the volume is not in view.");
        goto out;
    }
    struct vpolicy pol = {
        .now_ms = rn->ctx->now_ms,
        .protect_ms = conf->policy.orphan_protect_days.val * MS_PER_DAY,
        .slack_ms = conf->policy.cleaner_slack_days.val * MS_PER_DAY,
        .eager = conf->policy.eager_orphan_cleanup.val,
        .cleansing = prop_true(conf, "rm.content.cleansing.enabled"),
        .cron = "0 0 4 * * ?",
    };
    const char *cron = conf->props
        ? props_get(conf->props, "system.content.orphanCleanup.cronExpression") : NULL;
    if (cron && *cron)
        pol.cron = cron;
    rn->res = xcalloc(rn->in.nitems + 1, sizeof *rn->res);
    for (size_t i = 0; i < rn->in.nitems; i++) {
        struct vresult *r = &rn->res[rn->nres++];
        r->item = &rn->in.items[i];
        if (verify_gather_db(db, r, err) != 0)
            goto out;
        verify_gather_files(roots, nroots, r);
        verify_gather_certs(rn->certs.v, rn->certs.n, r);
        for (size_t k = 0; k < r->nurls; k++)
            verify_judge_url(&pol, r, &r->urls[k]);
        verify_judge_item(&pol, r);
        rn->counts[r->verdict]++;
    }
    ret = 0;
out:
    db_close(db);
    roots_free(roots, nroots);
    return ret;
}

int cmd_verify(struct ctx *ctx, int argc, char **argv)
{
    struct opts o = {0};
    struct run rn;
    memset(&rn, 0, sizeof rn);
    rn.ctx = ctx;
    bool help = false;
    int code = parse_opts(argc, argv, &o, &rn.in, &help);
    struct conf conf;
    memset(&conf, 0, sizeof conf);
    struct err err = ERR_INIT;
    struct out out = {0};
    bool conf_loaded = false;
    uint8_t *key = NULL;
    size_t keylen = 0;
    if (code != 0 || help) {
        if (help)
            usage(stdout);
        goto done;
    }
    code = AW_UNKNOWN;
    for (size_t i = 0; i < o.nfroms; i++) {
        FILE *fp = strcmp(o.froms[i], "-") == 0 ? stdin : fopen(o.froms[i], "r");
        if (!fp) {
            int e = errno;
            err_sys(&err, ERR_IO, e, "could not open list '%s'", E(o.froms[i]));
            err_hint(&err, "Name a readable file with --from, or '-' for standard input.");
            err_print(&err);
            goto done;
        }
        int rc = verify_read_list(&rn.in, fp, o.froms[i], &err);
        if (fp != stdin)
            fclose(fp);
        if (rc != 0) {
            err_print(&err);
            goto done;
        }
    }
    bool integrity = rn.in.nitems == 0 && rn.in.nbad == 0 && o.ncerts > 0 && o.nfroms == 0;
    if (rn.in.nitems == 0 && rn.in.nbad == 0 && !integrity) {
        if (o.nfroms > 0) {
            if (o.nfroms == 1)
                err_set(&err, ERR_USAGE, "nothing to verify: --from '%s' names no node or "
                        "content URL", E(o.froms[0]));
            else
                err_set(&err, ERR_USAGE, "nothing to verify: the --from lists name no node or "
                        "content URL");
            err_hint(&err, "Put one node uuid, node ref or content URL per line into the list "
                           "(blank lines and '#' comments are skipped), or give --node or --url.");
        } else {
            err_set(&err, ERR_USAGE, "nothing to verify");
            err_hint(&err, "Give nodes with --node, content URLs with --url, a list with --from, "
                           "or only --certificate FILE to check a certificate.");
        }
        err_print(&err);
        goto done;
    }
    if (cli_load_conf(ctx, &conf) != 0)
        goto done;
    conf_loaded = true;
    /* The certificates to check and the lists being read are not to be replaced either. */
    struct out_guard_file *own = xcalloc(o.ncerts + o.nfroms + 1, sizeof *own);
    size_t nown = 0;
    for (size_t i = 0; i < o.ncerts; i++)
        own[nown++] = (struct out_guard_file){"a certificate to check --certificate",
                                              o.certs[i]};
    for (size_t i = 0; i < o.nfroms; i++)
        if (strcmp(o.froms[i], "-") != 0)
            own[nown++] = (struct out_guard_file){"a list being read --from", o.froms[i]};
    int grc = out_guard_check(&conf, "verify", o.output, NULL, 0, own, nown, &err);
    free(own);
    if (grc != 0) {
        err_print(&err);
        goto done;
    }
    if (load_key(&conf, &key, &keylen, &err) != 0) {
        err_print(&err);
        goto done;
    }
    load_certs(&rn.certs, &conf, &o, !integrity, key, keylen);
    if (out_open(&out, o.output, &err) != 0) {
        err_print(&err);
        goto done;
    }
    if (integrity) {
        code = integrity_code(&rn.certs);
        integrity_print(out.fp, o.fmt, &rn.certs, code, ctx->verbosity < 0);
    } else {
        report_bad(&rn.in);
        if (run_items(&rn, &conf, &err) != 0) {
            err_print(&err);
            out_close(&out, false, NULL);
            code = AW_UNKNOWN;
            goto done;
        }
        code = verify_exit_code(rn.counts, rn.certs.tampered,
                                rn.in.nbad > 0 || rn.certs.unusable);
        rn.code = code;
        if (o.fmt == OUT_JSON)
            print_json(out.fp, &rn);
        else if (o.fmt == OUT_CSV)
            print_csv(out.fp, &rn);
        else if (!(ctx->verbosity < 0 && code == AW_OK)) /* -q: only when not OK */
            print_text(out.fp, &rn);
    }
    if (out_close(&out, true, &err) != 0) {
        err_print(&err);
        code = AW_UNKNOWN;
    }
done:
    for (size_t i = 0; i < rn.nres; i++)
        verify_result_release(&rn.res[i]);
    free(rn.res);
    certs_release(&rn.certs);
    verify_input_release(&rn.in);
    if (key) {
        OPENSSL_cleanse(key, keylen);
        free(key);
    }
    if (conf_loaded)
        conf_release(&conf);
    free(o.froms);
    free(o.certs);
    esc_release();
    return code;
}
