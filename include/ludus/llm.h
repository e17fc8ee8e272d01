/* llm.h: language-model agents. A ludus_llm talks to any server of the
 * OpenAI chat-completions API (llama.cpp's llama-server, vLLM, Ollama,
 * hosted APIs) over libcurl and acts through the agent interface
 * (agent.h), so ludus_eval_run and everything built on it play with it
 * unchanged. One request per world in flight at once (curl multi), with
 * retries, a response cap, budgets, a JSONL log and an optional memory of
 * past episodes in SQLite (docs/agents.md).
 */
#ifndef LUDUS_LLM_H
#define LUDUS_LLM_H

#include "ludus/agent.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ludus_llm ludus_llm;

/* ludus_llm_config.prompt: the reply format asked for (after BALROG). */
enum {
    LUDUS_LLM_PROMPT_NAIVE = 0,  /* "output exactly one action" */
    LUDUS_LLM_PROMPT_COT = 1,    /* think, then "Action: <action>" */
    LUDUS_LLM_PROMPT_ROBUST = 2  /* <|ACTION|>X<|END|> */
};

/* ludus_llm_config.memory */
enum {
    LUDUS_LLM_MEMORY_NONE = 0,
    LUDUS_LLM_MEMORY_CASES = 1,  /* a case bank of past episodes (Memento) */
    LUDUS_LLM_MEMORY_REFLEXION = 2, /* after a failed episode the model writes a short plan
                                      (one more request); the last 3 for the same start,
                                      else the same mission, go into later prompts (Reflexion) */
    LUDUS_LLM_MEMORY_PLAYBOOK = 3 /* after each training episode a reflector request tags the
                                     playbook's rules helpful or harmful and a curator request adds
                                     rules; merged as a delta; the top 16 by helpful - harmful go into
                                     later prompts; a rule with harmful - helpful > 1 is retired (ACE) */
};

/* ludus_llm_config.retrieval: how the case bank (LUDUS_LLM_MEMORY_CASES)
 * finds similar past episodes. */
enum {
    LUDUS_LLM_RETRIEVAL_FTS = 0,        /* same start, same mission, then SQLite FTS5 bm25 */
    LUDUS_LLM_RETRIEVAL_EMBEDDINGS = 1, /* cosine similarity of the server's /v1/embeddings
                                           vectors of the situation (mission + first observation) */
    LUDUS_LLM_RETRIEVAL_AUTO = 2        /* embeddings when a probe POST /embeddings before the
                                           first request answers with a vector, else FTS5 */
};

/* The environment variable holding the API key when the config names none;
 * OPENAI_API_KEY is read when it is unset. */
#define LUDUS_LLM_KEY_ENV "LUDUS_LLM_API_KEY"

typedef struct ludus_llm_config {
    const char *base_url;      /* ".../v1"; required */
    const char *model;         /* required */
    const char *api_key_env;   /* variable with the key (NULL: LUDUS_LLM_KEY_ENV,
                                  then OPENAI_API_KEY); the key is sent as
                                  "Authorization: Bearer" and never logged */
    int prompt;                /* LUDUS_LLM_PROMPT_* */
    int tools;                 /* 1: one `act` tool with the legal actions as an enum */
    int strict;                /* 1: only an exact action name counts (BALROG's check) */
    int stream;                /* 1: ask for a streamed reply (server-sent events); one
                                  that ends without [DONE] is retried */
    int history;               /* past (observation, action) pairs in the prompt, >= 0 */
    int max_tokens;            /* per reply, >= 1 */
    double temperature;        /* >= 0 */
    int timeout_ms;            /* per request, >= 1 */
    int connect_timeout_ms;    /* >= 1 */
    int retries;               /* retries per request after the first try, >= 0 */
    size_t max_response;       /* bytes a reply may have; larger fails the run */
    int parallel;              /* requests in flight at once, >= 1 */
    long max_requests;         /* budgets, 0: none; retries count as requests */
    long max_tokens_total;     /* usage.total_tokens summed (chars/4 when missing) */
    double max_wall_s;         /* seconds since the first request */
    double health_wait_s;      /* wait this long for GET /health (base without
                                  /v1) to answer 200 before the first request; 0: don't */
    const char *log_path;      /* JSONL log (created, truncated); NULL: none */
    int deterministic_log;     /* 1: timings written as 0, so logs compare byte for byte */
    int memory;                /* LUDUS_LLM_MEMORY_* */
    const char *db_path;       /* SQLite memory file (needed for a memory) */
    int memory_frozen;         /* 1: read the memory, never write it (held-out levels) */
    const char *split;         /* "train" or "heldout": written in the log and memory */
    int retrieval;             /* LUDUS_LLM_RETRIEVAL_* (cases memory only) */
    const char *embed_model;   /* the model named in embedding requests (NULL: model) */
} ludus_llm_config;

/* Defaults: prompt naive, no tools, history 16, max_tokens 256,
 * temperature 0, timeout 60 s, connect 5 s, 5 retries, 8 MiB replies,
 * parallel 16, no budgets, health wait 0, split "train", retrieval FTS.
 * base_url, model and embed_model are NULL. */
LUDUS_API void ludus_llm_config_default(ludus_llm_config *cfg);

