/* test_nn_layers.c: every _backward in nn/ against central finite
 * differences of its own _forward. Each case defines the scalar loss
 * L = sum(out * R) for a fixed random R, runs the backward with dout = R,
 * and compares every gradient entry (inputs and parameters) with
 * (L(x + e) - L(x - e)) / 2e, the loss summed in double. The fused
 * embedding convolution is also checked against the two layers it fuses.
 */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "ludus/nn.h"

static ludus_rng rng;

static float *randn(size_t n, float scale)
{
    float *p = malloc(n * sizeof *p);
    for (size_t i = 0; i < n; i++) p[i] = (float)(scale * ludus_nn_normal(&rng));
    return p;
}

static float *zeros(size_t n)
{
    return calloc(n, sizeof(float));
}

/* The loss of the case under test, recomputed from its current buffers. */
typedef double (*loss_fn)(void);

static double dot_r(const float *out, const float *r, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += (double)out[i] * r[i];
    return s;
}

static void fd_check(const char *what, float *x, size_t n, const float *grad, loss_fn loss)
{
    const float eps = 1e-2f;
    double worst = 0.0;
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        float keep = x[i];
        x[i] = keep + eps;
        double lp = loss();
        x[i] = keep - eps;
        double lm = loss();
        x[i] = keep;
        double num = (lp - lm) / (2.0 * (double)eps);
        double err = fabs(num - grad[i]) / (1e-2 + fabs(num) + fabs(grad[i]));
        if (err > worst) worst = err;
        if (err > 2e-2) {
            if (bad < 3)
                fprintf(stderr, "  %s[%zu]: numeric %.6g, analytic %.6g\n", what, i, num, grad[i]);
            bad++;
        }
    }
    CHECK_MSG(bad == 0, "%s: %zu of %zu gradient entries disagree (worst rel err %.3g)", what, bad, n, worst);
}

/* ---- linear ---- */
enum { LB = 5, LI = 7, LO = 4 };
static float *l_x, *l_w, *l_b, *l_out, *l_r;
static double linear_loss(void)
{
    ludus_nn_linear_forward(l_out, l_x, l_w, l_b, LB, LI, LO);
    return dot_r(l_out, l_r, LB * LO);
}
static void test_linear(void)
{
    l_x = randn(LB * LI, 1.0f); l_w = randn(LO * LI, 0.5f); l_b = randn(LO, 0.5f);
    l_out = zeros(LB * LO); l_r = randn(LB * LO, 1.0f);
    float *dx = zeros(LB * LI), *dw = zeros(LO * LI), *db = zeros(LO);
    linear_loss();
    ludus_nn_linear_backward(dx, dw, db, l_r, l_x, l_w, LB, LI, LO);
    fd_check("linear dx", l_x, LB * LI, dx, linear_loss);
    fd_check("linear dw", l_w, LO * LI, dw, linear_loss);
    fd_check("linear db", l_b, LO, db, linear_loss);
    /* The product itself against a direct sum. */
    linear_loss();
    double e = 0.0;
    for (int i = 0; i < LB; i++)
        for (int o = 0; o < LO; o++) {
            double s = l_b[o];
            for (int k = 0; k < LI; k++) s += (double)l_x[i * LI + k] * l_w[o * LI + k];
            e = fmax(e, fabs(s - l_out[i * LO + o]));
        }
    CHECK_MSG(e < 1e-5, "linear forward off by %g", e);
    free(l_x); free(l_w); free(l_b); free(l_out); free(l_r); free(dx); free(dw); free(db);
}

