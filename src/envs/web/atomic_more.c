/* atomic_more.c: the last seven atomic tasks of spec/web.md B4, beside
 * tasks.c's and atomic.c's: typed text with a case (enter-text-case), an
 * autocomplete (use-autocomplete), and small one-page versions of what the
 * site templates do (email-action, social-action, book-flight, order-food,
 * daily-calendar).
 *
 * Typed text beyond a word. A typed value is a word id; these two tasks
 * add a modifier in the text box's value2 (a case, or 1: the word's first
 * letter only), and their vocabularies (WEB_LEX_CASE, WEB_LEX_PREFIX) have
 * one word-component value per word and modifier, named as typed
 * ("Alice", "ALICE", "p"), so `type [i] [ALICE]` parses to a value, and a
 * value is what `type` types: no new state, no new action component.
 *
 * Every page here is one page (no navigation); handlers edit it in place
 * (a list of suggestions, a compose box, flight results, a cart), and
 * every predicate reads the page's record (db[]) and rows at the commit.
 */
#include <ctype.h>
#include <string.h>

#include "web.h"

#define WORD(w) ludus_web_words[w]
#define NUM(n) (W_NUM1 + (n) - 1)
#define BAD(...) return ludus_err_set(LUDUS_EFORMAT, __VA_ARGS__)

enum { FORM_GROUP = 15 };    /* the group of a form shown on demand (compose, new event) */
enum { FOOD_MAX = 5 };       /* order-food: at most this many of an item */
enum { HOURS = 8, HOUR0 = 9 }; /* daily-calendar: 9:00 to 16:00 */
#define W_BOOK (W_NOUN0 + 22) /* "book": the flight results' button */

/* What an H_ROWACT element does (harg: act << 4 | row; row 0 for the
 * page's own buttons): one handler for the five pages' buttons, as few
 * handler values as the family's 64 allow. */
enum {
    A_STAR = 0, A_DELETE, A_REPLY, A_FORWARD, A_SEND, /* email-action (the acts' order is the mail's) */
    A_LIKE, A_BLOCK,                                  /* social-action */
    A_SEARCH, A_BOOK,                                 /* book-flight */
    A_ADD, A_REMOVE,                                  /* order-food */
    A_NEW, A_DELEVENT, A_SAVE,                        /* daily-calendar */
    A_COUNT
};
#define ACT(a, r) ((a) << 4 | (r))

/* ---- helpers ---- */

static uint32_t below(web_state *st, uint32_t n) { return ludus_web_below(st, n); }

static int add(web_state *st, int role, int parent, int name, int name2, int handler, int harg, int group, int flags)
{
    return ludus_web_add(st, role, parent, name, name2, handler, harg, group, flags);
}


static void commit(web_state *st)
{
    st->committed = 1;
    st->done = 1;
}

static int find_role(const web_state *st, int role)
{
    for (int i = 0; i < st->n_el; i++)
        if (st->el[i].role == role) return i;
    return -1;
}

/* a word of [lo, hi) none of avoid[0..n) has (target: from the split's pool) */
static int draw(const web_spec *s, web_state *st, int lo, int hi, int target, const uint8_t *avoid, int n)
{
    return ludus_web_draw_word(s, st, lo, hi, target, avoid, n);
}

static void shuffle_rows(web_state *st, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)below(st, (uint32_t)i + 1);
        web_row t = st->row[i];
        st->row[i] = st->row[j];
        st->row[j] = t;
    }
}

/* ---- typed text: a case, or a first letter ---- */

static const char *const case_names[3] = {"lower", "upper", "title"};
static const uint8_t case_words[3] = {W_LOWER, W_UP, W_TITLE};

/* word w as typed with modifier mod, into buf */
static const char *spell(int typed, int w, int mod, char *buf, size_t cap)
{
    const char *src = WORD(w);
    size_t n = strlen(src);
    if (n >= cap) n = cap - 1;
    memcpy(buf, src, n);
    buf[n] = 0;
    if (typed == WEB_TYPED_CASE && mod == WEB_CASE_UPPER)
        for (size_t k = 0; k < n; k++) buf[k] = (char)toupper((unsigned char)buf[k]);
    if (typed == WEB_TYPED_CASE && mod == WEB_CASE_TITLE && n) buf[0] = (char)toupper((unsigned char)buf[0]);
    if (typed == WEB_TYPED_PREFIX && mod == 1 && n) buf[1] = 0;
    return buf;
}

void ludus_web_typed_lex(web_spec *s)
{
    if (s->task->lex == WEB_LEX_CASE) {
        /* the names in lower, upper and title case (lower first: a name's own value), and the cases' words */
        s->typed = WEB_TYPED_CASE;
        for (int c = 0; c < 3; c++)
            for (int w = W_NAME0; w < W_NOUN0; w++) {
                s->lex_mod[s->lex_n] = (uint8_t)c;
                s->lex[s->lex_n++] = (uint8_t)w;
            }
        for (int c = 0; c < 3; c++) s->lex[s->lex_n++] = case_words[c];
        return;
    }
    /* names and nouns, then each first letter once (named by its first word) */
    s->typed = WEB_TYPED_PREFIX;
    for (int w = W_NAME0; w < W_MONTH0; w++) s->lex[s->lex_n++] = (uint8_t)w;
    for (int w = W_NAME0; w < W_MONTH0; w++) {
        int seen = 0;
        for (int v = W_NAME0; v < w && !seen; v++) seen = WORD(v)[0] == WORD(w)[0];
        if (seen) continue;
        s->lex_mod[s->lex_n] = 1;
        s->lex[s->lex_n++] = (uint8_t)w;
    }
}

void ludus_web_typed_names(web_spec *s)
{
    for (int v = 1; v < s->lex_n; v++)
        if (s->lex_mod[v]) s->names[V_COUNT + WEB_K + v] = spell(s->typed, s->lex[v], s->lex_mod[v],
                                                                 s->store[WEB_K + v], sizeof s->store[0]);
}

