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
#include "learn/agent_internal.h"
#include "ludus/learn.h"

#define EVAL_WORLDS 64
#define EVAL_RESAMPLES 2000

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
    const int B = cfg->episodes < EVAL_WORLDS ? cfg->episodes : EVAL_WORLDS, E = cfg->episodes;
    if ((rc = ludus_agent_bind(agent, env, B))) {
        ludus_env_destroy(env);
        return rc;
    }
    const uint32_t flags = ludus_agent_flags(agent);
    const int want_text = (flags & (LUDUS_AGENT_TEXT | LUDUS_AGENT_TEXT_BALROG)) != 0;
    const ludus_text_mode text_mode = (flags & LUDUS_AGENT_TEXT_BALROG) ? LUDUS_TEXT_BALROG : LUDUS_TEXT_FULL;
    int dims, sizes[LUDUS_AGENT_MAX_ACTION_DIMS];
    ludus_agent_action_space(info, &dims, sizes);
    char *states = calloc((size_t)B, info->state_size);
    uint8_t *obs = malloc((size_t)B * info->obs_size), *starts = malloc((size_t)B);
    int *episode = malloc((size_t)B * sizeof(int));
    uint8_t *active = malloc((size_t)B), *ended = calloc((size_t)B, 1);
    uint8_t *term = calloc((size_t)B, 1), *trunc = calloc((size_t)B, 1);
    double *rewards = calloc((size_t)B, sizeof *rewards);
    int32_t *actions = calloc((size_t)B * dims, sizeof(int32_t));
    uint8_t *amask = info->mask_size ? malloc((size_t)B * info->mask_size) : NULL;
    ludus_rng *rngs = calloc((size_t)B, sizeof *rngs);
    const char **missions = calloc((size_t)B, sizeof *missions), **texts = NULL;
    char *text_buf = NULL;
    double *ret = calloc((size_t)E, sizeof *ret), *succ = calloc((size_t)E, sizeof *succ),
           *len = calloc((size_t)E, sizeof *len);
    uint32_t *masks = calloc((size_t)E, sizeof *masks);
    if (want_text) {
        texts = calloc((size_t)B, sizeof *texts);
        text_buf = malloc((size_t)B * info->text_capacity);
    }
    if (!states || !obs || !starts || !episode || !active || !ended || !term || !trunc || !rewards || !actions ||
        !rngs || !missions || !ret || !succ || !len || !masks || (info->mask_size && !amask) || (want_text && (!texts || !text_buf))) {
        rc = ludus_err_set(LUDUS_ENOMEM, "eval: out of memory");
        goto done;
    }
    int next = 0, running = 0;
    /* Start episode `e` in slot w. */
#define START(w, e)                                                                              \
    do {                                                                                         \
        uint64_t level_ = cfg->level_start + (uint64_t)(e) % cfg->level_count;                   \
        void *st_ = states + (size_t)(w) * info->state_size;                                     \
        if ((rc = ludus_env_reset(env, st_, level_, obs + (size_t)(w) * info->obs_size))) goto done; \
        uint32_t words_[4] = {(uint32_t)cfg->seed, (uint32_t)(cfg->seed >> 32), (uint32_t)(e), 0xe7a1u}; \
        ludus_rng_seed_words(&rngs[w], words_, 4);                                               \
        episode[w] = (e);                                                                        \
        starts[w] = 1;                                                                           \
    } while (0)
    for (int w = 0; w < B; w++) {
        START(w, next);
        next++;
        active[w] = 1;
        running++;
    }
    const ludus_agent_input in = {.n = B, .greedy = cfg->greedy, .obs_size = info->obs_size, .obs = obs,
                                  .missions = missions, .texts = texts, .starts = starts, .rngs = rngs,
                                  .action_dims = dims, .action_sizes = sizes, .action_mask = amask};
    const ludus_agent_feedback fb = {.n = B, .obs_size = info->obs_size, .action_dims = dims, .actions = actions,
                                     .rewards = rewards, .terminated = term, .truncated = trunc,
                                     .next_obs = obs, .stepped = active};
    while (running) {
        /* Every slot acts (finished ones idle at the tail of the run), so
         * the agent's memory rows stay aligned with the slots. */
        for (int w = 0; w < B; w++) {
            const void *st = states + (size_t)w * info->state_size;
            missions[w] = ludus_env_mission(env, st);
            /* an idle slot's action means nothing: every value legal there */
            if (amask && !active[w]) memset(amask + (size_t)w * info->mask_size, 1, (size_t)info->mask_size);
            else if (amask && (rc = ludus_env_action_mask(env, st, amask + (size_t)w * info->mask_size))) goto done;
            if (want_text) {
                char *t = text_buf + (size_t)w * info->text_capacity;
                if ((rc = ludus_env_text(env, st, text_mode, t, info->text_capacity)) < 0) goto done;
                rc = LUDUS_OK;
                texts[w] = t;
            }
        }
        if ((rc = ludus_agent_act(agent, &in, actions))) goto done;
        for (int w = 0; w < B; w++) {
            rewards[w] = 0;
            term[w] = trunc[w] = ended[w] = 0;
            if (!active[w]) continue;
            starts[w] = 0;
            ludus_step_out so;
            void *st = states + (size_t)w * info->state_size;
            if ((rc = ludus_env_step_vec(env, st, actions + (size_t)w * dims, obs + (size_t)w * info->obs_size, &so)))
                goto done;
            int e = episode[w];
            rewards[w] = so.reward;
            term[w] = so.terminated;
            trunc[w] = so.truncated;
            ret[e] += so.reward;
            len[e] += 1;
            masks[e] |= so.achievements;
            if (so.terminated || so.truncated) {
                succ[e] = so.success ? 1.0 : 0.0;
                ended[w] = 1;
            }
        }
        /* the agent sees each step's last observation before any reset */
        if ((rc = ludus_agent_observe(agent, &fb))) goto done;
        for (int w = 0; w < B; w++) {
            if (!ended[w]) continue;
            if (next < E) {
                START(w, next);
                next++;
            } else {
                active[w] = 0;
                running--;
            }
        }
    }
#undef START
    out->episodes = E;
    out->ret = ludus_bootstrap_mean(ret, E, EVAL_RESAMPLES, cfg->seed ^ 0x1u);
    out->success = ludus_bootstrap_mean(succ, E, EVAL_RESAMPLES, cfg->seed ^ 0x2u);
    out->length = ludus_bootstrap_mean(len, E, EVAL_RESAMPLES, cfg->seed ^ 0x3u);
    if (nach) rc = achievement_estimates(masks, E, nach, EVAL_RESAMPLES, cfg->seed ^ 0x4u, out);
done:
    ludus_env_destroy(env);
    free(states); free(obs); free(starts); free(episode); free(active); free(ended); free(term); free(trunc);
    free(rewards); free(actions); free(rngs); free(missions); free(texts); free(text_buf);
    free(ret); free(succ); free(len); free(masks); free(amask);
    return rc;
}
