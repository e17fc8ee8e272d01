/* test_mcp.c: the MCP protocol core (src/mcp) as a function from messages
 * to answers: every method, every JSON-RPC error, malformed and huge
 * messages, calls before initialize, every tool and its tool errors, the
 * limits, and trajectories played through MCP that must equal, step for
 * step and byte for byte, the same seed and actions through the C API.
 */
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mcp/mcp.h"
#include "mcp/mcp_internal.h" /* the fuzz test closes extra worlds by id */

static double now_s = 0;

/* Send one message; the parsed answer (NULL when none). */
static cJSON *rpc(ludus_mcp_session *s, const char *msg)
{
    char *out = (char *)1;
    int rc = ludus_mcp_handle(s, msg, strlen(msg), now_s, &out);
    CHECK_EQ(rc, LUDUS_OK);
    if (!out) return NULL;
    CHECK_MSG(!strchr(out, '\n'), "an answer is one line: %s", out);
    cJSON *j = cJSON_Parse(out);
    CHECK_MSG(j != NULL, "the answer parses: %s", out);
    free(out);
    return j;
}

static int error_code(const cJSON *j)
{
    const cJSON *e = cJSON_GetObjectItem(j, "error");
    return e ? (int)cJSON_GetObjectItem(e, "code")->valuedouble : 0;
}

static int id_is_null(const cJSON *j) { return cJSON_IsNull(cJSON_GetObjectItem(j, "id")); }

/* A tools/call; the result object is returned inside its envelope. */
static cJSON *tool(ludus_mcp_session *s, const char *name, const char *args_fmt, ...)
    __attribute__((format(printf, 3, 4)));
static cJSON *tool(ludus_mcp_session *s, const char *name, const char *args_fmt, ...)
{
    static char args[1 << 16];
    va_list ap;
    va_start(ap, args_fmt);
    vsnprintf(args, sizeof args, args_fmt, ap);
    va_end(ap);
    size_t cap = strlen(args) + 256;
    char *msg = malloc(cap);
    snprintf(msg, cap, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":{\"name\":\"%s\",\"arguments\":%s}}",
             name, args);
    cJSON *j = rpc(s, msg);
    free(msg);
    return j;
}

static const cJSON *result(const cJSON *j) { return cJSON_GetObjectItem(j, "result"); }
static int is_tool_error(const cJSON *j) { return cJSON_IsTrue(cJSON_GetObjectItem(result(j), "isError")); }
static const cJSON *sc(const cJSON *j) { return cJSON_GetObjectItem(result(j), "structuredContent"); }
static const char *first_text(const cJSON *j)
{
    const cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItem(result(j), "content"), 0);
    return c ? cJSON_GetObjectItem(c, "text")->valuestring : "";
}
static const char *sc_str(const cJSON *j, const char *k)
{
    const cJSON *v = cJSON_GetObjectItem(sc(j), k);
    return cJSON_IsString(v) ? v->valuestring : "";
}
static double sc_num(const cJSON *j, const char *k)
{
    const cJSON *v = cJSON_GetObjectItem(sc(j), k);
    return cJSON_IsNumber(v) ? v->valuedouble : -1e300;
}

