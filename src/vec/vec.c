/* vec.c: N worlds of one id stepped in struct-of-arrays buffers by a fixed
 * pool of threads that claim contiguous chunks of worlds. Episodes reset
 * in the same step (the final observation is kept aside) with a seed drawn
 * from the world's own level-sampler stream, so results never depend on the
 * number of threads.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "envs/env.h"
#include "core/pool.h"

#define VEC_MAX_CHUNKS 256
/* Chunks of at least this many worlds: small enough that threads share a
 * batch evenly, large enough that claiming one costs nothing in
 * comparison. */
#define VEC_MIN_CHUNK 16

typedef struct world_acc {
    double ep_return;
    uint32_t ep_length;
    uint32_t ep_achievements; /* OR of the episode's steps' achievement bits */
    uint64_t level;
    int from_block;           /* 1: the episode was reset from a level block */
    int held;                 /* 1: ended, its next level comes later (LUDUS_VEC_LEVEL_LATER) */
    ludus_rng sampler;
    ludus_episode_stats stats;
} world_acc;

struct ludus_vec {
    ludus_env *env;
    int n;
    size_t state_size, obs_size;
    int dims;          /* components of an action */
    size_t mask_size;  /* bytes of a world's legal-action mask, 0: none */
    uint8_t *masks;    /* (N, mask_size), or NULL */
    uint8_t *states; /* (N, state_size), 64-byte aligned slots */
    uint8_t *obs, *terminated, *truncated, *final_obs, *final_mask;
    double *rewards;
    uint32_t *final_achievements; /* (N), owned */
    uint8_t *final_masks;         /* (N, mask_size) the ended episodes' last masks, owned; NULL: no mask */
    int owns[7];
    world_acc *acc;
    uint64_t level_start, level_count;
    ludus_vec_level_fn level_fn;
    void *level_user;
    ludus_vec_level_block_fn block_fn; /* levels as blocks (NULL: seeds only) */
    void *block_user;
    size_t level_size;
    uint8_t *blocks;                    /* (N, level_size) while block_fn is set */
    pool *pool;
    int ready;
    const int32_t *actions; /* the batch being stepped */
    int nchunks;             /* work items per batch, for the pool */
    int errors[VEC_MAX_CHUNKS]; /* per-chunk error code of the last job */
};

#define SLOT(v, i) ((void *)((v)->states + (size_t)(i) * (v)->state_size))

static uint64_t next_level(ludus_vec *v, int i)
{
    world_acc *a = &v->acc[i];
    if (v->level_fn) return v->level_fn(v->level_user, i, &a->sampler);
    if (v->level_count == 0) return ludus_rng_next64(&a->sampler);
    if (v->level_count <= (uint64_t)INT64_MAX)
        return v->level_start + (uint64_t)ludus_rng_integers(&a->sampler, 0, (int64_t)v->level_count);
    /* A range wider than 2^63: unbiased by rejection on 64-bit draws. */
    uint64_t lim = UINT64_MAX - UINT64_MAX % v->level_count, r;
    do r = ludus_rng_next64(&a->sampler);
    while (r >= lim);
    return v->level_start + r % v->level_count;
}

static void chunk_bounds(const ludus_vec *v, int c, int nchunks, int *lo, int *hi)
{
    *lo = (int)((long long)v->n * c / nchunks);
    *hi = (int)((long long)v->n * (c + 1) / nchunks);
}

