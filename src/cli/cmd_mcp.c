/* cmd_mcp.c: `ludus mcp`: the MCP server's transports. stdio carries one
 * JSON-RPC message per line (stdout holds nothing else; messages for
 * people go to stderr) and ends at the end of input. --http serves
 * Streamable HTTP on one endpoint, /mcp, through libmicrohttpd: POST
 * answered with JSON (no SSE streams: GET is 405), 202 for notifications,
 * Mcp-Session-Id and MCP-Protocol-Version checked, Origin validated,
 * loopback only unless --allow-remote, an optional bearer token. The
 * protocol itself is src/mcp/.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "mcp/mcp.h"

#ifdef LUDUS_MCP_HTTP
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#endif

#define MAX_ORIGINS 8

typedef struct mcp_opts {
    ludus_mcp_limits limits;
    const char *http;   /* HOST:PORT or NULL (stdio) */
    const char *token;  /* bearer token or NULL */
    const char *origins[MAX_ORIGINS];
    int num_origins;
    int allow_remote;
    double session_ttl;
} mcp_opts;

/* ---- stdio -------------------------------------------------------------------- */

static int emit(char *line)
{
    if (!line) return -1;
    int bad = fputs(line, stdout) < 0 || fputc('\n', stdout) < 0 || fflush(stdout) != 0;
    free(line);
    return bad ? -1 : 0;
}

static int serve_stdio(ludus_mcp_server *srv)
{
    ludus_mcp_session *s = NULL;
    if (ludus_mcp_session_open(srv, &s) != LUDUS_OK) return cli_fail("mcp");
    size_t max = ludus_mcp_server_limits(srv)->max_request_bytes;
    char *buf = malloc(max + 1);
    if (!buf) return cli_error("mcp: out of memory");
    int status = 0;
    for (;;) {
        size_t len = 0;
        int over = 0, ch;
        while ((ch = getc_unlocked(stdin)) != EOF && ch != '\n') {
            if (len < max) buf[len++] = (char)ch;
            else over = 1;
        }
        if (ch == EOF && len == 0 && !over) break;
        if (len && buf[len - 1] == '\r') len--;
        char *answer = NULL;
        if (over) {
            char msg[128];
            snprintf(msg, sizeof msg, "the message is larger than the limit of %zu bytes", max);
            answer = ludus_mcp_error_json(-32600, msg);
            if (!answer) status = cli_error("mcp: out of memory");
        } else {
            size_t k = 0;
            while (k < len && (buf[k] == ' ' || buf[k] == '\t')) k++;
            if (k == len) { /* blank line */
                if (ch == EOF) break;
                continue;
            }
            if (ludus_mcp_handle(s, buf, len, cli_now(), &answer) != LUDUS_OK) status = cli_fail("mcp");
        }
        if (status) break;
        if (answer && emit(answer) != 0) {
            fprintf(stderr, "ludus: mcp: cannot write to stdout: %s\n", strerror(errno));
            status = 1;
            break;
        }
        if (ch == EOF) break;
    }
    free(buf);
    ludus_mcp_session_close(s);
    return status;
}

/* ---- Streamable HTTP ---------------------------------------------------------- */

#ifdef LUDUS_MCP_HTTP

typedef struct http_req {
    char *body;
    size_t len, cap;
    int too_big;
} http_req;

typedef struct http_ctx {
    ludus_mcp_server *srv;
    const mcp_opts *opts;
} http_ctx;

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned code, const char *type, const char *body,
                                 const char *session_id)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r) return MHD_NO;
    if (type) MHD_add_response_header(r, "Content-Type", type);
    if (session_id) MHD_add_response_header(r, "Mcp-Session-Id", session_id);
    if (code == 405) MHD_add_response_header(r, "Allow", "POST, DELETE");
    if (code == 401) MHD_add_response_header(r, "WWW-Authenticate", "Bearer");
    enum MHD_Result ok = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ok;
}

/* An HTTP error with a JSON-RPC error body (id null). */
static enum MHD_Result send_error(struct MHD_Connection *c, unsigned code, int rpc_code, const char *msg)
{
    char *body = ludus_mcp_error_json(rpc_code, msg);
    enum MHD_Result ok = send_text(c, code, "application/json", body ? body : "", NULL);
    free(body);
    return ok;
}

