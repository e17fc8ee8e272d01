/* compose.c: held-out compositions (holdout=task, spec/web.md B8) of the
 * site tasks whose level combines constraint kinds or subgoals in ways
 * the default draw already varies: which attributes the shop's match
 * combines, the mail rule's action with the order the forward needs,
 * which fields a profile needs changed, a route's pair of cities, the
 * calendar's blocked hours and near miss, the forum's subgoal order, the
 * cart's edits, the question's kind and its products. (The files and admin tasks draw
 * their ordered subgoal kinds explicitly: site_heldout.c.)
 *
 * A level's composition is a code read off the level as drawn (a pure
 * function of the state at reset); code c of the task with salt `salt` is
 * held out for test when ludus_web_combo_heldout(salt, c), the hash the
 * files and admin tasks use. Under holdout=task with split=train|test,
 * web_reset draws levels from the stream until one's composition is in
 * the split (rejection: the draw itself is the default one, so the
 * default and split=all stay bit-exact); train and test never share a
 * composition. Each half holds at least 1 in 20 default levels (the
 * smallest, info-seeking's test half: 108 of 2,000; tests/test_web_compose.c
 * counts them and fails below 1 in 50), so the bound of
 * WEB_COMPOSE_TRIES draws is out of reach in practice (below 1e-36 a
 * reset); meeting it is an error, never a level outside the split.
 */
#include "web.h"

static int code_shop(const web_state *st) /* colour (4) x size (3) x price bound (3) */
{
    return st->target[1] * 9 + st->target[2] * 3 + st->target[3];
}

static int code_mail(const web_state *st) /* action (3) x forward before acting (2) x mails from X (1-3) */
{
    int k = 0;
    for (int r = 0; r < st->n_row; r++) k += st->row[r].a == st->field[0];
    const int first = st->row[st->target[2]].a == st->field[0];
    return st->target[0] * 6 + first * 3 + (k - 1);
}

static int code_form(const web_state *st) /* newsletter wanted, it changes, the city changes, the name is empty */
{
    return st->target[0] * 8 + (st->saved[4] != st->target[0]) * 4 + (st->saved[1] != st->field[1]) * 2 +
           (st->saved[0] == 0);
}

static int code_travel(const web_state *st) /* the route: from (8) x to (7 others) */
{
    return (st->field[0] - W_CITY0) * 8 + (st->field[1] - W_CITY0);
}

static int code_calendar(const web_state *st) /* hours taken from H (0-3) x a free hour before H (2) */
{
    const int day = st->target[0], from = st->field[3] - W_NUM1 + 1;
    int before = 0;
    for (int r = 0; r < st->n_row; r++) before |= st->row[r].a == day && st->row[r].b < from;
    return (st->target[1] - from) * 2 + before;
}

static int code_social(const web_state *st) /* U wrote the target (block after the reply), a mute, posts in F */
{
    int in_f = 0;
    for (int r = 0; r < st->n_row; r++) in_f += st->row[r].b == st->target[1];
    const int order = st->row[st->target[0]].a == st->field[0];
    const int mute = (st->target[4] | st->target[5] | st->target[6]) != 0;
    return order * 6 + mute * 3 + (in_f - 2);
}

static int code_cart(const web_state *st) /* the stale line's kind (3) x B already in (2) x A's count (2) */
{
    const int last = st->cart[st->n_cart - 1][0];
    const int stale = last == st->target[4] ? 2 : last == st->target[0] ? 1 : 0;
    return stale * 4 + (st->n_cart == 2) * 2 + (st->target[3] - 1);
}

static int code_info(const web_state *st) /* price or rating x the shop has it or not */
{
    return st->target[1] * 2 + st->target[2];
}

static int code_question(const web_state *st) /* the question's kind (5) x the noun's products (2-4) */
{
    return st->target[4] * 3 + (st->target[5] - 2);
}

