/* test_llm.c: the language-model agent's pure parts. The reply parser
 * (ludus_llm_parse) against a table of real-looking and adversarial
 * replies, BabyAI's and Crafter's names, each row's expected action and
 * reading written by hand or built from the action list by a rule stated
 * here; a fuzz test (random bytes and splices of action names: the answer
 * is a legal action or invalid, never a crash); the retry policy
 * (Retry-After in seconds, milliseconds and HTTP dates, backoff with its
 * cap and jitter, which statuses are retried); the reader of streamed
 * replies (server-sent events) split at every byte; bad configurations;
 * and the playbook (ACE): reflector and curator replies parsed (malformed
 * ones change nothing), random delta merges against a reference model of
 * the counts, deduplication, retirement and ordering written here, and the
 * database read back after a restart.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "core/rng.h"
#include "llm/llm_internal.h"
#include "ludus/llm.h"

enum { INV = LUDUS_LLM_PARSE_INVALID, EXA = LUDUS_LLM_PARSE_EXACT, MRK = LUDUS_LLM_PARSE_MARKER,
       LEN = LUDUS_LLM_PARSE_LENIENT, TOOL = LUDUS_LLM_PARSE_TOOL };

typedef struct row {
    char world;        /* 'b' BabyAI, 'c' Crafter */
    const char *reply; /* content */
    const char *args;  /* tool-call arguments, or NULL */
    int strict;
    int action;        /* -1: invalid */
    int method;
} row;

/* BabyAI: 0 turn left, 1 turn right, 2 go forward, 3 pick up, 4 drop, 5 toggle, 6 done.
 * Crafter: 0 noop, 1 move_left, 5 do, 6 sleep, 8 place_table, 11 make_wood_pickaxe. */
static const row table[] = {
    /* plain replies as small models write them */
    {'b', "go forward", NULL, 0, 2, EXA},
    {'b', "Go forward.", NULL, 0, 2, EXA},
    {'b', "  turn left\n", NULL, 0, 0, EXA},
    {'b', "TURN RIGHT", NULL, 0, 1, EXA},
    {'b', "pick_up", NULL, 0, 3, EXA},
    {'b', "pick-up", NULL, 0, 3, EXA},
    {'b', "\"toggle\"", NULL, 0, 5, EXA},
    {'b', "'drop'", NULL, 0, 4, EXA},
    {'b', "done!", NULL, 0, 6, EXA},
    {'b', "**go forward**", NULL, 0, 2, EXA},
    {'b', "`turn left`", NULL, 0, 0, EXA},
    {'b', "I will go forward.", NULL, 0, 2, LEN},
    {'b', "The ball is ahead of me, so I go forward to reach it.", NULL, 0, 2, LEN},
    {'b', "I should turn left to face the key.", NULL, 0, 0, LEN},
    {'b', "Next: pick up", NULL, 0, 3, LEN},
    {'b', "goforward", NULL, 0, 2, LEN},
    {'b', "go froward", NULL, 0, 2, LEN},
    {'b', "trun left", NULL, 0, 0, LEN},
    {'b', "pickup", NULL, 0, 3, LEN},
    /* markers */
    {'b', "<|ACTION|>turn right<|END|>", NULL, 0, 1, MRK},
    {'b', "I see the door.\n<|ACTION|>toggle<|END|>", NULL, 0, 5, MRK},
    {'b', "<|ACTION|> go forward <|END|>\nthat is my move", NULL, 0, 2, MRK},
    {'b', "<|action|>drop<|end|>", NULL, 0, 4, MRK},
    {'b', "Let me think. The box is left.\nAction: turn left", NULL, 0, 0, MRK},
    {'b', "Action: pick up\n", NULL, 0, 3, MRK},
    {'b', "Action: turn left\nWait, no.\nAction: turn right", NULL, 0, 1, MRK},
    {'b', "ACTION: toggle", NULL, 0, 5, MRK},
    {'b', "{\"action\": \"go forward\"}", NULL, 0, 2, MRK},
    {'b', "Here is my answer: {\"action\": \"pick up\", \"why\": \"key ahead\"}", NULL, 0, 3, MRK},
    {'b', "```json\n{\"action\": \"turn right\"}\n```", NULL, 0, 1, MRK},
    {'b', "```\ngo forward\n```", NULL, 0, 2, EXA},
    /* reasoning is never read as the action */
    {'b', "<think>I could toggle or drop.</think>go forward", NULL, 0, 2, EXA},
    {'b', "<think>turn left? turn right?</think>\n<|ACTION|>pick up<|END|>", NULL, 0, 3, MRK},
    {'b', "<think>The answer is go forward</think>", NULL, 0, -1, INV},
    {'b', "<think>unfinished reasoning: toggle", NULL, 0, -1, INV},
    {'b', "<THINK>drop</THINK>turn left", NULL, 0, 0, EXA},
    {'b', "reasoning about toggle</think>done", NULL, 0, 6, EXA},
    {'b', "<think>a</think>x<think>toggle</think>turn right", NULL, 0, 1, LEN},
    /* ambiguous, empty, foreign */
    {'b', "turn left or turn right", NULL, 0, -1, INV},
    {'b', "toggle the door, then go forward", NULL, 0, -1, INV},
    {'b', "", NULL, 0, -1, INV},
    {'b', "   \n\t ", NULL, 0, -1, INV},
    {'b', "I don't know.", NULL, 0, -1, INV},
    {'b', "jump", NULL, 0, -1, INV},
    {'b', "fly to the moon", NULL, 0, -1, INV},
    {'b', "42", NULL, 0, -1, INV},
    {'b', "\xff\xfe\x80 garbage \xc3\x28", NULL, 0, -1, INV},
    {'b', "move_left", NULL, 0, -1, INV},
    {'b', "<|ACTION|><|END|>", NULL, 0, -1, INV},
    {'b', "{\"action\": 3}", NULL, 0, -1, INV},
    {'b', "{\"act\": \"go forward\"", NULL, 0, 2, LEN},
    /* strict: only exact names, bare or in a marker */
    {'b', "go forward", NULL, 1, 2, EXA},
    {'b', "Go Forward!", NULL, 1, 2, EXA},
    {'b', "<|ACTION|>toggle<|END|>", NULL, 1, 5, MRK},
    {'b', "Action: drop", NULL, 1, 4, MRK},
    {'b', "I will go forward.", NULL, 1, -1, INV},
    {'b', "go froward", NULL, 1, -1, INV},
    {'b', "pickup", NULL, 1, -1, INV},
    {'b', "<think>x</think>turn left", NULL, 1, 0, EXA},
    /* tool calls: the arguments decide, the content is ignored */
    {'b', NULL, "{\"action\": \"go forward\"}", 0, 2, TOOL},
    {'b', "turn left", "{\"action\": \"toggle\"}", 0, 5, TOOL},
    {'b', NULL, "{\"action\":\"pick up\"}", 0, 3, TOOL},
    {'b', NULL, "{\"action\": \"Turn Right\"}", 0, 1, TOOL},
    {'b', NULL, "{\"action\": \"fly\"}", 0, -1, INV},
    {'b', NULL, "{\"action\": \"go forward\"", 0, -1, INV},
    {'b', NULL, "", 0, -1, INV},
    {'b', NULL, "[]", 0, -1, INV},
    {'b', NULL, "{\"direction\": \"left\"}", 0, -1, INV},
    {'b', NULL, "{\"action\": null}", 0, -1, INV},
    /* Crafter */
    {'c', "noop", NULL, 0, 0, EXA},
    {'c', "Noop", NULL, 0, 0, EXA},
    {'c', "move left", NULL, 0, 1, EXA},
    {'c', "Move_Left", NULL, 0, 1, EXA},
    {'c', "do", NULL, 0, 5, EXA},
    {'c', "Do", NULL, 0, 5, EXA},
    {'c', "sleep", NULL, 0, 6, EXA},
    {'c', "place table", NULL, 0, 8, EXA},
    {'c', "Action: make wood pickaxe", NULL, 0, 11, MRK},
    {'c', "<|ACTION|>place_table<|END|>", NULL, 0, 8, MRK},
    {'c', "I should place a table now: place table", NULL, 0, 8, LEN},
    {'c', "make wood pickax", NULL, 0, 11, LEN},
    {'c', "craft a diamond sword", NULL, 0, -1, INV},
    {'c', NULL, "{\"action\": \"sleep\"}", 0, 6, TOOL},
};

