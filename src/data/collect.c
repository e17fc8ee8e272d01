/* collect.c: `ludus collect` as library code: an agent plays episodes the
 * way evaluation plays them (eval.c: episode i on level
 * level_start + i % level_count, its action stream seeded from
 * (seed, i), several worlds at a time) and every step is kept, per world,
 * until its episode ends and goes to the dataset writer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "data/data_internal.h"
#include "learn/agent_internal.h"
#include "ludus/learn.h"

#define COLLECT_WORLDS 16

/* One world's episode so far. */
typedef struct slot {
    ludus_dataset_episode ep;
    int cap;       /* steps the arrays hold */
    int index;     /* the episode's start index i */
} slot;

static int grow(slot *s, const data_layout *l)
{
    if (s->ep.steps < s->cap) return 0;
    int cap = s->cap ? 2 * s->cap : 64;
    uint8_t *obs = realloc(s->ep.obs, (size_t)(cap + 1) * l->obs_size);
    if (obs) s->ep.obs = obs;
    char *m = l->mission ? realloc(s->ep.missions, (size_t)(cap + 1) * l->mission_cap) : NULL;
    if (m) s->ep.missions = m;
    int32_t *a = realloc(s->ep.actions, (size_t)cap * l->dims * sizeof *a);
    if (a) s->ep.actions = a;
    double *r = realloc(s->ep.rewards, (size_t)cap * sizeof *r);
    if (r) s->ep.rewards = r;
    uint8_t *te = realloc(s->ep.terminations, (size_t)cap);
    if (te) s->ep.terminations = te;
    uint8_t *tr = realloc(s->ep.truncations, (size_t)cap);
    if (tr) s->ep.truncations = tr;
    if (!obs || (l->mission && !m) || !a || !r || !te || !tr) return -1;
    s->cap = cap;
    return 0;
}

static void put_mission(slot *s, const data_layout *l, int t, const char *mission)
{
    if (!l->mission) return;
    char *dst = s->ep.missions + (size_t)t * l->mission_cap;
    snprintf(dst, l->mission_cap, "%s", mission ? mission : "");
}

