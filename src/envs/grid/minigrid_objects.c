/* minigrid_objects.c: the single-room MiniGrid worlds whose task names an
 * object: Fetch, GoToDoor, GoToObject and PutNear (spec/minigrid.md §9).
 * The target each world remembers (type and colour, or a position) lives
 * in its extra block of the flat state. Fetch and PutNear match objects by
 * type and colour, as the reference does, so any look-alike counts.
 */
#include <stdio.h>

#include "grid.h"

/* The reference's object-type lists, indexed by a _rand_elem draw. */
static const uint8_t KEY_BALL[2] = {OBJ_KEY, OBJ_BALL};
static const uint8_t KEY_BALL_BOX[3] = {OBJ_KEY, OBJ_BALL, OBJ_BOX};

static int is_adjacent4(int ax, int ay, int tx, int ty)
{
    int dx = ax - tx, dy = ay - ty;
    return (dx == 0 && (dy == 1 || dy == -1)) || (dy == 0 && (dx == 1 || dx == -1));
}

/* ---- Fetch: p[0] = number of objects ---- */
typedef struct fetch_extra {
    uint8_t type, color; /* what counts as the target */
} fetch_extra;

static const char *const FETCH_PHRASES[5] = {"get a", "go get a", "fetch a", "go fetch a",
                                             "you must fetch a"};

static int gen_fetch(const grid_spec *s, grid_state *st)
{
    fetch_extra *ex = grid_extra(s, st);
    int n = s->p[0];
    gcell objs[GRID_MAX_OBJS];
    ludus_grid_wall_rect(s, st, 0, 0, s->width, s->height);
    for (int i = 0; i < n; i++) {
        int type = KEY_BALL[ludus_grid_rand_int(st, 0, 2)];
        int color = grid_rand_color(st);
        objs[i] = grid_new_obj(st, type, color, 0);
        int rc = ludus_grid_place_obj(s, st, objs[i], 0, 0, s->width, s->height, NULL, NULL, -1, NULL, NULL);
        if (rc) return rc;
    }
    int rc = ludus_grid_place_agent(s, st, 0, 0, s->width, s->height, 1, -1);
    if (rc) return rc;
    gcell target = objs[ludus_grid_rand_int(st, 0, n)];
    ex->type = (uint8_t)GC_TYPE(target);
    ex->color = (uint8_t)GC_COLOR(target);
    const char *phrase = FETCH_PHRASES[ludus_grid_rand_int(st, 0, 5)];
    snprintf(grid_mission(s, st), s->world->mission_cap, "%s %s %s", phrase,
             ludus_grid_color_str[ex->color], ludus_grid_type_str[ex->type]);
    return LUDUS_OK;
}

/* Holding anything ends the episode; only a look-alike of the target pays. */
static void step_fetch(const grid_spec *s, grid_state *st, int action, ludus_step_out *out)
{
    const fetch_extra *ex = grid_extra(s, st);
    ludus_grid_core_step(s, st, action, out);
    if (st->carrying != GC_EMPTY) {
        int match = GC_TYPE(st->carrying) == ex->type && GC_COLOR(st->carrying) == ex->color;
        out->reward = match ? ludus_grid_success_reward(st) : 0.0;
        out->terminated = 1;
    }
}
/* A target's type and colour, as the missions name them. */
static int check_kind(const char *what, int type, int color)
{
    if (type < OBJ_WALL || type > OBJ_LAVA || color > COL_GREY)
        return ludus_err_set(LUDUS_EFORMAT, "%s is type %d, colour %d", what, type, color);
    return LUDUS_OK;
}

static int check_fetch(const grid_spec *s, const grid_state *st)
{
    const fetch_extra *ex = grid_extra_c(s, st);
    return check_kind("the target", ex->type, ex->color);
}
const grid_world ludus_grid_world_fetch = {"Fetch", sizeof(fetch_extra), 32, 7, gen_fetch, step_fetch, NULL, NULL,
                                           check_fetch};

/* ---- GoToDoor and GoToObject share their step rule ---- */
typedef struct goto_extra {
    uint8_t x, y; /* the target's position at generation */
} goto_extra;

/* Toggle ends the episode for nothing; done ends it and pays when the
 * agent stands next to the target (facing it is not required). */
