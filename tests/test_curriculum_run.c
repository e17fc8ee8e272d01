/* test_curriculum_run.c: a run's curriculum read back from its folder
 * (ludus_curriculum_load_run, ludus_curriculum_levels) and the commit every
 * run folder records. Short real runs (ACCEL on Maze-v0, PLR over 20 seeds
 * of a grid world) are read back: the loaded state saves to the very bytes
 * the checkpoint holds (decoded here from the tensor, two bytes a float),
 * the levels' probabilities match a reference model of P_replay written
 * here (rank or power prioritization mixed with staleness) and the order
 * and fields the slots report, and every listed level resets the world.
 * Damaged, foreign and missing states are one-line errors; the report
 * pictures the levels, or says why it cannot.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "ludus/curriculum.h"
#include "ludus/nn.h"
#include "ludus/report.h"
#include "ludus/run.h"

static char root[256];

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) n = 0;
    if (s) s[n] = 0;
    fclose(f);
    if (len) *len = (size_t)n;
    return s;
}

static void spill(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    CHECK_MSG(f && fwrite(data, 1, n, f) == n, "cannot write %s", path);
    if (f) fclose(f);
}

static void copy(const char *from, const char *to)
{
    size_t n = 0;
    char *s = slurp(from, &n);
    CHECK_MSG(s != NULL, "cannot read %s", from);
    if (s) spill(to, s, n);
    free(s);
}

static void train(const char *rel, const char *env, const char *json)
{
    char d[512];
    snprintf(d, sizeof d, "%s/%s", root, rel);
    ludus_run_setup *s = NULL;
    ludus_run *run = NULL;
    CHECK_OK(ludus_run_setup_create(env, "ppo", json, &s));
    if (s) CHECK_OK(ludus_run_start(d, s, 0, &run));
    ludus_run_setup_destroy(s);
    if (run) CHECK_OK(ludus_run_train(run, 0, NULL, NULL));
    ludus_run_destroy(run);
}

/* The curriculum bytes of a state file, decoded here: float i holds
 * bytes 2i (low) and 2i+1 (high). */
static uint8_t *state_bytes(const char *state, size_t *n)
{
    ludus_nn_file *f = NULL;
    *n = 0;
    if (ludus_nn_file_open(state, &f)) return NULL;
    const char *nb = ludus_nn_file_meta(f, "curriculum.bytes");
    const ludus_nn_tensor *t = NULL;
    for (int i = 0; i < ludus_nn_file_count(f); i++)
        if (!strcmp(ludus_nn_file_tensor(f, i)->name, "curriculum")) t = ludus_nn_file_tensor(f, i);
    uint8_t *out = NULL;
    if (nb && t) {
        size_t bytes = strtoull(nb, NULL, 10);
        float *v = malloc(t->numel * sizeof *v);
        out = malloc(bytes + 1);
        if (v && out && !ludus_nn_file_read(f, "curriculum", v, t->numel)) {
            for (size_t i = 0; i < bytes; i++) {
                int x = (int)v[i / 2];
                out[i] = (uint8_t)(i % 2 ? x >> 8 : x & 255);
            }
            *n = bytes;
        }
        free(v);
    }
    ludus_nn_file_close(f);
    return out;
}

/* P_replay of the spec, from the levels' scores and staleness: rank
 * (h = rank^(-1/beta), ties by lower slot) or power ((max(S,0) + eps)^(1/beta),
 * eps 1e-3 without staleness mixing), normalized, then mixed with the
 * staleness distribution with weight rho. */
static void reference_p(const ludus_curriculum_config *k, const ludus_curriculum_level *lv, int n, double *p)
{
    const double beta = k->temperature, rho = k->staleness_coef;
    double sum = 0, ssum = 0;
    for (int i = 0; i < n; i++) {
        if (!strcmp(k->prioritization, "rank")) {
            int rank = 1;
            for (int j = 0; j < n; j++)
                rank += lv[j].score > lv[i].score || (lv[j].score == lv[i].score && lv[j].slot < lv[i].slot);
            p[i] = pow((double)rank, -1.0 / beta);
        } else {
            double eps = rho > 0 ? 0 : 1e-3;
            p[i] = pow((lv[i].score > 0 ? lv[i].score : 0) + eps, 1.0 / beta);
        }
        sum += p[i];
        ssum += (double)lv[i].staleness;
    }
    for (int i = 0; i < n; i++) {
        p[i] = sum > 0 ? p[i] / sum : 1.0 / n;
        double pc = ssum > 0 ? (double)lv[i].staleness / ssum : 1.0 / n;
        if (rho > 0) p[i] = (1 - rho) * p[i] + rho * pc;
    }
}

