/* site_heldout.c: the held-out domain of the web family (spec/web.md B3,
 * B5 S9, B8): two templates no other task uses, `files` (a folder tree:
 * open, rename, move, delete a file, create a folder) and `admin` (a data
 * table of users: filter by city, sort by name or score, pages of four,
 * a row's edit form with validation, delete), and a cross-site task
 * (a home page leading to a shop's order history and a mail client: read
 * a value on one site, act on the other). holdout=domain tests these ids
 * and trains on the seen sites (web.c refuses the other pairings).
 *
 * The files and admin instructions combine three subgoals of four kinds
 * in an order (CompWoB); holdout=task holds out, by a pure hash of the
 * ordered kinds, a quarter of the 24 combinations: train and test never
 * share one. As for every site, the truth is the rows plus the
 * navigation stack; pages are rebuilt from them on navigation; success is
 * a predicate over the final rows (each subgoal done, every other row as
 * it was) after `stop`; each subgoal is a key node.
 */
#include <string.h>

#include "web.h"

#define WORD(w) ludus_web_words[w]

enum { K_MOVE = 0, K_RENAME, K_DELETE, K_MKDIR };   /* files: subgoal kinds */
enum { A_CITY = 0, A_SCORE, A_DELETE, A_TOP };      /* admin: subgoal kinds */
enum { F_GONE = 4, TABLE_ROWS = 4, FILES_N0 = 8, N_ORDERS = 4 };

/* ---- helpers (as sites.c) ---- */

static int add(web_state *st, int role, int parent, int name, int name2, int handler, int harg, int flags)
{
    return ludus_web_add(st, role, parent, name, name2, handler, harg, 0, flags);
}


static void go(const web_spec *s, web_state *st, web_nav nv)
{
    if (st->nav_n == WEB_NAV) {
        memmove(st->nav, st->nav + 1, sizeof st->nav[0] * (WEB_NAV - 1));
        st->nav_n--;
    }
    st->nav[st->nav_n++] = nv;
    s->task->build(s, st);
}

/* leave the page shown: back to the page before it, else to `home` */
static void leave(const web_spec *s, web_state *st, web_nav home)
{
    if (st->nav_n > 1) st->nav_n--;
    else st->nav[0] = home;
    s->task->build(s, st);
}

/* n distinct words of [lo, hi) into out: out[0] from the split's target
 * pool when target, the rest from the other words (a partial shuffle of
 * one scan: resets stay cheap). web_make guarantees 8 other names and
 * nouns; past them a word repeats. */
static void sample(const web_spec *s, web_state *st, int lo, int hi, int target, int n, uint8_t *out)
{
    uint8_t cand[64] = {0};
    int c = 0;
    out[0] = (uint8_t)ludus_web_draw_counted(s, st, lo, hi, target, NULL, 0);
    for (int i = 0; i < s->other_n; i++)
        if (s->other[i] >= lo && s->other[i] < hi && s->other[i] != out[0]) cand[c++] = s->other[i];
    for (int k = 1; k < n; k++) {
        const int left = c - (k - 1);
        if (left <= 0) {
            out[k] = c ? cand[(k - 1) % c] : out[0];
            continue;
        }
        const int j = (k - 1) + (int)ludus_web_below(st, (uint32_t)left);
        const uint8_t t = cand[k - 1];
        cand[k - 1] = cand[j];
        cand[j] = t;
        out[k] = cand[k - 1];
    }
}

static int combobox(web_state *st, int name, const uint8_t *words, int n, int value)
{
    int c = add(st, R_COMBOBOX, WEB_NONE, name, 0, H_NONE, 0, 0);
    st->el[c].opt_first = st->n_opt;
    st->el[c].opt_n = (uint8_t)n;
    for (int k = 0; k < n; k++) st->opt[st->n_opt++] = words[k];
    st->el[c].value = (uint8_t)value;
    return c;
}

/* ---- subgoal combinations (holdout=task) ---- */

static int combo_valid(int code) /* three distinct kinds of four */
{
    const int a = code >> 4 & 3, b = code >> 2 & 3, c = code & 3;
    return code < 64 && a != b && a != c && b != c;
}

int ludus_web_combo_heldout(int salt, int code)
{
    return ludus_web_mix(0x636f6d626full ^ (uint64_t)salt << 8 ^ (uint64_t)code) % 4 == 0;
}

static int combo_in(const web_spec *s, int code)
{
    if (!combo_valid(code)) return 0;
    if (s->holdout != WEB_HOLD_TASK || s->split == WEB_SPLIT_ALL) return 1;
    return ludus_web_combo_heldout(ludus_web_task_combo(s->task), code) == (s->split == WEB_SPLIT_TEST);
}

int ludus_web_combo_count(const web_spec *s)
{
    int n = 0;
    for (int c = 0; c < 64; c++) n += combo_in(s, c);
    return n;
}

/* the kinds of a combination of the split, drawn uniformly, into k[0..2] */
static void draw_combo(const web_spec *s, web_state *st, uint8_t *k)
{
    int pick = (int)ludus_web_below(st, (uint32_t)ludus_web_combo_count(s)), code = 0;
    for (int c = 0; c < 64; c++)
        if (combo_in(s, c) && pick-- == 0) code = c;
    k[0] = (uint8_t)(code >> 4 & 3);
    k[1] = (uint8_t)(code >> 2 & 3);
    k[2] = (uint8_t)(code & 3);
}

/* a random order of 0..n-1 into p */
static void shuffle(web_state *st, uint8_t *p, int n)
{
    for (int i = 0; i < n; i++) p[i] = (uint8_t)i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)ludus_web_below(st, (uint32_t)i + 1);
        uint8_t t = p[i];
        p[i] = p[j];
        p[j] = t;
    }
}

/* ================= files: Web-files-organize-v0 =================
 * rows: a name, b parent (a folder's row or WEB_ROOT), c 1 folder / 0
 * file, d the name at reset, e the parent at reset, flags F_GONE when
 * deleted. Rows 0-2 are folders (person names, as home folders), 3-7
 * files (nouns); a new folder takes the next row. nav: P_FOLDER (a: the
 * folder's row or WEB_ROOT), P_ENTRY (a: a file's row). target[1..3]:
 * the subgoals' kinds, target[4..6] their file rows (for a new folder,
 * the parent). fields 2i, 2i+1: subgoal i's words (file, destination |
 * file, new name | file, - | new folder, parent or "files"). */

static int is_folder(const web_state *st, int r)
{
    return r == WEB_ROOT || (r < st->n_row && st->row[r].c == 1 && !(st->row[r].flags & F_GONE));
}

static int folder_word(const web_state *st, int r) { return r == WEB_ROOT ? W_FILES : st->row[r].a; }

/* the original folder named w (folder names never change) */
static int folder_named(const web_state *st, int w)
{
    for (int r = 0; r < st->n_row; r++)
        if (st->row[r].c == 1 && st->row[r].a == w && !(st->row[r].flags & F_GONE)) return r;
    return -1;
}

