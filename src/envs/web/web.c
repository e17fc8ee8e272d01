/* web.c: the web world family's contract: options, reset, step, the
 * legal-action mask, the text grammar of web agents, state validation and
 * the registry (one id per task, Web-<task>-v0). docs/web.md describes the
 * worlds; spec/web.md the study they come from.
 *
 * An action is (verb, element, word): verb one of click, type, select,
 * scroll up, scroll down, go back, stop; element a slot 0..K-1 of the
 * page; word a value of the task's vocabulary (0: a word outside it), what
 * `type` types, `select` chooses and `stop` answers. An action the page
 * cannot take (no such element, hidden, disabled, a verb that does not fit
 * the role, go back on the first page, an option the list lacks) is an
 * invalid action: it costs a step, changes nothing, and is counted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ludus/web.h"
#include "web.h"

static const char *const verb_names[V_COUNT] = {"click", "type", "select", "scroll up", "scroll down", "go back",
                                                 "stop"};

static const env_ops web_ops, web_ops_cased;
extern const env_entry ludus_web_entries[];
extern const int ludus_web_entry_count;

static void web_destroy(ludus_env *env)
{
    free((void *)env->impl);
    env->impl = NULL;
}

/* Held-out membership: a pure hash of the thing, so no list is stored. */
static int heldout_word(int w) { return ludus_web_mix(0x77656241ull ^ (uint64_t)w) % 5 == 0; }
static int heldout_skin(int k) { return ludus_web_mix(0x736b696eull ^ (uint64_t)k) % 4 == 0; }
static int heldout_seed(uint64_t seed) { return ludus_web_mix(seed ^ 0x5eed5eedull) % 5 == 0; }

/* words=slots: the tensor's id of a word, within the symbol map's 64 ids
 * (the vocabulary's values reach 91 in the wide tasks): numbers 1-31 as
 * themselves, months 32-43, a name 44, a noun 45 (which one is what the
 * match columns say), any other word 46 + id mod 18. */
static uint8_t slot_code(int w)
{
    if (w == W_PAD) return 0;
    if (w >= W_NUM1 && w < W_NUM_END) return (uint8_t)(1 + w - W_NUM1);
    if (w >= W_MONTH0 && w < W_NUM1) return (uint8_t)(32 + w - W_MONTH0);
    if (w >= W_NAME0 && w < W_NOUN0) return 44;
    if (w >= W_NOUN0 && w < W_MONTH0) return 45;
    return (uint8_t)(46 + w % 18);
}

/* words=slots: an element's word, what the slot reference stands for: its
 * second name word when it has one (a marker's word, 'lorem kiwi'), else
 * its name. */
static int el_word(const web_el *e) { return e->name2 ? e->name2 : e->name; }

/* words=slots: the word slot reference v stands for in st (RC_OK), or why
 * it stands for none: a field the instruction lacks or an empty slot
 * (RC_NO_SUCH), a hidden element (RC_HIDDEN). */
static int ref_word(const web_state *st, int v, int *word)
{
    *word = W_UNK;
    if (v <= 0) return RC_OK;
    if (v <= WEB_FIELDS) {
        if (v - 1 >= st->n_field) return RC_NO_SUCH;
        *word = st->field[v - 1];
        return RC_OK;
    }
    const int i = v - 1 - WEB_FIELDS;
    if (i >= st->n_el) return RC_NO_SUCH;
    if (!ludus_web_visible(st, i)) return RC_HIDDEN;
    if (!el_word(&st->el[i])) return RC_NO_SUCH;
    *word = el_word(&st->el[i]);
    return RC_OK;
}

/* words=slots: the reference to word w in st: the first instruction field
 * holding it, else the first shown element whose word it is, else 0. */
static int word_ref(const web_state *st, int w)
{
    if (w == W_UNK || w == W_PAD) return 0;
    for (int k = 0; k < st->n_field; k++)
        if (st->field[k] == w) return 1 + k;
    for (int i = 0; i < st->n_el; i++)
        if (el_word(&st->el[i]) == w && ludus_web_visible(st, i)) return 1 + WEB_FIELDS + i;
    return 0;
}

static int pick_name(const char *val, const char *const *names, int n, const char *key, int *out)
{
    for (int i = 0; i < n; i++)
        if (strcmp(val, names[i]) == 0) {
            *out = i;
            return LUDUS_OK;
        }
    char list[160] = "";
    for (int i = 0; i < n; i++) {
        strcat(list, i ? "|" : "");
        strcat(list, names[i]);
    }
    return ludus_err_set(LUDUS_EINVAL, "option %s=%s: want one of %s", key, val, list);
}

