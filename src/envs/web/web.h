/* web.h: the web world family's state and constant spec, shared by its
 * files (web.c: the contract; tasks.c: the task generators, handlers,
 * predicates and oracle; view.c: text, tensor, frames). See docs/web.md.
 *
 * A site's truth is a small database (db[], rec[]) plus a navigation stack
 * (nav[]); the page (el[]) is derived from them by the task's build
 * function on navigation, and edited in place by handlers (typing,
 * toggling, expanding). Everything is plain data: a state is memcpy-
 * clonable, and step allocates nothing.
 */
#ifndef LUDUS_ENVS_WEB_H
#define LUDUS_ENVS_WEB_H

#include "envs/env.h"

#define WEB_K 48        /* element slots in a page */
#define WEB_C 8         /* columns of a row in the tensor view */
#define WEB_LEX 96      /* a task's vocabulary: the word component */
#define WEB_NAV 6       /* navigation stack depth */
#define WEB_OPT 16      /* option pool of a page's comboboxes */
#define WEB_FIELDS 6    /* instruction fields */
#define WEB_REC 12      /* database records */
#define WEB_ROWS 10     /* a site's database rows (products, mails) */
#define WEB_CART 4      /* cart lines, outbox messages */
#define WEB_MISSION 128 /* bytes of the objective, with its NUL */
#define WEB_SKINS 8
#define WEB_TEXT_CAP 8192
#define WEB_NONE 255    /* no parent */
/* words=slots (docs/web.md, "Actions"): the word component names a slot
 * instead of a word: 0 none (<unk>), 1..WEB_FIELDS an instruction field,
 * then WEB_K element slots (the element's last name word) */
#define WEB_REFS (1 + WEB_FIELDS + WEB_K)
enum { WEB_WORDS_VOCAB = 0, WEB_WORDS_SLOTS };

/* Roles of the accessibility tree. */
enum {
    R_NONE = 0, R_HEADING, R_TEXT, R_BUTTON, R_LINK, R_TEXTBOX, R_CHECKBOX, R_COMBOBOX, R_TAB, R_MENUITEM,
    R_DIALOG, R_GRIDCELL, R_GROUP,
    R_RADIO, R_SLIDER, R_OPTION, /* atomic tasks (atomic.c): radio buttons, a range slider, a list box's options */
    R_COUNT
};

/* Element flags. HIDDEN is set by handlers; groups hide too (see web_visible). */
enum {
    F_HIDDEN = 1, F_DISABLED = 2, F_CHECKED = 4, F_EXPANDED = 8, F_EXPANDABLE = 16, F_PASSWORD = 32,
    F_READONLY = 64, F_SELECTED = 128
};

