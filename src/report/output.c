/* The report writers: JSON (items and trashcan items encoded into one reused buffer, strings
 * that need escaping and reals through jansson), CSV (RFC 4180, raw bytes)
 * and text (summary first, then the items with findings, buffered in a temporary file).
 *
 * Bytes that are not valid UTF-8 (file names may hold any byte): JSON carries the name with
 * each invalid byte replaced by U+FFFD in the field itself, plus "<field>_base64" holding the
 * exact bytes; CSV carries the exact bytes; text writes a backslash as \\ and control or
 * invalid bytes as \xNN, so that one item stays on its lines. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alfwipe/conf.h"
#include "alfwipe/walk.h"
#include "rep_int.h"

/* ------------------------------------------------------------------ helpers */

static bool utf8_valid(const char *s, size_t len)
{
    json_t *j = json_stringn(s, len);
    bool ok = j != NULL;
    json_decref(j);
    return ok;
}

/* Length of the valid UTF-8 sequence at s[i] (1..4), or 0 for a byte that starts none. NUL
 * counts as invalid: no name holds one, and JSON strings should not either. */
static size_t utf8_seq(const char *s, size_t len, size_t i)
{
    unsigned char c = (unsigned char)s[i];
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || c == 0 || i + n > len)
        return 0;
    return n == 1 || utf8_valid(s + i, n) ? n : 0;
}

/* s with every byte that is not part of valid UTF-8 replaced by U+FFFD. Caller frees. */
static char *utf8_lossy(const char *s, size_t len, size_t *outlen)
{
    char *out = xmalloc(len * 3 + 1);
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_seq(s, len, i);
        if (n > 0) {
            memcpy(out + o, s + i, n);
            o += n;
            i += n;
        } else {
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
            i++;
        }
    }
    out[o] = '\0';
    *outlen = o;
    return out;
}

void text_escape(FILE *fp, const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        size_t n = utf8_seq(s, len, i);
        if (c == '\\') {
            fputs("\\\\", fp);
            i++;
        } else if (n == 0 || c < 0x20 || c == 0x7f) {
            fprintf(fp, "\\x%02x", c);
            i++;
        } else {
            fwrite(s + i, 1, n, fp);
            i += n;
        }
    }
}

void json_set_bytes(json_t *obj, const char *key, const char *s, size_t len)
{
    if (!s) {
        json_object_set_new(obj, key, json_null());
        return;
    }
    json_t *j = json_stringn(s, len);
    if (j) {
        json_object_set_new(obj, key, j);
        return;
    }
    size_t ll;
    char *lossy = utf8_lossy(s, len, &ll);
    json_object_set_new(obj, key, json_stringn(lossy, ll));
    free(lossy);
    unsigned char *b64 = xmalloc(4 * ((len + 2) / 3) + 1);
    int n = EVP_EncodeBlock(b64, (const unsigned char *)s, (int)len);
    char *k = xasprintf("%s_base64", key);
    json_object_set_new(obj, k, json_stringn((const char *)b64, (size_t)n));
    free(k);
    free(b64);
}

/* A JSON string of s, with each byte that is not valid UTF-8 replaced by U+FFFD. */
static json_t *json_string_lossy(const char *s)
{
    json_t *j = json_string(s);
    if (j)
        return j;
    size_t ll;
    char *lossy = utf8_lossy(s, strlen(s), &ll);
    j = json_stringn(lossy, ll);
    free(lossy);
    return j;
}

static json_t *json_instant(int64_t ms)
{
    char buf[TIME_ISO_MAX];
    return json_string(time_format_iso8601(ms, buf));
}

static double days_of(int64_t ms)
{
    return (double)ms / 86400000.0;
}

static void put(struct rwriter *w, const char *s)
{
    if (fputs(s, w->fp) == EOF && !w->error)
        w->error = errno ? errno : EIO;
}

static void findings_text(unsigned f, char *buf, size_t n, const char *sep)
{
    buf[0] = '\0';
    size_t o = 0;
    for (unsigned b = 0; b < F_COUNT_BITS; b++) {
        if (!(f & (1u << b)))
            continue;
        int k = snprintf(buf + o, n - o, "%s%s", o ? sep : "", finding_name(1u << b));
        if (k < 0 || (size_t)k >= n - o)
            break;
        o += (size_t)k;
    }
}

static json_t *policy_json(const struct report *r)
{
    const struct conf_policy *p = &r->conf->policy;
    json_t *o = json_object();
    json_object_set_new(o, "orphan_protect_days", json_integer(p->orphan_protect_days.val));
    json_object_set_new(o, "eager_orphan_cleanup", json_boolean(p->eager_orphan_cleanup.val));
    json_object_set_new(o, "trashcan_keep_days", json_real(days_of(r->pol.keep_ms)));
    json_object_set_new(o, "in_flight_grace_minutes",
                        json_integer(p->in_flight_grace_minutes.val));
    json_object_set_new(o, "cleaner_slack_days", json_integer(p->cleaner_slack_days.val));
    json_t *src = json_object();
    json_object_set_new(src, "orphan_protect_days",
                        json_string(conf_source_name(p->orphan_protect_days.src)));
    json_object_set_new(src, "eager_orphan_cleanup",
                        json_string(conf_source_name(p->eager_orphan_cleanup.src)));
    json_object_set_new(src, "trashcan_keep_days",
                        json_string(conf_source_name(p->trashcan_keep_ms.src)));
    json_object_set_new(src, "in_flight_grace_minutes",
                        json_string(conf_source_name(p->in_flight_grace_minutes.src)));
    json_object_set_new(src, "cleaner_slack_days",
                        json_string(conf_source_name(p->cleaner_slack_days.src)));
    json_object_set_new(o, "sources", src);
    return o;
}