static ludus_env *make(const char *id)
{
    ludus_env *env = NULL;
    CHECK_OK(ludus_env_make(id, NULL, &env));
    return env;
}

/* Generated rows: every action name in the forms models write it, with
 * the reading each form must get (the rule is stated per form). */
static int generated(const ludus_env *env, char world, int *count)
{
    const ludus_env_info *info = ludus_env_get_info(env);
    int n = 0;
    for (int a = 0; a < info->num_actions; a++) {
        const char *name = info->action_names[a];
        char spaced[64], upper[64], buf[512];
        snprintf(spaced, sizeof spaced, "%s", name);
        for (char *p = spaced; *p; p++)
            if (*p == '_') *p = ' ';
        snprintf(upper, sizeof upper, "%s", spaced);
        for (char *p = upper; *p; p++)
            if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 'a' + 'A');
        struct { const char *fmt; const char *arg; int method; } forms[] = {
            {"%s", spaced, EXA},                             /* the name itself */
            {"%s.", upper, EXA},                             /* shouted, with a full stop */
            {"<|ACTION|>%s<|END|>", spaced, MRK},            /* the robust marker */
            {"I look around first.\nAction: %s", name, MRK}, /* chain of thought */
            {"{\"action\": \"%s\"}", spaced, MRK},           /* JSON */
            {"<think>maybe something else</think>\n%s", spaced, EXA},
        };
        for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
            snprintf(buf, sizeof buf, forms[f].fmt, forms[f].arg);
            int32_t got = -7;
            int method = -1;
            int rc = ludus_llm_parse(env, buf, NULL, 0, &got, &method);
            CHECK_MSG(rc == LUDUS_OK && got == a && method == forms[f].method,
                      "%c generated \"%s\": rc %d action %d method %d (want %d, %d)", world, buf, rc, (int)got,
                      method, a, forms[f].method);
            n++;
        }
        /* the tool form */
        snprintf(buf, sizeof buf, "{\"action\": \"%s\"}", name);
        int32_t got = -7;
        int method = -1;
        CHECK(ludus_llm_parse(env, NULL, buf, 0, &got, &method) == LUDUS_OK && got == a && method == TOOL);
        n++;
    }
    *count = n;
    return 0;
}

static void test_table(void)
{
    ludus_env *b = make("BabyAI-GoToLocal-v0"), *c = make("Crafter-Reward-v1");
    int rows = 0;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const row *r = &table[i];
        int32_t got = -7;
        int method = -1;
        int rc = ludus_llm_parse(r->world == 'b' ? b : c, r->reply, r->args, r->strict, &got, &method);
        if (r->action < 0) {
            CHECK_MSG(rc == LUDUS_EINVAL && method == INV && got == -7 && strstr(ludus_errmsg(), "invalid action"),
                      "row %zu \"%s\": want invalid, got rc %d action %d method %d", i, r->reply ? r->reply : "(null)",
                      rc, (int)got, method);
        } else {
            CHECK_MSG(rc == LUDUS_OK && got == r->action && method == r->method,
                      "row %zu \"%s\": rc %d action %d method %d, want %d %d (%s)", i,
                      r->reply ? r->reply : "(null)", rc, (int)got, method, r->action, r->method, ludus_errmsg());
        }
        rows++;
    }
    int nb = 0, nc = 0;
    generated(b, 'b', &nb);
    generated(c, 'c', &nc);
    rows += nb + nc;
    CHECK_MSG(rows >= 150, "the parser table has %d rows, fewer than 150", rows);
    /* NULL arguments */
    int32_t a;
    int m;
    CHECK_ERR(ludus_llm_parse(NULL, "go forward", NULL, 0, &a, &m), LUDUS_EINVAL);
    CHECK_ERR(ludus_llm_parse(b, "go forward", NULL, 0, NULL, &m), LUDUS_EINVAL);
    CHECK_ERR(ludus_llm_parse(b, NULL, NULL, 0, &a, &m), LUDUS_EINVAL);
    ludus_env_destroy(b);
    ludus_env_destroy(c);
}

