/* snapshot_search.c: a state is one flat block, so memcpy is a snapshot.
 * This plans by brute force: from each state, try every action sequence of
 * a few steps on copies of the state and take the first action of the best
 * one, the way tree search and world-model rollouts use snapshots.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ludus/ludus.h"

enum { DEPTH = 5 };

/* The best return reachable in `depth` steps from `state` (which is scratch). */
static double best_return(const ludus_env *env, void *state, void *scratch, int depth, int *first)
{
    const ludus_env_info *info = ludus_env_get_info(env);
    double best = -1e9;
    for (int a = 0; a < info->num_actions; a++) {
        memcpy(scratch, state, info->state_size);
        ludus_step_out out;
        ludus_env_step(env, scratch, a, NULL, &out);
        double r = out.reward;
        if (!out.terminated && !out.truncated && depth > 1) {
            void *next = malloc(info->state_size);
            r += best_return(env, scratch, next, depth - 1, NULL);
            free(next);
        }
        if (r > best) {
            best = r;
            if (first) *first = a;
        }
    }
    return best;
}

int main(int argc, char **argv)
{
    const char *id = argc > 1 ? argv[1] : "MiniGrid-Empty-6x6-v0";
    ludus_env *env;
    if (ludus_env_make(id, NULL, &env) != LUDUS_OK) {
        fprintf(stderr, "%s\n", ludus_errmsg());
        return 1;
    }
    const ludus_env_info *info = ludus_env_get_info(env);
    void *state = ludus_env_state_new(env), *scratch = malloc(info->state_size);
    ludus_env_reset(env, state, 3, NULL);
    ludus_rng rng;
    ludus_rng_seed(&rng, 1);
    for (int t = 0; t < 200; t++) {
        int a = 0;
        double r = best_return(env, state, scratch, DEPTH, &a);
        if (r <= 0) a = (int)ludus_rng_integers(&rng, 0, 3); /* nothing in reach: explore */
        ludus_step_out out;
        ludus_env_step(env, state, a, NULL, &out);
        printf("step %2d: %-10s (lookahead value %.3f)\n", t + 1, info->action_names[a], r);
        if (out.terminated || out.truncated) {
            printf("%s, reward %.4f\n", out.success ? "reached the goal" : "episode over", out.reward);
            break;
        }
    }
    free(scratch);
    ludus_free(state);
    ludus_env_destroy(env);
    return 0;
}
