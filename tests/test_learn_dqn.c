/* test_learn_dqn.c: the DQN learner (src/learn/dqn.c, dqn_learner.c).
 * The math against reference models written here: the epsilon schedule,
 * dueling aggregation, Huber, plain and Double DQN targets, n-step
 * transitions (episode ends and truncations inside the window), the sum
 * tree (sampling distribution over many seeded draws, updates, importance
 * weights); the Q head's gradient against central finite differences; end
 * to end: Empty-5x5 learned to held-out success >= 0.95 (DoorKey-5x5 to
 * >= 0.85, uniform and prioritized, with LUDUS_LONG_TESTS=1); resume with the replay saved is exact; bad knobs
 * are refused with clear messages. Offline-to-online (RLPD's symmetric
 * sampling): the composition of mixed minibatches against a reference,
 * exact resume with a dataset (uniform and prioritized), and a dataset of
 * another world, a folder that is not one, a ratio out of range and a
 * state trained with other offline data refused with one-line messages.
 * Action branching (several components, legal-action masks): branched Q
 * values, targets and loss against references and finite differences,
 * masked greedy and random actions legal on random masks, bit-equality
 * with the plain functions for one branch, exact resume on Keypad with
 * masks in the replay, and a short Keypad training beating random.
 * The Q network's LayerNorm option (arch.layer_norm, RLPD's critic):
 * forward against a reference, scale invariance, gradient against finite
 * differences, checkpoint round trip and refusals. After a resume the
 * metrics' episode columns are the straight run's. The critic ensemble
 * (RLPD): the subsets drawn (distinct, uniform), the target (min over the
 * subset at one action) and each member's gradient against references
 * and central differences, exact resume, the agent's mean-Q action, and
 * bad sizes refused in one line.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "learn/dqn.h"
#include "learn/policy.h"
#include "learn/ppo_internal.h"
#include "ludus/data.h"
#include "ludus/learn.h"
#include "ludus/learner.h"
#include "ludus/run.h"

static void test_epsilon(void)
{
    /* reference: start + (end - start) * min(1, frame / (fraction * total)) */
    const float s = 1.0f, e = 0.05f, f = 0.25f;
    const uint64_t total = 100000;
    for (uint64_t fr = 0; fr <= total; fr += 1234) {
        double x = (double)fr / (f * total);
        double want = x >= 1 ? e : s + (e - s) * x;
        CHECK_MSG(fabs(ludus_dqn_epsilon(s, e, f, fr, total) - want) < 1e-6, "epsilon at %llu", (unsigned long long)fr);
    }
    CHECK(ludus_dqn_epsilon(s, e, 0.0f, 0, total) == e);
    CHECK(ludus_dqn_epsilon(s, e, f, 25000, total) == e);
    CHECK(fabsf(ludus_dqn_epsilon(s, e, f, 12500, total) - 0.525f) < 1e-6f);
}

static void test_dueling_and_targets(void)
{
    const int B = 2, A = 3;
    const float adv[6] = {1, 2, 6, -1, 0, 4}, val[2] = {0.5f, -2};
    float q[6];
    ludus_dqn_q_values(adv, val, B, A, 1, q);
    /* reference: V + A - mean(A): means 3 and 1 */
    const float want[6] = {0.5f - 2, 0.5f - 1, 0.5f + 3, -2 - 2, -2 - 1, -2 + 3};
    for (int i = 0; i < 6; i++) CHECK(fabsf(q[i] - want[i]) < 1e-6f);
    ludus_dqn_q_values(adv, val, B, A, 0, q);
    CHECK(memcmp(q, adv, sizeof q) == 0);
    /* the dueling backward against finite differences of sum(c * Q) */
    const float c[6] = {0.3f, -1.1f, 0.7f, 2.0f, 0.1f, -0.4f};
    float dadv[6], dval[2];
    ludus_dqn_q_backward(c, B, A, 1, dadv, dval);
    float a2[6], v2[2], qp[6], qm[6];
    for (int k = 0; k < 8; k++) {
        memcpy(a2, adv, sizeof a2);
        memcpy(v2, val, sizeof v2);
        float *x = k < 6 ? &a2[k] : &v2[k - 6];
        const float h = 1e-2f;
        *x += h;
        ludus_dqn_q_values(a2, v2, B, A, 1, qp);
        *x -= 2 * h;
        ludus_dqn_q_values(a2, v2, B, A, 1, qm);
        double fd = 0;
        for (int i = 0; i < 6; i++) fd += c[i] * (qp[i] - qm[i]) / (2 * h);
        float an = k < 6 ? dadv[k] : dval[k - 6];
        CHECK_MSG(fabs(fd - an) < 1e-3, "dueling gradient %d: %g vs %g", k, fd, (double)an);
    }
    /* Huber */
    float g;
    CHECK(fabsf(ludus_dqn_huber(0.5f, 1.0f, &g) - 0.125f) < 1e-7f && g == 0.5f);
    CHECK(fabsf(ludus_dqn_huber(-3.0f, 1.0f, &g) - 2.5f) < 1e-7f && g == -1.0f);
    CHECK(fabsf(ludus_dqn_huber(3.0f, 2.0f, &g) - 4.0f) < 1e-7f && g == 2.0f);
    /* targets: the online net prefers action 0, the target net action 2 */
    const float qon[3] = {5, 1, 2}, qtg[3] = {1, 3, 4};
    CHECK(fabsf(ludus_dqn_target(qon, qtg, 3, 0, 1.0f, 0.9f) - (1 + 0.9f * 4)) < 1e-6f); /* max of target */
    CHECK(fabsf(ludus_dqn_target(qon, qtg, 3, 1, 1.0f, 0.9f) - (1 + 0.9f * 1)) < 1e-6f); /* target at online's argmax */
    CHECK(ludus_dqn_target(qon, qtg, 3, 1, 0.25f, 0.0f) == 0.25f);                       /* terminal */
    /* the minibatch loss: weights scale each term, the gradient sits at the taken action */
    const float qq[6] = {1, 2, 3, 4, 5, 6}, y[2] = {0.5f, 10}, w[2] = {1, 0.5f};
    const int32_t acts[2] = {1, 0};
    float dq[6], td[2];
    double loss = ludus_dqn_loss(qq, acts, y, w, 2, 3, 1.0f, 2, dq, td);
    CHECK(fabsf(td[0] - 1.5f) < 1e-6f && fabsf(td[1] + 6.0f) < 1e-6f);
    CHECK(fabs(loss - (1.0 * 1.0 + 0.5 * 5.5) / 2) < 1e-6);
    CHECK(dq[1] == 0.5f && dq[3] == -0.25f && dq[0] == 0 && dq[2] == 0 && dq[4] == 0 && dq[5] == 0);
}

/* ---- n-step ---- */

typedef struct emitted {
    int t;           /* the step the transition starts at (its obs byte) */
    int32_t a;
    float ret, disc;
    int next;        /* the next observation's byte */
} emitted;

typedef struct sink {
    emitted e[4096];
    int n;
} sink;

static void collect(void *ctx, const uint8_t *obs, int32_t a, float ret, float disc, const uint8_t *next,
                    const int32_t *words)
{
    (void)words;
    sink *s = ctx;
    s->e[s->n++] = (emitted){obs[0] | obs[1] << 8, a, ret, disc, next[0] | next[1] << 8};
}

static void test_nstep(void)
{
    /* one world's trajectory of T steps; step t observes obs t, gets r_t;
     * ends: terminated or truncated after some steps. The next observation
     * after step t is t + 1, or 10000 + t when the episode ended there (the
     * final observation). */
    const int T = 300;
    const float gamma = 0.9f;
    ludus_rng rng;
    ludus_rng_seed(&rng, 5);
    float r[300];
    int term[300], trunc[300];
    for (int t = 0; t < T; t++) {
        r[t] = (float)ludus_rng_uniform(&rng, -1, 1);
        double u = ludus_rng_random(&rng);
        term[t] = u < 0.07;
        trunc[t] = !term[t] && u < 0.12;
    }
    term[T - 1] = 1; /* everything is emitted by the end */
    for (int n = 1; n <= 5; n++) {
        dqn_nstep ns;
        CHECK_OK(ludus_dqn_nstep_init(&ns, n, 1, 2, 0, gamma));
        static sink s;
        s.n = 0;
        for (int t = 0; t < T; t++) {
            uint8_t obs[2] = {(uint8_t)t, (uint8_t)(t >> 8)};
            int nx = term[t] || trunc[t] ? 10000 + t : t + 1;
            uint8_t next[2] = {(uint8_t)nx, (uint8_t)(nx >> 8)};
            ludus_dqn_nstep_push(&ns, 0, obs, t % 7, r[t], NULL, term[t], trunc[t], next, collect, &s);
        }
        /* reference: from each t, up to n steps, stopping after the step
         * that ends the episode */
        CHECK_EQ(s.n, T);
        for (int i = 0; i < s.n && i < T; i++) {
            int t = s.e[i].t;
            CHECK_EQ(t, i); /* oldest first */
            double ret = 0, g = 1;
            int k = 0, end = 0, terminal = 0;
            while (k < n && !end) {
                ret += g * r[t + k];
                g *= gamma;
                end = term[t + k] || trunc[t + k];
                terminal = term[t + k];
                k++;
            }
            int last = t + k - 1;
            int next = end ? 10000 + last : last + 1;
            CHECK_MSG(fabs(s.e[i].ret - ret) < 1e-5, "n=%d t=%d return %g vs %g", n, t, (double)s.e[i].ret, ret);
            CHECK_MSG(fabs(s.e[i].disc - (terminal ? 0.0 : g)) < 1e-6, "n=%d t=%d discount", n, t);
            CHECK_EQ(s.e[i].next, next);
            CHECK_EQ(s.e[i].a, t % 7);
        }
        ludus_dqn_nstep_free(&ns);
    }
}

/* ---- sum tree ---- */

static void test_sumtree(void)
{
    dqn_sumtree t;
    const int n = 37;
    CHECK_OK(ludus_dqn_sumtree_init(&t, n));
    double p[37], total = 0;
    ludus_rng rng;
    ludus_rng_seed(&rng, 9);
    for (int i = 0; i < n; i++) {
        p[i] = i % 5 == 0 ? 0.0 : ludus_rng_uniform(&rng, 0.1, 3.0);
        ludus_dqn_sumtree_set(&t, i, p[i]);
    }
    p[7] = 10.0; /* an update */
    ludus_dqn_sumtree_set(&t, 7, p[7]);
    for (int i = 0; i < n; i++) total += p[i];
    CHECK(fabs(ludus_dqn_sumtree_total(&t) - total) < 1e-9);
    /* find against the reference prefix sums */
    double pre = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] > 0) {
            CHECK_EQ(ludus_dqn_sumtree_find(&t, pre + p[i] * 0.001), i);
            CHECK_EQ(ludus_dqn_sumtree_find(&t, pre + p[i] * 0.999), i);
        }
        pre += p[i];
    }
    /* the sampling distribution over many seeded draws: each leaf's count
     * within 5 standard deviations of draws * p_i / total, zero-priority
     * leaves never drawn */
    const int draws = 200000, B = 32;
    int counts[37] = {0}, idx[32];
    float w[32];
    ludus_rng_seed(&rng, 11);
    for (int d = 0; d < draws / B; d++) {
        ludus_dqn_per_sample(&t, n, B, 0.5f, &rng, idx, w);
        float wmax = 0;
        for (int b = 0; b < B; b++) {
            counts[idx[b]]++;
            /* importance weights: (n P(i))^-beta over the batch's largest */
            if (w[b] > wmax) wmax = w[b];
        }
        CHECK(fabsf(wmax - 1.0f) < 1e-6f);
        double ref_max = 0;
        for (int b = 0; b < B; b++) ref_max = fmax(ref_max, pow(n * p[idx[b]] / total, -0.5));
        for (int b = 0; b < B; b++)
            CHECK(fabs(w[b] - pow(n * p[idx[b]] / total, -0.5) / ref_max) < 1e-5);
    }
    for (int i = 0; i < n; i++) {
        double mean = (double)draws * p[i] / total, sd = sqrt(mean * (1 - p[i] / total));
        if (p[i] == 0) CHECK_EQ(counts[i], 0);
        else CHECK_MSG(fabs(counts[i] - mean) < 5 * sd + 1, "leaf %d: %d draws, expected %.1f", i, counts[i], mean);
    }
    /* beta 1: weights proportional to 1 / p */
    ludus_dqn_per_sample(&t, n, B, 1.0f, &rng, idx, w);
    for (int b = 1; b < B; b++) CHECK(fabs(w[b] * p[idx[b]] - w[0] * p[idx[0]]) < 1e-4 * w[0] * p[idx[0]]);
    ludus_dqn_sumtree_free(&t);
}

