/* sites.c: the site templates of the web family (spec/web.md, B3 and B5):
 * a shop (search, results with a price filter, item with options, cart,
 * checkout, confirmation), a mail client (inbox, message, compose), a
 * profile form (tabs, validation, confirmation), a travel site (search
 * form, flexible-date results, booking form, confirmation) and a calendar
 * (week, day, event form). Each site's truth is a
 * small database (st->row[], the cart or outbox st->cart[], the saved form
 * st->saved[]) plus the navigation stack; pages are derived from them by
 * the site's build function on navigation, and edited in place by
 * handlers. A site task's success is a predicate over the final database,
 * navigation and answer; its key nodes are checked every step. Skins vary
 * labels (synonyms), layout (order, headings) and widgets (a combobox or a
 * row of option buttons; inline row actions; tabs or one page; a month as
 * a list or a text box). The oracle solves each task from any state its
 * own actions reach.
 */
#include <string.h>

#include "web.h"

#define WORD(w) ludus_web_words[w]

static int add(web_state *st, int role, int parent, int name, int name2, int handler, int harg, int flags)
{
    return ludus_web_add(st, role, parent, name, name2, handler, harg, 0, flags);
}

static web_nav *cur(web_state *st) { return &st->nav[st->nav_n - 1]; }

static void go(const web_spec *s, web_state *st, web_nav nv)
{
    if (st->nav_n == WEB_NAV) { /* a full history forgets its oldest page */
        memmove(st->nav, st->nav + 1, sizeof st->nav[0] * (WEB_NAV - 1));
        st->nav_n--;
    }
    st->nav[st->nav_n++] = nv;
    s->task->build(s, st);
}

/* The first index i in [l, h) of ascending src with src[i] >= w (h if none). */
static int first_at_least(const uint8_t *src, int l, int h, int w)
{
    while (l < h) {
        int mid = (l + h) / 2;
        if (src[mid] < w) l = mid + 1;
        else h = mid;
    }
    return l;
}

/* A word of [lo, hi) that is none of avoid[0..n): from the split's target
 * pool (target) or from the other words (held-out entities appear only in
 * the test split). Counting first keeps the draw bounded. */
int ludus_web_draw_counted(const web_spec *s, web_state *st, int lo, int hi, int target, const uint8_t *avoid, int n)
{
    const uint8_t *src = target ? s->pool : s->other;
    const int m = target ? s->pool_n : s->other_n;
    if (s->words_sorted) {
        /* the same draw, faster: src ascends, so the words of [lo, hi) are
         * one run src[a..b); the candidates are that run less the words
         * to avoid (each counted once), and the k-th is found by a walk */
        const int a = first_at_least(src, 0, m, lo), b = first_at_least(src, a, m, hi);
        int count = b - a;
        for (int j = 0; j < n; j++) {
            int w = avoid[j], dup = 0, in = 0;
            for (int q = 0; q < j; q++) dup |= avoid[q] == w;
            if (dup || w < lo || w >= hi) continue;
            int at = first_at_least(src, a, b, w);
            in = at < b && src[at] == w;
            count -= in;
        }
        if (!count) return lo; /* web_make refuses splits without candidates */
        int k = (int)ludus_web_below(st, (uint32_t)count);
        for (int i = a; i < b; i++) {
            int w = src[i], bad = 0;
            for (int j = 0; j < n && !bad; j++) bad = avoid[j] == w;
            if (!bad && k-- == 0) return w;
        }
        return lo;
    }
    int count = 0;
    for (int pass = 0; pass < 2; pass++) {
        int k = pass ? (int)ludus_web_below(st, (uint32_t)count) : -1;
        for (int i = 0; i < m; i++) {
            int w = src[i], bad = w < lo || w >= hi;
            for (int j = 0; j < n && !bad; j++) bad = avoid[j] == w;
            if (bad) continue;
            if (pass && k-- == 0) return w;
            count += !pass;
        }
        if (!count) return lo; /* web_make refuses splits without candidates */
    }
    return lo;
}

static void combobox(web_state *st, int name, const uint8_t *words, int n, int value, int flags, int group)
{
    int c = ludus_web_add(st, R_COMBOBOX, WEB_NONE, name, 0, H_NONE, 0, group, flags);
    st->el[c].opt_first = st->n_opt;
    st->el[c].opt_n = (uint8_t)n;
    for (int k = 0; k < n; k++) st->opt[st->n_opt++] = words[k];
    st->el[c].value = (uint8_t)value;
}

/* ================= shop: Web-shop-buy-v0 =================
 * rows: a noun, b brand, c price (1..31 dollars), d rating (1..5), e
 * colours (bits of W_COLOR0..), f sizes (bits of W_SIZE0..). cart lines:
 * (row, colour + 1, size + 1), 0 for an option not chosen. saved[0]: the
 * name the order ships to. nav: P_MAIN (a: the query typed), P_RESULTS (a:
 * query, pad: the price filter 0 any, 1..3 at most 10/20/30), P_ITEM (a:
 * row), P_CART, P_CHECKOUT, P_DONE. target: row, colour, size, bound.
 * fields: noun, colour, size, bound, name. */

static const uint8_t filter_words[4] = {W_ANY, W_NUM1 + 9, W_NUM1 + 19, W_NUM1 + 29};

static int rand_mask(web_state *st, int bits, int must, int never)
{
    int m = (int)ludus_web_below(st, 1u << bits) | must;
    m &= ~never;
    if (!m) m = (never & 1) ? 2 : 1;
    return m;
}

/* Shuffles rows [0, n) (Fisher-Yates from the last row down, one draw
 * each) and returns where row 0, the match, went. */
static int shuffle_rows(web_state *st, int n)
{
    int at = 0;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)ludus_web_below(st, (uint32_t)i + 1);
        web_row t = st->row[i];
        st->row[i] = st->row[j];
        st->row[j] = t;
        if (at == i) at = j;
        else if (at == j) at = i;
    }
    return at;
}

static void gen_shop(const web_spec *s, web_state *st)
{
    const int n = 6 + (int)ludus_web_below(st, 4);
    const int noun = ludus_web_draw_counted(s, st, W_NOUN0, W_MONTH0, 1, NULL, 0);
    const int c = (int)ludus_web_below(st, 4), z = (int)ludus_web_below(st, 3), bi = (int)ludus_web_below(st, 3);
    const int bound = 10 * (bi + 1);
    uint8_t nn[1] = {(uint8_t)noun};
    for (int r = 0; r < n; r++) {
        web_row *w = &st->row[r];
        w->a = (uint8_t)(r < 4 ? noun : ludus_web_draw_counted(s, st, W_NOUN0, W_MONTH0, 0, nn, 1));
        w->b = (uint8_t)ludus_web_draw_counted(s, st, W_NAME0, W_NOUN0, 0, NULL, 0);
        w->c = (uint8_t)(1 + ludus_web_below(st, 31));
        w->d = (uint8_t)(1 + ludus_web_below(st, 5));
        w->e = (uint8_t)rand_mask(st, 4, 0, 0);
        w->f = (uint8_t)rand_mask(st, 3, 0, 0);
        if (r == 0 || r == 2 || r == 3) w->c = (uint8_t)(bound - 9 + (int)ludus_web_below(st, 10));
        if (r == 1) w->c = (uint8_t)(bound + 1 + (int)ludus_web_below(st, (uint32_t)(bound == 30 ? 1 : 10)));
        if (r < 4) { /* the match and the three near misses: too dear, no such colour, no such size */
            w->e = (uint8_t)rand_mask(st, 4, r == 2 ? 0 : 1 << c, r == 2 ? 1 << c : 0);
            w->f = (uint8_t)rand_mask(st, 3, r == 3 ? 0 : 1 << z, r == 3 ? 1 << z : 0);
        }
    }
    st->n_row = (uint8_t)n;
    /* shuffle the rows; follow the match */
    const int at = shuffle_rows(st, n);
    const uint8_t nb[1] = {0};
    st->target[0] = (uint8_t)at;
    st->target[1] = (uint8_t)c;
    st->target[2] = (uint8_t)z;
    st->target[3] = (uint8_t)bi;
    st->field[0] = (uint8_t)noun;
    st->field[1] = (uint8_t)(W_COLOR0 + c);
    st->field[2] = (uint8_t)(W_SIZE0 + z);
    st->field[3] = (uint8_t)(W_NUM1 + bound - 1);
    st->field[4] = (uint8_t)ludus_web_draw_counted(s, st, W_NAME0, W_NOUN0, 1, nb, 0);
    st->n_field = 5;
    st->nav[0] = (web_nav){P_MAIN, 0, 0, 0};
    st->nav_n = 1;
    ludus_web_mission(st, (const char *const[]){"Buy a ", WORD(noun), " in ", WORD(st->field[1]), ", size ",
                                                WORD(st->field[2]), ", for at most ", WORD(st->field[3]),
                                                " dollars, shipped to ", WORD(st->field[4]), ".", NULL});
}

static int row_hit(const web_state *st, int r, int q, int filter)
{
    return st->row[r].a == q && (!filter || st->row[r].c <= 10 * filter);
}