/* Base64 decoding written from RFC 4648, independent of the server's. */
static size_t b64_decode(const char *in, uint8_t *out)
{
    static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (; *in && *in != '='; in++) {
        const char *p = strchr(al, *in);
        if (!p) return (size_t)-1;
        acc = acc << 6 | (uint32_t)(p - al);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    return n;
}

static ludus_mcp_session *initialized(ludus_mcp_server *srv, const char *version)
{
    ludus_mcp_session *s = NULL;
    CHECK_OK(ludus_mcp_session_open(srv, &s));
    char msg[256];
    snprintf(msg, sizeof msg,
             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"%s\","
             "\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}",
             version);
    cJSON_Delete(rpc(s, msg));
    CHECK(rpc(s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}") == NULL);
    return s;
}

static void test_protocol(void)
{
    ludus_mcp_server *srv = NULL;
    CHECK_OK(ludus_mcp_server_create(NULL, &srv));
    ludus_mcp_session *s = NULL;
    CHECK_OK(ludus_mcp_session_open(srv, &s));
    CHECK_EQ(strlen(ludus_mcp_session_id(s)), 32);
    CHECK(ludus_mcp_session_version(s) == NULL);

    /* Before initialize: ping works, everything else is refused. */
    cJSON *j = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":\"p\",\"method\":\"ping\"}");
    CHECK(cJSON_IsObject(result(j)) && cJSON_GetArraySize(result(j)) == 0);
    CHECK_STR(cJSON_GetObjectItem(j, "id")->valuestring, "p");
    cJSON_Delete(j);
    j = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
    CHECK_EQ(error_code(j), LUDUS_MCP_INVALID_REQUEST);
    CHECK_EQ(cJSON_GetObjectItem(j, "id")->valuedouble, 2);
    cJSON_Delete(j);
    j = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"make\"}}");
    CHECK_EQ(error_code(j), LUDUS_MCP_INVALID_REQUEST);
    cJSON_Delete(j);
    /* A 2026-07-28 client probes with server/discover: an error, after
     * which it falls back to initialize. */
    j = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"server/discover\"}");
    CHECK_EQ(error_code(j), LUDUS_MCP_METHOD_NOT_FOUND);
    cJSON_Delete(j);

    /* initialize: params checked, versions negotiated. */
    j = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}");
    CHECK_EQ(error_code(j), LUDUS_MCP_INVALID_PARAMS);
    cJSON_Delete(j);
    j = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}");
    CHECK_STR(cJSON_GetObjectItem(result(j), "protocolVersion")->valuestring, "2025-06-18");
    CHECK_STR(cJSON_GetObjectItem(cJSON_GetObjectItem(result(j), "serverInfo"), "name")->valuestring, "ludus");
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(result(j), "capabilities"), "tools"), "listChanged")));
    cJSON_Delete(j);
    CHECK_STR(ludus_mcp_session_version(s), "2025-06-18");
    j = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\"}}");
    CHECK_EQ(error_code(j), LUDUS_MCP_INVALID_REQUEST); /* only once */
    cJSON_Delete(j);
    ludus_mcp_session *s2 = initialized(srv, "2024-11-05");
    CHECK_STR(ludus_mcp_session_version(s2), "2025-11-25"); /* unknown: our latest */
    ludus_mcp_session_close(s2);
    s2 = initialized(srv, "2025-11-25");
    CHECK_STR(ludus_mcp_session_version(s2), "2025-11-25");
    ludus_mcp_session_close(s2);

    /* Notifications and client responses get no answer. */
    CHECK(rpc(s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}") == NULL);
    CHECK(rpc(s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":3}}") == NULL);
    CHECK(rpc(s, "{\"jsonrpc\":\"2.0\",\"method\":\"no/such/notification\"}") == NULL);
    CHECK(rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{}}") == NULL);

    /* Malformed messages. */
    static const struct {
        const char *msg;
        int code, null_id;
    } bad[] = {
        {"", LUDUS_MCP_PARSE_ERROR, 1},
        {"{", LUDUS_MCP_PARSE_ERROR, 1},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"} x", LUDUS_MCP_PARSE_ERROR, 1},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}{}", LUDUS_MCP_PARSE_ERROR, 1},
        {"nul", LUDUS_MCP_PARSE_ERROR, 1},
        {"[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", LUDUS_MCP_INVALID_REQUEST, 1},
        {"42", LUDUS_MCP_INVALID_REQUEST, 1},
        {"\"ping\"", LUDUS_MCP_INVALID_REQUEST, 1},
        {"{\"id\":1,\"method\":\"ping\"}", LUDUS_MCP_INVALID_REQUEST, 0},
        {"{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", LUDUS_MCP_INVALID_REQUEST, 0},
        {"{\"jsonrpc\":\"2.0\",\"id\":1}", LUDUS_MCP_INVALID_REQUEST, 0},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}", LUDUS_MCP_INVALID_REQUEST, 0},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":[1]}", LUDUS_MCP_INVALID_REQUEST, 0},
        {"{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"ping\"}", LUDUS_MCP_INVALID_REQUEST, 1},
        {"{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}", LUDUS_MCP_INVALID_REQUEST, 1},
        {"{\"jsonrpc\":\"2.0\",\"id\":1e300,\"method\":\"ping\"}", LUDUS_MCP_INVALID_REQUEST, 1},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/list\"}", LUDUS_MCP_METHOD_NOT_FOUND, 0},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\"}", LUDUS_MCP_INVALID_PARAMS, 0},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":3}}", LUDUS_MCP_INVALID_PARAMS, 0},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"teleport\"}}",
         LUDUS_MCP_INVALID_PARAMS, 0},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"make\",\"arguments\":[1]}}",
         LUDUS_MCP_INVALID_PARAMS, 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        j = rpc(s, bad[i].msg);
        CHECK_MSG(error_code(j) == bad[i].code, "'%s' gives %d, not %d", bad[i].msg, error_code(j), bad[i].code);
        CHECK_MSG(!bad[i].null_id || id_is_null(j), "'%s' answers with id null", bad[i].msg);
        CHECK_MSG(bad[i].null_id || cJSON_GetObjectItem(j, "id")->valuedouble == 1, "'%s' echoes its id", bad[i].msg);
        cJSON_Delete(j);
    }
    /* A message need not be NUL-terminated: only len bytes are read. */
    const char ping[] = "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\"}garbage";
    char *out = NULL;
    CHECK_OK(ludus_mcp_handle(s, ping, strlen(ping) - 7, 0, &out));
    CHECK(out && strstr(out, "\"result\":{}"));
    free(out);

    /* A NUL inside the message is not the end of it. */
    const char nul[] = "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\"}\0{}";
    CHECK_OK(ludus_mcp_handle(s, nul, sizeof nul - 1, 0, &out));
    CHECK(out && strstr(out, "-32700"));
    free(out);

    /* Huge messages: over the limit refused unread; deep nesting refused. */
    size_t big = ludus_mcp_server_limits(srv)->max_request_bytes + 1;
    char *huge = malloc(big + 1);
    memset(huge, ' ', big);
    huge[big] = 0;
    memcpy(huge, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", 40);
    j = rpc(s, huge);
    CHECK_EQ(error_code(j), LUDUS_MCP_INVALID_REQUEST);
    CHECK(id_is_null(j));
    cJSON_Delete(j);
    size_t depth = 200000;
    memset(huge, '[', depth);
    huge[depth] = 0;
    j = rpc(s, huge);
    CHECK_EQ(error_code(j), LUDUS_MCP_PARSE_ERROR);
    cJSON_Delete(j);
    /* Bytes that are not UTF-8 text, and NULs inside. */
    for (size_t i = 0; i < 4096; i++) huge[i] = (char)(i * 37 + 11);
    char *ans = NULL;
    CHECK_OK(ludus_mcp_handle(s, huge, 4096, 0, &ans));
    CHECK(ans && strstr(ans, "-32700"));
    free(ans);
    free(huge);

    char *e = ludus_mcp_error_json(-32700, "too long");
    CHECK_STR(e, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"too long\"}}");
    free(e);
    CHECK(ludus_mcp_is_initialize("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"}", 48));
    CHECK(!ludus_mcp_is_initialize("{\"jsonrpc\":\"2.0\",\"method\":\"initialize\"}", 40));
    CHECK(!ludus_mcp_is_initialize("{", 1));
    char *none = NULL;
    CHECK_ERR(ludus_mcp_handle(NULL, "{}", 2, 0, &none), LUDUS_EINVAL);
    CHECK_ERR(ludus_mcp_handle(s, "{}", 2, 0, NULL), LUDUS_EINVAL);
    ludus_mcp_server_destroy(srv);
}

static void test_tools_list(void)
{
    ludus_mcp_server *srv = NULL;
    CHECK_OK(ludus_mcp_server_create(NULL, &srv));
    ludus_mcp_session *s = initialized(srv, "2025-11-25");
    cJSON *j = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\",\"params\":{}}");
    const cJSON *tools = cJSON_GetObjectItem(result(j), "tools");
    static const char *const names[] = {"list_worlds", "make", "reset", "step", "observe", "snapshot", "restore", "close"};
    CHECK_EQ(cJSON_GetArraySize(tools), 8);
    for (int i = 0; i < 8; i++) {
        const cJSON *t = cJSON_GetArrayItem(tools, i);
        CHECK_STR(cJSON_GetObjectItem(t, "name")->valuestring, names[i]);
        const cJSON *in = cJSON_GetObjectItem(t, "inputSchema"), *out = cJSON_GetObjectItem(t, "outputSchema");
        CHECK_STR(cJSON_GetObjectItem(in, "type")->valuestring, "object");
        CHECK(cJSON_IsFalse(cJSON_GetObjectItem(in, "additionalProperties")));
        CHECK_STR(cJSON_GetObjectItem(out, "type")->valuestring, "object");
        CHECK(cJSON_IsString(cJSON_GetObjectItem(t, "description")));
    }
    cJSON_Delete(j);

    j = tool(s, "list_worlds", "{}");
    CHECK_EQ(sc_num(j, "count"), ludus_env_count());
    cJSON_Delete(j);
    j = tool(s, "list_worlds", "{\"family\":\"minigrid\",\"contains\":\"DOORKEY\"}");
    const cJSON *w = cJSON_GetObjectItem(sc(j), "worlds");
    CHECK(cJSON_GetArraySize(w) >= 4);
    for (int i = 0; i < cJSON_GetArraySize(w); i++) {
        const cJSON *o = cJSON_GetArrayItem(w, i);
        CHECK_STR(cJSON_GetObjectItem(o, "family")->valuestring, "minigrid");
        CHECK(strstr(cJSON_GetObjectItem(o, "id")->valuestring, "DoorKey") != NULL);
        CHECK_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(o, "actions")), 7);
    }
    cJSON_Delete(j);
    j = tool(s, "list_worlds", "{\"family\":\"babyai\",\"limit\":3}");
    CHECK_EQ(sc_num(j, "count"), 3);
    cJSON_Delete(j);
    j = tool(s, "list_worlds", "{\"family\":\"nothing\"}");
    CHECK(!is_tool_error(j) && sc_num(j, "count") == 0);
    cJSON_Delete(j);
    static const char *const bad[] = {"{\"family\":3}", "{\"limit\":0}", "{\"limit\":1.5}", "{\"colour\":\"red\"}"};
    for (int i = 0; i < 4; i++) {
        j = tool(s, "list_worlds", "%s", bad[i]);
        CHECK_MSG(is_tool_error(j), "list_worlds %s is a tool error", bad[i]);
        cJSON_Delete(j);
    }
    ludus_mcp_server_destroy(srv);
}

