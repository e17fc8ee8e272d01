/* test_web_atomic.c: the atomic tasks of src/envs/web/atomic.c. Each
 * task's success is recomputed here by a reference predicate that reads
 * only the mission text, the page (names, values, flags) and the actions
 * taken, and is compared with the world's verdict on episodes of an
 * oracle with random slips (so near misses happen); hand-made near misses
 * fail; the new roles show in the text, the tensor and the frame; clones
 * replay; held-out entities stay held out. test_web.c's loops (oracle on
 * 1,000 seeds and 200 per split, random agent, fuzz, mutations) cover
 * these ids too.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "web_random.h"
#include "envs/web/web.h"
#include "ludus/web.h"

static const char *const ids[] = {"copy-paste", "find-word", "read-table", "enter-password", "enter-date",
                                  "enter-time", "use-spinner", "use-slider", "click-option", "click-scroll-list",
                                  "multi-orderings", "form-sequence", "click-sequence", "phone-book",
                                  "navigate-tree", "guess-number"};
enum { N_IDS = sizeof ids / sizeof ids[0] };

static ludus_env *make(const char *task, const char *opts)
{
    char id[64];
    snprintf(id, sizeof id, "Web-%s-v0", task);
    ludus_env *env = NULL;
    CHECK_OK(ludus_env_make(id, opts, &env));
    return env;
}

#define W(e) ludus_web_words[(e)->name]
#define V(e) ludus_web_words[(e)->value]

/* The word of the mission after `key` (up to a space, quote, comma, colon,
 * semicolon, parenthesis or full stop), into out; 0 if key is absent. */
static int after(const char *mission, const char *key, char *out, size_t cap)
{
    const char *p = strstr(mission, key);
    if (!p) return 0;
    p += strlen(key);
    size_t n = 0;
    while (p[n] && !strchr(" ',:;().", p[n]) && n + 1 < cap) {
        out[n] = p[n];
        n++;
    }
    out[n] = 0;
    return 1;
}

static int named(const web_state *st, int role, const char *name)
{
    for (int i = 0; i < st->n_el; i++)
        if (st->el[i].role == role && strcmp(W(&st->el[i]), name) == 0) return i;
    return -1;
}

static int value_is(const web_state *st, int role, const char *label, const char *want)
{
    int i = named(st, role, label);
    return i >= 0 && strcmp(V(&st->el[i]), want) == 0;
}

/* What the test saw of an episode: the elements clicked, in order, the
 * textbox values at each click (for guess-number) and the last action. */
typedef struct trace {
    int clicks[64], n_clicks;
    int guesses[32], n_guesses;
    int32_t last[3];
    web_state before_last; /* the page the last action acted on */
} trace;

