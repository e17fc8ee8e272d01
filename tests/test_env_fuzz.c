/* test_env_fuzz.c: states from outside the library. Every world's states
 * from real play pass ludus_env_state_check (no false refusals); hand-made
 * damage (an agent off the grid, a cyclic BabyAI instruction tree, a
 * Crafter object list that disagrees with the map, ...) is refused with a
 * message; ludus_env_state_load copies, checks and wipes what it refuses.
 * Then the fuzz: states from real episodes of every family, with random
 * bits and bytes overwritten (seeded), must each be refused by the check
 * or survive observe, text, mission, frames, the terminal picture, traces
 * and steps, and stay valid while stepped. The sanitizer build runs this
 * under ASan and UBSan, which turn any read out of bounds into a failure.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include "check.h"
#include "envs/craft/craft.h"
#include "envs/grid/babyai.h"

static uint64_t rng_state = 0x2545f4914f6cdd1dull;
static uint64_t next_rand(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static size_t rand_below(size_t n) { return (size_t)(next_rand() % n); }

static ludus_env *make(const char *id)
{
    ludus_env *env = NULL;
    int rc = ludus_env_make(id, NULL, &env);
    CHECK_MSG(rc == LUDUS_OK, "make %s: %s", id, ludus_errmsg());
    return env;
}

static int is_crafter(const ludus_env *env) { return strcmp(ludus_env_get_info(env)->family, "crafter") == 0; }

/* ---- every world's own states are valid ---- */

static void check_real_states_pass(void)
{
    int n = ludus_env_count(), checked = 0;
    for (int i = 0; i < n; i++) {
        const char *id = ludus_env_id(i);
        ludus_env *env = make(id);
        if (!env) continue;
        const ludus_env_info *info = ludus_env_get_info(env);
        void *st = ludus_env_state_new(env);
        int steps = is_crafter(env) ? 300 : 120, bad = 0;
        for (uint64_t seed = 0; seed < 3 && !bad; seed++) {
            CHECK_OK(ludus_env_reset(env, st, seed * 7919 + (uint64_t)i, NULL));
            for (int t = 0; t <= steps && !bad; t++) {
                int rc = ludus_env_state_check(env, st);
                checked++;
                if (rc) {
                    CHECK_MSG(0, "%s seed %llu step %d: a real state refused: %s", id, (unsigned long long)seed, t,
                              ludus_errmsg());
                    bad = 1;
                }
                /* a random legal action of every component (Keypad's mask
                 * forbids filled slots) */
                int32_t a[LUDUS_MAX_ACTION_DIMS];
                uint8_t mask[LUDUS_MAX_MASK_SIZE];
                memset(mask, 1, sizeof mask);
                CHECK_OK(ludus_env_action_mask(env, st, mask));
                for (int k = 0, off = 0; k < info->action_dims; off += info->action_nvec[k], k++) {
                    do a[k] = (int32_t)rand_below((size_t)info->action_nvec[k]);
                    while (!mask[off + a[k]]);
                }
                ludus_step_out out;
                CHECK_OK(ludus_env_step_vec(env, st, a, NULL, &out));
                if (out.terminated || out.truncated) CHECK_OK(ludus_env_reset_continue(env, st, NULL));
            }
        }
        ludus_free(st);
        ludus_env_destroy(env);
    }
    printf("real states: %d states of %d worlds accepted\n", checked, n);
}

/* ---- hand-made damage ---- */

/* A fresh state of id after a few steps, as a caller-owned block. */
static void *played(ludus_env *env, uint64_t seed, int steps)
{
    void *st = ludus_env_state_new(env);
    CHECK_OK(ludus_env_reset(env, st, seed, NULL));
    for (int t = 0; t < steps; t++) CHECK_OK(ludus_env_step(env, st, 0, NULL, NULL));
    return st;
}

