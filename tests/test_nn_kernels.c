/* test_nn_kernels.c: every matrix-product path (ludus_nn_set_kernels:
 * portable, avx2, avx512, blas) that this CPU runs, against a reference
 * product in double precision written here, against the portable path, and
 * through the linear and convolution layers' backward against central
 * finite differences. Paths the CPU cannot run are skipped with a note
 * (a machine without AVX-512 cannot test the avx512 path; one without
 * AVX2+FMA neither avx2 nor avx512).
 *
 * Tolerance of a product: each element is a float sum of K products plus
 * alpha/beta scaling; the worst-case error of float summation in any order
 * (Higham, Accuracy and Stability of Numerical Algorithms, 3.1) is
 * gamma_n * sum |terms| with gamma_n = n u / (1 - n u), u = 2^-24, and
 * n = K + 3 operations on any path of the element (K multiply-adds, the
 * block sums, the alpha and beta products and their sum). An element
 * farther than that from the double reference is a wrong result, not
 * rounding. Two paths may each be off by it, so they are compared
 * with twice that bound. The avx2 and avx512 builds do the same fused
 * operations in the same order, so they must agree bit for bit, and every
 * kernel's row must not depend on the batch it is computed in.
 */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "ludus/learn.h"
#include "ludus/nn.h"
#include "nn/nn_internal.h"

static const char *const paths[] = {"portable", "avx2", "avx512", "blas"};
enum { NPATHS = 4 };
static ludus_rng rng;

static float *randn(size_t n)
{
    float *p = malloc((n ? n : 1) * sizeof *p);
    for (size_t i = 0; i < n; i++) p[i] = (float)ludus_nn_normal(&rng);
    return p;
}

/* C = alpha op(A) op(B) + beta C in double; bound[i] = the error bound. */
static void ref_gemm(int ta, int tb, int M, int N, int K, double alpha, const float *A, int lda, const float *B,
                     int ldb, double beta, const float *C0, int ldc, double *ref, double *bound)
{
    const double u = ldexp(1.0, -24), n = K + 3.0, gamma = n * u / (1.0 - n * u);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = 0, sa = 0;
            for (int k = 0; k < K; k++) {
                double a = ta ? A[(size_t)k * lda + i] : A[(size_t)i * lda + k];
                double b = tb ? B[(size_t)j * ldb + k] : B[(size_t)k * ldb + j];
                s += a * b;
                sa += fabs(a * b);
            }
            double c = beta == 0 ? 0 : C0[(size_t)i * ldc + j];
            ref[(size_t)i * N + j] = alpha * s + beta * c;
            bound[(size_t)i * N + j] = gamma * (fabs(alpha) * sa + fabs(beta * c)) * 1.0001 + 1e-30;
        }
}

/* One product on every path; checks each against the reference and the
 * portable path, avx2 == avx512 bit for bit, and row independence. */