/* Random bytes, and splices of names, markers and tags: a legal action or
 * invalid, never anything else. */
static void test_fuzz(void)
{
    ludus_env *env = make("BabyAI-GoToLocal-v0");
    const ludus_env_info *info = ludus_env_get_info(env);
    static const char *pieces[] = {"go forward", "turn left", "pick up", "<think>", "</think>", "<|ACTION|>",
                                   "<|END|>", "Action:", "{\"action\": \"", "\"}", "```", "\n", " ", "_", "-",
                                   "toggle", "drop", "done", "\xc3\xa9", "\x01", "{", "}", "\"", "\\"};
    ludus_rng rng;
    ludus_rng_seed(&rng, 1234);
    char buf[600];
    int bad = 0;
    for (int it = 0; it < 20000; it++) {
        size_t len = 0;
        int kind = (int)ludus_rng_integers(&rng, 0, 2);
        int parts = (int)ludus_rng_integers(&rng, 0, 12);
        for (int p = 0; p < parts; p++) {
            if (kind == 0) {
                const char *s = pieces[ludus_rng_integers(&rng, 0, sizeof pieces / sizeof pieces[0])];
                size_t n = strlen(s);
                if (len + n < sizeof buf - 1) memcpy(buf + len, s, n), len += n;
            } else {
                size_t n = (size_t)ludus_rng_integers(&rng, 1, 40);
                for (size_t k = 0; k < n && len < sizeof buf - 1; k++)
                    buf[len++] = (char)ludus_rng_integers(&rng, 1, 256);
            }
        }
        buf[len] = 0;
        int32_t a = -7;
        int m = -1;
        int strict = it & 1;
        int rc = ludus_llm_parse(env, buf, (it % 7 == 0) ? buf : NULL, strict, &a, &m);
        if (rc == LUDUS_OK) {
            if (a < 0 || a >= info->num_actions || m == INV) bad++;
        } else if (rc != LUDUS_EINVAL || m != INV || a != -7) {
            bad++;
        }
    }
    CHECK_EQ(bad, 0);
    ludus_env_destroy(env);
}

static void test_retry(void)
{
    /* which answers are retried: as openai-python's _should_retry */
    static const long yes[] = {0, 408, 409, 429, 500, 502, 503, 504, 599};
    static const long no[] = {200, 204, 301, 400, 401, 403, 404, 405, 413, 422};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) CHECK_MSG(ludus_llm_retryable(yes[i]), "%ld", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) CHECK_MSG(!ludus_llm_retryable(no[i]), "%ld", no[i]);
    /* backoff: 0.5 s * 2^k capped at 8 s, times the jitter */
    CHECK_EQ(ludus_llm_retry_delay_ms(0, NULL, NULL, 0, 1.0), 500);
    CHECK_EQ(ludus_llm_retry_delay_ms(1, NULL, NULL, 0, 1.0), 1000);
    CHECK_EQ(ludus_llm_retry_delay_ms(3, NULL, NULL, 0, 1.0), 4000);
    CHECK_EQ(ludus_llm_retry_delay_ms(4, NULL, NULL, 0, 1.0), 8000);
    CHECK_EQ(ludus_llm_retry_delay_ms(40, NULL, NULL, 0, 1.0), 8000);
    CHECK_EQ(ludus_llm_retry_delay_ms(2, NULL, NULL, 0, 0.75), 1500);
    CHECK_EQ(ludus_llm_retry_delay_ms(2, NULL, NULL, 0, 0.1), 1500); /* jitter clamped to [0.75, 1] */
    /* headers: retry-after-ms first, then Retry-After in seconds or as a date, within 60 s */
    CHECK_EQ(ludus_llm_retry_delay_ms(0, "250", "7", 0, 1.0), 250);
    CHECK_EQ(ludus_llm_retry_delay_ms(0, NULL, "7", 0, 1.0), 7000);
    CHECK_EQ(ludus_llm_retry_delay_ms(0, "", "1.5", 0, 1.0), 1500);
    CHECK_EQ(ludus_llm_retry_delay_ms(0, "-5", "2", 0, 1.0), 2000);
    CHECK_EQ(ludus_llm_retry_delay_ms(0, NULL, "3600", 0, 1.0), 500);  /* over 60 s: ignored */
    CHECK_EQ(ludus_llm_retry_delay_ms(1, NULL, "soon", 0, 1.0), 1000); /* not a number or date */
    /* Wed, 21 Oct 2015 07:28:00 GMT is 1445412480 s after the epoch */
    CHECK_EQ(ludus_llm_retry_delay_ms(0, NULL, "Wed, 21 Oct 2015 07:28:00 GMT", 1445412480.0 - 12, 1.0), 12000);
    CHECK_EQ(ludus_llm_retry_delay_ms(0, NULL, "Wed, 21 Oct 2015 07:28:00 GMT", 1445412480.0 + 5, 1.0), 500);
    CHECK_EQ(ludus_llm_retry_delay_ms(0, NULL, "Sat, 01 Jan 2000 00:00:30 GMT", 946684800.0, 1.0), 30000);
}

