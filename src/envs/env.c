/* env.c: the public environment contract. Validates at the edge (ids,
 * actions, state ownership), then dispatches to the world family. The
 * registry is the concatenation of every family's table, in a stable order.
 */
#include <stdlib.h>
#include <string.h>

#include "env.h"

extern const env_entry ludus_grid_entries[];
extern const int ludus_grid_entry_count;
extern const env_entry ludus_craft_entries[];
extern const int ludus_craft_entry_count;
extern const env_entry ludus_keypad_entries[];
extern const int ludus_keypad_entry_count;
extern const env_entry ludus_maze_entries[];
extern const int ludus_maze_entry_count;
extern const env_entry ludus_web_entries[];
extern const int ludus_web_entry_count;

static const env_family families[] = {
    {ludus_grid_entries, &ludus_grid_entry_count},
    {ludus_craft_entries, &ludus_craft_entry_count},
    {ludus_keypad_entries, &ludus_keypad_entry_count},
    {ludus_maze_entries, &ludus_maze_entry_count},
    {ludus_web_entries, &ludus_web_entry_count},
};
#define NUM_FAMILIES ((int)(sizeof families / sizeof families[0]))

uint32_t ludus_env_hash(const char *s, uint32_t h)
{
    for (; s && *s; s++) h = (h ^ (uint8_t)*s) * 16777619u; /* FNV-1a */
    return h;
}

int ludus_env_count(void)
{
    int n = 0;
    for (int f = 0; f < NUM_FAMILIES; f++) n += *families[f].count;
    return n;
}

static const env_entry *entry_at(int index)
{
    if (index < 0) return NULL;
    for (int f = 0; f < NUM_FAMILIES; f++) {
        if (index < *families[f].count) return &families[f].entries[index];
        index -= *families[f].count;
    }
    return NULL;
}

const char *ludus_env_id(int index)
{
    const env_entry *e = entry_at(index);
    return e ? e->id : NULL;
}

static const env_entry *find_entry(const char *id)
{
    int n = ludus_env_count();
    for (int i = 0; i < n; i++) {
        const env_entry *e = entry_at(i);
        if (strcmp(e->id, id) == 0) return e;
    }
    return NULL;
}

const char *ludus_env_describe(const char *id)
{
    const env_entry *e = id ? find_entry(id) : NULL;
    return e ? e->description : NULL;
}

/* "unknown world id 'X'; did you mean 'A', 'B' or 'C'?" with the three
 * registered ids nearest by edit distance (substring matches first). */
static int unknown_id(const char *id)
{
    enum { K = 3 };
    const char *best[K] = {0};
    int dist[K] = {1 << 30, 1 << 30, 1 << 30};
    int n = ludus_env_count();
    for (int i = 0; i < n; i++) {
        const char *cand = entry_at(i)->id;
        int d = ludus_str_edit_distance(id, cand, 1000);
        if (*id && strstr(cand, id)) d = d / 4; /* a fragment of a real id */
        for (int k = 0; k < K; k++) {
            if (d < dist[k]) {
                for (int m = K - 1; m > k; m--) {
                    dist[m] = dist[m - 1];
                    best[m] = best[m - 1];
                }
                dist[k] = d;
                best[k] = cand;
                break;
            }
        }
    }
    if (!best[0]) return ludus_err_set(LUDUS_ENOTFOUND, "unknown world id '%s'", id);
    return ludus_err_set(LUDUS_ENOTFOUND, "unknown world id '%s'; did you mean '%s', '%s' or '%s'? (`ludus list` shows all)",
                   id, best[0], best[1] ? best[1] : best[0], best[2] ? best[2] : best[0]);
}

/* The action space a family filled must hold together (a broken one is a
 * bug in the family, reported rather than trusted). A family that leaves
 * action_dims 0 has one component of num_actions values. */
