/* test_experiment.c: experiments (experiment.h), the held-out checks of
 * the evaluator and the periodic evaluation of a run (eval_curve.csv).
 * Every bad experiment file a user can write gets LUDUS_EINVAL with a
 * one-line message naming the field; a small experiment's results.json,
 * heldout.json and eval_curve.csv are read back with cJSON and compared
 * with evaluations of the runs' checkpoints made here, independently.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "ludus/experiment.h"

static char *slurp(const char *path)
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
    return s;
}

static cJSON *read_json(const char *path)
{
    char *s = slurp(path);
    cJSON *j = s ? cJSON_Parse(s) : NULL;
    free(s);
    return j;
}

/* The experiment text with `body` as the part after train_env. */
#define GOOD_METHODS "\"methods\": [{\"name\": \"a\"}], \"seeds\": [1], \"config\": {\"total_steps\": 2048}"

/* parse must fail with LUDUS_EINVAL and a one-line message holding every `want`. */
static void bad(const char *json, const char *want1, const char *want2)
{
    ludus_experiment *e = (ludus_experiment *)1;
    int rc = ludus_experiment_parse(json, "exp.json", &e);
    const char *m = ludus_errmsg();
    CHECK_MSG(rc == LUDUS_EINVAL, "want EINVAL for %s, got %d (%s)", json, rc, m);
    CHECK(e == NULL);
    CHECK_MSG(strncmp(m, "exp.json: ", 10) == 0, "message does not name the file: %s", m);
    CHECK_MSG(!strchr(m, '\n'), "message has several lines: %s", m);
    CHECK_MSG(strstr(m, want1) != NULL, "\"%s\" not in: %s", want1, m);
    CHECK_MSG(!want2 || strstr(m, want2) != NULL, "\"%s\" not in: %s", want2 ? want2 : "", m);
}

