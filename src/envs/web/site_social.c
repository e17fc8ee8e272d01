/* site_social.c: the social site of the web family (spec/web.md B3, task
 * S5): a forum in the manner of WebArena's Reddit clone. Pages: the feed
 * (every post whose author is neither muted nor blocked), the forums
 * list, a forum (its posts; a blocked author's post shows as 'blocked',
 * with the author's link), a post (title, author, forum, likes, like,
 * reply, the replies sent, and block/mute of the author in a menu or
 * inline), a user page (block, mute, the user's posts) and the reply
 * form (compose). The truth is the
 * posts (st->row[]), the replies sent (st->cart[]) and the users' block
 * and mute bits (st->saved[]) plus navigation; pages are derived from
 * them, and handlers edit them. Web-social-moderate-v0: in forum F reply
 * a word to the most-liked post, block user U, then stop; success is a
 * predicate over the final database (exactly that reply, U blocked, no
 * other block, mute or like changed). Web-social-like-user-v0: like
 * every post of user U, change nothing else, then stop. Skins vary labels (like or star,
 * forums or section), layout (where the likes go, headings, the forums'
 * order) and widgets (block and mute in a "more" menu or as buttons).
 */
#include <string.h>

#include "web.h"

#define WORD(w) ludus_web_words[w]

/* rows (posts): a author (a name word), b forum 0..5, c likes at reset
 * without mine, d title (a noun), f flags at reset, flags now (S_LIKED).
 * saved[0..2]: blocked users, saved[3..5]: muted users (bit k: name
 * W_NAME0 + k). cart[k]: a reply (row, word, 1). target: the post to
 * reply to, the forum, the most-liked post of another forum (the near
 * miss), -, the muted users at reset (3 bytes). fields: U, the forum's
 * word, the reply's word. */
enum { S_LIKED = 1, N_FORUMS = 6, MENU_GROUP = 1 };

static int add(web_state *st, int role, int parent, int name, int name2, int handler, int harg, int flags)
{
    return ludus_web_add(st, role, parent, name, name2, handler, harg, 0, flags);
}


static void go(const web_spec *s, web_state *st, web_nav nv)
{
    if (st->nav_n == WEB_NAV) { /* a full history forgets its oldest page */
        memmove(st->nav, st->nav + 1, sizeof st->nav[0] * (WEB_NAV - 1));
        st->nav_n--;
    }
    st->nav[st->nav_n++] = nv;
    s->task->build(s, st);
}

static int is_name(int w) { return w >= W_NAME0 && w < W_NOUN0; }
static int user_bit(const uint8_t *bits, int w) { return is_name(w) && (bits[(w - W_NAME0) >> 3] >> ((w - W_NAME0) & 7) & 1); }
static void user_flip(uint8_t *bits, int w) { bits[(w - W_NAME0) >> 3] ^= (uint8_t)(1u << ((w - W_NAME0) & 7)); }
static int blocked(const web_state *st, int w) { return user_bit(st->saved, w); }
static int muted(const web_state *st, int w) { return user_bit(st->saved + 3, w); }
static int likes(const web_state *st, int r) { return st->row[r].c + (st->row[r].flags & S_LIKED); }

/* A word of [lo, hi) from the split's target pool (target) or the other
 * words, none of avoid[0..n): rejection first, then an exact draw by
 * counting (web.h; the social site and the shop's cart and info tasks) */
int ludus_web_draw_word(const web_spec *s, web_state *st, int lo, int hi, int target, const uint8_t *avoid, int n)
{
    const uint8_t *src = target ? s->pool : s->other;
    const int m = target ? s->pool_n : s->other_n;
    /* rejection first (the range is a good part of the list), then the exact draw by counting */
    for (int tries = 0; tries < 16; tries++) {
        int w = src[ludus_web_below(st, (uint32_t)m)], bad = w < lo || w >= hi;
        for (int j = 0; j < n && !bad; j++) bad = avoid[j] == w;
        if (!bad) return w;
    }
    int count = 0;
    for (int i = 0; i < m; i++) {
        int w = src[i], bad = w < lo || w >= hi;
        for (int j = 0; j < n && !bad; j++) bad = avoid[j] == w;
        count += !bad;
    }
    if (!count) return lo; /* web_make refuses splits without candidates */
    int k = (int)ludus_web_below(st, (uint32_t)count);
    for (int i = 0; i < m; i++) {
        int w = src[i], bad = w < lo || w >= hi;
        for (int j = 0; j < n && !bad; j++) bad = avoid[j] == w;
        if (!bad && k-- == 0) return w;
    }
    return lo;
}

