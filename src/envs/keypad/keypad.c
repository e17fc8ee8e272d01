/* keypad.c: a combination lock, the first world whose action has more
 * than one component. A code of K digits (each 0..B-1, drawn from the
 * level's seed) is lit on a K x B keypad; an action (slot, digit) enters a
 * digit into an empty slot, and the mask forbids slots already filled.
 * Each right digit pays 1/(2K); the whole code right pays 0.5 more when the
 * last slot is filled, which ends the episode (at most 1 in all).
 *
 * Observation: the keypad, (K, B) ids, row = slot, column = digit:
 * 0 dark, 1 lit (the code's digit of that slot), 2 entered (wrong),
 * 3 entered and lit (right).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envs/env.h"

#define KEYPAD_MAX_SLOTS 8
#define KEYPAD_MAX_DIGITS 10
#define KEYPAD_TEXT_CAP 1024

enum { CELL_DARK = 0, CELL_LIT = 1, CELL_WRONG = 2, CELL_RIGHT = 3 };

typedef struct keypad_spec {
    int slots, digits;
    const char *names[KEYPAD_MAX_SLOTS + KEYPAD_MAX_DIGITS];
    char store[KEYPAD_MAX_SLOTS + KEYPAD_MAX_DIGITS][20];
    char options_doc[160];
} keypad_spec;

typedef struct keypad_state {
    env_state_header h;
    ludus_rng rng;
    uint32_t step_count;
    uint8_t code[KEYPAD_MAX_SLOTS];
    uint8_t entered[KEYPAD_MAX_SLOTS]; /* 0 empty, else digit + 1 */
} keypad_state;

typedef struct keypad_params {
    int slots, digits;
} keypad_params;

static const env_ops keypad_ops;

static void keypad_destroy(ludus_env *env)
{
    free((void *)env->impl);
    env->impl = NULL;
}

static int keypad_make(const env_entry *entry, const char *options, ludus_env *env)
{
    const keypad_params *params = entry->params;
    long slots = params->slots, digits = params->digits;
    char key[64], val[64];
    const char *cur = options;
    int r;
    while ((r = ludus_env_options_next(&cur, key, sizeof key, val, sizeof val)) > 0) {
        if (strcmp(key, "slots") == 0) {
            if (ludus_env_option_int(key, val, 1, KEYPAD_MAX_SLOTS, &slots)) return LUDUS_EINVAL;
        } else if (strcmp(key, "digits") == 0) {
            if (ludus_env_option_int(key, val, 2, KEYPAD_MAX_DIGITS, &digits)) return LUDUS_EINVAL;
        } else {
            return ludus_err_set(LUDUS_EINVAL, "unknown option '%s' (Keypad takes slots=1..%d, digits=2..%d)", key,
                           KEYPAD_MAX_SLOTS, KEYPAD_MAX_DIGITS);
        }
    }
    if (r < 0) return LUDUS_EINVAL;
    keypad_spec *s = calloc(1, sizeof *s);
    if (!s) return ludus_err_set(LUDUS_ENOMEM, "out of memory");
    s->slots = (int)slots;
    s->digits = (int)digits;
    for (int i = 0; i < s->slots; i++) snprintf(s->store[i], sizeof s->store[i], "slot %d", i + 1);
    for (int d = 0; d < s->digits; d++) snprintf(s->store[s->slots + d], sizeof s->store[0], "digit %d", d);
    for (int i = 0; i < s->slots + s->digits; i++) s->names[i] = s->store[i];
    snprintf(s->options_doc, sizeof s->options_doc, "slots=1..%d (default %d), digits=2..%d (default %d)",
             KEYPAD_MAX_SLOTS, params->slots, KEYPAD_MAX_DIGITS, params->digits);
    env->impl = s;
    env->ops = &keypad_ops;

    ludus_env_info *info = &env->info;
    info->family = "keypad";
    info->action_dims = 2;
    info->action_nvec[0] = s->slots;
    info->action_nvec[1] = s->digits;
    info->num_actions = s->slots + s->digits;
    info->max_action = 0;
    info->mask_size = s->slots + s->digits;
    info->action_names = s->names;
    info->obs_size = (size_t)s->slots * s->digits;
    info->num_obs_fields = 1;
    info->obs_fields[0] = (ludus_obs_field){"keypad", 0, 2, {s->slots, s->digits, 0}, 0, CELL_RIGHT, 0, CELL_RIGHT,
                                            LUDUS_OBS_SYMBOL_MAP};
    info->state_size = sizeof(keypad_state);
    info->width = s->digits;
    info->height = s->slots;
    info->max_steps = (uint32_t)s->slots;
    info->text_capacity = KEYPAD_TEXT_CAP;
    info->mission_capacity = 1;
    info->options_doc = s->options_doc;
    info->train_options = "";
    return LUDUS_OK;
}

