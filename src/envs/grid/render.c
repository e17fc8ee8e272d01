/* render.c: RGB frames of the grid worlds in MiniGrid's tile look. A tile
 * is a few shapes (rectangles, circles, capsules, the agent's triangle)
 * sampled 3x3 per pixel and averaged, with the reference's geometry,
 * colours and rounding. A frame draws each distinct tile once, straight
 * into the caller's buffer, then copies it to every other cell that looks
 * the same: no allocation, no per-spec cache, cost by distinct tiles.
 */
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "grid.h"

#define TILE_DEFAULT 32
#define TILE_MAX 256
#define SUBDIV 3 /* samples per pixel side, as the reference supersamples */
#define SUB_MAX (TILE_MAX * SUBDIV)
#define PI_DOUBLE 3.141592653589793 /* the double nearest pi, Python's math.pi */
#define LAVA_WAVE_R 0.03            /* half-thickness of the lava's wave lines */
#define HIGHLIGHT_ALPHA 0.30        /* blend towards white of the cells the agent sees */
#define LOCKED_SHADE 0.45           /* a locked door's panel, relative to its colour */

/* Colours by encoding index (spec/minigrid.md §2.1). Indices 6 and 7 fit
 * the cell's 3 bits but no world makes them; they draw grey. */
static const uint8_t palette[8][3] = {{255, 0, 0},   {0, 255, 0},     {0, 0, 255},
                                      {112, 39, 195}, {255, 255, 0},   {100, 100, 100},
                                      {100, 100, 100}, {100, 100, 100}};
static const uint8_t grid_line_rgb[3] = {100, 100, 100};
static const uint8_t lava_rgb[3] = {255, 128, 0};
static const uint8_t agent_rgb[3] = {255, 0, 0};

enum { SH_RECT, SH_CIRCLE, SH_LINE };
/* What a shape is filled with: the object's colour, black, the locked
 * door's darker panel, the floor's half colour, or a fixed colour. */
enum { INK_OBJ, INK_BLACK, INK_SHADE, INK_HALF, INK_LAVA, INK_LINE, INK_COUNT };

/* Coordinates are fractions of the tile, y down.
 * rect: x in [p0, p1], y in [p2, p3]; circle: centre (p0, p1), radius p2;
 * line: a capsule of radius LAVA_WAVE_R around (p0, p1)-(p2, p3). */
typedef struct shape {
    uint8_t kind, ink;
    double p0, p1, p2, p3;
} shape;

#define RECT(ink, x0, x1, y0, y1) {SH_RECT, ink, x0, x1, y0, y1}
#define CIRCLE(ink, cx, cy, r) {SH_CIRCLE, ink, cx, cy, r, 0}
/* The reference's lava: three rows (i = 0, 1, 2) of a four-segment zigzag. */
#define WAVE_LO(i) (0.3 + 0.2 * (i))
#define WAVE_HI(i) (0.4 + 0.2 * (i))
#define WAVE(i)                                                                                 \
    {SH_LINE, INK_BLACK, 0.1, WAVE_LO(i), 0.3, WAVE_HI(i)},                                     \
        {SH_LINE, INK_BLACK, 0.3, WAVE_HI(i), 0.5, WAVE_LO(i)},                                 \
        {SH_LINE, INK_BLACK, 0.5, WAVE_LO(i), 0.7, WAVE_HI(i)},                                 \
        {SH_LINE, INK_BLACK, 0.7, WAVE_HI(i), 0.9, WAVE_LO(i)}

/* Every tile starts with its top and left grid lines. */
static const shape sh_grid_lines[] = {RECT(INK_LINE, 0, 0.031, 0, 1), RECT(INK_LINE, 0, 1, 0, 0.031)};
static const shape sh_fill[] = {RECT(INK_OBJ, 0, 1, 0, 1)}; /* wall, goal */
static const shape sh_floor[] = {RECT(INK_HALF, 0.031, 1, 0.031, 1)};
static const shape sh_door_open[] = {RECT(INK_OBJ, 0.88, 1.00, 0.00, 1.00),
                                     RECT(INK_BLACK, 0.92, 0.96, 0.04, 0.96)};
