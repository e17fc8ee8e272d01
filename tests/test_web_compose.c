/* test_web_compose.c: holdout=task for the site tasks beyond files and
 * admin (docs/web.md, "Splits"; src/envs/web/compose.c). A reference
 * written here reads each level's composition off the instruction and
 * the rows at reset (the shop's colour, size and bound from the mission's
 * words; the mail's action word, whether the mail to forward is from X
 * and how many are; ...) and recomputes membership with the splitmix64
 * hash; over 2,000 seeds a split: train and test never share a
 * composition, test holds exactly the compositions the hash holds out,
 * together they cover the task's whole space, the default draw (no
 * holdout) is unchanged and spans both. The oracle solves 300 seeds of
 * each half. Ids without compositions refuse holdout=task with one line.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "envs/web/web.h"
#include "ludus/web.h"

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

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

/* the k-th word of the mission (punctuation dropped), as a word id */
static int mission_word(const web_state *st, int k)
{
    char tok[24];
    const char *p = st->mission;
    for (int i = 0; *p; i++) {
        while (*p && !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))) p++;
        int n = 0;
        while (*p && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')) && n < 23)
            tok[n++] = *p++;
        tok[n] = 0;
        if (i == k) return word_id(tok);
    }
    return -1;
}

static int count_rows(const web_state *st, int col, int w)
{
    int n = 0;
    for (int r = 0; r < st->n_row; r++) n += (col ? st->row[r].b : st->row[r].a) == w;
    return n;
}

