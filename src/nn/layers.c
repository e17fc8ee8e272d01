/* layers.c: linear, 2-D convolution, convolution over an embedding bag,
 * embedding bag, ReLU, Tanh and LayerNorm as forward/backward pairs.
 * Convolution works on channels-last activations through im2col, so both
 * passes are one matrix product each, while its weight keeps torch's
 * (O,C,K,K) layout for checkpoints (a permuted copy rides in the im2col
 * buffer).
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

NN_VARIANTS(add_column_sums, (float *restrict db, const float *restrict dout, int rows, int cols), (db, dout, rows, cols))
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
    return (size_t)c->B * ludus_nn_conv_out_h(c) * ludus_nn_conv_out_w(c) * c->C * c->K * c->K +
           (size_t)c->O * c->C * c->K * c->K;
}

/* Columns are ordered (ky, kx, ch) so that a row is K runs of K*C
 * contiguous input floats (channels-last); the weight is permuted to match
 * into the tail of col: wp[o, (ky*K + kx)*C + ch] = w[o, ch, ky, kx]. */
static float *permuted_weight(float *col, const ludus_nn_conv *c, int rows)
{
    return col + (size_t)rows * c->C * c->K * c->K;
}

static void permute_weight(float *wp, const float *w, const ludus_nn_conv *c)
{
    const int K = c->K, C = c->C, KK = K * K;
    for (int o = 0; o < c->O; o++)
        for (int ch = 0; ch < C; ch++)
            for (int k = 0; k < KK; k++) wp[((size_t)o * KK + k) * C + ch] = w[((size_t)o * C + ch) * KK + k];
}

/* col[(b,oy,ox), (ky,kx,ch)] = inp[b, oy*s+ky-pad, ox*s+kx-pad, ch] or 0. */
static void im2col(float *col, const float *inp, const ludus_nn_conv *c, int OH, int OW)
{
    const int K = c->K, C = c->C, cols = C * K * K;
    for (int b = 0; b < c->B; b++)
        for (int oy = 0; oy < OH; oy++)
            for (int ox = 0; ox < OW; ox++) {
                float *row = col + (((size_t)b * OH + oy) * OW + ox) * cols;
                int x0 = ox * c->stride - c->pad, inside = x0 >= 0 && x0 + K <= c->W;
                for (int ky = 0; ky < K; ky++) {
                    int y = oy * c->stride + ky - c->pad;
                    float *dst = row + (size_t)ky * K * C;
                    if (y < 0 || y >= c->H) {
                        memset(dst, 0, (size_t)K * C * sizeof(float));
                        continue;
                    }
                    const float *src = inp + (((size_t)b * c->H + y) * c->W) * C;
                    if (inside) {
                        memcpy(dst, src + (size_t)x0 * C, (size_t)K * C * sizeof(float));
                        continue;
                    }
                    for (int kx = 0; kx < K; kx++) {
                        int x = x0 + kx;
                        if (x < 0 || x >= c->W) memset(dst + kx * C, 0, (size_t)C * sizeof(float));
                        else memcpy(dst + kx * C, src + (size_t)x * C, (size_t)C * sizeof(float));
                    }
                }
            }
}

NN_VARIANTS(col2im_add, (float *restrict dinp, const float *restrict dcol, const ludus_nn_conv *c, int OH, int OW),
            (dinp, dcol, c, OH, OW))
{
    const int K = c->K, C = c->C, cols = C * K * K;
    for (int b = 0; b < c->B; b++)
        for (int oy = 0; oy < OH; oy++)
            for (int ox = 0; ox < OW; ox++) {
                const float *row = dcol + (((size_t)b * OH + oy) * OW + ox) * cols;
                for (int ky = 0; ky < K; ky++) {
                    int y = oy * c->stride + ky - c->pad;
                    if (y < 0 || y >= c->H) continue;
                    float *line = dinp + (((size_t)b * c->H + y) * c->W) * C;
                    for (int kx = 0; kx < K; kx++) {
                        int x = ox * c->stride + kx - c->pad;
                        if (x < 0 || x >= c->W) continue;
                        const float *src = row + (ky * K + kx) * C;
                        float *dst = line + (size_t)x * C;
                        for (int ch = 0; ch < C; ch++) dst[ch] += src[ch];
                    }
                }
            }
}