static int web_make(const env_entry *entry, const char *options, ludus_env *env)
{
    static const char *const rewards[] = {"binary", "partial", "time", "shaped"};
    static const char *const splits[] = {"all", "train", "test"};
    static const char *const holds[] = {"seed", "entity", "skin", "domain", "task", "atomic"};
    static const char *const wordss[] = {"vocab", "slots"};
    const web_task *task = entry->params;
    int reward = WEB_R_BINARY, split = WEB_SPLIT_ALL, holdout = WEB_HOLD_SEED, words = WEB_WORDS_VOCAB;
    long mask = 1;
    char key[64], val[64];
    const char *cur = options;
    int r;
    while ((r = ludus_env_options_next(&cur, key, sizeof key, val, sizeof val)) > 0) {
        if (strcmp(key, "reward") == 0) {
            if (pick_name(val, rewards, 4, key, &reward)) return LUDUS_EINVAL;
        } else if (strcmp(key, "split") == 0) {
            if (pick_name(val, splits, 3, key, &split)) return LUDUS_EINVAL;
        } else if (strcmp(key, "holdout") == 0) {
            if (pick_name(val, holds, 6, key, &holdout)) return LUDUS_EINVAL;
        } else if (strcmp(key, "mask") == 0) {
            if (ludus_env_option_int(key, val, 0, 1, &mask)) return LUDUS_EINVAL;
        } else if (strcmp(key, "words") == 0) {
            if (pick_name(val, wordss, 2, key, &words)) return LUDUS_EINVAL;
        } else {
            return ludus_err_set(LUDUS_EINVAL,
                                 "unknown option '%s' (web worlds take reward=, split=, holdout=, mask=, words=)", key);
        }
    }
    if (r < 0) return LUDUS_EINVAL;
    /* held-out domains (docs/web.md): their ids are test only, the seen
     * sites' ids train only; holdout=task needs subgoal combinations */
    if (holdout == WEB_HOLD_DOMAIN && split == WEB_SPLIT_TRAIN && ludus_web_task_domain(task))
        return ludus_err_set(LUDUS_EINVAL, "%s is a held-out domain: holdout=domain has no train split for it "
                             "(train on the seen sites' ids)", entry->id);
    if (holdout == WEB_HOLD_DOMAIN && split == WEB_SPLIT_TEST && !ludus_web_task_domain(task))
        return ludus_err_set(LUDUS_EINVAL, "%s is a seen domain: holdout=domain has no test split for it "
                             "(test on Web-files-organize-v0, Web-admin-edit-v0, Web-cross-order-mail-v0)", entry->id);
    if (holdout == WEB_HOLD_TASK && split != WEB_SPLIT_ALL && !ludus_web_task_combo(task) &&
        !ludus_web_compose_salt(task))
        return ludus_err_set(LUDUS_EINVAL, "%s has no subgoal combinations: holdout=task applies to the site "
                             "tasks (shop, mail, forms, travel, calendar, social, cart, info, files, admin)",
                             entry->id);
    /* atomic->site (spec B8): the atomic ids train, the site ids test */
    if (holdout == WEB_HOLD_ATOMIC && split == WEB_SPLIT_TEST && !ludus_web_task_site(task))
        return ludus_err_set(LUDUS_EINVAL, "%s is an atomic task: holdout=atomic has no test split for it "
                             "(test on the site tasks' ids)", entry->id);
    if (holdout == WEB_HOLD_ATOMIC && split == WEB_SPLIT_TRAIN && ludus_web_task_site(task))
        return ludus_err_set(LUDUS_EINVAL, "%s is a site task: holdout=atomic has no train split for it "
                             "(train on the atomic tasks' ids)", entry->id);
    web_spec *s = calloc(1, sizeof *s);
    if (!s) return ludus_err_set(LUDUS_ENOMEM, "out of memory");
    s->task = task;
    s->task_index = 0;
    for (int k = 0; k < ludus_web_task_count; k++)
        if (task == &ludus_web_tasks[k]) s->task_index = k;
    for (int k = 0; k < ludus_web_site_task_count; k++)
        if (task == &ludus_web_site_tasks[k]) s->task_index = ludus_web_task_count + k;
    /* the entry's place in the table: the same numbers as above for the
     * tasks listed there, and one of its own for every later task */
    if (entry >= ludus_web_entries && entry < ludus_web_entries + ludus_web_entry_count)
        s->task_index = (int)(entry - ludus_web_entries);
    s->reward = reward;
    s->split = split;
    s->holdout = holdout;
    s->mask = (int)mask;
    s->words = words;
    /* the task's vocabulary: value 0 is any word outside it */
    s->lex[s->lex_n++] = W_UNK;
    if (task->lex == WEB_LEX_DATE) {
        for (int w = W_MONTH0; w < W_NUM_END; w++) s->lex[s->lex_n++] = (uint8_t)w;
    } else if (task->lex == WEB_LEX_SHOP) { /* nouns, colours, sizes, names, the price filter's values */
        for (int w = W_NAME0; w < W_MONTH0; w++) s->lex[s->lex_n++] = (uint8_t)w;
        for (int w = W_COLOR0; w < W_CITY0; w++) s->lex[s->lex_n++] = (uint8_t)w;
        static const uint8_t filter[4] = {W_ANY, W_NUM1 + 9, W_NUM1 + 19, W_NUM1 + 29};
        for (int k = 0; k < 4; k++) s->lex[s->lex_n++] = filter[k];
    } else if (task->lex == WEB_LEX_FORM) { /* names, cities, months, days */
        for (int w = W_NAME0; w < W_NOUN0; w++) s->lex[s->lex_n++] = (uint8_t)w;
        for (int w = W_CITY0; w < W_CITY0 + 8; w++) s->lex[s->lex_n++] = (uint8_t)w;
        for (int w = W_MONTH0; w < W_NUM_END; w++) s->lex[s->lex_n++] = (uint8_t)w;
    } else if (task->lex == WEB_LEX_CALENDAR) { /* names, nouns (titles) */
        for (int w = W_NAME0; w < W_MONTH0; w++) s->lex[s->lex_n++] = (uint8_t)w;
    } else if (task->lex == WEB_LEX_TRAVEL) { /* names, cities, days */
        for (int w = W_NAME0; w < W_NOUN0; w++) s->lex[s->lex_n++] = (uint8_t)w;
        for (int w = W_CITY0; w < W_CITY0 + 8; w++) s->lex[s->lex_n++] = (uint8_t)w;
        for (int w = W_NUM1; w < W_NUM_END; w++) s->lex[s->lex_n++] = (uint8_t)w;
    } else if (task->lex == WEB_LEX_WIDE) { /* names, nouns, months, numbers (atomic.c) */
        for (int w = W_NAME0; w < W_NUM_END; w++) s->lex[s->lex_n++] = (uint8_t)w;
    } else if (task->lex == WEB_LEX_INFO) { /* the shop's words, 1-31 for answers, and na (N/A) */
        for (int w = W_NAME0; w < W_MONTH0; w++) s->lex[s->lex_n++] = (uint8_t)w;
        for (int w = W_NUM1; w < W_NUM_END; w++) s->lex[s->lex_n++] = (uint8_t)w;
        for (int w = W_COLOR0; w < W_CITY0; w++) s->lex[s->lex_n++] = (uint8_t)w;
        s->lex[s->lex_n++] = W_ANY;
        s->lex[s->lex_n++] = W_NA;
    } else if (task->lex == WEB_LEX_CASE || task->lex == WEB_LEX_PREFIX) { /* words with a case or a prefix */
        ludus_web_typed_lex(s);
    } else { /* content words: names and nouns (the mail's senders and subjects) */
        for (int w = W_NAME0; w < W_MONTH0; w++) s->lex[s->lex_n++] = (uint8_t)w;
    }
    for (int i = 1; i < s->lex_n; i++)
        if (!s->lex_mod[i]) s->lex_of[s->lex[i]] = (uint8_t)i; /* a word's own value, not a case or prefix of it */
    if (words == WEB_WORDS_SLOTS && s->typed) {
        free(s);
        return ludus_err_set(LUDUS_EINVAL, "option words=slots: %s types a word with a case or a first letter, which "
                             "no slot names (use words=vocab)", entry->id);
    }
    for (int w = 0; w < 256; w++) s->tcode[w] = words == WEB_WORDS_SLOTS ? slot_code(w) : s->lex_of[w];
    /* content words: held-out entities appear only in the test split */
    int ent = holdout == WEB_HOLD_ENTITY && split != WEB_SPLIT_ALL;
    for (int w = W_NAME0; w < W_MONTH0; w++) {
        int out = heldout_word(w);
        if (!ent || (split == WEB_SPLIT_TRAIN) == !out) s->pool[s->pool_n++] = (uint8_t)w;
        if (!ent || split == WEB_SPLIT_TEST || !out) s->other[s->other_n++] = (uint8_t)w;
    }
    s->words_sorted = 1;
    for (int k = 1; k < s->pool_n; k++) s->words_sorted &= s->pool[k - 1] < s->pool[k];
    for (int k = 1; k < s->other_n; k++) s->words_sorted &= s->other[k - 1] < s->other[k];
    int sk = holdout == WEB_HOLD_SKIN && split != WEB_SPLIT_ALL;
    for (int k = 0; k < WEB_SKINS; k++)
        if (!sk || (split == WEB_SPLIT_TRAIN) == !heldout_skin(k)) s->skins[s->skins_n++] = (uint8_t)k;
    /* the sites draw a target name and a target noun, and others of each */
    int pool_names = 0, pool_nouns = 0, other_names = 0, other_nouns = 0;
    for (int k = 0; k < s->pool_n; k++) s->pool[k] < W_NOUN0 ? pool_names++ : pool_nouns++;
    for (int k = 0; k < s->other_n; k++) s->other[k] < W_NOUN0 ? other_names++ : other_nouns++;
    if (!s->pool_n || !s->skins_n || s->other_n < 20 || !pool_names || !pool_nouns || other_names < 8 ||
        other_nouns < 8 || (ludus_web_task_combo(task) && !ludus_web_combo_count(s)) ||
        (ludus_web_compose_salt(task) && !ludus_web_compose_count(s))) {
        free(s);
        return ludus_err_set(LUDUS_EINTERNAL, "web: an empty split");
    }
    /* action names: the verbs, the element slots, the vocabulary */
    int n = 0;
    for (int v = 0; v < V_COUNT; v++) s->names[n++] = verb_names[v];
    for (int i = 0; i < WEB_K; i++) {
        snprintf(s->store[i], sizeof s->store[i], "[%d]", i);
        s->names[n++] = s->store[i];
    }
    if (words == WEB_WORDS_SLOTS) { /* <unk>, field1..field6, el0..el47 */
        s->names[n++] = ludus_web_words[W_UNK];
        for (int v = 1; v < WEB_REFS; v++) {
            char *b = s->store[WEB_K + v];
            if (v <= WEB_FIELDS) snprintf(b, sizeof s->store[0], "field%d", v);
            else snprintf(b, sizeof s->store[0], "el%d", v - 1 - WEB_FIELDS);
            s->names[n++] = b;
        }
    } else {
        for (int i = 0; i < s->lex_n; i++) s->names[n++] = ludus_web_words[s->lex[i]];
        if (s->typed) ludus_web_typed_names(s);
    }
    snprintf(s->options_doc, sizeof s->options_doc,
             "reward=binary|partial|time|shaped (default binary: +1 success, -1 failure), split=all|train|test, "
             "holdout=seed|entity|skin|domain|task|atomic (what test holds out), mask=0|1 (default 1: a legal-action mask; 0: every "
             "action accepted, invalid ones counted), words=vocab|slots (the word component: a vocabulary word, or "
             "an instruction field or element slot)");
    if (ludus_web_actions_line(s) != LUDUS_OK) {
        free(s);
        return LUDUS_EINTERNAL;
    }
    env->impl = s;
    env->ops = s->typed == WEB_TYPED_CASE ? &web_ops_cased : &web_ops;
    ludus_env_info *info = &env->info;
    info->family = "web";
    info->action_dims = 3;
    info->action_nvec[0] = V_COUNT;
    info->action_nvec[1] = WEB_K;
    info->action_nvec[2] = words == WEB_WORDS_SLOTS ? WEB_REFS : s->lex_n;
    info->num_actions = V_COUNT + WEB_K + info->action_nvec[2];
    info->max_action = 0;
    info->mask_size = s->mask ? info->num_actions : 0;
    info->action_names = s->names;
    info->num_obs_fields = 2;
    info->obs_fields[0] = (ludus_obs_field){"page", 0, 2, {WEB_K + 1, WEB_C, 0}, 0, 63, 0, 63, LUDUS_OBS_SYMBOL_MAP};
    info->obs_fields[1] = (ludus_obs_field){"status", (WEB_K + 1) * WEB_C, 1, {8, 0, 0}, 0, 255, 0, 255,
                                            LUDUS_OBS_SCALARS};
    info->obs_size = (WEB_K + 1) * WEB_C + 8;
    info->state_size = sizeof(web_state);
    info->width = WEB_C;
    info->height = WEB_K + 1;
    info->max_steps = task->max_steps;
    info->text_capacity = WEB_TEXT_CAP;
    info->mission_capacity = WEB_MISSION;
    info->options_doc = s->options_doc;
    info->train_options = "";
    info->flags = LUDUS_ENV_INSTRUCTED;
    return LUDUS_OK;
}