/* The reference compositions, from the instruction and the rows at reset. */
static int ref_code(int task, const web_state *st)
{
    switch (task) {
    case 0: { /* "Buy a NOUN in COLOUR, size SIZE, for at most BOUND dollars, ..." */
        const int c = mission_word(st, 4) - W_COLOR0, z = mission_word(st, 6) - W_SIZE0;
        const int b = mission_word(st, 10) - W_NUM1 + 1;
        CHECK(c >= 0 && c < 4 && z >= 0 && z < 3 && (b == 10 || b == 20 || b == 30));
        return c * 9 + z * 3 + (b / 10 - 1);
    }
    case 1: { /* "Forward the mail about Y to Z, then VERB every mail from X, and stop." */
        const int y = mission_word(st, 4), verb = mission_word(st, 8), x = mission_word(st, 12);
        const int v = verb == W_STAR ? 0 : verb == W_ARCHIVE ? 1 : verb == W_DELETE ? 2 : -1;
        int first = -1;
        for (int r = 0; r < st->n_row; r++)
            if (st->row[r].b == y) first = st->row[r].a == x;
        CHECK(v >= 0 && first >= 0);
        return v * 6 + first * 3 + count_rows(st, 0, x) - 1;
    }
    case 2: { /* the profile shown against the one asked */
        const int sub = strstr(st->mission, "not subscribed") == NULL;
        const int city = mission_word(st, 6);
        return sub * 8 + (st->saved[4] != sub) * 4 + (st->saved[1] != city) * 2 + (st->saved[0] == 0);
    }
    case 3: /* "Book the cheapest flight from A to B ..." */
        return (mission_word(st, 5) - W_CITY0) * 8 + mission_word(st, 7) - W_CITY0;
    case 4: { /* "Schedule T with W on day D in the first free hour from H on." */
        const int day = mission_word(st, 6) - W_NUM1 + 1, from = mission_word(st, 13) - W_NUM1 + 1;
        int taken = 0, before = 0;
        while (1) {
            int busy = 0;
            for (int r = 0; r < st->n_row; r++) busy |= st->row[r].a == day && st->row[r].b == from + taken;
            if (!busy) break;
            taken++;
        }
        for (int r = 0; r < st->n_row; r++) before |= st->row[r].a == day && st->row[r].b < from;
        return taken * 2 + before;
    }
    case 5: { /* "In the forum F, reply 'W' to the most liked post; block U; then stop." */
        const int f = mission_word(st, 3) - W_FORUM0, u = mission_word(st, 12);
        int top = -1, best = -1;
        for (int r = 0; r < st->n_row; r++)
            if (st->row[r].b == f && (int)(st->row[r].c + (st->row[r].flags & 1)) > best) {
                best = st->row[r].c + (st->row[r].flags & 1);
                top = r;
            }
        const int mute = (st->saved[3] | st->saved[4] | st->saved[5]) != 0;
        return (st->row[top].a == u) * 6 + mute * 3 + count_rows(st, 1, f) - 2;
    }
    case 6: { /* the cart at reset: B's line in, and which stale line */
        const int qa = mission_word(st, 4) - W_NUM1 + 1;
        const int last = st->cart[st->n_cart - 1][0];
        const int brand_b = mission_word(st, 11), noun_b = mission_word(st, 12);
        const int brand_a = mission_word(st, 5), noun_a = mission_word(st, 6);
        const int is_b = st->row[last].b == brand_b && st->row[last].a == noun_b;
        const int is_a = st->row[last].b == brand_a && st->row[last].a == noun_a;
        return (is_b ? 2 : is_a ? 1 : 0) * 4 + (st->n_cart == 2) * 2 + qa - 1;
    }
    case 8: { /* the question's kind, and how many products of its noun the shop sells */
        static const char *const starts[5] = {"How many", "Which is cheaper", "Which brand sells",
                                              "In how many colours", "Which brand's"};
        int kind = -1, noun = -1;
        for (int k = 0; k < 5; k++)
            if (strncmp(st->mission, starts[k], strlen(starts[k])) == 0) kind = k;
        static const int noun_at[5] = {2, 5, 5, 7, 3};
        CHECK(kind >= 0);
        noun = mission_word(st, noun_at[kind < 0 ? 0 : kind]);
        CHECK(noun >= W_NOUN0 && noun < W_MONTH0);
        return kind * 3 + count_rows(st, 0, noun) - 2;
    }
    case 9: { /* the calendar question's kind, and how many events day D has */
        static const char *const starts[4] = {"How many events", "Who is", "At what hour", "What is the first"};
        static const int day_at[4] = {6, 6, 8, 7};
        int kind = -1;
        for (int k = 0; k < 4; k++)
            if (strncmp(st->mission, starts[k], strlen(starts[k])) == 0) kind = k;
        CHECK(kind >= 0);
        const int day = mission_word(st, day_at[kind < 0 ? 0 : kind]) - W_NUM1 + 1;
        CHECK(day >= 1 && day <= 7);
        return kind * 4 + count_rows(st, 0, day) - 1;
    }
    case 10: { /* "Like every post by U (...)": U's posts, U muted, U's posts liked at reset */
        const int u = mission_word(st, 4), bit = u - W_NAME0;
        CHECK(bit >= 0 && u < W_NOUN0);
        const int mute = st->saved[3 + (bit >> 3)] >> (bit & 7) & 1;
        int liked = 0;
        for (int r = 0; r < st->n_row; r++) liked += st->row[r].a == u && (st->row[r].flags & 1);
        return (count_rows(st, 0, u) - 2) * 6 + mute * 3 + liked;
    }
    default: { /* "What is the price|rating of the BRAND NOUN in the shop? ..." */
        const int rating = mission_word(st, 3) == W_RATING, brand = mission_word(st, 6), noun = mission_word(st, 7);
        int have = 0;
        for (int r = 0; r < st->n_row; r++) have |= st->row[r].a == noun && st->row[r].b == brand;
        return rating * 2 + !have;
    }
    }
}

static const char *const ids[11] = {"Web-shop-buy-v0", "Web-mail-triage-v0", "Web-forms-profile-v0",
                                   "Web-travel-book-v0", "Web-calendar-schedule-v0", "Web-social-moderate-v0",
                                   "Web-shop-cart-v0", "Web-info-seek-v0", "Web-info-question-v0",
                                    "Web-info-calendar-v0", "Web-social-like-user-v0"};
