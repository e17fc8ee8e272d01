/* grid.h: the MiniGrid/BabyAI world family. A cell is one uint16_t that
 * packs the reference encoding (type, colour, state) with a small object
 * id, so observations are bit extraction and "is it *the* target" is an id
 * compare. The state is one flat block laid out per spec:
 *   [grid_state][world extra][mission chars][cells W*H]
 * with no pointers, so memcpy clones a world (DESIGN.md).
 */
#ifndef LUDUS_GRID_H
#define LUDUS_GRID_H

#include "core/rng.h"
#include "envs/env.h"

/* ---- the reference's index tables (spec/minigrid.md §2.1) ---- */
enum {
    OBJ_UNSEEN = 0, OBJ_EMPTY = 1, OBJ_WALL = 2, OBJ_FLOOR = 3, OBJ_DOOR = 4, OBJ_KEY = 5,
    OBJ_BALL = 6, OBJ_BOX = 7, OBJ_GOAL = 8, OBJ_LAVA = 9, OBJ_AGENT = 10
};
enum { COL_RED = 0, COL_GREEN = 1, COL_BLUE = 2, COL_PURPLE = 3, COL_YELLOW = 4, COL_GREY = 5 };
enum { DOOR_OPEN = 0, DOOR_CLOSED = 1, DOOR_LOCKED = 2 };
enum { ACT_LEFT = 0, ACT_RIGHT = 1, ACT_FORWARD = 2, ACT_PICKUP = 3, ACT_DROP = 4,
       ACT_TOGGLE = 5, ACT_DONE = 6 };
#define GRID_NUM_ACTIONS 7

/* COLOR_NAMES: the alphabetical list every random colour draw indexes. */
extern const uint8_t ludus_grid_color_names[6];   /* blue green grey purple red yellow */
extern const char *const ludus_grid_color_str[6]; /* by encoding index: "red", ... */
extern const char *const ludus_grid_type_str[11]; /* by encoding index: "wall", ... */
extern const int8_t ludus_grid_dir_vec[4][2];     /* forward vector per direction */

/* ---- cells ---- */
typedef uint16_t gcell;
#define GC_EMPTY ((gcell)0)
#define GC_TYPE(c) ((int)((c) & 15u))
#define GC_COLOR(c) ((int)(((c) >> 4) & 7u))
#define GC_STATE(c) ((int)(((c) >> 7) & 3u))
#define GC_ID(c) ((int)((c) >> 9))
#define GC_MAKE(type, color, state, id) \
    ((gcell)((unsigned)(type) | ((unsigned)(color) << 4) | ((unsigned)(state) << 7) | ((unsigned)(id) << 9)))
#define GC_WITH_STATE(c, s) ((gcell)(((c) & ~(3u << 7)) | ((unsigned)(s) << 7)))
#define GC_SAME_OBJ(a, b) ((a) != GC_EMPTY && GC_ID(a) != 0 && GC_ID(a) == GC_ID(b))
#define GC_WALL GC_MAKE(OBJ_WALL, COL_GREY, 0, 0)
#define GC_GOAL GC_MAKE(OBJ_GOAL, COL_GREEN, 0, 0)
#define GC_LAVA GC_MAKE(OBJ_LAVA, COL_RED, 0, 0)

#define GRID_MAX_OBJS 64   /* object ids 1..63; 0 means "no identity" */
#define GRID_MAX_SIDE 32
#define GRID_MAX_VIEW 15

/* Can the agent stand on it (goal, floor, lava, open door, nothing)? */
static inline int gc_can_overlap(gcell c)
{
    int t = GC_TYPE(c);
    return c == GC_EMPTY || t == OBJ_GOAL || t == OBJ_FLOOR || t == OBJ_LAVA ||
           (t == OBJ_DOOR && GC_STATE(c) == DOOR_OPEN);
}
static inline int gc_can_pickup(gcell c)
{
    int t = GC_TYPE(c);
    return t == OBJ_KEY || t == OBJ_BALL || t == OBJ_BOX;
}
/* Opaque to sight: walls and closed or locked doors. */
static inline int gc_opaque(gcell c)
{
    int t = GC_TYPE(c);
    return t == OBJ_WALL || (t == OBJ_DOOR && GC_STATE(c) != DOOR_OPEN);
}

