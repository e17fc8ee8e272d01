/* test_grid_gen.c: the grid family's fast generation paths against plain
 * models of the reference written here from the spec (spec/minigrid.md
 * §6-8, §10) and drawing through the public ludus_rng API only: small
 * integer draws (the pair draw and Lemire's rare threshold included, on
 * streams built to hit it), room placement and distractors, connect_all,
 * the object scans and reachability, and the egocentric view for every view
 * size. Random grids and poses, so cases the recorded traces never reach
 * (crowded rooms, 32-cell rows, locations, carried objects) are covered.
 */
#include <stdlib.h>

#include "check.h"
#include "envs/grid/babyai.h"

/* xorshift64* for the test's own choices (never the world's stream). */
static uint64_t test_rs = 0x9e3779b97f4a7c15ull;
static uint32_t trand(uint32_t n)
{
    test_rs ^= test_rs >> 12;
    test_rs ^= test_rs << 25;
    test_rs ^= test_rs >> 27;
    return (uint32_t)(((test_rs * 0x2545f4914f6cdd1dull) >> 32) % n);
}

static void random_stream(ludus_rng *rng)
{
    ludus_rng_seed(rng, ((uint64_t)trand(1u << 31) << 32) | trand(1u << 31));
    for (uint32_t k = trand(3); k > 0; k--) ludus_rng_next32(rng); /* either buffered parity */
}

/* A stream whose next 64-bit output is `out`: choose the state after the
 * step (a state with its top 6 bits clear outputs hi ^ lo unrotated), then
 * step it back. */
static void stream_outputting(ludus_rng *rng, uint64_t out)
{
    random_stream(rng);
    uint64_t hi = ((uint64_t)trand(1u << 26) << 32) | trand(1u << 31);
    rng->state_hi = hi;
    rng->state_lo = hi ^ out;
    rng->has32 = 0;
    rng_back64(rng);
}

/* ---- draws ---- */

static void check_back64(void)
{
    for (int k = 0; k < 200; k++) {
        ludus_rng a, b;
        random_stream(&a);
        b = a;
        ludus_rng_next64(&b);
        rng_back64(&b);
        CHECK(memcmp(&a, &b, sizeof a) == 0);
    }
}

/* grid_rng_small and grid_rng_pair give ludus_rng_integers' values and
 * leave the stream where it leaves it. */
static void check_draws_on(ludus_rng *start, int nx, int ny)
{
    ludus_rng ref = *start, got = *start, pair = *start;
    int rx = (int)ludus_rng_integers(&ref, 0, nx), ry = (int)ludus_rng_integers(&ref, 0, ny);
    int gx = grid_rng_small(&got, 0, nx), gy = grid_rng_small(&got, 0, ny);
    int px, py;
    grid_rng_pair(&pair, nx, ny, &px, &py);
    CHECK_MSG(rx == gx && ry == gy, "small(%d, %d): %d,%d != %d,%d", nx, ny, gx, gy, rx, ry);
    CHECK_MSG(rx == px && ry == py, "pair(%d, %d): %d,%d != %d,%d", nx, ny, px, py, rx, ry);
    CHECK(memcmp(&ref, &got, sizeof ref) == 0);
    CHECK(memcmp(&ref, &pair, sizeof ref) == 0);
}

static void check_draws(void)
{
    for (int k = 0; k < 3000; k++) {
        ludus_rng rng;
        random_stream(&rng);
        check_draws_on(&rng, 1 + (int)trand(40), 1 + (int)trand(40));
    }
    /* Outputs whose 32-bit halves are 0 or tiny: r * n mod 2^32 < n, where
     * Lemire's method computes its threshold and, for n not a power of two,
     * redraws; in either half, with either parity. */
    static const uint64_t outs[] = {0, 1, 2, 0x100000000ull, 0x300000001ull, 0x5555555500000000ull, 0x1ull << 33};
    for (size_t o = 0; o < sizeof outs / sizeof *outs; o++)
        for (int n = 2; n <= 24; n++) {
            ludus_rng rng;
            stream_outputting(&rng, outs[o]);
            check_draws_on(&rng, n, 3 + n % 5);
            check_draws_on(&rng, 6, n);
            ludus_rng_next32(&rng); /* other parity: the buffered half is drawn first */
            stream_outputting(&rng, outs[o]);
            rng.has32 = 1;
            rng.buf32 = (uint32_t)outs[o];
            check_draws_on(&rng, n, 7);
        }
}

