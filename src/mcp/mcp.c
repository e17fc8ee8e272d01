/* mcp.c: the MCP protocol (JSON-RPC 2.0 over any transport) and the
 * session bookkeeping: handshake, version negotiation, ping, tools/list,
 * tools/call, and the limits. The tools themselves are in tools.c. See
 * mcp.h.
 */
#define _DEFAULT_SOURCE /* getrandom */
#include "mcp/mcp.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/core.h"
#include "mcp/mcp_internal.h"

const char *const ludus_mcp_versions[] = {"2025-11-25", "2025-06-18", NULL};

static const ludus_mcp_limits default_limits = {
    .max_sessions = 16,
    .max_handles_per_session = 8,
    .max_handles_total = 64,
    .handle_ttl_s = 1800.0,
    .max_request_bytes = (size_t)1 << 20,
    .max_steps_per_call = 1000,
};

/* ---- server and sessions ------------------------------------------------ */

int ludus_mcp_server_create(const ludus_mcp_limits *limits, ludus_mcp_server **out)
{
    if (!out) return ludus_err_set(LUDUS_EINVAL, "mcp: out is NULL");
    *out = NULL;
    ludus_mcp_limits lim = limits ? *limits : default_limits;
    if (lim.max_sessions < 0 || lim.max_handles_per_session < 0 || lim.max_handles_total < 0 ||
        !(lim.handle_ttl_s >= 0) || lim.max_steps_per_call < 0)
        return ludus_err_set(LUDUS_EINVAL, "mcp: limits must not be negative");
    if (!lim.max_sessions) lim.max_sessions = default_limits.max_sessions;
    if (!lim.max_handles_per_session) lim.max_handles_per_session = default_limits.max_handles_per_session;
    if (!lim.max_handles_total) lim.max_handles_total = default_limits.max_handles_total;
    if (lim.handle_ttl_s == 0) lim.handle_ttl_s = default_limits.handle_ttl_s;
    if (!lim.max_request_bytes) lim.max_request_bytes = default_limits.max_request_bytes;
    if (!lim.max_steps_per_call) lim.max_steps_per_call = default_limits.max_steps_per_call;
    ludus_mcp_server *srv = calloc(1, sizeof *srv);
    if (!srv) return ludus_err_set(LUDUS_ENOMEM, "out of memory");
    srv->limits = lim;
    srv->sessions = calloc((size_t)lim.max_sessions, sizeof *srv->sessions);
    int n = ludus_env_count();
    srv->specs = calloc((size_t)(n > 0 ? n : 1), sizeof *srv->specs);
    if (!srv->sessions || !srv->specs) {
        ludus_mcp_server_destroy(srv);
        return ludus_err_set(LUDUS_ENOMEM, "out of memory");
    }
    srv->num_specs = n;
    *out = srv;
    return LUDUS_OK;
}

void ludus_mcp_server_destroy(ludus_mcp_server *srv)
{
    if (!srv) return;
    while (srv->num_sessions > 0) ludus_mcp_session_close(srv->sessions[srv->num_sessions - 1]);
    if (srv->specs)
        for (int i = 0; i < srv->num_specs; i++) ludus_env_destroy(srv->specs[i]);
    free(srv->specs);
    free(srv->sessions);
    free(srv);
}

const ludus_mcp_limits *ludus_mcp_server_limits(const ludus_mcp_server *srv)
{
    return srv ? &srv->limits : NULL;
}

int ludus_mcp_server_num_sessions(const ludus_mcp_server *srv) { return srv ? srv->num_sessions : 0; }
int ludus_mcp_server_num_handles(const ludus_mcp_server *srv) { return srv ? srv->num_handles : 0; }

int ludus_mcp_random_hex(char out[LUDUS_MCP_ID_LEN + 1])
{
    uint8_t b[LUDUS_MCP_ID_LEN / 2];
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t r = getrandom(b + got, sizeof b - got, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            return ludus_err_set(LUDUS_EIO, "mcp: no random bytes from the system: %s", strerror(errno));
        }
        got += (size_t)r;
    }
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof b; i++) {
        out[2 * i] = hex[b[i] >> 4];
        out[2 * i + 1] = hex[b[i] & 15];
    }
    out[LUDUS_MCP_ID_LEN] = 0;
    return LUDUS_OK;
}

