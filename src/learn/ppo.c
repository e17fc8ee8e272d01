/* ppo.c: proximal policy optimisation over a vec of worlds. A rollout is
 * T steps of N worlds; each step the team of workers runs the policy on
 * its slice of worlds, then the vec steps them all. Truncated episodes are
 * bootstrapped from their final observation, advantages come from GAE, and
 * each minibatch is split across the team: every worker writes gradients
 * into its own buffer and the buffers are summed in a fixed order, so a
 * run is reproducible for a given seed and thread count.
 *
 * Over several processes (dist.h, DD-PPO) each rank holds a contiguous
 * share of the run's num_envs worlds and a copy of the learner. The worlds
 * are cut into shards, one per worker of every rank (ranks x threads);
 * everything numeric is computed per shard, in the same batches whatever
 * the layout: the rollout's forward passes, and each minibatch's gradient,
 * which is the sum over the minibatch's sequences of the shard's worlds in
 * the shuffled order (the shuffle is the same on every rank). A rank sums
 * its shards' gradients in order, then the ranks' sums are added with the
 * communicator's all-reduce, before every optimizer step; the advantage
 * statistics of a minibatch go the same way. So 1 rank x 2 threads and 2
 * ranks x 1 thread add the same two partial gradients (docs/scaling.md).
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ludus/dist.h"
#include "learn/policy.h"
#include "learn/ppo_internal.h"
#include "core/pool.h"
#include "nn/nn_internal.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The calling thread's CPU seconds (the update's serial / parallel split). */
static double thread_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* One worker's share of a minibatch, staged contiguously. */
typedef struct stage {
    uint8_t *obs;      /* (cap, D) */
    int32_t *words;    /* (cap, W) */
    float *h0;         /* (cap, M) */
    uint8_t *starts;   /* (cap) */
    int *sample;       /* (cap) rollout index t*N + n of each staged sample */
    int32_t *acts;     /* (cap, DA) their actions */
    uint8_t *mask;     /* (cap, A) their legal-action masks (worlds with one) */
    float *dlogp, *dent; /* (cap) loss gradients per sample */
    double stats[5];   /* pg loss, value loss, entropy, approx kl, clipped */
    double job_cpu;    /* thread CPU seconds of the member's part of the last job */
    int job_main;      /* 1: the calling thread ran it */
} stage;

struct ludus_ppo {
    ludus_ppo_config cfg;
    ludus_vec *vec;
    const ludus_env_info *info;
    policy pol;
    ludus_nn_adam adam;
    pool *team;    /* the learner's threads: member k of K works shard k */
    int K, N, T, L, W, M;
    float ent_coef;       /* this update's entropy weight (anneal_ent) */
    ludus_dist *dist;     /* NULL: one process */
    int R, rank;          /* ranks, and this one */
    int NT, w0;           /* the run's worlds (all ranks), and this rank's first */
    int *shard;           /* (K + 1) local worlds [shard[k], shard[k + 1]) of worker k's shard */
    double *red;          /* the update's metrics summed over ranks */
    size_t nred;
    int DA;               /* components of an action */
    size_t MA;            /* bytes of a legal-action mask (0: the world has none) */
    size_t D;
    policy_ws *ws;
    stage *st;
    /* rollout (T, N, ...) */
    uint8_t *obs;
    int32_t *words;
    uint8_t *starts;
    float *mem;
    int32_t *actions;     /* (T, N, DA) */
    uint8_t *masks;       /* (T, N, MA) the masks the actions were drawn under */
    float *logp, *values, *rewards, *adv, *ret;
    uint8_t *dones;
    /* the worlds' current step */
    uint8_t *cur_start;
    float *cur_mem, *next_mem;
    int32_t *cur_words;
    ludus_rng *act_rng;
    ludus_rng shuffle_rng;
    int *perm;
    uint32_t *counts;     /* (PPO_COUNT_SLOTS) visits per observation hash */
    int act_team;         /* 1: the rollout's forward runs on the team */
    int exact;            /* 1: every batch per shard (layout_exact, or ranks > 1) */
    int act_split;        /* 1: exact, and the rollout's forward runs shard by shard, as
                           * products whose rows depend on the batch (OpenBLAS) need;
                           * 0 with row-independent kernels: one batch, same results */
    int step_slices;      /* > 1: the team steps the worlds in this many slices */
    int *step_rc;         /* (K) each slice's result */
    int nach;             /* achievements of the world (Crafter: 22), else 0 */
    uint32_t *ep_masks;   /* (T*N) achievement masks of the rollout's ended episodes */
    size_t nmasks;
    int update;
    uint64_t num_updates;  /* of the whole run (total_steps can reach 1e15) */
    int blas_threads;      /* OpenBLAS's count before create, restored by destroy */
    uint64_t steps;
    double t0, cpu0, world_s;
    /* what a team job works on */
    int job_t;            /* rollout step */
    int job_mb0, job_mbn; /* minibatch: first chunk index into perm, count */
    float adv_mean, adv_std;
    /* the optimizer's step over blocks of parameters (see reduce_job) */
    int nopt;             /* blocks */
    double *opt_sq;       /* (nopt) each block's sum of squared gradients */
    int job_kind;         /* JOB_LEARN ...: what team_job does */
    pthread_t main_thread; /* the thread running the update */
    int profile;          /* LUDUS_PPO_PROFILE=1: the epochs' split is timed */
    float opt_scale;      /* the clipping coefficient of the step */
    ludus_nn_adam_coef opt_coef;
    /* the curriculum choosing the levels (NULL: the vec's seed sampler) */
    ludus_curriculum *cur;
    float *cur_ent, *cur_lc, *cur_mg; /* (T, N) the policy's entropy / log A, 1 - max p, p1 - p2 */
    float *raw_rew;                   /* (T, N) the worlds' own rewards */
    double *ep_ret;                   /* (N) the running episodes' returns */
    /* over several ranks the curriculum is a replica on every rank, fed
     * every rank's episodes in the run's world order (see cur_hook) */
    int cur_rep;          /* 1: a replica (R > 1) */
    int cur_batch;        /* 1: a per-batch curriculum (levels fixed for the batch) */
    size_t LS;            /* bytes of a level block (0: seeds only) */
    int *rfirst;          /* (R + 1) rank r's worlds are [rfirst[r], rfirst[r + 1]) */
    int nmax;             /* the most worlds a rank has */
    uint64_t *lvl_seed;   /* (N) the drawn next level of each local world */
    uint8_t *lvl_block;   /* (N + 1, LS) its block; the last row is scratch */
    uint8_t *lvl_has, *lvl_ready; /* (N) from a block; drawn and not yet used */
    uint8_t *done_send, *done_all; /* (nmax), (R, nmax) the step's episode ends */
    void *seg_send, *seg_all;      /* the rollout's segments: this rank's, all ranks' */
    size_t seg_n, seg_cap, seg_all_cap; /* this rank's count; capacities in records */
    uint64_t *seg_counts;          /* (R) every rank's count */
};

/* ---- exploration bonus ---- */

/* Observation counts live in a table of hashed slots; collisions only make
 * two observations share a count. 2^22 slots (16 MiB) keep them rare for
 * the few hundred thousand distinct views of a grid world run. */
_Static_assert(LUDUS_CRAFTER_NUM_ACHIEVEMENTS <= LUDUS_PPO_MAX_ACHIEVEMENTS, "metrics hold every achievement");

#define PPO_COUNT_BITS 22
#define PPO_COUNT_SLOTS (1u << PPO_COUNT_BITS)

/* FNV-1a over the observation, folded to the table's width. */
static uint32_t obs_slot(const uint8_t *o, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ o[i]) * 0x100000001b3ull;
    return (uint32_t)((h >> 32 ^ h) & (PPO_COUNT_SLOTS - 1));
}

/* explore_coef / sqrt(n) for the observation each world reached (the final
 * one when its episode ended), counted in world order so a run is
 * reproducible. */