static const int space[11] = {36, 18, 16, 64, 8, 12, 12, 4, 15, 16, 12};
static const int salt[11] = {3, 4, 5, 6, 7, 8, 9, 11, 12, 14, 15};

static int valid(int task, int c)
{
    if (task == 10) return c % 3 <= c / 6 + 1; /* no more posts liked than U's posts but the first */
    return task != 3 || c >> 3 != (c & 7);
}

static int oracle_solves(ludus_env *env, web_state *st, uint64_t seed)
{
    const ludus_env_info *in = ludus_env_get_info(env);
    CHECK_OK(ludus_env_reset(env, st, seed, NULL));
    for (uint32_t t = 0; t < in->max_steps; t++) {
        int32_t a[3];
        ludus_step_out out = {0};
        CHECK_OK(ludus_web_oracle_action(env, st, a));
        CHECK_OK(ludus_env_step_vec(env, st, a, NULL, &out));
        if (out.terminated || out.truncated) return out.success && out.terminated;
    }
    return 0;
}

static void test_splits(void)
{
    for (int task = 0; task < 11; task++) {
        int seen[3][64] = {{0}};
        static const char *const opts[3] = {"", "split=train,holdout=task", "split=test,holdout=task"};
        for (int sp = 0; sp < 3; sp++) {
            ludus_env *env = make(ids[task], opts[sp]);
            web_state *st = ludus_env_state_new(env);
            int solved = 0;
            for (uint64_t seed = 0; seed < 2000; seed++) {
                CHECK_OK(ludus_env_reset(env, st, seed, NULL));
                const int c = ref_code(task, st);
                CHECK_MSG(c >= 0 && c < 64 && valid(task, c), "%s seed %llu: composition %d", ids[task],
                          (unsigned long long)seed, c);
                seen[sp][c & 63]++;
                if (sp && seed < 300) solved += oracle_solves(env, st, seed * 7919 + 5);
            }
            if (sp) CHECK_MSG(solved == 300, "%s %s: the oracle solved %d/300", ids[task], opts[sp], solved);
            free(st);
            ludus_env_destroy(env);
        }
        int n_train = 0, n_test = 0, rare = 2000, in_test = 0;
        for (int c = 0; c < 64; c++) {
            const int held = mix(0x636f6d626full ^ (uint64_t)salt[task] << 8 ^ (uint64_t)c) % 4 == 0;
            CHECK_MSG(!(seen[1][c] && seen[2][c]), "%s: composition %d in train and test", ids[task], c);
            if (c >= space[task] || !valid(task, c)) {
                CHECK(!seen[0][c] && !seen[1][c] && !seen[2][c]);
                continue;
            }
            CHECK_MSG(held ? seen[2][c] && !seen[1][c] : seen[1][c] && !seen[2][c],
                      "%s: composition %d (held out %d) seen %d/%d", ids[task], c, held, seen[1][c], seen[2][c]);
            CHECK_MSG(seen[0][c] > 0, "%s: the default draw never gives composition %d", ids[task], c);
            if (seen[0][c] < rare) rare = seen[0][c];
            in_test += held * seen[0][c];
            n_train += seen[1][c] > 0;
            n_test += seen[2][c] > 0;
        }
        /* each half is at least 1 in 50 default levels, so web_reset's
         * bound of WEB_COMPOSE_TRIES redraws is out of reach */
        CHECK(n_train > 0 && n_test > 0 && in_test >= 40 && 2000 - in_test >= 40);
        printf("holdout=task %-26s %2d train and %2d test compositions; the rarest %d, the test half %d of 2000 "
               "default levels\n", ids[task], n_train, n_test, rare, in_test);
    }
}

/* The default draw is the one before: split=all,holdout=task is the
 * default, seed for seed. */