static void test_validation(void)
{
    bad("{\"train_env\": \"Maze-v0\",", "not valid JSON", "line 1");
    bad("{\n\"train_env\": \"Maze-v0\"\n\"seeds\": [1]}", "not valid JSON", "line 3");
    bad("[1, 2]", "must be a JSON object", NULL);
    bad("{\"train_env\": \"Maze-v0\", \"seed\": [1], " GOOD_METHODS "}", "unknown key \"seed\"", "did you mean \"seeds\"");
    bad("{" GOOD_METHODS "}", "\"train_env\" is missing", NULL);
    bad("{\"train_env\": \"Maze-v9\", " GOOD_METHODS "}", "train_env", "did you mean");
    bad("{\"train_env\": 3, " GOOD_METHODS "}", "train_env must be a string", NULL);
    bad("{\"train_env\": \"Maze-v0\", \"heldout\": [\"Maze-SixteenRoom-v0\"], " GOOD_METHODS "}", "heldout[0]",
        "Maze-SixteenRooms-v0");
    bad("{\"train_env\": \"Maze-v0\", \"heldout\": [{\"id\": \"Maze-Labyrinth-v0\", \"level\": 5}], " GOOD_METHODS "}",
        "heldout[0]: unknown key \"level\"", "did you mean \"level_start\"");
    bad("{\"train_env\": \"Maze-v0\", \"heldout\": [7], " GOOD_METHODS "}", "heldout[0] must be a world id", NULL);
    /* a held-out world the agent cannot act in */
    bad("{\"train_env\": \"Maze-v0\", \"heldout\": [\"Maze-Labyrinth-v0\", \"MiniGrid-Empty-5x5-v0\"], " GOOD_METHODS "}",
        "heldout[1]", "MiniGrid-Empty-5x5-v0's observation and actions");
    /* the training world again needs its own name, and then levels outside training */
    bad("{\"train_env\": \"Maze-v0\", \"heldout\": [\"Maze-v0\"], " GOOD_METHODS "}", "heldout[0]",
        "already the training world's name");
    bad("{\"train_env\": \"Maze-v0\", \"heldout\": [{\"id\": \"Maze-v0\", \"name\": \"again\", \"level_start\": 5}], "
        GOOD_METHODS "}", "heldout[0]", "overlap its training levels");
    bad("{\"train_env\": \"Maze-v0\", \"heldout\": [\"Maze-Labyrinth-v0\", {\"id\": \"Maze-Labyrinth-v0\"}], " GOOD_METHODS "}",
        "heldout[1]", "also heldout[0]'s");
    bad("{\"train_env\": \"Maze-v0\", \"heldout\": [{\"id\": \"Maze-v0\", \"name\": \"x\", \"level_start\": -1}], "
        GOOD_METHODS "}", "heldout[0].level_start = -1", NULL);
    /* methods */
    bad("{\"train_env\": \"Maze-v0\", \"seeds\": [1]}", "\"methods\" must be a non-empty array", NULL);
    bad("{\"train_env\": \"Maze-v0\", \"seeds\": [1], \"methods\": []}", "\"methods\" must be a non-empty array", NULL);
    bad("{\"train_env\": \"Maze-v0\", \"seeds\": [1], \"methods\": [{\"name\": \"a\", \"algoo\": \"ppo\"}]}",
        "methods[0]: unknown key \"algoo\"", "did you mean \"algo\"");
    bad("{\"train_env\": \"Maze-v0\", \"seeds\": [1], \"methods\": [{\"algo\": \"ppo\"}]}", "methods[0]: \"name\" is missing",
        NULL);
    bad("{\"train_env\": \"Maze-v0\", \"seeds\": [1], \"methods\": [{\"name\": \"a\"}, {\"name\": \"b\"}, {\"name\": \"a\"}]}",
        "methods[2]: the name \"a\" is also methods[0]'s", NULL);
    bad("{\"train_env\": \"Maze-v0\", \"seeds\": [1], \"methods\": [{\"name\": \"../x\"}]}", "methods[0].name \"../x\"", NULL);
    bad("{\"train_env\": \"Maze-v0\", \"seeds\": [1], \"methods\": [{\"name\": \"a\", \"algo\": \"ppx\"}]}",
        "methods[0] (\"a\")", "ppo");
    bad("{\"train_env\": \"Maze-v0\", \"seeds\": [1], \"methods\": [{\"name\": \"a\", \"config\": {\"lrr\": 0.1}}]}",
        "methods[0] (\"a\")", "did you mean \"lr\"");
    bad("{\"train_env\": \"Maze-v0\", \"seeds\": [1], \"methods\": [{\"name\": \"a\", \"config\": {\"lr\": 20}}]}",
        "methods[0] (\"a\")", "\"lr\" = 20 is outside");
    bad("{\"train_env\": \"Maze-v0\", \"seeds\": [1], \"methods\": [{\"name\": \"a\", \"config\": {\"seed\": 3}}]}",
        "methods[0].config: \"seed\" is set by the experiment", NULL);
    bad("{\"train_env\": \"Maze-v0\", \"seeds\": [1], \"methods\": [{\"name\": \"a\"}], \"config\": {\"env_id\": \"Maze-v0\"}}",
        "config: \"env_id\" is set by the experiment", NULL);
    bad("{\"train_env\": \"Maze-v0\", \"seeds\": [1], \"methods\": [{\"name\": \"a\", \"config\": [1]}]}",
        "methods[0].config must be an object", NULL);
    bad("{\"train_env\": \"Maze-v0\", \"seeds\": [1], \"methods\": [{\"name\": \"a\"}], \"config\": {\"eval_interval\": 2, "
        "\"eval_worlds\": \"Maze-v0,Nope-v0\"}}", "methods[0] (\"a\")", "eval_worlds");
    /* a method that trains on levels [0, 100): level 50 is not held out for it, 100 is */
    bad("{\"train_env\": \"Maze-v0\", \"heldout\": [{\"id\": \"Maze-v0\", \"name\": \"h\", \"level_start\": 50}], "
        "\"seeds\": [1], \"methods\": [{\"name\": \"a\", \"config\": {\"train_levels\": 100}}]}", "heldout[0] (for methods[0] \"a\")",
        "levels 50..");
    /* seeds */
    bad("{\"train_env\": \"Maze-v0\", \"methods\": [{\"name\": \"a\"}]}", "\"seeds\" must be a non-empty array", NULL);
    bad("{\"train_env\": \"Maze-v0\", \"seeds\": [], \"methods\": [{\"name\": \"a\"}]}", "\"seeds\" must be", NULL);
    bad("{\"train_env\": \"Maze-v0\", \"seeds\": [1, -1], \"methods\": [{\"name\": \"a\"}]}", "seeds[1] = -1", NULL);
    bad("{\"train_env\": \"Maze-v0\", \"seeds\": [1.5], \"methods\": [{\"name\": \"a\"}]}", "seeds[0] = 1.5", NULL);
    bad("{\"train_env\": \"Maze-v0\", \"seeds\": [1e300], \"methods\": [{\"name\": \"a\"}]}", "seeds[0]", "not an integer in");
    bad("{\"train_env\": \"Maze-v0\", \"seeds\": [\"1\"], \"methods\": [{\"name\": \"a\"}]}", "seeds[0] = \"1\"", NULL);
    bad("{\"train_env\": \"Maze-v0\", \"seeds\": [3, 4, 3], \"methods\": [{\"name\": \"a\"}]}",
        "seeds[2]: seed 3 is also seeds[0]", NULL);
    bad("{\"train_env\": \"Maze-v0\", \"seeds\": [1], \"episodes\": 0, \"methods\": [{\"name\": \"a\"}]}", "episodes = 0", NULL);

    /* what is allowed: the same world with other options at any levels,
     * the training world's own held-out levels, other learners */
    ludus_experiment *e = NULL;
    CHECK_OK(ludus_experiment_parse(
        "{\"train_env\": \"Maze-v0\", \"heldout\": [\"Maze-LargeCorridor-v0\", {\"id\": \"Maze-v0\", \"options\": "
        "\"walls=25\", \"name\": \"w25\", \"level_start\": 0}, {\"id\": \"Maze-v0\", \"name\": \"own\"}], "
        "\"seeds\": [5, 2], \"methods\": [{\"name\": \"p\"}, {\"name\": \"d\", \"algo\": \"dqn\", \"config\": {\"lr\": 0.001}}], "
        "\"config\": {\"total_steps\": 4096}}", NULL, &e));
    CHECK_EQ(ludus_experiment_num_runs(e), 4);
    char d[64];
    ludus_experiment_run_dir(e, 1, d, sizeof d);
    CHECK_STR(d, "runs/d/seed5");
    CHECK_STR(ludus_experiment_run_method(e, 2), "p");
    CHECK_EQ(ludus_experiment_run_seed(e, 3), 2);
    CHECK(ludus_experiment_run_method(e, 4) == NULL);
    ludus_experiment_destroy(e);
    ludus_experiment_destroy(NULL);
    CHECK_ERR(ludus_experiment_load("/nonexistent/e.json", &e), LUDUS_ENOTFOUND);
}

