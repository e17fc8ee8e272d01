/* text.c: Crafter's text observations for language-model agents
 * (docs/crafter.md). LUDUS_TEXT_BALROG reproduces the observation BALROG's
 * Crafter wrapper builds from the same 9x7 view (what is seen, nearest of
 * each kind, water by its shore only, what the agent faces, then status and
 * inventory), so results compare with its leaderboard. LUDUS_TEXT_FULL says
 * more: time of day, every visible thing with its distance, achievements
 * and the actions by name.
 */
#include <stdlib.h>
#include <string.h>

#include "craft.h"

#define VIEW_CELLS (CRAFT_VIEW_W * CRAFT_VIEW_H)

/* The local view as BALROG reads it: x-major cells, center (4, 3). */
typedef struct view {
    int px, py;
    int inside[CRAFT_VIEW_W][CRAFT_VIEW_H];
    unsigned sem[CRAFT_VIEW_W][CRAFT_VIEW_H];
} view;

static void view_read(const craft_state *st, view *v)
{
    v->px = st->objs[0].x;
    v->py = st->objs[0].y;
    for (int i = 0; i < CRAFT_VIEW_W; i++)
        for (int j = 0; j < CRAFT_VIEW_H; j++) {
            int x = v->px + i - CRAFT_VIEW_W / 2, y = v->py + j - CRAFT_VIEW_H / 2;
            v->inside[i][j] = craft_inside(x, y);
            v->sem[i][j] = craft_sem_at(st, x, y);
        }
}

static const char *sem_name(unsigned id)
{
    return id < CRAFT_NUM_MATS ? ludus_craft_mat_names[id] : ludus_craft_kind_names[id - (CRAFT_NUM_MATS - 1)];
}

/* Grass, sand and path are the ground: never described. */
static int is_ground(unsigned id) { return id == MAT_GRASS || id == MAT_SAND || id == MAT_PATH; }

/* Water is described only where it borders something else in view. */
static int is_shore(const view *v, int i, int j)
{
    for (int d = 0; d < 4; d++) {
        int a = i + ludus_craft_dir_dx[d], b = j + ludus_craft_dir_dy[d];
        if (a < 0 || b < 0 || a >= CRAFT_VIEW_W || b >= CRAFT_VIEW_H || !v->inside[a][b]) continue;
        if (v->sem[a][b] != MAT_WATER) return 1;
    }
    return 0;
}

static int described(const view *v, int i, int j)
{
    unsigned id = v->sem[i][j];
    if (!v->inside[i][j] || id == CRAFT_SEM_ID(KIND_PLAYER) || is_ground(id)) return 0;
    return id != MAT_WATER || is_shore(v, i, j);
}

/* "1 step south and 4 steps west", as BALROG words an offset. */
static void sb_offset(strbuf *sb, int dx, int dy)
{
    int n = 0;
    if (dy) {
        int a = abs(dy);
        ludus_sb_printf(sb, "%d step%s %s", a, a > 1 ? "s" : "", dy < 0 ? "north" : "south");
        n++;
    }
    if (dx) {
        int a = abs(dx);
        ludus_sb_printf(sb, "%s%d step%s %s", n ? " and " : "", a, a > 1 ? "s" : "", dx < 0 ? "west" : "east");
        n++;
    }
    if (!n) ludus_sb_puts(sb, "at your location");
}

static void sb_vitals_and_inventory(strbuf *sb, const craft_state *st)
{
    ludus_sb_puts(sb, "Your status:");
    for (int k = 0; k < CRAFT_NUM_VITALS; k++)
        ludus_sb_printf(sb, "\n- %s: %d/%d", ludus_craft_item_names[k], st->inv[k], CRAFT_ITEM_MAX);
    int any = 0;
    for (int k = CRAFT_NUM_VITALS; k < CRAFT_NUM_ITEMS; k++) {
        if (!st->inv[k]) continue;
        ludus_sb_printf(sb, "%s- %s: %d", any ? "\n" : "\n\nYour inventory:\n", ludus_craft_item_names[k], st->inv[k]);
        any = 1;
    }
    if (!any) ludus_sb_puts(sb, "\n\nYou have nothing in your inventory.");
}