static void gen_files(const web_spec *s, web_state *st)
{
    uint8_t k[3], perm[5], nouns[6], names[4];
    draw_combo(s, st, k);
    shuffle(st, perm, 5); /* the subgoals' files: rows 3 + perm[i] */
    /* the first file the instruction names is the split's target entity;
     * nouns[5] a new name, names[3] a new folder's */
    const int first = k[0] == K_MKDIR ? 1 : 0;
    sample(s, st, W_NOUN0, W_MONTH0, 1, 6, nouns);
    sample(s, st, W_NAME0, W_NOUN0, 0, 4, names);
    for (int f = 0; f < 5; f++) st->row[3 + perm[f]].a = nouns[f == first ? 0 : f < first ? f + 1 : f];
    for (int r = 0; r < 3; r++) {
        web_row *w = &st->row[r];
        w->a = names[r];
        w->c = 1;
        w->b = (uint8_t)(r < 2 ? WEB_ROOT : ludus_web_below(st, 2)); /* folder 2 nests in folder 0 or 1 */
    }
    for (int r = 3; r < FILES_N0; r++) {
        int p = (int)ludus_web_below(st, 4);
        st->row[r].b = (uint8_t)(p == 3 ? WEB_ROOT : p);
    }
    st->n_row = FILES_N0;
    st->saved[0] = FILES_N0;
    const char *parts[24];
    int np = 0;
    parts[np++] = "Files: ";
    for (int i = 0; i < 3; i++) {
        const int r = 3 + perm[i];
        web_row *w = &st->row[r];
        st->target[1 + i] = k[i];
        st->target[4 + i] = (uint8_t)r;
        st->field[2 * i] = w->a;
        if (i) parts[np++] = i == 2 ? ", and " : ", ";
        switch (k[i]) {
        case K_MOVE: {
            int g = (int)ludus_web_below(st, 3);
            if (g == w->b) g = (g + 1) % 3;
            st->field[2 * i + 1] = st->row[g].a;
            parts[np++] = "move ";
            parts[np++] = WORD(w->a);
            parts[np++] = " to ";
            parts[np++] = WORD(st->row[g].a);
            break;
        }
        case K_RENAME:
            st->field[2 * i + 1] = nouns[5];
            parts[np++] = "rename ";
            parts[np++] = WORD(w->a);
            parts[np++] = " to ";
            parts[np++] = WORD(st->field[2 * i + 1]);
            break;
        case K_DELETE:
            parts[np++] = "delete ";
            parts[np++] = WORD(w->a);
            break;
        default: { /* a new folder, named with a name no folder has, in a folder or the root */
            int p = (int)ludus_web_below(st, 4);
            p = p == 3 ? WEB_ROOT : p;
            st->field[2 * i] = names[3];
            st->field[2 * i + 1] = (uint8_t)folder_word(st, p);
            st->target[4 + i] = (uint8_t)p;
            parts[np++] = "create folder ";
            parts[np++] = WORD(st->field[2 * i]);
            parts[np++] = " in ";
            parts[np++] = WORD(st->field[2 * i + 1]);
        }
        }
    }
    parts[np++] = "; then stop.";
    parts[np] = NULL;
    st->n_field = 6;
    for (int r = 0; r < FILES_N0; r++) {
        st->row[r].d = st->row[r].a;
        st->row[r].e = st->row[r].b;
    }
    st->nav[0] = (web_nav){P_FOLDER, WEB_ROOT, 0, 0};
    st->nav_n = 1;
    ludus_web_mission(st, parts);
}

static void build_files(const web_spec *s, web_state *st)
{
    (void)s;
    const web_nav *nv = ludus_web_top(st);
    ludus_web_clear_page(st);
    if (st->skin & 4) add(st, R_HEADING, WEB_NONE, W_FILES, 0, H_NONE, 0, 0);
    if (nv->page == P_FOLDER) {
        const int f = nv->a;
        add(st, R_HEADING, WEB_NONE, folder_word(st, f), W_FOLDER, H_NONE, 0, 0);
        if (f != WEB_ROOT) add(st, R_LINK, WEB_NONE, W_UP, 0, H_OPENDIR, st->row[f].b, 0);
        int shown = 0;
        for (int pass = 0; pass < 2; pass++) { /* folders first, or files first */
            const int want_folder = (pass == 0) != ((st->skin & 2) != 0);
            for (int r = 0; r < st->n_row; r++) {
                const web_row *w = &st->row[r];
                if ((w->flags & F_GONE) || w->b != f || (w->c == 1) != want_folder) continue;
                if (want_folder) {
                    add(st, R_LINK, WEB_NONE, w->a, W_FOLDER, H_OPENDIR, r, 0);
                } else {
                    int l = add(st, R_LINK, WEB_NONE, w->a, 0, H_ENTRY, r, 0);
                    if (st->skin & 1) add(st, R_BUTTON, l, W_DELETE, 0, H_DELFILE, r, 0); /* inline row action */
                }
                shown++;
            }
        }
        if (!shown) add(st, R_TEXT, WEB_NONE, W_NOTHING, 0, H_NONE, 0, 0);
        int box = add(st, R_TEXTBOX, WEB_NONE, W_FOLDER, W_NAME, H_NONE, 0, 0);
        add(st, R_BUTTON, WEB_NONE, W_CREATE, W_FOLDER, H_MKDIR, box, 0);
        return;
    }
    /* P_ENTRY: a file */
    const web_row *w = &st->row[nv->a];
    add(st, R_LINK, WEB_NONE, W_UP, 0, H_OPENDIR, w->b, 0);
    add(st, R_HEADING, WEB_NONE, w->a, 0, H_NONE, 0, 0);
    if (w->flags & F_GONE) {
        add(st, R_TEXT, WEB_NONE, W_NOTHING, 0, H_NONE, 0, 0);
        return;
    }
    if (st->skin & 2) add(st, R_BUTTON, WEB_NONE, W_DELETE, 0, H_DELFILE, nv->a, 0);
    int box = add(st, R_TEXTBOX, WEB_NONE, W_NAME, 0, H_NONE, 0, 0);
    st->el[box].value = w->a;
    add(st, R_BUTTON, WEB_NONE, W_RENAME, 0, H_RENAME, box, 0);
    uint8_t folders[WEB_ROWS];
    int n = 0, value = 0;
    for (int r = 0; r < st->n_row; r++)
        if (st->row[r].c == 1 && !(st->row[r].flags & F_GONE)) {
            folders[n++] = st->row[r].a;
            if (r == w->b) value = st->row[r].a;
        }
    int c = combobox(st, W_MOVE, folders, n, value);
    add(st, R_BUTTON, WEB_NONE, W_MOVE, 0, H_MOVE, c, 0);
    if (!(st->skin & 2)) add(st, R_BUTTON, WEB_NONE, W_DELETE, 0, H_DELFILE, nv->a, 0);
}

