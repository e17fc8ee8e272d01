/* test_grid_rules.c: the world-specific rules of the MiniGrid worlds that
 * the reference traces reach rarely or never (random actions seldom finish
 * GoToObject, PutNear or LockedRoom). Each test sets the agent up next to
 * the situation a rule is about, by editing a freshly reset state, and
 * checks the reward, flags and grid against spec/minigrid.md §9. A sweep
 * over many seeds then checks each generator's layout invariants.
 */
#include <stdlib.h>

#include "check.h"
#include "envs/env.h"
#include "envs/grid/grid.h"

typedef struct world {
    ludus_env *env;
    const grid_spec *s;
    grid_state *st;
} world;

static int open_world(world *w, const char *id, uint64_t seed)
{
    w->env = NULL;
    w->st = NULL;
    CHECK_OK(ludus_env_make(id, NULL, &w->env));
    if (!w->env) return 0;
    w->s = w->env->impl;
    w->st = ludus_env_state_new(w->env);
    CHECK_OK(ludus_env_reset(w->env, w->st, seed, NULL));
    return 1;
}

static void close_world(world *w)
{
    free(w->st);
    ludus_env_destroy(w->env);
}

static ludus_step_out act(world *w, int action)
{
    ludus_step_out out;
    memset(&out, 0xff, sizeof out);
    CHECK_OK(ludus_env_step(w->env, w->st, action, NULL, &out));
    return out;
}

/* The reward for succeeding on the step just taken. */
static double success_now(const world *w)
{
    return 1.0 - 0.9 * ((double)w->st->step_count / (double)w->st->max_steps);
}

static int color_index(const char *name, size_t n)
{
    for (int c = 0; c < 6; c++)
        if (strlen(ludus_grid_color_str[c]) == n && strncmp(ludus_grid_color_str[c], name, n) == 0) return c;
    return -1;
}

static int type_index(const char *name, size_t n)
{
    for (int t = 0; t < 11; t++)
        if (strlen(ludus_grid_type_str[t]) == n && strncmp(ludus_grid_type_str[t], name, n) == 0) return t;
    return -1;
}

/* Parse "<colour> <type>" at `p`; returns the end or NULL. */
static const char *parse_obj(const char *p, int *color, int *type)
{
    const char *sp = strchr(p, ' ');
    if (!sp) return NULL;
    *color = color_index(p, (size_t)(sp - p));
    const char *q = sp + 1, *e = q;
    while (*e && *e != ' ') e++;
    *type = type_index(q, (size_t)(e - q));
    return *color >= 0 && *type >= 0 ? e : NULL;
}

/* Where the one object of this type and colour is; returns how many. */
static int find(const world *w, int type, int color, int *fx, int *fy)
{
    int n = 0;
    for (int y = 0; y < w->s->height; y++)
        for (int x = 0; x < w->s->width; x++) {
            gcell c = grid_get(w->s, w->st, x, y);
            if (c != GC_EMPTY && GC_TYPE(c) == type && GC_COLOR(c) == color) {
                if (fx) *fx = x;
                if (fy) *fy = y;
                n++;
            }
        }
    return n;
}

/* Put the agent on an empty cell 4-adjacent to (tx, ty), facing it;
 * `skip` candidates are passed over first. Returns 0 if there is none. */
static int stand_next_to(world *w, int tx, int ty, int skip)
{
    for (int d = 0; d < 4; d++) {
        int x = tx - ludus_grid_dir_vec[d][0], y = ty - ludus_grid_dir_vec[d][1];
        if (x <= 0 || y <= 0 || x >= w->s->width - 1 || y >= w->s->height - 1) continue;
        if (grid_get(w->s, w->st, x, y) != GC_EMPTY) continue;
        if (skip-- > 0) continue;
        w->st->agent_x = (int16_t)x;
        w->st->agent_y = (int16_t)y;
        w->st->agent_dir = (uint8_t)d;
        return 1;
    }
    return 0;
}

/* ---- GoToObject and GoToDoor -------------------------------------------- */