static int keypad_reset(const ludus_env *env, void *state, uint64_t seed, int reseed)
{
    const keypad_spec *s = env->impl;
    keypad_state *st = state;
    if (reseed) ludus_rng_seed(&st->rng, seed);
    st->step_count = 0;
    memset(st->code, 0, sizeof st->code);
    memset(st->entered, 0, sizeof st->entered);
    for (int i = 0; i < s->slots; i++) st->code[i] = (uint8_t)ludus_rng_integers(&st->rng, 0, s->digits);
    return LUDUS_OK;
}

static void keypad_step(const ludus_env *env, void *state, const int32_t *action, ludus_step_out *out)
{
    const keypad_spec *s = env->impl;
    keypad_state *st = state;
    const int slot = action[0], digit = action[1];
    memset(out, 0, sizeof *out);
    st->step_count++;
    st->entered[slot] = (uint8_t)(digit + 1);
    if (digit == st->code[slot]) out->reward += 0.5 / s->slots;
    int filled = 0, right = 0;
    for (int i = 0; i < s->slots; i++) {
        filled += st->entered[i] != 0;
        right += st->entered[i] == st->code[i] + 1;
    }
    if (filled == s->slots) {
        out->terminated = 1;
        out->success = right == s->slots;
        if (out->success) out->reward += 0.5;
    }
}

static void keypad_observe(const ludus_env *env, const void *state, uint8_t *obs)
{
    const keypad_spec *s = env->impl;
    const keypad_state *st = state;
    for (int i = 0; i < s->slots; i++)
        for (int d = 0; d < s->digits; d++) {
            int lit = st->code[i] == d, in = st->entered[i] == d + 1;
            obs[i * s->digits + d] = (uint8_t)(in ? (lit ? CELL_RIGHT : CELL_WRONG) : lit ? CELL_LIT : CELL_DARK);
        }
}

static void keypad_mask(const ludus_env *env, const void *state, uint8_t *mask)
{
    const keypad_spec *s = env->impl;
    const keypad_state *st = state;
    for (int i = 0; i < s->slots; i++) mask[i] = st->entered[i] == 0;
    memset(mask + s->slots, 1, (size_t)s->digits);
}

static int keypad_text(const ludus_env *env, const void *state, ludus_text_mode mode, char *buf, size_t cap)
{
    const keypad_spec *s = env->impl;
    const keypad_state *st = state;
    strbuf sb = sb_make(buf, cap);
    ludus_sb_puts(&sb, "The keypad lights the code");
    for (int i = 0; i < s->slots; i++) ludus_sb_printf(&sb, " %d", st->code[i]);
    ludus_sb_puts(&sb, ".\n");
    for (int i = 0; i < s->slots; i++) {
        if (st->entered[i]) ludus_sb_printf(&sb, "Slot %d holds %d.\n", i + 1, st->entered[i] - 1);
        else ludus_sb_printf(&sb, "Slot %d is empty.\n", i + 1);
    }
    if (mode == LUDUS_TEXT_FULL) {
        /* every action name, then how to say one in words */
        ludus_sb_puts(&sb, "Actions: one of");
        for (int i = 0; i < s->slots; i++) ludus_sb_printf(&sb, "%s slot %d", i ? "," : "", i + 1);
        ludus_sb_puts(&sb, " (an empty one) with one of");
        for (int d = 0; d < s->digits; d++) ludus_sb_printf(&sb, "%s digit %d", d ? "," : "", d);
        ludus_sb_puts(&sb, "; say 'enter D in slot S'.\n");
    }
    return (int)sb.len;
}