/* ---- the Q head's gradient ---- */

static double loss_at(policy *pol, policy_ws *ws, const policy_batch *b, const int32_t *acts, const float *y,
                      const float *w, int dueling, float *q, float *dq, float *td)
{
    ludus_policy_forward(pol, pol->params.data, ws, b);
    ludus_dqn_q_values(ws->logits, ws->value, b->B, pol->num_actions, dueling, q);
    return ludus_dqn_loss(q, acts, y, w, b->B, pol->num_actions, 1.0f, b->B, dq, td);
}

static void test_gradient(void)
{
    ludus_env *env = NULL;
    CHECK_OK(ludus_env_make("MiniGrid-DoorKey-5x5-v0", NULL, &env));
    const ludus_env_info *info = ludus_env_get_info(env);
    policy_input in;
    CHECK_OK(ludus_policy_input_of(info, 0, &in));
    ludus_policy_arch arch = {.embed = 4, .conv1 = 4, .conv2 = 6, .kernel = 3, .hidden = 16, .head = 8,
                              .word_embed = 8, .max_words = 8};
    enum { B = 6 };
    uint8_t obs[B * 256];
    void *st = ludus_env_state_new(env);
    for (int b = 0; b < B; b++) {
        CHECK_OK(ludus_env_reset(env, st, (uint64_t)b + 3, obs + (size_t)b * info->obs_size));
        ludus_step_out so;
        for (int k = 0; k < b; k++) ludus_env_step(env, st, k % 3, obs + (size_t)b * info->obs_size, &so);
    }
    ludus_free(st);
    for (int run = 0; run < 4; run++) {
        const int dueling = run & 1;
        arch.layer_norm = run >> 1; /* RLPD's LayerNorm critic: the gains, biases and the layers under them */
        policy pol;
        policy_ws ws;
        CHECK_OK(ludus_policy_create(&pol, &arch, &in));
        ludus_rng rng;
        ludus_rng_seed(&rng, 3);
        CHECK_OK(ludus_policy_init(&pol, &rng));
        /* larger output layers than the 0.01 init, so the heads matter */
        for (size_t i = 0; i < pol.params.size; i++) pol.params.data[i] += 0.05f * (float)ludus_nn_normal(&rng);
        CHECK_OK(ludus_policy_ws_create(&ws, &pol, B));
        const int A = pol.num_actions;
        int32_t acts[B];
        float y[B], w[B], q[B * 16], dq[B * 16], td[B];
        for (int b = 0; b < B; b++) {
            acts[b] = (b * 5) % A;
            y[b] = b % 2 ? 3.0f : -0.02f * b; /* some in Huber's linear part, some in its square */
            w[b] = 0.5f + 0.1f * b;
        }
        policy_batch batch = {.L = 1, .B = B, .obs = obs};
        loss_at(&pol, &ws, &batch, acts, y, w, dueling, q, dq, td);
        ludus_dqn_q_backward(dq, B, A, dueling, ws.dlogits, ws.dvalue);
        memset(ws.grad, 0, pol.params.size * sizeof(float));
        ludus_policy_backward(&pol, pol.params.data, &ws, &batch);
        float *grad = malloc(pol.params.size * sizeof(float));
        memcpy(grad, ws.grad, pol.params.size * sizeof(float));
        /* the heads' and trunk's last layers, and a few others */
        size_t probe[] = {pol.a2_w, pol.a2_w + 5, pol.a2_b, pol.a2_b + 1, pol.v2_w, pol.v2_b, pol.a0_w + 3,
                          pol.v0_w + 7, pol.fc_w + 11, pol.fc_b + 2, pol.c2_w + 4, pol.a0_b + 1,
                          pol.fn_w + 1, pol.fn_b + 3, pol.an_w + 2, pol.an_b, pol.vn_w + 4, pol.vn_b + 1};
        int good = 0, tried = 0;
        for (size_t k = 0; k < sizeof probe / sizeof probe[0] - (arch.layer_norm ? 0 : 6); k++) {
            size_t i = probe[k];
            float keep = pol.params.data[i];
            const float h = 1e-2f;
            pol.params.data[i] = keep + h;
            double lp = loss_at(&pol, &ws, &batch, acts, y, w, dueling, q, dq, td);
            pol.params.data[i] = keep - h;
            double lm = loss_at(&pol, &ws, &batch, acts, y, w, dueling, q, dq, td);
            pol.params.data[i] = keep;
            double fd = (lp - lm) / (2 * h), an = grad[i];
            tried++;
            if (fabs(fd - an) <= 2e-3 + 2e-2 * fabs(fd)) good++;
            else fprintf(stderr, "dueling %d layer_norm %d param %zu: finite difference %g, backward %g\n", dueling,
                         arch.layer_norm, i, fd, an);
        }
        /* the value head only matters with dueling */
        if (!dueling) CHECK(grad[pol.v2_w] == 0.0f && grad[pol.v2_b] == 0.0f);
        else CHECK(grad[pol.v2_b] != 0.0f);
        if (arch.layer_norm && dueling) CHECK(grad[pol.vn_b] != 0.0f && grad[pol.fn_w + 1] != 0.0f);
        CHECK_EQ(good, tried);
        free(grad);
        ludus_policy_ws_destroy(&ws);
        ludus_policy_destroy(&pol);
    }
    ludus_env_destroy(env);
}

/* RLPD's mixed minibatch: round(ratio * B) offline rows first, each in
 * [0, n_offline), then the replay's, drawn in that order from the stream. */
static void test_mix_sample(void)
{
    const float ratios[] = {0.0f, 0.25f, 0.5f, 0.3f, 0.75f, 1.0f};
    const int Bs[] = {1, 2, 7, 64, 256};
    for (size_t r = 0; r < sizeof ratios / sizeof ratios[0]; r++)
        for (size_t j = 0; j < sizeof Bs / sizeof Bs[0]; j++) {
            const int B = Bs[j];
            const int want = (int)floor((double)ratios[r] * B + 0.5); /* the reference: halves round up */
            const int k = ludus_dqn_offline_rows(B, ratios[r]);
            CHECK_MSG(k == want, "ratio %g, B %d: %d offline rows, want %d", (double)ratios[r], B, k, want);
            int64_t idx[256], again[256], ref[256];
            ludus_rng a, b, c;
            ludus_rng_seed(&a, 7 + r * 31 + j);
            ludus_rng_seed(&b, 7 + r * 31 + j);
            ludus_rng_seed(&c, 7 + r * 31 + j);
            const int64_t n_off = 1000 + (int64_t)j, n_on = 37;
            ludus_dqn_mix_sample(&a, B, k, n_off, (int)n_on, idx);
            ludus_dqn_mix_sample(&b, B, k, n_off, (int)n_on, again);
            for (int i = 0; i < B; i++) ref[i] = ludus_rng_integers(&c, 0, i < k ? n_off : n_on);
            int off = 0;
            for (int i = 0; i < B; i++) {
                CHECK(idx[i] == again[i] && idx[i] == ref[i]);
                CHECK(idx[i] >= 0 && idx[i] < (i < k ? n_off : n_on));
                off += i < k;
            }
            CHECK_EQ(off, k);
        }
    CHECK_EQ(ludus_dqn_offline_rows(3, 0.5f), 2); /* 1.5 rounds up */
    CHECK_EQ(ludus_dqn_offline_rows(64, 0.5f), 32);
    /* uniform over the offline transitions: 20 of them, 40,000 draws */
    ludus_rng rng;
    ludus_rng_seed(&rng, 3);
    int64_t idx[200];
    long hits[20] = {0};
    for (int t = 0; t < 400; t++) {
        ludus_dqn_mix_sample(&rng, 200, 100, 20, 5, idx);
        for (int i = 0; i < 100; i++) hits[idx[i]]++;
        for (int i = 100; i < 200; i++) CHECK(idx[i] < 5);
    }
    for (int i = 0; i < 20; i++) CHECK_MSG(labs(hits[i] - 2000) < 200, "offline transition %d drawn %ld times", i, hits[i]);
}

/* ---- the learner ---- */

static const ludus_learner_ops *dqn_ops(void)
{
    const ludus_learner_ops *ops = NULL;
    CHECK_OK(ludus_learner_find("dqn", &ops));
    return ops;
}

/* Defaults for env_id with `json` (a flat object of run and learner keys) over them. */
static int make_config(const char *env_id, const char *json, ludus_run_config *run, ludus_dqn_config *cfg)
{
    ludus_run_config_default(run);
    snprintf(run->algo, sizeof run->algo, "dqn");
    snprintf(run->env_id, sizeof run->env_id, "%s", env_id);
    ludus_env *env = NULL;
    int rc = ludus_env_make(env_id, NULL, &env);
    if (rc) return rc;
    dqn_ops()->config_default(cfg, run, ludus_env_get_info(env));
    ludus_env_destroy(env);
    return json ? ludus_run_config_apply_flat(run, ludus_dqn_keys, cfg, sizeof *cfg, json) : LUDUS_OK;
}

static void train(void *self, int updates)
{
    double row[LUDUS_LEARNER_MAX_COLUMNS];
    for (int u = 0; u < updates; u++) CHECK_OK(dqn_ops()->update(self, row));
}

/* updates rows of metrics, LUDUS_LEARNER_MAX_COLUMNS apart, into rows */
static void train_rows(void *self, int updates, double *rows)
{
    for (int u = 0; u < updates; u++) CHECK_OK(dqn_ops()->update(self, rows + (size_t)u * LUDUS_LEARNER_MAX_COLUMNS));
}

/* The episode columns (episodes, return, success, length) of two runs' rows. */
static int same_episode_columns(const double *a, const double *b, int updates)
{
    for (int u = 0; u < updates; u++)
        for (int c = 0; c < 4; c++) {
            double x = a[(size_t)u * LUDUS_LEARNER_MAX_COLUMNS + c], y = b[(size_t)u * LUDUS_LEARNER_MAX_COLUMNS + c];
            if (!(x == y || (isnan(x) && isnan(y)))) {
                fprintf(stderr, "update %d column %d: %g straight, %g resumed\n", u, c, x, y);
                return 0;
            }
        }
    return 1;
}

static long file_bytes(const char *path, unsigned char **out)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *out = malloc((size_t)n + 1);
    if (fread(*out, 1, (size_t)n, f) != (size_t)n) n = -1;
    fclose(f);
    return n;
}

static int same_files(const char *a, const char *b)
{
    unsigned char *pa = NULL, *pb = NULL;
    long na = file_bytes(a, &pa), nb = file_bytes(b, &pb);
    int same = na > 0 && na == nb && memcmp(pa, pb, (size_t)na) == 0;
    free(pa);
    free(pb);
    return same;
}

