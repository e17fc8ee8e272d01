/* run.h: a training run as library code. A run is a folder:
 *   config.json             the run's keys and the learner's, flat, with "algo"
 *                           and "commit" (the library's, ludus_commit())
 *   metrics.csv             one row per update, columns from the learner
 *   checkpoint.safetensors  the policy (what eval and play read)
 *   state.safetensors       the rest of what resume needs (optimizer, ...)
 *   checkpoints/            with keep_checkpoints: STEPS.safetensors each
 *   eval_curve.csv          with eval_interval: the learner's agent on the
 *                           training levels and held-out worlds during
 *                           training (update,steps,world,split,episodes,
 *                           solved_rate,mean_return), kept exact over resumes
 *   .lock                   held (flock) while a process writes the run
 * Nothing is lost or mixed: rows are written whole (one write each) and
 * synced before each checkpoint; checkpoints are replaced atomically at an interval, at the end and
 * when SIGINT/SIGTERM arrive; resume checks that every file belongs to the
 * same run (its run id) and update, and drops rows a killed process wrote
 * after its last checkpoint. `ludus train` and Python's ludus.train are
 * thin shells over these functions.
 */
#ifndef LUDUS_RUN_H
#define LUDUS_RUN_H

#include "ludus/learn.h"
#include "ludus/learner.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Default seconds between checkpoints (ludus_run_config.checkpoint_seconds). */
#define LUDUS_RUN_CHECKPOINT_SECONDS 60

/* The run keys' table (NULL-ended; offsets into ludus_run_config). */
LUDUS_API const ludus_key *ludus_run_keys(void);
/* The run-wide defaults (algo "ppo", 150,000 steps, seed 1, ...). */
LUDUS_API void ludus_run_config_default(ludus_run_config *run);
/* Range checks of the run keys (as ludus_keys_check). */
LUDUS_API int ludus_run_config_check(const ludus_run_config *run);

/* ------------------------------------------------------------------------
 * Setups: a run's whole configuration before it starts
 * ---------------------------------------------------------------------- */

typedef struct ludus_run_setup ludus_run_setup;

/* Defaults for a world and learner, then a flat JSON object of run and
 * learner keys over them (config_json NULL: none). env_id NULL takes the
 * JSON's "env_id"; algo NULL takes its "algo", else "ppo". A JSON naming
 * another world or learner than the arguments is LUDUS_EINVAL; unknown
 * worlds LUDUS_ENOTFOUND, unknown learners LUDUS_ENOTFOUND with the
 * nearest names; keys as ludus_keys_apply_json. The caller destroys *out. */
LUDUS_API int ludus_run_setup_create(const char *env_id, const char *algo, const char *config_json,
                                     ludus_run_setup **out);
/* The same with the JSON read from a file (a regular file of at most
 * 1 MiB: others are LUDUS_EINVAL; missing LUDUS_ENOTFOUND); messages
 * start with the path. */
LUDUS_API int ludus_run_setup_load(const char *env_id, const char *algo, const char *config_path,
                                   ludus_run_setup **out);
LUDUS_API void ludus_run_setup_destroy(ludus_run_setup *s);
/* Set one run or learner key from its text ("total_steps", "20000"). */
LUDUS_API int ludus_run_setup_set(ludus_run_setup *s, const char *key, const char *value);
/* Every key checked (ranges, then the learner's own checks). */
LUDUS_API int ludus_run_setup_check(const ludus_run_setup *s);
/* The flat JSON object config.json holds (snprintf semantics). */
LUDUS_API int ludus_run_setup_to_json(const ludus_run_setup *s, char *buf, size_t cap);
/* The run keys (valid while s lives) and the learner. */
LUDUS_API const ludus_run_config *ludus_run_setup_config(const ludus_run_setup *s);
LUDUS_API const ludus_learner_ops *ludus_run_setup_learner(const ludus_run_setup *s);

/* ------------------------------------------------------------------------
 * Runs
 * ---------------------------------------------------------------------- */

typedef struct ludus_run ludus_run;

/* Start a new run in folder `dir` (created with its parents) from a
 * setup (checked; copied, the caller still destroys it). A folder with
 * anything in it is refused (LUDUS_ESTATE) unless force, which clears it
 * first, and only when it looks like a run (it has config.json, or is
 * empty). A run another process holds is refused (LUDUS_ESTATE, "in use").
 * Writes config.json with a new run id and the library's commit. The caller destroys *out (which
 * releases the folder). */
LUDUS_API int ludus_run_start(const char *dir, const ludus_run_setup *setup, int force, ludus_run **out);
/* ludus_run_start as one rank of a communicator (dist.h; NULL or size 1:
 * exactly ludus_run_start). Collective: every rank calls it with the same
 * arguments. Rank 0 alone touches the folder (config.json records
 * "ranks": the size) and sends the configuration to the others, which
 * build their learners with the learner's create_dist (a learner without
 * one is LUDUS_EUNSUPPORTED). Every rank returns the same code: a rank
 * whose own step succeeded but another's failed gets LUDUS_ESTATE naming
 * that rank. */
