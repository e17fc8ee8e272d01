/* test_web.c: the web worlds (docs/web.md). The scripted oracle solves
 * every task on every split; the text grammar parses what agents write
 * and refuses the rest in one line; invalid actions are counted, not
 * applied; damaged states are refused; clones replay exactly; splits hold
 * out what they say (membership recomputed here from the hash's
 * definition); reward modes follow their formulas; random bytes and
 * model-like text never break a world's invariants.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "envs/web/web.h"
#include "ludus/web.h"

static ludus_env *make(const char *id, const char *opts)
{
    ludus_env *env = NULL;
    CHECK_OK(ludus_env_make(id, opts, &env));
    return env;
}

static uint64_t mix(uint64_t x) /* splitmix64's finalizer, as the worlds define membership */
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* Play one episode with the oracle; returns success, and the steps in *steps. */
static int oracle_episode(const ludus_env *env, void *st, uint64_t seed, int *steps)
{
    const ludus_env_info *in = ludus_env_get_info(env);
    ludus_step_out out = {0};
    if (ludus_env_reset(env, st, seed, NULL) != LUDUS_OK) return 0;
    for (uint32_t t = 0; t < in->max_steps; t++) {
        int32_t a[3];
        if (ludus_web_oracle_action(env, st, a) != LUDUS_OK) return 0;
        if (ludus_env_step_vec(env, st, a, NULL, &out) != LUDUS_OK) {
            CHECK_MSG(0, "%s seed %llu: the oracle's action (%d %d %d) was refused: %s", in->id,
                      (unsigned long long)seed, a[0], a[1], a[2], ludus_errmsg());
            return 0;
        }
        if (out.terminated || out.truncated) {
            *steps = (int)t + 1;
            return out.success && out.terminated;
        }
    }
    return 0;
}

static void test_oracle(void)
{
    static const char *const splits[] = {"", "split=train", "split=test", "split=train,holdout=entity",
                                         "split=test,holdout=entity", "split=train,holdout=skin",
                                         "split=test,holdout=skin", "reward=shaped,mask=0",
                                         "split=train,holdout=task", "split=test,holdout=task",
                                         "split=train,holdout=atomic", "split=test,holdout=atomic"};
    for (int i = 0; i < ludus_env_count(); i++) {
        const char *id = ludus_env_id(i);
        if (strncmp(id, "Web-", 4) != 0) continue;
        for (size_t sp = 0; sp < sizeof splits / sizeof splits[0]; sp++) {
            ludus_env *env = NULL;
            if (strstr(splits[sp], "holdout=task") || strstr(splits[sp], "holdout=atomic")) {
                /* holdout=task: the tasks with compositions; atomic: each id one half */
                if (ludus_env_make(id, splits[sp], &env) != LUDUS_OK) continue;
            } else {
                env = make(id, splits[sp]);
            }
            if (!env) continue;
            void *st = ludus_env_state_new(env);
            int n = sp == 0 ? 1000 : 200, solved = 0;
            long steps = 0;
            for (int s = 0; s < n; s++) {
                int k = 0;
                solved += oracle_episode(env, st, (uint64_t)s * 1000003u + 17, &k);
                steps += k;
            }
            CHECK_MSG(solved == n, "%s %s: the oracle solved %d of %d", id, splits[sp], solved, n);
            if (sp == 0) printf("oracle %-28s %d/%d, %.2f steps\n", id, solved, n, (double)steps / n);
            free(st);
            ludus_env_destroy(env);
        }
    }
}

/* The uniform random agent under the mask: its success rate per task
 * (docs/web.md records it); asserted only to be a rate. */
static void test_random(void)
{
    for (int i = 0; i < ludus_env_count(); i++) {
        const char *id = ludus_env_id(i);
        if (strncmp(id, "Web-", 4) != 0) continue;
        ludus_env *env = make(id, NULL);
        const ludus_env_info *in = ludus_env_get_info(env);
        void *st = ludus_env_state_new(env);
        ludus_rng rng;
        ludus_rng_seed(&rng, 5);
        int wins = 0, n = 1000;
        for (int e = 0; e < n; e++) {
            CHECK_OK(ludus_env_reset(env, st, (uint64_t)e, NULL));
            for (;;) {
                uint8_t mask[LUDUS_MAX_MASK_SIZE];
                int32_t a[3];
                CHECK_OK(ludus_env_action_mask(env, st, mask));
                for (int k = 0, off = 0; k < 3; off += in->action_nvec[k], k++) {
                    do a[k] = (int32_t)ludus_rng_integers(&rng, 0, in->action_nvec[k]);
                    while (!mask[off + a[k]]);
                }
                ludus_step_out out;
                if (ludus_env_step_vec(env, st, a, NULL, &out) != LUDUS_OK) {
                    CHECK_MSG(0, "%s: a masked-legal action refused: %s", id, ludus_errmsg());
                    break;
                }
                if (out.terminated || out.truncated) {
                    wins += out.success;
                    break;
                }
            }
        }
        printf("random %-28s %.3f\n", id, (double)wins / n);
        CHECK(wins < n);
        free(st);
        ludus_env_destroy(env);
    }
}

