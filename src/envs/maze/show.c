/* show.c: the maze worlds for people and language models: the text
 * observation (the grid worlds' BALROG-style lines, docs/text-observation.md,
 * from the same 5x5 view as the tensor), the terminal picture, RGB frames
 * in the grid worlds' tile look, and `ludus-trace/1` lines in the grid
 * worlds' format (shared/data/minigrid-traces/FORMAT.md).
 */
#include <string.h>

#include "maze.h"

#define TILE_DEFAULT 32
#define TILE_MAX 256
#define FRAME_MAX 16384 /* pixels a side */
#define MAX_CELLS ((MAZE_MAX_SIDE + 2) * (MAZE_MAX_SIDE + 2))

static const char *plural(int n) { return n == 1 ? "step" : "steps"; }

/* The nearest wall from the agent along a ray of view cells, or 0. */
static int wall_ray(const uint8_t *img, int x0, int y0, int sx, int sy, int count)
{
    const int V = MAZE_VIEW;
    for (int k = 1; k <= count; k++) {
        int t = img[((x0 + sx * k) * V + (y0 + sy * k)) * 3];
        if (t == OBJ_EMPTY) continue;
        return t == OBJ_WALL ? k : 0;
    }
    return 0;
}

int ludus_maze_text(const ludus_env *env, const void *state, ludus_text_mode mode, char *buf, size_t cap)
{
    const int V = MAZE_VIEW, h = V / 2;
    uint8_t img[MAZE_VIEW * MAZE_VIEW * 3];
    ludus_maze_view(env->impl, state, img);
    strbuf sb = sb_make(buf, cap);
    int lines = 0;
#define NEWLINE() do { if (lines++) ludus_sb_putc(&sb, '\n'); } while (0)
    if (mode == LUDUS_TEXT_FULL) {
        NEWLINE();
        ludus_sb_puts(&sb, "Mission: " MAZE_MISSION);
    }
    int n;
    if ((n = wall_ray(img, h, V - 1, 0, -1, V - 1))) {
        NEWLINE();
        ludus_sb_printf(&sb, "a wall %d %s forward", n, plural(n));
    }
    if ((n = wall_ray(img, h, V - 1, -1, 0, h))) {
        NEWLINE();
        ludus_sb_printf(&sb, "a wall %d %s left", n, plural(n));
    }
    if ((n = wall_ray(img, h, V - 1, 1, 0, h))) {
        NEWLINE();
        ludus_sb_printf(&sb, "a wall %d %s right", n, plural(n));
    }
    for (int x = 0; x < V; x++)
        for (int y = 0; y < V; y++) {
            if (img[(x * V + y) * 3] != OBJ_GOAL) continue;
            int dx = x - h, dy = V - 1 - y, ax = dx < 0 ? -dx : dx;
            NEWLINE();
            ludus_sb_puts(&sb, "a green goal ");
            if (dx == 0) ludus_sb_printf(&sb, "%d %s forward", dy, plural(dy));
            else if (dy == 0) ludus_sb_printf(&sb, "%d %s %s", ax, plural(ax), dx < 0 ? "left" : "right");
            else ludus_sb_printf(&sb, "%d %s %s and %d %s forward", ax, plural(ax), dx < 0 ? "left" : "right", dy,
                                 plural(dy));
        }
    if (mode == LUDUS_TEXT_FULL) {
        NEWLINE();
        ludus_sb_puts(&sb, "Actions: ");
        for (int a = 0; a < env->info.num_actions; a++)
            ludus_sb_printf(&sb, "%s%s", a ? ", " : "", env->info.action_names[a]);
    }
#undef NEWLINE
    if (sb.len >= cap) return ludus_err_set(LUDUS_EINTERNAL, "text observation longer than its capacity");
    return (int)sb.len;
}

/* 1 where the agent's 5x5 view covers a grid cell (it sees through walls). */
static int in_view(const maze_state *st, int x, int y)
{
    const int V = MAZE_VIEW, h = V / 2;
    const int fx = ludus_grid_dir_vec[st->agent_dir & 3][0], fy = ludus_grid_dir_vec[st->agent_dir & 3][1];
    int dx = x - st->agent_x, dy = y - st->agent_y;
    int f = dx * fx + dy * fy, r = dx * -fy + dy * fx; /* forward and right distances */
    return f >= 0 && f <= V - 1 && r >= -h && r <= h;
}