static void build_shop(const web_spec *s, web_state *st)
{
    (void)s;
    const web_nav *nv = ludus_web_top(st);
    ludus_web_clear_page(st);
    if (st->skin & 4) add(st, R_HEADING, WEB_NONE, W_SHOP, 0, H_NONE, 0, 0);
    if (nv->page != P_MAIN) add(st, R_LINK, WEB_NONE, W_SHOP, 0, H_GOTO, P_MAIN, 0);
    if (nv->page != P_CART && nv->page != P_CHECKOUT && nv->page != P_DONE)
        add(st, R_LINK, WEB_NONE, W_CART, st->n_cart ? W_NUM1 - 1 + st->n_cart : 0, H_GOTO, P_CART, 0);
    switch (nv->page) {
    case P_MAIN: {
        int box = add(st, R_TEXTBOX, WEB_NONE, W_SEARCH, 0, H_NONE, 0, 0);
        st->el[box].value = nv->a;
        add(st, R_BUTTON, WEB_NONE, (st->skin & 1) ? W_GO : W_SEARCH, 0, H_SEARCH, box, 0);
        break;
    }
    case P_RESULTS: {
        add(st, R_HEADING, WEB_NONE, W_RESULTS, nv->a, H_NONE, 0, 0);
        int f = st->n_el;
        combobox(st, W_PRICE, filter_words, 4, filter_words[nv->pad & 3], 0, 0);
        add(st, R_BUTTON, WEB_NONE, W_FILTER, 0, H_FILTER, f, 0);
        int hits = 0;
        for (int r = 0; r < st->n_row; r++) {
            if (!row_hit(st, r, nv->a, nv->pad & 3)) continue;
            const web_row *w = &st->row[r];
            if (st->skin & 2) add(st, R_TEXT, WEB_NONE, W_PRICE, W_NUM1 + w->c - 1, H_NONE, 0, 0);
            add(st, R_LINK, WEB_NONE, w->b, w->a, H_OPEN, r, 0);
            if (!(st->skin & 2)) add(st, R_TEXT, WEB_NONE, W_PRICE, W_NUM1 + w->c - 1, H_NONE, 0, 0);
            hits++;
        }
        if (!hits) add(st, R_TEXT, WEB_NONE, W_NOTHING, 0, H_NONE, 0, 0);
        break;
    }
    case P_ITEM: {
        const web_row *w = &st->row[nv->a];
        add(st, R_HEADING, WEB_NONE, w->b, w->a, H_NONE, 0, 0);
        add(st, R_TEXT, WEB_NONE, W_PRICE, W_NUM1 + w->c - 1, H_NONE, 0, 0);
        add(st, R_TEXT, WEB_NONE, W_RATING, W_NUM1 + w->d - 1, H_NONE, 0, 0);
        for (int g = 0; g < 2; g++) { /* colour, then size: a list, or a row of buttons */
            const int bits = g ? w->f : w->e, first = g ? W_SIZE0 : W_COLOR0, n = g ? 3 : 4;
            if (st->skin & 1) {
                int grp = add(st, R_GROUP, WEB_NONE, g ? W_SIZE : W_COLOR, 0, H_NONE, 0, 0);
                for (int k = 0; k < n; k++)
                    if (bits >> k & 1) add(st, R_BUTTON, grp, first + k, 0, H_OPTION, g << 4 | k, 0);
            } else {
                uint8_t words[4];
                int m = 0;
                for (int k = 0; k < n; k++)
                    if (bits >> k & 1) words[m++] = (uint8_t)(first + k);
                combobox(st, g ? W_SIZE : W_COLOR, words, m, 0, 0, 0);
            }
        }
        add(st, R_BUTTON, WEB_NONE, (st->skin & 2) ? W_BUY : W_ADD, (st->skin & 2) ? 0 : W_CART, H_ADD, 0, 0);
        break;
    }
    case P_CART: case P_CHECKOUT: {
        add(st, R_HEADING, WEB_NONE, nv->page == P_CART ? W_CART : W_CHECKOUT, 0, H_NONE, 0, 0);
        for (int k = 0; k < st->n_cart; k++) {
            const uint8_t *l = st->cart[k];
            int t = add(st, R_TEXT, WEB_NONE, st->row[l[0]].b, st->row[l[0]].a, H_NONE, 0, 0);
            add(st, R_TEXT, t, l[1] ? W_COLOR0 + l[1] - 1 : W_ANY, l[2] ? W_SIZE0 + l[2] - 1 : W_ANY, H_NONE, 0, 0);
            if (nv->page == P_CART) add(st, R_BUTTON, t, W_REMOVE, 0, H_REMOVE, k, 0);
        }
        if (!st->n_cart) add(st, R_TEXT, WEB_NONE, W_NOTHING, 0, H_NONE, 0, 0);
        if (nv->page == P_CART) {
            add(st, R_BUTTON, WEB_NONE, W_CHECKOUT, 0, H_GOTO, P_CHECKOUT, st->n_cart ? 0 : F_DISABLED);
        } else {
            int box = add(st, R_TEXTBOX, WEB_NONE, W_NAME, 0, H_NONE, 0, 0);
            st->el[box].value = st->saved[0];
            add(st, R_BUTTON, WEB_NONE, W_ORDER, 0, H_ORDER, 0, st->n_cart ? 0 : F_DISABLED);
        }
        break;
    }
    case P_DONE:
        add(st, R_HEADING, WEB_NONE, W_THANKS, 0, H_NONE, 0, 0);
        for (int k = 0; k < st->n_cart; k++)
            add(st, R_TEXT, WEB_NONE, W_ORDER, st->row[st->cart[k][0]].a, H_NONE, 0, 0);
        add(st, R_TEXT, WEB_NONE, W_TO, st->saved[0], H_NONE, 0, 0);
        break;
    default: break;
    }
}

static int line_ok(const web_state *st, const uint8_t *l)
{
    return l[0] == st->target[0] && l[1] == st->target[1] + 1 && l[2] == st->target[2] + 1;
}

static uint32_t eval_shop(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    const web_nav *nv = ludus_web_top(st);
    int in_cart = 0;
    for (int k = 0; k < st->n_cart; k++) in_cart |= line_ok(st, st->cart[k]);
    *ok = st->committed && st->n_cart == 1 && line_ok(st, st->cart[0]) && st->saved[0] == st->field[4];
    return (uint32_t)(nv->page == P_RESULTS && nv->a == st->field[0]) |
           (uint32_t)(nv->page == P_ITEM && nv->a == st->target[0]) << 1 | (uint32_t)in_cart << 2 |
           (uint32_t)*ok << 3;
}

/* the option of group g chosen on an item page: 0 none, else 1 + index */
static int shop_chosen(const web_state *st, int g)
{
    const int first = g ? W_SIZE0 : W_COLOR0, n = g ? 3 : 4;
    for (int i = 0; i < st->n_el; i++) {
        const web_el *e = &st->el[i];
        int w = -1;
        if (e->role == R_COMBOBOX && e->name == (g ? W_SIZE : W_COLOR)) w = e->value;
        if (e->handler == H_OPTION && (e->harg >> 4) == g && (e->flags & F_SELECTED)) w = e->name;
        if (w >= first && w < first + n) return w - first + 1;
    }
    return 0;
}

/* With the cart right: to the cart, to checkout, the name (field 4)
 * typed, the order placed (the buy and cart tasks' last steps). */
void ludus_web_shop_checkout(const web_spec *s, const web_state *st, int32_t *a)
{
    const web_nav *nv = ludus_web_top(st);
    if (nv->page == P_CHECKOUT) {
        int box = ludus_web_find_named(st, R_TEXTBOX, W_NAME);
        if (box >= 0 && st->el[box].value != st->field[4]) ludus_web_act(a, V_TYPE, box, s->lex_of[st->field[4]]);
        else ludus_web_click_or_back(st, ludus_web_find(st, H_ORDER, 0), a);
    } else if (nv->page == P_CART) {
        ludus_web_click_or_back(st, ludus_web_find(st, H_GOTO, P_CHECKOUT), a);
    } else {
        ludus_web_click_or_back(st, ludus_web_find(st, H_GOTO, P_CART), a);
    }
}

/* On an item page: choose colour index `color` and size index `size` (a
 * list or option buttons, as the skin has them), then add to the cart. */
void ludus_web_shop_pick(const web_spec *s, const web_state *st, int color, int size, int32_t *a)
{
    for (int g = 0; g < 2; g++) {
        const int want = g ? size : color, word = (g ? W_SIZE0 : W_COLOR0) + want;
        if (shop_chosen(st, g) == want + 1) continue;
        int c = ludus_web_find_named(st, R_COMBOBOX, g ? W_SIZE : W_COLOR);
        if (c >= 0) ludus_web_act(a, V_SELECT, c, s->lex_of[word]);
        else ludus_web_click_or_back(st, ludus_web_find(st, H_OPTION, g << 4 | want), a);
        return;
    }
    ludus_web_click_or_back(st, ludus_web_find(st, H_ADD, 0), a);
}