static int reset_world(ludus_vec *v, int i)
{
    const ludus_env *env = v->env;
    void *st = SLOT(v, i);
    world_acc *a = &v->acc[i];
    a->ep_return = 0;
    a->ep_length = 0;
    a->ep_achievements = 0;
    if (LUDUS_UNLIKELY(v->block_fn != NULL)) {
        uint8_t *block = v->blocks + (size_t)i * v->level_size;
        uint64_t seed = 0;
        int kind = v->block_fn(v->block_user, i, &a->sampler, block, v->level_size, &seed);
        if (kind < 0) return kind;
        a->held = kind == LUDUS_VEC_LEVEL_LATER;
        if (a->held) return LUDUS_OK; /* ludus_vec_reset_world resets it */
        a->level = seed;
        a->from_block = kind == 1;
        if (kind == 1) {
            int rc = ludus_env_reset_level(env, st, block, v->level_size, v->obs + (size_t)i * v->obs_size);
            if (rc != LUDUS_OK) return rc;
            if (v->mask_size) env->ops->action_mask(env, st, v->masks + (size_t)i * v->mask_size);
            return LUDUS_OK;
        }
    } else {
        a->level = next_level(v, i);
        a->from_block = 0;
    }
    int rc = env->ops->reset(env, st, a->level, 1);
    if (rc != LUDUS_OK) return rc;
    env_state_header *h = st;
    h->magic = ENV_STATE_MAGIC;
    h->tag = env->tag;
    env->ops->observe(env, st, v->obs + (size_t)i * v->obs_size);
    if (v->mask_size) env->ops->action_mask(env, st, v->masks + (size_t)i * v->mask_size);
    return LUDUS_OK;
}

static void job_reset(void *ctx, int c, int nchunks)
{
    ludus_vec *v = ctx;
    int lo, hi, rc = LUDUS_OK;
    chunk_bounds(v, c, nchunks, &lo, &hi);
    for (int i = lo; i < hi && rc == LUDUS_OK; i++) {
        rc = reset_world(v, i);
        v->final_mask[i] = 0;
        v->final_achievements[i] = 0;
        v->rewards[i] = 0;
        v->terminated[i] = v->truncated[i] = 0;
    }
    v->errors[c] = rc;
}

/* Step worlds [lo, hi); the first reset error, if any. `multi` is a
 * constant at each call: 0 for one-component worlds without a mask (the
 * loop is then the plain one, no test per world), 1 otherwise. */
static inline __attribute__((always_inline)) int step_range_as(ludus_vec *v, const int32_t *actions, int lo,
                                                               int hi, const int multi)
{
    const ludus_env *env = v->env;
    const size_t osz = v->obs_size;
    const int dims = multi ? v->dims : 1;
    const size_t msz = multi ? v->mask_size : 0;
    int rc = LUDUS_OK;
    for (int i = lo; i < hi; i++) {
        void *st = SLOT(v, i);
        world_acc *a = &v->acc[i];
        ludus_step_out out;
        if (dims == 1) env->ops->step(env, st, actions[i], &out);
        else env->ops->step_vec(env, st, actions + (size_t)i * dims, &out);
        a->ep_return += out.reward;
        a->ep_length++;
        a->ep_achievements |= out.achievements;
        v->rewards[i] = out.reward;
        v->terminated[i] = out.terminated;
        v->truncated[i] = out.truncated;
        if (out.terminated || out.truncated) {
            env->ops->observe(env, st, v->final_obs + (size_t)i * osz);
            if (msz) env->ops->action_mask(env, st, v->final_masks + (size_t)i * msz);
            v->final_mask[i] = 1;
            v->final_achievements[i] = a->ep_achievements;
            ludus_episode_stats *s = &a->stats;
            s->episodes++;
            s->successes += out.success;
            s->steps += a->ep_length;
            s->return_sum += a->ep_return;
            s->return_sq_sum += a->ep_return * a->ep_return;
            s->truncations += !out.terminated;
            int r = reset_world(v, i);
            if (r != LUDUS_OK && rc == LUDUS_OK) rc = r;
        } else {
            v->final_mask[i] = 0;
            v->final_achievements[i] = 0;
            env->ops->observe(env, st, v->obs + (size_t)i * osz);
            if (msz) env->ops->action_mask(env, st, v->masks + (size_t)i * msz);
        }
    }
    return rc;
}

static int step_range(ludus_vec *v, const int32_t *actions, int lo, int hi)
{
    if (v->dims == 1 && !v->mask_size) return step_range_as(v, actions, lo, hi, 0);
    return step_range_as(v, actions, lo, hi, 1);
}

static void job_step(void *ctx, int c, int nchunks)
{
    ludus_vec *v = ctx;
    int lo, hi;
    chunk_bounds(v, c, nchunks, &lo, &hi);
    v->errors[c] = step_range(v, v->actions, lo, hi);
}

