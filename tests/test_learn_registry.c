/* test_learn_registry.c: a learner written outside the library plugs in
 * through the public API alone. "reinforce" is a tabular softmax policy
 * (observations hashed into buckets of logits) trained by REINFORCE with a
 * running-mean baseline; it is registered with ludus_learner_register and
 * then configured, trained, checkpointed, resumed and evaluated by the
 * library's own run (run.h) and evaluation (learn.h), and it must beat a
 * random agent on MiniGrid-Empty-5x5's held-out levels. Then every way a
 * run folder can be wrong is refused with a message naming the
 * difference: another learner's checkpoint, another run's, a checkpoint
 * and state of different updates, non-finite weights, lost metrics rows, a
 * second writer, and reuse without force.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "ludus/agent.h"
#include "ludus/learn.h"
#include "ludus/learner.h"
#include "ludus/nn.h"
#include "ludus/run.h"

/* ---- the learner, as a user would write it ---- */

typedef struct rf_config {
    int num_envs;     /* worlds stepped together */
    int num_steps;    /* steps per world per update */
    float lr;         /* step size on the logits */
    float gamma;
    int table_bits;   /* 2^bits buckets of logits */
} rf_config;

#define RF_O(f) offsetof(rf_config, f)
static const ludus_key rf_keys[] = {
    {"num_envs", LUDUS_KEY_INT, RF_O(num_envs), 1, 1024, NULL, "worlds stepped together"},
    {"num_steps", LUDUS_KEY_INT, RF_O(num_steps), 1, 4096, NULL, "steps per world per update"},
    {"lr", LUDUS_KEY_FLOAT, RF_O(lr), 0, 100, NULL, "step size on the logits"},
    {"gamma", LUDUS_KEY_FLOAT, RF_O(gamma), 0, 1, NULL, "discount"},
    {"table_bits", LUDUS_KEY_INT, RF_O(table_bits), 4, 20, NULL, "log2 of the buckets"},
    {NULL, 0, 0, 0, 0, NULL, NULL},
};

typedef struct rf {
    rf_config cfg;
    ludus_vec *vec;
    int N, T, A, K;
    size_t D;
    float *logits;        /* (K, A) */
    double baseline;
    uint64_t steps;
    ludus_rng rng;
    uint32_t *bucket;     /* (T, N) */
    int32_t *act;         /* (T, N) */
    float *rew;           /* (T, N) */
    uint8_t *done;        /* (T, N) */
    double last_return;
} rf;

static uint32_t rf_hash(const uint8_t *o, size_t n, int K)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ o[i]) * 16777619u;
    return h & (uint32_t)(K - 1);
}

static int rf_sample(const float *l, int A, ludus_rng *rng)
{
    double m = l[0], z = 0, p[64];
    for (int a = 1; a < A; a++) m = l[a] > m ? l[a] : m;
    for (int a = 0; a < A; a++) z += (p[a] = exp(l[a] - m));
    double u = ludus_rng_random(rng) * z;
    for (int a = 0; a < A; a++)
        if ((u -= p[a]) < 0) return a;
    return A - 1;
}

static void rf_default(void *cfg, ludus_run_config *run, const ludus_env_info *info)
{
    (void)info;
    *(rf_config *)cfg = (rf_config){.num_envs = 16, .num_steps = 32, .lr = 0.5f, .gamma = 0.95f, .table_bits = 12};
    run->total_steps = 20000;
    run->eval_episodes = 100;
}

static int rf_check(const void *cfg, const ludus_run_config *run)
{
    (void)run;
    const rf_config *c = cfg;
    if (c->num_envs * c->num_steps > 1 << 20) return ludus_agent_fail(LUDUS_EINVAL, "reinforce: rollout too large");
    return LUDUS_OK;
}

static void rf_destroy(void *self)
{
    rf *l = self;
    if (!l) return;
    ludus_vec_destroy(l->vec);
    free(l->logits);
    free(l->bucket);
    free(l->act);
    free(l->rew);
    free(l->done);
    free(l);
}

static int rf_create(const void *cfg, const ludus_run_config *run, void **self)
{
    rf *l = calloc(1, sizeof *l);
    if (!l) return ludus_agent_fail(LUDUS_ENOMEM, "reinforce: out of memory");
    l->cfg = *(const rf_config *)cfg;
    l->N = l->cfg.num_envs, l->T = l->cfg.num_steps, l->K = 1 << l->cfg.table_bits;
    ludus_vec_config vc = {.env_id = run->env_id, .env_options = run->env_options, .num_envs = l->N,
                           .num_threads = 1, .level_count = run->train_levels ? run->train_levels : LUDUS_MAX_TRAIN_LEVELS,
                           .seed = run->seed};
    int rc = ludus_vec_create(&vc, &l->vec);
    if (rc) {
        rf_destroy(l);
        return rc;
    }
    const ludus_env_info *info = ludus_env_get_info(ludus_vec_env(l->vec));
    l->A = info->num_actions < 64 ? info->num_actions : 64;
    l->D = info->obs_size;
    size_t TN = (size_t)l->T * l->N;
    l->logits = calloc((size_t)l->K * l->A, sizeof(float));
    l->bucket = malloc(TN * sizeof *l->bucket);
    l->act = malloc(TN * sizeof *l->act);
    l->rew = malloc(TN * sizeof *l->rew);
    l->done = malloc(TN);
    if (!l->logits || !l->bucket || !l->act || !l->rew || !l->done || ludus_vec_reset(l->vec)) {
        rf_destroy(l);
        return ludus_agent_fail(LUDUS_ENOMEM, "reinforce: out of memory");
    }
    ludus_rng_seed(&l->rng, run->seed);
    l->last_return = NAN;
    *self = l;
    return LUDUS_OK;
}

