/* babyai_scan.c: the layout scans of BabyAI generation: the reachability
 * check (check_objs_reachable) and the list of object cells that matching
 * reads. Both start from two bit masks of the grid, "passable" (empty or a
 * door: the flood goes on from there) and "object" (neither empty nor a
 * wall), built eight cells at a time; grids of at most 64 cells then flood
 * as one 64-bit board, larger ones row by row.
 */
#include <string.h>

#include "babyai.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Largest grid in 64-bit words of one bit per cell. */
#define SCAN_WORDS ((GRID_MAX_SIDE * GRID_MAX_SIDE + 63) / 64)

/* Bits 0-7: cells c[0..8) passable; bits 8-15: cells c[0..8) objects. */
static inline unsigned masks8(const gcell *c)
{
#if defined(__SSE2__)
    __m128i v = _mm_loadu_si128((const __m128i *)c);
    __m128i type = _mm_and_si128(v, _mm_set1_epi16(15));
    __m128i pass = _mm_or_si128(_mm_cmpeq_epi16(v, _mm_setzero_si128()),
                                _mm_cmpeq_epi16(type, _mm_set1_epi16(OBJ_DOOR)));
    __m128i obj = _mm_cmpgt_epi16(type, _mm_set1_epi16(OBJ_WALL)); /* GC_EMPTY has type 0 */
    return (unsigned)_mm_movemask_epi8(_mm_packs_epi16(pass, obj));
#else
    unsigned m = 0;
    for (int k = 0; k < 8; k++) {
        unsigned t = c[k] & 15u;
        m |= (unsigned)(c[k] == GC_EMPTY || t == OBJ_DOOR) << k;
        m |= (unsigned)(t > OBJ_WALL) << (8 + k);
    }
    return m;
#endif
}

/* The two masks of all W*H cells, row-major (bit y*W + x), in words of 64;
 * returns the number of words. */
static int scan_masks(const grid_spec *s, const grid_state *st, uint64_t *pass, uint64_t *obj)
{
    const gcell *c = grid_cells_c(s, st);
    const int n = s->width * s->height;
    if (LUDUS_UNLIKELY(n < 8)) { /* smaller than any registered grid */
        gcell tail[8] = {0};
        memcpy(tail, c, sizeof(gcell) * (size_t)n);
        unsigned m = masks8(tail) & (((1u << n) - 1) * 0x101u);
        pass[0] = m & 255u;
        obj[0] = m >> 8;
        return 1;
    }
    /* Eight cells at a time; the last group of the grid is its last eight
     * cells, shifted past those already done. */
    uint64_t p = 0, o = 0;
    int k = 0;
    for (; k + 8 <= n; k += 8) {
        unsigned m = masks8(c + k);
        p |= (uint64_t)(m & 255u) << (k & 63);
        o |= (uint64_t)(m >> 8) << (k & 63);
        if ((k & 63) == 56) {
            pass[k >> 6] = p;
            obj[k >> 6] = o;
            p = o = 0;
        }
    }
    if (k < n) {
        const int done = k - (n - 8);
        unsigned m = masks8(c + n - 8);
        pass[k >> 6] = p | (uint64_t)((m & 255u) >> done) << (k & 63);
        obj[k >> 6] = o | (uint64_t)((m >> 8) >> done) << (k & 63);
    } else if (k & 63) {
        pass[k >> 6] = p;
        obj[k >> 6] = o;
    }
    return (n + 63) / 64;
}

/* Row y (W bits) of a row-major bit array. */
static inline uint32_t row_bits(const uint64_t *bits, int W, int y)
{
    int b = y * W, w = b >> 6, o = b & 63;
    uint64_t v = bits[w] >> o;
    if (o + W > 64) v |= bits[w + 1] << (64 - o);
    return (uint32_t)(v & ((W == 32 ? 0 : (1ull << W)) - 1));
}

/* The reference floods from the agent: every cell reached, and the flood
 * continues only out of empty cells and doors (of any state); then every
 * object must have been reached. On one board: `flow` is the passable
 * cells reached, grown one step in the four directions until it stops. */
static int reachable_board(int W, int H, int ax, int ay, uint64_t pass, uint64_t obj)
{
    const int n = W * H;
    const uint64_t all = n == 64 ? ~0ull : (1ull << n) - 1;
    uint64_t first_col = 1;
    for (int shift = W; shift < n; shift *= 2) first_col |= first_col << shift;
    first_col &= all;
    const uint64_t not_first = all & ~first_col, not_last = all & ~(first_col << (W - 1));
    const uint64_t agent = 1ull << (ay * W + ax);
    uint64_t flow = agent & pass, prev;
    if (flow) {
        do {
            prev = flow;
            flow |= (((flow << 1) & not_first) | ((flow >> 1) & not_last) | (flow << W) | (flow >> W)) & pass;
        } while (flow != prev);
    }
    uint64_t reach = agent | flow | ((flow << 1) & not_first) | ((flow >> 1) & not_last) | ((flow << W) & all) |
                     (flow >> W);
    return (obj & ~reach) == 0;
}

