/* dqn.h: the parts of the DQN learner (dqn_learner.c) that are math of
 * their own, kept apart so tests/test_learn_dqn.c can check each against a
 * reference model: the epsilon schedule, the Q values of the actor head
 * (plain or dueling) and their gradient, the Huber loss, the target of one
 * transition (plain or Double DQN), the n-step window that turns steps into
 * transitions, and the sum tree of prioritized replay.
 */
#ifndef LUDUS_LEARN_DQN_H
#define LUDUS_LEARN_DQN_H

#include <stddef.h>
#include <stdint.h>

#include "ludus/learn.h"
#include "ludus/ludus.h"
#include "ludus/learner.h"
#include "learn/policy.h"

#define LUDUS_DQN_MAX_ENSEMBLE 64

/* The learner's configuration (its own keys; the run's are ludus_run_config). */
typedef struct ludus_dqn_config {
    int num_envs;          /* worlds stepped together */
    int rollout_steps;     /* world steps (of every world) per learner update (metrics row) */
    int buffer_size;       /* transitions the replay ring holds */
    int batch_size;
    int learning_starts;   /* frames before the first gradient step */
    int train_freq;        /* world steps (of every world) between gradient phases */
    int gradient_steps;    /* gradient steps per phase */
    float lr;
    float gamma;
    float adam_eps;
    float max_grad_norm;
    float huber_delta;
    int target_update;     /* gradient steps between target updates */
    float tau;             /* target <- tau * online + (1 - tau) * target; 1: a hard copy */
    float eps_start, eps_end;
    float eps_fraction;    /* of total_steps over which epsilon falls linearly */
    float eval_epsilon;    /* the agent's epsilon when not greedy */
    int double_q;          /* 1: Double DQN targets (van Hasselt et al. 2016) */
    int dueling;           /* 1: Q = V + A - mean(A) (Wang et al. 2016) */
    int n_step;            /* n-step returns (Sutton 1988; Hessel et al. 2018) */
    int prioritized;       /* 1: proportional prioritized replay (Schaul et al. 2016) */
    float per_alpha, per_beta, per_eps;
    int save_replay;       /* 1: the training state holds the replay and the worlds */
    char dataset[1024];    /* offline-to-online (RLPD): a dataset of `ludus collect`; "" none */
    float offline_ratio;   /* with a dataset: the fraction of each minibatch drawn from it */
    int ensemble;          /* E critics (RLPD, Ball et al. 2023); 1: one Q network */
    int ensemble_min;      /* M: the target is the min over M of the E target critics drawn at random; 0: min(2, E) */
    ludus_policy_arch arch;
} ludus_dqn_config;

extern const ludus_key ludus_dqn_keys[];
extern const ludus_learner_ops ludus_dqn_learner;

/* Linear epsilon: start at frame 0, end from fraction * total frames on. */
float ludus_dqn_epsilon(float start, float end, float fraction, uint64_t frame, uint64_t total);

/* Q values (B, A) from the actor head's outputs (B, A) and the value
 * head's (B): the outputs themselves, or with dueling V + A - mean(A). */
void ludus_dqn_q_values(const float *adv, const float *value, int B, int A, int dueling, float *q);
/* Back through ludus_dqn_q_values: dq (B, A) -> dadv (B, A), dvalue (B)
 * (written, not added; dvalue zero without dueling). */
void ludus_dqn_q_backward(const float *dq, int B, int A, int dueling, float *dadv, float *dvalue);

/* Huber (smooth L1) loss of x with threshold delta, and its derivative in *grad. */
float ludus_dqn_huber(float x, float delta, float *grad);

/* The target of one transition: ret + disc * Q_target(s', a*), a* the
 * argmax of q_online_next (Double DQN) or of q_target_next (plain); disc
 * is 0 for a terminal transition. */
float ludus_dqn_target(const float *q_online_next, const float *q_target_next, int A, int double_q, float ret,
                       float disc);

/* The Huber loss of B samples of a minibatch of `total` against their
 * targets: td[b] = q[b, a_b] - y[b]; returns sum_b w_b huber(td_b) / total
 * and writes dq (B, A), its gradient in q (zero but at the actions
 * taken). w NULL: weights 1. */
double ludus_dqn_loss(const float *q, const int32_t *acts, const float *y, const float *w, int B, int A, float delta,
                      int total, float *dq, float *td);

