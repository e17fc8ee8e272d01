/* noise.c: the 2014 "OpenSimplex" noise of Kurt Spencer in 3D, the only
 * noise Crafter's world generation calls (through the Python package
 * opensimplex 0.4.5). Bit-exact: every double operation happens in the
 * reference's order (left to right, constants as Python folds them), the
 * build forbids FMA contraction, and the result is checked point for point
 * against shared/data/crafter/opensimplex-vectors.jsonl.
 */
#include "craft.h"

#define STRETCH3 (-1.0 / 6)
#define SQUISH3 (1.0 / 3)
#define NORM3 103.0

/* The 24 gradients: the vertices of a rhombicuboctahedron, skewed. */
static const double gradients3[72] = {
    -11, 4,   4,   -4,  11,  4,   -4,  4,   11,  11,  4,   4,   4,   11,  4,   4,   4,   11,
    -11, -4,  4,   -4,  -11, 4,   -4,  -4,  11,  11,  -4,  4,   4,   -11, 4,   4,   -4,  11,
    -11, 4,   -4,  -4,  11,  -4,  -4,  4,   -11, 11,  4,   -4,  4,   11,  -4,  4,   4,   -11,
    -11, -4,  -4,  -4,  -11, -4,  -4,  -4,  -11, 11,  -4,  -4,  4,   -11, -4,  4,   -4,  -11,
};

void ludus_craft_noise_seed(craft_noise *n, int64_t seed)
{
    /* A 64-bit LCG with wrap-around (the reference wraps a Python int to
     * int64 after each update); r is a floor modulo of the exact seed + 31. */
    const uint64_t mul = 6364136223846793005ull, inc = 1442695040888963407ull;
    uint64_t s = (uint64_t)seed;
    for (int i = 0; i < 3; i++) s = s * mul + inc;
    uint8_t source[256];
    for (int i = 0; i < 256; i++) source[i] = (uint8_t)i;
    for (int i = 255; i >= 0; i--) {
        s = s * mul + inc;
        int64_t sv = (int64_t)s, len = i + 1;
        int64_t r = sv % len;
        if (r < 0) r += len;
        r = (r + 31) % len;
        n->perm[i] = source[r];
        n->grad[i] = (uint8_t)((n->perm[i] % 24) * 3);
        source[r] = source[i];
    }
}

/* One lattice vertex: attn^4 * (gradient . offset) inside its radius. */
static inline void vertex(const craft_noise *n, double *value, int xsv, int ysv, int zsv, double dx,
                          double dy, double dz)
{
    double attn = 2 - dx * dx - dy * dy - dz * dz;
    if (attn > 0) {
        const double *g = gradients3 + n->grad[(n->perm[(n->perm[xsv & 255] + ysv) & 255] + zsv) & 255];
        double ext = g[0] * dx + g[1] * dy + g[2] * dz;
        attn *= attn;
        *value += attn * attn * ext;
    }
}

