/* test_web_heldout.c: the held-out domain of the web family (docs/web.md,
 * "Held-out domain"): the files and admin templates and the cross-site
 * task. A reference predicate written here reads the instruction's words
 * (not the world's targets) and judges the final rows; the world's
 * success agrees with it on the oracle's episodes and on near misses (one
 * subgoal left, an extra change, the right action on a wrong value or the
 * wrong row: the runner-up of a city, the older order). holdout=task:
 * train and test never share a subgoal combination, membership is the
 * pure hash recomputed here, and together they cover all 24. holdout=
 * domain: these ids refuse train, the seen ids refuse test, each with a
 * one-line error. The oracle solves 1,000 seeds and 200 per split; clones
 * replay; the shaped reward adds up. (test_web.c runs the fuzz, foreign-
 * state and random-agent tests over every id, these included.)
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "envs/web/web.h"
#include "ludus/web.h"

static const char *const ids[3] = {"Web-files-organize-v0", "Web-admin-edit-v0", "Web-cross-order-mail-v0"};

static ludus_env *make(const char *id, const char *opts)
{
    ludus_env *env = NULL;
    CHECK_OK(ludus_env_make(id, opts, &env));
    return env;
}

static int word_id(const char *w)
{
    for (int i = 0; i < ludus_web_word_count; i++)
        if (strcmp(ludus_web_words[i], w) == 0) return i;
    return -1;
}

/* the mission's words, punctuation dropped */
static int tokens(const char *mission, char tok[][24], int cap)
{
    int n = 0;
    for (const char *p = mission; *p && n < cap;) {
        while (*p && strchr(" ,;.:()", *p)) p++;
        int k = 0;
        while (*p && !strchr(" ,;.:()", *p) && k < 23) tok[n][k++] = *p++;
        tok[n][k] = 0;
        if (k) n++;
    }
    return n;
}

enum { GONE = 4 };

/* ---- the reference predicates ---- */

static int folder_by_name(const web_state *st, int w)
{
    if (w == W_FILES) return WEB_ROOT;
    for (int r = 0; r < st->n_row; r++)
        if (st->row[r].c == 1 && st->row[r].a == w) return r;
    return -2;
}

static int file_by_name(const web_state *st, int w)
{
    for (int r = 0; r < st->n_row; r++)
        if (st->row[r].c == 0 && st->row[r].a == w) return r;
    return -2;
}

/* files: "Files: move X to F, rename X to Y, delete X, create folder D in F; then stop." */
static int ref_files(const web_state *init, const web_state *fin)
{
    char tok[40][24];
    const int n = tokens(init->mission, tok, 40);
    int touched[WEB_ROWS] = {0}, made = 0, ok = fin->done;
    for (int i = 1; i < n; i++) {
        if (strcmp(tok[i], "move") == 0 || strcmp(tok[i], "rename") == 0) {
            const int r = file_by_name(init, word_id(tok[i + 1])), w = word_id(tok[i + 3]);
            CHECK(r >= 0 && strcmp(tok[i + 2], "to") == 0);
            if (r < 0) return 0;
            touched[r] = 1;
            const web_row *x = &fin->row[r];
            if (tok[i][0] == 'm') ok &= !(x->flags & GONE) && x->a == init->row[r].a && x->b == folder_by_name(init, w);
            else ok &= !(x->flags & GONE) && x->a == w && x->b == init->row[r].b;
            i += 3;
        } else if (strcmp(tok[i], "delete") == 0) {
            const int r = file_by_name(init, word_id(tok[i + 1]));
            CHECK(r >= 0);
            if (r < 0) return 0;
            touched[r] = 1;
            ok &= (fin->row[r].flags & GONE) != 0;
            i++;
        } else if (strcmp(tok[i], "create") == 0) {
            const int d = word_id(tok[i + 2]), p = folder_by_name(init, word_id(tok[i + 4]));
            int found = 0;
            for (int q = init->n_row; q < fin->n_row; q++)
                found |= fin->row[q].c == 1 && fin->row[q].a == d && fin->row[q].b == p && !(fin->row[q].flags & GONE);
            ok &= found;
            made++;
            i += 4;
        }
    }
    for (int r = 0; r < init->n_row; r++)
        if (!touched[r])
            ok &= fin->row[r].a == init->row[r].a && fin->row[r].b == init->row[r].b &&
                  fin->row[r].flags == init->row[r].flags;
    return ok && fin->n_row == init->n_row + made;
}

