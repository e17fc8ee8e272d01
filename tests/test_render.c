/* test_render.c: RGB frames of the grid worlds, and the PNG and GIF files
 * made from them. The renderer is checked against a plain model of the
 * reference's algorithm (every sample of every tile painted shape by
 * shape, highlighted, then averaged), pixel for pixel, and against colours
 * taken from the specification; files are decoded back (libpng, giflib's
 * DGifSlurp) and compared with the frames they came from.
 */
#include <gif_lib.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "envs/grid/grid.h"

static char dir[1024];

/* Count allocations (forwarded to glibc's allocator) to check that a frame
 * allocates nothing. Not under AddressSanitizer, which owns malloc. */
#if !defined(__SANITIZE_ADDRESS__)
#define COUNT_ALLOCS 1
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
static long allocs;
void *malloc(size_t n)
{
    allocs++;
    return __libc_malloc(n);
}
void *calloc(size_t n, size_t size)
{
    allocs++;
    return __libc_calloc(n, size);
}
void *realloc(void *p, size_t n)
{
    allocs++;
    return __libc_realloc(p, n);
}
#endif

static const char *path_of(const char *name)
{
    static char p[1200];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

static int is_grid(const ludus_env *env)
{
    const char *f = ludus_env_get_info(env)->family;
    return strcmp(f, "minigrid") == 0 || strcmp(f, "babyai") == 0;
}

/* A frame of `state` (malloc'd), or NULL after a failed check. */
static uint8_t *frame_of(const ludus_env *env, const void *state, ludus_render_opts o, int *w, int *h)
{
    int rc = ludus_env_render_size(env, &o, w, h);
    CHECK_MSG(rc == LUDUS_OK, "render_size: %s", ludus_errmsg());
    if (rc) return NULL;
    size_t n = (size_t)*w * *h * 3;
    uint8_t *rgb = malloc(n);
    memset(rgb, 0xab, n);
    rc = ludus_env_render(env, state, &o, rgb, n);
    CHECK_MSG(rc == LUDUS_OK, "render: %s", ludus_errmsg());
    if (rc) {
        free(rgb);
        return NULL;
    }
    return rgb;
}

/* ---- a plain model of the reference's renderer ---------------------------
 * Written from the reference's description (Minigrid 3.1.0 rendering.py,
 * world_object.py, grid.py): tile images of 3x3 samples per pixel, filled
 * by predicates over sample centres, the highlight blended over the
 * samples, then downsampled by the mean of the means; float32 where the
 * reference builds numpy float32 arrays. */

#define M_SUB 3
static const uint8_t m_colors[6][3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {112, 39, 195}, {255, 255, 0}, {100, 100, 100}};

typedef struct m_tile {
    int S;
    uint8_t *img; /* S x S x 3 */
} m_tile;

static void m_set(m_tile *t, int x, int y, const uint8_t c[3])
{
    memcpy(t->img + ((size_t)y * t->S + x) * 3, c, 3);
}

static double m_at(const m_tile *t, int i) { return (i + 0.5) / t->S; }

static void m_rect(m_tile *t, double x0, double x1, double y0, double y1, const uint8_t c[3])
{
    for (int y = 0; y < t->S; y++)
        for (int x = 0; x < t->S; x++) {
            double xf = m_at(t, x), yf = m_at(t, y);
            if (xf >= x0 && xf <= x1 && yf >= y0 && yf <= y1) m_set(t, x, y, c);
        }
}

static void m_circle(m_tile *t, double cx, double cy, double r, const uint8_t c[3])
{
    for (int y = 0; y < t->S; y++)
        for (int x = 0; x < t->S; x++) {
            double xf = m_at(t, x), yf = m_at(t, y);
            if ((xf - cx) * (xf - cx) + (yf - cy) * (yf - cy) <= r * r) m_set(t, x, y, c);
        }
}

static void m_line(m_tile *t, double x0, double y0, double x1, double y1, double r, const uint8_t c[3])
{
    const float p0x = (float)x0, p0y = (float)y0, p1x = (float)x1, p1y = (float)y1;
    float dx = p1x - p0x, dy = p1y - p0y;
    const float dist = sqrtf(dx * dx + dy * dy);
    dx /= dist;
    dy /= dist;
    const double xmin = fmin(x0, x1) - r, xmax = fmax(x0, x1) + r, ymin = fmin(y0, y1) - r, ymax = fmax(y0, y1) + r;
    for (int y = 0; y < t->S; y++)
        for (int x = 0; x < t->S; x++) {
            double xf = m_at(t, x), yf = m_at(t, y);
            if (xf < xmin || xf > xmax || yf < ymin || yf > ymax) continue;
            double a = (xf - p0x) * (double)dx + (yf - p0y) * (double)dy;
            a = a < 0 ? 0 : a > dist ? dist : a;
            double qx = xf - (p0x + a * dx), qy = yf - (p0y + a * dy);
            if (sqrt(qx * qx + qy * qy) <= r) m_set(t, x, y, c);
        }
}

static void m_agent(m_tile *t, int agent_dir)
{
    static const uint8_t red[3] = {255, 0, 0};
    const float ax = 0.12f, ay = 0.19f, bx = 0.87f, by = 0.50f, cx = 0.12f, cy = 0.81f;
    const float v0x = cx - ax, v0y = cy - ay, v1x = bx - ax, v1y = by - ay;
    const float d00 = v0x * v0x + v0y * v0y, d01 = v0x * v1x + v0y * v1y, d11 = v1x * v1x + v1y * v1y;
    const float inv = 1.0f / (d00 * d11 - d01 * d01);
    const double theta = 0.5 * 3.141592653589793 * agent_dir;
    for (int y = 0; y < t->S; y++)
        for (int x = 0; x < t->S; x++) {
            double xf = m_at(t, x) - 0.5, yf = m_at(t, y) - 0.5;
            double x2 = 0.5 + xf * cos(-theta) - yf * sin(-theta);
            double y2 = 0.5 + yf * cos(-theta) + xf * sin(-theta);
            double v2x = x2 - ax, v2y = y2 - ay;
            double d02 = v0x * v2x + v0y * v2y, d12 = v1x * v2x + v1y * v2y;
            double u = ((double)d11 * d02 - (double)d01 * d12) * inv;
            double v = ((double)d00 * d12 - (double)d01 * d02) * inv;
            if (u >= 0 && v >= 0 && u + v < 1) m_set(t, x, y, red);
        }
}

/* (type, colour, state) as in an observation; type <= 1: nothing. */
static void m_object(m_tile *t, int type, int color, int state)
{
    static const uint8_t black[3] = {0, 0, 0};
    const uint8_t *c = m_colors[color % 6];
    uint8_t half[3], dim[3];
    for (int k = 0; k < 3; k++) {
        half[k] = (uint8_t)(c[k] / 2.0);
        dim[k] = (uint8_t)(0.45 * c[k]);
    }
    switch (type) {
    case OBJ_WALL: m_rect(t, 0, 1, 0, 1, c); break;
    case OBJ_GOAL: m_rect(t, 0, 1, 0, 1, m_colors[COL_GREEN]); break;
    case OBJ_FLOOR: m_rect(t, 0.031, 1, 0.031, 1, half); break;
    case OBJ_LAVA: {
        static const uint8_t orange[3] = {255, 128, 0};
        m_rect(t, 0, 1, 0, 1, orange);
        for (int i = 0; i < 3; i++) {
            double lo = 0.3 + 0.2 * i, hi = 0.4 + 0.2 * i;
            m_line(t, 0.1, lo, 0.3, hi, 0.03, black);
            m_line(t, 0.3, hi, 0.5, lo, 0.03, black);
            m_line(t, 0.5, lo, 0.7, hi, 0.03, black);
            m_line(t, 0.7, hi, 0.9, lo, 0.03, black);
        }
        break;
    }
    case OBJ_DOOR:
        if (state == DOOR_OPEN) {
            m_rect(t, 0.88, 1.00, 0.00, 1.00, c);
            m_rect(t, 0.92, 0.96, 0.04, 0.96, black);
        } else if (state == DOOR_LOCKED) {
            m_rect(t, 0, 1, 0, 1, c);
            m_rect(t, 0.06, 0.94, 0.06, 0.94, dim);
            m_rect(t, 0.52, 0.75, 0.50, 0.56, c);
        } else {
            m_rect(t, 0, 1, 0, 1, c);
            m_rect(t, 0.04, 0.96, 0.04, 0.96, black);
            m_rect(t, 0.08, 0.92, 0.08, 0.92, c);
            m_rect(t, 0.12, 0.88, 0.12, 0.88, black);
            m_circle(t, 0.75, 0.50, 0.08, c);
        }
        break;
    case OBJ_KEY:
        m_rect(t, 0.50, 0.63, 0.31, 0.88, c);
        m_rect(t, 0.38, 0.50, 0.59, 0.66, c);
        m_rect(t, 0.38, 0.50, 0.81, 0.88, c);
        m_circle(t, 0.56, 0.28, 0.190, c);
        m_circle(t, 0.56, 0.28, 0.064, black);
        break;
    case OBJ_BALL: m_circle(t, 0.5, 0.5, 0.31, c); break;
    case OBJ_BOX:
        m_rect(t, 0.12, 0.88, 0.12, 0.88, c);
        m_rect(t, 0.18, 0.82, 0.18, 0.82, black);
        m_rect(t, 0.16, 0.84, 0.47, 0.53, c);
        break;
    default: break;
    }
}

/* Draw one tile into frame (width fw pixels) at tile (tx, ty). */
static void m_draw_tile(uint8_t *frame, int fw, int ts, int tx, int ty, const uint8_t enc[3], int agent_dir, int lit)
{
    static const uint8_t grey[3] = {100, 100, 100};
    m_tile t = {ts * M_SUB, NULL};
    t.img = calloc((size_t)t.S * t.S, 3);
    m_rect(&t, 0, 0.031, 0, 1, grey);
    m_rect(&t, 0, 1, 0, 0.031, grey);
    m_object(&t, enc[0], enc[1], enc[2]);
    if (agent_dir >= 0) m_agent(&t, agent_dir);
    if (lit)
        for (size_t i = 0; i < (size_t)t.S * t.S * 3; i++) t.img[i] = (uint8_t)(t.img[i] + 0.30 * (255 - t.img[i]));
    for (int py = 0; py < ts; py++)
        for (int px = 0; px < ts; px++)
            for (int ch = 0; ch < 3; ch++) {
                double rows[M_SUB];
                for (int k = 0; k < M_SUB; k++) {
                    const uint8_t *s = t.img + ((size_t)(py * M_SUB + k) * t.S + px * M_SUB) * 3 + ch;
                    rows[k] = ((double)s[0] + s[3] + s[6]) / 3;
                }
                double m = (rows[0] + rows[1] + rows[2]) / 3;
                frame[((size_t)(ty * ts + py) * fw + tx * ts + px) * 3 + ch] = (uint8_t)m;
            }
    free(t.img);
}

/* The model's frame of a grid state (malloc'd). The visible cells come from
 * the public observation: a cell is seen when its view cell is not
 * "unseen", at agent + f*(V-1-vy) + r*(vx - V/2). */
static uint8_t *m_frame(const ludus_env *env, const void *state, int ts, int agent_view, int highlight)
{
    const grid_spec *s = env->impl;
    const grid_state *st = state;
    const int V = s->view, W = s->width, H = s->height;
    uint8_t obs[GRID_MAX_VIEW * GRID_MAX_VIEW * 3 + 1];
    ludus_env_observe(env, state, obs);
    if (agent_view) {
        uint8_t *f = calloc((size_t)V * ts * V * ts, 3);
        for (int vy = 0; vy < V; vy++)
            for (int vx = 0; vx < V; vx++) {
                const uint8_t *e = obs + (vx * V + vy) * 3;
                int agent = vx == V / 2 && vy == V - 1;
                m_draw_tile(f, V * ts, ts, vx, vy, e, agent ? 3 : -1, highlight && e[0] != OBJ_UNSEEN);
            }
        return f;
    }
    uint8_t lit[GRID_MAX_SIDE * GRID_MAX_SIDE] = {0};
    const int fx = ludus_grid_dir_vec[st->agent_dir][0], fy = ludus_grid_dir_vec[st->agent_dir][1];
    for (int vy = 0; vy < V; vy++)
        for (int vx = 0; vx < V; vx++) {
            int x = st->agent_x + fx * (V - 1 - vy) + (-fy) * (vx - V / 2);
            int y = st->agent_y + fy * (V - 1 - vy) + fx * (vx - V / 2);
            if (x >= 0 && y >= 0 && x < W && y < H && obs[(vx * V + vy) * 3] != OBJ_UNSEEN) lit[y * W + x] = 1;
        }
    uint8_t *f = calloc((size_t)W * ts * H * ts, 3);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            uint8_t e[3];
            grid_encode_cell(grid_get(s, st, x, y), e);
            int agent = x == st->agent_x && y == st->agent_y;
            m_draw_tile(f, W * ts, ts, x, y, e, agent ? st->agent_dir : -1, highlight && lit[y * W + x]);
        }
    return f;
}

