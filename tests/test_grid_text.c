/* test_grid_text.c: the grid worlds' text observation. Hand-built views
 * reproduce the worked examples of spec/text-observation.md §4 (real output
 * of BALROG's BabyAI-Text generator) word for word, plus doors, lava, boxes
 * and what a box holds once opened; then every registered grid id must give
 * well-formed text, consistent with its image observation, after reset and
 * random steps.
 */
#include <stdlib.h>

#include "check.h"
#include "envs/env.h"
#include "envs/grid/grid.h"

/* ---- hand-built scenes ---------------------------------------------------
 * A scene is a 7x7 view drawn into an empty FourRooms grid (19x19, walls
 * block sight) around an agent at (9,12) facing north, so view cell (x, y)
 * is world cell (6 + x, 6 + y). Tokens: W wall, . empty, ^ the agent,
 * G goal, V lava, and a kind letter plus a colour letter: A ball, B box,
 * K key, F floor, D closed door, L locked door, O open door; colours
 * r g b p y e (grey). */

typedef struct scene {
    ludus_env *env;
    grid_state *st;
    const grid_spec *s;
} scene;

enum { AGENT_X = 9, AGENT_Y = 12 };

static int color_of(char c)
{
    switch (c) {
    case 'r': return COL_RED;
    case 'g': return COL_GREEN;
    case 'b': return COL_BLUE;
    case 'p': return COL_PURPLE;
    case 'y': return COL_YELLOW;
    default: return COL_GREY;
    }
}

static gcell token_cell(grid_state *st, const char *t)
{
    switch (t[0]) {
    case 'W': return GC_WALL;
    case 'G': return GC_GOAL;
    case 'V': return GC_LAVA;
    case 'A': return grid_new_obj(st, OBJ_BALL, color_of(t[1]), 0);
    case 'B': return grid_new_obj(st, OBJ_BOX, color_of(t[1]), 0);
    case 'K': return grid_new_obj(st, OBJ_KEY, color_of(t[1]), 0);
    case 'F': return grid_new_obj(st, OBJ_FLOOR, color_of(t[1]), 0);
    case 'D': return grid_new_obj(st, OBJ_DOOR, color_of(t[1]), DOOR_CLOSED);
    case 'L': return grid_new_obj(st, OBJ_DOOR, color_of(t[1]), DOOR_LOCKED);
    case 'O': return grid_new_obj(st, OBJ_DOOR, color_of(t[1]), DOOR_OPEN);
    default: return GC_EMPTY; /* '.', '^' */
    }
}

static int scene_open(scene *sc)
{
    CHECK_OK(ludus_env_make("MiniGrid-FourRooms-v0", NULL, &sc->env));
    if (!sc->env) return 0;
    sc->st = ludus_env_state_new(sc->env);
    CHECK_OK(ludus_env_reset(sc->env, sc->st, 0, NULL));
    sc->s = sc->env->impl;
    return 1;
}

static void scene_close(scene *sc)
{
    free(sc->st);
    ludus_env_destroy(sc->env);
}

/* Clear the grid, then draw rows[0] (far) .. rows[6] (the agent's row). */
static void scene_draw(scene *sc, const char *const rows[7], gcell carrying)
{
    grid_state *st = sc->st;
    for (int y = 0; y < sc->s->height; y++)
        for (int x = 0; x < sc->s->width; x++) grid_set(sc->s, st, x, y, GC_EMPTY);
    for (int vy = 0; vy < 7; vy++) {
        const char *p = rows[vy];
        for (int vx = 0; vx < 7; vx++) {
            while (*p == ' ') p++;
            grid_set(sc->s, st, AGENT_X - 3 + vx, AGENT_Y - 6 + vy, token_cell(st, p));
            CHECK_MSG(*p, "scene row %d has fewer than 7 cells", vy);
            while (*p && *p != ' ') p++;
        }
        while (*p == ' ') p++;
        CHECK_MSG(*p == 0, "scene row %d has more than 7 cells", vy);
    }
    st->agent_x = AGENT_X;
    st->agent_y = AGENT_Y;
    st->agent_dir = 3;
    st->carrying = carrying;
}

