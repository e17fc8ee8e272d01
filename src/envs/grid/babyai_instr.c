/* babyai_instr.c: the BabyAI level frame and the instruction language
 * (spec/minigrid.md §10.1-10.3): object descriptions and their matching,
 * the mission text, validation with rejection, the verifiers and the step.
 * The tree lives in the state (babyai.h); verification mutates only it, so
 * the step stays allocation-free and a copied state behaves identically.
 */
#include <string.h>

#include "babyai.h"

/* The reference retries forever; a level that rejects this many samples in
 * a row is broken, and saying so beats hanging. */
#define BAB_MAX_ATTEMPTS 100000


/* ---- tree building ---- */

int ludus_bab_desc_new(bab_gen *g, int type, int color, int loc)
{
    babyai_extra *ex = g->ex;
    bab_desc *d = &ex->desc[ex->ndesc];
    d->type = (int8_t)type;
    d->color = (int8_t)color;
    d->loc = (int8_t)loc;
    d->n = d->npos = 0;
    return ex->ndesc++;
}

/* Nodes are built children first, so the node built last is the root. */
int ludus_bab_action(bab_gen *g, int kind, int desc_a, int desc_b, int strict)
{
    babyai_extra *ex = g->ex;
    bab_instr *in = &ex->instr[ex->ninstr];
    memset(in, 0, sizeof *in);
    in->kind = (uint8_t)kind;
    in->strict = (uint8_t)strict;
    in->a = (uint8_t)desc_a;
    in->b = (uint8_t)(desc_b < 0 ? 0 : desc_b);
    ex->root = ex->ninstr;
    return ex->ninstr++;
}

int ludus_bab_seq(bab_gen *g, int kind, int a, int b) { return ludus_bab_action(g, kind, a, b, 0); }

int ludus_bab_single(bab_gen *g, int kind, gcell obj, int strict)
{
    int d = ludus_bab_desc_new(g, GC_TYPE(obj), GC_COLOR(obj), -1);
    ludus_bab_action(g, kind, d, -1, strict);
    return LUDUS_OK;
}

/* ---- matching ---- */

/* Does cell (x, y), holding c, match the description from the agent's pose? */
static inline int desc_matches(const bab_desc *d, gcell c, int x, int y, int ax, int ay, int tx, int ty,
                               int rs, int fx, int fy)
{
    if (c == GC_EMPTY) return 0;
    if (d->type >= 0 && GC_TYPE(c) != d->type) return 0;
    if (d->color >= 0 && GC_COLOR(c) != d->color) return 0;
    if (d->loc < 0) return 1;
    if (x < tx || y < ty || x >= tx + rs || y >= ty + rs) return 0; /* the agent's room, walls included */
    int vx = x - ax, vy = y - ay;
    int side = vx * -fy + vy * fx, ahead = vx * fx + vy * fy; /* v . right, v . forward */
    switch (d->loc) {
    case LOC_LEFT: return side < 0;
    case LOC_RIGHT: return side > 0;
    case LOC_FRONT: return ahead > 0;
    default: return ahead < 0;
    }
}

/* A typed description over the object list: a masked compare per object,
 * the location as a sign test, and a branch-free append (which object
 * matches is data the branch predictor cannot learn). */
