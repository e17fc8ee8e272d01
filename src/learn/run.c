/* run.c: a training run's folder as library code (run.h). The design
 * choice is that every file can be trusted after a kill -9 at any moment:
 * config.json is replaced atomically; each metrics row is one write() on
 * an O_APPEND file, synced before every checkpoint; a checkpoint is committed by writing
 * both files under .new names, then renaming the state and then the
 * checkpoint, so resume can roll a half-done commit forward (or drop it)
 * and then checks that every file carries the same run id and update.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/file.h"
#include "learn/keys.h"
#include "learn/ppo_internal.h"
#include "ludus/nn.h"
#include "ludus/run.h"

#define RUN_PATH_CAP 4096
#define RUN_MAX_METRICS_BYTES ((size_t)1 << 30)
#define RUN_ROW_CAP 8192
#define META_LEARNER "ludus.learner"
#define META_RUN_ID "ludus.run_id"
#define META_UPDATE "ludus.update"
#define META_STEPS "ludus.run_steps"
#define CURVE_HEADER "update,steps,world,split,episodes,solved_rate,mean_return\n"
#define CURVE_MAX_WORLDS 32
#define CURVE_ID_CAP 96

/* ---- the run keys ---- */

#define O(f) offsetof(ludus_run_config, f)
static const ludus_key run_keys[] = {
    {"algo", LUDUS_KEY_STR, O(algo), 0, sizeof(((ludus_run_config *)0)->algo), NULL, "the learner"},
    {"env_id", LUDUS_KEY_STR, O(env_id), 0, sizeof(((ludus_run_config *)0)->env_id), NULL, "the world"},
    {"env_options", LUDUS_KEY_STR, O(env_options), 0, sizeof(((ludus_run_config *)0)->env_options), NULL,
     "the world's options (ludus info ID)"},
    {"total_steps", LUDUS_KEY_U64, O(total_steps), 1, 1e15, NULL, "world steps to train for"},
    {"seed", LUDUS_KEY_U64, O(seed), 0, 9007199254740992.0, NULL, "the run's seed"},
    {"train_levels", LUDUS_KEY_U64, O(train_levels), 0, (double)LUDUS_MAX_TRAIN_LEVELS, NULL, "levels [0, N) trained on; 0: all"},
    {"num_threads", LUDUS_KEY_INT, O(num_threads), 1, 256, NULL, "the learner's worker threads"},
    {"checkpoint_every", LUDUS_KEY_INT, O(checkpoint_every), 0, 1 << 30, NULL, "updates between checkpoints"},
    {"checkpoint_seconds", LUDUS_KEY_INT, O(checkpoint_seconds), 0, 1 << 30, NULL,
     "seconds between checkpoints"},
    {"keep_checkpoints", LUDUS_KEY_INT, O(keep_checkpoints), 0, 1, NULL, "1: keep each periodic checkpoint"},
    {"eval_episodes", LUDUS_KEY_INT, O(eval_episodes), 0, 1 << 24, NULL, "episodes per split for eval.json"},
    {"eval_interval", LUDUS_KEY_INT, O(eval_interval), 0, 1 << 30, NULL,
     "updates between held-out evaluations (eval_curve.csv); 0: none"},
    {"eval_curve_episodes", LUDUS_KEY_INT, O(eval_curve_episodes), 1, LUDUS_EVAL_MAX_EPISODES, NULL,
     "episodes per world and split of each evaluation"},
    {"eval_worlds", LUDUS_KEY_STR, O(eval_worlds), 0, sizeof(((ludus_run_config *)0)->eval_worlds), NULL,
     "comma-separated world ids evaluated on held-out levels; \"\": the training world"},
    {"run_id", LUDUS_KEY_STR, O(run_id), 0, sizeof(((ludus_run_config *)0)->run_id), NULL,
     "written when the run is created"},
    {"ranks", LUDUS_KEY_INT, O(ranks), 1, 1 << 20, NULL,
     "processes training the run (mpirun -np); written when the run is created"},
    {"commit", LUDUS_KEY_STR, O(commit), 0, sizeof(((ludus_run_config *)0)->commit), NULL,
     "the library's git commit (git describe); written when the run is created"},
    {NULL, 0, 0, 0, 0, NULL, NULL},
};
#undef O

const ludus_key *ludus_run_keys(void)
{
    return run_keys;
}

void ludus_run_config_default(ludus_run_config *r)
{
    if (!r) return;
    memset(r, 0, sizeof *r);
    snprintf(r->algo, sizeof r->algo, "ppo");
    r->total_steps = 150000;
    r->seed = 1;
    r->num_threads = 2;
    r->eval_episodes = 1000;
    r->checkpoint_seconds = LUDUS_RUN_CHECKPOINT_SECONDS;
    r->eval_curve_episodes = 20;
    r->ranks = 1;
}

/* eval_worlds as ids (at most CURVE_MAX_WORLDS); "" gives the training
 * world. Returns the count, or a negative code with a message. */
static int eval_world_ids(const ludus_run_config *r, char ids[][CURVE_ID_CAP])
{
    int n = 0;
    const char *p = r->eval_worlds;
    while (*p) {
        while (*p == ' ' || *p == ',') p++;
        const char *e = p;
        while (*e && *e != ',' && *e != ' ') e++;
        if (e == p) break;
        if (n == CURVE_MAX_WORLDS)
            return ludus_err_set(LUDUS_EINVAL, "config: eval_worlds names more than %d worlds", CURVE_MAX_WORLDS);
        if ((size_t)(e - p) >= CURVE_ID_CAP)
            return ludus_err_set(LUDUS_EINVAL, "config: eval_worlds: the id \"%.*s\" is too long", (int)(e - p), p);
        memcpy(ids[n], p, (size_t)(e - p));
        ids[n][e - p] = 0;
        for (int i = 0; i < n; i++)
            if (!strcmp(ids[i], ids[n])) return ludus_err_set(LUDUS_EINVAL, "config: eval_worlds names %s twice", ids[n]);
        n++;
        p = e;
    }
    if (!n) snprintf(ids[n++], CURVE_ID_CAP, "%s", r->env_id);
    return n;
}

/* Every world of eval_worlds exists and has the training world's layout. */
static int check_eval_worlds(const ludus_run_config *r)
{
    char ids[CURVE_MAX_WORLDS][CURVE_ID_CAP];
    int n = eval_world_ids(r, ids);
    if (n < 0) return n;
    ludus_env *train = NULL, *other = NULL;
    int rc = ludus_env_make(r->env_id, r->env_options, &train);
    for (int i = 0; i < n && !rc; i++) {
        if ((rc = ludus_env_make(ids[i], strcmp(ids[i], r->env_id) ? NULL : r->env_options, &other))) break;
        rc = ludus_eval_check_world(ludus_env_get_info(train), ludus_env_get_info(other));
        ludus_env_destroy(other);
        other = NULL;
    }
    ludus_env_destroy(train);
    return rc ? ludus_err_wrap(rc, "config: eval_worlds") : LUDUS_OK;
}

int ludus_run_config_check(const ludus_run_config *r)
{
    if (!r) return ludus_err_set(LUDUS_EINVAL, "config: NULL");
    int rc = ludus_keys_check(run_keys, r);
    if (rc) return rc;
    if (!r->env_id[0]) return ludus_err_set(LUDUS_EINVAL, "config: env_id is empty");
    if (r->eval_interval) return check_eval_worlds(r);
    return LUDUS_OK;
}