static void test_default_unchanged(void)
{
    for (int task = 0; task < 11; task++) {
        ludus_env *a = make(ids[task], ""), *b = make(ids[task], "holdout=task");
        web_state *x = ludus_env_state_new(a), *y = ludus_env_state_new(b);
        for (uint64_t seed = 0; seed < 200; seed++) {
            CHECK_OK(ludus_env_reset(a, x, seed, NULL));
            CHECK_OK(ludus_env_reset(b, y, seed, NULL));
            CHECK(memcmp((char *)x + sizeof x->h, (char *)y + sizeof y->h, sizeof *x - sizeof x->h) == 0);
        }
        free(x);
        free(y);
        ludus_env_destroy(a);
        ludus_env_destroy(b);
    }
}

static void test_errors(void)
{
    ludus_env *env = NULL;
    static const char *const none[] = {"Web-click-button-v0", "Web-choose-date-v0", "Web-cross-order-mail-v0",
                                       "Web-guess-number-v0"};
    for (int k = 0; k < 4; k++)
        for (int sp = 0; sp < 2; sp++) {
            CHECK_ERR(ludus_env_make(none[k], sp ? "split=test,holdout=task" : "split=train,holdout=task", &env),
                      LUDUS_EINVAL);
            CHECK(strstr(ludus_errmsg(), "no subgoal combinations") && !strchr(ludus_errmsg(), '\n'));
        }
}

/* holdout=atomic (atomic->site): every atomic id trains and refuses test,
 * every site id (the registry's "web site" and "web cross-site" lines)
 * tests and refuses train, each with one line; split=all takes both; the
 * oracle solves 100 seeds of each id on its half; a level of either half
 * is the default level of its seed (no seed or word is held out). */
static void test_atomic_split(void)
{
    int n_atomic = 0, n_site = 0;
    for (int i = 0; i < ludus_env_count(); i++) {
        const char *id = ludus_env_id(i);
        if (strncmp(id, "Web-", 4) != 0) continue;
        ludus_env *all = make(id, ""), *env = NULL;
        const char *d = ludus_env_get_info(all)->description;
        const int site = strncmp(d, "web site", 8) == 0 || strncmp(d, "web cross-site", 14) == 0;
        CHECK_ERR(ludus_env_make(id, site ? "split=train,holdout=atomic" : "split=test,holdout=atomic", &env),
                  LUDUS_EINVAL);
        CHECK_MSG(strstr(ludus_errmsg(), site ? "is a site task" : "is an atomic task") &&
                      !strchr(ludus_errmsg(), '\n'), "%s: %s", id, ludus_errmsg());
        env = make(id, site ? "split=test,holdout=atomic" : "split=train,holdout=atomic");
        ludus_env_destroy(make(id, "holdout=atomic"));
        web_state *st = ludus_env_state_new(env), *ref = ludus_env_state_new(all);
        int solved = 0;
        for (uint64_t seed = 0; seed < 100; seed++) {
            solved += oracle_solves(env, st, seed);
            CHECK_OK(ludus_env_reset(env, st, seed, NULL));
            CHECK_OK(ludus_env_reset(all, ref, seed, NULL));
            CHECK(memcmp((char *)st + sizeof st->h, (char *)ref + sizeof ref->h, sizeof *st - sizeof st->h) == 0);
        }
        CHECK_MSG(solved == 100, "%s holdout=atomic: the oracle solved %d/100", id, solved);
        site ? n_site++ : n_atomic++;
        free(st);
        free(ref);
        ludus_env_destroy(env);
        ludus_env_destroy(all);
    }
    CHECK(n_site >= 13 && n_atomic >= 28);
    printf("holdout=atomic: %d atomic ids train, %d site ids test\n", n_atomic, n_site);
}

int main(void)
{
    test_atomic_split();
    test_default_unchanged();
    test_errors();
    test_splits();
    return check_finish("test_web_compose");
}
