/* bc_learner.c: behaviour cloning behind the learner table (learner.h), the
 * registry's "bc" row. It learns from a dataset written by `ludus collect`
 * (data.h), never from the world: the network is the policy of policy.h
 * (the same encoders as PPO, chosen from the world's observation kinds)
 * and each gradient step minimizes the cross-entropy -log pi(a | s) of a
 * minibatch of recorded (observation, mission, action) pairs drawn
 * uniformly with replacement. The checkpoint is an ordinary policy
 * checkpoint, so `ludus eval` and `ludus play --policy` read it.
 *
 * Steps: the run's total_steps counts transitions consumed (batch_size per
 * gradient step), so "--steps" says how much data the learner sees.
 * Behaviour cloning as in Pomerleau 1991; the comparison with offline RL
 * on held-out levels follows Mediratta et al. 2024 (docs/datasets.md).
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "learn/keys.h"
#include "learn/offline.h"
#include "learn/policy.h"
#include "learn/ppo_internal.h"
#include "ludus/data.h"
#include "ludus/nn.h"

#define BC_STATE_FORMAT "ludus-bc-state-1"

typedef struct bc_config {
    char dataset[1024];    /* the dataset folder (ludus collect's) */
    int batch_size;
    int grad_steps;        /* gradient steps per update (metrics row) */
    float lr;
    float adam_eps;
    float max_grad_norm;
    ludus_policy_arch arch;
} bc_config;

#define O(f) offsetof(bc_config, f)
static const ludus_key bc_keys[] = {
    {"dataset", LUDUS_KEY_STR, O(dataset), 0, sizeof(((bc_config *)0)->dataset), NULL,
     "the dataset folder (ludus collect; required)"},
    {"batch_size", LUDUS_KEY_INT, O(batch_size), 1, 1 << 16, NULL, "transitions per gradient step"},
    {"grad_steps", LUDUS_KEY_INT, O(grad_steps), 1, 1 << 20, NULL, "gradient steps per update (metrics row)"},
    {"lr", LUDUS_KEY_FLOAT, O(lr), 0, 10, NULL, "Adam's learning rate"},
    {"adam_eps", LUDUS_KEY_FLOAT, O(adam_eps), 1e-30, 1, NULL, "Adam's epsilon"},
    {"max_grad_norm", LUDUS_KEY_FLOAT, O(max_grad_norm), 0, 1e9, NULL, "gradient clipping norm"},
    {"arch", LUDUS_KEY_OBJECT, O(arch), 0, 0, ludus_policy_arch_keys, "the policy network"},
    {NULL, 0, 0, 0, 0, NULL, NULL},
};
#undef O

void ludus_offline_defaults(ludus_policy_arch *arch, ludus_run_config *run, const ludus_env_info *info)
{
    *arch = (ludus_policy_arch){.embed = 8, .conv1 = 16, .conv2 = 32, .kernel = 3, .hidden = 64, .head = 64,
                                .memory = 0, .instr = 0, .word_embed = 32, .max_words = 16};
    run->total_steps = 1000000;
    if (!info) return;
    snprintf(run->env_options, sizeof run->env_options, "%s", info->train_options ? info->train_options : "");
    if (info->flags & LUDUS_ENV_INSTRUCTED) arch->instr = 64;
}

int ludus_offline_check(const char *name, const char *dataset, const ludus_policy_arch *arch)
{
    if (!dataset[0])
        return ludus_err_set(LUDUS_EINVAL, "config: %s needs a dataset (--dataset DIR, or \"dataset\" in the config)",
                             name);
    if (arch->memory)
        return ludus_err_set(LUDUS_EINVAL, "config: %s needs arch.memory 0 (it samples single transitions); got %d",
                             name, arch->memory);
    char buf[512];
    ludus_policy_arch_to_json(arch, buf, sizeof buf);
    ludus_policy_arch check;
    if (ludus_policy_arch_from_json(buf, &check)) return ludus_err_wrap(LUDUS_EINVAL, "config");
    return LUDUS_OK;
}

static void config_default(void *cfg, ludus_run_config *run, const ludus_env_info *info)
{
    bc_config *c = cfg;
    memset(c, 0, sizeof *c);
    c->batch_size = 256;
    c->grad_steps = 50;
    c->lr = 1e-3f;
    c->adam_eps = 1e-5f;
    c->max_grad_norm = 1.0f;
    ludus_offline_defaults(&c->arch, run, info);
}

static int config_check(const void *cfg, const ludus_run_config *run)
{
    const bc_config *c = cfg;
    (void)run;
    int rc = ludus_keys_check(bc_keys, c);
    if (rc) return rc;
    return ludus_offline_check("bc", c->dataset, &c->arch);
}

