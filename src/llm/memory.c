/* memory.c: a case bank of past episodes in SQLite (after Memento: each
 * case is a situation, the actions taken and the outcome; similar cases
 * go back into the prompt). Retrieval without an embedding model: the
 * same start first, then the same mission, then FTS5's bm25 over the
 * mission; successes before failures. With one (the server's
 * /v1/embeddings, schema 2): the same start first, then cosine similarity
 * of the situations' float32 vectors, top-k in C. The file carries a schema marker
 * (table ludus_meta) and PRAGMA user_version, so a foreign or newer file
 * is refused with one line instead of being written to.
 */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "llm/llm_internal.h"

/* 1: cases, reflections, playbook; 2: cases.embedding (float32 vectors)
 * and the embedding model and dimension in ludus_meta */
#define SCHEMA_VERSION 2
#define MAGIC "ludus-memory"

struct ludus_llm_memory {
    sqlite3 *db;
    char world[128];
    char model[128];
};

static const char *schema =
    "CREATE TABLE ludus_meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE cases(id INTEGER PRIMARY KEY, world TEXT NOT NULL, model TEXT, split TEXT, mission TEXT, "
    " obs0 TEXT, actions TEXT, success INTEGER, ret REAL, steps INTEGER, uses INTEGER DEFAULT 1, created INTEGER, "
    " embedding BLOB);"
    "CREATE INDEX cases_start ON cases(world, mission, obs0);"
    "CREATE VIRTUAL TABLE cases_fts USING fts5(mission, content='cases', content_rowid='id');"
    "CREATE TRIGGER cases_ai AFTER INSERT ON cases BEGIN "
    " INSERT INTO cases_fts(rowid, mission) VALUES (new.id, new.mission); END;"
    "CREATE TRIGGER cases_ad AFTER DELETE ON cases BEGIN "
    " INSERT INTO cases_fts(cases_fts, rowid, mission) VALUES ('delete', old.id, old.mission); END;"
    "INSERT INTO ludus_meta VALUES ('format', '" MAGIC "');";
/* Tables added within schema 1, created when missing. */
static const char *schema_more =
    "CREATE TABLE IF NOT EXISTS reflections(id INTEGER PRIMARY KEY, world TEXT NOT NULL, mission TEXT, obs0 TEXT, "
    " text TEXT, created INTEGER);"
    "CREATE TABLE IF NOT EXISTS playbook(id INTEGER PRIMARY KEY, world TEXT NOT NULL, content TEXT NOT NULL, "
    " helpful INTEGER NOT NULL DEFAULT 0, harmful INTEGER NOT NULL DEFAULT 0, retired INTEGER NOT NULL DEFAULT 0, "
    " created INTEGER);";

static int db_fail(ludus_llm_memory *m, int code, const char *path, const char *what)
{
    return ludus_err_set(code, "memory %s: %s (%s)", path, what, m->db ? sqlite3_errmsg(m->db) : "no database");
}

