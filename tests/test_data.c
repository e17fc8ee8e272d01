/* test_data.c: the dataset writer and reader (data.h). A round trip of
 * episodes built here (every value read back equal); collect against a
 * replay in the world (with a masked world's recorded masks against the
 * world's); the writer's refusals; and the reader fuzzed: a
 * real file truncated at many lengths and with bytes flipped (1) as is,
 * where the recorded SHA-256 must refuse every change, and (2) with the
 * digest in metadata.json recomputed, so libhdf5 itself parses the
 * damaged file: every outcome must be LUDUS_OK or an error with a
 * message, never a crash (the sanitizer build runs this too).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "check.h"
#include "core/digest.h"
#include "ludus/data.h"
#include "ludus/learn.h"

static char dir[1024];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void sh(const char *fmt, const char *a, const char *b)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, fmt, a, b);
    CHECK(system(cmd) == 0);
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void spit(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    CHECK(fwrite(data, 1, len, f) == len);
    fclose(f);
}

/* Episodes made up here, written, read back equal. */
static void test_round_trip(void)
{
    ludus_env *env;
    CHECK_OK(ludus_env_make("BabyAI-GoToRedBall-v0", NULL, &env));
    const ludus_env_info *info = ludus_env_get_info(env);
    ludus_dataset_meta meta = {.dataset_id = "test/roundtrip-v0", .env_id = "BabyAI-GoToRedBall-v0", .agent = "test",
                               .levels = "train", .level_count = 100, .jpeg_quality = 75};
    char path[1200];
    snprintf(path, sizeof path, "%s/test/roundtrip-v0", dir);
    ludus_dataset_writer *w;
    CHECK_OK(ludus_dataset_writer_open(path, env, &meta, &w));
    ludus_dataset_episode eps[3];
    ludus_rng rng;
    ludus_rng_seed(&rng, 5);
    const size_t M = info->mission_capacity;
    for (int e = 0; e < 3; e++) {
        ludus_dataset_episode *ep = &eps[e];
        const int T = 5 + 40 * e;
        *ep = (ludus_dataset_episode){.seed = (uint64_t)(7 * e), .steps = T};
        ep->obs = malloc((size_t)(T + 1) * info->obs_size);
        ep->missions = calloc((size_t)(T + 1), M);
        ep->actions = malloc((size_t)T * sizeof(int32_t));
        ep->rewards = malloc((size_t)T * sizeof(double));
        ep->terminations = calloc((size_t)T, 1);
        ep->truncations = calloc((size_t)T, 1);
        for (int t = 0; t <= T; t++) {
            for (int k = 0; k < info->num_obs_fields; k++) {
                const ludus_obs_field *f = &info->obs_fields[k];
                size_t n = 1;
                for (int d = 0; d < f->ndim; d++) n *= (size_t)f->shape[d];
                for (size_t i = 0; i < n; i++)
                    ep->obs[(size_t)t * info->obs_size + f->offset + i] =
                        (uint8_t)ludus_rng_integers(&rng, f->low, (int64_t)f->high + 1);
            }
            snprintf(ep->missions + (size_t)t * M, M, "go to the %d%s", t, e == 2 ? " \xc3\xa9t\xc3\xa9" : "");
        }
        for (int t = 0; t < T; t++) {
            ep->actions[t] = (int32_t)ludus_rng_integers(&rng, 0, info->num_actions);
            ep->rewards[t] = ludus_rng_random(&rng) - 0.5;
        }
        (e == 1 ? ep->truncations : ep->terminations)[T - 1] = 1;
        CHECK_OK(ludus_dataset_writer_add(w, ep));
    }
    /* a bad episode is refused, and the dataset goes on */
    const int32_t a0 = eps[0].actions[0];
    eps[0].actions[0] = 99;
    CHECK_ERR(ludus_dataset_writer_add(w, &eps[0]), LUDUS_EINVAL);
    eps[0].actions[0] = a0;
    CHECK_OK(ludus_dataset_writer_finish(w));
    ludus_dataset_writer_destroy(w);
    /* never over an existing dataset */
    CHECK_ERR(ludus_dataset_writer_open(path, env, &meta, &w), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "already holds a dataset") != NULL);

    ludus_dataset *ds;
    CHECK_OK(ludus_dataset_open(path, &ds));
    if (ds) {
        CHECK_EQ(ludus_dataset_get_meta(ds)->total_episodes, 3);
        CHECK_EQ(ludus_dataset_get_meta(ds)->total_steps, 5 + 45 + 85);
        for (int e = 0; e < 3; e++) {
            ludus_dataset_episode r;
            CHECK_OK(ludus_dataset_read(ds, e, &r));
            const int T = eps[e].steps;
            CHECK_EQ(r.steps, T);
            CHECK_EQ(r.seed, eps[e].seed);
            CHECK_EQ(r.id, e);
            CHECK(r.obs && memcmp(r.obs, eps[e].obs, (size_t)(T + 1) * info->obs_size) == 0);
            CHECK(r.missions && memcmp(r.missions, eps[e].missions, (size_t)(T + 1) * M) == 0);
            CHECK(r.actions && memcmp(r.actions, eps[e].actions, (size_t)T * sizeof(int32_t)) == 0);
            CHECK(r.rewards && memcmp(r.rewards, eps[e].rewards, (size_t)T * sizeof(double)) == 0);
            CHECK(r.terminations && memcmp(r.terminations, eps[e].terminations, (size_t)T) == 0);
            CHECK(r.truncations && memcmp(r.truncations, eps[e].truncations, (size_t)T) == 0);
            ludus_dataset_episode_free(&r);
        }
        ludus_dataset_episode r;
        CHECK_ERR(ludus_dataset_read(ds, 3, &r), LUDUS_EINVAL);
        CHECK_OK(ludus_dataset_check_world(ds, "BabyAI-GoToRedBall-v0", NULL));
        CHECK_ERR(ludus_dataset_check_world(ds, "BabyAI-GoToRedBallGrey-v0", NULL), LUDUS_EINVAL);
        CHECK(strstr(ludus_errmsg(), "was recorded in world") != NULL);
        ludus_dataset_close(ds);
    }
    for (int e = 0; e < 3; e++) ludus_dataset_episode_free(&eps[e]);
    ludus_dataset_episode_free(NULL);
    ludus_dataset_close(NULL);
    ludus_dataset_writer_destroy(NULL);
    ludus_env_destroy(env);
}

