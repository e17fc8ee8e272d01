/* test_learn_cql.c: discrete CQL (src/learn/cql_learner.c). The CQL(H)
 * loss and its gradient in the Q values against a reference model written
 * here (Huber TD term plus alpha times logsumexp minus the data's Q, in
 * double precision) and against central finite differences of the loss
 * itself; its config knobs refused with clear messages. The end-to-end run
 * (PPO expert -> `ludus collect` -> `ludus train --algo cql` -> `ludus
 * eval`) is tests/test_cql_cli.sh.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "learn/offline.h"
#include "ludus/learner.h"
#include "ludus/run.h"

/* reference: mean_b [huber(q[b,a_b] - y_b) + alpha (log sum_a exp q[b,a] - q[b,a_b])] */
static double ref_loss(const float *q, const int32_t *acts, const float *y, int B, int A, double delta,
                       double alpha)
{
    double total = 0.0;
    for (int b = 0; b < B; b++) {
        double x = (double)q[b * A + acts[b]] - y[b], ax = fabs(x);
        total += ax <= delta ? 0.5 * x * x : delta * (ax - 0.5 * delta);
        double s = 0.0;
        for (int a = 0; a < A; a++) s += exp((double)q[b * A + a]);
        total += alpha * (log(s) - q[b * A + acts[b]]);
    }
    return total / B;
}

static void test_loss_and_gradient(void)
{
    enum { B = 6, A = 5 };
    ludus_rng rng;
    ludus_rng_seed(&rng, 13);
    float q[B * A], y[B], dq[B * A], td[B];
    int32_t acts[B];
    for (int i = 0; i < B * A; i++) q[i] = (float)(4.0 * ludus_rng_random(&rng) - 2.0);
    q[7] = 40.0f; /* a large Q: logsumexp must not overflow */
    for (int b = 0; b < B; b++) {
        acts[b] = (int32_t)ludus_rng_integers(&rng, 0, A);
        y[b] = (float)(3.0 * ludus_rng_random(&rng) - 1.5);
    }
    const float alphas[] = {0.0f, 1.0f, 4.0f};
    for (int k = 0; k < 3; k++) {
        const float alpha = alphas[k], delta = 1.0f;
        double parts[2];
        double got = ludus_cql_loss(q, acts, y, B, A, delta, alpha, B, dq, td, parts);
        double want = ref_loss(q, acts, y, B, A, delta, alpha);
        CHECK_MSG(fabs(got - want) < 1e-5 * (1 + fabs(want)), "alpha %g: loss %.9g, reference %.9g", (double)alpha, got,
                  want);
        CHECK(fabs(parts[0] + alpha * parts[1] - got) < 1e-9 * (1 + fabs(got)));
        CHECK(parts[1] >= 0.0); /* logsumexp >= any single Q */
        for (int b = 0; b < B; b++) CHECK(fabsf(td[b] - (q[b * A + acts[b]] - y[b])) < 1e-6f);
        /* analytic: dq[b,a] = (huber'(td_b) [a == a_b] + alpha (softmax(q_b)_a - [a == a_b])) / B */
        for (int b = 0; b < B; b++) {
            double s = 0.0;
            for (int a = 0; a < A; a++) s += exp((double)q[b * A + a]);
            double x = (double)q[b * A + acts[b]] - y[b];
            double hg = fabs(x) <= delta ? x : (x > 0 ? delta : -delta);
            for (int a = 0; a < A; a++) {
                double g = ((a == acts[b]) * hg + alpha * (exp((double)q[b * A + a]) / s - (a == acts[b]))) / B;
                CHECK_MSG(fabs(dq[b * A + a] - g) < 1e-6, "alpha %g dq[%d,%d] %g, reference %g", (double)alpha, b, a,
                          (double)dq[b * A + a], g);
            }
        }
        /* central finite differences of the loss itself */
        float scratch[B * A], tds[B];
        const float h = 1e-2f;
        for (int i = 0; i < B * A; i++) {
            float qq[B * A];
            memcpy(qq, q, sizeof qq);
            qq[i] = q[i] + h;
            double up = ludus_cql_loss(qq, acts, y, B, A, delta, alpha, B, scratch, tds, NULL);
            qq[i] = q[i] - h;
            double dn = ludus_cql_loss(qq, acts, y, B, A, delta, alpha, B, scratch, tds, NULL);
            double fd = (up - dn) / (2.0 * ((double)(q[i] + h) - (double)q[i]));
            CHECK_MSG(fabs(fd - dq[i]) < 2e-3 * (1 + fabs(fd)), "alpha %g: fd %g vs dq %g at %d", (double)alpha, fd,
                      (double)dq[i], i);
        }
    }
    /* a minibatch split over `total`: two halves sum to the whole */
    double whole = ludus_cql_loss(q, acts, y, B, A, 1.0f, 1.0f, B, dq, td, NULL);
    float dq2[B * A];
    double halves = ludus_cql_loss(q, acts, y, B / 2, A, 1.0f, 1.0f, B, dq2, td, NULL) +
                    ludus_cql_loss(q + (B / 2) * A, acts + B / 2, y + B / 2, B - B / 2, A, 1.0f, 1.0f, B,
                                   dq2 + (B / 2) * A, td + B / 2, NULL);
    CHECK(fabs(whole - halves) < 1e-9 * (1 + fabs(whole)));
    for (int i = 0; i < B * A; i++) CHECK(fabsf(dq[i] - dq2[i]) < 1e-7f);
}

