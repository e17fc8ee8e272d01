/* maze.c: the maze worlds' spec, generators, step rule, observation and
 * the checks of states from outside (spec/maze.md).
 *   Maze-v0: `walls` cells drawn uniformly with replacement (a repeat is
 *   one wall; sample_walls=1 draws the count in [0, walls) first), then the
 *   agent on a uniform free cell with a uniform direction, then the goal on
 *   another uniform free cell.
 *   Fixed layouts: the spec's pictures; one goal candidate drawn per reset.
 *   Perfect mazes: open cells at even interior (x, y), carved by a
 *   randomized depth-first search from a uniform start cell (the spec's
 *   rule, not DCD's Kruskal), then the goal on a uniform open cell, the
 *   agent on another with a uniform direction.
 */
#include <stdlib.h>
#include <string.h>

#include "maze.h"

static const char *const maze_action_names[GRID_NUM_ACTIONS] = {
    "turn left", "turn right", "go forward", "pick up", "drop", "toggle", "done"};

/* `ludus play`: arrows or a/d/w turn and move; digits play any action. */
static const ludus_key_binding maze_keys[] = {
    {LUDUS_KEY_LEFT, ACT_LEFT, "\xe2\x86\x90/a"}, {'a', ACT_LEFT, NULL},
    {LUDUS_KEY_RIGHT, ACT_RIGHT, "\xe2\x86\x92/d"}, {'d', ACT_RIGHT, NULL},
    {LUDUS_KEY_UP, ACT_FORWARD, "\xe2\x86\x91/w"}, {'w', ACT_FORWARD, NULL},
    {'0', 0, NULL}, {'1', 1, NULL}, {'2', 2, NULL}, {'3', 3, NULL}, {'4', 4, NULL},
    {'5', 5, NULL}, {'6', 6, NULL},
    {0, 0, NULL},
};

static void maze_destroy(ludus_env *env)
{
    const maze_spec *s = env->impl;
    if (s) free(s->fixed);
    free((void *)env->impl);
    env->impl = NULL;
}

/* Read a fixed layout into the spec: cells, agent pose, goal candidates. */
static int load_layout(maze_spec *s, const maze_layout *lay)
{
    int agents = 0;
    for (int y = 0; y < lay->height; y++) {
        if ((int)strlen(lay->rows[y]) != lay->width)
            return ludus_err_set(LUDUS_EINTERNAL, "layout row %d is not %d cells wide", y, lay->width);
        for (int x = 0; x < lay->width; x++) {
            char c = lay->rows[y][x];
            uint8_t *cell = &s->fixed[(y + 1) * s->W + (x + 1)];
            const char *dirs = ">v<^", *d = strchr(dirs, c);
            if (c == '#') *cell = MZ_WALL;
            else if (c == '.') *cell = MZ_EMPTY;
            else if (c == 'G') {
                if (s->num_goals >= MAZE_MAX_GOALS) return ludus_err_set(LUDUS_EINTERNAL, "too many goals in a layout");
                s->goals[s->num_goals][0] = (int16_t)(x + 1);
                s->goals[s->num_goals][1] = (int16_t)(y + 1);
                s->num_goals++;
            } else if (c && d) {
                s->agent_x = x + 1;
                s->agent_y = y + 1;
                s->agent_dir = (int)(d - dirs);
                agents++;
            } else {
                return ludus_err_set(LUDUS_EINTERNAL, "layout cell (%d, %d) is '%c'", x, y, c);
            }
        }
    }
    if (agents != 1 || s->num_goals < 1)
        return ludus_err_set(LUDUS_EINTERNAL, "a layout needs one agent and a goal (%d, %d)", agents, s->num_goals);
    return LUDUS_OK;
}