static int web_reset(const ludus_env *env, void *state, uint64_t seed, int reseed)
{
    const web_spec *s = env->impl;
    web_state *st = state;
    if (reseed) {
        /* the seed split: a seed outside the split stands for the next one in it */
        if (s->holdout == WEB_HOLD_SEED && s->split != WEB_SPLIT_ALL)
            while (heldout_seed(seed) != (s->split == WEB_SPLIT_TEST)) seed = ludus_web_mix(seed);
        st->rng = ludus_web_mix(seed ^ 0x7765622d6c766cull);
    }
    /* holdout=task (compose.c): a level whose composition is outside the
     * split stands for the next level of the stream that is in it */
    for (int tries = 0;; tries++) {
        if (tries == WEB_COMPOSE_TRIES)
            return ludus_err_set(LUDUS_EINTERNAL, "web: no level of the split's compositions in %d draws", tries);
        uint64_t rng = st->rng;
        env_state_header h = st->h;
        memset(st, 0, sizeof *st);
        st->h = h;
        st->rng = rng;
        st->task = (uint8_t)s->task_index;
        st->max_t = s->task->max_steps;
        st->kn_n = s->task->kn_n;
        st->skin = s->skins[ludus_web_below(st, (uint32_t)s->skins_n)];
        st->nav_n = 1;
        s->task->gen(s, st);
        if (s->holdout != WEB_HOLD_TASK || s->split == WEB_SPLIT_ALL || ludus_web_compose_in_split(s, st)) break;
    }
    if (s->task->build) s->task->build(s, st);
    st->max_scroll = (uint8_t)ludus_web_max_scroll(st);
    return LUDUS_OK;
}

