/* check.c: what a Crafter state from outside the library (restored,
 * unpickled, lent by a caller) must satisfy before the step, observation,
 * text, frames or traces read it: the cells and the object list agree
 * (one object per cell, the kind nibble of each cell is its object's), the
 * chunk table and the balancer's per-chunk counts match the map, and every
 * counter, index and stream position is in the range the rules keep it
 * in. The same invariants tests/test_craft_env.c checks over random play.
 */
#include <string.h>

#include "craft.h"

#define BAD(...) ludus_err_set(LUDUS_EFORMAT, __VA_ARGS__)

static int check_objects(const craft_state *st)
{
    if (st->num_objs < 1 || st->num_objs > CRAFT_MAX_OBJS)
        return BAD("%u objects (want 1..%d)", st->num_objs, CRAFT_MAX_OBJS);
    static const uint32_t max_aux[CRAFT_NUM_KINDS] = {
        [KIND_PLAYER] = 0, [KIND_COW] = 0, [KIND_ZOMBIE] = 5, [KIND_SKELETON] = 4, [KIND_ARROW] = DIR_DOWN,
        [KIND_PLANT] = UINT32_MAX};
    uint8_t kinds[CRAFT_CELLS];
    memset(kinds, 0, sizeof kinds);
    for (uint32_t i = 0; i < st->num_objs; i++) {
        const craft_obj *o = &st->objs[i];
        if (o->kind == KIND_NONE || o->kind >= CRAFT_NUM_KINDS || (o->kind == KIND_PLAYER) != (i == 0))
            return BAD("object %u is of kind %d (the player comes first, and only there)", i, o->kind);
        if (o->aux > max_aux[o->kind])
            return BAD("object %u (%s) has aux %u (at most %u)", i, ludus_craft_kind_names[o->kind], o->aux,
                       max_aux[o->kind]);
        if (o->id >= st->next_id || (i && o->id <= st->objs[i - 1].id) || (i == 0 && o->id != 1))
            return BAD("object %u has id %u (ids rise from 1 below the next id %u)", i, o->id, st->next_id);
        if (!craft_inside(o->x, o->y) || kinds[CELL_INDEX(o->x, o->y)])
            return BAD("object %u at (%d, %d) is off the map or on another's cell", i, o->x, o->y);
        kinds[CELL_INDEX(o->x, o->y)] = o->kind;
        if (!(st->chunk_seen >> craft_chunk_of(o->x, o->y) & 1))
            return BAD("object %u stands in a chunk the table never entered", i);
    }
    uint8_t grass[CRAFT_NUM_CHUNKS] = {0}, path[CRAFT_NUM_CHUNKS] = {0};
    for (int x = 0; x < CRAFT_SIZE; x++)
        for (int y = 0; y < CRAFT_SIZE; y++) {
            uint8_t c = st->cells[CELL_INDEX(x, y)];
            if (CELL_MAT(c) < 1 || CELL_MAT(c) >= CRAFT_NUM_MATS)
                return BAD("cell (%d, %d) has material %u", x, y, CELL_MAT(c));
            if (CELL_KIND(c) != kinds[CELL_INDEX(x, y)])
                return BAD("cell (%d, %d) marks kind %u, but the object list puts %u there", x, y, CELL_KIND(c),
                           kinds[CELL_INDEX(x, y)]);
            grass[craft_chunk_of(x, y)] += CELL_MAT(c) == MAT_GRASS;
            path[craft_chunk_of(x, y)] += CELL_MAT(c) == MAT_PATH;
        }
    if (memcmp(grass, st->grass, sizeof grass) || memcmp(path, st->path, sizeof path))
        return BAD("the per-chunk grass and path counts do not match the map");
    return LUDUS_OK;
}

static int check_chunks(const craft_state *st)
{
    uint64_t all = (1ull << CRAFT_NUM_CHUNKS) - 1, seen = 0;
    if (st->chunk_seen & ~all) return BAD("chunk bits beyond the %d chunks", CRAFT_NUM_CHUNKS);
    if (st->num_chunks > CRAFT_NUM_CHUNKS) return BAD("%d chunks in the table", st->num_chunks);
    for (int k = 0; k < st->num_chunks; k++) {
        int c = st->chunk_order[k];
        if (c >= CRAFT_NUM_CHUNKS || (seen >> c & 1)) return BAD("chunk table entry %d is %d", k, c);
        seen |= 1ull << c;
    }
    if (seen != st->chunk_seen) return BAD("the chunk table and its bit set disagree");
    return LUDUS_OK;
}

static int check_player(const craft_state *st)
{
    for (int k = 0; k < CRAFT_NUM_ITEMS; k++)
        if (st->inv[k] < 0 || st->inv[k] > CRAFT_ITEM_MAX)
            return BAD("inventory %s is %d (want 0..%d)", ludus_craft_item_names[k], st->inv[k], CRAFT_ITEM_MAX);
    if (st->facing > DIR_DOWN || st->sleeping > 1 || st->night_valid > 1 ||
        st->py_float > (PYF_HUNGER | PYF_THIRST | PYF_RECOVER))
        return BAD("facing %d, sleeping %d, night %d, float flags %d", st->facing, st->sleeping, st->night_valid,
                   st->py_float);
    if (st->last_health > CRAFT_ITEM_MAX || st->env_last_health > CRAFT_ITEM_MAX)
        return BAD("last health %d and %d (want 0..%d)", st->last_health, st->env_last_health, CRAFT_ITEM_MAX);
    /* the ranges life_stats keeps the counters in (half units) */
    if (st->hunger2 < 0 || st->hunger2 > 50 || st->thirst2 < 0 || st->thirst2 > 40 || st->fatigue < -10 ||
        st->fatigue > 30 || st->recover2 < -30 || st->recover2 > 50)
        return BAD("hunger %d, thirst %d, fatigue %d, recover %d out of range", st->hunger2, st->thirst2, st->fatigue,
                   st->recover2);
    uint32_t mask = 0;
    for (int a = 0; a < CRAFT_NUM_ACH; a++) mask |= (uint32_t)(st->ach[a] > 0) << a;
    if (st->ach_mask != mask || (st->unlocked & ~mask))
        return BAD("achievement bits %#x and %#x disagree with the counts (%#x)", st->ach_mask, st->unlocked, mask);
    return LUDUS_OK;
}

int ludus_craft_validate(const ludus_env *env, const void *state)
{
    (void)env;
    const craft_state *st = state;
    int rc = check_chunks(st);
    if (!rc) rc = check_objects(st);
    if (!rc) rc = check_player(st);
    if (rc) return rc;
    if (st->rng.pos > CRAFT_MT_N || (st->night_valid && st->night_rng.pos > CRAFT_MT_N))
        return BAD("random stream position %u / %u (at most %d)", st->rng.pos, st->night_rng.pos, CRAFT_MT_N);
    /* exact: daylight is a function of the step, and frames scale by it */
    if (!(st->daylight == ludus_craft_daylight(st->step)))
        return BAD("daylight %g is not that of step %u", st->daylight, st->step);
    return LUDUS_OK;
}
