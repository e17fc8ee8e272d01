/* core.c: the MiniGrid core shared by every grid world: the spec (layout of
 * the flat state, view tables), reset, the reference's step rules and the
 * egocentric observation with its visibility sweep (spec/minigrid.md §4-6).
 * Worlds add a generator and, where the reference does, a step rule.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "grid.h"
#include "worlds.h"

const uint8_t ludus_grid_color_names[6] = {COL_BLUE, COL_GREEN, COL_GREY, COL_PURPLE, COL_RED, COL_YELLOW};
const char *const ludus_grid_color_str[6] = {"red", "green", "blue", "purple", "yellow", "grey"};
const char *const ludus_grid_type_str[11] = {"unseen", "empty", "wall", "floor", "door", "key",
                                       "ball",   "box",   "goal", "lava",  "agent"};
const int8_t ludus_grid_dir_vec[4][2] = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}};

static const char *const grid_action_names[GRID_NUM_ACTIONS] = {
    "turn left", "turn right", "go forward", "pick up", "drop", "toggle", "done"};

#define ALIGN8(n) (((n) + 7u) & ~(size_t)7u)

static void grid_destroy(ludus_env *env)
{
    free((void *)env->impl);
    env->impl = NULL;
}

static void build_cell_lut(void);
static pthread_once_t cell_lut_once = PTHREAD_ONCE_INIT;

/* `ludus play`'s keys: arrows or a/d/w to turn and move, p pick up, x
 * drop, space (or t) toggle, enter done, and digits for any action. */
static const ludus_key_binding grid_keys[] = {
    {LUDUS_KEY_LEFT, ACT_LEFT, "\xe2\x86\x90/a"}, {'a', ACT_LEFT, NULL},
    {LUDUS_KEY_RIGHT, ACT_RIGHT, "\xe2\x86\x92/d"}, {'d', ACT_RIGHT, NULL},
    {LUDUS_KEY_UP, ACT_FORWARD, "\xe2\x86\x91/w"}, {'w', ACT_FORWARD, NULL},
    {'p', ACT_PICKUP, "p"}, {'x', ACT_DROP, "x"},
    {' ', ACT_TOGGLE, "space"}, {'t', ACT_TOGGLE, NULL},
    {LUDUS_KEY_ENTER, ACT_DONE, "enter"},
    {'0', 0, NULL}, {'1', 1, NULL}, {'2', 2, NULL}, {'3', 3, NULL}, {'4', 4, NULL},
    {'5', 5, NULL}, {'6', 6, NULL},
    {0, 0, NULL},
};

