/* worldgen.c: Crafter's world generation (spec/crafter.md §4): a material
 * pass and an object pass over the 64x64 area, both x-major, drawing from
 * the episode stream exactly where the reference does (every U() sits
 * behind the same short-circuit). The noise, pure and ~26,000 calls a
 * world, is where the time goes: it is computed only where the reference
 * would look at it, and the common fields a column at a time.
 */
#include <math.h>
#include <string.h>

#include "craft.h"

/* The reference's noise helper for one size: noise3(x/size, y/size, z). */
static inline double noise_at(const craft_noise *n, double x, double y, double z, double size)
{
    return craft_noise3(n, x / size, y / size, z);
}

/* The smooth fields of one column: start (the spawn meadow), water and
 * mountain, which every cell needs. They draw nothing, so their order is
 * free: computing them one field at a time down the column makes
 * consecutive noise calls land in neighbouring cells of the honeycomb,
 * where the noise's branches predict well (a third less time per world
 * than cell by cell). The rarer fields stay behind the reference's tests. */
typedef struct column {
    double start[CRAFT_SIZE], water[CRAFT_SIZE], mountain[CRAFT_SIZE];
} column;

/* y / size for the sizes of the common fields, one column's worth. */
typedef struct scaled {
    double by3[CRAFT_SIZE], by5[CRAFT_SIZE], by15[CRAFT_SIZE];
} scaled;

static void column_fields(const craft_noise *n, const scaled *k, int x, column *c)
{
    const double x3 = x / 3.0, x5 = x / 5.0, x15 = x / 15.0;
    double fine[CRAFT_SIZE];
    uint8_t open[CRAFT_SIZE];
    craft_noise3_column(n, x3, k->by3, 8, NULL, fine, CRAFT_SIZE);
    for (int y = 0; y < CRAFT_SIZE; y++) {
        int dx = x - CRAFT_START_X, dy = y - CRAFT_START_Y;
        double start = 4 - sqrt((double)(dx * dx + dy * dy));
        start += 2 * fine[y];
        c->start[y] = 1 / (1 + exp(-start));
        open[y] = c->start[y] <= 0.5; /* else grass, whatever water and mountain are */
    }
    craft_noise3_column(n, x15, k->by15, 3, open, c->water, CRAFT_SIZE);
    craft_noise3_column(n, x5, k->by5, 3, open, fine, CRAFT_SIZE);
    for (int y = 0; y < CRAFT_SIZE; y++)
        if (open[y]) {
            c->water[y] += 0.15 * fine[y];
            c->water[y] += 0.1;
            c->water[y] -= 2 * c->start[y];
        }
    craft_noise3_column(n, x15, k->by15, 0, open, c->mountain, CRAFT_SIZE);
    craft_noise3_column(n, x5, k->by5, 0, open, fine, CRAFT_SIZE);
    for (int y = 0; y < CRAFT_SIZE; y++)
        if (open[y]) {
            c->mountain[y] += 0.3 * fine[y];
            c->mountain[y] /= 1 + 0.3;
            c->mountain[y] -= 4 * c->start[y] + 0.3 * c->water[y];
        }
}

/* The material rules of one cell, in the reference's order and with its
 * draws (spec §4.2). The cave test checks the mountain before its noise. */
static unsigned material_at(craft_state *st, const craft_noise *n, const column *c, int x, int y, uint8_t *tunnel)
{
    const double fx = x, fy = y;
    if (c->start[y] > 0.5) return MAT_GRASS;
    const double water = c->water[y], mountain = c->mountain[y];
    if (mountain > 0.15) {
        if (mountain > 0.3 && noise_at(n, fx, fy, 6, 7) > 0.15) return MAT_PATH; /* cave */
        if (noise_at(n, 2 * fx, fy / 5, 7, 3) > 0.4) {                          /* tunnels */
            *tunnel = 1;
            return MAT_PATH;
        }
        if (noise_at(n, fx / 5, 2 * fy, 7, 3) > 0.4) {
            *tunnel = 1;
            return MAT_PATH;
        }
        if (noise_at(n, fx, fy, 1, 8) > 0 && craft_mt_uniform(&st->rng) > 0.85) return MAT_COAL;
        if (noise_at(n, fx, fy, 2, 6) > 0.4 && craft_mt_uniform(&st->rng) > 0.75) return MAT_IRON;
        if (mountain > 0.18 && craft_mt_uniform(&st->rng) > 0.994) return MAT_DIAMOND;
        if (mountain > 0.3 && noise_at(n, fx, fy, 6, 5) > 0.35) return MAT_LAVA;
        return MAT_STONE;
    }
    if (0.25 < water && water <= 0.35 && noise_at(n, fx, fy, 4, 9) > -0.2) return MAT_SAND;
    if (0.3 < water) return MAT_WATER;
    if (noise_at(n, fx, fy, 5, 7) > 0 && craft_mt_uniform(&st->rng) > 0.8) return MAT_TREE;
    return MAT_GRASS;
}

void craft_worldgen(craft_state *st)
{
    craft_noise noise;
    st->simplex_seed = craft_mt_randint(&st->rng, 2147483647u);
    craft_noise_seed(&noise, st->simplex_seed);

    uint8_t tunnels[CRAFT_CELLS];
    memset(tunnels, 0, sizeof tunnels);
    scaled k;
    for (int y = 0; y < CRAFT_SIZE; y++) {
        k.by3[y] = y / 3.0;
        k.by5[y] = y / 5.0;
        k.by15[y] = y / 15.0;
    }
    column col;
    for (int x = 0; x < CRAFT_SIZE; x++) {
        column_fields(&noise, &k, x, &col);
        for (int y = 0; y < CRAFT_SIZE; y++)
            craft_set_mat(st, x, y, material_at(st, &noise, &col, x, y, &tunnels[CELL_INDEX(x, y)]));
    }

    /* Objects. Distances compare squared integers: sqrt is correctly
     * rounded, so sqrt(d2) > 3 exactly when d2 > 9. */
    for (int x = 0; x < CRAFT_SIZE; x++)
        for (int y = 0; y < CRAFT_SIZE; y++) {
            unsigned m = craft_mat_at(st, x, y);
            if (!(WALK_CREATURE & MAT_BIT(m))) continue;
            int dx = x - CRAFT_START_X, dy = y - CRAFT_START_Y, d2 = dx * dx + dy * dy;
            if (d2 > 9 && m == MAT_GRASS && craft_mt_uniform(&st->rng) > 0.985)
                craft_add(st, KIND_COW, x, y, 3, 0);
            else if (d2 > 100 && craft_mt_uniform(&st->rng) > 0.993)
                craft_add(st, KIND_ZOMBIE, x, y, 5, 0);
            else if (m == MAT_PATH && tunnels[CELL_INDEX(x, y)] && craft_mt_uniform(&st->rng) > 0.95)
                craft_add(st, KIND_SKELETON, x, y, 3, 0);
        }
}