static void test_resume_exact(const char *dir)
{
    const ludus_learner_ops *ops = dqn_ops();
    const char *knobs[] = {
        "{\"num_envs\": 4, \"rollout_steps\": 16, \"buffer_size\": 150, \"batch_size\": 16, \"learning_starts\": 64, "
        "\"prioritized\": 1, \"save_replay\": 1, \"n_step\": 3, \"target_update\": 7, \"tau\": 0.5}",
        "{\"num_envs\": 3, \"rollout_steps\": 20, \"buffer_size\": 5000, \"batch_size\": 8, \"learning_starts\": 32, "
        "\"prioritized\": 0, \"save_replay\": 1, \"n_step\": 1, \"dueling\": 0, \"double_q\": 0, \"train_freq\": 2, "
        "\"gradient_steps\": 3}",
    };
    /* DoorKey: levels of their own; Dynamic-Obstacles: short episodes
     * (collisions) and a random stream inside each world */
    const char *worlds[] = {"MiniGrid-DoorKey-5x5-v0", "MiniGrid-Dynamic-Obstacles-5x5-v0"};
    for (int k = 0; k < 2; k++) {
        ludus_run_config run;
        ludus_dqn_config cfg;
        CHECK_OK(make_config(worlds[k], knobs[k], &run, &cfg));
        run.total_steps = 2000;
        run.num_threads = k ? 3 : 2; /* minibatches of 16 and 8 split among 2 and 3 workers */
        void *a = NULL, *b = NULL;
        CHECK_OK(ops->create(&cfg, &run, &a));
        CHECK_OK(ops->create(&cfg, &run, &b));
        if (!a || !b) return;
        char c1[512], s1[512], c2[512], s2[512];
        snprintf(c1, sizeof c1, "%s/a.ckpt", dir);
        snprintf(s1, sizeof s1, "%s/a.state", dir);
        snprintf(c2, sizeof c2, "%s/b.ckpt", dir);
        snprintf(s2, sizeof s2, "%s/b.state", dir);
        double *ra = calloc((size_t)12 * LUDUS_LEARNER_MAX_COLUMNS, sizeof(double));
        double *rb = calloc((size_t)12 * LUDUS_LEARNER_MAX_COLUMNS, sizeof(double));
        train_rows(a, 12, ra); /* straight */
        train_rows(b, 6, rb);  /* half, saved, and resumed in a fresh learner */
        CHECK_OK(ops->save(b, c2, s2, NULL));
        ops->destroy(b);
        CHECK_OK(ops->create(&cfg, &run, &b));
        CHECK_OK(ops->load(b, c2, s2));
        CHECK_EQ(ops->steps(b), 6ull * cfg.rollout_steps * cfg.num_envs); /* loaded */
        train_rows(b, 6, rb + (size_t)6 * LUDUS_LEARNER_MAX_COLUMNS);
        /* the episodes under way at the save end with their whole length
         * and return: metrics.csv's episode columns are the straight run's */
        CHECK_MSG(same_episode_columns(ra, rb, 12), "resume %d: the episode columns differ from the straight run's", k);
        double ended = 0.0;
        for (int u = 6; u < 12; u++) ended += rb[(size_t)u * LUDUS_LEARNER_MAX_COLUMNS];
        if (k == 1) /* Dynamic-Obstacles' short episodes; DoorKey's run to 250 steps */
            CHECK_MSG(ended > 0.0, "resume %d: no episode ended after the resume (the test shows nothing)", k);
        free(ra);
        free(rb);
        CHECK_EQ(ops->steps(a), ops->steps(b));
        CHECK_OK(ops->save(a, c1, s1, NULL));
        CHECK_OK(ops->save(b, c2, s2, NULL));
        CHECK_MSG(same_files(c1, c2), "resume %d: the weights differ from the straight run's", k);
        CHECK_MSG(same_files(s1, s2), "resume %d: the training state differs from the straight run's", k);
        /* a state saved with the replay does not load into a config without */
        ludus_dqn_config other = cfg;
        other.save_replay = 0;
        void *c = NULL;
        CHECK_OK(ops->create(&other, &run, &c));
        CHECK_ERR(ops->load(c, c1, s1), LUDUS_EINVAL);
        CHECK(strstr(ludus_errmsg(), "save_replay") != NULL);
        /* a damaged state is an error, not a crash */
        CHECK_ERR(ops->load(c, c1, c1), LUDUS_EFORMAT);
        ops->destroy(c);
        ops->destroy(a);
        ops->destroy(b);
    }
}

static void test_bad_knobs(void)
{
    ludus_run_setup *s = NULL;
    CHECK_ERR(ludus_run_setup_create("MiniGrid-Empty-5x5-v0", "dqm", NULL, &s), LUDUS_ENOTFOUND);
    CHECK(strstr(ludus_errmsg(), "did you mean 'dqn'") != NULL);
    CHECK_ERR(ludus_run_setup_create("MiniGrid-Empty-5x5-v0", "dqn", "{\"n_stepz\": 3}", &s), LUDUS_EINVAL);
    CHECK_MSG(strstr(ludus_errmsg(), "did you mean \"n_step\"") != NULL, "%s", ludus_errmsg());
    CHECK_ERR(ludus_run_setup_create("MiniGrid-Empty-5x5-v0", "dqn", "{\"n_step\": 0}", &s), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "n_step") != NULL);
    CHECK_ERR(ludus_run_setup_create("MiniGrid-Empty-5x5-v0", "dqn", "{\"tau\": 1.5}", &s), LUDUS_EINVAL);
    CHECK_ERR(ludus_run_setup_create("MiniGrid-Empty-5x5-v0", "dqn", "{\"prioritized\": 2}", &s), LUDUS_EINVAL);
    CHECK_OK(ludus_run_setup_create("MiniGrid-Empty-5x5-v0", "dqn", "{\"batch_size\": 64, \"buffer_size\": 32}", &s));
    CHECK_ERR(ludus_run_setup_check(s), LUDUS_EINVAL);
    CHECK_MSG(strstr(ludus_errmsg(), "batch_size (64) exceeds buffer_size (32)") != NULL, "%s", ludus_errmsg());
    CHECK_OK(ludus_run_setup_set(s, "buffer_size", "1000"));
    CHECK_OK(ludus_run_setup_check(s));
    CHECK_OK(ludus_run_setup_set(s, "arch", "{\"memory\": 32}"));
    CHECK_ERR(ludus_run_setup_check(s), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "arch.memory") != NULL);
    CHECK_OK(ludus_run_setup_set(s, "arch", "{\"memory\": 0}"));
    CHECK_OK(ludus_run_setup_set(s, "eps_end", "0.5"));
    CHECK_OK(ludus_run_setup_set(s, "eps_start", "0.2"));
    CHECK_ERR(ludus_run_setup_check(s), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "eps_end") != NULL);
    ludus_run_setup_destroy(s);
    /* the critic ensemble's sizes */
    const char *bad_ens[][2] = {
        {"{\"ensemble\": 0}", "ensemble"},
        {"{\"ensemble\": 65}", "ensemble"},
        {"{\"ensemble\": -3}", "ensemble"},
        {"{\"ensemble\": 2.5}", "ensemble"},
        {"{\"ensemble_min\": -1}", "ensemble_min"},
        {"{\"ensemble\": 10, \"ensemble_min\": 11}", "ensemble_min (11) exceeds ensemble (10)"},
        {"{\"ensemble_min\": 2}", "ensemble_min (2) exceeds ensemble (1)"},
        {"{\"ensemble\": \"ten\"}", "ensemble"},
    };
    for (size_t i = 0; i < sizeof bad_ens / sizeof bad_ens[0]; i++) {
        s = NULL;
        int rc = ludus_run_setup_create("MiniGrid-Empty-5x5-v0", "dqn", bad_ens[i][0], &s);
        if (!rc) rc = ludus_run_setup_check(s);
        CHECK_MSG(rc == LUDUS_EINVAL, "%s: accepted", bad_ens[i][0]);
        CHECK_MSG(strstr(ludus_errmsg(), bad_ens[i][1]) != NULL && !strchr(ludus_errmsg(), '\n'), "%s: %s",
                  bad_ens[i][0], ludus_errmsg());
        ludus_run_setup_destroy(s);
    }
    CHECK_OK(ludus_run_setup_create("MiniGrid-Empty-5x5-v0", "dqn", "{\"ensemble\": 10, \"ensemble_min\": 10}", &s));
    CHECK_OK(ludus_run_setup_check(s));
    ludus_run_setup_destroy(s);
    /* worlds of several components or a mask: refused in one line */
    ludus_run_config run;
    ludus_dqn_config cfg;
    CHECK_OK(make_config("Keypad-5x5-v0", "{\"ensemble\": 2}", &run, &cfg));
    void *self = NULL;
    CHECK_ERR(dqn_ops()->create(&cfg, &run, &self), LUDUS_EUNSUPPORTED);
    CHECK_MSG(strstr(ludus_errmsg(), "ensemble 2") != NULL, "%s", ludus_errmsg());
}

/* A dataset of `episodes` random episodes of env_id under dir; its folder into path. */
static void random_dataset(const char *dir, const char *env_id, int episodes, char *path, size_t cap)
{
    ludus_agent *agent = NULL;
    CHECK_OK(ludus_agent_random(&agent));
    ludus_collect_config cc = {.env_id = env_id, .episodes = episodes, .seed = 5, .train_levels = 10};
    CHECK_OK(ludus_dataset_collect(agent, &cc, dir, path, cap));
    ludus_agent_destroy(agent);
}

/* Offline-to-online: a resumed run with a dataset is the straight one
 * (uniform and prioritized replay), and bad input is refused. */
