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

/* One step of a stream whose state a hot loop holds in locals (*lo, *hi;
 * inc is the stream's increment): state * mult + inc mod 2^128 in 64-bit
 * halves, which compilers keep in registers where a 128-bit struct copy
 * ends up on the stack. Returns the step's 64-bit output. */
static inline uint64_t rng_step(uint64_t *lo, uint64_t *hi, uint64_t inc_lo, uint64_t inc_hi)
{
    const unsigned __int128 p = (unsigned __int128)*lo * RNG_PCG_MULT_LO;
    const uint64_t nlo = (uint64_t)p + inc_lo;
    const uint64_t nhi = (uint64_t)(p >> 64) + *lo * RNG_PCG_MULT_HI + *hi * RNG_PCG_MULT_LO + inc_hi + (nlo < inc_lo);
    *lo = nlo;
    *hi = nhi;
    const uint64_t x = nhi ^ nlo;
    const unsigned rot = (unsigned)(nhi >> 58);
    return (x >> rot) | (x << ((64 - rot) & 63));
}

static inline uint64_t rng_next64(ludus_rng *rng)
{
    uint64_t lo = rng->state_lo, hi = rng->state_hi;
    const uint64_t n = rng_step(&lo, &hi, rng->inc_lo, rng->inc_hi);
    rng->state_lo = lo;
    rng->state_hi = hi;
    return n;
}

/* Undo one rng_next64: the LCG is a bijection (its multiplier is odd), so
 * state = (next - inc) / mult mod 2^128. For loops that draw ahead and,
 * rarely, must give a draw back; the inverse comes from Newton's iteration
 * x <- x(2 - mult x), each round doubling the correct low bits (3 to start
 * with, as m * m = 1 mod 8 for every odd m). */
static inline void rng_back64(ludus_rng *rng)
{
    typedef unsigned __int128 u128;
    const u128 mult = ((u128)RNG_PCG_MULT_HI << 64) | RNG_PCG_MULT_LO;
    u128 inv = mult;
    for (int k = 0; k < 6; k++) inv *= 2 - mult * inv;
    u128 s = ((u128)rng->state_hi << 64) | rng->state_lo;
    s = (s - (((u128)rng->inc_hi << 64) | rng->inc_lo)) * inv;
    rng->state_hi = (uint64_t)(s >> 64);
    rng->state_lo = (uint64_t)s;
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