static void test_config(void)
{
    ludus_llm_config cfg;
    ludus_llm *llm = NULL;
    ludus_llm_config_default(&cfg);
    CHECK_EQ(cfg.history, 16);
    CHECK_EQ(cfg.retries, 5);
    CHECK_ERR(ludus_llm_create(&cfg, &llm), LUDUS_EINVAL); /* no URL */
    cfg.base_url = "http://127.0.0.1:1/v1";
    CHECK_ERR(ludus_llm_create(&cfg, &llm), LUDUS_EINVAL); /* no model */
    cfg.model = "m";
    cfg.parallel = 0;
    CHECK_ERR(ludus_llm_create(&cfg, &llm), LUDUS_EINVAL);
    cfg.parallel = 4;
    cfg.memory = LUDUS_LLM_MEMORY_CASES;
    CHECK_ERR(ludus_llm_create(&cfg, &llm), LUDUS_EINVAL); /* memory without a file */
    cfg.memory = LUDUS_LLM_MEMORY_NONE;
    cfg.retrieval = LUDUS_LLM_RETRIEVAL_EMBEDDINGS; /* only for the cases memory */
    CHECK_ERR(ludus_llm_create(&cfg, &llm), LUDUS_EINVAL);
    cfg.retrieval = 7;
    CHECK_ERR(ludus_llm_create(&cfg, &llm), LUDUS_EINVAL);
    cfg.retrieval = LUDUS_LLM_RETRIEVAL_FTS;
    cfg.split = "test";
    CHECK_ERR(ludus_llm_create(&cfg, &llm), LUDUS_EINVAL);
    cfg.split = NULL;
    cfg.base_url = "file:///etc/passwd";
    CHECK_ERR(ludus_llm_create(&cfg, &llm), LUDUS_EINVAL);
    cfg.base_url = "http://127.0.0.1:1/v1/";
    CHECK_OK(ludus_llm_create(&cfg, &llm));
    ludus_agent *agent = NULL;
    CHECK_OK(ludus_llm_agent(llm, &agent));
    CHECK_STR(ludus_agent_name(agent), "llm");
    CHECK(ludus_agent_flags(agent) & LUDUS_AGENT_TEXT_BALROG);
    /* a world without action names or text is refused at bind */
    ludus_env *env = NULL;
    CHECK_OK(ludus_env_make("BabyAI-GoToLocal-v0", NULL, &env));
    CHECK_OK(ludus_agent_bind(agent, env, 4));
    ludus_llm_stats st;
    ludus_llm_stats_get(llm, &st);
    CHECK_EQ(st.requests, 0); /* nothing is sent before the first act */
    ludus_agent_destroy(agent);
    ludus_llm_destroy(llm);
    ludus_env_destroy(env);
    ludus_llm_destroy(NULL);
}

/* A recorded-style stream: a ':' ping, reasoning and content deltas (one
 * splitting the two bytes of 'é'), tool-call arguments over 5 deltas, an
 * event with two data lines, usage in a last chunk, [DONE], then bytes
 * after it that must be ignored. */
static const char stream_lf[] =
    ": ping\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}\n\n"
    "event: message\nid: 7\ndata: {\"choices\":[{\"delta\":{\"reasoning_content\":\"hmm \\u00e9\"}}]}\n\n"
    "data: {\"choices\":[{\"delta\":{\"content\":\"<think>x</think>\"}}]}\n\n"
    "data: {\"choices\":[{\"delta\":{\"content\":\"go for\xc3\"}}]}\n\n"
    "data: {\"choices\":[{\"delta\":{\"content\":\"\xa9ward\"}}]}\n\n"
    "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c1\",\"type\":\"function\","
    "\"function\":{\"name\":\"act\",\"arguments\":\"\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"ac\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"tion\\\": \"}}]}}]}\n\n"
    "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"pick\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\" up\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"}\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"delta\":{},\n"
    "data: \"finish_reason\":\"tool_calls\"}]}\n\n"
    "data: {\"choices\":[],\"usage\":{\"total_tokens\":42}}\n\n"
    "data: [DONE]\n\n"
    "data: {\"choices\":[{\"delta\":{\"content\":\"AFTER\"}}]}\n\n";

static void check_stream(const ludus_llm_sse *e, const char *what)
{
    CHECK_MSG(e->done && !e->bad, "%s: done %d bad %d", what, e->done, e->bad);
    CHECK_MSG(e->content && strcmp(e->content, "<think>x</think>go for\xc3\xa9ward") == 0, "%s: content %s", what,
              e->content ? e->content : "(null)");
    CHECK_MSG(e->reasoning && strcmp(e->reasoning, "hmm \xc3\xa9") == 0, "%s: reasoning", what);
    CHECK_MSG(e->tool_name && strcmp(e->tool_name, "act") == 0, "%s: tool name", what);
    CHECK_MSG(e->tool_args && strcmp(e->tool_args, "{\"action\": \"pick up\"}") == 0, "%s: args %s", what,
              e->tool_args ? e->tool_args : "(null)");
    CHECK_MSG(e->total_tokens == 42 && strcmp(e->finish_reason, "tool_calls") == 0, "%s: usage %ld finish %s", what,
              e->total_tokens, e->finish_reason);
}

static void test_sse(void)
{
    /* the same stream with "\r\n" line ends */
    char crlf[sizeof stream_lf * 2];
    size_t m = 0;
    for (const char *p = stream_lf; *p; p++) {
        if (*p == '\n') crlf[m++] = '\r';
        crlf[m++] = *p;
    }
    crlf[m] = 0;
    const char *streams[2] = {stream_lf, crlf};
    for (int v = 0; v < 2; v++) {
        const char *st = streams[v];
        size_t n = strlen(st);
        ludus_llm_sse e;
        ludus_llm_sse_init(&e);
        CHECK_EQ(ludus_llm_sse_feed(&e, st, n), 0);
        check_stream(&e, v ? "crlf whole" : "lf whole");
        ludus_llm_sse_free(&e);
        /* split at every byte: two feeds */
        int bad = 0;
        for (size_t cut = 0; cut <= n; cut++) {
            ludus_llm_sse f;
            ludus_llm_sse_init(&f);
            ludus_llm_sse_feed(&f, st, cut);
            ludus_llm_sse_feed(&f, st + cut, n - cut);
            bad += !(f.done && f.content && strcmp(f.content, "<think>x</think>go for\xc3\xa9ward") == 0 && f.tool_args &&
                     strcmp(f.tool_args, "{\"action\": \"pick up\"}") == 0 && f.total_tokens == 42);
            ludus_llm_sse_free(&f);
        }
        CHECK_EQ(bad, 0);
        /* one byte at a time */
        ludus_llm_sse g;
        ludus_llm_sse_init(&g);
        for (size_t i = 0; i < n; i++) ludus_llm_sse_feed(&g, st + i, 1);
        check_stream(&g, v ? "crlf bytewise" : "lf bytewise");
        ludus_llm_sse_free(&g);
    }
    /* cut short: no [DONE]; a chunk that is not JSON */
    ludus_llm_sse e;
    ludus_llm_sse_init(&e);
    const char *cut = strstr(stream_lf, "data: [DONE]");
    ludus_llm_sse_feed(&e, stream_lf, (size_t)(cut - stream_lf));
    CHECK(!e.done);
    ludus_llm_sse_free(&e);
    ludus_llm_sse_init(&e);
    const char *broken = "data: {\"choices\": [\n\ndata: [DONE]\n\n";
    ludus_llm_sse_feed(&e, broken, strlen(broken));
    CHECK(e.bad && e.done);
    ludus_llm_sse_free(&e);
}