static int user_by_name(const web_state *st, int w)
{
    for (int r = 0; r < st->n_row; r++)
        if (st->row[r].a == w) return r;
    return -2;
}

/* the user of city c with the highest score, and the runner-up (-1: none) */
static int top_of(const web_state *st, int c, int *second)
{
    int best = -1;
    *second = -1;
    for (int r = 0; r < st->n_row; r++) {
        if (st->row[r].b != c) continue;
        if (best < 0 || st->row[r].c > st->row[best].c) {
            *second = best;
            best = r;
        } else if (*second < 0 || st->row[r].c > st->row[*second].c) {
            *second = r;
        }
    }
    return best;
}

/* admin: "Users: set city of X to C, set score of X to N, delete X, delete the top scorer of C; then stop." */
static int ref_admin(const web_state *init, const web_state *fin)
{
    char tok[40][24];
    const int n = tokens(init->mission, tok, 40);
    int touched[WEB_ROWS] = {0}, ok = fin->done;
    for (int i = 1; i < n; i++) {
        if (strcmp(tok[i], "set") == 0) {
            const int r = user_by_name(init, word_id(tok[i + 3])), w = word_id(tok[i + 5]);
            CHECK(r >= 0);
            if (r < 0) return 0;
            touched[r] = 1;
            const web_row *x = &fin->row[r];
            if (strcmp(tok[i + 1], "city") == 0) ok &= !(x->flags & GONE) && x->b == w - W_CITY0 && x->c == init->row[r].c;
            else ok &= !(x->flags & GONE) && x->c == w - W_NUM1 + 1 && x->b == init->row[r].b;
            i += 5;
        } else if (strcmp(tok[i], "delete") == 0 && strcmp(tok[i + 1], "the") == 0) {
            int second;
            const int r = top_of(init, word_id(tok[i + 5]) - W_CITY0, &second);
            CHECK(r >= 0 && second >= 0 && init->row[r].c > init->row[second].c); /* one top, and a runner-up */
            if (r < 0) return 0;
            touched[r] = 1;
            ok &= (fin->row[r].flags & GONE) != 0;
            i += 5;
        } else if (strcmp(tok[i], "delete") == 0) {
            const int r = user_by_name(init, word_id(tok[i + 1]));
            CHECK(r >= 0);
            if (r < 0) return 0;
            touched[r] = 1;
            ok &= (fin->row[r].flags & GONE) != 0;
            i++;
        }
    }
    for (int r = 0; r < init->n_row; r++)
        if (!touched[r])
            ok &= fin->row[r].b == init->row[r].b && fin->row[r].c == init->row[r].c && fin->row[r].flags == init->row[r].flags;
    return ok;
}

/* the order cross-site asks for: "Mail X the number of your latest N order ..." (its rec index) */
static int latest_order(const web_state *init, int noun, int *older)
{
    int best = -1;
    *older = -1;
    for (int k = 0; k < 4; k++) {
        if (init->rec[3 * k] != noun) continue;
        if (best < 0 || init->rec[3 * k + 2] > init->rec[3 * best + 2]) {
            *older = best;
            best = k;
        } else {
            *older = k;
        }
    }
    return best;
}

static int ref_cross(const web_state *init, const web_state *fin)
{
    char tok[40][24];
    tokens(init->mission, tok, 40);
    CHECK(strcmp(tok[0], "Mail") == 0 && strcmp(tok[6], "latest") == 0);
    int older;
    const int k = latest_order(init, word_id(tok[7]), &older);
    CHECK(k >= 0 && older >= 0 && init->rec[3 * older + 2] < init->rec[3 * k + 2]);
    if (k < 0) return 0;
    return fin->done && fin->n_cart == 1 && fin->cart[0][0] == init->rec[3 * k + 1] && fin->cart[0][1] == word_id(tok[1]);
}

static int reference(int task, const web_state *init, const web_state *fin)
{
    return task == 0 ? ref_files(init, fin) : task == 1 ? ref_admin(init, fin) : ref_cross(init, fin);
}

/* ---- agents ---- */