static void check_text_is(scene *sc, ludus_text_mode mode, const char *want, const char *what)
{
    char buf[8192];
    int n = ludus_env_text(sc->env, sc->st, mode, buf, sizeof buf);
    CHECK_MSG(n >= 0, "%s: text failed: %s", what, ludus_errmsg());
    if (n < 0) return;
    CHECK_EQ(n, (long long)strlen(buf));
    CHECK_MSG(strcmp(buf, want) == 0, "%s:\n--- got\n%s\n--- want\n%s", what, buf, want);
}

/* Worked examples of spec/text-observation.md §4, in BALROG's form. */
static void test_worked_examples(void)
{
    scene sc;
    if (!scene_open(&sc)) return;

    static const char *const ex1[7] = {
        "W W  W  W W  W W", "W .  .  . .  . .", "W .  Ar . .  . .", "W .  .  . .  Bb .",
        "W .  .  . .  . .", "W .  .  . .  . .", "W .  .  ^ .  . .",
    };
    scene_draw(&sc, ex1, GC_EMPTY);
    check_text_is(&sc, LUDUS_TEXT_BALROG,
                  "a wall 6 steps forward\n"
                  "a wall 3 steps left\n"
                  "a red ball 1 step left and 4 steps forward\n"
                  "a blue box 2 steps right and 3 steps forward",
                  "example 1");

    static const char *const ex2[7] = {
        "W W W W  W  W W", ". . . .  .  . .", ". . . .  .  . .", ". . . .  .  . .",
        "W W W Ly W  W W", ". . . .  .  . .", ". . . ^  Ap . W",
    };
    scene_draw(&sc, ex2, grid_new_obj(sc.st, OBJ_KEY, COL_YELLOW, 0));
    check_text_is(&sc, LUDUS_TEXT_BALROG,
                  "You carry a yellow key\n"
                  "a locked yellow door 2 steps forward\n"
                  "a purple ball 1 step right",
                  "example 2");

    static const char *const ex3[7] = {
        "W W  W W  W W  W",  ". .  . .  . W  .", ". Kr . .  . W  Ke", ". .  . .  . Ob .",
        ". .  . .  . W  .",  ". .  . Bg . W  .", ". Ay . ^  . W  .",
    };
    scene_draw(&sc, ex3, GC_EMPTY);
    check_text_is(&sc, LUDUS_TEXT_BALROG,
                  "a wall 2 steps right\n"
                  "a red key 2 steps left and 4 steps forward\n"
                  "a yellow ball 2 steps left\n"
                  "a green box 1 step forward\n"
                  "a open blue door 2 steps right and 3 steps forward\n"
                  "a grey key 3 steps right and 4 steps forward",
                  "example 3");

    static const char *const ex4[7] = {
        ". . . .  . . .", ". . . .  . . .", ". . . .  . . .", ". . . Dr . . .",
        ". G . .  . . .", ". . . .  . V .", ". . . ^  . . .",
    };
    scene_draw(&sc, ex4, GC_EMPTY);
    check_text_is(&sc, LUDUS_TEXT_BALROG,
                  "a green goal 2 steps left and 2 steps forward\n"
                  "a closed red door 3 steps forward\n"
                  "a red lava 2 steps right and 1 step forward",
                  "example 4");

    /* The full mode wraps the same lines in the mission and the actions. */
    check_text_is(&sc, LUDUS_TEXT_FULL,
                  "Mission: reach the goal\n"
                  "a green goal 2 steps left and 2 steps forward\n"
                  "a closed red door 3 steps forward\n"
                  "a red lava 2 steps right and 1 step forward\n"
                  "Actions: turn left, turn right, go forward, pick up, drop, toggle, done",
                  "example 4, full mode");
    scene_close(&sc);
}

/* Doors of every state, floor, a closed door hiding what is behind it, and
 * the scan rules for side walls. */
