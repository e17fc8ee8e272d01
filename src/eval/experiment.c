/* experiment.c: methods x seeds in one folder (experiment.h). The file is
 * checked whole before anything runs (each method's configuration goes
 * through the learner's own key table, each held-out world through the
 * layout and training-level checks), so a typo costs a second, not a
 * night. A run counts as finished only when its heldout.json exists
 * (written atomically, last); everything else is resumed through the
 * run's own resume, so a kill -9 at any moment loses at most the updates
 * since the run's last checkpoint. results.json is rebuilt from the
 * heldout.json files after each run.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/core.h"
#include "core/file.h"
#include "learn/keys.h"
#include "ludus/experiment.h"

#define EXP_NAME_CAP 32
#define EXP_ID_CAP 96
#define EXP_MAX_METHODS 64
#define EXP_MAX_SEEDS 1000
#define EXP_MAX_WORLDS 64
#define EXP_PATH_CAP 4096
#define EXP_MAX_SEED 9007199254740992.0 /* 2^53: every seed a JSON number holds exactly */

typedef struct exp_world {
    char name[EXP_ID_CAP];      /* the key in results.json */
    char id[EXP_ID_CAP];
    char options[256];
    int has_options;            /* 0: none (the training world's own: the run's) */
    uint64_t level_start;
    int custom_levels;          /* level_start given */
} exp_world;

typedef struct exp_method {
    char name[EXP_NAME_CAP];
    char algo[EXP_NAME_CAP];
    char *config;               /* the flat JSON of run and learner keys (seed aside) */
} exp_method;

struct ludus_experiment {
    char *text;                 /* the file, verbatim */
    char label[EXP_PATH_CAP];   /* what messages start with */
    char train_env[EXP_ID_CAP];
    exp_world *worlds;          /* held out */
    int nworlds;
    exp_method *methods;
    int nmethods;
    uint64_t *seeds;
    int nseeds;
    int episodes;
    int stopped;
    int refused;                /* rank 0 could not take the folder (every rank knows) */
};

/* ---- parsing ---- */

#define K(n) {n, LUDUS_KEY_STR, 0, 0, 0, NULL, NULL}
static const ludus_key top_keys[] = {K("train_env"), K("heldout"), K("methods"), K("seeds"), K("episodes"),
                                     K("config"), K("description"), {NULL, 0, 0, 0, 0, NULL, NULL}};
static const ludus_key method_keys[] = {K("name"), K("algo"), K("config"), K("description"),
                                        {NULL, 0, 0, 0, 0, NULL, NULL}};
static const ludus_key world_keys[] = {K("id"), K("options"), K("name"), K("level_start"),
                                       {NULL, 0, 0, 0, 0, NULL, NULL}};
#undef K

/* Keys the experiment sets itself, with where they come from. */
static const char *const reserved[][2] = {{"env_id", "train_env"}, {"algo", "the method's \"algo\""},
                                          {"seed", "\"seeds\""}, {"run_id", "each run"},
                                          {"eval_episodes", "\"episodes\""}};

static int unknown_keys(const ludus_experiment *e, const cJSON *obj, const ludus_key *table, const char *where)
{
    for (const cJSON *c = obj->child; c; c = c->next)
        if (!ludus_keys_find(table, c->string)) {
            char hint[96];
            ludus_keys_nearest(&table, 1, c->string, hint, sizeof hint);
            return ludus_err_set(LUDUS_EINVAL, "%s: %s: unknown key \"%s\"%s", e->label, where, c->string, hint);
        }
    return LUDUS_OK;
}

/* A string member into dst (cap bytes); absent: dflt (NULL: required). */
static int get_str(const ludus_experiment *e, const cJSON *obj, const char *key, const char *where, char *dst,
                   size_t cap, const char *dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        if (!dflt) return ludus_err_set(LUDUS_EINVAL, "%s: %s: \"%s\" is missing", e->label, where, key);
        snprintf(dst, cap, "%s", dflt);
        return LUDUS_OK;
    }
    if (!cJSON_IsString(v)) return ludus_err_set(LUDUS_EINVAL, "%s: %s.%s must be a string", e->label, where, key);
    if (strlen(v->valuestring) >= cap)
        return ludus_err_set(LUDUS_EINVAL, "%s: %s.%s is too long (at most %zu bytes)", e->label, where, key, cap - 1);
    snprintf(dst, cap, "%s", v->valuestring);
    return LUDUS_OK;
}

/* An integer member in [lo, hi] (absent: dflt). */
static int get_int(const ludus_experiment *e, const cJSON *v, const char *where, double lo, double hi, double *out)
{
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || !(v->valuedouble >= lo && v->valuedouble <= hi)) {
        char *t = v ? cJSON_PrintUnformatted(v) : NULL;
        int rc = ludus_err_set(LUDUS_EINVAL, "%s: %s = %.40s is not an integer in [%.17g, %.17g]", e->label, where,
                               t ? t : "?", lo, hi);
        free(t);
        return rc;
    }
    *out = v->valuedouble;
    return LUDUS_OK;
}

static int valid_name(const char *s)
{
    if (!s[0] || s[0] == '.') return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
              *p == '-' || *p == '.'))
            return 0;
    return 1;
}