const char *ludus_web_typed_text(const web_spec *s, const web_el *e, char *buf, size_t cap)
{
    return spell(s->typed, e->value, e->value2, buf, cap);
}

/* the word value of (w, mod), 0 if none */
static int value_of(const web_spec *s, int w, int mod)
{
    for (int v = 1; v < s->lex_n; v++)
        if (s->lex[v] == w && s->lex_mod[v] == mod) return v;
    return 0;
}

int ludus_web_typed_value(const web_spec *s, const web_el *e) { return value_of(s, e->value, e->value2); }

/* ---- use-autocomplete ---- */

/* whether w is a word this split shows (its target pool or the others) */
static int shown_word(const web_spec *s, int w)
{
    for (int k = 0; k < s->pool_n; k++)
        if (s->pool[k] == w) return 1;
    for (int k = 0; k < s->other_n; k++)
        if (s->other[k] == w) return 1;
    return 0;
}

/* the suggestions under the text box: the split's names and nouns with
 * the letter typed (none for a whole word); the submit button last */
static void suggest(const web_spec *s, web_state *st)
{
    const int box = st->target[2], g = st->target[3];
    const web_el *e = &st->el[box];
    st->n_el = (uint8_t)(g + 1);
    st->el[g].flags |= F_HIDDEN;
    if (e->value && e->value2 == 1)
        for (int w = W_NAME0; w < W_MONTH0; w++)
            if (WORD(w)[0] == WORD(e->value)[0] && shown_word(s, w)) {
                add(st, R_OPTION, g, w, 0, H_SUGGEST, w, 0, 0);
                st->el[g].flags &= (uint8_t)~F_HIDDEN;
            }
    ludus_web_finish(st);
}

static int group_size(const web_spec *s, int w)
{
    int n = 0;
    for (int v = W_NAME0; v < W_MONTH0; v++) n += WORD(v)[0] == WORD(w)[0] && shown_word(s, v);
    return n;
}

/* the word value of w's first letter */
static int letter_value(const web_spec *s, int w)
{
    for (int v = 1; v < s->lex_n; v++)
        if (s->lex_mod[v] == 1 && WORD(s->lex[v])[0] == WORD(w)[0]) return v;
    return 0;
}

static void gen_autocomplete(const web_spec *s, web_state *st)
{
    int t = W_NAME0;
    for (int tries = 0; tries < 16; tries++) { /* a word that shares its letter, mostly */
        t = draw(s, st, W_NAME0, W_MONTH0, 1, NULL, 0);
        if (group_size(s, t) >= 2) break;
    }
    ludus_web_heading(st, W_ITEM);
    st->target[0] = (uint8_t)t;
    st->target[2] = (uint8_t)add(st, R_TEXTBOX, WEB_NONE, (st->skin & 1) ? W_SEARCH : W_ITEM, 0, H_NONE, 0, 0, 0);
    st->target[3] = (uint8_t)add(st, R_GROUP, WEB_NONE, W_CHOOSE, 0, H_NONE, 0, 0, F_HIDDEN);
    ludus_web_finish(st);
    st->field[0] = (uint8_t)t; /* the item the letters name (letters are no words of the tensor view) */
    st->n_field = 1;
    const char *w = WORD(t);
    char first[2] = {w[0], 0};
    ludus_web_mission(st, (const char *const[]){"Enter the item that starts with '", first, "' and ends with '",
                                                w + strlen(w) - 2, "' (type its first letter to see suggestions) "
                                                "and press ", WORD(ludus_web_submit_word(st)), ".", NULL});
}

static uint32_t eval_autocomplete(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    const web_el *e = &st->el[st->target[2]];
    const int t = st->target[0], right = e->value == t && e->value2 == 0;
    const int letter = right || (e->value && e->value2 == 1 && WORD(e->value)[0] == WORD(t)[0]);
    *ok = st->committed && right;
    return (uint32_t)letter | (uint32_t)right << 1 | (uint32_t)*ok << 2;
}

static void oracle_autocomplete(const web_spec *s, const web_state *st, int32_t *a)
{
    const int t = st->target[0], box = st->target[2];
    const web_el *e = &st->el[box];
    if (e->value == t && e->value2 == 0) {
        ludus_web_click_or_back(st, ludus_web_find(st, H_FINISH, 0), a);
        return;
    }
    int pick = ludus_web_find(st, H_SUGGEST, t);
    if (pick >= 0) ludus_web_act(a, V_CLICK, pick, 0);
    else ludus_web_act(a, V_TYPE, box, letter_value(s, t));
}

/* ---- enter-text-case ---- */

static void gen_case(const web_spec *s, web_state *st)
{
    const int w = draw(s, st, W_NAME0, W_NOUN0, 1, NULL, 0), c = (int)below(st, 3), shown = (int)below(st, 3);
    ludus_web_heading(st, W_TEXT);
    add(st, R_TEXTBOX, WEB_NONE, W_TEXT, 0, H_NONE, 0, 0, 0);
    ludus_web_finish(st);
    st->target[0] = (uint8_t)w;
    st->target[1] = (uint8_t)c;
    st->field[0] = (uint8_t)w;
    st->field[1] = case_words[c];
    st->n_field = 2;
    char buf[24];
    ludus_web_mission(st, (const char *const[]){"Enter '", spell(WEB_TYPED_CASE, w, shown, buf, sizeof buf),
                                                "' in ", case_names[c], " case into the text box and press ",
                                                WORD(ludus_web_submit_word(st)), ".", NULL});
}

static uint32_t eval_case(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    const int box = find_role(st, R_TEXTBOX);
    const int word = box >= 0 && st->el[box].value == st->target[0];
    const int right = word && st->el[box].value2 == st->target[1];
    *ok = st->committed && right;
    return (uint32_t)word | (uint32_t)right << 1 | (uint32_t)*ok << 2;
}

