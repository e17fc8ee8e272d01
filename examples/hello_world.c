/* hello_world.c: the environment contract in thirty lines: make a world,
 * reset it with a seed (a level), step it with random actions, read the
 * reward and flags, and print what a language-model agent would read.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ludus/ludus.h"

int main(int argc, char **argv)
{
    const char *id = argc > 1 ? argv[1] : "MiniGrid-DoorKey-5x5-v0";
    ludus_env *env;
    if (ludus_env_make(id, NULL, &env) != LUDUS_OK) {
        fprintf(stderr, "%s\n", ludus_errmsg());
        return 1;
    }
    const ludus_env_info *info = ludus_env_get_info(env);
    void *state = ludus_env_state_new(env);     /* one flat block */
    uint8_t *obs = malloc(info->obs_size);       /* the tensor observation */
    char *text = malloc(info->text_capacity);
    ludus_rng rng;
    ludus_rng_seed(&rng, 42);

    ludus_env_reset(env, state, 7 /* level */, obs);
    double ret = 0;
    for (int t = 0; t < 1000; t++) {
        int action = (int)ludus_rng_integers(&rng, 0, info->num_actions);
        ludus_step_out out;
        ludus_env_step(env, state, action, obs, &out);
        ret += out.reward;
        if (out.terminated || out.truncated) {
            printf("episode over after %d steps, return %.3f\n", t + 1, ret);
            break;
        }
    }
    ludus_env_text(env, state, LUDUS_TEXT_FULL, text, info->text_capacity);
    printf("%s\n", text);
    free(text);
    free(obs);
    ludus_free(state);
    ludus_env_destroy(env);
    return 0;
}
