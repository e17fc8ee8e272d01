/* minigrid_rooms.c: the MiniGrid worlds built from rooms and doors without
 * the room-grid framework: MultiRoom, LockedRoom, Playground and
 * RedBlueDoors (spec/minigrid.md §9). Room lists live on the generator's
 * stack only; what a step rule needs afterwards (RedBlueDoors' door cells)
 * is kept in the world's extra block.
 */
#include <stdio.h>

#include "grid.h"

/* Pick from COLOR_NAMES (alphabetical) without the colours in `used`, a
 * bit set over encoding indices: _rand_elem(sorted(remaining)). */
static int rand_color_except(grid_state *st, unsigned used)
{
    int avail[6], n = 0;
    for (int k = 0; k < 6; k++)
        if (!(used & (1u << ludus_grid_color_names[k]))) avail[n++] = ludus_grid_color_names[k];
    return avail[ludus_grid_rand_int(st, 0, n)];
}

/* ---- MultiRoom: p[0] = min rooms, p[1] = max rooms, p[2] = max room side ---- */
#define MR_MAX_ROOMS 16

typedef struct mr_room {
    int x, y, w, h;     /* top-left corner and size, walls included */
    int door_x, door_y; /* entry door (the first room's is its corner) */
} mr_room;

typedef struct mr_layout {
    const grid_spec *s;
    grid_state *st;
    int max_side;
    int n;
    mr_room room[MR_MAX_ROOMS];
} mr_layout;

/* The reference's _placeRoom: add a room entered through `wall` at (ex, ey)
 * and, recursively, the rooms after it. Returns 0 only when this room
 * itself does not fit; a shorter chain still counts as placed. */
static int mr_place(mr_layout *L, int left, int wall, int ex, int ey)
{
    grid_state *st = L->st;
    int W = L->s->width, H = L->s->height;
    int sx = (int)ludus_grid_rand_int(st, 4, L->max_side + 1);
    int sy = (int)ludus_grid_rand_int(st, 4, L->max_side + 1);
    int tx, ty;
    if (L->n == 0) {
        tx = ex;
        ty = ey;
    } else if (wall == 0) {
        tx = ex - sx + 1;
        ty = (int)ludus_grid_rand_int(st, ey - sy + 2, ey);
    } else if (wall == 1) {
        tx = (int)ludus_grid_rand_int(st, ex - sx + 2, ex);
        ty = ey - sy + 1;
    } else if (wall == 2) {
        tx = ex;
        ty = (int)ludus_grid_rand_int(st, ey - sy + 2, ey);
    } else {
        tx = (int)ludus_grid_rand_int(st, ex - sx + 2, ex);
        ty = ey;
    }
    if (tx < 0 || ty < 0 || tx + sx > W || ty + sy >= H) return 0;
    /* Rooms may overlap only the one they are entered from. */
    for (int k = 0; k + 1 < L->n; k++) {
        const mr_room *r = &L->room[k];
        int apart = tx + sx < r->x || r->x + r->w <= tx || ty + sy < r->y || r->y + r->h <= ty;
        if (!apart) return 0;
    }
    if (L->n >= MR_MAX_ROOMS) return 0;
    L->room[L->n++] = (mr_room){tx, ty, sx, sy, ex, ey};
    if (left == 1) return 1;
    for (int i = 0; i < 8; i++) {
        int walls[3], nw = 0;
        for (int k = 0; k < 4; k++)
            if (k != wall) walls[nw++] = k;
        int exit = walls[ludus_grid_rand_int(st, 0, 3)];
        int dx, dy;
        switch (exit) {
        case 0: dx = tx + sx - 1; dy = ty + (int)ludus_grid_rand_int(st, 1, sy - 1); break;
        case 1: dx = tx + (int)ludus_grid_rand_int(st, 1, sx - 1); dy = ty + sy - 1; break;
        case 2: dx = tx; dy = ty + (int)ludus_grid_rand_int(st, 1, sy - 1); break;
        default: dx = tx + (int)ludus_grid_rand_int(st, 1, sx - 1); dy = ty; break;
        }
        if (mr_place(L, left - 1, (exit + 2) % 4, dx, dy)) break;
    }
    return 1;
}

