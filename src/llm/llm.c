/* llm.c: the language-model runner. Each world that plays gets one chat
 * request per step, built from its own history only; the requests of a
 * step go out together through one curl multi handle (up to
 * cfg.parallel at once), are retried as the OpenAI clients retry, and
 * their replies are read in world order, so the actions and the log do
 * not depend on which reply arrived first. The key is read from the
 * environment once and only ever placed in a request header.
 */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/core.h"
#include "core/rng.h"
#include "llm/llm_internal.h"
#include "ludus/llm.h"

/* ---- small helpers ---------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void sleep_ms(long ms)
{
    if (ms <= 0) return;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

typedef struct dbuf {
    char *p;
    size_t len, cap;
} dbuf;

static int dbuf_add(dbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) return -1;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
    return 0;
}

static int dbuf_str(dbuf *b, const char *s) { return dbuf_add(b, s, strlen(s)); }

/* ---- retries ------------------------------------------------------------ */

int ludus_llm_retryable(long status)
{
    return status == 0 || status == 408 || status == 409 || status == 429 || status >= 500;
}

/* An HTTP date (RFC 7231 IMF-fixdate) as seconds since the epoch; -1 if not one. */
static double http_date(const char *s)
{
    static const char *mon[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char wd[4], ms[4], gmt[4];
    int d, y, h, mi, sec;
    if (sscanf(s, "%3s, %d %3s %d %d:%d:%d %3s", wd, &d, ms, &y, &h, &mi, &sec, gmt) != 8) return -1;
    int m = -1;
    for (int i = 0; i < 12; i++)
        if (strcmp(ms, mon[i]) == 0) m = i;
    if (m < 0 || strcmp(gmt, "GMT") != 0) return -1;
    /* days from the civil date (proleptic Gregorian) */
    int yy = y - (m < 2), era = (yy >= 0 ? yy : yy - 399) / 400;
    int yoe = yy - era * 400, mp = (m + 10) % 12, doy = (153 * mp + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    double days = (double)era * 146097 + doe - 719468;
    return days * 86400 + h * 3600 + mi * 60 + sec;
}

long ludus_llm_retry_delay_ms(int attempt, const char *retry_after_ms, const char *retry_after, double now_epoch_s,
                              double jitter)
{
    char *end;
    if (retry_after_ms && *retry_after_ms) {
        double v = strtod(retry_after_ms, &end);
        if (end != retry_after_ms && v >= 0 && v <= 60000) return (long)v;
    }
    if (retry_after && *retry_after) {
        double v = strtod(retry_after, &end);
        while (end && (*end == ' ' || *end == '\r' || *end == '\n')) end++;
        if (end != retry_after && *end == 0) {
            if (v >= 0 && v <= 60) return (long)(v * 1000);
        } else {
            double when = http_date(retry_after);
            if (when >= 0 && when - now_epoch_s >= 0 && when - now_epoch_s <= 60)
                return (long)((when - now_epoch_s) * 1000);
        }
    }
    if (attempt < 0) attempt = 0;
    double d = 0.5 * pow(2.0, attempt > 10 ? 10 : attempt);
    if (d > 8.0) d = 8.0;
    if (jitter < 0.75) jitter = 0.75;
    if (jitter > 1) jitter = 1;
    return (long)(d * jitter * 1000);
}

/* ---- the runner ---------------------------------------------------------- */

enum { REQ_NONE, REQ_WAIT, REQ_FLIGHT, REQ_DONE };

typedef struct slot {
    int playing;
    long episode;
    int t;
    char *mission, *obs0;
    char **hist_obs, **hist_act; /* ring of cfg.history pairs */
    int hist_n, hist_head;
    char feedback[256];
    char *memory_block;
    float *vec;                  /* the situation's embedding (retrieval by embeddings) */
    double ret;
    long invalid, requests, tokens;
    dbuf actions;                /* names taken, ", "-joined */
    /* the request of this step */
    CURL *easy;
    char *body;
    dbuf resp;
    ludus_llm_sse sse;
    int stream;
    size_t cap;
    int overflow;
    char retry_after[64], retry_after_ms[64], should_retry[16], content_type[64];
    int state, attempt;
    double next_try, started;
    char last_error[512];
    long status;
    /* the reply */
    char *content, *tool_args;
    size_t reasoning_chars;
    cJSON *log_turn;
    int32_t action;
    int body_limit;              /* the history window the body was built with */
    char *last_obs;              /* the last observation acted on */
    int reflect;                 /* a reflection is due (Reflexion), or a playbook update */
    int success;                 /* the ended episode's outcome (playbook) */
    char insight[1024];          /* the reflector's reply (playbook) */
    ludus_llm_delta delta;       /* the playbook update being built */
} slot;

struct ludus_llm {
    ludus_llm_config cfg;
    char *base_url, *model, *db_path, *split, *embed_model;
    int use_embed, embed_dim;    /* retrieval by embeddings chosen; their dimension */
    char *auth_header;
    FILE *log;
    CURLM *multi;
    const ludus_env *env;
    const ludus_env_info *info;
    slot *slots;
    int nslots;
    long next_episode;
    int started, checked_model;
    int hist_limit, context_cut;      /* the history window sent: cfg.history, halved once after a
                            400 that says the context is too small */
    double t0;
    ludus_rng jitter_rng;
    ludus_llm_stats stats;
    ludus_llm_memory *mem;
    int default_action;
    int32_t default_vec[LUDUS_MAX_ACTION_DIMS]; /* the default of a world of several components */
};

/* The action of components a in words: its name (one component), else the
 * names of its components' values joined by spaces ("click [3] <unk>"). */
static void action_text(const ludus_env_info *info, const int32_t *a, char *buf, size_t cap)
{
    if (info->action_dims <= 1) {
        snprintf(buf, cap, "%s", info->action_names[a[0]]);
        return;
    }
    size_t at = 0;
    buf[0] = 0;
    for (int d = 0, off = 0; d < info->action_dims; off += info->action_nvec[d], d++) {
        int w = snprintf(buf + at, cap - at, "%s%s", d ? " " : "", info->action_names[off + a[d]]);
        if (w < 0 || (size_t)w >= cap - at) break;
        at += (size_t)w;
    }
}

void ludus_llm_config_default(ludus_llm_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->prompt = LUDUS_LLM_PROMPT_NAIVE;
    cfg->history = 16;
    cfg->max_tokens = 256;
    cfg->temperature = 0;
    cfg->timeout_ms = 60000;
    cfg->connect_timeout_ms = 5000;
    cfg->retries = 5;
    cfg->max_response = (size_t)8 << 20;
    cfg->parallel = 16;
    cfg->split = "train";
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_ok;
static void curl_init_once(void) { curl_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

int ludus_llm_create(const ludus_llm_config *cfg, ludus_llm **out)
{
    if (!cfg || !out) return ludus_err_set(LUDUS_EINVAL, "llm: NULL argument");
    *out = NULL;
    if (!cfg->base_url || !*cfg->base_url) return ludus_err_set(LUDUS_EINVAL, "llm: no base URL (--base-url)");
    if (strncmp(cfg->base_url, "http://", 7) != 0 && strncmp(cfg->base_url, "https://", 8) != 0)
        return ludus_err_set(LUDUS_EINVAL, "llm: the base URL must start with http:// or https://, got '%s'",
                             cfg->base_url);
    if (!cfg->model || !*cfg->model) return ludus_err_set(LUDUS_EINVAL, "llm: no model name (--model)");
    if (cfg->prompt < LUDUS_LLM_PROMPT_NAIVE || cfg->prompt > LUDUS_LLM_PROMPT_ROBUST)
        return ludus_err_set(LUDUS_EINVAL, "llm: unknown prompt %d", cfg->prompt);
    if (cfg->history < 0 || cfg->max_tokens < 1 || !(cfg->temperature >= 0) || cfg->timeout_ms < 1 ||
        cfg->connect_timeout_ms < 1 || cfg->retries < 0 || cfg->parallel < 1 || cfg->max_response < 1024 ||
        cfg->max_requests < 0 || cfg->max_tokens_total < 0 || !(cfg->max_wall_s >= 0) || !(cfg->health_wait_s >= 0))
        return ludus_err_set(LUDUS_EINVAL, "llm: a setting is out of range (history, max_tokens, temperature, "
                                           "timeouts, retries, parallel, response cap or budgets)");
    if (cfg->memory != LUDUS_LLM_MEMORY_NONE && cfg->memory != LUDUS_LLM_MEMORY_CASES &&
        cfg->memory != LUDUS_LLM_MEMORY_REFLEXION && cfg->memory != LUDUS_LLM_MEMORY_PLAYBOOK)
        return ludus_err_set(LUDUS_EINVAL, "llm: unknown memory %d", cfg->memory);
    if (cfg->memory && (!cfg->db_path || !*cfg->db_path))
        return ludus_err_set(LUDUS_EINVAL, "llm: a memory needs a database file (--db)");
    if (cfg->retrieval < LUDUS_LLM_RETRIEVAL_FTS || cfg->retrieval > LUDUS_LLM_RETRIEVAL_AUTO)
        return ludus_err_set(LUDUS_EINVAL, "llm: unknown retrieval %d", cfg->retrieval);
    if (cfg->retrieval != LUDUS_LLM_RETRIEVAL_FTS && cfg->memory != LUDUS_LLM_MEMORY_CASES)
        return ludus_err_set(LUDUS_EINVAL, "llm: retrieval by embeddings is for the cases memory (--memory cases)");
    if (cfg->embed_model && !*cfg->embed_model) return ludus_err_set(LUDUS_EINVAL, "llm: an empty embedding model name");
    const char *split = cfg->split ? cfg->split : "train";
    if (strcmp(split, "train") != 0 && strcmp(split, "heldout") != 0)
        return ludus_err_set(LUDUS_EINVAL, "llm: split must be train or heldout, got '%s'", split);
    pthread_once(&curl_once, curl_init_once);
    if (!curl_ok) return ludus_err_set(LUDUS_EINTERNAL, "llm: libcurl failed to initialise");
    ludus_llm *L = calloc(1, sizeof *L);
    if (!L) return ludus_err_set(LUDUS_ENOMEM, "llm: out of memory");
    int rc = LUDUS_OK;
    L->cfg = *cfg;
    L->base_url = strdup(cfg->base_url);
    L->model = strdup(cfg->model);
    L->split = strdup(split);
    L->db_path = dup_or_null(cfg->db_path);
    L->embed_model = strdup(cfg->embed_model ? cfg->embed_model : cfg->model);
    L->multi = curl_multi_init();
    if (!L->base_url || !L->model || !L->split || (cfg->db_path && !L->db_path) || !L->multi || !L->embed_model) {
        rc = ludus_err_set(LUDUS_ENOMEM, "llm: out of memory");
        goto fail;
    }
    size_t bl = strlen(L->base_url);
    while (bl && L->base_url[bl - 1] == '/') L->base_url[--bl] = 0;
    L->cfg.base_url = L->base_url;
    L->cfg.model = L->model;
    L->cfg.split = L->split;
    L->cfg.embed_model = L->embed_model;
    L->hist_limit = cfg->history;
    L->cfg.db_path = L->db_path;
    L->cfg.log_path = NULL;
    L->cfg.api_key_env = NULL;
    const char *key = getenv(cfg->api_key_env ? cfg->api_key_env : LUDUS_LLM_KEY_ENV);
    if (!key && !cfg->api_key_env) key = getenv("OPENAI_API_KEY");
    if (key && *key) {
        size_t n = strlen(key) + 32;
        if (!(L->auth_header = malloc(n))) {
            rc = ludus_err_set(LUDUS_ENOMEM, "llm: out of memory");
            goto fail;
        }
        snprintf(L->auth_header, n, "Authorization: Bearer %s", key);
    }
    ludus_rng_seed(&L->jitter_rng, 0x6a177e5ull);
    if (cfg->log_path && !(L->log = fopen(cfg->log_path, "w"))) {
        rc = ludus_err_set(LUDUS_EIO, "llm: cannot write the log %s", cfg->log_path);
        goto fail;
    }
    *out = L;
    return LUDUS_OK;
fail:
    ludus_llm_destroy(L);
    return rc;
}

static void slot_clear_episode(ludus_llm *L, slot *s)
{
    free(s->mission);
    free(s->obs0);
    s->mission = s->obs0 = NULL;
    for (int i = 0; i < L->cfg.history; i++) {
        if (s->hist_obs) { free(s->hist_obs[i]); s->hist_obs[i] = NULL; }
        if (s->hist_act) { free(s->hist_act[i]); s->hist_act[i] = NULL; }
    }
    s->hist_n = s->hist_head = 0;
    free(s->memory_block);
    s->memory_block = NULL;
    free(s->vec);
    s->vec = NULL;
    free(s->last_obs);
    s->last_obs = NULL;
    s->reflect = 0;
    ludus_llm_delta_free(&s->delta);
    s->actions.len = 0;
    if (s->actions.p) s->actions.p[0] = 0;
    s->feedback[0] = 0;
    cJSON_Delete(s->log_turn);
    s->log_turn = NULL;
}

static void free_slots(ludus_llm *L)
{
    for (int i = 0; i < L->nslots; i++) {
        slot *s = &L->slots[i];
        slot_clear_episode(L, s);
        free(s->hist_obs);
        free(s->hist_act);
        free(s->actions.p);
        free(s->resp.p);
        ludus_llm_sse_free(&s->sse);
        free(s->body);
        free(s->content);
        free(s->tool_args);
        if (s->easy) {
            if (s->state == REQ_FLIGHT) curl_multi_remove_handle(L->multi, s->easy);
            curl_easy_cleanup(s->easy);
        }
    }
    free(L->slots);
    L->slots = NULL;
    L->nslots = 0;
}

void ludus_llm_destroy(ludus_llm *L)
{
    if (!L) return;
    free_slots(L);
    if (L->multi) curl_multi_cleanup(L->multi);
    if (L->log) fclose(L->log);
    ludus_llm_memory_close(L->mem);
    if (L->auth_header) {
        memset(L->auth_header, 0, strlen(L->auth_header));
        free(L->auth_header);
    }
    free(L->base_url);
    free(L->model);
    free(L->split);
    free(L->embed_model);
    free(L->db_path);
    free(L);
}

void ludus_llm_stats_get(const ludus_llm *L, ludus_llm_stats *out)
{
    if (!out) return;
    if (!L) {
        memset(out, 0, sizeof *out);
        return;
    }
    *out = L->stats;
    if (L->started) out->wall_s = now_s() - L->t0;
}

/* ---- HTTP ------------------------------------------------------------------ */

static size_t on_body(char *data, size_t size, size_t nmemb, void *user)
{
    slot *s = user;
    size_t n = size * nmemb;
    if (s->resp.len + n > s->cap) {
        s->overflow = 1;
        return 0; /* aborts the transfer */
    }
    if (dbuf_add(&s->resp, data, n)) return 0;
    if (s->stream && ludus_llm_sse_feed(&s->sse, data, n)) return 0;
    return n;
}

/* Copy a header's value (trimmed) when its name matches. */
static void header_value(const char *line, size_t n, const char *name, char *dst, size_t cap)
{
    size_t k = strlen(name);
    if (n <= k || strncasecmp(line, name, k) != 0 || line[k] != ':') return;
    const char *v = line + k + 1, *e = line + n;
    while (v < e && (*v == ' ' || *v == '\t')) v++;
    while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' ')) e--;
    size_t len = (size_t)(e - v) < cap - 1 ? (size_t)(e - v) : cap - 1;
    memcpy(dst, v, len);
    dst[len] = 0;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *user)
{
    slot *s = user;
    size_t n = size * nmemb;
    header_value(data, n, "retry-after", s->retry_after, sizeof s->retry_after);
    header_value(data, n, "retry-after-ms", s->retry_after_ms, sizeof s->retry_after_ms);
    header_value(data, n, "x-should-retry", s->should_retry, sizeof s->should_retry);
    header_value(data, n, "content-type", s->content_type, sizeof s->content_type);
    return n;
}

/* Set up s->easy for a request to base + path (POST body when non-NULL). */
static int easy_setup(ludus_llm *L, slot *s, const char *url, const char *body, struct curl_slist *headers,
                      long timeout_ms)
{
    if (!s->easy && !(s->easy = curl_easy_init())) return ludus_err_set(LUDUS_ENOMEM, "llm: out of memory");
    CURL *e = s->easy;
    curl_easy_reset(e);
    s->resp.len = 0;
    if (s->resp.p) s->resp.p[0] = 0;
    s->overflow = 0;
    s->cap = L->cfg.max_response;
    ludus_llm_sse_free(&s->sse);
    s->stream = body && L->cfg.stream;
    s->retry_after[0] = s->retry_after_ms[0] = s->should_retry[0] = s->content_type[0] = 0;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)L->cfg.connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, s);
    curl_easy_setopt(e, CURLOPT_PRIVATE, s);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    if (headers) curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
    if (body) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    return LUDUS_OK;
}

