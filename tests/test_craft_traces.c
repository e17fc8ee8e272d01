/* test_craft_traces.c: the differential test of Crafter. Every episode in
 * shared/data/crafter/traces (or $LUDUS_CRAFTER_DATA/traces) is replayed
 * through the public API from its seed and recorded actions, with the
 * original textures loaded. The reset line must equal the header's `init`
 * and every step line must equal the reference's byte for byte: player,
 * inventory, counters, achievements, daylight, semantic map, objects,
 * material changes, new chunks, RNG words, reward, done and the frame's
 * SHA-256 (and bytes every 50 steps). The footer's return and unlock order
 * are checked too. On a mismatch the first differing field is reported.
 */
#include <cjson/cJSON.h>
#include <dirent.h>

#include "craft_data.h"

static char *line_buf;
static size_t line_cap = 1 << 16;

static int fits(int n)
{
    if (n < 0) return 1;
    if ((size_t)n < line_cap) return 1;
    line_cap = (size_t)n + 1;
    line_buf = realloc(line_buf, line_cap);
    return 0;
}

static void report_diff(const char *file, const char *where, const char *ours, const char *ref)
{
    char field[200], va[200], vb[200];
    check_json_diff(ours, ref, "(formatting)", field, va, vb, sizeof va);
    check_fail(__FILE__, __LINE__, "%s %s: field '%s' differs\n    ludus:     %s\n    reference: %s", file,
               where, field, va, vb);
}

/* The text of the header's "init" object, as the body of a reset line. */
static char *expected_reset(const char *header, uint64_t seed)
{
    const char *p = strstr(header, "\"init\":{");
    if (!p) return NULL;
    p += 7;
    const char *q = p;
    int depth = 0;
    do {
        if (*q == '{') depth++;
        else if (*q == '}') depth--;
        q++;
    } while (depth && *q);
    const char *ws = craft_raw_number(header, "world_seed"), *ss = craft_raw_number(header, "simplex_seed");
    size_t n = (size_t)(q - p) + 256;
    char *out = malloc(n);
    snprintf(out, n, "{\"kind\":\"reset\",\"seed\":%llu,\"episode\":1,\"world_seed\":%ld,\"simplex_seed\":%ld,%.*s",
             (unsigned long long)seed, strtol(ws, NULL, 10), strtol(ss, NULL, 10), (int)(q - p - 1), p + 1);
    return out;
}

typedef struct totals {
    long files, files_matched, steps, steps_matched;
} totals;

static void replay(const char *dir, const char *name, ludus_env *env, totals *tot)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    check_lines *lr = check_lines_open(path);
    CHECK_MSG(lr != NULL, "cannot open %s", path);
    if (!lr) return;
    tot->files++;
    const char *line = check_lines_next(lr);
    uint64_t seed = line ? strtoull(craft_raw_number(line, "seed"), NULL, 10) : 0;
    char *want = line ? expected_reset(line, seed) : NULL;
    CHECK_MSG(want != NULL, "%s: no header", name);
    if (!want) {
        check_lines_close(lr);
        return;
    }
    const ludus_env_info *info = ludus_env_get_info(env);
    void *state = ludus_env_state_new(env), *prev = ludus_env_state_new(env);
    int ok = 1;
    CHECK_OK(ludus_env_reset(env, state, seed, NULL));
    while (!fits(ludus_env_trace_reset(env, state, seed, line_buf, line_cap))) {}
    if (strcmp(line_buf, want) != 0) {
        report_diff(name, "reset", line_buf, want);
        ok = 0;
    }
    double ret = 0;
    char unlocked[2048] = "[";
    long steps = 0;
    int done = 0;
    while (ok && (line = check_lines_next(lr))) {
        if (strncmp(line, "{\"kind\":\"footer\"", 16) == 0) {
            cJSON *f = cJSON_Parse(line);
            strcat(unlocked, "]");
            cJSON *u = cJSON_Parse(unlocked);
            CHECK_MSG(f && cJSON_GetObjectItem(f, "steps")->valueint == steps, "%s: step count", name);
            CHECK_MSG(f && cJSON_GetObjectItem(f, "return")->valuedouble == ret, "%s: return %.17g", name, ret);
            CHECK_MSG(f && cJSON_IsTrue(cJSON_GetObjectItem(f, "done")) == done, "%s: done flag", name);
            CHECK_MSG(f && u && cJSON_Compare(cJSON_GetObjectItem(f, "unlocked"), u, 1), "%s: unlock order %s",
                      name, unlocked);
            cJSON_Delete(u);
            cJSON_Delete(f);
            break;
        }
        int action = atoi(craft_raw_number(line, "a")), t = atoi(craft_raw_number(line, "t"));
        memcpy(prev, state, info->state_size);
        ludus_step_out out;
        CHECK_OK(ludus_env_step(env, state, action, NULL, &out));
        tot->steps++;
        steps++;
        ret += out.reward;
        done = out.terminated || out.truncated;
        for (int a = 0; a < 22; a++)
            if (out.achievements >> a & 1) {
                static const char *const names[22] = {
                    "collect_coal", "collect_diamond", "collect_drink", "collect_iron", "collect_sapling",
                    "collect_stone", "collect_wood", "defeat_skeleton", "defeat_zombie", "eat_cow", "eat_plant",
                    "make_iron_pickaxe", "make_iron_sword", "make_stone_pickaxe", "make_stone_sword",
                    "make_wood_pickaxe", "make_wood_sword", "place_furnace", "place_plant", "place_stone",
                    "place_table", "wake_up"};
                snprintf(unlocked + strlen(unlocked), sizeof unlocked - strlen(unlocked), "%s\"%s\"",
                         unlocked[1] ? "," : "", names[a]);
            }
        while (!fits(ludus_env_trace_step(env, prev, state, t, action, &out, line_buf, line_cap))) {}
        if (strcmp(line_buf, line) != 0) {
            char where[32];
            snprintf(where, sizeof where, "t=%d", t);
            report_diff(name, where, line_buf, line);
            ok = 0;
        } else {
            tot->steps_matched++;
        }
    }
    if (ok) tot->files_matched++;
    CHECK_MSG(ok, "%s diverged", name);
    free(want);
    free(state);
    free(prev);
    check_lines_close(lr);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void)
{
    line_buf = malloc(line_cap);
    const char *data = craft_data_dir(), *assets = craft_assets_dir();
    if (!data || !assets) return check_finish("test_craft_traces");
    char dir[2200], opts[2200];
    snprintf(dir, sizeof dir, "%s/traces", data);
    snprintf(opts, sizeof opts, "assets=%s", assets);
    ludus_env *env = NULL;
    CHECK_OK(ludus_env_make("Crafter-Reward-v1", opts, &env));
    if (!env) return check_finish("test_craft_traces");
    DIR *d = opendir(dir);
    CHECK_MSG(d != NULL, "cannot open %s", dir);
    char *names[1024];
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) && n < 1024) {
        size_t len = strlen(e->d_name);
        if (len > 9 && strcmp(e->d_name + len - 9, ".jsonl.gz") == 0) names[n++] = strdup(e->d_name);
    }
    if (d) closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    totals tot = {0};
    for (int i = 0; i < n; i++) {
        replay(dir, names[i], env, &tot);
        free(names[i]);
    }
    printf("%ld of %ld traces matched; %ld of %ld steps matched byte for byte\n", tot.files_matched, tot.files,
           tot.steps_matched, tot.steps);
    CHECK(tot.files > 0 && tot.files_matched == tot.files);
    ludus_env_destroy(env);
    free(line_buf);
    return check_finish("test_craft_traces");
}