static const ludus_metric_column cols[] = {
    {"loss", 0}, {"accuracy", 0}, {"grad_norm", 0}, {"transitions", 1}, {"epochs", 0},
};
#define NUM_COLS ((int)(sizeof cols / sizeof cols[0]))

typedef struct bc {
    bc_config cfg;
    ludus_run_config run;
    ludus_env *env;
    const ludus_env_info *info;
    policy pol;
    policy_ws ws;
    ludus_nn_adam adam;
    int A, W, B, dims;
    size_t D, P;
    int64_t n;             /* transitions */
    uint8_t *obs;          /* (n, D) */
    int32_t *words;        /* (n, W) */
    int32_t *acts;         /* (n, dims) */
    size_t M;              /* mask bytes (A; 0: the world has no mask) */
    uint8_t *masks;        /* (n, M) each transition's legal-action mask */
    uint8_t *b_obs;        /* (B, D) */
    uint8_t *b_masks;      /* (B, M) */
    int32_t *b_words, *b_acts;
    float *dlogp, *dent;   /* (B) */
    uint64_t steps;
    int update;
} bc;

static void destroy(void *self)
{
    bc *b = self;
    if (!b) return;
    ludus_policy_ws_destroy(&b->ws);
    ludus_policy_destroy(&b->pol);
    ludus_nn_adam_free(&b->adam);
    ludus_env_destroy(b->env);
    void *bufs[] = {b->obs, b->words, b->acts, b->masks, b->b_obs, b->b_masks, b->b_words, b->b_acts, b->dlogp, b->dent};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) free(bufs[i]);
    free(b);
}

/* Every transition (s_t, mission_t, a_t) of the dataset into flat arrays. */
static int load_dataset(bc *b)
{
    ludus_dataset *ds = NULL;
    int rc = ludus_dataset_open(b->cfg.dataset, &ds);
    if (rc) return ludus_err_wrap(rc, "bc: dataset");
    if ((rc = ludus_dataset_check_world(ds, b->run.env_id, b->run.env_options))) {
        ludus_dataset_close(ds);
        return ludus_err_wrap(rc, "bc");
    }
    const ludus_dataset_meta *m = ludus_dataset_get_meta(ds);
    const size_t mcap = b->info->mission_capacity;
    b->n = m->total_steps;
    b->obs = malloc((size_t)b->n * b->D);
    b->words = b->W ? malloc((size_t)b->n * b->W * sizeof(int32_t)) : NULL;
    b->acts = malloc((size_t)b->n * b->dims * sizeof(int32_t));
    b->masks = b->M ? malloc((size_t)b->n * b->M) : NULL;
    if (!b->obs || (b->W && !b->words) || !b->acts || (b->M && !b->masks)) {
        ludus_dataset_close(ds);
        return ludus_err_set(LUDUS_ENOMEM, "bc: out of memory for %lld transitions", (long long)b->n);
    }
    int64_t at = 0;
    for (int64_t e = 0; e < m->total_episodes && !rc; e++) {
        ludus_dataset_episode ep;
        if ((rc = ludus_dataset_read(ds, e, &ep))) break;
        memcpy(b->obs + (size_t)at * b->D, ep.obs, (size_t)ep.steps * b->D);
        memcpy(b->acts + (size_t)at * b->dims, ep.actions, (size_t)ep.steps * b->dims * sizeof(int32_t));
        /* ludus_dataset_check_world refused a dataset without masks for a masked world */
        if (b->M) memcpy(b->masks + (size_t)at * b->M, ep.action_masks, (size_t)ep.steps * b->M);
        for (int t = 0; b->W && t < ep.steps; t++)
            ludus_policy_tokenize(&b->pol, ep.missions ? ep.missions + (size_t)t * mcap : "",
                                  b->words + (size_t)(at + t) * b->W);
        at += ep.steps;
        ludus_dataset_episode_free(&ep);
    }
    ludus_dataset_close(ds);
    return rc;
}

