/* render.c: the reference's RGB frame (spec/crafter.md §12), drawn straight
 * into the caller's buffer with no allocation. With the original textures
 * the 64x64 frame equals the reference's byte for byte: float32 alpha
 * blending, Pillow's nearest resize and colour enhance, float64 lighting,
 * and truncation at the same three points. At night exact mode replays the
 * noise from the stream the step saved, so a frame never draws from the game.
 */
#include <math.h>
#include <string.h>

#include "craft.h"

#define MAX_SIDE (CRAFT_VIEW_W * 128) /* tile sizes up to 128 */

static double linspace(int i, int n)
{
    /* numpy.linspace(-1, 1, n): i * step + start, the last one exactly 1. */
    if (i == n - 1) return 1.0;
    return (double)i * (2.0 / (n - 1)) + -1.0;
}

static double vignette_at(int x, int y, int w, int h)
{
    double lx = linspace(x, w), ly = linspace(y, h);
    return 1 - exp(-0.5 * (lx * lx + ly * ly) / 0.25);
}

void ludus_craft_render_tables(craft_spec *s)
{
    for (int v = 0; v < 256; v++) s->unit[v] = (float)v / 255;
    ludus_craft_vignette(s->vignette, CRAFT_NOISE_W, CRAFT_NOISE_H);
}

void ludus_craft_vignette(double *v, int w, int h)
{
    for (int x = 0; x < w; x++)
        for (int y = 0; y < h; y++) v[x * h + y] = vignette_at(x, y, w, h);
}

/* Pillow's NEAREST resize from 16 pixels to n: the source index of output
 * pixel k accumulates the scale in double (7 gives 1,3,5,7,10,12,14). */
static void resize_map(int n, int *map)
{
    double scale = (double)CRAFT_TEX_SIDE / n, pos = scale * 0.5;
    for (int k = 0; k < n; k++) {
        map[k] = (int)pos;
        pos += scale;
    }
}

/* numpy's float32 blend: a = A/255, out = trunc(255 * (a*t + (1-a)*c));
 * unit[v] holds (float)v / 255, computed once per spec. */
static inline uint8_t blend(const float *unit, uint8_t c, uint8_t t, uint8_t a)
{
    float af = unit[a];
    return (uint8_t)(255 * (af * unit[t] + (1 - af) * unit[c]));
}

/* Draw texture `tex` resized to n x n at pixel (x0, y0) of the frame:
 * opaque (materials drop the alpha channel) or alpha-blended. */
static void draw(const craft_spec *s, int tex, int n, uint8_t *rgb, int size, int x0, int y0, int opaque)
{
    const craft_textures *t = &s->tex;
    if (n <= 0) return;
    int map[MAX_SIDE];
    resize_map(n, map);
    const uint8_t *src = t->rgba[tex];
    int alpha = !opaque && t->alpha[tex];
    for (int y = 0; y < n; y++) {
        uint8_t *out = rgb + ((size_t)(y0 + y) * (size_t)size + (size_t)x0) * 3;
        const uint8_t *row = src + map[y] * CRAFT_TEX_SIDE * 4;
        for (int x = 0; x < n; x++, out += 3) {
            const uint8_t *p = row + map[x] * 4;
            if (alpha) {
                out[0] = blend(s->unit, out[0], p[0], p[3]);
                out[1] = blend(s->unit, out[1], p[1], p[3]);
                out[2] = blend(s->unit, out[2], p[2], p[3]);
            } else {
                out[0] = p[0];
                out[1] = p[1];
                out[2] = p[2];
            }
        }
    }
}

static int object_texture(const craft_state *st, const craft_obj *o)
{
    switch (o->kind) {
    case KIND_PLAYER: return st->sleeping ? TEX_PLAYER_SLEEP : TEX_PLAYER_LEFT + st->facing;
    case KIND_COW: return TEX_COW;
    case KIND_ZOMBIE: return TEX_ZOMBIE;
    case KIND_SKELETON: return TEX_SKELETON;
    case KIND_ARROW: return TEX_ARROW_LEFT + (int)o->aux;
    default: return o->aux > 300 ? TEX_PLANT_RIPE : TEX_PLANT;
    }
}

/* Pillow's RGB -> L conversion. */
static inline int luma(const uint8_t *c)
{
    return (c[0] * 19595 + c[1] * 38470 + c[2] * 7471 + 0x8000) >> 16;
}

/* Fast mode's night noise: a hash of the world, the step and the pixel
 * (the game stream is left alone, so it is not the reference's noise). */
static inline double hashed_noise(uint64_t key, uint32_t i)
{
    uint64_t z = key + (uint64_t)(i + 1) * 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return 32 + 95 * ((double)(z >> 11) / 9007199254740992.0);
}

/* Pillow's Color enhance at 0.4 (a float32 blend with the grey level). */
static void enhance(const uint8_t dark[3], uint8_t out[3])
{
    int gray = luma(dark);
    for (int c = 0; c < 3; c++) out[c] = (uint8_t)(gray + 0.4f * (dark[c] - gray));
}

/* A frame holds few distinct colours and the shading of a pixel depends
 * on its colour (by day) or its darkened colour (at night), so a small
 * direct-mapped cache enhances each colour once per frame. */