/* ---- a BabyAI world to generate in ---- */

typedef struct world {
    ludus_env *env;
    const grid_spec *s;
    grid_state *st;
} world;

static int world_open(world *w, const char *id, const char *options)
{
    if (ludus_env_make(id, options, &w->env) != LUDUS_OK) return 0;
    w->s = w->env->impl;
    w->st = ludus_env_state_new(w->env);
    return ludus_env_reset(w->env, w->st, 1, NULL) == LUDUS_OK;
}

static void world_close(world *w)
{
    free(w->st);
    ludus_env_destroy(w->env);
}

static const int kinds[3] = {OBJ_KEY, OBJ_BALL, OBJ_BOX};

/* Scatter objects over the interiors of the rooms (density in percent). */
static void scatter(world *w, roomgrid *rg, int density)
{
    for (int y = 0; y < w->s->height; y++)
        for (int x = 0; x < w->s->width; x++) {
            if (grid_get(w->s, w->st, x, y) != GC_EMPTY || (int)trand(100) >= density) continue;
            gcell obj = grid_new_obj(w->st, kinds[trand(3)], ludus_grid_color_names[trand(6)], 0);
            grid_set(w->s, w->st, x, y, obj);
            rg->placed[GC_TYPE(obj)] |= (uint8_t)(1u << GC_COLOR(obj));
        }
}

/* place_in_room as the reference writes it (x, then y; reject non-empty,
 * the agent's cell and its neighbours), on the public draws. */
static int ref_place(const grid_spec *s, grid_state *st, ludus_rng *rng, int i, int j, int size, gcell obj, int *px,
                     int *py)
{
    const int tx = i * (size - 1), ty = j * (size - 1);
    const int hx = tx + size < s->width ? tx + size : s->width, hy = ty + size < s->height ? ty + size : s->height;
    for (int tries = 0; tries <= 1000; tries++) {
        int x = (int)ludus_rng_integers(rng, tx, hx), y = (int)ludus_rng_integers(rng, ty, hy);
        if (grid_get(s, st, x, y) != GC_EMPTY) continue;
        if (abs(st->agent_x - x) + abs(st->agent_y - y) < 2) continue;
        grid_set(s, st, x, y, obj);
        *px = x;
        *py = y;
        return 1;
    }
    return 0;
}

/* ludus_rg_add_distractors against the reference's add_distractors. */
static void check_distractors_in(const char *id)
{
    world w;
    CHECK_MSG(world_open(&w, id, NULL), "%s: %s", id, ludus_errmsg());
    const size_t bytes = w.s->state_size;
    grid_state *ref = malloc(bytes);
    for (int k = 0; k < 150; k++) {
        roomgrid rg;
        random_stream(&w.st->rng);
        ludus_rg_init(&rg, w.s, w.st);
        if (trand(2)) CHECK_OK(ludus_rg_place_agent(&rg, -1, -1, 1)); /* else the provisional agent */
        scatter(&w, &rg, (int)trand(45));
        const int i = trand(3) ? -1 : (int)trand((uint32_t)rg.cols), j = trand(3) ? -1 : (int)trand((uint32_t)rg.rows);
        const int n = 1 + (int)trand(12), unique = (int)trand(2);
        uint8_t placed[16];
        memcpy(placed, rg.placed, sizeof placed);
        memcpy(ref, w.st, bytes);

        gcell got[16];
        int8_t gx[16], gy[16];
        int rc = ludus_rg_add_distractors(&rg, i, j, n, unique, got, gx, gy);

        ludus_rng rng = ref->rng;
        int ok = 1;
        for (int added = 0; added < n && ok;) {
            int color = ludus_grid_color_names[ludus_rng_integers(&rng, 0, 6)];
            int type = kinds[ludus_rng_integers(&rng, 0, 3)];
            if (unique && ((placed[type] >> color) & 1)) {
                if ((placed[OBJ_KEY] & placed[OBJ_BALL] & placed[OBJ_BOX] & 0x3f) == 0x3f) ok = 0; /* would never end */
                continue;
            }
            int ri = i >= 0 ? i : (int)ludus_rng_integers(&rng, 0, rg.cols);
            int rj = j >= 0 ? j : (int)ludus_rng_integers(&rng, 0, rg.rows);
            gcell obj = grid_new_obj(ref, type, color, 0);
            int x, y;
            ok = ref_place(w.s, ref, &rng, ri, rj, rg.size, obj, &x, &y);
            if (!ok) break;
            placed[type] |= (uint8_t)(1u << color);
            CHECK_MSG(got[added] == obj && gx[added] == x && gy[added] == y,
                      "%s case %d object %d: (%d,%d) %#x, reference (%d,%d) %#x", id, k, added, gx[added], gy[added],
                      got[added], x, y, obj);
            added++;
        }
        ref->rng = rng;
        CHECK_EQ(rc == LUDUS_OK, ok);
        if (rc == LUDUS_OK) CHECK_MSG(memcmp(ref, w.st, bytes) == 0, "%s case %d: states differ", id, k);
        CHECK(memcmp(placed, rg.placed, sizeof placed) == 0 || rc != LUDUS_OK);
    }
    free(ref);
    world_close(&w);
}

