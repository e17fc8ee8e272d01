/* cql_learner.c: discrete conservative Q-learning behind the learner table
 * (learner.h), the registry's "cql" row. Like behaviour cloning
 * (bc_learner.c) it learns from a dataset written by `ludus collect`
 * (data.h), never from the world; like DQN (dqn_learner.c) its network is
 * the policy of policy.h whose actor head's A outputs are the Q values, with
 * a target network and plain or Double DQN targets (dqn.c's
 * ludus_dqn_target), n-step transitions made by dqn.c's n-step window, and
 * the Huber TD loss (ludus_dqn_loss). CQL(H) adds
 *   alpha * mean_b [ logsumexp_a Q(s_b, a) - Q(s_b, a_b) ]
 * (Kumar, Zhou, Tucker and Levine 2020, eq. 4 with the entropy regularizer,
 * discrete form), which pushes down the Q values of actions the data never
 * took. The checkpoint is an ordinary policy checkpoint: `ludus eval
 * --greedy` acts on argmax_a Q (without --greedy it samples softmax(Q)).
 *
 * Steps: the run's total_steps counts transitions consumed (batch_size per
 * gradient step), as for BC. Each update draws its minibatches from its own
 * stream (seed, update), and the training state holds Adam's moments and
 * the target network, so a resumed run is the straight one.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "learn/dqn.h"
#include "learn/keys.h"
#include "learn/offline.h"
#include "learn/policy.h"
#include "learn/ppo_internal.h"
#include "ludus/data.h"
#include "ludus/nn.h"

#define CQL_STATE_FORMAT "ludus-cql-state-1"

double ludus_cql_loss(const float *q, const int32_t *acts, const float *y, int B, int A, float delta, float alpha,
                      int total, float *dq, float *td, double *parts)
{
    double td_loss = ludus_dqn_loss(q, acts, y, NULL, B, A, delta, total, dq, td), reg = 0.0;
    for (int b = 0; b < B; b++) {
        const float *qb = q + (size_t)b * A;
        float *g = dq + (size_t)b * A;
        double m = qb[0], s = 0.0;
        for (int a = 1; a < A; a++)
            if (qb[a] > m) m = qb[a];
        for (int a = 0; a < A; a++) s += exp((double)qb[a] - m);
        reg += m + log(s) - qb[acts[b]];
        for (int a = 0; a < A; a++)
            g[a] += (float)(alpha * (exp((double)qb[a] - m) / s - (a == acts[b])) / total);
    }
    reg /= total;
    if (parts) {
        parts[0] = td_loss;
        parts[1] = reg;
    }
    return td_loss + alpha * reg;
}

double ludus_cql_branch_loss(const float *q, const int32_t *acts, const float *y, const uint8_t *mask, int B, int D,
                             const int *nvec, float delta, float alpha, int total, float *dq, float *td, double *parts)
{
    int A = 0;
    for (int d = 0; d < D; d++) A += nvec[d];
    double td_loss = ludus_dqn_branch_loss(q, acts, y, NULL, B, D, nvec, delta, total, dq, td), reg = 0.0;
    for (int b = 0; b < B; b++)
        for (int d = 0, o = 0; d < D; o += nvec[d], d++) {
            const float *qb = q + (size_t)b * A + o;
            const uint8_t *m = mask ? mask + (size_t)b * A + o : NULL;
            float *g = dq + (size_t)b * A + o;
            const int ad = acts[(size_t)b * D + d];
            double mx = qb[ad], sum = 0.0; /* the data's value is legal (the reader checks it) */
            for (int i = 0; i < nvec[d]; i++)
                if ((!m || m[i]) && qb[i] > mx) mx = qb[i];
            for (int i = 0; i < nvec[d]; i++)
                if (!m || m[i]) sum += exp((double)qb[i] - mx);
            reg += (mx + log(sum) - qb[ad]) / D;
            for (int i = 0; i < nvec[d]; i++)
                if (!m || m[i]) g[i] += (float)(alpha * (exp((double)qb[i] - mx) / sum - (i == ad)) / ((double)D * total));
        }
    reg /= total;
    if (parts) {
        parts[0] = td_loss;
        parts[1] = reg;
    }
    return td_loss + alpha * reg;
}

