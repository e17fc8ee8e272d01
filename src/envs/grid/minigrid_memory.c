/* minigrid_memory.c: MiniGrid's Memory worlds (spec/minigrid.md §9). The
 * agent sees an object in the start room, walks a hallway out of sight of
 * it, and must stop beside the matching one of two objects at the end.
 * The success and failure cells are decided at generation and kept in the
 * world's extra block; pickup is remapped to toggle, as the reference does.
 */
#include "grid.h"

typedef struct memory_extra {
    uint8_t success_x, success_y;
    uint8_t failure_x, failure_y;
} memory_extra;

/* p[0] = random hallway length. The grid is square with an odd side. */
static int gen_memory(const grid_spec *s, grid_state *st)
{
    memory_extra *ex = grid_extra(s, st);
    int W = s->width, H = s->height, mid = H / 2;
    int upper = mid - 2, lower = mid + 2;
    ludus_grid_wall_rect(s, st, 0, 0, W, H);
    int end = s->p[0] ? (int)ludus_grid_rand_int(st, 4, W - 2) : W - 3;
    for (int i = 1; i < 5; i++) {
        grid_set(s, st, i, upper, GC_WALL);
        grid_set(s, st, i, lower, GC_WALL);
    }
    grid_set(s, st, 4, upper + 1, GC_WALL);
    grid_set(s, st, 4, lower - 1, GC_WALL);
    for (int i = 5; i < end; i++) {
        grid_set(s, st, i, upper + 1, GC_WALL);
        grid_set(s, st, i, lower - 1, GC_WALL);
    }
    for (int j = 0; j < H; j++) {
        if (j != mid) grid_set(s, st, end, j, GC_WALL);
        grid_set(s, st, end + 2, j, GC_WALL);
    }
    st->agent_x = (int16_t)ludus_grid_rand_int(st, 1, end + 1);
    st->agent_y = (int16_t)mid;
    st->agent_dir = 0;

    static const uint8_t KEY_OR_BALL[2] = {OBJ_KEY, OBJ_BALL};
    static const uint8_t PAIRS[2][2] = {{OBJ_BALL, OBJ_KEY}, {OBJ_KEY, OBJ_BALL}};
    int start = KEY_OR_BALL[ludus_grid_rand_int(st, 0, 2)];
    grid_set(s, st, 1, mid - 1, grid_new_obj(st, start, COL_GREEN, 0));
    const uint8_t *pair = PAIRS[ludus_grid_rand_int(st, 0, 2)];
    int x = end + 1, y0 = mid - 2, y1 = mid + 2;
    grid_set(s, st, x, y0, grid_new_obj(st, pair[0], COL_GREEN, 0));
    grid_set(s, st, x, y1, grid_new_obj(st, pair[1], COL_GREEN, 0));
    ex->success_x = ex->failure_x = (uint8_t)x;
    ex->success_y = (uint8_t)(start == pair[0] ? y0 + 1 : y1 - 1);
    ex->failure_y = (uint8_t)(start == pair[0] ? y1 - 1 : y0 + 1);
    ludus_grid_set_mission(s, st, "go to the matching object at the end of the hallway");
    return LUDUS_OK;
}

static void step_memory(const grid_spec *s, grid_state *st, int action, ludus_step_out *out)
{
    const memory_extra *ex = grid_extra(s, st);
    if (action == ACT_PICKUP) action = ACT_TOGGLE;
    ludus_grid_core_step(s, st, action, out);
    if (st->agent_x == ex->success_x && st->agent_y == ex->success_y) {
        out->reward = ludus_grid_success_reward(st);
        out->terminated = 1;
    }
    if (st->agent_x == ex->failure_x && st->agent_y == ex->failure_y) {
        out->reward = 0.0;
        out->terminated = 1;
    }
}
static int check_memory(const grid_spec *s, const grid_state *st)
{
    const memory_extra *ex = grid_extra_c(s, st);
    int rc = ludus_grid_check_pos(s, "the success cell", ex->success_x, ex->success_y);
    return rc ? rc : ludus_grid_check_pos(s, "the failure cell", ex->failure_x, ex->failure_y);
}
const grid_world ludus_grid_world_memory = {"Memory", sizeof(memory_extra), 64, 7, gen_memory, step_memory, NULL, NULL,
                                            check_memory};
