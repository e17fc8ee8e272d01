/* test_nn_optim.c: Adam against the update torch.optim.Adam defines,
 * worked by hand in double; gradient-norm clipping; orthogonality of the
 * orthogonal initialisation; the two matrix-product back ends against each
 * other; and a small network that must learn a fixed mapping through the
 * whole chain (embedding, linear, layer norm, ReLU, Tanh, categorical
 * loss, clipping, Adam), or the test fails.
 */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "ludus/nn.h"
#include "nn/nn_internal.h"

static void test_adam(void)
{
    enum { N = 3, STEPS = 6 };
    const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
    ludus_nn_adam opt;
    CHECK_OK(ludus_nn_adam_init(&opt, N, (float)b1, (float)b2, (float)eps));
    float p[N] = {0.5f, -1.0f, 2.0f};
    double ref[N] = {0.5, -1.0, 2.0}, m[N] = {0}, v[N] = {0};
    double worst = 0.0;
    for (int t = 1; t <= STEPS; t++) {
        float g[N] = {0.1f * t, -0.3f, (t % 2) ? 2.0f : -0.5f};
        ludus_nn_adam_step(&opt, p, g, (float)lr);
        for (int i = 0; i < N; i++) {
            m[i] = b1 * m[i] + (1 - b1) * g[i];
            v[i] = b2 * v[i] + (1 - b2) * (double)g[i] * g[i];
            double mh = m[i] / (1 - pow(b1, t)), den = sqrt(v[i]) / sqrt(1 - pow(b2, t)) + eps;
            ref[i] -= lr * mh / den;
            worst = fmax(worst, fabs(ref[i] - p[i]));
        }
    }
    CHECK_MSG(worst < 2e-6, "adam drifts from the reference by %g", worst);
    CHECK_EQ(opt.t, STEPS);
    /* The first step moves every parameter by lr, whatever the gradient's
     * scale: the bias correction at work. */
    ludus_nn_adam_free(&opt);
    CHECK_OK(ludus_nn_adam_init(&opt, 1, 0.9f, 0.999f, 1e-8f));
    float q = 0.0f, g = 1e-3f;
    ludus_nn_adam_step(&opt, &q, &g, 0.1f);
    CHECK_MSG(fabsf(q + 0.1f) < 1e-5f, "first adam step %g, want -0.1", q);
    ludus_nn_adam_free(&opt);
    CHECK_ERR(ludus_nn_adam_init(&opt, 1, 1.0f, 0.999f, 1e-8f), LUDUS_EINVAL);
    CHECK_ERR(ludus_nn_adam_init(NULL, 1, 0.9f, 0.999f, 1e-8f), LUDUS_EINVAL);
    ludus_rng rng;
    ludus_rng_seed(&rng, 1);
    float w[4];
    CHECK_ERR(ludus_nn_orthogonal(NULL, 2, 2, 1.0f, &rng), LUDUS_EINVAL);
    CHECK_ERR(ludus_nn_orthogonal(w, 2, 2, 1.0f, NULL), LUDUS_EINVAL);
}

static void test_clip(void)
{
    float g[4] = {3.0f, 4.0f, 0.0f, 0.0f};
    float n = ludus_nn_clip_grad_norm(g, 4, 1.0f);
    CHECK_MSG(fabsf(n - 5.0f) < 1e-6f, "norm %g", n);
    CHECK_MSG(fabsf(g[0] - 0.6f) < 1e-5f && fabsf(g[1] - 0.8f) < 1e-5f, "clipped to %g %g", g[0], g[1]);
    float h[2] = {0.3f, 0.4f};
    ludus_nn_clip_grad_norm(h, 2, 1.0f);
    CHECK(h[0] == 0.3f && h[1] == 0.4f); /* below the bound: untouched */
}

/* Adam in slices (begin + range, the learners' threaded step) with the
 * clipping folded in: bit for bit the scalar float update written here
 * (clip, then torch's Adam in the library's order of operations), on a
 * length that leaves tails for every vector width; and the whole-vector
 * step equals begin + ranges of scale 1. */
