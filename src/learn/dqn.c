/* dqn.c: the math of the DQN learner (see dqn.h): the epsilon schedule,
 * dueling aggregation and its gradient, the Huber loss, plain and Double
 * DQN targets, n-step windows, the sum tree of prioritized replay and
 * the mixed minibatches of offline-to-online learning (RLPD).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "learn/dqn.h"

float ludus_dqn_epsilon(float start, float end, float fraction, uint64_t frame, uint64_t total)
{
    double span = (double)fraction * (double)total;
    if (span <= 0.0 || (double)frame >= span) return end;
    return (float)(start + (end - start) * ((double)frame / span));
}

void ludus_dqn_q_values(const float *adv, const float *value, int B, int A, int dueling, float *q)
{
    for (int b = 0; b < B; b++) {
        const float *a = adv + (size_t)b * A;
        float *o = q + (size_t)b * A;
        if (!dueling) {
            memcpy(o, a, (size_t)A * sizeof(float));
            continue;
        }
        float mean = 0.0f;
        for (int i = 0; i < A; i++) mean += a[i];
        mean /= (float)A;
        for (int i = 0; i < A; i++) o[i] = value[b] + a[i] - mean;
    }
}

void ludus_dqn_q_backward(const float *dq, int B, int A, int dueling, float *dadv, float *dvalue)
{
    for (int b = 0; b < B; b++) {
        const float *g = dq + (size_t)b * A;
        float *o = dadv + (size_t)b * A;
        if (!dueling) {
            memcpy(o, g, (size_t)A * sizeof(float));
            dvalue[b] = 0.0f;
            continue;
        }
        float sum = 0.0f;
        for (int i = 0; i < A; i++) sum += g[i];
        for (int i = 0; i < A; i++) o[i] = g[i] - sum / (float)A;
        dvalue[b] = sum;
    }
}

float ludus_dqn_huber(float x, float delta, float *grad)
{
    float ax = fabsf(x);
    if (ax <= delta) {
        *grad = x;
        return 0.5f * x * x;
    }
    *grad = x > 0 ? delta : -delta;
    return delta * (ax - 0.5f * delta);
}

static int argmax(const float *q, int A)
{
    int best = 0;
    for (int i = 1; i < A; i++)
        if (q[i] > q[best]) best = i;
    return best;
}

float ludus_dqn_target(const float *q_online_next, const float *q_target_next, int A, int double_q, float ret,
                       float disc)
{
    if (disc == 0.0f) return ret;
    int a = argmax(double_q ? q_online_next : q_target_next, A);
    return ret + disc * q_target_next[a];
}

double ludus_dqn_loss(const float *q, const int32_t *acts, const float *y, const float *w, int B, int A, float delta,
                      int total, float *dq, float *td)
{
    double loss = 0.0;
    memset(dq, 0, (size_t)B * A * sizeof(float));
    for (int b = 0; b < B; b++) {
        float wb = w ? w[b] : 1.0f, g;
        td[b] = q[(size_t)b * A + acts[b]] - y[b];
        loss += wb * ludus_dqn_huber(td[b], delta, &g);
        dq[(size_t)b * A + acts[b]] = wb * g / (float)total;
    }
    return loss / total;
}

/* ---- n-step windows ---- */

int ludus_dqn_nstep_init(dqn_nstep *s, int n, int worlds, size_t D, int words, float gamma)
{
    memset(s, 0, sizeof *s);
    s->n = n;
    s->worlds = worlds;
    s->D = D;
    s->words = words;
    s->gamma = gamma;
    size_t slots = (size_t)n * worlds;
    s->obs = malloc(slots * D);
    s->act = malloc(slots * sizeof(int32_t));
    s->rew = malloc(slots * sizeof(float));
    s->wrd = malloc(slots * (words ? words : 1) * sizeof(int32_t));
    s->len = calloc((size_t)worlds, sizeof(int32_t));
    s->head = calloc((size_t)worlds, sizeof(int32_t));
    if (!s->obs || !s->act || !s->rew || !s->wrd || !s->len || !s->head) {
        ludus_dqn_nstep_free(s);
        return ludus_err_set(LUDUS_ENOMEM, "dqn: out of memory for the n-step windows");
    }
    return LUDUS_OK;
}

void ludus_dqn_nstep_free(dqn_nstep *s)
{
    free(s->obs);
    free(s->act);
    free(s->rew);
    free(s->wrd);
    free(s->len);
    free(s->head);
    memset(s, 0, sizeof *s);
}

/* Emit world w's oldest step: the discounted sum of the window's rewards
 * from it on, bootstrapping from next_obs (disc 0 when terminal). */