static void oracle_shop(const web_spec *s, const web_state *st, int32_t *a)
{
    const web_nav *nv = ludus_web_top(st);
    const int right = st->n_cart == 1 && line_ok(st, st->cart[0]);
    if (st->n_cart && !right) { /* empty the cart of what was not asked for */
        if (nv->page == P_CART) {
            int k = 0;
            while (k < st->n_cart - 1 && line_ok(st, st->cart[k])) k++;
            ludus_web_click_or_back(st, ludus_web_find(st, H_REMOVE, k), a);
        } else {
            ludus_web_click_or_back(st, ludus_web_find(st, H_GOTO, P_CART), a);
        }
        return;
    }
    if (right) {
        ludus_web_shop_checkout(s, st, a);
        return;
    }
    switch (nv->page) {
    case P_MAIN: {
        int box = ludus_web_find_named(st, R_TEXTBOX, W_SEARCH);
        if (box >= 0 && st->el[box].value != st->field[0]) ludus_web_act(a, V_TYPE, box, s->lex_of[st->field[0]]);
        else ludus_web_click_or_back(st, ludus_web_find(st, H_SEARCH, box), a);
        return;
    }
    case P_RESULTS: {
        if (nv->a != st->field[0]) break;
        const int want = st->target[3] + 1;
        if ((nv->pad & 3) != want) {
            int f = ludus_web_find_named(st, R_COMBOBOX, W_PRICE);
            if (f >= 0 && st->el[f].value != filter_words[want]) ludus_web_act(a, V_SELECT, f, s->lex_of[filter_words[want]]);
            else ludus_web_click_or_back(st, ludus_web_find(st, H_FILTER, f), a);
        } else {
            ludus_web_click_or_back(st, ludus_web_find(st, H_OPEN, st->target[0]), a);
        }
        return;
    }
    case P_ITEM: {
        if (nv->a != st->target[0]) break;
        ludus_web_shop_pick(s, st, st->target[1], st->target[2], a);
        return;
    }
    default: break;
    }
    ludus_web_click_or_back(st, ludus_web_find(st, H_GOTO, P_MAIN), a); /* start over from the shop's front page */
}

/* ================= mail: Web-mail-triage-v0 =================
 * rows: a sender, b subject, c the flags at reset, flags now (M_*).
 * cart[] is the outbox: (row, to, 1 reply / 0 forward). nav: P_INBOX,
 * P_MAIL (a: row), P_COMPOSE (a: row, b: 1 reply / 0 forward). target:
 * the rule's action (0 star, 1 archive, 2 delete), -, the row to forward.
 * fields: sender, action word, subject, recipient. */

static const uint8_t mail_verbs[3] = {W_STAR, W_ARCHIVE, W_DELETE};

static void gen_mail(const web_spec *s, web_state *st)
{
    const int n = 5 + (int)ludus_web_below(st, 4), verb = (int)ludus_web_below(st, 3);
    uint8_t x[2];
    x[0] = (uint8_t)ludus_web_draw_counted(s, st, W_NAME0, W_NOUN0, 1, NULL, 0);
    x[1] = (uint8_t)ludus_web_draw_counted(s, st, W_NAME0, W_NOUN0, 0, x, 1); /* the recipient of the forward */
    const int k = 1 + (int)ludus_web_below(st, 3), fwd = (int)ludus_web_below(st, (uint32_t)n);
    uint8_t subj[1];
    subj[0] = (uint8_t)ludus_web_draw_counted(s, st, W_NOUN0, W_MONTH0, 1, NULL, 0);
    for (int r = 0; r < n; r++) {
        web_row *w = &st->row[r];
        w->a = (uint8_t)(r < k ? x[0] : ludus_web_draw_counted(s, st, W_NAME0, W_NOUN0, 0, x, 1));
        w->b = (uint8_t)(r == fwd ? subj[0] : ludus_web_draw_counted(s, st, W_NOUN0, W_MONTH0, 0, subj, 1));
        w->flags = (uint8_t)((ludus_web_below(st, 3) == 0 ? M_STAR : 0) | (ludus_web_below(st, 2) ? M_READ : 0));
    }
    /* the rule's mails at random places (the subject to forward stays on its row) */
    for (int i = n - 1; i > 0; i--) {
        int j = (int)ludus_web_below(st, (uint32_t)i + 1);
        uint8_t t = st->row[i].a;
        st->row[i].a = st->row[j].a;
        st->row[j].a = t;
    }
    for (int r = 0; r < n; r++) st->row[r].c = st->row[r].flags;
    st->n_row = (uint8_t)n;
    st->target[0] = (uint8_t)verb;
    st->target[2] = (uint8_t)fwd;
    st->field[0] = x[0];
    st->field[1] = mail_verbs[verb];
    st->field[2] = subj[0];
    st->field[3] = x[1];
    st->n_field = 4;
    st->nav[0] = (web_nav){P_INBOX, 0, 0, 0};
    st->nav_n = 1;
    static const char *const verbs[3] = {"star", "archive", "delete"};
    ludus_web_mission(st, (const char *const[]){"Forward the mail about ", WORD(subj[0]), " to ", WORD(x[1]),
                                                ", then ", verbs[verb], " every mail from ", WORD(x[0]),
                                                ", and stop.", NULL});
}

static int del_word(const web_state *st) { return (st->skin & 2) ? W_TRASH : W_DELETE; }

static void mail_buttons(web_state *st, int parent, int r)
{
    const int star = st->row[r].flags & M_STAR;
    add(st, R_BUTTON, parent, star ? W_UNSTAR : W_STAR, 0, H_MAILACT, 0 << 4 | r, 0);
    add(st, R_BUTTON, parent, W_ARCHIVE, 0, H_MAILACT, 1 << 4 | r, 0);
    add(st, R_BUTTON, parent, del_word(st), 0, H_MAILACT, 2 << 4 | r, 0);
}

static void build_mail(const web_spec *s, web_state *st)
{
    (void)s;
    const web_nav *nv = ludus_web_top(st);
    ludus_web_clear_page(st);
    if (nv->page != P_INBOX) add(st, R_LINK, WEB_NONE, W_INBOX, 0, H_GOTO, P_INBOX, 0);
    switch (nv->page) {
    case P_INBOX: {
        if (st->skin & 4) add(st, R_HEADING, WEB_NONE, W_INBOX, 0, H_NONE, 0, 0);
        int shown = 0;
        for (int r = 0; r < st->n_row; r++) {
            const web_row *w = &st->row[r];
            if (w->flags & (M_ARCHIVED | M_DELETED)) continue;
            int l = add(st, R_LINK, WEB_NONE, w->a, w->b, H_OPEN, r, (w->flags & M_STAR) ? F_CHECKED : 0);
            if (st->skin & 1) mail_buttons(st, l, r); /* inline row actions */
            shown++;
        }
        if (!shown) add(st, R_TEXT, WEB_NONE, W_NOTHING, 0, H_NONE, 0, 0);
        break;
    }
    case P_MAIL: {
        const web_row *w = &st->row[nv->a];
        add(st, R_HEADING, WEB_NONE, w->b, 0, H_NONE, 0, 0);
        add(st, R_TEXT, WEB_NONE, W_FROM, w->a, H_NONE, 0, 0);
        add(st, R_TEXT, WEB_NONE, W_LOREM, W_IPSUM, H_NONE, 0, 0);
        if (st->skin & 2) {
            add(st, R_BUTTON, WEB_NONE, W_REPLY, 0, H_COMPOSE, 1, 0);
            add(st, R_BUTTON, WEB_NONE, W_FORWARD, 0, H_COMPOSE, 0, 0);
        }
        if (!(w->flags & (M_ARCHIVED | M_DELETED))) mail_buttons(st, WEB_NONE, nv->a);
        if (!(st->skin & 2)) {
            add(st, R_BUTTON, WEB_NONE, W_REPLY, 0, H_COMPOSE, 1, 0);
            add(st, R_BUTTON, WEB_NONE, W_FORWARD, 0, H_COMPOSE, 0, 0);
        }
        break;
    }
    case P_COMPOSE: {
        const web_row *w = &st->row[nv->a];
        add(st, R_HEADING, WEB_NONE, nv->b ? W_REPLY : W_FORWARD, w->b, H_NONE, 0, 0);
        int to = add(st, R_TEXTBOX, WEB_NONE, W_TO, 0, H_NONE, 0, 0);
        if (nv->b) st->el[to].value = w->a;
        add(st, R_BUTTON, WEB_NONE, W_SEND, 0, H_SEND, to, 0);
        break;
    }
    default: break;
    }
}

static int mail_done(const web_state *st, int r)
{
    const int f = st->row[r].flags;
    switch (st->target[0]) {
    case 0: return (f & M_STAR) && !(f & (M_ARCHIVED | M_DELETED));
    case 1: return (f & M_ARCHIVED) && !(f & M_DELETED);
    default: return (f & M_DELETED) != 0;
    }
}

static int forwarded(const web_state *st)
{
    for (int k = 0; k < st->n_cart; k++)
        if (st->cart[k][0] == st->target[2] && st->cart[k][1] == st->field[3] && st->cart[k][2] == 0) return 1;
    return 0;
}