static inline double noise3(const craft_noise *n, double x, double y, double z)
{
    /* Onto the simplectic honeycomb, then the super-cell origin. */
    double stretch = (x + y + z) * STRETCH3;
    double xs = x + stretch, ys = y + stretch, zs = z + stretch;
    int xsb = (int)xs, ysb = (int)ys, zsb = (int)zs; /* floor, without a branch: */
    xsb -= xs < xsb;                                 /* (int) truncates toward 0 */
    ysb -= ys < ysb;
    zsb -= zs < zsb;
    double squish = (double)(xsb + ysb + zsb) * SQUISH3;
    double dx0 = x - ((double)xsb + squish);
    double dy0 = y - ((double)ysb + squish);
    double dz0 = z - ((double)zsb + squish);
    double xins = xs - (double)xsb, yins = ys - (double)ysb, zins = zs - (double)zsb;
    double in_sum = xins + yins + zins;

    /* The two extra vertices every region adds after its own. */
    int xe0, ye0, ze0, xe1, ye1, ze1;
    double dxe0, dye0, dze0, dxe1, dye1, dze1;
    double value = 0;

    if (in_sum <= 1) {
        /* The tetrahedron at (0,0,0): which two of (1,0,0), (0,1,0), (0,0,1) are closest. */
        int a_point = 1, b_point = 2;
        double a_score = xins, b_score = yins;
        if (a_score >= b_score && zins > b_score) {
            b_score = zins;
            b_point = 4;
        } else if (a_score < b_score && zins > a_score) {
            a_score = zins;
            a_point = 4;
        }
        double wins = 1 - in_sum;
        if (wins > a_score || wins > b_score) {
            int c = b_score > a_score ? b_point : a_point;
            if ((c & 1) == 0) {
                xe0 = xsb - 1; xe1 = xsb;
                dxe0 = dx0 + 1; dxe1 = dx0;
            } else {
                xe0 = xe1 = xsb + 1;
                dxe0 = dxe1 = dx0 - 1;
            }
            if ((c & 2) == 0) {
                ye0 = ye1 = ysb;
                dye0 = dye1 = dy0;
                if ((c & 1) == 0) {
                    ye1 -= 1;
                    dye1 += 1;
                } else {
                    ye0 -= 1;
                    dye0 += 1;
                }
            } else {
                ye0 = ye1 = ysb + 1;
                dye0 = dye1 = dy0 - 1;
            }
            if ((c & 4) == 0) {
                ze0 = zsb; ze1 = zsb - 1;
                dze0 = dz0; dze1 = dz0 + 1;
            } else {
                ze0 = ze1 = zsb + 1;
                dze0 = dze1 = dz0 - 1;
            }
        } else {
            int c = a_point | b_point;
            if ((c & 1) == 0) {
                xe0 = xsb; xe1 = xsb - 1;
                dxe0 = dx0 - 2 * SQUISH3; dxe1 = dx0 + 1 - SQUISH3;
            } else {
                xe0 = xe1 = xsb + 1;
                dxe0 = dx0 - 1 - 2 * SQUISH3; dxe1 = dx0 - 1 - SQUISH3;
            }
            if ((c & 2) == 0) {
                ye0 = ysb; ye1 = ysb - 1;
                dye0 = dy0 - 2 * SQUISH3; dye1 = dy0 + 1 - SQUISH3;
            } else {
                ye0 = ye1 = ysb + 1;
                dye0 = dy0 - 1 - 2 * SQUISH3; dye1 = dy0 - 1 - SQUISH3;
            }
            if ((c & 4) == 0) {
                ze0 = zsb; ze1 = zsb - 1;
                dze0 = dz0 - 2 * SQUISH3; dze1 = dz0 + 1 - SQUISH3;
            } else {
                ze0 = ze1 = zsb + 1;
                dze0 = dz0 - 1 - 2 * SQUISH3; dze1 = dz0 - 1 - SQUISH3;
            }
        }
        vertex(n, &value, xsb, ysb, zsb, dx0, dy0, dz0);
        double dx1 = dx0 - 1 - SQUISH3, dy1 = dy0 - 0 - SQUISH3, dz1 = dz0 - 0 - SQUISH3;
        vertex(n, &value, xsb + 1, ysb, zsb, dx1, dy1, dz1);
        double dx2 = dx0 - 0 - SQUISH3, dy2 = dy0 - 1 - SQUISH3, dz2 = dz1;
        vertex(n, &value, xsb, ysb + 1, zsb, dx2, dy2, dz2);
        double dx3 = dx2, dy3 = dy1, dz3 = dz0 - 1 - SQUISH3;
        vertex(n, &value, xsb, ysb, zsb + 1, dx3, dy3, dz3);
    } else if (in_sum >= 2) {
        /* The tetrahedron at (1,1,1): which two of (1,1,0), (1,0,1), (0,1,1). */
        int a_point = 6, b_point = 5;
        double a_score = xins, b_score = yins;
        if (a_score <= b_score && zins < b_score) {
            b_score = zins;
            b_point = 3;
        } else if (a_score > b_score && zins < a_score) {
            a_score = zins;
            a_point = 3;
        }
        double wins = 3 - in_sum;
        if (wins < a_score || wins < b_score) {
            int c = b_score < a_score ? b_point : a_point;
            if (c & 1) {
                xe0 = xsb + 2; xe1 = xsb + 1;
                dxe0 = dx0 - 2 - 3 * SQUISH3; dxe1 = dx0 - 1 - 3 * SQUISH3;
            } else {
                xe0 = xe1 = xsb;
                dxe0 = dxe1 = dx0 - 3 * SQUISH3;
            }
            if (c & 2) {
                ye0 = ye1 = ysb + 1;
                dye0 = dye1 = dy0 - 1 - 3 * SQUISH3;
                if (c & 1) {
                    ye1 += 1;
                    dye1 -= 1;
                } else {
                    ye0 += 1;
                    dye0 -= 1;
                }
            } else {
                ye0 = ye1 = ysb;
                dye0 = dye1 = dy0 - 3 * SQUISH3;
            }
            if (c & 4) {
                ze0 = zsb + 1; ze1 = zsb + 2;
                dze0 = dz0 - 1 - 3 * SQUISH3; dze1 = dz0 - 2 - 3 * SQUISH3;
            } else {
                ze0 = ze1 = zsb;
                dze0 = dze1 = dz0 - 3 * SQUISH3;
            }
        } else {
            int c = a_point & b_point;
            if (c & 1) {
                xe0 = xsb + 1; xe1 = xsb + 2;
                dxe0 = dx0 - 1 - SQUISH3; dxe1 = dx0 - 2 - 2 * SQUISH3;
            } else {
                xe0 = xe1 = xsb;
                dxe0 = dx0 - SQUISH3; dxe1 = dx0 - 2 * SQUISH3;
            }
            if (c & 2) {
                ye0 = ysb + 1; ye1 = ysb + 2;
                dye0 = dy0 - 1 - SQUISH3; dye1 = dy0 - 2 - 2 * SQUISH3;
            } else {
                ye0 = ye1 = ysb;
                dye0 = dy0 - SQUISH3; dye1 = dy0 - 2 * SQUISH3;
            }
            if (c & 4) {
                ze0 = zsb + 1; ze1 = zsb + 2;
                dze0 = dz0 - 1 - SQUISH3; dze1 = dz0 - 2 - 2 * SQUISH3;
            } else {
                ze0 = ze1 = zsb;
                dze0 = dz0 - SQUISH3; dze1 = dz0 - 2 * SQUISH3;
            }
        }
        double dx3 = dx0 - 1 - 2 * SQUISH3, dy3 = dy0 - 1 - 2 * SQUISH3, dz3 = dz0 - 0 - 2 * SQUISH3;
        vertex(n, &value, xsb + 1, ysb + 1, zsb, dx3, dy3, dz3);
        double dx2 = dx3, dy2 = dy0 - 0 - 2 * SQUISH3, dz2 = dz0 - 1 - 2 * SQUISH3;
        vertex(n, &value, xsb + 1, ysb, zsb + 1, dx2, dy2, dz2);
        double dx1 = dx0 - 0 - 2 * SQUISH3, dy1 = dy3, dz1 = dz2;
        vertex(n, &value, xsb, ysb + 1, zsb + 1, dx1, dy1, dz1);
        vertex(n, &value, xsb + 1, ysb + 1, zsb + 1, dx0 - 1 - 3 * SQUISH3, dy0 - 1 - 3 * SQUISH3,
               dz0 - 1 - 3 * SQUISH3);
    } else {
        /* The octahedron between: (0,0,1) vs (1,1,0), then (0,1,0) vs (1,0,1). */
        int a_point, b_point, a_far, b_far;
        double a_score, b_score;
        double p1 = xins + yins;
        if (p1 > 1) {
            a_score = p1 - 1; a_point = 3; a_far = 1;
        } else {
            a_score = 1 - p1; a_point = 4; a_far = 0;
        }
        double p2 = xins + zins;
        if (p2 > 1) {
            b_score = p2 - 1; b_point = 5; b_far = 1;
        } else {
            b_score = 1 - p2; b_point = 2; b_far = 0;
        }
        /* The closer of (1,0,0) and (0,1,1) replaces the farther of those two. */
        double p3 = yins + zins;
        if (p3 > 1) {
            double score = p3 - 1;
            if (a_score <= b_score && a_score < score) {
                a_point = 6; a_far = 1;
            } else if (a_score > b_score && b_score < score) {
                b_point = 6; b_far = 1;
            }
        } else {
            double score = 1 - p3;
            if (a_score <= b_score && a_score < score) {
                a_point = 1; a_far = 0;
            } else if (a_score > b_score && b_score < score) {
                b_point = 1; b_far = 0;
            }
        }
        if (a_far == b_far) {
            if (a_far) {
                /* both on the (1,1,1) side: (1,1,1) and one on the shared axis */
                dxe0 = dx0 - 1 - 3 * SQUISH3;
                dye0 = dy0 - 1 - 3 * SQUISH3;
                dze0 = dz0 - 1 - 3 * SQUISH3;
                xe0 = xsb + 1; ye0 = ysb + 1; ze0 = zsb + 1;
                int c = a_point & b_point;
                if (c & 1) {
                    dxe1 = dx0 - 2 - 2 * SQUISH3; dye1 = dy0 - 2 * SQUISH3; dze1 = dz0 - 2 * SQUISH3;
                    xe1 = xsb + 2; ye1 = ysb; ze1 = zsb;
                } else if (c & 2) {
                    dxe1 = dx0 - 2 * SQUISH3; dye1 = dy0 - 2 - 2 * SQUISH3; dze1 = dz0 - 2 * SQUISH3;
                    xe1 = xsb; ye1 = ysb + 2; ze1 = zsb;
                } else {
                    dxe1 = dx0 - 2 * SQUISH3; dye1 = dy0 - 2 * SQUISH3; dze1 = dz0 - 2 - 2 * SQUISH3;
                    xe1 = xsb; ye1 = ysb; ze1 = zsb + 2;
                }
            } else {
                /* both on the (0,0,0) side: (0,0,0) and one off the omitted axis */
                dxe0 = dx0; dye0 = dy0; dze0 = dz0;
                xe0 = xsb; ye0 = ysb; ze0 = zsb;
                int c = a_point | b_point;
                if ((c & 1) == 0) {
                    dxe1 = dx0 + 1 - SQUISH3; dye1 = dy0 - 1 - SQUISH3; dze1 = dz0 - 1 - SQUISH3;
                    xe1 = xsb - 1; ye1 = ysb + 1; ze1 = zsb + 1;
                } else if ((c & 2) == 0) {
                    dxe1 = dx0 - 1 - SQUISH3; dye1 = dy0 + 1 - SQUISH3; dze1 = dz0 - 1 - SQUISH3;
                    xe1 = xsb + 1; ye1 = ysb - 1; ze1 = zsb + 1;
                } else {
                    dxe1 = dx0 - 1 - SQUISH3; dye1 = dy0 - 1 - SQUISH3; dze1 = dz0 + 1 - SQUISH3;
                    xe1 = xsb + 1; ye1 = ysb + 1; ze1 = zsb - 1;
                }
            }
        } else {
            /* one on each side: a permutation of (1,1,-1) and one of (0,0,2) */
            int c1 = a_far ? a_point : b_point, c2 = a_far ? b_point : a_point;
            if ((c1 & 1) == 0) {
                dxe0 = dx0 + 1 - SQUISH3; dye0 = dy0 - 1 - SQUISH3; dze0 = dz0 - 1 - SQUISH3;
                xe0 = xsb - 1; ye0 = ysb + 1; ze0 = zsb + 1;
            } else if ((c1 & 2) == 0) {
                dxe0 = dx0 - 1 - SQUISH3; dye0 = dy0 + 1 - SQUISH3; dze0 = dz0 - 1 - SQUISH3;
                xe0 = xsb + 1; ye0 = ysb - 1; ze0 = zsb + 1;
            } else {
                dxe0 = dx0 - 1 - SQUISH3; dye0 = dy0 - 1 - SQUISH3; dze0 = dz0 + 1 - SQUISH3;
                xe0 = xsb + 1; ye0 = ysb + 1; ze0 = zsb - 1;
            }
            dxe1 = dx0 - 2 * SQUISH3; dye1 = dy0 - 2 * SQUISH3; dze1 = dz0 - 2 * SQUISH3;
            xe1 = xsb; ye1 = ysb; ze1 = zsb;
            if (c2 & 1) {
                dxe1 -= 2; xe1 += 2;
            } else if (c2 & 2) {
                dye1 -= 2; ye1 += 2;
            } else {
                dze1 -= 2; ze1 += 2;
            }
        }
        double dx1 = dx0 - 1 - SQUISH3, dy1 = dy0 - 0 - SQUISH3, dz1 = dz0 - 0 - SQUISH3;
        vertex(n, &value, xsb + 1, ysb, zsb, dx1, dy1, dz1);
        double dx2 = dx0 - 0 - SQUISH3, dy2 = dy0 - 1 - SQUISH3, dz2 = dz1;
        vertex(n, &value, xsb, ysb + 1, zsb, dx2, dy2, dz2);
        double dx3 = dx2, dy3 = dy1, dz3 = dz0 - 1 - SQUISH3;
        vertex(n, &value, xsb, ysb, zsb + 1, dx3, dy3, dz3);
        double dx4 = dx0 - 1 - 2 * SQUISH3, dy4 = dy0 - 1 - 2 * SQUISH3, dz4 = dz0 - 0 - 2 * SQUISH3;
        vertex(n, &value, xsb + 1, ysb + 1, zsb, dx4, dy4, dz4);
        double dx5 = dx4, dy5 = dy0 - 0 - 2 * SQUISH3, dz5 = dz0 - 1 - 2 * SQUISH3;
        vertex(n, &value, xsb + 1, ysb, zsb + 1, dx5, dy5, dz5);
        double dx6 = dx0 - 0 - 2 * SQUISH3, dy6 = dy4, dz6 = dz5;
        vertex(n, &value, xsb, ysb + 1, zsb + 1, dx6, dy6, dz6);
    }
    vertex(n, &value, xe0, ye0, ze0, dxe0, dye0, dze0);
    vertex(n, &value, xe1, ye1, ze1, dxe1, dye1, dze1);
    return value / NORM3;
}

double ludus_craft_noise3(const craft_noise *n, double x, double y, double z) { return noise3(n, x, y, z); }

void ludus_craft_noise3_column(const craft_noise *n, double x, const double *ys, double z, const uint8_t *mask,
                         double *out, int count)
{
    for (int i = 0; i < count; i++)
        if (!mask || mask[i]) out[i] = noise3(n, x, ys[i], z);
}
