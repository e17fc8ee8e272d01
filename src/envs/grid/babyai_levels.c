/* babyai_levels.c: the hand-written BabyAI levels (spec/minigrid.md §10.5):
 * each gen_mission places its rooms, doors and objects in the reference's
 * draw order and builds its instruction. Parameters come from the registry
 * entry: p[0..2] the room grid (size, rows, columns), p[3..] the level's.
 */
#include "babyai.h"

#define MAX_DISTS 24

/* place_agent() in a random room until it is not (li, lj). */
static int place_agent_outside(bab_gen *g, int li, int lj)
{
    for (;;) {
        BAB_TRY(ludus_rg_place_agent(&g->rg, -1, -1, 1));
        if (rg_room_i(&g->rg, g->st->agent_x) != li || rg_room_j(&g->rg, g->st->agent_y) != lj) return LUDUS_OK;
    }
}

/* _rand_elem over a list of n: the index drawn. */
static int pick(bab_gen *g, int n) { return grid_rand_small(g->st, 0, n); }

/* ---- GoTo family ---- */

/* GoToRedBall: p[3] distractors, p[4] recolour them grey (GoToRedBallGrey). */
static int lv_gotoredball(bab_gen *g)
{
    gcell ball, dists[MAX_DISTS];
    int8_t xs[MAX_DISTS], ys[MAX_DISTS];
    const int n = g->s->p[3];
    BAB_TRY(ludus_rg_place_agent(&g->rg, -1, -1, 1));
    BAB_TRY(ludus_rg_add_object(&g->rg, 0, 0, OBJ_BALL, COL_RED, &ball, NULL, NULL));
    BAB_TRY(ludus_rg_add_distractors(&g->rg, -1, -1, n, 0, dists, xs, ys));
    if (g->s->p[4])
        for (int k = 0; k < n; k++) {
            gcell c = dists[k];
            grid_set(g->s, g->st, xs[k], ys[k], GC_MAKE(GC_TYPE(c), COL_GREY, GC_STATE(c), GC_ID(c)));
        }
    if (!ludus_bab_reachable_final(g)) return BAB_REJECT;
    return ludus_bab_single(g, BI_GOTO, ball, 0);
}
BABYAI_LEVEL(ludus_grid_world_babyai_gotoredball, "GoToRedBall", lv_gotoredball, BABYAI_MISSION_CAP_SHORT);

static int lv_gotoobj(bab_gen *g)
{
    gcell obj;
    BAB_TRY(ludus_rg_place_agent(&g->rg, -1, -1, 1));
    BAB_TRY(ludus_rg_add_distractors(&g->rg, -1, -1, 1, 1, &obj, NULL, NULL));
    return ludus_bab_single(g, BI_GOTO, obj, 0);
}
BABYAI_LEVEL(ludus_grid_world_babyai_gotoobj, "GoToObj", lv_gotoobj, BABYAI_MISSION_CAP_SHORT);

/* GoToLocal: p[3] distractors. */
static int lv_gotolocal(bab_gen *g)
{
    gcell dists[MAX_DISTS];
    const int n = g->s->p[3];
    BAB_TRY(ludus_rg_place_agent(&g->rg, -1, -1, 1));
    BAB_TRY(ludus_rg_add_distractors(&g->rg, -1, -1, n, 0, dists, NULL, NULL));
    if (!ludus_bab_reachable_final(g)) return BAB_REJECT;
    return ludus_bab_single(g, BI_GOTO, dists[pick(g, n)], 0);
}
BABYAI_LEVEL(ludus_grid_world_babyai_gotolocal, "GoToLocal", lv_gotolocal, BABYAI_MISSION_CAP_SHORT);

/* Every door of the maze opens (GoTo's doors_open). */
static void open_all_doors(bab_gen *g)
{
    const roomgrid *rg = &g->rg;
    for (int r = 0; r < rg->rows * rg->cols; r++)
        for (int k = 0; k < 4; k++) {
            if (rg->room[r].doors[k] != RG_DOOR) continue;
            int x = rg->room[r].door_x[k], y = rg->room[r].door_y[k];
            grid_set(g->s, g->st, x, y, GC_WITH_STATE(grid_get(g->s, g->st, x, y), DOOR_OPEN));
        }
}