static const shape sh_door_closed[] = {
    RECT(INK_OBJ, 0.00, 1.00, 0.00, 1.00),   RECT(INK_BLACK, 0.04, 0.96, 0.04, 0.96),
    RECT(INK_OBJ, 0.08, 0.92, 0.08, 0.92),   RECT(INK_BLACK, 0.12, 0.88, 0.12, 0.88),
    CIRCLE(INK_OBJ, 0.75, 0.50, 0.08)}; /* the handle */
static const shape sh_door_locked[] = {RECT(INK_OBJ, 0.00, 1.00, 0.00, 1.00),
                                       RECT(INK_SHADE, 0.06, 0.94, 0.06, 0.94),
                                       RECT(INK_OBJ, 0.52, 0.75, 0.50, 0.56)}; /* the keyhole */
static const shape sh_key[] = {RECT(INK_OBJ, 0.50, 0.63, 0.31, 0.88), /* shaft */
                               RECT(INK_OBJ, 0.38, 0.50, 0.59, 0.66), /* teeth */
                               RECT(INK_OBJ, 0.38, 0.50, 0.81, 0.88),
                               CIRCLE(INK_OBJ, 0.56, 0.28, 0.190), /* ring */
                               CIRCLE(INK_BLACK, 0.56, 0.28, 0.064)};
static const shape sh_ball[] = {CIRCLE(INK_OBJ, 0.5, 0.5, 0.31)};
static const shape sh_box[] = {RECT(INK_OBJ, 0.12, 0.88, 0.12, 0.88), RECT(INK_BLACK, 0.18, 0.82, 0.18, 0.82),
                               RECT(INK_OBJ, 0.16, 0.84, 0.47, 0.53)}; /* the lid's slit */
static const shape sh_lava[] = {RECT(INK_LAVA, 0, 1, 0, 1), WAVE(0), WAVE(1), WAVE(2)};

#define LEN(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const shape *shapes_of(gcell c, int *n)
{
    static const shape *const doors[3] = {sh_door_open, sh_door_closed, sh_door_locked};
    static const int door_n[3] = {LEN(sh_door_open), LEN(sh_door_closed), LEN(sh_door_locked)};
    switch (c == GC_EMPTY ? OBJ_EMPTY : GC_TYPE(c)) {
    case OBJ_WALL:
    case OBJ_GOAL: *n = LEN(sh_fill); return sh_fill;
    case OBJ_FLOOR: *n = LEN(sh_floor); return sh_floor;
    case OBJ_DOOR: {
        int s = GC_STATE(c) > DOOR_LOCKED ? DOOR_LOCKED : GC_STATE(c);
        *n = door_n[s];
        return doors[s];
    }
    case OBJ_KEY: *n = LEN(sh_key); return sh_key;
    case OBJ_BALL: *n = LEN(sh_ball); return sh_ball;
    case OBJ_BOX: *n = LEN(sh_box); return sh_box;
    case OBJ_LAVA: *n = LEN(sh_lava); return sh_lava;
    default: *n = 0; return NULL; /* empty, and types no world stores */
    }
}

/* What one frame's tiles share: their size and sample positions. */
typedef struct tiler {
    int ts, S;                /* pixels and samples per tile side */
    size_t stride;            /* bytes per frame row */
    double at[SUB_MAX];       /* sample i's position in the tile: (i + 0.5) / S */
} tiler;

/* s / 3.0, the mean of three samples that sum to s: a table, as the
 * division is the downsample's cost. Built once. */
static double third[3 * 255 + 1];
static pthread_once_t third_once = PTHREAD_ONCE_INIT;

static void third_build(void)
{
    for (int v = 0; v <= 3 * 255; v++) third[v] = v / (double)SUBDIV;
}

/* A sample value after the highlight's blend towards white. */
static uint8_t highlight(uint8_t v)
{
    return (uint8_t)(v + HIGHLIGHT_ALPHA * (255 - v));
}