static int files_goal(const web_state *st, int i)
{
    const int r = st->target[4 + i];
    const uint8_t *f = &st->field[2 * i];
    if (st->target[1 + i] == K_MKDIR) {
        for (int q = st->saved[0]; q < st->n_row; q++)
            if (st->row[q].c == 1 && !(st->row[q].flags & F_GONE) && st->row[q].a == f[0] && st->row[q].b == r)
                return 1;
        return 0;
    }
    const web_row *w = &st->row[r];
    switch (st->target[1 + i]) {
    case K_MOVE: return !(w->flags & F_GONE) && w->a == w->d && w->b == folder_named(st, f[1]);
    case K_RENAME: return !(w->flags & F_GONE) && w->a == f[1] && w->b == w->e;
    default: return (w->flags & F_GONE) != 0;
    }
}

static uint32_t eval_files(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    uint32_t kn = 0;
    int mk = 0, clean = 1;
    for (int i = 0; i < 3; i++) {
        kn |= (uint32_t)files_goal(st, i) << i;
        mk += st->target[1 + i] == K_MKDIR;
    }
    for (int r = 0; r < st->saved[0]; r++) {
        const web_row *w = &st->row[r];
        int target = 0;
        for (int i = 0; i < 3; i++) target |= st->target[1 + i] != K_MKDIR && st->target[4 + i] == r;
        if (!target) clean &= w->a == w->d && w->b == w->e && !(w->flags & F_GONE);
    }
    clean &= st->n_row - st->saved[0] == mk;
    *ok = st->done && kn == 7 && clean;
    return kn;
}

/* the oracle's step toward folder f (WEB_ROOT or a folder row); 0 when there */
/* ludus_web_click_or_back, but a disabled element counts as missing (the
 * admin table's buttons are disabled at the ends and with no filter) */
static void click_or_back(const web_state *st, int el, int32_t *a)
{
    ludus_web_click_or_back(st, el >= 0 && (st->el[el].flags & F_DISABLED) ? -1 : el, a);
}

static int files_walk(const web_state *st, int f, int32_t *a)
{
    const web_nav *nv = ludus_web_top(st);
    if (nv->page == P_FOLDER && nv->a == f) return 0;
    if (nv->page == P_ENTRY) {
        click_or_back(st, ludus_web_find(st, H_OPENDIR, st->row[nv->a].b), a);
        return 1;
    }
    /* f below the folder shown: open the child on the way; else go up */
    for (int x = f, hops = 0; x != WEB_ROOT && hops <= WEB_ROWS; hops++) {
        if (st->row[x].b == nv->a) {
            click_or_back(st, ludus_web_find(st, H_OPENDIR, x), a);
            return 1;
        }
        x = st->row[x].b;
    }
    click_or_back(st, nv->a == WEB_ROOT ? -1 : ludus_web_find(st, H_OPENDIR, st->row[nv->a].b), a);
    return 1;
}

static void oracle_files(const web_spec *s, const web_state *st, int32_t *a)
{
    const web_nav *nv = ludus_web_top(st);
    for (int i = 0; i < 3; i++) {
        if (files_goal(st, i)) continue;
        const int kind = st->target[1 + i], r = st->target[4 + i];
        const uint8_t *f = &st->field[2 * i];
        if (kind == K_MKDIR) {
            if (files_walk(st, r, a)) return;
            int box = ludus_web_find_named(st, R_TEXTBOX, W_FOLDER);
            if (box >= 0 && st->el[box].value != f[0]) ludus_web_act(a, V_TYPE, box, s->lex_of[f[0]]);
            else click_or_back(st, ludus_web_find(st, H_MKDIR, box), a);
            return;
        }
        if (!(nv->page == P_ENTRY && nv->a == r)) {
            if (files_walk(st, st->row[r].b, a)) return;
            click_or_back(st, ludus_web_find(st, H_ENTRY, r), a);
            return;
        }
        if (kind == K_DELETE) {
            click_or_back(st, ludus_web_find(st, H_DELFILE, r), a);
        } else if (kind == K_RENAME) {
            int box = ludus_web_find_named(st, R_TEXTBOX, W_NAME);
            if (box >= 0 && st->el[box].value != f[1]) ludus_web_act(a, V_TYPE, box, s->lex_of[f[1]]);
            else click_or_back(st, ludus_web_find(st, H_RENAME, box), a);
        } else {
            int c = ludus_web_find_named(st, R_COMBOBOX, W_MOVE);
            if (c >= 0 && st->el[c].value != f[1]) ludus_web_act(a, V_SELECT, c, s->lex_of[f[1]]);
            else click_or_back(st, ludus_web_find(st, H_MOVE, c), a);
        }
        return;
    }
    ludus_web_act(a, V_STOP, ludus_web_any_el(st), 0);
}

/* ================= admin: Web-admin-edit-v0 =================
 * rows: 10 users: a name, b city (0..7), c score (1..31), d city at
 * reset, e score at reset, flags F_GONE when deleted. nav: P_TABLE (a:
 * filter, 0 none or 1 + city; b: page; pad: sort, 0 none, 1 name, 2
 * score down, 3 score up), P_EDIT (a: row). target[1..3]: the subgoals'
 * kinds, target[4..6] their rows, target[7] the city of A_TOP. fields
 * 2i, 2i+1: (name, city) | (name, score) | (name, -) | (city, -). */

/* the rows the table shows, in order, into out; returns how many */
static int admin_view(const web_state *st, const web_nav *nv, uint8_t *out)
{
    int n = 0;
    for (int r = 0; r < st->n_row; r++) {
        const web_row *w = &st->row[r];
        if ((w->flags & F_GONE) || (nv->a && w->b != nv->a - 1)) continue;
        int j = n++;
        for (; j > 0; j--) { /* insertion by the sort key; ties keep row order */
            const web_row *p = &st->row[out[j - 1]];
            int before = nv->pad == 1 ? w->a < p->a : nv->pad == 2 ? w->c > p->c : nv->pad == 3 ? w->c < p->c : 0;
            if (!before) break;
            out[j] = out[j - 1];
        }
        out[j] = (uint8_t)r;
    }
    return n;
}