/* ------------------------------------------------------------------ CSV */

static const char CSV_HEADER[] =
    "class,content_url,protocol,root,path,size,disk_size,encrypted,orphan_time,eligible_after,"
    "age_days,age_bucket,findings,node_refs,trashcan_items,other_files\r\n";

static void csv_item(struct rwriter *w, const struct ritem *it)
{
    FILE *fp = w->fp;
    char buf[512];
    csv_write_str(fp, rclass_name(it->cls));
    fputc(',', fp);
    csv_write_field(fp, it->url, it->url_len);
    fputc(',', fp);
    csv_write_str(fp, it->protocol);
    fputc(',', fp);
    if (it->nfiles) {
        csv_write_str(fp, it->files[0].root->name);
        fputc(',', fp);
        csv_write_field(fp, it->files[0].path, it->files[0].path_len);
    } else {
        fputc(',', fp);
    }
    fputc(',', fp);
    if (it->has_size)
        fprintf(fp, "%" PRId64, it->size);
    fputc(',', fp);
    if (it->has_disk_size)
        fprintf(fp, "%" PRId64, it->disk_size);
    fprintf(fp, ",%s,", it->encrypted ? "true" : "false");
    if (it->has_orphan_time)
        fputs(it->orphan_time > 0 ? time_format_iso8601(it->orphan_time, buf) : "0", fp);
    fputc(',', fp);
    if (it->has_eligible)
        fputs(time_format_iso8601(it->eligible_after, buf), fp);
    fputc(',', fp);
    if (it->has_age)
        fprintf(fp, "%.1f", days_of(it->age_ms));
    fprintf(fp, ",%s,", age_bucket_name(age_bucket_of(it->has_age, it->age_ms)));
    findings_text(it->findings, buf, sizeof buf, ";");
    csv_write_str(fp, buf);
    fputc(',', fp);
    size_t n = 0;
    char *joined = NULL;
    for (size_t i = 0; i < it->nrefs; i++) {
        char *j = xasprintf("%s%s%s", joined ? joined : "", i ? ";" : "", it->node_refs[i]);
        free(joined);
        joined = j;
    }
    csv_write_str(fp, joined);
    free(joined);
    joined = NULL;
    fputc(',', fp);
    for (size_t i = 0; i < it->ntrash; i++) {
        char *j = xasprintf("%s%s%s", joined ? joined : "", i ? ";" : "", it->trash_uuids[i]);
        free(joined);
        joined = j;
    }
    csv_write_str(fp, joined);
    free(joined);
    fputc(',', fp);
    /* Further files of the same URL (extra roots): root:path;root:path */
    for (size_t i = 1; i < it->nfiles; i++) {
        char *j = xasprintf("%s:", it->files[i].root->name);
        (void)n;
        if (i > 1)
            fputc(';', fp);
        csv_write_field(fp, j, strlen(j));
        csv_write_field(fp, it->files[i].path, it->files[i].path_len);
        free(j);
    }
    fputs("\r\n", fp);
    if (ferror(fp) && !w->error)
        w->error = EIO;
}

/* ------------------------------------------------------------------ JSON */

/* Items are the bulk of a report (millions of them), so each one is encoded into one buffer
 * reused for the whole report and written with a single fwrite, instead of building a jansson
 * object per item. The bytes are exactly those json_dumpf(REPORT_JSON_FLAGS) gives for the object
 * the other writers build (keys in insertion order, a value jansson refuses leaves its key
 * out): every string from outside and every real still goes through jansson, on two values
 * reused for all items (json_string_setn checks UTF-8, json_dumpb escapes and formats).
 * Keys, class, bucket and finding names and ISO 8601 instants are plain ASCII written as is. */

/* Every JSON value of the report is encoded with these flags. Ages are days rounded to a
 * tenth: twelve significant digits print 14.2 as "14.2", not "14.199999999999999". */
#define REPORT_JSON_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(12))

static void jb_put(struct rwriter *w, const char *s, size_t n)
{
    w->jbuf = xgrow(w->jbuf, &w->jcap, w->jlen + n, 1);
    memcpy(w->jbuf + w->jlen, s, n);
    w->jlen += n;
}

#define JB_LIT(w, lit) jb_put((w), (lit), sizeof(lit) - 1)

/* Appends j encoded by jansson. */
static void jb_dump(struct rwriter *w, const json_t *j)
{
    const size_t flags = REPORT_JSON_FLAGS | JSON_ENCODE_ANY;
    size_t room = w->jcap - w->jlen;
    size_t n = json_dumpb(j, w->jbuf ? w->jbuf + w->jlen : NULL, room, flags);
    if (n > room) {
        w->jbuf = xgrow(w->jbuf, &w->jcap, w->jlen + n, 1);
        n = json_dumpb(j, w->jbuf + w->jlen, n, flags);
    }
    w->jlen += n;
}