/* ---- convolution (also with stride and padding) ---- */
static ludus_nn_conv cv;
static float *c_x, *c_w, *c_b, *c_out, *c_col, *c_r;
static size_t c_nout;
static double conv_loss(void)
{
    ludus_nn_conv2d_forward(c_out, c_col, c_x, c_w, c_b, &cv);
    return dot_r(c_out, c_r, c_nout);
}
static void test_conv(int stride, int pad, int K)
{
    cv = (ludus_nn_conv){.B = 2, .H = 7, .W = 6, .C = 3, .O = 4, .K = K, .stride = stride, .pad = pad};
    int OH = ludus_nn_conv_out_h(&cv), OW = ludus_nn_conv_out_w(&cv);
    size_t nx = (size_t)cv.B * cv.H * cv.W * cv.C, nw = (size_t)cv.O * cv.C * K * K;
    c_nout = (size_t)cv.B * OH * OW * cv.O;
    c_x = randn(nx, 1.0f); c_w = randn(nw, 0.5f); c_b = randn(cv.O, 0.5f);
    c_out = zeros(c_nout); c_col = zeros(ludus_nn_conv_col_size(&cv)); c_r = randn(c_nout, 1.0f);
    float *dx = zeros(nx), *dw = zeros(nw), *db = zeros(cv.O), *dcol = zeros(ludus_nn_conv_col_size(&cv));
    conv_loss();
    /* Direct definition of the convolution with torch's weight layout. */
    double e = 0.0;
    for (int b = 0; b < cv.B; b++)
        for (int oy = 0; oy < OH; oy++)
            for (int ox = 0; ox < OW; ox++)
                for (int o = 0; o < cv.O; o++) {
                    double s = c_b[o];
                    for (int c = 0; c < cv.C; c++)
                        for (int ky = 0; ky < K; ky++)
                            for (int kx = 0; kx < K; kx++) {
                                int y = oy * stride + ky - pad, x = ox * stride + kx - pad;
                                if (y < 0 || y >= cv.H || x < 0 || x >= cv.W) continue;
                                s += (double)c_w[((o * cv.C + c) * K + ky) * K + kx] *
                                     c_x[((b * cv.H + y) * cv.W + x) * cv.C + c];
                            }
                    e = fmax(e, fabs(s - c_out[((b * OH + oy) * OW + ox) * cv.O + o]));
                }
    CHECK_MSG(e < 1e-5, "conv forward (stride %d pad %d) off by %g", stride, pad, e);
    ludus_nn_conv2d_backward(dx, dw, db, dcol, c_r, c_col, c_w, &cv);
    fd_check("conv dx", c_x, nx, dx, conv_loss);
    fd_check("conv dw", c_w, nw, dw, conv_loss);
    fd_check("conv db", c_b, cv.O, db, conv_loss);
    free(c_x); free(c_w); free(c_b); free(c_out); free(c_col); free(c_r);
    free(dx); free(dw); free(db); free(dcol);
}

/* ---- embedding bag ---- */
enum { EN = 6, EK = 3, EV = 9, ED = 5 };
static int32_t e_idx[EN * EK];
static float *e_t, *e_out, *e_r;
static double emb_loss(void)
{
    ludus_nn_embedding_forward(e_out, e_idx, e_t, EN, EK, ED);
    return dot_r(e_out, e_r, EN * ED);
}
static void test_embedding(void)
{
    for (int i = 0; i < EN * EK; i++) e_idx[i] = (int32_t)ludus_rng_integers(&rng, 0, EV);
    e_idx[0] = e_idx[1] = 2; /* a repeated index inside one bag */
    e_t = randn(EV * ED, 1.0f); e_out = zeros(EN * ED); e_r = randn(EN * ED, 1.0f);
    float *dt = zeros(EV * ED);
    emb_loss();
    ludus_nn_embedding_backward(dt, e_r, e_idx, EN, EK, ED);
    fd_check("embedding dtable", e_t, EV * ED, dt, emb_loss);
    free(e_t); free(e_out); free(e_r); free(dt);
}

/* ---- convolution over an embedding bag ---- */

/* The gather adds each output element's rows in the documented order
 * (bias, then ky, kx, bag index), whichever positions it runs together:
 * with one embedding column the table holds the products w[o, k] * emb[v]
 * (each rounded once), so a plain loop in that order must match bit for
 * bit. */