static void test_goto(void)
{
    for (uint64_t seed = 0; seed < 5; seed++) {
        world w;
        if (!open_world(&w, "MiniGrid-GoToObject-8x8-N2-v0", seed)) continue;
        int color, type, tx, ty;
        const char *m = ludus_env_mission(w.env, w.st);
        CHECK_MSG(strncmp(m, "go to the ", 10) == 0 && parse_obj(m + 10, &color, &type), "mission '%s'", m);
        CHECK_EQ(find(&w, type, color, &tx, &ty), 1);
        void *start = malloc(w.env->info.state_size);
        memcpy(start, w.st, w.env->info.state_size);

        /* done next to the target pays, facing it or not */
        CHECK(stand_next_to(&w, tx, ty, 0));
        w.st->agent_dir = (uint8_t)((w.st->agent_dir + 2) & 3);
        ludus_step_out o = act(&w, ACT_DONE);
        CHECK(o.terminated && o.success);
        CHECK(o.reward == success_now(&w));

        /* done on a diagonal neighbour fails */
        memcpy(w.st, start, w.env->info.state_size);
        int placed = 0;
        for (int dx = -1; dx <= 1 && !placed; dx += 2)
            for (int dy = -1; dy <= 1 && !placed; dy += 2)
                if (grid_get(w.s, w.st, tx + dx, ty + dy) == GC_EMPTY && tx + dx > 0 && ty + dy > 0) {
                    w.st->agent_x = (int16_t)(tx + dx);
                    w.st->agent_y = (int16_t)(ty + dy);
                    placed = 1;
                }
        if (placed) {
            o = act(&w, ACT_DONE);
            CHECK(o.terminated && !o.success && o.reward == 0.0);
        }

        /* toggle ends the episode for nothing, even facing the target */
        memcpy(w.st, start, w.env->info.state_size);
        CHECK(stand_next_to(&w, tx, ty, 0));
        o = act(&w, ACT_TOGGLE);
        CHECK(o.terminated && o.reward == 0.0);

        /* the target is its starting cell: carrying it away from there
         * still leaves the agent next to where it was */
        memcpy(w.st, start, w.env->info.state_size);
        CHECK(stand_next_to(&w, tx, ty, 0));
        o = act(&w, ACT_PICKUP);
        CHECK(!o.terminated && w.st->carrying != GC_EMPTY);
        CHECK_EQ(grid_get(w.s, w.st, tx, ty), GC_EMPTY);
        o = act(&w, ACT_DONE);
        CHECK(o.terminated && o.success);
        free(start);
        close_world(&w);
    }

    world w;
    if (open_world(&w, "MiniGrid-GoToDoor-8x8-v0", 3)) {
        int color, type, tx, ty;
        const char *m = ludus_env_mission(w.env, w.st);
        CHECK_MSG(strncmp(m, "go to the ", 10) == 0 && parse_obj(m + 10, &color, &type) && type == OBJ_DOOR,
                  "mission '%s'", m);
        CHECK_EQ(find(&w, OBJ_DOOR, color, &tx, &ty), 1);
        CHECK(stand_next_to(&w, tx, ty, 0));
        ludus_step_out o = act(&w, ACT_TOGGLE);
        CHECK(o.terminated && o.reward == 0.0);
        CHECK_EQ(GC_STATE(grid_get(w.s, w.st, tx, ty)), DOOR_OPEN); /* the toggle still happened */
        close_world(&w);
    }
}

/* ---- PutNear ------------------------------------------------------------ */

typedef struct putnear_case {
    world w;
    int mx, my, mtype, mcolor; /* the object to move */
    int tx, ty;                /* the target object */
} putnear_case;

static int open_putnear(putnear_case *c, uint64_t seed)
{
    if (!open_world(&c->w, "MiniGrid-PutNear-8x8-N3-v0", seed)) return 0;
    const char *m = ludus_env_mission(c->w.env, c->w.st);
    int tcolor, ttype;
    const char *p = strncmp(m, "put the ", 8) == 0 ? parse_obj(m + 8, &c->mcolor, &c->mtype) : NULL;
    p = p && strncmp(p, " near the ", 10) == 0 ? parse_obj(p + 10, &tcolor, &ttype) : NULL;
    CHECK_MSG(p && *p == 0, "mission '%s'", m);
    if (!p) return 0;
    CHECK_EQ(find(&c->w, c->mtype, c->mcolor, &c->mx, &c->my), 1);
    CHECK_EQ(find(&c->w, ttype, tcolor, &c->tx, &c->ty), 1);
    return 1;
}

/* Hold the move object and stand so that the cell in front is empty and
 * within (near) or beyond (far) one cell of the target. */