static int parse_worlds(ludus_experiment *e, const cJSON *arr)
{
    if (!arr) return LUDUS_OK;
    if (!cJSON_IsArray(arr)) return ludus_err_set(LUDUS_EINVAL, "%s: \"heldout\" must be an array of world ids or objects", e->label);
    int n = cJSON_GetArraySize(arr);
    if (n > EXP_MAX_WORLDS) return ludus_err_set(LUDUS_EINVAL, "%s: \"heldout\" has %d worlds (at most %d)", e->label, n, EXP_MAX_WORLDS);
    if (!(e->worlds = calloc((size_t)n + 1, sizeof *e->worlds))) return ludus_err_set(LUDUS_ENOMEM, "experiment: out of memory");
    int i = 0, rc = LUDUS_OK;
    for (const cJSON *c = arr->child; c && !rc; c = c->next, i++) {
        exp_world *w = &e->worlds[i];
        char where[32];
        snprintf(where, sizeof where, "heldout[%d]", i);
        w->level_start = LUDUS_HELDOUT_START;
        if (cJSON_IsString(c)) {
            if (strlen(c->valuestring) >= sizeof w->id)
                return ludus_err_set(LUDUS_EINVAL, "%s: %s: the world id is too long", e->label, where);
            snprintf(w->id, sizeof w->id, "%s", c->valuestring);
        } else if (cJSON_IsObject(c)) {
            if ((rc = unknown_keys(e, c, world_keys, where)) || (rc = get_str(e, c, "id", where, w->id, sizeof w->id, NULL)))
                return rc;
            const cJSON *o = cJSON_GetObjectItemCaseSensitive(c, "options");
            if (o && (rc = get_str(e, c, "options", where, w->options, sizeof w->options, ""))) return rc;
            w->has_options = o != NULL;
            const cJSON *ls = cJSON_GetObjectItemCaseSensitive(c, "level_start");
            if (ls) {
                double v = 0;
                char f[48];
                snprintf(f, sizeof f, "%s.level_start", where);
                if ((rc = get_int(e, ls, f, 0, EXP_MAX_SEED, &v))) return rc;
                w->level_start = (uint64_t)v;
                w->custom_levels = 1;
            }
            if ((rc = get_str(e, c, "name", where, w->name, sizeof w->name, w->id))) return rc;
        } else {
            return ludus_err_set(LUDUS_EINVAL, "%s: %s must be a world id or an object {\"id\": ...}", e->label, where);
        }
        if (!w->name[0]) snprintf(w->name, sizeof w->name, "%s", w->id);
        ludus_env *env = NULL;
        if ((rc = ludus_env_make(w->id, w->has_options ? w->options : NULL, &env)))
            return ludus_err_wrap(LUDUS_EINVAL, "%s: %s", e->label, where);
        ludus_env_destroy(env);
        if (!strcmp(w->name, e->train_env))
            return ludus_err_set(LUDUS_EINVAL, "%s: %s: \"%s\" is already the training world's name; give this one a "
                                 "\"name\"", e->label, where, w->name);
        for (int j = 0; j < i; j++)
            if (!strcmp(e->worlds[j].name, w->name))
                return ludus_err_set(LUDUS_EINVAL, "%s: %s: the name \"%s\" is also heldout[%d]'s; give one a \"name\"",
                                     e->label, where, w->name, j);
    }
    e->nworlds = n;
    return rc;
}

static int parse_seeds(ludus_experiment *e, const cJSON *arr)
{
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1)
        return ludus_err_set(LUDUS_EINVAL, "%s: \"seeds\" must be a non-empty array of integers", e->label);
    int n = cJSON_GetArraySize(arr);
    if (n > EXP_MAX_SEEDS) return ludus_err_set(LUDUS_EINVAL, "%s: \"seeds\" has %d seeds (at most %d)", e->label, n, EXP_MAX_SEEDS);
    if (!(e->seeds = calloc((size_t)n, sizeof *e->seeds))) return ludus_err_set(LUDUS_ENOMEM, "experiment: out of memory");
    int i = 0, rc;
    for (const cJSON *c = arr->child; c; c = c->next, i++) {
        char where[32];
        double v = 0;
        snprintf(where, sizeof where, "seeds[%d]", i);
        if ((rc = get_int(e, c, where, 0, EXP_MAX_SEED, &v))) return rc;
        e->seeds[i] = (uint64_t)v;
        for (int j = 0; j < i; j++)
            if (e->seeds[j] == e->seeds[i])
                return ludus_err_set(LUDUS_EINVAL, "%s: %s: seed %llu is also seeds[%d]", e->label, where,
                                     (unsigned long long)e->seeds[i], j);
    }
    e->nseeds = n;
    return LUDUS_OK;
}

/* The method's flat config: the common object, the method's over it, and
 * the keys the experiment sets. */
