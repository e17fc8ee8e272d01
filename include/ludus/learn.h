/* learn.h: learners that train in ludus worlds (PPO) and the evaluation
 * protocol that measures them on levels never seen in training. Built on
 * nn.h (networks) and ludus.h's vec (batched worlds). A training run is a
 * folder with config.json, metrics.csv, checkpoints in the safetensors
 * format and eval.json; the `ludus train` and `ludus eval` commands are
 * thin shells around the functions here.
 */
#ifndef LUDUS_LEARN_H
#define LUDUS_LEARN_H

#include "ludus/ludus.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Levels: training draws from [0, train_levels); held-out evaluation uses
 * [LUDUS_HELDOUT_START, ...), which training never reaches. */
#define LUDUS_HELDOUT_START 1000000000ull
#define LUDUS_MAX_TRAIN_LEVELS LUDUS_HELDOUT_START

/* The policy network (see docs/learning.md for the layer-by-layer shapes). */
typedef struct ludus_policy_arch {
    int embed;       /* per-cell embedding of (object, colour, state), >= 1 */
    int conv1;       /* channels of the first convolution, >= 1 */
    int conv2;       /* channels of the second, >= 1 */
    int kernel;      /* square kernel of both convolutions, 1..5 */
    int hidden;      /* width of the trunk's fully connected layer */
    int head;        /* hidden width of the actor and critic heads */
    int memory;      /* GRU memory size; 0: no memory */
    int instr;       /* instruction GRU size; 0: the mission is not read */
    int word_embed;  /* word embedding size (instruction policies) */
    int max_words;   /* words of the mission read, 1..64 */
    int direction;   /* 1: the agent's direction byte (after the view) is
                        embedded and added to the trunk's layer; 0: ignored */
    int film;        /* 1 (with instr): the mission's encoding also scales
                        and shifts the second convolution's channels
                        (FiLM, as BabyAI's models do); 0: it only joins the heads */
    int encoder;     /* how the observation is read: 0 chooses from the
                        world's observation layout (a checkpoint records the
                        choice); 1 the grid encoder (MiniGrid's (V, V, 3)
                        view); 2 the symbolic one (a map of ids, such as
                        Crafter's 7x9 view, and scalar bytes) */
} ludus_policy_arch;

typedef struct ludus_ppo_config {
    char env_id[96];
    char env_options[256];   /* as for ludus_env_make ("mode=fast" for Crafter); "" none */
    uint64_t total_steps;    /* world steps (frames) to train for */
    uint64_t seed;
    uint64_t train_levels;   /* levels [0, N); 0: all of [0, LUDUS_MAX_TRAIN_LEVELS) */
    int num_envs;            /* worlds stepped together */
    int num_steps;           /* rollout length per world per update */
    int num_threads;         /* the learner's worker threads (forward, backward) */
    int env_threads;         /* threads stepping the worlds (vec's pool); 1 unless
                                a world's step costs about as much as the
                                policy's forward (grid worlds: 100x less) */
    int epochs;              /* passes over each rollout */
    int minibatches;         /* minibatches per epoch */
    int recurrence;          /* steps of backpropagation through time (memory) */
    float lr;                /* Adam's learning rate at the start */
    int anneal_lr;           /* 1: decay linearly to 0 over the run */
    float gamma, gae_lambda;
    float clip;              /* PPO's ratio clip */
    float vf_coef, ent_coef;
    float explore_coef;      /* count-based exploration: each step's reward gets
                                explore_coef / sqrt(n), n the times its next
                                observation has been seen in the run (0: off) */
    float max_grad_norm;
    float adam_eps;
    int norm_adv;            /* 1: normalise advantages per minibatch */
    int checkpoint_every;    /* updates between checkpoints; 0: only at the end */
    int keep_checkpoints;    /* 1: `ludus train` also keeps each periodic checkpoint
                                as checkpoints/STEPS.safetensors */
    int eval_episodes;       /* episodes per split for eval.json; 0: none */
    ludus_policy_arch arch;
} ludus_ppo_config;

