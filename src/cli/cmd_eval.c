/* cmd_eval.c: `ludus eval DIR_OR_CHECKPOINT`: a trained policy on its
 * training levels and on held-out levels it never saw, with bootstrap
 * confidence intervals, as a table and as JSON (for Crafter also each
 * achievement's success rate and the Crafter score). Also the report that
 * `ludus train` writes when it finishes.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli_learn.h"
#include "ludus/learn.h"
#include "ludus/nn.h"

static void json_estimate(FILE *f, const char *indent, const char *name, ludus_estimate e, int last)
{
    fprintf(f, "%s\"%s\": {\"mean\": %.6g, \"ci95\": [%.6g, %.6g]}%s\n", indent, name, e.mean, e.lo, e.hi,
            last ? "" : ",");
}

int cli_eval_report(const char *ckpt, const char *env_id, const char *env_options, uint64_t train_levels,
                    int episodes, int greedy, uint64_t seed, const char *json_path, FILE *table)
{
    ludus_agent *agent;
    if (ludus_agent_load(ckpt, env_id, 64, &agent)) {
        fprintf(stderr, "ludus eval: %s\n", ludus_errmsg());
        return 1;
    }
    const char *id = env_id ? env_id : ludus_agent_env_id(agent);
    const char *options = env_options ? env_options
                          : strcmp(id, ludus_agent_env_id(agent)) == 0 ? ludus_agent_env_options(agent) : "";
    /* Training levels are [0, N); with N = 0 training drew from all of
     * [0, LUDUS_MAX_TRAIN_LEVELS), so its first levels stand for them. */
    uint64_t ntrain = train_levels ? train_levels : LUDUS_MAX_TRAIN_LEVELS;
    struct { const char *name; uint64_t start, count; ludus_eval_result r; } split[2] = {
        {"train", 0, ntrain, {0}},
        {"heldout", LUDUS_HELDOUT_START, (uint64_t)episodes, {0}},
    };
    for (int s = 0; s < 2; s++) {
        ludus_eval_config ec = {.env_id = id, .env_options = options, .level_start = split[s].start,
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
        fprintf(f, "{\n  \"checkpoint\": \"%s\",\n  \"env_id\": \"%s\",\n  \"env_options\": \"%s\",\n"
                   "  \"episodes\": %d,\n", ckpt, id, options, episodes);
        fprintf(f, "  \"greedy\": %s,\n  \"seed\": %llu,\n  \"train_levels\": %llu,\n", greedy ? "true" : "false",
                (unsigned long long)seed, (unsigned long long)train_levels);
        fprintf(f, "  \"heldout_level_start\": %llu,\n  \"splits\": {\n", (unsigned long long)LUDUS_HELDOUT_START);
        for (int s = 0; s < 2; s++) {
            fprintf(f, "    \"%s\": {\n      \"level_start\": %llu, \"level_count\": %llu,\n", split[s].name,
                    (unsigned long long)split[s].start, (unsigned long long)split[s].count);
            const ludus_eval_result *r = &split[s].r;
            json_estimate(f, "      ", "return", r->ret, 0);
            json_estimate(f, "      ", "success", r->success, 0);
            json_estimate(f, "      ", "length", r->length, !r->num_achievements);
            if (r->num_achievements) { /* percentages, as the Crafter paper reports them */
                json_estimate(f, "      ", "score", r->score, 0);
                fprintf(f, "      \"achievements\": {\n");
                for (int i = 0; i < r->num_achievements; i++)
                    json_estimate(f, "        ", ludus_crafter_achievement_name(i), r->achievements[i],
                                  i + 1 == r->num_achievements);
                fprintf(f, "      }\n");
            }
            fprintf(f, "    }%s\n", s ? "" : ",");
        }
        fprintf(f, "  },\n  \"generalization_gap\": {\"return\": %.6g, \"success\": %.6g",
                split[0].r.ret.mean - split[1].r.ret.mean, split[0].r.success.mean - split[1].r.success.mean);
        if (split[0].r.num_achievements) fprintf(f, ", \"score\": %.6g", split[0].r.score.mean - split[1].r.score.mean);
        fprintf(f, "}\n}\n");
        if (fclose(f) != 0) {
            fprintf(stderr, "ludus eval: cannot write %s\n", json_path);
            ludus_agent_destroy(agent);
            return 1;
        }
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
        const ludus_eval_result *tr = &split[0].r, *ho = &split[1].r;
        if (tr->num_achievements) {
            fprintf(table, "\n%-22s %-26s %-26s\n", "success rate (%)", "train", "heldout");
            for (int i = 0; i < tr->num_achievements; i++)
                fprintf(table, "%-22s %6.1f [%6.1f, %6.1f]     %6.1f [%6.1f, %6.1f]\n", ludus_crafter_achievement_name(i),
                        tr->achievements[i].mean, tr->achievements[i].lo, tr->achievements[i].hi,
                        ho->achievements[i].mean, ho->achievements[i].lo, ho->achievements[i].hi);
            fprintf(table, "%-22s %6.2f [%6.2f, %6.2f]     %6.2f [%6.2f, %6.2f]\n", "Crafter score (%)",
                    tr->score.mean, tr->score.lo, tr->score.hi, ho->score.mean, ho->score.lo, ho->score.hi);
        }
    }
    ludus_agent_destroy(agent);
    return 0;
}

static int usage(void)
{
    fprintf(stderr,
            "usage: ludus eval DIR_OR_CHECKPOINT [--env ID] [--options K=V,...] [--episodes N]\n"
            "                  [--train-levels N] [--greedy] [--seed S] [--out FILE]\n");
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

/* A non-negative number from a checkpoint's config (dflt if absent). */
static uint64_t checkpoint_config_u64(const char *ckpt, const char *key, uint64_t dflt)
{
    ludus_nn_file *f;
    uint64_t n = dflt;
    if (ludus_nn_file_open(ckpt, &f)) return dflt;
    const char *cfg = ludus_nn_file_meta(f, "ludus.config");
    cJSON *j = cfg ? cJSON_Parse(cfg) : NULL;
    const cJSON *v = j ? cJSON_GetObjectItemCaseSensitive(j, key) : NULL;
    if (cJSON_IsNumber(v) && v->valuedouble >= 0) n = (uint64_t)v->valuedouble;
    cJSON_Delete(j);
    ludus_nn_file_close(f);
    return n;
}

int cmd_eval(int argc, char **argv)
{
    const char *target = NULL, *env = NULL, *out = NULL, *options = NULL;
    uint64_t episodes = 0, seed = 0, train_levels = 0;
    int greedy = 0, have_levels = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--env") == 0 && v) env = argv[++i];
        else if (strcmp(a, "--options") == 0 && v) options = argv[++i];
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
    if (!have_levels) train_levels = checkpoint_config_u64(ckpt, "train_levels", 0);
    if (!episodes) { /* the run's eval_episodes (1000; 100 for Crafter) */
        episodes = checkpoint_config_u64(ckpt, "eval_episodes", 1000);
        if (episodes < 1 || episodes > 1000000) episodes = 1000;
    }
    int rc = cli_eval_report(ckpt, env, options, train_levels, (int)episodes, greedy, seed, json, stdout);
    if (!rc) printf("wrote %s\n", json);
    return rc;
}