static void gen_social(const web_spec *s, web_state *st)
{
    const int n = 6 + (int)ludus_web_below(st, 4), f = (int)ludus_web_below(st, N_FORUMS);
    const int in_f = 2 + (int)ludus_web_below(st, 3); /* rows 0..in_f-1 are F's; row 0 the target */
    uint8_t u[1];
    u[0] = (uint8_t)ludus_web_draw_word(s, st, W_NAME0, W_NOUN0, 1, NULL, 0);
    const int word = ludus_web_draw_word(s, st, W_NOUN0, W_MONTH0, 1, NULL, 0);
    /* the target's likes L; F's others fewer; row in_f (another forum) more */
    const int top = 8 + (int)ludus_web_below(st, 15);
    for (int r = 0; r < n; r++) {
        web_row *w = &st->row[r];
        memset(w, 0, sizeof *w);
        w->a = (uint8_t)ludus_web_draw_word(s, st, W_NAME0, W_NOUN0, 0, u, 1);
        w->d = (uint8_t)ludus_web_draw_word(s, st, W_NOUN0, W_MONTH0, 0, NULL, 0);
        w->b = (uint8_t)(r < in_f ? f : (f + 1 + (int)ludus_web_below(st, N_FORUMS - 1)) % N_FORUMS);
        int shown = r == 0      ? top
                    : r < in_f  ? 1 + (int)ludus_web_below(st, (uint32_t)top - 1)
                    : r == in_f ? top + 1 + (int)ludus_web_below(st, (uint32_t)(30 - top))
                                : 1 + (int)ludus_web_below(st, 30);
        /* liked by me at reset, sometimes (never below one like without mine) */
        w->flags = w->f = (uint8_t)(ludus_web_below(st, 4) == 0 && shown > 1 ? S_LIKED : 0);
        w->c = (uint8_t)(shown - (w->flags & S_LIKED));
    }
    /* U writes one post (sometimes the target), another user may be muted */
    const int by_u = ludus_web_below(st, 3) == 0 ? 0 : 1 + (int)ludus_web_below(st, (uint32_t)n - 1);
    st->row[by_u].a = u[0];
    if (ludus_web_below(st, 2)) {
        int m = 1 + (int)ludus_web_below(st, (uint32_t)n - 1);
        if (st->row[m].a != u[0] && !user_bit(st->saved + 3, st->row[m].a)) user_flip(st->saved + 3, st->row[m].a);
    }
    /* shuffle the posts, following the target and the near miss */
    int at = 0, miss = in_f;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)ludus_web_below(st, (uint32_t)i + 1);
        web_row t = st->row[i];
        st->row[i] = st->row[j];
        st->row[j] = t;
        at = at == i ? j : at == j ? i : at;
        miss = miss == i ? j : miss == j ? i : miss;
    }
    st->n_row = (uint8_t)n;
    st->target[0] = (uint8_t)at;
    st->target[1] = (uint8_t)f;
    st->target[2] = (uint8_t)miss;
    memcpy(st->target + 4, st->saved + 3, 3);
    st->field[0] = u[0];
    st->field[1] = (uint8_t)(W_FORUM0 + f);
    st->field[2] = (uint8_t)word;
    st->n_field = 3;
    st->nav[0] = (web_nav){P_FEED, 0, 0, 0};
    st->nav_n = 1;
    ludus_web_mission(st, (const char *const[]){"In the forum ", WORD(W_FORUM0 + f), ", reply '", WORD(word),
                                                "' to the most liked post; block ", WORD(u[0]), "; then stop.",
                                                NULL});
}

/* a post in a list: its title (and forum) as a link, the author's link
 * and the likes as children, in the skin's order */
