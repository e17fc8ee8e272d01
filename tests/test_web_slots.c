/* test_web_slots.c: the web worlds' `words=slots` action encoding
 * (docs/web.md, "Actions"), in which the action's word component names an
 * instruction field or an element slot instead of a vocabulary word.
 * Against references written here: a slot action and the WebArena text
 * that spells its word (parsed by the default encoding) do the same to a
 * state; the word mask is exactly the slots that hold a word; a slot that
 * holds none is a counted invalid action with mask=0 and refused at the
 * edge with the mask; the oracle, through the slot encoding, still solves
 * the tasks whose words are in the instruction or on the page; the
 * default encoding is untouched by the option (the same states, the same
 * actions' effects); the tensor's word ids stay within the symbol map.
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

/* The test's own model of a slot: the word it stands for in st, 0 when it
 * stands for none (a field the instruction lacks, an empty or hidden
 * slot); the element's word is its second name word, else its name. */
static int ref_model(const web_state *st, int v)
{
    if (v == 0) return W_UNK;
    if (v <= WEB_FIELDS) return v - 1 < st->n_field ? st->field[v - 1] : 0;
    int i = v - 1 - WEB_FIELDS;
    if (i >= st->n_el) return 0;
    const web_el *e = &st->el[i];
    int shown = !(e->flags & F_HIDDEN) && (!e->group || (st->open >> e->group & 1));
    return shown ? (e->name2 ? e->name2 : e->name) : 0;
}

static uint64_t rng_next(uint64_t *s)
{
    *s += 0x9e3779b97f4a7c15ull;
    uint64_t z = *s;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* The tasks the encoding is for (their words are in the instruction or on
 * the page), and a few others. */
static const char *const tasks[] = {
    "Web-enter-text-v0",     "Web-choose-list-v0",   "Web-login-user-v0",     "Web-copy-paste-v0",
    "Web-find-word-v0",      "Web-read-table-v0",    "Web-enter-password-v0", "Web-enter-date-v0",
    "Web-enter-time-v0",     "Web-use-slider-v0",    "Web-use-spinner-v0",    "Web-click-option-v0",
    "Web-form-sequence-v0",  "Web-multi-orderings-v0", "Web-click-button-v0", "Web-search-engine-v0",
    "Web-choose-date-v0",    "Web-guess-number-v0",  "Web-click-menu-v0",
};
#define NT (int)(sizeof tasks / sizeof tasks[0])

/* A state along the oracle's path with random slips (legal actions of
 * the slot encoding): reset to seed, then `k` steps. */
static void walk(const ludus_env *env, void *st, uint64_t seed, int k, uint64_t *rng)
{
    const ludus_env_info *in = ludus_env_get_info(env);
    uint8_t mask[LUDUS_MAX_MASK_SIZE];
    ludus_step_out out;
    CHECK_OK(ludus_env_reset(env, st, seed, NULL));
    for (int t = 0; t < k && !((web_state *)st)->done; t++) {
        int32_t a[3];
        if (rng_next(rng) % 3) {
            CHECK_OK(ludus_web_oracle_action(env, st, a));
        } else {
            ludus_env_action_mask(env, st, mask);
            int off = 0;
            for (int d = 0; d < 3; d++) {
                int n = in->action_nvec[d], legal = 0;
                for (int v = 0; v < n; v++) legal += mask[off + v];
                int pick = (int)(rng_next(rng) % (uint64_t)legal);
                for (int v = 0; v < n; v++)
                    if (mask[off + v] && pick-- == 0) a[d] = v;
                off += n;
            }
        }
        CHECK_OK(ludus_env_step_vec(env, st, a, NULL, &out));
    }
}

/* The option: its values, its errors, the action space it gives. */
static void test_option(void)
{
    ludus_env *env = NULL;
    CHECK_ERR(ludus_env_make("Web-enter-text-v0", "words=letters", &env), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "words=letters") && strstr(ludus_errmsg(), "vocab|slots"));
    ludus_env *v = make("Web-enter-text-v0", ""), *w = make("Web-enter-text-v0", "words=vocab"),
              *s = make("Web-enter-text-v0", "words=slots");
    const ludus_env_info *iv = ludus_env_get_info(v), *iw = ludus_env_get_info(w), *is = ludus_env_get_info(s);
    CHECK_EQ(iv->action_nvec[2], iw->action_nvec[2]);
    CHECK_EQ(is->action_nvec[2], 1 + WEB_FIELDS + WEB_K);
    CHECK_EQ(is->num_actions, V_COUNT + WEB_K + 1 + WEB_FIELDS + WEB_K);
    CHECK_EQ(is->mask_size, is->num_actions);
    CHECK_STR(is->action_names[V_COUNT + WEB_K + 0], "<unk>");
    CHECK_STR(is->action_names[V_COUNT + WEB_K + 1], "field1");
    CHECK_STR(is->action_names[V_COUNT + WEB_K + WEB_FIELDS], "field6");
    CHECK_STR(is->action_names[V_COUNT + WEB_K + WEB_FIELDS + 1], "el0");
    CHECK_STR(is->action_names[V_COUNT + WEB_K + WEB_FIELDS + WEB_K], "el47");
    ludus_env_destroy(v);
    ludus_env_destroy(w);
    ludus_env_destroy(s);
}

