/* test_core.c: core services: error codes and messages (per thread), the
 * log callback (levels, thread-safety of delivery), Python-style float
 * formatting used by the traces.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "check.h"
#include "core/core.h"

static atomic_int log_count;
static int log_levels[8];

static void count_logs(ludus_log_level level, const char *msg, void *user)
{
    (void)user;
    int n = atomic_fetch_add(&log_count, 1);
    if (n < 8) log_levels[n] = (int)level;
    CHECK(msg && strstr(msg, "sample rejected") != NULL);
}

/* BabyAI reports rejected samples through the callback, only at DEBUG. */
static void test_log_callback(void)
{
    ludus_env *env;
    CHECK_OK(ludus_env_make("BabyAI-UnblockPickup-v0", NULL, &env));
    void *st = ludus_env_state_new(env);
    uint64_t rejected = 0;
    ludus_set_log_callback(count_logs, NULL, LUDUS_LOG_DEBUG);
    for (uint64_t seed = 0; seed < 20; seed++) {
        CHECK_OK(ludus_env_reset(env, st, seed, NULL));
        rejected += ludus_env_rejections(env, st);
    }
    CHECK_MSG(rejected > 0, "no rejection in 20 levels: the test exercises nothing");
    CHECK_EQ(atomic_load(&log_count), (long long)rejected);
    CHECK_EQ(log_levels[0], LUDUS_LOG_DEBUG);
    /* Above the message's level: nothing is delivered. */
    atomic_store(&log_count, 0);
    ludus_set_log_callback(count_logs, NULL, LUDUS_LOG_INFO);
    for (uint64_t seed = 0; seed < 20; seed++) CHECK_OK(ludus_env_reset(env, st, seed, NULL));
    CHECK_EQ(atomic_load(&log_count), 0);
    /* From vec's worker threads too. */
    ludus_set_log_callback(count_logs, NULL, LUDUS_LOG_DEBUG);
    ludus_vec_config cfg = {.env_id = "BabyAI-UnblockPickup-v0", .num_envs = 64, .num_threads = 2, .level_count = 20};
    ludus_vec *v;
    CHECK_OK(ludus_vec_create(&cfg, &v));
    CHECK_OK(ludus_vec_reset(v));
    uint64_t want = 0;
    for (int i = 0; i < 64; i++) want += ludus_env_rejections(ludus_vec_env(v), ludus_vec_state(v, i));
    CHECK_EQ(atomic_load(&log_count), (long long)want);
    ludus_vec_destroy(v);
    ludus_set_log_callback(NULL, NULL, LUDUS_LOG_INFO);
    free(st);
    ludus_env_destroy(env);
}

static void *fail_in_thread(void *arg)
{
    (void)arg;
    ludus_err_set(LUDUS_EIO, "thread message");
    return strcmp(ludus_errmsg(), "thread message") == 0 ? (void *)1 : NULL;
}

/* Messages are per thread: a failure on one thread leaves another's alone. */
static void test_errors(void)
{
    CHECK_EQ(ludus_err_set(LUDUS_EINVAL, "main %d", 7), LUDUS_EINVAL);
    pthread_t t;
    void *ok = NULL;
    pthread_create(&t, NULL, fail_in_thread, NULL);
    pthread_join(t, &ok);
    CHECK(ok != NULL);
    CHECK_STR(ludus_errmsg(), "main 7");
    CHECK_EQ(ludus_err_wrap(LUDUS_EINVAL, "context"), LUDUS_EINVAL);
    CHECK_STR(ludus_errmsg(), "context: main 7");
    CHECK_STR(ludus_strerror(LUDUS_ENOTFOUND), "not found");
    CHECK_STR(ludus_strerror(-99), "unknown error");
    CHECK_STR(ludus_version(), LUDUS_VERSION);
}

/* Floats as Python's repr() writes them (the traces' reward field). */
static void test_repr(void)
{
    struct { double v; const char *want; } cases[] = {
        {0.0, "0.0"}, {-0.0, "-0.0"}, {1.0, "1.0"}, {-1.0, "-1.0"}, {0.961328125, "0.961328125"},
        {0.09999999999999998, "0.09999999999999998"}, {0.1, "0.1"}, {1e-05, "1e-05"}, {0.0001, "0.0001"},
        {123456789012345678.0, "1.2345678901234568e+17"}, {1e16, "1e+16"}, {9999999999999998.0, "9999999999999998.0"},
        {2.5, "2.5"}, {100.0, "100.0"}, {1.0 / 3.0, "0.3333333333333333"}, {5e-324, "5e-324"},
    };
    char buf[40];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ludus_fmt_double_repr(buf, cases[i].v);
        CHECK_STR(buf, cases[i].want);
    }
}

/* The differential tests' failure messages name the first differing field. */
static void test_json_diff(void)
{
    char field[64], va[64], vb[64];
    check_json_diff("{\"a\": 1, \"b\": [1, 2]}", "{\"a\": 1, \"b\": [1, 3]}", "(line)", field, va, vb, sizeof va);
    CHECK_STR(field, "b");
    CHECK_STR(va, "[1,2]");
    CHECK_STR(vb, "[1,3]");
    check_json_diff("{\"a\": 1}", "{\"a\": 1, \"c\": true}", "(line)", field, va, vb, sizeof va);
    CHECK_STR(field, "c");
    CHECK_STR(va, "(missing)");
    check_json_diff("{\"a\": 1.0}", "{\"a\": 1}", "(line)", field, va, vb, sizeof va);
    CHECK_STR(field, "(line)");
    CHECK_STR(va, "{\"a\": 1.0}");
    check_json_diff("not json", "{\"a\": 1}", "(formatting)", field, va, vb, sizeof va);
    CHECK_STR(field, "(formatting)");
    CHECK_STR(vb, "{\"a\": 1}");
}

int main(void)
{
    test_errors();
    test_repr();
    test_log_callback();
    test_json_diff();
    return check_finish("test_core");
}