int ludus_maze_make(const env_entry *entry, const char *options, ludus_env *env)
{
    const maze_params *mp = entry->params;
    long walls = 60, sample = 0, width = mp->width, height = mp->height, max_steps = -1, goal_dist = 0;
    if (mp->kind == MAZE_FIXED) {
        width = mp->layout->width;
        height = mp->layout->height;
    }
    const int random = mp->kind == MAZE_RANDOM;
    const char *cur = options;
    char key[64], val[64];
    int r;
    int walls_given = 0;
    while ((r = ludus_env_options_next(&cur, key, sizeof key, val, sizeof val)) > 0) {
        if (strcmp(key, "max_steps") == 0) {
            if (ludus_env_option_int(key, val, 1, 1L << 30, &max_steps)) return LUDUS_EINVAL;
        } else if (random && strcmp(key, "walls") == 0) {
            if (ludus_env_option_int(key, val, 0, 1L << 20, &walls)) return LUDUS_EINVAL;
            walls_given = 1;
        } else if (random && strcmp(key, "sample_walls") == 0) {
            if (ludus_env_option_int(key, val, 0, 1, &sample)) return LUDUS_EINVAL;
        } else if (random && strcmp(key, "goal_dist") == 0) {
            if (ludus_env_option_int(key, val, 0, 1L << 20, &goal_dist)) return LUDUS_EINVAL;
        } else if (random && strcmp(key, "width") == 0) {
            if (ludus_env_option_int(key, val, 3, MAZE_MAX_SIDE, &width)) return LUDUS_EINVAL;
        } else if (random && strcmp(key, "height") == 0) {
            if (ludus_env_option_int(key, val, 3, MAZE_MAX_SIDE, &height)) return LUDUS_EINVAL;
        } else if (random) {
            return ludus_err_set(LUDUS_EINVAL, "unknown option '%s' (Maze-v0 takes walls, sample_walls, goal_dist, "
                                 "width, height, max_steps)", key);
        } else {
            return ludus_err_set(LUDUS_EINVAL, "unknown option '%s' (the held-out mazes take only max_steps)", key);
        }
    }
    if (r < 0) return LUDUS_EINVAL;
    if (random) {
        /* With replacement, `walls` draws make at most `walls` walls: two
         * free cells (the agent's and the goal's) always remain. */
        long cap = width * height - 2;
        if (walls > cap)
            return ludus_err_set(LUDUS_EINVAL, "option walls=%ld: a %ldx%ld maze takes at most %ld walls%s", walls,
                                 width, height, cap, walls_given ? "" : " (the default 60 is too many; set walls)");
        if (sample && walls < 1)
            return ludus_err_set(LUDUS_EINVAL, "sample_walls=1 draws the wall count in [0, walls): it needs walls >= 1");
    }

    maze_spec *s = calloc(1, sizeof *s);
    if (!s) return ludus_err_set(LUDUS_ENOMEM, "out of memory");
    env->impl = s;
    env->ops = &ludus_maze_ops;
    s->kind = mp->kind;
    s->iw = (int)width;
    s->ih = (int)height;
    s->W = s->iw + 2;
    s->H = s->ih + 2;
    s->walls = walls;
    s->sample_walls = (int)sample;
    s->goal_dist = (int)goal_dist;
    s->max_steps = max_steps > 0 ? (uint32_t)max_steps
                   : random    ? MAZE_TRAIN_STEPS
                               : (uint32_t)(2 * s->W * s->H); /* as DCD and minimax evaluate */
    size_t ncells = (size_t)s->W * (size_t)s->H;
    s->state_size = (sizeof(maze_state) + ncells + 7u) & ~(size_t)7u;
    s->level_size = 8 + ((size_t)s->iw * (size_t)s->ih + 7u) / 8u;
    if (mp->kind == MAZE_FIXED) {
        s->fixed = calloc(1, ncells);
        if (!s->fixed) return ludus_err_set(LUDUS_ENOMEM, "out of memory");
        for (int y = 0; y < s->H; y++)
            for (int x = 0; x < s->W; x++)
                if (x == 0 || y == 0 || x == s->W - 1 || y == s->H - 1) s->fixed[y * s->W + x] = MZ_WALL;
        int rc = load_layout(s, mp->layout);
        if (rc) return rc;
    }

    ludus_env_info *info = &env->info;
    const int V = MAZE_VIEW;
    info->family = "maze";
    info->num_actions = GRID_NUM_ACTIONS;
    info->max_action = GRID_NUM_ACTIONS;
    info->action_names = maze_action_names;
    info->obs_size = (size_t)(V * V * 3 + 1);
    info->num_obs_fields = 2;
    info->obs_fields[0] = (ludus_obs_field){"image", 0, 3, {V, V, 3}, 0, 10, 0, 255, LUDUS_OBS_GRID_CELLS};
    info->obs_fields[1] = (ludus_obs_field){"direction", (size_t)(V * V * 3), 1, {1, 0, 0}, 0, 3, 0, 3,
                                            LUDUS_OBS_DIRECTION};
    info->state_size = s->state_size;
    info->width = s->W;
    info->height = s->H;
    info->max_steps = s->max_steps;
    info->mission_capacity = sizeof MAZE_MISSION;
    info->options_doc = random ? "walls=N (wall draws, with replacement; default 60), sample_walls=0|1 (draw the "
                                 "count in [0, walls) first), goal_dist=N (the goal within N steps of the agent, "
                                 "Manhattan; default 0: anywhere), width=N, height=N (interior, 3..101; default 13), "
                                 "max_steps=N (default 250)"
                               : "max_steps=N (default 2*(W+2)*(H+2), as DCD and minimax evaluate)";
    info->keys = maze_keys;
    info->train_options = "";
    info->easy_options = random ? "walls=0,sample_walls=0" : NULL;
    info->flags = 0;
    /* mission + 3 wall lines + one line per view cell + actions */
    info->text_capacity = sizeof MAZE_MISSION + 16 + (size_t)(V * V + 4) * 64 + 160;
    return LUDUS_OK;
}

