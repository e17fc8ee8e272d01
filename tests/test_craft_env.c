/* test_craft_env.c: the Crafter worlds through the public API, beyond the
 * reference replays: registry and spec, options and their errors (unknown
 * keys, missing or malformed texture folders, wrong texture sizes), bad
 * actions and states, uint64 seeds at the edges, snapshots by memcpy,
 * continued resets, exact versus fast mode, the symbolic and RGB
 * observations, text (BALROG's wording on a hand-built scene), the
 * terminal picture, the episode length, NoReward, the Crafter score, and
 * the state's invariants over random play ($LUDUS_LONG_TESTS=1: longer).
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/digest.h"
#include "craft_data.h"
#include "envs/craft/craft.h"

static ludus_env *make(const char *id, const char *options)
{
    ludus_env *env = NULL;
    int rc = ludus_env_make(id, options, &env);
    CHECK_MSG(rc == LUDUS_OK, "make %s '%s': %s", id, options ? options : "", ludus_errmsg());
    return env;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static int random_action(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (int)(rng_state % CRAFT_NUM_ACTIONS);
}

/* ---- the state's invariants ---- */

static int invariants(const craft_state *st, char *why, size_t cap)
{
    uint8_t kinds[CRAFT_CELLS] = {0};
    if (st->num_objs < 1 || st->num_objs > CRAFT_MAX_OBJS) return snprintf(why, cap, "%u objects", st->num_objs);
    if (st->objs[0].kind != KIND_PLAYER || st->objs[0].id != 1) return snprintf(why, cap, "player not first");
    for (uint32_t i = 0; i < st->num_objs; i++) {
        const craft_obj *o = &st->objs[i];
        if (i && o->id <= st->objs[i - 1].id) return snprintf(why, cap, "ids out of order at %u", i);
        if (o->id >= st->next_id) return snprintf(why, cap, "id %u >= next %u", o->id, st->next_id);
        if (!craft_inside(o->x, o->y) || kinds[CELL_INDEX(o->x, o->y)])
            return snprintf(why, cap, "object %u off the map or sharing a cell", o->id);
        kinds[CELL_INDEX(o->x, o->y)] = o->kind;
        if (!(st->chunk_seen >> craft_chunk_of(o->x, o->y) & 1)) return snprintf(why, cap, "chunk never entered");
    }
    uint8_t grass[CRAFT_NUM_CHUNKS] = {0}, path[CRAFT_NUM_CHUNKS] = {0};
    for (int x = 0; x < CRAFT_SIZE; x++)
        for (int y = 0; y < CRAFT_SIZE; y++) {
            uint8_t c = st->cells[CELL_INDEX(x, y)];
            if (CELL_KIND(c) != kinds[CELL_INDEX(x, y)]) return snprintf(why, cap, "cell (%d,%d) kind", x, y);
            if (CELL_MAT(c) < 1 || CELL_MAT(c) >= CRAFT_NUM_MATS) return snprintf(why, cap, "cell (%d,%d) material", x, y);
            grass[craft_chunk_of(x, y)] += CELL_MAT(c) == MAT_GRASS;
            path[craft_chunk_of(x, y)] += CELL_MAT(c) == MAT_PATH;
        }
    if (memcmp(grass, st->grass, sizeof grass) || memcmp(path, st->path, sizeof path))
        return snprintf(why, cap, "chunk material counts");
    for (int k = 0; k < CRAFT_NUM_ITEMS; k++)
        if (st->inv[k] < 0 || st->inv[k] > CRAFT_ITEM_MAX) return snprintf(why, cap, "inventory %d", k);
    return 0;
}

/* One endless episode with the player kept alive: nights, spawns, arrows
 * and plants pile up as long as the world lets them. */
static void check_invariants_immortal(long steps)
{
    ludus_env *env = make("Crafter-Reward-v1", "length=0");
    if (!env) return;
    craft_state *st = ludus_env_state_new(env);
    ludus_env_reset(env, st, 77, NULL);
    long max_objs = 0, bad = 0;
    for (long i = 0; i < steps && !bad; i++) {
        ludus_step_out out;
        st->inv[ITEM_HEALTH] = st->inv[ITEM_FOOD] = st->inv[ITEM_DRINK] = 9;
        if (i % 7 == 0) st->inv[ITEM_SAPLING] = 9;
        ludus_env_step(env, st, random_action(), NULL, &out);
        char why[128];
        if (invariants(st, why, sizeof why)) {
            CHECK_MSG(0, "immortal step %u: %s", st->step, why);
            bad = 1;
        }
        if ((long)st->num_objs > max_objs) max_objs = st->num_objs;
    }
    printf("immortal: %ld steps, at most %ld objects, invariants held\n", steps, max_objs);
    free(st);
    ludus_env_destroy(env);
}