/* GoTo: p[3] distractors, p[4] doors open. */
static int lv_goto(bab_gen *g)
{
    gcell dists[MAX_DISTS];
    const int n = g->s->p[3];
    BAB_TRY(ludus_rg_place_agent(&g->rg, -1, -1, 1));
    BAB_TRY(ludus_rg_connect_all(&g->rg, NULL, 0));
    BAB_TRY(ludus_rg_add_distractors(&g->rg, -1, -1, n, 0, dists, NULL, NULL));
    if (!ludus_bab_reachable_final(g)) return BAB_REJECT;
    BAB_TRY(ludus_bab_single(g, BI_GOTO, dists[pick(g, n)], 0));
    if (g->s->p[4]) open_all_doors(g);
    return LUDUS_OK;
}
BABYAI_LEVEL(ludus_grid_world_babyai_goto, "GoTo", lv_goto, BABYAI_MISSION_CAP_SHORT);

/* A locked door in a random room and its key in a random room; returns
 * the door and the locked room (GoToImpUnlock and Unlock share this start).
 * The reference means "the key in another room" and "distractors in every
 * other room", but it compares room indices with `is`, and its indices are
 * numpy integers, never identical to one another or to Python ints: the
 * key's room is never redrawn and every room, the locked one included,
 * gets distractors. The traces confirm it; we do the same. */
static int locked_room_with_key(bab_gen *g, gcell *door, int *li, int *lj)
{
    grid_state *st = g->st;
    *li = grid_rand_small(st, 0, g->rg.cols);
    *lj = grid_rand_small(st, 0, g->rg.rows);
    *door = ludus_rg_add_door(&g->rg, *li, *lj, -1, -1, 1, NULL, NULL);
    int ik = grid_rand_small(st, 0, g->rg.cols);
    int jk = grid_rand_small(st, 0, g->rg.rows);
    return ludus_rg_add_object(&g->rg, ik, jk, OBJ_KEY, GC_COLOR(*door), NULL, NULL, NULL);
}

static int lv_gotoimpunlock(bab_gen *g)
{
    gcell door, obj;
    int li, lj;
    BAB_TRY(locked_room_with_key(g, &door, &li, &lj));
    BAB_TRY(ludus_rg_connect_all(&g->rg, NULL, 0));
    for (int i = 0; i < g->rg.cols; i++) /* every room: see locked_room_with_key */
        for (int j = 0; j < g->rg.rows; j++) BAB_TRY(ludus_rg_add_distractors(&g->rg, i, j, 2, 0, NULL, NULL, NULL));
    BAB_TRY(place_agent_outside(g, li, lj));
    if (!ludus_bab_objs_reachable(g->s, g->st)) return BAB_REJECT; /* an object comes after */
    BAB_TRY(ludus_rg_add_distractors(&g->rg, li, lj, 1, 0, &obj, NULL, NULL));
    return ludus_bab_single(g, BI_GOTO, obj, 0);
}
BABYAI_LEVEL(ludus_grid_world_babyai_gotoimpunlock, "GoToImpUnlock", lv_gotoimpunlock, BABYAI_MISSION_CAP_SHORT);

static int lv_gotoredblueball(bab_gen *g)
{
    gcell dists[MAX_DISTS], ball;
    const int n = g->s->p[3];
    static const int colors[2] = {COL_RED, COL_BLUE};
    BAB_TRY(ludus_rg_place_agent(&g->rg, -1, -1, 1));
    BAB_TRY(ludus_rg_add_distractors(&g->rg, -1, -1, n, 0, dists, NULL, NULL));
    for (int k = 0; k < n; k++)
        if (GC_TYPE(dists[k]) == OBJ_BALL && (GC_COLOR(dists[k]) == COL_BLUE || GC_COLOR(dists[k]) == COL_RED))
            return BAB_REJECT;
    int color = ludus_rg_rand_elem(g->st, colors, 2);
    BAB_TRY(ludus_rg_add_object(&g->rg, 0, 0, OBJ_BALL, color, &ball, NULL, NULL));
    if (!ludus_bab_reachable_final(g)) return BAB_REJECT;
    return ludus_bab_single(g, BI_GOTO, ball, 0);
}
BABYAI_LEVEL(ludus_grid_world_babyai_gotoredblueball, "GoToRedBlueBall", lv_gotoredblueball, BABYAI_MISSION_CAP_SHORT);