static int match_listed(const grid_spec *s, const grid_state *st, bab_desc *d, const bab_cells *cells)
{
    const int W = s->width;
    const gcell *g = grid_cells_c(s, st);
    const unsigned mask = 15u | (d->color >= 0 ? 7u << 4 : 0u);
    const unsigned key = (unsigned)d->type | (d->color >= 0 ? (unsigned)d->color << 4 : 0u);
    /* A location keeps objects in the agent's room (walls included) whose
     * offset v from the agent has v . (px, py) > 0: right is (-fy, fx),
     * forward (fx, fy), left and behind their negations. */
    const int ax = st->agent_x, ay = st->agent_y, loc = d->loc;
    int tx = 0, ty = 0, rs = 0, px = 0, py = 0;
    if (loc >= 0) {
        const int step = s->p[RG_P_SIZE] - 1;
        tx = ax / step * step;
        ty = ay / step * step;
        rs = step + 1;
        const int fx = ludus_grid_dir_vec[st->agent_dir][0], fy = ludus_grid_dir_vec[st->agent_dir][1];
        static const int8_t proj[4][4] = {
            /* (fx, fy) weights for px, then for py, per location */
            {0, 1, -1, 0}, /* left: (fy, -fx) */
            {0, -1, 1, 0}, /* right: (-fy, fx) */
            {1, 0, 0, 1},  /* in front: (fx, fy) */
            {-1, 0, 0, -1} /* behind: (-fx, -fy) */
        };
        px = proj[loc][0] * fx + proj[loc][1] * fy;
        py = proj[loc][2] * fx + proj[loc][3] * fy;
    }
    int n = 0;
#define APPEND_IF(hit)                                                                           \
    do {                                                                                         \
        const int at = n < BAB_DESC_CAP ? n : BAB_DESC_CAP - 1; /* past the cap: counted, then refused */ \
        d->id[at] = (uint8_t)GC_ID(c);                                                           \
        d->px[at] = (int8_t)x;                                                                   \
        d->py[at] = (int8_t)y;                                                                   \
        n += (hit);                                                                              \
    } while (0)
    if (loc < 0) {
        for (int k = 0; k < cells->n; k++) {
            const int x = cells->x[k], y = cells->y[k];
            const gcell c = g[y * W + x];
            APPEND_IF((c & mask) == key);
        }
    } else {
        for (int k = 0; k < cells->n; k++) {
            const int x = cells->x[k], y = cells->y[k];
            const gcell c = g[y * W + x];
            const int in_room = (unsigned)(x - tx) < (unsigned)rs && (unsigned)(y - ty) < (unsigned)rs;
            APPEND_IF(((c & mask) == key) & in_room & ((x - ax) * px + (y - ay) * py > 0));
        }
    }
#undef APPEND_IF
    if (n > BAB_DESC_CAP) return -1;
    d->n = d->npos = (uint8_t)n;
    return n;
}

int ludus_bab_match(const grid_spec *s, const grid_state *st, bab_desc *d, const bab_cells *cells)
{
    /* A typed description never matches a wall, so the object list serves. */
    if (cells && cells->n >= 0 && d->type >= 0) return match_listed(s, st, d, cells);
    const int W = s->width, H = s->height, step = s->p[RG_P_SIZE] - 1;
    const int ax = st->agent_x, ay = st->agent_y;
    const int tx = ax / step * step, ty = ay / step * step, rs = step + 1;
    const int fx = ludus_grid_dir_vec[st->agent_dir][0], fy = ludus_grid_dir_vec[st->agent_dir][1];
    const gcell *g = grid_cells_c(s, st);
    int count = 0;
    d->n = 0;
#define MATCH_CELL(x, y)                                                        \
    do {                                                                        \
        gcell c_ = g[(y) * W + (x)];                                            \
        if (!desc_matches(d, c_, x, y, ax, ay, tx, ty, rs, fx, fy)) break;      \
        count++;                                                                \
        if (GC_TYPE(c_) == OBJ_WALL) break;                                     \
        if (d->n == BAB_DESC_CAP) return -1;                                    \
        d->id[d->n] = (uint8_t)GC_ID(c_);                                       \
        d->px[d->n] = (int8_t)(x);                                              \
        d->py[d->n] = (int8_t)(y);                                              \
        d->n++;                                                                 \
    } while (0)
    if (cells && cells->n >= 0 && d->type >= 0) {
        for (int k = 0; k < cells->n; k++) MATCH_CELL(cells->x[k], cells->y[k]);
    } else {
        for (int x = 0; x < W; x++)
            for (int y = 0; y < H; y++) {
                if (g[y * W + x] == GC_EMPTY) continue;
                MATCH_CELL(x, y);
            }
    }
#undef MATCH_CELL
    d->npos = d->n;
    return count;
}

