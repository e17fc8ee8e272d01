/* learn.h: learners that train in ludus worlds (PPO) and the evaluation
 * protocol that measures them on levels never seen in training. Built on
 * nn.h (networks) and ludus.h's vec (batched worlds). A training run is a
 * folder with config.json, metrics.csv, checkpoints in the safetensors
 * format and eval.json; the `ludus train` and `ludus eval` commands are
 * thin shells around the functions here.
 *
 * Conventions are ludus.h's (return codes, NULL, ownership). Threads: a
 * learner, agent or evaluation is used by one thread at a time (each runs
 * worker threads of its own inside its calls); distinct objects may be
 * used concurrently. Config functions only read or write the caller's
 * struct and are thread-safe for distinct structs.
 */
#ifndef LUDUS_LEARN_H
#define LUDUS_LEARN_H

#include "ludus/agent.h"
#include "ludus/curriculum.h"
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
                        kinds of the world's observation fields (a
                        checkpoint records the choice); 1 the grid encoder
                        (LUDUS_OBS_GRID_CELLS, optional LUDUS_OBS_DIRECTION);
                        2 the symbolic one (LUDUS_OBS_SYMBOL_MAP then
                        LUDUS_OBS_SCALARS); 3 the pixel one (LUDUS_OBS_RGB) */
    int kernel1;     /* pixel encoder: the first convolution's square
                        kernel, 1..12; 0: kernel */
    int stride1;     /* pixel encoder: the first convolution's stride, 1..8;
                        0: 1 (the grid and symbolic encoders take 0 or 1) */
    int stride2;     /* pixel encoder: the second convolution's stride, as stride1 */
    int layer_norm;  /* 1: LayerNorm (learned gain and bias, eps 1e-5) on the
                        pre-activations of the trunk's fully connected layer
                        and of each head's hidden layer (RLPD's critic, Ball
                        et al. 2023); needs hidden and head >= 2; 0: none */
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
    /* The curriculum that chooses the levels (curriculum.h): "uniform",
     * "plr", "robust-plr", "accel", "alp-gmm"; "" none (the vec's own
     * uniform seed sampler, as before curricula existed). Its knobs are
     * curriculum_knobs (config key "curriculum_knobs"). */
    char curriculum[24];
    ludus_curriculum_config curriculum_knobs;
    /* 1: every floating-point batch is cut by world shard (the run's worlds
     * over ranks x threads), so 1 process x 2 threads and 2 ranks x 1
     * thread give the same parameters (docs/scaling.md); on whenever more
     * than one rank trains. 0 (default): one batch per rollout step and
     * minibatches split evenly over the threads, about 10% faster at 2
     * threads on small networks (docs/benchmarks.md). With row-independent
     * kernels (nn.h, the default on AVX-512 CPUs) the rollout's forward
     * runs as one batch in both, with the same results (docs/kernels.md). */
    int layout_exact;
    /* 1: ent_coef decays linearly to 0 over the run, on anneal_lr's
     * schedule (whether or not the learning rate anneals); 0 (default):
     * constant */
    int anneal_ent;
} ludus_ppo_config;

/* Defaults for a world, chosen from its info (ludus_env_info): the tuned
 * PPO settings, a memory for worlds flagged LUDUS_ENV_NEEDS_MEMORY, the
 * instruction policy for LUDUS_ENV_INSTRUCTED ones, and for worlds seen as
 * a map of ids (LUDUS_OBS_SYMBOL_MAP) a wider symbolic-observation policy,
 * 1M steps and 100 evaluation episodes; env_options is the world's
 * train_options. env_id may be NULL (or unknown: the plain defaults). */
LUDUS_API void ludus_ppo_config_default(ludus_ppo_config *cfg, const char *env_id);
/* Check every field's range; LUDUS_EINVAL names the first bad one. */
LUDUS_API int ludus_ppo_config_check(const ludus_ppo_config *cfg);
/* Overwrite fields from a JSON object whose keys are the field names
 * ("lr", "arch": {"memory": 64}, ...). Unknown keys and values of the
 * wrong type fail with LUDUS_EINVAL and leave cfg as it was. */
