/* curriculum.c: curricula as level samplers (curriculum.h). One table row
 * per curriculum (its name, defaults and the functions that differ: how a
 * reset draws a level, how a batch begins, what a committed score does);
 * the buffer of levels, the replay distribution (rank or power
 * prioritization mixed with staleness), admission by score and the
 * bookkeeping of episodes are shared. ALP-GMM's model is in
 * curriculum_gmm.c. The facts are ../shared/spec/curricula.md's.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "learn/curriculum_internal.h"

/* ---- the knobs ---------------------------------------------------------- */

#define O(f) offsetof(ludus_curriculum_config, f)
const ludus_key ludus_cur_keys[] = {
    {"score", LUDUS_KEY_STR, O(score), 0, 24, NULL,
     "value_l1, positive_value_loss, maxmc, policy_entropy, least_confidence, min_margin (\"\": default)"},
    {"prioritization", LUDUS_KEY_STR, O(prioritization), 0, 8, NULL, "rank or power (\"\": default)"},
    {"temperature", LUDUS_KEY_FLOAT, O(temperature), -1, 100, NULL, "beta of the score transform (-1: default)"},
    {"staleness_coef", LUDUS_KEY_FLOAT, O(staleness_coef), -1, 1, NULL, "weight of staleness in P_replay (-1: default)"},
    {"score_alpha", LUDUS_KEY_FLOAT, O(score_alpha), -1, 1, NULL, "EMA weight of a new score, 1 replaces (-1: default)"},
    {"schedule", LUDUS_KEY_STR, O(schedule), 0, 16, NULL, "replay schedule: proportionate or fixed (\"\": default)"},
    {"replay_prob", LUDUS_KEY_FLOAT, O(replay_prob), -1, 1, NULL, "P(replay) of the fixed schedule (-1: default)"},
    {"rho", LUDUS_KEY_FLOAT, O(rho), -1, 1, NULL, "fraction of the buffer seen before any replay (-1: default)"},
    {"buffer_size", LUDUS_KEY_INT, O(buffer_size), -1, 1 << 20, NULL, "levels kept (-1: default)"},
    {"no_exploratory_grad", LUDUS_KEY_INT, O(no_exploratory_grad), -1, 1, NULL,
     "1: no gradient update on batches of new levels (-1: default)"},
    {"num_edits", LUDUS_KEY_INT, O(num_edits), -1, 1000, NULL, "ACCEL: edits per child level (-1: default)"},
    {"editor_prob", LUDUS_KEY_FLOAT, O(editor_prob), -1, 1, NULL, "ACCEL: P(edit batch) after a replay (-1: default)"},
    {"alp_option", LUDUS_KEY_STR, O(alp_option), 0, 32, NULL, "ALP-GMM: the numeric world option it samples"},
    {"alp_lo", LUDUS_KEY_FLOAT, O(alp_lo), -1, 1e6, NULL, "ALP-GMM: the option's lowest value (-1: 0)"},
    {"alp_hi", LUDUS_KEY_FLOAT, O(alp_hi), -1, 1e6, NULL, "ALP-GMM: the option's highest value (-1: 60)"},
    {"alp_fit_rate", LUDUS_KEY_INT, O(alp_fit_rate), -1, 1 << 20, NULL, "ALP-GMM: episodes between fits (-1: 250)"},
    {"alp_max_k", LUDUS_KEY_INT, O(alp_max_k), -1, CUR_GMM_MAX_K, NULL, "ALP-GMM: fits try k = 2..this (-1: 10)"},
    {"alp_random_prob", LUDUS_KEY_FLOAT, O(alp_random_prob), -1, 1, NULL, "ALP-GMM: P(uniform draw) (-1: 0.2)"},
    {"reward_lo", LUDUS_KEY_FLOAT, O(reward_lo), -1e6, 1e6, NULL, "ALP-GMM: return mapped to 0"},
    {"reward_hi", LUDUS_KEY_FLOAT, O(reward_hi), -1e6, 1e6, NULL, "ALP-GMM: return mapped to 1"},
    {"sequential_start", LUDUS_KEY_INT, O(sequential_start), -1, 1, NULL,
     "PLR: 1: each world's first episode takes the next level in order (-1: default, 1)"},
    {"accel_start", LUDUS_KEY_STR, O(accel_start), 0, 8, NULL,
     "ACCEL: new levels from the world's easy options (easy) or its generator (dr) (\"\": default, easy)"},
    {"accel_base", LUDUS_KEY_STR, O(accel_base), 0, 8, NULL,
     "ACCEL: edit the levels just replayed (batch) or dcd's easy ones among them (easy) (\"\": default, batch)"},
    {"alp_space", LUDUS_KEY_STR, O(alp_space), 0, 128, NULL,
     "ALP-GMM: \"name=lo:hi,...\", 1..4 numeric world options (instead of alp_option, alp_lo, alp_hi)"},
    {NULL, 0, 0, 0, 0, NULL, NULL},
};
#undef O

const ludus_key *ludus_curriculum_keys(void) { return ludus_cur_keys; }

void ludus_curriculum_config_default(ludus_curriculum_config *c)
{
    if (!c) return;
    memset(c, 0, sizeof *c);
    c->temperature = c->staleness_coef = c->score_alpha = c->replay_prob = c->rho = -1;
    c->buffer_size = c->no_exploratory_grad = c->num_edits = -1;
    c->editor_prob = c->alp_lo = c->alp_hi = c->alp_random_prob = -1;
    c->alp_fit_rate = c->alp_max_k = -1;
    c->sequential_start = -1;
    c->reward_lo = 0;
    c->reward_hi = 1;
}

/* The spec's defaults per curriculum (resolved over the -1s and ""s). */
static void common_defaults(ludus_curriculum_config *d)
{
    ludus_curriculum_config_default(d);
    snprintf(d->score, sizeof d->score, "value_l1");
    snprintf(d->prioritization, sizeof d->prioritization, "rank");
    snprintf(d->schedule, sizeof d->schedule, "proportionate");
    d->temperature = 0.1f;
    d->staleness_coef = 0.1f;
    d->score_alpha = 1.0f;
    d->replay_prob = 0.5f;
    d->rho = 1.0f;
    d->buffer_size = 4000;
    d->no_exploratory_grad = 0;
    d->num_edits = 5;
    d->editor_prob = 1.0f;
    d->alp_lo = 0;
    d->alp_hi = 60;
    d->alp_fit_rate = 250;
    d->alp_max_k = 10;
    d->alp_random_prob = 0.2f;
    d->sequential_start = 0;
    snprintf(d->accel_start, sizeof d->accel_start, "dr");
    snprintf(d->accel_base, sizeof d->accel_base, "batch");
}

/* level-replay's Procgen command: value_l1, rank, beta 0.1, staleness 0.1,
 * proportionate with rho 1 (sweep the set first) */
static void plr_defaults(ludus_curriculum_config *d)
{
    common_defaults(d);
    d->sequential_start = 1; /* level-replay: each actor's first reset is sequential */
}

/* dcd's maze config for Robust PLR: MaxMC, rank beta 0.1, staleness 0.3,
 * replay prob 0.5, rho 0.5, 4000 slots, no exploratory gradient */
static void robust_defaults(ludus_curriculum_config *d)
{
    common_defaults(d);
    snprintf(d->score, sizeof d->score, "maxmc");
    snprintf(d->schedule, sizeof d->schedule, "fixed");
    d->staleness_coef = 0.3f;
    d->rho = 0.5f;
    d->no_exploratory_grad = 1;
}

