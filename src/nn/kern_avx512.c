/* kern_avx512.c: the AVX-512F build of the matrix-product kernel (see
 * kern.h). CMake compiles this file alone with -mavx512f -mfma; gemm.c
 * calls it only when the CPU reports avx512f. Micro-tile: 8 rows x 32
 * columns = 16 zmm accumulators, one broadcast of a and two loads of the
 * packed panel per k; the last panel's columns are masked.
 */
#include "nn/kern.h"

#if defined(__x86_64__) && defined(__AVX512F__) && defined(__FMA__)
#include <immintrin.h>

#define KERN_NR 32
#define KERN_MR 8
#define KERN_FN kern_avx512_gemm

#include <stddef.h>

static void kern_avx512_gemm(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                             const float *B, int ldb, float beta, float *C, int ldc);

static inline __attribute__((always_inline)) void micro_n(const int mr, int kc, const float *a, ptrdiff_t sai,
                                                          ptrdiff_t sak, const float *bp, ptrdiff_t sbk, float *c, int ldc,
                                                          int nc, float alpha, float beta)
{
    __m512 acc0[KERN_MR], acc1[KERN_MR];
#pragma GCC unroll 8
    for (int r = 0; r < mr; r++) acc0[r] = acc1[r] = _mm512_setzero_ps();
    for (int k = 0; k < kc; k++) {
        const __m512 b0 = _mm512_loadu_ps(bp + k * sbk), b1 = _mm512_loadu_ps(bp + k * sbk + 16);
        const float *ak = a + k * sak;
#pragma GCC unroll 8
        for (int r = 0; r < mr; r++) {
            const __m512 av = _mm512_set1_ps(ak[r * sai]);
            acc0[r] = _mm512_fmadd_ps(av, b0, acc0[r]);
            acc1[r] = _mm512_fmadd_ps(av, b1, acc1[r]);
        }
    }
    const __mmask16 m0 = nc >= 16 ? 0xffff : (__mmask16)((1u << nc) - 1u);
    const __mmask16 m1 = nc >= 32 ? 0xffff : nc <= 16 ? 0 : (__mmask16)((1u << (nc - 16)) - 1u);
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
#pragma GCC unroll 8
    for (int r = 0; r < mr; r++) {
        float *cr = c + (size_t)r * ldc;
        __m512 o0 = _mm512_mul_ps(va, acc0[r]), o1 = _mm512_mul_ps(va, acc1[r]);
        if (beta != 0.0f) {
            o0 = _mm512_add_ps(o0, _mm512_mul_ps(vb, _mm512_maskz_loadu_ps(m0, cr)));
            o1 = _mm512_add_ps(o1, _mm512_mul_ps(vb, _mm512_maskz_loadu_ps(m1, cr + 16)));
        }
        _mm512_mask_storeu_ps(cr, m0, o0);
        _mm512_mask_storeu_ps(cr + 16, m1, o1);
    }
}

static void kern_micro(int mr, int kc, const float *a, ptrdiff_t sai, ptrdiff_t sak, const float *bp,
                       ptrdiff_t sbk, float *c, int ldc, int nc, float alpha, float beta)
{
    switch (mr) {
    case 8: micro_n(8, kc, a, sai, sak, bp, sbk, c, ldc, nc, alpha, beta); break;
    case 7: micro_n(7, kc, a, sai, sak, bp, sbk, c, ldc, nc, alpha, beta); break;
    case 6: micro_n(6, kc, a, sai, sak, bp, sbk, c, ldc, nc, alpha, beta); break;
    case 5: micro_n(5, kc, a, sai, sak, bp, sbk, c, ldc, nc, alpha, beta); break;
    case 4: micro_n(4, kc, a, sai, sak, bp, sbk, c, ldc, nc, alpha, beta); break;
    case 3: micro_n(3, kc, a, sai, sak, bp, sbk, c, ldc, nc, alpha, beta); break;
    case 2: micro_n(2, kc, a, sai, sak, bp, sbk, c, ldc, nc, alpha, beta); break;
    default: micro_n(1, kc, a, sai, sak, bp, sbk, c, ldc, nc, alpha, beta); break;
    }
}

#include "nn/kern_driver.h"

ludus_nn_gemm_fn ludus_nn_kern_avx512(void)
{
    return kern_avx512_gemm;
}
#else
ludus_nn_gemm_fn ludus_nn_kern_avx512(void)
{
    return 0;
}
#endif
