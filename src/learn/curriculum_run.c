/* curriculum_run.c: a run's curriculum read back for people (the report's
 * pictures of the levels it favours): the curriculum is made again from
 * the run's config.json exactly as training made it, then the state its
 * last checkpoint saved is loaded into it, so every check of
 * ludus_curriculum_load (name, knobs, sizes, damage) applies unchanged.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/file.h"
#include "learn/curriculum_internal.h"
#include "learn/keys.h"
#include "learn/ppo_internal.h"
#include "ludus/dist.h"
#include "ludus/learn.h"

#define CUR_RUN_PATH_CAP 4096

/* A whole number member of o in [lo, hi] into *out (absent: dflt). */
static int json_whole(const cJSON *o, const char *key, double lo, double hi, double dflt, const char *path,
                      double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v) {
        *out = dflt;
        return LUDUS_OK;
    }
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < lo || v->valuedouble > hi)
        return ludus_err_set(LUDUS_EFORMAT, "%s: \"%s\" is not a whole number in [%.0f, %.0f]", path, key, lo, hi);
    *out = v->valuedouble;
    return LUDUS_OK;
}

static const char *json_string(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int ludus_curriculum_load_run(const char *dir, ludus_env **env_out, ludus_curriculum **out)
{
    if (out) *out = NULL;
    if (env_out) *env_out = NULL;
    if (!dir || !env_out || !out) return ludus_err_set(LUDUS_EINVAL, "curriculum load run: NULL argument");
    char path[CUR_RUN_PATH_CAP], state[CUR_RUN_PATH_CAP];
    if ((size_t)snprintf(path, sizeof path, "%s/config.json", dir) >= sizeof path ||
        (size_t)snprintf(state, sizeof state, "%s/state.safetensors", dir) >= sizeof state)
        return ludus_err_set(LUDUS_EINVAL, "curriculum load run: the folder's path is too long");
    char *text = NULL;
    size_t len = 0;
    cJSON *cfg = NULL;
    ludus_nn_file *f = NULL;
    uint8_t *bytes = NULL;
    size_t nb = 0;
    ludus_env *env = NULL;
    ludus_curriculum *c = NULL;
    int rc = ludus_file_read(path, LUDUS_MAX_CONFIG_BYTES, &text, &len);
    if (rc) goto fail;
    if (!(cfg = cJSON_Parse(text)) || !cJSON_IsObject(cfg)) {
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: not a JSON object", path);
        goto fail;
    }
    const char *name = json_string(cfg, "curriculum");
    if (!name || !name[0]) goto done; /* trained without a curriculum */
    const char *env_id = json_string(cfg, "env_id"), *options = json_string(cfg, "env_options");
    if (!env_id) {
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: no \"env_id\" (not a run's config.json)", path);
        goto fail;
    }
    /* the knobs as config.json spells them (unresolved: create resolves) */
    ludus_curriculum_config knobs;
    ludus_curriculum_config_default(&knobs);
    const cJSON *kj = cJSON_GetObjectItemCaseSensitive(cfg, "curriculum_knobs");
    if (kj && !cJSON_IsObject(kj)) {
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: \"curriculum_knobs\" is not an object", path);
        goto fail;
    }
    for (const cJSON *e = kj ? kj->child : NULL; e; e = e->next) {
        const ludus_key *k = ludus_keys_find(ludus_curriculum_keys(), e->string);
        if (!k) {
            rc = ludus_err_set(LUDUS_EFORMAT, "%s: unknown curriculum knob \"%s\"", path, e->string);
            goto fail;
        }
        if ((rc = ludus_keys_apply_one(k, &knobs, e))) {
            ludus_err_wrap(rc, "%s", path);
            goto fail;
        }
    }
    double num_envs = -1, seed = 1, train_levels = 0, ranks = 1;
    if ((rc = json_whole(cfg, "num_envs", 1, 1 << 24, -1, path, &num_envs)) ||
        (rc = json_whole(cfg, "seed", 0, 9007199254740992.0, 1, path, &seed)) ||
        (rc = json_whole(cfg, "train_levels", 0, (double)LUDUS_MAX_TRAIN_LEVELS, 0, path, &train_levels)) ||
        (rc = json_whole(cfg, "ranks", 1, 1 << 20, 1, path, &ranks)))
        goto fail;
    if (num_envs < 0) {
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: a curriculum but no \"num_envs\"", path);
        goto fail;
    }
    /* every rank holds a replica of the curriculum over all the run's worlds
     * (src/learn/ppo.c, cur_hook), and rank 0 saves it: the count is the run's */
    const long count = (long)num_envs;
    if ((rc = ludus_env_make(env_id, options ? options : "", &env))) goto fail;
    uint64_t level_count = train_levels > 0 ? (uint64_t)train_levels : LUDUS_MAX_TRAIN_LEVELS;
    if ((rc = ludus_curriculum_create(name, &knobs, env, options, (int)count, 0, level_count, (uint64_t)seed, &c))) {
        ludus_err_wrap(rc, "%s", path);
        goto fail;
    }
    if (access(state, F_OK) != 0) {
        rc = ludus_err_set(LUDUS_ENOTFOUND, "%s: no state.safetensors: no checkpoint of the curriculum yet", dir);
        goto fail;
    }
    if ((rc = ludus_nn_file_open(state, &f))) goto fail;
    const char *run_id = json_string(cfg, "run_id"), *state_id = ludus_nn_file_meta(f, "ludus.run_id");
    if (run_id && run_id[0] && state_id && strcmp(run_id, state_id) != 0) {
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: saved by another run (run id %s; config.json's is %s)", state, state_id,
                           run_id);
        goto fail;
    }
    if ((rc = ludus_checkpoint_curriculum_bytes(f, state, &bytes, &nb))) {
        if (rc == LUDUS_ENOTFOUND) rc = ludus_err_set(LUDUS_EFORMAT, "%s: the run has a curriculum but the state holds none", state);
        goto fail;
    }
    if ((rc = ludus_curriculum_load(c, bytes, nb))) {
        ludus_err_wrap(rc, "%s", state);
        goto fail;
    }