/* The reference predicates: mission, final page and the trace only. */
static int reference(const char *task, const web_state *st, const trace *tr)
{
    const char *m = st->mission;
    char a[32] = "", b[32] = "", sub[32] = "";
    after(m, "press ", sub, sizeof sub);
    const web_state *pg = &tr->before_last;
    /* forms: the last action is a click on the button the mission names */
    int pressed = tr->last[0] == V_CLICK && tr->last[1] < pg->n_el && pg->el[tr->last[1]].role == R_BUTTON &&
                  strcmp(W(&pg->el[tr->last[1]]), sub) == 0;
    if (!strcmp(task, "copy-paste")) {
        after(m, "after '", a, sizeof a);
        int p = named(st, R_TEXT, a);
        return pressed && p >= 0 && value_is(st, R_TEXTBOX, "text", ludus_web_words[st->el[p].name2]);
    }
    if (!strcmp(task, "find-word")) {
        after(m, "word number ", a, sizeof a);
        int n = atoi(a), g = named(st, R_GROUP, "text"), k = 0;
        for (int i = g + 1; i < st->n_el; i++)
            if (st->el[i].parent == g && ++k == n) return pressed && value_is(st, R_TEXTBOX, "text", W(&st->el[i]));
        return 0;
    }
    if (!strcmp(task, "read-table")) {
        after(m, "Find the ", a, sizeof a);
        after(m, " of ", b, sizeof b);
        int h = named(st, R_GROUP, "table"), col = -1, k = 0;
        for (int i = h + 1; i < st->n_el && st->el[i].parent == h; i++, k++)
            if (!strcmp(W(&st->el[i]), a)) col = k;
        for (int i = 0; i < st->n_el; i++) {
            if (st->el[i].role != R_GROUP || i == h || strcmp(W(&st->el[i + 1]), b)) continue;
            return pressed && col >= 0 && value_is(st, R_TEXTBOX, "text", W(&st->el[i + 1 + col]));
        }
        return 0;
    }
    if (!strcmp(task, "enter-password")) {
        after(m, "password '", a, sizeof a);
        int p = named(st, R_TEXTBOX, "password"), v = named(st, R_TEXTBOX, "verify");
        return pressed && p >= 0 && v >= 0 && !strcmp(V(&st->el[p]), a) && !strcmp(V(&st->el[v]), a);
    }
    if (!strcmp(task, "enter-date")) {
        after(m, "date ", a, sizeof a);
        after(strstr(m, "date ") + 5, " ", b, sizeof b);
        return pressed && value_is(st, R_TEXTBOX, "month", a) && value_is(st, R_TEXTBOX, "day", b);
    }
    if (!strcmp(task, "enter-time")) {
        after(m, "time ", a, sizeof a);
        after(m, ":", b, sizeof b);
        char mins[8];
        snprintf(mins, sizeof mins, "%d", atoi(b)); /* "05" is the word "5" */
        int k = named(st, R_TEXTBOX, "minute");
        if (k < 0) k = named(st, R_COMBOBOX, "minute");
        return pressed && value_is(st, R_TEXTBOX, "hour", a) && k >= 0 && !strcmp(V(&st->el[k]), mins);
    }
    if (!strcmp(task, "use-spinner")) {
        after(m, "volume to ", a, sizeof a);
        return pressed && value_is(st, R_TEXTBOX, "volume", a);
    }
    if (!strcmp(task, "use-slider")) {
        after(m, "slider to ", a, sizeof a);
        return pressed && value_is(st, R_SLIDER, "volume", a);
    }
    if (!strcmp(task, "click-option")) {
        after(m, "Select '", a, sizeof a);
        int ok = 1;
        for (int i = 0; i < st->n_el; i++)
            if (st->el[i].role == R_RADIO) ok &= !!(st->el[i].flags & F_CHECKED) == !strcmp(W(&st->el[i]), a);
        return pressed && ok;
    }
    if (!strcmp(task, "click-scroll-list")) {
        /* "Select a, b and c from the list" */
        char list[128];
        const char *p = m + 7, *q = strstr(m, " from the list");
        snprintf(list, sizeof list, "%.*s", (int)(q - p), p);
        int ok = 1, want = 0, got = 0;
        for (char *t = strtok(list, " ,"); t; t = strtok(NULL, " ,"))
            if (strcmp(t, "and")) {
                want++;
                int i = named(st, R_OPTION, t);
                ok &= i >= 0 && (st->el[i].flags & F_SELECTED);
            }
        for (int i = 0; i < st->n_el; i++) got += st->el[i].role == R_OPTION && (st->el[i].flags & F_SELECTED);
        return pressed && ok && got == want;
    }
    if (!strcmp(task, "multi-orderings")) {
        const char *p = strstr(m, ": ") + 2;
        int ok = 1;
        for (int k = 0; k < 4; k++) {
            char label[16], val[16];
            CHECK(sscanf(p, "%15s %15[^,;]", label, val) == 2);
            ok &= value_is(st, R_TEXTBOX, label, val);
            p = strchr(p, k < 3 ? ',' : ';') + 2;
        }
        return pressed && ok;
    }
    if (!strcmp(task, "form-sequence")) {
        after(m, "Enter ", a, sizeof a);
        after(m, "select ", b, sizeof b);
        int on = strstr(m, "uncheck") == NULL, c = named(st, R_CHECKBOX, "newsletter");
        return pressed && value_is(st, R_TEXTBOX, "name", a) && value_is(st, R_COMBOBOX, "item", b) && c >= 0 &&
               !!(st->el[c].flags & F_CHECKED) == on;
    }
    if (!strcmp(task, "click-sequence")) {
        /* "Click on 'a', then 'b'[, then 'c']." and exactly those clicks */
        const char *p = m;
        int k = 0, ok = 1;
        while ((p = strchr(p, '\''))) {
            char w[32];
            after(p, "'", w, sizeof w);
            ok &= k < tr->n_clicks && !strcmp(W(&st->el[tr->clicks[k]]), w);
            k++;
            p = strchr(p + 1, '\'') + 1;
        }
        return ok && tr->n_clicks == k;
    }
    if (!strcmp(task, "phone-book")) {
        after(m, "Find ", a, sizeof a);
        if (tr->last[0] != V_CLICK || tr->last[1] >= pg->n_el) return 0;
        const web_el *e = &pg->el[tr->last[1]];
        return e->role == R_LINK && e->parent != WEB_NONE && !strcmp(W(&pg->el[e->parent]), a) &&
               e->name >= W_NUM1 && e->name < W_NUM_END;
    }
    if (!strcmp(task, "navigate-tree")) {
        after(m, "file '", a, sizeof a);
        return tr->last[0] == V_CLICK && tr->last[1] < pg->n_el && pg->el[tr->last[1]].role == R_LINK &&
               !strcmp(W(&pg->el[tr->last[1]]), a);
    }
    if (!strcmp(task, "guess-number")) /* the number is hidden: the last guess was it */
        return tr->n_guesses > 0 && tr->guesses[tr->n_guesses - 1] == W_NUM1 + st->target[0] - 1 &&
               tr->last[0] == V_CLICK && pg->el[tr->last[1]].handler == H_GUESS;
    CHECK_MSG(0, "no reference for %s", task);
    return -1;
}