/* Compare the renderer with the model; say where they first differ. */
static void check_model(const ludus_env *env, const void *state, int ts, int agent_view, int highlight, const char *what)
{
    int w, h;
    ludus_render_opts o = {ts, agent_view, highlight};
    uint8_t *got = frame_of(env, state, o, &w, &h);
    uint8_t *want = m_frame(env, state, ts, agent_view, highlight);
    if (got) {
        size_t n = (size_t)w * h * 3, i = 0;
        while (i < n && got[i] == want[i]) i++;
        CHECK_MSG(i == n, "%s tile %d view %d highlight %d: pixel (%zu, %zu) channel %zu is %d, the model says %d",
                  what, ts, agent_view, highlight, (i / 3) % w, (i / 3) / w, i % 3, got[i], want[i]);
    }
    free(got);
    free(want);
}

/* An 8x8 room holding every object in every state, the agent in its
 * middle; `state` must hold MiniGrid-Empty-8x8-v0. */
static void fill_showcase(const ludus_env *env, void *state)
{
    const grid_spec *s = env->impl;
    grid_state *st = state;
    CHECK_OK(ludus_env_reset(env, state, 0, NULL));
    grid_set(s, st, 1, 1, GC_MAKE(OBJ_DOOR, COL_RED, DOOR_OPEN, 1));
    grid_set(s, st, 2, 1, GC_MAKE(OBJ_DOOR, COL_BLUE, DOOR_CLOSED, 2));
    grid_set(s, st, 3, 1, GC_MAKE(OBJ_DOOR, COL_PURPLE, DOOR_LOCKED, 3));
    grid_set(s, st, 4, 1, GC_MAKE(OBJ_KEY, COL_YELLOW, 0, 4));
    grid_set(s, st, 5, 1, GC_MAKE(OBJ_BALL, COL_GREEN, 0, 5));
    grid_set(s, st, 6, 1, GC_MAKE(OBJ_BOX, COL_GREY, 0, 6));
    grid_set(s, st, 1, 2, GC_MAKE(OBJ_FLOOR, COL_BLUE, 0, 0));
    grid_set(s, st, 2, 2, GC_LAVA);
    grid_set(s, st, 3, 2, GC_MAKE(OBJ_FLOOR, COL_PURPLE, 0, 0));
    grid_set(s, st, 4, 2, GC_MAKE(OBJ_KEY, COL_RED, 0, 7));
    grid_set(s, st, 5, 2, GC_MAKE(OBJ_DOOR, COL_YELLOW, DOOR_CLOSED, 8));
    grid_set(s, st, 6, 2, GC_MAKE(OBJ_BOX, COL_BLUE, 0, 9));
    grid_set(s, st, 1, 5, GC_LAVA);
    st->agent_x = 3;
    st->agent_y = 4;
    st->agent_dir = 3;
    st->carrying = GC_MAKE(OBJ_BALL, COL_PURPLE, 0, 10);
}

