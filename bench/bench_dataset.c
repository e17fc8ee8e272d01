/* bench_dataset.c: how fast datasets are written and read, and how large
 * they are. Episodes of uniformly random actions are played first into
 * memory (not timed), then written with the dataset writer (timed: HDF5,
 * JPEG for frames under Minari's image rule, the SHA-256 and
 * metadata.json), then opened (timed: metadata, digest, the read-through
 * in a child process that guards against libhdf5 crashes) and every
 * episode read (timed). Worlds of several action components draw each
 * component uniformly among the values the mask allows (the masks go to
 * infos/action_mask). Wall and CPU seconds (this process's; the child's
 * CPU is not counted, so open's wall time is the figure to quote).
 *   usage: bench_dataset ID [OPTIONS|""] TRANSITIONS DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ludus/data.h"
#include "ludus/learn.h"

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: bench_dataset ID OPTIONS TRANSITIONS DIR\n");
        return 2;
    }
    const char *id = argv[1], *opts = argv[2][0] ? argv[2] : NULL, *root = argv[4];
    const long want = atol(argv[3]);
    ludus_env *env;
    if (ludus_env_make(id, opts, &env)) {
        fprintf(stderr, "%s\n", ludus_errmsg());
        return 1;
    }
    const ludus_env_info *info = ludus_env_get_info(env);
    const size_t D = info->obs_size, M = info->mission_capacity > 1 ? info->mission_capacity : 0;
    const size_t K = (size_t)info->mask_size;
    const int dims = info->action_dims < 1 ? 1 : info->action_dims;
    /* play episodes into memory */
    int cap = 1024, n = 0;
    ludus_dataset_episode *eps = calloc((size_t)cap, sizeof *eps);
    void *st = ludus_env_state_new(env);
    ludus_rng rng;
    ludus_rng_seed(&rng, 1);
    long total = 0;
    while (total < want) {
        if (n == cap) eps = realloc(eps, (size_t)(cap *= 2) * sizeof *eps);
        ludus_dataset_episode *ep = &eps[n];
        memset(ep, 0, sizeof *ep);
        int T = 0, tcap = 256;
        ep->seed = (uint64_t)n;
        ep->obs = malloc((size_t)(tcap + 1) * D);
        ep->missions = M ? malloc((size_t)(tcap + 1) * M) : NULL;
        ep->actions = malloc((size_t)tcap * dims * sizeof(int32_t));
        ep->rewards = malloc((size_t)tcap * sizeof(double));
        ep->terminations = malloc((size_t)tcap);
        ep->truncations = malloc((size_t)tcap);
        ep->action_masks = K ? malloc((size_t)(tcap + 1) * K) : NULL;
        ludus_env_reset(env, st, ep->seed, ep->obs);
        if (M) snprintf(ep->missions, M, "%s", ludus_env_mission(env, st));
        for (;;) {
            if (T == tcap) {
                tcap *= 2;
                ep->obs = realloc(ep->obs, (size_t)(tcap + 1) * D);
                if (M) ep->missions = realloc(ep->missions, (size_t)(tcap + 1) * M);
                ep->actions = realloc(ep->actions, (size_t)tcap * dims * sizeof(int32_t));
                if (K) ep->action_masks = realloc(ep->action_masks, (size_t)(tcap + 1) * K);
                ep->rewards = realloc(ep->rewards, (size_t)tcap * sizeof(double));
                ep->terminations = realloc(ep->terminations, (size_t)tcap);
                ep->truncations = realloc(ep->truncations, (size_t)tcap);
            }
            int32_t *a = ep->actions + (size_t)T * dims;
            uint8_t *mk = K ? ep->action_masks + (size_t)T * K : NULL;
            if (K) ludus_env_action_mask(env, st, mk);
            for (int d = 0, off = 0; d < dims; off += dims > 1 ? info->action_nvec[d] : 0, d++) {
                const int nv = dims > 1 ? info->action_nvec[d] : info->num_actions;
                int legal = 0;
                for (int v = 0; v < nv; v++) legal += !mk || mk[off + v];
                int k = legal ? (int)ludus_rng_integers(&rng, 0, legal) : 0, v = 0;
                while (mk && (!mk[off + v] || k-- > 0)) v++;
                a[d] = mk ? v : k;
            }
            ludus_step_out so;
            if (ludus_env_step_vec(env, st, a, ep->obs + (size_t)(T + 1) * D, &so)) {
                fprintf(stderr, "step: %s\n", ludus_errmsg());
                return 1;
            }
            if (M) snprintf(ep->missions + (size_t)(T + 1) * M, M, "%s", ludus_env_mission(env, st));
            ep->rewards[T] = so.reward;
            ep->terminations[T] = so.terminated;
            ep->truncations[T] = so.truncated;
            T++;
            if (so.terminated || so.truncated) break;
        }
        if (K) ludus_env_action_mask(env, st, ep->action_masks + (size_t)T * K);
        ep->steps = T;
        total += T;
        n++;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/bench/%s-v0", root, info->id);
    ludus_dataset_meta meta = {.agent = "random", .levels = "train", .level_count = LUDUS_MAX_TRAIN_LEVELS,
                               .jpeg_quality = 75, .action_masks = K > 0};
    snprintf(meta.dataset_id, sizeof meta.dataset_id, "bench/%s-v0", info->id);
    snprintf(meta.env_id, sizeof meta.env_id, "%s", id);
    snprintf(meta.env_options, sizeof meta.env_options, "%s", opts ? opts : "");
    double w0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    ludus_dataset_writer *w;
    int rc = ludus_dataset_writer_open(dir, env, &meta, &w);
    for (int i = 0; !rc && i < n; i++) rc = ludus_dataset_writer_add(w, &eps[i]);
    if (!rc) rc = ludus_dataset_writer_finish(w);
    ludus_dataset_writer_destroy(w);
    double w1 = clock_s(CLOCK_MONOTONIC), c1 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    if (rc) {
        fprintf(stderr, "write: %s\n", ludus_errmsg());
        return 1;
    }
    ludus_dataset *ds;
    if (ludus_dataset_open(dir, &ds)) {
        fprintf(stderr, "open: %s\n", ludus_errmsg());
        return 1;
    }
    double w2 = clock_s(CLOCK_MONOTONIC), c2 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    for (int i = 0; i < n; i++) {
        ludus_dataset_episode ep;
        if (ludus_dataset_read(ds, i, &ep)) {
            fprintf(stderr, "read: %s\n", ludus_errmsg());
            return 1;
        }
        ludus_dataset_episode_free(&ep);
    }
    double w3 = clock_s(CLOCK_MONOTONIC), c3 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    ludus_dataset_close(ds);
    char file[4200];
    snprintf(file, sizeof file, "%s/data/main_data.hdf5", dir);
    struct stat sb;
    stat(file, &sb);
    printf("%s%s%s: %ld transitions, %d episodes, %zu obs bytes\n", id, opts ? " " : "", opts ? opts : "", total, n, D);
    printf("  write  %10.0f transitions/s (wall; %.0f per CPU s)\n", total / (w1 - w0), total / (c1 - c0));
    printf("  open   %10.0f transitions/s (wall: digest + child read-through)\n", total / (w2 - w1));
    printf("  read   %10.0f transitions/s (wall; %.0f per CPU s)\n", total / (w3 - w2), total / (c3 - c2));
    printf("  size   %10.1f MB per million transitions (%lld bytes)\n", sb.st_size / (double)total,
           (long long)sb.st_size);
    for (int i = 0; i < n; i++) ludus_dataset_episode_free(&eps[i]);
    free(eps);
    ludus_free(st);
    ludus_env_destroy(env);
    return 0;
}
