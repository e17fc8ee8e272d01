/* test_web_forum.c: the social site and the shop's two further tasks
 * (docs/web.md): Web-social-moderate-v0, Web-shop-cart-v0 and
 * Web-info-seek-v0. For each, a reference written here reads the
 * instruction (the mission's words, parsed back) and the site's rows,
 * checks that exactly one outcome satisfies it, and agents driven through
 * the text grammar succeed when they do what it says and fail on each
 * near miss (the overall most-liked post, the forum's second, a mute for
 * a block, a like on the side, another word; a stale cart line left, a
 * count off by one, the same noun by another brand, another name; another
 * brand's value, N/A when there is an answer and a number when there is
 * none). The oracle solves 1,000 seeds and 200 on every split (seed,
 * entity, skin, train and test); shaped rewards add up to completion plus
 * success; clones replay; held-out entities appear only at test; every
 * skin is drawn and changes the page; damaged states are refused. (The
 * fuzz, mutation and random-agent tests of test_web.c cover these ids as
 * every Web- id.)
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "envs/web/web.h"
#include "ludus/web.h"

#define WORD(w) ludus_web_words[w]

static ludus_env *make(const char *id, const char *opts)
{
    ludus_env *env = NULL;
    CHECK_OK(ludus_env_make(id, opts, &env));
    return env;
}

/* Parse one action in words and step it; returns the step's outcome. */
static ludus_step_out say(const ludus_env *env, void *st, const char *fmt, ...)
{
    char text[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    int32_t a[3];
    ludus_step_out out = {0};
    int rc = ludus_env_parse_action(env, text, a);
    CHECK_MSG(rc == LUDUS_OK, "'%s': %s", text, ludus_errmsg());
    if (rc == LUDUS_OK) {
        rc = ludus_env_step_vec(env, st, a, NULL, &out);
        CHECK_MSG(rc == LUDUS_OK, "'%s' refused: %s", text, ludus_errmsg());
    }
    return out;
}

static int el(const web_state *st, int handler, int harg)
{
    for (int i = 0; i < st->n_el; i++)
        if (st->el[i].handler == handler && st->el[i].harg == harg && ludus_web_visible(st, i)) return i;
    return -1;
}

static int named(const web_state *st, int role, int name)
{
    for (int i = 0; i < st->n_el; i++)
        if (st->el[i].role == role && st->el[i].name == name && ludus_web_visible(st, i)) return i;
    return -1;
}

/* the word id of a string, -1 if none */
static int word_id(const char *w)
{
    for (int k = 0; k < ludus_web_word_count; k++)
        if (strcmp(ludus_web_words[k], w) == 0) return k;
    return -1;
}

static int page(const web_state *st) { return st->nav[st->nav_n - 1].page; }

static ludus_step_out oracle_step(const ludus_env *env, void *st)
{
    int32_t a[3];
    ludus_step_out out = {0};
    CHECK_OK(ludus_web_oracle_action(env, st, a));
    CHECK_OK(ludus_env_step_vec(env, st, a, NULL, &out));
    return out;
}

/* ---- social ---- */

static int blocked_in(const uint8_t *bits, int w) { return bits[(w - W_NAME0) >> 3] >> ((w - W_NAME0) & 7) & 1; }

/* Open post r from the forums list through its forum (and the forum's
 * page is the key node's). */
static void open_post(const ludus_env *env, web_state *st, int r)
{
    say(env, st, "click [1]"); /* the forums link comes second on every page */
    CHECK(page(st) == P_FORUMS);
    say(env, st, "click [%d]", el(st, H_FORUM, st->row[r].b));
    CHECK(page(st) == P_FORUM);
    say(env, st, "click [%d]", el(st, H_POST, r));
    CHECK(page(st) == P_POST && st->nav[st->nav_n - 1].a == r);
}

static void reply(const ludus_env *env, web_state *st, int r, int word)
{
    open_post(env, st, r);
    say(env, st, "click [%d]", el(st, H_REPLY, r));
    CHECK(page(st) == P_COMPOSE);
    say(env, st, "type [%d] [%s]", named(st, R_TEXTBOX, W_REPLY), WORD(word));
    int before = st->n_cart;
    say(env, st, "click [%d]", el(st, H_POSTREPLY, named(st, R_TEXTBOX, W_REPLY)));
    CHECK(page(st) == P_POST && st->n_cart == before + 1);
}

/* Block (or mute) user u from the user's page, reached through one of
 * the user's posts. */
static void moderate(const ludus_env *env, web_state *st, int u, int mute)
{
    int r = 0;
    while (r < st->n_row && st->row[r].a != u) r++;
    CHECK(r < st->n_row);
    open_post(env, st, r);
    say(env, st, "click [%d]", el(st, H_USER, u));
    CHECK(page(st) == P_USER);
    say(env, st, "click [%d]", el(st, mute ? H_MUTE : H_BLOCK, u));
}

static void test_social(void)
{
    ludus_env *env = make("Web-social-moderate-v0", NULL);
    web_state *st = ludus_env_state_new(env);
    int wins[6] = {0}, runs[6] = {0}, by_target = 0;
    for (uint64_t seed = 0; seed < 240; seed++) {
        CHECK_OK(ludus_env_reset(env, st, seed, NULL));
        /* the instruction, read back from the mission */
        char forum[32], word[32], user[32];
        CHECK(sscanf(st->mission, "In the forum %31[a-z], reply '%31[a-z]' to the most liked post; block %31[a-z];",
                     forum, word, user) == 3);
        const int f = word_id(forum) - W_FORUM0, w = word_id(word), u = word_id(user);
        CHECK(f >= 0 && f < 6 && w >= W_NOUN0 && w < W_MONTH0 && u >= W_NAME0 && u < W_NOUN0);
        /* the reference: likes shown now; the forum's most liked post is unique */
        int best = -1, ties = 0, second = -1, overall = -1, by_u = 0;
        for (int r = 0; r < st->n_row; r++) {
            const int lk = st->row[r].c + (st->row[r].flags & 1);
            by_u += st->row[r].a == u;
            if (overall < 0 || lk > st->row[overall].c + (st->row[overall].flags & 1)) overall = r;
            if (st->row[r].b != f) continue;
            if (best < 0 || lk > st->row[best].c + (st->row[best].flags & 1)) second = best, best = r, ties = 0;
            else if (lk == st->row[best].c + (st->row[best].flags & 1)) ties++;
            else if (second < 0 || lk > st->row[second].c + (st->row[second].flags & 1)) second = r;
        }
        CHECK_MSG(best >= 0 && !ties && second >= 0 && by_u >= 1 && st->row[overall].b != f,
                  "seed %llu: the forum's most-liked post is not unique, or no near miss", (unsigned long long)seed);
        if (best < 0 || ties || second < 0 || !by_u) continue;
        by_target += st->row[best].a == u;
        const int v = (int)(seed % 6);
        const int other = w == W_NOUN0 ? W_NOUN0 + 1 : W_NOUN0;
        reply(env, st, v == 1 ? overall : v == 2 ? second : best, v == 5 ? other : w);
        moderate(env, st, u, v == 3);
        if (v == 4) { /* a like on the side, on a post of someone not blocked */
            int side = 0;
            while (st->row[side].a == u) side++;
            open_post(env, st, side);
            say(env, st, "click [%d]", el(st, H_LIKE, side));
        }
        ludus_step_out out = say(env, st, "stop");
        CHECK(out.terminated);
        /* the reference predicate over the final posts, replies and users */
        int ok = st->n_cart == 1 && st->cart[0][0] == best && st->cart[0][1] == w && blocked_in(st->saved, u);
        for (int x = W_NAME0; x < W_NOUN0; x++) ok &= blocked_in(st->saved, x) == (x == u);
        for (int r = 0; r < st->n_row; r++) ok &= st->row[r].flags == st->row[r].f;
        CHECK_MSG(out.success == ok, "seed %llu variant %d: success %d, the reference says %d",
                  (unsigned long long)seed, v, out.success, ok);
        wins[v] += out.success;
        runs[v]++;
    }
    CHECK_MSG(wins[0] == runs[0] && runs[0] == 40, "the right moderation won %d of %d", wins[0], runs[0]);
    for (int v = 1; v < 6; v++) CHECK_MSG(wins[v] == 0 && runs[v] == 40, "near miss %d won %d", v, wins[v]);
    CHECK(by_target > 10); /* U sometimes wrote the post to reply to */
    /* a blocked author's post: gone from the feed, 'blocked' in its forum,
     * no reply; muted: gone from the feed only */
    CHECK_OK(ludus_env_reset(env, st, 11, NULL));
    const int u = st->field[0];
    int r = 0;
    while (st->row[r].a != u) r++;
    CHECK(el(st, H_POST, r) >= 0);
    moderate(env, st, u, 0);
    say(env, st, "click [0]");
    CHECK(page(st) == P_FEED && el(st, H_POST, r) < 0);
    say(env, st, "click [1]");
    say(env, st, "click [%d]", el(st, H_FORUM, st->row[r].b));
    CHECK(el(st, H_POST, r) < 0);
    char text[WEB_TEXT_CAP];
    CHECK(ludus_env_text(env, st, LUDUS_TEXT_BALROG, text, sizeof text) > 0 && strstr(text, "text 'post blocked'"));
    say(env, st, "click [%d]", el(st, H_USER, u)); /* unblock, from the user's page */
    say(env, st, "click [%d]", el(st, H_BLOCK, u));
    CHECK(page(st) == P_USER && !blocked_in(st->saved, u));
    say(env, st, "click [%d]", el(st, H_MUTE, u));
    say(env, st, "click [0]");
    CHECK(el(st, H_POST, r) < 0);
    say(env, st, "click [1]");
    say(env, st, "click [%d]", el(st, H_FORUM, st->row[r].b));
    CHECK(el(st, H_POST, r) >= 0);
    free(st);
    ludus_env_destroy(env);
}

/* ---- shop cart ---- */

typedef struct line {
    int count, brand, noun, colour, size;
} line;

/* Add product r with colour c and size z through search, item, options. */
static void add_line(const ludus_env *env, web_state *st, int r, int c, int z)
{
    say(env, st, "click [%d]", el(st, H_GOTO, P_MAIN));
    say(env, st, "type [%d] [%s]", named(st, R_TEXTBOX, W_SEARCH), WORD(st->row[r].a));
    say(env, st, "click [%d]", el(st, H_SEARCH, named(st, R_TEXTBOX, W_SEARCH)));
    say(env, st, "click [%d]", el(st, H_OPEN, r));
    CHECK(page(st) == P_ITEM && st->nav[st->nav_n - 1].a == r);
    for (int g = 0; g < 2; g++) {
        int want = g ? z : c, list = named(st, R_COMBOBOX, g ? W_SIZE : W_COLOR);
        if (list >= 0) say(env, st, "select [%d] [%s]", list, WORD((g ? W_SIZE0 : W_COLOR0) + want));
        else say(env, st, "click [%d]", el(st, H_OPTION, g << 4 | want));
    }
    int before = st->n_cart;
    say(env, st, "click [%d]", el(st, H_ADD, 0));
    CHECK(page(st) == P_CART && st->n_cart == before + 1);
}

static int product(const web_state *st, int brand, int noun)
{
    int found = -1, n = 0;
    for (int r = 0; r < st->n_row; r++)
        if (st->row[r].a == noun && st->row[r].b == brand) found = r, n++;
    return n == 1 ? found : -1 - n;
}

static void test_cart(void)
{
    ludus_env *env = make("Web-shop-cart-v0", NULL);
    web_state *st = ludus_env_state_new(env);
    int wins[5] = {0}, runs[5] = {0}, kept = 0;
    for (uint64_t seed = 0; seed < 200; seed++) {
        CHECK_OK(ludus_env_reset(env, st, seed, NULL));
        char w[9][32];
        CHECK(sscanf(st->mission,
                     "Make the cart exactly %31s %31s %31s (%31s %31[a-z]) and 1 %31s %31s (%31s %31[a-z]);",
                     w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8]) == 9);
        char name[32];
        CHECK(sscanf(strstr(st->mission, "check out to ") + 13, "%31[a-z]", name) == 1);
        line want[2] = {{atoi(w[0]), word_id(w[1]), word_id(w[2]), word_id(w[3]) - W_COLOR0, word_id(w[4]) - W_SIZE0},
                        {1, word_id(w[5]), word_id(w[6]), word_id(w[7]) - W_COLOR0, word_id(w[8]) - W_SIZE0}};
        const int to = word_id(name);
        CHECK(want[0].count >= 1 && want[0].count <= 2 && to >= W_NAME0 && to < W_NOUN0);
        /* the reference: each (brand, noun) names exactly one product that offers the options;
         * a near miss shares A's noun; the cart holds a line not asked for */
        int row[2], near = -1, stale = 0;
        for (int k = 0; k < 2; k++) {
            row[k] = product(st, want[k].brand, want[k].noun);
            CHECK_MSG(row[k] >= 0 && (st->row[row[k]].e >> want[k].colour & 1) && (st->row[row[k]].f >> want[k].size & 1),
                      "seed %llu: line %d names no single product with its options", (unsigned long long)seed, k);
        }
        if (row[0] < 0 || row[1] < 0) continue;
        for (int r = 0; r < st->n_row; r++)
            if (st->row[r].a == want[0].noun && r != row[0] && (st->row[r].e >> want[0].colour & 1) &&
                (st->row[r].f >> want[0].size & 1))
                near = r;
        for (int k = 0; k < st->n_cart; k++) {
            int hit = 0;
            for (int j = 0; j < 2; j++)
                hit |= st->cart[k][0] == row[j] && st->cart[k][1] == want[j].colour + 1 &&
                       st->cart[k][2] == want[j].size + 1;
            stale += !hit;
        }
        CHECK(near >= 0 && stale == 1 && st->n_cart >= 1 && st->n_cart <= 2);
        kept += st->n_cart == 2;
        const int v = (int)(seed % 5);
        /* empty the cart (v1 leaves the stale line), then add the lines */
        say(env, st, "click [%d]", el(st, H_GOTO, P_CART));
        while (st->n_cart > (v == 1)) {
            int k = 0;
            if (v == 1) /* keep the stale line: remove the others */
                while (!(st->cart[k][0] == row[0] && st->cart[k][1] == want[0].colour + 1 &&
                         st->cart[k][2] == want[0].size + 1) &&
                       !(st->cart[k][0] == row[1] && st->cart[k][1] == want[1].colour + 1 &&
                         st->cart[k][2] == want[1].size + 1))
                    k++;
            say(env, st, "click [%d]", el(st, H_REMOVE, k));
        }
        const int n_a = v == 2 ? 3 - want[0].count : want[0].count;
        for (int k = 0; k < n_a; k++) add_line(env, st, v == 3 ? near : row[0], want[0].colour, want[0].size);
        add_line(env, st, row[1], want[1].colour, want[1].size);
        say(env, st, "click [%d]", el(st, H_GOTO, P_CHECKOUT));
        say(env, st, "type [%d] [%s]", named(st, R_TEXTBOX, W_NAME), WORD(v == 4 ? (to == W_NAME0 ? W_NAME0 + 1 : W_NAME0) : to));
        ludus_step_out out = say(env, st, "click [%d]", el(st, H_ORDER, 0));
        CHECK(out.terminated && page(st) == P_DONE);
        wins[v] += out.success;
        runs[v]++;
    }
    CHECK_MSG(wins[0] == runs[0] && runs[0] == 40, "the right cart won %d of %d", wins[0], runs[0]);
    for (int v = 1; v < 5; v++) CHECK_MSG(wins[v] == 0 && runs[v] == 40, "near miss %d won %d", v, wins[v]);
    CHECK(kept > 40 && kept < 160); /* B's line is sometimes in the cart already */
    /* the key nodes: each cart edit, then checkout */
    CHECK_OK(ludus_env_reset(env, st, 3, NULL));
    ludus_web_info wi;
    int hit = 0;
    for (ludus_step_out out = {0}; !out.terminated;) {
        out = oracle_step(env, st);
        CHECK_OK(ludus_web_progress(env, st, &wi));
        CHECK(wi.key_nodes_hit >= hit);
        hit = wi.key_nodes_hit;
    }
    CHECK(wi.success && wi.key_nodes == 5 && wi.key_nodes_hit == 5);
    free(st);
    ludus_env_destroy(env);
}