/* The samples [*lo, *hi] that may fall in [a, b], one spare each side;
 * callers test exactly. */
static void sample_span(const tiler *t, double a, double b, int *lo, int *hi)
{
    int l = (int)floor(a * t->S - 0.5) - 1, h = (int)ceil(b * t->S - 0.5) + 1;
    *lo = l < 0 ? 0 : l;
    *hi = h > t->S - 1 ? t->S - 1 : h;
}

/* The samples whose positions lie in [a, b] exactly (lo > hi: none):
 * positions grow with the index, so trim the conservative span. */
static void sample_span_exact(const tiler *t, double a, double b, int *lo, int *hi)
{
    sample_span(t, a, b, lo, hi);
    while (*lo <= *hi && t->at[*lo] < a) ++*lo;
    while (*hi >= *lo && t->at[*hi] > b) --*hi;
}

static void put(uint8_t *px, const uint8_t rgb[3])
{
    px[0] = rgb[0];
    px[1] = rgb[1];
    px[2] = rgb[2];
}

/* The reference's capsule test: end points and direction in float32,
 * the sample and the distance in double. */
static int in_line(const shape *sh, double x, double y)
{
    const float x0 = (float)sh->p0, y0 = (float)sh->p1, x1 = (float)sh->p2, y1 = (float)sh->p3;
    float dx = x1 - x0, dy = y1 - y0;
    const float len = sqrtf(dx * dx + dy * dy);
    dx /= len;
    dy /= len;
    double a = (x - x0) * (double)dx + (y - y0) * (double)dy;
    if (a < 0) a = 0;
    if (a > len) a = len;
    const double qx = x - (x0 + a * dx), qy = y - (y0 + a * dy);
    return sqrt(qx * qx + qy * qy) <= LAVA_WAVE_R;
}

/* The agent: a triangle pointing east, rotated a quarter turn per
 * direction about the tile's centre, tested barycentrically with float32
 * corners as the reference does. */
typedef struct agent_tri {
    double cos_t, sin_t;         /* of minus the rotation */
    float ax, ay, v0x, v0y, v1x, v1y;
    float d00, d01, d11, inv;    /* dot products and 1/denominator, in float32 */
    double corner[3][2];         /* the corners on screen (exact quarter turns) */
} agent_tri;

static void agent_tri_init(agent_tri *a, int dir)
{
    const double theta = 0.5 * PI_DOUBLE * dir;
    a->cos_t = cos(-theta);
    a->sin_t = sin(-theta);
    a->ax = 0.12f;
    a->ay = 0.19f;
    a->v0x = 0.12f - a->ax; /* c - a, c = (0.12, 0.81) */
    a->v0y = 0.81f - a->ay;
    a->v1x = 0.87f - a->ax; /* b - a, b = (0.87, 0.50) */
    a->v1y = 0.50f - a->ay;
    a->d00 = a->v0x * a->v0x + a->v0y * a->v0y;
    a->d01 = a->v0x * a->v1x + a->v0y * a->v1y;
    a->d11 = a->v1x * a->v1x + a->v1y * a->v1y;
    a->inv = 1.0f / (a->d00 * a->d11 - a->d01 * a->d01);
    static const int qcos[4] = {1, 0, -1, 0}, qsin[4] = {0, 1, 0, -1};
    static const double tri[3][2] = {{0.12, 0.19}, {0.87, 0.50}, {0.12, 0.81}};
    for (int k = 0; k < 3; k++) {
        const double x = tri[k][0] - 0.5, y = tri[k][1] - 0.5;
        a->corner[k][0] = 0.5 + x * qcos[dir] - y * qsin[dir];
        a->corner[k][1] = 0.5 + x * qsin[dir] + y * qcos[dir];
    }
}

/* Where the row y = yf crosses the triangle's edges, as an interval of x
 * (0 when it does not): the exact test differs from it only by rounding,
 * far less than a sample, so it tells where a row's run starts and ends. */
