/* init.c: orthogonal initialisation as torch.nn.init.orthogonal_. The QR
 * factor is computed by Gram-Schmidt in double with one re-orthogonalisation
 * pass, which yields the unique Q whose R has a positive diagonal: the
 * same matrix torch gets after multiplying Householder's Q by sign(diag R).
 */
#include <math.h>
#include <stdlib.h>

#include "nn/nn_internal.h"

#define NN_PI 3.14159265358979323846

double ludus_nn_normal(ludus_rng *rng)
{
    double u1 = ludus_rng_random(rng), u2 = ludus_rng_random(rng);
    return sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * NN_PI * u2);
}

int ludus_nn_orthogonal(float *w, int rows, int cols, float gain, ludus_rng *rng)
{
    if (!w || !rng) return ludus_err_set(LUDUS_EINVAL, "orthogonal: NULL argument");
    if (rows < 1 || cols < 1) return ludus_err_set(LUDUS_EINVAL, "orthogonal: bad shape %dx%d", rows, cols);
    /* Work on a tall matrix a (m, n), m >= n, stored column by column. */
    int tall = rows >= cols;
    int m = tall ? rows : cols, n = tall ? cols : rows;
    double *a = malloc((size_t)m * n * sizeof *a);
    if (!a) return ludus_err_set(LUDUS_ENOMEM, "orthogonal: out of memory");
    /* torch draws the (rows, cols) matrix row-major, then transposes when
     * it is wide; element (i, j) of the draw is column j (tall) or i. */
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) {
            double g = ludus_nn_normal(rng);
            if (tall) a[(size_t)j * m + i] = g;
            else a[(size_t)i * m + j] = g;
        }
    for (int j = 0; j < n; j++) {
        double *q = a + (size_t)j * m;
        for (int pass = 0; pass < 2; pass++)
            for (int k = 0; k < j; k++) {
                const double *p = a + (size_t)k * m;
                double d = 0.0;
                for (int i = 0; i < m; i++) d += p[i] * q[i];
                for (int i = 0; i < m; i++) q[i] -= d * p[i];
            }
        double norm = 0.0;
        for (int i = 0; i < m; i++) norm += q[i] * q[i];
        norm = sqrt(norm);
        if (norm < 1e-12) { /* a degenerate draw: practically impossible */
            free(a);
            return ludus_err_set(LUDUS_EINTERNAL, "orthogonal: rank-deficient random matrix");
        }
        for (int i = 0; i < m; i++) q[i] /= norm;
    }
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
            w[(size_t)i * cols + j] = (float)(gain * (tall ? a[(size_t)j * m + i] : a[(size_t)i * m + j]));
    free(a);
    return LUDUS_OK;
}
