/* gemm.c: the one matrix product every layer goes through, and the choice
 * of what computes it. Three builds of one blocked kernel (kern.h:
 * portable C, AVX2+FMA, AVX-512F) and OpenBLAS; by default ("auto") the
 * best kernel the CPU runs, or OpenBLAS for the shapes where it was
 * measured faster (kern_auto_pick below). LUDUS_KERNELS or
 * ludus_nn_set_kernels force one path for every product, so each can be
 * tested and raced on one machine (tests/test_nn_kernels.c,
 * bench/bench_kernels.c).
 */
#include <cblas.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "nn/kern.h"
#include "nn/nn_internal.h"

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

/* ---- the choice of kernels ---- */

enum { KERN_UNSET = -1, KERN_AUTO, KERN_PORTABLE, KERN_AVX2, KERN_AVX512, KERN_BLAS, KERN_COUNT };
static const char *const kern_names[KERN_COUNT] = {"auto", "portable", "avx2", "avx512", "blas"};

/* The mode, and for auto the kernel build it runs (set together, before
 * any product in the mode; see ludus_nn_set_kernels's contract). */
static _Atomic int kern_mode = KERN_UNSET;
static _Atomic int kern_auto_isa = KERN_PORTABLE;
/* The element-wise loops' instruction set (LUDUS_NN_ISA_*), set with the mode. */
static _Atomic int kern_loop_isa = LUDUS_NN_ISA_BASE;
static _Atomic unsigned long long kern_flops;

/* Whether this build has the kernel and the CPU runs it. */
static ludus_nn_gemm_fn kern_fn_of(int mode)
{
    switch (mode) {
    case KERN_PORTABLE: return ludus_nn_kern_portable_gemm;
#if defined(__x86_64__) && defined(__GNUC__)
    case KERN_AVX2:
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? ludus_nn_kern_avx2() : NULL;
    case KERN_AVX512:
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma") ? ludus_nn_kern_avx512() : NULL;
#endif
    default: return NULL;
    }
}

int ludus_nn_kernels_available(const char *name)
{
    for (int m = 0; m < KERN_COUNT; m++)
        if (name && !strcmp(name, kern_names[m])) return m == KERN_AUTO || m == KERN_BLAS || kern_fn_of(m);
    return 0;
}

int ludus_nn_set_kernels(const char *name)
{
    const char *src = name ? "ludus_nn_set_kernels" : "LUDUS_KERNELS";
    if (!name) {
        name = getenv("LUDUS_KERNELS");
        if (!name || !*name) name = "auto";
    }
    int mode = KERN_UNSET;
    for (int m = 0; m < KERN_COUNT; m++)
        if (!strcmp(name, kern_names[m])) mode = m;
    if (mode == KERN_UNSET)
        return ludus_err_set(LUDUS_EINVAL, "%s: unknown kernels '%s' (auto, portable, avx2, avx512 or blas)", src, name);
    if (mode != KERN_AUTO && mode != KERN_BLAS && !kern_fn_of(mode))
        return ludus_err_set(LUDUS_EUNSUPPORTED, "%s: this CPU or build cannot run the %s kernels", src, name);
    int isa = kern_fn_of(KERN_AVX512) ? KERN_AVX512 : kern_fn_of(KERN_AVX2) ? KERN_AVX2 : KERN_PORTABLE;
    /* the loops follow the kernels: auto and blas the best the CPU runs */
    int with = mode == KERN_AUTO || mode == KERN_BLAS ? isa : mode;
    int loop = with == KERN_AVX512 ? LUDUS_NN_ISA_AVX512 : with == KERN_AVX2 ? LUDUS_NN_ISA_AVX2 : LUDUS_NN_ISA_BASE;
    atomic_store(&kern_auto_isa, isa);
    atomic_store(&kern_loop_isa, loop);
    atomic_store(&kern_mode, mode);
    return LUDUS_OK;
}

int ludus_nn_check_kernels_env(void)
{
    const char *name = getenv("LUDUS_KERNELS");
    if (!name || !*name) return LUDUS_OK;
    for (int m = 0; m < KERN_COUNT; m++)
        if (!strcmp(name, kern_names[m]))
            return ludus_nn_kernels_available(name)
                       ? LUDUS_OK
                       : ludus_err_set(LUDUS_EUNSUPPORTED, "LUDUS_KERNELS: this CPU or build cannot run the %s kernels", name);
    return ludus_err_set(LUDUS_EINVAL, "LUDUS_KERNELS: unknown kernels '%s' (auto, portable, avx2, avx512 or blas)", name);
}

