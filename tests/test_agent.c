/* test_agent.c: the agent interface (ludus/agent.h) and evaluation over any
 * agent. The random agent draws exactly ludus_rng_integers from each
 * world's stream (so it does not depend on batching) and is uniform by a
 * chi-square bound fixed by the seed; a mask restricts it to legal values.
 * Agents made outside the library (ops tables, callbacks) see what the
 * worlds show, are refused where they cannot act, and have their answers
 * checked. Evaluation with the random agent equals a plain loop written
 * here over the same levels and action streams, intervals included; the
 * report (eval.json) parses back with quotes and backslashes in its
 * strings and writes NaN as null.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "ludus/learn.h"

#define EMPTY "MiniGrid-Empty-5x5-v0"

static ludus_env *make(const char *id, const char *opts)
{
    ludus_env *env = NULL;
    CHECK_OK(ludus_env_make(id, opts, &env));
    return env;
}

/* An input for n worlds of env over lent buffers. */
static ludus_agent_input input_for(const ludus_env *env, int n, const uint8_t *obs, const uint8_t *starts,
                                   ludus_rng *rngs, const int *size)
{
    const ludus_env_info *info = ludus_env_get_info(env);
    ludus_agent_input in = {.n = n, .obs_size = info->obs_size, .obs = obs, .starts = starts, .rngs = rngs,
                            .action_dims = 1, .action_sizes = size};
    return in;
}

static void test_random_streams(void)
{
    ludus_env *env = make(EMPTY, NULL);
    const ludus_env_info *info = ludus_env_get_info(env);
    const int A = info->num_actions, N = 10, ROUNDS = 7000;
    ludus_agent *ag;
    CHECK_OK(ludus_agent_random(&ag));
    CHECK_STR(ludus_agent_name(ag), "random");
    CHECK(ludus_agent_env_id(ag) == NULL && ludus_agent_checkpoint(ag) == NULL);
    CHECK_OK(ludus_agent_bind(ag, env, N));
    CHECK_EQ(ludus_agent_num_actions(ag), A);
    uint8_t *obs = calloc((size_t)N, info->obs_size), starts[10] = {0};
    ludus_rng rngs[10], mirror[10];
    for (int i = 0; i < N; i++) ludus_rng_seed(&rngs[i], 1000 + (uint64_t)i);
    memcpy(mirror, rngs, sizeof rngs);
    ludus_agent_input in = input_for(env, N, obs, starts, rngs, &A);
    long counts[16] = {0};
    int32_t acts[10];
    int exact = 1;
    for (int r = 0; r < ROUNDS; r++) {
        in.greedy = r & 1; /* random samples either way */
        CHECK_OK(ludus_agent_act(ag, &in, acts));
        for (int i = 0; i < N; i++) {
            exact &= acts[i] == ludus_rng_integers(&mirror[i], 0, A);
            counts[acts[i]]++;
        }
    }
    CHECK_MSG(exact, "the random agent's actions are not ludus_rng_integers(&rngs[i], 0, A)");
    /* chi-square over A cells; 22.46 is the 0.999 quantile for 6 degrees of freedom */
    double expect = (double)N * ROUNDS / A, chi2 = 0;
    for (int a = 0; a < A; a++) chi2 += (counts[a] - expect) * (counts[a] - expect) / expect;
    CHECK_EQ(A, 7);
    CHECK_MSG(chi2 < 22.46, "chi-square %.2f over %d actions", chi2, A);

    /* The same streams give world i the same actions alone as in a batch. */
    ludus_rng batch[10], alone[10];
    for (int i = 0; i < N; i++) ludus_rng_seed(&batch[i], 77 + (uint64_t)i);
    memcpy(alone, batch, sizeof batch);
    int32_t together[10];
    in.rngs = batch;
    CHECK_OK(ludus_agent_act(ag, &in, together));
    for (int i = N - 1; i >= 0; i--) { /* in another order, too */
        ludus_agent_input one = input_for(env, 1, obs, starts, &alone[i], &A);
        int32_t a;
        CHECK_OK(ludus_agent_act(ag, &one, &a));
        CHECK_EQ(a, together[i]);
    }

    /* A mask: only legal values, uniform over them. */
    uint8_t mask[2 * 7] = {0, 1, 0, 0, 1, 0, 1, /* world 1: */ 0, 0, 0, 0, 0, 1, 0};
    long mc[7] = {0};
    ludus_rng mr[2];
    ludus_rng_seed(&mr[0], 5);
    ludus_rng_seed(&mr[1], 6);
    ludus_agent_input m = input_for(env, 2, obs, starts, mr, &A);
    m.action_mask = mask;
    for (int r = 0; r < 3000; r++) {
        CHECK_OK(ludus_agent_act(ag, &m, acts));
        mc[acts[0]]++;
        CHECK_EQ(acts[1], 5);
    }
    CHECK_EQ(mc[0] + mc[2] + mc[3] + mc[5], 0);
    for (int a = 1; a <= 6; a += a == 1 ? 3 : 2) /* 1, 4, 6: each about 1000 (binomial sd 26) */
        CHECK_MSG(labs(mc[a] - 1000) < 130, "masked action %d drawn %ld times of 3000", a, mc[a]);
    mask[7 + 5] = 0; /* nothing legal */
    CHECK_ERR(ludus_agent_act(ag, &m, acts), LUDUS_EINVAL);

    /* Bad input is refused before the agent sees it. */
    in.rngs = rngs;
    in.greedy = 0;
    ludus_agent_input bad = in;
    bad.n = N + 1;
    CHECK_ERR(ludus_agent_act(ag, &bad, acts), LUDUS_EINVAL);
    bad = in;
    bad.rngs = NULL;
    CHECK_ERR(ludus_agent_act(ag, &bad, acts), LUDUS_EINVAL);
    bad = in;
    bad.obs_size = info->obs_size + 1;
    CHECK_ERR(ludus_agent_act(ag, &bad, acts), LUDUS_EINVAL);
    int wrong = A + 1;
    bad = in;
    bad.action_sizes = &wrong;
    CHECK_ERR(ludus_agent_act(ag, &bad, acts), LUDUS_EINVAL);
    bad = in;
    bad.obs = NULL;
    CHECK_ERR(ludus_agent_act(ag, &bad, acts), LUDUS_EINVAL);
    CHECK_ERR(ludus_agent_act(ag, NULL, acts), LUDUS_EINVAL);
    CHECK_ERR(ludus_agent_bind(ag, env, 0), LUDUS_EINVAL);
    ludus_agent_destroy(ag);

    CHECK_OK(ludus_agent_random(&ag));
    CHECK_ERR(ludus_agent_act(ag, &in, acts), LUDUS_ESTATE); /* before bind */
    ludus_agent_destroy(ag);
    ludus_agent_destroy(NULL);
    free(obs);
    ludus_env_destroy(env);
}

