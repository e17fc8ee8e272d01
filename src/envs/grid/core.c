/* core.c: the MiniGrid core shared by every grid world: the spec (layout of
 * the flat state, view tables), reset, the reference's step rules and the
 * egocentric observation with its visibility sweep (spec/minigrid.md §4-6).
 * Worlds add a generator and, where the reference does, a step rule.
 */
#include <stdlib.h>
#include <string.h>

#include "grid.h"

const uint8_t grid_color_names[6] = {COL_BLUE, COL_GREEN, COL_GREY, COL_PURPLE, COL_RED, COL_YELLOW};
const char *const grid_color_str[6] = {"red", "green", "blue", "purple", "yellow", "grey"};
const char *const grid_type_str[11] = {"unseen", "empty", "wall", "floor", "door", "key",
                                       "ball",   "box",   "goal", "lava",  "agent"};
const int8_t grid_dir_vec[4][2] = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}};

static const char *const grid_action_names[GRID_NUM_ACTIONS] = {
    "turn left", "turn right", "go forward", "pick up", "drop", "toggle", "done"};

#define ALIGN8(n) (((n) + 7u) & ~(size_t)7u)

static void grid_destroy(ludus_env *env)
{
    free((void *)env->impl);
    env->impl = NULL;
}

int grid_make(const env_entry *entry, const char *options, ludus_env *env)
{
    const grid_params *gp = entry->params;
    long view = 7, max_steps = gp->max_steps;
    const char *cur = options;
    char key[64], val[64];
    int r;
    while ((r = env_options_next(&cur, key, sizeof key, val, sizeof val)) > 0) {
        if (strcmp(key, "agent_view_size") == 0) {
            if (env_option_int(key, val, 3, GRID_MAX_VIEW, &view)) return LUDUS_EINVAL;
            if (view % 2 == 0) return err_set(LUDUS_EINVAL, "agent_view_size must be odd, got %ld", view);
        } else if (strcmp(key, "max_steps") == 0) {
            if (env_option_int(key, val, 1, 1L << 30, &max_steps)) return LUDUS_EINVAL;
        } else {
            return err_set(LUDUS_EINVAL, "unknown option '%s' (grid worlds take agent_view_size, max_steps)", key);
        }
    }
    if (r < 0) return LUDUS_EINVAL;

    grid_spec *s = calloc(1, sizeof *s);
    if (!s) return err_set(LUDUS_ENOMEM, "out of memory");
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
    int V = s->view, h = V / 2;
    for (int d = 0; d < 4; d++) {
        int fx = grid_dir_vec[d][0], fy = grid_dir_vec[d][1];
        int rx = -fy, ry = fx;
        for (int vy = 0; vy < V; vy++)
            for (int vx = 0; vx < V; vx++) {
                s->view_off[d][vy][vx][0] = (int8_t)(fx * (V - 1 - vy) + rx * (vx - h));
                s->view_off[d][vy][vx][1] = (int8_t)(fy * (V - 1 - vy) + ry * (vx - h));
            }
    }
    env->impl = s;
    env->ops = &grid_ops;

    ludus_env_info *info = &env->info;
    info->family = gp->family;
    info->num_actions = gp->world->num_actions;
    info->max_action = GRID_NUM_ACTIONS;
    info->action_names = grid_action_names;
    info->obs_size = (size_t)(V * V * 3 + 1);
    info->num_obs_fields = 2;
    info->obs_fields[0] = (ludus_obs_field){"image", 0, 3, {V, V, 3}, 0, 10};
    info->obs_fields[1] = (ludus_obs_field){"direction", (size_t)(V * V * 3), 1, {1, 0, 0}, 0, 3};
    info->state_size = s->state_size;
    info->width = s->width;
    info->height = s->height;
    info->max_steps = s->max_steps;
    info->mission_capacity = gp->world->mission_cap;
    /* mission + carry + 3 wall lines + one line per view cell + actions */
    info->text_capacity = gp->world->mission_cap + 64 + (size_t)(V * V + 4) * 64 + 160;
    return LUDUS_OK;
}

double grid_success_reward(const grid_state *st)
{
    return 1.0 - 0.9 * ((double)st->step_count / (double)st->max_steps);
}

