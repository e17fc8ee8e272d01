/* bench_render.c: frames per second of ludus_env_render, full view and
 * agent view, at several tile sizes, over the states of a random episode
 * (so frames differ as they do in a recording), one thread.
 *   bench_render [ID] [seconds per row]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ludus/ludus.h"

#define NUM_STATES 64

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    const char *id = argc > 1 ? argv[1] : "MiniGrid-DoorKey-8x8-v0";
    double secs = argc > 2 ? atof(argv[2]) : 1.0;
    ludus_env *env;
    if (ludus_env_make(id, NULL, &env) != LUDUS_OK) {
        fprintf(stderr, "bench_render: %s\n", ludus_errmsg());
        return 1;
    }
    const ludus_env_info *info = ludus_env_get_info(env);
    /* NUM_STATES states along random episodes (seeds 0, 1, ...). */
    char *states = malloc(info->state_size * NUM_STATES);
    void *st = ludus_env_state_new(env);
    ludus_rng rng;
    ludus_rng_seed(&rng, 12345);
    uint64_t seed = 0;
    ludus_env_reset(env, st, seed, NULL);
    for (int i = 0; i < NUM_STATES; i++) {
        memcpy(states + i * info->state_size, st, info->state_size);
        ludus_step_out out;
        ludus_env_step(env, st, (int)ludus_rng_integers(&rng, 0, info->num_actions), NULL, &out);
        if (out.terminated || out.truncated) ludus_env_reset(env, st, ++seed, NULL);
    }
    printf("# bench_render %s: %d states of random episodes, 1 thread, %.1f s per row\n", id, NUM_STATES, secs);
    printf("%-10s %5s %10s %12s %12s\n", "view", "tile", "pixels", "frames/s", "us/frame");
    static const int tiles[] = {8, 16, 32, 64};
    for (int view = 0; view < 2; view++)
        for (size_t k = 0; k < sizeof tiles / sizeof tiles[0]; k++) {
            ludus_render_opts o = {tiles[k], view, 1};
            int w, h;
            if (ludus_env_render_size(env, &o, &w, &h) != LUDUS_OK) {
                fprintf(stderr, "bench_render: %s\n", ludus_errmsg());
                return 1;
            }
            size_t cap = (size_t)w * h * 3;
            uint8_t *rgb = malloc(cap);
            long frames = 0;
            unsigned sum = 0;
            double t0 = now(), t;
            do {
                for (int i = 0; i < NUM_STATES; i++) {
                    ludus_env_render(env, states + i * info->state_size, &o, rgb, cap);
                    sum += rgb[(size_t)(frames % h) * w * 3];
                    frames++;
                }
                t = now() - t0;
            } while (t < secs);
            printf("%-10s %5d %4dx%-5d %12.0f %12.1f\n", view ? "agent" : "full", tiles[k], w, h, frames / t,
                   1e6 * t / frames);
            free(rgb);
            if (sum == 1) puts(""); /* keeps the frames observable */
        }
    free(states);
    free(st);
    ludus_env_destroy(env);
    return 0;
}