static const ludus_metric_column rf_cols[] = {{"episodes", 1}, {"return", 0}, {"success", 0}, {"baseline", 0}};

static int rf_columns(const void *self, const ludus_metric_column **cols)
{
    (void)self;
    *cols = rf_cols;
    return 4;
}

static int rf_update(void *self, double *row)
{
    rf *l = self;
    const int N = l->N, T = l->T, A = l->A;
    ludus_vec_clear_stats(l->vec);
    int32_t acts[1024];
    for (int t = 0; t < T; t++) {
        const uint8_t *obs = ludus_vec_obs(l->vec);
        for (int n = 0; n < N; n++) {
            uint32_t b = rf_hash(obs + (size_t)n * l->D, l->D, l->K);
            l->bucket[t * N + n] = b;
            acts[n] = l->act[t * N + n] = rf_sample(l->logits + (size_t)b * A, A, &l->rng);
        }
        int rc = ludus_vec_step(l->vec, acts);
        if (rc) return rc;
        for (int n = 0; n < N; n++) {
            l->rew[t * N + n] = (float)ludus_vec_rewards(l->vec)[n];
            l->done[t * N + n] = ludus_vec_terminated(l->vec)[n] | ludus_vec_truncated(l->vec)[n];
        }
    }
    l->steps += (uint64_t)N * T;
    /* returns backwards (0 past the rollout), then the REINFORCE step */
    for (int n = 0; n < N; n++) {
        double G = 0;
        for (int t = T - 1; t >= 0; t--) {
            const int i = t * N + n;
            G = l->rew[i] + (l->done[i] ? 0.0 : l->cfg.gamma * G);
            float *lg = l->logits + (size_t)l->bucket[i] * A;
            double m = lg[0], z = 0, p[64];
            for (int a = 1; a < A; a++) m = lg[a] > m ? lg[a] : m;
            for (int a = 0; a < A; a++) z += (p[a] = exp(lg[a] - m));
            const double adv = G - l->baseline;
            for (int a = 0; a < A; a++) lg[a] += (float)(l->cfg.lr * adv * ((a == l->act[i]) - p[a] / z));
            l->baseline += 0.001 * (G - l->baseline);
        }
    }
    ludus_episode_stats es;
    ludus_vec_stats(l->vec, &es);
    if (es.episodes) l->last_return = es.return_sum / es.episodes;
    row[0] = (double)es.episodes;
    row[1] = es.episodes ? es.return_sum / es.episodes : NAN;
    row[2] = es.episodes ? (double)es.successes / es.episodes : NAN;
    row[3] = l->baseline;
    return LUDUS_OK;
}

static uint64_t rf_steps(const void *self)
{
    return ((const rf *)self)->steps;
}

static int rf_save(const void *self, const char *checkpoint, const char *state, const char *const *meta)
{
    const rf *l = self;
    char steps[32], base[64];
    snprintf(steps, sizeof steps, "%llu", (unsigned long long)l->steps);
    snprintf(base, sizeof base, "%.17g", l->baseline);
    const char *mine[32] = {"reinforce.steps", steps, "reinforce.baseline", base};
    int k = 4;
    for (int i = 0; meta && meta[i] && k < 30; i += 2) mine[k++] = meta[i], mine[k++] = meta[i + 1];
    mine[k] = NULL;
    ludus_nn_params p;
    ludus_nn_params_init(&p);
    int rc = ludus_nn_params_add(&p, "logits", 2, (int[]){l->K, l->A}, NULL);
    if (!rc) rc = ludus_nn_params_alloc(&p);
    if (!rc) {
        memcpy(p.data, l->logits, (size_t)l->K * l->A * sizeof(float));
        rc = ludus_nn_save(checkpoint, &p, mine);
    }
    ludus_nn_params_free(&p);
    if (rc) return rc;
    /* the state: the sampling stream's position is not kept (a resumed run
     * draws fresh numbers), only what the table does not hold */
    ludus_nn_params s;
    ludus_nn_params_init(&s);
    rc = ludus_nn_params_add(&s, "baseline", 1, (int[]){1}, NULL);
    if (!rc) rc = ludus_nn_params_alloc(&s);
    if (!rc) {
        s.data[0] = (float)l->baseline;
        rc = ludus_nn_save(state, &s, mine);
    }
    ludus_nn_params_free(&s);
    return rc;
}