static void check_invariants_over_play(long steps)
{
    static const char *const modes[2] = {"mode=exact", "mode=fast"};
    for (int m = 0; m < 2; m++) {
        ludus_env *env = make("Crafter-Reward-v1", modes[m]);
        if (!env) return;
        void *state = ludus_env_state_new(env);
        uint64_t seed = 100;
        ludus_env_reset(env, state, seed, NULL);
        long episodes = 0, bad = 0, max_objs = 0;
        for (long i = 0; i < steps && !bad; i++) {
            ludus_step_out out;
            ludus_env_step(env, state, random_action(), NULL, &out);
            char why[128];
            if (invariants(state, why, sizeof why)) {
                CHECK_MSG(0, "%s seed %llu step %u: %s", modes[m], (unsigned long long)seed,
                          ((craft_state *)state)->step, why);
                bad = 1;
            }
            if ((long)((craft_state *)state)->num_objs > max_objs) max_objs = ((craft_state *)state)->num_objs;
            if (out.terminated || out.truncated) {
                ludus_env_reset(env, state, ++seed, NULL);
                episodes++;
            }
        }
        printf("%s: %ld random steps, %ld episodes, at most %ld objects, invariants held\n", modes[m], steps, episodes,
               max_objs);
        free(state);
        ludus_env_destroy(env);
    }
}

/* ---- registry, spec, options ---- */

static void check_registry(void)
{
    static const char *const ids[] = {"Crafter-Reward-v1", "Crafter-NoReward-v1", "CrafterReward-v1",
                                      "CrafterNoReward-v1"};
    for (size_t i = 0; i < 4; i++) {
        CHECK(ludus_env_describe(ids[i]) != NULL);
        ludus_env *env = make(ids[i], NULL);
        if (!env) continue;
        const ludus_env_info *info = ludus_env_get_info(env);
        CHECK_STR(info->family, "crafter");
        CHECK_EQ(info->num_actions, 17);
        CHECK_EQ(info->max_action, 17);
        CHECK_STR(info->action_names[5], "do");
        CHECK_STR(info->action_names[16], "make_iron_sword");
        CHECK_EQ(info->width, 64);
        CHECK_EQ(info->max_steps, 10000);
        CHECK_EQ(info->state_size, sizeof(craft_state));
        CHECK_EQ(info->obs_size, 82);
        CHECK_EQ(info->num_obs_fields, 4);
        CHECK_STR(info->obs_fields[0].name, "view");
        CHECK_EQ(info->obs_fields[0].shape[0], 7);
        CHECK_EQ(info->obs_fields[0].shape[1], 9);
        CHECK_EQ(info->obs_fields[0].high, 18);
        CHECK_STR(info->obs_fields[3].name, "player");
        CHECK_EQ(info->obs_fields[3].offset, 79);
        ludus_env_destroy(env);
    }
    ludus_env *rgb = make("Crafter-Reward-v1", "obs=rgb,length=0,mode=fast");
    if (rgb) {
        const ludus_env_info *info = ludus_env_get_info(rgb);
        CHECK_EQ(info->obs_size, 64 * 64 * 3);
        CHECK_STR(info->obs_fields[0].name, "image");
        CHECK_EQ(info->max_steps, 0);
        ludus_env_destroy(rgb);
    }
    CHECK_STR(ludus_crafter_achievement_name(0), "collect_coal");
    CHECK_STR(ludus_crafter_achievement_name(21), "wake_up");
    CHECK(ludus_crafter_achievement_name(22) == NULL && ludus_crafter_achievement_name(-1) == NULL);
}

static void make_fails(const char *options, int code, const char *needle)
{
    ludus_env *env = (ludus_env *)1;
    CHECK_ERR(ludus_env_make("Crafter-Reward-v1", options, &env), code);
    CHECK(env == NULL);
    CHECK_MSG(strstr(ludus_errmsg(), needle) != NULL, "options '%s': message '%s' lacks '%s'", options,
              ludus_errmsg(), needle);
}

static int copy_file(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    int ok = a && b;
    char buf[4096];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, a)) > 0) ok = fwrite(buf, 1, n, b) == n;
    if (a) fclose(a);
    if (b) fclose(b);
    return ok;
}