static int first_error(const ludus_vec *v)
{
    for (int c = 0; c < v->nchunks; c++)
        if (v->errors[c] != LUDUS_OK) return v->errors[c];
    return LUDUS_OK;
}

/* Check the actions of worlds [lo, hi) (rows of v->dims components) against
 * their ranges and, for worlds with a mask, the current masks. */
static int check_actions(const ludus_vec *v, const int32_t *actions, int lo, int hi)
{
    const ludus_env_info *in = &v->env->info;
    if (v->dims == 1 && !v->mask_size) {
        const int max_action = in->max_action;
        for (int i = lo; i < hi; i++)
            if ((unsigned)actions[i] >= (unsigned)max_action)
                return ludus_err_set(LUDUS_EINVAL, "action %d of world %d is out of range for '%s' (0..%d)",
                               actions[i], i, v->env->id, max_action - 1);
        return LUDUS_OK;
    }
    for (int i = lo; i < hi; i++) {
        const int32_t *a = actions + (size_t)i * v->dims;
        const uint8_t *m = v->mask_size ? v->masks + (size_t)i * v->mask_size : NULL;
        for (int k = 0, off = 0; k < v->dims; off += in->action_nvec[k], k++) {
            int n = v->dims == 1 ? in->max_action : in->action_nvec[k];
            if ((unsigned)a[k] >= (unsigned)n)
                return ludus_err_set(LUDUS_EINVAL, "action component %d of world %d is %d, out of range for '%s' (0..%d)",
                               k, i, a[k], v->env->id, n - 1);
            if (m && a[k] < in->action_nvec[k] && !m[off + a[k]])
                return ludus_err_set(LUDUS_EINVAL, "action component %d = %d of world %d is not legal now in '%s' "
                               "(its mask forbids it)", k, a[k], i, v->env->id);
        }
    }
    return LUDUS_OK;
}

static void *lend_or_alloc(void *lent, size_t bytes, int *owned)
{
    if (lent) {
        *owned = 0;
        return lent;
    }
    *owned = 1;
    return calloc(1, bytes ? bytes : 1);
}