/* update_objs_poss: after a drop, every description's positions become the
 * current cells of its tracked objects; carried or deleted ones drop out.
 * (The reference lists them in grid scan order; every reader only asks
 * "is any of them ...", so obj_set order serves.) */
static void bab_refresh(const grid_spec *s, const grid_state *st, babyai_extra *ex)
{
    int8_t where_x[GRID_MAX_OBJS], where_y[GRID_MAX_OBJS];
    memset(where_x, -1, sizeof where_x);
    const gcell *cells = grid_cells_c(s, st);
    for (int y = 0; y < s->height; y++)
        for (int x = 0; x < s->width; x++) {
            int id = GC_ID(cells[y * s->width + x]);
            if (id) {
                where_x[id] = (int8_t)x;
                where_y[id] = (int8_t)y;
            }
        }
    for (int k = 0; k < ex->ndesc; k++) {
        bab_desc *d = &ex->desc[k];
        d->npos = 0;
        for (int m = 0; m < d->n; m++) {
            int id = d->id[m];
            if (where_x[id] < 0) continue;
            d->px[d->npos] = where_x[id];
            d->py[d->npos] = where_y[id];
            d->npos++;
        }
    }
}

/* ---- validation (validate_instrs) ---- */

static int pos_next_to(int xa, int ya, int xb, int yb)
{
    int d = (xa > xb ? xa - xb : xb - xa) + (ya > yb ? ya - yb : yb - ya);
    return d == 1;
}

/* Is `color` the colour of a locked door of some room? */
static int locked_door_color(const bab_gen *g, int color)
{
    const roomgrid *rg = &g->rg;
    for (int r = 0; r < rg->rows * rg->cols; r++)
        for (int k = 0; k < 4; k++) {
            if (rg->room[r].doors[k] != RG_DOOR) continue;
            gcell door = grid_get(g->s, g->st, rg->room[r].door_x[k], rg->room[r].door_y[k]);
            if (GC_STATE(door) == DOOR_LOCKED && GC_COLOR(door) == color) return 1;
        }
    return 0;
}

static int bab_validate(bab_gen *g, int idx)
{
    babyai_extra *ex = g->ex;
    const bab_instr *in = &ex->instr[idx];
    if (in->kind >= BI_AND) {
        int rc = bab_validate(g, in->a);
        return rc ? rc : bab_validate(g, in->b);
    }
    if (in->kind == BI_PUTNEXT) {
        bab_desc *move = &ex->desc[in->a], *fixed = &ex->desc[in->b];
        if (ludus_bab_match(g->s, g->st, move, &g->cells) < 0 || ludus_bab_match(g->s, g->st, fixed, &g->cells) < 0)
            return BAB_BROKEN;
        g->matched |= 1u << in->a | 1u << in->b; /* typed: the count is n */
        for (int m = 0; m < move->n; m++)
            for (int f = 0; f < fixed->n; f++)
                if (move->id[m] == fixed->id[f]) return BAB_REJECT; /* matches both sides */
        for (int m = 0; m < move->n; m++)
            for (int f = 0; f < fixed->npos; f++)
                if (pos_next_to(move->px[m], move->py[m], fixed->px[f], fixed->py[f]))
                    return BAB_REJECT; /* already next to each other */
        /* "cannot move an object next to itself" is the first test's
         * singleton case, already rejected above. */
    }
    if (!g->unblocking) return LUDUS_OK;
    int descs[2] = {in->a, in->kind == BI_PUTNEXT ? in->b : -1};
    for (int k = 0; k < 2; k++) {
        if (descs[k] < 0) continue;
        const bab_desc *d = &ex->desc[descs[k]];
        if (d->type == OBJ_KEY && d->color >= 0 && locked_door_color(g, d->color)) return BAB_REJECT;
    }
    return LUDUS_OK;
}