/* ---- an agent written outside the library ---- */

typedef struct fixed_agent {
    const ludus_env *env;   /* to compare what the agent is shown */
    size_t obs_size;        /* bind refuses other sizes */
    int action;             /* what it plays; out of range to test the check */
    int fail;               /* act returns this */
    long acts, shown_ok, texts_ok, observed, stepped;
    double reward_sum;
    char *state;            /* a scratch state for texts */
} fixed_agent;

static int fixed_bind(void *self, const ludus_env *env, int max_worlds)
{
    fixed_agent *f = self;
    (void)max_worlds;
    const ludus_env_info *info = ludus_env_get_info(env);
    if (info->obs_size != f->obs_size) {
        char msg[256];
        snprintf(msg, sizeof msg, "fixed: wants observations of %zu bytes, %s has %zu", f->obs_size, info->id,
                 info->obs_size);
        return ludus_agent_fail(LUDUS_EINVAL, msg);
    }
    f->env = env;
    return LUDUS_OK;
}

static int fixed_act(void *self, const ludus_agent_input *in, int32_t *actions)
{
    fixed_agent *f = self;
    if (f->fail) return f->fail;
    f->acts++;
    for (int i = 0; i < in->n; i++) {
        f->shown_ok += in->missions[i] != NULL && in->starts[i] <= 1;
        f->texts_ok += in->texts && in->texts[i] && strlen(in->texts[i]) > 0;
        actions[i] = f->action;
    }
    return LUDUS_OK;
}

