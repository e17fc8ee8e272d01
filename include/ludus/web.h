/* web.h: what the web worlds (ids Web-<task>-v0, docs/web.md) offer beyond
 * the generic contract of ludus.h: an episode's progress as web
 * benchmarks report it (success, completion over key nodes, invalid
 * actions), and the scripted oracle that solves every task. Everything
 * else (reset, step, text, frames, masks, actions in words) goes through
 * ludus.h as for any world.
 */
#ifndef LUDUS_WEB_H
#define LUDUS_WEB_H

#include "ludus/ludus.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An episode's progress (WebCanvas's measures): success of the task's
 * predicate (set when the episode ends), the key nodes reached (sticky:
 * once reached, counted to the end), completion = key_nodes_hit /
 * key_nodes, the invalid actions so far (no such element, hidden,
 * disabled, a verb that does not fit the element, an option the list
 * lacks, go_back on the first page, a scroll past the page, an action
 * after the end), the result of the last action (see
 * ludus_web_result_name), the episode's skin and the page's element
 * count. */
typedef struct ludus_web_info {
    int success;
    int done;
    int key_nodes;
    int key_nodes_hit;
    double completion;
    int invalid_actions;
    int last_result;
    int skin;
    int elements;
} ludus_web_info;

/* Fill *out from `state` of web world env. LUDUS_EINVAL for NULL,
 * LUDUS_EUNSUPPORTED when env is not a web world, LUDUS_ESTATE for a state
 * env never reset. Reads only; thread-safe with other readers. */
LUDUS_API int ludus_web_progress(const ludus_env *env, const void *state, ludus_web_info *out);

/* The scripted oracle's next action for `state` (3 components: verb,
 * element, word), which solves every task in the fewest steps it knows
 * from any state its own actions reach, in the world's encoding (with
 * `words=slots` its word becomes the slot of the first field or shown
 * element holding it, 0 when none does: tasks whose words are neither in
 * the instruction nor on the page are then not solved, docs/web.md says
 * which). Errors as ludus_web_progress, and
 * LUDUS_EINVAL for a NULL action. Reads only; thread-safe. */
LUDUS_API int ludus_web_oracle_action(const ludus_env *env, const void *state, int32_t *action);

/* The text grammar of ludus_env_parse_action, with the words of a
 * `words=slots` world resolved against `state`: a word becomes the slot
 * of the first instruction field holding it, else of the first shown
 * element whose word it is (its second name word when it has one, else
 * its name), else 0 (<unk>, which equals no target). Under the default
 * `words=vocab`, and for slot names (field1, el3), the same as
 * ludus_env_parse_action. Errors as ludus_env_parse_action and
 * ludus_web_progress. Reads the state only; thread-safe. */
LUDUS_API int ludus_web_parse_action(const ludus_env *env, const void *state, const char *text, int32_t *action);

/* The name of a last-action result code ("ok", "invalid:disabled", ...);
 * "unknown" for codes out of range, never NULL. Thread-safe. */
LUDUS_API const char *ludus_web_result_name(int code);

#ifdef __cplusplus
}
#endif

#endif /* LUDUS_WEB_H */
