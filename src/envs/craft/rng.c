/* rng.c: the random numbers Crafter draws (spec/crafter.md §2): numpy's
 * legacy RandomState (MT19937, its 53-bit uniform and masked-rejection
 * randint) and the world seed CPython derives from hash((seed, episode)).
 * Checked draw for draw against shared/data/crafter/rng-vectors.jsonl.
 */
#include <string.h>

#include "craft.h"

#define MT_M 397
#define MT_MATRIX_A 0x9908b0dfu
#define MT_UPPER 0x80000000u
#define MT_LOWER 0x7fffffffu

void ludus_craft_mt_seed(craft_mt *m, uint32_t seed)
{
    m->key[0] = seed;
    for (uint32_t i = 1; i < CRAFT_MT_N; i++)
        m->key[i] = 1812433253u * (m->key[i - 1] ^ (m->key[i - 1] >> 30)) + i;
    m->pos = CRAFT_MT_N;
    m->reserved = 0;
    m->words = 0;
}

static inline uint32_t mt_mix(uint32_t cur, uint32_t next, uint32_t far)
{
    uint32_t y = (cur & MT_UPPER) | (next & MT_LOWER);
    return far ^ (y >> 1) ^ ((0u - (y & 1u)) & MT_MATRIX_A);
}

/* Four words at a time in GCC/Clang vector extensions (SSE2 on any
 * x86-64): exact mode twists about ten times per night step to skip the
 * frame's noise, so this loop is its hot spot. */
typedef uint32_t u32x4 __attribute__((vector_size(16)));

static inline u32x4 load4(const uint32_t *p)
{
    u32x4 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline u32x4 mix4(u32x4 cur, u32x4 next, u32x4 far)
{
    u32x4 y = (cur & MT_UPPER) | (next & MT_LOWER);
    return far ^ (y >> 1) ^ ((-(y & 1u)) & MT_MATRIX_A);
}

/* Regenerate all 624 words; the second loop reads words this twist
 * already rewrote, 227 back, so 4-wide steps stay exact. */
void ludus_craft_mt_twist(craft_mt *m)
{
    uint32_t *k = m->key;
    int i = 0;
    for (; i + 4 <= CRAFT_MT_N - MT_M; i += 4) {
        u32x4 v = mix4(load4(k + i), load4(k + i + 1), load4(k + i + MT_M));
        memcpy(k + i, &v, sizeof v);
    }
    for (; i < CRAFT_MT_N - MT_M; i++) k[i] = mt_mix(k[i], k[i + 1], k[i + MT_M]);
    for (; i + 4 <= CRAFT_MT_N - 1; i += 4) {
        u32x4 v = mix4(load4(k + i), load4(k + i + 1), load4(k + i + MT_M - CRAFT_MT_N));
        memcpy(k + i, &v, sizeof v);
    }
    for (; i < CRAFT_MT_N - 1; i++) k[i] = mt_mix(k[i], k[i + 1], k[i + MT_M - CRAFT_MT_N]);
    k[CRAFT_MT_N - 1] = mt_mix(k[CRAFT_MT_N - 1], k[0], k[MT_M - 1]);
    m->pos = 0;
}

void ludus_craft_mt_advance(craft_mt *m, uint64_t n)
{
    m->words += n;
    uint64_t pos = m->pos + n;
    while (pos > CRAFT_MT_N) {
        ludus_craft_mt_twist(m);
        pos -= CRAFT_MT_N;
    }
    m->pos = (uint32_t)pos;
}

uint32_t ludus_craft_mt_randint(craft_mt *m, uint32_t n)
{
    if (n <= 1) return 0;
    uint32_t max = n - 1, mask = max;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    uint32_t v;
    do v = craft_mt_next32(m) & mask;
    while (v > max);
    return v;
}

/* ---- CPython's hashes (Python >= 3.8 on 64-bit) ---- */

#define PY_MODULUS ((1ull << 61) - 1)
#define XXPRIME_1 11400714785074694791ull
#define XXPRIME_2 14029467366897019727ull
#define XXPRIME_5 2870177450012600261ull

uint64_t ludus_craft_py_mod61(uint64_t v)
{
    v = (v & PY_MODULUS) + (v >> 61);
    return v >= PY_MODULUS ? v - PY_MODULUS : v;
}

int64_t ludus_craft_py_hash_int(int negative, uint64_t magnitude_mod)
{
    int64_t h = (int64_t)ludus_craft_py_mod61(magnitude_mod);
    if (negative) h = -h;
    return h == -1 ? -2 : h;
}

int64_t ludus_craft_py_hash_pair(int64_t h1, int64_t h2)
{
    uint64_t acc = XXPRIME_5;
    uint64_t lanes[2] = {(uint64_t)h1, (uint64_t)h2};
    for (int i = 0; i < 2; i++) {
        acc += lanes[i] * XXPRIME_2;
        acc = (acc << 31) | (acc >> 33);
        acc *= XXPRIME_1;
    }
    acc += 2u ^ (XXPRIME_5 ^ 3527539u);
    if (acc == UINT64_MAX) return 1546275796;
    return (int64_t)acc;
}

uint32_t ludus_craft_world_seed(uint64_t seed, uint64_t episode)
{
    int64_t h = ludus_craft_py_hash_pair(ludus_craft_py_hash_int(0, seed), ludus_craft_py_hash_int(0, episode));
    const int64_t m = 2147483647; /* 2^31 - 1; Python's % is never negative here */
    int64_t w = h % m;
    if (w < 0) w += m;
    return (uint32_t)w;
}