static void parse_ok(const ludus_env *env, const char *text, int v, int e, const char *word)
{
    int32_t a[3] = {-1, -1, -1};
    int rc = ludus_env_parse_action(env, text, a);
    CHECK_MSG(rc == LUDUS_OK, "'%s' did not parse: %s", text, ludus_errmsg());
    CHECK_MSG(a[0] == v && a[1] == e, "'%s' gave (%d, %d), want (%d, %d)", text, a[0], a[1], v, e);
    const ludus_env_info *in = ludus_env_get_info(env);
    const char *got = in->action_names[in->action_nvec[0] + in->action_nvec[1] + a[2]];
    CHECK_MSG(strcmp(got, word) == 0, "'%s' gave word '%s', want '%s'", text, got, word);
}

static void test_parse(void)
{
    ludus_env *env = make("Web-login-user-v0", NULL);
    parse_ok(env, "click [3]", V_CLICK, 3, "<unk>");
    parse_ok(env, "I think the answer is to press login.\nAction: `click [3]`", V_CLICK, 3, "<unk>");
    parse_ok(env, "type [1] [erin]", V_TYPE, 1, "erin");
    parse_ok(env, "type [1] [Erin] [1]", V_TYPE, 1, "erin");     /* press_enter flag dropped */
    parse_ok(env, "type [2] [not a name]", V_TYPE, 2, "<unk>");  /* out of vocabulary: types nothing known */
    parse_ok(env, "<think>click [1]</think> select [2] [apple]", V_SELECT, 2, "apple");
    parse_ok(env, "scroll [down]", V_SCROLL_DOWN, 0, "<unk>");
    parse_ok(env, "scroll [up]", V_SCROLL_UP, 0, "<unk>");
    parse_ok(env, "go_back", V_BACK, 0, "<unk>");
    parse_ok(env, "stop [N/A]", V_STOP, 0, "<unk>");
    parse_ok(env, "stop [zoe]", V_STOP, 0, "zoe");
    parse_ok(env, "first click [1] then type [2] [bob]", V_TYPE, 2, "bob"); /* the last action named */
    int32_t a[3] = {7, 7, 7};
    const char *bad[] = {"jump [3]", "click", "click [x]", "click [48]", "click [1000000]", "type [2]", "", "[]"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        CHECK_ERR(ludus_env_parse_action(env, bad[k], a), LUDUS_EINVAL);
        CHECK_MSG(strncmp(ludus_errmsg(), "invalid action", 14) == 0 && !strchr(ludus_errmsg(), '\n'),
                  "'%s': %s", bad[k], ludus_errmsg());
    }
    CHECK(a[0] == 7 && a[1] == 7 && a[2] == 7); /* untouched */
    ludus_env_destroy(env);
}

static int step_rc(const ludus_env *env, void *st, const char *text)
{
    int32_t a[3];
    if (ludus_env_parse_action(env, text, a) != LUDUS_OK) return -100;
    ludus_step_out out;
    if (ludus_env_step_vec(env, st, a, NULL, &out) != LUDUS_OK) return -200;
    ludus_web_info wi;
    CHECK_OK(ludus_web_progress(env, st, &wi));
    return wi.last_result;
}

