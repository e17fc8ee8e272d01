/* test_learn_policy.c: the grid policies against a plain double-precision
 * reference of the same network written here from its definition (torch's
 * layer equations, docs/learning.md's shapes). The float forward must
 * match the reference, and the float backward must match central finite
 * differences of the reference in double (step 1e-6, so truncation and
 * rounding errors are both far below the tolerance and no entry needs
 * excusing). Covered: the default policy, the GRU memory trained through
 * time with episode restarts inside the sequence, and the instruction
 * policy with missions shorter than, as long as and longer than the words
 * read, FiLM conditioning of the convolution on the mission, and the
 * direction input. Also the tokenizer and the architecture's
 * JSON form (a checkpoint's arch without the later "direction" key reads
 * as direction 0).
 */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "learn/policy.h"

enum { V = 7, A = 7, L = 3, B = 2, S = L * B, W = 6, NMAX = 8 };
static policy pol;
static policy_ws ws;
static policy_batch batch;
static float R1[S * A], R2[S];

/* ---- the reference network, in double ---- */

static double sigm(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

/* torch.nn.GRUCell: h = (1 - z) n + z hp. w_ih (3H, In), w_hh (3H, H). */
static void ref_gru(double *h, const double *x, const double *hp, const double *P, size_t wih,
                    size_t whh, size_t bih, size_t bhh, int In, int H)
{
    double gi[3 * 64], gh[3 * 64];
    for (int r = 0; r < 3 * H; r++) {
        gi[r] = P[bih + r];
        gh[r] = P[bhh + r];
        for (int k = 0; k < In; k++) gi[r] += P[wih + (size_t)r * In + k] * x[k];
        for (int k = 0; k < H; k++) gh[r] += P[whh + (size_t)r * H + k] * hp[k];
    }
    for (int j = 0; j < H; j++) {
        double r = sigm(gi[j] + gh[j]), z = sigm(gi[H + j] + gh[H + j]);
        double n = tanh(gi[2 * H + j] + r * gh[2 * H + j]);
        h[j] = (1.0 - z) * n + z * hp[j];
    }
}

/* One sample's 7x7 view through the trunk; mask (optional) records the
 * sign of every ReLU input, the network's only kinks. */
static void ref_trunk(const double *P, const uint8_t *o, const double *instr, double *fc, uint8_t **mask)
{
    const ludus_policy_arch *a = &pol.arch;
    const int E = a->embed, C1 = a->conv1, C2 = a->conv2, K = a->kernel, h1 = pol.h1, h2 = pol.h2;
    static double emb[V * V * 16], c1[V * V * 16], c2[V * V * 16];
    for (int i = 0; i < V * V; i++) {
        int idx[3] = {o[3 * i] > 10 ? 10 : o[3 * i], 11 + (o[3 * i + 1] > 5 ? 5 : o[3 * i + 1]),
                      17 + (o[3 * i + 2] > 2 ? 2 : o[3 * i + 2])};
        for (int e = 0; e < E; e++) {
            emb[i * E + e] = 0.0;
            for (int k = 0; k < 3; k++) emb[i * E + e] += P[pol.embed_w + (size_t)idx[k] * E + e];
        }
    }
    /* Conv2d with torch's (O, C, K, K) weight over channels-last input. */
    for (int layer = 0; layer < 2; layer++) {
        const double *in = layer ? c1 : emb;
        double *out = layer ? c2 : c1;
        int side = layer ? h1 : V, os = layer ? h2 : h1, C = layer ? C1 : E, O = layer ? C2 : C1;
        size_t w = layer ? pol.c2_w : pol.c1_w, b = layer ? pol.c2_b : pol.c1_b;
        for (int y = 0; y < os; y++)
            for (int x = 0; x < os; x++)
                for (int oc = 0; oc < O; oc++) {
                    double s = P[b + oc];
                    for (int c = 0; c < C; c++)
                        for (int ky = 0; ky < K; ky++)
                            for (int kx = 0; kx < K; kx++)
                                s += P[w + (((size_t)oc * C + c) * K + ky) * K + kx] *
                                     in[((y + ky) * side + (x + kx)) * C + c];
                    if (layer && a->film) { /* x (1 + gamma) + beta from the mission */
                        double g = P[pol.film_b + oc], be = P[pol.film_b + C2 + oc];
                        for (int k = 0; k < a->instr; k++) {
                            g += P[pol.film_w + (size_t)oc * a->instr + k] * instr[k];
                            be += P[pol.film_w + (size_t)(C2 + oc) * a->instr + k] * instr[k];
                        }
                        s = s * (1.0 + g) + be;
                    }
                    if (mask) *(*mask)++ = s > 0.0;
                    out[(y * os + x) * O + oc] = s > 0.0 ? s : 0.0;
                }
    }
    int dir = o[V * V * 3] > 3 ? 3 : o[V * V * 3];
    for (int j = 0; j < a->hidden; j++) {
        double s = P[pol.fc_b + j];
        for (int k = 0; k < pol.flat; k++) s += P[pol.fc_w + (size_t)j * pol.flat + k] * c2[k];
        if (a->direction) s += P[pol.dir_w + (size_t)dir * a->hidden + j];
        if (mask) *(*mask)++ = s > 0.0;
        fc[j] = s > 0.0 ? s : 0.0;
    }
}

/* The batch through the reference: logits (S, A) and value (S). */
static void ref_forward(const double *P, double *logits, double *value, uint8_t *mask)
{
    const ludus_policy_arch *a = &pol.arch;
    const int M = a->memory, Hi = a->instr;
    double fc[S][64], mem[S][64], instr[S][64] = {{0}};
    for (int s = 0; Hi && s < S; s++) {
        double h[64] = {0}, next[64];
        const int32_t *wd = batch.words + (size_t)s * W;
        for (int w = 0; w < W && wd[w] != POLICY_WORD_PAD; w++) {
            ref_gru(next, P + pol.w_emb + (size_t)wd[w] * a->word_embed, h, P, pol.i_wih, pol.i_whh,
                    pol.i_bih, pol.i_bhh, a->word_embed, Hi);
            memcpy(h, next, sizeof h);
        }
        memcpy(instr[s], h, sizeof h);
    }
    for (int s = 0; s < S; s++) ref_trunk(P, batch.obs + (size_t)s * pol.obs_size, instr[s], fc[s], mask ? &mask : NULL);
    for (int t = 0; M && t < L; t++)
        for (int b = 0; b < B; b++) {
            int s = t * B + b;
            double zero[64] = {0}, h0[64];
            for (int j = 0; j < M; j++) h0[j] = batch.h0[b * M + j];
            const double *hp = batch.starts[s] ? zero : t ? mem[s - B] : h0;
            ref_gru(mem[s], fc[s], hp, P, pol.m_wih, pol.m_whh, pol.m_bih, pol.m_bhh, a->hidden, M);
        }
    for (int s = 0; s < S; s++) {
        double z[128];
        int F = M ? M : a->hidden;
        for (int j = 0; j < F; j++) z[j] = M ? mem[s][j] : fc[s][j];
        for (int j = 0; j < Hi; j++) z[F + j] = instr[s][j];
        for (int head = 0; head < 2; head++) {
            size_t w0 = head ? pol.v0_w : pol.a0_w, b0 = head ? pol.v0_b : pol.a0_b;
            size_t w2 = head ? pol.v2_w : pol.a2_w, b2 = head ? pol.v2_b : pol.a2_b;
            int out = head ? 1 : A;
            double h[64];
            for (int j = 0; j < a->head; j++) {
                double x = P[b0 + j];
                for (int k = 0; k < pol.zdim; k++) x += P[w0 + (size_t)j * pol.zdim + k] * z[k];
                h[j] = tanh(x);
            }
            for (int j = 0; j < out; j++) {
                double x = P[b2 + j];
                for (int k = 0; k < a->head; k++) x += P[w2 + (size_t)j * a->head + k] * h[k];
                if (head) value[s] = x;
                else logits[s * A + j] = x;
            }
        }
    }
}

static double ref_loss(const double *P, uint8_t *mask)
{
    double logits[S * A], value[S], l = 0.0;
    ref_forward(P, logits, value, mask);
    for (int i = 0; i < S * A; i++) l += logits[i] * R1[i];
    for (int i = 0; i < S; i++) l += value[i] * R2[i];
    return l;
}

static void check_policy(const char *name, int memory, int instr, int direction, int film, uint64_t seed)
{
    ludus_ppo_config cfg;
    ludus_ppo_config_default(&cfg, NULL);
    ludus_policy_arch arch = cfg.arch;
    arch.embed = 3; arch.conv1 = 4; arch.conv2 = 5; arch.hidden = 6; arch.head = 5;
    arch.memory = memory; arch.instr = instr; arch.word_embed = 3; arch.max_words = W;
    arch.direction = direction;
    arch.film = film;
    enum { D = V * V * 3 + 1 };
    CHECK_OK(policy_create(&pol, &arch, V, A, D));
    ludus_rng rng;
    ludus_rng_seed(&rng, seed);
    CHECK_OK(policy_init(&pol, &rng));
    /* Larger weights than the init's so every path carries signal. */
    for (size_t i = 0; i < pol.params.size; i++) pol.params.data[i] += (float)(0.3 * ludus_nn_normal(&rng));
    CHECK_OK(policy_ws_create(&ws, &pol, S));
    static uint8_t obs[S * D];
    for (size_t i = 0; i < sizeof obs; i++) obs[i] = (uint8_t)ludus_rng_integers(&rng, 0, 12); /* some out of range */
    /* Missions shorter than and longer than max_words, one with an
     * unknown word, an empty one, and one that two samples share (the
     * encoder runs once per distinct mission and sums their gradients). */
    static int32_t words[S * W];
    const char *missions[S] = {"go to the red ball", "open door", "pick up the blue key then open the door",
                               "go to the zorblax", "", "go to the red ball"};
    for (int s = 0; s < S; s++) policy_tokenize(&pol, missions[s], words + s * W);
    float h0[B * NMAX];
    for (int i = 0; i < B * NMAX; i++) h0[i] = (float)(0.5 * ludus_nn_normal(&rng));
    uint8_t starts[S] = {0, 1, 0, 0, 1, 0}; /* world 1 restarts at t = 0, world 0 at t = 2 */
    batch = (policy_batch){.L = L, .B = B, .obs = obs, .words = instr ? words : NULL,
                           .h0 = memory ? h0 : NULL, .starts = starts};
    for (int i = 0; i < S * A; i++) R1[i] = (float)ludus_nn_normal(&rng);
    for (int i = 0; i < S; i++) R2[i] = (float)ludus_nn_normal(&rng);

    /* The float forward against the reference. */
    const size_t NP = pol.params.size;
    double *P = malloc(NP * sizeof *P), logits[S * A], value[S];
    for (size_t i = 0; i < NP; i++) P[i] = pol.params.data[i];
    policy_forward(&pol, pol.params.data, &ws, &batch);
    ref_forward(P, logits, value, NULL);
    double fworst = 0.0;
    for (int i = 0; i < S * A; i++) fworst = fmax(fworst, fabs(ws.logits[i] - logits[i]) / (1.0 + fabs(logits[i])));
    for (int i = 0; i < S; i++) fworst = fmax(fworst, fabs(ws.value[i] - value[i]) / (1.0 + fabs(value[i])));
    CHECK_MSG(fworst < 1e-5, "%s seed %llu: forward differs from the reference by %.3g", name,
              (unsigned long long)seed, fworst);

    /* The float backward against the reference's finite differences. */
    memcpy(ws.dlogits, R1, sizeof R1);
    memcpy(ws.dvalue, R2, sizeof R2);
    memset(ws.grad, 0, NP * sizeof(float));
    policy_backward(&pol, pol.params.data, &ws, &batch);
    enum { MASK_CAP = S * (V * V * 16 + 64) };
    static uint8_t mask0[MASK_CAP], maskp[MASK_CAP], maskm[MASK_CAP];
    ref_loss(P, mask0);
    /* The float network must sit on the same side of every kink. */
    size_t n1 = (size_t)pol.h1 * pol.h1 * arch.conv1, n2 = (size_t)pol.flat, n3 = (size_t)arch.hidden;
    size_t k = 0, flips = 0;
    for (int s = 0; s < S; s++) {
        for (size_t i = 0; i < n1; i++) flips += (ws.c1[s * n1 + i] > 0.0f) != mask0[k++];
        for (size_t i = 0; i < n2; i++) flips += (ws.c2[s * n2 + i] > 0.0f) != mask0[k++];
        for (size_t i = 0; i < n3; i++) flips += (ws.fc[s * n3 + i] > 0.0f) != mask0[k++];
    }
    CHECK_MSG(flips == 0, "%s seed %llu: %zu ReLU units differ between float and double", name,
              (unsigned long long)seed, flips);
    const double h = 1e-6;
    double *num = malloc(NP * sizeof *num);
    for (int t = 0; t < pol.params.count; t++) {
        const ludus_nn_tensor *T = &pol.params.tensors[t];
        size_t bad = 0, kinks = 0;
        double worst = 0.0, scale = 0.0;
        for (size_t j = 0; j < T->numel; j++) {
            double *x = P + T->offset + j, keep = *x;
            *x = keep + h;
            double lp = ref_loss(P, maskp);
            *x = keep - h;
            double lm = ref_loss(P, maskm);
            *x = keep;
            /* A ReLU input within 1e-6 of zero: the loss has a kink
             * there and no derivative to compare. Rare by construction. */
            if (memcmp(maskp, mask0, MASK_CAP) || memcmp(maskm, mask0, MASK_CAP)) {
                num[T->offset + j] = NAN;
                kinks++;
                continue;
            }
            num[T->offset + j] = (lp - lm) / (2.0 * h);
            scale = fmax(scale, fabs(num[T->offset + j]));
        }
        /* float32 rounding in the backward: about 1e-5 of the tensor's
         * largest entry (measured); a wrong term shows at 1e-2 or more. */
        for (size_t j = 0; j < T->numel; j++) {
            double n = num[T->offset + j], an = ws.grad[T->offset + j];
            if (isnan(n)) continue;
            double err = fabs(n - an) / (1e-3 * fabs(n) + 1e-4 * scale + 1e-30);
            worst = fmax(worst, err);
            if (err > 1.0) {
                if (bad < 3)
                    fprintf(stderr, "  %s seed %llu %s[%zu]: numeric %.8g analytic %.8g (largest %.3g)\n", name,
                            (unsigned long long)seed, T->name, j, n, an, scale);
                bad++;
            }
        }
        CHECK_MSG(bad == 0, "%s seed %llu: %s: %zu of %zu entries disagree (worst %.3g of the tolerance)",
                  name, (unsigned long long)seed, T->name, bad, T->numel, worst);
        CHECK_MSG(kinks <= 1, "%s seed %llu: %s: %zu entries at kinks", name, (unsigned long long)seed,
                  T->name, kinks);
        if (getenv("LUDUS_TEST_VERBOSE"))
            fprintf(stderr, "%s seed %llu %-20s n %4zu kinks %zu worst %.3f of the tolerance\n", name,
                    (unsigned long long)seed, T->name, T->numel, kinks, worst);
    }
    free(num);
    free(P);
    policy_ws_destroy(&ws);
    policy_destroy(&pol);
}

static void test_tokenize_and_arch(void)
{
    ludus_ppo_config cfg;
    ludus_ppo_config_default(&cfg, "BabyAI-GoToLocal-v0");
    CHECK(cfg.arch.instr > 0);
    CHECK_OK(policy_create(&pol, &cfg.arch, V, A, V * V * 3 + 1));
    int32_t w[16];
    policy_tokenize(&pol, "Go to the RED ball, zorblax", w);
    CHECK(w[0] > 1 && w[1] > 1 && w[4] > 1);
    CHECK_EQ(w[5], POLICY_WORD_UNK);
    CHECK_EQ(w[6], POLICY_WORD_PAD);
    int32_t w2[16];
    policy_tokenize(&pol, "go to the red ball", w2);
    CHECK(memcmp(w, w2, 5 * sizeof(int32_t)) == 0);
    policy_destroy(&pol);

    char buf[512];
    policy_arch_to_json(&cfg.arch, buf, sizeof buf);
    ludus_policy_arch back;
    CHECK_OK(policy_arch_from_json(buf, &back));
    CHECK(memcmp(&back, &cfg.arch, sizeof back) == 0);
    CHECK_ERR(policy_arch_from_json("{\"embed\": 8}", &back), LUDUS_EFORMAT); /* keys missing */
    CHECK_ERR(policy_arch_from_json("not json", &back), LUDUS_EFORMAT);
    char bad[600];
    snprintf(bad, sizeof bad, "%.*s, \"extra\": 1}", (int)strlen(buf) - 1, buf);
    CHECK_ERR(policy_arch_from_json(bad, &back), LUDUS_EFORMAT);
    const char *old = "{\"embed\": 8, \"conv1\": 16, \"conv2\": 32, \"kernel\": 3, \"hidden\": 64, \"head\": 64, "
                      "\"memory\": 0, \"instr\": 0, \"word_embed\": 32, \"max_words\": 16}";
    CHECK_OK(policy_arch_from_json(old, &back));
    CHECK_EQ(back.direction, 0);
    snprintf(bad, sizeof bad, "%.*s, \"direction\": 2}", (int)strlen(old) - 1, old);
    CHECK_ERR(policy_arch_from_json(bad, &back), LUDUS_EFORMAT);
    ludus_policy_arch tiny = cfg.arch;
    tiny.kernel = 5; /* two 5x5 convolutions do not fit a 7x7 view */
    CHECK_ERR(policy_create(&pol, &tiny, V, A, V * V * 3 + 1), LUDUS_EINVAL);
}

int main(void)
{
    for (uint64_t seed = 5; seed < 8; seed++) {
        check_policy("default", 0, 0, 0, 0, seed);
        check_policy("direction", 0, 0, 1, 0, seed);
        check_policy("memory", NMAX, 0, 0, 0, seed);
        check_policy("instruction", 0, 4, 0, 0, seed);
        check_policy("instruction+film", 0, 4, 0, 1, seed);
        check_policy("memory+instruction+film+direction", NMAX, 4, 1, 1, seed);
    }
    test_tokenize_and_arch();
    return check_finish("test_learn_policy");
}