int ludus_vec_create(const ludus_vec_config *cfg, ludus_vec **out)
{
    if (!out) return ludus_err_set(LUDUS_EINVAL, "ludus_vec_create: out is NULL");
    *out = NULL;
    if (!cfg || !cfg->env_id) return ludus_err_set(LUDUS_EINVAL, "ludus_vec_create: no config or env id");
    if (cfg->num_envs < 1 || cfg->num_envs > (1 << 24))
        return ludus_err_set(LUDUS_EINVAL, "num_envs must be in [1, 16777216], got %d", cfg->num_envs);
    int threads = cfg->num_threads ? cfg->num_threads : 1;
    if (threads < 1 || threads > 64)
        return ludus_err_set(LUDUS_EINVAL, "num_threads must be in [1, 64], got %d", cfg->num_threads);
    if (threads > cfg->num_envs) threads = cfg->num_envs;
    if (cfg->world_offset < 0)
        return ludus_err_set(LUDUS_EINVAL, "world_offset must be >= 0, got %d", cfg->world_offset);
    if (cfg->level_count && cfg->level_start > UINT64_MAX - (cfg->level_count - 1))
        return ludus_err_set(LUDUS_EINVAL, "level range [%llu, +%llu) passes 2^64", (unsigned long long)cfg->level_start,
                       (unsigned long long)cfg->level_count);

    ludus_vec *v = calloc(1, sizeof *v);
    if (!v) return ludus_err_set(LUDUS_ENOMEM, "out of memory");
    int rc = ludus_env_make(cfg->env_id, cfg->env_options, &v->env);
    if (rc != LUDUS_OK) goto fail;
    const ludus_env_info *info = &v->env->info;
    size_t n = (size_t)cfg->num_envs;
    v->n = cfg->num_envs;
    v->obs_size = info->obs_size;
    v->state_size = (info->state_size + 63) & ~(size_t)63;
    v->level_start = cfg->level_start;
    v->level_count = cfg->level_count;
    rc = LUDUS_ENOMEM;
    v->states = aligned_alloc(64, v->state_size * n);
    v->acc = calloc(n, sizeof *v->acc);
    v->obs = lend_or_alloc(cfg->obs, n * v->obs_size, &v->owns[0]);
    v->rewards = lend_or_alloc(cfg->rewards, n * sizeof(double), &v->owns[1]);
    v->terminated = lend_or_alloc(cfg->terminated, n, &v->owns[2]);
    v->truncated = lend_or_alloc(cfg->truncated, n, &v->owns[3]);
    v->final_obs = lend_or_alloc(cfg->final_obs, n * v->obs_size, &v->owns[4]);
    v->final_mask = lend_or_alloc(cfg->final_mask, n, &v->owns[5]);
    v->final_achievements = calloc(n, sizeof *v->final_achievements);
    v->dims = info->action_dims;
    v->mask_size = (size_t)info->mask_size;
    if (v->mask_size && !(v->masks = lend_or_alloc(cfg->action_masks, n * v->mask_size, &v->owns[6]))) {
        ludus_err_set(LUDUS_ENOMEM, "out of memory for %d worlds' masks", cfg->num_envs);
        goto fail;
    }
    if (v->mask_size && !(v->final_masks = calloc(n, v->mask_size))) {
        ludus_err_set(LUDUS_ENOMEM, "out of memory for %d worlds' final masks", cfg->num_envs);
        goto fail;
    }
    if (!v->states || !v->acc || !v->obs || !v->rewards || !v->terminated || !v->truncated ||
        !v->final_obs || !v->final_mask || !v->final_achievements) {
        ludus_err_set(LUDUS_ENOMEM, "out of memory for %d worlds", cfg->num_envs);
        goto fail;
    }
    memset(v->states, 0, v->state_size * n);
    /* World i's level stream: SeedSequence([seed lo, seed hi, world_offset + i, 0x5eed]). */
    for (size_t i = 0; i < n; i++) {
        uint32_t words[4] = {(uint32_t)cfg->seed, (uint32_t)(cfg->seed >> 32), (uint32_t)((size_t)cfg->world_offset + i), 0x5eedu};
        ludus_rng_seed_words(&v->acc[i].sampler, words, 4);
    }
    /* Several chunks per thread, so one slow thread costs a chunk, not a
     * slice; one chunk when there is one thread. */
    v->nchunks = threads == 1 ? 1 : cfg->num_envs / VEC_MIN_CHUNK;
    if (v->nchunks > 8 * threads) v->nchunks = 8 * threads;
    if (v->nchunks > VEC_MAX_CHUNKS) v->nchunks = VEC_MAX_CHUNKS;
    if (v->nchunks < threads) v->nchunks = threads;
    v->pool = ludus_pool_create(threads, POOL_SPIN);
    if (!v->pool) {
        ludus_err_set(LUDUS_ENOMEM, "cannot start %d threads", threads);
        goto fail;
    }
    *out = v;
    return LUDUS_OK;
fail:
    ludus_vec_destroy(v);
    return rc;
}

void ludus_vec_destroy(ludus_vec *v)
{
    if (!v) return;
    ludus_pool_destroy(v->pool);
    ludus_env_destroy(v->env);
    free(v->states);
    free(v->acc);
    free(v->final_achievements);
    free(v->final_masks);
    free(v->blocks);
    if (v->owns[0]) free(v->obs);
    if (v->owns[1]) free(v->rewards);
    if (v->owns[2]) free(v->terminated);
    if (v->owns[3]) free(v->truncated);
    if (v->owns[4]) free(v->final_obs);
    if (v->owns[5]) free(v->final_mask);
    if (v->owns[6]) free(v->masks);
    free(v);
}

int ludus_vec_reset(ludus_vec *v)
{
    if (!v) return ludus_err_set(LUDUS_EINVAL, "ludus_vec_reset: vec is NULL");
    ludus_pool_run(v->pool, job_reset, v, v->nchunks);
    int rc = first_error(v);
    v->ready = rc == LUDUS_OK;
    if (rc != LUDUS_OK) return ludus_err_set(rc, "resetting the worlds of '%s' failed", v->env->id);
    return LUDUS_OK;
}