static void test_offline_to_online(const char *dir)
{
    const ludus_learner_ops *ops = dqn_ops();
    char dk[1024], empty[1024], cfgjson[2048];
    random_dataset(dir, "MiniGrid-DoorKey-5x5-v0", 6, dk, sizeof dk);
    random_dataset(dir, "MiniGrid-Empty-5x5-v0", 2, empty, sizeof empty);
    for (int k = 0; k < 2; k++) {
        snprintf(cfgjson, sizeof cfgjson,
                 "{\"num_envs\": 3, \"rollout_steps\": 16, \"buffer_size\": 500, \"batch_size\": 16, "
                 "\"learning_starts\": 40, \"save_replay\": 1, \"prioritized\": %d, \"offline_ratio\": %s, "
                 "\"target_update\": 5, \"gradient_steps\": 2, \"dataset\": \"%s\"}",
                 k, k ? "0.25" : "0.5", dk);
        ludus_run_config run;
        ludus_dqn_config cfg;
        CHECK_OK(make_config("MiniGrid-DoorKey-5x5-v0", cfgjson, &run, &cfg));
        run.total_steps = 2000;
        run.num_threads = 2;
        void *a = NULL, *b = NULL;
        CHECK_OK(ops->create(&cfg, &run, &a));
        CHECK_OK(ops->create(&cfg, &run, &b));
        if (!a || !b) return;
        char c1[1100], s1[1100], c2[1100], s2[1100];
        snprintf(c1, sizeof c1, "%s/oa.ckpt", dir);
        snprintf(s1, sizeof s1, "%s/oa.state", dir);
        snprintf(c2, sizeof c2, "%s/ob.ckpt", dir);
        snprintf(s2, sizeof s2, "%s/ob.state", dir);
        train(a, 8);
        train(b, 4);
        CHECK_OK(ops->save(b, c2, s2, NULL));
        ops->destroy(b);
        CHECK_OK(ops->create(&cfg, &run, &b));
        CHECK_OK(ops->load(b, c2, s2));
        train(b, 4);
        CHECK_OK(ops->save(a, c1, s1, NULL));
        CHECK_OK(ops->save(b, c2, s2, NULL));
        CHECK_MSG(same_files(c1, c2), "offline-to-online resume %d: the weights differ from the straight run's", k);
        CHECK_MSG(same_files(s1, s2), "offline-to-online resume %d: the state differs from the straight run's", k);
        /* the offline rows move the network: the same run without the dataset ends elsewhere */
        ludus_dqn_config plain = cfg;
        plain.dataset[0] = '\0';
        void *p = NULL;
        CHECK_OK(ops->create(&plain, &run, &p));
        if (p) {
            train(p, 8);
            char c3[1100], s3[1100];
            snprintf(c3, sizeof c3, "%s/op.ckpt", dir);
            snprintf(s3, sizeof s3, "%s/op.state", dir);
            CHECK_OK(ops->save(p, c3, s3, NULL));
            CHECK(!same_files(c1, c3));
            /* a state trained with offline data does not load without it */
            CHECK_ERR(ops->load(p, c1, s1), LUDUS_EINVAL);
            CHECK_MSG(strstr(ludus_errmsg(), "offline transitions") != NULL, "%s", ludus_errmsg());
            ops->destroy(p);
        }
        ops->destroy(a);
        ops->destroy(b);
    }
    /* bad input */
    ludus_run_config run;
    ludus_dqn_config cfg;
    void *self = NULL;
    CHECK_OK(make_config("MiniGrid-DoorKey-5x5-v0", NULL, &run, &cfg));
    snprintf(cfg.dataset, sizeof cfg.dataset, "%s", empty);
    CHECK_ERR(ops->create(&cfg, &run, &self), LUDUS_EINVAL);
    CHECK_MSG(strstr(ludus_errmsg(), "was recorded in world MiniGrid-Empty-5x5-v0, not MiniGrid-DoorKey-5x5-v0") != NULL &&
                  strchr(ludus_errmsg(), '\n') == NULL && self == NULL, "%s", ludus_errmsg());
    snprintf(cfg.dataset, sizeof cfg.dataset, "%s", dir); /* a folder, not a dataset */
    CHECK_ERR(ops->create(&cfg, &run, &self), LUDUS_ENOTFOUND);
    CHECK_MSG(strstr(ludus_errmsg(), "dqn: dataset") != NULL && self == NULL, "%s", ludus_errmsg());
    CHECK_OK(make_config("MiniGrid-DoorKey-5x5-v0", NULL, &run, &cfg));
    snprintf(run.env_options, sizeof run.env_options, "agent_view_size=5"); /* the same world, another layout */
    snprintf(cfg.dataset, sizeof cfg.dataset, "%s", dk);
    int rc = ops->create(&cfg, &run, &self);
    CHECK_MSG(rc == LUDUS_EINVAL && self == NULL && strstr(ludus_errmsg(), "its observations (148 bytes") != NULL,
              "another layout: %d %s", rc, ludus_errmsg());
    if (self) ops->destroy(self);
    self = NULL;
    ludus_run_setup *s = NULL;
    CHECK_ERR(ludus_run_setup_create("MiniGrid-DoorKey-5x5-v0", "dqn", "{\"offline_ratio\": 1.5}", &s), LUDUS_EINVAL);
    CHECK_MSG(strstr(ludus_errmsg(), "\"offline_ratio\" = 1.5 is outside [0, 1]") != NULL, "%s", ludus_errmsg());
    CHECK_ERR(ludus_run_setup_create("MiniGrid-DoorKey-5x5-v0", "dqn", "{\"offline_ratio\": -0.1}", &s), LUDUS_EINVAL);
}

/* Held-out success of the learner's agent as eval.json measures it (not
 * greedy: epsilon-greedy with eval_epsilon, drawn from each world's
 * stream); a greedy pass runs too. */
/* ---- the LayerNorm option of the Q network (arch.layer_norm) ---- */

/* torch.nn.LayerNorm of one row, in double: (x - mean) / sqrt(var + 1e-5) * g + b. */
static void ref_layernorm(const float *x, const float *g, const float *b, int C, double *out)
{
    double m = 0.0, v = 0.0;
    for (int c = 0; c < C; c++) m += x[c];
    m /= C;
    for (int c = 0; c < C; c++) v += (x[c] - m) * (x[c] - m);
    v /= C;
    for (int c = 0; c < C; c++) out[c] = (x[c] - m) / sqrt(v + 1e-5) * g[c] + b[c];
}

/* row (n) = W (n, k) x (k) + bias, in double */
static void ref_linear(const float *W, const float *bias, const double *x, int n, int k, double *out)
{
    for (int i = 0; i < n; i++) {
        double acc = bias[i];
        for (int j = 0; j < k; j++) acc += (double)W[(size_t)i * k + j] * x[j];
        out[i] = acc;
    }
}

static double max_diff(const float *a, const double *b, int n)
{
    double m = 0.0;
    for (int i = 0; i < n; i++) m = fmax(m, fabs((double)a[i] - b[i]));
    return m;
}

static void test_layer_norm(const char *dir)
{
    ludus_env *env = NULL;
    CHECK_OK(ludus_env_make("MiniGrid-DoorKey-5x5-v0", NULL, &env));
    const ludus_env_info *info = ludus_env_get_info(env);
    policy_input in;
    CHECK_OK(ludus_policy_input_of(info, 0, &in));
    ludus_policy_arch arch = {.embed = 4, .conv1 = 4, .conv2 = 6, .kernel = 3, .hidden = 16, .head = 8,
                              .word_embed = 8, .max_words = 8, .layer_norm = 1};
    ludus_policy_arch plain = arch;
    plain.layer_norm = 0;
    enum { B = 5, H = 16, HD = 8 };
    uint8_t obs[B * 256];
    void *st = ludus_env_state_new(env);
    for (int b = 0; b < B; b++) {
        CHECK_OK(ludus_env_reset(env, st, (uint64_t)b + 11, obs + (size_t)b * info->obs_size));
        ludus_step_out so;
        for (int k = 0; k < b; k++) ludus_env_step(env, st, (k + 1) % 3, obs + (size_t)b * info->obs_size, &so);
    }
    ludus_free(st);
    policy pol, ref;
    policy_ws ws, rws;
    CHECK_OK(ludus_policy_create(&pol, &arch, &in));
    CHECK_OK(ludus_policy_create(&ref, &plain, &in));
    /* the LayerNorms add six tensors, two per norm, and nothing else */
    CHECK_EQ(pol.params.count, ref.params.count + 6);
    const char *norms[] = {"fc_norm.weight", "fc_norm.bias", "actor.1.weight", "actor.1.bias", "critic.1.weight",
                           "critic.1.bias"};
    for (int t = 0; t < 6; t++) {
        const ludus_nn_tensor *x = ludus_nn_params_find(&pol.params, norms[t]);
        CHECK(x != NULL && (int)x->numel == (t < 2 ? H : HD) && !ludus_nn_params_find(&ref.params, norms[t]));
    }
    ludus_rng rng;
    ludus_rng_seed(&rng, 5);
    CHECK_OK(ludus_policy_init(&pol, &rng));
    float *P = pol.params.data;
    for (int j = 0; j < H; j++) CHECK(P[pol.fn_w + j] == 1.0f && P[pol.fn_b + j] == 0.0f); /* torch's init */
    for (int j = 0; j < HD; j++) CHECK(P[pol.an_w + j] == 1.0f && P[pol.vn_w + j] == 1.0f && P[pol.vn_b + j] == 0.0f);
    for (size_t i = 0; i < pol.params.size; i++) P[i] += 0.1f * (float)ludus_nn_normal(&rng);
    /* the plain network: the same tensors by name */
    for (int t = 0; t < ref.params.count; t++) {
        const ludus_nn_tensor *a = &ref.params.tensors[t], *b = ludus_nn_params_find(&pol.params, a->name);
        CHECK(b != NULL && b->numel == a->numel);
        if (b) memcpy(ref.params.data + a->offset, P + b->offset, a->numel * sizeof(float));
    }
    CHECK_OK(ludus_policy_ws_create(&ws, &pol, B));
    CHECK_OK(ludus_policy_ws_create(&rws, &ref, B));
    policy_batch batch = {.L = 1, .B = B, .obs = obs};
    ludus_policy_forward(&pol, P, &ws, &batch);
    ludus_policy_forward(&ref, ref.params.data, &rws, &batch);
    const int A = pol.num_actions;
    double worst = 0.0;
    for (int s = 0; s < B; s++) {
        /* the trunk's pre-activation is the plain network's: relu of it is its fc */
        const float *pre = ws.fcpre + (size_t)s * H;
        for (int j = 0; j < H; j++) worst = fmax(worst, fabs(fmax(pre[j], 0.0) - rws.fc[(size_t)s * H + j]));
        double f[H], a1[HD], v1[HD], lg[16], val;
        ref_layernorm(pre, P + pol.fn_w, P + pol.fn_b, H, f);
        for (int j = 0; j < H; j++) f[j] = fmax(f[j], 0.0);
        worst = fmax(worst, max_diff(ws.fc + (size_t)s * H, f, H));
        /* each head: tanh(LayerNorm(W z + b)), then its output layer */
        double pa[HD], pv[HD];
        ref_linear(P + pol.a0_w, P + pol.a0_b, f, HD, H, pa);
        ref_linear(P + pol.v0_w, P + pol.v0_b, f, HD, H, pv);
        float fa[HD], fv[HD];
        for (int j = 0; j < HD; j++) {
            fa[j] = (float)pa[j];
            fv[j] = (float)pv[j];
        }
        ref_layernorm(fa, P + pol.an_w, P + pol.an_b, HD, a1);
        ref_layernorm(fv, P + pol.vn_w, P + pol.vn_b, HD, v1);
        for (int j = 0; j < HD; j++) {
            a1[j] = tanh(a1[j]);
            v1[j] = tanh(v1[j]);
        }
        ref_linear(P + pol.a2_w, P + pol.a2_b, a1, A, HD, lg);
        ref_linear(P + pol.v2_w, P + pol.v2_b, v1, 1, HD, &val);
        worst = fmax(worst, max_diff(ws.logits + (size_t)s * A, lg, A));
        worst = fmax(worst, fabs(ws.value[s] - val));
    }
    CHECK_MSG(worst < 1e-4, "layer_norm forward against the reference: largest difference %g", worst);
    /* LayerNorm makes the network blind to the scale of the layer under it */
    float *logits = malloc((size_t)B * A * sizeof(float));
    memcpy(logits, ws.logits, (size_t)B * A * sizeof(float));
    for (size_t i = 0; i < (size_t)H * pol.flat; i++) P[pol.fc_w + i] *= 4.0f;
    for (int j = 0; j < H; j++) P[pol.fc_b + j] *= 4.0f;
    ludus_policy_forward(&pol, P, &ws, &batch);
    worst = 0.0;
    for (int i = 0; i < B * A; i++) worst = fmax(worst, fabs(logits[i] - ws.logits[i]));
    CHECK_MSG(worst < 1e-4, "layer_norm: scaling fc by 4 moved the Q values by %g", worst);
    free(logits);
    ludus_policy_ws_destroy(&ws);
    ludus_policy_ws_destroy(&rws);
    ludus_policy_destroy(&pol);
    ludus_policy_destroy(&ref);
    /* the arch round-trips through JSON; off, it is left out, as before it existed */
    char buf[512];
    ludus_policy_arch back;
    ludus_policy_arch_to_json(&arch, buf, sizeof buf);
    CHECK(strstr(buf, "\"layer_norm\": 1") != NULL);
    CHECK_OK(ludus_policy_arch_from_json(buf, &back));
    CHECK_EQ(back.layer_norm, 1);
    ludus_policy_arch_to_json(&plain, buf, sizeof buf);
    CHECK(strstr(buf, "layer_norm") == NULL);
    CHECK_OK(ludus_policy_arch_from_json(buf, &back));
    CHECK_EQ(back.layer_norm, 0);
    /* where it cannot apply: a LayerNorm over one value is constant */
    ludus_policy_arch narrow = arch;
    narrow.head = 1;
    policy bad;
    CHECK_ERR(ludus_policy_create(&bad, &narrow, &in), LUDUS_EINVAL);
    CHECK_MSG(strstr(ludus_errmsg(), "layer_norm needs hidden and head >= 2") != NULL && !strchr(ludus_errmsg(), '\n'),
              "%s", ludus_errmsg());
    ludus_policy_destroy(&bad);
    ludus_env_destroy(env);
    /* through the learner: trains, saves with its checkpoint, loads into a
     * learner of the same arch and is refused by one without it */
    const ludus_learner_ops *ops = dqn_ops();
    ludus_run_config run;
    ludus_dqn_config cfg;
    CHECK_OK(make_config("MiniGrid-DoorKey-5x5-v0",
                         "{\"num_envs\": 4, \"rollout_steps\": 16, \"buffer_size\": 500, \"batch_size\": 16, "
                         "\"learning_starts\": 64, \"save_replay\": 1, \"arch\": {\"layer_norm\": 1}}",
                         &run, &cfg));
    CHECK_EQ(cfg.arch.layer_norm, 1);
    run.total_steps = 2000;
    void *a = NULL, *b = NULL, *c = NULL;
    CHECK_OK(ops->create(&cfg, &run, &a));
    CHECK_OK(ops->create(&cfg, &run, &b));
    if (!a || !b) return;
    char c1[512], s1[512], c2[512], s2[512];
    snprintf(c1, sizeof c1, "%s/ln.ckpt", dir);
    snprintf(s1, sizeof s1, "%s/ln.state", dir);
    snprintf(c2, sizeof c2, "%s/ln2.ckpt", dir);
    snprintf(s2, sizeof s2, "%s/ln2.state", dir);
    train(a, 8);
    CHECK_OK(ops->save(a, c1, s1, NULL));
    CHECK_OK(ops->load(b, c1, s1));
    CHECK_OK(ops->save(b, c2, s2, NULL));
    CHECK_MSG(same_files(c1, c2) && same_files(s1, s2), "layer_norm: a loaded learner saves other bytes");
    ludus_nn_file *f = NULL;
    CHECK_OK(ludus_nn_file_open(c1, &f));
    if (f) {
        const char *arch_json = ludus_nn_file_meta(f, "ludus.arch");
        CHECK(arch_json && strstr(arch_json, "\"layer_norm\": 1"));
        float *gain = malloc((size_t)cfg.arch.head * sizeof(float));
        CHECK_OK(ludus_nn_file_read(f, "actor.1.weight", gain, (size_t)cfg.arch.head));
        int moved = 0; /* trained away from torch's 1 */
        for (int j = 0; j < cfg.arch.head; j++) moved += gain[j] != 1.0f;
        CHECK(moved > 0);
        free(gain);
        ludus_nn_file_close(f);
    }
    ludus_dqn_config off = cfg;
    off.arch.layer_norm = 0;
    CHECK_OK(ops->create(&off, &run, &c));
    if (c) {
        CHECK_ERR(ops->load(c, c1, NULL), LUDUS_EINVAL);
        CHECK_MSG(!strchr(ludus_errmsg(), '\n'), "%s", ludus_errmsg());
        ops->destroy(c);
    }
    ops->destroy(a);
    ops->destroy(b);
    cfg.arch.hidden = 1;
    CHECK_ERR(ops->create(&cfg, &run, &c), LUDUS_EINVAL);
    CHECK(c == NULL && strstr(ludus_errmsg(), "layer_norm") != NULL);
}

