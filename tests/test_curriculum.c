/* test_curriculum.c: the curricula (curriculum.h) against reference models
 * of their math written here, with fixed seeds: PLR's replay distribution
 * (rank and power with temperature, staleness mixing, ties by lower
 * index) and its replay decisions draw for draw; Robust PLR's admission by
 * score and its skipped gradients; ACCEL's edits and lineage; ALP and the
 * GMM fit with AIC selection; the state saved and loaded exactly (and PPO
 * resumed with Robust PLR and ACCEL giving the straight run's files);
 * levels as blocks through the vec; bad input as one-line errors.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ludus/curriculum.h"
#include "ludus/learn.h"
#include "ludus/learner.h"
#include "ludus/run.h"

static ludus_env *make(const char *id, const char *opts)
{
    ludus_env *e = NULL;
    CHECK_OK(ludus_env_make(id, opts, &e));
    return e;
}

static int report1(ludus_curriculum *c, int w, double score, int ended, double ret)
{
    ludus_curriculum_segment s = {.steps = 1, .ended = ended, .episode_return = ret, .abs_adv = score,
                                  .pos_adv = score};
    return ludus_curriculum_report(c, w, &s);
}

/* ---- PLR's reference model ---------------------------------------------- */

typedef struct ref_plr {
    int n;               /* levels */
    double score[64];
    int seen[64];
    uint64_t last[64], clock;
    double beta, rho_s;  /* temperature, staleness coefficient */
    int rank;
} ref_plr;

static void ref_dist(const ref_plr *r, double *p)
{
    int ord[64], m = 0;
    double sum = 0;
    for (int i = 0; i < r->n; i++) {
        p[i] = 0;
        if (r->seen[i]) ord[m++] = i;
    }
    if (!m) return;
    if (r->rank) {
        /* rank 1 the highest score; ties: lower index first */
        for (int k = 0; k < m; k++) {
            int i = ord[k], rank = 1;
            for (int q = 0; q < m; q++) {
                int j = ord[q];
                if (r->score[j] > r->score[i] || (r->score[j] == r->score[i] && j < i)) rank++;
            }
            sum += p[i] = pow(rank, -1.0 / r->beta);
        }
    } else {
        double eps = r->rho_s > 0 ? 0 : 1e-3;
        for (int k = 0; k < m; k++) sum += p[ord[k]] = pow(fmax(r->score[ord[k]], 0) + eps, 1.0 / r->beta);
    }
    for (int k = 0; k < m; k++) p[ord[k]] = sum > 0 ? p[ord[k]] / sum : 1.0 / m;
    if (r->rho_s > 0) {
        double ss = 0;
        for (int k = 0; k < m; k++) ss += (double)(r->clock - r->last[ord[k]]);
        for (int k = 0; k < m; k++) {
            int i = ord[k];
            double pc = ss > 0 ? (double)(r->clock - r->last[i]) / ss : 1.0 / m;
            p[i] = (1 - r->rho_s) * p[i] + r->rho_s * pc;
        }
    }
}

/* PLR over a finite seed set, draw for draw against the reference (its
 * stream is SeedSequence([seed lo, seed hi, 0xc0bb, 0x12])). */
static void test_plr_reference(const char *prio, float beta, float stale, const char *schedule, float rho,
                               float replay_prob, int seq)
{
    ludus_env *env = make("MiniGrid-Empty-5x5-v0", NULL);
    ludus_curriculum_config k;
    ludus_curriculum_config_default(&k);
    snprintf(k.prioritization, sizeof k.prioritization, "%s", prio);
    snprintf(k.schedule, sizeof k.schedule, "%s", schedule);
    k.temperature = beta;
    k.staleness_coef = stale;
    k.rho = rho;
    k.replay_prob = replay_prob;
    k.sequential_start = seq;
    const int L = 7;
    const uint64_t seed = 11, start = 100;
    ludus_curriculum *c = NULL;
    CHECK_OK(ludus_curriculum_create("plr", &k, env, NULL, 1, start, L, seed, &c));
    if (!c) return;
    ref_plr r = {.n = L, .beta = beta, .rho_s = stale, .rank = strcmp(prio, "rank") == 0};
    ludus_rng rng;
    uint32_t w[4] = {(uint32_t)seed, 0, 0xc0bbu, 0x12u};
    ludus_rng_seed_words(&rng, w, 4);
    int replays = 0, mismatches = 0;
    for (int step = 0; step < 60; step++) {
        int want = -1;
        if (seq && step == 0) {
            /* level-replay's first reset: strategy 'sequential', the set's
             * first level, no random draw, no staleness update */
            want = 0;
            goto drawn;
        }
        /* the reference's draw */
        int seen = 0;
        for (int i = 0; i < L; i++) seen += r.seen[i];
        double pseen = (double)seen / L, u = ludus_rng_random(&rng);
        int replay = seen > 0 && pseen >= rho &&
                     (strcmp(schedule, "proportionate") == 0 ? u < pseen : (u < replay_prob || seen == L));
        if (replay || seen == L) {
            double p[64], acc = 0, u2 = ludus_rng_random(&rng);
            ref_dist(&r, p);
            for (int i = 0; i < L; i++) {
                if (p[i] <= 0) continue;
                acc += p[i];
                want = i;
                if (u2 < acc) break;
            }
            replays++;
        } else {
            int64_t kth = ludus_rng_integers(&rng, 0, L - seen);
            for (int i = 0; i < L; i++)
                if (!r.seen[i] && kth-- == 0) {
                    want = i;
                    break;
                }
        }
        r.last[want] = ++r.clock;
    drawn:;
        /* ludus's */
        uint64_t got;
        int hb;
        CHECK_OK(ludus_curriculum_begin_batch(c, NULL));
        CHECK_OK(ludus_curriculum_next(c, 0, &got, NULL, &hb));
        if (got != start + (uint64_t)want) mismatches++;
        /* scores with ties; alpha 1 replaces */
        double s = ((want * 7 + step * 3) % 5) * 0.1;
        r.score[want] = s;
        r.seen[want] = 1;
        CHECK_OK(report1(c, 0, s, 1, 0));
        CHECK_OK(ludus_curriculum_end_batch(c));
        double p[64], q[64];
        ref_dist(&r, p);
        CHECK_EQ(ludus_curriculum_replay_dist(c, q, 64), L);
        for (int i = 0; i < L; i++)
            CHECK_MSG(fabs(p[i] - q[i]) < 1e-12, "%s beta %g stale %g step %d: P(%d) %.15g, reference %.15g", prio,
                      (double)beta, (double)stale, step, i, q[i], p[i]);
    }
    CHECK_MSG(mismatches == 0, "%s/%s: %d of 60 draws differ from the reference's", prio, schedule, mismatches);
    CHECK(replays > 10);
    ludus_curriculum_destroy(c);
    ludus_env_destroy(env);
}

/* ---- Robust PLR: admission by score, no exploratory gradient ----------- */

static void test_robust_admission(void)
{
    ludus_env *env = make("MiniGrid-Empty-5x5-v0", NULL);
    ludus_curriculum_config k;
    ludus_curriculum_config_default(&k);
    snprintf(k.score, sizeof k.score, "value_l1");
    k.buffer_size = 3;
    k.rho = 1.0f; /* no replay until the buffer is full */
    ludus_curriculum *c = NULL;
    CHECK_OK(ludus_curriculum_create("robust-plr", &k, env, NULL, 4, 0, 0, 5, &c));
    if (!c) return;
    CHECK_EQ(ludus_curriculum_batch_resets(c), 1);
    /* batch 1: four new levels scored 0.3, 0.1, 0.2, 0.25: the first three
     * fill the buffer, the fourth replaces the lowest (0.1) */
    int train = -1;
    uint64_t seeds[4];
    int hb;
    CHECK_OK(ludus_curriculum_begin_batch(c, &train));
    CHECK_EQ(train, 0);
    for (int w = 0; w < 4; w++) CHECK_OK(ludus_curriculum_next(c, w, &seeds[w], NULL, &hb));
    const double s1[4] = {0.3, 0.1, 0.2, 0.25};
    for (int w = 0; w < 4; w++) CHECK_OK(report1(c, w, s1[w], 0, 0));
    CHECK_OK(ludus_curriculum_end_batch(c));
    ludus_curriculum_slot sl;
    const int want_slot[3] = {0, 3, 2}; /* slot i holds world want_slot[i]'s level */
    for (int i = 0; i < 3; i++) {
        CHECK_OK(ludus_curriculum_slot_at(c, i, &sl));
        CHECK_EQ(sl.seed, seeds[want_slot[i]]);
        CHECK(fabs(sl.score - s1[want_slot[i]]) < 1e-15);
    }
    /* batch 2 (the buffer is full: rho 1 allows replay with p 0.5) */
    ludus_curriculum_stats st;
    int kinds[2] = {0, 0};
    for (int b = 0; b < 40; b++) {
        CHECK_OK(ludus_curriculum_begin_batch(c, &train));
        ludus_curriculum_slot before[3];
        for (int i = 0; i < 3; i++) CHECK_OK(ludus_curriculum_slot_at(c, i, &before[i]));
        for (int w = 0; w < 4; w++) CHECK_OK(ludus_curriculum_next(c, w, &seeds[w], NULL, &hb));
        double sc[4];
        for (int w = 0; w < 4; w++) sc[w] = ((b * 4 + w) % 7) * 0.05;
        for (int w = 0; w < 4; w++) CHECK_OK(report1(c, w, sc[w], 0, 0));
        CHECK_OK(ludus_curriculum_end_batch(c));
        ludus_curriculum_get_stats(c, &st);
        kinds[st.batch_kind]++;
        CHECK_EQ(train, st.batch_kind == 1);
        if (st.batch_kind == 0) {
            /* the reference admission: each new level in world order
             * replaces the lowest-scored slot (ties: lowest index) when its
             * score is at least as high */
            ludus_curriculum_slot ref[3];
            memcpy(ref, before, sizeof ref);
            for (int w = 0; w < 4; w++) {
                int lo = 0;
                for (int i = 1; i < 3; i++)
                    if (ref[i].score < ref[lo].score) lo = i;
                if (sc[w] >= ref[lo].score) ref[lo].seed = seeds[w], ref[lo].score = sc[w];
            }
            for (int i = 0; i < 3; i++) {
                CHECK_OK(ludus_curriculum_slot_at(c, i, &sl));
                CHECK_MSG(sl.seed == ref[i].seed && sl.score == ref[i].score,
                          "batch %d slot %d: seed %llu score %g, reference %llu %g", b, i, (unsigned long long)sl.seed,
                          sl.score, (unsigned long long)ref[i].seed, ref[i].score);
            }
        } else {
            /* a replay batch replays buffered levels and updates their scores */
            for (int w = 0; w < 4; w++) {
                int found = 0;
                for (int i = 0; i < 3; i++) found |= before[i].seed == seeds[w];
                CHECK(found);
            }
        }
    }
    CHECK(kinds[0] > 5 && kinds[1] > 5);
    CHECK(st.replay_entropy > 0 && st.replay_entropy <= log(3.0) + 1e-12);
    ludus_curriculum_destroy(c);
    ludus_env_destroy(env);
}