static int lv_gotodoor(bab_gen *g)
{
    gcell doors[4];
    for (int k = 0; k < 4; k++) doors[k] = ludus_rg_add_door(&g->rg, 1, 1, -1, -1, -1, NULL, NULL);
    BAB_TRY(ludus_rg_place_agent(&g->rg, 1, 1, 1));
    gcell door = doors[pick(g, 4)];
    int d = ludus_bab_desc_new(g, OBJ_DOOR, GC_COLOR(door), -1);
    ludus_bab_action(g, BI_GOTO, d, -1, 0);
    return LUDUS_OK;
}
BABYAI_LEVEL(ludus_grid_world_babyai_gotodoor, "GoToDoor", lv_gotodoor, BABYAI_MISSION_CAP_SHORT);

static int lv_gotoobjdoor(bab_gen *g)
{
    gcell objs[12];
    BAB_TRY(ludus_rg_place_agent(&g->rg, 1, 1, 1));
    BAB_TRY(ludus_rg_add_distractors(&g->rg, 1, 1, 8, 0, objs, NULL, NULL));
    for (int k = 0; k < 4; k++) objs[8 + k] = ludus_rg_add_door(&g->rg, 1, 1, -1, -1, -1, NULL, NULL);
    if (!ludus_bab_reachable_final(g)) return BAB_REJECT;
    return ludus_bab_single(g, BI_GOTO, objs[pick(g, 12)], 0);
}
BABYAI_LEVEL(ludus_grid_world_babyai_gotoobjdoor, "GoToObjDoor", lv_gotoobjdoor, BABYAI_MISSION_CAP_SHORT);

/* ---- Open family ---- */

static int lv_open(bab_gen *g)
{
    BAB_TRY(ludus_rg_place_agent(&g->rg, -1, -1, 1));
    BAB_TRY(ludus_rg_connect_all(&g->rg, NULL, 0));
    BAB_TRY(ludus_rg_add_distractors(&g->rg, -1, -1, 18, 0, NULL, NULL, NULL));
    if (!ludus_bab_reachable_final(g)) return BAB_REJECT;
    /* Columns outer, rows inner, walls 0-3: a door between two rooms is
     * listed once from each side, as in the reference. */
    gcell doors[RG_MAX_ROOMS * 4];
    int n = 0;
    for (int i = 0; i < g->rg.cols; i++)
        for (int j = 0; j < g->rg.rows; j++) {
            const rg_room *r = rg_get(&g->rg, i, j);
            for (int k = 0; k < 4; k++)
                if (r->doors[k] == RG_DOOR) doors[n++] = grid_get(g->s, g->st, r->door_x[k], r->door_y[k]);
        }
    return ludus_bab_single(g, BI_OPEN, doors[pick(g, n)], 0);
}
BABYAI_LEVEL(ludus_grid_world_babyai_open, "Open", lv_open, BABYAI_MISSION_CAP_SHORT);

static int lv_openreddoor(bab_gen *g)
{
    gcell door = ludus_rg_add_door(&g->rg, 0, 0, RG_RIGHT, COL_RED, 0, NULL, NULL);
    BAB_TRY(ludus_rg_place_agent(&g->rg, 0, 0, 1));
    return ludus_bab_single(g, BI_OPEN, door, 0);
}
BABYAI_LEVEL(ludus_grid_world_babyai_openreddoor, "OpenRedDoor", lv_openreddoor, BABYAI_MISSION_CAP_SHORT);

/* OpenDoor: p[3] select by (0 drawn, 1 colour, 2 location), p[4] debug (strict). */
static int lv_opendoor(bab_gen *g)
{
    int colors[6] = {COL_BLUE, COL_GREEN, COL_GREY, COL_PURPLE, COL_RED, COL_YELLOW};
    ludus_rg_rand_subset(g->st, colors, 6, 4);
    for (int k = 0; k < 4; k++) ludus_rg_add_door(&g->rg, 1, 1, k, colors[k], 0, NULL, NULL);
    int select_by = g->s->p[3];
    if (select_by == 0) select_by = 1 + grid_rand_small(g->st, 0, 2);
    int d = select_by == 1 ? ludus_bab_desc_new(g, OBJ_DOOR, colors[0], -1)
                           : ludus_bab_desc_new(g, OBJ_DOOR, -1, grid_rand_small(g->st, 0, 4));
    BAB_TRY(ludus_rg_place_agent(&g->rg, 1, 1, 1));
    ludus_bab_action(g, BI_OPEN, d, -1, g->s->p[4]);
    return LUDUS_OK;
}
BABYAI_LEVEL(ludus_grid_world_babyai_opendoor, "OpenDoor", lv_opendoor, BABYAI_MISSION_CAP_SHORT);