void ludus_nn_conv2d_forward(float *out, float *col, const float *inp, const float *w,
                             const float *b, const ludus_nn_conv *c)
{
    const int OH = ludus_nn_conv_out_h(c), OW = ludus_nn_conv_out_w(c);
    const int rows = c->B * OH * OW, cols = c->C * c->K * c->K;
    float *wp = permuted_weight(col, c, rows);
    permute_weight(wp, w, c);
    im2col(col, inp, c, OH, OW);
    float beta = 0.0f;
    if (b) {
        for (int i = 0; i < rows; i++) memcpy(out + (size_t)i * c->O, b, (size_t)c->O * sizeof(float));
        beta = 1.0f;
    }
    ludus_nn_gemm(0, 1, rows, c->O, cols, 1.0f, col, cols, wp, cols, beta, out, c->O);
}

void ludus_nn_conv2d_backward(float *dinp, float *dw, float *db, float *dcol, const float *dout,
                              const float *col, const float *w, const ludus_nn_conv *c)
{
    const int OH = ludus_nn_conv_out_h(c), OW = ludus_nn_conv_out_w(c);
    const int rows = c->B * OH * OW, cols = c->C * c->K * c->K, KK = c->K * c->K, C = c->C;
    float *tail = permuted_weight(dcol, c, rows);
    if (dinp) {
        permute_weight(tail, w, c);
        ludus_nn_gemm(0, 0, rows, cols, c->O, 1.0f, dout, c->O, tail, cols, 0.0f, dcol, cols);
        col2im_add(dinp, dcol, c, OH, OW);
    }
    /* The weight gradient in the permuted order, then added into dw in
     * torch's. */
    ludus_nn_gemm(1, 0, c->O, cols, rows, 1.0f, dout, c->O, col, cols, 0.0f, tail, cols);
    for (int o = 0; o < c->O; o++)
        for (int ch = 0; ch < C; ch++)
            for (int k = 0; k < KK; k++) dw[((size_t)o * C + ch) * KK + k] += tail[((size_t)o * KK + k) * C + ch];
    if (db) add_column_sums(db, dout, rows, c->O);
}

/* ---- convolution over an embedding bag ---- */

int ludus_nn_embconv_out_h(const ludus_nn_embconv *c)
{
    return c->H - c->K + 1 > 0 ? c->H - c->K + 1 : 0;
}

int ludus_nn_embconv_out_w(const ludus_nn_embconv *c)
{
    return c->W - c->K + 1 > 0 ? c->W - c->K + 1 : 0;
}

size_t ludus_nn_embconv_table_size(const ludus_nn_embconv *c)
{
    return (size_t)c->K * c->K * c->V * c->O;
}

/* The gather (forward) and scatter (backward) over output positions are
 * where the time goes. Output channels run in blocks of one vector value:
 * 16 floats in the AVX-512 build, 8 in the AVX2 and baseline ones
 * (embconv_loops.h); a remainder runs scalar. Unaligned moves are macros
 * there, since a function passing the type by value would have a
 * different ABI in each build. */
typedef float nn_v16f __attribute__((vector_size(64)));

