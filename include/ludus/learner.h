/* learner.h: learners behind a registry, and the key tables that describe
 * every configuration. A learner is a table of functions (ludus_learner_ops):
 * its config (a struct described by one key table), defaults from the
 * world's info, create, collect-and-update filling one metrics row of
 * columns it names, save/load of what resume needs. PPO is the first row
 * ("ppo"); code outside the library adds its own with
 * ludus_learner_register and trains it with the run (run.h) unchanged.
 */
#ifndef LUDUS_LEARNER_H
#define LUDUS_LEARNER_H

#include "ludus/agent.h"
#include "ludus/dist.h"
#include "ludus/ludus.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Key tables: one list drives parsing (JSON), printing, range checks and
 * the error messages of a configuration struct.
 * ---------------------------------------------------------------------- */

typedef enum ludus_key_type {
    LUDUS_KEY_INT = 1,   /* int; lo..hi, integral */
    LUDUS_KEY_U64 = 2,   /* uint64_t; lo..hi, integral (JSON numbers: below 2^53) */
    LUDUS_KEY_FLOAT = 3, /* float; lo..hi */
    LUDUS_KEY_STR = 4,   /* char[hi]: a NUL-terminated string of at most hi - 1 bytes */
    LUDUS_KEY_OBJECT = 5 /* a nested struct whose keys are `sub`, offsets relative to `offset` */
} ludus_key_type;

typedef struct ludus_key {
    const char *name;            /* the JSON key; NULL ends a table */
    int type;                    /* a ludus_key_type */
    size_t offset;               /* of the field in the struct */
    double lo, hi;               /* numbers: the inclusive range; LUDUS_KEY_STR: hi is the buffer's size */
    const struct ludus_key *sub; /* LUDUS_KEY_OBJECT: the nested table */
    const char *help;            /* one line; may be NULL */
} ludus_key;

/* The row of keys named `name` in a NULL-ended table, or NULL. */
LUDUS_API const ludus_key *ludus_keys_find(const ludus_key *keys, const char *name);
/* Check every field of cfg against its range (strings NUL-terminated).
 * LUDUS_OK, or LUDUS_EINVAL with a message naming the key, its value and
 * range ("config: \"lr\" = 20 is outside [0, 10]"). Thread-safe. */
LUDUS_API int ludus_keys_check(const ludus_key *keys, const void *cfg);
/* Overwrite fields of cfg from a JSON object whose keys are the table's
 * names. Unknown keys (with the nearest known ones), values of the wrong
 * type and values out of range fail with LUDUS_EINVAL and leave cfg as it
 * was. cfg_size is the struct's size (a copy is changed, then committed). */
LUDUS_API int ludus_keys_apply_json(const ludus_key *keys, void *cfg, size_t cfg_size,
                                    const char *json);
/* Set one key from its text form ("0.001", "MiniGrid-Empty-5x5-v0", or a
 * JSON object for LUDUS_KEY_OBJECT); errors as for ludus_keys_apply_json. */
LUDUS_API int ludus_keys_set(const ludus_key *keys, void *cfg, size_t cfg_size, const char *name,
                             const char *value);
/* Write cfg as the members of a JSON object, one "  \"key\": value" line
 * each, comma-separated, without the braces; snprintf semantics (returns
 * the full length, writes what fits, NUL-terminates when cap > 0). */
LUDUS_API int ludus_keys_to_json(const ludus_key *keys, const void *cfg, char *buf, size_t cap);

/* ------------------------------------------------------------------------
 * Learners
 * ---------------------------------------------------------------------- */

/* The run-wide keys, common to every learner (run.h's key table,
 * ludus_run_keys, describes them; config.json holds them beside the
 * learner's own keys). */
typedef struct ludus_run_config {
    char algo[32];             /* the learner's registered name ("ppo") */
    char env_id[96];
    char env_options[256];     /* as for ludus_env_make; "" none */
    uint64_t total_steps;      /* world steps (frames) to train for */
    uint64_t seed;
    uint64_t train_levels;     /* levels [0, N); 0: all of [0, LUDUS_MAX_TRAIN_LEVELS) */
    int num_threads;           /* worker threads the learner may use */
    int eval_episodes;         /* episodes per split for eval.json; 0: none */
    int checkpoint_every;      /* updates between checkpoints; 0: by time only */
    int checkpoint_seconds;    /* also one when this many seconds passed since
                                  the last (default 60); 0: off */
    int keep_checkpoints;      /* 1: keep each periodic checkpoint as
                                  checkpoints/STEPS.safetensors too */
    char run_id[40];           /* written when the run is created; resume
                                  checks that every file carries it */
    /* Held-out evaluation during training (eval_curve.csv): every
     * eval_interval updates (0: never) and at the last, the learner's
     * agent plays eval_curve_episodes episodes on the training levels and
     * as many on held-out levels (from LUDUS_HELDOUT_START) of each world
     * in eval_worlds (comma-separated ids, made with no options; the
     * training world's own id: with env_options; "": the training world) */
    int eval_interval;
    int eval_curve_episodes;
    char eval_worlds[1024];
    int ranks;                 /* processes that train the run together
                                  (mpirun -np; dist.h); written when the run
                                  is created, resume needs as many */
    char commit[64];           /* the library's commit (ludus_commit()),
                                  written when the run is created */
} ludus_run_config;