/* ---- ACCEL: edits of replayed levels, lineage --------------------------- */

static int level_diff(const uint8_t *a, const uint8_t *b, size_t n)
{
    int d = 0;
    for (size_t i = 8; i < n; i++) d += __builtin_popcount((unsigned)(a[i] ^ b[i]));
    if (a[5] != b[5] || a[6] != b[6]) d++;
    return d;
}

static void test_accel(void)
{
    ludus_env *env = make("Maze-v0", "walls=0");
    if (!env) return;
    size_t LS = ludus_env_level_size(env);
    ludus_curriculum_config k;
    ludus_curriculum_config_default(&k);
    k.buffer_size = 8;
    k.rho = 0;
    k.replay_prob = 1; /* replay whenever anything was seen */
    k.num_edits = 3;
    ludus_curriculum *c = NULL;
    CHECK_OK(ludus_curriculum_create("accel", &k, env, "walls=0", 2, 0, 0, 9, &c));
    if (!c) return;
    uint8_t blk[2][256], parent[2][256];
    uint64_t seed;
    int hb, train, maxdepth = 0;
    ludus_curriculum_stats st;
    for (int b = 0; b < 12; b++) {
        CHECK_OK(ludus_curriculum_begin_batch(c, &train));
        for (int w = 0; w < 2; w++) {
            CHECK_OK(ludus_curriculum_next(c, w, &seed, blk[w], &hb));
            CHECK_EQ(hb, 1);
        }
        ludus_curriculum_get_stats(c, &st);
        if (b == 0) CHECK_EQ(st.batch_kind, 0);
        if (st.batch_kind == 1) { /* replay: remember the parents */
            for (int w = 0; w < 2; w++) memcpy(parent[w], blk[w], LS);
        } else if (st.batch_kind == 2) { /* edits: children of the last replays */
            for (int w = 0; w < 2; w++) {
                int d = level_diff(parent[w], blk[w], LS);
                CHECK_MSG(d <= 3, "an ACCEL child differs from its parent in %d places (3 edits)", d);
            }
            CHECK_EQ(train, 0);
        }
        for (int w = 0; w < 2; w++) CHECK_OK(report1(c, w, 0.5 + 0.01 * b + w, 0, 0));
        CHECK_OK(ludus_curriculum_end_batch(c));
        ludus_curriculum_get_stats(c, &st);
        if (st.lineage_max > maxdepth) maxdepth = (int)st.lineage_max;
    }
    /* batches cycle new, replay, edit, replay, edit...: children of
     * children, each one edit round deeper */
    CHECK(maxdepth >= 3);
    for (int i = 0; i < 8; i++) {
        ludus_curriculum_slot sl, ps;
        if (ludus_curriculum_slot_at(c, i, &sl) || !sl.seen || sl.parent < 0) continue;
        CHECK_OK(ludus_curriculum_slot_at(c, sl.parent, &ps));
        CHECK(sl.depth >= 1);
    }
    ludus_curriculum_destroy(c);
    ludus_env_destroy(env);
}

/* ---- ALP-GMM ------------------------------------------------------------ */

/* The reference EM: the same algorithm, written out for 2-D points. */
static double ref_em(const double *x, int n, int k, const double *init, int iters, double *mu_out)
{
    double w[16], mu[16][2], cv[16][2][2], mx = 0, my = 0, c00 = 0, c01 = 0, c11 = 0;
    for (int i = 0; i < n; i++) mx += x[2 * i] / n, my += x[2 * i + 1] / n;
    for (int i = 0; i < n; i++) {
        double a = x[2 * i] - mx, b = x[2 * i + 1] - my;
        c00 += a * a / n, c01 += a * b / n, c11 += b * b / n;
    }
    for (int j = 0; j < k; j++) {
        w[j] = 1.0 / k;
        mu[j][0] = init[2 * j], mu[j][1] = init[2 * j + 1];
        cv[j][0][0] = c00 + 1e-6, cv[j][0][1] = cv[j][1][0] = c01, cv[j][1][1] = c11 + 1e-6;
    }
    double *rs = malloc(sizeof(double) * n * k), ll = 0;
    for (int it = 0;; it++) {
        ll = 0;
        for (int i = 0; i < n; i++) {
            double lp[16], m = -INFINITY, s = 0;
            for (int j = 0; j < k; j++) {
                double det = cv[j][0][0] * cv[j][1][1] - cv[j][0][1] * cv[j][1][0];
                double a = x[2 * i] - mu[j][0], b = x[2 * i + 1] - mu[j][1];
                double q = (cv[j][1][1] * a * a - 2 * cv[j][0][1] * a * b + cv[j][0][0] * b * b) / det;
                lp[j] = log(w[j]) - 0.5 * q - 0.5 * log(det) - log(2 * 3.14159265358979323846);
                if (lp[j] > m) m = lp[j];
            }
            for (int j = 0; j < k; j++) s += exp(lp[j] - m);
            ll += m + log(s);
            for (int j = 0; j < k; j++) rs[i * k + j] = exp(lp[j] - m - log(s));
        }
        if (it == iters) break;
        for (int j = 0; j < k; j++) {
            double nk = 0, sx = 0, sy = 0;
            for (int i = 0; i < n; i++) nk += rs[i * k + j], sx += rs[i * k + j] * x[2 * i], sy += rs[i * k + j] * x[2 * i + 1];
            nk = fmax(nk, 1e-10);
            w[j] = nk / n, mu[j][0] = sx / nk, mu[j][1] = sy / nk;
            double a00 = 0, a01 = 0, a11 = 0;
            for (int i = 0; i < n; i++) {
                double a = x[2 * i] - mu[j][0], b = x[2 * i + 1] - mu[j][1];
                a00 += rs[i * k + j] * a * a, a01 += rs[i * k + j] * a * b, a11 += rs[i * k + j] * b * b;
            }
            cv[j][0][0] = a00 / nk + 1e-6, cv[j][0][1] = cv[j][1][0] = a01 / nk, cv[j][1][1] = a11 / nk + 1e-6;
        }
    }
    free(rs);
    for (int j = 0; mu_out && j < k; j++) mu_out[2 * j] = mu[j][0], mu_out[2 * j + 1] = mu[j][1];
    double p = (k - 1) + 2 * k + 3 * k;
    return -2 * ll + 2 * p;
}