static int check_action_space(ludus_env *env)
{
    ludus_env_info *in = &env->info;
    if (in->action_dims == 0) {
        in->action_dims = 1;
        in->action_nvec[0] = in->num_actions;
    }
    int sum = 0, ok = in->action_dims >= 1 && in->action_dims <= LUDUS_MAX_ACTION_DIMS;
    for (int k = 0; ok && k < LUDUS_MAX_ACTION_DIMS; k++) {
        if (k < in->action_dims) ok = in->action_nvec[k] >= 1 && in->action_nvec[k] <= LUDUS_MAX_MASK_SIZE;
        else ok = in->action_nvec[k] == 0;
        sum += k < in->action_dims ? in->action_nvec[k] : 0;
    }
    if (ok && in->action_dims == 1)
        ok = in->action_nvec[0] == in->num_actions && in->max_action >= in->num_actions && env->ops->step;
    else if (ok)
        ok = in->num_actions == sum && in->max_action == 0 && env->ops->step_vec;
    if (ok) ok = (in->mask_size == 0 || (in->mask_size == sum && env->ops->action_mask)) && sum <= LUDUS_MAX_MASK_SIZE;
    if (!ok) return ludus_err_set(LUDUS_EINTERNAL, "'%s' declares an inconsistent action space", env->id);
    return LUDUS_OK;
}

int ludus_env_make(const char *id, const char *options, ludus_env **out)
{
    if (!out) return ludus_err_set(LUDUS_EINVAL, "ludus_env_make: out is NULL");
    *out = NULL;
    if (!id) return ludus_err_set(LUDUS_EINVAL, "ludus_env_make: id is NULL");
    const env_entry *e = find_entry(id);
    if (!e) return unknown_id(id);
    if (strlen(id) >= ENV_ID_CAP) return ludus_err_set(LUDUS_EINVAL, "world id too long");
    ludus_env *env = calloc(1, sizeof *env);
    if (!env) return ludus_err_set(LUDUS_ENOMEM, "out of memory making '%s'", id);
    strcpy(env->id, id);
    env->info.id = env->id;
    env->info.description = e->description;
    int rc = e->make(e, options ? options : "", env);
    if (rc != LUDUS_OK) {
        ludus_err_wrap(rc, "making '%s'", id);
        ludus_env_destroy(env);
        return rc;
    }
    rc = check_action_space(env);
    if (rc != LUDUS_OK) {
        ludus_env_destroy(env);
        return rc;
    }
    env->tag = ludus_env_hash(options, ludus_env_hash(id, 2166136261u)) | 1u;
    *out = env;
    return LUDUS_OK;
}

void ludus_env_destroy(ludus_env *env)
{
    if (!env) return;
    if (env->ops && env->ops->destroy) env->ops->destroy(env);
    free(env);
}

const ludus_env_info *ludus_env_get_info(const ludus_env *env) { return env ? &env->info : NULL; }

void *ludus_env_state_new(const ludus_env *env)
{
    return env ? calloc(1, env->info.state_size) : NULL;
}

void ludus_free(void *p) { free(p); }

int ludus_env_state_check(const ludus_env *env, const void *state)
{
    if (!env || !state) return ludus_err_set(LUDUS_EINVAL, "ludus_env_state_check: env or state is NULL");
    const env_state_header *h = state;
    if (h->magic != ENV_STATE_MAGIC)
        return ludus_err_set(LUDUS_EFORMAT, "not a ludus world state (its header is %08x, want %08x)", h->magic,
                             ENV_STATE_MAGIC);
    if (h->tag != env->tag)
        return ludus_err_set(LUDUS_EFORMAT, "a state of another world or options than '%s' (tag %08x, want %08x)",
                             env->id, h->tag, env->tag);
    if (!env->ops->validate) return LUDUS_OK;
    int rc = env->ops->validate(env, state);
    if (rc) ludus_err_wrap(rc, "a damaged '%s' state", env->id);
    return rc;
}

