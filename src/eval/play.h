/* play.h: the episode driver that evaluation and dataset collection share.
 * Episode e plays level level_start + e % level_count with the agent's
 * action stream seeded from (seed, e), in up to `worlds` slots at once, so
 * what an episode does never depends on how many run together. Hooks see
 * each episode start, each observation the agent acts on, and each step.
 */
#ifndef LUDUS_EVAL_PLAY_H
#define LUDUS_EVAL_PLAY_H

#include <stdint.h>

#include "ludus/agent.h"
#include "ludus/ludus.h"

typedef struct ludus_play_config {
    int episodes;          /* >= 1 */
    int worlds;            /* slots played together (>= 1; capped at episodes) */
    uint64_t level_start, level_count; /* level_count >= 1 */
    uint64_t seed;
    int greedy;
} ludus_play_config;

/* Each hook returns LUDUS_OK or a negative code (with a message) that
 * ends the play with that code. NULL hooks are skipped. */
typedef struct ludus_play_hooks {
    void *user;
    /* episode `episode` starts in `slot` on `level` */
    int (*start)(void *user, int slot, int episode, uint64_t level);
    /* the observation, mission and legal-action mask (NULL for a world
     * without one) the agent is about to act on */
    int (*observe)(void *user, int slot, int episode, const uint8_t *obs, const char *mission, const uint8_t *mask);
    /* the step the slot's episode took: its action, the outcome, and the
     * observation and state after it (before any reset) */
    int (*step)(void *user, int slot, int episode, const int32_t *action, const ludus_step_out *so,
                const uint8_t *obs, const void *state);
} ludus_play_hooks;

/* Bind agent to env for min(episodes, worlds) slots and play the episodes
 * to their ends, calling the hooks. Errors: LUDUS_EINVAL for a bad config,
 * LUDUS_ENOMEM, and whatever the agent, the world or a hook returns. */
int ludus_play_episodes(ludus_agent *agent, const ludus_env *env, const ludus_play_config *cfg,
                        const ludus_play_hooks *hooks);

#endif
