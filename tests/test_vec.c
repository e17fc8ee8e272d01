/* test_vec.c: batched stepping. The same config gives identical results
 * for 1, 2 and 3 threads; each world's trajectory equals a standalone
 * world replayed from the vec's levels (so auto-reset and final_obs are
 * right, and in Crafter each ended episode's achievement mask is the OR of
 * its steps'); stepping through slices equals stepping the batch; levels
 * stay in the training range; lent buffers are used; bad input is refused.
 */
#include <math.h>
#include <stdlib.h>

#include "check.h"

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

/* Run `steps` batched steps with actions from a fixed stream; hash every
 * buffer after every step. */
static uint64_t run_hash(const char *id, int n, int threads, int steps, uint64_t start, uint64_t count)
{
    ludus_vec_config cfg = {.env_id = id, .num_envs = n, .num_threads = threads,
                            .level_start = start, .level_count = count, .seed = 99};
    ludus_vec *v;
    if (ludus_vec_create(&cfg, &v) != LUDUS_OK) {
        check_fail(__FILE__, __LINE__, "vec_create(%s): %s", id, ludus_errmsg());
        return 0;
    }
    const ludus_env_info *info = ludus_env_get_info(ludus_vec_env(v));
    CHECK_OK(ludus_vec_reset(v));
    ludus_rng act;
    ludus_rng_seed(&act, 5);
    int32_t *a = malloc(sizeof *a * (size_t)n);
    uint64_t h = 1469598103934665603ULL;
    h = fnv(h, ludus_vec_obs(v), (size_t)n * info->obs_size);
    for (int s = 0; s < steps; s++) {
        for (int i = 0; i < n; i++) a[i] = (int32_t)ludus_rng_integers(&act, 0, info->max_action);
        CHECK_OK(ludus_vec_step(v, a));
        h = fnv(h, ludus_vec_obs(v), (size_t)n * info->obs_size);
        h = fnv(h, ludus_vec_rewards(v), (size_t)n * sizeof(double));
        h = fnv(h, ludus_vec_terminated(v), (size_t)n);
        h = fnv(h, ludus_vec_truncated(v), (size_t)n);
        h = fnv(h, ludus_vec_final_mask(v), (size_t)n);
        for (int i = 0; i < n; i++)
            if (ludus_vec_final_mask(v)[i]) h = fnv(h, ludus_vec_final_obs(v) + (size_t)i * info->obs_size, info->obs_size);
    }
    ludus_episode_stats st;
    ludus_vec_stats(v, &st);
    h = fnv(h, &st.episodes, sizeof st.episodes);
    h = fnv(h, &st.return_sum, sizeof st.return_sum);
    free(a);
    ludus_vec_destroy(v);
    return h;
}

static void test_thread_independence(void)
{
    const char *ids[] = {"MiniGrid-DoorKey-5x5-v0", "MiniGrid-Dynamic-Obstacles-6x6-v0", "MiniGrid-LavaGapS5-v0"};
    for (int k = 0; k < 3; k++) {
        uint64_t h1 = run_hash(ids[k], 7, 1, 600, 0, 0);
        uint64_t h2 = run_hash(ids[k], 7, 2, 600, 0, 0);
        uint64_t h3 = run_hash(ids[k], 7, 3, 600, 0, 0);
        CHECK_MSG(h1 == h2 && h2 == h3, "%s: results depend on the thread count", ids[k]);
        CHECK_MSG(h1 != run_hash(ids[k], 7, 1, 600, 1000, 50), "%s: the level range changed nothing", ids[k]);
    }
    /* Many chunks per thread: threads claim chunks in a racy order, and
     * the results still must not change. */
    uint64_t a = run_hash("MiniGrid-Dynamic-Obstacles-8x8-v0", 300, 1, 150, 0, 100);
    CHECK_MSG(a == run_hash("MiniGrid-Dynamic-Obstacles-8x8-v0", 300, 2, 150, 0, 100), "300 worlds: 1 vs 2 threads");
    CHECK_MSG(a == run_hash("MiniGrid-Dynamic-Obstacles-8x8-v0", 300, 3, 150, 0, 100), "300 worlds: 1 vs 3 threads");
}

/* World i of the vec must behave exactly like a standalone world reset
 * with the vec's levels and fed the same actions. */
