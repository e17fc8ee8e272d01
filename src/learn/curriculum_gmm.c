/* curriculum_gmm.c: ALP-GMM (teachDeepRL's, ../shared/spec/curricula.md
 * section 2) over D = 1..4 numeric world options (the task space, a box).
 * Each finished episode's normalized return is compared with the return
 * of the nearest earlier task (Euclidean in the box; the absolute
 * learning progress, ALP); every fit_rate episodes GMMs of k = 2..max_k
 * components with full covariances are fitted by EM to the last fit_rate
 * (task, ALP) points (D + 1 dimensions) and the one with the lowest AIC
 * kept; tasks are then drawn from a component chosen in proportion to its
 * mean ALP (or, with alp_random_prob, uniformly from the box). A drawn
 * task becomes a level: the world made with each option at its rounded
 * value generates one from a fresh seed, and the level's block is what
 * the worlds reset from.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "learn/curriculum_internal.h"

#define GMM_D (CUR_ALP_MAX_D + 1) /* the task and its ALP */
#define GMM_MAX_DIM 5             /* ludus_curriculum_gmm_fit's d */
#define EM_ITERS 100
#define CUR_PI 3.14159265358979323846

struct cur_alp {
    ludus_cur_alp_space sp; /* the options and their box */
    long vlo[CUR_ALP_MAX_D], vhi[CUR_ALP_MAX_D]; /* the integer values in the box */
    ludus_env *spec;      /* the world made with the last values drawn */
    long spec_vals[CUR_ALP_MAX_D];
    double *tau, *rew;    /* every finished episode: its task (D values) and normalized return */
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
    double z[GMM_MAX_DIM], q = 0, logdet = 0;
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
    if (!x || !init_means || !weights || !means || !covs || !aic || n < 1 || d < 1 || d > GMM_MAX_DIM || k < 1 ||
        k > CUR_GMM_MAX_K || iters < 0)
        return ludus_err_set(LUDUS_EINVAL, "gmm: bad arguments (n %d, d %d, k %d, iters %d)", n, d, k, iters);
    double *resp = malloc((size_t)n * k * sizeof *resp);
    if (!resp) return ludus_err_set(LUDUS_ENOMEM, "gmm: out of memory");
    const double reg = 1e-6;
    /* start: the given means, each with the data's covariance, equal weights */
    double mean[GMM_MAX_DIM] = {0}, dc[GMM_MAX_DIM * GMM_MAX_DIM] = {0};
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
        double L[CUR_GMM_MAX_K][GMM_MAX_DIM * GMM_MAX_DIM];
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

/* ---- the task space ------------------------------------------------------ */

int ludus_cur_alp_parse(const ludus_curriculum_config *cfg, ludus_cur_alp_space *out)
{
    memset(out, 0, sizeof *out);
    if (!cfg->alp_space[0]) {
        if (!cfg->alp_option[0])
            return ludus_err_set(LUDUS_EINVAL, "curriculum: alp-gmm needs alp_option or alp_space");
        out->D = 1;
        snprintf(out->name[0], sizeof out->name[0], "%s", cfg->alp_option);
        out->lo[0] = cfg->alp_lo;
        out->hi[0] = cfg->alp_hi;
        return LUDUS_OK;
    }
    const char *p = cfg->alp_space;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char item[128], *eq, *colon, *e1, *e2;
        snprintf(item, sizeof item, "%.*s", (int)(len < sizeof item ? len : sizeof item - 1), p);
        if (out->D == CUR_ALP_MAX_D)
            return ludus_err_set(LUDUS_EINVAL, "curriculum: alp_space \"%s\" names more than %d options",
                                 cfg->alp_space, CUR_ALP_MAX_D);
        eq = strchr(item, '=');
        colon = eq ? strchr(eq, ':') : NULL;
        if (!eq || !colon || eq == item || (size_t)(eq - item) >= sizeof out->name[0])
            return ludus_err_set(LUDUS_EINVAL, "curriculum: alp_space entry \"%s\" is not name=lo:hi", item);
        *eq = *colon = 0;
        for (const char *q = item; *q; q++)
            if (!((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '_'))
                return ludus_err_set(LUDUS_EINVAL, "curriculum: alp_space option name \"%s\" is not a world option "
                                                   "name (a-z, 0-9, _)", item);
        double lo = strtod(eq + 1, &e1), hi = strtod(colon + 1, &e2);
        if (e1 == eq + 1 || *e1 || e2 == colon + 1 || *e2 || !isfinite(lo) || !isfinite(hi))
            return ludus_err_set(LUDUS_EINVAL, "curriculum: alp_space entry \"%s=%s:%s\" is not name=lo:hi with two "
                                               "numbers", item, eq + 1, colon + 1);
        if (!(hi > lo))
            return ludus_err_set(LUDUS_EINVAL, "curriculum: alp_space option %s: hi (%g) must be above lo (%g)", item,
                                 hi, lo);
        if (hi - lo > 100000)
            return ludus_err_set(LUDUS_EINVAL, "curriculum: alp_space option %s: [%g, %g] spans more than 100000 "
                                               "values", item, lo, hi);
        for (int d = 0; d < out->D; d++)
            if (strcmp(out->name[d], item) == 0)
                return ludus_err_set(LUDUS_EINVAL, "curriculum: alp_space names option %s twice", item);
        memcpy(out->name[out->D], item, strlen(item) + 1); /* shorter than 32: checked above */
        out->lo[out->D] = lo;
        out->hi[out->D] = hi;
        out->D++;
        p += len;
        if (*p == ',') p++;
        if (end && !*p) return ludus_err_set(LUDUS_EINVAL, "curriculum: alp_space \"%s\" ends with a comma",
                                             cfg->alp_space);
    }
    return LUDUS_OK;
}

/* The option names a world documents (ludus_env_info.options_doc, "name=V
 * (...), name=V, ..."), with whether each value is a number ("N" or
 * digits). Returns how many (at most cap). */
static int doc_options(const char *doc, char names[][32], int *numeric, int cap)
{
    int n = 0;
    for (size_t i = 0; doc && doc[i] && n < cap; i++) {
        if (i > 0 && doc[i - 1] != ' ' && doc[i - 1] != ',' && doc[i - 1] != '(') continue;
        size_t j = i;
        while ((doc[j] >= 'a' && doc[j] <= 'z') || (doc[j] >= '0' && doc[j] <= '9') || doc[j] == '_') j++;
        if (j == i || doc[j] != '=' || j - i >= 32) continue;
        int dup = 0;
        for (int k = 0; k < n; k++) dup |= strncmp(names[k], doc + i, j - i) == 0 && names[k][j - i] == 0;
        if (dup) continue;
        snprintf(names[n], 32, "%.*s", (int)(j - i), doc + i);
        char v = doc[j + 1];
        numeric[n++] = v == 'N' || (v >= '0' && v <= '9') || v == '-';
    }
    return n;
}

/* The world made with the run's options and option d at vals[d]. */
static int make_spec(const ludus_curriculum *c, const long *vals, ludus_env **out)
{
    const cur_alp *a = c->alp;
    char opts[600];
    strbuf sb = sb_make(opts, sizeof opts);
    ludus_sb_printf(&sb, "%s", c->options);
    for (int d = 0; d < a->sp.D; d++) ludus_sb_printf(&sb, "%s%s=%ld", sb.len ? "," : "", a->sp.name[d], vals[d]);
    const char *id = ludus_env_get_info(c->env)->id;
    int rc = ludus_env_make(id, opts, out);
    if (rc) return ludus_err_wrap(rc, "curriculum: ALP-GMM's world %s with %s", id, opts);
    if (ludus_env_level_size(*out) != c->LS) {
        ludus_env_destroy(*out);
        *out = NULL;
        return ludus_err_set(LUDUS_EINVAL, "curriculum: %s with %s has levels of another size than the run's world "
                                           "(ALP-GMM samples options that keep the level's size)", id, opts);
    }
    return LUDUS_OK;
}

/* ---- the teacher -------------------------------------------------------- */

int ludus_cur_alp_check_space(const ludus_env_info *info, const ludus_cur_alp_space *sp)
{
    char names[32][32], all[400];
    int numeric[32], nn = doc_options(info->options_doc, names, numeric, 32);
    strbuf sb = sb_make(all, sizeof all);
    for (int i = 0; i < nn; i++) ludus_sb_printf(&sb, "%s%s", i ? ", " : "", names[i]);
    for (int d = 0; d < sp->D; d++) {
        const char *nm = sp->name[d];
        int found = -1, best = -1, bd = 1 << 30;
        for (int i = 0; i < nn; i++) {
            if (strcmp(names[i], nm) == 0) found = i;
            int dist = ludus_str_edit_distance(nm, names[i], 1000);
            if (dist < bd) bd = dist, best = i;
        }
        if (found < 0) {
            if (!nn)
                return ludus_err_set(LUDUS_EINVAL, "curriculum: ALP-GMM option \"%s\": %s takes no options", nm,
                                     info->id);
            char hint[64] = "";
            if (best >= 0 && bd <= 3) snprintf(hint, sizeof hint, "; did you mean '%s'?", names[best]);
            return ludus_err_set(LUDUS_EINVAL, "curriculum: ALP-GMM option \"%s\" is not an option of %s%s (options: %s)",
                                 nm, info->id, hint, all);
        }
        if (!numeric[found])
            return ludus_err_set(LUDUS_EINVAL, "curriculum: ALP-GMM option \"%s\" of %s is not numeric (%s)", nm,
                                 info->id, info->options_doc);
        if (ceil(sp->lo[d]) > floor(sp->hi[d]))
            return ludus_err_set(LUDUS_EINVAL, "curriculum: the ALP-GMM box [%g, %g] of %s holds no integer value",
                                 sp->lo[d], sp->hi[d], nm);
    }
    return LUDUS_OK;
}

int ludus_cur_alp_init(ludus_curriculum *c)
{
    cur_alp *a = calloc(1, sizeof *a);
    if (!a) return ludus_err_set(LUDUS_ENOMEM, "curriculum: out of memory");
    c->alp = a;
    const ludus_env_info *info = ludus_env_get_info(c->env);
    int rc = ludus_cur_alp_parse(&c->cfg, &a->sp);
    if (!rc) rc = ludus_cur_alp_check_space(info, &a->sp);
    if (rc) return rc;
    for (int d = 0; d < a->sp.D; d++) {
        a->vlo[d] = (long)ceil(a->sp.lo[d]);
        a->vhi[d] = (long)floor(a->sp.hi[d]);
    }
    /* the box's corners make worlds with levels of the run's size, and each
     * option changes the levels (an option the level blocks do not hold,
     * such as a step limit, would be sampled but never seen) */
    ludus_env *lo_env = NULL, *hi_env = NULL;
    if ((rc = make_spec(c, a->vlo, &lo_env)) || (rc = make_spec(c, a->vhi, &hi_env))) goto done;
    ludus_env_destroy(hi_env);
    hi_env = NULL;
    for (int d = 0; d < a->sp.D && !rc; d++) {
        long v[CUR_ALP_MAX_D];
        memcpy(v, a->vlo, sizeof v);
        v[d] = a->vhi[d];
        if ((rc = make_spec(c, v, &hi_env))) break;
        int differ = 0;
        uint8_t *b1 = malloc(c->LS), *b2 = malloc(c->LS);
        if (!b1 || !b2) rc = ludus_err_set(LUDUS_ENOMEM, "curriculum: out of memory");
        for (uint64_t seed = 0; seed < 8 && !rc && !differ; seed++) {
            if ((rc = ludus_env_reset(lo_env, c->scratch, seed, NULL)) ||
                (rc = ludus_env_level_of(lo_env, c->scratch, b1, c->LS)) ||
                (rc = ludus_env_reset(hi_env, c->scratch, seed, NULL)) ||
                (rc = ludus_env_level_of(hi_env, c->scratch, b2, c->LS)))
                break;
            differ = memcmp(b1, b2, c->LS) != 0;
        }
        free(b1);
        free(b2);
        ludus_env_destroy(hi_env);
        hi_env = NULL;
        if (!rc && !differ)
            rc = ludus_err_set(LUDUS_EINVAL, "curriculum: ALP-GMM option \"%s\" does not change %s's levels (the same "
                                             "level blocks at %ld and %ld): the worlds would never see it",
                               a->sp.name[d], info->id, a->vlo[d], a->vhi[d]);
    }
done:
    ludus_env_destroy(lo_env);
    ludus_env_destroy(hi_env);
    return rc;
}

void ludus_cur_alp_free(ludus_curriculum *c)
{
    cur_alp *a = c ? c->alp : NULL;
    if (!a) return;
    ludus_env_destroy(a->spec);
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
    const int D = a->sp.D;
    double t[CUR_ALP_MAX_D];
    double u = ludus_rng_random(&c->rng);
    if (a->k == 0 || u < c->cfg.alp_random_prob) {
        for (int d = 0; d < D; d++) t[d] = ludus_rng_uniform(&c->rng, a->sp.lo[d], a->sp.hi[d]);
    } else {
        /* a component in proportion to its mean ALP (uniform when none is
         * positive), then its Gaussian's marginal over the task: mu + L z
         * with L the Cholesky factor of the task block of its covariance */
        double sum = 0;
        for (int j = 0; j < a->k; j++) sum += a->mu[j][D] > 0 ? a->mu[j][D] : 0;
        int pick = a->k - 1;
        if (sum > 0) {
            double v = ludus_rng_random(&c->rng) * sum, acc = 0;
            for (int j = 0; j < a->k; j++) {
                acc += a->mu[j][D] > 0 ? a->mu[j][D] : 0;
                if (v < acc) {
                    pick = j;
                    break;
                }
            }
        } else {
            pick = (int)ludus_rng_integers(&c->rng, 0, a->k);
        }
        double blk[CUR_ALP_MAX_D * CUR_ALP_MAX_D] = {0}, L[CUR_ALP_MAX_D * CUR_ALP_MAX_D], z[CUR_ALP_MAX_D];
        for (int i = 0; i < D; i++)
            for (int j = 0; j < D; j++) blk[i * D + j] = a->cov[pick][i][j];
        int ok = chol(blk, D, L);
        for (int d = 0; d < D; d++) z[d] = normal(&c->rng);
        for (int i = 0; i < D; i++) {
            double s = a->mu[pick][i];
            for (int j = 0; ok && j <= i; j++) s += L[i * D + j] * z[j];
            t[i] = s < a->sp.lo[i] ? a->sp.lo[i] : s > a->sp.hi[i] ? a->sp.hi[i] : s;
        }
    }
    long v[CUR_ALP_MAX_D];
    for (int d = 0; d < D; d++) {
        v[d] = lround(t[d]);
        if (v[d] < a->vlo[d]) v[d] = a->vlo[d];
        if (v[d] > a->vhi[d]) v[d] = a->vhi[d];
    }
    if (!a->spec || memcmp(v, a->spec_vals, (size_t)D * sizeof *v) != 0) {
        ludus_env_destroy(a->spec);
        a->spec = NULL;
        int rc = make_spec(c, v, &a->spec);
        if (rc) return rc;
        memcpy(a->spec_vals, v, (size_t)D * sizeof *v);
    }
    int rc = ludus_cur_generate(c, a->spec, r);
    memcpy(c->recs[r].param, t, (size_t)D * sizeof *t);
    return rc;
}

/* Room for `need` episodes. */
static int reserve(cur_alp *a, size_t need)
{
    if (need <= a->cap) return 0;
    size_t cap = a->cap ? 2 * a->cap : 1024;
    if (cap < need) cap = need;
    double *t = realloc(a->tau, cap * (size_t)a->sp.D * sizeof *t);
    if (t) a->tau = t;
    double *r = realloc(a->rew, cap * sizeof *r);
    if (r) a->rew = r;
    double *h = realloc(a->halp, cap * sizeof *h);
    if (h) a->halp = h;
    if (!t || !r || !h) return -1;
    a->cap = cap;
    return 0;
}

/* Task order for the EM's start: lexicographic by task, stable. */
static int task_before(const double *x, int G, int D, int i, int j)
{
    for (int d = 0; d < D; d++)
        if (x[i * G + d] != x[j * G + d]) return x[i * G + d] < x[j * G + d];
    return 0;
}

/* Fit k = 2..max_k to the last fit_rate (task, ALP) points; keep the
 * lowest AIC. The means start at the points of evenly spaced ranks by
 * task (lexicographic; a deterministic start, where teachDeepRL uses
 * k-means). */
static void refit(ludus_curriculum *c)
{
    cur_alp *a = c->alp;
    const int D = a->sp.D, G = D + 1;
    int n = c->cfg.alp_fit_rate;
    double *x = malloc((size_t)n * G * sizeof *x), *init = malloc(CUR_GMM_MAX_K * GMM_D * sizeof *init);
    int *ord = malloc((size_t)n * sizeof *ord);
    if (!x || !init || !ord) goto done;
    size_t base = a->n - (size_t)n;
    for (int i = 0; i < n; i++) {
        for (int d = 0; d < D; d++) x[i * G + d] = a->tau[(base + i) * D + d];
        x[i * G + D] = a->halp[base + i];
        ord[i] = i;
    }
    for (int i = 1; i < n; i++) { /* insertion sort by task, stable */
        int v = ord[i], j = i - 1;
        while (j >= 0 && task_before(x, G, D, v, ord[j])) ord[j + 1] = ord[j], j--;
        ord[j + 1] = v;
    }
    double best = INFINITY;
    for (int k = 2; k <= c->cfg.alp_max_k && k <= n; k++) {
        for (int j = 0; j < k; j++) {
            int i = ord[(int)(((double)j + 0.5) * n / k)];
            memcpy(init + j * G, x + i * G, (size_t)G * sizeof *x);
        }
        double w[CUR_GMM_MAX_K], mu[CUR_GMM_MAX_K * GMM_D], cov[CUR_GMM_MAX_K * GMM_D * GMM_D], aic;
        if (ludus_curriculum_gmm_fit(x, n, G, k, init, EM_ITERS, w, mu, cov, &aic)) continue;
        if (aic < best) {
            best = aic;
            a->k = k;
            for (int j = 0; j < k; j++) {
                a->w[j] = w[j];
                for (int e = 0; e < G; e++) a->mu[j][e] = mu[j * G + e];
                for (int e = 0; e < G * G; e++) a->cov[j][e / G][e % G] = cov[j * G * G + e];
            }
        }
    }
done:
    free(x);
    free(init);
    free(ord);
}

void ludus_cur_alp_episode(ludus_curriculum *c, const double *t, double ret)
{
    cur_alp *a = c->alp;
    const int D = a->sp.D;
    if (reserve(a, a->n + 1)) return;
    double r = (ret - c->cfg.reward_lo) / (c->cfg.reward_hi - c->cfg.reward_lo);
    r = r < 0 ? 0 : r > 1 ? 1 : r;
    double alp = 0;
    if (a->n > 5) { /* the nearest earlier task, Euclidean (the first of equals) */
        size_t best = 0;
        double bd = INFINITY;
        for (size_t i = 0; i < a->n; i++) {
            double d2 = 0;
            for (int d = 0; d < D; d++) {
                double e = a->tau[i * D + d] - t[d];
                d2 += e * e;
            }
            if (d2 < bd) bd = d2, best = i;
        }
        alp = fabs(r - a->rew[best]);
    }
    memcpy(a->tau + a->n * D, t, (size_t)D * sizeof *t);
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
    int32_t dk[2] = {a->sp.D, a->k};
    put(p, n, cap, err, &cnt, sizeof cnt);
    put(p, n, cap, err, dk, sizeof dk);
    put(p, n, cap, err, a->w, sizeof a->w);
    put(p, n, cap, err, a->mu, sizeof a->mu);
    put(p, n, cap, err, a->cov, sizeof a->cov);
    if (cnt) {
        put(p, n, cap, err, a->tau, a->n * (size_t)a->sp.D * sizeof *a->tau);
        put(p, n, cap, err, a->rew, a->n * sizeof *a->rew);
        put(p, n, cap, err, a->halp, a->n * sizeof *a->halp);
    }
}

int ludus_cur_alp_load(ludus_curriculum *c, const uint8_t *p, size_t n, size_t *at)
{
    cur_alp *a = c->alp;
    uint64_t cnt;
    int32_t dk[2];
    const size_t fixed = sizeof cnt + sizeof dk + sizeof a->w + sizeof a->mu + sizeof a->cov;
    if (n - *at < fixed) return -1;
    memcpy(&cnt, p + *at, sizeof cnt);
    memcpy(dk, p + *at + sizeof cnt, sizeof dk);
    const size_t per = ((size_t)a->sp.D + 2) * sizeof(double);
    if (dk[0] != a->sp.D || dk[1] < 0 || dk[1] > CUR_GMM_MAX_K || cnt > (n - *at - fixed) / per) return -1;
    if (n - *at - fixed != cnt * per) return -1;
    const uint8_t *q = p + *at + sizeof cnt + sizeof dk;
    if (reserve(a, (size_t)cnt)) return -1;
    memcpy(a->w, q, sizeof a->w);
    q += sizeof a->w;
    memcpy(a->mu, q, sizeof a->mu);
    q += sizeof a->mu;
    memcpy(a->cov, q, sizeof a->cov);
    q += sizeof a->cov;
    a->n = (size_t)cnt;
    const size_t tb = a->n * (size_t)a->sp.D * sizeof *a->tau;
    if (a->n) { /* the arrays are NULL before the first episode */
        memcpy(a->tau, q, tb);
        memcpy(a->rew, q + tb, a->n * sizeof *a->rew);
        memcpy(a->halp, q + tb + a->n * sizeof *a->rew, a->n * sizeof *a->halp);
    }
    a->k = dk[1];
    *at = n;
    return 0;
}

int ludus_curriculum_alp_dims(const ludus_curriculum *c) { return c && c->alp ? c->alp->sp.D : 0; }

size_t ludus_curriculum_alp_data(const ludus_curriculum *c, const double **tau, const double **ret, const double **alp)
{
    const cur_alp *a = c ? c->alp : NULL;
    if (!a) return 0;
    if (tau) *tau = a->tau;
    if (ret) *ret = a->rew;
    if (alp) *alp = a->halp;
    return a->n;
}
