/* Unit tests for src/util/timeutil.c: ISO-8601 instants, java.time.Duration rules (facts §10),
 * days-or-ISO durations and age buckets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "alfwipe/timeutil.h"

#define DAY INT64_C(86400000)
#define HOUR INT64_C(3600000)
#define MIN INT64_C(60000)

static int64_t iso(const char *s)
{
    int64_t ms = -42;
    assert_int_equal(time_parse_iso8601(s, &ms), 0);
    return ms;
}

static int64_t dur(const char *s)
{
    int64_t ms = -42;
    assert_int_equal(duration_parse_java(s, &ms), 0);
    return ms;
}

static void time_parse_iso8601__utc_forms__epoch_ms(void **state)
{
    (void)state;
    assert_int_equal(iso("2024-06-30T00:00:00Z"), INT64_C(1719705600000));
    assert_int_equal(iso("2024-06-16T00:00:00Z"), INT64_C(1718496000000));
    assert_int_equal(iso("2024-06-15T12:00:00Z"), INT64_C(1718452800000));
    assert_int_equal(iso("2024-01-15"), INT64_C(1705276800000));
    assert_int_equal(iso("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(iso("2024-06-30t00:00:00z"), INT64_C(1719705600000));
    assert_int_equal(iso("2024-06-30T00:00Z"), INT64_C(1719705600000));
}

static void time_parse_iso8601__fractions__milliseconds(void **state)
{
    (void)state;
    int64_t base = iso("2024-03-07T09:05:11Z");
    assert_int_equal(iso("2024-03-07T09:05:11.123Z"), base + 123);
    assert_int_equal(iso("2024-03-07T09:05:11.1Z"), base + 100);
    assert_int_equal(iso("2024-03-07T09:05:11.12Z"), base + 120);
    assert_int_equal(iso("2024-03-07T09:05:11.123456789Z"), base + 123);
    assert_int_equal(iso("2024-03-07T09:05:11,5Z"), base + 500);
    int64_t ms;
    assert_int_equal(time_parse_iso8601("2024-03-07T09:05:11.1234567891Z", &ms), -1);
    assert_int_equal(time_parse_iso8601("2024-03-07T09:05:11.Z", &ms), -1);
}

static void time_parse_iso8601__offsets__converted_to_utc(void **state)
{
    (void)state;
    int64_t utc = iso("2024-03-07T09:05:11.123Z");
    /* the form Alfresco writes */
    assert_int_equal(iso("2024-03-07T09:05:11.123+0000"), utc);
    assert_int_equal(iso("2024-03-07T10:05:11.123+01:00"), utc);
    assert_int_equal(iso("2024-03-07T10:05:11.123+0100"), utc);
    assert_int_equal(iso("2024-03-07T10:05:11.123+01"), utc);
    assert_int_equal(iso("2024-03-07T04:35:11.123-04:30"), utc);
    assert_int_equal(iso("2024-03-07T09:05:11.123"), utc);
}

static void time_parse_iso8601__bad_input__rejected(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "2024",
        "2024-3-7",
        "2024-02-30",
        "2023-02-29",
        "2024-13-01",
        "2024-00-10",
        "2024-06-30T24:00:00Z",
        "2024-06-30T23:60:00Z",
        "2024-06-30T23:59:60Z",
        "2024-06-30T00:00:00Zjunk",
        "2024-06-30T00:00:00+25:00",
        "2024-06-30T00:00:00+01:5",
        "2024-06-30X00:00:00Z",
        "yesterday",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms = 7;
        if (time_parse_iso8601(bad[i], &ms) != -1)
            fail_msg("accepted '%s'", bad[i]);
        assert_int_equal(ms, 7);
    }
    assert_int_equal(iso("2024-02-29"), INT64_C(1709164800000));
}

static void time_format_iso8601__values__utc_text(void **state)
{
    (void)state;
    char buf[TIME_ISO_MAX];
    assert_string_equal(time_format_iso8601(INT64_C(1719705600000), buf),
                        "2024-06-30T00:00:00Z");
    assert_string_equal(time_format_iso8601(INT64_C(1709802311123), buf),
                        "2024-03-07T09:05:11.123Z");
    assert_string_equal(time_format_iso8601(0, buf), "1970-01-01T00:00:00Z");
    assert_string_equal(time_format_iso8601(-1, buf), "1969-12-31T23:59:59.999Z");
}

/* time_utc_fields against glibc's gmtime_r: every day of years 0..9999 at one second of it
 * (chosen to walk through every hour, minute and second), the leap days, both ends. */