/* dcd's maze config for ACCEL: positive value loss, rank beta 0.3, replay
 * prob 0.8, 4000 slots, 5 edits, editor prob 1 */
static void accel_defaults(ludus_curriculum_config *d)
{
    robust_defaults(d);
    snprintf(d->score, sizeof d->score, "positive_value_loss");
    d->temperature = 0.3f;
    d->replay_prob = 0.8f;
    snprintf(d->accel_start, sizeof d->accel_start, "easy"); /* minimax: from empty mazes */
}

static void plain_defaults(ludus_curriculum_config *d) { common_defaults(d); }

/* ---- the table ---------------------------------------------------------- */

static int uniform_next(ludus_curriculum *c, int world, cur_rec *r);
static int plr_next(ludus_curriculum *c, int world, cur_rec *r);
static int alp_next(ludus_curriculum *c, int world, cur_rec *r);
static void plr_commit(ludus_curriculum *c, cur_rec *r, const ludus_curriculum_segment *s);
static void alp_commit(ludus_curriculum *c, cur_rec *r, const ludus_curriculum_segment *s);
static int batch_begin(ludus_curriculum *c);

static const cur_ops rows[] = {
    {"uniform", "domain randomization: every level drawn from the world's generator", plain_defaults, 0, 0,
     uniform_next, NULL, NULL},
    {"plr", "Prioritized Level Replay (Jiang et al. 2021): replay levels by score and staleness", plr_defaults, 0, 0,
     plr_next, NULL, plr_commit},
    {"robust-plr", "Robust PLR (Jiang et al. 2021): train only on replayed levels, admit new ones by score",
     robust_defaults, 1, 0, NULL, batch_begin, plr_commit},
    {"accel", "ACCEL (Parker-Holder et al. 2022): Robust PLR plus edits of replayed levels", accel_defaults, 1, 1,
     NULL, batch_begin, plr_commit},
    {"alp-gmm", "ALP-GMM (Portelas et al. 2019): sample a world option where learning progress is high",
     plain_defaults, 0, 1, alp_next, NULL, alp_commit},
};
#define NUM_ROWS ((int)(sizeof rows / sizeof rows[0]))

const char *const *ludus_curriculum_names(void)
{
    static const char *const names[] = {"uniform", "plr", "robust-plr", "accel", "alp-gmm", NULL};
    return names;
}

static const cur_ops *find_row(const char *name)
{
    for (int i = 0; name && i < NUM_ROWS; i++)
        if (strcmp(rows[i].name, name) == 0) return &rows[i];
    return NULL;
}

/* "; did you mean 'x'?" for the nearest of words (NULL-ended), or "". */
static void nearest(const char *w, const char *const *words, char *buf, size_t cap)
{
    const char *best = NULL;
    int bd = 1 << 30;
    for (int i = 0; words[i]; i++) {
        int d = ludus_str_edit_distance(w, words[i], 1000);
        if (strstr(words[i], w) && *w) d /= 2;
        if (d < bd) bd = d, best = words[i];
    }
    if (best && bd <= 4) snprintf(buf, cap, "; did you mean '%s'?", best);
    else buf[0] = 0;
}

static void word_list(const char *const *words, char *buf, size_t cap)
{
    strbuf sb = sb_make(buf, cap);
    for (int i = 0; words[i]; i++) ludus_sb_printf(&sb, "%s%s", i ? ", " : "", words[i]);
}

int ludus_curriculum_check_name(const char *name)
{
    if (!name) return ludus_err_set(LUDUS_EINVAL, "curriculum: no name");
    if (find_row(name)) return LUDUS_OK;
    char hint[64], all[128];
    nearest(name, ludus_curriculum_names(), hint, sizeof hint);
    word_list(ludus_curriculum_names(), all, sizeof all);
    return ludus_err_set(LUDUS_ENOTFOUND, "unknown curriculum '%s'%s (known: %s)", name, hint, all);
}

static const char *const score_names[] = {"value_l1", "positive_value_loss", "maxmc", "policy_entropy",
                                          "least_confidence", "min_margin", NULL};
static const char *const prio_names[] = {"rank", "power", NULL};
static const char *const schedule_names[] = {"proportionate", "fixed", NULL};
static const char *const start_names[] = {"easy", "dr", NULL};
static const char *const base_names[] = {"batch", "easy", NULL};

static int check_word(const char *key, const char *v, const char *const *words)
{
    for (int i = 0; words[i]; i++)
        if (strcmp(words[i], v) == 0) return LUDUS_OK;
    char hint[64], all[160];
    nearest(v, words, hint, sizeof hint);
    word_list(words, all, sizeof all);
    return ludus_err_set(LUDUS_EINVAL, "curriculum: %s '%s' is unknown%s (known: %s)", key, v, hint, all);
}

int ludus_curriculum_resolve(const char *name, const ludus_curriculum_config *cfg, ludus_curriculum_config *out)
{
    if (!cfg || !out) return ludus_err_set(LUDUS_EINVAL, "curriculum: NULL argument");
    int rc = ludus_curriculum_check_name(name);
    if (rc) return rc;
    if ((rc = ludus_keys_check(ludus_cur_keys, cfg))) return ludus_err_wrap(rc, "curriculum");
    const cur_ops *row = find_row(name);
    ludus_curriculum_config d, c = *cfg;
    row->defaults(&d);
#define STR_DEF(f) \
    if (!c.f[0]) memcpy(c.f, d.f, sizeof c.f)
#define NUM_DEF(f) \
    if (c.f == -1) c.f = d.f
    STR_DEF(score);
    STR_DEF(prioritization);
    STR_DEF(schedule);
    STR_DEF(accel_start);
    STR_DEF(accel_base);
    NUM_DEF(sequential_start);
    NUM_DEF(temperature);
    NUM_DEF(staleness_coef);
    NUM_DEF(score_alpha);
    NUM_DEF(replay_prob);
    NUM_DEF(rho);
    NUM_DEF(buffer_size);
    NUM_DEF(no_exploratory_grad);
    NUM_DEF(num_edits);
    NUM_DEF(editor_prob);
    NUM_DEF(alp_lo);
    NUM_DEF(alp_hi);
    NUM_DEF(alp_fit_rate);
    NUM_DEF(alp_max_k);
    NUM_DEF(alp_random_prob);
#undef STR_DEF
#undef NUM_DEF
    if ((rc = check_word("score", c.score, score_names)) || (rc = check_word("prioritization", c.prioritization, prio_names)) ||
        (rc = check_word("schedule", c.schedule, schedule_names)) ||
        (rc = check_word("accel_start", c.accel_start, start_names)) ||
        (rc = check_word("accel_base", c.accel_base, base_names)))
        return rc;
    if (strcmp(c.accel_base, "easy") == 0 && strcmp(name, "accel") != 0)
        return ludus_err_set(LUDUS_EINVAL, "curriculum: accel_base applies to accel, not %s", name);
    if (c.sequential_start == 1 && !find_row(name)->run_next)
        return ludus_err_set(LUDUS_EINVAL, "curriculum: sequential_start applies to plr (per-reset replay), not %s",
                             name);
    if (strcmp(c.accel_start, "easy") == 0 && strcmp(name, "accel") != 0 && cfg->accel_start[0])
        return ludus_err_set(LUDUS_EINVAL, "curriculum: accel_start applies to accel, not %s", name);
    if (!(c.temperature > 0))
        return ludus_err_set(LUDUS_EINVAL, "curriculum: temperature must be > 0, got %g", (double)c.temperature);
    if (c.score_alpha <= 0)
        return ludus_err_set(LUDUS_EINVAL, "curriculum: score_alpha must be in (0, 1], got %g", (double)c.score_alpha);
    if (c.buffer_size < 1)
        return ludus_err_set(LUDUS_EINVAL, "curriculum: buffer_size must be >= 1, got %d", c.buffer_size);
    if (c.alp_fit_rate < 2 && c.alp_fit_rate != -1 && strcmp(name, "alp-gmm") == 0)
        return ludus_err_set(LUDUS_EINVAL, "curriculum: alp_fit_rate must be >= 2, got %d", c.alp_fit_rate);
    if (c.alp_max_k < 2)
        return ludus_err_set(LUDUS_EINVAL, "curriculum: alp_max_k must be in [2, %d], got %d", CUR_GMM_MAX_K, c.alp_max_k);
    if (!(c.alp_hi > c.alp_lo))
        return ludus_err_set(LUDUS_EINVAL, "curriculum: alp_hi (%g) must be above alp_lo (%g)", (double)c.alp_hi,
                             (double)c.alp_lo);
    if (c.alp_hi - c.alp_lo > 100000)
        return ludus_err_set(LUDUS_EINVAL, "curriculum: the ALP-GMM box [%g, %g] spans more than 100000 values",
                             (double)c.alp_lo, (double)c.alp_hi);
    if (!(c.reward_hi > c.reward_lo))
        return ludus_err_set(LUDUS_EINVAL, "curriculum: reward_hi (%g) must be above reward_lo (%g)",
                             (double)c.reward_hi, (double)c.reward_lo);
    if (strcmp(name, "alp-gmm") == 0 && !c.alp_option[0] && !c.alp_space[0])
        return ludus_err_set(LUDUS_EINVAL, "curriculum: alp-gmm needs alp_option, the numeric world option it samples "
                                           "(e.g. \"walls\" for Maze-v0), or alp_space (\"walls=0:60,goal_dist=1:20\")");
    if (c.alp_space[0]) {
        ludus_cur_alp_space sp;
        if (c.alp_option[0] || cfg->alp_lo != -1 || cfg->alp_hi != -1)
            return ludus_err_set(LUDUS_EINVAL, "curriculum: give alp_space or alp_option/alp_lo/alp_hi, not both");
        if ((rc = ludus_cur_alp_parse(&c, &sp))) return rc;
    }
    *out = c;
    return LUDUS_OK;
}