static int fixed_observe(void *self, const ludus_agent_feedback *fb)
{
    fixed_agent *f = self;
    f->observed++;
    for (int i = 0; i < fb->n; i++) {
        if (!fb->stepped[i]) continue;
        f->stepped++;
        f->reward_sum += fb->rewards[i];
    }
    return LUDUS_OK;
}

static void fixed_destroy(void *self)
{
    free(self);
}

static void test_outside_agents(void)
{
    ludus_env *env = make(EMPTY, NULL), *crafter = make("Crafter-Reward-v1", "length=30");
    const ludus_env_info *info = ludus_env_get_info(env);
    const ludus_agent_ops ops = {.name = "fixed", .bind = fixed_bind, .act = fixed_act, .observe = fixed_observe,
                                 .destroy = fixed_destroy};
    ludus_agent *ag = NULL;
    CHECK_ERR(ludus_agent_create(&(ludus_agent_ops){.name = "x"}, NULL, &ag), LUDUS_EINVAL); /* no act */
    CHECK_ERR(ludus_agent_create(&(ludus_agent_ops){.act = fixed_act, .flags = 1u << 7}, NULL, &ag), LUDUS_EINVAL);
    CHECK_ERR(ludus_agent_create(NULL, NULL, &ag), LUDUS_EINVAL);
    fixed_agent *f = calloc(1, sizeof *f);
    f->obs_size = info->obs_size;
    f->action = 2; /* forward: Empty-5x5's goal is two steps ahead and two down, so never reached */
    CHECK_OK(ludus_agent_create(&ops, f, &ag));
    CHECK_STR(ludus_agent_name(ag), "fixed");
    CHECK(ludus_agent_env_id(ag) == NULL);

    /* No world of its own: evaluation must be told one. */
    ludus_eval_config ec = {.level_start = 0, .level_count = 10, .episodes = 7, .seed = 1};
    ludus_eval_result r;
    CHECK_ERR(ludus_eval_run(ag, &ec, &r), LUDUS_EINVAL);
    CHECK_MSG(strstr(ludus_errmsg(), "fixed") != NULL, "message: %s", ludus_errmsg());
    ec.env_id = EMPTY;
    CHECK_OK(ludus_eval_run(ag, &ec, &r));
    CHECK(r.success.mean == 0.0 && r.ret.mean == 0.0);
    CHECK(r.length.mean == (double)info->max_steps); /* truncated every time */
    CHECK_EQ(f->stepped, 7L * info->max_steps);       /* observe saw every step of every episode */
    CHECK(f->observed > 0 && f->reward_sum == 0.0);
    CHECK(f->texts_ok == 0); /* it did not ask for text */

    /* Bind refuses a world it cannot act in, and evaluation says why. */
    CHECK_ERR(ludus_agent_bind(ag, crafter, 4), LUDUS_EINVAL);
    CHECK_MSG(strstr(ludus_errmsg(), "wants observations of") != NULL, "message: %s", ludus_errmsg());
    ec.env_id = "Crafter-Reward-v1";
    CHECK_ERR(ludus_eval_run(ag, &ec, &r), LUDUS_EINVAL);
    ec.env_id = EMPTY;

    /* Its answers are checked: out of range, and a silent failure gets a message naming it. */
    f->action = info->num_actions;
    CHECK_ERR(ludus_eval_run(ag, &ec, &r), LUDUS_EINVAL);
    CHECK_MSG(strstr(ludus_errmsg(), "agent 'fixed' chose action 7") != NULL, "message: %s", ludus_errmsg());
    f->action = -1;
    CHECK_ERR(ludus_eval_run(ag, &ec, &r), LUDUS_EINVAL);
    f->action = 0;
    f->fail = -42;
    CHECK(ludus_eval_run(ag, &ec, &r) == -42);
    CHECK_MSG(strstr(ludus_errmsg(), "agent 'fixed': act failed (-42)") != NULL, "message: %s", ludus_errmsg());
    f->fail = 0;
    ludus_agent_destroy(ag); /* frees f through its destroy */

    /* An agent that asks for text gets the world's text observations. */
    fixed_agent *t = calloc(1, sizeof *t);
    t->obs_size = info->obs_size;
    ludus_agent_ops text_ops = ops;
    text_ops.flags = LUDUS_AGENT_TEXT;
    text_ops.observe = NULL;
    CHECK_OK(ludus_agent_create(&text_ops, t, &ag));
    CHECK_EQ(ludus_agent_flags(ag), LUDUS_AGENT_TEXT);
    ec.episodes = 3;
    CHECK_OK(ludus_eval_run(ag, &ec, &r));
    CHECK(t->texts_ok == t->shown_ok && t->texts_ok == 3L * t->acts);
    ludus_agent_destroy(ag);
    text_ops.flags = LUDUS_AGENT_TEXT | LUDUS_AGENT_TEXT_BALROG;
    CHECK_ERR(ludus_agent_create(&text_ops, NULL, &ag), LUDUS_EINVAL);

    /* Origins are copied and bounded. */
    CHECK_OK(ludus_agent_random(&ag));
    char longpath[5000];
    memset(longpath, 'a', sizeof longpath - 1);
    longpath[sizeof longpath - 1] = 0;
    CHECK_ERR(ludus_agent_set_origin(ag, longpath, EMPTY, NULL), LUDUS_EINVAL);
    CHECK(ludus_agent_checkpoint(ag) == NULL);
    CHECK_OK(ludus_agent_set_origin(ag, "x.safetensors", EMPTY, "k=v"));
    CHECK_STR(ludus_agent_env_id(ag), EMPTY);
    CHECK_STR(ludus_agent_env_options(ag), "k=v");
    ludus_agent_destroy(ag);
    ludus_env_destroy(env);
    ludus_env_destroy(crafter);
}