static void oracle_case(const web_spec *s, const web_state *st, int32_t *a)
{
    const int box = find_role(st, R_TEXTBOX);
    if (box >= 0 && (st->el[box].value != st->target[0] || st->el[box].value2 != st->target[1]))
        ludus_web_act(a, V_TYPE, box, value_of(s, st->target[0], st->target[1]));
    else ludus_web_click_or_back(st, ludus_web_find(st, H_FINISH, 0), a);
}

/* ---- email-action: star, delete, reply to or forward the mail named ---- */

static const uint8_t mail_acts[4] = {W_STAR, W_DELETE, W_REPLY, W_FORWARD};

static void gen_email(const web_spec *s, web_state *st)
{
    const int n = 3 + (int)below(st, 4), k = (int)below(st, (uint32_t)n), act = (int)below(st, 4);
    uint8_t who[6] = {0}, subj[6] = {0};
    who[0] = (uint8_t)draw(s, st, W_NAME0, W_NOUN0, 1, NULL, 0);
    for (int r = 1; r < n; r++) who[r] = (uint8_t)draw(s, st, W_NAME0, W_NOUN0, 0, who, r);
    for (int r = 0; r < n; r++) subj[r] = (uint8_t)draw(s, st, W_NOUN0, W_MONTH0, 0, subj, r);
    int word = 0;
    if (act == 2) word = draw(s, st, W_NOUN0, W_MONTH0, 0, NULL, 0);
    if (act == 3) word = draw(s, st, W_NAME0, W_NOUN0, 0, who, 1);
    for (int r = 0; r < n; r++) { /* row k is the target's (who[0]) */
        st->row[r].a = who[r == k ? 0 : r == 0 ? k : r];
        st->row[r].b = subj[r];
    }
    st->n_row = (uint8_t)n;
    ludus_web_heading(st, W_INBOX);
    for (int r = 0; r < n; r++) {
        int g = add(st, R_GROUP, WEB_NONE, st->row[r].a, st->row[r].b, H_NONE, 0, 0, 0);
        for (int j = 0; j < 4; j++) {
            int x = (st->skin & 2) ? 3 - j : j; /* the skin reverses the buttons */
            add(st, R_BUTTON, g, mail_acts[x], 0, H_ROWACT, ACT(x, r), 0, 0);
        }
    }
    int cg = add(st, R_GROUP, WEB_NONE, W_COMPOSE, 0, H_NONE, 0, FORM_GROUP, 0);
    int box = add(st, R_TEXTBOX, cg, W_TEXT, 0, H_NONE, 0, FORM_GROUP, 0);
    add(st, R_BUTTON, cg, W_SEND, 0, H_ROWACT, ACT(A_SEND, 0), FORM_GROUP, 0);
    st->target[3] = (uint8_t)box;
    st->target[0] = (uint8_t)act;
    st->target[1] = (uint8_t)k;
    st->target[2] = (uint8_t)word;
    st->field[0] = who[0];
    st->field[1] = mail_acts[act];
    st->field[2] = (uint8_t)word;
    st->n_field = (uint8_t)(word ? 3 : 2);
    const char *from = WORD(who[0]);
    switch (act) {
    case 0: ludus_web_mission(st, (const char *const[]){"Star the mail from ", from, ".", NULL}); break;
    case 1: ludus_web_mission(st, (const char *const[]){"Delete the mail from ", from, ".", NULL}); break;
    case 2:
        ludus_web_mission(st, (const char *const[]){"Reply to the mail from ", from, " with '", WORD(word), "'.",
                                                    NULL});
        break;
    default:
        ludus_web_mission(st, (const char *const[]){"Forward the mail from ", from, " to ", WORD(word), ".", NULL});
    }
}

static uint32_t eval_email(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    const int act = st->target[0];
    const int acted = st->db[0] == act + 1 && st->db[1] == st->target[1];
    *ok = st->committed && acted && (act < 2 || st->db[2] == st->target[2]);
    return (uint32_t)acted | (uint32_t)*ok << 1;
}

static void oracle_email(const web_spec *s, const web_state *st, int32_t *a)
{
    const int act = st->target[0], row = st->target[1];
    const int sendb = ludus_web_find(st, H_ROWACT, ACT(A_SEND, 0));
    if (act >= 2 && st->db[0] == act + 1 && st->db[1] == row && sendb >= 0) {
        const int box = st->target[3];
        if (st->el[box].value != st->target[2]) ludus_web_act(a, V_TYPE, box, s->lex_of[st->target[2]]);
        else ludus_web_act(a, V_CLICK, sendb, 0);
        return;
    }
    ludus_web_click_or_back(st, ludus_web_find(st, H_ROWACT, ACT(act, row)), a);
}

/* ---- social-action: like every post of a user, or block the user ---- */

static void gen_social(const web_spec *s, web_state *st)
{
    const int n = 4 + (int)below(st, 4), m = 2 + (int)below(st, 2), kind = (int)below(st, 2);
    uint8_t who[3] = {0}, topic[7] = {0};
    who[0] = (uint8_t)draw(s, st, W_NAME0, W_NOUN0, 1, NULL, 0);
    for (int k = 1; k < 3; k++) who[k] = (uint8_t)draw(s, st, W_NAME0, W_NOUN0, 0, who, k);
    for (int r = 0; r < n; r++) {
        topic[r] = (uint8_t)draw(s, st, W_NOUN0, W_MONTH0, 0, topic, r);
        st->row[r].a = r < m ? who[0] : who[1 + below(st, 2)];
        st->row[r].b = topic[r];
    }
    shuffle_rows(st, n);
    st->n_row = (uint8_t)n;
    ludus_web_heading(st, W_FEED);
    for (int r = 0; r < n; r++) {
        int g = add(st, R_GROUP, WEB_NONE, st->row[r].a, st->row[r].b, H_NONE, 0, 0, 0);
        add(st, R_BUTTON, g, W_LIKE, 0, H_ROWACT, ACT(A_LIKE, r), 0, 0);
        int more = add(st, R_BUTTON, g, W_MORE, 0, H_EXPAND, r + 1, 0, F_EXPANDABLE);
        add(st, R_BUTTON, more, W_BLOCK, 0, H_ROWACT, ACT(A_BLOCK, r), r + 1, 0);
    }
    ludus_web_finish(st);
    st->target[0] = (uint8_t)kind;
    st->target[1] = who[0];
    st->field[0] = who[0];
    st->field[1] = kind ? W_BLOCK : W_LIKE;
    st->n_field = 2;
    if (kind)
        ludus_web_mission(st, (const char *const[]){"Block ", WORD(who[0]), " (in the more menu of a post), then "
                                                    "press ", WORD(ludus_web_submit_word(st)), ".", NULL});
    else
        ludus_web_mission(st, (const char *const[]){"Like every post by ", WORD(who[0]), " and no other, then press ",
                                                    WORD(ludus_web_submit_word(st)), ".", NULL});
}