int ludus_grid_make(const env_entry *entry, const char *options, ludus_env *env)
{
    pthread_once(&cell_lut_once, build_cell_lut);
    const grid_params *gp = entry->params;
    long view = 7, max_steps = gp->max_steps;
    const char *cur = options;
    char key[64], val[64];
    int r;
    while ((r = ludus_env_options_next(&cur, key, sizeof key, val, sizeof val)) > 0) {
        if (strcmp(key, "agent_view_size") == 0) {
            if (ludus_env_option_int(key, val, 3, GRID_MAX_VIEW, &view)) return LUDUS_EINVAL;
            if (view % 2 == 0) return ludus_err_set(LUDUS_EINVAL, "agent_view_size must be odd, got %ld", view);
        } else if (strcmp(key, "max_steps") == 0) {
            if (ludus_env_option_int(key, val, 1, 1L << 30, &max_steps)) return LUDUS_EINVAL;
        } else {
            return ludus_err_set(LUDUS_EINVAL, "unknown option '%s' (grid worlds take agent_view_size, max_steps)", key);
        }
    }
    if (r < 0) return LUDUS_EINVAL;

    /* The layout template, if any, lives in the same block as the spec. */
    size_t layout_size = gp->world->layout ? sizeof(gcell) * (size_t)(gp->width * gp->height) : 0;
    grid_spec *s = calloc(1, sizeof *s + layout_size);
    if (!s) return ludus_err_set(LUDUS_ENOMEM, "out of memory");
    s->world = gp->world;
    s->width = gp->width;
    s->height = gp->height;
    s->view = (int)view;
    s->see_through_walls = gp->see_through_walls;
    s->max_steps = (uint32_t)max_steps;
    memcpy(s->p, gp->p, sizeof s->p);
    s->extra_off = ALIGN8(sizeof(grid_state));
    s->mission_off = s->extra_off + ALIGN8(gp->world->extra_size);
    s->cells_off = s->mission_off + ALIGN8(gp->world->mission_cap);
    s->state_size = ALIGN8(s->cells_off + sizeof(gcell) * (size_t)(s->width * s->height));
    if (layout_size) {
        gcell *layout = (gcell *)(s + 1);
        gp->world->layout(s, layout);
        s->layout = layout;
    }
    int V = s->view;
    env->impl = s;
    env->ops = &ludus_grid_ops;

    ludus_env_info *info = &env->info;
    info->family = gp->family;
    info->num_actions = gp->world->num_actions;
    info->max_action = GRID_NUM_ACTIONS;
    info->action_names = grid_action_names;
    info->action_dims = 1;
    info->action_nvec[0] = info->num_actions;
    info->obs_size = (size_t)(V * V * 3 + 1);
    info->num_obs_fields = 2;
    /* the reference declares the image Box(0, 255) though indices stop at 10 */
    info->obs_fields[0] = (ludus_obs_field){"image", 0, 3, {V, V, 3}, 0, 10, 0, 255, LUDUS_OBS_GRID_CELLS};
    info->obs_fields[1] = (ludus_obs_field){"direction", (size_t)(V * V * 3), 1, {1, 0, 0}, 0, 3, 0, 3,
                                            LUDUS_OBS_DIRECTION};
    info->state_size = s->state_size;
    info->width = s->width;
    info->height = s->height;
    info->max_steps = s->max_steps;
    info->mission_capacity = gp->world->mission_cap;
    info->options_doc = "agent_view_size=N (odd, 3..15; default 7), max_steps=N (default: the reference's)";
    info->keys = grid_keys;
    info->train_options = "";
    /* Memory shows the object to match once, at the start */
    info->flags = gp->world == &ludus_grid_world_memory ? LUDUS_ENV_NEEDS_MEMORY : 0;
    /* BabyAI's levels are instructions to follow */
    if (strcmp(gp->family, "babyai") == 0) info->flags |= LUDUS_ENV_INSTRUCTED;
    /* mission + carry + 3 wall lines + one line per view cell + actions */
    info->text_capacity = gp->world->mission_cap + 64 + (size_t)(V * V + 4) * 64 + 160;
    return LUDUS_OK;
}

double ludus_grid_success_reward(const grid_state *st)
{
    return 1.0 - 0.9 * ((double)st->step_count / (double)st->max_steps);
}

void ludus_grid_set_mission(const grid_spec *s, grid_state *st, const char *mission)
{
    char *m = grid_mission(s, st);
    size_t n = strlen(mission);
    if (n >= s->world->mission_cap) n = s->world->mission_cap - 1;
    memcpy(m, mission, n);
    m[n] = 0;
}

static int grid_reset(const ludus_env *env, void *state, uint64_t seed, int reseed)
{
    const grid_spec *s = env->impl;
    grid_state *st = state;
    /* The header belongs to env.c and the stream continues on an unseeded
     * reset; everything else starts from zero (padding too, so equal
     * episodes give equal bytes). */
    env_state_header hdr = st->hdr;
    ludus_rng rng = st->rng;
    if (reseed) ludus_rng_seed(&rng, seed);
    memset(st, 0, s->state_size);
    st->hdr = hdr;
    st->rng = rng;
    st->agent_x = st->agent_y = -1;
    st->next_id = 1;
    st->max_steps = s->max_steps;
    int rc = s->world->gen(s, st);
    if (rc != LUDUS_OK) return ludus_err_set(rc, "level generation failed for seed %llu", (unsigned long long)seed);
    if (st->agent_x < 0 || st->agent_y < 0 || st->agent_x >= s->width || st->agent_y >= s->height ||
        !gc_can_overlap(grid_get(s, st, st->agent_x, st->agent_y)))
        return ludus_err_set(LUDUS_EINTERNAL, "generator left the agent on an invalid cell");
    st->step_count = 0;
    if (s->world->max_steps) st->max_steps = s->world->max_steps(s, st);
    return LUDUS_OK;
}

