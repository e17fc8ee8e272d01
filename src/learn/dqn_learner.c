/* dqn_learner.c: deep Q-learning behind the learner table (learner.h), the
 * registry's "dqn" row. The network is the policy of policy.h, so every
 * world PPO trains on works: the actor head's A outputs are the Q values,
 * or with dueling the advantages, joined with the critic head's value as
 * V + A - mean(A). Each update steps the worlds rollout_steps times with
 * epsilon-greedy actions (each world's own stream), turns the steps into
 * n-step transitions in a flat replay ring, and takes gradient steps on
 * minibatches of it (uniform or prioritized) against a target network.
 * run.num_threads workers split each minibatch (each its own slice and
 * gradient buffer, summed in a fixed order, so a run is reproducible for
 * a given thread count); the worlds step on the calling thread.
 *
 * Sources: DQN with a target network and a linear epsilon schedule (Mnih
 * et al. 2015, Nature); Double DQN (van Hasselt, Guez and Silver 2016);
 * dueling heads (Wang et al. 2016); n-step returns (Sutton 1988; as in
 * Hessel et al. 2018, Rainbow); proportional prioritized replay with a sum
 * tree and annealed importance weights (Schaul et al. 2016); worlds of
 * several action components or a legal-action mask through action
 * branching (Tavakoli, Pardo and Kormushev 2018: one Q head per component,
 * the mean-of-branches target, masked argmax and masked random actions;
 * each replay slot keeps the next observation's mask, for an ended
 * episode its final state's, which the vec keeps through the reset).
 *
 * Offline-to-online (`dataset`, `offline_ratio`): RLPD's symmetric sampling
 * (Ball, Smith, Kostrikov and Levine 2023) on this discrete learner. The
 * dataset's episodes become n-step transitions once, at create, with the
 * learner's n_step and gamma; every minibatch then takes round(ratio * B)
 * rows uniformly from them and the rest from the replay, which fills with
 * the online steps as usual. RLPD's other ingredients: a high
 * update-to-data ratio is gradient_steps / (train_freq * num_envs); its
 * LayerNorm critic is the network's option arch.layer_norm (policy.c);
 * its critic ensemble is `ensemble` E and `ensemble_min` M: E networks
 * with their targets, the target the min over M drawn target members at
 * one action a* (dqn.h), each member its own Huber loss, clipping and
 * Adam moments; the worlds act on the members' mean Q. Member 0 is the
 * checkpoint, the others ride in the training state.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "core/pool.h"
#include "learn/dqn.h"
#include "learn/keys.h"
#include "learn/ppo_internal.h"
#include "ludus/data.h"
#include "ludus/run.h"
#include "nn/nn_internal.h"

#define DQN_STATE_FORMAT "ludus-dqn-state-1"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- configuration ---- */

#define O(f) offsetof(ludus_dqn_config, f)
const ludus_key ludus_dqn_keys[] = {
    {"num_envs", LUDUS_KEY_INT, O(num_envs), 1, 65536, NULL, "worlds stepped together"},
    {"rollout_steps", LUDUS_KEY_INT, O(rollout_steps), 1, 1 << 20, NULL,
     "steps of every world per update (one metrics row)"},
    {"buffer_size", LUDUS_KEY_INT, O(buffer_size), 1, 1 << 26, NULL, "transitions the replay ring holds"},
    {"batch_size", LUDUS_KEY_INT, O(batch_size), 1, 1 << 16, NULL, "transitions per gradient step"},
    {"learning_starts", LUDUS_KEY_INT, O(learning_starts), 0, 1 << 30, NULL, "frames before the first gradient step"},
    {"train_freq", LUDUS_KEY_INT, O(train_freq), 1, 1 << 20, NULL, "steps of every world between gradient phases"},
    {"gradient_steps", LUDUS_KEY_INT, O(gradient_steps), 1, 1 << 16, NULL, "gradient steps per phase"},
    {"lr", LUDUS_KEY_FLOAT, O(lr), 0, 10, NULL, "Adam's learning rate"},
    {"gamma", LUDUS_KEY_FLOAT, O(gamma), 0, 1, NULL, "discount"},
    {"adam_eps", LUDUS_KEY_FLOAT, O(adam_eps), 1e-30, 1, NULL, "Adam's epsilon"},
    {"max_grad_norm", LUDUS_KEY_FLOAT, O(max_grad_norm), 0, 1e9, NULL, "gradient clipping norm"},
    {"huber_delta", LUDUS_KEY_FLOAT, O(huber_delta), 1e-6, 1e9, NULL, "the Huber loss's threshold"},
    {"target_update", LUDUS_KEY_INT, O(target_update), 1, 1 << 30, NULL,
     "gradient steps between target network updates (Mnih 2015)"},
    {"tau", LUDUS_KEY_FLOAT, O(tau), 1e-9, 1, NULL, "target <- tau online + (1 - tau) target; 1: hard copy (Polyak < 1)"},
    {"eps_start", LUDUS_KEY_FLOAT, O(eps_start), 0, 1, NULL, "epsilon at frame 0"},
    {"eps_end", LUDUS_KEY_FLOAT, O(eps_end), 0, 1, NULL, "epsilon after the schedule"},
    {"eps_fraction", LUDUS_KEY_FLOAT, O(eps_fraction), 0, 1, NULL,
     "fraction of total_steps over which epsilon falls linearly"},
    {"eval_epsilon", LUDUS_KEY_FLOAT, O(eval_epsilon), 0, 1, NULL, "the agent's epsilon when not greedy"},
    {"double_q", LUDUS_KEY_INT, O(double_q), 0, 1, NULL, "1: Double DQN targets (van Hasselt 2016)"},
    {"dueling", LUDUS_KEY_INT, O(dueling), 0, 1, NULL, "1: dueling heads V + A - mean A (Wang 2016)"},
    {"n_step", LUDUS_KEY_INT, O(n_step), 1, 64, NULL, "n-step returns (Sutton 1988; Hessel 2018)"},
    {"prioritized", LUDUS_KEY_INT, O(prioritized), 0, 1, NULL, "1: proportional prioritized replay (Schaul 2016)"},
    {"per_alpha", LUDUS_KEY_FLOAT, O(per_alpha), 0, 1, NULL, "priority = (|td| + per_eps)^alpha"},
    {"per_beta", LUDUS_KEY_FLOAT, O(per_beta), 0, 1, NULL, "importance weight exponent at frame 0, annealed to 1"},
    {"per_eps", LUDUS_KEY_FLOAT, O(per_eps), 1e-12, 1, NULL, "added to |td| so no priority is 0"},
    {"save_replay", LUDUS_KEY_INT, O(save_replay), 0, 1, NULL,
     "1: the training state holds the replay and the worlds, so resume is exact"},
    {"dataset", LUDUS_KEY_STR, O(dataset), 0, sizeof(((ludus_dqn_config *)0)->dataset), NULL,
     "offline-to-online (RLPD, Ball 2023): a dataset of `ludus collect` whose transitions join every minibatch"},
    {"offline_ratio", LUDUS_KEY_FLOAT, O(offline_ratio), 0, 1, NULL,
     "with a dataset: the fraction of each minibatch drawn from it (0.5: RLPD's symmetric sampling)"},
    {"ensemble", LUDUS_KEY_INT, O(ensemble), 1, LUDUS_DQN_MAX_ENSEMBLE, NULL,
     "critics in the ensemble (RLPD, Ball 2023: 10); 1: one Q network"},
    {"ensemble_min", LUDUS_KEY_INT, O(ensemble_min), 0, LUDUS_DQN_MAX_ENSEMBLE, NULL,
     "the target is the min over this many target critics drawn at random (RLPD: 2); 0: min(2, ensemble)"},
    {"arch", LUDUS_KEY_OBJECT, O(arch), 0, 0, ludus_policy_arch_keys, "the Q network"},
    {NULL, 0, 0, 0, 0, NULL, NULL},
};
#undef O

static void config_default(void *cfg, ludus_run_config *run, const ludus_env_info *info)
{
    ludus_dqn_config *c = cfg;
    memset(c, 0, sizeof *c);
    c->num_envs = 8;
    c->rollout_steps = 64;
    c->buffer_size = 100000;
    c->batch_size = 64;
    c->learning_starts = 2000;
    c->train_freq = 1;
    c->gradient_steps = 1;
    c->lr = 5e-4f;
    c->gamma = 0.99f;
    c->adam_eps = 1e-5f;
    c->max_grad_norm = 10.0f;
    c->huber_delta = 1.0f;
    c->target_update = 250;
    c->tau = 1.0f;
    c->eps_start = 1.0f;
    c->eps_end = 0.05f;
    c->eps_fraction = 0.5f;
    c->eval_epsilon = 0.01f;
    c->double_q = 1;
    c->dueling = 1;
    c->n_step = 3;
    c->prioritized = 0;
    c->per_alpha = 0.6f;
    c->per_beta = 0.4f;
    c->per_eps = 1e-6f;
    c->offline_ratio = 0.5f;
    c->ensemble = 1;
    c->ensemble_min = 0;
    c->arch = (ludus_policy_arch){.embed = 8, .conv1 = 16, .conv2 = 32, .kernel = 3, .hidden = 64, .head = 64,
                                  .memory = 0, .instr = 0, .word_embed = 32, .max_words = 16};
    if (!info) return;
    snprintf(run->env_options, sizeof run->env_options, "%s", info->train_options ? info->train_options : "");
    if (info->flags & LUDUS_ENV_INSTRUCTED) c->arch.instr = 64;
}

