/* tasks.c: the web tasks in the manner of MiniWoB++ (spec/web.md, B4):
 * each builds its page from the level's random stream, says what a click
 * does (handlers), what counts as done (key nodes, checked every step, as
 * WebCanvas does) and whether the final database, navigation and answer
 * satisfy the task (its predicate). The oracle at the end solves every
 * task from the state, as a script would from the tree.
 */
#include <string.h>

#include "web.h"

const char *const ludus_web_words[] = {
    "", "<unk>", "submit", "ok", "send", "done", "cancel", "close", "login", "username", "password",
    "search", "go", "next", "prev", "results", "menu", "tab", "section", "date", "form", "choose", "dialog",
    "nothing", "lorem", "ipsum", "dolor", "text", "page", "select", "item",
    /* names */
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "kevin", "laura",
    "mallory", "nina", "oscar", "peggy", "quinn", "rupert", "sybil", "trent", "ursula", "victor", "wendy", "zoe",
    /* nouns */
    "apple", "banana", "cherry", "grape", "lemon", "mango", "orange", "peach", "pear", "plum", "kiwi", "melon",
    "lamp", "chair", "table", "shoe", "boot", "hat", "coat", "desk", "phone", "clock", "book", "pen",
    /* months */
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december",
    /* numbers */
    "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20",
    "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31",
    /* site templates: colours, sizes, cities, then the sites' UI words */
    "red", "blue", "black", "white", "small", "medium", "large", "paris", "tokyo", "lima", "oslo", "cairo",
    "delhi", "rome", "seoul", "cart", "checkout", "order", "add", "buy", "price", "filter", "apply", "rating",
    "color", "size", "remove", "shop", "thanks", "inbox", "from", "to", "star", "unstar", "archive", "delete",
    "trash", "reply", "forward", "mail", "profile", "city", "month", "day", "newsletter", "save", "error", "name",
    "personal", "birthday", "saved", "any", "flights", "passenger", "travel", "calendar", "event", "title",
    "with", "free",
    /* atomic tasks (atomic.c) */
    "higher", "lower", "up", "down", "phone", "folder", "guess", "hour", "minute", "volume", "verify", "table",
    /* the social site and the info-seeking task ("na": stop [N/A], as the parser cleans it) */
    "feed", "forums", "forum", "post", "like", "unlike", "likes", "block", "unblock", "mute", "unmute", "user",
    "social", "more", "blocked", "news", "sports", "music", "games", "art", "science", "na",
    /* held-out templates */
    "files", "rename", "move", "create", "admin", "users", "score", "edit", "home", "orders",
    "compose", "clear"};
const int ludus_web_word_count = (int)(sizeof ludus_web_words / sizeof ludus_web_words[0]);

_Static_assert(sizeof ludus_web_words / sizeof ludus_web_words[0] == W_END, "the word enum matches the table");
_Static_assert(W_END < 256, "word ids fit a byte");

const uint8_t ludus_web_month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

/* ---- helpers ---- */

uint64_t ludus_web_mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

void ludus_web_mission(web_state *st, const char *const *parts)
{
    size_t n = 0;
    for (; *parts; parts++) { /* each part whole, or what fits before the NUL */
        size_t len = strlen(*parts);
        if (len > WEB_MISSION - 1 - n) len = WEB_MISSION - 1 - n;
        memcpy(st->mission + n, *parts, len);
        n += len;
    }
    memset(st->mission + n, 0, WEB_MISSION - n);
}

#define WORD(w) ludus_web_words[w]

/* n distinct content words into out: out[0] from the split's target pool,
 * the rest from the others (without repeats). */
static void draw_words(const web_spec *s, web_state *st, int n, uint8_t *out)
{
    out[0] = s->pool[ludus_web_below(st, (uint32_t)s->pool_n)];
    for (int i = 1; i < n; i++) {
        for (;;) {
            uint8_t w = s->other[ludus_web_below(st, (uint32_t)s->other_n)];
            int dup = 0;
            for (int j = 0; j < i; j++) dup |= out[j] == w;
            if (!dup) {
                out[i] = w;
                break;
            }
        }
    }
}

/* The skin's label for a form's commit button, and whether pages get a
 * heading (every atomic task's pages: web.h). */
int ludus_web_submit_word(const web_state *st)
{
    static const uint8_t w[4] = {W_SUBMIT, W_OK, W_SEND, W_DONE};
    return w[st->skin & 3];
}
void ludus_web_heading(web_state *st, int w)
{
    if (st->skin & 4) ludus_web_add(st, R_HEADING, WEB_NONE, w, 0, H_NONE, 0, 0, 0);
}