typedef struct cql_config {
    char dataset[1024];    /* the dataset folder (ludus collect's) */
    int batch_size;
    int grad_steps;        /* gradient steps per update (metrics row) */
    float alpha;           /* the conservative term's weight */
    float lr;
    float gamma;
    float adam_eps;
    float max_grad_norm;
    float huber_delta;
    int target_update;     /* gradient steps between hard target copies */
    int double_q;
    int n_step;
    ludus_policy_arch arch;
} cql_config;

#define O(f) offsetof(cql_config, f)
static const ludus_key cql_keys[] = {
    {"dataset", LUDUS_KEY_STR, O(dataset), 0, sizeof(((cql_config *)0)->dataset), NULL,
     "the dataset folder (ludus collect; required)"},
    {"alpha", LUDUS_KEY_FLOAT, O(alpha), 0, 1000, NULL,
     "weight of the conservative term logsumexp_a Q - Q(s, a_data) (Kumar 2020); 0: plain offline DQN"},
    {"batch_size", LUDUS_KEY_INT, O(batch_size), 1, 1 << 16, NULL, "transitions per gradient step"},
    {"grad_steps", LUDUS_KEY_INT, O(grad_steps), 1, 1 << 20, NULL, "gradient steps per update (metrics row)"},
    {"lr", LUDUS_KEY_FLOAT, O(lr), 0, 10, NULL, "Adam's learning rate"},
    {"gamma", LUDUS_KEY_FLOAT, O(gamma), 0, 1, NULL, "discount"},
    {"adam_eps", LUDUS_KEY_FLOAT, O(adam_eps), 1e-30, 1, NULL, "Adam's epsilon"},
    {"max_grad_norm", LUDUS_KEY_FLOAT, O(max_grad_norm), 0, 1e9, NULL, "gradient clipping norm"},
    {"huber_delta", LUDUS_KEY_FLOAT, O(huber_delta), 1e-6, 1e9, NULL, "the TD loss's Huber threshold"},
    {"target_update", LUDUS_KEY_INT, O(target_update), 1, 1 << 30, NULL,
     "gradient steps between copies of the network into the target"},
    {"double_q", LUDUS_KEY_INT, O(double_q), 0, 1, NULL, "1: Double DQN targets (van Hasselt 2016)"},
    {"n_step", LUDUS_KEY_INT, O(n_step), 1, 64, NULL, "n-step returns within each recorded episode"},
    {"arch", LUDUS_KEY_OBJECT, O(arch), 0, 0, ludus_policy_arch_keys, "the Q network"},
    {NULL, 0, 0, 0, 0, NULL, NULL},
};
#undef O

static void config_default(void *cfg, ludus_run_config *run, const ludus_env_info *info)
{
    cql_config *c = cfg;
    memset(c, 0, sizeof *c);
    c->batch_size = 128;
    c->grad_steps = 50;
    c->alpha = 1.0f;
    c->lr = 5e-4f;
    c->gamma = 0.99f;
    c->adam_eps = 1e-5f;
    c->max_grad_norm = 10.0f;
    c->huber_delta = 1.0f;
    c->target_update = 250;
    c->double_q = 1;
    c->n_step = 1;
    ludus_offline_defaults(&c->arch, run, info);
}

static int config_check(const void *cfg, const ludus_run_config *run)
{
    const cql_config *c = cfg;
    (void)run;
    int rc = ludus_keys_check(cql_keys, c);
    if (rc) return rc;
    return ludus_offline_check("cql", c->dataset, &c->arch);
}

static const ludus_metric_column cols[] = {
    {"loss", 0}, {"td_loss", 0}, {"cql_term", 0}, {"q_data", 0}, {"accuracy", 0},
    {"grad_norm", 0}, {"transitions", 1}, {"epochs", 0},
};
#define NUM_COLS ((int)(sizeof cols / sizeof cols[0]))