/* ---- scores ------------------------------------------------------------- */

double ludus_curriculum_score(const char *score, const ludus_curriculum_segment *s, double max_return)
{
    if (!score || !s) return NAN;
    if (strcmp(score, "value_l1") == 0) return s->abs_adv;
    if (strcmp(score, "positive_value_loss") == 0) return s->pos_adv;
    if (strcmp(score, "maxmc") == 0) return max_return - s->value;
    if (strcmp(score, "policy_entropy") == 0) return s->entropy;
    if (strcmp(score, "least_confidence") == 0) return s->least_conf;
    if (strcmp(score, "min_margin") == 0) return 1.0 - s->margin;
    return NAN;
}

/* ---- creation ----------------------------------------------------------- */

/* ACCEL's accel_start "easy": the run's world made with its options and
 * then the world's easy options (ludus_env_info.easy_options), whose
 * generator draws the new levels. A world without easy options: an error
 * when the knob was given, the run's own generator ("dr") when it was the
 * default. */
static int make_start_env(ludus_curriculum *c, int explicit_knob)
{
    const ludus_env_info *info = ludus_env_get_info(c->env);
    if (!info->easy_options || !info->easy_options[0]) {
        if (explicit_knob)
            return ludus_err_set(LUDUS_EUNSUPPORTED,
                                 "curriculum accel: accel_start 'easy' needs the world's easy-level options, and %s "
                                 "declares none (ludus_env_info.easy_options); use accel_start 'dr'", info->id);
        snprintf(c->cfg.accel_start, sizeof c->cfg.accel_start, "dr");
        return LUDUS_OK;
    }
    char opts[600];
    snprintf(opts, sizeof opts, "%s%s%s", c->options, c->options[0] ? "," : "", info->easy_options);
    int rc = ludus_env_make(info->id, opts, &c->start_env);
    if (rc) return ludus_err_wrap(rc, "curriculum accel: the easy levels of %s (options %s)", info->id, opts);
    if (ludus_env_level_size(c->start_env) != c->LS)
        return ludus_err_set(LUDUS_EINVAL, "curriculum accel: %s with %s has levels of another size than the run's",
                             info->id, opts);
    return LUDUS_OK;
}

int ludus_curriculum_create(const char *name, const ludus_curriculum_config *cfg, const ludus_env *env,
                            const char *options, int num_worlds, uint64_t level_start, uint64_t level_count,
                            uint64_t seed, ludus_curriculum **out)
{
    if (!out) return ludus_err_set(LUDUS_EINVAL, "curriculum: out is NULL");
    *out = NULL;
    if (!cfg || !env) return ludus_err_set(LUDUS_EINVAL, "curriculum: NULL argument");
    if (num_worlds < 1 || num_worlds > (1 << 24))
        return ludus_err_set(LUDUS_EINVAL, "curriculum: num_worlds must be in [1, 16777216], got %d", num_worlds);
    ludus_curriculum_config rc_cfg;
    int rc = ludus_curriculum_resolve(name, cfg, &rc_cfg);
    if (rc) return rc;
    const cur_ops *row = find_row(name);
    const ludus_env_info *info = ludus_env_get_info(env);
    size_t ls = ludus_env_level_size(env);
    if (row->run_next == alp_next) { /* the options first: their errors say more */
        ludus_cur_alp_space sp;
        if ((rc = ludus_cur_alp_parse(&rc_cfg, &sp)) || (rc = ludus_cur_alp_check_space(info, &sp))) return rc;
    }
    if (row->needs_blocks && ls == 0)
        return ludus_err_set(LUDUS_EUNSUPPORTED,
                             "curriculum %s needs levels as blocks, and %s has none (ludus_env_level_size is 0); "
                             "use plr or robust-plr, which replay seeds", name, info->id);
    ludus_curriculum *c = calloc(1, sizeof *c);
    if (!c) return ludus_err_set(LUDUS_ENOMEM, "curriculum: out of memory");
    c->ops = row;
    c->cfg = rc_cfg;
    c->env = env;
    c->N = num_worlds;
    c->LS = ls;
    c->level_start = level_start;
    c->level_count = level_count;
    c->blocks = row->needs_blocks;
    snprintf(c->options, sizeof c->options, "%s", options ? options : "");
    uint32_t w[4] = {(uint32_t)seed, (uint32_t)(seed >> 32), 0xc0bbu, 0x12u};
    ludus_rng_seed_words(&c->rng, w, 4);
    /* the buffer: a finite seed set no larger than buffer_size is the
     * buffer itself, slot i seed level_start + i (level-replay's setting);
     * otherwise buffer_size slots filled by admission */
    c->finite = row->run_next == plr_next && level_count > 0 && level_count <= (uint64_t)rc_cfg.buffer_size;
    c->cap = c->finite ? (int)level_count : rc_cfg.buffer_size;
    c->slots = calloc((size_t)c->cap, sizeof *c->slots);
    c->slot_blocks = calloc((size_t)c->cap, ls ? ls : 1);
    c->queues = calloc((size_t)c->N, sizeof *c->queues);
    c->batch_slot = malloc((size_t)c->N * sizeof *c->batch_slot);
    c->order = malloc((size_t)c->cap * sizeof *c->order);
    c->weights = malloc((size_t)c->cap * sizeof *c->weights);
    c->sorted = malloc((size_t)c->cap * sizeof(cur_scored));
    c->scratch = ludus_env_state_new(env);
    c->started = calloc((size_t)c->N, 1);
    c->wstat = calloc((size_t)c->N * 4, sizeof *c->wstat);
    if (!c->slots || !c->slot_blocks || !c->queues || !c->batch_slot || !c->order || !c->weights || !c->sorted ||
        !c->scratch || !c->started || !c->wstat) {
        rc = ludus_err_set(LUDUS_ENOMEM, "curriculum: out of memory for %d levels", c->cap);
        goto fail;
    }
    for (int i = 0; i < c->cap; i++) c->slots[i].parent = -1;
    for (int i = 0; i < c->N; i++) c->batch_slot[i] = -1;
    if (c->finite) {
        for (int i = 0; i < c->cap; i++) {
            c->slots[i].seed = level_start + (uint64_t)i;
            c->slots[i].used = 1;
        }
        c->fill = c->cap;
    }
    if (row->run_next == alp_next && (rc = ludus_cur_alp_init(c))) goto fail;
    if (row->needs_blocks && row->batch && strcmp(c->cfg.accel_start, "easy") == 0 &&
        (rc = make_start_env(c, cfg->accel_start[0] != 0)))
        goto fail;
    *out = c;
    return LUDUS_OK;
fail:
    ludus_curriculum_destroy(c);
    return rc;
}

