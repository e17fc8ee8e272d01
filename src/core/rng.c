/* rng.c: numpy's Generator(PCG64(SeedSequence(seed))), bit for bit.
 * MiniGrid and BabyAI draw every layout from this stream, so exactness here
 * is what makes seeded levels identical to the reference. 128-bit LCG
 * arithmetic uses the compiler's unsigned __int128.
 */
#include "rng.h"

typedef unsigned __int128 u128;

#define SS_INIT_A 0x43b0d7e5u
#define SS_MULT_A 0x931e8875u
#define SS_INIT_B 0x8b51f9ddu
#define SS_MULT_B 0x58f38dedu
#define SS_MIX_L 0xca01f9ddu
#define SS_MIX_R 0x4973f715u
#define SS_XSHIFT 16
#define SS_POOL 4

static const u128 PCG_MULT = ((u128)RNG_PCG_MULT_HI << 64) | RNG_PCG_MULT_LO;

static inline void rng_set_state(ludus_rng *r, u128 s)
{
    r->state_hi = (uint64_t)(s >> 64);
    r->state_lo = (uint64_t)s;
}

static uint32_t ss_hashmix(uint32_t value, uint32_t *hc)
{
    value ^= *hc;
    *hc *= SS_MULT_A;
    value *= *hc;
    value ^= value >> SS_XSHIFT;
    return value;
}

static uint32_t ss_mix(uint32_t x, uint32_t y)
{
    uint32_t r = SS_MIX_L * x - SS_MIX_R * y;
    r ^= r >> SS_XSHIFT;
    return r;
}

void ludus_rng_seed_words(ludus_rng *rng, const uint32_t *words, size_t nwords)
{
    static const uint32_t zero = 0;
    if (nwords == 0) {
        words = &zero;
        nwords = 1;
    }
    /* SeedSequence: mix the entropy into a pool of four words. */
    uint32_t pool[SS_POOL];
    uint32_t hc = SS_INIT_A;
    for (size_t i = 0; i < SS_POOL; i++) pool[i] = ss_hashmix(i < nwords ? words[i] : 0, &hc);
    for (size_t s = 0; s < SS_POOL; s++)
        for (size_t d = 0; d < SS_POOL; d++)
            if (s != d) pool[d] = ss_mix(pool[d], ss_hashmix(pool[s], &hc));
    for (size_t s = SS_POOL; s < nwords; s++)
        for (size_t d = 0; d < SS_POOL; d++) pool[d] = ss_mix(pool[d], ss_hashmix(words[s], &hc));

    /* generate_state(4, uint64): eight 32-bit words, paired little-endian. */
    uint32_t out32[8];
    uint32_t hb = SS_INIT_B;
    for (int i = 0; i < 8; i++) {
        uint32_t v = pool[i % SS_POOL] ^ hb;
        hb *= SS_MULT_B;
        v *= hb;
        v ^= v >> SS_XSHIFT;
        out32[i] = v;
    }
    uint64_t w[4];
    for (int k = 0; k < 4; k++) w[k] = (uint64_t)out32[2 * k] | ((uint64_t)out32[2 * k + 1] << 32);

    /* PCG64 seeding: state = 0; inc = seq<<1|1; step; state += init; step. */
    u128 initstate = ((u128)w[0] << 64) | w[1];
    u128 initseq = ((u128)w[2] << 64) | w[3];
    u128 inc = (initseq << 1) | 1u;
    u128 st = inc; /* 0 * mult + inc */
    st += initstate;
    st = st * PCG_MULT + inc;
    rng_set_state(rng, st);
    rng->inc_hi = (uint64_t)(inc >> 64);
    rng->inc_lo = (uint64_t)inc;
    rng->buf32 = 0;
    rng->has32 = 0;
}

void ludus_rng_seed(ludus_rng *rng, uint64_t seed)
{
    uint32_t words[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    ludus_rng_seed_words(rng, words, words[1] ? 2 : 1);
}

uint64_t ludus_rng_next64(ludus_rng *rng) { return rng_next64(rng); }

uint32_t ludus_rng_next32(ludus_rng *rng) { return rng_next32(rng); }

double ludus_rng_random(ludus_rng *rng)
{
    return (double)(rng_next64(rng) >> 11) * (1.0 / 9007199254740992.0);
}

double ludus_rng_uniform(ludus_rng *rng, double lo, double hi)
{
    return lo + (hi - lo) * ludus_rng_random(rng);
}

int64_t ludus_rng_integers(ludus_rng *rng, int64_t lo, int64_t hi)
{
    if (hi <= lo) return lo;
    uint64_t range = (uint64_t)hi - (uint64_t)lo - 1; /* inclusive span */
    if (range == 0) return lo;                      /* numpy draws nothing */
    if (range <= 0xffffffffULL) {
        if (range == 0xffffffffULL) return lo + (int64_t)rng_next32(rng);
        /* Lemire's nearly divisionless method on 32-bit draws. */
        uint32_t excl = (uint32_t)range + 1;
        uint64_t m = (uint64_t)rng_next32(rng) * excl;
        uint32_t left = (uint32_t)m;
        if (left < excl) {
            uint32_t thr = (uint32_t)(0xffffffffu - (uint32_t)range) % excl;
            while (left < thr) {
                m = (uint64_t)rng_next32(rng) * excl;
                left = (uint32_t)m;
            }
        }
        return lo + (int64_t)(m >> 32);
    }
    if (range == UINT64_MAX) return lo + (int64_t)rng_next64(rng);
    uint64_t excl = range + 1;
    u128 m = (u128)rng_next64(rng) * excl;
    uint64_t left = (uint64_t)m;
    if (left < excl) {
        uint64_t thr = (UINT64_MAX - range) % excl;
        while (left < thr) {
            m = (u128)rng_next64(rng) * excl;
            left = (uint64_t)m;
        }
    }
    return lo + (int64_t)(uint64_t)(m >> 64);
}

/* numpy's random_interval: masked rejection sampling in [0, max]. */
static uint64_t rng_interval(ludus_rng *rng, uint64_t max)
{
    if (max == 0) return 0;
    uint64_t mask = max;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    mask |= mask >> 32;
    uint64_t v;
    if (max <= 0xffffffffULL) {
        do v = rng_next32(rng) & mask;
        while (v > max);
    } else {
        do v = rng_next64(rng) & mask;
        while (v > max);
    }
    return v;
}

void ludus_rng_shuffle(ludus_rng *rng, int *items, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)rng_interval(rng, i - 1);
        int t = items[i - 1];
        items[i - 1] = items[j];
        items[j] = t;
    }
}
