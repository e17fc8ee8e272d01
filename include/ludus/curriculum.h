/* curriculum.h: curricula as level samplers any learner can use.
 *
 * A curriculum chooses the level of every episode a learner's worlds
 * start: uniformly (domain randomization), by replaying the levels whose
 * scores say there is most to learn (Prioritized Level Replay, Robust PLR),
 * by editing those levels (ACCEL), or by sampling a world's numeric
 * options (up to 4 at once) where learning progress is highest (ALP-GMM). The facts come
 * from ../shared/spec/curricula.md; docs/curricula.md says what each does
 * and lists the knobs with their defaults.
 *
 * A learner drives one like this (PPO does, see src/learn/ppo.c):
 *   ludus_curriculum_create(name, &knobs, env, options, levels..., &c);
 *   ludus_curriculum_attach(c, vec);        the vec draws its levels here
 *   each update:
 *     ludus_curriculum_begin_batch(c, &train);   (reset the vec when
 *                                      ludus_curriculum_batch_resets says so)
 *     roll out; then for each world, its episode segments in order:
 *     ludus_curriculum_report(c, world, &segment);
 *     ludus_curriculum_end_batch(c);     admissions, edits, staleness
 *     update the weights unless train is 0 (Robust PLR's exploratory batches)
 *
 * Levels are seeds for every world, and level blocks (ludus.h, "Levels as
 * blocks") for worlds whose ludus_env_level_size is > 0: ACCEL's edits and
 * ALP-GMM's parameter draws need blocks, PLR and Robust PLR store seeds or
 * blocks, whichever the world has.
 *
 * Threads: one curriculum is one thread's at a time; the vec calls it from
 * its workers, so a learner steps such a vec on one thread (PPO does).
 */
#ifndef LUDUS_CURRICULUM_H
#define LUDUS_CURRICULUM_H

#include "ludus/learner.h"
#include "ludus/ludus.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The knobs of every curriculum (each a key of ludus_curriculum_keys()).
 * Numbers at -1 and strings "" mean "the curriculum's default", the
 * values of the spec (docs/curricula.md lists them per curriculum). */
typedef struct ludus_curriculum_config {
    char score[24];          /* value_l1, positive_value_loss, maxmc, policy_entropy,
                                least_confidence, min_margin */
    char prioritization[8];  /* rank, power */
    float temperature;       /* beta of the score transform */
    float staleness_coef;    /* rho: the staleness distribution's weight */
    float score_alpha;       /* EMA weight of a new score (1: replace) */
    char schedule[16];       /* proportionate, fixed */
    float replay_prob;       /* fixed schedule / Robust PLR: P(replay) */
    float rho;               /* fraction of the buffer seen before any replay */
    int buffer_size;         /* levels kept (finite seed sets: the whole set if smaller) */
    int no_exploratory_grad; /* 1: no gradient update on batches of new levels */
    int num_edits;           /* ACCEL: edits per child level */
    float editor_prob;       /* ACCEL: P(an edit batch after a replay batch) */
    char alp_option[32];     /* ALP-GMM: the numeric world option sampled ("walls") */
    float alp_lo, alp_hi;    /* ALP-GMM: its box (-1: 0 and 60) */
    int alp_fit_rate;        /* ALP-GMM: episodes between GMM fits */
    int alp_max_k;           /* ALP-GMM: the fits try k = 2..alp_max_k */
    float alp_random_prob;   /* ALP-GMM: P(a uniform draw) after the bootstrap */
    float reward_lo, reward_hi; /* ALP-GMM: returns mapped from this range to [0, 1] */
    int sequential_start;    /* PLR: 1: each world's first episode takes the next
                                level of the set in order, as level-replay does */
    char accel_start[8];     /* ACCEL: new levels from the world's easy options
                                ("easy", ludus_env_info.easy_options) or its own
                                generator ("dr") */
    char alp_space[128];     /* ALP-GMM: "name=lo:hi,..." for 1..4 numeric options
                                (instead of alp_option, alp_lo, alp_hi) */
    char accel_base[8];      /* ACCEL: the levels edited: those just replayed
                                ("batch") or dcd's "easy" choice among them */
} ludus_curriculum_config;

/* The key table of ludus_curriculum_config (NULL-ended, static storage):
 * JSON parsing, printing and range checks come from it (learner.h's
 * ludus_keys_*). Thread-safe. */
