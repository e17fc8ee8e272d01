/* sprites.c: ludus's own 16x16 pictures for Crafter, original work drawn
 * for this project: the same materials, creatures and items as the
 * reference's (whose textures are not ours to ship), recognizable at the
 * 7-pixel cells of a 64x64 frame. Ground materials are generated from a
 * hash (speckles, waves, cracks); everything else is pixel art below, one
 * character per pixel in a shared palette ('.' is transparent).
 */
#include <string.h>

#include "craft.h"

typedef struct colour {
    char key;
    uint8_t r, g, b;
} colour;

static const colour palette[] = {
    {'k', 25, 25, 30},    {'K', 60, 60, 66},    {'S', 96, 96, 102},   {'s', 130, 130, 136},
    {'w', 174, 174, 180}, {'W', 236, 236, 236}, {'g', 94, 170, 62},   {'G', 60, 126, 44},
    {'l', 144, 208, 92},  {'b', 126, 82, 42},   {'B', 84, 54, 28},    {'o', 184, 134, 80},
    {'y', 228, 208, 148}, {'Y', 202, 180, 120}, {'u', 52, 104, 206},  {'U', 36, 72, 160},
    {'c', 120, 170, 238}, {'r', 212, 50, 38},   {'R', 142, 26, 22},   {'O', 246, 138, 38},
    {'e', 252, 216, 66},  {'p', 158, 138, 110}, {'P', 122, 104, 80},  {'i', 220, 170, 140},
    {'I', 176, 120, 92},  {'d', 112, 236, 232}, {'D', 214, 255, 252}, {'f', 238, 190, 148},
    {'h', 98, 62, 32},    {'n', 58, 112, 192},  {'m', 62, 62, 104},   {'z', 106, 170, 94},
    {'Z', 60, 112, 56},   {'v', 120, 72, 162},  {'x', 240, 160, 172}, {'q', 40, 40, 48},
    {'T', 30, 76, 30},    {'L', 46, 112, 40},
};

static void put(uint8_t *rgba, int x, int y, char key)
{
    uint8_t *p = rgba + (y * CRAFT_TEX_SIDE + x) * 4;
    if (key == '.') {
        memset(p, 0, 4);
        return;
    }
    for (size_t i = 0; i < sizeof palette / sizeof palette[0]; i++)
        if (palette[i].key == key) {
            p[0] = palette[i].r;
            p[1] = palette[i].g;
            p[2] = palette[i].b;
            p[3] = 255;
            return;
        }
    memset(p, 0, 4); /* unknown keys stay transparent (tests check none occur) */
}

/* Paint 16 rows of art; '.' keeps what is there when overlaying. */
static void paint(uint8_t *rgba, const char *const rows[CRAFT_TEX_SIDE], int overlay)
{
    for (int y = 0; y < CRAFT_TEX_SIDE; y++)
        for (int x = 0; x < CRAFT_TEX_SIDE && rows[y][x]; x++)
            if (!overlay || rows[y][x] != '.') put(rgba, x, y, rows[y][x]);
}

/* ---- ground: a hash gives each pixel its speckle ---- */

static uint32_t pixel_hash(int x, int y, uint32_t salt)
{
    uint32_t h = (uint32_t)(x * 73856093) ^ (uint32_t)(y * 19349663) ^ (salt * 83492791u);
    h ^= h >> 13;
    h *= 0x5bd1e995u;
    h ^= h >> 15;
    return h & 255u;
}

static void speckle(uint8_t *rgba, char base, char dark, char light, int dark_pct, int light_pct, uint32_t salt)
{
    for (int y = 0; y < CRAFT_TEX_SIDE; y++)
        for (int x = 0; x < CRAFT_TEX_SIDE; x++) {
            int h = (int)pixel_hash(x, y, salt) * 100 / 256;
            put(rgba, x, y, h < dark_pct ? dark : h >= 100 - light_pct ? light : base);
        }
}

static void grass(uint8_t *t)
{
    speckle(t, 'g', 'G', 'l', 14, 8, 1);
    /* a few upright blades */
    static const int blades[][2] = {{2, 3}, {9, 2}, {13, 7}, {5, 10}, {11, 12}, {1, 13}};
    for (size_t i = 0; i < sizeof blades / sizeof blades[0]; i++) {
        put(t, blades[i][0], blades[i][1], 'G');
        put(t, blades[i][0], blades[i][1] + 1, 'G');
        put(t, blades[i][0] + 1, blades[i][1] + 1, 'l');
    }
}