/* Whether the verb fits element i (visible, enabled): the RC_* it gets. */
static int check_target(const web_state *st, int verb, int i)
{
    if (i >= st->n_el) return RC_NO_SUCH;
    const web_el *e = &st->el[i];
    if (!ludus_web_visible(st, i)) return RC_HIDDEN;
    if (verb == V_CLICK && !ludus_web_actionable(e)) return RC_BAD_VERB;
    if (verb == V_TYPE && (e->role != R_TEXTBOX || (e->flags & F_READONLY))) return RC_BAD_VERB;
    if (verb == V_SELECT && e->role != R_COMBOBOX && e->role != R_SLIDER) return RC_BAD_VERB;
    if (e->flags & F_DISABLED) return RC_DISABLED;
    return RC_OK;
}

static int apply(const web_spec *s, web_state *st, const int32_t *a)
{
    const int verb = a[0], i = a[1];
    int word = s->lex[a[2] < s->lex_n ? a[2] : 0];
    if (st->done) return RC_AFTER_END;
    if (s->words == WEB_WORDS_SLOTS && (verb == V_TYPE || verb == V_SELECT || verb == V_STOP)) {
        /* the element's faults first, then the word slot's */
        int rc = verb == V_STOP ? RC_OK : check_target(st, verb, i);
        if (rc == RC_OK) rc = ref_word(st, a[2], &word);
        if (rc != RC_OK) return rc;
    }
    switch (verb) {
    case V_CLICK: {
        int rc = check_target(st, verb, i);
        return rc == RC_OK ? ludus_web_click(s, st, i) : rc;
    }
    case V_TYPE: {
        int rc = check_target(st, verb, i);
        if (rc == RC_OK) st->el[i].value = (uint8_t)word;
        if (rc == RC_OK && s->typed) ludus_web_typed(s, st, i, a[2] < s->lex_n ? a[2] : 0);
        return rc;
    }
    case V_SELECT: {
        int rc = check_target(st, verb, i);
        if (rc != RC_OK) return rc;
        web_el *e = &st->el[i];
        for (int k = e->opt_first; k < e->opt_first + e->opt_n; k++)
            if (st->opt[k] == word) {
                e->value = (uint8_t)word;
                return RC_OK;
            }
        return RC_NO_OPTION;
    }
    case V_SCROLL_UP:
        if (st->scroll == 0) return RC_NO_SCROLL;
        st->scroll--;
        return RC_OK;
    case V_SCROLL_DOWN:
        if (st->scroll >= st->max_scroll) return RC_NO_SCROLL;
        st->scroll++;
        return RC_OK;
    case V_BACK:
        if (st->nav_n <= 1 || !s->task->build) return RC_NO_BACK;
        st->nav_n--;
        s->task->build(s, st);
        return RC_OK;
    case V_STOP:
        st->answer = (uint8_t)word;
        st->done = 1;
        return RC_OK;
    default: return RC_BAD_VERB;
    }
}

static int popcount8(uint32_t x)
{
    int n = 0;
    for (; x; x &= x - 1) n++;
    return n;
}

static void web_step(const ludus_env *env, void *state, const int32_t *action, ludus_step_out *out)
{
    const web_spec *s = env->impl;
    web_state *st = state;
    memset(out, 0, sizeof *out);
    const int was_done = st->done, before = popcount8(st->kn_hit);
    st->t++;
    int rc = apply(s, st, action);
    st->last_rc = (uint8_t)rc;
    /* the page's length changes only when a click or go back changes it */
    if (rc == RC_OK && (action[0] == V_CLICK || action[0] == V_BACK || (action[0] == V_TYPE && s->typed))) {
        st->max_scroll = (uint8_t)ludus_web_max_scroll(st);
        if (st->scroll > st->max_scroll) st->scroll = st->max_scroll;
    }
    if (rc != RC_OK && st->n_invalid < 0xffff) st->n_invalid++;
    if (was_done) return; /* the world continues, frozen, as the contract asks */
    int ok;
    uint32_t kn = s->task->eval(s, st, &ok) & ((1u << st->kn_n) - 1);
    st->kn_hit |= (uint8_t)kn;
    const double completion = (double)popcount8(st->kn_hit) / st->kn_n;
    if (s->reward == WEB_R_SHAPED) out->reward += (double)(popcount8(st->kn_hit) - before) / st->kn_n;
    if (st->done) {
        st->success = (uint8_t)ok;
        out->terminated = 1;
        out->success = (uint8_t)ok;
        switch (s->reward) {
        case WEB_R_PARTIAL: out->reward = ok ? 1.0 : completion; break;
        case WEB_R_TIME: {
            double left = 1.0 - (double)st->t / st->max_t;
            out->reward = ok ? (left > 0 ? left : 0) : -1.0;
            break;
        }
        default: out->reward += ok ? 1.0 : -1.0;
        }
    }
    if (st->t >= st->max_t) out->truncated = 1;
}

static void web_mask(const ludus_env *env, const void *state, uint8_t *mask)
{
    const web_spec *s = env->impl;
    const web_state *st = state;
    uint8_t *verbs = mask, *els = mask + V_COUNT, *words = mask + V_COUNT + WEB_K;
    memset(mask, 0, (size_t)env->info.mask_size);
    for (int i = 0; i < st->n_el; i++) {
        /* what check_target accepts, with visibility tested once */
        const web_el *e = &st->el[i];
        if ((e->flags & F_DISABLED) || !ludus_web_visible(st, i) || !ludus_web_actionable(e)) continue;
        verbs[V_CLICK] = 1;
        if (e->role == R_TEXTBOX && !(e->flags & F_READONLY)) verbs[V_TYPE] = 1;
        if (e->role == R_COMBOBOX || e->role == R_SLIDER) verbs[V_SELECT] = 1;
        els[i] = 1;
    }
    verbs[V_SCROLL_UP] = st->scroll > 0;
    verbs[V_SCROLL_DOWN] = st->scroll < st->max_scroll;
    verbs[V_BACK] = st->nav_n > 1 && s->task->build;
    verbs[V_STOP] = 1;
    /* a component needs one legal value even when its verb ignores it:
     * slot 0 stays legal, as the text grammar's scroll, go_back and stop
     * name it (a click on it, when it is no control, is a counted invalid
     * action) */
    els[0] = 1;
    if (st->done) memset(verbs, 1, V_COUNT);
    if (s->words == WEB_WORDS_SLOTS) { /* <unk>, the fields the instruction has, shown elements with a word */
        words[0] = 1;
        memset(words + 1, 1, st->n_field);
        for (int i = 0; i < st->n_el; i++)
            words[1 + WEB_FIELDS + i] = el_word(&st->el[i]) && ludus_web_visible(st, i);
        return;
    }
    memset(words, 1, (size_t)s->lex_n);
}