/* ---- the mission text (surface) ---- */

/* The words of a mission, each copied as one 16-byte block and the write
 * position moved by its length: every reset writes a mission, and finding
 * lengths and copying byte by byte cost more than the rest of the text. */
typedef struct word16 {
    char text[16];
    uint8_t len;
} word16;
#define WORD16(s) {s, sizeof(s) - 1}

static const word16 w_article[2] = {WORD16("the "), WORD16("a ")};
static const word16 w_color[6] = {WORD16("red "),    WORD16("green "),  WORD16("blue "),
                                  WORD16("purple "), WORD16("yellow "), WORD16("grey ")};
static const word16 w_type[11] = {WORD16("unseen"), WORD16("empty"), WORD16("wall"), WORD16("floor"),
                                  WORD16("door"),   WORD16("key"),   WORD16("ball"), WORD16("box"),
                                  WORD16("goal"),   WORD16("lava"),  WORD16("agent")};
static const word16 w_object = WORD16("object");
static const word16 w_loc[4] = {WORD16(" on your left"), WORD16(" on your right"), WORD16(" in front of you"),
                                WORD16(" behind you")};
static const word16 w_verb[4] = {WORD16("go to "), WORD16("open "), WORD16("pick up "), WORD16("put ")};
static const word16 w_join[3] = {WORD16(" and "), WORD16(", then "), WORD16(" after you ")};
static const word16 w_next_to = WORD16(" next to ");

/* The text is built in a local buffer with a block's slack at the end. */
#define MTEXT_CAP 512
typedef struct mtext {
    char buf[MTEXT_CAP + 16];
    size_t len;
} mtext;

static inline void put_word(mtext *t, const word16 *w)
{
    if (t->len < MTEXT_CAP) memcpy(t->buf + t->len, w->text, 16);
    t->len += w->len; /* past MTEXT_CAP the text only counts (and is refused) */
}

static void desc_surface(mtext *t, const bab_desc *d, int count)
{
    put_word(t, &w_article[count > 1]);
    if (d->color >= 0) put_word(t, &w_color[d->color]);
    put_word(t, d->type >= 0 ? &w_type[d->type] : &w_object);
    if (d->loc >= 0) put_word(t, &w_loc[d->loc]);
}

static void instr_surface(mtext *t, const babyai_extra *ex, const int *counts, int idx)
{
    const bab_instr *in = &ex->instr[idx];
    if (in->kind >= BI_AND) {
        instr_surface(t, ex, counts, in->a);
        put_word(t, &w_join[in->kind - BI_AND]);
        instr_surface(t, ex, counts, in->b);
        return;
    }
    put_word(t, &w_verb[in->kind]);
    desc_surface(t, &ex->desc[in->a], counts[in->a]);
    if (in->kind == BI_PUTNEXT) {
        put_word(t, &w_next_to);
        desc_surface(t, &ex->desc[in->b], counts[in->b]);
    }
}

/* ---- the frame ---- */

