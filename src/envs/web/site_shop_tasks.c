/* site_shop_tasks.c: two more tasks on the shop template of sites.c
 * (spec/web.md B5): Web-shop-cart-v0 (S2: make the cart exactly the
 * lines named, a multiset of product, colour and size, then check out to
 * a name; a key node per cart edit and one for checkout) and
 * Web-info-seek-v0 (S8: read a product's price or rating off the shop
 * and answer with `stop [answer]`; about one episode in ten asks for a
 * product the shop lacks and needs `stop [N/A]`; an answer is one
 * interned word, compared exactly). Both use the shop's pages, handlers
 * and skins unchanged (ludus_web_build_shop); a product is named by its
 * brand and noun, and every (brand, noun) pair of a shop is unique.
 */
#include <string.h>

#include "web.h"

#define WORD(w) ludus_web_words[w]


/* Products [first, n) of other nouns and brands, each (brand, noun) pair
 * new and none (no_brand, no_noun); rows [0, first) already hold theirs.
 * Every product gets a price, a rating and random colour and size
 * options. */
static void fill_products(const web_spec *s, web_state *st, int first, int n, int no_noun, int no_brand)
{
    for (int r = 0; r < n; r++) {
        web_row *w = &st->row[r];
        if (r >= first) {
            w->a = (uint8_t)ludus_web_draw_word(s, st, W_NOUN0, W_MONTH0, 0, NULL, 0);
            uint8_t taken[WEB_ROWS + 1];
            int m = 0;
            if (w->a == no_noun) taken[m++] = (uint8_t)no_brand;
            for (int q = 0; q < r; q++)
                if (st->row[q].a == w->a) taken[m++] = st->row[q].b;
            w->b = (uint8_t)ludus_web_draw_word(s, st, W_NAME0, W_NOUN0, 0, taken, m);
        }
        w->c = (uint8_t)(1 + ludus_web_below(st, 31));
        w->d = (uint8_t)(1 + ludus_web_below(st, 5));
        w->e = (uint8_t)(1 + ludus_web_below(st, 15));
        w->f = (uint8_t)(1 + ludus_web_below(st, 7));
        w->flags = w->pad = 0;
    }
    st->n_row = (uint8_t)n;
}

/* Shuffles rows [0, n); where[k] (k < m) follows row where[k]. */
static void shuffle(web_state *st, int n, uint8_t *where, int m)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)ludus_web_below(st, (uint32_t)i + 1);
        web_row t = st->row[i];
        st->row[i] = st->row[j];
        st->row[j] = t;
        for (int k = 0; k < m; k++) where[k] = (uint8_t)(where[k] == i ? j : where[k] == j ? i : where[k]);
    }
}

/* the oracle's way to the item page of row r: search its noun, open it */
static void toward_item(const web_spec *s, const web_state *st, int r, int32_t *a)
{
    const web_nav *nv = ludus_web_top(st);
    const int noun = st->row[r].a;
    if (nv->page == P_MAIN) {
        int box = ludus_web_find_named(st, R_TEXTBOX, W_SEARCH);
        if (box >= 0 && st->el[box].value != noun) ludus_web_act(a, V_TYPE, box, s->lex_of[noun]);
        else ludus_web_click_or_back(st, ludus_web_find(st, H_SEARCH, box), a);
        return;
    }
    if (nv->page == P_RESULTS && nv->a == noun && ludus_web_find(st, H_OPEN, r) >= 0) {
        ludus_web_act(a, V_CLICK, ludus_web_find(st, H_OPEN, r), 0);
        return;
    }
    ludus_web_click_or_back(st, ludus_web_find(st, H_GOTO, P_MAIN), a);
}

/* ================= Web-shop-cart-v0 =================
 * target: row A, colour A, size A, count of A (1-2), row B, colour B,
 * size B (one of B). The cart starts with one stale line (the near-miss
 * product with A's options, A in another colour, or B in another size)
 * and sometimes B's line already right. fields: A's noun and brand, B's
 * noun and brand, the ship-to name. */

static void line_of(const web_state *st, int which, uint8_t *l)
{
    l[0] = st->target[which ? 4 : 0];
    l[1] = (uint8_t)(st->target[which ? 5 : 1] + 1);
    l[2] = (uint8_t)(st->target[which ? 6 : 2] + 1);
}

