/* view.c: what a web world looks like. The accessibility tree as text in
 * the WebArena/AgentOccam form (ids only on actionable elements,
 * properties only when set, hidden elements left out, options folded into
 * "a; b; c"); the tensor view for learners (one row of ids per element
 * slot, the instruction in row 0, then status scalars); an RGB frame laid
 * out from the tree with a 3x5 font; the terminal picture (the tree).
 */
#include <string.h>

#include "ludus/web.h"
#include "web.h"

static const char *const role_names[R_COUNT] = {"", "heading", "text", "button", "link", "textbox", "checkbox",
                                                "combobox", "tab", "menuitem", "dialog", "gridcell", "group",
                                                "radio", "slider", "option"};
static const char *const page_names[P_COUNT] = {"main", "results", "date", "item", "cart", "checkout", "done",
                                                "inbox", "message", "compose", "form", "saved", "week",
                                                "day", "event", "feed", "forums", "forum", "post", "user",
                                                "home", "folder", "file", "users", "edit",
                                                "orders"};

#define WORD(w) ludus_web_words[w]

/* ---- the tensor view ---- */

_Static_assert(F_DISABLED == 2 && F_CHECKED == 4 && F_EXPANDED == 8 && F_EXPANDABLE == 16 && F_SELECTED == 128,
               "the tensor view's flag bits are the element flags' own, selected moved from bit 7 to 5");

static int field_match(const web_state *st, int w)
{
    if (!w) return 0;
    for (int k = 0; k < st->n_field; k++)
        if (st->field[k] == w) return k + 1;
    return 0;
}

void ludus_web_observe(const ludus_env *env, const void *state, uint8_t *obs)
{
    const web_spec *s = env->impl;
    const web_state *st = state;
    memset(obs, 0, env->info.obs_size);
    obs[0] = (uint8_t)(st->nav[st->nav_n - 1].page + 1);
    for (int k = 0; k < st->n_field; k++) obs[1 + k] = s->tcode[st->field[k]];
    obs[7] = st->n_field;
    for (int i = 0; i < st->n_el; i++) {
        const web_el *e = &st->el[i];
        uint8_t *r = obs + (size_t)(i + 1) * WEB_C;
        const int vis = ludus_web_visible(st, i);
        r[0] = e->role;
        /* visible; disabled, checked, expanded, expandable (the flags' own
         * bits 1-4); selected (bit 7 moved to bit 5) */
        r[1] = (uint8_t)(vis | (e->flags & 0x1e) | (e->flags >> 2 & 0x20));
        if (!vis) continue; /* hidden slots show only their role and flags */
        r[2] = s->tcode[e->name] ? s->tcode[e->name] : s->tcode[e->name2];
        r[3] = s->typed && e->role == R_TEXTBOX ? (uint8_t)ludus_web_typed_value(s, e)
               : s->tcode[e->value] ? s->tcode[e->value] : s->tcode[e->value2];
        int m = field_match(st, e->name);
        r[4] = (uint8_t)(m ? m : field_match(st, e->name2));
        m = field_match(st, e->value);
        r[5] = (uint8_t)(m ? m : field_match(st, e->value2));
        r[6] = e->depth;
        r[7] = e->handler;
    }
    uint8_t *x = obs + (size_t)(WEB_K + 1) * WEB_C;
    int hit = 0;
    for (uint32_t b = st->kn_hit; b; b &= b - 1) hit++;
    x[0] = (uint8_t)(st->t > 255 ? 255 : st->t);
    x[1] = (uint8_t)(st->max_t > 255 ? 255 : st->max_t);
    x[2] = st->last_rc;
    x[3] = (uint8_t)(st->n_invalid > 255 ? 255 : st->n_invalid);
    x[4] = (uint8_t)hit;
    x[5] = st->kn_n;
    x[6] = st->done;
    x[7] = st->scroll;
}

/* ---- the tree as text ---- */

/* The FULL text's last line, written once by web_make into s->actions_line
 * (LUDUS_OK, or LUDUS_EINTERNAL if it did not fit). */