int ludus_dataset_collect(ludus_agent *agent, const ludus_collect_config *cfg, const char *root, char *path,
                          size_t cap)
{
    if (!agent || !cfg || !root) return ludus_err_set(LUDUS_EINVAL, "collect: NULL argument");
    if (cfg->episodes < 1) return ludus_err_set(LUDUS_EINVAL, "collect: episodes must be >= 1");
    if (cfg->jpeg_quality < 0 || cfg->jpeg_quality > 100)
        return ludus_err_set(LUDUS_EINVAL, "collect: jpeg_quality %d outside 1..100 (0: 75)", cfg->jpeg_quality);
    if (cfg->train_levels > LUDUS_MAX_TRAIN_LEVELS)
        return ludus_err_set(LUDUS_EINVAL, "collect: train_levels must be at most %llu",
                             (unsigned long long)LUDUS_MAX_TRAIN_LEVELS);
    const char *home = ludus_agent_env_id(agent);
    const char *id = cfg->env_id ? cfg->env_id : home;
    if (!id)
        return ludus_err_set(LUDUS_EINVAL, "collect: agent '%s' has no world of its own; name one",
                             ludus_agent_name(agent));
    const char *opts = cfg->env_options;
    if (!opts && home && strcmp(id, home) == 0) opts = ludus_agent_env_options(agent);
    ludus_dataset_meta meta;
    memset(&meta, 0, sizeof meta);
    if ((size_t)snprintf(meta.env_id, sizeof meta.env_id, "%s", id) >= sizeof meta.env_id ||
        (size_t)snprintf(meta.env_options, sizeof meta.env_options, "%s", opts ? opts : "") >= sizeof meta.env_options ||
        (size_t)snprintf(meta.agent, sizeof meta.agent, "%s", ludus_agent_name(agent)) >= sizeof meta.agent ||
        (size_t)snprintf(meta.checkpoint, sizeof meta.checkpoint, "%s",
                         ludus_agent_checkpoint(agent) ? ludus_agent_checkpoint(agent) : "") >= sizeof meta.checkpoint)
        return ludus_err_set(LUDUS_EINVAL, "collect: a name, option string or path is too long");
    snprintf(meta.levels, sizeof meta.levels, "%s", cfg->heldout ? "heldout" : "train");
    meta.level_start = cfg->heldout ? LUDUS_HELDOUT_START : 0;
    meta.level_count = cfg->train_levels ? cfg->train_levels : LUDUS_MAX_TRAIN_LEVELS;
    meta.seed = cfg->seed;
    meta.greedy = cfg->greedy;
    meta.jpeg_quality = cfg->jpeg_quality ? cfg->jpeg_quality : 75;
    if (cfg->dataset_id) {
        if ((size_t)snprintf(meta.dataset_id, sizeof meta.dataset_id, "%s", cfg->dataset_id) >= sizeof meta.dataset_id)
            return ludus_err_set(LUDUS_EINVAL, "collect: the dataset id is too long");
    } else {
        /* "<id without -vN>/<agent>[-heldout]-v0" */
        char ns[96];
        snprintf(ns, sizeof ns, "%s", id);
        char *v = strrchr(ns, '-');
        if (v && v[1] == 'v' && v[2] && strspn(v + 2, "0123456789") == strlen(v + 2)) *v = 0;
        snprintf(meta.dataset_id, sizeof meta.dataset_id, "%s/%s%s-v0", ns, meta.agent, cfg->heldout ? "-heldout" : "");
    }
    char dir[4096];
    if ((size_t)snprintf(dir, sizeof dir, "%s/%s", root, meta.dataset_id) >= sizeof dir)
        return ludus_err_set(LUDUS_EINVAL, "collect: the path %.200s is too long", root);

    ludus_env *env = NULL;
    int rc = ludus_env_make(id, opts, &env);
    if (rc) return rc;
    const ludus_env_info *info = ludus_env_get_info(env);
    data_layout l;
    ludus_data_layout_of(info, &l);
    const int B = cfg->episodes < COLLECT_WORLDS ? cfg->episodes : COLLECT_WORLDS, E = cfg->episodes;
    ludus_dataset_writer *w = NULL;
    int dims, sizes[LUDUS_AGENT_MAX_ACTION_DIMS];
    ludus_agent_action_space(info, &dims, sizes);
    const uint32_t flags = ludus_agent_flags(agent);
    const int want_text = (flags & (LUDUS_AGENT_TEXT | LUDUS_AGENT_TEXT_BALROG)) != 0;
    const ludus_text_mode text_mode = (flags & LUDUS_AGENT_TEXT_BALROG) ? LUDUS_TEXT_BALROG : LUDUS_TEXT_FULL;
    char *states = calloc((size_t)B, info->state_size);
    uint8_t *obs = malloc((size_t)B * info->obs_size), *starts = malloc((size_t)B), *active = malloc((size_t)B);
    uint8_t *ended = calloc((size_t)B, 1), *term = calloc((size_t)B, 1), *trunc = calloc((size_t)B, 1);
    double *rewards = calloc((size_t)B, sizeof *rewards);
    int32_t *actions = calloc((size_t)B * dims, sizeof *actions);
    uint8_t *amask = info->mask_size ? malloc((size_t)B * info->mask_size) : NULL;
    ludus_rng *rngs = calloc((size_t)B, sizeof *rngs);
    const char **missions = calloc((size_t)B, sizeof *missions), **texts = NULL;
    char *text_buf = NULL;
    slot *slots = calloc((size_t)B, sizeof *slots);
    if (want_text) {
        texts = calloc((size_t)B, sizeof *texts);
        text_buf = malloc((size_t)B * info->text_capacity);
    }
    if (!states || !obs || !starts || !active || !ended || !term || !trunc || !rewards || !actions || !rngs ||
        !missions || !slots || (info->mask_size && !amask) || (want_text && (!texts || !text_buf))) {
        rc = ludus_err_set(LUDUS_ENOMEM, "collect: out of memory");
        goto done;
    }
    if ((rc = ludus_agent_bind(agent, env, B))) goto done;
    if ((rc = ludus_dataset_writer_open(dir, env, &meta, &w))) goto done;
    int next = 0, running = 0;
#define START(k, e)                                                                                   \
    do {                                                                                              \
        uint64_t level_ = meta.level_start + (uint64_t)(e) % meta.level_count;                        \
        void *st_ = states + (size_t)(k) * info->state_size;                                          \
        if ((rc = ludus_env_reset(env, st_, level_, obs + (size_t)(k) * info->obs_size))) goto done;  \
        uint32_t words_[4] = {(uint32_t)cfg->seed, (uint32_t)(cfg->seed >> 32), (uint32_t)(e), 0xe7a1u}; \
        ludus_rng_seed_words(&rngs[k], words_, 4);                                                    \
        slots[k].ep.steps = 0;                                                                        \
        slots[k].ep.seed = level_;                                                                    \
        slots[k].index = (e);                                                                         \
        starts[k] = 1;                                                                                \
    } while (0)
    for (int k = 0; k < B; k++) {
        START(k, next);
        next++;
        active[k] = 1;
        running++;
    }
    const ludus_agent_input in = {.n = B, .greedy = cfg->greedy, .obs_size = info->obs_size, .obs = obs,
                                  .missions = missions, .texts = texts, .starts = starts, .rngs = rngs,
                                  .action_dims = dims, .action_sizes = sizes, .action_mask = amask};
    const ludus_agent_feedback fb = {.n = B, .obs_size = info->obs_size, .action_dims = dims, .actions = actions,
                                     .rewards = rewards, .terminated = term, .truncated = trunc,
                                     .next_obs = obs, .stepped = active};
    while (running) {
        for (int k = 0; k < B; k++) {
            const void *st = states + (size_t)k * info->state_size;
            missions[k] = ludus_env_mission(env, st);
            if (amask && !active[k]) memset(amask + (size_t)k * info->mask_size, 1, (size_t)info->mask_size);
            else if (amask && (rc = ludus_env_action_mask(env, st, amask + (size_t)k * info->mask_size))) goto done;
            if (want_text) {
                char *t = text_buf + (size_t)k * info->text_capacity;
                if ((rc = ludus_env_text(env, st, text_mode, t, info->text_capacity)) < 0) goto done;
                rc = LUDUS_OK;
                texts[k] = t;
            }
            if (!active[k]) continue;
            /* the observation the agent acts on: row t of the episode */
            slot *s = &slots[k];
            if (grow(s, &l)) {
                rc = ludus_err_set(LUDUS_ENOMEM, "collect: out of memory");
                goto done;
            }
            memcpy(s->ep.obs + (size_t)s->ep.steps * l.obs_size, obs + (size_t)k * info->obs_size, l.obs_size);
            put_mission(s, &l, s->ep.steps, missions[k]);
        }
        if ((rc = ludus_agent_act(agent, &in, actions))) goto done;
        for (int k = 0; k < B; k++) {
            rewards[k] = 0;
            term[k] = trunc[k] = ended[k] = 0;
            if (!active[k]) continue;
            starts[k] = 0;
            ludus_step_out so;
            void *st = states + (size_t)k * info->state_size;
            if ((rc = ludus_env_step_vec(env, st, actions + (size_t)k * dims, obs + (size_t)k * info->obs_size, &so)))
                goto done;
            slot *s = &slots[k];
            const int t = s->ep.steps;
            memcpy(s->ep.actions + (size_t)t * dims, actions + (size_t)k * dims, (size_t)dims * sizeof(int32_t));
            s->ep.rewards[t] = so.reward;
            s->ep.terminations[t] = so.terminated;
            s->ep.truncations[t] = so.truncated;
            s->ep.steps = t + 1;
            rewards[k] = so.reward;
            term[k] = so.terminated;
            trunc[k] = so.truncated;
            if (so.terminated || so.truncated) {
                ended[k] = 1;
                /* the last observation, after the last step */
                memcpy(s->ep.obs + (size_t)s->ep.steps * l.obs_size, obs + (size_t)k * info->obs_size, l.obs_size);
                put_mission(s, &l, s->ep.steps, ludus_env_mission(env, st));
                if ((rc = ludus_dataset_writer_add(w, &s->ep))) goto done;
            }
        }
        if ((rc = ludus_agent_observe(agent, &fb))) goto done;
        for (int k = 0; k < B; k++) {
            if (!ended[k]) continue;
            if (next < E) {
                START(k, next);
                next++;
            } else {
                active[k] = 0;
                running--;
            }
        }
    }
#undef START
    rc = ludus_dataset_writer_finish(w);
    if (!rc && path && cap) snprintf(path, cap, "%s", dir);
done:
    ludus_dataset_writer_destroy(w);
    ludus_env_destroy(env);
    for (int k = 0; slots && k < B; k++) ludus_dataset_episode_free(&slots[k].ep);
    free(slots);
    free(states); free(obs); free(starts); free(active); free(ended); free(term); free(trunc);
    free(rewards); free(actions); free(amask); free(rngs); free(missions); free(texts); free(text_buf);
    return rc;
}