enum { POST_LIKED = 1, POST_BLOCKED = 2 };

/* the posts whose like (bit 0) or block (bit 1) state is not as asked */
static int social_wrong(const web_state *st, int r)
{
    const int mine = st->row[r].a == st->target[1], f = st->row[r].flags;
    const int like = st->target[0] == 0 && mine, block = st->target[0] == 1 && mine;
    return (!!(f & POST_LIKED) != like) | (!!(f & POST_BLOCKED) != block) << 1;
}

static uint32_t eval_social(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    int right = 1;
    for (int r = 0; r < st->n_row; r++) right &= !social_wrong(st, r);
    *ok = st->committed && right;
    return (uint32_t)right | (uint32_t)*ok << 1;
}

static void oracle_social(const web_spec *s, const web_state *st, int32_t *a)
{
    (void)s;
    for (int r = 0; r < st->n_row; r++) {
        const int w = social_wrong(st, r);
        if (w & 1) {
            ludus_web_click_or_back(st, ludus_web_find(st, H_ROWACT, ACT(A_LIKE, r)), a);
            return;
        }
        if (w & 2) {
            int b = ludus_web_find(st, H_ROWACT, ACT(A_BLOCK, r));
            ludus_web_click_or_back(st, b >= 0 ? b : ludus_web_find(st, H_EXPAND, r + 1), a);
            return;
        }
    }
    ludus_web_click_or_back(st, ludus_web_find(st, H_FINISH, 0), a);
}

/* ---- book-flight: the cheapest or shortest flight from A to B on day D ---- */

/* rows: a from, b to (city indexes), c price, d day, e hours */
static void gen_flight(const web_spec *s, web_state *st)
{
    (void)s;
    const int from = (int)below(st, 8), to = (from + 1 + (int)below(st, 7)) % 8, day = 1 + (int)below(st, 7);
    const int crit = (int)below(st, 2), m = 3 + (int)below(st, 2);
    uint32_t prices = 0, hours = 0; /* distinct among the route's flights: one answer */
    int n = 0;
    for (int k = 0; k < m; k++) {
        int p, h;
        do p = 5 + (int)below(st, 27);
        while (prices >> p & 1);
        do h = 1 + (int)below(st, 12);
        while (hours >> h & 1);
        prices |= 1u << p;
        hours |= 1u << h;
        st->row[n++] = (web_row){(uint8_t)from, (uint8_t)to, (uint8_t)p, (uint8_t)day, (uint8_t)h, 0, 0, 0};
    }
    /* decoys: the route on other days, the way back, another destination; often cheaper or shorter */
    for (int k = 0; k < 4; k++) {
        web_row r = {(uint8_t)from, (uint8_t)to, (uint8_t)(1 + below(st, 31)), (uint8_t)day,
                     (uint8_t)(1 + below(st, 12)), 0, 0, 0};
        if (k < 2) r.d = (uint8_t)(1 + (day + (int)below(st, 6)) % 7);
        else if (k == 2) r.a = (uint8_t)to, r.b = (uint8_t)from;
        else
            do r.b = (uint8_t)below(st, 8);
            while (r.b == from || r.b == to);
        st->row[n++] = r;
    }
    shuffle_rows(st, n);
    st->n_row = (uint8_t)n;
    int best = -1;
    for (int r = 0; r < n; r++) {
        const web_row *x = &st->row[r];
        if (x->a != from || x->b != to || x->d != day) continue;
        if (best < 0 || (crit ? x->e < st->row[best].e : x->c < st->row[best].c)) best = r;
    }
    ludus_web_heading(st, W_FLIGHTS);
    for (int k = 0; k < 8; k++) st->opt[k] = (uint8_t)(W_CITY0 + k);
    for (int k = 0; k < 7; k++) st->opt[8 + k] = (uint8_t)NUM(k + 1);
    st->n_opt = 15;
    int f = add(st, R_COMBOBOX, WEB_NONE, W_FROM, 0, H_NONE, 0, 0, 0);
    int t = add(st, R_COMBOBOX, WEB_NONE, W_TO, 0, H_NONE, 0, 0, 0);
    int d = add(st, R_COMBOBOX, WEB_NONE, W_DAY, 0, H_NONE, 0, 0, 0);
    st->el[f].opt_n = st->el[t].opt_n = 8;
    st->el[d].opt_first = 8;
    st->el[d].opt_n = 7;
    add(st, R_BUTTON, WEB_NONE, W_SEARCH, 0, H_ROWACT, ACT(A_SEARCH, 0), 0, 0);
    int g = add(st, R_GROUP, WEB_NONE, W_RESULTS, 0, H_NONE, 0, 0, F_HIDDEN);
    st->target[0] = (uint8_t)best;
    st->target[1] = (uint8_t)crit;
    st->target[2] = (uint8_t)f;
    st->target[3] = (uint8_t)t;
    st->target[4] = (uint8_t)d;
    st->target[5] = (uint8_t)g;
    st->field[0] = (uint8_t)(W_CITY0 + from);
    st->field[1] = (uint8_t)(W_CITY0 + to);
    st->field[2] = (uint8_t)NUM(day);
    st->field[3] = crit ? W_HOUR : W_PRICE;
    st->n_field = 4;
    ludus_web_mission(st, (const char *const[]){"Book the ", crit ? "shortest" : "cheapest", " flight from ",
                                                WORD(W_CITY0 + from), " to ", WORD(W_CITY0 + to), " on day ",
                                                WORD(NUM(day)), ".", NULL});
}

