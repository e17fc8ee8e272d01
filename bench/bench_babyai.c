/* bench_babyai.c: resets and steps per second of BabyAI levels on one
 * thread through the public ludus_env_* API, observation included, as a
 * learner would call it. Steps use uniformly random actions and reset the
 * episode (next seed) when it ends, so step figures include those resets.
 * Rates are given per second of wall time and per second of this thread's
 * CPU time; on a shared, loaded machine only the second means much.
 *   usage: bench_babyai [seconds per measurement] [id ...]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ludus/ludus.h"

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
static double now(void) { return clock_s(CLOCK_MONOTONIC); }
static double cpu(void) { return clock_s(CLOCK_THREAD_CPUTIME_ID); }

static int bench(const char *id, double seconds)
{
    ludus_env *env;
    if (ludus_env_make(id, NULL, &env) != LUDUS_OK) {
        fprintf(stderr, "%s: %s\n", id, ludus_errmsg());
        return 1;
    }
    const ludus_env_info *info = ludus_env_get_info(env);
    void *st = ludus_env_state_new(env);
    uint8_t *obs = malloc(info->obs_size);

    /* Resets: consecutive seeds, checked in batches against the clock. */
    uint64_t seed = 0;
    double t0 = now(), t1, c0 = cpu();
    do {
        for (int k = 0; k < 1000; k++)
            if (ludus_env_reset(env, st, seed++, obs) != LUDUS_OK) {
                fprintf(stderr, "%s seed %llu: %s\n", id, (unsigned long long)(seed - 1), ludus_errmsg());
                return 1;
            }
        t1 = now();
    } while (t1 - t0 < seconds);
    double resets_per_s = (double)seed / (t1 - t0), resets_per_cpu_s = (double)seed / (cpu() - c0);

    /* Steps: random actions, a new episode when one ends. */
    uint64_t steps = 0, episodes = 0, rs = 88172645463325252ull;
    ludus_env_reset(env, st, 0, obs);
    ludus_step_out out;
    t0 = now();
    c0 = cpu();
    do {
        for (int k = 0; k < 10000; k++) {
            rs ^= rs << 13;
            rs ^= rs >> 7;
            rs ^= rs << 17;
            /* A multiply, not a modulo: a division per step would be a
             * tenth of what is measured. */
            int action = (int)(((rs >> 32) * (uint64_t)info->num_actions) >> 32);
            ludus_env_step(env, st, action, obs, &out);
            steps++;
            if (out.terminated || out.truncated) ludus_env_reset(env, st, ++episodes, obs);
        }
        t1 = now();
    } while (t1 - t0 < seconds);
    double steps_per_s = (double)steps / (t1 - t0), steps_per_cpu_s = (double)steps / (cpu() - c0);

    printf("%-28s resets/s %9.0f wall %9.0f cpu (%6.3f us cpu)   steps/s %9.0f wall %9.0f cpu (%6.1f ns cpu)"
           "   %.1f steps/episode\n",
           id, resets_per_s, resets_per_cpu_s, 1e6 / resets_per_cpu_s, steps_per_s, steps_per_cpu_s,
           1e9 / steps_per_cpu_s, episodes ? (double)steps / (double)episodes : 0.0);
    free(obs);
    free(st);
    ludus_env_destroy(env);
    return 0;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 2.0;
    static const char *defaults[] = {"BabyAI-GoToLocal-v0", "BabyAI-PutNextLocal-v0", "BabyAI-GoTo-v0",
                                     "BabyAI-Synth-v0", "BabyAI-BossLevel-v0"};
    int rc = 0;
    if (argc > 2)
        for (int i = 2; i < argc; i++) rc |= bench(argv[i], seconds);
    else
        for (size_t i = 0; i < sizeof defaults / sizeof *defaults; i++) rc |= bench(defaults[i], seconds);
    return rc;
}
