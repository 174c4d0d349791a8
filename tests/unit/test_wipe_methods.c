/* Golden schedules of every wipe method (wipe-standards §3.3), the Gutmann shuffle invariants,
 * verify-mode marking and the final zero pass. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "alfwipe/wipe.h"

static struct wipe_key key_a, key_b;

/* Golden notation: two hex digits per pattern byte ("00", "924924"), "R" random, "c" the run
 * byte; a trailing '*' marks a pass that is always read back. */
struct golden {
    const char *method;
    const char *passes[40];
};

static const struct golden goldens[] = {
    {"zero", {"00"}},
    {"one", {"FF"}},
    {"random", {"R"}},
    {"nist-clear", {"00*"}},
    {"dod-3", {"00", "FF", "R"}},
    {"dod-7", {"00", "FF", "R", "c", "00", "FF", "R"}},
    {"schneier", {"FF", "00", "R", "R", "R", "R", "R"}},
    {"bsi-vsitr", {"00", "FF", "00", "FF", "00", "FF", "AA"}},
    {"rcmp-ops2", {"00", "FF", "00", "FF", "00", "FF", "R*"}},
    {"hmg-is5-enhanced", {"00", "FF", "R*"}},
    {"nnsa", {"R", "R", "00"}},
    {"rm-522022m", {"FF", "00", "R"}},
    {"rm-sevenpass", {"FF", "00", "R", "00", "00", "FF", "R"}},
};

static const char *const gutmann_fixed[27] = {
    "55",     "AA",     "924924", "492492", "249249", "00", "11", "22", "33",
    "44",     "55",     "66",     "77",     "88",     "99", "AA", "BB", "CC",
    "DD",     "EE",     "FF",     "924924", "492492", "249249", "6DB6DB", "B6DB6D", "DB6DB6",
};

static void pass_code(const struct wipe_pass *p, char *buf, size_t len)
{
    if (p->kind == WIPE_PASS_RANDOM) {
        snprintf(buf, len, "R");
        return;
    }
    if (p->run_byte) {
        snprintf(buf, len, "c");
        return;
    }
    buf[0] = '\0';
    for (size_t i = 0; i < p->len; i++)
        snprintf(buf + 2 * i, len - 2 * i, "%02X", p->pat[i]);
}