/* LUDUS_ESTATE when a world of [lo, hi) waits for ludus_vec_reset_world
 * (only a block sampler can leave one waiting). */
static int check_held(const ludus_vec *v, int lo, int hi, const char *what)
{
    if (LUDUS_LIKELY(!v->block_fn)) return LUDUS_OK;
    for (int i = lo; i < hi; i++)
        if (v->acc[i].held)
            return ludus_err_set(LUDUS_ESTATE, "%s: world %d waits for its next level (ludus_vec_reset_world)", what, i);
    return LUDUS_OK;
}

int ludus_vec_step(ludus_vec *v, const int32_t *actions)
{
    if (!v || !actions) return ludus_err_set(LUDUS_EINVAL, "ludus_vec_step: NULL argument");
    if (!v->ready) return ludus_err_set(LUDUS_ESTATE, "ludus_vec_step: reset the vec first");
    int rc = check_held(v, 0, v->n, "ludus_vec_step");
    if (rc) return rc;
    rc = check_actions(v, actions, 0, v->n);
    if (rc) return rc;
    v->actions = actions;
    ludus_pool_run(v->pool, job_step, v, v->nchunks);
    v->actions = NULL;
    rc = first_error(v);
    if (rc != LUDUS_OK) {
        v->ready = 0;
        return ludus_err_set(rc, "a world of '%s' failed to reset after its episode", v->env->id);
    }
    return LUDUS_OK;
}

int ludus_vec_step_slice(ludus_vec *v, const int32_t *actions, int first, int count)
{
    if (!v || !actions) return ludus_err_set(LUDUS_EINVAL, "ludus_vec_step_slice: NULL argument");
    if (first < 0 || count < 0 || first > v->n - count)
        return ludus_err_set(LUDUS_EINVAL, "ludus_vec_step_slice: worlds [%d, %d + %d) are not within [0, %d)", first,
                       first, count, v->n);
    if (!v->ready) return ludus_err_set(LUDUS_ESTATE, "ludus_vec_step_slice: reset the vec first");
    int rc = check_held(v, first, first + count, "ludus_vec_step_slice");
    if (rc) return rc;
    rc = check_actions(v, actions, first, first + count);
    if (rc) return rc;
    rc = step_range(v, actions, first, first + count);
    if (rc != LUDUS_OK) return ludus_err_set(rc, "a world of '%s' failed to reset after its episode", v->env->id);
    return LUDUS_OK;
}

const ludus_env *ludus_vec_env(const ludus_vec *v) { return v ? v->env : NULL; }
int ludus_vec_num_envs(const ludus_vec *v) { return v ? v->n : 0; }
uint8_t *ludus_vec_obs(ludus_vec *v) { return v ? v->obs : NULL; }
double *ludus_vec_rewards(ludus_vec *v) { return v ? v->rewards : NULL; }
uint8_t *ludus_vec_terminated(ludus_vec *v) { return v ? v->terminated : NULL; }
uint8_t *ludus_vec_truncated(ludus_vec *v) { return v ? v->truncated : NULL; }
uint8_t *ludus_vec_final_obs(ludus_vec *v) { return v ? v->final_obs : NULL; }
uint8_t *ludus_vec_final_mask(ludus_vec *v) { return v ? v->final_mask : NULL; }
uint8_t *ludus_vec_action_masks(ludus_vec *v) { return v ? v->masks : NULL; }
const uint32_t *ludus_vec_final_achievements(const ludus_vec *v) { return v ? v->final_achievements : NULL; }
const uint8_t *ludus_vec_final_action_masks(const ludus_vec *v) { return v ? v->final_masks : NULL; }

int ludus_vec_episode_progress(const ludus_vec *v, int i, ludus_episode_progress *out)
{
    if (!v || !out || i < 0 || i >= v->n)
        return ludus_err_set(LUDUS_EINVAL, "ludus_vec_episode_progress: %s", !v ? "vec is NULL" : !out ? "out is NULL"
                                                                                   : "world out of range");
    out->length = v->acc[i].ep_length;
    out->achievements = v->acc[i].ep_achievements;
    out->ret = v->acc[i].ep_return;
    return LUDUS_OK;
}

