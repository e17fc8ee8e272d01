/* tools.c: the tools of `ludus mcp` (list_worlds, make, reset, step,
 * observe, snapshot, restore, close): their schemas and what they do. Every
 * argument is checked here; a bad value is a tool result with isError and
 * a message that says what would be accepted (the model reads it and can
 * correct itself), and leaves the world as it was.
 */
#include <math.h>
#include <png.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"
#include "core/digest.h"
#include "mcp/mcp_internal.h"

#define MAX_NAME 128 /* world ids, handles, action names */

int ludus_mcp_is_int(double v, double lo)
{
    return v >= lo && v <= 9007199254740991.0 && floor(v) == v;
}

/* ---- schemas ---------------------------------------------------------------- */

#define HANDLE_PROP "\"handle\":{\"type\":\"string\",\"description\":\"a handle returned by make\"}"
#define OBS_PROPS                                                                                         \
    "\"handle\":{\"type\":\"string\"},\"step\":{\"type\":\"integer\"},\"max_steps\":{\"type\":\"integer\"}," \
    "\"mission\":{\"type\":\"string\"},\"text\":{\"type\":\"string\"}"

static const struct tool_def {
    const char *name, *title, *description, *input, *output;
} tools[] = {
    {"list_worlds", "List worlds",
     "List the worlds this server plays, with their actions. Filter by family (as the results name "
     "it) or by a part of the id.",
     "{\"type\":\"object\",\"properties\":{"
     "\"family\":{\"type\":\"string\",\"description\":\"only this family\"},"
     "\"contains\":{\"type\":\"string\",\"description\":\"only ids containing this text (any case)\"},"
     "\"limit\":{\"type\":\"integer\",\"minimum\":1,\"description\":\"at most this many\"}},"
     "\"additionalProperties\":false}",
     "{\"type\":\"object\",\"properties\":{\"count\":{\"type\":\"integer\"},\"worlds\":{\"type\":\"array\","
     "\"items\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},\"family\":{\"type\":\"string\"},"
     "\"description\":{\"type\":\"string\"},\"actions\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
     "\"max_steps\":{\"type\":\"integer\"}},\"required\":[\"id\",\"family\",\"actions\"]}}},"
     "\"required\":[\"count\",\"worlds\"]}"},
    {"make", "Make a world",
     "Make a world by id (list_worlds names them) and return its handle. Reset it with a seed before "
     "stepping. A handle left unused for the server's lifetime (30 minutes unless configured) is closed.",
     "{\"type\":\"object\",\"properties\":{\"world\":{\"type\":\"string\",\"description\":\"a world id, "
     "as list_worlds gives it\"}},\"required\":[\"world\"],\"additionalProperties\":false}",
     "{\"type\":\"object\",\"properties\":{\"handle\":{\"type\":\"string\"},\"world\":{\"type\":\"string\"},"
     "\"family\":{\"type\":\"string\"},\"description\":{\"type\":\"string\"},"
     "\"actions\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},\"max_steps\":{\"type\":\"integer\"},"
     "\"state_size\":{\"type\":\"integer\"},\"observation_fields\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}}},"
     "\"required\":[\"handle\",\"world\",\"actions\"]}"},
    {"reset", "Reset a world",
     "Start a new episode. The same seed always gives the same level; without a seed the world's "
     "random stream continues from the last episode.",
     "{\"type\":\"object\",\"properties\":{" HANDLE_PROP ",\"seed\":{\"type\":\"integer\",\"minimum\":0,"
     "\"maximum\":9007199254740991}},\"required\":[\"handle\"],\"additionalProperties\":false}",
     "{\"type\":\"object\",\"properties\":{" OBS_PROPS "},\"required\":[\"handle\",\"step\"]}"},
    {"step", "Step a world",
     "Play one action (by name, as make and list_worlds list them, or by index), or a list of actions "
     "in order; a list stops early when the episode ends. An invalid action plays nothing.",
     "{\"type\":\"object\",\"properties\":{" HANDLE_PROP ","
     "\"action\":{\"type\":[\"string\",\"integer\",\"array\"],\"items\":{\"type\":\"integer\"},"
     "\"description\":\"an action name or index (a list of indices for actions of several components)\"},"
     "\"actions\":{\"type\":\"array\",\"items\":{\"type\":[\"string\",\"integer\",\"array\"],"
     "\"items\":{\"type\":\"integer\"}},\"minItems\":1}},"
     "\"required\":[\"handle\"],\"additionalProperties\":false}",
     "{\"type\":\"object\",\"properties\":{" OBS_PROPS ",\"steps_taken\":{\"type\":\"integer\"},"
     "\"reward\":{\"type\":\"number\"},\"rewards\":{\"type\":\"array\",\"items\":{\"type\":\"number\"}},"
     "\"terminated\":{\"type\":\"boolean\"},\"truncated\":{\"type\":\"boolean\"},\"success\":{\"type\":\"boolean\"},"
     "\"achievements\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}},"
     "\"required\":[\"handle\",\"step\",\"steps_taken\",\"reward\",\"terminated\",\"truncated\"]}"},
    {"observe", "Observe a world",
     "Show the current observation without changing the world: the text description, the observation "
     "tensor (uint8 fields with their shapes) and a picture (PNG).",
     "{\"type\":\"object\",\"properties\":{" HANDLE_PROP ","
     "\"text\":{\"type\":\"boolean\",\"default\":true},\"tensor\":{\"type\":\"boolean\",\"default\":true},"
     "\"image\":{\"type\":\"boolean\",\"default\":true},"
     "\"tile_size\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":64,\"description\":\"pixels per cell\"}},"
     "\"required\":[\"handle\"],\"additionalProperties\":false}",
     "{\"type\":\"object\",\"properties\":{" OBS_PROPS ",\"tensor\":{\"type\":\"object\",\"properties\":{"
     "\"size\":{\"type\":\"integer\"},\"fields\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
     "\"name\":{\"type\":\"string\"},\"shape\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"}},"
     "\"low\":{\"type\":\"integer\"},\"high\":{\"type\":\"integer\"},"
     "\"data\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}},\"required\":[\"name\",\"shape\",\"data\"]}}}},"
     "\"image\":{\"type\":\"object\",\"properties\":{\"mimeType\":{\"type\":\"string\"},"
     "\"width\":{\"type\":\"integer\"},\"height\":{\"type\":\"integer\"}}}},\"required\":[\"handle\",\"step\"]}"},
    {"snapshot", "Snapshot a world",
     "Return the world's complete state (base64 bytes, its random stream included): restore puts "
     "the world back exactly there.",
     "{\"type\":\"object\",\"properties\":{" HANDLE_PROP "},\"required\":[\"handle\"],\"additionalProperties\":false}",
     "{\"type\":\"object\",\"properties\":{\"handle\":{\"type\":\"string\"},\"world\":{\"type\":\"string\"},"
     "\"step\":{\"type\":\"integer\"},\"state_size\":{\"type\":\"integer\"},\"state\":{\"type\":\"string\"}},"
     "\"required\":[\"handle\",\"world\",\"state\"]}"},
    {"restore", "Restore a world",
     "Put the world back into a state that snapshot returned for the same world id. The bytes are "
     "checked: a damaged or foreign state is refused and the world is left as it was.",
     "{\"type\":\"object\",\"properties\":{" HANDLE_PROP ",\"state\":{\"type\":\"string\","
     "\"description\":\"the base64 state from snapshot\"}},\"required\":[\"handle\",\"state\"],"
     "\"additionalProperties\":false}",
     "{\"type\":\"object\",\"properties\":{" OBS_PROPS "},\"required\":[\"handle\",\"step\"]}"},
    {"close", "Close a world",
     "Free a world; its handle is no longer valid.",
     "{\"type\":\"object\",\"properties\":{" HANDLE_PROP "},\"required\":[\"handle\"],\"additionalProperties\":false}",
     "{\"type\":\"object\",\"properties\":{\"handle\":{\"type\":\"string\"},\"closed\":{\"type\":\"boolean\"}},"
     "\"required\":[\"handle\",\"closed\"]}"},
};
#define NUM_TOOLS (int)(sizeof tools / sizeof tools[0])