static void toggle(const grid_spec *s, grid_state *st, int x, int y, gcell fc)
{
    int t = GC_TYPE(fc);
    if (t == OBJ_DOOR) {
        int state = GC_STATE(fc);
        if (state == DOOR_LOCKED) {
            gcell k = st->carrying;
            if (GC_TYPE(k) == OBJ_KEY && GC_COLOR(k) == GC_COLOR(fc))
                grid_set(s, st, x, y, GC_WITH_STATE(fc, DOOR_OPEN));
        } else {
            grid_set(s, st, x, y, GC_WITH_STATE(fc, state == DOOR_OPEN ? DOOR_CLOSED : DOOR_OPEN));
        }
    } else if (t == OBJ_BOX) {
        grid_set(s, st, x, y, st->contents[GC_ID(fc)]);
    }
}

void ludus_grid_core_step(const grid_spec *s, grid_state *st, int action, ludus_step_out *out)
{
    st->step_count++;
    out->reward = 0.0;
    out->terminated = 0;
    out->truncated = 0;
    out->success = 0;
    out->reserved = 0;
    out->achievements = 0;
    int fx = st->agent_x + ludus_grid_dir_vec[st->agent_dir][0];
    int fy = st->agent_y + ludus_grid_dir_vec[st->agent_dir][1];
    int inside = fx >= 0 && fy >= 0 && fx < s->width && fy < s->height;
    gcell fc = inside ? grid_get(s, st, fx, fy) : GC_WALL;
    switch (action) {
    case ACT_LEFT: st->agent_dir = (uint8_t)((st->agent_dir + 3) & 3); break;
    case ACT_RIGHT: st->agent_dir = (uint8_t)((st->agent_dir + 1) & 3); break;
    case ACT_FORWARD:
        if (gc_can_overlap(fc)) {
            st->agent_x = (int16_t)fx;
            st->agent_y = (int16_t)fy;
        }
        if (GC_TYPE(fc) == OBJ_GOAL) {
            out->terminated = 1;
            out->reward = ludus_grid_success_reward(st);
        } else if (GC_TYPE(fc) == OBJ_LAVA) {
            out->terminated = 1;
        }
        break;
    case ACT_PICKUP:
        if (gc_can_pickup(fc) && st->carrying == GC_EMPTY) {
            st->carrying = fc;
            grid_set(s, st, fx, fy, GC_EMPTY);
        }
        break;
    case ACT_DROP:
        if (inside && fc == GC_EMPTY && st->carrying != GC_EMPTY) {
            grid_set(s, st, fx, fy, st->carrying);
            st->carrying = GC_EMPTY;
        }
        break;
    case ACT_TOGGLE:
        if (inside && fc != GC_EMPTY) toggle(s, st, fx, fy, fc);
        break;
    default: break; /* done */
    }
    if (st->step_count >= st->max_steps) out->truncated = 1;
}

static void grid_step(const ludus_env *env, void *state, int action, ludus_step_out *out)
{
    const grid_spec *s = env->impl;
    grid_state *st = state;
    if (s->world->step) s->world->step(s, st, action, out);
    else ludus_grid_core_step(s, st, action, out);
    out->success = out->terminated && out->reward > 0;
}

/* Cell encoding and opacity by the low 9 bits of a cell (type, colour,
 * state): bytes 0-2 are the (type, colour, state) triple, byte 3 is 1 for
 * cells that block sight. Built once; the hot path is a table load. */
static uint32_t cell_lut[512];

static void build_cell_lut(void)
{
    for (unsigned c = 0; c < 512; c++) {
        uint8_t e[3];
        grid_encode_cell((gcell)c, e);
        cell_lut[c] = (uint32_t)e[0] | (uint32_t)e[1] << 8 | (uint32_t)e[2] << 16 |
                      (uint32_t)(gc_opaque((gcell)c) ? 1u : 0u) << 24;
    }
}