static void test_gmm(void)
{
    /* three clusters; EM from given starts against the reference */
    double x[300];
    ludus_rng rng;
    ludus_rng_seed(&rng, 3);
    for (int i = 0; i < 150; i++) {
        int g = i % 3;
        x[2 * i] = 10 * g + ludus_rng_uniform(&rng, -1, 1);
        x[2 * i + 1] = (g == 1 ? 0.8 : 0.1) + ludus_rng_uniform(&rng, -0.05, 0.05);
    }
    double best = INFINITY;
    int bestk = 0;
    for (int k = 2; k <= 5; k++) {
        double init[10], w[5], mu[10], cov[20], aic, rmu[10];
        for (int j = 0; j < k; j++) init[2 * j] = x[2 * (j * 150 / k)], init[2 * j + 1] = x[2 * (j * 150 / k) + 1];
        CHECK_OK(ludus_curriculum_gmm_fit(x, 150, 2, k, init, 50, w, mu, cov, &aic));
        double raic = ref_em(x, 150, k, init, 50, rmu);
        CHECK_MSG(fabs(aic - raic) < 1e-6 * fabs(raic), "k %d: AIC %.10g, reference %.10g", k, aic, raic);
        for (int j = 0; j < 2 * k; j++) CHECK(fabs(mu[j] - rmu[j]) < 1e-6);
        if (aic < best) best = aic, bestk = k;
    }
    CHECK(bestk >= 3); /* three clusters are not explained by two */
    double w[2], mu[4], cov[8], aic;
    CHECK_ERR(ludus_curriculum_gmm_fit(x, 150, 6, 2, x, 10, w, mu, cov, &aic), LUDUS_EINVAL);
}

static void test_alp(void)
{
    ludus_env *env = make("Maze-v0", NULL);
    if (!env) return;
    ludus_curriculum_config k;
    ludus_curriculum_config_default(&k);
    snprintf(k.alp_option, sizeof k.alp_option, "walls");
    k.alp_fit_rate = 40;
    k.alp_max_k = 4;
    ludus_curriculum *c = NULL;
    CHECK_OK(ludus_curriculum_create("alp-gmm", &k, env, NULL, 1, 0, 0, 4, &c));
    if (!c) return;
    uint8_t blk[64];
    uint64_t seed;
    int hb;
    for (int e = 0; e < 120; e++) {
        CHECK_OK(ludus_curriculum_begin_batch(c, NULL));
        CHECK_OK(ludus_curriculum_next(c, 0, &seed, blk, &hb));
        CHECK_EQ(hb, 1);
        /* a return that depends on the level: fewer walls, more return */
        int walls = 0;
        for (size_t i = 8; i < ludus_env_level_size(env); i++) walls += __builtin_popcount(blk[i]);
        CHECK_OK(report1(c, 0, 0, 1, 1.0 - walls / 60.0 + 0.1 * (e % 3)));
        CHECK_OK(ludus_curriculum_end_batch(c));
    }
    const double *tau, *ret, *alp;
    size_t n = ludus_curriculum_alp_data(c, &tau, &ret, &alp);
    CHECK_EQ(n, 120);
    for (size_t i = 0; i < n; i++) {
        CHECK(tau[i] >= 0 && tau[i] <= 60 && ret[i] >= 0 && ret[i] <= 1);
        double want = 0;
        if (i > 5) { /* the nearest earlier task's return */
            size_t b = 0;
            for (size_t j = 1; j < i; j++)
                if (fabs(tau[j] - tau[i]) < fabs(tau[b] - tau[i])) b = j;
            want = fabs(ret[i] - ret[b]);
        }
        CHECK_MSG(alp[i] == want, "episode %zu: ALP %g, reference %g", i, alp[i], want);
    }
    /* the fit after 120 episodes: the lowest AIC over k = 2..4 on the last
     * 40 points, from means at evenly spaced ranks by task */
    double x[80];
    int ord[40];
    for (int i = 0; i < 40; i++) x[2 * i] = tau[80 + i], x[2 * i + 1] = alp[80 + i], ord[i] = i;
    for (int i = 1; i < 40; i++) {
        int v = ord[i], j = i - 1;
        while (j >= 0 && x[2 * ord[j]] > x[2 * v]) ord[j + 1] = ord[j], j--;
        ord[j + 1] = v;
    }
    double best = INFINITY;
    int bestk = 0;
    for (int kk = 2; kk <= 4; kk++) {
        double init[8];
        for (int j = 0; j < kk; j++) {
            int i = ord[(int)((j + 0.5) * 40 / kk)];
            init[2 * j] = x[2 * i], init[2 * j + 1] = x[2 * i + 1];
        }
        double a = ref_em(x, 40, kk, init, 100, NULL);
        if (a < best) best = a, bestk = kk;
    }
    ludus_curriculum_stats st;
    ludus_curriculum_get_stats(c, &st);
    CHECK_EQ(st.gmm_k, bestk);
    ludus_curriculum_destroy(c);
    ludus_env_destroy(env);
}

/* ---- state: save, load, continue exactly --------------------------------- */

static void drive(ludus_curriculum *c, int N, int batches, int b0, uint64_t *log)
{
    uint8_t blk[256];
    for (int b = 0; b < batches; b++) {
        CHECK_OK(ludus_curriculum_begin_batch(c, NULL));
        for (int w = 0; w < N; w++) {
            int hb;
            CHECK_OK(ludus_curriculum_next(c, w, &log[b * N + w], blk, &hb));
        }
        for (int w = 0; w < N; w++) CHECK_OK(report1(c, w, ((b0 + b) * 5 + w * 3) % 11 * 0.1, 0, 0));
        CHECK_OK(ludus_curriculum_end_batch(c));
    }
}

static void test_state(const char *name, const char *id, const char *opts)
{
    ludus_env *env = make(id, opts);
    if (!env) return;
    ludus_curriculum_config k;
    ludus_curriculum_config_default(&k);
    k.buffer_size = 6;
    k.rho = 0.3f;
    ludus_curriculum *a = NULL, *b = NULL;
    CHECK_OK(ludus_curriculum_create(name, &k, env, opts, 3, 0, 0, 21, &a));
    CHECK_OK(ludus_curriculum_create(name, &k, env, opts, 3, 0, 0, 21, &b));
    if (!a || !b) return;
    uint64_t la[60], lb[60];
    drive(a, 3, 10, 0, la);
    uint8_t *blob = NULL, *blob2 = NULL, *blob3 = NULL;
    size_t n = 0, n2 = 0, n3 = 0;
    CHECK_OK(ludus_curriculum_save(a, &blob, &n));
    drive(a, 3, 10, 10, la + 30);
    CHECK_OK(ludus_curriculum_load(b, blob, n));
    drive(b, 3, 10, 10, lb + 30);
    CHECK_MSG(memcmp(la + 30, lb + 30, 30 * sizeof *la) == 0, "%s: the loaded curriculum draws other levels", name);
    CHECK_OK(ludus_curriculum_save(a, &blob2, &n2));
    CHECK_OK(ludus_curriculum_save(b, &blob3, &n3));
    size_t at = 0;
    while (at < n2 && at < n3 && blob2[at] == blob3[at]) at++;
    CHECK_MSG(n2 == n3 && at == n2, "%s: the states differ after the same batches (%zu and %zu bytes, from byte %zu)",
              name, n2, n3, at);
    /* damaged blobs are refused */
    CHECK_ERR(ludus_curriculum_load(b, blob, n - 1), LUDUS_EFORMAT);
    blob[0] ^= 0xff;
    CHECK_ERR(ludus_curriculum_load(b, blob, n), LUDUS_EFORMAT);
    ludus_free(blob);
    ludus_free(blob2);
    ludus_free(blob3);
    ludus_curriculum_destroy(a);
    ludus_curriculum_destroy(b);
    ludus_env_destroy(env);
}

/* ---- PPO with Robust PLR / ACCEL: resume gives the straight run -------- */

static int same_files(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int same = fa && fb;
    while (same) {
        int x = fgetc(fa), y = fgetc(fb);
        if (x != y) same = 0;
        if (x == EOF || y == EOF) break;
    }
    if (fa) fclose(fa);
    if (fb) fclose(fb);
    return same;
}

static void test_ppo_resume(const char *dir, const char *cur)
{
    const ludus_learner_ops *ops = NULL;
    CHECK_OK(ludus_learner_find("ppo", &ops));
    if (!ops) return;
    ludus_run_config run;
    ludus_run_config_default(&run);
    snprintf(run.env_id, sizeof run.env_id, "Maze-v0");
    ludus_ppo_config cfg;
    memset(&cfg, 0, sizeof cfg);
    ops->config_default(&cfg, &run, NULL);
    snprintf(run.env_id, sizeof run.env_id, "Maze-v0");
    run.num_threads = 2;
    run.total_steps = 100000;
    cfg.num_envs = 4;
    cfg.num_steps = 32;
    cfg.minibatches = 2;
    snprintf(cfg.curriculum, sizeof cfg.curriculum, "%s", cur);
    cfg.curriculum_knobs.buffer_size = 6;
    cfg.curriculum_knobs.rho = 0.2f;
    void *a = NULL, *b = NULL;
    CHECK_OK(ops->create(&cfg, &run, &a));
    CHECK_OK(ops->create(&cfg, &run, &b));
    if (!a || !b) return;
    double row[128];
    int trained = 0;
    const ludus_metric_column *cols;
    int nc = ops->columns(a, &cols), ti = -1, gi = -1;
    for (int i = 0; i < nc; i++) {
        if (strcmp(cols[i].name, "cur_trained") == 0) ti = i;
        if (strcmp(cols[i].name, "grad_norm") == 0) gi = i;
    }
    CHECK(ti >= 0 && gi >= 0);
    for (int u = 0; u < 8 && ti >= 0 && gi >= 0; u++) {
        CHECK_OK(ops->update(a, row));
        trained += row[ti] == 1;
        /* no gradient step on an exploratory batch, one on every other */
        CHECK_MSG((row[ti] == 1) == !isnan(row[gi]), "%s update %d: trained %g, grad_norm %g", cur, u, row[ti],
                  row[gi]);
    }
    CHECK(trained > 0 && trained < 8);
    for (int u = 0; u < 4; u++) CHECK_OK(ops->update(b, row));
    char c1[512], s1[512], c2[512], s2[512];
    snprintf(c1, sizeof c1, "%s/a.ckpt", dir);
    snprintf(s1, sizeof s1, "%s/a.state", dir);
    snprintf(c2, sizeof c2, "%s/b.ckpt", dir);
    snprintf(s2, sizeof s2, "%s/b.state", dir);
    CHECK_OK(ops->save(b, c2, s2, NULL));
    ops->destroy(b);
    b = NULL;
    CHECK_OK(ops->create(&cfg, &run, &b));
    if (!b) return;
    CHECK_OK(ops->load(b, c2, s2));
    for (int u = 0; u < 4; u++) CHECK_OK(ops->update(b, row));
    CHECK_OK(ops->save(a, c1, s1, NULL));
    CHECK_OK(ops->save(b, c2, s2, NULL));
    CHECK_MSG(same_files(c1, c2), "%s: resumed weights differ from the straight run's", cur);
    CHECK_MSG(same_files(s1, s2), "%s: the resumed training state (curriculum included) differs", cur);
    ops->destroy(a);
    ops->destroy(b);
}

