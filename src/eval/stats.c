/* stats.c: rliable's aggregate statistics in C (see ludus/stats.h for the
 * definitions and the bootstrap's draw order). One resampling routine
 * fills a replicate matrix per draw, and every statistic is a plain
 * function of a matrix, so the point estimate and each replicate go
 * through the same code.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "ludus/stats.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

void ludus_stats_percentile_ci(double *v, int n, double *lo, double *hi)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    double q[2] = {0.025, 0.975}, *outp[2] = {lo, hi};
    for (int k = 0; k < 2; k++) {
        double pos = q[k] * (n - 1);
        int i = (int)pos;
        double f = pos - i;
        *outp[k] = i + 1 < n ? v[i] * (1 - f) + v[i + 1] * f : v[i];
    }
}

/* The statistics of one matrix; tmp holds runs*tasks doubles. */
static double iqm_of(const double *s, size_t n, double *tmp)
{
    memcpy(tmp, s, n * sizeof *tmp);
    qsort(tmp, n, sizeof *tmp, cmp_double);
    size_t cut = n / 4; /* floor(0.25 n) */
    double sum = 0.0;
    for (size_t i = cut; i < n - cut; i++) sum += tmp[i];
    return sum / (double)(n - 2 * cut);
}

static void task_means(const double *s, int runs, int tasks, double *out)
{
    for (int t = 0; t < tasks; t++) {
        double sum = 0.0;
        for (int r = 0; r < runs; r++) sum += s[(size_t)r * tasks + t];
        out[t] = sum / runs;
    }
}

static double median_of(const double *s, int runs, int tasks, double *tmp)
{
    task_means(s, runs, tasks, tmp);
    qsort(tmp, (size_t)tasks, sizeof *tmp, cmp_double);
    return tasks % 2 ? tmp[tasks / 2] : 0.5 * (tmp[tasks / 2 - 1] + tmp[tasks / 2]);
}

static double mean_of(const double *s, int runs, int tasks, double *tmp)
{
    task_means(s, runs, tasks, tmp);
    double sum = 0.0;
    for (int t = 0; t < tasks; t++) sum += tmp[t];
    return sum / tasks;
}

static double gap_of(const double *s, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) sum += s[i] < 1.0 ? s[i] : 1.0;
    return 1.0 - sum / (double)n;
}

static int valid(const double *s, int runs, int tasks)
{
    return s && runs >= 1 && tasks >= 1;
}

double ludus_stats_iqm(const double *scores, int runs, int tasks)
{
    if (!valid(scores, runs, tasks)) return NAN;
    size_t n = (size_t)runs * tasks;
    double *tmp = malloc(n * sizeof *tmp);
    if (!tmp) return NAN;
    double v = iqm_of(scores, n, tmp);
    free(tmp);
    return v;
}

double ludus_stats_median(const double *scores, int runs, int tasks)
{
    if (!valid(scores, runs, tasks)) return NAN;
    double *tmp = malloc((size_t)tasks * sizeof *tmp);
    if (!tmp) return NAN;
    double v = median_of(scores, runs, tasks, tmp);
    free(tmp);
    return v;
}

double ludus_stats_mean(const double *scores, int runs, int tasks)
{
    if (!valid(scores, runs, tasks)) return NAN;
    double *tmp = malloc((size_t)tasks * sizeof *tmp);
    if (!tmp) return NAN;
    double v = mean_of(scores, runs, tasks, tmp);
    free(tmp);
    return v;
}

double ludus_stats_optimality_gap(const double *scores, int runs, int tasks)
{
    if (!valid(scores, runs, tasks)) return NAN;
    return gap_of(scores, (size_t)runs * tasks);
}

/* Check a matrix and reps; name says whose. */
static int check(const char *name, const double *s, int runs, int tasks, int reps)
{
    if (!s) return ludus_err_set(LUDUS_EINVAL, "%s: NULL scores", name);
    if (runs < 1 || tasks < 1)
        return ludus_err_set(LUDUS_EINVAL, "%s: need at least one run and one task, got %d x %d", name, runs, tasks);
    if (reps < 1 || reps > LUDUS_STATS_MAX_REPS)
        return ludus_err_set(LUDUS_EINVAL, "%s: reps must be in [1, %d], got %d", name, LUDUS_STATS_MAX_REPS, reps);
    for (size_t i = 0; i < (size_t)runs * tasks; i++)
        if (isnan(s[i])) return ludus_err_set(LUDUS_EINVAL, "%s: score %zu is NaN", name, i);
    return LUDUS_OK;
}