int ludus_run_config_apply_flat(ludus_run_config *run, const ludus_key *lkeys, void *lcfg, size_t lsize,
                                const char *json)
{
    int rc;
    cJSON *root = ludus_keys_parse_object(json, &rc);
    if (!root) return rc;
    ludus_run_config r = *run;
    void *l = malloc(lsize ? lsize : 1);
    if (!l) {
        cJSON_Delete(root);
        return ludus_err_set(LUDUS_ENOMEM, "config: out of memory");
    }
    memcpy(l, lcfg, lsize);
    for (const cJSON *e = root->child; e && !rc; e = e->next) {
        const ludus_key *k = ludus_keys_find(run_keys, e->string);
        if (k) rc = ludus_keys_apply_one(k, &r, e);
        else if ((k = ludus_keys_find(lkeys, e->string))) rc = ludus_keys_apply_one(k, l, e);
        else {
            const ludus_key *tables[2] = {run_keys, lkeys};
            char hint[96];
            ludus_keys_nearest(tables, 2, e->string, hint, sizeof hint);
            rc = ludus_err_set(LUDUS_EINVAL, "config: unknown key \"%s\"%s", e->string, hint);
        }
    }
    if (!rc) {
        *run = r;
        memcpy(lcfg, l, lsize);
    }
    free(l);
    cJSON_Delete(root);
    return rc;
}

int ludus_run_config_to_json_flat(const ludus_run_config *run, const ludus_key *lkeys, const void *lcfg,
                                  char *buf, size_t cap)
{
    strbuf sb = sb_make(buf, cap);
    int first = 1;
    ludus_sb_puts(&sb, "{\n");
    ludus_keys_print(&sb, run_keys, run, &first);
    ludus_keys_print(&sb, lkeys, lcfg, &first);
    ludus_sb_puts(&sb, "\n}\n");
    return (int)sb.len;
}

/* ---- setups ---- */

struct ludus_run_setup {
    const ludus_learner_ops *ops;
    ludus_run_config run;
    void *cfg;   /* ops->config_size bytes */
};

void ludus_run_setup_destroy(ludus_run_setup *s)
{
    if (!s) return;
    free(s->cfg);
    free(s);
}

/* A string member of a parsed JSON object, or NULL. */
static const char *json_str(const cJSON *o, const char *key)
{
    const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int ludus_run_setup_create(const char *env_id, const char *algo, const char *json, ludus_run_setup **out)
{
    if (!out) return ludus_err_set(LUDUS_EINVAL, "run setup: NULL argument");
    *out = NULL;
    cJSON *root = NULL;
    int rc = LUDUS_OK;
    if (json && !(root = ludus_keys_parse_object(json, &rc))) return rc;
    const char *jid = json_str(root, "env_id"), *jalgo = json_str(root, "algo");
    ludus_run_setup *s = calloc(1, sizeof *s);
    ludus_env *env = NULL;
    if (!s) {
        rc = ludus_err_set(LUDUS_ENOMEM, "run setup: out of memory");
        goto fail;
    }
    if (env_id && jid && strcmp(env_id, jid) != 0) {
        rc = ludus_err_set(LUDUS_EINVAL, "the config names %s but the command names %s", jid, env_id);
        goto fail;
    }
    if (algo && jalgo && strcmp(algo, jalgo) != 0) {
        rc = ludus_err_set(LUDUS_EINVAL, "the config is for learner %s but the command names %s", jalgo, algo);
        goto fail;
    }
    if (!env_id) env_id = jid;
    if (!algo) algo = jalgo ? jalgo : "ppo";
    if (!env_id) {
        rc = ludus_err_set(LUDUS_EINVAL, "run setup: no world id (give one, or env_id in the config)");
        goto fail;
    }
    if ((rc = ludus_learner_find(algo, &s->ops))) goto fail;
    if ((rc = ludus_env_make(env_id, NULL, &env))) goto fail;
    if (!(s->cfg = calloc(1, s->ops->config_size ? s->ops->config_size : 1))) {
        rc = ludus_err_set(LUDUS_ENOMEM, "run setup: out of memory");
        goto fail;
    }
    ludus_run_config_default(&s->run);
    snprintf(s->run.algo, sizeof s->run.algo, "%s", s->ops->name);
    if (strlen(env_id) >= sizeof s->run.env_id) {
        rc = ludus_err_set(LUDUS_EINVAL, "run setup: world id too long");
        goto fail;
    }
    snprintf(s->run.env_id, sizeof s->run.env_id, "%s", env_id);
    s->ops->config_default(s->cfg, &s->run, ludus_env_get_info(env));
    if (json && (rc = ludus_run_config_apply_flat(&s->run, s->ops->keys, s->cfg, s->ops->config_size, json)))
        goto fail;
    ludus_env_destroy(env);
    cJSON_Delete(root);
    *out = s;
    return LUDUS_OK;
fail:
    ludus_env_destroy(env);
    cJSON_Delete(root);
    ludus_run_setup_destroy(s);
    return rc;
}

int ludus_run_setup_load(const char *env_id, const char *algo, const char *path, ludus_run_setup **out)
{
    if (!path || !out) return ludus_err_set(LUDUS_EINVAL, "run setup: NULL argument");
    *out = NULL;
    char *text;
    size_t len;
    int rc = ludus_file_read(path, LUDUS_MAX_CONFIG_BYTES, &text, &len);
    if (rc) return rc;
    if (strlen(text) != len) rc = ludus_err_set(LUDUS_EINVAL, "%s: a NUL byte inside the JSON", path);
    else if ((rc = ludus_run_setup_create(env_id, algo, text, out))) ludus_err_wrap(rc, "%s", path);
    free(text);
    return rc;
}

int ludus_run_setup_set(ludus_run_setup *s, const char *key, const char *value)
{
    if (!s || !key || !value) return ludus_err_set(LUDUS_EINVAL, "run setup: NULL argument");
    if (strcmp(key, "algo") == 0 || strcmp(key, "env_id") == 0)
        return ludus_err_set(LUDUS_EINVAL, "config: \"%s\" is chosen when the setup is created", key);
    if (ludus_keys_find(run_keys, key)) return ludus_keys_set(run_keys, &s->run, sizeof s->run, key, value);
    if (ludus_keys_find(s->ops->keys, key)) return ludus_keys_set(s->ops->keys, s->cfg, s->ops->config_size, key, value);
    const ludus_key *tables[2] = {run_keys, s->ops->keys};
    char hint[96];
    ludus_keys_nearest(tables, 2, key, hint, sizeof hint);
    return ludus_err_set(LUDUS_EINVAL, "config: unknown key \"%s\"%s", key, hint);
}

int ludus_run_setup_check(const ludus_run_setup *s)
{
    if (!s) return ludus_err_set(LUDUS_EINVAL, "run setup: NULL");
    int rc = ludus_run_config_check(&s->run);
    if (!rc) rc = ludus_keys_check(s->ops->keys, s->cfg);
    if (!rc && s->ops->config_check) rc = s->ops->config_check(s->cfg, &s->run);
    return rc;
}

int ludus_run_setup_to_json(const ludus_run_setup *s, char *buf, size_t cap)
{
    if (!s) return 0;
    return ludus_run_config_to_json_flat(&s->run, s->ops->keys, s->cfg, buf, cap);
}

const ludus_run_config *ludus_run_setup_config(const ludus_run_setup *s)
{
    return s ? &s->run : NULL;
}

const ludus_learner_ops *ludus_run_setup_learner(const ludus_run_setup *s)
{
    return s ? s->ops : NULL;
}

/* ---- runs ---- */

struct ludus_run {
    char dir[RUN_PATH_CAP];
    char ckpt[RUN_PATH_CAP], state[RUN_PATH_CAP], metrics[RUN_PATH_CAP], curve[RUN_PATH_CAP];
    int lock_fd, csv_fd, curve_fd;
    int n_curve;                      /* worlds of eval_worlds (eval_interval > 0) */
    char curve_ids[CURVE_MAX_WORLDS][CURVE_ID_CAP];
    int curve_pending;                /* resume: the checkpoint's update still needs its evaluation */
    ludus_dist *dist;                 /* NULL: one process */
    int leader;                       /* 1 on rank 0: the one that writes the folder */
    ludus_run_setup *setup;
    void *self;                       /* the learner */
    const ludus_metric_column *cols;
    int ncols;
    int update;
    double wall0;                     /* wall seconds of earlier processes */
    volatile sig_atomic_t stop;
    int stopped;
};

static volatile sig_atomic_t run_signalled; /* set by the handlers, for the run in ludus_run_train */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int path_in(char *buf, const char *dir, const char *name)
{
    if ((size_t)snprintf(buf, RUN_PATH_CAP, "%s/%s", dir, name) >= RUN_PATH_CAP)
        return ludus_err_set(LUDUS_EINVAL, "run: path too long: %s/%s", dir, name);
    return LUDUS_OK;
}

void ludus_run_destroy(ludus_run *r)
{
    if (!r) return;
    if (r->self) r->setup->ops->destroy(r->self);
    ludus_run_setup_destroy(r->setup);
    if (r->csv_fd >= 0) close(r->csv_fd);
    if (r->curve_fd >= 0) close(r->curve_fd);
    if (r->lock_fd >= 0) close(r->lock_fd); /* releases the flock */
    free(r);
}

static ludus_run *run_alloc(const char *dir)
{
    ludus_run *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->lock_fd = r->csv_fd = r->curve_fd = -1;
    r->leader = 1;
    snprintf(r->dir, sizeof r->dir, "%s", dir);
    return r;
}

static int lock_dir(ludus_run *r)
{
    char p[RUN_PATH_CAP];
    int rc = path_in(p, r->dir, ".lock");
    if (rc) return rc;
    r->lock_fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (r->lock_fd < 0) return ludus_err_set(LUDUS_EIO, "%s: cannot open its lock: %s", r->dir, strerror(errno));
    if (flock(r->lock_fd, LOCK_EX | LOCK_NB) != 0)
        return ludus_err_set(LUDUS_ESTATE, "%s is in use: another process is writing this run", r->dir);
    return LUDUS_OK;
}

/* Remove everything inside `path` (a folder) but .lock, and `keep` at
 * the top (NULL: none). */
static int clear_dir(const char *path, const char *keep)
{
    DIR *d = opendir(path);
    if (!d) return ludus_err_set(LUDUS_EIO, "%s: %s", path, strerror(errno));
    int rc = LUDUS_OK;
    struct dirent *e;
    while (!rc && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || (keep && !strcmp(e->d_name, keep))) continue;
        if (keep && !strcmp(e->d_name, ".lock")) continue; /* the top's lock, held by this process */
        char p[RUN_PATH_CAP];
        if ((rc = path_in(p, path, e->d_name))) break;
        struct stat st;
        if (lstat(p, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            if (!(rc = clear_dir(p, NULL)) && rmdir(p) != 0)
                rc = ludus_err_set(LUDUS_EIO, "cannot remove %s: %s", p, strerror(errno));
        } else if (unlink(p) != 0) {
            rc = ludus_err_set(LUDUS_EIO, "cannot remove %s: %s", p, strerror(errno));
        }
    }
    closedir(d);
    return rc;
}

/* 1 when the folder holds anything besides the lock (and the temporary
 * config.json of a start cut short); *has_config when config.json. */
static int dir_used(const char *path, int *has_config)
{
    DIR *d = opendir(path);
    int used = 0;
    *has_config = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, ".lock")) continue;
        /* a start killed while writing config.json: nothing else was written */
        if (!strcmp(e->d_name, "config.json.tmp")) continue;
        used = 1;
        if (!strcmp(e->d_name, "config.json")) *has_config = 1;
    }
    if (d) closedir(d);
    return used;
}