typedef struct cql {
    cql_config cfg;
    ludus_run_config run;
    ludus_env *env;
    const ludus_env_info *info;
    policy pol;
    policy_ws ws;
    float *target;         /* (P) */
    ludus_nn_adam adam;
    int A, W, B;
    size_t D, P;
    int64_t n, cap;        /* transitions */
    uint8_t *t_obs, *t_next; /* (n, D) */
    int32_t *t_words;      /* (n, W) */
    int32_t *t_act;        /* (n) */
    float *t_ret, *t_disc; /* (n) */
    uint8_t *b_obs, *b_next;
    int32_t *b_words, *b_act;
    /* worlds of several action components or with a legal-action mask:
     * Q per component (action branching, as dqn.c's), the conservative term
     * per component over its legal values, masked argmax in the targets */
    int branched, Dm, M;   /* components; mask bytes (0: none) */
    int nvec[LUDUS_MAX_ACTION_DIMS];
    uint8_t *t_mask, *t_nmask; /* (n, M) the masks of each transition's state and next state */
    uint8_t *b_mask, *b_nmask; /* (B, M) */
    int32_t *b_acts;       /* (B, Dm) t_act's codes decoded */
    const ludus_dataset_episode *ep; /* while loading: the episode pushed, */
    int ep_emitted;        /* and how many of its steps were emitted */
    float *b_ret, *b_disc, *q, *q_on, *q_tg, *y, *dq, *td;
    uint64_t steps, grad_steps;
    int update;
} cql;

static void destroy(void *self)
{
    cql *c = self;
    if (!c) return;
    ludus_policy_ws_destroy(&c->ws);
    ludus_policy_destroy(&c->pol);
    ludus_nn_adam_free(&c->adam);
    ludus_env_destroy(c->env);
    void *bufs[] = {c->target, c->t_obs,  c->t_next, c->t_words, c->t_act, c->t_ret, c->t_disc,
                    c->b_obs,  c->b_next, c->b_words, c->b_act,  c->b_ret, c->b_disc, c->q,
                    c->q_on,   c->q_tg,   c->y,      c->dq,      c->td,      c->t_mask, c->t_nmask,
                    c->b_mask, c->b_nmask, c->b_acts};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) free(bufs[i]);
    free(c);
}

/* The n-step window's transitions, appended in dataset order. */
static void emit(void *ctx, const uint8_t *obs, int32_t action, float ret, float disc, const uint8_t *next,
                 const int32_t *words)
{
    cql *c = ctx;
    if (c->n >= c->cap) return; /* never: one transition per recorded step, and the reader checks the count */
    const size_t i = (size_t)c->n++;
    memcpy(c->t_obs + i * c->D, obs, c->D);
    memcpy(c->t_next + i * c->D, next, c->D);
    if (c->W) memcpy(c->t_words + i * c->W, words, (size_t)c->W * sizeof(int32_t));
    c->t_act[i] = action;
    c->t_ret[i] = ret;
    c->t_disc[i] = disc;
    if (c->M) {
        /* the window emits an episode's steps in order; next points into
         * the episode's observations (row t + k) */
        const size_t t = (size_t)c->ep_emitted++, tn = (size_t)(next - c->ep->obs) / c->D;
        memcpy(c->t_mask + i * c->M, c->ep->action_masks + t * c->M, (size_t)c->M);
        memcpy(c->t_nmask + i * c->M, c->ep->action_masks + tn * c->M, (size_t)c->M);
    }
}

