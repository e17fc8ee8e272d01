/* bench_nn.c: OpenBLAS against the hand-written loop for the matrix
 * products the policies make (forward NT, backward NN and TN), from tiny
 * single-step shapes to minibatch shapes, to place the dispatch crossover
 * in gemm.c. Prints one row per shape and back end: time and GFLOP/s.
 *   bench_nn [threads]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ludus/nn.h"
#include "nn/nn_internal.h"

typedef void (*gemm_fn)(int, int, int, int, int, float, const float *, int, const float *, int,
                        float, float *, int);

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double run(gemm_fn f, int ta, int tb, int M, int N, int K, const float *A, const float *B,
                  float *C)
{
    int lda = ta ? M : K, ldb = tb ? K : N;
    double flops = 2.0 * M * N * K;
    long reps = (long)(2e8 / flops) + 1;
    f(ta, tb, M, N, K, 1.0f, A, lda, B, ldb, 0.0f, C, N);
    double t0 = now();
    for (long r = 0; r < reps; r++) f(ta, tb, M, N, K, 1.0f, A, lda, B, ldb, 1.0f, C, N);
    return (now() - t0) / reps;
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    ludus_nn_set_threads(threads);
    static const struct { int ta, tb, M, N, K; const char *what; } shapes[] = {
        {0, 1, 1, 1, 64, "one step: value head"},
        {0, 1, 1, 7, 64, "one step: actor head"},
        {0, 0, 4, 8, 8, "tiny NN 4x8x8"},
        {0, 1, 4, 8, 8, "tiny NT 4x8x8"},
        {1, 0, 8, 8, 4, "tiny TN 8x8x4"},
        {0, 1, 16, 64, 64, "16 envs: hidden layer"},
        {0, 1, 16, 7, 64, "16 envs: actor head"},
        {0, 1, 64, 64, 128, "64 envs: trunk"},
        {0, 1, 16 * 25, 16, 72, "16 envs: conv 3x3 8->16"},
        {0, 1, 64 * 25, 16, 72, "64 envs: conv 3x3"},
        {0, 1, 512 * 25, 16, 72, "minibatch 512: conv fwd"},
        {1, 0, 16, 72, 512 * 25, "minibatch 512: conv dW"},
        {0, 0, 512 * 9, 144, 32, "minibatch 512: conv2 dcol"},
        {0, 1, 512, 64, 288, "minibatch 512: linear fwd"},
        {1, 0, 64, 288, 512, "minibatch 512: linear dW"},
        {0, 0, 512, 288, 64, "minibatch 512: linear dX"},
        {0, 1, 512, 7, 64, "minibatch 512: actor fwd"},
        {1, 0, 7, 64, 512, "minibatch 512: actor dW"},
    };
    printf("# bench_nn: sgemm, OpenBLAS (%d thread%s) vs hand loop\n", threads, threads > 1 ? "s" : "");
    printf("%-28s %5s %5s %6s %6s %6s %10s %8s %10s %8s %s\n", "shape", "ta", "tb", "M", "N", "K",
           "blas_us", "GF/s", "hand_us", "GF/s", "faster");
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int M = shapes[s].M, N = shapes[s].N, K = shapes[s].K;
        float *A = ludus_nn_alloc_floats((size_t)M * K), *B = ludus_nn_alloc_floats((size_t)K * N),
              *C = ludus_nn_alloc_floats((size_t)M * N);
        for (size_t i = 0; i < (size_t)M * K; i++) A[i] = (float)(i % 7) * 0.1f;
        for (size_t i = 0; i < (size_t)K * N; i++) B[i] = (float)(i % 5) * 0.1f;
        double tb_ = run(ludus_nn_gemm_blas, shapes[s].ta, shapes[s].tb, M, N, K, A, B, C);
        double th = run(ludus_nn_gemm_hand, shapes[s].ta, shapes[s].tb, M, N, K, A, B, C);
        double fl = 2.0 * M * N * K * 1e-9;
        printf("%-28s %5d %5d %6d %6d %6d %10.2f %8.2f %10.2f %8.2f %s\n", shapes[s].what,
               shapes[s].ta, shapes[s].tb, M, N, K, tb_ * 1e6, fl / tb_, th * 1e6, fl / th,
               tb_ < th ? "blas" : "hand");
        free(A); free(B); free(C);
    }
    return 0;
}
