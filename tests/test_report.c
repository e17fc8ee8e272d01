/* test_report.c: ludus_report_write on folders written here: every bad
 * folder a user can hand it gets its error code and a one-line message
 * naming the path; CSV quirks (CRLF line ends, no newline at the end,
 * "nan" cells) are read; a run without eval.json or checkpoint still gets
 * a report that says what is missing; the report is written atomically
 * and the same inputs and seed give the same bytes. Episodes and
 * browsers are tests/test_report.sh's. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "ludus/report.h"

static char root[256];

static void put(const char *rel, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    FILE *f = fopen(p, "wb");
    if (!f) {
        check_fail(__FILE__, __LINE__, "cannot write %s", p);
        return;
    }
    fputs(text, f);
    fclose(f);
}

static void dir(const char *rel)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    mkdir(p, 0755);
}

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

static const char *config = "{\"algo\": \"ppo\", \"env_id\": \"MiniGrid-Empty-5x5-v0\", \"seed\": 3}\n";

/* One folder: expect rc and a message with `want`, on one line. */
static void refused(const char *rel, int code, const char *want)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    const char *dirs[1] = {p};
    ludus_report_options o;
    ludus_report_options_default(&o);
    o.gif_episodes = 0;
    o.reps = 100;
    int rc = ludus_report_write(dirs, 1, &o, NULL);
    CHECK_MSG(rc == code, "%s: rc %d, want %d (%s)", rel, rc, code, ludus_errmsg());
    CHECK_MSG(strstr(ludus_errmsg(), want) != NULL, "%s: message '%s' lacks '%s'", rel, ludus_errmsg(), want);
    CHECK_MSG(strchr(ludus_errmsg(), '\n') == NULL, "%s: message has a newline", rel);
}

static void test_bad_folders(void)
{
    refused("missing", LUDUS_ENOTFOUND, "no such folder");
    dir("empty");
    refused("empty", LUDUS_EINVAL, "empty");
    put("afile", "x");
    refused("afile", LUDUS_EINVAL, "not a folder");
    dir("other");
    put("other/notes.txt", "hello");
    refused("other", LUDUS_EINVAL, "neither a run folder");
    dir("half");
    put("half/config.json", config);
    refused("half", LUDUS_ESTATE, "no metrics.csv");
    dir("badjson");
    put("badjson/config.json", "{\"env_id\": ");
    refused("badjson", LUDUS_EFORMAT, "malformed JSON");
    dir("noenv");
    put("noenv/config.json", "{\"algo\": \"ppo\"}");
    refused("noenv", LUDUS_EFORMAT, "env_id");
    dir("emptycsv");
    put("emptycsv/config.json", config);
    put("emptycsv/metrics.csv", "");
    refused("emptycsv", LUDUS_EFORMAT, "empty (no header line)");
    dir("ragged");
    put("ragged/config.json", config);
    put("ragged/metrics.csv", "update,steps,success\n1,100,0.5\n2,200\n");
    refused("ragged", LUDUS_EFORMAT, "metrics.csv line 3: 2 fields, the header has 3");
    dir("nosteps");
    put("nosteps/config.json", config);
    put("nosteps/metrics.csv", "update,success\n1,0.5\n");
    refused("nosteps", LUDUS_EFORMAT, "no \"steps\" column");
    dir("word");
    put("word/config.json", config);
    put("word/metrics.csv", "update,steps,success\n1,100,lots\n");
    refused("word", LUDUS_EFORMAT, "line 2, column success: 'lots' is not a number");
    dir("badcurve");
    put("badcurve/config.json", config);
    put("badcurve/metrics.csv", "update,steps,success\n1,100,0.5\n");
    put("badcurve/eval_curve.csv", "update,steps,world\n");
    refused("badcurve", LUDUS_EFORMAT, "eval_curve.csv: no \"split\" column");
    dir("badeval");
    put("badeval/config.json", config);
    put("badeval/metrics.csv", "update,steps,success\n1,100,0.5\n");
    put("badeval/eval.json", "{\"splits\": {}}");
    refused("badeval", LUDUS_EFORMAT, "no splits.train.success");
    dir("exphalf");
    put("exphalf/experiment.json", "{}");
    refused("exphalf", LUDUS_ESTATE, "no results.json");
    dir("expfmt");
    put("expfmt/experiment.json", "{}");
    put("expfmt/results.json", "{\"format\": \"ludus-results/2\", \"runs\": []}");
    refused("expfmt", LUDUS_EFORMAT, "ludus-results/1");
    dir("expruns");
    put("expruns/experiment.json", "{}");
    put("expruns/results.json", "{\"format\": \"ludus-results/1\", \"runs\": [{\"method\": \"dr\"}]}");
    refused("expruns", LUDUS_EFORMAT, "runs[0] needs");
    dir("expgone");
    put("expgone/experiment.json", "{}");
    put("expgone/results.json", "{\"format\": \"ludus-results/1\", \"runs\": [{\"method\": \"dr\", \"seed\": 1, "
                                "\"dir\": \"runs/dr/seed1\", \"results\": {}}]}");
    refused("expgone", LUDUS_ESTATE, "does not exist");
    /* arguments */
    CHECK_ERR(ludus_report_write(NULL, 1, NULL, NULL), LUDUS_EINVAL);
    const char *none[1] = {""};
    CHECK_ERR(ludus_report_write(none, 1, NULL, NULL), LUDUS_EINVAL);
    ludus_report_options o;
    ludus_report_options_default(&o);
    o.reps = 0;
    char p[512];
    snprintf(p, sizeof p, "%s/half", root);
    const char *d[1] = {p};
    CHECK_ERR(ludus_report_write(d, 1, &o, NULL), LUDUS_EINVAL);
}