/* Every recorded step of the dataset into n-step transitions. */
static int load_dataset(cql *c)
{
    ludus_dataset *ds = NULL;
    dqn_nstep ns;
    memset(&ns, 0, sizeof ns);
    int rc = ludus_dataset_open(c->cfg.dataset, &ds);
    if (rc) return ludus_err_wrap(rc, "cql: dataset");
    if ((rc = ludus_dataset_check_world(ds, c->run.env_id, c->run.env_options))) {
        ludus_err_wrap(rc, "cql");
        goto done;
    }
    const ludus_dataset_meta *m = ludus_dataset_get_meta(ds);
    const size_t mcap = c->info->mission_capacity;
    c->cap = m->total_steps;
    c->t_obs = malloc((size_t)c->cap * c->D);
    c->t_next = malloc((size_t)c->cap * c->D);
    c->t_words = c->W ? malloc((size_t)c->cap * c->W * sizeof(int32_t)) : NULL;
    c->t_act = malloc((size_t)c->cap * sizeof(int32_t));
    c->t_ret = malloc((size_t)c->cap * sizeof(float));
    c->t_disc = malloc((size_t)c->cap * sizeof(float));
    c->t_mask = c->M ? malloc((size_t)c->cap * c->M) : NULL;
    c->t_nmask = c->M ? malloc((size_t)c->cap * c->M) : NULL;
    int32_t *words = malloc((size_t)(c->W ? c->W : 1) * sizeof(int32_t));
    if (!c->t_obs || !c->t_next || (c->W && !c->t_words) || !c->t_act || !c->t_ret || !c->t_disc || !words ||
        (c->M && (!c->t_mask || !c->t_nmask)) ||
        ludus_dqn_nstep_init(&ns, c->cfg.n_step, 1, c->D, c->W, c->cfg.gamma)) {
        free(words);
        rc = ludus_err_set(LUDUS_ENOMEM, "cql: out of memory for %lld transitions", (long long)c->cap);
        goto done;
    }
    for (int64_t e = 0; e < m->total_episodes && !rc; e++) {
        ludus_dataset_episode ep;
        if ((rc = ludus_dataset_read(ds, e, &ep))) {
            ludus_err_wrap(rc, "cql");
            break;
        }
        c->ep = &ep;
        c->ep_emitted = 0;
        for (int t = 0; t < ep.steps; t++) {
            const int32_t code = c->branched ? ludus_dqn_action_code(ep.actions + (size_t)t * c->Dm, c->Dm, c->nvec)
                                             : ep.actions[t];
            if (c->W) ludus_policy_tokenize(&c->pol, ep.missions ? ep.missions + (size_t)t * mcap : "", words);
            const int last = t == ep.steps - 1, term = ep.terminations[t] != 0;
            /* an episode the recorder cut without an end is bootstrapped like a truncation */
            ludus_dqn_nstep_push(&ns, 0, ep.obs + (size_t)t * c->D, code, (float)ep.rewards[t],
                                 c->W ? words : NULL, term, !term && (last || ep.truncations[t]),
                                 ep.obs + (size_t)(t + 1) * c->D, emit, c);
            if (term && !last) break;
        }
        c->ep = NULL;
        ludus_dataset_episode_free(&ep);
    }
    free(words);
    if (!rc && c->n < 1) rc = ludus_err_set(LUDUS_EINVAL, "cql: the dataset %s holds no transitions", c->cfg.dataset);
done:
    ludus_dqn_nstep_free(&ns);
    ludus_dataset_close(ds);
    return rc;
}