/* What a click does (harg is its argument). */
enum {
    H_NONE = 0, H_PICK,  /* commit: the answer is this element (buttons, links, menu items) */
    H_SUBMIT,            /* commit the page's form */
    H_TOGGLE,            /* a checkbox */
    H_TAB,               /* show group harg, hide the other tab groups */
    H_EXPAND,            /* toggle group harg (collapsibles) */
    H_MENU,              /* open group harg alone, or close it */
    H_SEARCH,            /* search for the value of textbox slot harg */
    H_RESULT,            /* commit: result of rank harg */
    H_PAGE,              /* results page: harg 0 previous, 1 next */
    H_MONTH,             /* date picker: harg 0 previous month, 1 next */
    H_DAY,               /* date picker: choose day harg */
    /* site templates (sites.c) */
    H_OPEN,              /* open row harg (a product, a mail) */
    H_GOTO,              /* go to page harg (cart, checkout) */
    H_FILTER,            /* results: apply the max-price filter of combobox slot harg */
    H_OPTION,            /* item: choose option button (harg: group << 4 | value) */
    H_ADD,               /* item: add to cart with the options chosen */
    H_REMOVE,            /* cart: remove line harg */
    H_ORDER,             /* checkout: place the order (commit) */
    H_MAILACT,           /* mail: star/archive/delete (harg: act << 4 | row) */
    H_COMPOSE,           /* mail: reply (harg 1) or forward (harg 0) the mail shown */
    H_SEND,              /* compose: send */
    H_SAVE,              /* form: validate, then save (commit) */
    H_FLIGHTS,           /* travel: search the flights the form names */
    H_BOOK,              /* travel: book the flight shown (commit) */
    H_DAYVIEW,           /* calendar: open day harg */
    H_SLOT,              /* calendar: a new event at hour harg of the day shown */
    H_CREATE,            /* calendar: save the new event (commit) */
    /* atomic tasks (atomic.c, ludus_web_atomic_click) */
    H_FINISH,            /* commit the page as it stands (the predicate reads the page) */
    H_RADIO,             /* check this radio button, uncheck the others */
    H_RECORD,            /* click-sequence: record this click; commit at the last one */
    H_STEP,              /* spinner: harg 0 down, 1 up */
    H_FOLDER,            /* file tree: open or close group harg (closing closes the folders inside) */
    H_GUESS,             /* guess-number: guess the value of textbox slot harg */
    H_MULTI,             /* list box: toggle this option's selection */
    /* the social site (site_social.c) */
    H_FORUM,             /* open forum harg (0..5) */
    H_POST,              /* open post (row) harg */
    H_USER,              /* open the page of user harg (a name word) */
    H_LIKE,              /* like or unlike post harg */
    H_REPLY,             /* compose a reply to post harg */
    H_POSTREPLY,         /* compose: post the reply typed in text box slot harg */
    H_BLOCK,             /* block or unblock user harg (a name word) */
    H_MUTE,              /* mute or unmute user harg (a name word) */
    /* held-out templates (site_heldout.c) */
    H_OPENDIR,           /* files: open folder row harg (WEB_ROOT: the root) */
    H_ENTRY,             /* files: open file row harg */
    H_RENAME,            /* files: rename the file shown to the value of textbox slot harg */
    H_MOVE,              /* files: move the file shown to the folder of combobox slot harg */
    H_DELFILE,           /* files: delete file row harg */
    H_MKDIR,             /* files: a new folder named by textbox slot harg in the folder shown */
    H_SORT,              /* admin: sort by column harg (1 name, 2 score: toggles down/up) */
    H_TPAGE,             /* admin: table page harg 0 previous, 1 next */
    H_TFILTER,           /* admin: filter by the city of combobox slot harg */
    H_CLEAR,             /* admin: clear the filter */
    H_EDIT,              /* admin: edit row harg */
    H_UPDATE,            /* admin: save the row edited */
    H_DROP,              /* admin: delete row harg */
    H_NEWMAIL,           /* cross-site: compose a new mail */
    H_SENDNEW,           /* cross-site: send the new mail (to: textbox slot harg) */
    /* more atomic tasks (atomic_more.c, ludus_web_more_click) */
    H_SUGGEST,           /* autocomplete: put suggestion harg (a word) into the text box */
    H_ROWACT,            /* act on a row of a one-page task: harg act << 4 | row (atomic_more.c's A_*) */
    H_COUNT
};

/* Verbs of the action's first component. */
enum { V_CLICK = 0, V_TYPE, V_SELECT, V_SCROLL_UP, V_SCROLL_DOWN, V_BACK, V_STOP, V_COUNT };

/* Result of the last action (text "LAST:", tensor, progress). */
enum {
    RC_NONE = 0, RC_OK, RC_NO_SUCH, RC_HIDDEN, RC_DISABLED, RC_BAD_VERB, RC_NO_OPTION, RC_NO_BACK, RC_NO_SCROLL,
    RC_AFTER_END, RC_COUNT
};

/* Pages of the multi-page tasks (nav[].page). */
enum {
    P_MAIN = 0, P_RESULTS, P_DATE,
    P_ITEM, P_CART, P_CHECKOUT, P_DONE, /* shop (P_MAIN: search, P_RESULTS) */
    P_INBOX, P_MAIL, P_COMPOSE,         /* mail */
    P_FORM, P_SAVED,                    /* forms */
    P_WEEK, P_DAY, P_EVENT,             /* calendar */
    P_FEED, P_FORUMS, P_FORUM, P_POST, P_USER, /* social (a: forum, row, user; P_COMPOSE a: row) */
    P_HOME, P_FOLDER, P_ENTRY, P_TABLE, P_EDIT, P_ORDERS, /* held out: cross-site home, files, admin, orders */
    P_COUNT
};