int ludus_mcp_session_open(ludus_mcp_server *srv, ludus_mcp_session **out)
{
    if (!srv || !out) return ludus_err_set(LUDUS_EINVAL, "mcp: NULL argument");
    *out = NULL;
    if (srv->num_sessions >= srv->limits.max_sessions)
        return ludus_err_set(LUDUS_EUNSUPPORTED, "mcp: too many sessions (the limit is %d)",
                             srv->limits.max_sessions);
    ludus_mcp_session *s = calloc(1, sizeof *s);
    if (!s) return ludus_err_set(LUDUS_ENOMEM, "out of memory");
    s->handles = calloc((size_t)srv->limits.max_handles_per_session, sizeof *s->handles);
    if (!s->handles) {
        free(s);
        return ludus_err_set(LUDUS_ENOMEM, "out of memory");
    }
    int rc = ludus_mcp_random_hex(s->id);
    if (rc != LUDUS_OK) {
        free(s->handles);
        free(s);
        return rc;
    }
    s->srv = srv;
    srv->sessions[srv->num_sessions++] = s;
    *out = s;
    return LUDUS_OK;
}

void ludus_mcp_session_close(ludus_mcp_session *s)
{
    if (!s) return;
    ludus_mcp_server *srv = s->srv;
    while (s->num_handles > 0) ludus_mcp_handle_close(s, s->num_handles - 1);
    for (int i = 0; i < srv->num_sessions; i++)
        if (srv->sessions[i] == s) {
            srv->sessions[i] = srv->sessions[--srv->num_sessions];
            srv->sessions[srv->num_sessions] = NULL;
            break;
        }
    free(s->handles);
    free(s);
}

ludus_mcp_session *ludus_mcp_session_find(ludus_mcp_server *srv, const char *id)
{
    if (!srv || !id) return NULL;
    for (int i = 0; i < srv->num_sessions; i++)
        if (strcmp(srv->sessions[i]->id, id) == 0) return srv->sessions[i];
    return NULL;
}

ludus_mcp_session *ludus_mcp_session_at(ludus_mcp_server *srv, int i)
{
    return srv && i >= 0 && i < srv->num_sessions ? srv->sessions[i] : NULL;
}

const char *ludus_mcp_session_id(const ludus_mcp_session *s) { return s ? s->id : ""; }
const char *ludus_mcp_session_version(const ludus_mcp_session *s) { return s && s->version[0] ? s->version : NULL; }
double ludus_mcp_session_last_used(const ludus_mcp_session *s) { return s ? s->last_used : 0; }
int ludus_mcp_session_num_handles(const ludus_mcp_session *s) { return s ? s->num_handles : 0; }

/* ---- answers --------------------------------------------------------------- */

static cJSON *rpc_base(const cJSON *id)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddStringToObject(o, "jsonrpc", "2.0");
    cJSON_AddItemToObject(o, "id", id ? cJSON_Duplicate(id, 1) : cJSON_CreateNull());
    return o;
}

static cJSON *rpc_error(const cJSON *id, int code, const char *message)
{
    cJSON *o = rpc_base(id);
    if (!o) return NULL;
    cJSON *e = cJSON_AddObjectToObject(o, "error");
    if (!e) {
        cJSON_Delete(o);
        return NULL;
    }
    cJSON_AddNumberToObject(e, "code", code);
    cJSON_AddStringToObject(e, "message", message);
    return o;
}

static cJSON *rpc_result(const cJSON *id, cJSON *result)
{
    cJSON *o = rpc_base(id);
    if (!o || !result) {
        cJSON_Delete(o);
        cJSON_Delete(result);
        return NULL;
    }
    cJSON_AddItemToObject(o, "result", result);
    return o;
}

char *ludus_mcp_error_json(int code, const char *message)
{
    cJSON *o = rpc_error(NULL, code, message ? message : "");
    char *s = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    return s;
}

int ludus_mcp_is_initialize(const char *msg, size_t len)
{
    if (!msg) return 0;
    cJSON *root = cJSON_ParseWithLength(msg, len);
    const cJSON *m = cJSON_IsObject(root) ? cJSON_GetObjectItemCaseSensitive(root, "method") : NULL;
    int yes = cJSON_IsString(m) && strcmp(m->valuestring, "initialize") == 0 &&
              cJSON_GetObjectItemCaseSensitive(root, "id") != NULL;
    cJSON_Delete(root);
    return yes;
}