static uint32_t eval_mail(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    int all = 1, clean = 1;
    for (int r = 0; r < st->n_row; r++) {
        if (st->row[r].a == st->field[0]) all &= mail_done(st, r);
        else clean &= ((st->row[r].flags ^ st->row[r].c) & ~M_READ) == 0;
    }
    const int fwd = forwarded(st);
    *ok = st->done && all && clean && fwd && st->n_cart == 1;
    const web_nav *nv = ludus_web_top(st);
    return (uint32_t)(nv->page == P_MAIL && nv->a == st->target[2]) | (uint32_t)fwd << 1 | (uint32_t)all << 2;
}

static void oracle_mail(const web_spec *s, const web_state *st, int32_t *a)
{
    const web_nav *nv = ludus_web_top(st);
    if (!forwarded(st)) {
        const int f = st->target[2];
        if (nv->page == P_COMPOSE && nv->a == f && nv->b == 0) {
            int to = ludus_web_find_named(st, R_TEXTBOX, W_TO);
            if (to >= 0 && st->el[to].value != st->field[3]) ludus_web_act(a, V_TYPE, to, s->lex_of[st->field[3]]);
            else ludus_web_click_or_back(st, ludus_web_find(st, H_SEND, to), a);
        } else if (nv->page == P_MAIL && nv->a == f) {
            ludus_web_click_or_back(st, ludus_web_find(st, H_COMPOSE, 0), a);
        } else if (nv->page == P_INBOX) {
            ludus_web_click_or_back(st, ludus_web_find(st, H_OPEN, f), a);
        } else {
            ludus_web_click_or_back(st, ludus_web_find(st, H_GOTO, P_INBOX), a);
        }
        return;
    }
    for (int r = 0; r < st->n_row; r++) {
        if (st->row[r].a != st->field[0] || mail_done(st, r)) continue;
        const int h = st->target[0] << 4 | r;
        if (nv->page == P_INBOX) ludus_web_click_or_back(st, ludus_web_find(st, H_MAILACT, h) >= 0 ? ludus_web_find(st, H_MAILACT, h)
                                                                              : ludus_web_find(st, H_OPEN, r), a);
        else if (nv->page == P_MAIL && nv->a == r) ludus_web_click_or_back(st, ludus_web_find(st, H_MAILACT, h), a);
        else ludus_web_click_or_back(st, ludus_web_find(st, H_GOTO, P_INBOX), a);
        return;
    }
    ludus_web_act(a, V_STOP, ludus_web_any_el(st), 0);
}

/* ================= forms: Web-forms-profile-v0 =================
 * saved[]: the profile (name, city, month, day, newsletter 0/1), shown in
 * the form at reset and replaced by a valid save. nav: P_FORM, P_SAVED.
 * target[0]: the newsletter wanted. fields: name, city, month, day.
 * Elements of the form carry the values being edited; a save with an
 * invalid field (no name, no city, no month, a day the month lacks) shows
 * the field's error text and saves nothing. */

enum { FORM_GROUP_PERSONAL = 1, FORM_GROUP_BIRTHDAY = 2 };

static void gen_form(const web_spec *s, web_state *st)
{
    uint8_t nm[1];
    nm[0] = (uint8_t)ludus_web_draw_counted(s, st, W_NAME0, W_NOUN0, 1, NULL, 0);
    const int m = (int)ludus_web_below(st, 12), d = 1 + (int)ludus_web_below(st, ludus_web_month_days[m]);
    /* four cities on offer: the target first, shuffled at build by the skin */
    int cities[8];
    for (int k = 0; k < 8; k++) cities[k] = k;
    for (int k = 7; k > 0; k--) {
        int j = (int)ludus_web_below(st, (uint32_t)k + 1), t = cities[k];
        cities[k] = cities[j];
        cities[j] = t;
    }
    for (int k = 0; k < 4; k++) st->target[4 + k] = (uint8_t)(W_CITY0 + cities[k]);
    st->field[0] = nm[0];
    st->field[1] = st->target[4];
    st->field[2] = (uint8_t)(W_MONTH0 + m);
    st->field[3] = (uint8_t)(W_NUM1 + d - 1);
    st->n_field = 4;
    st->target[0] = (uint8_t)ludus_web_below(st, 2);
    /* the profile as it stands: each field right or not by chance */
    const int m0 = (int)ludus_web_below(st, 12);
    st->saved[0] = (uint8_t)(ludus_web_below(st, 4) ? ludus_web_draw_counted(s, st, W_NAME0, W_NOUN0, 0, nm, 1) : 0);
    st->saved[1] = st->target[4 + ludus_web_below(st, 4)];
    st->saved[2] = (uint8_t)(W_MONTH0 + m0);
    st->saved[3] = (uint8_t)(W_NUM1 + ludus_web_below(st, ludus_web_month_days[m0]));
    st->saved[4] = (uint8_t)ludus_web_below(st, 2);
    st->nav[0] = (web_nav){P_FORM, 0, 0, 0};
    st->nav_n = 1;
    ludus_web_mission(st, (const char *const[]){"Update the profile: name ", WORD(nm[0]), ", city ",
                                                WORD(st->field[1]), ", birthday ", WORD(st->field[2]), " ",
                                                WORD(st->field[3]), ", ",
                                                st->target[0] ? "subscribed to" : "not subscribed to",
                                                " the newsletter; then save.", NULL});
}

static void build_form(const web_spec *s, web_state *st)
{
    (void)s;
    const web_nav *nv = ludus_web_top(st);
    ludus_web_clear_page(st);
    add(st, R_HEADING, WEB_NONE, W_PROFILE, nv->page == P_SAVED ? W_SAVED : 0, H_NONE, 0, 0);
    if (nv->page == P_SAVED) {
        add(st, R_TEXT, WEB_NONE, W_NAME, st->saved[0], H_NONE, 0, 0);
        add(st, R_TEXT, WEB_NONE, W_CITY, st->saved[1], H_NONE, 0, 0);
        add(st, R_TEXT, WEB_NONE, st->saved[2], st->saved[3], H_NONE, 0, 0);
        add(st, R_TEXT, WEB_NONE, W_NEWSLETTER, st->saved[4] ? W_OK : W_NOTHING, H_NONE, 0, 0);
        return;
    }
    const int tabs = (st->skin & 2) != 0;
    const int g1 = tabs ? FORM_GROUP_PERSONAL : 0, g2 = tabs ? FORM_GROUP_BIRTHDAY : 0;
    if (tabs) {
        ludus_web_add(st, R_TAB, WEB_NONE, W_PERSONAL, 0, H_TAB, FORM_GROUP_PERSONAL, 0, F_SELECTED);
        ludus_web_add(st, R_TAB, WEB_NONE, W_BIRTHDAY, 0, H_TAB, FORM_GROUP_BIRTHDAY, 0, 0);
        st->open = 1u << FORM_GROUP_PERSONAL;
    }
    int name = ludus_web_add(st, R_TEXTBOX, WEB_NONE, W_NAME, 0, H_NONE, 0, g1, 0);
    st->el[name].value = st->saved[0];
    ludus_web_add(st, R_TEXT, WEB_NONE, W_ERROR, W_NAME, H_NONE, 0, g1, F_HIDDEN);
    uint8_t cities[4];
    for (int k = 0; k < 4; k++) cities[k] = st->target[4 + ((k + st->skin) & 3)];
    combobox(st, W_CITY, cities, 4, st->saved[1], 0, g1);
    ludus_web_add(st, R_TEXT, WEB_NONE, W_ERROR, W_CITY, H_NONE, 0, g1, F_HIDDEN);
    int nl = ludus_web_add(st, R_CHECKBOX, WEB_NONE, W_NEWSLETTER, 0, H_TOGGLE, 0, g1, 0);
    if (st->saved[4]) st->el[nl].flags |= F_CHECKED;
    if (st->skin & 1) { /* the month typed, or chosen from a list */
        int mb = ludus_web_add(st, R_TEXTBOX, WEB_NONE, W_MONTH, 0, H_NONE, 0, g2, 0);
        st->el[mb].value = st->saved[2];
    } else {
        uint8_t months[12];
        for (int k = 0; k < 12; k++) months[k] = (uint8_t)(W_MONTH0 + k);
        combobox(st, W_MONTH, months, 12, st->saved[2], 0, g2);
    }
    ludus_web_add(st, R_TEXT, WEB_NONE, W_ERROR, W_MONTH, H_NONE, 0, g2, F_HIDDEN);
    int day = ludus_web_add(st, R_TEXTBOX, WEB_NONE, W_DAY, 0, H_NONE, 0, g2, 0);
    st->el[day].value = st->saved[3];
    ludus_web_add(st, R_TEXT, WEB_NONE, W_ERROR, W_DAY, H_NONE, 0, g2, F_HIDDEN);
    ludus_web_add(st, R_BUTTON, WEB_NONE, (st->skin & 4) ? W_SAVE : W_SUBMIT, 0, H_SAVE, 0, 0, 0);
}

