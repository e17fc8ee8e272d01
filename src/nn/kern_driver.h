/* kern_driver.h: the blocked loop nest shared by the kernel builds
 * (kern_portable.c, kern_avx2.c, kern_avx512.c include it; see kern.h).
 * The including file defines KERN_NR (columns of a panel), KERN_MR (rows
 * of a micro-tile), KERN_FN (the function's name) and
 *   static void kern_micro(int mr, int kc, const float *a, ptrdiff_t sai,
 *                          ptrdiff_t sak, const float *bp, ptrdiff_t sbk,
 *                          float *c, int ldc, int nc, float alpha, float beta);
 * which computes rows [0, mr) and columns [0, nc) of c from a (element
 * (i,k) at a[i*sai + k*sak]) and the panel bp (kc rows of KERN_NR floats,
 * row k at bp + k*sbk), as kern.h describes. The panel is B itself where
 * B's rows are contiguous and the strip is full (tb == 0, nc == KERN_NR),
 * else a packed copy, zero past nc: packing would cost as much as the
 * arithmetic when M is small (a weight gradient: M = output units).
 */
#include <stddef.h>

#include "nn/kern.h"

/* bp[k][j] = op(B)[k0+k, j0+j] for j < nc, 0 for nc <= j < KERN_NR. */
static void kern_pack(float *bp, const float *B, int ldb, int tb, int k0, int kc, int j0, int nc)
{
    if (tb) {
        for (int k = 0; k < kc; k++)
            for (int j = nc; j < KERN_NR; j++) bp[(size_t)k * KERN_NR + j] = 0.0f;
        for (int j = 0; j < nc; j++) {
            const float *row = B + (size_t)(j0 + j) * ldb + k0;
            for (int k = 0; k < kc; k++) bp[(size_t)k * KERN_NR + j] = row[k];
        }
    } else {
        for (int k = 0; k < kc; k++) {
            const float *row = B + (size_t)(k0 + k) * ldb + j0;
            float *dst = bp + (size_t)k * KERN_NR;
            for (int j = 0; j < nc; j++) dst[j] = row[j];
            for (int j = nc; j < KERN_NR; j++) dst[j] = 0.0f;
        }
    }
}

void KERN_FN(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
             const float *B, int ldb, float beta, float *C, int ldc)
{
    if (M <= 0 || N <= 0) return;
    if (K <= 0) {
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++) {
                float *c = C + (size_t)i * ldc + j;
                *c = beta == 0.0f ? 0.0f : beta * *c;
            }
        return;
    }
    _Alignas(64) float bp[LUDUS_NN_KERN_KC * KERN_NR];
    const ptrdiff_t sai = ta ? 1 : lda, sak = ta ? lda : 1;
    for (int k0 = 0; k0 < K; k0 += LUDUS_NN_KERN_KC) {
        const int kc = K - k0 < LUDUS_NN_KERN_KC ? K - k0 : LUDUS_NN_KERN_KC;
        const float be = k0 == 0 ? beta : 1.0f;
        for (int j0 = 0; j0 < N; j0 += KERN_NR) {
            const int nc = N - j0 < KERN_NR ? N - j0 : KERN_NR;
            const float *panel = bp;
            ptrdiff_t sbk = KERN_NR;
            if (!tb && nc == KERN_NR) {
                panel = B + (size_t)k0 * ldb + j0;
                sbk = ldb;
            } else {
                kern_pack(bp, B, ldb, tb, k0, kc, j0, nc);
            }
            for (int i0 = 0; i0 < M; i0 += KERN_MR) {
                const int mr = M - i0 < KERN_MR ? M - i0 : KERN_MR;
                kern_micro(mr, kc, A + i0 * sai + k0 * sak, sai, sak, panel, sbk, C + (size_t)i0 * ldc + j0,
                           ldc, nc, alpha, be);
            }
        }
    }
}