static void water(uint8_t *t)
{
    speckle(t, 'u', 'U', 'u', 10, 0, 2);
    /* short wave crests */
    static const int waves[][3] = {{1, 3, 5}, {9, 2, 4}, {4, 7, 6}, {12, 9, 3}, {0, 12, 4}, {8, 13, 5}};
    for (size_t i = 0; i < sizeof waves / sizeof waves[0]; i++)
        for (int k = 0; k < waves[i][2]; k++)
            put(t, (waves[i][0] + k) % CRAFT_TEX_SIDE, waves[i][1] + (k == 0 || k == waves[i][2] - 1), 'c');
}

static void stone(uint8_t *t)
{
    speckle(t, 's', 'S', 'w', 12, 10, 3);
    static const char *const cracks[CRAFT_TEX_SIDE] = {
        "................", "..S.........w...", "...S.......S....", "....SS....S.....",
        "......S..S......", ".......SS.......", "................", "w..............S",
        ".S...........S..", "..S.........S...", "...SS......S....", ".....S..........",
        "......S......w..", "................", "..w.......SS....", "............S...",
    };
    paint(t, cracks, 1);
}

static void path(uint8_t *t) { speckle(t, 'p', 'P', 'y', 16, 6, 4); }
static void sand(uint8_t *t) { speckle(t, 'y', 'Y', 'W', 14, 4, 5); }

static void lava(uint8_t *t)
{
    speckle(t, 'r', 'R', 'O', 12, 14, 6);
    static const char *const glow[CRAFT_TEX_SIDE] = {
        "................", "..OO.........O..", ".OeeO.......OeO.", "..OO.........O..",
        "................", ".......OOO......", "......OeeeO.....", ".......OOO......",
        "................", "..O.........OO..", ".OeO.......OeeO.", "..O.........OO..",
        "................", "......OO........", ".....OeeO.......", "......OO........",
    };
    paint(t, glow, 1);
}

static const char *const tree_art[CRAFT_TEX_SIDE] = {
    "....TTTTTTT.....", "..TTLLLgLLLTT...", ".TLLgLLLLLgLLT..", ".TLgggLLLLLLLLT.",
    "TLLLgLLLLgLLLLT.", "TLLLLLLLgggLLLLT", "TLLgLLLLLgLLLLLT", "TLLLLLLLLLLLgLLT",
    ".TLLLgLLLLLLLLT.", ".TTLLLLLLLLLTTT.", "...TTTLbbLTTT...", "......bbBb......",
    "......bBbb......", "......bbBb......", ".....bbbbbB.....", "....BB....BB....",
};

static const char *const coal_art[CRAFT_TEX_SIDE] = {
    "................", "..kk.......k....", ".kKKk.....kkk...", ".kkKk.....kKk...",
    "..kk.......k....", "......kk........", ".....kKkk.......", ".....kkkK.......",
    "......kk....kk..", "...........kKKk.", "..kkk.......kk..", ".kKkk...........",
    "..kk.....kk.....", ".........kKk....", "..........k.....", "................",
};

static const char *const iron_art[CRAFT_TEX_SIDE] = {
    "................", "..ii.......i....", ".iIiI.....iii...", ".iiIi.....iIi...",
    "..ii.......i....", "......ii........", ".....iIii.......", ".....iiiI.......",
    "......ii....ii..", "...........iIIi.", "..iii.......ii..", ".iIii...........",
    "..ii.....ii.....", ".........iIi....", "..........i.....", "................",
};

static const char *const diamond_art[CRAFT_TEX_SIDE] = {
    "................", "...W............", "..dDd.......d...", ".dDddd.....dDd..",
    "..ddd.......d...", "...d............", ".......dd.......", "......dDdd......",
    "......ddDd......", ".......dd....W..", "............dDd.", "..d.........ddd.",
    ".dDd.........d..", "..d.....d.......", "........Dd......", "................",
};