static void test_embconv_order(int H, int W)
{
    ludus_nn_embconv c = {.B = 2, .H = H, .W = W, .NI = 3, .V = 12, .E = 1, .O = 20, .K = 3};
    const int OH = ludus_nn_embconv_out_h(&c), OW = ludus_nn_embconv_out_w(&c), KK = 9;
    size_t cells = (size_t)c.B * H * W, nout = (size_t)c.B * OH * OW * c.O;
    int32_t *idx = malloc(cells * c.NI * sizeof *idx);
    for (size_t i = 0; i < cells * c.NI; i++) idx[i] = (int32_t)ludus_rng_integers(&rng, 0, c.V);
    float *emb = randn((size_t)c.V, 1.0f), *w = randn((size_t)c.O * KK, 1.0f), *b = randn(c.O, 1.0f);
    float *out = zeros(nout), *table = zeros(ludus_nn_embconv_table_size(&c));
    ludus_nn_embconv_forward(out, table, idx, emb, w, b, &c);
    int bad = 0;
    for (int n = 0; n < c.B; n++)
        for (int oy = 0; oy < OH; oy++)
            for (int ox = 0; ox < OW; ox++)
                for (int o = 0; o < c.O; o++) {
                    float acc = b[o];
                    for (int ky = 0; ky < 3; ky++)
                        for (int kx = 0; kx < 3; kx++)
                            for (int i = 0; i < c.NI; i++) {
                                int v = idx[(((size_t)n * H + oy + ky) * W + ox + kx) * c.NI + i];
                                float t = w[(size_t)o * KK + ky * 3 + kx] * emb[v];
                                acc += t;
                            }
                    bad += out[(((size_t)n * OH + oy) * OW + ox) * c.O + o] != acc;
                }
    CHECK_MSG(!bad, "embconv gather %dx%d: %d elements differ from the ordered sum", H, W, bad);
    free(idx); free(emb); free(w); free(b); free(out); free(table);
}

static ludus_nn_embconv ec;
static int32_t *ec_idx;
static float *ec_emb, *ec_w, *ec_b, *ec_out, *ec_table, *ec_r;
static size_t ec_nout;
static double embconv_loss(void)
{
    ludus_nn_embconv_forward(ec_out, ec_table, ec_idx, ec_emb, ec_w, ec_b, &ec);
    return dot_r(ec_out, ec_r, ec_nout);
}
static void test_embconv(int K, int H, int W, int O)
{
    ec = (ludus_nn_embconv){.B = 2, .H = H, .W = W, .NI = 3, .V = 8, .E = 3, .O = O, .K = K};
    int OH = ludus_nn_embconv_out_h(&ec), OW = ludus_nn_embconv_out_w(&ec);
    size_t cells = (size_t)ec.B * ec.H * ec.W, nw = (size_t)ec.O * ec.E * K * K;
    ec_nout = (size_t)ec.B * OH * OW * ec.O;
    ec_idx = malloc(cells * ec.NI * sizeof *ec_idx);
    for (size_t i = 0; i < cells * ec.NI; i++) ec_idx[i] = (int32_t)ludus_rng_integers(&rng, 0, ec.V);
    ec_idx[0] = ec_idx[1]; /* a repeated index inside one bag */
    ec_emb = randn((size_t)ec.V * ec.E, 1.0f); ec_w = randn(nw, 0.5f); ec_b = randn(ec.O, 0.5f);
    ec_out = zeros(ec_nout); ec_r = randn(ec_nout, 1.0f);
    ec_table = zeros(ludus_nn_embconv_table_size(&ec));
    /* The forward equals embedding bag then convolution. */
    float *emb = zeros(cells * ec.E), *out = zeros(ec_nout);
    ludus_nn_conv cv2 = {.B = ec.B, .H = ec.H, .W = ec.W, .C = ec.E, .O = ec.O, .K = K, .stride = 1, .pad = 0};
    float *col = zeros(ludus_nn_conv_col_size(&cv2));
    ludus_nn_embedding_forward(emb, ec_idx, ec_emb, (int)cells, ec.NI, ec.E);
    ludus_nn_conv2d_forward(out, col, emb, ec_w, ec_b, &cv2);
    embconv_loss();
    double e = 0.0;
    for (size_t i = 0; i < ec_nout; i++) e = fmax(e, fabs(out[i] - ec_out[i]));
    CHECK_MSG(e < 1e-5, "embconv forward differs from embedding + conv by %g", e);
    float *demb = zeros((size_t)ec.V * ec.E), *dw = zeros(nw), *db = zeros(ec.O);
    float *dtable = zeros(ludus_nn_embconv_table_size(&ec));
    ludus_nn_embconv_backward(demb, dw, db, dtable, ec_r, ec_idx, ec_emb, ec_w, &ec);
    fd_check("embconv demb", ec_emb, (size_t)ec.V * ec.E, demb, embconv_loss);
    fd_check("embconv dw", ec_w, nw, dw, embconv_loss);
    fd_check("embconv db", ec_b, ec.O, db, embconv_loss);
    free(ec_idx); free(ec_emb); free(ec_w); free(ec_b); free(ec_out); free(ec_r); free(ec_table);
    free(emb); free(out); free(col); free(demb); free(dw); free(db); free(dtable);
}