static void add_bonus(ludus_ppo *p, size_t base, const uint8_t *vobs, const uint8_t *fobs,
                      const uint8_t *fmask)
{
    for (int n = 0; n < p->N; n++) { /* this rank's worlds (each rank counts its own) */
        const uint8_t *o = (fmask[n] ? fobs : vobs) + (size_t)n * p->D;
        uint32_t *c = &p->counts[obs_slot(o, p->D)];
        if (*c < UINT32_MAX) (*c)++;
        p->rewards[base + n] += p->cfg.explore_coef / sqrtf((float)*c);
    }
}

/* ---- rollout ---- */

/* Work (worlds x the policy's multiply-adds per sample) below which the
 * rollout's forward runs on the calling thread alone: on 2 cores, with the
 * default grid policy (about 70k per sample), waking the team for 16 worlds
 * cost more than it saved (0.25 s against 0.14 s of rollout per 40k
 * frames), broke even at 64 and paid from 128 (0.09 s against 0.12 s);
 * see docs/benchmarks.md. */
#define PPO_ACT_TEAM_MIN_MACS 8000000.0

/* Worlds [N k / K, N (k + 1) / K) step on team member k. */
static void step_job(void *ctx, int k, int K)
{
    ludus_ppo *p = ctx;
    int n0 = (int)((long)p->N * k / K), n1 = (int)((long)p->N * (k + 1) / K);
    p->step_rc[k] = ludus_vec_step_slice(p->vec, p->actions + (size_t)p->job_t * p->N * p->DA, n0, n1 - n0);
}

/* The policy acts for shard k's worlds (K == 1: all worlds), in one batch. */
static void act_job(void *ctx, int k, int K)
{
    ludus_ppo *p = ctx;
    int n0 = K == 1 ? 0 : p->shard[k], n1 = K == 1 ? p->N : p->shard[k + 1];
    if (n1 <= n0) return;
    int t = p->job_t;
    size_t base = (size_t)t * p->N;
    policy_batch b = {.L = 1, .B = n1 - n0, .obs = p->obs + (base + n0) * p->D,
                      .words = p->W ? p->words + (base + n0) * p->W : NULL,
                      .h0 = p->M ? p->cur_mem + (size_t)n0 * p->M : NULL,
                      .starts = p->cur_start + n0,
                      .mask = p->MA ? p->masks + (base + n0) * p->MA : NULL};
    policy_ws *ws = &p->ws[k];
    ludus_policy_forward(&p->pol, p->pol.params.data, ws, &b);
    int A = p->pol.num_actions;
    for (int i = 0; i < n1 - n0; i++) {
        int n = n0 + i;
        const float *lp = ws->logp + (size_t)i * A;
        int32_t *a = p->actions + (base + n) * p->DA;
        ludus_policy_act(&p->pol, lp, &p->act_rng[n], 0, a);
        p->logp[base + n] = ludus_policy_logp_of(&p->pol, lp, a);
        p->values[base + n] = ws->value[i];
        if (p->cur) { /* what the curriculum's scores read of the policy */
            double h = 0, p1 = 0, p2 = 0;
            for (int k = 0; k < A; k++) {
                double q = exp((double)lp[k]);
                if (q > 0) h -= q * (double)lp[k];
                if (q > p1) p2 = p1, p1 = q;
                else if (q > p2) p2 = q;
            }
            p->cur_ent[base + n] = A > 1 ? (float)(h / log((double)A)) : 0.0f;
            p->cur_lc[base + n] = (float)(1.0 - p1);
            p->cur_mg[base + n] = (float)(p1 - p2);
        }
    }
    if (p->M) memcpy(p->next_mem + (size_t)n0 * p->M, ws->mh, (size_t)(n1 - n0) * p->M * sizeof(float));
}

/* The missions of the worlds whose flag is set in only (all when NULL) as
 * words; a mission changes only when its world starts an episode. */
static void tokenize_worlds(ludus_ppo *p, int32_t *out, const uint8_t *only)
{
    const ludus_env *env = ludus_vec_env(p->vec);
    for (int n = 0; n < p->N; n++)
        if (!only || only[n])
            ludus_policy_tokenize(&p->pol, ludus_env_mission(env, ludus_vec_state(p->vec, n)), out + (size_t)n * p->W);
}

/* Values of the observations in obs (n, D) whose memory is mem (n, M),
 * through worker 0's workspace; n <= a shard's worlds. */
static void values_of(ludus_ppo *p, const uint8_t *obs, const int32_t *words, const float *mem,
                      int n, float *out)
{
    if (n <= 0) return;
    policy_batch b = {.L = 1, .B = n, .obs = obs, .words = words, .h0 = mem, .starts = NULL};
    ludus_policy_forward(&p->pol, p->pol.params.data, &p->ws[0], &b);
    memcpy(out, p->ws[0].value, (size_t)n * sizeof(float));
}

/* The shard of local world n. */
static int shard_of(const ludus_ppo *p, int n)
{
    int k = 0;
    while (k + 1 < p->K && n >= p->shard[k + 1]) k++;
    return k;
}

/* ---- the curriculum over several ranks ----
 *
 * Every rank holds the same curriculum (made for all NT worlds, from the
 * same seed) and makes exactly the calls a single process makes, in the
 * same order: ludus_curriculum_next for every world of the run when it
 * begins an episode (the worlds in order at each step), the reports of
 * every world's segments in world order, then end_batch. A rank's vec
 * asks its worlds' levels through cur_hook. Levels are drawn for the
 * whole run before a reset of all worlds; during a rollout a per-reset
 * curriculum's draws wait until the ranks have swapped which worlds
 * ended (one allgather of a byte per world and step), a per-batch one's
 * level is the batch's own, so other ranks' episodes are counted after
 * the rollout from their segments. */

/* A replica's segment as it travels: the world of the run, and the means. */
typedef struct cur_wire {
    int32_t world, pad;
    ludus_curriculum_segment seg;
} cur_wire;

static int is_local(const ludus_ppo *p, int g) { return g >= p->w0 && g < p->w0 + p->N; }

/* World g's next level from the replica: kept for the vec when g is this
 * rank's, else drawn only to keep the replica in step. */
static int cur_draw(ludus_ppo *p, int g)
{
    int n = g - p->w0, local = is_local(p, g), has = 0;
    uint64_t seed = 0;
    uint8_t *blk = p->LS ? p->lvl_block + (size_t)(local ? n : p->N) * p->LS : NULL;
    int rc = ludus_curriculum_next(p->cur, g, &seed, blk, &has);
    if (rc || !local) return rc;
    p->lvl_seed[n] = seed;
    p->lvl_has[n] = (uint8_t)has;
    p->lvl_ready[n] = 1;
    return LUDUS_OK;
}

/* The vec's level sampler on a replica's rank. */
static int cur_hook(void *user, int w, ludus_rng *rng, uint8_t *block, size_t size, uint64_t *seed)
{
    (void)rng;
    ludus_ppo *p = user;
    if (!p->lvl_ready[w] && p->cur_batch) { /* the batch's level of world w0 + w */
        int has = 0, rc = ludus_curriculum_next(p->cur, p->w0 + w, seed, size ? block : NULL, &has);
        return rc ? rc : has;
    }
    if (!p->lvl_ready[w]) return LUDUS_VEC_LEVEL_LATER; /* until the ranks swap their ends */
    p->lvl_ready[w] = 0;
    *seed = p->lvl_seed[w];
    if (p->lvl_has[w] && size) memcpy(block, p->lvl_block + (size_t)w * p->LS, size);
    return p->lvl_has[w];
}

/* Reset every world (a replica first draws the run's levels in order). */
static int reset_worlds(ludus_ppo *p)
{
    int rc;
    for (int g = 0; p->cur_rep && g < p->NT; g++)
        if ((rc = cur_draw(p, g))) return rc;
    return ludus_vec_reset(p->vec);
}

/* After a step of a per-reset replica: the run's ended worlds, in order,
 * begin their next episodes; this rank's then reset. */