static void check_shape(int ta, int tb, int M, int N, int K, float alpha, float beta)
{
    const int pad = 3, lda = (ta ? M : K) + pad, ldb = (tb ? K : N) + pad, ldc = N + pad;
    float *A = randn((size_t)(ta ? K : M) * lda), *B = randn((size_t)(tb ? N : K) * ldb);
    float *C0 = randn((size_t)M * ldc), *out[NPATHS] = {0};
    double *ref = malloc((size_t)M * N * sizeof *ref), *bound = malloc((size_t)M * N * sizeof *bound);
    ref_gemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C0, ldc, ref, bound);
    if (beta == 0.0f) /* beta == 0 must ignore C, even NaN */
        for (size_t i = 0; i < (size_t)M * ldc; i++) C0[i] = NAN;
    for (int p = 0; p < NPATHS; p++) {
        if (!ludus_nn_kernels_available(paths[p])) continue;
        CHECK_OK(ludus_nn_set_kernels(paths[p]));
        out[p] = malloc((size_t)M * ldc * sizeof(float));
        memcpy(out[p], C0, (size_t)M * ldc * sizeof(float));
        ludus_nn_gemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, out[p], ldc);
        size_t bad = 0, padbad = 0;
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                double e = fabs(out[p][(size_t)i * ldc + j] - ref[(size_t)i * N + j]);
                if (!(e <= bound[(size_t)i * N + j])) {
                    if (!bad)
                        fprintf(stderr, "  %s ta%d tb%d %dx%dx%d [%d,%d]: %.9g vs %.9g (bound %.3g)\n", paths[p], ta,
                                tb, M, N, K, i, j, out[p][(size_t)i * ldc + j], ref[(size_t)i * N + j],
                                bound[(size_t)i * N + j]);
                    bad++;
                }
            }
            for (int j = N; j < ldc; j++) /* the padding past N is not touched */
                padbad += memcmp(&out[p][(size_t)i * ldc + j], &C0[(size_t)i * ldc + j], sizeof(float)) != 0;
        }
        CHECK_MSG(bad == 0, "%s ta%d tb%d %dx%dx%d alpha %g beta %g: %zu elements outside the bound", paths[p], ta,
                  tb, M, N, K, alpha, beta, bad);
        CHECK_MSG(padbad == 0, "%s ta%d tb%d %dx%dx%d wrote past N", paths[p], ta, tb, M, N, K);
        if (p > 0 && out[0]) { /* against the portable path */
            size_t far = 0;
            for (int i = 0; i < M; i++)
                for (int j = 0; j < N; j++)
                    far += !(fabs(out[p][(size_t)i * ldc + j] - out[0][(size_t)i * ldc + j]) <=
                             2 * bound[(size_t)i * N + j]);
            CHECK_MSG(far == 0, "%s vs portable ta%d tb%d %dx%dx%d: %zu elements apart", paths[p], ta, tb, M, N, K,
                      far);
        }
        if (p == 3) continue; /* OpenBLAS promises no row independence */
        /* rows [r0, r0 + m) as a batch of their own, and row M-1 alone */
        int r0 = M / 3, m = M - r0 > 3 ? 3 : M - r0;
        for (int pass = 0; pass < 2 && m > 0; pass++) {
            if (pass == 1) r0 = M - 1, m = 1;
            float *sub = malloc((size_t)m * ldc * sizeof(float));
            memcpy(sub, C0 + (size_t)r0 * ldc, (size_t)m * ldc * sizeof(float));
            const float *Ar = ta ? A + r0 : A + (size_t)r0 * lda;
            ludus_nn_gemm(ta, tb, m, N, K, alpha, Ar, lda, B, ldb, beta, sub, ldc);
            int same = 1;
            for (int i = 0; i < m; i++)
                same &= !memcmp(sub + (size_t)i * ldc, out[p] + (size_t)(r0 + i) * ldc, (size_t)N * sizeof(float));
            CHECK_MSG(same, "%s ta%d tb%d %dx%dx%d: rows %d..%d differ when computed as a batch of %d", paths[p],
                      ta, tb, M, N, K, r0, r0 + m - 1, m);
            free(sub);
        }
    }
    if (out[1] && out[2]) {
        int same = 1;
        for (int i = 0; i < M; i++)
            same &= !memcmp(out[1] + (size_t)i * ldc, out[2] + (size_t)i * ldc, (size_t)N * sizeof(float));
        CHECK_MSG(same, "avx2 and avx512 differ: ta%d tb%d %dx%dx%d", ta, tb, M, N, K);
    }
    for (int p = 0; p < NPATHS; p++) free(out[p]);
    free(A), free(B), free(C0), free(ref), free(bound);
}