static int agent_row_span(const agent_tri *a, double yf, double slack, double *xl, double *xr)
{
    double lo = 2, hi = -1;
    for (int k = 0; k < 3; k++) {
        const double *p = a->corner[k], *q = a->corner[(k + 1) % 3];
        double x0, x1;
        if (fabs(p[1] - q[1]) <= slack) {
            if (fabs(yf - p[1]) > slack) continue;
            x0 = fmin(p[0], q[0]);
            x1 = fmax(p[0], q[0]);
        } else {
            double u = (yf - p[1]) / (q[1] - p[1]);
            if (u < 0 || u > 1) continue;
            x0 = x1 = p[0] + u * (q[0] - p[0]);
        }
        lo = fmin(lo, x0);
        hi = fmax(hi, x1);
    }
    *xl = lo;
    *xr = hi;
    return lo <= hi;
}

static int in_agent(const agent_tri *a, double x, double y)
{
    x -= 0.5;
    y -= 0.5;
    const double x2 = 0.5 + x * a->cos_t - y * a->sin_t;
    const double y2 = 0.5 + y * a->cos_t + x * a->sin_t;
    const double px = x2 - a->ax, py = y2 - a->ay;
    const double d02 = a->v0x * px + a->v0y * py, d12 = a->v1x * px + a->v1y * py;
    const double u = ((double)a->d11 * d02 - (double)a->d01 * d12) * a->inv;
    const double v = ((double)a->d00 * d12 - (double)a->d01 * d02) * a->inv;
    return u >= 0 && v >= 0 && u + v < 1;
}

#define AGENT_BOX_LO 0.1 /* the triangle's bounding box in any rotation */
#define AGENT_BOX_HI 0.9
#define MAX_PLACED 20    /* grid lines + the most shapes of an object + the agent */

/* A shape placed in one tile: its sample rows [ylo, yhi] and columns
 * [xlo, xhi] (exact for rectangles, which fill them; a bound for the
 * others, which test each sample) and its ink. */
typedef struct placed {
    const shape *sh;      /* NULL: the agent */
    int ylo, yhi, xlo, xhi;
    uint8_t ink[3];
} placed;

static void paint_row(const tiler *t, const placed *p, const agent_tri *tri, uint8_t *row, int sy)
{
    const double yf = t->at[sy];
    if (!p->sh) {
        /* The triangle is convex, so a sample row meets it in one run: scan
         * in to its ends from the samples just outside the crossing points
         * (a whole sample from them), or from the bounding box when such a
         * start is not outside after all. */
        int lo = p->xlo, hi = p->xhi;
        double xl, xr;
        if (agent_row_span(tri, yf, 1.0 / t->S, &xl, &xr)) {
            int l = (int)floor(xl * t->S - 0.5) - 1, h = (int)ceil(xr * t->S - 0.5) + 1;
            if (l >= lo && l <= hi && !in_agent(tri, t->at[l], yf)) lo = l + 1;
            if (h <= hi && h >= lo && !in_agent(tri, t->at[h], yf)) hi = h - 1;
        }
        while (lo <= hi && !in_agent(tri, t->at[lo], yf)) lo++;
        while (hi > lo && !in_agent(tri, t->at[hi], yf)) hi--;
        for (int i = lo; i <= hi; i++) put(row + 3 * i, p->ink);
    } else if (p->sh->kind == SH_RECT) {
        for (int i = p->xlo; i <= p->xhi; i++) put(row + 3 * i, p->ink);
    } else if (p->sh->kind == SH_CIRCLE) {
        const double cx = p->sh->p0, cy = p->sh->p1, r = p->sh->p2, dy = yf - cy;
        for (int i = p->xlo; i <= p->xhi; i++) {
            const double dx = t->at[i] - cx;
            if (dx * dx + dy * dy <= r * r) put(row + 3 * i, p->ink);
        }
    } else {
        const shape *sh = p->sh;
        const double xmin = fmin(sh->p0, sh->p2) - LAVA_WAVE_R, xmax = fmax(sh->p0, sh->p2) + LAVA_WAVE_R;
        const double ymin = fmin(sh->p1, sh->p3) - LAVA_WAVE_R, ymax = fmax(sh->p1, sh->p3) + LAVA_WAVE_R;
        if (yf < ymin || yf > ymax) return;
        for (int i = p->xlo; i <= p->xhi; i++)
            if (t->at[i] >= xmin && t->at[i] <= xmax && in_line(sh, t->at[i], yf)) put(row + 3 * i, p->ink);
    }
}

