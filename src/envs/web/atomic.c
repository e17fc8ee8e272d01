/* atomic.c: more atomic tasks in the manner of MiniWoB++ (spec/web.md,
 * B4), beside the twelve of tasks.c: reading the page (copy-paste,
 * find-word, read-table, phone-book), typed and picked values (passwords,
 * dates, times, a spinner, a slider), choices (radios, a multi-select
 * list), ordered clicks, forms whose fields come in any order, a file tree
 * and an online probe (guess-number, higher/lower feedback).
 *
 * Most of them are forms: every element that matters carries the value it
 * must hold at the commit in its hidden `want` byte, the predicate checks
 * every such element on the committed page (a commit ends the episode, so
 * the page is frozen), the key nodes are the elements in page order, and
 * one oracle fills any of them. The others (click-sequence, phone-book,
 * navigate-tree, guess-number) have their own predicate and oracle.
 */
#include <string.h>

#include "web.h"

#define WORD(w) ludus_web_words[w]
#define NUM(n) (W_NUM1 + (n) - 1)
#define BAD(...) return ludus_err_set(LUDUS_EFORMAT, __VA_ARGS__)

enum { WANT_OFF = 1, WANT_ON = 2 };
enum { SPIN_MAX = 20 };

/* ---- helpers (as tasks.c's) ---- */

static uint32_t below(web_state *st, uint32_t n) { return ludus_web_below(st, n); }

static int add(web_state *st, int role, int parent, int name, int name2, int handler, int harg, int group, int flags)
{
    return ludus_web_add(st, role, parent, name, name2, handler, harg, group, flags);
}

/* n distinct words of [lo, hi): out[0] from the split's target pool, the
 * rest from the others (web_make guarantees one pool name and one pool
 * noun, eight other names and eight other nouns). */
static void draw_kind(const web_spec *s, web_state *st, int n, uint8_t *out, int lo, int hi)
{
    uint64_t used = 0; /* bit w - lo: drawn (hi - lo <= 64) */
    for (;;) {
        uint8_t w = s->pool[below(st, (uint32_t)s->pool_n)];
        if (w >= lo && w < hi) {
            out[0] = w;
            used |= 1ull << (w - lo);
            break;
        }
    }
    for (int i = 1; i < n; i++) {
        for (;;) {
            uint8_t w = s->other[below(st, (uint32_t)s->other_n)];
            if (w < lo || w >= hi || (used >> (w - lo) & 1)) continue;
            out[i] = w;
            used |= 1ull << (w - lo);
            break;
        }
    }
}

/* n distinct content words (names and nouns). */
static void draw_words(const web_spec *s, web_state *st, int n, uint8_t *out)
{
    draw_kind(s, st, n, out, W_NAME0, W_MONTH0);
}

/* The submit button that commits the page (H_FINISH), in the skin's
 * word; atomic_more.c's pages use it too (web.h). */
void ludus_web_finish(web_state *st) { add(st, R_BUTTON, WEB_NONE, ludus_web_submit_word(st), 0, H_FINISH, 0, 0, 0); }

static void shuffle(web_state *st, uint8_t *v, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)below(st, (uint32_t)i + 1);
        uint8_t t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
}

static int find_role(const web_state *st, int role, int flags)
{
    for (int i = 0; i < st->n_el; i++)
        if (st->el[i].role == role && (st->el[i].flags & flags) == flags) return i;
    return -1;
}

static void commit(web_state *st)
{
    st->committed = 1;
    st->done = 1;
}

/* ---- forms: the predicate and key nodes over the elements' wants ---- */

static int satisfied(const web_el *e)
{
    if (!e->want) return 1;
    switch (e->role) {
    case R_CHECKBOX: case R_RADIO: return (e->want == WANT_ON) == !!(e->flags & F_CHECKED);
    case R_OPTION: return (e->want == WANT_ON) == !!(e->flags & F_SELECTED);
    default: return e->value == e->want;
    }
}

/* Success: committed with every element as it must be. Key nodes: with as
 * many constrained elements as key nodes before the commit, one each (in
 * page order); otherwise one for all of them; the last, the commit. */
static uint32_t eval_form(const web_spec *s, const web_state *st, int *ok)
{
    const int per = s->task->kn_n - 1;
    int m = 0, all = 1;
    for (int i = 0; i < st->n_el; i++) m += st->el[i].want != 0;
    uint32_t bits = 0;
    for (int i = 0, j = 0; i < st->n_el; i++) {
        const web_el *e = &st->el[i];
        if (!e->want) continue;
        int sat = satisfied(e);
        all &= sat;
        if (m == per && sat) bits |= 1u << j;
        j++;
    }
    if (m != per && all) bits |= 1;
    *ok = st->committed && all;
    return bits | (uint32_t)*ok << per;
}