/* The default encoding is what it was: with words=slots the states of a
 * seed are the same bytes, and the same (vocabulary-free) actions do the
 * same; the observation differs only in the word columns. */
static void test_default_unchanged(void)
{
    for (int k = 0; k < NT; k++) {
        ludus_env *v = make(tasks[k], ""), *s = make(tasks[k], "words=slots");
        void *a = ludus_env_state_new(v), *b = ludus_env_state_new(s);
        for (uint64_t seed = 0; seed < 30; seed++) {
            CHECK_OK(ludus_env_reset(v, a, seed, NULL));
            CHECK_OK(ludus_env_reset(s, b, seed, NULL));
            CHECK_MSG(memcmp((char *)a + sizeof(env_state_header), (char *)b + sizeof(env_state_header),
                             sizeof(web_state) - sizeof(env_state_header)) == 0,
                      "%s seed %llu: words=slots changed the level", tasks[k], (unsigned long long)seed);
        }
        free(a);
        free(b);
        ludus_env_destroy(v);
        ludus_env_destroy(s);
    }
}

/* A state's bytes after the header (states of two worlds differ in it). */
static int same_body(const web_state *a, const web_state *b)
{
    return memcmp((const char *)a + sizeof(env_state_header), (const char *)b + sizeof(env_state_header),
                  sizeof *a - sizeof(env_state_header)) == 0;
}
static void copy_body(web_state *to, const web_state *from)
{
    memcpy((char *)to + sizeof(env_state_header), (const char *)from + sizeof(env_state_header),
           sizeof *to - sizeof(env_state_header));
}

/* A slot action and the text that spells its word do the same; the state-
 * aware parse resolves a word to the first slot holding it; slot names
 * parse to themselves; the mask is the model's; a slot that holds no word
 * is a counted invalid action (mask=0) or refused (mask=1). */
