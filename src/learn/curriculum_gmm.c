/* curriculum_gmm.c: ALP-GMM (teachDeepRL's, ../shared/spec/curricula.md
 * section 2) over one numeric world option. Each finished episode's
 * normalized return is compared with the return of the nearest earlier
 * task (the absolute learning progress, ALP); every fit_rate episodes
 * GMMs of k = 2..max_k components are fitted by EM to the last fit_rate
 * (task, ALP) points and the one with the lowest AIC kept; tasks are then
 * drawn from a component chosen in proportion to its mean ALP (or, with
 * alp_random_prob, uniformly). A drawn task becomes a level: the world
 * made with option=round(task) generates one from a fresh seed, and the
 * level's block is what the worlds reset from.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "learn/curriculum_internal.h"

#define GMM_D 2 /* the task and its ALP */
#define EM_ITERS 100
#define CUR_PI 3.14159265358979323846

struct cur_alp {
    int nvals;            /* integer option values lo..hi */
    ludus_env **specs;    /* the world made with each value, made when first drawn */
    double *tau, *rew;    /* every finished episode: its task and normalized return */
    double *halp;         /* ALP of each episode (the history is (tau, halp)) */
    size_t n, cap;
    int k;                /* components of the current fit (0: none yet) */
    double w[CUR_GMM_MAX_K], mu[CUR_GMM_MAX_K][GMM_D], cov[CUR_GMM_MAX_K][GMM_D][GMM_D];
};

/* ---- the GMM ------------------------------------------------------------ */

/* Cholesky of a (d, d) SPD matrix into L (lower); 0 on failure. */
static int chol(const double *a, int d, double *L)
{
    memset(L, 0, (size_t)d * d * sizeof *L);
    for (int i = 0; i < d; i++)
        for (int j = 0; j <= i; j++) {
            double s = a[i * d + j];
            for (int k = 0; k < j; k++) s -= L[i * d + k] * L[j * d + k];
            if (i == j) {
                if (!(s > 0)) return 0;
                L[i * d + i] = sqrt(s);
            } else {
                L[i * d + j] = s / L[j * d + j];
            }
        }
    return 1;
}

/* log N(x | mu, L L^T) */
static double log_normal(const double *x, const double *mu, const double *L, int d)
{
    double z[4], q = 0, logdet = 0;
    for (int i = 0; i < d; i++) {
        double s = x[i] - mu[i];
        for (int k = 0; k < i; k++) s -= L[i * d + k] * z[k];
        z[i] = s / L[i * d + i];
        q += z[i] * z[i];
        logdet += log(L[i * d + i]);
    }
    return -0.5 * q - logdet - 0.5 * d * log(2 * CUR_PI);
}

int ludus_curriculum_gmm_fit(const double *x, int n, int d, int k, const double *init_means, int iters,
                             double *weights, double *means, double *covs, double *aic)
{
    if (!x || !init_means || !weights || !means || !covs || !aic || n < 1 || d < 1 || d > 4 || k < 1 ||
        k > CUR_GMM_MAX_K || iters < 0)
        return ludus_err_set(LUDUS_EINVAL, "gmm: bad arguments (n %d, d %d, k %d, iters %d)", n, d, k, iters);
    double *resp = malloc((size_t)n * k * sizeof *resp);
    if (!resp) return ludus_err_set(LUDUS_ENOMEM, "gmm: out of memory");
    const double reg = 1e-6;
    /* start: the given means, each with the data's covariance, equal weights */
    double mean[4] = {0}, dc[16] = {0};
    for (int i = 0; i < n; i++)
        for (int a = 0; a < d; a++) mean[a] += x[i * d + a] / n;
    for (int i = 0; i < n; i++)
        for (int a = 0; a < d; a++)
            for (int b = 0; b < d; b++) dc[a * d + b] += (x[i * d + a] - mean[a]) * (x[i * d + b] - mean[b]) / n;
    for (int j = 0; j < k; j++) {
        weights[j] = 1.0 / k;
        memcpy(means + j * d, init_means + j * d, (size_t)d * sizeof *means);
        for (int a = 0; a < d * d; a++) covs[j * d * d + a] = dc[a] + (a % (d + 1) == 0 ? reg : 0);
    }
    double logl = 0;
    for (int it = 0; it <= iters; it++) {
        /* E: responsibilities and the log-likelihood */
        double L[CUR_GMM_MAX_K][16];
        for (int j = 0; j < k; j++)
            if (!chol(covs + j * d * d, d, L[j])) {
                free(resp);
                return ludus_err_set(LUDUS_EINTERNAL, "gmm: a covariance is not positive definite");
            }
        logl = 0;
        for (int i = 0; i < n; i++) {
            double lp[CUR_GMM_MAX_K], m = -INFINITY;
            for (int j = 0; j < k; j++) {
                lp[j] = log(weights[j]) + log_normal(x + i * d, means + j * d, L[j], d);
                if (lp[j] > m) m = lp[j];
            }
            double s = 0;
            for (int j = 0; j < k; j++) s += exp(lp[j] - m);
            double lse = m + log(s);
            logl += lse;
            for (int j = 0; j < k; j++) resp[i * k + j] = exp(lp[j] - lse);
        }
        if (it == iters) break;
        /* M: weights, means, covariances (+ reg on the diagonal) */
        for (int j = 0; j < k; j++) {
            double nk = 0;
            for (int i = 0; i < n; i++) nk += resp[i * k + j];
            if (nk < 1e-10) nk = 1e-10;
            weights[j] = nk / n;
            for (int a = 0; a < d; a++) {
                double s = 0;
                for (int i = 0; i < n; i++) s += resp[i * k + j] * x[i * d + a];
                means[j * d + a] = s / nk;
            }
            for (int a = 0; a < d; a++)
                for (int b = 0; b < d; b++) {
                    double s = 0;
                    for (int i = 0; i < n; i++)
                        s += resp[i * k + j] * (x[i * d + a] - means[j * d + a]) * (x[i * d + b] - means[j * d + b]);
                    covs[j * d * d + a * d + b] = s / nk + (a == b ? reg : 0);
                }
        }
    }
    free(resp);
    double p = (k - 1) + k * d + k * d * (d + 1) / 2.0;
    *aic = -2 * logl + 2 * p;
    return LUDUS_OK;
}