static void test_minimal_run(void)
{
    /* CRLF ends, a "nan" cell, no newline at the end; no eval.json and no
     * checkpoint: a report that says so */
    dir("mini");
    put("mini/config.json", config);
    put("mini/metrics.csv", "update,steps,success,return,cur_seen\r\n1,100,nan,0.1,3\r\n2,200,0.5,0.2,4\r\n3,300,1,0.9,9");
    char p[512], out[600], out2[600];
    snprintf(p, sizeof p, "%s/mini", root);
    snprintf(out, sizeof out, "%s/mini/report.html", root);
    snprintf(out2, sizeof out2, "%s/second.html", root);
    const char *dirs[1] = {p};
    ludus_report_options o;
    ludus_report_options_default(&o);
    o.reps = 500;
    CHECK_OK(ludus_report_write(dirs, 1, &o, NULL));
    CHECK_OK(ludus_report_write(dirs, 1, &o, out2));
    char *a = slurp(out), *b = slurp(out2);
    CHECK(a && b && strcmp(a, b) == 0); /* deterministic */
    if (a) {
        const char *want[] = {"id=\"summary\"", "id=\"curves\"", "id=\"curriculum\"", "id=\"episodes\"",
                              "no evaluation (eval.json or results.json) with both splits",
                              "No run of this method has a checkpoint.", "cur_seen", "<svg", "</html>",
                              "One method: nothing to compare."};
        for (size_t i = 0; i < sizeof want / sizeof *want; i++)
            CHECK_MSG(strstr(a, want[i]) != NULL, "the report lacks '%s'", want[i]);
        CHECK(strstr(a, "<script") == NULL);
    }
    free(a);
    free(b);
    snprintf(p, sizeof p, "%s/mini/report.html.tmp", root);
    CHECK(access(p, F_OK) != 0); /* no temporary file left */
}

static void test_limits(void)
{
    /* 17 methods do not fit one report's colours and charts: refused, not cut */
    char paths[17][512];
    const char *dirs[17];
    for (int i = 0; i < 17; i++) {
        char rel[64], cfg[256];
        snprintf(rel, sizeof rel, "m%d", i);
        dir(rel);
        snprintf(cfg, sizeof cfg, "{\"algo\": \"ppo\", \"curriculum\": \"c%d\", \"env_id\": \"x\", \"seed\": 1}", i);
        snprintf(rel, sizeof rel, "m%d/config.json", i);
        put(rel, cfg);
        snprintf(rel, sizeof rel, "m%d/metrics.csv", i);
        put(rel, "update,steps,success\n1,10,0.5\n");
        snprintf(paths[i], sizeof paths[i], "%s/m%d", root, i);
        dirs[i] = paths[i];
    }
    char out[600];
    snprintf(out, sizeof out, "%s/limits.html", root);
    CHECK_ERR(ludus_report_write(dirs, 17, NULL, out), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "17 methods") != NULL);
    ludus_report_options o;
    ludus_report_options_default(&o);
    o.reps = 200;
    CHECK_OK(ludus_report_write(dirs, 16, &o, out)); /* 16 do, labelled by their curriculum */
    char *a = slurp(out);
    CHECK(a && strstr(a, "c15") && strstr(a, "16 methods"));
    free(a);
}

int main(void)
{
    snprintf(root, sizeof root, "/tmp/ludus_test_report_XXXXXX");
    if (!mkdtemp(root)) {
        check_fail(__FILE__, __LINE__, "mkdtemp failed");
        return check_finish("test_report");
    }
    test_bad_folders();
    test_minimal_run();
    test_limits();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    int st;
    free(check_run(cmd, &st));
    return check_finish("test_report");
}