int ludus_babyai_generate(const grid_spec *s, grid_state *st, bab_mission_fn mission)
{
    babyai_extra *ex = grid_extra(s, st);
    bab_gen g;
    g.s = s;
    g.st = st;
    g.ex = ex;
    g.locked_i = g.locked_j = -1;
    st->rejections = 0;
    for (int attempt = 0;; attempt++) {
        if (attempt >= BAB_MAX_ATTEMPTS) return GEN_FAIL;
        ludus_rg_init(&g.rg, s, st);
        ex->ninstr = ex->ndesc = ex->root = 0;
        g.unblocking = 0;
        g.locked_now = 0;
        g.start_carry = 0;
        g.cells.n = -1;
        g.matched = 0;
        int rc = mission(&g);
        if (rc == LUDUS_OK) {
            if (g.cells.n < 0) ludus_bab_cells_build(s, st, &g.cells);
            rc = bab_validate(&g, ex->root);
        }
        if (rc == LUDUS_OK) break;
        if (rc == BAB_BROKEN) return ludus_err_set(LUDUS_EINTERNAL, "a BabyAI description matched too many objects");
        if (rc != GEN_FAIL && rc != BAB_REJECT) return rc;
        st->rejections++; /* the reference prints "Sampling rejected" here; we count, and tell the log */
        ludus_log_msg(LUDUS_LOG_DEBUG, "BabyAI level generation: sample rejected (%s); drawing again",
                rc == GEN_FAIL ? "a placement ran out of tries" : "the level failed its checks");
    }

    /* surface() and reset_verifier() match every description on the final
     * layout and pose; both see the same state, so one match serves. */
    int counts[BAB_MAX_DESCS];
    for (int k = 0; k < ex->ndesc; k++) {
        counts[k] = (g.matched >> k) & 1u ? ex->desc[k].n : ludus_bab_match(s, st, &ex->desc[k], &g.cells);
        if (counts[k] < 0) return ludus_err_set(LUDUS_EINTERNAL, "a BabyAI description matched too many objects");
        if (counts[k] == 0) return ludus_err_set(LUDUS_EINTERNAL, "a BabyAI description matches no object");
    }
    mtext text;
    text.len = 0;
    instr_surface(&text, ex, counts, ex->root);
    if (text.len >= s->world->mission_cap || text.len >= MTEXT_CAP)
        return ludus_err_set(LUDUS_EINTERNAL, "BabyAI mission longer than its capacity (%zu)", s->world->mission_cap);
    memcpy(grid_mission(s, st), text.buf, text.len);
    grid_mission(s, st)[text.len] = 0;
    for (int k = 0; k < ex->ninstr; k++) {
        ex->instr[k].pre_carrying = 0;
        ex->instr[k].a_done = ex->instr[k].b_done = BS_NONE;
    }
    ex->carry_x = ex->carry_y = -1;
    ex->moved = 0;

    if (g.start_carry) {
        /* PutNext's reset() hands the object over after the verifier reset
         * and after the first observation; see grid_state.hand_pending. */
        grid_set(s, st, g.carry_x, g.carry_y, GC_EMPTY);
        st->carrying = g.carry_obj;
        ex->carry_x = (int8_t)g.carry_x; /* its cur_pos stays stale */
        ex->carry_y = (int8_t)g.carry_y;
        st->hand_pending = 1;
        ex->moved = 1; /* the object left the cell where it was matched */
        st->hand_x = (int8_t)g.carry_x;
        st->hand_y = (int8_t)g.carry_y;
    }
    return LUDUS_OK;
}

static int num_navs(const babyai_extra *ex, int idx)
{
    const bab_instr *in = &ex->instr[idx];
    if (in->kind == BI_PUTNEXT) return 2;
    if (in->kind < BI_AND) return 1;
    return num_navs(ex, in->a) + num_navs(ex, in->b);
}

uint32_t ludus_babyai_max_steps(const grid_spec *s, const grid_state *st)
{
    if (s->max_steps) return s->max_steps; /* fixed by the level or by the caller */
    const babyai_extra *ex = grid_extra_c(s, st);
    uint32_t rs = (uint32_t)s->p[RG_P_SIZE];
    return (uint32_t)num_navs(ex, ex->root) * rs * rs * (uint32_t)s->p[RG_P_ROWS] * (uint32_t)s->p[RG_P_COLS];
}

/* ---- verification ---- */

/* Where the reference's cur_pos puts object `id`, asked only on a drop by
 * the object carried just before it: on the front cell if the drop put it
 * there, else still in hand at carry_x/carry_y. */
