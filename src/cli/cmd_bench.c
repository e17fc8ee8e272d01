/* cmd_bench.c: `ludus bench ID`: world steps per second through vec/, with
 * random actions, observations written and auto-reset included, the way a
 * learner drives the worlds. Actions come from a pre-drawn table so the
 * figure measures the worlds, not the action generator.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define ACTION_TABLE (1 << 16)

/* A uniformly random legal action for every world of v into acts. */
static const int32_t *draw_actions(ludus_vec *v, ludus_rng *rng, int32_t *acts)
{
    const ludus_env *env = ludus_vec_env(v);
    const int n = ludus_vec_num_envs(v), dims = ludus_env_get_info(env)->action_dims;
    for (int i = 0; i < n; i++) cli_random_action(env, ludus_vec_state(v, i), rng, acts + (size_t)i * dims);
    return acts;
}

int cmd_bench(int argc, char **argv)
{
    const char *id = NULL, *options = NULL;
    long envs = 256, threads = 1, steps = 10000000;
    uint64_t seed = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (strcmp(argv[i], "--envs") == 0) {
            if (!(v = cli_value(argc, argv, &i)) || cli_parse_int("--envs", v, 1, 1 << 20, &envs)) return CLI_USAGE_ERROR;
        } else if (strcmp(argv[i], "--threads") == 0) {
            if (!(v = cli_value(argc, argv, &i)) || cli_parse_int("--threads", v, 1, 64, &threads)) return CLI_USAGE_ERROR;
        } else if (strcmp(argv[i], "--steps") == 0) {
            if (!(v = cli_value(argc, argv, &i)) || cli_parse_int("--steps", v, 1, 1L << 40, &steps)) return CLI_USAGE_ERROR;
        } else if (strcmp(argv[i], "--seed") == 0) {
            if (!(v = cli_value(argc, argv, &i)) || cli_parse_u64("--seed", v, &seed)) return CLI_USAGE_ERROR;
        } else if (strcmp(argv[i], "--options") == 0) {
            if (!(options = cli_value(argc, argv, &i))) return CLI_USAGE_ERROR;
        } else if (argv[i][0] == '-') {
            return cli_error("bench: unknown flag '%s'", argv[i]);
        } else if (!id) {
            id = argv[i];
        } else {
            return cli_error("bench: unexpected argument '%s'", argv[i]);
        }
    }
    if (!id) {
        cli_usage(stderr, "bench");
        return cli_error("bench: which world?");
    }
    ludus_vec_config cfg = {.env_id = id, .env_options = options, .num_envs = (int)envs,
                            .num_threads = (int)threads, .seed = seed};
    ludus_vec *v;
    if (ludus_vec_create(&cfg, &v) != LUDUS_OK) return cli_fail("bench");
    const ludus_env_info *info = ludus_env_get_info(ludus_vec_env(v));
    int32_t *table = malloc(sizeof *table * (ACTION_TABLE + (size_t)envs));
    if (!table) {
        ludus_vec_destroy(v);
        return cli_error("out of memory");
    }
    ludus_rng rng;
    ludus_rng_seed(&rng, seed);
    for (size_t i = 0; i < ACTION_TABLE + (size_t)envs; i++)
        table[i] = (int32_t)ludus_rng_integers(&rng, 0, info->num_actions);
    if (ludus_vec_reset(v) != LUDUS_OK) {
        free(table);
        ludus_vec_destroy(v);
        return cli_fail("bench");
    }
    long batches = (steps + envs - 1) / envs;
    /* Worlds of several components or with a mask draw each world's legal
     * action every step (that time included); the others read a table. */
    const int drawn = info->action_dims > 1 || info->mask_size;
    int32_t *acts = drawn ? malloc(sizeof *acts * (size_t)envs * info->action_dims) : NULL;
    if (drawn && !acts) {
        free(table);
        ludus_vec_destroy(v);
        return cli_error("out of memory");
    }
#define BENCH_ACTIONS(b) (drawn ? draw_actions(v, &rng, acts) : table + ((b) * 7919) % ACTION_TABLE)
    /* Warm up caches and threads for ~1% of the run. */
    for (long b = 0; b < batches / 100 + 1; b++) ludus_vec_step(v, BENCH_ACTIONS(b));
    ludus_vec_clear_stats(v);
    double t0 = cli_now();
    for (long b = 0; b < batches; b++) {
        if (ludus_vec_step(v, BENCH_ACTIONS(b)) != LUDUS_OK) {
            free(acts);
            free(table);
            ludus_vec_destroy(v);
            return cli_fail("bench");
        }
    }
    double dt = cli_now() - t0;
    ludus_episode_stats st;
    ludus_vec_stats(v, &st);
    long long total = (long long)batches * envs;
    printf("%s: %lld steps in %.3f s = %.0f steps/s (%ld worlds, %ld thread%s, %llu episodes ended)\n", id, total,
           dt, (double)total / dt, envs, threads, threads == 1 ? "" : "s", (unsigned long long)st.episodes);
    free(acts);
    free(table);
    ludus_vec_destroy(v);
    return 0;
}
