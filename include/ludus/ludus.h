/* ludus.h: the public C API of ludus, an engine for agents that learn online
 * and generalize. This header is the specification: every public function
 * says what it does, what it returns, who owns what, and whether it may be
 * called from several threads at once.
 *
 * Conventions (each contract below says only where it departs from them)
 * - Fallible functions return int: LUDUS_OK (0) or a negative LUDUS_E* code;
 *   ludus_errmsg() then says why, in one line, for the calling thread.
 *   Functions that cannot fail return a value or nothing and say what a
 *   bad argument gives (NULL, 0, "").
 * - Pointer arguments must not be NULL unless the contract says "may be
 *   NULL"; a fallible function answers a NULL it does not accept with
 *   LUDUS_EINVAL, never a crash.
 * - Whoever creates, destroys: ludus_x_create/_make/_open hands the caller
 *   an object that ludus_x_destroy/_close frees; ludus_x_destroy(NULL) is
 *   harmless. Memory the library allocates for the caller (state blocks,
 *   decoded images) is freed with ludus_free. Buffers lent by the caller
 *   are never freed by the library, and are only used during the call
 *   unless the contract says the library keeps them (vec's lent buffers).
 *   Strings and tables the library returns are owned by it: valid for the
 *   life of the object they come from (or forever, for constants).
 * - Threads: functions on distinct objects may run concurrently; calls on
 *   one object (a vec, a gif writer, one state) must not overlap unless
 *   the contract says "thread-safe". A ludus_env spec is immutable after
 *   ludus_env_make and may be shared by any number of threads.
 * - The library never prints, exits or aborts; messages go to the log
 *   callback (silent by default).
 */
#ifndef LUDUS_H
#define LUDUS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define LUDUS_API __declspec(dllexport)
#else
#define LUDUS_API __attribute__((visibility("default")))
#endif

#define LUDUS_VERSION_MAJOR 0
#define LUDUS_VERSION_MINOR 1
#define LUDUS_VERSION_PATCH 0
#define LUDUS_VERSION "0.1.0"

/* The library's version string, "MAJOR.MINOR.PATCH": a constant, never
 * NULL. Thread-safe. */
LUDUS_API const char *ludus_version(void);
/* The git commit the library was built from, as `git describe --always
 * --dirty --tags` said when the build was configured ("unknown" outside a
 * git checkout): a constant, never NULL. Run folders (config.json
 * "commit") and experiments (results.json "commit") record it. Thread-safe. */
LUDUS_API const char *ludus_commit(void);

/* The layout of the public structs, for bindings that mirror them (the
 * Python package checks its ctypes classes against it): one row per struct
 * (field NULL, offset 0, size its sizeof), then one row per field (offset
 * and size as offsetof and sizeof give them), in declaration order. The
 * table ends with a row whose type is NULL; it lives in static storage.
 * Thread-safe. */
typedef struct ludus_abi_field {
    const char *type;   /* "ludus_env_info" */
    const char *field;  /* "obs_fields"; NULL on the struct's own row */
    size_t offset;
    size_t size;
} ludus_abi_field;
LUDUS_API const ludus_abi_field *ludus_abi_layout(void);

/* ------------------------------------------------------------------------
 * Errors and logging
 * ---------------------------------------------------------------------- */

enum {
    LUDUS_OK = 0,
    LUDUS_EINVAL = -1,      /* a bad argument: unknown id, bad action, ... */
    LUDUS_ENOMEM = -2,      /* an allocation failed */
    LUDUS_ENOTFOUND = -3,   /* a named thing (id, file, key) does not exist */
    LUDUS_EIO = -4,         /* reading or writing a file failed */
    LUDUS_EFORMAT = -5,     /* malformed input: a file or string that does not parse */
    LUDUS_ESTATE = -6,      /* an object used in the wrong state (step before reset) */
    LUDUS_EUNSUPPORTED = -7,/* this world or build does not offer that */
    LUDUS_EINTERNAL = -8    /* a broken internal invariant: a bug, please report */
};

/* The message of the last failure on the calling thread ("" if none);
 * never NULL. Each thread has its own message, so this is thread-safe. The
 * pointer stays valid until the next failing call on the same thread. */
LUDUS_API const char *ludus_errmsg(void);

/* A short constant name for an error code ("invalid argument", ...); an
 * unknown code gets a generic name, never NULL. Thread-safe. */
LUDUS_API const char *ludus_strerror(int code);

typedef enum ludus_log_level {
    LUDUS_LOG_DEBUG = 0,
    LUDUS_LOG_INFO = 1,
    LUDUS_LOG_WARN = 2,
    LUDUS_LOG_ERROR = 3
} ludus_log_level;

typedef void (*ludus_log_fn)(ludus_log_level level, const char *msg, void *user);

/* Replace the log callback (NULL: discard every message, the default).
 * Messages below min_level are dropped before formatting, so a disabled
 * level costs one comparison. The callback may be called from any thread,
 * including vec's workers during resets (BabyAI reports each rejected
 * level sample at LUDUS_LOG_DEBUG, as the reference prints "Sampling
 * rejected"): it must be thread-safe. Set it once, before other calls:
 * the setting itself is process-wide and not synchronized with calls
 * that log. `user` is passed back to fn unchanged and never freed. */
LUDUS_API void ludus_set_log_callback(ludus_log_fn fn, void *user, ludus_log_level min_level);

