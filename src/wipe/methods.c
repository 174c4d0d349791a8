/* The pass table of every wipe method, and the schedule of one run built from it.
 * Every listing of passes (methods, help, log, certificate) is generated from this table. */
#include <stdio.h>
#include <string.h>

#include "alfwipe/wipe.h"

#define P1(b) {WIPE_PASS_PATTERN, 1, {(b), 0, 0}, false}
#define P1V(b) {WIPE_PASS_PATTERN, 1, {(b), 0, 0}, true}
#define P3(a, b, c) {WIPE_PASS_PATTERN, 3, {(a), (b), (c)}, false}
#define RND {WIPE_PASS_RANDOM, 0, {0, 0, 0}, false}
#define RNDV {WIPE_PASS_RANDOM, 0, {0, 0, 0}, true}
#define RUNB {WIPE_PASS_RUN_BYTE, 1, {0, 0, 0}, false}

static const struct wipe_pass_def p_zero[] = {P1(0x00)};
static const struct wipe_pass_def p_one[] = {P1(0xFF)};
static const struct wipe_pass_def p_random[] = {RND};
static const struct wipe_pass_def p_nist[] = {P1V(0x00)};
static const struct wipe_pass_def p_dod3[] = {P1(0x00), P1(0xFF), RND};
static const struct wipe_pass_def p_dod7[] = {P1(0x00), P1(0xFF), RND, RUNB,
                                              P1(0x00), P1(0xFF), RND};
static const struct wipe_pass_def p_gutmann[] = {
    RND, RND, RND, RND,
    P1(0x55), P1(0xAA), P3(0x92, 0x49, 0x24), P3(0x49, 0x24, 0x92), P3(0x24, 0x92, 0x49),
    P1(0x00), P1(0x11), P1(0x22), P1(0x33), P1(0x44), P1(0x55), P1(0x66), P1(0x77),
    P1(0x88), P1(0x99), P1(0xAA), P1(0xBB), P1(0xCC), P1(0xDD), P1(0xEE), P1(0xFF),
    P3(0x92, 0x49, 0x24), P3(0x49, 0x24, 0x92), P3(0x24, 0x92, 0x49),
    P3(0x6D, 0xB6, 0xDB), P3(0xB6, 0xDB, 0x6D), P3(0xDB, 0x6D, 0xB6),
    RND, RND, RND, RND,
};
static const struct wipe_pass_def p_schneier[] = {P1(0xFF), P1(0x00), RND, RND, RND, RND, RND};
static const struct wipe_pass_def p_bsi[] = {P1(0x00), P1(0xFF), P1(0x00), P1(0xFF),
                                             P1(0x00), P1(0xFF), P1(0xAA)};
static const struct wipe_pass_def p_ops2[] = {P1(0x00), P1(0xFF), P1(0x00), P1(0xFF),
                                              P1(0x00), P1(0xFF), RNDV};
static const struct wipe_pass_def p_is5[] = {P1(0x00), P1(0xFF), RNDV};
static const struct wipe_pass_def p_nnsa[] = {RND, RND, P1(0x00)};
static const struct wipe_pass_def p_rm3[] = {P1(0xFF), P1(0x00), RND};
static const struct wipe_pass_def p_rm7[] = {P1(0xFF), P1(0x00), RND, P1(0x00), P1(0x00),
                                             P1(0xFF), RND};

#define PASSES(a) (a), (uint8_t)(sizeof(a) / sizeof((a)[0]))