/* Cells spread from the bits of x toward higher bits through `pass`: bit
 * i + 1 is added when bit i is set and passes, and so on along the run.
 * Adding the seeds to their runs of passing bits carries through each run
 * and one bit past it; the xor keeps exactly the bits that changed. */
static inline uint32_t spread_up(uint32_t x, uint32_t pass)
{
    return x | ((pass + (x & pass)) ^ pass);
}

/* The same toward lower bits, where no carry runs: Kogge-Stone doubling,
 * log2(V) steps with no data-dependent loop. */
static inline __attribute__((always_inline)) uint32_t spread_down(uint32_t x, uint32_t pass, const int V)
{
    for (int k = 1; k < V; k <<= 1) {
        x |= (x & pass) >> k;
        pass &= pass << k; /* passes k cells in a row down from here */
    }
    return x;
}

/* The V x V view cells ([vx][vy]) and, per view row vy, a bit mask of the
 * columns the agent sees (spec/minigrid.md §6.1-6.2), before the carried
 * object is written in. The reference's sweep over row j, left to right
 * then right to left, becomes two closures on 15-bit masks:
 *   left-to-right: cells i <= V-2 that are seen and transparent light i+1
 *   (and i, i+1 in row j-1), and cells lit this way spread further right;
 *   right-to-left: the same mirrored, over the result of the first pass.
 * Always inlined so the V = 7 instance unrolls with a constant V.
 */
static inline __attribute__((always_inline)) void
view_rows_v(const grid_spec *s, const grid_state *st, const int V,
            uint32_t enc[GRID_MAX_VIEW][GRID_MAX_VIEW], uint32_t vis[GRID_MAX_VIEW])
{
    const int W = s->width, H = s->height, h = V / 2;
    const int fx = ludus_grid_dir_vec[st->agent_dir & 3][0], fy = ludus_grid_dir_vec[st->agent_dir & 3][1];
    const gcell *cells = grid_cells_c(s, st);
    const uint32_t wall = cell_lut[GC_WALL];
    /* View cell (vx, vy) is world cell agent + f*(V-1-vy) + r*(vx-h), with
     * r = (-fy, fx). Along a view column, vy + 1 moves one cell back (-f):
     * a fixed index stride, and the in-grid cells of every column are the
     * same range [lo, hi) of vy (f runs along one axis, r along the
     * other). The columns inside the grid are a range [clo, chi) of vx. */
    const int ax = st->agent_x, ay = st->agent_y;
    int lo, hi, clo, chi;
    if (fx) { /* columns run along x, step across along y */
        const int xf = ax + fx * (V - 1); /* the x of vy = 0 */
        lo = fx > 0 ? xf - W + 1 : -xf;
        hi = fx > 0 ? xf + 1 : W - xf;
        const int y0 = ay - fx * h; /* the y of vx = 0; vx + 1 moves y by fx */
        clo = fx > 0 ? -y0 : y0 - H + 1;
        chi = fx > 0 ? H - y0 : y0 + 1;
    } else {
        const int yf = ay + fy * (V - 1);
        lo = fy > 0 ? yf - H + 1 : -yf;
        hi = fy > 0 ? yf + 1 : H - yf;
        const int x0 = ax + fy * h; /* vx + 1 moves x by -fy */
        clo = fy > 0 ? x0 - W + 1 : -x0;
        chi = fy > 0 ? x0 + 1 : W - x0;
    }
    if (lo < 0) lo = 0;
    if (hi > V) hi = V;
    if (clo < 0) clo = 0;
    if (chi > V) chi = V;
    if (hi <= lo) clo = chi = 0;
    const ptrdiff_t stride = -(fx + (ptrdiff_t)fy * W), colstep = -fy + (ptrdiff_t)fx * W;
    /* World index of view cell (0, lo). */
    const ptrdiff_t base = (ptrdiff_t)(ay + fy * (V - 1) - fx * h) * W + (ax + fx * (V - 1) + fy * h) + stride * lo;
    for (int vx = 0; vx < V; vx++)
        for (int vy = 0; vy < V; vy++) enc[vx][vy] = wall; /* outside the grid */
    for (int vx = clo; vx < chi; vx++) {
        const gcell *p = cells + base + colstep * vx;
        for (int vy = lo; vy < hi; vy++, p += stride) enc[vx][vy] = cell_lut[*p & 511u];
    }
    if (LUDUS_UNLIKELY(st->hand_pending && st->step_count == 0)) {
        /* BabyAI's Carrying levels: before the first step the object is
         * still seen on its cell (see grid_state.hand_pending). */
        int dx = st->hand_x - ax, dy = st->hand_y - ay;
        int vy = V - 1 - (dx * fx + dy * fy), vx = h + (dx * -fy + dy * fx);
        if ((unsigned)vx < (unsigned)V && (unsigned)vy < (unsigned)V) enc[vx][vy] = cell_lut[st->carrying & 511u];
    }
    const uint32_t all = (1u << V) - 1;
    if (s->see_through_walls) {
        for (int vy = 0; vy < V; vy++) vis[vy] = all;
        return;
    }
    uint32_t trans[GRID_MAX_VIEW];
    for (int vy = 0; vy < V; vy++) {
        uint32_t t = 0;
        for (int vx = 0; vx < V; vx++) t |= ((enc[vx][vy] >> 24) ^ 1u) << vx;
        trans[vy] = t;
    }
    const uint32_t not_last = all >> 1, not_first = all & ~1u;
    uint32_t m = 1u << h; /* the agent's own cell */
    int j = V - 1;
    for (; j >= 0 && m; j--) { /* rows past a row that lights nothing stay dark */
        uint32_t sr = trans[j] & not_last, sl = trans[j] & not_first;
        uint32_t l = spread_up(m, sr), r = spread_down(l, sl, V);
        vis[j] = r;
        uint32_t a = l & sr, b = r & sl;
        m = (a | a << 1 | b | b >> 1) & all;
    }
    for (; j >= 0; j--) vis[j] = 0;
}