int ludus_env_state_load(const ludus_env *env, void *dst, const void *src, size_t size)
{
    if (!env || !dst || !src) return ludus_err_set(LUDUS_EINVAL, "ludus_env_state_load: NULL argument");
    if (size != env->info.state_size)
        return ludus_err_set(LUDUS_EFORMAT, "a state of %zu bytes given; '%s' states are %zu", size, env->id,
                             env->info.state_size);
    /* Checked in place (dst is the caller's aligned block; src may be any
     * bytes at any alignment), and wiped when refused so that nothing
     * steps it by mistake. */
    memmove(dst, src, size);
    int rc = ludus_env_state_check(env, dst);
    if (rc) memset(dst, 0, size);
    return rc;
}

static int check_state(const ludus_env *env, const void *state, const char *what)
{
    if (!env || !state) return ludus_err_set(LUDUS_EINVAL, "%s: env or state is NULL", what);
    const env_state_header *h = state;
    if (h->magic != ENV_STATE_MAGIC || h->tag != env->tag)
        return ludus_err_set(LUDUS_ESTATE, "%s: this state was never reset by '%s' (reset it first)",
                       what, env->id);
    return LUDUS_OK;
}

int ludus_env_reset(const ludus_env *env, void *state, uint64_t seed, uint8_t *obs)
{
    if (!env || !state) return ludus_err_set(LUDUS_EINVAL, "ludus_env_reset: env or state is NULL");
    env_state_header *h = state;
    int rc = env->ops->reset(env, state, seed, 1);
    if (rc != LUDUS_OK) {
        h->magic = 0;
        return rc;
    }
    h->magic = ENV_STATE_MAGIC;
    h->tag = env->tag;
    if (obs) env->ops->observe(env, state, obs);
    return LUDUS_OK;
}

int ludus_env_reset_continue(const ludus_env *env, void *state, uint8_t *obs)
{
    int rc = check_state(env, state, "ludus_env_reset_continue");
    if (rc) return rc;
    rc = env->ops->reset(env, state, 0, 0);
    if (rc != LUDUS_OK) {
        ((env_state_header *)state)->magic = 0;
        return rc;
    }
    if (obs) env->ops->observe(env, state, obs);
    return LUDUS_OK;
}

/* The first component of `action` that is out of range or masked out, as
 * an LUDUS_EINVAL message; LUDUS_OK when the vector is legal. */
static int check_action_vec(const ludus_env *env, const void *state, const int32_t *action)
{
    const ludus_env_info *in = &env->info;
    for (int k = 0; k < in->action_dims; k++) {
        int hi = in->action_dims == 1 ? in->max_action : in->action_nvec[k];
        if (action[k] < 0 || action[k] >= hi) {
            if (in->action_dims == 1)
                return ludus_err_set(LUDUS_EINVAL, "action %d is out of range for '%s' (0..%d)", (int)action[k],
                               env->id, hi - 1);
            return ludus_err_set(LUDUS_EINVAL, "action component %d is %d, out of range for '%s' (0..%d)", k,
                           (int)action[k], env->id, hi - 1);
        }
    }
    if (in->mask_size) {
        uint8_t mask[LUDUS_MAX_MASK_SIZE];
        env->ops->action_mask(env, state, mask);
        int off = 0;
        for (int k = 0; k < in->action_dims; k++) {
            /* a one-component world's extra accepted actions (max_action >
             * num_actions) have no mask byte and stay legal */
            if (action[k] < in->action_nvec[k] && !mask[off + action[k]])
                return ludus_err_set(LUDUS_EINVAL, "action component %d = %d is not legal now in '%s' "
                               "(ludus_env_action_mask forbids it)", k, (int)action[k], env->id);
            off += in->action_nvec[k];
        }
    }
    return LUDUS_OK;
}

int ludus_env_step_vec(const ludus_env *env, void *state, const int32_t *action, uint8_t *obs,
                       ludus_step_out *out)
{
    int rc = check_state(env, state, "ludus_env_step_vec");
    if (rc) return rc;
    if (!action) return ludus_err_set(LUDUS_EINVAL, "ludus_env_step_vec: action is NULL");
    rc = check_action_vec(env, state, action);
    if (rc) return rc;
    ludus_step_out tmp;
    if (!out) out = &tmp;
    if (env->info.action_dims == 1) env->ops->step(env, state, action[0], out);
    else env->ops->step_vec(env, state, action, out);
    if (obs) env->ops->observe(env, state, obs);
    return LUDUS_OK;
}

