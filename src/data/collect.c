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
#include "eval/play.h"
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
    uint8_t *mk = l->mask_size ? realloc(s->ep.action_masks, (size_t)(cap + 1) * l->mask_size) : NULL;
    if (mk) s->ep.action_masks = mk;
    if (!obs || (l->mission && !m) || !a || !r || !te || !tr || (l->mask_size && !mk)) return -1;
    s->cap = cap;
    return 0;
}

static void put_mission(slot *s, const data_layout *l, int t, const char *mission)
{
    if (!l->mission) return;
    char *dst = s->ep.missions + (size_t)t * l->mission_cap;
    snprintf(dst, l->mission_cap, "%s", mission ? mission : "");
}

/* What collection keeps while the driver plays (eval/play.h). */
typedef struct recorder {
    slot *slots;
    const data_layout *l;
    const ludus_env *env;
    ludus_dataset_writer *w;
    int dims;
} recorder;

static int rec_start(void *user, int k, int e, uint64_t level)
{
    recorder *r = user;
    r->slots[k].ep.steps = 0;
    r->slots[k].ep.seed = level;
    r->slots[k].index = e;
    return LUDUS_OK;
}

/* The observation the agent acts on: row t of the episode. */
static int rec_observe(void *user, int k, int e, const uint8_t *obs, const char *mission, const uint8_t *mask)
{
    (void)e;
    recorder *r = user;
    slot *s = &r->slots[k];
    if (grow(s, r->l)) return ludus_err_set(LUDUS_ENOMEM, "collect: out of memory");
    memcpy(s->ep.obs + (size_t)s->ep.steps * r->l->obs_size, obs, r->l->obs_size);
    const size_t M = (size_t)r->l->mask_size;
    if (M) memcpy(s->ep.action_masks + (size_t)s->ep.steps * M, mask, M);
    put_mission(s, r->l, s->ep.steps, mission);
    return LUDUS_OK;
}

static int rec_step(void *user, int k, int e, const int32_t *action, const ludus_step_out *so, const uint8_t *obs,
                    const void *state)
{
    (void)e;
    recorder *r = user;
    slot *s = &r->slots[k];
    const int t = s->ep.steps;
    memcpy(s->ep.actions + (size_t)t * r->dims, action, (size_t)r->dims * sizeof(int32_t));
    s->ep.rewards[t] = so->reward;
    s->ep.terminations[t] = so->terminated;
    s->ep.truncations[t] = so->truncated;
    s->ep.steps = t + 1;
    if (!so->terminated && !so->truncated) return LUDUS_OK;
    /* the last observation, after the last step */
    memcpy(s->ep.obs + (size_t)s->ep.steps * r->l->obs_size, obs, r->l->obs_size);
    put_mission(s, r->l, s->ep.steps, ludus_env_mission(r->env, state));
    const size_t M = (size_t)r->l->mask_size;
    int rc = M ? ludus_env_action_mask(r->env, state, s->ep.action_masks + (size_t)s->ep.steps * M) : LUDUS_OK;
    return rc ? rc : ludus_dataset_writer_add(r->w, &s->ep);
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
    meta.action_masks = l.mask_size > 0; /* infos/action_mask, for offline learners */
    const int B = cfg->episodes < COLLECT_WORLDS ? cfg->episodes : COLLECT_WORLDS;
    ludus_dataset_writer *w = NULL;
    slot *slots = calloc((size_t)B, sizeof *slots);
    if (!slots) {
        rc = ludus_err_set(LUDUS_ENOMEM, "collect: out of memory");
        goto done;
    }
    if ((rc = ludus_dataset_writer_open(dir, env, &meta, &w))) goto done;
    recorder r = {.slots = slots, .l = &l, .env = env, .w = w, .dims = l.dims};
    const ludus_play_config pc = {.episodes = cfg->episodes, .worlds = COLLECT_WORLDS, .level_start = meta.level_start,
                                  .level_count = meta.level_count, .seed = cfg->seed, .greedy = cfg->greedy};
    const ludus_play_hooks hooks = {.user = &r, .start = rec_start, .observe = rec_observe, .step = rec_step};
    if ((rc = ludus_play_episodes(agent, env, &pc, &hooks))) goto done;
    rc = ludus_dataset_writer_finish(w);
    if (!rc && path && cap) snprintf(path, cap, "%s", dir);
done:
    ludus_dataset_writer_destroy(w);
    ludus_env_destroy(env);
    for (int k = 0; slots && k < B; k++) ludus_dataset_episode_free(&slots[k].ep);
    free(slots);
    return rc;
}