/* ---- the text grammar ---- */

static int is_number(const char *p, size_t n)
{
    if (!n || n > 6) return 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9') return 0;
    return 1;
}

/* The vocabulary value of the words in [p, end) ("" gives 0); a trailing
 * press-enter flag 0/1 of WebArena's `type` is dropped when the rest is a
 * word of the vocabulary. */
static int word_value(const web_spec *s, const char *p, const char *end, int flag_ok)
{
    while (p < end && *p == ' ') p++;
    size_t n = (size_t)(end - p);
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 1; i < s->lex_n; i++) {
            const char *w = s->names[V_COUNT + WEB_K + i]; /* the word, or its case or prefix */
            if (strlen(w) == n && memcmp(w, p, n) == 0) return i;
        }
        if (!flag_ok || n < 3 || (memcmp(end - 2, " 0", 2) != 0 && memcmp(end - 2, " 1", 2) != 0)) break;
        n -= 2;
    }
    return 0;
}

/* ludus_web_parse_action's state while it parses (words=slots resolves a
 * word against it); NULL for ludus_env_parse_action. Per thread. */
static _Thread_local const web_state *parse_state;

/* words=slots: the slot value the text in [p, end) names: nothing or
 * <unk> (0), field1..field6, el0..el47, or, with a state to resolve it
 * against, a word (word_ref of the first slot holding a word so spelled; a
 * trailing press-enter flag dropped as in word_value); -1 for a word
 * without a state. */
static int slot_value(const web_spec *s, const char *p, const char *end, int flag_ok)
{
    while (p < end && *p == ' ') p++;
    size_t n = (size_t)(end - p);
    if (n == 0 || (n == 3 && memcmp(p, "unk", 3) == 0)) return 0;
    for (int pass = 0; pass < 2; pass++) {
        for (int v = 1; v < WEB_REFS; v++) {
            const char *w = s->names[V_COUNT + WEB_K + v];
            if (strlen(w) == n && memcmp(w, p, n) == 0) return v;
        }
        if (parse_state) { /* a spelling two words share (phone, table): the first slot holding either */
            int best = 0, seen = 0;
            for (int w = W_UNK + 1; w < W_END; w++) {
                const char *t = ludus_web_words[w];
                if (strlen(t) != n || memcmp(t, p, n) != 0) continue;
                int r = word_ref(parse_state, w);
                seen = 1;
                if (r && (!best || r < best)) best = r;
            }
            if (seen) return best;
        }
        if (!flag_ok || n < 3 || (memcmp(end - 2, " 0", 2) != 0 && memcmp(end - 2, " 1", 2) != 0)) break;
        n -= 2;
    }
    return parse_state ? 0 : -1;
}

/* The word component of the text in [p, end), in the spec's encoding. */
static int word_component(const web_spec *s, const char *p, const char *end, int flag_ok, int32_t *out)
{
    if (s->words != WEB_WORDS_SLOTS) {
        *out = word_value(s, p, end, flag_ok);
        return LUDUS_OK;
    }
    int v = slot_value(s, p, end, flag_ok);
    if (v < 0)
        return ludus_err_set(LUDUS_EINVAL, "invalid action: with words=slots a word is named by its slot (<unk>, "
                             "field1..field%d, el0..el%d); ludus_web_parse_action resolves a word against a state",
                             WEB_FIELDS, WEB_K - 1);
    *out = v;
    return LUDUS_OK;
}

/* words: lower-case; cased: the same words with their capitals, read
 * for the text of `type` (the same length, so offsets carry over) */
static int parse_words(const ludus_env *env, const char *words, const char *cased, int32_t *action)
{
    const web_spec *s = env->impl;
    static const char *const kw[] = {"click", "type", "select", "scroll", "go back", "stop"};
    /* the last action named in the reply */
    const char *at = NULL;
    int which = -1;
    for (int k = 0; k < 6; k++) {
        size_t n = strlen(kw[k]);
        for (const char *p = words; (p = strstr(p, kw[k])); p++)
            if ((p == words || p[-1] == ' ') && (p[n] == 0 || p[n] == ' ') && (!at || p > at)) {
                at = p;
                which = k;
            }
    }
    if (!at)
        return ludus_err_set(LUDUS_EINVAL, "invalid action: '%.40s%s' is none of click [id], type [id] [text], "
                             "select [id] [option], scroll [up|down], go_back, stop [answer]",
                             words, strlen(words) > 40 ? "..." : "");
    const char *p = at + strlen(kw[which]), *end = words + strlen(words);
    while (*p == ' ') p++;
    action[0] = action[1] = action[2] = 0;
    if (which <= 2) {
        const char *q = strchr(p, ' ');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        if (!is_number(p, n))
            return ludus_err_set(LUDUS_EINVAL, "invalid action: %s wants an element id, as in '%s [3]'", kw[which],
                                 kw[which]);
        long id = strtol(p, NULL, 10);
        if (id < 0 || id >= WEB_K)
            return ludus_err_set(LUDUS_EINVAL, "invalid action: element %ld is out of range (ids are 0..%d)", id,
                                 WEB_K - 1);
        action[0] = which == 0 ? V_CLICK : which == 1 ? V_TYPE : V_SELECT;
        action[1] = (int32_t)id;
        if (which > 0) {
            const char *t = p + n;
            if (t >= end)
                return ludus_err_set(LUDUS_EINVAL, "invalid action: %s wants a %s after the element id", kw[which],
                                     which == 1 ? "text" : "option");
            if (which == 1 && s->words != WEB_WORDS_SLOTS) { /* vocab: the typed text keeps its capitals */
                action[2] = word_value(s, cased + (t - words), cased + (end - words), 1);
                return LUDUS_OK;
            }
            return word_component(s, t, end, which == 1, &action[2]);
        }
        return LUDUS_OK;
    }
    if (which == 3) {
        action[0] = strncmp(p, "up", 2) == 0 ? V_SCROLL_UP : V_SCROLL_DOWN;
        return LUDUS_OK;
    }
    if (which == 4) {
        action[0] = V_BACK;
        return LUDUS_OK;
    }
    action[0] = V_STOP;
    return word_component(s, p, end, 0, &action[2]);
}

