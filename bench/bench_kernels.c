/* bench_kernels.c: the matrix-product paths (portable, avx2, avx512 kernels
 * and OpenBLAS, ludus_nn_set_kernels) raced on the shapes ludus's policies
 * make, one thread. The paths alternate within each round and each keeps
 * its fastest round, so a machine shared with other work slows them alike.
 * Times are this thread's CPU time (descheduled time does not count).
 * Prints per shape the GFLOP/s of each path this CPU runs, the winner and
 * the kernel's fraction of one core's fp32 peak (peak.h).
 *   bench_kernels [rounds]
 * Shapes: M x N x K as ludus_nn_gemm(ta, tb, M, N, K); "mb" is a PPO
 * minibatch per learner thread.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ludus/nn.h"
#include "nn/nn_internal.h"
#include "peak.h"

static double run(int ta, int tb, int M, int N, int K, const float *A, const float *B, float *C, int reps)
{
    int lda = ta ? M : K, ldb = tb ? K : N;
    double t0 = peak_thread_s();
    for (int r = 0; r < reps; r++) ludus_nn_gemm(ta, tb, M, N, K, 1.0f, A, lda, B, ldb, 1.0f, C, N);
    return (peak_thread_s() - t0) / reps;
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 20;
    if (rounds < 1) rounds = 1;
    ludus_nn_set_threads(1);
    static const struct { int ta, tb, M, N, K; const char *what; } shapes[] = {
        /* the default grid policy (7x7 view, conv 16 -> 32, fc 288 -> 64, heads 64) */
        {0, 1, 16, 64, 288, "grid act: fc fwd"},
        {0, 1, 16, 7, 64, "grid act: actor fwd"},
        {0, 1, 128 * 9, 32, 144, "grid mb128: conv2 fwd"},
        {0, 0, 128 * 9, 144, 32, "grid mb128: conv2 dcol"},
        {1, 0, 32, 144, 128 * 9, "grid mb128: conv2 dW"},
        {0, 1, 128, 64, 288, "grid mb128: fc fwd"},
        {0, 0, 128, 288, 64, "grid mb128: fc dX"},
        {1, 0, 64, 288, 128, "grid mb128: fc dW"},
        {0, 1, 128, 64, 64, "grid mb128: head fwd"},
        {0, 0, 128, 64, 64, "grid mb128: head dX"},
        {1, 0, 64, 64, 128, "grid mb128: head dW"},
        {0, 1, 128, 7, 64, "grid mb128: actor fwd"},
        {0, 0, 128, 64, 7, "grid mb128: actor dX"},
        {1, 0, 7, 64, 128, "grid mb128: actor dW"},
        /* Crafter's symbolic policy (9x9 view, conv 16 -> 16, fc -> 128) */
        {0, 1, 512 * 25, 16, 144, "crafter mb512: conv2 fwd"},
        {1, 0, 16, 144, 512 * 25, "crafter mb512: conv2 dW"},
        {0, 1, 512, 128, 400, "crafter mb512: fc fwd"},
        {0, 0, 512, 400, 128, "crafter mb512: fc dX"},
        {1, 0, 128, 400, 512, "crafter mb512: fc dW"},
        /* recurrent cores: GRU 64 and 256 units (gates 3H), LSTM 256 (4H) */
        {0, 1, 8, 192, 64, "gru64 step B8: gates"},
        {0, 1, 64, 768, 256, "gru256 step B64: gates"},
        {0, 0, 64, 256, 768, "gru256 step B64: dh"},
        {1, 0, 768, 256, 64, "gru256 step B64: dW"},
        {0, 1, 64, 1024, 256, "lstm256 step B64: gates"},
        /* wide fc layers of 256 units */
        {0, 1, 256, 256, 256, "fc256 mb256: fwd"},
        {0, 0, 256, 256, 256, "fc256 mb256: dX"},
        {1, 0, 256, 256, 256, "fc256 mb256: dW"},
    };
    static const char *const paths[] = {"portable", "avx2", "avx512", "blas"};
    enum { NP = 4 };
    int have[NP];
    for (int p = 0; p < NP; p++) have[p] = ludus_nn_kernels_available(paths[p]);
    peak_info pi;
    peak_measure(&pi, 1);
    peak_print(&pi);
    printf("# bench_kernels: GFLOP/s per path, 1 thread, best of %d alternated rounds\n", rounds);
    printf("%-26s %2s %2s %6s %5s %6s", "shape", "ta", "tb", "M", "N", "K");
    for (int p = 0; p < NP; p++) printf(" %9s", paths[p]);
    printf("  %-8s %s\n", "fastest", "best-kernel/peak");
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int ta = shapes[s].ta, tb = shapes[s].tb, M = shapes[s].M, N = shapes[s].N, K = shapes[s].K;
        float *A = ludus_nn_alloc_floats((size_t)M * K), *B = ludus_nn_alloc_floats((size_t)K * N),
              *C = ludus_nn_alloc_floats((size_t)M * N);
        if (!A || !B || !C) return 1;
        for (size_t i = 0; i < (size_t)M * K; i++) A[i] = (float)(i % 7) * 0.1f - 0.3f;
        for (size_t i = 0; i < (size_t)K * N; i++) B[i] = (float)(i % 5) * 0.1f - 0.2f;
        double flops = 2.0 * M * N * K, best[NP];
        int reps = (int)(4e6 / flops) + 1;
        for (int p = 0; p < NP; p++) best[p] = 1e30;
        for (int r = 0; r < rounds; r++)
            for (int p = 0; p < NP; p++) {
                if (!have[p]) continue;
                ludus_nn_set_kernels(paths[p]);
                run(ta, tb, M, N, K, A, B, C, 1);
                double t = run(ta, tb, M, N, K, A, B, C, reps);
                if (t < best[p]) best[p] = t;
            }
        printf("%-26s %2d %2d %6d %5d %6d", shapes[s].what, ta, tb, M, N, K);
        int win = -1, kwin = -1;
        for (int p = 0; p < NP; p++) {
            if (!have[p]) {
                printf(" %9s", "-");
                continue;
            }
            printf(" %9.1f", flops / best[p] * 1e-9);
            if (win < 0 || best[p] < best[win]) win = p;
            if (p < 3 && (kwin < 0 || best[p] < best[kwin])) kwin = p;
        }
        printf("  %-8s %.0f%%\n", paths[win], 100.0 * flops / best[kwin] / pi.core_peak);
        free(A), free(B), free(C);
    }
    ludus_nn_set_kernels(NULL);
    return 0;
}