/* PLR decides per reset: a resumed run restarts its worlds on levels the
 * loaded curriculum draws, and its buffer carries on. */
static void test_ppo_resume_plr(const char *dir)
{
    const ludus_learner_ops *ops = NULL;
    CHECK_OK(ludus_learner_find("ppo", &ops));
    if (!ops) return;
    ludus_run_config run;
    ludus_run_config_default(&run);
    snprintf(run.env_id, sizeof run.env_id, "MiniGrid-Empty-5x5-v0");
    ludus_ppo_config cfg;
    memset(&cfg, 0, sizeof cfg);
    ops->config_default(&cfg, &run, NULL);
    snprintf(run.env_id, sizeof run.env_id, "MiniGrid-Empty-5x5-v0");
    run.train_levels = 12;
    run.total_steps = 100000;
    cfg.num_envs = 4;
    cfg.num_steps = 32;
    cfg.minibatches = 2;
    snprintf(cfg.curriculum, sizeof cfg.curriculum, "plr");
    cfg.curriculum_knobs.rho = 0.25f;
    void *a = NULL;
    CHECK_OK(ops->create(&cfg, &run, &a));
    if (!a) return;
    const ludus_metric_column *cols;
    int nc = ops->columns(a, &cols), si = -1;
    for (int i = 0; i < nc; i++)
        if (strcmp(cols[i].name, "cur_levels_seen") == 0) si = i;
    double row[128];
    for (int u = 0; u < 4; u++) CHECK_OK(ops->update(a, row));
    double seen = si >= 0 ? row[si] : -1;
    CHECK(seen >= 1 && seen <= 12);
    char c[512], s[512];
    snprintf(c, sizeof c, "%s/p.ckpt", dir);
    snprintf(s, sizeof s, "%s/p.state", dir);
    CHECK_OK(ops->save(a, c, s, NULL));
    ops->destroy(a);
    a = NULL;
    CHECK_OK(ops->create(&cfg, &run, &a));
    if (!a) return;
    CHECK_OK(ops->load(a, c, s));
    for (int u = 0; u < 4; u++) CHECK_OK(ops->update(a, row));
    CHECK(si >= 0 && row[si] >= seen && row[si] <= 12);
    /* a state without a curriculum does not load into a run with one */
    ludus_ppo_config plain = cfg;
    plain.curriculum[0] = 0;
    void *b = NULL;
    CHECK_OK(ops->create(&plain, &run, &b));
    if (b) {
        CHECK_OK(ops->save(b, c, s, NULL));
        CHECK_ERR(ops->load(a, c, s), LUDUS_EFORMAT);
        CHECK(strstr(ludus_errmsg(), "the run has a curriculum but the state holds none") != NULL);
        ops->destroy(b);
    }
    ops->destroy(a);
}

/* ---- the vec's level blocks --------------------------------------------- */

static int block_hook(void *user, int world, ludus_rng *rng, uint8_t *block, size_t size, uint64_t *seed)
{
    (void)rng;
    const uint8_t *lvl = user;
    *seed = 1000 + (uint64_t)world;
    if (world % 2) return 0;
    memcpy(block, lvl, size);
    return 1;
}

static void test_vec_blocks(void)
{
    ludus_vec_config vc = {.env_id = "Maze-v0", .num_envs = 4, .num_threads = 1, .seed = 3};
    ludus_vec *v = NULL;
    CHECK_OK(ludus_vec_create(&vc, &v));
    if (!v) return;
    const ludus_env *env = ludus_vec_env(v);
    size_t LS = ludus_env_level_size(env);
    void *st = ludus_env_state_new(env);
    uint8_t lvl[64], got[64];
    CHECK_OK(ludus_env_reset(env, st, 77, NULL));
    CHECK_OK(ludus_env_level_of(env, st, lvl, LS));
    CHECK_OK(ludus_vec_set_level_block_fn(v, block_hook, lvl));
    CHECK_OK(ludus_vec_reset(v));
    for (int i = 0; i < 4; i++) {
        CHECK_EQ(ludus_vec_level(v, i), 1000 + i);
        CHECK_OK(ludus_env_level_of(env, ludus_vec_state(v, i), got, LS));
        if (i % 2 == 0) {
            CHECK(memcmp(got, lvl, LS) == 0);
            CHECK(ludus_vec_level_block(v, i) != NULL);
        } else { /* reset from seed 1000 + i */
            CHECK_OK(ludus_env_reset(env, st, 1000 + (uint64_t)i, NULL));
            uint8_t want[64];
            CHECK_OK(ludus_env_level_of(env, st, want, LS));
            CHECK(memcmp(got, want, LS) == 0);
            CHECK(ludus_vec_level_block(v, i) == NULL);
        }
    }
    CHECK_OK(ludus_vec_set_level_block_fn(v, NULL, NULL));
    ludus_free(st);
    ludus_vec_destroy(v);
}

/* ---- PLR's sequential first levels --------------------------------------- */

static uint64_t next_seed(ludus_curriculum *c, int w)
{
    uint64_t s = 0;
    int hb = 0;
    CHECK_OK(ludus_curriculum_next(c, w, &s, NULL, &hb));
    return s;
}

/* level-replay's first reset of each actor takes the set's levels in
 * order (wrapping), draws nothing and leaves staleness and "seen" alone */
