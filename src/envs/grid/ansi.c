/* ansi.c: the grid worlds drawn for a terminal (`ludus play`): two
 * characters per cell, 256-colour ANSI escapes only (no curses), so it
 * works over ssh and in tmux. The cells the agent sees are shaded, as the
 * reference's renderer highlights them.
 */
#include "grid.h"

/* 256-colour codes for red, green, blue, purple, yellow, grey. */
static const int ansi_color[6] = {196, 46, 33, 135, 226, 246};

void ludus_grid_render_ansi(const ludus_env *env, const void *state, strbuf *sb)
{
    const grid_spec *s = env->impl;
    const grid_state *st = state;
    uint8_t mask[GRID_MAX_SIDE * GRID_MAX_SIDE];
    ludus_grid_visible_cells(s, st, mask);
    static const char *arrows[4] = {"\xe2\x96\xb6 ", "\xe2\x96\xbc ", "\xe2\x97\x80 ", "\xe2\x96\xb2 "};
    for (int y = 0; y < s->height; y++) {
        for (int x = 0; x < s->width; x++) {
            gcell c = grid_get(s, st, x, y);
            int bg = mask[y * s->width + x] ? 238 : 233;
            int t = GC_TYPE(c), col = ansi_color[GC_COLOR(c) % 6];
            ludus_sb_printf(sb, "\x1b[48;5;%dm", bg);
            if (x == st->agent_x && y == st->agent_y) {
                ludus_sb_printf(sb, "\x1b[1;38;5;196m%s", arrows[st->agent_dir & 3]);
            } else if (c == GC_EMPTY) {
                ludus_sb_puts(sb, "  ");
            } else if (t == OBJ_WALL) {
                ludus_sb_printf(sb, "\x1b[38;5;%dm\xe2\x96\x88\xe2\x96\x88", 244);
            } else if (t == OBJ_DOOR) {
                static const char *door[3] = {"\xe2\x96\xaf ", "D ", "L "};
                ludus_sb_printf(sb, "\x1b[1;38;5;%dm%s", col, door[GC_STATE(c) % 3]);
            } else if (t == OBJ_GOAL) {
                ludus_sb_printf(sb, "\x1b[48;5;%dm  ", 34);
            } else if (t == OBJ_LAVA) {
                ludus_sb_printf(sb, "\x1b[38;5;%dm~~", 202);
            } else {
                const char *g = t == OBJ_KEY ? "k " : t == OBJ_BALL ? "o " : t == OBJ_BOX ? "B " : "\xc2\xb7\xc2\xb7";
                ludus_sb_printf(sb, "\x1b[1;38;5;%dm%s", col, g);
            }
            ludus_sb_puts(sb, "\x1b[0m");
        }
        ludus_sb_putc(sb, '\n');
    }
    gcell carried = grid_shown_carrying(st);
    if (carried != GC_EMPTY)
        ludus_sb_printf(sb, "carrying: %s %s\n", ludus_grid_color_str[GC_COLOR(carried)], ludus_grid_type_str[GC_TYPE(carried)]);
    else
        ludus_sb_puts(sb, "carrying: nothing\n");
}