static double heldout_success(void *self, const char *env_id, int episodes)
{
    ludus_agent *agent = NULL;
    CHECK_OK(dqn_ops()->agent(self, NULL, &agent));
    ludus_eval_config ec = {.env_id = env_id, .level_start = LUDUS_HELDOUT_START, .level_count = 1000,
                            .episodes = episodes, .greedy = 0, .seed = 1};
    ludus_eval_result res, greedy;
    memset(&res, 0, sizeof res);
    int rc = ludus_eval_run(agent, &ec, &res);
    CHECK_OK(rc);
    ec.greedy = 1;
    ec.episodes = 20;
    CHECK_OK(ludus_eval_run(agent, &ec, &greedy));
    ludus_agent_destroy(agent);
    return rc ? 0.0 : res.success.mean;
}

static void test_learns(const char *env_id, const char *json, uint64_t steps, double want)
{
    const ludus_learner_ops *ops = dqn_ops();
    ludus_run_config run;
    ludus_dqn_config cfg;
    CHECK_OK(make_config(env_id, json, &run, &cfg));
    run.total_steps = steps;
    void *self = NULL;
    CHECK_OK(ops->create(&cfg, &run, &self));
    if (!self) return;
    double row[LUDUS_LEARNER_MAX_COLUMNS];
    while (ops->steps(self) < steps) CHECK_OK(ops->update(self, row));
    double s = heldout_success(self, env_id, 200);
    /* the agent refuses a world of another observation layout */
    ludus_agent *agent = NULL;
    ludus_env *other = NULL;
    CHECK_OK(ops->agent(self, NULL, &agent));
    CHECK_OK(ludus_env_make("CrafterReward-v1", NULL, &other));
    CHECK_ERR(ludus_agent_bind(agent, other, 4), LUDUS_EINVAL);
    CHECK_MSG(strstr(ludus_errmsg(), "CrafterReward-v1: the grid encoder does not fit") != NULL, "%s", ludus_errmsg());
    ludus_env_destroy(other);
    ludus_agent_destroy(agent);
    printf("%s: held-out success %.3f (epsilon 0.01) after %llu frames (wanted >= %.2f)\n", env_id, s,
           (unsigned long long)steps, want);
    CHECK_MSG(s >= want, "%s: held-out success %.3f < %.2f", env_id, s, want);
    ops->destroy(self);
}

/* The shipped easy-maze recipe (configs/dqn-maze-easy.json: Maze-v0 with
 * walls=25) for its 1M frames, seed 1, then held-out success of the
 * learner's agent (the recipe's eval_epsilon 0.05) on levels from
 * LUDUS_HELDOUT_START in the same options; `ludus train` made this run
 * 0.735 over 1000 episodes (seeds 2 and 3: 0.781, 0.548; with one thread
 * 0.525, 0.785, 0.699; the earlier recipe at lr 5e-4 0.538, 0.210, 0.282;
 * a random agent 0.108; docs/learning.md). */
static void test_learns_maze(double want)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/configs/dqn-maze-easy.json", LUDUS_SOURCE_DIR);
    unsigned char *json = NULL;
    long n = file_bytes(path, &json);
    CHECK_MSG(n > 0, "cannot read %s", path);
    if (n <= 0) return;
    json[n] = 0;
    const ludus_learner_ops *ops = dqn_ops();
    ludus_run_config run;
    ludus_dqn_config cfg;
    CHECK_OK(make_config("Maze-v0", (const char *)json, &run, &cfg));
    free(json);
    CHECK(strcmp(run.env_options, "walls=25") == 0);
    run.num_threads = 2; /* `ludus train`'s default, so this is the documented seed-1 run */
    void *self = NULL;
    CHECK_OK(ops->create(&cfg, &run, &self));
    if (!self) return;
    double row[LUDUS_LEARNER_MAX_COLUMNS];
    while (ops->steps(self) < run.total_steps) CHECK_OK(ops->update(self, row));
    ludus_agent *agent = NULL;
    CHECK_OK(ops->agent(self, NULL, &agent));
    ludus_eval_config ec = {.env_id = "Maze-v0", .env_options = run.env_options, .level_start = LUDUS_HELDOUT_START,
                            .level_count = 1000, .episodes = 500, .greedy = 0, .seed = 1};
    ludus_eval_result res;
    memset(&res, 0, sizeof res);
    CHECK_OK(ludus_eval_run(agent, &ec, &res));
    ludus_agent_destroy(agent);
    printf("Maze-v0 (walls=25): held-out success %.3f [%.3f, %.3f] after %llu frames (wanted >= %.2f)\n",
           res.success.mean, res.success.lo, res.success.hi, (unsigned long long)run.total_steps, want);
    CHECK_MSG(res.success.mean >= want, "Maze-v0 walls=25: held-out success %.3f < %.2f", res.success.mean, want);
    ops->destroy(self);
}

/* ---- action branching ---- */

/* The reference Huber, written again here. */
static double ref_huber(double x, double delta)
{
    return fabs(x) <= delta ? 0.5 * x * x : delta * (fabs(x) - 0.5 * delta);
}

/* The legal argmax of one branch, first largest (reference). */
static int ref_argmax(const float *q, const uint8_t *m, int n)
{
    int best = -1;
    for (int i = 0; i < n; i++)
        if ((!m || m[i]) && (best < 0 || q[i] > q[best])) best = i;
    return best;
}

static void random_mask(ludus_rng *rng, const int *nvec, int D, uint8_t *m)
{
    for (int d = 0, o = 0; d < D; o += nvec[d], d++) {
        for (int i = 0; i < nvec[d]; i++) m[o + i] = ludus_rng_random(rng) < 0.4;
        m[o + ludus_rng_integers(rng, 0, nvec[d])] = 1; /* at least one legal value */
    }
}