static void check_options(const char *assets)
{
    make_fails("colour=blue", LUDUS_EINVAL, "unknown option 'colour'");
    make_fails("mode=quick", LUDUS_EINVAL, "mode=quick");
    make_fails("obs=pixels", LUDUS_EINVAL, "obs=pixels");
    make_fails("length=-3", LUDUS_EINVAL, "length");
    make_fails("length=ten", LUDUS_EINVAL, "length");
    make_fails("mode", LUDUS_EINVAL, "malformed option");
    make_fails("assets=/nonexistent/crafter-assets", LUDUS_ENOTFOUND, "/nonexistent/crafter-assets");

    /* A folder with some textures missing, one of the wrong size, one not a PNG. */
    char dir[] = "/tmp/ludus-craft-assets-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char opts[256], from[2300], to[512];
    snprintf(opts, sizeof opts, "assets=%s", dir);
    make_fails(opts, LUDUS_ENOTFOUND, "water.png");
    for (int i = 0; i < CRAFT_NUM_TEX; i++) {
        if (!ludus_craft_tex_files[i]) continue;
        snprintf(from, sizeof from, "%s/%s.png", assets, ludus_craft_tex_files[i]);
        snprintf(to, sizeof to, "%s/%s.png", dir, ludus_craft_tex_files[i]);
        CHECK(copy_file(from, to));
    }
    ludus_env *ok = make("Crafter-Reward-v1", opts); /* a full copy loads */
    ludus_env_destroy(ok);
    snprintf(to, sizeof to, "%s/zombie.png", dir);
    uint8_t big[32 * 32 * 3] = {0};
    CHECK_OK(ludus_png_write(to, big, 32, 32));
    make_fails(opts, LUDUS_EFORMAT, "zombie.png' is 32x32, want 16x16");
    FILE *f = fopen(to, "wb");
    if (f) {
        fputs("this is not a picture\n", f);
        fclose(f);
    }
    make_fails(opts, LUDUS_EFORMAT, "zombie.png");
    snprintf(to, sizeof to, "%s/zombie.png", dir);
    remove(to);
    make_fails(opts, LUDUS_ENOTFOUND, "zombie.png' is missing");
    for (int i = 0; i < CRAFT_NUM_TEX; i++) {
        if (!ludus_craft_tex_files[i]) continue;
        snprintf(to, sizeof to, "%s/%s.png", dir, ludus_craft_tex_files[i]);
        remove(to);
    }
    rmdir(dir);

    /* Textures come only from the option: an environment variable naming
     * a folder (the old LUDUS_CRAFTER_ASSETS) changes nothing. */
    setenv("LUDUS_CRAFTER_ASSETS", "/nonexistent/env-assets", 1);
    ludus_env *own = make("Crafter-Reward-v1", NULL);
    CHECK(own && ((const craft_spec *)own->impl)->tex.original == 0);
    ludus_env_destroy(own);
    setenv("LUDUS_CRAFTER_ASSETS", assets, 1);
    own = make("Crafter-Reward-v1", "");
    CHECK(own && ((const craft_spec *)own->impl)->tex.original == 0);
    ludus_env_destroy(own);
    unsetenv("LUDUS_CRAFTER_ASSETS");
    snprintf(opts, sizeof opts, "assets=%s", assets);
    ludus_env *orig = make("Crafter-Reward-v1", opts);
    CHECK(orig && ((const craft_spec *)orig->impl)->tex.original == 1);
    ludus_env_destroy(orig);
}

/* A texture whose header claims a huge picture (1,000,000 x 1,000,000, 4 TB
 * of RGBA) is refused from its header, before any pixel is decoded. */
static void check_huge_texture(const char *assets)
{
    char dir[] = "/tmp/ludus-craft-huge-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char opts[256], from[2300], to[512];
    snprintf(opts, sizeof opts, "assets=%s", dir);
    for (int i = 0; i < CRAFT_NUM_TEX; i++) {
        if (!ludus_craft_tex_files[i]) continue;
        snprintf(from, sizeof from, "%s/%s.png", assets, ludus_craft_tex_files[i]);
        snprintf(to, sizeof to, "%s/%s.png", dir, ludus_craft_tex_files[i]);
        CHECK(copy_file(from, to));
    }
    /* signature, IHDR (1e6 x 1e6, 8-bit RGBA), a one-byte IDAT, IEND */
    static const uint8_t huge[] = {
        0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
        0, 0, 0, 13, 'I', 'H', 'D', 'R', 0x00, 0x0f, 0x42, 0x40, 0x00, 0x0f, 0x42, 0x40,
        8, 6, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 1, 'I', 'D', 'A', 'T', 0x78, 0, 0, 0, 0,
        0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82,
    };
    snprintf(to, sizeof to, "%s/cow.png", dir);
    FILE *f = fopen(to, "wb");
    CHECK(f != NULL);
    if (f) {
        CHECK(fwrite(huge, 1, sizeof huge, f) == sizeof huge);
        fclose(f);
    }
    make_fails(opts, LUDUS_EFORMAT, "cow.png' is 1000000x1000000, want 16x16");
    for (int i = 0; i < CRAFT_NUM_TEX; i++) {
        if (!ludus_craft_tex_files[i]) continue;
        snprintf(to, sizeof to, "%s/%s.png", dir, ludus_craft_tex_files[i]);
        remove(to);
    }
    rmdir(dir);
}