static void gen_admin(const web_spec *s, web_state *st)
{
    uint8_t k[3], names[WEB_ROWS], pick[WEB_ROWS];
    draw_combo(s, st, k);
    const int n = WEB_ROWS;
    shuffle(st, pick, n); /* subgoal i's row: pick[i] */
    /* the first user the instruction names is the split's target entity */
    const int first = k[0] == A_TOP ? 1 : 0;
    sample(s, st, W_NAME0, W_NOUN0, 1, n, names);
    for (int r = 0; r < n; r++) {
        const int who = pick[r];
        st->row[who].a = names[r == first ? 0 : r < first ? r + 1 : r];
        st->row[who].b = (uint8_t)ludus_web_below(st, 8);
        st->row[who].c = (uint8_t)(1 + ludus_web_below(st, 31));
    }
    int top = -1;
    for (int i = 0; i < 3; i++)
        if (k[i] == A_TOP) top = pick[i];
    if (top >= 0) { /* city C: the top scorer, pick[3] (and maybe pick[4]) below it; no one else */
        const int C = st->row[top].b;
        for (int r = 0; r < n; r++)
            if (r != top && st->row[r].b == C) st->row[r].b = (uint8_t)((C + 1 + ludus_web_below(st, 7)) % 8);
        const int extra = 1 + (int)ludus_web_below(st, 2);
        for (int e = 0; e < extra; e++) {
            web_row *w = &st->row[pick[3 + e]];
            w->b = (uint8_t)C;
            if (w->c >= 31) w->c = (uint8_t)(1 + ludus_web_below(st, 30));
        }
        int max = 0;
        for (int r = 0; r < n; r++)
            if (r != top && st->row[r].b == C && st->row[r].c > max) max = st->row[r].c;
        st->row[top].c = (uint8_t)(max + 1 + ludus_web_below(st, (uint32_t)(31 - max)));
        st->target[7] = (uint8_t)C;
    }
    const char *parts[24];
    int np = 0;
    parts[np++] = "Users: ";
    for (int i = 0; i < 3; i++) {
        web_row *w = &st->row[pick[i]];
        st->target[1 + i] = k[i];
        st->target[4 + i] = pick[i];
        st->field[2 * i] = w->a;
        if (i) parts[np++] = i == 2 ? ", and " : ", ";
        switch (k[i]) {
        case A_CITY: { /* a city other than its own and than C */
            int c = (int)ludus_web_below(st, 8);
            while (c == w->b || (top >= 0 && c == st->target[7])) c = (c + 1) % 8;
            st->field[2 * i + 1] = (uint8_t)(W_CITY0 + c);
            parts[np++] = "set city of ";
            parts[np++] = WORD(w->a);
            parts[np++] = " to ";
            parts[np++] = WORD(W_CITY0 + c);
            break;
        }
        case A_SCORE: {
            int v = 1 + (int)ludus_web_below(st, 31);
            if (v == w->c) v = v % 31 + 1;
            st->field[2 * i + 1] = (uint8_t)(W_NUM1 + v - 1);
            parts[np++] = "set score of ";
            parts[np++] = WORD(w->a);
            parts[np++] = " to ";
            parts[np++] = WORD(W_NUM1 + v - 1);
            break;
        }
        case A_DELETE:
            parts[np++] = "delete ";
            parts[np++] = WORD(w->a);
            break;
        default:
            st->field[2 * i] = (uint8_t)(W_CITY0 + st->target[7]);
            parts[np++] = "delete the top scorer of ";
            parts[np++] = WORD(W_CITY0 + st->target[7]);
        }
    }
    /* the users the other subgoals name live outside C */
    if (top >= 0)
        for (int i = 0; i < 3; i++)
            if (k[i] == A_CITY || k[i] == A_SCORE)
                if (st->row[pick[i]].b == st->target[7]) st->row[pick[i]].b = (uint8_t)((st->target[7] + 1) % 8);
    for (int i = 0; i < 3; i++) /* a city asked is never the user's own */
        if (k[i] == A_CITY && st->field[2 * i + 1] == W_CITY0 + st->row[pick[i]].b)
            st->row[pick[i]].b = (uint8_t)((st->row[pick[i]].b + 1 + (top >= 0 && (st->row[pick[i]].b + 1) % 8 ==
                                                                          st->target[7])) % 8);
    parts[np++] = "; then stop.";
    parts[np] = NULL;
    st->n_row = (uint8_t)n;
    st->n_field = 6;
    for (int r = 0; r < n; r++) {
        st->row[r].d = st->row[r].b;
        st->row[r].e = st->row[r].c;
    }
    st->nav[0] = (web_nav){P_TABLE, 0, 0, 0};
    st->nav_n = 1;
    ludus_web_mission(st, parts);
}

static void build_admin(const web_spec *s, web_state *st)
{
    (void)s;
    const web_nav *nv = ludus_web_top(st);
    ludus_web_clear_page(st);
    if (st->skin & 4) add(st, R_HEADING, WEB_NONE, W_ADMIN, 0, H_NONE, 0, 0);
    uint8_t cities[8];
    for (int c = 0; c < 8; c++) cities[c] = (uint8_t)(W_CITY0 + c);
    if (nv->page == P_TABLE) {
        add(st, R_HEADING, WEB_NONE, W_USERS, 0, H_NONE, 0, 0);
        int f = combobox(st, W_CITY, cities, 8, nv->a ? W_CITY0 + nv->a - 1 : 0);
        add(st, R_BUTTON, WEB_NONE, W_FILTER, 0, H_TFILTER, f, 0);
        add(st, R_BUTTON, WEB_NONE, W_CLEAR, 0, H_CLEAR, 0, nv->a ? 0 : F_DISABLED);
        add(st, R_BUTTON, WEB_NONE, W_NAME, 0, H_SORT, 1, nv->pad == 1 ? F_SELECTED : 0);
        add(st, R_BUTTON, WEB_NONE, W_SCORE, nv->pad == 3 ? W_UP : 0, H_SORT, 2,
            nv->pad >= 2 ? F_SELECTED : 0);
        uint8_t view[WEB_ROWS];
        const int n = admin_view(st, nv, view);
        for (int j = nv->b * TABLE_ROWS; j < n && j < (nv->b + 1) * TABLE_ROWS; j++) {
            const web_row *w = &st->row[view[j]];
            int l = add(st, R_LINK, WEB_NONE, w->a, 0, H_EDIT, view[j], 0);
            if (st->skin & 2) add(st, R_TEXT, l, W_SCORE, W_NUM1 + w->c - 1, H_NONE, 0, 0);
            add(st, R_TEXT, l, W_CITY, W_CITY0 + w->b, H_NONE, 0, 0);
            if (!(st->skin & 2)) add(st, R_TEXT, l, W_SCORE, W_NUM1 + w->c - 1, H_NONE, 0, 0);
        }
        if (!n) add(st, R_TEXT, WEB_NONE, W_NOTHING, 0, H_NONE, 0, 0);
        add(st, R_BUTTON, WEB_NONE, W_PREV, 0, H_TPAGE, 0, nv->b ? 0 : F_DISABLED);
        add(st, R_TEXT, WEB_NONE, W_PAGE, W_NUM1 + nv->b, H_NONE, 0, 0);
        add(st, R_BUTTON, WEB_NONE, W_NEXT, 0, H_TPAGE, 1, (nv->b + 1) * TABLE_ROWS < n ? 0 : F_DISABLED);
        return;
    }
    /* P_EDIT: a user */
    const web_row *w = &st->row[nv->a];
    add(st, R_LINK, WEB_NONE, W_USERS, 0, H_GOTO, P_TABLE, 0);
    add(st, R_HEADING, WEB_NONE, W_EDIT, w->a, H_NONE, 0, 0);
    if (w->flags & F_GONE) {
        add(st, R_TEXT, WEB_NONE, W_NOTHING, 0, H_NONE, 0, 0);
        return;
    }
    for (int g = 0; g < 2; g++) {
        if ((g == 0) == ((st->skin & 2) == 0)) {
            combobox(st, W_CITY, cities, 8, W_CITY0 + w->b);
        } else {
            int box = add(st, R_TEXTBOX, WEB_NONE, W_SCORE, 0, H_NONE, 0, 0);
            st->el[box].value = (uint8_t)(W_NUM1 + w->c - 1);
            add(st, R_TEXT, WEB_NONE, W_ERROR, W_SCORE, H_NONE, 0, F_HIDDEN);
        }
    }
    if (st->skin & 1) add(st, R_BUTTON, WEB_NONE, W_DELETE, 0, H_DROP, nv->a, 0);
    add(st, R_BUTTON, WEB_NONE, W_SAVE, 0, H_UPDATE, 0, 0);
    if (!(st->skin & 1)) add(st, R_BUTTON, WEB_NONE, W_DELETE, 0, H_DROP, nv->a, 0);
}

