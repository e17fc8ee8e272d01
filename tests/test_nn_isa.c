/* test_nn_isa.c: every build of the nn layer's element-wise loops
 * (NN_VARIANTS in src/nn/nn_internal.h: baseline, AVX2, AVX-512F) that
 * this CPU runs, forced through ludus_nn_set_kernels ("portable", "avx2",
 * "avx512"), against scalar references of the same operations written
 * here. Each loop does the same IEEE operations on each element in the
 * same order in every build, so every comparison is bit for bit: the
 * activations and their gradients, Adam's update, the sum of squares, the
 * bias sums, col2im, the embedding convolution's gather and scatter and the GRU cell's
 * gate math. Sizes are chosen so that every
 * vector loop has a remainder. The layers' backward on each build is also
 * checked against central finite differences. Builds the CPU cannot run
 * are skipped with a note.
 */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "ludus/nn.h"
#include "nn/nn_internal.h"

static const char *const paths[] = {"portable", "avx2", "avx512"};
static const int path_isa[] = {LUDUS_NN_ISA_BASE, LUDUS_NN_ISA_AVX2, LUDUS_NN_ISA_AVX512};
enum { NPATHS = 3 };
static ludus_rng rng;

static float *randn(size_t n, float scale)
{
    float *p = malloc((n ? n : 1) * sizeof *p);
    for (size_t i = 0; i < n; i++) p[i] = scale * (float)ludus_nn_normal(&rng);
    return p;
}

static float *zeros(size_t n)
{
    return calloc(n ? n : 1, sizeof(float));
}

static float *copy(const float *x, size_t n)
{
    float *p = malloc((n ? n : 1) * sizeof *p);
    memcpy(p, x, n * sizeof *p);
    return p;
}

/* Elements of a and b that differ as bit patterns (so -0 != 0, NaN == NaN). */
static size_t differ(const float *a, const float *b, size_t n)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) bad += memcmp(a + i, b + i, sizeof(float)) != 0;
    return bad;
}

#define CHECK_SAME(path, what, a, b, n)                                                                  \
    do {                                                                                                 \
        size_t check_bad_ = differ((a), (b), (n));                                                       \
        CHECK_MSG(check_bad_ == 0, "%s %s: %zu of %zu elements differ from the scalar reference", path, \
                  what, check_bad_, (size_t)(n));                                                        \
    } while (0)

/* ---- the activations ---- */

static void test_activations(const char *path)
{
    enum { N = 1000 + 13 };
    float *x = randn(N, 4.0f), *d = randn(N, 1.0f);
    x[0] = 0.0f, x[1] = -0.0f, x[2] = 9.5f, x[3] = -9.5f, x[4] = 9.05f;
    float *got = copy(x, N), *ref = copy(x, N);
    ludus_nn_relu_inplace(got, N);
    for (int i = 0; i < N; i++) ref[i] = ref[i] > 0.0f ? ref[i] : 0.0f;
    CHECK_SAME(path, "relu", got, ref, N);
    float *out = copy(got, N);
    memcpy(got, d, sizeof(float) * N), memcpy(ref, d, sizeof(float) * N);
    ludus_nn_relu_grad(got, out, N);
    for (int i = 0; i < N; i++) ref[i] = out[i] > 0.0f ? ref[i] : 0.0f;
    CHECK_SAME(path, "relu grad", got, ref, N);
    ludus_nn_tanh_forward(got, x, N);
    for (int i = 0; i < N; i++) ref[i] = nn_tanhf(x[i]);
    CHECK_SAME(path, "tanh", got, ref, N);
    memcpy(out, got, sizeof(float) * N);
    memcpy(got, d, sizeof(float) * N), memcpy(ref, d, sizeof(float) * N);
    ludus_nn_tanh_grad(got, out, N);
    for (int i = 0; i < N; i++) ref[i] *= 1.0f - out[i] * out[i];
    CHECK_SAME(path, "tanh grad", got, ref, N);
    free(x), free(d), free(got), free(ref), free(out);
}

/* ---- the optimiser's loops ---- */