static int config_check(const void *cfg, const ludus_run_config *run)
{
    const ludus_dqn_config *c = cfg;
    (void)run;
    int rc = ludus_keys_check(ludus_dqn_keys, c);
    if (rc) return rc;
    if (c->arch.memory)
        return ludus_err_set(LUDUS_EINVAL, "config: dqn needs arch.memory 0 (the replay holds single transitions, "
                                           "not sequences); got %d", c->arch.memory);
    if (c->batch_size > c->buffer_size)
        return ludus_err_set(LUDUS_EINVAL, "config: batch_size (%d) exceeds buffer_size (%d)", c->batch_size,
                             c->buffer_size);
    if (c->ensemble_min > c->ensemble)
        return ludus_err_set(LUDUS_EINVAL, "config: ensemble_min (%d) exceeds ensemble (%d): the target's min is over "
                                           "members drawn from the ensemble", c->ensemble_min, c->ensemble);
    if (c->eps_end > c->eps_start)
        return ludus_err_set(LUDUS_EINVAL, "config: eps_end (%g) exceeds eps_start (%g)", (double)c->eps_end,
                             (double)c->eps_start);
    char buf[512];
    ludus_policy_arch_to_json(&c->arch, buf, sizeof buf);
    ludus_policy_arch check;
    if ((rc = ludus_policy_arch_from_json(buf, &check))) return ludus_err_wrap(LUDUS_EINVAL, "config");
    return LUDUS_OK;
}

/* ---- the learner ---- */

static const ludus_metric_column cols[] = {
    {"episodes", 1}, {"return", 0},   {"success", 0},     {"length", 0},     {"loss", 0},
    {"q_mean", 0},   {"td_abs", 0},   {"grad_norm", 0},   {"epsilon", 0},    {"beta", 0},
    {"replay", 1},   {"grad_steps", 1}, {"steps_per_s", 0}, {"updates_per_s", 0}, {"cpu_s", 0},
};
#define NUM_COLS ((int)(sizeof cols / sizeof cols[0]))

typedef struct dqn {
    ludus_dqn_config cfg;
    ludus_run_config run;
    ludus_vec *vec;
    const ludus_env *env;
    const ludus_env_info *info;
    policy pol;
    float *target;          /* (E, P) the target networks' parameters */
    /* the critic ensemble (E members; E = 1: theta is pol.params.data) */
    int E, M;
    float *theta;             /* (E, P) the members' parameters; member 0 copied to pol at save */
    float *kgrad;             /* (K, E, P) each worker's gradients of every member (E > 1) */
    float *e_pick, *e_sub;    /* (B, A), (M, B, A) scratch of the targets */
    float *q_mem;             /* (max(N, B), A) one member's Q when acting */
    int subset[LUDUS_DQN_MAX_ENSEMBLE];
    ludus_nn_adam adam;
    policy_ws ws;             /* acting */
    pool *team;               /* the learner's threads */
    int K;
    policy_ws *wsk;           /* (K) each worker's slice of a minibatch */
    double *part;             /* (K, 3) each worker's loss, sum of Q, sum of |td| */
    float *gsum;              /* (P) the summed gradient */
    int N, A, W, B;
    size_t D, P;
    /* the replay ring */
    int cap, size, pos;
    uint8_t *r_obs, *r_next;  /* (cap, D) */
    int32_t *r_act, *r_words; /* (cap), (cap, W) */
    float *r_ret, *r_disc;    /* (cap) */
    dqn_sumtree tree;
    double max_prio;
    dqn_nstep ns;
    /* action branching (several components or a mask): actions are stored
     * as one mixed-radix code (ludus_dqn_action_code) below ncodes */
    int branched, Dm, MA;     /* components; mask bytes (0: none) */
    int nvec[LUDUS_MAX_ACTION_DIMS];
    int64_t ncodes;           /* codes of a whole action (A when not branched) */
    uint8_t *r_nmask;         /* (cap, MA) the next state's legal-action mask */
    uint8_t *b_nmask;         /* (B, MA) */
    int32_t *b_acts;          /* (B, Dm) the minibatch's actions, component by component */
    int32_t *step_act;        /* (N, Dm) the worlds' actions */
    uint8_t *ones;            /* (MA) every value legal */
    const uint8_t *emit_mask; /* the mask the n-step window's next transitions get */
    /* offline-to-online: the dataset's n-step transitions, read once */
    int64_t o_n;
    int k_off;                /* rows of each minibatch drawn from them */
    uint8_t *o_obs, *o_next;  /* (o_n, D) */
    int32_t *o_act, *o_words; /* (o_n), (o_n, W) */
    float *o_ret, *o_disc;    /* (o_n) */
    /* acting */
    uint8_t *cur_obs;         /* (N, D) */
    int32_t *cur_words;       /* (N, W) */
    int32_t *actions;         /* (N) */
    float *q;                 /* (max(N, B), A) */
    ludus_rng *act_rng;       /* (N) */
    ludus_rng sample_rng;
    uint64_t *episodes;       /* (N) episodes begun by each world: its level stream */
    /* a minibatch */
    uint8_t *b_obs, *b_next;
    int32_t *b_words, *b_act;
    int *b_idx;
    int64_t *b_mix;
    float *b_ret, *b_disc;
    float *b_w, *q_on, *q_tg, *dq, *td, *y;
    uint64_t steps, grad_steps, world_steps;
    int update;
    int blas_threads;
    double recent, t0, cpu0;
    /* this update's sums */
    double s_loss, s_q, s_td, s_gn;
    long s_g;
    /* worlds with achievements (Crafter): a score column and one per achievement */
    int nach, ncols;
    ludus_metric_column cols[NUM_COLS + 1 + LUDUS_PPO_MAX_ACHIEVEMENTS];
    uint32_t *ep_masks;       /* (N * rollout_steps) masks of this update's ended episodes */
    size_t nmasks;
} dqn;

/* Level of world w's e-th episode: a hash of (seed, w, e), so the levels
 * depend only on how many episodes each world began (saved with the state). */
static uint64_t level_of(void *user, int world, ludus_rng *rng)
{
    (void)rng;
    dqn *d = user;
    uint64_t e = d->episodes[world]++;
    uint64_t h = d->run.seed * 0x9e3779b97f4a7c15ull ^ ((uint64_t)world << 32 | (e & 0xffffffffu)) ^ (e >> 32) * 0xbf58476d1ce4e5b9ull;
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    uint64_t count = d->run.train_levels ? d->run.train_levels : LUDUS_MAX_TRAIN_LEVELS;
    return h % count;
}

static void destroy(void *self)
{
    dqn *d = self;
    if (!d) return;
    if (d->blas_threads > 0) ludus_nn_set_threads(d->blas_threads);
    if (d->theta != d->pol.params.data) free(d->theta); /* an ensemble's own; before the policy goes */
    ludus_vec_destroy(d->vec);
    ludus_pool_destroy(d->team);
    for (int k = 0; d->wsk && k < d->K; k++) ludus_policy_ws_destroy(&d->wsk[k]);
    free(d->wsk);
    free(d->part);
    free(d->gsum);
    ludus_policy_ws_destroy(&d->ws);
    ludus_policy_destroy(&d->pol);
    ludus_nn_adam_free(&d->adam);
    ludus_dqn_sumtree_free(&d->tree);
    ludus_dqn_nstep_free(&d->ns);
    void *bufs[] = {d->kgrad, d->e_pick, d->e_sub, d->q_mem, d->ep_masks, d->target, d->r_obs, d->r_next, d->r_act, d->r_words, d->r_ret, d->r_disc, d->cur_obs,
                    d->cur_words, d->actions, d->q, d->act_rng, d->episodes, d->b_obs, d->b_next, d->b_words,
                    d->b_act, d->b_idx, d->b_w, d->q_on, d->q_tg, d->dq, d->td, d->y,
                    d->b_mix, d->b_ret, d->b_disc, d->r_nmask, d->b_nmask, d->b_acts, d->step_act, d->ones,
                    d->o_obs, d->o_next, d->o_act, d->o_words, d->o_ret, d->o_disc};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) free(bufs[i]);
    free(d);
}

static void tokenize(dqn *d, int n)
{
    ludus_policy_tokenize(&d->pol, ludus_env_mission(d->env, ludus_vec_state(d->vec, n)),
                          d->cur_words + (size_t)n * d->W);
}

/* The n-step window's transitions of the dataset, appended in its order. */
static void emit_offline(void *ctx, const uint8_t *obs, int32_t action, float ret, float disc, const uint8_t *next,
                         const int32_t *words)
{
    dqn *d = ctx;
    const size_t i = (size_t)d->o_n++;
    memcpy(d->o_obs + i * d->D, obs, d->D);
    memcpy(d->o_next + i * d->D, next, d->D);
    if (d->W) memcpy(d->o_words + i * d->W, words, (size_t)d->W * sizeof(int32_t));
    d->o_act[i] = action;
    d->o_ret[i] = ret;
    d->o_disc[i] = disc;
}

/* Every recorded step of cfg.dataset into n-step transitions with the
 * learner's n_step and gamma, as the online steps are (cql_learner.c
 * reads its datasets the same way). The dataset must be of the run's
 * world, options and observation layout. */