/* One stratified resample of s into out: within each task, each run slot
 * takes the score of a run drawn with replacement. */
static void resample(const double *s, int runs, int tasks, ludus_rng *rng, double *out)
{
    for (int t = 0; t < tasks; t++)
        for (int i = 0; i < runs; i++) {
            int r = (int)ludus_rng_integers(rng, 0, runs);
            out[(size_t)i * tasks + t] = s[(size_t)r * tasks + t];
        }
}

/* Resample x and y independently within each task (X's slots, then Y's). */
static void resample2(const double *x, int nx, const double *y, int ny, int tasks, ludus_rng *rng, double *ox,
                      double *oy)
{
    for (int t = 0; t < tasks; t++) {
        for (int i = 0; i < nx; i++) ox[(size_t)i * tasks + t] = x[(size_t)ludus_rng_integers(rng, 0, nx) * tasks + t];
        for (int i = 0; i < ny; i++) oy[(size_t)i * tasks + t] = y[(size_t)ludus_rng_integers(rng, 0, ny) * tasks + t];
    }
}

int ludus_stats_aggregate(const double *scores, int runs, int tasks, int reps, uint64_t seed,
                          ludus_stats_aggregates *out)
{
    if (!out) return ludus_err_set(LUDUS_EINVAL, "stats aggregate: NULL out");
    int rc = check("stats aggregate", scores, runs, tasks, reps);
    if (rc) return rc;
    size_t n = (size_t)runs * tasks;
    double *m = malloc(n * sizeof *m), *tmp = malloc(n * sizeof *tmp), *v = malloc((size_t)reps * 4 * sizeof *v);
    if (!m || !tmp || !v) {
        rc = ludus_err_set(LUDUS_ENOMEM, "stats aggregate: out of memory");
        goto done;
    }
    ludus_estimate *e[4] = {&out->iqm, &out->median, &out->mean, &out->optimality_gap};
    e[0]->mean = iqm_of(scores, n, tmp);
    e[1]->mean = median_of(scores, runs, tasks, tmp);
    e[2]->mean = mean_of(scores, runs, tasks, tmp);
    e[3]->mean = gap_of(scores, n);
    ludus_rng rng;
    ludus_rng_seed(&rng, seed);
    for (int r = 0; r < reps; r++) {
        resample(scores, runs, tasks, &rng, m);
        v[r] = iqm_of(m, n, tmp);
        v[(size_t)reps + r] = median_of(m, runs, tasks, tmp);
        v[(size_t)2 * reps + r] = mean_of(m, runs, tasks, tmp);
        v[(size_t)3 * reps + r] = gap_of(m, n);
    }
    for (int k = 0; k < 4; k++) ludus_stats_percentile_ci(v + (size_t)k * reps, reps, &e[k]->lo, &e[k]->hi);
done:
    free(m);
    free(tmp);
    free(v);
    return rc;
}

double ludus_stats_prob_improvement_point(const double *x, int nx, const double *y, int ny, int tasks)
{
    if (!valid(x, nx, tasks) || !valid(y, ny, 1)) return NAN;
    double total = 0.0;
    for (int t = 0; t < tasks; t++) {
        double u = 0.0;
        for (int i = 0; i < nx; i++)
            for (int j = 0; j < ny; j++) {
                double a = x[(size_t)i * tasks + t], b = y[(size_t)j * tasks + t];
                u += a > b ? 1.0 : a == b ? 0.5 : 0.0;
            }
        total += u / ((double)nx * ny);
    }
    return total / tasks;
}