typedef struct web_el {
    uint8_t role, parent, depth, flags;
    uint8_t handler, harg, group;
    uint8_t name, name2;    /* word ids (web_words) */
    uint8_t value, value2;  /* typed or chosen words */
    uint8_t opt_first, opt_n;
    /* atomic.c: what this element must hold when the page commits, hidden
     * from every view (0: nothing; a word for text boxes, lists and
     * sliders; WANT_OFF or WANT_ON for check boxes, radios and options) */
    uint8_t want;
} web_el;

typedef struct web_nav {
    uint8_t page, a, b, pad;
} web_nav;

/* A site's database row: a product (a noun, b brand, c price, d rating,
 * e colours bitmask, f sizes bitmask), a mail (a sender, b subject, c
 * flags at reset, flags now), a flight (a from, b to: city indexes; c
 * price, d day) or an event (a day, b hour, c title, d invitee). */
typedef struct web_row {
    uint8_t a, b, c, d, e, f, flags, pad;
} web_row;

/* Mail flags. */
enum { M_STAR = 1, M_ARCHIVED = 2, M_DELETED = 4, M_READ = 8 };

typedef struct web_state {
    env_state_header h;
    uint64_t rng;               /* splitmix64: the level's stream, cheap to seed */
    uint32_t t, max_t;
    uint16_t n_invalid, open;   /* open: bit g set when group g is shown */
    uint8_t task, skin, n_el, done;
    uint8_t success, last_rc, kn_hit, kn_n;
    uint8_t n_field, nav_n, answer, committed;
    uint8_t scroll, n_opt, n_rec, max_scroll;
    uint8_t field[WEB_FIELDS];  /* the instruction's words (targets) */
    uint8_t target[8];          /* hidden targets: slots, ranks, months */
    uint8_t db[8];              /* the committed record */
    uint8_t rec[WEB_REC];       /* records: search results' titles */
    uint8_t opt[WEB_OPT];
    web_nav nav[WEB_NAV];
    /* site templates: the rows, the cart (row, colour, size) or the outbox
     * (row, to, reply), the saved form */
    uint8_t n_row, n_cart, n_error, pad2;
    web_row row[WEB_ROWS];
    uint8_t cart[WEB_CART][3];
    uint8_t saved[8];
    web_el el[WEB_K];
    char mission[WEB_MISSION];
} web_state;

/* Reward modes. */
enum { WEB_R_BINARY = 0, WEB_R_PARTIAL, WEB_R_TIME, WEB_R_SHAPED };
/* Splits. */
enum { WEB_SPLIT_ALL = 0, WEB_SPLIT_TRAIN, WEB_SPLIT_TEST };
enum { WEB_HOLD_SEED = 0, WEB_HOLD_ENTITY, WEB_HOLD_SKIN, WEB_HOLD_DOMAIN, WEB_HOLD_TASK, WEB_HOLD_ATOMIC };
#define WEB_ROOT 15 /* files: the root folder, as a parent */

struct web_spec;
typedef struct web_task {
    const char *name;
    void (*gen)(const struct web_spec *s, web_state *st);
    /* rebuild the page from db and nav (multi-page tasks); NULL: one page */
    void (*build)(const struct web_spec *s, web_state *st);
    /* key nodes satisfied now (bits) and, through *ok, the final predicate */
    uint32_t (*eval)(const struct web_spec *s, const web_state *st, int *ok);
    int lex;            /* which vocabulary (WEB_LEX_*) */
    uint32_t max_steps;
    uint8_t kn_n;
    uint8_t slot_target; /* target[0] is an element slot, target[1] its group */
    /* site templates (sites.c): the oracle, and the checks of a foreign state */
    void (*oracle)(const struct web_spec *s, const web_state *st, int32_t *a);
    int (*validate)(const struct web_spec *s, const web_state *st);
} web_task;