static void test_plr_sequential(void)
{
    ludus_env *env = make("MiniGrid-Empty-5x5-v0", NULL);
    ludus_curriculum_config k, out;
    ludus_curriculum_config_default(&k);
    CHECK_OK(ludus_curriculum_resolve("plr", &k, &out));
    CHECK_EQ(out.sequential_start, 1); /* the spec's default */
    ludus_curriculum *c = NULL;
    CHECK_OK(ludus_curriculum_create("plr", &k, env, NULL, 10, 100, 7, 3, &c));
    if (!c) return;
    CHECK_OK(ludus_curriculum_begin_batch(c, NULL));
    for (int w = 0; w < 10; w++) CHECK_EQ(next_seed(c, w), 100 + (uint64_t)(w % 7));
    double p[7];
    CHECK_EQ(ludus_curriculum_replay_dist(c, p, 7), 7);
    for (int i = 0; i < 7; i++) {
        ludus_curriculum_slot sl;
        CHECK_OK(ludus_curriculum_slot_at(c, i, &sl));
        CHECK(sl.seen == 0 && sl.last_sampled == 0 && p[i] == 0);
    }
    /* scored as any: world w's episode scores level w % 7 */
    for (int w = 0; w < 10; w++) CHECK_OK(report1(c, w, 0.1 * w, 1, 0));
    CHECK_OK(ludus_curriculum_end_batch(c));
    for (int i = 0; i < 7; i++) {
        ludus_curriculum_slot sl;
        CHECK_OK(ludus_curriculum_slot_at(c, i, &sl));
        CHECK(sl.seen == 1 && fabs(sl.score - 0.1 * (i < 3 ? i + 7 : i)) < 1e-12);
    }
    /* the second episode of each world goes through the schedule: the
     * reference's draw (every level seen, rho 1: replay with P_replay) */
    ref_plr r = {.n = 7, .beta = 0.1, .rho_s = 0.1, .rank = 1};
    for (int i = 0; i < 7; i++) r.score[i] = 0.1 * (i < 3 ? i + 7 : i), r.seen[i] = 1;
    ludus_rng rng;
    uint32_t wd[4] = {3, 0, 0xc0bbu, 0x12u};
    ludus_rng_seed_words(&rng, wd, 4);
    (void)ludus_rng_random(&rng); /* the schedule's u (p_seen 1: replay) */
    double q[7], acc = 0, u2 = ludus_rng_random(&rng);
    ref_dist(&r, q);
    int want = -1;
    for (int i = 0; i < 7; i++) {
        acc += q[i];
        want = i;
        if (u2 < acc) break;
    }
    CHECK_OK(ludus_curriculum_begin_batch(c, NULL));
    CHECK_EQ(next_seed(c, 0), 100 + (uint64_t)want);
    ludus_curriculum_destroy(c);

    /* the state keeps where the sequence is: saved after world 0's first
     * level, a loaded copy gives worlds 1 and 2 the next two */
    ludus_curriculum *a = NULL, *b = NULL;
    CHECK_OK(ludus_curriculum_create("plr", &k, env, NULL, 3, 100, 7, 3, &a));
    CHECK_OK(ludus_curriculum_create("plr", &k, env, NULL, 3, 100, 7, 3, &b));
    if (a && b) {
        CHECK_OK(ludus_curriculum_begin_batch(a, NULL));
        CHECK_EQ(next_seed(a, 0), 100);
        uint8_t *blob = NULL;
        size_t n = 0;
        CHECK_OK(ludus_curriculum_save(a, &blob, &n));
        CHECK_OK(ludus_curriculum_load(b, blob, n));
        ludus_free(blob);
        for (int w = 1; w < 3; w++) {
            uint64_t sa = next_seed(a, w), sb = next_seed(b, w);
            CHECK_EQ(sa, 100 + (uint64_t)w);
            CHECK_EQ(sb, sa);
        }
    }
    ludus_curriculum_destroy(a);
    ludus_curriculum_destroy(b);
    /* seeds without a finite set: level_start, level_start + 1, ... */
    CHECK_OK(ludus_curriculum_create("plr", &k, env, NULL, 3, 500, 0, 3, &c));
    if (c) {
        CHECK_OK(ludus_curriculum_begin_batch(c, NULL));
        for (int w = 0; w < 3; w++) CHECK_EQ(next_seed(c, w), 500 + (uint64_t)w);
        ludus_curriculum_destroy(c);
    }
    /* off: the first level is the schedule's (a uniform unseen level) */
    k.sequential_start = 0;
    CHECK_OK(ludus_curriculum_create("plr", &k, env, NULL, 1, 100, 7, 3, &c));
    if (c) {
        ludus_rng_seed_words(&rng, wd, 4);
        (void)ludus_rng_random(&rng);
        CHECK_OK(ludus_curriculum_begin_batch(c, NULL));
        CHECK_EQ(next_seed(c, 0), 100 + (uint64_t)ludus_rng_integers(&rng, 0, 7));
        ludus_curriculum_destroy(c);
    }
    /* bad input */
    k.sequential_start = 2;
    CHECK_ERR(ludus_curriculum_resolve("plr", &k, &out), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "\"sequential_start\" = 2 is outside [-1, 1]") != NULL);
    k.sequential_start = 1;
    CHECK_ERR(ludus_curriculum_resolve("robust-plr", &k, &out), LUDUS_EINVAL);
    CHECK_STR(ludus_errmsg(), "curriculum: sequential_start applies to plr (per-reset replay), not robust-plr");
    ludus_env_destroy(env);
}

/* ---- ACCEL's easy start ------------------------------------------------- */

static int wall_bits(const uint8_t *b, size_t n)
{
    int w = 0;
    for (size_t i = 8; i < n; i++) w += __builtin_popcount(b[i]);
    return w;
}

/* The level world `id` with `opts` generates from `seed`, as a block. */
static void level_from(const char *id, const char *opts, uint64_t seed, uint8_t *out, size_t n)
{
    ludus_env *e = make(id, opts);
    if (!e) return;
    void *st = ludus_env_state_new(e);
    CHECK_OK(ludus_env_reset(e, st, seed, NULL));
    CHECK_OK(ludus_env_level_of(e, st, out, n));
    ludus_free(st);
    ludus_env_destroy(e);
}

static void test_accel_easy(void)
{
    ludus_curriculum_config k, out;
    ludus_curriculum_config_default(&k);
    CHECK_OK(ludus_curriculum_resolve("accel", &k, &out));
    CHECK_STR(out.accel_start, "easy");
    k.buffer_size = 8;
    const char *run_opts[2] = {NULL, "sample_walls=1,walls=40"};
    for (int v = 0; v < 2; v++) {
        for (int easy = 0; easy < 2; easy++) {
            ludus_env *env = make("Maze-v0", run_opts[v]);
            if (!env) return;
            size_t LS = ludus_env_level_size(env);
            snprintf(k.accel_start, sizeof k.accel_start, "%s", easy ? "easy" : "dr");
            ludus_curriculum *c = NULL;
            CHECK_OK(ludus_curriculum_create("accel", &k, env, run_opts[v], 4, 0, 0, 5, &c));
            if (!c) return;
            CHECK_OK(ludus_curriculum_begin_batch(c, NULL));
            int walls = 0;
            for (int w = 0; w < 4; w++) {
                uint8_t blk[64], want[64];
                uint64_t seed;
                int hb;
                CHECK_OK(ludus_curriculum_next(c, w, &seed, blk, &hb));
                CHECK_EQ(hb, 1);
                /* a new level is the one the world made with the run's
                 * options and then its easy options generates from the seed */
                char o[128];
                snprintf(o, sizeof o, "%s%s%s", run_opts[v] ? run_opts[v] : "", run_opts[v] ? "," : "",
                         easy ? ludus_env_get_info(env)->easy_options : "");
                level_from("Maze-v0", o, seed, want, LS);
                CHECK_MSG(memcmp(blk, want, LS) == 0, "accel_start %s world %d: not the generator's level",
                          easy ? "easy" : "dr", w);
                walls += wall_bits(blk, LS);
            }
            if (easy) CHECK_EQ(walls, 0);
            else CHECK(walls > 0);
            ludus_curriculum_destroy(c);
            ludus_env_destroy(env);
        }
    }
    /* a world without easy options: the default falls back to its own
     * generator, the knob given is an error */
    ludus_env *fixed = make("Maze-SixteenRooms-v0", NULL);
    ludus_curriculum *c = NULL;
    ludus_curriculum_config_default(&k);
    k.buffer_size = 4;
    CHECK_OK(ludus_curriculum_create("accel", &k, fixed, NULL, 2, 0, 0, 1, &c));
    if (c) CHECK_STR(ludus_curriculum_config_of(c)->accel_start, "dr");
    ludus_curriculum_destroy(c);
    c = NULL;
    snprintf(k.accel_start, sizeof k.accel_start, "easy");
    CHECK_ERR(ludus_curriculum_create("accel", &k, fixed, NULL, 2, 0, 0, 1, &c), LUDUS_EUNSUPPORTED);
    CHECK_STR(ludus_errmsg(), "curriculum accel: accel_start 'easy' needs the world's easy-level options, and "
                              "Maze-SixteenRooms-v0 declares none (ludus_env_info.easy_options); use accel_start 'dr'");
    CHECK(c == NULL);
    ludus_env_destroy(fixed);
    snprintf(k.accel_start, sizeof k.accel_start, "eazy");
    CHECK_ERR(ludus_curriculum_resolve("accel", &k, &out), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "accel_start 'eazy' is unknown; did you mean 'easy'?") != NULL);
    snprintf(k.accel_start, sizeof k.accel_start, "easy");
    CHECK_ERR(ludus_curriculum_resolve("robust-plr", &k, &out), LUDUS_EINVAL);
    CHECK_STR(ludus_errmsg(), "curriculum: accel_start applies to accel, not robust-plr");
}

/* ACCEL's base levels: dcd's 'easy' choice among the levels just replayed
 * (the 4 lowest mean return minus mean |advantage|, each for every fourth
 * world; with fewer than 4 worlds the highest one for all) */