static inline __attribute__((always_inline)) void
grid_view_v(const grid_spec *s, const grid_state *st, const int V, uint8_t *image)
{
    const int h = V / 2;
    uint32_t enc[GRID_MAX_VIEW][GRID_MAX_VIEW];
    uint32_t vis[GRID_MAX_VIEW];
    view_rows_v(s, st, V, enc, vis);
    enc[h][V - 1] = cell_lut[grid_shown_carrying(st) & 511u];
    /* Whole 4-byte stores straight into the image (each store's fourth
     * byte, the opacity flag, is overwritten by the next cell's); the last
     * cell, whose fourth byte would fall past the image, goes byte by byte.
     * (A local buffer copied out after costs a stalled reload: wide loads
     * cannot take their bytes from many narrow stores in flight.) */
    for (int vx = 0; vx < V; vx++)
        for (int vy = 0; vy < V; vy++) {
            /* All ones when seen: the visibility bit moved to the sign and
             * spread by an arithmetic shift (GCC and clang define signed
             * >> so), two instructions where and-and-negate takes three. */
            uint32_t seen = (uint32_t)((int32_t)(vis[vy] << (31 - vx)) >> 31);
            uint32_t e = enc[vx][vy] & seen;
            uint8_t *out = image + (vx * V + vy) * 3;
            if (vx == V - 1 && vy == V - 1) {
                out[0] = (uint8_t)e;
                out[1] = (uint8_t)(e >> 8);
                out[2] = (uint8_t)(e >> 16);
            } else {
                memcpy(out, &e, 4);
            }
        }
}

void ludus_grid_view(const grid_spec *s, const grid_state *st, uint8_t *image)
{
    /* ludus_grid_make guarantees an odd view in [3, GRID_MAX_VIEW]; the mask
     * keeps the compiler's bounds reasoning in step with that. */
    const int V = (s->view & 15) | 1;
    if (V == 7) grid_view_v(s, st, 7, image);
    else grid_view_v(s, st, V, image);
}