/* A C callback: plays action (step + world) % 3 and checks its input. */
typedef struct cb_user {
    long calls, bad;
} cb_user;

static int cb_act(void *user, const ludus_agent_input *in, int32_t *actions)
{
    cb_user *u = user;
    u->calls++;
    if (in->action_dims != 1 || in->action_sizes[0] != 7) u->bad++;
    for (int i = 0; i < in->n; i++) actions[i] = (int32_t)((u->calls + i) % 3);
    return LUDUS_OK;
}

static void test_callback(void)
{
    cb_user u = {0};
    ludus_agent *ag = NULL;
    CHECK_ERR(ludus_agent_callback("cb", 0, NULL, &u, &ag), LUDUS_EINVAL);
    CHECK_OK(ludus_agent_callback("cb", 0, cb_act, &u, &ag));
    CHECK_STR(ludus_agent_name(ag), "cb");
    ludus_eval_config ec = {.env_id = "MiniGrid-DoorKey-5x5-v0", .level_count = 5, .episodes = 4, .greedy = 1};
    ludus_eval_result r;
    CHECK_OK(ludus_eval_run(ag, &ec, &r));
    CHECK(u.calls > 0 && u.bad == 0);
    ludus_agent_destroy(ag); /* u is lent, not freed */
    ludus_agent *d = NULL;
    CHECK_OK(ludus_agent_callback(NULL, 0, cb_act, NULL, &d));
    CHECK_STR(ludus_agent_name(d), "callback");
    ludus_agent_destroy(d);
}

/* Evaluation with the random agent against a plain loop: episode e plays
 * level start + e % count with actions ludus_rng_integers(rng_e, 0, A),
 * rng_e seeded from the words (seed low, seed high, e, 0xe7a1); the means
 * are summed in episode order and the intervals are 2000 bootstrap
 * resamples seeded seed ^ 1, 2, 3 (^ 4 for achievements). */