/* http(s)://localhost, 127.0.0.1 or [::1], with any port, or one of the
 * origins allowed by --allow-origin. */
static int origin_ok(const mcp_opts *o, const char *origin)
{
    for (int i = 0; i < o->num_origins; i++)
        if (strcmp(origin, o->origins[i]) == 0) return 1;
    static const char *const hosts[] = {"http://localhost", "http://127.0.0.1", "http://[::1]",
                                        "https://localhost", "https://127.0.0.1", "https://[::1]"};
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
        size_t n = strlen(hosts[i]);
        if (strncmp(origin, hosts[i], n) != 0) continue;
        const char *rest = origin + n;
        if (!*rest) return 1;
        if (*rest == ':' && rest[1] && strspn(rest + 1, "0123456789") == strlen(rest + 1) && strlen(rest + 1) <= 5)
            return 1;
    }
    return 0;
}

/* Compares without stopping at the first difference. */
static int same_secret(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char d = la != lb;
    for (size_t i = 0; i < la; i++) d |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
    return d == 0;
}

static int version_supported(const char *v)
{
    for (int i = 0; ludus_mcp_versions[i]; i++)
        if (strcmp(v, ludus_mcp_versions[i]) == 0) return 1;
    return 0;
}

static void expire_sessions(http_ctx *h, double now)
{
    for (int i = ludus_mcp_server_num_sessions(h->srv) - 1; i >= 0; i--) {
        ludus_mcp_session *s = ludus_mcp_session_at(h->srv, i);
        if (now - ludus_mcp_session_last_used(s) > h->opts->session_ttl) ludus_mcp_session_close(s);
    }
}

/* Checks every request passes before its body is read: the path, the
 * Origin, the token. Queues the refusal and returns 1 when refused. */
static int refuse_early(http_ctx *h, struct MHD_Connection *c, const char *url, const char *method,
                        enum MHD_Result *ret)
{
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    if (strcmp(url, "/mcp") != 0) {
        *ret = send_error(c, 404, -32600, "not found: the MCP endpoint is /mcp");
        return 1;
    }
    if (origin && !origin_ok(h->opts, origin)) {
        *ret = send_error(c, 403, -32600, "forbidden: this Origin is not allowed (see --allow-origin)");
        return 1;
    }
    if (h->opts->token) {
        const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
        if (!auth || strncasecmp(auth, "Bearer ", 7) != 0 || !same_secret(auth + 7, h->opts->token)) {
            *ret = send_error(c, 401, -32600, "unauthorized: a valid bearer token is required");
            return 1;
        }
    }
    if (strcmp(method, "POST") == 0) {
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtod(cl, NULL) > (double)ludus_mcp_server_limits(h->srv)->max_request_bytes) {
            *ret = send_error(c, 413, -32600, "the request body is larger than the limit");
            return 1;
        }
    }
    return 0;
}

