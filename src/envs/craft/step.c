/* step.c: Crafter's rules (spec/crafter.md §5-10): reset, the player, the
 * creatures, the chunk balancer and the step order. Each creature draws
 * from the one episode stream in the reference's order, a creature that
 * died finishes its update (quirk 2), and despawns pick the j-th creature
 * in creation order (the one patch the spec makes to the reference).
 */
#include <math.h>
#include <string.h>

#include "craft.h"

#define PI 3.141592653589793 /* numpy.pi */

double ludus_craft_daylight(uint32_t step)
{
    double progress = fmod((double)step / 300, 1) + 0.3;
    return 1 - pow(fabs(cos(PI * progress)), 3);
}

void ludus_craft_reset_state(craft_state *st, uint64_t seed, uint32_t episode)
{
    env_state_header hdr = st->hdr;
    memset(st, 0, sizeof *st);
    st->hdr = hdr;
    st->seed = seed;
    st->episode = episode;
    st->world_seed = ludus_craft_world_seed(seed, episode);
    ludus_craft_mt_seed(&st->rng, st->world_seed);
    st->daylight = ludus_craft_daylight(0);
    st->facing = DIR_DOWN;
    for (int i = 0; i < CRAFT_NUM_VITALS; i++) st->inv[i] = CRAFT_ITEM_MAX;
    st->last_health = st->env_last_health = CRAFT_ITEM_MAX;
    st->next_id = 1;
    ludus_craft_add(st, KIND_PLAYER, CRAFT_START_X, CRAFT_START_Y, 0, 0);
    ludus_craft_worldgen(st);
}

/* ---- shared creature helpers ---- */

static inline int is_free(const craft_state *st, int x, int y, unsigned walkable)
{
    if (!craft_inside(x, y)) return 0;
    uint8_t c = st->cells[CELL_INDEX(x, y)];
    return CELL_KIND(c) == KIND_NONE && (walkable & MAT_BIT(CELL_MAT(c)));
}

/* Object.move: reports whether the target was free; only a creature still
 * in the world actually moves (world.move ignores removed objects). */
static int try_move(craft_state *st, int i, int dx, int dy, unsigned walkable, int gone)
{
    const craft_obj *o = &st->objs[i];
    int tx = o->x + dx, ty = o->y + dy;
    if (!is_free(st, tx, ty, walkable)) return 0;
    if (!gone) ludus_craft_move(st, i, tx, ty);
    return 1;
}

static inline int sign(int v) { return (v > 0) - (v < 0); }

/* toward(target, long_axis): a unit step along one axis, possibly (0,0). */
static void toward(const craft_obj *o, int tx, int ty, int long_axis, int *dx, int *dy)
{
    int ox = tx - o->x, oy = ty - o->y;
    int ax = ox < 0 ? -ox : ox, ay = oy < 0 ? -oy : oy;
    if (long_axis ? ax > ay : ax <= ay) {
        *dx = sign(ox);
        *dy = 0;
    } else {
        *dx = 0;
        *dy = sign(oy);
    }
}

static void random_move(craft_state *st, int i, int gone)
{
    uint32_t d = ludus_craft_mt_randint(&st->rng, 4);
    try_move(st, i, ludus_craft_dir_dx[d], ludus_craft_dir_dy[d], WALK_CREATURE, gone);
}

static void damage(craft_state *st, int i, int amount)
{
    if (i == 0) {
        int h = st->inv[ITEM_HEALTH] - amount;
        st->inv[ITEM_HEALTH] = (int8_t)(h < 0 ? 0 : h);
    } else {
        int h = st->objs[i].health - amount;
        st->objs[i].health = (uint8_t)(h < 0 ? 0 : h);
    }
}

static inline void achieve(craft_state *st, int a)
{
    st->ach[a]++;
    st->ach_mask |= 1u << a;
}

/* ---- the player (spec §6) ---- */

