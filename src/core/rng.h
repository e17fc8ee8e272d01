/* rng.h: the PCG64 step, inlined for hot loops. World generators make tens
 * to thousands of draws per reset, and a call per draw cost more than the
 * draw; ludus_rng_next64 (rng.c) is this same function, so there is one
 * definition of the stream.
 */
#ifndef LUDUS_CORE_RNG_H
#define LUDUS_CORE_RNG_H

#include "core.h"

/* numpy's PCG64: a 128-bit LCG with the XSL-RR output function. */
#define RNG_PCG_MULT_HI 2549297995355413924ULL
#define RNG_PCG_MULT_LO 4865540595714422341ULL

static inline uint64_t rng_next64(ludus_rng *rng)
{
    typedef unsigned __int128 u128;
    const u128 mult = ((u128)RNG_PCG_MULT_HI << 64) | RNG_PCG_MULT_LO;
    u128 s = (((u128)rng->state_hi << 64) | rng->state_lo) * mult + (((u128)rng->inc_hi << 64) | rng->inc_lo);
    rng->state_hi = (uint64_t)(s >> 64);
    rng->state_lo = (uint64_t)s;
    uint64_t x = (uint64_t)(s >> 64) ^ (uint64_t)s;
    unsigned rot = (unsigned)(s >> 122);
    return (x >> rot) | (x << ((64 - rot) & 63));
}

/* numpy's buffered 32-bit draw: the low half of a 64-bit draw first, then
 * its high half. */
static inline uint32_t rng_next32(ludus_rng *rng)
{
    if (rng->has32) {
        rng->has32 = 0;
        return rng->buf32;
    }
    uint64_t n = rng_next64(rng);
    rng->has32 = 1;
    rng->buf32 = (uint32_t)(n >> 32);
    return (uint32_t)n;
}

#endif