static int load_offline(dqn *d)
{
    ludus_dataset *ds = NULL;
    dqn_nstep ns;
    memset(&ns, 0, sizeof ns);
    int32_t *words = NULL;
    int rc = ludus_dataset_open(d->cfg.dataset, &ds);
    if (rc) return ludus_err_wrap(rc, "dqn: dataset");
    if ((rc = ludus_dataset_check_world(ds, d->run.env_id, d->run.env_options))) {
        ludus_err_wrap(rc, "dqn");
        goto done;
    }
    const ludus_dataset_meta *m = ludus_dataset_get_meta(ds);
    const size_t mcap = d->info->mission_capacity, cap = (size_t)m->total_steps;
    d->o_obs = malloc(cap * d->D);
    d->o_next = malloc(cap * d->D);
    d->o_words = malloc(cap * (d->W ? d->W : 1) * sizeof(int32_t));
    d->o_act = malloc(cap * sizeof(int32_t));
    d->o_ret = malloc(cap * sizeof(float));
    d->o_disc = malloc(cap * sizeof(float));
    words = calloc((size_t)(d->W ? d->W : 1), sizeof(int32_t));
    if (!d->o_obs || !d->o_next || !d->o_words || !d->o_act || !d->o_ret || !d->o_disc || !words ||
        ludus_dqn_nstep_init(&ns, d->cfg.n_step, 1, d->D, d->W, d->cfg.gamma)) {
        rc = ludus_err_set(LUDUS_ENOMEM, "dqn: out of memory for the dataset's %zu transitions", cap);
        goto done;
    }
    for (int64_t e = 0; e < m->total_episodes && !rc; e++) {
        ludus_dataset_episode ep;
        if ((rc = ludus_dataset_read(ds, e, &ep))) {
            ludus_err_wrap(rc, "dqn");
            break;
        }
        for (int t = 0; t < ep.steps && d->o_n < (int64_t)cap; t++) {
            if (d->W) ludus_policy_tokenize(&d->pol, ep.missions ? ep.missions + (size_t)t * mcap : "", words);
            const int last = t == ep.steps - 1, term = ep.terminations[t] != 0;
            /* an episode the recorder cut without an end is bootstrapped like a truncation */
            ludus_dqn_nstep_push(&ns, 0, ep.obs + (size_t)t * d->D, ep.actions[t], (float)ep.rewards[t],
                                 d->W ? words : NULL, term, !term && (last || ep.truncations[t]),
                                 ep.obs + (size_t)(t + 1) * d->D, emit_offline, d);
            if (term && !last) break;
        }
        ludus_dataset_episode_free(&ep);
    }
    if (!rc && d->o_n < 1) rc = ludus_err_set(LUDUS_EINVAL, "dqn: the dataset %s holds no transitions", d->cfg.dataset);
done:
    free(words);
    ludus_dqn_nstep_free(&ns);
    ludus_dataset_close(ds);
    return rc;
}

static int create(const void *cfg, const ludus_run_config *run, void **self)
{
    *self = NULL;
    int rc = config_check(cfg, run);
    if (rc) return rc;
    dqn *d = calloc(1, sizeof *d);
    if (!d) return ludus_err_set(LUDUS_ENOMEM, "dqn: out of memory");
    d->cfg = *(const ludus_dqn_config *)cfg;
    d->run = *run;
    d->t0 = now_s();
    d->cpu0 = cpu_s();
    d->recent = NAN;
    d->N = d->cfg.num_envs;
    d->B = d->cfg.batch_size;
    d->cap = d->cfg.buffer_size;
    const uint64_t levels = run->train_levels ? run->train_levels : LUDUS_MAX_TRAIN_LEVELS;
    ludus_vec_config vc = {.env_id = run->env_id, .env_options = run->env_options, .num_envs = d->N,
                           .num_threads = 1, .level_start = 0, .level_count = levels,
                           .seed = run->seed};
    if ((rc = ludus_vec_create(&vc, &d->vec))) goto fail;
    d->env = ludus_vec_env(d->vec);
    d->info = ludus_env_get_info(d->env);
    d->D = d->info->obs_size;
    d->Dm = d->info->action_dims;
    d->MA = d->info->mask_size;
    d->branched = d->Dm > 1 || d->MA > 0;
    memcpy(d->nvec, d->info->action_nvec, sizeof d->nvec);
    d->ncodes = 1;
    for (int k = 0; k < d->Dm && d->ncodes <= INT32_MAX; k++) d->ncodes *= d->nvec[k];
    if (d->ncodes > INT32_MAX) {
        rc = ludus_err_set(LUDUS_EUNSUPPORTED, "dqn: %s has more than 2^31 whole actions (%d components)",
                           d->info->id, d->Dm);
        goto fail;
    }
    if (d->branched && d->cfg.dataset[0]) {
        rc = ludus_err_set(LUDUS_EUNSUPPORTED,
                           "dqn: offline data (dataset) on %s, a world of %s, is not supported by offline-to-online "
                           "yet (bc and cql learn from its datasets); train online", d->info->id,
                           d->Dm > 1 ? "several action components" : "a legal-action mask");
        goto fail;
    }
    policy_input in;
    if ((rc = ludus_policy_input_of(d->info, d->cfg.arch.encoder, &in))) goto fail;
    if ((rc = ludus_policy_create(&d->pol, &d->cfg.arch, &in))) goto fail;
    d->A = d->pol.num_actions;
    d->W = d->cfg.arch.instr ? d->cfg.arch.max_words : 0;
    d->P = d->pol.params.size;
    ludus_rng init_rng;
    ludus_rng_seed(&init_rng, run->seed);
    if ((rc = ludus_policy_init(&d->pol, &init_rng))) goto fail;
    d->E = d->cfg.ensemble;
    d->M = d->cfg.ensemble_min ? d->cfg.ensemble_min : (d->E < 2 ? d->E : 2);
    d->theta = d->pol.params.data;
    if (d->E > 1) {
        if (d->branched) {
            rc = ludus_err_set(LUDUS_EUNSUPPORTED, "dqn: the critic ensemble (ensemble %d) on %s, a world of %s, is "
                               "not supported; use ensemble 1", d->E, d->info->id,
                               d->Dm > 1 ? "several action components" : "a legal-action mask");
            goto fail;
        }
        if (!(d->theta = malloc((size_t)d->E * d->P * sizeof(float)))) {
            rc = ludus_err_set(LUDUS_ENOMEM, "dqn: out of memory for %d critics", d->E);
            goto fail;
        }
        /* member 0 is the network a single critic would start from; the
         * others start from streams of (seed, e) */
        memcpy(d->theta, d->pol.params.data, d->P * sizeof(float));
        for (int e = 1; e < d->E; e++) {
            uint32_t w[4] = {(uint32_t)run->seed, (uint32_t)(run->seed >> 32), (uint32_t)e, 0xe75u};
            ludus_rng_seed_words(&init_rng, w, 4);
            if ((rc = ludus_policy_init(&d->pol, &init_rng))) goto fail;
            memcpy(d->theta + (size_t)e * d->P, d->pol.params.data, d->P * sizeof(float));
        }
        memcpy(d->pol.params.data, d->theta, d->P * sizeof(float));
    }
    if ((rc = ludus_nn_adam_init(&d->adam, (size_t)d->E * d->P, 0.9f, 0.999f, d->cfg.adam_eps))) goto fail;
    if (d->cfg.dataset[0]) {
        if ((rc = load_offline(d))) goto fail;
        d->k_off = ludus_dqn_offline_rows(d->B, d->cfg.offline_ratio);
    }
    if ((rc = ludus_nn_check_kernels_env())) goto fail;
    d->blas_threads = ludus_nn_get_threads();
    ludus_nn_set_threads(1);
    const int wsz = d->W ? d->W : 1, qn = d->N > d->B ? d->N : d->B;
    if ((rc = ludus_policy_ws_create(&d->ws, &d->pol, qn))) goto fail;
    d->K = run->num_threads < d->B ? run->num_threads : d->B;
    if (d->K < 1) d->K = 1;
    if (!(d->team = ludus_pool_create(d->K, POOL_BLOCK))) {
        rc = ludus_err_set(LUDUS_ENOMEM, "dqn: cannot start %d learner threads", d->K);
        goto fail;
    }
    d->wsk = calloc((size_t)d->K, sizeof *d->wsk);
    d->part = calloc((size_t)d->K * 3, sizeof(double));
    d->gsum = malloc((size_t)d->E * d->P * sizeof(float));
    if (d->E > 1) {
        d->kgrad = malloc((size_t)d->K * d->E * d->P * sizeof(float));
        d->e_pick = malloc((size_t)d->B * d->A * sizeof(float));
        d->e_sub = malloc((size_t)d->M * d->B * d->A * sizeof(float));
        d->q_mem = malloc((size_t)qn * d->A * sizeof(float));
        if (!d->kgrad || !d->e_pick || !d->e_sub || !d->q_mem) {
            rc = ludus_err_set(LUDUS_ENOMEM, "dqn: out of memory for %d critics", d->E);
            goto fail;
        }
    }
    if (!d->wsk || !d->part || !d->gsum) {
        rc = ludus_err_set(LUDUS_ENOMEM, "dqn: out of memory");
        goto fail;
    }
    for (int k = 0; k < d->K; k++)
        if ((rc = ludus_policy_ws_create(&d->wsk[k], &d->pol, (d->B + d->K - 1) / d->K))) goto fail;
    if ((rc = ludus_dqn_nstep_init(&d->ns, d->cfg.n_step, d->N, d->D, d->W, d->cfg.gamma))) goto fail;
    if (d->cfg.prioritized && (rc = ludus_dqn_sumtree_init(&d->tree, d->cap))) goto fail;
    d->max_prio = 1.0;
    const size_t cap = (size_t)d->cap;
    d->target = malloc((size_t)d->E * d->P * sizeof(float));
    d->r_obs = malloc(cap * d->D);
    d->r_next = malloc(cap * d->D);
    d->r_act = malloc(cap * sizeof(int32_t));
    d->r_words = malloc(cap * wsz * sizeof(int32_t));
    d->r_ret = malloc(cap * sizeof(float));
    d->r_disc = malloc(cap * sizeof(float));
    d->cur_obs = malloc((size_t)d->N * d->D);
    d->cur_words = calloc((size_t)d->N * wsz, sizeof(int32_t));
    d->actions = malloc((size_t)d->N * sizeof(int32_t));
    d->q = malloc((size_t)qn * d->A * sizeof(float));
    d->act_rng = calloc((size_t)d->N, sizeof(ludus_rng));
    d->episodes = calloc((size_t)d->N, sizeof(uint64_t));
    d->b_obs = malloc((size_t)d->B * d->D);
    d->b_next = malloc((size_t)d->B * d->D);
    d->b_words = malloc((size_t)d->B * wsz * sizeof(int32_t));
    d->b_act = malloc((size_t)d->B * sizeof(int32_t));
    d->b_idx = malloc((size_t)d->B * sizeof(int));
    d->b_w = malloc((size_t)d->B * sizeof(float));
    d->b_mix = malloc((size_t)d->B * sizeof(int64_t));
    d->b_ret = malloc((size_t)d->B * sizeof(float));
    d->b_disc = malloc((size_t)d->B * sizeof(float));
    d->q_on = malloc((size_t)d->B * d->A * sizeof(float));
    d->q_tg = malloc((size_t)d->B * d->A * sizeof(float));
    d->dq = malloc((size_t)d->B * d->A * sizeof(float));
    d->td = malloc((size_t)d->B * sizeof(float));
    d->y = malloc((size_t)d->B * sizeof(float));
    if (d->branched) {
        const size_t ma = d->MA ? (size_t)d->MA : 1;
        d->r_nmask = calloc(cap, ma);
        d->b_nmask = calloc((size_t)d->B, ma);
        d->ones = malloc(ma);
        d->b_acts = calloc((size_t)d->B * d->Dm, sizeof(int32_t));
        d->step_act = calloc((size_t)d->N * d->Dm, sizeof(int32_t));
        if (!d->r_nmask || !d->b_nmask || !d->ones || !d->b_acts || !d->step_act) {
            rc = ludus_err_set(LUDUS_ENOMEM, "dqn: out of memory for the replay's masks");
            goto fail;
        }
        memset(d->ones, 1, ma);
    }
    if (!d->target || !d->r_obs || !d->r_next || !d->r_act || !d->r_words || !d->r_ret || !d->r_disc ||
        !d->cur_obs || !d->cur_words || !d->actions || !d->q || !d->act_rng || !d->episodes || !d->b_obs ||
        !d->b_next || !d->b_words || !d->b_act || !d->b_idx || !d->b_w || !d->b_mix || !d->b_ret || !d->b_disc || !d->q_on || !d->q_tg || !d->dq ||
        !d->td || !d->y) {
        rc = ludus_err_set(LUDUS_ENOMEM, "dqn: out of memory (a replay of %d transitions of %zu bytes)", d->cap,
                           d->D);
        goto fail;
    }
    memcpy(d->target, d->theta, (size_t)d->E * d->P * sizeof(float));
    memcpy(d->cols, cols, sizeof cols);
    d->ncols = NUM_COLS;
    d->nach = d->info->num_achievements < LUDUS_PPO_MAX_ACHIEVEMENTS ? d->info->num_achievements
                                                                     : LUDUS_PPO_MAX_ACHIEVEMENTS;
    if (d->nach) {
        if (!(d->ep_masks = malloc((size_t)d->N * d->cfg.rollout_steps * sizeof(uint32_t)))) {
            rc = ludus_err_set(LUDUS_ENOMEM, "dqn: out of memory");
            goto fail;
        }
        d->cols[d->ncols++] = (ludus_metric_column){"score", 0};
        for (int i = 0; i < d->nach; i++) d->cols[d->ncols++] = (ludus_metric_column){d->info->achievement_names[i], 1};
    }
    if ((rc = ludus_vec_set_level_fn(d->vec, level_of, d))) goto fail;
    if ((rc = ludus_vec_reset(d->vec))) goto fail;
    if (d->W)
        for (int n = 0; n < d->N; n++) tokenize(d, n);
    *self = d;
    return LUDUS_OK;
fail:
    destroy(d);
    return rc;
}

