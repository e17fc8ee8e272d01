/* web_random.h: a uniformly random legal action of a web world, drawn
 * component by component among the values its mask allows (the slips of
 * the reference checks in test_web_atomic.c and test_web_more.c). */
#ifndef LUDUS_TESTS_WEB_RANDOM_H
#define LUDUS_TESTS_WEB_RANDOM_H

#include "check.h"

static inline void random_action(const ludus_env *env, const void *st, ludus_rng *rng, int32_t *a)
{
    const ludus_env_info *in = ludus_env_get_info(env);
    uint8_t mask[LUDUS_MAX_MASK_SIZE];
    CHECK_OK(ludus_env_action_mask(env, st, mask));
    for (int k = 0, off = 0; k < 3; off += in->action_nvec[k], k++) {
        do a[k] = (int32_t)ludus_rng_integers(rng, 0, in->action_nvec[k]);
        while (!mask[off + a[k]]);
    }
}

#endif