cJSON *ludus_mcp_tools_list(void)
{
    cJSON *r = cJSON_CreateObject();
    cJSON *arr = r ? cJSON_AddArrayToObject(r, "tools") : NULL;
    if (!arr) goto fail;
    for (int i = 0; i < NUM_TOOLS; i++) {
        cJSON *t = cJSON_CreateObject();
        if (!t) goto fail;
        cJSON_AddItemToArray(arr, t);
        cJSON_AddStringToObject(t, "name", tools[i].name);
        cJSON_AddStringToObject(t, "title", tools[i].title);
        cJSON_AddStringToObject(t, "description", tools[i].description);
        cJSON *in = cJSON_Parse(tools[i].input), *out = cJSON_Parse(tools[i].output);
        if (!in || !out) {
            cJSON_Delete(in);
            cJSON_Delete(out);
            goto fail;
        }
        cJSON_AddItemToObject(t, "inputSchema", in);
        cJSON_AddItemToObject(t, "outputSchema", out);
    }
    return r;
fail:
    cJSON_Delete(r);
    return NULL;
}

/* ---- results ------------------------------------------------------------------ */

/* A tool error: isError with one text block. */
static cJSON *tool_error(const char *fmt, ...) LUDUS_PRINTF(1, 2);
static cJSON *tool_error(const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *r = cJSON_CreateObject();
    cJSON *content = r ? cJSON_AddArrayToObject(r, "content") : NULL;
    cJSON *t = cJSON_CreateObject();
    if (!content || !t) {
        cJSON_Delete(t);
        cJSON_Delete(r);
        return NULL;
    }
    cJSON_AddStringToObject(t, "type", "text");
    cJSON_AddStringToObject(t, "text", msg);
    cJSON_AddItemToArray(content, t);
    cJSON_AddTrueToObject(r, "isError");
    return r;
}

/* A success: structuredContent sc, a text block `text` first (NULL: sc
 * printed), then extra blocks (may be NULL). Takes sc and extra. */
static cJSON *tool_result(cJSON *sc, const char *text, cJSON *extra)
{
    cJSON *r = cJSON_CreateObject();
    cJSON *content = r ? cJSON_AddArrayToObject(r, "content") : NULL;
    cJSON *t = cJSON_CreateObject();
    char *printed = text ? NULL : cJSON_PrintUnformatted(sc);
    if (!sc || !content || !t || (!text && !printed)) {
        cJSON_Delete(r);
        cJSON_Delete(t);
        cJSON_Delete(sc);
        cJSON_Delete(extra);
        free(printed);
        return NULL;
    }
    cJSON_AddStringToObject(t, "type", "text");
    cJSON_AddStringToObject(t, "text", text ? text : printed);
    free(printed);
    cJSON_AddItemToArray(content, t);
    if (extra) cJSON_AddItemToArray(content, extra);
    cJSON_AddItemToObject(r, "structuredContent", sc);
    return r;
}

/* ---- arguments ---------------------------------------------------------------- */

/* The string argument `key`: *out NULL when absent; an error message in
 * err when present but not a string of 1..max bytes. */
