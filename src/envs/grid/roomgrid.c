/* roomgrid.c: RoomGrid generation (spec/minigrid.md §8). Draw order is
 * behaviour: each function draws exactly what the reference draws, in its
 * order, including draws for doors that are never built and redraws inside
 * rejection loops, so seeded layouts match the reference cell for cell.
 */
#include <string.h>

#include "roomgrid.h"

/* The reference loops "while True" in place_agent; a generator that cannot
 * place the agent in this many rounds has a bug, not bad luck. */
#define RG_AGENT_ROUNDS 100000
#define RG_CONNECT_MAX_ITRS 5000
#define RG_PLACE_TRIES 1000

static const int rg_kinds[3] = {OBJ_KEY, OBJ_BALL, OBJ_BOX};
#define RG_ALL_COLORS 0x3fu /* the six encoding colours as bits */

int ludus_rg_rand_elem(grid_state *st, const int *items, int n)
{
    return items[grid_rand_small(st, 0, n)];
}

void ludus_rg_rand_subset(grid_state *st, int *items, int n, int k)
{
    int rest[GRID_MAX_OBJS], out[GRID_MAX_OBJS];
    memcpy(rest, items, sizeof(int) * (size_t)n);
    for (int c = 0; c < k; c++) {
        int idx = grid_rand_small(st, 0, n - c);
        out[c] = rest[idx];
        memmove(rest + idx, rest + idx + 1, sizeof(int) * (size_t)(n - c - idx - 1));
    }
    memcpy(items, out, sizeof(int) * (size_t)k);
    memcpy(items + k, rest, sizeof(int) * (size_t)(n - k));
}

void ludus_rg_layout(const grid_spec *s, gcell *cells)
{
    const int W = s->width, rs = s->p[RG_P_SIZE], step = rs - 1;
    for (int k = 0; k < W * s->height; k++) cells[k] = GC_EMPTY;
    /* wall_rect of every room, as the reference draws them: the rooms'
     * shared walls overlap, and the grid may extend past the last room. */
    for (int j = 0; j < s->p[RG_P_ROWS]; j++)
        for (int i = 0; i < s->p[RG_P_COLS]; i++) {
            const int x0 = i * step, y0 = j * step;
            for (int k = 0; k < rs; k++) {
                cells[y0 * W + x0 + k] = cells[(y0 + step) * W + x0 + k] = GC_WALL;
                cells[(y0 + k) * W + x0] = cells[(y0 + k) * W + x0 + step] = GC_WALL;
            }
        }
}

void ludus_rg_init(roomgrid *rg, const grid_spec *s, grid_state *st)
{
    rg->s = s;
    rg->st = st;
    rg->size = s->p[RG_P_SIZE];
    rg->rows = s->p[RG_P_ROWS];
    rg->cols = s->p[RG_P_COLS];
    memset(rg->placed, 0, sizeof rg->placed);
    memset(rg->room, 0, sizeof rg->room);
    if (s->layout) {
        /* A copy of a few hundred bytes: inline blocks beat a call. */
        gcell *dst = grid_cells(s, st);
        const int n = s->width * s->height;
        int k = 0;
        for (; k + 16 <= n; k += 16) memcpy(dst + k, s->layout + k, 16 * sizeof(gcell));
        for (; k < n; k++) dst[k] = s->layout[k];
    } else {
        ludus_rg_layout(s, grid_cells(s, st));
    }
    st->next_id = 1;
    st->carrying = GC_EMPTY;
    memset(st->contents, 0, sizeof st->contents);

    const int rs = rg->size, step = rs - 1;
    for (int j = 0; j < rg->rows; j++)
        for (int i = 0; i < rg->cols; i++) {
            rg_room *r = rg_get(rg, i, j);
            int tx = i * step, ty = j * step;
            for (int k = 0; k < 4; k++) r->door_x[k] = r->door_y[k] = -1;
            if (i < rg->cols - 1) {
                r->door_x[RG_RIGHT] = (int8_t)(tx + rs - 1);
                r->door_y[RG_RIGHT] = (int8_t)grid_rand_small(st, ty + 1, ty + rs - 1);
            }
            if (j < rg->rows - 1) {
                r->door_x[RG_DOWN] = (int8_t)grid_rand_small(st, tx + 1, tx + rs - 1);
                r->door_y[RG_DOWN] = (int8_t)(ty + rs - 1);
            }
            if (i > 0) {
                const rg_room *l = rg_get(rg, i - 1, j);
                r->door_x[RG_LEFT] = l->door_x[RG_RIGHT];
                r->door_y[RG_LEFT] = l->door_y[RG_RIGHT];
            }
            if (j > 0) {
                const rg_room *u = rg_get(rg, i, j - 1);
                r->door_x[RG_UP] = u->door_x[RG_DOWN];
                r->door_y[RG_UP] = u->door_y[RG_DOWN];
            }
        }
    st->agent_x = (int16_t)((rg->cols / 2) * step + rs / 2);
    st->agent_y = (int16_t)((rg->rows / 2) * step + rs / 2);
    st->agent_dir = 0;
}