/* The check refuses `st` with LUDUS_EFORMAT and a message holding `word`. */
static void refused(ludus_env *env, const void *st, const char *word, int line)
{
    int rc = ludus_env_state_check(env, st);
    if (rc == LUDUS_EFORMAT && strstr(ludus_errmsg(), word)) check_passed++;
    else check_fail(__FILE__, line, "want LUDUS_EFORMAT mentioning '%s', got %d: %s", word, rc, ludus_errmsg());
}
#define REFUSED(env, st, word) refused(env, st, word, __LINE__)

static void check_grid_damage(void)
{
    ludus_env *env = make("MiniGrid-DoorKey-8x8-v0");
    size_t size = ludus_env_get_info(env)->state_size;
    grid_state *good = played(env, 3, 2), *st = malloc(size);
    const grid_spec *s = env->impl;
    CHECK_OK(ludus_env_state_check(env, good));

#define FRESH() memcpy(st, good, size)
    FRESH();
    st->agent_x = 40;
    REFUSED(env, st, "outside the 8x8 grid");
    FRESH();
    st->agent_dir = 4;
    REFUSED(env, st, "direction");
    FRESH();
    grid_set(s, st, st->agent_x, st->agent_y, GC_WALL);
    REFUSED(env, st, "stands at");
    FRESH();
    grid_set(s, st, 0, 0, GC_MAKE(OBJ_BALL, 7, 0, 1)); /* colour 7: past the name tables */
    REFUSED(env, st, "cell (0, 0)");
    FRESH();
    grid_set(s, st, 1, 0, GC_MAKE(OBJ_AGENT, 0, 0, 0));
    REFUSED(env, st, "cell (1, 0)");
    FRESH();
    grid_set(s, st, 2, 0, GC_MAKE(OBJ_BOX, 0, 0, 100)); /* box ids index contents[64] */
    REFUSED(env, st, "id 100");
    FRESH();
    st->carrying = GC_MAKE(OBJ_DOOR, 0, 0, 1);
    REFUSED(env, st, "hands");
    FRESH();
    st->contents[5] = GC_MAKE(OBJ_KEY, 9 & 7, 0, 0) | (3u << 7);
    REFUSED(env, st, "box 5");
    FRESH();
    memset(grid_mission(s, st), 'x', s->world->mission_cap);
    REFUSED(env, st, "NUL");
    FRESH();
    grid_mission(s, st)[0] = (char)0xc3; /* not ASCII: Python could not decode it */
    REFUSED(env, st, "mission holds byte");
    FRESH();
    st->max_steps = 0;
    REFUSED(env, st, "step limit");
    FRESH();
    st->hdr.magic ^= 1;
    REFUSED(env, st, "not a ludus world state");
    FRESH();
    st->hdr.tag ^= 2;
    REFUSED(env, st, "another world");
    /* Past its step limit is a state the world itself produces. */
    FRESH();
    st->step_count = st->max_steps + 10;
    CHECK_OK(ludus_env_state_check(env, st));
    ludus_free(good);
    free(st);
    ludus_env_destroy(env);

    /* World-specific extra blocks. */
    env = make("MiniGrid-Unlock-v0");
    size = ludus_env_get_info(env)->state_size;
    good = played(env, 1, 0);
    st = malloc(size);
    s = env->impl;
    FRESH();
    ((int8_t *)grid_extra(s, st))[1] = 90; /* target_extra.door_x */
    REFUSED(env, st, "the door");
    ludus_free(good);
    free(st);
    ludus_env_destroy(env);
#undef FRESH
}

