/* site_info.c: Web-info-question-v0, more info-seeking questions about
 * the shop of sites.c (spec/web.md B5 S8; WebArena's information-seeking
 * intents: counts, comparisons, superlatives). Web-info-seek-v0 asks one
 * product's price or rating; this task asks one of five kinds:
 *
 *   count     How many lamp products does the shop sell?        a number
 *   compare   Which is cheaper, the alice lamp or the bob lamp? a brand
 *   cheapest  Which brand sells the cheapest lamp?              a brand
 *   colours   In how many colours does the alice lamp come?     a number
 *   best      Which brand's lamp has the best rating?           a brand
 *
 * answered with `stop [answer]`. The answer is one word of the task's
 * vocabulary, compared after the world's normalisation of the reply
 * (case, brackets, a trailing "$" or "." dropped by the text grammar): a
 * number 1-31 or a brand (a name). The shop has 2-4 products of the noun
 * (distinct brands, distinct prices and distinct ratings among them, so
 * every comparison and superlative has one answer) and others of other
 * nouns. The results page of the noun shows every one of its products
 * with its price (count, compare, cheapest read it there); the colours and
 * the rating show on item pages only (colours: the product's page; best:
 * every one of the noun's pages, the best one's page is the key node).
 * Placing an order ends the episode in failure. Key nodes: the evidence
 * page, the right answer. holdout=task (compose.c) holds out
 * combinations of the kind with the number of the noun's products.
 */
#include <string.h>

#include "web.h"

#define WORD(w) ludus_web_words[w]

enum { Q_COUNT = 0, Q_COMPARE, Q_CHEAPEST, Q_COLOURS, Q_BEST, Q_KINDS };

/* m distinct values of 1..hi into v, each uniform over the values left */
static void distinct(web_state *st, int m, int hi, uint8_t *v)
{
    for (int k = 0; k < m; k++) {
        int x = (int)ludus_web_below(st, (uint32_t)(hi - k));
        for (int val = 1; val <= hi; val++) {
            int taken = 0;
            for (int q = 0; q < k; q++) taken |= v[q] == val;
            if (!taken && x-- == 0) {
                v[k] = (uint8_t)val;
                break;
            }
        }
    }
}

static int popcount4(int x) { return (x & 1) + (x >> 1 & 1) + (x >> 2 & 1) + (x >> 3 & 1); }

/* target: [0] the product named (row), [3] the answer's word, [4] the
 * kind, [5] the noun's products (2-4), [6] the evidence row (best: the
 * best rated), [7] the second product named (compare). fields: noun,
 * brand A, brand B. */