static int gen_multiroom(const grid_spec *s, grid_state *st)
{
    int W = s->width;
    int num = (int)ludus_grid_rand_int(st, s->p[0], s->p[1] + 1);
    mr_layout best = {s, st, s->p[2], 0, {{0}}}, cur;
    /* The reference retries forever; a layout that has not appeared after
     * a million chains means broken parameters, so fail instead of hang. */
    for (int tries = 0; best.n < num; tries++) {
        if (tries >= (1 << 20)) return GEN_FAIL;
        cur.s = s;
        cur.st = st;
        cur.max_side = s->p[2];
        cur.n = 0;
        int ex = (int)ludus_grid_rand_int(st, 0, W - 2);
        int ey = (int)ludus_grid_rand_int(st, 0, W - 2);
        mr_place(&cur, num, 2, ex, ey);
        if (cur.n > best.n) best = cur;
    }
    int prev_color = -1;
    for (int i = 0; i < best.n; i++) {
        const mr_room *r = &best.room[i];
        ludus_grid_wall_rect(s, st, r->x, r->y, r->w, r->h);
        if (i > 0) {
            int color = rand_color_except(st, prev_color < 0 ? 0u : 1u << prev_color);
            grid_set(s, st, r->door_x, r->door_y, grid_new_obj(st, OBJ_DOOR, color, DOOR_CLOSED));
            prev_color = color;
        }
    }
    const mr_room *first = &best.room[0], *last = &best.room[best.n - 1];
    int rc = ludus_grid_place_agent(s, st, first->x, first->y, first->w, first->h, 1, -1);
    if (rc) return rc;
    rc = ludus_grid_place_obj(s, st, GC_GOAL, last->x, last->y, last->w, last->h, NULL, NULL, -1, NULL, NULL);
    if (rc) return rc;
    ludus_grid_set_mission(s, st, "traverse the rooms to get to the goal");
    return LUDUS_OK;
}
const grid_world ludus_grid_world_multiroom = {"MultiRoom", 0, 64, 7, gen_multiroom, NULL, NULL, NULL, NULL};

/* ---- LockedRoom: six side rooms off a central hallway, one locked ---- */
typedef struct lr_room {
    int x, y, w, h, door_x, door_y, color;
} lr_room;

/* A uniform cell strictly inside the room's walls (_rand_pos). */
static void lr_rand_pos(grid_state *st, const lr_room *r, int *x, int *y)
{
    *x = (int)ludus_grid_rand_int(st, r->x + 1, r->x + r->w - 1);
    *y = (int)ludus_grid_rand_int(st, r->y + 1, r->y + r->h - 1);
}

static int gen_lockedroom(const grid_spec *s, grid_state *st)
{
    int W = s->width, H = s->height;
    int lwall = W / 2 - 2, rwall = W / 2 + 2;
    lr_room rooms[6];
    ludus_grid_wall_rect(s, st, 0, 0, W, H);
    ludus_grid_vert_wall(s, st, lwall, 0, H, GC_WALL);
    ludus_grid_vert_wall(s, st, rwall, 0, H, GC_WALL);
    for (int n = 0; n < 3; n++) {
        int j = n * (H / 3);
        ludus_grid_horz_wall(s, st, 0, j, lwall, GC_WALL);
        ludus_grid_horz_wall(s, st, rwall, j, W - rwall, GC_WALL);
        rooms[2 * n] = (lr_room){0, j, lwall + 1, H / 3 + 1, lwall, j + 3, 0};
        rooms[2 * n + 1] = (lr_room){rwall, j, lwall + 1, H / 3 + 1, rwall, j + 3, 0};
    }
    int locked = (int)ludus_grid_rand_int(st, 0, 6), x, y;
    lr_rand_pos(st, &rooms[locked], &x, &y);
    grid_set(s, st, x, y, GC_GOAL);
    unsigned used = 0;
    for (int i = 0; i < 6; i++) {
        rooms[i].color = rand_color_except(st, used);
        used |= 1u << rooms[i].color;
        grid_set(s, st, rooms[i].door_x, rooms[i].door_y,
                 grid_new_obj(st, OBJ_DOOR, rooms[i].color, i == locked ? DOOR_LOCKED : DOOR_CLOSED));
    }
    int key_room;
    do key_room = (int)ludus_grid_rand_int(st, 0, 6);
    while (key_room == locked);
    lr_rand_pos(st, &rooms[key_room], &x, &y);
    grid_set(s, st, x, y, grid_new_obj(st, OBJ_KEY, rooms[locked].color, 0));
    int rc = ludus_grid_place_agent(s, st, lwall, 0, rwall - lwall, H, 1, -1);
    if (rc) return rc;
    const char *lc = ludus_grid_color_str[rooms[locked].color];
    snprintf(grid_mission(s, st), s->world->mission_cap,
             "get the %s key from the %s room, unlock the %s door and go to the goal", lc,
             ludus_grid_color_str[rooms[key_room].color], lc);
    return LUDUS_OK;
}
const grid_world ludus_grid_world_lockedroom = {"LockedRoom", 0, 128, 7, gen_lockedroom, NULL, NULL, NULL, NULL};