static void place(const tiler *t, placed *p, const shape *sh, const uint8_t ink[3])
{
    p->sh = sh;
    put(p->ink, ink);
    if (sh->kind == SH_RECT) {
        sample_span_exact(t, sh->p0, sh->p1, &p->xlo, &p->xhi);
        sample_span_exact(t, sh->p2, sh->p3, &p->ylo, &p->yhi);
    } else if (sh->kind == SH_CIRCLE) {
        sample_span(t, sh->p0 - sh->p2, sh->p0 + sh->p2, &p->xlo, &p->xhi);
        sample_span(t, sh->p1 - sh->p2, sh->p1 + sh->p2, &p->ylo, &p->yhi);
    } else {
        sample_span(t, fmin(sh->p0, sh->p2) - LAVA_WAVE_R, fmax(sh->p0, sh->p2) + LAVA_WAVE_R, &p->xlo, &p->xhi);
        sample_span(t, fmin(sh->p1, sh->p3) - LAVA_WAVE_R, fmax(sh->p1, sh->p3) + LAVA_WAVE_R, &p->ylo, &p->yhi);
    }
}

/* Draw one tile at dst: cell `c` (its low 9 bits), the agent facing
 * `dir` on it (or dir < 0), blended towards white when `lit`. Each pixel
 * row is three sample rows, painted shape by shape, then averaged in
 * double and truncated as the reference's downsample and uint8 store.
 * Two shortcuts give the same pixels: the reference blends the samples
 * after painting, we blend each ink (and the black background) before;
 * and a pixel row whose sample rows meet the same rectangles, and
 * nothing else, as the row above is a copy of it. */