static int columns(const void *self, const ludus_metric_column **out)
{
    const dqn *d = self;
    *out = d->cols;
    return d->ncols;
}

/* The streams of acting and sampling are seeded from the run's seed and
 * the update's number, so a resumed run draws what the straight one does. */
static void seed_streams(dqn *d)
{
    for (int n = 0; n < d->N; n++) {
        uint32_t w[4] = {(uint32_t)d->run.seed, (uint32_t)(d->run.seed >> 32), (uint32_t)n,
                         0xd9u + (uint32_t)d->update * 2654435761u};
        ludus_rng_seed_words(&d->act_rng[n], w, 4);
    }
    uint32_t w[4] = {(uint32_t)d->run.seed, (uint32_t)(d->run.seed >> 32), 0xfffffffeu,
                     0x7u + (uint32_t)d->update * 2654435761u};
    ludus_rng_seed_words(&d->sample_rng, w, 4);
}

static void emit(void *ctx, const uint8_t *obs, int32_t action, float ret, float disc, const uint8_t *next,
                 const int32_t *words)
{
    dqn *d = ctx;
    size_t i = (size_t)d->pos;
    memcpy(d->r_obs + i * d->D, obs, d->D);
    memcpy(d->r_next + i * d->D, next, d->D);
    if (d->W) memcpy(d->r_words + i * d->W, words, (size_t)d->W * sizeof(int32_t));
    d->r_act[i] = action;
    d->r_ret[i] = ret;
    d->r_disc[i] = disc;
    if (d->MA) memcpy(d->r_nmask + i * d->MA, d->emit_mask, (size_t)d->MA);
    if (d->cfg.prioritized) ludus_dqn_sumtree_set(&d->tree, d->pos, d->max_prio);
    d->pos = (d->pos + 1) % d->cap;
    if (d->size < d->cap) d->size++;
}

static int argmax(const float *q, int A)
{
    int best = 0;
    for (int i = 1; i < A; i++)
        if (q[i] > q[best]) best = i;
    return best;
}

/* Q values of n observations (with their words) under params, into out,
 * through the workspace ws. */
static void q_of(dqn *d, policy_ws *ws, const float *params, const uint8_t *obs, const int32_t *words, int n,
                 float *out)
{
    policy_batch b = {.L = 1, .B = n, .obs = obs, .words = d->W ? words : NULL, .h0 = NULL, .starts = NULL};
    ludus_policy_forward(&d->pol, params, ws, &b);
    if (d->branched) ludus_dqn_branch_q_values(ws->logits, ws->value, n, d->Dm, d->nvec, d->cfg.dueling, out);
    else ludus_dqn_q_values(ws->logits, ws->value, n, d->A, d->cfg.dueling, out);
}

/* Worker k's slice of the staged minibatch: the targets, the loss and
 * the backward pass into its own gradient buffer. */