static struct curl_slist *json_headers(ludus_llm *L)
{
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    if (h && L->auth_header) {
        struct curl_slist *h2 = curl_slist_append(h, L->auth_header);
        if (!h2) {
            curl_slist_free_all(h);
            return NULL;
        }
        h = h2;
    }
    if (h) {
        struct curl_slist *h3 = curl_slist_append(h, "Expect:");
        if (h3) h = h3;
    }
    return h;
}

/* A short description of an error body: the API's error.message, or what
 * the body is when it is not JSON. */
static void describe_body(const slot *s, char *dst, size_t cap)
{
    cJSON *j = s->resp.p ? cJSON_Parse(s->resp.p) : NULL;
    const cJSON *err = j ? cJSON_GetObjectItemCaseSensitive(j, "error") : NULL;
    const cJSON *msg = cJSON_IsObject(err) ? cJSON_GetObjectItemCaseSensitive(err, "message") : NULL;
    if (cJSON_IsString(msg)) snprintf(dst, cap, "%.300s", msg->valuestring);
    else if (cJSON_IsString(err)) snprintf(dst, cap, "%.300s", err->valuestring);
    else if (!j && s->resp.len) snprintf(dst, cap, "a %s body that is not JSON (%zu bytes)",
                                         s->content_type[0] ? s->content_type : "non-JSON", s->resp.len);
    else snprintf(dst, cap, "no error message");
    /* one line */
    for (char *p = dst; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
    cJSON_Delete(j);
}

/* GET base/models once: when the server lists models and ours is not
 * among them, fail at once with the names it has. */
static int check_model(ludus_llm *L)
{
    slot tmp;
    memset(&tmp, 0, sizeof tmp);
    char url[2048];
    snprintf(url, sizeof url, "%s/models", L->base_url);
    struct curl_slist *h = json_headers(L);
    int rc = easy_setup(L, &tmp, url, NULL, h, L->cfg.timeout_ms);
    if (!rc) {
        CURLcode cr = curl_easy_perform(tmp.easy);
        long status = 0;
        curl_easy_getinfo(tmp.easy, CURLINFO_RESPONSE_CODE, &status);
        if (cr == CURLE_OK && status == 200) {
            cJSON *j = cJSON_Parse(tmp.resp.p ? tmp.resp.p : "");
            const cJSON *data = j ? cJSON_GetObjectItemCaseSensitive(j, "data") : NULL;
            if (cJSON_IsArray(data) && cJSON_GetArraySize(data) > 0) {
                int found = 0;
                char names[512] = "";
                strbuf sb = sb_make(names, sizeof names);
                const cJSON *m;
                cJSON_ArrayForEach(m, data) {
                    const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
                    if (!cJSON_IsString(id)) continue;
                    if (strcmp(id->valuestring, L->model) == 0) found = 1;
                    ludus_sb_printf(&sb, "%s'%s'", sb.len ? ", " : "", id->valuestring);
                }
                if (!found && sb.len)
                    rc = ludus_err_set(LUDUS_EINVAL, "llm: the server at %s does not serve model '%s' (it has %s)",
                                       L->base_url, L->model, names);
            }
            cJSON_Delete(j);
        } else if (cr != CURLE_OK && (cr == CURLE_COULDNT_CONNECT || cr == CURLE_COULDNT_RESOLVE_HOST)) {
            rc = ludus_err_set(LUDUS_EIO, "llm: cannot reach %s: %s", L->base_url, curl_easy_strerror(cr));
        }
        L->stats.requests++;
    }
    curl_slist_free_all(h);
    if (tmp.easy) curl_easy_cleanup(tmp.easy);
    free(tmp.resp.p);
    return rc;
}

/* POST base/embeddings {"model": embed_model, "input": text}: its first
 * vector into *vec (malloc'd, *dim floats). The chat requests' timeouts,
 * key, retries and backoff (a malformed 200 body is retried as a chat
 * reply is); *status: the last HTTP status (0: none). A vector whose
 * dimension differs from L->embed_dim (once set) is an error, not retried. */
static int budget_left(ludus_llm *L);
static int embed_text(ludus_llm *L, const char *text, float **vec, int *dim, long *status)
{
    *vec = NULL;
    *status = 0;
    char url[2048];
    snprintf(url, sizeof url, "%s/embeddings", L->base_url);
    cJSON *req = cJSON_CreateObject();
    if (req) {
        cJSON_AddStringToObject(req, "model", L->embed_model);
        cJSON_AddStringToObject(req, "input", text);
        cJSON_AddStringToObject(req, "encoding_format", "float");
    }
    char *body = req ? cJSON_PrintUnformatted(req) : NULL;
    cJSON_Delete(req);
    struct curl_slist *h = body ? json_headers(L) : NULL;
    slot tmp;
    memset(&tmp, 0, sizeof tmp);
    int rc = h ? LUDUS_OK : ludus_err_set(LUDUS_ENOMEM, "llm: out of memory");
    for (int attempt = 0; !rc; attempt++) {
        if ((rc = budget_left(L))) {
            L->stats.budget_exhausted = 1;
            break;
        }
        if ((rc = easy_setup(L, &tmp, url, body, h, L->cfg.timeout_ms))) break;
        tmp.stream = 0;
        CURLcode cr = curl_easy_perform(tmp.easy);
        L->stats.requests++;
        long st = 0;
        curl_easy_getinfo(tmp.easy, CURLINFO_RESPONSE_CODE, &st);
        *status = cr == CURLE_OK ? st : 0;
        if (tmp.overflow) {
            rc = ludus_err_set(LUDUS_EIO, "llm: %s sent a reply larger than %zu bytes (the cap)", url,
                               L->cfg.max_response);
            break;
        }
        int retry;
        if (cr != CURLE_OK) {
            snprintf(tmp.last_error, sizeof tmp.last_error, "%s", curl_easy_strerror(cr));
            retry = 1;
        } else if (st == 200) {
            cJSON *j = cJSON_Parse(tmp.resp.p ? tmp.resp.p : "");
            const cJSON *data = j ? cJSON_GetObjectItemCaseSensitive(j, "data") : NULL;
            const cJSON *d0 = cJSON_IsArray(data) ? cJSON_GetArrayItem(data, 0) : NULL;
            const cJSON *e = d0 ? cJSON_GetObjectItemCaseSensitive(d0, "embedding") : NULL;
            if (!cJSON_IsArray(e)) e = NULL;
            int n = e ? cJSON_GetArraySize(e) : 0, good = n > 0;
            const cJSON *x;
            cJSON_ArrayForEach(x, e) good = good && cJSON_IsNumber(x) && isfinite(x->valuedouble);
            if (good && L->embed_dim && n != L->embed_dim) {
                rc = ludus_err_set(LUDUS_EFORMAT, "llm: %s answered a vector of %d dimensions, earlier ones had %d",
                                   url, n, L->embed_dim);
                cJSON_Delete(j);
                break;
            }
            if (good) {
                if (!(*vec = malloc((size_t)n * sizeof(float)))) {
                    rc = ludus_err_set(LUDUS_ENOMEM, "llm: out of memory");
                } else {
                    int i = 0;
                    cJSON_ArrayForEach(x, e)(*vec)[i++] = (float)x->valuedouble;
                    *dim = n;
                }
                cJSON_Delete(j);
                break;
            }
            snprintf(tmp.last_error, sizeof tmp.last_error, "%s", !j ? "the reply is not JSON"
                                                                : "the reply has no data[0].embedding of numbers");
            cJSON_Delete(j);
            retry = 1;
        } else {
            char why[400];
            describe_body(&tmp, why, sizeof why);
            snprintf(tmp.last_error, sizeof tmp.last_error, "HTTP %ld: %s", st, why);
            if (strcasecmp(tmp.should_retry, "true") == 0) retry = 1;
            else if (strcasecmp(tmp.should_retry, "false") == 0) retry = 0;
            else retry = ludus_llm_retryable(st);
        }
        if (!retry) {
            rc = ludus_err_set(LUDUS_EIO, "llm: %s answered %s", url, tmp.last_error);
            break;
        }
        if (attempt >= L->cfg.retries) {
            rc = ludus_err_set(LUDUS_EIO, "llm: %s failed after %d tries: %s", url, attempt + 1, tmp.last_error);
            break;
        }
        double jitter = 0.75 + 0.25 * ludus_rng_random(&L->jitter_rng);
        L->stats.retries++;
        sleep_ms(ludus_llm_retry_delay_ms(attempt, tmp.retry_after_ms, tmp.retry_after, (double)time(NULL), jitter));
    }
    curl_slist_free_all(h);
    if (tmp.easy) curl_easy_cleanup(tmp.easy);
    free(tmp.resp.p);
    free(body);
    return rc;
}

/* Poll GET {base without /v1}/health until it answers 200, for up to
 * cfg.health_wait_s seconds (llama-server answers 503 while it loads). */
static int wait_health(ludus_llm *L)
{
    char url[2048];
    snprintf(url, sizeof url, "%s", L->base_url);
    size_t n = strlen(url);
    if (n >= 3 && strcmp(url + n - 3, "/v1") == 0) url[n - 3] = 0;
    strncat(url, "/health", sizeof url - strlen(url) - 1);
    slot tmp;
    memset(&tmp, 0, sizeof tmp);
    double deadline = now_s() + L->cfg.health_wait_s;
    long last = 0;
    CURLcode cr = CURLE_OK;
    int rc = LUDUS_OK;
    for (;;) {
        if ((rc = easy_setup(L, &tmp, url, NULL, NULL, 5000))) break;
        cr = curl_easy_perform(tmp.easy);
        last = 0;
        curl_easy_getinfo(tmp.easy, CURLINFO_RESPONSE_CODE, &last);
        if (cr == CURLE_OK && last == 200) break;
        if (cr == CURLE_OK && last == 404) break; /* a server without /health: go on */
        if (now_s() >= deadline) {
            if (cr != CURLE_OK)
                rc = ludus_err_set(LUDUS_EIO, "llm: %s did not become healthy within %.0f s: %s", url,
                                   L->cfg.health_wait_s, curl_easy_strerror(cr));
            else
                rc = ludus_err_set(LUDUS_EIO, "llm: %s still answered %ld after %.0f s (model loading?)", url, last,
                                   L->cfg.health_wait_s);
            break;
        }
        sleep_ms(250);
    }
    if (tmp.easy) curl_easy_cleanup(tmp.easy);
    free(tmp.resp.p);
    return rc;
}

/* ---- prompts ---------------------------------------------------------------- */

static const char *format_instruction(const ludus_llm *L)
{
    if (L->cfg.tools) return "Choose your next action by calling the act tool.";
    switch (L->cfg.prompt) {
    case LUDUS_LLM_PROMPT_COT:
        return "First think briefly about what to do, then end your reply with one line: Action: <one action from the list>";
    case LUDUS_LLM_PROMPT_ROBUST:
        return "Reply with exactly one action from the list, written as <|ACTION|>action<|END|>, and nothing else.";
    default:
        return "Output exactly one of the actions above and nothing else.";
    }
}

static int add_msg(cJSON *msgs, const char *role, const char *content)
{
    cJSON *m = cJSON_CreateObject();
    if (!m) return -1;
    cJSON_AddItemToArray(msgs, m);
    return cJSON_AddStringToObject(m, "role", role) && cJSON_AddStringToObject(m, "content", content) ? 0 : -1;
}

/* The request body of slot s for observation text obs (cJSON, caller frees). */
static cJSON *build_request(ludus_llm *L, slot *s, const char *obs)
{
    const ludus_env_info *info = L->info;
    dbuf sys = {0}, cur = {0};
    cJSON *req = cJSON_CreateObject(), *msgs = NULL;
    int bad = !req;
    bad |= dbuf_str(&sys, "You are an agent acting in a world, one action per turn. The world: ");
    bad |= dbuf_str(&sys, info->description ? info->description : info->id);
    bad |= dbuf_str(&sys, ".\n");
    if (s->mission && *s->mission) {
        bad |= dbuf_str(&sys, "Mission: ");
        bad |= dbuf_str(&sys, s->mission);
        bad |= dbuf_str(&sys, "\n");
    }
    if (info->action_dims > 1) {
        /* the parts of an action, each with its values */
        char head[160];
        snprintf(head, sizeof head, "\nAn action has %d parts, written in this order on one line (a part the "
                 "action does not use may be left out, as in '%s %s'):\n", info->action_dims, info->action_names[0],
                 info->action_names[info->action_nvec[0]]);
        bad |= dbuf_str(&sys, head);
        for (int d = 0, off = 0; d < info->action_dims; off += info->action_nvec[d], d++) {
            snprintf(head, sizeof head, "- part %d, one of: ", d + 1);
            bad |= dbuf_str(&sys, head);
            for (int v = 0; v < info->action_nvec[d]; v++) {
                bad |= dbuf_str(&sys, v ? ", " : "");
                bad |= dbuf_str(&sys, info->action_names[off + v]);
            }
            bad |= dbuf_str(&sys, "\n");
        }
    } else {
        bad |= dbuf_str(&sys, "\nThe actions you can take:\n");
        for (int a = 0; a < info->num_actions; a++) {
            bad |= dbuf_str(&sys, "- ");
            bad |= dbuf_str(&sys, info->action_names[a]);
            bad |= dbuf_str(&sys, "\n");
        }
    }
    bad |= dbuf_str(&sys, "\nTips: an action that leaves the observation unchanged did nothing; try another one. "
                          "Distances are counted in steps from where you stand, facing forward.\n");
    if (s->memory_block && *s->memory_block) {
        bad |= dbuf_str(&sys, "\n");
        bad |= dbuf_str(&sys, s->memory_block);
    }
    if (!bad && (msgs = cJSON_AddArrayToObject(req, "messages"))) {
        bad |= add_msg(msgs, "system", sys.p);
        int h = s->hist_n < L->hist_limit ? s->hist_n : L->hist_limit;
        for (int i = 0; i < h; i++) {
            int k = (s->hist_head - h + i + 2 * L->cfg.history) % (L->cfg.history ? L->cfg.history : 1);
            dbuf o = {0};
            bad |= dbuf_str(&o, "Observation:\n");
            bad |= dbuf_str(&o, s->hist_obs[k]);
            bad |= add_msg(msgs, "user", o.p ? o.p : "");
            bad |= add_msg(msgs, "assistant", s->hist_act[k]);
            free(o.p);
        }
        char head[96];
        if (s->feedback[0]) {
            bad |= dbuf_str(&cur, s->feedback);
            bad |= dbuf_str(&cur, "\n\n");
        }
        snprintf(head, sizeof head, "Current Observation (step %d):\n", s->t);
        bad |= dbuf_str(&cur, head);
        bad |= dbuf_str(&cur, obs);
        bad |= dbuf_str(&cur, "\n\n");
        bad |= dbuf_str(&cur, format_instruction(L));
        bad |= add_msg(msgs, "user", cur.p);
    } else {
        bad = 1;
    }
    if (!bad) {
        bad |= !cJSON_AddStringToObject(req, "model", L->model);
        bad |= !cJSON_AddNumberToObject(req, "temperature", L->cfg.temperature);
        bad |= !cJSON_AddNumberToObject(req, "max_tokens", L->cfg.max_tokens);
        bad |= !cJSON_AddNumberToObject(req, "seed", (double)(s->episode & 0x7fffffff));
        bad |= !cJSON_AddBoolToObject(req, "stream", L->cfg.stream);
        if (L->cfg.stream) {
            cJSON *so = cJSON_AddObjectToObject(req, "stream_options");
            bad |= !so || !cJSON_AddTrueToObject(so, "include_usage");
        }
    }
    if (!bad && L->cfg.tools) {
        cJSON *tools = cJSON_AddArrayToObject(req, "tools"), *tool = cJSON_CreateObject();
        cJSON_AddItemToArray(tools, tool);
        cJSON_AddStringToObject(tool, "type", "function");
        cJSON *fn = cJSON_AddObjectToObject(tool, "function");
        cJSON_AddStringToObject(fn, "name", "act");
        cJSON_AddStringToObject(fn, "description", "Take one action in the world.");
        cJSON *params = cJSON_AddObjectToObject(fn, "parameters");
        cJSON_AddStringToObject(params, "type", "object");
        cJSON *props = cJSON_AddObjectToObject(params, "properties");
        cJSON *act = cJSON_AddObjectToObject(props, "action");
        cJSON_AddStringToObject(act, "type", "string");
        /* one component: the names as an enum; several: free text in the world's grammar */
        cJSON *en = info->action_dims > 1 ? act : cJSON_AddArrayToObject(act, "enum");
        for (int a = 0; info->action_dims <= 1 && a < info->num_actions; a++)
            cJSON_AddItemToArray(en, cJSON_CreateString(info->action_names[a]));
        cJSON *req_arr = cJSON_AddArrayToObject(params, "required");
        cJSON_AddItemToArray(req_arr, cJSON_CreateString("action"));
        cJSON_AddFalseToObject(params, "additionalProperties");
        cJSON_AddStringToObject(req, "tool_choice", "required");
        cJSON_AddFalseToObject(req, "parallel_tool_calls");
        bad |= !en || !req_arr;
    }
    free(sys.p);
    free(cur.p);
    if (bad) {
        cJSON_Delete(req);
        return NULL;
    }
    return req;
}

/* ---- one step's requests -------------------------------------------------------- */

static int budget_left(ludus_llm *L)
{
    const ludus_llm_config *c = &L->cfg;
    if (c->max_requests && L->stats.requests >= c->max_requests)
        return ludus_err_set(LUDUS_ESTATE, "llm: budget exhausted: %ld requests (--max-requests)", c->max_requests);
    if (c->max_tokens_total && L->stats.tokens >= c->max_tokens_total)
        return ludus_err_set(LUDUS_ESTATE, "llm: budget exhausted: %ld tokens (--max-tokens-total)", L->stats.tokens);
    if (c->max_wall_s > 0 && L->started && now_s() - L->t0 >= c->max_wall_s)
        return ludus_err_set(LUDUS_ESTATE, "llm: budget exhausted: %.0f s of wall time (--max-wall-s)", c->max_wall_s);
    return LUDUS_OK;
}

/* Read a 200 reply into s->content / s->tool_args; <0 with s->last_error
 * when it is not a chat completion. */
static int read_reply(ludus_llm *L, slot *s)
{
    cJSON *j = cJSON_Parse(s->resp.p ? s->resp.p : "");
    if (!j) {
        snprintf(s->last_error, sizeof s->last_error, "the reply is not JSON (%zu bytes%s%s)", s->resp.len,
                 s->content_type[0] ? ", " : "", s->content_type);
        return -1;
    }
    const cJSON *choices = cJSON_GetObjectItemCaseSensitive(j, "choices");
    const cJSON *c0 = cJSON_IsArray(choices) ? cJSON_GetArrayItem(choices, 0) : NULL;
    const cJSON *msg = c0 ? cJSON_GetObjectItemCaseSensitive(c0, "message") : NULL;
    if (!cJSON_IsObject(msg)) {
        snprintf(s->last_error, sizeof s->last_error, "the reply has no choices[0].message");
        cJSON_Delete(j);
        return -1;
    }
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(msg, "content");
    const cJSON *reasoning = cJSON_GetObjectItemCaseSensitive(msg, "reasoning_content");
    const cJSON *calls = cJSON_GetObjectItemCaseSensitive(msg, "tool_calls");
    free(s->content);
    free(s->tool_args);
    s->content = cJSON_IsString(content) ? strdup(content->valuestring) : NULL;
    s->tool_args = NULL;
    s->reasoning_chars = cJSON_IsString(reasoning) ? strlen(reasoning->valuestring) : 0;
    const cJSON *call_list = cJSON_IsArray(calls) ? calls : NULL, *call;
    cJSON_ArrayForEach(call, call_list) {
        const cJSON *fn = cJSON_GetObjectItemCaseSensitive(call, "function");
        const cJSON *name = fn ? cJSON_GetObjectItemCaseSensitive(fn, "name") : NULL;
        const cJSON *args = fn ? cJSON_GetObjectItemCaseSensitive(fn, "arguments") : NULL;
        if (cJSON_IsString(name) && strcmp(name->valuestring, "act") == 0) {
            if (cJSON_IsString(args)) s->tool_args = strdup(args->valuestring);
            else if (cJSON_IsObject(args)) s->tool_args = cJSON_PrintUnformatted(args);
            else s->tool_args = strdup("");
            break;
        }
    }
    const cJSON *usage = cJSON_GetObjectItemCaseSensitive(j, "usage");
    const cJSON *tot = usage ? cJSON_GetObjectItemCaseSensitive(usage, "total_tokens") : NULL;
    long tokens = cJSON_IsNumber(tot) && tot->valuedouble >= 0 ? (long)tot->valuedouble
                                                               : (long)((strlen(s->body) + s->resp.len) / 4);
    s->tokens += tokens;
    L->stats.tokens += tokens;
    if (s->log_turn) {
        cJSON_AddStringToObject(s->log_turn, "content", s->content ? s->content : "");
        if (!s->content) cJSON_AddNullToObject(s->log_turn, "content_null");
        if (s->tool_args) cJSON_AddStringToObject(s->log_turn, "tool_args", s->tool_args);
        if (cJSON_IsString(reasoning)) cJSON_AddStringToObject(s->log_turn, "reasoning", reasoning->valuestring);
        cJSON_AddNumberToObject(s->log_turn, "reasoning_chars", (double)s->reasoning_chars);
        const cJSON *fr = cJSON_GetObjectItemCaseSensitive(c0, "finish_reason");
        if (cJSON_IsString(fr)) cJSON_AddStringToObject(s->log_turn, "finish_reason", fr->valuestring);
        if (usage) cJSON_AddItemToObject(s->log_turn, "usage", cJSON_Duplicate(usage, 1));
        const cJSON *fp = cJSON_GetObjectItemCaseSensitive(j, "system_fingerprint");
        if (cJSON_IsString(fp)) cJSON_AddStringToObject(s->log_turn, "system_fingerprint", fp->valuestring);
    }
    cJSON_Delete(j);
    return 0;
}

/* Take a streamed reply's parts; <0 with s->last_error when the stream is
 * cut short or holds a chunk that is not JSON. */
static int read_stream(ludus_llm *L, slot *s)
{
    ludus_llm_sse *e = &s->sse;
    if (e->bad) {
        snprintf(s->last_error, sizeof s->last_error, "a streamed chunk is not JSON");
        return -1;
    }
    if (!e->done) {
        snprintf(s->last_error, sizeof s->last_error, "the stream ended without [DONE] (%zu bytes)", s->resp.len);
        return -1;
    }
    free(s->content);
    free(s->tool_args);
    s->content = e->has_content ? strdup(e->content ? e->content : "") : NULL;
    s->tool_args = e->tool_name && strcmp(e->tool_name, "act") == 0 ? strdup(e->tool_args ? e->tool_args : "") : NULL;
    s->reasoning_chars = e->reasoning_len;
    long tokens = e->total_tokens >= 0 ? e->total_tokens : (long)((strlen(s->body) + s->resp.len) / 4);
    s->tokens += tokens;
    L->stats.tokens += tokens;
    if (s->log_turn) {
        cJSON_AddBoolToObject(s->log_turn, "streamed", 1);
        cJSON_AddStringToObject(s->log_turn, "content", s->content ? s->content : "");
        if (!s->content) cJSON_AddNullToObject(s->log_turn, "content_null");
        if (s->tool_args) cJSON_AddStringToObject(s->log_turn, "tool_args", s->tool_args);
        if (e->reasoning) cJSON_AddStringToObject(s->log_turn, "reasoning", e->reasoning);
        cJSON_AddNumberToObject(s->log_turn, "reasoning_chars", (double)s->reasoning_chars);
        if (e->finish_reason[0]) cJSON_AddStringToObject(s->log_turn, "finish_reason", e->finish_reason);
        if (e->total_tokens >= 0) cJSON_AddNumberToObject(s->log_turn, "total_tokens", (double)e->total_tokens);
    }
    return 0;
}

/* After a transfer ended: 0 done, 1 retry (next_try set), <0 fatal. */
static int finish(ludus_llm *L, slot *s, CURLcode cr)
{
    long status = 0;
    curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
    s->status = status;
    if (s->overflow)
        return ludus_err_set(LUDUS_EIO, "llm: %s/chat/completions sent a reply larger than %zu bytes (the cap)",
                             L->base_url, L->cfg.max_response);
    int retry;
    if (cr != CURLE_OK) {
        snprintf(s->last_error, sizeof s->last_error, "%s", curl_easy_strerror(cr));
        retry = 1;
        status = 0;
    } else if (status == 200) {
        if ((s->stream ? read_stream(L, s) : read_reply(L, s)) == 0) return 0;
        retry = 1; /* a truncated or malformed body: try again */
    } else {
        char why[400];
        describe_body(s, why, sizeof why);
        snprintf(s->last_error, sizeof s->last_error, "HTTP %ld: %s", status, why);
        if (strcasecmp(s->should_retry, "true") == 0) retry = 1;
        else if (strcasecmp(s->should_retry, "false") == 0) retry = 0;
        else retry = ludus_llm_retryable(status);
        /* a context too small for the prompt: halve the history window once
         * (and rebuild the bodies made with the old one) */
        if (status == 400 && strstr(why, "context") && s->last_obs && !s->reflect &&
            (s->body_limit > L->hist_limit || (!L->context_cut && L->hist_limit > 0))) {
            if (s->body_limit <= L->hist_limit) {
                L->context_cut = 1;
                L->hist_limit /= 2;
            }
            cJSON *req = build_request(L, s, s->last_obs);
            char *body = req ? cJSON_PrintUnformatted(req) : NULL;
            if (body && s->log_turn)
                cJSON_ReplaceItemInObjectCaseSensitive(s->log_turn, "messages",
                    cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(req, "messages"), 1));
            cJSON_Delete(req);
            if (!body) return ludus_err_set(LUDUS_ENOMEM, "llm: out of memory");
            free(s->body);
            s->body = body;
            s->body_limit = L->hist_limit;
            if (s->log_turn) cJSON_AddNumberToObject(s->log_turn, "history_cut_to", L->hist_limit);
            s->attempt++;
            L->stats.retries++;
            s->next_try = 0;
            return 1;
        }
    }
    if (!retry)
        return ludus_err_set(LUDUS_EIO, "llm: %s/chat/completions answered %s", L->base_url, s->last_error);
    if (s->attempt >= L->cfg.retries)
        return ludus_err_set(LUDUS_EIO, "llm: %s/chat/completions failed after %d tries: %s", L->base_url,
                             s->attempt + 1, s->last_error);
    double jitter = 0.75 + 0.25 * ludus_rng_random(&L->jitter_rng);
    long ms = ludus_llm_retry_delay_ms(s->attempt, s->retry_after_ms, s->retry_after, (double)time(NULL), jitter);
    s->attempt++;
    L->stats.retries++;
    s->next_try = now_s() + ms / 1000.0;
    return 1;
}

