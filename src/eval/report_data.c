/* report_data.c: reading run and experiment folders for `ludus report`.
 * Every defect a user can produce (a missing or half-finished folder,
 * malformed JSON or CSV) becomes one line naming the path and, for CSV,
 * the line; nothing is guessed: a folder is a run (config.json) or an
 * experiment (experiment.json) or an error.
 */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/core.h"
#include "core/file.h"
#include "eval/report_data.h"
#include "ludus/learn.h"

#define REP_MAX_CSV_BYTES ((size_t)1 << 30)

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

static char *join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (!p) return NULL;
    memcpy(p, dir, a);
    size_t k = a;
    if (a && dir[a - 1] != '/') p[k++] = '/';
    memcpy(p + k, name, b + 1);
    return p;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void csv_free(rep_csv *c)
{
    free(c->text);
    free(c->parse);
    free(c->head);
    free(c->cell);
    free(c->line);
    memset(c, 0, sizeof *c);
}

/* Read and split a CSV file: a header line, then rows of as many fields. */
static int csv_load(const char *path, rep_csv *c)
{
    memset(c, 0, sizeof *c);
    int rc = ludus_file_read(path, REP_MAX_CSV_BYTES, &c->text, &c->len);
    if (rc) return rc;
    if (strlen(c->text) != c->len) {
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: not a text file (it holds a NUL byte)", path);
        goto fail;
    }
    if (!(c->parse = dupstr(c->text))) goto oom;
    size_t lines = 1;
    for (char *p = c->parse; *p; p++) lines += *p == '\n';
    char **line = malloc(lines * sizeof *line);
    if (!line) goto oom;
    size_t nl = 0;
    for (char *p = c->parse, *s = p;; p++) {
        if (*p == '\n' || !*p) {
            int end = !*p;
            *p = 0;
            if (p > s && p[-1] == '\r') p[-1] = 0;
            line[nl++] = s;
            if (end) break;
            s = p + 1;
        }
    }
    while (nl && !line[nl - 1][0]) nl--; /* the newline after the last row */
    if (nl == 0) {
        free(line);
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: empty (no header line)", path);
        goto fail;
    }
    int ncols = 1;
    for (char *p = line[0]; *p; p++) ncols += *p == ',';
    c->ncols = ncols;
    c->nrows = (int)nl - 1;
    c->head = malloc((size_t)ncols * sizeof *c->head);
    c->cell = malloc(((size_t)c->nrows * ncols + 1) * sizeof *c->cell);
    c->line = malloc(((size_t)c->nrows + 1) * sizeof *c->line);
    if (!c->head || !c->cell || !c->line) {
        free(line);
        goto oom;
    }
    for (size_t l = 0; l < nl; l++) {
        char **dst = l ? c->cell + (l - 1) * ncols : c->head;
        int k = 0;
        for (char *p = line[l], *s = p;; p++) {
            if (*p == ',' || !*p) {
                int end = !*p;
                if (k < ncols) dst[k] = s;
                k++;
                *p = 0;
                if (end) break;
                s = p + 1;
            }
        }
        if (k != ncols) {
            free(line);
            rc = ludus_err_set(LUDUS_EFORMAT, "%s line %zu: %d field%s, the header has %d", path, l + 1, k,
                               k == 1 ? "" : "s", ncols);
            goto fail;
        }
        if (l) c->line[l - 1] = (int)l + 1;
    }
    free(line);
    for (int k = 0; k < ncols; k++)
        if (!c->head[k][0]) {
            rc = ludus_err_set(LUDUS_EFORMAT, "%s line 1: column %d has no name", path, k + 1);
            goto fail;
        }
    return LUDUS_OK;
oom:
    rc = ludus_err_set(LUDUS_ENOMEM, "%s: out of memory", path);
fail:
    csv_free(c);
    return rc;
}

int ludus_rep_csv_col(const rep_csv *c, const char *name)
{
    for (int k = 0; k < c->ncols; k++)
        if (strcmp(c->head[k], name) == 0) return k;
    return -1;
}