static int cur_swap_ends(ludus_ppo *p, const uint8_t *term, const uint8_t *trunc)
{
    memset(p->done_send, 0, (size_t)p->nmax);
    for (int n = 0; n < p->N; n++) p->done_send[n] = term[n] || trunc[n];
    int rc = ludus_dist_allgather(p->dist, p->done_send, (size_t)p->nmax, p->done_all);
    for (int r = 0; r < p->R && !rc; r++)
        for (int g = p->rfirst[r]; g < p->rfirst[r + 1] && !rc; g++)
            if (p->done_all[(size_t)r * p->nmax + (g - p->rfirst[r])]) rc = cur_draw(p, g);
    for (int n = 0; n < p->N && !rc; n++)
        if (p->done_send[n]) rc = ludus_vec_reset_world(p->vec, n);
    return rc;
}

static int rollout(ludus_ppo *p)
{
    const int N = p->N;
    uint8_t *vobs = ludus_vec_obs(p->vec);
    stage *s0 = &p->st[0];
    for (int t = 0; t < p->T; t++) {
        size_t base = (size_t)t * N;
        memcpy(p->obs + base * p->D, vobs, (size_t)N * p->D);
        if (p->W) memcpy(p->words + base * p->W, p->cur_words, (size_t)N * p->W * sizeof(int32_t));
        memcpy(p->starts + base, p->cur_start, (size_t)N);
        if (p->MA) memcpy(p->masks + base * p->MA, ludus_vec_action_masks(p->vec), (size_t)N * p->MA);
        if (p->M) memcpy(p->mem + base * p->M, p->cur_mem, (size_t)N * p->M * sizeof(float));
        p->job_t = t;
        if (p->act_team) ludus_pool_run(p->team, act_job, p, p->K);
        else if (p->act_split)
            for (int k = 0; k < p->K; k++) act_job(p, k, p->K);
        else
            act_job(p, 0, 1);
        double ts = now_s();
        int rc = LUDUS_OK;
        if (p->step_slices > 1) {
            ludus_pool_run(p->team, step_job, p, p->step_slices);
            for (int k = 0; k < p->step_slices && !rc; k++)
                if (p->step_rc[k]) rc = ludus_err_set(p->step_rc[k], "ppo: stepping the worlds of %s failed", p->info->id);
        } else {
            rc = ludus_vec_step(p->vec, p->actions + base * p->DA);
        }
        const double *r = ludus_vec_rewards(p->vec);
        const uint8_t *term = ludus_vec_terminated(p->vec), *trunc = ludus_vec_truncated(p->vec);
        if (!rc && p->cur_rep && !p->cur_batch) rc = cur_swap_ends(p, term, trunc);
        p->world_s += now_s() - ts;
        if (rc) return rc;
        const uint8_t *fobs = ludus_vec_final_obs(p->vec);
        if (p->nach) {
            const uint8_t *fm = ludus_vec_final_mask(p->vec);
            const uint32_t *fa = ludus_vec_final_achievements(p->vec);
            for (int n = 0; n < N; n++)
                if (fm[n]) p->ep_masks[p->nmasks++] = fa[n];
        }
        int nb = 0;
        if (p->raw_rew)
            for (int n = 0; n < N; n++) p->raw_rew[base + n] = (float)r[n];
        for (int n = 0; n < N; n++) {
            p->rewards[base + n] = (float)r[n];
            p->dones[base + n] = term[n] || trunc[n];
            if (trunc[n] && !term[n]) { /* cut by the time limit: bootstrap */
                memcpy(s0->obs + (size_t)nb * p->D, fobs + (size_t)n * p->D, p->D);
                if (p->W) memcpy(s0->words + (size_t)nb * p->W, p->cur_words + (size_t)n * p->W, p->W * sizeof(int32_t));
                if (p->M) memcpy(s0->h0 + (size_t)nb * p->M, p->next_mem + (size_t)n * p->M, p->M * sizeof(float));
                s0->sample[nb++] = n;
            }
        }
        if (p->counts) add_bonus(p, base, vobs, fobs, ludus_vec_final_mask(p->vec));
        /* the cut episodes' values, one batch per shard (worlds in order) */
        for (int i0 = 0, i1; i0 < nb; i0 = i1) {
            int k = shard_of(p, s0->sample[i0]);
            for (i1 = i0 + 1; i1 < nb && (!p->act_split || s0->sample[i1] < p->shard[k + 1]);) i1++;
            float *v = p->ws[0].dvalue; /* free until the update */
            values_of(p, s0->obs + (size_t)i0 * p->D, p->W ? s0->words + (size_t)i0 * p->W : NULL,
                      p->M ? s0->h0 + (size_t)i0 * p->M : NULL, i1 - i0, v);
            for (int i = i0; i < i1; i++) p->rewards[base + s0->sample[i]] += p->cfg.gamma * v[i - i0];
        }
        for (int n = 0; n < N; n++) p->cur_start[n] = p->dones[base + n];
        if (p->M) memcpy(p->cur_mem, p->next_mem, (size_t)N * p->M * sizeof(float));
        if (p->W) tokenize_worlds(p, p->cur_words, p->cur_start);
        p->steps += (uint64_t)p->NT;
    }
    /* GAE from the value of the observation after the last step. */
    float *last = p->ws[0].dvalue;
    for (int n = 0; n < N; n++) s0->starts[n] = p->cur_start[n];
    for (int k = 0; k < (p->act_split ? p->K : 1); k++) { /* one batch per shard, or of all */
        int n0 = p->act_split ? p->shard[k] : 0, n = p->act_split ? p->shard[k + 1] - n0 : N;
        if (n <= 0) continue;
        policy_batch b = {.L = 1, .B = n, .obs = vobs + (size_t)n0 * p->D,
                          .words = p->W ? p->cur_words + (size_t)n0 * p->W : NULL,
                          .h0 = p->M ? p->cur_mem + (size_t)n0 * p->M : NULL, .starts = p->cur_start + n0};
        ludus_policy_forward(&p->pol, p->pol.params.data, &p->ws[0], &b);
        memcpy(last + n0, p->ws[0].value, (size_t)n * sizeof(float));
    }
    const float g = p->cfg.gamma, lam = p->cfg.gae_lambda;
    for (int n = 0; n < N; n++) {
        float gae = 0.0f;
        for (int t = p->T - 1; t >= 0; t--) {
            size_t i = (size_t)t * N + n;
            float next_v = t == p->T - 1 ? last[n] : p->values[i + N];
            float live = p->dones[i] ? 0.0f : 1.0f;
            float delta = p->rewards[i] + g * next_v * live - p->values[i];
            gae = delta + g * lam * live * gae;
            p->adv[i] = gae;
            p->ret[i] = gae + p->values[i];
        }
    }
    return LUDUS_OK;
}

static void seed_streams(ludus_ppo *p);

/* A replica's local segment n, kept to be sent. */
static int cur_keep(ludus_ppo *p, int n, const ludus_curriculum_segment *seg)
{
    if (p->seg_n == p->seg_cap) {
        size_t cap = p->seg_cap ? 2 * p->seg_cap : 256;
        void *q = realloc(p->seg_send, cap * sizeof(cur_wire));
        if (!q) return ludus_err_set(LUDUS_ENOMEM, "ppo: out of memory");
        p->seg_send = q;
        p->seg_cap = cap;
    }
    cur_wire *w = (cur_wire *)p->seg_send + p->seg_n++;
    memset(w, 0, sizeof *w);
    w->world = p->w0 + n;
    w->seg = *seg;
    return LUDUS_OK;
}

/* Every rank's segments to every replica: the counts, then the records
 * (each rank's padded to the largest count), reported in the run's world
 * order; a per-batch replica first begins the episodes the other ranks'
 * worlds began during the rollout (one per ended segment). */