static void test_round_trip(void)
{
    uint64_t rng = 12345;
    long spelled = 0, outside = 0, empty = 0;
    for (int k = 0; k < NT; k++) {
        ludus_env *v = make(tasks[k], "mask=0"), *s = make(tasks[k], "words=slots,mask=0"),
                  *sm = make(tasks[k], "words=slots");
        const ludus_env_info *is = ludus_env_get_info(sm);
        const web_spec *vs = v->impl;
        web_state *st = ludus_env_state_new(sm), *x = ludus_env_state_new(s), *y = ludus_env_state_new(v),
                  *z = ludus_env_state_new(s), *zm = ludus_env_state_new(sm);
        CHECK_OK(ludus_env_reset(s, x, 0, NULL));
        CHECK_OK(ludus_env_reset(v, y, 0, NULL));
        CHECK_OK(ludus_env_reset(s, z, 0, NULL));
        CHECK_OK(ludus_env_reset(sm, zm, 0, NULL));
        uint8_t mask[LUDUS_MAX_MASK_SIZE];
        for (uint64_t seed = 0; seed < 24; seed++) {
            walk(sm, st, seed, (int)(rng_next(&rng) % 4), &rng);
            if (st->done) continue;
            /* the word mask: <unk>, the fields there are, shown elements with a word */
            CHECK_OK(ludus_env_action_mask(sm, st, mask));
            const uint8_t *wm = mask + V_COUNT + WEB_K;
            for (int r = 0; r < WEB_REFS; r++)
                CHECK_MSG(wm[r] == (ref_model(st, r) != 0), "%s seed %llu: slot %d mask %d, model word %d",
                          tasks[k], (unsigned long long)seed, r, wm[r], ref_model(st, r));
            static const int verbs[3] = {V_TYPE, V_SELECT, V_STOP};
            for (int vi = 0; vi < 3; vi++) {
                const int verb = verbs[vi];
                for (int el = 0; el < st->n_el; el++) {
                    const int role = st->el[el].role;
                    if (verb == V_STOP ? el > 0
                                       : el > 0 && role != R_TEXTBOX && role != R_COMBOBOX && role != R_SLIDER)
                        continue;
                    for (int r = 0; r < WEB_REFS; r++) {
                        const int w = ref_model(st, r);
                        int32_t a[3] = {verb, el, r}, b[3], c[3], d[3];
                        ludus_step_out o;
                        copy_body(x, st);
                        CHECK_OK(ludus_env_step_vec(s, x, a, NULL, &o));
                        /* the slot's name parses to the slot */
                        char text[96];
                        const char *vn = verb == V_TYPE ? "type" : verb == V_SELECT ? "select" : "stop";
                        const char *rn = is->action_names[V_COUNT + WEB_K + r];
                        if (verb == V_STOP) snprintf(text, sizeof text, "stop [%s]", rn);
                        else snprintf(text, sizeof text, "%s [%d] [%s]", vn, el, rn);
                        CHECK_OK(ludus_env_parse_action(s, text, d));
                        CHECK_MSG(d[0] == verb && (verb == V_STOP || d[1] == el) && d[2] == r,
                                  "%s: '%s' parsed to %d %d %d", tasks[k], text, d[0], d[1], d[2]);
                        if (!w) { /* no word there: a counted invalid action, nothing else changed */
                            web_state want;
                            memcpy(&want, st, sizeof want);
                            want.t++;
                            want.n_invalid++;
                            want.last_rc = x->last_rc;
                            /* key nodes are evaluated after every step, and a reset's page may already
                             * meet one (the date picker's month) */
                            CHECK((x->kn_hit & st->kn_hit) == st->kn_hit);
                            want.kn_hit = x->kn_hit;
                            CHECK_MSG(x->last_rc == RC_NO_SUCH || x->last_rc == RC_HIDDEN ||
                                          x->last_rc == RC_BAD_VERB || x->last_rc == RC_DISABLED,
                                      "%s: slot %d holds no word, result %d", tasks[k], r, x->last_rc);
                            if (!same_body(x, &want)) {
                                int off = (int)sizeof(env_state_header);
                                while (((char *)x)[off] == ((char *)&want)[off]) off++;
                                CHECK_MSG(0, "%s: an empty slot changed the state (byte %d, verb %d el %d slot %d, done %d)", tasks[k], off, verb, el, r, st->done);
                            }
                            if (verb == V_STOP || ludus_web_visible(st, el)) {
                                /* with the mask it is refused at the edge */
                                copy_body(zm, st);
                                web_state before;
                                memcpy(&before, zm, sizeof before);
                                CHECK_ERR(ludus_env_step_vec(sm, zm, a, NULL, &o), LUDUS_EINVAL);
                                CHECK(memcmp(zm, &before, sizeof before) == 0);
                            }
                            empty++;
                            continue;
                        }
                        /* the text that spells the word, parsed by the default encoding */
                        if (verb == V_STOP) snprintf(text, sizeof text, "stop [%s]", ludus_web_words[w]);
                        else snprintf(text, sizeof text, "%s [%d] [%s]", vn, el, ludus_web_words[w]);
                        CHECK_OK(ludus_env_parse_action(v, text, b));
                        copy_body(y, st);
                        CHECK_OK(ludus_env_step_vec(v, y, b, NULL, &o));
                        if (vs->lex_of[w] || w == W_UNK) {
                            CHECK_MSG(same_body(x, y), "%s seed %llu: '%s' and slot %d differ", tasks[k],
                                      (unsigned long long)seed, text, r);
                            spelled++;
                        } else { /* a word the vocabulary lacks: the slot carries it, the text cannot */
                            CHECK_EQ(x->last_rc, y->last_rc);
                            if (verb == V_TYPE && x->last_rc == RC_OK) CHECK_EQ(x->el[el].value, w);
                            if (verb == V_STOP) CHECK_EQ(x->answer, w);
                            outside++;
                        }
                        /* the state-aware parse: the first slot holding the word, the same effect */
                        CHECK_OK(ludus_web_parse_action(sm, st, text, c));
                        int first = 0;
                        for (int q = 1; q < WEB_REFS && !first; q++) /* the same spelling: phone, table */
                            if (ref_model(st, q) && strcmp(ludus_web_words[ref_model(st, q)], ludus_web_words[w]) == 0)
                                first = q;
                        CHECK_MSG(c[2] == first, "%s: '%s' resolved to slot %d, want %d", tasks[k], text, c[2],
                                  first);
                        if (ref_model(st, first) == w) { /* the same word, the same effect */
                            copy_body(z, st);
                            CHECK_OK(ludus_env_step_vec(s, z, c, NULL, &o));
                            CHECK(same_body(x, z));
                        }
                    }
                }
            }
        }
        /* a word without a state is refused in one line; with one it resolves */
        int32_t lit[3];
        CHECK_ERR(ludus_env_parse_action(s, "type [1] [alice]", lit), LUDUS_EINVAL);
        CHECK(strstr(ludus_errmsg(), "words=slots") && !strchr(ludus_errmsg(), '\n'));
        free(st);
        free(x);
        free(y);
        free(z);
        free(zm);
        ludus_env_destroy(v);
        ludus_env_destroy(s);
        ludus_env_destroy(sm);
    }
    printf("round trip: %ld spelled in the vocabulary, %ld outside it, %ld empty slots\n", spelled, outside, empty);
    CHECK(spelled > 1000 && empty > 1000);
}

