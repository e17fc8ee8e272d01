/* ppo_learner.c: PPO behind the learner table (learner.h), the registry's
 * first row. A thin wrapper: the run's keys and PPO's are joined into a
 * ludus_ppo_config, and each update's ludus_ppo_metrics becomes a row of
 * the columns named here (with one per achievement for worlds that have
 * them). The algorithm stays in ppo.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "learn/ppo_internal.h"

/* The columns every PPO run writes, in metrics.csv's order. */
static const ludus_metric_column base_cols[] = {
    {"episodes", 1},   {"return", 0},   {"success", 0},    {"length", 0},    {"policy_loss", 0},
    {"value_loss", 0}, {"entropy", 0},  {"approx_kl", 0},  {"clip_frac", 0}, {"grad_norm", 0},
    {"lr", 0},         {"steps_per_s", 0}, {"cpu_s", 0},   {"rollout_s", 0}, {"learn_s", 0},
};
#define NUM_BASE ((int)(sizeof base_cols / sizeof base_cols[0]))

/* The columns of a run with a curriculum (curriculum.h's diagnostics). */
static const ludus_metric_column cur_cols[] = {
    {"cur_trained", 1},        {"cur_batch_kind", 1},  {"cur_replay_fraction", 0}, {"cur_levels_seen", 1},
    {"cur_buffer_fill", 1},    {"cur_score_mean", 0},  {"cur_score_max", 0},       {"cur_replay_entropy", 0},
    {"cur_lineage_mean", 0},   {"cur_lineage_max", 0}, {"cur_gmm_k", 1},
};
#define NUM_CUR ((int)(sizeof cur_cols / sizeof cur_cols[0]))

typedef struct ppo_learner {
    ludus_ppo *ppo;
    int ncols;
    ludus_metric_column cols[NUM_BASE + 1 + LUDUS_PPO_MAX_ACHIEVEMENTS + NUM_CUR];
    int ach_end;       /* columns before the curriculum's */
    double recent;     /* the mean return of the last update with episodes */
} ppo_learner;

static int create(const void *cfg, const ludus_run_config *run, void **self)
{
    ludus_ppo_config c = *(const ludus_ppo_config *)cfg;
    ludus_ppo_config_join(&c, run);
    ppo_learner *l = calloc(1, sizeof *l);
    if (!l) return ludus_err_set(LUDUS_ENOMEM, "ppo: out of memory");
    int rc = ludus_ppo_create(&c, &l->ppo);
    if (rc) {
        free(l);
        return rc;
    }
    memcpy(l->cols, base_cols, sizeof base_cols);
    l->ncols = NUM_BASE;
    const ludus_env_info *info = ludus_ppo_env_info(l->ppo);
    if (info->num_achievements > 0) {
        l->cols[l->ncols++] = (ludus_metric_column){"score", 0};
        for (int i = 0; i < info->num_achievements && i < LUDUS_PPO_MAX_ACHIEVEMENTS; i++)
            l->cols[l->ncols++] = (ludus_metric_column){info->achievement_names[i], 1};
    }
    l->ach_end = l->ncols;
    if (c.curriculum[0]) {
        memcpy(l->cols + l->ncols, cur_cols, sizeof cur_cols);
        l->ncols += NUM_CUR;
    }
    l->recent = NAN;
    *self = l;
    return LUDUS_OK;
}

static void destroy(void *self)
{
    ppo_learner *l = self;
    if (!l) return;
    ludus_ppo_destroy(l->ppo);
    free(l);
}

static int columns(const void *self, const ludus_metric_column **cols)
{
    const ppo_learner *l = self;
    *cols = l->cols;
    return l->ncols;
}

static int update(void *self, double *row)
{
    ppo_learner *l = self;
    ludus_ppo_metrics m;
    int rc = ludus_ppo_update(l->ppo, &m);
    if (rc) return rc;
    if (m.episodes) l->recent = m.ret;
    const double base[NUM_BASE] = {(double)m.episodes, m.ret, m.success, m.length, m.policy_loss,
                                   m.value_loss, m.entropy, m.approx_kl, m.clip_frac, m.grad_norm,
                                   m.lr, m.sps, m.cpu, m.rollout_s, m.learn_s};
    memcpy(row, base, sizeof base);
    int k = NUM_BASE;
    if (l->ach_end > NUM_BASE) {
        row[k++] = m.score;
        for (int i = 0; k < l->ach_end; i++) row[k++] = m.achievements[i];
    }
    if (l->ncols > l->ach_end) {
        const ludus_curriculum_stats *s = &m.curriculum;
        const double cur[NUM_CUR] = {m.trained, s->batch_kind, s->replay_fraction, (double)s->levels_seen,
                                     s->buffer_fill, s->score_mean, s->score_max, s->replay_entropy,
                                     s->lineage_mean, s->lineage_max, s->gmm_k};
        memcpy(row + k, cur, sizeof cur);
    }
    return LUDUS_OK;
}

static uint64_t steps(const void *self)
{
    return ludus_ppo_steps(((const ppo_learner *)self)->ppo);
}

static int save(const void *self, const char *checkpoint, const char *state, const char *const *meta)
{
    const ppo_learner *l = self;
    int rc = ludus_ppo_save_meta(l->ppo, checkpoint, meta);
    return rc ? rc : ludus_ppo_save_state_meta(l->ppo, state, meta);
}

static int load(void *self, const char *checkpoint, const char *state)
{
    return ludus_ppo_load(((ppo_learner *)self)->ppo, checkpoint, state);
}

/* PPO's agent is its policy as the checkpoint holds it (agent.h's
 * ludus_agent_load), the same one `ludus eval` and `ludus play` read. */
static int agent(void *self, const char *checkpoint, ludus_agent **out)
{
    (void)self;
    return ludus_agent_load(checkpoint, NULL, 1, out);
}

static double recent_return(const void *self)
{
    return ((const ppo_learner *)self)->recent;
}

const ludus_learner_ops ludus_ppo_learner = {
    .name = "ppo",
    .description = "proximal policy optimisation with an actor-critic network (docs/learning.md)",
    .config_size = sizeof(ludus_ppo_config),
    .keys = ludus_ppo_keys,
    .config_default = ludus_ppo_config_defaults,
    .config_check = ludus_ppo_config_check_learner,
    .create = create,
    .destroy = destroy,
    .columns = columns,
    .update = update,
    .steps = steps,
    .save = save,
    .load = load,
    .agent = agent,
    .recent_return = recent_return,
};