static int pos_of(const web_state *st, int role, int name)
{
    for (int i = 0; i < st->n_el; i++)
        if (st->el[i].role == role && st->el[i].name == name) return i;
    return -1;
}

/* ---- click-button, click-link, click-dialog ---- */

static void gen_click_button(const web_spec *s, web_state *st)
{
    int n = 2 + (int)ludus_web_below(st, 5);
    uint8_t w[8];
    draw_words(s, st, n, w);
    int at = (int)ludus_web_below(st, (uint32_t)n);
    ludus_web_heading(st, W_CHOOSE);
    for (int i = 0; i < n; i++) {
        int word = i == at ? w[0] : w[i == 0 ? at : i];
        int k = ludus_web_add(st, R_BUTTON, WEB_NONE, word, 0, H_PICK, 0, 0, 0);
        if (i == at) st->target[0] = (uint8_t)k;
    }
    st->field[0] = w[0];
    st->n_field = 1;
    ludus_web_mission(st, (const char *const[]){"Click on the '", WORD(w[0]), "' button.", NULL});
}

static void gen_click_link(const web_spec *s, web_state *st)
{
    int n = 2 + (int)ludus_web_below(st, 4);
    uint8_t w[8];
    draw_words(s, st, n, w);
    int at = (int)ludus_web_below(st, (uint32_t)n);
    ludus_web_heading(st, W_TEXT);
    for (int i = 0; i < n; i++) {
        int p = ludus_web_add(st, R_TEXT, WEB_NONE, W_LOREM + (int)ludus_web_below(st, 3), 0, H_NONE, 0, 0, 0);
        int word = i == at ? w[0] : w[i == 0 ? at : i];
        int k = ludus_web_add(st, R_LINK, p, word, 0, H_PICK, 0, 0, 0);
        if (i == at) st->target[0] = (uint8_t)k;
    }
    st->field[0] = w[0];
    st->n_field = 1;
    ludus_web_mission(st, (const char *const[]){"Click on the link '", WORD(w[0]), "'.", NULL});
}

static void gen_click_dialog(const web_spec *s, web_state *st)
{
    uint8_t w[4];
    draw_words(s, st, 2, w);
    ludus_web_heading(st, W_FORM);
    /* the page behind the modal dialog: its controls are disabled */
    ludus_web_add(st, R_TEXT, WEB_NONE, W_LOREM, W_IPSUM, H_NONE, 0, 0, 0);
    ludus_web_add(st, R_BUTTON, WEB_NONE, w[1], 0, H_PICK, 0, 0, F_DISABLED);
    ludus_web_add(st, R_BUTTON, WEB_NONE, ludus_web_submit_word(st), 0, H_PICK, 0, 0, F_DISABLED);
    int d = ludus_web_add(st, R_DIALOG, WEB_NONE, W_DIALOG, 0, H_NONE, 0, 0, 0);
    ludus_web_add(st, R_TEXT, d, W_DOLOR, w[0], H_NONE, 0, 0, 0);
    uint8_t b[3] = {W_CLOSE, W_OK, W_CANCEL};
    for (int i = 2; i > 0; i--) { /* the skin's order of the buttons */
        int j = (int)ludus_web_below(st, (uint32_t)i + 1);
        uint8_t t = b[i];
        b[i] = b[j];
        b[j] = t;
    }
    int tgt = (int)ludus_web_below(st, 3);
    for (int i = 0; i < 3; i++) {
        int k = ludus_web_add(st, R_BUTTON, d, b[i], 0, H_PICK, 0, 0, 0);
        if (i == tgt) st->target[0] = (uint8_t)k;
    }
    st->field[0] = b[tgt];
    st->n_field = 1;
    ludus_web_mission(st, (const char *const[]){"Close the dialog by clicking '", WORD(b[tgt]), "'.", NULL});
}

static uint32_t eval_pick(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    *ok = st->committed && st->db[0] == st->target[0];
    return (uint32_t)*ok;
}

/* ---- click-tab, click-collapsible, click-menu ---- */