static int create(const void *cfg, const ludus_run_config *run, void **self)
{
    *self = NULL;
    int rc = config_check(cfg, run);
    if (rc) return rc;
    cql *c = calloc(1, sizeof *c);
    if (!c) return ludus_err_set(LUDUS_ENOMEM, "cql: out of memory");
    c->cfg = *(const cql_config *)cfg;
    c->run = *run;
    c->B = c->cfg.batch_size;
    if ((rc = ludus_env_make(run->env_id, run->env_options, &c->env))) goto fail;
    c->info = ludus_env_get_info(c->env);
    c->D = c->info->obs_size;
    c->Dm = c->info->action_dims < 1 ? 1 : c->info->action_dims;
    c->M = c->info->mask_size;
    c->branched = c->Dm > 1 || c->M > 0;
    for (int k = 0; k < c->Dm; k++) c->nvec[k] = c->Dm > 1 ? c->info->action_nvec[k] : c->info->num_actions;
    {
        int64_t codes = 1;
        for (int k = 0; k < c->Dm && codes <= INT32_MAX; k++) codes *= c->nvec[k];
        if (codes > INT32_MAX) {
            rc = ludus_err_set(LUDUS_EUNSUPPORTED, "cql: %s has more than 2^31 whole actions (%d components)",
                               c->info->id, c->Dm);
            goto fail;
        }
    }
    policy_input in;
    if ((rc = ludus_policy_input_of(c->info, c->cfg.arch.encoder, &in))) goto fail;
    if ((rc = ludus_policy_create(&c->pol, &c->cfg.arch, &in))) goto fail;
    c->A = c->pol.num_actions;
    c->W = c->cfg.arch.instr ? c->cfg.arch.max_words : 0;
    c->P = c->pol.params.size;
    ludus_rng init_rng;
    ludus_rng_seed(&init_rng, run->seed);
    if ((rc = ludus_policy_init(&c->pol, &init_rng))) goto fail;
    if ((rc = ludus_nn_adam_init(&c->adam, c->P, 0.9f, 0.999f, c->cfg.adam_eps))) goto fail;
    if ((rc = ludus_policy_ws_create(&c->ws, &c->pol, c->B))) goto fail;
    if ((rc = load_dataset(c))) goto fail;
    const size_t B = (size_t)c->B, BA = B * (size_t)c->A;
    c->target = malloc(c->P * sizeof(float));
    c->b_obs = malloc(B * c->D);
    c->b_next = malloc(B * c->D);
    c->b_words = malloc(B * (c->W ? c->W : 1) * sizeof(int32_t));
    c->b_act = malloc(B * sizeof(int32_t));
    c->b_ret = malloc(B * sizeof(float));
    c->b_disc = malloc(B * sizeof(float));
    c->y = malloc(B * sizeof(float));
    c->td = malloc(B * sizeof(float));
    c->q = malloc(BA * sizeof(float));
    c->q_on = malloc(BA * sizeof(float));
    c->q_tg = malloc(BA * sizeof(float));
    c->dq = malloc(BA * sizeof(float));
    if (c->branched && !(c->b_acts = malloc(B * (size_t)c->Dm * sizeof(int32_t)))) {
        rc = ludus_err_set(LUDUS_ENOMEM, "cql: out of memory");
        goto fail;
    }
    if (c->M && (!(c->b_mask = malloc(B * (size_t)c->M)) || !(c->b_nmask = malloc(B * (size_t)c->M)))) {
        rc = ludus_err_set(LUDUS_ENOMEM, "cql: out of memory");
        goto fail;
    }
    if (!c->target || !c->b_obs || !c->b_next || !c->b_words || !c->b_act || !c->b_ret || !c->b_disc || !c->y ||
        !c->td || !c->q || !c->q_on || !c->q_tg || !c->dq) {
        rc = ludus_err_set(LUDUS_ENOMEM, "cql: out of memory");
        goto fail;
    }
    memcpy(c->target, c->pol.params.data, c->P * sizeof(float));
    *self = c;
    return LUDUS_OK;
fail:
    destroy(c);
    return rc;
}

static int columns(const void *self, const ludus_metric_column **out)
{
    (void)self;
    *out = cols;
    return NUM_COLS;
}

static void q_of(cql *c, const float *params, const uint8_t *obs, float *out)
{
    policy_batch b = {.L = 1, .B = c->B, .obs = obs, .words = c->W ? c->b_words : NULL};
    ludus_policy_forward(&c->pol, params, &c->ws, &b);
    ludus_dqn_q_values(c->ws.logits, c->ws.value, c->B, c->A, 0, out);
}

