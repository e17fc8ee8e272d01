/* test_traces.c: the differential test. Every episode of the reference
 * traces (shared/data/minigrid-traces, or $LUDUS_TRACES_DIR; and the
 * BabyAI-MixedTrainLocal traces in tests/data/mixedtrainlocal-traces,
 * recorded from the BALROG fork by tests/tools/record_mixed_traces.py) is replayed
 * from its seed and actions; each reset and step line ludus writes must
 * equal the reference's byte for byte (same grid, pose, carrying, mission,
 * observation, reward bits, flags and grid diff). On a mismatch the first
 * differing field is reported.
 */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdlib.h>

#include "check.h"

/* Trace ids that ludus does not register yet. The test fails if this
 * count changes, so an id can neither vanish from the registry nor be
 * added without its traces being replayed. */
#define UNIMPLEMENTED_TRACE_IDS 0

static char *line_buf;
static size_t line_cap;

static int trace_line_fits(int n)
{
    if (n < 0) return 0;
    if ((size_t)n < line_cap) return 1;
    line_cap = (size_t)n + 1;
    line_buf = realloc(line_buf, line_cap);
    return 0;
}

static void report_diff(const char *file, uint64_t seed, const char *where, const char *ours,
                        const char *ref)
{
    /* "(line)": same values, different text; usually a float written differently */
    char field[160], va[160], vb[160];
    check_json_diff(ours, ref, "(line)", field, va, vb, sizeof va);
    check_fail(__FILE__, __LINE__, "%s seed %llu %s: field '%s' differs\n    ludus:     %s\n    reference: %s",
               file, (unsigned long long)seed, where, field, va, vb);
}

typedef struct totals {
    long files, episodes, steps, unregistered;
} totals;

static void replay_file(const char *dir, const char *name, totals *tot)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    check_lines *lr = check_lines_open(path);
    CHECK_MSG(lr != NULL, "cannot open %s", path);
    if (!lr) return;
    const char *line = check_lines_next(lr);
    cJSON *hdr = line ? cJSON_Parse(line) : NULL;
    const cJSON *idj = cJSON_GetObjectItem(hdr, "env_id");
    CHECK_MSG(cJSON_IsString(idj), "%s: no header line", path);
    if (!cJSON_IsString(idj)) {
        cJSON_Delete(hdr);
        check_lines_close(lr);
        return;
    }
    ludus_env *env = NULL;
    int rc = ludus_env_make(idj->valuestring, NULL, &env);
    if (rc == LUDUS_ENOTFOUND) {
        tot->unregistered++;
        cJSON_Delete(hdr);
        check_lines_close(lr);
        return;
    }
    CHECK_MSG(rc == LUDUS_OK, "%s: %s", idj->valuestring, ludus_errmsg());
    if (rc != LUDUS_OK) goto done;
    const ludus_env_info *info = ludus_env_get_info(env);
    const cJSON *w = cJSON_GetObjectItem(hdr, "width"), *h = cJSON_GetObjectItem(hdr, "height");
    const cJSON *n = cJSON_GetObjectItem(hdr, "action_space_n");
    CHECK_MSG(w && h && info->width == w->valueint && info->height == h->valueint,
              "%s: size %dx%d", idj->valuestring, info->width, info->height);
    CHECK_MSG(n && info->num_actions == n->valueint, "%s: action space %d", idj->valuestring, info->num_actions);
    tot->files++;

    void *state = ludus_env_state_new(env), *prev = ludus_env_state_new(env);
    uint64_t seed = 0;
    int diverged = 0, have_episode = 0;
    while ((line = check_lines_next(lr))) {
        if (strncmp(line, "{\"kind\":\"reset\"", 15) == 0) {
            const char *p = strstr(line, "\"seed\":");
            seed = p ? strtoull(p + 7, NULL, 10) : 0;
            diverged = 0;
            have_episode = 1;
            tot->episodes++;
            rc = ludus_env_reset(env, state, seed, NULL);
            CHECK_MSG(rc == LUDUS_OK, "%s seed %llu: reset failed: %s", name, (unsigned long long)seed,
                      ludus_errmsg());
            if (rc != LUDUS_OK) {
                diverged = 1;
                continue;
            }
            int len;
            while (!trace_line_fits(len = ludus_env_trace_reset(env, state, seed, line_buf, line_cap)))
                if (len < 0) break;
            if (strcmp(line_buf, line) != 0) {
                report_diff(name, seed, "reset", line_buf, line);
                diverged = 1;
            } else {
                check_passed++;
            }
        } else if (strncmp(line, "{\"kind\":\"step\"", 14) == 0) {
            if (!have_episode || diverged) continue;
            const char *p = strstr(line, "\"action\":");
            const char *tp = strstr(line, "\"t\":");
            int action = p ? atoi(p + 9) : -1, t = tp ? atoi(tp + 4) : -1;
            memcpy(prev, state, info->state_size);
            ludus_step_out out;
            rc = ludus_env_step(env, state, action, NULL, &out);
            CHECK_MSG(rc == LUDUS_OK, "%s seed %llu t %d: step failed: %s", name,
                      (unsigned long long)seed, t, ludus_errmsg());
            if (rc != LUDUS_OK) {
                diverged = 1;
                continue;
            }
            tot->steps++;
            int len;
            while (!trace_line_fits(len = ludus_env_trace_step(env, prev, state, t, action, &out,
                                                               line_buf, line_cap)))
                if (len < 0) break;
            if (strcmp(line_buf, line) != 0) {
                char where[32];
                snprintf(where, sizeof where, "step t=%d", t);
                report_diff(name, seed, where, line_buf, line);
                diverged = 1;
            } else {
                check_passed++;
            }
        }
    }
    free(state);
    free(prev);
