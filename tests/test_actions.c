/* test_actions.c: the action contract. Multi-discrete actions and the
 * legal-action mask through env, vec, PPO and the agent (the Keypad world
 * is the one with two components and a mask), today's worlds as the
 * one-component case, and actions parsed from words: a table of replies
 * with the action each must give (or "invalid"), then garbage, huge and
 * random binary replies that must never crash.
 */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "check.h"
#include "learn/policy.h"
#include "ludus/agent.h"
#include "ludus/learn.h"

static ludus_env *make(const char *id, const char *opts)
{
    ludus_env *env = NULL;
    CHECK_OK(ludus_env_make(id, opts, &env));
    return env;
}

/* ---- the declared spaces ---- */

static void test_spaces(void)
{
    for (int i = 0; i < ludus_env_count(); i++) {
        const char *id = ludus_env_id(i);
        ludus_env *env = make(id, NULL);
        if (!env) continue;
        const ludus_env_info *in = ludus_env_get_info(env);
        int sum = 0;
        CHECK(in->action_dims >= 1 && in->action_dims <= LUDUS_MAX_ACTION_DIMS);
        for (int k = 0; k < in->action_dims; k++) sum += in->action_nvec[k];
        for (int k = in->action_dims; k < LUDUS_MAX_ACTION_DIMS; k++) CHECK_EQ(in->action_nvec[k], 0);
        if (in->action_dims == 1) {
            CHECK_MSG(in->action_nvec[0] == in->num_actions && in->max_action >= in->num_actions, "%s", id);
        } else {
            CHECK_MSG(sum == in->num_actions && in->max_action == 0, "%s", id);
        }
        CHECK_MSG(in->mask_size == 0 || in->mask_size == sum, "%s", id);
        if (strncmp(id, "Keypad", 6) != 0 && strncmp(id, "Web-", 4) != 0) CHECK_MSG(in->action_dims == 1 && in->mask_size == 0, "%s", id);
        ludus_env_destroy(env);
    }
    ludus_env *dyn = make("MiniGrid-Dynamic-Obstacles-5x5-v0", NULL);
    if (dyn) {
        const ludus_env_info *in = ludus_env_get_info(dyn);
        CHECK_EQ(in->num_actions, 3);
        CHECK_EQ(in->action_nvec[0], 3);
        CHECK_EQ(in->max_action, 7);
        /* step_vec accepts what step accepts: 0..6 */
        void *st = ludus_env_state_new(dyn);
        CHECK_OK(ludus_env_reset(dyn, st, 1, NULL));
        int32_t a = 6;
        CHECK_OK(ludus_env_step_vec(dyn, st, &a, NULL, NULL));
        a = 7;
        CHECK_ERR(ludus_env_step_vec(dyn, st, &a, NULL, NULL), LUDUS_EINVAL);
        CHECK(strstr(ludus_errmsg(), "out of range"));
        free(st);
        ludus_env_destroy(dyn);
    }
}

/* One-component worlds: step_vec is step, byte for byte. */
static void test_step_vec_is_step(void)
{
    const char *ids[] = {"MiniGrid-DoorKey-8x8-v0", "BabyAI-GoToLocal-v0", "Crafter-Reward-v1"};
    for (int w = 0; w < 3; w++) {
        ludus_env *env = make(ids[w], NULL);
        if (!env) continue;
        const ludus_env_info *in = ludus_env_get_info(env);
        void *a = ludus_env_state_new(env), *b = ludus_env_state_new(env);
        uint8_t *oa = malloc(in->obs_size), *ob = malloc(in->obs_size);
        CHECK_OK(ludus_env_reset(env, a, 7, oa));
        CHECK_OK(ludus_env_reset(env, b, 7, ob));
        ludus_rng rng;
        ludus_rng_seed(&rng, 11);
        int same = 1;
        for (int t = 0; t < 300; t++) {
            int act = (int)ludus_rng_integers(&rng, 0, in->num_actions);
            int32_t v = act;
            ludus_step_out sa, sb;
            CHECK_OK(ludus_env_step(env, a, act, oa, &sa));
            CHECK_OK(ludus_env_step_vec(env, b, &v, ob, &sb));
            same &= memcmp(a, b, in->state_size) == 0 && memcmp(oa, ob, in->obs_size) == 0 &&
                    memcmp(&sa, &sb, sizeof sa) == 0;
            if (sa.terminated || sa.truncated) {
                CHECK_OK(ludus_env_reset(env, a, (uint64_t)t, oa));
                CHECK_OK(ludus_env_reset(env, b, (uint64_t)t, ob));
            }
        }
        CHECK_MSG(same, "%s: step_vec differs from step", ids[w]);
        CHECK_OK(ludus_env_action_mask(env, a, NULL)); /* no mask: nothing written */
        free(a);
        free(b);
        free(oa);
        free(ob);
        ludus_env_destroy(env);
    }
}