/* ------------------------------------------------------------------------
 * Random numbers: numpy's Generator(PCG64(SeedSequence(seed)))
 *
 * Bit-exact with numpy >= 1.17 for the calls below, which is what MiniGrid
 * and BabyAI draw from. The struct is plain data: copy it to fork a stream.
 * The functions cannot fail, allocate nothing, and are thread-safe for
 * distinct generators (one generator is one thread's at a time).
 * ---------------------------------------------------------------------- */

typedef struct ludus_rng {
    uint64_t state_hi, state_lo;   /* 128-bit LCG state */
    uint64_t inc_hi, inc_lo;       /* 128-bit increment (odd) */
    uint32_t buf32;                /* cached high half of the last 64-bit draw */
    uint32_t has32;                /* 1 when buf32 holds an unused value */
} ludus_rng;

/* Seed as numpy's SeedSequence(seed) followed by PCG64. Any uint64_t seed. */
LUDUS_API void ludus_rng_seed(ludus_rng *rng, uint64_t seed);
/* Seed from a SeedSequence entropy given as little-endian 32-bit words
 * (numpy accepts integers of any size); nwords >= 1. */
LUDUS_API void ludus_rng_seed_words(ludus_rng *rng, const uint32_t *words, size_t nwords);
/* The next 64 random bits (numpy's PCG64 random_raw()). */
LUDUS_API uint64_t ludus_rng_next64(ludus_rng *rng);
/* Buffered: the low half of a 64-bit draw first, then its high half. */
LUDUS_API uint32_t ludus_rng_next32(ludus_rng *rng);
/* random(): a double in [0, 1) with 53 random bits. */
LUDUS_API double ludus_rng_random(ludus_rng *rng);
/* uniform(lo, hi) = lo + (hi - lo) * random(). */
LUDUS_API double ludus_rng_uniform(ludus_rng *rng, double lo, double hi);
/* integers(lo, hi), hi exclusive, lo < hi required (lo >= hi returns lo and
 * draws nothing). Draws nothing when hi - lo == 1. */
LUDUS_API int64_t ludus_rng_integers(ludus_rng *rng, int64_t lo, int64_t hi);
/* shuffle(list) of n ints, in place (Fisher-Yates from the end). */
LUDUS_API void ludus_rng_shuffle(ludus_rng *rng, int *items, size_t n);

/* ------------------------------------------------------------------------
 * Worlds: the environment contract
 *
 * A ludus_env is the constant description of one world id (its spec): sizes,
 * spaces, parameters. It is built once by ludus_env_make and may be shared
 * read-only by any number of threads. The mutable part of a world, its
 * state, is one flat block of ludus_env_info.state_size bytes with no
 * pointers inside, owned by the caller: copy it with memcpy to snapshot,
 * compare it with memcmp, write it to disk and read it back (through
 * ludus_env_state_load, which checks what it reads: see "States from
 * outside" below).
 *
 * reset and step do no allocation, no I/O and no locking; calls on distinct
 * states may run concurrently.
 * ---------------------------------------------------------------------- */

typedef struct ludus_env ludus_env;

/* What an observation field means. Learners choose their encoders from
 * these, displays their pictures, so nothing above the worlds needs to
 * know which family a world belongs to. */
typedef enum ludus_obs_kind {
    LUDUS_OBS_OPAQUE = 0,     /* bytes with no declared meaning */
    LUDUS_OBS_GRID_CELLS = 1, /* (V, V, 3): each cell's (object, colour, state)
                                 indices in MiniGrid's encoding */
    LUDUS_OBS_DIRECTION = 2,  /* (1): a heading 0..3 (east, south, west, north) */
    LUDUS_OBS_SYMBOL_MAP = 3, /* (H, W): one semantic id per cell, low..high */
    LUDUS_OBS_SCALARS = 4,    /* (K): counts, levels or categories, each low..high */
    LUDUS_OBS_RGB = 5,        /* (H, W, 3): a picture, 0..255 per channel */
    LUDUS_OBS_TOKENS = 6      /* (K): text token ids, 0 pads */
} ludus_obs_kind;

/* One named part of the observation tensor: uint8 values, row-major. */
typedef struct ludus_obs_field {
    const char *name;   /* "image", "direction", ... */
    size_t offset;      /* byte offset inside the observation */
    int ndim;           /* 1..3 */
    int shape[3];
    uint8_t low, high;  /* inclusive range of the values */
    /* the bounds of the space the reference declares for this field
     * (Gymnasium's Box), which may be wider than the values taken
     * (MiniGrid declares its image 0..255) */
    uint8_t space_low, space_high;
    int kind;           /* a ludus_obs_kind */
} ludus_obs_field;

/* A key of `ludus play`: a character, or one of the LUDUS_KEY_* keys. */
enum { LUDUS_KEY_UP = 256, LUDUS_KEY_DOWN, LUDUS_KEY_RIGHT, LUDUS_KEY_LEFT, LUDUS_KEY_ENTER };
typedef struct ludus_key_binding {
    int key;            /* 0 ends a table */
    int action;         /* the action it plays */
    const char *label;  /* how help names the key ("space"); NULL: not listed */
} ludus_key_binding;

/* ludus_env_info.flags */
enum {
    /* what the agent must act on is not in the current observation (it was
     * shown earlier, as in MiniGrid's Memory): learners should remember */
    LUDUS_ENV_NEEDS_MEMORY = 1u << 0,
    /* the mission is the task: it changes from level to level and says what
     * to do (BabyAI's instructions): learners should read it */
    LUDUS_ENV_INSTRUCTED = 1u << 1
};