static ludus_step_out step(const ludus_env *env, web_state *st, const int32_t *a)
{
    ludus_step_out out = {0};
    CHECK_OK(ludus_env_step_vec(env, st, a, NULL, &out));
    return out;
}

static ludus_step_out say(const ludus_env *env, web_state *st, const char *text)
{
    int32_t a[3];
    int rc = ludus_env_parse_action(env, text, a);
    CHECK_MSG(rc == LUDUS_OK, "'%s': %s", text, ludus_errmsg());
    return step(env, st, a);
}

/* A near miss: the oracle's actions for a state with one subgoal's value
 * or row changed (kind of mistake m, on subgoal i), applied to the world. */
static void spoil(int task, const web_state *init, web_state *sh, int i)
{
    if (task == 2) { /* the older order of the same noun */
        int older;
        latest_order(init, init->field[1], &older);
        sh->target[0] = (uint8_t)older;
        return;
    }
    const int kind = sh->target[1 + i], r = sh->target[4 + i];
    uint8_t *f1 = &sh->field[2 * i + 1];
    if (task == 0) {
        if (kind == 0) { /* move to another folder */
            const int want = *f1;
            for (int g = 0; g < 3; g++)
                if (init->row[g].a != want && (int)init->row[r].b != g) *f1 = init->row[g].a;
        } else if (kind == 1) { /* rename to another noun */
            *f1 = (uint8_t)(*f1 == W_NOUN0 ? W_NOUN0 + 1 : W_NOUN0);
        } else if (kind == 2) { /* delete another file */
            const int t4 = sh->target[4], t5 = sh->target[5], t6 = sh->target[6];
            for (int q = 3; q < 8; q++)
                if (q != t4 && q != t5 && q != t6) sh->target[4 + i] = (uint8_t)q;
        } else { /* the new folder in another parent */
            sh->target[4 + i] = (uint8_t)(r == WEB_ROOT ? 0 : WEB_ROOT);
        }
    } else {
        if (kind == 0) *f1 = (uint8_t)(W_CITY0 + (*f1 - W_CITY0 + 1) % 8); /* the city... */
        else if (kind == 1) *f1 = (uint8_t)(*f1 == W_NUM1 ? W_NUM1 + 1 : *f1 - 1); /* score off by one */
        else if (kind == 2) { /* delete another user */
            const int t4 = sh->target[4], t5 = sh->target[5], t6 = sh->target[6];
            for (int q = 0; q < 10; q++)
                if (q != t4 && q != t5 && q != t6 && init->row[q].b != sh->target[7]) sh->target[4 + i] = (uint8_t)q;
        } else { /* the runner-up of the city */
            int second;
            top_of(init, sh->target[7], &second);
            sh->target[4 + i] = (uint8_t)second;
        }
    }
}

static int click_handler(const ludus_env *env, web_state *st, int handler, int harg)
{
    char text[32];
    for (int e = 0; e < st->n_el; e++)
        if (st->el[e].handler == handler && st->el[e].harg == harg && !(st->el[e].flags & F_DISABLED)) {
            snprintf(text, sizeof text, "click [%d]", e);
            say(env, st, text);
            return 1;
        }
    return 0;
}

/* admin: from wherever the oracle stopped, the table's first page
 * unfiltered, then page forward to a user no subgoal names; opens it */
static int admin_bystander(const ludus_env *env, web_state *st)
{
    if (st->nav[st->nav_n - 1].page == P_EDIT) click_handler(env, st, H_GOTO, P_TABLE);
    click_handler(env, st, H_CLEAR, 0);
    while (click_handler(env, st, H_TPAGE, 0)) {}
    for (int tries = 0; tries < 4; tries++) {
        for (int e = 0; e < st->n_el; e++) {
            const int r = st->el[e].harg;
            if (st->el[e].handler == H_EDIT && r != st->target[4] && r != st->target[5] && r != st->target[6]) {
                click_handler(env, st, H_EDIT, r);
                CHECK(st->nav[st->nav_n - 1].page == P_EDIT);
                return 1;
            }
        }
        if (!click_handler(env, st, H_TPAGE, 1)) break;
    }
    CHECK(0);
    return 0;
}

/* the variants: 0 the oracle; 1 stop after the first key node; 2 an extra
 * change before stop; 3 a wrong value or row on one subgoal */