static void test_optim(const char *path)
{
    enum { N = 4096 + 7 };
    float *p0 = randn(N, 1.0f), *g = randn(N, 0.1f);
    ludus_nn_adam opt;
    CHECK_OK(ludus_nn_adam_init(&opt, N, 0.9f, 0.999f, 1e-8f));
    float *p = copy(p0, N), *rp = copy(p0, N), *rm = zeros(N), *rv = zeros(N);
    for (int t = 1; t <= 3; t++) {
        ludus_nn_adam_step(&opt, p, g, 3e-4f);
        const float c1 = 1.0f - 0.9f, c2 = 1.0f - 0.999f;
        const float step_size = (float)(3e-4 / (1.0 - pow(0.9f, t))), bc2 = (float)sqrt(1.0 - pow(0.999f, t));
        for (int i = 0; i < N; i++) {
            float mi = rm[i] + (g[i] - rm[i]) * c1;
            float vi = rv[i] * 0.999f + c2 * g[i] * g[i];
            rm[i] = mi, rv[i] = vi;
            rp[i] -= step_size * (mi / (sqrtf(vi) / bc2 + 1e-8f));
        }
    }
    CHECK_SAME(path, "adam params", p, rp, N);
    CHECK_SAME(path, "adam m", opt.m, rm, N);
    CHECK_SAME(path, "adam v", opt.v, rv, N);
    /* a range with the clipping scale folded in */
    ludus_nn_adam_coef c;
    float *gs = copy(g, N), *rg = copy(g, N);
    ludus_nn_adam_begin(&opt, 1e-3f, &c);
    ludus_nn_adam_range(&opt, &c, p, gs, 0.5f, 3, N - 2);
    for (int i = 3; i < N - 2; i++) {
        rg[i] *= 0.5f;
        float mi = rm[i] + (rg[i] - rm[i]) * (1.0f - c.b1);
        float vi = rv[i] * c.b2 + (1.0f - c.b2) * rg[i] * rg[i];
        rm[i] = mi, rv[i] = vi;
        rp[i] -= c.step_size * (mi / (sqrtf(vi) / c.bc2_sqrt + c.eps));
    }
    CHECK_SAME(path, "adam range grads", gs, rg, N);
    CHECK_SAME(path, "adam range params", p, rp, N);
    /* the sum of squares: eight interleaved double sums, added pairwise */
    for (size_t n = 0; n < 40; n += 13) {
        double acc[8] = {0};
        size_t i = 0;
        for (; i + 8 <= N - n; i += 8)
            for (int l = 0; l < 8; l++) acc[l] += (double)g[i + l] * g[i + l];
        double s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
        for (; i < N - n; i++) s += (double)g[i] * g[i];
        CHECK_MSG(ludus_nn_sumsq(g, N - n) == s, "%s sumsq of %zu: %.17g != %.17g", path, N - n,
                  ludus_nn_sumsq(g, N - n), s);
    }
    ludus_nn_adam_free(&opt);
    free(p0), free(g), free(p), free(rp), free(rm), free(rv), free(gs), free(rg);
}

/* ---- the layers' loops ---- */

/* Bias sums (the linear backward's db, rows in order) and col2im (the
 * convolution backward's dX from its dcol, left in the caller's buffer). */