static const char *const table_art[CRAFT_TEX_SIDE] = {
    "PPPPPPPPPPPPPPPP", "PkkkkkkkkkkkkkkP", "PkoooooooooooobP", "PkobbbbobbbbbobP",
    "PkoooooooooooobP", "PkobbbobbbbbbobP", "PkoooooooooooobP", "PkbbbbbbbbbbbbbP",
    "PkkkkkkkkkkkkkkP", "PPkbBPPPPPPkbBPP", "PPkbBPPPPPPkbBPP", "PPkbBPPPPPPkbBPP",
    "PPkbBPPPPPPkbBPP", "PPkbBPPPPPPkbBPP", "PPkkkPPPPPPkkkPP", "PPPPPPPPPPPPPPPP",
};

static const char *const furnace_art[CRAFT_TEX_SIDE] = {
    "kkkkkkkkkkkkkkkk", "kwwwwwwwwwwwwwsk", "kwssssssssssssSk", "kwsSssssssSsssSk",
    "kwssssssssssssSk", "kwsskkkkkkkkssSk", "kwskKKKKKKKKksSk", "kwskKKKKKKKKksSk",
    "kwskKOKeKOKKksSk", "kwskOeOeOeOOksSk", "kwskOeeeeeeOksSk", "kwskkkkkkkkkksSk",
    "kwssssssssssssSk", "kwsSssssssSsssSk", "kSSSSSSSSSSSSSSk", "kkkkkkkkkkkkkkkk",
};

/* ---- creatures ---- */

static const char *const player_down[CRAFT_TEX_SIDE] = {
    "................", ".....hhhhhh.....", "....hhhhhhhh....", "....hffffffh....",
    "....fqffffqf....", "....ffffffff....", ".....ffRRff.....", "......ffff......",
    "....nnnnnnnn....", "...fnnnnnnnnf...", "...fnnnnnnnnf...", "...fnnnnnnnnf...",
    "....mmmmmmmm....", "....mmm..mmm....", "....mmm..mmm....", "....kkk..kkk....",
};

static const char *const player_up[CRAFT_TEX_SIDE] = {
    "................", ".....hhhhhh.....", "....hhhhhhhh....", "....hhhhhhhh....",
    "....hhhhhhhh....", "....fhhhhhhf....", ".....ffffff.....", "......ffff......",
    "....nnnnnnnn....", "...fnnnnnnnnf...", "...fnnnnnnnnf...", "...fnnnnnnnnf...",
    "....mmmmmmmm....", "....mmm..mmm....", "....mmm..mmm....", "....kkk..kkk....",
};

static const char *const player_left[CRAFT_TEX_SIDE] = {
    "................", "......hhhhhh....", ".....hhhhhhhh...", ".....ffffhhhh...",
    "....fqfffhhhh...", "....ffffffhh....", ".....Rffffff....", "......ffff......",
    ".....nnnnnn.....", "....fnnnnnn.....", "...ffnnnnnn.....", ".....nnnnnn.....",
    ".....mmmmmm.....", ".....mm..mm.....", "....mmm..mm.....", "....kkk..kkk....",
};

static const char *const player_sleep[CRAFT_TEX_SIDE] = {
    "................", "..........WWW...", "............W...", "...........W....",
    "..........WWW...", "................", "................", "..hhh...........",
    ".hhffff.........", ".hffkff.nnnnnmmk", ".hffffffnnnnnmmk", "..ffff..nnnnnmmk",
    "................", "................", "................", "................",
};

static const char *const cow_art[CRAFT_TEX_SIDE] = {
    "................", "................", "..k..k..........", "..kWWk..........",
    ".kWWWWk.........", ".kWqWWkbbbWWWbk.", ".kWWWWbbbWWWWbbk", "xxxWWWWWWWbbWWWk",
    "xxxWWWWWbbbWWWWk", ".kkWWWWWbbWWWbbk", "...kWWWWWWWWWbk.", "...kbk.kb.kbk.kb",
    "...kbk.kb.kbk.kb", "...kkk.kk.kkk.kk", "................", "................",
};

static const char *const zombie_art[CRAFT_TEX_SIDE] = {
    "................", ".....ZZZZZZ.....", "....ZzzzzzzZ....", "....zzzzzzzz....",
    "....zRzzzzRz....", "....zzzzzzzz....", ".....zkkkkz.....", "......zzzz......",
    "..zzvvvvvvvvzz..", "..zzvvvvvvvvzz..", "....vvvvvvvv....", "....vvvvvvvv....",
    "....mmmmmmmm....", "....mmm..mmm....", "....mmm..mmm....", "....ZZZ..ZZZ....",
};

