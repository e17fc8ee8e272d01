/* config.c: PPO's configuration: tuned defaults chosen from the world's
 * info, range checks, and the JSON form written to a run's config.json and
 * read back from --config files. PPO's own keys are one table (ludus_key,
 * learner.h); the run-wide ones (env_id, total_steps, ...) are the run's
 * table, so a ludus_ppo_config is split into both and joined back.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "learn/curriculum_internal.h"
#include "learn/keys.h"
#include "learn/policy.h"
#include "learn/ppo_internal.h"
#include "ludus/run.h"

/* The run keys a PPO config carries (the run's table is their one list). */
static void split(const ludus_ppo_config *c, ludus_run_config *run)
{
    ludus_run_config_default(run);
    memcpy(run->env_id, c->env_id, sizeof run->env_id);
    memcpy(run->env_options, c->env_options, sizeof run->env_options);
    run->total_steps = c->total_steps;
    run->seed = c->seed;
    run->train_levels = c->train_levels;
    run->num_threads = c->num_threads;
    run->eval_episodes = c->eval_episodes;
    run->checkpoint_every = c->checkpoint_every;
    run->keep_checkpoints = c->keep_checkpoints;
}

void ludus_ppo_config_join(ludus_ppo_config *c, const ludus_run_config *run)
{
    memcpy(c->env_id, run->env_id, sizeof c->env_id);
    memcpy(c->env_options, run->env_options, sizeof c->env_options);
    c->total_steps = run->total_steps;
    c->seed = run->seed;
    c->train_levels = run->train_levels;
    c->num_threads = run->num_threads;
    c->eval_episodes = run->eval_episodes;
    c->checkpoint_every = run->checkpoint_every;
    c->keep_checkpoints = run->keep_checkpoints;
}

static int has_field(const ludus_env_info *info, int kind)
{
    for (int i = 0; info && i < info->num_obs_fields; i++)
        if (info->obs_fields[i].kind == kind) return 1;
    return 0;
}

/* The learner's defaults (learner.h's config_default): the tuned PPO
 * settings, and the policy the world's info asks for: a memory where the
 * world needs one, the instruction encoder where the mission is the task,
 * the symbolic recipe for worlds seen as a map of ids. */
void ludus_ppo_config_defaults(void *cfg, ludus_run_config *run, const ludus_env_info *info)
{
    ludus_ppo_config *c = cfg;
    memset(c, 0, sizeof *c);
    c->num_envs = 16;
    c->num_steps = 128;
    c->env_threads = 1;
    c->epochs = 4;
    c->minibatches = 8;
    c->recurrence = 1;
    c->lr = 1e-3f;
    c->anneal_lr = 1;
    c->gamma = 0.99f;
    c->gae_lambda = 0.95f;
    c->clip = 0.2f;
    c->vf_coef = 0.5f;
    c->ent_coef = 0.01f;
    c->max_grad_norm = 0.5f;
    c->adam_eps = 1e-8f;
    c->norm_adv = 1;
    ludus_curriculum_config_default(&c->curriculum_knobs);
    c->arch = (ludus_policy_arch){.embed = 8, .conv1 = 16, .conv2 = 32, .kernel = 3,
                                  .hidden = 64, .head = 64, .memory = 0, .instr = 0,
                                  .word_embed = 32, .max_words = 16};
    if (!info) return;
    snprintf(run->env_options, sizeof run->env_options, "%s", info->train_options ? info->train_options : "");
    if (info->flags & LUDUS_ENV_NEEDS_MEMORY) {
        c->arch.memory = 64;
        c->recurrence = 16;
    }
    if (info->flags & LUDUS_ENV_INSTRUCTED) c->arch.instr = 64;
    if (has_field(info, LUDUS_OBS_SYMBOL_MAP)) {
        run->total_steps = 1000000;
        /* chosen from Crafter's 1M-frame runs (docs/learning.md): 4,096
         * frames per update gave 6.5% against 3.5% for 16,384 at lr 3e-4,
         * and this net reaches 5.6% at 2.2x the frames per second of one
         * with 32 channels and 256 units, which makes 100M frames an
         * hour's run */
        c->num_envs = 64;
        c->num_steps = 64;
        c->epochs = 3;
        c->minibatches = 4;
        c->lr = 1e-3f;
        c->env_threads = 2; /* a reset is 1 ms of world generation */
        run->eval_episodes = 100;
        c->arch.embed = 16;
        c->arch.conv1 = 16;
        c->arch.conv2 = 16;
        c->arch.hidden = 128;
        c->arch.head = 64;
    }
}

void ludus_ppo_config_default(ludus_ppo_config *c, const char *env_id)
{
    ludus_run_config run;
    ludus_run_config_default(&run);
    snprintf(run.env_id, sizeof run.env_id, "%s", env_id ? env_id : "MiniGrid-DoorKey-5x5-v0");
    ludus_env *env = NULL;
    /* an unknown id keeps the plain defaults: ludus_ppo_create names it */
    if (env_id && ludus_env_make(env_id, NULL, &env) != LUDUS_OK) env = NULL;
    ludus_ppo_config_defaults(c, &run, env ? ludus_env_get_info(env) : NULL);
    ludus_env_destroy(env);
    ludus_ppo_config_join(c, &run);
}

#define O(f) offsetof(ludus_ppo_config, f)

/* PPO's own keys; the run's (env_id, total_steps, seed, ...) are in
 * ludus_run_keys. */