LUDUS_API int ludus_ppo_config_apply_json(ludus_ppo_config *cfg, const char *json);
/* The whole configuration as a JSON object (snprintf semantics: returns
 * the full length; buf may be NULL when cap is 0). Cannot fail; cfg must
 * not be NULL. */
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
    /* With a curriculum: its diagnostics after this update, and whether
     * the update trained (0: Robust PLR's exploratory batch, no gradient) */
    int has_curriculum;
    int trained;
    ludus_curriculum_stats curriculum;
    /* floating-point operations of the PPO epochs (matrix products as
     * 2*M*N*K, the embedding convolution's adds; activations, losses and
     * Adam not counted), counted by the library in every process thread
     * while the epochs ran: learn_flops / learn_s is the update's rate
     * (last, so that the fields above keep their offsets) */
    double learn_flops;
    /* Where the PPO epochs' time goes, in thread CPU seconds (a loaded
     * machine does not inflate them; bench/update_scaling.sh reads them),
     * measured only when LUDUS_PPO_PROFILE=1 was in the environment at
     * ludus_ppo_create (two clock system calls per job and thread), else 0:
     * learn_serial_cpu_s, the calling thread outside the team's jobs
     * outside its calls of the team (shuffles, advantage statistics, the
     * loss sums, the clipping coefficient, and the timers' own calls);
     * learn_wait_cpu_s, the calling thread inside those calls but not in
     * a job (handing jobs out, spinning before it sleeps while the others
     * finish: load and imbalance, not serial work); learn_job_cpu_s, the team's jobs summed over the
     * workers; learn_crit_cpu_s, the slowest worker's seconds summed over
     * the jobs (the jobs' critical path). On an idle machine with one
     * core per thread, the epochs take about serial + crit seconds, so
     * (serial + job) / (serial + crit) bounds what num_threads workers
     * gain over one (appended last, so the fields above keep their
     * offsets) */
    double learn_serial_cpu_s, learn_job_cpu_s, learn_crit_cpu_s, learn_wait_cpu_s;
    /* the entropy weight of this update's loss: ent_coef, times anneal_lr's
     * fraction when anneal_ent is 1 (appended last) */
    double ent_coef;
} ludus_ppo_metrics;

typedef struct ludus_ppo ludus_ppo;

/* Build the worlds, the policy (initialised from cfg->seed) and the
 * optimizer. cfg is copied. LUDUS_EINVAL for a config that fails
 * ludus_ppo_config_check, errors of ludus_vec_create, LUDUS_ENOMEM. On
 * success the caller owns *out (ludus_ppo_destroy); on failure *out is
 * NULL. Side effect: OpenBLAS's thread count, which is process-wide, is
 * set to 1 (the learner's own threads do the parallel work) until
 * ludus_ppo_destroy restores the count it found; learners alive at once
 * in one process share that setting. */
LUDUS_API int ludus_ppo_create(const ludus_ppo_config *cfg, ludus_ppo **out);
/* Free the learner, its worlds and threads (NULL is harmless). */
LUDUS_API void ludus_ppo_destroy(ludus_ppo *ppo);
/* Collect one rollout and run the PPO epochs on it; *out gets the row of
 * metrics.csv. LUDUS_EINVAL for NULL; errors of the worlds' resets. */
LUDUS_API int ludus_ppo_update(ludus_ppo *ppo, ludus_ppo_metrics *out);
/* World steps taken so far (0 for NULL). */
LUDUS_API uint64_t ludus_ppo_steps(const ludus_ppo *ppo);
/* 1 when total_steps are taken (and for NULL), else 0. */
LUDUS_API int ludus_ppo_done(const ludus_ppo *ppo);
/* The policy as a safetensors checkpoint with the architecture, world id
 * and training steps in its metadata (written as ludus_nn_save writes:
 * LUDUS_EIO, never a half-written file under path). */
LUDUS_API int ludus_ppo_save(const ludus_ppo *ppo, const char *path);
/* Optimizer moments, update counter and sampling streams (with the
 * checkpoint, what --resume needs); and reading them back into a learner
 * built from the same config (state may be NULL: the policy only). Worlds
 * restart with fresh episodes. LUDUS_EIO; LUDUS_EFORMAT for a file that is
 * damaged or belongs to another architecture or world (after a failed load
 * destroy the learner rather than train on). */
LUDUS_API int ludus_ppo_save_state(const ludus_ppo *ppo, const char *path);
LUDUS_API int ludus_ppo_load(ludus_ppo *ppo, const char *checkpoint, const char *state);

/* Agents (a trained policy, random, callbacks, ...) are declared in
 * ludus/agent.h; ludus_agent_load makes one from a checkpoint. */

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
    /* The training set these levels must stay out of (a held-out
     * evaluation): when train_env_id is not NULL the evaluation refuses to
     * play, before any episode, levels that ludus_eval_check_heldout finds
     * in it. NULL (the default): no check (e.g. the train split). */
    const char *train_env_id;
    const char *train_env_options;  /* the training world's options (NULL: "") */
    uint64_t train_levels;          /* its levels [0, N); 0: all of [0, LUDUS_MAX_TRAIN_LEVELS) */
} ludus_eval_config;

/* Refuse held-out levels that were trained on: LUDUS_EINVAL, with a
 * message naming the world and both level ranges, when env_id is
 * train_env_id, their options are the same (compared as sets of
 * key=value pairs: "a=1, b=2" is "b=2,a=1"; NULL is "") and the levels
 * [level_start, level_start + level_count) meet the training levels
 * [0, train_levels) (0: [0, LUDUS_MAX_TRAIN_LEVELS)). Another world, or
 * the same world with other options, is held out whatever its levels.
 * LUDUS_EINVAL for a NULL id. Thread-safe. */