/* OpenTwoDoors: p[3], p[4] fixed first and second colours (-1: drawn), p[5] strict. */
static int lv_opentwodoors(bab_gen *g)
{
    int colors[6] = {COL_BLUE, COL_GREEN, COL_GREY, COL_PURPLE, COL_RED, COL_YELLOW};
    ludus_rg_rand_subset(g->st, colors, 6, 2);
    int c1 = g->s->p[3] >= 0 ? g->s->p[3] : colors[0];
    int c2 = g->s->p[4] >= 0 ? g->s->p[4] : colors[1];
    ludus_rg_add_door(&g->rg, 1, 1, RG_LEFT, c1, 0, NULL, NULL);
    ludus_rg_add_door(&g->rg, 1, 1, RG_RIGHT, c2, 0, NULL, NULL);
    BAB_TRY(ludus_rg_place_agent(&g->rg, 1, 1, 1));
    int a = ludus_bab_action(g, BI_OPEN, ludus_bab_desc_new(g, OBJ_DOOR, c1, -1), -1, g->s->p[5]);
    int b = ludus_bab_action(g, BI_OPEN, ludus_bab_desc_new(g, OBJ_DOOR, c2, -1), -1, 0);
    ludus_bab_seq(g, BI_BEFORE, a, b);
    return LUDUS_OK;
}
BABYAI_LEVEL(ludus_grid_world_babyai_opentwodoors, "OpenTwoDoors", lv_opentwodoors, BABYAI_MISSION_CAP_TWO);

/* OpenDoorsOrder: p[3] doors, p[4] debug (strict). */
static int lv_opendoorsorder(bab_gen *g)
{
    const int n = g->s->p[3], strict = g->s->p[4];
    int colors[6] = {COL_BLUE, COL_GREEN, COL_GREY, COL_PURPLE, COL_RED, COL_YELLOW};
    int doors[4];
    ludus_rg_rand_subset(g->st, colors, 6, n);
    for (int k = 0; k < n; k++) doors[k] = ludus_rg_add_door(&g->rg, 1, 1, -1, colors[k], 0, NULL, NULL);
    BAB_TRY(ludus_rg_place_agent(&g->rg, 1, 1, 1));
    ludus_rg_rand_subset(g->st, doors, n, 2);
    int d1 = ludus_bab_desc_new(g, OBJ_DOOR, GC_COLOR(doors[0]), -1);
    int d2 = ludus_bab_desc_new(g, OBJ_DOOR, GC_COLOR(doors[1]), -1);
    int mode = grid_rand_small(g->st, 0, 3);
    int a = ludus_bab_action(g, BI_OPEN, d1, -1, strict);
    if (mode > 0) {
        int b = ludus_bab_action(g, BI_OPEN, d2, -1, strict);
        ludus_bab_seq(g, mode == 1 ? BI_BEFORE : BI_AFTER, a, b);
    }
    return LUDUS_OK;
}
BABYAI_LEVEL(ludus_grid_world_babyai_opendoorsorder, "OpenDoorsOrder", lv_opendoorsorder, BABYAI_MISSION_CAP_TWO);

/* ---- other levels ---- */

static int lv_actionobjdoor(bab_gen *g)
{
    gcell objs[9];
    BAB_TRY(ludus_rg_add_distractors(&g->rg, 1, 1, 5, 1, objs, NULL, NULL));
    for (int k = 0; k < 4; k++) objs[5 + k] = ludus_rg_add_door(&g->rg, 1, 1, -1, -1, 0, NULL, NULL);
    BAB_TRY(ludus_rg_place_agent(&g->rg, 1, 1, 1));
    gcell obj = objs[pick(g, 9)];
    int go = grid_rand_bool(g->st);
    return ludus_bab_single(g, go ? BI_GOTO : GC_TYPE(obj) == OBJ_DOOR ? BI_OPEN : BI_PICKUP, obj, 0);
}
BABYAI_LEVEL(ludus_grid_world_babyai_actionobjdoor, "ActionObjDoor", lv_actionobjdoor, BABYAI_MISSION_CAP_SHORT);