/* The neighbour of (i, j) through wall k (which must have one). */
static rg_room *rg_neighbor(roomgrid *rg, int i, int j, int k)
{
    return rg_get(rg, i + ludus_grid_dir_vec[k][0], j + ludus_grid_dir_vec[k][1]);
}

gcell ludus_rg_add_door(roomgrid *rg, int i, int j, int idx, int color, int locked, int *px, int *py)
{
    grid_state *st = rg->st;
    rg_room *r = rg_get(rg, i, j);
    if (idx < 0) {
        do idx = grid_rand_small(st, 0, 4);
        while (!rg_has_neighbor(rg, i, j, idx) || r->doors[idx] != RG_WALL);
    }
    if (color < 0) color = grid_rand_color(st);
    if (locked < 0) locked = grid_rand_bool(st);
    r->locked = (uint8_t)(locked != 0);
    gcell door = grid_new_obj(st, OBJ_DOOR, color, locked ? DOOR_LOCKED : DOOR_CLOSED);
    int x = r->door_x[idx], y = r->door_y[idx];
    grid_set(rg->s, st, x, y, door);
    r->doors[idx] = RG_DOOR;
    rg_neighbor(rg, i, j, idx)->doors[(idx + 2) & 3] = RG_DOOR;
    if (px) *px = x;
    if (py) *py = y;
    return door;
}

void ludus_rg_remove_wall(roomgrid *rg, int i, int j, int idx)
{
    const int rs = rg->size, tx = i * (rs - 1), ty = j * (rs - 1);
    for (int k = 1; k < rs - 1; k++) {
        switch (idx) {
        case RG_RIGHT: grid_set(rg->s, rg->st, tx + rs - 1, ty + k, GC_EMPTY); break;
        case RG_DOWN: grid_set(rg->s, rg->st, tx + k, ty + rs - 1, GC_EMPTY); break;
        case RG_LEFT: grid_set(rg->s, rg->st, tx, ty + k, GC_EMPTY); break;
        default: grid_set(rg->s, rg->st, tx + k, ty, GC_EMPTY); break;
        }
    }
    rg_get(rg, i, j)->doors[idx] = RG_OPENING;
    rg_neighbor(rg, i, j, idx)->doors[(idx + 2) & 3] = RG_OPENING;
}

/* A room as placement sees it: cells relative to its corner, the ranges x
 * and y are drawn from (the room, walls included, cut at the grid's edge). */
typedef struct rg_area {
    gcell *room; /* cell (0, 0) of the room; rows W apart */
    int W, lx, ly, nx, ny;
} rg_area;