static int hold_and_face(putnear_case *c, int near)
{
    world *w = &c->w;
    w->st->carrying = grid_get(w->s, w->st, c->mx, c->my);
    grid_set(w->s, w->st, c->mx, c->my, GC_EMPTY);
    for (int y = 1; y < w->s->height - 1; y++)
        for (int x = 1; x < w->s->width - 1; x++)
            for (int d = 0; d < 4; d++) {
                int fx = x + ludus_grid_dir_vec[d][0], fy = y + ludus_grid_dir_vec[d][1];
                int cheb = abs(fx - c->tx) > abs(fy - c->ty) ? abs(fx - c->tx) : abs(fy - c->ty);
                if ((near ? cheb > 1 : cheb <= 1) || grid_get(w->s, w->st, x, y) != GC_EMPTY ||
                    grid_get(w->s, w->st, fx, fy) != GC_EMPTY)
                    continue;
                w->st->agent_x = (int16_t)x;
                w->st->agent_y = (int16_t)y;
                w->st->agent_dir = (uint8_t)d;
                return 1;
            }
    return 0;
}

static void test_putnear(void)
{
    for (uint64_t seed = 0; seed < 5; seed++) {
        putnear_case c;
        if (!open_putnear(&c, seed)) continue;
        CHECK(hold_and_face(&c, 1));
        gcell held = c.w.st->carrying;
        ludus_step_out o = act(&c.w, ACT_DROP);
        CHECK(o.terminated && o.success && o.reward == success_now(&c.w));
        CHECK_EQ(c.w.st->carrying, GC_EMPTY);
        int fx = c.w.st->agent_x + ludus_grid_dir_vec[c.w.st->agent_dir][0];
        int fy = c.w.st->agent_y + ludus_grid_dir_vec[c.w.st->agent_dir][1];
        CHECK_EQ(grid_get(c.w.s, c.w.st, fx, fy), held);
        close_world(&c.w);

        /* a drop far from the target ends the episode with nothing */
        if (!open_putnear(&c, seed)) continue;
        CHECK(hold_and_face(&c, 0));
        o = act(&c.w, ACT_DROP);
        CHECK(o.terminated && !o.success && o.reward == 0.0);
        close_world(&c.w);

        /* a drop that cannot happen (a wall in front) also ends it */
        if (!open_putnear(&c, seed)) continue;
        CHECK(hold_and_face(&c, 1));
        c.w.st->agent_x = 1;
        c.w.st->agent_y = 1;
        c.w.st->agent_dir = 3;
        held = c.w.st->carrying;
        o = act(&c.w, ACT_DROP);
        CHECK(o.terminated && o.reward == 0.0);
        CHECK_EQ(c.w.st->carrying, held);
        close_world(&c.w);

        /* picking up the move object goes on; a wrong object fails */
        if (!open_putnear(&c, seed)) continue;
        CHECK(stand_next_to(&c.w, c.mx, c.my, 0));
        o = act(&c.w, ACT_PICKUP);
        CHECK(!o.terminated && c.w.st->carrying != GC_EMPTY);
        close_world(&c.w);
        if (!open_putnear(&c, seed)) continue;
        CHECK(stand_next_to(&c.w, c.tx, c.ty, 0));
        o = act(&c.w, ACT_PICKUP);
        CHECK(o.terminated && o.reward == 0.0 && c.w.st->carrying != GC_EMPTY);
        close_world(&c.w);
    }
}

/* ---- Fetch: any object of the target's type and colour counts ----------- */

static void test_fetch(void)
{
    for (uint64_t seed = 0; seed < 5; seed++) {
        world w;
        if (!open_world(&w, "MiniGrid-Fetch-8x8-N3-v0", seed)) continue;
        const char *m = ludus_env_mission(w.env, w.st);
        const char *p = strstr(m, " a ");
        int color, type;
        CHECK_MSG(p && parse_obj(p + 3, &color, &type), "mission '%s'", m);
        if (!p) {
            close_world(&w);
            continue;
        }
        void *start = malloc(w.env->info.state_size);
        memcpy(start, w.st, w.env->info.state_size);

        /* a fresh look-alike (another object, same type and colour) pays */
        gcell twin = grid_new_obj(w.st, type, color, 0);
        w.st->agent_x = 1;
        w.st->agent_y = 1;
        w.st->agent_dir = 0;
        grid_set(w.s, w.st, 2, 1, twin);
        ludus_step_out o = act(&w, ACT_PICKUP);
        CHECK(o.terminated && o.success && o.reward == success_now(&w));
        CHECK_EQ(w.st->carrying, twin);

        /* anything else ends the episode with nothing */
        memcpy(w.st, start, w.env->info.state_size);
        w.st->agent_x = 1;
        w.st->agent_y = 1;
        w.st->agent_dir = 1;
        grid_set(w.s, w.st, 1, 2, grid_new_obj(w.st, type == OBJ_KEY ? OBJ_BALL : OBJ_KEY, color, 0));
        o = act(&w, ACT_PICKUP);
        CHECK(o.terminated && !o.success && o.reward == 0.0);
        memcpy(w.st, start, w.env->info.state_size);
        w.st->agent_x = 1;
        w.st->agent_y = 1;
        w.st->agent_dir = 1;
        grid_set(w.s, w.st, 1, 2, grid_new_obj(w.st, type, color == COL_RED ? COL_BLUE : COL_RED, 0));
        o = act(&w, ACT_PICKUP);
        CHECK(o.terminated && !o.success && o.reward == 0.0);
        free(start);
        close_world(&w);
    }
}