/* The form's values as the page holds them: name, city, month, day, newsletter. */
static void form_values(const web_state *st, uint8_t *v)
{
    memset(v, 0, 5);
    for (int i = 0; i < st->n_el; i++) {
        const web_el *e = &st->el[i];
        if (e->role == R_TEXTBOX || e->role == R_COMBOBOX) {
            int k = e->name == W_NAME ? 0 : e->name == W_CITY ? 1 : e->name == W_MONTH ? 2 : e->name == W_DAY ? 3 : -1;
            if (k >= 0) v[k] = e->value;
        }
        if (e->role == R_CHECKBOX && e->name == W_NEWSLETTER) v[4] = (e->flags & F_CHECKED) != 0;
    }
}

/* error bits of the form's values (1 name, 2 city, 4 month, 8 day) */
static int form_errors(const uint8_t *v)
{
    int err = 0;
    if (v[0] < W_NAME0 || v[0] >= W_NOUN0) err |= 1;
    if (v[1] < W_CITY0 || v[1] >= W_CITY0 + 8) err |= 2;
    if (v[2] < W_MONTH0 || v[2] >= W_MONTH0 + 12) err |= 4;
    else if (v[3] < W_NUM1 || v[3] >= W_NUM1 + ludus_web_month_days[v[2] - W_MONTH0]) err |= 8;
    if (v[3] < W_NUM1 || v[3] >= W_NUM_END) err |= 8;
    return err;
}

static uint32_t eval_form(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    uint8_t v[5];
    if (ludus_web_top(st)->page == P_SAVED) memcpy(v, st->saved, 5);
    else form_values(st, v);
    *ok = st->committed && memcmp(st->saved, st->field, 4) == 0 && st->saved[4] == st->target[0];
    return (uint32_t)(v[0] == st->field[0]) | (uint32_t)(v[1] == st->field[1]) << 1 |
           (uint32_t)(v[2] == st->field[2] && v[3] == st->field[3]) << 2 | (uint32_t)(v[4] == st->target[0]) << 3 |
           (uint32_t)*ok << 4;
}

static void oracle_form(const web_spec *s, const web_state *st, int32_t *a)
{
    ludus_web_act(a, V_STOP, ludus_web_any_el(st), 0);
    if (ludus_web_top(st)->page != P_FORM) return;
    for (int i = 0; i < st->n_el; i++) {
        const web_el *e = &st->el[i];
        int want = -1;
        if (e->role == R_TEXTBOX || e->role == R_COMBOBOX) {
            int k = e->name == W_NAME ? 0 : e->name == W_CITY ? 1 : e->name == W_MONTH ? 2 : e->name == W_DAY ? 3 : -1;
            if (k < 0 || e->value == st->field[k]) continue;
            want = st->field[k];
        } else if (e->role == R_CHECKBOX) {
            if (!!(e->flags & F_CHECKED) == st->target[0]) continue;
        } else {
            continue;
        }
        if (!ludus_web_visible(st, i)) { /* open its tab first */
            ludus_web_click_or_back(st, ludus_web_find(st, H_TAB, e->group), a);
            return;
        }
        if (e->role == R_CHECKBOX) ludus_web_act(a, V_CLICK, i, 0);
        else ludus_web_act(a, e->role == R_TEXTBOX ? V_TYPE : V_SELECT, i, s->lex_of[want]);
        return;
    }
    ludus_web_click_or_back(st, ludus_web_find(st, H_SAVE, 0), a);
}

/* ================= travel: Web-travel-book-v0 =================
 * rows: flights (a from, b to: city indexes 0..7; c price; d day 1..28).
 * nav: P_MAIN (the search form), P_RESULTS (a: from * 9 + to, 8 for a
 * field not set; pad: the day, 0 not set), P_ITEM (a: the flight's
 * booking form), P_DONE. saved[0]: the passenger, saved[1]: the flight
 * booked. target[0]: the cheapest valid flight. fields: from, to, day,
 * passenger. The results show the route's flights a day either side
 * (flexible dates), so a cheaper flight on the wrong day is on the page. */

static void gen_travel(const web_spec *s, web_state *st)
{
    const int n = 6 + (int)ludus_web_below(st, 4);
    const int from = (int)ludus_web_below(st, 8), to = (from + 1 + (int)ludus_web_below(st, 7)) % 8;
    const int day = 2 + (int)ludus_web_below(st, 26), p0 = 5 + (int)ludus_web_below(st, 15);
    for (int r = 0; r < n; r++) {
        web_row *w = &st->row[r];
        w->a = (uint8_t)from;
        w->b = (uint8_t)to;
        w->d = (uint8_t)day;
        switch (r) {
        case 0: w->c = (uint8_t)p0; break;                                            /* the one to book */
        case 1: w->c = (uint8_t)(p0 + 1 + (int)ludus_web_below(st, 10)); break;      /* valid, dearer */
        case 2:                                                                       /* cheaper, a day off */
            w->c = (uint8_t)(1 + ludus_web_below(st, (uint32_t)p0 - 1));
            w->d = (uint8_t)(day + (ludus_web_below(st, 2) ? 1 : -1));
            break;
        case 3: /* cheaper, the other way */
            w->c = (uint8_t)(1 + ludus_web_below(st, (uint32_t)p0 - 1));
            w->a = (uint8_t)to;
            w->b = (uint8_t)from;
            break;
        default:
            w->a = (uint8_t)ludus_web_below(st, 8);
            w->b = (uint8_t)((w->a + 1 + ludus_web_below(st, 7)) % 8);
            w->d = (uint8_t)(1 + ludus_web_below(st, 28));
            w->c = (uint8_t)(1 + ludus_web_below(st, 31));
            if (w->a == from && w->b == to && w->d == day) w->c = (uint8_t)(p0 + 1 + (int)ludus_web_below(st, 10));
        }
    }
    st->n_row = (uint8_t)n;
    const int at = shuffle_rows(st, n);
    st->target[0] = (uint8_t)at;
    st->field[0] = (uint8_t)(W_CITY0 + from);
    st->field[1] = (uint8_t)(W_CITY0 + to);
    st->field[2] = (uint8_t)(W_NUM1 + day - 1);
    st->field[3] = (uint8_t)ludus_web_draw_counted(s, st, W_NAME0, W_NOUN0, 1, NULL, 0);
    st->n_field = 4;
    st->nav[0] = (web_nav){P_MAIN, 0, 0, 0};
    st->nav_n = 1;
    ludus_web_mission(st, (const char *const[]){"Book the cheapest flight from ", WORD(st->field[0]), " to ",
                                                WORD(st->field[1]), " on day ", WORD(st->field[2]), " for ",
                                                WORD(st->field[3]), ".", NULL});
}

static int city_of(int w) { return w >= W_CITY0 && w < W_CITY0 + 8 ? w - W_CITY0 : 8; }

static void build_travel(const web_spec *s, web_state *st)
{
    (void)s;
    const web_nav *nv = ludus_web_top(st);
    ludus_web_clear_page(st);
    if (st->skin & 4) add(st, R_HEADING, WEB_NONE, W_TRAVEL, 0, H_NONE, 0, 0);
    if (nv->page != P_MAIN) add(st, R_LINK, WEB_NONE, W_TRAVEL, 0, H_GOTO, P_MAIN, 0);
    switch (nv->page) {
    case P_MAIN: {
        uint8_t cities[8];
        for (int k = 0; k < 8; k++) cities[k] = (uint8_t)(W_CITY0 + k);
        for (int g = 0; g < 2; g++) { /* the cities typed, or chosen from lists */
            if (st->skin & 1) add(st, R_TEXTBOX, WEB_NONE, g ? W_TO : W_FROM, 0, H_NONE, 0, 0);
            else combobox(st, g ? W_TO : W_FROM, cities, 8, 0, 0, 0);
        }
        add(st, R_TEXTBOX, WEB_NONE, W_DAY, 0, H_NONE, 0, 0);
        add(st, R_BUTTON, WEB_NONE, (st->skin & 2) ? W_GO : W_SEARCH, 0, H_FLIGHTS, 0, 0);
        break;
    }
    case P_RESULTS: {
        const int f = nv->a / 9, t = nv->a % 9, d = nv->pad;
        add(st, R_HEADING, WEB_NONE, W_FLIGHTS, d ? W_NUM1 + d - 1 : 0, H_NONE, 0, 0);
        int hits = 0;
        for (int r = 0; r < st->n_row; r++) {
            const web_row *w = &st->row[r];
            if (w->a != f || w->b != t || !d || w->d + 1 < d || w->d > d + 1) continue;
            int g = add(st, R_TEXT, WEB_NONE, W_CITY0 + w->a, W_CITY0 + w->b, H_NONE, 0, 0);
            add(st, R_TEXT, g, W_DAY, W_NUM1 + w->d - 1, H_NONE, 0, 0);
            add(st, R_TEXT, g, W_PRICE, W_NUM1 + w->c - 1, H_NONE, 0, 0);
            add(st, R_LINK, g, (st->skin & 2) ? W_BUY : W_ORDER, 0, H_OPEN, r, 0);
            hits++;
        }
        if (!hits) add(st, R_TEXT, WEB_NONE, W_NOTHING, 0, H_NONE, 0, 0);
        break;
    }
    case P_ITEM: {
        const web_row *w = &st->row[nv->a];
        add(st, R_HEADING, WEB_NONE, W_CITY0 + w->a, W_CITY0 + w->b, H_NONE, 0, 0);
        add(st, R_TEXT, WEB_NONE, W_DAY, W_NUM1 + w->d - 1, H_NONE, 0, 0);
        add(st, R_TEXT, WEB_NONE, W_PRICE, W_NUM1 + w->c - 1, H_NONE, 0, 0);
        add(st, R_TEXTBOX, WEB_NONE, W_PASSENGER, 0, H_NONE, 0, 0);
        add(st, R_BUTTON, WEB_NONE, W_ORDER, 0, H_BOOK, 0, 0);
        break;
    }
    case P_DONE: {
        const web_row *w = &st->row[st->saved[1] < st->n_row ? st->saved[1] : 0];
        add(st, R_HEADING, WEB_NONE, W_THANKS, st->saved[0], H_NONE, 0, 0);
        add(st, R_TEXT, WEB_NONE, W_CITY0 + w->a, W_CITY0 + w->b, H_NONE, 0, 0);
        add(st, R_TEXT, WEB_NONE, W_DAY, W_NUM1 + w->d - 1, H_NONE, 0, 0);
        break;
    }
    default: break;
    }
}