/* ---- generation --------------------------------------------------------- */

static int draw(ludus_rng *rng, int n) { return grid_rng_small(rng, 0, n); }

/* The k-th (0-based) empty interior cell, row-major, skipping `skip` (a
 * cell index, or -1). */
static int nth_free(const maze_spec *s, const uint8_t *cells, int k, int skip)
{
    for (int y = 1; y < s->H - 1; y++)
        for (int x = 1; x < s->W - 1; x++) {
            int i = y * s->W + x;
            if (cells[i] != MZ_EMPTY || i == skip) continue;
            if (k-- == 0) return i;
        }
    return -1;
}

static int count_free(const maze_spec *s, const uint8_t *cells)
{
    int n = 0;
    for (int y = 1; y < s->H - 1; y++)
        for (int x = 1; x < s->W - 1; x++) n += cells[y * s->W + x] == MZ_EMPTY;
    return n;
}

static void put_agent(const maze_spec *s, maze_state *st, int i, int dir)
{
    st->agent_x = (int16_t)(i % s->W);
    st->agent_y = (int16_t)(i / s->W);
    st->agent_dir = (uint8_t)dir;
}

static void put_goal(const maze_spec *s, maze_state *st, int i)
{
    maze_cells(st)[i] = MZ_GOAL;
    st->goal_x = (int16_t)(i % s->W);
    st->goal_y = (int16_t)(i / s->W);
}

