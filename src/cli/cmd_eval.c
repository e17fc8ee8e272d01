/* cmd_eval.c: `ludus eval`: an agent (a trained checkpoint, or a random
 * player) on its training levels and on held-out levels it never saw,
 * with bootstrap confidence intervals, as a table and as eval.json (for
 * worlds with achievements also each one's success rate and the Crafter
 * score). The report is library code (ludus_eval_report_*); this file
 * parses the arguments and prints the table. `ludus train` ends with the
 * same report.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/cli_learn.h"
#include "ludus/learn.h"
#include "ludus/llm.h"
#include "ludus/nn.h"

static void print_table(const ludus_eval_report *rep, FILE *table)
{
    const ludus_eval_result *tr = &rep->train.result, *ho = &rep->heldout.result;
    const struct { const char *name; const ludus_eval_result *r; } split[2] = {{"train", tr}, {"heldout", ho}};
    fprintf(table, "%s, agent %s, %d episodes per split (%s actions), 95%% bootstrap CIs\n", rep->env_id, rep->agent,
            rep->episodes, rep->greedy ? "greedy" : "sampled");
    fprintf(table, "%-8s %-26s %-26s %-26s\n", "split", "return", "success", "length");
    for (int s = 0; s < 2; s++) {
        const ludus_eval_result *r = split[s].r;
        fprintf(table, "%-8s %6.3f [%6.3f, %6.3f]     %6.3f [%6.3f, %6.3f]     %6.1f [%6.1f, %6.1f]\n",
                split[s].name, r->ret.mean, r->ret.lo, r->ret.hi, r->success.mean, r->success.lo,
                r->success.hi, r->length.mean, r->length.lo, r->length.hi);
    }
    if (tr->num_achievements) {
        fprintf(table, "\n%-22s %-26s %-26s\n", "success rate (%)", "train", "heldout");
        for (int i = 0; i < tr->num_achievements; i++)
            fprintf(table, "%-22s %6.1f [%6.1f, %6.1f]     %6.1f [%6.1f, %6.1f]\n", rep->achievement_names[i],
                    tr->achievements[i].mean, tr->achievements[i].lo, tr->achievements[i].hi,
                    ho->achievements[i].mean, ho->achievements[i].lo, ho->achievements[i].hi);
        fprintf(table, "%-22s %6.2f [%6.2f, %6.2f]     %6.2f [%6.2f, %6.2f]\n", "Crafter score (%)",
                tr->score.mean, tr->score.lo, tr->score.hi, ho->score.mean, ho->score.lo, ho->score.hi);
    }
}

int cli_eval_agent(ludus_agent *agent, const char *env_id, const char *env_options, uint64_t train_levels,
                   int episodes, int greedy, uint64_t seed, const char *json_path, FILE *table)
{
    ludus_eval_report *rep = malloc(sizeof *rep);
    if (!rep) {
        fprintf(stderr, "ludus eval: out of memory\n");
        return 1;
    }
    const ludus_eval_report_config rc = {.env_id = env_id, .env_options = env_options, .train_levels = train_levels,
                                         .episodes = episodes, .greedy = greedy, .seed = seed};
    int status = 0;
    if (ludus_eval_report_run(agent, &rc, rep) || (json_path && ludus_eval_report_write(rep, json_path))) {
        fprintf(stderr, "ludus eval: %s\n", ludus_errmsg());
        status = 1;
    } else if (table) {
        print_table(rep, table);
    }
    free(rep);
    return status;
}

int cli_eval_report(const char *ckpt, const char *env_id, const char *env_options, uint64_t train_levels,
                    int episodes, int greedy, uint64_t seed, const char *json_path, FILE *table)
{
    ludus_agent *agent;
    if (ludus_agent_load(ckpt, env_id, 64, &agent)) {
        fprintf(stderr, "ludus eval: %s\n", ludus_errmsg());
        return 1;
    }
    int status = cli_eval_agent(agent, env_id, env_options, train_levels, episodes, greedy, seed, json_path, table);
    ludus_agent_destroy(agent);
    return status;
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
    if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 18446744073709551616.0) n = (uint64_t)v->valuedouble;
    cJSON_Delete(j);
    ludus_nn_file_close(f);
    return n;
}

static int usage(const char *fmt, const char *arg)
{
    fputs("ludus eval: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    cli_usage(stderr, "eval");
    return CLI_USAGE_ERROR;
}

int cmd_eval(int argc, char **argv)
{
    const char *target = NULL, *agent_s = NULL, *env = NULL, *out = NULL, *options = NULL, *v;
    uint64_t seed = 0, train_levels = 0;
    long episodes = 0;
    int greedy = 0, have_levels = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--agent") == 0) {
            if (!(agent_s = cli_value(argc, argv, &i))) return CLI_USAGE_ERROR;
        } else if (strcmp(a, "--env") == 0) {
            if (!(env = cli_value(argc, argv, &i))) return CLI_USAGE_ERROR;
        } else if (strcmp(a, "--options") == 0) {
            if (!(options = cli_value(argc, argv, &i))) return CLI_USAGE_ERROR;
        } else if (strcmp(a, "--out") == 0) {
            if (!(out = cli_value(argc, argv, &i))) return CLI_USAGE_ERROR;
        } else if (strcmp(a, "--episodes") == 0) {
            if (!(v = cli_value(argc, argv, &i)) || cli_parse_int("--episodes", v, 1, LUDUS_EVAL_MAX_EPISODES, &episodes))
                return CLI_USAGE_ERROR;
        } else if (strcmp(a, "--seed") == 0) {
            if (!(v = cli_value(argc, argv, &i)) || cli_parse_u64("--seed", v, &seed)) return CLI_USAGE_ERROR;
        } else if (strcmp(a, "--train-levels") == 0) {
            if (!(v = cli_value(argc, argv, &i)) || cli_parse_u64("--train-levels", v, &train_levels))
                return CLI_USAGE_ERROR;
            if (train_levels > LUDUS_MAX_TRAIN_LEVELS)
                return cli_error("--train-levels must be at most %llu (0: all), got %llu",
                                 (unsigned long long)LUDUS_MAX_TRAIN_LEVELS, (unsigned long long)train_levels);
            have_levels = 1;
        } else if (strcmp(a, "--greedy") == 0) {
            greedy = 1;
        } else if (a[0] == '-') {
            return usage("unknown option %s", a);
        } else if (!target) {
            target = a;
        } else {
            return usage("unexpected argument %s", a);
        }
    }
    /* With --agent the argument names the world; without, the run or checkpoint. */
    if (agent_s && target) {
        if (env && strcmp(env, target) != 0)
            return cli_error("eval: the world is named twice (%s and --env %s)", target, env);
        env = target;
        target = agent_s;
    } else if (agent_s) {
        target = agent_s;
    }
    if (!target) return usage("%s", "which run, checkpoint or --agent?");
    const int random = agent_s && strcmp(agent_s, "random") == 0;
    /* --agent llm:K=V,... : a language model (docs/agents.md) */
    if (agent_s && strncmp(agent_s, "llm:", 4) == 0) {
        if (!env) return usage("%s", "--agent llm:... needs a world: ludus eval --agent llm:base-url=URL,model=M ID");
        ludus_llm *llm;
        ludus_agent *agent;
        int st = cli_llm_agent_from_spec(agent_s + 4, &llm, &agent);
        if (st) return st;
        char jp[4096];
        if ((size_t)snprintf(jp, sizeof jp, "%s", out ? out : "") >= sizeof jp) st = cli_error("eval: the output path is too long");
        if (!st && !out) snprintf(jp, sizeof jp, "%s.llm.eval.json", env);
        if (!st) st = cli_eval_agent(agent, env, options, train_levels, episodes ? (int)episodes : 10, 1, seed, jp, stdout);
        ludus_llm_stats ls;
        ludus_llm_stats_get(llm, &ls);
        if (st && ls.budget_exhausted) st = 3;
        ludus_agent_destroy(agent);
        ludus_llm_destroy(llm);
        if (!st) printf("wrote %s\n", jp);
        return st;
    }
    if (random && !env) return usage("%s", "--agent random needs a world: ludus eval --agent random ID");
    char ckpt[4096], json[4096];
    int is_dir = 0;
    if (!random) {
        struct stat sb;
        if (stat(target, &sb) != 0) {
            fprintf(stderr, "ludus eval: %s does not exist\n", target);
            return 1;
        }
        is_dir = S_ISDIR(sb.st_mode);
    }
    if ((size_t)snprintf(ckpt, sizeof ckpt, is_dir ? "%s/checkpoint.safetensors" : "%s", target) >= sizeof ckpt)
        return cli_error("eval: the path %s is too long", target);
    int n;
    if (out) n = snprintf(json, sizeof json, "%s", out);
    else if (random) n = snprintf(json, sizeof json, "%s.random.eval.json", env);
    else if (is_dir) n = snprintf(json, sizeof json, "%s/eval.json", target);
    else n = snprintf(json, sizeof json, "%s.eval.json", target);
    if ((size_t)n >= sizeof json) return cli_error("eval: the output path is too long");
    if (!random && !have_levels) train_levels = checkpoint_config_u64(ckpt, "train_levels", 0);
    if (!episodes) { /* a run's eval_episodes (1000; 100 for Crafter); 1000 for the random agent */
        uint64_t e = random ? 1000 : checkpoint_config_u64(ckpt, "eval_episodes", 1000);
        episodes = e >= 1 && e <= LUDUS_EVAL_MAX_EPISODES ? (long)e : 1000;
    }
    ludus_agent *agent = NULL;
    if (random ? ludus_agent_random(&agent) : ludus_agent_load(ckpt, env, 64, &agent)) {
        fprintf(stderr, "ludus eval: %s\n", ludus_errmsg());
        return 1;
    }
    int rc = cli_eval_agent(agent, env, options, train_levels, (int)episodes, greedy, seed, json, stdout);
    ludus_agent_destroy(agent);
    if (!rc) printf("wrote %s\n", json);
    return rc;
}