done:
    ludus_env_destroy(env);
    cJSON_Delete(hdr);
    check_lines_close(lr);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void replay_dir(const char *dir, totals *tot)
{
    DIR *d = opendir(dir);
    CHECK_MSG(d != NULL, "cannot open trace folder %s", dir);
    if (!d) return;
    char *names[512];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 512) {
        size_t len = strlen(e->d_name);
        if (len > 9 && strcmp(e->d_name + len - 9, ".jsonl.gz") == 0) names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    for (int i = 0; i < n; i++) {
        replay_file(dir, names[i], tot);
        free(names[i]);
    }
}

int main(void)
{
    line_cap = 1 << 16;
    line_buf = malloc(line_cap);
    char dir[2048];
    const char *override = getenv("LUDUS_TRACES_DIR");
    if (override && *override) {
        snprintf(dir, sizeof dir, "%s", override);
    } else {
        const char *shared = check_shared_dir();
        CHECK_MSG(shared != NULL, "the reference traces are missing: the differential test cannot run");
        if (!shared) return check_finish("test_traces");
        snprintf(dir, sizeof dir, "%s/data/minigrid-traces", shared);
    }
    totals all = {0};
    char sub[2100];
    snprintf(sub, sizeof sub, "%s/random", dir);
    totals rnd = {0};
    replay_dir(sub, &rnd);
    snprintf(sub, sizeof sub, "%s/keys", dir);
    totals keys = {0};
    replay_dir(sub, &keys);
    /* The level BALROG's tasks come from is not in minigrid 3.1.0: its
     * traces come with the source, file names with '+' for the ids' '/'. */
    const char *mixed_dir = LUDUS_SOURCE_DIR "/tests/data/mixedtrainlocal-traces";
    totals mixed = {0};
    if (!override) {
        replay_dir(mixed_dir, &mixed);
        CHECK_EQ(mixed.files, 10);
        CHECK_EQ(mixed.unregistered, 0);
    }
    all.files = rnd.files + keys.files + mixed.files;
    all.episodes = rnd.episodes + keys.episodes + mixed.episodes;
    all.steps = rnd.steps + keys.steps + mixed.steps;
    printf("replayed %ld trace files, %ld episodes, %ld steps; %ld trace ids not registered\n",
           all.files, all.episodes, all.steps, rnd.unregistered);
    CHECK_MSG(all.files > 0 && all.steps > 0, "no trace was replayed");
    if (!override) CHECK_EQ(rnd.unregistered, UNIMPLEMENTED_TRACE_IDS);

    /* Every registered grid id has reference traces. */
    for (int i = 0; !override && i < ludus_env_count(); i++) {
        const char *id = ludus_env_id(i);
        if (strncmp(id, "MiniGrid-", 9) && strncmp(id, "BabyAI-", 7)) continue;
        char path[2300], file[256];
        snprintf(file, sizeof file, "%s", id);
        for (char *c = file; *c; c++)
            if (*c == '/') *c = '+';
        if (strchr(id, '/')) snprintf(path, sizeof path, "%s/%s.jsonl.gz", mixed_dir, file);
        else snprintf(path, sizeof path, "%s/random/%s.jsonl.gz", dir, id);
        FILE *f = fopen(path, "rb");
        CHECK_MSG(f != NULL, "registered id %s has no reference trace", id);
        if (f) fclose(f);
    }
    free(line_buf);
    return check_finish("test_traces");
}