/* Fill the first element not as it must be; then commit. */
static void oracle_form(const web_spec *s, const web_state *st, int32_t *a)
{
    ludus_web_act(a, V_CLICK, 0, 0);
    int fin = -1;
    for (int i = 0; i < st->n_el; i++) {
        const web_el *e = &st->el[i];
        if (e->handler == H_FINISH) fin = i;
        if (satisfied(e) || !ludus_web_visible(st, i)) continue;
        if (e->role == R_RADIO && e->want == WANT_OFF) continue; /* cleared by checking the right one */
        switch (e->role) {
        case R_TEXTBOX:
            if (e->flags & F_READONLY) { /* a spinner: its button toward the value */
                for (int j = 0; j < st->n_el; j++)
                    if (st->el[j].handler == H_STEP && st->el[j].harg == (e->value < e->want)) a[1] = j;
                return;
            }
            ludus_web_act(a, V_TYPE, i, s->lex_of[e->want]);
            return;
        case R_COMBOBOX: case R_SLIDER: ludus_web_act(a, V_SELECT, i, s->lex_of[e->want]); return;
        default: a[1] = i; return;
        }
    }
    if (fin >= 0) a[1] = fin;
}

/* ---- copy-paste, find-word, read-table: values read off the page ---- */

static void gen_copy_paste(const web_spec *s, web_state *st)
{
    int n = 2 + (int)below(st, 2), k = (int)below(st, (uint32_t)n);
    uint8_t w[3] = {0};
    draw_words(s, st, n, w);
    ludus_web_heading(st, W_FORM);
    for (int j = 0; j < n; j++) add(st, R_TEXT, WEB_NONE, W_LOREM + j, j == k ? w[0] : w[j == 0 ? k : j], 0, 0, 0, 0);
    int box = add(st, R_TEXTBOX, WEB_NONE, W_TEXT, 0, H_NONE, 0, 0, 0);
    st->el[box].want = w[0];
    ludus_web_finish(st);
    st->field[0] = (uint8_t)(W_LOREM + k);
    st->n_field = 1;
    ludus_web_mission(st, (const char *const[]){"Copy the word after '", WORD(W_LOREM + k),
                                                "' in the text, paste it into the text box and press ",
                                                WORD(ludus_web_submit_word(st)), ".", NULL});
}

static void gen_find_word(const web_spec *s, web_state *st)
{
    int n = 3 + (int)below(st, 4), k = (int)below(st, (uint32_t)n);
    uint8_t w[6] = {0};
    draw_words(s, st, n, w);
    ludus_web_heading(st, W_TEXT);
    int p = add(st, R_GROUP, WEB_NONE, W_TEXT, 0, H_NONE, 0, 0, 0);
    for (int j = 0; j < n; j++) add(st, R_TEXT, p, j == k ? w[0] : w[j == 0 ? k : j], 0, H_NONE, 0, 0, 0);
    int box = add(st, R_TEXTBOX, WEB_NONE, W_TEXT, 0, H_NONE, 0, 0, 0);
    st->el[box].want = w[0];
    ludus_web_finish(st);
    st->field[0] = (uint8_t)NUM(k + 1);
    st->n_field = 1;
    ludus_web_mission(st, (const char *const[]){"Find word number ", WORD(NUM(k + 1)),
                                                " of the paragraph, type it into the text box and press ",
                                                WORD(ludus_web_submit_word(st)), ".", NULL});
}

static void gen_read_table(const web_spec *s, web_state *st)
{
    int n = 3 + (int)below(st, 3), k = (int)below(st, (uint32_t)n), col = (int)below(st, 2);
    uint8_t who[5] = {0}, item[5] = {0};
    draw_kind(s, st, n, who, W_NAME0, W_NOUN0);
    draw_kind(s, st, n, item, W_NOUN0, W_MONTH0);
    ludus_web_heading(st, W_TABLE);
    int h = add(st, R_GROUP, WEB_NONE, W_TABLE, 0, H_NONE, 0, 0, 0);
    add(st, R_TEXT, h, W_NAME, 0, H_NONE, 0, 0, 0);
    add(st, R_TEXT, h, (st->skin & 2) ? W_DAY : W_ITEM, 0, H_NONE, 0, 0, 0);
    add(st, R_TEXT, h, (st->skin & 2) ? W_ITEM : W_DAY, 0, H_NONE, 0, 0, 0);
    int want = 0;
    for (int r = 0; r < n; r++) {
        int name = r == k ? who[0] : who[r == 0 ? k : r], thing = r == k ? item[0] : item[r == 0 ? k : r];
        int day = 1 + (int)below(st, 31);
        int g = add(st, R_GROUP, WEB_NONE, NUM(r + 1), 0, H_NONE, 0, 0, 0);
        add(st, R_TEXT, g, name, 0, H_NONE, 0, 0, 0);
        add(st, R_TEXT, g, (st->skin & 2) ? NUM(day) : thing, 0, H_NONE, 0, 0, 0);
        add(st, R_TEXT, g, (st->skin & 2) ? thing : NUM(day), 0, H_NONE, 0, 0, 0);
        if (r == k) want = col ? NUM(day) : thing;
    }
    int box = add(st, R_TEXTBOX, WEB_NONE, W_TEXT, 0, H_NONE, 0, 0, 0);
    st->el[box].want = (uint8_t)want;
    ludus_web_finish(st);
    st->field[0] = who[0];
    st->field[1] = (uint8_t)(col ? W_DAY : W_ITEM);
    st->n_field = 2;
    ludus_web_mission(st, (const char *const[]){"Find the ", WORD(st->field[1]), " of ", WORD(who[0]),
                                                " in the table, type it into the text box and press ",
                                                WORD(ludus_web_submit_word(st)), ".", NULL});
}

/* ---- typed values: enter-password, enter-date, enter-time ---- */