int ludus_env_action_mask(const ludus_env *env, const void *state, uint8_t *mask)
{
    int rc = check_state(env, state, "ludus_env_action_mask");
    if (rc) return rc;
    if (!env->info.mask_size) return LUDUS_OK;
    if (!mask) return ludus_err_set(LUDUS_EINVAL, "ludus_env_action_mask: mask is NULL");
    env->ops->action_mask(env, state, mask);
    return LUDUS_OK;
}

int ludus_env_step(const ludus_env *env, void *state, int action, uint8_t *obs,
                   ludus_step_out *out)
{
    int rc = check_state(env, state, "ludus_env_step");
    if (rc) return rc;
    /* max_action is 0 for worlds of several components: one test. */
    if (action < 0 || action >= env->info.max_action) {
        if (env->info.action_dims != 1)
            return ludus_err_set(LUDUS_EINVAL, "'%s' takes actions of %d components: use ludus_env_step_vec",
                           env->id, env->info.action_dims);
        return ludus_err_set(LUDUS_EINVAL, "action %d is out of range for '%s' (0..%d)", action,
                       env->id, env->info.max_action - 1);
    }
    if (env->info.mask_size) {
        int32_t a = action;
        rc = check_action_vec(env, state, &a);
        if (rc) return rc;
    }
    ludus_step_out tmp;
    if (!out) out = &tmp;
    env->ops->step(env, state, action, out);
    if (obs) env->ops->observe(env, state, obs);
    return LUDUS_OK;
}

int ludus_env_observe(const ludus_env *env, const void *state, uint8_t *obs)
{
    int rc = check_state(env, state, "ludus_env_observe");
    if (rc) return rc;
    if (!obs) return ludus_err_set(LUDUS_EINVAL, "ludus_env_observe: obs is NULL");
    env->ops->observe(env, state, obs);
    return LUDUS_OK;
}

const char *ludus_env_mission(const ludus_env *env, const void *state)
{
    if (check_state(env, state, "ludus_env_mission")) return "";
    return env->ops->mission ? env->ops->mission(env, state) : "";
}

uint32_t ludus_env_max_steps(const ludus_env *env, const void *state)
{
    if (check_state(env, state, "ludus_env_max_steps")) return env ? env->info.max_steps : 0;
    return env->ops->max_steps(env, state);
}

uint32_t ludus_env_step_count(const ludus_env *env, const void *state)
{
    if (check_state(env, state, "ludus_env_step_count")) return 0;
    return env->ops->step_count(env, state);
}

uint32_t ludus_env_rejections(const ludus_env *env, const void *state)
{
    if (check_state(env, state, "ludus_env_rejections")) return 0;
    return env->ops->rejections ? env->ops->rejections(env, state) : 0;
}

int ludus_env_text(const ludus_env *env, const void *state, ludus_text_mode mode, char *buf,
                   size_t cap)
{
    int rc = check_state(env, state, "ludus_env_text");
    if (rc) return rc;
    if (!buf) return ludus_err_set(LUDUS_EINVAL, "ludus_env_text: buf is NULL");
    if (mode != LUDUS_TEXT_FULL && mode != LUDUS_TEXT_BALROG)
        return ludus_err_set(LUDUS_EINVAL, "ludus_env_text: unknown mode %d", (int)mode);
    if (cap < env->info.text_capacity)
        return ludus_err_set(LUDUS_EINVAL, "ludus_env_text: buffer of %zu bytes is smaller than "
                       "info.text_capacity (%zu)", cap, env->info.text_capacity);
    if (!env->ops->text) return ludus_err_set(LUDUS_EUNSUPPORTED, "'%s' has no text observation", env->id);
    return env->ops->text(env, state, mode, buf, cap);
}