static void emit_oldest(dqn_nstep *s, int w, int terminal, const uint8_t *next_obs, dqn_emit_fn emit, void *ctx)
{
    int len = s->len[w], h = s->head[w];
    float ret = 0.0f, g = 1.0f;
    for (int j = 0; j < len; j++) {
        ret += g * s->rew[(size_t)w * s->n + (h + j) % s->n];
        g *= s->gamma;
    }
    size_t slot = (size_t)w * s->n + h;
    emit(ctx, s->obs + slot * s->D, s->act[slot], ret, terminal ? 0.0f : g, next_obs,
         s->words ? s->wrd + slot * s->words : NULL);
    s->head[w] = (h + 1) % s->n;
    s->len[w] = len - 1;
}

void ludus_dqn_nstep_push(dqn_nstep *s, int w, const uint8_t *obs, int32_t a, float r, const int32_t *words,
                          int terminated, int truncated, const uint8_t *next_obs, dqn_emit_fn emit, void *ctx)
{
    size_t slot = (size_t)w * s->n + (s->head[w] + s->len[w]) % s->n;
    memcpy(s->obs + slot * s->D, obs, s->D);
    s->act[slot] = a;
    s->rew[slot] = r;
    if (s->words) memcpy(s->wrd + slot * s->words, words, (size_t)s->words * sizeof(int32_t));
    s->len[w]++;
    if (terminated || truncated) {
        while (s->len[w] > 0) emit_oldest(s, w, terminated, next_obs, emit, ctx);
        s->head[w] = 0;
    } else if (s->len[w] == s->n) {
        emit_oldest(s, w, 0, next_obs, emit, ctx);
    }
}

/* ---- sum tree ---- */

int ludus_dqn_sumtree_init(dqn_sumtree *t, int n)
{
    memset(t, 0, sizeof *t);
    int cap = 1;
    while (cap < n) cap *= 2;
    t->n = n;
    t->cap = cap;
    t->node = calloc((size_t)cap * 2, sizeof(double));
    return t->node ? LUDUS_OK : ludus_err_set(LUDUS_ENOMEM, "dqn: out of memory for the sum tree");
}

void ludus_dqn_sumtree_free(dqn_sumtree *t)
{
    free(t->node);
    memset(t, 0, sizeof *t);
}

void ludus_dqn_sumtree_set(dqn_sumtree *t, int i, double p)
{
    int j = t->cap + i;
    t->node[j] = p;
    for (j /= 2; j >= 1; j /= 2) t->node[j] = t->node[2 * j] + t->node[2 * j + 1];
}

double ludus_dqn_sumtree_get(const dqn_sumtree *t, int i)
{
    return t->node[t->cap + i];
}

double ludus_dqn_sumtree_total(const dqn_sumtree *t)
{
    return t->node[1];
}

int ludus_dqn_sumtree_find(const dqn_sumtree *t, double u)
{
    int j = 1;
    while (j < t->cap) {
        double left = t->node[2 * j];
        if (u < left || t->node[2 * j + 1] <= 0.0) {
            j = 2 * j;
        } else {
            u -= left;
            j = 2 * j + 1;
        }
    }
    int i = j - t->cap;
    /* rounding can end on an empty leaf: take the nearest one before it
     * that holds priority */
    while (i > 0 && t->node[t->cap + i] <= 0.0) i--;
    return i;
}

void ludus_dqn_per_sample(const dqn_sumtree *t, int size, int B, float beta, ludus_rng *rng, int *idx, float *w)
{
    const double total = ludus_dqn_sumtree_total(t), seg = total / B;
    float wmax = 0.0f;
    for (int b = 0; b < B; b++) {
        double u = (b + ludus_rng_random(rng)) * seg;
        int i = ludus_dqn_sumtree_find(t, u < total ? u : total * (1.0 - 1e-12));
        if (i >= size) i = size - 1;
        double p = ludus_dqn_sumtree_get(t, i) / total;
        idx[b] = i;
        w[b] = (float)pow((double)size * p, -(double)beta);
        if (w[b] > wmax) wmax = w[b];
    }
    for (int b = 0; b < B; b++) w[b] /= wmax;
}

int ludus_dqn_offline_rows(int B, float ratio)
{
    int k = (int)floor((double)ratio * B + 0.5);
    return k < 0 ? 0 : k > B ? B : k;
}

void ludus_dqn_mix_sample(ludus_rng *rng, int B, int k, int64_t n_offline, int n_online, int64_t *idx)
{
    for (int b = 0; b < k; b++) idx[b] = ludus_rng_integers(rng, 0, n_offline);
    for (int b = k; b < B; b++) idx[b] = ludus_rng_integers(rng, 0, n_online);
}