int ludus_stats_prob_improvement(const double *x, int nx, const double *y, int ny, int tasks, int reps, uint64_t seed,
                                 ludus_estimate *out)
{
    if (!out) return ludus_err_set(LUDUS_EINVAL, "stats probability of improvement: NULL out");
    int rc = check("stats probability of improvement (X)", x, nx, tasks, reps);
    if (!rc) rc = check("stats probability of improvement (Y)", y, ny, tasks, reps);
    if (rc) return rc;
    double *ox = malloc((size_t)nx * tasks * sizeof *ox), *oy = malloc((size_t)ny * tasks * sizeof *oy),
           *v = malloc((size_t)reps * sizeof *v);
    if (!ox || !oy || !v) {
        rc = ludus_err_set(LUDUS_ENOMEM, "stats probability of improvement: out of memory");
        goto done;
    }
    out->mean = ludus_stats_prob_improvement_point(x, nx, y, ny, tasks);
    ludus_rng rng;
    ludus_rng_seed(&rng, seed);
    for (int r = 0; r < reps; r++) {
        resample2(x, nx, y, ny, tasks, &rng, ox, oy);
        v[r] = ludus_stats_prob_improvement_point(ox, nx, oy, ny, tasks);
    }
    ludus_stats_percentile_ci(v, reps, &out->lo, &out->hi);
done:
    free(ox);
    free(oy);
    free(v);
    return rc;
}

static double above(const double *s, size_t n, double tau)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++) c += s[i] > tau;
    return (double)c / (double)n;
}

int ludus_stats_profile(const double *scores, int runs, int tasks, const double *taus, int ntau, int reps,
                        uint64_t seed, ludus_estimate *out)
{
    if (!out || !taus || ntau < 1) return ludus_err_set(LUDUS_EINVAL, "stats profile: need thresholds and an output");
    int rc = check("stats profile", scores, runs, tasks, reps);
    if (rc) return rc;
    size_t n = (size_t)runs * tasks;
    double *m = malloc(n * sizeof *m), *v = malloc((size_t)reps * ntau * sizeof *v);
    if (!m || !v) {
        rc = ludus_err_set(LUDUS_ENOMEM, "stats profile: out of memory");
        goto done;
    }
    for (int k = 0; k < ntau; k++) out[k].mean = above(scores, n, taus[k]);
    ludus_rng rng;
    ludus_rng_seed(&rng, seed);
    for (int r = 0; r < reps; r++) {
        resample(scores, runs, tasks, &rng, m);
        for (int k = 0; k < ntau; k++) v[(size_t)k * reps + r] = above(m, n, taus[k]);
    }
    for (int k = 0; k < ntau; k++) ludus_stats_percentile_ci(v + (size_t)k * reps, reps, &out[k].lo, &out[k].hi);
done:
    free(m);
    free(v);
    return rc;
}

int ludus_stats_generalization_gap(const double *train, const double *heldout, int n, int reps, uint64_t seed,
                                   ludus_stats_gap *out)
{
    if (!out || !heldout) return ludus_err_set(LUDUS_EINVAL, "stats generalization gap: NULL argument");
    int rc = check("stats generalization gap (train)", train, n, 1, reps);
    if (!rc) rc = check("stats generalization gap (held-out)", heldout, n, 1, reps);
    if (rc) return rc;
    double *v = malloc((size_t)reps * 3 * sizeof *v);
    if (!v) return ludus_err_set(LUDUS_ENOMEM, "stats generalization gap: out of memory");
    double st = 0.0, sh = 0.0;
    for (int i = 0; i < n; i++) {
        st += train[i];
        sh += heldout[i];
    }
    out->train.mean = st / n;
    out->heldout.mean = sh / n;
    out->gap.mean = (st - sh) / n;
    ludus_rng rng;
    ludus_rng_seed(&rng, seed);
    for (int r = 0; r < reps; r++) {
        double a = 0.0, b = 0.0;
        for (int i = 0; i < n; i++) {
            int k = (int)ludus_rng_integers(&rng, 0, n);
            a += train[k];
            b += heldout[k];
        }
        v[r] = a / n;
        v[(size_t)reps + r] = b / n;
        v[(size_t)2 * reps + r] = (a - b) / n;
    }
    ludus_estimate *e[3] = {&out->train, &out->heldout, &out->gap};
    for (int k = 0; k < 3; k++) ludus_stats_percentile_ci(v + (size_t)k * reps, reps, &e[k]->lo, &e[k]->hi);
    free(v);
    return LUDUS_OK;
}