/* The oracle, slipping with probability slip per step (a random legal
 * action, or its own action with another word), against the reference. */
static void test_reference(void)
{
    ludus_rng rng;
    ludus_rng_seed(&rng, 11);
    for (int t = 0; t < N_IDS; t++) {
        ludus_env *env = make(ids[t], NULL);
        web_state *st = ludus_env_state_new(env);
        trace *tr = malloc(sizeof *tr);
        int agree = 0, wins = 0, n = 600, near = 0;
        for (int e = 0; e < n; e++) {
            double slip = e < n / 3 ? 0.0 : e < 2 * n / 3 ? 0.1 : 0.3;
            CHECK_OK(ludus_env_reset(env, st, (uint64_t)e + 1000, NULL));
            memset(tr, 0, sizeof *tr);
            ludus_step_out out = {0};
            int slipped = 0;
            do {
                int32_t a[3];
                CHECK_OK(ludus_web_oracle_action(env, st, a));
                if (ludus_rng_random(&rng) < slip) {
                    slipped = 1;
                    if (a[0] == V_TYPE || a[0] == V_SELECT || ludus_rng_integers(&rng, 0, 2)) random_action(env, st, &rng, a);
                    else a[2] = (int32_t)ludus_rng_integers(&rng, 1, ludus_env_get_info(env)->action_nvec[2]);
                }
                memcpy(&tr->before_last, st, sizeof *st);
                memcpy(tr->last, a, sizeof tr->last);
                if (a[0] == V_CLICK && a[1] < st->n_el && ludus_web_visible(st, a[1]) &&
                    ludus_web_actionable(&st->el[a[1]]) && !(st->el[a[1]].flags & F_DISABLED)) {
                    if (tr->n_clicks < 64) tr->clicks[tr->n_clicks++] = a[1];
                    if (st->el[a[1]].handler == H_GUESS && tr->n_guesses < 32)
                        tr->guesses[tr->n_guesses++] = st->el[st->el[a[1]].harg].value;
                }
                CHECK_OK(ludus_env_step_vec(env, st, a, NULL, &out));
            } while (!out.terminated && !out.truncated);
            int ref = out.terminated ? reference(ids[t], st, tr) : 0;
            agree += ref == out.success;
            if (ref != out.success && e - agree < 3)
                CHECK_MSG(0, "%s seed %d: world says %d, reference %d (%s)", ids[t], e + 1000, out.success, ref,
                          st->mission);
            wins += out.success;
            near += slipped && !out.success && out.terminated;
        }
        printf("reference %-18s agrees %d/%d (%d successes, %d failed after slips)\n", ids[t], agree, n, wins, near);
        CHECK_EQ(agree, n);
        CHECK(wins >= n / 3 && near > 5);
        free(tr);
        free(st);
        ludus_env_destroy(env);
    }
}

/* ---- hand-made near misses ---- */