static int admin_goal(const web_state *st, int i)
{
    const web_row *w = &st->row[st->target[4 + i]];
    const uint8_t *f = &st->field[2 * i];
    switch (st->target[1 + i]) {
    case A_CITY: return !(w->flags & F_GONE) && W_CITY0 + w->b == f[1] && w->c == w->e;
    case A_SCORE: return !(w->flags & F_GONE) && W_NUM1 + w->c - 1 == f[1] && w->b == w->d;
    default: return (w->flags & F_GONE) != 0;
    }
}

static uint32_t eval_admin(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    uint32_t kn = 0;
    int clean = 1;
    for (int i = 0; i < 3; i++) kn |= (uint32_t)admin_goal(st, i) << i;
    for (int r = 0; r < st->n_row; r++) {
        const web_row *w = &st->row[r];
        if (r != st->target[4] && r != st->target[5] && r != st->target[6])
            clean &= w->b == w->d && w->c == w->e && !(w->flags & F_GONE);
    }
    *ok = st->done && kn == 7 && clean;
    return kn;
}

static void oracle_admin(const web_spec *s, const web_state *st, int32_t *a)
{
    const web_nav *nv = ludus_web_top(st);
    for (int i = 0; i < 3; i++) {
        if (admin_goal(st, i)) continue;
        const int kind = st->target[1 + i], r = st->target[4 + i];
        const web_row *w = &st->row[r];
        if (nv->page == P_EDIT) {
            if (nv->a != r) {
                click_or_back(st, ludus_web_find(st, H_GOTO, P_TABLE), a);
                return;
            }
            if (kind == A_DELETE || kind == A_TOP) {
                click_or_back(st, ludus_web_find(st, H_DROP, r), a);
                return;
            }
            const int city = kind == A_CITY ? st->field[2 * i + 1] : W_CITY0 + w->d;
            const int score = kind == A_SCORE ? st->field[2 * i + 1] : W_NUM1 + w->e - 1;
            int c = ludus_web_find_named(st, R_COMBOBOX, W_CITY), box = ludus_web_find_named(st, R_TEXTBOX, W_SCORE);
            if (c >= 0 && st->el[c].value != city) ludus_web_act(a, V_SELECT, c, s->lex_of[city]);
            else if (box >= 0 && st->el[box].value != score) ludus_web_act(a, V_TYPE, box, s->lex_of[score]);
            else click_or_back(st, ludus_web_find(st, H_UPDATE, 0), a);
            return;
        }
        /* the table: the top scorer through the filter and the sort */
        if (kind == A_TOP) {
            const int C = st->target[7];
            if (nv->a != C + 1) {
                int f = ludus_web_find_named(st, R_COMBOBOX, W_CITY);
                if (f >= 0 && st->el[f].value != W_CITY0 + C) ludus_web_act(a, V_SELECT, f, s->lex_of[W_CITY0 + C]);
                else click_or_back(st, ludus_web_find(st, H_TFILTER, f), a);
                return;
            }
            if (nv->pad != 2) {
                click_or_back(st, ludus_web_find(st, H_SORT, 2), a);
                return;
            }
        }
        uint8_t view[WEB_ROWS];
        const int n = admin_view(st, nv, view);
        int at = -1;
        for (int j = 0; j < n; j++)
            if (view[j] == r) at = j;
        if (at < 0) { /* filtered out: clear the filter */
            click_or_back(st, ludus_web_find(st, H_CLEAR, 0), a);
        } else if (at / TABLE_ROWS != nv->b) {
            click_or_back(st, ludus_web_find(st, H_TPAGE, at / TABLE_ROWS > nv->b), a);
        } else {
            click_or_back(st, ludus_web_find(st, H_EDIT, r), a);
        }
        return;
    }
    ludus_web_act(a, V_STOP, ludus_web_any_el(st), 0);
}

/* ================= cross-site: Web-cross-order-mail-v0 =================
 * A home page links a shop's order history and a mail client. rec[3k..]:
 * order k (noun, number word, day word), four orders; rows: the inbox's
 * mails (a sender, b subject); cart[]: the outbox (number sent, to, 0).
 * nav: P_HOME, P_ORDERS, P_INBOX, P_COMPOSE. target[0]: the order asked
 * (the latest of the noun). fields: recipient, noun. */

static void gen_cross(const web_spec *s, web_state *st)
{
    uint8_t names[6], nouns[8];
    const int n = 3 + (int)ludus_web_below(st, 3); /* the inbox's mails */
    sample(s, st, W_NAME0, W_NOUN0, 1, 1 + n, names);
    sample(s, st, W_NOUN0, W_MONTH0, 1, 3 + n, nouns);
    const int to = names[0], noun = nouns[0];
    uint8_t perm[N_ORDERS], num[31];
    shuffle(st, perm, N_ORDERS);
    shuffle(st, num, 31);
    /* orders perm[0] (the latest of the noun) and perm[1] (earlier, same noun); two others */
    const int late = 3 + (int)ludus_web_below(st, 25), early = 1 + (int)ludus_web_below(st, (uint32_t)late - 1);
    for (int j = 0; j < N_ORDERS; j++) {
        uint8_t *o = &st->rec[3 * perm[j]];
        o[0] = j < 2 ? (uint8_t)noun : nouns[j - 1];
        o[1] = (uint8_t)(W_NUM1 + num[j]);
        o[2] = (uint8_t)(W_NUM1 - 1 + (j == 0 ? late : j == 1 ? early : 1 + (int)ludus_web_below(st, 28)));
    }
    /* orders listed by day (the page sorts them); the target follows */
    for (int i = 1; i < N_ORDERS; i++)
        for (int j = i; j > 0 && st->rec[3 * j + 2] < st->rec[3 * j - 1]; j--)
            for (int b = 0; b < 3; b++) {
                uint8_t t = st->rec[3 * j + b];
                st->rec[3 * j + b] = st->rec[3 * j - 3 + b];
                st->rec[3 * j - 3 + b] = t;
            }
    for (int j = 0; j < N_ORDERS; j++)
        if (st->rec[3 * j] == noun && st->rec[3 * j + 2] == W_NUM1 - 1 + late) st->target[0] = (uint8_t)j;
    for (int r = 0; r < n; r++) {
        st->row[r].a = names[1 + r];
        st->row[r].b = nouns[3 + r];
    }
    st->n_row = (uint8_t)n;
    st->field[0] = (uint8_t)to;
    st->field[1] = (uint8_t)noun;
    st->n_field = 2;
    st->nav[0] = (web_nav){P_HOME, 0, 0, 0};
    st->nav_n = 1;
    ludus_web_mission(st, (const char *const[]){"Mail ", WORD(to), " the number of your latest ", WORD(noun),
                                                " order (the message is the number), then stop.", NULL});
}