static int web_parse(const ludus_env *env, const char *words, int32_t *action)
{
    const web_spec *s = env->impl;
    if (s->typed != WEB_TYPED_CASE) return parse_words(env, words, words, action);
    /* enter-text-case (web_ops_cased): the words come with their capitals */
    size_t n = strlen(words);
    char small[256], *low = n < sizeof small ? small : malloc(n + 1);
    if (!low) return ludus_err_set(LUDUS_ENOMEM, "out of memory parsing a reply of %zu bytes", n);
    for (size_t k = 0; k <= n; k++) low[k] = (char)(words[k] >= 'A' && words[k] <= 'Z' ? words[k] + 32 : words[k]);
    int rc = parse_words(env, low, words, action);
    if (low != small) free(low);
    return rc;
}

static uint32_t web_max_steps(const ludus_env *env, const void *state)
{
    (void)env;
    return ((const web_state *)state)->max_t;
}

static uint32_t web_step_count(const ludus_env *env, const void *state)
{
    (void)env;
    return ((const web_state *)state)->t;
}

static const char *web_mission(const ludus_env *env, const void *state)
{
    (void)env;
    return ((const web_state *)state)->mission;
}

#define BAD(...) return ludus_err_set(LUDUS_EFORMAT, __VA_ARGS__)

/* A state from elsewhere: every index and word the views, handlers and the
 * oracle use is in range, and the tree is a tree (parents before children,
 * depth one more than the parent's). */
static int web_validate(const ludus_env *env, const void *state)
{
    const web_spec *s = env->impl;
    const web_state *st = state;
    if (st->task != s->task_index) BAD("web state: task %d, want %d", st->task, s->task_index);
    if (st->n_el > WEB_K) BAD("web state: %d elements (at most %d)", st->n_el, WEB_K);
    if (st->max_t != s->task->max_steps) BAD("web state: step limit %u, want %u", st->max_t, s->task->max_steps);
    if (st->kn_n != s->task->kn_n || st->kn_hit >> st->kn_n)
        BAD("web state: key nodes %d/%d (want %d)", st->kn_hit, st->kn_n, s->task->kn_n);
    if (st->skin >= WEB_SKINS) BAD("web state: skin %d", st->skin);
    if (st->done > 1 || st->success > 1 || st->committed > 1) BAD("web state: a flag above 1");
    if (st->last_rc >= RC_COUNT) BAD("web state: last result %d", st->last_rc);
    if (st->n_field > WEB_FIELDS || st->n_opt > WEB_OPT || st->n_rec > WEB_REC)
        BAD("web state: counts out of range");
    if (st->nav_n < 1 || st->nav_n > WEB_NAV) BAD("web state: navigation depth %d", st->nav_n);
    for (int k = 0; k < st->nav_n; k++) {
        const web_nav *n = &st->nav[k];
        if (n->page >= P_COUNT || n->a >= W_END || n->b > WEB_REC / 3 + 1 ||
            (s->task->build && n->page == P_DATE && n->a > 11))
            BAD("web state: navigation entry %d", k);
    }
    if (st->mission[WEB_MISSION - 1]) BAD("web state: the mission has no end");
    if (st->answer >= W_END) BAD("web state: answer word %d", st->answer);
    for (int k = 0; k < WEB_FIELDS; k++)
        if (st->field[k] >= W_END) BAD("web state: field %d word %d", k, st->field[k]);
    for (int k = 0; k < WEB_REC; k++)
        if (st->rec[k] >= W_END) BAD("web state: record %d word %d", k, st->rec[k]);
    for (int k = 0; k < WEB_OPT; k++)
        if (st->opt[k] >= W_END) BAD("web state: option %d word %d", k, st->opt[k]);
    /* targets and the record name slots and months the oracle and predicates index */
    if (s->task->slot_target &&
        (st->target[0] >= st->n_el || st->target[1] > 15 || st->el[st->target[0]].group > 15))
        BAD("web state: target %d is no element", st->target[0]);
    if (s->task->build && s->task->lex == WEB_LEX_DATE && (st->target[0] > 11 || st->target[1] < 1 ||
                                                           st->target[1] > 31 || st->db[0] > 11 || st->db[1] > 31))
        BAD("web state: a date out of range");
    if (s->task->build && s->task->lex != WEB_LEX_DATE && st->target[0] >= st->n_rec && st->n_rec)
        BAD("web state: target rank %d of %d results", st->target[0], st->n_rec);
    for (int i = 0; i < st->n_el; i++) {
        const web_el *e = &st->el[i];
        if (e->role == R_NONE || e->role >= R_COUNT) BAD("web state: element %d role %d", i, e->role);
        if (e->parent == WEB_NONE ? e->depth != 0 : (e->parent >= i || e->depth != st->el[e->parent].depth + 1))
            BAD("web state: element %d is not in the tree (parent %d, depth %d)", i, e->parent, e->depth);
        if (e->depth > 7) BAD("web state: element %d too deep", i);
        if (e->name >= W_END || e->name2 >= W_END || e->value >= W_END || e->value2 >= W_END)
            BAD("web state: element %d has a word out of the vocabulary", i);
        if (e->handler >= H_COUNT || e->group > 15) BAD("web state: element %d handler %d", i, e->handler);
        if (e->handler >= H_OPEN && !s->task->validate) BAD("web state: element %d has a site's handler", i);
        if ((e->handler == H_TAB || e->handler == H_EXPAND || e->handler == H_MENU) && (e->harg < 1 || e->harg > 15))
            BAD("web state: element %d opens group %d", i, e->harg);
        if ((e->handler == H_SEARCH && (e->harg >= st->n_el || st->el[e->harg].role != R_TEXTBOX)) ||
            (e->handler == H_RESULT && e->harg >= WEB_REC) || (e->handler == H_DAY && (e->harg < 1 || e->harg > 31)) ||
            (e->handler == H_PAGE && e->harg > 1) || (e->handler == H_MONTH && e->harg > 1))
            BAD("web state: element %d handler argument %d", i, e->harg);
        if ((e->handler == H_SEARCH || e->handler == H_RESULT || e->handler == H_PAGE) &&
            (!s->task->build || s->task->lex == WEB_LEX_DATE))
            BAD("web state: element %d navigates a one-page task", i);
        if ((e->handler == H_MONTH || e->handler == H_DAY) && (!s->task->build || s->task->lex != WEB_LEX_DATE))
            BAD("web state: element %d is a date control outside the date picker", i);
        if (e->opt_first + e->opt_n > WEB_OPT) BAD("web state: element %d options out of range", i);
    }
    if (s->task->validate) {
        int rc = s->task->validate(s, st);
        if (rc) return rc;
    } else if (st->n_row || st->n_cart || st->n_error) {
        BAD("web state: site rows in a one-page task");
    }
    if (st->max_scroll != ludus_web_max_scroll(st) || st->scroll > st->max_scroll)
        BAD("web state: scroll %d of %d (the page allows %d)", st->scroll, st->max_scroll, ludus_web_max_scroll(st));
    return LUDUS_OK;
}