static void new_run_id(char *buf, size_t cap)
{
    unsigned char b[8] = {0};
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, b, sizeof b) : -1;
    if (fd >= 0) close(fd);
    if (n != (ssize_t)sizeof b) { /* no urandom: the clock and the process */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 40);
        memcpy(b, &x, sizeof b);
    }
    snprintf(buf, cap, "%02x%02x%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
}

static int write_config(ludus_run *r)
{
    int n = ludus_run_setup_to_json(r->setup, NULL, 0);
    char *buf = malloc((size_t)n + 1), p[RUN_PATH_CAP];
    if (!buf) return ludus_err_set(LUDUS_ENOMEM, "run: out of memory");
    ludus_run_setup_to_json(r->setup, buf, (size_t)n + 1);
    int rc = path_in(p, r->dir, "config.json");
    if (!rc) rc = ludus_file_write_atomic(p, buf, (size_t)n);
    free(buf);
    return rc;
}

/* metrics.csv's header for this learner, with its newline. */
static int header_line(const ludus_run *r, char *buf, size_t cap)
{
    strbuf sb = sb_make(buf, cap);
    ludus_sb_puts(&sb, "update,steps,wall_s");
    for (int i = 0; i < r->ncols; i++) ludus_sb_printf(&sb, ",%s", r->cols[i].name);
    ludus_sb_putc(&sb, '\n');
    if (sb.len >= cap) return ludus_err_set(LUDUS_EINVAL, "run: metrics header too long");
    return LUDUS_OK;
}

static int write_all(int fd, const char *s, size_t n, const char *path)
{
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return ludus_err_set(LUDUS_EIO, "%s: %s", path, strerror(errno ? errno : EIO));
        s += w;
        n -= (size_t)w;
    }
    return LUDUS_OK;
}

/* Create the learner and learn its columns. */
static int make_learner(ludus_run *r)
{
    const ludus_learner_ops *ops = r->setup->ops;
    int rc;
    if (ludus_dist_size(r->dist) > 1) {
        if (!ops->create_dist)
            return ludus_err_set(LUDUS_EUNSUPPORTED, "learner %s trains in one process only (not over %d ranks)",
                                 ops->name, ludus_dist_size(r->dist));
        rc = ops->create_dist(r->setup->cfg, &r->setup->run, r->dist, &r->self);
    } else {
        rc = ops->create(r->setup->cfg, &r->setup->run, &r->self);
    }
    if (rc) {
        r->self = NULL;
        return rc;
    }
    r->ncols = ops->columns(r->self, &r->cols);
    if (r->ncols < 0 || r->ncols > LUDUS_LEARNER_MAX_COLUMNS || (r->ncols && !r->cols))
        return ludus_err_set(LUDUS_EINVAL, "learner %s: %d metrics columns (at most %d)", ops->name, r->ncols,
                             LUDUS_LEARNER_MAX_COLUMNS);
    if ((rc = path_in(r->ckpt, r->dir, "checkpoint.safetensors")) || (rc = path_in(r->state, r->dir, "state.safetensors")) ||
        (rc = path_in(r->metrics, r->dir, "metrics.csv")) || (rc = path_in(r->curve, r->dir, "eval_curve.csv")))
        return rc;
    if (r->setup->run.eval_interval) {
        r->n_curve = eval_world_ids(&r->setup->run, r->curve_ids);
        if (r->n_curve < 0) return r->n_curve;
    }
    return LUDUS_OK;
}