static void gen_password(const web_spec *s, web_state *st)
{
    uint8_t w[1] = {0};
    draw_words(s, st, 1, w);
    ludus_web_heading(st, W_PASSWORD);
    int a = add(st, R_TEXTBOX, WEB_NONE, W_PASSWORD, 0, H_NONE, 0, 0, F_PASSWORD);
    int b = add(st, R_TEXTBOX, WEB_NONE, W_VERIFY, W_PASSWORD, H_NONE, 0, 0, F_PASSWORD);
    st->el[a].want = st->el[b].want = w[0];
    ludus_web_finish(st);
    st->field[0] = w[0];
    st->n_field = 1;
    ludus_web_mission(st, (const char *const[]){"Enter the password '", WORD(w[0]),
                                                "' into both fields and press ", WORD(ludus_web_submit_word(st)), ".",
                                                NULL});
}

static void gen_enter_date(const web_spec *s, web_state *st)
{
    (void)s;
    int m = (int)below(st, 12), d = 1 + (int)below(st, ludus_web_month_days[m]);
    ludus_web_heading(st, W_DATE);
    for (int k = 0; k < 2; k++) { /* the skin's order: month first or day first */
        int day = k == !(st->skin & 2);
        int box = add(st, R_TEXTBOX, WEB_NONE, day ? W_DAY : W_MONTH, 0, H_NONE, 0, 0, 0);
        st->el[box].want = (uint8_t)(day ? NUM(d) : W_MONTH0 + m);
    }
    ludus_web_finish(st);
    st->field[0] = (uint8_t)(W_MONTH0 + m);
    st->field[1] = (uint8_t)NUM(d);
    st->n_field = 2;
    ludus_web_mission(st, (const char *const[]){"Enter the date ", WORD(st->field[0]), " ", WORD(st->field[1]),
                                                " (month and day) and press ", WORD(ludus_web_submit_word(st)), ".", NULL});
}

static void gen_enter_time(const web_spec *s, web_state *st)
{
    (void)s;
    int h = 1 + (int)below(st, 12), m = 5 * (1 + (int)below(st, 6));
    ludus_web_heading(st, W_HOUR);
    int a = add(st, R_TEXTBOX, WEB_NONE, W_HOUR, 0, H_NONE, 0, 0, 0);
    st->el[a].want = (uint8_t)NUM(h);
    int b;
    if (st->skin & 2) { /* the minute as a list of 5..30 */
        b = add(st, R_COMBOBOX, WEB_NONE, W_MINUTE, 0, H_NONE, 0, 0, 0);
        st->el[b].opt_first = 0;
        st->el[b].opt_n = 6;
        for (int k = 0; k < 6; k++) st->opt[k] = (uint8_t)NUM(5 * (k + 1));
        st->n_opt = 6;
    } else {
        b = add(st, R_TEXTBOX, WEB_NONE, W_MINUTE, 0, H_NONE, 0, 0, 0);
    }
    st->el[b].want = (uint8_t)NUM(m);
    ludus_web_finish(st);
    st->field[0] = (uint8_t)NUM(h);
    st->field[1] = (uint8_t)NUM(m);
    st->n_field = 2;
    char mins[3] = {(char)('0' + m / 10), (char)('0' + m % 10), 0};
    ludus_web_mission(st, (const char *const[]){"Enter the time ", WORD(NUM(h)), ":", mins,
                                                " (hour, then minute) and press ", WORD(ludus_web_submit_word(st)), ".",
                                                NULL});
}

/* ---- use-spinner, use-slider ---- */

static void spin_flags(web_state *st, int v)
{
    for (int j = 0; j < st->n_el; j++) {
        web_el *e = &st->el[j];
        if (e->handler != H_STEP) continue;
        e->flags &= (uint8_t)~F_DISABLED;
        if ((e->harg ? v >= SPIN_MAX : v <= 1)) e->flags |= F_DISABLED;
    }
}

static void gen_spinner(const web_spec *s, web_state *st)
{
    (void)s;
    int v0 = 1 + (int)below(st, SPIN_MAX), t;
    do t = v0 + (int)below(st, 17) - 8;
    while (t == v0 || t < 1 || t > SPIN_MAX);
    ludus_web_heading(st, W_VOLUME);
    int box = add(st, R_TEXTBOX, WEB_NONE, W_VOLUME, 0, H_NONE, 0, 0, F_READONLY);
    st->el[box].value = (uint8_t)NUM(v0);
    st->el[box].want = (uint8_t)NUM(t);
    for (int k = 0; k < 2; k++) {
        int up = k == !(st->skin & 2);
        add(st, R_BUTTON, WEB_NONE, up ? W_UP : W_DOWN, 0, H_STEP, up, 0, 0);
    }
    spin_flags(st, v0);
    ludus_web_finish(st);
    st->field[0] = (uint8_t)NUM(t);
    st->n_field = 1;
    ludus_web_mission(st, (const char *const[]){"Set the volume to ", WORD(NUM(t)),
                                                " with the up and down buttons and press ", WORD(ludus_web_submit_word(st)),
                                                ".", NULL});
}