static void test_accel_base_easy(int N)
{
    ludus_env *env = make("Maze-v0", NULL);
    if (!env) return;
    const size_t LS = ludus_env_level_size(env);
    ludus_curriculum_config k;
    ludus_curriculum_config_default(&k);
    k.buffer_size = 32;
    k.rho = 0;
    k.replay_prob = 1;
    k.num_edits = 2;
    snprintf(k.accel_base, sizeof k.accel_base, "easy");
    ludus_curriculum *c = NULL;
    CHECK_OK(ludus_curriculum_create("accel", &k, env, NULL, N, 0, 0, 12, &c));
    if (!c) return;
    int checked = 0;
    int replayed[8];
    for (int b = 0; b < 12 && checked < 3; b++) {
        ludus_curriculum_stats st;
        CHECK_OK(ludus_curriculum_begin_batch(c, NULL));
        ludus_curriculum_get_stats(c, &st);
        int kind = st.batch_kind, fill;
        double v[8];
        for (int w = 0; w < N; w++) {
            uint8_t blk[64];
            uint64_t seed;
            int hb;
            CHECK_OK(ludus_curriculum_next(c, w, &seed, blk, &hb));
            if (kind == 1) { /* which slot world w replays */
                replayed[w] = -1;
                for (int i = 0; i < 32 && replayed[w] < 0; i++) {
                    ludus_curriculum_slot sl;
                    CHECK_OK(ludus_curriculum_slot_at(c, i, &sl));
                    if (sl.block && memcmp(sl.block, blk, LS) == 0) replayed[w] = i;
                }
                CHECK(replayed[w] >= 0);
            }
            /* an ended episode of 3 steps, then 1 step of the next (worlds
             * 1 and 3 end none: their mean return is 0) */
            double ret = 0.9 - 0.17 * ((w * 5 + b) % 7), a1 = 0.05 * ((w * 3 + b) % 5), a2 = 0.3 * (w % 2);
            int ends = w % 2 == 0;
            ludus_curriculum_segment s1 = {.steps = 3, .ended = ends, .episode_return = ret, .abs_adv = a1, .pos_adv = a1};
            ludus_curriculum_segment s2 = {.steps = 1, .abs_adv = a2, .pos_adv = a2};
            CHECK_OK(ludus_curriculum_report(c, w, &s1));
            if (ends) CHECK_OK(ludus_curriculum_next(c, w, &seed, blk, &hb));
            CHECK_OK(ludus_curriculum_report(c, w, &s2));
            v[w] = (ends ? ret : 0) - (3 * a1 + a2) / 4;
        }
        CHECK_OK(ludus_curriculum_end_batch(c));
        if (kind == 1) { /* the reference's bases for the next (edit) batch */
            int ref[8], pick[4], m = N >= 4 ? 4 : 1;
            if (m == 1) {
                pick[0] = 0;
                for (int w = 1; w < N; w++)
                    if (v[w] > v[pick[0]]) pick[0] = w;
            } else {
                int used[8] = {0};
                for (int j = 0; j < 4; j++) { /* the j-th lowest, ties by world */
                    int best = -1;
                    for (int w = 0; w < N; w++)
                        if (!used[w] && (best < 0 || v[w] < v[best])) best = w;
                    used[best] = 1;
                    pick[j] = best;
                }
            }
            for (int w = 0; w < N; w++) ref[w] = replayed[pick[w % m]];
            /* the edit batch: its children are admitted in world order into
             * the next free slots; each one's parent is the reference's */
            CHECK_OK(ludus_curriculum_begin_batch(c, NULL));
            ludus_curriculum_get_stats(c, &st);
            CHECK_EQ(st.batch_kind, 2);
            fill = st.buffer_fill;
            for (int w = 0; w < N; w++) {
                uint8_t blk[64];
                uint64_t seed;
                int hb;
                CHECK_OK(ludus_curriculum_next(c, w, &seed, blk, &hb));
                CHECK_OK(report1(c, w, 0.5, 0, 0));
            }
            CHECK_OK(ludus_curriculum_end_batch(c));
            for (int w = 0; w < N && fill + N <= 32; w++) {
                /* the parent's level is the reference's (two slots may hold
                 * one level: an edit can undo itself) */
                ludus_curriculum_slot sl, p1, p2;
                CHECK_OK(ludus_curriculum_slot_at(c, fill + w, &sl));
                CHECK_OK(ludus_curriculum_slot_at(c, sl.parent, &p1));
                CHECK_OK(ludus_curriculum_slot_at(c, ref[w], &p2));
                CHECK_MSG(p1.block && p2.block && memcmp(p1.block, p2.block, LS) == 0,
                          "%d worlds, batch %d: world %d's child has parent %d, reference %d", N, b, w, sl.parent,
                          ref[w]);
            }
            checked++;
        }
    }
    CHECK(checked >= 2);
    ludus_curriculum_destroy(c);
    ludus_env_destroy(env);
    ludus_curriculum_config out;
    CHECK_ERR(ludus_curriculum_resolve("robust-plr", &k, &out), LUDUS_EINVAL);
    CHECK_STR(ludus_errmsg(), "curriculum: accel_base applies to accel, not robust-plr");
}

/* ---- ALP-GMM over several options ---------------------------------------- */

/* Solve A X = B (A d x d, B d x m) by Gauss-Jordan with partial pivoting;
 * returns det(A). The reference's linear algebra, unlike the library's
 * Cholesky. */
static double ref_solve(const double *A, int d, double *B, int m)
{
    double a[25];
    memcpy(a, A, sizeof(double) * d * d);
    double det = 1;
    for (int c = 0; c < d; c++) {
        int p = c;
        for (int r = c + 1; r < d; r++)
            if (fabs(a[r * d + c]) > fabs(a[p * d + c])) p = r;
        if (p != c) {
            det = -det;
            for (int j = 0; j < d; j++) {
                double t = a[c * d + j];
                a[c * d + j] = a[p * d + j], a[p * d + j] = t;
            }
            for (int j = 0; j < m; j++) {
                double t = B[c * m + j];
                B[c * m + j] = B[p * m + j], B[p * m + j] = t;
            }
        }
        double piv = a[c * d + c];
        det *= piv;
        for (int r = 0; r < d; r++) {
            if (r == c) continue;
            double f = a[r * d + c] / piv;
            for (int j = 0; j < d; j++) a[r * d + j] -= f * a[c * d + j];
            for (int j = 0; j < m; j++) B[r * m + j] -= f * B[c * m + j];
        }
    }
    for (int r = 0; r < d; r++)
        for (int j = 0; j < m; j++) B[r * m + j] /= a[r * d + r];
    return det;
}

/* The reference EM in d dimensions: equal weights, the data's covariance
 * (+1e-6 on the diagonal) for every component, the given means; the
 * log-density from the inverse and the determinant. Returns the AIC. */
static double ref_em_d(const double *x, int n, int d, int k, const double *init, int iters, double *mu_out)
{
    double w[16], mu[16][5], cv[16][25], m[5] = {0}, dc[25] = {0};
    for (int i = 0; i < n; i++)
        for (int a = 0; a < d; a++) m[a] += x[i * d + a] / n;
    for (int i = 0; i < n; i++)
        for (int a = 0; a < d; a++)
            for (int b = 0; b < d; b++) dc[a * d + b] += (x[i * d + a] - m[a]) * (x[i * d + b] - m[b]) / n;
    for (int j = 0; j < k; j++) {
        w[j] = 1.0 / k;
        for (int a = 0; a < d; a++) mu[j][a] = init[j * d + a];
        for (int e = 0; e < d * d; e++) cv[j][e] = dc[e] + (e / d == e % d ? 1e-6 : 0);
    }
    double *rs = malloc(sizeof(double) * n * k), ll = 0;
    for (int it = 0;; it++) {
        double inv[16][25], det[16];
        for (int j = 0; j < k; j++) {
            for (int e = 0; e < d * d; e++) inv[j][e] = e / d == e % d;
            det[j] = ref_solve(cv[j], d, inv[j], d);
        }
        ll = 0;
        for (int i = 0; i < n; i++) {
            double lp[16], mx = -INFINITY, s = 0;
            for (int j = 0; j < k; j++) {
                double q = 0;
                for (int a = 0; a < d; a++)
                    for (int b = 0; b < d; b++)
                        q += (x[i * d + a] - mu[j][a]) * inv[j][a * d + b] * (x[i * d + b] - mu[j][b]);
                lp[j] = log(w[j]) - 0.5 * q - 0.5 * log(det[j]) - 0.5 * d * log(2 * 3.14159265358979323846);
                if (lp[j] > mx) mx = lp[j];
            }
            for (int j = 0; j < k; j++) s += exp(lp[j] - mx);
            ll += mx + log(s);
            for (int j = 0; j < k; j++) rs[i * k + j] = exp(lp[j] - mx - log(s));
        }
        if (it == iters) break;
        for (int j = 0; j < k; j++) {
            double nk = 0;
            for (int i = 0; i < n; i++) nk += rs[i * k + j];
            nk = fmax(nk, 1e-10);
            w[j] = nk / n;
            for (int a = 0; a < d; a++) {
                double s = 0;
                for (int i = 0; i < n; i++) s += rs[i * k + j] * x[i * d + a];
                mu[j][a] = s / nk;
            }
            for (int a = 0; a < d; a++)
                for (int b = 0; b < d; b++) {
                    double s = 0;
                    for (int i = 0; i < n; i++) s += rs[i * k + j] * (x[i * d + a] - mu[j][a]) * (x[i * d + b] - mu[j][b]);
                    cv[j][a * d + b] = s / nk + (a == b ? 1e-6 : 0);
                }
        }
    }
    free(rs);
    for (int j = 0; mu_out && j < k; j++)
        for (int a = 0; a < d; a++) mu_out[j * d + a] = mu[j][a];
    double p = (k - 1) + k * d + k * d * (d + 1) / 2.0;
    return -2 * ll + 2 * p;
}