static void test_heldout_checks(void)
{
    /* the same world and options (as sets of pairs) overlapping [0, N) */
    CHECK_ERR(ludus_eval_check_heldout("Maze-v0", "walls=25, sample_walls=1", 99, 1, "Maze-v0", "sample_walls=1,walls=25", 100),
              LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "levels 99..99 of Maze-v0 (sample_walls=1,walls=25) overlap its training levels 0..99") != NULL);
    CHECK_OK(ludus_eval_check_heldout("Maze-v0", "walls=25,sample_walls=1", 100, 5, "Maze-v0", "sample_walls=1,walls=25", 100));
    CHECK_OK(ludus_eval_check_heldout("Maze-v0", "walls=25", 0, 5, "Maze-v0", "walls=60", 100));
    CHECK_OK(ludus_eval_check_heldout("Maze-Labyrinth-v0", NULL, 0, 5, "Maze-v0", NULL, 0));
    CHECK_OK(ludus_eval_check_heldout("Maze-v0", "", 0, 0, "Maze-v0", NULL, 10));
    /* train_levels 0: all of [0, LUDUS_MAX_TRAIN_LEVELS) */
    CHECK_ERR(ludus_eval_check_heldout("Maze-v0", NULL, LUDUS_HELDOUT_START - 1, 1, "Maze-v0", "", 0), LUDUS_EINVAL);
    CHECK_OK(ludus_eval_check_heldout("Maze-v0", NULL, LUDUS_HELDOUT_START, 1000, "Maze-v0", "", 0));
    CHECK_ERR(ludus_eval_check_heldout(NULL, NULL, 0, 1, "Maze-v0", "", 0), LUDUS_EINVAL);

    /* the evaluator itself refuses, before playing */
    ludus_agent *ag;
    CHECK_OK(ludus_agent_random(&ag));
    ludus_eval_config ec = {.env_id = "Maze-v0", .level_start = 5, .level_count = 10, .episodes = 4, .seed = 1,
                            .train_env_id = "Maze-v0", .train_levels = 8};
    ludus_eval_result res;
    CHECK_ERR(ludus_eval_run(ag, &ec, &res), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "levels 5..8 of Maze-v0 overlap its training levels 0..7") != NULL);
    ec.level_start = 8;
    CHECK_OK(ludus_eval_run(ag, &ec, &res));
    CHECK_EQ(res.episodes, 4);
    ec.level_start = 0;
    ec.train_env_id = NULL; /* the train split: no check */
    CHECK_OK(ludus_eval_run(ag, &ec, &res));
    ludus_agent_destroy(ag);

    /* layouts */
    ludus_env *a, *b, *c;
    CHECK_OK(ludus_env_make("Maze-v0", NULL, &a));
    CHECK_OK(ludus_env_make("Maze-LargeCorridor-v0", NULL, &b));
    CHECK_OK(ludus_env_make("MiniGrid-Empty-5x5-v0", NULL, &c));
    CHECK_OK(ludus_eval_check_world(ludus_env_get_info(a), ludus_env_get_info(b)));
    CHECK_ERR(ludus_eval_check_world(ludus_env_get_info(a), ludus_env_get_info(c)), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "MiniGrid-Empty-5x5-v0's observation and actions (148 bytes") != NULL);
    ludus_env_destroy(a);
    ludus_env_destroy(b);
    ludus_env_destroy(c);
}