int ludus_rep_csv_numbers(const rep_csv *c, const char *path, int col, double *out)
{
    for (int r = 0; r < c->nrows; r++) {
        const char *s = c->cell[(size_t)r * c->ncols + col];
        if (!*s || strcmp(s, "nan") == 0 || strcmp(s, "NaN") == 0 || strcmp(s, "-nan") == 0) {
            out[r] = NAN;
            continue;
        }
        char *end;
        errno = 0;
        out[r] = strtod(s, &end);
        if (*end || end == s)
            return ludus_err_set(LUDUS_EFORMAT, "%s line %d, column %s: '%.40s' is not a number", path, c->line[r],
                                 c->head[col], s);
    }
    return LUDUS_OK;
}

/* Read a JSON object file into *json (and its text into *text when not
 * NULL); `what` completes "PATH: " messages. */
static int json_load(const char *path, cJSON **json, char **text)
{
    char *t = NULL;
    size_t len;
    *json = NULL;
    int rc = ludus_file_read(path, LUDUS_MAX_CONFIG_BYTES * 64, &t, &len);
    if (rc) return rc;
    cJSON *j = cJSON_ParseWithLength(t, len);
    if (!j || !cJSON_IsObject(j)) {
        cJSON_Delete(j);
        free(t);
        return ludus_err_set(LUDUS_EFORMAT, "%s: not a JSON object (malformed JSON)", path);
    }
    *json = j;
    if (text) *text = t;
    else free(t);
    return LUDUS_OK;
}