const char *ludus_nn_kernels(void)
{
    static const char *const auto_names[KERN_COUNT] = {"auto", "auto:portable", "auto:avx2", "auto:avx512", "auto"};
    int mode = atomic_load(&kern_mode);
    if (mode == KERN_UNSET && ludus_nn_set_kernels(NULL)) ludus_nn_set_kernels("auto");
    mode = atomic_load(&kern_mode);
    return mode == KERN_AUTO ? auto_names[atomic_load(&kern_auto_isa)] : kern_names[mode];
}

int ludus_nn_rows_independent(void)
{
    int mode = atomic_load(&kern_mode);
    if (mode == KERN_UNSET) {
        if (ludus_nn_set_kernels(NULL)) ludus_nn_set_kernels("auto");
        mode = atomic_load(&kern_mode);
    }
    if (mode == KERN_AUTO) return atomic_load(&kern_auto_isa) == KERN_AVX512; /* kern_auto_pick: no OpenBLAS */
    return mode != KERN_BLAS;
}

int ludus_nn_loop_isa(void)
{
    if (atomic_load_explicit(&kern_mode, memory_order_acquire) == KERN_UNSET &&
        ludus_nn_set_kernels(NULL))
        ludus_nn_set_kernels("auto");
    return atomic_load_explicit(&kern_loop_isa, memory_order_relaxed);
}

unsigned long long ludus_nn_flops(void)
{
    return atomic_load_explicit(&kern_flops, memory_order_relaxed);
}

void ludus_nn_count_flops(unsigned long long n)
{
    atomic_fetch_add_explicit(&kern_flops, n, memory_order_relaxed);
}

/* Auto mode: what runs a product, from the best kernel build the CPU runs
 * (isa). Keyed on (ta, tb, N, K) only, never on M, so that a row's result
 * does not depend on the batch it is in wherever a kernel runs it. The
 * numbers are GFLOP/s from bench/bench_kernels (1 thread, best of 10
 * alternated rounds) on a 2-core AMD EPYC Zen 5 ("Turin-like", family 1Ah,
 * avx512f, avx2, fma), 3.5 GHz measured, with OpenBLAS 0.3.21 running its
 * Haswell (AVX2) kernels; as M x N x K: avx2 / avx512 / blas:
 *   grid fc fwd      128x64x288     89 / 156 /  90
 *   grid fc dX       128x288x64     95 / 187 /  97
 *   grid fc dW       64x288x128     98 / 188 /  94
 *   grid conv2 fwd   1152x32x144    99 / 198 /  91
 *   grid conv2 dcol  1152x144x32    63 / 143 /  96
 *   grid conv2 dW    32x144x1152    89 / 147 /  81
 *   grid actor fwd   128x7x64       31 /  29 /  28
 *   act actor fwd    16x7x64        20 /  16 /  21
 *   crafter conv2 dW 16x144x12800   51 /  96 /  65
 *   crafter fc dX    512x400x128    59 / 130 /  98
 *   gru256 dW        768x256x64     56 / 124 /  92
 *   lstm256 gates    64x1024x256    62 / 124 /  88
 *   fc256 dW         256x256x256    73 / 172 /  97
 * So: with AVX-512, the avx512 kernel everywhere but for products at most
 * 8 columns wide, where half a 16-lane vector pair is idle and the avx2
 * kernel (bit-identical results) is faster; with AVX2 only, the avx2
 * kernel below 128 columns and OpenBLAS from 128 (its wider blocking wins
 * there: this gives up row independence for those products; force "avx2"
 * to keep it); without AVX2, OpenBLAS (the portable kernel, 7-9 GFLOP/s,
 * is the reference, not a fast path). */
static int kern_auto_pick(int isa, int ta, int tb, int N, int K)
{
    (void)ta, (void)tb, (void)K;
    switch (isa) {
    case KERN_AVX512: return N <= 8 ? KERN_AVX2 : KERN_AVX512;
    case KERN_AVX2: return N >= 128 ? KERN_BLAS : KERN_AVX2;
    default: return KERN_BLAS;
    }
}

void ludus_nn_gemm(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                   const float *B, int ldb, float beta, float *C, int ldc)
{
    if (M <= 0 || N <= 0) return;
    int mode = atomic_load_explicit(&kern_mode, memory_order_relaxed);
    if (mode == KERN_UNSET) {
        /* a bad LUDUS_KERNELS is reported by the learners' create; here it
         * falls back to auto */
        if (ludus_nn_set_kernels(NULL)) ludus_nn_set_kernels("auto");
        mode = atomic_load(&kern_mode);
    }
    ludus_nn_count_flops(2ull * (unsigned long long)M * N * (K > 0 ? K : 0));
    if (mode == KERN_AUTO) {
        int isa = atomic_load_explicit(&kern_auto_isa, memory_order_relaxed);
        mode = kern_auto_pick(isa, ta, tb, N, K);
    }
    if (mode == KERN_BLAS) {
        ludus_nn_gemm_blas(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    ludus_nn_gemm_fn f = kern_fn_of(mode);
    f(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