static void check_babyai_damage(void)
{
    ludus_env *env = make("BabyAI-SynthSeq-v0");
    size_t size = ludus_env_get_info(env)->state_size;
    const grid_spec *s = env->impl;
    /* A level with a sequence (Before/After) at the root. */
    grid_state *good = NULL;
    for (uint64_t seed = 0; seed < 200 && !good; seed++) {
        grid_state *st = played(env, seed, 0);
        const babyai_extra *ex = grid_extra_c(s, st);
        if (ex->instr[ex->root].kind >= BI_AND) good = st;
        else ludus_free(st);
    }
    CHECK(good != NULL);
    if (!good) {
        ludus_env_destroy(env);
        return;
    }
    grid_state *st = malloc(size);
    babyai_extra *ex = grid_extra(s, st);
#define FRESH() memcpy(st, good, size)
    FRESH();
    ex->instr[ex->root].a = ex->root; /* the verifier would recurse forever */
    REFUSED(env, st, "instruction");
    FRESH();
    ex->instr[0].b = ex->instr[0].a; /* a leaf's b is a description; a node's must come before it */
    ex->instr[ex->root].b = (uint8_t)(ex->root + 1);
    REFUSED(env, st, "instruction");
    FRESH();
    ex->root = BAB_MAX_INSTRS;
    REFUSED(env, st, "root");
    FRESH();
    ex->ninstr = 0;
    REFUSED(env, st, "tree");
    FRESH();
    ex->instr[0].kind = 9;
    REFUSED(env, st, "instruction 0");
    FRESH();
    ex->desc[0].color = 6;
    REFUSED(env, st, "description 0");
    FRESH();
    ex->desc[0].n = BAB_DESC_CAP + 1;
    REFUSED(env, st, "description 0");
    FRESH();
    ex->desc[0].id[0] = 200;
    ex->desc[0].n = 1;
    REFUSED(env, st, "description 0");
    FRESH();
    st->hand_pending = 1;
    st->hand_x = 50;
    REFUSED(env, st, "handed object");
    ludus_free(good);
    free(st);
    ludus_env_destroy(env);
#undef FRESH
}

static void check_craft_damage(void)
{
    ludus_env *env = make("Crafter-Reward-v1");
    craft_state *good = played(env, 5, 30), *st = malloc(sizeof *st);
    CHECK_OK(ludus_env_state_check(env, good));
#define FRESH() memcpy(st, good, sizeof *st)
    FRESH();
    st->num_objs = 0;
    REFUSED(env, st, "0 objects");
    FRESH();
    st->num_objs = CRAFT_MAX_OBJS + 1;
    REFUSED(env, st, "objects");
    FRESH();
    st->objs[0].x = 200;
    REFUSED(env, st, "off the map");
    FRESH();
    st->objs[1].kind = 9;
    REFUSED(env, st, "object 1");
    FRESH();
    st->facing = 4;
    REFUSED(env, st, "facing");
    FRESH();
    st->inv[ITEM_WOOD] = 10;
    REFUSED(env, st, "inventory wood");
    FRESH();
    st->cells[CELL_INDEX(0, 0)] = 15; /* material 15 indexes past the rule tables */
    REFUSED(env, st, "material");
    FRESH();
    st->cells[CELL_INDEX(0, 0)] |= KIND_COW << 4;
    REFUSED(env, st, "marks kind");
    FRESH();
    st->grass[3]++;
    REFUSED(env, st, "grass");
    FRESH();
    st->num_chunks = 40;
    REFUSED(env, st, "chunks");
    FRESH();
    st->chunk_seen |= 1ull << 50;
    REFUSED(env, st, "chunk bits");
    FRESH();
    st->rng.pos = 5000;
    REFUSED(env, st, "stream position");
    FRESH();
    st->daylight = NAN;
    REFUSED(env, st, "daylight");
    FRESH();
    st->ach_mask |= 1u << 30;
    REFUSED(env, st, "achievement");
    for (uint32_t i = 1; i < good->num_objs; i++)
        if (good->objs[i].kind == KIND_ARROW || i + 1 == good->num_objs) {
            FRESH();
            st->objs[i].kind = KIND_ARROW;
            st->cells[CELL_INDEX(st->objs[i].x, st->objs[i].y)] =
                (uint8_t)((st->cells[CELL_INDEX(st->objs[i].x, st->objs[i].y)] & 15u) | KIND_ARROW << 4);
            st->objs[i].aux = 7; /* an arrow's direction indexes the direction tables */
            REFUSED(env, st, "aux");
            break;
        }
    ludus_free(good);
    free(st);
    ludus_env_destroy(env);
#undef FRESH
}

/* ---- load ---- */