static void gen_click_tab(const web_spec *s, web_state *st)
{
    int tabs = 2 + (int)ludus_web_below(st, 3), per = 2 + (int)ludus_web_below(st, 2), n = tabs * per;
    uint8_t w[16];
    draw_words(s, st, n, w);
    int at = (int)ludus_web_below(st, (uint32_t)n);
    for (int t = 0; t < tabs; t++) ludus_web_add(st, R_TAB, WEB_NONE, W_TAB, W_NUM1 + t, H_TAB, t + 1, 0, 0);
    for (int i = 0; i < n; i++) {
        int word = i == at ? w[0] : w[i == 0 ? at : i];
        int k = ludus_web_add(st, R_LINK, WEB_NONE, word, 0, H_PICK, 0, 1 + i / per, 0);
        if (i == at) {
            st->target[0] = (uint8_t)k;
            st->target[1] = (uint8_t)(1 + i / per);
        }
    }
    st->open = 1u << 1;
    st->el[0].flags |= F_SELECTED;
    st->field[0] = w[0];
    st->n_field = 1;
    ludus_web_mission(st, (const char *const[]){"Switch between the tabs to find and click on the link '",
                                                WORD(w[0]), "'.", NULL});
}

static uint32_t eval_tab(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    *ok = st->committed && st->db[0] == st->target[0];
    return (uint32_t)((st->open >> st->target[1] & 1) | (*ok << 1));
}

static void gen_click_collapsible(const web_spec *s, web_state *st)
{
    (void)s;
    int n = 1 + (int)ludus_web_below(st, 3), tgt = (int)ludus_web_below(st, (uint32_t)n);
    ludus_web_heading(st, W_FORM);
    for (int i = 0; i < n; i++) {
        ludus_web_add(st, R_BUTTON, WEB_NONE, W_SECTION, W_NUM1 + i, H_EXPAND, i + 1, 0, F_EXPANDABLE);
        ludus_web_add(st, R_TEXT, WEB_NONE, W_LOREM + (int)ludus_web_below(st, 3), 0, H_NONE, 0, i + 1, 0);
        int k = ludus_web_add(st, R_BUTTON, WEB_NONE, ludus_web_submit_word(st), 0, H_PICK, 0, i + 1, 0);
        if (i == tgt) st->target[0] = (uint8_t)k;
    }
    st->target[1] = (uint8_t)(tgt + 1);
    st->field[0] = (uint8_t)(W_NUM1 + tgt);
    st->field[1] = (uint8_t)ludus_web_submit_word(st);
    st->n_field = 2;
    ludus_web_mission(st, (const char *const[]){"Expand section ", WORD(W_NUM1 + tgt), " and click '",
                                                WORD(ludus_web_submit_word(st)), "' in it.", NULL});
}

static void gen_click_menu(const web_spec *s, web_state *st)
{
    int tops = 2 + (int)ludus_web_below(st, 2), per = 2 + (int)ludus_web_below(st, 3);
    uint8_t w[20];
    draw_words(s, st, tops + tops * per, w); /* w[0] the target item, then the tops, then the other items */
    int tt = (int)ludus_web_below(st, (uint32_t)tops), ti = (int)ludus_web_below(st, (uint32_t)per);
    int bar = ludus_web_add(st, R_GROUP, WEB_NONE, W_MENU, 0, H_NONE, 0, 0, 0), next = tops + 1;
    for (int t = 0; t < tops; t++) {
        int top = ludus_web_add(st, R_MENUITEM, bar, w[1 + t], 0, H_MENU, t + 1, 0, F_EXPANDABLE);
        for (int i = 0; i < per; i++) {
            int hit = t == tt && i == ti;
            int k = ludus_web_add(st, R_MENUITEM, top, hit ? w[0] : w[next++], 0, H_PICK, 0, t + 1, 0);
            if (hit) st->target[0] = (uint8_t)k;
        }
    }
    st->target[1] = (uint8_t)(tt + 1);
    st->field[0] = w[1 + tt];
    st->field[1] = w[0];
    st->n_field = 2;
    ludus_web_mission(st, (const char *const[]){"Select ", WORD(w[1 + tt]), " > ", WORD(w[0]),
                                                " from the menu.", NULL});
}

/* ---- click-checkboxes, enter-text, login-user, choose-list ---- */