static int method_config(ludus_experiment *e, const cJSON *common, const cJSON *mine, const char *where, char **out)
{
    cJSON *m = common ? cJSON_Duplicate(common, 1) : cJSON_CreateObject();
    if (!m) return ludus_err_set(LUDUS_ENOMEM, "experiment: out of memory");
    int rc = LUDUS_OK;
    const cJSON *srcs[2] = {common, mine};
    const char *names[2] = {"config", where};
    for (int s = 0; s < 2 && !rc; s++)
        for (const cJSON *c = srcs[s] ? srcs[s]->child : NULL; c && !rc; c = c->next) {
            for (size_t r = 0; r < sizeof reserved / sizeof reserved[0]; r++)
                if (!strcmp(c->string, reserved[r][0]))
                    rc = ludus_err_set(LUDUS_EINVAL, "%s: %s: \"%s\" is set by the experiment (from %s)", e->label,
                                       names[s], c->string, reserved[r][1]);
            if (!rc && s == 1) {
                cJSON *dup = cJSON_Duplicate(c, 1);
                if (!dup) rc = ludus_err_set(LUDUS_ENOMEM, "experiment: out of memory");
                else if (cJSON_GetObjectItemCaseSensitive(m, c->string)) cJSON_ReplaceItemInObjectCaseSensitive(m, c->string, dup);
                else cJSON_AddItemToObject(m, c->string, dup);
            }
        }
    if (!rc && !cJSON_AddNumberToObject(m, "eval_episodes", e->episodes)) rc = ludus_err_set(LUDUS_ENOMEM, "experiment: out of memory");
    /* the periodic evaluation plays the held-out worlds given by id alone */
    const cJSON *ei = cJSON_GetObjectItemCaseSensitive(m, "eval_interval");
    if (!rc && cJSON_IsNumber(ei) && ei->valuedouble > 0 && !cJSON_GetObjectItemCaseSensitive(m, "eval_worlds")) {
        char list[1024] = "";
        size_t at = 0;
        for (int i = 0; i < e->nworlds; i++) {
            const exp_world *w = &e->worlds[i];
            if (w->has_options || w->custom_levels || strcmp(w->name, w->id)) continue;
            int k = snprintf(list + at, sizeof list - at, "%s%s", at ? "," : "", w->id);
            if (k < 0 || (size_t)k >= sizeof list - at) {
                rc = ludus_err_set(LUDUS_EINVAL, "%s: %s: the held-out ids are too long for eval_worlds (%zu bytes); "
                                   "set \"eval_worlds\" to those the curve needs", e->label, where, sizeof list - 1);
                break;
            }
            at += (size_t)k;
        }
        if (!rc && list[0] && !cJSON_AddStringToObject(m, "eval_worlds", list)) rc = ludus_err_set(LUDUS_ENOMEM, "experiment: out of memory");
    }
    if (!rc && !(*out = cJSON_PrintUnformatted(m))) rc = ludus_err_set(LUDUS_ENOMEM, "experiment: out of memory");
    cJSON_Delete(m);
    return rc;
}

/* Everything a run of method m would check, and the held-out worlds
 * against its training world and levels. */
static int check_method(ludus_experiment *e, int mi, const char *where)
{
    exp_method *m = &e->methods[mi];
    ludus_run_setup *s = NULL;
    ludus_env *train = NULL, *other = NULL;
    char seed[32];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)e->seeds[0]);
    int rc = ludus_run_setup_create(e->train_env, m->algo, m->config, &s);
    if (!rc) rc = ludus_run_setup_set(s, "seed", seed);
    if (!rc) rc = ludus_run_setup_check(s);
    if (rc) {
        rc = ludus_err_wrap(rc == LUDUS_ENOMEM ? rc : LUDUS_EINVAL, "%s: %s (\"%s\")", e->label, where, m->name);
        goto done;
    }
    const ludus_run_config *c = ludus_run_setup_config(s);
    if ((rc = ludus_env_make(c->env_id, c->env_options, &train))) goto done;
    for (int i = 0; i < e->nworlds && !rc; i++) {
        const exp_world *w = &e->worlds[i];
        const char *opts = w->has_options ? w->options : strcmp(w->id, c->env_id) ? "" : c->env_options;
        if (!(rc = ludus_env_make(w->id, opts, &other)))
            rc = ludus_eval_check_world(ludus_env_get_info(train), ludus_env_get_info(other));
        if (!rc)
            rc = ludus_eval_check_heldout(w->id, opts, w->level_start, (uint64_t)e->episodes, c->env_id, c->env_options,
                                          c->train_levels);
        if (rc) rc = ludus_err_wrap(rc, "%s: heldout[%d] (for %s \"%s\")", e->label, i, where, m->name);
        ludus_env_destroy(other);
        other = NULL;
    }
done:
    ludus_env_destroy(train);
    ludus_run_setup_destroy(s);
    return rc;
}