void ludus_curriculum_destroy(ludus_curriculum *c)
{
    if (!c) return;
    for (int i = 0; i < c->N && c->queues; i++) free(c->queues[i].idx);
    free(c->queues);
    free(c->recs);
    free(c->rec_blocks);
    free(c->slots);
    free(c->slot_blocks);
    free(c->batch_slot);
    free(c->order);
    free(c->weights);
    free(c->sorted);
    ludus_free(c->scratch);
    ludus_cur_alp_free(c);
    free(c->started);
    free(c->wstat);
    ludus_env_destroy(c->start_env);
    free(c);
}

const char *ludus_curriculum_name(const ludus_curriculum *c) { return c ? c->ops->name : ""; }
const ludus_curriculum_config *ludus_curriculum_config_of(const ludus_curriculum *c) { return c ? &c->cfg : NULL; }
int ludus_curriculum_batch_resets(const ludus_curriculum *c) { return c ? c->ops->batch : 0; }
int ludus_curriculum_buffer_size(const ludus_curriculum *c) { return c ? c->cap : 0; }

/* ---- records: the levels of episodes begun ------------------------------- */

static int new_rec(ludus_curriculum *c)
{
    if (c->nrecs == c->rec_cap) {
        int cap = c->rec_cap ? 2 * c->rec_cap : 64;
        cur_rec *r = realloc(c->recs, (size_t)cap * sizeof *r);
        if (!r) return ludus_err_set(LUDUS_ENOMEM, "curriculum: out of memory");
        c->recs = r;
        uint8_t *b = realloc(c->rec_blocks, (size_t)cap * (c->LS ? c->LS : 1));
        if (!b) return ludus_err_set(LUDUS_ENOMEM, "curriculum: out of memory");
        c->rec_blocks = b;
        c->rec_cap = cap;
    }
    cur_rec *r = &c->recs[c->nrecs];
    memset(r, 0, sizeof *r);
    memset(ludus_cur_rec_block(c, c->nrecs), 0, c->LS ? c->LS : 1);
    r->slot = -1;
    r->parent = -1;
    r->score = NAN;
    r->max_return = -INFINITY;
    return c->nrecs++;
}

uint8_t *ludus_cur_rec_block(ludus_curriculum *c, int i) { return c->rec_blocks + (size_t)i * (c->LS ? c->LS : 1); }
static uint8_t *slot_block(const ludus_curriculum *c, int i)
{
    return c->slot_blocks + (size_t)i * (c->LS ? c->LS : 1);
}

static int push(ludus_curriculum *c, int world, int rec)
{
    cur_queue *q = &c->queues[world];
    if (q->len == q->cap) {
        int cap = q->cap ? 2 * q->cap : 8;
        int *p = realloc(q->idx, (size_t)cap * sizeof *p);
        if (!p) return ludus_err_set(LUDUS_ENOMEM, "curriculum: out of memory");
        q->idx = p;
        q->cap = cap;
    }
    q->idx[q->len++] = rec;
    return LUDUS_OK;
}

/* A fresh level from the world's generator into record r: a seed, and for
 * curricula that keep blocks the block of the level that seed generates. */
int ludus_cur_generate(ludus_curriculum *c, const ludus_env *env, int r)
{
    uint64_t s;
    if (c->level_count == 0) s = ludus_rng_next64(&c->rng);
    else if (c->level_count <= (uint64_t)INT64_MAX)
        s = c->level_start + (uint64_t)ludus_rng_integers(&c->rng, 0, (int64_t)c->level_count);
    else s = c->level_start + ludus_rng_next64(&c->rng) % c->level_count;
    c->recs[r].seed = s;
    c->recs[r].born = ++c->clock;
    if (!c->blocks) return LUDUS_OK;
    int rc = ludus_env_reset(env, c->scratch, s, NULL);
    if (!rc) rc = ludus_env_level_of(env, c->scratch, ludus_cur_rec_block(c, r), c->LS);
    if (rc) return ludus_err_wrap(rc, "curriculum: generating a level from seed %llu", (unsigned long long)s);
    c->recs[r].has_block = 1;
    return LUDUS_OK;
}

/* Record r replays slot i (staleness: every sample ages all levels by one
 * and makes the chosen one fresh). */
static void replay_into(ludus_curriculum *c, int r, int i)
{
    cur_rec *rec = &c->recs[r];
    const cur_slot *s = &c->slots[i];
    rec->slot = i;
    rec->gen = s->gen;
    rec->seed = s->seed;
    rec->has_block = s->has_block;
    if (s->has_block) memcpy(ludus_cur_rec_block(c, r), slot_block(c, i), c->LS);
    rec->replayed = 1;
    rec->parent = s->parent;
    rec->depth = s->depth;
    c->slots[i].last_sampled = ++c->clock;
}

/* ---- the replay distribution -------------------------------------------- */

/* (score, slot) pairs sorted by score, descending, ties by lower slot:
 * no shared context, so curricula on distinct threads sort at once. */
static int by_score_desc(const void *a, const void *b)
{
    const cur_scored *x = a, *y = b;
    if (x->score > y->score) return -1;
    if (x->score < y->score) return 1;
    return x->slot < y->slot ? -1 : x->slot > y->slot;
}

/* P_replay into c->weights (cap entries); returns the number of seen
 * slots (0: nothing to replay). */