static void test_playbook_parse(void)
{
    ludus_llm_delta d = {0};
    char ins[64];
    CHECK_OK(ludus_llm_parse_reflector("<think>{\"no\": 1}</think>Sure: {\"reflection\": \"open doors first\", "
                                       "\"bullet_tags\": [{\"id\": 3, \"tag\": \"helpful\"}, {\"id\": 7, \"tag\": "
                                       "\"harmful\"}, {\"id\": 2, \"tag\": \"neutral\"}, {\"id\": 5, \"tag\": "
                                       "\"helpful\"}]} done", &d, ins, sizeof ins));
    CHECK_EQ(d.nhelp, 2);
    CHECK_EQ(d.nharm, 1);
    CHECK(d.helpful[0] == 3 && d.helpful[1] == 5 && d.harmful[0] == 7);
    CHECK_STR(ins, "open doors first");
    /* malformed: an error, d unchanged */
    static const char *bad_reflector[] = {
        NULL, "", "It went well.", "{\"bullet_tags\": [", "{\"bullet_tags\": 3}", "{\"reflection\": 4}",
        "{\"bullet_tags\": [{\"id\": 0, \"tag\": \"helpful\"}]}", "{\"bullet_tags\": [{\"id\": 1.5, \"tag\": \"helpful\"}]}",
        "{\"bullet_tags\": [{\"id\": \"3\", \"tag\": \"helpful\"}]}", "{\"bullet_tags\": [{\"id\": 3, \"tag\": \"great\"}]}",
        "{\"bullet_tags\": [{\"id\": 3}]}", "[1, 2]", "} {"};
    for (size_t i = 0; i < sizeof bad_reflector / sizeof *bad_reflector; i++) {
        CHECK_MSG(ludus_llm_parse_reflector(bad_reflector[i], &d, ins, sizeof ins) == LUDUS_EFORMAT, "reflector %zu", i);
        CHECK(strchr(ludus_errmsg(), '\n') == NULL);
        CHECK(d.nhelp == 2 && d.nharm == 1 && d.helpful[1] == 5);
    }
    char many[2048] = "{\"bullet_tags\": [";
    for (int i = 1; i <= LUDUS_LLM_DELTA_MAX + 1; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "%s{\"id\": %d, \"tag\": \"harmful\"}", i > 1 ? ", " : "", i);
    strcat(many, "]}");
    CHECK_ERR(ludus_llm_parse_reflector(many, &d, ins, sizeof ins), LUDUS_EFORMAT);
    /* the curator */
    CHECK_OK(ludus_llm_parse_curator("{\"operations\": [{\"type\": \"ADD\", \"content\": \"pick up the key\\nthen the door\"}, "
                                     "{\"type\": \"ADD\", \"content\": \"avoid lava\"}]}", &d));
    CHECK_EQ(d.nadd, 2);
    CHECK_STR(d.add[0], "pick up the key then the door");
    CHECK_STR(d.add[1], "avoid lava");
    CHECK_OK(ludus_llm_parse_curator("{\"operations\": [{\"type\": \"UPDATE\", \"bullet_id\": 4, \"content\": \"a\\nb\"}, "
                                     "{\"type\": \"REMOVE\", \"bullet_id\": 2}, {\"type\": \"DELETE\", \"bullet_id\": 9}, "
                                     "{\"type\": \"ADD\", \"content\": \"c\"}]}", &d));
    CHECK(d.nadd == 1 && d.nupdate == 1 && d.nremove == 2 && d.update_id[0] == 4 && d.remove[0] == 2 && d.remove[1] == 9);
    CHECK_STR(d.update[0], "a b");
    CHECK_OK(ludus_llm_parse_curator("{\"operations\": []}", &d));
    CHECK(d.nadd == 0 && d.nupdate == 0 && d.nremove == 0);
    CHECK_OK(ludus_llm_parse_curator("{\"operations\": [{\"type\": \"ADD\", \"content\": \"x\"}]}", &d));
    static const char *bad_curator[] = {
        NULL, "no json", "{\"operations\": [{\"type\": \"ADD\", \"content\": ", "{\"ops\": []}",
        "{\"operations\": [{\"type\": \"DELETE\", \"content\": \"x\"}]}", "{\"operations\": [{\"type\": \"ADD\"}]}",
        "{\"operations\": [{\"type\": \"ADD\", \"content\": \"\"}]}", "{\"operations\": [{\"type\": \"ADD\", \"content\": 5}]}",
        "{\"operations\": [{\"type\": \"UPDATE\", \"content\": \"x\"}]}",
        "{\"operations\": [{\"type\": \"UPDATE\", \"bullet_id\": 0, \"content\": \"x\"}]}",
        "{\"operations\": [{\"type\": \"UPDATE\", \"bullet_id\": 3}]}",
        "{\"operations\": [{\"type\": \"REMOVE\", \"bullet_id\": \"3\"}]}",
        "{\"operations\": [{\"type\": \"REMOVE\", \"bullet_id\": 2.5}]}",
        "{\"operations\": [{\"type\": \"ADD\", \"content\": \"y\"}, {\"type\": \"MERGE\", \"bullet_id\": 1}]}"};
    for (size_t i = 0; i < sizeof bad_curator / sizeof *bad_curator; i++) {
        CHECK_MSG(ludus_llm_parse_curator(bad_curator[i], &d) == LUDUS_EFORMAT, "curator %zu", i);
        CHECK(d.nadd == 1 && strcmp(d.add[0], "x") == 0 && d.nupdate == 0 && d.nremove == 0);
    }
    char *long_rule = malloc(LUDUS_LLM_BULLET_MAX + 64);
    strcpy(long_rule, "{\"operations\": [{\"type\": \"ADD\", \"content\": \"");
    size_t at = strlen(long_rule);
    memset(long_rule + at, 'a', LUDUS_LLM_BULLET_MAX + 1);
    strcpy(long_rule + at + LUDUS_LLM_BULLET_MAX + 1, "\"}]}");
    CHECK_ERR(ludus_llm_parse_curator(long_rule, &d), LUDUS_EFORMAT);
    free(long_rule);
    ludus_llm_delta_free(&d);
    CHECK_EQ(d.nadd, 0);
}