static int lv_findobj(bab_gen *g)
{
    gcell obj;
    /* The reference draws the column from num_rows and the row from
     * num_cols (harmless: 3 x 3). */
    int i = grid_rand_small(g->st, 0, g->rg.rows);
    int j = grid_rand_small(g->st, 0, g->rg.cols);
    BAB_TRY(ludus_rg_add_object(&g->rg, i, j, -1, -1, &obj, NULL, NULL));
    BAB_TRY(ludus_rg_place_agent(&g->rg, 1, 1, 1));
    BAB_TRY(ludus_rg_connect_all(&g->rg, NULL, 0));
    ludus_bab_action(g, BI_PICKUP, ludus_bab_desc_new(g, GC_TYPE(obj), -1, -1), -1, 0);
    return LUDUS_OK;
}
BABYAI_LEVEL(ludus_grid_world_babyai_findobj, "FindObj", lv_findobj, BABYAI_MISSION_CAP_SHORT);

static int lv_keycorridor(bab_gen *g)
{
    roomgrid *rg = &g->rg;
    gcell ball;
    for (int j = 1; j < rg->rows; j++) ludus_rg_remove_wall(rg, 1, j, RG_UP);
    int room = grid_rand_small(g->st, 0, rg->rows);
    gcell door = ludus_rg_add_door(rg, 2, room, RG_LEFT, -1, 1, NULL, NULL);
    BAB_TRY(ludus_rg_add_object(rg, 2, room, OBJ_BALL, -1, &ball, NULL, NULL));
    int key_room = grid_rand_small(g->st, 0, rg->rows);
    BAB_TRY(ludus_rg_add_object(rg, 0, key_room, OBJ_KEY, GC_COLOR(door), NULL, NULL, NULL));
    BAB_TRY(ludus_rg_place_agent(rg, 1, rg->rows / 2, 1));
    BAB_TRY(ludus_rg_connect_all(rg, NULL, 0));
    ludus_bab_action(g, BI_PICKUP, ludus_bab_desc_new(g, OBJ_BALL, -1, -1), -1, 0);
    return LUDUS_OK;
}
BABYAI_LEVEL(ludus_grid_world_babyai_keycorridor, "KeyCorridor", lv_keycorridor, BABYAI_MISSION_CAP_SHORT);

static int lv_oneroom(bab_gen *g)
{
    BAB_TRY(ludus_rg_add_object(&g->rg, 0, 0, OBJ_BALL, -1, NULL, NULL, NULL));
    BAB_TRY(ludus_rg_place_agent(&g->rg, -1, -1, 1));
    ludus_bab_action(g, BI_PICKUP, ludus_bab_desc_new(g, OBJ_BALL, -1, -1), -1, 0);
    return LUDUS_OK;
}
BABYAI_LEVEL(ludus_grid_world_babyai_oneroom, "OneRoom", lv_oneroom, BABYAI_MISSION_CAP_SHORT);

static int putnext_desc(bab_gen *g, gcell move, gcell fixed)
{
    int m = ludus_bab_desc_new(g, GC_TYPE(move), GC_COLOR(move), -1);
    int f = ludus_bab_desc_new(g, GC_TYPE(fixed), GC_COLOR(fixed), -1);
    return ludus_bab_action(g, BI_PUTNEXT, m, f, 0);
}