/* Invalid actions cost a step, change nothing and are counted. */
static void test_invalid(void)
{
    ludus_env *env = make("Web-click-dialog-v0", "mask=0");
    web_state *st = ludus_env_state_new(env), *copy = ludus_env_state_new(env);
    CHECK_OK(ludus_env_reset(env, st, 3, NULL));
    int dis = -1;
    for (int i = 0; i < st->n_el; i++)
        if (st->el[i].flags & F_DISABLED) dis = i;
    CHECK(dis >= 0);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "click [%d]", dis);
    memcpy(copy, st, sizeof *st);
    CHECK_EQ(step_rc(env, st, cmd), RC_DISABLED);
    CHECK_EQ(step_rc(env, st, "click [40]"), RC_NO_SUCH);
    CHECK_EQ(step_rc(env, st, "type [1] [bob]"), RC_BAD_VERB); /* the heading or text is no text box */
    CHECK_EQ(step_rc(env, st, "go_back"), RC_NO_BACK);
    CHECK_EQ(step_rc(env, st, "scroll [up]"), RC_NO_SCROLL);
    ludus_web_info wi;
    CHECK_OK(ludus_web_progress(env, st, &wi));
    CHECK_EQ(wi.invalid_actions, 5);
    CHECK_EQ(ludus_env_step_count(env, st), 5);
    CHECK_EQ(wi.done, 0);
    /* nothing but the step count, the counter and the last result changed */
    copy->t = st->t;
    copy->n_invalid = st->n_invalid;
    copy->last_rc = st->last_rc;
    CHECK(memcmp(copy, st, sizeof *st) == 0);
    char text[WEB_TEXT_CAP];
    CHECK(ludus_env_text(env, st, LUDUS_TEXT_FULL, text, sizeof text) > 0);
    CHECK(strstr(text, "LAST: invalid:cannot-scroll") != NULL);
    CHECK(strstr(text, "disabled: true") != NULL);
    ludus_env_destroy(env);
    free(st);
    free(copy);

    /* hidden: a link in a closed tab; an option the list lacks */
    env = make("Web-click-tab-v0", "mask=0");
    st = ludus_env_state_new(env);
    int hidden = -1;
    for (uint64_t seed = 0; hidden < 0 && seed < 50; seed++) {
        CHECK_OK(ludus_env_reset(env, st, seed, NULL));
        for (int i = 0; i < st->n_el; i++)
            if (!ludus_web_visible(st, i)) hidden = i;
    }
    snprintf(cmd, sizeof cmd, "click [%d]", hidden);
    CHECK_EQ(step_rc(env, st, cmd), RC_HIDDEN);
    CHECK(ludus_env_text(env, st, LUDUS_TEXT_BALROG, text, sizeof text) > 0);
    snprintf(cmd, sizeof cmd, "[%d]", hidden);
    CHECK(strstr(text, cmd) == NULL); /* hidden elements are not in the tree */
    ludus_env_destroy(env);
    free(st);

    env = make("Web-choose-list-v0", "mask=0");
    st = ludus_env_state_new(env);
    CHECK_OK(ludus_env_reset(env, st, 1, NULL));
    int box = -1;
    for (int i = 0; i < st->n_el; i++)
        if (st->el[i].role == R_COMBOBOX) box = i;
    int absent = W_NAME0;
    for (int w = W_NAME0; w < W_MONTH0; w++) {
        int in = 0;
        for (int k = 0; k < st->n_opt; k++) in |= st->opt[k] == w;
        if (!in) absent = w;
    }
    snprintf(cmd, sizeof cmd, "select [%d] [%s]", box, ludus_web_words[absent]);
    CHECK_EQ(step_rc(env, st, cmd), RC_NO_OPTION);
    snprintf(cmd, sizeof cmd, "select [%d] [%s]", box, ludus_web_words[st->field[0]]);
    CHECK_EQ(step_rc(env, st, cmd), RC_OK);
    CHECK_EQ(st->n_invalid, 1);
    ludus_env_destroy(env);
    free(st);

    /* with the mask (the default), a disabled element is forbidden at the edge */
    env = make("Web-click-dialog-v0", NULL);
    st = ludus_env_state_new(env);
    CHECK_OK(ludus_env_reset(env, st, 3, NULL));
    uint8_t mask[LUDUS_MAX_MASK_SIZE];
    CHECK_OK(ludus_env_action_mask(env, st, mask));
    CHECK_EQ(mask[V_COUNT + dis], 0);
    CHECK_EQ(mask[V_BACK], 0);
    int32_t a[3] = {V_CLICK, dis, 0};
    CHECK_ERR(ludus_env_step_vec(env, st, a, NULL, NULL), LUDUS_EINVAL);
    CHECK_EQ(st->t, 0);
    ludus_env_destroy(env);
    free(st);
}