static void gen_question(const web_spec *s, web_state *st)
{
    const int n = 6 + (int)ludus_web_below(st, 4), kind = (int)ludus_web_below(st, Q_KINDS);
    const int m = 2 + (int)ludus_web_below(st, 3);
    web_row *r = st->row;
    memset(r, 0, sizeof st->row);
    const uint8_t noun = (uint8_t)ludus_web_draw_word(s, st, W_NOUN0, W_MONTH0, 1, NULL, 0);
    uint8_t brands[WEB_ROWS], price[4], rating[4];
    brands[0] = (uint8_t)ludus_web_draw_word(s, st, W_NAME0, W_NOUN0, 1, NULL, 0);
    for (int k = 1; k < m; k++) brands[k] = (uint8_t)ludus_web_draw_word(s, st, W_NAME0, W_NOUN0, 0, brands, k);
    distinct(st, m, 31, price);
    distinct(st, m, 5, rating);
    for (int k = 0; k < n; k++) {
        web_row *w = &r[k];
        if (k < m) {
            w->a = noun;
            w->b = brands[k];
            w->c = price[k];
            w->d = rating[k];
        } else {
            w->a = (uint8_t)ludus_web_draw_word(s, st, W_NOUN0, W_MONTH0, 0, &noun, 1);
            w->b = (uint8_t)ludus_web_draw_word(s, st, W_NAME0, W_NOUN0, 0, NULL, 0);
            w->c = (uint8_t)(1 + ludus_web_below(st, 31));
            w->d = (uint8_t)(1 + ludus_web_below(st, 5));
        }
        w->e = (uint8_t)(1 + ludus_web_below(st, 15));
        w->f = (uint8_t)(1 + ludus_web_below(st, 7));
    }
    int cheap = 0, best = 0;
    for (int k = 1; k < m; k++) {
        if (r[k].c < r[cheap].c) cheap = k;
        if (r[k].d > r[best].d) best = k;
    }
    uint8_t where[3] = {0, 1, (uint8_t)(kind == Q_BEST ? best : kind == Q_CHEAPEST ? cheap : 0)};
    int answer;
    switch (kind) {
    case Q_COUNT: answer = W_NUM1 + m - 1; break;
    case Q_COMPARE: answer = r[0].c < r[1].c ? r[0].b : r[1].b; break;
    case Q_CHEAPEST: answer = r[cheap].b; break;
    case Q_COLOURS: answer = W_NUM1 + popcount4(r[0].e) - 1; break;
    default: answer = r[best].b; break;
    }
    /* shuffle the rows, following the products named and the evidence */
    for (int i = n - 1; i > 0; i--) {
        int j = (int)ludus_web_below(st, (uint32_t)i + 1);
        web_row t = r[i];
        r[i] = r[j];
        r[j] = t;
        for (int k = 0; k < 3; k++) where[k] = (uint8_t)(where[k] == i ? j : where[k] == j ? i : where[k]);
    }
    const int swap = kind == Q_COMPARE && ludus_web_below(st, 2); /* which product the question names first */
    st->n_row = (uint8_t)n;
    st->target[0] = where[swap];
    st->target[3] = (uint8_t)answer;
    st->target[4] = (uint8_t)kind;
    st->target[5] = (uint8_t)m;
    st->target[6] = where[2];
    st->target[7] = where[!swap];
    st->field[0] = noun;
    st->field[1] = r[where[swap]].b;
    st->field[2] = r[where[!swap]].b;
    st->n_field = kind == Q_COMPARE ? 3 : kind == Q_COLOURS ? 2 : 1;
    st->nav[0] = (web_nav){P_MAIN, 0, 0, 0};
    st->nav_n = 1;
    const char *a = WORD(st->field[1]), *b = WORD(st->field[2]), *nn = WORD(noun);
    switch (kind) {
    case Q_COUNT:
        ludus_web_mission(st, (const char *const[]){"How many ", nn, " products does the shop sell? Answer stop "
                                                    "[number].", NULL});
        break;
    case Q_COMPARE:
        ludus_web_mission(st, (const char *const[]){"Which is cheaper, the ", a, " ", nn, " or the ", b, " ", nn,
                                                    "? Answer stop [brand].", NULL});
        break;
    case Q_CHEAPEST:
        ludus_web_mission(st, (const char *const[]){"Which brand sells the cheapest ", nn, "? Answer stop [brand].",
                                                    NULL});
        break;
    case Q_COLOURS:
        ludus_web_mission(st, (const char *const[]){"In how many colours does the ", a, " ", nn, " come? Answer "
                                                    "stop [number].", NULL});
        break;
    default:
        ludus_web_mission(st, (const char *const[]){"Which brand's ", nn, " has the best rating? Answer stop "
                                                    "[brand].", NULL});
    }
}

/* the page that shows the answer: the noun's results (no price filter),
 * or the item page of the product named or the best rated */
static int at_evidence(const web_state *st)
{
    const web_nav *nv = ludus_web_top(st);
    const int kind = st->target[4];
    if (kind == Q_COLOURS || kind == Q_BEST)
        return nv->page == P_ITEM && nv->a == st->target[kind == Q_BEST ? 6 : 0];
    return nv->page == P_RESULTS && nv->a == st->field[0] && !(nv->pad & 3);
}

static uint32_t eval_question(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    *ok = st->done && !st->committed && st->answer == st->target[3];
    return (uint32_t)at_evidence(st) | (uint32_t)*ok << 1;
}

