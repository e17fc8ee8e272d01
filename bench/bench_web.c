/* bench_web.c: what a web world costs besides stepping (docs/web.md):
 * per task, the state size, a clone (memcpy of the state), a reset, a step
 * with the tensor observation written (random legal actions drawn ahead,
 * so the figure is the world's), the text observation (the tree, FULL
 * mode) and an RGB frame, each timed over many calls on one thread.
 *   bench_web [seconds per figure]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ludus/ludus.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

#define NA 4096

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 0.3;
    printf("| task | state bytes | clone ns | reset ns | step+obs ns | text ns (bytes) | frame us |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|\n");
    for (int w = 0; w < ludus_env_count(); w++) {
        const char *id = ludus_env_id(w);
        if (strncmp(id, "Web-", 4) != 0) continue;
        ludus_env *env;
        if (ludus_env_make(id, "mask=0", &env) != LUDUS_OK) {
            fprintf(stderr, "bench_web: %s\n", ludus_errmsg());
            return 1;
        }
        const ludus_env_info *in = ludus_env_get_info(env);
        void *st = ludus_env_state_new(env), *copy = ludus_env_state_new(env);
        uint8_t *obs = malloc(in->obs_size);
        char *text = malloc(in->text_capacity);
        int fw, fh;
        ludus_env_render_size(env, NULL, &fw, &fh);
        uint8_t *rgb = malloc((size_t)fw * fh * 3);
        int32_t (*acts)[3] = malloc(sizeof *acts * NA);
        ludus_rng rng;
        ludus_rng_seed(&rng, 1);
        for (int i = 0; i < NA; i++)
            for (int k = 0; k < 3; k++) acts[i][k] = (int32_t)ludus_rng_integers(&rng, 0, k == 1 ? 12 : in->action_nvec[k]);
        ludus_env_reset(env, st, 1, NULL);
        double t0, dt;
        long n;
        volatile uint8_t sink = 0;
        for (n = 0, t0 = now(); (dt = now() - t0) < secs; n += 1000)
            for (int i = 0; i < 1000; i++) {
                memcpy(copy, st, in->state_size);
                sink = (uint8_t)(sink + ((uint8_t *)copy)[i % in->state_size]);
            }
        double clone = dt / n * 1e9;
        for (n = 0, t0 = now(); (dt = now() - t0) < secs; n += 1000)
            for (int i = 0; i < 1000; i++) ludus_env_reset(env, st, (uint64_t)(n + i), obs);
        double reset = dt / n * 1e9;
        ludus_env_reset(env, st, 1, NULL);
        long k = 0;
        for (n = 0, t0 = now(); (dt = now() - t0) < secs; n += 1000)
            for (int i = 0; i < 1000; i++, k++) {
                ludus_step_out out;
                ludus_env_step_vec(env, st, acts[k % NA], obs, &out);
                if (out.terminated || out.truncated) ludus_env_reset_continue(env, st, obs);
            }
        double step = dt / n * 1e9;
        int len = 0;
        for (n = 0, t0 = now(); (dt = now() - t0) < secs; n += 100)
            for (int i = 0; i < 100; i++) len = ludus_env_text(env, st, LUDUS_TEXT_FULL, text, in->text_capacity);
        double txt = dt / n * 1e9;
        for (n = 0, t0 = now(); (dt = now() - t0) < secs; n += 10)
            for (int i = 0; i < 10; i++) ludus_env_render(env, st, NULL, rgb, (size_t)fw * fh * 3);
        double frame = dt / n * 1e6;
        printf("| %s | %zu | %.0f | %.0f | %.0f | %.0f (%d) | %.1f |\n", id, in->state_size, clone, reset, step, txt,
               len, frame);
        free(acts);
        free(rgb);
        free(text);
        free(obs);
        free(st);
        free(copy);
        ludus_env_destroy(env);
    }
    return 0;
}
