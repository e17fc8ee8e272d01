/* stats.h: the aggregate statistics of few-run RL comparisons as rliable
 * computes them (Agarwal et al. 2021; ../shared/spec/curricula.md section
 * 3): IQM, median, mean and optimality gap of a score matrix with
 * stratified-bootstrap 95% percentile intervals, the probability of
 * improvement between two methods, performance profiles with bands, and
 * the generalization gap beside both absolute numbers.
 *
 * A score matrix is (runs, tasks) row-major doubles, normalized per task
 * (solved rates already are). Every interval comes from `reps` bootstrap
 * replicates drawn from ludus_rng_seed(seed) in this fixed order, so a
 * result is a function of its inputs and the seed: for each replicate,
 * for each task t, for each run slot i, one ludus_rng_integers(0, runs)
 * picks the run whose score of task t fills slot i (runs resampled with
 * replacement independently within each task; tasks stay fixed). Two-matrix
 * statistics draw X's indices of a task, then Y's, per task. The interval
 * is the 2.5th and 97.5th percentiles of the replicates with linear
 * interpolation (numpy's default percentile). The functions are pure and
 * thread-safe; NaN scores are LUDUS_EINVAL.
 */
#ifndef LUDUS_STATS_H
#define LUDUS_STATS_H

#include "ludus/learn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* rliable's replicate counts: aggregates and curves; profiles and P(X>Y). */
#define LUDUS_STATS_REPS_AGGREGATE 50000
#define LUDUS_STATS_REPS_PROFILE 2000
/* The most replicates one call accepts. */
#define LUDUS_STATS_MAX_REPS 1000000

/* Point estimates of a (runs, tasks) matrix, no interval:
 * IQM: the 25% trimmed mean of all runs*tasks scores pooled (sorted,
 *   floor(0.25 n) dropped at each end: scipy's trim_mean(x, 0.25));
 * median and mean: of the per-task means across runs;
 * optimality gap: 1 - mean over all scores of min(score, 1).
 * Return NaN when scores is NULL or a size is < 1. */
LUDUS_API double ludus_stats_iqm(const double *scores, int runs, int tasks);
LUDUS_API double ludus_stats_median(const double *scores, int runs, int tasks);
LUDUS_API double ludus_stats_mean(const double *scores, int runs, int tasks);
LUDUS_API double ludus_stats_optimality_gap(const double *scores, int runs, int tasks);

/* The four aggregates, each with its stratified-bootstrap 95% interval
 * (estimate.mean holds the point estimate of the statistic, not a mean). */
typedef struct ludus_stats_aggregates {
    ludus_estimate iqm, median, mean, optimality_gap;
} ludus_stats_aggregates;

/* Compute *out from a (runs, tasks) matrix with reps replicates (1..
 * LUDUS_STATS_MAX_REPS; 1 gives a zero-width interval at the point).
 * One draw sequence serves all four (the statistics of one replicate come
 * from the same resampled matrix). LUDUS_EINVAL for NULL, sizes < 1, a
 * NaN score or reps out of range; LUDUS_ENOMEM. */
LUDUS_API int ludus_stats_aggregate(const double *scores, int runs, int tasks, int reps, uint64_t seed,
                                    ludus_stats_aggregates *out);

/* P(X > Y): for each task the Mann-Whitney U of X's runs against Y's
 * (pairs with x > y count 1, ties 1/2) over nx*ny, averaged over tasks.
 * x is (nx, tasks), y is (ny, tasks). Returns NaN for bad arguments. */
LUDUS_API double ludus_stats_prob_improvement_point(const double *x, int nx, const double *y, int ny, int tasks);
/* The same with its interval (X and Y resampled independently within
 * each task); errors as ludus_stats_aggregate. */
LUDUS_API int ludus_stats_prob_improvement(const double *x, int nx, const double *y, int ny, int tasks, int reps,
                                           uint64_t seed, ludus_estimate *out);

/* The performance profile: for each of ntau thresholds, the fraction of
 * all runs*tasks scores strictly above tau, with its band (out has ntau
 * entries; every tau's replicate uses the same resampled matrix). Errors
 * as ludus_stats_aggregate, and LUDUS_EINVAL for ntau < 1 or NULL taus. */
LUDUS_API int ludus_stats_profile(const double *scores, int runs, int tasks, const double *taus, int ntau, int reps,
                                  uint64_t seed, ludus_estimate *out);

/* The generalization gap of n runs, reported beside both absolute
 * numbers: train[i] and heldout[i] are run i's scores on training and on
 * held-out levels (each e.g. a mean over its worlds). Runs are resampled
 * as pairs (one ludus_rng_integers(0, n) per slot), so the three
 * intervals describe the same replicates: train and heldout are the
 * means across runs, gap the mean of train - heldout. */
typedef struct ludus_stats_gap {
    ludus_estimate train, heldout, gap;
} ludus_stats_gap;
LUDUS_API int ludus_stats_generalization_gap(const double *train, const double *heldout, int n, int reps,
                                             uint64_t seed, ludus_stats_gap *out);

/* The 2.5th and 97.5th percentiles of v[0..n) (sorted in place), linearly
 * interpolated, into *lo and *hi. n >= 1. */
LUDUS_API void ludus_stats_percentile_ci(double *v, int n, double *lo, double *hi);

#ifdef __cplusplus
}
#endif

#endif /* LUDUS_STATS_H */