static void test_matches_single(void)
{
    const char *id = "MiniGrid-LavaGapS5-v0";
    const int n = 5, steps = 400;
    ludus_vec_config cfg = {.env_id = id, .num_envs = n, .num_threads = 2, .level_start = 100, .level_count = 20};
    ludus_vec *v;
    CHECK_OK(ludus_vec_create(&cfg, &v));
    CHECK_OK(ludus_vec_reset(v));
    ludus_env *env;
    CHECK_OK(ludus_env_make(id, NULL, &env));
    const ludus_env_info *info = ludus_env_get_info(env);
    void *st[5];
    uint8_t obs[512];
    for (int i = 0; i < n; i++) {
        st[i] = ludus_env_state_new(env);
        uint64_t lvl = ludus_vec_level(v, i);
        CHECK(lvl >= 100 && lvl < 120);
        CHECK_OK(ludus_env_reset(env, st[i], lvl, obs));
        CHECK(memcmp(obs, ludus_vec_obs(v) + (size_t)i * info->obs_size, info->obs_size) == 0);
    }
    ludus_rng act;
    ludus_rng_seed(&act, 11);
    int32_t a[5];
    int episodes = 0, mismatches = 0;
    for (int s = 0; s < steps; s++) {
        for (int i = 0; i < n; i++) a[i] = (int32_t)ludus_rng_integers(&act, 0, 7);
        CHECK_OK(ludus_vec_step(v, a));
        for (int i = 0; i < n; i++) {
            ludus_step_out out;
            ludus_env_step(env, st[i], a[i], obs, &out);
            const uint8_t *vo = ludus_vec_obs(v) + (size_t)i * info->obs_size;
            if (out.reward != ludus_vec_rewards(v)[i] || out.terminated != ludus_vec_terminated(v)[i] ||
                out.truncated != ludus_vec_truncated(v)[i])
                mismatches++;
            if (out.terminated || out.truncated) {
                episodes++;
                CHECK(ludus_vec_final_mask(v)[i] == 1);
                if (memcmp(obs, ludus_vec_final_obs(v) + (size_t)i * info->obs_size, info->obs_size)) mismatches++;
                uint64_t lvl = ludus_vec_level(v, i);
                CHECK(lvl >= 100 && lvl < 120);
                ludus_env_reset(env, st[i], lvl, obs);
            } else {
                CHECK(ludus_vec_final_mask(v)[i] == 0);
            }
            if (memcmp(obs, vo, info->obs_size)) mismatches++;
        }
    }
    CHECK_EQ(mismatches, 0);
    CHECK_MSG(episodes > 10, "only %d episodes ended: auto-reset barely exercised", episodes);
    ludus_episode_stats stats;
    ludus_vec_stats(v, &stats);
    CHECK_EQ((int)stats.episodes, episodes);
    ludus_vec_clear_stats(v);
    ludus_vec_stats(v, &stats);
    CHECK_EQ((int)stats.episodes, 0);
    for (int i = 0; i < n; i++) free(st[i]);
    ludus_env_destroy(env);
    ludus_vec_destroy(v);
}

/* Crafter through slices of the batch (as a learner's threads step it)
 * against standalone worlds: observations, rewards, and the achievements
 * of every ended episode. Episodes are cut to 60 steps so many end. */