static int rf_load(void *self, const char *checkpoint, const char *state)
{
    rf *l = self;
    ludus_nn_file *f;
    int rc = ludus_nn_file_open(checkpoint, &f);
    if (rc) return rc;
    const char *st = ludus_nn_file_meta(f, "reinforce.steps"), *b = ludus_nn_file_meta(f, "reinforce.baseline");
    if (!st || !b) rc = ludus_agent_fail(LUDUS_EFORMAT, "not a reinforce checkpoint");
    if (!rc) rc = ludus_nn_file_read(f, "logits", l->logits, (size_t)l->K * l->A);
    if (!rc) {
        l->steps = strtoull(st, NULL, 10);
        l->baseline = strtod(b, NULL);
    }
    ludus_nn_file_close(f);
    if (rc) return rc;
    if ((rc = ludus_nn_file_open(state, &f))) return rc;
    float base;
    rc = ludus_nn_file_read(f, "baseline", &base, 1);
    ludus_nn_file_close(f);
    return rc;
}

/* Its agent: a copy of the table, acting greedily or sampling from rngs[i]. */
typedef struct rf_agent {
    int K, A;
    size_t D;
    float *logits;
} rf_agent;

static int rf_agent_act(void *self, const ludus_agent_input *in, int32_t *actions)
{
    rf_agent *g = self;
    for (int i = 0; i < in->n; i++) {
        const float *lg = g->logits + (size_t)rf_hash(in->obs + (size_t)i * in->obs_size, in->obs_size, g->K) * g->A;
        if (in->greedy) {
            int best = 0;
            for (int a = 1; a < g->A; a++) best = lg[a] > lg[best] ? a : best;
            actions[i] = best;
        } else {
            actions[i] = rf_sample(lg, g->A, &in->rngs[i]);
        }
    }
    return LUDUS_OK;
}

static void rf_agent_destroy(void *self)
{
    rf_agent *g = self;
    free(g->logits);
    free(g);
}

static int rf_agent_of(void *self, const char *checkpoint, ludus_agent **out)
{
    (void)checkpoint;
    const rf *l = self;
    rf_agent *g = calloc(1, sizeof *g);
    if (!g || !(g->logits = malloc((size_t)l->K * l->A * sizeof(float)))) {
        free(g);
        return ludus_agent_fail(LUDUS_ENOMEM, "reinforce: out of memory");
    }
    g->K = l->K, g->A = l->A, g->D = l->D;
    memcpy(g->logits, l->logits, (size_t)l->K * l->A * sizeof(float));
    static const ludus_agent_ops ops = {.name = "reinforce", .act = rf_agent_act, .destroy = rf_agent_destroy};
    int rc = ludus_agent_create(&ops, g, out);
    if (rc) rf_agent_destroy(g);
    return rc;
}

static double rf_recent(const void *self)
{
    return ((const rf *)self)->last_return;
}

static const ludus_learner_ops reinforce = {
    .name = "reinforce",
    .description = "tabular REINFORCE over hashed observations (a test learner)",
    .config_size = sizeof(rf_config),
    .keys = rf_keys,
    .config_default = rf_default,
    .config_check = rf_check,
    .create = rf_create,
    .destroy = rf_destroy,
    .columns = rf_columns,
    .update = rf_update,
    .steps = rf_steps,
    .save = rf_save,
    .load = rf_load,
    .agent = rf_agent_of,
    .recent_return = rf_recent,
};

/* ---- helpers ---- */

static char dir[512];

static const char *path_of(const char *name)
{
    static char buf[4][700];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    size_t got = fread(b, 1, (size_t)n, f);
    fclose(f);
    b[got] = 0;
    if (len) *len = got;
    return b;
}

static void spit(const char *path, const char *b, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) return;
    fwrite(b, 1, len, f);
    fclose(f);
}

static void copy(const char *from, const char *to)
{
    size_t n;
    char *b = slurp(from, &n);
    CHECK_MSG(b != NULL, "cannot read %s", from);
    if (b) spit(to, b, n);
    free(b);
}

/* The updates of metrics.csv's rows, in order; returns their count. */
static int metric_updates(const char *path, int *ups, int cap)
{
    char *t = slurp(path, NULL);
    int n = 0;
    if (!t) return -1;
    char *line = strchr(t, '\n');
    while (line && line[1] && n < cap) {
        ups[n++] = atoi(line + 1);
        line = strchr(line + 1, '\n');
    }
    free(t);
    return n;
}

static int calls;
static void count_progress(const ludus_run_progress *p, void *user)
{
    (void)user;
    calls++;
    CHECK(p->steps <= p->total_steps + 512 && p->update > 0);
}

static void stop_at_2(const ludus_run_progress *p, void *user)
{
    if (p->update == 2) ludus_run_stop(user);
}

/* ---- the tests ---- */