void ludus_maze_render_ansi(const ludus_env *env, const void *state, strbuf *sb)
{
    const maze_spec *s = env->impl;
    const maze_state *st = state;
    static const char *arrows[4] = {"\xe2\x96\xb6 ", "\xe2\x96\xbc ", "\xe2\x97\x80 ", "\xe2\x96\xb2 "};
    const uint8_t *cells = maze_cells_c(st);
    for (int y = 0; y < s->H; y++) {
        for (int x = 0; x < s->W; x++) {
            uint8_t c = cells[y * s->W + x];
            ludus_sb_printf(sb, "\x1b[48;5;%dm", in_view(st, x, y) ? 238 : 233);
            if (x == st->agent_x && y == st->agent_y) ludus_sb_printf(sb, "\x1b[1;38;5;196m%s", arrows[st->agent_dir & 3]);
            else if (c == MZ_WALL) ludus_sb_puts(sb, "\x1b[38;5;244m\xe2\x96\x88\xe2\x96\x88");
            else if (c == MZ_GOAL) ludus_sb_puts(sb, "\x1b[48;5;34m  ");
            else ludus_sb_puts(sb, "  ");
            ludus_sb_puts(sb, "\x1b[0m");
        }
        ludus_sb_putc(sb, '\n');
    }
}

static int tile_size_of(const ludus_env *env, const ludus_render_opts *o, int *ts)
{
    const maze_spec *s = env->impl;
    int t = o->tile_size ? o->tile_size : TILE_DEFAULT;
    if (t < 1 || t > TILE_MAX)
        return ludus_err_set(LUDUS_EINVAL, "tile size %d is out of range 1..%d for '%s' (0 means %d)", t, TILE_MAX,
                             env->id, TILE_DEFAULT);
    int side = (o->agent_view ? MAZE_VIEW : (s->W > s->H ? s->W : s->H)) * t;
    if (side > FRAME_MAX)
        return ludus_err_set(LUDUS_EINVAL, "tile size %d makes a frame of %d pixels a side for '%s' (at most %d)", t,
                             side, env->id, FRAME_MAX);
    *ts = t;
    return LUDUS_OK;
}

int ludus_maze_render_size(const ludus_env *env, const ludus_render_opts *o, int *w, int *h)
{
    const maze_spec *s = env->impl;
    int ts = TILE_DEFAULT, rc = tile_size_of(env, o, &ts);
    if (rc) return rc;
    *w = (o->agent_view ? MAZE_VIEW : s->W) * ts;
    *h = (o->agent_view ? MAZE_VIEW : s->H) * ts;
    return LUDUS_OK;
}

int ludus_maze_render(const ludus_env *env, const void *state, const ludus_render_opts *o, uint8_t *rgb)
{
    const maze_spec *s = env->impl;
    const maze_state *st = state;
    int ts = TILE_DEFAULT, rc = tile_size_of(env, o, &ts);
    if (rc) return rc;
    gcell cells[MAX_CELLS];
    uint8_t lit[MAX_CELLS];
    int cols, rows, agent, dir;
    if (o->agent_view) {
        const int V = MAZE_VIEW;
        uint8_t enc[MAZE_VIEW * MAZE_VIEW * 3];
        ludus_maze_view(s, st, enc);
        cols = rows = V;
        for (int vy = 0; vy < V; vy++)
            for (int vx = 0; vx < V; vx++) {
                const uint8_t *e = enc + (vx * V + vy) * 3;
                cells[vy * V + vx] = e[0] > OBJ_EMPTY ? GC_MAKE(e[0], e[1], e[2], 0) : GC_EMPTY;
                lit[vy * V + vx] = o->highlight != 0;
            }
        agent = (V - 1) * V + V / 2;
        dir = 3;
    } else {
        cols = s->W;
        rows = s->H;
        const uint8_t *mc = maze_cells_c(st);
        for (int y = 0; y < rows; y++)
            for (int x = 0; x < cols; x++) {
                cells[y * cols + x] = maze_gcell(mc[y * cols + x]);
                lit[y * cols + x] = o->highlight && in_view(st, x, y);
            }
        agent = st->agent_y * cols + st->agent_x;
        dir = st->agent_dir & 3;
    }
    ludus_grid_draw_cells(cols, rows, cells, lit, agent, dir, ts, rgb);
    return LUDUS_OK;
}

/* ---- traces ------------------------------------------------------------- */