static void balrog_text(const craft_state *st, const view *v, strbuf *sb)
{
    const int cx = CRAFT_VIEW_W / 2, cy = CRAFT_VIEW_H / 2;
    if (st->sleeping) ludus_sb_puts(sb, "You are sleeping, and will not be able take actions until energy is full.\n\n\n\n");
    else if (st->inv[ITEM_HEALTH] <= 0) ludus_sb_puts(sb, "You died.\n\n\n\n");

    /* The nearest of each kind, where "nearest" compares the first number
     * of the wording (the north/south count when there is one), keeping
     * the first seen on ties; kinds in the order first seen. */
    int kinds = 0, best[CRAFT_NUM_SEM], key[CRAFT_NUM_SEM];
    unsigned order[CRAFT_NUM_SEM];
    int pos[CRAFT_NUM_SEM][2];
    for (int k = 0; k < CRAFT_NUM_SEM; k++) best[k] = -1;
    for (int i = 0; i < CRAFT_VIEW_W; i++)
        for (int j = 0; j < CRAFT_VIEW_H; j++) {
            if (!described(v, i, j)) continue;
            unsigned id = v->sem[i][j];
            int dx = i - cx, dy = j - cy, first = abs(dy ? dy : dx);
            if (best[id] < 0) {
                order[kinds++] = id;
                best[id] = 1;
                key[id] = first;
                pos[id][0] = dx;
                pos[id][1] = dy;
            } else if (key[id] > first) {
                key[id] = first;
                pos[id][0] = dx;
                pos[id][1] = dy;
            }
        }
    if (kinds) {
        ludus_sb_puts(sb, "You see:");
        for (int k = 0; k < kinds; k++) {
            ludus_sb_printf(sb, "\n- %s ", sem_name(order[k]));
            sb_offset(sb, pos[order[k]][0], pos[order[k]][1]);
        }
    } else {
        ludus_sb_puts(sb, "You see nothing away from you.");
    }
    int fx = cx + ludus_craft_dir_dx[st->facing], fy = cy + ludus_craft_dir_dy[st->facing];
    unsigned front = v->sem[fx][fy];
    const char *name = !v->inside[fx][fy] || is_ground(front) ? "nothing" : sem_name(front);
    ludus_sb_printf(sb, "\n\nYou face %s at your front.\n\n", name);
    sb_vitals_and_inventory(sb, st);
}

/* ---- the full description ---- */

typedef struct seen {
    int dist, dx, dy;
} seen;

static int seen_cmp(const void *a, const void *b)
{
    const seen *p = a, *q = b;
    return p->dist != q->dist ? p->dist - q->dist : 0;
}

#define SEEN_LISTED 5 /* positions spelled out per kind; the rest are counted */

