/* test_mpi_ppo.c: DD-PPO over Open MPI, run by CTest as `mpirun -np 2`.
 * The communicator's collectives against their definitions (gathers of
 * blocks of different lengths among them); then, for a
 * grid world, a recurrent one (memory, BPTT, advantage normalisation) with
 * an instruction and Crafter (achievements gathered over ranks): after
 * every update both ranks hold parameters with the same hash, and that
 * hash equals the one of the single-process learner with 2 threads over
 * the same total worlds (the same partial gradients added in the same
 * order, ppo.c); episode counts and achievement counts equal the
 * single-process ones, losses agree to 1e-9 (their sums are associated
 * differently). A rank whose parameters were changed is caught by the
 * per-update hash check on every rank. Fewer worlds than ranks is refused.
 */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "learn/policy.h"
#include "learn/ppo_internal.h"
#include "ludus/dist.h"
#include "ludus/learn.h"
#include "mpi/dist_mpi.h"

static ludus_dist *D;

static void test_collectives(void)
{
    const int rank = ludus_dist_rank(D), size = ludus_dist_size(D);
    CHECK_EQ(size, 2);
    CHECK_STR(D->name, "mpi");
    float f[3] = {1.5f + (float)rank, -2.0f, 0.25f * (float)rank};
    CHECK_OK(ludus_dist_allreduce_f32(D, f, 3));
    CHECK(f[0] == 4.0f && f[1] == -4.0f && f[2] == 0.25f);
    double g[2] = {1e300 * (rank ? -1 : 1), (double)rank};
    CHECK_OK(ludus_dist_allreduce_f64(D, g, 2));
    CHECK(g[0] == 0.0 && g[1] == 1.0);
    char text[16] = "";
    if (rank == 0) snprintf(text, sizeof text, "from rank 0");
    CHECK_OK(ludus_dist_bcast(D, text, sizeof text, 0));
    CHECK_STR(text, "from rank 0");
    int mine = 10 + rank, all[2] = {0, 0};
    CHECK_OK(ludus_dist_gather(D, &mine, sizeof mine, all, 1));
    if (rank == 1) CHECK(all[0] == 10 && all[1] == 11);
    CHECK_OK(ludus_dist_barrier(D));
    CHECK_ERR(ludus_dist_bcast(D, text, 1, 2), LUDUS_EINVAL);
    /* blocks of different lengths (rank 1's empty, then longer) in rank order */
    const char *say[2][2] = {{"zero", ""}, {"r0", "rank one says more"}};
    for (int t = 0; t < 2; t++) {
        char *out = NULL;
        size_t lens[2] = {0, 0};
        CHECK_OK(ludus_dist_gather_var(D, say[t][rank], strlen(say[t][rank]), 0, &out, lens));
        if (rank == 0) {
            char want[64];
            snprintf(want, sizeof want, "%s%s", say[t][0], say[t][1]);
            CHECK(out && strcmp(out, want) == 0 && lens[0] == strlen(say[t][0]) && lens[1] == strlen(say[t][1]));
        } else {
            CHECK(out == NULL);
        }
        free(out);
    }
    CHECK_OK(ludus_dist_check_same(D, 42, "values"));
    CHECK_ERR(ludus_dist_check_same(D, 42 + (uint64_t)rank, "values"), LUDUS_ESTATE);
    CHECK(strstr(ludus_errmsg(), "rank 1") != NULL);
}

static uint64_t param_hash(ludus_ppo *p)
{
    const policy *pol = ludus_ppo_policy_const(p);
    return ludus_dist_hash(pol->params.data, pol->params.size * sizeof(float));
}

static int close_to(double a, double b)
{
    return (isnan(a) && isnan(b)) || fabs(a - b) <= 1e-9 * (1.0 + fabs(a));
}