static void test_conv_loops(const char *path)
{
    enum { B = 5, In = 7, O = 37 };
    float *x = randn(B * In, 1.0f), *w = randn(O * In, 1.0f), *d = randn(B * O, 1.0f);
    float *dw = zeros(O * In), *db = randn(O, 1.0f), *ref = copy(db, O);
    ludus_nn_linear_backward(NULL, dw, db, d, x, w, B, In, O);
    for (int i = 0; i < B; i++)
        for (int j = 0; j < O; j++) ref[j] += d[i * O + j];
    CHECK_SAME(path, "linear db", db, ref, O);
    free(x), free(w), free(d), free(dw), free(db), free(ref);

    const ludus_nn_conv shapes[] = {
        {.B = 3, .H = 5, .W = 5, .C = 16, .O = 32, .K = 3, .stride = 1, .pad = 0},
        {.B = 2, .H = 7, .W = 6, .C = 5, .O = 9, .K = 3, .stride = 2, .pad = 1},
    };
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        const ludus_nn_conv *c = &shapes[s];
        const int OH = ludus_nn_conv_out_h(c), OW = ludus_nn_conv_out_w(c), cols = c->C * c->K * c->K;
        size_t nx = (size_t)c->B * c->H * c->W * c->C, no = (size_t)c->B * OH * OW * c->O;
        float *in = randn(nx, 1.0f), *cw = randn((size_t)c->O * cols, 1.0f), *out = zeros(no), *r = randn(no, 1.0f);
        float *col = zeros(ludus_nn_conv_col_size(c)), *dcol = zeros(ludus_nn_conv_col_size(c));
        float *dx = randn(nx, 1.0f), *rx = copy(dx, nx), *cdw = zeros((size_t)c->O * cols), *cdb = zeros(c->O);
        ludus_nn_conv2d_forward(out, col, in, cw, NULL, c);
        ludus_nn_conv2d_backward(dx, cdw, cdb, dcol, r, col, cw, c);
        for (int b = 0; b < c->B; b++)
            for (int oy = 0; oy < OH; oy++)
                for (int ox = 0; ox < OW; ox++)
                    for (int ky = 0; ky < c->K; ky++)
                        for (int kx = 0; kx < c->K; kx++) {
                            int y = oy * c->stride + ky - c->pad, xx = ox * c->stride + kx - c->pad;
                            if (y < 0 || y >= c->H || xx < 0 || xx >= c->W) continue;
                            for (int ch = 0; ch < c->C; ch++)
                                rx[((size_t)(b * c->H + y) * c->W + xx) * c->C + ch] +=
                                    dcol[(((size_t)b * OH + oy) * OW + ox) * cols + (ky * c->K + kx) * c->C + ch];
                        }
        CHECK_SAME(path, "col2im", dx, rx, nx);
        free(in), free(cw), free(out), free(r), free(col), free(dcol), free(dx), free(rx), free(cdw), free(cdb);
    }
}

/* The embedding convolution: the gather (forward) adds each output
 * element's rows in the order bias, ky, kx, bag index; the scatter
 * (backward) adds each table row's contributions in the order of the
 * output positions (image, oy, ox), then the bag index. The table itself
 * is the forward's (and the gradient table the backward's) buffer. */
