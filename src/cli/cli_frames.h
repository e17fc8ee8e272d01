/* cli_frames.h: what `ludus render` and `ludus record` share: their common
 * flags and an episode that draws frames through the public API only, so
 * both commands work for every world that renders and print the library's
 * error for one that does not.
 */
#ifndef LUDUS_CLI_FRAMES_H
#define LUDUS_CLI_FRAMES_H

#include "cli.h"

typedef struct frame_args {
    const char *id, *options, *actions, *out;
    uint64_t seed;
    int have_seed;
    ludus_render_opts render; /* --tile, --agent-view, --no-highlight */
} frame_args;

/* If argv[*i] is a flag both commands take (--seed, --actions, --options,
 * --tile, --agent-view, --no-highlight, -o/--out) or the world id, consume
 * it with its value and return 1; 0 if it is not one; -1 after printing
 * the error for a bad one. */
int frame_arg(const char *cmd, frame_args *fa, int argc, char **argv, int *i);
/* Check that the id, --seed and -o were given (else print and return 2). */
int frame_args_check(const char *cmd, const frame_args *fa);

typedef struct frame_episode {
    ludus_env *env;
    const ludus_env_info *info;
    void *state;
    uint8_t *rgb;   /* (height, width, 3): the last frame drawn */
    size_t rgb_size;
    int width, height;
    int32_t *actions; /* parsed --actions (num_actions x action_dims), or NULL */
    int num_actions;
} frame_episode;

/* Make the world, parse --actions against it, reset to --seed and size
 * the frame. Returns 0, or the exit status after printing the error;
 * frame_episode_end() is needed either way. */
int frame_episode_start(const char *cmd, const frame_args *fa, frame_episode *ep);
/* Draw the current state into ep->rgb (0, or the exit status). */
int frame_episode_draw(const char *cmd, const frame_args *fa, frame_episode *ep);
void frame_episode_end(frame_episode *ep);

#endif