/* connect_all against the reference's: flood from the agent's room before
 * every iteration; doors added by the primitive add_door. */
static void check_connect_all(void)
{
    world w;
    CHECK(world_open(&w, "BabyAI-GoTo-v0", NULL));
    const size_t bytes = w.s->state_size;
    grid_state *ref = malloc(bytes);
    for (int k = 0; k < 300; k++) {
        roomgrid rg;
        random_stream(&w.st->rng);
        ludus_rg_init(&rg, w.s, w.st);
        CHECK_OK(ludus_rg_place_agent(&rg, -1, -1, 1));
        /* Some walls already open or doored, some rooms locked. */
        for (int e = (int)trand(6); e > 0; e--) {
            int i = (int)trand(3), j = (int)trand(3), d = (int)trand(4);
            if (!rg_has_neighbor(&rg, i, j, d) || rg_get(&rg, i, j)->doors[d] != RG_WALL) continue;
            if (trand(2)) ludus_rg_remove_wall(&rg, i, j, d);
            else ludus_rg_add_door(&rg, i, j, d, COL_RED, trand(3) == 0, NULL, NULL);
        }
        roomgrid rr = rg;
        rr.st = ref;
        memcpy(ref, w.st, bytes);
        const int ncolors = 1 + (int)trand(6);
        int rc = ludus_rg_connect_all(&rg, ludus_grid_color_names, ncolors);

        const int start = rg_room_j(&rr, ref->agent_y) * rr.cols + rg_room_i(&rr, ref->agent_x);
        int ok = 0;
        for (int itrs = 0; itrs <= 5000 && !ok; itrs++) {
            int seen = 0, stack[64], top = 0; /* flood from the agent's room */
            stack[top++] = start;
            while (top) {
                int r = stack[--top];
                if (seen >> r & 1) continue;
                seen |= 1 << r;
                for (int d = 0; d < 4; d++)
                    if (rr.room[r].doors[d] != RG_WALL)
                        stack[top++] = (r / 3 + ludus_grid_dir_vec[d][1]) * 3 + r % 3 + ludus_grid_dir_vec[d][0];
            }
            if (seen == (1 << 9) - 1) {
                ok = 1;
                break;
            }
            int i = (int)ludus_rng_integers(&ref->rng, 0, 3), j = (int)ludus_rng_integers(&ref->rng, 0, 3);
            int d = (int)ludus_rng_integers(&ref->rng, 0, 4);
            if (!rg_has_neighbor(&rr, i, j, d) || rg_get(&rr, i, j)->doors[d] != RG_WALL) continue;
            int q = (j + ludus_grid_dir_vec[d][1]) * 3 + i + ludus_grid_dir_vec[d][0];
            if (rg_get(&rr, i, j)->locked || rr.room[q].locked) continue;
            int color = ludus_grid_color_names[ludus_rng_integers(&ref->rng, 0, ncolors)];
            ludus_rg_add_door(&rr, i, j, d, color, 0, NULL, NULL);
        }
        CHECK_EQ(rc == LUDUS_OK, ok);
        CHECK_MSG(memcmp(ref, w.st, bytes) == 0, "connect_all case %d: states differ", k);
        CHECK(memcmp(rr.room, rg.room, sizeof rg.room) == 0);
    }
    free(ref);
    world_close(&w);
}