static ludus_step_out episode(const ludus_env *env, int task, web_state *st, web_state *init, web_state *sh,
                              int variant, int which)
{
    const ludus_env_info *in = ludus_env_get_info(env);
    memcpy(init, st, sizeof *st);
    ludus_step_out out = {0};
    int extra = 0;
    for (uint32_t t = 0; t < in->max_steps && !out.terminated && !out.truncated; t++) {
        int32_t a[3];
        if (variant == 1 && (st->kn_hit & 1)) return say(env, st, "stop");
        memcpy(sh, st, sizeof *st);
        if (variant == 3) spoil(task, init, sh, which);
        CHECK_OK(ludus_web_oracle_action(env, sh, a));
        if (variant == 2 && a[0] == V_STOP && !extra) { /* one more change first */
            extra = 1;
            const web_nav *nv = &st->nav[st->nav_n - 1];
            char text[64];
            int box = -1, go = -1;
            for (int e = 0; e < st->n_el; e++) {
                const web_el *x = &st->el[e];
                if (task == 0 && x->role == R_TEXTBOX && x->name == W_FOLDER) box = e;
                if (task == 0 && x->handler == H_MKDIR) go = e;
                if (task == 0 && x->handler == H_OPENDIR && nv->page == P_ENTRY) go = e;
                if (task == 1 && x->handler == H_EDIT && !(st->row[x->harg].flags & GONE) && x->harg != st->target[4] &&
                    x->harg != st->target[5] && x->harg != st->target[6] && go < 0)
                    go = e;
                if (task == 2 && x->handler == H_NEWMAIL) go = e;
            }
            if (task == 0 && nv->page == P_ENTRY) { /* up to the folder, then a stray folder */
                snprintf(text, sizeof text, "click [%d]", go);
                say(env, st, text);
                for (int e = 0; e < st->n_el; e++) {
                    if (st->el[e].role == R_TEXTBOX && st->el[e].name == W_FOLDER) box = e;
                    if (st->el[e].handler == H_MKDIR) go = e;
                }
            }
            if (task == 0) {
                snprintf(text, sizeof text, "type [%d] [zoe]", box);
                say(env, st, text);
                snprintf(text, sizeof text, "click [%d]", go);
                say(env, st, text);
                CHECK(st->n_row > init->n_row);
            } else if (task == 1) { /* open a bystander and delete it */
                if (admin_bystander(env, st)) CHECK(click_handler(env, st, H_DROP, st->nav[st->nav_n - 1].a));
            } else if (task == 2) { /* a second mail */
                if (go < 0) {
                    for (int e = 0; e < st->n_el; e++)
                        if (st->el[e].handler == H_GOTO && st->el[e].harg == P_INBOX) snprintf(text, sizeof text, "click [%d]", e);
                    say(env, st, text);
                    for (int e = 0; e < st->n_el; e++)
                        if (st->el[e].handler == H_NEWMAIL) go = e;
                }
                snprintf(text, sizeof text, "click [%d]", go);
                say(env, st, text);
                for (int e = 0; e < st->n_el; e++)
                    if (st->el[e].role == R_TEXTBOX && st->el[e].name == W_TO)
                        snprintf(text, sizeof text, "type [%d] [%s]", e, ludus_web_words[st->field[0]]);
                say(env, st, text);
                for (int e = 0; e < st->n_el; e++)
                    if (st->el[e].handler == H_SENDNEW) snprintf(text, sizeof text, "click [%d]", e);
                say(env, st, text);
                CHECK(st->n_cart == 2);
            }
            continue;
        }
        out = step(env, st, a);
    }
    return out;
}

