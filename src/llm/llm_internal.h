/* llm_internal.h: what the runner (llm.c) shares with the memory of past
 * episodes (memory.c): a case bank in SQLite.
 */
#ifndef LUDUS_LLM_INTERNAL_H
#define LUDUS_LLM_INTERNAL_H

#include <stddef.h>

typedef struct ludus_llm_memory ludus_llm_memory;

/* Open (creating when absent) the memory database at path for the world
 * `world` and strategy "cases". A file that is not SQLite, or a SQLite
 * file without ludus's schema marker, fails with LUDUS_EFORMAT and one
 * line; a newer schema version with LUDUS_EUNSUPPORTED. */
int ludus_llm_memory_open(const char *path, const char *world, const char *model, ludus_llm_memory **out);
void ludus_llm_memory_close(ludus_llm_memory *mem);

/* The prompt block for an episode that starts with mission and first
 * observation obs0: up to k past cases of the same world, the same
 * start first, then the same mission, then by full-text similarity of the
 * mission, successes before failures. *block is malloc'd ("" when none);
 *  */
int ludus_llm_memory_recall(ludus_llm_memory *mem, const char *mission, const char *obs0, int k, char **block);

/* Store an ended episode: its mission, first observation, the actions
 * taken (names joined by ", "), outcome, return and steps, in one
 * transaction. An identical case (same start, outcome and actions) counts
 * a use instead of a new row. */
int ludus_llm_memory_add(ludus_llm_memory *mem, const char *split, const char *mission, const char *obs0,
                         const char *actions, int success, double ret, int steps);

/* Cases stored for this world. */
long ludus_llm_memory_count(ludus_llm_memory *mem);

#endif