/* collect, then replay every episode in the world from its seed. */
static void test_collect_replays(const char *id, const char *options, const char *name)
{
    ludus_agent *agent;
    CHECK_OK(ludus_agent_random(&agent));
    const ludus_collect_config cfg = {.env_id = id, .env_options = options, .dataset_id = name, .train_levels = 5,
                                      .episodes = 20, .seed = 9};
    char path[4096];
    CHECK_OK(ludus_dataset_collect(agent, &cfg, dir, path, sizeof path));
    ludus_agent_destroy(agent);
    ludus_dataset *ds;
    CHECK_OK(ludus_dataset_open(path, &ds));
    if (!ds) return;
    const ludus_env *env = ludus_dataset_env(ds);
    const ludus_env_info *info = ludus_env_get_info(env);
    void *st = ludus_env_state_new(env);
    uint8_t *obs = malloc(info->obs_size), mask[LUDUS_MAX_MASK_SIZE];
    const int dims = info->action_dims < 1 ? 1 : info->action_dims;
    const size_t M = (size_t)info->mask_size;
    CHECK_EQ(ludus_dataset_get_meta(ds)->action_masks, M > 0);
    int mismatches = 0;
    for (int64_t e = 0; e < ludus_dataset_get_meta(ds)->total_episodes; e++) {
        ludus_dataset_episode ep;
        CHECK_OK(ludus_dataset_read(ds, e, &ep));
        CHECK(ep.seed < 5);
        CHECK_OK(ludus_env_reset(env, st, ep.seed, obs));
        mismatches += memcmp(obs, ep.obs, info->obs_size) != 0;
        CHECK((ep.action_masks != NULL) == (M > 0));
        for (int t = 0; t < ep.steps; t++) {
            ludus_step_out so;
            /* the mask recorded for observation t is the world's there */
            CHECK_OK(ludus_env_action_mask(env, st, M ? mask : NULL));
            if (M) mismatches += memcmp(mask, ep.action_masks + (size_t)t * M, M) != 0;
            CHECK_OK(ludus_env_step_vec(env, st, ep.actions + (size_t)t * dims, obs, &so));
            mismatches += memcmp(obs, ep.obs + (size_t)(t + 1) * info->obs_size, info->obs_size) != 0;
            mismatches += so.reward != ep.rewards[t] || so.terminated != ep.terminations[t] ||
                          so.truncated != ep.truncations[t];
            if (info->mission_capacity > 1)
                mismatches += strcmp(ludus_env_mission(env, st), ep.missions + (size_t)(t + 1) * info->mission_capacity) != 0;
        }
        CHECK_OK(ludus_env_action_mask(env, st, M ? mask : NULL));
        if (M) mismatches += memcmp(mask, ep.action_masks + (size_t)ep.steps * M, M) != 0;
        ludus_dataset_episode_free(&ep);
    }
    CHECK_EQ(mismatches, 0);
    free(obs);
    ludus_free(st);
    ludus_dataset_close(ds);
}