/* MoveTwoAcross: p[3] objects per room. */
static int lv_movetwoacross(bab_gen *g)
{
    const int n = g->s->p[3];
    gcell l[9], r[9];
    int li[9], ri[9];
    BAB_TRY(ludus_rg_place_agent(&g->rg, 0, 0, 1));
    BAB_TRY(ludus_rg_add_distractors(&g->rg, 0, 0, n, 1, l, NULL, NULL));
    BAB_TRY(ludus_rg_add_distractors(&g->rg, 1, 0, n, 1, r, NULL, NULL));
    ludus_rg_remove_wall(&g->rg, 0, 0, RG_RIGHT);
    for (int k = 0; k < n; k++) li[k] = ri[k] = k;
    ludus_rg_rand_subset(g->st, li, n, 2);
    ludus_rg_rand_subset(g->st, ri, n, 2);
    int a = putnext_desc(g, l[li[0]], r[ri[0]]);
    int b = putnext_desc(g, r[ri[1]], l[li[1]]);
    ludus_bab_seq(g, BI_BEFORE, a, b);
    return LUDUS_OK;
}
BABYAI_LEVEL(ludus_grid_world_babyai_movetwoacross, "MoveTwoAcross", lv_movetwoacross, BABYAI_MISSION_CAP_TWO);

/* ---- Pickup family ---- */

/* Pickup (p[3] = 0) and UnblockPickup (p[3] = 1): p[4] distractors. */
static int lv_pickup(bab_gen *g)
{
    gcell dists[MAX_DISTS];
    const int n = g->s->p[4];
    BAB_TRY(ludus_rg_place_agent(&g->rg, -1, -1, 1));
    BAB_TRY(ludus_rg_connect_all(&g->rg, NULL, 0));
    BAB_TRY(ludus_rg_add_distractors(&g->rg, -1, -1, n, 0, dists, NULL, NULL));
    int reachable = ludus_bab_reachable_final(g);
    if (g->s->p[3] ? reachable : !reachable) return BAB_REJECT;
    return ludus_bab_single(g, BI_PICKUP, dists[pick(g, n)], 0);
}
BABYAI_LEVEL(ludus_grid_world_babyai_pickup, "Pickup", lv_pickup, BABYAI_MISSION_CAP_SHORT);

/* PickupDist: p[3] debug (strict). */
static int lv_pickupdist(bab_gen *g)
{
    gcell objs[5];
    BAB_TRY(ludus_rg_add_distractors(&g->rg, -1, -1, 5, 1, objs, NULL, NULL));
    BAB_TRY(ludus_rg_place_agent(&g->rg, 0, 0, 1));
    gcell obj = objs[pick(g, 5)];
    int type = GC_TYPE(obj), color = GC_COLOR(obj);
    int select_by = grid_rand_small(g->st, 0, 3); /* type, color, both */
    if (select_by == 1) type = -1;
    else if (select_by == 0) color = -1;
    ludus_bab_action(g, BI_PICKUP, ludus_bab_desc_new(g, type, color, -1), -1, g->s->p[3]);
    return LUDUS_OK;
}
BABYAI_LEVEL(ludus_grid_world_babyai_pickupdist, "PickupDist", lv_pickupdist, BABYAI_MISSION_CAP_SHORT);

static int lv_pickupabove(bab_gen *g)
{
    gcell obj;
    BAB_TRY(ludus_rg_add_object(&g->rg, 1, 0, -1, -1, &obj, NULL, NULL));
    ludus_rg_add_door(&g->rg, 1, 1, RG_UP, -1, 0, NULL, NULL);
    BAB_TRY(ludus_rg_place_agent(&g->rg, 1, 1, 1));
    BAB_TRY(ludus_rg_connect_all(&g->rg, NULL, 0));
    return ludus_bab_single(g, BI_PICKUP, obj, 0);
}
BABYAI_LEVEL(ludus_grid_world_babyai_pickupabove, "PickupAbove", lv_pickupabove, BABYAI_MISSION_CAP_SHORT);

/* ---- PutNext family ---- */

/* PutNextLocal: p[3] objects. */
static int lv_putnextlocal(bab_gen *g)
{
    gcell objs[MAX_DISTS];
    int idx[MAX_DISTS];
    const int n = g->s->p[3];
    BAB_TRY(ludus_rg_place_agent(&g->rg, -1, -1, 1));
    BAB_TRY(ludus_rg_add_distractors(&g->rg, -1, -1, n, 1, objs, NULL, NULL));
    if (!ludus_bab_reachable_final(g)) return BAB_REJECT;
    for (int k = 0; k < n; k++) idx[k] = k;
    ludus_rg_rand_subset(g->st, idx, n, 2);
    putnext_desc(g, objs[idx[0]], objs[idx[1]]);
    return LUDUS_OK;
}
BABYAI_LEVEL(ludus_grid_world_babyai_putnextlocal, "PutNextLocal", lv_putnextlocal, BABYAI_MISSION_CAP_SHORT);