static const char *const skeleton_art[CRAFT_TEX_SIDE] = {
    "................", ".....WWWWWW.....", "....WWWWWWWW....", "....WqqWWqqW....",
    "....WqqWWqqW....", "....WWWkkWWW....", ".....WkWkWkW....", "......wWWw......",
    ".......WW.......", "....WWWWWWWW....", "...W.wWWWWw.W...", "...W..WWWW..W...",
    ".......WW.......", ".....WW..WW.....", ".....W....W.....", "....WW....WW....",
};

static const char *const arrow_right[CRAFT_TEX_SIDE] = {
    "................", "................", "................", "................",
    "................", "................", "..W.........S...", ".WW.........sS..",
    "WWbbbbbbbbbbbssS", ".WW.........sS..", "..W.........S...", "................",
    "................", "................", "................", "................",
};

static const char *const plant_young[CRAFT_TEX_SIDE] = {
    "................", "................", "................", "................",
    "................", ".......l........", "......lgl.......", ".......g..l.....",
    "...l...g.lg.....", "...gl..g.g......", "....g..gg.......", ".....g.g........",
    "......gg........", ".......g........", "......BBB.......", ".....BBBBB......",
};

static const char *const plant_ripe[CRAFT_TEX_SIDE] = {
    "................", "......r.........", ".....rRr..r.....", "......r..rRr....",
    "...r..g...r.....", "..rRr.g..lg.....", "...r..g.lg..r...", "....g.g.g..rRr..",
    "....gggg....r...", ".....ggg...g....", "......gg..g.....", ".......g.g......",
    ".......gg.......", ".......g........", "......BBB.......", ".....BBBBB......",
};

/* ---- items ---- */

static const char *const heart_art[CRAFT_TEX_SIDE] = {
    "................", "................", "...kkk....kkk...", "..krrrk..krrrk..",
    ".krWrrrkkrrrrrk.", ".krWrrrrrrrrrrk.", ".krrrrrrrrrrrrk.", ".krrrrrrrrrrrRk.",
    "..krrrrrrrrrRk..", "...krrrrrrrRk...", "....krrrrrRk....", ".....krrrRk.....",
    "......krRk......", ".......kk.......", "................", "................",
};

static const char *const food_art[CRAFT_TEX_SIDE] = {
    "................", ".......kkkkk....", "......kbbbbbk...", ".....kbooobbbk..",
    "....kbooobbbbk..", "....kbobbbbbbk..", "....kbbbbbbbBk..", "....kbbbbbbBk...",
    ".....kbbbbBk....", "......kWWkk.....", ".....kWWk.......", "....kWWk........",
    "..kkWWk.........", ".kWWWWk.........", ".kWWkk..........", "..kk............",
};

static const char *const drink_art[CRAFT_TEX_SIDE] = {
    "................", ".......kk.......", "......kcck......", "......kcck......",
    ".....kcuuck.....", ".....kcuuck.....", "....kcuuuuuk....", "....kcuuuuuk....",
    "...kcuuuuuuuk...", "...kcWuuuuuuk...", "...kcWuuuuuuk...", "...kccuuuuuUk...",
    "....kcuuuuUk....", ".....kkuUUk.....", "......kkkk......", "................",
};

static const char *const energy_art[CRAFT_TEX_SIDE] = {
    "................", "........kkkkk...", ".......keeeek...", "......keeeek....",
    ".....keeeek.....", "....keeeek......", "...keeeeekkkk...", "...keeeeeeeek...",
    "...kkkkkeeeek...", "......keeeek....", ".....keeeek.....", "....keeek.......",
    "...keeek........", "...keek.........", "...kkk..........", "................",
};

static const char *const sapling_art[CRAFT_TEX_SIDE] = {
    "................", "................", "................", "........ll......",
    ".......lggl.....", "...ll..lgl......", "..lggl..g.......", "...lgl..g.......",
    ".....g.g........", "......gg........", "......g.........", ".....BBBB.......",
    "....BBBBBB......", "....BoBBoB......", ".....BBBB.......", "................",
};

static const char *const wood_art[CRAFT_TEX_SIDE] = {
    "................", "................", "................", "..kkkkkkkkkkkk..",
    ".koookbbbbbbbbk.", "kobbbokbbBbbbbbk", "kobkbokbbbbbBbbk", "kobbbokbBbbbbbbk",
    ".koookbbbbbbBbk.", "..kkkkkkkkkkkk..", "................", "................",
    "................", "................", "................", "................",
};