static uint32_t eval_travel(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    const web_nav *nv = ludus_web_top(st);
    const int route = city_of(st->field[0]) * 9 + city_of(st->field[1]), day = st->field[2] - W_NUM1 + 1;
    *ok = st->committed && st->saved[1] == st->target[0] && st->saved[0] == st->field[3];
    return (uint32_t)(nv->page == P_RESULTS && nv->a == route && nv->pad == day) |
           (uint32_t)(nv->page == P_ITEM && nv->a == st->target[0]) << 1 | (uint32_t)*ok << 2;
}

static void oracle_travel(const web_spec *s, const web_state *st, int32_t *a)
{
    const web_nav *nv = ludus_web_top(st);
    const int route = city_of(st->field[0]) * 9 + city_of(st->field[1]), day = st->field[2] - W_NUM1 + 1;
    switch (nv->page) {
    case P_MAIN:
        for (int g = 0; g < 3; g++) {
            const int name = g == 0 ? W_FROM : g == 1 ? W_TO : W_DAY;
            int i = ludus_web_find_named(st, R_TEXTBOX, name);
            if (i < 0) i = ludus_web_find_named(st, R_COMBOBOX, name);
            if (i < 0 || st->el[i].value == st->field[g]) continue;
            ludus_web_act(a, st->el[i].role == R_TEXTBOX ? V_TYPE : V_SELECT, i, s->lex_of[st->field[g]]);
            return;
        }
        ludus_web_click_or_back(st, ludus_web_find(st, H_FLIGHTS, 0), a);
        return;
    case P_RESULTS:
        if (nv->a == route && nv->pad == day) {
            ludus_web_click_or_back(st, ludus_web_find(st, H_OPEN, st->target[0]), a);
            return;
        }
        break;
    case P_ITEM:
        if (nv->a == st->target[0]) {
            int box = ludus_web_find_named(st, R_TEXTBOX, W_PASSENGER);
            if (box >= 0 && st->el[box].value != st->field[3]) ludus_web_act(a, V_TYPE, box, s->lex_of[st->field[3]]);
            else ludus_web_click_or_back(st, ludus_web_find(st, H_BOOK, 0), a);
            return;
        }
        break;
    default: break;
    }
    ludus_web_click_or_back(st, ludus_web_find(st, H_GOTO, P_MAIN), a);
}

/* ================= calendar: Web-calendar-schedule-v0 =================
 * rows: events (a day 1..7, b hour 9..16, c title, d invitee). nav:
 * P_WEEK, P_DAY (a: day), P_EVENT (a: day, pad: hour). target: the day,
 * the first free hour from the one asked; saved[1]: the events at reset.
 * fields: title, invitee, day, hour. */

static int busy(const web_state *st, int day, int hour)
{
    for (int r = 0; r < st->n_row; r++)
        if (st->row[r].a == day && st->row[r].b == hour) return 1;
    return 0;
}

static void gen_calendar(const web_spec *s, web_state *st)
{
    const int day = 1 + (int)ludus_web_below(st, 7), from = 9 + (int)ludus_web_below(st, 4);
    const int k = (int)ludus_web_below(st, 4);
    uint8_t who[2];
    who[0] = (uint8_t)ludus_web_draw_counted(s, st, W_NAME0, W_NOUN0, 1, NULL, 0);
    const int title = ludus_web_draw_counted(s, st, W_NOUN0, W_MONTH0, 1, NULL, 0);
    int n = 0;
    for (int h = from; h < from + k; h++) st->row[n++] = (web_row){(uint8_t)day, (uint8_t)h, 0, 0, 0, 0, 0, 0};
    if (from >= 11 && ludus_web_below(st, 2)) /* busy before the hour asked, and a free hour before it */
        st->row[n++] = (web_row){(uint8_t)day, (uint8_t)(9 + ludus_web_below(st, (uint32_t)from - 10)), 0, 0, 0, 0, 0, 0};
    for (int m = 3 + (int)ludus_web_below(st, 3); m > 0 && n < WEB_ROWS - 1; m--) {
        int d = 1 + (int)ludus_web_below(st, 7), h = 9 + (int)ludus_web_below(st, 8);
        if (d == day || busy(st, d, h)) continue; /* other days only */
        st->row[n++] = (web_row){(uint8_t)d, (uint8_t)h, 0, 0, 0, 0, 0, 0};
    }
    for (int r = 0; r < n; r++) {
        st->row[r].c = (uint8_t)ludus_web_draw_counted(s, st, W_NOUN0, W_MONTH0, 0, NULL, 0);
        st->row[r].d = (uint8_t)ludus_web_draw_counted(s, st, W_NAME0, W_NOUN0, 0, NULL, 0);
    }
    st->n_row = (uint8_t)n;
    st->saved[1] = (uint8_t)n;
    st->target[0] = (uint8_t)day;
    st->target[1] = (uint8_t)(from + k);
    st->field[0] = (uint8_t)title;
    st->field[1] = who[0];
    st->field[2] = (uint8_t)(W_NUM1 + day - 1);
    st->field[3] = (uint8_t)(W_NUM1 + from - 1);
    st->n_field = 4;
    st->nav[0] = (web_nav){P_WEEK, 0, 0, 0};
    st->nav_n = 1;
    ludus_web_mission(st, (const char *const[]){"Schedule ", WORD(title), " with ", WORD(who[0]), " on day ",
                                                WORD(st->field[2]), " in the first free hour from ",
                                                WORD(st->field[3]), " on.", NULL});
}

void ludus_web_build_calendar(const web_spec *s, web_state *st)
{
    (void)s;
    const web_nav *nv = ludus_web_top(st);
    ludus_web_clear_page(st);
    if (nv->page != P_WEEK) add(st, R_LINK, WEB_NONE, W_CALENDAR, 0, H_GOTO, P_WEEK, 0);
    switch (nv->page) {
    case P_WEEK:
        if (st->skin & 4) add(st, R_HEADING, WEB_NONE, W_CALENDAR, 0, H_NONE, 0, 0);
        for (int d = 1; d <= 7; d++) add(st, R_LINK, WEB_NONE, W_DAY, W_NUM1 + d - 1, H_DAYVIEW, d, 0);
        break;
    case P_DAY:
        add(st, R_HEADING, WEB_NONE, W_DAY, W_NUM1 + nv->a - 1, H_NONE, 0, 0);
        for (int h = 9; h <= 16; h++) {
            int r = -1;
            for (int k = 0; k < st->n_row; k++)
                if (st->row[k].a == nv->a && st->row[k].b == h) r = k;
            if (r >= 0) {
                int t = add(st, R_TEXT, WEB_NONE, W_NUM1 + h - 1, st->row[r].c, H_NONE, 0, 0);
                if (st->row[r].d) add(st, R_TEXT, t, W_WITH, st->row[r].d, H_NONE, 0, 0);
            } else {
                add(st, R_BUTTON, WEB_NONE, W_NUM1 + h - 1, (st->skin & 2) ? W_ADD : W_FREE, H_SLOT, h, 0);
            }
        }
        break;
    case P_EVENT:
        add(st, R_HEADING, WEB_NONE, W_EVENT, W_NUM1 + nv->pad - 1, H_NONE, 0, 0);
        if (st->skin & 1) { /* the field order */
            add(st, R_TEXTBOX, WEB_NONE, W_WITH, 0, H_NONE, 0, 0);
            add(st, R_TEXTBOX, WEB_NONE, W_TITLE, 0, H_NONE, 0, 0);
        } else {
            add(st, R_TEXTBOX, WEB_NONE, W_TITLE, 0, H_NONE, 0, 0);
            add(st, R_TEXTBOX, WEB_NONE, W_WITH, 0, H_NONE, 0, 0);
        }
        add(st, R_BUTTON, WEB_NONE, (st->skin & 4) ? W_SAVE : W_OK, 0, H_CREATE, 0, 0);
        break;
    default: break;
    }
}