/* ---- Keypad: two components and a mask ---- */

/* The code from the text observation ("The keypad lights the code 2 2 3 4 0."). */
static int read_code(const ludus_env *env, const void *st, int *code, int k)
{
    char text[1024];
    if (ludus_env_text(env, st, LUDUS_TEXT_BALROG, text, sizeof text) < 0) return 0;
    const char *p = strstr(text, "the code ");
    if (!p) return 0;
    p += 9;
    for (int i = 0; i < k; i++) {
        char *end;
        code[i] = (int)strtol(p, &end, 10);
        if (end == p) return 0;
        p = end;
    }
    return 1;
}

static void test_keypad(void)
{
    ludus_env *env = make("Keypad-5x5-v0", NULL);
    if (!env) return;
    const ludus_env_info *in = ludus_env_get_info(env);
    CHECK_EQ(in->action_dims, 2);
    CHECK_EQ(in->action_nvec[0], 5);
    CHECK_EQ(in->action_nvec[1], 5);
    CHECK_EQ(in->num_actions, 10);
    CHECK_EQ(in->mask_size, 10);
    CHECK_STR(in->action_names[0], "slot 1");
    CHECK_STR(in->action_names[9], "digit 4");
    CHECK_EQ(in->obs_fields[0].kind, LUDUS_OBS_SYMBOL_MAP);
    void *st = ludus_env_state_new(env), *copy = ludus_env_state_new(env), *again = ludus_env_state_new(env);
    uint8_t obs[25], mask[10];
    CHECK_OK(ludus_env_reset(env, st, 42, obs));
    CHECK_OK(ludus_env_reset(env, again, 42, NULL));
    CHECK(memcmp(st, again, in->state_size) == 0); /* a seed is a level */
    int code[5];
    CHECK(read_code(env, st, code, 5));
    /* the lit cells of the observation are the code */
    for (int i = 0; i < 5; i++)
        for (int d = 0; d < 5; d++) CHECK_EQ(obs[i * 5 + d], d == code[i] ? 1 : 0);
    CHECK_OK(ludus_env_action_mask(env, st, mask));
    for (int j = 0; j < 10; j++) CHECK_EQ(mask[j], 1);

    /* a whole episode: slot 3 wrong, the others right */
    int32_t a[2];
    ludus_step_out out;
    double ret = 0;
    int order[5] = {4, 0, 2, 1, 3};
    for (int t = 0; t < 5; t++) {
        int s = order[t];
        a[0] = s;
        a[1] = s == 2 ? (code[s] + 1) % 5 : code[s];
        CHECK_OK(ludus_env_step_vec(env, st, a, obs, &out));
        ret += out.reward;
        CHECK_EQ(out.terminated, t == 4);
        CHECK_EQ(obs[s * 5 + a[1]], s == 2 ? 2 : 3);
        CHECK_OK(ludus_env_action_mask(env, st, mask));
        CHECK_EQ(mask[s], 0);
        if (t < 4) {
            /* a filled slot is refused, and nothing changes */
            memcpy(copy, st, in->state_size);
            CHECK_ERR(ludus_env_step_vec(env, st, a, NULL, NULL), LUDUS_EINVAL);
            CHECK(strstr(ludus_errmsg(), "not legal"));
            CHECK(memcmp(copy, st, in->state_size) == 0);
        }
    }
    CHECK(!out.success);
    CHECK(ret > 0.4 - 1e-12 && ret < 0.4 + 1e-12); /* 4 right digits of 1/10 each */
    CHECK_EQ(ludus_env_step_count(env, st), 5);

    /* all right: 5 x 0.1 + 0.5 */
    CHECK_OK(ludus_env_reset(env, st, 42, NULL));
    ret = 0;
    for (int s = 0; s < 5; s++) {
        a[0] = s;
        a[1] = code[s];
        CHECK_OK(ludus_env_step_vec(env, st, a, NULL, &out));
        ret += out.reward;
    }
    CHECK(out.terminated && out.success);
    CHECK(ret > 1.0 - 1e-12 && ret < 1.0 + 1e-12);

    /* edges */
    CHECK_OK(ludus_env_reset(env, st, 3, NULL));
    CHECK_ERR(ludus_env_step(env, st, 0, NULL, NULL), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "ludus_env_step_vec"));
    a[0] = 5;
    a[1] = 0;
    CHECK_ERR(ludus_env_step_vec(env, st, a, NULL, NULL), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "component 0"));
    a[0] = 0;
    a[1] = -1;
    CHECK_ERR(ludus_env_step_vec(env, st, a, NULL, NULL), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "component 1"));
    CHECK_ERR(ludus_env_step_vec(env, st, NULL, NULL, NULL), LUDUS_EINVAL);
    CHECK_ERR(ludus_env_action_mask(env, st, NULL), LUDUS_EINVAL);
    void *fresh = ludus_env_state_new(env);
    CHECK_ERR(ludus_env_action_mask(env, fresh, mask), LUDUS_ESTATE);
    free(fresh);

    /* pictures */
    int w = 0, h = 0;
    CHECK_OK(ludus_env_render_size(env, NULL, &w, &h));
    CHECK(w == 160 && h == 160);
    uint8_t *rgb = malloc((size_t)w * h * 3);
    CHECK_OK(ludus_env_render(env, st, NULL, rgb, (size_t)w * h * 3));
    ludus_render_opts tiny = {4, 0, 0};
    CHECK_OK(ludus_env_render(env, st, &tiny, rgb, (size_t)w * h * 3));
    free(rgb);
    char ansi[4096];
    int n = ludus_env_render_ansi(env, st, ansi, sizeof ansi);
    CHECK(n > 0 && n < (int)sizeof ansi && strstr(ansi, "slot 5"));
    char text[1024];
    CHECK(ludus_env_text(env, st, LUDUS_TEXT_FULL, text, sizeof text) > 0 && strstr(text, "Slot 1 is empty"));

    /* options */
    ludus_env *small = make("Keypad-5x5-v0", "slots=2,digits=3");
    if (small) {
        CHECK_EQ(ludus_env_get_info(small)->action_nvec[0], 2);
        CHECK_EQ(ludus_env_get_info(small)->mask_size, 5);
        ludus_env_destroy(small);
    }
    ludus_env *bad = NULL;
    CHECK_ERR(ludus_env_make("Keypad-5x5-v0", "slots=9", &bad), LUDUS_EINVAL);
    CHECK_ERR(ludus_env_make("Keypad-5x5-v0", "colour=1", &bad), LUDUS_EINVAL);
    free(st);
    free(copy);
    free(again);
    ludus_env_destroy(env);
}