/* "enter D in slot S" and its looser forms: "slot S" exactly once (S
 * 1-based, as the text shows it) and exactly one other number, the digit. */
static int keypad_parse(const ludus_env *env, const char *words, int32_t *action)
{
    const keypad_spec *s = env->impl;
    long slot = -1, digit = -1;
    int nslot = 0, ndigit = 0, after_slot = 0;
    for (const char *p = words; *p;) {
        const char *q = strchr(p, ' ');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        if (n == 4 && memcmp(p, "slot", 4) == 0) {
            after_slot = 1;
        } else {
            int num = n > 0 && n <= 6;
            for (size_t i = 0; i < n && num; i++) num = p[i] >= '0' && p[i] <= '9';
            if (num) {
                long v = strtol(p, NULL, 10);
                if (after_slot) {
                    slot = v;
                    nslot++;
                } else {
                    digit = v;
                    ndigit++;
                }
            }
            after_slot = 0;
        }
        p += n;
        if (*p == ' ') p++;
    }
    if (nslot != 1 || ndigit != 1)
        return ludus_err_set(LUDUS_EINVAL, "invalid action: '%.40s%s' is not 'enter D in slot S' (one slot and one digit)",
                       words, strlen(words) > 40 ? "..." : "");
    if (slot < 1 || slot > s->slots || digit < 0 || digit >= s->digits)
        return ludus_err_set(LUDUS_EINVAL, "invalid action: slot %ld, digit %ld are out of range (slot 1..%d, digit 0..%d)",
                       slot, digit, s->slots, s->digits - 1);
    action[0] = (int32_t)(slot - 1);
    action[1] = (int32_t)digit;
    return LUDUS_OK;
}

static uint32_t keypad_max_steps(const ludus_env *env, const void *state)
{
    (void)state;
    return env->info.max_steps;
}

static uint32_t keypad_step_count(const ludus_env *env, const void *state)
{
    (void)env;
    return ((const keypad_state *)state)->step_count;
}

/* A state from elsewhere: every index step, observe and text use in range. */
static int keypad_validate(const ludus_env *env, const void *state)
{
    const keypad_spec *s = env->impl;
    const keypad_state *st = state;
    int filled = 0;
    for (int i = 0; i < KEYPAD_MAX_SLOTS; i++) {
        int used = i < s->slots;
        if (st->code[i] >= (used ? s->digits : 1))
            return ludus_err_set(LUDUS_EFORMAT, "keypad state: code[%d] = %d is not a digit of 0..%d", i, st->code[i],
                           s->digits - 1);
        if (st->entered[i] > (used ? s->digits : 0))
            return ludus_err_set(LUDUS_EFORMAT, "keypad state: slot %d holds %d (want 0..%d)", i + 1, st->entered[i],
                           s->digits);
        filled += st->entered[i] != 0;
    }
    if (st->step_count < (uint32_t)filled)
        return ludus_err_set(LUDUS_EFORMAT, "keypad state: %d slots filled in %u steps", filled, st->step_count);
    return LUDUS_OK;
}

/* ---- pictures ---- */

/* 3x5 digits, one row per byte, bit 2 the left column. */
static const uint8_t font[10][5] = {
    {7, 5, 5, 5, 7}, {2, 6, 2, 2, 7}, {7, 1, 7, 4, 7}, {7, 1, 7, 1, 7}, {5, 5, 7, 1, 1},
    {7, 4, 7, 1, 7}, {7, 4, 7, 5, 7}, {7, 1, 1, 1, 1}, {7, 5, 7, 5, 7}, {7, 5, 7, 1, 7},
};

static int tile_of(const ludus_render_opts *o, int *ts)
{
    *ts = o->tile_size ? o->tile_size : 32;
    if (*ts < 1 || *ts > 256) return ludus_err_set(LUDUS_EINVAL, "tile size %d: want 1..256", *ts);
    return LUDUS_OK;
}

