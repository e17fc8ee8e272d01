/* eval.c: the evaluation protocol. Episode i always plays level
 * level_start + i % level_count with an action stream seeded from
 * (seed, i), so a result does not depend on how many worlds run at once;
 * means come with 95% percentile-bootstrap intervals from a seeded
 * generator, as rliable recommends for few-run RL comparisons. In worlds
 * with achievements (Crafter) the per-achievement success rates and the
 * Crafter score get intervals from resampling whole episodes.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "eval/play.h"
#include "learn/agent_internal.h"
#include "ludus/learn.h"

#define EVAL_WORLDS 64
#define EVAL_RESAMPLES 2000

/* Per-episode sums (episodes indexed as played). */
typedef struct eval_sums {
    double *ret, *succ, *len;
    uint32_t *masks;
} eval_sums;

static int eval_step(void *user, int slot, int e, const int32_t *action, const ludus_step_out *so,
                     const uint8_t *obs, const void *state)
{
    (void)slot, (void)action, (void)obs, (void)state;
    eval_sums *s = user;
    s->ret[e] += so->reward;
    s->len[e] += 1;
    s->masks[e] |= so->achievements;
    if (so->terminated || so->truncated) s->succ[e] = so->success ? 1.0 : 0.0;
    return LUDUS_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* e's interval: the 2.5th and 97.5th percentiles of the n values
 * (sorted here), linearly interpolated. */
static void percentile_ci(double *v, int n, ludus_estimate *e)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    double q[2] = {0.025, 0.975}, *outp[2] = {&e->lo, &e->hi};
    for (int k = 0; k < 2; k++) {
        double pos = q[k] * (n - 1);
        int i = (int)pos;
        double f = pos - i;
        *outp[k] = i + 1 < n ? v[i] * (1 - f) + v[i + 1] * f : v[i];
    }
}

ludus_estimate ludus_bootstrap_mean(const double *x, int n, int resamples, uint64_t seed)
{
    ludus_estimate e = {NAN, NAN, NAN};
    if (!x || n < 1) return e;
    double s = 0.0;
    for (int i = 0; i < n; i++) s += x[i];
    e.mean = e.lo = e.hi = s / n;
    if (resamples < 2) return e;
    double *means = malloc((size_t)resamples * sizeof *means);
    if (!means) return e;
    ludus_rng rng;
    ludus_rng_seed(&rng, seed);
    for (int r = 0; r < resamples; r++) {
        double t = 0.0;
        for (int i = 0; i < n; i++) t += x[ludus_rng_integers(&rng, 0, n)];
        means[r] = t / n;
    }
    percentile_ci(means, resamples, &e);
    free(means);
    return e;
}

/* The success rates and the Crafter score of E episodes (masks), each with
 * the interval of `resamples` bootstrap resamples of the episodes. */
static int achievement_estimates(const uint32_t *masks, int E, int nach, int resamples, uint64_t seed,
                                 ludus_eval_result *out)
{
    double rates[LUDUS_PPO_MAX_ACHIEVEMENTS], score;
    int rc = ludus_crafter_score(masks, (size_t)E, &score, rates);
    if (rc) return rc;
    out->num_achievements = nach;
    out->score = (ludus_estimate){score, score, score};
    for (int i = 0; i < nach; i++) out->achievements[i] = (ludus_estimate){rates[i], rates[i], rates[i]};
    uint32_t *re = malloc((size_t)E * sizeof *re);
    double *vals = malloc((size_t)resamples * (nach + 1) * sizeof *vals);
    if (!re || !vals) {
        free(re);
        free(vals);
        return ludus_err_set(LUDUS_ENOMEM, "eval: out of memory");
    }
    ludus_rng rng;
    ludus_rng_seed(&rng, seed);
    for (int r = 0; r < resamples && !rc; r++) {
        for (int e = 0; e < E; e++) re[e] = masks[ludus_rng_integers(&rng, 0, E)];
        rc = ludus_crafter_score(re, (size_t)E, &score, rates);
        vals[r] = score; /* column 0: the score; column 1 + i: achievement i */
        for (int i = 0; i < nach; i++) vals[(size_t)(i + 1) * resamples + r] = rates[i];
    }
    if (!rc) {
        percentile_ci(vals, resamples, &out->score);
        for (int i = 0; i < nach; i++) percentile_ci(vals + (size_t)(i + 1) * resamples, resamples, &out->achievements[i]);
    }
    free(re);
    free(vals);
    return rc;
}