static int code_calendar_question(const web_state *st) /* the question's kind (4) x the day's events (1-4) */
{
    return st->target[4] * 4 + (st->target[5] - 1);
}

/* U's posts (2-3) x U muted at reset x U's posts liked at reset (0 to
 * one fewer than U's posts; the first is never liked) */
static int code_like_user(const web_state *st)
{
    const int u = st->field[0], bit = u - W_NAME0;
    int m = 0, liked = 0;
    for (int r = 0; r < st->n_row; r++) {
        m += st->row[r].a == u;
        liked += st->row[r].a == u && (st->row[r].f & 1); /* site_social.c's S_LIKED, at reset */
    }
    const int mute = bit >= 0 && (st->target[4 + (bit >> 3)] >> (bit & 7) & 1);
    return (m - 2) * 6 + mute * 3 + liked;
}

static int any_code(int c) { return c >= 0; }
static int like_code(int c) { return c % 3 <= c / 6 + 1; }
static int route_code(int c) { return c >> 3 != (c & 7); }

typedef struct compose_entry {
    const web_task *task;
    int salt, n;                 /* codes 0..n-1 */
    int (*code)(const web_state *st);
    int (*valid)(int code);      /* the codes a level can have */
} compose_entry;

static const compose_entry table[] = {
    {&ludus_web_site_tasks[0], 3, 36, code_shop, any_code},
    {&ludus_web_site_tasks[1], 4, 18, code_mail, any_code},
    {&ludus_web_site_tasks[2], 5, 16, code_form, any_code},
    {&ludus_web_site_tasks[3], 6, 64, code_travel, route_code},
    {&ludus_web_site_tasks[4], 7, 8, code_calendar, any_code},
    {&ludus_web_task_social_moderate, 8, 12, code_social, any_code},
    {&ludus_web_task_shop_cart, 9, 12, code_cart, any_code},
    {&ludus_web_task_info_seek, 11, 4, code_info, any_code}, /* salt 10 holds out none of 4 */
    {&ludus_web_task_info_question, 12, 15, code_question, any_code},
    {&ludus_web_task_info_calendar, 14, 16, code_calendar_question, any_code},
    {&ludus_web_task_social_like_user, 15, 12, code_like_user, like_code},
};
enum { N_TABLE = (int)(sizeof table / sizeof table[0]) };

static const compose_entry *entry_of(const web_task *t)
{
    for (int k = 0; k < N_TABLE; k++)
        if (table[k].task == t) return &table[k];
    return NULL;
}

int ludus_web_compose_salt(const web_task *t)
{
    const compose_entry *e = entry_of(t);
    return e ? e->salt : 0;
}

int ludus_web_compose_count(const web_spec *s)
{
    const compose_entry *e = entry_of(s->task);
    if (!e) return 0;
    int n = 0;
    for (int c = 0; c < e->n; c++)
        n += e->valid(c) && (s->holdout != WEB_HOLD_TASK || s->split == WEB_SPLIT_ALL ||
                             ludus_web_combo_heldout(e->salt, c) == (s->split == WEB_SPLIT_TEST));
    return n;
}

int ludus_web_compose_code(const web_spec *s, const web_state *st)
{
    const compose_entry *e = entry_of(s->task);
    return e ? e->code(st) : -1;
}

int ludus_web_compose_in_split(const web_spec *s, const web_state *st)
{
    const compose_entry *e = entry_of(s->task);
    if (!e || s->holdout != WEB_HOLD_TASK || s->split == WEB_SPLIT_ALL) return 1;
    return ludus_web_combo_heldout(e->salt, e->code(st)) == (s->split == WEB_SPLIT_TEST);
}

/* atomic->site (holdout=atomic): the site tasks, tested; every other task
 * (the atomic ones) trains. A new site task joins this list
 * (tests/test_web_compose.c checks it against the registry's "web site"
 * and "web cross-site" descriptions). */
int ludus_web_task_site(const web_task *t)
{
    return entry_of(t) || ludus_web_task_domain(t);
}