enum { WEB_LEX_CONTENT = 0, WEB_LEX_DATE, WEB_LEX_SHOP, WEB_LEX_MAIL, WEB_LEX_FORM, WEB_LEX_TRAVEL, WEB_LEX_CALENDAR,
       WEB_LEX_WIDE, /* atomic.c: names, nouns, months, numbers */
       
       WEB_LEX_INFO,
       WEB_LEX_CASE,   /* atomic_more.c: names in three cases (enter-text-case) */
       WEB_LEX_PREFIX, /* atomic_more.c: names, nouns and their first letters (use-autocomplete) */
       WEB_LEX_COUNT };

/* How a typed word is shown (web_spec.typed): as the word (every task but
 * two), in a case, or as its first letter only. In the two tasks that type
 * more than words, a text box's value2 holds the modifier (a case, or 1 for
 * a first letter) and a word-component value stands for a word and a
 * modifier (web_spec.lex_mod). */
enum { WEB_TYPED_WORD = 0, WEB_TYPED_CASE, WEB_TYPED_PREFIX };
enum { WEB_CASE_LOWER = 0, WEB_CASE_UPPER, WEB_CASE_TITLE };

typedef struct web_spec {
    const web_task *task;
    int task_index;
    int reward, split, holdout, mask;
    int words;                  /* WEB_WORDS_VOCAB (default) or WEB_WORDS_SLOTS */
    uint8_t tcode[256];         /* word id -> the tensor's id (lex_of, or the slots' compact code) */
    uint8_t lex[WEB_LEX];       /* word component value -> word id */
    int lex_n;
    uint8_t lex_of[256];        /* word id -> component value (0: out of vocabulary) */
    uint8_t pool[64];           /* content words this split draws targets from */
    int pool_n;
    uint8_t other[64];          /* content words for everything else */
    int other_n;
    int words_sorted;           /* pool and other ascend (sites.c's draw takes a shortcut) */
    uint8_t skins[WEB_SKINS];
    int skins_n;
    const char *names[V_COUNT + WEB_K + WEB_LEX];
    char store[WEB_K + WEB_LEX][24];
    char options_doc[400];
    /* the FULL text's last line (the action grammar, the ids, the task's
     * words): the same on every step, so written once at make */
    char actions_line[2048];
    int actions_len;
    /* atomic_more.c: typed modifiers (WEB_TYPED_*), one per word value */
    int typed;
    uint8_t lex_mod[WEB_LEX];
} web_spec;

/* The vocabulary. */
extern const char *const ludus_web_words[];
extern const int ludus_web_word_count;
extern const web_task ludus_web_tasks[];
extern const int ludus_web_task_count;
extern const web_task ludus_web_site_tasks[]; /* sites.c; task index ludus_web_task_count + k */
extern const int ludus_web_site_task_count;
extern const web_task ludus_web_atomic_tasks[]; /* atomic.c; after the site tasks */
extern const int ludus_web_atomic_task_count;
extern const web_task ludus_web_heldout_tasks[]; /* site_heldout.c; after the site tasks */
extern const int ludus_web_heldout_task_count;