/* ludus_rg_place_agent against the reference's place_agent: a random room when
 * asked, place_obj without rejection, a direction, and again until the
 * cell in front is empty or a wall. */
static void check_place_agent(void)
{
    world w;
    CHECK(world_open(&w, "BabyAI-GoTo-v0", NULL));
    const size_t bytes = w.s->state_size;
    grid_state *ref = malloc(bytes);
    for (int k = 0; k < 300; k++) {
        roomgrid rg;
        random_stream(&w.st->rng);
        ludus_rg_init(&rg, w.s, w.st);
        scatter(&w, &rg, (int)trand(60));
        memcpy(ref, w.st, bytes);
        const int i = trand(2) ? -1 : (int)trand(3), j = trand(2) ? -1 : (int)trand(3);
        int rc = ludus_rg_place_agent(&rg, i, j, 1);

        ludus_rng *rng = &ref->rng;
        int ri = i >= 0 ? i : (int)ludus_rng_integers(rng, 0, 3), rj = j >= 0 ? j : (int)ludus_rng_integers(rng, 0, 3);
        int ok = 0;
        for (int round = 0; round < 100 && !ok; round++) {
            const int tx = ri * 7, ty = rj * 7;
            int placed = 0;
            for (int tries = 0; tries <= 1000 && !placed; tries++) {
                int x = (int)ludus_rng_integers(rng, tx, tx + 8), y = (int)ludus_rng_integers(rng, ty, ty + 8);
                if (grid_get(w.s, ref, x, y) != GC_EMPTY) continue;
                ref->agent_x = (int16_t)x;
                ref->agent_y = (int16_t)y;
                placed = 1;
            }
            if (!placed) break;
            ref->agent_dir = (uint8_t)ludus_rng_integers(rng, 0, 4);
            gcell front = grid_get(w.s, ref, ref->agent_x + ludus_grid_dir_vec[ref->agent_dir][0],
                                   ref->agent_y + ludus_grid_dir_vec[ref->agent_dir][1]);
            ok = front == GC_EMPTY || GC_TYPE(front) == OBJ_WALL;
        }
        if (rc == LUDUS_OK && ok) CHECK_MSG(memcmp(ref, w.st, bytes) == 0, "place_agent case %d: states differ", k);
        else CHECK_MSG(rc != LUDUS_OK && !ok, "place_agent case %d: rc %d, reference %s", k, rc, ok ? "placed" : "failed");
    }
    free(ref);
    world_close(&w);
}

/* check_objs_reachable as the reference writes it: a stack from the
 * agent, going on only out of empty cells and doors. */
static int ref_reachable(const grid_spec *s, const grid_state *st)
{
    const int W = s->width, H = s->height;
    uint8_t seen[GRID_MAX_SIDE * GRID_MAX_SIDE] = {0};
    int stack[4 * GRID_MAX_SIDE * GRID_MAX_SIDE + 1][2], top = 0;
    stack[top][0] = st->agent_x;
    stack[top++][1] = st->agent_y;
    while (top) {
        --top;
        int x = stack[top][0], y = stack[top][1];
        if (x < 0 || y < 0 || x >= W || y >= H || seen[y * W + x]) continue;
        seen[y * W + x] = 1;
        gcell c = grid_get(s, st, x, y);
        if (c != GC_EMPTY && GC_TYPE(c) != OBJ_DOOR) continue;
        for (int d = 0; d < 4; d++) {
            stack[top][0] = x + ludus_grid_dir_vec[d][0];
            stack[top++][1] = y + ludus_grid_dir_vec[d][1];
        }
    }
    for (int x = 0; x < W; x++)
        for (int y = 0; y < H; y++) {
            gcell c = grid_get(s, st, x, y);
            if (c != GC_EMPTY && GC_TYPE(c) != OBJ_WALL && !seen[y * W + x]) return 0;
        }
    return 1;
}

