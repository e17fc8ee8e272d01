/* experiment.h: methods x seeds trained in one world and evaluated on its
 * held-out worlds, run into one folder (`ludus experiment FILE.json`):
 *
 *   DIR/experiment.json         the input file, copied verbatim
 *   DIR/runs/METHOD/seedS/      an ordinary run folder (run.h), plus
 *                               heldout.json: the run's per-world results
 *   DIR/results.json            every finished run's results ("ludus-results/1")
 *
 * An experiment file is a JSON object (docs/experiments.md):
 *   {"train_env": "Maze-v0",
 *    "heldout": ["Maze-SixteenRooms-v0", {"id": "Maze-v0", "options": "walls=25",
 *                "name": "Maze-v0-25", "level_start": 1000000000}],
 *    "methods": [{"name": "dr", "algo": "ppo", "config": {"lr": 0.0003}}],
 *    "seeds": [1, 2, 3], "episodes": 100,
 *    "config": {"total_steps": 200000, "eval_interval": 20}}
 * "config" (common) and each method's "config" (over it) are flat run and
 * learner keys, passed to the learner unread; the experiment sets env_id,
 * algo, seed and eval_episodes itself.
 *
 * Resumable: running the same file into the same folder again keeps the
 * finished runs (those with heldout.json), resumes a half-finished run
 * from its checkpoint, and starts the others. Conventions are ludus.h's.
 */
#ifndef LUDUS_EXPERIMENT_H
#define LUDUS_EXPERIMENT_H

#include "ludus/dist.h"
#include "ludus/run.h"

#ifdef __cplusplus
extern "C" {
#endif

/* results.json's "format" and heldout.json's. */
#define LUDUS_RESULTS_FORMAT "ludus-results/1"
#define LUDUS_RUN_RESULTS_FORMAT "ludus-run-results/1"

typedef struct ludus_experiment ludus_experiment;

/* Parse and check an experiment from its JSON text; `name` (NULL: "the
 * experiment") starts every message. Every defect is LUDUS_EINVAL with a
 * one-line message naming the field ("methods[1].config: unknown key
 * \"lrr\"; did you mean \"lr\"?"): malformed JSON, unknown or missing
 * keys, unknown worlds and learners (with the nearest names), duplicate
 * method or world names, seeds out of range or repeated, held-out worlds
 * whose observation layout or actions differ from the training world's,
 * held-out levels inside a method's training levels, and every run key
 * and learner key out of range. The caller destroys *out. */
LUDUS_API int ludus_experiment_parse(const char *json, const char *name, ludus_experiment **out);
/* The same from a file (a regular file of at most 1 MiB; LUDUS_ENOTFOUND
 * when missing); messages start with the path. */
LUDUS_API int ludus_experiment_load(const char *path, ludus_experiment **out);
/* NULL is harmless. */
LUDUS_API void ludus_experiment_destroy(ludus_experiment *e);

/* The number of runs (methods x seeds), and run i's method name, seed and
 * folder below the experiment's folder ("runs/dr/seed1"); i runs seed by
 * seed, each seed's methods in the file's order. NULL or 0 out of range. */
LUDUS_API int ludus_experiment_num_runs(const ludus_experiment *e);
LUDUS_API const char *ludus_experiment_run_method(const ludus_experiment *e, int i);
LUDUS_API uint64_t ludus_experiment_run_seed(const ludus_experiment *e, int i);
LUDUS_API int ludus_experiment_run_dir(const ludus_experiment *e, int i, char *buf, size_t cap);

/* What ludus_experiment_run reports, on the calling thread. */
enum {
    LUDUS_EXPERIMENT_KEPT = 1,  /* run i had finished before: its results are kept */
    LUDUS_EXPERIMENT_START,     /* run i starts training */
    LUDUS_EXPERIMENT_RESUME,    /* run i continues from its checkpoint */
    LUDUS_EXPERIMENT_PROGRESS,  /* run i finished an update (progress is set) */
    LUDUS_EXPERIMENT_EVALUATE,  /* run i is trained; its evaluation starts */
    LUDUS_EXPERIMENT_DONE       /* run i's results are written */
};
typedef struct ludus_experiment_event {
    int kind;                            /* LUDUS_EXPERIMENT_* */
    int run, runs;                       /* this run's index and the number of runs */
    const char *method;
    uint64_t seed;
    const char *dir;                     /* the run's folder */
    const ludus_run_progress *progress;  /* LUDUS_EXPERIMENT_PROGRESS only; else NULL */
} ludus_experiment_event;
typedef void (*ludus_experiment_fn)(const ludus_experiment_event *ev, void *user);

/* Run the experiment into folder `dir` (created with its parents): copy
 * the file there (a folder holding another experiment.json, one whose
 * JSON differs, is refused: LUDUS_ESTATE), then each run in turn (kept,
 * resumed or started; trained; evaluated: eval.json, and every world
 * with `episodes` episodes into heldout.json), rewriting results.json
 * (atomically) after each. The folder is locked while this runs
 * (LUDUS_ESTATE "in use" for a second process). handle_signals as
 * ludus_run_train: SIGINT/SIGTERM checkpoint the current run and return
 * LUDUS_OK with ludus_experiment_stopped 1. Errors of the runs, the
 * learners and the evaluation, with the run named. Not thread-safe per
 * experiment. */
LUDUS_API int ludus_experiment_run(ludus_experiment *e, const char *dir, int handle_signals,
                                   ludus_experiment_fn on_event, void *user);
/* The same over the ranks of `dist` (NULL or one rank: exactly
 * ludus_experiment_run), for `mpirun -np N ludus experiment`: rank r
 * takes the runs ludus_dist_share(runs, N, r) gives it (contiguous, in
 * the order above), each an ordinary single-process run in dir, which
 * every rank must see (one machine, or a shared filesystem). Rank 0
 * alone locks dir and places experiment.json (its verdict is broadcast:
 * a refusal is an error on every rank, LUDUS_ESTATE elsewhere naming
 * rank 0); each rank locks only the run folders it trains. When its
 * runs are done every rank sends their heldout.json to rank 0, which
 * writes any it does not see (a filesystem not shared) and results.json;
 * rank 0 also rewrites results.json after each of its own runs. A signal
 * stops every rank's current run (checkpointed; stopped is 1 on every
 * rank). A run that fails returns its error on that rank at once,
 * without the final collective: the caller must end the job (the others
 * would wait for it). Collective; not thread-safe per experiment. */
LUDUS_API int ludus_experiment_run_dist(ludus_experiment *e, const char *dir, int handle_signals, ludus_dist *dist,
                                        ludus_experiment_fn on_event, void *user);
/* 1 when the last ludus_experiment_run stopped early on a signal. */
LUDUS_API int ludus_experiment_stopped(const ludus_experiment *e);
/* 1 when the last ludus_experiment_run_dist failed before any run began
 * because rank 0 could not take the folder (in use, another experiment):
 * every rank returned the error and none waits for another, so the caller
 * need not end the job. NULL: 0. */
LUDUS_API int ludus_experiment_refused(const ludus_experiment *e);

/* Write dir/results.json (atomically) from the heldout.json of every
 * finished run, and return the number of finished runs in *finished
 * (may be NULL). "complete" is true when all runs are. A heldout.json
 * that does not parse is LUDUS_EFORMAT naming it. */
LUDUS_API int ludus_experiment_write_results(const ludus_experiment *e, const char *dir, int *finished);

#ifdef __cplusplus
}
#endif

#endif /* LUDUS_EXPERIMENT_H */
