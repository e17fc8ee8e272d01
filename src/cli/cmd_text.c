/* cmd_text.c: `ludus text ID --seed S`: an episode as a language-model
 * agent sees it: after the reset and after every action, the text
 * observation (full, or exactly what BALROG sends with --balrog).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cmd_text(int argc, char **argv)
{
    const char *id = NULL, *options = NULL, *actions_s = NULL;
    uint64_t seed = 0;
    long steps = 10;
    int random = 0, balrog = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (strcmp(argv[i], "--seed") == 0) {
            if (!(v = cli_value(argc, argv, &i)) || cli_parse_u64("--seed", v, &seed)) return CLI_USAGE_ERROR;
        } else if (strcmp(argv[i], "--actions") == 0) {
            if (!(actions_s = cli_value(argc, argv, &i))) return CLI_USAGE_ERROR;
        } else if (strcmp(argv[i], "--random") == 0) {
            random = 1;
        } else if (strcmp(argv[i], "--steps") == 0) {
            if (!(v = cli_value(argc, argv, &i)) || cli_parse_int("--steps", v, 0, 1L << 30, &steps)) return CLI_USAGE_ERROR;
        } else if (strcmp(argv[i], "--balrog") == 0) {
            balrog = 1;
        } else if (strcmp(argv[i], "--options") == 0) {
            if (!(options = cli_value(argc, argv, &i))) return CLI_USAGE_ERROR;
        } else if (argv[i][0] == '-') {
            return cli_error("text: unknown flag '%s'", argv[i]);
        } else if (!id) {
            id = argv[i];
        } else {
            return cli_error("text: unexpected argument '%s'", argv[i]);
        }
    }
    if (!id) {
        cli_usage(stderr, "text");
        return cli_error("text: which world?");
    }
    if (actions_s && random) return cli_error("text: give --actions or --random, not both");
    ludus_env *env;
    if (cli_make_env(id, options, &env)) return 1;
    const ludus_env_info *in = ludus_env_get_info(env);
    int32_t *actions = NULL;
    int count = 0, rc = 0;
    void *state = ludus_env_state_new(env);
    char *text = malloc(in->text_capacity);
    if (!state || !text) {
        rc = cli_error("out of memory");
        goto done;
    }
    if (actions_s && cli_parse_actions(actions_s, in, &actions, &count)) {
        rc = CLI_USAGE_ERROR;
        goto done;
    }
    if (!actions_s) count = (int)steps;
    ludus_rng rng;
    ludus_rng_seed(&rng, seed ^ 0x9e3779b97f4a7c15ULL); /* the policy's own stream */
    if (ludus_env_reset(env, state, seed, NULL) != LUDUS_OK) {
        rc = cli_fail("reset");
        goto done;
    }
    ludus_text_mode mode = balrog ? LUDUS_TEXT_BALROG : LUDUS_TEXT_FULL;
    double ret = 0;
    for (int t = 0;; t++) {
        if (ludus_env_text(env, state, mode, text, in->text_capacity) < 0) {
            rc = cli_fail("text");
            goto done;
        }
        printf("%s\n\n", text);
        if (t >= count) break;
        int32_t a[LUDUS_MAX_ACTION_DIMS];
        char name[256];
        if (actions) memcpy(a, actions + (size_t)t * in->action_dims, (size_t)in->action_dims * sizeof *a);
        else cli_random_action(env, state, &rng, a);
        ludus_step_out out;
        if (ludus_env_step_vec(env, state, a, NULL, &out) != LUDUS_OK) {
            rc = cli_fail("step");
            goto done;
        }
        ret += out.reward;
        printf("> %s   (step %d, reward %g)\n", cli_action_name(in, a, name, sizeof name), t + 1, out.reward);
        if (out.terminated || out.truncated) {
            printf("episode over: %s, return %g\n", out.success ? "success" : out.terminated ? "failure" : "out of time", ret);
            break;
        }
    }
done:
    free(actions);
    free(text);
    free(state);
    ludus_env_destroy(env);
    return rc;
}