static void post_entry(web_state *st, int r, int forum)
{
    const web_row *w = &st->row[r];
    int l = add(st, R_LINK, WEB_NONE, w->d, forum ? W_FORUM0 + w->b : 0, H_POST, r, 0);
    if (st->skin & 2) add(st, R_TEXT, l, W_LIKES, W_NUM1 + likes(st, r) - 1, H_NONE, 0, 0);
    add(st, R_LINK, l, w->a, 0, H_USER, w->a, 0);
    if (!(st->skin & 2)) add(st, R_TEXT, l, W_LIKES, W_NUM1 + likes(st, r) - 1, H_NONE, 0, 0);
}

/* block and mute of user w: buttons, or items of the "more" menu */
static void moderation(web_state *st, int w, int menu)
{
    int b = blocked(st, w) ? W_UNBLOCK : W_BLOCK, m = muted(st, w) ? W_UNMUTE : W_MUTE;
    if (menu) {
        add(st, R_BUTTON, WEB_NONE, W_MORE, 0, H_MENU, MENU_GROUP, F_EXPANDABLE);
        ludus_web_add(st, R_MENUITEM, WEB_NONE, b, w, H_BLOCK, w, MENU_GROUP, 0);
        ludus_web_add(st, R_MENUITEM, WEB_NONE, m, w, H_MUTE, w, MENU_GROUP, 0);
    } else {
        add(st, R_BUTTON, WEB_NONE, b, w, H_BLOCK, w, 0);
        add(st, R_BUTTON, WEB_NONE, m, w, H_MUTE, w, 0);
    }
}

static void build_social(const web_spec *s, web_state *st)
{
    (void)s;
    const web_nav *nv = ludus_web_top(st);
    st->n_el = 0;
    st->open = 0;
    st->scroll = 0;
    st->n_opt = 0;
    const int star = (st->skin & 2) != 0;
    add(st, R_LINK, WEB_NONE, W_FEED, 0, H_GOTO, P_FEED, 0);
    add(st, R_LINK, WEB_NONE, star ? W_SECTION : W_FORUMS, 0, H_GOTO, P_FORUMS, 0);
    switch (nv->page) {
    case P_FEED: {
        if (st->skin & 4) add(st, R_HEADING, WEB_NONE, W_SOCIAL, W_FEED, H_NONE, 0, 0);
        int shown = 0;
        for (int r = 0; r < st->n_row; r++) {
            if (blocked(st, st->row[r].a) || muted(st, st->row[r].a)) continue;
            post_entry(st, r, 1);
            shown++;
        }
        if (!shown) add(st, R_TEXT, WEB_NONE, W_NOTHING, 0, H_NONE, 0, 0);
        break;
    }
    case P_FORUMS:
        if (st->skin & 4) add(st, R_HEADING, WEB_NONE, star ? W_SECTION : W_FORUMS, 0, H_NONE, 0, 0);
        for (int k = 0; k < N_FORUMS; k++) {
            int f = (st->skin & 1) ? N_FORUMS - 1 - k : k;
            add(st, R_LINK, WEB_NONE, W_FORUM0 + f, 0, H_FORUM, f, 0);
        }
        break;
    case P_FORUM: {
        add(st, R_HEADING, WEB_NONE, W_FORUM, W_FORUM0 + nv->a, H_NONE, 0, 0);
        int shown = 0;
        for (int r = 0; r < st->n_row; r++) {
            if (st->row[r].b != nv->a) continue;
            if (blocked(st, st->row[r].a)) { /* the author's link stays: the way to unblock */
                int t = add(st, R_TEXT, WEB_NONE, W_POST, W_BLOCKED, H_NONE, 0, 0);
                add(st, R_LINK, t, st->row[r].a, 0, H_USER, st->row[r].a, 0);
            } else {
                post_entry(st, r, 0);
            }
            shown++;
        }
        if (!shown) add(st, R_TEXT, WEB_NONE, W_NOTHING, 0, H_NONE, 0, 0);
        break;
    }
    case P_POST: {
        const int r = nv->a;
        const web_row *w = &st->row[r];
        const int liked = w->flags & S_LIKED, gone = blocked(st, w->a);
        add(st, R_HEADING, WEB_NONE, w->d, 0, H_NONE, 0, 0);
        add(st, R_TEXT, WEB_NONE, W_FORUM, W_FORUM0 + w->b, H_NONE, 0, 0);
        add(st, R_LINK, WEB_NONE, w->a, 0, H_USER, w->a, 0);
        add(st, R_TEXT, WEB_NONE, W_LIKES, W_NUM1 + likes(st, r) - 1, H_NONE, 0, 0);
        add(st, R_BUTTON, WEB_NONE, liked ? (star ? W_UNSTAR : W_UNLIKE) : (star ? W_STAR : W_LIKE), 0, H_LIKE, r,
            liked ? F_CHECKED : 0);
        add(st, R_BUTTON, WEB_NONE, W_REPLY, 0, H_REPLY, r, gone ? F_DISABLED : 0);
        for (int k = 0; k < st->n_cart; k++)
            if (st->cart[k][0] == r) add(st, R_TEXT, WEB_NONE, W_REPLY, st->cart[k][1], H_NONE, 0, 0);
        moderation(st, w->a, st->skin & 1);
        break;
    }
    case P_USER: {
        const int u = nv->a;
        add(st, R_HEADING, WEB_NONE, W_USER, u, H_NONE, 0, 0);
        moderation(st, u, 0);
        for (int r = 0; r < st->n_row; r++)
            if (st->row[r].a == u) add(st, R_LINK, WEB_NONE, st->row[r].d, W_FORUM0 + st->row[r].b, H_POST, r, 0);
        break;
    }
    case P_COMPOSE: {
        add(st, R_HEADING, WEB_NONE, W_REPLY, st->row[nv->a].d, H_NONE, 0, 0);
        int box = add(st, R_TEXTBOX, WEB_NONE, W_REPLY, 0, H_NONE, 0, 0);
        add(st, R_BUTTON, WEB_NONE, (st->skin & 4) ? W_POST : W_SEND, 0, H_POSTREPLY, box, 0);
        break;
    }
    default: break;
    }
}