/* The same config on 2 ranks x 1 thread and on 1 process x 2 threads. */
static void compare(ludus_ppo_config c, int updates, const char *what)
{
    ludus_ppo *dp = NULL, *sp = NULL;
    c.layout_exact = 1; /* the single process cuts its batches as the ranks do */
    c.num_threads = 1;
    CHECK_OK(ludus_ppo_create_dist(&c, D, &dp));
    c.num_threads = 2;
    CHECK_OK(ludus_ppo_create(&c, &sp));
    if (!dp || !sp) goto done;
    CHECK_OK(ludus_dist_check_same(D, param_hash(dp), "initial parameters"));
    CHECK(param_hash(dp) == param_hash(sp));
    for (int u = 0; u < updates; u++) {
        ludus_ppo_metrics dm, sm;
        CHECK_OK(ludus_ppo_update(dp, &dm));
        CHECK_OK(ludus_ppo_update(sp, &sm));
        uint64_t h = param_hash(dp);
        CHECK_MSG(ludus_dist_check_same(D, h, "parameters") == LUDUS_OK, "%s update %d: %s", what, u + 1,
                  ludus_errmsg());
        CHECK_MSG(h == param_hash(sp), "%s update %d: 2 ranks x 1 thread differ from 1 x 2", what, u + 1);
        CHECK(dm.steps == sm.steps && dm.steps == (uint64_t)(u + 1) * c.num_envs * c.num_steps);
        CHECK_MSG(dm.episodes == sm.episodes, "%s: %llu episodes vs %llu", what, (unsigned long long)dm.episodes,
                  (unsigned long long)sm.episodes);
        CHECK(close_to(dm.ret, sm.ret) && close_to(dm.length, sm.length));
        CHECK(close_to(dm.policy_loss, sm.policy_loss) && close_to(dm.value_loss, sm.value_loss));
        CHECK(close_to(dm.entropy, sm.entropy) && close_to(dm.approx_kl, sm.approx_kl));
        CHECK(dm.grad_norm == sm.grad_norm);
        CHECK(dm.num_achievements == sm.num_achievements);
        CHECK(memcmp(dm.achievements, sm.achievements, sizeof dm.achievements) == 0);
        CHECK(close_to(dm.score, sm.score));
    }
done:
    ludus_ppo_destroy(dp);
    ludus_ppo_destroy(sp);
}

static void small(ludus_ppo_config *c, const char *id)
{
    ludus_ppo_config_default(c, id);
    c->num_envs = 8;
    c->num_steps = 32;
    c->minibatches = 4;
    c->epochs = 2;
    c->total_steps = 100000;
}

static void test_same_as_threads(void)
{
    ludus_ppo_config c;
    small(&c, "MiniGrid-Empty-5x5-v0");
    compare(c, 3, "Empty-5x5");
    c.num_envs = 7; /* shares of 3 and 4 worlds */
    c.minibatches = 7;
    compare(c, 2, "Empty-5x5 with 7 worlds");
    small(&c, "BabyAI-GoToLocal-v0");
    c.arch.memory = 16;
    c.recurrence = 8;
    c.norm_adv = 1;
    compare(c, 2, "GoToLocal with memory");
    ludus_ppo_config_default(&c, "Crafter-Reward-v1");
    c.num_envs = 4;
    c.num_steps = 64;
    c.minibatches = 2;
    c.epochs = 1;
    snprintf(c.env_options, sizeof c.env_options, "mode=fast,length=40");
    compare(c, 2, "Crafter");
}

static void test_divergence_caught(void)
{
    ludus_ppo_config c;
    small(&c, "MiniGrid-Empty-5x5-v0");
    c.num_threads = 1;
    ludus_ppo *p = NULL;
    ludus_ppo_metrics m;
    CHECK_OK(ludus_ppo_create_dist(&c, D, &p));
    if (!p) return;
    CHECK_OK(ludus_ppo_update(p, &m));
    if (ludus_dist_rank(D) == 1) ludus_ppo_policy(p)->params.data[0] += 1.0f;
    CHECK_ERR(ludus_ppo_update(p, &m), LUDUS_ESTATE);
    CHECK(strstr(ludus_errmsg(), "rank 1's parameters differ") != NULL);
    ludus_ppo_destroy(p);
    c.num_envs = 1;
    c.minibatches = 1;
    CHECK_ERR(ludus_ppo_create_dist(&c, D, &p), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "at least one per rank") != NULL);
}

int main(int argc, char **argv)
{
    if (ludus_dist_mpi_create(&argc, &argv, &D)) {
        fprintf(stderr, "test_mpi_ppo: %s\n", ludus_errmsg());
        return 1;
    }
    test_collectives();
    test_same_as_threads();
    test_divergence_caught();
    char name[32];
    snprintf(name, sizeof name, "test_mpi_ppo (rank %d)", ludus_dist_rank(D));
    int failed = check_finish(name);
    /* every rank's verdict: one failing rank fails the test */
    double f = failed ? 1 : 0;
    if (ludus_dist_allreduce_f64(D, &f, 1)) f = 1;
    ludus_dist_destroy(D);
    return f > 0;
}