/* ---- actions, states, seeds ---- */

static void check_bad_calls(void)
{
    ludus_env *env = make("Crafter-Reward-v1", NULL);
    if (!env) return;
    void *state = ludus_env_state_new(env);
    ludus_step_out out;
    CHECK_ERR(ludus_env_step(env, state, 0, NULL, &out), LUDUS_ESTATE);
    CHECK_OK(ludus_env_reset(env, state, 7, NULL));
    void *copy = malloc(sizeof(craft_state));
    memcpy(copy, state, sizeof(craft_state));
    CHECK_ERR(ludus_env_step(env, state, -1, NULL, &out), LUDUS_EINVAL);
    CHECK_ERR(ludus_env_step(env, state, 17, NULL, &out), LUDUS_EINVAL);
    CHECK_ERR(ludus_env_step(env, state, 1000, NULL, &out), LUDUS_EINVAL);
    CHECK(memcmp(copy, state, sizeof(craft_state)) == 0);
    /* A state reset by another spec is refused. */
    ludus_env *other = make("Crafter-NoReward-v1", NULL);
    CHECK_ERR(ludus_env_step(other, state, 0, NULL, &out), LUDUS_ESTATE);
    ludus_env_destroy(other);
    free(copy);
    free(state);
    ludus_env_destroy(env);
}

/* The world of a reset, without the fields that name the seed. */
static int same_world(const craft_state *a, const craft_state *b)
{
    return a->world_seed == b->world_seed && memcmp(a->cells, b->cells, sizeof a->cells) == 0 &&
           a->num_objs == b->num_objs && memcmp(a->objs, b->objs, a->num_objs * sizeof a->objs[0]) == 0 &&
           a->rng.words == b->rng.words;
}

static void check_seeds(void)
{
    ludus_env *env = make("Crafter-Reward-v1", NULL);
    if (!env) return;
    craft_state *a = ludus_env_state_new(env), *b = ludus_env_state_new(env);
    static const uint64_t edges[] = {0, 1, 2147483647u, 1ull << 61, 1ull << 63, UINT64_MAX};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        CHECK_OK(ludus_env_reset(env, a, edges[i], NULL));
        CHECK(a->seed == edges[i] && a->episode == 1 && a->world_seed == ludus_craft_world_seed(edges[i], 1));
        char why[128];
        CHECK_MSG(!invariants(a, why, sizeof why), "seed %llu: %s", (unsigned long long)edges[i], why);
    }
    /* CPython hashes ints modulo 2^61 - 1: those seeds share worlds. */
    ludus_env_reset(env, a, (1ull << 61) - 1, NULL);
    ludus_env_reset(env, b, 0, NULL);
    CHECK(same_world(a, b));
    ludus_env_reset(env, a, 1ull << 63, NULL);
    ludus_env_reset(env, b, 4, NULL);
    CHECK(same_world(a, b));
    ludus_env_reset(env, a, UINT64_MAX, NULL);
    ludus_env_reset(env, b, 7, NULL);
    CHECK(same_world(a, b));
    ludus_env_reset(env, b, 8, NULL);
    CHECK(!same_world(a, b));

    /* Continued resets are the Env's later episodes. */
    ludus_env_reset(env, a, 42, NULL);
    for (uint32_t e = 2; e <= 4; e++) {
        CHECK_OK(ludus_env_reset_continue(env, a, NULL));
        CHECK(a->episode == e && a->seed == 42 && a->world_seed == ludus_craft_world_seed(42, e) && a->step == 0);
    }
    ludus_env_reset(env, b, 42, NULL);
    CHECK(!same_world(a, b));
    free(a);
    free(b);
    ludus_env_destroy(env);
}