static void test_model(void)
{
    ludus_env *env = NULL;
    CHECK_OK(ludus_env_make("MiniGrid-Empty-8x8-v0", NULL, &env));
    if (!env) return;
    void *st = ludus_env_state_new(env);
    fill_showcase(env, st);
    static const int tiles[] = {1, 2, 3, 4, 7, 8, 13, 32};
    for (int dir = 0; dir < 4; dir++) {
        ((grid_state *)st)->agent_dir = (uint8_t)dir;
        for (size_t k = 0; k < sizeof tiles / sizeof tiles[0]; k++)
            for (int view = 0; view < 2; view++)
                for (int hl = 0; hl < 2; hl++) check_model(env, st, tiles[k], view, hl, "showcase");
    }
    /* Larger tiles once (the model is slow there). */
    check_model(env, st, 61, 0, 1, "showcase");
    check_model(env, st, 100, 1, 1, "showcase");
    free(st);
    ludus_env_destroy(env);

    /* Every registered grid world along a short random walk. */
    for (int i = 0; i < ludus_env_count(); i++) {
        const char *id = ludus_env_id(i);
        if (ludus_env_make(id, NULL, &env) != LUDUS_OK) continue;
        if (!is_grid(env)) {
            ludus_env_destroy(env);
            continue;
        }
        const ludus_env_info *info = ludus_env_get_info(env);
        st = ludus_env_state_new(env);
        ludus_rng rng;
        ludus_rng_seed(&rng, (uint64_t)i);
        CHECK_OK(ludus_env_reset(env, st, (uint64_t)i, NULL));
        for (int t = 0; t < 12; t++) {
            ludus_step_out out;
            CHECK_OK(ludus_env_step(env, st, (int)ludus_rng_integers(&rng, 0, info->num_actions), NULL, &out));
            if (out.terminated || out.truncated) break;
        }
        check_model(env, st, 6, 0, 1, id);
        check_model(env, st, 6, 1, 1, id);
        free(st);
        ludus_env_destroy(env);
    }
}

/* ---- colours from the specification --------------------------------------- */

static const uint8_t *px_at(const uint8_t *f, int w, int ts, int cx, int cy, double fx, double fy)
{
    int x = cx * ts + (int)(fx * ts), y = cy * ts + (int)(fy * ts);
    return f + ((size_t)y * w + x) * 3;
}

#define CHECK_RGB(p, r, g, b, what)                                                                    \
    CHECK_MSG((p)[0] == (r) && (p)[1] == (g) && (p)[2] == (b), "%s: (%d,%d,%d), want (%d,%d,%d)", what, \
              (p)[0], (p)[1], (p)[2], r, g, b)

