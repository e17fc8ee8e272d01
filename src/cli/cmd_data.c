/* cmd_data.c: `ludus collect` (record an agent's episodes as a Minari
 * dataset) and `ludus dataset info` (summarize one). Thin shells over
 * data.h: the library records, writes, reads and checks; this file parses
 * the arguments and prints.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "ludus/data.h"
#include "ludus/learn.h"
#include "ludus/nn.h"

/* The run's train_levels from a checkpoint's config (0 when absent), so a
 * checkpoint's "train" levels default to the ones it was trained on. */
static uint64_t checkpoint_train_levels(const char *ckpt)
{
    ludus_nn_file *f;
    uint64_t n = 0;
    if (ludus_nn_file_open(ckpt, &f)) return 0;
    const char *cfg = ludus_nn_file_meta(f, "ludus.config");
    cJSON *j = cfg ? cJSON_Parse(cfg) : NULL;
    const cJSON *v = j ? cJSON_GetObjectItemCaseSensitive(j, "train_levels") : NULL;
    if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= (double)LUDUS_MAX_TRAIN_LEVELS)
        n = (uint64_t)v->valuedouble;
    cJSON_Delete(j);
    ludus_nn_file_close(f);
    return n;
}

static int usage(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "ludus %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    cli_usage(stderr, cmd);
    return CLI_USAGE_ERROR;
}

int cmd_collect(int argc, char **argv)
{
    const char *id = NULL, *agent_s = NULL, *out = NULL, *levels = "train", *options = NULL, *name = NULL, *v;
    long episodes = 0, quality = 0;
    uint64_t seed = 0, train_levels = 0;
    int greedy = 0, have_levels = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--agent") == 0) {
            if (!(agent_s = cli_value(argc, argv, &i))) return CLI_USAGE_ERROR;
        } else if (strcmp(a, "--episodes") == 0) {
            if (!(v = cli_value(argc, argv, &i)) || cli_parse_int("--episodes", v, 1, 10000000, &episodes))
                return CLI_USAGE_ERROR;
        } else if (strcmp(a, "--out") == 0) {
            if (!(out = cli_value(argc, argv, &i))) return CLI_USAGE_ERROR;
        } else if (strcmp(a, "--levels") == 0) {
            if (!(levels = cli_value(argc, argv, &i))) return CLI_USAGE_ERROR;
            if (strcmp(levels, "train") != 0 && strcmp(levels, "heldout") != 0)
                return usage("collect", "--levels is train or heldout, got '%s'", levels);
        } else if (strcmp(a, "--train-levels") == 0) {
            if (!(v = cli_value(argc, argv, &i)) || cli_parse_u64("--train-levels", v, &train_levels))
                return CLI_USAGE_ERROR;
            if (train_levels > LUDUS_MAX_TRAIN_LEVELS)
                return cli_error("--train-levels must be at most %llu (0: all), got %llu",
                                 (unsigned long long)LUDUS_MAX_TRAIN_LEVELS, (unsigned long long)train_levels);
            have_levels = 1;
        } else if (strcmp(a, "--seed") == 0) {
            if (!(v = cli_value(argc, argv, &i)) || cli_parse_u64("--seed", v, &seed)) return CLI_USAGE_ERROR;
        } else if (strcmp(a, "--options") == 0) {
            if (!(options = cli_value(argc, argv, &i))) return CLI_USAGE_ERROR;
        } else if (strcmp(a, "--name") == 0) {
            if (!(name = cli_value(argc, argv, &i))) return CLI_USAGE_ERROR;
        } else if (strcmp(a, "--jpeg-quality") == 0) {
            if (!(v = cli_value(argc, argv, &i)) || cli_parse_int("--jpeg-quality", v, 1, 100, &quality))
                return CLI_USAGE_ERROR;
        } else if (strcmp(a, "--greedy") == 0) {
            greedy = 1;
        } else if (a[0] == '-') {
            return usage("collect", "unknown option %s", a);
        } else if (!id) {
            id = a;
        } else {
            return usage("collect", "unexpected argument %s", a);
        }
    }
    if (!agent_s) return usage("collect", "%s", "which agent? --agent random or --agent CHECKPOINT");
    if (!out) return usage("collect", "%s", "where? --out DIR");
    if (!episodes) return usage("collect", "%s", "how many? --episodes N");
    const int random = strcmp(agent_s, "random") == 0;
    if (random && !id) return usage("collect", "%s", "--agent random needs a world: ludus collect ID --agent random");
    ludus_agent *agent = NULL;
    if (random ? ludus_agent_random(&agent) : ludus_agent_load(agent_s, id, 16, &agent)) {
        fprintf(stderr, "ludus collect: %s\n", ludus_errmsg());
        return 1;
    }
    if (!random && !have_levels) train_levels = checkpoint_train_levels(agent_s);
    const ludus_collect_config cfg = {.env_id = id, .env_options = options, .dataset_id = name,
                                      .heldout = strcmp(levels, "heldout") == 0, .train_levels = train_levels,
                                      .episodes = (int)episodes, .greedy = greedy, .seed = seed,
                                      .jpeg_quality = (int)quality};
    char path[4096];
    double t0 = cli_now();
    int rc = ludus_dataset_collect(agent, &cfg, out, path, sizeof path);
    double dt = cli_now() - t0;
    ludus_agent_destroy(agent);
    if (rc) {
        fprintf(stderr, "ludus collect: %s\n", ludus_errmsg());
        return 1;
    }
    ludus_dataset *ds;
    if (ludus_dataset_open(path, &ds)) {
        fprintf(stderr, "ludus collect: reading back %s: %s\n", path, ludus_errmsg());
        return 1;
    }
    const ludus_dataset_meta *m = ludus_dataset_get_meta(ds);
    printf("wrote %s: %lld episodes, %lld steps in %.1f s\n", path, (long long)m->total_episodes,
           (long long)m->total_steps, dt);
    ludus_dataset_close(ds);
    return 0;
}