static void gen_checkboxes(const web_spec *s, web_state *st)
{
    int n = 3 + (int)ludus_web_below(st, 4);
    uint8_t w[8];
    draw_words(s, st, n, w);
    ludus_web_heading(st, W_SELECT);
    uint32_t want = 0;
    int nf = 0;
    for (int i = 0; i < n; i++) {
        int k = ludus_web_add(st, R_CHECKBOX, WEB_NONE, w[i], 0, H_TOGGLE, 0, 0, 0);
        if (nf < 4 && ludus_web_below(st, 2)) {
            want |= 1u << k;
            st->field[nf++] = w[i];
        }
    }
    ludus_web_add(st, R_BUTTON, WEB_NONE, ludus_web_submit_word(st), 0, H_SUBMIT, 0, 0, 0);
    memcpy(st->target, &want, sizeof want);
    st->n_field = (uint8_t)nf;
    const char *p[16];
    int m = 0;
    p[m++] = "Select ";
    if (!nf) p[m++] = "nothing";
    for (int i = 0; i < nf; i++) {
        if (i) p[m++] = i + 1 == nf ? " and " : ", ";
        p[m++] = WORD(st->field[i]);
    }
    p[m++] = nf ? " and nothing else, then click " : ", then click ";
    p[m++] = WORD(ludus_web_submit_word(st));
    p[m++] = ".";
    p[m] = NULL;
    ludus_web_mission(st, p);
}

static uint32_t checked_set(const web_state *st)
{
    uint32_t got = 0;
    for (int i = 0; i < st->n_el && i < 32; i++)
        if (st->el[i].role == R_CHECKBOX && (st->el[i].flags & F_CHECKED)) got |= 1u << i;
    return got;
}

static uint32_t eval_checkboxes(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    uint32_t want, got;
    memcpy(&want, st->target, sizeof want);
    memcpy(&got, st->db, sizeof got); /* the set committed */
    *ok = st->committed && got == want;
    return (uint32_t)(checked_set(st) == want) | (uint32_t)(*ok << 1);
}

static void gen_enter_text(const web_spec *s, web_state *st)
{
    uint8_t w[1];
    draw_words(s, st, 1, w);
    ludus_web_heading(st, W_FORM);
    ludus_web_add(st, R_TEXTBOX, WEB_NONE, W_TEXT, 0, H_NONE, 0, 0, 0);
    ludus_web_add(st, R_BUTTON, WEB_NONE, ludus_web_submit_word(st), 0, H_SUBMIT, 0, 0, 0);
    st->field[0] = w[0];
    st->n_field = 1;
    ludus_web_mission(st, (const char *const[]){"Enter '", WORD(w[0]), "' into the text field and press ",
                                                WORD(ludus_web_submit_word(st)), ".", NULL});
}

static uint32_t eval_enter_text(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    int box = pos_of(st, R_TEXTBOX, W_TEXT);
    *ok = st->committed && st->db[0] == st->field[0];
    return (uint32_t)(box >= 0 && st->el[box].value == st->field[0]) | (uint32_t)(*ok << 1);
}

static void gen_login(const web_spec *s, web_state *st)
{
    uint8_t w[2];
    draw_words(s, st, 2, w);
    ludus_web_heading(st, W_LOGIN);
    int a = ludus_web_add(st, R_TEXTBOX, WEB_NONE, W_USERNAME, 0, H_NONE, 0, 0, 0);
    int b = ludus_web_add(st, R_TEXTBOX, WEB_NONE, W_PASSWORD, 0, H_NONE, 0, 0, F_PASSWORD);
    if (st->skin & 2) { /* the skin's field order */
        st->el[a].name = W_PASSWORD;
        st->el[a].flags = F_PASSWORD;
        st->el[b].name = W_USERNAME;
        st->el[b].flags = 0;
    }
    ludus_web_add(st, R_BUTTON, WEB_NONE, W_LOGIN, 0, H_SUBMIT, 0, 0, 0);
    st->field[0] = w[0];
    st->field[1] = w[1];
    st->n_field = 2;
    ludus_web_mission(st, (const char *const[]){"Enter the username '", WORD(w[0]), "' and the password '",
                                                WORD(w[1]), "' into the text fields and press login.", NULL});
}

static uint32_t eval_login(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    int u = pos_of(st, R_TEXTBOX, W_USERNAME), p = pos_of(st, R_TEXTBOX, W_PASSWORD);
    *ok = st->committed && st->db[0] == st->field[0] && st->db[1] == st->field[1];
    return (uint32_t)(u >= 0 && st->el[u].value == st->field[0]) |
           (uint32_t)(p >= 0 && st->el[p].value == st->field[1]) << 1 | (uint32_t)*ok << 2;
}