static void test_products(void)
{
    static const int Ms[] = {1, 5, 8, 13, 70}, Ns[] = {1, 7, 16, 17, 33, 64, 100}, Ks[] = {0, 1, 9, 64, 256, 300};
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++)
            for (size_t a = 0; a < sizeof Ms / sizeof *Ms; a++)
                for (size_t b = 0; b < sizeof Ns / sizeof *Ns; b++)
                    for (size_t c = 0; c < sizeof Ks / sizeof *Ks; c++) {
                        int which = (int)(a + b + c) % 3;
                        float alpha = which == 2 ? 0.5f : 1.0f, beta = which == 0 ? 0.0f : which == 1 ? 1.0f : -2.0f;
                        check_shape(ta, tb, Ms[a], Ns[b], Ks[c], alpha, beta);
                    }
    /* a deep product (several k blocks), as a convolution's weight gradient */
    check_shape(1, 0, 16, 72, 2000, 1.0f, 1.0f);
    check_shape(0, 1, 40, 48, 1100, 1.0f, 0.0f);
}

/* ---- layers through each path, against finite differences ---- */

typedef double (*loss_fn)(void);

static double dot_r(const float *out, const float *r, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += (double)out[i] * r[i];
    return s;
}

static void fd_check(const char *path, const char *what, float *x, size_t n, const float *grad, loss_fn loss)
{
    const float eps = 1e-2f;
    size_t bad = 0;
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        float keep = x[i];
        x[i] = keep + eps;
        double lp = loss();
        x[i] = keep - eps;
        double lm = loss();
        x[i] = keep;
        double num = (lp - lm) / (2.0 * eps);
        double err = fabs(num - grad[i]) / (1e-2 + fabs(num) + fabs(grad[i]));
        if (err > worst) worst = err;
        bad += err > 2e-2;
    }
    CHECK_MSG(bad == 0, "%s %s: %zu of %zu gradient entries disagree (worst rel err %.3g)", path, what, bad, n, worst);
}

enum { LB = 9, LI = 37, LO = 19 };
static float *l_x, *l_w, *l_b, *l_out, *l_r;
static double linear_loss(void)
{
    ludus_nn_linear_forward(l_out, l_x, l_w, l_b, LB, LI, LO);
    return dot_r(l_out, l_r, LB * LO);
}

static ludus_nn_conv c_shape = {.B = 2, .H = 7, .W = 7, .C = 5, .O = 17, .K = 3, .stride = 1, .pad = 1};
static float *c_x, *c_w, *c_b, *c_out, *c_r, *c_col;
static double conv_loss(void)
{
    ludus_nn_conv2d_forward(c_out, c_col, c_x, c_w, c_b, &c_shape);
    return dot_r(c_out, c_r, (size_t)c_shape.B * 7 * 7 * c_shape.O);
}

static void test_layers(const char *path)
{
    l_x = randn(LB * LI), l_w = randn(LO * LI), l_b = randn(LO), l_r = randn(LB * LO);
    l_out = malloc(LB * LO * sizeof(float));
    float *dx = calloc(LB * LI, sizeof(float)), *dw = calloc(LO * LI, sizeof(float)), *db = calloc(LO, sizeof(float));
    ludus_nn_linear_forward(l_out, l_x, l_w, l_b, LB, LI, LO);
    ludus_nn_linear_backward(dx, dw, db, l_r, l_x, l_w, LB, LI, LO);
    fd_check(path, "linear dx", l_x, LB * LI, dx, linear_loss);
    fd_check(path, "linear dw", l_w, LO * LI, dw, linear_loss);
    fd_check(path, "linear db", l_b, LO, db, linear_loss);
    free(l_x), free(l_w), free(l_b), free(l_r), free(l_out), free(dx), free(dw), free(db);

    const ludus_nn_conv *c = &c_shape;
    size_t nx = (size_t)c->B * c->H * c->W * c->C, nw = (size_t)c->O * c->C * c->K * c->K;
    size_t no = (size_t)c->B * ludus_nn_conv_out_h(c) * ludus_nn_conv_out_w(c) * c->O;
    c_x = randn(nx), c_w = randn(nw), c_b = randn(c->O), c_r = randn(no);
    c_out = malloc(no * sizeof(float)), c_col = malloc(ludus_nn_conv_col_size(c) * sizeof(float));
    float *dcol = malloc(ludus_nn_conv_col_size(c) * sizeof(float));
    dx = calloc(nx, sizeof(float)), dw = calloc(nw, sizeof(float)), db = calloc(c->O, sizeof(float));
    ludus_nn_conv2d_forward(c_out, c_col, c_x, c_w, c_b, c);
    ludus_nn_conv2d_backward(dx, dw, db, dcol, c_r, c_col, c_w, c);
    fd_check(path, "conv dx", c_x, nx, dx, conv_loss);
    fd_check(path, "conv dw", c_w, nw, dw, conv_loss);
    fd_check(path, "conv db", c_b, c->O, db, conv_loss);
    free(c_x), free(c_w), free(c_b), free(c_r), free(c_out), free(c_col), free(dcol), free(dx), free(dw), free(db);
}

