/* roomgrid.h: the reference's RoomGrid framework (spec/minigrid.md §8): a
 * grid of square rooms sharing walls, with doors, removed walls, objects
 * placed per room and the agent placed per room. The room bookkeeping is
 * generation-time data on the caller's stack (a `roomgrid`), never part of
 * the flat state: nothing a step does needs it, and what does (targets,
 * instructions) is copied into the world's extra block.
 */
#ifndef LUDUS_GRID_ROOMGRID_H
#define LUDUS_GRID_ROOMGRID_H

#include "grid.h"

#define RG_MAX_ROWS 3
#define RG_MAX_COLS 3
#define RG_MAX_ROOMS (RG_MAX_ROWS * RG_MAX_COLS)

/* What connects a room to its neighbour through one wall. The reference
 * keeps None, True (a removed wall) or the Door object; all are "set" for
 * connectivity except none. */
enum { RG_WALL = 0, RG_OPENING = 1, RG_DOOR = 2 };

/* Wall indices (and neighbour directions): right, down, left, up. */
enum { RG_RIGHT = 0, RG_DOWN = 1, RG_LEFT = 2, RG_UP = 3 };

typedef struct rg_room {
    int8_t door_x[4], door_y[4]; /* the door position in each wall; -1: no neighbour */
    uint8_t doors[4];            /* RG_WALL, RG_OPENING or RG_DOOR */
    uint8_t locked;              /* "behind a locked door" (the last add_door decides) */
} rg_room;

typedef struct roomgrid {
    const grid_spec *s;
    grid_state *st;
    int size, rows, cols;
    rg_room room[RG_MAX_ROOMS]; /* room (i, j) is room[j * cols + i] */
    /* Bit c of placed[t] is set once an object of type t and colour c was
     * added with place_in_room, in any room: add_distractors' uniqueness
     * test reads it (the reference scans its list of objects). */
    uint8_t placed[16];
} roomgrid;

/* The room parameters of a room-grid spec: p[0] room size, p[1] rows,
 * p[2] columns (every room-grid registry entry lays p[] out this way). */
#define RG_P_SIZE 0
#define RG_P_ROWS 1
#define RG_P_COLS 2

static inline rg_room *rg_get(roomgrid *rg, int i, int j) { return &rg->room[j * rg->cols + i]; }

/* Does room (i, j) have a neighbour through wall k? */
static inline int rg_has_neighbor(const roomgrid *rg, int i, int j, int k)
{
    return rg->room[j * rg->cols + i].door_x[k] >= 0;
}

/* The walls of every room on an empty grid: every room-grid world's
 * grid_world.layout, so ludus_rg_init copies them from the spec. */
void ludus_rg_layout(const grid_spec *s, gcell *cells);

/* Start a generation attempt: empty grid, fresh object ids and box
 * contents, every room's walls, the door positions (drawn for every inner
 * wall, built or not) and the provisional agent in the middle room. */
void ludus_rg_init(roomgrid *rg, const grid_spec *s, grid_state *st);

/* add_door: idx, color (an encoding colour) and locked may be -1 for "draw
 * it". Returns the door cell; *px, *py (may be NULL) get its position. */
gcell ludus_rg_add_door(roomgrid *rg, int i, int j, int idx, int color, int locked, int *px, int *py);
void ludus_rg_remove_wall(roomgrid *rg, int i, int j, int idx);
/* place_in_room: GEN_FAIL after 1000 rejected tries. */
int ludus_rg_place_in_room(roomgrid *rg, int i, int j, gcell obj, int *px, int *py);
/* add_object: kind (OBJ_KEY/BALL/BOX) and color may be -1 for "draw it". */
int ludus_rg_add_object(roomgrid *rg, int i, int j, int kind, int color, gcell *out, int *px, int *py);
/* place_agent: i, j may be -1 for "draw it"; redraws until the cell in
 * front is empty or a wall. */
int ludus_rg_place_agent(roomgrid *rg, int i, int j, int rand_dir);
/* connect_all over the encoding colours colors[0..ncolors) (COLOR_NAMES
 * order when NULL). GEN_FAIL after 5000 iterations. */
int ludus_rg_connect_all(roomgrid *rg, const uint8_t *colors, int ncolors);
/* add_distractors: i, j may be -1 (a random room per object). The new
 * objects go to out[0..n) with their positions when out/xs/ys are not NULL. */
int ludus_rg_add_distractors(roomgrid *rg, int i, int j, int n, int all_unique, gcell *out, int8_t *xs,
                       int8_t *ys);
/* Column and row of the room holding cell (x, y). */
static inline int rg_room_i(const roomgrid *rg, int x) { return x / (rg->size - 1); }
static inline int rg_room_j(const roomgrid *rg, int y) { return y / (rg->size - 1); }

/* _rand_elem of a list of n ints and _rand_subset of n of them (in place:
 * the chosen ones end up in items[0..k) in draw order). */
int ludus_rg_rand_elem(grid_state *st, const int *items, int n);
void ludus_rg_rand_subset(grid_state *st, int *items, int n, int k);

#endif
