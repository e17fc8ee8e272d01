/* bench_crafter.c: Crafter throughput on one thread through the public
 * API. Steps per second in exact and fast mode, with the symbolic and the
 * RGB observation (uniform random actions; ended episodes are reset and
 * the reset time is left out), the cost of a day and of a night step (the
 * night is where exact mode pays for the reference's image noise), of a
 * day and a night frame, and
 * resets (world generations) per second, with the median and fastest
 * single reset. Each rate is measured in `rounds` rounds; the median and
 * the best round are printed, so a shared machine's interference shows as
 * their gap.
 *   bench_crafter [steps] [resets] [rounds]    (defaults 1000000 1000 5)
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

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report(const char *label, double *rates, int rounds, const char *unit)
{
    qsort(rates, (size_t)rounds, sizeof *rates, cmp_double);
    printf("%-36s median %10.0f  best %10.0f %s\n", label, rates[rounds / 2], rates[rounds - 1], unit);
}

/* Steps per second (reset time excluded) of one configuration. */
static int steps_per_second(const char *options, long steps, int rounds, const char *label)
{
    ludus_env *env;
    if (ludus_env_make("Crafter-Reward-v1", options, &env)) {
        fprintf(stderr, "%s\n", ludus_errmsg());
        return 1;
    }
    void *state = ludus_env_state_new(env);
    uint8_t *obs = malloc(ludus_env_get_info(env)->obs_size);
    uint64_t rng = 88172645463325252ull, seed = 0;
    double rates[64];
    ludus_env_reset(env, state, seed++, obs);
    for (int r = 0; r < rounds; r++) {
        double reset_time = 0, t0 = now();
        for (long i = 0; i < steps; i++) {
            ludus_step_out out;
            ludus_env_step(env, state, (int)(xorshift(&rng) % 17), obs, &out);
            if (out.terminated || out.truncated) {
                double r0 = now();
                ludus_env_reset(env, state, seed++, obs);
                reset_time += now() - r0;
            }
        }
        rates[r] = (double)steps / (now() - t0 - reset_time);
    }
    report(label, rates, rounds, "steps/s");
    free(obs);
    free(state);
    ludus_env_destroy(env);
    return 0;
}

/* Mean cost of day and of night steps, timed one by one. */
static int day_and_night(const char *options, long steps, const char *label)
{
    ludus_env *env;
    if (ludus_env_make("Crafter-Reward-v1", options, &env)) return 1;
    void *state = ludus_env_state_new(env);
    uint8_t *obs = malloc(ludus_env_get_info(env)->obs_size);
    uint64_t rng = 88172645463325252ull, seed = 0;
    double t_day = 0, t_night = 0;
    long n_day = 0, n_night = 0;
    ludus_env_reset(env, state, seed++, obs);
    for (long i = 0; i < steps; i++) {
        ludus_step_out out;
        uint32_t t = (ludus_env_step_count(env, state) + 1) % 300;
        int night = t >= 148 && t <= 272;
        double t0 = now();
        ludus_env_step(env, state, (int)(xorshift(&rng) % 17), obs, &out);
        double dt = now() - t0;
        if (night) t_night += dt, n_night++;
        else t_day += dt, n_day++;
        if (out.terminated || out.truncated) ludus_env_reset(env, state, seed++, obs);
    }
    double day = t_day / (double)n_day, nightly = t_night / (double)(n_night ? n_night : 1);
    /* Crafter's cycle: 125 night steps in every 300 */
    double cycle = (175 * day + 125 * nightly) / 300;
    printf("%-36s day %.3f us, night %.3f us per step: %.0f steps/s over a day-night cycle\n", label, 1e6 * day,
           1e6 * nightly, 1 / cycle);
    free(obs);
    free(state);
    ludus_env_destroy(env);
    return 0;
}

/* One 64x64 frame by day and by night (ludus_env_render, same state). */
static int frames(const char *options, int count, const char *label)
{
    ludus_env *env;
    if (ludus_env_make("Crafter-Reward-v1", options, &env)) return 1;
    void *state = ludus_env_state_new(env);
    static uint8_t rgb[64 * 64 * 3];
    double cost[2] = {1e9, 1e9};
    ludus_env_reset(env, state, 1, NULL);
    for (int phase = 0; phase < 2; phase++) {
        /* noop into step 40 (day), then into step 180 (night) */
        ludus_step_out out;
        while (ludus_env_step_count(env, state) < (phase ? 180u : 40u)) ludus_env_step(env, state, 0, NULL, &out);
        for (int r = 0; r < 5; r++) {
            double t0 = now();
            for (int i = 0; i < count; i++) ludus_env_render(env, state, NULL, rgb, sizeof rgb);
            double dt = (now() - t0) / count;
            if (dt < cost[phase]) cost[phase] = dt;
        }
    }
    printf("%-36s day %.1f us, night %.1f us per 64x64 frame (best of 5)\n", label, 1e6 * cost[0], 1e6 * cost[1]);
    free(state);
    ludus_env_destroy(env);
    return 0;
}

int main(int argc, char **argv)
{
    long steps = argc > 1 ? atol(argv[1]) : 1000000, resets = argc > 2 ? atol(argv[2]) : 1000;
    int rounds = argc > 3 ? atoi(argv[3]) : 5;
    if (rounds < 1 || rounds > 64 || steps < 1 || resets < 1) {
        fprintf(stderr, "usage: bench_crafter [steps] [resets] [rounds 1..64]\n");
        return 2;
    }
    printf("ludus %s, Crafter-Reward-v1, 1 thread, %d rounds of %ld steps / %ld resets\n", ludus_version(), rounds,
           steps, resets);
    int rc = 0;
    rc |= steps_per_second("mode=fast", steps, rounds, "fast, symbolic observation");
    rc |= steps_per_second("mode=exact", steps, rounds, "exact, symbolic observation");
    rc |= steps_per_second("mode=fast,obs=rgb", steps / 20, rounds, "fast, RGB observation");
    rc |= steps_per_second("mode=exact,obs=rgb", steps / 20, rounds, "exact, RGB observation");
    rc |= day_and_night("mode=fast", steps, "fast, symbolic, timed per step");
    rc |= day_and_night("mode=exact", steps, "exact, symbolic, timed per step");
    rc |= frames("mode=exact", 2000, "frames, exact mode");

    ludus_env *env;
    if (ludus_env_make("Crafter-Reward-v1", NULL, &env)) return 1;
    void *state = ludus_env_state_new(env);
    double *each = malloc(sizeof(double) * (size_t)resets), rates[64];
    for (int r = 0; r < rounds; r++) {
        double t0 = now();
        for (long i = 0; i < resets; i++) {
            double s0 = now();
            ludus_env_reset(env, state, (uint64_t)(r * resets + i), NULL);
            if (r == rounds - 1) each[i] = now() - s0;
        }
        rates[r] = (double)resets / (now() - t0);
    }
    report("reset (world generation)", rates, rounds, "resets/s");
    qsort(each, (size_t)resets, sizeof *each, cmp_double);
    printf("%-36s median %.3f ms, fastest %.3f ms (single resets, last round)\n", "", 1e3 * each[resets / 2],
           1e3 * each[0]);
    free(each);
    free(state);
    ludus_env_destroy(env);
    return rc;
}