#define SHADE_CACHE 512
typedef struct shade_entry {
    uint32_t key;      /* rgb + 1 (0: empty) */
    uint8_t px[3];     /* by day: the final pixel */
    uint8_t enh[3];    /* enhance() of the (darkened) colour */
} shade_entry;

static inline uint32_t shade_slot(uint32_t key) { return (key * 2654435761u) >> 23; }

/* Daylight, night noise, desaturation and the sleeping tint, in place on
 * the w x h local view at (x0, y0), visited x-major as the noise is drawn. */
static void light(const craft_spec *s, const craft_state *st, uint8_t *rgb, int size, int x0, int y0,
                  int w, int h)
{
    static const double night_tint[3] = {0, 16, 64}, sleep_tint[3] = {0, 0, 16};
    const double daylight = st->daylight;
    const int night = daylight < 0.5, sleeping = st->sleeping;
    const int replay = night && st->night_valid;
    const int tabled = w == CRAFT_NOISE_W && h == CRAFT_NOISE_H;
    const double amount = 2 * (0.5 - daylight);
    const uint64_t key = ((uint64_t)st->world_seed << 32) ^ st->step;
    shade_entry cache[SHADE_CACHE];
    for (int i = 0; i < SHADE_CACHE; i++) cache[i].key = 0;
    craft_mt mt;
    if (replay) mt = st->night_rng;
    for (int x = 0; x < w; x++)
        for (int y = 0; y < h; y++) {
            uint8_t *px = rgb + ((size_t)(y0 + y) * (size_t)size + (size_t)(x0 + x)) * 3;
            uint8_t dark[3];
            if (night) {
                double noise = replay ? 32 + 95 * craft_mt_uniform(&mt) : hashed_noise(key, (uint32_t)(x * h + y));
                double vig = tabled ? s->vignette[x * h + y] : vignette_at(x, y, w, h);
                double mask = amount * vig;
                for (int c = 0; c < 3; c++) dark[c] = (uint8_t)((1 - mask) * px[c] + mask * noise);
            } else {
                memcpy(dark, px, 3);
            }
            uint32_t k = ((uint32_t)dark[0] << 16 | (uint32_t)dark[1] << 8 | dark[2]) + 1;
            shade_entry *e = &cache[shade_slot(k)];
            if (e->key == k && !night) {
                memcpy(px, e->px, 3);
                continue;
            }
            if (e->key != k) {
                e->key = k;
                enhance(dark, e->enh);
            }
            double out[3];
            for (int c = 0; c < 3; c++)
                out[c] = daylight * px[c] + (1 - daylight) * (0.5 * e->enh[c] + 0.5 * night_tint[c]);
            if (sleeping) {
                uint8_t cut[3] = {(uint8_t)out[0], (uint8_t)out[1], (uint8_t)out[2]};
                int g = luma(cut);
                for (int c = 0; c < 3; c++) out[c] = 0.5 * g + 0.5 * sleep_tint[c];
            }
            for (int c = 0; c < 3; c++) px[c] = (uint8_t)out[c];
            if (!night) memcpy(e->px, px, 3);
        }
}

void ludus_craft_render_frame(const craft_spec *s, const craft_state *st, int unit, int size, uint8_t *rgb)
{
    const int vw = CRAFT_VIEW_W, vh = CRAFT_VIEW_H;
    const int border = (size - vw * unit) / 2;
    memset(rgb, 0, (size_t)size * (size_t)size * 3);

    /* The local view: grey outside the world, materials, then objects. */
    for (int y = 0; y < vh * unit; y++)
        memset(rgb + ((size_t)(border + y) * (size_t)size + (size_t)border) * 3, 127, (size_t)(vw * unit) * 3);
    const craft_obj *p = &st->objs[0];
    const int cx = p->x - vw / 2, cy = p->y - vh / 2;
    for (int i = 0; i < vw; i++)
        for (int j = 0; j < vh; j++) {
            if (!craft_inside(cx + i, cy + j)) continue;
            draw(s, TEX_MAT + (int)craft_mat_at(st, cx + i, cy + j), unit, rgb, size, border + i * unit,
                 border + j * unit, 1);
        }
    for (uint32_t k = 0; k < st->num_objs; k++) {
        const craft_obj *o = &st->objs[k];
        int i = o->x - cx, j = o->y - cy;
        if (i < 0 || j < 0 || i >= vw || j >= vh) continue;
        draw(s, object_texture(st, o), unit, rgb, size, border + i * unit, border + j * unit, 0);
    }
    light(s, st, rgb, size, border, border, vw * unit, vh * unit);

    /* The inventory strip: icon and count per held item, on black. */
    const int iy = border + vh * unit;
    const int icon = (int)(0.8 * unit), digit = (int)(0.6 * unit);
    for (int k = 0; k < CRAFT_NUM_ITEMS; k++) {
        int amount = st->inv[k];
        if (amount < 1) continue;
        int gx = k % vw, gy = k / vw;
        int ix = (int)(gx * unit + 0.1 * unit), iy2 = (int)(gy * unit + 0.1 * unit);
        draw(s, TEX_ITEM + k, icon, rgb, size, border + ix, iy + iy2, 0);
        int dx = (int)(gx * unit + 0.4 * unit), dy = (int)(gy * unit + 0.4 * unit);
        if (amount <= 9) draw(s, TEX_DIGIT + amount - 1, digit, rgb, size, border + dx, iy + dy, 0);
    }
}