/* nn's rational tanh against the double one, over the whole float range
 * that matters and past it. */
static void test_tanh_accuracy(void)
{
    enum { N = 200001 };
    float *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
    for (int i = 0; i < N; i++) x[i] = -12.0f + 24.0f * (float)i / (N - 1);
    x[N / 2] = 0.0f;
    ludus_nn_tanh_forward(y, x, N);
    double worst = 0.0;
    int unsaturated = 0;
    for (int i = 0; i < N; i++) {
        double t = tanh((double)x[i]);
        worst = fmax(worst, fabs(y[i] - t) / fmax(fabs(t), 1e-30));
        unsaturated += fabsf(x[i]) > 9.0f && y[i] != (x[i] > 0 ? 1.0f : -1.0f);
    }
    CHECK_MSG(worst < 1e-6, "tanh relative error %.3g", worst);
    CHECK_EQ(unsaturated, 0);
    CHECK(y[N / 2] == 0.0f);
    float tiny = 1e-30f, out;
    ludus_nn_tanh_forward(&out, &tiny, 1);
    CHECK(fabsf(out - tiny) <= 1e-6f * tiny);
    free(x); free(y);
}

/* ---- activations ---- */
enum { AN = 40 };
static float *a_x, *a_out, *a_r;
static int a_kind;
static double act_loss(void)
{
    if (a_kind) ludus_nn_tanh_forward(a_out, a_x, AN);
    else ludus_nn_relu_forward(a_out, a_x, AN);
    return dot_r(a_out, a_r, AN);
}
static void test_activation(int kind)
{
    a_kind = kind;
    a_x = randn(AN, 1.0f); a_out = zeros(AN); a_r = randn(AN, 1.0f);
    for (int i = 0; i < AN; i++) /* keep ReLU's kink out of reach of the step */
        if (fabsf(a_x[i]) < 0.05f) a_x[i] = 0.5f;
    float *dx = zeros(AN);
    act_loss();
    if (kind) ludus_nn_tanh_backward(dx, a_r, a_out, AN);
    else ludus_nn_relu_backward(dx, a_r, a_out, AN);
    fd_check(kind ? "tanh dx" : "relu dx", a_x, AN, dx, act_loss);
    free(a_x); free(a_out); free(a_r); free(dx);
}

