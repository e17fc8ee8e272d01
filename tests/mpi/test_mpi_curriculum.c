/* test_mpi_curriculum.c: curricula over ranks, run by CTest as
 * `mpirun -np 2`. Every rank keeps a replica of the curriculum fed with
 * every rank's episodes in the run's world order (ppo.c), so for each
 * curriculum (uniform, PLR on a finite seed set and on blocks, Robust PLR,
 * ACCEL, ALP-GMM) a run on 2 ranks x 1 thread and a run on 1 process x 2
 * threads with layout_exact give, after every update, the same
 * parameters, the same metrics (the curriculum's columns among them), and
 * curriculum states that save to the same bytes; both ranks' states are
 * the same (hashed). A rank whose replica was changed is caught by the
 * per-update check. The allgather against its definition.
 */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "learn/curriculum_internal.h"
#include "learn/policy.h"
#include "learn/ppo_internal.h"
#include "ludus/curriculum.h"
#include "ludus/dist.h"
#include "ludus/learn.h"
#include "mpi/dist_mpi.h"

static ludus_dist *D;

static void test_allgather(void)
{
    const int rank = ludus_dist_rank(D);
    int mine[2] = {10 + rank, -rank}, all[4] = {0, 0, 0, 0};
    CHECK_OK(ludus_dist_allgather(D, mine, sizeof mine, all));
    CHECK(all[0] == 10 && all[1] == 0 && all[2] == 11 && all[3] == -1);
    CHECK_ERR(ludus_dist_allgather(D, NULL, 4, all), LUDUS_EINVAL);
    /* a table without allgather: gather to rank 0, then broadcast */
    int (*own)(ludus_dist *, const void *, size_t, void *) = D->allgather;
    D->allgather = NULL;
    memset(all, 0, sizeof all);
    mine[1] = 7 * rank;
    CHECK_OK(ludus_dist_allgather(D, mine, sizeof mine, all));
    CHECK(all[0] == 10 && all[1] == 0 && all[2] == 11 && all[3] == 7);
    D->allgather = own;
    /* the one-process forms copy */
    int one[4] = {0, 0, 0, 0};
    CHECK_OK(ludus_dist_allgather(NULL, mine, sizeof mine, one));
    CHECK(one[0] == mine[0] && one[1] == mine[1] && one[2] == 0);
}

static uint64_t param_hash(ludus_ppo *p)
{
    const policy *pol = ludus_ppo_policy_const(p);
    return ludus_dist_hash(pol->params.data, pol->params.size * sizeof(float));
}

/* The curriculum's saved state, and its hash (0 on failure). */
static uint64_t state_of(ludus_ppo *p, uint8_t **blob, size_t *size)
{
    *blob = NULL;
    *size = 0;
    if (ludus_curriculum_save(ludus_ppo_curriculum(p), blob, size)) return 0;
    return ludus_dist_hash(*blob, *size);
}