int ludus_cur_replay_weights(const ludus_curriculum *cc, double *p)
{
    ludus_curriculum *c = (ludus_curriculum *)cc;
    int n = 0;
    for (int i = 0; i < c->cap; i++) {
        p[i] = 0;
        if (c->slots[i].used && c->slots[i].seen) c->order[n++] = i;
    }
    if (!n) return 0;
    const double beta = c->cfg.temperature, rho = c->cfg.staleness_coef;
    double sum = 0;
    if (strcmp(c->cfg.prioritization, "rank") == 0) {
        cur_scored *sc = c->sorted;
        for (int k = 0; k < n; k++) sc[k] = (cur_scored){c->slots[c->order[k]].score, c->order[k]};
        qsort(sc, (size_t)n, sizeof *sc, by_score_desc);
        for (int k = 0; k < n; k++) sum += p[sc[k].slot] = pow((double)(k + 1), -1.0 / beta);
    } else {
        const double eps = rho > 0 ? 0.0 : 1e-3;
        for (int k = 0; k < n; k++) {
            double s = c->slots[c->order[k]].score;
            sum += p[c->order[k]] = pow((s > 0 ? s : 0) + eps, 1.0 / beta);
        }
    }
    for (int k = 0; k < n; k++) p[c->order[k]] = sum > 0 ? p[c->order[k]] / sum : 1.0 / n;
    if (rho > 0) {
        double ssum = 0;
        for (int k = 0; k < n; k++) ssum += (double)(c->clock - c->slots[c->order[k]].last_sampled);
        for (int k = 0; k < n; k++) {
            int i = c->order[k];
            double pc = ssum > 0 ? (double)(c->clock - c->slots[i].last_sampled) / ssum : 1.0 / n;
            p[i] = (1 - rho) * p[i] + rho * pc;
        }
    }
    return n;
}

int ludus_curriculum_replay_dist(const ludus_curriculum *c, double *p, int n)
{
    if (!c || !p || n < c->cap) return 0;
    ludus_cur_replay_weights(c, p);
    return c->cap;
}

/* Draw a slot from P_replay (inverse CDF over slot order). */
static int sample_replay(ludus_curriculum *c)
{
    ludus_cur_replay_weights(c, c->weights);
    double u = ludus_rng_random(&c->rng), acc = 0;
    int last = -1;
    for (int i = 0; i < c->cap; i++) {
        if (c->weights[i] <= 0) continue;
        acc += c->weights[i];
        last = i;
        if (u < acc) return i;
    }
    return last;
}

static int seen_count(const ludus_curriculum *c)
{
    int n = 0;
    for (int i = 0; i < c->cap; i++) n += c->slots[i].used && c->slots[i].seen;
    return n;
}

/* The replay decision of the schedule: proportionate replays with
 * probability p_seen once p_seen >= rho; fixed with replay_prob (always
 * when every level of a finite set was seen). */
static int decide_replay(ludus_curriculum *c)
{
    int seen = seen_count(c);
    double p_seen = (double)seen / c->cap, u = ludus_rng_random(&c->rng);
    if (!seen || p_seen < c->cfg.rho) return 0;
    if (strcmp(c->cfg.schedule, "proportionate") == 0) return u < p_seen;
    return u < c->cfg.replay_prob || (c->finite && seen == c->cap);
}

/* ---- per-reset curricula ------------------------------------------------- */

static int uniform_next(ludus_curriculum *c, int world, cur_rec *r)
{
    (void)world;
    return ludus_cur_generate(c, c->env, (int)(r - c->recs));
}

/* level-replay's first reset of each actor: strategy 'sequential', the
 * levels of the set in order (wrapping), with no random draw, no
 * staleness update and the level not yet seen (it is scored like any). */
static int plr_sequential(ludus_curriculum *c, cur_rec *r)
{
    uint64_t k = c->seq_next++;
    if (c->finite) {
        int i = (int)(k % (uint64_t)c->cap);
        r->slot = i;
        r->gen = c->slots[i].gen;
        r->seed = c->slots[i].seed;
        r->born = c->clock;
        return LUDUS_OK;
    }
    r->seed = c->level_start + (c->level_count ? k % c->level_count : k);
    r->born = c->clock;
    return LUDUS_OK;
}

static int plr_next(ludus_curriculum *c, int world, cur_rec *r)
{
    int ri = (int)(r - c->recs);
    if (c->cfg.sequential_start == 1 && !c->started[world]) {
        c->started[world] = 1;
        return plr_sequential(c, r);
    }
    c->started[world] = 1;
    if (decide_replay(c)) {
        replay_into(c, ri, sample_replay(c));
        return LUDUS_OK;
    }
    if (!c->finite) return ludus_cur_generate(c, c->env, ri);
    /* an unseen level of the set, uniformly */
    int unseen = c->cap - seen_count(c);
    if (unseen == 0) {
        replay_into(c, ri, sample_replay(c));
        return LUDUS_OK;
    }
    int64_t k = ludus_rng_integers(&c->rng, 0, unseen);
    for (int i = 0; i < c->cap; i++)
        if (!c->slots[i].seen && k-- == 0) {
            replay_into(c, ri, i);
            r->replayed = 0;
            return LUDUS_OK;
        }
    return ludus_err_set(LUDUS_EINTERNAL, "curriculum: no unseen level found");
}

/* ---- per-batch curricula (Robust PLR, ACCEL) ----------------------------- */

static int batch_begin(ludus_curriculum *c)
{
    const int N = c->N;
    int kind;
    if (c->pending_edit) kind = CUR_BATCH_EDIT;
    else kind = decide_replay(c) ? CUR_BATCH_REPLAY : CUR_BATCH_NEW;
    c->pending_edit = 0;
    c->batch_kind = kind;
    for (int w = 0; w < N; w++) {
        int r = new_rec(c);
        if (r < 0) return r;
        c->batch_rec_base = w == 0 ? r : c->batch_rec_base;
        if (kind == CUR_BATCH_REPLAY) {
            int i = sample_replay(c);
            replay_into(c, r, i);
            c->batch_slot[w] = i;
        } else if (kind == CUR_BATCH_EDIT) {
            /* a child of the level world w replayed in the last batch */
            int p = c->batch_slot[w];
            cur_rec *rec = &c->recs[r];
            if (p < 0 || !c->slots[p].used || !c->slots[p].has_block) {
                int rc = ludus_cur_generate(c, c->start_env ? c->start_env : c->env, r);
                if (rc) return rc;
                continue;
            }
            uint8_t *b = ludus_cur_rec_block(c, r);
            memcpy(b, slot_block(c, p), c->LS);
            int rc = ludus_env_level_mutate(c->env, b, c->LS, c->cfg.num_edits, &c->rng);
            if (rc) return ludus_err_wrap(rc, "curriculum: editing level %d", p);
            rec->has_block = 1;
            rec->seed = c->slots[p].seed;
            rec->parent = p;
            rec->depth = c->slots[p].depth + 1;
            rec->born = ++c->clock;
        } else {
            int rc = ludus_cur_generate(c, c->start_env ? c->start_env : c->env, r);
            if (rc) return rc;
        }
    }
    return LUDUS_OK;
}

/* ---- the driver --------------------------------------------------------- */

int ludus_curriculum_begin_batch(ludus_curriculum *c, int *train)
{
    if (!c) return ludus_err_set(LUDUS_EINVAL, "curriculum: NULL");
    c->batch_eps = c->batch_replayed = 0;
    if (train) *train = 1;
    if (!c->ops->batch) {
        c->in_batch = 1;
        return LUDUS_OK;
    }
    /* every world starts afresh: the records of the last batch go */
    for (int w = 0; w < c->N; w++) c->queues[w].len = c->queues[w].cur = 0;
    memset(c->wstat, 0, (size_t)c->N * 4 * sizeof *c->wstat);
    c->nrecs = 0;
    int rc = c->ops->begin(c);
    if (rc) return rc;
    c->in_batch = 1;
    if (train) *train = c->batch_kind == CUR_BATCH_REPLAY || !c->cfg.no_exploratory_grad;
    return LUDUS_OK;
}