static int setup(void **state)
{
    (void)state;
    assert_int_equal(wipe_key_parse_hex(
                         "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                         &key_a), 0);
    assert_int_equal(wipe_key_parse_hex(
                         "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f",
                         &key_b), 0);
    return 0;
}

static void schedule__every_method__matches_golden_table(void **state)
{
    (void)state;
    for (size_t g = 0; g < sizeof goldens / sizeof goldens[0]; g++) {
        const struct wipe_method *m = wipe_method_find(goldens[g].method);
        assert_non_null(m);
        struct wipe_schedule s;
        struct err err = ERR_INIT;
        assert_int_equal(wipe_schedule_build(&s, m, false, WIPE_VERIFY_OFF, &key_a, &err), 0);
        size_t n = 0;
        while (goldens[g].passes[n])
            n++;
        assert_int_equal(s.npasses, n);
        for (size_t i = 0; i < n; i++) {
            char code[16], want[16];
            snprintf(want, sizeof want, "%s", goldens[g].passes[i]);
            bool always = want[strlen(want) - 1] == '*';
            if (always)
                want[strlen(want) - 1] = '\0';
            pass_code(&s.passes[i], code, sizeof code);
            if (strcmp(code, want) != 0)
                fail_msg("%s pass %zu: got %s, want %s", m->name, i + 1, code, want);
            /* verify off: only the passes the method always reads back */
            assert_int_equal(s.passes[i].verify, always);
        }
    }
}

static void methods__table__covers_every_golden_and_gutmann(void **state)
{
    (void)state;
    assert_int_equal(wipe_nmethods, sizeof goldens / sizeof goldens[0] + 1);
    assert_non_null(wipe_method_find("gutmann"));
    assert_null(wipe_method_find("dod"));
    assert_null(wipe_method_find(""));
    assert_non_null(strstr(wipe_method_names(), "rm-sevenpass"));
}

static void schedule__dod7_run_byte__is_first_byte_of_stream_zero(void **state)
{
    (void)state;
    struct wipe_schedule s;
    struct err err = ERR_INIT;
    assert_int_equal(wipe_schedule_build(&s, wipe_method_find("dod-7"), false, WIPE_VERIFY_LAST,
                                         &key_a, &err), 0);
    struct wipe_stream *st = wipe_stream_new(&key_a, 0, 0, &err);
    assert_non_null(st);
    uint8_t c;
    assert_int_equal(wipe_stream_read(st, &c, 1, &err), 0);
    wipe_stream_free(st);
    assert_true(s.passes[3].run_byte);
    assert_int_equal(s.passes[3].len, 1);
    assert_int_equal(s.passes[3].pat[0], c);
}

static void gutmann(const struct wipe_key *key, struct wipe_schedule *s)
{
    struct err err = ERR_INIT;
    assert_int_equal(wipe_schedule_build(s, wipe_method_find("gutmann"), false, WIPE_VERIFY_LAST,
                                         key, &err), 0);
}

static void schedule__gutmann__random_stays_at_1_4_and_32_35(void **state)
{
    (void)state;
    struct wipe_schedule s;
    gutmann(&key_a, &s);
    assert_int_equal(s.npasses, 35);
    for (size_t i = 0; i < 35; i++) {
        bool random_pos = i < 4 || i >= 31;
        assert_int_equal(s.passes[i].kind == WIPE_PASS_RANDOM, random_pos);
    }
    /* only the last pass is read back with --verify last */
    for (size_t i = 0; i < 35; i++)
        assert_int_equal(s.passes[i].verify, i == 34);
}

static void schedule__gutmann__fixed_passes_are_a_permutation(void **state)
{
    (void)state;
    struct wipe_schedule s;
    gutmann(&key_a, &s);
    bool used[27] = {false};
    for (size_t i = 4; i < 31; i++) {
        char code[16];
        pass_code(&s.passes[i], code, sizeof code);
        /* the table index names the exact entry; its pattern must match it */
        size_t ti = s.passes[i].table_index;
        assert_in_range(ti, 4, 30);
        assert_false(used[ti - 4]);
        used[ti - 4] = true;
        assert_string_equal(code, gutmann_fixed[ti - 4]);
    }
    /* multiset of patterns equals Gutmann's list */
    int want[27] = {0}, got[27] = {0};
    for (size_t i = 0; i < 27; i++)
        for (size_t j = 0; j < 27; j++)
            if (strcmp(gutmann_fixed[i], gutmann_fixed[j]) == 0) {
                want[j]++;
                break;
            }
    for (size_t i = 4; i < 31; i++) {
        char code[16];
        pass_code(&s.passes[i], code, sizeof code);
        for (size_t j = 0; j < 27; j++)
            if (strcmp(code, gutmann_fixed[j]) == 0) {
                got[j]++;
                break;
            }
    }
    assert_memory_equal(want, got, sizeof want);
}

static void schedule__gutmann__same_key_same_order_other_key_other_order(void **state)
{
    (void)state;
    struct wipe_schedule a1, a2, b;
    gutmann(&key_a, &a1);
    gutmann(&key_a, &a2);
    gutmann(&key_b, &b);
    int same_a = 1, same_b = 1, identity = 1;
    for (size_t i = 0; i < 35; i++) {
        same_a &= a1.passes[i].table_index == a2.passes[i].table_index;
        same_b &= a1.passes[i].table_index == b.passes[i].table_index;
        identity &= a1.passes[i].table_index == i;
    }
    assert_true(same_a);
    assert_false(same_b);
    assert_false(identity);
}

static void schedule__verify_modes__mark_the_right_passes(void **state)
{
    (void)state;
    struct err err = ERR_INIT;
    struct wipe_schedule s;
    const struct wipe_method *dod3 = wipe_method_find("dod-3");
    assert_int_equal(wipe_schedule_build(&s, dod3, false, WIPE_VERIFY_LAST, &key_a, &err), 0);
    assert_int_equal(wipe_schedule_nverified(&s), 1);
    assert_true(s.passes[2].verify);
    assert_int_equal(wipe_schedule_build(&s, dod3, false, WIPE_VERIFY_ALL, &key_a, &err), 0);
    assert_int_equal(wipe_schedule_nverified(&s), 3);
    assert_int_equal(wipe_schedule_build(&s, dod3, false, WIPE_VERIFY_OFF, &key_a, &err), 0);
    assert_int_equal(wipe_schedule_nverified(&s), 0);
    /* nist-clear is read back in full even with --verify off */
    assert_int_equal(wipe_schedule_build(&s, wipe_method_find("nist-clear"), false,
                                         WIPE_VERIFY_OFF, &key_a, &err), 0);
    assert_int_equal(wipe_schedule_nverified(&s), 1);
    /* hmg-is5-enhanced: the random pass always, plus the final zero with --verify last */
    assert_int_equal(wipe_schedule_build(&s, wipe_method_find("hmg-is5-enhanced"), true,
                                         WIPE_VERIFY_LAST, &key_a, &err), 0);
    assert_int_equal(s.npasses, 4);
    assert_true(s.passes[2].verify);
    assert_true(s.passes[3].verify);
    assert_false(s.passes[0].verify);
}

static void schedule__final_zero__appended_and_verified_last(void **state)
{
    (void)state;
    struct err err = ERR_INIT;
    struct wipe_schedule s;
    assert_int_equal(wipe_schedule_build(&s, wipe_method_find("dod-3"), true, WIPE_VERIFY_LAST,
                                         &key_a, &err), 0);
    assert_int_equal(s.npasses, 4);
    assert_true(s.passes[3].final_zero);
    assert_int_equal(s.passes[3].kind, WIPE_PASS_PATTERN);
    assert_int_equal(s.passes[3].pat[0], 0x00);
    assert_true(s.passes[3].verify);
    assert_false(s.passes[2].verify);
}

static void schedule__rcmp_ops2_with_final_zero__is_a_usage_error(void **state)
{
    (void)state;
    struct err err = ERR_INIT;
    struct wipe_schedule s;
    assert_int_equal(wipe_schedule_build(&s, wipe_method_find("rcmp-ops2"), true,
                                         WIPE_VERIFY_LAST, &key_a, &err), -1);
    assert_int_equal(err.kind, ERR_USAGE);
    assert_non_null(strstr(err.msg, "rcmp-ops2"));
    assert_true(err.hint[0] != '\0');
}

static void pass_fill__three_byte_pattern__follows_file_offset(void **state)
{
    (void)state;
    struct wipe_pass p = {.kind = WIPE_PASS_PATTERN, .len = 3, .pat = {0x92, 0x49, 0x24}};
    uint8_t buf[7];
    wipe_pass_fill(&p, 4, buf, sizeof buf);   /* offset 4: phase 1 */
    const uint8_t want[7] = {0x49, 0x24, 0x92, 0x49, 0x24, 0x92, 0x49};
    assert_memory_equal(buf, want, sizeof want);
    char d[16];
    assert_string_equal(wipe_pass_describe(&p, d, sizeof d), "92 49 24");
}

static void verify_parse__bad_value__names_it(void **state)
{
    (void)state;
    enum wipe_verify v;
    struct err err = ERR_INIT;
    assert_int_equal(wipe_verify_parse("all", &v, &err), 0);
    assert_int_equal(v, WIPE_VERIFY_ALL);
    assert_int_equal(wipe_verify_parse("sometimes", &v, &err), -1);
    assert_non_null(strstr(err.msg, "'sometimes'"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(schedule__every_method__matches_golden_table),
        cmocka_unit_test(methods__table__covers_every_golden_and_gutmann),
        cmocka_unit_test(schedule__dod7_run_byte__is_first_byte_of_stream_zero),
        cmocka_unit_test(schedule__gutmann__random_stays_at_1_4_and_32_35),
        cmocka_unit_test(schedule__gutmann__fixed_passes_are_a_permutation),
        cmocka_unit_test(schedule__gutmann__same_key_same_order_other_key_other_order),
        cmocka_unit_test(schedule__verify_modes__mark_the_right_passes),
        cmocka_unit_test(schedule__final_zero__appended_and_verified_last),
        cmocka_unit_test(schedule__rcmp_ops2_with_final_zero__is_a_usage_error),
        cmocka_unit_test(pass_fill__three_byte_pattern__follows_file_offset),
        cmocka_unit_test(verify_parse__bad_value__names_it),
    };
    return cmocka_run_group_tests_name("wipe_methods", tests, setup, NULL);
}