/* Defaults for a world: the tuned PPO settings, and the policy that fits
 * its family (memory for MiniGrid-Memory*, the instruction policy for
 * BabyAI, a wider symbolic-observation policy, fast mode and 100
 * evaluation episodes for Crafter). env_id may be NULL. */
LUDUS_API void ludus_ppo_config_default(ludus_ppo_config *cfg, const char *env_id);
/* Check every field's range; LUDUS_EINVAL names the first bad one. */
LUDUS_API int ludus_ppo_config_check(const ludus_ppo_config *cfg);
/* Overwrite fields from a JSON object whose keys are the field names
 * ("lr", "arch": {"memory": 64}, ...). Unknown keys and values of the
 * wrong type fail with LUDUS_EINVAL and leave cfg as it was. */
LUDUS_API int ludus_ppo_config_apply_json(ludus_ppo_config *cfg, const char *json);
/* The whole configuration as a JSON object (snprintf semantics). */
LUDUS_API int ludus_ppo_config_to_json(const ludus_ppo_config *cfg, char *buf, size_t cap);

/* Achievements tracked per update (Crafter has 22). */
#define LUDUS_PPO_MAX_ACHIEVEMENTS 32

/* One row of metrics.csv. */
typedef struct ludus_ppo_metrics {
    int update;
    uint64_t steps;          /* world steps so far */
    double wall;             /* seconds since create */
    double cpu;              /* the process's CPU seconds since create (all threads) */
    double sps;              /* world steps per second over this update */
    uint64_t episodes;       /* episodes that ended in this rollout */
    double ret, success, length;  /* their means (NaN when none ended) */
    double policy_loss, value_loss, entropy, approx_kl, clip_frac, grad_norm, lr;
    /* wall seconds of this update: collecting the rollout (of which
     * stepping the worlds), and the PPO epochs; and the process's CPU
     * seconds (all threads) in each, which a loaded machine does not
     * inflate */
    double rollout_s, world_s, learn_s, rollout_cpu_s, learn_cpu_s;
    /* Worlds with achievements (Crafter): how many of the episodes that
     * ended in this rollout unlocked achievement i, for i below
     * num_achievements (0 for other worlds), and their Crafter score
     * (ludus_crafter_score, percent; NaN when none ended or not Crafter) */
    int num_achievements;
    uint32_t achievements[LUDUS_PPO_MAX_ACHIEVEMENTS];
    double score;
} ludus_ppo_metrics;

typedef struct ludus_ppo ludus_ppo;

/* Build the worlds, the policy (initialised from cfg->seed) and the
 * optimizer. The caller destroys *out. */
LUDUS_API int ludus_ppo_create(const ludus_ppo_config *cfg, ludus_ppo **out);
LUDUS_API void ludus_ppo_destroy(ludus_ppo *ppo);
/* Collect one rollout and run the PPO epochs on it. */
LUDUS_API int ludus_ppo_update(ludus_ppo *ppo, ludus_ppo_metrics *out);
LUDUS_API uint64_t ludus_ppo_steps(const ludus_ppo *ppo);
LUDUS_API int ludus_ppo_done(const ludus_ppo *ppo);
/* The policy as a safetensors checkpoint with the architecture, world id
 * and training steps in its metadata. */
LUDUS_API int ludus_ppo_save(const ludus_ppo *ppo, const char *path);
/* Optimizer moments, update counter and sampling streams (with the
 * checkpoint, what --resume needs); and reading them back into a learner
 * built from the same config. Worlds restart with fresh episodes. */
LUDUS_API int ludus_ppo_save_state(const ludus_ppo *ppo, const char *path);
LUDUS_API int ludus_ppo_load(ludus_ppo *ppo, const char *checkpoint, const char *state);

/* ------------------------------------------------------------------------
 * Agents: a trained policy acting in worlds
 * ---------------------------------------------------------------------- */

typedef struct ludus_agent ludus_agent;

/* Load a checkpoint to act in up to max_worlds worlds at once. env_id
 * NULL uses the checkpoint's world; another id must have the same
 * observation and action spaces (LUDUS_EINVAL otherwise). Every defect of
 * the file is LUDUS_EFORMAT with a message. */
LUDUS_API int ludus_agent_load(const char *checkpoint, const char *env_id, int max_worlds,
                               ludus_agent **out);