static void step_goto(const grid_spec *s, grid_state *st, int action, ludus_step_out *out)
{
    const goto_extra *ex = grid_extra(s, st);
    ludus_grid_core_step(s, st, action, out);
    if (action == ACT_TOGGLE) out->terminated = 1;
    if (action == ACT_DONE) {
        if (is_adjacent4(st->agent_x, st->agent_y, ex->x, ex->y)) out->reward = ludus_grid_success_reward(st);
        out->terminated = 1;
    }
}

/* GoToDoor: a room of random size inside the grid, one door per wall. */
static int gen_gotodoor(const grid_spec *s, grid_state *st)
{
    goto_extra *ex = grid_extra(s, st);
    int w = (int)ludus_grid_rand_int(st, 5, s->width + 1);
    int h = (int)ludus_grid_rand_int(st, 5, s->height + 1);
    ludus_grid_wall_rect(s, st, 0, 0, w, h);
    int dx[4], dy[4], color[4];
    dx[0] = (int)ludus_grid_rand_int(st, 2, w - 2);
    dy[0] = 0;
    dx[1] = (int)ludus_grid_rand_int(st, 2, w - 2);
    dy[1] = h - 1;
    dx[2] = 0;
    dy[2] = (int)ludus_grid_rand_int(st, 2, h - 2);
    dx[3] = w - 1;
    dy[3] = (int)ludus_grid_rand_int(st, 2, h - 2);
    for (int n = 0; n < 4;) {
        int c = grid_rand_color(st), dup = 0;
        for (int k = 0; k < n; k++) dup |= color[k] == c;
        if (!dup) color[n++] = c;
    }
    for (int i = 0; i < 4; i++) grid_set(s, st, dx[i], dy[i], grid_new_obj(st, OBJ_DOOR, color[i], DOOR_CLOSED));
    int rc = ludus_grid_place_agent(s, st, 0, 0, w, h, 1, -1);
    if (rc) return rc;
    int t = (int)ludus_grid_rand_int(st, 0, 4);
    ex->x = (uint8_t)dx[t];
    ex->y = (uint8_t)dy[t];
    snprintf(grid_mission(s, st), s->world->mission_cap, "go to the %s door", ludus_grid_color_str[color[t]]);
    return LUDUS_OK;
}
static int check_goto(const grid_spec *s, const grid_state *st)
{
    const goto_extra *ex = grid_extra_c(s, st);
    return ludus_grid_check_pos(s, "the target", ex->x, ex->y);
}
const grid_world ludus_grid_world_gotodoor = {"GoToDoor", sizeof(goto_extra), 32, 7, gen_gotodoor, step_goto, NULL, NULL,
                                              check_goto};

/* Draw an object type and colour not drawn before (GoToObject, PutNear). */
static gcell new_unique_obj(grid_state *st, const gcell *objs, int n)
{
    for (;;) {
        int type = KEY_BALL_BOX[ludus_grid_rand_int(st, 0, 3)];
        int color = grid_rand_color(st);
        int dup = 0;
        for (int k = 0; k < n; k++) dup |= GC_TYPE(objs[k]) == type && GC_COLOR(objs[k]) == color;
        if (!dup) return grid_new_obj(st, type, color, 0);
    }
}

/* ---- GoToObject: p[0] = number of objects ---- */
static int gen_gotoobject(const grid_spec *s, grid_state *st)
{
    goto_extra *ex = grid_extra(s, st);
    int n = s->p[0], px[GRID_MAX_OBJS], py[GRID_MAX_OBJS];
    gcell objs[GRID_MAX_OBJS];
    ludus_grid_wall_rect(s, st, 0, 0, s->width, s->height);
    for (int i = 0; i < n; i++) {
        objs[i] = new_unique_obj(st, objs, i);
        int rc = ludus_grid_place_obj(s, st, objs[i], 0, 0, s->width, s->height, NULL, NULL, -1, &px[i], &py[i]);
        if (rc) return rc;
    }
    int rc = ludus_grid_place_agent(s, st, 0, 0, s->width, s->height, 1, -1);
    if (rc) return rc;
    int t = (int)ludus_grid_rand_int(st, 0, n);
    ex->x = (uint8_t)px[t];
    ex->y = (uint8_t)py[t];
    snprintf(grid_mission(s, st), s->world->mission_cap, "go to the %s %s", ludus_grid_color_str[GC_COLOR(objs[t])],
             ludus_grid_type_str[GC_TYPE(objs[t])]);
    return LUDUS_OK;
}
const grid_world ludus_grid_world_gotoobject = {"GoToObject", sizeof(goto_extra), 32, 7, gen_gotoobject, step_goto,
                                          NULL, NULL, check_goto};