const struct wipe_method wipe_methods[] = {
    {"zero", "one pass of 0x00", "plain overwrite", PASSES(p_zero), 0, 0, 0},
    {"one", "one pass of 0xFF", "plain overwrite", PASSES(p_one), 0, 0, 0},
    {"random", "one pass of the keyed random stream", "plain overwrite", PASSES(p_random), 0,
     0, 0},
    {"nist-clear", "one pass of 0x00, always read back in full",
     "NIST SP 800-88 Rev.1 Clear (at best Clear for the file's current blocks)",
     PASSES(p_nist), 0, 0, 0},
    {"dod-3", "0x00, its complement 0xFF, random", "DoD 5220.22-M (E), character pinned to 0x00",
     PASSES(p_dod3), 0, 0, 0},
    {"dod-7", "E (0x00, 0xFF, random), C (one byte drawn per run), E again",
     "DoD 5220.22-M ECE (secondary sources)", PASSES(p_dod7), 0, 0, 0},
    {"gutmann", "4 random, the 27 fixed patterns shuffled per run, 4 random",
     "Gutmann 1996; only passes 5-31 are shuffled", PASSES(p_gutmann), WIPE_M_SHUFFLE, 4, 30},
    {"schneier", "0xFF, 0x00, 5 random", "Schneier, Applied Cryptography", PASSES(p_schneier),
     0, 0, 0},
    {"bsi-vsitr", "0x00, 0xFF three times, then 0xAA", "BSI VSITR (secondary sources)",
     PASSES(p_bsi), 0, 0, 0},
    {"rcmp-ops2", "0x00, 0xFF three times, then random, always read back",
     "RCMP TSSIT OPS-II (secondary sources); final pass must stay random", PASSES(p_ops2),
     WIPE_M_NO_FINAL_ZERO, 0, 0},
    {"hmg-is5-enhanced", "0x00, 0xFF, random, the random pass always read back",
     "HMG IS5 enhanced (secondary sources)", PASSES(p_is5), 0, 0, 0},
    {"nnsa", "random, random, 0x00", "NNSA NAP-14.1-C as implemented by scrub", PASSES(p_nnsa),
     0, 0, 0},
    {"rm-522022m", "0xFF, 0x00, random",
     "Alfresco Records Management ContentCleanser522022M", PASSES(p_rm3), 0, 0, 0},
    {"rm-sevenpass", "0xFF, 0x00, random, 0x00, 0x00, 0xFF, random",
     "Alfresco Records Management ContentCleanserSevenPass", PASSES(p_rm7), 0, 0, 0},
};
const size_t wipe_nmethods = sizeof wipe_methods / sizeof wipe_methods[0];

const struct wipe_method *wipe_method_find(const char *name)
{
    for (size_t i = 0; i < wipe_nmethods; i++)
        if (strcmp(wipe_methods[i].name, name) == 0)
            return &wipe_methods[i];
    return NULL;
}

const char *wipe_method_names(void)
{
    static char buf[512];
    if (buf[0])
        return buf;
    size_t off = 0;
    for (size_t i = 0; i < wipe_nmethods && off < sizeof buf; i++) {
        int n = snprintf(buf + off, sizeof buf - off, "%s%s", i ? ", " : "",
                         wipe_methods[i].name);
        if (n < 0)
            break;
        off += (size_t)n;
    }
    return buf;
}

int wipe_verify_parse(const char *s, enum wipe_verify *out, struct err *err)
{
    if (strcmp(s, "off") == 0)
        *out = WIPE_VERIFY_OFF;
    else if (strcmp(s, "last") == 0)
        *out = WIPE_VERIFY_LAST;
    else if (strcmp(s, "all") == 0)
        *out = WIPE_VERIFY_ALL;
    else {
        err_set(err, ERR_USAGE, "unknown verify mode '%s'", s);
        return err_hint(err, "Use --verify off, last or all.");
    }
    return 0;
}

const char *wipe_verify_name(enum wipe_verify v)
{
    switch (v) {
    case WIPE_VERIFY_OFF:
        return "off";
    case WIPE_VERIFY_LAST:
        return "last";
    case WIPE_VERIFY_ALL:
        return "all";
    }
    return "?";
}

/* A uniformly distributed integer in [0, bound) from the stream, by rejection. */
static int draw_below(struct wipe_stream *st, uint32_t bound, uint32_t *out, struct err *err)
{
    uint32_t limit = UINT32_MAX - (UINT32_MAX % bound);
    for (;;) {
        uint8_t b[4];
        if (wipe_stream_read(st, b, sizeof b, err) != 0)
            return -1;
        uint32_t v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
        if (v < limit) {
            *out = v % bound;
            return 0;
        }
    }
}

int wipe_schedule_build(struct wipe_schedule *s, const struct wipe_method *m, bool final_zero,
                        enum wipe_verify verify, const struct wipe_key *key, struct err *err)
{
    memset(s, 0, sizeof *s);
    if (final_zero && (m->flags & WIPE_M_NO_FINAL_ZERO)) {
        err_set(err, ERR_USAGE,
                "method '%s' cannot take a final zero pass: its last pass must be random "
                "and read back", m->name);
        return err_hint(err, "Drop the final zero pass (wipe.final_zero = false, no "
                             "--final-zero) or choose another method.");
    }
    if ((size_t)m->npasses + 1 > WIPE_MAX_PASSES)
        return err_set(err, ERR_INTERNAL, "method '%s' has too many passes", m->name);
    s->method = m;
    s->final_zero = final_zero;
    s->verify = verify;