/* ---- action branching (Tavakoli, Pardo and Kormushev 2018) ---- */

int32_t ludus_dqn_action_code(const int32_t *act, int D, const int *nvec)
{
    int64_t c = 0;
    for (int d = 0; d < D; d++) c = c * nvec[d] + act[d];
    return (int32_t)c;
}

void ludus_dqn_action_decode(int32_t code, int D, const int *nvec, int32_t *act)
{
    for (int d = D - 1; d >= 0; d--) {
        act[d] = code % nvec[d];
        code /= nvec[d];
    }
}

void ludus_dqn_branch_q_values(const float *adv, const float *value, int B, int D, const int *nvec, int dueling,
                               float *q)
{
    int A = 0;
    for (int d = 0; d < D; d++) A += nvec[d];
    for (int b = 0; b < B; b++)
        for (int d = 0, o = 0; d < D; o += nvec[d], d++) {
            const float *a = adv + (size_t)b * A + o;
            float *out = q + (size_t)b * A + o;
            if (!dueling) {
                memcpy(out, a, (size_t)nvec[d] * sizeof(float));
                continue;
            }
            float mean = 0.0f;
            for (int i = 0; i < nvec[d]; i++) mean += a[i];
            mean /= (float)nvec[d];
            for (int i = 0; i < nvec[d]; i++) out[i] = value[b] + a[i] - mean;
        }
}

void ludus_dqn_branch_q_backward(const float *dq, int B, int D, const int *nvec, int dueling, float *dadv,
                                 float *dvalue)
{
    int A = 0;
    for (int d = 0; d < D; d++) A += nvec[d];
    for (int b = 0; b < B; b++) {
        dvalue[b] = 0.0f;
        for (int d = 0, o = 0; d < D; o += nvec[d], d++) {
            const float *g = dq + (size_t)b * A + o;
            float *out = dadv + (size_t)b * A + o;
            if (!dueling) {
                memcpy(out, g, (size_t)nvec[d] * sizeof(float));
                continue;
            }
            float sum = 0.0f;
            for (int i = 0; i < nvec[d]; i++) sum += g[i];
            for (int i = 0; i < nvec[d]; i++) out[i] = g[i] - sum / (float)nvec[d];
            dvalue[b] += sum;
        }
    }
}

int ludus_dqn_branch_greedy(const float *q, const uint8_t *mask, int D, const int *nvec, int32_t *act)
{
    int ok = 0;
    for (int d = 0, o = 0; d < D; o += nvec[d], d++) {
        int best = -1;
        for (int i = 0; i < nvec[d]; i++)
            if ((!mask || mask[o + i]) && (best < 0 || q[o + i] > q[o + best])) best = i;
        if (best < 0) {
            best = 0;
            ok = -1;
        }
        act[d] = best;
    }
    return ok;
}

void ludus_dqn_branch_random(ludus_rng *rng, const uint8_t *mask, int D, const int *nvec, int32_t *act)
{
    for (int d = 0, o = 0; d < D; o += nvec[d], d++) {
        int legal = 0;
        for (int i = 0; i < nvec[d]; i++) legal += !mask || mask[o + i];
        if (!legal) {
            act[d] = 0;
            continue;
        }
        int k = (int)ludus_rng_integers(rng, 0, legal), i = 0;
        for (;; i++)
            if ((!mask || mask[o + i]) && k-- == 0) break;
        act[d] = i;
    }
}

float ludus_dqn_branch_target(const float *q_online_next, const float *q_target_next, const uint8_t *mask, int D,
                              const int *nvec, int double_q, float ret, float disc)
{
    if (disc == 0.0f) return ret;
    int32_t a[LUDUS_MAX_ACTION_DIMS];
    ludus_dqn_branch_greedy(double_q ? q_online_next : q_target_next, mask, D, nvec, a);
    float sum = 0.0f;
    for (int d = 0, o = 0; d < D; o += nvec[d], d++) sum += q_target_next[o + a[d]];
    return ret + disc * (sum / (float)D);
}