static int cur_merge(ludus_ppo *p)
{
    uint64_t mine = p->seg_n;
    p->seg_n = 0;
    int rc = ludus_dist_allgather(p->dist, &mine, sizeof mine, p->seg_counts);
    if (rc) return rc;
    size_t most = 0;
    for (int r = 0; r < p->R; r++)
        if (p->seg_counts[r] > most) most = (size_t)p->seg_counts[r];
    if (most > p->seg_cap) { /* this rank's records padded to the largest count */
        void *q = realloc(p->seg_send, most * sizeof(cur_wire));
        if (!q) return ludus_err_set(LUDUS_ENOMEM, "ppo: out of memory");
        p->seg_send = q;
        p->seg_cap = most;
    }
    if (most > mine) memset((cur_wire *)p->seg_send + mine, 0, (most - (size_t)mine) * sizeof(cur_wire));
    if ((size_t)p->R * most > p->seg_all_cap) {
        void *q = realloc(p->seg_all, (size_t)p->R * most * sizeof(cur_wire));
        if (!q) return ludus_err_set(LUDUS_ENOMEM, "ppo: out of memory");
        p->seg_all = q;
        p->seg_all_cap = (size_t)p->R * most;
    }
    if (most && (rc = ludus_dist_allgather(p->dist, p->seg_send, most * sizeof(cur_wire), p->seg_all))) return rc;
    const cur_wire *w = p->seg_all;
    for (int r = 0; r < p->R; r++)
        for (size_t i = 0; i < p->seg_counts[r]; i++) {
            const cur_wire *x = &w[(size_t)r * most + i];
            if (x->world < p->rfirst[r] || x->world >= p->rfirst[r + 1])
                return ludus_err_set(LUDUS_EIO, "ppo: rank %d sent a segment of world %d, not one of its own", r,
                                     x->world);
            if (p->cur_batch && r != p->rank && x->seg.ended && (rc = cur_draw(p, x->world))) return rc;
        }
    for (int r = 0; r < p->R; r++)
        for (size_t i = 0; i < p->seg_counts[r]; i++)
            if ((rc = ludus_curriculum_report(p->cur, w[(size_t)r * most + i].world, &w[(size_t)r * most + i].seg)))
                return rc;
    return LUDUS_OK;
}

/* Each world's episode segments of the rollout, in order, to the
 * curriculum: the means the scores use (GAE before normalisation). */
static int score_levels(ludus_ppo *p)
{
    const int N = p->N;
    for (int n = 0; n < N; n++) {
        double sa = 0, sabs = 0, spos = 0, sv = 0, se = 0, sl = 0, sm = 0;
        int steps = 0;
        for (int t = 0; t < p->T; t++) {
            size_t i = (size_t)t * N + n;
            double a = p->adv[i];
            sa += a;
            sabs += fabs(a);
            spos += a > 0 ? a : 0;
            sv += p->values[i];
            se += p->cur_ent[i];
            sl += p->cur_lc[i];
            sm += p->cur_mg[i];
            p->ep_ret[n] += p->raw_rew[i];
            steps++;
            if (p->dones[i] || t == p->T - 1) {
                ludus_curriculum_segment seg = {.steps = steps, .ended = p->dones[i], .episode_return = p->ep_ret[n],
                                                .adv = sa / steps, .abs_adv = sabs / steps, .pos_adv = spos / steps,
                                                .value = sv / steps, .entropy = se / steps, .least_conf = sl / steps,
                                                .margin = sm / steps};
                int rc = p->cur_rep ? cur_keep(p, n, &seg) : ludus_curriculum_report(p->cur, n, &seg);
                if (rc) return rc;
                if (p->dones[i]) p->ep_ret[n] = 0;
                sa = sabs = spos = sv = se = sl = sm = 0;
                steps = 0;
            }
        }
    }
    if (p->cur_rep) {
        int rc = cur_merge(p);
        if (rc) return rc;
    }
    return ludus_curriculum_end_batch(p->cur);
}

/* ---- update ---- */

/* The local world of a global chunk (t block * NT + world) in shard k, or -1. */
static int chunk_world(const ludus_ppo *p, int chunk, int k)
{
    int n = chunk % p->NT - p->w0;
    return n >= p->shard[k] && n < p->shard[k + 1] ? n : -1;
}

/* Worker k stages the sequences of its shard's worlds among the
 * minibatch's chunks perm[mb0 .. mb0+mbn) (in that order), runs forward,
 * the PPO loss and backward into its own gradient buffer. */
static void learn_work(ludus_ppo *p, int k, int K)
{
    policy_ws *ws = &p->ws[k];
    stage *st = &p->st[k];
    memset(st->stats, 0, sizeof st->stats);
    memset(ws->grad, 0, p->pol.params.size * sizeof(float));
    int B = 0, L = p->L, N = p->N, A = p->pol.num_actions;
    /* exact: the minibatch's chunks of this shard's worlds; else an even
     * share of the minibatch's chunks, whatever their worlds */
    const int c0 = p->exact ? 0 : (int)((long)p->job_mbn * k / K);
    const int c1 = p->exact ? p->job_mbn : (int)((long)p->job_mbn * (k + 1) / K);
    for (int c = c0; c < c1; c++) B += !p->exact || chunk_world(p, p->perm[p->job_mb0 + c], k) >= 0;
    if (B <= 0) return;
    for (int c = c0, b = 0; c < c1; c++) { /* staged as (L, B) */
        int chunk = p->perm[p->job_mb0 + c];
        int n = p->exact ? chunk_world(p, chunk, k) : chunk % p->NT - p->w0, t0 = (chunk / p->NT) * L;
        if (n < 0) continue;
        if (p->M) memcpy(st->h0 + (size_t)b * p->M, p->mem + ((size_t)t0 * N + n) * p->M, p->M * sizeof(float));
        for (int l = 0; l < L; l++) {
            size_t src = (size_t)(t0 + l) * N + n, dst = (size_t)l * B + b;
            memcpy(st->obs + dst * p->D, p->obs + src * p->D, p->D);
            if (p->W) memcpy(st->words + dst * p->W, p->words + src * p->W, p->W * sizeof(int32_t));
            st->starts[dst] = p->starts[src];
            if (p->MA) memcpy(st->mask + dst * p->MA, p->masks + src * p->MA, p->MA);
            st->sample[dst] = (int)src;
        }
        b++;
    }
    policy_batch batch = {.L = L, .B = B, .obs = st->obs, .words = p->W ? st->words : NULL,
                          .h0 = p->M ? st->h0 : NULL, .starts = st->starts,
                          .mask = p->MA ? st->mask : NULL};
    ludus_policy_forward(&p->pol, p->pol.params.data, ws, &batch);
    const int S = L * B;
    const float inv = 1.0f / (float)((long)p->job_mbn * L), clip = p->cfg.clip;
    float *dlogp = st->dlogp, *dent = st->dent;
    int32_t *acts = st->acts;
    /* the sums stay in this thread's registers / stack until the end: the
     * workers' stage structs sit side by side (false sharing) */
    double stats[5] = {0, 0, 0, 0, 0};
    memset(ws->dlogits, 0, (size_t)S * A * sizeof(float));
    for (int s = 0; s < S; s++) {
        int i = st->sample[s];
        memcpy(acts + (size_t)s * p->DA, p->actions + (size_t)i * p->DA, (size_t)p->DA * sizeof *acts);
        float lp = ludus_policy_logp_of(&p->pol, ws->logp + (size_t)s * A, acts + (size_t)s * p->DA);
        float ratio = expf(lp - p->logp[i]);
        float adv = p->adv[i];
        if (p->cfg.norm_adv) adv = (adv - p->adv_mean) / (p->adv_std + 1e-8f);
        float s1 = ratio * adv, cr = ratio < 1 - clip ? 1 - clip : (ratio > 1 + clip ? 1 + clip : ratio);
        float s2 = cr * adv;
        stats[0] += -(s1 < s2 ? s1 : s2);
        dlogp[s] = (s1 <= s2) ? -adv * ratio * inv : 0.0f;
        float v = ws->value[s], dv = v - p->ret[i];
        stats[1] += 0.5 * dv * dv;
        ws->dvalue[s] = p->cfg.vf_coef * dv * inv;
        float h = ludus_policy_entropy_of(&p->pol, ws->logp + (size_t)s * A);
        stats[2] += h;
        dent[s] = -p->ent_coef * inv;
        stats[3] += (ratio - 1.0f) - (lp - p->logp[i]);
        stats[4] += fabsf(ratio - 1.0f) > clip;
    }
    memcpy(st->stats, stats, sizeof stats);
    ludus_policy_head_backward(&p->pol, ws->dlogits, ws->logp, acts, dlogp, dent, S);
    ludus_policy_backward(&p->pol, p->pol.params.data, ws, &batch);
}