/* Word ids used by the code (positions in ludus_web_words). */
enum {
    W_PAD = 0, W_UNK, W_SUBMIT, W_OK, W_SEND, W_DONE, W_CANCEL, W_CLOSE, W_LOGIN, W_USERNAME, W_PASSWORD,
    W_SEARCH, W_GO, W_NEXT, W_PREV, W_RESULTS, W_MENU, W_TAB, W_SECTION, W_DATE, W_FORM, W_CHOOSE, W_DIALOG,
    W_NOTHING, W_LOREM, W_IPSUM, W_DOLOR, W_TEXT, W_PAGE, W_SELECT, W_ITEM, W_NAME0,
    W_NOUN0 = W_NAME0 + 24, W_MONTH0 = W_NOUN0 + 24, W_NUM1 = W_MONTH0 + 12, W_NUM_END = W_NUM1 + 31,
    /* site templates */
    W_COLOR0 = W_NUM_END, W_SIZE0 = W_COLOR0 + 4, W_CITY0 = W_SIZE0 + 3, W_CART = W_CITY0 + 8, W_CHECKOUT,
    W_ORDER, W_ADD, W_BUY, W_PRICE, W_FILTER, W_APPLY, W_RATING, W_COLOR, W_SIZE, W_REMOVE, W_SHOP, W_THANKS,
    W_INBOX, W_FROM, W_TO, W_STAR, W_UNSTAR, W_ARCHIVE, W_DELETE, W_TRASH, W_REPLY, W_FORWARD, W_MAIL,
    W_PROFILE, W_CITY, W_MONTH, W_DAY, W_NEWSLETTER, W_SAVE, W_ERROR, W_NAME, W_PERSONAL, W_BIRTHDAY, W_SAVED,
    W_ANY, W_FLIGHTS, W_PASSENGER, W_TRAVEL, W_CALENDAR, W_EVENT, W_TITLE, W_WITH, W_FREE,
    /* atomic tasks (atomic.c) */
    W_HIGHER, W_LOWER, W_UP, W_DOWN, W_PHONE, W_FOLDER, W_GUESS, W_HOUR, W_MINUTE, W_VOLUME, W_VERIFY, W_TABLE,
    /* the social site and the info-seeking task */
    W_FEED, W_FORUMS, W_FORUM, W_POST, W_LIKE, W_UNLIKE, W_LIKES, W_BLOCK, W_UNBLOCK, W_MUTE, W_UNMUTE, W_USER,
    W_SOCIAL, W_MORE, W_BLOCKED, W_FORUM0, W_NA = W_FORUM0 + 6,
    /* held-out templates */
    W_FILES, W_RENAME, W_MOVE, W_CREATE, W_ADMIN, W_USERS, W_SCORE, W_EDIT, W_HOME, W_ORDERS,
    W_COMPOSE, W_CLEAR, W_END
};

/* Whether element i is shown: not hidden, and its group (if any) open. */
static inline int ludus_web_visible(const web_state *st, int i)
{
    const web_el *e = &st->el[i];
    return !(e->flags & F_HIDDEN) && (!e->group || (st->open >> e->group & 1));
}
/* Whether the element's role takes clicks (buttons, links, text boxes,
 * checkboxes, lists, tabs, menu items, grid cells, radios, sliders, list
 * options): a bit test, inline,
 * as the mask and the views ask it of every slot on every step. */
#define WEB_ACTIONABLE_ROLES                                                                                      \
    (1u << R_BUTTON | 1u << R_LINK | 1u << R_TEXTBOX | 1u << R_CHECKBOX | 1u << R_COMBOBOX | 1u << R_TAB |        \
     1u << R_MENUITEM | 1u << R_GRIDCELL | 1u << R_RADIO | 1u << R_SLIDER | 1u << R_OPTION)
static inline int ludus_web_actionable(const web_el *e)
{
    return e->role < 32 && (WEB_ACTIONABLE_ROLES >> e->role & 1);
}
/* Append an element to the page; returns its slot. Inline: the page
 * builders call it for every element of every reset and navigation. */
static inline int ludus_web_add(web_state *st, int role, int parent, int name, int name2, int handler, int harg,
                                int group, int flags)
{
    int i = st->n_el++;
    web_el *e = &st->el[i];
    *e = (web_el){.role = (uint8_t)role,
                  .parent = (uint8_t)parent,
                  .depth = parent == WEB_NONE ? 0 : (uint8_t)(st->el[parent].depth + 1),
                  .flags = (uint8_t)flags,
                  .handler = (uint8_t)handler,
                  .harg = (uint8_t)harg,
                  .group = (uint8_t)group,
                  .name = (uint8_t)name,
                  .name2 = (uint8_t)name2};
    return i;
}
/* A draw from the level's stream, uniform in [0, n): splitmix64, then
 * Lemire's multiply-shift on 32 random bits (no division). */