static void abort_flights(ludus_llm *L)
{
    for (int i = 0; i < L->nslots; i++) {
        slot *s = &L->slots[i];
        if (s->state == REQ_FLIGHT) curl_multi_remove_handle(L->multi, s->easy);
        s->state = REQ_NONE;
    }
}

static int run_requests(ludus_llm *L, int n, double *waited)
{
    char url[2048];
    snprintf(url, sizeof url, "%s/chat/completions", L->base_url);
    struct curl_slist *h = json_headers(L);
    if (!h) return ludus_err_set(LUDUS_ENOMEM, "llm: out of memory");
    int left = 0, inflight = 0, rc = LUDUS_OK;
    for (int w = 0; w < n; w++) left += L->slots[w].state == REQ_WAIT;
    while (left) {
        double now = now_s(), next = INFINITY;
        for (int w = 0; w < n && inflight < L->cfg.parallel; w++) {
            slot *s = &L->slots[w];
            if (s->state != REQ_WAIT) continue;
            if (s->next_try > now) {
                if (s->next_try < next) next = s->next_try;
                continue;
            }
            if ((rc = budget_left(L))) {
                L->stats.budget_exhausted = 1;
                goto done;
            }
            if ((rc = easy_setup(L, s, url, s->body, h, L->cfg.timeout_ms))) goto done;
            if (curl_multi_add_handle(L->multi, s->easy) != CURLM_OK) {
                rc = ludus_err_set(LUDUS_EINTERNAL, "llm: curl_multi_add_handle failed");
                goto done;
            }
            s->state = REQ_FLIGHT;
            s->requests++;
            L->stats.requests++;
            inflight++;
            if (inflight > L->stats.in_flight_max) L->stats.in_flight_max = inflight;
        }
        int running = 0;
        curl_multi_perform(L->multi, &running);
        CURLMsg *msg;
        int q;
        while ((msg = curl_multi_info_read(L->multi, &q))) {
            if (msg->msg != CURLMSG_DONE) continue;
            slot *s = NULL;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
            CURLcode cr = msg->data.result;
            curl_multi_remove_handle(L->multi, s->easy);
            inflight--;
            s->state = REQ_WAIT;
            int r = finish(L, s, cr);
            if (r < 0) {
                rc = r;
                goto done;
            }
            if (r == 0) {
                s->state = REQ_DONE;
                left--;
            }
        }
        if (!left) break;
        double t = now_s();
        long wait_ms = 100;
        /* a request that may start now (one just ended, or its retry is due): no wait */
        for (int w = 0; w < n && inflight < L->cfg.parallel; w++)
            if (L->slots[w].state == REQ_WAIT && L->slots[w].next_try <= t) wait_ms = 0;
        if (!wait_ms) continue;
        if (isfinite(next) && (next - t) * 1000 < wait_ms) wait_ms = (long)((next - t) * 1000) + 1;
        if (wait_ms < 0) wait_ms = 0;
        if (inflight) curl_multi_poll(L->multi, NULL, 0, (int)wait_ms, NULL);
        else sleep_ms(wait_ms);
        *waited += now_s() - t;
    }
done:
    if (rc) abort_flights(L);
    curl_slist_free_all(h);
    return rc;
}