/* ---- layer norm ---- */
enum { NN_ = 4, NC = 9 };
static float *n_x, *n_w, *n_b, *n_out, *n_r, n_mean[NN_], n_rstd[NN_];
static double ln_loss(void)
{
    ludus_nn_layernorm_forward(n_out, n_mean, n_rstd, n_x, n_w, n_b, NN_, NC);
    return dot_r(n_out, n_r, NN_ * NC);
}
static void test_layernorm(void)
{
    n_x = randn(NN_ * NC, 2.0f); n_w = randn(NC, 1.0f); n_b = randn(NC, 1.0f);
    n_out = zeros(NN_ * NC); n_r = randn(NN_ * NC, 1.0f);
    float *dx = zeros(NN_ * NC), *dw = zeros(NC), *db = zeros(NC);
    ln_loss();
    double mean0 = 0.0;
    for (int c = 0; c < NC; c++) mean0 += (n_out[c] - n_b[c]) / n_w[c];
    CHECK_MSG(fabs(mean0) < 1e-4, "layernorm output not centred: %g", mean0);
    ludus_nn_layernorm_backward(dx, dw, db, n_r, n_x, n_mean, n_rstd, n_w, NN_, NC);
    fd_check("layernorm dx", n_x, NN_ * NC, dx, ln_loss);
    fd_check("layernorm dw", n_w, NC, dw, ln_loss);
    fd_check("layernorm db", n_b, NC, db, ln_loss);
    free(n_x); free(n_w); free(n_b); free(n_out); free(n_r); free(dx); free(dw); free(db);
}

/* ---- GRU cell ---- */
enum { GB = 3, GI = 5, GH = 4 };
static float *g_x, *g_h0, *g_wih, *g_whh, *g_bih, *g_bhh, *g_h, *g_gates, *g_r;
static double gru_loss(void)
{
    ludus_nn_gru_forward(g_h, g_gates, g_x, g_h0, g_wih, g_whh, g_bih, g_bhh, GB, GI, GH);
    return dot_r(g_h, g_r, GB * GH);
}
static void test_gru(void)
{
    g_x = randn(GB * GI, 1.0f); g_h0 = randn(GB * GH, 0.7f);
    g_wih = randn(3 * GH * GI, 0.5f); g_whh = randn(3 * GH * GH, 0.5f);
    g_bih = randn(3 * GH, 0.3f); g_bhh = randn(3 * GH, 0.3f);
    g_h = zeros(GB * GH); g_gates = zeros(GB * 6 * GH); g_r = randn(GB * GH, 1.0f);
    float *dx = zeros(GB * GI), *dh0 = zeros(GB * GH), *dwih = zeros(3 * GH * GI),
          *dwhh = zeros(3 * GH * GH), *dbih = zeros(3 * GH), *dbhh = zeros(3 * GH),
          *scratch = zeros(GB * 6 * GH);
    gru_loss();
    /* torch.nn.GRUCell's equations written out for one entry. */
    {
        int i = 1, j = 2;
        double a[3], hh[3];
        for (int g = 0; g < 3; g++) {
            a[g] = g_bih[g * GH + j];
            hh[g] = g_bhh[g * GH + j];
            for (int k = 0; k < GI; k++) a[g] += (double)g_wih[(g * GH + j) * GI + k] * g_x[i * GI + k];
            for (int k = 0; k < GH; k++) hh[g] += (double)g_whh[(g * GH + j) * GH + k] * g_h0[i * GH + k];
        }
        double r = 1 / (1 + exp(-(a[0] + hh[0]))), z = 1 / (1 + exp(-(a[1] + hh[1])));
        double n = tanh(a[2] + r * hh[2]), want = (1 - z) * n + z * g_h0[i * GH + j];
        CHECK_MSG(fabs(want - g_h[i * GH + j]) < 1e-5, "gru forward %g vs %g", g_h[i * GH + j], want);
    }
    ludus_nn_gru_backward(dx, dh0, dwih, dwhh, dbih, dbhh, scratch, g_r, g_gates, g_x, g_h0, g_wih,
                          g_whh, GB, GI, GH);
    fd_check("gru dx", g_x, GB * GI, dx, gru_loss);
    fd_check("gru dhprev", g_h0, GB * GH, dh0, gru_loss);
    fd_check("gru dw_ih", g_wih, 3 * GH * GI, dwih, gru_loss);
    fd_check("gru dw_hh", g_whh, 3 * GH * GH, dwhh, gru_loss);
    fd_check("gru db_ih", g_bih, 3 * GH, dbih, gru_loss);
    fd_check("gru db_hh", g_bhh, 3 * GH, dbhh, gru_loss);
    free(g_x); free(g_h0); free(g_wih); free(g_whh); free(g_bih); free(g_bhh); free(g_h);
    free(g_gates); free(g_r); free(dx); free(dh0); free(dwih); free(dwhh); free(dbih);
    free(dbhh); free(scratch);
}