/* A metrics column: its name in metrics.csv's header. */
typedef struct ludus_metric_column {
    const char *name;
    int integer;               /* 1: written as an integer; 0: as %.6g */
} ludus_metric_column;

#define LUDUS_LEARNER_MAX_COLUMNS 96

typedef struct ludus_learner_ops {
    const char *name;          /* "ppo": `--algo` and config.json's "algo" */
    const char *description;   /* one line */
    size_t config_size;        /* bytes of the learner's config struct */
    const ludus_key *keys;     /* its keys (NULL-ended), offsets into that struct */
    /* Defaults for a world from its info (NULL: no world chosen yet): the
     * learner's config (zeroed by the caller), and the run keys it tunes
     * (total_steps, eval_episodes, env_options: run holds the run-wide
     * defaults on entry, with env_id set). */
    void (*config_default)(void *cfg, ludus_run_config *run, const ludus_env_info *info);
    /* Checks across keys beyond the table's ranges; NULL: none. */
    int (*config_check)(const void *cfg, const ludus_run_config *run);
    /* Build a learner from its config and the run's; *self is its state. */
    int (*create)(const void *cfg, const ludus_run_config *run, void **self);
    void (*destroy)(void *self);
    /* The metrics columns (at most LUDUS_LEARNER_MAX_COLUMNS), fixed for
     * the learner's life; `cols` lives as long as self. */
    int (*columns)(const void *self, const ludus_metric_column **cols);
    /* Collect experience and update once; row gets one value per column
     * (NaN where there is none). */
    int (*update)(void *self, double *row);
    uint64_t (*steps)(const void *self);   /* world steps trained so far */
    /* Everything resume needs, in the two safetensors files named (the
     * policy others evaluate, and the training state), each with `meta`
     * (key, value, ..., NULL: the run's tags) added to its metadata. */
    int (*save)(const void *self, const char *checkpoint, const char *state,
                const char *const *meta);
    /* Read them back into a learner created from the same config. */
    int (*load)(void *self, const char *checkpoint, const char *state);
    /* The learner's current policy as an agent (agent.h) that evaluation
     * can bind to the run's world; `checkpoint` is the file its last save
     * wrote (a learner may load its agent from there). The caller destroys
     * *out; it may outlive self. */
    int (*agent)(void *self, const char *checkpoint, ludus_agent **out);
    /* Optional (NULL: none): the mean return of the last episodes, for
     * progress lines (NaN when none). */
    double (*recent_return)(const void *self);
    /* Optional (NULL: the learner trains in one process only): create as
     * one rank of dist (dist.h; size > 1), which outlives self. Every
     * rank's update then makes the same collective calls; after each,
     * all ranks hold the same parameters, and steps() counts every
     * rank's world steps. save is called on rank 0 only; load on all. */
    int (*create_dist)(const void *cfg, const ludus_run_config *run, ludus_dist *dist, void **self);
} ludus_learner_ops;

/* Add a learner to the registry. ops must outlive every use (a static
 * table); its name must be new, 1..31 bytes of [a-z0-9_-], and every
 * function but config_check and recent_return set (LUDUS_EINVAL
 * otherwise). At most 32 learners. Thread-safe. */
LUDUS_API int ludus_learner_register(const ludus_learner_ops *ops);
/* The learner named `name` in *out, or LUDUS_ENOTFOUND with the nearest
 * names ("unknown learner 'ppp'; did you mean 'ppo'?"). Thread-safe. */
LUDUS_API int ludus_learner_find(const char *name, const ludus_learner_ops **out);
/* The registered learners: count and the i-th (NULL out of range). */
LUDUS_API int ludus_learner_count(void);
LUDUS_API const ludus_learner_ops *ludus_learner_at(int i);

#ifdef __cplusplus
}
#endif

#endif /* LUDUS_LEARNER_H */