static void test_reference(void)
{
    for (int task = 0; task < 3; task++) {
        ludus_env *env = make(ids[task], NULL);
        web_state *st = ludus_env_state_new(env), *init = ludus_env_state_new(env), *sh = ludus_env_state_new(env);
        int wins[4] = {0}, runs[4] = {0}, agree = 0, n = 0;
        for (uint64_t seed = 0; seed < 400; seed++) {
            CHECK_OK(ludus_env_reset(env, st, seed, NULL));
            const int v = (int)(seed % 4), which = (int)(seed / 4 % 3);
            ludus_step_out out = episode(env, task, st, init, sh, v, which);
            const int ref = reference(task, init, st);
            CHECK_MSG(out.terminated && out.success == ref, "%s seed %llu variant %d: success %d, reference %d",
                      ids[task], (unsigned long long)seed, v, out.success, ref);
            agree += out.success == ref;
            n++;
            wins[v] += out.success;
            runs[v]++;
        }
        CHECK_MSG(wins[0] == runs[0] && wins[1] == 0 && wins[2] == 0 && wins[3] == 0,
                  "%s: oracle %d/%d, near misses %d %d %d", ids[task], wins[0], runs[0], wins[1], wins[2], wins[3]);
        printf("reference %-26s agrees on %d/%d (oracle %d/%d, near misses won %d/%d)\n", ids[task], agree, n,
               wins[0], runs[0], wins[1] + wins[2] + wins[3], runs[1] + runs[2] + runs[3]);
        free(sh);
        free(init);
        free(st);
        ludus_env_destroy(env);
    }
}

/* ---- splits ---- */

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static int oracle_solves(ludus_env *env, web_state *st, uint64_t seed)
{
    const ludus_env_info *in = ludus_env_get_info(env);
    CHECK_OK(ludus_env_reset(env, st, seed, NULL));
    for (uint32_t t = 0; t < in->max_steps; t++) {
        int32_t a[3];
        CHECK_OK(ludus_web_oracle_action(env, st, a));
        ludus_step_out out = step(env, st, a);
        if (out.terminated || out.truncated) return out.success && out.terminated;
    }
    return 0;
}

static void test_task_split(void)
{
    for (int task = 0; task < 2; task++) {
        int seen[2][64] = {{0}};
        for (int sp = 0; sp < 2; sp++) {
            ludus_env *env = make(ids[task], sp ? "split=test,holdout=task" : "split=train,holdout=task");
            web_state *st = ludus_env_state_new(env);
            int solved = 0;
            for (uint64_t seed = 0; seed < 2000; seed++) {
                if (seed < 200) {
                    solved += oracle_solves(env, st, seed * 7919 + 3);
                    continue;
                }
                CHECK_OK(ludus_env_reset(env, st, seed, NULL));
                seen[sp][st->target[1] << 4 | st->target[2] << 2 | st->target[3]]++;
            }
            CHECK_MSG(solved == 200, "%s holdout=task %s: the oracle solved %d/200", ids[task], sp ? "test" : "train",
                      solved);
            free(st);
            ludus_env_destroy(env);
        }
        /* disjoint, every ordered triple of distinct kinds in one of them,
         * test exactly the combinations the hash holds out */
        int n_train = 0, n_test = 0;
        for (int c = 0; c < 64; c++) {
            const int a = c >> 4 & 3, b = c >> 2 & 3, d = c & 3, valid = a != b && a != d && b != d;
            const int held = mix(0x636f6d626full ^ (uint64_t)(task + 1) << 8 ^ (uint64_t)c) % 4 == 0;
            CHECK_MSG(!(seen[0][c] && seen[1][c]), "%s: combination %d in train and test", ids[task], c);
            if (!valid) CHECK(!seen[0][c] && !seen[1][c]);
            else CHECK_MSG(held ? seen[1][c] && !seen[0][c] : seen[0][c] && !seen[1][c],
                           "%s: combination %d (held out %d) seen %d/%d", ids[task], c, held, seen[0][c], seen[1][c]);
            n_train += seen[0][c] > 0;
            n_test += seen[1][c] > 0;
        }
        CHECK(n_train + n_test == 24 && n_test > 0 && n_train > 0);
        printf("holdout=task %-24s %d train and %d test combinations of 24\n", ids[task], n_train, n_test);
    }
}

