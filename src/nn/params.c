/* params.c: named tensors packed into one flat parameter buffer and one
 * flat gradient buffer, so the optimizer, gradient clipping and checkpoints
 * each see a single array, and layers see plain pointers at fixed offsets.
 */
#include <stdlib.h>
#include <string.h>

#include "nn/nn_internal.h"

float *ludus_nn_alloc_floats(size_t n)
{
    size_t bytes = (n ? n : 1) * sizeof(float);
    bytes = (bytes + 63) & ~(size_t)63;
    float *p = aligned_alloc(64, bytes);
    if (p) memset(p, 0, bytes);
    return p;
}

void ludus_nn_params_init(ludus_nn_params *p)
{
    memset(p, 0, sizeof *p);
}

static int valid_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= LUDUS_NN_NAME_CAP) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

int ludus_nn_params_add(ludus_nn_params *p, const char *name, int ndim, const int *shape,
                        size_t *offset)
{
    if (!p || !name || !shape) return ludus_err_set(LUDUS_EINVAL, "nn params: NULL argument");
    if (p->data) return ludus_err_set(LUDUS_EINVAL, "nn params: cannot add '%s' after alloc", name);
    if (!valid_name(name)) return ludus_err_set(LUDUS_EINVAL, "nn params: bad tensor name '%s'", name);
    if (ndim < 1 || ndim > LUDUS_NN_MAX_DIMS)
        return ludus_err_set(LUDUS_EINVAL, "nn params: '%s' has %d dims (1..%d)", name, ndim,
                       LUDUS_NN_MAX_DIMS);
    if (ludus_nn_params_find(p, name))
        return ludus_err_set(LUDUS_EINVAL, "nn params: duplicate tensor name '%s'", name);
    size_t numel = 1;
    for (int d = 0; d < ndim; d++) {
        if (shape[d] < 1) return ludus_err_set(LUDUS_EINVAL, "nn params: '%s' dim %d is %d", name, d, shape[d]);
        numel *= (size_t)shape[d];
    }
    if (p->count == p->cap) {
        int cap = p->cap ? 2 * p->cap : 16;
        ludus_nn_tensor *t = realloc(p->tensors, (size_t)cap * sizeof *t);
        if (!t) return ludus_err_set(LUDUS_ENOMEM, "nn params: out of memory");
        p->tensors = t;
        p->cap = cap;
    }
    ludus_nn_tensor *t = &p->tensors[p->count++];
    memset(t, 0, sizeof *t);
    strcpy(t->name, name);
    t->ndim = ndim;
    for (int d = 0; d < ndim; d++) t->shape[d] = shape[d];
    /* Each tensor starts on a 16-float (64-byte) boundary for vector loads. */
    t->offset = (p->size + 15) & ~(size_t)15;
    t->numel = numel;
    p->size = t->offset + numel;
    if (offset) *offset = t->offset;
    return LUDUS_OK;
}

int ludus_nn_params_alloc(ludus_nn_params *p)
{
    if (!p) return ludus_err_set(LUDUS_EINVAL, "nn params: NULL argument");
    if (p->data) return ludus_err_set(LUDUS_EINVAL, "nn params: already allocated");
    p->data = ludus_nn_alloc_floats(p->size);
    p->grad = ludus_nn_alloc_floats(p->size);
    if (!p->data || !p->grad) {
        free(p->data);
        free(p->grad);
        p->data = p->grad = NULL;
        return ludus_err_set(LUDUS_ENOMEM, "nn params: cannot allocate %zu floats", p->size);
    }
    return LUDUS_OK;
}

const ludus_nn_tensor *ludus_nn_params_find(const ludus_nn_params *p, const char *name)
{
    if (!p || !name) return NULL;
    for (int i = 0; i < p->count; i++)
        if (strcmp(p->tensors[i].name, name) == 0) return &p->tensors[i];
    return NULL;
}

void ludus_nn_params_free(ludus_nn_params *p)
{
    if (!p) return;
    free(p->tensors);
    free(p->data);
    free(p->grad);
    memset(p, 0, sizeof *p);
}