static void test_gmm_d(void)
{
    /* four clusters in 3-D (two task coordinates and an ALP) */
    double x[3 * 200];
    ludus_rng rng;
    ludus_rng_seed(&rng, 8);
    for (int i = 0; i < 200; i++) {
        int g = i % 4;
        x[3 * i] = 15.0 * (g & 1) + ludus_rng_uniform(&rng, -2, 2);
        x[3 * i + 1] = 8.0 * (g >> 1) + ludus_rng_uniform(&rng, -1, 1) + 0.3 * x[3 * i];
        x[3 * i + 2] = (g == 3 ? 0.7 : 0.1) + ludus_rng_uniform(&rng, -0.05, 0.05);
    }
    double best = INFINITY;
    int bestk = 0;
    for (int k = 2; k <= 6; k++) {
        double init[18], w[6], mu[18], cov[54], aic, rmu[18];
        for (int j = 0; j < k; j++) memcpy(init + 3 * j, x + 3 * (j * 200 / k + j), 3 * sizeof *x);
        CHECK_OK(ludus_curriculum_gmm_fit(x, 200, 3, k, init, 60, w, mu, cov, &aic));
        double raic = ref_em_d(x, 200, 3, k, init, 60, rmu);
        CHECK_MSG(fabs(aic - raic) < 1e-6 * fabs(raic), "d 3 k %d: AIC %.10g, reference %.10g", k, aic, raic);
        for (int j = 0; j < 3 * k; j++) CHECK_MSG(fabs(mu[j] - rmu[j]) < 1e-6, "d 3 k %d: mean %d", k, j);
        if (aic < best) best = aic, bestk = k;
    }
    CHECK(bestk >= 4); /* four clusters are not explained by fewer */
    /* the 2-D reference agrees with the d-dimensional one */
    double y[2 * 200];
    for (int i = 0; i < 200; i++) y[2 * i] = x[3 * i], y[2 * i + 1] = x[3 * i + 2];
    double init[6] = {y[0], y[1], y[100], y[101], y[300], y[301]};
    CHECK(fabs(ref_em(y, 200, 3, init, 30, NULL) - ref_em_d(y, 200, 2, 3, init, 30, NULL)) < 1e-6);
}

/* The level's return in test_alp_2d: easier with fewer walls and a
 * nearer goal, and a little noise from the episode's number. */
static double level_return(const uint8_t *b, size_t n, int e)
{
    int walls = wall_bits(b, n), dist = abs(b[2] - b[5]) + abs(b[3] - b[6]);
    return 1.0 - walls / 80.0 - dist / 30.0 + 0.05 * (e % 3);
}

static void drive_alp(ludus_curriculum *c, size_t LS, int e0, int count, uint64_t *seeds)
{
    for (int e = e0; e < e0 + count; e++) {
        uint8_t blk[64];
        int hb;
        CHECK_OK(ludus_curriculum_begin_batch(c, NULL));
        CHECK_OK(ludus_curriculum_next(c, 0, &seeds[e - e0], blk, &hb));
        CHECK_OK(report1(c, 0, 0, 1, level_return(blk, LS, e)));
        CHECK_OK(ludus_curriculum_end_batch(c));
    }
}