static void test_pixels(void)
{
    ludus_env *env = NULL;
    CHECK_OK(ludus_env_make("MiniGrid-Empty-8x8-v0", NULL, &env));
    if (!env) return;
    void *st = ludus_env_state_new(env);
    fill_showcase(env, st);
    const int ts = 32;
    int w, h;
    uint8_t *f = frame_of(env, st, (ludus_render_opts){ts, 0, 0}, &w, &h);
    if (!f) return;
    CHECK_EQ(w, 8 * ts);
    CHECK_EQ(h, 8 * ts);
    /* Unlit: plain colours (spec/minigrid.md §2.1). */
    CHECK_RGB(px_at(f, w, ts, 0, 0, 0.5, 0.5), 100, 100, 100, "wall");
    CHECK_RGB(px_at(f, w, ts, 0, 0, 0.0, 0.0), 100, 100, 100, "wall corner (no grid line)");
    CHECK_RGB(px_at(f, w, ts, 6, 6, 0.5, 0.5), 0, 255, 0, "goal");
    CHECK_RGB(px_at(f, w, ts, 4, 4, 0.5, 0.5), 0, 0, 0, "empty");
    CHECK_RGB(px_at(f, w, ts, 4, 4, 0.0, 0.5), 100, 100, 100, "empty: left grid line");
    CHECK_RGB(px_at(f, w, ts, 4, 4, 0.5, 0.0), 100, 100, 100, "empty: top grid line");
    CHECK_RGB(px_at(f, w, ts, 4, 4, 0.05, 0.5), 0, 0, 0, "empty: right of its grid line");
    CHECK_RGB(px_at(f, w, ts, 3, 4, 0.5, 0.5), 255, 0, 0, "agent");
    CHECK_RGB(px_at(f, w, ts, 3, 4, 0.15, 0.5), 0, 0, 0, "beside the agent's triangle (pointing up)");
    CHECK_RGB(px_at(f, w, ts, 3, 4, 0.5, 0.3), 255, 0, 0, "near the agent's tip (pointing up)");
    CHECK_RGB(px_at(f, w, ts, 3, 4, 0.5, 0.05), 0, 0, 0, "above the agent's tip");
    CHECK_RGB(px_at(f, w, ts, 1, 1, 0.9, 0.5), 255, 0, 0, "open door: its edge");
    CHECK_RGB(px_at(f, w, ts, 1, 1, 0.5, 0.5), 0, 0, 0, "open door: the doorway");
    CHECK_RGB(px_at(f, w, ts, 2, 1, 0.5, 0.02), 0, 0, 255, "closed door: frame");
    CHECK_RGB(px_at(f, w, ts, 2, 1, 0.5, 0.5), 0, 0, 0, "closed door: panel");
    CHECK_RGB(px_at(f, w, ts, 2, 1, 0.75, 0.5), 0, 0, 255, "closed door: handle");
    CHECK_RGB(px_at(f, w, ts, 3, 1, 0.3, 0.3), 50, 17, 87, "locked door: panel at 0.45 of purple");
    CHECK_RGB(px_at(f, w, ts, 3, 1, 0.63, 0.53), 112, 39, 195, "locked door: keyhole");
    CHECK_RGB(px_at(f, w, ts, 4, 1, 0.56, 0.6), 255, 255, 0, "key: shaft");
    CHECK_RGB(px_at(f, w, ts, 4, 1, 0.56, 0.28), 0, 0, 0, "key: ring's hole");
    CHECK_RGB(px_at(f, w, ts, 5, 1, 0.5, 0.5), 0, 255, 0, "ball");
    CHECK_RGB(px_at(f, w, ts, 5, 1, 0.1, 0.1), 0, 0, 0, "ball: outside its circle");
    CHECK_RGB(px_at(f, w, ts, 6, 1, 0.5, 0.5), 100, 100, 100, "box: slit");
    CHECK_RGB(px_at(f, w, ts, 6, 1, 0.5, 0.3), 0, 0, 0, "box: inside");
    CHECK_RGB(px_at(f, w, ts, 6, 1, 0.14, 0.3), 100, 100, 100, "box: outline");
    CHECK_RGB(px_at(f, w, ts, 1, 2, 0.5, 0.5), 0, 0, 127, "floor: half of blue");
    CHECK_RGB(px_at(f, w, ts, 3, 2, 0.5, 0.5), 56, 19, 97, "floor: half of purple");
    CHECK_RGB(px_at(f, w, ts, 2, 2, 0.5, 0.2), 255, 128, 0, "lava");
    free(f);
    /* Lit: blended 30% towards white, truncated. */
    f = frame_of(env, st, (ludus_render_opts){ts, 0, 1}, &w, &h);
    if (!f) return;
    CHECK_RGB(px_at(f, w, ts, 3, 4, 0.5, 0.5), 255, 76, 76, "agent, lit");
    CHECK_RGB(px_at(f, w, ts, 4, 4, 0.5, 0.5), 76, 76, 76, "empty, lit");
    CHECK_RGB(px_at(f, w, ts, 0, 4, 0.5, 0.5), 146, 146, 146, "wall in sight, lit");
    CHECK_RGB(px_at(f, w, ts, 7, 4, 0.5, 0.5), 100, 100, 100, "wall beside the view, unlit");
    CHECK_RGB(px_at(f, w, ts, 6, 6, 0.5, 0.5), 0, 255, 0, "goal out of sight, unlit");
    free(f);
    free(st);
    ludus_env_destroy(env);
}

/* ---- states that differ give frames that differ exactly there ----------- */

/* Mark (in diff, cols x rows) the tiles where frames a and b differ. */
static int tile_diff(const uint8_t *a, const uint8_t *b, int cols, int rows, int ts, uint8_t *diff)
{
    int n = 0, w = cols * ts;
    for (int ty = 0; ty < rows; ty++)
        for (int tx = 0; tx < cols; tx++) {
            int d = 0;
            for (int y = 0; y < ts && !d; y++)
                d = memcmp(a + ((size_t)(ty * ts + y) * w + tx * ts) * 3, b + ((size_t)(ty * ts + y) * w + tx * ts) * 3,
                           (size_t)ts * 3) != 0;
            diff[ty * cols + tx] = (uint8_t)d;
            n += d;
        }
    return n;
}

