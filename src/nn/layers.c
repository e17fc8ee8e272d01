/* layers.c: linear, 2-D convolution, embedding bag, ReLU, Tanh and
 * LayerNorm as forward/backward pairs. Convolution works on channels-last
 * activations through im2col, so both passes are one matrix product each,
 * while its weight keeps torch's (O,C,K,K) layout for checkpoints.
 */
#include <math.h>
#include <string.h>

#include "nn/nn_internal.h"

/* ---- linear ---- */

void ludus_nn_linear_forward(float *out, const float *inp, const float *w, const float *b, int B,
                             int In, int O)
{
    float beta = 0.0f;
    if (b) {
        for (int i = 0; i < B; i++) memcpy(out + (size_t)i * O, b, (size_t)O * sizeof(float));
        beta = 1.0f;
    }
    ludus_nn_gemm(0, 1, B, O, In, 1.0f, inp, In, w, In, beta, out, O);
}

static void add_column_sums(float *db, const float *dout, int rows, int cols)
{
    for (int i = 0; i < rows; i++) {
        const float *d = dout + (size_t)i * cols;
        for (int j = 0; j < cols; j++) db[j] += d[j];
    }
}

void ludus_nn_linear_backward(float *dinp, float *dw, float *db, const float *dout,
                              const float *inp, const float *w, int B, int In, int O)
{
    if (dinp) ludus_nn_gemm(0, 0, B, In, O, 1.0f, dout, O, w, In, 1.0f, dinp, In);
    ludus_nn_gemm(1, 0, O, In, B, 1.0f, dout, O, inp, In, 1.0f, dw, In);
    if (db) add_column_sums(db, dout, B, O);
}

/* ---- convolution ---- */

int ludus_nn_conv_out_h(const ludus_nn_conv *c)
{
    int span = c->H + 2 * c->pad - c->K;
    return (span < 0 || c->stride < 1) ? 0 : span / c->stride + 1;
}

int ludus_nn_conv_out_w(const ludus_nn_conv *c)
{
    int span = c->W + 2 * c->pad - c->K;
    return (span < 0 || c->stride < 1) ? 0 : span / c->stride + 1;
}

size_t ludus_nn_conv_col_size(const ludus_nn_conv *c)
{
    return (size_t)c->B * ludus_nn_conv_out_h(c) * ludus_nn_conv_out_w(c) * c->C * c->K * c->K;
}

/* col[(b,oy,ox), (ch,ky,kx)] = inp[b, oy*s+ky-pad, ox*s+kx-pad, ch] or 0. */
static void im2col(float *col, const float *inp, const ludus_nn_conv *c, int OH, int OW)
{
    const int K = c->K, C = c->C, KK = K * K, cols = C * KK;
    for (int b = 0; b < c->B; b++)
        for (int oy = 0; oy < OH; oy++)
            for (int ox = 0; ox < OW; ox++) {
                float *row = col + (((size_t)b * OH + oy) * OW + ox) * cols;
                for (int ky = 0; ky < K; ky++) {
                    int y = oy * c->stride + ky - c->pad;
                    for (int kx = 0; kx < K; kx++) {
                        int x = ox * c->stride + kx - c->pad;
                        float *dst = row + ky * K + kx;
                        if (y < 0 || y >= c->H || x < 0 || x >= c->W) {
                            for (int ch = 0; ch < C; ch++) dst[ch * KK] = 0.0f;
                        } else {
                            const float *src = inp + (((size_t)b * c->H + y) * c->W + x) * C;
                            for (int ch = 0; ch < C; ch++) dst[ch * KK] = src[ch];
                        }
                    }
                }
            }
}

static void col2im_add(float *dinp, const float *dcol, const ludus_nn_conv *c, int OH, int OW)
{
    const int K = c->K, C = c->C, KK = K * K, cols = C * KK;
    for (int b = 0; b < c->B; b++)
        for (int oy = 0; oy < OH; oy++)
            for (int ox = 0; ox < OW; ox++) {
                const float *row = dcol + (((size_t)b * OH + oy) * OW + ox) * cols;
                for (int ky = 0; ky < K; ky++) {
                    int y = oy * c->stride + ky - c->pad;
                    if (y < 0 || y >= c->H) continue;
                    for (int kx = 0; kx < K; kx++) {
                        int x = ox * c->stride + kx - c->pad;
                        if (x < 0 || x >= c->W) continue;
                        const float *src = row + ky * K + kx;
                        float *dst = dinp + (((size_t)b * c->H + y) * c->W + x) * C;
                        for (int ch = 0; ch < C; ch++) dst[ch] += src[ch * KK];
                    }
                }
            }
}

void ludus_nn_conv2d_forward(float *out, float *col, const float *inp, const float *w,
                             const float *b, const ludus_nn_conv *c)
{
    const int OH = ludus_nn_conv_out_h(c), OW = ludus_nn_conv_out_w(c);
    const int rows = c->B * OH * OW, cols = c->C * c->K * c->K;
    im2col(col, inp, c, OH, OW);
    float beta = 0.0f;
    if (b) {
        for (int i = 0; i < rows; i++) memcpy(out + (size_t)i * c->O, b, (size_t)c->O * sizeof(float));
        beta = 1.0f;
    }
    ludus_nn_gemm(0, 1, rows, c->O, cols, 1.0f, col, cols, w, cols, beta, out, c->O);
}

