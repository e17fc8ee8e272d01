/* frames.c: the flags and the episode `ludus render` and `ludus record`
 * share. Tile sizes are checked by the world (the library says which it
 * accepts), everything else here, each bad value a one-line error.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli_frames.h"

int frame_arg(const char *cmd, frame_args *fa, int argc, char **argv, int *i)
{
    const char *a = argv[*i], *v;
    long n;
    if (strcmp(a, "--seed") == 0) {
        if (!(v = cli_value(argc, argv, i)) || cli_parse_u64("--seed", v, &fa->seed)) return -1;
        fa->have_seed = 1;
    } else if (strcmp(a, "--actions") == 0) {
        if (!(fa->actions = cli_value(argc, argv, i))) return -1;
    } else if (strcmp(a, "--options") == 0) {
        if (!(fa->options = cli_value(argc, argv, i))) return -1;
    } else if (strcmp(a, "--tile") == 0) {
        if (!(v = cli_value(argc, argv, i)) || cli_parse_int("--tile", v, 1, INT_MAX, &n)) return -1;
        fa->render.tile_size = (int)n;
    } else if (strcmp(a, "--agent-view") == 0) {
        fa->render.agent_view = 1;
    } else if (strcmp(a, "--no-highlight") == 0) {
        fa->render.highlight = 0;
    } else if (strcmp(a, "-o") == 0 || strcmp(a, "--out") == 0) {
        if (!(fa->out = cli_value(argc, argv, i))) return -1;
        if (!*fa->out) {
            cli_error("%s: the output path is empty", cmd);
            return -1;
        }
    } else if (a[0] != '-' && !fa->id) {
        fa->id = a;
    } else {
        return 0;
    }
    return 1;
}

int frame_args_check(const char *cmd, const frame_args *fa)
{
    if (fa->id && fa->have_seed && fa->out) return 0;
    cli_usage(stderr, cmd);
    return cli_error("%s: needs %s", cmd, !fa->id ? "a world ID (`ludus list` shows them)"
                                          : !fa->have_seed ? "--seed S"
                                                           : "an output file: -o PATH");
}

int frame_episode_start(const char *cmd, const frame_args *fa, frame_episode *ep)
{
    memset(ep, 0, sizeof *ep);
    if (cli_make_env(fa->id, fa->options, &ep->env)) return 1;
    ep->info = ludus_env_get_info(ep->env);
    if (fa->actions && cli_parse_actions(fa->actions, ep->info, &ep->actions, &ep->num_actions))
        return CLI_USAGE_ERROR;
    if (ludus_env_render_size(ep->env, &fa->render, &ep->width, &ep->height) != LUDUS_OK) return cli_fail(cmd);
    ep->rgb_size = (size_t)ep->width * (size_t)ep->height * 3;
    ep->state = ludus_env_state_new(ep->env);
    ep->rgb = malloc(ep->rgb_size);
    if (!ep->state || !ep->rgb) return cli_error("%s: out of memory for a %dx%d frame", cmd, ep->width, ep->height);
    if (ludus_env_reset(ep->env, ep->state, fa->seed, NULL) != LUDUS_OK) return cli_fail(cmd);
    return 0;
}

int frame_episode_draw(const char *cmd, const frame_args *fa, frame_episode *ep)
{
    if (ludus_env_render(ep->env, ep->state, &fa->render, ep->rgb, ep->rgb_size) != LUDUS_OK) return cli_fail(cmd);
    return 0;
}

void frame_episode_end(frame_episode *ep)
{
    free(ep->actions);
    free(ep->rgb);
    free(ep->state);
    ludus_env_destroy(ep->env);
    memset(ep, 0, sizeof *ep);
}