static void test_search_navigation(void)
{
    ludus_env *env = make("Web-search-engine-v0", NULL);
    web_state *st = ludus_env_state_new(env);
    CHECK_OK(ludus_env_reset(env, st, 9, NULL));
    int box = -1;
    for (int i = 0; i < st->n_el; i++)
        if (st->el[i].role == R_TEXTBOX) box = i;
    char cmd[64];
    /* a wrong query shows no results; go back and the query is kept */
    int wrong = st->field[0] == W_NAME0 ? W_NAME0 + 1 : W_NAME0;
    snprintf(cmd, sizeof cmd, "type [%d] [%s]", box, ludus_web_words[wrong]);
    CHECK_EQ(step_rc(env, st, cmd), RC_OK);
    snprintf(cmd, sizeof cmd, "click [%d]", box + 1);
    CHECK_EQ(step_rc(env, st, cmd), RC_OK);
    CHECK_EQ(st->nav_n, 2);
    char text[WEB_TEXT_CAP];
    ludus_env_text(env, st, LUDUS_TEXT_FULL, text, sizeof text);
    CHECK(strstr(text, "text 'nothing'") != NULL);
    CHECK(strstr(text, "URL: web/search-engine/results?q=") != NULL);
    CHECK_EQ(step_rc(env, st, "go_back"), RC_OK);
    CHECK_EQ(st->nav_n, 1);
    CHECK_EQ(st->el[box].value, wrong);
    ludus_web_info wi;
    ludus_web_progress(env, st, &wi);
    CHECK_EQ(wi.key_nodes, 4);
    CHECK_EQ(wi.key_nodes_hit, 0);
    ludus_env_destroy(env);
    free(st);
}

/* Reward modes against their formulas, and key nodes stay reached. */
static void test_rewards(void)
{
    const char *modes[] = {"reward=binary", "reward=partial", "reward=time", "reward=shaped"};
    for (int m = 0; m < 4; m++) {
        ludus_env *env = make("Web-login-user-v0", modes[m]);
        web_state *st = ludus_env_state_new(env);
        CHECK_OK(ludus_env_reset(env, st, 4, NULL));
        int user = -1, pass = -1, login = -1;
        for (int i = 0; i < st->n_el; i++) {
            if (st->el[i].name == W_USERNAME) user = i;
            if (st->el[i].name == W_PASSWORD) pass = i;
            if (st->el[i].handler == H_SUBMIT) login = i;
        }
        char cmd[64];
        double ret = 0;
        ludus_step_out out;
        int32_t a[3];
        /* right username, then overwrite it: the key node stays reached */
        snprintf(cmd, sizeof cmd, "type [%d] [%s]", user, ludus_web_words[st->field[0]]);
        ludus_env_parse_action(env, cmd, a);
        ludus_env_step_vec(env, st, a, NULL, &out);
        ret += out.reward;
        snprintf(cmd, sizeof cmd, "type [%d] [zzz]", user);
        ludus_env_parse_action(env, cmd, a);
        ludus_env_step_vec(env, st, a, NULL, &out);
        ret += out.reward;
        snprintf(cmd, sizeof cmd, "type [%d] [%s]", pass, ludus_web_words[st->field[1]]);
        ludus_env_parse_action(env, cmd, a);
        ludus_env_step_vec(env, st, a, NULL, &out);
        ret += out.reward;
        snprintf(cmd, sizeof cmd, "click [%d]", login);
        ludus_env_parse_action(env, cmd, a);
        ludus_env_step_vec(env, st, a, NULL, &out);
        ret += out.reward;
        CHECK(out.terminated && !out.success);
        ludus_web_info wi;
        ludus_web_progress(env, st, &wi);
        CHECK_EQ(wi.key_nodes_hit, 2); /* username (sticky) and password, not the login */
        double want = m == 0 ? -1.0 : m == 1 ? 2.0 / 3.0 : m == 2 ? -1.0 : 2.0 / 3.0 - 1.0;
        CHECK_MSG(ret > want - 1e-12 && ret < want + 1e-12, "%s: return %g, want %g", modes[m], ret, want);
        /* the oracle's episode: time discount 1 - t/T */
        int k = 0;
        CHECK(oracle_episode(env, st, 4, &k));
        CHECK_OK(ludus_env_reset(env, st, 4, NULL));
        ret = 0;
        for (;;) {
            ludus_web_oracle_action(env, st, a);
            ludus_env_step_vec(env, st, a, NULL, &out);
            ret += out.reward;
            if (out.terminated) break;
        }
        want = m == 2 ? 1.0 - (double)k / 15 : m == 3 ? 2.0 : 1.0;
        CHECK_MSG(ret > want - 1e-12 && ret < want + 1e-12, "%s oracle: return %g, want %g", modes[m], ret, want);
        ludus_env_destroy(env);
        free(st);
    }
}