void grid_set_mission(const grid_spec *s, grid_state *st, const char *mission)
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
    ludus_rng rng = st->rng;
    if (reseed) ludus_rng_seed(&rng, seed);
    memset(st, 0, s->state_size);
    st->rng = rng;
    st->agent_x = st->agent_y = -1;
    st->next_id = 1;
    st->max_steps = s->max_steps;
    int rc = s->world->gen(s, st);
    if (rc != LUDUS_OK) return err_set(rc, "level generation failed for seed %llu", (unsigned long long)seed);
    if (st->agent_x < 0 || st->agent_y < 0 || st->agent_x >= s->width || st->agent_y >= s->height ||
        !gc_can_overlap(grid_get(s, st, st->agent_x, st->agent_y)))
        return err_set(LUDUS_EINTERNAL, "generator left the agent on an invalid cell");
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

void grid_core_step(const grid_spec *s, grid_state *st, int action, ludus_step_out *out)
{
    st->step_count++;
    out->reward = 0.0;
    out->terminated = 0;
    out->truncated = 0;
    out->success = 0;
    out->reserved = 0;
    out->achievements = 0;
    int fx = st->agent_x + grid_dir_vec[st->agent_dir][0];
    int fy = st->agent_y + grid_dir_vec[st->agent_dir][1];
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
            out->reward = grid_success_reward(st);
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
    else grid_core_step(s, st, action, out);
    out->success = out->terminated && out->reward > 0;
}

/* The encoding (type, colour, state) of every low-9-bit cell value packed
 * in the three low bytes, and bit 24 set when light passes (not a wall, not
 * a closed or locked door); built at compile time. Nothing (0) is (1,0,0). */
#define ENC(i)                                                                                  \
    ((uint32_t)((((i) & 15) | ((i) == 0)) | ((((i) >> 4) & 7) << 8) | ((((i) >> 7) & 3) << 16) | \
                ((uint32_t)(((i) & 15) != OBJ_WALL && (((i) & 15) != OBJ_DOOR || (((i) >> 7) & 3) == 0)) << 24)))
#define ENC2(i) ENC(i), ENC((i) + 1)
#define ENC8(i) ENC2(i), ENC2((i) + 2), ENC2((i) + 4), ENC2((i) + 6)
#define ENC32(i) ENC8(i), ENC8((i) + 8), ENC8((i) + 16), ENC8((i) + 24)
#define ENC128(i) ENC32(i), ENC32((i) + 32), ENC32((i) + 64), ENC32((i) + 96)
static const uint32_t cell_code[512] = {ENC128(0), ENC128(128), ENC128(256), ENC128(384)};
#undef ENC
#undef ENC2
#undef ENC8
#undef ENC32
#undef ENC128

/* Visibility works on one bit mask per view row (bit i = column vx = i).
 * The reference's sweeps (spec/minigrid.md §6.2) become run fills: in the
 * left-to-right sweep a visible transparent cell marks its right neighbour
 * and the two cells above, and marks made in a sweep spread further in that
 * same sweep, so the cells that pass light on are exactly the transparent
 * run fill of the visible transparent ones. Same result, no branches. */
static inline uint32_t view_fill_right(uint32_t x, uint32_t pass, int V)
{
    x |= (x << 1) & pass;
    pass &= pass << 1;
    x |= (x << 2) & pass;
    pass &= pass << 2;
    x |= (x << 4) & pass;
    if (V > 8) { /* runs of up to V - 1 cells */
        pass &= pass << 4;
        x |= (x << 8) & pass;
    }
    return x;
}

static inline uint32_t view_fill_left(uint32_t x, uint32_t pass, int V)
{
    x |= (x >> 1) & pass;
    pass &= pass >> 1;
    x |= (x >> 2) & pass;
    pass &= pass >> 2;
    x |= (x >> 4) & pass;
    if (V > 8) {
        pass &= pass >> 4;
        x |= (x >> 8) & pass;
    }
    return x;
}

/* Unroll the short loops over a view row (GCC's and clang's spellings). */
#if defined(__clang__)
#define VIEW_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define VIEW_UNROLL _Pragma("GCC unroll 16")
#else
#define VIEW_UNROLL
#endif

/* The view for a given V; inlined twice so the default V = 7 gets a copy
 * with constant loop bounds. Rows are done nearest first, each in one pass:
 * read its cells, run both sweeps on it (a row's visibility depends only on
 * nearer rows), write it out. */
