/* dist.c: the categorical distribution a policy acts with. Sampling takes
 * exactly one uniform draw from a caller-owned numpy-compatible stream, so
 * a run is replayed exactly from its seeds whatever the thread count.
 */
#include <math.h>

#include "nn/nn_internal.h"

void ludus_nn_log_softmax(float *logp, const float *logits, int B, int A)
{
    for (int i = 0; i < B; i++) {
        const float *l = logits + (size_t)i * A;
        float *o = logp + (size_t)i * A;
        float mx = l[0];
        for (int a = 1; a < A; a++) mx = l[a] > mx ? l[a] : mx;
        float s = 0.0f;
        for (int a = 0; a < A; a++) s += expf(l[a] - mx);
        float lse = mx + logf(s);
        for (int a = 0; a < A; a++) o[a] = l[a] - lse;
    }
}

float ludus_nn_categorical_entropy(const float *logp, int A)
{
    float h = 0.0f;
    for (int a = 0; a < A; a++) h -= expf(logp[a]) * logp[a];
    return h;
}

int ludus_nn_categorical_sample(const float *logp, int A, ludus_rng *rng)
{
    double u = ludus_rng_random(rng), c = 0.0;
    for (int a = 0; a < A - 1; a++) {
        c += exp((double)logp[a]);
        if (u < c) return a;
    }
    return A - 1;
}

int ludus_nn_categorical_argmax(const float *logp, int A)
{
    int best = 0;
    for (int a = 1; a < A; a++)
        if (logp[a] > logp[best]) best = a;
    return best;
}

/* d logp[act] / d l_j = [j == act] - p_j
 * d H / d l_j = -p_j (logp_j + H) */
void ludus_nn_categorical_backward(float *dlogits, const float *logp, const int32_t *actions,
                                   const float *dlogp, const float *dent, int B, int A)
{
    for (int i = 0; i < B; i++) {
        const float *lp = logp + (size_t)i * A;
        float *d = dlogits + (size_t)i * A;
        float gl = dlogp ? dlogp[i] : 0.0f, ge = dent ? dent[i] : 0.0f;
        float h = ge != 0.0f ? ludus_nn_categorical_entropy(lp, A) : 0.0f;
        for (int a = 0; a < A; a++) {
            float p = expf(lp[a]);
            d[a] += gl * ((a == actions[i] ? 1.0f : 0.0f) - p) - ge * p * (lp[a] + h);
        }
    }
}
