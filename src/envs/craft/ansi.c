/* ansi.c: Crafter for a terminal (`ludus play`): the agent's 9x7 view,
 * two characters per cell on a 24-bit background in the material's colour
 * with a glyph for each creature, then the vitals, the inventory, the time
 * of day and the achievements unlocked so far.
 */
#include "craft.h"

typedef struct ansi_cell {
    uint8_t r, g, b;    /* background */
    const char *glyph;  /* two columns */
} ansi_cell;

static const ansi_cell materials[CRAFT_NUM_MATS] = {
    [MAT_NONE] = {0, 0, 0, "  "},        [MAT_WATER] = {40, 90, 190, "~~"},
    [MAT_GRASS] = {70, 150, 50, "  "},   [MAT_STONE] = {120, 120, 125, "##"},
    [MAT_PATH] = {150, 130, 100, "  "},  [MAT_SAND] = {215, 195, 135, "  "},
    [MAT_TREE] = {30, 90, 30, "TT"},     [MAT_LAVA] = {220, 80, 20, "^^"},
    [MAT_COAL] = {95, 95, 100, "::"},    [MAT_IRON] = {150, 120, 110, "ii"},
    [MAT_DIAMOND] = {90, 190, 190, "<>"}, [MAT_TABLE] = {140, 95, 50, "Tb"},
    [MAT_FURNACE] = {80, 80, 85, "Fu"},
};

static const char *const player_glyph[4] = {"<@", "@>", "@^", "@v"};
static const char *const arrow_glyph[4] = {"<-", "->", "^^", "vv"};

static void fg(strbuf *sb, int r, int g, int b) { ludus_sb_printf(sb, "\x1b[38;2;%d;%d;%dm", r, g, b); }

static void cell(const craft_state *st, int x, int y, strbuf *sb)
{
    const ansi_cell *m = &materials[craft_mat_at(st, x, y)];
    ludus_sb_printf(sb, "\x1b[48;2;%d;%d;%dm", m->r, m->g, m->b);
    unsigned kind = craft_kind_at(st, x, y);
    if (kind == KIND_NONE) {
        fg(sb, 235, 235, 235);
        ludus_sb_puts(sb, craft_inside(x, y) ? m->glyph : "  ");
        return;
    }
    int i = ludus_craft_find(st, x, y);
    const craft_obj *o = &st->objs[i < 0 ? 0 : i];
    switch (kind) {
    case KIND_PLAYER:
        fg(sb, 255, 255, 255);
        ludus_sb_puts(sb, st->sleeping ? "Zz" : player_glyph[st->facing]);
        break;
    case KIND_COW: fg(sb, 250, 250, 250); ludus_sb_puts(sb, "Cw"); break;
    case KIND_ZOMBIE: fg(sb, 120, 255, 120); ludus_sb_puts(sb, "Zo"); break;
    case KIND_SKELETON: fg(sb, 255, 255, 255); ludus_sb_puts(sb, "Sk"); break;
    case KIND_ARROW: fg(sb, 60, 40, 20); ludus_sb_puts(sb, arrow_glyph[o->aux & 3]); break;
    default:
        fg(sb, o->aux > 300 ? 230 : 170, o->aux > 300 ? 40 : 230, 60);
        ludus_sb_puts(sb, o->aux > 300 ? "%%" : "\"\"");
        break;
    }
}

static void bar(strbuf *sb, const char *name, int value, int r, int g, int b)
{
    fg(sb, r, g, b);
    ludus_sb_printf(sb, "%s ", name);
    for (int i = 0; i < CRAFT_ITEM_MAX; i++) ludus_sb_puts(sb, i < value ? "\xe2\x96\x88" : "\xc2\xb7"); /* block, dot */
    ludus_sb_printf(sb, " %d\x1b[0m  ", value);
}

void ludus_craft_render_ansi(const craft_spec *s, const craft_state *st, strbuf *sb)
{
    const craft_obj *p = &st->objs[0];
    for (int j = 0; j < CRAFT_VIEW_H; j++) {
        for (int i = 0; i < CRAFT_VIEW_W; i++)
            cell(st, p->x + i - CRAFT_VIEW_W / 2, p->y + j - CRAFT_VIEW_H / 2, sb);
        ludus_sb_puts(sb, "\x1b[0m\n");
    }
    bar(sb, "health", st->inv[ITEM_HEALTH], 230, 60, 60);
    bar(sb, "food", st->inv[ITEM_FOOD], 230, 150, 60);
    ludus_sb_putc(sb, '\n');
    bar(sb, "drink", st->inv[ITEM_DRINK], 80, 140, 240);
    bar(sb, "energy", st->inv[ITEM_ENERGY], 240, 220, 70);
    ludus_sb_putc(sb, '\n');
    int any = 0;
    for (int k = CRAFT_NUM_VITALS; k < CRAFT_NUM_ITEMS; k++) {
        if (!st->inv[k]) continue;
        ludus_sb_printf(sb, "%s%s %d", any ? ", " : "inventory: ", ludus_craft_item_names[k], st->inv[k]);
        any = 1;
    }
    ludus_sb_puts(sb, any ? "\n" : "inventory: empty\n");
    const char *time = st->daylight < 0.5 ? "night" : "day";
    ludus_sb_printf(sb, "step %u", st->step);
    if (s->length) ludus_sb_printf(sb, "/%u", s->length);
    ludus_sb_printf(sb, ", %s (daylight %.2f)%s\n", time, st->daylight, st->sleeping ? ", sleeping" : "");
    int n = 0;
    for (int a = 0; a < CRAFT_NUM_ACH; a++) n += (int)(st->unlocked >> a & 1);
    ludus_sb_printf(sb, "achievements %d/%d", n, CRAFT_NUM_ACH);
    for (int a = 0, k = 0; a < CRAFT_NUM_ACH; a++)
        if (st->unlocked >> a & 1) ludus_sb_printf(sb, "%s%s", k++ ? ", " : ": ", ludus_craft_ach_names[a]);
    ludus_sb_putc(sb, '\n');
}