static int replied(const web_state *st)
{
    for (int k = 0; k < st->n_cart; k++)
        if (st->cart[k][0] == st->target[0] && st->cart[k][1] == st->field[2]) return 1;
    return 0;
}

static uint32_t eval_social(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    const web_nav *nv = ludus_web_top(st);
    const int u = st->field[0], rep = replied(st), blk = blocked(st, u);
    /* nothing else changed: no other user blocked, mutes and likes as at reset */
    uint8_t want[3] = {0, 0, 0};
    user_flip(want, u);
    int clean = memcmp(st->saved, want, 3) == 0 && memcmp(st->saved + 3, st->target + 4, 3) == 0;
    for (int r = 0; r < st->n_row; r++) clean &= st->row[r].flags == st->row[r].f;
    *ok = st->done && rep && st->n_cart == 1 && clean;
    return (uint32_t)(nv->page == P_FORUM && nv->a == st->target[1]) | (uint32_t)rep << 1 | (uint32_t)blk << 2;
}

static void click_or(const web_state *st, int el, int32_t *a, int fallback)
{
    if (el >= 0) ludus_web_act(a, V_CLICK, el, 0);
    else if (fallback >= 0) ludus_web_act(a, V_CLICK, fallback, 0);
    else ludus_web_act(a, st->nav_n > 1 ? V_BACK : V_STOP, ludus_web_any_el(st), 0);
}

