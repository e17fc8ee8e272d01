/* gen.c: the reference's generation primitives (spec/minigrid.md §7):
 * random helpers over the world's numpy stream, walls, and rejection
 * placement of objects and the agent. Draw order is behaviour here: every
 * helper draws exactly what the reference draws, in the same order.
 */
#include "grid.h"

int64_t ludus_grid_rand_int(grid_state *st, int64_t lo, int64_t hi)
{
    if (lo >= INT32_MIN && hi <= INT32_MAX && hi > lo) return grid_rand_small(st, (int)lo, (int)hi);
    return ludus_rng_integers(&st->rng, lo, hi);
}

void ludus_grid_horz_wall(const grid_spec *s, grid_state *st, int x, int y, int len, gcell c)
{
    if (len < 0) len = s->width - x;
    for (int i = 0; i < len; i++) grid_set(s, st, x + i, y, c);
}

void ludus_grid_vert_wall(const grid_spec *s, grid_state *st, int x, int y, int len, gcell c)
{
    if (len < 0) len = s->height - y;
    for (int j = 0; j < len; j++) grid_set(s, st, x, y + j, c);
}

void ludus_grid_wall_rect(const grid_spec *s, grid_state *st, int x, int y, int w, int h)
{
    ludus_grid_horz_wall(s, st, x, y, w, GC_WALL);
    ludus_grid_horz_wall(s, st, x, y + h - 1, w, GC_WALL);
    ludus_grid_vert_wall(s, st, x, y, h, GC_WALL);
    ludus_grid_vert_wall(s, st, x + w - 1, y, h, GC_WALL);
}

/* "Unlimited" tries still end: a generator that cannot place an object in a
 * million draws has a bug, and looping forever would hide it. */
#define GEN_UNLIMITED_TRIES (1 << 20)

int ludus_grid_place_obj(const grid_spec *s, grid_state *st, gcell obj, int top_x, int top_y,
                   int size_x, int size_y, grid_reject_fn reject, const void *ctx,
                   int max_tries, int *px, int *py)
{
    if (top_x < 0) top_x = 0;
    if (top_y < 0) top_y = 0;
    int hi_x = top_x + size_x < s->width ? top_x + size_x : s->width;
    int hi_y = top_y + size_y < s->height ? top_y + size_y : s->height;
    if (max_tries < 0) max_tries = GEN_UNLIMITED_TRIES;
    for (int tries = 0;; tries++) {
        if (tries > max_tries) return GEN_FAIL;
        int x = grid_rand_small(st, top_x, hi_x);
        int y = grid_rand_small(st, top_y, hi_y);
        if (grid_get(s, st, x, y) != GC_EMPTY) continue;
        if (x == st->agent_x && y == st->agent_y) continue;
        if (reject && reject(s, st, x, y, ctx)) continue;
        grid_set(s, st, x, y, obj);
        if (px) *px = x;
        if (py) *py = y;
        return LUDUS_OK;
    }
}

int ludus_grid_place_agent(const grid_spec *s, grid_state *st, int top_x, int top_y, int size_x,
                     int size_y, int rand_dir, int max_tries)
{
    int x, y;
    st->agent_x = st->agent_y = -1;
    int rc = ludus_grid_place_obj(s, st, GC_EMPTY, top_x, top_y, size_x, size_y, NULL, NULL, max_tries, &x, &y);
    if (rc != LUDUS_OK) return rc;
    st->agent_x = (int16_t)x;
    st->agent_y = (int16_t)y;
    if (rand_dir) st->agent_dir = (uint8_t)grid_rand_small(st, 0, 4);
    return LUDUS_OK;
}
