/* babyai.h: the BabyAI levels (spec/minigrid.md §10). An instruction is a
 * small tree (GoTo, Open, Pickup, PutNext under And, Before, After) stored
 * in the world's extra block as index-linked nodes and object descriptions
 * with their matched object ids and positions, so a memcpy'd state verifies
 * exactly as the original. Generation happens on a `bab_gen` on the stack:
 * the level's gen_mission, validation and retries that continue the RNG.
 */
#ifndef LUDUS_GRID_BABYAI_H
#define LUDUS_GRID_BABYAI_H

#include "roomgrid.h"

/* Instruction kinds; the first four are actions. */
enum { BI_GOTO = 0, BI_OPEN, BI_PICKUP, BI_PUTNEXT, BI_AND, BI_BEFORE, BI_AFTER };
/* verify() results; BS_NONE is the reference's initial `False`. */
enum { BS_NONE = 0, BS_CONTINUE, BS_SUCCESS, BS_FAILURE };
/* LOC_NAMES, in the reference's order. */
enum { LOC_LEFT = 0, LOC_RIGHT, LOC_FRONT, LOC_BEHIND };

/* Objects one description can track: the most of one type any level makes
 * (BossLevel: 18 distractors and a key; UnblockPickup: 20) fits easily. */
#define BAB_DESC_CAP 32
/* The deepest tree: Before/After of two Ands of two PutNexts. */
#define BAB_MAX_INSTRS 7
#define BAB_MAX_DESCS 8

/* ObjDesc. obj_set is the ids of the matching objects; walls (which match a
 * colour-only description, PickupDist's "grey object") only count for the
 * article, since no verifier can use them. obj_poss is parallel to obj_set
 * after a match and holds the present objects' cells after a refresh. */
typedef struct bab_desc {
    int8_t type;  /* OBJ_* or -1 ("object") */
    int8_t color; /* encoding colour or -1 */
    int8_t loc;   /* LOC_* or -1 */
    uint8_t n;    /* objects in obj_set */
    uint8_t npos; /* entries in obj_poss */
    uint8_t id[BAB_DESC_CAP];
    int8_t px[BAB_DESC_CAP], py[BAB_DESC_CAP];
} bab_desc;

typedef struct bab_instr {
    uint8_t kind, strict;
    uint8_t a, b;           /* actions: desc indices (b: PutNext's fixed one); sequences: instrs */
    uint8_t pre_carrying;   /* Pickup/PutNext: id carried at this node's last verify; 0 none */
    uint8_t a_done, b_done; /* sequences: BS_* of each part */
} bab_instr;

typedef struct babyai_extra {
    uint8_t ninstr, ndesc, root;
    int8_t carry_x, carry_y; /* cur_pos of the carried object: (-1,-1), or stale (Carrying) */
    uint8_t moved;           /* objects moved since obj_poss were last computed */
    bab_instr instr[BAB_MAX_INSTRS];
    bab_desc desc[BAB_MAX_DESCS];
} babyai_extra;

/* ---- generation ---- */
#define BAB_REJECT 1 /* RejectSampling: retry with the stream continuing */
#define BAB_BROKEN 2 /* a broken invariant: fail the reset, do not retry */

/* LevelGen registry parameters (babyai_levelgen.c). */
enum {
    BABYAI_LG_LOCATIONS = 1, BABYAI_LG_UNBLOCKING = 2, BABYAI_LG_IMPLICIT_UNLOCK = 4, /* p[5] */
    BABYAI_LG_GOTO = 1, BABYAI_LG_PICKUP = 2, BABYAI_LG_OPEN = 4, BABYAI_LG_PUTNEXT = 8, /* p[6] */
    BABYAI_LG_ACTION = 1, BABYAI_LG_AND = 2, BABYAI_LG_SEQ = 4 /* p[7] */
};

/* The cells holding an object or door, in row order: typed descriptions
 * match against this instead of the whole grid once the layout is final
 * (BossLevel matches a dozen times). The reference scans x outer, y inner;
 * the order of a description's objects is not behaviour (every reader asks
 * whether any of them is somewhere), only their set and count are. */