/* Random walls, doors and objects (no layout) over a whole grid. */
static void random_cells(world *w, int density)
{
    static const int types[] = {OBJ_WALL, OBJ_WALL, OBJ_DOOR, OBJ_KEY, OBJ_BALL, OBJ_BOX, OBJ_GOAL, OBJ_LAVA};
    w->st->next_id = 1;
    for (int y = 0; y < w->s->height; y++)
        for (int x = 0; x < w->s->width; x++) {
            gcell c = GC_EMPTY;
            if ((int)trand(100) < density) {
                int t = types[trand(8)];
                c = t == OBJ_WALL ? GC_WALL : grid_new_obj(w->st, t, (int)trand(6), t == OBJ_DOOR ? (int)trand(3) : 0);
            }
            grid_set(w->s, w->st, x, y, c);
        }
    w->st->agent_x = (int16_t)trand((uint32_t)w->s->width);
    w->st->agent_y = (int16_t)trand((uint32_t)w->s->height);
    w->st->agent_dir = (uint8_t)trand(4);
    if (trand(2)) grid_set(w->s, w->st, w->st->agent_x, w->st->agent_y, GC_EMPTY);
}

/* The scans on grids of one 64-bit board and of many rows, with both
 * orders of cells: reachability against the stack flood, and the object
 * list against a plain scan. */
static void check_scans(void)
{
    static const char *ids[] = {"BabyAI-GoToLocalS5N2-v0", "BabyAI-GoToLocalS7N4-v0", "BabyAI-GoToLocal-v0",
                                "BabyAI-GoToObjMazeS4R2-v0", "BabyAI-KeyCorridorS6R3-v0", "BabyAI-GoTo-v0",
                                "BabyAI-BossLevel-v0"};
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
        world w;
        CHECK_MSG(world_open(&w, ids[i], NULL), "%s: %s", ids[i], ludus_errmsg());
        int reached = 0, blocked = 0;
        for (int k = 0; k < 400; k++) {
            random_cells(&w, (int)trand(70));
            int want = ref_reachable(w.s, w.st);
            reached += want;
            blocked += !want;
            CHECK_MSG(ludus_bab_objs_reachable(w.s, w.st) == want, "%s case %d: reachable %d", ids[i], k, !want);
            bab_cells cells;
            ludus_bab_cells_build(w.s, w.st, &cells);
            int n = 0, all_listed = 1;
            for (int y = 0; y < w.s->height; y++)
                for (int x = 0; x < w.s->width; x++) {
                    if (GC_TYPE(grid_get(w.s, w.st, x, y)) <= OBJ_WALL) continue;
                    int found = 0;
                    for (int m = 0; m < cells.n; m++) found |= cells.x[m] == x && cells.y[m] == y;
                    all_listed &= found || cells.n < 0;
                    n++;
                }
            CHECK_MSG(all_listed && (cells.n == n || (cells.n < 0 && n > BAB_CELLS_CAP)), "%s case %d: %d of %d listed",
                      ids[i], k, cells.n, n);
        }
        CHECK_MSG(reached > 20 && blocked > 20, "%s: %d reachable, %d not: a weak test", ids[i], reached, blocked);
        world_close(&w);
    }
}

/* ---- the view ---- */

/* gen_obs_grid + process_vis + encode, as the reference writes them: the
 * V x V slice (walls outside the grid), rotated dir + 1 times left, the
 * visibility sweep from the agent at (V/2, V-1), the carried object there. */