/* Writes the buffer and empties it. */
static void jb_flush(struct rwriter *w)
{
    if (fwrite(w->jbuf, 1, w->jlen, w->fp) != w->jlen && !w->error)
        w->error = errno ? errno : EIO;
    w->jlen = 0;
}

/* Eight bytes at a time: (v - 0x20..) & ~v & 0x80.. is non-zero exactly when a byte of v is
 * below 0x20, and a byte equal to c is a zero byte of v ^ c.. (below 1). */
unsigned rw_json_scan(const char *s, size_t len)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t high = 0, esc = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t v;
        memcpy(&v, s + i, 8);
        uint64_t q = v ^ (ones * '"'), b = v ^ (ones * '\\');
        high |= v;
        esc |= ((v - ones * 0x20) & ~v) | ((q - ones) & ~q) | ((b - ones) & ~b);
    }
    unsigned acc = (high & highs ? JB_HIGH : 0) | (esc & highs ? JB_ESCAPE : 0);
    for (; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        acc |= (c >= 0x80 ? JB_HIGH : 0) | (c < 0x20 || c == '"' || c == '\\' ? JB_ESCAPE : 0);
    }
    return acc;
}

/* Appends s as a JSON string; false (nothing appended) when it is not valid UTF-8. */
static bool jb_string(struct rwriter *w, const char *s, size_t len)
{
    if (!w->jstr)
        w->jstr = json_string("");
    /* jansson checks UTF-8 and escapes one character at a time, through a callback: about
     * 25 instructions a byte. Plain ASCII (nearly every name) is valid UTF-8 by definition, and
     * a string without '"', '\\' or a control byte is dumped by jansson (no JSON_ENSURE_ASCII,
     * no JSON_ESCAPE_SLASH) as itself between quotes, so those are copied after one scan. */
    unsigned acc = rw_json_scan(s, len);
    bool high = acc & JB_HIGH;
    if (high && json_string_setn(w->jstr, s, len) != 0)
        return false;
    if (!(acc & JB_ESCAPE)) {
        w->jbuf = xgrow(w->jbuf, &w->jcap, w->jlen + len + 2, 1);
        w->jbuf[w->jlen] = '"';
        memcpy(w->jbuf + w->jlen + 1, s, len);
        w->jbuf[w->jlen + len + 1] = '"';
        w->jlen += len + 2;
        return true;
    }
    if (!high && json_string_setn_nocheck(w->jstr, s, len) != 0)
        return false;
    jb_dump(w, w->jstr);
    return true;
}

/* A known ASCII name (class, bucket, finding) or ISO 8601 instant, quoted. */
static void jb_name(struct rwriter *w, const char *s)
{
    JB_LIT(w, "\"");
    jb_put(w, s, strlen(s));
    JB_LIT(w, "\"");
}

/* Decimal digits as "%" JSON_INTEGER_FORMAT prints them; snprintf costs some 500
 * instructions a number, and an item has several. */
static void jb_int(struct rwriter *w, int64_t v)
{
    char b[24];
    size_t i = sizeof b;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        b[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        b[--i] = '-';
    jb_put(w, b + i, sizeof b - i);
}

static void put2(char *p, int v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
}

/* An instant as time_format_iso8601 writes it, quoted; years 0..9999 without snprintf. */
static void jb_instant(struct rwriter *w, int64_t ms)
{
    int64_t secs = ms / 1000, rem = ms % 1000;
    if (rem < 0) {
        rem += 1000;
        secs--;
    }
    struct tm tm;
    if (time_utc_fields(secs, &tm) != 0) {
        char buf[TIME_ISO_MAX];
        jb_name(w, time_format_iso8601(ms, buf));
        return;
    }
    int year = tm.tm_year + 1900;
    char b[32];
    b[0] = '"';
    put2(b + 1, year / 100);
    put2(b + 3, year % 100);
    b[5] = '-';
    put2(b + 6, tm.tm_mon + 1);
    b[8] = '-';
    put2(b + 9, tm.tm_mday);
    b[11] = 'T';
    put2(b + 12, tm.tm_hour);
    b[14] = ':';
    put2(b + 15, tm.tm_min);
    b[17] = ':';
    put2(b + 18, tm.tm_sec);
    size_t n = 20;
    if (rem) {
        b[n++] = '.';
        b[n++] = (char)('0' + rem / 100);
        put2(b + n, (int)(rem % 100));
        n += 2;
    }
    b[n++] = 'Z';
    b[n++] = '"';
    jb_put(w, b, n);
}

/* ,"key": then a string value; the key is left out when s is NULL or not UTF-8, as
 * json_object_set_new(o, key, json_string(s)) leaves it out. */
static void jb_field_str(struct rwriter *w, const char *sep_key, size_t kl, const char *s)
{
    if (!s)
        return;
    size_t mark = w->jlen;
    jb_put(w, sep_key, kl);
    if (!jb_string(w, s, strlen(s)))
        w->jlen = mark;
}

#define JB_FIELD_STR(w, sep_key, s) jb_field_str((w), (sep_key), sizeof(sep_key) - 1, (s))

/* The value of json_set_bytes() after ,"key": (sep_key); key is the bare name. */
static void jb_bytes(struct rwriter *w, const char *key, const char *s, size_t len)
{
    if (!s) {
        JB_LIT(w, "null");
        return;
    }
    if (jb_string(w, s, len))
        return;
    size_t ll;
    char *lossy = utf8_lossy(s, len, &ll);
    jb_string(w, lossy, ll);
    free(lossy);
    unsigned char *b64 = xmalloc(4 * ((len + 2) / 3) + 1);
    int n = EVP_EncodeBlock(b64, (const unsigned char *)s, (int)len);
    JB_LIT(w, ",\"");
    jb_put(w, key, strlen(key));
    JB_LIT(w, "_base64\":");
    jb_string(w, (const char *)b64, (size_t)n);
    free(b64);
}

/* Age in days rounded to one decimal, formatted by jansson as a real. */
static void jb_days(struct rwriter *w, int64_t ms)
{
    double d = days_of(ms);
    long long tenths = (long long)(d * 10.0 + (d >= 0 ? 0.5 : -0.5));
    if (!w->jreal)
        w->jreal = json_real(0.0);
    json_real_set(w->jreal, (double)tenths / 10.0);
    jb_dump(w, w->jreal);
}

/* An array of strings; elements jansson refuses are left out, as json_array_append_new does. */
static void jb_str_array(struct rwriter *w, char *const *v, size_t n)
{
    JB_LIT(w, "[");
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        size_t mark = w->jlen;
        if (!first)
            JB_LIT(w, ",");
        if (jb_string(w, v[i], strlen(v[i])))
            first = false;
        else
            w->jlen = mark;
    }
    JB_LIT(w, "]");
}