/* After the workers' backward passes, the optimizer's step runs on the
 * team too, over fixed blocks of PPO_OPT_BLOCK parameters (worker k takes
 * blocks [nopt k / K, nopt (k + 1) / K)): block c's gradient is summed
 * over the workers' buffers in worker order, and its sum of squares
 * (ludus_nn_sumsq) kept in opt_sq[c]; the blocks' sums are added in block
 * order for the norm, and Adam updates each block with the clipping
 * coefficient. The blocks do not depend on the thread count, so neither
 * does any number. Over several ranks the squares wait for the
 * all-reduce (JOB_NORM). */
#define PPO_OPT_BLOCK 2048

enum { JOB_LEARN, JOB_REDUCE, JOB_NORM, JOB_ADAM };

static void opt_block(const ludus_ppo *p, int c, size_t *lo, size_t *hi)
{
    const size_t P = p->pol.params.size;
    *lo = (size_t)c * PPO_OPT_BLOCK;
    *hi = *lo + PPO_OPT_BLOCK < P ? *lo + PPO_OPT_BLOCK : P;
}

static void opt_work(ludus_ppo *p, int kind, int c)
{
    size_t lo, hi;
    opt_block(p, c, &lo, &hi);
    float *G = p->pol.params.grad;
    if (kind == JOB_REDUCE) {
        memcpy(G + lo, p->ws[0].grad + lo, (hi - lo) * sizeof(float));
        for (int k = 1; k < p->K; k++) {
            const float *g = p->ws[k].grad;
            for (size_t i = lo; i < hi; i++) G[i] += g[i];
        }
        if (p->R == 1) p->opt_sq[c] = ludus_nn_sumsq(G + lo, hi - lo);
    } else if (kind == JOB_NORM) {
        p->opt_sq[c] = ludus_nn_sumsq(G + lo, hi - lo);
    } else {
        ludus_nn_adam_range(&p->adam, &p->opt_coef, p->pol.params.data, G, p->opt_scale, lo, hi);
    }
}

/* Member k's part of the job p->job_kind, timed in its thread's CPU
 * seconds (the update's serial / parallel split). */
static void team_job(void *ctx, int k, int K)
{
    ludus_ppo *p = ctx;
    double c0 = p->profile ? thread_cpu_s() : 0.0;
    if (p->job_kind == JOB_LEARN) {
        learn_work(p, k, K);
    } else {
        for (int c = (int)((long)p->nopt * k / K); c < (int)((long)p->nopt * (k + 1) / K); c++)
            opt_work(p, p->job_kind, c);
    }
    if (p->profile) {
        p->st[k].job_cpu = thread_cpu_s() - c0;
        p->st[k].job_main = pthread_equal(pthread_self(), p->main_thread);
    }
}

/* Run a job on the team and account for its CPU seconds: all of them in
 * *job, the slowest member's in *crit, the calling thread's time inside
 * the pool call in *mine, of which what its own chunks did not use
 * (handing the job out, spinning for the others) in *wait. */
static void run_team(ludus_ppo *p, int kind, double *job, double *crit, double *mine, double *wait)
{
    p->job_kind = kind;
    double c0 = p->profile ? thread_cpu_s() : 0.0;
    ludus_pool_run(p->team, team_job, p, p->K);
    if (!p->profile) return;
    double in = thread_cpu_s() - c0, most = 0.0, own = 0.0;
    for (int k = 0; k < p->K; k++) {
        *job += p->st[k].job_cpu;
        if (p->st[k].job_main) own += p->st[k].job_cpu;
        if (p->st[k].job_cpu > most) most = p->st[k].job_cpu;
    }
    *crit += most;
    *mine += in;
    *wait += in > own ? in - own : 0.0;
}

/* The sum and sum of squares of the advantages in the minibatch's
 * sequences of each shard, added shard by shard and then over ranks. */
static int adv_stats(ludus_ppo *p, int mb)
{
    double tot[3] = {0, 0, 0}; /* sum, sum of squares, count */
    for (int k = 0; k < p->K; k++) {
        double s = 0.0, s2 = 0.0;
        long n = 0;
        for (int c = 0; c < mb; c++) {
            int chunk = p->perm[p->job_mb0 + c], w = chunk_world(p, chunk, k);
            if (w < 0) continue;
            int t0 = (chunk / p->NT) * p->L;
            for (int l = 0; l < p->L; l++, n++) {
                double a = p->adv[(size_t)(t0 + l) * p->N + w];
                s += a;
                s2 += a * a;
            }
        }
        tot[0] += s, tot[1] += s2, tot[2] += (double)n;
    }
    int rc = ludus_dist_allreduce_f64(p->dist, tot, 3);
    if (rc) return rc;
    double n = tot[2], mean = tot[0] / n, var = n > 1 ? (tot[1] - n * mean * mean) / (n - 1) : 0.0;
    p->adv_mean = (float)mean;
    p->adv_std = (float)sqrt(var > 0 ? var : 0);
    return LUDUS_OK;
}

static int update(ludus_ppo *p, ludus_ppo_metrics *m, float lr)
{
    const int chunks = p->NT * (p->T / p->L), mb = chunks / p->cfg.minibatches;
    double gn = 0.0;
    long steps = 0;
    float *G = p->pol.params.grad;
    const size_t P = p->pol.params.size;
    int rc = LUDUS_OK;
    /* the jobs' CPU seconds, and this thread's (the rest of its time is serial) */
    double job = 0.0, crit = 0.0, mine = 0.0, wait = 0.0, c0 = p->profile ? thread_cpu_s() : 0.0;
    p->main_thread = pthread_self();
    /* the epochs are a burst of short jobs (three per minibatch, a few
     * microseconds apart): the workers wait for the next one spinning,
     * not asleep (a futex wake-up per job cost about 10% of the epochs'
     * wall time at 2 threads); they sleep again for the rollout */
    ludus_pool_spin(p->team, 1);
    for (int e = 0; e < p->cfg.epochs && !rc; e++) {
        for (int i = 0; i < chunks; i++) p->perm[i] = i;
        for (int i = chunks - 1; i > 0; i--) { /* Fisher-Yates from the end */
            int j = (int)ludus_rng_integers(&p->shuffle_rng, 0, i + 1), tmp = p->perm[i];
            p->perm[i] = p->perm[j];
            p->perm[j] = tmp;
        }
        for (int b = 0; b < p->cfg.minibatches && !rc; b++) {
            p->job_mb0 = b * mb;
            p->job_mbn = mb;
            if (p->cfg.norm_adv && (rc = adv_stats(p, mb))) break;
            run_team(p, JOB_LEARN, &job, &crit, &mine, &wait);
            run_team(p, JOB_REDUCE, &job, &crit, &mine, &wait);
            /* the ranks' sums added: each was scaled by 1 / (the whole
             * minibatch's samples), so this is the minibatch's mean */
            if ((rc = ludus_dist_allreduce_f32(p->dist, G, P))) break;
            if (p->R > 1) run_team(p, JOB_NORM, &job, &crit, &mine, &wait);
            for (int k = 0; k < p->K; k++)
                for (int s = 0; s < 5; s++) p->red[s] += p->st[k].stats[s];
            double sq = 0.0;
            for (int c = 0; c < p->nopt; c++) sq += p->opt_sq[c];
            float norm;
            p->opt_scale = ludus_nn_clip_coef(sq, p->cfg.max_grad_norm, &norm);
            gn += norm;
            ludus_nn_adam_begin(&p->adam, lr, &p->opt_coef);
            run_team(p, JOB_ADAM, &job, &crit, &mine, &wait);
            steps++;
        }
    }
    ludus_pool_spin(p->team, 0);
    m->grad_norm = steps ? gn / steps : NAN;
    m->learn_serial_cpu_s = p->profile ? thread_cpu_s() - c0 - mine : 0.0;
    m->learn_job_cpu_s = job;
    m->learn_crit_cpu_s = crit;
    m->learn_wait_cpu_s = wait;
    return rc;
}