/* key=value on a setup with a dataset: refused (at set or at check) naming the key */
/* reference of the branched, masked loss: mean_b (1/D) sum_d [huber(q[b,d,a_bd] - y_b)
 * + alpha (log sum_{legal i} exp q[b,d,i] - q[b,d,a_bd])] */
static double ref_branch_loss(const float *q, const int32_t *acts, const float *y, const uint8_t *mask, int B, int D,
                              const int *nvec, double delta, double alpha)
{
    int A = 0;
    for (int d = 0; d < D; d++) A += nvec[d];
    double total = 0.0;
    for (int b = 0; b < B; b++)
        for (int d = 0, o = 0; d < D; o += nvec[d], d++) {
            const float *qd = q + b * A + o;
            const int a = acts[b * D + d];
            double x = (double)qd[a] - y[b], ax = fabs(x), s = 0.0;
            for (int i = 0; i < nvec[d]; i++)
                if (!mask || mask[b * A + o + i]) s += exp((double)qd[i]);
            total += ((ax <= delta ? 0.5 * x * x : delta * (ax - 0.5 * delta)) + alpha * (log(s) - qd[a])) / D;
        }
    return total / B;
}

/* With action branching and a legal-action mask (ludus_cql_branch_loss,
 * what cql uses in masked worlds of several components): the reference
 * above, central finite differences in every Q value, no gradient on
 * forbidden values, and one component without a mask equal to
 * ludus_cql_loss. */