/* ---- the agent ------------------------------------------------------------------ */

static int llm_bind(void *self, const ludus_env *env, int max_worlds)
{
    ludus_llm *L = self;
    const ludus_env_info *info = ludus_env_get_info(env);
    if (!info->action_names)
        return ludus_err_set(LUDUS_EINVAL, "llm: %s has no action names for a language model", info->id);
    if (info->action_dims > 1) {
        /* actions of several components are read by the world's own grammar */
        int32_t probe[LUDUS_MAX_ACTION_DIMS];
        if (ludus_env_parse_action(env, "x", probe) == LUDUS_EUNSUPPORTED)
            return ludus_err_set(LUDUS_EINVAL, "llm: %s has actions of %d components and no grammar to read them in "
                                               "words", info->id, info->action_dims);
    }
    if (!info->text_capacity)
        return ludus_err_set(LUDUS_EINVAL, "llm: %s has no text observation", info->id);
    free_slots(L);
    L->env = env;
    L->info = info;
    if (!(L->slots = calloc((size_t)max_worlds, sizeof *L->slots)))
        return ludus_err_set(LUDUS_ENOMEM, "llm: out of memory");
    L->nslots = max_worlds;
    for (int i = 0; i < max_worlds; i++) {
        slot *s = &L->slots[i];
        if (L->cfg.history &&
            (!(s->hist_obs = calloc((size_t)L->cfg.history, sizeof(char *))) ||
             !(s->hist_act = calloc((size_t)L->cfg.history, sizeof(char *)))))
            return ludus_err_set(LUDUS_ENOMEM, "llm: out of memory");
    }
    /* the default action for an unreadable reply, as BALROG: a no-op where the
     * world has one, else going forward, else the first action */
    L->default_action = 0;
    int fwd = -1, noop = -1;
    for (int a = 0; a < info->num_actions; a++) {
        if (strcasecmp(info->action_names[a], "noop") == 0) noop = a;
        if (strcasecmp(info->action_names[a], "go forward") == 0) fwd = a;
    }
    L->default_action = noop >= 0 ? noop : fwd >= 0 ? fwd : 0;
    /* several components: the first component's value named noop, else
     * stop (WebArena ends an episode on unparseable replies), else 0; the
     * other components 0 */
    memset(L->default_vec, 0, sizeof L->default_vec);
    if (info->action_dims > 1) {
        int stop = -1;
        noop = -1;
        for (int v = 0; v < info->action_nvec[0]; v++) {
            if (strcasecmp(info->action_names[v], "noop") == 0) noop = v;
            if (strcasecmp(info->action_names[v], "stop") == 0) stop = v;
        }
        L->default_vec[0] = noop >= 0 ? noop : stop >= 0 ? stop : 0;
    }
    if (L->cfg.memory != LUDUS_LLM_MEMORY_NONE && !L->mem) {
        int rc = ludus_llm_memory_open(L->db_path, info->id, L->model, &L->mem);
        if (rc) return rc;
    }
    return LUDUS_OK;
}