static void gen_slider(const web_spec *s, web_state *st)
{
    (void)s;
    int n = 5 + (int)below(st, 12), lo = 1 + (int)below(st, 32 - (uint32_t)n);
    int v0 = (int)below(st, (uint32_t)n), t = (v0 + 1 + (int)below(st, (uint32_t)n - 1)) % n;
    ludus_web_heading(st, W_VOLUME);
    int sl = add(st, R_SLIDER, WEB_NONE, W_VOLUME, 0, H_NONE, 0, 0, 0);
    for (int k = 0; k < n; k++) st->opt[k] = (uint8_t)NUM(lo + k);
    st->n_opt = (uint8_t)n;
    st->el[sl].opt_first = 0;
    st->el[sl].opt_n = (uint8_t)n;
    st->el[sl].value = (uint8_t)NUM(lo + v0);
    st->el[sl].want = (uint8_t)NUM(lo + t);
    ludus_web_finish(st);
    st->field[0] = (uint8_t)NUM(lo + t);
    st->n_field = 1;
    ludus_web_mission(st, (const char *const[]){"Move the slider to ", WORD(NUM(lo + t)), " and press ",
                                                WORD(ludus_web_submit_word(st)), ".", NULL});
}

/* ---- click-option (radios), click-scroll-list (a multi-select list) ---- */

static void gen_option(const web_spec *s, web_state *st)
{
    int n = 3 + (int)below(st, 4), k = (int)below(st, (uint32_t)n);
    uint8_t w[6] = {0};
    draw_words(s, st, n, w);
    ludus_web_heading(st, W_CHOOSE);
    int g = add(st, R_GROUP, WEB_NONE, W_CHOOSE, 0, H_NONE, 0, 0, 0), first = st->n_el;
    for (int j = 0; j < n; j++) {
        int r = add(st, R_RADIO, g, j == k ? w[0] : w[j == 0 ? k : j], 0, H_RADIO, 0, 0, 0);
        st->el[r].want = j == k ? WANT_ON : WANT_OFF;
    }
    if (st->skin & 1) st->el[first + (k + 1 + (int)below(st, (uint32_t)n - 1)) % n].flags |= F_CHECKED;
    ludus_web_finish(st);
    st->field[0] = w[0];
    st->n_field = 1;
    ludus_web_mission(st, (const char *const[]){"Select '", WORD(w[0]), "' and press ", WORD(ludus_web_submit_word(st)), ".",
                                                NULL});
}

static void gen_scroll_list(const web_spec *s, web_state *st)
{
    int n = 8 + (int)below(st, 7), m = 1 + (int)below(st, 3);
    uint8_t w[14] = {0}, at[14] = {0};
    draw_words(s, st, n, w);
    for (int j = 0; j < n; j++) at[j] = (uint8_t)j;
    shuffle(st, at, n); /* at[j]: the list position of w[j]; w[0..m) are the targets */
    ludus_web_heading(st, W_SELECT);
    int g = add(st, R_GROUP, WEB_NONE, W_ITEM, 0, H_NONE, 0, 0, 0), first = st->n_el;
    for (int j = 0; j < n; j++) add(st, R_OPTION, g, 0, 0, H_MULTI, 0, 0, 0);
    for (int j = 0; j < n; j++) {
        web_el *e = &st->el[first + at[j]];
        e->name = w[j];
        e->want = j < m ? WANT_ON : WANT_OFF;
    }
    ludus_web_finish(st);
    const char *p[12];
    int q = 0;
    p[q++] = "Select ";
    for (int j = 0; j < m; j++) {
        if (j) p[q++] = j + 1 == m ? " and " : ", ";
        p[q++] = WORD(w[j]);
        st->field[j] = w[j];
    }
    st->n_field = (uint8_t)m;
    p[q++] = " from the list and press ";
    p[q++] = WORD(ludus_web_submit_word(st));
    p[q++] = ".";
    p[q] = NULL;
    ludus_web_mission(st, p);
}

/* ---- multi-orderings, form-sequence ---- */

static void gen_orderings(const web_spec *s, web_state *st)
{
    static const uint8_t label[4] = {W_NAME, W_ITEM, W_MONTH, W_DAY};
    uint8_t who[1] = {0}, thing[1] = {0}, val[4], page[4] = {0, 1, 2, 3}, said[4] = {0, 1, 2, 3};
    draw_kind(s, st, 1, who, W_NAME0, W_NOUN0);
    draw_kind(s, st, 1, thing, W_NOUN0, W_MONTH0);
    val[0] = who[0];
    val[1] = thing[0];
    val[2] = (uint8_t)(W_MONTH0 + below(st, 12));
    val[3] = (uint8_t)NUM(1 + (int)below(st, 28));
    shuffle(st, page, 4);
    shuffle(st, said, 4);
    ludus_web_heading(st, W_FORM);
    for (int k = 0; k < 4; k++) {
        int box = add(st, R_TEXTBOX, WEB_NONE, label[page[k]], 0, H_NONE, 0, 0, 0);
        st->el[box].want = val[page[k]];
    }
    ludus_web_finish(st);
    const char *p[24];
    int q = 0;
    p[q++] = "Fill in the form: ";
    for (int k = 0; k < 4; k++) {
        p[q++] = k ? ", " : "";
        p[q++] = WORD(label[said[k]]);
        p[q++] = " ";
        p[q++] = WORD(val[said[k]]);
        st->field[k] = val[said[k]];
    }
    st->n_field = 4;
    p[q++] = "; then press ";
    p[q++] = WORD(ludus_web_submit_word(st));
    p[q++] = ".";
    p[q] = NULL;
    ludus_web_mission(st, p);
}