static int events[8];
static void count_event(const ludus_experiment_event *ev, void *user)
{
    (void)user;
    if (ev->kind >= 0 && ev->kind < 8) events[ev->kind]++;
}

/* The mean of a results entry against an evaluation made here. */
static void check_entry(const cJSON *entry, const char *split, const ludus_eval_result *ref, int episodes)
{
    const cJSON *sp = cJSON_GetObjectItemCaseSensitive(entry, "split");
    const cJSON *ep = cJSON_GetObjectItemCaseSensitive(entry, "episodes");
    const cJSON *sr = cJSON_GetObjectItemCaseSensitive(entry, "solved_rate");
    const cJSON *mr = cJSON_GetObjectItemCaseSensitive(entry, "mean_return");
    CHECK(cJSON_IsString(sp) && !strcmp(sp->valuestring, split));
    CHECK(cJSON_IsNumber(ep) && ep->valueint == episodes);
    CHECK_MSG(cJSON_IsNumber(sr) && fabs(sr->valuedouble - ref->success.mean) <= 1e-5 * fabs(ref->success.mean) + 1e-12,
              "solved_rate %g, reference %g", cJSON_IsNumber(sr) ? sr->valuedouble : NAN, ref->success.mean);
    CHECK_MSG(cJSON_IsNumber(mr) && fabs(mr->valuedouble - ref->ret.mean) <= 1e-5 * fabs(ref->ret.mean) + 1e-12,
              "mean_return %g, reference %g", cJSON_IsNumber(mr) ? mr->valuedouble : NAN, ref->ret.mean);
}

