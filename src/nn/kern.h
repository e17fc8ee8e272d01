/* kern.h: the matrix-product kernels behind ludus_nn_gemm (internal).
 *
 * Three builds of one blocked algorithm: a portable C one, one with AVX2 +
 * FMA intrinsics and one with AVX-512F intrinsics, each in its own
 * translation unit compiled with that instruction set's flags (CMake sets
 * them per file on x86-64), so the rest of the library stays baseline
 * x86-64 and the choice is made at run time (gemm.c). All three compute
 * every element of C the same way, whatever M, the row's position or the
 * other rows:
 *   acc = 0; for k = 0..K-1 (in blocks of LUDUS_NN_KERN_KC): acc += a[i,k] * b[k,j]
 *   C[i,j] = alpha * acc + beta * C[i,j]   (per k block; later blocks beta = 1)
 * The AVX2 and AVX-512 builds fuse each multiply-add (one rounding), the
 * portable one does not (two), so those two agree bit for bit and differ
 * from the portable one by rounding only. A row's result depends only on
 * (trans_a, trans_b, N, K) and its own inputs: never on M or on the other
 * rows of the batch (test_nn_kernels checks it).
 */
#ifndef LUDUS_NN_KERN_H
#define LUDUS_NN_KERN_H

/* Depth of one k block: the packed panel of B (KC x NR floats) lives on
 * the stack and in L1/L2. */
#define LUDUS_NN_KERN_KC 256

typedef void (*ludus_nn_gemm_fn)(int ta, int tb, int M, int N, int K, float alpha, const float *A,
                                 int lda, const float *B, int ldb, float beta, float *C, int ldc);

/* The portable build (always present). */
void ludus_nn_kern_portable_gemm(int ta, int tb, int M, int N, int K, float alpha, const float *A,
                                 int lda, const float *B, int ldb, float beta, float *C, int ldc);
/* The AVX2+FMA and AVX-512F builds, or NULL where this build of the
 * library has none (not x86-64, or a compiler without the intrinsics).
 * Whether the CPU can run them is the caller's question (gemm.c). */
ludus_nn_gemm_fn ludus_nn_kern_avx2(void);
ludus_nn_gemm_fn ludus_nn_kern_avx512(void);

#endif