static void check_random_eval(const char *id, const char *opts, int E, uint64_t start, uint64_t count, uint64_t seed)
{
    ludus_agent *ag;
    CHECK_OK(ludus_agent_random(&ag));
    ludus_eval_config ec = {.env_id = id, .env_options = opts, .level_start = start, .level_count = count,
                            .episodes = E, .seed = seed};
    ludus_eval_result r;
    CHECK_OK(ludus_eval_run(ag, &ec, &r));
    ludus_env *env = make(id, opts);
    const ludus_env_info *info = ludus_env_get_info(env);
    void *st = ludus_env_state_new(env);
    double *ret = calloc((size_t)E, sizeof *ret), *succ = calloc((size_t)E, sizeof *succ),
           *len = calloc((size_t)E, sizeof *len);
    uint32_t *masks = calloc((size_t)E, sizeof *masks);
    for (int e = 0; e < E; e++) {
        CHECK_OK(ludus_env_reset(env, st, start + (uint64_t)e % count, NULL));
        ludus_rng rng;
        uint32_t words[4] = {(uint32_t)seed, (uint32_t)(seed >> 32), (uint32_t)e, 0xe7a1u};
        ludus_rng_seed_words(&rng, words, 4);
        for (;;) {
            ludus_step_out so;
            CHECK_OK(ludus_env_step(env, st, (int)ludus_rng_integers(&rng, 0, info->num_actions), NULL, &so));
            ret[e] += so.reward;
            len[e] += 1;
            masks[e] |= so.achievements;
            if (so.terminated || so.truncated) {
                succ[e] = so.success;
                break;
            }
        }
    }
    ludus_estimate want[3] = {ludus_bootstrap_mean(ret, E, 2000, seed ^ 1), ludus_bootstrap_mean(succ, E, 2000, seed ^ 2),
                              ludus_bootstrap_mean(len, E, 2000, seed ^ 3)};
    const ludus_estimate *got[3] = {&r.ret, &r.success, &r.length};
    for (int k = 0; k < 3; k++)
        CHECK_MSG(got[k]->mean == want[k].mean && got[k]->lo == want[k].lo && got[k]->hi == want[k].hi,
                  "%s: estimate %d: eval %.17g [%.17g, %.17g], loop %.17g [%.17g, %.17g]", id, k, got[k]->mean,
                  got[k]->lo, got[k]->hi, want[k].mean, want[k].lo, want[k].hi);
    CHECK_EQ(r.episodes, E);
    CHECK_EQ(r.num_achievements, info->num_achievements);
    if (info->num_achievements) {
        double score, rates[LUDUS_CRAFTER_NUM_ACHIEVEMENTS];
        CHECK_OK(ludus_crafter_score(masks, (size_t)E, &score, rates));
        CHECK(r.score.mean == score);
        for (int i = 0; i < info->num_achievements; i++) CHECK(r.achievements[i].mean == rates[i]);
    }
    /* BALROG's progression (balrog/utils.py): per episode, achievements
     * unlocked / their number (Crafter) or success; the mean, and the
     * population standard deviation / sqrt(n), written out here with
     * doubles in episode order. */
    double pm = 0, pv = 0, *prog = calloc((size_t)E, sizeof *prog);
    for (int e = 0; e < E; e++) {
        int unlocked = 0;
        for (int i = 0; i < info->num_achievements; i++) unlocked += (masks[e] >> i) & 1u;
        prog[e] = info->num_achievements ? (double)unlocked / info->num_achievements : succ[e];
        pm += prog[e];
    }
    pm /= E;
    for (int e = 0; e < E; e++) pv += (prog[e] - pm) * (prog[e] - pm);
    CHECK_MSG(r.progress == pm && r.progress_se == sqrt(pv / E) / sqrt((double)E),
              "%s: BALROG progress %.17g +- %.17g, loop %.17g +- %.17g", id, r.progress, r.progress_se, pm,
              sqrt(pv / E) / sqrt((double)E));
    if (info->num_achievements) CHECK(r.progress > 0 && r.progress_se > 0);
    free(prog);
    double s = 0;
    for (int e = 0; e < E; e++) s += succ[e];
    printf("%s: random play, %d episodes: success %.3f, return %.4f, length %.2f\n", id, E, s / E, r.ret.mean,
           r.length.mean);
    free(ret), free(succ), free(len), free(masks), free(st);
    ludus_env_destroy(env);
    ludus_agent_destroy(ag);
}

static void test_random_eval(void)
{
    /* 150 episodes: more than the 64 worlds evaluation runs at once, so slots are reused */
    check_random_eval("MiniGrid-DoorKey-5x5-v0", NULL, 150, 5, 37, (1ull << 40) + 7);
    check_random_eval("MiniGrid-Empty-5x5-v0", NULL, 20, LUDUS_HELDOUT_START, 20, 3);
    check_random_eval("Crafter-Reward-v1", "length=40", 70, 11, 1000, 9);
}