/* BALROG's progression of episode e (balrog/utils.py, the Crafter and
 * BabyAI wrappers): achievements unlocked / their number, or success. */
static double episode_progress(const double *succ, const uint32_t *masks, int e, int nach)
{
    if (!nach) return succ[e];
    uint32_t m = masks[e] & (nach >= 32 ? 0xffffffffu : (1u << nach) - 1u);
    int unlocked = 0;
    for (; m; m &= m - 1) unlocked++;
    return (double)unlocked / nach;
}

/* Its mean, and the population standard deviation over sqrt(n). */
static void balrog_progress(const double *succ, const uint32_t *masks, int E, int nach, ludus_eval_result *out)
{
    double sum = 0, sq = 0;
    for (int e = 0; e < E; e++) sum += episode_progress(succ, masks, e, nach);
    const double mean = sum / E;
    for (int e = 0; e < E; e++) {
        double d = episode_progress(succ, masks, e, nach) - mean;
        sq += d * d;
    }
    out->progress = mean;
    out->progress_se = sqrt(sq / E) / sqrt((double)E);
}

int ludus_eval_run(ludus_agent *agent, const ludus_eval_config *cfg, ludus_eval_result *out)
{
    if (!agent || !cfg || !out) return ludus_err_set(LUDUS_EINVAL, "eval: NULL argument");
    if (cfg->episodes < 1 || cfg->level_count < 1)
        return ludus_err_set(LUDUS_EINVAL, "eval: episodes and level_count must be >= 1");
    memset(out, 0, sizeof *out);
    out->score = (ludus_estimate){NAN, NAN, NAN};
    const char *home = ludus_agent_env_id(agent);
    const char *id = cfg->env_id ? cfg->env_id : home;
    if (!id)
        return ludus_err_set(LUDUS_EINVAL, "eval: agent '%s' has no world of its own; name one (env_id)",
                             ludus_agent_name(agent));
    ludus_env *env = NULL;
    const char *opts = cfg->env_options;
    if (!opts && home && strcmp(id, home) == 0) opts = ludus_agent_env_options(agent);
    int rc = LUDUS_OK;
    if (cfg->train_env_id &&
        (rc = ludus_eval_check_heldout(id, opts, cfg->level_start,
                                       (uint64_t)cfg->episodes < cfg->level_count ? (uint64_t)cfg->episodes : cfg->level_count,
                                       cfg->train_env_id,
                                       cfg->train_env_options, cfg->train_levels)))
        return rc;
    if ((rc = ludus_env_make(id, opts, &env))) return rc;
    const ludus_env_info *info = ludus_env_get_info(env);
    const int nach = info->num_achievements;
    const int E = cfg->episodes;
    double *ret = calloc((size_t)E, sizeof *ret), *succ = calloc((size_t)E, sizeof *succ),
           *len = calloc((size_t)E, sizeof *len);
    uint32_t *masks = calloc((size_t)E, sizeof *masks);
    if (!ret || !succ || !len || !masks) {
        rc = ludus_err_set(LUDUS_ENOMEM, "eval: out of memory");
        goto done;
    }
    eval_sums sums = {ret, succ, len, masks};
    const ludus_play_config pc = {.episodes = E, .worlds = EVAL_WORLDS, .level_start = cfg->level_start,
                                  .level_count = cfg->level_count, .seed = cfg->seed, .greedy = cfg->greedy};
    const ludus_play_hooks hooks = {.user = &sums, .step = eval_step};
    if ((rc = ludus_play_episodes(agent, env, &pc, &hooks))) goto done;
    out->episodes = E;
    out->ret = ludus_bootstrap_mean(ret, E, EVAL_RESAMPLES, cfg->seed ^ 0x1u);
    out->success = ludus_bootstrap_mean(succ, E, EVAL_RESAMPLES, cfg->seed ^ 0x2u);
    out->length = ludus_bootstrap_mean(len, E, EVAL_RESAMPLES, cfg->seed ^ 0x3u);
    if (nach) rc = achievement_estimates(masks, E, nach, EVAL_RESAMPLES, cfg->seed ^ 0x4u, out);
    if (!rc) balrog_progress(succ, masks, E, nach, out);
done:
    ludus_env_destroy(env);
    free(ret); free(succ); free(len); free(masks);
    return rc;
}
