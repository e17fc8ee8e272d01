/* nn_internal.h: what the nn/ files share beyond the public nn.h: the two
 * matrix-product back ends, exposed so bench/bench_nn.c can race them.
 */
#ifndef LUDUS_NN_INTERNAL_H
#define LUDUS_NN_INTERNAL_H

#include "core/core.h"
#include "ludus/nn.h"

void nn_gemm_blas(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                  const float *B, int ldb, float beta, float *C, int ldc);
void nn_gemm_hand(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                  const float *B, int ldb, float beta, float *C, int ldc);

/* 64-byte aligned, zeroed allocation of n floats (free with free()). */
float *nn_alloc_floats(size_t n);

#endif