void ludus_grid_visible_cells(const grid_spec *s, const grid_state *st, uint8_t *mask)
{
    const int V = (s->view & 15) | 1, W = s->width, H = s->height, h = V / 2;
    uint32_t enc[GRID_MAX_VIEW][GRID_MAX_VIEW];
    uint32_t vis[GRID_MAX_VIEW];
    memset(mask, 0, (size_t)(W * H));
    view_rows_v(s, st, V, enc, vis);
    const int fx = ludus_grid_dir_vec[st->agent_dir & 3][0], fy = ludus_grid_dir_vec[st->agent_dir & 3][1];
    for (int vy = 0; vy < V; vy++)
        for (int vx = 0; vx < V; vx++) {
            int x = st->agent_x + fx * (V - 1 - vy) - fy * (vx - h);
            int y = st->agent_y + fy * (V - 1 - vy) + fx * (vx - h);
            if (((vis[vy] >> vx) & 1u) && (unsigned)x < (unsigned)W && (unsigned)y < (unsigned)H)
                mask[y * W + x] = 1;
        }
}

void ludus_grid_observe(const ludus_env *env, const void *state, uint8_t *obs)
{
    const grid_spec *s = env->impl;
    const grid_state *st = state;
    ludus_grid_view(s, st, obs);
    obs[s->view * s->view * 3] = st->agent_dir;
}

static const char *grid_mission_get(const ludus_env *env, const void *state)
{
    const grid_spec *s = env->impl;
    return (const char *)state + s->mission_off;
}

static uint32_t grid_max_steps_get(const ludus_env *env, const void *state)
{
    (void)env;
    return ((const grid_state *)state)->max_steps;
}

static uint32_t grid_rejections_get(const ludus_env *env, const void *state)
{
    (void)env;
    return ((const grid_state *)state)->rejections;
}

static uint32_t grid_step_count_get(const ludus_env *env, const void *state)
{
    (void)env;
    return ((const grid_state *)state)->step_count;
}

/* ---- traces (shared/data/minigrid-traces/FORMAT.md) ---- */

static void sb_cell(strbuf *sb, gcell c)
{
    uint8_t e[3];
    grid_encode_cell(c, e);
    ludus_sb_printf(sb, "[%d,%d,%d]", e[0], e[1], e[2]);
}

static void sb_obs(strbuf *sb, const grid_spec *s, const grid_state *st)
{
    uint8_t img[GRID_MAX_VIEW * GRID_MAX_VIEW * 3];
    ludus_grid_view(s, st, img);
    int V = s->view;
    ludus_sb_putc(sb, '[');
    for (int vx = 0; vx < V; vx++) {
        if (vx) ludus_sb_putc(sb, ',');
        ludus_sb_putc(sb, '[');
        for (int vy = 0; vy < V; vy++) {
            const uint8_t *o = img + (vx * V + vy) * 3;
            ludus_sb_printf(sb, "%s[%d,%d,%d]", vy ? "," : "", o[0], o[1], o[2]);
        }
        ludus_sb_putc(sb, ']');
    }
    ludus_sb_putc(sb, ']');
}

static void sb_carrying(strbuf *sb, gcell c)
{
    if (c == GC_EMPTY) ludus_sb_puts(sb, "null");
    else sb_cell(sb, c);
}

static void grid_trace_header(const ludus_env *env, uint64_t seed, strbuf *sb)
{
    const grid_spec *s = env->impl;
    ludus_sb_puts(sb, "{\"kind\":\"header\",\"env_id\":");
    ludus_sb_json_str(sb, env->id);
    ludus_sb_printf(sb, ",\"format\":\"ludus-trace/1\",\"minigrid_version\":\"3.1.0\",\"width\":%d,"
                  "\"height\":%d,\"agent_view_size\":%d,\"see_through_walls\":%s,\"max_steps\":%u,"
                  "\"generator\":\"ludus %s\",\"action_space_n\":%d,\"seeds\":[%llu],"
                  "\"env_per_episode\":\"fresh\",\"action_policy\":\"given\"}",
              s->width, s->height, s->view, s->see_through_walls ? "true" : "false",
              s->max_steps, LUDUS_VERSION, env->info.num_actions, (unsigned long long)seed);
}