static void test_alp_2d(void)
{
    ludus_env *env = make("Maze-v0", NULL);
    if (!env) return;
    const size_t LS = ludus_env_level_size(env);
    ludus_curriculum_config k;
    ludus_curriculum_config_default(&k);
    snprintf(k.alp_space, sizeof k.alp_space, "walls=0:60,goal_dist=1:20");
    k.alp_fit_rate = 40;
    k.alp_max_k = 4;
    ludus_curriculum *c = NULL;
    CHECK_OK(ludus_curriculum_create("alp-gmm", &k, env, NULL, 1, 0, 0, 4, &c));
    if (!c) return;
    CHECK_EQ(ludus_curriculum_alp_dims(c), 2);
    int fitted = 0;
    for (int e = 0; e < 120; e++) {
        uint8_t blk[64], want[64];
        uint64_t seed;
        int hb;
        CHECK_OK(ludus_curriculum_begin_batch(c, NULL));
        CHECK_OK(ludus_curriculum_next(c, 0, &seed, blk, &hb));
        CHECK_EQ(hb, 1);
        CHECK_OK(report1(c, 0, 0, 1, level_return(blk, LS, e)));
        CHECK_OK(ludus_curriculum_end_batch(c));
        /* the level is the one Maze-v0 made with the drawn task, rounded,
         * generates from the seed */
        const double *tau;
        CHECK_EQ(ludus_curriculum_alp_data(c, &tau, NULL, NULL), (size_t)e + 1);
        double t0 = tau[2 * e], t1 = tau[2 * e + 1];
        CHECK(t0 >= 0 && t0 <= 60 && t1 >= 1 && t1 <= 20);
        char o[64];
        snprintf(o, sizeof o, "walls=%ld,goal_dist=%ld", lround(t0), lround(t1));
        level_from("Maze-v0", o, seed, want, LS);
        CHECK_MSG(memcmp(blk, want, LS) == 0, "episode %d: not the level of %s from seed %llu", e, o,
                  (unsigned long long)seed);
        int dist = abs(blk[2] - blk[5]) + abs(blk[3] - blk[6]);
        CHECK_MSG(dist <= lround(t1) || wall_bits(blk, LS) > 0, "episode %d: goal %d steps away, goal_dist %ld", e,
                  dist, lround(t1));
        ludus_curriculum_stats st;
        ludus_curriculum_get_stats(c, &st);
        fitted += st.gmm_k > 0;
    }
    CHECK(fitted == 120 - 39);
    const double *tau, *ret, *alp;
    size_t n = ludus_curriculum_alp_data(c, &tau, &ret, &alp);
    CHECK_EQ(n, 120);
    for (size_t i = 0; i < n; i++) {
        double want = 0;
        if (i > 5) { /* the nearest earlier task, Euclidean over both options */
            size_t b = 0;
            double bd = INFINITY;
            for (size_t j = 0; j < i; j++) {
                double d = hypot(tau[2 * j] - tau[2 * i], tau[2 * j + 1] - tau[2 * i + 1]);
                if (d < bd) bd = d, b = j;
            }
            want = fabs(ret[i] - ret[b]);
        }
        CHECK_MSG(alp[i] == want, "episode %zu: ALP %g, reference %g", i, alp[i], want);
    }
    /* the fit after 120 episodes: the lowest AIC over k = 2..4 on the last
     * 40 (walls, goal_dist, ALP) points, the means starting at the points
     * of evenly spaced ranks in task order (walls, then goal_dist) */
    double x[120];
    int ord[40];
    for (int i = 0; i < 40; i++) {
        x[3 * i] = tau[2 * (80 + i)], x[3 * i + 1] = tau[2 * (80 + i) + 1], x[3 * i + 2] = alp[80 + i];
        ord[i] = i;
    }
    for (int i = 1; i < 40; i++) {
        int v = ord[i], j = i - 1;
        while (j >= 0 && (x[3 * v] < x[3 * ord[j]] || (x[3 * v] == x[3 * ord[j]] && x[3 * v + 1] < x[3 * ord[j] + 1])))
            ord[j + 1] = ord[j], j--;
        ord[j + 1] = v;
    }
    double best = INFINITY;
    int bestk = 0;
    for (int kk = 2; kk <= 4; kk++) {
        double init[12];
        for (int j = 0; j < kk; j++) memcpy(init + 3 * j, x + 3 * ord[(int)((j + 0.5) * 40 / kk)], 3 * sizeof *x);
        double a = ref_em_d(x, 40, 3, kk, init, 100, NULL);
        if (a < best) best = a, bestk = kk;
    }
    ludus_curriculum_stats st;
    ludus_curriculum_get_stats(c, &st);
    CHECK_EQ(st.gmm_k, bestk);
    ludus_curriculum_destroy(c);

    /* save and load: the loaded teacher draws what the straight one does */
    ludus_curriculum *a = NULL, *b = NULL;
    CHECK_OK(ludus_curriculum_create("alp-gmm", &k, env, NULL, 1, 0, 0, 6, &a));
    CHECK_OK(ludus_curriculum_create("alp-gmm", &k, env, NULL, 1, 0, 0, 6, &b));
    if (a && b) {
        uint64_t sa[60], sb[60];
        drive_alp(a, LS, 0, 50, sa);
        uint8_t *blob = NULL, *b2 = NULL, *b3 = NULL;
        size_t nb = 0, n2 = 0, n3 = 0;
        CHECK_OK(ludus_curriculum_save(a, &blob, &nb));
        drive_alp(a, LS, 50, 60, sa);
        CHECK_OK(ludus_curriculum_load(b, blob, nb));
        drive_alp(b, LS, 50, 60, sb);
        CHECK(memcmp(sa, sb, sizeof sa) == 0);
        CHECK_OK(ludus_curriculum_save(a, &b2, &n2));
        CHECK_OK(ludus_curriculum_save(b, &b3, &n3));
        CHECK(n2 == n3 && memcmp(b2, b3, n2) == 0);
        CHECK_ERR(ludus_curriculum_load(b, blob, nb - 8), LUDUS_EFORMAT);
        ludus_free(blob);
        ludus_free(b2);
        ludus_free(b3);
    }
    ludus_curriculum_destroy(a);
    ludus_curriculum_destroy(b);

    /* bad spaces, each one line */
    static const struct {
        const char *id, *space, *msg;
    } bad[] = {
        {"Maze-v0", "walls", "curriculum: alp_space entry \"walls\" is not name=lo:hi"},
        {"Maze-v0", "walls=0:x", "curriculum: alp_space entry \"walls=0:x\" is not name=lo:hi with two numbers"},
        {"Maze-v0", "walls=5:1", "curriculum: alp_space option walls: hi (1) must be above lo (5)"},
        {"Maze-v0", "walls=0:9,walls=1:2", "curriculum: alp_space names option walls twice"},
        {"Maze-v0", "walls=0:60,", "curriculum: alp_space \"walls=0:60,\" ends with a comma"},
        {"Maze-v0", "a=0:1,b=0:1,c=0:1,d=0:1,e=0:1", "curriculum: alp_space \"a=0:1,b=0:1,c=0:1,d=0:1,e=0:1\" names "
                                                   "more than 4 options"},
        {"Maze-v0", "walls=0.2:0.8", "curriculum: the ALP-GMM box [0.2, 0.8] of walls holds no integer value"},
        {"Maze-v0", "walls=0:60,goal_dits=1:9", "curriculum: ALP-GMM option \"goal_dits\" is not an option of "
                                                "Maze-v0; did you mean 'goal_dist'? (options: walls, sample_walls, "
                                                "goal_dist, width, height, max_steps)"},
        {"Maze-v0", "walls=0:60,max_steps=50:250", "curriculum: ALP-GMM option \"max_steps\" does not change "
                                                   "Maze-v0's levels (the same level blocks at 50 and 250): the "
                                                   "worlds would never see it"},
        {"Maze-v0", "width=5:13", "curriculum: Maze-v0 with width=5 has levels of another size than the run's world "
                                  "(ALP-GMM samples options that keep the level's size)"},
        {"Crafter-Reward-v1", "mode=0:1", "curriculum: ALP-GMM option \"mode\" of Crafter-Reward-v1 is not numeric"},
        {"MiniGrid-Empty-5x5-v0", "max_steps=10:90", "curriculum alp-gmm needs levels as blocks"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ludus_env *e = make(bad[i].id, NULL);
        snprintf(k.alp_space, sizeof k.alp_space, "%s", bad[i].space);
        c = NULL;
        int rc = ludus_curriculum_create("alp-gmm", &k, e, NULL, 1, 0, 0, 1, &c);
        CHECK_MSG(rc != LUDUS_OK && c == NULL && strstr(ludus_errmsg(), bad[i].msg) == ludus_errmsg() &&
                      !strchr(ludus_errmsg(), '\n'),
                  "alp_space \"%s\": rc %d, \"%s\"", bad[i].space, rc, ludus_errmsg());
        ludus_curriculum_destroy(c);
        ludus_env_destroy(e);
    }
    ludus_curriculum_config_default(&k);
    snprintf(k.alp_space, sizeof k.alp_space, "walls=0:60");
    snprintf(k.alp_option, sizeof k.alp_option, "walls");
    ludus_curriculum_config out;
    CHECK_ERR(ludus_curriculum_resolve("alp-gmm", &k, &out), LUDUS_EINVAL);
    CHECK_STR(ludus_errmsg(), "curriculum: give alp_space or alp_option/alp_lo/alp_hi, not both");
    ludus_env_destroy(env);
}

/* ---- bad input ----------------------------------------------------------- */

static void test_bad_input(void)
{
    ludus_curriculum_config k, out;
    ludus_curriculum_config_default(&k);
    CHECK_ERR(ludus_curriculum_check_name("plrr"), LUDUS_ENOTFOUND);
    CHECK_STR(ludus_errmsg(),
              "unknown curriculum 'plrr'; did you mean 'plr'? (known: uniform, plr, robust-plr, accel, alp-gmm)");
    CHECK_ERR(ludus_curriculum_check_name("acel"), LUDUS_ENOTFOUND);
    CHECK(strstr(ludus_errmsg(), "did you mean 'accel'?") != NULL);
    k.temperature = 200;
    CHECK_ERR(ludus_curriculum_resolve("plr", &k, &out), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "\"temperature\" = 200 is outside [-1, 100]") != NULL);
    k.temperature = 0;
    CHECK_ERR(ludus_curriculum_resolve("plr", &k, &out), LUDUS_EINVAL);
    CHECK_STR(ludus_errmsg(), "curriculum: temperature must be > 0, got 0");
    ludus_curriculum_config_default(&k);
    snprintf(k.score, sizeof k.score, "value_l2");
    CHECK_ERR(ludus_curriculum_resolve("plr", &k, &out), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "score 'value_l2' is unknown; did you mean 'value_l1'?") != NULL);
    ludus_curriculum_config_default(&k);
    CHECK_ERR(ludus_curriculum_resolve("alp-gmm", &k, &out), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "needs alp_option") != NULL);
    /* defaults are the spec's */
    CHECK_OK(ludus_curriculum_resolve("robust-plr", &k, &out));
    CHECK_STR(out.score, "maxmc");
    CHECK(out.staleness_coef == 0.3f && out.replay_prob == 0.5f && out.rho == 0.5f && out.buffer_size == 4000 &&
          out.no_exploratory_grad == 1);
    CHECK_OK(ludus_curriculum_resolve("accel", &k, &out));
    CHECK_STR(out.score, "positive_value_loss");
    CHECK(out.temperature == 0.3f && out.replay_prob == 0.8f && out.num_edits == 5 && out.editor_prob == 1.0f);
    CHECK_OK(ludus_curriculum_resolve("plr", &k, &out));
    CHECK(out.temperature == 0.1f && out.staleness_coef == 0.1f && out.rho == 1.0f);
    CHECK_STR(out.schedule, "proportionate");
    /* ACCEL and ALP-GMM need level blocks */
    ludus_env *grid = make("MiniGrid-Empty-5x5-v0", NULL);
    ludus_curriculum *c = NULL;
    CHECK_ERR(ludus_curriculum_create("accel", &k, grid, NULL, 2, 0, 0, 1, &c), LUDUS_EUNSUPPORTED);
    CHECK(strstr(ludus_errmsg(), "curriculum accel needs levels as blocks, and MiniGrid-Empty-5x5-v0 has none") != NULL);
    CHECK(c == NULL);
    ludus_env_destroy(grid);
    ludus_env *maze = make("Maze-v0", NULL);
    snprintf(k.alp_option, sizeof k.alp_option, "wals");
    CHECK_ERR(ludus_curriculum_create("alp-gmm", &k, maze, NULL, 2, 0, 0, 1, &c), LUDUS_EINVAL);
    CHECK_STR(ludus_errmsg(), "curriculum: ALP-GMM option \"wals\" is not an option of Maze-v0; did you mean 'walls'? "
                              "(options: walls, sample_walls, goal_dist, width, height, max_steps)");
    ludus_env_destroy(maze);
    /* PPO's config: the name and the knobs are checked */
    ludus_ppo_config pc;
    ludus_ppo_config_default(&pc, "Maze-v0");
    CHECK_ERR(ludus_ppo_config_apply_json(&pc, "{\"curriculum_knobs\": {\"temprature\": 1}}"), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "temperature") != NULL);
    CHECK_OK(ludus_ppo_config_apply_json(&pc, "{\"curriculum\": \"robust-plrr\"}"));
    CHECK_ERR(ludus_ppo_config_check(&pc), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "did you mean 'robust-plr'?") != NULL);
    /* segments that belong to no episode */
    ludus_curriculum_segment s = {.steps = 1};
    maze = make("Maze-v0", NULL);
    ludus_curriculum_config_default(&k);
    CHECK_OK(ludus_curriculum_create("plr", &k, maze, NULL, 2, 0, 0, 1, &c));
    CHECK_ERR(ludus_curriculum_report(c, 0, &s), LUDUS_EINVAL);
    CHECK_ERR(ludus_curriculum_report(c, 5, &s), LUDUS_EINVAL);
    s.steps = 0;
    CHECK_ERR(ludus_curriculum_report(c, 0, &s), LUDUS_EINVAL);
    ludus_curriculum_destroy(c);
    ludus_env_destroy(maze);
}

int main(void)
{
    test_plr_reference("rank", 0.1f, 0.1f, "proportionate", 0.5f, 0.5f, 1);
    test_plr_reference("rank", 0.5f, 0.0f, "fixed", 0.3f, 0.6f, 0);
    test_plr_reference("power", 0.3f, 0.0f, "proportionate", 0.0f, 0.5f, 1);
    test_plr_reference("power", 1.0f, 0.4f, "fixed", 0.5f, 0.7f, 0);
    test_robust_admission();
    test_accel();
    test_gmm();
    test_alp();
    test_plr_sequential();
    test_accel_easy();
    test_accel_base_easy(5);
    test_accel_base_easy(2);
    test_gmm_d();
    test_alp_2d();
    test_state("plr", "Maze-v0", NULL);
    test_state("robust-plr", "Maze-v0", NULL);
    test_state("accel", "Maze-v0", "walls=10");
    test_vec_blocks();
    test_bad_input();
    char dir[] = "/tmp/ludus_cur_XXXXXX";
    if (mkdtemp(dir)) {
        test_ppo_resume(dir, "robust-plr");
        test_ppo_resume(dir, "accel");
        test_ppo_resume_plr(dir);
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    } else {
        CHECK_MSG(0, "mkdtemp failed");
    }
    return check_finish("test_curriculum");
}