static void test_branching_math(void)
{
    enum { D = 3, A = 9, B = 2 };
    const int nvec[D] = {3, 4, 2};
    ludus_rng rng;
    ludus_rng_seed(&rng, 11);
    float adv[B * A], val[B], q[B * A];
    for (int i = 0; i < B * A; i++) adv[i] = (float)ludus_nn_normal(&rng);
    for (int b = 0; b < B; b++) val[b] = (float)ludus_nn_normal(&rng);
    /* dueling: V + A_d - mean(A_d) per branch (reference) */
    ludus_dqn_branch_q_values(adv, val, B, D, nvec, 1, q);
    for (int b = 0; b < B; b++)
        for (int d = 0, o = 0; d < D; o += nvec[d], d++) {
            double mean = 0;
            for (int i = 0; i < nvec[d]; i++) mean += adv[b * A + o + i] / nvec[d];
            for (int i = 0; i < nvec[d]; i++)
                CHECK(fabs(q[b * A + o + i] - (val[b] + adv[b * A + o + i] - mean)) < 1e-5);
        }
    ludus_dqn_branch_q_values(adv, val, B, D, nvec, 0, q);
    CHECK(memcmp(q, adv, sizeof q) == 0);
    /* its backward against central differences of sum(c * Q) */
    float c[B * A], dadv[B * A], dval[B], a2[B * A], v2[B], qp[B * A], qm[B * A];
    for (int i = 0; i < B * A; i++) c[i] = (float)ludus_nn_normal(&rng);
    ludus_dqn_branch_q_backward(c, B, D, nvec, 1, dadv, dval);
    for (int k = 0; k < B * A + B; k++) {
        memcpy(a2, adv, sizeof a2);
        memcpy(v2, val, sizeof v2);
        float *x = k < B * A ? &a2[k] : &v2[k - B * A];
        const float h = 1e-2f;
        *x += h;
        ludus_dqn_branch_q_values(a2, v2, B, D, nvec, 1, qp);
        *x -= 2 * h;
        ludus_dqn_branch_q_values(a2, v2, B, D, nvec, 1, qm);
        double fd = 0;
        for (int i = 0; i < B * A; i++) fd += c[i] * (qp[i] - qm[i]) / (2 * h);
        float an = k < B * A ? dadv[k] : dval[k - B * A];
        CHECK_MSG(fabs(fd - an) < 2e-3, "branched dueling gradient %d: %g vs %g", k, fd, (double)an);
    }
    /* targets: the mean over branches of each branch's (double-)Q at its
     * legal argmax, under the next state's mask */
    float qon[A], qtg[A];
    uint8_t m[A];
    for (int t = 0; t < 200; t++) {
        for (int i = 0; i < A; i++) {
            qon[i] = (float)ludus_nn_normal(&rng);
            qtg[i] = (float)ludus_nn_normal(&rng);
        }
        random_mask(&rng, nvec, D, m);
        for (int dq_ = 0; dq_ <= 1; dq_++) {
            double sum = 0;
            for (int d = 0, o = 0; d < D; o += nvec[d], d++)
                sum += qtg[o + ref_argmax((dq_ ? qon : qtg) + o, m + o, nvec[d])];
            const double want = 0.5 + 0.9 * (sum / D);
            CHECK(fabs(ludus_dqn_branch_target(qon, qtg, m, D, nvec, dq_, 0.5f, 0.9f) - want) < 1e-5);
        }
        CHECK(ludus_dqn_branch_target(qon, qtg, m, D, nvec, 1, 0.25f, 0.0f) == 0.25f);
        /* the greedy action never picks an illegal value; it is the legal
         * argmax; random actions are legal too */
        int32_t act[D], rnd[D];
        CHECK_EQ(ludus_dqn_branch_greedy(qon, m, D, nvec, act), 0);
        ludus_dqn_branch_random(&rng, m, D, nvec, rnd);
        for (int d = 0, o = 0; d < D; o += nvec[d], d++) {
            CHECK(act[d] >= 0 && act[d] < nvec[d] && m[o + act[d]]);
            CHECK_EQ(act[d], ref_argmax(qon + o, m + o, nvec[d]));
            CHECK(rnd[d] >= 0 && rnd[d] < nvec[d] && m[o + rnd[d]]);
        }
    }
    /* a branch with no legal value is reported */
    memset(m, 1, sizeof m);
    memset(m + 3, 0, 4);
    int32_t act[D];
    CHECK_EQ(ludus_dqn_branch_greedy(qon, m, D, nvec, act), -1);
    /* random legal values are uniform: branch 1 with values 0 and 3 legal */
    const uint8_t m2[A] = {1, 1, 1, 1, 0, 0, 1, 1, 1};
    long hits[4] = {0};
    for (int t = 0; t < 20000; t++) {
        ludus_dqn_branch_random(&rng, m2, D, nvec, act);
        hits[act[1]]++;
    }
    CHECK(hits[1] == 0 && hits[2] == 0 && labs(hits[0] - 10000) < 400 && labs(hits[3] - 10000) < 400);
    /* the whole-action code: a bijection onto [0, 24) */
    int seen[24] = {0};
    for (int a0 = 0; a0 < 3; a0++)
        for (int a1 = 0; a1 < 4; a1++)
            for (int a2_ = 0; a2_ < 2; a2_++) {
                int32_t a[D] = {a0, a1, a2_}, back[D];
                int32_t code = ludus_dqn_action_code(a, D, nvec);
                CHECK(code >= 0 && code < 24 && !seen[code]);
                if (code >= 0 && code < 24) seen[code] = 1;
                ludus_dqn_action_decode(code, D, nvec, back);
                CHECK(memcmp(a, back, sizeof a) == 0);
            }
    /* the loss: (1/D) sum_d huber(Q_d - y) weighted, against the reference,
     * and its gradient in q against central differences */
    float qq[B * A], y[B] = {0.3f, -2.5f}, w[B] = {1.0f, 0.6f}, dq[B * A], td[B], dq2[B * A], td2[B];
    for (int i = 0; i < B * A; i++) qq[i] = (float)ludus_nn_normal(&rng);
    const int32_t acts[B * D] = {2, 0, 1, 0, 3, 0};
    double loss = ludus_dqn_branch_loss(qq, acts, y, w, B, D, nvec, 1.0f, B, dq, td);
    double ref = 0;
    for (int b = 0; b < B; b++) {
        double h = 0, at = 0;
        for (int d = 0, o = 0; d < D; o += nvec[d], d++) {
            h += ref_huber(qq[b * A + o + acts[b * D + d]] - y[b], 1.0);
            at += fabs(qq[b * A + o + acts[b * D + d]] - y[b]);
        }
        ref += w[b] * h / D;
        CHECK(fabs(td[b] - at / D) < 1e-5);
    }
    CHECK(fabs(loss - ref / B) < 1e-6);
    for (int k = 0; k < B * A; k++) {
        float keep = qq[k];
        const float h = 1e-3f;
        qq[k] = keep + h;
        double lp = ludus_dqn_branch_loss(qq, acts, y, w, B, D, nvec, 1.0f, B, dq2, td2);
        qq[k] = keep - h;
        double lm = ludus_dqn_branch_loss(qq, acts, y, w, B, D, nvec, 1.0f, B, dq2, td2);
        qq[k] = keep;
        CHECK_MSG(fabs((lp - lm) / (2 * h) - dq[k]) < 1e-3, "branched loss gradient %d: %g vs %g", k,
                  (lp - lm) / (2 * h), (double)dq[k]);
    }
    /* one branch without a mask: the plain functions exactly */
    const int one[1] = {6};
    float q1[12], q2[12], g1[12], g2[12], v1[2], v2b[2];
    for (int i = 0; i < 12; i++) c[i] = (float)ludus_nn_normal(&rng);
    for (int du = 0; du <= 1; du++) {
        ludus_dqn_q_values(adv, val, 2, 6, du, q1);
        ludus_dqn_branch_q_values(adv, val, 2, 1, one, du, q2);
        CHECK(memcmp(q1, q2, sizeof q1) == 0);
        ludus_dqn_q_backward(c, 2, 6, du, g1, v1);
        ludus_dqn_branch_q_backward(c, 2, 1, one, du, g2, v2b);
        CHECK(memcmp(g1, g2, sizeof g1) == 0 && memcmp(v1, v2b, sizeof v1) == 0);
        CHECK(ludus_dqn_target(q1, q2 + 6, 6, du, 0.5f, 0.9f) ==
              ludus_dqn_branch_target(q1, q2 + 6, NULL, 1, one, du, 0.5f, 0.9f));
    }
    const int32_t a1[2] = {4, 1};
    double l1 = ludus_dqn_loss(q1, a1, y, w, 2, 6, 1.0f, 2, g1, td);
    double l2 = ludus_dqn_branch_loss(q1, a1, y, w, 2, 1, one, 1.0f, 2, g2, td2);
    CHECK(l1 == l2 && memcmp(g1, g2, sizeof g1) == 0 && fabsf(td[0]) == td2[0] && fabsf(td[1]) == td2[1]);
}

static double branch_loss_at(policy *pol, policy_ws *ws, const policy_batch *b, const int32_t *acts, const float *y,
                             const float *w, int dueling, float *q, float *dq, float *td)
{
    ludus_policy_forward(pol, pol->params.data, ws, b);
    ludus_dqn_branch_q_values(ws->logits, ws->value, b->B, pol->in.action_dims, pol->in.nvec, dueling, q);
    return ludus_dqn_branch_loss(q, acts, y, w, b->B, pol->in.action_dims, pol->in.nvec, 1.0f, b->B, dq, td);
}

/* The branched loss through the whole network (Keypad's encoder) against
 * central finite differences. */
static void test_branch_gradient(void)
{
    ludus_env *env = NULL;
    CHECK_OK(ludus_env_make("Keypad-5x5-v0", NULL, &env));
    const ludus_env_info *info = ludus_env_get_info(env);
    CHECK(info->action_dims > 1 && info->mask_size > 0);
    policy_input in;
    CHECK_OK(ludus_policy_input_of(info, 0, &in));
    ludus_policy_arch arch = {.embed = 4, .conv1 = 4, .conv2 = 6, .kernel = 3, .hidden = 16, .head = 8,
                              .word_embed = 8, .max_words = 8};
    enum { B = 5 };
    const int D = info->action_dims;
    uint8_t *obs = calloc((size_t)B, info->obs_size);
    void *st = ludus_env_state_new(env);
    for (int b = 0; b < B; b++) CHECK_OK(ludus_env_reset(env, st, (uint64_t)b + 3, obs + (size_t)b * info->obs_size));
    ludus_free(st);
    for (int dueling = 0; dueling <= 1; dueling++) {
        policy pol;
        policy_ws ws;
        CHECK_OK(ludus_policy_create(&pol, &arch, &in));
        ludus_rng rng;
        ludus_rng_seed(&rng, 5);
        CHECK_OK(ludus_policy_init(&pol, &rng));
        for (size_t i = 0; i < pol.params.size; i++) pol.params.data[i] += 0.05f * (float)ludus_nn_normal(&rng);
        CHECK_OK(ludus_policy_ws_create(&ws, &pol, B));
        const int A = pol.num_actions;
        int32_t acts[B * LUDUS_MAX_ACTION_DIMS];
        float y[B], w[B], td[B];
        float *q = malloc((size_t)B * A * sizeof(float)), *dq = malloc((size_t)B * A * sizeof(float));
        for (int b = 0; b < B; b++) {
            for (int d = 0; d < D; d++) acts[b * D + d] = (b * 3 + d) % info->action_nvec[d];
            y[b] = b % 2 ? 2.5f : -0.03f * b;
            w[b] = 0.5f + 0.1f * b;
        }
        policy_batch batch = {.L = 1, .B = B, .obs = obs};
        branch_loss_at(&pol, &ws, &batch, acts, y, w, dueling, q, dq, td);
        ludus_dqn_branch_q_backward(dq, B, D, in.nvec, dueling, ws.dlogits, ws.dvalue);
        memset(ws.grad, 0, pol.params.size * sizeof(float));
        ludus_policy_backward(&pol, pol.params.data, &ws, &batch);
        float *grad = malloc(pol.params.size * sizeof(float));
        memcpy(grad, ws.grad, pol.params.size * sizeof(float));
        size_t probe[] = {pol.a2_w, pol.a2_w + 5, pol.a2_b, pol.a2_b + 1, pol.a2_b + (size_t)A - 1, pol.v2_w,
                          pol.v2_b, pol.a0_w + 3, pol.v0_w + 7, pol.fc_w + 11, pol.fc_b + 2};
        int good = 0, tried = 0;
        for (size_t k = 0; k < sizeof probe / sizeof probe[0]; k++) {
            size_t i = probe[k];
            float keep = pol.params.data[i];
            const float h = 1e-2f;
            pol.params.data[i] = keep + h;
            double lp = branch_loss_at(&pol, &ws, &batch, acts, y, w, dueling, q, dq, td);
            pol.params.data[i] = keep - h;
            double lm = branch_loss_at(&pol, &ws, &batch, acts, y, w, dueling, q, dq, td);
            pol.params.data[i] = keep;
            double fd = (lp - lm) / (2 * h), an = grad[i];
            tried++;
            if (fabs(fd - an) <= 2e-3 + 2e-2 * fabs(fd)) good++;
            else
                fprintf(stderr, "branched, dueling %d, param %zu: finite difference %g, backward %g\n", dueling, i,
                        fd, an);
        }
        if (!dueling) CHECK(grad[pol.v2_w] == 0.0f && grad[pol.v2_b] == 0.0f);
        else CHECK(grad[pol.v2_b] != 0.0f);
        CHECK_EQ(good, tried);
        free(grad);
        free(q);
        free(dq);
        ludus_policy_ws_destroy(&ws);
        ludus_policy_destroy(&pol);
    }
    free(obs);
    ludus_env_destroy(env);
}

/* A world of several components and a mask (Keypad): a resumed run with
 * the replay (and its masks) saved equals the straight one; offline data
 * is refused; trained briefly, the agent beats the random agent's held-out
 * return. */
