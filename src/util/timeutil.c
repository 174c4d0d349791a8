/* Instants (ISO-8601, UTC milliseconds), java.time.Duration parsing and age buckets. Parsing
 * goes through timegm, formatting through time_utc_fields: the process time zone never
 * matters. */
#include "alfwipe/timeutil.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Read exactly n digits at *s into *out; advances *s. */
static int digits(const char **s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit((*s)[i]))
            return -1;
        v = v * 10 + ((*s)[i] - '0');
    }
    *s += n;
    *out = v;
    return 0;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : dm[m - 1];
}

/* Accepted: YYYY-MM-DD, then optionally [T|t| ]hh:mm[:ss[(.|,)f{1,9}]] and a zone Z, +hh,
 * +hhmm or +hh:mm (also '-'). A date-time without a zone is read as UTC. */
int time_parse_iso8601(const char *s, int64_t *ms_out)
{
    int y, mo, d, h = 0, mi = 0, sec = 0;
    int64_t frac_ms = 0;
    int off_min = 0;
    if (!s)
        return -1;
    if (digits(&s, 4, &y) != 0 || *s++ != '-' || digits(&s, 2, &mo) != 0 || *s++ != '-' ||
        digits(&s, 2, &d) != 0)
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        return -1;
    if (*s == 'T' || *s == 't' || *s == ' ') {
        s++;
        if (digits(&s, 2, &h) != 0 || *s++ != ':' || digits(&s, 2, &mi) != 0)
            return -1;
        if (*s == ':') {
            s++;
            if (digits(&s, 2, &sec) != 0)
                return -1;
            if (*s == '.' || *s == ',') {
                s++;
                int n = 0;
                int64_t scale = 100;
                while (is_digit(*s)) {
                    if (++n > 9)
                        return -1;
                    frac_ms += (*s - '0') * scale;
                    scale /= 10;
                    s++;
                }
                if (n == 0)
                    return -1;
            }
        }
        if (h > 23 || mi > 59 || sec > 59)
            return -1;
        if (*s == 'Z' || *s == 'z') {
            s++;
        } else if (*s == '+' || *s == '-') {
            int sign = *s++ == '-' ? -1 : 1;
            int oh, om = 0;
            if (digits(&s, 2, &oh) != 0)
                return -1;
            if (*s == ':') {
                s++;
                if (digits(&s, 2, &om) != 0)
                    return -1;
            } else if (is_digit(*s)) {
                if (digits(&s, 2, &om) != 0)
                    return -1;
            }
            if (oh > 23 || om > 59)
                return -1;
            off_min = sign * (oh * 60 + om);
        }
    }
    if (*s != '\0')
        return -1;
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    time_t t = timegm(&tm);
    *ms_out = ((int64_t)t - (int64_t)off_min * 60) * 1000 + frac_ms;
    return 0;
}

/* Days since 1970-01-01 to a civil date: the era (400 years, 146,097 days) and the day of
 * the era, with years starting on 1 March so that the leap day is the era's last. */
int time_utc_fields(int64_t secs, struct tm *tm)
{
    /* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z */
    if (secs < INT64_C(-62167219200) || secs > INT64_C(253402300799))
        return -1;
    int64_t days = secs / 86400, sod = secs % 86400;
    if (sod < 0) {
        sod += 86400;
        days--;
    }
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;                                    /* 0..146096 */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0..399 */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);             /* 0..365 */
    int64_t mp = (5 * doy + 2) / 153;                                  /* 0..11, from March */
    int64_t mday = doy - (153 * mp + 2) / 5 + 1;
    int64_t mon = mp < 10 ? mp + 3 : mp - 9;                           /* 1..12 */
    int64_t year = yoe + era * 400 + (mon <= 2);
    memset(tm, 0, sizeof *tm);
    tm->tm_year = (int)(year - 1900);
    tm->tm_mon = (int)(mon - 1);
    tm->tm_mday = (int)mday;
    tm->tm_hour = (int)(sod / 3600);
    tm->tm_min = (int)(sod / 60 % 60);
    tm->tm_sec = (int)(sod % 60);
    return 0;
}