static void test_embconv_loops(const char *path, int disjoint)
{
    const ludus_nn_embconv shapes[] = {
        {.B = 3, .H = 7, .W = 7, .NI = 3, .V = 20, .E = 8, .O = 16, .K = 3},  /* grid */
        {.B = 2, .H = 9, .W = 9, .NI = 2, .V = 30, .E = 16, .O = 16, .K = 3}, /* symbolic 9x9 */
        {.B = 2, .H = 6, .W = 5, .NI = 3, .V = 7, .E = 3, .O = 37, .K = 2},   /* odd channels */
        {.B = 1, .H = 4, .W = 4, .NI = 1, .V = 5, .E = 2, .O = 9, .K = 3},    /* under 16 channels */
    };
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        const ludus_nn_embconv *c = &shapes[s];
        const int K = c->K, KK = K * K, V = c->V, O = c->O, NI = c->NI, H = c->H, W = c->W;
        const int OH = ludus_nn_embconv_out_h(c), OW = ludus_nn_embconv_out_w(c);
        size_t cells = (size_t)c->B * H * W, no = (size_t)c->B * OH * OW * O, nt = ludus_nn_embconv_table_size(c);
        int32_t *idx = malloc(cells * NI * sizeof *idx);
        /* few distinct values, so table rows are hit many times in a row;
         * with disjoint, slot i draws from its own range of values (as the
         * grid encoder's object, colour and state) */
        for (size_t i = 0; i < cells * NI; i++) {
            int lo = disjoint ? (int)(i % NI) * (V / NI) : 0, span = disjoint ? V / NI : V;
            idx[i] = lo + (int32_t)ludus_rng_integers(&rng, 0, i % 4 ? (span < 3 ? span : 3) : span);
        }
        float *emb = randn((size_t)V * c->E, 1.0f), *w = randn((size_t)O * c->E * KK, 1.0f), *b = randn(O, 1.0f);
        float *out = zeros(no), *table = zeros(nt), *ref = zeros(no);
        ludus_nn_embconv_forward(out, table, idx, emb, w, b, c);
        for (int n = 0; n < c->B; n++)
            for (int oy = 0; oy < OH; oy++)
                for (int ox = 0; ox < OW; ox++)
                    for (int o = 0; o < O; o++) {
                        float acc = b[o];
                        for (int ky = 0; ky < K; ky++)
                            for (int kx = 0; kx < K; kx++)
                                for (int i = 0; i < NI; i++) {
                                    int v = idx[(((size_t)n * H + oy + ky) * W + ox + kx) * NI + i];
                                    acc += table[((size_t)(ky * K + kx) * V + v) * O + o];
                                }
                        ref[(((size_t)n * OH + oy) * OW + ox) * O + o] = acc;
                    }
        CHECK_SAME(path, "embconv gather", out, ref, no);
        float *d = randn(no, 1.0f), *dtable = zeros(nt), *rtable = zeros(nt);
        float *demb = zeros((size_t)V * c->E), *dw = zeros((size_t)O * c->E * KK), *db = randn(O, 1.0f);
        float *rdb = copy(db, O);
        ludus_nn_embconv_backward(demb, dw, db, dtable, d, idx, emb, w, c);
        for (int n = 0; n < c->B; n++)
            for (int oy = 0; oy < OH; oy++)
                for (int ox = 0; ox < OW; ox++) {
                    const float *dp = d + (((size_t)n * OH + oy) * OW + ox) * O;
                    for (int o = 0; o < O; o++) rdb[o] += dp[o];
                    for (int ky = 0; ky < K; ky++)
                        for (int kx = 0; kx < K; kx++)
                            for (int i = 0; i < NI; i++) {
                                int v = idx[(((size_t)n * H + oy + ky) * W + ox + kx) * NI + i];
                                for (int o = 0; o < O; o++) rtable[((size_t)(ky * K + kx) * V + v) * O + o] += dp[o];
                            }
                }
        CHECK_SAME(path, "embconv scatter", dtable, rtable, nt);
        CHECK_SAME(path, "embconv db", db, rdb, O);
        free(idx), free(emb), free(w), free(b), free(out), free(table), free(ref), free(d), free(dtable);
        free(rtable), free(demb), free(dw), free(db), free(rdb);
    }
}

static void fd_check(const char *path, const char *what, float *x, size_t n, const float *g, double (*loss)(void));

/* ---- the GRU cell ---- */

/* The gate math against a scalar loop over the same pre-activations
 * (the products recomputed here with the same path's ludus_nn_gemm, so
 * they are the cell's bit for bit), and the backward's gate gradients
 * (left in scratch) likewise. */
enum { GB = 3, GI = 5, GH = 37 };
static float *g_x, *g_h0, *g_wih, *g_whh, *g_bih, *g_bhh, *g_h, *g_gates, *g_r;

static double gru_loss(void)
{
    ludus_nn_gru_forward(g_h, g_gates, g_x, g_h0, g_wih, g_whh, g_bih, g_bhh, GB, GI, GH);
    double s = 0;
    for (int i = 0; i < GB * GH; i++) s += (double)g_h[i] * g_r[i];
    return s;
}