/* The passable cells joined to a seed by passable cells along a row: to
 * the right by a carry (adding the seeds to their runs of passable bits
 * flips each run from its lowest seed up), to the left by Kogge-Stone
 * doubling steps. seeds must be passable. */
static inline uint32_t fill_row(uint32_t seeds, uint32_t pass)
{
    uint32_t right = (((pass + seeds) ^ pass) | seeds) & pass, left = seeds, p = pass;
    for (int k = 1; k < GRID_MAX_SIDE; k <<= 1) {
        left |= (left >> k) & p;
        p &= p >> k;
    }
    return right | left;
}

/* The same flood on one 32-bit mask per row: whole passable runs fill at
 * once, and a row is revisited only when a neighbouring row gave it new
 * cells. */
static int reachable_rows(int W, int H, int ax, int ay, const uint64_t *pass_bits, const uint64_t *obj_bits)
{
    const uint32_t inside = W == 32 ? UINT32_MAX : (1u << W) - 1;
    uint32_t pass[GRID_MAX_SIDE] = {0}, reach[GRID_MAX_SIDE] = {0};
    for (int y = 0; y < H; y++) pass[y] = row_bits(pass_bits, W, y);
    reach[ay] = 1u << ax;
    uint32_t dirty = 1u << ay; /* rows with cells not yet spread */
    while (dirty) {
        int y = __builtin_ctz(dirty);
        dirty &= dirty - 1;
        uint32_t flow = reach[y] & pass[y];
        if (!flow) continue;
        flow = fill_row(flow, pass[y]);
        reach[y] |= flow | ((flow << 1 | flow >> 1) & inside);
        if (y > 0 && (flow & ~reach[y - 1])) {
            reach[y - 1] |= flow;
            dirty |= 1u << (y - 1);
        }
        if (y + 1 < H && (flow & ~reach[y + 1])) {
            reach[y + 1] |= flow;
            dirty |= 1u << (y + 1);
        }
    }
    for (int y = 0; y < H; y++)
        if (row_bits(obj_bits, W, y) & ~reach[y]) return 0;
    return 1;
}

/* The object cells of a scan's object mask, in row order. */
static void cells_from_mask(int W, int nw, const uint64_t *obj, bab_cells *cells)
{
    /* k / W as a multiply: exact for k < 1024 and W <= 32, as the error,
     * under k / 2^16 < 1/64, stays below 1/W. */
    const uint32_t inv_w = (65536u + (uint32_t)W - 1) / (uint32_t)W;
    cells->n = 0;
    for (int w = 0; w < nw; w++)
        for (uint64_t m = obj[w]; m; m &= m - 1) {
            if (cells->n == BAB_CELLS_CAP) {
                cells->n = -1; /* too many: matching scans the grid instead */
                return;
            }
            const int k = w * 64 + __builtin_ctzll(m), y = (int)(((uint32_t)k * inv_w) >> 16);
            cells->x[cells->n] = (int8_t)(k - y * W);
            cells->y[cells->n] = (int8_t)y;
            cells->n++;
        }
}

static int reachable(const grid_spec *s, const grid_state *st, const uint64_t *pass, const uint64_t *obj)
{
    const int W = s->width, H = s->height;
    if (LUDUS_UNLIKELY(st->agent_x < 0 || st->agent_y < 0 || st->agent_x >= W || st->agent_y >= H)) {
        /* The reference's flood starts off the grid and reaches nothing. */
        for (int w = 0; w < (W * H + 63) / 64; w++)
            if (obj[w]) return 0;
        return 1;
    }
    if (W * H <= 64) return reachable_board(W, H, st->agent_x, st->agent_y, pass[0], obj[0]);
    return reachable_rows(W, H, st->agent_x, st->agent_y, pass, obj);
}

int ludus_bab_objs_reachable(const grid_spec *s, const grid_state *st)
{
    uint64_t pass[SCAN_WORDS], obj[SCAN_WORDS];
    scan_masks(s, st, pass, obj);
    return reachable(s, st, pass, obj);
}

int ludus_bab_reachable_final(bab_gen *g)
{
    uint64_t pass[SCAN_WORDS], obj[SCAN_WORDS];
    const int nw = scan_masks(g->s, g->st, pass, obj);
    cells_from_mask(g->s->width, nw, obj, &g->cells);
    return reachable(g->s, g->st, pass, obj);
}

void ludus_bab_cells_build(const grid_spec *s, const grid_state *st, bab_cells *cells)
{
    uint64_t pass[SCAN_WORDS], obj[SCAN_WORDS];
    const int nw = scan_masks(s, st, pass, obj);
    cells_from_mask(s->width, nw, obj, cells);
}
