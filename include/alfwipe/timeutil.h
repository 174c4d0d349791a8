/* Instants are int64 milliseconds since the epoch, UTC. Date arithmetic happens here, never in
 * SQL (engines disagree on epoch conversions). */
#ifndef ALFWIPE_TIMEUTIL_H
#define ALFWIPE_TIMEUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parse ISO-8601 instants: 2024-03-07T09:05:11.123Z, with or without fraction (1-9 digits),
 * offsets Z, +hh:mm, +hhmm, +hh; a plain date 2024-03-07 means midnight UTC. 0 ok, -1 bad. */
int time_parse_iso8601(const char *s, int64_t *ms_out);

/* Format as 2024-03-07T09:05:11Z (milliseconds shown only when non-zero: .123Z).
 * buf must hold TIME_ISO_MAX bytes. Returns buf. */
#define TIME_ISO_MAX 32
char *time_format_iso8601(int64_t ms, char *buf);

/* Seconds since the epoch as a proleptic Gregorian UTC date and time, for years 0..9999
 * (tm_year, tm_mon, tm_mday, tm_hour, tm_min, tm_sec set as gmtime_r sets them; the other
 * fields zero). 0 ok, -1 when the year falls outside 0..9999. Pure arithmetic: glibc's
 * gmtime_r takes a process-wide lock, which the report's merge threads would queue on once
 * per instant written. */
struct tm;
int time_utc_fields(int64_t secs, struct tm *tm);

/* Now in ms (CLOCK_REALTIME). */
int64_t time_now_ms(void);
/* Seconds on the monotonic clock, for measuring how long something took. */
double time_mono_s(void);
/* CPU seconds used by the calling thread. */
double time_thread_cpu_s(void);

/* java.time.Duration.parse rules: [+-]PnDTnHnMn.nS, letters any case, days are 24 h, no
 * months/years/weeks. 0 ok, -1 invalid. */
int duration_parse_java(const char *s, int64_t *ms_out);

/* A number of days ("28", "1.5") or an ISO-8601 duration accepted by duration_parse_java plus
 * PnW. 0 ok, -1 invalid. */
int duration_parse_days_or_iso(const char *s, int64_t *ms_out);

/* Age bucket of an age in ms: "0-7", "7-14", "14-30", "30-90", "90-365", ">365";
 * an unknown age (has_age false) is "unknown". */
enum age_bucket { AGE_0_7, AGE_7_14, AGE_14_30, AGE_30_90, AGE_90_365, AGE_OVER_365,
                  AGE_UNKNOWN, AGE_NBUCKETS };
enum age_bucket age_bucket_of(bool has_age, int64_t age_ms);
const char *age_bucket_name(enum age_bucket b);

#endif
