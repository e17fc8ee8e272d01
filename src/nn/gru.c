/* gru.c: a GRU cell with torch.nn.GRUCell's equations and weight layout.
 * Both input and hidden projections are single matrix products written
 * into one (B,6H) row per sample; the gate values then overwrite the input
 * half in place, so the forward needs no scratch and the backward reads
 * everything it needs from that one buffer.
 */
#include <math.h>
#include <string.h>

#include "nn/nn_internal.h"

static inline float sigmoidf(float x)
{
    return 1.0f / (1.0f + expf(-x));
}

/* gates row layout: [r z n | gh_r gh_z gh_n], where r, z, n are the gate
 * values and gh_* = h W_h*^T + b_h* (gh_n is needed by the backward). */
void ludus_nn_gru_forward(float *h, float *gates, const float *x, const float *hprev,
                          const float *w_ih, const float *w_hh, const float *b_ih,
                          const float *b_hh, int B, int In, int H)
{
    const int G = 3 * H, L = 6 * H;
    for (int i = 0; i < B; i++) {
        memcpy(gates + (size_t)i * L, b_ih, (size_t)G * sizeof(float));
        memcpy(gates + (size_t)i * L + G, b_hh, (size_t)G * sizeof(float));
    }
    ludus_nn_gemm(0, 1, B, G, In, 1.0f, x, In, w_ih, In, 1.0f, gates, L);
    ludus_nn_gemm(0, 1, B, G, H, 1.0f, hprev, H, w_hh, H, 1.0f, gates + G, L);
    for (int i = 0; i < B; i++) {
        float *g = gates + (size_t)i * L, *gh = g + G;
        const float *hp = hprev + (size_t)i * H;
        float *ho = h + (size_t)i * H;
        for (int j = 0; j < H; j++) {
            float r = sigmoidf(g[j] + gh[j]);
            float z = sigmoidf(g[H + j] + gh[H + j]);
            float n = tanhf(g[2 * H + j] + r * gh[2 * H + j]);
            g[j] = r;
            g[H + j] = z;
            g[2 * H + j] = n;
            ho[j] = (1.0f - z) * n + z * hp[j];
        }
    }
}

void ludus_nn_gru_backward(float *dx, float *dhprev, float *dw_ih, float *dw_hh, float *db_ih,
                           float *db_hh, float *scratch, const float *dh, const float *gates,
                           const float *x, const float *hprev, const float *w_ih,
                           const float *w_hh, int B, int In, int H)
{
    const int G = 3 * H, L = 6 * H;
    /* scratch row: [d(input pre-activations) | d(hidden pre-activations)] */
    for (int i = 0; i < B; i++) {
        const float *g = gates + (size_t)i * L, *ghn = g + G + 2 * H;
        const float *hp = hprev + (size_t)i * H, *d = dh + (size_t)i * H;
        float *di = scratch + (size_t)i * L, *dhh = di + G;
        for (int j = 0; j < H; j++) {
            float r = g[j], z = g[H + j], n = g[2 * H + j];
            float dn = d[j] * (1.0f - z);
            float dz = d[j] * (hp[j] - n);
            float dan = dn * (1.0f - n * n);
            float dr = dan * ghn[j];
            float dar = dr * r * (1.0f - r);
            float daz = dz * z * (1.0f - z);
            di[j] = dar;
            di[H + j] = daz;
            di[2 * H + j] = dan;
            dhh[j] = dar;
            dhh[H + j] = daz;
            dhh[2 * H + j] = dan * r;
        }
        if (dhprev) {
            float *dp = dhprev + (size_t)i * H;
            for (int j = 0; j < H; j++) dp[j] += d[j] * g[H + j];
        }
    }
    if (dx) ludus_nn_gemm(0, 0, B, In, G, 1.0f, scratch, L, w_ih, In, 1.0f, dx, In);
    if (dhprev) ludus_nn_gemm(0, 0, B, H, G, 1.0f, scratch + G, L, w_hh, H, 1.0f, dhprev, H);
    ludus_nn_gemm(1, 0, G, In, B, 1.0f, scratch, L, x, In, 1.0f, dw_ih, In);
    ludus_nn_gemm(1, 0, G, H, B, 1.0f, scratch + G, L, hprev, H, 1.0f, dw_hh, H);
    for (int i = 0; i < B; i++) {
        const float *di = scratch + (size_t)i * L;
        for (int j = 0; j < G; j++) {
            db_ih[j] += di[j];
            db_hh[j] += di[G + j];
        }
    }
}
