/* cmd_agent.c: `ludus agent`: a language model served over the OpenAI
 * chat-completions API plays a world (or a BALROG-style suite of worlds)
 * on training or held-out levels, through the library's llm agent and
 * evaluation loop. Prints one summary line per world and the suite's
 * progress with BALROG's standard errors. Exit status 0; 1 for a failure
 * (one line); 2 for a usage error; 3 when a budget ran out (a partial
 * summary is printed first). Also parses `--agent llm:K=V,...` for
 * `ludus eval`.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_learn.h"
#include "ludus/learn.h"
#include "ludus/llm.h"

#define CLI_BUDGET_EXIT 3

/* A suite: worlds with a task name each, as BALROG lists them. */
typedef struct suite_task {
    const char *task, *world;
} suite_task;

/* BALROG's BabyAI tasks (balrog/config/config.yaml babyai_tasks): BALROG
 * makes BabyAI-MixedTrainLocal-v0 with num_dists=0 until the kind its
 * constructor draws equals the task's suffix, then resets with a seed; the
 * registered ids `BabyAI-MixedTrainLocal-v0/<kind>` are those levels. */
static const suite_task babyai_suite[] = {{"goto", "BabyAI-MixedTrainLocal-v0/goto"},
                                          {"pickup", "BabyAI-MixedTrainLocal-v0/pickup"},
                                          {"open", "BabyAI-MixedTrainLocal-v0/open"},
                                          {"putnext", "BabyAI-MixedTrainLocal-v0/putnext"},
                                          {"pick_up_seq_go_to", "BabyAI-MixedTrainLocal-v0/pick_up_seq_go_to"},
                                          {NULL, NULL}};
static const suite_task crafter_suite[] = {{"crafter", "Crafter-Reward-v1"}, {NULL, NULL}};

typedef struct agent_args {
    ludus_llm_config cfg;
    const char *world, *suite, *levels;
    const char *options; /* --options: the world's options (NULL: none) */
    long episodes;
    int before_after; /* --protocol before-after */
    int frozen;       /* memory read only on training levels too (the protocol's measurements) */
} agent_args;

static int parse_prompt(const char *v, int *out)
{
    if (strcmp(v, "naive") == 0) *out = LUDUS_LLM_PROMPT_NAIVE;
    else if (strcmp(v, "cot") == 0) *out = LUDUS_LLM_PROMPT_COT;
    else if (strcmp(v, "robust") == 0) *out = LUDUS_LLM_PROMPT_ROBUST;
    else return cli_error("--prompt must be naive, cot or robust, got '%s'", v);
    return 0;
}

static int parse_memory(const char *v, int *out)
{
    if (strcmp(v, "none") == 0) *out = LUDUS_LLM_MEMORY_NONE;
    else if (strcmp(v, "cases") == 0) *out = LUDUS_LLM_MEMORY_CASES;
    else if (strcmp(v, "reflexion") == 0) *out = LUDUS_LLM_MEMORY_REFLEXION;
    else if (strcmp(v, "playbook") == 0) *out = LUDUS_LLM_MEMORY_PLAYBOOK;
    else return cli_error("--memory must be none, cases, reflexion or playbook, got '%s'", v);
    return 0;
}