#define BAB_CELLS_CAP 128
typedef struct bab_cells {
    int n; /* -1: not built (match scans the grid) */
    int8_t x[BAB_CELLS_CAP], y[BAB_CELLS_CAP];
} bab_cells;

typedef struct bab_gen {
    roomgrid rg;
    const grid_spec *s;
    grid_state *st;
    babyai_extra *ex;
    int unblocking;           /* LevelGen's unblocking checks in validation */
    /* LevelGen's self.locked_room survives rejected attempts (the
     * reference never clears it), so a stale room can still filter rand_obj. */
    int locked_i, locked_j;   /* -1: none yet */
    int locked_now;           /* set by this attempt */
    bab_cells cells;          /* built once the layout is final (ludus_bab_cells_build) */
    /* Bit k: description k was matched on the final layout and pose (by
     * rand_obj or validation), so its obj_set and count stand. */
    unsigned matched;
    int start_carry;          /* PutNext...Carrying: hand over `carry_obj` after reset */
    gcell carry_obj;
    int carry_x, carry_y;
} bab_gen;

typedef int (*bab_mission_fn)(bab_gen *g);

/* Return from a gen_mission step that did not succeed (GEN_FAIL, BAB_REJECT). */
#define BAB_TRY(call)                   \
    do {                                \
        int bab_try_rc_ = (call);       \
        if (bab_try_rc_) return bab_try_rc_; \
    } while (0)

/* The level frame: base RoomGrid, gen_mission, validation, retried on
 * GEN_FAIL or BAB_REJECT (counted in st->rejections); then the mission text
 * and the verifier reset. */
int ludus_babyai_generate(const grid_spec *s, grid_state *st, bab_mission_fn mission);
void ludus_babyai_step(const grid_spec *s, grid_state *st, int action, ludus_step_out *out);
uint32_t ludus_babyai_max_steps(const grid_spec *s, const grid_state *st);
/* The instruction tree of a state from outside (grid_world.check). */
int ludus_babyai_check(const grid_spec *s, const grid_state *st);

/* Tree building (indices into ex->desc / ex->instr). */
int ludus_bab_desc_new(bab_gen *g, int type, int color, int loc);
int ludus_bab_action(bab_gen *g, int kind, int desc_a, int desc_b, int strict);
int ludus_bab_seq(bab_gen *g, int kind, int a, int b);
/* find_matching_objs with locations, into *d. Returns the match count as
 * the reference counts it (walls included), or -1 past the cap. `cells`
 * (may be NULL) lists the object cells of the current layout. */
int ludus_bab_match(const grid_spec *s, const grid_state *st, bab_desc *d, const bab_cells *cells);
/* The layout scans (babyai_scan.c): the object cells, and
 * check_objs_reachable (1 when every non-wall object is reachable). */
void ludus_bab_cells_build(const grid_spec *s, const grid_state *st, bab_cells *cells);
int ludus_bab_objs_reachable(const grid_spec *s, const grid_state *st);
/* check_objs_reachable where no object is added or moved afterwards (doors
 * may still open): the same scan also builds g->cells. */
int ludus_bab_reachable_final(bab_gen *g);
/* LevelGen's add_locked_room (babyai_levelgen.c): color -1 draws it. */
int ludus_bab_add_locked_room(bab_gen *g, int color);
/* A level whose one instruction is on an object already placed. */
int ludus_bab_single(bab_gen *g, int kind, gcell obj, int strict);

#define BABYAI_MISSION_CAP_SHORT 96   /* one action: "put <desc> next to <desc>" */
#define BABYAI_MISSION_CAP_TWO 192    /* two actions joined */
#define BABYAI_MISSION_CAP_LONG 384   /* LevelGen: Before/After of two Ands */

/* A level world: its gen wraps ludus_babyai_generate with the level's mission. */
#define BABYAI_LEVEL(var, name, mission_fn, cap)                                                  \
    static int gen_##mission_fn(const grid_spec *s, grid_state *st)                               \
    {                                                                                             \
        return ludus_babyai_generate(s, st, mission_fn);                                                \
    }                                                                                             \
    const grid_world var = {name, sizeof(babyai_extra), cap, 7, gen_##mission_fn, ludus_babyai_step,    \
                            ludus_babyai_max_steps, ludus_rg_layout, ludus_babyai_check}

#endif