int ludus_web_actions_line(web_spec *s)
{
    strbuf sb = sb_make(s->actions_line, sizeof s->actions_line);
    ludus_sb_puts(&sb, "Actions: click [id], type [id] [text], select [id] [option], scroll up, scroll down, "
                       "go back, stop [answer]; ids");
    for (int i = 0; i < WEB_K; i++) ludus_sb_printf(&sb, " [%d]", i);
    if (s->words == WEB_WORDS_SLOTS) {
        ludus_sb_puts(&sb, "; words by slot: <unk>, field1 ... field6 (the instruction's fields), el0 ... el47 (an "
                           "element's word)");
    } else {
        ludus_sb_puts(&sb, "; words");
        for (int i = 0; i < s->lex_n; i++) ludus_sb_printf(&sb, "%s %s", i ? "," : "", s->names[V_COUNT + WEB_K + i]);
    }
    ludus_sb_puts(&sb, "\n");
    s->actions_len = (int)sb.len;
    return sb.len < sizeof s->actions_line ? LUDUS_OK
                                           : ludus_err_set(LUDUS_EINTERNAL, "web: the action list does not fit");
}

static void put_name(strbuf *sb, int a, int b)
{
    ludus_sb_puts(sb, WORD(a));
    if (b) {
        ludus_sb_putc(sb, ' ');
        ludus_sb_puts(sb, WORD(b));
    }
}

void ludus_web_tree(const ludus_env *env, const web_state *st, strbuf *sb)
{
    const web_spec *s = env->impl;
    for (int i = 0; i < st->n_el; i++) {
        const web_el *e = &st->el[i];
        if (!ludus_web_visible(st, i)) continue;
        if (e->role == R_GROUP && !e->name) continue; /* nameless containers are dropped */
        for (int d = 0; d < e->depth; d++) ludus_sb_putc(sb, '\t');
        if (ludus_web_actionable(e)) {
            ludus_sb_puts(sb, s->store[i]); /* "[i]" */
            ludus_sb_putc(sb, ' ');
        }
        ludus_sb_puts(sb, role_names[e->role]);
        ludus_sb_puts(sb, " '");
        put_name(sb, e->name, e->name2);
        ludus_sb_putc(sb, '\'');
        if (e->role == R_TEXTBOX) {
            if (e->value && (e->flags & F_PASSWORD)) ludus_sb_puts(sb, " value: '****'");
            else if (e->value && s->typed) {
                char typed[32];
                ludus_sb_printf(sb, " value: '%s'", ludus_web_typed_text(s, e, typed, sizeof typed));
            } else if (e->value) {
                ludus_sb_puts(sb, " value: '");
                put_name(sb, e->value, e->value2);
                ludus_sb_putc(sb, '\'');
            }
            if (e->flags & F_READONLY) ludus_sb_puts(sb, " readonly: true");
        }
        if (e->role == R_COMBOBOX) {
            ludus_sb_puts(sb, ": ");
            for (int k = 0; k < e->opt_n; k++) {
                ludus_sb_puts(sb, k ? "; " : "");
                ludus_sb_puts(sb, WORD(st->opt[e->opt_first + k]));
            }
            ludus_sb_printf(sb, " (selected: %s)", e->value ? WORD(e->value) : "none");
        }
        if (e->role == R_SLIDER) {
            /* WebArena's form of a range input: its bounds and its value */
            ludus_sb_printf(sb, " valuemin: %s valuemax: %s valuetext: %s", e->opt_n ? WORD(st->opt[e->opt_first]) : "",
                            e->opt_n ? WORD(st->opt[e->opt_first + e->opt_n - 1]) : "", e->value ? WORD(e->value) : "none");
        }
        if (e->flags & F_CHECKED) ludus_sb_puts(sb, " checked: true");
        if (e->flags & F_SELECTED) ludus_sb_puts(sb, " selected: true");
        if (e->flags & F_EXPANDABLE) ludus_sb_puts(sb, e->flags & F_EXPANDED ? " expanded: true" : " expanded: false");
        if (e->flags & F_DISABLED) ludus_sb_puts(sb, " disabled: true");
        ludus_sb_putc(sb, '\n');
    }
}