#define LUDUS_MAX_OBS_FIELDS 4
/* The most components an action vector has (ludus_env_info.action_dims). */
#define LUDUS_MAX_ACTION_DIMS 8
/* The most bytes a legal-action mask has (the sum of action_nvec). */
#define LUDUS_MAX_MASK_SIZE 4096

typedef struct ludus_env_info {
    const char *id;            /* registered id, "MiniGrid-DoorKey-8x8-v0" */
    const char *family;        /* "minigrid", "babyai", "crafter" */
    const char *description;   /* one line */
    int num_actions;           /* size of the action space, Discrete(n) */
    int max_action;            /* actions 0..max_action-1 are accepted by step
                                  (MiniGrid's Dynamic-Obstacles has 3 actions
                                  but accepts 0..6, as the reference does) */
    const char *const *action_names; /* num_actions language names */
    size_t obs_size;           /* bytes in one observation */
    int num_obs_fields;
    ludus_obs_field obs_fields[LUDUS_MAX_OBS_FIELDS];
    size_t state_size;         /* bytes in one state */
    int width, height;         /* world size in cells */
    uint32_t max_steps;        /* truncation limit; 0 when it depends on the
                                  level (BabyAI): see ludus_env_max_steps */
    size_t text_capacity;      /* bytes that always fit a text observation */
    size_t mission_capacity;   /* bytes that always fit a mission, with NUL */
    const char *options_doc;   /* the options ludus_env_make accepts, one line */
    /* Achievements (Crafter's 22): bit i of ludus_step_out.achievements is
     * achievement_names[i]; 0 and NULL for worlds without. */
    int num_achievements;
    const char *const *achievement_names;
    /* Keys for `ludus play`, ended by a row with key 0; NULL: none. */
    const ludus_key_binding *keys;
    /* Options a learner should make this world with unless told otherwise
     * (Crafter: "mode=fast", its rules without the exact replay's extra
     * noise draws); "" for none. */
    const char *train_options;
    uint32_t flags;            /* LUDUS_ENV_* */
    /* The action space: an action is a vector of action_dims integers (a
     * multi-discrete space), component k in 0..action_nvec[k]-1 (entries
     * from action_dims on are 0). Every world with action_dims == 1 is
     * Discrete(num_actions): action_nvec[0] == num_actions, and step also
     * accepts 0..max_action-1. With action_dims > 1, num_actions is the sum
     * of action_nvec (one logit, and one action name, per value of each
     * component, component after component) and max_action is 0. */
    int action_dims;
    int action_nvec[LUDUS_MAX_ACTION_DIMS];
    /* Bytes of the legal-action mask (ludus_env_action_mask): the sum of
     * action_nvec, one byte per value of each component, 1 where legal; 0
     * when the world has no mask (every action in range is legal). */
    int mask_size;
    /* Options that make this world generate its easiest levels, appended
     * to a run's options (a later key=value wins) by curricula that start
     * easy and let edits make levels harder (ACCEL's accel_start "easy";
     * Maze-v0: "walls=0,sample_walls=0", empty mazes, as minimax starts).
     * NULL or "" when the world has none. */
    const char *easy_options;
} ludus_env_info;

/* What one step returns besides the observation. */
typedef struct ludus_step_out {
    double reward;          /* as the reference computes it, in double */
    uint8_t terminated;     /* the episode ended inside the world */
    uint8_t truncated;      /* the step limit was reached (both may be 1) */
    uint8_t success;        /* the episode ended in success (world-defined) */
    uint8_t reserved;
    uint32_t achievements;  /* worlds with achievements: bits unlocked now */
} ludus_step_out;

/* Build the spec of a registered world id. `options` is NULL, "" or a
 * comma-separated list of key=value pairs the world documents (see
 * `ludus info ID`). An unknown id fails with LUDUS_ENOTFOUND and a message
 * naming the closest registered ids; a bad option with LUDUS_EINVAL;
 * Crafter's texture folder with LUDUS_EIO/LUDUS_EFORMAT; LUDUS_ENOMEM.
 * On success the caller owns *out and frees it with ludus_env_destroy; on
 * failure *out is NULL. Thread-safe. */
LUDUS_API int ludus_env_make(const char *id, const char *options, ludus_env **out);
/* Free a spec (NULL is harmless). States it reset stay the caller's but
 * are of no use without a spec of the same id and options. No call on env
 * may be running. */
LUDUS_API void ludus_env_destroy(ludus_env *env);

/* The spec's constant description, NULL when env is NULL; owned by env,
 * valid until ludus_env_destroy. Thread-safe. */
LUDUS_API const ludus_env_info *ludus_env_get_info(const ludus_env *env);

/* Reset `state` (info.state_size caller-owned bytes, any contents) to a
 * new episode generated from `seed` (a level). Any uint64_t is a valid
 * seed. Writes the first observation to `obs` when it is not NULL
 * (info.obs_size bytes). LUDUS_EINVAL for a NULL env or state; a level the
 * generator cannot build (a bug) is LUDUS_EINTERNAL and leaves the state
 * refused by every call until it is reset. Thread-safe for distinct
 * states. */
LUDUS_API int ludus_env_reset(const ludus_env *env, void *state, uint64_t seed, uint8_t *obs);

/* Reset without a new seed: the world's random stream continues from where
 * the last episode left it (Gymnasium's reset() with no seed). The state
 * must have been reset with a seed before (LUDUS_ESTATE otherwise); obs
 * may be NULL. Errors and threads as for ludus_env_reset. */
LUDUS_API int ludus_env_reset_continue(const ludus_env *env, void *state, uint8_t *obs);