/* The public key tables on a struct of every key type. */
typedef struct kt_inner {
    int a;
    float b;
} kt_inner;
typedef struct kt {
    char name[8];
    uint64_t big;
    int n;
    float x;
    kt_inner in;
} kt;
static const ludus_key kt_inner_keys[] = {
    {"a", LUDUS_KEY_INT, offsetof(kt_inner, a), -5, 5, NULL, NULL},
    {"b", LUDUS_KEY_FLOAT, offsetof(kt_inner, b), 0, 1, NULL, NULL},
    {NULL, 0, 0, 0, 0, NULL, NULL},
};
static const ludus_key kt_keys[] = {
    {"name", LUDUS_KEY_STR, offsetof(kt, name), 0, 8, NULL, NULL},
    {"big", LUDUS_KEY_U64, offsetof(kt, big), 1, 1e15, NULL, NULL},
    {"n", LUDUS_KEY_INT, offsetof(kt, n), 0, 10, NULL, NULL},
    {"x", LUDUS_KEY_FLOAT, offsetof(kt, x), -1, 1, NULL, NULL},
    {"in", LUDUS_KEY_OBJECT, offsetof(kt, in), 0, 0, kt_inner_keys, NULL},
    {NULL, 0, 0, 0, 0, NULL, NULL},
};

static void test_key_tables(void)
{
    kt c = {"abc", 7, 3, 0.5f, {-2, 0.25f}}, keep = c, d;
    char buf[512];
    int n = ludus_keys_to_json(kt_keys, &c, buf, sizeof buf);
    CHECK_STR(buf, "  \"name\": \"abc\",\n  \"big\": 7,\n  \"n\": 3,\n  \"x\": 0.5,\n  \"in\": {\"a\": -2, \"b\": 0.25}");
    CHECK_EQ(n, (long long)strlen(buf));
    CHECK_EQ(ludus_keys_to_json(kt_keys, &c, NULL, 0), n); /* measures */
    char obj[600];
    snprintf(obj, sizeof obj, "{%s}", buf);
    memset(&d, 0, sizeof d);
    CHECK_OK(ludus_keys_apply_json(kt_keys, &d, sizeof d, obj));
    CHECK(memcmp(&c, &d, sizeof c) == 0);
    CHECK_OK(ludus_keys_check(kt_keys, &c));
    CHECK_ERR(ludus_keys_apply_json(kt_keys, &c, sizeof c, "{\"name\": \"too long a name\"}"), LUDUS_EINVAL);
    CHECK_STR(ludus_errmsg(), "config: \"name\" must be a string of at most 7 bytes");
    CHECK_ERR(ludus_keys_apply_json(kt_keys, &c, sizeof c, "{\"n\": 4, \"in\": {\"a\": 9}}"), LUDUS_EINVAL);
    CHECK_STR(ludus_errmsg(), "config: \"in.a\" = 9 is outside [-5, 5]");
    CHECK(memcmp(&c, &keep, sizeof c) == 0); /* nothing applied: n is still 3 */
    CHECK_ERR(ludus_keys_apply_json(kt_keys, &c, sizeof c, "{\"big\": 0.5}"), LUDUS_EINVAL);
    CHECK_STR(ludus_errmsg(), "config: \"big\" must be an integer, not 0.5");
    CHECK_ERR(ludus_keys_apply_json(kt_keys, &c, sizeof c, "{\"in\": 3}"), LUDUS_EINVAL);
    CHECK_STR(ludus_errmsg(), "config: \"in\" must be a JSON object");
    CHECK_ERR(ludus_keys_apply_json(kt_keys, &c, sizeof c, "{\"x\": \"1\"}"), LUDUS_EINVAL);
    CHECK_STR(ludus_errmsg(), "config: \"x\" must be a number");
    CHECK_ERR(ludus_keys_apply_json(kt_keys, &c, sizeof c, "{\"x\": 1,"), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "not valid JSON"));
    CHECK_ERR(ludus_keys_apply_json(kt_keys, &c, sizeof c, "[]"), LUDUS_EINVAL);
    CHECK_ERR(ludus_keys_apply_json(kt_keys, &c, sizeof c, "{\"zzzzzzzz\": 1}"), LUDUS_EINVAL);
    CHECK_STR(ludus_errmsg(), "config: unknown key \"zzzzzzzz\""); /* nothing near: no guess */
    CHECK_OK(ludus_keys_set(kt_keys, &c, sizeof c, "name", "xyz"));
    CHECK_OK(ludus_keys_set(kt_keys, &c, sizeof c, "in", "{\"b\": 1}"));
    CHECK(strcmp(c.name, "xyz") == 0 && c.in.b == 1.0f);
    CHECK_ERR(ludus_keys_set(kt_keys, &c, sizeof c, "n", "eleven"), LUDUS_EINVAL);
    c.n = 11; /* set behind the table's back */
    CHECK_ERR(ludus_keys_check(kt_keys, &c), LUDUS_EINVAL);
    CHECK_STR(ludus_errmsg(), "config: \"n\" = 11 is outside [0, 10]");
    CHECK(ludus_keys_find(kt_keys, "x") == &kt_keys[3] && ludus_keys_find(kt_keys, "y") == NULL);
    /* NULL arguments are errors, destroy(NULL) harmless */
    CHECK_ERR(ludus_keys_apply_json(NULL, &c, sizeof c, "{}"), LUDUS_EINVAL);
    CHECK_ERR(ludus_keys_check(kt_keys, NULL), LUDUS_EINVAL);
    CHECK_ERR(ludus_learner_register(NULL), LUDUS_EINVAL);
    CHECK_ERR(ludus_learner_find(NULL, NULL), LUDUS_EINVAL);
    ludus_run *r = NULL;
    CHECK_ERR(ludus_run_start(NULL, NULL, 0, &r), LUDUS_EINVAL);
    CHECK_ERR(ludus_run_resume(NULL, NULL, &r), LUDUS_EINVAL);
    CHECK_ERR(ludus_run_train(NULL, 0, NULL, NULL), LUDUS_EINVAL);
    CHECK_ERR(ludus_run_setup_create("MiniGrid-Empty-5x5-v0", NULL, NULL, NULL), LUDUS_EINVAL);
    CHECK_ERR(ludus_run_setup_create(NULL, NULL, NULL, (ludus_run_setup **)&r), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "no world id"));
    ludus_run_destroy(NULL);
    ludus_run_setup_destroy(NULL);
    ludus_run_stop(NULL);
}

