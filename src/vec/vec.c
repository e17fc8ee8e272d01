/* vec.c: INTERIM single-threaded stand-in for the lead's vec/ (branch
 * main), written only so the learners on branch nn can run before it
 * lands; on merge, main's src/vec/ replaces this file whole. It follows
 * ludus.h's contract: same-step auto-reset with final_obs/final_mask and
 * per-world level-sampler streams, so results match any thread count.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

struct ludus_vec {
    ludus_env *env;
    const ludus_env_info *info;
    int n;
    uint64_t level_start, level_count;
    char *states;
    ludus_rng *sampler;
    uint64_t *levels;
    double *ep_return;
    uint32_t *ep_len;
    ludus_episode_stats stats;
    uint8_t *obs, *terminated, *truncated, *final_obs, *final_mask;
    double *rewards;
    uint8_t *owned[5];
    double *owned_rewards;
};

static uint64_t next_level(ludus_vec *v, int i)
{
    if (v->level_count == 0) return ludus_rng_next64(&v->sampler[i]);
    return v->level_start + (uint64_t)ludus_rng_integers(&v->sampler[i], 0, (int64_t)v->level_count);
}

void ludus_vec_destroy(ludus_vec *v)
{
    if (!v) return;
    ludus_env_destroy(v->env);
    free(v->states);
    free(v->sampler);
    free(v->levels);
    free(v->ep_return);
    free(v->ep_len);
    for (int i = 0; i < 5; i++) free(v->owned[i]);
    free(v->owned_rewards);
    free(v);
}

int ludus_vec_create(const ludus_vec_config *cfg, ludus_vec **out)
{
    if (!cfg || !out || cfg->num_envs < 1) return err_set(LUDUS_EINVAL, "vec: bad config");
    ludus_vec *v = calloc(1, sizeof *v);
    if (!v) return err_set(LUDUS_ENOMEM, "vec: out of memory");
    int rc = ludus_env_make(cfg->env_id, cfg->env_options, &v->env);
    if (rc) {
        ludus_vec_destroy(v);
        return rc;
    }
    v->info = ludus_env_get_info(v->env);
    v->n = cfg->num_envs;
    v->level_start = cfg->level_start;
    v->level_count = cfg->level_count;
    size_t n = (size_t)v->n, D = v->info->obs_size;
    v->states = calloc(n, v->info->state_size);
    v->sampler = calloc(n, sizeof *v->sampler);
    v->levels = calloc(n, sizeof *v->levels);
    v->ep_return = calloc(n, sizeof *v->ep_return);
    v->ep_len = calloc(n, sizeof *v->ep_len);
    v->obs = cfg->obs ? cfg->obs : (v->owned[0] = calloc(n, D));
    v->terminated = cfg->terminated ? cfg->terminated : (v->owned[1] = calloc(n, 1));
    v->truncated = cfg->truncated ? cfg->truncated : (v->owned[2] = calloc(n, 1));
    v->final_obs = cfg->final_obs ? cfg->final_obs : (v->owned[3] = calloc(n, D));
    v->final_mask = cfg->final_mask ? cfg->final_mask : (v->owned[4] = calloc(n, 1));
    v->rewards = cfg->rewards ? cfg->rewards : (v->owned_rewards = calloc(n, sizeof(double)));
    if (!v->states || !v->sampler || !v->levels || !v->ep_return || !v->ep_len || !v->obs ||
        !v->terminated || !v->truncated || !v->final_obs || !v->final_mask || !v->rewards) {
        ludus_vec_destroy(v);
        return err_set(LUDUS_ENOMEM, "vec: out of memory");
    }
    for (int i = 0; i < v->n; i++) {
        uint32_t words[3] = {(uint32_t)cfg->seed, (uint32_t)(cfg->seed >> 32), (uint32_t)i};
        ludus_rng_seed_words(&v->sampler[i], words, 3);
    }
    *out = v;
    return LUDUS_OK;
}

int ludus_vec_reset(ludus_vec *v)
{
    size_t D = v->info->obs_size;
    for (int i = 0; i < v->n; i++) {
        v->levels[i] = next_level(v, i);
        int rc = ludus_env_reset(v->env, v->states + (size_t)i * v->info->state_size, v->levels[i],
                                 v->obs + (size_t)i * D);
        if (rc) return rc;
        v->ep_return[i] = 0.0;
        v->ep_len[i] = 0;
    }
    memset(v->final_mask, 0, (size_t)v->n);
    return LUDUS_OK;
}

int ludus_vec_step(ludus_vec *v, const int32_t *actions)
{
    for (int i = 0; i < v->n; i++)
        if (actions[i] < 0 || actions[i] >= v->info->max_action)
            return err_set(LUDUS_EINVAL, "vec: action %d of world %d is outside [0, %d)", actions[i], i,
                           v->info->max_action);
    size_t D = v->info->obs_size;
    for (int i = 0; i < v->n; i++) {
        void *st = v->states + (size_t)i * v->info->state_size;
        uint8_t *o = v->obs + (size_t)i * D;
        ludus_step_out so;
        int rc = ludus_env_step(v->env, st, actions[i], o, &so);
        if (rc) return rc;
        v->rewards[i] = so.reward;
        v->terminated[i] = so.terminated;
        v->truncated[i] = so.truncated;
        v->ep_return[i] += so.reward;
        v->ep_len[i]++;
        v->final_mask[i] = so.terminated || so.truncated;
        if (v->final_mask[i]) {
            memcpy(v->final_obs + (size_t)i * D, o, D);
            v->stats.episodes++;
            v->stats.successes += so.success;
            v->stats.steps += v->ep_len[i];
            v->stats.return_sum += v->ep_return[i];
            v->stats.return_sq_sum += v->ep_return[i] * v->ep_return[i];
            v->stats.truncations += so.truncated && !so.terminated;
            v->levels[i] = next_level(v, i);
            if ((rc = ludus_env_reset(v->env, st, v->levels[i], o))) return rc;
            v->ep_return[i] = 0.0;
            v->ep_len[i] = 0;
        }
    }
    return LUDUS_OK;
}

const ludus_env *ludus_vec_env(const ludus_vec *v) { return v->env; }
int ludus_vec_num_envs(const ludus_vec *v) { return v->n; }
uint8_t *ludus_vec_obs(ludus_vec *v) { return v->obs; }
double *ludus_vec_rewards(ludus_vec *v) { return v->rewards; }
uint8_t *ludus_vec_terminated(ludus_vec *v) { return v->terminated; }
uint8_t *ludus_vec_truncated(ludus_vec *v) { return v->truncated; }
uint8_t *ludus_vec_final_obs(ludus_vec *v) { return v->final_obs; }
uint8_t *ludus_vec_final_mask(ludus_vec *v) { return v->final_mask; }
void *ludus_vec_state(ludus_vec *v, int i) { return v->states + (size_t)i * v->info->state_size; }
uint64_t ludus_vec_level(const ludus_vec *v, int i) { return v->levels[i]; }
void ludus_vec_stats(const ludus_vec *v, ludus_episode_stats *out) { *out = v->stats; }
void ludus_vec_clear_stats(ludus_vec *v) { memset(&v->stats, 0, sizeof v->stats); }