/* ---- methods --------------------------------------------------------------- */

static const char instructions[] =
    "ludus serves its worlds as tools. list_worlds shows them with their actions; "
    "make returns a handle; reset starts an episode from a seed (the same seed gives the same "
    "level); step plays actions by name or index; observe shows the world as text, a tensor and "
    "a picture; snapshot and restore save and load the exact state; close frees the handle. "
    "Handles unused for a while are closed by the server.";

static cJSON *do_initialize(ludus_mcp_session *s, const cJSON *id, const cJSON *params)
{
    if (s->version[0])
        return rpc_error(id, LUDUS_MCP_INVALID_REQUEST, "initialize: the session is already initialized");
    const cJSON *pv = cJSON_IsObject(params) ? cJSON_GetObjectItemCaseSensitive(params, "protocolVersion") : NULL;
    if (!cJSON_IsString(pv))
        return rpc_error(id, LUDUS_MCP_INVALID_PARAMS,
                         "initialize: params.protocolVersion must be a string (a revision such as \"2025-11-25\")");
    const char *chosen = ludus_mcp_versions[0];
    for (int i = 0; ludus_mcp_versions[i]; i++)
        if (strcmp(pv->valuestring, ludus_mcp_versions[i]) == 0) chosen = ludus_mcp_versions[i];
    cJSON *r = cJSON_CreateObject();
    if (!r) return NULL;
    cJSON_AddStringToObject(r, "protocolVersion", chosen);
    cJSON *caps = cJSON_AddObjectToObject(r, "capabilities");
    cJSON *tools = caps ? cJSON_AddObjectToObject(caps, "tools") : NULL;
    if (tools) cJSON_AddFalseToObject(tools, "listChanged");
    cJSON *info = cJSON_AddObjectToObject(r, "serverInfo");
    if (info) {
        cJSON_AddStringToObject(info, "name", "ludus");
        cJSON_AddStringToObject(info, "title", "ludus worlds");
        cJSON_AddStringToObject(info, "version", ludus_version());
    }
    cJSON_AddStringToObject(r, "instructions", instructions);
    snprintf(s->version, sizeof s->version, "%s", chosen);
    return rpc_result(id, r);
}

static cJSON *do_tools_call(ludus_mcp_session *s, const cJSON *id, const cJSON *params, double now)
{
    const cJSON *name = cJSON_IsObject(params) ? cJSON_GetObjectItemCaseSensitive(params, "name") : NULL;
    if (!cJSON_IsString(name))
        return rpc_error(id, LUDUS_MCP_INVALID_PARAMS, "tools/call: params.name must be a string");
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(params, "arguments");
    if (args && !cJSON_IsObject(args) && !cJSON_IsNull(args))
        return rpc_error(id, LUDUS_MCP_INVALID_PARAMS, "tools/call: params.arguments must be an object");
    cJSON *empty = NULL;
    if (!cJSON_IsObject(args)) {
        empty = cJSON_CreateObject();
        if (!empty) return NULL;
        args = empty;
    }
    int known = 0;
    cJSON *result = ludus_mcp_tool_call(s, name->valuestring, args, now, &known);
    cJSON_Delete(empty);
    if (!known) {
        char msg[320];
        snprintf(msg, sizeof msg, "tools/call: unknown tool '%.200s' (tools/list names them)", name->valuestring);
        return rpc_error(id, LUDUS_MCP_INVALID_PARAMS, msg);
    }
    if (!result) return rpc_error(id, LUDUS_MCP_INTERNAL_ERROR, "tools/call: out of memory");
    return rpc_result(id, result);
}

/* The whole answer to one parsed message; NULL with *silent set for
 * notifications and responses, NULL without it when out of memory. */
