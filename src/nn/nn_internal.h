/* nn_internal.h: what the nn/ files share beyond the public nn.h: the two
 * matrix-product back ends, exposed so bench/bench_nn.c can race them.
 */
#ifndef LUDUS_NN_INTERNAL_H
#define LUDUS_NN_INTERNAL_H

#include "core/core.h"
#include "ludus/nn.h"

void ludus_nn_gemm_blas(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                  const float *B, int ldb, float beta, float *C, int ldc);
void ludus_nn_gemm_hand(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                  const float *B, int ldb, float beta, float *C, int ldc);
/* 1 when the named kernels (ludus_nn_set_kernels's names) run here. */
int ludus_nn_kernels_available(const char *name);
/* LUDUS_OK when LUDUS_KERNELS is unset, empty or names kernels that run
 * here; else LUDUS_EINVAL / LUDUS_EUNSUPPORTED with a message (learners'
 * create calls it so that a bad value is an error, not a silent auto). */
int ludus_nn_check_kernels_env(void);
/* 1 when every product in the kernels now chosen gives a row a result
 * independent of the batch it is in (kern.h): the kernel paths, and auto
 * where it never calls OpenBLAS (AVX-512 CPUs). */
int ludus_nn_rows_independent(void);
/* Floating-point operations counted since the process started: 2*M*N*K
 * per matrix product, one per add of the embedding convolution's gather
 * and scatter (relaxed atomic; bench/ reads it around an update). */
unsigned long long ludus_nn_flops(void);
void ludus_nn_count_flops(unsigned long long n);

/* tanh in float32 as a rational function x P(x^2) / Q(x^2) fitted to
 * minimise the relative error on [0, 9.1] (tanh rounds to 1 past 9):
 * within 4e-7 of tanh, and made of multiplies, adds and one division, so
 * loops over it vectorize where the libm call (12% of the learner's time)
 * cannot. */
static inline float nn_tanhf(float x)
{
    float c = x > 9.1f ? 9.1f : (x < -9.1f ? -9.1f : x);
    float u = c * c;
    float p = (((1.318028838e-08f * u + 2.048325358e-05f) * u + 3.487939355e-03f) * u + 1.337458399e-01f) * u + 9.999999773e-01f;
    float q = (((7.705199552e-07f * u + 3.273128204e-04f) * u + 2.584787916e-02f) * u + 4.670789782e-01f) * u + 1.0f;
    float t = c * p / q;
    /* past 9, tanh is within half an ulp of 1 */
    return x > 9.0f ? 1.0f : (x < -9.0f ? -1.0f : t);
}

/* The logistic function through the same tanh: 1/(1+e^-x) = (1 + tanh(x/2)) / 2. */
static inline float nn_sigmoidf(float x)
{
    return 0.5f + 0.5f * nn_tanhf(0.5f * x);
}

/* The instruction set the element-wise loops (NN_VARIANTS) run on now.
 * It follows the kernels' choice (ludus_nn_set_kernels, LUDUS_KERNELS):
 * "portable" runs the baseline builds, "avx2" the AVX2 ones, "avx512" the
 * AVX-512F ones, and "auto" and "blas" the best the CPU runs; so each copy
 * of every loop can be tested and raced on one machine. */
enum { LUDUS_NN_ISA_BASE, LUDUS_NN_ISA_AVX2, LUDUS_NN_ISA_AVX512 };
int ludus_nn_loop_isa(void);

/* A hot loop built for AVX-512F, AVX2 and the baseline, the one to run
 * picked per call by ludus_nn_loop_isa (one relaxed atomic load). Write
 *     NN_VARIANTS(name, (params), (args)) { body }
 * for a static void name(params). Results do not depend on which build
 * runs: the loops it marks do the same IEEE operations on each element in
 * the same order in every build (no fused multiply-add:
 * -ffp-contract=off), so only their speed differs. Elsewhere than x86-64
 * with GCC or clang, one baseline build. */
#if defined(__x86_64__) && defined(__GNUC__)
#define NN_VARIANTS(name, params, args)                                                                  \
    static inline __attribute__((always_inline)) void name##_body params;                                \
    __attribute__((target("avx512f"))) static void name##_avx512 params { name##_body args; }            \
    __attribute__((target("avx2"))) static void name##_avx2 params { name##_body args; }                 \
    static void name##_base params { name##_body args; }                                                 \
    static void name params                                                                              \
    {                                                                                                    \
        switch (ludus_nn_loop_isa()) {                                                                   \
        case LUDUS_NN_ISA_AVX512: name##_avx512 args; break;                                             \
        case LUDUS_NN_ISA_AVX2: name##_avx2 args; break;                                                 \
        default: name##_base args; break;                                                                \
        }                                                                                                \
    }                                                                                                    \
    static inline __attribute__((always_inline)) void name##_body params
#else
#define NN_VARIANTS(name, params, args) static void name params
#endif

/* The activations' in-place loops (NN_VARIANTS): x = max(x, 0);
 * d = out > 0 ? d : 0 (ReLU's gradient through its output); d *= 1 - out^2
 * (tanh's). d and out must not overlap. */
void ludus_nn_relu_inplace(float *x, size_t n);
void ludus_nn_relu_grad(float *d, const float *out, size_t n);
void ludus_nn_tanh_grad(float *d, const float *out, size_t n);

/* Adam in pieces, for learners that update their parameters in slices on
 * several threads: ludus_nn_adam_begin advances the step (once per step)
 * and returns its constants; ludus_nn_adam_range updates [lo, hi) with
 * them, the gradient first multiplied by scale (and stored back) unless
 * scale is 1. begin + range over [0, n) with scale 1 is
 * ludus_nn_adam_step, bit for bit; disjoint ranges may run at once. */
typedef struct ludus_nn_adam_coef {
    float b1, b2, eps, step_size, bc2_sqrt;
} ludus_nn_adam_coef;
void ludus_nn_adam_begin(ludus_nn_adam *opt, float lr, ludus_nn_adam_coef *c);
void ludus_nn_adam_range(ludus_nn_adam *opt, const ludus_nn_adam_coef *c, float *params, float *grads,
                         float scale, size_t lo, size_t hi);
/* The sum of squares of g[0..n) in double, as 8 interleaved partial sums
 * (element i in sum i % 8) added pairwise: the same on every machine and
 * instruction set. */
double ludus_nn_sumsq(const float *g, size_t n);
/* The clipping coefficient of torch's clip_grad_norm_ for a gradient
 * whose squares sum to sumsq: min(1, max_norm / (norm + 1e-6)), with the
 * norm (as float) in *norm when norm is not NULL. */
float ludus_nn_clip_coef(double sumsq, float max_norm, float *norm);

/* 64-byte aligned, zeroed allocation of n floats (free with free()). */
float *ludus_nn_alloc_floats(size_t n);

#endif
