/* textures.c: loading the reference's textures from a folder the user
 * names. They are not ours to ship (docs/crafter.md), so a spec either
 * loads them here, checking every file before the first frame, or draws
 * ludus's own sprites (sprites.c). Whether a PNG has an alpha channel is
 * read from its header: the reference blends only those that do.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "craft.h"

const char *const ludus_craft_tex_files[CRAFT_NUM_TEX] = {
    [TEX_MAT + MAT_NONE] = NULL,
    [TEX_MAT + MAT_WATER] = "water", [TEX_MAT + MAT_GRASS] = "grass", [TEX_MAT + MAT_STONE] = "stone",
    [TEX_MAT + MAT_PATH] = "path", [TEX_MAT + MAT_SAND] = "sand", [TEX_MAT + MAT_TREE] = "tree",
    [TEX_MAT + MAT_LAVA] = "lava", [TEX_MAT + MAT_COAL] = "coal", [TEX_MAT + MAT_IRON] = "iron",
    [TEX_MAT + MAT_DIAMOND] = "diamond", [TEX_MAT + MAT_TABLE] = "table",
    [TEX_MAT + MAT_FURNACE] = "furnace",
    [TEX_PLAYER_LEFT] = "player-left", [TEX_PLAYER_RIGHT] = "player-right",
    [TEX_PLAYER_UP] = "player-up", [TEX_PLAYER_DOWN] = "player-down",
    [TEX_PLAYER_SLEEP] = "player-sleep", [TEX_COW] = "cow", [TEX_ZOMBIE] = "zombie",
    [TEX_SKELETON] = "skeleton", [TEX_ARROW_LEFT] = "arrow-left", [TEX_ARROW_RIGHT] = "arrow-right",
    [TEX_ARROW_UP] = "arrow-up", [TEX_ARROW_DOWN] = "arrow-down", [TEX_PLANT] = "plant",
    [TEX_PLANT_RIPE] = "plant-ripe",
    [TEX_ITEM + ITEM_HEALTH] = "health", [TEX_ITEM + ITEM_FOOD] = "food",
    [TEX_ITEM + ITEM_DRINK] = "drink", [TEX_ITEM + ITEM_ENERGY] = "energy",
    [TEX_ITEM + ITEM_SAPLING] = "sapling", [TEX_ITEM + ITEM_WOOD] = "wood",
    [TEX_ITEM + ITEM_STONE] = "stone", [TEX_ITEM + ITEM_COAL] = "coal",
    [TEX_ITEM + ITEM_IRON] = "iron", [TEX_ITEM + ITEM_DIAMOND] = "diamond",
    [TEX_ITEM + ITEM_WOOD_PICKAXE] = "wood_pickaxe", [TEX_ITEM + ITEM_STONE_PICKAXE] = "stone_pickaxe",
    [TEX_ITEM + ITEM_IRON_PICKAXE] = "iron_pickaxe", [TEX_ITEM + ITEM_WOOD_SWORD] = "wood_sword",
    [TEX_ITEM + ITEM_STONE_SWORD] = "stone_sword", [TEX_ITEM + ITEM_IRON_SWORD] = "iron_sword",
    [TEX_DIGIT + 0] = "1", [TEX_DIGIT + 1] = "2", [TEX_DIGIT + 2] = "3", [TEX_DIGIT + 3] = "4",
    [TEX_DIGIT + 4] = "5", [TEX_DIGIT + 5] = "6", [TEX_DIGIT + 6] = "7", [TEX_DIGIT + 7] = "8",
    [TEX_DIGIT + 8] = "9",
};

/* The IHDR chunk, read before anything is decoded: the size (big-endian
 * width and height) and the colour type byte (4 and 6 carry alpha). */
static int png_header(const char *path, uint32_t *w, uint32_t *h, int *alpha)
{
    uint8_t head[26];
    FILE *f = fopen(path, "rb");
    if (!f) return ludus_err_set(LUDUS_EIO, "cannot open '%s': %s", path, strerror(errno));
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (n < sizeof head || memcmp(head, sig, 8) != 0 || memcmp(head + 12, "IHDR", 4) != 0)
        return ludus_err_set(LUDUS_EFORMAT, "'%s' is not a PNG file", path);
    *w = (uint32_t)head[16] << 24 | (uint32_t)head[17] << 16 | (uint32_t)head[18] << 8 | head[19];
    *h = (uint32_t)head[20] << 24 | (uint32_t)head[21] << 16 | (uint32_t)head[22] << 8 | head[23];
    *alpha = head[25] == 4 || head[25] == 6;
    return LUDUS_OK;
}

int ludus_craft_textures_load(craft_textures *t, const char *dir)
{
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return ludus_err_set(LUDUS_ENOTFOUND, "crafter assets folder '%s' does not exist", dir);
    memset(t, 0, sizeof *t);
    for (int i = 0; i < CRAFT_NUM_TEX; i++) {
        if (!ludus_craft_tex_files[i]) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.png", dir, ludus_craft_tex_files[i]);
        if (stat(path, &sb) != 0)
            return ludus_err_set(LUDUS_ENOTFOUND, "crafter assets: '%s' is missing (the folder must hold "
                           "Crafter's 16x16 textures, e.g. crafter/assets)", path);
        uint32_t hw = 0, hh = 0;
        int alpha = 0, rc = png_header(path, &hw, &hh, &alpha);
        if (rc) return rc;
        /* The size is checked from the header, so a file that claims a
         * huge picture is refused before a byte of it is decoded. */
        if (hw != CRAFT_TEX_SIDE || hh != CRAFT_TEX_SIDE)
            return ludus_err_set(LUDUS_EFORMAT, "crafter assets: '%s' is %ux%u, want %dx%d", path, (unsigned)hw,
                           (unsigned)hh, CRAFT_TEX_SIDE, CRAFT_TEX_SIDE);
        uint8_t *rgba;
        int w, h;
        rc = ludus_png_read_rgba(path, &rgba, &w, &h);
        if (rc) return rc;
        if (w != CRAFT_TEX_SIDE || h != CRAFT_TEX_SIDE) {
            free(rgba);
            return ludus_err_set(LUDUS_EFORMAT, "crafter assets: '%s' is %dx%d, want %dx%d", path, w, h,
                           CRAFT_TEX_SIDE, CRAFT_TEX_SIDE);
        }
        memcpy(t->rgba[i], rgba, sizeof t->rgba[i]);
        t->alpha[i] = (uint8_t)alpha;
        free(rgba);
    }
    t->original = 1;
    return LUDUS_OK;
}