/* One option (flag without dashes, value) into a; 0 or an exit status. */
static int set_option(agent_args *a, const char *flag, const char *v)
{
    long n;
    double d;
    ludus_llm_config *c = &a->cfg;
    if (strcmp(flag, "base-url") == 0) c->base_url = v;
    else if (strcmp(flag, "model") == 0) c->model = v;
    else if (strcmp(flag, "key-env") == 0) c->api_key_env = v;
    else if (strcmp(flag, "episodes") == 0) {
        if (cli_parse_int("--episodes", v, 1, LUDUS_EVAL_MAX_EPISODES, &a->episodes)) return CLI_USAGE_ERROR;
    } else if (strcmp(flag, "options") == 0) {
        a->options = v;
    } else if (strcmp(flag, "levels") == 0) {
        if (strcmp(v, "train") != 0 && strcmp(v, "heldout") != 0)
            return cli_error("--levels must be train or heldout, got '%s'", v);
        a->levels = v;
    } else if (strcmp(flag, "memory") == 0) {
        if (parse_memory(v, &c->memory)) return CLI_USAGE_ERROR;
    } else if (strcmp(flag, "protocol") == 0) {
        if (strcmp(v, "before-after") != 0) return cli_error("--protocol must be before-after, got '%s'", v);
        a->before_after = 1;
    } else if (strcmp(flag, "retrieval") == 0) {
        if (strcmp(v, "fts") == 0) c->retrieval = LUDUS_LLM_RETRIEVAL_FTS;
        else if (strcmp(v, "embeddings") == 0) c->retrieval = LUDUS_LLM_RETRIEVAL_EMBEDDINGS;
        else if (strcmp(v, "auto") == 0) c->retrieval = LUDUS_LLM_RETRIEVAL_AUTO;
        else return cli_error("--retrieval must be fts, embeddings or auto, got '%s'", v);
    } else if (strcmp(flag, "embed-model") == 0) {
        if (!*v) return cli_error("%s", "--embed-model needs a model name");
        c->embed_model = v;
    } else if (strcmp(flag, "db") == 0) c->db_path = v;
    else if (strcmp(flag, "log") == 0) c->log_path = v;
    else if (strcmp(flag, "suite") == 0) {
        if (strcmp(v, "balrog-babyai") != 0 && strcmp(v, "balrog-crafter") != 0)
            return cli_error("unknown suite '%s' (balrog-babyai or balrog-crafter)", v);
        a->suite = v;
    } else if (strcmp(flag, "prompt") == 0) {
        if (parse_prompt(v, &c->prompt)) return CLI_USAGE_ERROR;
    } else if (strcmp(flag, "history") == 0) {
        if (cli_parse_int("--history", v, 0, 1000, &n)) return CLI_USAGE_ERROR;
        c->history = (int)n;
    } else if (strcmp(flag, "max-tokens") == 0) {
        if (cli_parse_int("--max-tokens", v, 1, 1 << 20, &n)) return CLI_USAGE_ERROR;
        c->max_tokens = (int)n;
    } else if (strcmp(flag, "temperature") == 0) {
        if (cli_parse_double("--temperature", v, 0, 10, &c->temperature)) return CLI_USAGE_ERROR;
    } else if (strcmp(flag, "timeout-s") == 0) {
        if (cli_parse_double("--timeout-s", v, 0.001, 86400, &d)) return CLI_USAGE_ERROR;
        c->timeout_ms = (int)ceil(d * 1000);
    } else if (strcmp(flag, "retries") == 0) {
        if (cli_parse_int("--retries", v, 0, 100, &n)) return CLI_USAGE_ERROR;
        c->retries = (int)n;
    } else if (strcmp(flag, "parallel") == 0) {
        if (cli_parse_int("--parallel", v, 1, 1024, &n)) return CLI_USAGE_ERROR;
        c->parallel = (int)n;
    } else if (strcmp(flag, "max-requests") == 0) {
        if (cli_parse_int("--max-requests", v, 0, 2000000000L, &c->max_requests)) return CLI_USAGE_ERROR;
    } else if (strcmp(flag, "max-tokens-total") == 0) {
        if (cli_parse_int("--max-tokens-total", v, 0, 2000000000L, &c->max_tokens_total)) return CLI_USAGE_ERROR;
    } else if (strcmp(flag, "max-wall-s") == 0) {
        if (cli_parse_double("--max-wall-s", v, 0, 1e9, &c->max_wall_s)) return CLI_USAGE_ERROR;
    } else if (strcmp(flag, "wait-health-s") == 0) {
        if (cli_parse_double("--wait-health-s", v, 0, 86400, &c->health_wait_s)) return CLI_USAGE_ERROR;
    } else if (strcmp(flag, "max-response-mb") == 0) {
        if (cli_parse_int("--max-response-mb", v, 1, 1024, &n)) return CLI_USAGE_ERROR;
        c->max_response = (size_t)n << 20;
    } else return cli_error("unknown option --%s", flag);
    return 0;
}

static void defaults(agent_args *a)
{
    memset(a, 0, sizeof *a);
    ludus_llm_config_default(&a->cfg);
    a->cfg.base_url = getenv("LUDUS_LLM_BASE_URL");
    a->cfg.model = getenv("LUDUS_LLM_MODEL");
    a->episodes = 10;
    a->levels = "train";
}

static void print_stats(const char *what, const ludus_llm_stats *s)
{
    double sr = s->episodes ? (double)s->successes / (double)s->episodes : 0;
    printf("%s: %ld episodes, success %.1f%%, mean return %.3f, %ld steps, %ld invalid replies, %ld requests "
           "(%ld retries), %ld tokens, %ld in flight at most, runner %.3f ms/step\n",
           what, s->episodes, 100 * sr, s->episodes ? s->return_sum / (double)s->episodes : 0, s->steps, s->invalid,
           s->requests, s->retries, s->tokens, s->in_flight_max, s->steps ? 1000 * s->runner_s / (double)s->steps : 0);
}