/* Rewrite metadata.json's recorded digest to the file's current one. */
static void redigest(const char *data_dir)
{
    char mpath[1400], fpath[1400], hex[2 * SHA256_BYTES + 1];
    snprintf(mpath, sizeof mpath, "%s/metadata.json", data_dir);
    snprintf(fpath, sizeof fpath, "%s/main_data.hdf5", data_dir);
    size_t ml, fl;
    char *m = (char *)slurp(mpath, &ml);
    uint8_t *f = slurp(fpath, &fl);
    if (!m || !f) {
        CHECK(0);
        free(m);
        free(f);
        return;
    }
    m[ml] = 0;
    ludus_sha256_hex(f, fl, hex);
    char *at = strstr(m, "\"main_data_sha256\":");
    CHECK(at != NULL);
    if (at) {
        at = strchr(at + 19, '"');
        memcpy(at + 1, hex, 2 * SHA256_BYTES);
    }
    spit(mpath, m, ml);
    free(m);
    free(f);
}

/* Open and read everything; returns the first failure's code (0: all read). */
static int read_all(const char *path)
{
    ludus_dataset *ds;
    int rc = ludus_dataset_open(path, &ds);
    if (rc) {
        CHECK_MSG(ludus_errmsg()[0] && !strchr(ludus_errmsg(), '\n'), "a failure without a one-line message");
        return rc;
    }
    for (int64_t e = 0; e < ludus_dataset_get_meta(ds)->total_episodes && !rc; e++) {
        ludus_dataset_episode ep;
        rc = ludus_dataset_read(ds, e, &ep);
        if (rc) CHECK_MSG(ludus_errmsg()[0] && !strchr(ludus_errmsg(), '\n'), "a failure without a one-line message");
        ludus_dataset_episode_free(&ep);
    }
    ludus_dataset_close(ds);
    return rc;
}

static void test_fuzz(const char *name)
{
    char src[1200], data[1400], file[1500];
    snprintf(src, sizeof src, "%s/%s", dir, name);
    snprintf(data, sizeof data, "%s/fuzz/data", dir);
    snprintf(file, sizeof file, "%s/main_data.hdf5", data);
    sh("rm -rf '%s/fuzz' && mkdir -p '%s/fuzz'", dir, dir);
    sh("cp -r '%s/data' '%s/fuzz/'", src, dir);
    CHECK_OK(read_all(data));
    size_t len;
    uint8_t *orig = slurp(file, &len);
    CHECK(orig && len > 4096);
    if (!orig) return;
    uint8_t *buf = malloc(len);
    ludus_rng rng;
    ludus_rng_seed(&rng, 77);
    int refused = 0, tries = 0, hdf5_ok = 0, hdf5_err = 0, crashed = 0;
    /* (1) the digest refuses every change */
    for (int i = 0; i < 40; i++, tries++) {
        memcpy(buf, orig, len);
        size_t n = len;
        if (i % 2) n = (size_t)ludus_rng_integers(&rng, 0, (int64_t)len);
        else buf[ludus_rng_integers(&rng, 0, (int64_t)len)] ^= (uint8_t)ludus_rng_integers(&rng, 1, 256);
        spit(file, buf, n);
        int rc = read_all(data);
        refused += rc == LUDUS_EFORMAT && strstr(ludus_errmsg(), "SHA-256") != NULL;
    }
    CHECK_EQ(refused, tries);
    /* (2) past the digest: libhdf5 parses damaged files; never a crash */
    const int rounds = getenv("LUDUS_LONG_TESTS") ? 1000 : 40;
    for (int i = 0; i < rounds; i++) {
        double t0 = now_s();
        memcpy(buf, orig, len);
        size_t n = len;
        if (i % 3 == 0) {
            n = (size_t)ludus_rng_integers(&rng, 0, (int64_t)len);
        } else {
            /* flips: half of them in the first 4 KiB (superblock, headers) */
            int flips = 1 + (int)ludus_rng_integers(&rng, 0, 4);
            for (int k = 0; k < flips; k++) {
                size_t at = (size_t)ludus_rng_integers(&rng, 0, i % 2 ? (int64_t)len : 4096);
                buf[at] ^= (uint8_t)ludus_rng_integers(&rng, 1, 256);
            }
        }
        spit(file, buf, n);
        redigest(data);
        int rc = read_all(data);
        if (rc) hdf5_err++;
        else hdf5_ok++;
        crashed += rc && strstr(ludus_errmsg(), "crashed") != NULL;
        CHECK(rc == LUDUS_OK || rc == LUDUS_EFORMAT || rc == LUDUS_ENOMEM);
        if (getenv("LUDUS_FUZZ_VERBOSE")) printf("round %d: %.2f s: %s\n", i, now_s() - t0, rc ? ludus_errmsg() : "ok");
    }
    printf("fuzz %s: %d changes refused by the digest; past it, %d read, %d refused (%d of them crashed libhdf5 in "
           "the child)\n", name, refused, hdf5_ok, hdf5_err, crashed);
    spit(file, orig, len);
    redigest(data);
    CHECK_OK(read_all(data));
    free(buf);
    free(orig);
}