/* ---- registry ---- */

#define WEB_OPS_FIELDS \
    .reset = web_reset, \
    .step_vec = web_step, \
    .action_mask = web_mask, \
    .parse_action = web_parse, \
    .observe = ludus_web_observe, \
    .text = ludus_web_text, \
    .mission = web_mission, \
    .max_steps = web_max_steps, \
    .step_count = web_step_count, \
    .render_size = ludus_web_render_size, \
    .render = ludus_web_render, \
    .render_ansi = ludus_web_render_ansi, \
    .validate = web_validate, \
    .destroy = web_destroy,
static const env_ops web_ops = {WEB_OPS_FIELDS};
/* the same with the reply's capitals kept for parse (enter-text-case) */
static const env_ops web_ops_cased = {WEB_OPS_FIELDS .parse_cased = 1};

#define T(i) (&ludus_web_tasks[i])
const env_entry ludus_web_entries[] = {
    {"Web-click-button-v0", "web: click the button the instruction names", web_make, T(0)},
    {"Web-click-link-v0", "web: click the link the instruction names, among paragraphs", web_make, T(1)},
    {"Web-click-dialog-v0", "web: close a modal dialog with the button named (the page behind is disabled)",
     web_make, T(2)},
    {"Web-click-tab-v0", "web: switch tabs to find the link named and click it", web_make, T(3)},
    {"Web-click-collapsible-v0", "web: expand the section named and click the button inside", web_make, T(4)},
    {"Web-click-menu-v0", "web: open a menu and click the item named (A > B)", web_make, T(5)},
    {"Web-click-checkboxes-v0", "web: check exactly the boxes named, then submit", web_make, T(6)},
    {"Web-enter-text-v0", "web: type the word named into the text box, then submit", web_make, T(7)},
    {"Web-login-user-v0", "web: fill in username and password, then log in", web_make, T(8)},
    {"Web-choose-list-v0", "web: select the option named from a list, then submit", web_make, T(9)},
    {"Web-search-engine-v0", "web: search for a word and click the n-th result (paged results, go_back)",
     web_make, T(10)},
    {"Web-choose-date-v0", "web: pick the date named in a month-grid date picker, then submit", web_make, T(11)},
    /* site templates (sites.c) */
    {"Web-shop-buy-v0", "web site: buy the product that matches noun, colour, size and a price bound (search, "
     "filter, item options, cart, checkout)", web_make, &ludus_web_site_tasks[0]},
    {"Web-mail-triage-v0", "web site: forward one mail, then star, archive or delete every mail from a sender, "
     "then stop", web_make, &ludus_web_site_tasks[1]},
    {"Web-forms-profile-v0", "web site: update a profile form (tabs, lists, a validated date), then save", web_make,
     &ludus_web_site_tasks[2]},
    {"Web-travel-book-v0", "web site: book the cheapest flight from A to B on day D for a passenger (search "
     "form, flexible-date results, booking form)", web_make, &ludus_web_site_tasks[3]},
    {"Web-calendar-schedule-v0", "web site: schedule an event with an invitee in the first free hour from H on "
     "day D (week view, day view, event form)", web_make, &ludus_web_site_tasks[4]},
    /* more atomic tasks (atomic.c) */
#define A(i) (&ludus_web_atomic_tasks[i])
    {"Web-copy-paste-v0", "web: copy the word after a marker in the text into a text box, then submit", web_make,
     A(0)},
    {"Web-find-word-v0", "web: type word n of a paragraph into a text box, then submit", web_make, A(1)},
    {"Web-read-table-v0", "web: read a person's item or day off a table, type it, then submit", web_make, A(2)},
    {"Web-enter-password-v0", "web: type a password into both password fields, then submit", web_make, A(3)},
    {"Web-enter-date-v0", "web: type a date as month and day (skins swap the fields), then submit", web_make, A(4)},
    {"Web-enter-time-v0", "web: enter a time as hour and minute (a text box or a list), then submit", web_make,
     A(5)},
    {"Web-use-spinner-v0", "web: step a read-only number to the value named with up and down, then submit",
     web_make, A(6)},
    {"Web-use-slider-v0", "web: move a slider to the value named, then submit", web_make, A(7)},
    {"Web-click-option-v0", "web: check the radio button named, then submit", web_make, A(8)},
    {"Web-click-scroll-list-v0", "web: select exactly the 1-3 options named in a long multi-select list, then "
     "submit", web_make, A(9)},
    {"Web-multi-orderings-v0", "web: fill four fields whose order on the page and in the instruction differ, "
     "then submit", web_make, A(10)},
    {"Web-form-sequence-v0", "web: a text box, a list and a check box as the instruction says, then submit",
     web_make, A(11)},
    {"Web-click-sequence-v0", "web: click 2-3 buttons in the order named", web_make, A(12)},
    {"Web-phone-book-v0", "web: page through a sorted contact book, click the phone number of the person named",
     web_make, A(13)},
    {"Web-navigate-tree-v0", "web: open folders of a file tree to reach the file named, click it", web_make, A(14)},
    {"Web-guess-number-v0", "web: guess a number from higher/lower feedback (an online probe)", web_make, A(15)},
#undef A
    /* the social site, the shop's cart, info-seeking (site_social.c, site_shop_tasks.c) */
    {"Web-social-moderate-v0", "web site: in forum F reply a word to the most-liked post, block user U, then stop "
     "(feed, forums, posts with like/reply and a block/mute menu, user pages)", web_make,
     &ludus_web_task_social_moderate},
    {"Web-shop-cart-v0", "web site: make the cart exactly the lines named (product, options, count; remove the "
     "rest), then check out to a name", web_make, &ludus_web_task_shop_cart},
    {"Web-info-seek-v0", "web site: read a product's price or rating off the shop and answer with stop [answer], "
     "or stop [N/A] when the shop has no such product", web_make, &ludus_web_task_info_seek},
    /* held-out domain (site_heldout.c): holdout=domain tests these, never trains on them */
    {"Web-files-organize-v0", "web site (held out): three of move, rename, delete a file and create a folder in a "
     "folder tree, then stop", web_make, &ludus_web_heldout_tasks[0]},
    {"Web-admin-edit-v0", "web site (held out): three of edit a user's city or score, delete a user, delete the "
     "top scorer of a city in a data table (filter, sort, pages), then stop", web_make, &ludus_web_heldout_tasks[1]},
    {"Web-cross-order-mail-v0", "web cross-site (held out): read the number of the latest order of a noun on the "
     "shop and mail it to a name, through a home page", web_make, &ludus_web_heldout_tasks[2]},
    /* the last atomic tasks of spec B4 (atomic_more.c) */
#define M(i) (&ludus_web_more_tasks[i])
    {"Web-use-autocomplete-v0", "web: type an item's first letter, pick it from the suggestions (starts with X, ends "
     "with YZ), then submit", web_make, M(0)},
    {"Web-enter-text-case-v0", "web: type a name in lower, upper or title case, then submit", web_make, M(1)},
    {"Web-email-action-v0", "web: star, delete, reply to (a word) or forward (to a name) the mail from a sender",
     web_make, M(2)},
    {"Web-social-action-v0", "web: like every post of a user, or block the user from a post's menu, then submit",
     web_make, M(3)},
    {"Web-book-flight-v0", "web: search the flights from A to B on day D, book the cheapest or the shortest",
     web_make, M(4)},
    {"Web-order-food-v0", "web: put the items and counts named in the cart (add, remove), then order", web_make,
     M(5)},
    {"Web-daily-calendar-v0", "web: add an event with a title and an invitee at a free hour, or delete the event "
     "named, in a day view", web_make, M(6)},
#undef M
    /* a second task of the social site (site_social.c) */
    {"Web-social-like-user-v0", "web site: like every post of user U (through the feed, forums or U's page; U may "
     "be muted), change nothing else, then stop", web_make, &ludus_web_task_social_like_user},
    /* more info-seeking questions (site_info.c) */
    {"Web-info-question-v0", "web site: answer a question about the shop's products (how many, which is cheaper, "
     "which brand is cheapest or best rated, in how many colours) with stop [answer]", web_make,
     &ludus_web_task_info_question},
    {"Web-info-calendar-v0", "web site: answer a question about the calendar (how many events on a day, who an "
     "event is with, at what hour, which comes first) with stop [answer]", web_make, &ludus_web_task_info_calendar},
};
const int ludus_web_entry_count = (int)(sizeof ludus_web_entries / sizeof ludus_web_entries[0]);

