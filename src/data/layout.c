/* layout.c: a world's observation and actions as Minari's spaces, the way
 * the Python package declares them (python/ludus/env.py's ObsLayout): each
 * obs field a Box of uint8 with the bounds the reference declares, a
 * one-value field a Discrete int64, the mission a Text, a lone array
 * without mission the bare Box; actions Discrete or MultiDiscrete. The
 * JSON is minari/serialization.py's: {"type": "Box", "dtype": "uint8",
 * "shape": [...], "low": nested lists, "high": ...}, a Dict's subspaces
 * in sorted key order (Gymnasium sorts a Dict's keys).
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "data/data_internal.h"

/* Python's string.printable, in its order: Gymnasium's Text keeps it. */
static const char printable[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ \t\n\r\x0b\x0c";

void ludus_data_layout_of(const ludus_env_info *info, data_layout *l)
{
    memset(l, 0, sizeof *l);
    l->obs_size = info->obs_size;
    l->mask_size = info->mask_size;
    l->n = info->num_obs_fields;
    for (int k = 0; k < l->n; k++) {
        const ludus_obs_field *o = &info->obs_fields[k];
        data_field *f = &l->f[k];
        f->name = o->name;
        f->offset = o->offset;
        f->ndim = o->ndim;
        f->size = 1;
        for (int d = 0; d < o->ndim; d++) f->shape[d] = o->shape[d], f->size *= (size_t)o->shape[d];
        f->scalar = o->ndim == 1 && o->shape[0] == 1;
        f->low = o->low;
        f->high = o->high;
        f->space_low = o->space_low;
        f->space_high = o->space_high;
        f->image = !f->scalar && (o->ndim == 2 || o->ndim == 3) && o->shape[0] >= 32 && o->shape[1] >= 32 &&
                   o->space_low == 0 && o->space_high == 255 && (o->ndim == 2 || o->shape[2] == 1 || o->shape[2] == 3);
    }
    l->mission = info->mission_capacity > 1;
    l->mission_cap = info->mission_capacity;
    l->bare = l->n == 1 && !l->f[0].scalar && !l->mission;
    l->dims = info->action_dims < 1 ? 1 : info->action_dims;
    for (int d = 0; d < l->dims; d++) l->nvec[d] = info->action_dims <= 1 ? info->num_actions : info->action_nvec[d];
}

/* A nested list of `shape` filled with v. */
static cJSON *filled(const int *shape, int ndim, int v)
{
    if (ndim == 0) return cJSON_CreateNumber(v);
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; a && i < shape[0]; i++) {
        cJSON *c = filled(shape + 1, ndim - 1, v);
        if (!c || !cJSON_AddItemToArray(a, c)) {
            cJSON_Delete(c);
            cJSON_Delete(a);
            return NULL;
        }
    }
    return a;
}

static cJSON *field_space(const data_field *f)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    int ok;
    if (f->scalar) {
        ok = cJSON_AddStringToObject(o, "type", "Discrete") && cJSON_AddStringToObject(o, "dtype", "int64") &&
             cJSON_AddNumberToObject(o, "start", f->space_low) &&
             cJSON_AddNumberToObject(o, "n", (int)f->space_high - (int)f->space_low + 1);
    } else {
        cJSON *shape = cJSON_CreateIntArray(f->shape, f->ndim);
        ok = cJSON_AddStringToObject(o, "type", "Box") && cJSON_AddStringToObject(o, "dtype", "uint8") && shape &&
             cJSON_AddItemToObject(o, "shape", shape);
        if (!ok) cJSON_Delete(shape);
        cJSON *lo = ok ? filled(f->shape, f->ndim, f->space_low) : NULL;
        ok = ok && lo && cJSON_AddItemToObject(o, "low", lo);
        if (!ok) cJSON_Delete(lo);
        cJSON *hi = ok ? filled(f->shape, f->ndim, f->space_high) : NULL;
        ok = ok && hi && cJSON_AddItemToObject(o, "high", hi);
        if (!ok) cJSON_Delete(hi);
    }
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static char *print(cJSON *o)
{
    char *s = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    return s;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(((const data_field *)a)->name, ((const data_field *)b)->name);
}

char *ludus_data_obs_space_json(const data_layout *l)
{
    if (l->bare) return print(field_space(&l->f[0]));
    cJSON *o = cJSON_CreateObject(), *subs = cJSON_CreateObject();
    int ok = o && subs && cJSON_AddStringToObject(o, "type", "Dict") && cJSON_AddItemToObject(o, "subspaces", subs);
    if (!ok) cJSON_Delete(subs);
    data_field sorted[LUDUS_MAX_OBS_FIELDS + 1];
    int n = l->n;
    memcpy(sorted, l->f, (size_t)n * sizeof *sorted);
    if (l->mission) sorted[n++] = (data_field){.name = "mission"};
    qsort(sorted, (size_t)n, sizeof *sorted, cmp_name);
    for (int k = 0; ok && k < n; k++) {
        cJSON *s;
        if (l->mission && strcmp(sorted[k].name, "mission") == 0 && sorted[k].ndim == 0) {
            s = cJSON_CreateObject();
            ok = s && cJSON_AddStringToObject(s, "type", "Text") &&
                 cJSON_AddNumberToObject(s, "max_length", (double)(l->mission_cap - 1)) &&
                 cJSON_AddNumberToObject(s, "min_length", 0) && cJSON_AddStringToObject(s, "charset", printable);
        } else {
            ok = (s = field_space(&sorted[k])) != NULL;
        }
        ok = ok && cJSON_AddItemToObject(subs, sorted[k].name, s);
        if (!ok) cJSON_Delete(s);
    }
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return print(o);
}

char *ludus_data_action_space_json(const data_layout *l)
{
    cJSON *o = cJSON_CreateObject();
    int ok = o != NULL;
    if (ok && l->dims == 1) {
        ok = cJSON_AddStringToObject(o, "type", "Discrete") && cJSON_AddStringToObject(o, "dtype", "int64") &&
             cJSON_AddNumberToObject(o, "start", 0) && cJSON_AddNumberToObject(o, "n", l->nvec[0]);
    } else if (ok) {
        int zeros[LUDUS_MAX_ACTION_DIMS] = {0};
        cJSON *nv = cJSON_CreateIntArray(l->nvec, l->dims), *st = cJSON_CreateIntArray(zeros, l->dims);
        ok = cJSON_AddStringToObject(o, "type", "MultiDiscrete") && cJSON_AddStringToObject(o, "dtype", "int64") &&
             nv && st && cJSON_AddItemToObject(o, "nvec", nv);
        if (ok) nv = NULL; /* owned by o now */
        ok = ok && cJSON_AddItemToObject(o, "start", st);
        if (ok) st = NULL;
        cJSON_Delete(nv);
        cJSON_Delete(st);
    }
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return print(o);
}

int ludus_data_masks_check(const data_layout *l, const uint8_t *masks, const int32_t *actions, int T, int *step,
                           const char **what)
{
    const size_t M = (size_t)l->mask_size;
    for (int t = 0; t <= T; t++) {
        const uint8_t *row = masks + (size_t)t * M;
        for (size_t k = 0; k < M; k++)
            if (row[k] > 1) {
                *step = t;
                *what = "a mask byte that is not 0 or 1";
                return -1;
            }
        if (t == T) break; /* the last observation's mask: no action taken under it */
        for (int d = 0, off = 0; d < l->dims; off += l->nvec[d], d++)
            if (!row[off + actions[(size_t)t * l->dims + d]]) {
                *step = t;
                *what = "an action its mask forbids";
                return -1;
            }
    }
    return 0;
}
