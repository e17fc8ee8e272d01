/* bench_crafter.c: Crafter throughput on one thread through the public
 * API: steps per second in exact and fast mode, with the symbolic and the
 * RGB observation, and resets (world generations) per second. Actions are
 * uniform random; episodes that end are reset, and reset time is measured
 * apart from step time.
 *   bench_crafter [steps] [resets]     (defaults 2000000 and 2000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ludus/ludus.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static int run(const char *options, long steps, const char *label)
{
    ludus_env *env;
    if (ludus_env_make("Crafter-Reward-v1", options, &env)) {
        fprintf(stderr, "%s\n", ludus_errmsg());
        return 1;
    }
    const ludus_env_info *info = ludus_env_get_info(env);
    void *state = ludus_env_state_new(env);
    uint8_t *obs = malloc(info->obs_size);
    uint64_t rng = 88172645463325252ull, seed = 0;
    ludus_env_reset(env, state, seed++, obs);
    double reset_time = 0, t0 = now();
    long episodes = 0, night_steps = 0;
    for (long i = 0; i < steps; i++) {
        ludus_step_out out;
        ludus_env_step(env, state, (int)(xorshift(&rng) % 17), obs, &out);
        uint32_t t = ludus_env_step_count(env, state) % 300;
        night_steps += t >= 148 && t <= 272;
        if (out.terminated || out.truncated) {
            double r0 = now();
            ludus_env_reset(env, state, seed++, obs);
            reset_time += now() - r0;
            episodes++;
        }
    }
    double step_time = now() - t0 - reset_time;
    printf("%-34s %10.0f steps/s  (%ld steps, %ld episodes, %.0f%% at night)\n", label, steps / step_time, steps,
           episodes, 100.0 * night_steps / steps);
    free(obs);
    free(state);
    ludus_env_destroy(env);
    return 0;
}

int main(int argc, char **argv)
{
    long steps = argc > 1 ? atol(argv[1]) : 2000000, resets = argc > 2 ? atol(argv[2]) : 2000;
    printf("ludus %s, Crafter-Reward-v1, 1 thread\n", ludus_version());
    int rc = 0;
    rc |= run("mode=fast", steps, "fast, symbolic observation");
    rc |= run("mode=exact", steps, "exact, symbolic observation");
    rc |= run("mode=fast,obs=rgb", steps / 10, "fast, RGB observation");
    rc |= run("mode=exact,obs=rgb", steps / 10, "exact, RGB observation");

    ludus_env *env;
    if (ludus_env_make("Crafter-Reward-v1", NULL, &env)) return 1;
    void *state = ludus_env_state_new(env);
    double t0 = now();
    for (long i = 0; i < resets; i++) ludus_env_reset(env, state, (uint64_t)i, NULL);
    double dt = now() - t0;
    printf("%-34s %10.0f resets/s  (%.3f ms per world)\n", "reset (world generation)", resets / dt,
           1e3 * dt / resets);
    free(state);
    ludus_env_destroy(env);
    return rc;
}