int ludus_curriculum_next(ludus_curriculum *c, int world, uint64_t *seed, uint8_t *block, int *has_block)
{
    if (!c || !seed || !has_block) return ludus_err_set(LUDUS_EINVAL, "curriculum: NULL argument");
    if (world < 0 || world >= c->N)
        return ludus_err_set(LUDUS_EINVAL, "curriculum: world %d is not in [0, %d)", world, c->N);
    int r, rc;
    if (c->ops->batch) {
        if (!c->in_batch && (rc = ludus_curriculum_begin_batch(c, NULL))) return rc;
        r = c->batch_rec_base + world;
    } else {
        if ((r = new_rec(c)) < 0) return r;
        if ((rc = c->ops->run_next(c, world, &c->recs[r]))) {
            c->nrecs--;
            return rc;
        }
    }
    if ((rc = push(c, world, r))) return rc;
    const cur_rec *rec = &c->recs[r];
    c->batch_eps++;
    c->batch_replayed += rec->replayed;
    *seed = rec->seed;
    *has_block = rec->has_block;
    if (rec->has_block) {
        if (!block) return ludus_err_set(LUDUS_EINVAL, "curriculum: a level block needs a buffer");
        memcpy(block, c->rec_blocks + (size_t)r * c->LS, c->LS);
    }
    return LUDUS_OK;
}

static int vec_hook(void *user, int world, ludus_rng *rng, uint8_t *block, size_t size, uint64_t *seed)
{
    (void)rng;
    ludus_curriculum *c = user;
    int has = 0;
    int rc = ludus_curriculum_next(c, world, seed, size ? block : NULL, &has);
    return rc ? rc : has;
}

int ludus_curriculum_attach(ludus_curriculum *c, ludus_vec *vec)
{
    if (!c || !vec) return ludus_err_set(LUDUS_EINVAL, "curriculum: NULL argument");
    if (ludus_vec_num_envs(vec) != c->N)
        return ludus_err_set(LUDUS_EINVAL, "curriculum: made for %d worlds, the vec has %d", c->N,
                             ludus_vec_num_envs(vec));
    if (ludus_env_level_size(ludus_vec_env(vec)) != c->LS)
        return ludus_err_set(LUDUS_EINVAL, "curriculum: the vec's world has levels of another size");
    return ludus_vec_set_level_block_fn(vec, vec_hook, c);
}

/* Commit a PLR score to the record's level (its slot while the slot still
 * holds it, else the record, admitted at the batch's end). */
static void plr_commit(ludus_curriculum *c, cur_rec *r, const ludus_curriculum_segment *s)
{
    cur_slot *slot = r->slot >= 0 && c->slots[r->slot].gen == r->gen && c->slots[r->slot].used ? &c->slots[r->slot]
                                                                                              : NULL;
    double *maxr = slot ? &slot->max_return : &r->max_return;
    if (s->ended && s->episode_return > *maxr) *maxr = s->episode_return;
    if (!slot && r->slot >= 0) r->slot = -1; /* evicted: the record is new again */
    double v = ludus_curriculum_score(c->cfg.score, s, isfinite(*maxr) ? *maxr : s->value);
    const double a = c->cfg.score_alpha;
    if (slot) {
        if (!slot->seen) c->levels_seen++;
        slot->score = slot->seen ? (1 - a) * slot->score + a * v : v;
        slot->seen = 1;
    } else {
        r->score = isnan(r->score) ? v : (1 - a) * r->score + a * v;
    }
}

void ludus_curriculum_restart(ludus_curriculum *c)
{
    if (!c) return;
    for (int w = 0; w < c->N; w++) c->queues[w].len = c->queues[w].cur = 0;
    c->nrecs = 0;
    c->in_batch = 0;
}

int ludus_curriculum_report(ludus_curriculum *c, int world, const ludus_curriculum_segment *s)
{
    if (!c || !s) return ludus_err_set(LUDUS_EINVAL, "curriculum: NULL argument");
    if (world < 0 || world >= c->N)
        return ludus_err_set(LUDUS_EINVAL, "curriculum: world %d is not in [0, %d)", world, c->N);
    if (s->steps < 1) return ludus_err_set(LUDUS_EINVAL, "curriculum: a segment of %d steps", s->steps);
    cur_queue *q = &c->queues[world];
    if (q->cur >= q->len)
        return ludus_err_set(LUDUS_EINVAL, "curriculum: world %d reported a segment of no episode begun", world);
    cur_rec *r = &c->recs[q->idx[q->cur]];
    if (c->ops->commit) c->ops->commit(c, r, s);
    if (c->ops->batch) { /* the batch's per-world means (ACCEL's easy bases) */
        double *ws = c->wstat + 4 * world;
        if (s->ended) ws[0] += s->episode_return, ws[1] += 1;
        ws[2] += s->abs_adv * s->steps;
        ws[3] += s->steps;
    }
    if (s->ended) q->cur++;
    return LUDUS_OK;
}

/* Offer record r to the buffer: a free slot while there is one, else the
 * slot of the lowest score if r's is at least as high. */
static void admit(ludus_curriculum *c, cur_rec *r)
{
    if (c->finite || r->slot >= 0 || isnan(r->score)) return;
    int target = -1;
    if (c->fill < c->cap) {
        for (int i = 0; i < c->cap && target < 0; i++)
            if (!c->slots[i].used) target = i;
        c->fill++;
    } else {
        for (int i = 0; i < c->cap; i++)
            if (target < 0 || c->slots[i].score < c->slots[target].score) target = i;
        if (!(r->score >= c->slots[target].score)) return;
    }
    cur_slot *s = &c->slots[target];
    uint32_t gen = s->gen + 1;
    memset(s, 0, sizeof *s);
    s->used = s->seen = 1;
    s->gen = gen;
    s->seed = r->seed;
    s->has_block = r->has_block;
    if (r->has_block) memcpy(slot_block(c, target), c->rec_blocks + (size_t)(r - c->recs) * c->LS, c->LS);
    else memset(slot_block(c, target), 0, c->LS);
    s->score = r->score;
    s->max_return = r->max_return;
    s->last_sampled = r->born;
    s->parent = r->parent;
    s->depth = r->depth;
    r->slot = target;
    r->gen = gen;
    c->levels_seen++;
}

/* dcd's base_levels 'easy' (adversarial_runner.py): v = the world's mean
 * return in the replay batch (0 without an ended episode) minus its mean
 * |advantage| (dcd's batched value loss, |returns - values|); with 4 or
 * more worlds the 4 lowest v (ties: lower world first) are the bases, each
 * for every fourth world (world w edits base w mod 4); with fewer, the one
 * highest v for every world (dcd's code takes argmax there). */
static void easy_bases(ludus_curriculum *c)
{
    const int N = c->N;
    int pick[4], m = N >= 4 ? 4 : 1;
    double v[4];
    for (int j = 0; j < m; j++) pick[j] = -1;
    for (int w = 0; w < N; w++) {
        const double *ws = c->wstat + 4 * w;
        double x = (ws[1] > 0 ? ws[0] / ws[1] : 0) - (ws[3] > 0 ? ws[2] / ws[3] : 0);
        if (m == 1) {
            if (pick[0] < 0 || x > v[0]) pick[0] = w, v[0] = x;
            continue;
        }
        /* insert into the 4 lowest, kept sorted (equal v: the earlier world first) */
        int at = 4;
        while (at > 0 && (pick[at - 1] < 0 || x < v[at - 1])) at--;
        if (at == 4) continue;
        for (int j = 3; j > at; j--) pick[j] = pick[j - 1], v[j] = v[j - 1];
        pick[at] = w;
        v[at] = x;
    }
    int base[4];
    for (int j = 0; j < m; j++) base[j] = c->batch_slot[pick[j]];
    for (int w = 0; w < N; w++) c->batch_slot[w] = base[w % m];
}