/* A memcpy'd state replays identically, at day and at night, in both modes. */
static void check_clone(void)
{
    static const char *const modes[2] = {"mode=exact", "mode=fast"};
    for (int m = 0; m < 2; m++) {
        ludus_env *env = make("Crafter-Reward-v1", modes[m]);
        if (!env) continue;
        size_t n = ludus_env_get_info(env)->state_size;
        void *a = ludus_env_state_new(env), *b = malloc(n);
        ludus_env_reset(env, a, 5, NULL);
        ludus_step_out out;
        /* noop and sleep mostly: survive into the night */
        for (int i = 0; i < 160; i++) ludus_env_step(env, a, i % 4 ? 0 : random_action(), NULL, &out);
        memcpy(b, a, n);
        int same = 1;
        for (int i = 0; i < 300 && same; i++) {
            int action = random_action();
            ludus_step_out oa, ob;
            uint8_t obs_a[82], obs_b[82];
            ludus_env_step(env, a, action, obs_a, &oa);
            ludus_env_step(env, b, action, obs_b, &ob);
            same = memcmp(a, b, n) == 0 && memcmp(obs_a, obs_b, sizeof obs_a) == 0 &&
                   memcmp(&oa, &ob, sizeof oa) == 0;
        }
        CHECK_MSG(same, "%s: a cloned state diverged", modes[m]);
        free(a);
        free(b);
        ludus_env_destroy(env);
    }
}

/* Fast mode: the same worlds and rules; only the night noise draws go. */
static void check_fast_mode(void)
{
    ludus_env *exact = make("Crafter-Reward-v1", "mode=exact"), *fast = make("Crafter-Reward-v1", "mode=fast");
    if (!exact || !fast) return;
    craft_state *a = ludus_env_state_new(exact), *b = ludus_env_state_new(fast);
    ludus_env_reset(exact, a, 11, NULL);
    ludus_env_reset(fast, b, 11, NULL);
    CHECK(same_world(a, b));
    ludus_step_out oa, ob;
    int first_night = 0, same_until = 1;
    for (int t = 1; t <= 200; t++) {
        int action = t % 3 ? ACT_NOOP : ACT_SLEEP;
        ludus_env_step(exact, a, action, NULL, &oa);
        ludus_env_step(fast, b, action, NULL, &ob);
        if (!first_night && a->daylight < 0.5) {
            first_night = t;
            CHECK_EQ(a->rng.words - b->rng.words, CRAFT_NIGHT_WORDS);
            CHECK(a->night_valid && !b->night_valid);
            break;
        }
        if (!same_world(a, b) || oa.reward != ob.reward) same_until = 0;
    }
    CHECK(same_until);
    CHECK_MSG(first_night == 148, "first night step %d", first_night);
    /* fast mode is deterministic too */
    craft_state *c = ludus_env_state_new(fast);
    ludus_env_reset(fast, b, 12, NULL);
    ludus_env_reset(fast, c, 12, NULL);
    for (int t = 0; t < 400; t++) {
        int action = random_action();
        ludus_env_step(fast, b, action, NULL, &ob);
        ludus_env_step(fast, c, action, NULL, &oa);
    }
    CHECK(memcmp(b, c, sizeof *b) == 0);
    free(a);
    free(b);
    free(c);
    ludus_env_destroy(exact);
    ludus_env_destroy(fast);
}

/* ---- observations ---- */

static void check_symbolic(void)
{
    ludus_env *env = make("Crafter-Reward-v1", NULL);
    if (!env) return;
    craft_state *st = ludus_env_state_new(env);
    uint8_t obs[82];
    ludus_env_reset(env, st, 0, obs);
    int ok = 1;
    for (int j = 0; j < 7; j++)
        for (int i = 0; i < 9; i++) ok &= obs[j * 9 + i] == craft_sem_at(st, 32 + i - 4, 32 + j - 3);
    CHECK(ok);
    CHECK_EQ(obs[3 * 9 + 4], 13); /* the player in the middle */
    CHECK(obs[63] == 9 && obs[64] == 9 && obs[65] == 9 && obs[66] == 9);
    for (int k = 67; k < 79; k++) CHECK_EQ(obs[k], 0);
    CHECK_EQ(obs[79], DIR_DOWN);
    CHECK_EQ(obs[80], 0);
    CHECK_EQ(obs[81], 203); /* daylight 0.797 */
    /* walk left: facing 0; at the world's edge the view reads 0 */
    ludus_step_out out;
    for (int i = 0; i < 40; i++) {
        st->cells[CELL_INDEX(31 - i < 0 ? 0 : 31 - i, 32)] = MAT_GRASS; /* clear the way */
        ludus_env_step(env, st, ACT_MOVE_LEFT, obs, &out);
    }
    CHECK_EQ(obs[79], DIR_LEFT);
    CHECK_EQ(st->objs[0].x, 0);
    for (int j = 0; j < 7; j++)
        for (int i = 0; i < 4; i++) CHECK_EQ(obs[j * 9 + i], 0);
    free(st);
    ludus_env_destroy(env);
}

