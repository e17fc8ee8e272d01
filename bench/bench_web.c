/* bench_web.c: what a web world costs (docs/web.md, "Cost"). Per task:
 *   - steps per second with the tensor observation, through ludus_vec
 *     (256 worlds, the default options: the legal-action mask computed
 *     every step, resets included when episodes end), at 1 and 2 threads.
 *     Actions are uniformly random legal ones drawn from the vec's masks
 *     between batches, outside the timed calls, so the figure is the
 *     worlds'. `wall` is steps over the wall-clock time of ludus_vec_step;
 *     `cpu` (1 thread) is steps over the process's CPU time in those calls,
 *     the rate per core, which other programs on a shared machine lower
 *     far less than the wall-clock rate;
 *   - the state's size, a clone (memcpy of the state: it holds no
 *     pointers, so that is all a clone needs) and ludus_env_state_check
 *     (what a state from elsewhere costs before use);
 *   - a reset, and the FULL text observation (the tree, the mission, the
 *     action list) of states met in random play, ns per call and bytes;
 *   - an RGB frame (480 x 480).
 *   bench_web [seconds per figure] [id substring]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ludus/ludus.h"

static double now(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* One uniformly random legal action per world, from the vec's masks. */
static void draw(ludus_vec *v, const ludus_env_info *in, uint64_t *rng, int32_t *acts)
{
    const int n = ludus_vec_num_envs(v);
    const uint8_t *masks = ludus_vec_action_masks(v);
    for (int i = 0; i < n; i++) {
        const uint8_t *m = masks + (size_t)i * in->mask_size;
        for (int k = 0, off = 0; k < in->action_dims; off += in->action_nvec[k], k++) {
            int legal = 0, pick;
            for (int x = 0; x < in->action_nvec[k]; x++) legal += m[off + x];
            pick = (int)(rng_next(rng) % (uint64_t)legal);
            for (int x = 0; x < in->action_nvec[k]; x++)
                if (m[off + x] && pick-- == 0) {
                    acts[(size_t)i * in->action_dims + k] = x;
                    break;
                }
        }
    }
}