static void test_splits(void)
{
    /* entities: training never sees a held-out word as a target; test always does */
    for (int sp = 0; sp < 2; sp++) {
        ludus_env *env = make("Web-enter-text-v0", sp ? "split=test,holdout=entity" : "split=train,holdout=entity");
        web_state *st = ludus_env_state_new(env);
        int bad = 0;
        for (uint64_t s = 0; s < 300; s++) {
            ludus_env_reset(env, st, s, NULL);
            int held = mix(0x77656241ull ^ (uint64_t)st->field[0]) % 5 == 0;
            bad += held != sp;
        }
        CHECK_EQ(bad, 0);
        ludus_env_destroy(env);
        free(st);
    }
    /* skins: disjoint sets, both used */
    uint32_t seen[2] = {0, 0};
    for (int sp = 0; sp < 2; sp++) {
        ludus_env *env = make("Web-click-button-v0", sp ? "split=test,holdout=skin" : "split=train,holdout=skin");
        web_state *st = ludus_env_state_new(env);
        for (uint64_t s = 0; s < 300; s++) {
            ludus_env_reset(env, st, s, NULL);
            seen[sp] |= 1u << st->skin;
            CHECK_EQ(mix(0x736b696eull ^ st->skin) % 4 == 0, sp);
        }
        ludus_env_destroy(env);
        free(st);
    }
    CHECK(seen[0] && seen[1] && !(seen[0] & seen[1]));
    /* seeds: a train seed's level is its own; a held-out one stands for another level */
    ludus_env *all = make("Web-search-engine-v0", NULL), *train = make("Web-search-engine-v0", "split=train"),
              *test = make("Web-search-engine-v0", "split=test");
    web_state *a = ludus_env_state_new(all), *b = ludus_env_state_new(train), *c = ludus_env_state_new(test);
    int same_train = 0, same_test = 0, member = 0;
    for (uint64_t s = 0; s < 200; s++) {
        int held = mix(s ^ 0x5eed5eedull) % 5 == 0;
        member += held;
        ludus_env_reset(all, a, s, NULL);
        ludus_env_reset(train, b, s, NULL);
        ludus_env_reset(test, c, s, NULL);
        same_train += (strcmp(a->mission, b->mission) == 0) == !held;
        same_test += (strcmp(a->mission, c->mission) == 0) == held;
    }
    CHECK(member > 10 && member < 80);
    CHECK(same_train >= 195 && same_test >= 195); /* the rest: two seeds drawing one mission by chance */
    ludus_env_destroy(all);
    ludus_env_destroy(train);
    ludus_env_destroy(test);
    free(a);
    free(b);
    free(c);
}

static void test_errors(void)
{
    ludus_env *env = NULL;
    CHECK_ERR(ludus_env_make("Web-click-buton-v0", NULL, &env), LUDUS_ENOTFOUND);
    CHECK(strstr(ludus_errmsg(), "Web-click-button-v0") != NULL);
    const char *bad[] = {"reward=huge", "split=dev", "holdout=site", "mask=2", "colour=red", "reward"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        CHECK_ERR(ludus_env_make("Web-click-button-v0", bad[k], &env), LUDUS_EINVAL);
        CHECK_MSG(!strchr(ludus_errmsg(), '\n'), "%s", ludus_errmsg());
        CHECK(env == NULL);
    }
    ludus_env *maze = make("Maze-v0", NULL);
    void *ms = ludus_env_state_new(maze);
    ludus_env_reset(maze, ms, 1, NULL);
    ludus_web_info wi;
    int32_t a[3];
    CHECK_ERR(ludus_web_progress(maze, ms, &wi), LUDUS_EUNSUPPORTED);
    CHECK_ERR(ludus_web_oracle_action(maze, ms, a), LUDUS_EUNSUPPORTED);
    ludus_env_destroy(maze);
    free(ms);
    CHECK_STR(ludus_web_result_name(RC_DISABLED), "invalid:disabled");
    CHECK_STR(ludus_web_result_name(99), "unknown");
}