/* The playbook: bullets shown in a prompt; a bullet is retired when its
 * harmful count exceeds its helpful count by more than this. */
#define PLAYBOOK_TOP 16
#define PLAYBOOK_RETIRE 1

static void log_line(ludus_llm *L, cJSON *j)
{
    if (!L->log || !j) return;
    char *line = cJSON_PrintUnformatted(j);
    if (line) {
        fputs(line, L->log);
        fputc('\n', L->log);
        free(line);
    }
}

static int begin_episode(ludus_llm *L, slot *s, const char *mission, const char *obs)
{
    slot_clear_episode(L, s);
    s->playing = 1;
    s->episode = L->next_episode++;
    s->t = 0;
    s->ret = 0;
    s->invalid = s->requests = s->tokens = 0;
    s->mission = strdup(mission ? mission : "");
    s->obs0 = strdup(obs ? obs : "");
    if (!s->mission || !s->obs0) return ludus_err_set(LUDUS_ENOMEM, "llm: out of memory");
    if (L->mem && L->use_embed) {
        /* the situation: mission and first observation, embedded once per
         * episode (the query now, the stored vector at its end) */
        size_t n = strlen(s->mission) + strlen(s->obs0) + 2;
        char *text = malloc(n);
        if (!text) return ludus_err_set(LUDUS_ENOMEM, "llm: out of memory");
        snprintf(text, n, "%s\n%s", s->mission, s->obs0);
        int dim = 0;
        long status;
        int rc = embed_text(L, text, &s->vec, &dim, &status);
        free(text);
        if (!rc) rc = ludus_llm_memory_recall_vec(L->mem, s->mission, s->obs0, s->vec, dim, 4, &s->memory_block);
        return rc;
    }
    if (L->mem) {
        int rc = L->cfg.memory == LUDUS_LLM_MEMORY_REFLEXION
                     ? ludus_llm_memory_reflections(L->mem, s->mission, s->obs0, 3, &s->memory_block)
                 : L->cfg.memory == LUDUS_LLM_MEMORY_PLAYBOOK
                     ? ludus_llm_memory_playbook(L->mem, PLAYBOOK_TOP, NULL, NULL, &s->memory_block)
                     : ludus_llm_memory_recall(L->mem, s->mission, s->obs0, 4, &s->memory_block);
        if (rc) return rc;
    }
    return LUDUS_OK;
}