/* The red buffer: the PPO statistics, the episodes' sums, the CPU
 * seconds, then (worlds with achievements) each rank's count of ended
 * episodes and their masks in a segment per rank (T x its worlds) */
enum { RED_STATS = 0, RED_EPISODES = 5, RED_RETURN, RED_SUCCESS, RED_LENGTH, RED_CPU, RED_COUNTS };

int ludus_ppo_update(ludus_ppo *p, ludus_ppo_metrics *m)
{
    if (!p || !m) return ludus_err_set(LUDUS_EINVAL, "ppo: NULL argument");
    memset(m, 0, sizeof *m);
    double t0 = now_s(), c0 = cpu_s();
    ludus_vec_clear_stats(p->vec);
    p->world_s = 0.0;
    p->nmasks = 0;
    memset(p->red, 0, p->nred * sizeof *p->red);
    int rc, train = 1;
    if (p->cur) {
        if ((rc = ludus_curriculum_begin_batch(p->cur, &train))) return rc;
        if (ludus_curriculum_batch_resets(p->cur)) {
            /* every batch starts afresh on the curriculum's levels: the
             * update is then a function of the saved state alone */
            seed_streams(p);
            if ((rc = reset_worlds(p))) return rc;
            memset(p->cur_start, 1, (size_t)p->N);
            if (p->M) memset(p->cur_mem, 0, (size_t)p->N * p->M * sizeof(float));
            if (p->W) tokenize_worlds(p, p->cur_words, NULL);
            memset(p->ep_ret, 0, (size_t)p->N * sizeof *p->ep_ret);
        }
    }
    rc = rollout(p);
    if (rc) return rc;
    if (p->cur && (rc = score_levels(p))) return rc;
    double t1 = now_s(), c1 = cpu_s();
    unsigned long long f1 = ludus_nn_flops();
    float sched = (float)(1.0 - (double)p->update / (double)p->num_updates);
    if (sched < 0.0f) sched = 0.0f;
    float lr = p->cfg.anneal_lr ? p->cfg.lr * sched : p->cfg.lr;
    p->ent_coef = p->cfg.anneal_ent ? p->cfg.ent_coef * sched : p->cfg.ent_coef;
    m->ent_coef = p->ent_coef;
    if (train) {
        if ((rc = update(p, m, lr))) return rc;
    } else { /* Robust PLR's exploratory batch: scored, not learned from */
        m->policy_loss = m->value_loss = m->entropy = m->approx_kl = m->clip_frac = m->grad_norm = NAN;
    }
    if (p->cur) {
        m->has_curriculum = 1;
        m->trained = train;
        ludus_curriculum_get_stats(p->cur, &m->curriculum);
    }
    m->rollout_s = t1 - t0;
    m->world_s = p->world_s;
    m->learn_s = now_s() - t1;
    m->rollout_cpu_s = c1 - c0;
    m->learn_cpu_s = cpu_s() - c1;
    m->learn_flops = (double)(ludus_nn_flops() - f1);
    p->update++;
    ludus_episode_stats es;
    ludus_vec_stats(p->vec, &es);
    double *red = p->red;
    red[RED_EPISODES] = (double)es.episodes;
    red[RED_RETURN] = es.return_sum;
    red[RED_SUCCESS] = (double)es.successes;
    red[RED_LENGTH] = (double)es.steps;
    red[RED_CPU] = cpu_s() - p->cpu0;
    if (p->nach && p->R > 1) {
        red[RED_COUNTS + p->rank] = (double)p->nmasks;
        double *seg = red + RED_COUNTS + p->R + (size_t)p->T * p->w0;
        for (size_t e = 0; e < p->nmasks; e++) seg[e] = (double)p->ep_masks[e];
    }
    if ((rc = ludus_dist_allreduce_f64(p->dist, red, p->nred))) return rc;
    if (p->nach && p->R > 1) { /* every rank's masks, in rank order */
        p->nmasks = 0;
        for (int r = 0; r < p->R; r++) {
            long first, count;
            ludus_dist_share(p->NT, p->R, r, &first, &count);
            const double *seg = red + RED_COUNTS + p->R + (size_t)p->T * first;
            for (long e = 0; e < (long)red[RED_COUNTS + r]; e++) p->ep_masks[p->nmasks++] = (uint32_t)seg[e];
        }
    }
    const double samples = (double)(p->NT * (p->T / p->L) / p->cfg.minibatches) * p->L * p->cfg.minibatches * p->cfg.epochs;
    m->policy_loss = red[RED_STATS + 0] / samples;
    m->value_loss = red[RED_STATS + 1] / samples;
    m->entropy = red[RED_STATS + 2] / samples;
    m->approx_kl = red[RED_STATS + 3] / samples;
    m->clip_frac = red[RED_STATS + 4] / samples;
    const double eps = red[RED_EPISODES];
    m->update = p->update;
    m->steps = p->steps;
    m->wall = now_s() - p->t0;
    m->cpu = red[RED_CPU];
    m->sps = (double)p->NT * p->T / (now_s() - t0);
    m->episodes = (uint64_t)eps;
    m->ret = eps > 0 ? red[RED_RETURN] / eps : NAN;
    m->success = eps > 0 ? red[RED_SUCCESS] / eps : NAN;
    m->length = eps > 0 ? red[RED_LENGTH] / eps : NAN;
    m->lr = lr;
    m->num_achievements = p->nach;
    m->score = NAN;
    for (size_t e = 0; e < p->nmasks; e++)
        for (int i = 0; i < p->nach; i++) m->achievements[i] += (p->ep_masks[e] >> i) & 1u;
    if (p->nach && p->nmasks && ludus_crafter_score(p->ep_masks, p->nmasks, &m->score, NULL))
        return LUDUS_EINTERNAL;
    /* the ranks' copies must not drift: one 64-bit hash each per update */
    if (p->R > 1 &&
        (rc = ludus_dist_check_same(p->dist, ludus_dist_hash(p->pol.params.data, p->pol.params.size * sizeof(float)),
                                    "parameters")))
        return rc;
    /* and the curriculum's replicas: the hash of all its saved state */
    if (p->cur_rep) {
        uint8_t *blob = NULL;
        size_t size = 0;
        if ((rc = ludus_curriculum_save(p->cur, &blob, &size))) return rc;
        uint64_t h = ludus_dist_hash(blob, size);
        ludus_free(blob);
        return ludus_dist_check_same(p->dist, h, "curriculum state bytes");
    }
    return LUDUS_OK;
}

uint64_t ludus_ppo_steps(const ludus_ppo *p)
{
    return p ? p->steps : 0;
}

int ludus_ppo_done(const ludus_ppo *p)
{
    return !p || p->steps >= p->cfg.total_steps;
}

/* ---- create / destroy ---- */