static void do_object(craft_state *st, int target)
{
    craft_obj *o = &st->objs[target];
    int dmg = 1;
    if (st->inv[ITEM_WOOD_SWORD] > 0) dmg = 2;
    if (st->inv[ITEM_STONE_SWORD] > 0) dmg = 3;
    if (st->inv[ITEM_IRON_SWORD] > 0) dmg = 5;
    switch (o->kind) {
    case KIND_PLANT:
        if (o->aux > 300) {
            o->aux = 0;
            st->inv[ITEM_FOOD] += 4;
            achieve(st, ACH_EAT_PLANT);
        }
        break;
    case KIND_ZOMBIE:
        damage(st, target, dmg);
        if (o->health == 0) achieve(st, ACH_DEFEAT_ZOMBIE);
        break;
    case KIND_SKELETON:
        damage(st, target, dmg);
        if (o->health == 0) achieve(st, ACH_DEFEAT_SKELETON);
        break;
    case KIND_COW:
        damage(st, target, dmg);
        if (o->health == 0) {
            st->inv[ITEM_FOOD] += 6;
            achieve(st, ACH_EAT_COW);
            st->hunger2 = 0;
            st->py_float &= (uint8_t)~PYF_HUNGER;
        }
        break;
    default: break; /* the player and arrows */
    }
}

/* The collect table: what each material needs, gives and leaves. */
typedef struct collect_rule {
    int8_t requires;   /* item that must be held, -1 for none */
    int8_t gives;      /* item +1 */
    uint8_t leaves;    /* material left behind */
    int8_t ach;
    double probability;
} collect_rule;

static const collect_rule collect_rules[CRAFT_NUM_MATS] = {
    [MAT_TREE] = {-1, ITEM_WOOD, MAT_GRASS, ACH_COLLECT_WOOD, 1},
    [MAT_STONE] = {ITEM_WOOD_PICKAXE, ITEM_STONE, MAT_PATH, ACH_COLLECT_STONE, 1},
    [MAT_COAL] = {ITEM_WOOD_PICKAXE, ITEM_COAL, MAT_PATH, ACH_COLLECT_COAL, 1},
    [MAT_IRON] = {ITEM_STONE_PICKAXE, ITEM_IRON, MAT_PATH, ACH_COLLECT_IRON, 1},
    [MAT_DIAMOND] = {ITEM_IRON_PICKAXE, ITEM_DIAMOND, MAT_PATH, ACH_COLLECT_DIAMOND, 1},
    [MAT_WATER] = {-1, ITEM_DRINK, MAT_WATER, ACH_COLLECT_DRINK, 1},
    [MAT_GRASS] = {-1, ITEM_SAPLING, MAT_GRASS, ACH_COLLECT_SAPLING, 0.1},
};

static void do_material(craft_state *st, int tx, int ty, unsigned mat)
{
    if (mat == MAT_WATER) {
        st->thirst2 = 0;
        st->py_float &= (uint8_t)~PYF_THIRST;
    }
    const collect_rule *r = &collect_rules[mat];
    if (r->gives == 0) return; /* not collectable (no rule gives health) */
    if (r->requires >= 0 && st->inv[r->requires] < 1) return;
    ludus_craft_set_mat(st, tx, ty, r->leaves);
    if (craft_mt_uniform(&st->rng) <= r->probability) {
        st->inv[r->gives] += 1;
        achieve(st, r->ach);
    }
}

static void place(craft_state *st, int action, int tx, int ty, unsigned mat)
{
    if (craft_kind_at(st, tx, ty) != KIND_NONE) return;
    unsigned where = MAT_BIT(MAT_GRASS) | MAT_BIT(MAT_SAND) | MAT_BIT(MAT_PATH);
    int item = ITEM_STONE, amount = 1, ach = ACH_PLACE_STONE;
    unsigned result = MAT_STONE;
    switch (action) {
    case ACT_PLACE_STONE: where |= MAT_BIT(MAT_WATER) | MAT_BIT(MAT_LAVA); break;
    case ACT_PLACE_TABLE: item = ITEM_WOOD; amount = 2; ach = ACH_PLACE_TABLE; result = MAT_TABLE; break;
    case ACT_PLACE_FURNACE: amount = 4; ach = ACH_PLACE_FURNACE; result = MAT_FURNACE; break;
    default: where = MAT_BIT(MAT_GRASS); item = ITEM_SAPLING; ach = ACH_PLACE_PLANT; result = MAT_NONE; break;
    }
    if (!(where & MAT_BIT(mat)) || mat == MAT_NONE) return;
    if (st->inv[item] < amount) return;
    st->inv[item] = (int8_t)(st->inv[item] - amount);
    if (result != MAT_NONE) ludus_craft_set_mat(st, tx, ty, result);
    else ludus_craft_add(st, KIND_PLANT, tx, ty, 1, 0);
    achieve(st, ach);
}