static void gen_form_sequence(const web_spec *s, web_state *st)
{
    uint8_t who[1] = {0}, things[4] = {0};
    draw_kind(s, st, 1, who, W_NAME0, W_NOUN0);
    draw_kind(s, st, 4, things, W_NOUN0, W_MONTH0);
    int on = (int)below(st, 2);
    ludus_web_heading(st, W_FORM);
    int box = add(st, R_TEXTBOX, WEB_NONE, W_NAME, 0, H_NONE, 0, 0, 0);
    st->el[box].want = who[0];
    int list = add(st, R_COMBOBOX, WEB_NONE, W_ITEM, 0, H_NONE, 0, 0, 0);
    uint8_t order[4] = {0, 1, 2, 3};
    shuffle(st, order, 4);
    for (int k = 0; k < 4; k++) st->opt[k] = things[order[k]];
    st->n_opt = 4;
    st->el[list].opt_n = 4;
    st->el[list].want = things[0];
    int c = add(st, R_CHECKBOX, WEB_NONE, W_NEWSLETTER, 0, H_TOGGLE, 0, 0, on ? 0 : F_CHECKED);
    st->el[c].want = on ? WANT_ON : WANT_OFF;
    if (st->skin & 2) { /* the skin puts the check box first (slots keep the tree's order) */
        web_el t = st->el[c];
        memmove(&st->el[box + 1], &st->el[box], sizeof t * 2);
        st->el[box] = t;
    }
    ludus_web_finish(st);
    st->field[0] = who[0];
    st->field[1] = things[0];
    st->n_field = 2;
    ludus_web_mission(st, (const char *const[]){"Enter ", WORD(who[0]), " as the name, select ", WORD(things[0]),
                                                " as the item, ", on ? "check" : "uncheck",
                                                " the newsletter box, then press ", WORD(ludus_web_submit_word(st)), ".",
                                                NULL});
}

/* ---- click-sequence: ordered clicks ---- */

static void gen_sequence(const web_spec *s, web_state *st)
{
    int n = 3 + (int)below(st, 4), len = 2 + (int)below(st, 2);
    uint8_t w[6] = {0}, at[6] = {0};
    draw_words(s, st, n, w);
    for (int j = 0; j < n; j++) at[j] = (uint8_t)j;
    shuffle(st, at, n); /* at[j]: the place of w[j]; w[0..len) are clicked in order */
    ludus_web_heading(st, W_CHOOSE);
    int first = st->n_el;
    for (int j = 0; j < n; j++) add(st, R_BUTTON, WEB_NONE, 0, 0, H_RECORD, 0, 0, 0);
    for (int j = 0; j < n; j++) st->el[first + at[j]].name = w[j];
    for (int j = 0; j < len; j++) {
        st->target[j] = (uint8_t)(first + at[j]);
        st->field[j] = w[j];
    }
    st->target[7] = (uint8_t)len;
    st->n_field = (uint8_t)len;
    ludus_web_mission(st, (const char *const[]){"Click on '", WORD(w[0]), "', then '", WORD(w[1]),
                                                len == 3 ? "', then '" : "", len == 3 ? WORD(w[2]) : "", "'.",
                                                NULL});
}

/* leading clicks that follow the order asked */
static int sequence_prefix(const web_state *st)
{
    int p = 0;
    while (p < st->db[7] && p < st->target[7] && st->db[p] == st->target[p]) p++;
    return p;
}

static uint32_t eval_sequence(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    int p = sequence_prefix(st);
    *ok = st->committed && st->db[7] == st->target[7] && p == st->target[7];
    return (uint32_t)(p >= 1) | (uint32_t)(p >= 2) << 1 | (uint32_t)*ok << 2;
}

static void oracle_sequence(const web_spec *s, const web_state *st, int32_t *a)
{
    (void)s;
    ludus_web_act(a, V_CLICK, st->target[st->db[7] < st->target[7] ? st->db[7] : 0], 0);
}

/* ---- phone-book: a paged, sorted contact list ---- */

static void gen_phone(const web_spec *s, web_state *st)
{
    int n = 4 + (int)below(st, 6);
    uint8_t w[9] = {0};
    draw_kind(s, st, n, w, W_NAME0, W_NOUN0);
    const uint8_t want = w[0];
    for (int i = 1; i < n; i++) /* sorted, as a contact book is */
        for (int j = i; j > 0 && w[j - 1] > w[j]; j--) {
            uint8_t t = w[j];
            w[j] = w[j - 1];
            w[j - 1] = t;
        }
    for (int r = 0; r < n; r++) {
        st->rec[r] = w[r];
        st->row[r].a = (uint8_t)NUM(1 + (int)below(st, 31));
        if (w[r] == want) st->target[0] = (uint8_t)r;
    }
    st->n_rec = st->n_row = (uint8_t)n;
    st->field[0] = want;
    st->n_field = 1;
    st->nav[0] = (web_nav){P_MAIN, 0, 0, 0};
    ludus_web_mission(st, (const char *const[]){"Find ", WORD(want),
                                                " in the contact book and click on their phone number.", NULL});
}

