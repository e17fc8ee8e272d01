/* kern_portable.c: the portable build of the matrix-product kernel (see
 * kern.h): plain C that any C11 compiler builds, a multiply and an add per
 * step (the library compiles with -ffp-contract=off, so never fused). The
 * column loop is what the compiler vectorizes for the baseline target.
 */
#include "nn/kern.h"

#define KERN_NR 8
#define KERN_MR 4
#define KERN_FN ludus_nn_kern_portable_gemm

#include <stddef.h>

/* mr is a constant in each call of kern_micro's switch, so the compiler
 * unrolls the row loops and keeps the 4 x 8 sums in vector registers. */
static inline __attribute__((always_inline)) void micro_n(const int mr, int kc, const float *a, ptrdiff_t sai,
                                                          ptrdiff_t sak, const float *bp, ptrdiff_t sbk, float *c, int ldc,
                                                          int nc, float alpha, float beta)
{
    float acc[KERN_MR][KERN_NR];
    for (int r = 0; r < mr; r++)
        for (int j = 0; j < KERN_NR; j++) acc[r][j] = 0.0f;
    for (int k = 0; k < kc; k++) {
        const float *b = bp + k * sbk;
        for (int r = 0; r < mr; r++) {
            const float av = a[r * sai + k * sak];
            for (int j = 0; j < KERN_NR; j++) acc[r][j] += av * b[j];
        }
    }
    for (int r = 0; r < mr; r++) {
        float *cr = c + (size_t)r * ldc;
        for (int j = 0; j < nc; j++) cr[j] = beta == 0.0f ? alpha * acc[r][j] : alpha * acc[r][j] + beta * cr[j];
    }
}

static void kern_micro(int mr, int kc, const float *a, ptrdiff_t sai, ptrdiff_t sak, const float *bp,
                       ptrdiff_t sbk, float *c, int ldc, int nc, float alpha, float beta)
{
    switch (mr) {
    case 4: micro_n(4, kc, a, sai, sak, bp, sbk, c, ldc, nc, alpha, beta); break;
    case 3: micro_n(3, kc, a, sai, sak, bp, sbk, c, ldc, nc, alpha, beta); break;
    case 2: micro_n(2, kc, a, sai, sak, bp, sbk, c, ldc, nc, alpha, beta); break;
    default: micro_n(1, kc, a, sai, sak, bp, sbk, c, ldc, nc, alpha, beta); break;
    }
}

#include "nn/kern_driver.h"