static void check_load(void)
{
    ludus_env *env = make("MiniGrid-DoorKey-5x5-v0"), *other = make("MiniGrid-Empty-5x5-v0");
    const ludus_env_info *info = ludus_env_get_info(env);
    size_t size = info->state_size;
    uint8_t *good = played(env, 9, 3), *dst = ludus_env_state_new(env);
    uint8_t *bytes = malloc(size + 1);
    /* from an odd address, as a byte string in another program would be */
    memcpy(bytes + 1, good, size);
    CHECK_OK(ludus_env_state_load(env, dst, bytes + 1, size));
    CHECK(memcmp(dst, good, size) == 0);
    CHECK_OK(ludus_env_step(env, dst, 2, NULL, NULL));
    CHECK_ERR(ludus_env_state_load(env, dst, good, size - 1), LUDUS_EFORMAT);
    CHECK(strstr(ludus_errmsg(), "bytes") != NULL);
    /* refused: dst is wiped and no call uses it */
    memcpy(bytes + 1, good, size);
    bytes[1 + offsetof(grid_state, agent_dir)] = 200;
    CHECK_ERR(ludus_env_state_load(env, dst, bytes + 1, size), LUDUS_EFORMAT);
    int zero = 1;
    for (size_t k = 0; k < size; k++) zero &= dst[k] == 0;
    CHECK(zero);
    CHECK_ERR(ludus_env_step(env, dst, 0, NULL, NULL), LUDUS_ESTATE);
    /* a state of another world */
    if (ludus_env_get_info(other)->state_size == size) CHECK_ERR(ludus_env_state_load(other, dst, good, size), LUDUS_EFORMAT);
    CHECK_ERR(ludus_env_state_check(other, good), LUDUS_EFORMAT);
    /* a never-reset state */
    void *blank = ludus_env_state_new(env);
    CHECK_ERR(ludus_env_state_check(env, blank), LUDUS_EFORMAT);
    CHECK_ERR(ludus_env_state_check(NULL, good), LUDUS_EINVAL);
    CHECK_ERR(ludus_env_state_check(env, NULL), LUDUS_EINVAL);
    CHECK_ERR(ludus_env_state_load(env, NULL, good, size), LUDUS_EINVAL);
    CHECK_ERR(ludus_env_state_load(env, dst, NULL, size), LUDUS_EINVAL);
    ludus_free(NULL);
    ludus_free(blank);
    ludus_free(good);
    ludus_free(dst);
    free(bytes);
    ludus_env_destroy(other);
    ludus_env_destroy(env);
}

/* ---- the fuzz ---- */

/* Byte ranges worth damaging: Crafter's state is mostly the unused tail
 * of its object list, so the fuzz aims at the live part. */
typedef struct span {
    size_t lo, hi;
} span;

static int hot_spans(const ludus_env *env, const void *st, span *out)
{
    if (!is_crafter(env)) {
        out[0] = (span){0, ludus_env_get_info(env)->state_size};
        return 1;
    }
    const craft_state *c = st;
    out[0] = (span){0, offsetof(craft_state, rng) + 16};
    out[1] = (span){offsetof(craft_state, cells), offsetof(craft_state, objs) + (c->num_objs + 1) * sizeof(craft_obj)};
    return 2;
}

static void mutate(const ludus_env *env, uint8_t *st)
{
    span sp[2];
    int ns = hot_spans(env, st, sp);
    int edits = 1 + (int)rand_below(4);
    for (int e = 0; e < edits; e++) {
        const span *s = &sp[rand_below((size_t)ns)];
        size_t at = s->lo + rand_below(s->hi - s->lo);
        if (at < sizeof(uint64_t) && rand_below(8)) at += sizeof(uint64_t); /* mostly past the header */
        static const uint8_t special[6] = {0x00, 0xff, 0x7f, 0x80, 0x01, 0x40};
        switch (rand_below(3)) {
        case 0: st[at] ^= (uint8_t)(1u << rand_below(8)); break;
        case 1: st[at] = (uint8_t)next_rand(); break;
        default: st[at] = special[rand_below(6)]; break;
        }
    }
}