static int act_text(const ludus_env *env, web_state *st, const char *fmt, int el, const char *word,
                    ludus_step_out *out)
{
    char cmd[96];
    snprintf(cmd, sizeof cmd, fmt, el, word);
    int32_t a[3];
    if (ludus_env_parse_action(env, cmd, a) != LUDUS_OK) return -1;
    CHECK_OK(ludus_env_step_vec(env, st, a, NULL, out));
    return st->last_rc;
}

static int find(const web_state *st, int handler)
{
    for (int i = 0; i < st->n_el; i++)
        if (st->el[i].handler == handler) return i;
    return -1;
}

static void test_near_misses(void)
{
    ludus_step_out out;
    /* copy-paste: another paragraph's word */
    ludus_env *env = make("copy-paste", NULL);
    web_state *st = ludus_env_state_new(env);
    CHECK_OK(ludus_env_reset(env, st, 5, NULL));
    int box = named(st, R_TEXTBOX, "text"), wrong = -1;
    for (int i = 0; i < st->n_el; i++)
        if (st->el[i].role == R_TEXT && st->el[i].name != st->field[0]) wrong = i;
    CHECK(wrong >= 0);
    act_text(env, st, "type [%d] [%s]", box, ludus_web_words[st->el[wrong].name2], &out);
    act_text(env, st, "click [%d]", find(st, H_FINISH), "", &out);
    CHECK(out.terminated && !out.success);
    ludus_env_destroy(env);
    free(st);

    /* enter-password: the verify field differs by one word */
    env = make("enter-password", NULL);
    st = ludus_env_state_new(env);
    CHECK_OK(ludus_env_reset(env, st, 8, NULL));
    act_text(env, st, "type [%d] [%s]", named(st, R_TEXTBOX, "password"), ludus_web_words[st->field[0]], &out);
    act_text(env, st, "type [%d] [%s]", named(st, R_TEXTBOX, "verify"),
             ludus_web_words[st->field[0] == W_NAME0 ? W_NAME0 + 1 : W_NAME0], &out);
    act_text(env, st, "click [%d]", find(st, H_FINISH), "", &out);
    CHECK(out.terminated && !out.success);
    ludus_web_info wi;
    CHECK_OK(ludus_web_progress(env, st, &wi));
    CHECK_EQ(wi.key_nodes_hit, 1); /* the password, not verify, not the commit */
    ludus_env_destroy(env);
    free(st);

    /* click-scroll-list: the targets and one more */
    env = make("click-scroll-list", NULL);
    st = ludus_env_state_new(env);
    CHECK_OK(ludus_env_reset(env, st, 2, NULL));
    for (int i = 0; i < st->n_el; i++)
        if (st->el[i].want == 2) act_text(env, st, "click [%d]", i, "", &out);
    for (int i = 0; i < st->n_el; i++)
        if (st->el[i].want == 1) {
            act_text(env, st, "click [%d]", i, "", &out);
            break;
        }
    act_text(env, st, "click [%d]", find(st, H_FINISH), "", &out);
    CHECK(out.terminated && !out.success);
    ludus_env_destroy(env);
    free(st);

    /* click-sequence: the right buttons in the wrong order */
    env = make("click-sequence", NULL);
    st = ludus_env_state_new(env);
    CHECK_OK(ludus_env_reset(env, st, 4, NULL));
    int len = st->target[7];
    for (int k = len - 1; k >= 0; k--) act_text(env, st, "click [%d]", st->target[k], "", &out);
    CHECK(out.terminated && !out.success);
    ludus_env_destroy(env);
    free(st);

    /* phone-book: the person's mail link, not the phone */
    env = make("phone-book", NULL);
    st = ludus_env_state_new(env);
    for (uint64_t s = 0;; s++) { /* a level whose target is on the first page */
        CHECK_OK(ludus_env_reset(env, st, s, NULL));
        if (st->target[0] < 3) break;
    }
    int mail = -1;
    for (int i = 0; i < st->n_el; i++)
        if (st->el[i].handler == H_RESULT && st->el[i].harg == st->target[0] && st->el[i].name == W_MAIL) mail = i;
    act_text(env, st, "click [%d]", mail, "", &out);
    CHECK(out.terminated && !out.success);
    ludus_env_destroy(env);
    free(st);

    /* navigate-tree: closing a folder closes the folders inside; another file fails */
    env = make("navigate-tree", NULL);
    st = ludus_env_state_new(env);
    int nested = -1, outer = -1;
    for (uint64_t s = 0; nested < 0 && s < 100; s++) {
        CHECK_OK(ludus_env_reset(env, st, s, NULL));
        for (int i = 0; i < st->n_el; i++)
            if (st->el[i].handler == H_FOLDER && st->el[i].parent != WEB_NONE) {
                nested = i;
                outer = st->el[i].parent;
                break;
            }
    }
    CHECK(nested > 0);
    act_text(env, st, "click [%d]", outer, "", &out);
    CHECK_EQ(act_text(env, st, "click [%d]", nested, "", &out), RC_OK);
    CHECK(st->open >> st->el[nested].harg & 1);
    act_text(env, st, "click [%d]", outer, "", &out); /* close the outer */
    CHECK(!(st->open >> st->el[nested].harg & 1) && !(st->el[nested].flags & F_EXPANDED));
    for (int i = 0; i < st->n_el; i++)
        CHECK(!ludus_web_visible(st, i) || st->el[i].depth == 0 || st->el[i].role == R_HEADING ||
              (st->open >> st->el[i].group & 1));
    act_text(env, st, "click [%d]", outer, "", &out);
    int other = -1;
    for (int i = 0; i < st->n_el; i++)
        if (st->el[i].role == R_LINK && i != st->target[0] && ludus_web_visible(st, i)) other = i;
    if (other >= 0) {
        act_text(env, st, "click [%d]", other, "", &out);
        CHECK(out.terminated && !out.success);
    }
    ludus_env_destroy(env);
    free(st);

    /* guess-number: the feedback is right, a non-number is an error on the page */
    env = make("guess-number", NULL);
    st = ludus_env_state_new(env);
    CHECK_OK(ludus_env_reset(env, st, 3, NULL));
    int g = find(st, H_GUESS), fb = named(st, R_TEXT, "guess");
    for (int v = 1; v <= 31 && !st->done; v++) {
        char num[4];
        snprintf(num, sizeof num, "%d", v);
        act_text(env, st, "type [%d] [%s]", st->el[g].harg, num, &out);
        act_text(env, st, "click [%d]", g, "", &out);
        if (st->done) {
            CHECK(out.success && v == st->target[0]);
        } else {
            CHECK_STR(ludus_web_words[st->el[fb].name], v < st->target[0] ? "higher" : "lower");
            CHECK_EQ(st->el[fb].name2, W_NUM1 + v - 1);
        }
    }
    ludus_env_destroy(env);
    free(st);
    env = make("guess-number", NULL);
    st = ludus_env_state_new(env);
    CHECK_OK(ludus_env_reset(env, st, 3, NULL));
    act_text(env, st, "type [%d] [%s]", st->el[g].harg, "apple", &out);
    act_text(env, st, "click [%d]", g, "", &out);
    CHECK_STR(ludus_web_words[st->el[fb].name], "error");
    CHECK(!st->done);
    ludus_env_destroy(env);
    free(st);

    /* use-spinner: the buttons stop at the ends, disabled there */
    env = make("use-spinner", "mask=0");
    st = ludus_env_state_new(env);
    CHECK_OK(ludus_env_reset(env, st, 6, NULL));
    int down = -1, up = -1, spin = named(st, R_TEXTBOX, "volume");
    for (int i = 0; i < st->n_el; i++) {
        if (st->el[i].handler == H_STEP && st->el[i].harg == 0) down = i;
        if (st->el[i].handler == H_STEP && st->el[i].harg == 1) up = i;
    }
    CHECK_EQ(act_text(env, st, "type [%d] [%s]", spin, "3", &out), RC_BAD_VERB); /* read-only */
    while (st->el[spin].value != W_NUM1) CHECK_EQ(act_text(env, st, "click [%d]", down, "", &out), RC_OK);
    CHECK(st->el[down].flags & F_DISABLED);
    CHECK_EQ(act_text(env, st, "click [%d]", down, "", &out), RC_DISABLED);
    CHECK_EQ(act_text(env, st, "click [%d]", up, "", &out), RC_OK);
    CHECK_EQ(st->el[spin].value, W_NUM1 + 1);
    ludus_env_destroy(env);
    free(st);

    /* use-slider: a value outside its range is no option */
    env = make("use-slider", "mask=0");
    st = ludus_env_state_new(env);
    CHECK_OK(ludus_env_reset(env, st, 7, NULL));
    int sl = named(st, R_SLIDER, "volume");
    int lo = st->opt[st->el[sl].opt_first] - W_NUM1 + 1, hi = lo + st->el[sl].opt_n - 1;
    char num[4];
    snprintf(num, sizeof num, "%d", hi < 31 ? hi + 1 : lo - 1);
    CHECK_EQ(act_text(env, st, "select [%d] [%s]", sl, num, &out), RC_NO_OPTION);
    snprintf(num, sizeof num, "%d", lo);
    CHECK_EQ(act_text(env, st, "select [%d] [%s]", sl, num, &out), RC_OK);
    CHECK_EQ(st->el[sl].value, W_NUM1 + lo - 1);
    CHECK_EQ(act_text(env, st, "type [%d] [%s]", sl, num, &out), RC_BAD_VERB);
    ludus_env_destroy(env);
    free(st);
}