/* The recipes, in action order from make_wood_pickaxe. */
static const struct recipe {
    int8_t wood, stone, coal, iron, furnace, gives, ach;
} recipes[6] = {
    {1, 0, 0, 0, 0, ITEM_WOOD_PICKAXE, ACH_MAKE_WOOD_PICKAXE},
    {1, 1, 0, 0, 0, ITEM_STONE_PICKAXE, ACH_MAKE_STONE_PICKAXE},
    {1, 0, 1, 1, 1, ITEM_IRON_PICKAXE, ACH_MAKE_IRON_PICKAXE},
    {1, 0, 0, 0, 0, ITEM_WOOD_SWORD, ACH_MAKE_WOOD_SWORD},
    {1, 1, 0, 0, 0, ITEM_STONE_SWORD, ACH_MAKE_STONE_SWORD},
    {1, 0, 1, 1, 1, ITEM_IRON_SWORD, ACH_MAKE_IRON_SWORD},
};

static void make(craft_state *st, int action)
{
    const struct recipe *r = &recipes[action - ACT_MAKE_WOOD_PICKAXE];
    int px = st->objs[0].x, py = st->objs[0].y;
    /* "Nearby" is the reference's slice [x-1 : x+2] of the map: a start of
     * -1 makes the slice empty (quirk 8), the end is cut at the border. */
    unsigned nearby = 0;
    if (px > 0 && py > 0)
        for (int x = px - 1; x <= px + 1 && x < CRAFT_SIZE; x++)
            for (int y = py - 1; y <= py + 1 && y < CRAFT_SIZE; y++)
                nearby |= MAT_BIT(craft_mat_at(st, x, y));
    if (!(nearby & MAT_BIT(MAT_TABLE))) return;
    if (r->furnace && !(nearby & MAT_BIT(MAT_FURNACE))) return;
    if (st->inv[ITEM_WOOD] < r->wood || st->inv[ITEM_STONE] < r->stone || st->inv[ITEM_COAL] < r->coal ||
        st->inv[ITEM_IRON] < r->iron)
        return;
    st->inv[ITEM_WOOD] = (int8_t)(st->inv[ITEM_WOOD] - r->wood);
    st->inv[ITEM_STONE] = (int8_t)(st->inv[ITEM_STONE] - r->stone);
    st->inv[ITEM_COAL] = (int8_t)(st->inv[ITEM_COAL] - r->coal);
    st->inv[ITEM_IRON] = (int8_t)(st->inv[ITEM_IRON] - r->iron);
    st->inv[r->gives] += 1;
    achieve(st, r->ach);
}

static void life_stats(craft_state *st)
{
    int step2 = st->sleeping ? 1 : 2; /* half units */
    if (st->sleeping) st->py_float |= PYF_HUNGER | PYF_THIRST;
    st->hunger2 = (int16_t)(st->hunger2 + step2);
    if (st->hunger2 > 50) {
        st->hunger2 = 0;
        st->py_float &= (uint8_t)~PYF_HUNGER;
        st->inv[ITEM_FOOD] -= 1;
    }
    st->thirst2 = (int16_t)(st->thirst2 + step2);
    if (st->thirst2 > 40) {
        st->thirst2 = 0;
        st->py_float &= (uint8_t)~PYF_THIRST;
        st->inv[ITEM_DRINK] -= 1;
    }
    if (st->sleeping) st->fatigue = (int16_t)(st->fatigue - 1 < 0 ? st->fatigue - 1 : 0);
    else st->fatigue++;
    if (st->fatigue < -10) {
        st->fatigue = 0;
        st->inv[ITEM_ENERGY] += 1;
    }
    if (st->fatigue > 30) {
        st->fatigue = 0;
        st->inv[ITEM_ENERGY] -= 1;
    }
    /* Necessities are checked on the unclamped values (spec §6.5). */
    int ok = st->inv[ITEM_FOOD] > 0 && st->inv[ITEM_DRINK] > 0 && (st->inv[ITEM_ENERGY] > 0 || st->sleeping);
    if (ok) {
        st->recover2 = (int16_t)(st->recover2 + (st->sleeping ? 4 : 2));
    } else {
        if (st->sleeping) st->py_float |= PYF_RECOVER;
        st->recover2 = (int16_t)(st->recover2 - (st->sleeping ? 1 : 2));
    }
    if (st->recover2 > 50) {
        st->recover2 = 0;
        st->py_float &= (uint8_t)~PYF_RECOVER;
        st->inv[ITEM_HEALTH] += 1;
    }
    if (st->recover2 < -30) {
        st->recover2 = 0;
        st->py_float &= (uint8_t)~PYF_RECOVER;
        damage(st, 0, 1);
    }
}