static int parse_methods(ludus_experiment *e, const cJSON *arr, const cJSON *common)
{
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1)
        return ludus_err_set(LUDUS_EINVAL, "%s: \"methods\" must be a non-empty array of objects "
                             "({\"name\": ..., \"algo\": ..., \"config\": {...}})", e->label);
    int n = cJSON_GetArraySize(arr);
    if (n > EXP_MAX_METHODS) return ludus_err_set(LUDUS_EINVAL, "%s: \"methods\" has %d methods (at most %d)", e->label, n, EXP_MAX_METHODS);
    if (!(e->methods = calloc((size_t)n, sizeof *e->methods))) return ludus_err_set(LUDUS_ENOMEM, "experiment: out of memory");
    e->nmethods = n;
    int i = 0, rc = LUDUS_OK;
    for (const cJSON *c = arr->child; c && !rc; c = c->next, i++) {
        exp_method *m = &e->methods[i];
        char where[32];
        snprintf(where, sizeof where, "methods[%d]", i);
        if (!cJSON_IsObject(c)) return ludus_err_set(LUDUS_EINVAL, "%s: %s must be an object", e->label, where);
        if ((rc = unknown_keys(e, c, method_keys, where)) || (rc = get_str(e, c, "name", where, m->name, sizeof m->name, NULL)) ||
            (rc = get_str(e, c, "algo", where, m->algo, sizeof m->algo, "ppo")))
            return rc;
        if (!valid_name(m->name))
            return ludus_err_set(LUDUS_EINVAL, "%s: %s.name \"%s\" must be letters, digits, '_', '-' or '.' (a folder "
                                 "name, not starting with '.')", e->label, where, m->name);
        for (int j = 0; j < i; j++)
            if (!strcmp(e->methods[j].name, m->name))
                return ludus_err_set(LUDUS_EINVAL, "%s: %s: the name \"%s\" is also methods[%d]'s", e->label, where, m->name, j);
        const cJSON *mc = cJSON_GetObjectItemCaseSensitive(c, "config");
        if (mc && !cJSON_IsObject(mc)) return ludus_err_set(LUDUS_EINVAL, "%s: %s.config must be an object", e->label, where);
        char w2[48];
        snprintf(w2, sizeof w2, "%s.config", where);
        if ((rc = method_config(e, common, mc, w2, &m->config))) return rc;
        rc = check_method(e, i, where);
    }
    return rc;
}

int ludus_experiment_parse(const char *json, const char *name, ludus_experiment **out)
{
    if (!json || !out) return ludus_err_set(LUDUS_EINVAL, "experiment: NULL argument");
    *out = NULL;
    ludus_experiment *e = calloc(1, sizeof *e);
    cJSON *root = NULL;
    int rc = LUDUS_OK;
    if (!e || !(e->text = malloc(strlen(json) + 1))) {
        rc = ludus_err_set(LUDUS_ENOMEM, "experiment: out of memory");
        goto fail;
    }
    memcpy(e->text, json, strlen(json) + 1);
    snprintf(e->label, sizeof e->label, "%s", name ? name : "the experiment");
    const char *end = NULL;
    if (!(root = cJSON_ParseWithOpts(json, &end, 1))) {
        /* the line and column where the parser stopped */
        int line = 1, col = 1;
        for (const char *p = json; end && p < end && *p; p++) {
            if (*p == '\n') line++, col = 1;
            else col++;
        }
        rc = ludus_err_set(LUDUS_EINVAL, "%s: not valid JSON (line %d, column %d)", e->label, line, col);
        goto fail;
    }
    if (!cJSON_IsObject(root)) {
        rc = ludus_err_set(LUDUS_EINVAL, "%s: must be a JSON object", e->label);
        goto fail;
    }
    if ((rc = unknown_keys(e, root, top_keys, "the top level")) ||
        (rc = get_str(e, root, "train_env", "the top level", e->train_env, sizeof e->train_env, NULL)))
        goto fail;
    ludus_env *env = NULL;
    if ((rc = ludus_env_make(e->train_env, NULL, &env))) {
        rc = ludus_err_wrap(LUDUS_EINVAL, "%s: train_env", e->label);
        goto fail;
    }
    ludus_env_destroy(env);
    const cJSON *ep = cJSON_GetObjectItemCaseSensitive(root, "episodes"), *common = cJSON_GetObjectItemCaseSensitive(root, "config");
    double v = 100;
    if (ep && (rc = get_int(e, ep, "episodes", 1, LUDUS_EVAL_MAX_EPISODES, &v))) goto fail;
    e->episodes = (int)v;
    if (common && !cJSON_IsObject(common)) {
        rc = ludus_err_set(LUDUS_EINVAL, "%s: \"config\" must be an object of run and learner keys", e->label);
        goto fail;
    }
    if ((rc = parse_seeds(e, cJSON_GetObjectItemCaseSensitive(root, "seeds"))) ||
        (rc = parse_worlds(e, cJSON_GetObjectItemCaseSensitive(root, "heldout"))) ||
        (rc = parse_methods(e, cJSON_GetObjectItemCaseSensitive(root, "methods"), common)))
        goto fail;
    cJSON_Delete(root);
    *out = e;
    return LUDUS_OK;
fail:
    cJSON_Delete(root);
    ludus_experiment_destroy(e);
    return rc;
}

int ludus_experiment_load(const char *path, ludus_experiment **out)
{
    if (!path || !out) return ludus_err_set(LUDUS_EINVAL, "experiment: NULL argument");
    *out = NULL;
    char *text;
    size_t len;
    int rc = ludus_file_read(path, LUDUS_MAX_CONFIG_BYTES, &text, &len);
    if (rc) return rc;
    if (strlen(text) != len) rc = ludus_err_set(LUDUS_EINVAL, "%s: a NUL byte inside the JSON", path);
    else rc = ludus_experiment_parse(text, path, out);
    free(text);
    return rc;
}

void ludus_experiment_destroy(ludus_experiment *e)
{
    if (!e) return;
    for (int i = 0; i < e->nmethods; i++) free(e->methods[i].config);
    free(e->methods);
    free(e->worlds);
    free(e->seeds);
    free(e->text);
    free(e);
}

