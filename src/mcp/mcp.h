/* mcp.h: the Model Context Protocol server of `ludus mcp`, without I/O.
 *
 * A server holds the limits, the shared world specs and every session; a
 * session is one client's conversation (one stdio stream, or one
 * Mcp-Session-Id over HTTP) with the worlds it made (handles). The protocol
 * and the tools are a function from one JSON-RPC message (a string) to its
 * answer (a string, or nothing for notifications): the transports in
 * src/cli/cmd_mcp.c read and write, this part never prints and keeps no
 * clock (the caller passes the time, so handle lifetimes are testable).
 *
 * Everything a client sends is untrusted: every message is parsed with
 * bounds, every argument checked, and every failure becomes a JSON-RPC
 * error (malformed requests) or a tool result with isError (bad argument
 * values, unknown handles, illegal actions). docs/mcp.md describes the
 * tools.
 *
 * Threads: a server and its sessions are one thread's at a time (the
 * transports serve every connection from one thread).
 */
#ifndef LUDUS_MCP_H
#define LUDUS_MCP_H

#include <stddef.h>

/* JSON-RPC 2.0 error codes the server answers with. */
enum {
    LUDUS_MCP_PARSE_ERROR = -32700,
    LUDUS_MCP_INVALID_REQUEST = -32600,
    LUDUS_MCP_METHOD_NOT_FOUND = -32601,
    LUDUS_MCP_INVALID_PARAMS = -32602,
    LUDUS_MCP_INTERNAL_ERROR = -32603
};

/* The limits that keep a server up under abuse (0 in a field: its
 * default, given in brackets). */
typedef struct ludus_mcp_limits {
    int max_sessions;            /* open sessions at once [16] */
    int max_handles_per_session; /* live worlds per session [8] */
    int max_handles_total;       /* live worlds over all sessions [64] */
    double handle_ttl_s;         /* a world unused this long is closed [1800] */
    size_t max_request_bytes;    /* one message [1 MiB] */
    int max_steps_per_call;      /* actions in one `step` call [1000] */
} ludus_mcp_limits;

/* The protocol revisions spoken, newest first ("2025-11-25",
 * "2025-06-18"), ended by NULL. */
extern const char *const ludus_mcp_versions[];

typedef struct ludus_mcp_server ludus_mcp_server;
typedef struct ludus_mcp_session ludus_mcp_session;

/* A server with these limits (NULL: the defaults). LUDUS_EINVAL for a
 * negative limit, LUDUS_ENOMEM. The caller destroys *out. */
int ludus_mcp_server_create(const ludus_mcp_limits *limits, ludus_mcp_server **out);
/* Close every session and free the server (NULL is harmless). */
void ludus_mcp_server_destroy(ludus_mcp_server *srv);
/* The limits in force (defaults filled in). */
const ludus_mcp_limits *ludus_mcp_server_limits(const ludus_mcp_server *srv);
/* Open sessions, live handles over all sessions. */
int ludus_mcp_server_num_sessions(const ludus_mcp_server *srv);
int ludus_mcp_server_num_handles(const ludus_mcp_server *srv);

/* Open a session. Its id (32 hex digits, 128 random bits from the
 * system) is what HTTP clients send as Mcp-Session-Id. LUDUS_EUNSUPPORTED
 * when max_sessions are open, LUDUS_EIO when the system gives no random
 * bytes, LUDUS_ENOMEM. The session belongs to srv: close it with
 * ludus_mcp_session_close, or the server's destroy closes it. */
int ludus_mcp_session_open(ludus_mcp_server *srv, ludus_mcp_session **out);
/* Close a session and every world it made (NULL is harmless). */
void ludus_mcp_session_close(ludus_mcp_session *s);
/* The session with this id, NULL if none (or id NULL). */
ludus_mcp_session *ludus_mcp_session_find(ludus_mcp_server *srv, const char *id);
/* The i-th open session (0..num_sessions-1), NULL out of range. */
ludus_mcp_session *ludus_mcp_session_at(ludus_mcp_server *srv, int i);
const char *ludus_mcp_session_id(const ludus_mcp_session *s);
/* The negotiated protocol revision; NULL before a successful initialize. */
const char *ludus_mcp_session_version(const ludus_mcp_session *s);
/* The time (the caller's clock, seconds) of the session's last message. */
double ludus_mcp_session_last_used(const ludus_mcp_session *s);
/* Live handles of the session. */
int ludus_mcp_session_num_handles(const ludus_mcp_session *s);

/* Answer one JSON-RPC message of `len` bytes (need not be NUL-terminated)
 * received at time `now` (seconds on the caller's monotonic clock; worlds
 * unused for handle_ttl_s are closed first). On LUDUS_OK, *response is the
 * answer, one line of JSON without a newline, allocated with malloc (the
 * caller frees it), or NULL when the message needs no answer (a
 * notification, or a client's response). Protocol failures are answers,
 * not return codes: only LUDUS_ENOMEM and LUDUS_EINVAL (NULL arguments)
 * are returned. */
int ludus_mcp_handle(ludus_mcp_session *s, const char *msg, size_t len, double now, char **response);

/* A JSON-RPC error answer with id null (for transports that refuse a
 * message before parsing it: an oversized line). malloc'd; NULL when out
 * of memory. */
char *ludus_mcp_error_json(int code, const char *message);

/* Whether `text` is a JSON-RPC request (an object with a method and an
 * id) whose method is "initialize": how the HTTP transport tells a new
 * session's first message. Never fails. */
int ludus_mcp_is_initialize(const char *msg, size_t len);

#endif
