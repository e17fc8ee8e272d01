/* craft.h: the Crafter world family (spec/crafter.md), exact against the
 * reference Crafter 1.8.3. The whole world (64x64 cells, the object list,
 * the chunk table, the MT19937 stream) is one flat block with no pointers,
 * so memcpy clones it. A cell is one byte: the material in the low nibble
 * and the kind of the object standing on it in the high nibble, so moves,
 * spawns and the semantic map never search the object list.
 */
#ifndef LUDUS_CRAFT_H
#define LUDUS_CRAFT_H

#include "envs/env.h"

/* ---- sizes (spec §1) ---- */
#define CRAFT_SIZE 64                          /* the area is CRAFT_SIZE x CRAFT_SIZE */
#define CRAFT_CELLS (CRAFT_SIZE * CRAFT_SIZE)
#define CRAFT_CHUNK 12                         /* chunk side; the last row/column is 4 wide */
#define CRAFT_CHUNK_SIDE 6                     /* chunks per side: ceil(64 / 12) */
#define CRAFT_NUM_CHUNKS (CRAFT_CHUNK_SIDE * CRAFT_CHUNK_SIDE)
#define CRAFT_VIEW_W 9                         /* the local view, in cells */
#define CRAFT_VIEW_H 7
#define CRAFT_ITEM_ROWS 2                      /* the inventory strip under it */
#define CRAFT_MAX_OBJS CRAFT_CELLS             /* one object per cell at most */
#define CRAFT_DAY_LENGTH 300
#define CRAFT_UPDATE_RADIUS 18                 /* 2 * max(view): objects farther rest */
#define CRAFT_BALANCE_EVERY 10
#define CRAFT_DEFAULT_LENGTH 10000
#define CRAFT_START_X 32
#define CRAFT_START_Y 32
#define CRAFT_NOISE_W 63                       /* the night noise of a 64x64 frame */
#define CRAFT_NOISE_H 49
#define CRAFT_NIGHT_WORDS (2 * CRAFT_NOISE_W * CRAFT_NOISE_H) /* 6174 MT outputs per night step */

/* ---- the reference's tables (spec §3) ---- */
enum {
    MAT_NONE = 0, MAT_WATER, MAT_GRASS, MAT_STONE, MAT_PATH, MAT_SAND, MAT_TREE, MAT_LAVA,
    MAT_COAL, MAT_IRON, MAT_DIAMOND, MAT_TABLE, MAT_FURNACE, CRAFT_NUM_MATS
};
/* Object kinds; the semantic id of kind k is CRAFT_NUM_MATS - 1 + k (13..18). */
enum { KIND_NONE = 0, KIND_PLAYER, KIND_COW, KIND_ZOMBIE, KIND_SKELETON, KIND_ARROW, KIND_PLANT,
       CRAFT_NUM_KINDS };
#define CRAFT_SEM_ID(kind) (CRAFT_NUM_MATS - 1 + (kind))
#define CRAFT_NUM_SEM (CRAFT_NUM_MATS - 1 + CRAFT_NUM_KINDS) /* 19 ids, 0..18 */

enum {
    ITEM_HEALTH = 0, ITEM_FOOD, ITEM_DRINK, ITEM_ENERGY, ITEM_SAPLING, ITEM_WOOD, ITEM_STONE,
    ITEM_COAL, ITEM_IRON, ITEM_DIAMOND, ITEM_WOOD_PICKAXE, ITEM_STONE_PICKAXE, ITEM_IRON_PICKAXE,
    ITEM_WOOD_SWORD, ITEM_STONE_SWORD, ITEM_IRON_SWORD, CRAFT_NUM_ITEMS
};
#define CRAFT_ITEM_MAX 9
#define CRAFT_NUM_VITALS 4                     /* health, food, drink, energy */

enum {
    ACH_COLLECT_COAL = 0, ACH_COLLECT_DIAMOND, ACH_COLLECT_DRINK, ACH_COLLECT_IRON,
    ACH_COLLECT_SAPLING, ACH_COLLECT_STONE, ACH_COLLECT_WOOD, ACH_DEFEAT_SKELETON,
    ACH_DEFEAT_ZOMBIE, ACH_EAT_COW, ACH_EAT_PLANT, ACH_MAKE_IRON_PICKAXE, ACH_MAKE_IRON_SWORD,
    ACH_MAKE_STONE_PICKAXE, ACH_MAKE_STONE_SWORD, ACH_MAKE_WOOD_PICKAXE, ACH_MAKE_WOOD_SWORD,
    ACH_PLACE_FURNACE, ACH_PLACE_PLANT, ACH_PLACE_STONE, ACH_PLACE_TABLE, ACH_WAKE_UP,
    CRAFT_NUM_ACH
};