int ludus_curriculum_end_batch(ludus_curriculum *c)
{
    if (!c) return ludus_err_set(LUDUS_EINVAL, "curriculum: NULL");
    if (c->ops->commit == plr_commit)
        for (int i = 0; i < c->nrecs; i++) admit(c, &c->recs[i]);
    if (c->ops->batch) {
        if (c->batch_kind == CUR_BATCH_REPLAY && c->blocks && ludus_rng_random(&c->rng) < c->cfg.editor_prob) {
            c->pending_edit = 1;
            if (strcmp(c->cfg.accel_base, "easy") == 0) easy_bases(c);
        }
        c->in_batch = 0;
    } else {
        /* keep each world's running episode (those not ended); renumber */
        int keep = 0;
        for (int w = 0; w < c->N; w++) keep += c->queues[w].len - c->queues[w].cur;
        const size_t LSb = c->LS ? c->LS : 1;
        cur_rec *nr = malloc((size_t)(keep ? keep : 1) * sizeof *nr);
        uint8_t *nb = malloc((size_t)(keep ? keep : 1) * LSb);
        if (!nr || !nb) {
            free(nr);
            free(nb);
            return ludus_err_set(LUDUS_ENOMEM, "curriculum: out of memory");
        }
        int n = 0;
        for (int w = 0; w < c->N; w++) {
            cur_queue *q = &c->queues[w];
            int len = 0;
            for (int j = q->cur; j < q->len; j++) {
                nr[n] = c->recs[q->idx[j]];
                memcpy(nb + (size_t)n * LSb, c->rec_blocks + (size_t)q->idx[j] * LSb, LSb);
                q->idx[len++] = n++;
            }
            q->len = len;
            q->cur = 0;
        }
        memcpy(c->recs, nr, (size_t)n * sizeof *nr);
        memcpy(c->rec_blocks, nb, (size_t)n * LSb);
        free(nr);
        free(nb);
        c->nrecs = n;
    }
    c->last_eps = c->batch_eps;
    c->last_replayed = c->batch_replayed;
    return LUDUS_OK;
}

/* ---- diagnostics -------------------------------------------------------- */

void ludus_curriculum_get_stats(const ludus_curriculum *c, ludus_curriculum_stats *out)
{
    if (!out) return;
    memset(out, 0, sizeof *out);
    out->score_mean = out->score_max = out->replay_entropy = NAN;
    out->lineage_mean = out->lineage_max = NAN;
    out->replay_fraction = NAN;
    if (!c) return;
    if (c->last_eps) out->replay_fraction = (double)c->last_replayed / c->last_eps;
    out->batch_kind = c->batch_kind;
    if (c->ops->run_next == alp_next) {
        ludus_cur_alp_stats(c, out);
        return;
    }
    out->levels_seen = c->levels_seen;
    int n = 0;
    double sum = 0, mx = -INFINITY, dsum = 0, dmax = 0;
    for (int i = 0; i < c->cap; i++) {
        const cur_slot *s = &c->slots[i];
        if (!s->used || !s->seen) continue;
        n++;
        sum += s->score;
        if (s->score > mx) mx = s->score;
        dsum += s->depth;
        if (s->depth > dmax) dmax = s->depth;
    }
    out->buffer_fill = c->finite ? n : c->fill;
    if (!n) return;
    out->score_mean = sum / n;
    out->score_max = mx;
    if (c->blocks) {
        out->lineage_mean = dsum / n;
        out->lineage_max = dmax;
    }
    ludus_cur_replay_weights(c, c->weights);
    double h = 0;
    for (int i = 0; i < c->cap; i++)
        if (c->weights[i] > 0) h -= c->weights[i] * log(c->weights[i]);
    out->replay_entropy = h;
}

int ludus_curriculum_slot_at(const ludus_curriculum *c, int i, ludus_curriculum_slot *out)
{
    if (!c || !out || i < 0 || i >= c->cap)
        return ludus_err_set(LUDUS_EINVAL, "curriculum: slot %d is not in [0, %d)", i, c ? c->cap : 0);
    const cur_slot *s = &c->slots[i];
    out->seed = s->seed;
    out->block = s->used && s->has_block ? slot_block(c, i) : NULL;
    out->score = s->used && s->seen ? s->score : NAN;
    out->max_return = s->max_return;
    out->last_sampled = s->last_sampled;
    out->seen = s->used && s->seen;
    out->parent = s->used ? s->parent : -1;
    out->depth = s->depth;
    return LUDUS_OK;
}

/* ---- ALP-GMM's draw and commit (the model is curriculum_gmm.c's) ------- */

static int alp_next(ludus_curriculum *c, int world, cur_rec *r)
{
    (void)world;
    return ludus_cur_alp_next(c, (int)(r - c->recs));
}

static void alp_commit(ludus_curriculum *c, cur_rec *r, const ludus_curriculum_segment *s)
{
    if (s->ended) ludus_cur_alp_episode(c, r->param, s->episode_return);
}

/* ---- state -------------------------------------------------------------- */

typedef struct wbuf {
    uint8_t *p;
    size_t n, cap;
    int err;
} wbuf;

static void put(wbuf *b, const void *src, size_t n)
{
    if (b->err) return;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n) cap *= 2;
        uint8_t *p = realloc(b->p, cap);
        if (!p) {
            b->err = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
}

typedef struct rbuf {
    const uint8_t *p;
    size_t n, at;
    int err;
} rbuf;

static void get(rbuf *b, void *dst, size_t n)
{
    if (n == 0) return; /* dst may be NULL (an empty queue) */
    if (b->err || b->n - b->at < n) {
        b->err = 1;
        memset(dst, 0, n);
        return;
    }
    memcpy(dst, b->p + b->at, n);
    b->at += n;
}

#define CUR_MAGIC "ludus-curriculum/2"