/* ---- RedBlueDoors -------------------------------------------------------- */

static void test_redbluedoors(void)
{
    world w;
    for (uint64_t seed = 0; seed < 3; seed++) {
        if (!open_world(&w, "MiniGrid-RedBlueDoors-8x8-v0", seed)) continue;
        int rx = -1, ry = -1, bx = -1, by = -1;
        int found = find(&w, OBJ_DOOR, COL_RED, &rx, &ry) == 1 && find(&w, OBJ_DOOR, COL_BLUE, &bx, &by) == 1;
        CHECK_MSG(found, "RedBlueDoors seed %d: the two doors were not found", (int)seed);
        if (!found) continue;
        void *start = malloc(w.env->info.state_size);
        memcpy(start, w.st, w.env->info.state_size);

        /* blue first fails */
        CHECK(stand_next_to(&w, bx, by, 0));
        ludus_step_out o = act(&w, ACT_TOGGLE);
        CHECK(o.terminated && o.reward == 0.0);

        /* red, then blue succeeds */
        memcpy(w.st, start, w.env->info.state_size);
        CHECK(stand_next_to(&w, rx, ry, 0));
        o = act(&w, ACT_TOGGLE);
        CHECK(!o.terminated && o.reward == 0.0);
        CHECK_EQ(GC_STATE(grid_get(w.s, w.st, rx, ry)), DOOR_OPEN);
        CHECK(stand_next_to(&w, bx, by, 0));
        o = act(&w, ACT_TOGGLE);
        CHECK(o.terminated && o.success && o.reward == success_now(&w));

        /* red opened, closed again, then blue: red was not open before */
        memcpy(w.st, start, w.env->info.state_size);
        CHECK(stand_next_to(&w, rx, ry, 0));
        act(&w, ACT_TOGGLE);
        o = act(&w, ACT_TOGGLE);
        CHECK(!o.terminated);
        CHECK(stand_next_to(&w, bx, by, 0));
        o = act(&w, ACT_TOGGLE);
        CHECK(o.terminated && o.reward == 0.0);

        /* any step while blue is open ends the episode; it pays only if
         * red was open before it */
        memcpy(w.st, start, w.env->info.state_size);
        gcell blue = grid_get(w.s, w.st, bx, by), red = grid_get(w.s, w.st, rx, ry);
        grid_set(w.s, w.st, bx, by, GC_WITH_STATE(blue, DOOR_OPEN));
        o = act(&w, ACT_LEFT);
        CHECK(o.terminated && o.reward == 0.0);
        grid_set(w.s, w.st, rx, ry, GC_WITH_STATE(red, DOOR_OPEN));
        o = act(&w, ACT_LEFT);
        CHECK(o.terminated && o.success);

        /* closing blue while red is open fails */
        CHECK(stand_next_to(&w, bx, by, 0));
        o = act(&w, ACT_TOGGLE);
        CHECK_EQ(GC_STATE(grid_get(w.s, w.st, bx, by)), DOOR_CLOSED);
        CHECK(o.terminated && o.reward == 0.0);
        free(start);
        close_world(&w);
    }
}

/* ---- Memory -------------------------------------------------------------- */