/* Masks: the writer's refusals (a world without a mask, an episode
 * without its masks, a mask that forbids the recorded action, a byte not
 * 0/1); a dataset of a masked world written without masks (as before
 * masks were recorded) reads, without masks, and a learner's world check
 * refuses it in one line. */
static void test_masks(void)
{
    ludus_env *grid, *web;
    CHECK_OK(ludus_env_make("MiniGrid-Empty-5x5-v0", NULL, &grid));
    CHECK_OK(ludus_env_make("Web-click-button-v0", NULL, &web));
    ludus_dataset_writer *w = NULL;
    ludus_dataset_meta meta = {.dataset_id = "masks/grid-v0", .env_id = "MiniGrid-Empty-5x5-v0", .levels = "train",
                               .level_count = 1, .action_masks = 1};
    char path[1200];
    snprintf(path, sizeof path, "%s/masks/grid-v0", dir);
    CHECK_ERR(ludus_dataset_writer_open(path, grid, &meta, &w), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "has no legal-action mask") != NULL);
    meta.action_masks = 2;
    CHECK_ERR(ludus_dataset_writer_open(path, web, &meta, &w), LUDUS_EINVAL);

    /* one oracle-free episode of the web world: a random legal action, then
     * the episode cut there (truncated) */
    const ludus_env_info *info = ludus_env_get_info(web);
    const size_t M = (size_t)info->mask_size, D = info->obs_size;
    const int dims = info->action_dims;
    void *st = ludus_env_state_new(web);
    uint8_t *obs = malloc(2 * D), *masks = malloc(2 * M);
    const size_t mcap = info->mission_capacity;
    char *missions = calloc(2, mcap);
    int32_t act[LUDUS_MAX_ACTION_DIMS];
    double rew = 0;
    uint8_t term = 0, trunc = 1;
    CHECK_OK(ludus_env_reset(web, st, 0, obs));
    snprintf(missions, mcap, "%s", ludus_env_mission(web, st));
    CHECK_OK(ludus_env_action_mask(web, st, masks));
    for (int d = 0, off = 0; d < dims; off += info->action_nvec[d], d++) {
        act[d] = 0;
        while (!masks[off + act[d]]) act[d]++;
    }
    ludus_step_out so;
    CHECK_OK(ludus_env_step_vec(web, st, act, obs + D, &so));
    CHECK_OK(ludus_env_action_mask(web, st, masks + M));
    snprintf(missions + mcap, mcap, "%s", ludus_env_mission(web, st));
    ludus_dataset_episode ep = {.steps = 1, .obs = obs, .missions = missions, .actions = act, .rewards = &rew, .terminations = &term,
                                .truncations = &trunc, .action_masks = masks};
    meta.action_masks = 1;
    snprintf(meta.env_id, sizeof meta.env_id, "Web-click-button-v0");
    snprintf(meta.dataset_id, sizeof meta.dataset_id, "masks/web-v0");
    snprintf(path, sizeof path, "%s/masks/web-v0", dir);
    CHECK_OK(ludus_dataset_writer_open(path, web, &meta, &w));
    ep.action_masks = NULL;
    CHECK_ERR(ludus_dataset_writer_add(w, &ep), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "without its action masks") != NULL);
    ep.action_masks = masks;
    masks[act[0]] = 0; /* forbid the action taken */
    CHECK_ERR(ludus_dataset_writer_add(w, &ep), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "step 0: an action its mask forbids") != NULL);
    masks[act[0]] = 1;
    masks[M] = 3;
    CHECK_ERR(ludus_dataset_writer_add(w, &ep), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "step 1: a mask byte") != NULL);
    CHECK_OK(ludus_env_action_mask(web, st, masks + M));
    CHECK_OK(ludus_dataset_writer_add(w, &ep));
    CHECK_OK(ludus_dataset_writer_finish(w));
    ludus_dataset_writer_destroy(w);
    ludus_dataset *ds = NULL;
    CHECK_OK(ludus_dataset_open(path, &ds));
    ludus_dataset_episode back;
    CHECK_OK(ludus_dataset_read(ds, 0, &back));
    CHECK(back.action_masks && memcmp(back.action_masks, masks, 2 * M) == 0);
    ludus_dataset_episode_free(&back);
    CHECK_OK(ludus_dataset_check_world(ds, "Web-click-button-v0", NULL));
    ludus_dataset_close(ds);

    /* the same episode, no masks: readable; refused by a masked learner,
     * fine for the same world without its mask (mask=0) */
    meta.action_masks = 0;
    snprintf(meta.dataset_id, sizeof meta.dataset_id, "masks/web-old-v0");
    snprintf(path, sizeof path, "%s/masks/web-old-v0", dir);
    CHECK_OK(ludus_dataset_writer_open(path, web, &meta, &w));
    CHECK_OK(ludus_dataset_writer_add(w, &ep));
    CHECK_OK(ludus_dataset_writer_finish(w));
    ludus_dataset_writer_destroy(w);
    CHECK_OK(ludus_dataset_open(path, &ds));
    CHECK_EQ(ludus_dataset_get_meta(ds)->action_masks, 0);
    CHECK_OK(ludus_dataset_read(ds, 0, &back));
    CHECK(back.action_masks == NULL);
    ludus_dataset_episode_free(&back);
    CHECK_ERR(ludus_dataset_check_world(ds, "Web-click-button-v0", NULL), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "records no action masks") != NULL && !strchr(ludus_errmsg(), '\n'));
    CHECK_OK(ludus_dataset_check_world(ds, "Web-click-button-v0", "mask=0"));
    ludus_dataset_close(ds);
    free(obs);
    free(masks);
    free(missions);
    ludus_free(st);
    ludus_env_destroy(grid);
    ludus_env_destroy(web);
}