static int keypad_render_size(const ludus_env *env, const ludus_render_opts *o, int *w, int *h)
{
    const keypad_spec *s = env->impl;
    int ts, rc = tile_of(o, &ts);
    if (rc) return rc;
    *w = s->digits * ts;
    *h = s->slots * ts;
    return LUDUS_OK;
}

static int keypad_render(const ludus_env *env, const void *state, const ludus_render_opts *o, uint8_t *rgb)
{
    static const uint8_t bg[4][3] = {{40, 40, 48}, {200, 160, 40}, {190, 50, 50}, {50, 170, 70}};
    const keypad_spec *s = env->impl;
    int ts, rc = tile_of(o, &ts);
    if (rc) return rc;
    uint8_t cells[KEYPAD_MAX_SLOTS * KEYPAD_MAX_DIGITS];
    keypad_observe(env, state, cells);
    const int W = s->digits * ts, px = ts / 8; /* a glyph pixel; 0: tiles too small for digits */
    for (int i = 0; i < s->slots; i++)
        for (int d = 0; d < s->digits; d++) {
            const uint8_t *c = bg[cells[i * s->digits + d]];
            for (int y = 0; y < ts; y++)
                for (int x = 0; x < ts; x++) {
                    uint8_t *p = rgb + ((size_t)(i * ts + y) * W + (size_t)(d * ts + x)) * 3;
                    int edge = x == 0 || y == 0 || x == ts - 1 || y == ts - 1;
                    int gx = px ? (x - 2 * px) / px : -1, gy = px ? (y - (ts - 5 * px) / 2) / px : -1;
                    int ink = px && x >= 2 * px && y >= (ts - 5 * px) / 2 && gx < 3 && gy < 5 &&
                              (font[d][gy] >> (2 - gx) & 1);
                    for (int k = 0; k < 3; k++) p[k] = edge ? 0 : ink ? 235 : c[k];
                }
        }
    return LUDUS_OK;
}

static void keypad_render_ansi(const ludus_env *env, const void *state, strbuf *sb)
{
    static const char *const colour[4] = {"\x1b[90m", "\x1b[33m", "\x1b[31m", "\x1b[32m"};
    const keypad_spec *s = env->impl;
    uint8_t cells[KEYPAD_MAX_SLOTS * KEYPAD_MAX_DIGITS];
    keypad_observe(env, state, cells);
    for (int i = 0; i < s->slots; i++) {
        ludus_sb_printf(sb, "slot %d ", i + 1);
        for (int d = 0; d < s->digits; d++) {
            int c = cells[i * s->digits + d];
            ludus_sb_printf(sb, "%s%c%d%c\x1b[0m", colour[c], c >= CELL_WRONG ? '[' : ' ', d, c >= CELL_WRONG ? ']' : ' ');
        }
        ludus_sb_puts(sb, "\n");
    }
}

static const env_ops keypad_ops = {
    .reset = keypad_reset,
    .step_vec = keypad_step,
    .action_mask = keypad_mask,
    .observe = keypad_observe,
    .text = keypad_text,
    .max_steps = keypad_max_steps,
    .step_count = keypad_step_count,
    .render_size = keypad_render_size,
    .render = keypad_render,
    .render_ansi = keypad_render_ansi,
    .parse_action = keypad_parse,
    .validate = keypad_validate,
    .destroy = keypad_destroy,
};

static const keypad_params p5x5 = {5, 5}, p6x10 = {6, 10};

const env_entry ludus_keypad_entries[] = {
    {"Keypad-5x5-v0", "a combination lock: enter the lit code of 5 digits (0..4), one (slot, digit) per step",
     keypad_make, &p5x5},
    {"Keypad-6x10-v0", "a combination lock: enter the lit code of 6 digits (0..9), one (slot, digit) per step",
     keypad_make, &p6x10},
};

const int ludus_keypad_entry_count = (int)(sizeof ludus_keypad_entries / sizeof ludus_keypad_entries[0]);