int ludus_web_text(const ludus_env *env, const void *state, ludus_text_mode mode, char *buf, size_t cap)
{
    const web_spec *s = env->impl;
    const web_state *st = state;
    strbuf sb = sb_make(buf, cap);
    if (mode == LUDUS_TEXT_FULL) {
        const web_nav *nv = &st->nav[st->nav_n - 1];
        ludus_sb_printf(&sb, "Mission: %s\nURL: web/%s/%s", st->mission, s->task->name, page_names[nv->page]);
        if (nv->page == P_RESULTS && s->task->lex == WEB_LEX_TRAVEL)
            ludus_sb_printf(&sb, "?from=%s&to=%s&day=%d", nv->a / 9 < 8 ? WORD(W_CITY0 + nv->a / 9) : "",
                            nv->a % 9 < 8 ? WORD(W_CITY0 + nv->a % 9) : "", nv->pad);
        else if (nv->page == P_RESULTS) ludus_sb_printf(&sb, "?q=%s&page=%d", WORD(nv->a), nv->b + 1);
        if (nv->page == P_RESULTS && nv->pad && (s->task->lex == WEB_LEX_SHOP || s->task->lex == WEB_LEX_INFO))
            ludus_sb_printf(&sb, "&max=%d", 10 * nv->pad);
        if (nv->page == P_ITEM || nv->page == P_MAIL || nv->page == P_COMPOSE) ludus_sb_printf(&sb, "?id=%d", nv->a);
        if (nv->page == P_DAY || nv->page == P_EVENT) ludus_sb_printf(&sb, "?day=%d", nv->a);
        if (nv->page == P_POST) ludus_sb_printf(&sb, "?id=%d", nv->a);
        if (nv->page == P_FORUM && nv->a < 6) ludus_sb_printf(&sb, "?f=%s", WORD(W_FORUM0 + nv->a));
        if (nv->page == P_USER) ludus_sb_printf(&sb, "?u=%s", WORD(nv->a));
        if ((nv->page == P_FOLDER && nv->a != WEB_ROOT) || nv->page == P_ENTRY || nv->page == P_EDIT)
            ludus_sb_printf(&sb, "?id=%d", nv->a);
        if (nv->page == P_TABLE) ludus_sb_printf(&sb, "?city=%s&sort=%d&page=%d", nv->a ? WORD(W_CITY0 + (nv->a - 1) % 8) : "",
                                                 nv->pad, nv->b + 1);
        if (nv->page == P_EVENT) ludus_sb_printf(&sb, "&hour=%d", nv->b);
        ludus_sb_printf(&sb, "   STEP %u/%u   LAST: %s\n", st->t, st->max_t, ludus_web_result_name(st->last_rc));
    }
    ludus_web_tree(env, st, &sb);
    if (mode == LUDUS_TEXT_FULL) {
ludus_sb_puts(&sb, s->actions_line);
    }
    return (int)sb.len;
}

void ludus_web_render_ansi(const ludus_env *env, const void *state, strbuf *sb)
{
    ludus_web_tree(env, state, sb);
}

/* ---- layout and frames ---- */

enum { PAGE_W = 240, PAGE_H = 240, ROW_H = 9, CHAR_W = 4, HEAD_ROWS = 3, VIEW_ROWS = (PAGE_H / ROW_H) - HEAD_ROWS };

static int label_len(int a, int b) { return (int)strlen(WORD(a)) + (b ? 1 + (int)strlen(WORD(b)) : 0); }

/* Rows and columns (in characters) of the visible elements; returns the
 * page's rows. Grid cells and tabs flow on one line, everything else takes
 * its own. */