/* The new roles in every view. */
static void test_views(void)
{
    char text[WEB_TEXT_CAP];
    const char *want[] = {"use-slider", "slider 'volume' valuemin: ", "click-option", "] radio '",
                          "click-scroll-list", "] option '", "navigate-tree", "expanded: false"};
    for (int k = 0; k < 8; k += 2) {
        ludus_env *env = make(want[k], NULL);
        const ludus_env_info *in = ludus_env_get_info(env);
        web_state *st = ludus_env_state_new(env);
        CHECK_OK(ludus_env_reset(env, st, 1, NULL));
        CHECK(ludus_env_text(env, st, LUDUS_TEXT_FULL, text, sizeof text) > 0);
        CHECK_MSG(strstr(text, want[k + 1]) != NULL, "%s: no \"%s\" in\n%s", want[k], want[k + 1], text);
        /* the frame changes when the widget does; the tensor shows role and state */
        int w, h;
        CHECK_OK(ludus_env_render_size(env, NULL, &w, &h));
        uint8_t *f0 = malloc((size_t)w * h * 3), *f1 = malloc((size_t)w * h * 3), *obs = malloc(in->obs_size);
        CHECK_OK(ludus_env_render(env, st, NULL, f0, (size_t)w * h * 3));
        int32_t a[3];
        CHECK_OK(ludus_web_oracle_action(env, st, a));
        CHECK_OK(ludus_env_step_vec(env, st, a, obs, NULL));
        CHECK_OK(ludus_env_render(env, st, NULL, f1, (size_t)w * h * 3));
        CHECK(memcmp(f0, f1, (size_t)w * h * 3) != 0);
        const uint8_t *r = obs + (size_t)(a[1] + 1) * WEB_C;
        CHECK_EQ(r[0], st->el[a[1]].role);
        if (st->el[a[1]].role == R_RADIO) CHECK_EQ(r[1] & 5, 5);       /* visible, checked */
        if (st->el[a[1]].role == R_OPTION) CHECK_EQ(r[1] & 33, 33);    /* visible, selected */
        if (st->el[a[1]].role == R_SLIDER) CHECK_EQ(r[3], a[2]);       /* the value's word */
        if (st->el[a[1]].handler == H_FOLDER) CHECK_EQ(r[1] & 9, 9);   /* visible, expanded */
        free(f0);
        free(f1);
        free(obs);
        free(st);
        ludus_env_destroy(env);
    }
    /* the mask allows select on a slider, and type on no slider */
    ludus_env *env = make("use-slider", NULL);
    web_state *st = ludus_env_state_new(env);
    CHECK_OK(ludus_env_reset(env, st, 1, NULL));
    uint8_t mask[LUDUS_MAX_MASK_SIZE];
    CHECK_OK(ludus_env_action_mask(env, st, mask));
    CHECK(mask[V_SELECT] && !mask[V_TYPE]);
    free(st);
    ludus_env_destroy(env);
}