/* Apply one action of a one-component world (info.action_dims == 1). An
 * action outside 0..info.max_action-1 (or, for a world with a mask, one
 * its mask forbids) fails with LUDUS_EINVAL and leaves the state
 * untouched, as does a world with action_dims > 1 (see
 * ludus_env_step_vec); a state that was never reset fails with
 * LUDUS_ESTATE. Stepping after the episode ended continues the world, as
 * the reference does; callers reset. obs (info.obs_size bytes) and out
 * may be NULL. The state is trusted beyond its header (see
 * ludus_env_state_check for bytes from elsewhere). No allocation, no
 * locking; thread-safe for distinct states. */
LUDUS_API int ludus_env_step(const ludus_env *env, void *state, int action, uint8_t *obs,
                             ludus_step_out *out);

/* Apply one action vector of info.action_dims components (any world; for
 * action_dims == 1 it is ludus_env_step(action[0])). Validated at the edge:
 * a component out of range, or (worlds with a mask) a value its component's
 * mask forbids, fails with LUDUS_EINVAL naming it and leaves the state
 * untouched; a state never reset fails with LUDUS_ESTATE; action NULL is
 * LUDUS_EINVAL. obs and out may be NULL. No allocation, no locking;
 * thread-safe for distinct states. */
LUDUS_API int ludus_env_step_vec(const ludus_env *env, void *state, const int32_t *action,
                                 uint8_t *obs, ludus_step_out *out);

/* The legal-action mask of `state`: info.mask_size bytes into mask, the
 * masks of the components one after the other (component k's value v at
 * byte sum(action_nvec[0..k-1]) + v), 1 where legal. A world with
 * mask_size 0 writes nothing (mask may then be NULL) and returns LUDUS_OK;
 * otherwise mask NULL is LUDUS_EINVAL. LUDUS_ESTATE for a state never
 * reset. Reads the state only: thread-safe with other readers of it. */
LUDUS_API int ludus_env_action_mask(const ludus_env *env, const void *state, uint8_t *mask);

/* Parse a reply in words (a language model's) into an action: writes
 * info.action_dims components into action. Tolerant as BALROG's agents
 * are (docs/text-observation.md, "Actions in words"): the text inside
 * <|ACTION|>...<|END|>, else after the last "Action:", else the whole
 * reply; lower-cased, '_' and '-' read as spaces, other characters than
 * letters, digits and spaces dropped; then an exact name, else the one
 * action named as whole words (longest name first), else a name within
 * 2 edits of a unique nearest one. Anything else (unknown, ambiguous,
 * empty, text NULL) fails with LUDUS_EINVAL and a message starting
 * "invalid action"; action is then untouched. env or action NULL:
 * LUDUS_EINVAL; a world without names: LUDUS_EUNSUPPORTED; LUDUS_ENOMEM
 * for a reply whose copy cannot be allocated. Mask-forbidden actions are
 * not rejected here (ludus_env_step_vec does). Thread-safe. */
LUDUS_API int ludus_env_parse_action(const ludus_env *env, const char *text, int32_t *action);

/* Write the observation of `state` (info.obs_size bytes). LUDUS_ESTATE for
 * a state never reset; LUDUS_EINVAL for NULL. Reads the state only:
 * thread-safe with other readers of it. */
LUDUS_API int ludus_env_observe(const ludus_env *env, const void *state, uint8_t *obs);

/* The mission (instruction) of the current episode; "" for worlds without
 * one, and for a NULL or never-reset state (the message says why). Never
 * NULL. Points into `state`: valid while the state is and unchanged by
 * steps (a reset changes it). Reads only. */
LUDUS_API const char *ludus_env_mission(const ludus_env *env, const void *state);

/* The step limit of the current episode (BabyAI's depends on the level);
 * for a NULL or never-reset state, info.max_steps (0 without env). */
LUDUS_API uint32_t ludus_env_max_steps(const ludus_env *env, const void *state);
/* Steps taken in the current episode; 0 for a NULL or never-reset state. */
LUDUS_API uint32_t ludus_env_step_count(const ludus_env *env, const void *state);

/* How many generated levels were rejected and regenerated before the
 * current one (BabyAI's rejection sampling: the reference prints
 * "Sampling rejected" each time; ludus counts instead). 0 for worlds that
 * never reject, and for a NULL or never-reset state. */
LUDUS_API uint32_t ludus_env_rejections(const ludus_env *env, const void *state);

/* Text observations for language-model agents. */
typedef enum ludus_text_mode {
    /* The mission, one line per visible thing with its position relative to
     * the agent, what the agent carries, and the legal actions by name. */
    LUDUS_TEXT_FULL = 0,
    /* Only the description lines, exactly as BALROG's BabyAI-Text wrapper
     * gives them to language models (docs/text-observation.md). */
    LUDUS_TEXT_BALROG = 1
} ludus_text_mode;

/* Write the text observation of `state` into buf (NUL-terminated). Returns
 * the length written (>= 0), or LUDUS_EINVAL when cap is smaller than
 * info.text_capacity (which always fits) or the mode is unknown;
 * LUDUS_ESTATE for a state never reset; LUDUS_EUNSUPPORTED for worlds
 * without text. Reads the state only; buf is the caller's. */
LUDUS_API int ludus_env_text(const ludus_env *env, const void *state, ludus_text_mode mode,
                             char *buf, size_t cap);

/* RGB frames, for people and pixel-based agents. */
typedef struct ludus_render_opts {
    int tile_size;   /* pixels per cell for tiled worlds (grid: 1..256; 0 = 32) */
    int agent_view;  /* 1: the agent's own partial view instead of the whole world */
    int highlight;   /* grid worlds: shade the cells the agent can see (full view) */
} ludus_render_opts;

