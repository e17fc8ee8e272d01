/* playbook.c: an ACE-style evolving playbook (Zhang et al. 2025, "Agentic
 * Context Engineering"): short rules ("bullets") with helpful and harmful
 * counts, kept in the memory database's table `playbook` (created on open
 * within schema 1). After a training episode a reflector reply tags the
 * bullets the episode saw as helpful or harmful and a curator reply lists
 * new bullets; both become one delta merged in one transaction: counts
 * incremented, new bullets added (an identical live bullet is not added
 * twice), bullets whose harmful count exceeds helpful by the threshold
 * retired. Nothing rewrites the whole playbook.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include "core/core.h"
#include "llm/llm_internal.h"

void ludus_llm_delta_free(ludus_llm_delta *d)
{
    if (!d) return;
    for (int i = 0; i < d->nadd; i++) free(d->add[i]);
    for (int i = 0; i < d->nupdate; i++) free(d->update[i]);
    memset(d, 0, sizeof *d);
}

/* The JSON object in a reply: from the first '{' to the last '}', after any
 * <think> block. */
static cJSON *reply_json(const char *reply, const char *who)
{
    if (!reply) {
        ludus_err_set(LUDUS_EFORMAT, "playbook: the %s gave no reply", who);
        return NULL;
    }
    const char *close = strstr(reply, "</think>");
    if (close) reply = close + 8;
    const char *a = strchr(reply, '{'), *b = strrchr(reply, '}');
    if (!a || !b || b < a) {
        ludus_err_set(LUDUS_EFORMAT, "playbook: the %s's reply has no JSON object", who);
        return NULL;
    }
    cJSON *j = cJSON_ParseWithLength(a, (size_t)(b - a + 1));
    if (!j || !cJSON_IsObject(j)) {
        cJSON_Delete(j);
        ludus_err_set(LUDUS_EFORMAT, "playbook: the %s's reply is not valid JSON", who);
        return NULL;
    }
    return j;
}

int ludus_llm_parse_reflector(const char *reply, ludus_llm_delta *d, char *insight, size_t insight_cap)
{
    cJSON *j = reply_json(reply, "reflector");
    if (!j) return LUDUS_EFORMAT;
    int rc = LUDUS_OK, nh = 0, nb = 0;
    long help[LUDUS_LLM_DELTA_MAX], harm[LUDUS_LLM_DELTA_MAX];
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(j, "bullet_tags");
    const cJSON *ins = cJSON_GetObjectItemCaseSensitive(j, "reflection");
    if (tags && !cJSON_IsArray(tags)) {
        rc = ludus_err_set(LUDUS_EFORMAT, "playbook: the reflector's bullet_tags is not an array");
        goto done;
    }
    if (ins && !cJSON_IsString(ins)) {
        rc = ludus_err_set(LUDUS_EFORMAT, "playbook: the reflector's reflection is not a string");
        goto done;
    }
    const cJSON *t;
    cJSON_ArrayForEach(t, tags) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(t, "id");
        const cJSON *tag = cJSON_GetObjectItemCaseSensitive(t, "tag");
        if (!cJSON_IsNumber(id) || id->valuedouble < 1 || id->valuedouble != (double)(long)id->valuedouble ||
            !cJSON_IsString(tag)) {
            rc = ludus_err_set(LUDUS_EFORMAT, "playbook: a reflector bullet tag needs an integer id >= 1 and a tag");
            goto done;
        }
        int is_help = strcmp(tag->valuestring, "helpful") == 0, is_harm = strcmp(tag->valuestring, "harmful") == 0;
        if (!is_help && !is_harm && strcmp(tag->valuestring, "neutral") != 0) {
            rc = ludus_err_set(LUDUS_EFORMAT, "playbook: a bullet tag must be helpful, harmful or neutral, got '%.40s'",
                               tag->valuestring);
            goto done;
        }
        if ((is_help && nh == LUDUS_LLM_DELTA_MAX) || (is_harm && nb == LUDUS_LLM_DELTA_MAX)) {
            rc = ludus_err_set(LUDUS_EFORMAT, "playbook: the reflector tagged more than %d bullets", LUDUS_LLM_DELTA_MAX);
            goto done;
        }
        if (is_help) help[nh++] = (long)id->valuedouble;
        if (is_harm) harm[nb++] = (long)id->valuedouble;
    }
    memcpy(d->helpful, help, sizeof help);
    memcpy(d->harmful, harm, sizeof harm);
    d->nhelp = nh;
    d->nharm = nb;
    if (insight_cap) snprintf(insight, insight_cap, "%s", ins ? ins->valuestring : "");
