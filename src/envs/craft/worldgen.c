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

/* The noise of one column, field by field. The fields draw nothing, so
 * their order is free: computing each one down the column makes
 * consecutive calls land in neighbouring cells of the honeycomb, where the
 * noise's branches predict well, and lets the noise inline into one loop
 * per field (together under a millisecond a world, against ~1.8 ms cell
 * by cell). A field is computed only where the reference would look at
 * it, except iron and lava, which it asks for after a draw: those are
 * computed for every cell that reaches the ore tests. */
typedef struct column {
    double start[CRAFT_SIZE], water[CRAFT_SIZE], mountain[CRAFT_SIZE];
    double cave[CRAFT_SIZE], htunnel[CRAFT_SIZE], vtunnel[CRAFT_SIZE];
    double coal[CRAFT_SIZE], iron[CRAFT_SIZE], lava[CRAFT_SIZE], sand[CRAFT_SIZE], tree[CRAFT_SIZE];
} column;

/* The y coordinates of each field, as the reference divides them. */
typedef struct scaled {
    double by3[CRAFT_SIZE], by5[CRAFT_SIZE], by6[CRAFT_SIZE], by7[CRAFT_SIZE], by8[CRAFT_SIZE];
    double by9[CRAFT_SIZE], by15[CRAFT_SIZE], by5by3[CRAFT_SIZE], twice_by3[CRAFT_SIZE];
} scaled;

static void scaled_init(scaled *k)
{
    for (int y = 0; y < CRAFT_SIZE; y++) {
        k->by3[y] = y / 3.0;
        k->by5[y] = y / 5.0;
        k->by6[y] = y / 6.0;
        k->by7[y] = y / 7.0;
        k->by8[y] = y / 8.0;
        k->by9[y] = y / 9.0;
        k->by15[y] = y / 15.0;
        k->by5by3[y] = (y / 5.0) / 3;     /* the horizontal tunnels' (y/5)/3 */
        k->twice_by3[y] = (2.0 * y) / 3;  /* the vertical tunnels' (2y)/3 */
    }
}

static void column_fields(const craft_noise *n, const scaled *k, int x, column *c)
{
    const double fx = x;
    double fine[CRAFT_SIZE];
    uint8_t open[CRAFT_SIZE], mask[CRAFT_SIZE], hill[CRAFT_SIZE], ores[CRAFT_SIZE];
    ludus_craft_noise3_column(n, fx / 3, k->by3, 8, NULL, fine, CRAFT_SIZE);
    for (int y = 0; y < CRAFT_SIZE; y++) {
        int dx = x - CRAFT_START_X, dy = y - CRAFT_START_Y;
        double start = 4 - sqrt((double)(dx * dx + dy * dy));
        start += 2 * fine[y];
        c->start[y] = 1 / (1 + exp(-start));
        open[y] = c->start[y] <= 0.5; /* else grass, whatever the other fields say */
    }
    ludus_craft_noise3_column(n, fx / 15, k->by15, 3, open, c->water, CRAFT_SIZE);
    ludus_craft_noise3_column(n, fx / 5, k->by5, 3, open, fine, CRAFT_SIZE);
    for (int y = 0; y < CRAFT_SIZE; y++)
        if (open[y]) {
            c->water[y] += 0.15 * fine[y];
            c->water[y] += 0.1;
            c->water[y] -= 2 * c->start[y];
        }
    ludus_craft_noise3_column(n, fx / 15, k->by15, 0, open, c->mountain, CRAFT_SIZE);
    ludus_craft_noise3_column(n, fx / 5, k->by5, 0, open, fine, CRAFT_SIZE);
    for (int y = 0; y < CRAFT_SIZE; y++)
        if (open[y]) {
            c->mountain[y] += 0.3 * fine[y];
            c->mountain[y] /= 1 + 0.3;
            c->mountain[y] -= 4 * c->start[y] + 0.3 * c->water[y];
        }

    /* the mountain's chain: cave, tunnels, then the ores and lava */
    for (int y = 0; y < CRAFT_SIZE; y++) hill[y] = open[y] && c->mountain[y] > 0.15;
    for (int y = 0; y < CRAFT_SIZE; y++) mask[y] = hill[y] && c->mountain[y] > 0.3;
    ludus_craft_noise3_column(n, fx / 7, k->by7, 6, mask, c->cave, CRAFT_SIZE);
    for (int y = 0; y < CRAFT_SIZE; y++) ores[y] = hill[y] && !(mask[y] && c->cave[y] > 0.15);
    ludus_craft_noise3_column(n, (2 * fx) / 3, k->by5by3, 7, ores, c->htunnel, CRAFT_SIZE);
    for (int y = 0; y < CRAFT_SIZE; y++) ores[y] = ores[y] && !(c->htunnel[y] > 0.4);
    ludus_craft_noise3_column(n, (fx / 5) / 3, k->twice_by3, 7, ores, c->vtunnel, CRAFT_SIZE);
    for (int y = 0; y < CRAFT_SIZE; y++) ores[y] = ores[y] && !(c->vtunnel[y] > 0.4);
    ludus_craft_noise3_column(n, fx / 8, k->by8, 1, ores, c->coal, CRAFT_SIZE);
    ludus_craft_noise3_column(n, fx / 6, k->by6, 2, ores, c->iron, CRAFT_SIZE);
    for (int y = 0; y < CRAFT_SIZE; y++) mask[y] = ores[y] && c->mountain[y] > 0.3;
    ludus_craft_noise3_column(n, fx / 5, k->by5, 6, mask, c->lava, CRAFT_SIZE);

    /* the lowlands: sand on the shore, trees on the grass */
    for (int y = 0; y < CRAFT_SIZE; y++) mask[y] = open[y] && !hill[y] && 0.25 < c->water[y] && c->water[y] <= 0.35;
    ludus_craft_noise3_column(n, fx / 9, k->by9, 4, mask, c->sand, CRAFT_SIZE);
    for (int y = 0; y < CRAFT_SIZE; y++)
        mask[y] = open[y] && !hill[y] && !(mask[y] && c->sand[y] > -0.2) && !(0.3 < c->water[y]);
    ludus_craft_noise3_column(n, fx / 7, k->by7, 5, mask, c->tree, CRAFT_SIZE);
}

