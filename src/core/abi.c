/* abi.c: the layout of every public struct as the compiler laid it out, so
 * bindings that mirror the structs (python/ludus/_lib.py's ctypes classes)
 * check themselves against the library they load instead of trusting that
 * the header and the mirror were edited together. A struct is listed once
 * here; a binding compares its own list with this one.
 */
#include <stddef.h>

#include "ludus/data.h"
#include "ludus/ludus.h"
#include "ludus/learn.h"
#include "ludus/run.h"

#define STRUCT(T) {#T, NULL, 0, sizeof(T)},
#define FIELD(T, f) {#T, #f, offsetof(T, f), sizeof(((T *)0)->f)},

static const ludus_abi_field layout[] = {
    STRUCT(ludus_abi_field) FIELD(ludus_abi_field, type) FIELD(ludus_abi_field, field)
    FIELD(ludus_abi_field, offset) FIELD(ludus_abi_field, size)

    STRUCT(ludus_rng) FIELD(ludus_rng, state_hi) FIELD(ludus_rng, state_lo) FIELD(ludus_rng, inc_hi)
    FIELD(ludus_rng, inc_lo) FIELD(ludus_rng, buf32) FIELD(ludus_rng, has32)

    STRUCT(ludus_obs_field) FIELD(ludus_obs_field, name) FIELD(ludus_obs_field, offset)
    FIELD(ludus_obs_field, ndim)
    FIELD(ludus_obs_field, shape) FIELD(ludus_obs_field, low) FIELD(ludus_obs_field, high)
    FIELD(ludus_obs_field, space_low) FIELD(ludus_obs_field, space_high) FIELD(ludus_obs_field, kind)

    STRUCT(ludus_key_binding) FIELD(ludus_key_binding, key) FIELD(ludus_key_binding, action)
    FIELD(ludus_key_binding, label)

    STRUCT(ludus_env_info) FIELD(ludus_env_info, id) FIELD(ludus_env_info, family)
    FIELD(ludus_env_info, description) FIELD(ludus_env_info, num_actions) FIELD(ludus_env_info, max_action)
    FIELD(ludus_env_info, action_names) FIELD(ludus_env_info, obs_size) FIELD(ludus_env_info, num_obs_fields)
    FIELD(ludus_env_info, obs_fields) FIELD(ludus_env_info, state_size) FIELD(ludus_env_info, width)
    FIELD(ludus_env_info, height) FIELD(ludus_env_info, max_steps) FIELD(ludus_env_info, text_capacity)
    FIELD(ludus_env_info, mission_capacity) FIELD(ludus_env_info, options_doc)
    FIELD(ludus_env_info, num_achievements) FIELD(ludus_env_info, achievement_names) FIELD(ludus_env_info, keys)
    FIELD(ludus_env_info, train_options) FIELD(ludus_env_info, flags) FIELD(ludus_env_info, action_dims)
    FIELD(ludus_env_info, action_nvec) FIELD(ludus_env_info, mask_size) FIELD(ludus_env_info, easy_options)

    STRUCT(ludus_step_out) FIELD(ludus_step_out, reward) FIELD(ludus_step_out, terminated)
    FIELD(ludus_step_out, truncated) FIELD(ludus_step_out, success) FIELD(ludus_step_out, reserved)
    FIELD(ludus_step_out, achievements)

    STRUCT(ludus_render_opts) FIELD(ludus_render_opts, tile_size) FIELD(ludus_render_opts, agent_view)
    FIELD(ludus_render_opts, highlight)

    STRUCT(ludus_episode_stats) FIELD(ludus_episode_stats, episodes) FIELD(ludus_episode_stats, successes)
    FIELD(ludus_episode_stats, steps) FIELD(ludus_episode_stats, return_sum)
    FIELD(ludus_episode_stats, return_sq_sum) FIELD(ludus_episode_stats, truncations)

    STRUCT(ludus_vec_config) FIELD(ludus_vec_config, env_id) FIELD(ludus_vec_config, env_options)
    FIELD(ludus_vec_config, num_envs) FIELD(ludus_vec_config, num_threads) FIELD(ludus_vec_config, level_start)
    FIELD(ludus_vec_config, level_count) FIELD(ludus_vec_config, seed) FIELD(ludus_vec_config, obs)
    FIELD(ludus_vec_config, rewards) FIELD(ludus_vec_config, terminated) FIELD(ludus_vec_config, truncated)
    FIELD(ludus_vec_config, final_obs) FIELD(ludus_vec_config, final_mask) FIELD(ludus_vec_config, action_masks)
    FIELD(ludus_vec_config, world_offset)

    STRUCT(ludus_run_progress) FIELD(ludus_run_progress, update) FIELD(ludus_run_progress, steps)
    FIELD(ludus_run_progress, total_steps) FIELD(ludus_run_progress, wall_s)
    FIELD(ludus_run_progress, steps_per_s) FIELD(ludus_run_progress, seconds_left)
    FIELD(ludus_run_progress, ret) FIELD(ludus_run_progress, checkpointed)
    STRUCT(ludus_agent_input) FIELD(ludus_agent_input, n) FIELD(ludus_agent_input, greedy)
    FIELD(ludus_agent_input, obs_size) FIELD(ludus_agent_input, obs) FIELD(ludus_agent_input, missions)
    FIELD(ludus_agent_input, texts) FIELD(ludus_agent_input, starts) FIELD(ludus_agent_input, rngs)
    FIELD(ludus_agent_input, action_dims) FIELD(ludus_agent_input, action_sizes)
    FIELD(ludus_agent_input, action_mask)
    STRUCT(ludus_estimate) FIELD(ludus_estimate, mean) FIELD(ludus_estimate, lo) FIELD(ludus_estimate, hi)
    STRUCT(ludus_eval_result) FIELD(ludus_eval_result, episodes) FIELD(ludus_eval_result, ret)
    FIELD(ludus_eval_result, success) FIELD(ludus_eval_result, length)
    FIELD(ludus_eval_result, num_achievements) FIELD(ludus_eval_result, achievements)
    FIELD(ludus_eval_result, score) FIELD(ludus_eval_result, progress) FIELD(ludus_eval_result, progress_se)
    STRUCT(ludus_eval_split) FIELD(ludus_eval_split, level_start) FIELD(ludus_eval_split, level_count)
    FIELD(ludus_eval_split, result)
    STRUCT(ludus_eval_report) FIELD(ludus_eval_report, agent) FIELD(ludus_eval_report, checkpoint)
    FIELD(ludus_eval_report, env_id) FIELD(ludus_eval_report, env_options)
    FIELD(ludus_eval_report, episodes) FIELD(ludus_eval_report, greedy) FIELD(ludus_eval_report, seed)
    FIELD(ludus_eval_report, train_levels) FIELD(ludus_eval_report, heldout_level_start)
    FIELD(ludus_eval_report, train) FIELD(ludus_eval_report, heldout)
    FIELD(ludus_eval_report, achievement_names)
    STRUCT(ludus_eval_report_config) FIELD(ludus_eval_report_config, env_id)
    FIELD(ludus_eval_report_config, env_options) FIELD(ludus_eval_report_config, train_levels)
    FIELD(ludus_eval_report_config, episodes) FIELD(ludus_eval_report_config, greedy)
    FIELD(ludus_eval_report_config, seed)
    STRUCT(ludus_collect_config) FIELD(ludus_collect_config, env_id) FIELD(ludus_collect_config, env_options)
    FIELD(ludus_collect_config, dataset_id) FIELD(ludus_collect_config, heldout)
    FIELD(ludus_collect_config, train_levels) FIELD(ludus_collect_config, episodes)
    FIELD(ludus_collect_config, greedy) FIELD(ludus_collect_config, seed) FIELD(ludus_collect_config, jpeg_quality)

    {NULL, NULL, 0, 0},
};

const ludus_abi_field *ludus_abi_layout(void) { return layout; }
