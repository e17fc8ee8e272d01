/* test_dist.c: the communicator interface without MPI (dist.h). The
 * single-process communicator and the NULL one leave sums and broadcasts
 * as they are and gather by copying (blocks of any length too); shares cut [0, total) into
 * contiguous parts that cover it once, sizes within one of each other;
 * the hash is 64-bit FNV-1a (its published test values); a vec of worlds
 * [k, k + n) of a run (world_offset k) plays the very levels those worlds
 * of the whole vec play, so ranks' level streams are disjoint slices of
 * one run's; and PPO with the single communicator trains what it trains
 * without one.
 */
#include <stdlib.h>

#include "check.h"
#include "learn/ppo_internal.h"
#include "ludus/dist.h"
#include "ludus/learn.h"

static void test_single(void)
{
    ludus_dist *d = NULL;
    CHECK_ERR(ludus_dist_single_create(NULL), LUDUS_EINVAL);
    CHECK_OK(ludus_dist_single_create(&d));
    ludus_dist *both[2] = {NULL, d};
    for (int i = 0; i < 2; i++) {
        ludus_dist *c = both[i];
        CHECK_EQ(ludus_dist_rank(c), 0);
        CHECK_EQ(ludus_dist_size(c), 1);
        float f[2] = {1.5f, -2.0f};
        double g[1] = {3.25};
        CHECK_OK(ludus_dist_allreduce_f32(c, f, 2));
        CHECK_OK(ludus_dist_allreduce_f64(c, g, 1));
        CHECK(f[0] == 1.5f && f[1] == -2.0f && g[0] == 3.25);
        CHECK_ERR(ludus_dist_allreduce_f32(c, NULL, 2), LUDUS_EINVAL);
        CHECK_OK(ludus_dist_bcast(c, f, sizeof f, 0));
        CHECK_ERR(ludus_dist_bcast(c, f, sizeof f, 1), LUDUS_EINVAL);
        int x = 7, y = 0;
        CHECK_OK(ludus_dist_gather(c, &x, sizeof x, &y, 0));
        CHECK_EQ(y, 7);
        CHECK_ERR(ludus_dist_gather(c, &x, sizeof x, NULL, 0), LUDUS_EINVAL);
        CHECK_OK(ludus_dist_barrier(c));
        CHECK_OK(ludus_dist_check_same(c, 1, "values"));
    }
    CHECK_STR(d->name, "single");
    ludus_dist_destroy(d);
    ludus_dist_destroy(NULL);
}

static void test_gather_var(void)
{
    char *out = NULL;
    size_t lens[1] = {99};
    CHECK_OK(ludus_dist_gather_var(NULL, "abc", 3, 0, &out, lens));
    CHECK(out && lens[0] == 3 && strcmp(out, "abc") == 0);
    free(out);
    CHECK_OK(ludus_dist_gather_var(NULL, NULL, 0, 0, &out, lens));
    CHECK(out && lens[0] == 0 && out[0] == 0);
    free(out);
    CHECK_ERR(ludus_dist_gather_var(NULL, "abc", 3, 0, &out, NULL), LUDUS_EINVAL);
    CHECK_ERR(ludus_dist_gather_var(NULL, "abc", 3, 1, &out, lens), LUDUS_EINVAL);
}

static void test_share(void)
{
    long f, n;
    CHECK_ERR(ludus_dist_share(10, 0, 0, &f, &n), LUDUS_EINVAL);
    CHECK_ERR(ludus_dist_share(10, 3, 3, &f, &n), LUDUS_EINVAL);
    CHECK_ERR(ludus_dist_share(10, 3, -1, &f, &n), LUDUS_EINVAL);
    CHECK_ERR(ludus_dist_share(-1, 3, 0, &f, &n), LUDUS_EINVAL);
    CHECK_OK(ludus_dist_share(7, 2, 0, &f, &n));
    CHECK(f == 0 && n == 3);
    CHECK_OK(ludus_dist_share(7, 2, 1, &f, &n));
    CHECK(f == 3 && n == 4);
    for (long total = 0; total < 40; total++)
        for (int parts = 1; parts < 9; parts++) {
            long next = 0, lo = total, hi = 0;
            for (int p = 0; p < parts; p++) {
                CHECK_OK(ludus_dist_share(total, parts, p, &f, &n));
                CHECK(f == next && n >= 0);
                next = f + n;
                if (n < lo) lo = n;
                if (n > hi) hi = n;
            }
            CHECK(next == total && hi - lo <= 1);
        }
}

static void test_hash(void)
{
    /* FNV-1a 64: the published values for "" and "a" and "foobar" */
    CHECK(ludus_dist_hash("", 0) == 0xcbf29ce484222325ull);
    CHECK(ludus_dist_hash("a", 1) == 0xaf63dc4c8601ec8cull);
    CHECK(ludus_dist_hash("foobar", 6) == 0x85944171f73967e8ull);
}

static void test_world_offset(void)
{
    const char *id = "MiniGrid-Empty-5x5-v0";
    ludus_vec_config all = {.env_id = id, .num_envs = 6, .level_count = 1000, .seed = 9};
    ludus_vec_config part = all;
    part.num_envs = 2;
    part.world_offset = 3;
    ludus_vec *a = NULL, *b = NULL;
    CHECK_OK(ludus_vec_create(&all, &a));
    CHECK_OK(ludus_vec_create(&part, &b));
    if (a && b) {
        CHECK_OK(ludus_vec_reset(a));
        CHECK_OK(ludus_vec_reset(b));
        int32_t act[6] = {2, 2, 2, 2, 2, 2}; /* forward: episodes end by the time limit */
        for (int t = 0; t < 300; t++) {
            CHECK_OK(ludus_vec_step(a, act));
            CHECK_OK(ludus_vec_step(b, act + 3));
            for (int i = 0; i < 2; i++)
                CHECK_MSG(ludus_vec_level(a, 3 + i) == ludus_vec_level(b, i), "step %d world %d", t, 3 + i);
        }
        CHECK(ludus_vec_level(a, 3) != ludus_vec_level(a, 0) || ludus_vec_level(a, 4) != ludus_vec_level(a, 1));
    }
    ludus_vec_destroy(a);
    ludus_vec_destroy(b);
    part.world_offset = -1;
    CHECK_ERR(ludus_vec_create(&part, &b), LUDUS_EINVAL);
}

static void test_ppo_single(void)
{
    ludus_ppo_config c;
    ludus_ppo_config_default(&c, "MiniGrid-Empty-5x5-v0");
    c.num_envs = 4, c.num_steps = 16, c.minibatches = 2, c.total_steps = 10000;
    ludus_dist *d = NULL;
    ludus_ppo *p = NULL, *q = NULL;
    CHECK_OK(ludus_dist_single_create(&d));
    CHECK_OK(ludus_ppo_create_dist(&c, d, &p));
    CHECK_OK(ludus_ppo_create(&c, &q));
    if (p && q) {
        ludus_ppo_metrics m;
        for (int u = 0; u < 2; u++) {
            CHECK_OK(ludus_ppo_update(p, &m));
            CHECK_OK(ludus_ppo_update(q, &m));
        }
        const policy *a = ludus_ppo_policy_const(p), *b = ludus_ppo_policy_const(q);
        CHECK(memcmp(a->params.data, b->params.data, a->params.size * sizeof(float)) == 0);
    }
    ludus_ppo_destroy(p);
    ludus_ppo_destroy(q);
    ludus_dist_destroy(d);
}

int main(void)
{
    test_single();
    test_share();
    test_gather_var();
    test_hash();
    test_world_offset();
    test_ppo_single();
    return check_finish("test_dist");
}