/* PutNext: p[3] objects per room, p[4] start carrying the object to move. */
static int lv_putnext(bab_gen *g)
{
    const int n = g->s->p[3];
    gcell l[9], r[9];
    int8_t lx[9], ly[9], rx[9], ry[9];
    BAB_TRY(ludus_rg_place_agent(&g->rg, 0, 0, 1));
    BAB_TRY(ludus_rg_add_distractors(&g->rg, 0, 0, n, 1, l, lx, ly));
    BAB_TRY(ludus_rg_add_distractors(&g->rg, 1, 0, n, 1, r, rx, ry));
    ludus_rg_remove_wall(&g->rg, 0, 0, RG_RIGHT);
    int ia = pick(g, n);
    int ib = pick(g, n);
    gcell a = l[ia], b = r[ib];
    int ax = lx[ia], ay = ly[ia];
    if (grid_rand_bool(g->st)) {
        a = r[ib];
        b = l[ia];
        ax = rx[ib];
        ay = ry[ib];
    }
    if (g->s->p[4]) {
        g->start_carry = 1;
        g->carry_obj = a;
        g->carry_x = ax;
        g->carry_y = ay;
    }
    putnext_desc(g, a, b);
    return LUDUS_OK;
}
BABYAI_LEVEL(ludus_grid_world_babyai_putnext, "PutNext", lv_putnext, BABYAI_MISSION_CAP_SHORT);

/* ---- Unlock family ---- */

static int lv_unlock(bab_gen *g)
{
    gcell door;
    int li, lj;
    BAB_TRY(locked_room_with_key(g, &door, &li, &lj));
    if (grid_rand_bool(g->st)) {
        uint8_t colors[5];
        int n = 0;
        for (int k = 0; k < 6; k++)
            if (ludus_grid_color_names[k] != GC_COLOR(door)) colors[n++] = ludus_grid_color_names[k];
        BAB_TRY(ludus_rg_connect_all(&g->rg, colors, n));
    } else {
        BAB_TRY(ludus_rg_connect_all(&g->rg, NULL, 0));
    }
    for (int i = 0; i < g->rg.cols; i++) /* every room: see locked_room_with_key */
        for (int j = 0; j < g->rg.rows; j++) BAB_TRY(ludus_rg_add_distractors(&g->rg, i, j, 3, 0, NULL, NULL, NULL));
    BAB_TRY(place_agent_outside(g, li, lj));
    if (!ludus_bab_reachable_final(g)) return BAB_REJECT;
    return ludus_bab_single(g, BI_OPEN, door, 0);
}
BABYAI_LEVEL(ludus_grid_world_babyai_unlock, "Unlock", lv_unlock, BABYAI_MISSION_CAP_SHORT);

/* UnlockLocal: p[3] distractors. */
static int lv_unlocklocal(bab_gen *g)
{
    gcell door = ludus_rg_add_door(&g->rg, 1, 1, -1, -1, 1, NULL, NULL);
    BAB_TRY(ludus_rg_add_object(&g->rg, 1, 1, OBJ_KEY, GC_COLOR(door), NULL, NULL, NULL));
    if (g->s->p[3]) BAB_TRY(ludus_rg_add_distractors(&g->rg, 1, 1, 3, 1, NULL, NULL, NULL));
    BAB_TRY(ludus_rg_place_agent(&g->rg, 1, 1, 1));
    ludus_bab_action(g, BI_OPEN, ludus_bab_desc_new(g, OBJ_DOOR, -1, -1), -1, 0);
    return LUDUS_OK;
}
BABYAI_LEVEL(ludus_grid_world_babyai_unlocklocal, "UnlockLocal", lv_unlocklocal, BABYAI_MISSION_CAP_SHORT);