char *time_format_iso8601(int64_t ms, char *buf)
{
    int64_t secs = ms / 1000, rem = ms % 1000;
    if (rem < 0) {
        rem += 1000;
        secs--;
    }
    struct tm tm;
    if (time_utc_fields(secs, &tm) != 0) {
        time_t t = (time_t)secs;
        if (!gmtime_r(&t, &tm)) {
            snprintf(buf, TIME_ISO_MAX, "invalid");
            return buf;
        }
    }
    /* Formatted into a roomy buffer first: the widest possible result (an 11-digit year) still
     * fits TIME_ISO_MAX, but the compiler cannot prove it. */
    char tmp[96];
    long long year = (long long)tm.tm_year + 1900;
    if (rem)
        snprintf(tmp, sizeof tmp, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", year, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)rem);
    else
        snprintf(tmp, sizeof tmp, "%04lld-%02d-%02dT%02d:%02d:%02dZ", year, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    size_t n = strnlen(tmp, TIME_ISO_MAX - 1);
    memcpy(buf, tmp, n);
    buf[n] = '\0';
    return buf;
}

int64_t time_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double time_mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double time_thread_cpu_s(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* [-+]?[0-9]+ into *v; no overflow allowed (Java throws). */
static int signed_number(const char **s, int64_t *v, bool *neg)
{
    const char *p = *s;
    *neg = false;
    if (*p == '+' || *p == '-')
        *neg = *p++ == '-';
    if (!is_digit(*p))
        return -1;
    int64_t n = 0;
    while (is_digit(*p)) {
        int dgt = *p++ - '0';
        if (n > (INT64_MAX - dgt) / 10)
            return -1;
        n = n * 10 + dgt;
    }
    *v = *neg ? -n : n;
    *s = p;
    return 0;
}

static int add_scaled(int64_t *acc, int64_t v, int64_t scale)
{
    int64_t prod;
    if (__builtin_mul_overflow(v, scale, &prod) || __builtin_add_overflow(*acc, prod, acc))
        return -1;
    return 0;
}

/* java.time.Duration.parse: ([-+]?)P(?:([-+]?[0-9]+)D)?(T(?:([-+]?[0-9]+)H)?
 * (?:([-+]?[0-9]+)M)?(?:([-+]?[0-9]+)(?:[.,]([0-9]{0,9}))?S)?)?, case-insensitive; at least
 * one of the D/H/M/S parts; a 'T' needs at least one part after it. As in Java, the total must
 * fit a long number of seconds; the result in milliseconds saturates at INT64_MAX/INT64_MIN
 * (beyond any useful period either way) and sub-millisecond digits are truncated. */
int duration_parse_java(const char *s, int64_t *ms_out)
{
    if (!s)
        return -1;
    bool neg_all = false;
    if (*s == '+' || *s == '-')
        neg_all = *s++ == '-';
    if (lower(*s++) != 'p')
        return -1;
    int64_t secs = 0, frac_ms = 0, v;
    bool neg, any = false;
    const char *save = s;
    if (signed_number(&s, &v, &neg) == 0 && lower(*s) == 'd') {
        s++;
        if (add_scaled(&secs, v, 86400) != 0)
            return -1;
        any = true;
    } else {
        s = save;
    }
    if (lower(*s) == 't') {
        s++;
        bool tany = false;
        static const struct {
            char unit;
            int64_t secs;
        } parts[] = {{'h', 3600}, {'m', 60}};
        for (size_t k = 0; k < 2; k++) {
            save = s;
            if (signed_number(&s, &v, &neg) == 0 && lower(*s) == parts[k].unit) {
                s++;
                if (add_scaled(&secs, v, parts[k].secs) != 0)
                    return -1;
                tany = true;
            } else {
                s = save;
            }
        }
        save = s;
        if (signed_number(&s, &v, &neg) == 0) {
            if (*s == '.' || *s == ',') {
                s++;
                int n = 0;
                int64_t scale = 100;
                while (is_digit(*s)) {
                    if (++n > 9)
                        return -1;
                    frac_ms += (*s - '0') * scale;
                    scale /= 10;
                    s++;
                }
            }
            if (lower(*s) != 's')
                return -1;
            s++;
            if (add_scaled(&secs, v, 1) != 0)
                return -1;
            if (neg) /* the fraction takes the sign of its seconds: PT-0.5S */
                frac_ms = -frac_ms;
            tany = true;
        } else {
            s = save;
        }
        if (!tany)
            return -1;
        any = true;
    }
    if (!any || *s != '\0')
        return -1;
    if (neg_all) {
        if (secs == INT64_MIN)
            return -1;
        secs = -secs;
        frac_ms = -frac_ms;
    }
    int64_t ms;
    if (__builtin_mul_overflow(secs, 1000, &ms) || __builtin_add_overflow(ms, frac_ms, &ms))
        ms = secs < 0 ? INT64_MIN : INT64_MAX;
    *ms_out = ms;
    return 0;
}

int duration_parse_days_or_iso(const char *s, int64_t *ms_out)
{
    if (!s || !*s)
        return -1;
    const char *p = s;
    bool neg = false;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    if (is_digit(*p)) {
        /* plain days: digits with an optional fraction of up to 9 digits */
        const int64_t day = INT64_C(86400000);
        int64_t days = 0, frac_ms = 0;
        while (is_digit(*p)) {
            int dgt = *p++ - '0';
            if (days > (INT64_MAX / day - dgt) / 10)
                return -1;
            days = days * 10 + dgt;
        }
        if (*p == '.') {
            p++;
            if (!is_digit(*p))
                return -1;
            int64_t num = 0, den = 1;
            int n = 0;
            while (is_digit(*p)) {
                if (++n > 9)
                    return -1;
                num = num * 10 + (*p++ - '0');
                den *= 10;
            }
            /* num < den <= 1e9, so num * day stays far below INT64_MAX */
            frac_ms = num * day / den;
        }
        if (*p != '\0')
            return -1;
        /* days * day fits (checked above); the fraction can still push it past INT64_MAX */
        int64_t ms;
        if (__builtin_add_overflow(days * day, frac_ms, &ms))
            return -1;
        *ms_out = neg ? -ms : ms;
        return 0;
    }
    if (lower(*p) == 'p') {
        /* PnW: weeks, which java.time.Duration does not accept but ISO-8601 does */
        const char *q = p + 1;
        int64_t w;
        bool wneg;
        if (signed_number(&q, &w, &wneg) == 0 && lower(*q) == 'w' && q[1] == '\0') {
            int64_t ms = 0;
            if (add_scaled(&ms, w, 7 * INT64_C(86400000)) != 0)
                return -1;
            *ms_out = neg ? -ms : ms;
            return 0;
        }
    }
    return duration_parse_java(s, ms_out);
}

enum age_bucket age_bucket_of(bool has_age, int64_t age_ms)
{
    if (!has_age)
        return AGE_UNKNOWN;
    int64_t day = INT64_C(86400000);
    if (age_ms < 7 * day)
        return AGE_0_7;
    if (age_ms < 14 * day)
        return AGE_7_14;
    if (age_ms < 30 * day)
        return AGE_14_30;
    if (age_ms < 90 * day)
        return AGE_30_90;
    if (age_ms < 365 * day)
        return AGE_90_365;
    return AGE_OVER_365;
}

const char *age_bucket_name(enum age_bucket b)
{
    static const char *const names[AGE_NBUCKETS] = {"0-7",    "7-14", "14-30",  "30-90",
                                                    "90-365", ">365", "unknown"};
    return (unsigned)b < AGE_NBUCKETS ? names[b] : "unknown";
}