/* the results of the form's query, under the results group (the last element) */
static void flight_results(web_state *st)
{
    const int g = st->target[5];
    st->n_el = (uint8_t)(g + 1);
    st->el[g].flags &= (uint8_t)~F_HIDDEN;
    int found = 0;
    for (int r = 0; r < st->n_row; r++) {
        const web_row *x = &st->row[r];
        if (W_CITY0 + x->a != st->db[3] || W_CITY0 + x->b != st->db[4] || NUM(x->d) != st->db[5]) continue;
        int sub = add(st, R_GROUP, g, W_CITY0 + x->a, W_CITY0 + x->b, H_NONE, 0, 0, 0);
        add(st, R_TEXT, sub, W_PRICE, NUM(x->c), H_NONE, 0, 0, 0);
        add(st, R_TEXT, sub, W_HOUR, NUM(x->e), H_NONE, 0, 0, 0);
        add(st, R_TEXT, sub, W_DAY, NUM(x->d), H_NONE, 0, 0, 0);
        add(st, R_BUTTON, sub, W_BOOK, 0, H_ROWACT, ACT(A_BOOK, r), 0, 0);
        found++;
    }
    if (!found) add(st, R_TEXT, g, W_NOTHING, 0, H_NONE, 0, 0, 0);
}

static int flight_query_right(const web_state *st)
{
    const web_row *x = &st->row[st->target[0]];
    return st->db[2] && st->db[3] == W_CITY0 + x->a && st->db[4] == W_CITY0 + x->b && st->db[5] == NUM(x->d);
}

static uint32_t eval_flight(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    *ok = st->committed && st->db[0] && st->db[1] == st->target[0];
    return (uint32_t)(flight_query_right(st) || *ok) | (uint32_t)*ok << 1;
}

static void oracle_flight(const web_spec *s, const web_state *st, int32_t *a)
{
    const web_row *x = &st->row[st->target[0]];
    if (flight_query_right(st)) {
        ludus_web_click_or_back(st, ludus_web_find(st, H_ROWACT, ACT(A_BOOK, st->target[0])), a);
        return;
    }
    const int want[3] = {W_CITY0 + x->a, W_CITY0 + x->b, NUM(x->d)};
    for (int k = 0; k < 3; k++)
        if (st->el[st->target[2 + k]].value != want[k]) {
            ludus_web_act(a, V_SELECT, st->target[2 + k], s->lex_of[want[k]]);
            return;
        }
    ludus_web_click_or_back(st, ludus_web_find(st, H_ROWACT, ACT(A_SEARCH, 0)), a);
}

/* ---- order-food: the cart holds exactly the items and counts named ---- */

/* rows: a item (a noun), b price, c in the cart, d wanted */
static void gen_food(const web_spec *s, web_state *st)
{
    const int n = 4 + (int)below(st, 4), k = 1 + (int)below(st, 3);
    uint8_t item[7] = {0};
    item[0] = (uint8_t)draw(s, st, W_NOUN0, W_MONTH0, 1, NULL, 0);
    for (int r = 1; r < n; r++) item[r] = (uint8_t)draw(s, st, W_NOUN0, W_MONTH0, 0, item, r);
    for (int r = 0; r < n; r++)
        st->row[r] = (web_row){item[r], (uint8_t)(1 + below(st, 20)), 0, (uint8_t)(r < k ? 1 + below(st, 3) : 0), 0,
                               0, 0, 0};
    const char *p[24];
    char counts[3][2];
    int q = 0;
    p[q++] = "Order ";
    for (int j = 0; j < k; j++) {
        if (j) p[q++] = j + 1 == k ? " and " : ", ";
        counts[j][0] = (char)('0' + st->row[j].d);
        counts[j][1] = 0;
        p[q++] = counts[j];
        p[q++] = " ";
        p[q++] = WORD(item[j]);
        st->field[2 * j] = item[j];
        st->field[2 * j + 1] = (uint8_t)NUM(st->row[j].d);
    }
    st->n_field = (uint8_t)(2 * k);
    shuffle_rows(st, n);
    st->n_row = (uint8_t)n;
    ludus_web_heading(st, W_MENU);
    for (int r = 0; r < n; r++) {
        int g = add(st, R_GROUP, WEB_NONE, st->row[r].a, 0, H_NONE, 0, 0, 0);
        add(st, R_TEXT, g, W_PRICE, NUM(st->row[r].b), H_NONE, 0, 0, 0);
        add(st, R_BUTTON, g, W_ADD, 0, H_ROWACT, ACT(A_ADD, r), 0, 0);
        add(st, R_BUTTON, g, W_REMOVE, 0, H_ROWACT, ACT(A_REMOVE, r), 0, F_DISABLED);
    }
    add(st, R_BUTTON, WEB_NONE, W_ORDER, 0, H_FINISH, 0, 0, 0);
    st->target[2] = (uint8_t)add(st, R_GROUP, WEB_NONE, W_CART, 0, H_NONE, 0, 0, 0);
    p[q++] = ", then press order.";
    p[q] = NULL;
    ludus_web_mission(st, p);
}

/* the cart's lines after the cart group (the last elements), the buttons' states */
static void food_cart(web_state *st)
{
    const int g = st->target[2];
    st->n_el = (uint8_t)(g + 1);
    for (int r = 0; r < st->n_row; r++)
        if (st->row[r].c) add(st, R_TEXT, g, st->row[r].a, NUM(st->row[r].c), H_NONE, 0, 0, 0);
    for (int i = 0; i < g; i++) {
        web_el *e = &st->el[i];
        if (e->handler != H_ROWACT) continue;
        const int c = st->row[e->harg & 15].c;
        e->flags &= (uint8_t)~F_DISABLED;
        if ((e->harg >> 4) == A_ADD ? c >= FOOD_MAX : c == 0) e->flags |= F_DISABLED;
    }
}