/* The frame size for these options (opts NULL: defaults) into *width and
 * *height. LUDUS_EINVAL for a tile size out of the world's range,
 * LUDUS_EUNSUPPORTED for worlds without frames. Thread-safe. */
LUDUS_API int ludus_env_render_size(const ludus_env *env, const ludus_render_opts *opts,
                                    int *width, int *height);
/* Draw `state` into rgb, (height, width, 3) uint8 row-major, cap bytes.
 * No allocation per frame; LUDUS_EINVAL when cap is too small, errors of
 * ludus_env_render_size, LUDUS_ESTATE for a state never reset. Reads the
 * state only. */
LUDUS_API int ludus_env_render(const ludus_env *env, const void *state,
                               const ludus_render_opts *opts, uint8_t *rgb, size_t cap);

/* A picture of the world for a terminal: UTF-8 text with ANSI colour
 * escapes, one line per row, for `ludus play`. snprintf semantics: returns
 * the full length; retry with a larger buffer when it is >= cap (buf may
 * be NULL when cap is 0). Negative on error (LUDUS_ESTATE, LUDUS_EINVAL,
 * LUDUS_EUNSUPPORTED). Reads the state only. */
LUDUS_API int ludus_env_render_ansi(const ludus_env *env, const void *state, char *buf, size_t cap);

/* Images on disk. PNG through libpng; rgb is (height, width, 3) uint8.
 * Writes path (created or truncated): LUDUS_EINVAL for a bad size,
 * LUDUS_EIO with the system's reason. Thread-safe for distinct paths. */
LUDUS_API int ludus_png_write(const char *path, const uint8_t *rgb, int width, int height);
/* Read a PNG as 8-bit RGBA (height, width, 4). On success *rgba is
 * allocated by the library and the caller frees it with ludus_free; on
 * failure *rgba is NULL. LUDUS_EIO when it cannot be read, LUDUS_EFORMAT
 * for a file that is not a PNG or one above 32768 pixels a side,
 * LUDUS_ENOMEM. Thread-safe. */
LUDUS_API int ludus_png_read_rgba(const char *path, uint8_t **rgba, int *width, int *height);

/* Animated GIFs through giflib, for episodes: frames of one size, shown in
 * order, looping forever. Each frame keeps its exact colours when it has
 * at most 256 (every grid world's frames do), else giflib's quantizer
 * reduces it. Only the rectangle that changed since the previous frame is
 * stored. One writer per thread at a time; it is not thread-safe. */
typedef struct ludus_gif ludus_gif;
/* Create (or truncate) `path` for width x height frames (1..65535 a side).
 * LUDUS_EIO with the path and the system's reason when it cannot be
 * written. The caller closes *out. */
LUDUS_API int ludus_gif_open(const char *path, int width, int height, ludus_gif **out);
/* Append a frame, rgb (height, width, 3) uint8 (read during the call),
 * shown for delay_cs hundredths of a second (0..65535; LUDUS_EINVAL
 * otherwise). LUDUS_EIO when the write fails; LUDUS_ENOMEM. */
LUDUS_API int ludus_gif_add_frame(ludus_gif *gif, const uint8_t *rgb, int delay_cs);
/* Finish the file and free gif. If any write failed, the partial file is
 * removed and LUDUS_EIO returned. ludus_gif_close(NULL) is harmless. */
LUDUS_API int ludus_gif_close(ludus_gif *gif);

/* Trace lines: one JSON object per line, in the format of the reference
 * traces (shared/data/minigrid-traces/FORMAT.md for the grid worlds), so a
 * ludus episode can be compared line by line with the reference's. Each
 * writes into buf with snprintf semantics: it returns the full length of
 * the line (without newline); when that is >= cap the line was cut and the
 * call should be repeated with a larger buffer (buf may be NULL when cap
 * is 0). Negative on error: LUDUS_ESTATE for a state never reset,
 * LUDUS_EINVAL for NULL, LUDUS_EUNSUPPORTED for worlds without traces.
 * They read the states only. */
LUDUS_API int ludus_env_trace_header(const ludus_env *env, uint64_t seed, char *buf, size_t cap);
LUDUS_API int ludus_env_trace_reset(const ludus_env *env, const void *state, uint64_t seed,
                                    char *buf, size_t cap);
/* prev_state is a copy of the state taken before the step (for grid_diff). */
LUDUS_API int ludus_env_trace_step(const ludus_env *env, const void *prev_state,
                                   const void *state, int t, int action,
                                   const ludus_step_out *out, char *buf, size_t cap);

/* Registry. Ids are listed in a stable order. The strings are constants
 * (never freed); all three are thread-safe. */
LUDUS_API int ludus_env_count(void);
LUDUS_API const char *ludus_env_id(int index);          /* NULL when out of range */
LUDUS_API const char *ludus_env_describe(const char *id); /* one line, NULL if unknown or NULL */

/* A zeroed block of info.state_size bytes for a state of env (reset it
 * before use), or NULL when env is NULL or memory ran out. The caller frees
 * it with ludus_free. Thread-safe. */
LUDUS_API void *ludus_env_state_new(const ludus_env *env);

