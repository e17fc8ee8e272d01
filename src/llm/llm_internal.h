/* llm_internal.h: what the runner (llm.c) shares with the memory of past
 * episodes (memory.c): a case bank in SQLite.
 */
#ifndef LUDUS_LLM_INTERNAL_H
#define LUDUS_LLM_INTERNAL_H

#include <stddef.h>

typedef struct ludus_llm_memory ludus_llm_memory;

/* Open (creating when absent) the memory database at path for the world
 * `world` and strategy "cases". A file that is not SQLite, or a SQLite
 * file without ludus's schema marker, fails with LUDUS_EFORMAT and one
 * line; a newer schema version with LUDUS_EUNSUPPORTED. */
int ludus_llm_memory_open(const char *path, const char *world, const char *model, ludus_llm_memory **out);
void ludus_llm_memory_close(ludus_llm_memory *mem);

/* The prompt block for an episode that starts with mission and first
 * observation obs0: up to k past cases of the same world, the same
 * start first, then the same mission, then by full-text similarity of the
 * mission, successes before failures. *block is malloc'd ("" when none);
 *  */
int ludus_llm_memory_recall(ludus_llm_memory *mem, const char *mission, const char *obs0, int k, char **block);

/* Store an ended episode: its mission, first observation, the actions
 * taken (names joined by ", "), outcome, return and steps, in one
 * transaction. An identical case (same start, outcome and actions) counts
 * a use instead of a new row. */
int ludus_llm_memory_add(ludus_llm_memory *mem, const char *split, const char *mission, const char *obs0,
                         const char *actions, int success, double ret, int steps);

/* Reflexion: store a reflection written after a failed episode, and the
 * prompt block of the last k for the same start (else the same mission),
 * newest first ("" when none; *block malloc'd). */
int ludus_llm_memory_add_reflection(ludus_llm_memory *mem, const char *mission, const char *obs0, const char *text);
int ludus_llm_memory_reflections(ludus_llm_memory *mem, const char *mission, const char *obs0, int k, char **block);

/* Cases stored for this world. */
long ludus_llm_memory_count(ludus_llm_memory *mem);

/* A streamed reply (stream: true): server-sent events fed in pieces of any
 * size. Events end at a blank line; their `data:` lines (joined by "\n")
 * are chat.completion.chunk objects whose choices[0].delta.content and
 * .reasoning_content are appended, and whose delta.tool_calls[] are joined
 * by index (id and name once, arguments as fragments); `data: [DONE]` ends
 * the stream; ':' lines and other fields are ignored; the last chunk's
 * usage.total_tokens is kept. Bytes may split anywhere, even inside a
 * UTF-8 character or a "\r\n". */
typedef struct ludus_llm_sse {
    char *line;          /* the line being read */
    size_t line_len, line_cap;
    char *data;          /* the current event's data */
    size_t data_len, data_cap;
    char *content, *reasoning, *tool_name, *tool_args;
    size_t content_len, reasoning_len, tool_args_len;
    int has_content, done, bad, pending_cr;
    long total_tokens;   /* -1 until a chunk reports usage */
    char finish_reason[32];
} ludus_llm_sse;

void ludus_llm_sse_init(ludus_llm_sse *s);
/* 0, or -1 when out of memory (s->bad is set for a chunk that is not JSON). */
int ludus_llm_sse_feed(ludus_llm_sse *s, const char *bytes, size_t n);
void ludus_llm_sse_free(ludus_llm_sse *s);

#endif