/* ---- Playground: 3x3 rooms joined by doors, 12 objects, no mission ---- */
static int gen_playground(const grid_spec *s, grid_state *st)
{
    static const uint8_t TYPES[3] = {OBJ_KEY, OBJ_BALL, OBJ_BOX};
    int W = s->width, H = s->height, rw = W / 3, rh = H / 3;
    ludus_grid_wall_rect(s, st, 0, 0, W, H);
    for (int j = 0; j < 3; j++)
        for (int i = 0; i < 3; i++) {
            int xl = i * rw, yt = j * rh, xr = xl + rw, yb = yt + rh;
            if (i + 1 < 3) {
                ludus_grid_vert_wall(s, st, xr, yt, rh, GC_WALL);
                int y = (int)ludus_grid_rand_int(st, yt + 1, yb - 1);
                int color = grid_rand_color(st);
                grid_set(s, st, xr, y, grid_new_obj(st, OBJ_DOOR, color, DOOR_CLOSED));
            }
            if (j + 1 < 3) {
                ludus_grid_horz_wall(s, st, xl, yb, rw, GC_WALL);
                int x = (int)ludus_grid_rand_int(st, xl + 1, xr - 1);
                int color = grid_rand_color(st);
                grid_set(s, st, x, yb, grid_new_obj(st, OBJ_DOOR, color, DOOR_CLOSED));
            }
        }
    int rc = ludus_grid_place_agent(s, st, 0, 0, W, H, 1, -1);
    if (rc) return rc;
    for (int i = 0; i < 12; i++) {
        int type = TYPES[ludus_grid_rand_int(st, 0, 3)];
        int color = grid_rand_color(st);
        rc = ludus_grid_place_obj(s, st, grid_new_obj(st, type, color, 0), 0, 0, W, H, NULL, NULL, -1, NULL, NULL);
        if (rc) return rc;
    }
    ludus_grid_set_mission(s, st, "");
    return LUDUS_OK;
}
const grid_world ludus_grid_world_playground = {"Playground", 0, 8, 7, gen_playground, NULL, NULL, NULL, NULL};

/* ---- RedBlueDoors: open the red door, then the blue one ---- */
typedef struct rbd_extra {
    uint8_t red_x, red_y, blue_x, blue_y;
} rbd_extra;

/* The grid is 2*size by size; size is the height. */
static int gen_redbluedoors(const grid_spec *s, grid_state *st)
{
    rbd_extra *ex = grid_extra(s, st);
    int size = s->height;
    ludus_grid_wall_rect(s, st, 0, 0, 2 * size, size);
    ludus_grid_wall_rect(s, st, size / 2, 0, size, size);
    int rc = ludus_grid_place_agent(s, st, size / 2, 0, size, size, 1, -1);
    if (rc) return rc;
    ex->red_x = (uint8_t)(size / 2);
    ex->red_y = (uint8_t)ludus_grid_rand_int(st, 1, size - 1);
    grid_set(s, st, ex->red_x, ex->red_y, grid_new_obj(st, OBJ_DOOR, COL_RED, DOOR_CLOSED));
    ex->blue_x = (uint8_t)(size / 2 + size - 1);
    ex->blue_y = (uint8_t)ludus_grid_rand_int(st, 1, size - 1);
    grid_set(s, st, ex->blue_x, ex->blue_y, grid_new_obj(st, OBJ_DOOR, COL_BLUE, DOOR_CLOSED));
    ludus_grid_set_mission(s, st, "open the red door then the blue door");
    return LUDUS_OK;
}

static int door_open(const grid_spec *s, const grid_state *st, int x, int y)
{
    return GC_STATE(grid_get(s, st, x, y)) == DOOR_OPEN;
}

/* Opening blue ends the episode, paying only if red was already open;
 * opening red while blue is open fails it. Reclosing red is allowed. */
static void step_redbluedoors(const grid_spec *s, grid_state *st, int action, ludus_step_out *out)
{
    const rbd_extra *ex = grid_extra(s, st);
    int red_before = door_open(s, st, ex->red_x, ex->red_y);
    int blue_before = door_open(s, st, ex->blue_x, ex->blue_y);
    ludus_grid_core_step(s, st, action, out);
    int red_after = door_open(s, st, ex->red_x, ex->red_y);
    int blue_after = door_open(s, st, ex->blue_x, ex->blue_y);
    if (blue_after) {
        out->reward = red_before ? ludus_grid_success_reward(st) : 0.0;
        out->terminated = 1;
    } else if (red_after && blue_before) {
        out->reward = 0.0;
        out->terminated = 1;
    }
}
static int check_redbluedoors(const grid_spec *s, const grid_state *st)
{
    const rbd_extra *ex = grid_extra_c(s, st);
    int rc = ludus_grid_check_pos(s, "the red door", ex->red_x, ex->red_y);
    return rc ? rc : ludus_grid_check_pos(s, "the blue door", ex->blue_x, ex->blue_y);
}
const grid_world ludus_grid_world_redbluedoors = {"RedBlueDoors", sizeof(rbd_extra), 64, 7, gen_redbluedoors,
                                            step_redbluedoors, NULL, NULL, check_redbluedoors};