/* Retrieval embeddings or auto: embed a probe text once. A vector: the
 * memory's embedding model and dimension are checked (or recorded), and
 * retrieval is by embeddings. Auto without one (404, an error, a malformed
 * body): FTS5, and stats.retrieval_why says why. */
static int choose_retrieval(ludus_llm *L)
{
    float *vec = NULL;
    int dim = 0;
    long status = 0;
    int rc = embed_text(L, "ludus embedding probe", &vec, &dim, &status);
    free(vec);
    if (!rc) {
        if ((rc = ludus_llm_memory_embedder(L->mem, L->db_path, L->embed_model, dim, L->cfg.memory_frozen))) return rc;
        L->use_embed = 1;
        L->embed_dim = dim;
        L->stats.retrieval = LUDUS_LLM_RETRIEVAL_EMBEDDINGS;
        return LUDUS_OK;
    }
    if (L->cfg.retrieval != LUDUS_LLM_RETRIEVAL_AUTO || rc == LUDUS_ESTATE || rc == LUDUS_ENOMEM) return rc;
    snprintf(L->stats.retrieval_why, sizeof L->stats.retrieval_why, "%s", ludus_errmsg());
    L->stats.retrieval = LUDUS_LLM_RETRIEVAL_FTS;
    return LUDUS_OK;
}

/* Whether world w's mask allows action a (no mask: every action). */
static int legal(const ludus_llm *L, const ludus_agent_input *in, int w, const int32_t *a)
{
    if (!in->action_mask) return 1;
    size_t total = 0;
    for (int d = 0; d < in->action_dims; d++) total += (size_t)in->action_sizes[d];
    const uint8_t *m = in->action_mask + (size_t)w * total;
    (void)L;
    for (int d = 0; d < in->action_dims; m += in->action_sizes[d], d++)
        if (!m[a[d]]) return 0;
    return 1;
}

/* The action played for world w when its reply names none (or one the
 * mask forbids): BALROG's default (noop, go forward, else the first
 * action; for several components default_vec), each component moved to
 * its first legal value where the mask forbids it. */
static void default_of(const ludus_llm *L, const ludus_agent_input *in, int w, int32_t *a)
{
    const int D = in->action_dims;
    if (D <= 1) a[0] = L->default_action;
    else memcpy(a, L->default_vec, (size_t)D * sizeof *a);
    if (!in->action_mask) return;
    size_t total = 0;
    for (int d = 0; d < D; d++) total += (size_t)in->action_sizes[d];
    const uint8_t *m = in->action_mask + (size_t)w * total;
    for (int d = 0; d < D; m += in->action_sizes[d], d++)
        if (!m[a[d]])
            for (int v = 0; v < in->action_sizes[d]; v++)
                if (m[v]) {
                    a[d] = v;
                    break;
                }
}