static int arg_string(const cJSON *args, const char *key, size_t max, int required, const char **out, char *err,
                      size_t errcap)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, key);
    *out = NULL;
    if (!v) {
        if (required) snprintf(err, errcap, "the argument '%s' is required", key);
        return !required;
    }
    if (!cJSON_IsString(v) || strlen(v->valuestring) > max) {
        snprintf(err, errcap, "the argument '%s' must be a string of at most %zu bytes", key, max);
        return 0;
    }
    *out = v->valuestring;
    return 1;
}

/* Names every argument not in `allowed` (NULL-terminated); 1 when none. */
static int args_known(const cJSON *args, const char *const *allowed, char *err, size_t errcap)
{
    for (const cJSON *a = args->child; a; a = a->next) {
        int ok = 0;
        for (int i = 0; allowed[i]; i++)
            if (a->string && strcmp(a->string, allowed[i]) == 0) ok = 1;
        if (!ok) {
            snprintf(err, errcap, "unknown argument '%.64s'", a->string ? a->string : "");
            return 0;
        }
    }
    return 1;
}

static ludus_mcp_world *find_world(ludus_mcp_session *s, const char *handle, int *index)
{
    for (int i = 0; i < s->num_handles; i++)
        if (strcmp(s->handles[i]->id, handle) == 0) {
            if (index) *index = i;
            return s->handles[i];
        }
    return NULL;
}

void ludus_mcp_handle_close(ludus_mcp_session *s, int i)
{
    ludus_mcp_world *w = s->handles[i];
    s->handles[i] = s->handles[--s->num_handles];
    s->handles[s->num_handles] = NULL;
    s->srv->num_handles--;
    ludus_free(w->state);
    free(w->obs);
    free(w);
}

void ludus_mcp_expire(ludus_mcp_server *srv, double now)
{
    for (int k = 0; k < srv->num_sessions; k++) {
        ludus_mcp_session *s = srv->sessions[k];
        for (int i = s->num_handles - 1; i >= 0; i--)
            if (now - s->handles[i]->last_used > srv->limits.handle_ttl_s) ludus_mcp_handle_close(s, i);
    }
}

/* The spec of a registered id (made once, kept by the server); NULL with
 * the library's message (naming the closest ids) in err otherwise. */
static const ludus_env *get_spec(ludus_mcp_server *srv, const char *id, char *err, size_t errcap)
{
    for (int i = 0; i < srv->num_specs; i++) {
        if (strcmp(ludus_env_id(i), id) != 0) continue;
        if (!srv->specs[i] && ludus_env_make(id, "", &srv->specs[i]) != LUDUS_OK) {
            snprintf(err, errcap, "cannot make '%s': %s", id, ludus_errmsg());
            return NULL;
        }
        return srv->specs[i];
    }
    ludus_env *probe = NULL;
    if (ludus_env_make(id, "", &probe) == LUDUS_OK) { /* registered but not listed: impossible */
        ludus_env_destroy(probe);
        snprintf(err, errcap, "unknown world '%s'", id);
    } else {
        snprintf(err, errcap, "%s (list_worlds names every world)", ludus_errmsg());
    }
    return NULL;
}

/* A double that prints exactly (cJSON's own printing rounds to 15 digits
 * when they come within its epsilon): the shortest repr that reads back
 * as the same double. Non-finite values (JSON has none) print as null. */
static cJSON *exact_number(double v)
{
    char buf[40];
    if (!isfinite(v)) return cJSON_CreateNull();
    ludus_fmt_double_repr(buf, v);
    return cJSON_CreateRaw(buf);
}

static cJSON *string_array(const char *const *names, int n)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; a && i < n; i++) cJSON_AddItemToArray(a, cJSON_CreateString(names[i]));
    return a;
}

/* "left, right, forward (or their indices 0..2)"; for actions of several
 * components, the names of every component's values. */
static void legal_actions(const ludus_env_info *info, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = 0;
    for (int i = 0; i < info->num_actions && len < cap; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? ", " : "", info->action_names[i]);
    if (len >= cap) return;
    if (info->action_dims <= 1) {
        snprintf(buf + len, cap - len, " (or their indices 0..%d)", info->max_action - 1);
    } else {
        len += (size_t)snprintf(buf + len, cap - len, " (one value of each of %d components, in words, or a "
                                "list of %d indices, each below", info->action_dims, info->action_dims);
        for (int k = 0; k < info->action_dims && len < cap; k++)
            len += (size_t)snprintf(buf + len, cap - len, " %d", info->action_nvec[k]);
        if (len < cap) snprintf(buf + len, cap - len, ")");
    }
}

/* One action into vec (info.action_dims components): for one-component
 * worlds an index in 0..max_action-1 (a JSON integer or a string of
 * digits) or a name (any case); for worlds of several components a list
 * of one index per component; and for any world words that
 * ludus_env_parse_action reads (a reply such as "Action: go_forward", a
 * name within 2 edits of a unique nearest one). -1 with a message
 * otherwise. */