/* Play `n` actions through MCP and through the C API from the same seed:
 * every reward, flag, observation and state byte must agree. */
static void trajectory(const char *world, uint64_t seed, int n)
{
    ludus_mcp_server *srv = NULL;
    CHECK_OK(ludus_mcp_server_create(NULL, &srv));
    ludus_mcp_session *s = initialized(srv, "2025-11-25");
    cJSON *j = tool(s, "make", "{\"world\":\"%s\"}", world);
    char handle[64];
    snprintf(handle, sizeof handle, "%s", sc_str(j, "handle"));
    cJSON_Delete(j);

    ludus_env *env = NULL;
    CHECK_OK(ludus_env_make(world, "", &env));
    const ludus_env_info *info = ludus_env_get_info(env);
    void *state = ludus_env_state_new(env);
    uint8_t *obs = malloc(info->obs_size), *got = malloc(info->state_size + info->obs_size + 8);
    CHECK_OK(ludus_env_reset(env, state, seed, obs));
    j = tool(s, "reset", "{\"handle\":\"%s\",\"seed\":%llu}", handle, (unsigned long long)seed);
    CHECK_STR(sc_str(j, "mission"), ludus_env_mission(env, state));
    cJSON_Delete(j);

    ludus_rng rng;
    ludus_rng_seed(&rng, seed + 1000);
    int mismatches = 0;
    for (int t = 0; t < n && mismatches < 3; t++) {
        int a = (int)ludus_rng_integers(&rng, 0, info->num_actions);
        ludus_step_out out;
        CHECK_OK(ludus_env_step(env, state, a, obs, &out));
        /* Alternate names and indices. */
        if (t % 2) j = tool(s, "step", "{\"handle\":\"%s\",\"action\":%d}", handle, a);
        else j = tool(s, "step", "{\"handle\":\"%s\",\"action\":\"%s\"}", handle, info->action_names[a]);
        int ok = !is_tool_error(j) && sc_num(j, "reward") == out.reward &&
                 cJSON_IsTrue(cJSON_GetObjectItem(sc(j), "terminated")) == out.terminated &&
                 cJSON_IsTrue(cJSON_GetObjectItem(sc(j), "truncated")) == out.truncated &&
                 sc_num(j, "step") == ludus_env_step_count(env, state);
        CHECK_MSG(ok, "%s step %d: MCP's reward/flags/step agree with the C API (reward %.17g/%.17g, step %g/%u, %s)",
                  world, t, sc_num(j, "reward"), out.reward, sc_num(j, "step"), ludus_env_step_count(env, state),
                  first_text(j));
        cJSON_Delete(j);
        j = tool(s, "snapshot", "{\"handle\":\"%s\"}", handle);
        size_t len = b64_decode(sc_str(j, "state"), got);
        int same = len == info->state_size && memcmp(got, state, len) == 0;
        CHECK_MSG(same, "%s step %d: the state through MCP is the C API's, byte for byte", world, t);
        cJSON_Delete(j);
        j = tool(s, "observe", "{\"handle\":\"%s\",\"image\":false}", handle);
        const cJSON *fields = cJSON_GetObjectItem(cJSON_GetObjectItem(sc(j), "tensor"), "fields");
        size_t k = 0;
        for (int f = 0; f < cJSON_GetArraySize(fields); f++) {
            const cJSON *d = cJSON_GetObjectItem(cJSON_GetArrayItem(fields, f), "data");
            for (int i = 0; i < cJSON_GetArraySize(d); i++)
                got[k++] = (uint8_t)cJSON_GetArrayItem(d, i)->valuedouble;
        }
        int same_obs = k == info->obs_size && memcmp(got, obs, k) == 0;
        CHECK_MSG(same_obs, "%s step %d: the observed tensor is the C API's observation", world, t);
        cJSON_Delete(j);
        mismatches += !ok || !same || !same_obs;
        if (out.terminated || out.truncated) {
            CHECK_OK(ludus_env_reset_continue(env, state, obs));
            j = tool(s, "reset", "{\"handle\":\"%s\"}", handle);
            CHECK(!is_tool_error(j));
            cJSON_Delete(j);
        }
    }
    free(obs);
    free(got);
    ludus_free(state);
    ludus_env_destroy(env);
    ludus_mcp_server_destroy(srv);
}