static void test_doors_and_sight(void)
{
    scene sc;
    if (!scene_open(&sc)) return;
    static const char *const rows[7] = {
        ". .  .  .  . .  .", ". Ab .  .  . .  .", "W W  W  Dg W W  W", ". .  .  .  . .  .",
        ". Lp .  Ob . Fb .", ". .  .  .  . .  .", "W .  .  ^  . .  W",
    };
    scene_draw(&sc, rows, GC_EMPTY);
    /* The wall row with its closed door hides the blue ball behind it. The
     * open door two steps ahead ends the forward wall scan (any non-empty
     * cell does), so there is no forward wall line; the locked door is
     * seen but hides nothing here. */
    check_text_is(&sc, LUDUS_TEXT_BALROG,
                  "a wall 3 steps left\n"
                  "a wall 3 steps right\n"
                  "a locked purple door 2 steps left and 2 steps forward\n"
                  "a closed green door 4 steps forward\n"
                  "a open blue door 2 steps forward\n"
                  "a blue floor 2 steps right and 2 steps forward",
                  "doors and sight");
    scene_close(&sc);
}

/* Toggling a box puts what it holds in its cell: the text then names the
 * contents; an empty box vanishes. */
static void test_box_contents(void)
{
    scene sc;
    if (!scene_open(&sc)) return;
    static const char *const rows[7] = {
        ". . . . . . .", ". . . . . . .", ". . . . . . .", ". . . . . . .",
        ". . . . . . .", ". . . . . . .", ". . . ^ . . .",
    };
    scene_draw(&sc, rows, GC_EMPTY);
    gcell full = grid_new_obj(sc.st, OBJ_BOX, COL_PURPLE, 0);
    sc.st->contents[GC_ID(full)] = grid_new_obj(sc.st, OBJ_KEY, COL_YELLOW, 0);
    grid_set(sc.s, sc.st, AGENT_X, AGENT_Y - 1, full);
    check_text_is(&sc, LUDUS_TEXT_BALROG, "a purple box 1 step forward", "closed box");
    ludus_step_out out;
    CHECK_OK(ludus_env_step(sc.env, sc.st, ACT_TOGGLE, NULL, &out));
    check_text_is(&sc, LUDUS_TEXT_BALROG, "a yellow key 1 step forward", "opened box shows its key");
    CHECK_OK(ludus_env_step(sc.env, sc.st, ACT_PICKUP, NULL, &out));
    check_text_is(&sc, LUDUS_TEXT_BALROG, "You carry a yellow key", "the key taken out of the box");

    gcell empty = grid_new_obj(sc.st, OBJ_BOX, COL_GREEN, 0);
    grid_set(sc.s, sc.st, AGENT_X - 1, AGENT_Y, empty);
    CHECK_OK(ludus_env_step(sc.env, sc.st, ACT_LEFT, NULL, &out));
    check_text_is(&sc, LUDUS_TEXT_BALROG, "You carry a yellow key\na green box 1 step forward", "empty box");
    CHECK_OK(ludus_env_step(sc.env, sc.st, ACT_TOGGLE, NULL, &out));
    check_text_is(&sc, LUDUS_TEXT_BALROG, "You carry a yellow key", "an empty box vanishes when opened");

    /* A carried box is named as carried, not seen. */
    sc.st->carrying = grid_new_obj(sc.st, OBJ_BOX, COL_GREY, 0);
    check_text_is(&sc, LUDUS_TEXT_BALROG, "You carry a grey box", "carried box");
    scene_close(&sc);
}

/* ---- every registered id ------------------------------------------------ */

static int is_word(const char *w, size_t n, const char *const *set, int count)
{
    for (int i = 0; i < count; i++)
        if (strlen(set[i]) == n && strncmp(w, set[i], n) == 0) return 1;
    return 0;
}

static const char *const COLORS[6] = {"red", "green", "blue", "purple", "yellow", "grey"};
/* Seen things; the carried ones are THINGS[1..3]. */
static const char *const THINGS[7] = {"floor", "key", "ball", "box", "goal", "lava", "door"};
static const char *const DOOR_STATES[3] = {"open", "closed", "locked"};
static const char *const SIDES[2] = {"left", "right"};

typedef struct words {
    int n;
    const char *w[16];
    size_t len[16];
} words;

static void split(const char *line, size_t len, words *ws)
{
    ws->n = 0;
    size_t i = 0;
    while (i < len && ws->n < 16) {
        size_t j = i;
        while (j < len && line[j] != ' ') j++;
        ws->w[ws->n] = line + i;
        ws->len[ws->n++] = j - i;
        i = j + 1;
    }
}

static int word_is(const words *ws, int i, const char *s)
{
    return i < ws->n && ws->len[i] == strlen(s) && strncmp(ws->w[i], s, ws->len[i]) == 0;
}

