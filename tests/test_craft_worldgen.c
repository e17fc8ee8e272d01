/* test_craft_worldgen.c: world generation against stock Crafter
 * (shared/data/crafter/worldgen.jsonl.gz). Every recorded world is rebuilt
 * through the public API from its seed (episode e: reset, then e-1
 * continued resets) and its reset trace line must match: materials,
 * objects, chunk order, player, RNG words consumed, semantic and frame
 * digests (with the original textures) and the per-class counts.
 */
#include <cjson/cJSON.h>

#include "craft_data.h"

static char *line_buf;
static size_t line_cap = 1 << 16;

static const char *reset_line(const ludus_env *env, const void *state, uint64_t seed)
{
    for (;;) {
        int n = ludus_env_trace_reset(env, state, seed, line_buf, line_cap);
        if (n < 0) return NULL;
        if ((size_t)n < line_cap) return line_buf;
        line_cap = (size_t)n + 1;
        line_buf = realloc(line_buf, line_cap);
    }
}

static int same(const cJSON *a, const cJSON *b) { return a && b && cJSON_Compare(a, b, 1); }

/* Per-class cell counts from our reset line, as the reference's `counts`. */
static int counts_match(const cJSON *ours, const cJSON *want)
{
    static const char *const classes[] = {"none", "water", "grass", "stone", "path", "sand", "tree",
                                          "lava", "coal", "iron", "diamond", "table", "furnace"};
    long count[13] = {0};
    const cJSON *row;
    cJSON_ArrayForEach(row, cJSON_GetObjectItem(ours, "materials"))
    for (const char *c = row->valuestring; *c; c++) count[*c <= '9' ? *c - '0' : *c - 'a' + 10]++;
    cJSON *mine = cJSON_CreateObject();
    const cJSON *o;
    const cJSON *mats = cJSON_GetObjectItem(ours, "materials");
    cJSON_ArrayForEach(o, cJSON_GetObjectItem(ours, "objs"))
    {
        int x = cJSON_GetArrayItem(o, 2)->valueint, y = cJSON_GetArrayItem(o, 3)->valueint;
        char c = cJSON_GetArrayItem(mats, y)->valuestring[x];
        count[c <= '9' ? c - '0' : c - 'a' + 10]--;
        const char *kind = cJSON_GetArrayItem(o, 1)->valuestring;
        cJSON *n = cJSON_GetObjectItem(mine, kind);
        if (n) cJSON_SetNumberValue(n, n->valuedouble + 1);
        else cJSON_AddNumberToObject(mine, kind, 1);
    }
    for (int m = 1; m < 13; m++)
        if (count[m] > 0) cJSON_AddNumberToObject(mine, classes[m], (double)count[m]);
    /* the reference lists classes in id order; compare as sets */
    int ok = cJSON_GetArraySize(mine) == cJSON_GetArraySize(want);
    const cJSON *w;
    cJSON_ArrayForEach(w, want) ok &= same(cJSON_GetObjectItem(mine, w->string), w);
    cJSON_Delete(mine);
    return ok;
}

int main(void)
{
    line_buf = malloc(line_cap);
    const char *dir = craft_data_dir(), *assets = craft_assets_dir();
    if (!dir || !assets) return check_finish("test_craft_worldgen");
    char path[2200], opts[2200];
    snprintf(path, sizeof path, "%s/worldgen.jsonl.gz", dir);
    snprintf(opts, sizeof opts, "assets=%s", assets);
    ludus_env *env = NULL;
    CHECK_OK(ludus_env_make("Crafter-Reward-v1", opts, &env));
    if (!env) return check_finish("test_craft_worldgen");
    void *state = ludus_env_state_new(env);
    check_lines *lr = check_lines_open(path);
    CHECK_MSG(lr != NULL, "cannot open %s", path);
    long worlds = 0, matched = 0, later = 0;
    const char *line;
    while (lr && (line = check_lines_next(lr))) {
        cJSON *ref = cJSON_Parse(line);
        CHECK_MSG(ref != NULL, "unparsable worldgen line");
        if (!ref) continue;
        uint64_t seed = strtoull(craft_raw_number(line, "seed"), NULL, 10);
        int episode = cJSON_GetObjectItem(ref, "episode")->valueint;
        CHECK_OK(ludus_env_reset(env, state, seed, NULL));
        for (int e = 1; e < episode; e++) CHECK_OK(ludus_env_reset_continue(env, state, NULL));
        const char *ours_text = reset_line(env, state, seed);
        cJSON *ours = ours_text ? cJSON_Parse(ours_text) : NULL;
        CHECK_MSG(ours != NULL, "seed %llu: no reset line: %s", (unsigned long long)seed, ludus_errmsg());
        if (!ours) {
            cJSON_Delete(ref);
            continue;
        }
        static const char *const top[] = {"episode", "world_seed", "simplex_seed", "rng_words", "daylight",
                                          "materials", "objs", "chunks", "sem_sha256", "obs_sha256", "obs_b64"};
        static const char *const player[] = {"pos", "facing", "sleeping", "inv", "ach", "ctr"};
        const char *bad = NULL;
        for (size_t k = 0; !bad && k < sizeof top / sizeof *top; k++)
            if (!same(cJSON_GetObjectItem(ours, top[k]), cJSON_GetObjectItem(ref, top[k]))) bad = top[k];
        const cJSON *rp = cJSON_GetObjectItem(ref, "player");
        for (size_t k = 0; !bad && k < sizeof player / sizeof *player; k++)
            if (!same(cJSON_GetObjectItem(ours, player[k]), cJSON_GetObjectItem(rp, player[k]))) bad = player[k];
        if (!bad && !counts_match(ours, cJSON_GetObjectItem(ref, "counts"))) bad = "counts";
        CHECK_MSG(!bad, "seed %llu episode %d: '%s' differs", (unsigned long long)seed, episode, bad);
        worlds++;
        if (!bad) {
            matched++;
            if (episode > 1) later++;
        }
        cJSON_Delete(ours);
        cJSON_Delete(ref);
    }
    check_lines_close(lr);
    printf("%ld of %ld worlds matched (%ld of them later episodes)\n", matched, worlds, later);
    CHECK(worlds > 0 && matched == worlds);
    free(state);
    ludus_env_destroy(env);
    free(line_buf);
    return check_finish("test_craft_worldgen");
}