enum {
    ACT_NOOP = 0, ACT_MOVE_LEFT, ACT_MOVE_RIGHT, ACT_MOVE_UP, ACT_MOVE_DOWN, ACT_DO, ACT_SLEEP,
    ACT_PLACE_STONE, ACT_PLACE_TABLE, ACT_PLACE_FURNACE, ACT_PLACE_PLANT, ACT_MAKE_WOOD_PICKAXE,
    ACT_MAKE_STONE_PICKAXE, ACT_MAKE_IRON_PICKAXE, ACT_MAKE_WOOD_SWORD, ACT_MAKE_STONE_SWORD,
    ACT_MAKE_IRON_SWORD, CRAFT_NUM_ACTIONS
};

/* Directions in the order random_dir() indexes them: left, right, up, down. */
enum { DIR_LEFT = 0, DIR_RIGHT, DIR_UP, DIR_DOWN };
extern const int8_t ludus_craft_dir_dx[4], ludus_craft_dir_dy[4];

extern const char *const ludus_craft_mat_names[CRAFT_NUM_MATS];   /* "water", ...; [0] "none" */
extern const char *const ludus_craft_kind_names[CRAFT_NUM_KINDS]; /* "player", ...; [0] "none" */
extern const char *const ludus_craft_item_names[CRAFT_NUM_ITEMS];
extern const char *const ludus_craft_ach_names[CRAFT_NUM_ACH];
extern const char *const ludus_craft_action_names[CRAFT_NUM_ACTIONS];

/* Walkable materials as bit masks over material ids. */
#define MAT_BIT(m) (1u << (m))
#define WALK_CREATURE (MAT_BIT(MAT_GRASS) | MAT_BIT(MAT_SAND) | MAT_BIT(MAT_PATH))
#define WALK_PLAYER (WALK_CREATURE | MAT_BIT(MAT_LAVA))
#define WALK_ARROW (WALK_CREATURE | MAT_BIT(MAT_WATER) | MAT_BIT(MAT_LAVA))

/* ---- random numbers (rng.c) ---- */
#define CRAFT_MT_N 624
typedef struct craft_mt {
    uint32_t key[CRAFT_MT_N];
    uint32_t pos;     /* next word; CRAFT_MT_N means "twist before the next draw" */
    uint32_t reserved;
    uint64_t words;   /* 32-bit outputs consumed since seeding (traces' rng_words) */
} craft_mt;

void ludus_craft_mt_seed(craft_mt *m, uint32_t seed);
void ludus_craft_mt_twist(craft_mt *m);
/* Consume n outputs without tempering them (the night noise of exact mode). */
void ludus_craft_mt_advance(craft_mt *m, uint64_t n);
/* randint(0, n) of the legacy RandomState: masked rejection; n == 1 draws nothing. */
uint32_t ludus_craft_mt_randint(craft_mt *m, uint32_t n);