static void build_cross(const web_spec *s, web_state *st)
{
    (void)s;
    const web_nav *nv = ludus_web_top(st);
    ludus_web_clear_page(st);
    if (nv->page != P_HOME) add(st, R_LINK, WEB_NONE, W_HOME, 0, H_GOTO, P_HOME, 0);
    switch (nv->page) {
    case P_HOME:
        add(st, R_HEADING, WEB_NONE, W_HOME, 0, H_NONE, 0, 0);
        if (st->skin & 1) add(st, R_LINK, WEB_NONE, W_MAIL, 0, H_GOTO, P_INBOX, 0);
        add(st, R_LINK, WEB_NONE, W_SHOP, W_ORDERS, H_GOTO, P_ORDERS, 0);
        if (!(st->skin & 1)) add(st, R_LINK, WEB_NONE, W_MAIL, 0, H_GOTO, P_INBOX, 0);
        break;
    case P_ORDERS:
        add(st, R_HEADING, WEB_NONE, W_ORDERS, 0, H_NONE, 0, 0);
        for (int k = 0; k < N_ORDERS; k++) { /* oldest first, or newest first */
            const uint8_t *o = &st->rec[3 * ((st->skin & 2) ? N_ORDERS - 1 - k : k)];
            int g = add(st, R_GROUP, WEB_NONE, W_ORDER, o[1], H_NONE, 0, 0);
            add(st, R_TEXT, g, W_ITEM, o[0], H_NONE, 0, 0);
            add(st, R_TEXT, g, W_DAY, o[2], H_NONE, 0, 0);
        }
        break;
    case P_INBOX:
        if (st->skin & 4) add(st, R_HEADING, WEB_NONE, W_INBOX, 0, H_NONE, 0, 0);
        add(st, R_BUTTON, WEB_NONE, W_COMPOSE, 0, H_NEWMAIL, 0, 0);
        for (int r = 0; r < st->n_row; r++) add(st, R_TEXT, WEB_NONE, st->row[r].a, st->row[r].b, H_NONE, 0, 0);
        for (int k = 0; k < st->n_cart; k++) add(st, R_TEXT, WEB_NONE, W_TO, st->cart[k][1], H_NONE, 0, 0);
        break;
    default: { /* P_COMPOSE */
        add(st, R_HEADING, WEB_NONE, W_COMPOSE, 0, H_NONE, 0, 0);
        int to = add(st, R_TEXTBOX, WEB_NONE, W_TO, 0, H_NONE, 0, 0);
        add(st, R_TEXTBOX, WEB_NONE, W_TEXT, 0, H_NONE, 0, 0);
        add(st, R_BUTTON, WEB_NONE, W_SEND, 0, H_SENDNEW, to, 0);
    }
    }
}

static uint32_t eval_cross(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    const int num = st->rec[3 * st->target[0] + 1];
    const int sent = st->n_cart >= 1 && st->cart[0][0] == num && st->cart[0][1] == st->field[0];
    *ok = st->done && st->n_cart == 1 && sent;
    return (uint32_t)(ludus_web_top(st)->page == P_ORDERS) | (uint32_t)(ludus_web_top(st)->page == P_COMPOSE) << 1 |
           (uint32_t)sent << 2;
}

static void oracle_cross(const web_spec *s, const web_state *st, int32_t *a)
{
    const web_nav *nv = ludus_web_top(st);
    if (st->n_cart) {
        ludus_web_act(a, V_STOP, ludus_web_any_el(st), 0);
        return;
    }
    /* the number is read off the orders page: go there first (a key node) */
    if (!(st->kn_hit & 1)) {
        click_or_back(st, nv->page == P_ORDERS ? -1 : ludus_web_find(st, H_GOTO, nv->page == P_HOME ? P_ORDERS : P_HOME), a);
        return;
    }
    switch (nv->page) {
    case P_COMPOSE: {
        const int num = st->rec[3 * st->target[0] + 1];
        int to = ludus_web_find_named(st, R_TEXTBOX, W_TO), body = ludus_web_find_named(st, R_TEXTBOX, W_TEXT);
        if (to >= 0 && st->el[to].value != st->field[0]) ludus_web_act(a, V_TYPE, to, s->lex_of[st->field[0]]);
        else if (body >= 0 && st->el[body].value != num) ludus_web_act(a, V_TYPE, body, s->lex_of[num]);
        else click_or_back(st, ludus_web_find(st, H_SENDNEW, to), a);
        return;
    }
    case P_INBOX: click_or_back(st, ludus_web_find(st, H_NEWMAIL, 0), a); return;
    case P_HOME: click_or_back(st, ludus_web_find(st, H_GOTO, P_INBOX), a); return;
    default: click_or_back(st, ludus_web_find(st, H_GOTO, P_HOME), a);
    }
}

/* ================= the handlers ================= */

