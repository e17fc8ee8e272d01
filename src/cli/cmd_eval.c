/* cmd_eval.c: `ludus eval DIR_OR_CHECKPOINT`: a trained policy on its
 * training levels and on held-out levels it never saw, with bootstrap
 * confidence intervals, as a table and as JSON. Also the report that
 * `ludus train` writes when it finishes.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli_learn.h"
#include "ludus/learn.h"
#include "ludus/nn.h"

static void json_estimate(FILE *f, const char *name, ludus_estimate e, int last)
{
    fprintf(f, "      \"%s\": {\"mean\": %.6g, \"ci95\": [%.6g, %.6g]}%s\n", name, e.mean, e.lo, e.hi,
            last ? "" : ",");
}

int cli_eval_report(const char *ckpt, const char *env_id, uint64_t train_levels, int episodes,
                    int greedy, uint64_t seed, const char *json_path, FILE *table)
{
    ludus_agent *agent;
    if (ludus_agent_load(ckpt, env_id, 64, &agent)) {
        fprintf(stderr, "ludus eval: %s\n", ludus_errmsg());
        return 1;
    }
    const char *id = env_id ? env_id : ludus_agent_env_id(agent);
    /* Training levels are [0, N); with N = 0 training drew from all of
     * [0, LUDUS_MAX_TRAIN_LEVELS), so its first levels stand for them. */
    uint64_t ntrain = train_levels ? train_levels : LUDUS_MAX_TRAIN_LEVELS;
    struct { const char *name; uint64_t start, count; ludus_eval_result r; } split[2] = {
        {"train", 0, ntrain, {0}},
        {"heldout", LUDUS_HELDOUT_START, (uint64_t)episodes, {0}},
    };
    for (int s = 0; s < 2; s++) {
        ludus_eval_config ec = {.env_id = id, .level_start = split[s].start,
                                .level_count = split[s].count, .episodes = episodes,
                                .greedy = greedy, .seed = seed};
        if (ludus_eval_run(agent, &ec, &split[s].r)) {
            fprintf(stderr, "ludus eval: %s\n", ludus_errmsg());
            ludus_agent_destroy(agent);
            return 1;
        }
    }
    if (json_path) {
        FILE *f = fopen(json_path, "w");
        if (!f) {
            fprintf(stderr, "ludus eval: cannot write %s\n", json_path);
            ludus_agent_destroy(agent);
            return 1;
        }
        fprintf(f, "{\n  \"checkpoint\": \"%s\",\n  \"env_id\": \"%s\",\n  \"episodes\": %d,\n", ckpt, id, episodes);
        fprintf(f, "  \"greedy\": %s,\n  \"seed\": %llu,\n  \"train_levels\": %llu,\n", greedy ? "true" : "false",
                (unsigned long long)seed, (unsigned long long)train_levels);
        fprintf(f, "  \"heldout_level_start\": %llu,\n  \"splits\": {\n", (unsigned long long)LUDUS_HELDOUT_START);
        for (int s = 0; s < 2; s++) {
            fprintf(f, "    \"%s\": {\n      \"level_start\": %llu, \"level_count\": %llu,\n", split[s].name,
                    (unsigned long long)split[s].start, (unsigned long long)split[s].count);
            json_estimate(f, "return", split[s].r.ret, 0);
            json_estimate(f, "success", split[s].r.success, 0);
            json_estimate(f, "length", split[s].r.length, 1);
            fprintf(f, "    }%s\n", s ? "" : ",");
        }
        fprintf(f, "  },\n  \"generalization_gap\": {\"return\": %.6g, \"success\": %.6g}\n}\n",
                split[0].r.ret.mean - split[1].r.ret.mean, split[0].r.success.mean - split[1].r.success.mean);
        fclose(f);
    }
    if (table) {
        fprintf(table, "%s, %d episodes per split (%s actions), 95%% bootstrap CIs\n", id, episodes,
                greedy ? "greedy" : "sampled");
        fprintf(table, "%-8s %-26s %-26s %-26s\n", "split", "return", "success", "length");
        for (int s = 0; s < 2; s++) {
            const ludus_eval_result *r = &split[s].r;
            fprintf(table, "%-8s %6.3f [%6.3f, %6.3f]     %6.3f [%6.3f, %6.3f]     %6.1f [%6.1f, %6.1f]\n",
                    split[s].name, r->ret.mean, r->ret.lo, r->ret.hi, r->success.mean, r->success.lo,
                    r->success.hi, r->length.mean, r->length.lo, r->length.hi);
        }
    }
    ludus_agent_destroy(agent);
    return 0;
}