LUDUS_API int ludus_eval_check_heldout(const char *env_id, const char *env_options, uint64_t level_start,
                                       uint64_t level_count, const char *train_env_id,
                                       const char *train_env_options, uint64_t train_levels);
/* An agent trained in world `trained` can act in world `other` only when
 * their observations are laid out alike (size, and each field's name,
 * offset, shape, range and kind) and their actions are the same:
 * LUDUS_OK, or LUDUS_EINVAL with a message naming both worlds and what
 * differs. Thread-safe. */
LUDUS_API int ludus_eval_check_world(const ludus_env_info *trained, const ludus_env_info *other);

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
    /* Progress as BALROG reports it, in [0, 1]: the mean over episodes of
     * (achievements unlocked / num_achievements) in worlds with
     * achievements, else of success; progress_se is BALROG's standard
     * error, the population standard deviation of the per-episode values
     * over sqrt(episodes) (balrog/utils.py). */
    double progress, progress_se;
} ludus_eval_result;

/* Play cfg->episodes episodes to their end (termination or truncation),
 * several worlds at a time; deterministic for a given config. The world
 * (cfg->env_id with cfg->env_options) must have the agent's observation
 * layout and actions (LUDUS_EINVAL otherwise); errors of ludus_env_make
 * and of the worlds' resets; LUDUS_ENOMEM. *out is written on success.
 * Uses the agent: not concurrent with other calls on it. */
LUDUS_API int ludus_eval_run(ludus_agent *agent, const ludus_eval_config *cfg,
                             ludus_eval_result *out);

/* The held-out evaluation report (eval.json): an agent on its training
 * levels [0, train_levels) and on held-out levels from
 * LUDUS_HELDOUT_START, with the generalization gap. `ludus eval`, the end
 * of `ludus train` and Python's ludus.evaluate all write it from here. */
typedef struct ludus_eval_report_config {
    const char *env_id;       /* NULL: the agent's world (LUDUS_EINVAL for agents without one) */
    const char *env_options;  /* NULL: the agent's options when the world is its own, else none */
    uint64_t train_levels;    /* levels of training, [0, N); 0: all of
                                 [0, LUDUS_MAX_TRAIN_LEVELS), whose first levels stand for them */
    int episodes;             /* per split, 1..LUDUS_EVAL_MAX_EPISODES */
    int greedy;               /* 1: the agent's most likely actions; 0: sampled */
    uint64_t seed;            /* action streams and bootstrap resampling */
} ludus_eval_report_config;

#define LUDUS_EVAL_MAX_EPISODES 1000000
#define LUDUS_EVAL_NAME_CAP 64

typedef struct ludus_eval_split {
    uint64_t level_start, level_count;
    ludus_eval_result result;
} ludus_eval_split;

typedef struct ludus_eval_report {
    char agent[LUDUS_EVAL_NAME_CAP];    /* ludus_agent_name */
    char checkpoint[4096];              /* ludus_agent_checkpoint; "" when none */
    char env_id[96];
    char env_options[256];              /* the options the world was made with */
    int episodes, greedy;
    uint64_t seed, train_levels;        /* as configured (0: all) */
    uint64_t heldout_level_start;       /* LUDUS_HELDOUT_START */
    ludus_eval_split train, heldout;
    /* the world's achievement names (ludus_env_info), result.num_achievements of them */
    char achievement_names[LUDUS_PPO_MAX_ACHIEVEMENTS][LUDUS_EVAL_NAME_CAP];
} ludus_eval_report;

/* Evaluate agent on both splits (ludus_eval_run each, with the same seed)
 * into *out. Errors as ludus_eval_run's; LUDUS_EINVAL for episodes out of
 * range or a name too long for the report. Not thread-safe per agent. */
LUDUS_API int ludus_eval_report_run(ludus_agent *agent, const ludus_eval_report_config *cfg,
                                    ludus_eval_report *out);
/* The report as eval.json's JSON object (strings escaped; a NaN is null).
 * snprintf semantics: returns the full length; the text was cut when it
 * is >= cap (buf may be NULL with cap 0 to measure). Negative on a NULL
 * report. Thread-safe. */
LUDUS_API int ludus_eval_report_json(const ludus_eval_report *report, char *buf, size_t cap);
/* Write the JSON to path (through a temporary file renamed over it, so
 * readers never see half a report). LUDUS_EIO with the system's reason. */
LUDUS_API int ludus_eval_report_write(const ludus_eval_report *report, const char *path);

/* The mean of x (n) and its 95% percentile-bootstrap interval from
 * `resamples` resamples drawn with a generator seeded by seed. All NaN
 * for n < 1 or a NULL x. Thread-safe. */
LUDUS_API ludus_estimate ludus_bootstrap_mean(const double *x, int n, int resamples,
                                              uint64_t seed);

#ifdef __cplusplus
}
#endif

#endif /* LUDUS_LEARN_H */