double ludus_dqn_branch_loss(const float *q, const int32_t *acts, const float *y, const float *w, int B, int D,
                             const int *nvec, float delta, int total, float *dq, float *td)
{
    int A = 0;
    for (int d = 0; d < D; d++) A += nvec[d];
    double loss = 0.0;
    memset(dq, 0, (size_t)B * A * sizeof(float));
    for (int b = 0; b < B; b++) {
        const float wb = w ? w[b] : 1.0f;
        float h = 0.0f, abs_td = 0.0f;
        for (int d = 0, o = 0; d < D; o += nvec[d], d++) {
            const size_t j = (size_t)b * A + o + acts[(size_t)b * D + d];
            float g, t = q[j] - y[b];
            h += ludus_dqn_huber(t, delta, &g);
            abs_td += fabsf(t);
            dq[j] = wb * g / (float)total / (float)D;
        }
        td[b] = abs_td / (float)D;
        loss += wb * (h / (float)D);
    }
    return loss / total;
}

/* ---- the critic ensemble (RLPD: Ball, Smith, Kostrikov and Levine 2023) ---- */

void ludus_dqn_ensemble_subset(ludus_rng *rng, int E, int M, int *idx)
{
    int perm[LUDUS_DQN_MAX_ENSEMBLE];
    for (int i = 0; i < E; i++) perm[i] = i;
    for (int i = 0; i < M; i++) {
        int j = (int)ludus_rng_integers(rng, i, E), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
        idx[i] = perm[i];
    }
}

float ludus_dqn_ensemble_target(const float *q_pick, const float *q_sub, size_t stride, int M, int A, float ret,
                                float disc)
{
    if (disc == 0.0f) return ret;
    const int a = argmax(q_pick, A);
    float v = q_sub[a];
    for (int m = 1; m < M; m++)
        if (q_sub[m * stride + a] < v) v = q_sub[m * stride + a];
    return ret + disc * v;
}

/* Q values (n, A) of one member's parameters into out. */
static void member_q(const policy *pol, policy_ws *ws, const float *params, const uint8_t *obs, const int32_t *words,
                     int n, int dueling, float *out)
{
    policy_batch b = {.L = 1, .B = n, .obs = obs, .words = words};
    ludus_policy_forward(pol, params, ws, &b);
    ludus_dqn_q_values(ws->logits, ws->value, n, pol->num_actions, dueling, out);
}

double ludus_dqn_ensemble_slice(const policy *pol, policy_ws *ws, const float *theta, const float *target, int E,
                                const int *subset, int M, const uint8_t *obs, const uint8_t *next,
                                const int32_t *words, const int32_t *acts, const float *ret, const float *disc,
                                const float *w, int n, int total, int double_q, int dueling, float delta, float *q,
                                float *pick, float *sub, float *y, float *td, float *grads, double *qsum)
{
    const int A = pol->num_actions;
    const size_t P = pol->params.size, nA = (size_t)n * A;
    /* the drawn target members' Q at s' */
    for (int m = 0; m < M; m++) member_q(pol, ws, target + (size_t)subset[m] * P, next, words, n, dueling, sub + m * nA);
    /* the action a*: the mean over the online members (Double) or over the drawn targets */
    memset(pick, 0, nA * sizeof(float));
    for (int e = 0; e < (double_q ? E : M); e++) {
        const float *qe = sub + e * nA;
        if (double_q) {
            member_q(pol, ws, theta + (size_t)e * P, next, words, n, dueling, q);
            qe = q;
        }
        for (size_t i = 0; i < nA; i++) pick[i] += qe[i];
    }
    for (int b = 0; b < n; b++) {
        y[b] = ludus_dqn_ensemble_target(pick + (size_t)b * A, sub + (size_t)b * A, nA, M, A, ret[b], disc[b]);
        td[b] = 0.0f;
    }
    /* each member's loss against the shared y, backward into its own gradient */
    double loss = 0.0, qs = 0.0;
    float *keep = ws->grad, *tde = pick; /* pick is free again: |td| of one member (n) */
    float *dq = sub;                      /* and the targets' Q: dq (n, A) */
    for (int e = 0; e < E; e++) {
        const float *pe = theta + (size_t)e * P;
        policy_batch b = {.L = 1, .B = n, .obs = obs, .words = words};
        ludus_policy_forward(pol, pe, ws, &b);
        ludus_dqn_q_values(ws->logits, ws->value, n, A, dueling, q);
        loss += ludus_dqn_loss(q, acts, y, w, n, A, delta, total, dq, tde);
        for (int r = 0; r < n; r++) {
            td[r] += fabsf(tde[r]) / (float)E;
            qs += q[(size_t)r * A + acts[r]] / E;
        }
        ludus_dqn_q_backward(dq, n, A, dueling, ws->dlogits, ws->dvalue);
        ws->grad = grads + (size_t)e * P;
        ludus_policy_backward(pol, pe, ws, &b);
        ws->grad = keep;
    }
    *qsum = qs;
    return loss / E;
}