static void apply_grad(cql *c, double *sums)
{
    ludus_dqn_q_backward(c->dq, c->B, c->A, 0, c->ws.dlogits, c->ws.dvalue);
    memset(c->ws.grad, 0, c->P * sizeof(float));
    policy_batch batch = {.L = 1, .B = c->B, .obs = c->b_obs, .words = c->W ? c->b_words : NULL};
    ludus_policy_backward(&c->pol, c->pol.params.data, &c->ws, &batch);
    sums[5] += ludus_nn_clip_grad_norm(c->ws.grad, c->P, c->cfg.max_grad_norm);
    ludus_nn_adam_step(&c->adam, c->pol.params.data, c->ws.grad, c->cfg.lr);
    if (++c->grad_steps % (uint64_t)c->cfg.target_update == 0)
        memcpy(c->target, c->pol.params.data, c->P * sizeof(float));
}

/* The branched step (the minibatch drawn): targets (1/D) sum_d
 * Q_target,d(s', a*_d) with a*_d the legal argmax (dqn.c), the TD loss of
 * each component against it, and the conservative term per component over
 * its legal values (ludus_cql_branch_loss). */
static void branch_step(cql *c, double *sums)
{
    const int B = c->B, A = c->A, D = c->Dm;
    q_of(c, c->target, c->b_next, c->q_tg);
    if (c->cfg.double_q) q_of(c, c->pol.params.data, c->b_next, c->q_on);
    q_of(c, c->pol.params.data, c->b_obs, c->q); /* last: kept in ws for backward */
    for (int b = 0; b < B; b++) {
        const float *qb = c->q + (size_t)b * A;
        const int32_t *ab = c->b_acts + (size_t)b * D;
        const uint8_t *nm = c->M ? c->b_nmask + (size_t)b * c->M : NULL;
        c->y[b] = ludus_dqn_branch_target(c->cfg.double_q ? c->q_on + (size_t)b * A : c->q_tg + (size_t)b * A,
                                          c->q_tg + (size_t)b * A, nm, D, c->nvec, c->cfg.double_q, c->b_ret[b],
                                          c->b_disc[b]);
        double qd = 0.0;
        for (int d = 0, o = 0; d < D; o += c->nvec[d], d++) qd += qb[o + ab[d]];
        sums[3] += qd / D / B;
        int32_t g[LUDUS_MAX_ACTION_DIMS];
        ludus_dqn_branch_greedy(qb, c->M ? c->b_mask + (size_t)b * c->M : NULL, D, c->nvec, g);
        sums[4] += memcmp(g, ab, (size_t)D * sizeof(int32_t)) == 0;
    }
    double parts[2];
    sums[0] += ludus_cql_branch_loss(c->q, c->b_acts, c->y, c->M ? c->b_mask : NULL, B, D, c->nvec,
                                     c->cfg.huber_delta, c->cfg.alpha, B, c->dq, c->td, parts);
    sums[1] += parts[0];
    sums[2] += parts[1];
    apply_grad(c, sums);
}

/* One gradient step on B transitions drawn with rng; sums[0..5] gather
 * loss, td loss, conservative term, Q at the data's actions, argmax hits,
 * gradient norm. */