int ludus_vec_set_episode_progress(ludus_vec *v, int i, const ludus_episode_progress *in)
{
    if (!v || !in || i < 0 || i >= v->n)
        return ludus_err_set(LUDUS_EINVAL, "ludus_vec_set_episode_progress: %s", !v ? "vec is NULL" : !in ? "in is NULL"
                                                                                       : "world out of range");
    if (!isfinite(in->ret))
        return ludus_err_set(LUDUS_EINVAL, "ludus_vec_set_episode_progress: the return is not finite");
    v->acc[i].ep_length = in->length;
    v->acc[i].ep_achievements = in->achievements;
    v->acc[i].ep_return = in->ret;
    return LUDUS_OK;
}

void *ludus_vec_state(ludus_vec *v, int i)
{
    if (!v || i < 0 || i >= v->n) return NULL;
    return SLOT(v, i);
}

uint64_t ludus_vec_level(const ludus_vec *v, int i)
{
    if (!v || i < 0 || i >= v->n) return 0;
    return v->acc[i].level;
}

void ludus_vec_stats(const ludus_vec *v, ludus_episode_stats *out)
{
    if (!out) return;
    memset(out, 0, sizeof *out);
    if (!v) return;
    for (int i = 0; i < v->n; i++) {
        const ludus_episode_stats *s = &v->acc[i].stats;
        out->episodes += s->episodes;
        out->successes += s->successes;
        out->steps += s->steps;
        out->return_sum += s->return_sum;
        out->return_sq_sum += s->return_sq_sum;
        out->truncations += s->truncations;
    }
}

void ludus_vec_clear_stats(ludus_vec *v)
{
    if (!v) return;
    for (int i = 0; i < v->n; i++) memset(&v->acc[i].stats, 0, sizeof v->acc[i].stats);
}

int ludus_vec_set_level_fn(ludus_vec *v, ludus_vec_level_fn fn, void *user)
{
    if (!v) return ludus_err_set(LUDUS_EINVAL, "ludus_vec_set_level_fn: vec is NULL");
    v->level_fn = fn;
    v->level_user = user;
    return LUDUS_OK;
}

int ludus_vec_set_level_block_fn(ludus_vec *v, ludus_vec_level_block_fn fn, void *user)
{
    if (!v) return ludus_err_set(LUDUS_EINVAL, "ludus_vec_set_level_block_fn: vec is NULL");
    if (fn && !v->blocks) {
        v->level_size = ludus_env_level_size(v->env);
        /* a world without blocks still gets a slot of one byte, unused */
        v->blocks = calloc((size_t)v->n, v->level_size ? v->level_size : 1);
        if (!v->blocks) return ludus_err_set(LUDUS_ENOMEM, "out of memory for %d worlds' levels", v->n);
    }
    v->block_fn = fn;
    v->block_user = user;
    return LUDUS_OK;
}

int ludus_vec_reset_world(ludus_vec *v, int i)
{
    if (!v) return ludus_err_set(LUDUS_EINVAL, "ludus_vec_reset_world: vec is NULL");
    if (i < 0 || i >= v->n) return ludus_err_set(LUDUS_EINVAL, "ludus_vec_reset_world: world %d is not in [0, %d)", i, v->n);
    if (!v->ready) return ludus_err_set(LUDUS_ESTATE, "ludus_vec_reset_world: reset the vec first");
    int rc = reset_world(v, i);
    if (rc == LUDUS_OK && v->acc[i].held)
        return ludus_err_set(LUDUS_ESTATE, "ludus_vec_reset_world: the level sampler put world %d off again", i);
    if (rc != LUDUS_OK) {
        v->ready = 0;
        return ludus_err_set(rc, "resetting world %d of '%s' failed", i, v->env->id);
    }
    return LUDUS_OK;
}

const uint8_t *ludus_vec_level_block(const ludus_vec *v, int i)
{
    if (!v || i < 0 || i >= v->n || !v->block_fn || !v->level_size || !v->acc[i].from_block) return NULL;
    return v->blocks + (size_t)i * v->level_size;
}