static int layout(const web_state *st, int16_t *row, int16_t *col)
{
    int r = -1, c = 0, inline_prev = 0;
    for (int i = 0; i < st->n_el; i++) {
        const web_el *e = &st->el[i];
        row[i] = -1;
        if (!ludus_web_visible(st, i) || (e->role == R_GROUP && !e->name)) continue;
        int w = label_len(e->name, e->name2) + 3, in = e->role == R_GRIDCELL || e->role == R_TAB;
        if (e->role == R_TEXTBOX || e->role == R_COMBOBOX || e->role == R_SLIDER) w += 12;
        if (!(in && inline_prev && c + w <= PAGE_W / CHAR_W - 2) || r < 0) {
            r++;
            c = 2 * e->depth;
        }
        row[i] = (int16_t)r;
        col[i] = (int16_t)c;
        c += w;
        inline_prev = in;
    }
    return r + 1;
}

int ludus_web_max_scroll(const web_state *st)
{
    /* every shown element takes at most one row: a page of no more
     * elements than the view's rows never scrolls (no layout needed) */
    if (st->n_el <= VIEW_ROWS) return 0;
    int16_t row[WEB_K], col[WEB_K];
    int rows = layout(st, row, col);
    return rows > VIEW_ROWS ? (rows - VIEW_ROWS + 2) / 3 : 0;
}

/* 3x5 glyphs: five rows of three bits, the high bit the left column. */
static const uint8_t *glyph(char ch)
{
    static const uint8_t letters[26][5] = {
        {2, 5, 7, 5, 5}, {6, 5, 6, 5, 6}, {3, 4, 4, 4, 3}, {6, 5, 5, 5, 6}, {7, 4, 6, 4, 7}, {7, 4, 6, 4, 4},
        {3, 4, 5, 5, 3}, {5, 5, 7, 5, 5}, {7, 2, 2, 2, 7}, {1, 1, 1, 5, 2}, {5, 5, 6, 5, 5}, {4, 4, 4, 4, 7},
        {5, 7, 7, 5, 5}, {6, 5, 5, 5, 5}, {2, 5, 5, 5, 2}, {6, 5, 6, 4, 4}, {2, 5, 5, 6, 3}, {6, 5, 6, 5, 5},
        {3, 4, 2, 1, 6}, {7, 2, 2, 2, 2}, {5, 5, 5, 5, 7}, {5, 5, 5, 5, 2}, {5, 5, 7, 7, 5}, {5, 5, 2, 5, 5},
        {5, 5, 2, 2, 2}, {7, 1, 2, 4, 7}};
    static const uint8_t digits[10][5] = {{7, 5, 5, 5, 7}, {2, 6, 2, 2, 7}, {7, 1, 7, 4, 7}, {7, 1, 7, 1, 7},
                                          {5, 5, 7, 1, 1}, {7, 4, 7, 1, 7}, {7, 4, 7, 5, 7}, {7, 1, 1, 1, 1},
                                          {7, 5, 7, 5, 7}, {7, 5, 7, 1, 7}};
    static const uint8_t quote[5] = {2, 2, 0, 0, 0}, dot[5] = {0, 0, 0, 0, 2}, comma[5] = {0, 0, 0, 2, 4},
                         gt[5] = {4, 2, 1, 2, 4}, lt[5] = {1, 2, 4, 2, 1}, star[5] = {0, 5, 2, 5, 0},
                         blank[5] = {0, 0, 0, 0, 0};
    if (ch >= 'A' && ch <= 'Z') ch = (char)(ch + 32);
    if (ch >= 'a' && ch <= 'z') return letters[ch - 'a'];
    if (ch >= '0' && ch <= '9') return digits[ch - '0'];
    switch (ch) {
    case '\'': return quote;
    case '.': return dot;
    case ',': return comma;
    case '>': return gt;
    case '<': return lt;
    case '*': return star;
    default: return blank;
    }
}

typedef struct canvas {
    uint8_t *rgb;
    int w, h, scale;
} canvas;

static void fill(const canvas *cv, int x0, int y0, int x1, int y1, const uint8_t *c)
{
    x0 *= cv->scale, y0 *= cv->scale, x1 *= cv->scale, y1 *= cv->scale;
    if (x0 < 0) x0 = 0;
    if (y0 < 0) y0 = 0;
    if (x1 > cv->w) x1 = cv->w;
    if (y1 > cv->h) y1 = cv->h;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) memcpy(cv->rgb + ((size_t)y * cv->w + x) * 3, c, 3);
}

