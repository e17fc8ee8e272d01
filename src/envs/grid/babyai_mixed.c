/* babyai_mixed.c: Level_MixedTrainLocal, the level BALROG's five BabyAI
 * tasks come from. It lives in the minigrid fork BALROG installs
 * (BartekCupial/Minigrid @ cf73dd1, minigrid/envs/babyai/mixed_seq_levels.py,
 * itself from flowersteam/Grounding_LLMs_with_online_RL), not in Farama's
 * minigrid 3.1.0. Facts of the reference this follows:
 *
 * - The constructor draws one action kind from [goto, pickup, open, putnext,
 *   "pick up seq go to"] with an UNSEEDED generator (before any reset), and
 *   the kind fixes the room grid (open: 2 rooms side by side, else one).
 *   BALROG makes environments until the kind equals its task's suffix, then
 *   resets with a seed, so each (kind, seed) is a pure function: ludus
 *   registers one id per kind, BALROG's task names
 *   `BabyAI-MixedTrainLocal-v0/<kind>`, and no id for the unseeded mixture.
 * - gen_mission draws `_rand_elem(action_kinds)` over a list of one (no
 *   draw), then loops until the mission is accepted and every object is
 *   reachable; each pass starts with `_regen_grid`, which empties the grid,
 *   rebuilds the walls and draws the door positions again (as RoomGrid's
 *   _gen_grid does: ludus_rg_init). Every draw of a pass happens whether or
 *   not its layout was unreachable.
 * - A mission is rejected when its surface contains "yellow box", "red key",
 *   "red door", "green ball" or "grey door". Surfaces are built from
 *   "<colour> <type>" phrases joined by fixed words, so the substring test is
 *   the same as asking whether a description has one of those colour and
 *   type pairs; that is what this file tests (tests/test_babyai.c checks the
 *   missions' text).
 * - Validation (PutNext: no object on both sides, not already adjacent)
 *   happens after gen_mission, in the level frame, and a rejection there
 *   restarts the frame (ludus_babyai_generate), as RejectSampling does.
 *
 * Registry parameters: p[0..2] the room grid, p[3] num_dists (the level's
 * default is 8; BALROG's config passes 0), p[4] the kind (MTL_*).
 */
#include "babyai.h"

#define MTL_MAX_OBJS 24
/* The reference loops without bound; a pass is accepted with a chance far
 * above 1 in 100, so this cap (then a restart of the frame) never binds in
 * practice and only keeps a library call from hanging. */
#define MTL_MAX_PASSES 10000

enum { MTL_GOTO = 0, MTL_PICKUP, MTL_OPEN, MTL_PUTNEXT, MTL_SEQ };

/* exclude_substrings' pairs as (colour, type). */
static const int8_t excluded[5][2] = {
    {COL_YELLOW, OBJ_BOX}, {COL_RED, OBJ_KEY}, {COL_RED, OBJ_DOOR}, {COL_GREEN, OBJ_BALL}, {COL_GREY, OBJ_DOOR}};

static int mission_excluded(const babyai_extra *ex)
{
    for (int d = 0; d < ex->ndesc; d++)
        for (int k = 0; k < 5; k++)
            if (ex->desc[d].color == excluded[k][0] && ex->desc[d].type == excluded[k][1]) return 1;
    return 0;
}

/* _regen_grid, plus forgetting what the previous pass built. */
static void regen(bab_gen *g)
{
    ludus_rg_init(&g->rg, g->s, g->st);
    g->ex->ninstr = g->ex->ndesc = g->ex->root = 0;
    g->locked_now = 0;
    g->cells.n = -1;
    g->matched = 0;
}

static int pick(bab_gen *g, int n) { return grid_rand_small(g->st, 0, n); }

static int same_desc(gcell a, gcell b) { return GC_TYPE(a) == GC_TYPE(b) && GC_COLOR(a) == GC_COLOR(b); }

/* obj_2 of putnext and obj_b of the sequence: drawn once, and drawn again
 * until it differs from `a` when `a` is the only object of its kind. */
static int second_obj(bab_gen *g, const gcell *objs, int n, gcell a)
{
    int ib = pick(g, n);
    if (same_desc(a, objs[ib])) {
        bab_desc probe = {.type = (int8_t)GC_TYPE(a), .color = (int8_t)GC_COLOR(a), .loc = -1};
        if (ludus_bab_match(g->s, g->st, &probe, NULL) < 2)
            while (same_desc(a, objs[ib])) ib = pick(g, n);
    }
    return ib;
}

