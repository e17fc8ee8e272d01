/* keys.c: configurations described by key tables (learner.h). One table
 * per struct drives JSON parsing, printing, range checks and messages, so
 * a new key cannot be half-supported; nested objects (PPO's "arch") are
 * tables of their own. Changes are made on a copy and committed whole.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "learn/keys.h"

const ludus_key *ludus_keys_find(const ludus_key *keys, const char *name)
{
    for (const ludus_key *k = keys; k && name && k->name; k++)
        if (strcmp(k->name, name) == 0) return k;
    return NULL;
}

int ludus_keys_nearest(const ludus_key *const *tables, int ntables, const char *name, char *buf, size_t cap)
{
    const char *best = NULL;
    int bd = 1 << 30;
    for (int t = 0; t < ntables; t++)
        for (const ludus_key *k = tables[t]; k && k->name; k++) {
            int d = ludus_str_edit_distance(name, k->name, 1000);
            if (strstr(k->name, name) || strstr(name, k->name)) d /= 2;
            if (d < bd) bd = d, best = k->name;
        }
    strbuf sb = sb_make(buf, cap);
    if (best && bd <= 4) ludus_sb_printf(&sb, "; did you mean \"%s\"?", best);
    return best != NULL;
}

static double get_num(const ludus_key *k, const void *cfg)
{
    const char *p = (const char *)cfg + k->offset;
    switch (k->type) {
    case LUDUS_KEY_INT: return *(const int *)p;
    case LUDUS_KEY_U64: return (double)*(const uint64_t *)p;
    case LUDUS_KEY_FLOAT: return *(const float *)p;
    default: return 0;
    }
}

static int check_table(const ludus_key *keys, const void *cfg, const char *prefix)
{
    for (const ludus_key *k = keys; k && k->name; k++) {
        const char *p = (const char *)cfg + k->offset;
        if (k->type == LUDUS_KEY_STR) {
            if (!memchr(p, 0, (size_t)k->hi))
                return ludus_err_set(LUDUS_EINVAL, "config: \"%s%s\" is not NUL-terminated", prefix, k->name);
            continue;
        }
        if (k->type == LUDUS_KEY_OBJECT) {
            char sub[64];
            snprintf(sub, sizeof sub, "%s%s.", prefix, k->name);
            int rc = check_table(k->sub, p, sub);
            if (rc) return rc;
            continue;
        }
        double v = get_num(k, cfg);
        if (!(v >= k->lo && v <= k->hi))
            return ludus_err_set(LUDUS_EINVAL, "config: \"%s%s\" = %.9g is outside [%.9g, %.9g]", prefix, k->name, v,
                                 k->lo, k->hi);
    }
    return LUDUS_OK;
}

int ludus_keys_check(const ludus_key *keys, const void *cfg)
{
    if (!keys || !cfg) return ludus_err_set(LUDUS_EINVAL, "config: NULL argument");
    return check_table(keys, cfg, "");
}

/* One value into its field of cfg; messages name prefix + key. */
static int apply_value(const ludus_key *k, void *cfg, const cJSON *e, const char *prefix)
{
    char *p = (char *)cfg + k->offset;
    if (k->type == LUDUS_KEY_STR) {
        if (!cJSON_IsString(e) || strlen(e->valuestring) >= (size_t)k->hi)
            return ludus_err_set(LUDUS_EINVAL, "config: \"%s%s\" must be a string of at most %d bytes", prefix,
                                 k->name, (int)k->hi - 1);
        memcpy(p, e->valuestring, strlen(e->valuestring) + 1);
        return LUDUS_OK;
    }
    if (k->type == LUDUS_KEY_OBJECT) {
        if (!cJSON_IsObject(e))
            return ludus_err_set(LUDUS_EINVAL, "config: \"%s%s\" must be a JSON object", prefix, k->name);
        char sub[64];
        snprintf(sub, sizeof sub, "%s%s.", prefix, k->name);
        for (const cJSON *c = e->child; c; c = c->next) {
            const ludus_key *s = ludus_keys_find(k->sub, c->string);
            if (!s) {
                char hint[96];
                ludus_keys_nearest(&k->sub, 1, c->string, hint, sizeof hint);
                return ludus_err_set(LUDUS_EINVAL, "config: unknown key \"%s%s\"%s", sub, c->string, hint);
            }
            int rc = apply_value(s, p, c, sub);
            if (rc) return rc;
        }
        return LUDUS_OK;
    }
    if (!cJSON_IsNumber(e)) return ludus_err_set(LUDUS_EINVAL, "config: \"%s%s\" must be a number", prefix, k->name);
    double v = e->valuedouble;
    if (k->type != LUDUS_KEY_FLOAT && v != floor(v))
        return ludus_err_set(LUDUS_EINVAL, "config: \"%s%s\" must be an integer, not %.9g", prefix, k->name, v);
    if (!(v >= k->lo && v <= k->hi))
        return ludus_err_set(LUDUS_EINVAL, "config: \"%s%s\" = %.9g is outside [%.9g, %.9g]", prefix, k->name, v,
                             k->lo, k->hi);
    if (k->type == LUDUS_KEY_INT) *(int *)p = (int)v;
    else if (k->type == LUDUS_KEY_U64) *(uint64_t *)p = (uint64_t)v;
    else *(float *)p = (float)v;
    return LUDUS_OK;
}