static const char *jstr(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double jnum(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static int add_result(rep_run *r, const char *world, int heldout, double solved, double ret, double lo, double hi)
{
    rep_result *p = realloc(r->res, (size_t)(r->nres + 1) * sizeof *p);
    if (!p) return ludus_err_set(LUDUS_ENOMEM, "report: out of memory");
    r->res = p;
    rep_result *x = &p[r->nres++];
    memset(x, 0, sizeof *x);
    snprintf(x->world, sizeof x->world, "%s", world);
    x->heldout = heldout;
    x->solved = solved;
    x->ret = ret;
    x->lo = lo;
    x->hi = hi;
    snprintf(x->id, sizeof x->id, "%s", world);
    snprintf(x->options, sizeof x->options, "%s", strcmp(world, r->env_id) == 0 ? r->env_options : "");
    x->level_start = heldout ? LUDUS_HELDOUT_START : 0;
    return LUDUS_OK;
}

/* eval.json's two splits as results of the run's own world. */
static int load_eval_json(rep_run *r, const char *path)
{
    cJSON *j;
    int rc = json_load(path, &j, NULL);
    if (rc) return rc;
    const cJSON *splits = cJSON_GetObjectItemCaseSensitive(j, "splits");
    const char *names[2] = {"train", "heldout"};
    for (int s = 0; s < 2 && !rc; s++) {
        const cJSON *sp = cJSON_GetObjectItemCaseSensitive(splits, names[s]);
        const cJSON *succ = cJSON_GetObjectItemCaseSensitive(sp, "success");
        const cJSON *ret = cJSON_GetObjectItemCaseSensitive(sp, "return");
        const cJSON *ci = cJSON_GetObjectItemCaseSensitive(succ, "ci95");
        double m = jnum(succ, "mean"), rm = jnum(ret, "mean");
        if (!cJSON_IsObject(sp) || !cJSON_IsObject(succ)) {
            rc = ludus_err_set(LUDUS_EFORMAT, "%s: no splits.%s.success (not an eval.json)", path, names[s]);
            break;
        }
        double lo = NAN, hi = NAN;
        if (cJSON_IsArray(ci) && cJSON_GetArraySize(ci) == 2 && cJSON_IsNumber(cJSON_GetArrayItem(ci, 0)) &&
            cJSON_IsNumber(cJSON_GetArrayItem(ci, 1))) {
            lo = cJSON_GetArrayItem(ci, 0)->valuedouble;
            hi = cJSON_GetArrayItem(ci, 1)->valuedouble;
        }
        rc = add_result(r, r->env_id, s, m, rm, lo, hi);
    }
    cJSON_Delete(j);
    return rc;
}

static void run_free(rep_run *r);

/* Read the run folder dir into *r; on failure *r holds nothing. */
static int load_run(const char *dir, rep_run *r)
{
    memset(r, 0, sizeof *r);
    r->seed = -1;
    char *p = NULL;
    cJSON *cfg = NULL;
    int rc = LUDUS_OK;
    if (!(r->dir = dupstr(dir))) goto oom;
    if (!(p = join(dir, "config.json"))) goto oom;
    if ((rc = json_load(p, &cfg, &r->config))) goto fail;
    const char *env = jstr(cfg, "env_id"), *algo = jstr(cfg, "algo"), *cur = jstr(cfg, "curriculum");
    if (!env) {
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: no \"env_id\" (not a run's config.json)", p);
        goto fail;
    }
    const char *opts = jstr(cfg, "env_options"), *commit = jstr(cfg, "commit");
    if (!(r->env_id = dupstr(env)) || !(r->env_options = dupstr(opts ? opts : ""))) goto oom;
    if (commit && !(r->commit = dupstr(commit))) goto oom;
    if (!(r->method = dupstr(cur && *cur ? cur : algo ? algo : "run"))) goto oom;
    double sd = jnum(cfg, "seed");
    if (isfinite(sd)) r->seed = (long long)sd;
    free(p);
    if (!(p = join(dir, "metrics.csv"))) goto oom;
    if (!exists(p)) {
        rc = ludus_err_set(LUDUS_ESTATE, "%s: no metrics.csv: the run has not finished an update yet", dir);
        goto fail;
    }
    if ((rc = csv_load(p, &r->metrics))) goto fail;
    if (ludus_rep_csv_col(&r->metrics, "steps") < 0) {
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: no \"steps\" column", p);
        goto fail;
    }
    free(p);
    if (!(p = join(dir, "eval_curve.csv"))) goto oom;
    if (exists(p)) {
        if ((rc = csv_load(p, &r->curve))) goto fail;
        const char *need[] = {"steps", "world", "split", "solved_rate", "mean_return"};
        for (int k = 0; k < 5; k++)
            if (ludus_rep_csv_col(&r->curve, need[k]) < 0) {
                rc = ludus_err_set(LUDUS_EFORMAT, "%s: no \"%s\" column", p, need[k]);
                goto fail;
            }
        r->has_curve = 1;
    }
    free(p);
    if (!(p = join(dir, "eval.json"))) goto oom;
    if (exists(p) && (rc = load_eval_json(r, p))) goto fail;
    free(p);
    if (!(p = join(dir, "checkpoint.safetensors"))) goto oom;
    r->has_checkpoint = exists(p);
    free(p);
    cJSON_Delete(cfg);
    return LUDUS_OK;
oom:
    rc = ludus_err_set(LUDUS_ENOMEM, "report: out of memory");
fail:
    free(p);
    cJSON_Delete(cfg);
    run_free(r);
    return rc;
}

static void run_free(rep_run *r)
{
    free(r->dir);
    free(r->method);
    free(r->env_id);
    free(r->env_options);
    free(r->config);
    free(r->commit);
    csv_free(&r->metrics);
    csv_free(&r->curve);
    free(r->res);
    memset(r, 0, sizeof *r);
}

static int push_run(rep_model *m, rep_run *r)
{
    rep_run *p = realloc(m->runs, (size_t)(m->nruns + 1) * sizeof *p);
    if (!p) return ludus_err_set(LUDUS_ENOMEM, "report: out of memory");
    m->runs = p;
    p[m->nruns++] = *r;
    return LUDUS_OK;
}

