/* offline.h: the learners that learn from datasets (data.h) rather than
 * from the world: behaviour cloning (bc_learner.c), the registry's "bc",
 * and discrete conservative Q-learning (cql_learner.c), its "cql".
 */
#ifndef LUDUS_LEARN_OFFLINE_H
#define LUDUS_LEARN_OFFLINE_H

#include <stdint.h>

#include "ludus/learner.h"
#include "ludus/learn.h"

extern const ludus_learner_ops ludus_bc_learner;

/* What every offline learner shares (bc_learner.c). The defaults: a
 * feed-forward network (no memory: transitions are sampled singly), the
 * world's train options, 1M steps. */
void ludus_offline_defaults(ludus_policy_arch *arch, ludus_run_config *run, const ludus_env_info *info);
/* The checks: a dataset named, arch.memory 0, an architecture that
 * round-trips; one-line LUDUS_EINVAL messages naming learner `name`. */
int ludus_offline_check(const char *name, const char *dataset, const ludus_policy_arch *arch);
extern const ludus_learner_ops ludus_cql_learner;

/* The CQL(H) loss of B samples of a minibatch of `total` (Kumar et al.
 * 2020, discrete form): sum_b [huber(q[b, a_b] - y[b]) + alpha *
 * (logsumexp_a q[b, a] - q[b, a_b])] / total. Writes dq (B, A), its
 * gradient in q, and td[b] = q[b, a_b] - y[b]; parts (NULL: not wanted)
 * gets the TD part and the conservative term without alpha. */
double ludus_cql_loss(const float *q, const int32_t *acts, const float *y, int B, int A, float delta, float alpha,
                      int total, float *dq, float *td, double *parts);

/* The same with action branching (D components of nvec values, q (B, sum
 * nvec), acts (B, D)) and optional legal-action masks (B, sum nvec; NULL:
 * all legal): dqn.c's branched TD loss (ludus_dqn_branch_loss, td as it
 * writes it) plus alpha * sum_b (1/D) sum_d [logsumexp over the legal
 * values i of q[b, d, i] - q[b, d, a_bd]] / total; forbidden values get
 * no gradient. Each recorded a_bd must be legal. */
double ludus_cql_branch_loss(const float *q, const int32_t *acts, const float *y, const uint8_t *mask, int B, int D,
                             const int *nvec, float delta, float alpha, int total, float *dq, float *td, double *parts);

#endif