int ludus_curriculum_save(const ludus_curriculum *c, uint8_t **blob, size_t *size)
{
    if (!c || !blob || !size) return ludus_err_set(LUDUS_EINVAL, "curriculum save: NULL argument");
    *blob = NULL;
    *size = 0;
    wbuf b = {0};
    put(&b, CUR_MAGIC, sizeof CUR_MAGIC);
    put(&b, c->ops->name, strlen(c->ops->name) + 1);
    put(&b, &c->cfg, sizeof c->cfg);
    int hdr[4] = {c->N, (int)c->LS, c->cap, c->finite};
    put(&b, hdr, sizeof hdr);
    put(&b, &c->rng, sizeof c->rng);
    uint64_t nums[3] = {c->clock, c->levels_seen, 0};
    put(&b, nums, sizeof nums);
    int st[8] = {c->fill, c->pending_edit, c->batch_kind, c->in_batch, c->batch_rec_base, c->nrecs, c->batch_eps,
                 c->batch_replayed};
    put(&b, st, sizeof st);
    int last[2] = {c->last_eps, c->last_replayed};
    put(&b, last, sizeof last);
    put(&b, c->slots, (size_t)c->cap * sizeof *c->slots);
    put(&b, c->slot_blocks, (size_t)c->cap * (c->LS ? c->LS : 1));
    put(&b, c->batch_slot, (size_t)c->N * sizeof *c->batch_slot);
    if (c->nrecs) {
        put(&b, c->recs, (size_t)c->nrecs * sizeof *c->recs);
        put(&b, c->rec_blocks, (size_t)c->nrecs * (c->LS ? c->LS : 1));
    }
    for (int w = 0; w < c->N; w++) {
        const cur_queue *q = &c->queues[w];
        int qh[2] = {q->len, q->cur};
        put(&b, qh, sizeof qh);
        if (q->len) put(&b, q->idx, (size_t)q->len * sizeof *q->idx);
    }
    put(&b, c->started, (size_t)c->N);
    put(&b, c->wstat, (size_t)c->N * 4 * sizeof *c->wstat);
    put(&b, &c->seq_next, sizeof c->seq_next);
    if (c->alp) ludus_cur_alp_save(c, &b.p, &b.n, &b.cap, &b.err);
    if (b.err) {
        free(b.p);
        return ludus_err_set(LUDUS_ENOMEM, "curriculum save: out of memory");
    }
    *blob = b.p;
    *size = b.n;
    return LUDUS_OK;
}

int ludus_curriculum_load(ludus_curriculum *c, const uint8_t *blob, size_t size)
{
    if (!c || !blob) return ludus_err_set(LUDUS_EINVAL, "curriculum load: NULL argument");
    rbuf b = {blob, size, 0, 0};
    char magic[sizeof CUR_MAGIC], name[16] = {0};
    get(&b, magic, sizeof magic);
    if (b.err || memcmp(magic, CUR_MAGIC, sizeof magic) != 0)
        return ludus_err_set(LUDUS_EFORMAT, "curriculum state: not a ludus curriculum state");
    size_t nl = strlen(c->ops->name) + 1;
    get(&b, name, nl);
    ludus_curriculum_config cfg;
    get(&b, &cfg, sizeof cfg);
    int hdr[4];
    get(&b, hdr, sizeof hdr);
    if (b.err || memcmp(name, c->ops->name, nl) != 0 || memcmp(&cfg, &c->cfg, sizeof cfg) != 0 || hdr[0] != c->N ||
        hdr[1] != (int)c->LS || hdr[2] != c->cap || hdr[3] != c->finite)
        return ludus_err_set(LUDUS_EFORMAT, "curriculum state: saved by another curriculum or configuration (%s)",
                             c->ops->name);
    /* read into a scratch copy first: a bad blob leaves c as it was */
    ludus_rng rng;
    uint64_t nums[3];
    int st[8], last[2];
    get(&b, &rng, sizeof rng);
    get(&b, nums, sizeof nums);
    get(&b, st, sizeof st);
    get(&b, last, sizeof last);
    const size_t LSb = c->LS ? c->LS : 1;
    cur_slot *slots = malloc((size_t)c->cap * sizeof *slots);
    uint8_t *sb = malloc((size_t)c->cap * LSb);
    int *bs = malloc((size_t)c->N * sizeof *bs);
    int nrecs = st[5];
    if (nrecs < 0 || nrecs > (1 << 28)) b.err = 1;
    cur_rec *recs = NULL;
    uint8_t *rb = NULL;
    int rc = LUDUS_OK;
    if (!slots || !sb || !bs) {
        rc = ludus_err_set(LUDUS_ENOMEM, "curriculum load: out of memory");
        goto fail;
    }
    get(&b, slots, (size_t)c->cap * sizeof *slots);
    get(&b, sb, (size_t)c->cap * LSb);
    get(&b, bs, (size_t)c->N * sizeof *bs);
    int rcap = nrecs > 64 ? nrecs : 64;
    if (!b.err) {
        recs = malloc((size_t)rcap * sizeof *recs);
        rb = malloc((size_t)rcap * LSb);
        if (!recs || !rb) {
            rc = ludus_err_set(LUDUS_ENOMEM, "curriculum load: out of memory");
            goto fail;
        }
        if (nrecs) {
            get(&b, recs, (size_t)nrecs * sizeof *recs);
            get(&b, rb, (size_t)nrecs * LSb);
        }
    }
    /* queues: checked, then swapped in */
    for (int w = 0; w < c->N && !b.err; w++) {
        int qh[2];
        get(&b, qh, sizeof qh);
        if (b.err || qh[0] < 0 || qh[0] > nrecs || qh[1] < 0 || qh[1] > qh[0]) {
            b.err = 1;
            break;
        }
        cur_queue *q = &c->queues[w];
        if (qh[0] > q->cap) {
            int *p = realloc(q->idx, (size_t)qh[0] * sizeof *p);
            if (!p) {
                rc = ludus_err_set(LUDUS_ENOMEM, "curriculum load: out of memory");
                goto fail;
            }
            q->idx = p;
            q->cap = qh[0];
        }
        get(&b, q->idx, (size_t)qh[0] * sizeof *q->idx);
        for (int i = 0; i < qh[0]; i++)
            if (q->idx[i] < 0 || q->idx[i] >= nrecs) b.err = 1;
        q->len = qh[0];
        q->cur = qh[1];
    }
    uint64_t seq_next = 0;
    uint8_t *started = malloc((size_t)c->N);
    if (!started) {
        rc = ludus_err_set(LUDUS_ENOMEM, "curriculum load: out of memory");
        goto fail;
    }
    get(&b, started, (size_t)c->N);
    double *wstat = malloc((size_t)c->N * 4 * sizeof *wstat);
    if (!wstat) {
        free(started);
        rc = ludus_err_set(LUDUS_ENOMEM, "curriculum load: out of memory");
        goto fail;
    }
    get(&b, wstat, (size_t)c->N * 4 * sizeof *wstat);
    get(&b, &seq_next, sizeof seq_next);
    for (int w = 0; w < c->N && !b.err; w++)
        if (started[w] > 1) b.err = 1;
    if (!b.err && c->alp && ludus_cur_alp_load(c, b.p, b.n, &b.at)) b.err = 1;
    if (b.err || b.at != b.n) {
        free(started);
        free(wstat);
    } else {
        free(c->started);
        c->started = started;
        free(c->wstat);
        c->wstat = wstat;
        c->seq_next = seq_next;
    }
    if (b.err || b.at != b.n) {
        for (int w = 0; w < c->N; w++) c->queues[w].len = c->queues[w].cur = 0;
        rc = ludus_err_set(LUDUS_EFORMAT, "curriculum state: truncated or damaged (%zu bytes)", size);
        goto fail;
    }
    c->rng = rng;
    c->clock = nums[0];
    c->levels_seen = nums[1];
    c->fill = st[0];
    c->pending_edit = st[1];
    c->batch_kind = st[2];
    c->in_batch = st[3];
    c->batch_rec_base = st[4];
    c->batch_eps = st[6];
    c->batch_replayed = st[7];
    c->last_eps = last[0];
    c->last_replayed = last[1];
    free(c->slots);
    free(c->slot_blocks);
    free(c->batch_slot);
    free(c->recs);
    free(c->rec_blocks);
    c->slots = slots;
    c->slot_blocks = sb;
    c->batch_slot = bs;
    c->recs = recs;
    c->rec_blocks = rb;
    c->nrecs = nrecs;
    c->rec_cap = rcap;
    return LUDUS_OK;
fail:
    free(slots);
    free(sb);
    free(bs);
    free(recs);
    free(rb);
    return rc;
}