/* ---- state ---- */
typedef struct grid_state {
    env_state_header hdr;
    ludus_rng rng;
    uint32_t step_count;
    uint32_t max_steps;
    int16_t agent_x, agent_y;  /* -1 while a generator has not placed it */
    uint8_t agent_dir;
    uint8_t next_id;           /* next free object id */
    gcell carrying;
    uint32_t rejections;       /* BabyAI: rejected samples in the last reset */
    gcell contents[GRID_MAX_OBJS]; /* what each box (by id) holds */
    /* BabyAI PutNext...Carrying: the reference produces the first
     * observation before it hands the agent its object. While this is set
     * and step_count is 0, views show `carrying` back on (hand_x, hand_y)
     * and the agent's hands empty (ludus_grid_view, ludus_grid_text); the first step
     * ends it by moving step_count, so nothing has to clear it. */
    uint8_t hand_pending;
    int8_t hand_x, hand_y;
} grid_state;

/* What the agent visibly carries (see hand_pending). */
static inline gcell grid_shown_carrying(const grid_state *st)
{
    return st->hand_pending && st->step_count == 0 ? GC_EMPTY : st->carrying;
}

/* ---- spec ---- */
typedef struct grid_spec grid_spec;

/* A world class: its generator, optional step rule and extra state. */
typedef struct grid_world {
    const char *name;
    size_t extra_size;      /* bytes of world-specific state */
    size_t mission_cap;     /* bytes for the mission, NUL included */
    int num_actions;        /* Discrete(n) */
    /* Generate the layout (grid, agent, mission, extra) from st->rng. A
     * non-OK return is a failed generation (the reference raised). */
    int (*gen)(const grid_spec *spec, grid_state *st);
    /* The world's step (wraps ludus_grid_core_step); NULL means the core step. */
    void (*step)(const grid_spec *spec, grid_state *st, int action, ludus_step_out *out);
    /* Per-episode step limit when it depends on the level (BabyAI); NULL:
     * the spec's max_steps. Called after gen. */
    uint32_t (*max_steps)(const grid_spec *spec, const grid_state *st);
    /* The cells every generation attempt starts from, when they depend on
     * the spec alone (room grids: the room walls): drawn once by ludus_grid_make
     * into spec->layout, so a reset copies them. NULL: none. */
    void (*layout)(const grid_spec *spec, gcell *cells);
    /* Check the world's extra block of a state from outside (see
     * env_ops.validate): LUDUS_OK or LUDUS_EFORMAT. NULL: nothing to check. */
    int (*check)(const grid_spec *spec, const grid_state *st);
} grid_world;

#define GRID_NUM_PARAMS 8

/* A registry entry's parameters for this family. */
typedef struct grid_params {
    const grid_world *world;
    const char *family;     /* "minigrid" or "babyai" */
    int width, height;
    uint32_t max_steps;     /* 0 when it depends on the level */
    int see_through_walls;
    int p[GRID_NUM_PARAMS]; /* world-specific: sizes, counts, flags */
} grid_params;

struct grid_spec {
    const grid_world *world;
    int width, height, view;
    int see_through_walls;
    uint32_t max_steps;
    int p[GRID_NUM_PARAMS];
    size_t extra_off, mission_off, cells_off, state_size;
    const gcell *layout; /* W*H cells drawn by world->layout, or NULL */
};

static inline gcell *grid_cells(const grid_spec *s, grid_state *st)
{
    return (gcell *)((char *)st + s->cells_off);
}
static inline const gcell *grid_cells_c(const grid_spec *s, const grid_state *st)
{
    return (const gcell *)((const char *)st + s->cells_off);
}
static inline void *grid_extra(const grid_spec *s, grid_state *st)
{
    return (char *)st + s->extra_off;
}
static inline const void *grid_extra_c(const grid_spec *s, const grid_state *st)
{
    return (const char *)st + s->extra_off;
}
static inline char *grid_mission(const grid_spec *s, grid_state *st)
{
    return (char *)st + s->mission_off;
}
static inline const char *grid_mission_c(const grid_spec *s, const grid_state *st)
{
    return (const char *)st + s->mission_off;
}
static inline gcell grid_get(const grid_spec *s, const grid_state *st, int x, int y)
{
    return grid_cells_c(s, st)[y * s->width + x];
}
static inline void grid_set(const grid_spec *s, grid_state *st, int x, int y, gcell c)
{
    grid_cells(s, st)[y * s->width + x] = c;
}

