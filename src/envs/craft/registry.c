/* registry.c: the Crafter ids, their options and the env_ops table. A
 * ludus seed S is the reference's Env(seed=S): reset(S) is that Env's first
 * reset (episode 1) and reset_continue its next one (episode e + 1), so the
 * worlds of later episodes are reproducible too (docs/crafter.md).
 */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "craft.h"

typedef struct craft_params {
    int reward;
} craft_params;

static void craft_destroy(ludus_env *env)
{
    free((void *)env->impl);
    env->impl = NULL;
}

static const char craft_options_help[] =
    "assets=DIR (the reference's textures; default: ludus's own sprites), "
    "mode=exact|fast (default exact), obs=symbolic|rgb (default symbolic), length=N (default 10000, "
    "0: no limit)";

/* Where the original textures come from: only the spec's option
 * assets=DIR; without it (or with "assets=") ludus's own sprites. */
static int load_textures(craft_spec *s, const char *assets)
{
    if (!*assets) {
        ludus_craft_textures_builtin(&s->tex);
        return LUDUS_OK;
    }
    return ludus_craft_textures_load(&s->tex, assets);
}

static const env_ops craft_ops;

/* `ludus play`'s keys: a/d/w/s (or arrows) move, space does, tab sleeps,
 * r/t/f/p place, 1-6 make tools, '.' waits. */
static const ludus_key_binding craft_keys[] = {
    {'a', ACT_MOVE_LEFT, "a"}, {LUDUS_KEY_LEFT, ACT_MOVE_LEFT, NULL},
    {'d', ACT_MOVE_RIGHT, "d"}, {LUDUS_KEY_RIGHT, ACT_MOVE_RIGHT, NULL},
    {'w', ACT_MOVE_UP, "w"}, {LUDUS_KEY_UP, ACT_MOVE_UP, NULL},
    {'s', ACT_MOVE_DOWN, "s"}, {LUDUS_KEY_DOWN, ACT_MOVE_DOWN, NULL},
    {' ', ACT_DO, "space"}, {'\t', ACT_SLEEP, "tab"},
    {'r', ACT_PLACE_STONE, "r"}, {'t', ACT_PLACE_TABLE, "t"}, {'f', ACT_PLACE_FURNACE, "f"},
    {'p', ACT_PLACE_PLANT, "p"},
    {'1', ACT_MAKE_WOOD_PICKAXE, "1"}, {'2', ACT_MAKE_STONE_PICKAXE, "2"},
    {'3', ACT_MAKE_IRON_PICKAXE, "3"}, {'4', ACT_MAKE_WOOD_SWORD, "4"},
    {'5', ACT_MAKE_STONE_SWORD, "5"}, {'6', ACT_MAKE_IRON_SWORD, "6"},
    {'.', ACT_NOOP, "."},
    {0, 0, NULL},
};