void ludus_ppo_destroy(ludus_ppo *p)
{
    if (!p) return;
    if (p->blas_threads > 0) ludus_nn_set_threads(p->blas_threads);
    ludus_pool_destroy(p->team);
    for (int k = 0; p->ws && k < p->K; k++) ludus_policy_ws_destroy(&p->ws[k]);
    for (int k = 0; p->st && k < p->K; k++) {
        free(p->st[k].obs);
        free(p->st[k].words);
        free(p->st[k].h0);
        free(p->st[k].starts);
        free(p->st[k].sample);
        free(p->st[k].acts);
        free(p->st[k].mask);
        free(p->st[k].dlogp);
        free(p->st[k].dent);
    }
    free(p->ws);
    free(p->st);
    ludus_policy_destroy(&p->pol);
    ludus_nn_adam_free(&p->adam);
    ludus_vec_destroy(p->vec);
    ludus_curriculum_destroy(p->cur);
    void *bufs[] = {p->cur_ent, p->cur_lc, p->cur_mg, p->raw_rew, p->ep_ret, p->obs, p->words, p->starts, p->mem, p->actions, p->logp, p->values,
                    p->rewards, p->adv, p->ret, p->dones, p->cur_start, p->cur_mem,
                    p->next_mem, p->cur_words, p->act_rng, p->perm, p->counts, p->ep_masks,
                    p->step_rc, p->masks, p->shard, p->red, p->rfirst, p->lvl_seed, p->lvl_block,
                    p->lvl_has, p->lvl_ready, p->done_send, p->done_all, p->seg_send, p->seg_all, p->seg_counts,
                    p->opt_sq};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) free(bufs[i]);
    free(p);
}

/* Seed the per-world action streams and the shuffling stream from the run
 * seed and the update counter (so a resumed run draws fresh numbers). */
static void seed_streams(ludus_ppo *p)
{
    for (int n = 0; n < p->N; n++) { /* by the world's index in the run (all ranks) */
        uint32_t words[4] = {(uint32_t)p->cfg.seed, (uint32_t)(p->cfg.seed >> 32), (uint32_t)(p->w0 + n),
                             0xac7u + (uint32_t)p->update * 2654435761u};
        ludus_rng_seed_words(&p->act_rng[n], words, 4);
    }
    uint32_t words[4] = {(uint32_t)p->cfg.seed, (uint32_t)(p->cfg.seed >> 32), 0xffffffffu,
                         0x5u + (uint32_t)p->update * 2654435761u};
    ludus_rng_seed_words(&p->shuffle_rng, words, 4);
}

int ludus_ppo_create(const ludus_ppo_config *cfg, ludus_ppo **out)
{
    return ludus_ppo_create_dist(cfg, NULL, out);
}