static void frame(const canvas *cv, int x0, int y0, int x1, int y1, const uint8_t *c)
{
    fill(cv, x0, y0, x1, y0 + 1, c);
    fill(cv, x0, y1 - 1, x1, y1, c);
    fill(cv, x0, y0, x0 + 1, y1, c);
    fill(cv, x1 - 1, y0, x1, y1, c);
}

static int text(const canvas *cv, int x, int y, const char *s, const uint8_t *c)
{
    for (; *s && x + 3 <= PAGE_W; s++, x += CHAR_W) {
        const uint8_t *g = glyph(*s);
        for (int gy = 0; gy < 5; gy++)
            for (int gx = 0; gx < 3; gx++)
                if (g[gy] >> (2 - gx) & 1) fill(cv, x + gx, y + gy, x + gx + 1, y + gy + 1, c);
    }
    return x;
}

static int word_text(const canvas *cv, int x, int y, int a, int b, const uint8_t *c)
{
    x = text(cv, x, y, WORD(a), c);
    if (b) x = text(cv, x + CHAR_W, y, WORD(b), c);
    return x;
}

int ludus_web_render_size(const ludus_env *env, const ludus_render_opts *o, int *w, int *h)
{
    (void)env;
    /* a page pixel is tile_size / 16 pixels (grid tiles of 32 give 2, the default) */
    if (o->tile_size > 128)
        return ludus_err_set(LUDUS_EINVAL, "tile size %d: web frames take 1..128 (16 pixels a page pixel)",
                             o->tile_size);
    int scale = o->tile_size ? (o->tile_size < 16 ? 1 : o->tile_size / 16) : 2;
    *w = PAGE_W * scale;
    *h = PAGE_H * scale;
    return LUDUS_OK;
}