static int open_curve(ludus_run *r)
{
    r->curve_fd = open(r->curve, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    if (r->curve_fd < 0) return ludus_err_set(LUDUS_EIO, "%s: %s", r->curve, strerror(errno));
    return LUDUS_OK;
}

static int open_metrics(ludus_run *r, int truncate)
{
    r->csv_fd = open(r->metrics, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0666);
    if (r->csv_fd < 0) return ludus_err_set(LUDUS_EIO, "%s: %s", r->metrics, strerror(errno));
    return LUDUS_OK;
}

static int start_here(const char *dir, const ludus_run_setup *setup, int force, ludus_dist *dist, ludus_run **out)
{
    if (!dir || !*dir || !setup || !out) return ludus_err_set(LUDUS_EINVAL, "run: NULL argument");
    *out = NULL;
    int rc = ludus_run_setup_check(setup);
    if (rc) return rc;
    if (strlen(dir) >= RUN_PATH_CAP - 64) return ludus_err_set(LUDUS_EINVAL, "run: folder path too long");
    ludus_run *r = run_alloc(dir);
    if (!r || !(r->setup = malloc(sizeof *r->setup)) || !(r->setup->cfg = malloc(setup->ops->config_size + 1))) {
        if (r) free(r->setup);
        free(r);
        return ludus_err_set(LUDUS_ENOMEM, "run: out of memory");
    }
    r->setup->ops = setup->ops;
    r->setup->run = setup->run;
    r->setup->run.ranks = ludus_dist_size(dist);
    r->dist = dist;
    memcpy(r->setup->cfg, setup->cfg, setup->ops->config_size);
    if ((rc = ludus_file_mkdirs(dir)) || (rc = lock_dir(r))) goto fail;
    int has_config;
    if (dir_used(dir, &has_config)) {
        if (!force) {
            rc = ludus_err_set(LUDUS_ESTATE, "%s exists; use --resume %s to continue it or --force to overwrite", dir, dir);
            goto fail;
        }
        if (!has_config) {
            rc = ludus_err_set(LUDUS_ESTATE, "%s is not a run folder (no config.json); --force clears only runs", dir);
            goto fail;
        }
        /* config.json last: a --force cut short is still a run folder */
        char cj[RUN_PATH_CAP];
        if ((rc = clear_dir(dir, "config.json")) || (rc = path_in(cj, dir, "config.json"))) goto fail;
        unlink(cj);
    }
    new_run_id(r->setup->run.run_id, sizeof r->setup->run.run_id);
    snprintf(r->setup->run.commit, sizeof r->setup->run.commit, "%s", ludus_commit());
    if ((rc = make_learner(r))) goto fail;
    if ((rc = write_config(r))) goto fail;
    char head[RUN_ROW_CAP];
    if ((rc = header_line(r, head, sizeof head)) || (rc = open_metrics(r, 1)) ||
        (rc = write_all(r->csv_fd, head, strlen(head), r->metrics)))
        goto fail;
    if (fsync(r->csv_fd) != 0 || (rc = ludus_file_sync_dir_of(r->metrics))) {
        if (!rc) rc = ludus_err_set(LUDUS_EIO, "%s: %s", r->metrics, strerror(errno));
        goto fail;
    }
    if (r->setup->run.keep_checkpoints) {
        char p[RUN_PATH_CAP];
        if ((rc = path_in(p, dir, "checkpoints")) || (rc = ludus_file_mkdirs(p))) goto fail;
    }
    if (r->setup->run.eval_interval &&
        ((rc = ludus_file_write_atomic(r->curve, CURVE_HEADER, strlen(CURVE_HEADER))) || (rc = open_curve(r))))
        goto fail;
    *out = r;
    return LUDUS_OK;
fail:
    ludus_run_destroy(r);
    return rc;
}

/* ---- resume ---- */

/* The run's tags of a checkpoint file: its learner, run id, update and steps. */
typedef struct file_tags {
    char learner[64], run_id[64];
    unsigned long long update, steps;
} file_tags;

static int read_tags(const char *path, file_tags *t)
{
    ludus_nn_file *f;
    int rc = ludus_nn_file_open(path, &f);
    if (rc) return rc;
    const char *l = ludus_nn_file_meta(f, META_LEARNER), *id = ludus_nn_file_meta(f, META_RUN_ID);
    const char *u = ludus_nn_file_meta(f, META_UPDATE), *s = ludus_nn_file_meta(f, META_STEPS);
    char *e1 = NULL, *e2 = NULL;
    if (!l || !id || !u || !s)
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: written outside a run (no %s)", path,
                           !l ? META_LEARNER : !id ? META_RUN_ID : !u ? META_UPDATE : META_STEPS);
    if (!rc) {
        snprintf(t->learner, sizeof t->learner, "%s", l);
        snprintf(t->run_id, sizeof t->run_id, "%s", id);
        t->update = strtoull(u, &e1, 10);
        t->steps = strtoull(s, &e2, 10);
        if (*e1 || *e2 || !*u || !*s) rc = ludus_err_set(LUDUS_EFORMAT, "%s: %s or %s is not a number", path, META_UPDATE, META_STEPS);
    }
    ludus_nn_file_close(f);
    return rc;
}

static int exists(const char *p)
{
    struct stat st;
    return lstat(p, &st) == 0;
}

/* Finish or drop a checkpoint commit a killed process left half done. */
static int recover_commit(ludus_run *r)
{
    char cn[RUN_PATH_CAP + 8], sn[RUN_PATH_CAP + 8];
    /* temporary files of writes a kill cut short */
    static const char *const tmps[] = {"checkpoint.safetensors.new.tmp", "state.safetensors.new.tmp",
                                       "config.json.tmp", "metrics.csv.tmp", "eval_curve.csv.tmp", NULL};
    for (int i = 0; tmps[i]; i++) {
        char t[RUN_PATH_CAP];
        if (path_in(t, r->dir, tmps[i]) == LUDUS_OK) unlink(t);
    }
    snprintf(cn, sizeof cn, "%s.new", r->ckpt);
    snprintf(sn, sizeof sn, "%s.new", r->state);
    if (exists(sn)) { /* the state was not renamed: the old pair stands */
        unlink(sn);
        unlink(cn);
        return LUDUS_OK;
    }
    if (!exists(cn)) return LUDUS_OK;
    file_tags c, s;
    if (exists(r->state) && read_tags(cn, &c) == LUDUS_OK && read_tags(r->state, &s) == LUDUS_OK &&
        c.update == s.update && !strcmp(c.run_id, s.run_id)) {
        if (rename(cn, r->ckpt) != 0) return ludus_err_set(LUDUS_EIO, "%s: %s", r->ckpt, strerror(errno));
        return ludus_file_sync_dir_of(r->ckpt);
    }
    unlink(cn);
    return LUDUS_OK;
}

/* Keep metrics.csv's header and its rows of updates 1..upto; every
 * difference from what the run expects is named. *wall gets the last
 * kept row's wall_s. */
