/* text.c: the text observation of the grid worlds for language-model
 * agents. The description lines are BALROG's BabyAI-Text, word for word
 * (spec/text-observation.md), computed from the same egocentric view as
 * the tensor observation; the full mode adds the mission and the legal
 * actions. docs/text-observation.md documents the format.
 */
#include <string.h>

#include "grid.h"

static const char *plural(int n) { return n == 1 ? "step" : "steps"; }

static const char *door_state_str[3] = {"open", "closed", "locked"};

/* One description line without BALROG's "You see " prefix. */
static void describe(strbuf *sb, const uint8_t *cell, int dx, int dy)
{
    int type = cell[0], color = cell[1], state = cell[2];
    if (type == OBJ_DOOR)
        ludus_sb_printf(sb, "a %s %s door ", door_state_str[state <= 2 ? state : 1], ludus_grid_color_str[color % 6]);
    else
        ludus_sb_printf(sb, "a %s %s ", ludus_grid_color_str[color % 6], ludus_grid_type_str[type <= 10 ? type : 0]);
    if (dx == 0) ludus_sb_printf(sb, "%d %s forward", dy, plural(dy));
    else if (dy == 0) ludus_sb_printf(sb, "%d %s %s", dx < 0 ? -dx : dx, plural(dx < 0 ? -dx : dx), dx < 0 ? "left" : "right");
    else
        ludus_sb_printf(sb, "%d %s %s and %d %s forward", dx < 0 ? -dx : dx, plural(dx < 0 ? -dx : dx),
                  dx < 0 ? "left" : "right", dy, plural(dy));
}

/* Scan a ray of view cells for the nearest wall, skipping unseen and empty
 * cells and stopping at anything else. Returns the distance or 0. */
static int wall_ray(const uint8_t *img, int V, int x0, int y0, int sx, int sy, int count)
{
    for (int k = 1; k <= count; k++) {
        int x = x0 + sx * k, y = y0 + sy * k;
        int t = img[(x * V + y) * 3];
        if (t == OBJ_UNSEEN || t == OBJ_EMPTY) continue;
        return t == OBJ_WALL ? k : 0;
    }
    return 0;
}

int ludus_grid_text(const ludus_env *env, const void *state, ludus_text_mode mode, char *buf, size_t cap)
{
    const grid_spec *s = env->impl;
    const grid_state *st = state;
    const int V = s->view, h = V / 2;
    uint8_t img[GRID_MAX_VIEW * GRID_MAX_VIEW * 3];
    ludus_grid_view(s, st, img);
    strbuf sb = sb_make(buf, cap);
    int lines = 0;
#define NEWLINE() do { if (lines++) ludus_sb_putc(&sb, '\n'); } while (0)
    if (mode == LUDUS_TEXT_FULL) {
        NEWLINE();
        ludus_sb_printf(&sb, "Mission: %s", (const char *)state + s->mission_off);
    }
    gcell carried = grid_shown_carrying(st);
    if (carried != GC_EMPTY) {
        NEWLINE();
        ludus_sb_printf(&sb, "You carry a %s %s", ludus_grid_color_str[GC_COLOR(carried)], ludus_grid_type_str[GC_TYPE(carried)]);
    }
    int n;
    if ((n = wall_ray(img, V, h, V - 1, 0, -1, V - 1))) {
        NEWLINE();
        ludus_sb_printf(&sb, "a wall %d %s forward", n, plural(n));
    }
    if ((n = wall_ray(img, V, h, V - 1, -1, 0, h))) {
        NEWLINE();
        ludus_sb_printf(&sb, "a wall %d %s left", n, plural(n));
    }
    if ((n = wall_ray(img, V, h, V - 1, 1, 0, h))) {
        NEWLINE();
        ludus_sb_printf(&sb, "a wall %d %s right", n, plural(n));
    }
    for (int x = 0; x < V; x++)
        for (int y = 0; y < V; y++) {
            if (x == h && y == V - 1) continue;
            const uint8_t *c = img + (x * V + y) * 3;
            if (c[0] == OBJ_UNSEEN || c[0] == OBJ_EMPTY || c[0] == OBJ_WALL) continue;
            NEWLINE();
            describe(&sb, c, x - h, V - 1 - y);
        }
    if (mode == LUDUS_TEXT_FULL) {
        NEWLINE();
        ludus_sb_puts(&sb, "Actions: ");
        for (int a = 0; a < env->info.num_actions; a++)
            ludus_sb_printf(&sb, "%s%s", a ? ", " : "", env->info.action_names[a]);
    }
#undef NEWLINE
    if (sb.len >= cap) return ludus_err_set(LUDUS_EINTERNAL, "text observation longer than its capacity");
    return (int)sb.len;
}