/* States from outside. The library trusts the states it produced itself:
 * step, observe, text, mission, render, render_ansi and the trace
 * functions check only a state's header (that `env` reset it), for speed,
 * and a state whose other bytes were changed behind the library's back may
 * make them read out of bounds. Bytes that come from elsewhere (a file, a
 * network, a pickle, another program) enter through ludus_env_state_load or
 * are checked with ludus_env_state_check first; Python's pickling and
 * Env.restore go through ludus_env_state_load.
 *
 * ludus_env_state_check: LUDUS_OK when `state` is a state `env` could have
 * produced as far as anything the library reads depends on it (the
 * header, every cell, object, position, inventory count, counter and
 * instruction of the world, the mission's terminating NUL, the step
 * limit); otherwise LUDUS_EFORMAT with a message naming the first bad
 * field. It does not replay the episode: a well-formed state the rules
 * could not reach is accepted, and the world runs on from it. A state
 * stepped past its step limit is valid (the world continues, see
 * ludus_env_step). LUDUS_EINVAL for a NULL argument. Reads only;
 * thread-safe for distinct states, and with concurrent readers of the same
 * state. */
LUDUS_API int ludus_env_state_check(const ludus_env *env, const void *state);
/* Copy `size` bytes from src (any alignment, may overlap dst) into the
 * caller's state block dst and check them with ludus_env_state_check.
 * size must be info.state_size (LUDUS_EFORMAT otherwise). On any failure
 * dst is left zeroed, a state that every call refuses until it is reset
 * or loaded again. Thread-safe for distinct dst. */
LUDUS_API int ludus_env_state_load(const ludus_env *env, void *dst, const void *src, size_t size);

/* Levels as blocks. A level of a world that supports it (the maze worlds)
 * is more than a seed: a small fixed-size block of bytes (the maze: its
 * size, walls, goal and the agent's pose) that a curriculum can store,
 * edit and replay. Blocks are plain data: copy them with memcpy, compare
 * them with memcmp, write them to disk. The maze's layout (docs/maze.md):
 * bytes 0-7 interior width, height, agent x, y, direction, goal x, y, 0
 * (interior coordinates, 0-based); then the walls, one bit per interior
 * cell, row-major, bit i of byte 8 + i/8 for cell i (bit order i % 8,
 * least significant first). */

/* Bytes in one level block of env's worlds; 0 when the world has no
 * levels beyond seeds (or env is NULL). Thread-safe. */
LUDUS_API size_t ludus_env_level_size(const ludus_env *env);
/* Write the current level of `state` (walls, goal, the agent's pose now)
 * into level, `size` bytes
 * (must be ludus_env_level_size). LUDUS_ESTATE for a state never reset,
 * LUDUS_EUNSUPPORTED for worlds without levels, LUDUS_EINVAL for a wrong
 * size or NULL. Reads the state only. */
LUDUS_API int ludus_env_level_of(const ludus_env *env, const void *state, void *level, size_t size);
/* Reset `state` to a new episode on `level` (size bytes, checked: a level
 * of another size, a wall on the agent or goal, a pose off the interior,
 * goal and agent on one cell, or stray bits fail with LUDUS_EINVAL and a
 * message naming the field, and leave the state refused until it is
 * reset). The world's random stream is seeded from the level's bytes, so
 * a reset_continue afterwards is deterministic. obs as for
 * ludus_env_reset. Thread-safe for distinct states. */
LUDUS_API int ludus_env_reset_level(const ludus_env *env, void *state, const void *level, size_t size,
                                    uint8_t *obs);
/* Edit `level` in place with `edits` random edits drawn from rng (ACCEL's
 * operator; the maze's, minimax's: each edit is uniformly a no-op, a
 * wall flipped on a cell other than the agent's and the goal's, or the
 * goal moved to a uniform empty cell other than the agent's and its own).
 * The level is checked first (LUDUS_EINVAL as for ludus_env_reset_level);
 * edits < 0 or a NULL rng is LUDUS_EINVAL. Thread-safe for distinct
 * levels and generators. */
LUDUS_API int ludus_env_level_mutate(const ludus_env *env, void *level, size_t size, int edits, ludus_rng *rng);

/* Free memory the library handed to the caller (ludus_env_state_new,
 * ludus_png_read_rgba's pixels); NULL is harmless. Use it rather than
 * free(), which may belong to another C runtime than the library's.
 * Thread-safe. */
LUDUS_API void ludus_free(void *p);

/* ------------------------------------------------------------------------
 * Crafter's episode statistics
 *
 * Bit i of ludus_step_out.achievements in a Crafter world is achievement
 * i, set on the step it is first unlocked in the episode. OR the bits over
 * an episode to get its mask.
 * ---------------------------------------------------------------------- */

#define LUDUS_CRAFTER_NUM_ACHIEVEMENTS 22

/* The name of achievement i ("collect_coal", ...), NULL when out of range.
 * A constant; thread-safe. */
LUDUS_API const char *ludus_crafter_achievement_name(int i);

/* The Crafter score of a set of episodes (Hafner 2021): the geometric mean
 * of the 22 success rates with a 1% offset, exp(mean(ln(1 + s_i))) - 1,
 * where s_i is the percentage of episodes that unlocked achievement i.
 * episode_masks holds one mask per episode. Writes the score (in percent,
 * 0..100) to *score and, when success_rates is not NULL, the 22 rates in
 * percent. Fails with LUDUS_EINVAL for no episodes, a NULL pointer or a
 * mask with a bit above 21. Thread-safe. */
LUDUS_API int ludus_crafter_score(const uint32_t *episode_masks, size_t num_episodes, double *score,
                                  double *success_rates);