/* ---- vec: (N, 2) actions and (N, 10) masks ---- */

static void test_vec(void)
{
    enum { N = 19 };
    uint8_t lent[N * 10];
    memset(lent, 0xee, sizeof lent);
    ludus_vec_config cfg = {.env_id = "Keypad-5x5-v0", .num_envs = N, .num_threads = 2, .seed = 5,
                            .action_masks = lent};
    ludus_vec *v = NULL;
    CHECK_OK(ludus_vec_create(&cfg, &v));
    if (!v) return;
    const ludus_env *env = ludus_vec_env(v);
    CHECK(ludus_vec_action_masks(v) == lent);
    CHECK_OK(ludus_vec_reset(v));
    int32_t acts[N * 2];
    ludus_rng rng;
    ludus_rng_seed(&rng, 9);
    int agree = 1;
    double ret = 0;
    for (int t = 0; t < 200; t++) {
        for (int i = 0; i < N; i++) {
            uint8_t m[10];
            CHECK_OK(ludus_env_action_mask(env, ludus_vec_state(v, i), m));
            agree &= memcmp(m, lent + i * 10, 10) == 0;
            int legal[5], nl = 0;
            for (int s = 0; s < 5; s++)
                if (m[s]) legal[nl++] = s;
            acts[2 * i] = legal[ludus_rng_integers(&rng, 0, nl)];
            acts[2 * i + 1] = (int32_t)ludus_rng_integers(&rng, 0, 5);
        }
        CHECK_OK(ludus_vec_step(v, acts));
        for (int i = 0; i < N; i++) ret += ludus_vec_rewards(v)[i];
    }
    CHECK_MSG(agree, "the vec's masks differ from the worlds' own");
    ludus_episode_stats s;
    ludus_vec_stats(v, &s);
    CHECK_EQ(s.episodes, 200 * N / 5);
    CHECK_EQ(s.steps, 200 * N);
    /* random digits: 0.1 per right one, 1/5 of them */
    double per_ep = s.return_sum / (double)s.episodes;
    CHECK_MSG(per_ep > 0.07 && per_ep < 0.13, "random return per episode %.3f", per_ep);

    /* a filled slot in world 3: refused, nothing stepped */
    CHECK_OK(ludus_vec_step(v, acts)); /* every world has a slot filled now or just reset */
    int w = -1;
    for (int i = 0; i < N && w < 0; i++)
        for (int sl = 0; sl < 5; sl++)
            if (!lent[i * 10 + sl]) {
                w = i;
                acts[2 * i] = sl;
                break;
            }
    if (w >= 0) {
        char *before = malloc((size_t)N * ludus_env_get_info(env)->state_size);
        size_t ss = ludus_env_get_info(env)->state_size;
        for (int i = 0; i < N; i++) memcpy(before + i * ss, ludus_vec_state(v, i), ss);
        CHECK_ERR(ludus_vec_step(v, acts), LUDUS_EINVAL);
        CHECK(strstr(ludus_errmsg(), "not legal"));
        int same = 1;
        for (int i = 0; i < N; i++) same &= memcmp(before + i * ss, ludus_vec_state(v, i), ss) == 0;
        CHECK(same);
        CHECK_ERR(ludus_vec_step_slice(v, acts, w, 1), LUDUS_EINVAL);
        free(before);
    }
    acts[0] = 7;
    CHECK_ERR(ludus_vec_step(v, acts), LUDUS_EINVAL);
    ludus_vec_destroy(v);

    /* a world without a mask has no mask buffer */
    ludus_vec_config g = {.env_id = "MiniGrid-Empty-5x5-v0", .num_envs = 2};
    CHECK_OK(ludus_vec_create(&g, &v));
    if (v) CHECK(ludus_vec_action_masks(v) == NULL);
    ludus_vec_destroy(v);
}