/* The material rules of one cell, in the reference's order and with its
 * draws (spec §4.2), reading the column's fields. */
static unsigned material_at(craft_state *st, const column *c, int y, uint8_t *tunnel)
{
    if (c->start[y] > 0.5) return MAT_GRASS;
    const double water = c->water[y], mountain = c->mountain[y];
    if (mountain > 0.15) {
        if (mountain > 0.3 && c->cave[y] > 0.15) return MAT_PATH; /* cave */
        if (c->htunnel[y] > 0.4 || c->vtunnel[y] > 0.4) {        /* tunnels */
            *tunnel = 1;
            return MAT_PATH;
        }
        if (c->coal[y] > 0 && craft_mt_uniform(&st->rng) > 0.85) return MAT_COAL;
        if (c->iron[y] > 0.4 && craft_mt_uniform(&st->rng) > 0.75) return MAT_IRON;
        if (mountain > 0.18 && craft_mt_uniform(&st->rng) > 0.994) return MAT_DIAMOND;
        if (mountain > 0.3 && c->lava[y] > 0.35) return MAT_LAVA;
        return MAT_STONE;
    }
    if (0.25 < water && water <= 0.35 && c->sand[y] > -0.2) return MAT_SAND;
    if (0.3 < water) return MAT_WATER;
    if (c->tree[y] > 0 && craft_mt_uniform(&st->rng) > 0.8) return MAT_TREE;
    return MAT_GRASS;
}

void ludus_craft_worldgen(craft_state *st)
{
    craft_noise noise;
    st->simplex_seed = ludus_craft_mt_randint(&st->rng, 2147483647u);
    ludus_craft_noise_seed(&noise, st->simplex_seed);

    uint8_t tunnels[CRAFT_CELLS];
    memset(tunnels, 0, sizeof tunnels);
    scaled k;
    scaled_init(&k);
    column col;
    for (int x = 0; x < CRAFT_SIZE; x++) {
        column_fields(&noise, &k, x, &col);
        for (int y = 0; y < CRAFT_SIZE; y++)
            ludus_craft_set_mat(st, x, y, material_at(st, &col, y, &tunnels[CELL_INDEX(x, y)]));
    }

    /* Objects. Distances compare squared integers: sqrt is correctly
     * rounded, so sqrt(d2) > 3 exactly when d2 > 9. */
    for (int x = 0; x < CRAFT_SIZE; x++)
        for (int y = 0; y < CRAFT_SIZE; y++) {
            unsigned m = craft_mat_at(st, x, y);
            if (!(WALK_CREATURE & MAT_BIT(m))) continue;
            int dx = x - CRAFT_START_X, dy = y - CRAFT_START_Y, d2 = dx * dx + dy * dy;
            if (d2 > 9 && m == MAT_GRASS && craft_mt_uniform(&st->rng) > 0.985)
                ludus_craft_add(st, KIND_COW, x, y, 3, 0);
            else if (d2 > 100 && craft_mt_uniform(&st->rng) > 0.993)
                ludus_craft_add(st, KIND_ZOMBIE, x, y, 5, 0);
            else if (m == MAT_PATH && tunnels[CELL_INDEX(x, y)] && craft_mt_uniform(&st->rng) > 0.95)
                ludus_craft_add(st, KIND_SKELETON, x, y, 3, 0);
        }
}