static void test_crafter_slices(void)
{
    const char *id = "Crafter-Reward-v1", *opts = "mode=fast,length=60";
    enum { n = 6, steps = 400 };
    ludus_vec_config cfg = {.env_id = id, .env_options = opts, .num_envs = n, .seed = 3};
    ludus_vec *v;
    CHECK_OK(ludus_vec_create(&cfg, &v));
    int32_t zeros[n] = {0};
    CHECK_ERR(ludus_vec_step_slice(v, zeros, 0, 1), LUDUS_ESTATE);
    CHECK_OK(ludus_vec_reset(v));
    ludus_env *env;
    CHECK_OK(ludus_env_make(id, opts, &env));
    const ludus_env_info *info = ludus_env_get_info(env);
    void *st[n];
    uint8_t obs[128];
    uint32_t mask[n] = {0};
    for (int i = 0; i < n; i++) {
        st[i] = ludus_env_state_new(env);
        CHECK_OK(ludus_env_reset(env, st[i], ludus_vec_level(v, i), obs));
    }
    ludus_rng act;
    ludus_rng_seed(&act, 12);
    int32_t a[n];
    int episodes = 0, unlocked = 0, mismatches = 0;
    for (int s = 0; s < steps; s++) {
        for (int i = 0; i < n; i++) a[i] = (int32_t)ludus_rng_integers(&act, 0, info->max_action);
        CHECK_OK(ludus_vec_step_slice(v, a, 0, 2)); /* slices in any order */
        CHECK_OK(ludus_vec_step_slice(v, a, 5, 1));
        CHECK_OK(ludus_vec_step_slice(v, a, 2, 3));
        CHECK_OK(ludus_vec_step_slice(v, a, 6, 0));
        for (int i = 0; i < n; i++) {
            ludus_step_out out;
            ludus_env_step(env, st[i], a[i], obs, &out);
            mask[i] |= out.achievements;
            if (out.reward != ludus_vec_rewards(v)[i]) mismatches++;
            if (out.terminated || out.truncated) {
                episodes++;
                unlocked += mask[i] != 0;
                if (!ludus_vec_final_mask(v)[i] || ludus_vec_final_achievements(v)[i] != mask[i]) mismatches++;
                mask[i] = 0;
                ludus_env_reset(env, st[i], ludus_vec_level(v, i), obs);
            } else if (ludus_vec_final_mask(v)[i] || ludus_vec_final_achievements(v)[i]) {
                mismatches++;
            }
            if (memcmp(obs, ludus_vec_obs(v) + (size_t)i * info->obs_size, info->obs_size)) mismatches++;
        }
    }
    CHECK_EQ(mismatches, 0);
    CHECK_MSG(episodes >= 30 && unlocked > 5, "%d episodes, %d with achievements: too few to check", episodes,
              unlocked);
    CHECK_ERR(ludus_vec_step_slice(v, a, 4, 3), LUDUS_EINVAL);
    CHECK_ERR(ludus_vec_step_slice(v, a, -1, 2), LUDUS_EINVAL);
    CHECK_ERR(ludus_vec_step_slice(v, NULL, 0, 2), LUDUS_EINVAL);
    a[1] = 17;
    CHECK_ERR(ludus_vec_step_slice(v, a, 0, 2), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "world 1"));
    CHECK_OK(ludus_vec_step_slice(v, a, 2, 4)); /* world 1's bad action is outside this slice */
    for (int i = 0; i < n; i++) free(st[i]);
    ludus_env_destroy(env);
    ludus_vec_destroy(v);
}

static void test_lent_buffers(void)
{
    enum { N = 4 };
    uint8_t obs[N * 148], fobs[N * 148], term[N], trunc[N], mask[N];
    double rew[N];
    ludus_vec_config cfg = {.env_id = "MiniGrid-Empty-5x5-v0", .num_envs = N, .obs = obs, .rewards = rew,
                            .terminated = term, .truncated = trunc, .final_obs = fobs, .final_mask = mask};
    ludus_vec *v;
    CHECK_OK(ludus_vec_create(&cfg, &v));
    CHECK(ludus_vec_obs(v) == obs && ludus_vec_rewards(v) == rew && ludus_vec_final_obs(v) == fobs);
    memset(obs, 0xee, sizeof obs);
    CHECK_OK(ludus_vec_reset(v));
    CHECK(obs[0] != 0xee); /* written in place */
    int32_t a[N] = {2, 2, 2, 2};
    for (int s = 0; s < 3; s++) CHECK_OK(ludus_vec_step(v, a));
    /* Empty-5x5: forward x3 from (1,1) facing east walks into the wall;
     * then right, forward x2 reaches the goal. */
    int32_t r[N] = {1, 1, 1, 1};
    CHECK_OK(ludus_vec_step(v, r));
    CHECK_OK(ludus_vec_step(v, a));
    CHECK_OK(ludus_vec_step(v, a));
    for (int i = 0; i < N; i++) {
        CHECK(term[i] == 1 && mask[i] == 1);
        CHECK(rew[i] == 1.0 - 0.9 * (6.0 / 100.0));
    }
    ludus_vec_destroy(v); /* must not free lent buffers (ASan would catch it) */
}