static void test_tools(void)
{
    ludus_mcp_limits lim = {.max_handles_per_session = 3, .max_handles_total = 4, .handle_ttl_s = 100,
                            .max_steps_per_call = 5, .max_sessions = 2};
    ludus_mcp_server *srv = NULL;
    CHECK_OK(ludus_mcp_server_create(&lim, &srv));
    ludus_mcp_session *s = initialized(srv, "2025-11-25");
    now_s = 10;

    cJSON *j = tool(s, "make", "{\"world\":\"MiniGrid-DoorKey-5x5-v9\"}");
    CHECK(is_tool_error(j) && strstr(first_text(j), "MiniGrid-DoorKey-5x5-v0"));
    cJSON_Delete(j);
    static const char *const bad_make[] = {"{}", "{\"world\":7}", "{\"world\":\"MiniGrid-Empty-5x5-v0\",\"x\":1}"};
    for (int i = 0; i < 3; i++) {
        j = tool(s, "make", "%s", bad_make[i]);
        CHECK_MSG(is_tool_error(j), "make %s is a tool error", bad_make[i]);
        cJSON_Delete(j);
    }
    j = tool(s, "make", "{\"world\":\"MiniGrid-DoorKey-5x5-v0\"}");
    CHECK(!is_tool_error(j));
    char h[64];
    snprintf(h, sizeof h, "%s", sc_str(j, "handle"));
    CHECK_EQ(strlen(h), 32);
    CHECK_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(sc(j), "actions")), 7);
    cJSON_Delete(j);

    /* Before the first reset. */
    static const char *const early[] = {"step", "observe", "snapshot"};
    for (int i = 0; i < 3; i++) {
        j = tool(s, early[i], i == 0 ? "{\"handle\":\"%s\",\"action\":0}" : "{\"handle\":\"%s\"}", h);
        CHECK_MSG(is_tool_error(j) && strstr(first_text(j), "reset"), "%s before reset", early[i]);
        cJSON_Delete(j);
    }
    j = tool(s, "reset", "{\"handle\":\"%s\"}", h);
    CHECK(is_tool_error(j) && strstr(first_text(j), "seed"));
    cJSON_Delete(j);
    static const char *const bad_seed[] = {"-1", "1.5", "\"3\"", "1e300", "9007199254740992"};
    for (int i = 0; i < 5; i++) {
        j = tool(s, "reset", "{\"handle\":\"%s\",\"seed\":%s}", h, bad_seed[i]);
        CHECK_MSG(is_tool_error(j), "seed %s is a tool error", bad_seed[i]);
        cJSON_Delete(j);
    }
    j = tool(s, "reset", "{\"handle\":\"%s\",\"seed\":9007199254740991}", h);
    CHECK(!is_tool_error(j) && sc_num(j, "step") == 0);
    cJSON_Delete(j);
    j = tool(s, "reset", "{\"handle\":\"%s\",\"seed\":1}", h);
    CHECK(!is_tool_error(j) && strcmp(sc_str(j, "mission"), "use the key to open the door and then get to the goal") == 0);
    CHECK(strlen(sc_str(j, "text")) > 0);
    cJSON_Delete(j);

    /* Illegal actions: a tool error listing the legal ones, nothing played. */
    j = tool(s, "snapshot", "{\"handle\":\"%s\"}", h);
    char *before = strdup(sc_str(j, "state"));
    cJSON_Delete(j);
    static const char *const bad_act[] = {"\"fly\"", "7", "-1", "2.5", "true", "null", "\"\"", "\"99\"", "[0]"};
    for (int i = 0; i < 9; i++) {
        j = tool(s, "step", "{\"handle\":\"%s\",\"action\":%s}", h, bad_act[i]);
        CHECK_MSG(is_tool_error(j) && strstr(first_text(j), "go forward"), "action %s is refused with the legal ones",
                  bad_act[i]);
        cJSON_Delete(j);
    }
    static const char *const bad_list[] = {"[]", "[0,1,\"fly\"]", "[0,0,0,0,0,0]", "\"go forward\""};
    for (int i = 0; i < 4; i++) {
        j = tool(s, "step", "{\"handle\":\"%s\",\"actions\":%s}", h, bad_list[i]);
        CHECK_MSG(is_tool_error(j), "actions %s is refused", bad_list[i]);
        cJSON_Delete(j);
    }
    j = tool(s, "step", "{\"handle\":\"%s\",\"action\":0,\"actions\":[0]}", h);
    CHECK(is_tool_error(j));
    cJSON_Delete(j);
    j = tool(s, "step", "{\"handle\":\"%s\"}", h);
    CHECK(is_tool_error(j));
    cJSON_Delete(j);
    j = tool(s, "snapshot", "{\"handle\":\"%s\"}", h);
    CHECK_STR(sc_str(j, "state"), before);
    cJSON_Delete(j);

    /* Words as a language model writes them (ludus_env_parse_action). */
    j = tool(s, "step", "{\"handle\":\"%s\",\"actions\":[\"Action: turn_left\",\"<|ACTION|>turn right<|END|>\"]}", h);
    CHECK(!is_tool_error(j) && sc_num(j, "step") == 2);
    cJSON_Delete(j);
    cJSON_Delete(tool(s, "reset", "{\"handle\":\"%s\",\"seed\":1}", h));
    /* Names in any case, digit strings, lists up to the limit. */
    j = tool(s, "step", "{\"handle\":\"%s\",\"actions\":[\"TURN LEFT\",\"1\",1,\"turn right\",0]}", h);
    CHECK(!is_tool_error(j) && sc_num(j, "steps_taken") == 5 && sc_num(j, "step") == 5);
    CHECK_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(sc(j), "rewards")), 5);
    cJSON_Delete(j);

    /* observe: text, tensor, PNG. */
    j = tool(s, "observe", "{\"handle\":\"%s\",\"tile_size\":8}", h);
    const cJSON *content = cJSON_GetObjectItem(result(j), "content");
    CHECK_EQ(cJSON_GetArraySize(content), 2);
    const cJSON *img = cJSON_GetArrayItem(content, 1);
    CHECK_STR(cJSON_GetObjectItem(img, "type")->valuestring, "image");
    CHECK_STR(cJSON_GetObjectItem(img, "mimeType")->valuestring, "image/png");
    uint8_t sig[64];
    char head[40];
    snprintf(head, sizeof head, "%.32s", cJSON_GetObjectItem(img, "data")->valuestring);
    b64_decode(head, sig);
    CHECK(memcmp(sig, "\x89PNG\r\n\x1a\n", 8) == 0);
    CHECK_EQ(cJSON_GetObjectItem(cJSON_GetObjectItem(sc(j), "image"), "width")->valuedouble, 5 * 8);
    cJSON_Delete(j);
    static const char *const bad_obs[] = {"\"tile_size\":0", "\"tile_size\":65", "\"text\":1", "\"format\":\"x\""};
    for (int i = 0; i < 4; i++) {
        j = tool(s, "observe", "{\"handle\":\"%s\",%s}", h, bad_obs[i]);
        CHECK_MSG(is_tool_error(j), "observe %s is a tool error", bad_obs[i]);
        cJSON_Delete(j);
    }

    /* snapshot / restore: exact, and foreign bytes refused. */
    j = tool(s, "snapshot", "{\"handle\":\"%s\"}", h);
    char *snap = strdup(sc_str(j, "state"));
    cJSON_Delete(j);
    j = tool(s, "step", "{\"handle\":\"%s\",\"actions\":[2,2,1,2]}", h);
    char *first = cJSON_PrintUnformatted(sc(j));
    cJSON_Delete(j);
    j = tool(s, "restore", "{\"handle\":\"%s\",\"state\":\"%s\"}", h, snap);
    CHECK(!is_tool_error(j) && sc_num(j, "step") == 5);
    cJSON_Delete(j);
    j = tool(s, "step", "{\"handle\":\"%s\",\"actions\":[2,2,1,2]}", h);
    char *second = cJSON_PrintUnformatted(sc(j));
    CHECK_STR(first, second);
    cJSON_Delete(j);
    free(first);
    free(second);
    j = tool(s, "snapshot", "{\"handle\":\"%s\"}", h);
    char *cur = strdup(sc_str(j, "state"));
    cJSON_Delete(j);
    char *damaged = strdup(snap);
    memcpy(damaged, "////////////////", 16); /* the header: not a state this world made */
    static const char *fmt_bad[] = {"%s", "%.8s", "A%s", "%s=", "!!!!"};
    for (int i = 0; i < 5; i++) {
        char arg[1 << 15];
        const char *src = i == 0 ? damaged : snap;
        snprintf(arg, sizeof arg, fmt_bad[i], src);
        j = tool(s, "restore", "{\"handle\":\"%s\",\"state\":\"%s\"}", h, arg);
        CHECK_MSG(is_tool_error(j), "restore of bad bytes %d is refused", i);
        cJSON_Delete(j);
    }
    j = tool(s, "snapshot", "{\"handle\":\"%s\"}", h);
    CHECK_STR(sc_str(j, "state"), cur); /* refused restores changed nothing */
    cJSON_Delete(j);
    free(damaged);
    free(cur);

    /* A state of another world is refused. */
    j = tool(s, "make", "{\"world\":\"MiniGrid-Empty-5x5-v0\"}");
    char h2[64];
    snprintf(h2, sizeof h2, "%s", sc_str(j, "handle"));
    cJSON_Delete(j);
    j = tool(s, "restore", "{\"handle\":\"%s\",\"state\":\"%s\"}", h2, snap);
    CHECK_MSG(is_tool_error(j) && strstr(first_text(j), "MiniGrid-Empty-5x5-v0 is 288 bytes"), "another world's state: %s",
              first_text(j));
    cJSON_Delete(j);
    free(snap);
    free(before);

    /* Limits: handles per session and in all; sessions. */
    j = tool(s, "make", "{\"world\":\"MiniGrid-Empty-5x5-v0\"}");
    CHECK(!is_tool_error(j));
    cJSON_Delete(j);
    j = tool(s, "make", "{\"world\":\"MiniGrid-Empty-5x5-v0\"}");
    CHECK(is_tool_error(j) && strstr(first_text(j), "limit"));
    cJSON_Delete(j);
    CHECK_EQ(ludus_mcp_session_num_handles(s), 3);
    ludus_mcp_session *other = initialized(srv, "2025-11-25");
    j = tool(other, "make", "{\"world\":\"MiniGrid-Empty-5x5-v0\"}");
    CHECK(!is_tool_error(j));
    cJSON_Delete(j);
    j = tool(other, "make", "{\"world\":\"MiniGrid-Empty-5x5-v0\"}");
    CHECK(is_tool_error(j) && strstr(first_text(j), "server"));
    cJSON_Delete(j);
    CHECK_EQ(ludus_mcp_server_num_handles(srv), 4);
    /* Handles are per session. */
    j = tool(other, "reset", "{\"handle\":\"%s\",\"seed\":1}", h);
    CHECK(is_tool_error(j) && strstr(first_text(j), "unknown or expired handle"));
    cJSON_Delete(j);
    ludus_mcp_session *third = NULL;
    CHECK_ERR(ludus_mcp_session_open(srv, &third), LUDUS_EUNSUPPORTED);
    ludus_mcp_session_close(other);
    CHECK_EQ(ludus_mcp_server_num_handles(srv), 3);

    /* close, then the handle is unknown. */
    j = tool(s, "close", "{\"handle\":\"%s\"}", h2);
    CHECK(!is_tool_error(j) && cJSON_IsTrue(cJSON_GetObjectItem(sc(j), "closed")));
    cJSON_Delete(j);
    j = tool(s, "close", "{\"handle\":\"%s\"}", h2);
    CHECK(is_tool_error(j));
    cJSON_Delete(j);
    j = tool(s, "step", "{\"handle\":\"nope\",\"action\":0}");
    CHECK(is_tool_error(j) && strstr(first_text(j), "unknown or expired handle 'nope'"));
    cJSON_Delete(j);

    /* Lifetime: a handle unused for handle_ttl_s is gone; a used one stays. */
    now_s = 80;
    j = tool(s, "observe", "{\"handle\":\"%s\",\"image\":false}", h);
    CHECK(!is_tool_error(j));
    cJSON_Delete(j);
    now_s = 150; /* h used at 80, the other two at 10 */
    j = tool(s, "step", "{\"handle\":\"%s\",\"action\":0}", h);
    CHECK(!is_tool_error(j));
    cJSON_Delete(j);
    CHECK_EQ(ludus_mcp_session_num_handles(s), 1);
    now_s = 251;
    j = tool(s, "step", "{\"handle\":\"%s\",\"action\":0}", h);
    CHECK(is_tool_error(j) && strstr(first_text(j), "expired"));
    cJSON_Delete(j);
    CHECK_EQ(ludus_mcp_server_num_handles(srv), 0);
    now_s = 0;
    ludus_mcp_server_destroy(srv);

    ludus_mcp_limits neg = {.max_sessions = -1};
    ludus_mcp_server *none = (ludus_mcp_server *)1;
    CHECK_ERR(ludus_mcp_server_create(&neg, &none), LUDUS_EINVAL);
    CHECK(none == NULL);
    ludus_mcp_server_destroy(NULL);
    ludus_mcp_session_close(NULL);
}