static uint32_t eval_calendar(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    const web_nav *nv = ludus_web_top(st);
    int made = 0;
    for (int r = st->saved[1]; r < st->n_row; r++)
        made |= st->row[r].a == st->target[0] && st->row[r].b == st->target[1] && st->row[r].c == st->field[0] &&
                st->row[r].d == st->field[1];
    *ok = st->committed && made && st->n_row == st->saved[1] + 1;
    return (uint32_t)(nv->page == P_DAY && nv->a == st->target[0]) |
           (uint32_t)(nv->page == P_EVENT && nv->a == st->target[0] && nv->pad == st->target[1]) << 1 |
           (uint32_t)*ok << 2;
}

static void oracle_calendar(const web_spec *s, const web_state *st, int32_t *a)
{
    const web_nav *nv = ludus_web_top(st);
    if (st->committed) {
        ludus_web_act(a, V_STOP, ludus_web_any_el(st), 0);
        return;
    }
    if (nv->page == P_WEEK) {
        ludus_web_click_or_back(st, ludus_web_find(st, H_DAYVIEW, st->target[0]), a);
        return;
    }
    if (nv->page == P_DAY && nv->a == st->target[0]) {
        ludus_web_click_or_back(st, ludus_web_find(st, H_SLOT, st->target[1]), a);
        return;
    }
    if (nv->page == P_EVENT && nv->a == st->target[0] && nv->pad == st->target[1]) {
        for (int g = 0; g < 2; g++) {
            int box = ludus_web_find_named(st, R_TEXTBOX, g ? W_WITH : W_TITLE);
            if (box >= 0 && st->el[box].value != st->field[g]) {
                ludus_web_act(a, V_TYPE, box, s->lex_of[st->field[g]]);
                return;
            }
        }
        ludus_web_click_or_back(st, ludus_web_find(st, H_CREATE, 0), a);
        return;
    }
    ludus_web_click_or_back(st, ludus_web_find(st, H_GOTO, P_WEEK), a);
}

/* ================= the handlers ================= */

static int commit_site(web_state *st)
{
    st->committed = 1;
    st->done = 1;
    return RC_OK;
}

int ludus_web_site_click(const web_spec *s, web_state *st, int i)
{
    web_el *e = &st->el[i];
    web_nav *nv = cur(st);
    switch (e->handler) {
    case H_DAYVIEW:
        go(s, st, (web_nav){P_DAY, e->harg, 0, 0});
        return RC_OK;
    case H_SLOT:
        if (nv->page != P_DAY || nv->a < 1 || nv->a > 7 || busy(st, nv->a, e->harg)) return RC_DISABLED;
        go(s, st, (web_nav){P_EVENT, nv->a, 0, e->harg});
        return RC_OK;
    case H_CREATE: {
        if (nv->page != P_EVENT || nv->a < 1 || nv->a > 7 || nv->pad < 9 || nv->pad > 16 || busy(st, nv->a, nv->pad) ||
            st->n_row >= WEB_ROWS)
            return RC_DISABLED;
        int t = ludus_web_find_named(st, R_TEXTBOX, W_TITLE), w = ludus_web_find_named(st, R_TEXTBOX, W_WITH);
        st->row[st->n_row++] = (web_row){nv->a, nv->pad, t >= 0 ? st->el[t].value : 0, w >= 0 ? st->el[w].value : 0,
                                         0, 0, 0, 0};
        commit_site(st);
        go(s, st, (web_nav){P_DAY, nv->a, 0, 0});
        return RC_OK;
    }
    case H_FLIGHTS: {
        int v[3] = {0, 0, 0};
        for (int j = 0; j < st->n_el; j++) {
            const web_el *x = &st->el[j];
            if (x->role == R_TEXTBOX || x->role == R_COMBOBOX) {
                int k = x->name == W_FROM ? 0 : x->name == W_TO ? 1 : x->name == W_DAY ? 2 : -1;
                if (k >= 0) v[k] = x->value;
            }
        }
        const int d = v[2] >= W_NUM1 && v[2] < W_NUM_END ? v[2] - W_NUM1 + 1 : 0;
        go(s, st, (web_nav){P_RESULTS, (uint8_t)(city_of(v[0]) * 9 + city_of(v[1])), 0, (uint8_t)d});
        return RC_OK;
    }
    case H_BOOK: {
        if (nv->page != P_ITEM || nv->a >= st->n_row) return RC_DISABLED;
        int box = ludus_web_find_named(st, R_TEXTBOX, W_PASSENGER);
        st->saved[0] = box >= 0 ? st->el[box].value : 0;
        st->saved[1] = nv->a;
        commit_site(st);
        go(s, st, (web_nav){P_DONE, 0, 0, 0});
        return RC_OK;
    }
    case H_OPEN:
        if (e->harg >= st->n_row) return RC_DISABLED;
        if (s->task->build == build_mail) {
            st->row[e->harg].flags |= M_READ;
            go(s, st, (web_nav){P_MAIL, e->harg, 0, 0});
        } else {
            go(s, st, (web_nav){P_ITEM, e->harg, 0, 0});
        }
        return RC_OK;
    case H_GOTO:
        if (e->harg == P_CHECKOUT && !st->n_cart) return RC_DISABLED;
        go(s, st, (web_nav){e->harg, 0, 0, 0});
        return RC_OK;
    case H_FILTER: {
        const int v = st->el[e->harg].value;
        int f = 0;
        for (int k = 1; k < 4; k++)
            if (v == filter_words[k]) f = k;
        go(s, st, (web_nav){P_RESULTS, nv->a, 0, (uint8_t)f});
        return RC_OK;
    }
    case H_OPTION:
        for (int j = 0; j < st->n_el; j++)
            if (st->el[j].handler == H_OPTION && st->el[j].harg >> 4 == e->harg >> 4)
                st->el[j].flags &= (uint8_t)~F_SELECTED;
        e->flags |= F_SELECTED;
        return RC_OK;
    case H_ADD:
        if (nv->page != P_ITEM || nv->a >= st->n_row || st->n_cart >= WEB_CART) return RC_DISABLED;
        st->cart[st->n_cart][0] = nv->a;
        st->cart[st->n_cart][1] = (uint8_t)shop_chosen(st, 0);
        st->cart[st->n_cart][2] = (uint8_t)shop_chosen(st, 1);
        st->n_cart++;
        go(s, st, (web_nav){P_CART, 0, 0, 0});
        return RC_OK;
    case H_REMOVE:
        if (e->harg >= st->n_cart) return RC_DISABLED;
        memmove(st->cart[e->harg], st->cart[e->harg + 1], (size_t)(st->n_cart - e->harg - 1) * 3);
        st->n_cart--;
        memset(st->cart[st->n_cart], 0, 3);
        s->task->build(s, st);
        return RC_OK;
    case H_ORDER: {
        if (!st->n_cart) return RC_DISABLED;
        int box = ludus_web_find_named(st, R_TEXTBOX, W_NAME);
        st->saved[0] = box >= 0 ? st->el[box].value : 0;
        commit_site(st);
        go(s, st, (web_nav){P_DONE, 0, 0, 0});
        return RC_OK;
    }
    case H_MAILACT: {
        const int r = e->harg & 15, what = e->harg >> 4;
        if (r >= st->n_row) return RC_DISABLED;
        if (what == 0) st->row[r].flags ^= M_STAR;
        else st->row[r].flags |= what == 1 ? M_ARCHIVED : M_DELETED;
        if (what && nv->page == P_MAIL) { /* the mail is gone: back to the inbox */
            if (st->nav_n > 1) st->nav_n--;
            else *nv = (web_nav){P_INBOX, 0, 0, 0};
        }
        s->task->build(s, st);
        return RC_OK;
    }
    case H_COMPOSE:
        if (nv->page != P_MAIL || nv->a >= st->n_row) return RC_DISABLED;
        go(s, st, (web_nav){P_COMPOSE, nv->a, e->harg, 0});
        return RC_OK;
    case H_SEND: {
        if (nv->page != P_COMPOSE || nv->a >= st->n_row || st->n_cart >= WEB_CART) return RC_DISABLED;
        const int to = st->el[e->harg].value;
        if (!to) return RC_OK; /* no recipient: nothing is sent, the form stays */
        st->cart[st->n_cart][0] = nv->a;
        st->cart[st->n_cart][1] = (uint8_t)to;
        st->cart[st->n_cart][2] = nv->b;
        st->n_cart++;
        if (st->nav_n > 1) st->nav_n--; /* back where compose was opened */
        else *nv = (web_nav){P_INBOX, 0, 0, 0};
        s->task->build(s, st);
        return RC_OK;
    }
    case H_SAVE: {
        if (nv->page != P_FORM) return RC_DISABLED;
        uint8_t v[5];
        form_values(st, v);
        const int err = form_errors(v);
        st->n_error = 0;
        for (int j = 0; j < st->n_el; j++) {
            web_el *x = &st->el[j];
            if (x->role != R_TEXT || x->name != W_ERROR) continue;
            int bit = x->name2 == W_NAME ? 1 : x->name2 == W_CITY ? 2 : x->name2 == W_MONTH ? 4 : 8;
            x->flags = (uint8_t)((x->flags & ~F_HIDDEN) | ((err & bit) ? 0 : F_HIDDEN));
        }
        for (int b = err; b; b &= b - 1) st->n_error++;
        if (err) return RC_OK;
        memcpy(st->saved, v, 5);
        commit_site(st);
        go(s, st, (web_nav){P_SAVED, 0, 0, 0});
        return RC_OK;
    }
    default: /* the social site's handlers, then the held-out templates' (site_heldout.c) */
        if (st->el[i].handler >= H_FORUM && st->el[i].handler <= H_MUTE) return ludus_web_social_click(s, st, i);
        return ludus_web_heldout_click(s, st, i);
    }
}