/* Clones replay exactly, on every new task. */
static void test_clones(void)
{
    ludus_rng rng;
    ludus_rng_seed(&rng, 3);
    for (int t = 0; t < N_IDS; t++) {
        ludus_env *env = make(ids[t], "mask=0");
        const ludus_env_info *in = ludus_env_get_info(env);
        void *a = ludus_env_state_new(env), *b = ludus_env_state_new(env);
        uint8_t *oa = malloc(in->obs_size), *ob = malloc(in->obs_size);
        int same = 1;
        for (int e = 0; e < 10; e++) {
            CHECK_OK(ludus_env_reset(env, a, (uint64_t)e, NULL));
            int32_t x[3];
            ludus_web_oracle_action(env, a, x);
            ludus_env_step_vec(env, a, x, NULL, NULL);
            memcpy(b, a, in->state_size);
            for (int s = 0; s < 20; s++) {
                if (s % 3) ludus_web_oracle_action(env, a, x);
                else {
                    x[0] = (int32_t)ludus_rng_integers(&rng, 0, V_COUNT);
                    x[1] = (int32_t)ludus_rng_integers(&rng, 0, 16);
                    x[2] = (int32_t)ludus_rng_integers(&rng, 0, in->action_nvec[2]);
                }
                ludus_step_out o1, o2;
                ludus_env_step_vec(env, a, x, oa, &o1);
                ludus_env_step_vec(env, b, x, ob, &o2);
                same &= memcmp(a, b, in->state_size) == 0 && memcmp(oa, ob, in->obs_size) == 0 &&
                        o1.reward == o2.reward && o1.success == o2.success;
                if (o1.terminated || o1.truncated) break;
            }
        }
        CHECK_MSG(same, "%s: a clone diverged", ids[t]);
        free(oa);
        free(ob);
        free(a);
        free(b);
        ludus_env_destroy(env);
    }
}