static int usage(void)
{
    fprintf(stderr,
            "usage: ludus eval DIR_OR_CHECKPOINT [--env ID] [--episodes N] [--train-levels N]\n"
            "                  [--greedy] [--seed S] [--out FILE]\n");
    return 2;
}

static int parse_u64(const char *flag, const char *v, uint64_t *out)
{
    char *end;
    if (!v || !*v || *v == '-') {
        fprintf(stderr, "ludus: %s needs a non-negative integer\n", flag);
        return 0;
    }
    *out = strtoull(v, &end, 10);
    if (*end) {
        fprintf(stderr, "ludus: %s: \"%s\" is not a non-negative integer\n", flag, v);
        return 0;
    }
    return 1;
}

/* The training levels recorded in a checkpoint's config (0 if absent). */
static uint64_t checkpoint_train_levels(const char *ckpt)
{
    ludus_nn_file *f;
    uint64_t n = 0;
    if (ludus_nn_file_open(ckpt, &f)) return 0;
    const char *cfg = ludus_nn_file_meta(f, "ludus.config");
    cJSON *j = cfg ? cJSON_Parse(cfg) : NULL;
    const cJSON *tl = j ? cJSON_GetObjectItemCaseSensitive(j, "train_levels") : NULL;
    if (cJSON_IsNumber(tl) && tl->valuedouble >= 0) n = (uint64_t)tl->valuedouble;
    cJSON_Delete(j);
    ludus_nn_file_close(f);
    return n;
}

int cmd_eval(int argc, char **argv)
{
    const char *target = NULL, *env = NULL, *out = NULL;
    uint64_t episodes = 1000, seed = 0, train_levels = 0;
    int greedy = 0, have_levels = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--env") == 0 && v) env = argv[++i];
        else if (strcmp(a, "--episodes") == 0) {
            if (!parse_u64(a, v, &episodes) || episodes < 1 || episodes > 1000000) {
                fprintf(stderr, "ludus eval: --episodes must be in [1, 1000000]\n");
                return 2;
            }
            i++;
        } else if (strcmp(a, "--seed") == 0) {
            if (!parse_u64(a, v, &seed)) return 2;
            i++;
        } else if (strcmp(a, "--train-levels") == 0) {
            if (!parse_u64(a, v, &train_levels)) return 2;
            have_levels = 1;
            i++;
        } else if (strcmp(a, "--out") == 0 && v) out = argv[++i];
        else if (strcmp(a, "--greedy") == 0) greedy = 1;
        else if (a[0] == '-') {
            fprintf(stderr, "ludus eval: unknown option %s\n", a);
            return usage();
        } else if (!target) target = a;
        else {
            fprintf(stderr, "ludus eval: unexpected argument %s\n", a);
            return usage();
        }
    }
    if (!target) return usage();
    char ckpt[4096], json[4096];
    struct stat sb;
    if (stat(target, &sb) != 0) {
        fprintf(stderr, "ludus eval: %s does not exist\n", target);
        return 1;
    }
    int is_dir = S_ISDIR(sb.st_mode);
    snprintf(ckpt, sizeof ckpt, is_dir ? "%s/checkpoint.safetensors" : "%s", target);
    if (out) snprintf(json, sizeof json, "%s", out);
    else if (is_dir) snprintf(json, sizeof json, "%s/eval.json", target);
    else snprintf(json, sizeof json, "%s.eval.json", target);
    if (!have_levels) train_levels = checkpoint_train_levels(ckpt);
    int rc = cli_eval_report(ckpt, env, train_levels, (int)episodes, greedy, seed, json, stdout);
    if (!rc) printf("wrote %s\n", json);
    return rc;
}