done:
    cJSON_Delete(j);
    return rc;
}

/* A bullet's new text: 1 to LUDUS_LLM_BULLET_MAX bytes, one line. */
static char *bullet_text(const cJSON *content, int *rc)
{
    if (!cJSON_IsString(content) || !*content->valuestring || strlen(content->valuestring) > LUDUS_LLM_BULLET_MAX) {
        *rc = ludus_err_set(LUDUS_EFORMAT, "playbook: a bullet's content must be a string of 1 to %d bytes",
                            LUDUS_LLM_BULLET_MAX);
        return NULL;
    }
    char *t = strdup(content->valuestring);
    if (!t) {
        *rc = ludus_err_set(LUDUS_ENOMEM, "playbook: out of memory");
        return NULL;
    }
    for (char *p = t; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
    return t;
}

int ludus_llm_parse_curator(const char *reply, ludus_llm_delta *d)
{
    cJSON *j = reply_json(reply, "curator");
    if (!j) return LUDUS_EFORMAT;
    int rc = LUDUS_OK;
    ludus_llm_delta n = {0}; /* the curator's part, moved into d when all of it parsed */
    const cJSON *ops = cJSON_GetObjectItemCaseSensitive(j, "operations"), *op;
    if (!cJSON_IsArray(ops)) {
        rc = ludus_err_set(LUDUS_EFORMAT, "playbook: the curator's reply has no operations array");
        goto done;
    }
    cJSON_ArrayForEach(op, ops) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(op, "type");
        const cJSON *content = cJSON_GetObjectItemCaseSensitive(op, "content");
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(op, "bullet_id");
        const char *t = cJSON_IsString(type) ? type->valuestring : "";
        int add = strcmp(t, "ADD") == 0, update = strcmp(t, "UPDATE") == 0,
            remove = strcmp(t, "REMOVE") == 0 || strcmp(t, "DELETE") == 0;
        if (!add && !update && !remove) {
            rc = ludus_err_set(LUDUS_EFORMAT, "playbook: a curator operation's type must be ADD, UPDATE or REMOVE");
            goto done;
        }
        if (!add && (!cJSON_IsNumber(id) || id->valuedouble < 1 || id->valuedouble > 1e15 ||
                     id->valuedouble != (double)(long)id->valuedouble)) {
            rc = ludus_err_set(LUDUS_EFORMAT, "playbook: a curator %s needs an integer bullet_id >= 1", t);
            goto done;
        }
        int *count = add ? &n.nadd : update ? &n.nupdate : &n.nremove;
        if (*count == LUDUS_LLM_DELTA_MAX) {
            rc = ludus_err_set(LUDUS_EFORMAT, "playbook: the curator sent more than %d %s operations",
                               LUDUS_LLM_DELTA_MAX, t);
            goto done;
        }
        if (remove) {
            n.remove[n.nremove++] = (long)id->valuedouble;
            continue;
        }
        char *text = bullet_text(content, &rc);
        if (!text) goto done;
        if (add) {
            n.add[n.nadd++] = text;
        } else {
            n.update_id[n.nupdate] = (long)id->valuedouble;
            n.update[n.nupdate++] = text;
        }
    }
done:
    cJSON_Delete(j);
    if (rc) {
        ludus_llm_delta_free(&n);
        return rc;
    }
    for (int i = 0; i < d->nadd; i++) free(d->add[i]);
    for (int i = 0; i < d->nupdate; i++) free(d->update[i]);
    memcpy(d->add, n.add, sizeof n.add);
    d->nadd = n.nadd;
    memcpy(d->update, n.update, sizeof n.update);
    memcpy(d->update_id, n.update_id, sizeof n.update_id);
    d->nupdate = n.nupdate;
    memcpy(d->remove, n.remove, sizeof n.remove);
    d->nremove = n.nremove;
    return LUDUS_OK;
}