void ludus_nn_conv2d_backward(float *dinp, float *dw, float *db, float *dcol, const float *dout,
                              const float *col, const float *w, const ludus_nn_conv *c)
{
    const int OH = ludus_nn_conv_out_h(c), OW = ludus_nn_conv_out_w(c);
    const int rows = c->B * OH * OW, cols = c->C * c->K * c->K;
    ludus_nn_gemm(1, 0, c->O, cols, rows, 1.0f, dout, c->O, col, cols, 1.0f, dw, cols);
    if (db) add_column_sums(db, dout, rows, c->O);
    if (dinp) {
        ludus_nn_gemm(0, 0, rows, cols, c->O, 1.0f, dout, c->O, w, cols, 0.0f, dcol, cols);
        col2im_add(dinp, dcol, c, OH, OW);
    }
}

/* ---- embedding bag ---- */

void ludus_nn_embedding_forward(float *out, const int32_t *idx, const float *table, int N, int K,
                                int D)
{
    for (int n = 0; n < N; n++) {
        float *o = out + (size_t)n * D;
        const int32_t *ix = idx + (size_t)n * K;
        memcpy(o, table + (size_t)ix[0] * D, (size_t)D * sizeof(float));
        for (int k = 1; k < K; k++) {
            const float *t = table + (size_t)ix[k] * D;
            for (int d = 0; d < D; d++) o[d] += t[d];
        }
    }
}

void ludus_nn_embedding_backward(float *dtable, const float *dout, const int32_t *idx, int N,
                                 int K, int D)
{
    for (int n = 0; n < N; n++) {
        const float *g = dout + (size_t)n * D;
        const int32_t *ix = idx + (size_t)n * K;
        for (int k = 0; k < K; k++) {
            float *t = dtable + (size_t)ix[k] * D;
            for (int d = 0; d < D; d++) t[d] += g[d];
        }
    }
}

/* ---- activations ---- */

void ludus_nn_relu_forward(float *out, const float *inp, size_t n)
{
    for (size_t i = 0; i < n; i++) out[i] = inp[i] > 0.0f ? inp[i] : 0.0f;
}

void ludus_nn_relu_backward(float *dinp, const float *dout, const float *out, size_t n)
{
    for (size_t i = 0; i < n; i++) dinp[i] += out[i] > 0.0f ? dout[i] : 0.0f;
}

void ludus_nn_tanh_forward(float *out, const float *inp, size_t n)
{
    for (size_t i = 0; i < n; i++) out[i] = tanhf(inp[i]);
}

void ludus_nn_tanh_backward(float *dinp, const float *dout, const float *out, size_t n)
{
    for (size_t i = 0; i < n; i++) dinp[i] += dout[i] * (1.0f - out[i] * out[i]);
}

/* ---- layer norm ---- */

#define NN_LAYERNORM_EPS 1e-5f

void ludus_nn_layernorm_forward(float *out, float *mean, float *rstd, const float *inp,
                                const float *w, const float *b, int N, int C)
{
    for (int n = 0; n < N; n++) {
        const float *x = inp + (size_t)n * C;
        float *o = out + (size_t)n * C;
        float m = 0.0f;
        for (int c = 0; c < C; c++) m += x[c];
        m /= (float)C;
        float v = 0.0f;
        for (int c = 0; c < C; c++) v += (x[c] - m) * (x[c] - m);
        v /= (float)C;
        float s = 1.0f / sqrtf(v + NN_LAYERNORM_EPS);
        for (int c = 0; c < C; c++) o[c] = (x[c] - m) * s * w[c] + b[c];
        mean[n] = m;
        rstd[n] = s;
    }
}

void ludus_nn_layernorm_backward(float *dinp, float *dw, float *db, const float *dout,
                                 const float *inp, const float *mean, const float *rstd,
                                 const float *w, int N, int C)
{
    for (int n = 0; n < N; n++) {
        const float *x = inp + (size_t)n * C, *g = dout + (size_t)n * C;
        float *dx = dinp + (size_t)n * C;
        float m = mean[n], s = rstd[n];
        /* with xh = (x - m) s and gh = g w:
         * dx = s (gh - mean(gh) - xh mean(gh xh)) */
        float mg = 0.0f, mgx = 0.0f;
        for (int c = 0; c < C; c++) {
            float xh = (x[c] - m) * s, gh = g[c] * w[c];
            mg += gh;
            mgx += gh * xh;
            dw[c] += g[c] * xh;
            db[c] += g[c];
        }
        mg /= (float)C;
        mgx /= (float)C;
        for (int c = 0; c < C; c++) {
            float xh = (x[c] - m) * s;
            dx[c] += s * (g[c] * w[c] - mg - xh * mgx);
        }
    }
}