static void test_bad_input(void)
{
    ludus_vec *v = (ludus_vec *)&v;
    ludus_vec_config cfg = {.env_id = "MiniGrid-Empty-5x5-v0", .num_envs = 0};
    CHECK_ERR(ludus_vec_create(&cfg, &v), LUDUS_EINVAL);
    CHECK(v == NULL);
    cfg.num_envs = 2;
    cfg.num_threads = -1;
    CHECK_ERR(ludus_vec_create(&cfg, &v), LUDUS_EINVAL);
    cfg.num_threads = 2;
    cfg.env_id = "MiniGrid-DoorKey-9x9-v0";
    CHECK_ERR(ludus_vec_create(&cfg, &v), LUDUS_ENOTFOUND);
    CHECK_MSG(strstr(ludus_errmsg(), "MiniGrid-DoorKey-8x8-v0") != NULL, "no suggestion: %s", ludus_errmsg());
    cfg.env_id = "MiniGrid-Empty-5x5-v0";
    cfg.level_start = UINT64_MAX - 3;
    cfg.level_count = 10;
    CHECK_ERR(ludus_vec_create(&cfg, &v), LUDUS_EINVAL);
    cfg.level_start = 0;
    cfg.level_count = 0;
    CHECK_OK(ludus_vec_create(&cfg, &v));
    int32_t a[2] = {0, 0};
    CHECK_ERR(ludus_vec_step(v, a), LUDUS_ESTATE);
    CHECK_OK(ludus_vec_reset(v));
    a[1] = 7;
    CHECK_ERR(ludus_vec_step(v, a), LUDUS_EINVAL);
    a[1] = -1;
    CHECK_ERR(ludus_vec_step(v, a), LUDUS_EINVAL);
    CHECK_ERR(ludus_vec_step(v, NULL), LUDUS_EINVAL);
    CHECK(ludus_vec_state(v, 2) == NULL && ludus_vec_state(v, -1) == NULL);
    ludus_vec_destroy(v);
    ludus_vec_destroy(NULL);
}

static uint64_t every_third(void *user, int world, ludus_rng *rng)
{
    (void)user;
    return 3 * (uint64_t)ludus_rng_integers(rng, 0, 10) + (uint64_t)world % 3;
}

static void test_level_fn(void)
{
    ludus_vec_config cfg = {.env_id = "MiniGrid-Empty-5x5-v0", .num_envs = 6, .num_threads = 2};
    ludus_vec *v;
    CHECK_OK(ludus_vec_create(&cfg, &v));
    CHECK_OK(ludus_vec_set_level_fn(v, every_third, NULL));
    CHECK_OK(ludus_vec_reset(v));
    for (int i = 0; i < 6; i++) CHECK(ludus_vec_level(v, i) % 3 == (uint64_t)i % 3 && ludus_vec_level(v, i) < 30);
    ludus_vec_destroy(v);
}

/* A block sampler that puts levels off (LUDUS_VEC_LEVEL_LATER) while
 * *user is 0, else answers seed 500 + world. */
static int later_hook(void *user, int world, ludus_rng *rng, uint8_t *block, size_t size, uint64_t *seed)
{
    (void)rng, (void)block, (void)size;
    if (!*(int *)user) return LUDUS_VEC_LEVEL_LATER;
    *seed = 500 + (uint64_t)world;
    return 0;
}

/* An ended world whose level comes later keeps the step's outputs, cannot
 * be stepped, and resets with ludus_vec_reset_world from the level the
 * sampler then gives, as ludus_env_reset from that seed would. */