static void oracle_social(const web_spec *s, const web_state *st, int32_t *a)
{
    const web_nav *nv = ludus_web_top(st);
    const int t = st->target[0], u = st->field[0];
    const int forums = ludus_web_find(st, H_GOTO, P_FORUMS), feed = ludus_web_find(st, H_GOTO, P_FEED);
    if (!replied(st)) {
        if (nv->page == P_COMPOSE && nv->a == t) {
            int box = -1;
            for (int i = 0; i < st->n_el && box < 0; i++)
                if (st->el[i].role == R_TEXTBOX) box = i;
            if (box >= 0 && st->el[box].value != st->field[2]) ludus_web_act(a, V_TYPE, box, s->lex_of[st->field[2]]);
            else click_or(st, ludus_web_find(st, H_POSTREPLY, box), a, forums);
        } else if (nv->page == P_POST && nv->a == t) {
            int rep = ludus_web_find(st, H_REPLY, t);
            if (rep >= 0 && (st->el[rep].flags & F_DISABLED)) { /* the author blocked: unblock first */
                int b = ludus_web_find(st, H_BLOCK, st->row[t].a);
                click_or(st, b >= 0 ? b : ludus_web_find(st, H_MENU, MENU_GROUP), a, forums);
            } else {
                click_or(st, rep, a, forums);
            }
        } else if (nv->page == P_FORUM && nv->a == st->target[1]) {
            click_or(st, ludus_web_find(st, H_POST, t), a, forums);
        } else if (nv->page == P_FORUMS) {
            click_or(st, ludus_web_find(st, H_FORUM, st->target[1]), a, feed);
        } else {
            click_or(st, forums, a, -1);
        }
        return;
    }
    if (!blocked(st, u)) {
        int b = ludus_web_find(st, H_BLOCK, u);
        if (b >= 0) {
            ludus_web_act(a, V_CLICK, b, 0);
        } else if (nv->page == P_POST && st->row[nv->a].a == u && ludus_web_find(st, H_MENU, MENU_GROUP) >= 0) {
            ludus_web_act(a, V_CLICK, ludus_web_find(st, H_MENU, MENU_GROUP), 0);
        } else if (ludus_web_find(st, H_USER, u) >= 0) {
            ludus_web_act(a, V_CLICK, ludus_web_find(st, H_USER, u), 0);
        } else if (nv->page == P_FEED || muted(st, u)) { /* not on the feed: through a forum of U's */
            int f = -1;
            for (int r = 0; r < st->n_row; r++)
                if (st->row[r].a == u) f = st->row[r].b;
            if (nv->page == P_FORUMS && f >= 0) click_or(st, ludus_web_find(st, H_FORUM, f), a, feed);
            else click_or(st, forums, a, -1);
        } else {
            click_or(st, feed, a, -1);
        }
        return;
    }
    ludus_web_act(a, V_STOP, ludus_web_any_el(st), 0);
}

/* ================= Web-social-like-user-v0 ================= */

/* Like every post of user U and change nothing else, then stop. U writes
 * 2-3 posts in any forums, one of them liked at reset sometimes (the
 * like must stay: a second click unlikes), other posts liked at reset
 * stay so; U is muted at reset half the time (off the feed: reach U
 * through a forum's post list or a post's author link). targets: 4..6
 * the mutes at reset. fields: U, like. */
static void gen_like_user(const web_spec *s, web_state *st)
{
    const int n = 6 + (int)ludus_web_below(st, 4), m = 2 + (int)ludus_web_below(st, 2);
    uint8_t u[1];
    u[0] = (uint8_t)ludus_web_draw_word(s, st, W_NAME0, W_NOUN0, 1, NULL, 0);
    for (int r = 0; r < n; r++) {
        web_row *w = &st->row[r];
        memset(w, 0, sizeof *w);
        w->a = r < m ? u[0] : (uint8_t)ludus_web_draw_word(s, st, W_NAME0, W_NOUN0, 0, u, 1);
        w->d = (uint8_t)ludus_web_draw_word(s, st, W_NOUN0, W_MONTH0, 0, NULL, 0);
        w->b = (uint8_t)ludus_web_below(st, N_FORUMS);
        const int shown = 1 + (int)ludus_web_below(st, 30);
        /* liked by me at reset, sometimes; U's first post never (something to do) */
        w->flags = w->f = (uint8_t)(r != 0 && ludus_web_below(st, 4) == 0 && shown > 1 ? S_LIKED : 0);
        w->c = (uint8_t)(shown - (w->flags & S_LIKED));
    }
    if (ludus_web_below(st, 2)) user_flip(st->saved + 3, u[0]);
    for (int i = n - 1; i > 0; i--) {
        int j = (int)ludus_web_below(st, (uint32_t)i + 1);
        web_row t = st->row[i];
        st->row[i] = st->row[j];
        st->row[j] = t;
    }
    st->n_row = (uint8_t)n;
    memcpy(st->target + 4, st->saved + 3, 3);
    st->field[0] = u[0];
    st->field[1] = W_LIKE;
    st->n_field = 2;
    st->nav[0] = (web_nav){P_FEED, 0, 0, 0};
    st->nav_n = 1;
    ludus_web_mission(st, (const char *const[]){"Like every post by ", WORD(u[0]),
                                                " (some may be liked already) and change nothing else; then stop.",
                                                NULL});
}