/* ---- runs ---- */

int ludus_experiment_num_runs(const ludus_experiment *e)
{
    return e ? e->nmethods * e->nseeds : 0;
}

const char *ludus_experiment_run_method(const ludus_experiment *e, int i)
{
    return e && i >= 0 && i < ludus_experiment_num_runs(e) ? e->methods[i % e->nmethods].name : NULL;
}

uint64_t ludus_experiment_run_seed(const ludus_experiment *e, int i)
{
    return e && i >= 0 && i < ludus_experiment_num_runs(e) ? e->seeds[i / e->nmethods] : 0;
}

int ludus_experiment_run_dir(const ludus_experiment *e, int i, char *buf, size_t cap)
{
    if (!e || i < 0 || i >= ludus_experiment_num_runs(e)) return snprintf(buf, cap, "%s", "");
    return snprintf(buf, cap, "runs/%s/seed%llu", ludus_experiment_run_method(e, i),
                    (unsigned long long)ludus_experiment_run_seed(e, i));
}

int ludus_experiment_stopped(const ludus_experiment *e)
{
    return e ? e->stopped : 0;
}

int ludus_experiment_refused(const ludus_experiment *e)
{
    return e ? e->refused : 0;
}

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static int join(char *buf, const char *dir, const char *name)
{
    if ((size_t)snprintf(buf, EXP_PATH_CAP, "%s/%s", dir, name) >= EXP_PATH_CAP)
        return ludus_err_set(LUDUS_EINVAL, "experiment: path too long: %s/%s", dir, name);
    return LUDUS_OK;
}

static void json_num(strbuf *sb, double v)
{
    if (isfinite(v)) ludus_sb_printf(sb, "%.6g", v);
    else ludus_sb_puts(sb, "null");
}

static void result_entry(strbuf *sb, const char *name, const char *split, const ludus_eval_result *r, uint64_t level_start,
                         int last)
{
    ludus_sb_puts(sb, "    ");
    ludus_sb_json_str(sb, name);
    ludus_sb_printf(sb, ": {\"split\": \"%s\", \"episodes\": %d, \"solved_rate\": ", split, r->episodes);
    json_num(sb, r->success.mean);
    ludus_sb_puts(sb, ", \"mean_return\": ");
    json_num(sb, r->ret.mean);
    ludus_sb_puts(sb, ", \"solved_ci95\": [");
    json_num(sb, r->success.lo);
    ludus_sb_puts(sb, ", ");
    json_num(sb, r->success.hi);
    ludus_sb_puts(sb, "], \"return_ci95\": [");
    json_num(sb, r->ret.lo);
    ludus_sb_puts(sb, ", ");
    json_num(sb, r->ret.hi);
    ludus_sb_printf(sb, "], \"mean_length\": ");
    json_num(sb, r->length.mean);
    ludus_sb_printf(sb, ", \"level_start\": %llu}%s\n", (unsigned long long)level_start, last ? "" : ",");
}

/* A trained run's evaluation: eval.json (the training world's splits) and
 * every held-out world into heldout.json. */
static int evaluate_run(ludus_experiment *e, ludus_run *run, int i, const char *rundir)
{
    const ludus_run_config *c = ludus_run_get_config(run);
    ludus_eval_report *rep = malloc(sizeof *rep);
    ludus_eval_result *res = calloc((size_t)e->nworlds + 1, sizeof *res);
    ludus_agent *agent = NULL;
    char *text = NULL, path[EXP_PATH_CAP];
    int rc = rep && res ? LUDUS_OK : ludus_err_set(LUDUS_ENOMEM, "experiment: out of memory");
    if (!rc) rc = ludus_run_evaluate(run, NULL, rep);
    if (!rc) rc = ludus_run_agent(run, &agent);
    for (int w = 0; w < e->nworlds && !rc; w++) {
        const exp_world *x = &e->worlds[w];
        ludus_eval_config ec = {.env_id = x->id,
                                .env_options = x->has_options ? x->options : strcmp(x->id, c->env_id) ? "" : c->env_options,
                                .level_start = x->level_start, .level_count = (uint64_t)e->episodes,
                                .episodes = e->episodes, .seed = c->seed, .train_env_id = c->env_id,
                                .train_env_options = c->env_options, .train_levels = c->train_levels};
        if ((rc = ludus_eval_run(agent, &ec, &res[w]))) ludus_err_wrap(rc, "heldout world %s", x->name);
    }
    size_t cap = 1024 + (size_t)(e->nworlds + 1) * 512;
    if (!rc && !(text = malloc(cap))) rc = ludus_err_set(LUDUS_ENOMEM, "experiment: out of memory");
    if (!rc) {
        strbuf sb = sb_make(text, cap);
        ludus_sb_puts(&sb, "{\n  \"format\": \"" LUDUS_RUN_RESULTS_FORMAT "\",\n  \"method\": ");
        ludus_sb_json_str(&sb, e->methods[i % e->nmethods].name);
        ludus_sb_printf(&sb, ",\n  \"seed\": %llu,\n  \"dir\": ", (unsigned long long)c->seed);
        ludus_sb_json_str(&sb, rundir);
        ludus_sb_printf(&sb, ",\n  \"steps\": %llu,\n  \"results\": {\n", (unsigned long long)ludus_run_steps(run));
        result_entry(&sb, e->train_env, "train", &rep->train.result, 0, e->nworlds == 0);
        for (int w = 0; w < e->nworlds; w++)
            result_entry(&sb, e->worlds[w].name, "heldout", &res[w], e->worlds[w].level_start, w + 1 == e->nworlds);
        ludus_sb_puts(&sb, "  }\n}\n");
        if (sb.len >= cap) rc = ludus_err_set(LUDUS_EINTERNAL, "experiment: heldout.json too long");
        if (!rc && !(rc = join(path, ludus_run_dir(run), "heldout.json"))) rc = ludus_file_write_atomic(path, text, sb.len);
    }
    ludus_agent_destroy(agent);
    free(text);
    free(res);
    free(rep);
    return rc;
}