static void grad_job(void *ctx, int k, int K)
{
    dqn *d = ctx;
    const int b0 = (int)((long)d->B * k / K), b1 = (int)((long)d->B * (k + 1) / K), n = b1 - b0, A = d->A;
    policy_ws *ws = &d->wsk[k];
    double *part = d->part + (size_t)k * 3;
    part[0] = part[1] = part[2] = 0.0;
    const size_t D = d->D;
    const int32_t *words = d->W ? d->b_words + (size_t)b0 * d->W : NULL;
    if (d->E > 1) {
        /* the critic ensemble: each member's gradient into this worker's (E, P) */
        float *g = d->kgrad + (size_t)k * d->E * d->P;
        memset(g, 0, (size_t)d->E * d->P * sizeof(float));
        if (n <= 0) return;
        part[0] = ludus_dqn_ensemble_slice(&d->pol, ws, d->theta, d->target, d->E, d->subset, d->M, d->b_obs + b0 * D,
                                           d->b_next + b0 * D, words, d->b_act + b0, d->b_ret + b0, d->b_disc + b0,
                                           d->b_w + b0, n, d->B, d->cfg.double_q, d->cfg.dueling, d->cfg.huber_delta,
                                           d->q + (size_t)b0 * A, d->e_pick + (size_t)b0 * A,
                                           d->e_sub + (size_t)b0 * A * d->M, d->y + b0, d->td + b0, g, &part[1]);
        for (int b = b0; b < b1; b++) part[2] += fabsf(d->td[b]);
        return;
    }
    memset(ws->grad, 0, d->P * sizeof(float));
    if (n <= 0) return;
    float *q = d->q + (size_t)b0 * A, *qon = d->q_on + (size_t)b0 * A, *qtg = d->q_tg + (size_t)b0 * A;
    q_of(d, ws, d->target, d->b_next + b0 * D, words, n, qtg);
    if (d->cfg.double_q) q_of(d, ws, d->pol.params.data, d->b_next + b0 * D, words, n, qon);
    q_of(d, ws, d->pol.params.data, d->b_obs + b0 * D, words, n, q); /* kept in ws for backward */
    if (d->branched) {
        const int Dm = d->Dm;
        for (int b = b0; b < b1; b++) {
            d->y[b] = ludus_dqn_branch_target(d->q_on + (size_t)b * A, d->q_tg + (size_t)b * A,
                                              d->MA ? d->b_nmask + (size_t)b * d->MA : NULL, Dm, d->nvec,
                                              d->cfg.double_q, d->b_ret[b], d->b_disc[b]);
            float qs = 0.0f;
            for (int k = 0, o = 0; k < Dm; o += d->nvec[k], k++)
                qs += d->q[(size_t)b * A + o + d->b_acts[(size_t)b * Dm + k]];
            part[1] += qs / (float)Dm;
        }
        part[0] = ludus_dqn_branch_loss(q, d->b_acts + (size_t)b0 * Dm, d->y + b0, d->b_w + b0, n, Dm, d->nvec,
                                        d->cfg.huber_delta, d->B, d->dq + (size_t)b0 * A, d->td + b0);
        for (int b = b0; b < b1; b++) part[2] += fabsf(d->td[b]);
        ludus_dqn_branch_q_backward(d->dq + (size_t)b0 * A, n, Dm, d->nvec, d->cfg.dueling, ws->dlogits, ws->dvalue);
    } else {
        for (int b = b0; b < b1; b++) {
            d->y[b] = ludus_dqn_target(d->q_on + (size_t)b * A, d->q_tg + (size_t)b * A, A, d->cfg.double_q,
                                       d->b_ret[b], d->b_disc[b]);
            part[1] += d->q[(size_t)b * A + d->b_act[b]];
        }
        part[0] = ludus_dqn_loss(q, d->b_act + b0, d->y + b0, d->b_w + b0, n, A, d->cfg.huber_delta, d->B,
                                 d->dq + (size_t)b0 * A, d->td + b0);
        for (int b = b0; b < b1; b++) part[2] += fabsf(d->td[b]);
        ludus_dqn_q_backward(d->dq + (size_t)b0 * A, n, A, d->cfg.dueling, ws->dlogits, ws->dvalue);
    }
    policy_batch batch = {.L = 1, .B = n, .obs = d->b_obs + b0 * D, .words = words};
    ludus_policy_backward(&d->pol, d->pol.params.data, ws, &batch);
}

static float beta_now(const dqn *d)
{
    double f = d->run.total_steps ? (double)d->steps / (double)d->run.total_steps : 1.0;
    if (f > 1.0) f = 1.0;
    return (float)(d->cfg.per_beta + (1.0 - d->cfg.per_beta) * f);
}

/* Stage row b of the minibatch from transition i of a store. */
static void stage(dqn *d, int b, size_t i, const uint8_t *obs, const uint8_t *next, const int32_t *act,
                  const int32_t *words, const float *ret, const float *disc)
{
    const size_t D = d->D;
    memcpy(d->b_obs + b * D, obs + i * D, D);
    memcpy(d->b_next + b * D, next + i * D, D);
    if (d->W) memcpy(d->b_words + (size_t)b * d->W, words + i * d->W, (size_t)d->W * sizeof(int32_t));
    d->b_act[b] = act[i];
    if (d->branched) ludus_dqn_action_decode(act[i], d->Dm, d->nvec, d->b_acts + (size_t)b * d->Dm);
    if (d->MA) memcpy(d->b_nmask + (size_t)b * d->MA, d->r_nmask + i * d->MA, (size_t)d->MA);
    d->b_ret[b] = ret[i];
    d->b_disc[b] = disc[i];
}

/* The minibatch: k_off rows (0 without a dataset) drawn uniformly from the
 * offline transitions, then B - k_off from the replay, uniform or
 * prioritized (then the importance weights are over the online rows; the
 * offline rows weigh 1 and keep no priority). */
static void grad_step(dqn *d)
{
    const int B = d->B, k = d->k_off;
    if (d->cfg.prioritized) {
        ludus_dqn_mix_sample(&d->sample_rng, k, k, d->o_n, 0, d->b_mix);
        for (int b = 0; b < k; b++) d->b_w[b] = 1.0f;
        if (B > k) ludus_dqn_per_sample(&d->tree, d->size, B - k, beta_now(d), &d->sample_rng, d->b_idx + k, d->b_w + k);
    } else {
        ludus_dqn_mix_sample(&d->sample_rng, B, k, d->o_n, d->size, d->b_mix);
        for (int b = 0; b < B; b++) {
            d->b_idx[b] = b < k ? -1 : (int)d->b_mix[b];
            d->b_w[b] = 1.0f;
        }
    }
    for (int b = 0; b < B; b++) {
        if (b < k)
            stage(d, b, (size_t)d->b_mix[b], d->o_obs, d->o_next, d->o_act, d->o_words, d->o_ret, d->o_disc);
        else
            stage(d, b, (size_t)d->b_idx[b], d->r_obs, d->r_next, d->r_act, d->r_words, d->r_ret, d->r_disc);
    }
    /* the ensemble's subset for this step's targets: M of the E members
     * (all of them, no draw, when M = E) */
    if (d->E > 1) {
        if (d->M < d->E) ludus_dqn_ensemble_subset(&d->sample_rng, d->E, d->M, d->subset);
        else
            for (int e = 0; e < d->E; e++) d->subset[e] = e;
    }
    ludus_pool_run(d->team, grad_job, d, d->K);
    const size_t EP = (size_t)d->E * d->P;
    for (int k = 0; k < d->K; k++) {
        const float *g = d->E > 1 ? d->kgrad + (size_t)k * EP : d->wsk[k].grad;
        if (k == 0) memcpy(d->gsum, g, EP * sizeof(float));
        else
            for (size_t i = 0; i < EP; i++) d->gsum[i] += g[i];
    }
    double loss = 0.0, qsum = 0.0, tdsum = 0.0;
    for (int k = 0; k < d->K; k++) {
        loss += d->part[3 * k];
        qsum += d->part[3 * k + 1];
        tdsum += d->part[3 * k + 2];
    }
    /* each member clipped alone, as a single critic is; one Adam over all
     * (elementwise, so it is E Adams) */
    float gn = 0.0f;
    for (int e = 0; e < d->E; e++) gn += ludus_nn_clip_grad_norm(d->gsum + (size_t)e * d->P, d->P, d->cfg.max_grad_norm);
    gn /= (float)d->E;
    ludus_nn_adam_step(&d->adam, d->theta, d->gsum, d->cfg.lr);
    if (d->cfg.prioritized)
        for (int b = k; b < B; b++) {
            double p = pow(fabs((double)d->td[b]) + d->cfg.per_eps, (double)d->cfg.per_alpha);
            ludus_dqn_sumtree_set(&d->tree, d->b_idx[b], p);
            if (p > d->max_prio) d->max_prio = p;
        }
    d->grad_steps++;
    if (d->grad_steps % (uint64_t)d->cfg.target_update == 0) {
        if (d->cfg.tau >= 1.0f) {
            memcpy(d->target, d->theta, EP * sizeof(float));
        } else {
            const float t = d->cfg.tau, *o = d->theta;
            for (size_t k = 0; k < EP; k++) d->target[k] = t * o[k] + (1.0f - t) * d->target[k];
        }
    }
    d->s_loss += loss;
    d->s_q += qsum / B;
    d->s_td += tdsum / B;
    d->s_gn += gn;
    d->s_g++;
}

static int act_and_step(dqn *d)
{
    const int N = d->N, A = d->A;
    uint8_t *vobs = ludus_vec_obs(d->vec);
    const float eps = ludus_dqn_epsilon(d->cfg.eps_start, d->cfg.eps_end, d->cfg.eps_fraction, d->steps,
                                        d->run.total_steps);
    q_of(d, &d->ws, d->theta, vobs, d->cur_words, N, d->q);
    if (d->E > 1) {
        /* the ensemble acts on its members' mean Q */
        for (int e = 1; e < d->E; e++) {
            q_of(d, &d->ws, d->theta + (size_t)e * d->P, vobs, d->cur_words, N, d->q_mem);
            for (size_t i = 0; i < (size_t)N * A; i++) d->q[i] += d->q_mem[i];
        }
        for (size_t i = 0; i < (size_t)N * A; i++) d->q[i] /= (float)d->E;
    }
    const uint8_t *masks = d->MA ? ludus_vec_action_masks(d->vec) : NULL;
    for (int n = 0; n < N; n++) {
        double u = ludus_rng_random(&d->act_rng[n]);
        if (d->branched) {
            int32_t *a = d->step_act + (size_t)n * d->Dm;
            const uint8_t *m = masks ? masks + (size_t)n * d->MA : NULL;
            if (u < eps) ludus_dqn_branch_random(&d->act_rng[n], m, d->Dm, d->nvec, a);
            else ludus_dqn_branch_greedy(d->q + (size_t)n * A, m, d->Dm, d->nvec, a);
            d->actions[n] = ludus_dqn_action_code(a, d->Dm, d->nvec);
            continue;
        }
        d->actions[n] = u < eps ? (int32_t)ludus_rng_integers(&d->act_rng[n], 0, A) : argmax(d->q + (size_t)n * A, A);
    }
    memcpy(d->cur_obs, vobs, (size_t)N * d->D);
    int rc = ludus_vec_step(d->vec, d->branched ? d->step_act : d->actions);
    if (rc) return rc;
    const double *r = ludus_vec_rewards(d->vec);
    const uint8_t *term = ludus_vec_terminated(d->vec), *trunc = ludus_vec_truncated(d->vec);
    const uint8_t *fobs = ludus_vec_final_obs(d->vec), *fmask = ludus_vec_final_mask(d->vec);
    const uint8_t *fmasks = ludus_vec_final_action_masks(d->vec);
    for (int n = 0; n < N; n++) {
        const uint8_t *next = (fmask[n] ? fobs : vobs) + (size_t)n * d->D;
        /* the mask of the observation bootstrapped from: an ended
         * episode's final state's (the vec keeps it through the reset) */
        if (d->MA) d->emit_mask = (fmask[n] ? fmasks : ludus_vec_action_masks(d->vec)) + (size_t)n * d->MA;
        ludus_dqn_nstep_push(&d->ns, n, d->cur_obs + (size_t)n * d->D, d->actions[n], (float)r[n],
                             d->W ? d->cur_words + (size_t)n * d->W : NULL, term[n], trunc[n], next, emit, d);
        if (d->W && fmask[n]) tokenize(d, n);
        if (d->nach && fmask[n]) d->ep_masks[d->nmasks++] = ludus_vec_final_achievements(d->vec)[n];
    }
    d->steps += (uint64_t)N;
    d->world_steps++;
    return LUDUS_OK;
}