static void test_run_and_results(void)
{
    char dir[] = "/tmp/ludus-test-experiment-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    const char *text =
        "{\"train_env\": \"Maze-v0\", \"heldout\": [\"Maze-SixteenRooms-v0\", {\"id\": \"Maze-v0\", \"name\": \"Maze-v0-heldout\"}],"
        " \"methods\": [{\"name\": \"dr\"}, {\"name\": \"fast\", \"algo\": \"ppo\", \"config\": {\"lr\": 0.002}}],"
        " \"seeds\": [3, 1], \"episodes\": 6,"
        " \"config\": {\"total_steps\": 4096, \"num_threads\": 1, \"eval_interval\": 1, \"eval_curve_episodes\": 3}}";
    ludus_experiment *e;
    CHECK_OK(ludus_experiment_parse(text, "t.json", &e));
    if (!e) return;
    CHECK_OK(ludus_experiment_run(e, dir, 0, count_event, NULL));
    CHECK_EQ(events[LUDUS_EXPERIMENT_START], 4);
    CHECK_EQ(events[LUDUS_EXPERIMENT_DONE], 4);
    CHECK(events[LUDUS_EXPERIMENT_PROGRESS] >= 8);
    CHECK_EQ(ludus_experiment_stopped(e), 0);
    char p[512];
    snprintf(p, sizeof p, "%s/experiment.json", dir);
    char *copy = slurp(p);
    CHECK(copy && !strcmp(copy, text)); /* verbatim */
    free(copy);

    snprintf(p, sizeof p, "%s/results.json", dir);
    cJSON *r = read_json(p);
    CHECK(r != NULL);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "format")), "ludus-results/1");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "train_env")), "Maze-v0");
    CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(r, "commit")));
    CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "complete")));
    CHECK_EQ(cJSON_GetObjectItemCaseSensitive(r, "episodes")->valueint, 6);
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(r, "methods"), *ss = cJSON_GetObjectItemCaseSensitive(r, "seeds");
    CHECK(cJSON_GetArraySize(ms) == 2 && !strcmp(cJSON_GetArrayItem(ms, 1)->valuestring, "fast"));
    CHECK(cJSON_GetArraySize(ss) == 2 && cJSON_GetArrayItem(ss, 0)->valueint == 3);
    const cJSON *ws = cJSON_GetObjectItemCaseSensitive(r, "worlds");
    CHECK_EQ(cJSON_GetArraySize(ws), 3);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(ws, 0), "split")), "train");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(ws, 2), "id")), "Maze-v0");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(ws, 2), "name")), "Maze-v0-heldout");
    const cJSON *runs = cJSON_GetObjectItemCaseSensitive(r, "runs");
    CHECK_EQ(cJSON_GetArraySize(runs), 4);
    const char *want_m[4] = {"dr", "fast", "dr", "fast"};
    const int want_s[4] = {3, 3, 1, 1};
    int i = 0;
    const cJSON *run;
    cJSON_ArrayForEach(run, runs) {
        CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(run, "method")), want_m[i]);
        CHECK_EQ(cJSON_GetObjectItemCaseSensitive(run, "seed")->valueint, want_s[i]);
        char rel[64];
        snprintf(rel, sizeof rel, "runs/%s/seed%d", want_m[i], want_s[i]);
        CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(run, "dir")), rel);
        CHECK_EQ(cJSON_GetObjectItemCaseSensitive(run, "steps")->valuedouble, 4096);
        const cJSON *res = cJSON_GetObjectItemCaseSensitive(run, "results");
        /* the reference: the run's checkpoint, evaluated here */
        char ck[512];
        snprintf(ck, sizeof ck, "%s/%s/checkpoint.safetensors", dir, rel);
        ludus_agent *ag = NULL;
        CHECK_OK(ludus_agent_load(ck, NULL, 64, &ag));
        ludus_eval_result ref;
        ludus_eval_config tr = {.env_id = "Maze-v0", .level_start = 0, .level_count = LUDUS_MAX_TRAIN_LEVELS, .episodes = 6,
                                .seed = (uint64_t)want_s[i]};
        CHECK_OK(ludus_eval_run(ag, &tr, &ref));
        check_entry(cJSON_GetObjectItemCaseSensitive(res, "Maze-v0"), "train", &ref, 6);
        ludus_eval_config ho = {.env_id = "Maze-SixteenRooms-v0", .level_start = LUDUS_HELDOUT_START, .level_count = 6,
                                .episodes = 6, .seed = (uint64_t)want_s[i]};
        CHECK_OK(ludus_eval_run(ag, &ho, &ref));
        check_entry(cJSON_GetObjectItemCaseSensitive(res, "Maze-SixteenRooms-v0"), "heldout", &ref, 6);
        ho.env_id = "Maze-v0";
        CHECK_OK(ludus_eval_run(ag, &ho, &ref));
        check_entry(cJSON_GetObjectItemCaseSensitive(res, "Maze-v0-heldout"), "heldout", &ref, 6);

        /* eval_curve.csv: updates 1 and 2 (4096 steps), the train split then
         * each held-out world given by id (the named one is not: it may
         * differ from a plain id), values as evaluated here at the end */
        char cp[512];
        snprintf(cp, sizeof cp, "%s/%s/eval_curve.csv", dir, rel);
        char *csv = slurp(cp);
        CHECK(csv && !strncmp(csv, "update,steps,world,split,episodes,solved_rate,mean_return\n", 58));
        const char *last = csv ? strstr(csv, "\n2,4096,Maze-v0,train,3,") : NULL;
        CHECK(last != NULL);
        CHECK(csv && strstr(csv, "\n1,2048,Maze-v0,train,3,") && strstr(csv, "\n1,2048,Maze-SixteenRooms-v0,heldout,3,"));
        int rows = 0;
        for (const char *q = csv; q && *q; q++) rows += *q == '\n';
        CHECK_EQ(rows, 1 + 2 * 2);
        if (last) {
            double sr, mr;
            CHECK(sscanf(last, "\n2,4096,Maze-v0,train,3,%lf,%lf", &sr, &mr) == 2);
            ludus_eval_config c3 = {.env_id = "Maze-v0", .level_start = 0, .level_count = LUDUS_MAX_TRAIN_LEVELS,
                                    .episodes = 3, .seed = (uint64_t)want_s[i]};
            CHECK_OK(ludus_eval_run(ag, &c3, &ref));
            CHECK(fabs(sr - ref.success.mean) < 1e-5 && fabs(mr - ref.ret.mean) <= 1e-5 * fabs(ref.ret.mean) + 1e-9);
        }
        free(csv);
        ludus_agent_destroy(ag);
        i++;
    }
    cJSON_Delete(r);

    /* again: every run is kept; a run whose heldout.json is gone is
     * resumed (already trained) and evaluated again, to the same results */
    snprintf(p, sizeof p, "%s/runs/fast/seed1/heldout.json", dir);
    char *before = slurp(p);
    CHECK(before != NULL && unlink(p) == 0);
    snprintf(p, sizeof p, "%s/results.json", dir);
    CHECK_OK(ludus_experiment_write_results(e, dir, &i));
    CHECK_EQ(i, 3);
    r = read_json(p);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(r, "complete")));
    CHECK_EQ(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "runs")), 3);
    cJSON_Delete(r);
    memset(events, 0, sizeof events);
    CHECK_OK(ludus_experiment_run(e, dir, 0, count_event, NULL));
    CHECK_EQ(events[LUDUS_EXPERIMENT_KEPT], 3);
    CHECK_EQ(events[LUDUS_EXPERIMENT_RESUME], 1);
    CHECK_EQ(events[LUDUS_EXPERIMENT_START], 0);
    CHECK_EQ(events[LUDUS_EXPERIMENT_PROGRESS], 0);
    snprintf(p, sizeof p, "%s/runs/fast/seed1/heldout.json", dir);
    char *after = slurp(p);
    CHECK(before && after && !strcmp(before, after));
    free(before);
    free(after);
    /* the same through a one-rank communicator: every run kept, nothing refused */
    ludus_dist *one = NULL;
    CHECK_OK(ludus_dist_single_create(&one));
    memset(events, 0, sizeof events);
    CHECK_OK(ludus_experiment_run_dist(e, dir, 0, one, count_event, NULL));
    CHECK_EQ(events[LUDUS_EXPERIMENT_KEPT], 4);
    CHECK_EQ(events[LUDUS_EXPERIMENT_START] + events[LUDUS_EXPERIMENT_RESUME], 0);
    CHECK_EQ(ludus_experiment_refused(e), 0);
    ludus_dist_destroy(one);
    ludus_experiment_destroy(e);

    /* another experiment in the same folder is refused */
    CHECK_OK(ludus_experiment_parse("{\"train_env\": \"Maze-v0\", \"methods\": [{\"name\": \"dr\"}], \"seeds\": [9], "
                                    "\"config\": {\"total_steps\": 2048}}", "other.json", &e));
    CHECK_ERR(ludus_experiment_run(e, dir, 0, NULL, NULL), LUDUS_ESTATE);
    CHECK(strstr(ludus_errmsg(), "holds another experiment") != NULL);
    CHECK_EQ(ludus_experiment_refused(e), 1); /* before any run: nobody waits for this process */
    CHECK_EQ(ludus_experiment_refused(NULL), 0);
    ludus_experiment_destroy(e);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    int st;
    free(check_run(cmd, &st));
}