static void test_branched_learner(const char *dir)
{
    const ludus_learner_ops *ops = dqn_ops();
    ludus_run_config run;
    ludus_dqn_config cfg;
    CHECK_OK(make_config("Keypad-5x5-v0",
                         "{\"num_envs\": 4, \"rollout_steps\": 16, \"buffer_size\": 150, \"batch_size\": 16, "
                         "\"learning_starts\": 64, \"prioritized\": 1, \"save_replay\": 1, \"n_step\": 3, "
                         "\"target_update\": 7, \"tau\": 0.5}",
                         &run, &cfg));
    run.total_steps = 2000;
    run.num_threads = 2;
    void *a = NULL, *b = NULL;
    CHECK_OK(ops->create(&cfg, &run, &a));
    CHECK_OK(ops->create(&cfg, &run, &b));
    if (!a || !b) return;
    char c1[512], s1[512], c2[512], s2[512];
    snprintf(c1, sizeof c1, "%s/ka.ckpt", dir);
    snprintf(s1, sizeof s1, "%s/ka.state", dir);
    snprintf(c2, sizeof c2, "%s/kb.ckpt", dir);
    snprintf(s2, sizeof s2, "%s/kb.state", dir);
    train(a, 12);
    train(b, 6);
    CHECK_OK(ops->save(b, c2, s2, NULL));
    ops->destroy(b);
    CHECK_OK(ops->create(&cfg, &run, &b));
    CHECK_OK(ops->load(b, c2, s2));
    train(b, 6);
    CHECK_EQ(ops->steps(a), ops->steps(b));
    CHECK_OK(ops->save(a, c1, s1, NULL));
    CHECK_OK(ops->save(b, c2, s2, NULL));
    CHECK_MSG(same_files(c1, c2), "Keypad resume: the weights differ from the straight run's");
    CHECK_MSG(same_files(s1, s2), "Keypad resume: the training state differs from the straight run's");
    CHECK_ERR(ops->load(b, c1, c1), LUDUS_EFORMAT);
    ops->destroy(a);
    ops->destroy(b);
    /* offline data holds no masks: refused in one line */
    ludus_dqn_config off = cfg;
    snprintf(off.dataset, sizeof off.dataset, "%s", dir);
    void *self = NULL;
    CHECK_ERR(ops->create(&off, &run, &self), LUDUS_EUNSUPPORTED);
    CHECK(self == NULL && strstr(ludus_errmsg(), "dataset") != NULL && strchr(ludus_errmsg(), '\n') == NULL);
    /* a short training against the random agent, on held-out levels */
    CHECK_OK(make_config("Keypad-5x5-v0", NULL, &run, &cfg));
    run.total_steps = 20000;
    CHECK_OK(ops->create(&cfg, &run, &self));
    if (!self) return;
    double row[LUDUS_LEARNER_MAX_COLUMNS];
    while (ops->steps(self) < run.total_steps) CHECK_OK(ops->update(self, row));
    ludus_agent *agent = NULL, *rnd = NULL;
    CHECK_OK(ops->agent(self, NULL, &agent));
    CHECK_OK(ludus_agent_random(&rnd));
    ludus_eval_config ec = {.env_id = "Keypad-5x5-v0", .level_start = LUDUS_HELDOUT_START, .level_count = 1000,
                            .episodes = 500, .greedy = 0, .seed = 1};
    ludus_eval_result rd, rr;
    memset(&rd, 0, sizeof rd);
    memset(&rr, 0, sizeof rr);
    CHECK_OK(ludus_eval_run(agent, &ec, &rd)); /* the eval checks every action against the mask */
    CHECK_OK(ludus_eval_run(rnd, &ec, &rr));
    printf("Keypad-5x5-v0: held-out return %.3f (dqn, 20000 frames) vs %.3f (random)\n", rd.ret.mean, rr.ret.mean);
    CHECK_MSG(rd.ret.mean > rr.ret.mean + 0.05, "dqn %.3f vs random %.3f", rd.ret.mean, rr.ret.mean);
    ludus_agent_destroy(agent);
    ludus_agent_destroy(rnd);
    ops->destroy(self);
}


/* ---- the critic ensemble (RLPD) ---- */

/* The drawn subsets: M distinct members of [0, E), every unordered subset
 * equally likely (chi-square over many seeded draws), and the targets
 * against a reference in double: a* the argmax of the pick row, the min
 * over the subset at a*, no bootstrap at a termination. */
static void test_ensemble_math(void)
{
    ludus_rng rng;
    ludus_rng_seed(&rng, 11);
    enum { E = 5, M = 2, DRAWS = 20000 };
    int counts[E][E] = {{0}}, idx[LUDUS_DQN_MAX_ENSEMBLE];
    for (int t = 0; t < DRAWS; t++) {
        ludus_dqn_ensemble_subset(&rng, E, M, idx);
        CHECK(idx[0] >= 0 && idx[0] < E && idx[1] >= 0 && idx[1] < E && idx[0] != idx[1]);
        int lo = idx[0] < idx[1] ? idx[0] : idx[1], hi = idx[0] ^ idx[1] ^ lo;
        counts[lo][hi]++;
    }
    double chi = 0.0, expect = DRAWS / 10.0; /* C(5, 2) = 10 subsets */
    for (int i = 0; i < E; i++)
        for (int j = i + 1; j < E; j++) chi += (counts[i][j] - expect) * (counts[i][j] - expect) / expect;
    CHECK_MSG(chi < 27.9, "ensemble subsets: chi-square %g over 9 degrees of freedom (p < 0.001)", chi); /* 9 dof */
    /* M = E: a permutation */
    for (int t = 0; t < 100; t++) {
        ludus_dqn_ensemble_subset(&rng, 7, 7, idx);
        int seen = 0;
        for (int i = 0; i < 7; i++) seen |= 1 << idx[i];
        CHECK_EQ(seen, 127);
    }
    enum { A = 6, MM = 3 };
    for (int t = 0; t < 500; t++) {
        float pick[A], sub[MM * 8];
        for (int a = 0; a < A; a++) pick[a] = (float)ludus_nn_normal(&rng);
        for (int i = 0; i < MM * 8; i++) sub[i] = (float)ludus_nn_normal(&rng);
        const int m = 1 + t % MM;
        const float ret = (float)ludus_nn_normal(&rng), disc = t % 7 == 0 ? 0.0f : 0.97f;
        int best = 0;
        for (int a = 1; a < A; a++)
            if (pick[a] > pick[best]) best = a;
        double v = 1e300;
        for (int k = 0; k < m; k++) v = fmin(v, (double)sub[k * 8 + best]);
        double want = disc == 0.0f ? ret : ret + (double)disc * v;
        float got = ludus_dqn_ensemble_target(pick, sub, 8, m, A, ret, disc);
        CHECK_MSG(fabs(got - want) <= 1e-6 * (1 + fabs(want)), "ensemble target %d: %g, reference %g", t, got, want);
    }
}

/* Q (n, A) of one member under params, through the network. */
static void member_q_ref(policy *pol, policy_ws *ws, const float *params, const uint8_t *obs, int n, int dueling,
                         float *q)
{
    policy_batch b = {.L = 1, .B = n, .obs = obs};
    ludus_policy_forward(pol, params, ws, &b);
    ludus_dqn_q_values(ws->logits, ws->value, n, pol->num_actions, dueling, q);
}

/* One slice of the ensemble against a reference: the targets y from the
 * drawn subset (Double: the argmax of the online members' mean Q at s';
 * plain: of the drawn targets' mean), each member's gradient against
 * central differences of its own loss with y held, other members' weights
 * untouched by it, the mean |td| and the mean loss. */
static void test_ensemble_slice(void)
{
    ludus_env *env = NULL;
    CHECK_OK(ludus_env_make("MiniGrid-DoorKey-5x5-v0", NULL, &env));
    const ludus_env_info *info = ludus_env_get_info(env);
    policy_input in;
    CHECK_OK(ludus_policy_input_of(info, 0, &in));
    ludus_policy_arch arch = {.embed = 4, .conv1 = 4, .conv2 = 6, .kernel = 3, .hidden = 16, .head = 8,
                              .word_embed = 8, .max_words = 8};
    enum { B = 6, E = 3, M = 2 };
    const size_t D = info->obs_size;
    uint8_t obs[B * 256], next[B * 256];
    void *st = ludus_env_state_new(env);
    for (int b = 0; b < B; b++) {
        ludus_step_out so;
        CHECK_OK(ludus_env_reset(env, st, (uint64_t)b + 7, obs + (size_t)b * D));
        for (int k = 0; k < b; k++) ludus_env_step(env, st, k % 3, obs + (size_t)b * D, &so);
        ludus_env_step(env, st, 2, next + (size_t)b * D, &so);
    }
    ludus_free(st);
    for (int run = 0; run < 4; run++) {
        const int dueling = run & 1, double_q = run >> 1;
        policy pol;
        policy_ws ws;
        CHECK_OK(ludus_policy_create(&pol, &arch, &in));
        const size_t P = pol.params.size;
        const int A = pol.num_actions;
        float *theta = malloc(E * P * sizeof(float)), *target = malloc(E * P * sizeof(float));
        float *grads = calloc(E * P, sizeof(float));
        ludus_rng rng;
        ludus_rng_seed(&rng, 5 + run);
        for (int e = 0; e < E; e++) {
            CHECK_OK(ludus_policy_init(&pol, &rng));
            for (size_t i = 0; i < P; i++) {
                theta[e * P + i] = pol.params.data[i] + 0.05f * (float)ludus_nn_normal(&rng);
                target[e * P + i] = pol.params.data[i] + 0.05f * (float)ludus_nn_normal(&rng);
            }
        }
        CHECK_OK(ludus_policy_ws_create(&ws, &pol, B));
        int32_t acts[B];
        float ret[B], disc[B], w[B], y[B], td[B], q[B * 16], pick[B * 16], sub[M * B * 16];
        for (int b = 0; b < B; b++) {
            acts[b] = (b * 5) % A;
            ret[b] = b % 2 ? 2.5f : -0.1f * b;
            disc[b] = b == 4 ? 0.0f : 0.9f;
            w[b] = 0.5f + 0.1f * b;
        }
        const int subset[M] = {2, 0};
        double qsum = 0.0;
        double loss = ludus_dqn_ensemble_slice(&pol, &ws, theta, target, E, subset, M, obs, next, NULL, acts, ret, disc,
                                               w, B, B, double_q, dueling, 1.0f, q, pick, sub, y, td, grads, &qsum);
        /* the reference targets */
        float qe[E][B * 16], qt[M][B * 16];
        for (int e = 0; e < E; e++) member_q_ref(&pol, &ws, theta + e * P, next, B, dueling, qe[e]);
        for (int m = 0; m < M; m++) member_q_ref(&pol, &ws, target + subset[m] * P, next, B, dueling, qt[m]);
        float yref[B];
        for (int b = 0; b < B; b++) {
            double mean[16] = {0};
            for (int a = 0; a < A; a++) {
                if (double_q)
                    for (int e = 0; e < E; e++) mean[a] += qe[e][b * A + a] / E;
                else
                    for (int m = 0; m < M; m++) mean[a] += qt[m][b * A + a] / M;
            }
            int best = 0;
            for (int a = 1; a < A; a++)
                if (mean[a] > mean[best]) best = a;
            double v = fmin(qt[0][b * A + best], qt[1][b * A + best]);
            yref[b] = disc[b] == 0.0f ? ret[b] : (float)(ret[b] + disc[b] * v);
            CHECK_MSG(fabsf(y[b] - yref[b]) <= 1e-5f * (1 + fabsf(yref[b])), "ensemble y[%d]: %g, reference %g", b, y[b],
                      yref[b]);
        }
        /* each member's loss, |td| and Q(s, a) at the held targets */
        double lref = 0.0, qref = 0.0, tdref[B] = {0};
        float qo[B * 16], dq[B * 16], tdm[B];
        for (int e = 0; e < E; e++) {
            member_q_ref(&pol, &ws, theta + e * P, obs, B, dueling, qo);
            lref += ludus_dqn_loss(qo, acts, yref, w, B, A, 1.0f, B, dq, tdm) / E;
            for (int b = 0; b < B; b++) {
                tdref[b] += fabs(qo[b * A + acts[b]] - yref[b]) / E;
                qref += qo[b * A + acts[b]] / E;
            }
        }
        CHECK_MSG(fabs(loss - lref) <= 1e-5 * (1 + fabs(lref)), "ensemble loss %g, reference %g", loss, lref);
        CHECK(fabs(qsum - qref) <= 1e-4 * (1 + fabs(qref)));
        for (int b = 0; b < B; b++) CHECK(fabs(td[b] - tdref[b]) <= 1e-5 * (1 + tdref[b]));
        /* each member's gradient: central differences of its own loss */
        int good = 0, tried = 0;
        size_t probe[] = {pol.a2_w, pol.a2_w + 5, pol.a2_b + 1, pol.v2_w, pol.v2_b, pol.a0_w + 3, pol.fc_w + 11,
                          pol.c2_w + 4};
        for (int e = 0; e < E; e++)
            for (size_t k = 0; k < sizeof probe / sizeof probe[0]; k++) {
                float *p = theta + e * P + probe[k], keep = *p;
                const float h = 1e-2f;
                *p = keep + h;
                member_q_ref(&pol, &ws, theta + e * P, obs, B, dueling, qo);
                double lp = ludus_dqn_loss(qo, acts, yref, w, B, A, 1.0f, B, dq, tdm);
                *p = keep - h;
                member_q_ref(&pol, &ws, theta + e * P, obs, B, dueling, qo);
                double lm = ludus_dqn_loss(qo, acts, yref, w, B, A, 1.0f, B, dq, tdm);
                *p = keep;
                double fd = (lp - lm) / (2 * h), an = grads[e * P + probe[k]];
                tried++;
                if (fabs(fd - an) <= 2e-3 + 2e-2 * fabs(fd)) good++;
                else fprintf(stderr, "ensemble member %d param %zu (dueling %d double %d): fd %g, backward %g\n", e,
                             probe[k], dueling, double_q, fd, an);
            }
        CHECK_EQ(good, tried);
        /* the members' gradients differ (their own weights and losses) */
        CHECK(grads[pol.a2_w] != grads[P + pol.a2_w] && grads[P + pol.a2_w] != grads[2 * P + pol.a2_w]);
        free(theta);
        free(target);
        free(grads);
        ludus_policy_ws_destroy(&ws);
        ludus_policy_destroy(&pol);
    }
    ludus_env_destroy(env);
}