LUDUS_API void ludus_agent_destroy(ludus_agent *agent);
/* The world id the checkpoint was trained on. */
LUDUS_API const char *ludus_agent_env_id(const ludus_agent *agent);
/* The world options the checkpoint's run trained with ("" when none);
 * they hold for that world only (ludus_agent_load and ludus_eval_run make
 * it with them; other worlds get none unless given). */
LUDUS_API const char *ludus_agent_env_options(const ludus_agent *agent);
/* LUDUS_OK when the agent can act in env: the observation layout and the
 * actions it was trained on; LUDUS_EINVAL (with what differs) otherwise. */
LUDUS_API int ludus_agent_fits(const ludus_agent *agent, const ludus_env *env);
/* The observation size (bytes) and number of actions the agent expects;
 * a world made with options that change them (a larger view) does not fit. */
LUDUS_API size_t ludus_agent_obs_size(const ludus_agent *agent);
LUDUS_API int ludus_agent_num_actions(const ludus_agent *agent);
/* Choose actions for n <= max_worlds worlds: obs (n, obs_size), missions
 * (n strings; NULL for policies that do not read them), starts (n) 1 where
 * world i begins an episode (restarts its memory). greedy: the most likely
 * action; otherwise sampled with rngs[i] (one draw per component).
 * actions is (n, info.action_dims). Not thread-safe per agent. */
LUDUS_API int ludus_agent_act(ludus_agent *agent, int n, const uint8_t *obs,
                              const char *const *missions, const uint8_t *starts, int greedy,
                              ludus_rng *rngs, int32_t *actions);
/* ludus_agent_act under legal-action masks (n, info.mask_size) as
 * ludus_env_action_mask writes them (NULL: every action legal): a masked
 * value is never chosen. */
LUDUS_API int ludus_agent_act_masked(ludus_agent *agent, int n, const uint8_t *obs,
                                     const char *const *missions, const uint8_t *starts,
                                     const uint8_t *masks, int greedy, ludus_rng *rngs, int32_t *actions);

/* ------------------------------------------------------------------------
 * Evaluation
 * ---------------------------------------------------------------------- */

typedef struct ludus_eval_config {
    const char *env_id;      /* NULL: the agent's world */
    const char *env_options; /* as for ludus_env_make; NULL: the agent's
                                when the world is the agent's, else none */
    uint64_t level_start;    /* episode i plays level level_start + i % level_count */
    uint64_t level_count;    /* >= 1 */
    int episodes;            /* >= 1 */
    int greedy;              /* 1: argmax actions; 0: sampled */
    uint64_t seed;           /* action sampling and bootstrap resampling */
} ludus_eval_config;

/* A mean with its 95% percentile-bootstrap confidence interval. */
typedef struct ludus_estimate {
    double mean, lo, hi;
} ludus_estimate;

typedef struct ludus_eval_result {
    int episodes;
    ludus_estimate ret, success, length;
    /* Worlds with achievements (Crafter; 0 and NaN elsewhere): the
     * percentage of episodes that unlocked each achievement and the
     * Crafter score (ludus_crafter_score), with 95% intervals from the
     * same bootstrap resamples of whole episodes */
    int num_achievements;
    ludus_estimate achievements[LUDUS_PPO_MAX_ACHIEVEMENTS];
    ludus_estimate score;
} ludus_eval_result;

/* Play cfg->episodes episodes to their end (termination or truncation),
 * several worlds at a time; deterministic for a given config. The world
 * (cfg->env_id with cfg->env_options) must have the agent's observation
 * layout and actions (LUDUS_EINVAL otherwise). */
LUDUS_API int ludus_eval_run(ludus_agent *agent, const ludus_eval_config *cfg,
                             ludus_eval_result *out);

/* The mean of x (n) and its 95% percentile-bootstrap interval from
 * `resamples` resamples drawn with a generator seeded by seed. */
LUDUS_API ludus_estimate ludus_bootstrap_mean(const double *x, int n, int resamples,
                                              uint64_t seed);

#ifdef __cplusplus
}
#endif

#endif /* LUDUS_LEARN_H */