LUDUS_API const ludus_key *ludus_curriculum_keys(void);

/* Every knob at its "default" value (-1, ""). Cannot fail. */
LUDUS_API void ludus_curriculum_config_default(ludus_curriculum_config *cfg);

/* The curricula's names, NULL-ended, in a stable order ("uniform", "plr",
 * "robust-plr", "accel", "alp-gmm"). Constant; thread-safe. */
LUDUS_API const char *const *ludus_curriculum_names(void);

/* LUDUS_OK when `name` is a curriculum; LUDUS_ENOTFOUND otherwise, with
 * the nearest name ("unknown curriculum 'plrr'; did you mean 'plr'?").
 * Thread-safe. */
LUDUS_API int ludus_curriculum_check_name(const char *name);

/* Resolve cfg's defaults for curriculum `name` into *out and check every
 * knob (ranges, enumerations with the nearest valid word). LUDUS_EINVAL
 * or LUDUS_ENOTFOUND with a one-line message. Thread-safe. */
LUDUS_API int ludus_curriculum_resolve(const char *name, const ludus_curriculum_config *cfg,
                                       ludus_curriculum_config *out);

typedef struct ludus_curriculum ludus_curriculum;

/* Make a curriculum `name` for num_worlds worlds of env (made with
 * `options`, which ALP-GMM extends with its options and ACCEL's easy start
 * with the world's easy_options; may be NULL), over the seeds
 * [level_start, level_start + level_count) (level_count 0: any seed), its
 * streams seeded from `seed`. env must outlive it. Errors: as
 * ludus_curriculum_resolve; LUDUS_EUNSUPPORTED for ACCEL or ALP-GMM on a
 * world without level blocks, and for accel_start "easy" given on a world
 * without easy_options (left at its default it falls back to "dr");
 * LUDUS_EINVAL for an ALP-GMM option the world does not document (with
 * the nearest), one that is not numeric, whose box holds no integer,
 * that changes the level's size or that does not change the levels at
 * all; errors of ludus_env_make for ALP-GMM's values; LUDUS_ENOMEM. The
 * caller destroys *out (NULL on failure). */
LUDUS_API int ludus_curriculum_create(const char *name, const ludus_curriculum_config *cfg,
                                      const ludus_env *env, const char *options, int num_worlds,
                                      uint64_t level_start, uint64_t level_count, uint64_t seed,
                                      ludus_curriculum **out);
/* Free a curriculum (NULL is harmless); detach it from any vec first
 * (ludus_vec_set_level_block_fn(vec, NULL, NULL)) or destroy the vec. */
LUDUS_API void ludus_curriculum_destroy(ludus_curriculum *c);
/* The curriculum's name ("" for NULL) and resolved knobs (NULL for NULL),
 * owned by c. */
LUDUS_API const char *ludus_curriculum_name(const ludus_curriculum *c);
LUDUS_API const ludus_curriculum_config *ludus_curriculum_config_of(const ludus_curriculum *c);

/* The level of world `world`'s next episode: *seed, and for worlds with
 * level blocks the block in `block` (ludus_env_level_size bytes) with
 * *has_block 1 (0: reset from the seed). Each call begins an episode of
 * that world: its next reports (ludus_curriculum_report) refer to it once
 * the previous episode's segment ended. LUDUS_EINVAL for a bad world. */
LUDUS_API int ludus_curriculum_next(ludus_curriculum *c, int world, uint64_t *seed, uint8_t *block,
                                    int *has_block);

/* Hand the vec's level choice to c (ludus_vec_set_level_block_fn); the
 * vec must hold c's num_worlds worlds of c's world, and be stepped on one
 * thread at a time while c is attached. */
LUDUS_API int ludus_curriculum_attach(ludus_curriculum *c, ludus_vec *vec);

/* Start a batch (one learner update). Robust PLR and ACCEL choose here
 * whether the batch replays, explores new levels or (ACCEL) rolls out
 * edited children; *train (may be NULL) is 0 when the learner should skip
 * its gradient update (no_exploratory_grad on a batch that is not a
 * replay). */
LUDUS_API int ludus_curriculum_begin_batch(ludus_curriculum *c, int *train);
/* 1 when every batch starts on fresh levels: the learner resets its
 * worlds after ludus_curriculum_begin_batch (Robust PLR, ACCEL), and each
 * world's episodes within the batch replay its one level. */