static void draw_tile(const tiler *t, gcell c, int dir, int lit, uint8_t *dst)
{
    const int col = GC_COLOR(c);
    uint8_t inks[INK_COUNT][3], agent_ink[3];
    for (int ch = 0; ch < 3; ch++) {
        const uint8_t v = palette[col][ch];
        inks[INK_OBJ][ch] = v;
        inks[INK_BLACK][ch] = 0;
        inks[INK_SHADE][ch] = (uint8_t)(LOCKED_SHADE * v);
        inks[INK_HALF][ch] = (uint8_t)(v / 2.0);
        inks[INK_LAVA][ch] = lava_rgb[ch];
        inks[INK_LINE][ch] = grid_line_rgb[ch];
        agent_ink[ch] = agent_rgb[ch];
    }
    if (lit) {
        for (int k = 0; k < INK_COUNT; k++)
            for (int ch = 0; ch < 3; ch++) inks[k][ch] = highlight(inks[k][ch]);
        for (int ch = 0; ch < 3; ch++) agent_ink[ch] = highlight(agent_ink[ch]);
    }
    const uint8_t background = lit ? highlight(0) : 0;

    placed ps[MAX_PLACED];
    int np = 0, n;
    for (int g = 0; g < LEN(sh_grid_lines); g++, np++) place(t, &ps[np], &sh_grid_lines[g], inks[INK_LINE]);
    const shape *shapes = shapes_of(c, &n);
    for (int k = 0; k < n; k++, np++) place(t, &ps[np], &shapes[k], inks[shapes[k].ink]);
    agent_tri tri;
    uint32_t curved = 0; /* shapes whose run changes from row to row */
    for (int k = 0; k < np; k++)
        if (ps[k].sh->kind != SH_RECT) curved |= 1u << k;
    if (dir >= 0) {
        agent_tri_init(&tri, dir);
        ps[np].sh = NULL;
        put(ps[np].ink, agent_ink);
        sample_span(t, AGENT_BOX_LO, AGENT_BOX_HI, &ps[np].xlo, &ps[np].xhi);
        sample_span(t, AGENT_BOX_LO, AGENT_BOX_HI, &ps[np].ylo, &ps[np].yhi);
        /* Rows beyond the corners (and a sample's margin) meet nothing. */
        double ylo = 1, yhi = 0;
        for (int k = 0; k < 3; k++) {
            ylo = fmin(ylo, tri.corner[k][1]);
            yhi = fmax(yhi, tri.corner[k][1]);
        }
        int l, h;
        sample_span(t, ylo - 1.0 / t->S, yhi + 1.0 / t->S, &l, &h);
        if (l > ps[np].ylo) ps[np].ylo = l;
        if (h < ps[np].yhi) ps[np].yhi = h;
        curved |= 1u << np;
        np++;
    }

    uint8_t rows[SUBDIV][SUB_MAX * 3];
    double mean[SUB_MAX];
    const int m = t->ts * 3;
    uint32_t prev[SUBDIV] = {0};
    int have_prev = 0;
    for (int py = 0; py < t->ts; py++) {
        uint32_t on[SUBDIV];
        int same = have_prev;
        for (int k = 0; k < SUBDIV; k++) {
            const int sy = py * SUBDIV + k;
            on[k] = 0;
            for (int q = 0; q < np; q++)
                if (sy >= ps[q].ylo && sy <= ps[q].yhi) on[k] |= 1u << q;
            same &= on[k] == prev[k] && !(on[k] & curved);
        }
        uint8_t *out = dst + (size_t)py * t->stride;
        if (same) {
            memcpy(out, out - t->stride, (size_t)m);
            continue;
        }
        for (int k = 0; k < SUBDIV; k++) {
            memset(rows[k], background, (size_t)t->S * 3);
            for (int q = 0; q < np; q++)
                if (on[k] >> q & 1u) paint_row(t, &ps[q], &tri, rows[k], py * SUBDIV + k);
            prev[k] = on[k];
        }
        have_prev = 1;
        /* The mean of each sample row's three samples, then of the three
         * rows, in that order (exact sums, so a table gives the first). */
        for (int i = 0; i < m; i++) {
            const int j = (i / 3) * SUBDIV * 3 + i % 3;
            double a = 0;
            for (int k = 0; k < SUBDIV; k++) a += third[rows[k][j] + rows[k][j + 3] + rows[k][j + 6]];
            mean[i] = a;
        }
        for (int i = 0; i < m; i++) out[i] = (uint8_t)(int)(mean[i] / SUBDIV);
    }
}

/* A tile row's copy: short, so a plain loop the compiler vectorizes beats
 * the string instruction it would inline for memcpy. */
static void copy_bytes(uint8_t *restrict dst, const uint8_t *restrict src, size_t n)
{
    for (size_t i = 0; i < n; i++) dst[i] = src[i];
}

static int tile_size_of(const ludus_env *env, const ludus_render_opts *o, int *ts)
{
    int t = o->tile_size ? o->tile_size : TILE_DEFAULT;
    if (t < 1 || t > TILE_MAX)
        return ludus_err_set(LUDUS_EINVAL, "tile size %d is out of range 1..%d for '%s' (0 means %d)", t, TILE_MAX,
                       env->id, TILE_DEFAULT);
    *ts = t;
    return LUDUS_OK;
}

int ludus_grid_render_size(const ludus_env *env, const ludus_render_opts *o, int *w, int *h)
{
    const grid_spec *s = env->impl;
    int ts, rc = tile_size_of(env, o, &ts);
    if (rc) return rc;
    /* At most 32 cells of 256 pixels a side: no overflow. */
    *w = (o->agent_view ? s->view : s->width) * ts;
    *h = (o->agent_view ? s->view : s->height) * ts;
    return LUDUS_OK;
}