static void check_frames(const char *assets)
{
    char opts[2300];
    snprintf(opts, sizeof opts, "assets=%s", assets);
    ludus_env *orig = make("Crafter-Reward-v1", opts), *own = make("Crafter-Reward-v1", "assets=");
    ludus_env *rgb = make("Crafter-Reward-v1", "assets=,obs=rgb");
    if (!orig || !own || !rgb) return;
    craft_state *st = ludus_env_state_new(orig);
    ludus_env_reset(orig, st, 0, NULL);
    int w, h;
    CHECK_OK(ludus_env_render_size(orig, NULL, &w, &h));
    CHECK(w == 64 && h == 64);
    ludus_render_opts big = {16, 0, 0};
    CHECK_OK(ludus_env_render_size(orig, &big, &w, &h));
    CHECK(w == 144 && h == 144);
    ludus_render_opts huge = {129, 0, 0};
    CHECK_ERR(ludus_env_render_size(orig, &huge, &w, &h), LUDUS_EINVAL);
    uint8_t frame[64 * 64 * 3], mine[64 * 64 * 3];
    CHECK_ERR(ludus_env_render(orig, st, NULL, frame, sizeof frame - 1), LUDUS_EINVAL);
    CHECK_OK(ludus_env_render(orig, st, NULL, frame, sizeof frame));
    char hex[65];
    ludus_sha256_hex(frame, sizeof frame, hex);
    /* seed 0's first frame, from worldgen.jsonl.gz */
    CHECK_STR(hex, "7ea6d5809711316ca8b2a96f4590cbd34e2cf286a850f60b3eae772cd5a3e523");

    /* ludus's own sprites: a different picture with the same layout. */
    craft_state *st_own = ludus_env_state_new(own), *st_rgb = ludus_env_state_new(rgb);
    ludus_env_reset(own, st_own, 0, NULL);
    ludus_env_reset(rgb, st_rgb, 0, NULL);
    CHECK_OK(ludus_env_render(own, st_own, NULL, mine, sizeof mine));
    CHECK(memcmp(frame, mine, sizeof frame) != 0);
    int black = 1, lit = 0;
    for (int i = 0; i < 64; i++) black &= !mine[(63 * 64 + i) * 3] && !mine[(i * 64 + 63) * 3 + 1];
    for (int i = 0; i < 49 * 64 * 3; i++) lit += mine[i] > 20;
    CHECK(black);
    CHECK(lit > 49 * 63 * 2);
    /* the observation of obs=rgb is that frame */
    uint8_t obs[64 * 64 * 3];
    CHECK_OK(ludus_env_observe(rgb, st_rgb, obs));
    CHECK(memcmp(obs, mine, sizeof obs) == 0);
    uint8_t *large = malloc(144 * 144 * 3);
    CHECK_OK(ludus_env_render(own, st_own, &big, large, 144 * 144 * 3));
    free(large);
    free(st_own);
    free(st_rgb);

    /* At night a frame replays the step's noise: rendering draws nothing. */
    ludus_step_out out;
    for (int t = 0; t < 150; t++) ludus_env_step(orig, st, ACT_NOOP, NULL, &out);
    CHECK(st->daylight < 0.5 && st->night_valid);
    craft_state *before = malloc(sizeof *st);
    memcpy(before, st, sizeof *st);
    uint8_t again[64 * 64 * 3];
    ludus_env_render(orig, st, NULL, frame, sizeof frame);
    ludus_env_render(orig, st, NULL, again, sizeof again);
    CHECK(memcmp(frame, again, sizeof frame) == 0);
    CHECK(memcmp(before, st, sizeof *st) == 0);
    free(before);
    free(st);
    ludus_env_destroy(orig);
    ludus_env_destroy(own);
    ludus_env_destroy(rgb);
}

/* ---- text ---- */

/* A hand-built scene around the player at (32,32), facing down. */
static void build_scene(craft_state *st)
{
    for (int x = 0; x < CRAFT_SIZE; x++)
        for (int y = 0; y < CRAFT_SIZE; y++) ludus_craft_set_mat(st, x, y, MAT_GRASS);
    while (st->num_objs > 1) {
        ludus_craft_vacate(st, 1);
        ludus_craft_drop(st, 1);
    }
    ludus_craft_set_mat(st, 30, 31, MAT_TREE);   /* 1 north, 2 west */
    ludus_craft_set_mat(st, 33, 29, MAT_TREE);   /* 3 north, 1 east: farther by BALROG's count */
    for (int x = 35; x <= 36; x++)
        for (int y = 29; y <= 35; y++) ludus_craft_set_mat(st, x, y, MAT_WATER);
    ludus_craft_add(st, KIND_COW, 33, 33, 3, 0); /* 1 south, 1 east */
    st->facing = DIR_DOWN;
}