static int parse_action(const ludus_env *env, const cJSON *v, int32_t *vec, char *err, size_t errcap)
{
    const ludus_env_info *info = ludus_env_get_info(env);
    char legal[1024];
    memset(vec, 0, LUDUS_MAX_ACTION_DIMS * sizeof *vec);
    if (cJSON_IsNumber(v) && info->action_dims <= 1) {
        if (ludus_mcp_is_int(v->valuedouble, 0) && v->valuedouble < info->max_action) {
            vec[0] = (int32_t)v->valuedouble;
            return 0;
        }
        legal_actions(info, legal, sizeof legal);
        snprintf(err, errcap, "invalid action %.17g: legal actions are %s", v->valuedouble, legal);
        return -1;
    }
    if (cJSON_IsArray(v) && info->action_dims > 1) {
        int k = 0;
        for (const cJSON *c = v->child; c; c = c->next, k++) {
            if (k >= info->action_dims || !cJSON_IsNumber(c) || !ludus_mcp_is_int(c->valuedouble, 0) ||
                c->valuedouble >= info->action_nvec[k])
                break;
            vec[k] = (int32_t)c->valuedouble;
        }
        if (k == info->action_dims && cJSON_GetArraySize(v) == k) return 0;
        legal_actions(info, legal, sizeof legal);
        snprintf(err, errcap, "invalid action vector: legal actions are %s", legal);
        return -1;
    }
    if (cJSON_IsString(v) && strlen(v->valuestring) <= MAX_NAME) {
        const char *t = v->valuestring;
        if (info->action_dims <= 1) {
            for (int i = 0; i < info->num_actions; i++)
                if (strcasecmp(t, info->action_names[i]) == 0) {
                    vec[0] = i;
                    return 0;
                }
            if (t[0] && strspn(t, "0123456789") == strlen(t) && strlen(t) < 6 && atoi(t) < info->max_action) {
                vec[0] = atoi(t);
                return 0;
            }
        }
        if (strspn(t, "0123456789") != strlen(t) && ludus_env_parse_action(env, t, vec) == LUDUS_OK) return 0;
        memset(vec, 0, LUDUS_MAX_ACTION_DIMS * sizeof *vec);
        legal_actions(info, legal, sizeof legal);
        snprintf(err, errcap, "invalid action '%s': legal actions are %s", t, legal);
        return -1;
    }
    legal_actions(info, legal, sizeof legal);
    snprintf(err, errcap, "an action must be a name or an index: legal actions are %s", legal);
    return -1;
}

/* step, max_steps, mission and text of the world into sc; the text
 * observation (or "") in *text, malloc'd. */
static int add_observation(cJSON *sc, ludus_mcp_world *w, int with_text, char **text)
{
    const ludus_env_info *info = ludus_env_get_info(w->env);
    cJSON_AddNumberToObject(sc, "step", ludus_env_step_count(w->env, w->state));
    cJSON_AddNumberToObject(sc, "max_steps", ludus_env_max_steps(w->env, w->state));
    cJSON_AddStringToObject(sc, "mission", ludus_env_mission(w->env, w->state));
    *text = NULL;
    if (!with_text) return LUDUS_OK;
    size_t cap = info->text_capacity ? info->text_capacity : 1;
    char *buf = malloc(cap);
    if (!buf) return LUDUS_ENOMEM;
    int n = ludus_env_text(w->env, w->state, LUDUS_TEXT_FULL, buf, cap);
    if (n < 0) buf[0] = 0; /* worlds without text: the text stays empty */
    cJSON_AddStringToObject(sc, "text", buf);
    *text = buf;
    return LUDUS_OK;
}

/* ---- the tools ---------------------------------------------------------------- */

typedef struct call_ctx {
    ludus_mcp_session *s;
    const cJSON *args;
    double now;
    char err[2048];
} call_ctx;

/* The world named by the handle argument, or NULL with a message. */
static ludus_mcp_world *arg_world(call_ctx *c)
{
    const char *h;
    if (!arg_string(c->args, "handle", MAX_NAME, 1, &h, c->err, sizeof c->err)) return NULL;
    ludus_mcp_world *w = find_world(c->s, h, NULL);
    if (!w) {
        snprintf(c->err, sizeof c->err,
                 "unknown or expired handle '%s': make returns a handle; handles unused for %.0f s are closed",
                 h, c->s->srv->limits.handle_ttl_s);
        return NULL;
    }
    w->last_used = c->now;
    return w;
}

static cJSON *tool_list_worlds(call_ctx *c)
{
    static const char *const allowed[] = {"family", "contains", "limit", NULL};
    const char *family, *contains;
    if (!args_known(c->args, allowed, c->err, sizeof c->err) ||
        !arg_string(c->args, "family", MAX_NAME, 0, &family, c->err, sizeof c->err) ||
        !arg_string(c->args, "contains", MAX_NAME, 0, &contains, c->err, sizeof c->err))
        return tool_error("list_worlds: %s", c->err);
    const cJSON *lim = cJSON_GetObjectItemCaseSensitive(c->args, "limit");
    double limit = 1e9;
    if (lim) {
        if (!cJSON_IsNumber(lim) || !ludus_mcp_is_int(lim->valuedouble, 1))
            return tool_error("list_worlds: limit must be an integer >= 1");
        limit = lim->valuedouble;
    }
    cJSON *sc = cJSON_CreateObject();
    cJSON *arr = cJSON_CreateArray();
    if (!sc || !arr) {
        cJSON_Delete(sc);
        cJSON_Delete(arr);
        return NULL;
    }
    int count = 0;
    size_t tlen = 0, tcap = 4096;
    char *text = malloc(tcap);
    if (!text) goto oom;
    text[0] = 0;
    ludus_mcp_server *srv = c->s->srv;
    for (int i = 0; i < srv->num_specs && count < limit; i++) {
        const char *id = ludus_env_id(i);
        if (contains) {
            size_t n = strlen(contains), m = strlen(id);
            int hit = 0;
            for (size_t k = 0; k + n <= m && !hit; k++)
                if (strncasecmp(id + k, contains, n) == 0) hit = 1;
            if (!hit) continue;
        }
        const ludus_env *env = get_spec(srv, id, c->err, sizeof c->err);
        if (!env) continue; /* a world that cannot be made here (missing textures) is not listed */
        const ludus_env_info *info = ludus_env_get_info(env);
        if (family && strcasecmp(family, info->family) != 0) continue;
        cJSON *o = cJSON_CreateObject();
        if (!o) goto oom;
        cJSON_AddItemToArray(arr, o);
        cJSON_AddStringToObject(o, "id", id);
        cJSON_AddStringToObject(o, "family", info->family);
        cJSON_AddStringToObject(o, "description", info->description);
        cJSON_AddItemToObject(o, "actions", string_array(info->action_names, info->num_actions));
        cJSON_AddNumberToObject(o, "max_steps", info->max_steps);
        count++;
        size_t need = strlen(id) + strlen(info->description) + 4;
        if (tlen + need >= tcap) {
            char *t = realloc(text, tcap = 2 * tcap + need);
            if (!t) goto oom;
            text = t;
        }
        tlen += (size_t)snprintf(text + tlen, tcap - tlen, "%s: %s\n", id, info->description);
    }
    cJSON_AddNumberToObject(sc, "count", count);
    cJSON_AddItemToObject(sc, "worlds", arr);
    arr = NULL;
    if (!count) snprintf(text, tcap, "no world matches these filters\n");
    cJSON *r = tool_result(sc, text, NULL);
    free(text);
    return r;
oom:
    free(text);
    cJSON_Delete(arr);
    cJSON_Delete(sc);
    return NULL;
}