static void test_state_diffs(void)
{
    ludus_env *env = NULL;
    CHECK_OK(ludus_env_make("MiniGrid-DoorKey-8x8-v0", NULL, &env)); /* walls block its sight */
    if (!env) return;
    const grid_spec *s = env->impl;
    grid_state *st = ludus_env_state_new(env), *st2 = ludus_env_state_new(env);
    CHECK_OK(ludus_env_reset(env, st, 5, NULL));
    for (int y = 1; y < 7; y++)
        for (int x = 1; x < 7; x++) grid_set(s, st, x, y, GC_EMPTY);
    st->carrying = GC_EMPTY;
    /* A wall across the room with a closed door in front of the agent,
     * which stands at (3, 4) facing up. */
    st->agent_x = 3;
    st->agent_y = 4;
    st->agent_dir = 3;
    ludus_grid_horz_wall(s, st, 1, 3, 6, GC_WALL);
    grid_set(s, st, 3, 3, GC_MAKE(OBJ_DOOR, COL_GREEN, DOOR_CLOSED, 1));
    memcpy(st2, st, s->state_size);
    ludus_step_out out;
    CHECK_OK(ludus_env_step(env, st2, ACT_TOGGLE, NULL, &out));
    CHECK_EQ(GC_STATE(grid_get(s, st2, 3, 3)), DOOR_OPEN);
    const int ts = 16;
    uint8_t diff[64], lit1[64], lit2[64];
    int w, h;
    /* Without the highlight only the door's tile changes. */
    uint8_t *a = frame_of(env, st, (ludus_render_opts){ts, 0, 0}, &w, &h);
    uint8_t *b = frame_of(env, st2, (ludus_render_opts){ts, 0, 0}, &w, &h);
    if (a && b) {
        CHECK_EQ(tile_diff(a, b, 8, 8, ts, diff), 1);
        CHECK(diff[3 * 8 + 3]);
    }
    free(a);
    free(b);
    /* With it, so do exactly the cells the open door lets the agent see. */
    ludus_grid_visible_cells(s, st, lit1);
    ludus_grid_visible_cells(s, st2, lit2);
    int newly = 0;
    for (int i = 0; i < 64; i++) newly += lit1[i] != lit2[i];
    CHECK(newly >= 3); /* the corridor behind the door */
    a = frame_of(env, st, (ludus_render_opts){ts, 0, 1}, &w, &h);
    b = frame_of(env, st2, (ludus_render_opts){ts, 0, 1}, &w, &h);
    if (a && b) {
        CHECK_EQ(tile_diff(a, b, 8, 8, ts, diff), newly + (lit1[27] == lit2[27] ? 1 : 0));
        for (int i = 0; i < 64; i++)
            CHECK_MSG(diff[i] == (i == 27 || lit1[i] != lit2[i]), "tile %d: differs %d", i, diff[i]);
    }
    free(a);
    free(b);
    /* Turning changes the agent's tile (and, lit, what it sees). */
    memcpy(st2, st, s->state_size);
    CHECK_OK(ludus_env_step(env, st2, ACT_RIGHT, NULL, &out));
    a = frame_of(env, st, (ludus_render_opts){ts, 0, 0}, &w, &h);
    b = frame_of(env, st2, (ludus_render_opts){ts, 0, 0}, &w, &h);
    if (a && b) {
        CHECK_EQ(tile_diff(a, b, 8, 8, ts, diff), 1);
        CHECK(diff[4 * 8 + 3]);
    }
    free(a);
    free(b);
    /* The agent's view: picking up the key ahead shows it under the agent
     * and empties its cell. */
    memcpy(st2, st, s->state_size);
    grid_set(s, st2, 3, 3, GC_MAKE(OBJ_KEY, COL_BLUE, 0, 2));
    memcpy(st, st2, s->state_size);
    CHECK_OK(ludus_env_step(env, st2, ACT_PICKUP, NULL, &out));
    CHECK_EQ(GC_TYPE(st2->carrying), OBJ_KEY);
    const int V = s->view;
    a = frame_of(env, st, (ludus_render_opts){ts, 1, 1}, &w, &h);
    b = frame_of(env, st2, (ludus_render_opts){ts, 1, 1}, &w, &h);
    if (a && b) {
        CHECK_EQ(w, V * ts);
        CHECK_EQ(tile_diff(a, b, V, V, ts, diff), 2);
        CHECK(diff[(V - 1) * V + V / 2]); /* under the agent */
        CHECK(diff[(V - 2) * V + V / 2]); /* in front of it */
        /* The key's ring, beside the agent's triangle: blue, lit. */
        const uint8_t *p = px_at(b, w, ts, V / 2, V - 1, 0.66, 0.28);
        CHECK_RGB(p, 76, 76, 255, "the carried key under the agent");
    }
    free(a);
    free(b);
    free(st);
    free(st2);
    ludus_env_destroy(env);
}

/* ---- every world, every edge seed --------------------------------------- */

static void test_every_id(void)
{
    static const uint64_t seeds[] = {0, 1, 1ull << 63, UINT64_MAX};
    int grids = 0;
    for (int i = 0; i < ludus_env_count(); i++) {
        const char *id = ludus_env_id(i);
        ludus_env *env = NULL;
        CHECK_OK(ludus_env_make(id, NULL, &env));
        if (!env) continue;
        const ludus_env_info *info = ludus_env_get_info(env);
        void *st = ludus_env_state_new(env);
        int grid = is_grid(env);
        grids += grid;
        for (size_t k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
            if (ludus_env_reset(env, st, seeds[k], NULL) != LUDUS_OK) {
                CHECK_MSG(0, "%s seed %llu: %s", id, (unsigned long long)seeds[k], ludus_errmsg());
                continue;
            }
            for (int view = 0; view < 2; view++) {
                ludus_render_opts o = {8, view, 1};
                int w = 0, h = 0;
                int rc = ludus_env_render_size(env, &o, &w, &h);
                if (!grid) {
                    /* Other families either draw or say they do not. */
                    CHECK_MSG(rc == LUDUS_OK || rc == LUDUS_EUNSUPPORTED, "%s: %s", id, ludus_errmsg());
                    if (rc) continue;
                } else {
                    CHECK_MSG(rc == LUDUS_OK, "%s: %s", id, ludus_errmsg());
                    CHECK_EQ(w, 8 * (view ? ((const grid_spec *)env->impl)->view : info->width));
                    CHECK_EQ(h, 8 * (view ? ((const grid_spec *)env->impl)->view : info->height));
                }
                uint8_t *f = frame_of(env, st, o, &w, &h);
                if (f && grid) {
                    /* The agent is there, red at its tile's centre. */
                    const grid_state *gs = st;
                    int ax = view ? ((const grid_spec *)env->impl)->view / 2 : gs->agent_x;
                    int ay = view ? ((const grid_spec *)env->impl)->view - 1 : gs->agent_y;
                    const uint8_t *p = px_at(f, w, 8, ax, ay, 0.5, 0.5);
                    CHECK_MSG(p[0] == 255 && p[1] < 128 && p[2] < 128, "%s seed %llu view %d: agent pixel (%d,%d,%d)",
                              id, (unsigned long long)seeds[k], view, p[0], p[1], p[2]);
                }
                free(f);
            }
        }
        free(st);
        ludus_env_destroy(env);
    }
    CHECK(grids >= 50);
}

/* ---- bad input ----------------------------------------------------------- */