static void gen_choose_list(const web_spec *s, web_state *st)
{
    int n = 3 + (int)ludus_web_below(st, 6);
    uint8_t w[10];
    draw_words(s, st, n, w);
    ludus_web_heading(st, W_CHOOSE);
    int c = ludus_web_add(st, R_COMBOBOX, WEB_NONE, W_ITEM, 0, H_NONE, 0, 0, 0);
    int at = (int)ludus_web_below(st, (uint32_t)n);
    st->el[c].opt_first = 0;
    st->el[c].opt_n = (uint8_t)n;
    for (int i = 0; i < n; i++) st->opt[i] = i == at ? w[0] : w[i == 0 ? at : i];
    st->n_opt = (uint8_t)n;
    ludus_web_add(st, R_BUTTON, WEB_NONE, ludus_web_submit_word(st), 0, H_SUBMIT, 0, 0, 0);
    st->field[0] = w[0];
    st->n_field = 1;
    ludus_web_mission(st, (const char *const[]){"Select '", WORD(w[0]), "' from the list and click ",
                                                WORD(ludus_web_submit_word(st)), ".", NULL});
}

static uint32_t eval_choose_list(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    int c = pos_of(st, R_COMBOBOX, W_ITEM);
    *ok = st->committed && st->db[0] == st->field[0];
    return (uint32_t)(c >= 0 && st->el[c].value == st->field[0]) | (uint32_t)*ok << 1;
}

/* ---- search-engine: a search page and results pages derived from nav ---- */

static void gen_search(const web_spec *s, web_state *st)
{
    uint8_t w[WEB_REC + 1];
    int n = 4 + (int)ludus_web_below(st, 6); /* results of the right query */
    draw_words(s, st, n + 1, w);
    st->field[0] = w[0];                       /* the query */
    st->target[0] = (uint8_t)ludus_web_below(st, (uint32_t)n); /* rank, 0-based */
    for (int i = 0; i < n; i++) st->rec[i] = w[i + 1];
    st->n_rec = (uint8_t)n;
    st->field[1] = (uint8_t)(W_NUM1 + st->target[0]);
    st->n_field = 2;
    st->nav[0] = (web_nav){P_MAIN, 0, 0, 0};
    st->nav_n = 1;
    ludus_web_mission(st, (const char *const[]){"Search for '", WORD(w[0]), "' and click search result number ",
                                                WORD(st->field[1]), ".", NULL});
}

static void build_search(const web_spec *s, web_state *st)
{
    (void)s;
    const web_nav *nv = &st->nav[st->nav_n - 1];
    st->n_el = 0;
    st->open = 0;
    st->scroll = 0;
    if (nv->page == P_MAIN) {
        ludus_web_heading(st, W_SEARCH);
        int box = ludus_web_add(st, R_TEXTBOX, WEB_NONE, W_SEARCH, 0, H_NONE, 0, 0, 0);
        st->el[box].value = nv->a; /* the query typed before, as a browser keeps it */
        ludus_web_add(st, R_BUTTON, WEB_NONE, (st->skin & 1) ? W_GO : W_SEARCH, 0, H_SEARCH, box, 0, 0);
        return;
    }
    /* results of query a, page b: three a page */
    ludus_web_add(st, R_HEADING, WEB_NONE, W_RESULTS, nv->a, H_NONE, 0, 0, 0);
    if (nv->a != st->field[0]) {
        ludus_web_add(st, R_TEXT, WEB_NONE, W_NOTHING, 0, H_NONE, 0, 0, 0);
        return;
    }
    int first = nv->b * 3;
    for (int r = first; r < first + 3 && r < st->n_rec; r++) {
        int g = ludus_web_add(st, R_GROUP, WEB_NONE, W_ITEM, W_NUM1 + r, H_NONE, 0, 0, 0);
        ludus_web_add(st, R_LINK, g, st->rec[r], 0, H_RESULT, r, 0, 0);
        ludus_web_add(st, R_TEXT, g, W_LOREM + (r % 3), W_DOLOR, H_NONE, 0, 0, 0);
    }
    ludus_web_add(st, R_LINK, WEB_NONE, W_PREV, 0, H_PAGE, 0, 0, nv->b == 0 ? F_DISABLED : 0);
    ludus_web_add(st, R_LINK, WEB_NONE, W_NEXT, 0, H_PAGE, 1, 0, first + 3 >= st->n_rec ? F_DISABLED : 0);
}