static inline uint32_t craft_mt_next32(craft_mt *m)
{
    if (LUDUS_UNLIKELY(m->pos >= CRAFT_MT_N)) ludus_craft_mt_twist(m);
    uint32_t y = m->key[m->pos++];
    m->words++;
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

/* random_sample(): 53 random bits from two outputs. */
static inline double craft_mt_uniform(craft_mt *m)
{
    uint32_t a = craft_mt_next32(m) >> 5, b = craft_mt_next32(m) >> 6;
    return ((double)a * 67108864.0 + (double)b) / 9007199254740992.0;
}

/* CPython's hash of an int n given as its sign and |n| mod (2^61 - 1). */
int64_t ludus_craft_py_hash_int(int negative, uint64_t magnitude_mod);
/* |n| mod (2^61 - 1) for a 64-bit magnitude. */
uint64_t ludus_craft_py_mod61(uint64_t magnitude);
/* CPython (3.8+, 64-bit) hash of a 2-tuple from its elements' hashes. */
int64_t ludus_craft_py_hash_pair(int64_t h1, int64_t h2);
/* The world seed of Env(seed=S), episode e: hash((S, e)) % (2^31 - 1). */
uint32_t ludus_craft_world_seed(uint64_t seed, uint64_t episode);

/* ---- OpenSimplex noise, 2014, 3D only (noise.c) ---- */
typedef struct craft_noise {
    uint8_t perm[256];
    uint8_t grad[256];   /* (perm % 24) * 3: offset into the gradient table */
} craft_noise;

void ludus_craft_noise_seed(craft_noise *n, int64_t seed);
double ludus_craft_noise3(const craft_noise *n, double x, double y, double z);
/* out[i] = noise3(x, ys[i], z) for i < count where mask[i] (mask may be
 * NULL): one call per column of a world, so the noise inlines into a loop. */
void ludus_craft_noise3_column(const craft_noise *n, double x, const double *ys, double z, const uint8_t *mask,
                         double *out, int count);

/* ---- the state ---- */
typedef struct craft_obj {
    uint32_t id;      /* creation index (the reference's world._objects slot); player = 1 */
    uint32_t aux;     /* zombie cooldown, skeleton reload, plant grown, arrow direction */
    uint8_t kind, x, y;
    uint8_t health;   /* creatures and plants; the player's lives in inv[ITEM_HEALTH] */
} craft_obj;

#define CELL_MAT(c) ((c) & 15u)
#define CELL_KIND(c) ((unsigned)(c) >> 4)
#define CELL_INDEX(x, y) ((x) * CRAFT_SIZE + (y))   /* [x][y], as the reference lays it out */

/* Bits of craft_state.py_float: the player counter CPython holds as a float
 * (after a half step while sleeping); traces print it as Python would. */
enum { PYF_HUNGER = 1, PYF_THIRST = 2, PYF_RECOVER = 4 };

typedef struct craft_state {
    env_state_header hdr;
    uint64_t seed;            /* the Env's seed S */
    uint32_t episode;         /* e: the first reset of an Env is episode 1 */
    uint32_t step;
    uint32_t world_seed;      /* hash((S, e)) % (2^31 - 1) */
    uint32_t simplex_seed;    /* the stream's first draw */
    double daylight;
    /* the player; its position is objs[0] */
    uint8_t facing;           /* DIR_* */
    uint8_t sleeping;
    uint8_t last_health;      /* the player's own, for waking when hurt */
    uint8_t env_last_health;  /* the environment's, for the reward */
    uint8_t py_float;         /* PYF_* */
    uint8_t night_valid;      /* night_rng holds the stream before this step's night noise */
    int16_t hunger2, thirst2, recover2; /* in half units: counters move by 0.5 while asleep */
    int16_t fatigue;
    int8_t inv[CRAFT_NUM_ITEMS];
    uint32_t ach[CRAFT_NUM_ACH];        /* per-episode counts */
    uint32_t ach_mask;                  /* bit i: ach[i] > 0 */
    uint32_t unlocked;                  /* achievements already rewarded */
    /* chunks: the balancer visits them in the order they entered the table */
    uint64_t chunk_seen;
    uint8_t chunk_order[CRAFT_NUM_CHUNKS];
    uint8_t num_chunks;
    uint8_t grass[CRAFT_NUM_CHUNKS];    /* grass cells per chunk (the balancer's space) */
    uint8_t path[CRAFT_NUM_CHUNKS];
    uint32_t next_id;                   /* id of the next object created */
    uint32_t num_objs;
    craft_mt rng;
    craft_mt night_rng;                 /* exact mode: the stream before the night noise */
    uint8_t cells[CRAFT_CELLS];
    craft_obj objs[CRAFT_MAX_OBJS];     /* live objects in creation order */
} craft_state;

/* ---- world primitives (world.c) ---- */
static inline int craft_inside(int x, int y)
{
    return (unsigned)x < CRAFT_SIZE && (unsigned)y < CRAFT_SIZE;
}
static inline unsigned craft_mat_at(const craft_state *st, int x, int y)
{
    return craft_inside(x, y) ? CELL_MAT(st->cells[CELL_INDEX(x, y)]) : MAT_NONE;
}
static inline unsigned craft_kind_at(const craft_state *st, int x, int y)
{
    return craft_inside(x, y) ? CELL_KIND(st->cells[CELL_INDEX(x, y)]) : KIND_NONE;
}
/* The semantic id of a cell (info['semantic']): the object's, else the material's. */
static inline unsigned craft_sem_at(const craft_state *st, int x, int y)
{
    if (!craft_inside(x, y)) return 0;
    uint8_t c = st->cells[CELL_INDEX(x, y)];
    return CELL_KIND(c) ? CRAFT_SEM_ID(CELL_KIND(c)) : CELL_MAT(c);
}
static inline int craft_chunk_of(int x, int y)
{
    return (x / CRAFT_CHUNK) * CRAFT_CHUNK_SIDE + y / CRAFT_CHUNK;
}
static inline int craft_dist(int ax, int ay, int bx, int by)
{
    int dx = ax - bx, dy = ay - by;
    return (dx < 0 ? -dx : dx) + (dy < 0 ? -dy : dy);
}

void ludus_craft_set_mat(craft_state *st, int x, int y, unsigned mat);
/* Append an object (the reference's world.add). Returns its index (-1 if
 * the list were full, which the one-object-per-cell rule rules out). */
int ludus_craft_add(craft_state *st, unsigned kind, int x, int y, unsigned health, uint32_t aux);
/* Index of the object on (x, y), -1 if none. */
int ludus_craft_find(const craft_state *st, int x, int y);
void ludus_craft_move(craft_state *st, int i, int x, int y);
/* Clear the object's cell: it is gone from the world but may finish its
 * update (the reference's world.remove inside an update). */
void ludus_craft_vacate(craft_state *st, int i);
/* Drop object i from the list (after ludus_craft_vacate). */
void ludus_craft_drop(craft_state *st, int i);
/* The chunk key [xmin, xmax, ymin, ymax] of chunk c. */
void ludus_craft_chunk_key(int c, int key[4]);

/* ---- the spec ---- */
enum { CRAFT_MODE_EXACT = 0, CRAFT_MODE_FAST = 1 };
enum { CRAFT_OBS_SYMBOLIC = 0, CRAFT_OBS_RGB = 1 };

/* Texture slots: every picture a frame can show. */
enum {
    TEX_MAT = 0,                                    /* + material id (1..12); slot 0 unused */
    TEX_PLAYER_LEFT = CRAFT_NUM_MATS, TEX_PLAYER_RIGHT, TEX_PLAYER_UP, TEX_PLAYER_DOWN,
    TEX_PLAYER_SLEEP, TEX_COW, TEX_ZOMBIE, TEX_SKELETON,
    TEX_ARROW_LEFT, TEX_ARROW_RIGHT, TEX_ARROW_UP, TEX_ARROW_DOWN, TEX_PLANT, TEX_PLANT_RIPE,
    TEX_ITEM,                                       /* + item index (0..15) */
    TEX_DIGIT = TEX_ITEM + CRAFT_NUM_ITEMS,         /* + digit - 1 (1..9) */
    CRAFT_NUM_TEX = TEX_DIGIT + 9
};
#define CRAFT_TEX_SIDE 16

typedef struct craft_textures {
    uint8_t rgba[CRAFT_NUM_TEX][CRAFT_TEX_SIDE * CRAFT_TEX_SIDE * 4]; /* rows of RGBA pixels */
    uint8_t alpha[CRAFT_NUM_TEX]; /* the picture has an alpha channel: objects blend it */
    int original;            /* 1: the reference's PNGs, 0: ludus's own sprites */
} craft_textures;

typedef struct craft_spec {
    int reward;              /* 0: NoReward (reward always 0.0) */
    int mode;                /* CRAFT_MODE_* */
    int obs;                 /* CRAFT_OBS_* */
    uint32_t length;         /* episode length; 0 = unlimited */
    craft_textures tex;
    double vignette[CRAFT_NOISE_W * CRAFT_NOISE_H]; /* [x][y] of the 64x64 frame */
    float unit[256];         /* (float)v / 255: the blend's operands */
} craft_spec;

/* texture names as the reference's assets folder spells them */
extern const char *const ludus_craft_tex_files[CRAFT_NUM_TEX];
/* Load the reference PNGs from dir (every file of ludus_craft_tex_files, 16x16). */
int ludus_craft_textures_load(craft_textures *t, const char *dir);
/* Draw ludus's own sprites. */
void ludus_craft_textures_builtin(craft_textures *t);

/* ---- the game ---- */
/* Generate the world of st->world_seed (st->rng seeded, player at start). */
void ludus_craft_worldgen(craft_state *st);
/* Episode `episode` of Env(seed): world generation and the player (spec §4). */
void ludus_craft_reset_state(craft_state *st, uint64_t seed, uint32_t episode);
void ludus_craft_step(const craft_spec *s, craft_state *st, int action, ludus_step_out *out);
double ludus_craft_daylight(uint32_t step);
/* env_ops.validate: a state from outside (check.c). */
int ludus_craft_validate(const ludus_env *env, const void *state);

/* ---- views ---- */
#define CRAFT_FRAME 64
void ludus_craft_vignette(double *v, int w, int h);
/* Fill the spec's render tables (vignette, blend operands). */
void ludus_craft_render_tables(craft_spec *s);
/* Draw the reference's frame: unit pixels per cell, size x size pixels. */
void ludus_craft_render_frame(const craft_spec *s, const craft_state *st, int unit, int size, uint8_t *rgb);
int ludus_craft_text(const craft_spec *s, const craft_state *st, ludus_text_mode mode, char *buf, size_t cap);
#define CRAFT_TEXT_CAP 8192
void ludus_craft_render_ansi(const craft_spec *s, const craft_state *st, strbuf *sb);
void ludus_craft_trace_header(const ludus_env *env, uint64_t seed, strbuf *sb);
void ludus_craft_trace_reset(const ludus_env *env, const void *state, uint64_t seed, strbuf *sb);
void ludus_craft_trace_step(const ludus_env *env, const void *prev, const void *state, int t, int action,
                      const ludus_step_out *out, strbuf *sb);

#endif