/* A Crafter world: achievements named in step results. */
static void test_achievements(void)
{
    ludus_mcp_server *srv = NULL;
    CHECK_OK(ludus_mcp_server_create(NULL, &srv));
    ludus_mcp_session *s = initialized(srv, "2025-11-25");
    cJSON *j = tool(s, "make", "{\"world\":\"Crafter-Reward-v1\"}");
    char h[64];
    snprintf(h, sizeof h, "%s", sc_str(j, "handle"));
    cJSON_Delete(j);
    j = tool(s, "reset", "{\"handle\":\"%s\",\"seed\":0}", h);
    cJSON_Delete(j);
    /* Walking and collecting until some achievement is unlocked. */
    int found = 0;
    for (int i = 0; i < 200 && !found; i++) {
        j = tool(s, "step", "{\"handle\":\"%s\",\"actions\":[%d,5,5,5]}", h, 1 + i % 4);
        const cJSON *a = cJSON_GetObjectItem(sc(j), "achievements");
        for (int k = 0; k < cJSON_GetArraySize(a); k++)
            if (strcmp(cJSON_GetArrayItem(a, k)->valuestring, "collect_wood") == 0 ||
                strcmp(cJSON_GetArrayItem(a, k)->valuestring, "collect_sapling") == 0)
                found = 1;
        cJSON_Delete(j);
    }
    CHECK_MSG(found, "a Crafter walk through MCP unlocks an achievement, named in the result");
    ludus_mcp_server_destroy(srv);
}