/* The report: both splits, strings escaped, NaN as null. */
static void test_report(void)
{
    ludus_agent *ag;
    CHECK_OK(ludus_agent_random(&ag));
    const char *odd = "runs/we\"ird\\path\n.safetensors";
    CHECK_OK(ludus_agent_set_origin(ag, odd, "Crafter-Reward-v1", "length=20"));
    ludus_eval_report_config rc = {.episodes = 5, .seed = 4, .train_levels = 3};
    ludus_eval_report *rep = malloc(sizeof *rep);
    CHECK_OK(ludus_eval_report_run(ag, &rc, rep));
    CHECK_STR(rep->agent, "random");
    CHECK_STR(rep->env_options, "length=20"); /* the agent's own world: its options */
    CHECK_EQ(rep->train.level_count, 3);
    CHECK(rep->heldout.level_start == LUDUS_HELDOUT_START);
    int n = ludus_eval_report_json(rep, NULL, 0);
    CHECK(n > 0);
    char *text = malloc((size_t)n + 1);
    CHECK_EQ(ludus_eval_report_json(rep, text, (size_t)n + 1), n);
    CHECK_EQ(strlen(text), n);
    cJSON *j = cJSON_Parse(text);
    CHECK_MSG(j != NULL, "eval.json does not parse:\n%s", text);
    if (j) {
        CHECK_STR(cJSON_GetObjectItem(j, "checkpoint")->valuestring, odd);
        CHECK_STR(cJSON_GetObjectItem(j, "agent")->valuestring, "random");
        const cJSON *ho = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "splits"), "heldout");
        const cJSON *ach = cJSON_GetObjectItem(ho, "achievements");
        CHECK_EQ(cJSON_GetArraySize(ach), LUDUS_CRAFTER_NUM_ACHIEVEMENTS);
        CHECK(cJSON_GetObjectItem(ach, "collect_wood") != NULL);
        CHECK(cJSON_IsNumber(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "generalization_gap"), "score")));
        CHECK_EQ(cJSON_GetObjectItem(j, "train_levels")->valuedouble, 3);
    }
    cJSON_Delete(j);
    /* a NaN (an agent whose rewards were NaN) is null, not a bare nan */
    rep->heldout.result.ret.mean = NAN;
    rep->heldout.result.ret.hi = INFINITY;
    char *t2 = malloc((size_t)ludus_eval_report_json(rep, NULL, 0) + 1);
    ludus_eval_report_json(rep, t2, (size_t)ludus_eval_report_json(rep, NULL, 0) + 1);
    j = cJSON_Parse(t2);
    CHECK_MSG(j != NULL, "eval.json with NaN does not parse:\n%s", t2);
    if (j) {
        const cJSON *ret = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "splits"), "heldout"), "return");
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(ret, "mean")));
        CHECK(cJSON_IsNull(cJSON_GetArrayItem(cJSON_GetObjectItem(ret, "ci95"), 1)));
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "generalization_gap"), "return")));
    }
    cJSON_Delete(j);
    free(t2);
    /* write: to a file, and a clear error where it cannot */
    const char *path = LUDUS_BINARY_DIR "/test_agent_eval.json";
    CHECK_OK(ludus_eval_report_write(rep, path));
    CHECK_ERR(ludus_eval_report_write(rep, LUDUS_BINARY_DIR "/no/such/dir/eval.json"), LUDUS_EIO);
    remove(path);
    /* bad configs */
    rc.episodes = 0;
    CHECK_ERR(ludus_eval_report_run(ag, &rc, rep), LUDUS_EINVAL);
    rc.episodes = 2;
    rc.train_levels = LUDUS_MAX_TRAIN_LEVELS + 1;
    CHECK_ERR(ludus_eval_report_run(ag, &rc, rep), LUDUS_EINVAL);
    CHECK_ERR(ludus_eval_report_json(NULL, NULL, 0), LUDUS_EINVAL);
    free(text);
    free(rep);
    ludus_agent_destroy(ag);
}

int main(void)
{
    test_random_streams();
    test_outside_agents();
    test_callback();
    test_random_eval();
    test_report();
    return check_finish("test_agent");
}