static int gen_random(const maze_spec *s, maze_state *st)
{
    uint8_t *cells = maze_cells(st);
    const int n = s->iw * s->ih;
    long walls = s->walls;
    if (s->sample_walls) walls = draw(&st->rng, (int)s->walls);
    for (long k = 0; k < walls; k++) {
        int i = draw(&st->rng, n);
        cells[(i / s->iw + 1) * s->W + i % s->iw + 1] = MZ_WALL;
    }
    int nfree = count_free(s, cells);
    if (nfree < 2) return ludus_err_set(LUDUS_EINTERNAL, "a random maze left %d free cells", nfree);
    int a = nth_free(s, cells, draw(&st->rng, nfree), -1);
    int dir = draw(&st->rng, 4);
    put_agent(s, st, a, dir);
    if (s->goal_dist > 0) {
        /* goal_dist: a uniform free cell within that Manhattan distance of
         * the agent (any free cell when there is none) */
        int near = 0, ax = a % s->W, ay = a / s->W;
        for (int pass = 0; pass < 2; pass++) {
            int k = pass ? draw(&st->rng, near) : 0;
            for (int y = 1; y < s->H - 1; y++)
                for (int x = 1; x < s->W - 1; x++) {
                    int i = y * s->W + x;
                    if (cells[i] != MZ_EMPTY || i == a || abs(x - ax) + abs(y - ay) > s->goal_dist) continue;
                    if (!pass) near++;
                    else if (k-- == 0) {
                        put_goal(s, st, i);
                        return LUDUS_OK;
                    }
                }
            if (!near) break;
        }
    }
    put_goal(s, st, nth_free(s, cells, draw(&st->rng, nfree - 1), a));
    return LUDUS_OK;
}

static int gen_fixed(const maze_spec *s, maze_state *st)
{
    memcpy(maze_cells(st), s->fixed, (size_t)s->W * (size_t)s->H);
    put_agent(s, st, s->agent_y * s->W + s->agent_x, s->agent_dir);
    int g = draw(&st->rng, s->num_goals);
    put_goal(s, st, s->goals[g][1] * s->W + s->goals[g][0]);
    return LUDUS_OK;
}

#define PM_MAX ((MAZE_MAX_SIDE + 1) / 2)

static int gen_perfect(const maze_spec *s, maze_state *st)
{
    uint8_t *cells = maze_cells(st);
    const int nx = (s->iw + 1) / 2, ny = (s->ih + 1) / 2;
    for (int y = 1; y < s->H - 1; y++)
        for (int x = 1; x < s->W - 1; x++) cells[y * s->W + x] = MZ_WALL;
    static const int dxy[4][2] = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}};
    uint8_t visited[PM_MAX * PM_MAX];
    int16_t stack[PM_MAX * PM_MAX];
    memset(visited, 0, (size_t)(nx * ny));
    int top = 0, start = draw(&st->rng, nx * ny);
    stack[top++] = (int16_t)start;
    visited[start] = 1;
    cells[(2 * (start / nx) + 1) * s->W + 2 * (start % nx) + 1] = MZ_EMPTY;
    while (top > 0) {
        int c = stack[top - 1], cx = c % nx, cy = c / nx;
        int options[4], k = 0;
        for (int d = 0; d < 4; d++) {
            int x = cx + dxy[d][0], y = cy + dxy[d][1];
            if (x >= 0 && y >= 0 && x < nx && y < ny && !visited[y * nx + x]) options[k++] = d;
        }
        if (!k) {
            top--;
            continue;
        }
        int d = options[draw(&st->rng, k)];
        int x = cx + dxy[d][0], y = cy + dxy[d][1];
        visited[y * nx + x] = 1;
        /* interior (2x, 2y) is full-grid (2x + 1, 2y + 1); the wall between
         * two cells is their midpoint */
        cells[(2 * y + 1) * s->W + 2 * x + 1] = MZ_EMPTY;
        cells[(cy + y + 1) * s->W + cx + x + 1] = MZ_EMPTY;
        stack[top++] = (int16_t)(y * nx + x);
    }
    int nfree = count_free(s, cells);
    int g = nth_free(s, cells, draw(&st->rng, nfree), -1);
    put_goal(s, st, g);
    int a = nth_free(s, cells, draw(&st->rng, nfree - 1), -1);
    int dir = draw(&st->rng, 4);
    put_agent(s, st, a, dir);
    return LUDUS_OK;
}