static void jb_findings(struct rwriter *w, unsigned f)
{
    JB_LIT(w, "[");
    bool first = true;
    for (unsigned b = 0; b < F_COUNT_BITS; b++) {
        if (!(f & (1u << b)))
            continue;
        if (!first)
            JB_LIT(w, ",");
        jb_name(w, finding_name(1u << b));
        first = false;
    }
    JB_LIT(w, "]");
}

/* One file of an item: {root, path, size, mtime[, type][, content_url]}; type only for what
 * is not a regular file, content_url (the URL its path derives) only when asked. */
static void jb_file(struct rwriter *w, const struct rfile *f, bool with_url)
{
    /* "root" first: when jansson refuses it the object starts at "path". */
    size_t mark = w->jlen;
    JB_LIT(w, "{\"root\":");
    if (!jb_string(w, f->root->name, strlen(f->root->name))) {
        w->jlen = mark;
        JB_LIT(w, "{");
    } else {
        JB_LIT(w, ",");
    }
    JB_LIT(w, "\"path\":");
    jb_bytes(w, "path", f->path, f->path_len);
    JB_LIT(w, ",\"size\":");
    jb_int(w, f->size);
    JB_LIT(w, ",\"mtime\":");
    jb_instant(w, f->mtime_ms);
    if (f->type != WALK_FILE) {
        JB_LIT(w, ",\"type\":");
        jb_name(w, walk_type_name(f->type));
    }
    if (with_url) {
        char *url = xasprintf("%s%.*s", STORE_PREFIX, (int)f->path_len, f->path);
        JB_LIT(w, ",\"content_url\":");
        jb_bytes(w, "content_url", url, STORE_PREFIX_LEN + f->path_len);
        free(url);
    }
    JB_LIT(w, "}");
}

static void item_encode(struct rwriter *w, const struct ritem *it)
{
    JB_LIT(w, "{\"class\":");
    jb_name(w, rclass_name(it->cls));
    JB_LIT(w, ",\"content_url\":");
    jb_bytes(w, "content_url", it->url, it->url_len);
    JB_FIELD_STR(w, ",\"protocol\":", it->protocol);
    if (it->nfiles) {
        JB_FIELD_STR(w, ",\"root\":", it->files[0].root->name);
        JB_LIT(w, ",\"path\":");
        jb_bytes(w, "path", it->files[0].path, it->files[0].path_len);
    } else {
        JB_LIT(w, ",\"root\":null,\"path\":null");
    }
    JB_LIT(w, ",\"size\":");
    if (it->has_size)
        jb_int(w, it->size);
    else
        JB_LIT(w, "null");
    if (it->has_disk_size) {
        JB_LIT(w, ",\"disk_size\":");
        jb_int(w, it->disk_size);
    }
    if (it->encrypted)
        JB_LIT(w, ",\"encrypted\":true");
    else
        JB_LIT(w, ",\"encrypted\":false");
    JB_LIT(w, ",\"orphan_time\":");
    if (!it->has_orphan_time)
        JB_LIT(w, "null");
    else if (it->orphan_time > 0)
        jb_instant(w, it->orphan_time);
    else
        jb_int(w, it->orphan_time);
    if (it->has_eligible) {
        JB_LIT(w, ",\"eligible_after\":");
        jb_instant(w, it->eligible_after);
    }
    JB_LIT(w, ",\"age_days\":");
    if (it->has_age)
        jb_days(w, it->age_ms);
    else
        JB_LIT(w, "null");
    JB_LIT(w, ",\"age_bucket\":");
    jb_name(w, age_bucket_name(age_bucket_of(it->has_age, it->age_ms)));
    JB_LIT(w, ",\"findings\":");
    jb_findings(w, it->findings);
    JB_LIT(w, ",\"node_refs\":");
    jb_str_array(w, it->node_refs, it->nrefs);
    if (it->ntrash) {
        JB_LIT(w, ",\"trashcan_items\":");
        jb_str_array(w, it->trash_uuids, it->ntrash);
    }
    JB_LIT(w, ",\"files\":[");
    for (size_t i = 0; i < it->nfiles; i++) {
        if (i)
            JB_LIT(w, ",");
        jb_file(w, &it->files[i], false);
    }
    JB_LIT(w, "]");
    if (it->findings & F_HARD_LINKED) {
        JB_LIT(w, ",\"link_count\":");
        jb_int(w, it->nlink);
        JB_LIT(w, ",\"shares_inode_with\":[");
        for (size_t i = 0; i < it->nlinks; i++) {
            if (i)
                JB_LIT(w, ",");
            jb_file(w, &it->links[i], true);
        }
        JB_LIT(w, "]");
    }
    JB_LIT(w, "}");
}