/* ---- info seeking ---- */

/* the number after `label ` on the page's text, -1 if none */
static int read_value(const ludus_env *env, const web_state *st, const char *label)
{
    char text[WEB_TEXT_CAP], key[40];
    CHECK(ludus_env_text(env, st, LUDUS_TEXT_BALROG, text, sizeof text) > 0);
    snprintf(key, sizeof key, "text '%s ", label);
    const char *p = strstr(text, key);
    return p ? atoi(p + strlen(key)) : -1;
}

static void test_info(void)
{
    ludus_env *env = make("Web-info-seek-v0", NULL);
    web_state *st = ludus_env_state_new(env);
    int wins[4] = {0}, runs[4] = {0}, none = 0, n = 0;
    for (uint64_t seed = 0; seed < 1000; seed++) {
        CHECK_OK(ludus_env_reset(env, st, seed, NULL));
        char kind[16], brand[32], noun[32];
        CHECK(sscanf(st->mission, "What is the %15s of the %31s %31[a-z] in the shop?", kind, brand, noun) == 3);
        const int b = word_id(brand), nn = word_id(noun), rating = strcmp(kind, "rating") == 0;
        CHECK(rating || strcmp(kind, "price") == 0);
        /* the reference: at most one product is that brand's noun */
        const int r = product(st, b, nn);
        CHECK_MSG(r >= -2, "seed %llu: %d products match", (unsigned long long)seed, -1 - r);
        none += r < 0;
        n++;
        if (seed >= 200) continue; /* the N/A rate over 1,000 seeds; play 200 */
        /* search the noun; read the value off the item page, or see that no product of the brand is listed */
        say(env, st, "type [%d] [%s]", named(st, R_TEXTBOX, W_SEARCH), noun);
        say(env, st, "click [%d]", el(st, H_SEARCH, named(st, R_TEXTBOX, W_SEARCH)));
        /* the results list the noun's products: the brand's once or not at all; a near miss is another brand's
         * with another value */
        const int value = r >= 0 ? (rating ? st->row[r].d : st->row[r].c) : -1;
        int listed = 0, miss = -1;
        for (int i = 0; i < st->n_el; i++)
            if (st->el[i].handler == H_OPEN && ludus_web_visible(st, i)) {
                const int x = st->el[i].harg;
                listed += st->el[i].name == b;
                if (st->el[i].name != b && (rating ? st->row[x].d : st->row[x].c) != value) miss = x;
            }
        CHECK(listed == (r >= 0) && miss >= 0);
        if (miss < 0) continue;
        const int v = (int)(seed % 4);
        if (v == 3) { /* an order placed on the way ends the episode in failure */
            say(env, st, "click [%d]", el(st, H_OPEN, r >= 0 ? r : miss));
            say(env, st, "click [%d]", el(st, H_ADD, 0));
            say(env, st, "click [%d]", el(st, H_GOTO, P_CHECKOUT));
            ludus_step_out out = say(env, st, "click [%d]", el(st, H_ORDER, 0));
            CHECK(out.terminated && !out.success && st->committed);
            wins[v] += out.success;
            runs[v]++;
            continue;
        }
        /* v0 the answer read off the item page (or N/A); v1 another brand's value; v2 N/A when there is
         * an answer, another brand's value when there is none */
        char answer[16] = "N/A";
        if (r >= 0 || v) {
            const int at = v == 1 || r < 0 ? miss : r;
            say(env, st, "click [%d]", el(st, H_OPEN, at));
            const int got = read_value(env, st, rating ? "rating" : "price");
            CHECK(got == (rating ? st->row[at].d : st->row[at].c));
            snprintf(answer, sizeof answer, "%d", got);
            if (v == 2 && r >= 0) snprintf(answer, sizeof answer, "N/A");
        }
        ludus_step_out out = say(env, st, "stop [%s]", answer);
        CHECK(out.terminated);
        CHECK_MSG(out.success == (v == 0), "seed %llu variant %d: answered %s, success %d", (unsigned long long)seed,
                  v, answer, out.success);
        wins[v] += out.success;
        runs[v]++;
    }
    CHECK_MSG(wins[0] == runs[0] && runs[0] == 50, "the right answers won %d of %d", wins[0], runs[0]);
    CHECK_MSG(wins[1] == 0 && wins[2] == 0 && wins[3] == 0 && runs[1] == 50 && runs[2] == 50 && runs[3] == 50,
              "near misses won %d, %d, %d", wins[1], wins[2], wins[3]);
    CHECK_MSG(none >= 60 && none <= 140, "%d of %d episodes need N/A", none, n);
    printf("info-seek: %d of %d episodes need N/A\n", none, n);
    /* N/A in words is the answer word na; an unknown word is <unk> */
    int32_t a[3];
    const ludus_env_info *in = ludus_env_get_info(env);
    CHECK_OK(ludus_env_parse_action(env, "stop [N/A]", a));
    CHECK_STR(in->action_names[in->action_nvec[0] + in->action_nvec[1] + a[2]], "na");
    CHECK_OK(ludus_env_parse_action(env, "stop [forty]", a));
    CHECK_EQ(a[2], 0);
    free(st);
    ludus_env_destroy(env);
}