int ludus_ppo_create_dist(const ludus_ppo_config *cfg, ludus_dist *dist, ludus_ppo **out)
{
    if (!cfg || !out) return ludus_err_set(LUDUS_EINVAL, "ppo: NULL argument");
    *out = NULL;
    int rc = ludus_ppo_config_check(cfg);
    if (rc) return rc;
    const int R = ludus_dist_size(dist);
    if (cfg->num_envs < R)
        return ludus_err_set(LUDUS_EINVAL, "ppo: num_envs (%d) is the run's worlds over all ranks: at least one "
                             "per rank (%d ranks)", cfg->num_envs, R);
    ludus_ppo *p = calloc(1, sizeof *p);
    if (!p) return ludus_err_set(LUDUS_ENOMEM, "ppo: out of memory");
    p->cfg = *cfg;
    p->t0 = now_s();
    p->cpu0 = cpu_s();
    p->dist = dist;
    p->R = R;
    p->rank = ludus_dist_rank(dist);
    p->exact = R > 1 || cfg->layout_exact;
    /* row-independent products (nn.h: the kernels, decided now) give a
     * world's forward the same result in a batch of all worlds as in its
     * shard's, so only OpenBLAS needs the rollout cut by shard */
    p->act_split = p->exact && !ludus_nn_rows_independent();
    p->NT = cfg->num_envs;
    long first, count;
    ludus_dist_share(p->NT, R, p->rank, &first, &count);
    p->w0 = (int)first;
    p->N = (int)count;
    p->T = cfg->num_steps;
    p->L = cfg->recurrence;
    p->K = cfg->num_threads;
    /* shards: one per worker of every rank; this rank's are rank*K .. */
    if (!(p->shard = malloc(((size_t)p->K + 1) * sizeof *p->shard))) goto nomem;
    const int S = R * p->K;
    int shard_max = 0;
    for (int k = 0; k <= p->K; k++) {
        long f, c;
        ludus_dist_share(p->NT, S, p->rank * p->K + (k < p->K ? k : p->K - 1), &f, &c);
        p->shard[k] = (int)(k < p->K ? f : f + c) - p->w0;
        if (k < p->K && c > shard_max) shard_max = (int)c;
    }
    /* env_threads > 1 steps the worlds on the learner's own (blocking)
     * team, idle while the worlds step: a pool of the vec's own spun
     * against the learner's threads (docs/benchmarks.md) */
    p->step_slices = cfg->env_threads < p->K ? cfg->env_threads : p->K;
    if (p->step_slices > p->N) p->step_slices = p->N;
    ludus_vec_config vc = {.env_id = cfg->env_id, .env_options = cfg->env_options, .num_envs = p->N, .num_threads = 1,
                           .level_start = 0, .world_offset = p->w0,
                           .level_count = cfg->train_levels ? cfg->train_levels : LUDUS_MAX_TRAIN_LEVELS,
                           .seed = cfg->seed};
    if ((rc = ludus_vec_create(&vc, &p->vec))) goto fail;
    p->info = ludus_env_get_info(ludus_vec_env(p->vec));
    if (cfg->curriculum[0]) {
        /* made for the run's worlds: over several ranks every rank holds
         * the same curriculum (a replica, see cur_hook) */
        if ((rc = ludus_curriculum_create(cfg->curriculum, &cfg->curriculum_knobs, ludus_vec_env(p->vec),
                                          cfg->env_options, p->NT, vc.level_start, vc.level_count, cfg->seed,
                                          &p->cur)))
            goto fail;
        if (R == 1) {
            if ((rc = ludus_curriculum_attach(p->cur, p->vec))) goto fail;
        } else {
            p->cur_rep = 1;
            p->cur_batch = ludus_curriculum_batch_resets(p->cur);
            p->LS = ludus_env_level_size(ludus_vec_env(p->vec));
            p->nmax = (p->NT + R - 1) / R;
            p->rfirst = malloc(((size_t)R + 1) * sizeof *p->rfirst);
            p->lvl_seed = calloc((size_t)p->N, sizeof *p->lvl_seed);
            p->lvl_block = calloc((size_t)(p->N + 1), p->LS ? p->LS : 1);
            p->lvl_has = calloc((size_t)p->N, 1);
            p->lvl_ready = calloc((size_t)p->N, 1);
            p->done_send = calloc((size_t)p->nmax, 1);
            p->done_all = calloc((size_t)R * p->nmax, 1);
            p->seg_counts = calloc((size_t)R, sizeof *p->seg_counts);
            if (!p->rfirst || !p->lvl_seed || !p->lvl_block || !p->lvl_has || !p->lvl_ready || !p->done_send ||
                !p->done_all || !p->seg_counts)
                goto nomem;
            for (int r = 0; r <= R; r++) {
                long f, c;
                ludus_dist_share(p->NT, R, r < R ? r : R - 1, &f, &c);
                p->rfirst[r] = (int)(r < R ? f : f + c);
            }
            if ((rc = ludus_vec_set_level_block_fn(p->vec, cur_hook, p))) goto fail;
        }
        /* the curriculum draws levels in world order, on one thread */
        p->step_slices = 1;
        size_t TN = (size_t)p->T * p->N;
        p->cur_ent = malloc(TN * sizeof(float));
        p->cur_lc = malloc(TN * sizeof(float));
        p->cur_mg = malloc(TN * sizeof(float));
        p->raw_rew = malloc(TN * sizeof(float));
        p->ep_ret = calloc((size_t)p->N, sizeof(double));
        if (!p->cur_ent || !p->cur_lc || !p->cur_mg || !p->raw_rew || !p->ep_ret) goto nomem;
    }
    p->D = p->info->obs_size;
    p->DA = p->info->action_dims;
    p->MA = (size_t)p->info->mask_size;
    policy_input in;
    if ((rc = ludus_policy_input_of(p->info, cfg->arch.encoder, &in))) goto fail;
    if ((rc = ludus_policy_create(&p->pol, &cfg->arch, &in))) goto fail;
    p->nach = p->info->num_achievements;
    p->W = cfg->arch.instr ? cfg->arch.max_words : 0;
    p->M = cfg->arch.memory;
    ludus_rng init_rng;
    ludus_rng_seed(&init_rng, cfg->seed);
    if ((rc = ludus_policy_init(&p->pol, &init_rng))) goto fail;
    if ((rc = ludus_nn_adam_init(&p->adam, p->pol.params.size, 0.9f, 0.999f, cfg->adam_eps))) goto fail;
    const char *prof = getenv("LUDUS_PPO_PROFILE");
    p->profile = prof && !strcmp(prof, "1");
    p->nopt = (int)((p->pol.params.size + PPO_OPT_BLOCK - 1) / PPO_OPT_BLOCK);
    if (p->nopt < 1) p->nopt = 1;
    p->opt_sq = calloc((size_t)p->nopt, sizeof *p->opt_sq);
    if (!p->opt_sq) goto nomem;
    /* parallelism comes from the team, not from BLAS; the process-wide
     * count is restored by ludus_ppo_destroy */
    if ((rc = ludus_nn_check_kernels_env())) goto fail;
    p->blas_threads = ludus_nn_get_threads();
    ludus_nn_set_threads(1);
    if (!(p->team = ludus_pool_create(p->K, POOL_BLOCK))) {
        rc = ludus_err_set(LUDUS_ENOMEM, "cannot start %d learner threads", p->K);
        goto fail;
    }
    /* a shard's part of a minibatch: at most all of its worlds' sequences */
    const int chunks = p->NT * (p->T / p->L), mb = chunks / cfg->minibatches;
    int cap = (p->T / p->L) * shard_max < mb ? (p->T / p->L) * shard_max : mb;
    cap *= p->L;
    if (cap < shard_max) cap = shard_max;
    /* without exact layout: an even share of a minibatch, and all worlds at once */
    if (!p->act_split && cap < p->N) cap = p->N;
    if (!p->exact) {
        int even = (mb + p->K - 1) / p->K * p->L;
        if (cap < even) cap = even;
        if (cap < p->N) cap = p->N;
    }
    p->ws = calloc((size_t)p->K, sizeof *p->ws);
    p->st = calloc((size_t)p->K, sizeof *p->st);
    if (!p->ws || !p->st) goto nomem;
    for (int k = 0; k < p->K; k++) {
        if ((rc = ludus_policy_ws_create(&p->ws[k], &p->pol, cap))) goto fail;
        stage *s = &p->st[k];
        s->obs = malloc((size_t)cap * p->D);
        s->words = malloc((size_t)cap * (p->W ? p->W : 1) * sizeof(int32_t));
        s->h0 = malloc((size_t)cap * (p->M ? p->M : 1) * sizeof(float));
        s->starts = malloc((size_t)cap);
        s->sample = malloc((size_t)cap * sizeof(int));
        s->acts = malloc((size_t)cap * p->DA * sizeof(int32_t));
        if (p->MA && !(s->mask = malloc((size_t)cap * p->MA))) goto nomem;
        s->dlogp = malloc((size_t)cap * sizeof(float));
        s->dent = malloc((size_t)cap * sizeof(float));
        if (!s->obs || !s->words || !s->h0 || !s->starts || !s->sample || !s->acts || !s->dlogp ||
            !s->dent)
            goto nomem;
    }
    size_t TN = (size_t)p->T * p->N;
    p->obs = malloc(TN * p->D);
    p->words = malloc(TN * (p->W ? p->W : 1) * sizeof(int32_t));
    p->starts = malloc(TN);
    p->mem = malloc(TN * (p->M ? p->M : 1) * sizeof(float));
    p->actions = malloc(TN * p->DA * sizeof(int32_t));
    if (p->MA && !(p->masks = malloc(TN * p->MA))) goto nomem;
    p->logp = malloc(TN * sizeof(float));
    p->values = malloc(TN * sizeof(float));
    p->rewards = malloc(TN * sizeof(float));
    p->adv = malloc(TN * sizeof(float));
    p->ret = malloc(TN * sizeof(float));
    p->dones = malloc(TN);
    p->cur_start = malloc((size_t)p->N);
    p->cur_mem = calloc((size_t)p->N * (p->M ? p->M : 1), sizeof(float));
    p->next_mem = calloc((size_t)p->N * (p->M ? p->M : 1), sizeof(float));
    p->cur_words = calloc((size_t)p->N * (p->W ? p->W : 1), sizeof(int32_t));
    p->act_rng = calloc((size_t)p->N, sizeof(ludus_rng));
    p->perm = malloc((size_t)chunks * sizeof(int));
    if (cfg->explore_coef > 0.0f && !(p->counts = calloc(PPO_COUNT_SLOTS, sizeof *p->counts))) goto nomem;
    if (p->nach && !(p->ep_masks = malloc((size_t)p->T * p->NT * sizeof *p->ep_masks))) goto nomem;
    p->nred = RED_COUNTS + (p->nach && R > 1 ? (size_t)R + (size_t)p->T * p->NT : 0);
    if (!(p->red = calloc(p->nred, sizeof *p->red))) goto nomem;
    if (!(p->step_rc = calloc((size_t)p->K, sizeof *p->step_rc))) goto nomem;
    p->act_team = p->K > 1 && (double)p->N * (double)ludus_policy_macs(&p->pol) >= PPO_ACT_TEAM_MIN_MACS;
    if (!p->obs || !p->words || !p->starts || !p->mem || !p->actions || !p->logp || !p->values ||
        !p->rewards || !p->adv || !p->ret || !p->dones || !p->cur_start || !p->cur_mem ||
        !p->next_mem || !p->cur_words || !p->act_rng || !p->perm)
        goto nomem;
    uint64_t per_update = (uint64_t)p->NT * p->T;
    p->num_updates = (cfg->total_steps + per_update - 1) / per_update;
    seed_streams(p);
    if ((rc = reset_worlds(p))) goto fail;
    memset(p->cur_start, 1, (size_t)p->N);
    if (p->W) tokenize_worlds(p, p->cur_words, NULL);
    *out = p;
    return LUDUS_OK;
nomem:
    rc = ludus_err_set(LUDUS_ENOMEM, "ppo: out of memory");
fail:
    ludus_ppo_destroy(p);
    return rc;
}

/* ---- accessors for checkpoint.c ---- */

policy *ludus_ppo_policy(ludus_ppo *p) { return &p->pol; }
const policy *ludus_ppo_policy_const(const ludus_ppo *p) { return &p->pol; }
const ludus_ppo_config *ludus_ppo_cfg_of(const ludus_ppo *p) { return &p->cfg; }
const ludus_env_info *ludus_ppo_env_info(const ludus_ppo *p) { return p->info; }
ludus_nn_adam *ludus_ppo_adam(ludus_ppo *p) { return &p->adam; }
int *ludus_ppo_update_counter(ludus_ppo *p) { return &p->update; }
uint64_t *ludus_ppo_step_counter(ludus_ppo *p) { return &p->steps; }
void ludus_ppo_reseed(ludus_ppo *p) { seed_streams(p); }
ludus_curriculum *ludus_ppo_curriculum(ludus_ppo *p) { return p->cur; }

int ludus_ppo_restart_worlds(ludus_ppo *p)
{
    if (p->cur) ludus_curriculum_restart(p->cur);
    int rc = reset_worlds(p);
    if (rc) return rc;
    memset(p->cur_start, 1, (size_t)p->N);
    if (p->M) memset(p->cur_mem, 0, (size_t)p->N * p->M * sizeof(float));
    if (p->W) tokenize_worlds(p, p->cur_words, NULL);
    if (p->ep_ret) memset(p->ep_ret, 0, (size_t)p->N * sizeof *p->ep_ret);
    return LUDUS_OK;
}