/* The cell in front of the agent, a wall beyond the grid (where a state
 * from outside may have put an agent on the border). */
static inline gcell grid_front(const grid_spec *s, const grid_state *st)
{
    int fx = st->agent_x + ludus_grid_dir_vec[st->agent_dir & 3][0];
    int fy = st->agent_y + ludus_grid_dir_vec[st->agent_dir & 3][1];
    return (unsigned)fx < (unsigned)s->width && (unsigned)fy < (unsigned)s->height ? grid_get(s, st, fx, fy)
                                                                                 : GC_WALL;
}

/* ---- checks of states from outside (check.c) ---- */
/* 1 when c is a cell some world can hold: empty, or a wall, floor, door,
 * key, ball, box, goal or lava with a colour index, a state that only
 * doors use, and an object id below GRID_MAX_OBJS. */
int ludus_grid_cell_ok(gcell c);
/* The env_ops.validate of every grid world (then its world->check). */
int ludus_grid_validate(const ludus_env *env, const void *state);
/* LUDUS_EFORMAT unless 0 <= x < width and 0 <= y < height. */
int ludus_grid_check_pos(const grid_spec *s, const char *what, int x, int y);

/* ---- core (core.c) ---- */
extern const env_ops ludus_grid_ops;
/* Fill a ludus_env for `params` with `options` (agent_view_size=,
 * max_steps=). Used by every grid registry entry. */
int ludus_grid_make(const env_entry *entry, const char *options, ludus_env *env);
/* The reference's core step (spec/minigrid.md §4). */
void ludus_grid_core_step(const grid_spec *s, grid_state *st, int action, ludus_step_out *out);
/* 1 - 0.9 * (step_count / max_steps), in that order, in double. */
double ludus_grid_success_reward(const grid_state *st);
/* Actions in words: BALROG's names of MiniGrid's actions (index = action id),
 * "done", and the agents' parser's synonyms; the maze worlds share it. */
int ludus_grid_parse_action(const ludus_env *env, const char *words, int32_t *action);
void ludus_grid_observe(const ludus_env *env, const void *state, uint8_t *obs);
/* The egocentric V x V encoded view, [vx][vy][3], as ludus_grid_observe writes it. */
void ludus_grid_view(const grid_spec *s, const grid_state *st, uint8_t *image);
/* mask (W*H, row-major) = 1 where the agent sees the world cell. */
void ludus_grid_visible_cells(const grid_spec *s, const grid_state *st, uint8_t *mask);
/* Encoding of one cell as (type, colour, state); empty is (1,0,0). */
static inline void grid_encode_cell(gcell c, uint8_t *out)
{
    if (c == GC_EMPTY) {
        out[0] = OBJ_EMPTY;
        out[1] = 0;
        out[2] = 0;
    } else {
        out[0] = (uint8_t)GC_TYPE(c);
        out[1] = (uint8_t)GC_COLOR(c);
        out[2] = (uint8_t)GC_STATE(c);
    }
}

/* ---- generation primitives (gen.c), spec/minigrid.md §7 ---- */
#define GEN_FAIL LUDUS_EINTERNAL /* a placement ran out of tries (RecursionError) */
typedef int (*grid_reject_fn)(const grid_spec *s, const grid_state *st, int x, int y,
                              const void *ctx);

int64_t ludus_grid_rand_int(grid_state *st, int64_t lo, int64_t hi);
/* integers(lo, hi) for the small ranges generation draws, inlined down to
 * the PCG step: a reset makes tens to thousands of draws and the general
 * entry point (64-bit ranges, two calls deep) cost more than the draws. The
 * same numpy algorithms as ludus_rng_integers (Lemire's method on buffered
 * 32-bit draws), so the same stream. Hot loops run it on a local copy of
 * the stream (write it back after), which the compiler keeps in registers. */
static inline int grid_rng_small(ludus_rng *rng, int lo, int hi)
{
    if (hi - lo <= 1) return lo; /* numpy draws nothing */
    uint32_t range = (uint32_t)(hi - lo - 1), excl = range + 1;
    uint64_t m = (uint64_t)rng_next32(rng) * excl;
    if (LUDUS_UNLIKELY((uint32_t)m < excl)) { /* Lemire: accepted without a division otherwise */
        uint32_t thr = (0xffffffffu - range) % excl;
        while ((uint32_t)m < thr) m = (uint64_t)rng_next32(rng) * excl;
    }
    return lo + (int)(m >> 32);
}
static inline int grid_rand_small(grid_state *st, int lo, int hi) { return grid_rng_small(&st->rng, lo, hi); }