/* Mutated messages (bytes flipped, cut, repeated) against a session with a
 * live world: every one is answered with JSON or nothing, never a crash
 * (the sanitizer build runs this too). */
static void test_fuzz(void)
{
    ludus_mcp_limits lim = {.max_handles_per_session = 4, .max_handles_total = 4};
    ludus_mcp_server *srv = NULL;
    CHECK_OK(ludus_mcp_server_create(&lim, &srv));
    ludus_mcp_session *s = initialized(srv, "2025-11-25");
    cJSON *j = tool(s, "make", "{\"world\":\"MiniGrid-DoorKey-5x5-v0\"}");
    char h[64], msg[8192];
    snprintf(h, sizeof h, "%s", sc_str(j, "handle"));
    cJSON_Delete(j);
    cJSON_Delete(tool(s, "reset", "{\"handle\":\"%s\",\"seed\":2}", h));
    j = tool(s, "snapshot", "{\"handle\":\"%s\"}", h);
    char *snap = strdup(sc_str(j, "state"));
    cJSON_Delete(j);
    const char *templates[] = {
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"step\",\"arguments\":{\"handle\":\"%s\",\"actions\":[0,\"go forward\",2]}}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"observe\",\"arguments\":{\"handle\":\"%s\",\"tile_size\":2}}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"reset\",\"arguments\":{\"handle\":\"%s\",\"seed\":5}}}",
        "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"tools/call\",\"params\":{\"name\":\"list_worlds\",\"arguments\":{\"contains\":\"%.4s\"}}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"make\",\"arguments\":{\"world\":\"MiniGrid-Empty-5x5-v0\"}},\"h\":\"%s\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"restore\",\"arguments\":{\"handle\":\"%s\",\"state\":\"SNAP\"}}}",
    };
    ludus_rng rng;
    ludus_rng_seed(&rng, 99);
    int answered = 0, rounds = 3000;
    for (int r = 0; r < rounds; r++) {
        int t = (int)ludus_rng_integers(&rng, 0, 6);
        int n = snprintf(msg, sizeof msg, templates[t], h);
        if (t == 5) { /* the snapshot in place of SNAP */
            char *at = strstr(msg, "SNAP");
            char tail[256];
            snprintf(tail, sizeof tail, "%s", at + 4);
            n = (int)(at - msg) + snprintf(at, sizeof msg - (size_t)(at - msg), "%s%s", snap, tail);
        }
        int edits = (int)ludus_rng_integers(&rng, 0, 6);
        for (int e = 0; e < edits && n > 1; e++) {
            int at = (int)ludus_rng_integers(&rng, 0, n);
            switch (ludus_rng_integers(&rng, 0, 4)) {
            case 0: msg[at] = (char)ludus_rng_integers(&rng, 0, 256); break;        /* any byte */
            case 1: msg[at] = "{}[]\",:0-e.\\u"[ludus_rng_integers(&rng, 0, 13)]; break; /* syntax */
            case 2: n = at; break;                                                     /* cut */
            default: memmove(msg + at + 1, msg + at, (size_t)(n - at)); n++; break;  /* repeat */
            }
        }
        char *out = NULL;
        int rc = ludus_mcp_handle(s, msg, (size_t)n, 0, &out);
        if (rc != LUDUS_OK) CHECK_EQ(rc, LUDUS_OK);
        if (out) {
            cJSON *a = cJSON_Parse(out);
            if (!a) CHECK_MSG(0, "an answer that does not parse: %s", out);
            cJSON_Delete(a);
            answered++;
        }
        free(out);
        /* keep the world alive and the handle count bounded */
        while (ludus_mcp_session_num_handles(s) > 2) {
            for (int i = 0; i < 4; i++) {
                char m[256];
                snprintf(m, sizeof m, "{\"handle\":\"%s\"}", s->handles[i]->id);
                if (strcmp(s->handles[i]->id, h) != 0) {
                    cJSON_Delete(tool(s, "close", "%s", m));
                    break;
                }
            }
        }
    }
    CHECK(answered > rounds / 2);
    j = tool(s, "observe", "{\"handle\":\"%s\"}", h);
    CHECK(!is_tool_error(j)); /* the world survived all of it */
    cJSON_Delete(j);
    free(snap);
    ludus_mcp_server_destroy(srv);
}

