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
                         const char *actions, int success, double ret, int steps, const float *vec, int dim);
/* (vec, dim: the situation's embedding, stored as a float32 BLOB; NULL: none.
 * A use of an identical case gives it the vector when it had none.) */

/* Retrieval by embeddings. Check that the file's vectors come from
 * embedding model `model` with `dim` dimensions (ludus_meta rows
 * embed_model and embed_dim): a file that names another fails with
 * LUDUS_EFORMAT and one line; one that names none records them (unless
 * frozen: then nothing is written). */
int ludus_llm_memory_embedder(ludus_llm_memory *mem, const char *path, const char *model, int dim, int frozen);
/* The prompt block of the k cases of this world whose vectors are most
 * similar (cosine) to q (dim floats); equal similarities: successes, then
 * fewer steps, then older. A case with the same mission and first
 * observation is labelled "same start as now", the others with their
 * similarity. Cases without a vector are not candidates. *block malloc'd
 * ("" when none). */
int ludus_llm_memory_recall_vec(ludus_llm_memory *mem, const char *mission, const char *obs0, const float *q, int dim,
                                int k, char **block);
/* Cosine similarity of q with each of n rows (row-major, dim floats each),
 * computed in double; a zero vector has similarity 0. The top min(k, n)
 * row indices into idx and their similarities into score, highest first,
 * the earlier row first on a tie. Returns how many. Pure. */
int ludus_llm_cosine_topk(const float *q, const float *rows, int n, int dim, int k, int *idx, float *score);

/* Reflexion: store a reflection written after a failed episode, and the
 * prompt block of the last k for the same start (else the same mission),
 * newest first ("" when none; *block malloc'd). */
int ludus_llm_memory_add_reflection(ludus_llm_memory *mem, const char *mission, const char *obs0, const char *text);
int ludus_llm_memory_reflections(ludus_llm_memory *mem, const char *mission, const char *obs0, int k, char **block);

/* The playbook (ACE): a delta from one episode's reflector and curator
 * replies. Ids are the playbook's row ids (shown as [bN] in prompts). */
#define LUDUS_LLM_DELTA_MAX 16
#define LUDUS_LLM_BULLET_MAX 1000
typedef struct ludus_llm_delta {
    long helpful[LUDUS_LLM_DELTA_MAX], harmful[LUDUS_LLM_DELTA_MAX];
    int nhelp, nharm;
    char *add[LUDUS_LLM_DELTA_MAX]; /* new bullets, malloc'd */
    int nadd;
    long update_id[LUDUS_LLM_DELTA_MAX]; /* UPDATE: bullet update_id[i] reads update[i] (malloc'd) */
    char *update[LUDUS_LLM_DELTA_MAX];
    int nupdate;
    long remove[LUDUS_LLM_DELTA_MAX]; /* REMOVE (or ACE's DELETE): bullets retired */
    int nremove;
} ludus_llm_delta;
void ludus_llm_delta_free(ludus_llm_delta *d);

/* Parse a reflector reply, a JSON object (possibly inside other text or
 * after a <think> block): {"reflection": "...", "bullet_tags": [{"id": N,
 * "tag": "helpful"|"harmful"|"neutral"}, ...]}. Sets d's helpful/harmful
 * lists and copies the reflection into insight (truncated). A malformed
 * reply returns LUDUS_EFORMAT with one line and leaves d unchanged. */
int ludus_llm_parse_reflector(const char *reply, ludus_llm_delta *d, char *insight, size_t insight_cap);

/* Parse a curator reply {"operations": [op, ...]} with ops {"type": "ADD",
 * "content": "..."}, {"type": "UPDATE", "bullet_id": N, "content": "..."}
 * and {"type": "REMOVE" (or ACE's "DELETE"), "bullet_id": N} into d's
 * lists (newlines in contents become spaces). Malformed: LUDUS_EFORMAT,
 * d unchanged. */
int ludus_llm_parse_curator(const char *reply, ludus_llm_delta *d);

/* What a merge did (rows of this world). */
typedef struct ludus_llm_merge_counts {
    int added, updated, merged, removed, retired, skipped;
} ludus_llm_merge_counts;
/* Merge a delta in one transaction, in this order: helpful and harmful
 * counts of the cited live bullets of this world incremented (unknown or
 * retired ids change nothing); each UPDATE on a live bullet: when another
 * live bullet already has the new content, the two are de-duplicated (the
 * updated one is retired and its counts added to the other: `merged`),
 * else its content changes and its counts stay (`updated`); each REMOVE
 * retires a live bullet (`removed`); UPDATE and REMOVE of an unknown or
 * retired id change nothing (`skipped`); each new bullet added unless a
 * live bullet of this world has the same content (`added`); then every
 * live bullet with harmful - helpful > retire_margin retired (`retired`).
 * Retired bullets are kept, never shown. counts may be NULL. */
int ludus_llm_memory_merge(ludus_llm_memory *mem, const ludus_llm_delta *d, int retire_margin,
                           ludus_llm_merge_counts *counts);

/* The prompt block of the top k live bullets by helpful - harmful, then id
 * ("" when none; *block malloc'd); their ids go to ids[0..*nids) when ids
 * is not NULL (room for k). */
int ludus_llm_memory_playbook(ludus_llm_memory *mem, int k, long *ids, int *nids, char **block);

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
