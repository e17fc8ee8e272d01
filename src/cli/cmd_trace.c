/* cmd_trace.c: `ludus trace ID --seed S --actions ...`: an episode as JSON
 * lines in the reference trace format, so it can be diffed line by line
 * against the reference implementation.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct line_buf {
    char *buf;
    size_t cap;
} line_buf;

/* After a call with snprintf semantics returned n: grow the buffer and
 * ask for a retry when the line did not fit. */
static int grow(line_buf *lb, int n)
{
    if (n < 0 || (size_t)n < lb->cap) return 0;
    char *b = realloc(lb->buf, (size_t)n + 1);
    if (!b) return 0;
    lb->buf = b;
    lb->cap = (size_t)n + 1;
    return 1;
}

/* Print the line (families may write an empty header), or report. */
static int emit(const line_buf *lb, int n)
{
    if (n < 0) return cli_fail("trace");
    if ((size_t)n >= lb->cap) return cli_error("out of memory");
    if (n > 0) puts(lb->buf);
    return 0;
}

int cmd_trace(int argc, char **argv)
{
    const char *id = NULL, *options = NULL, *actions_s = NULL;
    uint64_t seed = 0;
    int have_seed = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (strcmp(argv[i], "--seed") == 0) {
            if (!(v = cli_value(argc, argv, &i)) || cli_parse_u64("--seed", v, &seed)) return CLI_USAGE_ERROR;
            have_seed = 1;
        } else if (strcmp(argv[i], "--actions") == 0) {
            if (!(actions_s = cli_value(argc, argv, &i))) return CLI_USAGE_ERROR;
        } else if (strcmp(argv[i], "--options") == 0) {
            if (!(options = cli_value(argc, argv, &i))) return CLI_USAGE_ERROR;
        } else if (argv[i][0] == '-') {
            return cli_error("trace: unknown flag '%s'", argv[i]);
        } else if (!id) {
            id = argv[i];
        } else {
            return cli_error("trace: unexpected argument '%s'", argv[i]);
        }
    }
    if (!id || !have_seed || !actions_s) {
        cli_usage(stderr, "trace");
        return cli_error("trace: needs an ID, --seed and --actions");
    }
    ludus_env *env;
    if (cli_make_env(id, options, &env)) return 1;
    const ludus_env_info *info = ludus_env_get_info(env);
    int32_t *actions = NULL;
    int count = 0, rc = 0;
    void *state = NULL, *prev = NULL;
    line_buf lb = {malloc(1 << 16), 1 << 16};
    if (cli_parse_actions(actions_s, info, &actions, &count)) {
        rc = CLI_USAGE_ERROR;
        goto done;
    }
    state = ludus_env_state_new(env);
    prev = ludus_env_state_new(env);
    if (!state || !prev || !lb.buf) {
        rc = cli_error("out of memory");
        goto done;
    }
    int n;
    while (grow(&lb, n = ludus_env_trace_header(env, seed, lb.buf, lb.cap))) {}
    if ((rc = emit(&lb, n))) goto done;
    if (ludus_env_reset(env, state, seed, NULL) != LUDUS_OK) {
        rc = cli_fail("reset");
        goto done;
    }
    while (grow(&lb, n = ludus_env_trace_reset(env, state, seed, lb.buf, lb.cap))) {}
    if ((rc = emit(&lb, n))) goto done;
    for (int t = 0; t < count; t++) {
        memcpy(prev, state, info->state_size);
        ludus_step_out out;
        const int32_t *a = actions + (size_t)t * info->action_dims;
        if (ludus_env_step_vec(env, state, a, NULL, &out) != LUDUS_OK) {
            rc = cli_fail("step");
            goto done;
        }
        while (grow(&lb, n = ludus_env_trace_step(env, prev, state, t, a[0], &out, lb.buf, lb.cap))) {}
        if ((rc = emit(&lb, n))) goto done;
        if ((out.terminated || out.truncated) && t + 1 < count) {
            fprintf(stderr, "ludus: trace: the episode ended at step %d; %d action(s) left unused\n", t,
                    count - t - 1);
            break;
        }
    }
done:
    free(lb.buf);
    free(actions);
    free(state);
    free(prev);
    ludus_env_destroy(env);
    return rc;
}