static int trim_metrics(ludus_run *r, int upto, unsigned long long steps, double *wall)
{
    char *text = NULL;
    size_t len = 0;
    char head[RUN_ROW_CAP];
    int rc = header_line(r, head, sizeof head);
    if (rc) return rc;
    rc = ludus_file_read(r->metrics, RUN_MAX_METRICS_BYTES, &text, &len);
    /* killed between config.json and the header: nothing to keep */
    if (upto == 0 && (rc == LUDUS_ENOTFOUND || (!rc && len < strlen(head)))) {
        free(text);
        *wall = 0;
        return ludus_file_write_atomic(r->metrics, head, strlen(head));
    }
    if (rc) return ludus_err_wrap(rc, "resume");
    size_t hl = strlen(head);
    if (len < hl || memcmp(text, head, hl) != 0) {
        char *nl = memchr(text, '\n', len);
        rc = ludus_err_set(LUDUS_EFORMAT, "resume: %s's columns are not the learner's: it has \"%.*s\", %s writes \"%.*s\"",
                           r->metrics, (int)(nl ? (size_t)(nl - text) : len < 200 ? len : 200), text,
                           r->setup->ops->name, (int)hl - 1, head);
        goto done;
    }
    size_t keep = hl, at = hl;
    int want = 1;
    *wall = 0;
    while (at < len) {
        char *nl = memchr(text + at, '\n', len - at);
        if (!nl) break; /* a partial last line: the process died writing it */
        char *end;
        long u = strtol(text + at, &end, 10);
        if (end == text + at || *end != ',') {
            rc = ludus_err_set(LUDUS_EFORMAT, "resume: %s: row %d does not start with an update number", r->metrics, want);
            goto done;
        }
        if (u > upto) break;
        if (u != want) {
            rc = ludus_err_set(LUDUS_EFORMAT, "resume: %s: expected update %d, found %ld", r->metrics, want, u);
            goto done;
        }
        unsigned long long s = strtoull(end + 1, &end, 10);
        *wall = *end == ',' ? strtod(end + 1, NULL) : 0;
        if (u == upto && s != steps) {
            rc = ludus_err_set(LUDUS_EFORMAT, "resume: %s: update %ld is at %llu steps, the checkpoint at %llu",
                               r->metrics, u, s, steps);
            goto done;
        }
        want++;
        at = keep = (size_t)(nl - text) + 1;
    }
    if (want - 1 != upto) {
        rc = ludus_err_set(LUDUS_EFORMAT, "resume: %s ends at update %d but the checkpoint is at update %d", r->metrics,
                           want - 1, upto);
        goto done;
    }
    if (keep != len) rc = ludus_file_write_atomic(r->metrics, text, keep);
done:
    free(text);
    return rc;
}

/* 1 when update u ends with an evaluation (eval_curve.csv). */
static int curve_due(const ludus_run *r, int u, uint64_t steps)
{
    const ludus_run_config *c = &r->setup->run;
    return c->eval_interval && u > 0 && (u % c->eval_interval == 0 || steps >= c->total_steps);
}

/* Keep eval_curve.csv's header and its evaluations of updates 1..upto;
 * the checkpoint's own update keeps its rows only when all of them were
 * written (else they go and curve_pending asks for the evaluation again). */
static int trim_curve(ludus_run *r, int upto, uint64_t steps)
{
    char *text = NULL;
    size_t len = 0;
    const size_t hl = strlen(CURVE_HEADER);
    int rc = ludus_file_read(r->curve, RUN_MAX_METRICS_BYTES, &text, &len);
    if (rc == LUDUS_ENOTFOUND || (!rc && len < hl && upto == 0)) { /* killed before the header */
        free(text);
        r->curve_pending = curve_due(r, upto, steps);
        return ludus_file_write_atomic(r->curve, CURVE_HEADER, hl);
    }
    if (rc) return ludus_err_wrap(rc, "resume");
    if (len < hl || memcmp(text, CURVE_HEADER, hl) != 0) {
        rc = ludus_err_set(LUDUS_EFORMAT, "resume: %s does not start with the header \"%.*s\"", r->curve, (int)hl - 1,
                           CURVE_HEADER);
        goto done;
    }
    size_t at = hl, keep = hl, before_upto = hl;
    int at_upto = 0, row = 1;
    while (at < len) {
        char *nl = memchr(text + at, '\n', len - at);
        if (!nl) break; /* a partial last line */
        char *end;
        long u = strtol(text + at, &end, 10);
        if (end == text + at || *end != ',') {
            rc = ludus_err_set(LUDUS_EFORMAT, "resume: %s: row %d does not start with an update number", r->curve, row);
            goto done;
        }
        if (u > upto) break;
        if (u < upto) before_upto = (size_t)(nl - text) + 1;
        else at_upto++;
        at = keep = (size_t)(nl - text) + 1;
        row++;
    }
    const int complete = at_upto == 1 + r->n_curve;
    if (!complete) keep = before_upto;
    r->curve_pending = !complete && curve_due(r, upto, steps);
    if (keep != len) rc = ludus_file_write_atomic(r->curve, text, keep);
done:
    free(text);
    return rc;
}

static int resume_here(const char *dir, const char *overrides, ludus_dist *dist, ludus_run **out)
{
    if (!dir || !out) return ludus_err_set(LUDUS_EINVAL, "run: NULL argument");
    *out = NULL;
    if (strlen(dir) >= RUN_PATH_CAP - 64) return ludus_err_set(LUDUS_EINVAL, "run: folder path too long");
    ludus_run *r = run_alloc(dir);
    char *text = NULL, p[RUN_PATH_CAP];
    cJSON *ov = NULL;
    if (!r) return ludus_err_set(LUDUS_ENOMEM, "run: out of memory");
    r->dist = dist;
    struct stat st;
    int rc;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        rc = ludus_err_set(LUDUS_ENOTFOUND, "--resume %s: no such run folder", dir);
        goto fail;
    }
    if ((rc = lock_dir(r)) || (rc = path_in(p, dir, "config.json"))) goto fail;
    size_t len;
    if ((rc = ludus_file_read(p, LUDUS_MAX_CONFIG_BYTES, &text, &len))) {
        if (rc == LUDUS_ENOTFOUND) rc = ludus_err_set(LUDUS_ENOTFOUND, "--resume %s: no config.json there", dir);
        goto fail;
    }
    if ((rc = ludus_run_setup_create(NULL, NULL, text, &r->setup))) {
        ludus_err_wrap(rc, "%s", p);
        goto fail;
    }
    if (!r->setup->run.run_id[0]) {
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: no run_id (a run folder written before runs had ids cannot be resumed)", p);
        goto fail;
    }
    if (overrides) {
        static const char *const allowed[] = {"total_steps", "num_threads", "eval_episodes", NULL};
        if (!(ov = ludus_keys_parse_object(overrides, &rc))) goto fail;
        for (const cJSON *e = ov->child; e; e = e->next) {
            int ok = 0;
            for (int i = 0; allowed[i]; i++) ok |= !strcmp(e->string, allowed[i]);
            if (!ok) {
                rc = ludus_err_set(LUDUS_EINVAL, "--resume: \"%s\" cannot change in a run that has started "
                                   "(total_steps, num_threads and eval_episodes can)", e->string);
                goto fail;
            }
            if ((rc = ludus_keys_apply_one(ludus_keys_find(run_keys, e->string), &r->setup->run, e))) goto fail;
        }
    }
    if (r->setup->run.ranks != ludus_dist_size(dist)) {
        int was = r->setup->run.ranks, now = ludus_dist_size(dist);
        rc = ludus_err_set(LUDUS_EINVAL, "--resume %s: the run was trained by %d process%s (config.json \"ranks\": %d) "
                           "and must go on with as many (%s%d), not %d", dir, was, was == 1 ? "" : "es", was,
                           was == 1 ? "no mpirun, or mpirun -np " : "mpirun -np ", was, now);
        goto fail;
    }
    if ((rc = ludus_run_setup_check(r->setup)) || (rc = make_learner(r)) || (rc = recover_commit(r))) goto fail;
    const ludus_run_config *rc_ = &r->setup->run;
    int have_c = exists(r->ckpt), have_s = exists(r->state);
    int upto = 0;
    unsigned long long steps = 0;
    if (have_c || have_s) {
        if (!have_c || !have_s) {
            rc = ludus_err_set(LUDUS_EFORMAT, "resume: %s has %s but not %s", dir, have_c ? "checkpoint.safetensors" : "state.safetensors",
                               have_c ? "state.safetensors" : "checkpoint.safetensors");
            goto fail;
        }
        file_tags c, s;
        if ((rc = read_tags(r->ckpt, &c)) || (rc = read_tags(r->state, &s))) goto fail;
        const char *name = r->setup->ops->name;
        if (strcmp(c.learner, name) || strcmp(s.learner, name)) {
            rc = ludus_err_set(LUDUS_EFORMAT, "resume: the checkpoint was written by learner '%s' (state: '%s'), "
                               "but config.json's is '%s'", c.learner, s.learner, name);
            goto fail;
        }
        if (strcmp(c.run_id, rc_->run_id) || strcmp(s.run_id, rc_->run_id)) {
            rc = ludus_err_set(LUDUS_EFORMAT, "resume: run ids differ: config.json %s, checkpoint.safetensors %s, "
                               "state.safetensors %s", rc_->run_id, c.run_id, s.run_id);
            goto fail;
        }
        if (c.update != s.update || c.steps != s.steps) {
            rc = ludus_err_set(LUDUS_EFORMAT, "resume: checkpoint.safetensors is at update %llu (%llu steps) but "
                               "state.safetensors at update %llu (%llu steps)", c.update, c.steps, s.update, s.steps);
            goto fail;
        }
        if (c.update > (1u << 30)) {
            rc = ludus_err_set(LUDUS_EFORMAT, "resume: update %llu is out of range", c.update);
            goto fail;
        }
        if ((rc = r->setup->ops->load(r->self, r->ckpt, r->state))) {
            ludus_err_wrap(rc, "resume");
            goto fail;
        }
        if (r->setup->ops->steps(r->self) != c.steps) {
            rc = ludus_err_set(LUDUS_EFORMAT, "resume: the learner restored %llu steps, the checkpoint says %llu",
                               (unsigned long long)r->setup->ops->steps(r->self), c.steps);
            goto fail;
        }
        upto = (int)c.update;
        steps = c.steps;
    }
    if ((rc = trim_metrics(r, upto, steps, &r->wall0)) || (rc = open_metrics(r, 0))) goto fail;
    if (rc_->eval_interval && ((rc = trim_curve(r, upto, steps)) || (rc = open_curve(r)))) goto fail;
    r->update = upto;
    if (rc_->keep_checkpoints) {
        if ((rc = path_in(p, dir, "checkpoints")) || (rc = ludus_file_mkdirs(p))) goto fail;
    }
    if (overrides && (rc = write_config(r))) goto fail;
    cJSON_Delete(ov);
    free(text);
    *out = r;
    return LUDUS_OK;