static void check_text(void)
{
    ludus_env *env = make("Crafter-Reward-v1", NULL);
    if (!env) return;
    craft_state *st = ludus_env_state_new(env);
    ludus_env_reset(env, st, 3, NULL);
    build_scene(st);
    size_t cap = ludus_env_get_info(env)->text_capacity;
    char *buf = malloc(cap);
    int n = ludus_env_text(env, st, LUDUS_TEXT_BALROG, buf, cap);
    CHECK(n > 0 && (size_t)n == strlen(buf));
    CHECK_STR(buf, "You see:\n"
                   "- tree 1 step north and 2 steps west\n"
                   "- cow 1 step south and 1 step east\n"
                   "- water 1 step north and 3 steps east\n"
                   "\n"
                   "You face nothing at your front.\n"
                   "\n"
                   "Your status:\n"
                   "- health: 9/9\n"
                   "- food: 9/9\n"
                   "- drink: 9/9\n"
                   "- energy: 9/9\n"
                   "\n"
                   "You have nothing in your inventory.");
    st->facing = DIR_RIGHT;
    st->inv[ITEM_WOOD] = 2;
    st->inv[ITEM_WOOD_PICKAXE] = 1;
    st->sleeping = 1;
    ludus_env_text(env, st, LUDUS_TEXT_BALROG, buf, cap);
    static const char asleep[] = "You are sleeping, and will not be able take actions until energy is full.\n\n\n\nYou see:";
    CHECK(strncmp(buf, asleep, strlen(asleep)) == 0);
    CHECK(strstr(buf, "You face nothing at your front.") != NULL);
    CHECK(strstr(buf, "Your inventory:\n- wood: 2\n- wood_pickaxe: 1") != NULL);
    st->sleeping = 0;
    ludus_craft_set_mat(st, 33, 32, MAT_STONE);
    ludus_env_text(env, st, LUDUS_TEXT_BALROG, buf, cap);
    CHECK(strstr(buf, "- stone 1 step east\n") && strstr(buf, "You face stone at your front."));

    n = ludus_env_text(env, st, LUDUS_TEXT_FULL, buf, cap);
    CHECK(n > 0 && (size_t)n < cap);
    CHECK(strstr(buf, "Health 9/9, food 9/9, drink 9/9, energy 9/9.") != NULL);
    CHECK(strstr(buf, "You carry: 2 wood, 1 wood_pickaxe.") != NULL);
    CHECK(strstr(buf, "In front of you (east): stone.") != NULL);
    CHECK(strstr(buf, "- cow: 1 step south and 1 step east\n") != NULL);
    CHECK(strstr(buf, "- tree: 1 step north and 2 steps west; 3 steps north and 1 step east\n") != NULL);
    CHECK(strstr(buf, "- water (shore): ") != NULL);
    CHECK(strstr(buf, "Actions: noop, move_left (west), move_right (east)") != NULL);
    CHECK_ERR(ludus_env_text(env, st, LUDUS_TEXT_FULL, buf, 100), LUDUS_EINVAL);

    /* the capacity holds the longest description: a view of 62 distinct things */
    for (int i = 0; i < 9; i++)
        for (int j = 0; j < 7; j++) ludus_craft_set_mat(st, 28 + i, 29 + j, (unsigned)(1 + (i * 7 + j) % 12));
    n = ludus_env_text(env, st, LUDUS_TEXT_FULL, buf, cap);
    CHECK(n > 0 && (size_t)n + 1 < cap);
    n = ludus_env_text(env, st, LUDUS_TEXT_BALROG, buf, cap);
    CHECK(n > 0 && (size_t)n + 1 < cap);

    /* the terminal picture: snprintf semantics */
    int len = ludus_env_render_ansi(env, st, NULL, 0);
    CHECK(len > 200);
    char *pic = malloc((size_t)len + 1);
    CHECK_EQ(ludus_env_render_ansi(env, st, pic, (size_t)len + 1), len);
    CHECK(strstr(pic, "\x1b[48;2;") && strstr(pic, "achievements 0/22") && strstr(pic, "wood 2"));
    char small[16];
    CHECK_EQ(ludus_env_render_ansi(env, st, small, sizeof small), len);
    CHECK_EQ(strlen(small), sizeof small - 1);
    free(pic);
    free(buf);
    free(st);
    ludus_env_destroy(env);
}

/* ---- reward, length, statistics ---- */

