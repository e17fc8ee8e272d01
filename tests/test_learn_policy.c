/* test_learn_policy.c: the grid policies' backward passes against finite
 * differences of their forward passes, through the whole network: the
 * default policy, the GRU memory trained through time with an episode
 * restart inside the sequence, and the instruction-conditioned policy
 * with missions of different lengths. Also the mission tokenizer and the
 * architecture's JSON form, including its malformed inputs.
 */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "learn/policy.h"

enum { V = 7, A = 7, L = 3, B = 2, S = L * B };
static policy pol;
static policy_ws ws;
static policy_batch batch;
static float R1[S * A], R2[S];

static double loss(void)
{
    policy_forward(&pol, pol.params.data, &ws, &batch);
    double s = 0.0;
    for (int i = 0; i < S * A; i++) s += (double)ws.logits[i] * R1[i];
    for (int i = 0; i < S; i++) s += (double)ws.value[i] * R2[i];
    return s;
}

static void check_policy(const char *name, int memory, int instr)
{
    ludus_ppo_config cfg;
    ludus_ppo_config_default(&cfg, NULL);
    ludus_policy_arch arch = cfg.arch;
    arch.embed = 3; arch.conv1 = 4; arch.conv2 = 5; arch.hidden = 6; arch.head = 5;
    arch.memory = memory; arch.instr = instr; arch.word_embed = 3; arch.max_words = 5;
    size_t D = V * V * 3 + 1;
    CHECK_OK(policy_create(&pol, &arch, V, A, D));
    ludus_rng rng;
    ludus_rng_seed(&rng, 5);
    CHECK_OK(policy_init(&pol, &rng));
    /* Larger output weights than the init's so every path carries signal. */
    for (size_t i = 0; i < pol.params.size; i++) pol.params.data[i] += (float)(0.3 * ludus_nn_normal(&rng));
    CHECK_OK(policy_ws_create(&ws, &pol, S));
    static uint8_t obs[S * (V * V * 3 + 1)];
    for (size_t i = 0; i < sizeof obs; i++) obs[i] = (uint8_t)ludus_rng_integers(&rng, 0, 6);
    static int32_t words[S * 5];
    const char *missions[B] = {"go to the red ball", "open door"};
    for (int s = 0; s < S; s++) policy_tokenize(&pol, missions[s % B], words + s * 5);
    float h0[B * 8];
    for (int i = 0; i < B * 8; i++) h0[i] = (float)(0.5 * ludus_nn_normal(&rng));
    uint8_t starts[S] = {0, 1, 0, 0, 1, 0}; /* world 1 restarts at t = 0, world 0 at t = 2 */
    batch = (policy_batch){.L = L, .B = B, .obs = obs, .words = instr ? words : NULL,
                           .h0 = memory ? h0 : NULL, .starts = starts};
    for (int i = 0; i < S * A; i++) R1[i] = (float)ludus_nn_normal(&rng);
    for (int i = 0; i < S; i++) R2[i] = (float)ludus_nn_normal(&rng);
    loss();
    memcpy(ws.dlogits, R1, sizeof R1);
    memcpy(ws.dvalue, R2, sizeof R2);
    memset(ws.grad, 0, pol.params.size * sizeof(float));
    policy_backward(&pol, pol.params.data, &ws, &batch);
    float *grad = malloc(pol.params.size * sizeof(float));
    memcpy(grad, ws.grad, pol.params.size * sizeof(float));
    const float eps = 1e-3f;
    for (int t = 0; t < pol.params.count; t++) {
        const ludus_nn_tensor *T = &pol.params.tensors[t];
        size_t bad = 0, kinks = 0, tried = 0, step = T->numel > 60 ? T->numel / 60 : 1;
        double worst = 0, l0 = loss();
        for (size_t j = 0; j < T->numel; j += step) {
            float *x = pol.params.data + T->offset + j, keep = *x;
            *x = keep + eps;
            double lp = loss();
            *x = keep - eps;
            double lm = loss();
            *x = keep;
            tried++;
            /* A ReLU switching inside [x - eps, x + eps] bends the loss;
             * the central difference is then meaningless, so skip it. */
            if (fabs(lp - 2 * l0 + lm) > 0.05 * fabs(lp - lm) + 1e-5) {
                kinks++;
                continue;
            }
            double num = (lp - lm) / (2 * eps), ana = grad[T->offset + j];
            double err = fabs(num - ana) / (2e-2 + fabs(num) + fabs(ana));
            if (err > worst) worst = err;
            if (err > 3e-2) {
                if (bad < 2) fprintf(stderr, "  %s %s[%zu]: numeric %.6g analytic %.6g (loss %.6g)\n", name, T->name, j, num, ana, l0);
                bad++;
            }
        }
        /* One stray entry per tensor is float32 rounding in a deep float
         * forward or a ReLU switching within rounding distance; a wrong
         * formula shows in many entries. */
        CHECK_MSG(bad <= 1, "%s: %s: %zu entries disagree (worst %.3g)", name, T->name, bad, worst);
        CHECK_MSG(kinks * 5 <= tried, "%s: %s: %zu of %zu entries at kinks", name, T->name, kinks, tried);
    }
    free(grad);
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
    ludus_policy_arch tiny = cfg.arch;
    tiny.kernel = 5; /* two 5x5 convolutions do not fit a 7x7 view */
    CHECK_ERR(policy_create(&pol, &tiny, V, A, V * V * 3 + 1), LUDUS_EINVAL);
}

int main(void)
{
    check_policy("default", 0, 0);
    check_policy("memory", 8, 0);
    check_policy("instruction", 0, 4);
    check_policy("memory+instruction", 8, 4);
    test_tokenize_and_arch();
    return check_finish("test_learn_policy");
}