/* ---- options ------------------------------------------------------------ */

int ludus_env_options_next(const char **cursor, char *key, size_t key_cap, char *val, size_t val_cap)
{
    const char *p = *cursor;
    while (*p == ',' || *p == ' ') p++;
    if (!*p) {
        *cursor = p;
        return 0;
    }
    const char *eq = strchr(p, '=');
    const char *end = strchr(p, ',');
    if (!end) end = p + strlen(p);
    if (!eq || eq > end || eq == p)
        return ludus_err_set(LUDUS_EINVAL, "malformed option '%.*s' (want key=value)", (int)(end - p), p);
    size_t kl = (size_t)(eq - p), vl = (size_t)(end - eq - 1);
    if (kl >= key_cap || vl >= val_cap)
        return ludus_err_set(LUDUS_EINVAL, "option '%.*s' is too long", (int)(end - p), p);
    memcpy(key, p, kl);
    key[kl] = 0;
    memcpy(val, eq + 1, vl);
    val[vl] = 0;
    *cursor = end;
    return 1;
}

int ludus_env_option_int(const char *key, const char *val, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(val, &end, 10);
    if (!*val || *end || v < lo || v > hi)
        return ludus_err_set(LUDUS_EINVAL, "option %s=%s: want an integer in [%ld, %ld]", key, val, lo, hi);
    *out = v;
    return LUDUS_OK;
}

/* ---- traces ------------------------------------------------------------- */

static int trace_finish(strbuf *sb)
{
    if (sb->len > (size_t)0x7fffffff) return ludus_err_set(LUDUS_EINTERNAL, "trace line too long");
    return (int)sb->len;
}

int ludus_env_trace_header(const ludus_env *env, uint64_t seed, char *buf, size_t cap)
{
    if (!env || (!buf && cap)) return ludus_err_set(LUDUS_EINVAL, "ludus_env_trace_header: NULL argument");
    if (!env->ops->trace_header) return ludus_err_set(LUDUS_EUNSUPPORTED, "'%s' writes no traces", env->id);
    strbuf sb = sb_make(buf, cap);
    env->ops->trace_header(env, seed, &sb);
    return trace_finish(&sb);
}

int ludus_env_trace_reset(const ludus_env *env, const void *state, uint64_t seed, char *buf,
                          size_t cap)
{
    int rc = check_state(env, state, "ludus_env_trace_reset");
    if (rc) return rc;
    if (!buf && cap) return ludus_err_set(LUDUS_EINVAL, "ludus_env_trace_reset: buf is NULL");
    if (!env->ops->trace_reset) return ludus_err_set(LUDUS_EUNSUPPORTED, "'%s' writes no traces", env->id);
    strbuf sb = sb_make(buf, cap);
    env->ops->trace_reset(env, state, seed, &sb);
    return trace_finish(&sb);
}

int ludus_env_trace_step(const ludus_env *env, const void *prev_state, const void *state, int t,
                         int action, const ludus_step_out *out, char *buf, size_t cap)
{
    int rc = check_state(env, state, "ludus_env_trace_step");
    if (rc) return rc;
    rc = check_state(env, prev_state, "ludus_env_trace_step (previous state)");
    if (rc) return rc;
    if (!out || (!buf && cap)) return ludus_err_set(LUDUS_EINVAL, "ludus_env_trace_step: NULL argument");
    if (!env->ops->trace_step) return ludus_err_set(LUDUS_EUNSUPPORTED, "'%s' writes no traces", env->id);
    strbuf sb = sb_make(buf, cap);
    env->ops->trace_step(env, prev_state, state, t, action, out, &sb);
    return trace_finish(&sb);
}

/* ---- frames ------------------------------------------------------------- */