/* ---- all three: oracle on every split, shaped returns, clones, splits, skins, damage ---- */

static const char *const ids[] = {"Web-social-moderate-v0", "Web-shop-cart-v0", "Web-info-seek-v0"};

static int oracle_episode(const ludus_env *env, web_state *st, uint64_t seed)
{
    const ludus_env_info *in = ludus_env_get_info(env);
    CHECK_OK(ludus_env_reset(env, st, seed, NULL));
    for (uint32_t t = 0; t < in->max_steps; t++) {
        ludus_step_out out = oracle_step(env, st);
        if (out.terminated || out.truncated) return out.success && out.terminated;
    }
    return 0;
}

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static void test_common(void)
{
    static const char *const splits[] = {"", "split=train", "split=test", "split=train,holdout=entity",
                                         "split=test,holdout=entity", "split=train,holdout=skin",
                                         "split=test,holdout=skin"};
    for (int k = 0; k < 3; k++) {
        for (int sp = 0; sp < 7; sp++) {
            ludus_env *env = make(ids[k], splits[sp]);
            web_state *st = ludus_env_state_new(env);
            int n = sp ? 200 : 1000, solved = 0;
            uint32_t skins = 0;
            for (int s = 0; s < n; s++) {
                solved += oracle_episode(env, st, (uint64_t)s);
                skins |= 1u << st->skin;
                /* entity split: the target entity (U, A's noun, the noun asked) is held out exactly at test */
                if (sp == 3 || sp == 4)
                    CHECK_MSG((mix(0x77656241ull ^ st->field[0]) % 5 == 0) == (sp == 4), "%s: %s in the wrong split",
                              ids[k], WORD(st->field[0]));
                if (sp == 5 || sp == 6) CHECK((mix(0x736b696eull ^ st->skin) % 4 == 0) == (sp == 6));
            }
            CHECK_MSG(solved == n, "%s %s: the oracle solved %d of %d", ids[k], splits[sp], solved, n);
            if (!sp) CHECK_MSG(skins == 0xff, "%s: skins drawn %#x", ids[k], skins);
            free(st);
            ludus_env_destroy(env);
        }
        ludus_env *env = make(ids[k], "reward=shaped");
        const ludus_env_info *in = ludus_env_get_info(env);
        web_state *st = ludus_env_state_new(env), *copy = ludus_env_state_new(env);
        for (uint64_t seed = 0; seed < 60; seed++) {
            CHECK_OK(ludus_env_reset(env, st, seed, NULL));
            CHECK(strlen(st->mission) < WEB_MISSION - 1 && st->mission[strlen(st->mission) - 1] == '.');
            double ret = 0;
            ludus_step_out out = {0};
            for (uint32_t t = 0; t < in->max_steps && !out.terminated; t++) {
                if (t == 2) memcpy(copy, st, in->state_size);
                out = oracle_step(env, st);
                ret += out.reward;
                CHECK_OK(ludus_env_state_check(env, st));
            }
            CHECK_MSG(out.success && ret > 1.999 && ret < 2.001, "%s seed %llu: return %f", ids[k],
                      (unsigned long long)seed, ret);
            if (copy->t == 2) { /* a clone taken at step 2 replays to the same final state */
                for (ludus_step_out o = {0}; !o.terminated;) o = oracle_step(env, copy);
                CHECK(memcmp(copy, st, in->state_size) == 0);
            }
        }
        free(copy);
        free(st);
        ludus_env_destroy(env);
    }
    /* the skins change the page: the social site's menu or buttons, like or star */
    ludus_env *env = make("Web-social-moderate-v0", NULL);
    web_state *st = ludus_env_state_new(env);
    int menu = 0, inline_ = 0, star = 0;
    for (uint64_t seed = 0; seed < 40; seed++) {
        CHECK_OK(ludus_env_reset(env, st, seed, NULL));
        open_post(env, st, st->target[0]);
        char text[WEB_TEXT_CAP];
        CHECK(ludus_env_text(env, st, LUDUS_TEXT_FULL, text, sizeof text) > 0);
        CHECK(strstr(text, "URL: web/social-moderate/post?id=") != NULL);
        if (st->skin & 1) menu += strstr(text, "button 'more' expanded: false") && !strstr(text, "menuitem");
        else inline_ += strstr(text, "button 'block ") != NULL;
        star += (st->skin & 2) && strstr(text, "[1] link 'section'") && strstr(text, "button 'star'");
        if (st->skin & 1) { /* the menu opens and blocks */
            say(env, st, "click [%d]", el(st, H_MENU, 1));
            CHECK(ludus_env_text(env, st, LUDUS_TEXT_BALROG, text, sizeof text) > 0 &&
                  strstr(text, "menuitem 'block "));
        }
    }
    CHECK(menu > 5 && inline_ > 5 && star > 5);
    /* damaged states are refused, naming the field */
    CHECK_OK(ludus_env_reset(env, st, 5, NULL));
    web_state *bad = ludus_env_state_new(env);
#define DAMAGE(stmt)                                                      \
    do {                                                                  \
        memcpy(bad, st, sizeof *st);                                      \
        stmt;                                                             \
        CHECK_ERR(ludus_env_state_check(env, bad), LUDUS_EFORMAT);       \
    } while (0)
    DAMAGE(bad->row[0].a = W_NOUN0);               /* an author who is no user */
    DAMAGE(bad->row[0].b = 6);                     /* no such forum */
    DAMAGE(bad->row[1].c = 31);                    /* likes past the numbers */
    DAMAGE(bad->nav[0].page = P_CART);             /* a page of the shop */
    DAMAGE(bad->el[3].handler = H_ADD);            /* a handler of the shop */
    DAMAGE(bad->el[el(st, H_POST, st->target[0]) >= 0 ? el(st, H_POST, st->target[0]) : 3].harg = 40); /* no such post */
    DAMAGE(bad->el[0].harg = P_CART);              /* a link to the shop's cart */
    DAMAGE(bad->cart[bad->n_cart++][2] = 0);       /* a reply without its mark */
    DAMAGE(bad->target[0] = bad->n_row);
    free(bad);
    free(st);
    ludus_env_destroy(env);
}

int main(void)
{
    test_social();
    test_cart();
    test_info();
    test_common();
    return check_finish("test_web_forum");
}