static void test_level_later(void)
{
    ludus_vec_config vc = {.env_id = "MiniGrid-Empty-5x5-v0", .num_envs = 2, .num_threads = 1, .seed = 9};
    ludus_vec *v = NULL;
    CHECK_OK(ludus_vec_create(&vc, &v));
    if (!v) return;
    int now = 1;
    CHECK_OK(ludus_vec_set_level_block_fn(v, later_hook, &now));
    CHECK_ERR(ludus_vec_reset_world(v, 0), LUDUS_ESTATE); /* before the first reset */
    CHECK_OK(ludus_vec_reset(v));
    now = 0;
    int32_t acts[2] = {2, 2}; /* forward until the time limit or the goal */
    int ended = -1;
    for (int t = 0; t < 400 && ended < 0; t++) {
        CHECK_OK(ludus_vec_step(v, acts));
        acts[0] = acts[1] = t % 3 == 0 ? 1 : 2;
        for (int i = 0; i < 2 && ended < 0; i++)
            if (ludus_vec_final_mask(v)[i]) ended = i;
    }
    CHECK(ended >= 0);
    if (ended >= 0) {
        CHECK(ludus_vec_terminated(v)[ended] || ludus_vec_truncated(v)[ended]);
        CHECK_ERR(ludus_vec_step(v, acts), LUDUS_ESTATE);
        CHECK(strstr(ludus_errmsg(), "waits for its next level") != NULL);
        CHECK_ERR(ludus_vec_step_slice(v, acts, ended, 1), LUDUS_ESTATE);
        CHECK_ERR(ludus_vec_reset_world(v, ended), LUDUS_ESTATE); /* put off again */
        now = 1;
        CHECK_OK(ludus_vec_reset_world(v, ended));
        CHECK(ludus_vec_final_mask(v)[ended] == 1); /* the step's outputs stand */
        CHECK_EQ(ludus_vec_level(v, ended), 500 + (uint64_t)ended);
        const ludus_env *env = ludus_vec_env(v);
        void *st = ludus_env_state_new(env);
        size_t D = ludus_env_get_info(env)->obs_size;
        uint8_t *o = malloc(D);
        CHECK_OK(ludus_env_reset(env, st, 500 + (uint64_t)ended, o));
        CHECK(o && memcmp(o, ludus_vec_obs(v) + (size_t)ended * D, D) == 0);
        free(o);
        ludus_free(st);
        for (int i = 0; i < 2; i++) /* the other world may have ended too */
            if (i != ended && ludus_vec_final_mask(v)[i]) CHECK_OK(ludus_vec_reset_world(v, i));
        CHECK_OK(ludus_vec_step(v, acts));
    }
    CHECK_ERR(ludus_vec_reset_world(v, 2), LUDUS_EINVAL);
    CHECK_ERR(ludus_vec_reset_world(NULL, 0), LUDUS_EINVAL);
    ludus_vec_destroy(v);
}

/* The mask of each ended episode's final state is kept through the
 * automatic reset: against a copy of the world stepped alone with the same
 * action (the web worlds truncate at their step limit and have masks). */
