/* bench_dqn.c: DQN training throughput through the learner registry (the
 * "dqn" row, as `ludus train --algo dqn` runs it): end-to-end frames per
 * second (worlds + epsilon-greedy forwards + replay + gradient steps), the
 * same run with no gradient step (acting alone), and from the two the
 * gradient steps (minibatch updates) per second.
 *   bench_dqn [ENV_ID] [STEPS] [JSON learner keys] [THREADS]
 * e.g. bench_dqn MiniGrid-DoorKey-5x5-v0 100000 '{"prioritized": 1}' 2
 * THREADS (default 1) is the run's num_threads: workers splitting each
 * minibatch.
 * Prints a line per 10 updates (return, success) so learning can be
 * watched, then the figures (wall and process CPU seconds).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ludus/learner.h"
#include "ludus/run.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Train for `steps` frames; wall and CPU seconds, gradient steps, and the
 * first frame count at which 5 updates in a row reached success >= 0.9. */
static int run(const char *id, uint64_t steps, const char *json, int threads, int learn, int verbose, double *wall, double *cpu,
               double *grad_steps, double *learned_at)
{
    const ludus_learner_ops *ops;
    if (ludus_learner_find("dqn", &ops)) return 1;
    ludus_env *env = NULL;
    if (ludus_env_make(id, NULL, &env)) return 1;
    ludus_run_config rc;
    ludus_run_config_default(&rc);
    snprintf(rc.algo, sizeof rc.algo, "dqn");
    snprintf(rc.env_id, sizeof rc.env_id, "%s", id);
    void *cfg = calloc(1, ops->config_size);
    ops->config_default(cfg, &rc, ludus_env_get_info(env));
    ludus_env_destroy(env);
    rc.total_steps = steps;
    rc.num_threads = threads;
    if (json && ludus_keys_apply_json(ops->keys, cfg, ops->config_size, json)) return 1;
    if (!learn && ludus_keys_set(ops->keys, cfg, ops->config_size, "learning_starts", "1073741824")) return 1;
    void *self = NULL;
    if (ops->create(cfg, &rc, &self)) return 1;
    const ludus_metric_column *cols;
    int nc = ops->columns(self, &cols), ig = -1, is = -1;
    for (int i = 0; i < nc; i++) {
        if (strcmp(cols[i].name, "grad_steps") == 0) ig = i;
        if (strcmp(cols[i].name, "success") == 0) is = i;
    }
    double row[LUDUS_LEARNER_MAX_COLUMNS], t0 = now_s(), c0 = cpu_s();
    int u = 0, streak = 0;
    *learned_at = NAN;
    while (ops->steps(self) < steps) {
        if (ops->update(self, row)) return 1;
        u++;
        if (!isnan(row[is])) streak = row[is] >= 0.9 ? streak + 1 : 0;
        if (streak == 5 && isnan(*learned_at)) *learned_at = (double)ops->steps(self);
        if (verbose && u % 10 == 0)
            printf("steps %8llu wall %6.1f return %.3f success %.3f\n", (unsigned long long)ops->steps(self),
                   now_s() - t0, row[1], row[is]);
    }
    *wall = now_s() - t0;
    *cpu = cpu_s() - c0;
    *grad_steps = row[ig];
    ops->destroy(self);
    free(cfg);
    return 0;
}

int main(int argc, char **argv)
{
    const char *id = argc > 1 ? argv[1] : "MiniGrid-DoorKey-5x5-v0";
    uint64_t steps = argc > 2 ? strtoull(argv[2], NULL, 10) : 100000;
    const char *json = argc > 3 && argv[3][0] ? argv[3] : NULL;
    int threads = argc > 4 ? atoi(argv[4]) : 1;
    double w, c, g, at, w0, c0, g0, at0;
    if (run(id, steps, json, threads, 1, 1, &w, &c, &g, &at) || run(id, steps, json, threads, 0, 0, &w0, &c0, &g0, &at0)) {
        fprintf(stderr, "bench_dqn: %s\n", ludus_errmsg());
        return 1;
    }
    printf("bench_dqn: %s, %llu frames, %d threads, %s\n", id, (unsigned long long)steps, threads,
           json ? json : "defaults");
    printf("  full loop:    %.2f s wall, %.2f s cpu: %.0f frames/s, %.0f gradient steps\n", w, c, steps / w, g);
    printf("  acting alone: %.2f s wall, %.2f s cpu: %.0f frames/s\n", w0, c0, steps / w0);
    printf("  gradient steps: %.0f /s wall, %.0f /s cpu\n", g / (w - w0), g / (c - c0));
    if (!isnan(at)) printf("  success >= 0.9 for 5 updates in a row at %.0f frames\n", at);
    return 0;
}