    struct wipe_stream *st = NULL;
    bool need_stream = (m->flags & WIPE_M_SHUFFLE) != 0;
    for (size_t i = 0; i < m->npasses; i++)
        if (m->passes[i].kind == WIPE_PASS_RUN_BYTE)
            need_stream = true;
    if (need_stream) {
        /* Stream 0, pass 0 belongs to the run: permutation first, then the run byte. */
        st = wipe_stream_new(key, 0, 0, err);
        if (!st)
            return -1;
    }

    uint8_t order[WIPE_MAX_PASSES];
    for (size_t i = 0; i < m->npasses; i++)
        order[i] = (uint8_t)i;
    if (m->flags & WIPE_M_SHUFFLE) {
        /* Fisher-Yates over the fixed range only: the random passes around it stay put. */
        for (size_t i = m->shuffle_last; i > m->shuffle_first; i--) {
            uint32_t j;
            if (draw_below(st, (uint32_t)(i - m->shuffle_first + 1), &j, err) != 0) {
                wipe_stream_free(st);
                return -1;
            }
            size_t k = m->shuffle_first + j;
            uint8_t t = order[i];
            order[i] = order[k];
            order[k] = t;
        }
    }
    uint8_t run_byte = 0;
    bool have_run_byte = false;

    for (size_t i = 0; i < m->npasses; i++) {
        const struct wipe_pass_def *d = &m->passes[order[i]];
        struct wipe_pass *p = &s->passes[s->npasses++];
        p->table_index = order[i];
        p->verify = d->always_verify || verify == WIPE_VERIFY_ALL;
        if (d->kind == WIPE_PASS_RANDOM) {
            p->kind = WIPE_PASS_RANDOM;
            continue;
        }
        p->kind = WIPE_PASS_PATTERN;
        if (d->kind == WIPE_PASS_RUN_BYTE) {
            if (!have_run_byte) {
                if (wipe_stream_read(st, &run_byte, 1, err) != 0) {
                    wipe_stream_free(st);
                    return -1;
                }
                have_run_byte = true;
            }
            p->len = 1;
            p->pat[0] = run_byte;
            p->run_byte = true;
        } else {
            p->len = d->len;
            memcpy(p->pat, d->pat, sizeof p->pat);
        }
    }
    wipe_stream_free(st);

    if (final_zero) {
        struct wipe_pass *p = &s->passes[s->npasses++];
        p->kind = WIPE_PASS_PATTERN;
        p->len = 1;
        p->pat[0] = 0x00;
        p->final_zero = true;
        p->table_index = m->npasses;
        p->verify = verify == WIPE_VERIFY_ALL;
    }
    if (verify == WIPE_VERIFY_LAST && s->npasses > 0)
        s->passes[s->npasses - 1].verify = true;
    return 0;
}

size_t wipe_schedule_nverified(const struct wipe_schedule *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->npasses; i++)
        n += s->passes[i].verify;
    return n;
}

void wipe_pass_fill(const struct wipe_pass *p, uint64_t off, uint8_t *buf, size_t n)
{
    if (p->len <= 1) {
        memset(buf, p->pat[0], n);
        return;
    }
    size_t phase = (size_t)(off % p->len);
    for (size_t i = 0; i < n; i++) {
        buf[i] = p->pat[phase];
        if (++phase == p->len)
            phase = 0;
    }
}

static char *describe_bytes(const uint8_t *pat, size_t len, char *buf, size_t buflen)
{
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < len && off < buflen; i++) {
        int n = snprintf(buf + off, buflen - off, "%s%02X", i ? " " : "", pat[i]);
        if (n < 0)
            break;
        off += (size_t)n;
    }
    return buf;
}

char *wipe_pass_describe(const struct wipe_pass *p, char *buf, size_t len)
{
    if (p->kind == WIPE_PASS_RANDOM) {
        snprintf(buf, len, "random");
        return buf;
    }
    return describe_bytes(p->pat, p->len, buf, len);
}

char *wipe_pass_def_describe(const struct wipe_pass_def *d, char *buf, size_t len)
{
    if (d->kind == WIPE_PASS_RANDOM)
        snprintf(buf, len, "random");
    else if (d->kind == WIPE_PASS_RUN_BYTE)
        snprintf(buf, len, "c");
    else
        describe_bytes(d->pat, d->len, buf, len);
    return buf;
}