typedef struct relay {
    ludus_experiment_event ev;
    ludus_experiment_fn fn;
    void *user;
} relay;

static void on_progress(const ludus_run_progress *p, void *user)
{
    relay *r = user;
    r->ev.kind = LUDUS_EXPERIMENT_PROGRESS;
    r->ev.progress = p;
    r->fn(&r->ev, r->user);
    r->ev.progress = NULL;
}

static void emit(relay *r, int kind)
{
    r->ev.kind = kind;
    if (r->fn) r->fn(&r->ev, r->user);
}

/* Keep, resume or start run i, train it and evaluate it. */
static int run_one(ludus_experiment *e, const char *dir, int i, int handle_signals, relay *rl)
{
    char rel[EXP_PATH_CAP], rundir[EXP_PATH_CAP], p[EXP_PATH_CAP];
    ludus_experiment_run_dir(e, i, rel, sizeof rel);
    int rc = join(rundir, dir, rel);
    if (rc || (rc = join(p, rundir, "heldout.json"))) return rc;
    rl->ev.dir = rundir;
    if (exists(p)) {
        emit(rl, LUDUS_EXPERIMENT_KEPT);
        return LUDUS_OK;
    }
    const exp_method *m = &e->methods[i % e->nmethods];
    ludus_run *run = NULL;
    ludus_run_setup *s = NULL;
    if ((rc = join(p, rundir, "config.json"))) return rc;
    if (exists(p)) {
        if ((rc = ludus_run_resume(rundir, NULL, &run))) goto done;
        emit(rl, LUDUS_EXPERIMENT_RESUME);
    } else {
        char seed[32];
        snprintf(seed, sizeof seed, "%llu", (unsigned long long)ludus_experiment_run_seed(e, i));
        if ((rc = ludus_run_setup_create(e->train_env, m->algo, m->config, &s)) ||
            (rc = ludus_run_setup_set(s, "seed", seed)) || (rc = ludus_run_start(rundir, s, 0, &run)))
            goto done;
        emit(rl, LUDUS_EXPERIMENT_START);
    }
    if ((rc = ludus_run_train(run, handle_signals, rl->fn ? on_progress : NULL, rl))) goto done;
    if (ludus_run_stopped(run)) {
        e->stopped = 1;
        goto done;
    }
    emit(rl, LUDUS_EXPERIMENT_EVALUATE);
    if ((rc = evaluate_run(e, run, i, rel))) goto done;
    emit(rl, LUDUS_EXPERIMENT_DONE);
done:
    if (rc) ludus_err_wrap(rc, "run %s (method %s, seed %llu)", rundir, m->name,
                           (unsigned long long)ludus_experiment_run_seed(e, i));
    ludus_run_destroy(run);
    ludus_run_setup_destroy(s);
    return rc;
}

/* Copy the file into dir, or check that the copy there is the same experiment. */
static int place_file(const ludus_experiment *e, const char *dir)
{
    char p[EXP_PATH_CAP], *old = NULL;
    size_t len;
    int rc = join(p, dir, "experiment.json");
    if (rc) return rc;
    rc = ludus_file_read(p, LUDUS_MAX_CONFIG_BYTES, &old, &len);
    if (rc == LUDUS_ENOTFOUND) return ludus_file_write_atomic(p, e->text, strlen(e->text));
    if (rc) return rc;
    cJSON *a = cJSON_Parse(old), *b = cJSON_Parse(e->text);
    if (!a || !cJSON_Compare(a, b, 1))
        rc = ludus_err_set(LUDUS_ESTATE, "%s holds another experiment (its experiment.json differs from %s); use "
                           "another folder", dir, e->label);
    cJSON_Delete(a);
    cJSON_Delete(b);
    free(old);
    return rc;
}

int ludus_experiment_run(ludus_experiment *e, const char *dir, int handle_signals, ludus_experiment_fn on_event,
                         void *user)
{
    return ludus_experiment_run_dist(e, dir, handle_signals, NULL, on_event, user);
}

/* After every rank's runs: each sends a byte (1: a run of it stopped on a
 * signal) and, for each run of its share, that run's heldout.json (empty
 * when unfinished), NUL-terminated; rank 0 writes those it does not see
 * and results.json, then tells every rank its verdict and whether any
 * stopped. */