/* Play one world; *progress (%) and *se as BALROG computes them. */
static int play_world(agent_args *a, const char *world, double *progress, double *se, int *budget)
{
    ludus_llm *llm = NULL;
    ludus_agent *agent = NULL;
    *budget = 0;
    a->cfg.split = a->levels;
    a->cfg.memory_frozen = a->frozen || strcmp(a->levels, "heldout") == 0;
    if (ludus_llm_create(&a->cfg, &llm) || ludus_llm_agent(llm, &agent)) {
        fprintf(stderr, "ludus agent: %s\n", ludus_errmsg());
        ludus_llm_destroy(llm);
        return 1;
    }
    const int heldout = strcmp(a->levels, "heldout") == 0;
    ludus_eval_config ec = {.env_id = world, .env_options = a->options,
                            .level_start = heldout ? LUDUS_HELDOUT_START : 0,
                            .level_count = (uint64_t)a->episodes, .episodes = (int)a->episodes, .greedy = 1,
                            .seed = 0};
    ludus_eval_result res;
    int rc = ludus_eval_run(agent, &ec, &res), status = 0;
    ludus_llm_stats st;
    ludus_llm_stats_get(llm, &st);
    if (rc) {
        fprintf(stderr, "ludus agent: %s\n", ludus_errmsg());
        if (st.budget_exhausted) {
            *budget = 1;
            char what[256];
            snprintf(what, sizeof what, "%s (%s levels, PARTIAL: budget exhausted)", world, a->levels);
            print_stats(what, &st);
            status = CLI_BUDGET_EXIT;
        } else {
            status = 1;
        }
    } else {
        char what[256];
        snprintf(what, sizeof what, "%s (%s levels%s)", world, a->levels,
                 a->cfg.memory && a->cfg.memory_frozen ? ", memory frozen" : "");
        print_stats(what, &st);
        if (a->cfg.memory == LUDUS_LLM_MEMORY_CASES && a->cfg.retrieval != LUDUS_LLM_RETRIEVAL_FTS)
            printf("case retrieval: %s%s%s%s\n", st.retrieval == LUDUS_LLM_RETRIEVAL_EMBEDDINGS ? "embeddings" : "fts",
                   st.retrieval_why[0] ? " (no embeddings: " : "", st.retrieval_why, st.retrieval_why[0] ? ")" : "");
        /* BALROG's progression: achievements unlocked / 22 (Crafter) or
         * success per episode, its mean and population std / sqrt(n) */
        *progress = 100 * res.progress;
        *se = 100 * res.progress_se;
    }
    ludus_agent_destroy(agent);
    ludus_llm_destroy(llm);
    return status;
}

/* --protocol before-after: success on the training levels and on the
 * held-out levels with the memory frozen, then one learning pass on the
 * training levels (memory written), then both splits frozen again; one
 * table. The same levels each time (the first --episodes of each split),
 * so a change is the memory's doing. */
static int before_after(agent_args *a)
{
    static const char *const splits[2] = {"train", "heldout"};
    double before[2][2], after[2][2], learn[2];
    int budget, rc;
    for (int k = 0; k < 2; k++) {
        a->levels = splits[k];
        a->frozen = 1;
        if ((rc = play_world(a, a->world, &before[k][0], &before[k][1], &budget))) return rc;
    }
    a->levels = "train";
    a->frozen = 0;
    if ((rc = play_world(a, a->world, &learn[0], &learn[1], &budget))) return rc;
    for (int k = 0; k < 2; k++) {
        a->levels = splits[k];
        a->frozen = 1;
        if ((rc = play_world(a, a->world, &after[k][0], &after[k][1], &budget))) return rc;
    }
    printf("\nbefore/after memory (%s, %ld episodes per row; success %% +- BALROG's standard error):\n", a->world,
           a->episodes);
    printf("| split | levels | before | after | change |\n|---|---|---:|---:|---:|\n");
    for (int k = 0; k < 2; k++)
        printf("| %s | %s | %.1f +- %.1f | %.1f +- %.1f | %+.1f |\n", splits[k],
               k ? "held-out (from 2^31)" : "training (from 0)", before[k][0], before[k][1], after[k][0], after[k][1],
               after[k][0] - before[k][0]);
    printf("learning pass on the training levels (memory written): %.1f +- %.1f\n", learn[0], learn[1]);
    return 0;
}