/* The n-step window of each world: steps go in, transitions
 * (obs, action, R = sum_j gamma^j r_j, discount gamma^k or 0 at a
 * termination, the observation k steps later) come out, oldest first. */
typedef struct dqn_nstep {
    int n, worlds;
    size_t D;             /* observation bytes */
    int words;            /* mission words per step (0: none) */
    float gamma;
    uint8_t *obs;         /* (worlds, n, D) */
    int32_t *act;         /* (worlds, n) */
    float *rew;           /* (worlds, n) */
    int32_t *wrd;         /* (worlds, n, words) */
    int32_t *len, *head;  /* (worlds) */
} dqn_nstep;

typedef void (*dqn_emit_fn)(void *ctx, const uint8_t *obs, int32_t action, float ret, float disc,
                            const uint8_t *next_obs, const int32_t *words);

int ludus_dqn_nstep_init(dqn_nstep *s, int n, int worlds, size_t D, int words, float gamma);
void ludus_dqn_nstep_free(dqn_nstep *s);
/* World w took action a in obs (with its mission's words, NULL when none)
 * and got reward r, ending (terminated/truncated) or not at next_obs (the
 * final observation when it ended). Emits the transitions completed. */
void ludus_dqn_nstep_push(dqn_nstep *s, int w, const uint8_t *obs, int32_t a, float r, const int32_t *words,
                          int terminated, int truncated, const uint8_t *next_obs, dqn_emit_fn emit, void *ctx);

/* A sum tree over n leaves (priorities >= 0): each inner node holds the
 * sum of its children, recomputed from them on every change, so the tree is
 * a function of the leaves alone (a resumed tree is the same tree). */
typedef struct dqn_sumtree {
    int n, cap;           /* leaves; cap a power of two >= n */
    double *node;         /* (2 cap); node[1] the total, leaves at cap + i */
} dqn_sumtree;

int ludus_dqn_sumtree_init(dqn_sumtree *t, int n);
void ludus_dqn_sumtree_free(dqn_sumtree *t);
void ludus_dqn_sumtree_set(dqn_sumtree *t, int i, double p);
double ludus_dqn_sumtree_get(const dqn_sumtree *t, int i);
double ludus_dqn_sumtree_total(const dqn_sumtree *t);
/* The leaf i whose prefix range [sum_{j<i} p_j, sum_{j<=i} p_j) holds u
 * (0 <= u < total); a leaf of positive priority even where rounding
 * would point past the last one. */
int ludus_dqn_sumtree_find(const dqn_sumtree *t, double u);

/* Proportional prioritized sampling (Schaul et al. 2016): B draws, the
 * b-th uniform in the b-th of B equal slices of the total priority (among
 * the first `size` leaves), and each draw's importance weight
 * (size * P(i))^-beta divided by the largest of the batch. */
void ludus_dqn_per_sample(const dqn_sumtree *t, int size, int B, float beta, ludus_rng *rng, int *idx, float *w);

/* RLPD's symmetric sampling (Ball, Smith, Kostrikov and Levine 2023):
 * the rows of a minibatch of B that come from the offline data,
 * round(ratio * B) (halves rounded up), 0 <= k <= B. */
int ludus_dqn_offline_rows(int B, float ratio);
/* Uniform draws for a mixed minibatch: idx[0..k) from [0, n_offline), the
 * offline rows, then idx[k..B) from [0, n_online), the replay's, in that
 * order from rng. n_offline >= 1 when k > 0, n_online >= 1 when k < B. */
void ludus_dqn_mix_sample(ludus_rng *rng, int B, int k, int64_t n_offline, int n_online, int64_t *idx);

/* Action branching (Tavakoli, Pardo and Kormushev 2018, "Action Branching
 * Architectures for Deep Reinforcement Learning") for worlds of D action
 * components (component d takes 0..nvec[d]-1) and legal-action masks: the
 * actor head's sum(nvec) outputs are D branches, one Q head each; with
 * dueling a shared V(s) plus each branch's advantages less their mean
 * (the paper's eq. 1). Masks are sum(nvec) bytes, branch after branch, 1
 * where legal; NULL: every value legal. With D = 1 and no mask these are
 * the functions above. */

/* A whole action (D components) as one int32 in mixed radix, component 0
 * the most significant (D = 1: the action itself), and back. The caller
 * ensures prod(nvec) <= INT32_MAX. */