static void grad_step(cql *c, ludus_rng *rng, double *sums)
{
    const int B = c->B, A = c->A;
    for (int i = 0; i < B; i++) {
        size_t j = (size_t)ludus_rng_integers(rng, 0, c->n);
        memcpy(c->b_obs + (size_t)i * c->D, c->t_obs + j * c->D, c->D);
        memcpy(c->b_next + (size_t)i * c->D, c->t_next + j * c->D, c->D);
        if (c->W) memcpy(c->b_words + (size_t)i * c->W, c->t_words + j * c->W, (size_t)c->W * sizeof(int32_t));
        c->b_act[i] = c->t_act[j];
        c->b_ret[i] = c->t_ret[j];
        c->b_disc[i] = c->t_disc[j];
        if (c->branched) ludus_dqn_action_decode(c->t_act[j], c->Dm, c->nvec, c->b_acts + (size_t)i * c->Dm);
        if (c->M) {
            memcpy(c->b_mask + (size_t)i * c->M, c->t_mask + j * c->M, (size_t)c->M);
            memcpy(c->b_nmask + (size_t)i * c->M, c->t_nmask + j * c->M, (size_t)c->M);
        }
    }
    if (c->branched) {
        branch_step(c, sums);
        return;
    }
    q_of(c, c->target, c->b_next, c->q_tg);
    if (c->cfg.double_q) q_of(c, c->pol.params.data, c->b_next, c->q_on);
    q_of(c, c->pol.params.data, c->b_obs, c->q); /* last: kept in ws for backward */
    for (int b = 0; b < B; b++) {
        const float *qb = c->q + (size_t)b * A;
        c->y[b] = ludus_dqn_target(c->cfg.double_q ? c->q_on + (size_t)b * A : c->q_tg + (size_t)b * A,
                                   c->q_tg + (size_t)b * A, A, c->cfg.double_q, c->b_ret[b], c->b_disc[b]);
        sums[3] += qb[c->b_act[b]] / B;
        int g = 0;
        for (int a = 1; a < A; a++)
            if (qb[a] > qb[g]) g = a;
        sums[4] += g == c->b_act[b];
    }
    double parts[2];
    sums[0] += ludus_cql_loss(c->q, c->b_act, c->y, B, A, c->cfg.huber_delta, c->cfg.alpha, B, c->dq, c->td, parts);
    sums[1] += parts[0];
    sums[2] += parts[1];
    apply_grad(c, sums);
}

static int update(void *self, double *row)
{
    cql *c = self;
    /* the update's own stream: a resumed run draws what the straight one does */
    ludus_rng rng;
    uint32_t w[4] = {(uint32_t)c->run.seed, (uint32_t)(c->run.seed >> 32), (uint32_t)c->update, 0xc91u};
    ludus_rng_seed_words(&rng, w, 4);
    double sums[6] = {0};
    for (int g = 0; g < c->cfg.grad_steps; g++) {
        grad_step(c, &rng, sums);
        c->steps += (uint64_t)c->B;
    }
    c->update++;
    const double G = c->cfg.grad_steps;
    row[0] = sums[0] / G;
    row[1] = sums[1] / G;
    row[2] = sums[2] / G;
    row[3] = sums[3] / G;
    row[4] = sums[4] / (G * c->B);
    row[5] = sums[5] / G;
    row[6] = (double)c->n;
    row[7] = (double)c->steps / (double)c->n;
    return LUDUS_OK;
}

static uint64_t steps(const void *self)
{
    return ((const cql *)self)->steps;
}

static int save(const void *self, const char *checkpoint, const char *state, const char *const *meta)
{
    const cql *c = self;
    int n = ludus_run_config_to_json_flat(&c->run, cql_keys, &c->cfg, NULL, 0);
    char *cfg = malloc((size_t)n + 1);
    if (!cfg) return ludus_err_set(LUDUS_ENOMEM, "cql: out of memory");
    ludus_run_config_to_json_flat(&c->run, cql_keys, &c->cfg, cfg, (size_t)n + 1);
    int rc = ludus_policy_checkpoint_save(checkpoint, &c->pol, c->info, c->steps, cfg, meta);
    free(cfg);
    if (rc) return rc;
    ludus_nn_params st;
    ludus_nn_params_init(&st);
    int ps[1] = {(int)c->P};
    rc = ludus_nn_params_add(&st, "adam.m", 1, ps, NULL);
    if (!rc) rc = ludus_nn_params_add(&st, "adam.v", 1, ps, NULL);
    if (!rc) rc = ludus_nn_params_add(&st, "target", 1, ps, NULL);
    if (!rc) rc = ludus_nn_params_alloc(&st);
    if (!rc) {
        memcpy(st.data + st.tensors[0].offset, c->adam.m, c->P * sizeof(float));
        memcpy(st.data + st.tensors[1].offset, c->adam.v, c->P * sizeof(float));
        memcpy(st.data + st.tensors[2].offset, c->target, c->P * sizeof(float));
        char t[32], upd[32], stp[32], gs[32];
        snprintf(t, sizeof t, "%lld", (long long)c->adam.t);
        snprintf(upd, sizeof upd, "%d", c->update);
        snprintf(stp, sizeof stp, "%llu", (unsigned long long)c->steps);
        snprintf(gs, sizeof gs, "%llu", (unsigned long long)c->grad_steps);
        const char *m[] = {"ludus.format", CQL_STATE_FORMAT, "ludus.env", c->info->id, "adam.t", t, "cql.update", upd,
                           "cql.steps", stp, "cql.grad_steps", gs, NULL};
        const char **all = ludus_checkpoint_meta_join(m, meta);
        if (!all) {
            rc = ludus_err_set(LUDUS_ENOMEM, "cql: out of memory");
        } else {
            rc = ludus_nn_save(state, &st, all);
            free(all);
        }
    }
    ludus_nn_params_free(&st);
    return rc;
}