static void gen_cart(const web_spec *s, web_state *st)
{
    const int n = 6 + (int)ludus_web_below(st, 4);
    web_row *r = st->row;
    memset(r, 0, sizeof st->row);
    r[0].a = (uint8_t)ludus_web_draw_word(s, st, W_NOUN0, W_MONTH0, 1, NULL, 0);
    r[0].b = (uint8_t)ludus_web_draw_word(s, st, W_NAME0, W_NOUN0, 0, NULL, 0);
    r[1].a = r[0].a; /* the near miss: A's noun, another brand */
    r[1].b = (uint8_t)ludus_web_draw_word(s, st, W_NAME0, W_NOUN0, 0, &r[0].b, 1);
    uint8_t nn[1] = {r[0].a}, bb[2] = {r[0].b, r[1].b};
    r[2].a = (uint8_t)(ludus_web_below(st, 2) ? r[0].a : ludus_web_draw_word(s, st, W_NOUN0, W_MONTH0, 1, nn, 1));
    r[2].b = (uint8_t)ludus_web_draw_word(s, st, W_NAME0, W_NOUN0, 0, bb, 2);
    fill_products(s, st, 3, n, 0, 0);
    const int ca = (int)ludus_web_below(st, 4), za = (int)ludus_web_below(st, 3);
    const int cb = (int)ludus_web_below(st, 4), zb = (int)ludus_web_below(st, 3);
    const int ca2 = (ca + 1 + (int)ludus_web_below(st, 3)) & 3, zb2 = (zb + 1 + (int)ludus_web_below(st, 2)) % 3;
    r[0].e |= (uint8_t)(1 << ca | 1 << ca2);
    r[0].f |= (uint8_t)(1 << za);
    r[1].e |= (uint8_t)(1 << ca);
    r[1].f |= (uint8_t)(1 << za);
    r[2].e |= (uint8_t)(1 << cb);
    r[2].f |= (uint8_t)(1 << zb | 1 << zb2);
    uint8_t at[3] = {0, 1, 2};
    shuffle(st, n, at, 3);
    const int stale = (int)ludus_web_below(st, 3), keep_b = (int)ludus_web_below(st, 2);
    const int qa = 1 + (int)ludus_web_below(st, 2);
    st->target[0] = at[0];
    st->target[1] = (uint8_t)ca;
    st->target[2] = (uint8_t)za;
    st->target[3] = (uint8_t)qa;
    st->target[4] = at[2];
    st->target[5] = (uint8_t)cb;
    st->target[6] = (uint8_t)zb;
    const uint8_t lines[3][3] = {{at[1], (uint8_t)(ca + 1), (uint8_t)(za + 1)},
                                 {at[0], (uint8_t)(ca2 + 1), (uint8_t)(za + 1)},
                                 {at[2], (uint8_t)(cb + 1), (uint8_t)(zb2 + 1)}};
    st->n_cart = 0;
    if (keep_b) line_of(st, 1, st->cart[st->n_cart++]);
    memcpy(st->cart[st->n_cart++], lines[stale], 3);
    const web_row *A = &st->row[at[0]], *B = &st->row[at[2]];
    st->field[0] = A->a;
    st->field[1] = A->b;
    st->field[2] = B->a;
    st->field[3] = B->b;
    st->field[4] = (uint8_t)ludus_web_draw_word(s, st, W_NAME0, W_NOUN0, 1, NULL, 0);
    st->n_field = 5;
    st->nav[0] = (web_nav){P_MAIN, 0, 0, 0};
    st->nav_n = 1;
    ludus_web_mission(st, (const char *const[]){
        "Make the cart exactly ", WORD(W_NUM1 + qa - 1), " ", WORD(A->b), " ", WORD(A->a), " (", WORD(W_COLOR0 + ca),
        " ", WORD(W_SIZE0 + za), ") and 1 ", WORD(B->b), " ", WORD(B->a), " (", WORD(W_COLOR0 + cb), " ",
        WORD(W_SIZE0 + zb), "); then check out to ", WORD(st->field[4]), ".", NULL});
}

/* The cart against the target: lines of A, of B, and others. */
static void cart_counts(const web_state *st, int *na, int *nb, int *other)
{
    uint8_t la[3], lb[3];
    line_of(st, 0, la);
    line_of(st, 1, lb);
    *na = *nb = *other = 0;
    for (int k = 0; k < st->n_cart; k++) {
        if (memcmp(st->cart[k], la, 3) == 0) ++*na;
        else if (memcmp(st->cart[k], lb, 3) == 0) ++*nb;
        else ++*other;
    }
}

static uint32_t eval_cart(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    int na, nb, other;
    cart_counts(st, &na, &nb, &other);
    const int exact = na == st->target[3] && nb == 1 && !other;
    *ok = st->committed && exact && st->saved[0] == st->field[4];
    return (uint32_t)(na == st->target[3]) | (uint32_t)(nb == 1) << 1 |
           (uint32_t)(!other && na <= st->target[3] && nb <= 1) << 2 |
           (uint32_t)(exact && ludus_web_top(st)->page == P_CHECKOUT) << 3 | (uint32_t)*ok << 4;
}

