/* world.c: Crafter's world primitives (the reference's engine.World): the
 * name tables, material writes that keep the balancer's per-chunk counts,
 * and the object list. The list holds live objects in creation order, so
 * "the j-th creature of a chunk" (the despawn order the spec fixes) is a
 * scan, and removal is a memmove that keeps that order.
 */
#include <string.h>

#include "craft.h"

const int8_t ludus_craft_dir_dx[4] = {-1, 1, 0, 0};
const int8_t ludus_craft_dir_dy[4] = {0, 0, -1, 1};

const char *const ludus_craft_mat_names[CRAFT_NUM_MATS] = {
    "none", "water", "grass", "stone", "path", "sand", "tree", "lava", "coal", "iron", "diamond",
    "table", "furnace"};

const char *const ludus_craft_kind_names[CRAFT_NUM_KINDS] = {"none",     "player", "cow",  "zombie",
                                                       "skeleton", "arrow",  "plant"};

const char *const ludus_craft_item_names[CRAFT_NUM_ITEMS] = {
    "health", "food", "drink", "energy", "sapling", "wood", "stone", "coal", "iron", "diamond",
    "wood_pickaxe", "stone_pickaxe", "iron_pickaxe", "wood_sword", "stone_sword", "iron_sword"};

const char *const ludus_craft_ach_names[CRAFT_NUM_ACH] = {
    "collect_coal", "collect_diamond", "collect_drink", "collect_iron", "collect_sapling",
    "collect_stone", "collect_wood", "defeat_skeleton", "defeat_zombie", "eat_cow", "eat_plant",
    "make_iron_pickaxe", "make_iron_sword", "make_stone_pickaxe", "make_stone_sword",
    "make_wood_pickaxe", "make_wood_sword", "place_furnace", "place_plant", "place_stone",
    "place_table", "wake_up"};

const char *const ludus_craft_action_names[CRAFT_NUM_ACTIONS] = {
    "noop", "move_left", "move_right", "move_up", "move_down", "do", "sleep", "place_stone",
    "place_table", "place_furnace", "place_plant", "make_wood_pickaxe", "make_stone_pickaxe",
    "make_iron_pickaxe", "make_wood_sword", "make_stone_sword", "make_iron_sword"};

void ludus_craft_set_mat(craft_state *st, int x, int y, unsigned mat)
{
    uint8_t *c = &st->cells[CELL_INDEX(x, y)];
    unsigned old = CELL_MAT(*c);
    int ch = craft_chunk_of(x, y);
    st->grass[ch] = (uint8_t)(st->grass[ch] - (old == MAT_GRASS) + (mat == MAT_GRASS));
    st->path[ch] = (uint8_t)(st->path[ch] - (old == MAT_PATH) + (mat == MAT_PATH));
    *c = (uint8_t)((*c & 0xf0u) | mat);
}

/* A chunk key enters the table the first time an object is in it. */
static void chunk_touch(craft_state *st, int x, int y)
{
    int ch = craft_chunk_of(x, y);
    uint64_t bit = 1ull << ch;
    if (st->chunk_seen & bit) return;
    st->chunk_seen |= bit;
    st->chunk_order[st->num_chunks++] = (uint8_t)ch;
}

int ludus_craft_add(craft_state *st, unsigned kind, int x, int y, unsigned health, uint32_t aux)
{
    /* Objects stand on distinct cells, and the one that may have left its
     * cell during its own update is still counted: the list never holds
     * more than the area. The test keeps memory safe regardless. */
    if (LUDUS_UNLIKELY(st->num_objs >= CRAFT_MAX_OBJS)) return -1;
    int i = (int)st->num_objs++;
    craft_obj *o = &st->objs[i];
    o->id = st->next_id++;
    o->aux = aux;
    o->kind = (uint8_t)kind;
    o->x = (uint8_t)x;
    o->y = (uint8_t)y;
    o->health = (uint8_t)health;
    uint8_t *c = &st->cells[CELL_INDEX(x, y)];
    *c = (uint8_t)((*c & 0x0fu) | (kind << 4));
    chunk_touch(st, x, y);
    return i;
}

int ludus_craft_find(const craft_state *st, int x, int y)
{
    for (uint32_t i = 0; i < st->num_objs; i++)
        if (st->objs[i].x == x && st->objs[i].y == y) return (int)i;
    return -1;
}

void ludus_craft_move(craft_state *st, int i, int x, int y)
{
    craft_obj *o = &st->objs[i];
    st->cells[CELL_INDEX(o->x, o->y)] &= 0x0fu;
    uint8_t *c = &st->cells[CELL_INDEX(x, y)];
    *c = (uint8_t)((*c & 0x0fu) | ((unsigned)o->kind << 4));
    o->x = (uint8_t)x;
    o->y = (uint8_t)y;
    chunk_touch(st, x, y);
}

void ludus_craft_vacate(craft_state *st, int i)
{
    const craft_obj *o = &st->objs[i];
    st->cells[CELL_INDEX(o->x, o->y)] &= 0x0fu;
}

void ludus_craft_drop(craft_state *st, int i)
{
    st->num_objs--;
    memmove(&st->objs[i], &st->objs[i + 1], (st->num_objs - (uint32_t)i) * sizeof st->objs[0]);
    memset(&st->objs[st->num_objs], 0, sizeof st->objs[0]); /* keep the block canonical */
}

void ludus_craft_chunk_key(int c, int key[4])
{
    int cx = c / CRAFT_CHUNK_SIDE, cy = c % CRAFT_CHUNK_SIDE;
    key[0] = cx * CRAFT_CHUNK;
    key[1] = key[0] + CRAFT_CHUNK < CRAFT_SIZE ? key[0] + CRAFT_CHUNK : CRAFT_SIZE;
    key[2] = cy * CRAFT_CHUNK;
    key[3] = key[2] + CRAFT_CHUNK < CRAFT_SIZE ? key[2] + CRAFT_CHUNK : CRAFT_SIZE;
}