static uint32_t eval_food(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    int right = 1;
    for (int r = 0; r < st->n_row; r++) right &= st->row[r].c == st->row[r].d;
    *ok = st->committed && right;
    return (uint32_t)right | (uint32_t)*ok << 1;
}

static void oracle_food(const web_spec *s, const web_state *st, int32_t *a)
{
    (void)s;
    for (int r = 0; r < st->n_row; r++)
        if (st->row[r].c != st->row[r].d) {
            ludus_web_click_or_back(st, ludus_web_find(st, H_ROWACT, ACT(st->row[r].c < st->row[r].d ? A_ADD : A_REMOVE, r)), a);
            return;
        }
    ludus_web_click_or_back(st, ludus_web_find(st, H_FINISH, 0), a);
}

/* ---- daily-calendar: add an event at an hour, or delete the event named ---- */

/* rows (one per hour from HOUR0): a title (0: free), b invitee */
static void gen_calendar(const web_spec *s, web_state *st)
{
    const int kind = (int)below(st, 2), busy = 3 + (int)below(st, 2);
    uint8_t hours[HOURS] = {0}, titles[HOURS + 1] = {0};
    for (int k = 0; k < HOURS; k++) hours[k] = (uint8_t)k;
    for (int i = HOURS - 1; i > 0; i--) { /* hours[0..busy) have events */
        int j = (int)below(st, (uint32_t)i + 1);
        uint8_t t = hours[i];
        hours[i] = hours[j];
        hours[j] = t;
    }
    titles[0] = (uint8_t)draw(s, st, W_NOUN0, W_MONTH0, 1, NULL, 0); /* the title named */
    for (int k = 0; k < busy; k++) {
        titles[k + 1] = (uint8_t)draw(s, st, W_NOUN0, W_MONTH0, 0, titles, k + 1);
        st->row[hours[k]].a = kind && k == 0 ? titles[0] : titles[k + 1];
        st->row[hours[k]].b = (uint8_t)draw(s, st, W_NAME0, W_NOUN0, 0, NULL, 0);
    }
    const int h = kind ? hours[0] : hours[busy + (int)below(st, (uint32_t)(HOURS - busy))];
    const int who = kind ? st->row[h].b : draw(s, st, W_NAME0, W_NOUN0, 0, NULL, 0);
    st->n_row = HOURS;
    ludus_web_heading(st, W_CALENDAR);
    for (int k = 0; k < HOURS; k++) {
        int g = add(st, R_GROUP, WEB_NONE, NUM(HOUR0 + k), 0, H_NONE, 0, 0, 0);
        if (st->row[k].a) {
            add(st, R_TEXT, g, st->row[k].a, st->row[k].b, H_NONE, 0, 0, 0);
            add(st, R_BUTTON, g, W_DELETE, 0, H_ROWACT, ACT(A_DELEVENT, k), 0, 0);
        } else {
            add(st, R_TEXT, g, W_FREE, 0, H_NONE, 0, 0, 0);
            add(st, R_BUTTON, g, W_ADD, 0, H_ROWACT, ACT(A_NEW, k), 0, 0);
        }
    }
    int fg = add(st, R_GROUP, WEB_NONE, W_EVENT, 0, H_NONE, 0, FORM_GROUP, 0);
    st->target[4] = (uint8_t)add(st, R_TEXT, fg, W_HOUR, 0, H_NONE, 0, FORM_GROUP, 0);
    int bt = add(st, R_TEXTBOX, fg, W_TITLE, 0, H_NONE, 0, FORM_GROUP, 0);
    int bw = add(st, R_TEXTBOX, fg, W_WITH, 0, H_NONE, 0, FORM_GROUP, 0);
    if (st->skin & 2) { /* the skin asks for the invitee first (slots keep the tree's order) */
        st->el[bt].name = W_WITH;
        st->el[bw].name = W_TITLE;
        int t = bt;
        bt = bw;
        bw = t;
    }
    st->target[5] = (uint8_t)bt;
    st->target[6] = (uint8_t)bw;
    add(st, R_BUTTON, fg, W_SAVE, 0, H_ROWACT, ACT(A_SAVE, 0), FORM_GROUP, 0);
    st->target[0] = (uint8_t)kind;
    st->target[1] = (uint8_t)h;
    st->target[2] = titles[0];
    st->target[3] = (uint8_t)who;
    st->field[0] = titles[0];
    if (kind) {
        st->n_field = 1;
        ludus_web_mission(st, (const char *const[]){"Delete the event '", WORD(titles[0]), "'.", NULL});
        return;
    }
    st->field[1] = (uint8_t)who;
    st->field[2] = (uint8_t)NUM(HOUR0 + h);
    st->n_field = 3;
    ludus_web_mission(st, (const char *const[]){"Add the event '", WORD(titles[0]), "' with ", WORD(who), " at ",
                                                WORD(NUM(HOUR0 + h)), ", then save.", NULL});
}

static uint32_t eval_calendar(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    const int h = st->target[1];
    if (st->target[0]) {
        const int del = st->db[6] == h + 1;
        *ok = st->committed && del;
        return (uint32_t)del | (uint32_t)del << 1 | (uint32_t)*ok << 2;
    }
    const int slot = st->db[0] == h + 1 && !st->db[6];
    const int typed = slot && st->el[st->target[5]].value == st->target[2] && st->el[st->target[6]].value == st->target[3];
    *ok = st->committed && slot && st->db[1] == st->target[2] && st->db[2] == st->target[3];
    return (uint32_t)slot | (uint32_t)(typed || *ok) << 1 | (uint32_t)*ok << 2;
}