static void build_phone(const web_spec *s, web_state *st)
{
    (void)s;
    const web_nav *nv = &st->nav[st->nav_n - 1];
    st->n_el = 0;
    st->open = 0;
    st->scroll = 0;
    ludus_web_heading(st, W_PHONE);
    int first = nv->b * 3;
    for (int r = first; r < first + 3 && r < st->n_rec; r++) {
        int g = add(st, R_GROUP, WEB_NONE, st->rec[r], 0, H_NONE, 0, 0, 0);
        if (st->skin & 2) add(st, R_LINK, g, W_MAIL, 0, H_RESULT, r, 0, 0);
        add(st, R_LINK, g, st->row[r].a, 0, H_RESULT, r, 0, 0);
        if (!(st->skin & 2)) add(st, R_LINK, g, W_MAIL, 0, H_RESULT, r, 0, 0);
    }
    add(st, R_LINK, WEB_NONE, W_PREV, 0, H_PAGE, 0, 0, nv->b == 0 ? F_DISABLED : 0);
    add(st, R_LINK, WEB_NONE, W_NEXT, 0, H_PAGE, 1, 0, first + 3 >= st->n_rec ? F_DISABLED : 0);
}

static uint32_t eval_phone(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    const int r = st->target[0];
    *ok = st->committed && st->db[0] == r && st->answer == st->row[r].a;
    return (uint32_t)(st->nav[st->nav_n - 1].b == r / 3) | (uint32_t)*ok << 1;
}

static void oracle_phone(const web_spec *s, const web_state *st, int32_t *a)
{
    (void)s;
    const int r = st->target[0], page = st->nav[st->nav_n - 1].b;
    ludus_web_act(a, V_CLICK, 0, 0);
    for (int i = 0; i < st->n_el; i++) {
        const web_el *e = &st->el[i];
        if (e->handler == H_RESULT && e->harg == r && e->name == st->row[r].a) {
            a[1] = i;
            return;
        }
        if (e->handler == H_PAGE && e->harg == (page < r / 3)) a[1] = i;
    }
}

/* ---- navigate-tree: folders that open and close, files inside ---- */

static void gen_tree(const web_spec *s, web_state *st)
{
    uint8_t w[30] = {0};
    int tops = 2 + (int)below(st, 2), files = 0, g = 0, nw = 1, file_at[20];
    /* at most 3 folders of 2 files and 2 folders of 2 files: 27 words */
    draw_words(s, st, 28, w);
    ludus_web_heading(st, W_FOLDER);
    for (int t = 0; t < tops; t++) {
        int tg = ++g;
        int top = add(st, R_BUTTON, WEB_NONE, w[nw++], 0, H_FOLDER, tg, 0, F_EXPANDABLE);
        int nf = 1 + (int)below(st, 2), ns = (int)below(st, 3);
        for (int f = 0; f < nf; f++) file_at[files++] = add(st, R_LINK, top, w[nw++], 0, H_PICK, 0, tg, 0);
        for (int k = 0; k < ns; k++) {
            int sg = ++g;
            int sub = add(st, R_BUTTON, top, w[nw++], 0, H_FOLDER, sg, tg, F_EXPANDABLE);
            int sf = 1 + (int)below(st, 2);
            for (int f = 0; f < sf; f++) file_at[files++] = add(st, R_LINK, sub, w[nw++], 0, H_PICK, 0, sg, 0);
        }
    }
    int k = file_at[below(st, (uint32_t)files)];
    st->el[k].name = w[0];
    st->target[0] = (uint8_t)k;
    st->target[1] = st->el[k].group;
    st->field[0] = w[0];
    st->n_field = 1;
    ludus_web_mission(st, (const char *const[]){"Open the folders to find the file '", WORD(w[0]),
                                                "' and click on it.", NULL});
}

static uint32_t eval_tree(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    *ok = st->committed && st->db[0] == st->target[0];
    return (uint32_t)ludus_web_visible(st, st->target[0]) | (uint32_t)*ok << 1;
}

static void oracle_tree(const web_spec *s, const web_state *st, int32_t *a)
{
    (void)s;
    ludus_web_act(a, V_CLICK, st->target[0], 0);
    if (ludus_web_visible(st, st->target[0])) return;
    /* the outermost closed folder on the file's path */
    for (int x = st->target[0]; st->el[x].parent != WEB_NONE;) {
        x = st->el[x].parent;
        if (st->el[x].handler == H_FOLDER && !(st->open >> st->el[x].harg & 1)) a[1] = x;
    }
}

/* ---- guess-number: higher/lower feedback, an online probe ---- */

static void gen_guess(const web_spec *s, web_state *st)
{
    (void)s;
    static const uint8_t tops[3] = {10, 20, 31};
    int hi = tops[below(st, 3)];
    st->target[0] = (uint8_t)(1 + below(st, (uint32_t)hi));
    st->db[2] = 1; /* the site's log: the range the feedback so far leaves */
    st->db[3] = (uint8_t)hi;
    ludus_web_heading(st, W_GUESS);
    add(st, R_TEXT, WEB_NONE, W_GUESS, 0, H_NONE, 0, 0, 0); /* the feedback line */
    int box = add(st, R_TEXTBOX, WEB_NONE, W_GUESS, 0, H_NONE, 0, 0, 0);
    add(st, R_BUTTON, WEB_NONE, ludus_web_submit_word(st), 0, H_GUESS, box, 0, 0);
    st->field[0] = (uint8_t)NUM(hi);
    st->n_field = 1;
    ludus_web_mission(st, (const char *const[]){"Guess the number between 1 and ", WORD(NUM(hi)),
                                                ": type a guess and press ", WORD(ludus_web_submit_word(st)),
                                                "; the page says higher or lower.", NULL});
}