/* One step with a random action: one-component worlds draw 0..max_action-1
 * as they always have; worlds of several components a legal value of
 * each under their mask. */
#define NO_LEGAL_ACTION 1

static int random_step(const ludus_env *env, void *st, uint8_t *obs, ludus_step_out *out, int *action)
{
    const ludus_env_info *info = ludus_env_get_info(env);
    if (info->action_dims == 1) {
        *action = (int)rand_below((size_t)info->max_action);
        return ludus_env_step(env, st, *action, obs, out);
    }
    int32_t a[LUDUS_MAX_ACTION_DIMS];
    uint8_t mask[LUDUS_MAX_MASK_SIZE];
    memset(mask, 1, sizeof mask);
    if (info->mask_size) CHECK_OK(ludus_env_action_mask(env, st, mask));
    for (int k = 0, off = 0; k < info->action_dims; off += info->action_nvec[k], k++) {
        int legal = 0;
        for (int v = 0; v < info->action_nvec[k]; v++) legal |= mask[off + v];
        if (!legal) return NO_LEGAL_ACTION; /* a mutated state with every slot filled (Keypad) */
        do a[k] = (int32_t)rand_below((size_t)info->action_nvec[k]);
        while (!mask[off + a[k]]);
    }
    *action = a[0];
    return ludus_env_step_vec(env, st, a, obs, out);
}

/* Everything a caller may do with a state the check accepted. */
static void exercise(const ludus_env *env, uint8_t *st, const char *id, long *still_valid)
{
    const ludus_env_info *info = ludus_env_get_info(env);
    static uint8_t obs[1 << 16], rgb[1 << 20];
    static char text[1 << 16], ansi[1 << 17], trace[1 << 18];
    uint8_t *prev = malloc(info->state_size);
    CHECK_OK(ludus_env_observe(env, st, obs));
    CHECK(ludus_env_text(env, st, LUDUS_TEXT_FULL, text, sizeof text) >= 0);
    CHECK(ludus_env_text(env, st, LUDUS_TEXT_BALROG, text, sizeof text) >= 0);
    CHECK(strlen(ludus_env_mission(env, st)) < info->mission_capacity);
    (void)ludus_env_max_steps(env, st);
    (void)ludus_env_step_count(env, st);
    ludus_render_opts opts[2] = {{4, 0, 1}, {4, 1, 0}};
    for (int k = 0; k < 2; k++) {
        int w, h;
        if (ludus_env_render_size(env, &opts[k], &w, &h) == LUDUS_OK) {
            CHECK((size_t)w * (size_t)h * 3 <= sizeof rgb);
            CHECK_OK(ludus_env_render(env, st, &opts[k], rgb, sizeof rgb));
        }
    }
    CHECK(ludus_env_render_ansi(env, st, ansi, sizeof ansi) >= 0);
    const int traced = ludus_env_trace_reset(env, st, 0, trace, sizeof trace) != LUDUS_EUNSUPPORTED;
    if (traced) CHECK(ludus_env_trace_reset(env, st, 0, trace, sizeof trace) >= 0);
    int ok = 1;
    for (int t = 0; t < 12; t++) {
        memcpy(prev, st, info->state_size);
        int action;
        ludus_step_out out;
        int rc = random_step(env, st, obs, &out, &action);
        if (rc == NO_LEGAL_ACTION) break;
        CHECK_OK(rc);
        if (traced) CHECK(ludus_env_trace_step(env, prev, st, t, action, &out, trace, sizeof trace) >= 0);
        if (ludus_env_state_check(env, st) != LUDUS_OK) {
            CHECK_MSG(0, "%s: an accepted state became invalid after step %d: %s", id, t, ludus_errmsg());
            ok = 0;
            break;
        }
    }
    if (ok) {
        CHECK(ludus_env_text(env, st, LUDUS_TEXT_FULL, text, sizeof text) >= 0);
        CHECK(ludus_env_render_ansi(env, st, ansi, sizeof ansi) >= 0);
        (*still_valid)++;
    }
    free(prev);
}