static void oracle_question(const web_spec *s, const web_state *st, int32_t *a)
{
    const web_nav *nv = ludus_web_top(st);
    if (at_evidence(st)) {
        ludus_web_act(a, V_STOP, ludus_web_any_el(st), s->lex_of[st->target[3]]);
        return;
    }
    const int noun = st->field[0];
    if (nv->page == P_MAIN) {
        int box = ludus_web_find_named(st, R_TEXTBOX, W_SEARCH);
        if (box >= 0 && st->el[box].value != noun) ludus_web_act(a, V_TYPE, box, s->lex_of[noun]);
        else ludus_web_click_or_back(st, ludus_web_find(st, H_SEARCH, box), a);
        return;
    }
    const int kind = st->target[4], r = st->target[kind == Q_BEST ? 6 : 0];
    if ((kind == Q_COLOURS || kind == Q_BEST) && nv->page == P_RESULTS && nv->a == noun &&
        ludus_web_find(st, H_OPEN, r) >= 0) {
        ludus_web_act(a, V_CLICK, ludus_web_find(st, H_OPEN, r), 0);
        return;
    }
    ludus_web_click_or_back(st, ludus_web_find(st, H_GOTO, P_MAIN), a);
}

#define BAD(...) return ludus_err_set(LUDUS_EFORMAT, __VA_ARGS__)

static int validate_question(const web_spec *s, const web_state *st)
{
    int rc = ludus_web_validate_shop(s, st);
    if (rc) return rc;
    if (st->target[4] >= Q_KINDS || st->target[5] < 2 || st->target[5] > 4 || st->target[6] >= st->n_row ||
        st->target[7] >= st->n_row)
        BAD("web state: the question's targets out of range");
    return LUDUS_OK;
}

const web_task ludus_web_task_info_question = {
    "info-question", gen_question, ludus_web_build_shop, eval_question, WEB_LEX_INFO, 30, 2, 0, oracle_question,
    validate_question};

/* ================= Web-info-calendar-v0 =================
 * A question about the calendar of sites.c (its week, day and event
 * pages, unchanged): how many events on day D, who the event T on day D
 * is with, at what hour it is, which event comes first on day D;
 * answered with `stop [number]`, `stop [name]`, `stop [hour]` or
 * `stop [title]`. Day D has 1-4 events at distinct hours with distinct
 * titles; 3-5 more fall on other days. The day page shows each hour's
 * event (title, invitee); it is the evidence (a key node). Saving a new
 * event ends the episode in failure. rows: events (a day, b hour, c
 * title, d invitee). target: [0] D, [1] the hour of the event named, [3]
 * the answer's word, [4] the kind, [5] D's events; saved[1]: the events
 * at reset. fields: D's word, the title named. */

enum { C_COUNT = 0, C_WHO, C_WHEN, C_FIRST, C_KINDS };