/* ---- PPO learns Keypad a little ---- */

static void test_ppo_keypad(void)
{
    ludus_ppo_config c;
    ludus_ppo_config_default(&c, "Keypad-5x5-v0");
    c.total_steps = 200000;
    c.train_levels = 1000;
    c.seed = 3;
    /* a small, fixed recipe (whatever the defaults for symbol maps become) */
    c.num_envs = 16;
    c.num_steps = 128;
    c.epochs = 4;
    c.minibatches = 8;
    c.env_threads = 1;
    c.arch.embed = 8;
    c.arch.conv2 = 32;
    c.arch.hidden = 64;
    ludus_ppo *p = NULL;
    CHECK_OK(ludus_ppo_create(&c, &p));
    if (!p) return;
    ludus_ppo_metrics m, first = {0};
    int u = 0;
    while (!ludus_ppo_done(p)) {
        CHECK_OK(ludus_ppo_update(p, &m));
        if (u++ == 0) first = m;
    }
    CHECK_MSG(isfinite(m.policy_loss) && isfinite(m.entropy), "losses %g %g", m.policy_loss, m.entropy);
    CHECK_MSG(m.ret > first.ret + 0.3, "Keypad return %.3f after %llu steps (first update %.3f)", m.ret,
              (unsigned long long)m.steps, first.ret);
    char ck[] = "/tmp/ludus-test-keypad-XXXXXX";
    int fd = mkstemp(ck);
    if (fd >= 0) close(fd);
    CHECK_OK(ludus_ppo_save(p, ck));
    ludus_ppo_destroy(p);

    /* the agent on held-out levels, against random play's 0.1 */
    ludus_agent *ag = NULL;
    CHECK_OK(ludus_agent_load(ck, NULL, 64, &ag));
    if (ag) {
        ludus_eval_config ec = {.level_start = LUDUS_HELDOUT_START, .level_count = 500, .episodes = 300, .seed = 1};
        ludus_eval_result r;
        CHECK_OK(ludus_eval_run(ag, &ec, &r));
        CHECK_MSG(r.ret.mean > 0.4, "held-out return %.3f (random 0.1)", r.ret.mean);
        CHECK(r.length.mean == 5.0); /* every action legal: each episode fills the 5 slots */
        ec.greedy = 1;
        CHECK_OK(ludus_eval_run(ag, &ec, &r));
        CHECK_MSG(r.ret.mean > 0.4, "held-out greedy return %.3f", r.ret.mean);
        /* masked actions are never chosen, even from a full keypad */
        ludus_env *env = make("Keypad-5x5-v0", NULL);
        void *st = ludus_env_state_new(env);
        CHECK_OK(ludus_env_reset(env, st, 77, NULL));
        CHECK_OK(ludus_agent_bind(ag, env, 1));
        uint8_t obs[25], mask[10];
        int32_t a[2];
        int ok = 1;
        for (int t = 0; t < 5; t++) {
            CHECK_OK(ludus_env_observe(env, st, obs));
            CHECK_OK(ludus_env_action_mask(env, st, mask));
            uint8_t start = t == 0;
            ludus_rng r1;
            ludus_rng_seed(&r1, (uint64_t)t);
            const char *mission = "";
            const ludus_agent_input in = {.n = 1, .obs_size = 25, .obs = obs, .missions = &mission,
                                          .starts = &start, .rngs = &r1, .action_dims = 2,
                                          .action_sizes = ludus_env_get_info(env)->action_nvec, .action_mask = mask};
            CHECK_OK(ludus_agent_act(ag, &in, a));
            ok &= mask[a[0]] && a[1] >= 0 && a[1] < 5;
            CHECK_OK(ludus_env_step_vec(env, st, a, NULL, NULL));
        }
        CHECK(ok);
        free(st);
        ludus_env_destroy(env);
        ludus_agent_destroy(ag);
    }
    remove(ck);
}