static void test_gru(const char *path)
{
    const int G = 3 * GH, L = 6 * GH;
    g_x = randn(GB * GI, 1.0f), g_h0 = randn(GB * GH, 1.0f), g_wih = randn(G * GI, 0.5f);
    g_whh = randn(G * GH, 0.5f), g_bih = randn(G, 0.5f), g_bhh = randn(G, 0.5f), g_r = randn(GB * GH, 1.0f);
    g_h = zeros(GB * GH), g_gates = zeros((size_t)GB * L);
    float *pre = zeros((size_t)GB * L), *rh = zeros(GB * GH);
    for (int i = 0; i < GB; i++) {
        memcpy(pre + (size_t)i * L, g_bih, sizeof(float) * G);
        memcpy(pre + (size_t)i * L + G, g_bhh, sizeof(float) * G);
    }
    ludus_nn_gemm(0, 1, GB, G, GI, 1.0f, g_x, GI, g_wih, GI, 1.0f, pre, L);
    ludus_nn_gemm(0, 1, GB, G, GH, 1.0f, g_h0, GH, g_whh, GH, 1.0f, pre + G, L);
    float *rg = copy(pre, (size_t)GB * L);
    for (int i = 0; i < GB; i++)
        for (int j = 0; j < GH; j++) {
            float *g = rg + (size_t)i * L, *gh = g + G;
            float r = nn_sigmoidf(g[j] + gh[j]);
            float z = nn_sigmoidf(g[GH + j] + gh[GH + j]);
            float n = nn_tanhf(g[2 * GH + j] + r * gh[2 * GH + j]);
            g[j] = r, g[GH + j] = z, g[2 * GH + j] = n;
            rh[i * GH + j] = (1.0f - z) * n + z * g_h0[i * GH + j];
        }
    gru_loss();
    CHECK_SAME(path, "gru h", g_h, rh, GB * GH);
    CHECK_SAME(path, "gru gates", g_gates, rg, (size_t)GB * L);
    float *dx = zeros(GB * GI), *dh0 = zeros(GB * GH), *dwih = zeros(G * GI), *dwhh = zeros(G * GH);
    float *dbih = zeros(G), *dbhh = zeros(G), *scratch = zeros((size_t)GB * L), *rs = zeros((size_t)GB * L);
    ludus_nn_gru_backward(dx, dh0, dwih, dwhh, dbih, dbhh, scratch, g_r, g_gates, g_x, g_h0, g_wih, g_whh, GB, GI, GH);
    for (int i = 0; i < GB; i++)
        for (int j = 0; j < GH; j++) {
            const float *g = rg + (size_t)i * L;
            float r = g[j], z = g[GH + j], n = g[2 * GH + j], d = g_r[i * GH + j];
            float dn = d * (1.0f - z), dz = d * (g_h0[i * GH + j] - n);
            float dan = dn * (1.0f - n * n);
            float dar = dan * g[G + 2 * GH + j] * r * (1.0f - r);
            float daz = dz * z * (1.0f - z);
            float *s = rs + (size_t)i * L;
            s[j] = dar, s[GH + j] = daz, s[2 * GH + j] = dan;
            s[G + j] = dar, s[G + GH + j] = daz, s[G + 2 * GH + j] = dan * r;
        }
    CHECK_SAME(path, "gru gate gradients", scratch, rs, (size_t)GB * L);
    fd_check(path, "gru dx", g_x, GB * GI, dx, gru_loss);
    fd_check(path, "gru dh", g_h0, GB * GH, dh0, gru_loss);
    fd_check(path, "gru dw_ih", g_wih, (size_t)G * GI, dwih, gru_loss);
    fd_check(path, "gru db_hh", g_bhh, G, dbhh, gru_loss);
    free(g_x), free(g_h0), free(g_wih), free(g_whh), free(g_bih), free(g_bhh), free(g_r), free(g_h), free(g_gates);
    free(pre), free(rh), free(rg), free(dx), free(dh0), free(dwih), free(dwhh), free(dbih), free(dbhh);
    free(scratch), free(rs);
}

/* ---- finite differences of the embedding convolution on each build ---- */

static ludus_nn_embconv ec;
static int32_t *ec_idx;
static float *ec_emb, *ec_w, *ec_b, *ec_out, *ec_table, *ec_r;
static size_t ec_nout;