static enum MHD_Result handle_post(http_ctx *h, struct MHD_Connection *c, http_req *rq)
{
    if (rq->too_big) return send_error(c, 413, -32600, "the request body is larger than the limit");
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    if (!ct || strncasecmp(ct, "application/json", 16) != 0)
        return send_error(c, 415, -32600, "the body must be application/json");
    const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept");
    if (accept && !strstr(accept, "application/json") && !strstr(accept, "*/*"))
        return send_error(c, 406, -32600, "the client must accept application/json");
    double now = cli_now();
    expire_sessions(h, now);
    const char *sid = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Mcp-Session-Id");
    ludus_mcp_session *s = NULL;
    int fresh = 0;
    if (!sid) {
        if (!ludus_mcp_is_initialize(rq->body, rq->len))
            return send_error(c, 400, -32600, "missing Mcp-Session-Id header: initialize first");
        if (ludus_mcp_session_open(h->srv, &s) != LUDUS_OK) return send_error(c, 503, -32603, ludus_errmsg());
        fresh = 1;
    } else {
        s = ludus_mcp_session_find(h->srv, sid);
        if (!s) return send_error(c, 404, -32600, "unknown or expired session: initialize a new one");
        const char *pv = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "MCP-Protocol-Version");
        if (!pv) return send_error(c, 400, -32600, "missing MCP-Protocol-Version header");
        if (!version_supported(pv)) return send_error(c, 400, -32600, "unsupported MCP-Protocol-Version");
        const char *neg = ludus_mcp_session_version(s);
        if (neg && strcmp(pv, neg) != 0)
            return send_error(c, 400, -32600, "MCP-Protocol-Version differs from the negotiated version");
    }
    char *answer = NULL;
    if (ludus_mcp_handle(s, rq->body ? rq->body : "", rq->len, now, &answer) != LUDUS_OK) {
        if (fresh) ludus_mcp_session_close(s);
        return send_error(c, 500, -32603, ludus_errmsg());
    }
    const char *header_sid = NULL;
    if (fresh) {
        if (ludus_mcp_session_version(s)) header_sid = ludus_mcp_session_id(s);
        else { /* initialize refused: no session */
            ludus_mcp_session_close(s);
            s = NULL;
        }
    }
    enum MHD_Result ok;
    if (answer) ok = send_text(c, 200, "application/json", answer, header_sid);
    else ok = send_text(c, 202, NULL, "", header_sid);
    free(answer);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    http_ctx *h = cls;
    http_req *rq = *con_cls;
    if (!rq) {
        enum MHD_Result ret;
        if (refuse_early(h, c, url, method, &ret)) return ret;
        rq = calloc(1, sizeof *rq);
        if (!rq) return MHD_NO;
        *con_cls = rq;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t max = ludus_mcp_server_limits(h->srv)->max_request_bytes;
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (rq->too_big || rq->len + n > max) {
            rq->too_big = 1;
            free(rq->body);
            rq->body = NULL;
            rq->len = rq->cap = 0;
            return MHD_YES;
        }
        if (rq->len + n > rq->cap) {
            size_t cap = rq->cap ? rq->cap : 4096;
            while (cap < rq->len + n) cap *= 2;
            char *b = realloc(rq->body, cap);
            if (!b) return MHD_NO;
            rq->body = b;
            rq->cap = cap;
        }
        memcpy(rq->body + rq->len, upload_data, n);
        rq->len += n;
        return MHD_YES;
    }
    if (strcmp(method, "POST") == 0) return handle_post(h, c, rq);
    if (strcmp(method, "DELETE") == 0) {
        const char *sid = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Mcp-Session-Id");
        if (!sid) return send_error(c, 400, -32600, "missing Mcp-Session-Id header");
        ludus_mcp_session *s = ludus_mcp_session_find(h->srv, sid);
        if (!s) return send_error(c, 404, -32600, "unknown or expired session");
        ludus_mcp_session_close(s);
        return send_text(c, 200, NULL, "", NULL);
    }
    /* GET would open a server-to-client SSE stream: this server sends no
     * requests or notifications of its own, so it offers none. */
    return send_error(c, 405, -32600, "method not allowed: POST JSON-RPC messages to /mcp");
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    http_req *rq = *con_cls;
    if (rq) {
        free(rq->body);
        free(rq);
    }
    *con_cls = NULL;
}

static int is_loopback(struct in_addr a) { return (ntohl(a.s_addr) >> 24) == 127; }