static void test_registry(void)
{
    CHECK_OK(ludus_learner_register(&reinforce));
    CHECK_ERR(ludus_learner_register(&reinforce), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "already registered"));
    ludus_learner_ops bad = reinforce;
    bad.name = "Bad Name";
    CHECK_ERR(ludus_learner_register(&bad), LUDUS_EINVAL);
    bad.name = "half";
    bad.update = NULL;
    CHECK_ERR(ludus_learner_register(&bad), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "missing"));
    const ludus_learner_ops *o = NULL;
    CHECK_OK(ludus_learner_find("reinforce", &o));
    CHECK(o == &reinforce);
    CHECK_OK(ludus_learner_find("ppo", &o));
    CHECK(ludus_learner_at(0) == o);
    CHECK_ERR(ludus_learner_find("reinforse", &o), LUDUS_ENOTFOUND);
    CHECK(strstr(ludus_errmsg(), "did you mean 'reinforce'"));
    CHECK(ludus_learner_count() >= 2 && ludus_learner_at(ludus_learner_count()) == NULL);
}

static void test_setup(void)
{
    ludus_run_setup *s = NULL;
    CHECK_OK(ludus_run_setup_create("MiniGrid-Empty-5x5-v0", "reinforce", "{\"lr\": 0.25, \"seed\": 7}", &s));
    const ludus_run_config *c = ludus_run_setup_config(s);
    CHECK_STR(c->algo, "reinforce");
    CHECK_EQ(c->seed, 7);
    CHECK_EQ(c->total_steps, 20000); /* the learner's default */
    CHECK_OK(ludus_run_setup_set(s, "table_bits", "10"));
    CHECK_ERR(ludus_run_setup_set(s, "table_bits", "30"), LUDUS_EINVAL);
    CHECK_STR(ludus_errmsg(), "config: \"table_bits\" = 30 is outside [4, 20]");
    CHECK_ERR(ludus_run_setup_set(s, "gama", "0.9"), LUDUS_EINVAL);
    CHECK_STR(ludus_errmsg(), "config: unknown key \"gama\"; did you mean \"gamma\"?");
    CHECK_ERR(ludus_run_setup_set(s, "algo", "ppo"), LUDUS_EINVAL);
    char json[4096];
    ludus_run_setup_to_json(s, json, sizeof json);
    CHECK(strstr(json, "\"algo\": \"reinforce\"") && strstr(json, "\"lr\": 0.25") && strstr(json, "\"table_bits\": 10"));
    ludus_run_setup_destroy(s);
    /* the JSON chooses the learner; a command naming another is refused */
    CHECK_OK(ludus_run_setup_create("MiniGrid-Empty-5x5-v0", NULL, "{\"algo\": \"reinforce\"}", &s));
    CHECK_STR(ludus_run_setup_learner(s)->name, "reinforce");
    ludus_run_setup_destroy(s);
    CHECK_ERR(ludus_run_setup_create("MiniGrid-Empty-5x5-v0", "ppo", "{\"algo\": \"reinforce\"}", &s), LUDUS_EINVAL);
    CHECK_ERR(ludus_run_setup_create("MiniGrid-Empty-5x5-v0", "reinforce", "{\"epochs\": 3}", &s), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "unknown key \"epochs\"")); /* a PPO key is not reinforce's */
    CHECK_ERR(ludus_run_setup_create("MiniGrid-Empty-5x5-v0", "nope", NULL, &s), LUDUS_ENOTFOUND);
    CHECK_ERR(ludus_run_setup_create("MiniGrid-Nowhere-v0", "reinforce", NULL, &s), LUDUS_ENOTFOUND);
    /* the shipped PPO configs still load (PPO keys, algo absent) */
    const char *shipped[] = {"BabyAI-GoToLocal-v0", "MiniGrid-DoorKey-8x8-v0", "MiniGrid-KeyCorridorS3R1-v0",
                             "MiniGrid-LavaGapS7-v0", "MiniGrid-MemoryS7-v0"};
    for (int i = 0; i < 5; i++) {
        char cfgp[700];
        snprintf(cfgp, sizeof cfgp, "%s/configs/%s.json", LUDUS_SOURCE_DIR, shipped[i]);
        s = NULL;
        CHECK_OK(ludus_run_setup_load(NULL, NULL, cfgp, &s));
        if (!s) continue;
        CHECK_STR(ludus_run_setup_learner(s)->name, "ppo");
        CHECK_STR(ludus_run_setup_config(s)->env_id, shipped[i]);
        CHECK_OK(ludus_run_setup_check(s));
        ludus_run_setup_destroy(s);
    }
    CHECK_ERR(ludus_run_setup_load(NULL, NULL, "/dev/zero", &s), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "not a regular file"));
    CHECK_ERR(ludus_run_setup_load(NULL, NULL, path_of("absent.json"), &s), LUDUS_ENOTFOUND);
}