static void oracle_calendar(const web_spec *s, const web_state *st, int32_t *a)
{
    const int h = st->target[1];
    if (st->target[0]) {
        ludus_web_click_or_back(st, ludus_web_find(st, H_ROWACT, ACT(A_DELEVENT, h)), a);
        return;
    }
    if (st->db[0] != h + 1 || !(st->open >> FORM_GROUP & 1)) {
        ludus_web_click_or_back(st, ludus_web_find(st, H_ROWACT, ACT(A_NEW, h)), a);
        return;
    }
    for (int k = 0; k < 2; k++) {
        const int box = st->target[5 + k], want = st->target[2 + k];
        if (st->el[box].value != want) {
            ludus_web_act(a, V_TYPE, box, s->lex_of[want]);
            return;
        }
    }
    ludus_web_click_or_back(st, ludus_web_find(st, H_ROWACT, ACT(A_SAVE, 0)), a);
}

/* ---- handlers ---- */

static int row_act(const web_spec *s, web_state *st, web_el *e, int act, int r)
{
    (void)s;
    switch (act) {
    case A_STAR: case A_DELETE: case A_REPLY: case A_FORWARD:
        st->db[0] = (uint8_t)(act + 1);
        st->db[1] = (uint8_t)r;
        if (act < A_REPLY) {
            commit(st);
            return RC_OK;
        }
        /* the compose box: a text to reply, a name to forward to */
        st->open |= 1u << FORM_GROUP;
        st->el[st->target[3]].name = act == A_REPLY ? W_TEXT : W_TO;
        st->el[st->target[3]].value = 0;
        return RC_OK;
    case A_SEND:
        if (st->db[0] <= A_DELETE + 1) return RC_DISABLED;
        st->db[2] = st->el[st->target[3]].value;
        commit(st);
        return RC_OK;
    case A_LIKE:
        st->row[r].flags ^= POST_LIKED;
        e->name = (st->row[r].flags & POST_LIKED) ? W_UNLIKE : W_LIKE;
        return RC_OK;
    case A_BLOCK: { /* a block is the author's: every post of theirs shows it */
        const int u = st->row[r].a, on = !(st->row[r].flags & POST_BLOCKED);
        for (int k = 0; k < st->n_row; k++)
            if (st->row[k].a == u)
                st->row[k].flags = (uint8_t)((st->row[k].flags & ~POST_BLOCKED) | (on ? POST_BLOCKED : 0));
        for (int j = 0; j < st->n_el; j++) {
            web_el *x = &st->el[j];
            if (x->handler == H_ROWACT && (x->harg >> 4) == A_BLOCK && st->row[x->harg & 15].a == u)
                x->name = on ? W_UNBLOCK : W_BLOCK;
        }
        return RC_OK;
    }
    case A_SEARCH:
        st->db[2] = 1;
        for (int k = 0; k < 3; k++) st->db[3 + k] = st->el[st->target[2 + k]].value;
        flight_results(st);
        return RC_OK;
    case A_BOOK:
        st->db[0] = 1;
        st->db[1] = (uint8_t)r;
        commit(st);
        return RC_OK;
    case A_ADD: case A_REMOVE:
        if (act == A_ADD ? st->row[r].c >= FOOD_MAX : st->row[r].c == 0) return RC_DISABLED;
        st->row[r].c = (uint8_t)(st->row[r].c + (act == A_ADD ? 1 : -1));
        food_cart(st);
        return RC_OK;
    case A_NEW:
        if (st->row[r].a) return RC_DISABLED;
        st->db[0] = (uint8_t)(r + 1);
        st->open |= 1u << FORM_GROUP;
        st->el[st->target[4]].name2 = (uint8_t)NUM(HOUR0 + r);
        return RC_OK;
    case A_DELEVENT:
        if (!st->row[r].a) return RC_DISABLED;
        st->db[6] = (uint8_t)(r + 1);
        commit(st);
        return RC_OK;
    case A_SAVE:
        if (!st->db[0]) return RC_DISABLED;
        st->db[1] = st->el[st->target[5]].value;
        st->db[2] = st->el[st->target[6]].value;
        commit(st);
        return RC_OK;
    default: return RC_BAD_VERB;
    }
}

int ludus_web_more_click(const web_spec *s, web_state *st, int i)
{
    web_el *e = &st->el[i];
    if (e->handler == H_SUGGEST) {
        st->el[st->target[2]].value = e->harg;
        st->el[st->target[2]].value2 = 0;
        suggest(s, st);
        return RC_OK;
    }
    if (e->handler == H_ROWACT) return row_act(s, st, e, e->harg >> 4, e->harg & 15);
    return RC_BAD_VERB;
}

/* ---- the table, and the checks of a foreign state ---- */

static int validate_more(const web_spec *s, const web_state *st);

const web_task ludus_web_more_tasks[] = {
    {"use-autocomplete", gen_autocomplete, NULL, eval_autocomplete, WEB_LEX_PREFIX, 10, 3, 0, oracle_autocomplete,
     validate_more},
    {"enter-text-case", gen_case, NULL, eval_case, WEB_LEX_CASE, 10, 3, 0, oracle_case, validate_more},
    {"email-action", gen_email, NULL, eval_email, WEB_LEX_CONTENT, 10, 2, 0, oracle_email, validate_more},
    {"social-action", gen_social, NULL, eval_social, WEB_LEX_CONTENT, 20, 2, 0, oracle_social, validate_more},
    {"book-flight", gen_flight, NULL, eval_flight, WEB_LEX_TRAVEL, 15, 2, 0, oracle_flight, validate_more},
    {"order-food", gen_food, NULL, eval_food, WEB_LEX_WIDE, 20, 2, 0, oracle_food, validate_more},
    {"daily-calendar", gen_calendar, NULL, eval_calendar, WEB_LEX_WIDE, 10, 3, 0, oracle_calendar, validate_more},
};
const int ludus_web_more_task_count = (int)(sizeof ludus_web_more_tasks / sizeof ludus_web_more_tasks[0]);