static void test_bad_input(void)
{
    ludus_env *env = NULL;
    CHECK_OK(ludus_env_make("MiniGrid-DoorKey-8x8-v0", NULL, &env));
    if (!env) return;
    void *st = ludus_env_state_new(env);
    int w = -1, h = -1;
    uint8_t *rgb = malloc(256 * 8 * 256 * 8 * 3);
    /* A state never reset. */
    CHECK_ERR(ludus_env_render(env, st, NULL, rgb, 256 * 256 * 3), LUDUS_ESTATE);
    CHECK_OK(ludus_env_reset(env, st, 0, NULL));
    /* Defaults: tile 32. */
    CHECK_OK(ludus_env_render_size(env, NULL, &w, &h));
    CHECK_EQ(w, 256);
    CHECK_EQ(h, 256);
    ludus_render_opts o = {0, 0, 1};
    CHECK_OK(ludus_env_render_size(env, &o, &w, &h));
    CHECK_EQ(w, 256);
    CHECK_OK(ludus_env_render(env, st, NULL, rgb, 256 * 256 * 3));
    /* Tile sizes. */
    static const int good[] = {1, 2, 255, 256};
    for (size_t k = 0; k < sizeof good / sizeof good[0]; k++) {
        o.tile_size = good[k];
        CHECK_OK(ludus_env_render_size(env, &o, &w, &h));
        CHECK_EQ(w, 8 * good[k]);
        CHECK_OK(ludus_env_render(env, st, &o, rgb, (size_t)w * h * 3));
    }
    static const int bad[] = {257, 1000, 1 << 20, INT_MAX, -1, INT_MIN};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        o.tile_size = bad[k];
        w = h = -7;
        CHECK_ERR(ludus_env_render_size(env, &o, &w, &h), LUDUS_EINVAL);
        CHECK(w == -7 && h == -7);
        CHECK_MSG(strstr(ludus_errmsg(), "tile size") != NULL, "message: %s", ludus_errmsg());
        CHECK_ERR(ludus_env_render(env, st, &o, rgb, 256 * 256 * 3), LUDUS_EINVAL);
    }
    o.tile_size = 300;
    CHECK_ERR(ludus_env_render_size(env, &o, &w, &h), LUDUS_EINVAL);
    CHECK_MSG(strstr(ludus_errmsg(), "300") && strstr(ludus_errmsg(), "1..256"), "message: %s", ludus_errmsg());
    /* Buffers. */
    o.tile_size = 8;
    CHECK_ERR(ludus_env_render(env, st, &o, rgb, 64 * 64 * 3 - 1), LUDUS_EINVAL);
    CHECK_MSG(strstr(ludus_errmsg(), "12288") != NULL, "message: %s", ludus_errmsg());
    CHECK_ERR(ludus_env_render(env, st, &o, NULL, 64 * 64 * 3), LUDUS_EINVAL);
    CHECK_ERR(ludus_env_render_size(env, &o, NULL, &h), LUDUS_EINVAL);
    CHECK_ERR(ludus_env_render(NULL, st, &o, rgb, 64 * 64 * 3), LUDUS_EINVAL);
    /* A state of another world. */
    ludus_env *other = NULL;
    CHECK_OK(ludus_env_make("MiniGrid-DoorKey-5x5-v0", NULL, &other));
    void *ost = ludus_env_state_new(other);
    CHECK_OK(ludus_env_reset(other, ost, 0, NULL));
    CHECK_ERR(ludus_env_render(env, ost, &o, rgb, 64 * 64 * 3), LUDUS_ESTATE);
    /* A damaged state: the agent outside the grid. */
    grid_state *gs = st;
    gs->agent_x = 8;
    CHECK_ERR(ludus_env_render(env, st, &o, rgb, 64 * 64 * 3), LUDUS_ESTATE);
    CHECK_MSG(strstr(ludus_errmsg(), "outside the grid") != NULL, "message: %s", ludus_errmsg());
    gs->agent_x = -1;
    o.agent_view = 1;
    CHECK_ERR(ludus_env_render(env, st, &o, rgb, 64 * 64 * 3), LUDUS_ESTATE);
    o.agent_view = 0;
    CHECK_OK(ludus_env_reset(env, st, 0, NULL));
    /* Rendering leaves the state alone and repeats exactly. */
    void *copy = malloc(ludus_env_get_info(env)->state_size);
    memcpy(copy, st, ludus_env_get_info(env)->state_size);
    uint8_t *again = malloc(64 * 64 * 3);
    CHECK_OK(ludus_env_render(env, st, &o, rgb, 64 * 64 * 3));
    CHECK_OK(ludus_env_render(env, st, &o, again, 64 * 64 * 3));
    CHECK(memcmp(rgb, again, 64 * 64 * 3) == 0);
    CHECK(memcmp(copy, st, ludus_env_get_info(env)->state_size) == 0);
    free(again);
    free(copy);
    free(ost);
    ludus_env_destroy(other);
    free(rgb);
    free(st);
    ludus_env_destroy(env);
}

/* ---- no allocation per frame ------------------------------------------- */

static void test_no_alloc(void)
{
#ifdef COUNT_ALLOCS
    ludus_env *env = NULL;
    CHECK_OK(ludus_env_make("MiniGrid-LavaCrossingS9N2-v0", NULL, &env));
    if (!env) return;
    void *st = ludus_env_state_new(env);
    CHECK_OK(ludus_env_reset(env, st, 1, NULL));
    uint8_t *rgb = malloc((size_t)9 * 64 * 9 * 64 * 3);
    void *(*volatile alloc)(size_t) = malloc;
    long before = allocs;
    free(alloc(16));
    CHECK_EQ(allocs - before, 1); /* the counter sees allocations */
    before = allocs;
    static const int tiles[] = {1, 8, 32, 64};
    for (size_t k = 0; k < sizeof tiles / sizeof tiles[0]; k++)
        for (int view = 0; view < 2; view++)
            for (int hl = 0; hl < 2; hl++) {
                ludus_render_opts o = {tiles[k], view, hl};
                int w, h;
                CHECK_OK(ludus_env_render_size(env, &o, &w, &h));
                CHECK_OK(ludus_env_render(env, st, &o, rgb, (size_t)w * h * 3));
            }
    CHECK_EQ(allocs - before, 0);
    free(rgb);
    free(st);
    ludus_env_destroy(env);
#else
    printf("test_render: allocation counting is off under AddressSanitizer\n");
#endif
}

/* ---- PNG ------------------------------------------------------------------ */

static void test_png(void)
{
    ludus_env *env = NULL;
    CHECK_OK(ludus_env_make("MiniGrid-LavaCrossingS9N2-v0", NULL, &env));
    if (!env) return;
    void *st = ludus_env_state_new(env);
    CHECK_OK(ludus_env_reset(env, st, 2, NULL));
    int w, h, pw = 0, ph = 0;
    uint8_t *f = frame_of(env, st, (ludus_render_opts){12, 0, 1}, &w, &h);
    CHECK_EQ(w, 9 * 12);
    uint8_t *rgba = NULL;
    if (f) {
        CHECK_OK(ludus_png_write(path_of("lava.png"), f, w, h));
        CHECK_OK(ludus_png_read_rgba(path_of("lava.png"), &rgba, &pw, &ph));
    }
    CHECK_EQ(pw, w);
    CHECK_EQ(ph, h);
    if (rgba) {
        int same = 1;
        for (size_t i = 0; i < (size_t)w * h; i++)
            same &= memcmp(rgba + i * 4, f + i * 3, 3) == 0 && rgba[i * 4 + 3] == 255;
        CHECK_MSG(same, "the PNG read back differs from the frame");
    }
    free(rgba);
    CHECK_ERR(ludus_png_write("/nonexistent-dir/x.png", f, w, h), LUDUS_EIO);
    CHECK_MSG(strstr(ludus_errmsg(), "/nonexistent-dir/x.png") != NULL, "message: %s", ludus_errmsg());
    CHECK(access("/nonexistent-dir/x.png", F_OK) != 0);
    free(f);
    free(st);
    ludus_env_destroy(env);
}

/* ---- GIF ------------------------------------------------------------------ */

typedef struct gif_read {
    int w, h, n;
    uint8_t *frames; /* n x (h, w, 3), each as shown */
    int delay[1024];
    int loops;       /* the NETSCAPE2.0 loop extension is there */
} gif_read;

