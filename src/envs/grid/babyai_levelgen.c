/* babyai_levelgen.c: LevelGen, the random instruction generator behind
 * GoToSeq, PickupLoc, Synth*, MiniBossLevel and BossLevel* (spec/minigrid.md
 * §10.4): an optional locked room, a connected maze, distractors, then a
 * random instruction tree whose descriptions are drawn by rejection until
 * they match. Registry parameters:
 *   p[3] distractors, p[4] locked-room probability in percent,
 *   p[5] LG_* flags, p[6] action kinds (LG_ACT_* bits), p[7] instruction
 *   kinds (LG_KIND_* bits); lists keep the reference's order.
 */
#include "babyai.h"

#define RAND_OBJ_MAX_TRIES 100

static const int types_all[4] = {OBJ_BOX, OBJ_BALL, OBJ_KEY, OBJ_DOOR}; /* OBJ_TYPES */
static const int types_door[1] = {OBJ_DOOR};

/* The instruction kinds as _rand_elem sees them. */
enum { KIND_ACTION = 0, KIND_AND, KIND_SEQ };

typedef struct levelgen {
    bab_gen *g;
    int locations, implicit_unlock;
    int actions[4], nactions; /* BI_GOTO.. in the order goto, pickup, open, putnext */
} levelgen;

/* add_locked_room: a locked door on a random inner wall of a random room,
 * its key in another room. color: an encoding colour, or -1 to draw it
 * (MixedTrainLocal passes one, as the BALROG fork's add_locked_room(color)). */
int ludus_bab_add_locked_room(bab_gen *g, int color)
{
    grid_state *st = g->st;
    roomgrid *rg = &g->rg;
    gcell door;
    for (;;) {
        int i = grid_rand_small(st, 0, rg->cols);
        int j = grid_rand_small(st, 0, rg->rows);
        int k = grid_rand_small(st, 0, 4);
        g->locked_i = i;
        g->locked_j = j;
        if (!rg_has_neighbor(rg, i, j, k)) continue;
        door = ludus_rg_add_door(rg, i, j, k, color, 1, NULL, NULL);
        break;
    }
    g->locked_now = 1;
    for (;;) {
        int i = grid_rand_small(st, 0, rg->cols);
        int j = grid_rand_small(st, 0, rg->rows);
        if (i == g->locked_i && j == g->locked_j) continue;
        return ludus_rg_add_object(rg, i, j, OBJ_KEY, GC_COLOR(door), NULL, NULL, NULL);
    }
}

/* rand_obj: a description drawn until it matches something (and, without
 * implicit unlocking, something outside the locked room). GEN_FAIL after
 * 100 tries, as the reference's RecursionError. */
static int rand_obj(levelgen *lg, const int *types, int ntypes, int *out)
{
    bab_gen *g = lg->g;
    grid_state *st = g->st;
    babyai_extra *ex = g->ex;
    const int rs = g->rg.size, step = rs - 1;
    for (int tries = 0;; tries++) {
        if (tries > RAND_OBJ_MAX_TRIES) return GEN_FAIL;
        int c = grid_rand_small(st, 0, 7); /* [None, *COLOR_NAMES] */
        int color = c == 0 ? -1 : ludus_grid_color_names[c - 1];
        int type = types[grid_rand_small(st, 0, ntypes)];
        int loc = -1;
        if (lg->locations && grid_rand_bool(st)) loc = grid_rand_small(st, 0, 4);
        int d = ludus_bab_desc_new(g, type, color, loc);
        bab_desc *desc = &ex->desc[d];
        int count = ludus_bab_match(g->s, st, desc, &g->cells);
        ex->ndesc--; /* kept only when accepted */
        if (count < 0) return BAB_BROKEN; /* cannot happen: see BAB_DESC_CAP */
        if (count == 0) continue;
        if (!lg->implicit_unlock && g->locked_i >= 0) {
            /* The locked room may be stale, from a rejected attempt. */
            int tx = g->locked_i * step, ty = g->locked_j * step, outside = 0;
            for (int k = 0; k < desc->n && !outside; k++)
                outside = desc->px[k] < tx || desc->py[k] < ty || desc->px[k] >= tx + rs || desc->py[k] >= ty + rs;
            if (!outside) continue;
        }
        g->matched |= 1u << ex->ndesc; /* typed, on the final layout: the count is n */
        *out = ex->ndesc++;
        return LUDUS_OK;
    }
}