static cJSON *tool_make(call_ctx *c)
{
    static const char *const allowed[] = {"world", NULL};
    const char *id;
    if (!args_known(c->args, allowed, c->err, sizeof c->err) ||
        !arg_string(c->args, "world", MAX_NAME, 1, &id, c->err, sizeof c->err))
        return tool_error("make: %s", c->err);
    ludus_mcp_server *srv = c->s->srv;
    if (c->s->num_handles >= srv->limits.max_handles_per_session)
        return tool_error("make: this session has %d worlds, the limit: close one first", c->s->num_handles);
    if (srv->num_handles >= srv->limits.max_handles_total)
        return tool_error("make: the server has %d worlds, the limit: close one first", srv->num_handles);
    const ludus_env *env = get_spec(srv, id, c->err, sizeof c->err);
    if (!env) return tool_error("make: %s", c->err);
    const ludus_env_info *info = ludus_env_get_info(env);
    ludus_mcp_world *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->env = env;
    w->state = ludus_env_state_new(env);
    w->obs = malloc(info->obs_size ? info->obs_size : 1);
    if (!w->state || !w->obs || ludus_mcp_random_hex(w->id) != LUDUS_OK) {
        ludus_free(w->state);
        free(w->obs);
        free(w);
        return tool_error("make: %s", ludus_errmsg()[0] ? ludus_errmsg() : "out of memory");
    }
    w->last_used = c->now;
    c->s->handles[c->s->num_handles++] = w;
    srv->num_handles++;

    cJSON *sc = cJSON_CreateObject();
    if (!sc) return NULL;
    cJSON_AddStringToObject(sc, "handle", w->id);
    cJSON_AddStringToObject(sc, "world", info->id);
    cJSON_AddStringToObject(sc, "family", info->family);
    cJSON_AddStringToObject(sc, "description", info->description);
    cJSON_AddItemToObject(sc, "actions", string_array(info->action_names, info->num_actions));
    cJSON_AddNumberToObject(sc, "max_steps", info->max_steps);
    cJSON_AddNumberToObject(sc, "state_size", (double)info->state_size);
    cJSON *fields = cJSON_AddArrayToObject(sc, "observation_fields");
    for (int i = 0; fields && i < info->num_obs_fields; i++) {
        const ludus_obs_field *f = &info->obs_fields[i];
        cJSON *o = cJSON_CreateObject();
        if (!o) break;
        cJSON_AddItemToArray(fields, o);
        cJSON_AddStringToObject(o, "name", f->name);
        cJSON_AddItemToObject(o, "shape", cJSON_CreateIntArray(f->shape, f->ndim));
        cJSON_AddNumberToObject(o, "low", f->low);
        cJSON_AddNumberToObject(o, "high", f->high);
    }
    char text[1536], legal[1024];
    legal_actions(info, legal, sizeof legal);
    snprintf(text, sizeof text, "made %s as handle %s; actions: %s. Reset it with a seed to start.", info->id,
             w->id, legal);
    return tool_result(sc, text, NULL);
}

static cJSON *observation_result(ludus_mcp_world *w, const char *what, const char *extra_line)
{
    cJSON *sc = cJSON_CreateObject();
    if (!sc) return NULL;
    cJSON_AddStringToObject(sc, "handle", w->id);
    char *text = NULL;
    if (add_observation(sc, w, 1, &text) != LUDUS_OK) {
        cJSON_Delete(sc);
        return NULL;
    }
    size_t n = strlen(text) + strlen(what) + (extra_line ? strlen(extra_line) : 0) + 64;
    char *t = malloc(n);
    if (!t) {
        free(text);
        cJSON_Delete(sc);
        return NULL;
    }
    snprintf(t, n, "%s (step %u)%s%s\n%s", what, ludus_env_step_count(w->env, w->state), extra_line ? "\n" : "",
             extra_line ? extra_line : "", text);
    free(text);
    cJSON *r = tool_result(sc, t, NULL);
    free(t);
    return r;
}