_Static_assert(sizeof ludus_web_entries / sizeof ludus_web_entries[0] == 17 + 16 + 3 + 3 + 7 + 1 + 2, "one id per task");

/* ---- the family's own API (include/ludus/web.h) ---- */

static int web_state_of(const ludus_env *env, const void *state, const char *what)
{
    if (!env || !state) return ludus_err_set(LUDUS_EINVAL, "%s: env or state is NULL", what);
    if (env->ops != &web_ops && env->ops != &web_ops_cased) return ludus_err_set(LUDUS_EUNSUPPORTED, "%s: '%s' is not a web world", what, env->id);
    const env_state_header *h = state;
    if (h->magic != ENV_STATE_MAGIC || h->tag != env->tag)
        return ludus_err_set(LUDUS_ESTATE, "%s: this state was never reset by '%s'", what, env->id);
    return LUDUS_OK;
}

int ludus_web_progress(const ludus_env *env, const void *state, ludus_web_info *out)
{
    int rc = web_state_of(env, state, "ludus_web_progress");
    if (rc) return rc;
    if (!out) return ludus_err_set(LUDUS_EINVAL, "ludus_web_progress: out is NULL");
    const web_state *st = state;
    memset(out, 0, sizeof *out);
    out->success = st->success;
    out->done = st->done;
    out->key_nodes = st->kn_n;
    out->key_nodes_hit = popcount8(st->kn_hit);
    out->completion = (double)out->key_nodes_hit / st->kn_n;
    out->invalid_actions = st->n_invalid;
    out->last_result = st->last_rc;
    out->skin = st->skin;
    out->elements = st->n_el;
    return LUDUS_OK;
}

int ludus_web_oracle_action(const ludus_env *env, const void *state, int32_t *action)
{
    int rc = web_state_of(env, state, "ludus_web_oracle_action");
    if (rc) return rc;
    if (!action) return ludus_err_set(LUDUS_EINVAL, "ludus_web_oracle_action: action is NULL");
    const web_spec *s = env->impl;
    ludus_web_oracle(s, state, action);
    if (s->words == WEB_WORDS_SLOTS) /* the oracle's word, by slot */
        action[2] = action[0] == V_TYPE || action[0] == V_SELECT || action[0] == V_STOP
                        ? word_ref(state, s->lex[action[2] < s->lex_n ? action[2] : 0])
                        : 0;
    return LUDUS_OK;
}

int ludus_web_parse_action(const ludus_env *env, const void *state, const char *text, int32_t *action)
{
    int rc = web_state_of(env, state, "ludus_web_parse_action");
    if (rc) return rc;
    parse_state = state;
    rc = ludus_env_parse_action(env, text, action);
    parse_state = NULL;
    return rc;
}

const char *ludus_web_result_name(int code)
{
    static const char *const names[RC_COUNT] = {"none", "ok", "invalid:no-such-id", "invalid:hidden",
                                               "invalid:disabled", "invalid:verb-does-not-fit",
                                               "invalid:no-such-option", "invalid:no-history",
                                               "invalid:cannot-scroll", "invalid:episode-over"};
    return code >= 0 && code < RC_COUNT ? names[code] : "unknown";
}