static void expect_gmtime(int64_t secs)
{
    struct tm want, got;
    time_t t = (time_t)secs;
    assert_non_null(gmtime_r(&t, &want));
    assert_int_equal(time_utc_fields(secs, &got), 0);
    if (got.tm_year != want.tm_year || got.tm_mon != want.tm_mon ||
        got.tm_mday != want.tm_mday || got.tm_hour != want.tm_hour ||
        got.tm_min != want.tm_min || got.tm_sec != want.tm_sec)
        fail_msg("%lld: %d-%d-%d %d:%d:%d, gmtime_r says %d-%d-%d %d:%d:%d", (long long)secs,
                 got.tm_year, got.tm_mon, got.tm_mday, got.tm_hour, got.tm_min, got.tm_sec,
                 want.tm_year, want.tm_mon, want.tm_mday, want.tm_hour, want.tm_min,
                 want.tm_sec);
}

static void time_utc_fields__years_0_to_9999__same_as_gmtime(void **state)
{
    (void)state;
    const int64_t lo = INT64_C(-62167219200), hi = INT64_C(253402300799);
    int64_t k = 0;
    for (int64_t day = lo; day <= hi; day += 86400, k++)
        expect_gmtime(day + (k * 7919) % 86400);
    expect_gmtime(lo);
    expect_gmtime(hi);
    expect_gmtime(0);
    expect_gmtime(-1);
    expect_gmtime(INT64_C(951782400));   /* 2000-02-29 */
    expect_gmtime(INT64_C(-2203891200)); /* 1900-03-01: 1900 is no leap year */
    struct tm tm;
    assert_int_equal(time_utc_fields(lo - 1, &tm), -1);
    assert_int_equal(time_utc_fields(hi + 1, &tm), -1);
    assert_int_equal(time_utc_fields(INT64_MIN, &tm), -1);
    assert_int_equal(time_utc_fields(INT64_MAX, &tm), -1);
    char buf[TIME_ISO_MAX];
    /* outside 0..9999 the text still comes from gmtime_r */
    assert_string_equal(time_format_iso8601((hi + 1) * 1000, buf), "10000-01-01T00:00:00Z");
}

static void time_format_iso8601__roundtrip__same_ms(void **state)
{
    (void)state;
    static const int64_t v[] = {0, 1, 999, INT64_C(1718452800000), INT64_C(1709802311123),
                                INT64_C(253402300799999)};
    char buf[TIME_ISO_MAX];
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        assert_int_equal(iso(time_format_iso8601(v[i], buf)), v[i]);
}

static void time_parse_iso8601__tz_env__ignored(void **state)
{
    (void)state;
    /* timegm, not mktime: the process time zone must not matter */
    const char *old = getenv("TZ");
    char *saved = old ? strdup(old) : NULL;
    setenv("TZ", "America/New_York", 1);
    int64_t a = iso("2024-06-30T00:00:00Z");
    char buf[TIME_ISO_MAX];
    time_format_iso8601(a, buf);
    if (saved) {
        setenv("TZ", saved, 1);
        free(saved);
    } else {
        unsetenv("TZ");
    }
    assert_int_equal(a, INT64_C(1719705600000));
    assert_string_equal(buf, "2024-06-30T00:00:00Z");
}

static void duration_parse_java__valid_forms__ms(void **state)
{
    (void)state;
    assert_int_equal(dur("P28D"), 28 * DAY);
    assert_int_equal(dur("PT1M"), MIN); /* one minute, not one month */
    assert_int_equal(dur("PT36H"), 36 * HOUR);
    assert_int_equal(dur("-P1D"), -DAY);
    assert_int_equal(dur("p28d"), 28 * DAY);
    assert_int_equal(dur("pt1h30m"), 90 * MIN);
    assert_int_equal(dur("P0D"), 0);
    assert_int_equal(dur("P2DT3H4M5.5S"), 2 * DAY + 3 * HOUR + 4 * MIN + 5500);
    assert_int_equal(dur("PT-6H3M"), -6 * HOUR + 3 * MIN);
    assert_int_equal(dur("-PT6H3M"), -(6 * HOUR + 3 * MIN));
    assert_int_equal(dur("-PT-6H+3M"), 6 * HOUR - 3 * MIN);
    assert_int_equal(dur("+P1D"), DAY);
    assert_int_equal(dur("PT0.123456789S"), 123);
    assert_int_equal(dur("PT1.S"), 1000);
    assert_int_equal(dur("PT-0.5S"), -500);
    assert_int_equal(dur("PT1,5S"), 1500);
    /* fits Java's long seconds, not int64 ms: saturates instead of failing */
    assert_int_equal(dur("P200000000000D"), INT64_MAX);
    assert_int_equal(dur("-P200000000000D"), INT64_MIN);
}

static void duration_parse_java__invalid_forms__rejected(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "P1M",  "P1W",   "P1Y",  "28",   "28d",   "P",    "PT",   "P1DT", "P1D2D",
        "PT1S1M", "PT1H1H", "PT.5S", "PT1.1234567891S", "1D", "P 1D", "P1D ", "",
        "PT1.5M", "P-D", "P99999999999999999999D", "P106751991167300000D",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms = 7;
        if (duration_parse_java(bad[i], &ms) != -1)
            fail_msg("accepted '%s'", bad[i]);
        assert_int_equal(ms, 7);
    }
}

