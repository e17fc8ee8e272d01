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
 * Then the layers' element-wise loops and whole layer passes on the same
 * shapes, per instruction set (LUDUS_KERNELS portable, avx2, avx512 also
 * pick the loops' builds, nn_internal.h NN_VARIANTS), alternated the same
 * way: microseconds per call and the speed-up over the portable build.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- the layers, per instruction set ---- */

enum { LW_TANH, LW_RELU_GRAD, LW_ADAM, LW_GRU, LW_EMB_FWD, LW_EMB_BWD, LW_CONV_FWD, LW_CONV_BWD, LW_COUNT };
static const char *const layer_names[LW_COUNT] = {
    "tanh 128x256",           "relu grad 128x288",          "adam 100k params",           "gru256 B64 fwd+bwd",
    "grid mb128: embconv fwd", "grid mb128: embconv bwd", "grid mb128: conv2 fwd", "grid mb128: conv2 bwd"};

typedef struct layer_data {
    float *x, *y, *p, *g;
    ludus_nn_adam opt;
    /* gru */
    float *gx, *gh, *gwih, *gwhh, *gbih, *gbhh, *gout, *gates, *gdx, *gdh, *gdwih, *gdwhh, *gdbih, *gdbhh, *gscr;
    /* the grid encoder: embconv 7x7 -> 5x5x16, conv 3x3 16 -> 32 */
    ludus_nn_embconv ec;
    ludus_nn_conv cv;
    int32_t *idx;
    float *emb, *ew, *eb, *eout, *table, *demb, *dew, *deb, *dtable;
    float *cw, *cb, *cout, *col, *dcol, *dcin, *dcw, *dcb;
} layer_data;

static float *filled(size_t n, float scale)
{
    float *p = ludus_nn_alloc_floats(n ? n : 1);
    for (size_t i = 0; p && i < n; i++) p[i] = scale * ((float)((i * 7919) % 1000) / 500.0f - 1.0f);
    return p;
}

static void layer_once(layer_data *d, int what)
{
    switch (what) {
    case LW_TANH: ludus_nn_tanh_forward(d->y, d->x, 128 * 256); break;
    case LW_RELU_GRAD: ludus_nn_relu_grad(d->y, d->x, 128 * 288); break;
    case LW_ADAM: ludus_nn_adam_step(&d->opt, d->p, d->g, 1e-9f); break;
    case LW_GRU:
        ludus_nn_gru_forward(d->gout, d->gates, d->gx, d->gh, d->gwih, d->gwhh, d->gbih, d->gbhh, 64, 256, 256);
        ludus_nn_gru_backward(d->gdx, d->gdh, d->gdwih, d->gdwhh, d->gdbih, d->gdbhh, d->gscr, d->gout, d->gates, d->gx,
                              d->gh, d->gwih, d->gwhh, 64, 256, 256);
        break;
    case LW_EMB_FWD: ludus_nn_embconv_forward(d->eout, d->table, d->idx, d->emb, d->ew, d->eb, &d->ec); break;
    case LW_EMB_BWD:
        ludus_nn_embconv_backward(d->demb, d->dew, d->deb, d->dtable, d->eout, d->idx, d->emb, d->ew, &d->ec);
        break;
    case LW_CONV_FWD: ludus_nn_conv2d_forward(d->cout, d->col, d->eout, d->cw, d->cb, &d->cv); break;
    default: ludus_nn_conv2d_backward(d->dcin, d->dcw, d->dcb, d->dcol, d->cout, d->col, d->cw, &d->cv); break;
    }
}

static int layers_bench(int rounds)
{
    layer_data d;
    memset(&d, 0, sizeof d);
    const int mb = 128;
    d.x = filled(128 * 288, 3.0f), d.y = filled(128 * 288, 1.0f);
    d.p = filled(100000, 1.0f), d.g = filled(100000, 0.01f);
    if (ludus_nn_adam_init(&d.opt, 100000, 0.9f, 0.999f, 1e-8f)) return 1;
    d.gx = filled(64 * 256, 1.0f), d.gh = filled(64 * 256, 0.5f), d.gwih = filled(768 * 256, 0.05f);
    d.gwhh = filled(768 * 256, 0.05f), d.gbih = filled(768, 0.1f), d.gbhh = filled(768, 0.1f);
    d.gout = filled(64 * 256, 0), d.gates = filled(64 * 1536, 0), d.gdx = filled(64 * 256, 0);
    d.gdh = filled(64 * 256, 0), d.gdwih = filled(768 * 256, 0), d.gdwhh = filled(768 * 256, 0);
    d.gdbih = filled(768, 0), d.gdbhh = filled(768, 0), d.gscr = filled(64 * 1536, 0);
    d.ec = (ludus_nn_embconv){.B = mb, .H = 7, .W = 7, .NI = 3, .V = 20, .E = 8, .O = 16, .K = 3};
    d.cv = (ludus_nn_conv){.B = mb, .H = 5, .W = 5, .C = 16, .O = 32, .K = 3, .stride = 1, .pad = 0};
    d.idx = malloc((size_t)mb * 49 * 3 * sizeof *d.idx);
    if (!d.idx) return 1;
    /* grid-like bags: object mostly empty or wall, colour and state mostly 0 */
    for (int q = 0; q < mb * 49; q++) {
        unsigned h = (unsigned)q * 2654435761u;
        d.idx[3 * q] = (h >> 7) % 4 ? 1 + (int)((h >> 3) & 1) : (int)((h >> 11) % 11);
        d.idx[3 * q + 1] = 11 + ((h >> 13) % 5 ? 0 : (int)((h >> 17) % 6));
        d.idx[3 * q + 2] = 17 + ((h >> 21) % 7 ? 0 : (int)((h >> 23) % 3));
    }
    d.emb = filled(20 * 8, 1.0f), d.ew = filled(16 * 8 * 9, 0.3f), d.eb = filled(16, 0.1f);
    d.eout = filled((size_t)mb * 25 * 16, 0), d.table = filled(ludus_nn_embconv_table_size(&d.ec), 0);
    d.demb = filled(20 * 8, 0), d.dew = filled(16 * 8 * 9, 0), d.deb = filled(16, 0);
    d.dtable = filled(ludus_nn_embconv_table_size(&d.ec), 0);
    d.cw = filled(32 * 144, 0.1f), d.cb = filled(32, 0.1f), d.cout = filled((size_t)mb * 9 * 32, 0);
    d.col = filled(ludus_nn_conv_col_size(&d.cv), 0), d.dcol = filled(ludus_nn_conv_col_size(&d.cv), 0);
    d.dcin = filled((size_t)mb * 25 * 16, 0), d.dcw = filled(32 * 144, 0), d.dcb = filled(32, 0);
    layer_once(&d, LW_EMB_FWD);

    static const char *const paths[] = {"portable", "avx2", "avx512"};
    enum { NP = 3 };
    printf("# layers: microseconds per call per instruction set (loops and products), 1 thread, best of %d "
           "alternated rounds; xN = portable / this\n",
           rounds);
    printf("%-26s", "layer");
    for (int p = 0; p < NP; p++) printf(" %10s", paths[p]);
    for (int p = 1; p < NP; p++) printf(" %8s", paths[p]);
    printf("\n");
    for (int w = 0; w < LW_COUNT; w++) {
        double best[NP];
        for (int p = 0; p < NP; p++) best[p] = 1e30;
        for (int r = 0; r < rounds; r++)
            for (int p = 0; p < NP; p++) {
                if (!ludus_nn_kernels_available(paths[p])) continue;
                ludus_nn_set_kernels(paths[p]);
                layer_once(&d, w);
                int reps = w == LW_GRU ? 5 : 20;
                double t0 = peak_thread_s();
                for (int k = 0; k < reps; k++) layer_once(&d, w);
                double t = (peak_thread_s() - t0) / reps;
                if (t < best[p]) best[p] = t;
            }
        printf("%-26s", layer_names[w]);
        for (int p = 0; p < NP; p++)
            if (best[p] < 1e30) printf(" %10.1f", best[p] * 1e6);
            else printf(" %10s", "-");
        for (int p = 1; p < NP; p++)
            if (best[p] < 1e30) printf(" %7.2fx", best[0] / best[p]);
            else printf(" %8s", "-");
        printf("\n");
    }
    ludus_nn_set_kernels(NULL);
    ludus_nn_adam_free(&d.opt);
    float *all[] = {d.x, d.y, d.p, d.g, d.gx, d.gh, d.gwih, d.gwhh, d.gbih, d.gbhh, d.gout, d.gates, d.gdx, d.gdh,
                    d.gdwih, d.gdwhh, d.gdbih, d.gdbhh, d.gscr, d.emb, d.ew, d.eb, d.eout, d.table, d.demb, d.dew,
                    d.deb, d.dtable, d.cw, d.cb, d.cout, d.col, d.dcol, d.dcin, d.dcw, d.dcb};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) free(all[i]);
    free(d.idx);
    return 0;
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
    return layers_bench(rounds);
}
