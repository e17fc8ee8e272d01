/* keys.h: what the learn/ files share about key tables beyond learner.h:
 * printing into a string builder, applying one parsed value, the nearest
 * known key for a did-you-mean message, and bounded file reads.
 */
#ifndef LUDUS_LEARN_KEYS_H
#define LUDUS_LEARN_KEYS_H

#include "core/core.h"
#include "ludus/learner.h"

/* Append the members of cfg's table (see ludus_keys_to_json); *first is
 * 1 before the first member of the object and cleared after it. */
void ludus_keys_print(strbuf *sb, const ludus_key *keys, const void *cfg, int *first);
/* Apply one cJSON value to its key k in cfg (no copy: the caller copies). */
int ludus_keys_apply_one(const ludus_key *k, void *cfg, const void *cjson);
/* Parse a JSON object (a cJSON * to free with cJSON_Delete), or NULL with
 * *rc and a message. */
void *ludus_keys_parse_object(const char *json, int *rc);
/* "; did you mean \"x\"?" for the key of the tables nearest to name, or ""
 * when none is near; returns 1 when the tables hold any key. */
int ludus_keys_nearest(const ludus_key *const *tables, int ntables, const char *name, char *buf, size_t cap);

#endif