/* ---- the actor's head: one categorical per component, under a mask ----
 * Against a model in double: each component's log-softmax over its legal
 * logits, and the gradient of sum_s g_s logp(a_s) + e_s H_s by central
 * finite differences of that model. */

static double model_loss(const double *l, const uint8_t *m, const int32_t *a, double g, double e, int *nvec, int D)
{
    double loss = 0;
    for (int k = 0, off = 0; k < D; off += nvec[k], k++) {
        double mx = -1e300, s = 0, h = 0;
        for (int j = 0; j < nvec[k]; j++)
            if (m[off + j] && l[off + j] > mx) mx = l[off + j];
        for (int j = 0; j < nvec[k]; j++)
            if (m[off + j]) s += exp(l[off + j] - mx);
        double lse = mx + log(s);
        for (int j = 0; j < nvec[k]; j++)
            if (m[off + j]) h -= exp(l[off + j] - lse) * (l[off + j] - lse);
        loss += g * (l[off + a[k]] - lse) + e * h;
    }
    return loss;
}

static void test_head(void)
{
    ludus_env *env = make("Keypad-5x5-v0", NULL);
    if (!env) return;
    const ludus_env_info *info = ludus_env_get_info(env);
    ludus_ppo_config c;
    ludus_ppo_config_default(&c, "Keypad-5x5-v0");
    policy_input in;
    policy p;
    policy_ws ws;
    CHECK_OK(ludus_policy_input_of(info, 0, &in));
    CHECK_EQ(in.action_dims, 2);
    CHECK_OK(ludus_policy_create(&p, &c.arch, &in));
    ludus_rng rng;
    ludus_rng_seed(&rng, 1);
    CHECK_OK(ludus_policy_init(&p, &rng));
    /* larger output weights, so the probabilities are far from uniform */
    for (size_t i = p.a2_w; i < p.a2_b; i++) p.params.data[i] *= 300.0f;
    enum { S = 6, A = 10 };
    CHECK_OK(ludus_policy_ws_create(&ws, &p, S));
    uint8_t obs[S * 25], mask[S * A];
    void *st = ludus_env_state_new(env);
    int32_t acts[S * 2];
    for (int s = 0; s < S; s++) {
        CHECK_OK(ludus_env_reset(env, st, (uint64_t)s, NULL));
        for (int t = 0; t < s % 5; t++) {
            int32_t a[2] = {t, 0};
            CHECK_OK(ludus_env_step_vec(env, st, a, NULL, NULL));
        }
        CHECK_OK(ludus_env_observe(env, st, obs + s * 25));
        CHECK_OK(ludus_env_action_mask(env, st, mask + s * A));
        mask[s * A + 5 + s % 5] = 0; /* and a digit forbidden, to mask the second component too */
        acts[2 * s] = 4;             /* slot 5 is empty in every sample */
        acts[2 * s + 1] = (s + 2) % 5 == s % 5 ? 0 : (s + 2) % 5;
    }
    uint8_t starts[S] = {1, 1, 1, 1, 1, 1};
    policy_batch b = {.L = 1, .B = S, .obs = obs, .starts = starts, .mask = mask};
    ludus_policy_forward(&p, p.params.data, &ws, &b);
    int nvec[2] = {5, 5}, fwd_ok = 1, masked_ok = 1, act_ok = 1;
    double l[A];
    float g[S], e[S];
    for (int s = 0; s < S; s++) {
        const float *lp = ws.logp + s * A;
        for (int j = 0; j < A; j++) l[j] = ws.logits[s * A + j];
        for (int k = 0, off = 0; k < 2; off += 5, k++) {
            double mx = -1e300, sum = 0;
            for (int j = 0; j < 5; j++)
                if (mask[s * A + off + j] && l[off + j] > mx) mx = l[off + j];
            for (int j = 0; j < 5; j++)
                if (mask[s * A + off + j]) sum += exp(l[off + j] - mx);
            for (int j = 0; j < 5; j++) {
                if (mask[s * A + off + j]) fwd_ok &= fabs(lp[off + j] - (l[off + j] - mx - log(sum))) < 1e-4;
                else masked_ok &= lp[off + j] <= 0.5f * POLICY_MASKED && isfinite(lp[off + j]);
            }
        }
        double want = lp[acts[2 * s]] + lp[5 + acts[2 * s + 1]];
        fwd_ok &= fabs(ludus_policy_logp_of(&p, lp, acts + 2 * s) - want) < 1e-5;
        fwd_ok &= isfinite(ludus_policy_entropy_of(&p, lp)) && ludus_policy_entropy_of(&p, lp) >= 0;
        for (int r = 0; r < 200; r++) {
            int32_t a[2];
            ludus_policy_act(&p, lp, &rng, r == 0, a);
            act_ok &= mask[s * A + a[0]] && mask[s * A + 5 + a[1]];
        }
        g[s] = 0.3f + 0.1f * s;
        e[s] = -0.05f * (s + 1);
    }
    CHECK_MSG(fwd_ok, "log-probabilities differ from the per-component masked log-softmax");
    CHECK_MSG(masked_ok, "masked values keep probability");
    CHECK_MSG(act_ok, "a masked value was chosen");
    float dl[S * A];
    memset(dl, 0, sizeof dl);
    ludus_policy_head_backward(&p, dl, ws.logp, acts, g, e, S);
    int grad_ok = 1;
    for (int s = 0; s < S; s++)
        for (int j = 0; j < A; j++) {
            for (int q = 0; q < A; q++) l[q] = ws.logits[s * A + q];
            if (!mask[s * A + j]) {
                grad_ok &= dl[s * A + j] == 0.0f;
                continue;
            }
            const double h = 1e-3;
            l[j] += h;
            double up = model_loss(l, mask + s * A, acts + 2 * s, g[s], e[s], nvec, 2);
            l[j] -= 2 * h;
            double dn = model_loss(l, mask + s * A, acts + 2 * s, g[s], e[s], nvec, 2);
            double fd = (up - dn) / (2 * h);
            if (fabs(fd - dl[s * A + j]) > 1e-3 + 1e-3 * fabs(fd)) {
                grad_ok = 0;
                fprintf(stderr, "sample %d logit %d: backward %g, finite differences %g\n", s, j, dl[s * A + j], fd);
            }
        }
    CHECK_MSG(grad_ok, "the head's backward differs from finite differences");
    free(st);
    ludus_policy_ws_destroy(&ws);
    ludus_policy_destroy(&p);
    ludus_env_destroy(env);
}