static int rand_instr(levelgen *lg, const int *kinds, int nkinds, int *out)
{
    bab_gen *g = lg->g;
    grid_state *st = g->st;
    int kind = kinds[grid_rand_small(st, 0, nkinds)];
    if (kind == KIND_ACTION) {
        int action = lg->actions[grid_rand_small(st, 0, lg->nactions)];
        int a, b = -1;
        switch (action) {
        case BI_GOTO: BAB_TRY(rand_obj(lg, types_all, 4, &a)); break;
        case BI_PICKUP: BAB_TRY(rand_obj(lg, types_all, 3, &a)); break;
        case BI_OPEN: BAB_TRY(rand_obj(lg, types_door, 1, &a)); break;
        default:
            BAB_TRY(rand_obj(lg, types_all, 3, &a));
            BAB_TRY(rand_obj(lg, types_all, 4, &b));
            break;
        }
        *out = ludus_bab_action(g, action, a, b, 0);
        return LUDUS_OK;
    }
    static const int only_action[1] = {KIND_ACTION};
    static const int action_or_and[2] = {KIND_ACTION, KIND_AND};
    int a, b;
    if (kind == KIND_AND) {
        BAB_TRY(rand_instr(lg, only_action, 1, &a));
        BAB_TRY(rand_instr(lg, only_action, 1, &b));
        *out = ludus_bab_seq(g, BI_AND, a, b);
        return LUDUS_OK;
    }
    BAB_TRY(rand_instr(lg, action_or_and, 2, &a));
    BAB_TRY(rand_instr(lg, action_or_and, 2, &b));
    int before = grid_rand_small(st, 0, 2) == 0;
    *out = ludus_bab_seq(g, before ? BI_BEFORE : BI_AFTER, a, b);
    return LUDUS_OK;
}

static int lv_levelgen(bab_gen *g)
{
    const grid_spec *s = g->s;
    grid_state *st = g->st;
    levelgen lg = {g, (s->p[5] & BABYAI_LG_LOCATIONS) != 0, (s->p[5] & BABYAI_LG_IMPLICIT_UNLOCK) != 0, {0}, 0};
    static const int action_bits[4][2] = {
        {BABYAI_LG_GOTO, BI_GOTO}, {BABYAI_LG_PICKUP, BI_PICKUP}, {BABYAI_LG_OPEN, BI_OPEN}, {BABYAI_LG_PUTNEXT, BI_PUTNEXT}};
    for (int k = 0; k < 4; k++)
        if (s->p[6] & action_bits[k][0]) lg.actions[lg.nactions++] = action_bits[k][1];
    int kinds[3], nkinds = 0;
    if (s->p[7] & BABYAI_LG_ACTION) kinds[nkinds++] = KIND_ACTION;
    if (s->p[7] & BABYAI_LG_AND) kinds[nkinds++] = KIND_AND;
    if (s->p[7] & BABYAI_LG_SEQ) kinds[nkinds++] = KIND_SEQ;
    g->unblocking = (s->p[5] & BABYAI_LG_UNBLOCKING) != 0;

    if (ludus_rng_uniform(&st->rng, 0.0, 1.0) < s->p[4] / 100.0) BAB_TRY(ludus_bab_add_locked_room(g, -1));
    BAB_TRY(ludus_rg_connect_all(&g->rg, NULL, 0));
    BAB_TRY(ludus_rg_add_distractors(&g->rg, -1, -1, s->p[3], 0, NULL, NULL, NULL));
    for (;;) {
        BAB_TRY(ludus_rg_place_agent(&g->rg, -1, -1, 1));
        if (!g->locked_now || rg_room_i(&g->rg, st->agent_x) != g->locked_i ||
            rg_room_j(&g->rg, st->agent_y) != g->locked_j)
            break;
    }
    /* The layout is final from here. */
    if (!g->unblocking) {
        if (!ludus_bab_reachable_final(g)) return BAB_REJECT;
    } else {
        ludus_bab_cells_build(s, st, &g->cells);
    }
    int root;
    BAB_TRY(rand_instr(&lg, kinds, nkinds, &root));
    g->ex->root = (uint8_t)root;
    return LUDUS_OK;
}
BABYAI_LEVEL(ludus_grid_world_babyai_levelgen, "LevelGen", lv_levelgen, BABYAI_MISSION_CAP_LONG);