int32_t ludus_dqn_action_code(const int32_t *act, int D, const int *nvec);
void ludus_dqn_action_decode(int32_t code, int D, const int *nvec, int32_t *act);

/* Q values (B, sum nvec) of each branch from the actor head's outputs and
 * the shared value head's (B), and back (dvalue the sum over branches). */
void ludus_dqn_branch_q_values(const float *adv, const float *value, int B, int D, const int *nvec, int dueling,
                               float *q);
void ludus_dqn_branch_q_backward(const float *dq, int B, int D, const int *nvec, int dueling, float *dadv,
                                 float *dvalue);

/* The greedy action of one sample: per branch the first largest Q among
 * its legal values. Returns 0, or -1 when some branch has no legal value
 * (that branch then gets 0). */
int ludus_dqn_branch_greedy(const float *q, const uint8_t *mask, int D, const int *nvec, int32_t *act);
/* A uniformly random legal action: per branch k = ludus_rng_integers(rng,
 * 0, its legal count) and the k-th legal value (ludus_agent_random's draw). */
void ludus_dqn_branch_random(ludus_rng *rng, const uint8_t *mask, int D, const int *nvec, int32_t *act);

/* The paper's "mean" target (its eq. 6, the variant it uses): ret + disc *
 * (1/D) sum_d Q_target,d(s', a*_d), a*_d the legal argmax of branch d of
 * q_online_next (Double DQN) or q_target_next, under the next state's
 * mask; disc 0: ret. */
float ludus_dqn_branch_target(const float *q_online_next, const float *q_target_next, const uint8_t *mask, int D,
                              const int *nvec, int double_q, float ret, float disc);

/* The branched loss: sum_b w_b (1/D) sum_d huber(Q_d(s_b, a_bd) - y_b) /
 * total, acts (B, D); writes dq (B, sum nvec), its gradient, and td[b] =
 * (1/D) sum_d |Q_d - y_b| (what priorities use). */
double ludus_dqn_branch_loss(const float *q, const int32_t *acts, const float *y, const float *w, int B, int D,
                             const int *nvec, float delta, int total, float *dq, float *td);

/* The critic ensemble (RLPD's, Ball, Smith, Kostrikov and Levine 2023,
 * after REDQ, Chen et al. 2021): E Q networks of the same architecture,
 * each with its target network; every gradient step draws M of the E
 * members without replacement, and the target of every transition is
 * ret + disc * min over the drawn j of Q_target,j(s', a*), one a* for the
 * whole subset (the discrete stand-in for RLPD's one action of its policy
 * at s'): the argmax of the mean over the E online members' Q at s'
 * (double_q; the action the ensemble's greedy agent takes), or of the mean
 * over the drawn target members' Q (plain). Each member then regresses
 * onto that shared target with its own Huber loss. */

/* M distinct members of [0, E) uniformly (a partial Fisher-Yates shuffle,
 * M draws of ludus_rng_integers), into idx (M), in draw order. */
void ludus_dqn_ensemble_subset(ludus_rng *rng, int E, int M, int *idx);

/* One transition's ensemble target: a* the first largest of q_pick (A),
 * then ret + disc * min over m < M of q_sub[m * stride + a*] (disc 0: ret). */
float ludus_dqn_ensemble_target(const float *q_pick, const float *q_sub, size_t stride, int M, int A, float ret,
                                float disc);

/* A slice of n rows of a minibatch of `total` through the ensemble:
 * members' parameters theta (E, P) and targets target (E, P); the
 * targets y (n) from the drawn subset (M), then each member e's Huber loss
 * against y, backward into grads + e * P (added; the caller zeroes).
 * Writes y, td (n: the mean over members of |Q_e(s, a) - y|) and returns
 * the mean over members of their losses; *qsum gets the sum over rows of
 * the members' mean Q(s, a). Scratch: q (n, A), pick (n, A), sub (M, n, A).
 * ws holds n samples; its grad pointer is borrowed and restored. One
 * component, no mask (the learner refuses the ensemble elsewhere). */
double ludus_dqn_ensemble_slice(const policy *pol, policy_ws *ws, const float *theta, const float *target, int E,
                                const int *subset, int M, const uint8_t *obs, const uint8_t *next,
                                const int32_t *words, const int32_t *acts, const float *ret, const float *disc,
                                const float *w, int n, int total, int double_q, int dueling, float delta, float *q,
                                float *pick, float *sub, float *y, float *td, float *grads, double *qsum);

#endif