static void oracle_cart(const web_spec *s, const web_state *st, int32_t *a)
{
    const web_nav *nv = ludus_web_top(st);
    uint8_t la[3], lb[3];
    line_of(st, 0, la);
    line_of(st, 1, lb);
    /* the first line beyond the target's multiset */
    int excess = -1, na = 0, nb = 0;
    for (int k = 0; k < st->n_cart && excess < 0; k++) {
        if (memcmp(st->cart[k], la, 3) == 0 && ++na <= st->target[3]) continue;
        if (memcmp(st->cart[k], lb, 3) == 0 && ++nb <= 1) continue;
        excess = k;
    }
    if (excess >= 0) {
        if (nv->page == P_CART) ludus_web_click_or_back(st, ludus_web_find(st, H_REMOVE, excess), a);
        else ludus_web_click_or_back(st, ludus_web_find(st, H_GOTO, nv->page == P_CHECKOUT ? P_MAIN : P_CART), a);
        return;
    }
    if (na < st->target[3] || nb < 1) {
        const int which = na < st->target[3] ? 0 : 1, r = st->target[which ? 4 : 0];
        if (nv->page == P_ITEM && nv->a == r) {
            ludus_web_shop_pick(s, st, st->target[which ? 5 : 1], st->target[which ? 6 : 2], a);
            return;
        }
        toward_item(s, st, r, a);
        return;
    }
    ludus_web_shop_checkout(s, st, a);
}

/* ================= Web-info-seek-v0 =================
 * The question names a brand and a noun and asks the price (shown on the
 * results and the item page) or the rating (the item page only). target:
 * the product's row (when there is one), the kind (0 price, 1 rating),
 * 1 when the shop has no such product, the answer's word (a number or
 * na). The near misses: the noun by another brand, the brand's other
 * noun, each with another value. fields: the noun, the brand. */

static void gen_info(const web_spec *s, web_state *st)
{
    const int n = 6 + (int)ludus_web_below(st, 4), kind = (int)ludus_web_below(st, 2);
    const int none = ludus_web_below(st, 10) == 0;
    web_row *r = st->row;
    memset(r, 0, sizeof st->row);
    const uint8_t noun = (uint8_t)ludus_web_draw_word(s, st, W_NOUN0, W_MONTH0, 1, NULL, 0);
    const uint8_t brand = (uint8_t)ludus_web_draw_word(s, st, W_NAME0, W_NOUN0, 1, NULL, 0);
    uint8_t bb[1] = {brand}, nn[1] = {noun};
    r[0].a = noun; /* the product asked for, or (none) another brand's */
    r[0].b = none ? (uint8_t)ludus_web_draw_word(s, st, W_NAME0, W_NOUN0, 0, bb, 1) : brand;
    uint8_t b2[2] = {brand, r[0].b};
    r[1].a = noun;
    r[1].b = (uint8_t)ludus_web_draw_word(s, st, W_NAME0, W_NOUN0, 0, b2, 2);
    r[2].a = (uint8_t)ludus_web_draw_word(s, st, W_NOUN0, W_MONTH0, 0, nn, 1);
    r[2].b = brand;
    fill_products(s, st, 3, n, noun, brand);
    for (int k = 1; k < 3 && !none; k++) { /* the near misses' values differ from the answer */
        if (r[k].c == r[0].c) r[k].c = (uint8_t)(r[0].c % 31 + 1);
        if (r[k].d == r[0].d) r[k].d = (uint8_t)(r[0].d % 5 + 1);
    }
    const int value = kind ? r[0].d : r[0].c;
    uint8_t at[1] = {0};
    shuffle(st, n, at, 1);
    st->target[0] = at[0];
    st->target[1] = (uint8_t)kind;
    st->target[2] = (uint8_t)none;
    st->target[3] = (uint8_t)(none ? W_NA : W_NUM1 + value - 1);
    st->field[0] = noun;
    st->field[1] = brand;
    st->n_field = 2;
    st->nav[0] = (web_nav){P_MAIN, 0, 0, 0};
    st->nav_n = 1;
    ludus_web_mission(st, (const char *const[]){"What is the ", kind ? "rating" : "price", " of the ", WORD(brand),
                                                " ", WORD(noun), " in the shop? Answer stop [value], or stop [N/A] "
                                                "if it has none.", NULL});
}

static uint32_t eval_info(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    const web_nav *nv = ludus_web_top(st);
    /* the evidence: the item's page, or for a price or no such product the noun's results */
    const int results = nv->page == P_RESULTS && nv->a == st->field[0] && (st->target[2] || !st->target[1]);
    const int item = nv->page == P_ITEM && nv->a == st->target[0] && !st->target[2];
    *ok = st->done && !st->committed && st->answer == st->target[3];
    return (uint32_t)(results || item) | (uint32_t)*ok << 1;
}