/* Damaged states are refused, naming the field; real ones pass. */
static void test_validate(void)
{
    ludus_env *env = make("Web-choose-date-v0", NULL);
    web_state *st = ludus_env_state_new(env), *bad = ludus_env_state_new(env);
    CHECK_OK(ludus_env_reset(env, st, 2, NULL));
    CHECK_OK(ludus_env_state_check(env, st));
#define DAMAGE(stmt)                                                                  \
    do {                                                                              \
        memcpy(bad, st, sizeof *st);                                                  \
        stmt;                                                                         \
        CHECK_ERR(ludus_env_state_check(env, bad), LUDUS_EFORMAT);                   \
        CHECK_ERR(ludus_env_state_load(env, bad, bad, sizeof *bad), LUDUS_EFORMAT);   \
    } while (0)
    DAMAGE(bad->n_el = WEB_K + 1);
    DAMAGE(bad->el[3].parent = 40);
    DAMAGE(bad->el[3].depth = 5);
    DAMAGE(bad->el[2].role = R_COUNT);
    DAMAGE(bad->el[2].name = 250);
    DAMAGE(bad->el[4].handler = H_COUNT);
    DAMAGE(bad->el[5].handler = H_SEARCH);
    DAMAGE(bad->nav_n = 0);
    DAMAGE(bad->nav[0].a = 12);
    DAMAGE(bad->kn_hit = 0xff);
    DAMAGE(bad->target[1] = 40);
    DAMAGE(bad->mission[WEB_MISSION - 1] = 'x');
    DAMAGE(bad->task = 0);
    DAMAGE(bad->el[1].opt_n = 200);
    /* a state of another task is refused by its tag */
    ludus_env *other = make("Web-click-button-v0", NULL);
    CHECK_ERR(ludus_env_state_check(other, st), LUDUS_EFORMAT);
    ludus_env_destroy(other);
    ludus_env_destroy(env);
    free(st);
    free(bad);
}

/* Clones replay exactly; the state is flat. */
static void test_clone(void)
{
    ludus_env *env = make("Web-search-engine-v0", "mask=0");
    const ludus_env_info *in = ludus_env_get_info(env);
    void *a = ludus_env_state_new(env), *b = ludus_env_state_new(env);
    uint8_t *oa = malloc(in->obs_size), *ob = malloc(in->obs_size);
    ludus_rng rng;
    ludus_rng_seed(&rng, 3);
    CHECK_OK(ludus_env_reset(env, a, 77, NULL));
    for (int t = 0; t < 3; t++) {
        int32_t x[3];
        ludus_web_oracle_action(env, a, x);
        ludus_env_step_vec(env, a, x, NULL, NULL);
    }
    memcpy(b, a, in->state_size);
    int same = 1;
    for (int t = 0; t < 40; t++) {
        int32_t x[3] = {(int32_t)ludus_rng_integers(&rng, 0, V_COUNT), (int32_t)ludus_rng_integers(&rng, 0, 12),
                        (int32_t)ludus_rng_integers(&rng, 0, 40)};
        ludus_step_out o1, o2;
        ludus_env_step_vec(env, a, x, oa, &o1);
        ludus_env_step_vec(env, b, x, ob, &o2);
        same &= memcmp(a, b, in->state_size) == 0 && memcmp(oa, ob, in->obs_size) == 0 && o1.reward == o2.reward;
        if (o1.terminated || o1.truncated) {
            ludus_env_reset_continue(env, a, oa);
            ludus_env_reset_continue(env, b, ob);
        }
    }
    CHECK(same);
    printf("state size %zu bytes\n", in->state_size);
    CHECK(in->state_size < 2048);
    free(oa);
    free(ob);
    free(a);
    free(b);
    ludus_env_destroy(env);
}

/* The tree is a tree and the page stays within its slots. */
static void invariants(const ludus_env *env, const web_state *st, const char *what)
{
    CHECK_MSG(ludus_env_state_check(env, st) == LUDUS_OK, "%s: %s", what, ludus_errmsg());
    CHECK(st->n_el <= WEB_K);
}