/* ---- the choice ---- */

static void test_choice(void)
{
    CHECK_ERR(ludus_nn_set_kernels("avx1024"), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "avx1024") != NULL);
    CHECK_ERR(ludus_nn_set_kernels(""), LUDUS_EINVAL);
    CHECK_OK(ludus_nn_set_kernels("portable"));
    CHECK_STR(ludus_nn_kernels(), "portable");
    for (int p = 1; p < 3; p++)
        if (!ludus_nn_kernels_available(paths[p])) {
            CHECK_ERR(ludus_nn_set_kernels(paths[p]), LUDUS_EUNSUPPORTED);
            CHECK_STR(ludus_nn_kernels(), "portable"); /* unchanged */
        }
    CHECK_OK(ludus_nn_set_kernels("auto"));
    CHECK(!strncmp(ludus_nn_kernels(), "auto:", 5));
    /* the environment variable: read by NULL, checked by the learners */
    setenv("LUDUS_KERNELS", "blas", 1);
    CHECK_OK(ludus_nn_set_kernels(NULL));
    CHECK_STR(ludus_nn_kernels(), "blas");
    setenv("LUDUS_KERNELS", "fast", 1);
    CHECK_ERR(ludus_nn_set_kernels(NULL), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "LUDUS_KERNELS") != NULL);
    CHECK_STR(ludus_nn_kernels(), "blas");
    ludus_ppo_config cfg;
    ludus_ppo_config_default(&cfg, "MiniGrid-Empty-5x5-v0");
    ludus_ppo *ppo = NULL;
    CHECK_ERR(ludus_ppo_create(&cfg, &ppo), LUDUS_EINVAL);
    CHECK(ppo == NULL);
    CHECK(strstr(ludus_errmsg(), "LUDUS_KERNELS") != NULL);
    unsetenv("LUDUS_KERNELS");
    CHECK_OK(ludus_nn_set_kernels(NULL));
    CHECK(!strncmp(ludus_nn_kernels(), "auto:", 5));
    /* the operation count bench/ reports */
    unsigned long long f0 = ludus_nn_flops();
    float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {1, 0, 0, 1, 1, 1}, c[4];
    ludus_nn_gemm(0, 1, 2, 2, 3, 1.0f, a, 3, b, 3, 0.0f, c, 2);
    CHECK_EQ(ludus_nn_flops() - f0, 2 * 2 * 2 * 3);
    CHECK(c[0] == 1 && c[1] == 6 && c[2] == 4 && c[3] == 15);
}

int main(void)
{
    ludus_rng_seed(&rng, 18);
    for (int p = 0; p < NPATHS; p++)
        if (!ludus_nn_kernels_available(paths[p]))
            printf("test_nn_kernels: note: the %s path is not tested here (this CPU or build cannot run it)\n",
                   paths[p]);
    test_products();
    for (int p = 0; p < NPATHS; p++) {
        if (!ludus_nn_kernels_available(paths[p])) continue;
        CHECK_OK(ludus_nn_set_kernels(paths[p]));
        test_layers(paths[p]);
    }
    test_choice();
    return check_finish("test_nn_kernels");
}