static void test_bad_input(void)
{
    ludus_dataset *ds;
    CHECK_ERR(ludus_dataset_open(dir, &ds), LUDUS_ENOTFOUND);
    CHECK(strstr(ludus_errmsg(), "is not a dataset") != NULL);
    CHECK_ERR(ludus_dataset_open("/nonexistent/folder", &ds), LUDUS_ENOTFOUND);
    CHECK_ERR(ludus_dataset_open(NULL, &ds), LUDUS_EINVAL);
    CHECK_ERR(ludus_dataset_open(dir, NULL), LUDUS_EINVAL);
    ludus_env *env;
    CHECK_OK(ludus_env_make("MiniGrid-Empty-5x5-v0", NULL, &env));
    ludus_dataset_writer *w;
    ludus_dataset_meta meta = {.dataset_id = "no-version", .env_id = "MiniGrid-Empty-5x5-v0"};
    CHECK_ERR(ludus_dataset_writer_open(dir, env, &meta, &w), LUDUS_EINVAL);
    snprintf(meta.dataset_id, sizeof meta.dataset_id, "../escape-v0");
    CHECK_ERR(ludus_dataset_writer_open(dir, env, &meta, &w), LUDUS_EINVAL);
    snprintf(meta.dataset_id, sizeof meta.dataset_id, "ok/empty-v0");
    char path[1200];
    snprintf(path, sizeof path, "%s/ok/empty-v0", dir);
    CHECK_OK(ludus_dataset_writer_open(path, env, &meta, &w));
    CHECK_ERR(ludus_dataset_writer_finish(w), LUDUS_EINVAL); /* no episodes */
    ludus_dataset_writer_destroy(w);
    struct stat sb;
    char part[1300];
    snprintf(part, sizeof part, "%s/data/main_data.hdf5.part", path);
    CHECK(stat(part, &sb) != 0); /* an unfinished dataset leaves nothing */
    ludus_env_destroy(env);
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s/test_data.d", LUDUS_BINARY_DIR);
    sh("rm -rf '%s' && mkdir -p '%s'", dir, dir);
    test_round_trip();
    test_collect_replays("MiniGrid-DoorKey-5x5-v0", NULL, "grid/doorkey-v0");
    test_collect_replays("BabyAI-GoToRedBall-v0", NULL, "babyai/goto-v0");
    test_collect_replays("CrafterReward-v1", NULL, "crafter/symbolic-v0");
    test_collect_replays("Maze-v0", NULL, "maze/train-v0");
    test_collect_replays("Web-click-button-v0", NULL, "web/click-v0");
    test_masks();
    test_bad_input();
    test_fuzz("babyai/goto-v0");
    test_fuzz("web/click-v0"); /* a file with infos/action_mask */
    return check_finish("test_data");
}