/* "key": with the comma that separates it from an earlier key of the object. */
static void jb_key(struct rwriter *w, bool *first, const char *key)
{
    if (!*first)
        JB_LIT(w, ",");
    *first = false;
    jb_name(w, key);
    JB_LIT(w, ":");
}

/* "key":"s", "key":null for NULL, no key at all when jansson refuses s (not UTF-8). */
static void jb_key_str(struct rwriter *w, bool *first, const char *key, const char *s,
                       bool null_when_absent)
{
    if (!s) {
        if (null_when_absent) {
            jb_key(w, first, key);
            JB_LIT(w, "null");
        }
        return;
    }
    size_t mark = w->jlen;
    bool was_first = *first;
    jb_key(w, first, key);
    if (!jb_string(w, s, strlen(s))) {
        w->jlen = mark;
        *first = was_first;
    }
}

/* One trashcan item, as the object {node_ref, name, archived_at, [archived_date_raw],
 * archived_by, age_days, age_bucket, urls, bytes, reclaimable, findings} dumps. */
static void trash_encode(struct rwriter *w, const struct report *r, const struct trash_item *t)
{
    bool first = true;
    JB_LIT(w, "{");
    char *ref = xasprintf("archive://SpacesStore/%s", t->uuid);
    jb_key_str(w, &first, "node_ref", ref, false);
    free(ref);
    jb_key_str(w, &first, "name", t->name, true);
    jb_key(w, &first, "archived_at");
    if (t->has_date)
        jb_instant(w, t->archived_ms);
    else
        JB_LIT(w, "null");
    if (t->date_raw && !t->has_date)
        jb_key_str(w, &first, "archived_date_raw", t->date_raw, false);
    jb_key_str(w, &first, "archived_by", t->by, true);
    int64_t age = i64_sub_sat(r->pol.now_ms, t->archived_ms);
    jb_key(w, &first, "age_days");
    if (t->has_date)
        jb_days(w, age);
    else
        JB_LIT(w, "null");
    jb_key(w, &first, "age_bucket");
    jb_name(w, age_bucket_name(age_bucket_of(t->has_date, age)));
    jb_key(w, &first, "urls");
    jb_int(w, (json_int_t)t->urls);
    jb_key(w, &first, "bytes");
    jb_int(w, (json_int_t)t->bytes);
    jb_key(w, &first, "reclaimable");
    jb_int(w, (json_int_t)t->reclaimable);
    jb_key(w, &first, "findings");
    jb_findings(w, t->findings);
    JB_LIT(w, "}");
}

static json_t *summary_json(const struct report *r)
{
    json_t *s = json_object();
    for (int c = 0; c < CLS_COUNT; c++) {
        json_t *t = json_pack("{s:I,s:I}", "count", (json_int_t)r->sum.cls[c].count, "bytes",
                              (json_int_t)r->sum.cls[c].bytes);
        if (c == CLS_NON_FILE) {
            json_t *pr = json_object();
            for (size_t i = 0; i < r->sum.nprotos; i++)
                json_object_set_new(pr, r->sum.protos[i].protocol,
                                    json_pack("{s:I,s:I}", "count",
                                              (json_int_t)r->sum.protos[i].count, "bytes",
                                              (json_int_t)r->sum.protos[i].bytes));
            json_object_set_new(t, "protocols", pr);
        }
        json_object_set_new(s, rclass_name((enum rclass)c), t);
    }
    return s;
}

static json_t *buckets_json(const struct report *r)
{
    static const char *const sets[BS_COUNT] = {"trashcan", "orphans", "deleted"};
    json_t *o = json_object();
    for (int s = 0; s < BS_COUNT; s++) {
        json_t *b = json_object();
        for (int k = 0; k < AGE_NBUCKETS; k++)
            json_object_set_new(b, age_bucket_name((enum age_bucket)k),
                                json_pack("{s:I,s:I}", "count",
                                          (json_int_t)r->sum.buckets[s][k].count, "bytes",
                                          (json_int_t)r->sum.buckets[s][k].bytes));
        json_object_set_new(o, sets[s], b);
    }
    return o;
}