/* Decode with giflib's DGifSlurp and compose each frame over the last. */
static int gif_decode(const char *path, gif_read *g)
{
    memset(g, 0, sizeof *g);
    int err = 0;
    GifFileType *gif = DGifOpenFileName(path, &err);
    if (!gif) return 0;
    if (DGifSlurp(gif) != GIF_OK) {
        DGifCloseFile(gif, &err);
        return 0;
    }
    g->w = gif->SWidth;
    g->h = gif->SHeight;
    g->n = gif->ImageCount;
    size_t fsz = (size_t)g->w * g->h * 3;
    g->frames = calloc((size_t)g->n, fsz);
    uint8_t *canvas = calloc(1, fsz);
    int ok = g->n <= 1024;
    for (int i = 0; i < g->n && ok; i++) {
        const SavedImage *im = &gif->SavedImages[i];
        const GifImageDesc *d = &im->ImageDesc;
        const ColorMapObject *map = d->ColorMap ? d->ColorMap : gif->SColorMap;
        ok = map && d->Left + d->Width <= g->w && d->Top + d->Height <= g->h;
        for (int y = 0; ok && y < d->Height; y++)
            for (int x = 0; x < d->Width; x++) {
                int c = im->RasterBits[y * d->Width + x];
                uint8_t *p = canvas + ((size_t)(d->Top + y) * g->w + d->Left + x) * 3;
                p[0] = map->Colors[c].Red;
                p[1] = map->Colors[c].Green;
                p[2] = map->Colors[c].Blue;
            }
        memcpy(g->frames + i * fsz, canvas, fsz);
        GraphicsControlBlock gcb;
        ok = ok && DGifSavedExtensionToGCB(gif, i, &gcb) == GIF_OK && gcb.DisposalMode == DISPOSE_DO_NOT;
        g->delay[i] = gcb.DelayTime;
        for (int e = 0; e < im->ExtensionBlockCount; e++)
            if (im->ExtensionBlocks[e].ByteCount == 11 && memcmp(im->ExtensionBlocks[e].Bytes, "NETSCAPE2.0", 11) == 0)
                g->loops = 1;
    }
    free(canvas);
    DGifCloseFile(gif, &err);
    return ok;
}

static void test_gif(void)
{
    ludus_env *env = NULL;
    CHECK_OK(ludus_env_make("MiniGrid-Dynamic-Obstacles-8x8-v0", NULL, &env));
    if (!env) return;
    void *st = ludus_env_state_new(env);
    CHECK_OK(ludus_env_reset(env, st, 3, NULL));
    enum { T = 12 };
    const int ts = 10;
    int w, h;
    uint8_t *frames[T + 1] = {0};
    ludus_gif *gif = NULL;
    CHECK_OK(ludus_gif_open(path_of("ep.gif"), 80, 80, &gif));
    int n = 0;
    for (int t = 0; t <= T; t++) {
        frames[n] = frame_of(env, st, (ludus_render_opts){ts, 0, 1}, &w, &h);
        if (!frames[n]) break;
        CHECK_OK(ludus_gif_add_frame(gif, frames[n], 7 + t));
        n++;
        if (t == 5) { /* the same picture twice */
            frames[n] = malloc((size_t)w * h * 3);
            memcpy(frames[n], frames[n - 1], (size_t)w * h * 3);
            CHECK_OK(ludus_gif_add_frame(gif, frames[n], 3));
            n++;
        }
        ludus_step_out out;
        CHECK_OK(ludus_env_step(env, st, t % 3 == 0 ? ACT_LEFT : ACT_FORWARD, NULL, &out));
        if (out.terminated || out.truncated) break;
    }
    CHECK_OK(ludus_gif_close(gif));
    gif_read g;
    CHECK(gif_decode(path_of("ep.gif"), &g));
    CHECK_EQ(g.w, 80);
    CHECK_EQ(g.h, 80);
    CHECK_EQ(g.n, n);
    CHECK(g.loops);
    for (int i = 0; i < g.n && i < n; i++) {
        CHECK_MSG(memcmp(g.frames + (size_t)i * 80 * 80 * 3, frames[i], 80 * 80 * 3) == 0,
                  "GIF frame %d differs from the rendered frame", i);
        CHECK_EQ(g.delay[i], i == 6 ? 3 : 7 + (i > 6 ? i - 1 : i));
    }
    /* Spot checks on the decoded picture: a wall, the goal, the agent. */
    if (g.n > 0) {
        const uint8_t *f0 = g.frames;
        CHECK_RGB(px_at(f0, 80, ts, 0, 0, 0.5, 0.5), 100, 100, 100, "GIF: wall");
        CHECK_RGB(px_at(f0, 80, ts, 6, 6, 0.5, 0.5), 0, 255, 0, "GIF: goal");
        const grid_state *gs = st;
        (void)gs;
    }
    free(g.frames);
    for (int i = 0; i < n; i++) free(frames[i]);

    /* More than 256 colours: quantized, still the right size and close. */
    uint8_t *grad = malloc(64 * 64 * 3);
    for (int y = 0; y < 64; y++)
        for (int x = 0; x < 64; x++) {
            uint8_t *p = grad + (y * 64 + x) * 3;
            p[0] = (uint8_t)(x * 4);
            p[1] = (uint8_t)(y * 4);
            p[2] = (uint8_t)((x + y) * 2);
        }
    CHECK_OK(ludus_gif_open(path_of("grad.gif"), 64, 64, &gif));
    CHECK_OK(ludus_gif_add_frame(gif, grad, 10));
    CHECK_OK(ludus_gif_close(gif));
    CHECK(gif_decode(path_of("grad.gif"), &g));
    CHECK_EQ(g.n, 1);
    if (g.n == 1) {
        double err = 0;
        for (int i = 0; i < 64 * 64 * 3; i++) err += fabs((double)g.frames[i] - grad[i]);
        err /= 64 * 64 * 3;
        CHECK_MSG(err < 8, "quantized GIF: mean error %.2f", err);
    }
    free(g.frames);
    free(grad);

    /* Bad input. */
    CHECK_ERR(ludus_gif_open("/nonexistent-dir/x.gif", 8, 8, &gif), LUDUS_EIO);
    CHECK_MSG(strstr(ludus_errmsg(), "/nonexistent-dir/x.gif") != NULL, "message: %s", ludus_errmsg());
    CHECK(gif == NULL);
    CHECK_ERR(ludus_gif_open(path_of("bad.gif"), 0, 8, &gif), LUDUS_EINVAL);
    CHECK_ERR(ludus_gif_open(path_of("bad.gif"), 8, 70000, &gif), LUDUS_EINVAL);
    CHECK_ERR(ludus_gif_open(NULL, 8, 8, &gif), LUDUS_EINVAL);
    CHECK_ERR(ludus_gif_open(path_of("bad.gif"), 8, 8, NULL), LUDUS_EINVAL);
    CHECK_OK(ludus_gif_open(path_of("bad.gif"), 8, 8, &gif));
    uint8_t px[8 * 8 * 3] = {0};
    CHECK_ERR(ludus_gif_add_frame(gif, px, -1), LUDUS_EINVAL);
    CHECK_ERR(ludus_gif_add_frame(gif, px, 65536), LUDUS_EINVAL);
    CHECK_ERR(ludus_gif_add_frame(gif, NULL, 5), LUDUS_EINVAL);
    CHECK_OK(ludus_gif_add_frame(gif, px, 5));
    CHECK_OK(ludus_gif_close(gif));
    CHECK_OK(ludus_gif_close(NULL));
    free(st);
    ludus_env_destroy(env);
}