/* Everything ludus_curriculum_load_run and _levels promise, for one run. */
static void check_loaded(const char *rel, const char *want_name, int want_blocks)
{
    char d[512], state[600];
    snprintf(d, sizeof d, "%s/%s", root, rel);
    snprintf(state, sizeof state, "%s/state.safetensors", d);
    ludus_env *env = NULL;
    ludus_curriculum *c = NULL;
    CHECK_OK(ludus_curriculum_load_run(d, &env, &c));
    if (!c || !env) {
        check_fail(__FILE__, __LINE__, "%s: no curriculum read back", rel);
        return;
    }
    CHECK_STR(ludus_curriculum_name(c), want_name);
    /* the loaded state is the checkpoint's, byte for byte */
    size_t n0 = 0, n1 = 0;
    uint8_t *disk = state_bytes(state, &n0), *mine = NULL;
    CHECK_OK(ludus_curriculum_save(c, &mine, &n1));
    CHECK_MSG(disk && mine && n0 == n1 && n0 > 0 && memcmp(disk, mine, n0) == 0, "%s: %zu bytes saved, %zu on disk",
              rel, n1, n0);
    free(disk);
    ludus_free(mine);
    /* the levels: every scored slot once, most probable first */
    const int cap = ludus_curriculum_buffer_size(c);
    int total = ludus_curriculum_levels(c, NULL, 0);
    CHECK_MSG(total > 1, "%s: %d scored levels", rel, total);
    int seen = 0;
    for (int i = 0; i < cap; i++) {
        ludus_curriculum_slot s;
        CHECK_OK(ludus_curriculum_slot_at(c, i, &s));
        seen += s.seen;
    }
    CHECK_EQ(total, seen);
    ludus_curriculum_level *lv = calloc((size_t)total + 1, sizeof *lv);
    double *dist = calloc((size_t)cap, sizeof *dist), *ref = calloc((size_t)total + 1, sizeof *ref);
    if (!lv || !dist || !ref) goto done;
    CHECK_EQ(ludus_curriculum_levels(c, lv, 3), total); /* a short array: the first 3, the count */
    ludus_curriculum_level first3[3];
    memcpy(first3, lv, sizeof first3);
    CHECK_EQ(ludus_curriculum_levels(c, lv, total + 1), total);
    for (int i = 0; i < 3; i++) CHECK(first3[i].slot == lv[i].slot && first3[i].prob == lv[i].prob);
    CHECK_EQ(ludus_curriculum_replay_dist(c, dist, cap), cap);
    double sum = 0;
    const size_t LS = ludus_env_level_size(env);
    void *st = ludus_env_state_new(env);
    uint8_t *obs = malloc(ludus_env_get_info(env)->obs_size + 1);
    for (int i = 0; i < total; i++) {
        const ludus_curriculum_level *l = &lv[i];
        ludus_curriculum_slot s;
        CHECK_OK(ludus_curriculum_slot_at(c, l->slot, &s));
        CHECK(s.seen);
        CHECK(l->seed == s.seed && l->score == s.score && l->depth == s.depth && l->parent == s.parent);
        CHECK(l->block == s.block);
        CHECK((l->block != NULL) == want_blocks);
        CHECK_MSG(fabs(l->prob - dist[l->slot]) < 1e-12, "level %d: P %g, replay_dist %g", i, l->prob, dist[l->slot]);
        if (i) CHECK(l->prob < lv[i - 1].prob || (l->prob == lv[i - 1].prob && l->slot > lv[i - 1].slot));
        /* staleness is the clock less the slot's last draw */
        ludus_curriculum_slot s0;
        CHECK_OK(ludus_curriculum_slot_at(c, lv[0].slot, &s0));
        CHECK_EQ((int64_t)l->staleness - (int64_t)lv[0].staleness, (int64_t)s0.last_sampled - (int64_t)s.last_sampled);
        sum += l->prob;
        /* the level resets the world it was made for */
        int rc = l->block ? ludus_env_reset_level(env, st, l->block, LS, obs) : ludus_env_reset(env, st, l->seed, obs);
        CHECK_MSG(rc == LUDUS_OK, "level %d (slot %d) does not reset: %s", i, l->slot, ludus_errmsg());
    }
    ludus_free(st);
    free(obs);
    CHECK_MSG(fabs(sum - 1) < 1e-9, "%s: the levels' P sum to %.12f", rel, sum);
    reference_p(ludus_curriculum_config_of(c), lv, total, ref);
    for (int i = 0; i < total; i++)
        CHECK_MSG(fabs(ref[i] - lv[i].prob) < 1e-9, "%s level %d: P %.9f, the reference %.9f (score %g stale %llu)", rel, i,
                  lv[i].prob, ref[i], lv[i].score, (unsigned long long)lv[i].staleness);
done:
    free(lv);
    free(dist);
    free(ref);
    ludus_curriculum_destroy(c);
    ludus_env_destroy(env);
}

