/* kern_avx2.c: the AVX2+FMA build of the matrix-product kernel (see
 * kern.h). CMake compiles this file alone with -mavx2 -mfma; gemm.c calls
 * it only when the CPU reports avx2 and fma. Micro-tile: 6 rows x 16
 * columns = 12 ymm accumulators (of 16 registers), one broadcast of a and
 * two loads of the packed panel per k; the last panel's columns are
 * masked.
 */
#include "nn/kern.h"

#if defined(__x86_64__) && defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#include <stdint.h>

#define KERN_NR 16
#define KERN_MR 6
#define KERN_FN kern_avx2_gemm

#include <stddef.h>

static void kern_avx2_gemm(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                           const float *B, int ldb, float beta, float *C, int ldc);

/* mask_of(n): the first n of 8 lanes (n in 0..8). */
static const int32_t kern_mask_tab[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
static inline __m256i mask_of(int n)
{
    return _mm256_loadu_si256((const __m256i *)(kern_mask_tab + 8 - n));
}

static inline __attribute__((always_inline)) void micro_n(const int mr, int kc, const float *a, ptrdiff_t sai,
                                                          ptrdiff_t sak, const float *bp, ptrdiff_t sbk, float *c, int ldc,
                                                          int nc, float alpha, float beta)
{
    __m256 acc0[KERN_MR], acc1[KERN_MR];
#pragma GCC unroll 6
    for (int r = 0; r < mr; r++) acc0[r] = acc1[r] = _mm256_setzero_ps();
    for (int k = 0; k < kc; k++) {
        const __m256 b0 = _mm256_loadu_ps(bp + k * sbk), b1 = _mm256_loadu_ps(bp + k * sbk + 8);
        const float *ak = a + k * sak;
#pragma GCC unroll 6
        for (int r = 0; r < mr; r++) {
            const __m256 av = _mm256_broadcast_ss(ak + r * sai);
            acc0[r] = _mm256_fmadd_ps(av, b0, acc0[r]);
            acc1[r] = _mm256_fmadd_ps(av, b1, acc1[r]);
        }
    }
    const __m256i m0 = mask_of(nc >= 8 ? 8 : nc), m1 = mask_of(nc >= 16 ? 8 : nc <= 8 ? 0 : nc - 8);
    const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
#pragma GCC unroll 6
    for (int r = 0; r < mr; r++) {
        float *cr = c + (size_t)r * ldc;
        __m256 o0 = _mm256_mul_ps(va, acc0[r]), o1 = _mm256_mul_ps(va, acc1[r]);
        if (beta != 0.0f) {
            o0 = _mm256_add_ps(o0, _mm256_mul_ps(vb, _mm256_maskload_ps(cr, m0)));
            o1 = _mm256_add_ps(o1, _mm256_mul_ps(vb, _mm256_maskload_ps(cr + 8, m1)));
        }
        _mm256_maskstore_ps(cr, m0, o0);
        _mm256_maskstore_ps(cr + 8, m1, o1);
    }
}

static void kern_micro(int mr, int kc, const float *a, ptrdiff_t sai, ptrdiff_t sak, const float *bp,
                       ptrdiff_t sbk, float *c, int ldc, int nc, float alpha, float beta)
{
    switch (mr) {
    case 6: micro_n(6, kc, a, sai, sak, bp, sbk, c, ldc, nc, alpha, beta); break;
    case 5: micro_n(5, kc, a, sai, sak, bp, sbk, c, ldc, nc, alpha, beta); break;
    case 4: micro_n(4, kc, a, sai, sak, bp, sbk, c, ldc, nc, alpha, beta); break;
    case 3: micro_n(3, kc, a, sai, sak, bp, sbk, c, ldc, nc, alpha, beta); break;
    case 2: micro_n(2, kc, a, sai, sak, bp, sbk, c, ldc, nc, alpha, beta); break;
    default: micro_n(1, kc, a, sai, sak, bp, sbk, c, ldc, nc, alpha, beta); break;
    }
}

#include "nn/kern_driver.h"

ludus_nn_gemm_fn ludus_nn_kern_avx2(void)
{
    return kern_avx2_gemm;
}
#else
ludus_nn_gemm_fn ludus_nn_kern_avx2(void)
{
    return 0;
}
#endif