static const char *state_name(int code)
{
    switch (code) {
    case 0: return "OK";
    case 1: return "WARNING";
    case 2: return "CRITICAL";
    default: return "UNKNOWN";
    }
}

/* ------------------------------------------------------------------ text */

static void text_item(FILE *fp, const struct ritem *it)
{
    char f[512];
    findings_text(it->findings, f, sizeof f, ",");
    fprintf(fp, "  %-18s %-28s ", rclass_name(it->cls), f[0] ? f : "-");
    text_escape(fp, it->url, it->url_len);
    if (it->has_size)
        fprintf(fp, "  size %" PRId64, it->size);
    if (it->has_disk_size)
        fprintf(fp, " (on disk %" PRId64 ")", it->disk_size);
    if (it->has_age)
        fprintf(fp, "  age %.1f d", days_of(it->age_ms));
    if (it->has_eligible) {
        char b[TIME_ISO_MAX];
        fprintf(fp, "  cleaner may take it after %s", time_format_iso8601(it->eligible_after, b));
    }
    fputc('\n', fp);
    for (size_t i = 0; i < it->nfiles; i++) {
        fprintf(fp, "      file %s:", it->files[i].root->name);
        text_escape(fp, it->files[i].path, it->files[i].path_len);
        if (it->files[i].type != WALK_FILE)
            fprintf(fp, " (%s)", walk_type_name(it->files[i].type));
        fputc('\n', fp);
    }
    if (it->findings & F_HARD_LINKED)
        fprintf(fp, "      %" PRIu32 " hard links%s\n", it->nlink,
                it->nlinks ? "; shares its inode with:" : " (no other name under the roots)");
    for (size_t i = 0; i < it->nlinks; i++) {
        fprintf(fp, "        %s:", it->links[i].root->name);
        text_escape(fp, it->links[i].path, it->links[i].path_len);
        fputc('\n', fp);
    }
    for (size_t i = 0; i < it->nrefs; i++)
        fprintf(fp, "      node %s\n", it->node_refs[i]);
}