static cJSON *tool_reset(call_ctx *c)
{
    static const char *const allowed[] = {"handle", "seed", NULL};
    if (!args_known(c->args, allowed, c->err, sizeof c->err)) return tool_error("reset: %s", c->err);
    ludus_mcp_world *w = arg_world(c);
    if (!w) return tool_error("reset: %s", c->err);
    const cJSON *seed = cJSON_GetObjectItemCaseSensitive(c->args, "seed");
    int rc;
    if (seed) {
        if (!cJSON_IsNumber(seed) || !ludus_mcp_is_int(seed->valuedouble, 0))
            return tool_error("reset: seed must be an integer in 0..9007199254740991");
        rc = ludus_env_reset(w->env, w->state, (uint64_t)seed->valuedouble, w->obs);
        if (rc == LUDUS_OK) w->seeded = 1;
    } else {
        if (!w->seeded) return tool_error("reset: the first reset of a world needs a seed");
        rc = ludus_env_reset_continue(w->env, w->state, w->obs);
    }
    if (rc != LUDUS_OK) return tool_error("reset: %s", ludus_errmsg());
    return observation_result(w, "new episode", NULL);
}

static cJSON *tool_step(call_ctx *c)
{
    static const char *const allowed[] = {"handle", "action", "actions", NULL};
    if (!args_known(c->args, allowed, c->err, sizeof c->err)) return tool_error("step: %s", c->err);
    ludus_mcp_world *w = arg_world(c);
    if (!w) return tool_error("step: %s", c->err);
    const ludus_env_info *info = ludus_env_get_info(w->env);
    const cJSON *one = cJSON_GetObjectItemCaseSensitive(c->args, "action");
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(c->args, "actions");
    if (!one == !list) return tool_error("step: give either 'action' or 'actions'");
    int n = 1, max = c->s->srv->limits.max_steps_per_call;
    if (list) {
        if (!cJSON_IsArray(list) || (n = cJSON_GetArraySize(list)) < 1)
            return tool_error("step: actions must be a non-empty list");
        if (n > max) return tool_error("step: %d actions, more than the limit of %d per call", n, max);
    }
    if (!w->seeded) return tool_error("step: the world was never reset: call reset with a seed first");
    int32_t *acts = malloc((size_t)n * LUDUS_MAX_ACTION_DIMS * sizeof *acts);
    if (!acts) return NULL;
    /* Check every action before playing any, so a bad one plays nothing. */
    int k = 0;
    for (const cJSON *a = list ? list->child : one; k < n; a = a->next, k++) {
        if (parse_action(w->env, a, acts + (size_t)k * LUDUS_MAX_ACTION_DIMS, c->err, sizeof c->err) < 0) {
            free(acts);
            if (list) return tool_error("step: action %d of the list: %s", k, c->err);
            return tool_error("step: %s", c->err);
        }
    }
    cJSON *sc = cJSON_CreateObject();
    cJSON *rewards = cJSON_CreateArray();
    if (!sc || !rewards) {
        free(acts);
        cJSON_Delete(sc);
        cJSON_Delete(rewards);
        return NULL;
    }
    double total = 0;
    uint32_t ach = 0;
    ludus_step_out out = {0};
    int taken = 0;
    for (k = 0; k < n; k++) {
        int rc = ludus_env_step_vec(w->env, w->state, acts + (size_t)k * LUDUS_MAX_ACTION_DIMS, w->obs, &out);
        if (rc != LUDUS_OK) {
            /* A mask that forbids the action in this state (known only as
             * the list plays): the actions before it stay played. */
            free(acts);
            cJSON_Delete(sc);
            cJSON_Delete(rewards);
            if (k) return tool_error("step: %d action%s played (now at step %u), then action %d refused: %s", k,
                                     k == 1 ? "" : "s", ludus_env_step_count(w->env, w->state), k, ludus_errmsg());
            return tool_error("step: %s", ludus_errmsg());
        }
        taken++;
        total += out.reward;
        ach |= out.achievements;
        cJSON_AddItemToArray(rewards, exact_number(out.reward));
        if (out.terminated || out.truncated) break;
    }
    free(acts);
    cJSON_AddStringToObject(sc, "handle", w->id);
    cJSON_AddNumberToObject(sc, "steps_taken", taken);
    cJSON_AddItemToObject(sc, "reward", exact_number(total));
    cJSON_AddItemToObject(sc, "rewards", rewards);
    cJSON_AddBoolToObject(sc, "terminated", out.terminated);
    cJSON_AddBoolToObject(sc, "truncated", out.truncated);
    cJSON_AddBoolToObject(sc, "success", out.success);
    cJSON *achs = cJSON_AddArrayToObject(sc, "achievements");
    for (int i = 0; achs && i < info->num_achievements && i < 32; i++)
        if (ach >> i & 1u) cJSON_AddItemToArray(achs, cJSON_CreateString(info->achievement_names[i]));
    char *text = NULL;
    if (add_observation(sc, w, 1, &text) != LUDUS_OK) {
        cJSON_Delete(sc);
        return NULL;
    }
    size_t cap = strlen(text) + 256;
    char *t = malloc(cap);
    if (!t) {
        free(text);
        cJSON_Delete(sc);
        return NULL;
    }
    char rbuf[40];
    ludus_fmt_double_repr(rbuf, total);
    snprintf(t, cap, "played %d action%s (step %u): reward %s%s%s%s\n%s", taken, taken == 1 ? "" : "s",
             ludus_env_step_count(w->env, w->state), rbuf, out.terminated ? ", terminated" : "",
             out.truncated ? ", truncated" : "", out.success ? ", success" : "", text);
    free(text);
    cJSON *r = tool_result(sc, t, NULL);
    free(t);
    return r;
}