/* the first post of U's not liked, -1 if none */
static int unliked_of(const web_state *st, int u)
{
    for (int r = 0; r < st->n_row; r++)
        if (st->row[r].a == u && !(st->row[r].flags & S_LIKED)) return r;
    return -1;
}

static uint32_t eval_like_user(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    const int u = st->field[0];
    const web_nav *nv = ludus_web_top(st);
    int all = 1, one = 0;
    for (int r = 0; r < st->n_row; r++) {
        const web_row *w = &st->row[r];
        if (w->a == u) {
            all &= w->flags & S_LIKED;
            one |= (w->flags & S_LIKED) && !(w->f & S_LIKED);
        } else {
            all &= w->flags == w->f;
        }
    }
    const uint8_t none[3] = {0, 0, 0};
    const int clean = memcmp(st->saved, none, 3) == 0 && memcmp(st->saved + 3, st->target + 4, 3) == 0 && !st->n_cart;
    *ok = st->done && all && clean;
    return (uint32_t)(nv->page == P_USER && nv->a == u) | (uint32_t)one << 1 | (uint32_t)(all && clean) << 2;
}

/* U's posts one by one: a link to the post where the page has one, else
 * U's page, else a forum of the post; like it; stop when all are liked */
static void oracle_like_user(const web_spec *s, const web_state *st, int32_t *a)
{
    (void)s;
    const web_nav *nv = ludus_web_top(st);
    const int u = st->field[0], r = unliked_of(st, u);
    const int forums = ludus_web_find(st, H_GOTO, P_FORUMS), feed = ludus_web_find(st, H_GOTO, P_FEED);
    if (r < 0) ludus_web_act(a, V_STOP, ludus_web_any_el(st), 0);
    else if (nv->page == P_POST && nv->a == r) click_or(st, ludus_web_find(st, H_LIKE, r), a, forums);
    else if (ludus_web_find(st, H_POST, r) >= 0) ludus_web_act(a, V_CLICK, ludus_web_find(st, H_POST, r), 0);
    else if (ludus_web_find(st, H_USER, u) >= 0) ludus_web_act(a, V_CLICK, ludus_web_find(st, H_USER, u), 0);
    else if (nv->page == P_FORUMS) click_or(st, ludus_web_find(st, H_FORUM, st->row[r].b), a, feed);
    else click_or(st, forums, a, -1);
}

int ludus_web_social_click(const web_spec *s, web_state *st, int i)
{
    web_el *e = &st->el[i];
    const web_nav *nv = ludus_web_top(st);
    switch (e->handler) {
    case H_FORUM:
        if (e->harg >= N_FORUMS) return RC_DISABLED;
        go(s, st, (web_nav){P_FORUM, e->harg, 0, 0});
        return RC_OK;
    case H_POST:
        if (e->harg >= st->n_row) return RC_DISABLED;
        go(s, st, (web_nav){P_POST, e->harg, 0, 0});
        return RC_OK;
    case H_USER:
        if (!is_name(e->harg)) return RC_DISABLED;
        go(s, st, (web_nav){P_USER, e->harg, 0, 0});
        return RC_OK;
    case H_LIKE:
        if (e->harg >= st->n_row) return RC_DISABLED;
        st->row[e->harg].flags ^= S_LIKED;
        s->task->build(s, st);
        return RC_OK;
    case H_REPLY:
        if (nv->page != P_POST || e->harg >= st->n_row || blocked(st, st->row[e->harg].a)) return RC_DISABLED;
        go(s, st, (web_nav){P_COMPOSE, e->harg, 1, 0});
        return RC_OK;
    case H_POSTREPLY: {
        if (nv->page != P_COMPOSE || nv->a >= st->n_row || e->harg >= st->n_el || st->n_cart >= WEB_CART)
            return RC_DISABLED;
        const int word = st->el[e->harg].value;
        if (!word) return RC_OK; /* nothing typed: nothing posted, the form stays */
        st->cart[st->n_cart][0] = nv->a;
        st->cart[st->n_cart][1] = (uint8_t)word;
        st->cart[st->n_cart][2] = 1;
        st->n_cart++;
        if (st->nav_n > 1) st->nav_n--; /* back to the post */
        else st->nav[0] = (web_nav){P_POST, nv->a, 0, 0};
        s->task->build(s, st);
        return RC_OK;
    }
    case H_BLOCK: case H_MUTE:
        if (!is_name(e->harg)) return RC_DISABLED;
        user_flip(st->saved + (e->handler == H_MUTE ? 3 : 0), e->harg);
        s->task->build(s, st);
        return RC_OK;
    default: return RC_BAD_VERB;
    }
}

