/* parse.c: a model's reply as an action. Reasoning (<think> blocks) and
 * code fences go first, then the markers (tool-call arguments, a JSON
 * object's "action", <|ACTION|>...<|END|>, "Action:"), then the world's
 * own text-action parser (ludus_env_parse_action), which every world with
 * action names shares. Pure functions of the text.
 */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"
#include "ludus/llm.h"

/* Case-insensitive strstr. */
static char *find_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++)
        if (strncasecmp(p, needle, n) == 0) return (char *)p;
    return NULL;
}

/* Drop <think>...</think> blocks (an unclosed one to the end) and lines of
 * code fences (``` with an optional language), in place. */
static void strip_reasoning(char *s)
{
    char *open;
    while ((open = find_ci(s, "<think>"))) {
        char *close = find_ci(open, "</think>");
        if (!close) {
            *open = 0;
            break;
        }
        close += strlen("</think>");
        memmove(open, close, strlen(close) + 1);
    }
    /* a stray closing tag: everything before it was reasoning */
    char *close = find_ci(s, "</think>");
    if (close) {
        close += strlen("</think>");
        memmove(s, close, strlen(close) + 1);
    }
    char *w = s;
    for (char *line = s; *line;) {
        char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) + 1 : strlen(line);
        const char *t = line;
        while (*t == ' ' || *t == '\t') t++;
        if (strncmp(t, "```", 3) != 0) {
            memmove(w, line, len);
            w += len;
        }
        line += len;
    }
    *w = 0;
}

/* Lower-case, '_' and '-' as spaces, only letters and single spaces kept,
 * trimmed: BALROG's letter filter. In place. */
static void normalize(char *s)
{
    char *w = s;
    int space = 1;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '_' || c == '-' || isspace(c)) c = ' ';
        if (c >= 'A' && c <= 'Z') c = (unsigned char)(c - 'A' + 'a');
        if (c == ' ') {
            if (!space) *w++ = ' ';
            space = 1;
        } else if (c >= 'a' && c <= 'z') {
            *w++ = (char)c;
            space = 0;
        }
    }
    if (w > s && w[-1] == ' ') w--;
    *w = 0;
}

/* The action named exactly (after normalizing both); -1 if none. */
static int exact_name(const ludus_env_info *info, const char *text)
{
    char *t = strdup(text);
    if (!t) return -1;
    normalize(t);
    int found = -1;
    for (int a = 0; a < info->num_actions && found < 0; a++) {
        char name[128];
        snprintf(name, sizeof name, "%s", info->action_names[a]);
        normalize(name);
        if (name[0] && strcmp(name, t) == 0) found = a;
    }
    free(t);
    return found;
}

/* The text a marker holds, copied into a new string; NULL when none. */
static char *marker_text(const char *s)
{
    const char *m = find_ci(s, "<|ACTION|>");
    if (m) {
        m += strlen("<|ACTION|>");
        const char *e = find_ci(m, "<|END|>");
        size_t n = e ? (size_t)(e - m) : strlen(m);
        return strndup(m, n);
    }
    /* a JSON object with an "action" string */
    for (const char *b = strchr(s, '{'); b; b = strchr(b + 1, '{')) {
        const char *e = strrchr(b, '}');
        if (!e) break;
        cJSON *j = cJSON_ParseWithLength(b, (size_t)(e - b) + 1);
        const cJSON *a = j ? cJSON_GetObjectItemCaseSensitive(j, "action") : NULL;
        char *out = cJSON_IsString(a) ? strdup(a->valuestring) : NULL;
        cJSON_Delete(j);
        if (out) return out;
    }
    /* the last "Action:" */
    const char *last = NULL;
    for (const char *p = find_ci(s, "action:"); p; p = find_ci(p + 1, "action:")) last = p;
    if (last) {
        last += strlen("action:");
        const char *e = strchr(last, '\n');
        return strndup(last, e ? (size_t)(e - last) : strlen(last));
    }
    return NULL;
}

/* Whether the reply is one line that starts with a value of the first
 * component (a verb: "click [3]", "go_back"), after normalizing both. */
static int starts_with_verb(const ludus_env *env, const char *reply)
{
    const ludus_env_info *info = ludus_env_get_info(env);
    while (isspace((unsigned char)*reply)) reply++;
    size_t n = strlen(reply);
    while (n && isspace((unsigned char)reply[n - 1])) n--;
    if (memchr(reply, '\n', n)) return 0;
    char *t = strndup(reply, n);
    if (!t) return 0;
    normalize(t);
    int yes = 0;
    for (int v = 0; v < info->action_nvec[0] && !yes; v++) {
        char name[128];
        snprintf(name, sizeof name, "%s", info->action_names[v]);
        normalize(name);
        size_t k = strlen(name);
        yes = k && strncmp(t, name, k) == 0 && (t[k] == 0 || t[k] == ' ');
    }
    free(t);
    return yes;
}