/* ------------------------------------------------------------------------
 * Batched stepping (vec)
 *
 * N worlds of one id in struct-of-arrays buffers. Worker threads each own a
 * contiguous slice of worlds; results do not depend on the number of
 * threads. Episodes auto-reset in the same step: obs then holds the first
 * observation of the next episode, and the last observation of the ended
 * one is kept in final_obs (with final_mask[i] = 1) for value bootstrapping.
 * ---------------------------------------------------------------------- */

typedef struct ludus_vec ludus_vec;

/* Episode statistics, added to (+=) as episodes end, summed over worlds. */
typedef struct ludus_episode_stats {
    uint64_t episodes;
    uint64_t successes;
    uint64_t steps;          /* sum of episode lengths */
    double return_sum;
    double return_sq_sum;
    uint64_t truncations;
} ludus_episode_stats;

typedef struct ludus_vec_config {
    const char *env_id;
    const char *env_options;   /* as for ludus_env_make; may be NULL */
    int num_envs;              /* >= 1 */
    int num_threads;           /* >= 1; 0 means 1 */
    /* Level sampler: reset seeds are drawn uniformly from
     * [level_start, level_start + level_count); level_count == 0 draws any
     * uint64_t seed. */
    uint64_t level_start;
    uint64_t level_count;
    uint64_t seed;             /* seeds the level sampler's streams */
    /* Caller-lent buffers (NULL: the vec allocates and owns them). */
    uint8_t *obs;              /* (N, obs_size) */
    double *rewards;           /* (N) */
    uint8_t *terminated;       /* (N) */
    uint8_t *truncated;        /* (N) */
    uint8_t *final_obs;        /* (N, obs_size) */
    uint8_t *final_mask;       /* (N) 1 where an episode ended this step */
    /* (N, info.mask_size) the legal-action masks of the worlds' current
     * states, rewritten on every reset and step; unused (may be NULL)
     * when the world has no mask. */
    uint8_t *action_masks;
    /* World i's level stream is numbered world_offset + i, so processes
     * that each step a share of a run's worlds (dist.h) draw disjoint
     * streams; 0 for one vec; 0..2^31-1. */
    int world_offset;
} ludus_vec_config;

/* Make the worlds and the worker threads. cfg is read during the call
 * (its strings are copied); its lent buffers are kept and written by
 * every reset and step until ludus_vec_destroy, which never frees them.
 * LUDUS_EINVAL for num_envs outside [1, 2^24], num_threads outside
 * [0, 64] or a level range past 2^64; errors of ludus_env_make;
 * LUDUS_ENOMEM. On success the caller owns *out (ludus_vec_destroy); on
 * failure *out is NULL. The worlds must be reset before they are stepped. */
LUDUS_API int ludus_vec_create(const ludus_vec_config *cfg, ludus_vec **out);
/* Stop the threads and free the vec and the buffers it allocated (NULL is
 * harmless). No call on the vec may be running. */
LUDUS_API void ludus_vec_destroy(ludus_vec *vec);
/* Reset every world with a seed from the level sampler. On failure (a
 * level the generator cannot build) the vec must be reset again before it
 * is stepped. Calls on one vec must not overlap (the vec's own threads do
 * the parallel work). */
LUDUS_API int ludus_vec_reset(ludus_vec *vec);
/* Step every world; actions is (N, info.action_dims), row-major (for
 * today's one-component worlds simply (N)), read during the call. Fails
 * with LUDUS_EINVAL (and steps nothing) when a component is out of range
 * or, for worlds with a mask, forbidden by the world's current mask
 * (ludus_vec_action_masks); with LUDUS_ESTATE before the first reset; a
 * failed auto-reset leaves worlds half-stepped: reset the vec. Calls on one
 * vec must not overlap. */
LUDUS_API int ludus_vec_step(ludus_vec *vec, const int32_t *actions);
/* Step only worlds [first, first + count), on the calling thread, with
 * actions[first ..] (actions is indexed by world, (N, action_dims) as for
 * ludus_vec_step).
 * For callers with threads of their own (a learner's): calls on disjoint
 * slices may run concurrently, and stepping every world through slices
 * gives what ludus_vec_step gives. Not concurrent with any other call on
 * the vec. After a failure, reset the vec. */
LUDUS_API int ludus_vec_step_slice(ludus_vec *vec, const int32_t *actions, int first, int count);
/* The accessors below return NULL (or 0) for a NULL vec and never fail.
 * What they point to is owned by the vec (or lent to it by the caller)
 * and valid until ludus_vec_destroy; each reset and step overwrites it. */
/* The vec's spec (for its info), owned by the vec. */
LUDUS_API const ludus_env *ludus_vec_env(const ludus_vec *vec);
LUDUS_API int ludus_vec_num_envs(const ludus_vec *vec);
/* (N, obs_size) observations; (N) rewards, terminated and truncated flags;
 * (N, obs_size) final observations where final_mask is 1. */
LUDUS_API uint8_t *ludus_vec_obs(ludus_vec *vec);
LUDUS_API double *ludus_vec_rewards(ludus_vec *vec);
LUDUS_API uint8_t *ludus_vec_terminated(ludus_vec *vec);
LUDUS_API uint8_t *ludus_vec_truncated(ludus_vec *vec);
LUDUS_API uint8_t *ludus_vec_final_obs(ludus_vec *vec);
LUDUS_API uint8_t *ludus_vec_final_mask(ludus_vec *vec);
/* (N, info.mask_size): each world's legal-action mask (see
 * ludus_env_action_mask); NULL when the world has no mask. */