static int update(void *self, double *row)
{
    dqn *d = self;
    double t0 = now_s();
    seed_streams(d);
    ludus_vec_clear_stats(d->vec);
    d->s_loss = d->s_q = d->s_td = d->s_gn = 0.0;
    d->s_g = 0;
    d->nmasks = 0;
    for (int t = 0; t < d->cfg.rollout_steps; t++) {
        int rc = act_and_step(d);
        if (rc) return rc;
        if (d->steps >= (uint64_t)d->cfg.learning_starts && d->size >= d->B - d->k_off &&
            d->world_steps % (uint64_t)d->cfg.train_freq == 0)
            for (int g = 0; g < d->cfg.gradient_steps; g++) grad_step(d);
    }
    d->update++;
    ludus_episode_stats es;
    ludus_vec_stats(d->vec, &es);
    double dt = now_s() - t0;
    double ret = es.episodes ? es.return_sum / es.episodes : NAN;
    if (es.episodes) d->recent = ret;
    const double g = d->s_g ? (double)d->s_g : NAN;
    const double vals[NUM_COLS] = {
        (double)es.episodes,
        ret,
        es.episodes ? (double)es.successes / es.episodes : NAN,
        es.episodes ? (double)es.steps / es.episodes : NAN,
        d->s_loss / g,
        d->s_q / g,
        d->s_td / g,
        d->s_gn / g,
        ludus_dqn_epsilon(d->cfg.eps_start, d->cfg.eps_end, d->cfg.eps_fraction, d->steps, d->run.total_steps),
        d->cfg.prioritized ? beta_now(d) : NAN,
        (double)d->size,
        (double)d->grad_steps,
        (double)d->N * d->cfg.rollout_steps / dt,
        (double)d->s_g / dt,
        cpu_s() - d->cpu0,
    };
    memcpy(row, vals, sizeof vals);
    if (d->nach) {
        double *score = row + NUM_COLS, *counts = score + 1;
        *score = NAN;
        for (int i = 0; i < d->nach; i++) counts[i] = 0.0;
        for (size_t e = 0; e < d->nmasks; e++)
            for (int i = 0; i < d->nach; i++) counts[i] += (d->ep_masks[e] >> i) & 1u;
        if (d->nmasks && ludus_crafter_score(d->ep_masks, d->nmasks, score, NULL)) return LUDUS_EINTERNAL;
    }
    return LUDUS_OK;
}

static uint64_t steps(const void *self)
{
    return ((const dqn *)self)->steps;
}

static double recent_return(const void *self)
{
    return ((const dqn *)self)->recent;
}

/* ---- save and load ---- */

/* Bytes ride in float tensors (safetensors as ludus reads it is F32 only),
 * three to a float as an integer below 2^24, which a float holds exactly. */
static size_t packed_len(size_t bytes)
{
    return bytes / 3 + 1;
}

static void pack(float *dst, const uint8_t *src, size_t n)
{
    for (size_t i = 0, k = 0; i < n; i += 3, k++) {
        uint32_t v = src[i];
        if (i + 1 < n) v |= (uint32_t)src[i + 1] << 8;
        if (i + 2 < n) v |= (uint32_t)src[i + 2] << 16;
        dst[k] = (float)v;
    }
    dst[packed_len(n) - 1] = n % 3 ? dst[packed_len(n) - 1] : 0.0f;
}

static int unpack(uint8_t *dst, const float *src, size_t n)
{
    for (size_t i = 0, k = 0; i < n; i += 3, k++) {
        float f = src[k];
        if (!(f >= 0.0f && f < 16777216.0f) || f != floorf(f)) return -1;
        uint32_t v = (uint32_t)f;
        dst[i] = (uint8_t)v;
        if (i + 1 < n) dst[i + 1] = (uint8_t)(v >> 8);
        if (i + 2 < n) dst[i + 2] = (uint8_t)(v >> 16);
    }
    return 0;
}

/* A growing byte buffer (cap 0: only counts). */
typedef struct blob {
    uint8_t *p;
    size_t len, cap;
} blob;

static void put(blob *b, const void *src, size_t n)
{
    if (b->p && b->len + n <= b->cap) memcpy(b->p + b->len, src, n);
    b->len += n;
}

static void serialize_replay(const dqn *d, blob *b);

/* Everything the worlds' future and the replay's contents depend on: each
 * world's state, episode count and n-step window, (save_replay) the ring
 * with its priorities, and the worlds' episodes so far. */
static void serialize(const dqn *d, blob *b)
{
    const size_t ss = d->info->state_size;
    const int wsz = d->W;
    for (int n = 0; n < d->N; n++) {
        put(b, ludus_vec_state(d->vec, n), ss);
        put(b, &d->episodes[n], sizeof(uint64_t));
        put(b, &d->ns.len[n], sizeof(int32_t));
        put(b, &d->ns.head[n], sizeof(int32_t));
    }
    const size_t slots = (size_t)d->ns.n * d->N;
    put(b, d->ns.obs, slots * d->D);
    put(b, d->ns.act, slots * sizeof(int32_t));
    put(b, d->ns.rew, slots * sizeof(float));
    if (wsz) {
        put(b, d->ns.wrd, slots * wsz * sizeof(int32_t));
        put(b, d->cur_words, (size_t)d->N * wsz * sizeof(int32_t));
    }
    if (d->cfg.save_replay) serialize_replay(d, b);
    /* each world's episode so far, so the episodes under way end with
     * their whole length and return (metrics.csv) */
    for (int n = 0; n < d->N; n++) {
        ludus_episode_progress pg;
        ludus_vec_episode_progress(d->vec, n, &pg);
        put(b, &pg.length, sizeof pg.length);
        put(b, &pg.achievements, sizeof pg.achievements);
        put(b, &pg.ret, sizeof pg.ret);
    }
}

/* The ring with its priorities (save_replay). */
static void serialize_replay(const dqn *d, blob *b)
{
    const int wsz = d->W;
    int32_t hdr[2] = {d->pos, d->size};
    put(b, hdr, sizeof hdr);
    put(b, &d->max_prio, sizeof d->max_prio);
    const size_t s = (size_t)d->size;
    put(b, d->r_obs, s * d->D);
    put(b, d->r_next, s * d->D);
    put(b, d->r_act, s * sizeof(int32_t));
    put(b, d->r_ret, s * sizeof(float));
    put(b, d->r_disc, s * sizeof(float));
    if (wsz) put(b, d->r_words, s * wsz * sizeof(int32_t));
    if (d->MA) put(b, d->r_nmask, s * (size_t)d->MA);
    if (d->cfg.prioritized)
        for (int i = 0; i < d->size; i++) {
            double p = ludus_dqn_sumtree_get(&d->tree, i);
            put(b, &p, sizeof p);
        }
}