static void test_fuzz(void)
{
    static const char *const parts[] = {"click", "type", "select", "scroll", "up", "down", "go_back", "stop",
                                        "[", "]", "Action:", "<think>", "</think>", "N/A", "[1]", "[0]",
                                        "[47]", "[48]", "[-3]", "apple", "bob", "submit", "next", "\n", "  ",
                                        "99999999999999999999", "é", "\"", "`", "press_enter_after=1"};
    ludus_rng rng;
    ludus_rng_seed(&rng, 42);
    long steps = 0, parsed = 0;
    for (int i = 0; i < ludus_env_count(); i++) {
        const char *id = ludus_env_id(i);
        if (strncmp(id, "Web-", 4) != 0) continue;
        ludus_env *env = make(id, "mask=0");
        const ludus_env_info *in = ludus_env_get_info(env);
        web_state *st = ludus_env_state_new(env);
        uint8_t *obs = malloc(in->obs_size);
        char text[WEB_TEXT_CAP];
        for (int e = 0; e < 30; e++) {
            CHECK_OK(ludus_env_reset(env, st, (uint64_t)e, obs));
            for (int t = 0; t < 40; t++) {
                char reply[200];
                size_t n = 0;
                if (t % 2) { /* random bytes */
                    size_t len = (size_t)ludus_rng_integers(&rng, 0, 60);
                    for (; n < len; n++) reply[n] = (char)ludus_rng_integers(&rng, 1, 256);
                } else { /* model-like text */
                    int k = (int)ludus_rng_integers(&rng, 1, 6);
                    for (int j = 0; j < k; j++) {
                        const char *p = parts[ludus_rng_integers(&rng, 0, sizeof parts / sizeof parts[0])];
                        if (n + strlen(p) + 2 >= sizeof reply) break;
                        memcpy(reply + n, p, strlen(p));
                        n += strlen(p);
                        reply[n++] = ' ';
                    }
                    if (ludus_rng_integers(&rng, 0, 2)) n += (size_t)snprintf(reply + n, sizeof reply - n, "[%d]",
                                                                              (int)ludus_rng_integers(&rng, 0, 50));
                }
                reply[n] = 0;
                int32_t a[3];
                if (ludus_env_parse_action(env, reply, a) != LUDUS_OK) {
                    CHECK(strncmp(ludus_errmsg(), "invalid action", 14) == 0);
                    /* what the runner does then: a random action */
                    a[0] = (int32_t)ludus_rng_integers(&rng, 0, V_COUNT);
                    a[1] = (int32_t)ludus_rng_integers(&rng, 0, WEB_K);
                    a[2] = (int32_t)ludus_rng_integers(&rng, 0, in->action_nvec[2]);
                } else {
                    parsed++;
                }
                ludus_step_out out;
                CHECK_OK(ludus_env_step_vec(env, st, a, obs, &out));
                steps++;
                invariants(env, st, id);
                CHECK(ludus_env_text(env, st, LUDUS_TEXT_FULL, text, sizeof text) > 0);
                if (out.terminated || out.truncated) break;
            }
        }
        free(obs);
        free(st);
        ludus_env_destroy(env);
    }
    printf("fuzz: %ld steps, %ld replies parsed as actions\n", steps, parsed);
    CHECK(parsed > 100);
}

/* Foreign states: random byte changes to real states are either refused
 * (LUDUS_EFORMAT) or, when accepted, stay valid under any actions, and
 * every view reads them. */
