/* worldgen.c: Crafter's world generation (spec/crafter.md §4): a material
 * pass and an object pass over the 64x64 area, both x-major, drawing from
 * the episode stream exactly where the reference does (every U() sits
 * behind the same short-circuit). Noise fields that cannot change a cell's
 * material are skipped: they have no side effects, and skipping them keeps
 * a reset well under a millisecond.
 */
#include <math.h>
#include <string.h>

#include "craft.h"

/* The reference's noise helper for one size: noise3(x/size, y/size, z). */
static inline double noise_at(const craft_noise *n, double x, double y, double z, double size)
{
    return craft_noise3(n, x / size, y / size, z);
}

static unsigned material_at(craft_state *st, const craft_noise *n, int x, int y, uint8_t *tunnel)
{
    const double fx = x, fy = y;
    int ddx = x - CRAFT_START_X, ddy = y - CRAFT_START_Y;
    double start = 4 - sqrt((double)(ddx * ddx + ddy * ddy));
    start += 2 * noise_at(n, fx, fy, 8, 3);
    start = 1 / (1 + exp(-start));
    if (start > 0.5) return MAT_GRASS;

    double water = noise_at(n, fx, fy, 3, 15);
    water += 0.15 * noise_at(n, fx, fy, 3, 5);
    water += 0.1;
    water -= 2 * start;
    double mountain = noise_at(n, fx, fy, 0, 15);
    mountain += 0.3 * noise_at(n, fx, fy, 0, 5);
    mountain /= 1 + 0.3;
    mountain -= 4 * start + 0.3 * water;

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
    for (int x = 0; x < CRAFT_SIZE; x++)
        for (int y = 0; y < CRAFT_SIZE; y++)
            craft_set_mat(st, x, y, material_at(st, &noise, x, y, &tunnels[CELL_INDEX(x, y)]));

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