static cJSON *dispatch(ludus_mcp_session *s, const cJSON *root, double now, int *silent)
{
    *silent = 0;
    if (cJSON_IsArray(root))
        return rpc_error(NULL, LUDUS_MCP_INVALID_REQUEST, "batches (JSON arrays) are not supported");
    if (!cJSON_IsObject(root))
        return rpc_error(NULL, LUDUS_MCP_INVALID_REQUEST, "a JSON-RPC message must be a JSON object");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "id");
    if (id && !cJSON_IsString(id) && !(cJSON_IsNumber(id) && ludus_mcp_is_int(id->valuedouble, -9007199254740991.0)))
        return rpc_error(NULL, LUDUS_MCP_INVALID_REQUEST, "id must be a string or an integer");
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "jsonrpc");
    if (!cJSON_IsString(ver) || strcmp(ver->valuestring, "2.0") != 0)
        return rpc_error(id, LUDUS_MCP_INVALID_REQUEST, "jsonrpc must be \"2.0\"");
    const cJSON *method = cJSON_GetObjectItemCaseSensitive(root, "method");
    if (!method) {
        /* A response to a request of ours: the server sends none, so ignore. */
        if (id && (cJSON_GetObjectItemCaseSensitive(root, "result") ||
                   cJSON_GetObjectItemCaseSensitive(root, "error"))) {
            *silent = 1;
            return NULL;
        }
        return rpc_error(id, LUDUS_MCP_INVALID_REQUEST, "a request needs a method");
    }
    if (!cJSON_IsString(method))
        return rpc_error(id, LUDUS_MCP_INVALID_REQUEST, "method must be a string");
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(root, "params");
    if (params && !cJSON_IsObject(params))
        return rpc_error(id, LUDUS_MCP_INVALID_REQUEST, "params must be an object");
    const char *m = method->valuestring;
    if (!id) {
        /* Notifications are never answered (initialized, cancelled, ...). */
        if (strcmp(m, "notifications/initialized") == 0 && s->version[0]) s->ready = 1;
        *silent = 1;
        return NULL;
    }
    if (strcmp(m, "initialize") == 0) return do_initialize(s, id, params);
    if (strcmp(m, "ping") == 0) return rpc_result(id, cJSON_CreateObject());
    int list = strcmp(m, "tools/list") == 0, call = strcmp(m, "tools/call") == 0;
    if ((list || call) && !s->version[0])
        return rpc_error(id, LUDUS_MCP_INVALID_REQUEST, "the session is not initialized: send initialize first");
    if (list) return rpc_result(id, ludus_mcp_tools_list());
    if (call) return do_tools_call(s, id, params, now);
    char msg[320];
    snprintf(msg, sizeof msg, "unknown method '%.200s'", m);
    return rpc_error(id, LUDUS_MCP_METHOD_NOT_FOUND, msg);
}

int ludus_mcp_handle(ludus_mcp_session *s, const char *msg, size_t len, double now, char **response)
{
    if (!response) return ludus_err_set(LUDUS_EINVAL, "mcp: response is NULL");
    *response = NULL;
    if (!s || (!msg && len)) return ludus_err_set(LUDUS_EINVAL, "mcp: NULL argument");
    s->last_used = now;
    ludus_mcp_expire(s->srv, now);
    cJSON *answer = NULL;
    int silent = 0;
    if (len > s->srv->limits.max_request_bytes) {
        char m[160];
        snprintf(m, sizeof m, "the message of %zu bytes is larger than the limit of %zu bytes", len,
                 s->srv->limits.max_request_bytes);
        answer = rpc_error(NULL, LUDUS_MCP_INVALID_REQUEST, m);
    } else {
        const char *end = NULL;
        cJSON *root = cJSON_ParseWithLengthOpts(msg ? msg : "", len, &end, 0);
        if (!root) {
            answer = rpc_error(NULL, LUDUS_MCP_PARSE_ERROR, "parse error: the message is not valid JSON");
        } else {
            /* Anything but white space after the value is malformed too. */
            size_t used = (size_t)(end - msg);
            while (used < len && (msg[used] == ' ' || msg[used] == '\t' || msg[used] == '\r' || msg[used] == '\n'))
                used++;
            if (used < len)
                answer = rpc_error(NULL, LUDUS_MCP_PARSE_ERROR, "parse error: text after the JSON value");
            else
                answer = dispatch(s, root, now, &silent);
            cJSON_Delete(root);
        }
    }
    if (silent) return LUDUS_OK;
    if (!answer) return ludus_err_set(LUDUS_ENOMEM, "out of memory");
    *response = cJSON_PrintUnformatted(answer);
    cJSON_Delete(answer);
    return *response ? LUDUS_OK : ludus_err_set(LUDUS_ENOMEM, "out of memory");
}