int ludus_keys_apply_one(const ludus_key *k, void *cfg, const void *cjson)
{
    return apply_value(k, cfg, cjson, "");
}

void *ludus_keys_parse_object(const char *json, int *rc)
{
    cJSON *root = cJSON_Parse(json);
    if (!root) {
        const char *at = cJSON_GetErrorPtr();
        *rc = ludus_err_set(LUDUS_EINVAL, "config: not valid JSON (near \"%.20s\")", at ? at : "");
        return NULL;
    }
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        *rc = ludus_err_set(LUDUS_EINVAL, "config: expected a JSON object");
        return NULL;
    }
    *rc = LUDUS_OK;
    return root;
}

int ludus_keys_apply_json(const ludus_key *keys, void *cfg, size_t size, const char *json)
{
    if (!keys || !cfg || !json) return ludus_err_set(LUDUS_EINVAL, "config: NULL argument");
    int rc;
    cJSON *root = ludus_keys_parse_object(json, &rc);
    if (!root) return rc;
    void *copy = malloc(size ? size : 1);
    if (!copy) {
        cJSON_Delete(root);
        return ludus_err_set(LUDUS_ENOMEM, "config: out of memory");
    }
    memcpy(copy, cfg, size);
    for (const cJSON *e = root->child; e && !rc; e = e->next) {
        const ludus_key *k = ludus_keys_find(keys, e->string);
        if (!k) {
            char hint[96];
            ludus_keys_nearest(&keys, 1, e->string, hint, sizeof hint);
            rc = ludus_err_set(LUDUS_EINVAL, "config: unknown key \"%s\"%s", e->string, hint);
        } else {
            rc = apply_value(k, copy, e, "");
        }
    }
    if (!rc) memcpy(cfg, copy, size);
    free(copy);
    cJSON_Delete(root);
    return rc;
}

int ludus_keys_set(const ludus_key *keys, void *cfg, size_t size, const char *name, const char *value)
{
    if (!keys || !cfg || !name || !value) return ludus_err_set(LUDUS_EINVAL, "config: NULL argument");
    const ludus_key *k = ludus_keys_find(keys, name);
    if (!k) {
        char hint[96];
        ludus_keys_nearest(&keys, 1, name, hint, sizeof hint);
        return ludus_err_set(LUDUS_EINVAL, "config: unknown key \"%s\"%s", name, hint);
    }
    cJSON *v = k->type == LUDUS_KEY_STR ? cJSON_CreateString(value) : cJSON_Parse(value);
    if (!v) return ludus_err_set(LUDUS_EINVAL, "config: \"%s\": \"%.40s\" is not a value", name, value);
    void *copy = malloc(size ? size : 1);
    int rc = copy ? LUDUS_OK : ludus_err_set(LUDUS_ENOMEM, "config: out of memory");
    if (copy) {
        memcpy(copy, cfg, size);
        rc = apply_value(k, copy, v, "");
        if (!rc) memcpy(cfg, copy, size);
    }
    free(copy);
    cJSON_Delete(v);
    return rc;
}

static void print_value(strbuf *sb, const ludus_key *k, const void *cfg)
{
    const char *p = (const char *)cfg + k->offset;
    switch (k->type) {
    case LUDUS_KEY_STR: ludus_sb_json_str(sb, p); break;
    case LUDUS_KEY_INT: ludus_sb_printf(sb, "%d", *(const int *)p); break;
    case LUDUS_KEY_U64: ludus_sb_printf(sb, "%llu", (unsigned long long)*(const uint64_t *)p); break;
    case LUDUS_KEY_FLOAT: ludus_sb_printf(sb, "%.9g", (double)*(const float *)p); break;
    case LUDUS_KEY_OBJECT:
        ludus_sb_putc(sb, '{');
        for (const ludus_key *s = k->sub; s && s->name; s++) {
            ludus_sb_printf(sb, "%s\"%s\": ", s == k->sub ? "" : ", ", s->name);
            print_value(sb, s, p);
        }
        ludus_sb_putc(sb, '}');
        break;
    default: ludus_sb_puts(sb, "null");
    }
}

void ludus_keys_print(strbuf *sb, const ludus_key *keys, const void *cfg, int *first)
{
    for (const ludus_key *k = keys; k && k->name; k++) {
        ludus_sb_printf(sb, "%s  \"%s\": ", *first ? "" : ",\n", k->name);
        print_value(sb, k, cfg);
        *first = 0;
    }
}

int ludus_keys_to_json(const ludus_key *keys, const void *cfg, char *buf, size_t cap)
{
    strbuf sb = sb_make(buf, cap);
    if (!keys || !cfg) return 0;
    int first = 1;
    ludus_keys_print(&sb, keys, cfg, &first);
    return (int)sb.len;
}