static int dataset_info(const char *dir)
{
    ludus_dataset *ds;
    if (ludus_dataset_open(dir, &ds)) {
        fprintf(stderr, "ludus dataset: %s\n", ludus_errmsg());
        return 1;
    }
    const ludus_dataset_meta *m = ludus_dataset_get_meta(ds);
    double sum = 0, sq = 0, lo = DBL_MAX, hi = -DBL_MAX;
    uint64_t lmin = UINT64_MAX, lmax = 0;
    int64_t terminated = 0, truncated = 0, len_min = INT64_MAX, len_max = 0;
    int rc = 0;
    for (int64_t i = 0; i < m->total_episodes && !rc; i++) {
        ludus_dataset_episode ep;
        if (ludus_dataset_read(ds, i, &ep)) {
            fprintf(stderr, "ludus dataset: %s\n", ludus_errmsg());
            rc = 1;
            break;
        }
        double r = 0;
        for (int t = 0; t < ep.steps; t++) r += ep.rewards[t];
        sum += r;
        sq += r * r;
        lo = r < lo ? r : lo;
        hi = r > hi ? r : hi;
        lmin = ep.seed < lmin ? ep.seed : lmin;
        lmax = ep.seed > lmax ? ep.seed : lmax;
        len_min = ep.steps < len_min ? ep.steps : len_min;
        len_max = ep.steps > len_max ? ep.steps : len_max;
        terminated += ep.terminations[ep.steps - 1];
        truncated += ep.truncations[ep.steps - 1] && !ep.terminations[ep.steps - 1];
        ludus_dataset_episode_free(&ep);
    }
    if (!rc) {
        const double E = (double)m->total_episodes, mean = sum / E;
        const double sd = E > 1 ? sqrt(fmax(0, (sq - E * mean * mean) / (E - 1))) : 0;
        printf("dataset     %s\n", m->dataset_id);
        printf("world       %s%s%s%s\n", m->env_id, m->env_options[0] ? " (options " : "", m->env_options,
               m->env_options[0] ? ")" : "");
        printf("agent       %s%s%s%s\n", m->agent, m->checkpoint[0] ? " (" : "", m->checkpoint,
               m->checkpoint[0] ? ")" : "");
        printf("episodes    %lld (%lld terminated, %lld truncated)\n", (long long)m->total_episodes,
               (long long)terminated, (long long)truncated);
        printf("steps       %lld (episode length %lld..%lld, mean %.1f)\n", (long long)m->total_steps,
               (long long)len_min, (long long)len_max, (double)m->total_steps / E);
        printf("returns     mean %.4f, sd %.4f, min %.4f, max %.4f\n", mean, sd, lo, hi);
        printf("levels      %s: seeds %llu..%llu from [%llu, %llu)\n", m->levels, (unsigned long long)lmin,
               (unsigned long long)lmax, (unsigned long long)m->level_start,
               (unsigned long long)(m->level_start + m->level_count));
        const int M = ludus_env_get_info(ludus_dataset_env(ds))->mask_size;
        if (M) printf("masks       %s\n", m->action_masks ? "infos/action_mask (each observation's legal actions)"
                                                             : "none recorded (offline learners refuse it)");
    }
    ludus_dataset_close(ds);
    return rc;
}

/* ludus dataset merge --out DIR --name NS/NAME-vN SRC... */
static int dataset_merge(int argc, char **argv)
{
    const char *out = NULL, *name = NULL;
    const char *src[256];
    int n = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--out") == 0) {
            if (!(out = cli_value(argc, argv, &i))) return CLI_USAGE_ERROR;
        } else if (strcmp(a, "--name") == 0) {
            if (!(name = cli_value(argc, argv, &i))) return CLI_USAGE_ERROR;
        } else if (a[0] == '-') {
            return usage("dataset", "unknown option %s", a);
        } else if (n == (int)(sizeof src / sizeof *src)) {
            return usage("dataset", "%s", "merge takes at most 256 datasets");
        } else {
            src[n++] = a;
        }
    }
    if (!out) return usage("dataset", "%s", "where? merge --out DIR");
    if (!name) return usage("dataset", "%s", "which id? merge --name NS/NAME-vN");
    if (n < 1) return usage("dataset", "%s", "which datasets? merge --out DIR --name ID SRC...");
    char path[4096];
    if (ludus_dataset_merge(src, n, out, name, path, sizeof path)) {
        fprintf(stderr, "ludus dataset: %s\n", ludus_errmsg());
        return 1;
    }
    ludus_dataset *ds;
    if (ludus_dataset_open(path, &ds)) {
        fprintf(stderr, "ludus dataset: reading back %s: %s\n", path, ludus_errmsg());
        return 1;
    }
    const ludus_dataset_meta *m = ludus_dataset_get_meta(ds);
    printf("wrote %s: %lld episodes, %lld steps from %d datasets\n", path, (long long)m->total_episodes,
           (long long)m->total_steps, n);
    ludus_dataset_close(ds);
    return 0;
}

int cmd_dataset(int argc, char **argv)
{
    if (argc < 2) return usage("dataset", "%s", "which subcommand? info or merge");
    if (strcmp(argv[1], "merge") == 0) return dataset_merge(argc, argv);
    if (strcmp(argv[1], "info") != 0) return usage("dataset", "unknown subcommand '%s'", argv[1]);
    if (argc != 3) return usage("dataset", "%s", "ludus dataset info DIR");
    return dataset_info(argv[2]);
}