/* A learner with the ensemble: a resumed run is the straight one byte for
 * byte (prioritized, a dataset-free ring that wraps, 2 threads, M < E so
 * subsets are drawn); its state does not load into a learner with another
 * ensemble; the learner's agent acts on the members' mean Q. */
static void test_ensemble_learner(const char *dir)
{
    const ludus_learner_ops *ops = dqn_ops();
    ludus_run_config run;
    ludus_dqn_config cfg;
    CHECK_OK(make_config("MiniGrid-DoorKey-5x5-v0",
                         "{\"num_envs\": 4, \"rollout_steps\": 16, \"buffer_size\": 150, \"batch_size\": 16, "
                         "\"learning_starts\": 64, \"prioritized\": 1, \"save_replay\": 1, \"target_update\": 7, "
                         "\"tau\": 0.5, \"ensemble\": 4, \"ensemble_min\": 2}",
                         &run, &cfg));
    run.total_steps = 2000;
    run.num_threads = 2;
    void *a = NULL, *b = NULL;
    CHECK_OK(ops->create(&cfg, &run, &a));
    CHECK_OK(ops->create(&cfg, &run, &b));
    if (!a || !b) return;
    char c1[512], s1[512], c2[512], s2[512];
    snprintf(c1, sizeof c1, "%s/ea.ckpt", dir);
    snprintf(s1, sizeof s1, "%s/ea.state", dir);
    snprintf(c2, sizeof c2, "%s/eb.ckpt", dir);
    snprintf(s2, sizeof s2, "%s/eb.state", dir);
    double *ra = calloc((size_t)12 * LUDUS_LEARNER_MAX_COLUMNS, sizeof(double));
    double *rb = calloc((size_t)12 * LUDUS_LEARNER_MAX_COLUMNS, sizeof(double));
    train_rows(a, 12, ra);
    train_rows(b, 6, rb);
    CHECK_OK(ops->save(b, c2, s2, NULL));
    ops->destroy(b);
    CHECK_OK(ops->create(&cfg, &run, &b));
    CHECK_OK(ops->load(b, c2, s2));
    train_rows(b, 6, rb + (size_t)6 * LUDUS_LEARNER_MAX_COLUMNS);
    CHECK(same_episode_columns(ra, rb, 12));
    /* the loss and grad_norm columns too: the members' sums in the same order */
    for (int u = 0; u < 12; u++)
        for (int c = 4; c < 8; c++) {
            double x = ra[(size_t)u * LUDUS_LEARNER_MAX_COLUMNS + c], y = rb[(size_t)u * LUDUS_LEARNER_MAX_COLUMNS + c];
            CHECK_MSG(x == y || (isnan(x) && isnan(y)), "ensemble resume: update %d column %d: %g, %g", u, c, x, y);
        }
    CHECK(ra[(size_t)11 * LUDUS_LEARNER_MAX_COLUMNS + 11] > 0.0); /* gradient steps were taken */
    free(ra);
    free(rb);
    CHECK_OK(ops->save(a, c1, s1, NULL));
    CHECK_OK(ops->save(b, c2, s2, NULL));
    CHECK_MSG(same_files(c1, c2), "ensemble resume: the weights differ from the straight run's");
    CHECK_MSG(same_files(s1, s2), "ensemble resume: the training state differs from the straight run's");
    /* another ensemble size refuses the state, in one line */
    ludus_dqn_config other = cfg;
    other.ensemble = 1;
    other.ensemble_min = 0;
    void *c = NULL;
    CHECK_OK(ops->create(&other, &run, &c));
    CHECK_ERR(ops->load(c, c1, s1), LUDUS_EINVAL);
    CHECK_MSG(strstr(ludus_errmsg(), "saved with ensemble 4, but the configuration has 1") != NULL, "%s",
              ludus_errmsg());
    ops->destroy(c);
    /* the learner's agent, greedy, takes the argmax of the members' mean
     * Q: member 0 from the checkpoint, the others from the state */
    {
        ludus_env *env = NULL;
        CHECK_OK(ludus_env_make("MiniGrid-DoorKey-5x5-v0", NULL, &env));
        const ludus_env_info *info = ludus_env_get_info(env);
        policy_input in;
        policy pol;
        policy_ws ws;
        CHECK_OK(ludus_policy_input_of(info, 0, &in));
        CHECK_OK(ludus_policy_create(&pol, &cfg.arch, &in));
        CHECK_OK(ludus_policy_checkpoint_load(c1, &pol, info));
        const size_t P = pol.params.size;
        const int A = pol.num_actions;
        float *theta = malloc(4 * P * sizeof(float));
        memcpy(theta, pol.params.data, P * sizeof(float));
        ludus_nn_file *f = NULL;
        CHECK_OK(ludus_nn_file_open(s1, &f));
        CHECK_OK(ludus_nn_file_read(f, "ensemble", theta + P, 3 * P));
        ludus_nn_file_close(f);
        enum { N = 16 };
        uint8_t obs[N * 256];
        const char *missions[N];
        void *st = ludus_env_state_new(env);
        for (int i = 0; i < N; i++) {
            ludus_step_out so;
            CHECK_OK(ludus_env_reset(env, st, (uint64_t)i + 100, obs + (size_t)i * info->obs_size));
            for (int k = 0; k < i % 4; k++) ludus_env_step(env, st, 2, obs + (size_t)i * info->obs_size, &so);
            missions[i] = "";
        }
        ludus_free(st);
        CHECK_OK(ludus_policy_ws_create(&ws, &pol, N));
        double mean[N * 16] = {0};
        float q[N * 16];
        for (int e = 0; e < 4; e++) {
            member_q_ref(&pol, &ws, theta + e * P, obs, N, cfg.dueling, q);
            for (int i = 0; i < N * A; i++) mean[i] += q[i] / 4;
        }
        ludus_agent *agent = NULL;
        CHECK_OK(ops->agent(a, NULL, &agent));
        CHECK_OK(ludus_agent_bind(agent, env, N));
        int32_t acts[N];
        uint8_t starts[N];
        memset(starts, 1, sizeof starts);
        const int sizes[1] = {A};
        ludus_agent_input ai = {.n = N, .greedy = 1, .obs_size = info->obs_size, .obs = obs, .missions = missions,
                                .starts = starts, .action_dims = 1, .action_sizes = sizes};
        CHECK_OK(ludus_agent_act(agent, &ai, acts));
        int differs = 0;
        for (int i = 0; i < N; i++) {
            int best = 0;
            for (int k = 1; k < A; k++)
                if (mean[i * A + k] > mean[i * A + best]) best = k;
            CHECK_MSG(acts[i] == best, "ensemble agent: world %d acted %d, the mean Q's argmax is %d", i, acts[i], best);
            /* member 0 alone would act otherwise somewhere, or the test shows little */
            member_q_ref(&pol, &ws, theta, obs + (size_t)i * info->obs_size, 1, cfg.dueling, q);
            int b0 = 0;
            for (int k = 1; k < A; k++)
                if (q[k] > q[b0]) b0 = k;
            differs += b0 != best;
        }
        if (!differs) fprintf(stderr, "note: member 0 alone acts as the ensemble on all %d observations\n", N);
        ludus_agent_destroy(agent);
        ludus_policy_ws_destroy(&ws);
        ludus_policy_destroy(&pol);
        free(theta);
        ludus_env_destroy(env);
    }
    /* and a single critic's state does not load into an ensemble */
    double row1[LUDUS_LEARNER_MAX_COLUMNS];
    CHECK_OK(ops->create(&other, &run, &c));
    train_rows(c, 1, row1);
    snprintf(c2, sizeof c2, "%s/one.ckpt", dir);
    snprintf(s2, sizeof s2, "%s/one.state", dir);
    CHECK_OK(ops->save(c, c2, s2, NULL));
    ops->destroy(c);
    CHECK_ERR(ops->load(a, c2, s2), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "ensemble") != NULL);
    ops->destroy(a);
    ops->destroy(b);
}

int main(void)
{
    test_epsilon();
    test_dueling_and_targets();
    test_nstep();
    test_sumtree();
    test_gradient();
    test_mix_sample();
    test_branching_math();
    test_branch_gradient();
    test_bad_knobs();
    test_ensemble_math();
    test_ensemble_slice();
    char dir[] = "/tmp/ludus_dqn_XXXXXX";
    if (mkdtemp(dir)) {
        test_resume_exact(dir);
        test_layer_norm(dir);
        test_offline_to_online(dir);
        test_branched_learner(dir);
        test_ensemble_learner(dir);
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    } else {
        CHECK_MSG(0, "mkdtemp failed");
    }
    test_learns("MiniGrid-Empty-5x5-v0", "{\"learning_starts\": 500, \"eps_fraction\": 0.3, \"target_update\": 100}",
                12000, 0.95);
    const char *lt = getenv("LUDUS_LONG_TESTS");
    if (lt && strcmp(lt, "1") == 0) {
        /* seed 1 each; seen 1.000 and 1.000 with 2 learner threads (seeds
         * 1-3 of `ludus train` reached 0.965-1.000, docs/learning.md), where
         * a random policy succeeds a few percent */
        test_learns("MiniGrid-DoorKey-5x5-v0", NULL, 150000, 0.85);
        test_learns("MiniGrid-DoorKey-5x5-v0", "{\"prioritized\": 1}", 150000, 0.85);
        test_learns_maze(0.45); /* the lowest of six runs of the recipe 0.525 */
    }
    return check_finish("test_learn_dqn");
}
