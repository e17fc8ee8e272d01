/* minigrid_basic.c: the single-room MiniGrid worlds: Empty, FourRooms,
 * DoorKey, LavaGap, Lava/SimpleCrossing, DistShift and Dynamic-Obstacles
 * (spec/minigrid.md §9). Each generator draws exactly what the reference
 * draws, in its order.
 */
#include "grid.h"

static const char MISSION_GREEN_GOAL[] = "get to the green goal square";

/* A fixed start pose (no draw), as the reference's agent_start_pos. */
static void agent_at(grid_state *st, int x, int y, int dir)
{
    st->agent_x = (int16_t)x;
    st->agent_y = (int16_t)y;
    st->agent_dir = (uint8_t)dir;
}

/* ---- Empty: p[0] = random start ---- */
static int gen_empty(const grid_spec *s, grid_state *st)
{
    int W = s->width, H = s->height;
    ludus_grid_wall_rect(s, st, 0, 0, W, H);
    grid_set(s, st, W - 2, H - 2, GC_GOAL);
    if (s->p[0]) {
        int rc = ludus_grid_place_agent(s, st, 0, 0, W, H, 1, -1);
        if (rc) return rc;
    } else {
        agent_at(st, 1, 1, 0);
    }
    ludus_grid_set_mission(s, st, MISSION_GREEN_GOAL);
    return LUDUS_OK;
}
const grid_world ludus_grid_world_empty = {"Empty", 0, 32, 7, gen_empty, NULL, NULL, NULL, NULL};

/* ---- FourRooms ---- */
static int gen_fourrooms(const grid_spec *s, grid_state *st)
{
    int W = s->width, H = s->height;
    ludus_grid_wall_rect(s, st, 0, 0, W, H);
    int rw = W / 2, rh = H / 2;
    for (int j = 0; j < 2; j++)
        for (int i = 0; i < 2; i++) {
            int xl = i * rw, yt = j * rh, xr = xl + rw, yb = yt + rh;
            if (i + 1 < 2) {
                ludus_grid_vert_wall(s, st, xr, yt, rh, GC_WALL);
                int y = (int)ludus_grid_rand_int(st, yt + 1, yb);
                grid_set(s, st, xr, y, GC_EMPTY);
            }
            if (j + 1 < 2) {
                ludus_grid_horz_wall(s, st, xl, yb, rw, GC_WALL);
                int x = (int)ludus_grid_rand_int(st, xl + 1, xr);
                grid_set(s, st, x, yb, GC_EMPTY);
            }
        }
    int rc = ludus_grid_place_agent(s, st, 0, 0, W, H, 1, -1);
    if (rc) return rc;
    rc = ludus_grid_place_obj(s, st, GC_GOAL, 0, 0, W, H, NULL, NULL, -1, NULL, NULL);
    if (rc) return rc;
    ludus_grid_set_mission(s, st, "reach the goal");
    return LUDUS_OK;
}
const grid_world ludus_grid_world_fourrooms = {"FourRooms", 0, 32, 7, gen_fourrooms, NULL, NULL, NULL, NULL};

/* ---- DoorKey ---- */
static int gen_doorkey(const grid_spec *s, grid_state *st)
{
    int W = s->width, H = s->height;
    ludus_grid_wall_rect(s, st, 0, 0, W, H);
    grid_set(s, st, W - 2, H - 2, GC_GOAL);
    int split = (int)ludus_grid_rand_int(st, 2, W - 2);
    ludus_grid_vert_wall(s, st, split, 0, -1, GC_WALL);
    int rc = ludus_grid_place_agent(s, st, 0, 0, split, H, 1, -1);
    if (rc) return rc;
    int door_y = (int)ludus_grid_rand_int(st, 1, W - 2);
    grid_set(s, st, split, door_y, grid_new_obj(st, OBJ_DOOR, COL_YELLOW, DOOR_LOCKED));
    rc = ludus_grid_place_obj(s, st, grid_new_obj(st, OBJ_KEY, COL_YELLOW, 0), 0, 0, split, H, NULL, NULL,
                        -1, NULL, NULL);
    if (rc) return rc;
    ludus_grid_set_mission(s, st, "use the key to open the door and then get to the goal");
    return LUDUS_OK;
}
const grid_world ludus_grid_world_doorkey = {"DoorKey", 0, 64, 7, gen_doorkey, NULL, NULL, NULL, NULL};