static int render_opts(const ludus_env *env, const ludus_render_opts *in, ludus_render_opts *o)
{
    ludus_render_opts d = {0, 0, 1};
    *o = in ? *in : d;
    if (o->tile_size < 0) return ludus_err_set(LUDUS_EINVAL, "tile size %d is negative", o->tile_size);
    if (!env->ops->render || !env->ops->render_size)
        return ludus_err_set(LUDUS_EUNSUPPORTED, "'%s' draws no frames (yet)", env->id);
    return LUDUS_OK;
}

int ludus_env_render_size(const ludus_env *env, const ludus_render_opts *opts, int *width, int *height)
{
    if (!env || !width || !height) return ludus_err_set(LUDUS_EINVAL, "ludus_env_render_size: NULL argument");
    ludus_render_opts o;
    int rc = render_opts(env, opts, &o);
    if (rc) return rc;
    return env->ops->render_size(env, &o, width, height);
}

int ludus_env_render(const ludus_env *env, const void *state, const ludus_render_opts *opts,
                     uint8_t *rgb, size_t cap)
{
    int rc = check_state(env, state, "ludus_env_render");
    if (rc) return rc;
    if (!rgb) return ludus_err_set(LUDUS_EINVAL, "ludus_env_render: rgb is NULL");
    ludus_render_opts o;
    rc = render_opts(env, opts, &o);
    if (rc) return rc;
    int w, h;
    rc = env->ops->render_size(env, &o, &w, &h);
    if (rc) return rc;
    if ((size_t)w * (size_t)h * 3 > cap)
        return ludus_err_set(LUDUS_EINVAL, "ludus_env_render: %zu bytes given, the frame needs %zu", cap,
                       (size_t)w * (size_t)h * 3);
    return env->ops->render(env, state, &o, rgb);
}

int ludus_env_render_ansi(const ludus_env *env, const void *state, char *buf, size_t cap)
{
    int rc = check_state(env, state, "ludus_env_render_ansi");
    if (rc) return rc;
    if (!buf && cap) return ludus_err_set(LUDUS_EINVAL, "ludus_env_render_ansi: buf is NULL");
    if (!env->ops->render_ansi) return ludus_err_set(LUDUS_EUNSUPPORTED, "'%s' has no terminal view", env->id);
    strbuf sb = sb_make(buf, cap);
    env->ops->render_ansi(env, state, &sb);
    return trace_finish(&sb);
}

/* ---- levels ------------------------------------------------------------- */

size_t ludus_env_level_size(const ludus_env *env)
{
    return env && env->ops->level_size ? env->ops->level_size(env) : 0;
}

static int level_args(const ludus_env *env, const void *level, size_t size, const char *what)
{
    if (!env || !level) return ludus_err_set(LUDUS_EINVAL, "%s: env or level is NULL", what);
    if (!env->ops->level_size)
        return ludus_err_set(LUDUS_EUNSUPPORTED, "'%s' has no levels beyond seeds", env->id);
    size_t want = env->ops->level_size(env);
    if (size != want)
        return ludus_err_set(LUDUS_EINVAL, "%s: a level of %zu bytes given; '%s' levels are %zu", what, size,
                             env->id, want);
    return LUDUS_OK;
}

int ludus_env_level_of(const ludus_env *env, const void *state, void *level, size_t size)
{
    int rc = check_state(env, state, "ludus_env_level_of");
    if (rc) return rc;
    rc = level_args(env, level, size, "ludus_env_level_of");
    if (rc) return rc;
    env->ops->level_of(env, state, level);
    return LUDUS_OK;
}

int ludus_env_reset_level(const ludus_env *env, void *state, const void *level, size_t size, uint8_t *obs)
{
    if (!state) return ludus_err_set(LUDUS_EINVAL, "ludus_env_reset_level: state is NULL");
    int rc = level_args(env, level, size, "ludus_env_reset_level");
    if (rc) return rc;
    env_state_header *h = state;
    rc = env->ops->reset_level(env, state, level);
    if (rc != LUDUS_OK) {
        h->magic = 0;
        return ludus_err_wrap(rc, "a bad '%s' level", env->id);
    }
    h->magic = ENV_STATE_MAGIC;
    h->tag = env->tag;
    if (obs) env->ops->observe(env, state, obs);
    return LUDUS_OK;
}