#define HB(h) (1ull << (h))
#define AB(a) (1u << (a))
/* the handlers and row acts each task's page uses, in the table's order */
static const struct {
    uint64_t handlers;
    uint32_t acts;
} task_uses[] = {
    {HB(H_NONE) | HB(H_FINISH) | HB(H_SUGGEST), 0},
    {HB(H_NONE) | HB(H_FINISH), 0},
    {HB(H_NONE) | HB(H_ROWACT), AB(A_STAR) | AB(A_DELETE) | AB(A_REPLY) | AB(A_FORWARD) | AB(A_SEND)},
    {HB(H_NONE) | HB(H_FINISH) | HB(H_EXPAND) | HB(H_ROWACT), AB(A_LIKE) | AB(A_BLOCK)},
    {HB(H_NONE) | HB(H_ROWACT), AB(A_SEARCH) | AB(A_BOOK)},
    {HB(H_NONE) | HB(H_FINISH) | HB(H_ROWACT), AB(A_ADD) | AB(A_REMOVE)},
    {HB(H_NONE) | HB(H_ROWACT), AB(A_NEW) | AB(A_DELEVENT) | AB(A_SAVE)},
};
_Static_assert(sizeof task_uses / sizeof task_uses[0] == sizeof ludus_web_more_tasks / sizeof ludus_web_more_tasks[0],
               "a handler set per task");
_Static_assert(H_COUNT <= 64 && A_COUNT <= 16, "handler sets fit 64 bits, acts 4 bits");

/* whether slot i holds an element of this role */
static int slot_is(const web_state *st, int i, int role) { return i < st->n_el && st->el[i].role == role; }

static int validate_more(const web_spec *s, const web_state *st)
{
    const int k = (int)(s->task - ludus_web_more_tasks);
    const uint8_t *t = st->target;
    if (st->n_cart || st->n_error || st->n_row > WEB_ROWS)
        BAD("web state: site counts %d, %d, %d", st->n_row, st->n_cart, st->n_error);
    for (int j = 0; j < st->nav_n; j++)
        if (st->nav[j].page != P_MAIN) BAD("web state: navigation entry %d names another page", j);
    for (int r = 0; r < WEB_ROWS; r++)
        if (st->row[r].a >= W_END || st->row[r].b >= W_END) BAD("web state: row %d has a word out of the vocabulary", r);
    for (int i = 0; i < st->n_el; i++) {
        const web_el *e = &st->el[i];
        if (!(task_uses[k].handlers >> e->handler & 1))
            BAD("web state: element %d has handler %d of another task", i, e->handler);
        const int h = e->harg, act = h >> 4, row = h & 15;
        const int page_act = act == A_SEND || act == A_SEARCH || act == A_SAVE;
        if ((e->handler == H_SUGGEST && (h < W_NAME0 || h >= W_MONTH0)) ||
            (e->handler == H_ROWACT && (!(task_uses[k].acts >> act & 1) || (page_act ? row != 0 : row >= st->n_row))))
            BAD("web state: element %d handler argument %d", i, h);
        if (e->role == R_TEXTBOX && e->value2 > (s->typed == WEB_TYPED_CASE ? 2 : s->typed == WEB_TYPED_PREFIX))
            BAD("web state: text box %d typed modifier %d", i, e->value2);
    }
    switch (k) {
    case 0:
        if (t[0] < W_NAME0 || t[0] >= W_MONTH0 || !slot_is(st, t[2], R_TEXTBOX) || !slot_is(st, t[3], R_GROUP) ||
            t[2] >= t[3] || t[3] + 10 > WEB_K)
            BAD("web state: autocomplete target %d, box %d, list %d", t[0], t[2], t[3]);
        break;
    case 1:
        if (t[0] < W_NAME0 || t[0] >= W_NOUN0 || t[1] > 2) BAD("web state: case target %d %d", t[0], t[1]);
        break;
    case 2:
        if (t[0] > 3 || t[1] >= st->n_row || t[2] >= W_END || !slot_is(st, t[3], R_TEXTBOX))
            BAD("web state: mail target %d %d %d, compose box %d", t[0], t[1], t[2], t[3]);
        break;
    case 3:
        if (t[0] > 1 || t[1] >= W_END) BAD("web state: social target %d %d", t[0], t[1]);
        break;
    case 4:
        if (t[0] >= st->n_row || !slot_is(st, t[5], R_GROUP) || t[5] + 1 + 5 * st->n_row > WEB_K)
            BAD("web state: flight target %d, results %d", t[0], t[5]);
        for (int j = 2; j < 5; j++)
            if (!slot_is(st, t[j], R_COMBOBOX) || t[j] >= t[5]) BAD("web state: flight form slot %d", t[j]);
        for (int r = 0; r < st->n_row; r++) {
            const web_row *x = &st->row[r];
            if (x->a > 7 || x->b > 7 || x->c < 1 || x->c > 31 || x->d < 1 || x->d > 7 || x->e < 1 || x->e > 31)
                BAD("web state: flight %d out of range", r);
        }
        break;
    case 5:
        if (!slot_is(st, t[2], R_GROUP) || t[2] + 1 + st->n_row > WEB_K) BAD("web state: cart slot %d", t[2]);
        for (int r = 0; r < st->n_row; r++)
            if (st->row[r].b < 1 || st->row[r].b > 31 || st->row[r].c > FOOD_MAX || st->row[r].d > FOOD_MAX)
                BAD("web state: menu row %d out of range", r);
        break;
    default:
        if (st->n_row != HOURS || t[0] > 1 || t[1] >= HOURS || t[2] >= W_END || t[3] >= W_END ||
            !slot_is(st, t[4], R_TEXT) || !slot_is(st, t[5], R_TEXTBOX) || !slot_is(st, t[6], R_TEXTBOX) ||
            st->db[0] > HOURS || st->db[6] > HOURS)
            BAD("web state: calendar target %d %d, slots %d %d %d", t[0], t[1], t[4], t[5], t[6]);
    }
    return LUDUS_OK;
}

void ludus_web_typed(const web_spec *s, web_state *st, int i, int v)
{
    st->el[i].value2 = s->lex_mod[v];
    if (s->typed == WEB_TYPED_PREFIX && i == st->target[2]) suggest(s, st); /* the list follows the letter */
}