LUDUS_API uint8_t *ludus_vec_action_masks(ludus_vec *vec);
/* (N): where final_mask[i] is 1, the achievement bits (ludus_step_out's)
 * unlocked over world i's ended episode; 0 elsewhere. Owned by the vec. */
LUDUS_API const uint32_t *ludus_vec_final_achievements(const ludus_vec *vec);
/* (N, info.mask_size): where final_mask[i] is 1, the legal-action mask of
 * world i's final state (the one final_obs shows), taken before the
 * automatic reset rewrote ludus_vec_action_masks; stale elsewhere. NULL
 * when the world has no mask. Owned by the vec. */
LUDUS_API const uint8_t *ludus_vec_final_action_masks(const ludus_vec *vec);
/* The state of world i (state_size bytes), for snapshots and inspection;
 * NULL when i is out of range. Writing it is writing the world: bytes from
 * elsewhere go through ludus_env_state_load. */
LUDUS_API void *ludus_vec_state(ludus_vec *vec, int i);
/* The seed (level) of world i's current episode; 0 when i is out of range. */
LUDUS_API uint64_t ludus_vec_level(const ludus_vec *vec, int i);
/* A custom level sampler (a curriculum such as Prioritized Level Replay):
 * fn(user, world, rng) returns the seed of world `world`'s next episode;
 * rng is that world's own sampler stream. It is called from worker
 * threads, concurrently for different worlds: it must be thread-safe, and
 * must not call back into the vec. NULL restores the uniform sampler. `user`
 * is passed to fn unchanged and never freed. LUDUS_EINVAL for a NULL vec.
 * Not concurrent with a reset or step of the vec. */
typedef uint64_t (*ludus_vec_level_fn)(void *user, int world, ludus_rng *rng);
LUDUS_API int ludus_vec_set_level_fn(ludus_vec *vec, ludus_vec_level_fn fn, void *user);
/* Levels as blocks (a curriculum that stores or edits levels, such as
 * ACCEL): fn(user, world, rng, block, size, seed) chooses world `world`'s
 * next level. It returns 1 after writing a level block of `size` bytes
 * (ludus_env_level_size) into `block`, from which the world then resets
 * through ludus_env_reset_level; 0 after writing a seed to *seed, from
 * which it resets as from the seed sampler's; a negative LUDUS_E* code to
 * fail the reset (or step) that asked. *seed is what ludus_vec_level
 * reports in both cases. size is 0 for worlds without level blocks (fn
 * must then return 0 or an error). While set, it takes the place of the
 * seed sampler and of ludus_vec_set_level_fn's fn; NULL restores them. The
 * same threading rules as ludus_vec_set_level_fn. LUDUS_EINVAL for a NULL
 * vec, LUDUS_ENOMEM. */
typedef int (*ludus_vec_level_block_fn)(void *user, int world, ludus_rng *rng, uint8_t *block, size_t size,
                                        uint64_t *seed);
LUDUS_API int ludus_vec_set_level_block_fn(ludus_vec *vec, ludus_vec_level_block_fn fn, void *user);
/* A block sampler may also return LUDUS_VEC_LEVEL_LATER when the level is
 * not known yet (a curriculum shared by processes learns the other
 * processes' episode ends first): the world is then left as its episode
 * ended (this step's outputs stand, its observation is stale) until the
 * caller resets it with ludus_vec_reset_world; stepping it before fails
 * with LUDUS_ESTATE. */
#define LUDUS_VEC_LEVEL_LATER 2
/* Reset world i now, asking the level sampler for its level as an
 * automatic reset does (the sampler must not answer
 * LUDUS_VEC_LEVEL_LATER again: LUDUS_ESTATE); writes its observation and
 * mask, leaves the step's rewards, flags and final observations as they
 * are. LUDUS_EINVAL for a NULL vec or i out of range, LUDUS_ESTATE before
 * the first reset, the sampler's and the world's errors (the vec must
 * then be reset). Not concurrent with any other call on the vec. */
LUDUS_API int ludus_vec_reset_world(ludus_vec *vec, int i);
/* The block world i's current episode was reset from, NULL when it was
 * reset from a seed, i is out of range or no block sampler is set. Owned
 * by the vec; rewritten by each reset of world i. */
LUDUS_API const uint8_t *ludus_vec_level_block(const ludus_vec *vec, int i);
/* Sum the statistics of episodes ended since the last clear into *out
 * (zeros for a NULL vec; nothing when out is NULL). */
LUDUS_API void ludus_vec_stats(const ludus_vec *vec, ludus_episode_stats *out);
/* Forget the statistics (NULL is harmless). */
LUDUS_API void ludus_vec_clear_stats(ludus_vec *vec);

/* A world's episode so far, as the vec counts it for the statistics. */
typedef struct ludus_episode_progress {
    uint32_t length;       /* steps taken in the current episode */
    uint32_t achievements; /* OR of its steps' achievement bits */
    double ret;            /* sum of its rewards */
} ludus_episode_progress;
/* Read world i's progress into *out, or set it from *in: for a caller that
 * restores the worlds' states (ludus_env_state_load on ludus_vec_state) and
 * wants the episodes under way to end with their whole length and return.
 * LUDUS_EINVAL for a NULL vec or pointer, i out of range, or (set) a return
 * that is not finite. Not concurrent with a reset or step of the vec. */
LUDUS_API int ludus_vec_episode_progress(const ludus_vec *vec, int i, ludus_episode_progress *out);
LUDUS_API int ludus_vec_set_episode_progress(ludus_vec *vec, int i, const ludus_episode_progress *in);

#ifdef __cplusplus
}
#endif

#endif /* LUDUS_H */
