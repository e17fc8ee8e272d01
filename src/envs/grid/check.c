/* check.c: what a grid world state from outside the library (restored,
 * unpickled, lent by a caller) must satisfy before step, observe, text,
 * the frames or the traces may read it: every cell, the agent's pose and
 * hands, the boxes' contents, the mission (printable ASCII, ended within
 * its capacity), the step limit, and then the world's own extra block. The step trusts states the library produced, so
 * this runs where foreign bytes enter (ludus_env_state_check/_load).
 */
#include <stdio.h>
#include <string.h>

#include "grid.h"

int ludus_grid_cell_ok(gcell c)
{
    if (c == GC_EMPTY) return 1;
    int t = GC_TYPE(c);
    if (t < OBJ_WALL || t > OBJ_LAVA) return 0; /* unseen, empty and agent are never stored */
    if (GC_COLOR(c) > COL_GREY) return 0;
    if (GC_STATE(c) > (t == OBJ_DOOR ? DOOR_LOCKED : 0)) return 0;
    return GC_ID(c) < GRID_MAX_OBJS;
}

int ludus_grid_check_pos(const grid_spec *s, const char *what, int x, int y)
{
    if (x < 0 || y < 0 || x >= s->width || y >= s->height)
        return ludus_err_set(LUDUS_EFORMAT, "%s (%d, %d) is outside the %dx%d grid", what, x, y, s->width,
                             s->height);
    return LUDUS_OK;
}

static int bad_cell(const char *what, gcell c)
{
    return ludus_err_set(LUDUS_EFORMAT, "%s holds an invalid cell %#06x (type %d, colour %d, state %d, id %d)", what,
                         (unsigned)c, GC_TYPE(c), GC_COLOR(c), GC_STATE(c), GC_ID(c));
}

int ludus_grid_validate(const ludus_env *env, const void *state)
{
    const grid_spec *s = env->impl;
    const grid_state *st = state;
    const gcell *cells = grid_cells_c(s, st);
    for (int y = 0; y < s->height; y++)
        for (int x = 0; x < s->width; x++)
            if (!ludus_grid_cell_ok(cells[y * s->width + x])) {
                char what[32];
                snprintf(what, sizeof what, "cell (%d, %d)", x, y);
                return bad_cell(what, cells[y * s->width + x]);
            }
    int rc = ludus_grid_check_pos(s, "the agent's position", st->agent_x, st->agent_y);
    if (rc) return rc;
    if (!gc_can_overlap(grid_get(s, st, st->agent_x, st->agent_y)))
        return ludus_err_set(LUDUS_EFORMAT, "the agent stands at (%d, %d) on a %s", st->agent_x, st->agent_y,
                             ludus_grid_type_str[GC_TYPE(grid_get(s, st, st->agent_x, st->agent_y))]);
    if (st->agent_dir > 3) return ludus_err_set(LUDUS_EFORMAT, "agent direction %d (want 0..3)", st->agent_dir);
    if (st->carrying != GC_EMPTY && (!ludus_grid_cell_ok(st->carrying) || !gc_can_pickup(st->carrying)))
        return bad_cell("the agent's hands", st->carrying);
    for (int i = 0; i < GRID_MAX_OBJS; i++)
        if (!ludus_grid_cell_ok(st->contents[i])) {
            char what[32];
            snprintf(what, sizeof what, "box %d", i);
            return bad_cell(what, st->contents[i]);
        }
    if (st->next_id < 1 || st->next_id >= GRID_MAX_OBJS)
        return ludus_err_set(LUDUS_EFORMAT, "next object id %d (want 1..%d)", st->next_id, GRID_MAX_OBJS - 1);
    if (st->hand_pending > 1) return ludus_err_set(LUDUS_EFORMAT, "hand_pending is %d (want 0 or 1)", st->hand_pending);
    if (st->hand_pending) {
        rc = ludus_grid_check_pos(s, "the handed object's cell", st->hand_x, st->hand_y);
        if (rc) return rc;
    }
    const char *m = grid_mission_c(s, st);
    if (!memchr(m, 0, s->world->mission_cap))
        return ludus_err_set(LUDUS_EFORMAT, "the mission is not NUL-terminated within its %zu bytes",
                             s->world->mission_cap);
    for (size_t k = 0; m[k]; k++) /* every mission is printable ASCII (and valid UTF-8 for callers) */
        if (m[k] < 0x20 || m[k] > 0x7e)
            return ludus_err_set(LUDUS_EFORMAT, "the mission holds byte %#04x at %zu", (unsigned)(uint8_t)m[k], k);
    if (s->world->check) {
        rc = s->world->check(s, st);
        if (rc) return rc;
    }
    /* After the world's check: BabyAI's limit reads the instruction tree. */
    uint32_t limit = s->world->max_steps ? s->world->max_steps(s, st) : s->max_steps;
    if (st->max_steps != limit)
        return ludus_err_set(LUDUS_EFORMAT, "step limit %u, but this level's is %u", st->max_steps, limit);
    return LUDUS_OK;
}