static void test_memory(void)
{
    for (uint64_t seed = 0; seed < 6; seed++) {
        world w;
        if (!open_world(&w, seed & 1 ? "MiniGrid-MemoryS13Random-v0" : "MiniGrid-MemoryS9-v0", seed)) continue;
        int mid = w.s->height / 2;
        gcell start_obj = grid_get(w.s, w.st, 1, mid - 1);
        CHECK(GC_TYPE(start_obj) == OBJ_KEY || GC_TYPE(start_obj) == OBJ_BALL);
        int ex = -1;
        for (int x = 2; x < w.s->width - 1; x++)
            if (grid_get(w.s, w.st, x, mid - 2) != GC_EMPTY && GC_TYPE(grid_get(w.s, w.st, x, mid - 2)) != OBJ_WALL)
                ex = x;
        CHECK(ex > 4);
        if (ex <= 4) {
            close_world(&w);
            continue;
        }
        gcell up = grid_get(w.s, w.st, ex, mid - 2), down = grid_get(w.s, w.st, ex, mid + 2);
        CHECK(GC_TYPE(up) != GC_TYPE(down));
        int success_dir = GC_TYPE(up) == GC_TYPE(start_obj) ? 3 : 1;
        void *start = malloc(w.env->info.state_size);
        memcpy(start, w.st, w.env->info.state_size);

        /* pickup is toggle here: facing the start object, nothing is taken */
        w.st->agent_x = 1;
        w.st->agent_y = (int16_t)mid;
        w.st->agent_dir = 3;
        ludus_step_out o = act(&w, ACT_PICKUP);
        CHECK(!o.terminated && w.st->carrying == GC_EMPTY);
        CHECK_EQ(grid_get(w.s, w.st, 1, mid - 1), start_obj);

        /* the cell beside the matching object pays, the other fails */
        w.st->agent_x = (int16_t)ex;
        w.st->agent_y = (int16_t)mid;
        w.st->agent_dir = (uint8_t)success_dir;
        o = act(&w, ACT_FORWARD);
        CHECK(o.terminated && o.success && o.reward == success_now(&w));
        memcpy(w.st, start, w.env->info.state_size);
        w.st->agent_x = (int16_t)ex;
        w.st->agent_y = (int16_t)mid;
        w.st->agent_dir = (uint8_t)(4 - success_dir);
        o = act(&w, ACT_FORWARD);
        CHECK(o.terminated && !o.success && o.reward == 0.0);
        free(start);
        close_world(&w);
    }
}

/* ---- LockedRoom: the mission tells the truth, and the door opens -------- */

static void test_lockedroom(void)
{
    for (uint64_t seed = 0; seed < 5; seed++) {
        world w;
        if (!open_world(&w, "MiniGrid-LockedRoom-v0", seed)) continue;
        const char *m = ludus_env_mission(w.env, w.st);
        char lc[16], rc[16], dc[16];
        int n = sscanf(m, "get the %15s key from the %15[a-z] room, unlock the %15s door and go to the goal", lc,
                       rc, dc);
        CHECK_MSG(n == 3 && strcmp(lc, dc) == 0, "mission '%s'", m);
        if (n != 3) {
            close_world(&w);
            continue;
        }
        int locked = color_index(lc, strlen(lc)), key_room = color_index(rc, strlen(rc));
        int kx, ky, dx, dy, gx, gy, rx, ry;
        CHECK_EQ(find(&w, OBJ_KEY, locked, &kx, &ky), 1);
        CHECK_EQ(find(&w, OBJ_DOOR, locked, &dx, &dy), 1);
        CHECK_EQ(find(&w, OBJ_DOOR, key_room, &rx, &ry), 1);
        CHECK_EQ(find(&w, OBJ_GOAL, COL_GREEN, &gx, &gy), 1);
        CHECK_EQ(GC_STATE(grid_get(w.s, w.st, dx, dy)), DOOR_LOCKED);
        /* side rooms are 7 rows apart with their door in the middle row */
        CHECK_MSG(ky > ry - 3 && ky < ry + 3 && (kx < 7) == (rx < 9), "key at (%d,%d) not in the room of door (%d,%d)",
                  kx, ky, rx, ry);
        CHECK_MSG(gy > dy - 3 && gy < dy + 3 && (gx < 7) == (dx < 9), "goal not behind the locked door");

        /* without the key the door stays locked; with it, one toggle opens */
        w.st->agent_x = (int16_t)(dx < 9 ? dx + 1 : dx - 1);
        w.st->agent_y = (int16_t)dy;
        w.st->agent_dir = dx < 9 ? 2 : 0;
        act(&w, ACT_TOGGLE);
        CHECK_EQ(GC_STATE(grid_get(w.s, w.st, dx, dy)), DOOR_LOCKED);
        w.st->carrying = grid_get(w.s, w.st, kx, ky);
        grid_set(w.s, w.st, kx, ky, GC_EMPTY);
        act(&w, ACT_TOGGLE);
        CHECK_EQ(GC_STATE(grid_get(w.s, w.st, dx, dy)), DOOR_OPEN);
        CHECK(GC_TYPE(w.st->carrying) == OBJ_KEY);
        CHECK(stand_next_to(&w, gx, gy, 0));
        ludus_step_out o = act(&w, ACT_FORWARD);
        CHECK(o.terminated && o.success && o.reward == success_now(&w));
        close_world(&w);
    }
}