static int lv_keyinbox(bab_gen *g)
{
    grid_state *st = g->st;
    gcell door = ludus_rg_add_door(&g->rg, 1, 1, -1, -1, 1, NULL, NULL);
    gcell key = grid_new_obj(st, OBJ_KEY, GC_COLOR(door), 0);
    gcell box = grid_new_obj(st, OBJ_BOX, grid_rand_color(st), 0);
    st->contents[GC_ID(box)] = key;
    BAB_TRY(ludus_rg_place_in_room(&g->rg, 1, 1, box, NULL, NULL));
    BAB_TRY(ludus_rg_place_agent(&g->rg, 1, 1, 1));
    ludus_bab_action(g, BI_OPEN, ludus_bab_desc_new(g, OBJ_DOOR, -1, -1), -1, 0);
    return LUDUS_OK;
}
BABYAI_LEVEL(ludus_grid_world_babyai_keyinbox, "KeyInBox", lv_keyinbox, BABYAI_MISSION_CAP_SHORT);

/* UnlockPickup: p[3] distractors. */
static int lv_unlockpickup(bab_gen *g)
{
    gcell box;
    BAB_TRY(ludus_rg_add_object(&g->rg, 1, 0, OBJ_BOX, -1, &box, NULL, NULL));
    gcell door = ludus_rg_add_door(&g->rg, 0, 0, RG_RIGHT, -1, 1, NULL, NULL);
    BAB_TRY(ludus_rg_add_object(&g->rg, 0, 0, OBJ_KEY, GC_COLOR(door), NULL, NULL, NULL));
    if (g->s->p[3]) BAB_TRY(ludus_rg_add_distractors(&g->rg, -1, -1, 4, 1, NULL, NULL, NULL));
    BAB_TRY(ludus_rg_place_agent(&g->rg, 0, 0, 1));
    return ludus_bab_single(g, BI_PICKUP, box, 0);
}
BABYAI_LEVEL(ludus_grid_world_babyai_unlockpickup, "UnlockPickup", lv_unlockpickup, BABYAI_MISSION_CAP_SHORT);

static int lv_blockedunlockpickup(bab_gen *g)
{
    gcell box;
    int dx, dy;
    BAB_TRY(ludus_rg_add_object(&g->rg, 1, 0, OBJ_BOX, -1, &box, NULL, NULL));
    gcell door = ludus_rg_add_door(&g->rg, 0, 0, RG_RIGHT, -1, 1, &dx, &dy);
    int color = grid_rand_color(g->st);
    grid_set(g->s, g->st, dx - 1, dy, grid_new_obj(g->st, OBJ_BALL, color, 0));
    BAB_TRY(ludus_rg_add_object(&g->rg, 0, 0, OBJ_KEY, GC_COLOR(door), NULL, NULL, NULL));
    BAB_TRY(ludus_rg_place_agent(&g->rg, 0, 0, 1));
    ludus_bab_action(g, BI_PICKUP, ludus_bab_desc_new(g, OBJ_BOX, -1, -1), -1, 0);
    return LUDUS_OK;
}
BABYAI_LEVEL(ludus_grid_world_babyai_blockedunlockpickup, "BlockedUnlockPickup", lv_blockedunlockpickup,
             BABYAI_MISSION_CAP_SHORT);

static int lv_unlocktounlock(bab_gen *g)
{
    int colors[6] = {COL_BLUE, COL_GREEN, COL_GREY, COL_PURPLE, COL_RED, COL_YELLOW};
    ludus_rg_rand_subset(g->st, colors, 6, 2);
    ludus_rg_add_door(&g->rg, 0, 0, RG_RIGHT, colors[0], 1, NULL, NULL);
    BAB_TRY(ludus_rg_add_object(&g->rg, 2, 0, OBJ_KEY, colors[0], NULL, NULL, NULL));
    ludus_rg_add_door(&g->rg, 1, 0, RG_RIGHT, colors[1], 1, NULL, NULL);
    BAB_TRY(ludus_rg_add_object(&g->rg, 1, 0, OBJ_KEY, colors[1], NULL, NULL, NULL));
    BAB_TRY(ludus_rg_add_object(&g->rg, 0, 0, OBJ_BALL, -1, NULL, NULL, NULL));
    BAB_TRY(ludus_rg_place_agent(&g->rg, 1, 0, 1));
    ludus_bab_action(g, BI_PICKUP, ludus_bab_desc_new(g, OBJ_BALL, -1, -1), -1, 0);
    return LUDUS_OK;
}
BABYAI_LEVEL(ludus_grid_world_babyai_unlocktounlock, "UnlockToUnlock", lv_unlocktounlock, BABYAI_MISSION_CAP_SHORT);
