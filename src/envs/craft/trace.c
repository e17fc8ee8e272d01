/* trace.c: Crafter trace lines in the format of the reference traces
 * (shared/data/crafter/FORMAT.md §5): a reset line holding the header's
 * `init` fields, then one line per step, each field written exactly as the
 * reference's Python wrote it (float counters included), so a line compares
 * byte for byte. Image digests need the original textures (assets=DIR).
 */
#include <string.h>

#include "core/digest.h"
#include "craft.h"

static const char base36[] = "0123456789abcdefghijklmnopqrstuvwxyz";

static void sb_bool(strbuf *sb, int v) { ludus_sb_puts(sb, v ? "true" : "false"); }

/* A counter in half units, as CPython held it: an int, or a float once a
 * half step happened since it was last reset to 0. */
static void sb_half(strbuf *sb, int half, int is_float)
{
    if (is_float) ludus_sb_double(sb, half / 2.0);
    else ludus_sb_printf(sb, "%d", half / 2);
}

static void sb_dir(strbuf *sb, int dir)
{
    ludus_sb_printf(sb, "[%d,%d]", ludus_craft_dir_dx[dir], ludus_craft_dir_dy[dir]);
}

static void sb_names_dict(strbuf *sb, const char *const *names, int n, const void *values, int is_u32)
{
    ludus_sb_putc(sb, '{');
    for (int i = 0; i < n; i++) {
        long v = is_u32 ? (long)((const uint32_t *)values)[i] : (long)((const int8_t *)values)[i];
        ludus_sb_printf(sb, "%s\"%s\":%ld", i ? "," : "", names[i], v);
    }
    ludus_sb_putc(sb, '}');
}

static void sb_names_list(strbuf *sb, const char *const *names, int n)
{
    ludus_sb_putc(sb, '[');
    for (int i = 0; i < n; i++) {
        if (i) ludus_sb_putc(sb, ',');
        ludus_sb_json_str(sb, names[i]);
    }
    ludus_sb_putc(sb, ']');
}

static void sb_chunk(strbuf *sb, int c)
{
    int k[4];
    ludus_craft_chunk_key(c, k);
    ludus_sb_printf(sb, "[%d,%d,%d,%d]", k[0], k[1], k[2], k[3]);
}

static void sb_player(strbuf *sb, const craft_state *st)
{
    const craft_obj *p = &st->objs[0];
    ludus_sb_printf(sb, "\"pos\":[%d,%d],\"facing\":", p->x, p->y);
    sb_dir(sb, st->facing);
    ludus_sb_puts(sb, ",\"sleeping\":");
    sb_bool(sb, st->sleeping);
    ludus_sb_puts(sb, ",\"inv\":");
    sb_names_dict(sb, ludus_craft_item_names, CRAFT_NUM_ITEMS, st->inv, 0);
    ludus_sb_puts(sb, ",\"ach\":");
    sb_names_dict(sb, ludus_craft_ach_names, CRAFT_NUM_ACH, st->ach, 1);
    ludus_sb_puts(sb, ",\"ctr\":[");
    sb_half(sb, st->hunger2, st->py_float & PYF_HUNGER);
    ludus_sb_putc(sb, ',');
    sb_half(sb, st->thirst2, st->py_float & PYF_THIRST);
    ludus_sb_printf(sb, ",%d,", st->fatigue);
    sb_half(sb, st->recover2, st->py_float & PYF_RECOVER);
    ludus_sb_printf(sb, ",%d],\"daylight\":", st->last_health);
    ludus_sb_double(sb, st->daylight);
}