/* Tools: '1' the head's colour, '2' its shade; the handle is wood. */
static const char *const pickaxe_art[CRAFT_TEX_SIDE] = {
    "................", ".....kkkkk......", "....k11111kk....", ".....kk22211k...",
    ".......kkb21k...", "........kbk21k..", ".......kbk.k21k.", "......kbk...k1k.",
    ".....kbk.....kk.", "....kbk.........", "...kbk..........", "..kbk...........",
    ".kbk............", "kbk.............", ".k..............", "................",
};

static const char *const sword_art[CRAFT_TEX_SIDE] = {
    "................", "............kkk.", "...........k11k.", "..........k121k.",
    ".........k121k..", "........k121k...", ".......k121k....", "..kk..k121k.....",
    "..kbkk121k......", "...kbk21k.......", "....kbkk........", "...kbkbk........",
    "..kbk.kbk.......", "kkbk...kk.......", "kBk.............", ".k..............",
};

static void tool(uint8_t *t, const char *const art[CRAFT_TEX_SIDE], char head, char shade)
{
    char rows[CRAFT_TEX_SIDE][CRAFT_TEX_SIDE + 1];
    const char *ptrs[CRAFT_TEX_SIDE];
    for (int y = 0; y < CRAFT_TEX_SIDE; y++) {
        for (int x = 0; x < CRAFT_TEX_SIDE; x++) {
            char c = art[y][x];
            rows[y][x] = c == '1' ? head : c == '2' ? shade : c;
        }
        rows[y][CRAFT_TEX_SIDE] = 0;
        ptrs[y] = rows[y];
    }
    paint(t, ptrs, 0);
}

/* Digits: a 3x5 font, scaled by 3 and outlined in black. */
static const char *const digit_font[9][5] = {
    {".#.", "##.", ".#.", ".#.", "###"}, {"##.", "..#", ".#.", "#..", "###"},
    {"##.", "..#", ".#.", "..#", "##."}, {"#.#", "#.#", "###", "..#", "..#"},
    {"###", "#..", "##.", "..#", "##."}, {".##", "#..", "###", "#.#", "###"},
    {"###", "..#", ".#.", ".#.", ".#."}, {"###", "#.#", "###", "#.#", "###"},
    {"###", "#.#", "###", "..#", "##."},
};

static void digit(uint8_t *t, int d)
{
    char ink[CRAFT_TEX_SIDE][CRAFT_TEX_SIDE];
    memset(ink, 0, sizeof ink);
    for (int y = 0; y < 15; y++)
        for (int x = 0; x < 9; x++) ink[y][x + 3] = digit_font[d][y / 3][x / 3] == '#';
    for (int y = 0; y < CRAFT_TEX_SIDE; y++)
        for (int x = 0; x < CRAFT_TEX_SIDE; x++) {
            int edge = 0;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int u = x + dx, v = y + dy;
                    if (u >= 0 && v >= 0 && u < CRAFT_TEX_SIDE && v < CRAFT_TEX_SIDE && ink[v][u]) edge = 1;
                }
            put(t, x, y, ink[y][x] ? 'W' : edge ? 'k' : '.');
        }
}

/* ---- transforms for the facings ---- */

static void mirror(const uint8_t *src, uint8_t *dst)
{
    for (int y = 0; y < CRAFT_TEX_SIDE; y++)
        for (int x = 0; x < CRAFT_TEX_SIDE; x++)
            memcpy(dst + (y * CRAFT_TEX_SIDE + x) * 4, src + (y * CRAFT_TEX_SIDE + CRAFT_TEX_SIDE - 1 - x) * 4, 4);
}

/* Rotate a quarter turn counter-clockwise (right-pointing becomes up). */
static void rotate_ccw(const uint8_t *src, uint8_t *dst)
{
    for (int y = 0; y < CRAFT_TEX_SIDE; y++)
        for (int x = 0; x < CRAFT_TEX_SIDE; x++)
            memcpy(dst + (y * CRAFT_TEX_SIDE + x) * 4, src + (x * CRAFT_TEX_SIDE + CRAFT_TEX_SIDE - 1 - y) * 4, 4);
}