/* The oracle through the slot encoding, and the tensor's word ids. */
static void test_oracle_and_tensor(void)
{
    for (int i = 0; i < ludus_env_count(); i++) {
        const char *id = ludus_env_id(i);
        if (strncmp(id, "Web-", 4) != 0) continue;
        ludus_env *env = NULL;
        if (!strcmp(id, "Web-enter-text-case-v0") || !strcmp(id, "Web-use-autocomplete-v0")) {
            /* a typed word with a case or a first letter: no slot names it, so refused in one line */
            CHECK(ludus_env_make(id, "words=slots", &env) == LUDUS_EINVAL && env == NULL);
            CHECK_MSG(strstr(ludus_errmsg(), "words=slots") && strstr(ludus_errmsg(), id) &&
                          !strchr(ludus_errmsg(), '\n'),
                      "%s: %s", id, ludus_errmsg());
            continue;
        }
        env = make(id, "words=slots");
        const ludus_env_info *in = ludus_env_get_info(env);
        void *st = ludus_env_state_new(env);
        uint8_t obs[1024];
        int solved = 0, n = 200, in_range = 1;
        for (int sd = 0; sd < n; sd++) {
            ludus_step_out o = {0};
            CHECK_OK(ludus_env_reset(env, st, (uint64_t)sd * 7919 + 3, NULL));
            for (uint32_t t = 0; t < in->max_steps; t++) {
                int32_t a[3];
                CHECK_OK(ludus_env_observe(env, st, obs));
                for (int b = 0; b < (WEB_K + 1) * WEB_C; b++) in_range &= obs[b] <= 63;
                CHECK_OK(ludus_web_oracle_action(env, st, a));
                if (ludus_env_step_vec(env, st, a, NULL, &o) != LUDUS_OK) {
                    CHECK_MSG(0, "%s: the oracle's slot action was refused: %s", id, ludus_errmsg());
                    break;
                }
                if (o.terminated || o.truncated) break;
            }
            solved += o.terminated && o.success;
        }
        CHECK_MSG(in_range, "%s: a tensor word id above 63 with words=slots", id);
        /* every task whose words the instruction or the page holds */
        int expressible = 1;
        static const char *const not_expressible[] = {"Web-guess-number-v0", "Web-shop-cart-v0", "Web-info-seek-v0",
                                                      "Web-cross-order-mail-v0", "Web-info-question-v0",
                                                      "Web-info-calendar-v0", NULL};
        for (int q = 0; not_expressible[q]; q++) expressible &= strcmp(id, not_expressible[q]) != 0;
        if (expressible) CHECK_MSG(solved == n, "%s: the oracle solved %d of %d with words=slots", id, solved, n);
        printf("slots oracle %-28s %d/%d\n", id, solved, n);
        free(st);
        ludus_env_destroy(env);
    }
}