LUDUS_API int ludus_curriculum_batch_resets(const ludus_curriculum *c);

/* One world's segment of an episode within a batch: the means over its
 * steps of the quantities the scores use. */
typedef struct ludus_curriculum_segment {
    int steps;              /* >= 1 */
    int ended;              /* 1: the episode ended at the segment's last step */
    double episode_return;  /* the episode's return when ended */
    double adv;             /* mean GAE advantage */
    double abs_adv;         /* mean |advantage| */
    double pos_adv;         /* mean max(advantage, 0) */
    double value;           /* mean value estimate V(s_t) */
    double entropy;         /* mean policy entropy / log |A| */
    double least_conf;      /* mean 1 - max_a pi(a|s) */
    double margin;          /* mean p_top1 - p_top2 */
} ludus_curriculum_segment;

/* The score of a segment under strategy `score` (the spec's table: value_l1
 * abs_adv, positive_value_loss pos_adv, policy_entropy entropy,
 * least_confidence least_conf, min_margin 1 - margin, maxmc max_return -
 * value with max_return the best return seen on the level). NAN for an
 * unknown strategy. Thread-safe. */
LUDUS_API double ludus_curriculum_score(const char *score, const ludus_curriculum_segment *s,
                                        double max_return);

/* Forget every world's running episode (their levels stay in the buffer
 * as scored): for a learner that restarts its worlds, as a resumed one
 * does; the next ludus_curriculum_next of each world begins its first
 * episode again. */
LUDUS_API void ludus_curriculum_restart(ludus_curriculum *c);

/* Report world `world`'s segments, in order: the first of a batch belongs
 * to the episode running when the batch began (or the first begun in it),
 * each after an ended one to the next episode begun. LUDUS_EINVAL for a
 * bad world or a segment that belongs to no episode. */
LUDUS_API int ludus_curriculum_report(ludus_curriculum *c, int world, const ludus_curriculum_segment *s);
/* End the batch: open segments are committed (the spec's after_update),
 * new levels offered to the buffer, ACCEL's children prepared. */
LUDUS_API int ludus_curriculum_end_batch(ludus_curriculum *c);

/* Diagnostics after a batch (ludus_curriculum_get_stats: zeros and NANs
 * for a NULL c; nothing when out is NULL; cannot fail). */
typedef struct ludus_curriculum_stats {
    double replay_fraction; /* episodes begun in the batch on a replayed level */
    uint64_t levels_seen;   /* distinct levels scored so far (buffer: admitted) */
    int buffer_fill;        /* levels in the buffer */
    double score_mean, score_max; /* over the buffer's seen levels (NAN: none) */
    double replay_entropy;  /* of P_replay, nats (NAN: none) */
    double lineage_mean, lineage_max; /* ACCEL: edits behind the buffer's levels */
    int batch_kind;         /* 0 new levels, 1 replay, 2 edits */
    int gmm_k;              /* ALP-GMM: components of the current fit (0: none) */
} ludus_curriculum_stats;
LUDUS_API void ludus_curriculum_get_stats(const ludus_curriculum *c, ludus_curriculum_stats *out);

/* The replay distribution P_replay over the buffer's slots into p (n
 * entries, n >= ludus_curriculum_buffer_size; 0 for unseen or empty
 * slots; all 0 when nothing was seen). Returns the number of slots
 * written, 0 for a NULL argument or a short p. ludus_curriculum_buffer_size:
 * the slots (a finite seed set: its size), 0 for NULL. */
LUDUS_API int ludus_curriculum_replay_dist(const ludus_curriculum *c, double *p, int n);
LUDUS_API int ludus_curriculum_buffer_size(const ludus_curriculum *c);

/* One slot of the buffer, for tests and reports: its seed, block (NULL when
 * none), score, staleness counter, seen flag, parent slot (-1 none) and
 * lineage depth. LUDUS_EINVAL out of range. */
typedef struct ludus_curriculum_slot {
    uint64_t seed;
    const uint8_t *block;
    double score, max_return;
    uint64_t last_sampled;
    int seen, parent, depth;
} ludus_curriculum_slot;
LUDUS_API int ludus_curriculum_slot_at(const ludus_curriculum *c, int i, ludus_curriculum_slot *out);