/* Grid frames fit a GIF's 256 colours, so recordings are lossless. */
static void test_gif_colors(void)
{
    static const int tiles[] = {8, 32};
    int worst = 0;
    const char *worst_id = "";
    for (int i = 0; i < ludus_env_count(); i++) {
        ludus_env *env = NULL;
        if (ludus_env_make(ludus_env_id(i), NULL, &env) != LUDUS_OK) continue;
        if (!is_grid(env)) {
            ludus_env_destroy(env);
            continue;
        }
        void *st = ludus_env_state_new(env);
        ludus_rng rng;
        ludus_rng_seed(&rng, 99);
        CHECK_OK(ludus_env_reset(env, st, 7, NULL));
        uint8_t *seen = calloc(1 << 21, 1); /* a bit per 24-bit colour */
        for (int t = 0; t < 8; t++) {
            for (size_t k = 0; k < 2; k++) {
                int w, h;
                uint8_t *f = frame_of(env, st, (ludus_render_opts){tiles[k], t & 1, 1}, &w, &h);
                for (size_t p = 0; f && p < (size_t)w * h; p++) {
                    uint32_t c = (uint32_t)f[p * 3] << 16 | (uint32_t)f[p * 3 + 1] << 8 | f[p * 3 + 2];
                    seen[c >> 3] |= (uint8_t)(1u << (c & 7));
                }
                free(f);
                int count = 0;
                for (int b = 0; b < 1 << 21; b++) count += __builtin_popcount(seen[b]);
                if (count > worst) {
                    worst = count;
                    worst_id = ludus_env_id(i);
                }
                memset(seen, 0, 1 << 21);
            }
            ludus_step_out out;
            ludus_env_step(env, st, (int)ludus_rng_integers(&rng, 0, 3), NULL, &out);
        }
        free(seen);
        free(st);
        ludus_env_destroy(env);
    }
    CHECK_MSG(worst <= 256, "%s: a frame with %d colours", worst_id, worst);
    printf("test_render: at most %d colours in a grid frame (%s)\n", worst, worst_id);
}

/* ---- the commands' files ---------------------------------------------------- */

static void test_cli_files(void)
{
    const char *bin = getenv("LUDUS_BIN");
    if (!bin) {
        printf("test_render: LUDUS_BIN not set, the ludus command's files are not checked\n");
        return;
    }
    static const int actions[] = {1, 2, 2, 0, 2, 2, 5, 2};
    enum { NA = sizeof actions / sizeof actions[0] };
    char cmd[4096];
    int status;
    snprintf(cmd, sizeof cmd, "'%s' render MiniGrid-MultiRoom-N2-S4-v0 --seed 9 --tile 9 --actions 1,2,2,0,2,2,5,2 -o '%s' 2>&1",
             bin, path_of("cli.png"));
    free(check_run(cmd, &status));
    CHECK_EQ(status, 0);
    snprintf(cmd, sizeof cmd,
             "'%s' record MiniGrid-MultiRoom-N2-S4-v0 --seed 9 --tile 9 --agent-view --fps 4 --actions 1,2,2,0,2,2,5,2 -o '%s' 2>&1",
             bin, path_of("cli.gif"));
    free(check_run(cmd, &status));
    CHECK_EQ(status, 0);

    ludus_env *env = NULL;
    CHECK_OK(ludus_env_make("MiniGrid-MultiRoom-N2-S4-v0", NULL, &env));
    if (!env) return;
    void *st = ludus_env_state_new(env);
    CHECK_OK(ludus_env_reset(env, st, 9, NULL));
    gif_read g;
    CHECK(gif_decode(path_of("cli.gif"), &g));
    int w, h, t = 0;
    for (;; t++) {
        uint8_t *f = frame_of(env, st, (ludus_render_opts){9, 1, 1}, &w, &h);
        if (f && t < g.n) {
            CHECK_EQ(g.w, w);
            CHECK_MSG(memcmp(g.frames + (size_t)t * w * h * 3, f, (size_t)w * h * 3) == 0, "record: frame %d differs", t);
            CHECK_EQ(g.delay[t], t == NA ? 100 : 25);
        }
        free(f);
        if (t == NA) break;
        ludus_step_out out;
        CHECK_OK(ludus_env_step(env, st, actions[t], NULL, &out));
        CHECK(!out.terminated && !out.truncated);
    }
    CHECK_EQ(g.n, NA + 1);
    free(g.frames);
    uint8_t *f = frame_of(env, st, (ludus_render_opts){9, 0, 1}, &w, &h), *rgba = NULL;
    int pw = 0, ph = 0;
    CHECK_OK(ludus_png_read_rgba(path_of("cli.png"), &rgba, &pw, &ph));
    CHECK_EQ(pw, w);
    CHECK_EQ(ph, h);
    if (f && rgba && pw == w && ph == h) {
        int same = 1;
        for (size_t i = 0; i < (size_t)w * h; i++) same &= memcmp(rgba + i * 4, f + i * 3, 3) == 0;
        CHECK_MSG(same, "render: the PNG differs from the frame after the same actions");
    }
    free(rgba);
    free(f);

    /* --random is reproducible. */
    for (int k = 0; k < 2; k++) {
        snprintf(cmd, sizeof cmd, "'%s' record MiniGrid-Empty-16x16-v0 --seed 4 --random --steps 40 --tile 6 -o '%s' 2>&1",
                 bin, path_of(k ? "r2.gif" : "r1.gif"));
        free(check_run(cmd, &status));
        CHECK_EQ(status, 0);
    }
    snprintf(cmd, sizeof cmd, "cmp -s '%s/r1.gif' '%s/r2.gif'", dir, dir);
    CHECK(system(cmd) == 0);
    CHECK(gif_decode(path_of("r1.gif"), &g));
    CHECK_EQ(g.n, 41);
    free(g.frames);
    free(st);
    ludus_env_destroy(env);
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s/test_render.d", LUDUS_BINARY_DIR);
    char cmd[2200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    CHECK(system(cmd) == 0);
    test_model();
    test_pixels();
    test_state_diffs();
    test_every_id();
    test_bad_input();
    test_no_alloc();
    test_png();
    test_gif();
    test_gif_colors();
    test_cli_files();
    return check_finish("test_render");
}