static void player_update(craft_state *st, int action)
{
    craft_obj *p = &st->objs[0];
    int tx = p->x + ludus_craft_dir_dx[st->facing], ty = p->y + ludus_craft_dir_dy[st->facing];
    unsigned mat = craft_mat_at(st, tx, ty), kind = craft_kind_at(st, tx, ty);
    if (st->sleeping) {
        if (st->inv[ITEM_ENERGY] < CRAFT_ITEM_MAX) {
            action = ACT_SLEEP;
        } else {
            st->sleeping = 0;
            achieve(st, ACH_WAKE_UP);
        }
    }
    switch (action) {
    case ACT_NOOP: break;
    case ACT_MOVE_LEFT:
    case ACT_MOVE_RIGHT:
    case ACT_MOVE_UP:
    case ACT_MOVE_DOWN:
        st->facing = (uint8_t)(action - ACT_MOVE_LEFT);
        try_move(st, 0, ludus_craft_dir_dx[st->facing], ludus_craft_dir_dy[st->facing], WALK_PLAYER, 0);
        if (craft_mat_at(st, p->x, p->y) == MAT_LAVA) st->inv[ITEM_HEALTH] = 0;
        break;
    case ACT_DO:
        if (kind != KIND_NONE) {
            int target = ludus_craft_find(st, tx, ty);
            if (target >= 0) do_object(st, target);
        } else {
            do_material(st, tx, ty, mat);
        }
        break;
    case ACT_SLEEP:
        if (st->inv[ITEM_ENERGY] < CRAFT_ITEM_MAX) st->sleeping = 1;
        break;
    case ACT_PLACE_STONE:
    case ACT_PLACE_TABLE:
    case ACT_PLACE_FURNACE:
    case ACT_PLACE_PLANT: place(st, action, tx, ty, mat); break;
    default: make(st, action); break;
    }
    life_stats(st);
    for (int i = 0; i < CRAFT_NUM_ITEMS; i++) {
        if (st->inv[i] < 0) st->inv[i] = 0;
        if (st->inv[i] > CRAFT_ITEM_MAX) st->inv[i] = CRAFT_ITEM_MAX;
    }
    /* Wake when hurt; damage dealt later this step is seen next step. */
    if (st->inv[ITEM_HEALTH] < st->last_health) st->sleeping = 0;
    st->last_health = (uint8_t)st->inv[ITEM_HEALTH];
}

/* ---- creatures (spec §7). Each returns 1 when it removed itself. ---- */

static int cow_update(craft_state *st, int i)
{
    int gone = st->objs[i].health == 0;
    if (gone) ludus_craft_vacate(st, i);
    if (craft_mt_uniform(&st->rng) < 0.5) random_move(st, i, gone);
    return gone;
}

static int zombie_update(craft_state *st, int i)
{
    craft_obj *o = &st->objs[i];
    const craft_obj *p = &st->objs[0];
    int gone = o->health == 0;
    if (gone) ludus_craft_vacate(st, i);
    int d = craft_dist(o->x, o->y, p->x, p->y);
    if (d <= 8 && craft_mt_uniform(&st->rng) < 0.9) {
        int dx, dy;
        toward(o, p->x, p->y, craft_mt_uniform(&st->rng) < 0.8, &dx, &dy);
        try_move(st, i, dx, dy, WALK_CREATURE, gone);
    } else {
        random_move(st, i, gone);
    }
    d = craft_dist(o->x, o->y, p->x, p->y);
    if (d <= 1) {
        if (o->aux) {
            o->aux--;
        } else {
            damage(st, 0, st->sleeping ? 7 : 2);
            o->aux = 5;
        }
    }
    return gone;
}

static void shoot(craft_state *st, int i, int dx, int dy)
{
    craft_obj *o = &st->objs[i];
    if (o->aux > 0 || (dx == 0 && dy == 0)) return;
    int x = o->x + dx, y = o->y + dy;
    if (!is_free(st, x, y, WALK_ARROW)) return;
    int dir = dx < 0 ? DIR_LEFT : dx > 0 ? DIR_RIGHT : dy < 0 ? DIR_UP : DIR_DOWN;
    ludus_craft_add(st, KIND_ARROW, x, y, 0, (uint32_t)dir);
    st->objs[i].aux = 4; /* ludus_craft_add may not move objs[i]: it appends */
}