static inline uint32_t ludus_web_below(web_state *st, uint32_t n)
{
    st->rng += 0x9e3779b97f4a7c15ull;
    uint64_t z = st->rng;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (uint32_t)(((z >> 32) * n) >> 32);
}
/* An empty page: no elements, nothing open or scrolled, no options. */
static inline void ludus_web_clear_page(web_state *st)
{
    st->n_el = 0;
    st->open = 0;
    st->scroll = 0;
    st->n_opt = 0;
}
/* The oracles' helpers, shared by every task file: the page's top
 * navigation entry; the shown element with this handler and argument, or
 * the element of this role and name (-1 if none); an element the mask
 * allows (a verb without an element still names one: the first shown,
 * enabled, actionable one, else 0); an action; a click on el, or go back
 * (stop on an empty stack) when the page lacks it. */
static inline const web_nav *ludus_web_top(const web_state *st) { return &st->nav[st->nav_n - 1]; }
static inline int ludus_web_find(const web_state *st, int handler, int harg)
{
    for (int i = 0; i < st->n_el; i++)
        if (st->el[i].handler == handler && st->el[i].harg == harg && ludus_web_visible(st, i)) return i;
    return -1;
}
static inline int ludus_web_find_named(const web_state *st, int role, int name)
{
    for (int i = 0; i < st->n_el; i++)
        if (st->el[i].role == role && st->el[i].name == name) return i;
    return -1;
}
static inline int ludus_web_any_el(const web_state *st)
{
    for (int i = 0; i < st->n_el; i++)
        if (ludus_web_visible(st, i) && !(st->el[i].flags & F_DISABLED) && ludus_web_actionable(&st->el[i])) return i;
    return 0;
}
static inline void ludus_web_act(int32_t *a, int verb, int el, int word)
{
    a[0] = verb;
    a[1] = el;
    a[2] = word;
}
static inline void ludus_web_click_or_back(const web_state *st, int el, int32_t *a)
{
    if (el >= 0) ludus_web_act(a, V_CLICK, el, 0);
    else ludus_web_act(a, st->nav_n > 1 ? V_BACK : V_STOP, ludus_web_any_el(st), 0);
}
void ludus_web_mission(web_state *st, const char *const *parts);
/* the page rows a frame of this state shows; scroll range */
int ludus_web_max_scroll(const web_state *st);
/* the oracle's action for st (see include/ludus/web.h) */
void ludus_web_oracle(const web_spec *s, const web_state *st, int32_t *a);
/* apply a click's handler; returns an RC_* */
int ludus_web_click(const web_spec *s, web_state *st, int i);
uint64_t ludus_web_mix(uint64_t x);

/* sites.c: the site templates' handlers (H_OPEN and after) */
int ludus_web_site_click(const web_spec *s, web_state *st, int i);
/* atomic.c: the atomic tasks' handlers (H_FINISH and after) */
int ludus_web_atomic_click(const web_spec *s, web_state *st, int i);
/* tasks.c: the skin's submit word, a heading on skins 4-7; atomic.c: the
 * submit button (H_FINISH); the atomic tasks' pages share them */
int ludus_web_submit_word(const web_state *st);
void ludus_web_heading(web_state *st, int w);
void ludus_web_finish(web_state *st);
extern const uint8_t ludus_web_month_days[12];

/* site_social.c: the social site's handlers (H_FORUM and after); the
 * tasks of site_social.c and site_shop_tasks.c */
int ludus_web_social_click(const web_spec *s, web_state *st, int i);
/* site_social.c: a word of [lo, hi) from the split's target pool (target)
 * or the other words, none of avoid[0..n) (the social site, the cart and
 * info-seeking tasks; sites.c's draw makes other draws) */
int ludus_web_draw_word(const web_spec *s, web_state *st, int lo, int hi, int target, const uint8_t *avoid, int n);
extern const web_task ludus_web_task_social_moderate, ludus_web_task_shop_cart, ludus_web_task_info_seek;
extern const web_task ludus_web_task_social_like_user; /* site_social.c, after atomic_more.c's */
/* sites.c: a word of [lo, hi) outside avoid[0..n) from the split's target
 * pool (target) or the other words, counted so the draw is bounded (the
 * five sites and the held-out domain) */