int ludus_llm_memory_open(const char *path, const char *world, const char *model, ludus_llm_memory **out)
{
    if (!path || !world || !out) return ludus_err_set(LUDUS_EINVAL, "memory: NULL argument");
    *out = NULL;
    ludus_llm_memory *m = calloc(1, sizeof *m);
    if (!m) return ludus_err_set(LUDUS_ENOMEM, "memory: out of memory");
    snprintf(m->world, sizeof m->world, "%s", world);
    snprintf(m->model, sizeof m->model, "%s", model ? model : "");
    int rc = LUDUS_OK;
    if (sqlite3_open_v2(path, &m->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        rc = db_fail(m, LUDUS_EIO, path, "cannot open");
        goto fail;
    }
    sqlite3_busy_timeout(m->db, 5000);
    sqlite3_stmt *st = NULL;
    int version = -1, tables = -1;
    /* reading the header is where a file that is not SQLite shows */
    if (sqlite3_prepare_v2(m->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        rc = db_fail(m, LUDUS_EFORMAT, path, "not a SQLite database, or a corrupt one");
        goto fail;
    }
    version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(m->db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        rc = db_fail(m, LUDUS_EFORMAT, path, "not a SQLite database, or a corrupt one");
        goto fail;
    }
    tables = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (tables == 0) { /* a new file */
        char *err = NULL;
        char sql[2048];
        snprintf(sql, sizeof sql, "BEGIN; %s PRAGMA user_version = %d; COMMIT;", schema, SCHEMA_VERSION);
        if (sqlite3_exec(m->db, sql, NULL, NULL, &err) != SQLITE_OK) {
            rc = ludus_err_set(LUDUS_EIO, "memory %s: cannot create the schema (%s)", path, err ? err : "?");
            sqlite3_free(err);
            goto fail;
        }
    } else {
        const char *format = NULL;
        int ok = sqlite3_prepare_v2(m->db, "SELECT value FROM ludus_meta WHERE key = 'format'", -1, &st, NULL) ==
                     SQLITE_OK && sqlite3_step(st) == SQLITE_ROW;
        if (ok) format = (const char *)sqlite3_column_text(st, 0);
        ok = ok && format && strcmp(format, MAGIC) == 0;
        sqlite3_finalize(st);
        if (!ok) {
            rc = ludus_err_set(LUDUS_EFORMAT, "memory %s: a SQLite database, but not a ludus memory (no ludus_meta "
                                              "format row); give another --db file", path);
            goto fail;
        }
        if (version > SCHEMA_VERSION) {
            rc = ludus_err_set(LUDUS_EUNSUPPORTED, "memory %s: schema version %d is newer than this ludus reads (%d)",
                               path, version, SCHEMA_VERSION);
            goto fail;
        }
        if (version < 1) {
            rc = ludus_err_set(LUDUS_EFORMAT, "memory %s: schema version %d is not one ludus wrote", path, version);
            goto fail;
        }
    }
    if (tables && version == 1) { /* migrate: the cases gain an embedding column */
        char *err = NULL;
        if (sqlite3_exec(m->db, "BEGIN IMMEDIATE; ALTER TABLE cases ADD COLUMN embedding BLOB; "
                                "PRAGMA user_version = 2; COMMIT;", NULL, NULL, &err) != SQLITE_OK) {
            rc = ludus_err_set(LUDUS_EIO, "memory %s: cannot migrate schema 1 to 2 (%s)", path, err ? err : "?");
            sqlite3_free(err);
            sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
            goto fail;
        }
    }
    if (sqlite3_exec(m->db, schema_more, NULL, NULL, NULL) != SQLITE_OK) {
        rc = db_fail(m, LUDUS_EIO, path, "cannot add the reflections and playbook tables");
        goto fail;
    }
    *out = m;
    return LUDUS_OK;
fail:
    ludus_llm_memory_close(m);
    return rc;
}

void ludus_llm_memory_close(ludus_llm_memory *m)
{
    if (!m) return;
    if (m->db) sqlite3_close(m->db);
    free(m);
}

long ludus_llm_memory_count(ludus_llm_memory *m)
{
    sqlite3_stmt *st;
    long n = -1;
    if (sqlite3_prepare_v2(m->db, "SELECT count(*) FROM cases WHERE world = ?", -1, &st, NULL) != SQLITE_OK) return -1;
    sqlite3_bind_text(st, 1, m->world, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* The mission as an FTS5 query: its words OR-ed, each quoted. */
/* Grows the prompt block *out (capacity *cap) to hold at least `need`
 * bytes, doubling; out of memory leaves *out as it was. */
static int room(char **out, size_t *cap, size_t need)
{
    if (need <= *cap) return LUDUS_OK;
    size_t c = *cap;
    while (c < need) c *= 2;
    char *p = realloc(*out, c);
    if (!p) return ludus_err_set(LUDUS_ENOMEM, "memory: out of memory");
    *out = p;
    *cap = c;
    return LUDUS_OK;
}

static char *fts_query(const char *mission)
{
    size_t n = strlen(mission);
    char *q = malloc(4 * n + 8), *w = q;
    if (!q) return NULL;
    const char *p = mission;
    while (*p) {
        while (*p && !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))) p++;
        if (!*p) break;
        if (w != q) w += sprintf(w, " OR ");
        *w++ = '"';
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')) *w++ = *p++;
        *w++ = '"';
    }
    *w = 0;
    return q;
}

int ludus_llm_memory_recall(ludus_llm_memory *m, const char *mission, const char *obs0, int k, char **block)
{
    *block = NULL;
    /* rank: 0 same start, 1 same mission, 2 similar mission (bm25); successes first */
    static const char *sql =
        "SELECT mission, actions, success, steps, rank FROM ("
        " SELECT mission, actions, success, steps, 0 AS rank, 0.0 AS score, id FROM cases"
        "  WHERE world = ?1 AND mission = ?2 AND obs0 = ?3"
        " UNION ALL"
        " SELECT mission, actions, success, steps, 1, 0.0, id FROM cases"
        "  WHERE world = ?1 AND mission = ?2 AND obs0 <> ?3"
        " UNION ALL"
        " SELECT c.mission, c.actions, c.success, c.steps, 2, bm25(cases_fts), c.id FROM cases_fts"
        "  JOIN cases c ON c.id = cases_fts.rowid"
        "  WHERE cases_fts MATCH ?4 AND c.world = ?1 AND c.mission <> ?2)"
        " ORDER BY rank, success DESC, score, steps, id LIMIT ?5";
    char *q = fts_query(mission);
    if (!q) return ludus_err_set(LUDUS_ENOMEM, "memory: out of memory");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(m->db, sql, -1, &st, NULL) != SQLITE_OK) {
        free(q);
        return ludus_err_set(LUDUS_EIO, "memory: recall failed (%s)", sqlite3_errmsg(m->db));
    }
    sqlite3_bind_text(st, 1, m->world, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, mission, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, obs0, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, *q ? q : "\"\"", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, k);
    size_t cap = 1024, len = 0;
    char *out = malloc(cap);
    int rc = LUDUS_OK, rows = 0, s;
    if (!out) rc = ludus_err_set(LUDUS_ENOMEM, "memory: out of memory");
    else out[0] = 0;
    while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *mis = (const char *)sqlite3_column_text(st, 0), *acts = (const char *)sqlite3_column_text(st, 1);
        int win = sqlite3_column_int(st, 2), steps = sqlite3_column_int(st, 3), rank = sqlite3_column_int(st, 4);
        static const char *how[3] = {"same start as now", "same mission", "similar mission"};
        size_t need = strlen(mis ? mis : "") + strlen(acts ? acts : "") + 256;
        if ((rc = room(&out, &cap, len + need))) break;
        if (!rows++) len += (size_t)sprintf(out + len, "Past episodes (from memory):\n");
        len += (size_t)sprintf(out + len, "- [%s] mission '%s': %s in %d steps with actions: %s\n", how[rank],
                               mis ? mis : "", win ? "SUCCEEDED" : "FAILED", steps, acts ? acts : "");
    }
    if (!rc && rows) len += (size_t)sprintf(out + len, "Repeat what succeeded from the same start; avoid what failed.\n");
    if (!rc && s != SQLITE_DONE && s != SQLITE_ROW)
        rc = ludus_err_set(LUDUS_EIO, "memory: recall failed (%s)", sqlite3_errmsg(m->db));
    sqlite3_finalize(st);
    free(q);
    if (rc) {
        free(out);
        return rc;
    }
    *block = out;
    return LUDUS_OK;
}