static void ref_view(const grid_spec *s, const grid_state *st, int V, int see_through, uint8_t *img)
{
    const int h = V / 2, ax = st->agent_x, ay = st->agent_y, dir = st->agent_dir;
    int tx, ty;
    switch (dir) {
    case 0: tx = ax, ty = ay - h; break;
    case 1: tx = ax - h, ty = ay; break;
    case 2: tx = ax - V + 1, ty = ay - h; break;
    default: tx = ax - h, ty = ay - V + 1; break;
    }
    gcell a[GRID_MAX_VIEW][GRID_MAX_VIEW], b[GRID_MAX_VIEW][GRID_MAX_VIEW]; /* [x][y] */
    for (int i = 0; i < V; i++)
        for (int j = 0; j < V; j++) {
            int x = tx + i, y = ty + j;
            gcell c = x < 0 || y < 0 || x >= s->width || y >= s->height ? GC_WALL : grid_get(s, st, x, y);
            if (st->hand_pending && st->step_count == 0 && x == st->hand_x && y == st->hand_y) c = st->carrying;
            a[i][j] = c;
        }
    for (int r = 0; r <= dir; r++) { /* rotate_left: new (j, V-1-i) = old (i, j) */
        for (int i = 0; i < V; i++)
            for (int j = 0; j < V; j++) b[j][V - 1 - i] = a[i][j];
        memcpy(a, b, sizeof a);
    }
    uint8_t vis[GRID_MAX_VIEW][GRID_MAX_VIEW] = {{0}};
    if (see_through) {
        memset(vis, 1, sizeof vis);
    } else {
        vis[h][V - 1] = 1;
        for (int j = V - 1; j >= 0; j--) {
            for (int i = 0; i < V - 1; i++) {
                if (!vis[i][j] || (a[i][j] != GC_EMPTY && gc_opaque(a[i][j]))) continue;
                vis[i + 1][j] = 1;
                if (j > 0) vis[i + 1][j - 1] = vis[i][j - 1] = 1;
            }
            for (int i = V - 1; i > 0; i--) {
                if (!vis[i][j] || (a[i][j] != GC_EMPTY && gc_opaque(a[i][j]))) continue;
                vis[i - 1][j] = 1;
                if (j > 0) vis[i - 1][j - 1] = vis[i][j - 1] = 1;
            }
        }
    }
    a[h][V - 1] = grid_shown_carrying(st);
    for (int i = 0; i < V; i++)
        for (int j = 0; j < V; j++) {
            uint8_t *o = img + (i * V + j) * 3;
            if (vis[i][j]) grid_encode_cell(a[i][j], o);
            else o[0] = o[1] = o[2] = 0;
        }
}

static void check_view(void)
{
    static const char *ids[] = {"MiniGrid-Empty-16x16-v0", "MiniGrid-DoorKey-16x16-v0", "MiniGrid-DoorKey-5x5-v0",
                                "BabyAI-BossLevel-v0", "BabyAI-GoToLocal-v0"};
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++)
        for (int V = 3; V <= GRID_MAX_VIEW; V += 2) {
            char opt[32];
            snprintf(opt, sizeof opt, "agent_view_size=%d", V);
            world w;
            CHECK_MSG(world_open(&w, ids[i], opt), "%s %s: %s", ids[i], opt, ludus_errmsg());
            uint8_t want[GRID_MAX_VIEW * GRID_MAX_VIEW * 3 + 1], got[GRID_MAX_VIEW * GRID_MAX_VIEW * 3 + 1];
            for (int k = 0; k < 150; k++) {
                random_cells(&w, (int)trand(60));
                w.st->carrying = trand(3) ? GC_EMPTY : grid_new_obj(w.st, kinds[trand(3)], (int)trand(6), 0);
                w.st->hand_pending = 0;
                if (w.st->carrying != GC_EMPTY && trand(4) == 0) { /* BabyAI's Carrying start */
                    w.st->hand_pending = 1;
                    w.st->step_count = 0;
                    w.st->hand_x = (int8_t)trand((uint32_t)w.s->width);
                    w.st->hand_y = (int8_t)trand((uint32_t)w.s->height);
                }
                ref_view(w.s, w.st, V, w.s->see_through_walls, want);
                got[V * V * 3] = 0xa5; /* the view writes exactly V*V*3 bytes */
                ludus_grid_view(w.s, w.st, got);
                CHECK_MSG(memcmp(want, got, (size_t)(V * V * 3)) == 0, "%s V=%d case %d: view differs", ids[i], V, k);
                CHECK(got[V * V * 3] == 0xa5);
            }
            world_close(&w);
        }
}

int main(void)
{
    check_back64();
    check_draws();
    check_distractors_in("BabyAI-GoToLocal-v0");
    check_distractors_in("BabyAI-GoTo-v0");
    check_distractors_in("BabyAI-KeyCorridorS6R3-v0");
    check_connect_all();
    check_place_agent();
    check_scans();
    check_view();
    return check_finish("test_grid_gen");
}