static uint32_t eval_guess(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    *ok = st->committed && st->db[0] == st->target[0];
    return (uint32_t)(st->db[4] > 0) | (uint32_t)*ok << 1;
}

/* Bisection over the range the feedback has left (the page's log in db,
 * what a script would remember); it never reads the number. */
static void oracle_guess(const web_spec *s, const web_state *st, int32_t *a)
{
    int mid = (st->db[2] + st->db[3]) / 2;
    mid = mid < 1 ? 1 : mid > 31 ? 31 : mid;
    ludus_web_act(a, V_CLICK, 0, 0);
    for (int i = 0; i < st->n_el; i++) {
        const web_el *e = &st->el[i];
        if (e->handler != H_GUESS) continue;
        if (st->el[e->harg].value != NUM(mid)) ludus_web_act(a, V_TYPE, e->harg, s->lex_of[NUM(mid)]);
        else a[1] = i;
    }
}

/* ---- handlers ---- */

int ludus_web_atomic_click(const web_spec *s, web_state *st, int i)
{
    (void)s;
    web_el *e = &st->el[i];
    switch (e->handler) {
    case H_FINISH: commit(st); return RC_OK;
    case H_RADIO:
        for (int j = 0; j < st->n_el; j++)
            if (st->el[j].role == R_RADIO) st->el[j].flags &= (uint8_t)~F_CHECKED;
        e->flags |= F_CHECKED;
        return RC_OK;
    case H_MULTI: e->flags ^= F_SELECTED; return RC_OK;
    case H_RECORD:
        if (st->db[7] < st->target[7]) st->db[st->db[7]++] = (uint8_t)i;
        if (st->db[7] >= st->target[7]) commit(st);
        return RC_OK;
    case H_STEP: {
        int box = find_role(st, R_TEXTBOX, F_READONLY);
        if (box < 0) return RC_DISABLED;
        int v = st->el[box].value - W_NUM1 + 1, nv = v + (e->harg ? 1 : -1);
        if (v < 1 || v > SPIN_MAX || nv < 1 || nv > SPIN_MAX) return RC_DISABLED;
        st->el[box].value = (uint8_t)NUM(nv);
        spin_flags(st, nv);
        return RC_OK;
    }
    case H_FOLDER: {
        const int g = e->harg;
        if (!(st->open >> g & 1)) {
            st->open |= (uint16_t)(1u << g);
            e->flags |= F_EXPANDED;
            return RC_OK;
        }
        /* closing a folder closes the folders inside it */
        uint64_t under = 1ull << i;
        for (int j = i + 1; j < st->n_el; j++) {
            web_el *x = &st->el[j];
            if (x->parent == WEB_NONE || !(under >> x->parent & 1)) continue;
            under |= 1ull << j;
            if (x->handler == H_FOLDER) {
                st->open &= (uint16_t)~(1u << x->harg);
                x->flags &= (uint8_t)~F_EXPANDED;
            }
        }
        st->open &= (uint16_t)~(1u << g);
        e->flags &= (uint8_t)~F_EXPANDED;
        return RC_OK;
    }
    case H_GUESS: {
        web_el *fb = NULL;
        for (int j = 0; j < st->n_el && !fb; j++)
            if (st->el[j].role == R_TEXT) fb = &st->el[j];
        int w = st->el[e->harg].value, v = w - W_NUM1 + 1;
        if (st->db[4] < 255) st->db[4]++;
        if (w < W_NUM1 || w >= W_NUM_END) { /* not a number: the page says so */
            if (fb) fb->name = W_ERROR, fb->name2 = 0;
            return RC_OK;
        }
        if (v == st->target[0]) {
            st->db[0] = (uint8_t)v;
            commit(st);
            return RC_OK;
        }
        if (fb) {
            fb->name = (uint8_t)(v < st->target[0] ? W_HIGHER : W_LOWER);
            fb->name2 = (uint8_t)w;
        }
        if (v < st->target[0] && v + 1 > st->db[2]) st->db[2] = (uint8_t)(v + 1);
        if (v > st->target[0] && v - 1 < st->db[3]) st->db[3] = (uint8_t)(v - 1);
        return RC_OK;
    }
    default: return RC_BAD_VERB;
    }
}

/* ---- the table, and the checks of a foreign state ---- */

static int validate_atomic(const web_spec *s, const web_state *st);

#define HB(h) (1ull << (h))
#define FORM (HB(H_NONE) | HB(H_FINISH))

