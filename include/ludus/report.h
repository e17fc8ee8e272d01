/* report.h: `ludus report`: one self-contained report.html over run
 * folders (run.h) and experiment folders (experiment.json, results.json,
 * runs/<method>/seed<S>/). Learning curves (IQM across runs with
 * bootstrap bands, faint per-run lines, training and held-out on the same
 * axes), held-out results per world with intervals, the generalization
 * gap beside both absolute numbers, rliable's aggregates, performance
 * profiles and the probability-of-improvement matrix (stats.h), curriculum
 * diagnostics (metrics.csv columns named cur_*) with pictures of the
 * levels each run's curriculum favours (its checkpointed buffer read back
 * with ludus_curriculum_load_run, drawn by the world), the best, median and
 * worst of a few held-out episodes replayed with each method's checkpoint
 * as animated GIFs, the configuration, seeds and commit, and the raw data
 * as CSV downloads. Everything is inline: SVG drawn here, GIFs, PNGs and CSVs as
 * data: URIs, CSS in a <style>; no scripts, no external files.
 */
#ifndef LUDUS_REPORT_H
#define LUDUS_REPORT_H

#include "ludus/stats.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ludus_report_options {
    int gif_episodes;   /* held-out episodes played per method to pick the best, median
                           and worst for GIFs; 0: no GIFs (default 16, at most 1000) */
    int gif_tile;       /* pixels per cell of the GIFs' frames (default 16) */
    int gif_max_frames; /* frames kept per GIF (default 300; longer episodes are cut, and
                           the caption says so) */
    int reps;           /* bootstrap replicates for aggregates and curves (default
                           LUDUS_STATS_REPS_AGGREGATE for aggregates; curves, profiles and
                           P(X>Y) use at most LUDUS_STATS_REPS_PROFILE) */
    uint64_t seed;      /* the bootstrap's and the episodes' seed (default 0) */
    int levels;         /* levels pictured per run with a curriculum, the most probable
                           under its replay distribution (default 8; 0: none; at most 64) */
} ludus_report_options;

/* The defaults above. */
LUDUS_API void ludus_report_options_default(ludus_report_options *o);

/* Read the ndirs folders (each a run folder or an experiment folder) and
 * write the report to out_path (NULL: DIR/report.html of the first),
 * atomically (a temporary file renamed over it). opts NULL: defaults.
 * Errors, each with a one-line message naming the path: LUDUS_ENOTFOUND
 * for a folder that does not exist; LUDUS_EINVAL for something that is
 * not a folder, an empty folder, one that is neither kind, options out of
 * range; LUDUS_ESTATE for a half-finished folder (a run without
 * metrics.csv, an experiment without results.json); LUDUS_EFORMAT for
 * malformed JSON or CSV (with the line); LUDUS_EIO when the report cannot
 * be written. Replaying episodes needs the checkpoint and the world
 * (errors of ludus_agent_load are reported the same way). Not thread-safe
 * with other writers of out_path. */
LUDUS_API int ludus_report_write(const char *const *dirs, int ndirs, const ludus_report_options *opts,
                                 const char *out_path);

#ifdef __cplusplus
}
#endif

#endif /* LUDUS_REPORT_H */