/* A world whose action has several components (Web-*: verb, element,
 * word): its action names are the components' values, so a reply is read
 * by the world's own grammar (ludus_env_parse_action: the last action
 * named, markers honoured), strict or not. Exact: the cleaned reply is
 * the action and nothing more (the world's parser reads every word of
 * it); marker: inside <|ACTION|>, "Action:" or {"action": ...}. */
static int parse_components(const ludus_env *env, const char *content, const char *tool_args, int32_t *action,
                            int *method)
{
    int32_t a[LUDUS_MAX_ACTION_DIMS];
    if (tool_args) {
        cJSON *j = cJSON_Parse(tool_args);
        const cJSON *v = j ? cJSON_GetObjectItemCaseSensitive(j, "action") : NULL;
        int rc = cJSON_IsString(v) ? ludus_env_parse_action(env, v->valuestring, a) : LUDUS_EINVAL;
        cJSON_Delete(j);
        if (rc == LUDUS_ENOMEM) return rc;
        if (rc) return ludus_err_set(LUDUS_EINVAL, "invalid action: the act call's arguments name no action");
        memcpy(action, a, (size_t)ludus_env_get_info(env)->action_dims * sizeof *action);
        *method = LUDUS_LLM_PARSE_TOOL;
        return LUDUS_OK;
    }
    if (!content) return ludus_err_set(LUDUS_EINVAL, "invalid action: the reply has no text");
    char *s = strdup(content);
    if (!s) return ludus_err_set(LUDUS_ENOMEM, "llm parse: out of memory");
    strip_reasoning(s);
    char *m = marker_text(s);
    int rc = ludus_env_parse_action(env, m && strchr(s, '{') && !find_ci(s, "<|ACTION|>") ? m : s, a);
    if (rc == LUDUS_OK) *method = m ? LUDUS_LLM_PARSE_MARKER : starts_with_verb(env, s) ? LUDUS_LLM_PARSE_EXACT
                                                                                     : LUDUS_LLM_PARSE_LENIENT;
    free(m);
    free(s);
    if (rc == LUDUS_ENOMEM) return rc;
    if (rc) {
        char why[160];
        snprintf(why, sizeof why, "%s", ludus_errmsg());
        return ludus_err_set(LUDUS_EINVAL, "%s", strncmp(why, "invalid action", 14) == 0 ? why : "invalid action");
    }
    memcpy(action, a, (size_t)ludus_env_get_info(env)->action_dims * sizeof *action);
    return LUDUS_OK;
}

int ludus_llm_parse(const ludus_env *env, const char *content, const char *tool_args, int strict, int32_t *action,
                    int *method)
{
    if (!env || !action || !method) return ludus_err_set(LUDUS_EINVAL, "llm parse: NULL argument");
    *method = LUDUS_LLM_PARSE_INVALID;
    const ludus_env_info *info = ludus_env_get_info(env);
    if (!info->action_names) return ludus_err_set(LUDUS_EUNSUPPORTED, "llm parse: %s has no action names", info->id);
    if (info->action_dims > 1) return parse_components(env, content, tool_args, action, method);
    if (tool_args) {
        cJSON *j = cJSON_Parse(tool_args);
        const cJSON *a = j ? cJSON_GetObjectItemCaseSensitive(j, "action") : NULL;
        int found = cJSON_IsString(a) ? exact_name(info, a->valuestring) : -1;
        cJSON_Delete(j);
        if (found < 0) return ludus_err_set(LUDUS_EINVAL, "invalid action: the act call's arguments name no legal action");
        *action = found;
        *method = LUDUS_LLM_PARSE_TOOL;
        return LUDUS_OK;
    }
    if (!content) return ludus_err_set(LUDUS_EINVAL, "invalid action: the reply has no text");
    char *s = strdup(content);
    if (!s) return ludus_err_set(LUDUS_ENOMEM, "llm parse: out of memory");
    strip_reasoning(s);
    int rc = LUDUS_OK, found;
    char *m = marker_text(s);
    if ((found = exact_name(info, s)) >= 0) {
        *method = LUDUS_LLM_PARSE_EXACT;
    } else if (m && (found = exact_name(info, m)) >= 0) {
        *method = LUDUS_LLM_PARSE_MARKER;
    } else if (!strict) {
        int32_t a[LUDUS_MAX_ACTION_DIMS];
        /* the world's parser reads markers itself; a JSON marker is passed as its value */
        if (ludus_env_parse_action(env, m && strchr(s, '{') && !find_ci(s, "<|ACTION|>") ? m : s, a) == LUDUS_OK) {
            found = a[0];
            *method = LUDUS_LLM_PARSE_LENIENT;
        }
    }
    free(m);
    free(s);
    if (found < 0) {
        size_t n = strlen(content);
        rc = ludus_err_set(LUDUS_EINVAL, "invalid action: no legal action in the reply (%zu bytes)", n);
    } else {
        *action = found;
    }
    return rc;
}