static int gather_results(ludus_experiment *e, const char *dir, ludus_dist *dist, long first, long count)
{
    const int rank = ludus_dist_rank(dist), size = ludus_dist_size(dist), n = ludus_experiment_num_runs(e);
    char rel[EXP_PATH_CAP], rd[EXP_PATH_CAP], p[EXP_PATH_CAP], *all = NULL;
    size_t *lens = NULL;
    char *mine = malloc(2);
    size_t used = 1;
    int rc = mine ? LUDUS_OK : ludus_err_set(LUDUS_ENOMEM, "experiment: out of memory");
    if (mine) mine[0] = e->stopped ? '1' : '0';
    for (long i = first; i < first + count && !rc; i++) {
        char *text = NULL, *grown = NULL;
        size_t len = 0;
        ludus_experiment_run_dir(e, (int)i, rel, sizeof rel);
        if ((rc = join(rd, dir, rel)) || (rc = join(p, rd, "heldout.json"))) break;
        rc = ludus_file_read(p, LUDUS_MAX_CONFIG_BYTES, &text, &len);
        if (rc == LUDUS_ENOTFOUND) rc = LUDUS_OK, len = 0;
        else if (!rc && strlen(text) != len) rc = ludus_err_set(LUDUS_EFORMAT, "%s: a NUL byte inside the JSON", p);
        if (!rc && !(grown = realloc(mine, used + len + 1))) rc = ludus_err_set(LUDUS_ENOMEM, "experiment: out of memory");
        if (!rc) {
            mine = grown;
            if (len) memcpy(mine + used, text, len);
            mine[used + len] = 0;
            used += len + 1;
        }
        free(text);
    }
    if (rc) goto done;
    if (rank == 0 && !(lens = calloc((size_t)size, sizeof *lens))) {
        rc = ludus_err_set(LUDUS_ENOMEM, "experiment: out of memory");
        goto done;
    }
    if ((rc = ludus_dist_gather_var(dist, mine, used, 0, &all, lens))) goto done;
    int32_t verdict[2] = {LUDUS_OK, 0}; /* rank 0's rc, any stopped */
    if (rank == 0) {
        const char *at = all;
        for (int r = 0; r < size && !verdict[0]; r++) {
            const char *end = at + lens[r];
            long f = 0, c = 0;
            ludus_dist_share(n, size, r, &f, &c);
            if (lens[r] < 1) verdict[0] = ludus_err_set(LUDUS_EFORMAT, "experiment: rank %d sent no results", r);
            else if (*at == '1') verdict[1] = 1;
            const char *t = at + 1;
            for (long i = f; i < f + c && !verdict[0]; i++) {
                size_t len = strnlen(t, (size_t)(end - t));
                if (t + len >= end) {
                    verdict[0] = ludus_err_set(LUDUS_EFORMAT, "experiment: rank %d's results are cut short", r);
                    break;
                }
                ludus_experiment_run_dir(e, (int)i, rel, sizeof rel);
                if (len && !(verdict[0] = join(rd, dir, rel)) && !(verdict[0] = join(p, rd, "heldout.json")) && !exists(p) &&
                    !(verdict[0] = ludus_file_mkdirs(rd)))
                    verdict[0] = ludus_file_write_atomic(p, t, len);
                t += len + 1;
            }
            at = end;
        }
        if (!verdict[0]) verdict[0] = ludus_experiment_write_results(e, dir, NULL);
    }
    if ((rc = ludus_dist_bcast(dist, verdict, sizeof verdict, 0))) goto done;
    if (verdict[0] && rank) rc = ludus_err_set(LUDUS_ESTATE, "experiment: rank 0 could not gather the results into %s",
                                               dir);
    else rc = verdict[0];
    if (verdict[1]) e->stopped = 1;
done:
    free(all);
    free(lens);
    free(mine);
    return rc;
}

int ludus_experiment_run_dist(ludus_experiment *e, const char *dir, int handle_signals, ludus_dist *dist,
                              ludus_experiment_fn on_event, void *user)
{
    if (!e || !dir || !*dir) return ludus_err_set(LUDUS_EINVAL, "experiment: NULL argument");
    if (strlen(dir) >= EXP_PATH_CAP - 256) return ludus_err_set(LUDUS_EINVAL, "experiment: folder path too long");
    e->stopped = e->refused = 0;
    const int rank = ludus_dist_rank(dist), size = ludus_dist_size(dist), n = ludus_experiment_num_runs(e);
    char p[EXP_PATH_CAP];
    int rc = LUDUS_OK, fd = -1;
    if (rank == 0) { /* the experiment's folder is rank 0's alone */
        rc = ludus_file_mkdirs(dir);
        if (!rc && !(rc = join(p, dir, ".lock"))) {
            fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
            if (fd < 0) rc = ludus_err_set(LUDUS_EIO, "%s: %s", p, strerror(errno));
            else if (flock(fd, LOCK_EX | LOCK_NB) != 0)
                rc = ludus_err_set(LUDUS_ESTATE, "%s is in use: another process is running this experiment", dir);
        }
        if (!rc) rc = place_file(e, dir);
    }
    if (size > 1) {
        int32_t verdict = rc;
        int trc = ludus_dist_bcast(dist, &verdict, sizeof verdict, 0);
        if (trc) rc = trc;
        else if (verdict && rank)
            rc = ludus_err_set(LUDUS_ESTATE, "experiment: rank 0 could not take %s (its message says why)", dir);
        if (!trc && verdict) e->refused = 1;
    } else if (rc) {
        e->refused = 1;
    }
    long first = 0, count = n;
    if (!rc) rc = ludus_dist_share(n, size, rank, &first, &count);
    for (long i = first; i < first + count && !rc && !e->stopped; i++) {
        relay rl = {.ev = {.run = (int)i, .runs = n, .method = ludus_experiment_run_method(e, (int)i),
                           .seed = ludus_experiment_run_seed(e, (int)i)},
                    .fn = on_event, .user = user};
        if (!(rc = run_one(e, dir, (int)i, handle_signals, &rl)) && rank == 0)
            rc = ludus_experiment_write_results(e, dir, NULL);
    }
    if (!rc && size > 1) rc = gather_results(e, dir, dist, first, count);
    if (fd >= 0) close(fd);
    return rc;
}