/* eval_curve.csv with another learner (DQN), and resume: a later
 * evaluation is appended, one a kill cut short is made again, whole */
static void test_curve_dqn(void)
{
    char dir[] = "/tmp/ludus-test-curve-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char run_dir[128], p[200];
    snprintf(run_dir, sizeof run_dir, "%s/run", dir);
    snprintf(p, sizeof p, "%s/eval_curve.csv", run_dir);
    ludus_run_setup *s = NULL;
    CHECK_OK(ludus_run_setup_create("Maze-v0", "dqn", "{\"total_steps\": 1024, \"eval_interval\": 2, "
                                    "\"eval_curve_episodes\": 2, \"eval_episodes\": 2, \"num_threads\": 1}", &s));
    ludus_run *run = NULL;
    CHECK_OK(ludus_run_start(run_dir, s, 0, &run));
    ludus_run_setup_destroy(s);
    if (!run) return;
    CHECK_OK(ludus_run_train(run, 0, NULL, NULL));
    ludus_run_destroy(run);
    /* 512 frames an update: updates 1, 2; evaluated at 2 (the last) */
    char *csv = slurp(p);
    CHECK(csv && strncmp(csv, "update,steps,world,split,episodes,solved_rate,mean_return\n2,1024,Maze-v0,train,2,", 80) == 0);
    CHECK(csv && strstr(csv, "\n2,1024,Maze-v0,heldout,2,") != NULL);
    int rows = 0;
    for (const char *q = csv; q && *q; q++) rows += *q == '\n';
    CHECK_EQ(rows, 3);
    /* more steps: update 3 is the new last; then cut its last row off
     * (a kill in the middle) and resume at the same total */
    CHECK_OK(ludus_run_resume(run_dir, "{\"total_steps\": 1536}", &run));
    CHECK_OK(ludus_run_train(run, 0, NULL, NULL));
    ludus_run_destroy(run);
    char *full = slurp(p);
    rows = 0;
    for (const char *q = full; q && *q; q++) rows += *q == '\n';
    CHECK_EQ(rows, 5);
    CHECK(full && strstr(full, "\n3,1536,Maze-v0,train,2,") && strstr(full, "\n3,1536,Maze-v0,heldout,2,"));
    if (full) {
        size_t n = strlen(full);
        char *cut = full + n - 1;
        while (cut > full && cut[-1] != '\n') cut--;
        FILE *f = fopen(p, "wb");
        CHECK(f && fwrite(full, 1, (size_t)(cut - full), f) == (size_t)(cut - full));
        if (f) fclose(f);
    }
    CHECK_OK(ludus_run_resume(run_dir, NULL, &run));
    CHECK_OK(ludus_run_train(run, 0, NULL, NULL));
    ludus_run_destroy(run);
    char *again = slurp(p);
    CHECK(full && again && !strcmp(full, again)); /* the same rows, each once */
    free(csv);
    free(full);
    free(again);
    /* a world of another layout in eval_worlds, and an unknown one */
    CHECK_OK(ludus_run_setup_create("Maze-v0", "ppo", "{\"eval_interval\": 1, \"eval_worlds\": \"Maze-v0, MiniGrid-Empty-5x5-v0\"}", &s));
    CHECK_ERR(ludus_run_setup_check(s), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "config: eval_worlds: MiniGrid-Empty-5x5-v0's observation") != NULL);
    CHECK_OK(ludus_run_setup_set(s, "eval_worlds", "Maze-Labyrint-v0"));
    CHECK_ERR(ludus_run_setup_check(s), LUDUS_ENOTFOUND);
    CHECK(strstr(ludus_errmsg(), "Maze-Labyrinth-v0") != NULL);
    CHECK_OK(ludus_run_setup_set(s, "eval_worlds", "Maze-Labyrinth-v0,Maze-Labyrinth-v0"));
    CHECK_ERR(ludus_run_setup_check(s), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "names Maze-Labyrinth-v0 twice") != NULL);
    ludus_run_setup_destroy(s);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    int st;
    free(check_run(cmd, &st));
}

int main(void)
{
    test_curve_dqn();
    test_validation();
    test_heldout_checks();
    test_run_and_results();
    return check_finish("test_experiment");
}