/* An experiment folder: results.json names every run and its results. */
static int load_experiment(rep_model *m, rep_source *s)
{
    char *p = NULL;
    cJSON *res = NULL, *ex = NULL;
    int rc = LUDUS_OK;
    if (!(p = join(s->dir, "experiment.json"))) goto oom;
    if ((rc = json_load(p, &ex, &s->experiment_json))) goto fail;
    free(p);
    if (!(p = join(s->dir, "results.json"))) goto oom;
    if (!exists(p)) {
        rc = ludus_err_set(LUDUS_ESTATE, "%s: no results.json: the experiment has not finished (run `ludus experiment` "
                                         "again to complete it)", s->dir);
        goto fail;
    }
    if ((rc = json_load(p, &res, &s->results_json))) goto fail;
    const char *fmt = jstr(res, "format"), *commit = jstr(res, "commit");
    if (!fmt || strcmp(fmt, "ludus-results/1") != 0) {
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: \"format\" is not \"ludus-results/1\"", p);
        goto fail;
    }
    if (commit && !(s->commit = dupstr(commit))) goto oom;
    const cJSON *runs = cJSON_GetObjectItemCaseSensitive(res, "runs"), *it;
    const cJSON *worlds = cJSON_GetObjectItemCaseSensitive(res, "worlds"); /* may be absent */
    if (!cJSON_IsArray(runs) || cJSON_GetArraySize(runs) < 1) {
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: \"runs\" is not a non-empty array", p);
        goto fail;
    }
    int i = 0;
    cJSON_ArrayForEach(it, runs)
    {
        const char *method = jstr(it, "method"), *dir = jstr(it, "dir");
        double seed = jnum(it, "seed");
        const cJSON *results = cJSON_GetObjectItemCaseSensitive(it, "results"), *w;
        if (!method || !dir || !isfinite(seed) || !cJSON_IsObject(results)) {
            rc = ludus_err_set(LUDUS_EFORMAT, "%s: runs[%d] needs \"method\", \"seed\", \"dir\" and \"results\"", p, i);
            goto fail;
        }
        char *rd = join(s->dir, dir);
        if (!rd) goto oom;
        rep_run r;
        if (!exists(rd)) {
            rc = ludus_err_set(LUDUS_ESTATE, "%s: runs[%d]'s folder %s does not exist", p, i, rd);
            free(rd);
            goto fail;
        }
        rc = load_run(rd, &r);
        free(rd);
        if (rc) goto fail;
        free(r.res); /* results.json is the record of an experiment */
        r.res = NULL;
        r.nres = 0;
        free(r.method);
        r.method = dupstr(method);
        r.seed = (long long)seed;
        if (!r.method) rc = ludus_err_set(LUDUS_ENOMEM, "report: out of memory");
        cJSON_ArrayForEach(w, results)
        {
            const char *split = jstr(w, "split");
            double solved = jnum(w, "solved_rate"), ret = jnum(w, "mean_return");
            if (!rc && (!split || !isfinite(solved)))
                rc = ludus_err_set(LUDUS_EFORMAT, "%s: runs[%d].results[\"%s\"] needs \"split\" and \"solved_rate\"", p,
                                   i, w->string);
            const cJSON *ci = cJSON_GetObjectItemCaseSensitive(w, "solved_ci95");
            double lo = NAN, hi = NAN;
            if (cJSON_IsArray(ci) && cJSON_GetArraySize(ci) == 2 && cJSON_IsNumber(cJSON_GetArrayItem(ci, 0)) &&
                cJSON_IsNumber(cJSON_GetArrayItem(ci, 1)))
                lo = cJSON_GetArrayItem(ci, 0)->valuedouble, hi = cJSON_GetArrayItem(ci, 1)->valuedouble;
            if (!rc) rc = add_result(&r, w->string, strcmp(split, "train") != 0, solved, ret, lo, hi);
            if (!rc) { /* a named world: its id and options from "worlds"; its levels from the result */
                rep_result *x = &r.res[r.nres - 1];
                const cJSON *wd;
                cJSON_ArrayForEach(wd, worlds)
                {
                    const char *name = jstr(wd, "name"), *id = jstr(wd, "id"), *opt = jstr(wd, "options");
                    if (!id || strcmp(name ? name : id, w->string) != 0) continue;
                    snprintf(x->id, sizeof x->id, "%s", id);
                    snprintf(x->options, sizeof x->options, "%s", opt ? opt : strcmp(id, r.env_id) == 0 ? r.env_options : "");
                }
                double ls = jnum(w, "level_start");
                if (isfinite(ls) && ls >= 0) x->level_start = (uint64_t)ls;
            }
        }
        if (!rc && !r.commit && s->commit && !(r.commit = dupstr(s->commit)))
            rc = ludus_err_set(LUDUS_ENOMEM, "report: out of memory");
        if (!rc) rc = push_run(m, &r);
        if (rc) {
            run_free(&r);
            goto fail;
        }
        i++;
    }
    free(p);
    cJSON_Delete(res);
    cJSON_Delete(ex);
    return LUDUS_OK;