int ludus_llm_memory_add(ludus_llm_memory *m, const char *split, const char *mission, const char *obs0,
                         const char *actions, int success, double ret, int steps, const float *vec, int dim)
{
    int vbytes = vec && dim > 0 ? dim * (int)sizeof(float) : 0;
    if (sqlite3_exec(m->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return ludus_err_set(LUDUS_EIO, "memory: cannot write (%s)", sqlite3_errmsg(m->db));
    sqlite3_stmt *st = NULL;
    int rc = LUDUS_OK;
    if (sqlite3_prepare_v2(m->db,
                           "UPDATE cases SET uses = uses + 1, embedding = coalesce(embedding, ?6) WHERE world = ?1 "
                           "AND mission = ?2 AND obs0 = ?3 AND actions = ?4 AND success = ?5", -1, &st, NULL) != SQLITE_OK)
        goto sqlfail;
    sqlite3_bind_text(st, 1, m->world, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, mission, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, obs0, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, actions, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, success != 0);
    if (vbytes) sqlite3_bind_blob(st, 6, vec, vbytes, SQLITE_STATIC);
    else sqlite3_bind_null(st, 6);
    if (sqlite3_step(st) != SQLITE_DONE) goto sqlfail;
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_changes(m->db) == 0) {
        if (sqlite3_prepare_v2(m->db,
                               "INSERT INTO cases(world, model, split, mission, obs0, actions, success, ret, steps, "
                               "created, embedding) VALUES (?,?,?,?,?,?,?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK)
            goto sqlfail;
        sqlite3_bind_text(st, 1, m->world, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, m->model, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, split, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, mission, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, obs0, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, actions, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 7, success != 0);
        sqlite3_bind_double(st, 8, ret);
        sqlite3_bind_int(st, 9, steps);
        sqlite3_bind_int64(st, 10, (sqlite3_int64)time(NULL));
        if (vbytes) sqlite3_bind_blob(st, 11, vec, vbytes, SQLITE_STATIC);
        else sqlite3_bind_null(st, 11);
        if (sqlite3_step(st) != SQLITE_DONE) goto sqlfail;
        sqlite3_finalize(st);
        st = NULL;
    }
    if (sqlite3_exec(m->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) goto sqlfail;
    return LUDUS_OK;
sqlfail:
    rc = ludus_err_set(LUDUS_EIO, "memory: cannot write a case (%s)", sqlite3_errmsg(m->db));
    sqlite3_finalize(st);
    sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* ---- retrieval by embeddings ---------------------------------------------- */

/* A ludus_meta value as a malloc'd string; NULL when absent (or no memory). */
static char *meta_get(ludus_llm_memory *m, const char *key)
{
    sqlite3_stmt *st;
    char *v = NULL;
    if (sqlite3_prepare_v2(m->db, "SELECT value FROM ludus_meta WHERE key = ?", -1, &st, NULL) != SQLITE_OK) return NULL;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return v;
}

int ludus_llm_memory_embedder(ludus_llm_memory *m, const char *path, const char *model, int dim, int frozen)
{
    char *have_model = meta_get(m, "embed_model"), *have_dim = meta_get(m, "embed_dim");
    int rc = LUDUS_OK;
    if (have_model || have_dim) {
        if (!have_model || !have_dim || strcmp(have_model, model) != 0 || atoi(have_dim) != dim)
            rc = ludus_err_set(LUDUS_EFORMAT, "memory %s: its vectors come from embedding model '%s' (%s dimensions), "
                                              "this run's from '%s' (%d); give another --db or --embed-model",
                               path, have_model ? have_model : "?", have_dim ? have_dim : "?", model, dim);
    } else if (!frozen) {
        char d[32];
        snprintf(d, sizeof d, "%d", dim);
        sqlite3_stmt *st = NULL;
        int ok = sqlite3_exec(m->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK;
        for (int i = 0; ok && i < 2; i++) {
            ok = sqlite3_prepare_v2(m->db, "INSERT INTO ludus_meta(key, value) VALUES (?, ?)", -1, &st, NULL) ==
                 SQLITE_OK;
            if (ok) {
                sqlite3_bind_text(st, 1, i ? "embed_dim" : "embed_model", -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 2, i ? d : model, -1, SQLITE_STATIC);
                ok = sqlite3_step(st) == SQLITE_DONE;
            }
            sqlite3_finalize(st);
            st = NULL;
        }
        if (ok) ok = sqlite3_exec(m->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
        if (!ok) {
            rc = ludus_err_set(LUDUS_EIO, "memory %s: cannot record the embedding model (%s)", path,
                               sqlite3_errmsg(m->db));
            sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
        }
    }
    free(have_model);
    free(have_dim);
    return rc;
}

int ludus_llm_cosine_topk(const float *q, const float *rows, int n, int dim, int k, int *idx, float *score)
{
    if (k <= 0 || n <= 0 || dim <= 0) return 0;
    double qn = 0;
    for (int j = 0; j < dim; j++) qn += (double)q[j] * q[j];
    int got = 0;
    for (int i = 0; i < n; i++) {
        const float *r = rows + (size_t)i * (size_t)dim;
        double dot = 0, rn = 0;
        for (int j = 0; j < dim; j++) {
            dot += (double)q[j] * r[j];
            rn += (double)r[j] * r[j];
        }
        float c = qn > 0 && rn > 0 ? (float)(dot / sqrt(qn * rn)) : 0.0f;
        /* insertion into the sorted top list: higher first, earlier rows win ties */
        int at = got;
        while (at > 0 && score[at - 1] < c) at--;
        if (at >= k) continue;
        int last = got < k ? got : k - 1;
        for (int p = last; p > at; p--) {
            idx[p] = idx[p - 1];
            score[p] = score[p - 1];
        }
        idx[at] = i;
        score[at] = c;
        if (got < k) got++;
    }
    return got;
}

int ludus_llm_memory_recall_vec(ludus_llm_memory *m, const char *mission, const char *obs0, const float *q, int dim,
                                int k, char **block)
{
    *block = NULL;
    sqlite3_stmt *st;
    /* the row order is the tie order of equal similarities: successes, then fewer steps */
    if (sqlite3_prepare_v2(m->db,
                           "SELECT mission, obs0, actions, success, steps, embedding FROM cases WHERE world = ?1 "
                           "AND length(embedding) = ?2 ORDER BY success DESC, steps, id", -1, &st, NULL) != SQLITE_OK)
        return ludus_err_set(LUDUS_EIO, "memory: recall failed (%s)", sqlite3_errmsg(m->db));
    sqlite3_bind_text(st, 1, m->world, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, dim * (int)sizeof(float));
    typedef struct { char *mission, *obs0, *actions; int success, steps; } row;
    row *rows = NULL;
    float *vecs = NULL, *score = NULL;
    int *idx = NULL, n = 0, cap = 0, rc = LUDUS_OK, s;
    char *out = NULL;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            row *r2 = realloc(rows, (size_t)cap * sizeof *rows);
            if (r2) rows = r2;
            float *v2 = r2 ? realloc(vecs, (size_t)cap * (size_t)dim * sizeof *vecs) : NULL;
            if (!v2) goto oom;
            vecs = v2;
        }
        const char *a = (const char *)sqlite3_column_text(st, 0), *b = (const char *)sqlite3_column_text(st, 1),
                   *c = (const char *)sqlite3_column_text(st, 2);
        row *r = &rows[n];
        r->mission = strdup(a ? a : "");
        r->obs0 = strdup(b ? b : "");
        r->actions = strdup(c ? c : "");
        r->success = sqlite3_column_int(st, 3);
        r->steps = sqlite3_column_int(st, 4);
        memcpy(vecs + (size_t)n * (size_t)dim, sqlite3_column_blob(st, 5), (size_t)dim * sizeof(float));
        n++;
        if (!r->mission || !r->obs0 || !r->actions) goto oom;
    }
    if (s != SQLITE_DONE) {
        rc = ludus_err_set(LUDUS_EIO, "memory: recall failed (%s)", sqlite3_errmsg(m->db));
        goto done;
    }
    if (k > n) k = n;
    idx = malloc((size_t)(n > 0 ? n : 1) * sizeof *idx);
    score = malloc((size_t)(n > 0 ? n : 1) * sizeof *score);
    size_t len = 0, ocap = 1024;
    out = malloc(ocap);
    if (!idx || !score || !out) goto oom;
    out[0] = 0;
    /* all rows by similarity, then the same start (an exact match) moved
     * first, as FTS5 retrieval ranks it: a bag of words can tie another
     * start with it */
    int all = ludus_llm_cosine_topk(q, vecs, n, dim, n, idx, score), got = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int i = got; i < all; i++) {
            const row *r = &rows[idx[i]];
            int same = strcmp(r->mission, mission) == 0 && strcmp(r->obs0, obs0) == 0;
            if (pass == 0 ? same : 1) {
                int ti = idx[i];
                float ts = score[i];
                memmove(idx + got + 1, idx + got, (size_t)(i - got) * sizeof *idx);
                memmove(score + got + 1, score + got, (size_t)(i - got) * sizeof *score);
                idx[got] = ti;
                score[got] = ts;
                got++;
            }
        }
    if (got > k) got = k;
    for (int i = 0; i < got; i++) {
        const row *r = &rows[idx[i]];
        size_t need = strlen(r->mission) + strlen(r->actions) + 256;
        if (len + need > ocap) {
            while (len + need > ocap) ocap *= 2;
            char *p = realloc(out, ocap);
            if (!p) goto oom;
            out = p;
        }
        char how[64];
        if (strcmp(r->mission, mission) == 0 && strcmp(r->obs0, obs0) == 0) snprintf(how, sizeof how, "same start as now");
        else snprintf(how, sizeof how, "similarity %.2f", (double)score[i]);
        if (!i) len += (size_t)sprintf(out + len, "Past episodes (from memory):\n");
        len += (size_t)sprintf(out + len, "- [%s] mission '%s': %s in %d steps with actions: %s\n", how, r->mission,
                               r->success ? "SUCCEEDED" : "FAILED", r->steps, r->actions);
    }
    if (got) len += (size_t)sprintf(out + len, "Repeat what succeeded from the same start; avoid what failed.\n");
    goto done;
oom:
    rc = ludus_err_set(LUDUS_ENOMEM, "memory: out of memory");
done:
    sqlite3_finalize(st);
    for (int i = 0; i < n; i++) {
        free(rows[i].mission);
        free(rows[i].obs0);
        free(rows[i].actions);
    }
    free(rows);
    free(vecs);
    free(idx);
    free(score);
    if (rc) {
        free(out);
        return rc;
    }
    *block = out;
    return LUDUS_OK;
}

int ludus_llm_memory_add_reflection(ludus_llm_memory *m, const char *mission, const char *obs0, const char *text)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(m->db, "INSERT INTO reflections(world, mission, obs0, text, created) VALUES (?,?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK)
        return ludus_err_set(LUDUS_EIO, "memory: cannot write a reflection (%s)", sqlite3_errmsg(m->db));
    sqlite3_bind_text(st, 1, m->world, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, mission, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, obs0, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)time(NULL));
    int rc = sqlite3_step(st) == SQLITE_DONE ? LUDUS_OK
                                              : ludus_err_set(LUDUS_EIO, "memory: cannot write a reflection (%s)",
                                                              sqlite3_errmsg(m->db));
    sqlite3_finalize(st);
    return rc;
}

int ludus_llm_memory_reflections(ludus_llm_memory *m, const char *mission, const char *obs0, int k, char **block)
{
    *block = NULL;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(m->db,
                           "SELECT text FROM reflections WHERE world = ?1 AND mission = ?2 "
                           "ORDER BY (obs0 = ?3) DESC, id DESC LIMIT ?4", -1, &st, NULL) != SQLITE_OK)
        return ludus_err_set(LUDUS_EIO, "memory: recall failed (%s)", sqlite3_errmsg(m->db));
    sqlite3_bind_text(st, 1, m->world, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, mission, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, obs0, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, k);
    size_t len = 0, cap = 256;
    char *out = malloc(cap);
    int rc = out ? LUDUS_OK : ludus_err_set(LUDUS_ENOMEM, "memory: out of memory"), rows = 0;
    if (out) out[0] = 0;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        size_t need = strlen(t ? t : "") + 128;
        if ((rc = room(&out, &cap, len + need))) break;
        if (!rows++) len += (size_t)sprintf(out + len, "Reflections on your earlier attempts at this mission:\n");
        len += (size_t)sprintf(out + len, "- %s\n", t ? t : "");
    }
    sqlite3_finalize(st);
    if (rc) {
        free(out);
        return rc;
    }
    *block = out;
    return LUDUS_OK;
}

/* One statement with this world as ?1 and up to three more values (?2 an
 * int64, ?3 text, ?4 an int64; -1 or NULL: not bound), stepped once; the
 * rows it changed, or for a SELECT whether it found one. */
static int pb_exec(ludus_llm_memory *m, const char *sql, sqlite3_int64 a, const char *t, sqlite3_int64 c, int *changes)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(m->db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
    sqlite3_bind_text(st, 1, m->world, -1, SQLITE_STATIC);
    if (a >= 0) sqlite3_bind_int64(st, 2, a);
    if (t) sqlite3_bind_text(st, 3, t, -1, SQLITE_STATIC);
    if (c >= 0) sqlite3_bind_int64(st, 4, c);
    int s = sqlite3_step(st), readonly = sqlite3_stmt_readonly(st);
    sqlite3_finalize(st);
    if (s != SQLITE_DONE && s != SQLITE_ROW) return -1;
    if (changes) *changes = readonly ? s == SQLITE_ROW : sqlite3_changes(m->db); /* a SELECT: whether a row came */
    return 0;
}

/* The id of the live bullet of this world with this content, other than
 * `not_id`; 0 when none, -1 on an error. */
static sqlite3_int64 pb_find(ludus_llm_memory *m, const char *content, sqlite3_int64 not_id)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(m->db, "SELECT id FROM playbook WHERE world = ?1 AND id <> ?2 AND content = ?3 AND retired = 0",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, m->world, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, not_id);
    sqlite3_bind_text(st, 3, content, -1, SQLITE_STATIC);
    int s = sqlite3_step(st);
    sqlite3_int64 id = s == SQLITE_ROW ? sqlite3_column_int64(st, 0) : s == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    return id;
}