static int skeleton_update(craft_state *st, int i)
{
    craft_obj *o = &st->objs[i];
    const craft_obj *p = &st->objs[0];
    int gone = o->health == 0;
    if (gone) ludus_craft_vacate(st, i);
    if (o->aux > 0) o->aux--;
    int d = craft_dist(o->x, o->y, p->x, p->y);
    int dx, dy;
    if (d <= 3) {
        toward(o, p->x, p->y, craft_mt_uniform(&st->rng) < 0.6, &dx, &dy);
        if (try_move(st, i, -dx, -dy, WALK_CREATURE, gone)) return gone;
    }
    if (d <= 5 && craft_mt_uniform(&st->rng) < 0.5) {
        toward(o, p->x, p->y, 1, &dx, &dy);
        shoot(st, i, dx, dy);
    } else if (d <= 8 && craft_mt_uniform(&st->rng) < 0.3) {
        toward(o, p->x, p->y, craft_mt_uniform(&st->rng) < 0.6, &dx, &dy);
        try_move(st, i, dx, dy, WALK_CREATURE, gone);
    } else if (craft_mt_uniform(&st->rng) < 0.2) {
        random_move(st, i, gone);
    }
    return gone;
}

static int arrow_update(craft_state *st, int i)
{
    craft_obj *o = &st->objs[i];
    int dx = ludus_craft_dir_dx[o->aux], dy = ludus_craft_dir_dy[o->aux];
    int tx = o->x + dx, ty = o->y + dy;
    unsigned mat = craft_mat_at(st, tx, ty);
    if (craft_kind_at(st, tx, ty) != KIND_NONE) {
        int target = ludus_craft_find(st, tx, ty);
        if (target >= 0) damage(st, target, 2);
        ludus_craft_vacate(st, i);
        return 1;
    }
    if (!(WALK_ARROW & MAT_BIT(mat)) || mat == MAT_NONE) {
        ludus_craft_vacate(st, i);
        if (mat == MAT_TABLE || mat == MAT_FURNACE) ludus_craft_set_mat(st, tx, ty, MAT_PATH);
        return 1;
    }
    try_move(st, i, dx, dy, WALK_ARROW, 0);
    return 0;
}

static int plant_update(craft_state *st, int i)
{
    craft_obj *o = &st->objs[i];
    o->aux++;
    for (int d = 0; d < 4; d++) {
        unsigned k = craft_kind_at(st, o->x + ludus_craft_dir_dx[d], o->y + ludus_craft_dir_dy[d]);
        if (k == KIND_ZOMBIE || k == KIND_SKELETON || k == KIND_COW) {
            damage(st, i, 1);
            break;
        }
    }
    if (o->health == 0) {
        ludus_craft_vacate(st, i);
        return 1;
    }
    return 0;
}

/* ---- the chunk balancer (spec §8) ---- */

typedef struct balance_rule {
    uint8_t kind, material, health;
    uint8_t spawn_dist, despawn_dist;
    double p_spawn, p_despawn;
} balance_rule;

static const balance_rule balance_rules[3] = {
    {KIND_ZOMBIE, MAT_GRASS, 5, 6, 0, 0.3, 0.4},
    {KIND_SKELETON, MAT_PATH, 3, 7, 7, 0.1, 0.1},
    {KIND_COW, MAT_GRASS, 3, 5, 5, 0.01, 0.1},
};