oom:
    rc = ludus_err_set(LUDUS_ENOMEM, "report: out of memory");
fail:
    free(p);
    cJSON_Delete(res);
    cJSON_Delete(ex);
    return rc;
}

static int is_empty_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    struct dirent *e;
    int empty = 1;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            empty = 0;
            break;
        }
    closedir(d);
    return empty;
}

static int load_source(rep_model *m, const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        return ludus_err_set(LUDUS_ENOTFOUND, "%s: no such folder", dir);
    if (!S_ISDIR(st.st_mode)) return ludus_err_set(LUDUS_EINVAL, "%s: not a folder", dir);
    if (is_empty_dir(dir))
        return ludus_err_set(LUDUS_EINVAL, "%s: the folder is empty (a run folder has config.json and metrics.csv; an "
                                           "experiment folder experiment.json and results.json)", dir);
    rep_source *s = realloc(m->src, (size_t)(m->nsrc + 1) * sizeof *s);
    if (!s) return ludus_err_set(LUDUS_ENOMEM, "report: out of memory");
    m->src = s;
    s = &s[m->nsrc++];
    memset(s, 0, sizeof *s);
    if (!(s->dir = dupstr(dir))) return ludus_err_set(LUDUS_ENOMEM, "report: out of memory");
    char *ex = join(dir, "experiment.json"), *cf = join(dir, "config.json");
    int rc = LUDUS_OK;
    if (!ex || !cf) rc = ludus_err_set(LUDUS_ENOMEM, "report: out of memory");
    else if (exists(ex)) {
        s->experiment = 1;
        rc = load_experiment(m, s);
    } else if (exists(cf)) {
        rep_run r;
        if (!(rc = load_run(dir, &r))) {
            if ((rc = push_run(m, &r))) run_free(&r);
            else if (r.commit && !(s->commit = dupstr(r.commit))) rc = ludus_err_set(LUDUS_ENOMEM, "out of memory");
        }
    } else
        rc = ludus_err_set(LUDUS_EINVAL, "%s: neither a run folder (no config.json) nor an experiment folder (no "
                                         "experiment.json)", dir);
    free(ex);
    free(cf);
    return rc;
}

int ludus_rep_load(rep_model *m, const char *const *dirs, int ndirs)
{
    memset(m, 0, sizeof *m);
    int rc = LUDUS_OK;
    for (int i = 0; i < ndirs && !rc; i++) rc = load_source(m, dirs[i]);
    for (int i = 0; i < m->nruns && !rc; i++) {
        int found = 0;
        for (int k = 0; k < m->nmethods && !found; k++) found = strcmp(m->methods[k], m->runs[i].method) == 0;
        if (found) continue;
        char **p = realloc(m->methods, (size_t)(m->nmethods + 1) * sizeof *p);
        if (!p) {
            rc = ludus_err_set(LUDUS_ENOMEM, "report: out of memory");
            break;
        }
        m->methods = p;
        m->methods[m->nmethods++] = m->runs[i].method; /* borrowed from the run */
    }
    if (rc) ludus_rep_free(m);
    return rc;
}

void ludus_rep_free(rep_model *m)
{
    for (int i = 0; i < m->nruns; i++) run_free(&m->runs[i]);
    for (int i = 0; i < m->nsrc; i++) {
        free(m->src[i].dir);
        free(m->src[i].experiment_json);
        free(m->src[i].results_json);
        free(m->src[i].commit);
    }
    free(m->runs);
    free(m->src);
    free(m->methods);
    memset(m, 0, sizeof *m);
}