/* A PNG of rgb (height, width, 3) in memory, base64-encoded (malloc'd). */
static char *png_base64(const uint8_t *rgb, int width, int height)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = (png_uint_32)width;
    img.height = (png_uint_32)height;
    img.format = PNG_FORMAT_RGB;
    png_alloc_size_t size = 0;
    if (!png_image_write_to_memory(&img, NULL, &size, 0, rgb, width * 3, NULL)) return NULL;
    void *png = malloc(size);
    if (!png) return NULL;
    if (!png_image_write_to_memory(&img, png, &size, 0, rgb, width * 3, NULL)) {
        free(png);
        return NULL;
    }
    char *b64 = malloc(4 * ((size + 2) / 3) + 1);
    if (b64) ludus_base64_encode(png, size, b64);
    free(png);
    return b64;
}

static int arg_bool(const cJSON *args, const char *key, int dflt, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, key);
    if (!v) {
        *out = dflt;
        return 1;
    }
    if (!cJSON_IsBool(v)) return 0;
    *out = cJSON_IsTrue(v);
    return 1;
}

static cJSON *tool_observe(call_ctx *c)
{
    static const char *const allowed[] = {"handle", "text", "tensor", "image", "tile_size", NULL};
    if (!args_known(c->args, allowed, c->err, sizeof c->err)) return tool_error("observe: %s", c->err);
    ludus_mcp_world *w = arg_world(c);
    if (!w) return tool_error("observe: %s", c->err);
    int want_text, want_tensor, want_image;
    if (!arg_bool(c->args, "text", 1, &want_text) || !arg_bool(c->args, "tensor", 1, &want_tensor) ||
        !arg_bool(c->args, "image", 1, &want_image))
        return tool_error("observe: text, tensor and image must be true or false");
    ludus_render_opts ro = {0, 0, 1};
    const cJSON *tile = cJSON_GetObjectItemCaseSensitive(c->args, "tile_size");
    if (tile) {
        if (!cJSON_IsNumber(tile) || !ludus_mcp_is_int(tile->valuedouble, 1) || tile->valuedouble > 64)
            return tool_error("observe: tile_size must be an integer in 1..64");
        ro.tile_size = (int)tile->valuedouble;
    }
    if (!w->seeded) return tool_error("observe: the world was never reset: call reset with a seed first");
    const ludus_env_info *info = ludus_env_get_info(w->env);
    if (ludus_env_observe(w->env, w->state, w->obs) != LUDUS_OK) return tool_error("observe: %s", ludus_errmsg());
    cJSON *sc = cJSON_CreateObject();
    if (!sc) return NULL;
    cJSON_AddStringToObject(sc, "handle", w->id);
    char *text = NULL;
    if (add_observation(sc, w, want_text, &text) != LUDUS_OK) {
        cJSON_Delete(sc);
        return NULL;
    }
    if (want_tensor) {
        cJSON *tensor = cJSON_AddObjectToObject(sc, "tensor");
        cJSON *fields = tensor ? cJSON_AddArrayToObject(tensor, "fields") : NULL;
        if (tensor) cJSON_AddNumberToObject(tensor, "size", (double)info->obs_size);
        for (int i = 0; fields && i < info->num_obs_fields; i++) {
            const ludus_obs_field *f = &info->obs_fields[i];
            size_t count = 1;
            for (int d = 0; d < f->ndim; d++) count *= (size_t)f->shape[d];
            cJSON *o = cJSON_CreateObject();
            cJSON *data = cJSON_CreateArray();
            if (!o || !data) {
                cJSON_Delete(o);
                cJSON_Delete(data);
                break;
            }
            cJSON_AddItemToArray(fields, o);
            cJSON_AddStringToObject(o, "name", f->name);
            cJSON_AddItemToObject(o, "shape", cJSON_CreateIntArray(f->shape, f->ndim));
            cJSON_AddNumberToObject(o, "low", f->low);
            cJSON_AddNumberToObject(o, "high", f->high);
            for (size_t j = 0; j < count; j++) cJSON_AddItemToArray(data, cJSON_CreateNumber(w->obs[f->offset + j]));
            cJSON_AddItemToObject(o, "data", data);
        }
    }
    cJSON *image = NULL;
    if (want_image) {
        int width, height;
        if (ludus_env_render_size(w->env, &ro, &width, &height) == LUDUS_OK) {
            size_t cap = (size_t)width * (size_t)height * 3;
            uint8_t *rgb = malloc(cap);
            char *b64 = NULL;
            if (rgb && ludus_env_render(w->env, w->state, &ro, rgb, cap) == LUDUS_OK)
                b64 = png_base64(rgb, width, height);
            free(rgb);
            if (b64) {
                image = cJSON_CreateObject();
                if (image) {
                    cJSON_AddStringToObject(image, "type", "image");
                    cJSON_AddStringToObject(image, "data", b64);
                    cJSON_AddStringToObject(image, "mimeType", "image/png");
                }
                free(b64);
                cJSON *meta = cJSON_AddObjectToObject(sc, "image");
                if (meta) {
                    cJSON_AddStringToObject(meta, "mimeType", "image/png");
                    cJSON_AddNumberToObject(meta, "width", width);
                    cJSON_AddNumberToObject(meta, "height", height);
                }
            }
        }
    }
    char head[96];
    snprintf(head, sizeof head, "step %u of %s", ludus_env_step_count(w->env, w->state), info->id);
    size_t cap = (text ? strlen(text) : 0) + sizeof head + 2;
    char *t = malloc(cap);
    if (!t) {
        free(text);
        cJSON_Delete(sc);
        cJSON_Delete(image);
        return NULL;
    }
    snprintf(t, cap, "%s\n%s", head, text ? text : "");
    free(text);
    cJSON *r = tool_result(sc, t, image);
    free(t);
    return r;
}