static void sb_objs(strbuf *sb, const craft_state *st)
{
    ludus_sb_puts(sb, "\"objs\":[");
    for (uint32_t i = 0; i < st->num_objs; i++) {
        const craft_obj *o = &st->objs[i];
        int health = o->kind == KIND_PLAYER ? st->inv[ITEM_HEALTH] : o->health;
        ludus_sb_printf(sb, "%s[%u,\"%s\",%d,%d,%d", i ? "," : "", o->id, ludus_craft_kind_names[o->kind], o->x, o->y,
                  health);
        switch (o->kind) {
        case KIND_ZOMBIE:
        case KIND_SKELETON:
        case KIND_PLANT: ludus_sb_printf(sb, ",%u", o->aux); break;
        case KIND_ARROW: ludus_sb_putc(sb, ','); sb_dir(sb, (int)o->aux); break;
        default: break;
        }
        ludus_sb_putc(sb, ']');
    }
    ludus_sb_putc(sb, ']');
}

static void sb_semantic(strbuf *sb, const craft_state *st)
{
    const craft_obj *p = &st->objs[0];
    ludus_sb_puts(sb, "\"sem9\":[");
    for (int y = p->y - 4; y <= p->y + 4; y++) {
        ludus_sb_puts(sb, y > p->y - 4 ? ",\"" : "\"");
        for (int x = p->x - 4; x <= p->x + 4; x++) ludus_sb_putc(sb, base36[craft_sem_at(st, x, y)]);
        ludus_sb_putc(sb, '"');
    }
    uint8_t sem[CRAFT_CELLS];
    for (int x = 0; x < CRAFT_SIZE; x++)
        for (int y = 0; y < CRAFT_SIZE; y++) sem[CELL_INDEX(x, y)] = (uint8_t)craft_sem_at(st, x, y);
    char hex[2 * SHA256_BYTES + 1];
    ludus_sha256_hex(sem, sizeof sem, hex);
    ludus_sb_printf(sb, "],\"sem_sha256\":\"%s\"", hex);
}

/* The frame's digest (and bytes), only with the reference's textures. */
static void sb_frame(strbuf *sb, const craft_spec *s, const craft_state *st, int with_bytes)
{
    if (!s->tex.original) return;
    uint8_t frame[CRAFT_FRAME * CRAFT_FRAME * 3];
    ludus_craft_render_frame(s, st, CRAFT_FRAME / CRAFT_VIEW_W, CRAFT_FRAME, frame);
    char hex[2 * SHA256_BYTES + 1];
    ludus_sha256_hex(frame, sizeof frame, hex);
    ludus_sb_printf(sb, ",\"obs_sha256\":\"%s\"", hex);
    if (with_bytes) {
        char b64[4 * ((sizeof frame + 2) / 3) + 1];
        ludus_base64_encode(frame, sizeof frame, b64);
        ludus_sb_printf(sb, ",\"obs_b64\":\"%s\"", b64);
    }
}

void ludus_craft_trace_header(const ludus_env *env, uint64_t seed, strbuf *sb)
{
    const craft_spec *s = env->impl;
    craft_mt mt;
    uint32_t world_seed = ludus_craft_world_seed(seed, 1);
    ludus_craft_mt_seed(&mt, world_seed);
    uint32_t simplex_seed = ludus_craft_mt_randint(&mt, 2147483647u);
    ludus_sb_puts(sb, "{\"kind\":\"header\",\"format\":\"ludus-crafter-trace/1\",\"env_id\":");
    ludus_sb_json_str(sb, env->id);
    ludus_sb_printf(sb, ",\"generator\":\"ludus %s\",\"seed\":%llu,\"episode\":1,\"world_seed\":%u,"
                  "\"simplex_seed\":%u,\"mode\":\"%s\",\"reward\":%s,\"length\":%u,\"textures\":\"%s\","
                  "\"obs_every\":50,\"patch\":\"canonical_despawn\",\"action_names\":",
              LUDUS_VERSION, (unsigned long long)seed, world_seed, simplex_seed,
              s->mode == CRAFT_MODE_EXACT ? "exact" : "fast", s->reward ? "true" : "false", s->length,
              s->tex.original ? "original" : "ludus");
    sb_names_list(sb, ludus_craft_action_names, CRAFT_NUM_ACTIONS);
    ludus_sb_puts(sb, ",\"item_names\":");
    sb_names_list(sb, ludus_craft_item_names, CRAFT_NUM_ITEMS);
    ludus_sb_puts(sb, ",\"achievement_names\":");
    sb_names_list(sb, ludus_craft_ach_names, CRAFT_NUM_ACH);
    ludus_sb_putc(sb, '}');
}