/* Held-out entities: the word to find, copy, pick or click is held out
 * exactly in the test split (membership from the hash's definition). */
static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static void test_entities(void)
{
    const char *tasks[] = {"copy-paste", "click-option", "phone-book", "navigate-tree", "read-table",
                           "click-scroll-list", "enter-password", "click-sequence"};
    for (size_t t = 0; t < sizeof tasks / sizeof tasks[0]; t++)
        for (int sp = 0; sp < 2; sp++) {
            ludus_env *env = make(tasks[t], sp ? "split=test,holdout=entity" : "split=train,holdout=entity");
            web_state *st = ludus_env_state_new(env);
            int bad = 0;
            for (uint64_t s = 0; s < 200; s++) {
                CHECK_OK(ludus_env_reset(env, st, s, NULL));
                int w = st->field[0];
                if (!strcmp(tasks[t], "copy-paste")) w = st->el[named(st, R_TEXTBOX, "text")].want;
                bad += (mix(0x77656241ull ^ (uint64_t)w) % 5 == 0) != sp;
            }
            CHECK_MSG(bad == 0, "%s split %d: %d targets on the wrong side", tasks[t], sp, bad);
            free(st);
            ludus_env_destroy(env);
        }
}

/* Damaged states are refused. */
static void test_validate(void)
{
    ludus_env *env = make("click-sequence", NULL);
    web_state *st = ludus_env_state_new(env), *bad = ludus_env_state_new(env);
    CHECK_OK(ludus_env_reset(env, st, 2, NULL));
    CHECK_OK(ludus_env_state_check(env, st));
    memcpy(bad, st, sizeof *st);
    bad->target[7] = 5;
    CHECK_ERR(ludus_env_state_check(env, bad), LUDUS_EFORMAT);
    memcpy(bad, st, sizeof *st);
    bad->el[2].handler = H_GUESS;
    CHECK_ERR(ludus_env_state_check(env, bad), LUDUS_EFORMAT);
    ludus_env_destroy(env);
    free(st);
    free(bad);
    env = make("phone-book", NULL);
    st = ludus_env_state_new(env);
    bad = ludus_env_state_new(env);
    CHECK_OK(ludus_env_reset(env, st, 2, NULL));
    CHECK_OK(ludus_env_state_check(env, st));
    memcpy(bad, st, sizeof *st);
    bad->n_rec = bad->n_row = 12;
    CHECK_ERR(ludus_env_state_check(env, bad), LUDUS_EFORMAT);
    memcpy(bad, st, sizeof *st);
    bad->row[1].a = 250;
    CHECK_ERR(ludus_env_state_check(env, bad), LUDUS_EFORMAT);
    ludus_env_destroy(env);
    free(st);
    free(bad);
}

int main(void)
{
    test_near_misses();
    test_views();
    test_clones();
    test_entities();
    test_validate();
    test_reference();
    return check_finish("test_web_atomic");
}