static void gen_cal_question(const web_spec *s, web_state *st)
{
    const int day = 1 + (int)ludus_web_below(st, 7), kind = (int)ludus_web_below(st, C_KINDS);
    const int k = 1 + (int)ludus_web_below(st, 4);
    uint8_t hours[4], titles[4];
    distinct(st, k, 8, hours);
    titles[0] = (uint8_t)ludus_web_draw_word(s, st, W_NOUN0, W_MONTH0, 1, NULL, 0);
    for (int e = 1; e < k; e++) titles[e] = (uint8_t)ludus_web_draw_word(s, st, W_NOUN0, W_MONTH0, 0, titles, e);
    int n = 0;
    for (int e = 0; e < k; e++) {
        const int who = ludus_web_draw_word(s, st, W_NAME0, W_NOUN0, e == 0, NULL, 0);
        st->row[n++] = (web_row){(uint8_t)day, (uint8_t)(8 + hours[e]), titles[e], (uint8_t)who, 0, 0, 0, 0};
    }
    for (int m = 3 + (int)ludus_web_below(st, 3); m > 0; m--) { /* other days, a free hour each */
        int d = 1 + (int)ludus_web_below(st, 6), h = 9 + (int)ludus_web_below(st, 8), taken = 0;
        d += d >= day; /* never day D */
        for (int r = 0; r < n; r++) taken |= st->row[r].a == d && st->row[r].b == h;
        if (taken) continue;
        const int t = ludus_web_draw_word(s, st, W_NOUN0, W_MONTH0, 0, NULL, 0);
        st->row[n++] = (web_row){(uint8_t)d, (uint8_t)h, (uint8_t)t,
                                 (uint8_t)ludus_web_draw_word(s, st, W_NAME0, W_NOUN0, 0, NULL, 0), 0, 0, 0, 0};
    }
    int first = 0;
    for (int e = 1; e < k; e++)
        if (st->row[e].b < st->row[first].b) first = e;
    int answer;
    switch (kind) {
    case C_COUNT: answer = W_NUM1 + k - 1; break;
    case C_WHO: answer = st->row[0].d; break;
    case C_WHEN: answer = W_NUM1 + st->row[0].b - 1; break;
    default: answer = st->row[first].c; break;
    }
    st->n_row = (uint8_t)n;
    st->saved[1] = (uint8_t)n;
    st->target[0] = (uint8_t)day;
    st->target[1] = st->row[0].b;
    st->target[3] = (uint8_t)answer;
    st->target[4] = (uint8_t)kind;
    st->target[5] = (uint8_t)k;
    st->field[0] = (uint8_t)(W_NUM1 + day - 1);
    st->field[1] = st->row[0].c;
    st->n_field = kind == C_WHO || kind == C_WHEN ? 2 : 1;
    st->nav[0] = (web_nav){P_WEEK, 0, 0, 0};
    st->nav_n = 1;
    const char *d = WORD(st->field[0]), *t = WORD(st->field[1]);
    switch (kind) {
    case C_COUNT:
        ludus_web_mission(st, (const char *const[]){"How many events are on day ", d, "? Answer stop [number].", NULL});
        break;
    case C_WHO:
        ludus_web_mission(st, (const char *const[]){"Who is the ", t, " on day ", d, " with? Answer stop [name].",
                                                    NULL});
        break;
    case C_WHEN:
        ludus_web_mission(st, (const char *const[]){"At what hour is the ", t, " on day ", d, "? Answer stop [hour].",
                                                    NULL});
        break;
    default:
        ludus_web_mission(st, (const char *const[]){"What is the first event on day ", d, "? Answer stop [title].",
                                                    NULL});
    }
}

static uint32_t eval_cal_question(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    const web_nav *nv = ludus_web_top(st);
    *ok = st->done && !st->committed && st->answer == st->target[3];
    return (uint32_t)(nv->page == P_DAY && nv->a == st->target[0]) | (uint32_t)*ok << 1;
}

static void oracle_cal_question(const web_spec *s, const web_state *st, int32_t *a)
{
    const web_nav *nv = ludus_web_top(st);
    if (nv->page == P_DAY && nv->a == st->target[0]) ludus_web_act(a, V_STOP, ludus_web_any_el(st), s->lex_of[st->target[3]]);
    else if (nv->page == P_WEEK) ludus_web_click_or_back(st, ludus_web_find(st, H_DAYVIEW, st->target[0]), a);
    else ludus_web_click_or_back(st, ludus_web_find(st, H_GOTO, P_WEEK), a);
}

static int validate_cal_question(const web_spec *s, const web_state *st)
{
    int rc = ludus_web_validate_site(s, st);
    if (rc) return rc;
    if (st->target[4] >= C_KINDS || st->target[5] < 1 || st->target[5] > 4 || st->target[3] >= W_END)
        BAD("web state: the question's targets out of range");
    return LUDUS_OK;
}

const web_task ludus_web_task_info_calendar = {
    "info-calendar", gen_cal_question, ludus_web_build_calendar, eval_cal_question, WEB_LEX_WIDE, 20, 2, 0,
    oracle_cal_question, validate_cal_question};