static ludus_run_setup *rf_setup(uint64_t steps)
{
    ludus_run_setup *s = NULL;
    char j[256];
    snprintf(j, sizeof j, "{\"total_steps\": %llu, \"checkpoint_every\": 4}", (unsigned long long)steps);
    CHECK_OK(ludus_run_setup_create("MiniGrid-Empty-5x5-v0", "reinforce", j, &s));
    return s;
}

static void test_train_resume_eval(void)
{
    char A[700]; /* parents are created */
    snprintf(A, sizeof A, "%s", path_of("a/b/run"));
    ludus_run_setup *s = rf_setup(8192);
    ludus_run *r = NULL;
    CHECK_OK(ludus_run_start(A, s, 0, &r));
    if (!r) return;
    /* a second writer of the same folder, even in this process, is refused */
    ludus_run *r2 = NULL;
    CHECK_ERR(ludus_run_resume(A, NULL, &r2), LUDUS_ESTATE);
    CHECK(strstr(ludus_errmsg(), "in use"));
    CHECK_ERR(ludus_run_start(A, s, 1, &r2), LUDUS_ESTATE);
    calls = 0;
    CHECK_OK(ludus_run_train(r, 0, count_progress, NULL));
    CHECK_EQ(ludus_run_update(r), 16);
    CHECK_EQ(calls, 16);
    CHECK(!ludus_run_stopped(r));
    char id[64];
    snprintf(id, sizeof id, "%s", ludus_run_get_config(r)->run_id);
    CHECK_EQ(strlen(id), 16);
    ludus_run_destroy(r);
    int ups[256], n = metric_updates(path_of("a/b/run/metrics.csv"), ups, 256);
    CHECK_EQ(n, 16);
    char *m = slurp(path_of("a/b/run/metrics.csv"), NULL);
    CHECK(m && strncmp(m, "update,steps,wall_s,episodes,return,success,baseline\n", 53) == 0);
    free(m);
    char *cj = slurp(path_of("a/b/run/config.json"), NULL);
    CHECK(cj && strstr(cj, "\"algo\": \"reinforce\"") && strstr(cj, id));
    free(cj);
    /* reuse without force is refused; the lock was released */
    CHECK_ERR(ludus_run_start(A, s, 0, &r2), LUDUS_ESTATE);
    CHECK(strstr(ludus_errmsg(), "exists"));
    copy(path_of("a/b/run/state.safetensors"), path_of("state16.safetensors"));
    /* resume to more steps: the table and counters continue */
    CHECK_OK(ludus_run_resume(A, "{\"total_steps\": 16384}", &r));
    if (!r) return;
    CHECK_EQ(ludus_run_update(r), 16);
    CHECK_EQ(ludus_run_steps(r), 8192);
    CHECK_STR(ludus_run_get_config(r)->run_id, id);
    CHECK_OK(ludus_run_train(r, 0, NULL, NULL));
    CHECK_EQ(ludus_run_update(r), 32);
    /* evaluation of the learner's own agent, through the library */
    ludus_eval_report *rep = malloc(sizeof *rep), *rnd = malloc(sizeof *rnd);
    CHECK_OK(ludus_run_evaluate(r, NULL, rep));
    struct stat st;
    CHECK(stat(path_of("a/b/run/eval.json"), &st) == 0 && st.st_size > 100);
    ludus_agent *random = NULL;
    CHECK_OK(ludus_agent_random(&random));
    ludus_eval_report_config ec = {.env_id = "MiniGrid-Empty-5x5-v0", .episodes = 100, .seed = 1};
    CHECK_OK(ludus_eval_report_run(random, &ec, rnd));
    ludus_agent_destroy(random);
    CHECK_MSG(rep->heldout.result.ret.mean > rnd->heldout.result.ret.mean + 0.2,
              "reinforce's held-out return %.3f, random's %.3f", rep->heldout.result.ret.mean,
              rnd->heldout.result.ret.mean);
    free(rep);
    free(rnd);
    ludus_run_destroy(r);
    n = metric_updates(path_of("a/b/run/metrics.csv"), ups, 256);
    CHECK_EQ(n, 32);
    int exact = 1;
    for (int i = 0; i < n; i++) exact &= ups[i] == i + 1;
    CHECK_MSG(exact, "metrics.csv holds each update once, in order");
    /* --force clears the run and gives it a new id */
    CHECK_OK(ludus_run_start(A, s, 1, &r));
    if (r) CHECK(strcmp(ludus_run_get_config(r)->run_id, id) != 0);
    ludus_run_destroy(r);
    CHECK(stat(path_of("a/b/run/checkpoint.safetensors"), &st) != 0);
    ludus_run_setup_destroy(s);
}