LUDUS_API int ludus_run_start_dist(const char *dir, const ludus_run_setup *setup, int force, ludus_dist *dist,
                                   ludus_run **out);
/* Continue the run in `dir`: its config.json, checkpoint and state (which
 * must carry the same run id, learner and update; every difference is
 * named in the LUDUS_EFORMAT message) and metrics.csv (rows after the
 * checkpoint's update, and a partial last line, are dropped; rows missing
 * before it are an error). overrides_json (NULL: none) may change only
 * total_steps, num_threads and eval_episodes; other keys are LUDUS_EINVAL.
 * A run without a checkpoint yet starts again from update 0. */
LUDUS_API int ludus_run_resume(const char *dir, const char *overrides_json, ludus_run **out);
/* ludus_run_resume as one rank of a communicator (collective, as
 * ludus_run_start_dist): the run must have been started with as many
 * ranks (LUDUS_EINVAL naming both numbers otherwise). Rank 0 reads the
 * folder and sends the configuration and the checkpoint's bytes to the
 * others, so the folder need only be on rank 0's machine. */
LUDUS_API int ludus_run_resume_dist(const char *dir, const char *overrides_json, ludus_dist *dist, ludus_run **out);
/* Release the folder and free the learner. NULL is harmless. */
LUDUS_API void ludus_run_destroy(ludus_run *run);

/* What the progress callback gets after each update. */
typedef struct ludus_run_progress {
    int update;
    uint64_t steps, total_steps;
    double wall_s;            /* seconds since this process started the run */
    double steps_per_s;       /* over this process's updates */
    double seconds_left;      /* at that rate; NaN before it is known */
    double ret;               /* the learner's recent return (NaN: none yet) */
    int checkpointed;         /* 1: a checkpoint was written after this update */
} ludus_run_progress;
typedef void (*ludus_run_progress_fn)(const ludus_run_progress *p, void *user);

/* Train until total_steps, or until SIGINT/SIGTERM (handle_signals: the
 * run installs handlers for the call's duration that only set a flag,
 * and restores the previous ones after) or ludus_run_stop. Each update
 * appends its metrics row (one whole write); checkpoints at the
 * interval, on a stop and at the end. progress (NULL: none) is called on
 * this thread after each update. Returns LUDUS_OK when finished or
 * stopped (ludus_run_stopped says which), or the learner's error (the
 * last checkpoint stays valid). Not thread-safe per run. A run over
 * several ranks: every rank calls it; they agree after each update on
 * whether to stop (a signal or stop on any rank stops all at the same
 * update), and only rank 0 writes rows and checkpoints. */
LUDUS_API int ludus_run_train(ludus_run *run, int handle_signals, ludus_run_progress_fn progress, void *user);
/* Ask a training run to checkpoint and return after its current update;
 * async-signal-safe, callable from any thread. */
LUDUS_API void ludus_run_stop(ludus_run *run);
/* 1 when the last ludus_run_train ended because of a stop or signal. */
LUDUS_API int ludus_run_stopped(const ludus_run *run);
/* The run keys, the learner, the folder, the update and the checkpoint's
 * path (valid while the run lives). */
LUDUS_API const ludus_run_config *ludus_run_get_config(const ludus_run *run);
LUDUS_API const ludus_learner_ops *ludus_run_learner(const ludus_run *run);
LUDUS_API void *ludus_run_learner_self(ludus_run *run);
LUDUS_API const char *ludus_run_dir(const ludus_run *run);
LUDUS_API int ludus_run_update(const ludus_run *run);
/* This process's rank in the run's communicator (0 for one process) and
 * the number of ranks (1). */
LUDUS_API int ludus_run_rank(const ludus_run *run);
LUDUS_API int ludus_run_ranks(const ludus_run *run);
LUDUS_API uint64_t ludus_run_steps(const ludus_run *run);
LUDUS_API const char *ludus_run_checkpoint_path(const ludus_run *run);

/* The learner's agent (ludus_learner_ops.agent) with the run's world,
 * options and checkpoint as its origin. The caller destroys *out. */
LUDUS_API int ludus_run_agent(ludus_run *run, ludus_agent **out);
/* The held-out evaluation of the run's agent (learn.h's
 * ludus_eval_report_run: eval_episodes per split, the run's train_levels
 * and seed, sampled actions) written to json_path (NULL: DIR/eval.json)
 * and, when out is not NULL, returned. LUDUS_EINVAL when eval_episodes
 * is 0. */
LUDUS_API int ludus_run_evaluate(ludus_run *run, const char *json_path, ludus_eval_report *out);

#ifdef __cplusplus
}
#endif

#endif /* LUDUS_RUN_H */
