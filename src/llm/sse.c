/* sse.c: a streamed chat completion (server-sent events) read
 * incrementally, so a reply split at any byte reads the same as one read
 * whole (tests/test_llm.c checks every split point).
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "llm/llm_internal.h"

void ludus_llm_sse_init(ludus_llm_sse *s)
{
    memset(s, 0, sizeof *s);
    s->total_tokens = -1;
}

void ludus_llm_sse_free(ludus_llm_sse *s)
{
    if (!s) return;
    free(s->line);
    free(s->data);
    free(s->content);
    free(s->reasoning);
    free(s->tool_name);
    free(s->tool_args);
    ludus_llm_sse_init(s);
}

static int append(char **buf, size_t *len, size_t *cap, const char *src, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t c = *cap ? *cap : 64;
        while (c < *len + n + 1) c *= 2;
        char *p = realloc(*buf, c);
        if (!p) return -1;
        *buf = p;
        *cap = c;
    }
    memcpy(*buf + *len, src, n);
    *len += n;
    (*buf)[*len] = 0;
    return 0;
}

/* Append to a string that grows by exact size (content, reasoning, args). */
static int grow(char **buf, size_t *len, const char *src)
{
    size_t n = strlen(src);
    char *p = realloc(*buf, *len + n + 1);
    if (!p) return -1;
    memcpy(p + *len, src, n + 1);
    *buf = p;
    *len += n;
    return 0;
}

static int chunk(ludus_llm_sse *s, const char *json)
{
    if (strcmp(json, "[DONE]") == 0) {
        s->done = 1;
        return 0;
    }
    cJSON *j = cJSON_Parse(json);
    if (!j) {
        s->bad = 1;
        return 0;
    }
    int rc = 0;
    const cJSON *choices = cJSON_GetObjectItemCaseSensitive(j, "choices");
    const cJSON *c0 = cJSON_IsArray(choices) ? cJSON_GetArrayItem(choices, 0) : NULL;
    const cJSON *delta = c0 ? cJSON_GetObjectItemCaseSensitive(c0, "delta") : NULL;
    const cJSON *fr = c0 ? cJSON_GetObjectItemCaseSensitive(c0, "finish_reason") : NULL;
    if (cJSON_IsString(fr)) {
        strncpy(s->finish_reason, fr->valuestring, sizeof s->finish_reason - 1);
        s->finish_reason[sizeof s->finish_reason - 1] = 0;
    }
    if (cJSON_IsObject(delta)) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(delta, "content");
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(delta, "reasoning_content");
        if (cJSON_IsString(c)) {
            s->has_content = 1;
            rc |= grow(&s->content, &s->content_len, c->valuestring);
        }
        if (cJSON_IsString(r)) rc |= grow(&s->reasoning, &s->reasoning_len, r->valuestring);
        const cJSON *calls = cJSON_GetObjectItemCaseSensitive(delta, "tool_calls"), *call;
        const cJSON *list = cJSON_IsArray(calls) ? calls : NULL;
        cJSON_ArrayForEach(call, list) {
            const cJSON *idx = cJSON_GetObjectItemCaseSensitive(call, "index");
            if (cJSON_IsNumber(idx) && idx->valueint != 0) continue; /* the first call only: one act per turn */
            const cJSON *fn = cJSON_GetObjectItemCaseSensitive(call, "function");
            const cJSON *name = fn ? cJSON_GetObjectItemCaseSensitive(fn, "name") : NULL;
            const cJSON *args = fn ? cJSON_GetObjectItemCaseSensitive(fn, "arguments") : NULL;
            if (cJSON_IsString(name) && !s->tool_name && !(s->tool_name = strdup(name->valuestring))) rc = -1;
            if (cJSON_IsString(args)) {
                if (!s->tool_args && !(s->tool_args = calloc(1, 1))) rc = -1;
                else rc |= grow(&s->tool_args, &s->tool_args_len, args->valuestring);
            }
        }
    }
    const cJSON *usage = cJSON_GetObjectItemCaseSensitive(j, "usage");
    const cJSON *tot = cJSON_IsObject(usage) ? cJSON_GetObjectItemCaseSensitive(usage, "total_tokens") : NULL;
    if (cJSON_IsNumber(tot) && tot->valuedouble >= 0) s->total_tokens = (long)tot->valuedouble;
    cJSON_Delete(j);
    return rc;
}

/* One complete line (without its end). */
static int line(ludus_llm_sse *s, const char *l, size_t n)
{
    if (n == 0) { /* the end of an event */
        int rc = 0;
        if (s->data_len && !s->done) rc = chunk(s, s->data);
        s->data_len = 0;
        if (s->data) s->data[0] = 0;
        return rc;
    }
    if (l[0] == ':') return 0; /* a comment (keep-alive ping) */
    if (n >= 5 && memcmp(l, "data:", 5) == 0) {
        l += 5;
        n -= 5;
        if (n && l[0] == ' ') l++, n--;
        if (s->data_len && append(&s->data, &s->data_len, &s->data_cap, "\n", 1)) return -1;
        return append(&s->data, &s->data_len, &s->data_cap, l, n);
    }
    return 0; /* event:, id:, retry: and unknown fields */
}

int ludus_llm_sse_feed(ludus_llm_sse *s, const char *bytes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = bytes[i];
        if (s->pending_cr) { /* "\r\n" is one line end, even split between two feeds */
            s->pending_cr = 0;
            if (c == '\n') continue;
        }
        if (c == '\r' || c == '\n') {
            if (c == '\r') s->pending_cr = 1;
            if (line(s, s->line ? s->line : "", s->line_len)) return -1;
            s->line_len = 0;
            if (s->line) s->line[0] = 0;
        } else if (append(&s->line, &s->line_len, &s->line_cap, &c, 1)) {
            return -1;
        }
    }
    return 0;
}