static void test_adam_slices(void)
{
    enum { N = 1003, STEPS = 4 };
    const float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f, lr = 3e-3f;
    ludus_nn_adam a;
    CHECK_OK(ludus_nn_adam_init(&a, N, b1, b2, eps));
    float *p = malloc(N * sizeof *p), *q = malloc(N * sizeof *q), *r = malloc(N * sizeof *r);
    float *g = malloc(N * sizeof *g), *gw = malloc(N * sizeof *gw), *m = calloc(N, sizeof *m), *v = calloc(N, sizeof *v);
    for (int i = 0; i < N; i++) p[i] = q[i] = r[i] = 0.01f * (float)(i % 17) - 0.05f;
    int bad = 0, bad_whole = 0;
    for (int t = 1; t <= STEPS; t++) {
        for (int i = 0; i < N; i++) g[i] = gw[i] = (float)sin(0.37 * i + t) * (t == 2 ? 40.0f : 1.0f);
        double sq = ludus_nn_sumsq(g, N);
        float norm, scale = ludus_nn_clip_coef(sq, 0.5f, &norm);
        CHECK(scale <= 1.0f && scale > 0.0f);
        ludus_nn_adam_coef c;
        ludus_nn_adam_begin(&a, lr, &c);
        const size_t cut[] = {0, 7, 500, 999, N};
        for (int k = 0; k < 4; k++) ludus_nn_adam_range(&a, &c, p, g, scale, cut[k], cut[k + 1]);
        /* the reference, element by element in float */
        const double bc1 = 1.0 - pow(b1, t), bc2 = 1.0 - pow(b2, t);
        const float step = (float)((double)lr / bc1), bc2s = (float)sqrt(bc2);
        for (int i = 0; i < N; i++) {
            float gi = scale != 1.0f ? gw[i] * scale : gw[i];
            m[i] = m[i] + (gi - m[i]) * (1.0f - b1);
            v[i] = v[i] * b2 + (1.0f - b2) * gi * gi;
            float den = sqrtf(v[i]) / bc2s + eps;
            r[i] -= step * (m[i] / den);
            bad += p[i] != r[i] || g[i] != gi;
        }
    }
    CHECK_MSG(!bad, "adam in slices: %d elements differ from the float reference", bad);
    /* begin + one range of scale 1 == ludus_nn_adam_step */
    ludus_nn_adam a1, a2;
    CHECK_OK(ludus_nn_adam_init(&a1, N, b1, b2, eps));
    CHECK_OK(ludus_nn_adam_init(&a2, N, b1, b2, eps));
    for (int i = 0; i < N; i++) p[i] = q[i] = 0.1f * (float)(i % 5);
    for (int t = 1; t <= STEPS; t++) {
        for (int i = 0; i < N; i++) g[i] = (float)cos(0.11 * i * t);
        ludus_nn_adam_step(&a1, p, g, lr);
        ludus_nn_adam_coef c;
        ludus_nn_adam_begin(&a2, lr, &c);
        ludus_nn_adam_range(&a2, &c, q, g, 1.0f, 0, 600);
        ludus_nn_adam_range(&a2, &c, q, g, 1.0f, 600, N + 10); /* past n: clamped */
        for (int i = 0; i < N; i++) bad_whole += p[i] != q[i];
    }
    CHECK_MSG(!bad_whole, "adam step and begin + range differ in %d elements", bad_whole);
    ludus_nn_adam_free(&a); ludus_nn_adam_free(&a1); ludus_nn_adam_free(&a2);
    free(p); free(q); free(r); free(g); free(gw); free(m); free(v);
}

/* The sum of squares: 8 interleaved double sums added pairwise (written
 * out here, bit for bit), close to the plain sum, and the clipping
 * coefficient as ludus_nn_clip_grad_norm applies it. */
static void test_sumsq(void)
{
    enum { N = 1029 };
    float g[N];
    for (int i = 0; i < N; i++) g[i] = (float)sin(1.3 * i) * (float)(1 + i % 7);
    for (int n = 0; n <= N; n += (n < 20 ? 1 : 101)) {
        double acc[8] = {0}, plain = 0.0;
        int i = 0;
        for (; i + 8 <= n; i += 8)
            for (int l = 0; l < 8; l++) acc[l] += (double)g[i + l] * g[i + l];
        double want = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
        for (; i < n; i++) want += (double)g[i] * g[i];
        for (int j = 0; j < n; j++) plain += (double)g[j] * g[j];
        double got = ludus_nn_sumsq(g, (size_t)n);
        CHECK_MSG(got == want, "sumsq(%d) %.17g, want %.17g", n, got, want);
        CHECK(fabs(got - plain) <= 1e-12 * plain);
    }
    float h[4] = {3.0f, 4.0f, 0.0f, 0.0f}, norm;
    float coef = ludus_nn_clip_coef(ludus_nn_sumsq(h, 4), 1.0f, &norm);
    float n2 = ludus_nn_clip_grad_norm(h, 4, 1.0f);
    CHECK(norm == n2 && h[0] == 3.0f * coef && h[1] == 4.0f * coef);
    CHECK(ludus_nn_clip_coef(0.01, 1.0f, NULL) == 1.0f); /* below the bound: no scaling */
}