static void test_mutations(void)
{
    ludus_rng rng;
    ludus_rng_seed(&rng, 99);
    long accepted = 0, refused = 0;
    for (int i = 0; i < ludus_env_count(); i++) {
        const char *id = ludus_env_id(i);
        if (strncmp(id, "Web-", 4) != 0) continue;
        ludus_env *env = make(id, "mask=0");
        const ludus_env_info *in = ludus_env_get_info(env);
        uint8_t *base = ludus_env_state_new(env), *st = ludus_env_state_new(env), *obs = malloc(in->obs_size);
        uint8_t *rgb = malloc(480 * 480 * 3);
        char text[WEB_TEXT_CAP];
        for (int b = 0; b < 20; b++) {
            CHECK_OK(ludus_env_reset(env, base, (uint64_t)b, NULL));
            for (int t = (int)ludus_rng_integers(&rng, 0, 4); t > 0; t--) {
                int32_t a[3];
                ludus_web_oracle_action(env, base, a);
                ludus_env_step_vec(env, base, a, NULL, NULL);
            }
            for (int m = 0; m < 40; m++) {
                memcpy(st, base, in->state_size);
                int flips = (int)ludus_rng_integers(&rng, 1, 4);
                for (int f = 0; f < flips; f++) {
                    size_t at = (size_t)ludus_rng_integers(&rng, 8, (int64_t)in->state_size); /* past the header */
                    st[at] = (uint8_t)(m % 3 ? ludus_rng_integers(&rng, 0, 256) : st[at] ^ 1);
                }
                if (ludus_env_state_check(env, st) != LUDUS_OK) {
                    CHECK(ludus_errmsg()[0] != 0);
                    refused++;
                    continue;
                }
                accepted++;
                for (int t = 0; t < 20; t++) {
                    int32_t a[3] = {(int32_t)ludus_rng_integers(&rng, 0, V_COUNT),
                                    (int32_t)ludus_rng_integers(&rng, 0, WEB_K),
                                    (int32_t)ludus_rng_integers(&rng, 0, in->action_nvec[2])};
                    if (t % 2) ludus_web_oracle_action(env, st, a);
                    CHECK_OK(ludus_env_step_vec(env, st, a, obs, NULL));
                    int rc = ludus_env_state_check(env, st);
                    CHECK_MSG(rc == LUDUS_OK, "%s: an accepted state became invalid: %s", id, ludus_errmsg());
                    if (rc) break;
                }
                CHECK(ludus_env_text(env, st, LUDUS_TEXT_FULL, text, sizeof text) > 0);
                CHECK_OK(ludus_env_render(env, st, NULL, rgb, 480 * 480 * 3));
            }
        }
        free(rgb);
        free(obs);
        free(st);
        free(base);
        ludus_env_destroy(env);
    }
    printf("mutations: %ld accepted and exercised, %ld refused\n", accepted, refused);
    CHECK(accepted > 100 && refused > 100);
}

static void test_views(void)
{
    ludus_env *env = make("Web-click-checkboxes-v0", NULL);
    const ludus_env_info *in = ludus_env_get_info(env);
    web_state *st = ludus_env_state_new(env);
    CHECK_OK(ludus_env_reset(env, st, 6, NULL));
    char text[WEB_TEXT_CAP];
    int n = ludus_env_text(env, st, LUDUS_TEXT_FULL, text, sizeof text);
    CHECK(n > 0 && strncmp(text, "Mission: Select ", 16) == 0);
    CHECK(strstr(text, "] checkbox '") != NULL);
    CHECK(strstr(text, "checked:") == NULL); /* properties only when set */
    int box = -1;
    for (int i = 0; i < st->n_el; i++)
        if (st->el[i].role == R_CHECKBOX) box = i;
    int32_t a[3] = {V_CLICK, box, 0};
    CHECK_OK(ludus_env_step_vec(env, st, a, NULL, NULL));
    ludus_env_text(env, st, LUDUS_TEXT_BALROG, text, sizeof text);
    CHECK(strstr(text, "checked: true") != NULL);
    CHECK(strstr(text, "Mission") == NULL);
    /* the tensor: row 0 the instruction, a row per slot, the status */
    uint8_t *obs = malloc(in->obs_size);
    CHECK_OK(ludus_env_observe(env, st, obs));
    CHECK_EQ(obs[(box + 1) * WEB_C + 0], R_CHECKBOX);
    CHECK_EQ(obs[(box + 1) * WEB_C + 1] & 5, 5); /* visible, checked */
    CHECK_EQ(obs[(WEB_K + 1) * WEB_C + 0], 1);   /* one step */
    for (size_t i = 0; i < (WEB_K + 1) * WEB_C; i++) CHECK(obs[i] <= 63);
    /* the frame: the default scale 2, not blank */
    int w, h;
    CHECK_OK(ludus_env_render_size(env, NULL, &w, &h));
    CHECK(w == 480 && h == 480);
    uint8_t *rgb = malloc((size_t)w * h * 3);
    CHECK_OK(ludus_env_render(env, st, NULL, rgb, (size_t)w * h * 3));
    long ink = 0;
    for (long i = 0; i < (long)w * h * 3; i++) ink += rgb[i] < 100;
    CHECK(ink > 500);
    ludus_render_opts o = {129, 0, 0};
    CHECK_ERR(ludus_env_render_size(env, &o, &w, &h), LUDUS_EINVAL);
    CHECK_STR(ludus_env_mission(env, st), st->mission);
    free(rgb);
    free(obs);
    free(st);
    ludus_env_destroy(env);
}

int main(void)
{
    test_parse();
    test_invalid();
    test_search_navigation();
    test_rewards();
    test_splits();
    test_errors();
    test_validate();
    test_clone();
    test_views();
    test_fuzz();
    test_mutations();
    test_oracle();
    test_random();
    return check_finish("test_web");
}