/* ---- the teacher -------------------------------------------------------- */

int ludus_cur_alp_init(ludus_curriculum *c)
{
    cur_alp *a = calloc(1, sizeof *a);
    if (!a) return ludus_err_set(LUDUS_ENOMEM, "curriculum: out of memory");
    c->alp = a;
    a->nvals = (int)(floor(c->cfg.alp_hi) - ceil(c->cfg.alp_lo)) + 1;
    if (a->nvals < 1)
        return ludus_err_set(LUDUS_EINVAL, "curriculum: the ALP-GMM box [%g, %g] holds no integer value",
                             (double)c->cfg.alp_lo, (double)c->cfg.alp_hi);
    if (!(a->specs = calloc((size_t)a->nvals, sizeof *a->specs)))
        return ludus_err_set(LUDUS_ENOMEM, "curriculum: out of memory");
    /* the option must exist: make the world with the box's lowest value */
    char opts[300];
    const char *id = ludus_env_get_info(c->env)->id;
    snprintf(opts, sizeof opts, "%s%s%s=%d", c->options, c->options[0] ? "," : "", c->cfg.alp_option,
             (int)ceil(c->cfg.alp_lo));
    int rc = ludus_env_make(id, opts, &a->specs[0]);
    if (rc) return ludus_err_wrap(rc, "curriculum: alp_option \"%s\" of %s", c->cfg.alp_option, id);
    if (ludus_env_level_size(a->specs[0]) != c->LS)
        return ludus_err_set(LUDUS_EINVAL, "curriculum: %s with %s has levels of another size than the run's world",
                             id, opts);
    return LUDUS_OK;
}

void ludus_cur_alp_free(ludus_curriculum *c)
{
    cur_alp *a = c ? c->alp : NULL;
    if (!a) return;
    for (int i = 0; a->specs && i < a->nvals; i++) ludus_env_destroy(a->specs[i]);
    free(a->specs);
    free(a->tau);
    free(a->rew);
    free(a->halp);
    free(a);
    c->alp = NULL;
}

/* A normal draw (Box-Muller on the curriculum's stream). */
static double normal(ludus_rng *rng)
{
    double u1 = ludus_rng_random(rng), u2 = ludus_rng_random(rng);
    if (u1 <= 0) u1 = 1e-300;
    return sqrt(-2 * log(u1)) * cos(2 * CUR_PI * u2);
}

