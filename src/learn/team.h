/* team.h: a fixed team of worker threads that run one function on K
 * slices of a job and wait for all of them. The learner splits each
 * rollout batch and each minibatch across the team; the caller's own
 * thread is member 0, so a team of one spawns no thread at all.
 */
#ifndef LUDUS_LEARN_TEAM_H
#define LUDUS_LEARN_TEAM_H

#include <pthread.h>

typedef void (*team_fn)(void *ctx, int member, int members);

typedef struct team team;

/* members >= 1. Returns NULL (with the message set) on failure. */
team *team_create(int members);
void team_destroy(team *t);
int team_size(const team *t);
/* Run fn(ctx, k, K) for k = 0..K-1 concurrently; returns when all ended. */
void team_run(team *t, team_fn fn, void *ctx);

#endif