static void text_summary(struct rwriter *w, const struct report *r)
{
    FILE *fp = w->fp;
    char b1[TIME_ISO_MAX];
    const struct rstatus *st = &r->status;
    fprintf(fp, "alfwipe report: %s", state_name(st->exit_code));
    if (st->nreasons)
        fprintf(fp, " - %s%s", st->reasons[0], st->nreasons > 1 ? " (and more)" : "");
    fputc('\n', fp);
    fprintf(fp, "now %s; database %s %s", time_format_iso8601(r->pol.now_ms, b1), r->engine,
            r->engine_version);
    if (r->schema_max)
        fprintf(fp, " (Alfresco schema %" PRId64 ")", r->schema_max);
    fputc('\n', fp);
    const struct conf_policy *p = &r->conf->policy;
    fprintf(fp,
            "policy: orphanProtectDays %" PRId64 " (%s), eagerOrphanCleanup %s (%s), trashcan keep "
            "%.1f d (%s), in-flight grace %" PRId64 " min, cleaner slack %" PRId64 " d\n\n",
            p->orphan_protect_days.val, conf_source_name(p->orphan_protect_days.src),
            p->eager_orphan_cleanup.val ? "true" : "false",
            conf_source_name(p->eager_orphan_cleanup.src), days_of(r->pol.keep_ms),
            conf_source_name(p->trashcan_keep_ms.src), p->in_flight_grace_minutes.val,
            p->cleaner_slack_days.val);
    fprintf(fp, "%-20s %10s %16s\n", "class", "count", "bytes");
    for (int c = 0; c < CLS_COUNT; c++)
        fprintf(fp, "%-20s %10" PRIu64 " %16" PRIu64 "\n", rclass_name((enum rclass)c),
                r->sum.cls[c].count, r->sum.cls[c].bytes);
    for (size_t i = 0; i < r->sum.nprotos; i++)
        fprintf(fp, "  non_file %-10s %10" PRIu64 " %16" PRIu64 "\n", r->sum.protos[i].protocol,
                r->sum.protos[i].count, r->sum.protos[i].bytes);
    static const char *const sets[BS_COUNT] = {"trashcan", "orphans", "deleted"};
    fprintf(fp, "\n%-10s", "age (d)");
    for (int k = 0; k < AGE_NBUCKETS; k++)
        fprintf(fp, " %9s", age_bucket_name((enum age_bucket)k));
    fputc('\n', fp);
    for (int s = 0; s < BS_COUNT; s++) {
        fprintf(fp, "%-10s", sets[s]);
        for (int k = 0; k < AGE_NBUCKETS; k++)
            fprintf(fp, " %9" PRIu64, r->sum.buckets[s][k].count);
        fputc('\n', fp);
    }
    fprintf(fp, "\nstores:\n");
    for (size_t i = 0; i < r->nstores; i++) {
        if (!r->stores[i].urls)
            continue;
        char *ref = xasprintf("%s://%s", r->stores[i].protocol, r->stores[i].identifier);
        fprintf(fp, "  %-32s %10" PRIu64 " URLs %16" PRIu64 " bytes\n", ref, r->stores[i].urls,
                r->stores[i].bytes);
        free(ref);
    }
    fprintf(fp, "roots:\n");
    for (size_t i = 0; i < r->nroots; i++)
        fprintf(fp, "  %-22s %s: %" PRIu64 " files, %" PRIu64 " bytes%s\n", r->roots[i].name,
                r->roots[i].path, r->roots[i].files, r->roots[i].bytes,
                r->roots[i].missing ? " (does not exist)" : "");

    size_t expired = 0, undated = 0;
    for (size_t i = 0; i < r->ntrash; i++) {
        expired += (r->trash[i].findings & F_TRASHCAN_EXPIRED) != 0;
        undated += (r->trash[i].findings & F_NO_ARCHIVED_DATE) != 0;
    }
    fprintf(fp, "\ntrashcan: %zu item(s), %zu older than the keep period, %zu without a date\n",
            r->ntrash, expired, undated);
    for (size_t i = 0; i < r->ntrash; i++) {
        const struct trash_item *t = &r->trash[i];
        if (!t->findings && !w->all_items)
            continue;
        char f[256];
        findings_text(t->findings, f, sizeof f, ",");
        fprintf(fp, "  archive://SpacesStore/%s '", t->uuid);
        if (t->name)
            text_escape(fp, t->name, strlen(t->name));
        fputs("' by ", fp);
        text_escape(fp, t->by ? t->by : "?", t->by ? strlen(t->by) : 1);
        fprintf(fp, ", archived %s, %" PRIu64 " bytes, %" PRIu64 " reclaimable%s%s\n",
                t->has_date ? time_format_iso8601(t->archived_ms, b1) : "(no date)", t->bytes,
                t->reclaimable, f[0] ? "  " : "", f);
    }

    fprintf(fp, "\nnotes:\n");
    bool any = false;
    if (p->eager_orphan_cleanup.val) {
        fprintf(fp, "  - eager orphan cleanup is on (%s): orphanProtectDays does not apply and "
                    "nothing is copied to contentstore.deleted, so an empty contentstore.deleted "
                    "is normal\n", conf_source_name(p->eager_orphan_cleanup.src));
        any = true;
    }
    if (r->sum.has_oldest_protected) {
        fprintf(fp, "  - %" PRIu64 " orphan(s) inside the protect window; Alfresco's cleaner may "
                    "take the first at its first run after %s\n",
                r->sum.cls[CLS_ORPHAN_PROTECTED].count,
                time_format_iso8601(r->sum.oldest_protected_eligible, b1));
        any = true;
    }
    if (r->sum.cls[CLS_ORPHAN_OVERDUE].count) {
        fprintf(fp, "  - orphans are past the protect window: check "
                    "system.content.orphanCleanup.cronExpression, read-only mode "
                    "(server.allowWrite) and the cluster job lock of the content store "
                    "cleaner\n");
        any = true;
    }
    if (r->sum.has_oldest_trash &&
        i64_sub_sat(r->pol.now_ms, r->sum.oldest_trash_ms) > r->pol.keep_ms) {
        fprintf(fp, "  - the oldest dated trashcan item is %.0f days old against a keep period "
                    "of %.0f days: the trashcan cleaner is probably not running\n",
                days_of(i64_sub_sat(r->pol.now_ms, r->sum.oldest_trash_ms)), days_of(r->pol.keep_ms));
        any = true;
    }
    for (size_t i = 0; i < r->nproblems; i++) {
        fprintf(fp, "  - %s\n", r->problems[i]);
        any = true;
    }
    if (!any)
        fprintf(fp, "  (none)\n");
    if (st->nreasons > 1) {
        fprintf(fp, "\nstatus:\n");
        for (size_t i = 0; i < st->nreasons; i++)
            fprintf(fp, "  - %s\n", st->reasons[i]);
    }
    fprintf(fp, "\n%s (%zu):\n", w->all_items ? "items" : "items needing attention", w->nitems);
}

/* ------------------------------------------------------------------ API */

int rw_begin(struct rwriter *w, const struct report *r, FILE *fp, struct err *err)
{
    w->fp = fp;
    w->nitems = 0;
    w->error = 0;
    if (w->fmt == OUT_TEXT) {
        w->text_items = tmpfile();
        if (!w->text_items)
            return err_sys(err, ERR_IO, errno, "could not create a temporary file");
        return 0;
    }
    if (w->fmt == OUT_CSV) {
        put(w, CSV_HEADER);
        return 0;
    }
    json_t *head = json_object();
    json_object_set_new(head, "alfwipe", json_string(ALFWIPE_VERSION));
    json_object_set_new(head, "now", json_instant(r->pol.now_ms));
    json_t *dbj = json_object();
    json_object_set_new(dbj, "engine", json_string(r->engine));
    json_object_set_new(dbj, "version", json_string(r->engine_version));
    json_object_set_new(dbj, "schema_min", json_integer(r->schema_min));
    json_object_set_new(dbj, "schema_max", json_integer(r->schema_max));
    json_object_set_new(head, "database", dbj);
    json_object_set_new(head, "policy", policy_json(r));
    char *s = json_dumps(head, REPORT_JSON_FLAGS);
    json_decref(head);
    /* Open the object, drop the closing brace and continue with the streamed items. */
    size_t n = strlen(s);
    s[n - 1] = '\0';
    put(w, s);
    put(w, ",\"items\":[\n");
    free(s);
    return 0;
}