static int create(const void *cfg, const ludus_run_config *run, void **self)
{
    *self = NULL;
    int rc = config_check(cfg, run);
    if (rc) return rc;
    bc *b = calloc(1, sizeof *b);
    if (!b) return ludus_err_set(LUDUS_ENOMEM, "bc: out of memory");
    b->cfg = *(const bc_config *)cfg;
    b->run = *run;
    b->B = b->cfg.batch_size;
    if ((rc = ludus_env_make(run->env_id, run->env_options, &b->env))) goto fail;
    b->info = ludus_env_get_info(b->env);
    b->D = b->info->obs_size;
    b->dims = b->info->action_dims < 1 ? 1 : b->info->action_dims;
    b->M = (size_t)b->info->mask_size;
    policy_input in;
    if ((rc = ludus_policy_input_of(b->info, b->cfg.arch.encoder, &in))) goto fail;
    if ((rc = ludus_policy_create(&b->pol, &b->cfg.arch, &in))) goto fail;
    b->A = b->pol.num_actions;
    b->W = b->cfg.arch.instr ? b->cfg.arch.max_words : 0;
    b->P = b->pol.params.size;
    ludus_rng init_rng;
    ludus_rng_seed(&init_rng, run->seed);
    if ((rc = ludus_policy_init(&b->pol, &init_rng))) goto fail;
    if ((rc = ludus_nn_adam_init(&b->adam, b->P, 0.9f, 0.999f, b->cfg.adam_eps))) goto fail;
    if ((rc = ludus_policy_ws_create(&b->ws, &b->pol, b->B))) goto fail;
    if ((rc = load_dataset(b))) goto fail;
    b->b_obs = malloc((size_t)b->B * b->D);
    b->b_words = malloc((size_t)b->B * (b->W ? b->W : 1) * sizeof(int32_t));
    b->b_acts = malloc((size_t)b->B * b->dims * sizeof(int32_t));
    b->b_masks = b->M ? malloc((size_t)b->B * b->M) : NULL;
    b->dlogp = malloc((size_t)b->B * sizeof(float));
    b->dent = calloc((size_t)b->B, sizeof(float));
    if (!b->b_obs || !b->b_words || !b->b_acts || (b->M && !b->b_masks) || !b->dlogp || !b->dent) {
        rc = ludus_err_set(LUDUS_ENOMEM, "bc: out of memory");
        goto fail;
    }
    *self = b;
    return LUDUS_OK;
fail:
    destroy(b);
    return rc;
}

static int columns(const void *self, const ludus_metric_column **out)
{
    (void)self;
    *out = cols;
    return NUM_COLS;
}

/* One gradient step on B transitions drawn with rng: returns the mean
 * cross-entropy, adds the correct argmax predictions to *hits. */
static double grad_step(bc *b, ludus_rng *rng, int *hits, float *gn)
{
    const int B = b->B, A = b->A;
    for (int i = 0; i < B; i++) {
        size_t j = (size_t)ludus_rng_integers(rng, 0, b->n);
        memcpy(b->b_obs + (size_t)i * b->D, b->obs + j * b->D, b->D);
        memcpy(b->b_acts + (size_t)i * b->dims, b->acts + j * b->dims, (size_t)b->dims * sizeof(int32_t));
        if (b->W) memcpy(b->b_words + (size_t)i * b->W, b->words + j * b->W, (size_t)b->W * sizeof(int32_t));
        if (b->M) memcpy(b->b_masks + (size_t)i * b->M, b->masks + j * b->M, b->M);
    }
    /* masked worlds: pi(a|s) over the legal values only (the mask's
     * forbidden logits out of the softmax), as the agent acts */
    policy_batch batch = {.L = 1, .B = B, .obs = b->b_obs, .words = b->W ? b->b_words : NULL,
                          .mask = b->M ? b->b_masks : NULL};
    ludus_policy_forward(&b->pol, b->pol.params.data, &b->ws, &batch);
    double loss = 0.0;
    for (int i = 0; i < B; i++) {
        const float *lp = b->ws.logp + (size_t)i * A;
        const int32_t *a = b->b_acts + (size_t)i * b->dims;
        loss -= ludus_policy_logp_of(&b->pol, lp, a);
        int32_t g[LUDUS_MAX_ACTION_DIMS];
        ludus_policy_act(&b->pol, lp, NULL, 1, g);
        *hits += memcmp(g, a, (size_t)b->dims * sizeof(int32_t)) == 0;
        b->dlogp[i] = -1.0f / (float)B;
    }
    memset(b->ws.dlogits, 0, (size_t)B * A * sizeof(float)); /* head_backward adds */
    ludus_policy_head_backward(&b->pol, b->ws.dlogits, b->ws.logp, b->b_acts, b->dlogp, b->dent, B);
    memset(b->ws.dvalue, 0, (size_t)B * sizeof(float));
    memset(b->ws.grad, 0, b->P * sizeof(float));
    ludus_policy_backward(&b->pol, b->pol.params.data, &b->ws, &batch);
    *gn = ludus_nn_clip_grad_norm(b->ws.grad, b->P, b->cfg.max_grad_norm);
    ludus_nn_adam_step(&b->adam, b->pol.params.data, b->ws.grad, b->cfg.lr);
    return loss / B;
}

