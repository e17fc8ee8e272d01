/* ppo_internal.h: what the learner's files share: the checkpoint metadata
 * keys, access to a learner's policy, and PPO's row of the learner
 * registry.
 */
#ifndef LUDUS_LEARN_PPO_INTERNAL_H
#define LUDUS_LEARN_PPO_INTERNAL_H

#include "learn/policy.h"
#include "ludus/dist.h"
#include "ludus/learner.h"

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
/* The learner's curriculum, NULL when it has none. */
ludus_curriculum *ludus_ppo_curriculum(ludus_ppo *p);
/* Reset every world (through the curriculum, if any, whose running
 * episodes are forgotten first), as after loading a training state. */
int ludus_ppo_restart_worlds(ludus_ppo *p);

/* ludus_ppo_save and ludus_ppo_save_state with `extra` metadata (key,
 * value, ..., NULL; NULL: none) added. */
int ludus_ppo_save_meta(const ludus_ppo *p, const char *path, const char *const *extra);
int ludus_ppo_save_state_meta(const ludus_ppo *p, const char *path, const char *const *extra);

/* A policy checkpoint (the format above) for any learner: the policy's
 * parameters with the world's id, sizes and layout, the architecture, the
 * steps trained and the run's configuration as JSON (config_json, whose
 * "env_options" agents read back), plus `extra` metadata (NULL: none). */
/* base's (key, value, ..., NULL) pairs then extra's (NULL: none), in one
 * malloc'd NULL-ended array for ludus_nn_save; NULL when out of memory. */
const char **ludus_checkpoint_meta_join(const char *const *base, const char *const *extra);
/* Metadata `key` of f as an unsigned number; LUDUS_EFORMAT naming path
 * when it is missing or not a number. */
int ludus_checkpoint_meta_u64(const ludus_nn_file *f, const char *path, const char *key, unsigned long long *out);
/* The curriculum's bytes a training state (f, read from path) carries in
 * its tensor "curriculum" (two bytes per float) into a malloc'd *bytes of
 * *size bytes the caller frees. LUDUS_ENOTFOUND when it holds none,
 * LUDUS_EFORMAT for a damaged tensor; *bytes NULL on failure. */
int ludus_checkpoint_curriculum_bytes(const ludus_nn_file *f, const char *path, uint8_t **bytes, size_t *size);
int ludus_policy_checkpoint_save(const char *path, const policy *pol, const ludus_env_info *info, uint64_t steps,
                                 const char *config_json, const char *const *extra);
/* Load a policy checkpoint written for `info`'s world into pol, whose
 * architecture must equal the file's (LUDUS_EINVAL otherwise; LUDUS_EFORMAT
 * for a defective file). */
int ludus_policy_checkpoint_load(const char *path, policy *pol, const ludus_env_info *info);

/* config.c: PPO's own keys, its defaults and checks as a learner, and the
 * run keys copied into a ludus_ppo_config. */
extern const ludus_key ludus_ppo_keys[];
void ludus_ppo_config_defaults(void *cfg, ludus_run_config *run, const ludus_env_info *info);
int ludus_ppo_config_check_learner(const void *cfg, const ludus_run_config *run);
void ludus_ppo_config_join(ludus_ppo_config *c, const ludus_run_config *run);

/* run.c: a flat JSON object applied to the run keys and a learner's
 * (copies changed, committed whole), and printed. */
int ludus_run_config_apply_flat(ludus_run_config *run, const ludus_key *lkeys, void *lcfg, size_t lsize,
                                const char *json);
int ludus_run_config_to_json_flat(const ludus_run_config *run, const ludus_key *lkeys, const void *lcfg,
                                  char *buf, size_t cap);

/* ludus_ppo_create as one rank of dist (NULL: one process): the rank
 * steps its share of cfg->num_envs (the run's worlds over all ranks) and
 * every update's gradients and metrics are summed over the ranks (ppo.c).
 * dist must outlive the learner. LUDUS_EINVAL for fewer worlds than ranks. */
int ludus_ppo_create_dist(const ludus_ppo_config *cfg, ludus_dist *dist, ludus_ppo **out);

/* ppo_learner.c: PPO as the registry's first row, "ppo". */
extern const ludus_learner_ops ludus_ppo_learner;

#endif