fail:
    cJSON_Delete(ov);
    free(text);
    ludus_run_destroy(r);
    return rc;
}

/* ---- runs over several ranks ---- */

/* Every rank's result: LUDUS_OK when all succeeded; else the first failed
 * rank's code on every rank, the failed ranks keeping their own messages
 * and the others getting one that names it. */
static int agree(ludus_dist *d, int rc, const char *what)
{
    const int size = ludus_dist_size(d), rank = ludus_dist_rank(d);
    if (size <= 1) return rc;
    int *all = calloc((size_t)size, sizeof *all), bad[2] = {-1, LUDUS_OK};
    if (!all) return ludus_err_set(LUDUS_ENOMEM, "run: out of memory");
    int trc = ludus_dist_gather(d, &rc, sizeof rc, all, 0);
    for (int i = 0; !trc && rank == 0 && i < size && bad[0] < 0; i++)
        if (all[i]) bad[0] = i, bad[1] = all[i];
    free(all);
    if (!trc) trc = ludus_dist_bcast(d, bad, sizeof bad, 0);
    if (trc) return trc;
    if (bad[0] < 0 || rc) return rc;
    return ludus_err_set(bad[1] < 0 ? bad[1] : LUDUS_ESTATE, "rank %d of %d could not %s (its own message says why)",
                         bad[0], size, what);
}

/* root's bytes (any length) to every rank; *buf is malloc'd on the others. */
static int share_bytes(ludus_dist *d, char **buf, size_t *len)
{
    uint64_t n = ludus_dist_rank(d) == 0 ? (uint64_t)*len : 0;
    int rc = ludus_dist_bcast(d, &n, sizeof n, 0);
    if (rc) return rc;
    if (ludus_dist_rank(d) != 0) {
        *len = (size_t)n;
        if (!(*buf = malloc((size_t)n + 1))) return ludus_err_set(LUDUS_ENOMEM, "run: out of memory");
        (*buf)[n] = 0;
    }
    return ludus_dist_bcast(d, *buf, (size_t)n, 0);
}

/* A rank other than 0: the run as rank 0 configured it (its config.json's
 * text), a learner of its own and no files. */
static int follow(ludus_dist *d, const char *dir, const char *json, ludus_run **out)
{
    ludus_run *r = run_alloc(dir);
    if (!r) return ludus_err_set(LUDUS_ENOMEM, "run: out of memory");
    r->dist = d;
    r->leader = 0;
    int rc = ludus_run_setup_create(NULL, NULL, json, &r->setup);
    if (!rc) rc = make_learner(r);
    if (rc) ludus_run_destroy(r);
    else *out = r;
    return rc;
}

/* After rank 0 made its run (rc0: its result): the others follow it. */
static int spread(ludus_dist *d, const char *dir, int rc0, ludus_run **r, const char *what)
{
    const int rank = ludus_dist_rank(d);
    int rc = agree(d, rc0, what);
    char *json = NULL;
    size_t len = 0;
    if (!rc && rank == 0) {
        int n = ludus_run_setup_to_json((*r)->setup, NULL, 0);
        if (!(json = malloc((size_t)n + 1))) rc = ludus_err_set(LUDUS_ENOMEM, "run: out of memory");
        else len = (size_t)ludus_run_setup_to_json((*r)->setup, json, (size_t)n + 1);
    }
    if (rc0 == LUDUS_OK && rc == LUDUS_OK) rc = share_bytes(d, &json, &len);
    int mine = rc;
    if (!rc && rank != 0) mine = follow(d, dir, json, r);
    free(json);
    if (rc) return rc;
    return agree(d, mine, "create its learner");
}

int ludus_run_start(const char *dir, const ludus_run_setup *setup, int force, ludus_run **out)
{
    return ludus_run_start_dist(dir, setup, force, NULL, out);
}

int ludus_run_start_dist(const char *dir, const ludus_run_setup *setup, int force, ludus_dist *dist, ludus_run **out)
{
    if (!out) return ludus_err_set(LUDUS_EINVAL, "run: NULL argument");
    *out = NULL;
    if (ludus_dist_size(dist) <= 1) return start_here(dir, setup, force, dist, out);
    ludus_run *r = NULL;
    int rc = ludus_dist_rank(dist) == 0 ? start_here(dir, setup, force, dist, &r) : LUDUS_OK;
    if ((rc = spread(dist, dir, rc, &r, "start the run"))) {
        ludus_run_destroy(r);
        return rc;
    }
    *out = r;
    return LUDUS_OK;
}

/* A file's bytes from rank 0 into a temporary file of this rank's (the
 * run folder need not be visible here); path gets its name. */