static int maze_reset(const ludus_env *env, void *state, uint64_t seed, int reseed)
{
    const maze_spec *s = env->impl;
    maze_state *st = state;
    env_state_header hdr = st->hdr;
    ludus_rng rng = st->rng;
    if (reseed) ludus_rng_seed(&rng, seed);
    memset(st, 0, s->state_size);
    st->hdr = hdr;
    st->rng = rng;
    uint8_t *cells = maze_cells(st);
    for (int x = 0; x < s->W; x++) cells[x] = cells[(s->H - 1) * s->W + x] = MZ_WALL;
    for (int y = 0; y < s->H; y++) cells[y * s->W] = cells[y * s->W + s->W - 1] = MZ_WALL;
    int rc = s->kind == MAZE_RANDOM ? gen_random(s, st) : s->kind == MAZE_FIXED ? gen_fixed(s, st) : gen_perfect(s, st);
    if (rc) return ludus_err_wrap(rc, "level generation failed for seed %llu", (unsigned long long)seed);
    return LUDUS_OK;
}

/* ---- rules -------------------------------------------------------------- */

static void maze_step(const ludus_env *env, void *state, int action, ludus_step_out *out)
{
    const maze_spec *s = env->impl;
    maze_state *st = state;
    st->step_count++;
    memset(out, 0, sizeof *out);
    switch (action) {
    case ACT_LEFT: st->agent_dir = (uint8_t)((st->agent_dir + 3) & 3); break;
    case ACT_RIGHT: st->agent_dir = (uint8_t)((st->agent_dir + 1) & 3); break;
    case ACT_FORWARD: {
        int fx = st->agent_x + ludus_grid_dir_vec[st->agent_dir & 3][0];
        int fy = st->agent_y + ludus_grid_dir_vec[st->agent_dir & 3][1];
        /* the border keeps the agent inside: (fx, fy) is in the grid */
        uint8_t c = maze_cells_c(st)[fy * s->W + fx];
        if (c == MZ_GOAL) {
            /* the agent stays; the episode ends */
            out->terminated = 1;
            out->reward = 1.0 - 0.9 * ((double)st->step_count / (double)s->max_steps);
        } else if (c == MZ_EMPTY) {
            st->agent_x = (int16_t)fx;
            st->agent_y = (int16_t)fy;
        }
        break;
    }
    default: break; /* pick up, drop, toggle, done: nothing */
    }
    if (st->step_count >= s->max_steps) out->truncated = 1;
    out->success = out->terminated && out->reward > 0;
}

/* ---- observation -------------------------------------------------------- */

void ludus_maze_view(const maze_spec *s, const maze_state *st, uint8_t *image)
{
    static const uint8_t enc[3][3] = {{OBJ_EMPTY, 0, 0}, {OBJ_WALL, COL_GREY, 0}, {OBJ_GOAL, COL_GREEN, 0}};
    const int V = MAZE_VIEW, h = V / 2;
    const int fx = ludus_grid_dir_vec[st->agent_dir & 3][0], fy = ludus_grid_dir_vec[st->agent_dir & 3][1];
    const uint8_t *cells = maze_cells_c(st);
    for (int vx = 0; vx < V; vx++)
        for (int vy = 0; vy < V; vy++) {
            /* forward V-1-vy cells, right vx-h cells (right is (-fy, fx)) */
            int f = V - 1 - vy, r = vx - h;
            int x = st->agent_x + fx * f - fy * r, y = st->agent_y + fy * f + fx * r;
            int c = (unsigned)x < (unsigned)s->W && (unsigned)y < (unsigned)s->H ? cells[y * s->W + x] : MZ_WALL;
            if (vx == h && vy == V - 1) c = MZ_EMPTY; /* the agent is not drawn */
            memcpy(image + (vx * V + vy) * 3, enc[c], 3);
        }
}