static void test_orthogonal(int rows, int cols, float gain)
{
    ludus_rng rng;
    ludus_rng_seed(&rng, 7);
    float *w = malloc((size_t)rows * cols * sizeof *w);
    CHECK_OK(ludus_nn_orthogonal(w, rows, cols, gain, &rng));
    /* rows <= cols: W W^T = gain^2 I; otherwise W^T W = gain^2 I. */
    int n = rows <= cols ? rows : cols, len = rows <= cols ? cols : rows;
    double worst = 0.0;
    for (int a = 0; a < n; a++)
        for (int b = 0; b < n; b++) {
            double s = 0.0;
            for (int k = 0; k < len; k++) {
                double x = rows <= cols ? w[a * cols + k] : w[k * cols + a];
                double y = rows <= cols ? w[b * cols + k] : w[k * cols + b];
                s += x * y;
            }
            worst = fmax(worst, fabs(s - (a == b ? (double)gain * gain : 0.0)));
        }
    CHECK_MSG(worst < 1e-5, "orthogonal %dx%d: off by %g", rows, cols, worst);
    free(w);
}

static void test_gemm_backends(void)
{
    ludus_rng rng;
    ludus_rng_seed(&rng, 3);
    enum { M = 13, N = 9, K = 21 };
    float A[K * M], B[K * N], C1[M * N], C2[M * N];
    for (int i = 0; i < K * M; i++) A[i] = (float)ludus_nn_normal(&rng);
    for (int i = 0; i < K * N; i++) B[i] = (float)ludus_nn_normal(&rng);
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            for (int i = 0; i < M * N; i++) C1[i] = C2[i] = (float)i;
            int lda = ta ? M : K, ldb = tb ? K : N;
            ludus_nn_gemm_hand(ta, tb, M, N, K, 0.5f, A, lda, B, ldb, 1.0f, C1, N);
            ludus_nn_gemm_blas(ta, tb, M, N, K, 0.5f, A, lda, B, ldb, 1.0f, C2, N);
            double e = 0.0;
            for (int i = 0; i < M * N; i++) e = fmax(e, fabs(C1[i] - C2[i]));
            CHECK_MSG(e < 1e-4, "gemm ta=%d tb=%d: back ends differ by %g", ta, tb, e);
        }
}

/* A network maps pairs of tokens to one of 5 classes; 24 fixed examples
 * with arbitrary labels must be fitted (memorised) by full-batch Adam. */