/* ---- results.json ---- */

int ludus_experiment_write_results(const ludus_experiment *e, const char *dir, int *finished)
{
    if (!e || !dir) return ludus_err_set(LUDUS_EINVAL, "experiment: NULL argument");
    cJSON *root = cJSON_CreateObject(), *arr = NULL;
    char p[EXP_PATH_CAP], rel[EXP_PATH_CAP];
    int rc = root ? LUDUS_OK : ludus_err_set(LUDUS_ENOMEM, "experiment: out of memory"), done = 0;
    const int n = ludus_experiment_num_runs(e);
    if (!rc) {
        cJSON_AddStringToObject(root, "format", LUDUS_RESULTS_FORMAT);
        cJSON_AddStringToObject(root, "commit", ludus_commit());
        cJSON_AddStringToObject(root, "train_env", e->train_env);
        cJSON *ms = cJSON_AddArrayToObject(root, "methods"), *ss = cJSON_AddArrayToObject(root, "seeds");
        cJSON *ws = cJSON_AddArrayToObject(root, "worlds");
        for (int i = 0; i < e->nmethods; i++) cJSON_AddItemToArray(ms, cJSON_CreateString(e->methods[i].name));
        for (int i = 0; i < e->nseeds; i++) cJSON_AddItemToArray(ss, cJSON_CreateNumber((double)e->seeds[i]));
        for (int w = -1; w < e->nworlds; w++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddItemToArray(ws, o);
            const exp_world *x = w < 0 ? NULL : &e->worlds[w];
            cJSON_AddStringToObject(o, "id", x ? x->id : e->train_env);
            cJSON_AddStringToObject(o, "split", x ? "heldout" : "train");
            cJSON_AddStringToObject(o, "name", x ? x->name : e->train_env);
            if (x && x->has_options) cJSON_AddStringToObject(o, "options", x->options);
        }
        cJSON_AddNumberToObject(root, "episodes", e->episodes);
        arr = cJSON_AddArrayToObject(root, "runs");
    }
    for (int i = 0; i < n && !rc; i++) {
        char *text = NULL;
        size_t len;
        ludus_experiment_run_dir(e, i, rel, sizeof rel);
        char rd[EXP_PATH_CAP];
        if ((rc = join(rd, dir, rel)) || (rc = join(p, rd, "heldout.json"))) break;
        rc = ludus_file_read(p, LUDUS_MAX_CONFIG_BYTES, &text, &len);
        if (rc == LUDUS_ENOTFOUND) {
            rc = LUDUS_OK;
            continue;
        }
        if (rc) break;
        cJSON *h = cJSON_Parse(text), *res = h ? cJSON_GetObjectItemCaseSensitive(h, "results") : NULL;
        const cJSON *st = h ? cJSON_GetObjectItemCaseSensitive(h, "steps") : NULL;
        const cJSON *fm = h ? cJSON_GetObjectItemCaseSensitive(h, "format") : NULL;
        if (!cJSON_IsObject(res) || !cJSON_IsNumber(st) || !cJSON_IsString(fm) || strcmp(fm->valuestring, LUDUS_RUN_RESULTS_FORMAT)) {
            rc = ludus_err_set(LUDUS_EFORMAT, "%s: not a run's results (%s)", p, LUDUS_RUN_RESULTS_FORMAT);
        } else {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddItemToArray(arr, o);
            cJSON_AddStringToObject(o, "method", ludus_experiment_run_method(e, i));
            cJSON_AddNumberToObject(o, "seed", (double)ludus_experiment_run_seed(e, i));
            cJSON_AddStringToObject(o, "dir", rel);
            cJSON_AddNumberToObject(o, "steps", st->valuedouble);
            cJSON_AddItemToObject(o, "results", cJSON_Duplicate(res, 1));
            done++;
        }
        cJSON_Delete(h);
        free(text);
    }
    char *out = NULL;
    if (!rc) {
        cJSON_AddBoolToObject(root, "complete", done == n);
        if (!(out = cJSON_Print(root))) rc = ludus_err_set(LUDUS_ENOMEM, "experiment: out of memory");
    }
    if (!rc && !(rc = join(p, dir, "results.json"))) rc = ludus_file_write_atomic(p, out, strlen(out));
    if (!rc && finished) *finished = done;
    free(out);
    cJSON_Delete(root);
    return rc;
}