static int serve_http(ludus_mcp_server *srv, const mcp_opts *o)
{
    char host[64];
    const char *colon = strrchr(o->http, ':');
    if (!colon || (size_t)(colon - o->http) >= sizeof host)
        return cli_error("mcp: --http wants HOST:PORT, e.g. 127.0.0.1:8765");
    memcpy(host, o->http, (size_t)(colon - o->http));
    host[colon - o->http] = 0;
    long port;
    if (cli_parse_int("--http port", colon + 1, 0, 65535, &port)) return CLI_USAGE_ERROR;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (strcmp(host, "localhost") == 0) strcpy(host, "127.0.0.1");
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
        return cli_error("mcp: --http host '%s' is not an IPv4 address (or localhost)", host);
    if (!is_loopback(sa.sin_addr) && !o->allow_remote)
        return cli_error("mcp: %s is not a loopback address: pass --allow-remote to serve other machines "
                         "(and --token to require a bearer token)", host);

    /* The daemon's thread serves every connection; this thread waits for
     * a signal. Block them first so the daemon's thread inherits the mask. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    http_ctx h = {srv, o};
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port, NULL, NULL, on_request, &h,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)64, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_END);
    if (!d) return cli_error("mcp: cannot listen on %s:%ld (in use, or not permitted)", host, port);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    fprintf(stderr, "ludus mcp: listening on http://%s:%u/mcp\n", host, info ? info->port : (unsigned)port);
    fflush(stderr);
    int sig = 0;
    sigwait(&sigs, &sig);
    MHD_stop_daemon(d);
    fprintf(stderr, "ludus mcp: stopped (signal %d)\n", sig);
    return 0;
}
#endif

/* ---- the command -------------------------------------------------------------- */

int cmd_mcp(int argc, char **argv)
{
    mcp_opts o;
    memset(&o, 0, sizeof o);
    o.token = getenv("LUDUS_MCP_TOKEN");
    if (o.token && !*o.token) o.token = NULL;
    long v;
    double dv;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            cli_usage(stdout, "mcp");
            return 0;
        } else if (strcmp(a, "--http") == 0) {
            if (!(o.http = cli_value(argc, argv, &i))) return CLI_USAGE_ERROR;
        } else if (strcmp(a, "--token") == 0) {
            if (!(o.token = cli_value(argc, argv, &i))) return CLI_USAGE_ERROR;
        } else if (strcmp(a, "--allow-origin") == 0) {
            if (!(val = cli_value(argc, argv, &i))) return CLI_USAGE_ERROR;
            if (o.num_origins == MAX_ORIGINS) return cli_error("mcp: at most %d --allow-origin", MAX_ORIGINS);
            o.origins[o.num_origins++] = val;
        } else if (strcmp(a, "--allow-remote") == 0) {
            o.allow_remote = 1;
        } else if (strcmp(a, "--max-sessions") == 0) {
            if (!(val = cli_value(argc, argv, &i)) || cli_parse_int(a, val, 1, 100000, &v)) return CLI_USAGE_ERROR;
            o.limits.max_sessions = (int)v;
        } else if (strcmp(a, "--max-worlds") == 0) {
            if (!(val = cli_value(argc, argv, &i)) || cli_parse_int(a, val, 1, 1000000, &v)) return CLI_USAGE_ERROR;
            o.limits.max_handles_total = (int)v;
        } else if (strcmp(a, "--max-worlds-per-session") == 0) {
            if (!(val = cli_value(argc, argv, &i)) || cli_parse_int(a, val, 1, 100000, &v)) return CLI_USAGE_ERROR;
            o.limits.max_handles_per_session = (int)v;
        } else if (strcmp(a, "--world-ttl") == 0) {
            if (!(val = cli_value(argc, argv, &i)) || cli_parse_double(a, val, 0.001, 1e9, &dv))
                return CLI_USAGE_ERROR;
            o.limits.handle_ttl_s = dv;
        } else if (strcmp(a, "--max-request") == 0) {
            if (!(val = cli_value(argc, argv, &i)) || cli_parse_int(a, val, 256, 1L << 30, &v))
                return CLI_USAGE_ERROR;
            o.limits.max_request_bytes = (size_t)v;
        } else if (strcmp(a, "--max-steps-per-call") == 0) {
            if (!(val = cli_value(argc, argv, &i)) || cli_parse_int(a, val, 1, 1000000, &v)) return CLI_USAGE_ERROR;
            o.limits.max_steps_per_call = (int)v;
        } else {
            cli_usage(stderr, "mcp");
            return cli_error("mcp: unexpected argument '%s'", a);
        }
    }
    ludus_mcp_server *srv = NULL;
    if (ludus_mcp_server_create(&o.limits, &srv) != LUDUS_OK) return cli_fail("mcp");
    o.session_ttl = ludus_mcp_server_limits(srv)->handle_ttl_s;
    int rc;
    if (o.http) {
#ifdef LUDUS_MCP_HTTP
        rc = serve_http(srv, &o);
#else
        rc = cli_error("mcp: this ludus was built without the HTTP transport (LUDUS_MCP_HTTP=OFF)");
#endif
    } else {
        if (o.token || o.num_origins || o.allow_remote)
            fprintf(stderr, "ludus: mcp: --token, --allow-origin and --allow-remote apply to --http only\n");
        signal(SIGPIPE, SIG_IGN);
        rc = serve_stdio(srv);
    }
    ludus_mcp_server_destroy(srv);
    return rc;
}