static int update(void *self, double *row)
{
    bc *b = self;
    /* the update's own stream: a resumed run draws what the straight one does */
    ludus_rng rng;
    uint32_t w[4] = {(uint32_t)b->run.seed, (uint32_t)(b->run.seed >> 32), (uint32_t)b->update, 0xbc0u};
    ludus_rng_seed_words(&rng, w, 4);
    double loss = 0.0, gsum = 0.0;
    int hits = 0;
    for (int g = 0; g < b->cfg.grad_steps; g++) {
        float gn;
        loss += grad_step(b, &rng, &hits, &gn);
        gsum += gn;
        b->steps += (uint64_t)b->B;
    }
    b->update++;
    const double G = b->cfg.grad_steps;
    row[0] = loss / G;
    row[1] = hits / (G * b->B);
    row[2] = gsum / G;
    row[3] = (double)b->n;
    row[4] = (double)b->steps / (double)b->n;
    return LUDUS_OK;
}

static uint64_t steps(const void *self)
{
    return ((const bc *)self)->steps;
}

static int save(const void *self, const char *checkpoint, const char *state, const char *const *meta)
{
    const bc *b = self;
    int n = ludus_run_config_to_json_flat(&b->run, bc_keys, &b->cfg, NULL, 0);
    char *cfg = malloc((size_t)n + 1);
    if (!cfg) return ludus_err_set(LUDUS_ENOMEM, "bc: out of memory");
    ludus_run_config_to_json_flat(&b->run, bc_keys, &b->cfg, cfg, (size_t)n + 1);
    int rc = ludus_policy_checkpoint_save(checkpoint, &b->pol, b->info, b->steps, cfg, meta);
    free(cfg);
    if (rc) return rc;
    ludus_nn_params st;
    ludus_nn_params_init(&st);
    int ps[1] = {(int)b->P};
    rc = ludus_nn_params_add(&st, "adam.m", 1, ps, NULL);
    if (!rc) rc = ludus_nn_params_add(&st, "adam.v", 1, ps, NULL);
    if (!rc) rc = ludus_nn_params_alloc(&st);
    if (!rc) {
        memcpy(st.data + st.tensors[0].offset, b->adam.m, b->P * sizeof(float));
        memcpy(st.data + st.tensors[1].offset, b->adam.v, b->P * sizeof(float));
        char t[32], upd[32], stp[32];
        snprintf(t, sizeof t, "%lld", (long long)b->adam.t);
        snprintf(upd, sizeof upd, "%d", b->update);
        snprintf(stp, sizeof stp, "%llu", (unsigned long long)b->steps);
        const char *m[] = {"ludus.format", BC_STATE_FORMAT, "ludus.env", b->info->id, "adam.t", t,
                           "bc.update", upd, "bc.steps", stp, NULL};
        const char **all = ludus_checkpoint_meta_join(m, meta);
        if (!all) {
            rc = ludus_err_set(LUDUS_ENOMEM, "bc: out of memory");
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
    bc *b = self;
    int rc = ludus_policy_checkpoint_load(checkpoint, &b->pol, b->info);
    if (rc || !state) return rc;
    ludus_nn_file *f = NULL;
    if ((rc = ludus_nn_file_open(state, &f))) return rc;
    const char *fmt = ludus_nn_file_meta(f, "ludus.format");
    unsigned long long t = 0, upd = 0, stp = 0;
    float *m = NULL, *v = NULL;
    if (!fmt || strcmp(fmt, BC_STATE_FORMAT) != 0)
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: not a BC training state (format \"%s\")", state, fmt ? fmt : "missing");
    if (!rc) rc = ludus_checkpoint_meta_u64(f, state, "adam.t", &t);
    if (!rc) rc = ludus_checkpoint_meta_u64(f, state, "bc.update", &upd);
    if (!rc) rc = ludus_checkpoint_meta_u64(f, state, "bc.steps", &stp);
    if (!rc && upd > 2147483647ull) rc = ludus_err_set(LUDUS_EFORMAT, "%s: counters out of range", state);
    if (!rc && (!(m = malloc(b->P * sizeof(float))) || !(v = malloc(b->P * sizeof(float)))))
        rc = ludus_err_set(LUDUS_ENOMEM, "bc: out of memory");
    if (!rc) rc = ludus_nn_file_read(f, "adam.m", m, b->P);
    if (!rc) rc = ludus_nn_file_read(f, "adam.v", v, b->P);
    if (!rc) {
        memcpy(b->adam.m, m, b->P * sizeof(float));
        memcpy(b->adam.v, v, b->P * sizeof(float));
        b->adam.t = (int64_t)t;
        b->update = (int)upd;
        b->steps = stp;
    }
    free(m);
    free(v);
    ludus_nn_file_close(f);
    return rc;
}

static int agent(void *self, const char *checkpoint, ludus_agent **out)
{
    (void)self;
    return ludus_agent_load(checkpoint, NULL, 1, out);
}

const ludus_learner_ops ludus_bc_learner = {
    .name = "bc",
    .description = "behaviour cloning from a dataset of `ludus collect` (docs/datasets.md)",
    .config_size = sizeof(bc_config),
    .keys = bc_keys,
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
