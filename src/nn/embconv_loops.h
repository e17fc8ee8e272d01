/* embconv_loops.h: the embedding convolution's gather and scatter
 * (layers.c), written once over a vector of EC_W floats (EC_VT) and
 * included once per width: 16 floats (one AVX-512 register) for the
 * AVX-512 build, 8 (one AVX2 register, two SSE ones) for the others. GCC
 * lowers a vector wider than the target's registers through the stack
 * (the AVX2 build of a 16-float version spilled on every add), so each
 * build gets the width it has. Output channels run in blocks of EC_W, the
 * rest (O % EC_W) scalar; every element adds its rows in the same order
 * at any width, so the results are the same bits.
 * The includer defines EC_VT, EC_W and EC_NAME(name) (the function's name
 * for this width); embconv_gather_rest is shared. */

#define EC_LOAD(v, p) memcpy(&(v), (p), sizeof(EC_VT))
#define EC_STORE(p, v) memcpy((p), &(v), sizeof(EC_VT))

static inline __attribute__((always_inline)) void EC_NAME(embconv_gather)(float *out, const float *table,
                                                                          const int32_t *idx, const float *b,
                                                                          const ludus_nn_embconv *c, int OH, int OW)
{
    const int K = c->K, V = c->V, O = c->O, NI = c->NI, npos = OH * OW;
    for (int n = 0; n < c->B; n++) {
        int q = 0;
        for (; q + 4 <= npos; q += 4) {
            float *o[4];
            const int32_t *cell[4];
            for (int j = 0; j < 4; j++) {
                int oy = (q + j) / OW, ox = (q + j) % OW;
                o[j] = out + (((size_t)n * OH + oy) * OW + ox) * O;
                cell[j] = idx + (((size_t)n * c->H + oy) * c->W + ox) * NI;
            }
            int o0 = 0;
            for (; o0 + EC_W <= O; o0 += EC_W) {
                EC_VT a0 = {0}, a1, a2, a3, r0, r1, r2, r3;
                if (b) EC_LOAD(a0, b + o0);
                a1 = a2 = a3 = a0;
                for (int ky = 0; ky < K; ky++)
                    for (int kx = 0; kx < K; kx++) {
                        const size_t off = ((size_t)ky * c->W + kx) * NI;
                        const float *tk = table + (size_t)(ky * K + kx) * V * O + o0;
                        for (int i = 0; i < NI; i++) {
                            EC_LOAD(r0, tk + (size_t)cell[0][off + i] * O);
                            EC_LOAD(r1, tk + (size_t)cell[1][off + i] * O);
                            EC_LOAD(r2, tk + (size_t)cell[2][off + i] * O);
                            EC_LOAD(r3, tk + (size_t)cell[3][off + i] * O);
                            a0 += r0;
                            a1 += r1;
                            a2 += r2;
                            a3 += r3;
                        }
                    }
                EC_STORE(o[0] + o0, a0);
                EC_STORE(o[1] + o0, a1);
                EC_STORE(o[2] + o0, a2);
                EC_STORE(o[3] + o0, a3);
            }
            for (int j = 0; j < 4 && o0 < O; j++) embconv_gather_rest(o[j], cell[j], table, b, c, o0);
        }
        for (; q < npos; q++) {
            int oy = q / OW, ox = q % OW;
            float *o = out + (((size_t)n * OH + oy) * OW + ox) * O;
            const int32_t *cell0 = idx + (((size_t)n * c->H + oy) * c->W + ox) * NI;
            int o0 = 0;
            for (; o0 + EC_W <= O; o0 += EC_W) {
                EC_VT acc = {0}, row;
                if (b) EC_LOAD(acc, b + o0);
                for (int ky = 0; ky < K; ky++)
                    for (int kx = 0; kx < K; kx++) {
                        const int32_t *ix = cell0 + ((size_t)ky * c->W + kx) * NI;
                        const float *tk = table + (size_t)(ky * K + kx) * V * O + o0;
                        for (int i = 0; i < NI; i++) {
                            EC_LOAD(row, tk + (size_t)ix[i] * O);
                            acc += row;
                        }
                    }
                EC_STORE(o + o0, acc);
            }
            embconv_gather_rest(o, cell0, table, b, c, o0);
        }
    }
}

static inline __attribute__((always_inline)) void EC_NAME(embconv_scatter)(float *dtable, float *db, const float *dout,
                                                                           const int32_t *idx, const ludus_nn_embconv *c,
                                                                           int OH, int OW)
{
    const int K = c->K, V = c->V, O = c->O, NI = c->NI;
    for (int n = 0; n < c->B; n++)
        for (int oy = 0; oy < OH; oy++)
            for (int ox = 0; ox < OW; ox++) {
                const float *d = dout + (((size_t)n * OH + oy) * OW + ox) * O;
                const int32_t *cell0 = idx + (((size_t)n * c->H + oy) * c->W + ox) * NI;
                if (db)
                    for (int j = 0; j < O; j++) db[j] += d[j];
                int o0 = 0;
                for (; o0 + EC_W <= O; o0 += EC_W) {
                    EC_VT dv, row;
                    EC_LOAD(dv, d + o0);
                    for (int ky = 0; ky < K; ky++)
                        for (int kx = 0; kx < K; kx++) {
                            const int32_t *ix = cell0 + ((size_t)ky * c->W + kx) * NI;
                            float *tk = dtable + (size_t)(ky * K + kx) * V * O + o0;
                            for (int i = 0; i < NI; i++) {
                                float *t = tk + (size_t)ix[i] * O;
                                EC_LOAD(row, t);
                                row += dv;
                                EC_STORE(t, row);
                            }
                        }
                }
                for (; o0 < O; o0++)
                    for (int ky = 0; ky < K; ky++)
                        for (int kx = 0; kx < K; kx++) {
                            const int32_t *ix = cell0 + ((size_t)ky * c->W + kx) * NI;
                            float *tk = dtable + (size_t)(ky * K + kx) * V * O + o0;
                            for (int i = 0; i < NI; i++) tk[(size_t)ix[i] * O] += d[o0];
                        }
            }
}

#undef EC_LOAD
#undef EC_STORE