static void check_rewards(void)
{
    ludus_env *with = make("Crafter-Reward-v1", "length=300"), *without = make("Crafter-NoReward-v1", "length=300");
    if (!with || !without) return;
    void *a = ludus_env_state_new(with), *b = ludus_env_state_new(without);
    ludus_env_reset(with, a, 1, NULL);
    ludus_env_reset(without, b, 1, NULL);
    uint32_t mask_a = 0, mask_b = 0;
    int t, ended = 0, health = 9;
    for (t = 1; t <= 300 && !ended; t++) {
        int action = random_action();
        ludus_step_out oa, ob;
        ludus_env_step(with, a, action, NULL, &oa);
        ludus_env_step(without, b, action, NULL, &ob);
        CHECK(ob.reward == 0.0);
        CHECK(oa.achievements == ob.achievements && (oa.achievements & mask_a) == 0);
        CHECK(oa.terminated == ob.terminated && oa.truncated == ob.truncated);
        /* +-0.1 per health point, +1 for a step with any first unlock */
        int now = ((craft_state *)a)->inv[ITEM_HEALTH];
        double want = (double)(now - health) / 10 + (oa.achievements ? 1.0 : 0.0);
        CHECK_MSG(oa.reward == want, "t %d: reward %g, want %g", t, oa.reward, want);
        CHECK(oa.terminated == (now == 0));
        health = now;
        mask_a |= oa.achievements;
        mask_b |= ob.achievements;
        if (oa.terminated || oa.truncated) {
            CHECK(oa.truncated == (t == 300));
            ended = 1;
        }
    }
    CHECK(ended);
    CHECK(mask_a == mask_b && mask_a == ((craft_state *)a)->unlocked);
    free(a);
    free(b);
    ludus_env_destroy(with);
    ludus_env_destroy(without);

    ludus_env *endless = make("Crafter-Reward-v1", "length=0");
    if (!endless) return;
    craft_state *st = ludus_env_state_new(endless);
    ludus_env_reset(endless, st, 9, NULL);
    int truncated = 0;
    for (int i = 0; i < 10500; i++) {
        ludus_step_out out;
        st->inv[ITEM_HEALTH] = 9; /* keep it alive */
        st->last_health = st->env_last_health = 9;
        ludus_env_step(endless, st, ACT_NOOP, NULL, &out);
        truncated |= out.truncated;
    }
    CHECK(!truncated && st->step == 10500);
    free(st);
    ludus_env_destroy(endless);
}

static void check_score(void)
{
    /* 4 episodes: collect_coal in 3, collect_diamond in 1, wake_up in 1:
     * rates 75, 25 and 25 percent, so the score is (76*26*26)^(1/22) - 1. */
    const uint32_t masks[4] = {1u << 0 | 1u << 1, 1u << 0, 0, 1u << 0 | 1u << 21};
    double score = -1, rates[22];
    CHECK_OK(ludus_crafter_score(masks, 4, &score, rates));
    CHECK(rates[0] == 75 && rates[1] == 25 && rates[21] == 25 && rates[2] == 0);
    CHECK_MSG(score > 0.63728946592376 && score < 0.63728946592377, "score %.17g", score);
    const uint32_t all = (1u << 22) - 1, none = 0;
    CHECK_OK(ludus_crafter_score(&all, 1, &score, NULL));
    CHECK_MSG(score > 100 - 1e-9 && score < 100 + 1e-9, "score %.17g", score);
    CHECK_OK(ludus_crafter_score(&none, 1, &score, NULL));
    CHECK(score == 0);
    const uint32_t bad = 1u << 22;
    CHECK_ERR(ludus_crafter_score(&bad, 1, &score, NULL), LUDUS_EINVAL);
    CHECK_ERR(ludus_crafter_score(masks, 0, &score, NULL), LUDUS_EINVAL);
    CHECK_ERR(ludus_crafter_score(NULL, 4, &score, NULL), LUDUS_EINVAL);
    CHECK_ERR(ludus_crafter_score(masks, 4, NULL, NULL), LUDUS_EINVAL);
}

int main(void)
{
    const char *assets = craft_assets_dir();
    unsetenv("LUDUS_CRAFTER_ASSETS");
    check_registry();
    if (assets) check_options(assets);
    if (assets) check_huge_texture(assets);
    check_bad_calls();
    check_seeds();
    check_clone();
    check_fast_mode();
    check_symbolic();
    if (assets) check_frames(assets);
    check_text();
    check_rewards();
    check_score();
    const char *longer = getenv("LUDUS_LONG_TESTS");
    check_invariants_over_play(longer && *longer == '1' ? 2000000 : 60000);
    check_invariants_immortal(longer && *longer == '1' ? 500000 : 20000);
    return check_finish("test_craft_env");
}