void ludus_craft_trace_reset(const ludus_env *env, const void *state, uint64_t seed, strbuf *sb)
{
    const craft_spec *s = env->impl;
    const craft_state *st = state;
    (void)seed; /* the state knows its seed (a continued reset keeps it) */
    ludus_sb_printf(sb, "{\"kind\":\"reset\",\"seed\":%llu,\"episode\":%u,\"world_seed\":%u,\"simplex_seed\":%u,"
                  "\"t\":%u,",
              (unsigned long long)st->seed, st->episode, st->world_seed, st->simplex_seed, st->step);
    sb_player(sb, st);
    ludus_sb_puts(sb, ",\"materials\":[");
    for (int y = 0; y < CRAFT_SIZE; y++) {
        ludus_sb_puts(sb, y ? ",\"" : "\"");
        for (int x = 0; x < CRAFT_SIZE; x++) ludus_sb_putc(sb, base36[craft_mat_at(st, x, y)]);
        ludus_sb_putc(sb, '"');
    }
    ludus_sb_puts(sb, "],");
    sb_objs(sb, st);
    ludus_sb_puts(sb, ",\"chunks\":[");
    for (int k = 0; k < st->num_chunks; k++) {
        if (k) ludus_sb_putc(sb, ',');
        sb_chunk(sb, st->chunk_order[k]);
    }
    ludus_sb_puts(sb, "],");
    sb_semantic(sb, st);
    ludus_sb_printf(sb, ",\"rng_words\":%llu", (unsigned long long)st->rng.words);
    sb_frame(sb, s, st, 1);
    ludus_sb_putc(sb, '}');
}

void ludus_craft_trace_step(const ludus_env *env, const void *prev, const void *state, int t, int action,
                      const ludus_step_out *out, strbuf *sb)
{
    const craft_spec *s = env->impl;
    const craft_state *st = state, *ps = prev;
    /* "t" is the world's own step counter, as the reference traces have it
     * (1 after the first step), whatever index the caller counts with. */
    (void)t;
    ludus_sb_printf(sb, "{\"t\":%u,\"a\":%d,\"r\":", st->step, action);
    ludus_sb_double(sb, out->reward);
    ludus_sb_puts(sb, ",\"done\":");
    sb_bool(sb, out->terminated || out->truncated);
    ludus_sb_putc(sb, ',');
    sb_player(sb, st);
    ludus_sb_putc(sb, ',');
    sb_semantic(sb, st);
    ludus_sb_putc(sb, ',');
    sb_objs(sb, st);
    ludus_sb_puts(sb, ",\"diff\":[");
    int first = 1;
    for (int x = 0; x < CRAFT_SIZE; x++)
        for (int y = 0; y < CRAFT_SIZE; y++) {
            unsigned m = craft_mat_at(st, x, y);
            if (m == craft_mat_at(ps, x, y)) continue;
            ludus_sb_printf(sb, "%s[%d,%d,%u]", first ? "" : ",", x, y, m);
            first = 0;
        }
    ludus_sb_putc(sb, ']');
    if (st->num_chunks > ps->num_chunks) {
        ludus_sb_puts(sb, ",\"new_chunks\":[");
        for (int k = ps->num_chunks; k < st->num_chunks; k++) {
            if (k > ps->num_chunks) ludus_sb_putc(sb, ',');
            sb_chunk(sb, st->chunk_order[k]);
        }
        ludus_sb_putc(sb, ']');
    }
    ludus_sb_printf(sb, ",\"rng_words\":%llu", (unsigned long long)st->rng.words);
    sb_frame(sb, s, st, st->step % 50 == 0);
    ludus_sb_putc(sb, '}');
}