static inline void rg_area_of(const roomgrid *rg, int i, int j, rg_area *a)
{
    const grid_spec *s = rg->s;
    const int step = rg->size - 1;
    a->W = s->width;
    a->lx = i * step;
    a->ly = j * step;
    a->nx = (a->lx + rg->size < a->W ? a->lx + rg->size : a->W) - a->lx;
    a->ny = (a->ly + rg->size < s->height ? a->ly + rg->size : s->height) - a->ly;
    a->room = grid_cells(s, rg->st) + a->ly * a->W + a->lx;
}

/* place_obj over an area with reject_next_to: the reference's loop (x then
 * y; a non-empty cell, the agent's cell (ax, ay) or one next to it is
 * redrawn), written out because it is the hot loop of most levels, on a
 * stream the caller holds in locals. With `agent` the agent's position
 * does not reject (place_agent's own call); otherwise the cell gets obj. */
static inline int rg_place_at(const rg_area *a, ludus_rng *rng, gcell obj, int ax, int ay, int agent, int *px,
                              int *py)
{
    if (LUDUS_UNLIKELY(a->nx < 2 || a->ny < 2)) return GEN_FAIL; /* no room is that small */
    ax -= a->lx;
    ay -= a->ly;
    const uint32_t nx = (uint32_t)a->nx, ny = (uint32_t)a->ny;
    const int W = a->W;
    gcell *const room = a->room;
    /* The stream in locals: one PCG step per try (see grid_rng_pair). */
    uint64_t lo = rng->state_lo, hi = rng->state_hi;
    const uint64_t inc_lo = rng->inc_lo, inc_hi = rng->inc_hi;
    uint32_t buf = rng->buf32, had = rng->has32;
    int rc = GEN_FAIL;
    for (int tries = 0; tries <= RG_PLACE_TRIES; tries++) {
        const uint64_t n = rng_step(&lo, &hi, inc_lo, inc_hi);
        const uint32_t rx = had ? buf : (uint32_t)n, ry = had ? (uint32_t)n : (uint32_t)(n >> 32);
        const uint64_t mx = (uint64_t)rx * nx, my = (uint64_t)ry * ny;
        int x, y;
        if (LUDUS_LIKELY((uint32_t)mx >= nx && (uint32_t)my >= ny)) {
            buf = (uint32_t)(n >> 32); /* buffered again, or spent (as next32 leaves it) */
            x = (int)(mx >> 32);
            y = (int)(my >> 32);
        } else { /* Lemire's threshold: give the step back, draw exactly */
            rng->state_lo = lo;
            rng->state_hi = hi;
            rng_back64(rng);
            x = grid_rng_small(rng, 0, (int)nx);
            y = grid_rng_small(rng, 0, (int)ny);
            lo = rng->state_lo;
            hi = rng->state_hi;
            buf = rng->buf32;
            had = rng->has32;
        }
        gcell *c = room + y * W + x;
        /* One branch on the whole outcome (no short circuit): whether a
         * draw is taken is as unpredictable as the draw, and each extra
         * branch on it costs another misprediction. */
        const int dx = ax - x, dy = ay - y, dist = (dx < 0 ? -dx : dx) + (dy < 0 ? -dy : dy);
        const unsigned near = agent ? 0u : (unsigned)(dist - 2) >> 31; /* the agent's cell or next to it */
        if (((unsigned)*c | near) == 0) {
            if (!agent) *c = obj;
            *px = a->lx + x;
            *py = a->ly + y;
            rc = LUDUS_OK;
            break;
        }
    }
    rng->state_lo = lo;
    rng->state_hi = hi;
    rng->buf32 = buf;
    rng->has32 = had;
    return rc;
}

static inline int rg_place(roomgrid *rg, int i, int j, gcell obj, int agent, int *px, int *py)
{
    rg_area a;
    rg_area_of(rg, i, j, &a);
    grid_state *st = rg->st;
    ludus_rng rng = st->rng;
    int rc = rg_place_at(&a, &rng, obj, st->agent_x, st->agent_y, agent, px, py);
    st->rng = rng;
    return rc;
}