static void test_domain_split(void)
{
    ludus_env *env = NULL;
    for (int task = 0; task < 3; task++) {
        CHECK_ERR(ludus_env_make(ids[task], "split=train,holdout=domain", &env), LUDUS_EINVAL);
        CHECK(strstr(ludus_errmsg(), "held-out domain") && !strchr(ludus_errmsg(), '\n'));
        /* test: every seed of these ids; the oracle solves 200 */
        env = make(ids[task], "split=test,holdout=domain");
        web_state *st = ludus_env_state_new(env);
        int solved = 0;
        for (uint64_t seed = 0; seed < 200; seed++) solved += oracle_solves(env, st, seed);
        CHECK_MSG(solved == 200, "%s holdout=domain test: %d/200", ids[task], solved);
        free(st);
        ludus_env_destroy(env);
        env = NULL;
    }
    /* the seen sites train under holdout=domain and refuse test */
    CHECK_ERR(ludus_env_make("Web-shop-buy-v0", "split=test,holdout=domain", &env), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "seen domain") && !strchr(ludus_errmsg(), '\n'));
    CHECK_ERR(ludus_env_make("Web-click-button-v0", "split=test,holdout=domain", &env), LUDUS_EINVAL);
    env = make("Web-mail-triage-v0", "split=train,holdout=domain");
    web_state *st = ludus_env_state_new(env);
    int solved = 0;
    for (uint64_t seed = 0; seed < 200; seed++) solved += oracle_solves(env, st, seed);
    CHECK(solved == 200);
    free(st);
    ludus_env_destroy(env);
    env = NULL;
    /* holdout=task needs combinations; split=all takes any holdout */
    CHECK_ERR(ludus_env_make("Web-click-button-v0", "split=train,holdout=task", &env), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "no subgoal combinations") && !strchr(ludus_errmsg(), '\n'));
    CHECK_ERR(ludus_env_make(ids[2], "split=test,holdout=task", &env), LUDUS_EINVAL);
    CHECK_ERR(ludus_env_make(ids[0], "holdout=tasks", &env), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "seed|entity|skin|domain|task") != NULL);
    env = make("Web-shop-buy-v0", "holdout=task");
    ludus_env_destroy(env);
    env = make(ids[0], "holdout=domain");
    ludus_env_destroy(env);
}

/* ---- key nodes, shaped reward, clones, views ---- */

static void test_common(void)
{
    for (int task = 0; task < 3; task++) {
        ludus_env *env = make(ids[task], "reward=shaped");
        const ludus_env_info *in = ludus_env_get_info(env);
        web_state *st = ludus_env_state_new(env), *copy = ludus_env_state_new(env);
        CHECK(in->state_size == sizeof(web_state) && sizeof(web_state) == 1024);
        int solved = 0;
        for (uint64_t seed = 0; seed < 1000; seed++) {
            CHECK_OK(ludus_env_reset(env, st, seed, NULL));
            double ret = 0;
            ludus_step_out out = {0};
            for (uint32_t t = 0; t < in->max_steps && !out.terminated; t++) {
                if (t == 3) memcpy(copy, st, in->state_size);
                int32_t a[3];
                CHECK_OK(ludus_web_oracle_action(env, st, a));
                out = step(env, st, a);
                ret += out.reward;
            }
            solved += out.success;
            CHECK_MSG(out.success && ret > 1.999 && ret < 2.001, "%s seed %llu: return %f", ids[task],
                      (unsigned long long)seed, ret);
            if (copy->t == 3 && seed < 100) { /* a clone at step 3 replays to the same final state */
                for (ludus_step_out o = {0}; !o.terminated;) {
                    int32_t a[3];
                    CHECK_OK(ludus_web_oracle_action(env, copy, a));
                    o = step(env, copy, a);
                }
                CHECK(memcmp(copy, st, in->state_size) == 0);
            }
            CHECK_OK(ludus_env_state_check(env, st));
        }
        CHECK(solved == 1000);
        char text[WEB_TEXT_CAP];
        CHECK_OK(ludus_env_reset(env, st, 11, NULL));
        CHECK(ludus_env_text(env, st, LUDUS_TEXT_FULL, text, sizeof text) > 0);
        CHECK(strstr(text, "URL: web/") != NULL);
        uint8_t *rgb = malloc(480 * 480 * 3);
        CHECK_OK(ludus_env_render(env, st, NULL, rgb, 480 * 480 * 3));
        free(rgb);
        free(copy);
        free(st);
        ludus_env_destroy(env);
    }
}

/* The pages do what they say: the admin table pages by four, filters by
 * city and sorts by score; a score that is no number is refused with an
 * error on the page; the files' tree nests folders. */