/* ALP-GMM's data, for tests and reports: the number of finished episodes
 * n, and (when the pointers are not NULL) arrays of n tasks (n rows of
 * ludus_curriculum_alp_dims values, row-major), normalized returns and
 * ALPs in episode order, owned by c (valid until its next call); 0 for
 * other curricula. */
LUDUS_API size_t ludus_curriculum_alp_data(const ludus_curriculum *c, const double **tau, const double **ret,
                                           const double **alp);
/* The number of world options ALP-GMM samples (1..4: alp_option, or the
 * entries of alp_space in order); 0 for other curricula or NULL.
 * Thread-safe. */
LUDUS_API int ludus_curriculum_alp_dims(const ludus_curriculum *c);

/* Everything the curriculum's future depends on (buffer, scores,
 * staleness, lineage, the GMM and its data, the streams, the worlds'
 * current levels) as a byte blob the caller frees with ludus_free, and
 * back into a curriculum created with the same arguments (LUDUS_EFORMAT
 * for a blob that is not one, or of another configuration). */
LUDUS_API int ludus_curriculum_save(const ludus_curriculum *c, uint8_t **blob, size_t *size);
LUDUS_API int ludus_curriculum_load(ludus_curriculum *c, const uint8_t *blob, size_t size);

/* ---- a run's curriculum, read back (for reports and people) ---------- */

/* The curriculum of the run folder `dir` (run.h) as its last checkpoint
 * left it: made again from config.json's keys curriculum,
 * curriculum_knobs, env_id, env_options, num_envs, ranks, seed and
 * train_levels as training made it, then the state in state.safetensors
 * loaded into it (ludus_curriculum_load's checks). *env is the world it
 * was made for (levels render there); the caller destroys *out, then
 * *env. A run trained without a curriculum: LUDUS_OK with *out and *env
 * NULL. Errors (one-line messages naming the file; *out and *env NULL):
 * LUDUS_ENOTFOUND for no config.json, or no state.safetensors yet;
 * LUDUS_EFORMAT for a config.json that is not a run's, a state of another
 * run (its run id), a state without the curriculum or with damaged
 * bytes, or one saved by another curriculum or configuration; LUDUS_EINVAL
 * for NULL arguments; errors of ludus_env_make and
 * ludus_curriculum_create. Thread-safe for distinct folders. */
LUDUS_API int ludus_curriculum_load_run(const char *dir, ludus_env **env, ludus_curriculum **out);

/* A level of the buffer with what a report says about it. */
typedef struct ludus_curriculum_level {
    int slot;               /* its slot (ludus_curriculum_slot_at) */
    uint64_t seed;          /* its seed: worlds without blocks reset from it */
    const uint8_t *block;   /* its block (ludus_env_level_size bytes; NULL: a seed), owned by
                               the curriculum, valid until its buffer next changes */
    double score;           /* its score (the configured strategy's) */
    double prob;            /* its probability under P_replay */
    uint64_t staleness;     /* levels drawn since it was last chosen */
    int parent, depth;      /* ACCEL: the parent slot (-1: none) and the edits behind it */
} ludus_curriculum_level;

/* The buffer's scored levels, most probable under P_replay first (ties:
 * lower slot), the first min(n, count) written to out (out may be NULL
 * with n 0, to count). Returns the count of scored levels (0 for a NULL c
 * and for curricula without a buffer: uniform, ALP-GMM), or LUDUS_ENOMEM.
 * Reads c only; not thread-safe with calls that change c. */
LUDUS_API int ludus_curriculum_levels(const ludus_curriculum *c, ludus_curriculum_level *out, int n);

/* ALP-GMM's model, for tests: a GMM of k components over d dimensions fit
 * to n points x (n, d) by EM from the given initial means (k, d),
 * full covariances (regularized by 1e-6 on the diagonal), `iters`
 * iterations; writes weights (k), means (k, d), covs (k, d, d) and the
 * AIC, -2 log L + 2 p with p = k - 1 + k d + k d (d + 1) / 2. d <= 5
 * (ALP-GMM fits its D <= 4 options and the ALP).
 * LUDUS_EINVAL for bad sizes; LUDUS_ENOMEM. Thread-safe. */
LUDUS_API int ludus_curriculum_gmm_fit(const double *x, int n, int d, int k, const double *init_means,
                                       int iters, double *weights, double *means, double *covs,
                                       double *aic);

#ifdef __cplusplus
}
#endif

#endif /* LUDUS_CURRICULUM_H */
