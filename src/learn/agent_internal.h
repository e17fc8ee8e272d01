/* agent_internal.h: what evaluation and the learners share with agent.c
 * beyond the public agent.h: how a world's action space reads as
 * components, kept in one place so richer action spaces change one
 * function.
 */
#ifndef LUDUS_AGENT_INTERNAL_H
#define LUDUS_AGENT_INTERNAL_H

#include "ludus/agent.h"

/* The action space of a world as components: *dims (1..LUDUS_AGENT_MAX_ACTION_DIMS)
 * and sizes[d], the values of component d. */
void ludus_agent_action_space(const ludus_env_info *info, int *dims, int *sizes);

#endif