static int receive_file(ludus_dist *d, const char *src, char *path, size_t cap)
{
    char *buf = NULL;
    size_t len = 0;
    int rc = LUDUS_OK, fd = -1;
    if (ludus_dist_rank(d) == 0) rc = ludus_file_read(src, LUDUS_MAX_CHECKPOINT_BYTES, &buf, &len);
    if ((rc = agree(d, rc, "read the checkpoint")) || (rc = share_bytes(d, &buf, &len))) goto done;
    if (ludus_dist_rank(d) != 0) {
        const char *tmp = getenv("TMPDIR");
        snprintf(path, cap, "%s/ludus-rank%d-XXXXXX", tmp && *tmp ? tmp : "/tmp", ludus_dist_rank(d));
        if ((fd = mkstemp(path)) < 0) rc = ludus_err_set(LUDUS_EIO, "%s: %s", path, strerror(errno));
        else if ((rc = write_all(fd, buf, len, path))) unlink(path);
    } else {
        snprintf(path, cap, "%s", src);
    }
done:
    if (fd >= 0) close(fd);
    free(buf);
    return rc;
}

int ludus_run_resume(const char *dir, const char *overrides, ludus_run **out)
{
    return ludus_run_resume_dist(dir, overrides, NULL, out);
}

int ludus_run_resume_dist(const char *dir, const char *overrides, ludus_dist *dist, ludus_run **out)
{
    if (!out) return ludus_err_set(LUDUS_EINVAL, "run: NULL argument");
    *out = NULL;
    if (ludus_dist_size(dist) <= 1) return resume_here(dir, overrides, dist, out);
    const int rank = ludus_dist_rank(dist);
    ludus_run *r = NULL;
    char ck[RUN_PATH_CAP], st[RUN_PATH_CAP];
    int rc = rank == 0 ? resume_here(dir, overrides, dist, &r) : LUDUS_OK;
    if ((rc = spread(dist, dir, rc, &r, "resume the run"))) goto fail;
    /* rank 0's update, and its checkpoint for the others to load */
    int upto = rank == 0 ? r->update : 0;
    if ((rc = ludus_dist_bcast(dist, &upto, sizeof upto, 0))) goto fail;
    r->update = upto;
    if (upto > 0) {
        if ((rc = receive_file(dist, r->ckpt, ck, sizeof ck))) goto fail;
        if ((rc = receive_file(dist, r->state, st, sizeof st))) {
            if (rank) unlink(ck);
            goto fail;
        }
        int mine = rank == 0 ? LUDUS_OK : r->setup->ops->load(r->self, ck, st);
        if (rank) unlink(ck), unlink(st);
        if ((rc = agree(dist, mine, "load the checkpoint"))) goto fail;
    }
    *out = r;
    return LUDUS_OK;
fail:
    ludus_run_destroy(r);
    return rc;
}

/* ---- training ---- */

static int copy_file(const char *from, const char *to)
{
    char *buf;
    size_t len;
    int rc = ludus_file_read(from, LUDUS_MAX_CHECKPOINT_BYTES, &buf, &len);
    if (rc) return rc;
    rc = ludus_file_write_atomic(to, buf, len);
    free(buf);
    return rc;
}

static int checkpoint(ludus_run *r)
{
    const ludus_learner_ops *ops = r->setup->ops;
    char cn[RUN_PATH_CAP + 8], sn[RUN_PATH_CAP + 8], upd[24], steps[24];
    snprintf(cn, sizeof cn, "%s.new", r->ckpt);
    snprintf(sn, sizeof sn, "%s.new", r->state);
    snprintf(upd, sizeof upd, "%d", r->update);
    snprintf(steps, sizeof steps, "%llu", (unsigned long long)ops->steps(r->self));
    const char *meta[] = {META_LEARNER, ops->name, META_RUN_ID, r->setup->run.run_id, META_UPDATE, upd,
                          META_STEPS, steps, NULL};
    /* the rows up to this update are durable before the checkpoint is */
    if (fsync(r->csv_fd) != 0) return ludus_err_set(LUDUS_EIO, "%s: %s", r->metrics, strerror(errno));
    int rc = ops->save(r->self, cn, sn, meta);
    if (!rc && (rename(sn, r->state) != 0 || rename(cn, r->ckpt) != 0))
        rc = ludus_err_set(LUDUS_EIO, "run: committing the checkpoint in %s: %s", r->dir, strerror(errno));
    if (!rc) rc = ludus_file_sync_dir_of(r->ckpt);
    if (rc) {
        unlink(cn);
        unlink(sn);
        return rc;
    }
    if (r->setup->run.keep_checkpoints) {
        char p[RUN_PATH_CAP + 64];
        snprintf(p, sizeof p, "%s/checkpoints/%012llu.safetensors", r->dir, (unsigned long long)ops->steps(r->self));
        rc = copy_file(r->ckpt, p);
    }
    return rc;
}

static int append_row(ludus_run *r, double wall, const double *vals)
{
    char row[RUN_ROW_CAP];
    strbuf sb = sb_make(row, sizeof row);
    ludus_sb_printf(&sb, "%d,%llu,%.3f", r->update, (unsigned long long)r->setup->ops->steps(r->self), wall);
    for (int i = 0; i < r->ncols; i++) {
        if (r->cols[i].integer && isfinite(vals[i])) ludus_sb_printf(&sb, ",%.0f", vals[i]);
        else ludus_sb_printf(&sb, ",%.6g", vals[i]);
    }
    ludus_sb_putc(&sb, '\n');
    if (sb.len >= sizeof row) return ludus_err_set(LUDUS_EINVAL, "run: metrics row too long");
    /* one write() on an O_APPEND file: a killed process leaves whole rows
     * (or, at worst, a partial last line that resume drops); the file is
     * fsynced before each checkpoint, which is all resume relies on (rows
     * after the checkpoint are dropped anyway), so no update waits on the
     * disk */
    return write_all(r->csv_fd, row, sb.len, r->metrics);
}

/* One evaluation of the run's agent for eval_curve.csv: the training
 * levels, then held-out levels of each world of eval_worlds, all rows in
 * one write, synced. */
static int curve_eval(ludus_run *r)
{
    const ludus_run_config *c = &r->setup->run;
    const int n = c->eval_curve_episodes;
    const unsigned long long steps = (unsigned long long)r->setup->ops->steps(r->self);
    char *rows = malloc((size_t)(r->n_curve + 1) * 256);
    ludus_agent *agent = NULL;
    if (!rows) return ludus_err_set(LUDUS_ENOMEM, "run: out of memory");
    strbuf sb = sb_make(rows, (size_t)(r->n_curve + 1) * 256);
    int rc = ludus_run_agent(r, &agent);
    for (int w = -1; w < r->n_curve && !rc; w++) {
        const char *id = w < 0 ? c->env_id : r->curve_ids[w];
        ludus_eval_config ec = {.env_id = id, .env_options = strcmp(id, c->env_id) ? "" : c->env_options,
                                .episodes = n, .seed = c->seed};
        if (w < 0) { /* the training levels */
            ec.level_start = 0;
            ec.level_count = c->train_levels ? c->train_levels : LUDUS_MAX_TRAIN_LEVELS;
        } else {
            ec.level_start = LUDUS_HELDOUT_START;
            ec.level_count = (uint64_t)n;
            ec.train_env_id = c->env_id;
            ec.train_env_options = c->env_options;
            ec.train_levels = c->train_levels;
        }
        ludus_eval_result res;
        if ((rc = ludus_eval_run(agent, &ec, &res))) break;
        ludus_sb_printf(&sb, "%d,%llu,%s,%s,%d,%.6g,%.6g\n", r->update, steps, id, w < 0 ? "train" : "heldout", n,
                        res.success.mean, res.ret.mean);
    }
    if (!rc && sb.len >= sb.cap) rc = ludus_err_set(LUDUS_EINTERNAL, "run: eval_curve rows too long");
    if (!rc) rc = write_all(r->curve_fd, rows, sb.len, r->curve);
    if (!rc && fsync(r->curve_fd) != 0) rc = ludus_err_set(LUDUS_EIO, "%s: %s", r->curve, strerror(errno));
    if (rc) ludus_err_wrap(rc, "evaluation at update %d (eval_curve.csv)", r->update);
    ludus_agent_destroy(agent);
    free(rows);
    return rc;
}