static inline void rg_note_obj(roomgrid *rg, gcell obj)
{
    rg->placed[GC_TYPE(obj)] |= (uint8_t)(1u << GC_COLOR(obj));
}

int ludus_rg_place_in_room(roomgrid *rg, int i, int j, gcell obj, int *px, int *py)
{
    int x, y;
    int rc = rg_place(rg, i, j, obj, 0, &x, &y);
    if (rc != LUDUS_OK) return rc;
    if (px) *px = x;
    if (py) *py = y;
    rg_note_obj(rg, obj);
    return LUDUS_OK;
}

int ludus_rg_add_object(roomgrid *rg, int i, int j, int kind, int color, gcell *out, int *px, int *py)
{
    if (kind < 0) kind = ludus_rg_rand_elem(rg->st, rg_kinds, 3);
    if (color < 0) color = grid_rand_color(rg->st);
    gcell obj = grid_new_obj(rg->st, kind, color, 0);
    if (out) *out = obj;
    return ludus_rg_place_in_room(rg, i, j, obj, px, py);
}

int ludus_rg_place_agent(roomgrid *rg, int i, int j, int rand_dir)
{
    grid_state *st = rg->st;
    if (i < 0) i = grid_rand_small(st, 0, rg->cols);
    if (j < 0) j = grid_rand_small(st, 0, rg->rows);
    const gcell *cells = grid_cells_c(rg->s, st);
    const int W = rg->s->width;
    for (int round = 0; round < RG_AGENT_ROUNDS; round++) {
        /* ludus_grid_place_agent: the old position does not reject. */
        st->agent_x = st->agent_y = -1;
        int x, y;
        int rc = rg_place(rg, i, j, GC_EMPTY, 1, &x, &y);
        if (rc != LUDUS_OK) return rc;
        st->agent_x = (int16_t)x;
        st->agent_y = (int16_t)y;
        if (rand_dir) st->agent_dir = (uint8_t)grid_rand_small(st, 0, 4);
        gcell front = cells[(y + ludus_grid_dir_vec[st->agent_dir][1]) * W + x + ludus_grid_dir_vec[st->agent_dir][0]];
        if (front == GC_EMPTY || GC_TYPE(front) == OBJ_WALL) return LUDUS_OK;
    }
    return GEN_FAIL;
}

/* Sixteen byte labels, one per room (and spare lanes), compared and
 * relabelled together (GCC and clang vector extensions). */
typedef uint8_t rg_labels __attribute__((vector_size(16)));

/* Label the rooms by connected component (connections: doors and removed
 * walls, which are always set on both sides); returns the count. */
static int rg_components(const roomgrid *rg, uint8_t *comp)
{
    const int n = rg->rows * rg->cols;
    int ncomp = 0;
    for (int r = 0; r < n; r++) comp[r] = UINT8_MAX;
    for (int r0 = 0; r0 < n; r0++) {
        if (comp[r0] != UINT8_MAX) continue;
        int stack[RG_MAX_ROOMS], top = 0;
        comp[r0] = (uint8_t)ncomp;
        stack[top++] = r0;
        while (top > 0) {
            const int r = stack[--top], i = r % rg->cols, j = r / rg->cols;
            for (int k = 0; k < 4; k++) {
                if (rg->room[r].doors[k] == RG_WALL) continue;
                const int q = (j + ludus_grid_dir_vec[k][1]) * rg->cols + i + ludus_grid_dir_vec[k][0];
                if (comp[q] != UINT8_MAX) continue;
                comp[q] = (uint8_t)ncomp;
                stack[top++] = q;
            }
        }
        ncomp++;
    }
    return ncomp;
}