/* The reference model of the playbook: bullets in id order. */
typedef struct ref_bullet {
    char content[16];
    int helpful, harmful, retired;
} ref_bullet;

/* What ludus_llm_memory_merge promises, in its order: counts, UPDATEs
 * (de-duplicated against the other live bullets), REMOVEs, ADDs, then
 * retirement by margin; c gets what each step did. */
static void ref_merge(ref_bullet *b, int *n, const ludus_llm_delta *d, int margin, ludus_llm_merge_counts *c)
{
    memset(c, 0, sizeof *c);
    for (int i = 0; i < d->nhelp; i++)
        if (d->helpful[i] <= *n && !b[d->helpful[i] - 1].retired) b[d->helpful[i] - 1].helpful++;
    for (int i = 0; i < d->nharm; i++)
        if (d->harmful[i] <= *n && !b[d->harmful[i] - 1].retired) b[d->harmful[i] - 1].harmful++;
    for (int i = 0; i < d->nupdate; i++) {
        long id = d->update_id[i];
        if (id > *n || b[id - 1].retired) {
            c->skipped++;
            continue;
        }
        int same = -1;
        for (int k = 0; k < *n; k++)
            if (k != id - 1 && !b[k].retired && strcmp(b[k].content, d->update[i]) == 0) same = k;
        if (same >= 0) {
            b[same].helpful += b[id - 1].helpful;
            b[same].harmful += b[id - 1].harmful;
            b[id - 1].retired = 1;
            c->merged++;
        } else {
            snprintf(b[id - 1].content, sizeof b[id - 1].content, "%s", d->update[i]);
            c->updated++;
        }
    }
    for (int i = 0; i < d->nremove; i++) {
        long id = d->remove[i];
        if (id > *n || b[id - 1].retired) {
            c->skipped++;
        } else {
            b[id - 1].retired = 1;
            c->removed++;
        }
    }
    for (int i = 0; i < d->nadd; i++) {
        int dup = 0;
        for (int k = 0; k < *n; k++) dup |= !b[k].retired && strcmp(b[k].content, d->add[i]) == 0;
        if (!dup) {
            snprintf(b[*n].content, sizeof b[*n].content, "%s", d->add[i]);
            b[*n].helpful = b[*n].harmful = b[*n].retired = 0;
            (*n)++;
            c->added++;
        }
    }
    for (int k = 0; k < *n; k++)
        if (!b[k].retired && b[k].harmful - b[k].helpful > margin) {
            b[k].retired = 1;
            c->retired++;
        }
}

/* The reference prompt block: live bullets by helpful - harmful, then id. */
static void ref_block(const ref_bullet *b, int n, int top, char *out, size_t cap)
{
    int order[512], m = 0;
    for (int k = 0; k < n; k++)
        if (!b[k].retired) order[m++] = k;
    for (int i = 1; i < m; i++) /* insertion sort, stable: ties keep id order */
        for (int j = i; j > 0; j--) {
            int x = order[j - 1], y = order[j];
            if (b[y].helpful - b[y].harmful > b[x].helpful - b[x].harmful) {
                order[j - 1] = y;
                order[j] = x;
            }
        }
    out[0] = 0;
    if (m) snprintf(out, cap, "Playbook (rules learned on earlier episodes, best first):\n");
    for (int i = 0; i < m && i < top; i++) {
        const ref_bullet *r = &b[order[i]];
        snprintf(out + strlen(out), cap - strlen(out), "- [b%d] %s (helpful %d, harmful %d)\n", order[i] + 1, r->content,
                 r->helpful, r->harmful);
    }
}

static void test_playbook_merge(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/ludus_test_playbook_%ld.db", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (long)getpid());
    remove(path);
    ludus_llm_memory *m = NULL;
    CHECK_OK(ludus_llm_memory_open(path, "World-A", "model", &m));
    static ref_bullet ref[512];
    int n = 0;
    ludus_rng rng;
    ludus_rng_seed(&rng, 77);
    char *block = NULL, want[16384];
    long ids[16];
    int nids = 0, total_added = 0, total_retired = 0, total_updated = 0, total_merged = 0, total_removed = 0;
    for (int step = 0; step < 200; step++) {
        ludus_llm_delta d = {0};
        d.nhelp = (int)(ludus_rng_integers(&rng, 0, 4));
        d.nharm = (int)(ludus_rng_integers(&rng, 0, 4));
        for (int i = 0; i < d.nhelp; i++) d.helpful[i] = 1 + ludus_rng_integers(&rng, 0, n + 3); /* some unknown ids */
        for (int i = 0; i < d.nharm; i++) d.harmful[i] = 1 + ludus_rng_integers(&rng, 0, n + 3);
        d.nadd = (int)ludus_rng_integers(&rng, 0, 3);
        for (int i = 0; i < d.nadd; i++) {
            char c[16];
            snprintf(c, sizeof c, "rule %d", (int)ludus_rng_integers(&rng, 0, 40)); /* repeats: deduplicated */
            d.add[i] = strdup(c);
        }
        d.nupdate = (int)ludus_rng_integers(&rng, 0, 3);
        for (int i = 0; i < d.nupdate; i++) {
            char c[16];
            d.update_id[i] = 1 + ludus_rng_integers(&rng, 0, n + 3);
            snprintf(c, sizeof c, "rule %d", (int)ludus_rng_integers(&rng, 0, 40)); /* sometimes a live one's */
            d.update[i] = strdup(c);
        }
        d.nremove = (int)ludus_rng_integers(&rng, 0, 2);
        for (int i = 0; i < d.nremove; i++) d.remove[i] = 1 + ludus_rng_integers(&rng, 0, n + 3);
        ludus_llm_merge_counts want_c, got_c;
        ref_merge(ref, &n, &d, 1, &want_c);
        CHECK_OK(ludus_llm_memory_merge(m, &d, 1, &got_c));
        CHECK_MSG(memcmp(&want_c, &got_c, sizeof want_c) == 0,
                  "step %d: merge counts added %d/%d updated %d/%d merged %d/%d removed %d/%d retired %d/%d skipped %d/%d",
                  step, got_c.added, want_c.added, got_c.updated, want_c.updated, got_c.merged, want_c.merged,
                  got_c.removed, want_c.removed, got_c.retired, want_c.retired, got_c.skipped, want_c.skipped);
        total_added += got_c.added;
        total_retired += got_c.retired;
        total_updated += got_c.updated;
        total_merged += got_c.merged;
        total_removed += got_c.removed;
        ludus_llm_delta_free(&d);
        if (step % 10 == 9) {
            CHECK_OK(ludus_llm_memory_playbook(m, 16, ids, &nids, &block));
            ref_block(ref, n, 16, want, sizeof want);
            CHECK_STR(block, want);
            free(block);
            block = NULL;
        }
    }
    CHECK(total_added > 20 && total_retired > 5); /* the run exercised every operation */
    CHECK(total_updated > 10 && total_merged > 3 && total_removed > 10);
    printf("playbook merges: %d added, %d updated, %d de-duplicated by UPDATE, %d removed, %d retired\n", total_added,
           total_updated, total_merged, total_removed, total_retired);
    /* another world's playbook is separate */
    ludus_llm_memory *other = NULL;
    CHECK_OK(ludus_llm_memory_open(path, "World-B", "model", &other));
    CHECK_OK(ludus_llm_memory_playbook(other, 16, NULL, NULL, &block));
    CHECK_STR(block, "");
    free(block);
    ludus_llm_memory_close(other);
    /* a restart reads the same playbook back */
    CHECK_OK(ludus_llm_memory_playbook(m, 16, ids, &nids, &block));
    ludus_llm_memory_close(m);
    m = NULL;
    char *again = NULL;
    CHECK_OK(ludus_llm_memory_open(path, "World-A", "model", &m));
    CHECK_OK(ludus_llm_memory_playbook(m, 16, NULL, NULL, &again));
    CHECK_STR(again, block);
    ref_block(ref, n, 16, want, sizeof want);
    CHECK_STR(again, want);
    CHECK(nids > 0 && nids <= 16);
    free(block);
    free(again);
    ludus_llm_memory_close(m);
    remove(path);
}