static int load(void *self, const char *checkpoint, const char *state)
{
    cql *c = self;
    int rc = ludus_policy_checkpoint_load(checkpoint, &c->pol, c->info);
    if (rc) return rc;
    memcpy(c->target, c->pol.params.data, c->P * sizeof(float));
    if (!state) return LUDUS_OK;
    ludus_nn_file *f = NULL;
    if ((rc = ludus_nn_file_open(state, &f))) return rc;
    const char *fmt = ludus_nn_file_meta(f, "ludus.format");
    unsigned long long t = 0, upd = 0, stp = 0, gs = 0;
    float *m = NULL, *v = NULL, *tg = NULL;
    if (!fmt || strcmp(fmt, CQL_STATE_FORMAT) != 0)
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: not a CQL training state (format \"%s\")", state, fmt ? fmt : "missing");
    if (!rc) rc = ludus_checkpoint_meta_u64(f, state, "adam.t", &t);
    if (!rc) rc = ludus_checkpoint_meta_u64(f, state, "cql.update", &upd);
    if (!rc) rc = ludus_checkpoint_meta_u64(f, state, "cql.steps", &stp);
    if (!rc) rc = ludus_checkpoint_meta_u64(f, state, "cql.grad_steps", &gs);
    if (!rc && upd > 2147483647ull) rc = ludus_err_set(LUDUS_EFORMAT, "%s: counters out of range", state);
    if (!rc && (!(m = malloc(c->P * sizeof(float))) || !(v = malloc(c->P * sizeof(float))) ||
                !(tg = malloc(c->P * sizeof(float)))))
        rc = ludus_err_set(LUDUS_ENOMEM, "cql: out of memory");
    if (!rc) rc = ludus_nn_file_read(f, "adam.m", m, c->P);
    if (!rc) rc = ludus_nn_file_read(f, "adam.v", v, c->P);
    if (!rc) rc = ludus_nn_file_read(f, "target", tg, c->P);
    if (!rc) {
        memcpy(c->adam.m, m, c->P * sizeof(float));
        memcpy(c->adam.v, v, c->P * sizeof(float));
        memcpy(c->target, tg, c->P * sizeof(float));
        c->adam.t = (int64_t)t;
        c->update = (int)upd;
        c->steps = stp;
        c->grad_steps = gs;
    }
    free(m);
    free(v);
    free(tg);
    ludus_nn_file_close(f);
    return rc;
}

static int agent(void *self, const char *checkpoint, ludus_agent **out)
{
    (void)self;
    return ludus_agent_load(checkpoint, NULL, 1, out);
}

const ludus_learner_ops ludus_cql_learner = {
    .name = "cql",
    .description = "discrete conservative Q-learning from a dataset of `ludus collect` (docs/datasets.md)",
    .config_size = sizeof(cql_config),
    .keys = cql_keys,
    .config_default = config_default,
    .config_check = config_check,
    .create = create,
    .destroy = destroy,
    .columns = columns,
    .update = update,
    .steps = steps,
    .save = save,
    .load = load,
    .agent = agent,
};