/* load_run on folder rel: rc and a one-line message holding want. */
static void refused(const char *rel, int code, const char *want)
{
    char d[512];
    snprintf(d, sizeof d, "%s/%s", root, rel);
    ludus_env *env = (ludus_env *)1;
    ludus_curriculum *c = (ludus_curriculum *)1;
    int rc = ludus_curriculum_load_run(d, &env, &c);
    CHECK_MSG(rc == code, "%s: rc %d, want %d (%s)", rel, rc, code, ludus_errmsg());
    CHECK_MSG(strstr(ludus_errmsg(), want) != NULL, "%s: message '%s' lacks '%s'", rel, ludus_errmsg(), want);
    CHECK_MSG(strchr(ludus_errmsg(), '\n') == NULL, "%s: message has a newline", rel);
    CHECK(env == NULL && c == NULL);
}

/* A copy of run `from` as `to` (config.json, metrics.csv, the state). */
static void clone(const char *from, const char *to)
{
    char a[600], b[600];
    snprintf(a, sizeof a, "%s/%s", root, to);
    mkdir(a, 0755);
    const char *files[] = {"config.json", "metrics.csv", "state.safetensors", "checkpoint.safetensors"};
    for (int i = 0; i < 4; i++) {
        snprintf(a, sizeof a, "%s/%s/%s", root, from, files[i]);
        snprintf(b, sizeof b, "%s/%s/%s", root, to, files[i]);
        copy(a, b);
    }
}

/* Rewrite rel's state with its curriculum tensor's first value changed
 * (a valid file whose curriculum bytes are not a curriculum's). */
static void damage_state(const char *rel)
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s/state.safetensors", root, rel);
    ludus_nn_file *f = NULL;
    CHECK_OK(ludus_nn_file_open(p, &f));
    if (!f) return;
    ludus_nn_params ps;
    ludus_nn_params_init(&ps);
    for (int i = 0; i < ludus_nn_file_count(f); i++) {
        const ludus_nn_tensor *t = ludus_nn_file_tensor(f, i);
        CHECK_OK(ludus_nn_params_add(&ps, t->name, t->ndim, t->shape, NULL));
    }
    CHECK_OK(ludus_nn_params_alloc(&ps));
    CHECK_OK(ludus_nn_file_load(f, &ps));
    const ludus_nn_tensor *t = ludus_nn_params_find(&ps, "curriculum");
    CHECK(t != NULL);
    if (t) ps.data[t->offset] = 1234; /* the magic's first two bytes */
    char nb[32], id[64];
    snprintf(nb, sizeof nb, "%s", ludus_nn_file_meta(f, "curriculum.bytes"));
    snprintf(id, sizeof id, "%s", ludus_nn_file_meta(f, "ludus.run_id"));
    ludus_nn_file_close(f);
    const char *meta[] = {"ludus.format", "ludus-ppo-state-1", "curriculum.bytes", nb, "ludus.run_id", id, NULL};
    CHECK_OK(ludus_nn_save(p, &ps, meta));
    ludus_nn_params_free(&ps);
}

static int count(const char *s, const char *what)
{
    int n = 0;
    for (const char *q = s ? strstr(s, what) : NULL; q; q = strstr(q + 1, what)) n++;
    return n;
}