/* "<n> step|steps" at word i with n >= 1 and agreeing plural. */
static int distance_at(const words *ws, int i, int max)
{
    if (i + 1 >= ws->n) return 0;
    char num[8];
    if (ws->len[i] == 0 || ws->len[i] >= sizeof num) return 0;
    memcpy(num, ws->w[i], ws->len[i]);
    num[ws->len[i]] = 0;
    char *end;
    long n = strtol(num, &end, 10);
    if (*end || n < 1 || n > max) return 0;
    return word_is(ws, i + 1, n == 1 ? "step" : "steps");
}

/* One description line; returns its kind: 1 carry, 2/3/4 wall forward,
 * left, right, 5 object, 0 malformed. */
static int line_kind(const char *line, size_t len, int view)
{
    words ws;
    split(line, len, &ws);
    int h = view / 2;
    if (word_is(&ws, 0, "You")) {
        return ws.n == 5 && word_is(&ws, 1, "carry") && word_is(&ws, 2, "a") &&
                       is_word(ws.w[3], ws.len[3], COLORS, 6) && is_word(ws.w[4], ws.len[4], THINGS + 1, 3)
                   ? 1
                   : 0;
    }
    if (ws.n < 3 || !word_is(&ws, 0, "a")) return 0;
    if (word_is(&ws, 1, "wall")) {
        if (ws.n != 5) return 0;
        if (word_is(&ws, 4, "forward")) return distance_at(&ws, 2, view - 1) ? 2 : 0;
        if (word_is(&ws, 4, "left")) return distance_at(&ws, 2, h) ? 3 : 0;
        if (word_is(&ws, 4, "right")) return distance_at(&ws, 2, h) ? 4 : 0;
        return 0;
    }
    int i;
    if (is_word(ws.w[1], ws.len[1], DOOR_STATES, 3)) {
        if (!(ws.n > 3 && is_word(ws.w[2], ws.len[2], COLORS, 6) && word_is(&ws, 3, "door"))) return 0;
        i = 4;
    } else {
        if (!(ws.n > 2 && is_word(ws.w[1], ws.len[1], COLORS, 6) && is_word(ws.w[2], ws.len[2], THINGS, 6)))
            return 0;
        i = 3;
    }
    if (ws.n == i + 3 && distance_at(&ws, i, view - 1) && word_is(&ws, i + 2, "forward")) return 5;
    if (ws.n == i + 3 && distance_at(&ws, i, h) && is_word(ws.w[i + 2], ws.len[i + 2], SIDES, 2)) return 5;
    if (ws.n == i + 7 && distance_at(&ws, i, h) && is_word(ws.w[i + 2], ws.len[i + 2], SIDES, 2) &&
        word_is(&ws, i + 3, "and") && distance_at(&ws, i + 4, view - 1) && word_is(&ws, i + 6, "forward"))
        return 5;
    return 0;
}

/* The full text is "Mission: ...", the description lines in order (carry,
 * walls forward/left/right, objects), then "Actions: ..."; the BALROG text
 * is exactly the description lines. Object lines number the visible
 * non-wall things in the image observation. */