int ludus_web_render(const ludus_env *env, const void *state, const ludus_render_opts *o, uint8_t *rgb)
{
    static const uint8_t white[3] = {255, 255, 255}, ink[3] = {20, 20, 30}, grey[3] = {200, 200, 205},
                         dark[3] = {90, 90, 100}, faint[3] = {160, 160, 165}, blue[3] = {30, 80, 200},
                         bar[3] = {255, 244, 200}, sel[3] = {120, 170, 255}, head[3] = {20, 40, 110},
                         menu[3] = {230, 235, 245}, dialog[3] = {245, 245, 250};
    const web_spec *s = env->impl;
    const web_state *st = state;
    int w = 0, h = 0;
    int rc = ludus_web_render_size(env, o, &w, &h);
    if (rc) return rc;
    const canvas cv = {rgb, w, h, w / PAGE_W};
    fill(&cv, 0, 0, PAGE_W, PAGE_H, white);
    /* the instruction bar: the mission wrapped at the bar's width */
    fill(&cv, 0, 0, PAGE_W, HEAD_ROWS * ROW_H - 1, bar);
    {
        const int per = PAGE_W / CHAR_W - 2;
        const char *m = st->mission;
        for (int line = 0; line < HEAD_ROWS && *m; line++) {
            char chunk[64];
            int n = (int)strlen(m);
            if (n > per) {
                n = per;
                while (n > 0 && m[n] != ' ') n--;
                if (n == 0) n = per;
            }
            memcpy(chunk, m, (size_t)n);
            chunk[n] = 0;
            text(&cv, 4, line * ROW_H + 2, chunk, ink);
            m += n;
            while (*m == ' ') m++;
        }
    }
    int16_t row[WEB_K], col[WEB_K];
    layout(st, row, col);
    const int first = st->scroll * 3;
    for (int i = 0; i < st->n_el; i++) {
        const web_el *e = &st->el[i];
        int r = row[i] - first;
        if (row[i] < 0 || r < 0 || r >= VIEW_ROWS) continue;
        int x = 4 + col[i] * CHAR_W, y = (HEAD_ROWS + r) * ROW_H + 2, len = label_len(e->name, e->name2) * CHAR_W;
        const uint8_t *c = e->flags & F_DISABLED ? faint : ink;
        switch (e->role) {
        case R_BUTTON: case R_TAB: case R_GRIDCELL: case R_MENUITEM: {
            const uint8_t *bg = e->flags & F_SELECTED ? sel : e->role == R_MENUITEM ? menu : grey;
            fill(&cv, x - 2, y - 2, x + len + 2, y + 7, bg);
            frame(&cv, x - 2, y - 2, x + len + 2, y + 7, e->flags & F_DISABLED ? grey : dark);
            int end = word_text(&cv, x, y, e->name, e->name2, c);
            if (e->flags & F_EXPANDABLE) text(&cv, end + CHAR_W, y, e->flags & F_EXPANDED ? "<" : ">", c);
            break;
        }
        case R_LINK:
            word_text(&cv, x, y, e->name, e->name2, e->flags & F_DISABLED ? faint : blue);
            fill(&cv, x, y + 6, x + len, y + 7, e->flags & F_DISABLED ? faint : blue);
            break;
        case R_TEXTBOX: case R_COMBOBOX: {
            int end = word_text(&cv, x, y, e->name, e->name2, c) + CHAR_W;
            fill(&cv, end, y - 2, end + 11 * CHAR_W, y + 7, white);
            frame(&cv, end, y - 2, end + 11 * CHAR_W, y + 7, dark);
            if (e->value && (e->flags & F_PASSWORD)) text(&cv, end + 2, y, "****", ink);
            else if (e->value && s->typed && e->role == R_TEXTBOX) {
                char typed[32];
                text(&cv, end + 2, y, ludus_web_typed_text(s, e, typed, sizeof typed), ink);
            } else if (e->value) word_text(&cv, end + 2, y, e->value, e->value2, ink);
            if (e->role == R_COMBOBOX) text(&cv, end + 10 * CHAR_W - 1, y, "v", dark);
            break;
        }
        case R_CHECKBOX:
            frame(&cv, x, y, x + 5, y + 5, dark);
            if (e->flags & F_CHECKED) fill(&cv, x + 1, y + 1, x + 4, y + 4, blue);
            word_text(&cv, x + 8, y, e->name, e->name2, c);
            break;
        case R_RADIO:
            /* a round button: a diamond outline, filled when checked */
            fill(&cv, x + 2, y, x + 3, y + 5, dark);
            fill(&cv, x, y + 2, x + 5, y + 3, dark);
            fill(&cv, x + 1, y + 1, x + 4, y + 4, e->flags & F_CHECKED ? blue : white);
            word_text(&cv, x + 8, y, e->name, e->name2, c);
            break;
        case R_SLIDER: {
            /* a track with a knob at the value's place among the options */
            int end = word_text(&cv, x, y, e->name, e->name2, c) + CHAR_W, at = 0;
            for (int k = 0; k < e->opt_n; k++)
                if (st->opt[e->opt_first + k] == e->value) at = k;
            fill(&cv, end, y + 2, end + 11 * CHAR_W, y + 3, dark);
            int kx = end + (e->opt_n > 1 ? at * (10 * CHAR_W) / (e->opt_n - 1) : 0);
            fill(&cv, kx, y - 1, kx + 3, y + 6, e->flags & F_DISABLED ? faint : blue);
            if (e->value) word_text(&cv, end + 12 * CHAR_W, y, e->value, 0, ink);
            break;
        }
        case R_OPTION:
            fill(&cv, x - 2, y - 2, x + len + 2, y + 7, e->flags & F_SELECTED ? sel : menu);
            word_text(&cv, x, y, e->name, e->name2, c);
            break;
        case R_HEADING: word_text(&cv, x, y, e->name, e->name2, head); break;
        case R_DIALOG:
            fill(&cv, x - 3, y - 2, PAGE_W - 4, PAGE_H - 4, dialog);
            frame(&cv, x - 3, y - 2, PAGE_W - 4, PAGE_H - 4, dark);
            word_text(&cv, x, y, e->name, e->name2, head);
            break;
        default: word_text(&cv, x, y, e->name, e->name2, e->role == R_TEXT ? dark : ink);
        }
    }
    return LUDUS_OK;
}