static char *report(const char *rel, int levels)
{
    char d[512], out[600];
    snprintf(d, sizeof d, "%s/%s", root, rel);
    snprintf(out, sizeof out, "%s/%s.html", root, rel);
    const char *dirs[1] = {d};
    ludus_report_options o;
    ludus_report_options_default(&o);
    o.gif_episodes = 0;
    o.reps = 100;
    o.levels = levels;
    o.gif_tile = 4;
    CHECK_OK(ludus_report_write(dirs, 1, &o, out));
    if (getenv("LUDUS_TEST_KEEP")) printf("%s\n", out);
    return slurp(out, NULL);
}

int main(void)
{
    snprintf(root, sizeof root, "/tmp/ludus_test_curriculum_run_XXXXXX");
    if (!mkdtemp(root)) {
        check_fail(__FILE__, __LINE__, "mkdtemp failed");
        return check_finish("test_curriculum_run");
    }
    /* ACCEL on the maze (blocks, edits, lineage): 10 updates of 256 steps */
    train("accel", "Maze-v0",
          "{\"curriculum\": \"accel\", \"num_envs\": 4, \"num_steps\": 64, \"minibatches\": 2, \"eval_episodes\": 0, "
          "\"total_steps\": 2560, \"num_threads\": 1, \"curriculum_knobs\": {\"buffer_size\": 16, \"rho\": 0.2}}");
    /* PLR over 20 seeds of a grid world (no blocks: levels are seeds) */
    train("plr", "MiniGrid-Empty-5x5-v0",
          "{\"curriculum\": \"plr\", \"train_levels\": 20, \"num_envs\": 4, \"num_steps\": 64, \"minibatches\": 2, "
          "\"eval_episodes\": 0, \"total_steps\": 1536, \"num_threads\": 1}");
    /* no curriculum */
    train("plain", "MiniGrid-Empty-5x5-v0",
          "{\"num_envs\": 4, \"num_steps\": 64, \"minibatches\": 2, \"eval_episodes\": 0, \"total_steps\": 512, "
          "\"num_threads\": 1}");

    /* every run folder records the library's commit */
    CHECK(ludus_commit() != NULL && ludus_commit()[0]);
    char want[128], p[600];
    snprintf(want, sizeof want, "\"commit\": \"%s\"", ludus_commit());
    const char *runs[] = {"accel", "plr", "plain"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/%s/config.json", root, runs[i]);
        char *cfg = slurp(p, NULL);
        CHECK_MSG(cfg && strstr(cfg, want), "%s lacks %s", p, want);
        free(cfg);
    }
    /* kept by a resume that rewrites config.json */
    snprintf(p, sizeof p, "%s/plain", root);
    ludus_run *run = NULL;
    CHECK_OK(ludus_run_resume(p, "{\"total_steps\": 1024}", &run));
    if (run) CHECK_STR(ludus_run_get_config(run)->commit, ludus_commit());
    ludus_run_destroy(run);
    snprintf(p, sizeof p, "%s/plain/config.json", root);
    char *cfg = slurp(p, NULL);
    CHECK(cfg && strstr(cfg, want) && strstr(cfg, "\"total_steps\": 1024"));
    free(cfg);

    check_loaded("accel", "accel", 1);
    check_loaded("plr", "plr", 0);

    /* no curriculum: nothing, and no error */
    snprintf(p, sizeof p, "%s/plain", root);
    ludus_env *env = (ludus_env *)1;
    ludus_curriculum *c = (ludus_curriculum *)1;
    CHECK_OK(ludus_curriculum_load_run(p, &env, &c));
    CHECK(env == NULL && c == NULL);
    CHECK_EQ(ludus_curriculum_levels(NULL, NULL, 0), 0);
    CHECK_ERR(ludus_curriculum_load_run(NULL, &env, &c), LUDUS_EINVAL);

    /* bad folders: one line each */
    refused("nowhere", LUDUS_ENOTFOUND, "config.json");
    clone("accel", "nostate");
    snprintf(p, sizeof p, "%s/nostate/state.safetensors", root);
    unlink(p);
    refused("nostate", LUDUS_ENOTFOUND, "no state.safetensors");
    clone("accel", "foreign"); /* another accel run's state: its run id */
    train("accel2", "Maze-v0",
          "{\"curriculum\": \"accel\", \"num_envs\": 4, \"num_steps\": 64, \"minibatches\": 2, \"eval_episodes\": 0, "
          "\"total_steps\": 512, \"num_threads\": 1, \"curriculum_knobs\": {\"buffer_size\": 16, \"rho\": 0.2}}");
    char a[600];
    snprintf(a, sizeof a, "%s/accel2/state.safetensors", root);
    snprintf(p, sizeof p, "%s/foreign/state.safetensors", root);
    copy(a, p);
    refused("foreign", LUDUS_EFORMAT, "saved by another run");
    clone("accel", "knobs"); /* config.json's knobs changed since */
    snprintf(p, sizeof p, "%s/knobs/config.json", root);
    cfg = slurp(p, NULL);
    char *q = cfg ? strstr(cfg, "\"buffer_size\": 16") : NULL;
    CHECK(q != NULL);
    if (q) {
        memcpy(q, "\"buffer_size\": 17", 17);
        spill(p, cfg, strlen(cfg));
    }
    free(cfg);
    refused("knobs", LUDUS_EFORMAT, "saved by another curriculum or configuration");
    clone("accel", "damaged");
    damage_state("damaged");
    refused("damaged", LUDUS_EFORMAT, "not a ludus curriculum state");
    clone("accel", "flipped"); /* a byte of the file flipped: its checksum */
    snprintf(p, sizeof p, "%s/flipped/state.safetensors", root);
    size_t n = 0;
    char *bytes = slurp(p, &n);
    if (bytes && n > 16) {
        bytes[n - 3] ^= 0x55;
        spill(p, bytes, n);
    }
    free(bytes);
    refused("flipped", LUDUS_EFORMAT, "state.safetensors");
    clone("accel", "badcfg");
    snprintf(p, sizeof p, "%s/badcfg/config.json", root);
    const char *bad = "{\"curriculum\": \"accel\", \"env_id\": \"Maze-v0\", \"num_envs\": 2.5}";
    spill(p, bad, strlen(bad));
    refused("badcfg", LUDUS_EFORMAT, "\"num_envs\" is not a whole number");

    /* the report: the levels pictured, with their captions */
    char *h = report("accel", 8);
    int total = 0;
    snprintf(p, sizeof p, "%s/accel", root);
    if (!ludus_curriculum_load_run(p, &env, &c)) {
        total = ludus_curriculum_levels(c, NULL, 0);
        ludus_curriculum_destroy(c);
        ludus_env_destroy(env);
    }
    CHECK(h && strstr(h, "id=\"curriculum-levels\""));
    CHECK_EQ(count(h, "data:image/png;base64,"), total < 8 ? total : 8);
    CHECK_EQ(count(h, "<figcaption>#1: P = "), 1);
    CHECK_EQ(count(h, "<br/>depth "), total < 8 ? total : 8);
    char code[128];
    snprintf(code, sizeof code, "<code>%s</code>", ludus_commit());
    CHECK_EQ(count(h, code), 2); /* the commit, shown for a single run: as the folder's and the run's */
    free(h);
    h = report("accel", 0); /* none asked for */
    CHECK(h && !strstr(h, "curriculum-levels") && !strstr(h, "image/png"));
    free(h);
    h = report("plr", 3);
    CHECK_EQ(count(h, "data:image/png;base64,"), 3);
    CHECK(h && strstr(h, "seed ") && strstr(h, "The 3 most probable of the buffer&#39;s 20 scored levels."));
    free(h);
    h = report("plain", 8); /* no curriculum: no such section */
    CHECK(h && !strstr(h, "curriculum-levels") && !strstr(h, "image/png"));
    free(h);
    h = report("damaged", 8); /* a note, not a failed report */
    CHECK(h && strstr(h, "id=\"curriculum-levels\"") && strstr(h, "cannot be shown: ") &&
          strstr(h, "not a ludus curriculum state") && !strstr(h, "image/png"));
    free(h);
    ludus_report_options o;
    ludus_report_options_default(&o);
    o.levels = 65;
    const char *dirs[1] = {p};
    CHECK_ERR(ludus_report_write(dirs, 1, &o, NULL), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "levels must be in [0, 64]") != NULL);

    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    int stt;
    if (!getenv("LUDUS_TEST_KEEP")) free(check_run(cmd, &stt));
    return check_finish("test_curriculum_run");
}
