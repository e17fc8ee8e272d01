/* gru.c: a GRU cell with torch.nn.GRUCell's equations and weight layout.
 * Both input and hidden projections are single matrix products written
 * into one (B,6H) row per sample; the gate values then overwrite the input
 * half in place, so the forward needs no scratch and the backward reads
 * everything it needs from that one buffer.
 */
#include <math.h>
#include <string.h>

#include "nn/nn_internal.h"

/* One row's gate math: r, z, n and h' per element. The gates are passed
 * as separate restrict parameters so the compiler sees that they do not
 * overlap and vectorizes the loop. */
static inline __attribute__((always_inline)) void gru_row(float *restrict gr, float *restrict gz, float *restrict gn,
                                                          const float *restrict hr, const float *restrict hz,
                                                          const float *restrict hn, const float *restrict hp,
                                                          float *restrict ho, int H)
{
    for (int j = 0; j < H; j++) {
        float r = nn_sigmoidf(gr[j] + hr[j]);
        float z = nn_sigmoidf(gz[j] + hz[j]);
        float n = nn_tanhf(gn[j] + r * hn[j]);
        gr[j] = r;
        gz[j] = z;
        gn[j] = n;
        ho[j] = (1.0f - z) * n + z * hp[j];
    }
}

/* The gate math after the two products, one build per instruction set
 * (NN_VARIANTS): the same IEEE operations in every build. */
NN_VARIANTS(gru_gates, (float *h, float *gates, const float *hprev, int B, int H), (h, gates, hprev, B, H))
{
    const int G = 3 * H, L = 6 * H;
    for (int i = 0; i < B; i++) {
        float *g = gates + (size_t)i * L;
        gru_row(g, g + H, g + 2 * H, g + G, g + G + H, g + G + 2 * H, hprev + (size_t)i * H, h + (size_t)i * H, H);
    }
}

/* One row's gate gradients: d(input pre-activations) into di*, d(hidden
 * pre-activations) into dh*. */
static inline __attribute__((always_inline)) void gru_row_backward(
    float *restrict dir, float *restrict diz, float *restrict din, float *restrict dhr, float *restrict dhz,
    float *restrict dhn, const float *restrict gr, const float *restrict gz, const float *restrict gn,
    const float *restrict ghn, const float *restrict hp, const float *restrict d, int H)
{
    for (int j = 0; j < H; j++) {
        float r = gr[j], z = gz[j], n = gn[j];
        float dn = d[j] * (1.0f - z);
        float dz = d[j] * (hp[j] - n);
        float dan = dn * (1.0f - n * n);
        float dr = dan * ghn[j];
        float dar = dr * r * (1.0f - r);
        float daz = dz * z * (1.0f - z);
        dir[j] = dar;
        diz[j] = daz;
        din[j] = dan;
        dhr[j] = dar;
        dhz[j] = daz;
        dhn[j] = dan * r;
    }
}

/* The backward's element-wise part, per instruction set. */
NN_VARIANTS(gru_gates_backward,
            (float *dhprev, float *scratch, const float *dh, const float *gates, const float *hprev, int B, int H),
            (dhprev, scratch, dh, gates, hprev, B, H))
{
    const int G = 3 * H, L = 6 * H;
    for (int i = 0; i < B; i++) {
        const float *g = gates + (size_t)i * L, *d = dh + (size_t)i * H;
        float *di = scratch + (size_t)i * L;
        gru_row_backward(di, di + H, di + 2 * H, di + G, di + G + H, di + G + 2 * H, g, g + H, g + 2 * H,
                         g + G + 2 * H, hprev + (size_t)i * H, d, H);
        if (dhprev) {
            float *restrict dp = dhprev + (size_t)i * H;
            const float *restrict gz = g + H;
            for (int j = 0; j < H; j++) dp[j] += d[j] * gz[j];
        }
    }
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
    gru_gates(h, gates, hprev, B, H);
}

void ludus_nn_gru_backward(float *dx, float *dhprev, float *dw_ih, float *dw_hh, float *db_ih,
                           float *db_hh, float *scratch, const float *dh, const float *gates,
                           const float *x, const float *hprev, const float *w_ih,
                           const float *w_hh, int B, int In, int H)
{
    const int G = 3 * H, L = 6 * H;
    /* scratch row: [d(input pre-activations) | d(hidden pre-activations)] */
    gru_gates_backward(dhprev, scratch, dh, gates, hprev, B, H);
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