/* The open kind: a locked door of a drawn colour between the two rooms,
 * its key and the distractors in the other room, the agent there too. */
static int pass_open(bab_gen *g, int nd, int *reachable)
{
    static const int door_colors[4] = {COL_YELLOW, COL_GREEN, COL_BLUE, COL_PURPLE}; /* red and grey left out */
    grid_state *st = g->st;
    int color = door_colors[pick(g, 4)];
    BAB_TRY(ludus_bab_add_locked_room(g, color));
    BAB_TRY(ludus_rg_connect_all(&g->rg, NULL, 0));
    for (int j = 0; j < g->rg.rows; j++)
        for (int i = 0; i < g->rg.cols; i++)
            if (i != g->locked_i || j != g->locked_j)
                BAB_TRY(ludus_rg_add_distractors(&g->rg, i, j, nd, 0, NULL, NULL, NULL));
    for (;;) {
        BAB_TRY(ludus_rg_place_agent(&g->rg, -1, -1, 1));
        if (rg_room_i(&g->rg, st->agent_x) != g->locked_i || rg_room_j(&g->rg, st->agent_y) != g->locked_j) break;
    }
    *reachable = ludus_bab_objs_reachable(g->s, st);
    int named = pick(g, 2); /* [None, color_door] */
    ludus_bab_action(g, BI_OPEN, ludus_bab_desc_new(g, OBJ_DOOR, named ? color : -1, -1), -1, 0);
    return LUDUS_OK;
}

/* The one-room kinds: the agent, then num_dists + 1 (goto, pickup) or + 2
 * objects anywhere in the room, then the instruction on drawn objects. */
static int pass_room(bab_gen *g, int nd, int kind, int *reachable)
{
    gcell objs[MTL_MAX_OBJS];
    const int n = nd + (kind == MTL_GOTO || kind == MTL_PICKUP ? 1 : 2);
    BAB_TRY(ludus_rg_place_agent(&g->rg, -1, -1, 1));
    BAB_TRY(ludus_rg_add_distractors(&g->rg, -1, -1, n, 0, objs, NULL, NULL));
    *reachable = ludus_bab_objs_reachable(g->s, g->st);
    /* The reference redraws a door as the object to pick up; distractors
     * are never doors, so that loop never runs. */
    gcell a = objs[pick(g, n)];
    if (kind == MTL_GOTO || kind == MTL_PICKUP) return ludus_bab_single(g, kind == MTL_GOTO ? BI_GOTO : BI_PICKUP, a, 0);
    gcell b = objs[second_obj(g, objs, n, a)];
    int da = ludus_bab_desc_new(g, GC_TYPE(a), GC_COLOR(a), -1);
    if (kind == MTL_PUTNEXT) {
        ludus_bab_action(g, BI_PUTNEXT, da, ludus_bab_desc_new(g, GC_TYPE(b), GC_COLOR(b), -1), 0);
        return LUDUS_OK;
    }
    int pickup = ludus_bab_action(g, BI_PICKUP, da, -1, 0);
    int go = ludus_bab_action(g, BI_GOTO, ludus_bab_desc_new(g, GC_TYPE(b), GC_COLOR(b), -1), -1, 0);
    if (pick(g, 2) == 0) ludus_bab_seq(g, BI_BEFORE, pickup, go); /* "pick up A, then go to B" */
    else ludus_bab_seq(g, BI_AFTER, go, pickup);                  /* "go to B after you pick up A" */
    return LUDUS_OK;
}

static int lv_mixedtrainlocal(bab_gen *g)
{
    const int nd = g->s->p[3], kind = g->s->p[4];
    if (nd < 0 || nd + 2 > MTL_MAX_OBJS || kind < MTL_GOTO || kind > MTL_SEQ) return BAB_BROKEN;
    (void)pick(g, 1); /* _rand_elem(self.action_kinds): a list of one draws nothing */
    for (int pass = 0; pass < MTL_MAX_PASSES; pass++) {
        int reachable = 0;
        regen(g);
        BAB_TRY(kind == MTL_OPEN ? pass_open(g, nd, &reachable) : pass_room(g, nd, kind, &reachable));
        if (reachable && !mission_excluded(g->ex)) return LUDUS_OK;
    }
    return GEN_FAIL;
}
BABYAI_LEVEL(ludus_grid_world_babyai_mixedtrainlocal, "MixedTrainLocal", lv_mixedtrainlocal, BABYAI_MISSION_CAP_TWO);
