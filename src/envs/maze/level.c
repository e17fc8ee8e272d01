/* level.c: a maze level as a block of bytes (include/ludus/ludus.h,
 * "Levels as blocks"), a reset from one, and ACCEL's mutation operator as
 * minimax applies it (spec/maze.md, "ACCEL mutations").
 *   bytes 0-7: interior width, height, agent x, y, direction, goal x, y, 0
 *   then one bit per interior cell, row-major, 1 = wall (LSB first).
 */
#include <string.h>

#include "maze.h"

enum { L_W, L_H, L_AX, L_AY, L_DIR, L_GX, L_GY, L_ZERO, L_BITS };

static int bit(const uint8_t *lv, int i) { return (lv[L_BITS + i / 8] >> (i % 8)) & 1; }
static void flip(uint8_t *lv, int i) { lv[L_BITS + i / 8] ^= (uint8_t)(1u << (i % 8)); }

size_t ludus_maze_level_size(const ludus_env *env) { return ((const maze_spec *)env->impl)->level_size; }

static int check_level(const maze_spec *s, const uint8_t *lv)
{
    if (lv[L_W] != s->iw || lv[L_H] != s->ih)
        return ludus_err_set(LUDUS_EINVAL, "the level is %dx%d, this world's mazes %dx%d", lv[L_W], lv[L_H], s->iw,
                             s->ih);
    if (lv[L_AX] >= s->iw || lv[L_AY] >= s->ih)
        return ludus_err_set(LUDUS_EINVAL, "the agent (%d, %d) is outside the %dx%d interior", lv[L_AX], lv[L_AY],
                             s->iw, s->ih);
    if (lv[L_DIR] > 3) return ludus_err_set(LUDUS_EINVAL, "agent direction %d (want 0..3)", lv[L_DIR]);
    if (lv[L_GX] >= s->iw || lv[L_GY] >= s->ih)
        return ludus_err_set(LUDUS_EINVAL, "the goal (%d, %d) is outside the %dx%d interior", lv[L_GX], lv[L_GY],
                             s->iw, s->ih);
    if (lv[L_GX] == lv[L_AX] && lv[L_GY] == lv[L_AY])
        return ludus_err_set(LUDUS_EINVAL, "the agent and the goal share cell (%d, %d)", lv[L_AX], lv[L_AY]);
    if (lv[L_ZERO]) return ludus_err_set(LUDUS_EINVAL, "byte 7 is %d (want 0)", lv[L_ZERO]);
    if (bit(lv, lv[L_AY] * s->iw + lv[L_AX]))
        return ludus_err_set(LUDUS_EINVAL, "a wall on the agent's cell (%d, %d)", lv[L_AX], lv[L_AY]);
    if (bit(lv, lv[L_GY] * s->iw + lv[L_GX]))
        return ludus_err_set(LUDUS_EINVAL, "a wall on the goal's cell (%d, %d)", lv[L_GX], lv[L_GY]);
    int n = s->iw * s->ih;
    for (size_t b = (size_t)n; b < (s->level_size - L_BITS) * 8; b++)
        if ((lv[L_BITS + b / 8] >> (b % 8)) & 1)
            return ludus_err_set(LUDUS_EINVAL, "stray bit %zu past the %d cells", b, n);
    return LUDUS_OK;
}

void ludus_maze_level_of(const ludus_env *env, const void *state, void *level)
{
    const maze_spec *s = env->impl;
    const maze_state *st = state;
    uint8_t *lv = level;
    memset(lv, 0, s->level_size);
    lv[L_W] = (uint8_t)s->iw;
    lv[L_H] = (uint8_t)s->ih;
    lv[L_AX] = (uint8_t)(st->agent_x - 1);
    lv[L_AY] = (uint8_t)(st->agent_y - 1);
    lv[L_DIR] = st->agent_dir;
    lv[L_GX] = (uint8_t)(st->goal_x - 1);
    lv[L_GY] = (uint8_t)(st->goal_y - 1);
    const uint8_t *cells = maze_cells_c(st);
    for (int y = 0; y < s->ih; y++)
        for (int x = 0; x < s->iw; x++)
            if (cells[(y + 1) * s->W + x + 1] == MZ_WALL) flip(lv, y * s->iw + x);
}

int ludus_maze_reset_level(const ludus_env *env, void *state, const void *level)
{
    const maze_spec *s = env->impl;
    const uint8_t *lv = level;
    int rc = check_level(s, lv);
    if (rc) return rc;
    maze_state *st = state;
    memset(st, 0, s->state_size);
    /* a stream of its own, from the level's bytes (FNV-1a) */
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < s->level_size; i++) h = (h ^ lv[i]) * 1099511628211ull;
    ludus_rng_seed(&st->rng, h);
    uint8_t *cells = maze_cells(st);
    for (int y = 0; y < s->H; y++)
        for (int x = 0; x < s->W; x++) {
            int border = x == 0 || y == 0 || x == s->W - 1 || y == s->H - 1;
            cells[y * s->W + x] = border || bit(lv, (y - 1) * s->iw + (x - 1)) ? MZ_WALL : MZ_EMPTY;
        }
    st->agent_x = (int16_t)(lv[L_AX] + 1);
    st->agent_y = (int16_t)(lv[L_AY] + 1);
    st->agent_dir = lv[L_DIR];
    st->goal_x = (int16_t)(lv[L_GX] + 1);
    st->goal_y = (int16_t)(lv[L_GY] + 1);
    cells[st->goal_y * s->W + st->goal_x] = MZ_GOAL;
    return LUDUS_OK;
}

int ludus_maze_level_mutate(const ludus_env *env, void *level, int edits, ludus_rng *rng)
{
    const maze_spec *s = env->impl;
    uint8_t *lv = level;
    int rc = check_level(s, lv);
    if (rc) return rc;
    const int n = s->iw * s->ih;
    for (int e = 0; e < edits; e++) {
        const int agent = lv[L_AY] * s->iw + lv[L_AX];
        int goal = lv[L_GY] * s->iw + lv[L_GX];
        int kind = grid_rng_small(rng, 0, 3);
        if (kind == 1) {
            /* flip a wall: a uniform cell other than the agent's and the goal's */
            int k = grid_rng_small(rng, 0, n - 2), lo = agent < goal ? agent : goal, hi = agent < goal ? goal : agent;
            if (k >= lo) k++;
            if (k >= hi) k++;
            flip(lv, k);
        } else if (kind == 2) {
            /* move the goal: a uniform cell that is not a wall, the agent's
             * or the goal's (none: the edit does nothing) */
            int free = 0;
            for (int i = 0; i < n; i++) free += !bit(lv, i) && i != agent && i != goal;
            if (!free) continue;
            int k = grid_rng_small(rng, 0, free);
            for (int i = 0; i < n; i++) {
                if (bit(lv, i) || i == agent || i == goal) continue;
                if (k-- == 0) {
                    goal = i;
                    break;
                }
            }
            lv[L_GX] = (uint8_t)(goal % s->iw);
            lv[L_GY] = (uint8_t)(goal / s->iw);
        }
        /* kind 0: no-op */
    }
    return LUDUS_OK;
}