static int llm_act(void *self, const ludus_agent_input *in, int32_t *actions)
{
    ludus_llm *L = self;
    const int D = in->action_dims > 0 ? in->action_dims : 1;
    double t_begin = now_s(), waited = 0;
    int rc = LUDUS_OK;
    if (!in->texts) return ludus_err_set(LUDUS_EINVAL, "llm: the agent needs text observations");
    if (!L->started) {
        if (L->cfg.health_wait_s > 0 && (rc = wait_health(L))) return rc;
        if ((rc = check_model(L))) return rc;
        if (L->mem && L->cfg.memory == LUDUS_LLM_MEMORY_CASES && L->cfg.retrieval != LUDUS_LLM_RETRIEVAL_FTS &&
            (rc = choose_retrieval(L)))
            return rc;
        L->started = 1;
        t_begin = now_s(); /* the runner's cost excludes waiting for the server to load */
        L->t0 = now_s();
        if (L->log) {
            cJSON *j = cJSON_CreateObject();
            cJSON_AddStringToObject(j, "type", "run");
            cJSON_AddStringToObject(j, "ludus", ludus_version());
            cJSON_AddStringToObject(j, "world", L->info->id);
            cJSON_AddStringToObject(j, "base_url", L->base_url);
            cJSON_AddStringToObject(j, "model", L->model);
            cJSON_AddStringToObject(j, "split", L->split);
            static const char *prompts[] = {"naive", "cot", "robust"};
            cJSON_AddStringToObject(j, "prompt", prompts[L->cfg.prompt]);
            cJSON_AddBoolToObject(j, "tools", L->cfg.tools);
            cJSON_AddBoolToObject(j, "strict", L->cfg.strict);
            cJSON_AddBoolToObject(j, "stream", L->cfg.stream);
            cJSON_AddNumberToObject(j, "history", L->cfg.history);
            cJSON_AddNumberToObject(j, "temperature", L->cfg.temperature);
            cJSON_AddNumberToObject(j, "max_tokens", L->cfg.max_tokens);
            static const char *memories[] = {"none", "cases", "reflexion", "playbook"};
            cJSON_AddStringToObject(j, "memory", memories[L->cfg.memory]);
            cJSON_AddBoolToObject(j, "memory_frozen", L->cfg.memory_frozen);
            if (L->cfg.memory == LUDUS_LLM_MEMORY_CASES && L->cfg.retrieval != LUDUS_LLM_RETRIEVAL_FTS) {
                cJSON_AddStringToObject(j, "retrieval", L->use_embed ? "embeddings" : "fts");
                cJSON_AddStringToObject(j, "embed_model", L->embed_model);
                if (L->use_embed) cJSON_AddNumberToObject(j, "embed_dim", L->embed_dim);
                if (L->stats.retrieval_why[0]) cJSON_AddStringToObject(j, "retrieval_why", L->stats.retrieval_why);
            }
            cJSON_AddBoolToObject(j, "api_key", L->auth_header != NULL); /* whether one was sent, never the key */
            log_line(L, j);
            cJSON_Delete(j);
        }
    }
    for (int w = 0; w < in->n; w++) {
        slot *s = &L->slots[w];
        s->state = REQ_NONE;
        if (in->starts && in->starts[w] && (rc = begin_episode(L, s, in->missions ? in->missions[w] : "", in->texts[w])))
            return rc;
        default_of(L, in, w, actions + (size_t)w * D);
        if (!s->playing) continue;
        cJSON *req = build_request(L, s, in->texts[w]);
        free(s->body);
        s->body = req ? cJSON_PrintUnformatted(req) : NULL;
        cJSON_Delete(s->log_turn);
        s->log_turn = L->log ? cJSON_CreateObject() : NULL;
        if (s->log_turn && req) {
            cJSON_AddStringToObject(s->log_turn, "type", "turn");
            cJSON_AddNumberToObject(s->log_turn, "episode", (double)s->episode);
            cJSON_AddNumberToObject(s->log_turn, "t", s->t);
            cJSON_AddItemToObject(s->log_turn, "messages",
                                  cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(req, "messages"), 1));
        }
        cJSON_Delete(req);
        free(s->last_obs);
        s->last_obs = strdup(in->texts[w]);
        s->body_limit = L->hist_limit;
        if (!s->body || !s->last_obs) return ludus_err_set(LUDUS_ENOMEM, "llm: out of memory");
        s->state = REQ_WAIT;
        s->attempt = 0;
        s->next_try = 0;
        s->started = now_s();
    }
    if ((rc = run_requests(L, in->n, &waited))) {
        L->stats.runner_s += now_s() - t_begin - waited;
        return rc;
    }
    for (int w = 0; w < in->n; w++) {
        slot *s = &L->slots[w];
        if (s->state != REQ_DONE) continue;
        int32_t a[LUDUS_MAX_ACTION_DIMS];
        int method;
        int prc = ludus_llm_parse(L->env, s->content, s->tool_args, L->cfg.strict, a, &method);
        static const char *methods[] = {"invalid", "exact", "marker", "lenient", "tool"};
        if (prc == LUDUS_ENOMEM) return prc;
        int forbidden = !prc && !legal(L, in, w, a);
        char name[256];
        if (prc || forbidden) {
            method = LUDUS_LLM_PARSE_INVALID;
            default_of(L, in, w, a);
            s->invalid++;
            L->stats.invalid++;
            action_text(L->info, a, name, sizeof name);
            snprintf(s->feedback, sizeof s->feedback,
                     forbidden ? "Your previous action is not allowed here. Defaulted to action: %s"
                               : "Your previous output did not contain a valid action. Defaulted to action: %s",
                     name);
        } else {
            s->feedback[0] = 0;
            action_text(L->info, a, name, sizeof name);
        }
        memcpy(actions + (size_t)w * D, a, (size_t)D * sizeof *a);
        s->action = a[0];
        if (s->log_turn) {
            cJSON_AddStringToObject(s->log_turn, "action", name);
            cJSON_AddStringToObject(s->log_turn, "method", methods[method]);
            cJSON_AddBoolToObject(s->log_turn, "valid", prc == 0 && !forbidden);
            cJSON_AddNumberToObject(s->log_turn, "retries", s->attempt);
            cJSON_AddNumberToObject(s->log_turn, "latency_ms",
                                    L->cfg.deterministic_log ? 0 : floor((now_s() - s->started) * 1000));
        }
        /* history: this observation and the action taken */
        if (L->cfg.history) {
            int k = s->hist_head;
            free(s->hist_obs[k]);
            free(s->hist_act[k]);
            s->hist_obs[k] = strdup(in->texts[w]);
            s->hist_act[k] = strdup(name);
            if (!s->hist_obs[k] || !s->hist_act[k]) return ludus_err_set(LUDUS_ENOMEM, "llm: out of memory");
            s->hist_head = (k + 1) % L->cfg.history;
            if (s->hist_n < L->cfg.history) s->hist_n++;
        }
        if ((s->actions.len && dbuf_str(&s->actions, ", ")) || dbuf_str(&s->actions, name))
            return ludus_err_set(LUDUS_ENOMEM, "llm: out of memory");
        s->t++;
        L->stats.steps++;
    }
    L->stats.runner_s += now_s() - t_begin - waited;
    return LUDUS_OK;
}

/* Reflexion: one request per failed episode of this step asking for a
 * short new plan, sent together; the plans are stored in the memory. */
static int reflect(ludus_llm *L, int n, double *t_begin)
{
    int any = 0, rc = LUDUS_OK;
    for (int w = 0; w < n; w++) {
        slot *s = &L->slots[w];
        s->state = REQ_NONE;
        if (!s->reflect) continue;
        dbuf u = {0};
        int bad = dbuf_str(&u, "Mission: ");
        bad |= dbuf_str(&u, s->mission);
        bad |= dbuf_str(&u, "\nYour actions, in order: ");
        bad |= dbuf_str(&u, s->actions.p ? s->actions.p : "");
        bad |= dbuf_str(&u, "\nYour last observation:\n");
        bad |= dbuf_str(&u, s->last_obs ? s->last_obs : "");
        bad |= dbuf_str(&u, "\n\nYou were unsuccessful at this mission. In two or three sentences, devise a concise new "
                            "plan that refers to specific actions from the list. Start with 'Plan:'.");
        cJSON *req = cJSON_CreateObject(), *msgs = req ? cJSON_AddArrayToObject(req, "messages") : NULL;
        bad |= !msgs || add_msg(msgs, "system", "You review an agent's failed attempt in a world and write a better plan.");
        bad |= !msgs || add_msg(msgs, "user", u.p ? u.p : "");
        bad |= !cJSON_AddStringToObject(req, "model", L->model);
        bad |= !cJSON_AddNumberToObject(req, "temperature", L->cfg.temperature);
        bad |= !cJSON_AddNumberToObject(req, "max_tokens", L->cfg.max_tokens);
        free(u.p);
        free(s->body);
        s->body = bad ? NULL : cJSON_PrintUnformatted(req);
        cJSON_Delete(req);
        if (!s->body) return ludus_err_set(LUDUS_ENOMEM, "llm: out of memory");
        s->state = REQ_WAIT;
        s->attempt = 0;
        s->next_try = 0;
        any = 1;
    }
    if (!any) return LUDUS_OK;
    const int was_stream = L->cfg.stream;
    L->cfg.stream = 0; /* reflections are asked for whole */
    double waited = 0;
    rc = run_requests(L, n, &waited);
    L->cfg.stream = was_stream;
    *t_begin += waited;
    for (int w = 0; w < n && !rc; w++) {
        slot *s = &L->slots[w];
        if (!s->reflect) continue;
        /* the plan without reasoning, on one line, at most 1000 bytes */
        char *text = strdup(s->content ? s->content : "");
        if (!text) return ludus_err_set(LUDUS_ENOMEM, "llm: out of memory");
        char *open = strstr(text, "<think>"), *close = strstr(text, "</think>");
        if (close) memmove(text, close + 8, strlen(close + 8) + 1);
        else if (open) *open = 0;
        for (char *p = text; *p; p++)
            if (*p == '\n' || *p == '\r') *p = ' ';
        if (strlen(text) > 1000) text[1000] = 0;
        rc = ludus_llm_memory_add_reflection(L->mem, s->mission, s->obs0, text);
        if (L->log) {
            cJSON *j = cJSON_CreateObject();
            cJSON_AddStringToObject(j, "type", "reflection");
            cJSON_AddNumberToObject(j, "episode", (double)s->episode);
            cJSON_AddStringToObject(j, "text", text);
            cJSON_AddNumberToObject(j, "retries", s->attempt);
            log_line(L, j);
            cJSON_Delete(j);
        }
        free(text);
        s->reflect = 0;
        s->playing = 0;
    }
    return rc;
}

/* The playbook (ACE): after each training episode a reflector request
 * (what helped or hurt, citing bullet ids) and then a curator request (new
 * bullets), each sent together for the episodes of this step; the two
 * replies form one delta merged into the database. A malformed reply is
 * logged and changes nothing. */
static int side_request(ludus_llm *L, slot *s, const char *system, const char *user)
{
    cJSON *req = cJSON_CreateObject(), *msgs = req ? cJSON_AddArrayToObject(req, "messages") : NULL;
    int bad = !msgs || add_msg(msgs, "system", system);
    bad |= !msgs || add_msg(msgs, "user", user);
    bad |= !cJSON_AddStringToObject(req, "model", L->model);
    bad |= !cJSON_AddNumberToObject(req, "temperature", L->cfg.temperature);
    bad |= !cJSON_AddNumberToObject(req, "max_tokens", L->cfg.max_tokens);
    free(s->body);
    s->body = bad ? NULL : cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    if (!s->body) return ludus_err_set(LUDUS_ENOMEM, "llm: out of memory");
    s->state = REQ_WAIT;
    s->attempt = 0;
    s->next_try = 0;
    return LUDUS_OK;
}