/* One output position's channels [o0, O) (scalar). */
static inline __attribute__((always_inline)) void embconv_gather_rest(float *o, const int32_t *cell0, const float *table,
                                                                     const float *b, const ludus_nn_embconv *c, int o0)
{
    const int K = c->K, V = c->V, O = c->O, NI = c->NI;
    for (; o0 < O; o0++) {
        float acc = b ? b[o0] : 0.0f;
        for (int ky = 0; ky < K; ky++)
            for (int kx = 0; kx < K; kx++) {
                const int32_t *ix = cell0 + ((size_t)ky * c->W + kx) * NI;
                const float *tk = table + (size_t)(ky * K + kx) * V * O + o0;
                for (int i = 0; i < NI; i++) acc += tk[(size_t)ix[i] * O];
            }
        o[o0] = acc;
    }
}

/* Output positions go four at a time: each element's sum is one chain of
 * K*K*NI dependent adds, so four positions' chains run interleaved (every
 * element still adds its rows in the same order: the results do not
 * change, only the latency is hidden). */
typedef float nn_v8f __attribute__((vector_size(32)));
#define EC_VT nn_v16f
#define EC_W 16
#define EC_NAME(n) n##_w16
#include "nn/embconv_loops.h"
#undef EC_VT
#undef EC_W
#undef EC_NAME
#define EC_VT nn_v8f
#define EC_W 8
#define EC_NAME(n) n##_w8
#include "nn/embconv_loops.h"
#undef EC_VT
#undef EC_W
#undef EC_NAME

/* One build per instruction set, picked per call as NN_VARIANTS does: the
 * AVX-512 build over 16 floats, the others over 8. */
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx512f"))) static void embconv_gather_avx512(float *out, const float *table, const int32_t *idx,
                                                                     const float *b, const ludus_nn_embconv *c, int OH,
                                                                     int OW)
{
    embconv_gather_w16(out, table, idx, b, c, OH, OW);
}
__attribute__((target("avx2"))) static void embconv_gather_avx2(float *out, const float *table, const int32_t *idx,
                                                                const float *b, const ludus_nn_embconv *c, int OH, int OW)
{
    embconv_gather_w8(out, table, idx, b, c, OH, OW);
}
__attribute__((target("avx512f"))) static void embconv_scatter_avx512(float *dtable, float *db, const float *dout,
                                                                      const int32_t *idx, const ludus_nn_embconv *c,
                                                                      int OH, int OW)
{
    embconv_scatter_w16(dtable, db, dout, idx, c, OH, OW);
}
__attribute__((target("avx2"))) static void embconv_scatter_avx2(float *dtable, float *db, const float *dout,
                                                                 const int32_t *idx, const ludus_nn_embconv *c, int OH,
                                                                 int OW)
{
    embconv_scatter_w8(dtable, db, dout, idx, c, OH, OW);
}
#endif

static void embconv_gather(float *out, const float *table, const int32_t *idx, const float *b,
                           const ludus_nn_embconv *c, int OH, int OW)
{
#if defined(__x86_64__) && defined(__GNUC__)
    switch (ludus_nn_loop_isa()) {
    case LUDUS_NN_ISA_AVX512: embconv_gather_avx512(out, table, idx, b, c, OH, OW); return;
    case LUDUS_NN_ISA_AVX2: embconv_gather_avx2(out, table, idx, b, c, OH, OW); return;
    default: break;
    }
#endif
    embconv_gather_w8(out, table, idx, b, c, OH, OW);
}

static void embconv_scatter(float *dtable, float *db, const float *dout, const int32_t *idx,
                            const ludus_nn_embconv *c, int OH, int OW)
{
#if defined(__x86_64__) && defined(__GNUC__)
    switch (ludus_nn_loop_isa()) {
    case LUDUS_NN_ISA_AVX512: embconv_scatter_avx512(dtable, db, dout, idx, c, OH, OW); return;
    case LUDUS_NN_ISA_AVX2: embconv_scatter_avx2(dtable, db, dout, idx, c, OH, OW); return;
    default: break;
    }
#endif
    embconv_scatter_w8(dtable, db, dout, idx, c, OH, OW);
}