static void test_pages(void)
{
    ludus_env *env = make(ids[1], NULL);
    web_state *st = ludus_env_state_new(env);
    char text[64];
    for (uint64_t seed = 0; seed < 30; seed++) {
        CHECK_OK(ludus_env_reset(env, st, seed, NULL));
        int links = 0, next = -1, filter = -1, list = -1, sort = -1;
        for (int e = 0; e < st->n_el; e++) {
            links += st->el[e].handler == H_EDIT;
            if (st->el[e].handler == H_TPAGE && st->el[e].harg == 1) next = e;
            if (st->el[e].handler == H_TFILTER) filter = e;
            if (st->el[e].role == R_COMBOBOX) list = e;
            if (st->el[e].handler == H_SORT && st->el[e].harg == 2) sort = e;
        }
        CHECK(links == 4 && next >= 0);
        snprintf(text, sizeof text, "click [%d]", sort);
        say(env, st, text);
        int last = 99;
        for (int e = 0; e < st->n_el; e++)
            if (st->el[e].handler == H_EDIT) {
                CHECK(st->row[st->el[e].harg].c <= last); /* scores down */
                last = st->row[st->el[e].harg].c;
            }
        const int city = st->row[0].b;
        snprintf(text, sizeof text, "select [%d] [%s]", list, ludus_web_words[W_CITY0 + city]);
        say(env, st, text);
        snprintf(text, sizeof text, "click [%d]", filter);
        say(env, st, text);
        int want = 0, got = 0;
        for (int r = 0; r < 10; r++) want += st->row[r].b == city;
        for (int e = 0; e < st->n_el; e++)
            if (st->el[e].handler == H_EDIT) {
                got++;
                CHECK(st->row[st->el[e].harg].b == city);
            }
        CHECK(got == (want < 4 ? want : 4));
        /* open the first, type a word that is no number as the score: refused, shown */
        for (int e = 0; e < st->n_el; e++)
            if (st->el[e].handler == H_EDIT) {
                snprintf(text, sizeof text, "click [%d]", e);
                break;
            }
        say(env, st, text);
        const int r = st->nav[st->nav_n - 1].a, before = st->row[r].c;
        for (int e = 0; e < st->n_el; e++)
            if (st->el[e].role == R_TEXTBOX) snprintf(text, sizeof text, "type [%d] [paris]", e);
        say(env, st, text);
        for (int e = 0; e < st->n_el; e++)
            if (st->el[e].handler == H_UPDATE) snprintf(text, sizeof text, "click [%d]", e);
        say(env, st, text);
        CHECK(st->row[r].c == before && st->nav[st->nav_n - 1].page == P_EDIT);
        int shown = 0;
        for (int e = 0; e < st->n_el; e++) shown |= st->el[e].name == W_ERROR && ludus_web_visible(st, e);
        CHECK(shown);
    }
    free(st);
    ludus_env_destroy(env);
    /* files: the nested folder is reached through its parent, and "up" returns */
    env = make(ids[0], NULL);
    st = ludus_env_state_new(env);
    for (uint64_t seed = 0; seed < 30; seed++) {
        CHECK_OK(ludus_env_reset(env, st, seed, NULL));
        CHECK(st->row[2].c == 1 && st->row[2].b < 2);
        int open = -1;
        for (int e = 0; e < st->n_el; e++)
            if (st->el[e].handler == H_OPENDIR && st->el[e].harg == 2) open = e;
        CHECK(open < 0); /* not in the root */
        for (int e = 0; e < st->n_el; e++)
            if (st->el[e].handler == H_OPENDIR && st->el[e].harg == st->row[2].b) open = e;
        snprintf(text, sizeof text, "click [%d]", open);
        say(env, st, text);
        open = -1;
        for (int e = 0; e < st->n_el; e++)
            if (st->el[e].handler == H_OPENDIR && st->el[e].harg == 2) open = e;
        CHECK(open >= 0);
        snprintf(text, sizeof text, "click [%d]", open);
        say(env, st, text);
        CHECK(st->nav[st->nav_n - 1].page == P_FOLDER && st->nav[st->nav_n - 1].a == 2);
    }
    free(st);
    ludus_env_destroy(env);
}

int main(void)
{
    test_reference();
    test_task_split();
    test_domain_split();
    test_common();
    test_pages();
    return check_finish("test_web_heldout");
}
