/* ppo_internal.h: what the learner's files share: the checkpoint metadata
 * keys and access to a learner's policy.
 */
#ifndef LUDUS_LEARN_PPO_INTERNAL_H
#define LUDUS_LEARN_PPO_INTERNAL_H

#include "learn/policy.h"

#define CKPT_FORMAT "ludus-policy-1"
#define CKPT_KEY_FORMAT "ludus.format"
#define CKPT_KEY_ENV "ludus.env"
#define CKPT_KEY_ARCH "ludus.arch"
#define CKPT_KEY_OBS "ludus.obs_size"
#define CKPT_KEY_ACTIONS "ludus.num_actions"
#define CKPT_KEY_STEPS "ludus.steps"
#define CKPT_KEY_CONFIG "ludus.config"
#define CKPT_KEY_LAYOUT "ludus.obs_fields"

/* The learner's policy and its bookkeeping, for checkpoint.c. */
policy *ludus_ppo_policy(ludus_ppo *p);
const policy *ludus_ppo_policy_const(const ludus_ppo *p);
const ludus_ppo_config *ludus_ppo_cfg_of(const ludus_ppo *p);
const ludus_env_info *ludus_ppo_env_info(const ludus_ppo *p);
ludus_nn_adam *ludus_ppo_adam(ludus_ppo *p);
int *ludus_ppo_update_counter(ludus_ppo *p);
uint64_t *ludus_ppo_step_counter(ludus_ppo *p);
void ludus_ppo_reseed(ludus_ppo *p);

#endif