/* ---- categorical: log-prob of chosen actions and entropy ---- */
enum { DB = 4, DA = 7 };
static float *d_logits, *d_logp, d_wl[DB], d_we[DB];
static int32_t d_act[DB];
static double cat_loss(void)
{
    ludus_nn_log_softmax(d_logp, d_logits, DB, DA);
    double s = 0.0;
    for (int i = 0; i < DB; i++)
        s += (double)d_wl[i] * d_logp[i * DA + d_act[i]] +
             (double)d_we[i] * ludus_nn_categorical_entropy(d_logp + i * DA, DA);
    return s;
}
static void test_categorical(void)
{
    d_logits = randn(DB * DA, 1.5f);
    d_logp = zeros(DB * DA);
    for (int i = 0; i < DB; i++) {
        d_act[i] = (int32_t)ludus_rng_integers(&rng, 0, DA);
        d_wl[i] = (float)ludus_nn_normal(&rng);
        d_we[i] = (float)ludus_nn_normal(&rng);
    }
    float *dl = zeros(DB * DA);
    cat_loss();
    double psum = 0.0;
    for (int a = 0; a < DA; a++) psum += exp(d_logp[a]);
    CHECK_MSG(fabs(psum - 1.0) < 1e-5, "softmax sums to %g", psum);
    ludus_nn_categorical_backward(dl, d_logp, d_act, d_wl, d_we, DB, DA);
    fd_check("categorical dlogits", d_logits, DB * DA, dl, cat_loss);

    /* Sampling: frequencies follow the probabilities; the stream replays. */
    float logp[4] = {logf(0.1f), logf(0.2f), logf(0.3f), logf(0.4f)};
    int counts[4] = {0};
    ludus_rng s1, s2;
    ludus_rng_seed(&s1, 99);
    s2 = s1;
    int same = 1;
    for (int i = 0; i < 40000; i++) {
        int a = ludus_nn_categorical_sample(logp, 4, &s1);
        counts[a]++;
        same &= a == ludus_nn_categorical_sample(logp, 4, &s2);
    }
    CHECK(same);
    for (int a = 0; a < 4; a++) /* 5 standard deviations */
        CHECK_MSG(fabs(counts[a] / 40000.0 - 0.1 * (a + 1)) < 5 * sqrt(0.25 / 40000.0),
                  "action %d drawn %d times of 40000", a, counts[a]);
    CHECK_EQ(ludus_nn_categorical_argmax(logp, 4), 3);
    free(d_logits); free(d_logp); free(dl);
}

int main(void)
{
    ludus_rng_seed(&rng, 1234);
    test_linear();
    test_conv(1, 0, 3);
    test_conv(2, 1, 3);
    test_conv(1, 0, 2);
    test_embedding();
    test_embconv(3, 5, 4, 4);
    test_embconv(2, 5, 4, 4);
    test_embconv(3, 7, 7, 20); /* 16-channel blocks, positions four at a time and the rest */
    test_embconv_order(7, 7);
    test_embconv_order(9, 9);
    test_embconv_order(5, 4);
    test_tanh_accuracy();
    test_activation(0);
    test_activation(1);
    test_layernorm();
    test_gru();
    test_categorical();
    return check_finish("test_nn_layers");
}