static uint32_t eval_search(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    const web_nav *nv = &st->nav[st->nav_n - 1];
    *ok = st->committed && st->db[0] == st->target[0] && st->db[1] == st->field[0];
    int box = nv->page == P_MAIN ? pos_of(st, R_TEXTBOX, W_SEARCH) : -1;
    int right = nv->page == P_RESULTS && nv->a == st->field[0];
    return (uint32_t)((box >= 0 && st->el[box].value == st->field[0]) || right) | (uint32_t)right << 1 |
           (uint32_t)(right && nv->b == st->target[0] / 3) << 2 | (uint32_t)*ok << 3;
}

/* ---- choose-date: a month grid derived from nav (the month shown) and db
 * (the date chosen) ---- */

static void gen_date(const web_spec *s, web_state *st)
{
    (void)s;
    int m = (int)ludus_web_below(st, 12), d = 1 + (int)ludus_web_below(st, ludus_web_month_days[m]);
    int shown = m + (int)ludus_web_below(st, 5) - 2;
    shown = shown < 0 ? 0 : shown > 11 ? 11 : shown;
    st->target[0] = (uint8_t)m;
    st->target[1] = (uint8_t)d;
    st->field[0] = (uint8_t)(W_MONTH0 + m);
    st->field[1] = (uint8_t)(W_NUM1 + d - 1);
    st->n_field = 2;
    st->nav[0] = (web_nav){P_DATE, (uint8_t)shown, 0, 0};
    st->nav_n = 1;
    ludus_web_mission(st, (const char *const[]){"Select ", WORD(st->field[0]), " ", WORD(st->field[1]),
                                                " as the date and click ", WORD(ludus_web_submit_word(st)), ".", NULL});
}

static void build_date(const web_spec *s, web_state *st)
{
    (void)s;
    int m = st->nav[st->nav_n - 1].a;
    st->n_el = 0;
    st->open = 0;
    ludus_web_heading(st, W_DATE);
    int box = ludus_web_add(st, R_TEXTBOX, WEB_NONE, W_DATE, 0, H_NONE, 0, 0, F_READONLY);
    if (st->db[1]) {
        st->el[box].value = (uint8_t)(W_MONTH0 + st->db[0]);
        st->el[box].value2 = (uint8_t)(W_NUM1 + st->db[1] - 1);
    }
    int g = ludus_web_add(st, R_GROUP, WEB_NONE, W_MONTH0 + m, 0, H_NONE, 0, 0, 0);
    ludus_web_add(st, R_BUTTON, g, W_PREV, 0, H_MONTH, 0, 0, m == 0 ? F_DISABLED : 0);
    ludus_web_add(st, R_BUTTON, g, W_NEXT, 0, H_MONTH, 1, 0, m == 11 ? F_DISABLED : 0);
    for (int d = 1; d <= ludus_web_month_days[m]; d++) {
        int k = ludus_web_add(st, R_GRIDCELL, g, W_NUM1 + d - 1, 0, H_DAY, d, 0, 0);
        if (st->db[1] == d && st->db[0] == m) st->el[k].flags |= F_SELECTED;
    }
    ludus_web_add(st, R_BUTTON, WEB_NONE, ludus_web_submit_word(st), 0, H_SUBMIT, 0, 0, 0);
}

static uint32_t eval_date(const web_spec *s, const web_state *st, int *ok)
{
    (void)s;
    int chosen = st->db[0] == st->target[0] && st->db[1] == st->target[1];
    *ok = st->committed && chosen;
    return (uint32_t)(st->nav[st->nav_n - 1].a == st->target[0]) | (uint32_t)chosen << 1 | (uint32_t)*ok << 2;
}