/* ---- actions in words ---- */

typedef struct reply_case {
    const char *text;
    int a0, a1; /* -1: invalid */
} reply_case;

static void check_replies(const char *id, const reply_case *cases, int n)
{
    ludus_env *env = make(id, NULL);
    if (!env) return;
    for (int i = 0; i < n; i++) {
        int32_t a[LUDUS_MAX_ACTION_DIMS] = {-7, -7};
        int rc = ludus_env_parse_action(env, cases[i].text, a);
        if (cases[i].a0 < 0) {
            CHECK_MSG(rc == LUDUS_EINVAL && strncmp(ludus_errmsg(), "invalid action", 14) == 0 && a[0] == -7,
                      "%s: '%s' should be invalid, got rc %d action %d (%s)", id, cases[i].text, rc, a[0],
                      ludus_errmsg());
        } else {
            CHECK_MSG(rc == LUDUS_OK && a[0] == cases[i].a0 && (cases[i].a1 < 0 || a[1] == cases[i].a1),
                      "%s: '%s' should be %d:%d, got rc %d action %d:%d (%s)", id, cases[i].text, cases[i].a0,
                      cases[i].a1, rc, a[0], a[1], ludus_errmsg());
        }
    }
    ludus_env_destroy(env);
}

static void test_parse(void)
{
    static const reply_case grid[] = {
        {"turn left", 0, -1}, {"turn right", 1, -1}, {"go forward", 2, -1}, {"pick up", 3, -1},
        {"drop", 4, -1}, {"toggle", 5, -1}, {"done", 6, -1},
        {"Turn Left", 0, -1}, {"  GO FORWARD  ", 2, -1}, {"go forward.", 2, -1}, {"\"toggle\"", 5, -1},
        {"pick_up", 3, -1}, {"pick-up", 3, -1}, {"pickup", 3, -1}, {"forward", 2, -1},
        {"move forward", 2, -1}, {"go\tforward\n", 2, -1}, {"**toggle**", 5, -1},
        {"I will go forward now.", 2, -1}, {"The best action is to turn right.", 1, -1},
        {"Action: pick up", 3, -1}, {"ACTION: drop", 4, -1},
        {"Let me think. The key is ahead, I should not drop it.\nAction: go forward", 2, -1},
        {"<|ACTION|>toggle<|END|>", 5, -1}, {"blah <|ACTION|> turn left <|END|> blah", 0, -1},
        {"<think>maybe drop, maybe toggle</think>turn left", 0, -1},
        {"go froward", 2, -1}, {"tunr left", 0, -1}, {"toggel", 5, -1}, {"dorp", 4, -1},
        {"turn left, then go forward", -1, -1}, {"pick up or drop", -1, -1},
        {"", -1, -1}, {"   ", -1, -1}, {"...!?", -1, -1}, {"jump", -1, -1}, {"fly to the moon", -1, -1},
        {"Action:", -1, -1}, {"<|ACTION|><|END|>", -1, -1}, {"42", -1, -1}, {"turn", -1, -1},
        {"\xc3\xa9\xc3\xa8", -1, -1}, {"left", -1, -1},
    };
    check_replies("BabyAI-GoToLocal-v0", grid, (int)(sizeof grid / sizeof grid[0]));
    /* Dynamic-Obstacles has 3 actions: the others are not its actions */
    static const reply_case dyn[] = {{"go forward", 2, -1}, {"turn left", 0, -1}, {"pick up", -1, -1},
                                     {"toggle", -1, -1}, {"done", -1, -1}};
    check_replies("MiniGrid-Dynamic-Obstacles-5x5-v0", dyn, (int)(sizeof dyn / sizeof dyn[0]));
    static const reply_case craft[] = {
        {"noop", 0, -1}, {"Noop", 0, -1}, {"move_left", 1, -1}, {"Move West", 1, -1}, {"move east", 2, -1},
        {"Move North", 3, -1}, {"move south", 4, -1}, {"do", 5, -1}, {"Do", 5, -1}, {"sleep", 6, -1},
        {"Place Stone", 7, -1}, {"place_table", 8, -1}, {"Place Furnace", 9, -1}, {"place plant", 10, -1},
        {"Make Wood Pickaxe", 11, -1}, {"make_stone_pickaxe", 12, -1}, {"Make Iron Pickaxe", 13, -1},
        {"make wood sword", 14, -1}, {"Make Stone Sword", 15, -1}, {"make_iron_sword", 16, -1},
        {"Action: Make Wood Pickaxe", 11, -1}, {"I will place a table: place table", 8, -1},
        {"make wood pickax", 11, -1}, {"move", -1, -1}, {"place", -1, -1}, {"make sword", -1, -1},
        {"move west then place stone", -1, -1}, {"go forward", -1, -1}, {"", -1, -1},
    };
    check_replies("Crafter-Reward-v1", craft, (int)(sizeof craft / sizeof craft[0]));
    static const reply_case keypad[] = {
        {"enter 3 in slot 2", 1, 3}, {"Enter 0 in slot 5.", 4, 0}, {"slot 1 digit 4", 0, 4},
        {"Action: enter 2 in slot 3", 2, 2}, {"put 1 into slot 4", 3, 1}, {"SLOT 2: 0", 1, 0},
        {"enter 3", -1, -1}, {"slot 2", -1, -1}, {"enter 9 in slot 2", -1, -1}, {"enter 1 in slot 6", -1, -1},
        {"enter 1 in slot 0", -1, -1}, {"enter 1 and 2 in slot 3", -1, -1}, {"slot 1 slot 2 digit 3", -1, -1},
        {"enter 99999999999 in slot 1", -1, -1}, {"", -1, -1}, {"turn left", -1, -1},
    };
    check_replies("Keypad-5x5-v0", keypad, (int)(sizeof keypad / sizeof keypad[0]));

    /* misuse */
    ludus_env *env = make("MiniGrid-Empty-5x5-v0", NULL);
    int32_t a[LUDUS_MAX_ACTION_DIMS];
    CHECK_ERR(ludus_env_parse_action(env, NULL, a), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "invalid action"));
    CHECK_ERR(ludus_env_parse_action(env, "go forward", NULL), LUDUS_EINVAL);
    CHECK_ERR(ludus_env_parse_action(NULL, "go forward", a), LUDUS_EINVAL);
    /* a huge reply: its last Action: line counts */
    size_t big = 1u << 20;
    char *huge = malloc(big + 64);
    for (size_t i = 0; i < big; i++) huge[i] = "abc tog le\n"[i % 11];
    strcpy(huge + big, "\nAction: toggle");
    CHECK_OK(ludus_env_parse_action(env, huge, a));
    CHECK_EQ(a[0], 5);
    huge[big] = 0; /* no marker: a megabyte of noise */
    CHECK_ERR(ludus_env_parse_action(env, huge, a), LUDUS_EINVAL);
    CHECK(strlen(ludus_errmsg()) < 1024);
    free(huge);
    ludus_env_destroy(env);
}