static void cur_pos(const grid_state *st, const babyai_extra *ex, int id, int *x, int *y)
{
    if (st->carrying != GC_EMPTY && GC_ID(st->carrying) == id) {
        *x = ex->carry_x;
        *y = ex->carry_y;
        return;
    }
    *x = st->agent_x + ludus_grid_dir_vec[st->agent_dir][0];
    *y = st->agent_y + ludus_grid_dir_vec[st->agent_dir][1];
}

static int verify(const grid_spec *s, const grid_state *st, babyai_extra *ex, int idx, int action)
{
    bab_instr *in = &ex->instr[idx];
    const int fx = st->agent_x + ludus_grid_dir_vec[st->agent_dir][0];
    const int fy = st->agent_y + ludus_grid_dir_vec[st->agent_dir][1];
    const int carried = st->carrying == GC_EMPTY ? 0 : GC_ID(st->carrying);
    switch (in->kind) {
    case BI_GOTO: {
        const bab_desc *d = &ex->desc[in->a];
        for (int k = 0; k < d->npos; k++)
            if (d->px[k] == fx && d->py[k] == fy) return BS_SUCCESS;
        return BS_CONTINUE;
    }
    case BI_OPEN: {
        if (action != ACT_TOGGLE) return BS_CONTINUE;
        const bab_desc *d = &ex->desc[in->a];
        gcell fc = grid_front(s, st);
        if (fc != GC_EMPTY && GC_ID(fc) != 0)
            for (int k = 0; k < d->n; k++)
                if (GC_ID(fc) == d->id[k] && GC_STATE(fc) == DOOR_OPEN) return BS_SUCCESS;
        if (in->strict && GC_TYPE(fc) == OBJ_DOOR) return BS_FAILURE;
        return BS_CONTINUE;
    }
    case BI_PICKUP: {
        int prev = in->pre_carrying;
        in->pre_carrying = (uint8_t)carried;
        if (action != ACT_PICKUP) return BS_CONTINUE;
        const bab_desc *d = &ex->desc[in->a];
        if (prev == 0 && carried)
            for (int k = 0; k < d->n; k++)
                if (carried == d->id[k]) return BS_SUCCESS;
        if (in->strict && carried) return BS_FAILURE;
        return BS_CONTINUE;
    }
    case BI_PUTNEXT: {
        int prev = in->pre_carrying;
        in->pre_carrying = (uint8_t)carried;
        if (in->strict && action == ACT_PICKUP && carried) return BS_FAILURE;
        if (action != ACT_DROP || prev == 0) return BS_CONTINUE;
        const bab_desc *move = &ex->desc[in->a], *fixed = &ex->desc[in->b];
        for (int m = 0; m < move->n; m++) {
            if (move->id[m] != prev) continue;
            int x, y;
            cur_pos(st, ex, prev, &x, &y);
            for (int f = 0; f < fixed->npos; f++)
                if (pos_next_to(x, y, fixed->px[f], fixed->py[f])) return BS_SUCCESS;
        }
        return BS_CONTINUE;
    }
    case BI_AND:
        if (in->a_done != BS_SUCCESS) in->a_done = (uint8_t)verify(s, st, ex, in->a, action);
        if (in->b_done != BS_SUCCESS) in->b_done = (uint8_t)verify(s, st, ex, in->b, action);
        return in->a_done == BS_SUCCESS && in->b_done == BS_SUCCESS ? BS_SUCCESS : BS_CONTINUE;
    default: {
        /* Before(a, b) runs a then b; After(a, b) runs b then a. */
        const int before = in->kind == BI_BEFORE;
        uint8_t *first_done = before ? &in->a_done : &in->b_done;
        uint8_t *second_done = before ? &in->b_done : &in->a_done;
        const int first = before ? in->a : in->b, second = before ? in->b : in->a;
        if (*first_done == BS_SUCCESS) {
            *second_done = (uint8_t)verify(s, st, ex, second, action);
            if (*second_done == BS_FAILURE || *second_done == BS_SUCCESS) return *second_done;
            return BS_CONTINUE;
        }
        *first_done = (uint8_t)verify(s, st, ex, first, action);
        if (*first_done == BS_FAILURE) return BS_FAILURE;
        if (*first_done == BS_SUCCESS) return verify(s, st, ex, idx, action); /* same action */
        if (in->strict && verify(s, st, ex, second, action) == BS_SUCCESS) return BS_FAILURE;
        return BS_CONTINUE;
    }
    }
}

