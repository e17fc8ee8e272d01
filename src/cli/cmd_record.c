/* cmd_record.c: `ludus record ID --seed S --actions ...|--random -o ep.gif`:
 * an episode as an animated GIF, one frame per step, so a user can watch
 * what an agent did. Random actions come from their own stream seeded by
 * --seed, so a recording is reproducible.
 */
#include <string.h>

#include "cli_frames.h"

#define RECORD_MAX_STEPS 100000
#define RECORD_DEFAULT_FPS 5
#define RECORD_END_HOLD_CS 100 /* the last frame stays at least 1 s before the loop restarts */
#define RANDOM_STREAM_TAG 0x72656364u /* "recd": keeps the action stream apart from the world's */

int cmd_record(int argc, char **argv)
{
    frame_args fa = {.render = {.highlight = 1}};
    int random = 0;
    long steps = -1, fps = RECORD_DEFAULT_FPS;
    for (int i = 1; i < argc; i++) {
        int r = frame_arg("record", &fa, argc, argv, &i);
        if (r < 0) return CLI_USAGE_ERROR;
        if (r > 0) continue;
        const char *v;
        if (strcmp(argv[i], "--random") == 0) {
            random = 1;
        } else if (strcmp(argv[i], "--steps") == 0) {
            if (!(v = cli_value(argc, argv, &i)) || cli_parse_int("--steps", v, 1, RECORD_MAX_STEPS, &steps))
                return CLI_USAGE_ERROR;
        } else if (strcmp(argv[i], "--fps") == 0) {
            if (!(v = cli_value(argc, argv, &i)) || cli_parse_int("--fps", v, 1, 100, &fps)) return CLI_USAGE_ERROR;
        } else {
            return cli_error("record: unknown argument '%s' (see `ludus record --help`)", argv[i]);
        }
    }
    int rc = frame_args_check("record", &fa);
    if (rc) return rc;
    if (random == !!fa.actions) return cli_error("record: give either --actions A,A,... or --random");
    if (steps >= 0 && !random) return cli_error("record: --steps goes with --random (--actions sets the length)");

    frame_episode ep;
    ludus_gif *gif = NULL;
    if ((rc = frame_episode_start("record", &fa, &ep))) goto done;
    if (ludus_gif_open(fa.out, ep.width, ep.height, &gif) != LUDUS_OK) {
        rc = cli_fail("record");
        goto done;
    }
    ludus_rng rng;
    const uint32_t words[3] = {(uint32_t)fa.seed, (uint32_t)(fa.seed >> 32), RANDOM_STREAM_TAG};
    ludus_rng_seed_words(&rng, words, 3);
    const long limit = random ? (steps >= 0 ? steps : RECORD_MAX_STEPS) : ep.num_actions;
    const int delay = (int)((100 + fps / 2) / fps);
    double ret = 0;
    ludus_step_out out = {0};
    long t = 0;
    /* Each frame is written once the next one exists, so the last can be
     * held longer. */
    if ((rc = frame_episode_draw("record", &fa, &ep))) goto done;
    for (; t < limit && !out.terminated && !out.truncated; t++) {
        if (ludus_gif_add_frame(gif, ep.rgb, delay) != LUDUS_OK) {
            rc = cli_fail("record");
            goto done;
        }
        int32_t a[LUDUS_MAX_ACTION_DIMS];
        if (random) cli_random_action(ep.env, ep.state, &rng, a);
        else memcpy(a, ep.actions + (size_t)t * ep.info->action_dims, (size_t)ep.info->action_dims * sizeof *a);
        if (ludus_env_step_vec(ep.env, ep.state, a, NULL, &out) != LUDUS_OK) {
            rc = cli_fail("record");
            goto done;
        }
        ret += out.reward;
        if ((rc = frame_episode_draw("record", &fa, &ep))) goto done;
    }
    if (!random && t < ep.num_actions)
        fprintf(stderr, "ludus: record: the episode ended at step %ld; %ld action(s) left unused\n", t - 1,
                ep.num_actions - t);
    if (ludus_gif_add_frame(gif, ep.rgb, delay > RECORD_END_HOLD_CS ? delay : RECORD_END_HOLD_CS) != LUDUS_OK) {
        rc = cli_fail("record");
        goto done;
    }
    rc = ludus_gif_close(gif) == LUDUS_OK ? 0 : cli_fail("record");
    gif = NULL;
    if (rc == 0)
        printf("wrote %s: %ld frames of %dx%d, %s seed %llu, return %.4g%s\n", fa.out, t + 1, ep.width, ep.height,
               ep.info->id, (unsigned long long)fa.seed, ret,
               out.terminated ? (out.success ? ", success" : ", ended") : out.truncated ? ", out of time" : "");
done:
    if (gif) ludus_gif_close(gif);
    frame_episode_end(&ep);
    return rc;
}