static void check_well_formed(const ludus_env *env, const void *state, const char *where)
{
    const ludus_env_info *info = ludus_env_get_info(env);
    char *full = malloc(info->text_capacity), *bal = malloc(info->text_capacity);
    uint8_t *obs = malloc(info->obs_size);
    int nf = ludus_env_text(env, state, LUDUS_TEXT_FULL, full, info->text_capacity);
    int nb = ludus_env_text(env, state, LUDUS_TEXT_BALROG, bal, info->text_capacity);
    CHECK_OK(ludus_env_observe(env, state, obs));
    CHECK_MSG(nf > 0 && nb >= 0, "%s: text failed: %s", where, ludus_errmsg());
    if (nf <= 0 || nb < 0) goto done;

    char want[256] = "Mission: ";
    strncat(want, ludus_env_mission(env, state), sizeof want - 20);
    CHECK_MSG(strncmp(full, want, strlen(want)) == 0 && full[strlen(want)] == '\n', "%s: first line of\n%s",
              where, full);
    const char *first_nl = strchr(full, '\n'), *last_nl = strrchr(full, '\n');
    if (!first_nl) {
        CHECK_MSG(0, "%s: full text has one line", where);
        goto done;
    }
    char acts[256] = "Actions: ";
    for (int a = 0; a < info->num_actions; a++) {
        if (a) strcat(acts, ", ");
        strcat(acts, info->action_names[a]);
    }
    CHECK_MSG(strcmp(last_nl + 1, acts) == 0, "%s: last line '%s'", where, last_nl + 1);
    size_t mid_len = first_nl == last_nl ? 0 : (size_t)(last_nl - first_nl - 1);
    CHECK_MSG((size_t)nb == mid_len && strncmp(bal, first_nl + 1, mid_len) == 0,
              "%s: BALROG text is not the full text's middle:\n%s\n---\n%s", where, bal, full);

    int V = info->obs_fields[0].shape[0], h = V / 2;
    int objects = 0, carrying = obs[(h * V + V - 1) * 3] != OBJ_EMPTY;
    for (int x = 0; x < V; x++)
        for (int y = 0; y < V; y++) {
            int t = obs[(x * V + y) * 3];
            if ((x != h || y != V - 1) && t != OBJ_UNSEEN && t != OBJ_EMPTY && t != OBJ_WALL) objects++;
        }
    int last = 0, seen_objects = 0, seen_carry = 0;
    for (const char *p = bal; nb > 0 && *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        int kind = line_kind(p, len, V);
        CHECK_MSG(kind != 0, "%s: malformed line '%.*s'", where, (int)len, p);
        CHECK_MSG(kind == 5 ? kind >= last : kind > last, "%s: line '%.*s' out of order", where, (int)len, p);
        if (kind > last) last = kind;
        seen_objects += kind == 5;
        seen_carry += kind == 1;
        p = e ? e + 1 : p + len;
    }
    CHECK_MSG(seen_objects == objects, "%s: %d object lines for %d visible objects", where, seen_objects, objects);
    CHECK_EQ(seen_carry, carrying);
done:
    free(full);
    free(bal);
    free(obs);
}

static void test_every_grid_id(void)
{
    int ids = 0;
    for (int i = 0; i < ludus_env_count(); i++) {
        const char *id = ludus_env_id(i);
        if (strncmp(id, "MiniGrid-", 9) && strncmp(id, "BabyAI-", 7)) continue;
        ludus_env *env = NULL;
        CHECK_OK(ludus_env_make(id, NULL, &env));
        if (!env) continue;
        ids++;
        void *st = ludus_env_state_new(env);
        uint32_t lcg = 12345;
        for (uint64_t seed = 0; seed < 3; seed++) {
            CHECK_OK(ludus_env_reset(env, st, seed, NULL));
            char where[160];
            snprintf(where, sizeof where, "%s seed %llu after reset", id, (unsigned long long)seed);
            check_well_formed(env, st, where);
            for (int t = 0; t < 25; t++) {
                lcg = lcg * 1103515245u + 12345u;
                int action = (int)((lcg >> 16) % (uint32_t)ludus_env_get_info(env)->num_actions);
                ludus_step_out out;
                CHECK_OK(ludus_env_step(env, st, action, NULL, &out));
                snprintf(where, sizeof where, "%s seed %llu step %d", id, (unsigned long long)seed, t + 1);
                check_well_formed(env, st, where);
                if (out.terminated || out.truncated) break;
            }
        }
        free(st);
        ludus_env_destroy(env);
    }
    CHECK_MSG(ids > 0, "no grid id is registered");
}

/* A buffer below text_capacity is refused with a clear message. */
static void test_small_buffer(void)
{
    scene sc;
    if (!scene_open(&sc)) return;
    char buf[16];
    CHECK_ERR(ludus_env_text(sc.env, sc.st, LUDUS_TEXT_FULL, buf, sizeof buf), LUDUS_EINVAL);
    CHECK_ERR(ludus_env_text(sc.env, sc.st, (ludus_text_mode)7, buf, sizeof buf), LUDUS_EINVAL);
    scene_close(&sc);
}

int main(void)
{
    test_worked_examples();
    test_doors_and_sight();
    test_box_contents();
    test_every_grid_id();
    test_small_buffer();
    return check_finish("test_grid_text");
}