static cJSON *tool_snapshot(call_ctx *c)
{
    static const char *const allowed[] = {"handle", NULL};
    if (!args_known(c->args, allowed, c->err, sizeof c->err)) return tool_error("snapshot: %s", c->err);
    ludus_mcp_world *w = arg_world(c);
    if (!w) return tool_error("snapshot: %s", c->err);
    if (!w->seeded) return tool_error("snapshot: the world was never reset: call reset with a seed first");
    const ludus_env_info *info = ludus_env_get_info(w->env);
    char *b64 = malloc(4 * ((info->state_size + 2) / 3) + 1);
    cJSON *sc = cJSON_CreateObject();
    if (!b64 || !sc) {
        free(b64);
        cJSON_Delete(sc);
        return NULL;
    }
    ludus_base64_encode(w->state, info->state_size, b64);
    cJSON_AddStringToObject(sc, "handle", w->id);
    cJSON_AddStringToObject(sc, "world", info->id);
    cJSON_AddNumberToObject(sc, "step", ludus_env_step_count(w->env, w->state));
    cJSON_AddNumberToObject(sc, "state_size", (double)info->state_size);
    cJSON_AddStringToObject(sc, "state", b64);
    free(b64);
    char text[160];
    snprintf(text, sizeof text, "snapshot of %s at step %u: %zu bytes (in structuredContent.state)", info->id,
             ludus_env_step_count(w->env, w->state), info->state_size);
    return tool_result(sc, text, NULL);
}

/* Strict base64 (RFC 4648, padded) into out (cap bytes); the length, or
 * -1 for a character outside the alphabet, bad padding or too much. */
static long base64_decode(const char *in, uint8_t *out, size_t cap)
{
    size_t n = strlen(in);
    if (n % 4) return -1;
    size_t len = 0;
    for (size_t i = 0; i < n; i += 4) {
        uint32_t v = 0;
        int pad = 0;
        for (int j = 0; j < 4; j++) {
            char ch = in[i + j];
            int d;
            if (ch >= 'A' && ch <= 'Z') d = ch - 'A';
            else if (ch >= 'a' && ch <= 'z') d = ch - 'a' + 26;
            else if (ch >= '0' && ch <= '9') d = ch - '0' + 52;
            else if (ch == '+') d = 62;
            else if (ch == '/') d = 63;
            else if (ch == '=' && i + 4 == n && j >= 2) d = 0, pad++;
            else return -1;
            if (pad && ch != '=') return -1; /* data after padding */
            v = v << 6 | (uint32_t)d;
        }
        int bytes = 3 - pad;
        if (len + (size_t)bytes > cap) return -1;
        for (int j = 0; j < bytes; j++) out[len++] = (uint8_t)(v >> (16 - 8 * j));
    }
    return (long)len;
}

static cJSON *tool_restore(call_ctx *c)
{
    static const char *const allowed[] = {"handle", "state", NULL};
    if (!args_known(c->args, allowed, c->err, sizeof c->err)) return tool_error("restore: %s", c->err);
    ludus_mcp_world *w = arg_world(c);
    if (!w) return tool_error("restore: %s", c->err);
    const ludus_env_info *info = ludus_env_get_info(w->env);
    const char *b64;
    size_t maxlen = 4 * ((info->state_size + 2) / 3);
    if (!arg_string(c->args, "state", maxlen, 1, &b64, c->err, sizeof c->err))
        return tool_error("restore: %s (a state of %s is %zu bytes)", c->err, info->id, info->state_size);
    uint8_t *bytes = malloc(info->state_size + 3);
    void *tmp = ludus_env_state_new(w->env);
    if (!bytes || !tmp) {
        free(bytes);
        ludus_free(tmp);
        return NULL;
    }
    long n = base64_decode(b64, bytes, info->state_size + 3);
    cJSON *r;
    if (n < 0) {
        r = tool_error("restore: state is not valid base64");
    } else if (ludus_env_state_load(w->env, tmp, bytes, (size_t)n) != LUDUS_OK) {
        r = tool_error("restore: the state was refused: %s", ludus_errmsg());
    } else {
        memcpy(w->state, tmp, info->state_size);
        w->seeded = 1;
        r = observation_result(w, "restored", NULL);
    }
    free(bytes);
    ludus_free(tmp);
    return r;
}

static cJSON *tool_close(call_ctx *c)
{
    static const char *const allowed[] = {"handle", NULL};
    if (!args_known(c->args, allowed, c->err, sizeof c->err)) return tool_error("close: %s", c->err);
    if (!arg_world(c)) return tool_error("close: %s", c->err);
    int i = 0;
    const char *h = cJSON_GetObjectItemCaseSensitive(c->args, "handle")->valuestring;
    find_world(c->s, h, &i);
    cJSON *sc = cJSON_CreateObject();
    if (!sc) return NULL;
    cJSON_AddStringToObject(sc, "handle", h);
    cJSON_AddTrueToObject(sc, "closed");
    char text[96];
    snprintf(text, sizeof text, "closed %s", h);
    ludus_mcp_handle_close(c->s, i); /* h points into args, not into the world */
    return tool_result(sc, text, NULL);
}

cJSON *ludus_mcp_tool_call(ludus_mcp_session *s, const char *name, const cJSON *args, double now, int *known)
{
    static const struct {
        const char *name;
        cJSON *(*fn)(call_ctx *);
    } table[] = {
        {"list_worlds", tool_list_worlds}, {"make", tool_make},         {"reset", tool_reset},
        {"step", tool_step},               {"observe", tool_observe},   {"snapshot", tool_snapshot},
        {"restore", tool_restore},         {"close", tool_close},
    };
    *known = 0;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strcmp(name, table[i].name) != 0) continue;
        *known = 1;
        call_ctx c = {.s = s, .args = args, .now = now};
        c.err[0] = 0;
        return table[i].fn(&c);
    }
    return NULL;
}