done:
    *out = c;
    *env_out = env;
    c = NULL;
    env = NULL;
fail:
    ludus_curriculum_destroy(c);
    ludus_env_destroy(env);
    ludus_nn_file_close(f);
    free(bytes);
    cJSON_Delete(cfg);
    free(text);
    return rc;
}

static int by_prob_desc(const void *a, const void *b)
{
    const ludus_curriculum_level *x = a, *y = b;
    if (x->prob > y->prob) return -1;
    if (x->prob < y->prob) return 1;
    return x->slot < y->slot ? -1 : x->slot > y->slot;
}

int ludus_curriculum_levels(const ludus_curriculum *c, ludus_curriculum_level *out, int n)
{
    if (!c || c->cap < 1) return 0;
    if (!out || n < 0) n = 0;
    double *p = malloc((size_t)c->cap * sizeof *p);
    ludus_curriculum_level *all = malloc((size_t)c->cap * sizeof *all);
    if (!p || !all) {
        free(p);
        free(all);
        return ludus_err_set(LUDUS_ENOMEM, "curriculum levels: out of memory");
    }
    ludus_cur_replay_weights(c, p);
    int seen = 0;
    for (int i = 0; i < c->cap; i++) {
        const cur_slot *s = &c->slots[i];
        if (!s->used || !s->seen) continue;
        all[seen++] = (ludus_curriculum_level){
            .slot = i,
            .seed = s->seed,
            .block = s->has_block && c->LS ? c->slot_blocks + (size_t)i * c->LS : NULL,
            .score = s->score,
            .prob = p[i],
            .staleness = c->clock - s->last_sampled,
            .parent = s->parent,
            .depth = s->depth,
        };
    }
    qsort(all, (size_t)seen, sizeof *all, by_prob_desc);
    if (n > 0) memcpy(out, all, (size_t)(seen < n ? seen : n) * sizeof *all);
    free(p);
    free(all);
    return seen;
}