static void oracle_info(const web_spec *s, const web_state *st, int32_t *a)
{
    const web_nav *nv = ludus_web_top(st);
    const int none = st->target[2];
    if ((none && nv->page == P_RESULTS && nv->a == st->field[0] && !(nv->pad & 3)) ||
        (!none && nv->page == P_ITEM && nv->a == st->target[0])) {
        ludus_web_act(a, V_STOP, ludus_web_any_el(st), s->lex_of[st->target[3]]);
        return;
    }
    if (none) { /* the noun's results show every brand of it */
        if (nv->page == P_RESULTS && nv->a == st->field[0]) ludus_web_click_or_back(st, ludus_web_find(st, H_GOTO, P_MAIN), a);
        else toward_item(s, st, st->target[0], a);
        return;
    }
    toward_item(s, st, st->target[0], a);
}

/* ================= foreign states ================= */

#define BAD(...) return ludus_err_set(LUDUS_EFORMAT, __VA_ARGS__)

static int validate_shop_tasks(const web_spec *s, const web_state *st)
{
    const int cart = s->task->eval == eval_cart;
    if (st->n_row < 3 || st->n_row > WEB_ROWS || st->n_cart > WEB_CART || st->n_error)
        BAD("web state: site counts out of range");
    for (int r = 0; r < WEB_ROWS; r++) {
        const web_row *w = &st->row[r];
        if (w->a >= W_END || w->b >= W_END) BAD("web state: row %d has a word out of the vocabulary", r);
        if (r < st->n_row && (w->c < 1 || w->c > 31 || w->d < 1 || w->d > 5 || w->e > 15 || w->f > 7))
            BAD("web state: product %d out of range", r);
    }
    for (int k = 0; k < st->n_cart; k++)
        if (st->cart[k][0] >= st->n_row || st->cart[k][1] > 4 || st->cart[k][2] > 3)
            BAD("web state: cart line %d out of range", k);
    for (int k = 0; k < 8; k++)
        if (st->saved[k] >= W_END) BAD("web state: saved value %d out of range", k);
    if (cart && (st->target[0] >= st->n_row || st->target[4] >= st->n_row || st->target[1] > 3 ||
                 st->target[5] > 3 || st->target[2] > 2 || st->target[6] > 2 || st->target[3] < 1 ||
                 st->target[3] > 2))
        BAD("web state: the cart's targets out of range");
    if (!cart && (st->target[0] >= st->n_row || st->target[1] > 1 || st->target[2] > 1 || st->target[3] >= W_END))
        BAD("web state: the question's targets out of range");
    const uint32_t pages = 1u << P_MAIN | 1u << P_RESULTS | 1u << P_ITEM | 1u << P_CART | 1u << P_CHECKOUT |
                           1u << P_DONE;
    for (int k = 0; k < st->nav_n; k++) {
        const web_nav *n = &st->nav[k];
        if (!(pages >> n->page & 1)) BAD("web state: navigation entry %d names page %d of another site", k, n->page);
        if ((n->page == P_ITEM && n->a >= st->n_row) || n->pad > 3) BAD("web state: navigation entry %d", k);
    }
    for (int i = 0; i < st->n_el; i++) {
        const web_el *e = &st->el[i];
        int bad;
        switch (e->handler) {
        case H_NONE: case H_ADD: case H_ORDER: bad = 0; break;
        case H_SEARCH: bad = 0; break; /* web_validate checks its text box */
        case H_OPEN: bad = e->harg >= st->n_row; break;
        case H_GOTO: bad = e->harg >= 32 || !(pages >> e->harg & 1); break;
        case H_FILTER: bad = e->harg >= st->n_el || st->el[e->harg].role != R_COMBOBOX; break;
        case H_OPTION: bad = (e->harg >> 4) > 1 || (e->harg & 15) > 3; break;
        case H_REMOVE: bad = e->harg >= WEB_CART; break;
        default: BAD("web state: element %d has handler %d of another site", i, e->handler);
        }
        if (bad) BAD("web state: element %d handler argument %d", i, e->harg);
    }
    return LUDUS_OK;
}

int ludus_web_validate_shop(const web_spec *s, const web_state *st) { return validate_shop_tasks(s, st); }

const web_task ludus_web_task_shop_cart = {
    "shop-cart", gen_cart, ludus_web_build_shop, eval_cart, WEB_LEX_SHOP, 60, 5, 0, oracle_cart,
    validate_shop_tasks};
const web_task ludus_web_task_info_seek = {
    "info-seek", gen_info, ludus_web_build_shop, eval_info, WEB_LEX_INFO, 30, 2, 0, oracle_info,
    validate_shop_tasks};