/* integers(0, nx) then integers(0, ny) (a placement's x and y, a colour
 * and a kind...). Two buffered 32-bit draws take exactly one 64-bit step
 * whichever half is buffered, so the common case is one PCG step and two
 * multiplies. When Lemire's method needs its threshold (a chance of about
 * 2^-28) or a range draws nothing, the step is given back and the pair
 * drawn the general way. */
static inline void grid_rng_pair(ludus_rng *rng, int nx, int ny, int *x, int *y)
{
    if (LUDUS_LIKELY(nx > 1 && ny > 1)) {
        const uint32_t had = rng->has32, buf = rng->buf32;
        uint64_t n = rng_next64(rng);
        uint32_t rx = had ? buf : (uint32_t)n, ry = had ? (uint32_t)n : (uint32_t)(n >> 32);
        uint64_t mx = (uint64_t)rx * (uint32_t)nx, my = (uint64_t)ry * (uint32_t)ny;
        if (LUDUS_LIKELY((uint32_t)mx >= (uint32_t)nx && (uint32_t)my >= (uint32_t)ny)) {
            rng->buf32 = (uint32_t)(n >> 32); /* buffered again, or spent (as next32 leaves it) */
            *x = (int)(mx >> 32);
            *y = (int)(my >> 32);
            return;
        }
        rng_back64(rng);
    }
    *x = grid_rng_small(rng, 0, nx);
    *y = grid_rng_small(rng, 0, ny);
}

static inline int grid_rand_bool(grid_state *st) { return grid_rand_small(st, 0, 2) == 0; }
/* An encoding colour index, drawn from COLOR_NAMES. */
static inline int grid_rand_color(grid_state *st) { return ludus_grid_color_names[grid_rand_small(st, 0, 6)]; }
/* A new object cell with a fresh id (ids matter for identity checks). */
static inline gcell grid_new_obj(grid_state *st, int type, int color, int state)
{
    int id = 0;
    if (type == OBJ_DOOR || type == OBJ_KEY || type == OBJ_BALL || type == OBJ_BOX) {
        id = st->next_id;
        if (id < GRID_MAX_OBJS - 1) st->next_id++; /* id 63 is shared past the limit */
    }
    return GC_MAKE(type, color, state, id);
}
void ludus_grid_horz_wall(const grid_spec *s, grid_state *st, int x, int y, int len, gcell c);
void ludus_grid_vert_wall(const grid_spec *s, grid_state *st, int x, int y, int len, gcell c);
void ludus_grid_wall_rect(const grid_spec *s, grid_state *st, int x, int y, int w, int h);
/* place_obj: obj may be GC_EMPTY (used by place_agent). max_tries < 0 is
 * unlimited. On success stores the position in *px, *py. */
int ludus_grid_place_obj(const grid_spec *s, grid_state *st, gcell obj, int top_x, int top_y,
                   int size_x, int size_y, grid_reject_fn reject, const void *ctx,
                   int max_tries, int *px, int *py);
int ludus_grid_place_agent(const grid_spec *s, grid_state *st, int top_x, int top_y, int size_x,
                     int size_y, int rand_dir, int max_tries);
void ludus_grid_set_mission(const grid_spec *s, grid_state *st, const char *mission);

/* ---- text and pictures ---- */
void ludus_grid_render_ansi(const ludus_env *env, const void *state, strbuf *sb);
/* RGB frames (render.c): the env_ops render hooks. */
int ludus_grid_render_size(const ludus_env *env, const ludus_render_opts *opts, int *w, int *h);
int ludus_grid_render(const ludus_env *env, const void *state, const ludus_render_opts *opts, uint8_t *rgb);
/* Draw cols x rows cells (row-major; lit: 1 where highlighted) in the
 * tile look of the grid worlds into rgb, (rows*ts, cols*ts, 3): the agent
 * facing `dir` on cell index `agent` (or none when agent < 0). ts in
 * 1..256. Used by the maze worlds too. */
void ludus_grid_draw_cells(int cols, int rows, const gcell *cells, const uint8_t *lit, int agent, int dir, int ts,
                           uint8_t *rgb);
int ludus_grid_text(const ludus_env *env, const void *state, ludus_text_mode mode, char *buf,
              size_t cap);

#endif
