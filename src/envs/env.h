/* env.h: how a world family plugs into the public contract. A family
 * provides a table of registry entries; each entry's make() fills a
 * ludus_env (the constant spec) and points it at the family's ops. The
 * public functions in env.c validate arguments once and dispatch here, so
 * families never re-check actions or state ownership.
 */
#ifndef LUDUS_ENVS_ENV_H
#define LUDUS_ENVS_ENV_H

#include "core/core.h"

/* Every state starts with this header; env.c owns it. `tag` identifies the
 * spec that last reset the state (a hash of its id and options), so a state
 * that was never reset, or belongs to another world, is refused. */
typedef struct env_state_header {
    uint32_t magic;
    uint32_t tag;
} env_state_header;

#define ENV_STATE_MAGIC 0x4c554455u /* "LUDU" */

typedef struct env_ops {
    /* Generate a new episode. With reseed, seed the world's RNG from `seed`
     * first; otherwise continue its stream. Returns LUDUS_OK or an error. */
    int (*reset)(const ludus_env *env, void *state, uint64_t seed, int reseed);
    /* Apply a validated action (0 <= action < info.max_action) of a
     * one-component world (info.action_dims == 1). */
    void (*step)(const ludus_env *env, void *state, int action, ludus_step_out *out);
    /* Worlds with info.action_dims > 1 provide this instead of step: apply
     * a validated action vector (each component in range and allowed by
     * the mask). */
    void (*step_vec)(const ludus_env *env, void *state, const int32_t *action, ludus_step_out *out);
    /* Write info.mask_size bytes of legal-action mask; NULL when
     * info.mask_size is 0. */
    void (*action_mask)(const ludus_env *env, const void *state, uint8_t *mask);
    /* Parse normalised words (lower-case a-z, 0-9, single spaces, no
     * leading or trailing space, not empty; see ludus_env_parse_action)
     * into info.action_dims components. LUDUS_OK, or LUDUS_EINVAL with a
     * message starting "invalid action". NULL: the world has no names. */
    int (*parse_action)(const ludus_env *env, const char *words, int32_t *action);
    void (*observe)(const ludus_env *env, const void *state, uint8_t *obs);
    /* Write text into buf (cap >= info.text_capacity); return its length. */
    int (*text)(const ludus_env *env, const void *state, ludus_text_mode mode, char *buf,
                size_t cap);
    const char *(*mission)(const ludus_env *env, const void *state);
    uint32_t (*max_steps)(const ludus_env *env, const void *state);
    uint32_t (*step_count)(const ludus_env *env, const void *state);
    /* Rejected level samples before the current level; NULL means none. */
    uint32_t (*rejections)(const ludus_env *env, const void *state);
    /* Frames (see ludus_env_render*): opts already defaulted and checked
     * for sign; the family checks its own ranges. NULL: no frames. */
    int (*render_size)(const ludus_env *env, const ludus_render_opts *opts, int *w, int *h);
    int (*render)(const ludus_env *env, const void *state, const ludus_render_opts *opts,
                  uint8_t *rgb);
    /* Terminal picture (see ludus_env_render_ansi), writing into sb. */
    void (*render_ansi)(const ludus_env *env, const void *state, strbuf *sb);
    /* Trace lines (see ludus_env_trace_*), writing into sb. */
    void (*trace_header)(const ludus_env *env, uint64_t seed, strbuf *sb);
    void (*trace_reset)(const ludus_env *env, const void *state, uint64_t seed, strbuf *sb);
    void (*trace_step)(const ludus_env *env, const void *prev, const void *state, int t,
                       int action, const ludus_step_out *out, strbuf *sb);
    /* Check a state that came from outside the library (restored,
     * unpickled, lent by a caller) against everything step, observe, text,
     * mission, the frames and the traces index or assume: LUDUS_OK, or
     * LUDUS_EFORMAT naming the first field that is wrong. env.c has checked
     * the header. Reads only. */
    int (*validate)(const ludus_env *env, const void *state);
    /* Levels as blocks (see ludus_env_level_size); NULL: no levels.
     * level_size: the block's bytes. level_of: write the state's level
     * (a state env.c has checked). reset_level: check the block (LUDUS_EINVAL
     * naming the bad field) and reset the state from it; the header is
     * env.c's. level_mutate: check the block, then apply `edits` (>= 0)
     * edits drawn from rng. */
    size_t (*level_size)(const ludus_env *env);
    void (*level_of)(const ludus_env *env, const void *state, void *level);
    int (*reset_level)(const ludus_env *env, void *state, const void *level);
    int (*level_mutate)(const ludus_env *env, void *level, int edits, ludus_rng *rng);
    /* Free what make() allocated in env->impl (may be NULL). */
    void (*destroy)(ludus_env *env);
    /* 1: parse_action gets the words with their capitals kept (A-Z stay,
     * the rest as above), for worlds where a typed text's case matters
     * (web's enter-text-case); 0 (default): lower-case. */
    int parse_cased;
} env_ops;

#define ENV_ID_CAP 96

struct ludus_env {
    ludus_env_info info;     /* public description; info.id points at id[] */
    const env_ops *ops;
    const void *impl;        /* the family's constant per-spec data */
    uint32_t tag;            /* written into every state this spec resets */
    char id[ENV_ID_CAP];
};

typedef struct env_entry env_entry;
struct env_entry {
    const char *id;
    const char *description;
    /* Fill env (info, ops, impl) for this entry; options already split by
     * the caller into `opts` (see env_options_*). */
    int (*make)(const env_entry *entry, const char *options, ludus_env *env);
    const void *params;      /* the family's registered parameters */
};

/* The families. Each defines a table and its length. */
typedef struct env_family {
    const env_entry *entries;
    const int *count;
} env_family;

/* Options: "key=value,key=value". Iterate with ludus_env_options_next until it
 * returns 0; -1 means a malformed list (the message is set). */
int ludus_env_options_next(const char **cursor, char *key, size_t key_cap, char *val, size_t val_cap);
/* Parse an integer option value in [lo, hi]; sets the message on failure. */
int ludus_env_option_int(const char *key, const char *val, long lo, long hi, long *out);

/* A name (or synonym) for a one-component action, for
 * ludus_env_match_names. */
typedef struct env_action_name {
    const char *words;  /* normalised: lower-case words, single spaces */
    int action;
} env_action_name;

/* BALROG's matching of normalised words against a table of n names of
 * actions 0..num_actions-1 (entries for larger actions are skipped): an
 * exact name; else the names occurring as whole words, a name inside a
 * longer one's occurrence not counting, which must all be one action;
 * else the unique nearest name within edit distance 2. Writes action[0];
 * LUDUS_EINVAL with an "invalid action" message otherwise. */
int ludus_env_match_names(const ludus_env *env, const char *words, const env_action_name *names, int n,
                          int32_t *action);

/* Hash used for state tags. */
uint32_t ludus_env_hash(const char *s, uint32_t h);

#endif