void ludus_web_build_shop(const web_spec *s, web_state *st) { build_shop(s, st); }

/* ================= foreign states ================= */

#define BAD(...) return ludus_err_set(LUDUS_EFORMAT, __VA_ARGS__)

/* The pages each site has, as bits of P_*. */
static uint32_t site_pages(const web_spec *s)
{
    if (s->task->build == build_shop)
        return 1u << P_MAIN | 1u << P_RESULTS | 1u << P_ITEM | 1u << P_CART | 1u << P_CHECKOUT | 1u << P_DONE;
    if (s->task->build == build_mail) return 1u << P_INBOX | 1u << P_MAIL | 1u << P_COMPOSE;
    if (s->task->build == build_travel) return 1u << P_MAIN | 1u << P_RESULTS | 1u << P_ITEM | 1u << P_DONE;
    if (s->task->build == ludus_web_build_calendar) return 1u << P_WEEK | 1u << P_DAY | 1u << P_EVENT;
    return 1u << P_FORM | 1u << P_SAVED;
}

/* The handlers each site's pages use, as bits of H_*. */
static uint32_t site_handlers(const web_spec *s)
{
    uint32_t h = 1u << H_NONE | 1u << H_GOTO;
    if (s->task->build == build_shop)
        h |= 1u << H_SEARCH | 1u << H_OPEN | 1u << H_FILTER | 1u << H_OPTION | 1u << H_ADD | 1u << H_REMOVE |
             1u << H_ORDER;
    else if (s->task->build == build_mail)
        h |= 1u << H_OPEN | 1u << H_MAILACT | 1u << H_COMPOSE | 1u << H_SEND;
    else if (s->task->build == build_travel)
        h |= 1u << H_OPEN | 1u << H_FLIGHTS | 1u << H_BOOK;
    else if (s->task->build == ludus_web_build_calendar)
        h |= 1u << H_DAYVIEW | 1u << H_SLOT | 1u << H_CREATE;
    else
        h |= 1u << H_TAB | 1u << H_TOGGLE | 1u << H_SAVE;
    return h;
}

static int validate_site(const web_spec *s, const web_state *st)
{
    const int shop = s->task->build == build_shop, mail = s->task->build == build_mail;
    const int travel = s->task->build == build_travel, cal = s->task->build == ludus_web_build_calendar;
    if (st->n_row > WEB_ROWS || st->n_cart > WEB_CART || st->n_error > 4) BAD("web state: site counts out of range");
    if ((shop || mail || travel || cal) && st->n_row < 1) BAD("web state: a site without rows");
    for (int r = 0; r < WEB_ROWS; r++) {
        const web_row *w = &st->row[r];
        if (w->a >= W_END || w->b >= W_END) BAD("web state: row %d has a word out of the vocabulary", r);
        if (shop && r < st->n_row && (w->c < 1 || w->c > 31 || w->d < 1 || w->d > 5 || w->e > 15 || w->f > 7))
            BAD("web state: product %d out of range", r);
        if (travel && r < st->n_row && (w->a > 7 || w->b > 7 || w->c < 1 || w->c > 31 || w->d < 1 || w->d > 31))
            BAD("web state: flight %d out of range", r);
        if (cal && r < st->n_row && (w->a < 1 || w->a > 7 || w->b < 9 || w->b > 16))
            BAD("web state: event %d out of range", r);
    }
    for (int k = 0; k < st->n_cart; k++) {
        const uint8_t *l = st->cart[k];
        if (l[0] >= st->n_row || (shop && (l[1] > 4 || l[2] > 3)) || (mail && (l[1] >= W_END || l[2] > 1)) ||
            (!shop && !mail))
            BAD("web state: cart or outbox line %d out of range", k);
    if (travel && st->field[2] < W_NUM1) BAD("web state: the day asked is no day");
    }
    for (int k = 0; k < 8; k++)
        if (st->saved[k] >= W_END) BAD("web state: saved value %d out of range", k);
    if (shop && (st->target[0] >= st->n_row || st->target[1] > 3 || st->target[2] > 2 || st->target[3] > 2))
        BAD("web state: the shop's targets out of range");
    if (mail && (st->target[0] > 2 || st->target[2] >= st->n_row)) BAD("web state: the mail's targets out of range");
    if (travel && st->target[0] >= st->n_row) BAD("web state: the flight to book out of range");
    if (cal && (st->target[0] < 1 || st->target[0] > 7 || st->target[1] < 9 || st->target[1] > 16 ||
                st->saved[1] > st->n_row))
        BAD("web state: the calendar's targets out of range");
    if (!shop && !mail && !travel && !cal) {
        if (st->target[0] > 1) BAD("web state: the form's targets out of range");
        for (int k = 4; k < 8; k++)
            if (st->target[k] < W_CITY0 || st->target[k] >= W_CITY0 + 8) BAD("web state: the form's city %d", k - 4);
    }
    const uint32_t pages = site_pages(s), handlers = site_handlers(s);
    for (int k = 0; k < st->nav_n; k++) {
        const web_nav *n = &st->nav[k];
        if (!(pages >> n->page & 1)) BAD("web state: navigation entry %d names page %d of another site", k, n->page);
        if ((n->page == P_ITEM || n->page == P_MAIL || n->page == P_COMPOSE) && n->a >= st->n_row)
            BAD("web state: navigation entry %d names row %d of %d", k, n->a, st->n_row);
        if ((cal && (n->page == P_DAY || n->page == P_EVENT) && (n->a < 1 || n->a > 7)) ||
            (cal && n->page == P_EVENT && (n->pad < 9 || n->pad > 16)))
            BAD("web state: navigation entry %d names no day or hour", k);
        if ((travel ? n->pad > 31 || n->a > 80 : cal ? n->pad > 16 : n->pad > 3) || (n->page == P_COMPOSE && n->b > 1))
            BAD("web state: navigation entry %d", k);
    }
    for (int i = 0; i < st->n_el; i++) {
        const web_el *e = &st->el[i];
        /* (handlers past 31, the social site's and the held-out templates', and page numbers past 31 are no bits
         * of these masks) */
        if (e->handler >= 32 || !(handlers >> e->handler & 1))
            BAD("web state: element %d has handler %d of another site", i, e->handler);
        if ((e->handler == H_OPEN && e->harg >= st->n_row) ||
            (e->handler == H_GOTO && (e->harg >= 32 || !(pages >> e->harg & 1))) ||
            (e->handler == H_FILTER && (e->harg >= st->n_el || st->el[e->harg].role != R_COMBOBOX)) ||
            (e->handler == H_SEND && (e->harg >= st->n_el || st->el[e->harg].role != R_TEXTBOX)) ||
            (e->handler == H_OPTION && ((e->harg >> 4) > 1 || (e->harg & 15) > 3)) ||
            (e->handler == H_REMOVE && e->harg >= WEB_CART) || (e->handler == H_COMPOSE && e->harg > 1) ||
            (e->handler == H_MAILACT && ((e->harg >> 4) > 2 || (e->harg & 15) >= st->n_row)) ||
            (e->handler == H_DAYVIEW && (e->harg < 1 || e->harg > 7)) ||
            (e->handler == H_SLOT && (e->harg < 9 || e->harg > 16)))
            BAD("web state: element %d handler argument %d", i, e->harg);
    }
    return LUDUS_OK;
}

int ludus_web_validate_site(const web_spec *s, const web_state *st) { return validate_site(s, st); }

const web_task ludus_web_site_tasks[] = {
    {"shop-buy", gen_shop, build_shop, eval_shop, WEB_LEX_SHOP, 40, 4, 0, oracle_shop, validate_site},
    {"mail-triage", gen_mail, build_mail, eval_mail, WEB_LEX_MAIL, 50, 3, 0, oracle_mail, validate_site},
    {"forms-profile", gen_form, build_form, eval_form, WEB_LEX_FORM, 30, 5, 0, oracle_form, validate_site},
    {"travel-book", gen_travel, build_travel, eval_travel, WEB_LEX_TRAVEL, 30, 3, 0, oracle_travel, validate_site},
    {"calendar-schedule", gen_calendar, ludus_web_build_calendar, eval_calendar, WEB_LEX_CALENDAR, 30, 3, 0,
     oracle_calendar, validate_site},
};
const int ludus_web_site_task_count = (int)(sizeof ludus_web_site_tasks / sizeof ludus_web_site_tasks[0]);