static void test_branch_loss(void)
{
    enum { B = 5, D = 3, A = 4 + 3 + 5 };
    const int nvec[D] = {4, 3, 5};
    ludus_rng rng;
    ludus_rng_seed(&rng, 29);
    float q[B * A], y[B], dq[B * A], td[B], scratch[B * A], tds[B];
    uint8_t mask[B * A];
    int32_t acts[B * D];
    for (int i = 0; i < B * A; i++) {
        q[i] = (float)(4.0 * ludus_rng_random(&rng) - 2.0);
        mask[i] = ludus_rng_random(&rng) < 0.6;
    }
    q[3] = 30.0f; /* a large Q on a value that may be forbidden */
    for (int b = 0; b < B; b++) {
        y[b] = (float)(3.0 * ludus_rng_random(&rng) - 1.5);
        for (int d = 0, o = 0; d < D; o += nvec[d], d++) {
            acts[b * D + d] = (int32_t)ludus_rng_integers(&rng, 0, nvec[d]);
            mask[b * A + o + acts[b * D + d]] = 1; /* the data's value is legal */
        }
    }
    const float alphas[] = {0.0f, 1.0f, 4.0f};
    for (int k = 0; k < 3; k++) {
        const float alpha = alphas[k], delta = 1.0f;
        for (int masked = 0; masked < 2; masked++) {
            const uint8_t *m = masked ? mask : NULL;
            double parts[2];
            double got = ludus_cql_branch_loss(q, acts, y, m, B, D, nvec, delta, alpha, B, dq, td, parts);
            double want = ref_branch_loss(q, acts, y, m, B, D, nvec, delta, alpha);
            CHECK_MSG(fabs(got - want) < 1e-5 * (1 + fabs(want)), "branched alpha %g masked %d: loss %.9g, reference %.9g",
                      (double)alpha, masked, got, want);
            CHECK(fabs(parts[0] + alpha * parts[1] - got) < 1e-9 * (1 + fabs(got)));
            const float h = 1e-2f;
            for (int i = 0; i < B * A; i++) {
                if (m && !m[i]) {
                    CHECK_MSG(dq[i] == 0.0f, "a forbidden value got gradient %g", (double)dq[i]);
                    continue;
                }
                float qq[B * A];
                memcpy(qq, q, sizeof qq);
                qq[i] = q[i] + h;
                double up = ludus_cql_branch_loss(qq, acts, y, m, B, D, nvec, delta, alpha, B, scratch, tds, NULL);
                qq[i] = q[i] - h;
                double dn = ludus_cql_branch_loss(qq, acts, y, m, B, D, nvec, delta, alpha, B, scratch, tds, NULL);
                double fd = (up - dn) / (2.0 * ((double)(q[i] + h) - (double)q[i]));
                CHECK_MSG(fabs(fd - dq[i]) < 2e-3, "branched dq[%d] %g, finite difference %g (alpha %g, masked %d)", i,
                          (double)dq[i], fd, (double)alpha, masked);
            }
        }
    }
    /* one component, no mask: the unbranched loss */
    const int one[1] = {A};
    int32_t a1[B];
    for (int b = 0; b < B; b++) a1[b] = (int32_t)ludus_rng_integers(&rng, 0, A);
    float dq1[B * A];
    double l1 = ludus_cql_branch_loss(q, a1, y, NULL, B, 1, one, 1.0f, 1.0f, B, dq, td, NULL);
    double l2 = ludus_cql_loss(q, a1, y, B, A, 1.0f, 1.0f, B, dq1, tds, NULL);
    CHECK(fabs(l1 - l2) < 1e-6 * (1 + fabs(l2)));
    for (int i = 0; i < B * A; i++) CHECK(fabsf(dq[i] - dq1[i]) < 1e-6f);
}

static void refused(const char *key, const char *value, const char *needle)
{
    ludus_run_setup *s = NULL;
    CHECK_OK(ludus_run_setup_create("MiniGrid-Empty-5x5-v0", "cql", "{\"dataset\": \"/nowhere\"}", &s));
    int rc = ludus_run_setup_set(s, key, value);
    if (!rc) rc = ludus_run_setup_check(s);
    CHECK_MSG(rc == LUDUS_EINVAL, "%s=%s accepted", key, value);
    CHECK_MSG(strstr(ludus_errmsg(), needle) != NULL && !strchr(ludus_errmsg(), '\n'), "%s", ludus_errmsg());
    ludus_run_setup_destroy(s);
}

static void test_bad_knobs(void)
{
    ludus_run_setup *s = NULL;
    CHECK_OK(ludus_run_setup_create("MiniGrid-Empty-5x5-v0", "cql", NULL, &s));
    CHECK_ERR(ludus_run_setup_check(s), LUDUS_EINVAL);
    CHECK_MSG(strstr(ludus_errmsg(), "cql needs a dataset") != NULL, "%s", ludus_errmsg());
    CHECK_OK(ludus_run_setup_set(s, "dataset", "/nowhere"));
    CHECK_OK(ludus_run_setup_check(s));
    CHECK_OK(ludus_run_setup_set(s, "alpha", "0"));
    CHECK_OK(ludus_run_setup_check(s));
    ludus_run_setup_destroy(s);
    refused("alpha", "-1", "alpha");
    refused("alpha", "1e6", "alpha");
    refused("n_step", "0", "n_step");
    refused("double_q", "2", "double_q");
    refused("gamma", "1.5", "gamma");
    refused("arch", "{\"memory\": 16}", "arch.memory");
}

int main(void)
{
    test_loss_and_gradient();
    test_branch_loss();
    test_bad_knobs();
    return check_finish("test_learn_cql");
}