static void test_learns_mapping(void)
{
    enum { S = 24, V = 10, E = 16, H = 32, A = 5, STEPS = 300 };
    ludus_rng rng;
    ludus_rng_seed(&rng, 11);
    int32_t tok[S * 2], label[S];
    for (int i = 0; i < S; i++) {
        tok[2 * i] = (int32_t)(i % V);
        tok[2 * i + 1] = (int32_t)(V + i / V); /* a second range: bags are unordered */
        label[i] = (int32_t)ludus_rng_integers(&rng, 0, A);
    }
    ludus_nn_params p;
    ludus_nn_params_init(&p);
    size_t o_emb, o_w1, o_b1, o_lw, o_lb, o_w2, o_b2, o_w3, o_b3;
    CHECK_OK(ludus_nn_params_add(&p, "emb.weight", 2, (int[]){2 * V, E}, &o_emb));
    CHECK_OK(ludus_nn_params_add(&p, "fc1.weight", 2, (int[]){H, E}, &o_w1));
    CHECK_OK(ludus_nn_params_add(&p, "fc1.bias", 1, (int[]){H}, &o_b1));
    CHECK_OK(ludus_nn_params_add(&p, "ln.weight", 1, (int[]){H}, &o_lw));
    CHECK_OK(ludus_nn_params_add(&p, "ln.bias", 1, (int[]){H}, &o_lb));
    CHECK_OK(ludus_nn_params_add(&p, "fc2.weight", 2, (int[]){H, H}, &o_w2));
    CHECK_OK(ludus_nn_params_add(&p, "fc2.bias", 1, (int[]){H}, &o_b2));
    CHECK_OK(ludus_nn_params_add(&p, "out.weight", 2, (int[]){A, H}, &o_w3));
    CHECK_OK(ludus_nn_params_add(&p, "out.bias", 1, (int[]){A}, &o_b3));
    CHECK_OK(ludus_nn_params_alloc(&p));
    float *P = p.data, *G = p.grad;
    for (int i = 0; i < 2 * V * E; i++) P[o_emb + i] = (float)ludus_nn_normal(&rng);
    CHECK_OK(ludus_nn_orthogonal(P + o_w1, H, E, sqrtf(2.0f), &rng));
    CHECK_OK(ludus_nn_orthogonal(P + o_w2, H, H, 1.0f, &rng));
    CHECK_OK(ludus_nn_orthogonal(P + o_w3, A, H, 0.01f, &rng));
    for (int i = 0; i < H; i++) P[o_lw + i] = 1.0f;
    ludus_nn_adam opt;
    CHECK_OK(ludus_nn_adam_init(&opt, p.size, 0.9f, 0.999f, 1e-8f));
    static float x[S * E], h1[S * H], n1[S * H], mean[S], rstd[S], a1[S * H], h2[S * H],
        logits[S * A], logp[S * A];
    static float dx[S * E], dh1[S * H], dn1[S * H], da1[S * H], dh2[S * H], dlogits[S * A], dlp[S];
    float first = 0.0f, loss = 0.0f;
    for (int step = 0; step < STEPS; step++) {
        ludus_nn_embedding_forward(x, tok, P + o_emb, S, 2, E);
        ludus_nn_linear_forward(h1, x, P + o_w1, P + o_b1, S, E, H);
        ludus_nn_layernorm_forward(n1, mean, rstd, h1, P + o_lw, P + o_lb, S, H);
        ludus_nn_relu_forward(a1, n1, S * H);
        ludus_nn_linear_forward(h2, a1, P + o_w2, P + o_b2, S, H, H);
        ludus_nn_tanh_forward(h2, h2, S * H);
        ludus_nn_linear_forward(logits, h2, P + o_w3, P + o_b3, S, H, A);
        ludus_nn_log_softmax(logp, logits, S, A);
        loss = 0.0f;
        for (int i = 0; i < S; i++) {
            loss -= logp[i * A + label[i]] / S;
            dlp[i] = -1.0f / S;
        }
        if (step == 0) first = loss;
        memset(G, 0, p.size * sizeof *G);
        memset(dlogits, 0, sizeof dlogits); memset(dh2, 0, sizeof dh2); memset(da1, 0, sizeof da1);
        memset(dn1, 0, sizeof dn1); memset(dh1, 0, sizeof dh1); memset(dx, 0, sizeof dx);
        ludus_nn_categorical_backward(dlogits, logp, label, dlp, NULL, S, A);
        ludus_nn_linear_backward(dh2, G + o_w3, G + o_b3, dlogits, h2, P + o_w3, S, H, A);
        ludus_nn_tanh_backward(da1 /* reused as d(pre-tanh) */, dh2, h2, S * H);
        memcpy(dh2, da1, sizeof dh2);
        memset(da1, 0, sizeof da1);
        ludus_nn_linear_backward(da1, G + o_w2, G + o_b2, dh2, a1, P + o_w2, S, H, H);
        ludus_nn_relu_backward(dn1, da1, a1, S * H);
        ludus_nn_layernorm_backward(dh1, G + o_lw, G + o_lb, dn1, h1, mean, rstd, P + o_lw, S, H);
        ludus_nn_linear_backward(dx, G + o_w1, G + o_b1, dh1, x, P + o_w1, S, E, H);
        ludus_nn_embedding_backward(G + o_emb, dx, tok, S, 2, E);
        ludus_nn_clip_grad_norm(G, p.size, 1.0f);
        ludus_nn_adam_step(&opt, P, G, 0.01f);
    }
    CHECK_MSG(first > 1.4f, "initial loss %g should be near log(5)", first);
    CHECK_MSG(loss < 0.05f, "loss fell only from %g to %g", first, loss);
    ludus_nn_adam_free(&opt);
    ludus_nn_params_free(&p);
}

static void test_params_errors(void)
{
    ludus_nn_params p;
    ludus_nn_params_init(&p);
    CHECK_OK(ludus_nn_params_add(&p, "a.weight", 2, (int[]){3, 4}, NULL));
    CHECK_ERR(ludus_nn_params_add(&p, "a.weight", 1, (int[]){3}, NULL), LUDUS_EINVAL);
    CHECK_ERR(ludus_nn_params_add(&p, "bad name", 1, (int[]){3}, NULL), LUDUS_EINVAL);
    CHECK_ERR(ludus_nn_params_add(&p, "z", 1, (int[]){0}, NULL), LUDUS_EINVAL);
    CHECK_ERR(ludus_nn_params_add(&p, "z", 5, (int[]){1, 1, 1, 1, 1}, NULL), LUDUS_EINVAL);
    CHECK_OK(ludus_nn_params_alloc(&p));
    CHECK_ERR(ludus_nn_params_add(&p, "late", 1, (int[]){3}, NULL), LUDUS_EINVAL);
    CHECK(ludus_nn_params_find(&p, "a.weight") != NULL);
    CHECK(ludus_nn_params_find(&p, "nope") == NULL);
    ludus_nn_params_free(&p);
    ludus_nn_params_free(NULL);
}

int main(void)
{
    test_adam();
    test_clip();
    test_adam_slices();
    test_sumsq();
    test_orthogonal(8, 8, 1.0f);
    test_orthogonal(4, 12, 1.414f);
    test_orthogonal(12, 4, 0.01f);
    test_gemm_backends();
    test_learns_mapping();
    test_params_errors();
    return check_finish("test_nn_optim");
}