const web_task ludus_web_atomic_tasks[] = {
    {"copy-paste", gen_copy_paste, NULL, eval_form, WEB_LEX_CONTENT, 10, 2, 0, oracle_form, validate_atomic},
    {"find-word", gen_find_word, NULL, eval_form, WEB_LEX_WIDE, 10, 2, 0, oracle_form, validate_atomic},
    {"read-table", gen_read_table, NULL, eval_form, WEB_LEX_WIDE, 10, 2, 0, oracle_form, validate_atomic},
    {"enter-password", gen_password, NULL, eval_form, WEB_LEX_CONTENT, 10, 3, 0, oracle_form, validate_atomic},
    {"enter-date", gen_enter_date, NULL, eval_form, WEB_LEX_WIDE, 10, 3, 0, oracle_form, validate_atomic},
    {"enter-time", gen_enter_time, NULL, eval_form, WEB_LEX_WIDE, 10, 3, 0, oracle_form, validate_atomic},
    {"use-spinner", gen_spinner, NULL, eval_form, WEB_LEX_WIDE, 15, 2, 0, oracle_form, validate_atomic},
    {"use-slider", gen_slider, NULL, eval_form, WEB_LEX_WIDE, 10, 2, 0, oracle_form, validate_atomic},
    {"click-option", gen_option, NULL, eval_form, WEB_LEX_CONTENT, 10, 2, 0, oracle_form, validate_atomic},
    {"click-scroll-list", gen_scroll_list, NULL, eval_form, WEB_LEX_CONTENT, 15, 2, 0, oracle_form, validate_atomic},
    {"multi-orderings", gen_orderings, NULL, eval_form, WEB_LEX_WIDE, 15, 5, 0, oracle_form, validate_atomic},
    {"form-sequence", gen_form_sequence, NULL, eval_form, WEB_LEX_WIDE, 15, 4, 0, oracle_form, validate_atomic},
    {"click-sequence", gen_sequence, NULL, eval_sequence, WEB_LEX_CONTENT, 10, 3, 0, oracle_sequence, validate_atomic},
    {"phone-book", gen_phone, build_phone, eval_phone, WEB_LEX_WIDE, 20, 2, 0, oracle_phone, validate_atomic},
    {"navigate-tree", gen_tree, NULL, eval_tree, WEB_LEX_CONTENT, 15, 2, 1, oracle_tree, validate_atomic},
    {"guess-number", gen_guess, NULL, eval_guess, WEB_LEX_WIDE, 20, 2, 0, oracle_guess, validate_atomic},
};
const int ludus_web_atomic_task_count = (int)(sizeof ludus_web_atomic_tasks / sizeof ludus_web_atomic_tasks[0]);

/* the handlers each task's pages use, in the table's order */
static const uint64_t task_handlers[] = {
    FORM, FORM, FORM, FORM, FORM, FORM, FORM | HB(H_STEP), FORM, FORM | HB(H_RADIO), FORM | HB(H_MULTI), FORM,
    FORM | HB(H_TOGGLE), HB(H_NONE) | HB(H_RECORD), HB(H_NONE) | HB(H_RESULT) | HB(H_PAGE),
    HB(H_NONE) | HB(H_FOLDER) | HB(H_PICK), HB(H_NONE) | HB(H_GUESS)};
_Static_assert(sizeof task_handlers / sizeof task_handlers[0] ==
                   sizeof ludus_web_atomic_tasks / sizeof ludus_web_atomic_tasks[0],
               "a handler set per task");
_Static_assert(H_COUNT <= 64, "handler sets fit 64 bits");

static int validate_atomic(const web_spec *s, const web_state *st)
{
    const int k = (int)(s->task - ludus_web_atomic_tasks);
    const uint64_t allowed = task_handlers[k];
    const int phone = s->task->build == build_phone;
    if (st->n_cart || st->n_error) BAD("web state: site counts in an atomic task");
    if (phone ? st->n_row != st->n_rec || st->n_rec < 1 || st->n_rec > WEB_ROWS : st->n_row != 0)
        BAD("web state: %d contacts, %d records", st->n_row, st->n_rec);
    for (int r = 0; r < WEB_ROWS; r++)
        if (st->row[r].a >= W_END) BAD("web state: contact %d has a word out of the vocabulary", r);
    if (phone)
        for (int j = 0; j < st->nav_n; j++)
            if (st->nav[j].page != P_MAIN) BAD("web state: navigation entry %d names another page", j);
    if (s->task->eval == eval_sequence) {
        if (st->target[7] < 2 || st->target[7] > 3 || st->db[7] > st->target[7])
            BAD("web state: a click sequence of %d, %d clicked", st->target[7], st->db[7]);
        for (int j = 0; j < st->target[7]; j++)
            if (st->target[j] >= st->n_el) BAD("web state: sequence target %d is no element", j);
    }
    if (s->task->eval == eval_guess && (st->target[0] < 1 || st->target[0] > 31))
        BAD("web state: the number to guess %d", st->target[0]);
    for (int i = 0; i < st->n_el; i++) {
        const web_el *e = &st->el[i];
        if (!(allowed >> e->handler & 1)) BAD("web state: element %d has handler %d of another task", i, e->handler);
        if ((e->handler == H_FOLDER && (e->harg < 1 || e->harg > 15)) || (e->handler == H_STEP && e->harg > 1) ||
            (e->handler == H_GUESS && (e->harg >= st->n_el || st->el[e->harg].role != R_TEXTBOX)) ||
            (e->handler == H_RESULT && e->harg >= st->n_rec))
            BAD("web state: element %d handler argument %d", i, e->harg);
        if ((e->handler == H_RADIO && e->role != R_RADIO) || (e->handler == H_MULTI && e->role != R_OPTION))
            BAD("web state: element %d handler %d on role %d", i, e->handler, e->role);
    }
    return LUDUS_OK;
}