/* table[(ky*K + kx)*V + v, o] = sum_e w[o, e, ky, kx] * emb[v, e]. */
void ludus_nn_embconv_forward(float *out, float *table, const int32_t *idx, const float *emb,
                              const float *w, const float *b, const ludus_nn_embconv *c)
{
    const int K = c->K, KK = K * K, V = c->V, E = c->E, O = c->O;
    for (int k = 0; k < KK; k++)
        for (int v = 0; v < V; v++) {
            float *t = table + ((size_t)k * V + v) * O;
            const float *e = emb + (size_t)v * E;
            for (int o = 0; o < O; o++) {
                const float *wo = w + (size_t)o * E * KK + k;
                float s = 0.0f;
                for (int j = 0; j < E; j++) s += wo[(size_t)j * KK] * e[j];
                t[o] = s;
            }
        }
    embconv_gather(out, table, idx, b, c, ludus_nn_embconv_out_h(c), ludus_nn_embconv_out_w(c));
    ludus_nn_count_flops((unsigned long long)c->B * ludus_nn_embconv_out_h(c) * ludus_nn_embconv_out_w(c) * c->K * c->K * c->NI * c->O);
}

void ludus_nn_embconv_backward(float *demb, float *dw, float *db, float *dtable, const float *dout,
                               const int32_t *idx, const float *emb, const float *w,
                               const ludus_nn_embconv *c)
{
    const int K = c->K, KK = K * K, V = c->V, E = c->E, O = c->O;
    memset(dtable, 0, ludus_nn_embconv_table_size(c) * sizeof(float));
    embconv_scatter(dtable, db, dout, idx, c, ludus_nn_embconv_out_h(c), ludus_nn_embconv_out_w(c));
    ludus_nn_count_flops((unsigned long long)c->B * ludus_nn_embconv_out_h(c) * ludus_nn_embconv_out_w(c) * c->K * c->K * c->NI * c->O);
    for (int k = 0; k < KK; k++)
        for (int v = 0; v < V; v++) {
            const float *t = dtable + ((size_t)k * V + v) * O;
            const float *e = emb + (size_t)v * E;
            float *de = demb ? demb + (size_t)v * E : NULL;
            for (int o = 0; o < O; o++) {
                if (t[o] == 0.0f) continue; /* most (offset, index) pairs never occur */
                float *dwo = dw + (size_t)o * E * KK + k;
                const float *wo = w + (size_t)o * E * KK + k;
                for (int j = 0; j < E; j++) {
                    dwo[(size_t)j * KK] += t[o] * e[j];
                    if (de) de[j] += t[o] * wo[(size_t)j * KK];
                }
            }
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

NN_VARIANTS(relu_inplace_loop, (float *x, size_t n), (x, n))
{
    for (size_t i = 0; i < n; i++) x[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void ludus_nn_relu_inplace(float *x, size_t n)
{
    relu_inplace_loop(x, n);
}

NN_VARIANTS(relu_grad_loop, (float *restrict d, const float *restrict out, size_t n), (d, out, n))
{
    for (size_t i = 0; i < n; i++) d[i] = out[i] > 0.0f ? d[i] : 0.0f;
}

void ludus_nn_relu_grad(float *d, const float *out, size_t n)
{
    relu_grad_loop(d, out, n);
}

NN_VARIANTS(tanh_grad_loop, (float *restrict d, const float *restrict out, size_t n), (d, out, n))
{
    for (size_t i = 0; i < n; i++) d[i] *= 1.0f - out[i] * out[i];
}

void ludus_nn_tanh_grad(float *d, const float *out, size_t n)
{
    tanh_grad_loop(d, out, n);
}

NN_VARIANTS(tanh_loop, (float *out, const float *inp, size_t n), (out, inp, n))
{
    for (size_t i = 0; i < n; i++) out[i] = nn_tanhf(inp[i]);
}

void ludus_nn_tanh_forward(float *out, const float *inp, size_t n)
{
    tanh_loop(out, inp, n);
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