const ludus_key ludus_ppo_keys[] = {
    {"num_envs", LUDUS_KEY_INT, O(num_envs), 1, 65536, NULL, "worlds stepped together"},
    {"num_steps", LUDUS_KEY_INT, O(num_steps), 1, 1 << 20, NULL, "rollout length per world per update"},
    {"env_threads", LUDUS_KEY_INT, O(env_threads), 1, 64, NULL, "threads stepping the worlds"},
    {"epochs", LUDUS_KEY_INT, O(epochs), 1, 1000, NULL, "passes over each rollout"},
    {"minibatches", LUDUS_KEY_INT, O(minibatches), 1, 1 << 20, NULL, "minibatches per epoch"},
    {"recurrence", LUDUS_KEY_INT, O(recurrence), 1, 1 << 16, NULL, "steps of backpropagation through time"},
    {"lr", LUDUS_KEY_FLOAT, O(lr), 0, 10, NULL, "Adam's learning rate at the start"},
    {"anneal_lr", LUDUS_KEY_INT, O(anneal_lr), 0, 1, NULL, "1: decay linearly to 0"},
    {"gamma", LUDUS_KEY_FLOAT, O(gamma), 0, 1, NULL, "discount"},
    {"gae_lambda", LUDUS_KEY_FLOAT, O(gae_lambda), 0, 1, NULL, "GAE's lambda"},
    {"clip", LUDUS_KEY_FLOAT, O(clip), 0, 10, NULL, "PPO's ratio clip"},
    {"vf_coef", LUDUS_KEY_FLOAT, O(vf_coef), 0, 1e6, NULL, "value loss weight"},
    {"ent_coef", LUDUS_KEY_FLOAT, O(ent_coef), 0, 1e6, NULL, "entropy bonus weight"},
    {"anneal_ent", LUDUS_KEY_INT, O(anneal_ent), 0, 1, NULL, "1: entropy weight decays linearly to 0"},
    {"explore_coef", LUDUS_KEY_FLOAT, O(explore_coef), 0, 1e6, NULL, "count-based exploration bonus"},
    {"max_grad_norm", LUDUS_KEY_FLOAT, O(max_grad_norm), 0, 1e9, NULL, "gradient clipping norm"},
    {"adam_eps", LUDUS_KEY_FLOAT, O(adam_eps), 1e-30, 1, NULL, "Adam's epsilon"},
    {"norm_adv", LUDUS_KEY_INT, O(norm_adv), 0, 1, NULL, "1: normalise advantages per minibatch"},
    {"arch", LUDUS_KEY_OBJECT, O(arch), 0, 0, ludus_policy_arch_keys, "the policy network"},
    {"curriculum", LUDUS_KEY_STR, O(curriculum), 0, 24, NULL,
     "the level sampler: uniform, plr, robust-plr, accel, alp-gmm; \"\": none (docs/curricula.md)"},
    {"curriculum_knobs", LUDUS_KEY_OBJECT, O(curriculum_knobs), 0, 0, ludus_cur_keys,
     "the curriculum's knobs (-1 and \"\": its defaults)"},
    {"layout_exact", LUDUS_KEY_INT, O(layout_exact), 0, 1, NULL,
     "1: batches cut by world shard, so results do not depend on threads x ranks (always on under mpirun)"},
    {NULL, 0, 0, 0, 0, NULL, NULL},
};
#undef O

int ludus_ppo_config_check_learner(const void *cfg, const ludus_run_config *run)
{
    const ludus_ppo_config *c = cfg;
    (void)run;
    int rc = ludus_keys_check(ludus_ppo_keys, c);
    if (rc) return rc;
    if (c->num_steps % c->recurrence)
        return ludus_err_set(LUDUS_EINVAL, "config: num_steps (%d) must be a multiple of recurrence (%d)",
                       c->num_steps, c->recurrence);
    long chunks = (long)c->num_envs * (c->num_steps / c->recurrence);
    if (c->minibatches > chunks)
        return ludus_err_set(LUDUS_EINVAL, "config: %d minibatches but only %ld sequences per rollout",
                       c->minibatches, chunks);
    if (c->recurrence > 1 && !c->arch.memory)
        return ludus_err_set(LUDUS_EINVAL, "config: recurrence %d needs a memory (arch.memory > 0)", c->recurrence);
    if (c->curriculum[0]) {
        ludus_curriculum_config resolved;
        if ((rc = ludus_curriculum_resolve(c->curriculum, &c->curriculum_knobs, &resolved)))
            return ludus_err_wrap(LUDUS_EINVAL, "config");
    }
    char buf[512];
    ludus_policy_arch_to_json(&c->arch, buf, sizeof buf);
    ludus_policy_arch check;
    if ((rc = ludus_policy_arch_from_json(buf, &check))) return ludus_err_wrap(LUDUS_EINVAL, "config");
    return LUDUS_OK;
}

int ludus_ppo_config_check(const ludus_ppo_config *c)
{
    if (!c) return ludus_err_set(LUDUS_EINVAL, "config: NULL");
    ludus_run_config run;
    split(c, &run);
    int rc = ludus_run_config_check(&run);
    return rc ? rc : ludus_ppo_config_check_learner(c, &run);
}

int ludus_ppo_config_apply_json(ludus_ppo_config *cfg, const char *json)
{
    if (!cfg || !json) return ludus_err_set(LUDUS_EINVAL, "config: NULL argument");
    ludus_run_config run;
    ludus_ppo_config c = *cfg;
    split(cfg, &run);
    int rc = ludus_run_config_apply_flat(&run, ludus_ppo_keys, &c, sizeof c, json);
    if (rc) return rc;
    ludus_ppo_config_join(&c, &run);
    *cfg = c;
    return LUDUS_OK;
}

int ludus_ppo_config_to_json(const ludus_ppo_config *c, char *buf, size_t cap)
{
    ludus_run_config run;
    split(c, &run);
    return ludus_run_config_to_json_flat(&run, ludus_ppo_keys, c, buf, cap);
}