/* Cosine top-k against a reference written here: every similarity in
 * double, the order by a selection of the largest (earlier row on ties). */
static void test_cosine(void)
{
    enum { N = 57, D = 13 };
    static float rows[N * D], q[D];
    ludus_rng rng;
    ludus_rng_seed(&rng, 5);
    for (int j = 0; j < D; j++) q[j] = (float)(ludus_rng_random(&rng) * 2 - 1);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < D; j++) rows[i * D + j] = (float)(ludus_rng_random(&rng) * 2 - 1);
    for (int j = 0; j < D; j++) {
        rows[3 * D + j] = 0;            /* a zero vector: similarity 0 */
        rows[10 * D + j] = 2 * q[j];    /* parallel to q: 1 */
        rows[20 * D + j] = 2 * q[j];    /* a tie with row 10, which comes first */
        rows[30 * D + j] = -q[j];       /* opposite: -1 */
    }
    double ref[N];
    for (int i = 0; i < N; i++) {
        double dot = 0, a = 0, b = 0;
        for (int j = 0; j < D; j++) {
            dot += (double)q[j] * rows[i * D + j];
            a += (double)q[j] * q[j];
            b += (double)rows[i * D + j] * rows[i * D + j];
        }
        ref[i] = a > 0 && b > 0 ? dot / sqrt(a * b) : 0;
    }
    int ks[] = {1, 4, 10, N, N + 5};
    for (size_t t = 0; t < sizeof ks / sizeof ks[0]; t++) {
        int idx[N + 5], used[N] = {0};
        float score[N + 5];
        int got = ludus_llm_cosine_topk(q, rows, N, D, ks[t], idx, score);
        CHECK_EQ(got, ks[t] < N ? ks[t] : N);
        for (int r = 0; r < got; r++) {
            int best = -1;
            for (int i = 0; i < N; i++)
                if (!used[i] && (best < 0 || (float)ref[i] > (float)ref[best])) best = i;
            used[best] = 1;
            CHECK_EQ(idx[r], best);
            CHECK(fabs(score[r] - ref[best]) < 1e-6);
        }
    }
    int idx[3];
    float score[3];
    CHECK_EQ(ludus_llm_cosine_topk(q, rows, N, D, 3, idx, score), 3);
    CHECK(idx[0] == 10 && idx[1] == 20 && fabs(score[0] - 1) < 1e-6);
    CHECK_EQ(ludus_llm_cosine_topk(q, rows, 0, D, 3, idx, score), 0);
    CHECK_EQ(ludus_llm_cosine_topk(q, rows, N, D, 0, idx, score), 0);
}

/* The case bank by vectors: the block lists the most similar cases (the
 * same start first), the file records its embedding model and dimension
 * and refuses another one, and a frozen memory records nothing. */