static void grid_trace_reset(const ludus_env *env, const void *state, uint64_t seed, strbuf *sb)
{
    const grid_spec *s = env->impl;
    const grid_state *st = state;
    ludus_sb_printf(sb, "{\"kind\":\"reset\",\"seed\":%llu,\"grid\":[", (unsigned long long)seed);
    for (int x = 0; x < s->width; x++) {
        ludus_sb_puts(sb, x ? ",[" : "[");
        for (int y = 0; y < s->height; y++) {
            if (y) ludus_sb_putc(sb, ',');
            sb_cell(sb, grid_get(s, st, x, y));
        }
        ludus_sb_putc(sb, ']');
    }
    ludus_sb_printf(sb, "],\"agent_pos\":[%d,%d],\"agent_dir\":%d,\"carrying\":", st->agent_x, st->agent_y,
              st->agent_dir);
    sb_carrying(sb, st->carrying);
    ludus_sb_puts(sb, ",\"mission\":");
    ludus_sb_json_str(sb, grid_mission_get(env, st));
    ludus_sb_puts(sb, ",\"obs\":");
    sb_obs(sb, s, st);
    ludus_sb_printf(sb, ",\"max_steps\":%u}", st->max_steps);
}

static void grid_trace_step(const ludus_env *env, const void *prev, const void *state, int t,
                            int action, const ludus_step_out *out, strbuf *sb)
{
    const grid_spec *s = env->impl;
    const grid_state *st = state, *ps = prev;
    ludus_sb_printf(sb, "{\"kind\":\"step\",\"t\":%d,\"action\":%d,\"obs\":", t, action);
    sb_obs(sb, s, st);
    ludus_sb_puts(sb, ",\"reward\":");
    ludus_sb_double(sb, out->reward);
    ludus_sb_printf(sb, ",\"terminated\":%s,\"truncated\":%s,\"agent_pos\":[%d,%d],\"agent_dir\":%d,\"carrying\":",
              out->terminated ? "true" : "false", out->truncated ? "true" : "false", st->agent_x,
              st->agent_y, st->agent_dir);
    sb_carrying(sb, st->carrying);
    ludus_sb_puts(sb, ",\"mission\":");
    ludus_sb_json_str(sb, grid_mission_get(env, st));
    ludus_sb_puts(sb, ",\"grid_diff\":[");
    int first = 1;
    for (int x = 0; x < s->width; x++)
        for (int y = 0; y < s->height; y++) {
            uint8_t a[3], b[3];
            grid_encode_cell(grid_get(s, ps, x, y), a);
            grid_encode_cell(grid_get(s, st, x, y), b);
            if (memcmp(a, b, 3) == 0) continue;
            ludus_sb_printf(sb, "%s[%d,%d,%d,%d,%d]", first ? "" : ",", x, y, b[0], b[1], b[2]);
            first = 0;
        }
    ludus_sb_puts(sb, "]}");
}

/* BALROG's names (its language action space is MiniGrid's first six, with
 * index = action id), "done", and the synonyms of the agents' parser. */
static const env_action_name grid_words[] = {
    {"turn left", 0}, {"turn right", 1}, {"go forward", 2}, {"pick up", 3}, {"drop", 4},
    {"toggle", 5}, {"done", 6}, {"forward", 2}, {"move forward", 2}, {"pickup", 3},
};

int ludus_grid_parse_action(const ludus_env *env, const char *words, int32_t *action)
{
    return ludus_env_match_names(env, words, grid_words, (int)(sizeof grid_words / sizeof grid_words[0]), action);
}

const env_ops ludus_grid_ops = {
    .reset = grid_reset,
    .step = grid_step,
    .observe = ludus_grid_observe,
    .text = ludus_grid_text,
    .mission = grid_mission_get,
    .max_steps = grid_max_steps_get,
    .step_count = grid_step_count_get,
    .rejections = grid_rejections_get,
    .render_size = ludus_grid_render_size,
    .render = ludus_grid_render,
    .render_ansi = ludus_grid_render_ansi,
    .validate = ludus_grid_validate,
    .trace_header = grid_trace_header,
    .trace_reset = grid_trace_reset,
    .trace_step = grid_trace_step,
    .parse_action = ludus_grid_parse_action,
    .destroy = grid_destroy,
};