int ludus_cur_alp_next(ludus_curriculum *c, int r)
{
    cur_alp *a = c->alp;
    const double lo = c->cfg.alp_lo, hi = c->cfg.alp_hi;
    double t;
    double u = ludus_rng_random(&c->rng);
    if (a->k == 0 || u < c->cfg.alp_random_prob) {
        t = ludus_rng_uniform(&c->rng, lo, hi);
    } else {
        double sum = 0, acc = 0;
        for (int j = 0; j < a->k; j++) sum += a->mu[j][1] > 0 ? a->mu[j][1] : 0;
        double v = ludus_rng_random(&c->rng) * sum;
        int pick = a->k - 1;
        for (int j = 0; j < a->k; j++) {
            acc += a->mu[j][1] > 0 ? a->mu[j][1] : 0;
            if (sum > 0 ? v < acc : j == (int)(v * a->k)) {
                pick = j;
                break;
            }
        }
        if (sum <= 0) pick = (int)ludus_rng_integers(&c->rng, 0, a->k);
        t = a->mu[pick][0] + sqrt(a->cov[pick][0][0]) * normal(&c->rng);
        if (t < lo) t = lo;
        if (t > hi) t = hi;
    }
    int v = (int)lround(t);
    int vlo = (int)ceil(lo), idx = v - vlo;
    if (idx < 0) idx = 0;
    if (idx >= a->nvals) idx = a->nvals - 1;
    if (!a->specs[idx]) {
        char opts[300];
        snprintf(opts, sizeof opts, "%s%s%s=%d", c->options, c->options[0] ? "," : "", c->cfg.alp_option, vlo + idx);
        int rc = ludus_env_make(ludus_env_get_info(c->env)->id, opts, &a->specs[idx]);
        if (rc) return ludus_err_wrap(rc, "curriculum: ALP-GMM's world");
    }
    int rc = ludus_cur_generate(c, a->specs[idx], r);
    c->recs[r].param = t;
    return rc;
}

/* Room for `need` episodes. */
static int reserve(cur_alp *a, size_t need)
{
    if (need <= a->cap) return 0;
    size_t cap = a->cap ? 2 * a->cap : 1024;
    if (cap < need) cap = need;
    double *t = realloc(a->tau, cap * sizeof *t);
    if (t) a->tau = t;
    double *r = realloc(a->rew, cap * sizeof *r);
    if (r) a->rew = r;
    double *h = realloc(a->halp, cap * sizeof *h);
    if (h) a->halp = h;
    if (!t || !r || !h) return -1;
    a->cap = cap;
    return 0;
}

/* Fit k = 2..max_k to the last fit_rate (task, ALP) points; keep the
 * lowest AIC. The means start at the points of evenly spaced ranks by
 * task (a deterministic start, where teachDeepRL uses k-means). */
static void refit(ludus_curriculum *c)
{
    cur_alp *a = c->alp;
    int n = c->cfg.alp_fit_rate;
    double *x = malloc((size_t)n * GMM_D * sizeof *x), *init = malloc(CUR_GMM_MAX_K * GMM_D * sizeof *init);
    int *ord = malloc((size_t)n * sizeof *ord);
    if (!x || !init || !ord) goto done;
    size_t base = a->n - (size_t)n;
    for (int i = 0; i < n; i++) {
        x[i * 2] = a->tau[base + i];
        x[i * 2 + 1] = a->halp[base + i];
        ord[i] = i;
    }
    for (int i = 1; i < n; i++) { /* insertion sort by task, stable */
        int v = ord[i], j = i - 1;
        while (j >= 0 && x[ord[j] * 2] > x[v * 2]) ord[j + 1] = ord[j], j--;
        ord[j + 1] = v;
    }
    double best = INFINITY;
    for (int k = 2; k <= c->cfg.alp_max_k && k <= n; k++) {
        for (int j = 0; j < k; j++) {
            int i = ord[(int)(((double)j + 0.5) * n / k)];
            init[j * 2] = x[i * 2];
            init[j * 2 + 1] = x[i * 2 + 1];
        }
        double w[CUR_GMM_MAX_K], mu[CUR_GMM_MAX_K * 2], cov[CUR_GMM_MAX_K * 4], aic;
        if (ludus_curriculum_gmm_fit(x, n, 2, k, init, EM_ITERS, w, mu, cov, &aic)) continue;
        if (aic < best) {
            best = aic;
            a->k = k;
            for (int j = 0; j < k; j++) {
                a->w[j] = w[j];
                a->mu[j][0] = mu[j * 2];
                a->mu[j][1] = mu[j * 2 + 1];
                for (int e = 0; e < 4; e++) a->cov[j][e / 2][e % 2] = cov[j * 4 + e];
            }
        }
    }
done:
    free(x);
    free(init);
    free(ord);
}