static int craft_make(const env_entry *entry, const char *options, ludus_env *env)
{
    const craft_params *params = entry->params;
    char key[64], val[1024], assets[1024] = "";
    int mode = CRAFT_MODE_EXACT, obs = CRAFT_OBS_SYMBOLIC;
    long length = CRAFT_DEFAULT_LENGTH;
    const char *cur = options;
    int r;
    while ((r = ludus_env_options_next(&cur, key, sizeof key, val, sizeof val)) > 0) {
        if (strcmp(key, "assets") == 0) {
            snprintf(assets, sizeof assets, "%s", val);
        } else if (strcmp(key, "mode") == 0) {
            if (strcmp(val, "exact") == 0) mode = CRAFT_MODE_EXACT;
            else if (strcmp(val, "fast") == 0) mode = CRAFT_MODE_FAST;
            else return ludus_err_set(LUDUS_EINVAL, "option mode=%s: want exact or fast", val);
        } else if (strcmp(key, "obs") == 0) {
            if (strcmp(val, "symbolic") == 0) obs = CRAFT_OBS_SYMBOLIC;
            else if (strcmp(val, "rgb") == 0) obs = CRAFT_OBS_RGB;
            else return ludus_err_set(LUDUS_EINVAL, "option obs=%s: want symbolic or rgb", val);
        } else if (strcmp(key, "length") == 0) {
            if (ludus_env_option_int(key, val, 0, 0x7fffffffL, &length)) return LUDUS_EINVAL;
        } else {
            return ludus_err_set(LUDUS_EINVAL, "unknown option '%s' (Crafter takes %s)", key, craft_options_help);
        }
    }
    if (r < 0) return LUDUS_EINVAL;

    craft_spec *s = calloc(1, sizeof *s);
    if (!s) return ludus_err_set(LUDUS_ENOMEM, "out of memory");
    int rc = load_textures(s, assets);
    if (rc != LUDUS_OK) {
        free(s);
        return rc;
    }
    s->reward = params->reward;
    s->mode = mode;
    s->obs = obs;
    s->length = (uint32_t)length;
    ludus_craft_render_tables(s);
    env->impl = s;
    env->ops = &craft_ops;

    ludus_env_info *info = &env->info;
    info->family = "crafter";
    info->num_actions = CRAFT_NUM_ACTIONS;
    info->max_action = CRAFT_NUM_ACTIONS;
    info->action_dims = 1;
    info->action_nvec[0] = CRAFT_NUM_ACTIONS;
    info->action_names = ludus_craft_action_names;
    if (obs == CRAFT_OBS_RGB) {
        info->obs_size = CRAFT_FRAME * CRAFT_FRAME * 3;
        info->num_obs_fields = 1;
        info->obs_fields[0] = (ludus_obs_field){"image", 0, 3, {CRAFT_FRAME, CRAFT_FRAME, 3}, 0, 255, 0, 255,
                                                LUDUS_OBS_RGB};
    } else {
        size_t view = CRAFT_VIEW_W * CRAFT_VIEW_H, inv = CRAFT_NUM_ITEMS - CRAFT_NUM_VITALS;
        info->obs_size = view + CRAFT_NUM_VITALS + inv + 3;
        info->num_obs_fields = 4;
        info->obs_fields[0] = (ludus_obs_field){"view", 0, 2, {CRAFT_VIEW_H, CRAFT_VIEW_W, 0}, 0, CRAFT_NUM_SEM - 1,
                                                0, CRAFT_NUM_SEM - 1, LUDUS_OBS_SYMBOL_MAP};
        info->obs_fields[1] = (ludus_obs_field){"vitals", view, 1, {CRAFT_NUM_VITALS, 0, 0}, 0, CRAFT_ITEM_MAX,
                                                0, CRAFT_ITEM_MAX, LUDUS_OBS_SCALARS};
        info->obs_fields[2] = (ludus_obs_field){"inventory", view + CRAFT_NUM_VITALS, 1, {(int)inv, 0, 0},
                                                0, CRAFT_ITEM_MAX, 0, CRAFT_ITEM_MAX, LUDUS_OBS_SCALARS};
        info->obs_fields[3] = (ludus_obs_field){"player", view + CRAFT_NUM_VITALS + inv, 1, {3, 0, 0}, 0, 255,
                                                0, 255, LUDUS_OBS_SCALARS};
    }
    info->state_size = sizeof(craft_state);
    info->width = CRAFT_SIZE;
    info->height = CRAFT_SIZE;
    info->max_steps = s->length;
    info->text_capacity = CRAFT_TEXT_CAP;
    info->mission_capacity = 1;
    info->options_doc = craft_options_help;
    info->num_achievements = CRAFT_NUM_ACH;
    info->achievement_names = ludus_craft_ach_names;
    info->keys = craft_keys;
    info->train_options = "mode=fast";
    return LUDUS_OK;
}

static int craft_reset(const ludus_env *env, void *state, uint64_t seed, int reseed)
{
    (void)env;
    craft_state *st = state;
    uint32_t episode = 1;
    if (!reseed) {
        seed = st->seed;
        if (st->episode == UINT32_MAX)
            return ludus_err_set(LUDUS_EINVAL, "crafter: episode counter of seed %llu exhausted",
                           (unsigned long long)seed);
        episode = st->episode + 1;
    }
    ludus_craft_reset_state(st, seed, episode);
    return LUDUS_OK;
}

static void craft_step_op(const ludus_env *env, void *state, int action, ludus_step_out *out)
{
    ludus_craft_step(env->impl, state, action, out);
}

/* The symbolic observation: the 9x7 local view as semantic ids (rows are
 * y, as in the image), the vitals, the other items, then facing, sleeping
 * and daylight scaled to 0..255. */
static void craft_observe(const ludus_env *env, const void *state, uint8_t *obs)
{
    const craft_spec *s = env->impl;
    const craft_state *st = state;
    if (s->obs == CRAFT_OBS_RGB) {
        ludus_craft_render_frame(s, st, CRAFT_FRAME / CRAFT_VIEW_W, CRAFT_FRAME, obs);
        return;
    }
    int px = st->objs[0].x, py = st->objs[0].y;
    for (int j = 0; j < CRAFT_VIEW_H; j++)
        for (int i = 0; i < CRAFT_VIEW_W; i++)
            *obs++ = (uint8_t)craft_sem_at(st, px + i - CRAFT_VIEW_W / 2, py + j - CRAFT_VIEW_H / 2);
    for (int k = 0; k < CRAFT_NUM_ITEMS; k++) *obs++ = (uint8_t)st->inv[k];
    *obs++ = st->facing;
    *obs++ = st->sleeping;
    *obs = (uint8_t)(st->daylight * 255 + 0.5);
}