int ludus_env_level_mutate(const ludus_env *env, void *level, size_t size, int edits, ludus_rng *rng)
{
    int rc = level_args(env, level, size, "ludus_env_level_mutate");
    if (rc) return rc;
    if (!rng) return ludus_err_set(LUDUS_EINVAL, "ludus_env_level_mutate: rng is NULL");
    if (edits < 0) return ludus_err_set(LUDUS_EINVAL, "ludus_env_level_mutate: %d edits (want >= 0)", edits);
    rc = env->ops->level_mutate(env, level, edits, rng);
    if (rc) ludus_err_wrap(rc, "a bad '%s' level", env->id);
    return rc;
}

/* ---- actions in words ------------------------------------------------- */

/* Last occurrence of `pat` (ASCII, case-insensitive) in [b, e), or NULL. */
static const char *find_last_ci(const char *b, const char *e, const char *pat)
{
    size_t n = strlen(pat);
    if ((size_t)(e - b) < n) return NULL;
    for (const char *p = e - n;; p--) {
        size_t i = 0;
        while (i < n && (p[i] | (p[i] >= 'A' && p[i] <= 'Z' ? 32 : 0)) == pat[i]) i++;
        if (i == n) return p;
        if (p == b) return NULL;
    }
}

/* The part of a reply that names the action: after the last </think>,
 * inside the last <|ACTION|>...<|END|>, else after the last "action:" to
 * the end of its line, else everything. */
static void reply_span(const char *text, const char **b, const char **e)
{
    *b = text;
    *e = text + strlen(text);
    const char *p = find_last_ci(*b, *e, "</think>");
    if (p) *b = p + 8;
    if ((p = find_last_ci(*b, *e, "<|action|>"))) {
        *b = p + 10;
        const char *q = find_last_ci(*b, *e, "<|end|>");
        if (q) *e = q;
        return;
    }
    if ((p = find_last_ci(*b, *e, "action:"))) {
        *b = p + 7;
        const char *q = memchr(*b, '\n', (size_t)(*e - *b));
        if (q) *e = q;
    }
}

/* Lower-case letters and digits kept (capitals too when cased, else
 * lower-cased), '_', '-' and white space as one space, everything else
 * dropped; no leading or trailing space. */
static size_t normalise(const char *b, const char *e, char *out, int cased)
{
    size_t n = 0;
    int space = 0;
    for (const char *p = b; p < e; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 'A' && c <= 'Z' && !cased) c = (unsigned char)(c + 32);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            if (space && n) out[n++] = ' ';
            space = 0;
            out[n++] = (char)c;
        } else if (c == '_' || c == '-' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
                   c == '\f') {
            space = 1;
        }
    }
    out[n] = 0;
    return n;
}

int ludus_env_parse_action(const ludus_env *env, const char *text, int32_t *action)
{
    if (!env || !action) return ludus_err_set(LUDUS_EINVAL, "ludus_env_parse_action: env or action is NULL");
    if (!text) return ludus_err_set(LUDUS_EINVAL, "invalid action: no reply (NULL)");
    if (!env->ops->parse_action)
        return ludus_err_set(LUDUS_EUNSUPPORTED, "'%s' has no actions in words", env->id);
    const char *b, *e;
    reply_span(text, &b, &e);
    char small[256], *words = small;
    if ((size_t)(e - b) >= sizeof small && !(words = malloc((size_t)(e - b) + 1)))
        return ludus_err_set(LUDUS_ENOMEM, "out of memory parsing a reply of %zu bytes", (size_t)(e - b));
    int32_t a[LUDUS_MAX_ACTION_DIMS];
    int rc;
    if (normalise(b, e, words, env->ops->parse_cased) == 0) rc = ludus_err_set(LUDUS_EINVAL, "invalid action: the reply names no action (it is empty once cleaned)");
    else rc = env->ops->parse_action(env, words, a);
    if (words != small) free(words);
    if (rc) return rc;
    memcpy(action, a, (size_t)env->info.action_dims * sizeof *action);
    return LUDUS_OK;
}