/* The tensor with words=slots: numbers as themselves (a spinner's value
 * and target are comparable), the default's columns otherwise. */
static void test_tensor_codes(void)
{
    ludus_env *s = make("Web-use-spinner-v0", "words=slots"), *v = make("Web-use-spinner-v0", "");
    web_state *st = ludus_env_state_new(s);
    uint8_t os[1024], ov[1024];
    void *sv = ludus_env_state_new(v);
    for (uint64_t seed = 0; seed < 50; seed++) {
        CHECK_OK(ludus_env_reset(s, st, seed, NULL));
        CHECK_OK(ludus_env_reset(v, sv, seed, NULL));
        CHECK_OK(ludus_env_observe(s, st, os));
        CHECK_OK(ludus_env_observe(v, sv, ov));
        CHECK_EQ(os[1], st->field[0] - W_NUM1 + 1); /* the target number */
        for (int i = 0; i < st->n_el; i++) {
            const uint8_t *r = os + (i + 1) * WEB_C, *q = ov + (i + 1) * WEB_C;
            if (st->el[i].role == R_TEXTBOX) CHECK_EQ(r[3], st->el[i].value - W_NUM1 + 1);
            /* role, flags, match columns, depth and handler as the default's */
            CHECK(r[0] == q[0] && r[1] == q[1] && r[4] == q[4] && r[5] == q[5] && r[6] == q[6] && r[7] == q[7]);
        }
        /* the spinner's up and down buttons have ids of their own */
        int up = -1, down = -1;
        for (int i = 0; i < st->n_el; i++)
            if (st->el[i].handler == H_STEP) *(st->el[i].harg ? &up : &down) = os[(i + 1) * WEB_C + 2];
        CHECK(up > 0 && down > 0 && up != down);
    }
    free(st);
    free(sv);
    ludus_env_destroy(s);
    ludus_env_destroy(v);
}

/* Random model-like text and random bytes through both parses: an error
 * or an action in range, never a crash; a resolved word is a slot holding
 * a word so spelled, or <unk>. */
static void test_fuzz_parse(void)
{
    static const char *const parts[] = {"type", "select", "stop", "click", "[", "]", "1", "12", "47", "48",
                                        "field1", "field7", "el0", "el47", "el48", "alice", "table", "phone",
                                        "<unk>", " ", "0", "zz", "\n", "Action:", "submit", "kiwi"};
    const int np = (int)(sizeof parts / sizeof parts[0]);
    ludus_env *s = make("Web-read-table-v0", "words=slots");
    const ludus_env_info *in = ludus_env_get_info(s);
    web_state *st = ludus_env_state_new(s);
    uint64_t rng = 99;
    long ok = 0;
    for (int n = 0; n < 20000; n++) {
        if (n % 100 == 0) CHECK_OK(ludus_env_reset(s, st, (uint64_t)n, NULL));
        char text[160] = "";
        int len = 1 + (int)(rng_next(&rng) % 8);
        for (int k = 0; k < len; k++) {
            if (rng_next(&rng) % 10 == 0) { /* a random byte */
                char c[2] = {(char)(1 + rng_next(&rng) % 255), 0};
                strcat(text, c);
            } else {
                strcat(text, parts[rng_next(&rng) % (uint64_t)np]);
                if (rng_next(&rng) % 3) strcat(text, " ");
            }
        }
        int32_t a[3] = {-1, -1, -1};
        int rc = (n & 1) ? ludus_web_parse_action(s, st, text, a) : ludus_env_parse_action(s, text, a);
        if (rc != LUDUS_OK) {
            CHECK(rc == LUDUS_EINVAL && ludus_errmsg()[0] && !strchr(ludus_errmsg(), '\n'));
            continue;
        }
        ok++;
        for (int d = 0; d < 3; d++) CHECK(a[d] >= 0 && a[d] < in->action_nvec[d]);
    }
    printf("fuzz: %ld of 20000 texts parsed\n", ok);
    CHECK(ok > 1000);
    free(st);
    ludus_env_destroy(s);
}

int main(void)
{
    test_option();
    test_default_unchanged();
    test_round_trip();
    test_oracle_and_tensor();
    test_tensor_codes();
    test_fuzz_parse();
    return check_finish("test_web_slots");
}