static int craft_text_op(const ludus_env *env, const void *state, ludus_text_mode mode, char *buf,
                         size_t cap)
{
    return ludus_craft_text(env->impl, state, mode, buf, cap);
}

static uint32_t craft_max_steps(const ludus_env *env, const void *state)
{
    (void)state;
    return ((const craft_spec *)env->impl)->length;
}

static uint32_t craft_step_count(const ludus_env *env, const void *state)
{
    (void)env;
    return ((const craft_state *)state)->step;
}

/* tile_size 0 is the reference's 64x64 frame (7 pixels per cell and a
 * black last row and column); tile_size t is its frame at size 9t. */
#define CRAFT_MAX_TILE 128

static int craft_render_size(const ludus_env *env, const ludus_render_opts *opts, int *w, int *h)
{
    (void)env;
    if (opts->tile_size > CRAFT_MAX_TILE)
        return ludus_err_set(LUDUS_EINVAL, "tile size %d is out of range for Crafter (1..%d, 0 = 64x64)",
                       opts->tile_size, CRAFT_MAX_TILE);
    *w = *h = opts->tile_size ? opts->tile_size * CRAFT_VIEW_W : CRAFT_FRAME;
    return LUDUS_OK;
}

static int craft_render_op(const ludus_env *env, const void *state, const ludus_render_opts *opts,
                           uint8_t *rgb)
{
    int size = opts->tile_size ? opts->tile_size * CRAFT_VIEW_W : CRAFT_FRAME;
    ludus_craft_render_frame(env->impl, state, size / CRAFT_VIEW_W, size, rgb);
    return LUDUS_OK;
}

static void craft_render_ansi_op(const ludus_env *env, const void *state, strbuf *sb)
{
    ludus_craft_render_ansi(env->impl, state, sb);
}

/* ludus's names as words, BALROG's Crafter names ("Move West", "Place
 * Stone", ... in lower case) and a synonym. */
static const env_action_name craft_words[] = {
    {"noop", ACT_NOOP}, {"move left", ACT_MOVE_LEFT}, {"move right", ACT_MOVE_RIGHT},
    {"move up", ACT_MOVE_UP}, {"move down", ACT_MOVE_DOWN}, {"do", ACT_DO}, {"sleep", ACT_SLEEP},
    {"place stone", ACT_PLACE_STONE}, {"place table", ACT_PLACE_TABLE},
    {"place furnace", ACT_PLACE_FURNACE}, {"place plant", ACT_PLACE_PLANT},
    {"make wood pickaxe", ACT_MAKE_WOOD_PICKAXE}, {"make stone pickaxe", ACT_MAKE_STONE_PICKAXE},
    {"make iron pickaxe", ACT_MAKE_IRON_PICKAXE}, {"make wood sword", ACT_MAKE_WOOD_SWORD},
    {"make stone sword", ACT_MAKE_STONE_SWORD}, {"make iron sword", ACT_MAKE_IRON_SWORD},
    {"move west", ACT_MOVE_LEFT}, {"move east", ACT_MOVE_RIGHT}, {"move north", ACT_MOVE_UP},
    {"move south", ACT_MOVE_DOWN}, {"no op", ACT_NOOP},
};

static int craft_parse_action(const ludus_env *env, const char *words, int32_t *action)
{
    return ludus_env_match_names(env, words, craft_words, (int)(sizeof craft_words / sizeof craft_words[0]), action);
}

static const env_ops craft_ops = {
    .reset = craft_reset,
    .step = craft_step_op,
    .observe = craft_observe,
    .text = craft_text_op,
    .max_steps = craft_max_steps,
    .step_count = craft_step_count,
    .render_size = craft_render_size,
    .render = craft_render_op,
    .render_ansi = craft_render_ansi_op,
    .validate = ludus_craft_validate,
    .trace_header = ludus_craft_trace_header,
    .trace_reset = ludus_craft_trace_reset,
    .trace_step = ludus_craft_trace_step,
    .parse_action = craft_parse_action,
    .destroy = craft_destroy,
};

static const craft_params with_reward = {1}, without_reward = {0};

const env_entry ludus_craft_entries[] = {
    {"Crafter-Reward-v1", "Crafter: survive and unlock 22 achievements (+1 each, +-0.1 per health point)",
     craft_make, &with_reward},
    {"Crafter-NoReward-v1", "Crafter without reward (unsupervised exploration; achievements still counted)",
     craft_make, &without_reward},
    {"CrafterReward-v1", "Crafter-Reward-v1 under the reference's gym id", craft_make, &with_reward},
    {"CrafterNoReward-v1", "Crafter-NoReward-v1 under the reference's gym id", craft_make, &without_reward},
};

const int ludus_craft_entry_count = (int)(sizeof ludus_craft_entries / sizeof ludus_craft_entries[0]);