static void test_final_action_masks(void)
{
    const char *id = "Web-shop-buy-v0"; /* a site: random actions rarely end it before its limit */
    enum { N = 3 };
    ludus_vec_config cfg = {.env_id = id, .num_envs = N, .num_threads = 1, .level_count = 100, .seed = 4};
    ludus_vec *v = NULL;
    CHECK_OK(ludus_vec_create(&cfg, &v));
    if (!v) return;
    const ludus_env *env = ludus_vec_env(v);
    const ludus_env_info *info = ludus_env_get_info(env);
    const int D = info->action_dims, M = info->mask_size;
    CHECK(M > 0 && ludus_vec_final_action_masks(v) != NULL);
    CHECK_OK(ludus_vec_reset(v));
    void *copy = ludus_env_state_new(env);
    uint8_t *want = malloc((size_t)N * M), *obs = malloc(info->obs_size);
    int32_t act[N * LUDUS_MAX_ACTION_DIMS];
    ludus_rng rng;
    ludus_rng_seed(&rng, 9);
    int ended = 0, truncs = 0, differ = 0, bad = 0;
    for (int t = 0; t < 4000 && truncs < 4; t++) {
        const uint8_t *masks = ludus_vec_action_masks(v);
        for (int i = 0; i < N; i++) {
            /* uniform legal values per component, drawn again (up to 64
             * times) while the action would end the episode, so episodes
             * run to their step limit; the world stepped alone gives the
             * reference mask */
            for (int tries = 0; tries < 64; tries++) {
                for (int k = 0, off = 0; k < D; off += info->action_nvec[k], k++) {
                    int legal = 0;
                    for (int j = 0; j < info->action_nvec[k]; j++) legal += masks[(size_t)i * M + off + j];
                    int pick = legal ? (int)ludus_rng_integers(&rng, 0, legal) : 0, j = 0;
                    for (; j < info->action_nvec[k]; j++)
                        if (masks[(size_t)i * M + off + j] && pick-- == 0) break;
                    act[i * D + k] = j < info->action_nvec[k] ? j : 0;
                }
                CHECK_OK(ludus_env_state_load(env, copy, ludus_vec_state(v, i), info->state_size));
                ludus_step_out so;
                CHECK_OK(ludus_env_step_vec(env, copy, act + i * D, obs, &so));
                CHECK_OK(ludus_env_action_mask(env, copy, want + (size_t)i * M));
                if (!so.terminated) break;
            }
        }
        CHECK_OK(ludus_vec_step(v, act));
        const uint8_t *fm = ludus_vec_final_mask(v), *fmasks = ludus_vec_final_action_masks(v);
        for (int i = 0; i < N; i++) {
            if (!fm[i]) continue;
            ended++;
            truncs += ludus_vec_truncated(v)[i];
            bad += memcmp(fmasks + (size_t)i * M, want + (size_t)i * M, (size_t)M) != 0;
            differ += memcmp(fmasks + (size_t)i * M, ludus_vec_action_masks(v) + (size_t)i * M, (size_t)M) != 0;
        }
    }
    CHECK_MSG(truncs >= 4, "%s: %d truncations in 4000 steps", id, truncs);
    CHECK_MSG(bad == 0, "%s: %d of %d final masks differ from the world's own", id, bad, ended);
    CHECK_MSG(differ > 0, "%s: no final mask differed from the reset's (the test shows nothing)", id);
    free(want);
    free(obs);
    ludus_free(copy);
    ludus_vec_destroy(v);
    /* a world without a mask has none */
    cfg.env_id = "MiniGrid-Empty-5x5-v0";
    CHECK_OK(ludus_vec_create(&cfg, &v));
    CHECK(ludus_vec_final_action_masks(v) == NULL);
    ludus_vec_destroy(v);
}

/* The episode under way can be read and set (a learner that restores the
 * worlds' states restores it too), and the episode then ends with it. */
static void test_episode_progress(void)
{
    ludus_vec_config cfg = {.env_id = "MiniGrid-Empty-5x5-v0", .num_envs = 2, .num_threads = 1, .seed = 1};
    ludus_vec *v = NULL;
    CHECK_OK(ludus_vec_create(&cfg, &v));
    if (!v) return;
    CHECK_OK(ludus_vec_reset(v));
    int32_t acts[2] = {0, 0}; /* turning in place: the episode runs to its limit */
    for (int t = 0; t < 5; t++) CHECK_OK(ludus_vec_step(v, acts));
    ludus_episode_progress pg;
    CHECK_OK(ludus_vec_episode_progress(v, 1, &pg));
    CHECK_EQ(pg.length, 5u);
    CHECK(pg.ret == 0.0 && pg.achievements == 0);
    pg.length = 40;
    pg.ret = 0.25;
    CHECK_OK(ludus_vec_set_episode_progress(v, 1, &pg));
    const uint32_t limit = ludus_env_get_info(ludus_vec_env(v))->max_steps;
    for (uint32_t t = 5; t < limit; t++) CHECK_OK(ludus_vec_step(v, acts));
    ludus_episode_stats es;
    ludus_vec_stats(v, &es);
    CHECK_EQ(es.episodes, 2ull); /* world 0 at its limit, world 1 as if it had run 40 steps */
    CHECK_EQ(es.steps, (uint64_t)limit + 40 + limit - 5);
    CHECK(fabs(es.return_sum - 0.25) < 1e-12);
    CHECK_ERR(ludus_vec_episode_progress(v, 2, &pg), LUDUS_EINVAL);
    CHECK_ERR(ludus_vec_set_episode_progress(NULL, 0, &pg), LUDUS_EINVAL);
    pg.ret = NAN;
    CHECK_ERR(ludus_vec_set_episode_progress(v, 0, &pg), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "not finite") != NULL);
    ludus_vec_destroy(v);
}

int main(void)
{
    test_final_action_masks();
    test_episode_progress();
    test_level_later();
    test_thread_independence();
    test_matches_single();
    test_crafter_slices();
    test_lent_buffers();
    test_bad_input();
    test_level_fn();
    return check_finish("test_vec");
}