int cmd_agent(int argc, char **argv)
{
    agent_args a;
    defaults(&a);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--tools") == 0) a.cfg.tools = 1;
        else if (strcmp(arg, "--strict") == 0) a.cfg.strict = 1;
        else if (strcmp(arg, "--stream") == 0) a.cfg.stream = 1;
        else if (strcmp(arg, "--deterministic-log") == 0) a.cfg.deterministic_log = 1;
        else if (strncmp(arg, "--", 2) == 0) {
            const char *v = cli_value(argc, argv, &i);
            if (!v) return CLI_USAGE_ERROR;
            int rc = set_option(&a, arg + 2, v);
            if (rc) return rc;
        } else if (!a.world) {
            a.world = arg;
        } else {
            return cli_error("agent: unexpected argument %s", arg);
        }
    }
    if (a.world && a.suite) return cli_error("agent: name a world or a --suite, not both");
    if (!a.world && !a.suite) {
        cli_usage(stderr, "agent");
        return CLI_USAGE_ERROR;
    }
    if (!a.cfg.base_url) return cli_error("agent: no server: pass --base-url URL (or set LUDUS_LLM_BASE_URL)");
    if (!a.cfg.model) return cli_error("agent: no model: pass --model NAME (or set LUDUS_LLM_MODEL)");
    if (a.cfg.memory && !a.cfg.db_path) return cli_error("agent: --memory %s needs --db FILE",
                                                         a.cfg.memory == LUDUS_LLM_MEMORY_CASES       ? "cases"
                                                         : a.cfg.memory == LUDUS_LLM_MEMORY_REFLEXION ? "reflexion"
                                                                                                      : "playbook");
    if (a.cfg.retrieval != LUDUS_LLM_RETRIEVAL_FTS && a.cfg.memory != LUDUS_LLM_MEMORY_CASES)
        return cli_error("agent: --retrieval embeddings or auto needs --memory cases");
    if (a.before_after) {
        if (a.suite) return cli_error("agent: --protocol before-after plays one world, not a suite");
        if (!a.cfg.memory) return cli_error("agent: --protocol before-after needs a --memory strategy and --db FILE");
        return before_after(&a);
    }
    suite_task single[2] = {{"", a.world}, {NULL, NULL}};
    const suite_task *tasks = !a.suite ? single : strcmp(a.suite, "balrog-babyai") == 0 ? babyai_suite : crafter_suite;
    double sum = 0, se2 = 0;
    int n = 0;
    for (const suite_task *t = tasks; t->world; t++) {
        double p = 0, se = 0;
        int budget;
        int rc = play_world(&a, t->world, &p, &se, &budget);
        if (rc) return rc;
        if (a.suite) printf("  %-17s progress %.1f%% +- %.1f (%ld episodes)\n", t->task, p, se, a.episodes);
        sum += p;
        se2 += se * se;
        n++;
    }
    if (a.suite) {
        printf("%s: progress %.1f%% +- %.1f (%s levels)\n", a.suite, sum / n, sqrt(se2) / n, a.levels);
    }
    return 0;
}

/* `ludus eval --agent llm:base-url=URL,model=NAME[,prompt=cot,...]`: the
 * same options as `ludus agent` without dashes, comma-separated. */
int cli_llm_agent_from_spec(const char *spec, ludus_llm **llm, ludus_agent **agent)
{
    agent_args a;
    defaults(&a);
    *llm = NULL;
    *agent = NULL;
    char *copy = strdup(spec);
    if (!copy) return cli_error("eval: out of memory");
    int status = 0;
    for (char *save = NULL, *kv = strtok_r(copy, ",", &save); kv && !status; kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq) {
            if (strcmp(kv, "tools") == 0) a.cfg.tools = 1;
            else if (strcmp(kv, "strict") == 0) a.cfg.strict = 1;
            else if (strcmp(kv, "stream") == 0) a.cfg.stream = 1;
            else status = cli_error("eval: --agent llm: option '%s' needs a value (KEY=VALUE)", kv);
            continue;
        }
        *eq = 0;
        if (strcmp(kv, "episodes") == 0 || strcmp(kv, "levels") == 0 || strcmp(kv, "suite") == 0 ||
            strcmp(kv, "options") == 0)
            status = cli_error("eval: --agent llm: '%s' belongs to `ludus eval`'s own options", kv);
        else
            status = set_option(&a, kv, eq + 1);
    }
    if (!status && !a.cfg.base_url) status = cli_error("eval: --agent llm: no base-url=URL (or LUDUS_LLM_BASE_URL)");
    if (!status && !a.cfg.model) status = cli_error("eval: --agent llm: no model=NAME (or LUDUS_LLM_MODEL)");
    a.cfg.memory_frozen = 1; /* evaluation reads a memory, never writes it */
    if (!status && (ludus_llm_create(&a.cfg, llm) || ludus_llm_agent(*llm, agent))) {
        fprintf(stderr, "ludus eval: %s\n", ludus_errmsg());
        ludus_llm_destroy(*llm);
        *llm = NULL;
        status = 1;
    }
    free(copy);
    return status;
}