/* Make a runner from cfg (strings copied). LUDUS_EINVAL for a bad value
 * (one line naming it); the memory database is opened and checked here:
 * LUDUS_EFORMAT for a corrupt file or one that is not a ludus memory,
 * LUDUS_EIO when it cannot be opened. Nothing is sent before the first
 * act. With retrieval embeddings or auto, the first act embeds a probe
 * text (one request with the chat requests' timeouts, retries and key);
 * embeddings: a failure there fails the act (LUDUS_EIO, one line); auto:
 * any answer without a usable vector (404, an error, a malformed body)
 * chooses FTS5 (stats.retrieval_why says why). A memory file whose
 * vectors come from another embedding model or dimension fails the first
 * act with LUDUS_EFORMAT. The caller destroys *out. */
LUDUS_API int ludus_llm_create(const ludus_llm_config *cfg, ludus_llm **out);
/* Free the runner (the JSONL log is flushed and closed). NULL is harmless. */
LUDUS_API void ludus_llm_destroy(ludus_llm *llm);

/* An agent named "llm" playing through llm (lent: it must outlive the
 * agent). It asks for BALROG's text observations (LUDUS_AGENT_TEXT_BALROG)
 * and acts in any world with action names; a world whose action has
 * several components (Web-*: verb, element, word) is read through its own
 * text grammar (ludus_env_parse_action) and refused (LUDUS_EINVAL) when it
 * has none. A reply naming no action, or one the world's mask forbids, is
 * an invalid reply (stats.invalid) and plays the default: noop, else go
 * forward, else the first action (several components: the first
 * component's value named noop, else stop, else 0; the others 0), each
 * component moved to its first legal value where the mask forbids it.
 * Each act sends one request per
 * world that plays (worlds whose episode ended idle without a request),
 * up to cfg.parallel at once; the actions depend only on each world's
 * replies, never on the order in which they arrive. act fails with
 * LUDUS_EIO and one line (status, server's message) when a request fails
 * for good, and with LUDUS_ESTATE when a budget runs out
 * (ludus_llm_stats.budget_exhausted is then 1). The caller destroys *out. */
LUDUS_API int ludus_llm_agent(ludus_llm *llm, ludus_agent **out);

typedef struct ludus_llm_stats {
    long episodes;           /* ended episodes */
    long successes;          /* ended with a positive reward at termination */
    double return_sum;
    long steps;              /* actions taken */
    long invalid;            /* replies without a legal action */
    long requests;           /* HTTP requests sent, retries included */
    long retries;
    long tokens;             /* usage.total_tokens summed (chars/4 when missing) */
    double wall_s;           /* since the first request */
    double runner_s;         /* CPU-side time spent outside waiting for the server */
    int budget_exhausted;    /* 1 once a budget ran out */
    long in_flight_max;      /* the most requests that were in flight at once */
    int retrieval;           /* the case bank's retrieval in use once the first act ran:
                                LUDUS_LLM_RETRIEVAL_FTS or _EMBEDDINGS */
    char retrieval_why[256]; /* why auto chose FTS5 ("" otherwise) */
} ludus_llm_stats;

/* The counters so far (also after a failure). Thread-compatible. */
LUDUS_API void ludus_llm_stats_get(const ludus_llm *llm, ludus_llm_stats *out);

/* How a reply was read (ludus_llm_parse's *method). */
enum {
    LUDUS_LLM_PARSE_INVALID = 0,
    LUDUS_LLM_PARSE_EXACT = 1,   /* the whole reply is an action's name */
    LUDUS_LLM_PARSE_MARKER = 2,  /* <|ACTION|>, "Action:" or {"action": ...} */
    LUDUS_LLM_PARSE_LENIENT = 3, /* named within the text, or within 2 edits */
    LUDUS_LLM_PARSE_TOOL = 4     /* the arguments of an `act` tool call */
};

/* Read a model's reply as an action of env. tool_args: the JSON string of
 * an `act` call's arguments (NULL: none, read content). <think>...</think>
 * blocks (an unclosed one to the end) and code fences are dropped first;
 * reasoning is never read as an action. A JSON object with an "action"
 * key counts as a marker. strict: only an exact name (after lower-casing
 * and dropping what is not a letter or space) inside a marker or as the
 * whole reply; otherwise ludus_env_parse_action's tolerant reading.
 * A world of several components: the world's grammar reads the reply
 * (strict or not), exact when it is one line starting with a value of the
 * first component, marker when a marker held it, and *action gets
 * info.action_dims components (the caller's array holds that many).
 * Returns LUDUS_OK with *action and *method, or LUDUS_EINVAL ("invalid
 * action ...") with *method LUDUS_LLM_PARSE_INVALID; LUDUS_EINVAL for NULL
 * env/action/method. Pure, thread-safe. */
LUDUS_API int ludus_llm_parse(const ludus_env *env, const char *content, const char *tool_args, int strict,
                              int32_t *action, int *method);

/* The wait before retry `attempt` (0 = the first retry) after an answer
 * with HTTP status `status` (0: no answer: connect error or timeout), in
 * milliseconds, as the OpenAI clients do: the headers retry-after-ms,
 * then Retry-After (seconds or an HTTP date, read against now_epoch_s),
 * when they give 0..60 s; else 0.5 s * 2^attempt capped at 8 s, times
 * jitter (in [0.75, 1]). Header values may be NULL. Pure. */
LUDUS_API long ludus_llm_retry_delay_ms(int attempt, const char *retry_after_ms, const char *retry_after,
                                        double now_epoch_s, double jitter);
/* Whether an answer with HTTP status `status` is retried: 408, 409, 429
 * and >= 500 are; other 4xx and 2xx/3xx are not (0, no answer: is). */
LUDUS_API int ludus_llm_retryable(long status);

#ifdef __cplusplus
}
#endif

#endif /* LUDUS_LLM_H */