static void maze_observe(const ludus_env *env, const void *state, uint8_t *obs)
{
    const maze_state *st = state;
    ludus_maze_view(env->impl, st, obs);
    obs[MAZE_VIEW * MAZE_VIEW * 3] = st->agent_dir;
}

static const char *maze_mission(const ludus_env *env, const void *state)
{
    (void)env;
    (void)state;
    return MAZE_MISSION;
}

static uint32_t maze_max_steps(const ludus_env *env, const void *state)
{
    (void)state;
    return ((const maze_spec *)env->impl)->max_steps;
}

static uint32_t maze_step_count(const ludus_env *env, const void *state)
{
    (void)env;
    return ((const maze_state *)state)->step_count;
}

/* ---- states from outside ------------------------------------------------ */

static int maze_validate(const ludus_env *env, const void *state)
{
    const maze_spec *s = env->impl;
    const maze_state *st = state;
    const uint8_t *cells = maze_cells_c(st);
    int goals = 0;
    for (int y = 0; y < s->H; y++)
        for (int x = 0; x < s->W; x++) {
            uint8_t c = cells[y * s->W + x];
            if (c > MZ_GOAL)
                return ludus_err_set(LUDUS_EFORMAT, "cell (%d, %d) holds %d (want 0 empty, 1 wall, 2 goal)", x, y, c);
            if ((x == 0 || y == 0 || x == s->W - 1 || y == s->H - 1) && c != MZ_WALL)
                return ludus_err_set(LUDUS_EFORMAT, "border cell (%d, %d) is not a wall", x, y);
            goals += c == MZ_GOAL;
        }
    if (goals != 1) return ludus_err_set(LUDUS_EFORMAT, "the maze holds %d goals (want 1)", goals);
    if (st->goal_x < 1 || st->goal_y < 1 || st->goal_x >= s->W - 1 || st->goal_y >= s->H - 1 ||
        cells[st->goal_y * s->W + st->goal_x] != MZ_GOAL)
        return ludus_err_set(LUDUS_EFORMAT, "the goal's position (%d, %d) is not the goal's cell", st->goal_x,
                             st->goal_y);
    if (st->agent_x < 1 || st->agent_y < 1 || st->agent_x >= s->W - 1 || st->agent_y >= s->H - 1)
        return ludus_err_set(LUDUS_EFORMAT, "the agent's position (%d, %d) is outside the %dx%d interior", st->agent_x,
                             st->agent_y, s->iw, s->ih);
    if (cells[st->agent_y * s->W + st->agent_x] != MZ_EMPTY)
        return ludus_err_set(LUDUS_EFORMAT, "the agent stands at (%d, %d) on a %s", st->agent_x, st->agent_y,
                             cells[st->agent_y * s->W + st->agent_x] == MZ_WALL ? "wall" : "goal");
    if (st->agent_dir > 3) return ludus_err_set(LUDUS_EFORMAT, "agent direction %d (want 0..3)", st->agent_dir);
    return LUDUS_OK;
}

const env_ops ludus_maze_ops = {
    .reset = maze_reset,
    .step = maze_step,
    .observe = maze_observe,
    .text = ludus_maze_text,
    .mission = maze_mission,
    .max_steps = maze_max_steps,
    .step_count = maze_step_count,
    .render_size = ludus_maze_render_size,
    .render = ludus_maze_render,
    .render_ansi = ludus_maze_render_ansi,
    .validate = maze_validate,
    .parse_action = ludus_grid_parse_action, /* MiniGrid's actions, BALROG's words */
    .trace_header = ludus_maze_trace_header,
    .trace_reset = ludus_maze_trace_reset,
    .trace_step = ludus_maze_trace_step,
    .level_size = ludus_maze_level_size,
    .level_of = ludus_maze_level_of,
    .reset_level = ludus_maze_reset_level,
    .level_mutate = ludus_maze_level_mutate,
    .destroy = maze_destroy,
};