/* A run stopped by ludus_run_stop (what the signal handlers do) has its
 * checkpoint; rows killed after it, and half a row, are dropped on resume. */
static void test_stop_and_trim(void)
{
    char B[700];
    snprintf(B, sizeof B, "%s", path_of("stop"));
    ludus_run_setup *s = rf_setup(100000);
    ludus_run *r = NULL;
    CHECK_OK(ludus_run_start(B, s, 0, &r));
    ludus_run_setup_destroy(s);
    if (!r) return;
    CHECK_OK(ludus_run_train(r, 1, stop_at_2, r)); /* as SIGINT would: stop after update 2 */
    CHECK(ludus_run_stopped(r));
    CHECK_EQ(ludus_run_update(r), 2);
    ludus_run_destroy(r);
    /* rows a killed process wrote past its checkpoint, the last one cut */
    FILE *f = fopen(path_of("stop/metrics.csv"), "ab");
    fputs("3,1536,0.1,3,0.5,1,0.1\n4,2048,0.2,3,0.5,1,0.1\n5,20", f);
    fclose(f);
    CHECK_OK(ludus_run_resume(B, NULL, &r));
    int ups[16];
    CHECK_EQ(metric_updates(path_of("stop/metrics.csv"), ups, 16), 2);
    ludus_run_destroy(r);
    /* a row lost before the checkpoint is named */
    char *m = slurp(path_of("stop/metrics.csv"), NULL);
    char *nl = m ? strchr(m, '\n') : NULL;
    nl = nl ? strchr(nl + 1, '\n') : NULL;
    if (nl) spit(path_of("stop/metrics.csv"), m, (size_t)(nl - m) + 1);
    free(m);
    CHECK_ERR(ludus_run_resume(B, NULL, &r), LUDUS_EFORMAT);
    char want[900];
    snprintf(want, sizeof want, "resume: %s/metrics.csv ends at update 1 but the checkpoint is at update 2", B);
    CHECK_STR(ludus_errmsg(), want);
    /* a metrics file of other columns */
    spit(path_of("stop/metrics.csv"), "update,steps,wall_s,loss\n", 25);
    CHECK_ERR(ludus_run_resume(B, NULL, &r), LUDUS_EFORMAT);
    CHECK(strstr(ludus_errmsg(), "columns are not the learner's"));
}