static int save(const void *self, const char *checkpoint, const char *state, const char *const *meta)
{
    const dqn *d = self;
    /* the checkpoint is member 0's network, an ordinary policy checkpoint */
    if (d->E > 1) memcpy(d->pol.params.data, d->theta, d->P * sizeof(float));
    int n = ludus_run_config_to_json_flat(&d->run, ludus_dqn_keys, &d->cfg, NULL, 0);
    char *cfg = malloc((size_t)n + 1);
    if (!cfg) return ludus_err_set(LUDUS_ENOMEM, "dqn: out of memory");
    ludus_run_config_to_json_flat(&d->run, ludus_dqn_keys, &d->cfg, cfg, (size_t)n + 1);
    int rc = ludus_policy_checkpoint_save(checkpoint, &d->pol, d->info, d->steps, cfg, meta);
    free(cfg);
    if (rc) return rc;
    blob b = {0};
    serialize(d, &b);
    b.cap = b.len;
    b.len = 0;
    if (!(b.p = malloc(b.cap ? b.cap : 1))) return ludus_err_set(LUDUS_ENOMEM, "dqn: out of memory");
    serialize(d, &b);
    ludus_nn_params st;
    ludus_nn_params_init(&st);
    const size_t EP = (size_t)d->E * d->P;
    int ps[1] = {(int)EP}, bs[1] = {(int)packed_len(b.len)}, es[1] = {(int)(EP - d->P)};
    if (packed_len(b.len) > (size_t)2147483647 || EP > (size_t)2147483647)
        rc = ludus_err_set(LUDUS_EINVAL, "dqn: the state is too large to save");
    if (!rc) rc = ludus_nn_params_add(&st, "adam.m", 1, ps, NULL);
    if (!rc) rc = ludus_nn_params_add(&st, "adam.v", 1, ps, NULL);
    if (!rc) rc = ludus_nn_params_add(&st, "target", 1, ps, NULL);
    if (!rc) rc = ludus_nn_params_add(&st, "bytes", 1, bs, NULL);
    /* the ensemble's members 1..E-1 (member 0 is the checkpoint) */
    if (!rc && d->E > 1) rc = ludus_nn_params_add(&st, "ensemble", 1, es, NULL);
    if (!rc) rc = ludus_nn_params_alloc(&st);
    if (!rc) {
        memcpy(st.data + st.tensors[0].offset, d->adam.m, EP * sizeof(float));
        memcpy(st.data + st.tensors[1].offset, d->adam.v, EP * sizeof(float));
        memcpy(st.data + st.tensors[2].offset, d->target, EP * sizeof(float));
        pack(st.data + st.tensors[3].offset, b.p, b.len);
        if (d->E > 1) memcpy(st.data + st.tensors[4].offset, d->theta + d->P, (EP - d->P) * sizeof(float));
        char t[32], upd[32], stp[32], gs[32], ws[32], len[32], off[32], ens[32];
        snprintf(ens, sizeof ens, "%d", d->E);
        snprintf(t, sizeof t, "%lld", (long long)d->adam.t);
        snprintf(upd, sizeof upd, "%d", d->update);
        snprintf(stp, sizeof stp, "%llu", (unsigned long long)d->steps);
        snprintf(gs, sizeof gs, "%llu", (unsigned long long)d->grad_steps);
        snprintf(ws, sizeof ws, "%llu", (unsigned long long)d->world_steps);
        snprintf(len, sizeof len, "%zu", b.len);
        snprintf(off, sizeof off, "%lld", (long long)d->o_n);
        const char *m[] = {"ludus.format", DQN_STATE_FORMAT, "ludus.env", d->info->id, "adam.t", t,
                           "dqn.update", upd, "dqn.steps", stp, "dqn.grad_steps", gs, "dqn.world_steps", ws,
                           "dqn.bytes", len, "dqn.replay", d->cfg.save_replay ? "1" : "0", "dqn.offline", off,
                           "dqn.progress", "1", d->E > 1 ? "dqn.ensemble" : NULL, ens, NULL};
        const char **all = ludus_checkpoint_meta_join(m, meta);
        if (!all) {
            rc = ludus_err_set(LUDUS_ENOMEM, "dqn: out of memory");
        } else {
            rc = ludus_nn_save(state, &st, all);
            free(all);
        }
    }
    ludus_nn_params_free(&st);
    free(b.p);
    return rc;
}

/* Read `n` bytes at *at of the blob, or fail. */
static int take(const uint8_t *p, size_t len, size_t *at, void *dst, size_t n)
{
    if (n > len - *at) return -1;
    memcpy(dst, p + *at, n);
    *at += n;
    return 0;
}

static int restore(dqn *d, const uint8_t *p, size_t len, int with_replay, int with_progress, const char *path)
{
    const size_t ss = d->info->state_size;
    size_t at = 0;
    uint8_t *vobs = ludus_vec_obs(d->vec);
    uint8_t *tmp = malloc(ss ? ss : 1);
    if (!tmp) return ludus_err_set(LUDUS_ENOMEM, "dqn: out of memory");
    int bad = 0, rc = LUDUS_OK;
    for (int n = 0; n < d->N && !bad && !rc; n++) {
        bad = take(p, len, &at, tmp, ss) || take(p, len, &at, &d->episodes[n], sizeof(uint64_t)) ||
              take(p, len, &at, &d->ns.len[n], sizeof(int32_t)) || take(p, len, &at, &d->ns.head[n], sizeof(int32_t));
        bad = bad || d->ns.len[n] < 0 || d->ns.len[n] >= d->ns.n || d->ns.head[n] < 0 || d->ns.head[n] >= d->ns.n;
        if (!bad && !(rc = ludus_env_state_load(d->env, ludus_vec_state(d->vec, n), tmp, ss)))
            rc = ludus_env_observe(d->env, ludus_vec_state(d->vec, n), vobs + (size_t)n * d->D);
        if (!bad && !rc && d->MA)
            rc = ludus_env_action_mask(d->env, ludus_vec_state(d->vec, n),
                                       ludus_vec_action_masks(d->vec) + (size_t)n * d->MA);
    }
    free(tmp);
    if (rc) return ludus_err_wrap(rc, "%s", path);
    const size_t slots = (size_t)d->ns.n * d->N;
    const int wsz = d->W;
    bad = bad || take(p, len, &at, d->ns.obs, slots * d->D) || take(p, len, &at, d->ns.act, slots * sizeof(int32_t)) ||
          take(p, len, &at, d->ns.rew, slots * sizeof(float));
    if (wsz)
        bad = bad || take(p, len, &at, d->ns.wrd, slots * wsz * sizeof(int32_t)) ||
              take(p, len, &at, d->cur_words, (size_t)d->N * wsz * sizeof(int32_t));
    for (size_t i = 0; !bad && i < slots; i++) bad = d->ns.act[i] < 0 || d->ns.act[i] >= d->ncodes;
    if (!bad && with_replay) {
        int32_t hdr[2];
        bad = take(p, len, &at, hdr, sizeof hdr) || take(p, len, &at, &d->max_prio, sizeof d->max_prio) ||
              hdr[1] < 0 || hdr[1] > d->cap || hdr[0] < 0 || hdr[0] >= d->cap ||
              (hdr[1] < d->cap && hdr[0] != hdr[1]) || !(d->max_prio > 0.0 && isfinite(d->max_prio));
        if (!bad) {
            d->pos = hdr[0];
            d->size = hdr[1];
            const size_t s = (size_t)d->size;
            bad = take(p, len, &at, d->r_obs, s * d->D) || take(p, len, &at, d->r_next, s * d->D) ||
                  take(p, len, &at, d->r_act, s * sizeof(int32_t)) || take(p, len, &at, d->r_ret, s * sizeof(float)) ||
                  take(p, len, &at, d->r_disc, s * sizeof(float));
            if (wsz) bad = bad || take(p, len, &at, d->r_words, s * wsz * sizeof(int32_t));
            if (d->MA) bad = bad || take(p, len, &at, d->r_nmask, s * (size_t)d->MA);
            for (size_t i = 0; !bad && i < s * (size_t)d->MA; i++) bad = d->r_nmask[i] > 1;
            for (size_t i = 0; !bad && i < s; i++)
                bad = d->r_act[i] < 0 || d->r_act[i] >= d->ncodes || !isfinite(d->r_ret[i]) || !isfinite(d->r_disc[i]);
            for (int i = 0; !bad && d->cfg.prioritized && i < d->size; i++) {
                double pr;
                bad = take(p, len, &at, &pr, sizeof pr) || !(pr >= 0.0 && isfinite(pr));
                if (!bad) ludus_dqn_sumtree_set(&d->tree, i, pr);
            }
        }
    }
    /* states of before "dqn.progress": the episodes under way count from the resume */
    for (int n = 0; !bad && with_progress && n < d->N; n++) {
        ludus_episode_progress pg;
        bad = take(p, len, &at, &pg.length, sizeof pg.length) ||
              take(p, len, &at, &pg.achievements, sizeof pg.achievements) || take(p, len, &at, &pg.ret, sizeof pg.ret) ||
              ludus_vec_set_episode_progress(d->vec, n, &pg) != LUDUS_OK;
    }
    if (bad || at != len)
        return ludus_err_set(LUDUS_EFORMAT, "%s: the saved worlds or replay do not fit this configuration", path);
    return LUDUS_OK;
}