int ludus_web_heldout_click(const web_spec *s, web_state *st, int i)
{
    web_el *e = &st->el[i];
    web_nav *nv = &st->nav[st->nav_n - 1];
    const int files = s->task->build == build_files, admin = s->task->build == build_admin;
    switch (e->handler) {
    case H_OPENDIR:
        if (!files || !is_folder(st, e->harg)) return RC_DISABLED;
        go(s, st, (web_nav){P_FOLDER, e->harg, 0, 0});
        return RC_OK;
    case H_ENTRY:
        if (!files || e->harg >= st->n_row || st->row[e->harg].c != 0) return RC_DISABLED;
        go(s, st, (web_nav){P_ENTRY, e->harg, 0, 0});
        return RC_OK;
    case H_RENAME: {
        if (!files || nv->page != P_ENTRY || (st->row[nv->a].flags & F_GONE)) return RC_DISABLED;
        const int w = st->el[e->harg].value;
        if (w) st->row[nv->a].a = (uint8_t)w; /* an empty name renames nothing */
        s->task->build(s, st);
        return RC_OK;
    }
    case H_MOVE: {
        if (!files || nv->page != P_ENTRY || (st->row[nv->a].flags & F_GONE)) return RC_DISABLED;
        const int f = folder_named(st, st->el[e->harg].value);
        if (f >= 0) st->row[nv->a].b = (uint8_t)f;
        s->task->build(s, st);
        return RC_OK;
    }
    case H_DELFILE:
        if (!files || e->harg >= st->n_row || st->row[e->harg].c != 0) return RC_DISABLED;
        st->row[e->harg].flags |= F_GONE;
        if (nv->page == P_ENTRY) leave(s, st, (web_nav){P_FOLDER, st->row[e->harg].b, 0, 0});
        else s->task->build(s, st);
        return RC_OK;
    case H_MKDIR: {
        const int w = st->el[e->harg].value;
        if (!files || nv->page != P_FOLDER || st->n_row >= WEB_ROWS) return RC_DISABLED;
        if (w) st->row[st->n_row++] = (web_row){(uint8_t)w, nv->a, 1, (uint8_t)w, nv->a, 0, 0, 0};
        s->task->build(s, st);
        return RC_OK;
    }
    case H_SORT:
        if (!admin || nv->page != P_TABLE) return RC_DISABLED;
        nv->pad = (uint8_t)(e->harg == 1 ? 1 : nv->pad == 2 ? 3 : 2);
        nv->b = 0;
        s->task->build(s, st);
        return RC_OK;
    case H_TPAGE: {
        if (!admin || nv->page != P_TABLE) return RC_DISABLED;
        uint8_t view[WEB_ROWS];
        const int n = admin_view(st, nv, view);
        if (e->harg ? (nv->b + 1) * TABLE_ROWS >= n : nv->b == 0) return RC_DISABLED;
        nv->b = (uint8_t)(e->harg ? nv->b + 1 : nv->b - 1);
        s->task->build(s, st);
        return RC_OK;
    }
    case H_TFILTER: {
        if (!admin || nv->page != P_TABLE) return RC_DISABLED;
        const int v = st->el[e->harg].value;
        nv->a = (uint8_t)(v >= W_CITY0 && v < W_CITY0 + 8 ? v - W_CITY0 + 1 : 0);
        nv->b = 0;
        s->task->build(s, st);
        return RC_OK;
    }
    case H_CLEAR:
        if (!admin || nv->page != P_TABLE) return RC_DISABLED;
        nv->a = 0;
        nv->b = 0;
        s->task->build(s, st);
        return RC_OK;
    case H_EDIT:
        if (!admin || e->harg >= st->n_row || (st->row[e->harg].flags & F_GONE)) return RC_DISABLED;
        go(s, st, (web_nav){P_EDIT, e->harg, 0, 0});
        return RC_OK;
    case H_UPDATE: {
        if (!admin || nv->page != P_EDIT || (st->row[nv->a].flags & F_GONE)) return RC_DISABLED;
        int c = ludus_web_find_named(st, R_COMBOBOX, W_CITY), box = ludus_web_find_named(st, R_TEXTBOX, W_SCORE);
        const int city = c >= 0 ? st->el[c].value : 0, score = box >= 0 ? st->el[box].value : 0;
        if (city < W_CITY0 || city >= W_CITY0 + 8 || score < W_NUM1 || score >= W_NUM_END) {
            for (int j = 0; j < st->n_el; j++) /* the error next to the score */
                if (st->el[j].name == W_ERROR) st->el[j].flags &= (uint8_t)~F_HIDDEN;
            return RC_OK;
        }
        st->row[nv->a].b = (uint8_t)(city - W_CITY0);
        st->row[nv->a].c = (uint8_t)(score - W_NUM1 + 1);
        leave(s, st, (web_nav){P_TABLE, 0, 0, 0});
        return RC_OK;
    }
    case H_DROP:
        if (!admin || e->harg >= st->n_row || (st->row[e->harg].flags & F_GONE)) return RC_DISABLED;
        st->row[e->harg].flags |= F_GONE;
        if (nv->page == P_EDIT) leave(s, st, (web_nav){P_TABLE, 0, 0, 0});
        else s->task->build(s, st);
        if (ludus_web_top(st)->page == P_TABLE) { /* a page past the end after a delete: back to the first */
            uint8_t view[WEB_ROWS];
            if (ludus_web_top(st)->b * TABLE_ROWS >= admin_view(st, ludus_web_top(st), view)) {
                st->nav[st->nav_n - 1].b = 0;
                s->task->build(s, st);
            }
        }
        return RC_OK;
    case H_NEWMAIL:
        if (s->task->build != build_cross || nv->page != P_INBOX) return RC_DISABLED;
        go(s, st, (web_nav){P_COMPOSE, 0, 0, 0});
        return RC_OK;
    case H_SENDNEW: {
        if (s->task->build != build_cross || nv->page != P_COMPOSE || st->n_cart >= WEB_CART) return RC_DISABLED;
        const int to = st->el[e->harg].value, body = ludus_web_find_named(st, R_TEXTBOX, W_TEXT);
        if (!to) return RC_OK; /* no recipient: nothing is sent */
        st->cart[st->n_cart][0] = body >= 0 ? st->el[body].value : 0;
        st->cart[st->n_cart][1] = (uint8_t)to;
        st->cart[st->n_cart][2] = 0;
        st->n_cart++;
        leave(s, st, (web_nav){P_INBOX, 0, 0, 0});
        return RC_OK;
    }
    default: return RC_BAD_VERB;
    }
}

/* ================= foreign states ================= */

#define BAD(...) return ludus_err_set(LUDUS_EFORMAT, __VA_ARGS__)