/* ---- states from outside ---- */

int ludus_babyai_check(const grid_spec *s, const grid_state *st)
{
    const babyai_extra *ex = grid_extra_c(s, st);
    if (ex->ninstr < 1 || ex->ninstr > BAB_MAX_INSTRS || ex->ndesc < 1 || ex->ndesc > BAB_MAX_DESCS ||
        ex->root >= ex->ninstr)
        return ludus_err_set(LUDUS_EFORMAT, "instruction tree of %d nodes, %d descriptions, root %d", ex->ninstr,
                             ex->ndesc, ex->root);
    for (int k = 0; k < ex->ninstr; k++) {
        const bab_instr *in = &ex->instr[k];
        int ok = in->kind <= BI_AFTER && in->strict <= 1 && in->a_done <= BS_FAILURE && in->b_done <= BS_FAILURE &&
                 in->pre_carrying < GRID_MAX_OBJS;
        if (in->kind < BI_AND) ok = ok && in->a < ex->ndesc && (in->kind != BI_PUTNEXT || in->b < ex->ndesc);
        else ok = ok && in->a < k && in->b < k; /* children come first: no cycle, depth < ninstr */
        if (!ok)
            return ludus_err_set(LUDUS_EFORMAT, "instruction %d (kind %d, parts %d and %d) is malformed", k, in->kind,
                                 in->a, in->b);
    }
    for (int k = 0; k < ex->ndesc; k++) {
        const bab_desc *d = &ex->desc[k];
        int ok = d->type >= -1 && d->type <= OBJ_LAVA && d->color >= -1 && d->color <= COL_GREY && d->loc >= -1 &&
                 d->loc <= LOC_BEHIND && d->n <= BAB_DESC_CAP && d->npos <= BAB_DESC_CAP;
        for (int m = 0; ok && m < d->n; m++) ok = d->id[m] < GRID_MAX_OBJS;
        if (!ok)
            return ludus_err_set(LUDUS_EFORMAT, "description %d (type %d, colour %d, location %d, %d objects) is "
                                 "malformed", k, d->type, d->color, d->loc, d->n);
    }
    return LUDUS_OK;
}

void ludus_babyai_step(const grid_spec *s, grid_state *st, int action, ludus_step_out *out)
{
    babyai_extra *ex = grid_extra(s, st);
    gcell before = st->carrying;
    int box_toggle = action == ACT_TOGGLE && GC_TYPE(grid_front(s, st)) == OBJ_BOX;
    ludus_grid_core_step(s, st, action, out);
    if (action == ACT_PICKUP && before == GC_EMPTY && st->carrying != GC_EMPTY) ex->carry_x = ex->carry_y = -1;
    /* Objects move only by pickup, drop and toggling a box; a refresh with
     * nothing moved since the last one would rebuild the same positions. */
    if (before != st->carrying || box_toggle) ex->moved = 1;
    if (action == ACT_DROP && ex->moved) {
        bab_refresh(s, st, ex);
        ex->moved = 0;
    }
    int status = verify(s, st, ex, ex->root, action);
    if (status == BS_SUCCESS) {
        out->terminated = 1;
        out->reward = ludus_grid_success_reward(st);
    } else if (status == BS_FAILURE) {
        out->terminated = 1;
        out->reward = 0.0;
    }
}