/* ---- LavaGap ---- */
static int gen_lavagap(const grid_spec *s, grid_state *st)
{
    int W = s->width, H = s->height;
    ludus_grid_wall_rect(s, st, 0, 0, W, H);
    agent_at(st, 1, 1, 0);
    grid_set(s, st, W - 2, H - 2, GC_GOAL);
    int gx = (int)ludus_grid_rand_int(st, 2, W - 2);
    int gy = (int)ludus_grid_rand_int(st, 1, H - 1);
    ludus_grid_vert_wall(s, st, gx, 1, H - 2, GC_LAVA);
    grid_set(s, st, gx, gy, GC_EMPTY);
    ludus_grid_set_mission(s, st, "avoid the lava and get to the green goal square");
    return LUDUS_OK;
}
const grid_world ludus_grid_world_lavagap = {"LavaGap", 0, 64, 7, gen_lavagap, NULL, NULL, NULL, NULL};

/* ---- Lava/SimpleCrossing: p[0] = number of crossings, p[1] = lava ---- */
static int gen_crossing(const grid_spec *s, grid_state *st)
{
    int W = s->width, H = s->height;
    gcell obstacle = s->p[1] ? GC_LAVA : GC_WALL;
    ludus_grid_wall_rect(s, st, 0, 0, W, H);
    agent_at(st, 1, 1, 0);
    grid_set(s, st, W - 2, H - 2, GC_GOAL);

    /* Candidate rivers, encoded as (vertical ? 0 : 1) * 256 + position. */
    int rivers[2 * GRID_MAX_SIDE], n = 0;
    for (int i = 2; i < H - 2; i += 2) rivers[n++] = i;
    for (int j = 2; j < W - 2; j += 2) rivers[n++] = 256 + j;
    ludus_rng_shuffle(&st->rng, rivers, (size_t)n);
    int keep = s->p[0] < n ? s->p[0] : n;
    int rv[GRID_MAX_SIDE], rh[GRID_MAX_SIDE], nv = 0, nh = 0;
    for (int k = 0; k < keep; k++) {
        if (rivers[k] < 256) rv[nv++] = rivers[k];
        else rh[nh++] = rivers[k] - 256;
    }
    /* sorted() */
    for (int a = 1; a < nv; a++)
        for (int b = a; b > 0 && rv[b - 1] > rv[b]; b--) { int t = rv[b]; rv[b] = rv[b - 1]; rv[b - 1] = t; }
    for (int a = 1; a < nh; a++)
        for (int b = a; b > 0 && rh[b - 1] > rh[b]; b--) { int t = rh[b]; rh[b] = rh[b - 1]; rh[b - 1] = t; }
    for (int i = 1; i < W - 1; i++)
        for (int k = 0; k < nh; k++) grid_set(s, st, i, rh[k], obstacle);
    for (int k = 0; k < nv; k++)
        for (int j = 1; j < H - 1; j++) grid_set(s, st, rv[k], j, obstacle);

    /* The path: one opening per river, in a shuffled order of moves. */
    enum { MOVE_H = 0, MOVE_V = 1 };
    int path[2 * GRID_MAX_SIDE], np = 0;
    for (int k = 0; k < nv; k++) path[np++] = MOVE_H;
    for (int k = 0; k < nh; k++) path[np++] = MOVE_V;
    ludus_rng_shuffle(&st->rng, path, (size_t)np);
    int lv[GRID_MAX_SIDE + 2], lh[GRID_MAX_SIDE + 2];
    lv[0] = 0;
    for (int k = 0; k < nv; k++) lv[k + 1] = rv[k];
    lv[nv + 1] = H - 1;
    lh[0] = 0;
    for (int k = 0; k < nh; k++) lh[k + 1] = rh[k];
    lh[nh + 1] = W - 1;
    int ri = 0, rj = 0;
    for (int k = 0; k < np; k++) {
        int i, j;
        if (path[k] == MOVE_H) {
            i = lv[ri + 1];
            j = lh[rj] + 1 + (int)ludus_grid_rand_int(st, 0, lh[rj + 1] - lh[rj] - 1);
            ri++;
        } else {
            i = lv[ri] + 1 + (int)ludus_grid_rand_int(st, 0, lv[ri + 1] - lv[ri] - 1);
            j = lh[rj + 1];
            rj++;
        }
        grid_set(s, st, i, j, GC_EMPTY);
    }
    ludus_grid_set_mission(s, st, s->p[1] ? "avoid the lava and get to the green goal square"
                                     : "find the opening and get to the green goal square");
    return LUDUS_OK;
}
const grid_world ludus_grid_world_crossing = {"Crossing", 0, 64, 7, gen_crossing, NULL, NULL, NULL, NULL};