const web_task ludus_web_tasks[] = {
    {"click-button", gen_click_button, NULL, eval_pick, WEB_LEX_CONTENT, 10, 1, 1, NULL, NULL},
    {"click-link", gen_click_link, NULL, eval_pick, WEB_LEX_CONTENT, 10, 1, 1, NULL, NULL},
    {"click-dialog", gen_click_dialog, NULL, eval_pick, WEB_LEX_CONTENT, 10, 1, 1, NULL, NULL},
    {"click-tab", gen_click_tab, NULL, eval_tab, WEB_LEX_CONTENT, 10, 2, 1, NULL, NULL},
    {"click-collapsible", gen_click_collapsible, NULL, eval_tab, WEB_LEX_CONTENT, 10, 2, 1, NULL, NULL},
    {"click-menu", gen_click_menu, NULL, eval_tab, WEB_LEX_CONTENT, 10, 2, 1, NULL, NULL},
    {"click-checkboxes", gen_checkboxes, NULL, eval_checkboxes, WEB_LEX_CONTENT, 20, 2, 0, NULL, NULL},
    {"enter-text", gen_enter_text, NULL, eval_enter_text, WEB_LEX_CONTENT, 10, 2, 0, NULL, NULL},
    {"login-user", gen_login, NULL, eval_login, WEB_LEX_CONTENT, 15, 3, 0, NULL, NULL},
    {"choose-list", gen_choose_list, NULL, eval_choose_list, WEB_LEX_CONTENT, 10, 2, 0, NULL, NULL},
    {"search-engine", gen_search, build_search, eval_search, WEB_LEX_CONTENT, 30, 4, 0, NULL, NULL},
    {"choose-date", gen_date, build_date, eval_date, WEB_LEX_DATE, 30, 3, 0, NULL, NULL},
};
const int ludus_web_task_count = (int)(sizeof ludus_web_tasks / sizeof ludus_web_tasks[0]);

/* ---- handlers ---- */

static void commit(web_state *st)
{
    st->committed = 1;
    st->done = 1;
}

static void push(const web_spec *s, web_state *st, web_nav nv)
{
    if (st->nav_n == WEB_NAV) { /* a full history forgets its oldest page */
        memmove(st->nav, st->nav + 1, sizeof st->nav[0] * (WEB_NAV - 1));
        st->nav_n--;
    }
    st->nav[st->nav_n++] = nv;
    s->task->build(s, st);
}

int ludus_web_click(const web_spec *s, web_state *st, int i)
{
    web_el *e = &st->el[i];
    switch (e->handler) {
    case H_NONE: return RC_OK; /* focus a text box or a list */
    case H_PICK:
        st->db[0] = (uint8_t)i;
        st->answer = e->name;
        commit(st);
        return RC_OK;
    case H_SUBMIT: {
        if (s->task->build == build_date) {
            /* db[0..1] already hold the date chosen */
        } else if (s->task->eval == eval_checkboxes) {
            uint32_t got = checked_set(st);
            memcpy(st->db, &got, sizeof got);
        } else {
            int k = 0;
            for (int j = 0; j < st->n_el && k < 8; j++)
                if (st->el[j].role == R_TEXTBOX || st->el[j].role == R_COMBOBOX) {
                    /* the form's values in the order the task names them */
                    int slot = st->el[j].name == W_PASSWORD ? 1 : st->el[j].name == W_USERNAME ? 0 : k;
                    st->db[slot] = st->el[j].value;
                    k++;
                }
        }
        commit(st);
        return RC_OK;
    }
    case H_TOGGLE: e->flags ^= F_CHECKED; return RC_OK;
    case H_TAB:
        st->open = (uint16_t)(1u << e->harg);
        for (int j = 0; j < st->n_el; j++)
            if (st->el[j].role == R_TAB) st->el[j].flags &= (uint8_t)~F_SELECTED;
        e->flags |= F_SELECTED;
        return RC_OK;
    case H_EXPAND:
        st->open ^= (uint16_t)(1u << e->harg);
        e->flags ^= F_EXPANDED;
        return RC_OK;
    case H_MENU: {
        int was = st->open >> e->harg & 1;
        st->open = was ? 0 : (uint16_t)(1u << e->harg);
        for (int j = 0; j < st->n_el; j++)
            if (st->el[j].handler == H_MENU) st->el[j].flags &= (uint8_t)~F_EXPANDED;
        if (!was) e->flags |= F_EXPANDED;
        return RC_OK;
    }
    case H_SEARCH:
        st->nav[st->nav_n - 1].a = st->el[e->harg].value; /* the page remembers its query */
        push(s, st, (web_nav){P_RESULTS, st->el[e->harg].value, 0, 0});
        return RC_OK;
    case H_RESULT:
        st->db[0] = e->harg;
        st->db[1] = st->nav[st->nav_n - 1].a;
        st->answer = e->name;
        commit(st);
        return RC_OK;
    case H_PAGE: {
        web_nav nv = st->nav[st->nav_n - 1];
        /* a state from elsewhere may have enabled a link past the results */
        if (e->harg ? (nv.b + 1) * 3 >= st->n_rec : nv.b == 0) return RC_DISABLED;
        nv.b = (uint8_t)(e->harg ? nv.b + 1 : nv.b - 1);
        push(s, st, nv);
        return RC_OK;
    }
    case H_MONTH:
        if (e->harg ? st->nav[st->nav_n - 1].a >= 11 : st->nav[st->nav_n - 1].a == 0) return RC_DISABLED;
        /* the picker changes the month in place: no history entry */
        st->nav[st->nav_n - 1].a = (uint8_t)(st->nav[st->nav_n - 1].a + (e->harg ? 1 : -1));
        s->task->build(s, st);
        return RC_OK;
    case H_DAY:
        st->db[0] = st->nav[st->nav_n - 1].a;
        st->db[1] = e->harg;
        s->task->build(s, st);
        return RC_OK;
    case H_FINISH: case H_RADIO: case H_RECORD: case H_STEP: case H_FOLDER: case H_GUESS: case H_MULTI:
        return ludus_web_atomic_click(s, st, i);
    default:
        if (e->handler >= H_SUGGEST) return ludus_web_more_click(s, st, i); /* atomic_more.c */
        return ludus_web_site_click(s, st, i);
    }
}

