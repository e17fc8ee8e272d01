/* cmd_render.c: `ludus render ID --seed S [--actions ...] -o frame.png`:
 * one frame of a world, after an optional list of actions, as a PNG, so a
 * user can see a level without a window or a Python install.
 */
#include <string.h>

#include "cli_frames.h"

int cmd_render(int argc, char **argv)
{
    frame_args fa = {.render = {.highlight = 1}};
    for (int i = 1; i < argc; i++) {
        int r = frame_arg("render", &fa, argc, argv, &i);
        if (r < 0) return CLI_USAGE_ERROR;
        if (r == 0) return cli_error("render: unknown argument '%s' (see `ludus render --help`)", argv[i]);
    }
    int rc = frame_args_check("render", &fa);
    if (rc) return rc;
    frame_episode ep;
    if ((rc = frame_episode_start("render", &fa, &ep))) goto done;
    int t = 0;
    for (; t < ep.num_actions; t++) {
        ludus_step_out out;
        if (ludus_env_step_vec(ep.env, ep.state, ep.actions + (size_t)t * ep.info->action_dims, NULL, &out) != LUDUS_OK) {
            rc = cli_fail("render");
            goto done;
        }
        if ((out.terminated || out.truncated) && t + 1 < ep.num_actions) {
            fprintf(stderr, "ludus: render: the episode ended at step %d; %d action(s) left unused\n", t,
                    ep.num_actions - t - 1);
            t++;
            break;
        }
    }
    if ((rc = frame_episode_draw("render", &fa, &ep))) goto done;
    if (ludus_png_write(fa.out, ep.rgb, ep.width, ep.height) != LUDUS_OK) {
        rc = cli_fail("render");
        goto done;
    }
    printf("wrote %s: %dx%d, %s seed %llu after %d step%s\n", fa.out, ep.width, ep.height, ep.info->id,
           (unsigned long long)fa.seed, t, t == 1 ? "" : "s");
done:
    frame_episode_end(&ep);
    return rc;
}