static double embconv_loss(void)
{
    ludus_nn_embconv_forward(ec_out, ec_table, ec_idx, ec_emb, ec_w, ec_b, &ec);
    double s = 0;
    for (size_t i = 0; i < ec_nout; i++) s += (double)ec_out[i] * ec_r[i];
    return s;
}

/* Central differences of the loss against the analytic gradient g of x. */
static void fd_check(const char *path, const char *what, float *x, size_t n, const float *g, double (*loss)(void))
{
    const float h = 1e-2f;
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        float x0 = x[i];
        x[i] = x0 + h;
        double lp = loss();
        x[i] = x0 - h;
        double lm = loss();
        x[i] = x0;
        double num = (lp - lm) / (2.0 * h);
        worst = fmax(worst, fabs(num - g[i]) / fmax(1.0, fabs(num)));
    }
    CHECK_MSG(worst < 2e-2, "%s %s: finite differences off by %g", path, what, worst);
}

static void test_embconv_fd(const char *path)
{
    ec = (ludus_nn_embconv){.B = 2, .H = 7, .W = 7, .NI = 3, .V = 9, .E = 4, .O = 16, .K = 3};
    const int KK = 9;
    size_t cells = (size_t)ec.B * ec.H * ec.W, nw = (size_t)ec.O * ec.E * KK;
    ec_nout = (size_t)ec.B * 25 * ec.O;
    ec_idx = malloc(cells * ec.NI * sizeof *ec_idx);
    for (size_t i = 0; i < cells * ec.NI; i++) ec_idx[i] = (int32_t)ludus_rng_integers(&rng, 0, ec.V);
    ec_emb = randn((size_t)ec.V * ec.E, 1.0f), ec_w = randn(nw, 0.5f), ec_b = randn(ec.O, 0.5f);
    ec_out = zeros(ec_nout), ec_r = randn(ec_nout, 1.0f), ec_table = zeros(ludus_nn_embconv_table_size(&ec));
    float *demb = zeros((size_t)ec.V * ec.E), *dw = zeros(nw), *db = zeros(ec.O);
    float *dtable = zeros(ludus_nn_embconv_table_size(&ec));
    embconv_loss();
    ludus_nn_embconv_backward(demb, dw, db, dtable, ec_r, ec_idx, ec_emb, ec_w, &ec);
    fd_check(path, "embconv demb", ec_emb, (size_t)ec.V * ec.E, demb, embconv_loss);
    fd_check(path, "embconv dw", ec_w, nw, dw, embconv_loss);
    fd_check(path, "embconv db", ec_b, ec.O, db, embconv_loss);
    free(ec_idx), free(ec_emb), free(ec_w), free(ec_b), free(ec_out), free(ec_r), free(ec_table);
    free(demb), free(dw), free(db), free(dtable);
}

int main(void)
{
    ludus_rng_seed(&rng, 181);
    for (int p = 0; p < NPATHS; p++) {
        if (!ludus_nn_kernels_available(paths[p])) {
            printf("test_nn_isa: note: the %s loops are not tested here (this CPU or build cannot run them)\n",
                   paths[p]);
            continue;
        }
        CHECK_OK(ludus_nn_set_kernels(paths[p]));
        CHECK_EQ(ludus_nn_loop_isa(), path_isa[p]);
        test_activations(paths[p]);
        test_optim(paths[p]);
        test_conv_loops(paths[p]);
        test_embconv_loops(paths[p], 0);
        test_embconv_loops(paths[p], 1);
        test_embconv_fd(paths[p]);
        test_gru(paths[p]);
    }
    /* auto and blas run the best loops the CPU has */
    CHECK_OK(ludus_nn_set_kernels("auto"));
    int best = ludus_nn_kernels_available("avx512") ? LUDUS_NN_ISA_AVX512
               : ludus_nn_kernels_available("avx2") ? LUDUS_NN_ISA_AVX2 : LUDUS_NN_ISA_BASE;
    CHECK_EQ(ludus_nn_loop_isa(), best);
    CHECK_OK(ludus_nn_set_kernels("blas"));
    CHECK_EQ(ludus_nn_loop_isa(), best);
    return check_finish("test_nn_isa");
}
