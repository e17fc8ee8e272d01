/* optim.c: Adam and global gradient-norm clipping, written to reproduce
 * torch.optim.Adam and torch.nn.utils.clip_grad_norm_ step for step (the
 * same bias correction and the same placement of eps), so hyper-parameters
 * carry over from PyTorch code unchanged.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/nn_internal.h"

int ludus_nn_adam_init(ludus_nn_adam *opt, size_t n, float beta1, float beta2, float eps)
{
    if (!opt) return ludus_err_set(LUDUS_EINVAL, "adam: opt is NULL");
    memset(opt, 0, sizeof *opt);
    if (!(beta1 >= 0.0f && beta1 < 1.0f) || !(beta2 >= 0.0f && beta2 < 1.0f) || !(eps > 0.0f))
        return ludus_err_set(LUDUS_EINVAL, "adam: betas must be in [0, 1) and eps > 0");
    opt->m = ludus_nn_alloc_floats(n);
    opt->v = ludus_nn_alloc_floats(n);
    if (!opt->m || !opt->v) {
        ludus_nn_adam_free(opt);
        return ludus_err_set(LUDUS_ENOMEM, "adam: cannot allocate state for %zu parameters", n);
    }
    opt->n = n;
    opt->beta1 = beta1;
    opt->beta2 = beta2;
    opt->eps = eps;
    return LUDUS_OK;
}

void ludus_nn_adam_begin(ludus_nn_adam *opt, float lr, ludus_nn_adam_coef *c)
{
    opt->t++;
    /* torch computes the corrections in double and uses them as Python
     * floats; the element-wise update itself is float32. */
    const double bc1 = 1.0 - pow((double)opt->beta1, (double)opt->t);
    const double bc2 = 1.0 - pow((double)opt->beta2, (double)opt->t);
    c->b1 = opt->beta1;
    c->b2 = opt->beta2;
    c->eps = opt->eps;
    c->step_size = (float)((double)lr / bc1);
    c->bc2_sqrt = (float)sqrt(bc2);
}

/* The element-wise update, one build per instruction set (NN_VARIANTS): the
 * same IEEE operations on every element in every clone (no contraction,
 * sqrtf and the division correctly rounded), 16 elements at a time with
 * AVX-512. With scale != 1 the gradient is first multiplied by it (and
 * stored back), as ludus_nn_clip_grad_norm does. */
NN_VARIANTS(adam_loop,
            (float *restrict params, float *restrict grads, float *restrict m, float *restrict v, size_t n,
             float scale, float b1, float b2, float eps, float step_size, float bc2_sqrt),
            (params, grads, m, v, n, scale, b1, b2, eps, step_size, bc2_sqrt))
{
    const float c1 = 1.0f - b1, c2 = 1.0f - b2;
    if (scale != 1.0f)
        for (size_t i = 0; i < n; i++) grads[i] *= scale;
    for (size_t i = 0; i < n; i++) {
        float g = grads[i];
        float mi = m[i] + (g - m[i]) * c1;
        float vi = v[i] * b2 + c2 * g * g;
        m[i] = mi;
        v[i] = vi;
        float denom = sqrtf(vi) / bc2_sqrt + eps;
        params[i] -= step_size * (mi / denom);
    }
}

void ludus_nn_adam_range(ludus_nn_adam *opt, const ludus_nn_adam_coef *c, float *params, float *grads,
                         float scale, size_t lo, size_t hi)
{
    if (hi > opt->n) hi = opt->n;
    if (lo >= hi) return;
    adam_loop(params + lo, grads + lo, opt->m + lo, opt->v + lo, hi - lo, scale, c->b1, c->b2, c->eps,
              c->step_size, c->bc2_sqrt);
}

void ludus_nn_adam_step(ludus_nn_adam *opt, float *params, const float *grads, float lr)
{
    ludus_nn_adam_coef c;
    ludus_nn_adam_begin(opt, lr, &c);
    /* scale 1: grads is only read */
    ludus_nn_adam_range(opt, &c, params, (float *)grads, 1.0f, 0, opt->n);
}

NN_VARIANTS(sumsq_loop, (const float *restrict g, size_t n, double *out), (g, n, out))
{
    double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++) acc[l] += (double)g[i + l] * g[i + l];
    double s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (; i < n; i++) s += (double)g[i] * g[i];
    *out = s;
}

double ludus_nn_sumsq(const float *g, size_t n)
{
    double s;
    sumsq_loop(g, n, &s);
    return s;
}

float ludus_nn_clip_coef(double sumsq, float max_norm, float *norm)
{
    float nm = (float)sqrt(sumsq);
    if (norm) *norm = nm;
    float coef = max_norm / (nm + 1e-6f);
    return coef < 1.0f ? coef : 1.0f;
}

void ludus_nn_adam_free(ludus_nn_adam *opt)
{
    if (!opt) return;
    free(opt->m);
    free(opt->v);
    opt->m = opt->v = NULL;
    opt->n = 0;
}

float ludus_nn_clip_grad_norm(float *grads, size_t n, float max_norm)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += (double)grads[i] * grads[i];
    float norm = (float)sqrt(s);
    float coef = max_norm / (norm + 1e-6f);
    if (coef < 1.0f)
        for (size_t i = 0; i < n; i++) grads[i] *= coef;
    return norm;
}