/* A world whose action has two components and a mask (Keypad): vectors,
 * words, mask refusals, and the states of the C API's ludus_env_step_vec. */
static void test_multi_component(void)
{
    ludus_mcp_server *srv = NULL;
    CHECK_OK(ludus_mcp_server_create(NULL, &srv));
    ludus_mcp_session *s = initialized(srv, "2025-11-25");
    cJSON *j = tool(s, "make", "{\"world\":\"Keypad-5x5-v0\"}");
    char h[64];
    snprintf(h, sizeof h, "%s", sc_str(j, "handle"));
    CHECK(strstr(first_text(j), "list of 2 indices") != NULL);
    cJSON_Delete(j);
    cJSON_Delete(tool(s, "reset", "{\"handle\":\"%s\",\"seed\":3}", h));
    ludus_env *env = NULL;
    CHECK_OK(ludus_env_make("Keypad-5x5-v0", "", &env));
    const ludus_env_info *info = ludus_env_get_info(env);
    void *state = ludus_env_state_new(env);
    uint8_t *got = malloc(info->state_size + 8);
    CHECK_OK(ludus_env_reset(env, state, 3, NULL));
    int32_t a1[2] = {0, 2}, a2[2] = {1, 0};
    ludus_step_out o1, o2;
    CHECK_OK(ludus_env_step_vec(env, state, a1, NULL, &o1));
    CHECK_OK(ludus_env_step_vec(env, state, a2, NULL, &o2));
    j = tool(s, "step", "{\"handle\":\"%s\",\"actions\":[[0,2],\"Action: slot 2 digit 0\"]}", h);
    CHECK(!is_tool_error(j) && sc_num(j, "steps_taken") == 2 && sc_num(j, "reward") == o1.reward + o2.reward);
    cJSON_Delete(j);
    j = tool(s, "snapshot", "{\"handle\":\"%s\"}", h);
    CHECK(b64_decode(sc_str(j, "state"), got) == info->state_size && memcmp(got, state, info->state_size) == 0);
    char *before = strdup(sc_str(j, "state"));
    cJSON_Delete(j);
    /* Slot 1 is filled: the mask forbids it; nothing changes. */
    static const char *const bad[] = {"[0,3]", "\"slot 1 digit 4\"", "[5,0]", "[0]", "[0,1,2]", "3", "\"go forward\""};
    for (int i = 0; i < 7; i++) {
        j = tool(s, "step", "{\"handle\":\"%s\",\"action\":%s}", h, bad[i]);
        CHECK_MSG(is_tool_error(j), "Keypad action %s is refused", bad[i]);
        cJSON_Delete(j);
    }
    j = tool(s, "snapshot", "{\"handle\":\"%s\"}", h);
    CHECK_STR(sc_str(j, "state"), before);
    cJSON_Delete(j);
    /* In a list, the mask is known only as it plays: the steps before the
     * refused one stay played, and the message says so. */
    j = tool(s, "step", "{\"handle\":\"%s\",\"actions\":[[2,1],[2,0]]}", h);
    CHECK(is_tool_error(j) && strstr(first_text(j), "1 action played (now at step 3)"));
    cJSON_Delete(j);
    free(before);
    free(got);
    ludus_free(state);
    ludus_env_destroy(env);
    ludus_mcp_server_destroy(srv);
}

int main(void)
{
    test_multi_component();
    test_fuzz();
    test_protocol();
    test_tools_list();
    test_tools();
    test_achievements();
    trajectory("MiniGrid-DoorKey-5x5-v0", 3, 300);
    trajectory("BabyAI-GoToLocal-v0", 11, 200);
    trajectory("Crafter-Reward-v1", 5, 150);
    return check_finish("test_mcp");
}