static void duration_parse_days_or_iso__numbers_and_weeks__ms(void **state)
{
    (void)state;
    int64_t ms;
    assert_int_equal(duration_parse_days_or_iso("28", &ms), 0);
    assert_int_equal(ms, 28 * DAY);
    assert_int_equal(duration_parse_days_or_iso("1.5", &ms), 0);
    assert_int_equal(ms, 36 * HOUR);
    assert_int_equal(duration_parse_days_or_iso("0", &ms), 0);
    assert_int_equal(ms, 0);
    assert_int_equal(duration_parse_days_or_iso("P1W", &ms), 0);
    assert_int_equal(ms, 7 * DAY);
    assert_int_equal(duration_parse_days_or_iso("p2w", &ms), 0);
    assert_int_equal(ms, 14 * DAY);
    assert_int_equal(duration_parse_days_or_iso("PT36H", &ms), 0);
    assert_int_equal(ms, 36 * HOUR);
    assert_int_equal(duration_parse_days_or_iso("P28D", &ms), 0);
    assert_int_equal(ms, 28 * DAY);
}

static void duration_parse_days_or_iso__bad__rejected(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "P1M", "28d", "1.", ".5", "P1W2D", "1.5.2", "abc",
                                      "P1Y", "1e3",
                                      /* whole days fit, the fraction pushes past INT64_MAX ms */
                                      "106751991167.9", "-106751991167.9"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms = 7;
        if (duration_parse_days_or_iso(bad[i], &ms) != -1)
            fail_msg("accepted '%s'", bad[i]);
        assert_int_equal(ms, 7);
    }
}

static void age_bucket_of__boundaries__lower_bound_inclusive(void **state)
{
    (void)state;
    assert_int_equal(age_bucket_of(false, 0), AGE_UNKNOWN);
    assert_int_equal(age_bucket_of(true, -DAY), AGE_0_7);
    assert_int_equal(age_bucket_of(true, 0), AGE_0_7);
    assert_int_equal(age_bucket_of(true, 7 * DAY - 1), AGE_0_7);
    assert_int_equal(age_bucket_of(true, 7 * DAY), AGE_7_14);
    assert_int_equal(age_bucket_of(true, 14 * DAY), AGE_14_30);
    assert_int_equal(age_bucket_of(true, 30 * DAY), AGE_30_90);
    assert_int_equal(age_bucket_of(true, 89 * DAY), AGE_30_90);
    assert_int_equal(age_bucket_of(true, 90 * DAY), AGE_90_365);
    assert_int_equal(age_bucket_of(true, 365 * DAY - 1), AGE_90_365);
    assert_int_equal(age_bucket_of(true, 365 * DAY), AGE_OVER_365);
}

static void age_bucket_name__every_bucket__report_names(void **state)
{
    (void)state;
    assert_string_equal(age_bucket_name(AGE_0_7), "0-7");
    assert_string_equal(age_bucket_name(AGE_7_14), "7-14");
    assert_string_equal(age_bucket_name(AGE_14_30), "14-30");
    assert_string_equal(age_bucket_name(AGE_30_90), "30-90");
    assert_string_equal(age_bucket_name(AGE_90_365), "90-365");
    assert_string_equal(age_bucket_name(AGE_OVER_365), ">365");
    assert_string_equal(age_bucket_name(AGE_UNKNOWN), "unknown");
}

static void time_now_ms__clock__after_2024(void **state)
{
    (void)state;
    assert_true(time_now_ms() > INT64_C(1704067200000));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(time_parse_iso8601__utc_forms__epoch_ms),
        cmocka_unit_test(time_parse_iso8601__fractions__milliseconds),
        cmocka_unit_test(time_parse_iso8601__offsets__converted_to_utc),
        cmocka_unit_test(time_parse_iso8601__bad_input__rejected),
        cmocka_unit_test(time_format_iso8601__values__utc_text),
        cmocka_unit_test(time_format_iso8601__roundtrip__same_ms),
        cmocka_unit_test(time_parse_iso8601__tz_env__ignored),
        cmocka_unit_test(duration_parse_java__valid_forms__ms),
        cmocka_unit_test(duration_parse_java__invalid_forms__rejected),
        cmocka_unit_test(duration_parse_days_or_iso__numbers_and_weeks__ms),
        cmocka_unit_test(duration_parse_days_or_iso__bad__rejected),
        cmocka_unit_test(age_bucket_of__boundaries__lower_bound_inclusive),
        cmocka_unit_test(age_bucket_name__every_bucket__report_names),
        cmocka_unit_test(time_now_ms__clock__after_2024),
        cmocka_unit_test(time_utc_fields__years_0_to_9999__same_as_gmtime),
    };
    return cmocka_run_group_tests_name("timeutil", tests, NULL, NULL);
}