static void full_text(const craft_spec *s, const craft_state *st, const view *v, strbuf *sb)
{
    const int cx = CRAFT_VIEW_W / 2, cy = CRAFT_VIEW_H / 2;
    int t = (int)(st->step % CRAFT_DAY_LENGTH);
    const char *time = st->daylight >= 0.5 ? (t >= 120 && t < 148 ? "dusk" : "day")
                       : t < 210               ? "night"
                                               : "night, before dawn";
    if (s->length) ludus_sb_printf(sb, "Step %u of %u. It is %s (daylight %.2f).\n", st->step, s->length, time, st->daylight);
    else ludus_sb_printf(sb, "Step %u. It is %s (daylight %.2f).\n", st->step, time, st->daylight);
    if (st->inv[ITEM_HEALTH] <= 0) ludus_sb_puts(sb, "You died.\n");
    else if (st->sleeping) ludus_sb_puts(sb, "You are asleep; you wake up when your energy is full or when hurt.\n");
    ludus_sb_printf(sb, "Health %d/9, food %d/9, drink %d/9, energy %d/9.\n", st->inv[ITEM_HEALTH], st->inv[ITEM_FOOD],
              st->inv[ITEM_DRINK], st->inv[ITEM_ENERGY]);
    int any = 0;
    for (int k = CRAFT_NUM_VITALS; k < CRAFT_NUM_ITEMS; k++) {
        if (!st->inv[k]) continue;
        ludus_sb_printf(sb, "%s%d %s", any ? ", " : "You carry: ", st->inv[k], ludus_craft_item_names[k]);
        any = 1;
    }
    ludus_sb_puts(sb, any ? ".\n" : "You carry nothing.\n");

    int fx = cx + ludus_craft_dir_dx[st->facing], fy = cy + ludus_craft_dir_dy[st->facing];
    static const char *const dirs[4] = {"west", "east", "north", "south"};
    if (!v->inside[fx][fy]) ludus_sb_printf(sb, "In front of you (%s): the edge of the world.\n", dirs[st->facing]);
    else ludus_sb_printf(sb, "In front of you (%s): %s.\n", dirs[st->facing], sem_name(v->sem[fx][fy]));

    /* Every described cell, grouped by kind, nearest first. */
    seen list[CRAFT_NUM_SEM][VIEW_CELLS];
    int count[CRAFT_NUM_SEM] = {0};
    for (int i = 0; i < CRAFT_VIEW_W; i++)
        for (int j = 0; j < CRAFT_VIEW_H; j++) {
            if (!described(v, i, j)) continue;
            unsigned id = v->sem[i][j];
            int dx = i - cx, dy = j - cy;
            list[id][count[id]++] = (seen){abs(dx) + abs(dy), dx, dy};
        }
    int kinds = 0;
    unsigned order[CRAFT_NUM_SEM];
    for (unsigned id = 0; id < CRAFT_NUM_SEM; id++) {
        if (!count[id]) continue;
        /* insertion sort keeps scan order among equal distances */
        for (int a = 1; a < count[id]; a++)
            for (int b = a; b > 0 && seen_cmp(&list[id][b - 1], &list[id][b]) > 0; b--) {
                seen tmp = list[id][b];
                list[id][b] = list[id][b - 1];
                list[id][b - 1] = tmp;
            }
        int k = kinds++;
        while (k > 0 && list[order[k - 1]][0].dist > list[id][0].dist) {
            order[k] = order[k - 1];
            k--;
        }
        order[k] = id;
    }
    if (!kinds) ludus_sb_puts(sb, "You see only open ground.\n");
    else ludus_sb_puts(sb, "You see:\n");
    for (int k = 0; k < kinds; k++) {
        unsigned id = order[k];
        ludus_sb_printf(sb, "- %s%s: ", sem_name(id), id == MAT_WATER ? " (shore)" : "");
        for (int n = 0; n < count[id] && n < SEEN_LISTED; n++) {
            if (n) ludus_sb_puts(sb, "; ");
            sb_offset(sb, list[id][n].dx, list[id][n].dy);
        }
        if (count[id] > SEEN_LISTED) ludus_sb_printf(sb, "; and %d more", count[id] - SEEN_LISTED);
        ludus_sb_putc(sb, '\n');
    }
    int unlocked = 0;
    for (int a = 0; a < CRAFT_NUM_ACH; a++) unlocked += (int)(st->unlocked >> a & 1);
    ludus_sb_printf(sb, "Achievements unlocked: %d of %d", unlocked, CRAFT_NUM_ACH);
    for (int a = 0, n = 0; a < CRAFT_NUM_ACH; a++)
        if (st->unlocked >> a & 1) ludus_sb_printf(sb, "%s%s", n++ ? ", " : " (", ludus_craft_ach_names[a]);
    ludus_sb_puts(sb, unlocked ? ").\n" : ".\n");
    ludus_sb_puts(sb, "Actions: ");
    static const char *const moves[4] = {" (west)", " (east)", " (north)", " (south)"};
    for (int a = 0; a < CRAFT_NUM_ACTIONS; a++)
        ludus_sb_printf(sb, "%s%s%s", a ? ", " : "", ludus_craft_action_names[a],
                  a >= ACT_MOVE_LEFT && a <= ACT_MOVE_DOWN ? moves[a - ACT_MOVE_LEFT] : "");
    ludus_sb_puts(sb, ".");
}

int ludus_craft_text(const craft_spec *s, const craft_state *st, ludus_text_mode mode, char *buf, size_t cap)
{
    view v;
    view_read(st, &v);
    strbuf sb = sb_make(buf, cap);
    if (mode == LUDUS_TEXT_BALROG) balrog_text(st, &v, &sb);
    else full_text(s, st, &v, &sb);
    return (int)(sb.len < cap ? sb.len : cap - 1);
}
