/* offline.h: the learners that learn from datasets (data.h) rather than
 * from the world: behaviour cloning (bc_learner.c), the registry's "bc".
 */
#ifndef LUDUS_LEARN_OFFLINE_H
#define LUDUS_LEARN_OFFLINE_H

#include "ludus/learner.h"

extern const ludus_learner_ops ludus_bc_learner;

#endif