/* ---- PutNear: p[0] = number of objects ---- */
typedef struct putnear_extra {
    uint8_t move_type, move_color; /* what must be moved (any look-alike) */
    uint8_t target_x, target_y;    /* where the target object started */
} putnear_extra;

typedef struct placed_set {
    int n;
    int x[GRID_MAX_OBJS], y[GRID_MAX_OBJS];
} placed_set;

/* Reject cells within Chebyshev distance 1 of an object placed earlier. */
static int near_placed(const grid_spec *s, const grid_state *st, int x, int y, const void *ctx)
{
    const placed_set *ps = ctx;
    (void)s;
    (void)st;
    for (int k = 0; k < ps->n; k++) {
        int dx = x - ps->x[k], dy = y - ps->y[k];
        if (dx >= -1 && dx <= 1 && dy >= -1 && dy <= 1) return 1;
    }
    return 0;
}

static int gen_putnear(const grid_spec *s, grid_state *st)
{
    putnear_extra *ex = grid_extra(s, st);
    int n = s->p[0];
    gcell objs[GRID_MAX_OBJS];
    placed_set ps = {0};
    ludus_grid_wall_rect(s, st, 0, 0, s->width, s->height);
    for (int i = 0; i < n; i++) {
        objs[i] = new_unique_obj(st, objs, i);
        int rc = ludus_grid_place_obj(s, st, objs[i], 0, 0, s->width, s->height, near_placed, &ps, -1, &ps.x[i],
                                &ps.y[i]);
        if (rc) return rc;
        ps.n++;
    }
    int rc = ludus_grid_place_agent(s, st, 0, 0, s->width, s->height, 1, -1);
    if (rc) return rc;
    int m = (int)ludus_grid_rand_int(st, 0, n), t;
    do t = (int)ludus_grid_rand_int(st, 0, n);
    while (t == m);
    ex->move_type = (uint8_t)GC_TYPE(objs[m]);
    ex->move_color = (uint8_t)GC_COLOR(objs[m]);
    ex->target_x = (uint8_t)ps.x[t];
    ex->target_y = (uint8_t)ps.y[t];
    snprintf(grid_mission(s, st), s->world->mission_cap, "put the %s %s near the %s %s",
             ludus_grid_color_str[ex->move_color], ludus_grid_type_str[ex->move_type], ludus_grid_color_str[GC_COLOR(objs[t])],
             ludus_grid_type_str[GC_TYPE(objs[t])]);
    return LUDUS_OK;
}

/* Picking up a wrong object fails the episode; any drop attempt while
 * holding something ends it, paying only when the held object landed in
 * front within one cell (Chebyshev) of the target's starting cell. */
static void step_putnear(const grid_spec *s, grid_state *st, int action, ludus_step_out *out)
{
    const putnear_extra *ex = grid_extra(s, st);
    gcell held = st->carrying;
    ludus_grid_core_step(s, st, action, out);
    int ox = st->agent_x + ludus_grid_dir_vec[st->agent_dir][0];
    int oy = st->agent_y + ludus_grid_dir_vec[st->agent_dir][1];
    gcell front = grid_front(s, st);
    if (action == ACT_PICKUP && st->carrying != GC_EMPTY &&
        (GC_TYPE(st->carrying) != ex->move_type || GC_COLOR(st->carrying) != ex->move_color))
        out->terminated = 1;
    if (action == ACT_DROP && held != GC_EMPTY) {
        int dx = ox - ex->target_x, dy = oy - ex->target_y;
        if (front == held && dx >= -1 && dx <= 1 && dy >= -1 && dy <= 1)
            out->reward = ludus_grid_success_reward(st);
        out->terminated = 1;
    }
}
static int check_putnear(const grid_spec *s, const grid_state *st)
{
    const putnear_extra *ex = grid_extra_c(s, st);
    int rc = check_kind("the object to move", ex->move_type, ex->move_color);
    return rc ? rc : ludus_grid_check_pos(s, "the target", ex->target_x, ex->target_y);
}
const grid_world ludus_grid_world_putnear = {"PutNear", sizeof(putnear_extra), 64, 7, gen_putnear, step_putnear, NULL,
                                             NULL, check_putnear};