/* ---- generator invariants over many seeds -------------------------------- */

static int count_type(const world *w, int type)
{
    int n = 0;
    for (int y = 0; y < w->s->height; y++)
        for (int x = 0; x < w->s->width; x++) {
            gcell c = grid_get(w->s, w->st, x, y);
            n += c != GC_EMPTY && GC_TYPE(c) == type;
        }
    return n;
}

static void test_layout_sweep(void)
{
    static const char *const ids[] = {
        "MiniGrid-MultiRoom-N2-S4-v0", "MiniGrid-MultiRoom-N4-S5-v0",   "MiniGrid-MultiRoom-N4-S5-v1",
        "MiniGrid-MultiRoom-N6-v0",    "MiniGrid-LockedRoom-v0",        "MiniGrid-Playground-v0",
        "MiniGrid-RedBlueDoors-6x6-v0", "MiniGrid-Fetch-5x5-N2-v0",     "MiniGrid-GoToDoor-5x5-v0",
        "MiniGrid-GoToDoor-8x8-v0",    "MiniGrid-GoToObject-6x6-N2-v0", "MiniGrid-PutNear-6x6-N2-v0",
        "MiniGrid-PutNear-8x8-N3-v0",  "MiniGrid-MemoryS7-v0",          "MiniGrid-MemoryS17Random-v0",
    };
    static const int rooms[] = {2, 6, 4, 6};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        world w;
        if (!open_world(&w, ids[i], 0)) continue;
        int bad = 0;
        for (uint64_t seed = 0; seed < 300 && !bad; seed++) {
            CHECK_OK(ludus_env_reset(w.env, w.st, seed, NULL));
            gcell under = grid_get(w.s, w.st, w.st->agent_x, w.st->agent_y);
            bad |= under != GC_EMPTY;
            if (i < 4) { /* a chain of rooms: one door fewer than rooms, one goal */
                bad |= count_type(&w, OBJ_DOOR) != rooms[i] - 1 || count_type(&w, OBJ_GOAL) != 1;
            } else if (strstr(ids[i], "LockedRoom")) {
                bad |= count_type(&w, OBJ_DOOR) != 6 || count_type(&w, OBJ_KEY) != 1;
            } else if (strstr(ids[i], "Playground")) {
                bad |= count_type(&w, OBJ_DOOR) != 12 ||
                       count_type(&w, OBJ_KEY) + count_type(&w, OBJ_BALL) + count_type(&w, OBJ_BOX) != 12;
            } else if (strstr(ids[i], "GoToDoor")) {
                unsigned colors = 0;
                for (int y = 0; y < w.s->height; y++)
                    for (int x = 0; x < w.s->width; x++) {
                        gcell c = grid_get(w.s, w.st, x, y);
                        if (GC_TYPE(c) == OBJ_DOOR && c != GC_EMPTY) colors |= 1u << GC_COLOR(c);
                    }
                bad |= count_type(&w, OBJ_DOOR) != 4 || __builtin_popcount(colors) != 4;
            } else if (strstr(ids[i], "PutNear")) {
                /* objects never start within one cell of each other */
                int xs[8], ys[8], n = 0;
                for (int y = 0; y < w.s->height; y++)
                    for (int x = 0; x < w.s->width; x++) {
                        gcell c = grid_get(w.s, w.st, x, y);
                        if (c != GC_EMPTY && GC_TYPE(c) != OBJ_WALL && n < 8) {
                            xs[n] = x;
                            ys[n++] = y;
                        }
                    }
                for (int a = 0; a < n; a++)
                    for (int b = a + 1; b < n; b++) bad |= abs(xs[a] - xs[b]) <= 1 && abs(ys[a] - ys[b]) <= 1;
                bad |= n != w.s->p[0];
            }
            CHECK_MSG(!bad, "%s seed %llu: layout breaks its invariants", ids[i], (unsigned long long)seed);
        }
        close_world(&w);
    }
}

int main(void)
{
    test_goto();
    test_putnear();
    test_fetch();
    test_redbluedoors();
    test_memory();
    test_lockedroom();
    test_layout_sweep();
    return check_finish("test_grid_rules");
}