static void on_signal(int sig)
{
    (void)sig;
    run_signalled = 1;
}

int ludus_run_train(ludus_run *r, int handle_signals, ludus_run_progress_fn progress, void *user)
{
    if (!r || !r->self) return ludus_err_set(LUDUS_EINVAL, "run: NULL argument");
    const ludus_learner_ops *ops = r->setup->ops;
    const ludus_run_config *cfg = &r->setup->run;
    struct sigaction sa, old_int, old_term;
    if (handle_signals) {
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        run_signalled = 0;
        sigaction(SIGINT, &sa, &old_int);
        sigaction(SIGTERM, &sa, &old_term);
    }
    double *vals = malloc(((size_t)r->ncols + 1) * sizeof *vals);
    int rc = vals ? LUDUS_OK : ludus_err_set(LUDUS_ENOMEM, "run: out of memory");
    const double t0 = now_s();
    double last_ckpt = t0;
    const uint64_t s0 = ops->steps(r->self);
    int saved = r->update;
    r->stopped = 0;
    if (r->leader && r->curve_pending) { /* resumed after a kill cut the checkpoint's evaluation short */
        if (!(rc = curve_eval(r))) r->curve_pending = 0;
    }
    const int many = ludus_dist_size(r->dist) > 1;
    if (many && handle_signals) r->dist->interrupt = &run_signalled;
    while (!rc && ops->steps(r->self) < cfg->total_steps) {
        /* every rank stops at the same update: a stop on any is a stop on all */
        double halt = r->stop || run_signalled;
        if (many && (rc = ludus_dist_allreduce_f64(r->dist, &halt, 1))) break;
        if (halt > 0) {
            r->stop = 1;
            break;
        }
        for (int i = 0; i < r->ncols; i++) vals[i] = NAN;
        if ((rc = ops->update(r->self, vals))) break;
        r->update++;
        const double now = now_s();
        if (r->leader && (rc = append_row(r, r->wall0 + (now - t0), vals))) break;
        const uint64_t steps = ops->steps(r->self);
        const int done = steps >= cfg->total_steps, stop = r->stop || run_signalled;
        const int eval_due = curve_due(r, r->update, steps);
        const int due = (cfg->checkpoint_every && r->update % cfg->checkpoint_every == 0) ||
                        (cfg->checkpoint_seconds && now - last_ckpt >= cfg->checkpoint_seconds) || eval_due;
        if (r->leader && (done || stop || due)) {
            if ((rc = checkpoint(r))) break;
            last_ckpt = now_s();
            saved = r->update;
        }
        /* after the checkpoint, so a resume finds the evaluated policy (a
         * stop skips it: the resume evaluates that update first) */
        if (eval_due && !stop && (rc = curve_eval(r))) break;
        if (eval_due && stop) r->curve_pending = 1;
        if (progress) {
            ludus_run_progress pr = {.update = r->update, .steps = steps, .total_steps = cfg->total_steps,
                                     .wall_s = now - t0, .checkpointed = done || stop || due};
            pr.steps_per_s = now > t0 ? (double)(steps - s0) / (now - t0) : NAN;
            pr.seconds_left = pr.steps_per_s > 0 ? (double)(cfg->total_steps - (steps < cfg->total_steps ? steps : cfg->total_steps)) / pr.steps_per_s : NAN;
            pr.ret = ops->recent_return ? ops->recent_return(r->self) : NAN;
            progress(&pr, user);
        }
    }
    /* a stop asked for during the progress callback: its update is saved too */
    if (!rc && r->leader && saved != r->update) rc = checkpoint(r);
    if (!rc && (r->stop || run_signalled) && ops->steps(r->self) < cfg->total_steps) r->stopped = 1;
    r->stop = 0;
    if (many && handle_signals) r->dist->interrupt = NULL;
    if (handle_signals) {
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        run_signalled = 0;
    }
    free(vals);
    return rc;
}

void ludus_run_stop(ludus_run *r)
{
    if (r) r->stop = 1;
}

int ludus_run_stopped(const ludus_run *r)
{
    return r ? r->stopped : 0;
}

const ludus_run_config *ludus_run_get_config(const ludus_run *r)
{
    return r ? &r->setup->run : NULL;
}

const ludus_learner_ops *ludus_run_learner(const ludus_run *r)
{
    return r ? r->setup->ops : NULL;
}

void *ludus_run_learner_self(ludus_run *r)
{
    return r ? r->self : NULL;
}

const char *ludus_run_dir(const ludus_run *r)
{
    return r ? r->dir : NULL;
}

int ludus_run_update(const ludus_run *r)
{
    return r ? r->update : 0;
}

int ludus_run_rank(const ludus_run *r)
{
    return r ? ludus_dist_rank(r->dist) : 0;
}

int ludus_run_ranks(const ludus_run *r)
{
    return r ? ludus_dist_size(r->dist) : 1;
}

uint64_t ludus_run_steps(const ludus_run *r)
{
    return r && r->self ? r->setup->ops->steps(r->self) : 0;
}

const char *ludus_run_checkpoint_path(const ludus_run *r)
{
    return r ? r->ckpt : NULL;
}

int ludus_run_agent(ludus_run *r, ludus_agent **out)
{
    if (!r || !r->self || !out) return ludus_err_set(LUDUS_EINVAL, "run agent: NULL argument");
    *out = NULL;
    const ludus_run_config *c = &r->setup->run;
    int rc = r->setup->ops->agent(r->self, r->ckpt, out);
    if (rc) return rc;
    if (!*out) return ludus_err_set(LUDUS_EINTERNAL, "learner %s gave no agent", r->setup->ops->name);
    if ((rc = ludus_agent_set_origin(*out, exists(r->ckpt) ? r->ckpt : NULL, c->env_id, c->env_options))) {
        ludus_agent_destroy(*out);
        *out = NULL;
    }
    return rc;
}

int ludus_run_evaluate(ludus_run *r, const char *json_path, ludus_eval_report *out)
{
    if (!r) return ludus_err_set(LUDUS_EINVAL, "run evaluate: NULL argument");
    const ludus_run_config *c = &r->setup->run;
    if (c->eval_episodes < 1) return ludus_err_set(LUDUS_EINVAL, "run evaluate: eval_episodes is 0");
    char path[RUN_PATH_CAP];
    int rc = json_path ? LUDUS_OK : path_in(path, r->dir, "eval.json");
    if (rc) return rc;
    ludus_eval_report *rep = malloc(sizeof *rep);
    ludus_agent *agent = NULL;
    if (!rep) return ludus_err_set(LUDUS_ENOMEM, "run evaluate: out of memory");
    ludus_eval_report_config ec = {.env_id = c->env_id, .env_options = c->env_options, .train_levels = c->train_levels,
                                   .episodes = c->eval_episodes, .greedy = 0, .seed = c->seed};
    if (!(rc = ludus_run_agent(r, &agent)) && !(rc = ludus_eval_report_run(agent, &ec, rep)))
        rc = ludus_eval_report_write(rep, json_path ? json_path : path);
    if (!rc && out) *out = *rep;
    ludus_agent_destroy(agent);
    free(rep);
    return rc;
}