static inline __attribute__((always_inline)) void view_impl(const grid_spec *s, const grid_state *st,
                                                            uint8_t *image, const int V)
{
    const int W = s->width, H = s->height, h = V / 2;
    const int ax = st->agent_x, ay = st->agent_y;
    const gcell *cells = grid_cells_c(s, st);
    const int8_t(*off)[GRID_MAX_VIEW][2] = s->view_off[st->agent_dir];
    const uint32_t wall_code = cell_code[GC_WALL & 511u];
    const uint32_t all = (1u << V) - 1, lo_src = all >> 1, hi_src = all & ~1u; /* sweep sources */
    const int pending = st->hand_pending && st->step_count == 0; /* rare: see grid_state.hand_pending */
    /* A view row is a straight run of world cells along the agent's right
     * vector, so the cells inside the grid form one interval [lo, hi] of
     * vx, read with a fixed stride; the rest are outside walls (opaque). */
    const int rx = -grid_dir_vec[st->agent_dir][1], ry = grid_dir_vec[st->agent_dir][0];
    const int stride = ry * W + rx;
    uint32_t vis = s->see_through_walls ? all : 1u << h; /* the row being done */
    /* Past the row where sight is blocked everywhere, every cell is unseen
     * (0,0,0): clear the image once and stop there (often half the rows). */
    memset(image, 0, (size_t)(V * V * 3));
    for (int vy = V - 1; vy >= 0 && vis; vy--) {
        const int bx = ax + off[vy][0][0], by = ay + off[vy][0][1]; /* the row's vx = 0 cell */
        int lo = 0, hi = V - 1;
        if (rx) {
            int first = rx > 0 ? -bx : bx - (W - 1), last = rx > 0 ? W - 1 - bx : bx;
            if (first > lo) lo = first;
            if (last < hi) hi = last;
            if ((unsigned)by >= (unsigned)H) hi = -1;
        } else {
            int first = ry > 0 ? -by : by - (H - 1), last = ry > 0 ? H - 1 - by : by;
            if (first > lo) lo = first;
            if (last < hi) hi = last;
            if ((unsigned)bx >= (unsigned)W) hi = -1;
        }
        uint32_t code[GRID_MAX_VIEW], t = 0;
        if (lo > 0 || hi < V - 1) {
VIEW_UNROLL
            for (int vx = 0; vx < V; vx++) code[vx] = wall_code;
        }
        const gcell *p = cells + (by + ry * lo) * W + bx + rx * lo;
        for (int vx = lo; vx <= hi; vx++, p += stride) {
            uint32_t k = cell_code[*p & 511u];
            code[vx] = k;
            t |= (k >> 24) << vx;
        }
        if (pending)
            for (int vx = 0; vx < V; vx++)
                if (bx + rx * vx == st->hand_x && by + ry * vx == st->hand_y)
                    code[vx] = cell_code[st->carrying & 511u]; /* pickable, so transparent too */
        uint32_t above = 0;
        if (!s->see_through_walls) {
            uint32_t f = view_fill_right(vis & t & lo_src, t & lo_src, V); /* left-to-right sweep */
            vis |= f | (f << 1);
            uint32_t g = view_fill_left(vis & t & hi_src, t & hi_src, V); /* right-to-left sweep */
            vis |= g | (g >> 1);
            above = (f | (f << 1) | g | (g >> 1)) & all;
        }
        if (vy == V - 1) code[h] = cell_code[grid_shown_carrying(st) & 511u]; /* after visibility */
        uint8_t *o = image + vy * 3;
VIEW_UNROLL
        for (int vx = 0; vx < V; vx++, o += 3 * V) {
            uint32_t c = code[vx] & (0u - ((vis >> vx) & 1u));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            memcpy(o, &c, 2);
#else
            o[0] = (uint8_t)c;
            o[1] = (uint8_t)(c >> 8);
#endif
            o[2] = (uint8_t)(c >> 16);
        }
        if (!s->see_through_walls) vis = above;
    }
}

void grid_view(const grid_spec *s, const grid_state *st, uint8_t *image)
{
    /* grid_make guarantees an odd view in [3, GRID_MAX_VIEW]; the mask
     * keeps the compiler's bounds reasoning in step with that. */
    if (s->view == 7) view_impl(s, st, image, 7);
    else view_impl(s, st, image, (s->view & 15) | 1);
}

void grid_observe(const ludus_env *env, const void *state, uint8_t *obs)
{
    const grid_spec *s = env->impl;
    const grid_state *st = state;
    grid_view(s, st, obs);
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
    sb_printf(sb, "[%d,%d,%d]", e[0], e[1], e[2]);
}

