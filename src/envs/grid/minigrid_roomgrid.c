/* minigrid_roomgrid.c: the MiniGrid worlds built on RoomGrid: KeyCorridor,
 * Unlock, UnlockPickup, BlockedUnlockPickup and the ObstructedMaze family
 * (spec/minigrid.md §9). Their success rules compare object identity (the
 * reference has no __eq__), so the target's id lives in the world's extra
 * state and "carrying the target" is an id compare.
 */
#include "roomgrid.h"

typedef struct target_extra {
    uint8_t target_id;       /* pickup worlds: the object to carry */
    int8_t door_x, door_y;   /* Unlock: the door that must end up open */
} target_extra;

static void set_mission_obj(const grid_spec *s, grid_state *st, gcell obj)
{
    char m[64];
    strbuf sb = sb_make(m, sizeof m);
    ludus_sb_printf(&sb, "pick up the %s %s", ludus_grid_color_str[GC_COLOR(obj)], ludus_grid_type_str[GC_TYPE(obj)]);
    ludus_grid_set_mission(s, st, m);
}

/* After a pickup action, carrying the target is a success. */
static void step_pickup_target(const grid_spec *s, grid_state *st, int action, ludus_step_out *out)
{
    const target_extra *ex = grid_extra_c(s, st);
    ludus_grid_core_step(s, st, action, out);
    if (action == ACT_PICKUP && st->carrying != GC_EMPTY && GC_ID(st->carrying) == ex->target_id) {
        out->reward = ludus_grid_success_reward(st);
        out->terminated = 1;
    }
}

/* Every world here: the target id and the door cell (0, 0 where unused). */
static int check_target(const grid_spec *s, const grid_state *st)
{
    const target_extra *ex = grid_extra_c(s, st);
    if (ex->target_id >= GRID_MAX_OBJS) return ludus_err_set(LUDUS_EFORMAT, "target id %d", ex->target_id);
    return ludus_grid_check_pos(s, "the door", ex->door_x, ex->door_y);
}

/* ---- KeyCorridor: p[0] room size, p[1] rows, p[2] columns (3) ---- */
static int gen_keycorridor(const grid_spec *s, grid_state *st)
{
    roomgrid rg;
    target_extra *ex = grid_extra(s, st);
    ludus_rg_init(&rg, s, st);
    for (int j = 1; j < rg.rows; j++) ludus_rg_remove_wall(&rg, 1, j, RG_UP);
    int room = grid_rand_small(st, 0, rg.rows);
    gcell door = ludus_rg_add_door(&rg, 2, room, RG_LEFT, -1, 1, NULL, NULL);
    gcell ball;
    int rc = ludus_rg_add_object(&rg, 2, room, OBJ_BALL, -1, &ball, NULL, NULL);
    if (rc) return rc;
    int key_room = grid_rand_small(st, 0, rg.rows);
    rc = ludus_rg_add_object(&rg, 0, key_room, OBJ_KEY, GC_COLOR(door), NULL, NULL, NULL);
    if (rc) return rc;
    rc = ludus_rg_place_agent(&rg, 1, rg.rows / 2, 1);
    if (rc) return rc;
    rc = ludus_rg_connect_all(&rg, NULL, 0);
    if (rc) return rc;
    ex->target_id = (uint8_t)GC_ID(ball);
    set_mission_obj(s, st, ball);
    return LUDUS_OK;
}
const grid_world ludus_grid_world_keycorridor = {"KeyCorridor", sizeof(target_extra), 32, 7, gen_keycorridor,
                                           step_pickup_target, NULL, ludus_rg_layout, check_target};

/* ---- Unlock (1 x 2 rooms of size 6) ---- */
static int gen_unlock(const grid_spec *s, grid_state *st)
{
    roomgrid rg;
    target_extra *ex = grid_extra(s, st);
    ludus_rg_init(&rg, s, st);
    int dx, dy;
    gcell door = ludus_rg_add_door(&rg, 0, 0, RG_RIGHT, -1, 1, &dx, &dy);
    int rc = ludus_rg_add_object(&rg, 0, 0, OBJ_KEY, GC_COLOR(door), NULL, NULL, NULL);
    if (rc) return rc;
    rc = ludus_rg_place_agent(&rg, 0, 0, 1);
    if (rc) return rc;
    ex->door_x = (int8_t)dx;
    ex->door_y = (int8_t)dy;
    ludus_grid_set_mission(s, st, "open the door");
    return LUDUS_OK;
}

/* After a toggle action (on anything), the door being open is a success. */
static void step_unlock(const grid_spec *s, grid_state *st, int action, ludus_step_out *out)
{
    const target_extra *ex = grid_extra_c(s, st);
    ludus_grid_core_step(s, st, action, out);
    if (action == ACT_TOGGLE && GC_STATE(grid_get(s, st, ex->door_x, ex->door_y)) == DOOR_OPEN) {
        out->reward = ludus_grid_success_reward(st);
        out->terminated = 1;
    }
}
const grid_world ludus_grid_world_unlock = {"Unlock", sizeof(target_extra), 16, 7, gen_unlock, step_unlock, NULL, ludus_rg_layout,
                                            check_target};