static void sb_obs(strbuf *sb, const maze_spec *s, const maze_state *st)
{
    const int V = MAZE_VIEW;
    uint8_t img[MAZE_VIEW * MAZE_VIEW * 3];
    ludus_maze_view(s, st, img);
    ludus_sb_putc(sb, '[');
    for (int vx = 0; vx < V; vx++) {
        ludus_sb_puts(sb, vx ? ",[" : "[");
        for (int vy = 0; vy < V; vy++) {
            const uint8_t *c = img + (vx * V + vy) * 3;
            ludus_sb_printf(sb, "%s[%d,%d,%d]", vy ? "," : "", c[0], c[1], c[2]);
        }
        ludus_sb_putc(sb, ']');
    }
    ludus_sb_putc(sb, ']');
}

static void sb_cell(strbuf *sb, uint8_t c)
{
    uint8_t e[3];
    grid_encode_cell(maze_gcell(c), e);
    ludus_sb_printf(sb, "[%d,%d,%d]", e[0], e[1], e[2]);
}

void ludus_maze_trace_header(const ludus_env *env, uint64_t seed, strbuf *sb)
{
    const maze_spec *s = env->impl;
    ludus_sb_puts(sb, "{\"kind\":\"header\",\"env_id\":");
    ludus_sb_json_str(sb, env->id);
    ludus_sb_printf(sb, ",\"format\":\"ludus-trace/1\",\"width\":%d,\"height\":%d,\"agent_view_size\":%d,"
                        "\"see_through_walls\":true,\"max_steps\":%u,\"generator\":\"ludus %s\","
                        "\"action_space_n\":%d,\"seeds\":[%llu],\"env_per_episode\":\"fresh\","
                        "\"action_policy\":\"given\"}",
                    s->W, s->H, MAZE_VIEW, s->max_steps, LUDUS_VERSION, env->info.num_actions,
                    (unsigned long long)seed);
}

void ludus_maze_trace_reset(const ludus_env *env, const void *state, uint64_t seed, strbuf *sb)
{
    const maze_spec *s = env->impl;
    const maze_state *st = state;
    const uint8_t *cells = maze_cells_c(st);
    ludus_sb_printf(sb, "{\"kind\":\"reset\",\"seed\":%llu,\"grid\":[", (unsigned long long)seed);
    for (int x = 0; x < s->W; x++) {
        ludus_sb_puts(sb, x ? ",[" : "[");
        for (int y = 0; y < s->H; y++) {
            if (y) ludus_sb_putc(sb, ',');
            sb_cell(sb, cells[y * s->W + x]);
        }
        ludus_sb_putc(sb, ']');
    }
    ludus_sb_printf(sb, "],\"agent_pos\":[%d,%d],\"agent_dir\":%d,\"carrying\":null,\"mission\":\"" MAZE_MISSION
                        "\",\"obs\":",
                    st->agent_x, st->agent_y, st->agent_dir);
    sb_obs(sb, s, st);
    ludus_sb_printf(sb, ",\"max_steps\":%u}", s->max_steps);
}

void ludus_maze_trace_step(const ludus_env *env, const void *prev, const void *state, int t, int action,
                           const ludus_step_out *out, strbuf *sb)
{
    const maze_spec *s = env->impl;
    const maze_state *st = state, *ps = prev;
    ludus_sb_printf(sb, "{\"kind\":\"step\",\"t\":%d,\"action\":%d,\"obs\":", t, action);
    sb_obs(sb, s, st);
    ludus_sb_puts(sb, ",\"reward\":");
    ludus_sb_double(sb, out->reward);
    ludus_sb_printf(sb, ",\"terminated\":%s,\"truncated\":%s,\"agent_pos\":[%d,%d],\"agent_dir\":%d,"
                        "\"carrying\":null,\"mission\":\"" MAZE_MISSION "\",\"grid_diff\":[",
                    out->terminated ? "true" : "false", out->truncated ? "true" : "false", st->agent_x, st->agent_y,
                    st->agent_dir);
    /* The maze's rules never change a cell; a diff appears only between
     * states a caller set (a level reset in between). */
    const uint8_t *a = maze_cells_c(ps), *b = maze_cells_c(st);
    int first = 1;
    for (int x = 0; x < s->W; x++)
        for (int y = 0; y < s->H; y++) {
            uint8_t e[3];
            if (a[y * s->W + x] == b[y * s->W + x]) continue;
            grid_encode_cell(maze_gcell(b[y * s->W + x]), e);
            ludus_sb_printf(sb, "%s[%d,%d,%d,%d,%d]", first ? "" : ",", x, y, e[0], e[1], e[2]);
            first = 0;
        }
    ludus_sb_puts(sb, "]}");
}