/* ---- the oracle ---- */

void ludus_web_oracle(const web_spec *s, const web_state *st, int32_t *a)
{
    ludus_web_act(a, V_CLICK, 0, 0);
    const web_task *t = s->task;
    if (t->oracle) {
        t->oracle(s, st, a);
        return;
    }
    if (t->eval == eval_pick) {
        a[1] = st->target[0];
    } else if (t->eval == eval_tab) {
        const web_el *e = &st->el[st->target[0]];
        if (ludus_web_visible(st, st->target[0])) {
            a[1] = st->target[0];
        } else {
            for (int i = 0; i < st->n_el; i++) {
                const web_el *o = &st->el[i];
                if ((o->handler == H_TAB || o->handler == H_EXPAND || o->handler == H_MENU) && o->harg == e->group)
                    a[1] = i;
            }
        }
    } else if (t->eval == eval_checkboxes) {
        uint32_t want;
        memcpy(&want, st->target, sizeof want);
        for (int i = 0; i < st->n_el; i++) {
            if (st->el[i].role == R_CHECKBOX && !!(st->el[i].flags & F_CHECKED) != !!(want >> i & 1)) {
                a[1] = i;
                return;
            }
            if (st->el[i].handler == H_SUBMIT) a[1] = i;
        }
    } else if (t->eval == eval_enter_text || t->eval == eval_login || t->eval == eval_choose_list) {
        for (int i = 0; i < st->n_el; i++) {
            const web_el *e = &st->el[i];
            int want = e->name == W_PASSWORD ? st->field[1] : st->field[0];
            if (e->role == R_TEXTBOX && e->value != want) {
                ludus_web_act(a, V_TYPE, i, s->lex_of[want]);
                return;
            }
            if (e->role == R_COMBOBOX && e->value != want) {
                ludus_web_act(a, V_SELECT, i, s->lex_of[want]);
                return;
            }
            if (e->handler == H_SUBMIT) a[1] = i;
        }
    } else if (t->eval == eval_search) {
        const web_nav *nv = &st->nav[st->nav_n - 1];
        if (nv->page == P_MAIN) {
            int box = pos_of(st, R_TEXTBOX, W_SEARCH);
            if (box < 0) return;
            if (st->el[box].value != st->field[0]) ludus_web_act(a, V_TYPE, box, s->lex_of[st->field[0]]);
            else a[1] = box + 1;
            return;
        }
        if (nv->a != st->field[0]) {
            ludus_web_act(a, V_BACK, 0, 0);
            return;
        }
        for (int i = 0; i < st->n_el; i++) {
            const web_el *e = &st->el[i];
            if (e->handler == H_RESULT && e->harg == st->target[0]) {
                a[1] = i;
                return;
            }
            if (e->handler == H_PAGE && e->harg == (nv->b < st->target[0] / 3)) a[1] = i;
        }
    } else if (t->eval == eval_date) {
        int m = st->nav[st->nav_n - 1].a;
        for (int i = 0; i < st->n_el; i++) {
            const web_el *e = &st->el[i];
            if (m != st->target[0] && e->handler == H_MONTH && e->harg == (m < st->target[0])) a[1] = i;
            if (m == st->target[0] && (st->db[0] != m || st->db[1] != st->target[1]) && e->handler == H_DAY &&
                e->harg == st->target[1])
                a[1] = i;
            if (m == st->target[0] && st->db[0] == m && st->db[1] == st->target[1] && e->handler == H_SUBMIT)
                a[1] = i;
        }
    }
}