static void fuzz_world(const char *id, int bases, int per_base, long *accepted, long *refused_n)
{
    ludus_env *env = make(id);
    if (!env) return;
    const ludus_env_info *info = ludus_env_get_info(env);
    uint8_t *base = ludus_env_state_new(env), *st = malloc(info->state_size);
    long valid_after = 0, acc = 0;
    for (int b = 0; b < bases; b++) {
        /* a state from a real episode, some steps in */
        CHECK_OK(ludus_env_reset(env, base, next_rand(), NULL));
        int steps = (int)rand_below(is_crafter(env) ? 200 : 40);
        for (int t = 0; t < steps; t++) {
            ludus_step_out out;
            int action;
            if (info->action_dims == 1) CHECK_OK(ludus_env_step(env, base, (int)rand_below((size_t)info->num_actions), NULL, &out));
            else CHECK_OK(random_step(env, base, NULL, &out, &action));
            if (out.terminated || out.truncated) break;
        }
        for (int m = 0; m < per_base; m++) {
            memcpy(st, base, info->state_size);
            mutate(env, st);
            int rc = ludus_env_state_check(env, st);
            if (rc == LUDUS_OK) {
                acc++;
                exercise(env, st, id, &valid_after);
            } else {
                CHECK_MSG(rc == LUDUS_EFORMAT && ludus_errmsg()[0], "%s: refused with %d '%s'", id, rc, ludus_errmsg());
                (*refused_n)++;
            }
        }
    }
    CHECK_EQ(valid_after, acc);
    *accepted += acc;
    free(st);
    ludus_free(base);
    ludus_env_destroy(env);
}

static void fuzz(void)
{
    /* every sixth world, and those with the most to damage (the mazes too) */
    static const char *const extra[] = {
        "BabyAI-BossLevel-v0", "BabyAI-SynthSeq-v0", "BabyAI-PutNextS5N2Carrying-v0", "BabyAI-KeyInBox-v0",
        "BabyAI-GoToSeq-v0", "MiniGrid-Dynamic-Obstacles-8x8-v0", "MiniGrid-PutNear-6x6-N2-v0",
        "MiniGrid-Unlock-v0", "MiniGrid-RedBlueDoors-6x6-v0", "MiniGrid-MemoryS7-v0", "MiniGrid-Fetch-5x5-N2-v0",
        "MiniGrid-GoToDoor-5x5-v0", "MiniGrid-ObstructedMaze-1Dlhb-v0", "MiniGrid-KeyCorridorS3R1-v0",
        "Maze-v0", "Maze-SmallCorridor-v0", "Maze-PerfectMazeMedium-v0"};
    long accepted = 0, refused_n = 0, crafter_acc = 0, crafter_ref = 0;
    int worlds = 0;
    for (int i = 0; i < ludus_env_count(); i++) {
        const char *id = ludus_env_id(i);
        if (strncmp(id, "Crafter", 7) == 0 || i % 6) continue;
        fuzz_world(id, 4, 25, &accepted, &refused_n);
        worlds++;
    }
    for (size_t k = 0; k < sizeof extra / sizeof extra[0]; k++) {
        fuzz_world(extra[k], 4, 25, &accepted, &refused_n);
        worlds++;
    }
    fuzz_world("Crafter-Reward-v1", 12, 300, &crafter_acc, &crafter_ref);
    printf("fuzz: grid worlds %d, %ld mutated states accepted and exercised, %ld refused; Crafter %ld accepted, "
           "%ld refused\n", worlds, accepted, refused_n, crafter_acc, crafter_ref);
    /* both outcomes happen, or the fuzz tests nothing */
    CHECK(accepted > 0 && refused_n > 0 && crafter_acc > 0 && crafter_ref > 0);
}

int main(void)
{
    check_real_states_pass();
    check_grid_damage();
    check_babyai_damage();
    check_craft_damage();
    check_load();
    fuzz();
    return check_finish("test_env_fuzz");
}