/* Steps per second of ludus_vec_step (wall clock, and per CPU-second). */
static int vec_rate(const char *id, int threads, double secs, double *wall, double *cpu)
{
    ludus_vec_config cfg = {.env_id = id, .num_envs = 256, .num_threads = threads, .seed = 1};
    ludus_vec *v;
    if (ludus_vec_create(&cfg, &v) != LUDUS_OK || ludus_vec_reset(v) != LUDUS_OK) return -1;
    const ludus_env_info *in = ludus_env_get_info(ludus_vec_env(v));
    int32_t *acts = malloc(sizeof *acts * 256 * (size_t)in->action_dims);
    uint64_t rng = 7;
    double tw = 0, tc = 0;
    long steps = 0;
    for (int b = 0; b < 200; b++) { /* warm up */
        draw(v, in, &rng, acts);
        ludus_vec_step(v, acts);
    }
    while (tw < secs) {
        draw(v, in, &rng, acts);
        double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
        int rc = ludus_vec_step(v, acts);
        tc += now(CLOCK_PROCESS_CPUTIME_ID) - c0;
        tw += now(CLOCK_MONOTONIC) - w0;
        if (rc != LUDUS_OK) {
            free(acts);
            ludus_vec_destroy(v);
            return -1;
        }
        steps += 256;
    }
    *wall = steps / tw;
    *cpu = steps / tc;
    free(acts);
    ludus_vec_destroy(v);
    return 0;
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 0.5;
    const char *only = argc > 2 ? argv[2] : "";
    if (secs <= 0) {
        fprintf(stderr, "bench_web: seconds per figure must be > 0\n");
        return 2;
    }
    printf("| task | 1 thread wall steps/s | 1 thread cpu steps/s | 2 threads wall steps/s | state bytes | clone ns "
           "| check ns | reset ns | text ns (bytes) | frame us |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int w = 0; w < ludus_env_count(); w++) {
        const char *id = ludus_env_id(w);
        if (strncmp(id, "Web-", 4) != 0 || !strstr(id, only)) continue;
        double w1, c1, w2, c2;
        if (vec_rate(id, 1, secs, &w1, &c1) || vec_rate(id, 2, secs, &w2, &c2)) {
            fprintf(stderr, "bench_web: %s: %s\n", id, ludus_errmsg());
            return 1;
        }
        ludus_env *env;
        if (ludus_env_make(id, NULL, &env) != LUDUS_OK) {
            fprintf(stderr, "bench_web: %s\n", ludus_errmsg());
            return 1;
        }
        const ludus_env_info *in = ludus_env_get_info(env);
        /* states met in random play: 64 of them, a few steps into episodes */
        enum { NS = 64 };
        uint8_t *states = malloc(in->state_size * NS), *copy = malloc(in->state_size);
        uint8_t *obs = malloc(in->obs_size), *mask = malloc(in->mask_size ? in->mask_size : 1);
        char *text = malloc(in->text_capacity);
        int fw, fh;
        ludus_env_render_size(env, NULL, &fw, &fh);
        uint8_t *rgb = malloc((size_t)fw * fh * 3);
        uint64_t rng = 3;
        for (int k = 0; k < NS; k++) {
            void *st = states + (size_t)k * in->state_size;
            ludus_env_reset(env, st, (uint64_t)k, NULL);
            for (int t = 0, n = (int)(rng_next(&rng) % 4); t < n; t++) {
                int32_t a[3] = {0, 0, 0};
                ludus_env_action_mask(env, st, mask);
                for (int c = 0, off = 0; c < in->action_dims; off += in->action_nvec[c], c++) {
                    do a[c] = (int32_t)(rng_next(&rng) % (uint64_t)in->action_nvec[c]);
                    while (in->mask_size && !mask[off + a[c]]);
                }
                ludus_step_out out;
                ludus_env_step_vec(env, st, a, NULL, &out);
                if (out.terminated || out.truncated) break;
            }
        }
        double t0, dt;
        long n;
        volatile uint8_t sink = 0;
        for (n = 0, t0 = now(CLOCK_MONOTONIC); (dt = now(CLOCK_MONOTONIC) - t0) < secs; n += 1000)
            for (int i = 0; i < 1000; i++) {
                memcpy(copy, states + (size_t)(i % NS) * in->state_size, in->state_size);
                sink = (uint8_t)(sink + copy[i % in->state_size]);
            }
        double clone = dt / n * 1e9;
        for (n = 0, t0 = now(CLOCK_MONOTONIC); (dt = now(CLOCK_MONOTONIC) - t0) < secs; n += 1000)
            for (int i = 0; i < 1000; i++)
                sink = (uint8_t)(sink + (ludus_env_state_check(env, states + (size_t)(i % NS) * in->state_size) == 0));
        double check = dt / n * 1e9;
        for (n = 0, t0 = now(CLOCK_MONOTONIC); (dt = now(CLOCK_MONOTONIC) - t0) < secs; n += 1000)
            for (int i = 0; i < 1000; i++) ludus_env_reset(env, copy, (uint64_t)(n + i), obs);
        double reset = dt / n * 1e9;
        long bytes = 0;
        for (n = 0, t0 = now(CLOCK_MONOTONIC); (dt = now(CLOCK_MONOTONIC) - t0) < secs; n += 100)
            for (int i = 0; i < 100; i++)
                bytes += ludus_env_text(env, states + (size_t)(i % NS) * in->state_size, LUDUS_TEXT_FULL, text,
                                        in->text_capacity);
        double txt = dt / n * 1e9;
        long txt_bytes = bytes / n;
        for (n = 0, t0 = now(CLOCK_MONOTONIC); (dt = now(CLOCK_MONOTONIC) - t0) < secs; n += 10)
            for (int i = 0; i < 10; i++)
                ludus_env_render(env, states + (size_t)(i % NS) * in->state_size, NULL, rgb, (size_t)fw * fh * 3);
        double frame = dt / n * 1e6;
        printf("| %s | %.0f | %.0f | %.0f | %zu | %.0f | %.0f | %.0f | %.0f (%ld) | %.1f |\n", id, w1, c1, w2,
               in->state_size, clone, check, reset, txt, txt_bytes, frame);
        fflush(stdout);
        (void)c2;
        free(rgb);
        free(text);
        free(mask);
        free(obs);
        free(copy);
        free(states);
        ludus_env_destroy(env);
    }
    return 0;
}