int ludus_web_draw_counted(const web_spec *s, web_state *st, int lo, int hi, int target, const uint8_t *avoid, int n);
/* sites.c: the oracle on a shop item page: choose colour and size (indexes), then add to the cart */
void ludus_web_shop_pick(const web_spec *s, const web_state *st, int color, int size, int32_t *a);
void ludus_web_shop_checkout(const web_spec *s, const web_state *st, int32_t *a);
/* site_shop_tasks.c: the checks of a foreign state of a shop task (rows,
 * cart, pages, handlers; targets 0-3 as info-seeking's); site_info.c:
 * more info-seeking questions (counts, comparisons, superlatives) */
int ludus_web_validate_shop(const web_spec *s, const web_state *st);
extern const web_task ludus_web_task_info_question, ludus_web_task_info_calendar;
/* sites.c: the calendar's page builder (site_info.c's calendar question
 * uses it: the checks of a foreign state know the calendar by it), and
 * the checks of a foreign state of a site of sites.c */
void ludus_web_build_calendar(const web_spec *s, web_state *st);
int ludus_web_validate_site(const web_spec *s, const web_state *st);
/* sites.c: the shop's page builder, shared by the shop's tasks */
void ludus_web_build_shop(const web_spec *s, web_state *st);
/* site_heldout.c: the held-out templates' handlers (H_FOLDER and after);
 * whether subgoal combination `code` (3 kinds of 4, 2 bits each, first in
 * the high bits) is held out for test under holdout=task with salt `salt`
 * (a pure hash); how many combinations a spec's split draws from */
int ludus_web_heldout_click(const web_spec *s, web_state *st, int i);
int ludus_web_combo_heldout(int salt, int code);
int ludus_web_combo_count(const web_spec *s);
/* whether task t is of the held-out domain (holdout=domain tests it and
 * never trains on it); the salt of its subgoal combinations, 0 if none */
int ludus_web_task_domain(const web_task *t);
int ludus_web_task_combo(const web_task *t);
/* compose.c: the held-out compositions of the other site tasks (read off
 * the level as drawn; web_reset redraws until the split's): the task's
 * salt (0: none), how many codes the spec's split holds, a level's code,
 * whether a level is in the spec's split */
#define WEB_COMPOSE_TRIES 4096
int ludus_web_compose_salt(const web_task *t);
int ludus_web_compose_count(const web_spec *s);
int ludus_web_compose_code(const web_spec *s, const web_state *st);
int ludus_web_compose_in_split(const web_spec *s, const web_state *st);
/* compose.c: whether t is a site task (holdout=atomic tests the site tasks, trains on the others) */
int ludus_web_task_site(const web_task *t);

/* atomic_more.c: the handlers of the seven later atomic tasks (H_SUGGEST
 * and after); the word-and-modifier vocabularies (web_make calls it for
 * WEB_LEX_CASE and WEB_LEX_PREFIX after filling lex[0] with W_UNK, and
 * after the action names to name the modified values); what a text box
 * shows; the word value of a text box; after `type [i] [v]` (sets value2,
 * shows an autocomplete's suggestions) */
extern const web_task ludus_web_more_tasks[];
extern const int ludus_web_more_task_count;
int ludus_web_more_click(const web_spec *s, web_state *st, int i);
void ludus_web_typed_lex(web_spec *s);
void ludus_web_typed_names(web_spec *s);
const char *ludus_web_typed_text(const web_spec *s, const web_el *e, char *buf, size_t cap);
int ludus_web_typed_value(const web_spec *s, const web_el *e);
void ludus_web_typed(const web_spec *s, web_state *st, int i, int v);

/* view.c */
void ludus_web_observe(const ludus_env *env, const void *state, uint8_t *obs);
int ludus_web_text(const ludus_env *env, const void *state, ludus_text_mode mode, char *buf, size_t cap);
int ludus_web_render_size(const ludus_env *env, const ludus_render_opts *o, int *w, int *h);
int ludus_web_render(const ludus_env *env, const void *state, const ludus_render_opts *o, uint8_t *rgb);
void ludus_web_render_ansi(const ludus_env *env, const void *state, strbuf *sb);
void ludus_web_tree(const ludus_env *env, const web_state *st, strbuf *sb);
int ludus_web_actions_line(web_spec *s);

#endif
