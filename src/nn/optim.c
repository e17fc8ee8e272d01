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

void ludus_nn_adam_step(ludus_nn_adam *opt, float *params, const float *grads, float lr)
{
    opt->t++;
    const float b1 = opt->beta1, b2 = opt->beta2, eps = opt->eps;
    /* torch computes the corrections in double and uses them as Python
     * floats; the element-wise update itself is float32. */
    const double bc1 = 1.0 - pow((double)b1, (double)opt->t);
    const double bc2 = 1.0 - pow((double)b2, (double)opt->t);
    const float step_size = (float)((double)lr / bc1);
    const float bc2_sqrt = (float)sqrt(bc2);
    float *m = opt->m, *v = opt->v;
    for (size_t i = 0; i < opt->n; i++) {
        float g = grads[i];
        m[i] = m[i] + (g - m[i]) * (1.0f - b1);
        v[i] = v[i] * b2 + (1.0f - b2) * g * g;
        float denom = sqrtf(v[i]) / bc2_sqrt + eps;
        params[i] -= step_size * (m[i] / denom);
    }
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