/* ================= foreign states ================= */

#define BAD(...) return ludus_err_set(LUDUS_EFORMAT, __VA_ARGS__)

/* the checks every task of the forum shares */
static int validate_forum(const web_spec *s, const web_state *st)
{
    (void)s;
    if (st->n_row < 1 || st->n_row > WEB_ROWS || st->n_cart > WEB_CART || st->n_error)
        BAD("web state: site counts out of range");
    for (int r = 0; r < WEB_ROWS; r++) {
        const web_row *w = &st->row[r];
        if (r >= st->n_row) continue;
        if (!is_name(w->a) || w->b >= N_FORUMS || w->c < 1 || w->c > 30 || w->d < W_NOUN0 || w->d >= W_MONTH0 ||
            w->flags > 1 || w->f > 1 || w->e)
            BAD("web state: post %d out of range", r);
    }
    for (int k = 0; k < st->n_cart; k++)
        if (st->cart[k][0] >= st->n_row || st->cart[k][1] >= W_END || st->cart[k][2] != 1)
            BAD("web state: reply %d out of range", k);
    if (st->saved[6] || st->saved[7]) BAD("web state: saved values 6-7 of a social site");
    for (int k = 0; k < st->nav_n; k++) {
        const web_nav *n = &st->nav[k];
        const int ok = n->page == P_FEED || n->page == P_FORUMS || (n->page == P_FORUM && n->a < N_FORUMS) ||
                       ((n->page == P_POST || n->page == P_COMPOSE) && n->a < st->n_row) ||
                       (n->page == P_USER && is_name(n->a));
        if (!ok || n->pad) BAD("web state: navigation entry %d is no page of the social site", k);
    }
    for (int i = 0; i < st->n_el; i++) {
        const web_el *e = &st->el[i];
        int bad;
        switch (e->handler) {
        case H_NONE: case H_MENU: bad = 0; break;
        case H_GOTO: bad = e->harg != P_FEED && e->harg != P_FORUMS; break;
        case H_FORUM: bad = e->harg >= N_FORUMS; break;
        case H_POST: case H_LIKE: case H_REPLY: bad = e->harg >= st->n_row; break;
        case H_USER: case H_BLOCK: case H_MUTE: bad = !is_name(e->harg); break;
        case H_POSTREPLY: bad = e->harg >= st->n_el || st->el[e->harg].role != R_TEXTBOX; break;
        default: BAD("web state: element %d has handler %d of another site", i, e->handler);
        }
        if (bad) BAD("web state: element %d handler argument %d", i, e->harg);
    }
    return LUDUS_OK;
}

static int validate_social(const web_spec *s, const web_state *st)
{
    int rc = validate_forum(s, st);
    if (rc) return rc;
    if (st->target[0] >= st->n_row || st->target[1] >= N_FORUMS || st->target[2] >= st->n_row ||
        !is_name(st->field[0]) || st->field[1] != W_FORUM0 + st->target[1])
        BAD("web state: the social site's targets out of range");
    return LUDUS_OK;
}

static int validate_like_user(const web_spec *s, const web_state *st)
{
    int rc = validate_forum(s, st);
    if (rc) return rc;
    if (!is_name(st->field[0]) || st->field[1] != W_LIKE || st->target[0] || st->target[1] || st->target[2] ||
        st->target[3] || st->target[7])
        BAD("web state: the user to like or the targets out of range");
    return LUDUS_OK;
}

const web_task ludus_web_task_social_like_user = {
    "social-like-user", gen_like_user, build_social, eval_like_user, WEB_LEX_CONTENT, 40, 3, 0, oracle_like_user,
    validate_like_user};

const web_task ludus_web_task_social_moderate = {
    "social-moderate", gen_social, build_social, eval_social, WEB_LEX_CONTENT, 40, 3, 0, oracle_social,
    validate_social};