int ludus_llm_memory_merge(ludus_llm_memory *m, const ludus_llm_delta *d, int retire_margin,
                           ludus_llm_merge_counts *counts)
{
    ludus_llm_merge_counts c = {0};
    if (counts) *counts = c;
    if (sqlite3_exec(m->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return ludus_err_set(LUDUS_EIO, "memory: cannot write the playbook (%s)", sqlite3_errmsg(m->db));
    int rc = LUDUS_OK, n;
    /* counts: only live bullets of this world; an unknown id changes nothing */
    for (int i = 0; i < d->nhelp; i++)
        if (pb_exec(m, "UPDATE playbook SET helpful = helpful + 1 WHERE world = ?1 AND id = ?2 AND retired = 0",
                    d->helpful[i], NULL, -1, NULL))
            goto sqlfail;
    for (int i = 0; i < d->nharm; i++)
        if (pb_exec(m, "UPDATE playbook SET harmful = harmful + 1 WHERE world = ?1 AND id = ?2 AND retired = 0",
                    d->harmful[i], NULL, -1, NULL))
            goto sqlfail;
    for (int i = 0; i < d->nupdate; i++) {
        if (pb_exec(m, "SELECT 1 FROM playbook WHERE world = ?1 AND id = ?2 AND retired = 0", d->update_id[i], NULL,
                    -1, &n))
            goto sqlfail;
        if (!n) {
            c.skipped++;
            continue;
        }
        sqlite3_int64 same = pb_find(m, d->update[i], d->update_id[i]);
        if (same < 0) goto sqlfail;
        if (same) { /* de-duplicated: the other bullet takes its counts */
            if (pb_exec(m,
                        "UPDATE playbook SET helpful = helpful + (SELECT helpful FROM playbook WHERE id = ?2), "
                        "harmful = harmful + (SELECT harmful FROM playbook WHERE id = ?2) WHERE world = ?1 AND id = ?4",
                        d->update_id[i], NULL, same, NULL) ||
                pb_exec(m, "UPDATE playbook SET retired = 1 WHERE world = ?1 AND id = ?2", d->update_id[i], NULL, -1,
                        NULL))
                goto sqlfail;
            c.merged++;
        } else {
            if (pb_exec(m, "UPDATE playbook SET content = ?3 WHERE world = ?1 AND id = ?2", d->update_id[i],
                        d->update[i], -1, NULL))
                goto sqlfail;
            c.updated++;
        }
    }
    for (int i = 0; i < d->nremove; i++) {
        if (pb_exec(m, "UPDATE playbook SET retired = 1 WHERE world = ?1 AND id = ?2 AND retired = 0", d->remove[i],
                    NULL, -1, &n))
            goto sqlfail;
        c.removed += n;
        c.skipped += !n;
    }
    for (int i = 0; i < d->nadd; i++) {
        if (pb_exec(m,
                    "INSERT INTO playbook(world, content, created) SELECT ?1, ?3, ?4 WHERE ?2 = 0 AND NOT EXISTS "
                    "(SELECT 1 FROM playbook WHERE world = ?1 AND content = ?3 AND retired = 0)",
                    0, d->add[i], (sqlite3_int64)time(NULL), &n))
            goto sqlfail;
        c.added += n;
    }
    if (pb_exec(m, "UPDATE playbook SET retired = 1 WHERE world = ?1 AND retired = 0 AND harmful - helpful > ?2",
                retire_margin, NULL, -1, &n))
        goto sqlfail;
    c.retired = n;
    if (sqlite3_exec(m->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) goto sqlfail;
    if (counts) *counts = c;
    return LUDUS_OK;
sqlfail:
    rc = ludus_err_set(LUDUS_EIO, "memory: cannot write the playbook (%s)", sqlite3_errmsg(m->db));
    sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int ludus_llm_memory_playbook(ludus_llm_memory *m, int k, long *ids, int *nids, char **block)
{
    *block = NULL;
    if (nids) *nids = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(m->db,
                           "SELECT id, content, helpful, harmful FROM playbook WHERE world = ? AND retired = 0 "
                           "ORDER BY helpful - harmful DESC, id LIMIT ?", -1, &st, NULL) != SQLITE_OK)
        return ludus_err_set(LUDUS_EIO, "memory: cannot read the playbook (%s)", sqlite3_errmsg(m->db));
    sqlite3_bind_text(st, 1, m->world, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, k);
    size_t len = 0, cap = 256;
    char *out = malloc(cap);
    int rc = out ? LUDUS_OK : ludus_err_set(LUDUS_ENOMEM, "memory: out of memory"), rows = 0, s = SQLITE_DONE;
    if (out) out[0] = 0;
    while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 1);
        size_t need = strlen(t ? t : "") + 160;
        if ((rc = room(&out, &cap, len + need))) break;
        long id = (long)sqlite3_column_int64(st, 0);
        if (ids && nids) ids[(*nids)++] = id;
        if (!rows++) len += (size_t)sprintf(out + len, "Playbook (rules learned on earlier episodes, best first):\n");
        len += (size_t)sprintf(out + len, "- [b%ld] %s (helpful %d, harmful %d)\n", id, t ? t : "",
                               sqlite3_column_int(st, 2), sqlite3_column_int(st, 3));
    }
    if (!rc && s != SQLITE_DONE && s != SQLITE_ROW)
        rc = ludus_err_set(LUDUS_EIO, "memory: cannot read the playbook (%s)", sqlite3_errmsg(m->db));
    sqlite3_finalize(st);
    if (rc) {
        free(out);
        if (nids) *nids = 0;
        return rc;
    }
    *block = out;
    return LUDUS_OK;
}