static void test_memory_vec(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/ludus_test_vec_%ld.db", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (long)getpid());
    remove(path);
    ludus_llm_memory *m = NULL;
    CHECK_OK(ludus_llm_memory_open(path, "World-A", "model", &m));
    CHECK_OK(ludus_llm_memory_embedder(m, path, "emb", 3, 1)); /* frozen: nothing recorded */
    CHECK_OK(ludus_llm_memory_embedder(m, path, "other", 4, 0)); /* so another model may still come */
    ludus_llm_memory_close(m);
    remove(path);
    CHECK_OK(ludus_llm_memory_open(path, "World-A", "model", &m));
    CHECK_OK(ludus_llm_memory_embedder(m, path, "emb", 3, 0));
    const float v0[3] = {1, 0, 0}, v1[3] = {0.8f, 0.6f, 0}, v2[3] = {0, 1, 0}, v3[3] = {0, 0, 1};
    CHECK_OK(ludus_llm_memory_add(m, "train", "go to the ball", "ball left", "turn left", 1, 1, 1, v0, 3));
    CHECK_OK(ludus_llm_memory_add(m, "train", "go to the box", "box ahead", "go forward", 1, 1, 1, v1, 3));
    CHECK_OK(ludus_llm_memory_add(m, "train", "go to the key", "key right", "turn right", 0, 0, 5, v2, 3));
    CHECK_OK(ludus_llm_memory_add(m, "train", "open the door", "door", "toggle", 1, 1, 1, v3, 3));
    CHECK_OK(ludus_llm_memory_add(m, "train", "no vector", "x", "done", 1, 1, 1, NULL, 0)); /* not a candidate */
    const float q[3] = {0.6f, 0.8f, 0};
    char *block = NULL;
    /* similarities: v1 0.96, v0 0.6, v2 0.8; the start of v2's case is given: it comes first */
    CHECK_OK(ludus_llm_memory_recall_vec(m, "go to the key", "key right", q, 3, 3, &block));
    CHECK_STR(block, "Past episodes (from memory):\n"
                     "- [same start as now] mission 'go to the key': FAILED in 5 steps with actions: turn right\n"
                     "- [similarity 0.96] mission 'go to the box': SUCCEEDED in 1 steps with actions: go forward\n"
                     "- [similarity 0.60] mission 'go to the ball': SUCCEEDED in 1 steps with actions: turn left\n"
                     "Repeat what succeeded from the same start; avoid what failed.\n");
    free(block);
    ludus_llm_memory *other = NULL; /* another world: no cases */
    CHECK_OK(ludus_llm_memory_open(path, "World-B", "model", &other));
    CHECK_OK(ludus_llm_memory_recall_vec(other, "go to the key", "key right", q, 3, 3, &block));
    CHECK_STR(block, "");
    free(block);
    ludus_llm_memory_close(other);
    CHECK_OK(ludus_llm_memory_recall_vec(m, "go to the key", "key right", q, 4, 3, &block)); /* other dimension */
    CHECK_STR(block, "");
    free(block);
    ludus_llm_memory_close(m);
    CHECK_OK(ludus_llm_memory_open(path, "World-A", "model", &m));
    CHECK_OK(ludus_llm_memory_embedder(m, path, "emb", 3, 1));
    CHECK_ERR(ludus_llm_memory_embedder(m, path, "emb2", 3, 0), LUDUS_EFORMAT);
    CHECK(strstr(ludus_errmsg(), "embedding model 'emb' (3 dimensions)") != NULL && !strchr(ludus_errmsg(), '\n'));
    CHECK_ERR(ludus_llm_memory_embedder(m, path, "emb", 4, 1), LUDUS_EFORMAT);
    ludus_llm_memory_close(m);
    remove(path);
}

/* A world of three action components (Web-*): replies read by the world's
 * grammar, each component checked against the names of the world's own
 * action list (verbs, then the slots [0]..[47], then the words). */
static void test_parse_components(void)
{
    ludus_env *w = NULL;
    CHECK(ludus_env_make("Web-enter-text-v0", NULL, &w) == LUDUS_OK);
    if (!w) return;
    const ludus_env_info *info = ludus_env_get_info(w);
    CHECK(info->action_dims == 3);
    const int n0 = info->action_nvec[0], n1 = info->action_nvec[1];
    int bob = -1, type = -1, click = -1, stop = -1;
    for (int v = 0; v < info->action_nvec[2]; v++)
        if (strcmp(info->action_names[n0 + n1 + v], "bob") == 0) bob = v;
    for (int v = 0; v < n0; v++) {
        if (strcmp(info->action_names[v], "type") == 0) type = v;
        if (strcmp(info->action_names[v], "click") == 0) click = v;
        if (strcmp(info->action_names[v], "stop") == 0) stop = v;
    }
    CHECK(bob > 0 && type >= 0 && click >= 0 && stop >= 0);
    static const struct {
        const char *reply, *args;
        int method, verb, slot, word; /* word -1: bob */
    } rows[] = {
        {"type [1] [bob]", NULL, EXA, 1, 1, -1},
        {"  CLICK [2]\n", NULL, EXA, 0, 2, 0},
        {"<think>click [5]</think>type [3] [Bob]", NULL, EXA, 1, 3, -1},
        {"I will now type it.\nAction: type [1] [bob]", NULL, MRK, 1, 1, -1},
        {"<|ACTION|>click [7]<|END|>", NULL, MRK, 0, 7, 0},
        {"{\"action\": \"click [4]\"}", NULL, MRK, 0, 4, 0},
        {"Sure. The box is there, so: click [6]", NULL, LEN, 0, 6, 0},
        {NULL, "{\"action\": \"type [2] [bob]\"}", TOOL, 1, 2, -1},
        {"stop", NULL, EXA, 6, 0, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int32_t a[LUDUS_MAX_ACTION_DIMS] = {-1, -1, -1};
        int m = -1;
        int rc = ludus_llm_parse(w, rows[i].reply, rows[i].args, i % 2, a, &m);
        const int verb = rows[i].verb == 1 ? type : rows[i].verb == 6 ? stop : click;
        CHECK_MSG(rc == LUDUS_OK && m == rows[i].method && a[0] == verb && a[1] == rows[i].slot &&
                      a[2] == (rows[i].word < 0 ? bob : rows[i].word),
                  "web reply %zu '%s': rc %d method %d action %d %d %d", i, rows[i].reply ? rows[i].reply : "(tool)",
                  rc, m, a[0], a[1], a[2]);
    }
    static const char *const bad[] = {"I am not sure.", "click [x]", "type [3]", "click [48]", "", "<think>click [1]</think>"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int32_t a[LUDUS_MAX_ACTION_DIMS] = {9, 9, 9};
        int m = -1;
        int rc = ludus_llm_parse(w, bad[i], NULL, 0, a, &m);
        CHECK_MSG(rc == LUDUS_EINVAL && m == INV && strncmp(ludus_errmsg(), "invalid action", 14) == 0 &&
                      a[0] == 9 && a[1] == 9 && a[2] == 9,
                  "web reply '%s' is not an action: rc %d method %d (%s)", bad[i], rc, m, ludus_errmsg());
    }
    ludus_env_destroy(w);
}

int main(void)
{
    test_cosine();
    test_memory_vec();
    test_playbook_parse();
    test_playbook_merge();
    test_sse();
    test_table();
    test_fuzz();
    test_retry();
    test_config();
    test_parse_components();
    return check_finish("test_llm");
}