int ludus_rg_connect_all(roomgrid *rg, const uint8_t *colors, int ncolors)
{
    grid_state *st = rg->st;
    if (!colors) {
        colors = ludus_grid_color_names;
        ncolors = 6;
    }
    /* The reference floods from the agent's room every iteration until it
     * reaches every room; the connections are symmetric, so that is "one
     * component", kept here as labels merged when a door joins two. */
    union {
        rg_labels v;
        uint8_t b[16];
    } comp;
    memset(comp.b, UINT8_MAX, sizeof comp.b); /* spare lanes never equal a label */
    int ncomp = rg_components(rg, comp.b);
    for (int itrs = 0;; itrs++) {
        if (itrs > RG_CONNECT_MAX_ITRS) return GEN_FAIL;
        if (ncomp == 1) return LUDUS_OK;
        int i, j;
        grid_rng_pair(&st->rng, rg->cols, rg->rows, &i, &j);
        int k = grid_rand_small(st, 0, 4);
        rg_room *r = rg_get(rg, i, j);
        if (!rg_has_neighbor(rg, i, j, k) || r->doors[k] != RG_WALL) continue;
        if (r->locked || rg_neighbor(rg, i, j, k)->locked) continue;
        int color = colors[grid_rand_small(st, 0, ncolors)];
        ludus_rg_add_door(rg, i, j, k, color, 0, NULL, NULL);
        const uint8_t a = comp.b[j * rg->cols + i], b = comp.b[(j + ludus_grid_dir_vec[k][1]) * rg->cols + i + ludus_grid_dir_vec[k][0]];
        if (a != b) { /* relabel b as a: all nine rooms at once */
            const rg_labels is_b = (rg_labels)(comp.v == b);
            comp.v += is_b & (uint8_t)(a - b);
            ncomp--;
        }
    }
}

int ludus_rg_add_distractors(roomgrid *rg, int i, int j, int n, int all_unique, gcell *out, int8_t *xs,
                       int8_t *ys)
{
    /* add_object(place_in_room) per distractor, with the stream in locals
     * for the whole call and the room's geometry kept while it stays. */
    grid_state *st = rg->st;
    ludus_rng rng = st->rng;
    rg_area area = {NULL, 0, 0, 0, 0, 0};
    int area_i = -1, area_j = -1, rc = LUDUS_OK;
    for (int added = 0; added < n;) {
        int c, t;
        grid_rng_pair(&rng, 6, 3, &c, &t); /* colour, then kind */
        const int color = ludus_grid_color_names[c], type = rg_kinds[t];
        if (all_unique && ((rg->placed[type] >> color) & 1u)) {
            /* Every kind in every colour placed: the reference would draw
             * forever; saying so beats hanging. */
            if ((rg->placed[OBJ_KEY] & rg->placed[OBJ_BALL] & rg->placed[OBJ_BOX] & RG_ALL_COLORS) == RG_ALL_COLORS) {
                rc = GEN_FAIL;
                break;
            }
            continue;
        }
        int ri = i, rj = j;
        if (i < 0 && j < 0) grid_rng_pair(&rng, rg->cols, rg->rows, &ri, &rj);
        else if (i < 0) ri = grid_rng_small(&rng, 0, rg->cols);
        else if (j < 0) rj = grid_rng_small(&rng, 0, rg->rows);
        if (ri != area_i || rj != area_j) {
            rg_area_of(rg, ri, rj, &area);
            area_i = ri;
            area_j = rj;
        }
        const gcell obj = grid_new_obj(st, type, color, 0);
        int x, y;
        rc = rg_place_at(&area, &rng, obj, st->agent_x, st->agent_y, 0, &x, &y);
        if (rc != LUDUS_OK) break;
        rg_note_obj(rg, obj);
        if (out) out[added] = obj;
        if (xs) xs[added] = (int8_t)x;
        if (ys) ys[added] = (int8_t)y;
        added++;
    }
    st->rng = rng;
    return rc;
}