/* ---- DistShift: p[0] = row of the second lava strip ---- */
static int gen_distshift(const grid_spec *s, grid_state *st)
{
    int W = s->width, H = s->height;
    ludus_grid_wall_rect(s, st, 0, 0, W, H);
    agent_at(st, 1, 1, 0);
    grid_set(s, st, W - 2, 1, GC_GOAL);
    for (int i = 0; i < W - 6; i++) {
        grid_set(s, st, 3 + i, 1, GC_LAVA);
        grid_set(s, st, 3 + i, s->p[0], GC_LAVA);
    }
    ludus_grid_set_mission(s, st, MISSION_GREEN_GOAL);
    return LUDUS_OK;
}
const grid_world ludus_grid_world_distshift = {"DistShift", 0, 32, 7, gen_distshift, NULL, NULL, NULL, NULL};

/* ---- Dynamic-Obstacles: p[0] = random start, p[1] = obstacles ---- */
#define DYN_MAX_OBST 16
typedef struct dyn_extra {
    uint8_t n;
    uint8_t x[DYN_MAX_OBST], y[DYN_MAX_OBST];
    gcell ball[DYN_MAX_OBST];
} dyn_extra;

static int dyn_count(const grid_spec *s)
{
    int n = s->p[1], size = s->width;
    if ((double)n > size / 2.0 + 1) n = size / 2;
    return n < DYN_MAX_OBST ? n : DYN_MAX_OBST;
}

static int gen_dynobs(const grid_spec *s, grid_state *st)
{
    int W = s->width, H = s->height;
    dyn_extra *ex = grid_extra(s, st);
    ludus_grid_wall_rect(s, st, 0, 0, W, H);
    grid_set(s, st, W - 2, H - 2, GC_GOAL);
    if (s->p[0]) {
        int rc = ludus_grid_place_agent(s, st, 0, 0, W, H, 1, -1);
        if (rc) return rc;
    } else {
        agent_at(st, 1, 1, 0);
    }
    ex->n = (uint8_t)dyn_count(s);
    for (int i = 0; i < ex->n; i++) {
        int x, y;
        ex->ball[i] = grid_new_obj(st, OBJ_BALL, COL_BLUE, 0);
        int rc = ludus_grid_place_obj(s, st, ex->ball[i], 0, 0, W, H, NULL, NULL, 100, &x, &y);
        if (rc) return rc;
        ex->x[i] = (uint8_t)x;
        ex->y[i] = (uint8_t)y;
    }
    ludus_grid_set_mission(s, st, MISSION_GREEN_GOAL);
    return LUDUS_OK;
}

static void step_dynobs(const grid_spec *s, grid_state *st, int action, ludus_step_out *out)
{
    dyn_extra *ex = grid_extra(s, st);
    if (action >= 3) action = ACT_LEFT;
    gcell fc = grid_front(s, st);
    int not_clear = fc != GC_EMPTY && GC_TYPE(fc) != OBJ_GOAL;
    for (int i = 0; i < ex->n; i++) {
        int ox = ex->x[i], oy = ex->y[i], x, y;
        if (ludus_grid_place_obj(s, st, ex->ball[i], ox - 1, oy - 1, 3, 3, NULL, NULL, 100, &x, &y) == LUDUS_OK) {
            grid_set(s, st, ox, oy, GC_EMPTY);
            ex->x[i] = (uint8_t)x;
            ex->y[i] = (uint8_t)y;
        }
    }
    ludus_grid_core_step(s, st, action, out);
    if (action == ACT_FORWARD && not_clear) {
        out->reward = -1.0;
        out->terminated = 1;
    }
}
static int check_dynobs(const grid_spec *s, const grid_state *st)
{
    const dyn_extra *ex = grid_extra_c(s, st);
    if (ex->n > DYN_MAX_OBST) return ludus_err_set(LUDUS_EFORMAT, "%d obstacles (at most %d)", ex->n, DYN_MAX_OBST);
    for (int i = 0; i < ex->n; i++) {
        int rc = ludus_grid_check_pos(s, "an obstacle", ex->x[i], ex->y[i]);
        if (rc) return rc;
        if (!ludus_grid_cell_ok(ex->ball[i])) return ludus_err_set(LUDUS_EFORMAT, "obstacle %d is an invalid cell", i);
    }
    return LUDUS_OK;
}
const grid_world ludus_grid_world_dynobs = {"DynamicObstacles", sizeof(dyn_extra), 32, 3, gen_dynobs,
                                      step_dynobs, NULL, NULL, check_dynobs};