static int validate_heldout(const web_spec *s, const web_state *st)
{
    const int files = s->task->build == build_files, admin = s->task->build == build_admin;
    uint64_t pages, handlers = 1ull << H_NONE | 1ull << H_GOTO;
    if (files) {
        pages = 1ull << P_FOLDER | 1ull << P_ENTRY;
        handlers |= 1ull << H_OPENDIR | 1ull << H_ENTRY | 1ull << H_RENAME | 1ull << H_MOVE | 1ull << H_DELFILE |
                    1ull << H_MKDIR;
    } else if (admin) {
        pages = 1ull << P_TABLE | 1ull << P_EDIT;
        handlers |= 1ull << H_SORT | 1ull << H_TPAGE | 1ull << H_TFILTER | 1ull << H_CLEAR | 1ull << H_EDIT |
                    1ull << H_UPDATE | 1ull << H_DROP;
    } else {
        pages = 1ull << P_HOME | 1ull << P_ORDERS | 1ull << P_INBOX | 1ull << P_COMPOSE;
        handlers |= 1ull << H_NEWMAIL | 1ull << H_SENDNEW;
    }
    if (st->n_row < 1 || st->n_row > WEB_ROWS || st->n_cart > WEB_CART || st->n_error) BAD("web state: site counts out of range");
    if (st->n_field != (files || admin ? 6 : 2)) BAD("web state: %d instruction fields", st->n_field);
    for (int k = 0; k < 8; k++)
        if (st->saved[k] >= W_END) BAD("web state: saved value %d out of range", k);
    for (int r = 0; r < WEB_ROWS; r++) {
        const web_row *w = &st->row[r];
        if (w->a >= W_END || w->b >= W_END || w->d >= W_END) BAD("web state: row %d has a word out of range", r);
        if (r >= st->n_row) continue;
        if (files && (w->c > 1 || w->flags & ~F_GONE || (w->c == 1 && (w->flags & F_GONE))))
            BAD("web state: entry %d out of range", r);
        if (admin && (w->b > 7 || w->d > 7 || w->c < 1 || w->c > 31 || w->e < 1 || w->e > 31 || w->flags & ~F_GONE))
            BAD("web state: user %d out of range", r);
    }
    if (files) {
        if (st->saved[0] != FILES_N0 || st->n_row < FILES_N0) BAD("web state: the folder tree's size");
        for (int r = 0; r < st->n_row; r++)
            for (int pass = 0; pass < 2; pass++) {
                const int p = pass ? st->row[r].e : st->row[r].b;
                if (p != WEB_ROOT && (p >= st->n_row || st->row[p].c != 1))
                    BAD("web state: entry %d's parent %d is no folder", r, p);
            }
        for (int r = 0; r < st->n_row; r++) {
            const web_row *w = &st->row[r];
            if (w->c != 1) continue;
            int x = r, hops = 0; /* folders: acyclic */
            while (x != WEB_ROOT && hops++ <= WEB_ROWS) x = st->row[x].b;
            if (x != WEB_ROOT) BAD("web state: folder %d is its own ancestor", r);
            if (w->a != w->d || w->b != w->e) BAD("web state: folder %d changed", r);
        }
        for (int i = 0; i < 3; i++) {
            const int kind = st->target[1 + i], r = st->target[4 + i];
            if (kind > 3 || (kind == K_MKDIR ? !(r == WEB_ROOT || (r < FILES_N0 && st->row[r].c == 1))
                                             : r < 3 || r >= FILES_N0 || st->row[r].c != 0))
                BAD("web state: subgoal %d out of range", i);
        }
        if (!combo_valid(st->target[1] << 4 | st->target[2] << 2 | st->target[3]))
            BAD("web state: the subgoals' kinds repeat");
    } else if (admin) {
        if (st->n_row != WEB_ROWS) BAD("web state: %d users", st->n_row);
        for (int i = 0; i < 3; i++) {
            const int kind = st->target[1 + i], r = st->target[4 + i];
            if (kind > 3 || r >= st->n_row) BAD("web state: subgoal %d out of range", i);
            for (int j = 0; j < i; j++)
                if (st->target[4 + j] == r) BAD("web state: two subgoals on user %d", r);
            const int f1 = st->field[2 * i + 1];
            if ((kind == A_CITY && (f1 < W_CITY0 || f1 >= W_CITY0 + 8)) ||
                (kind == A_SCORE && (f1 < W_NUM1 || f1 >= W_NUM_END)))
                BAD("web state: subgoal %d's value out of range", i);
        }
        if (!combo_valid(st->target[1] << 4 | st->target[2] << 2 | st->target[3]) || st->target[7] > 7)
            BAD("web state: the subgoals' kinds");
    } else {
        if (st->target[0] >= N_ORDERS) BAD("web state: order %d of %d", st->target[0], N_ORDERS);
    }
    for (int k = 0; k < st->n_cart; k++)
        if (st->cart[k][0] >= W_END || st->cart[k][1] >= W_END || st->cart[k][2] || files || admin)
            BAD("web state: outbox line %d out of range", k);
    for (int k = 0; k < st->nav_n; k++) {
        const web_nav *n = &st->nav[k];
        if (!(pages >> n->page & 1)) BAD("web state: navigation entry %d names page %d of another site", k, n->page);
        if ((n->page == P_FOLDER && !(n->a == WEB_ROOT || (n->a < st->n_row && st->row[n->a].c == 1))) ||
            (n->page == P_ENTRY && (n->a >= st->n_row || st->row[n->a].c != 0)) ||
            (n->page == P_EDIT && n->a >= st->n_row) || (n->page == P_TABLE && (n->a > 8 || n->b > 2 || n->pad > 3)) ||
            (n->page != P_TABLE && (n->b || n->pad)) ||
            ((n->page == P_HOME || n->page == P_ORDERS || n->page == P_INBOX || n->page == P_COMPOSE) && n->a))
            BAD("web state: navigation entry %d out of range", k);
    }
    for (int i = 0; i < st->n_el; i++) {
        const web_el *e = &st->el[i];
        if (e->handler >= 64 || !(handlers >> e->handler & 1))
            BAD("web state: element %d has handler %d of another site", i, e->handler);
        const int h = e->handler, g = e->harg;
        const int slot_box = g < st->n_el && st->el[g].role == R_TEXTBOX;
        const int slot_list = g < st->n_el && st->el[g].role == R_COMBOBOX;
        if ((h == H_GOTO && (g >= 64 || !(pages >> g & 1))) ||
            (h == H_OPENDIR && !(g == WEB_ROOT || (g < st->n_row && st->row[g].c == 1))) ||
            ((h == H_ENTRY || h == H_DELFILE || h == H_EDIT || h == H_DROP) && g >= st->n_row) ||
            ((h == H_RENAME || h == H_MKDIR || h == H_SENDNEW) && !slot_box) ||
            ((h == H_MOVE || h == H_TFILTER) && !slot_list) || (h == H_SORT && (g < 1 || g > 2)) ||
            (h == H_TPAGE && g > 1))
            BAD("web state: element %d handler argument %d", i, g);
    }
    return LUDUS_OK;
}

const web_task ludus_web_heldout_tasks[] = {
    {"files-organize", gen_files, build_files, eval_files, WEB_LEX_MAIL, 40, 3, 0, oracle_files, validate_heldout},
    {"admin-edit", gen_admin, build_admin, eval_admin, WEB_LEX_TRAVEL, 50, 3, 0, oracle_admin, validate_heldout},
    {"cross-order-mail", gen_cross, build_cross, eval_cross, WEB_LEX_TRAVEL, 30, 3, 0, oracle_cross,
     validate_heldout},
};
const int ludus_web_heldout_task_count = (int)(sizeof ludus_web_heldout_tasks / sizeof ludus_web_heldout_tasks[0]);

int ludus_web_task_domain(const web_task *t)
{
    return t >= ludus_web_heldout_tasks && t < ludus_web_heldout_tasks + ludus_web_heldout_task_count;
}

int ludus_web_task_combo(const web_task *t)
{
    return t == &ludus_web_heldout_tasks[0] ? 1 : t == &ludus_web_heldout_tasks[1] ? 2 : 0;
}