static void playbook_log(ludus_llm *L, slot *s, const char *stage, const char *error, int added, int retired)
{
    if (!L->log) return;
    cJSON *j = cJSON_CreateObject(), *a;
    cJSON_AddStringToObject(j, "type", "playbook");
    cJSON_AddNumberToObject(j, "episode", (double)s->episode);
    cJSON_AddStringToObject(j, "stage", stage);
    if (error) {
        cJSON_AddStringToObject(j, "error", error);
        cJSON_AddStringToObject(j, "reply", s->content ? s->content : "");
    } else {
        if ((a = cJSON_AddArrayToObject(j, "helpful")))
            for (int i = 0; i < s->delta.nhelp; i++) cJSON_AddItemToArray(a, cJSON_CreateNumber((double)s->delta.helpful[i]));
        if ((a = cJSON_AddArrayToObject(j, "harmful")))
            for (int i = 0; i < s->delta.nharm; i++) cJSON_AddItemToArray(a, cJSON_CreateNumber((double)s->delta.harmful[i]));
        cJSON_AddStringToObject(j, "reflection", s->insight);
        cJSON_AddNumberToObject(j, "added", added);
        cJSON_AddNumberToObject(j, "retired", retired);
    }
    log_line(L, j);
    cJSON_Delete(j);
}

static int playbook_update(ludus_llm *L, int n, double *t_begin)
{
    int rc = LUDUS_OK;
    for (int stage = 0; stage < 2 && !rc; stage++) {
        int any = 0;
        for (int w = 0; w < n; w++) {
            slot *s = &L->slots[w];
            s->state = REQ_NONE;
            if (!s->reflect) continue;
            dbuf u = {0};
            char head[160];
            int bad = 0;
            if (stage == 0) {
                snprintf(head, sizeof head, "\nOutcome: %s (return %.3f in %d steps)\nYour actions, in order: ",
                         s->success ? "SUCCEEDED" : "FAILED", s->ret, s->t);
                bad |= dbuf_str(&u, "Mission: ");
                bad |= dbuf_str(&u, s->mission);
                bad |= dbuf_str(&u, head);
                bad |= dbuf_str(&u, s->actions.p ? s->actions.p : "");
                bad |= dbuf_str(&u, "\nYour last observation:\n");
                bad |= dbuf_str(&u, s->last_obs ? s->last_obs : "");
                bad |= dbuf_str(&u, "\n\nThe playbook shown in this episode:\n");
                bad |= dbuf_str(&u, s->memory_block && *s->memory_block ? s->memory_block : "(empty)\n");
                bad |= dbuf_str(&u, "\nSay what helped or hurt. Reply with one JSON object: {\"reflection\": \"one short "
                                    "rule for later episodes\", \"bullet_tags\": [{\"id\": N, \"tag\": \"helpful\" or "
                                    "\"harmful\" or \"neutral\"}]}, citing playbook rules [bN] by their number N.");
            } else {
                bad |= dbuf_str(&u, "The playbook now:\n");
                bad |= dbuf_str(&u, s->memory_block && *s->memory_block ? s->memory_block : "(empty)\n");
                snprintf(head, sizeof head, "\nThe reviewer's reflection on an episode that %s (mission '",
                         s->success ? "SUCCEEDED" : "FAILED");
                bad |= dbuf_str(&u, head);
                bad |= dbuf_str(&u, s->mission);
                bad |= dbuf_str(&u, "'): ");
                bad |= dbuf_str(&u, s->insight);
                bad |= dbuf_str(&u, "\n\nAdd only rules the playbook lacks; rewrite or remove rules [bN] that are "
                                    "wrong. Reply with one JSON object: {\"operations\": [{\"type\": \"ADD\", "
                                    "\"content\": \"a short rule\"}, {\"type\": \"UPDATE\", \"bullet_id\": N, "
                                    "\"content\": \"the rule rewritten\"}, {\"type\": \"REMOVE\", \"bullet_id\": N}]} "
                                    "(an empty list changes nothing).");
            }
            const char *sys = stage == 0 ? "You are the reflector: you review an agent's episode in a world and judge "
                                           "the rules of its playbook."
                                         : "You are the curator of a playbook of short rules for an agent in a world.";
            rc = bad ? ludus_err_set(LUDUS_ENOMEM, "llm: out of memory") : side_request(L, s, sys, u.p);
            free(u.p);
            if (rc) return rc;
            any = 1;
        }
        if (!any) return LUDUS_OK;
        const int was_stream = L->cfg.stream;
        L->cfg.stream = 0; /* asked for whole */
        double waited = 0;
        rc = run_requests(L, n, &waited);
        L->cfg.stream = was_stream;
        *t_begin += waited;
        for (int w = 0; w < n && !rc; w++) {
            slot *s = &L->slots[w];
            if (!s->reflect) continue;
            int prc = stage == 0 ? ludus_llm_parse_reflector(s->content, &s->delta, s->insight, sizeof s->insight)
                                 : ludus_llm_parse_curator(s->content, &s->delta);
            if (prc == LUDUS_ENOMEM) return prc;
            if (prc) { /* a bad reply changes nothing */
                playbook_log(L, s, stage == 0 ? "reflector" : "curator", ludus_errmsg(), 0, 0);
                ludus_llm_delta_free(&s->delta);
                s->reflect = 0;
                s->playing = 0;
                continue;
            }
            if (stage == 1) {
                ludus_llm_merge_counts mc;
                rc = ludus_llm_memory_merge(L->mem, &s->delta, PLAYBOOK_RETIRE, &mc);
                if (!rc) playbook_log(L, s, "merged", NULL, mc.added, mc.retired + mc.removed + mc.merged);
                ludus_llm_delta_free(&s->delta);
                s->reflect = 0;
                s->playing = 0;
            }
        }
    }
    return rc;
}

static int llm_observe(void *self, const ludus_agent_feedback *fb)
{
    ludus_llm *L = self;
    double t_begin = now_s();
    int rc = LUDUS_OK;
    for (int w = 0; w < fb->n && w < L->nslots; w++) {
        slot *s = &L->slots[w];
        if (!s->playing || (fb->stepped && !fb->stepped[w])) continue;
        double r = fb->rewards[w];
        s->ret += r;
        const int ended = fb->terminated[w] || fb->truncated[w];
        if (s->log_turn) {
            cJSON_AddNumberToObject(s->log_turn, "reward", r);
            cJSON_AddBoolToObject(s->log_turn, "terminated", fb->terminated[w]);
            cJSON_AddBoolToObject(s->log_turn, "truncated", fb->truncated[w]);
            log_line(L, s->log_turn);
            cJSON_Delete(s->log_turn);
            s->log_turn = NULL;
        }
        if (!ended) continue;
        const int success = fb->terminated[w] && r > 0;
        L->stats.episodes++;
        L->stats.successes += success;
        L->stats.return_sum += s->ret;
        if (L->log) {
            cJSON *j = cJSON_CreateObject();
            cJSON_AddStringToObject(j, "type", "episode");
            cJSON_AddNumberToObject(j, "episode", (double)s->episode);
            cJSON_AddStringToObject(j, "split", L->split);
            cJSON_AddStringToObject(j, "mission", s->mission);
            cJSON_AddBoolToObject(j, "success", success);
            cJSON_AddNumberToObject(j, "return", s->ret);
            cJSON_AddNumberToObject(j, "steps", s->t);
            cJSON_AddNumberToObject(j, "invalid", (double)s->invalid);
            cJSON_AddNumberToObject(j, "requests", (double)s->requests);
            cJSON_AddNumberToObject(j, "tokens", (double)s->tokens);
            cJSON_AddBoolToObject(j, "memory_hint", s->memory_block && *s->memory_block);
            log_line(L, j);
            cJSON_Delete(j);
        }
        if (L->mem && !L->cfg.memory_frozen && L->cfg.memory == LUDUS_LLM_MEMORY_CASES &&
            (rc = ludus_llm_memory_add(L->mem, L->split, s->mission, s->obs0, s->actions.p ? s->actions.p : "", success,
                                       s->ret, s->t, s->vec, L->embed_dim)))
            break;
        s->success = success;
        if (L->mem && !L->cfg.memory_frozen && L->cfg.memory == LUDUS_LLM_MEMORY_REFLEXION && !success) s->reflect = 1;
        else if (L->mem && !L->cfg.memory_frozen && L->cfg.memory == LUDUS_LLM_MEMORY_PLAYBOOK) s->reflect = 1;
        else s->playing = 0;
    }
    if (!rc) rc = L->cfg.memory == LUDUS_LLM_MEMORY_PLAYBOOK
                      ? playbook_update(L, fb->n < L->nslots ? fb->n : L->nslots, &t_begin)
                      : reflect(L, fb->n < L->nslots ? fb->n : L->nslots, &t_begin);
    if (L->log) fflush(L->log);
    L->stats.runner_s += now_s() - t_begin;
    return rc;
}

int ludus_llm_agent(ludus_llm *llm, ludus_agent **out)
{
    if (!llm || !out) return ludus_err_set(LUDUS_EINVAL, "llm agent: NULL argument");
    const ludus_agent_ops ops = {.name = "llm", .flags = LUDUS_AGENT_TEXT_BALROG, .bind = llm_bind, .act = llm_act,
                                 .observe = llm_observe, .destroy = NULL};
    return ludus_agent_create(&ops, llm, out);
}