void ludus_craft_textures_builtin(craft_textures *t)
{
    memset(t, 0, sizeof *t);
    grass(t->rgba[TEX_MAT + MAT_GRASS]);
    water(t->rgba[TEX_MAT + MAT_WATER]);
    stone(t->rgba[TEX_MAT + MAT_STONE]);
    path(t->rgba[TEX_MAT + MAT_PATH]);
    sand(t->rgba[TEX_MAT + MAT_SAND]);
    lava(t->rgba[TEX_MAT + MAT_LAVA]);
    grass(t->rgba[TEX_MAT + MAT_TREE]);
    paint(t->rgba[TEX_MAT + MAT_TREE], tree_art, 1);
    static const struct { int mat; const char *const *art; } ores[] = {
        {MAT_COAL, coal_art}, {MAT_IRON, iron_art}, {MAT_DIAMOND, diamond_art}};
    for (size_t i = 0; i < sizeof ores / sizeof ores[0]; i++) {
        stone(t->rgba[TEX_MAT + ores[i].mat]);
        paint(t->rgba[TEX_MAT + ores[i].mat], ores[i].art, 1);
    }
    paint(t->rgba[TEX_MAT + MAT_TABLE], table_art, 0);
    paint(t->rgba[TEX_MAT + MAT_FURNACE], furnace_art, 0);

    paint(t->rgba[TEX_PLAYER_DOWN], player_down, 0);
    paint(t->rgba[TEX_PLAYER_UP], player_up, 0);
    paint(t->rgba[TEX_PLAYER_LEFT], player_left, 0);
    mirror(t->rgba[TEX_PLAYER_LEFT], t->rgba[TEX_PLAYER_RIGHT]);
    paint(t->rgba[TEX_PLAYER_SLEEP], player_sleep, 0);
    paint(t->rgba[TEX_COW], cow_art, 0);
    paint(t->rgba[TEX_ZOMBIE], zombie_art, 0);
    paint(t->rgba[TEX_SKELETON], skeleton_art, 0);
    paint(t->rgba[TEX_ARROW_RIGHT], arrow_right, 0);
    mirror(t->rgba[TEX_ARROW_RIGHT], t->rgba[TEX_ARROW_LEFT]);
    rotate_ccw(t->rgba[TEX_ARROW_RIGHT], t->rgba[TEX_ARROW_UP]);
    rotate_ccw(t->rgba[TEX_ARROW_LEFT], t->rgba[TEX_ARROW_DOWN]);
    paint(t->rgba[TEX_PLANT], plant_young, 0);
    paint(t->rgba[TEX_PLANT_RIPE], plant_ripe, 0);

    paint(t->rgba[TEX_ITEM + ITEM_HEALTH], heart_art, 0);
    paint(t->rgba[TEX_ITEM + ITEM_FOOD], food_art, 0);
    paint(t->rgba[TEX_ITEM + ITEM_DRINK], drink_art, 0);
    paint(t->rgba[TEX_ITEM + ITEM_ENERGY], energy_art, 0);
    paint(t->rgba[TEX_ITEM + ITEM_SAPLING], sapling_art, 0);
    paint(t->rgba[TEX_ITEM + ITEM_WOOD], wood_art, 0);
    static const int ore_items[][2] = {{ITEM_STONE, MAT_STONE}, {ITEM_COAL, MAT_COAL},
                                       {ITEM_IRON, MAT_IRON},   {ITEM_DIAMOND, MAT_DIAMOND}};
    for (size_t i = 0; i < sizeof ore_items / sizeof ore_items[0]; i++)
        memcpy(t->rgba[TEX_ITEM + ore_items[i][0]], t->rgba[TEX_MAT + ore_items[i][1]], sizeof t->rgba[0]);
    static const char heads[3][2] = {{'o', 'b'}, {'s', 'S'}, {'W', 'w'}};
    for (int i = 0; i < 3; i++) {
        tool(t->rgba[TEX_ITEM + ITEM_WOOD_PICKAXE + i], pickaxe_art, heads[i][0], heads[i][1]);
        tool(t->rgba[TEX_ITEM + ITEM_WOOD_SWORD + i], sword_art, heads[i][0], heads[i][1]);
    }
    for (int d = 0; d < 9; d++) digit(t->rgba[TEX_DIGIT + d], d);

    /* Materials are drawn opaque; creatures, items and digits blend. */
    for (int i = TEX_PLAYER_LEFT; i < CRAFT_NUM_TEX; i++) t->alpha[i] = 1;
    t->original = 0;
}