void ludus_cur_alp_episode(ludus_curriculum *c, double t, double ret)
{
    cur_alp *a = c->alp;
    if (reserve(a, a->n + 1)) return;
    double r = (ret - c->cfg.reward_lo) / (c->cfg.reward_hi - c->cfg.reward_lo);
    r = r < 0 ? 0 : r > 1 ? 1 : r;
    double alp = 0;
    if (a->n > 5) { /* the nearest earlier task (the first of equals) */
        size_t best = 0;
        for (size_t i = 1; i < a->n; i++)
            if (fabs(a->tau[i] - t) < fabs(a->tau[best] - t)) best = i;
        alp = fabs(r - a->rew[best]);
    }
    a->tau[a->n] = t;
    a->rew[a->n] = r;
    a->halp[a->n] = alp;
    a->n++;
    c->levels_seen = a->n;
    if (a->n % (size_t)c->cfg.alp_fit_rate == 0) refit(c);
}

void ludus_cur_alp_stats(const ludus_curriculum *c, ludus_curriculum_stats *out)
{
    const cur_alp *a = c->alp;
    out->levels_seen = a->n;
    out->gmm_k = a->k;
    size_t w = (size_t)c->cfg.alp_fit_rate, from = a->n > w ? a->n - w : 0;
    double s = 0, m = -INFINITY;
    for (size_t i = from; i < a->n; i++) {
        s += a->halp[i];
        if (a->halp[i] > m) m = a->halp[i];
    }
    if (a->n > from) {
        out->score_mean = s / (double)(a->n - from);
        out->score_max = m;
    }
}

static void put(uint8_t **p, size_t *n, size_t *cap, int *err, const void *src, size_t len)
{
    if (*err) return;
    if (*n + len > *cap) {
        size_t nc = *cap ? *cap : 4096;
        while (nc < *n + len) nc *= 2;
        uint8_t *q = realloc(*p, nc);
        if (!q) {
            *err = 1;
            return;
        }
        *p = q;
        *cap = nc;
    }
    memcpy(*p + *n, src, len);
    *n += len;
}

void ludus_cur_alp_save(const ludus_curriculum *c, uint8_t **p, size_t *n, size_t *cap, int *err)
{
    const cur_alp *a = c->alp;
    uint64_t cnt = a->n;
    put(p, n, cap, err, &cnt, sizeof cnt);
    put(p, n, cap, err, &a->k, sizeof a->k);
    put(p, n, cap, err, a->w, sizeof a->w);
    put(p, n, cap, err, a->mu, sizeof a->mu);
    put(p, n, cap, err, a->cov, sizeof a->cov);
    if (cnt) {
        put(p, n, cap, err, a->tau, a->n * sizeof *a->tau);
        put(p, n, cap, err, a->rew, a->n * sizeof *a->rew);
        put(p, n, cap, err, a->halp, a->n * sizeof *a->halp);
    }
}

int ludus_cur_alp_load(ludus_curriculum *c, const uint8_t *p, size_t n, size_t *at)
{
    cur_alp *a = c->alp;
    uint64_t cnt;
    int k;
    size_t fixed = sizeof cnt + sizeof k + sizeof a->w + sizeof a->mu + sizeof a->cov;
    if (n - *at < fixed) return -1;
    memcpy(&cnt, p + *at, sizeof cnt);
    memcpy(&k, p + *at + sizeof cnt, sizeof k);
    if (k < 0 || k > CUR_GMM_MAX_K || cnt > (n - *at - fixed) / (3 * sizeof(double))) return -1;
    if (n - *at - fixed != cnt * 3 * sizeof(double)) return -1;
    const uint8_t *q = p + *at + sizeof cnt + sizeof k;
    memcpy(a->w, q, sizeof a->w);
    q += sizeof a->w;
    memcpy(a->mu, q, sizeof a->mu);
    q += sizeof a->mu;
    memcpy(a->cov, q, sizeof a->cov);
    q += sizeof a->cov;
    if (reserve(a, (size_t)cnt)) return -1;
    a->n = (size_t)cnt;
    memcpy(a->tau, q, a->n * sizeof *a->tau);
    memcpy(a->rew, q + a->n * 8, a->n * sizeof *a->rew);
    memcpy(a->halp, q + a->n * 16, a->n * sizeof *a->halp);
    a->k = k;
    *at = n;
    return 0;
}

size_t ludus_curriculum_alp_data(const ludus_curriculum *c, const double **tau, const double **ret, const double **alp)
{
    const cur_alp *a = c ? c->alp : NULL;
    if (!a) return 0;
    if (tau) *tau = a->tau;
    if (ret) *ret = a->rew;
    if (alp) *alp = a->halp;
    return a->n;
}