/* Random bytes (no NUL), random words from the names, random markers:
 * every reply is a legal action or a clean "invalid", never a crash. */
static void test_parse_fuzz(void)
{
    const char *ids[] = {"BabyAI-GoToLocal-v0", "Crafter-Reward-v1", "Keypad-6x10-v0"};
    static const char *const bits[] = {"go", "forward", "turn", "left", "right", "pick", "up", "drop", "toggle",
                                       "done", "Action:", "<|ACTION|>", "<|END|>", "<think>", "</think>",
                                       "move", "west", "place", "stone", "make", "wood", "pickaxe", "do",
                                       "slot", "enter", "3", "12", "slot 2", "enter 4 in slot 1", "digit 7", "-", "_", ".", "\n", " ", "\xff", "noop"};
    ludus_rng rng;
    ludus_rng_seed(&rng, 2024);
    char buf[512];
    for (int w = 0; w < 3; w++) {
        ludus_env *env = make(ids[w], NULL);
        if (!env) continue;
        const ludus_env_info *in = ludus_env_get_info(env);
        int bad = 0, ok = 0, invalid = 0;
        for (int it = 0; it < 20000; it++) {
            size_t n = 0;
            if (it & 1) {
                size_t len = (size_t)ludus_rng_integers(&rng, 0, 200);
                for (size_t i = 0; i < len; i++) buf[n++] = (char)ludus_rng_integers(&rng, 1, 256);
            } else {
                int words = (int)ludus_rng_integers(&rng, 0, 8);
                for (int k = 0; k < words; k++) {
                    const char *b = bits[ludus_rng_integers(&rng, 0, sizeof bits / sizeof bits[0])];
                    size_t l = strlen(b);
                    if (n + l + 2 >= sizeof buf) break;
                    memcpy(buf + n, b, l);
                    n += l;
                    if (ludus_rng_integers(&rng, 0, 2)) buf[n++] = ' ';
                }
            }
            buf[n] = 0;
            int32_t a[LUDUS_MAX_ACTION_DIMS] = {0};
            int rc = ludus_env_parse_action(env, buf, a);
            if (rc == LUDUS_OK) {
                ok++;
                int in_range = 1;
                for (int k = 0; k < in->action_dims; k++)
                    in_range &= a[k] >= 0 && a[k] < in->action_nvec[k];
                bad += !in_range;
            } else {
                invalid++;
                bad += rc != LUDUS_EINVAL || strncmp(ludus_errmsg(), "invalid action", 14) != 0;
            }
        }
        CHECK_MSG(bad == 0, "%s: %d replies gave an out-of-range action or another error", ids[w], bad);
        CHECK_MSG(ok > 100 && invalid > 100, "%s: %d parsed, %d invalid", ids[w], ok, invalid);
        ludus_env_destroy(env);
    }
}

int main(void)
{
    test_spaces();
    test_step_vec_is_step();
    test_keypad();
    test_vec();
    test_head();
    test_parse();
    test_parse_fuzz();
    test_ppo_keypad();
    return check_finish("test_actions");
}