/* Where `name` occurs in `words` as whole words, first; -1 if nowhere. */
static long find_words(const char *words, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = words; (p = strstr(p, name)); p++)
        if ((p == words || p[-1] == ' ') && (p[n] == 0 || p[n] == ' ')) return p - words;
    return -1;
}

/* The optimal-string-alignment (Damerau-Levenshtein) distance of two
 * short strings: edits, with a swap of two neighbours one edit ("dorp" is
 * one from "drop"), capped at cap; cap for strings over 64 bytes. */
static int swap_distance(const char *a, const char *b, int cap)
{
    enum { M = 64 };
    size_t la = strlen(a), lb = strlen(b);
    if (la > M || lb > M) return cap;
    int d[M + 1][M + 1];
    for (size_t i = 0; i <= la; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < v) v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[la][lb] < cap ? d[la][lb] : cap;
}

/* "'a', 'b' or 'c'": the names of the actions, for messages. */
static void list_names(const ludus_env *env, char *buf, size_t cap)
{
    strbuf sb = sb_make(buf, cap);
    const ludus_env_info *in = &env->info;
    for (int a = 0; a < in->num_actions; a++)
        ludus_sb_printf(&sb, "%s'%s'", a == 0 ? "" : a + 1 == in->num_actions ? " or " : ", ", in->action_names[a]);
}

int ludus_env_match_names(const ludus_env *env, const char *words, const env_action_name *names, int n,
                          int32_t *action)
{
    const int A = env->info.num_actions;
    for (int i = 0; i < n; i++)
        if (names[i].action < A && strcmp(words, names[i].words) == 0) {
            action[0] = names[i].action;
            return LUDUS_OK;
        }
    /* Whole words: a name counts unless it sits inside a longer name's
     * occurrence ("left" inside "turn left"). */
    enum { MAXN = 64 };
    long at[MAXN];
    int len[MAXN];
    for (int i = 0; i < n && i < MAXN; i++) {
        at[i] = names[i].action < A ? find_words(words, names[i].words) : -1;
        len[i] = (int)strlen(names[i].words);
    }
    int found = -1, other = -1;
    for (int i = 0; i < n && i < MAXN; i++) {
        if (at[i] < 0) continue;
        int inside = 0;
        for (int j = 0; j < n && j < MAXN && !inside; j++)
            inside = j != i && at[j] >= 0 && len[j] > len[i] && at[j] <= at[i] && at[i] + len[i] <= at[j] + len[j];
        if (inside) continue;
        if (found < 0) found = i;
        else if (names[i].action != names[found].action) other = i;
    }
    char list[512];
    const size_t wl = strlen(words);
    if (found >= 0 && other >= 0)
        return ludus_err_set(LUDUS_EINVAL, "invalid action: the reply is ambiguous, it names both '%s' and '%s'",
                       names[found].words, names[other].words);
    if (found >= 0) {
        action[0] = names[found].action;
        return LUDUS_OK;
    }
    /* A slip of the pen: the unique nearest name within 2 edits (a swap of
     * neighbours counting as one). */
    int best = 3, who = -1, tie = 0;
    for (int i = 0; i < n && wl <= 64; i++) {
        if (names[i].action >= A) continue;
        int d = swap_distance(words, names[i].words, 3);
        if (d < best) {
            best = d;
            who = i;
            tie = 0;
        } else if (d == best && who >= 0 && names[i].action != names[who].action) {
            tie = 1;
        }
    }
    if (who >= 0 && !tie) {
        action[0] = names[who].action;
        return LUDUS_OK;
    }
    list_names(env, list, sizeof list);
    return ludus_err_set(LUDUS_EINVAL, "invalid action: '%.40s%s' names no action of '%s' (want %s)", words,
                   wl > 40 ? "..." : "", env->id, list);
}