/* ---- UnlockPickup and BlockedUnlockPickup: p[3] = a ball blocks the door ---- */
static int gen_unlockpickup(const grid_spec *s, grid_state *st)
{
    roomgrid rg;
    target_extra *ex = grid_extra(s, st);
    ludus_rg_init(&rg, s, st);
    gcell box;
    int rc = ludus_rg_add_object(&rg, 1, 0, OBJ_BOX, -1, &box, NULL, NULL);
    if (rc) return rc;
    int dx, dy;
    gcell door = ludus_rg_add_door(&rg, 0, 0, RG_RIGHT, -1, 1, &dx, &dy);
    if (s->p[3]) {
        int color = grid_rand_color(st);
        grid_set(s, st, dx - 1, dy, grid_new_obj(st, OBJ_BALL, color, 0));
    }
    rc = ludus_rg_add_object(&rg, 0, 0, OBJ_KEY, GC_COLOR(door), NULL, NULL, NULL);
    if (rc) return rc;
    rc = ludus_rg_place_agent(&rg, 0, 0, 1);
    if (rc) return rc;
    ex->target_id = (uint8_t)GC_ID(box);
    set_mission_obj(s, st, box);
    return LUDUS_OK;
}
const grid_world ludus_grid_world_unlockpickup = {"UnlockPickup", sizeof(target_extra), 32, 7, gen_unlockpickup,
                                            step_pickup_target, NULL, ludus_rg_layout, check_target};

/* ---- ObstructedMaze ----
 * p[3] key in a box, p[4] doors blocked by a ball, p[5] quarters (0: the
 * 1x2 "1D" layout), p[6] agent room as i * 3 + j, p[7] v1 key order. */
#define OM_TARGET_COLOR COL_BLUE   /* COLOR_NAMES[0] */
#define OM_BLOCKER_COLOR COL_GREEN /* COLOR_NAMES[1] */
#define OM_BOX_COLOR COL_GREY      /* COLOR_NAMES[2] */

/* The key of a locked door (in a grey box when key_in_box), in room (i, j). */
static int om_add_key(const grid_spec *s, roomgrid *rg, int i, int j, int color)
{
    grid_state *st = rg->st;
    gcell obj = grid_new_obj(st, OBJ_KEY, color, 0);
    if (s->p[3]) {
        gcell box = grid_new_obj(st, OBJ_BOX, OM_BOX_COLOR, 0);
        st->contents[GC_ID(box)] = obj;
        obj = box;
    }
    return ludus_rg_place_in_room(rg, i, j, obj, NULL, NULL);
}

/* ObstructedMazeEnv.add_door: a door, its blocking ball inside room (i, j)
 * (overwriting whatever is there), and unless `defer_key`, its key. */
static int om_add_door(const grid_spec *s, roomgrid *rg, int i, int j, int idx, int color, int locked,
                       int defer_key)
{
    int dx, dy;
    ludus_rg_add_door(rg, i, j, idx, color, locked, &dx, &dy);
    if (s->p[4] && locked)
        grid_set(s, rg->st, dx - ludus_grid_dir_vec[idx][0], dy - ludus_grid_dir_vec[idx][1],
                 grid_new_obj(rg->st, OBJ_BALL, OM_BLOCKER_COLOR, 0));
    if (locked && !defer_key) return om_add_key(s, rg, i, j, color);
    return LUDUS_OK;
}

static int gen_obstructed(const grid_spec *s, grid_state *st)
{
    roomgrid rg;
    target_extra *ex = grid_extra(s, st);
    ludus_rg_init(&rg, s, st);
    int door_colors[6] = {COL_BLUE, COL_GREEN, COL_GREY, COL_PURPLE, COL_RED, COL_YELLOW};
    ludus_rg_rand_subset(st, door_colors, 6, 6);
    gcell ball;
    int rc;
    const int quarters = s->p[5], v1 = s->p[7];
    if (quarters == 0) {
        rc = om_add_door(s, &rg, 0, 0, RG_RIGHT, door_colors[0], 1, 0);
        if (rc) return rc;
        rc = ludus_rg_add_object(&rg, 1, 0, OBJ_BALL, OM_TARGET_COLOR, &ball, NULL, NULL);
        if (rc) return rc;
        rc = ludus_rg_place_agent(&rg, 0, 0, 1);
        if (rc) return rc;
    } else {
        static const int side[4][2] = {{2, 1}, {1, 2}, {0, 1}, {1, 0}};
        static const int corner[4][2] = {{2, 0}, {2, 2}, {0, 2}, {0, 0}};
        for (int q = 0; q < quarters; q++) {
            rc = om_add_door(s, &rg, 1, 1, q, door_colors[q], 0, 0);
            if (rc) return rc;
            for (int k = -1; k <= 1; k += 2) {
                rc = om_add_door(s, &rg, side[q][0], side[q][1], (q + k + 4) % 4, door_colors[(q + k + 6) % 6],
                                 1, v1);
                if (rc) return rc;
            }
            for (int k = -1; v1 && k <= 1; k += 2) {
                rc = om_add_key(s, &rg, side[q][0], side[q][1], door_colors[(q + k + 6) % 6]);
                if (rc) return rc;
            }
        }
        int c = grid_rand_small(st, 0, quarters);
        rc = ludus_rg_add_object(&rg, corner[c][0], corner[c][1], OBJ_BALL, OM_TARGET_COLOR, &ball, NULL, NULL);
        if (rc) return rc;
        rc = ludus_rg_place_agent(&rg, s->p[6] / 3, s->p[6] % 3, 1);
        if (rc) return rc;
    }
    ex->target_id = (uint8_t)GC_ID(ball);
    ludus_grid_set_mission(s, st, "pick up the blue ball");
    return LUDUS_OK;
}
const grid_world ludus_grid_world_obstructed = {"ObstructedMaze", sizeof(target_extra), 32, 7, gen_obstructed,
                                          step_pickup_target, NULL, ludus_rg_layout, check_target};