int ludus_grid_render(const ludus_env *env, const void *state, const ludus_render_opts *o, uint8_t *rgb)
{
    const grid_spec *s = env->impl;
    const grid_state *st = state;
    int ts, rc = tile_size_of(env, o, &ts);
    if (rc) return rc;
    /* A state read back from elsewhere may be damaged: its pose decides
     * which cells the view reads. */
    if (st->agent_x < 0 || st->agent_y < 0 || st->agent_x >= s->width || st->agent_y >= s->height)
        return ludus_err_set(LUDUS_ESTATE, "'%s': the state's agent stands outside the grid at (%d, %d)", env->id,
                       st->agent_x, st->agent_y);
    /* The picture as cols x rows cells, which of them are lit, and where
     * the agent stands facing which way. */
    gcell cells[GRID_MAX_SIDE * GRID_MAX_SIDE];
    uint8_t lit[GRID_MAX_SIDE * GRID_MAX_SIDE];
    int cols, rows, agent = -1, dir;
    if (o->agent_view) {
        /* The egocentric view as the observation sees it (walls beyond the
         * grid, unseen cells empty and unlit, the carried object under the
         * agent), the agent at the bottom centre facing up. */
        const int V = s->view;
        uint8_t enc[GRID_MAX_VIEW * GRID_MAX_VIEW * 3];
        ludus_grid_view(s, st, enc);
        cols = rows = V;
        for (int vy = 0; vy < V; vy++)
            for (int vx = 0; vx < V; vx++) {
                const uint8_t *e = enc + (vx * V + vy) * 3;
                cells[vy * V + vx] = e[0] > OBJ_EMPTY ? GC_MAKE(e[0], e[1], e[2], 0) : GC_EMPTY;
                lit[vy * V + vx] = o->highlight && e[0] != OBJ_UNSEEN;
            }
        agent = (V - 1) * V + V / 2;
        dir = 3;
    } else {
        cols = s->width;
        rows = s->height;
        memcpy(cells, grid_cells_c(s, st), sizeof(gcell) * (size_t)(cols * rows));
        if (o->highlight) ludus_grid_visible_cells(s, st, lit);
        else memset(lit, 0, (size_t)(cols * rows));
        agent = st->agent_y * cols + st->agent_x;
        dir = st->agent_dir & 3;
    }

    ludus_grid_draw_cells(cols, rows, cells, lit, agent, dir, ts, rgb);
    return LUDUS_OK;
}

void ludus_grid_draw_cells(int cols, int rows, const gcell *cells, const uint8_t *lit, int agent, int dir, int ts,
                           uint8_t *rgb)
{
    tiler t;
    t.ts = ts;
    t.S = ts * SUBDIV;
    t.stride = (size_t)cols * (size_t)ts * 3;
    for (int i = 0; i < t.S; i++) t.at[i] = (i + 0.5) / t.S;
    pthread_once(&third_once, third_build);

    /* first[key]: the cell where a tile with this look was drawn, or -1.
     * The key is the cell's encoding bits and its highlight. */
    int32_t first[512 * 2];
    memset(first, 0xff, sizeof first);
    const size_t tile_row = (size_t)ts * 3;
    for (int j = 0; j < rows; j++)
        for (int i = 0; i < cols; i++) {
            const int idx = j * cols + i;
            uint8_t *dst = rgb + (size_t)j * ts * t.stride + (size_t)i * tile_row;
            const gcell c = cells[idx] & 511u;
            if (idx == agent) {
                draw_tile(&t, c, dir, lit[idx], dst);
                continue;
            }
            const int key = c << 1 | lit[idx];
            if (first[key] < 0) {
                draw_tile(&t, c, -1, lit[idx], dst);
                first[key] = idx;
                continue;
            }
            const int fi = first[key] % cols, fj = first[key] / cols;
            const uint8_t *src = rgb + (size_t)fj * ts * t.stride + (size_t)fi * tile_row;
            for (int y = 0; y < ts; y++) copy_bytes(dst + (size_t)y * t.stride, src + (size_t)y * t.stride, tile_row);
        }
}
