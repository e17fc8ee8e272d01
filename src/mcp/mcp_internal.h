/* mcp_internal.h: what mcp.c and tools.c share (not for the transports). */
#ifndef LUDUS_MCP_INTERNAL_H
#define LUDUS_MCP_INTERNAL_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "ludus/ludus.h"
#include "mcp/mcp.h"

#define LUDUS_MCP_ID_LEN 32

/* One world a client made: a shared spec, its own state. */
typedef struct ludus_mcp_world {
    char id[LUDUS_MCP_ID_LEN + 1];
    const ludus_env *env;   /* the server's spec, shared */
    void *state;            /* info.state_size bytes */
    uint8_t *obs;           /* info.obs_size bytes */
    int seeded;             /* reset with a seed at least once */
    double last_used;
} ludus_mcp_world;

struct ludus_mcp_session {
    ludus_mcp_server *srv;
    char id[LUDUS_MCP_ID_LEN + 1];
    char version[16];       /* negotiated revision; "" before initialize */
    int ready;              /* notifications/initialized received */
    double last_used;
    ludus_mcp_world **handles;
    int num_handles;
};

struct ludus_mcp_server {
    ludus_mcp_limits limits;
    ludus_mcp_session **sessions;
    int num_sessions;
    int num_handles;        /* over all sessions */
    ludus_env **specs;      /* one per registered id, made on first use */
    int num_specs;
};

/* 128 random bits as 32 lowercase hex digits. LUDUS_EIO without entropy. */
int ludus_mcp_random_hex(char out[LUDUS_MCP_ID_LEN + 1]);
/* Whether v is an integer in [lo, 2^53 - 1]. */
int ludus_mcp_is_int(double v, double lo);
/* Close handle i of the session (the last one takes its place). */
void ludus_mcp_handle_close(ludus_mcp_session *s, int i);
/* Close every world of every session unused since now - handle_ttl_s. */
void ludus_mcp_expire(ludus_mcp_server *srv, double now);
/* The result of tools/list (a new object). NULL when out of memory. */
cJSON *ludus_mcp_tools_list(void);
/* The CallToolResult of tool `name` (a new object; tool errors carry
 * isError), NULL when out of memory; *known is 0 for an unknown name. */
cJSON *ludus_mcp_tool_call(ludus_mcp_session *s, const char *name, const cJSON *args, double now, int *known);

#endif