static int load(void *self, const char *checkpoint, const char *state)
{
    dqn *d = self;
    int rc = ludus_policy_checkpoint_load(checkpoint, &d->pol, d->info);
    if (!rc && d->E > 1) memcpy(d->theta, d->pol.params.data, d->P * sizeof(float));
    if (rc || !state) return rc;
    const size_t EP = (size_t)d->E * d->P;
    ludus_nn_file *f = NULL;
    if ((rc = ludus_nn_file_open(state, &f))) return rc;
    unsigned long long t = 0, upd = 0, stp = 0, gs = 0, ws = 0, len = 0, rep = 0;
    const char *fmt = ludus_nn_file_meta(f, "ludus.format");
    uint8_t *bytes = NULL;
    float *packed = NULL;
    if (!fmt || strcmp(fmt, DQN_STATE_FORMAT) != 0)
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: not a DQN training state (format \"%s\")", state, fmt ? fmt : "missing");
    if (!rc) rc = ludus_checkpoint_meta_u64(f, state, "adam.t", &t);
    if (!rc) rc = ludus_checkpoint_meta_u64(f, state, "dqn.update", &upd);
    if (!rc) rc = ludus_checkpoint_meta_u64(f, state, "dqn.steps", &stp);
    if (!rc) rc = ludus_checkpoint_meta_u64(f, state, "dqn.grad_steps", &gs);
    if (!rc) rc = ludus_checkpoint_meta_u64(f, state, "dqn.world_steps", &ws);
    if (!rc) rc = ludus_checkpoint_meta_u64(f, state, "dqn.bytes", &len);
    if (!rc) rc = ludus_checkpoint_meta_u64(f, state, "dqn.replay", &rep);
    if (!rc && (rep > 1 || upd > 2147483647ull || len > ((size_t)1 << 40)))
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: counters out of range", state);
    /* the offline transitions are read again from the dataset, not saved: it must still hold as many */
    const char *off = ludus_nn_file_meta(f, "dqn.offline");
    if (!rc && strtoll(off ? off : "0", NULL, 10) != d->o_n)
        rc = ludus_err_set(LUDUS_EINVAL, "%s: trained with %s offline transitions, but the dataset now gives %lld", state,
                           off ? off : "0", (long long)d->o_n);
    const char *ens = ludus_nn_file_meta(f, "dqn.ensemble");
    if (!rc && strtoll(ens ? ens : "1", NULL, 10) != d->E)
        rc = ludus_err_set(LUDUS_EINVAL, "%s: saved with ensemble %s, but the configuration has %d", state,
                           ens ? ens : "1", d->E);
    if (!rc && (int)rep != d->cfg.save_replay)
        rc = ludus_err_set(LUDUS_EINVAL, "%s: saved with save_replay %llu, but the configuration has %d", state, rep,
                           d->cfg.save_replay);
    float *m = NULL, *v = NULL, *tg = NULL;
    float *mem = NULL;
    if (!rc && (!(m = malloc(EP * sizeof(float))) || !(v = malloc(EP * sizeof(float))) ||
                !(tg = malloc(EP * sizeof(float))) || !(mem = malloc((EP - d->P + 1) * sizeof(float))) || !(bytes = malloc(len ? len : 1)) ||
                !(packed = malloc(packed_len(len) * sizeof(float)))))
        rc = ludus_err_set(LUDUS_ENOMEM, "dqn: out of memory");
    if (!rc) rc = ludus_nn_file_read(f, "adam.m", m, EP);
    if (!rc) rc = ludus_nn_file_read(f, "adam.v", v, EP);
    if (!rc) rc = ludus_nn_file_read(f, "target", tg, EP);
    if (!rc && d->E > 1) rc = ludus_nn_file_read(f, "ensemble", mem, EP - d->P);
    if (!rc) rc = ludus_nn_file_read(f, "bytes", packed, packed_len(len));
    if (!rc && unpack(bytes, packed, len))
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: tensor 'bytes' holds a value that is not a packed byte triple", state);
    const char *prog = ludus_nn_file_meta(f, "dqn.progress");
    if (!rc) rc = restore(d, bytes, len, (int)rep, prog && strcmp(prog, "1") == 0, state);
    if (!rc) {
        memcpy(d->adam.m, m, EP * sizeof(float));
        memcpy(d->adam.v, v, EP * sizeof(float));
        memcpy(d->target, tg, EP * sizeof(float));
        if (d->E > 1) memcpy(d->theta + d->P, mem, (EP - d->P) * sizeof(float));
        d->adam.t = (int64_t)t;
        d->update = (int)upd;
        d->steps = stp;
        d->grad_steps = gs;
        d->world_steps = ws;
    }
    free(m);
    free(v);
    free(tg);
    free(mem);
    free(bytes);
    free(packed);
    ludus_nn_file_close(f);
    return rc;
}

/* ---- the agent ---- */

/* The learner's Q network as it is now: greedy picks the largest Q
 * (with dueling the largest advantage, the same action); otherwise epsilon
 * greedy with eval_epsilon, drawing from each world's own stream. */
typedef struct dqn_agent {
    policy pol;
    policy_ws ws;
    int max;
    float eps;
    int32_t *words;
    int E;                /* critics; E > 1: ens holds them (E, P), mean the members' mean outputs */
    float *ens, *mean;
} dqn_agent;

static void agent_destroy(void *self)
{
    dqn_agent *a = self;
    if (!a) return;
    ludus_policy_ws_destroy(&a->ws);
    ludus_policy_destroy(&a->pol);
    free(a->words);
    free(a->ens);
    free(a->mean);
    free(a);
}

static int agent_bind(void *self, const ludus_env *env, int max_worlds)
{
    dqn_agent *a = self;
    const ludus_env_info *info = ludus_env_get_info(env);
    policy_input in;
    int rc = ludus_policy_input_of(info, a->pol.arch.encoder, &in);
    if (rc) return rc;
    if (memcmp(&in, &a->pol.in, sizeof in) != 0)
        return ludus_err_set(LUDUS_EINVAL, "%s: its observation (%zu bytes) or actions (%d) differ from those the DQN "
                                           "agent was trained on (%zu bytes, %d actions)",
                             info->id, info->obs_size, info->num_actions, a->pol.obs_size, a->pol.num_actions);
    if (max_worlds <= a->max) return LUDUS_OK;
    policy_ws ws;
    if ((rc = ludus_policy_ws_create(&ws, &a->pol, max_worlds))) return rc;
    int32_t *words = calloc((size_t)max_worlds * a->pol.arch.max_words, sizeof(int32_t));
    float *mean = a->E > 1 ? malloc((size_t)max_worlds * a->pol.num_actions * sizeof(float)) : NULL;
    if (!words || (a->E > 1 && !mean)) {
        ludus_policy_ws_destroy(&ws);
        free(words);
        free(mean);
        return ludus_err_set(LUDUS_ENOMEM, "agent: out of memory");
    }
    ludus_policy_ws_destroy(&a->ws);
    free(a->words);
    free(a->mean);
    a->ws = ws;
    a->words = words;
    a->mean = mean;
    a->max = max_worlds;
    return LUDUS_OK;
}

static int agent_act(void *self, const ludus_agent_input *in, int32_t *actions)
{
    dqn_agent *a = self;
    const int n = in->n, A = a->pol.num_actions, W = a->pol.arch.instr ? a->pol.arch.max_words : 0;
    for (int i = 0; W && i < n; i++) ludus_policy_tokenize(&a->pol, in->missions[i], a->words + (size_t)i * W);
    policy_batch b = {.L = 1, .B = n, .obs = in->obs, .words = W ? a->words : NULL};
    ludus_policy_forward(&a->pol, a->pol.params.data, &a->ws, &b);
    if (a->pol.in.action_dims > 1 || a->pol.in.mask_size) {
        /* branched: per branch the largest advantage among legal values
         * (with dueling V and the branch's mean shift them all alike) */
        const int Dm = a->pol.in.action_dims;
        for (int i = 0; i < n; i++) {
            const uint8_t *m = in->action_mask ? in->action_mask + (size_t)i * A : NULL;
            int32_t *act = actions + (size_t)i * Dm;
            if (!in->greedy && ludus_rng_random(&in->rngs[i]) < a->eps)
                ludus_dqn_branch_random(&in->rngs[i], m, Dm, a->pol.in.nvec, act);
            else
                ludus_dqn_branch_greedy(a->ws.logits + (size_t)i * A, m, Dm, a->pol.in.nvec, act);
        }
        return LUDUS_OK;
    }
    const float *out = a->ws.logits;
    if (a->E > 1) {
        /* the ensemble: the members' mean outputs (with dueling the mean
         * advantage, whose argmax is the mean Q's) */
        const size_t P = a->pol.params.size, nA = (size_t)n * A;
        memcpy(a->mean, a->ws.logits, nA * sizeof(float));
        for (int e = 1; e < a->E; e++) {
            ludus_policy_forward(&a->pol, a->ens + (size_t)e * P, &a->ws, &b);
            for (size_t i = 0; i < nA; i++) a->mean[i] += a->ws.logits[i];
        }
        out = a->mean;
    }
    for (int i = 0; i < n; i++) {
        int g = argmax(out + (size_t)i * A, A);
        if (!in->greedy && ludus_rng_random(&in->rngs[i]) < a->eps) g = (int)ludus_rng_integers(&in->rngs[i], 0, A);
        actions[i] = g;
    }
    return LUDUS_OK;
}

static const ludus_agent_ops agent_ops = {
    .name = "dqn", .bind = agent_bind, .act = agent_act, .destroy = agent_destroy,
};

static int agent(void *self, const char *checkpoint, ludus_agent **out)
{
    (void)checkpoint;
    dqn *d = self;
    *out = NULL;
    dqn_agent *a = calloc(1, sizeof *a);
    if (!a) return ludus_err_set(LUDUS_ENOMEM, "agent: out of memory");
    a->eps = d->cfg.eval_epsilon;
    int rc = ludus_policy_create(&a->pol, &d->pol.arch, &d->pol.in);
    if (rc) {
        free(a);
        return rc;
    }
    memcpy(a->pol.params.data, d->theta, d->P * sizeof(float));
    a->E = d->E;
    if (d->E > 1) {
        if (!(a->ens = malloc((size_t)d->E * d->P * sizeof(float)))) {
            agent_destroy(a);
            return ludus_err_set(LUDUS_ENOMEM, "agent: out of memory");
        }
        memcpy(a->ens, d->theta, (size_t)d->E * d->P * sizeof(float));
    }
    if ((rc = ludus_agent_create(&agent_ops, a, out))) agent_destroy(a);
    return rc;
}

const ludus_learner_ops ludus_dqn_learner = {
    .name = "dqn",
    .description = "deep Q-learning: target network, Double DQN, dueling, n-step, prioritized replay, action "
                   "branching for several components and masks, a critic ensemble (RLPD), offline-to-online "
                   "with --dataset (docs/learning.md)",
    .config_size = sizeof(ludus_dqn_config),
    .keys = ludus_dqn_keys,
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
    .recent_return = recent_return,
};