static int same_double(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

static void compare(ludus_ppo_config c, int updates, const char *what)
{
    ludus_ppo *dp = NULL, *sp = NULL;
    c.layout_exact = 1;
    c.num_threads = 1;
    CHECK_OK(ludus_ppo_create_dist(&c, D, &dp));
    c.num_threads = 2;
    CHECK_OK(ludus_ppo_create(&c, &sp));
    if (!dp || !sp) goto done;
    int replay = 0, skipped = 0;
    for (int u = 0; u < updates; u++) {
        ludus_ppo_metrics dm, sm;
        CHECK_OK(ludus_ppo_update(dp, &dm));
        CHECK_OK(ludus_ppo_update(sp, &sm));
        uint64_t h = param_hash(dp);
        CHECK_MSG(h == param_hash(sp), "%s update %d: 2 ranks x 1 thread trained other parameters than 1 x 2", what,
                  u + 1);
        uint8_t *db, *sb;
        size_t dn, sn;
        uint64_t dh = state_of(dp, &db, &dn);
        state_of(sp, &sb, &sn);
        CHECK_MSG(db && sb && dn == sn && memcmp(db, sb, dn) == 0,
                  "%s update %d: the ranks' curriculum state (%zu bytes) is not the single process's (%zu)", what,
                  u + 1, dn, sn);
        CHECK_MSG(ludus_dist_check_same(D, dh, "curriculum states") == LUDUS_OK, "%s update %d: %s", what, u + 1,
                  ludus_errmsg());
        ludus_free(db);
        ludus_free(sb);
        CHECK(dm.episodes == sm.episodes && same_double(dm.ret, sm.ret) && dm.trained == sm.trained);
        CHECK(same_double(dm.grad_norm, sm.grad_norm));
        const ludus_curriculum_stats *a = &dm.curriculum, *b = &sm.curriculum;
        CHECK_MSG(same_double(a->replay_fraction, b->replay_fraction) && a->levels_seen == b->levels_seen &&
                      a->buffer_fill == b->buffer_fill && same_double(a->score_mean, b->score_mean) &&
                      same_double(a->score_max, b->score_max) && same_double(a->replay_entropy, b->replay_entropy) &&
                      a->batch_kind == b->batch_kind && a->gmm_k == b->gmm_k,
                  "%s update %d: the curriculum's columns differ", what, u + 1);
        replay += a->batch_kind != 0 || a->replay_fraction > 0;
        skipped += !dm.trained;
    }
    /* the runs exercised the curriculum: replays happened */
    CHECK_MSG(replay > 0 || strcmp(c.curriculum, "uniform") == 0 || strcmp(c.curriculum, "alp-gmm") == 0,
              "%s: no batch replayed a level", what);
    if (strcmp(c.curriculum, "robust-plr") == 0) CHECK_MSG(skipped > 0, "%s: no exploratory batch", what);
done:
    ludus_ppo_destroy(dp);
    ludus_ppo_destroy(sp);
}

static void maze(ludus_ppo_config *c, const char *cur)
{
    ludus_ppo_config_default(c, "Maze-v0");
    c->num_envs = 6;
    c->num_steps = 32;
    c->minibatches = 2;
    c->epochs = 1;
    c->total_steps = 100000;
    snprintf(c->curriculum, sizeof c->curriculum, "%s", cur);
    c->curriculum_knobs.buffer_size = 8;
    c->curriculum_knobs.rho = 0.2f;
}

static void test_same_as_threads(void)
{
    ludus_ppo_config c;
    maze(&c, "robust-plr");
    compare(c, 8, "robust-plr");
    maze(&c, "accel");
    compare(c, 8, "accel");
    maze(&c, "plr");
    /* without PLR's sequential start, so that six short updates replay
     * levels; "plr on 10 seeds" below keeps the default sequential start */
    c.curriculum_knobs.sequential_start = 0;
    compare(c, 6, "plr on blocks");
    maze(&c, "uniform");
    compare(c, 3, "uniform");
    maze(&c, "alp-gmm");
    snprintf(c.curriculum_knobs.alp_option, sizeof c.curriculum_knobs.alp_option, "walls");
    c.curriculum_knobs.alp_fit_rate = 10;
    c.curriculum_knobs.alp_max_k = 3;
    compare(c, 6, "alp-gmm");
    /* seeds of a finite set, 7 worlds (shares of 3 and 4), short episodes */
    ludus_ppo_config_default(&c, "MiniGrid-Empty-5x5-v0");
    c.num_envs = 7;
    c.num_steps = 32;
    c.minibatches = 7;
    c.epochs = 1;
    c.total_steps = 100000;
    c.train_levels = 10;
    snprintf(c.curriculum, sizeof c.curriculum, "plr");
    compare(c, 6, "plr on 10 seeds");
}

static void test_divergence_caught(void)
{
    ludus_ppo_config c;
    maze(&c, "plr");
    c.num_threads = 1;
    ludus_ppo *p = NULL;
    ludus_ppo_metrics m;
    CHECK_OK(ludus_ppo_create_dist(&c, D, &p));
    if (!p) return;
    CHECK_OK(ludus_ppo_update(p, &m));
    /* a counter no decision reads: the ranks stay in step, the hash differs */
    if (ludus_dist_rank(D) == 1) ludus_ppo_curriculum(p)->levels_seen += 1;
    CHECK_ERR(ludus_ppo_update(p, &m), LUDUS_ESTATE);
    CHECK(strstr(ludus_errmsg(), "rank 1's curriculum state bytes differ") != NULL);
    ludus_ppo_destroy(p);
}

int main(int argc, char **argv)
{
    if (ludus_dist_mpi_create(&argc, &argv, &D)) {
        fprintf(stderr, "test_mpi_curriculum: %s\n", ludus_errmsg());
        return 1;
    }
    test_allgather();
    test_same_as_threads();
    test_divergence_caught();
    char name[40];
    snprintf(name, sizeof name, "test_mpi_curriculum (rank %d)", ludus_dist_rank(D));
    int failed = check_finish(name);
    double f = failed ? 1 : 0;
    if (ludus_dist_allreduce_f64(D, &f, 1)) f = 1;
    ludus_dist_destroy(D);
    return f > 0;
}