void rw_item(struct rwriter *w, const struct report *r, const struct ritem *it)
{
    (void)r;
    switch (w->fmt) {
    case OUT_JSON: {
        w->jlen = 0;
        if (w->nitems)
            JB_LIT(w, ",\n");
        item_encode(w, it);
        jb_flush(w);
        w->nitems++;
        break;
    }
    case OUT_CSV:
        csv_item(w, it);
        w->nitems++;
        break;
    case OUT_TEXT:
        if (it->findings || rclass_needs_attention(it->cls) || w->all_items) {
            text_item(w->text_items, it);
            w->nitems++;
        }
        break;
    }
}

int rw_end(struct rwriter *w, const struct report *r, struct err *err)
{
    if (w->fmt == OUT_JSON) {
        put(w, "\n],\"trashcan_items\":[\n");
        for (size_t i = 0; i < r->ntrash; i++) {
            w->jlen = 0;
            if (i)
                JB_LIT(w, ",\n");
            trash_encode(w, r, &r->trash[i]);
            jb_flush(w);
        }
        put(w, "\n],");
        json_t *tail = json_object();
        json_object_set_new(tail, "summary", summary_json(r));
        json_t *fj = json_object();
        for (unsigned b = 0; b < F_COUNT_BITS; b++)
            json_object_set_new(fj, finding_name(1u << b), json_integer((json_int_t)r->sum.findings[b]));
        json_object_set_new(tail, "findings", fj);
        json_object_set_new(tail, "age_buckets", buckets_json(r));
        json_t *stores = json_object();
        for (size_t i = 0; i < r->nstores; i++) {
            char *k = xasprintf("%s://%s", r->stores[i].protocol, r->stores[i].identifier);
            json_object_set_new(stores, k,
                                json_pack("{s:I,s:I}", "urls", (json_int_t)r->stores[i].urls,
                                          "bytes", (json_int_t)r->stores[i].bytes));
            free(k);
        }
        json_object_set_new(tail, "stores", stores);
        json_t *roots = json_array();
        for (size_t i = 0; i < r->nroots; i++) {
            /* A path that is not UTF-8 keeps its entry: lossy "path" plus "path_base64". */
            json_t *o = json_object();
            json_object_set_new(o, "name", json_string(r->roots[i].name));
            json_set_bytes(o, "path", r->roots[i].path, strlen(r->roots[i].path));
            json_object_set_new(o, "exists", json_boolean(!r->roots[i].missing));
            json_object_set_new(o, "files", json_integer((json_int_t)r->roots[i].files));
            json_object_set_new(o, "bytes", json_integer((json_int_t)r->roots[i].bytes));
            json_array_append_new(roots, o);
        }
        json_object_set_new(tail, "roots", roots);
        json_t *pr = json_array();
        for (size_t i = 0; i < r->nproblems; i++)
            json_array_append_new(pr, json_string_lossy(r->problems[i]));
        json_object_set_new(tail, "problems", pr);
        json_t *st = json_object();
        json_object_set_new(st, "exit_code", json_integer(r->status.exit_code));
        json_object_set_new(st, "state", json_string(state_name(r->status.exit_code)));
        json_t *rs = json_array();
        for (size_t i = 0; i < r->status.nreasons; i++)
            json_array_append_new(rs, json_string(r->status.reasons[i]));
        json_object_set_new(st, "reasons", rs);
        json_object_set_new(tail, "status", st);
        char *s = json_dumps(tail, REPORT_JSON_FLAGS);
        json_decref(tail);
        put(w, s + 1); /* without the opening brace: continues the outer object */
        put(w, "\n");
        free(s);
    } else if (w->fmt == OUT_TEXT) {
        /* -q: print only when the state is not OK. */
        if (!(log_verbosity < 0 && r->status.exit_code == 0)) {
            text_summary(w, r);
            rewind(w->text_items);
            char buf[65536];
            size_t n;
            while ((n = fread(buf, 1, sizeof buf, w->text_items)) > 0)
                if (fwrite(buf, 1, n, w->fp) != n && !w->error)
                    w->error = errno ? errno : EIO;
        }
        fclose(w->text_items);
        w->text_items = NULL;
    }
    if (fflush(w->fp) != 0 && !w->error)
        w->error = errno ? errno : EIO;
    if (!w->error)
        return 0;
    if (w->dest)
        err_sys(err, ERR_IO, w->error, "could not write the report to '%s'", w->dest);
    else
        err_sys(err, ERR_IO, w->error, "could not write the report to standard output");
    if (w->error == ENOSPC || w->error == EDQUOT)
        return err_hint(err, "Free space where the report goes, or give --output a file on "
                             "another filesystem; no partial report file is left behind.");
    return err_hint(err, "Check where the report goes (--output, or what standard output is "
                         "connected to); no partial report file is left behind.");
}

void rw_release(struct rwriter *w)
{
    json_decref(w->jstr);
    json_decref(w->jreal);
    free(w->jbuf);
    w->jstr = w->jreal = NULL;
    w->jbuf = NULL;
    w->jlen = w->jcap = 0;
}
