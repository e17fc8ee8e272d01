/* maze.h: the maze worlds of unsupervised environment design (DCD,
 * minimax, jaxued; spec/maze.md): a W x H interior of walls, one goal and
 * the agent, inside a wall border. The training distribution (Maze-v0)
 * scatters walls at random; the held-out mazes are fixed layouts or
 * perfect mazes carved per seed. The state is one flat block:
 *   [maze_state][cells (W+2)*(H+2), row-major, border included]
 * Coordinates in the state, traces and pictures are those of the full
 * grid (the border is row and column 0), as MiniGrid counts them; the
 * spec's interior coordinates are these minus one.
 */
#ifndef LUDUS_MAZE_H
#define LUDUS_MAZE_H

#include "envs/env.h"
#include "envs/grid/grid.h"

enum { MZ_EMPTY = 0, MZ_WALL = 1, MZ_GOAL = 2 };
enum { MAZE_RANDOM = 0, MAZE_FIXED = 1, MAZE_PERFECT = 2 };

#define MAZE_VIEW 5          /* the agent's egocentric view, V x V */
#define MAZE_MAX_SIDE 101    /* interior cells a side at most */
#define MAZE_MAX_GOALS 32    /* candidate goals of a fixed layout */
#define MAZE_TRAIN_STEPS 250 /* step limit of the training distribution */

typedef struct maze_state {
    env_state_header hdr;
    ludus_rng rng;
    uint32_t step_count;
    int16_t agent_x, agent_y; /* full-grid coordinates */
    int16_t goal_x, goal_y;
    uint8_t agent_dir;        /* 0 east, 1 south, 2 west, 3 north */
    uint8_t pad[3];
} maze_state;

/* A fixed layout as the spec draws it: rows of `#`, `.`, `G`, `>v<^`. */
typedef struct maze_layout {
    int width, height;       /* interior */
    const char *const *rows; /* height strings of width characters */
} maze_layout;

/* A registry entry's parameters. */
typedef struct maze_params {
    int kind;                /* MAZE_* */
    int width, height;       /* interior */
    const maze_layout *layout; /* MAZE_FIXED */
} maze_params;

typedef struct maze_spec {
    int kind;
    int iw, ih;              /* interior */
    int W, H;                /* full grid: iw + 2, ih + 2 */
    long walls;              /* MAZE_RANDOM: wall draws */
    int sample_walls;        /* MAZE_RANDOM: draw the count in [0, walls) first */
    int goal_dist;           /* MAZE_RANDOM: >0: the goal within this Manhattan distance of the agent */
    uint32_t max_steps;
    size_t state_size, level_size;
    /* MAZE_FIXED: the cells without the goal, the agent's pose and the
     * goal candidates (full-grid coordinates) */
    int agent_x, agent_y, agent_dir;
    int num_goals;
    int16_t goals[MAZE_MAX_GOALS][2];
    uint8_t *fixed;          /* W*H cells, allocated with the spec */
} maze_spec;

static inline uint8_t *maze_cells(maze_state *st) { return (uint8_t *)(st + 1); }
static inline const uint8_t *maze_cells_c(const maze_state *st) { return (const uint8_t *)(st + 1); }

/* The mission every maze shares (MiniGrid's for a goal square). */
#define MAZE_MISSION "get to the green goal square"

extern const env_ops ludus_maze_ops;
int ludus_maze_make(const env_entry *entry, const char *options, ludus_env *env);

/* The V x V view, [vx][vy][3] in MiniGrid's encoding, walls beyond the grid,
 * the agent's own cell empty (show.c and the observation share it). */
void ludus_maze_view(const maze_spec *s, const maze_state *st, uint8_t *image);
/* The grid worlds' cell for a maze cell. */
static inline gcell maze_gcell(uint8_t c) { return c == MZ_WALL ? GC_WALL : c == MZ_GOAL ? GC_GOAL : GC_EMPTY; }

/* Pictures, text and traces (show.c). */
int ludus_maze_text(const ludus_env *env, const void *state, ludus_text_mode mode, char *buf, size_t cap);
void ludus_maze_render_ansi(const ludus_env *env, const void *state, strbuf *sb);
int ludus_maze_render_size(const ludus_env *env, const ludus_render_opts *opts, int *w, int *h);
int ludus_maze_render(const ludus_env *env, const void *state, const ludus_render_opts *opts, uint8_t *rgb);
void ludus_maze_trace_header(const ludus_env *env, uint64_t seed, strbuf *sb);
void ludus_maze_trace_reset(const ludus_env *env, const void *state, uint64_t seed, strbuf *sb);
void ludus_maze_trace_step(const ludus_env *env, const void *prev, const void *state, int t, int action,
                           const ludus_step_out *out, strbuf *sb);

/* Levels as blocks (level.c; include/ludus/ludus.h "Levels as blocks"). */
size_t ludus_maze_level_size(const ludus_env *env);
void ludus_maze_level_of(const ludus_env *env, const void *state, void *level);
int ludus_maze_reset_level(const ludus_env *env, void *state, const void *level);
int ludus_maze_level_mutate(const ludus_env *env, void *level, int edits, ludus_rng *rng);

#endif