static void test_mismatches(void)
{
    /* two runs of reinforce and one of PPO */
    ludus_run_setup *s = rf_setup(2048);
    ludus_run *r;
    char X[700], Y[700], P[700];
    snprintf(X, sizeof X, "%s", path_of("x"));
    snprintf(Y, sizeof Y, "%s", path_of("y"));
    snprintf(P, sizeof P, "%s", path_of("p"));
    char idx[64] = "", idy[64] = "";
    CHECK_OK(ludus_run_start(X, s, 0, &r));
    if (r) {
        snprintf(idx, sizeof idx, "%s", ludus_run_get_config(r)->run_id);
        CHECK_OK(ludus_run_train(r, 0, NULL, NULL));
    }
    ludus_run_destroy(r);
    CHECK_OK(ludus_run_start(Y, s, 0, &r));
    if (r) {
        snprintf(idy, sizeof idy, "%s", ludus_run_get_config(r)->run_id);
        CHECK_OK(ludus_run_train(r, 0, NULL, NULL));
    }
    ludus_run_destroy(r);
    ludus_run_setup_destroy(s);
    CHECK_OK(ludus_run_setup_create("MiniGrid-Empty-5x5-v0", "ppo",
                                    "{\"num_envs\": 4, \"num_steps\": 32, \"minibatches\": 2, \"total_steps\": 256}", &s));
    CHECK_OK(ludus_run_start(P, s, 0, &r));
    if (r) CHECK_OK(ludus_run_train(r, 0, NULL, NULL));
    ludus_run_destroy(r);
    ludus_run_setup_destroy(s);
    char want[512];

    /* another run's checkpoint and state */
    copy(path_of("y/checkpoint.safetensors"), path_of("x/checkpoint.safetensors"));
    CHECK_ERR(ludus_run_resume(X, NULL, &r), LUDUS_EFORMAT);
    snprintf(want, sizeof want, "resume: run ids differ: config.json %s, checkpoint.safetensors %s, state.safetensors %s",
             idx, idy, idx);
    CHECK_STR(ludus_errmsg(), want);
    /* checkpoint and state of different updates */
    copy(path_of("y/state.safetensors"), path_of("x/state.safetensors"));
    CHECK_ERR(ludus_run_resume(X, NULL, &r), LUDUS_EFORMAT); /* now both are y's: config's id differs */
    CHECK(strstr(ludus_errmsg(), idy) && strstr(ludus_errmsg(), idx));
    copy(path_of("x/checkpoint.safetensors"), path_of("keep.safetensors"));

    /* another learner's checkpoint: refused before a weight is read */
    copy(path_of("y/checkpoint.safetensors"), path_of("p/checkpoint.safetensors"));
    copy(path_of("y/state.safetensors"), path_of("p/state.safetensors"));
    CHECK_ERR(ludus_run_resume(P, NULL, &r), LUDUS_EFORMAT);
    CHECK_STR(ludus_errmsg(), "resume: the checkpoint was written by learner 'reinforce' (state: 'reinforce'), "
                              "but config.json's is 'ppo'");

    /* a state of an earlier update than the checkpoint */
    char Z[700];
    snprintf(Z, sizeof Z, "%s", path_of("z"));
    s = rf_setup(2048);
    CHECK_OK(ludus_run_start(Z, s, 0, &r));
    ludus_run_setup_destroy(s);
    if (r) CHECK_OK(ludus_run_train(r, 0, NULL, NULL)); /* 4 updates, checkpoint at 4 */
    ludus_run_destroy(r);
    copy(path_of("z/state.safetensors"), path_of("z_state4.safetensors"));
    CHECK_OK(ludus_run_resume(Z, "{\"total_steps\": 4096}", &r));
    if (r) CHECK_OK(ludus_run_train(r, 0, NULL, NULL)); /* to 8 */
    ludus_run_destroy(r);
    copy(path_of("z_state4.safetensors"), path_of("z/state.safetensors"));
    CHECK_ERR(ludus_run_resume(Z, NULL, &r), LUDUS_EFORMAT);
    CHECK_STR(ludus_errmsg(), "resume: checkpoint.safetensors is at update 8 (4096 steps) but state.safetensors at "
                              "update 4 (2048 steps)");

    /* a flipped bit in the checkpoint (header, then data) */
    size_t n;
    char *b = slurp(path_of("y/checkpoint.safetensors"), &n);
    if (b) {
        b[40] ^= 0x04;
        spit(path_of("y/checkpoint.safetensors"), b, n);
        CHECK_ERR(ludus_run_resume(Y, NULL, &r), LUDUS_EFORMAT);
        b[40] ^= 0x04;
        b[n - 5] ^= 0x10;
        spit(path_of("y/checkpoint.safetensors"), b, n);
        CHECK_ERR(ludus_run_resume(Y, NULL, &r), LUDUS_EFORMAT);
        CHECK(strstr(ludus_errmsg(), "checksum"));
        b[n - 5] ^= 0x10;
        spit(path_of("y/checkpoint.safetensors"), b, n);
        CHECK_OK(ludus_run_resume(Y, NULL, &r)); /* restored: fine again */
        ludus_run_destroy(r);
        free(b);
    }

    /* non-finite weights written with a valid checksum and the run's tags */
    ludus_nn_file *f;
    CHECK_OK(ludus_nn_file_open(path_of("y/checkpoint.safetensors"), &f));
    if (f) {
        const char *keys[] = {"reinforce.steps", "reinforce.baseline", "ludus.learner", "ludus.run_id", "ludus.update",
                              "ludus.run_steps"};
        const char *meta[16];
        int k = 0;
        for (int i = 0; i < 6; i++) meta[k++] = keys[i], meta[k++] = ludus_nn_file_meta(f, keys[i]);
        meta[k] = NULL;
        const ludus_nn_tensor *t = ludus_nn_file_tensor(f, 0);
        ludus_nn_params p;
        ludus_nn_params_init(&p);
        CHECK_OK(ludus_nn_params_add(&p, "logits", 2, (int[]){t->shape[0], t->shape[1]}, NULL));
        CHECK_OK(ludus_nn_params_alloc(&p));
        CHECK_OK(ludus_nn_file_read(f, "logits", p.data, p.size));
        p.data[5] = NAN;
        CHECK_OK(ludus_nn_save(path_of("y/checkpoint.safetensors"), &p, meta));
        ludus_nn_params_free(&p);
        ludus_nn_file_close(f);
        CHECK_ERR(ludus_run_resume(Y, NULL, &r), LUDUS_EFORMAT);
        CHECK(strstr(ludus_errmsg(), "non-finite") && strstr(ludus_errmsg(), "logits"));
    }

    /* only total_steps, num_threads and eval_episodes change on resume */
    CHECK_ERR(ludus_run_resume(X, "{\"seed\": 3}", &r), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "\"seed\" cannot change"));
    /* --force on a folder that is not a run */
    mkdir(path_of("notrun"), 0777);
    spit(path_of("notrun/precious.txt"), "x", 1);
    s = rf_setup(512);
    CHECK_ERR(ludus_run_start(path_of("notrun"), s, 1, &r), LUDUS_ESTATE);
    CHECK(strstr(ludus_errmsg(), "not a run folder"));
    ludus_run_setup_destroy(s);
    struct stat st;
    CHECK(stat(path_of("notrun/precious.txt"), &st) == 0);
    CHECK_ERR(ludus_run_resume(path_of("nowhere"), NULL, &r), LUDUS_ENOTFOUND);
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s/test_learn_registry.d", LUDUS_BINARY_DIR);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    CHECK(system(cmd) == 0);
    test_key_tables();
    test_registry();
    test_setup();
    test_train_resume_eval();
    test_stop_and_trim();
    test_mismatches();
    return check_finish("test_learn_registry");
}
