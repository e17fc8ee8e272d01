/* gemm.c: the one matrix product every layer goes through. Large products
 * go to OpenBLAS; products too small to repay its dispatch and packing go
 * to a hand-written loop. The crossover (NN_GEMM_HAND_MAX) was measured
 * with bench/bench_nn on the 2-core build machine; see docs/benchmarks.md.
 */
#include <cblas.h>

#include "nn/nn_internal.h"

/* Products of at most this many multiply-adds run by hand. */
#define NN_GEMM_HAND_MAX 256

void ludus_nn_set_threads(int n)
{
    openblas_set_num_threads(n < 1 ? 1 : n);
}

int ludus_nn_get_threads(void)
{
    return openblas_get_num_threads();
}

void ludus_nn_gemm_blas(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                  const float *B, int ldb, float beta, float *C, int ldc)
{
    if (M <= 0 || N <= 0) return;
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M,
                N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

/* Dot product with eight independent partial sums, so the compiler can keep
 * them in one vector register without reassociating float additions. */
static float dot8(const float *a, const float *b, int K)
{
    float acc[8] = {0};
    int k = 0;
    for (; k + 8 <= K; k += 8)
        for (int l = 0; l < 8; l++) acc[l] += a[k + l] * b[k + l];
    float s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (; k < K; k++) s += a[k] * b[k];
    return s;
}

void ludus_nn_gemm_hand(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                  const float *B, int ldb, float beta, float *C, int ldc)
{
    for (int i = 0; i < M; i++) {
        float *c = C + (size_t)i * ldc;
        if (beta == 0.0f)
            for (int j = 0; j < N; j++) c[j] = 0.0f;
        else if (beta != 1.0f)
            for (int j = 0; j < N; j++) c[j] *= beta;
    }
    if (!tb) {
        /* rows of B are contiguous: C[i,:] += alpha * A[i,k] * B[k,:] */
        for (int i = 0; i < M; i++) {
            float *c = C + (size_t)i * ldc;
            for (int k = 0; k < K; k++) {
                float a = alpha * (ta ? A[(size_t)k * lda + i] : A[(size_t)i * lda + k]);
                const float *b = B + (size_t)k * ldb;
                for (int j = 0; j < N; j++) c[j] += a * b[j];
            }
        }
    } else if (!ta) {
        /* C[i,j] += alpha * dot(A[i,:], B[j,:]) */
        for (int i = 0; i < M; i++) {
            const float *a = A + (size_t)i * lda;
            float *c = C + (size_t)i * ldc;
            for (int j = 0; j < N; j++) c[j] += alpha * dot8(a, B + (size_t)j * ldb, K);
        }
    } else {
        for (int i = 0; i < M; i++) {
            float *c = C + (size_t)i * ldc;
            for (int j = 0; j < N; j++) {
                float s = 0.0f;
                for (int k = 0; k < K; k++) s += A[(size_t)k * lda + i] * B[(size_t)j * ldb + k];
                c[j] += alpha * s;
            }
        }
    }
}

void ludus_nn_gemm(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                   const float *B, int ldb, float beta, float *C, int ldc)
{
    if ((long long)M * N * K <= NN_GEMM_HAND_MAX)
        ludus_nn_gemm_hand(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    else
        ludus_nn_gemm_blas(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