static void balance_one(craft_state *st, int chunk, const balance_rule *r, int count, int space)
{
    double light = st->daylight, tmin, tmax;
    if (r->kind == KIND_ZOMBIE) {
        tmin = space < 50 ? 0 : 3.5 - 3 * light;
        tmax = 3.5 - 3 * light;
    } else if (r->kind == KIND_SKELETON) {
        tmin = space < 6 ? 0 : 1;
        tmax = 2;
    } else {
        tmin = space < 30 ? 0 : 1;
        tmax = 1.5 + light;
    }
    const craft_obj *p = &st->objs[0];
    int key[4];
    ludus_craft_chunk_key(chunk, key);
    if (count < (int)tmin && craft_mt_uniform(&st->rng) < r->p_spawn) {
        /* The cells of the spawn material, x-major. */
        uint32_t pick = ludus_craft_mt_randint(&st->rng, (uint32_t)space);
        for (int x = key[0]; x < key[1]; x++)
            for (int y = key[2]; y < key[3]; y++) {
                if (craft_mat_at(st, x, y) != r->material || pick-- != 0) continue;
                if (craft_kind_at(st, x, y) == KIND_NONE && craft_dist(p->x, p->y, x, y) >= r->spawn_dist)
                    ludus_craft_add(st, r->kind, x, y, r->health, 0);
                return;
            }
    } else if (count > (int)tmax && craft_mt_uniform(&st->rng) < r->p_despawn) {
        uint32_t pick = ludus_craft_mt_randint(&st->rng, (uint32_t)count);
        for (uint32_t i = 1; i < st->num_objs; i++) {
            const craft_obj *o = &st->objs[i];
            if (o->kind != r->kind || craft_chunk_of(o->x, o->y) != chunk || pick-- != 0) continue;
            if (craft_dist(p->x, p->y, o->x, o->y) >= r->despawn_dist) {
                ludus_craft_vacate(st, (int)i);
                ludus_craft_drop(st, (int)i);
            }
            return;
        }
    }
}

static void balance(craft_state *st)
{
    uint16_t counts[CRAFT_NUM_CHUNKS][3];
    memset(counts, 0, sizeof counts);
    for (uint32_t i = 1; i < st->num_objs; i++) {
        const craft_obj *o = &st->objs[i];
        int r = o->kind == KIND_ZOMBIE ? 0 : o->kind == KIND_SKELETON ? 1 : o->kind == KIND_COW ? 2 : -1;
        if (r >= 0) counts[craft_chunk_of(o->x, o->y)][r]++;
    }
    /* Spawns and despawns in one chunk never change another chunk's
     * counts, nor this chunk's counts of the other classes. */
    for (int k = 0; k < st->num_chunks; k++) {
        int c = st->chunk_order[k];
        for (int r = 0; r < 3; r++) {
            int space = balance_rules[r].material == MAT_GRASS ? st->grass[c] : st->path[c];
            balance_one(st, c, &balance_rules[r], counts[c][r], space);
        }
    }
}

/* ---- the step (spec §10) ---- */

void ludus_craft_step(const craft_spec *s, craft_state *st, int action, ludus_step_out *out)
{
    st->step++;
    st->daylight = ludus_craft_daylight(st->step);

    /* The update loop visits the objects alive now, in creation order;
     * objects created during it wait for the next step. */
    uint32_t n = st->num_objs;
    for (uint32_t i = 0; i < n;) {
        const craft_obj *o = &st->objs[i], *p = &st->objs[0];
        int removed = 0;
        if (craft_dist(o->x, o->y, p->x, p->y) < CRAFT_UPDATE_RADIUS) {
            switch (o->kind) {
            case KIND_PLAYER: player_update(st, action); break;
            case KIND_COW: removed = cow_update(st, (int)i); break;
            case KIND_ZOMBIE: removed = zombie_update(st, (int)i); break;
            case KIND_SKELETON: removed = skeleton_update(st, (int)i); break;
            case KIND_ARROW: removed = arrow_update(st, (int)i); break;
            case KIND_PLANT: removed = plant_update(st, (int)i); break;
            default: break;
            }
        }
        if (removed) {
            ludus_craft_drop(st, (int)i);
            n--;
        } else {
            i++;
        }
    }
    if (st->step % CRAFT_BALANCE_EVERY == 0) balance(st);

    /* The reference's frame draws its night noise from the game stream
     * (quirk 1): exact mode consumes those words, image or not, and keeps
     * the stream as it was so a frame can redraw the same noise. */
    st->night_valid = 0;
    if (st->daylight < 0.5 && s->mode == CRAFT_MODE_EXACT) {
        st->night_rng = st->rng;
        st->night_valid = 1;
        ludus_craft_mt_advance(&st->rng, CRAFT_NIGHT_WORDS);
    }

    int health = st->inv[ITEM_HEALTH];
    double reward = (double)(health - st->env_last_health) / 10;
    st->env_last_health = (uint8_t)health;
    uint32_t fresh = st->ach_mask & ~st->unlocked;
    if (fresh) {
        st->unlocked |= fresh;
        reward += 1.0;
    }
    out->reward = s->reward ? reward : 0.0;
    out->terminated = health <= 0;
    out->truncated = s->length && st->step >= s->length;
    out->success = 0;
    out->reserved = 0;
    out->achievements = fresh;
}