static void sb_obs(strbuf *sb, const grid_spec *s, const grid_state *st)
{
    uint8_t img[GRID_MAX_VIEW * GRID_MAX_VIEW * 3];
    grid_view(s, st, img);
    int V = s->view;
    sb_putc(sb, '[');
    for (int vx = 0; vx < V; vx++) {
        if (vx) sb_putc(sb, ',');
        sb_putc(sb, '[');
        for (int vy = 0; vy < V; vy++) {
            const uint8_t *o = img + (vx * V + vy) * 3;
            sb_printf(sb, "%s[%d,%d,%d]", vy ? "," : "", o[0], o[1], o[2]);
        }
        sb_putc(sb, ']');
    }
    sb_putc(sb, ']');
}

static void sb_carrying(strbuf *sb, gcell c)
{
    if (c == GC_EMPTY) sb_puts(sb, "null");
    else sb_cell(sb, c);
}

static void grid_trace_header(const ludus_env *env, uint64_t seed, strbuf *sb)
{
    const grid_spec *s = env->impl;
    sb_puts(sb, "{\"kind\":\"header\",\"env_id\":");
    sb_json_str(sb, env->id);
    sb_printf(sb, ",\"format\":\"ludus-trace/1\",\"minigrid_version\":\"3.1.0\",\"width\":%d,"
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
    sb_printf(sb, "{\"kind\":\"reset\",\"seed\":%llu,\"grid\":[", (unsigned long long)seed);
    for (int x = 0; x < s->width; x++) {
        sb_puts(sb, x ? ",[" : "[");
        for (int y = 0; y < s->height; y++) {
            if (y) sb_putc(sb, ',');
            sb_cell(sb, grid_get(s, st, x, y));
        }
        sb_putc(sb, ']');
    }
    sb_printf(sb, "],\"agent_pos\":[%d,%d],\"agent_dir\":%d,\"carrying\":", st->agent_x, st->agent_y,
              st->agent_dir);
    sb_carrying(sb, st->carrying);
    sb_puts(sb, ",\"mission\":");
    sb_json_str(sb, grid_mission_get(env, st));
    sb_puts(sb, ",\"obs\":");
    sb_obs(sb, s, st);
    sb_printf(sb, ",\"max_steps\":%u}", st->max_steps);
}

static void grid_trace_step(const ludus_env *env, const void *prev, const void *state, int t,
                            int action, const ludus_step_out *out, strbuf *sb)
{
    const grid_spec *s = env->impl;
    const grid_state *st = state, *ps = prev;
    sb_printf(sb, "{\"kind\":\"step\",\"t\":%d,\"action\":%d,\"obs\":", t, action);
    sb_obs(sb, s, st);
    sb_puts(sb, ",\"reward\":");
    sb_double(sb, out->reward);
    sb_printf(sb, ",\"terminated\":%s,\"truncated\":%s,\"agent_pos\":[%d,%d],\"agent_dir\":%d,\"carrying\":",
              out->terminated ? "true" : "false", out->truncated ? "true" : "false", st->agent_x,
              st->agent_y, st->agent_dir);
    sb_carrying(sb, st->carrying);
    sb_puts(sb, ",\"mission\":");
    sb_json_str(sb, grid_mission_get(env, st));
    sb_puts(sb, ",\"grid_diff\":[");
    int first = 1;
    for (int x = 0; x < s->width; x++)
        for (int y = 0; y < s->height; y++) {
            uint8_t a[3], b[3];
            grid_encode_cell(grid_get(s, ps, x, y), a);
            grid_encode_cell(grid_get(s, st, x, y), b);
            if (memcmp(a, b, 3) == 0) continue;
            sb_printf(sb, "%s[%d,%d,%d,%d,%d]", first ? "" : ",", x, y, b[0], b[1], b[2]);
            first = 0;
        }
    sb_puts(sb, "]}");
}

const env_ops grid_ops = {
    .reset = grid_reset,
    .step = grid_step,
    .observe = grid_observe,
    .text = grid_text,
    .mission = grid_mission_get,
    .max_steps = grid_max_steps_get,
    .step_count = grid_step_count_get,
    .trace_header = grid_trace_header,
    .trace_reset = grid_trace_reset,
    .trace_step = grid_trace_step,
    .destroy = grid_destroy,
};
