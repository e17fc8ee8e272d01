/* test_craft_worldgen.c: world generation against stock Crafter
 * (shared/data/crafter/worldgen.jsonl.gz). Every recorded world is rebuilt
 * through the public API from its seed (episode e: reset, then e-1
 * continued resets) and its reset trace line must match: materials,
 * objects, chunk order, player, RNG words consumed, semantic and frame
 * digests (with the original textures) and the per-class counts. Then the
 * library's generator, which reorders the noise for speed, is compared
 * with a plain cell-by-cell model of spec §4 on many more seeds.
 */
#include <cjson/cJSON.h>
#include <math.h>

#include "craft_data.h"
#include "envs/craft/craft.h"

/* ---- a plain model of spec/crafter.md §4, one cell at a time ---- */

static double model_noise(const craft_noise *n, double x, double y, double z, double size)
{
    return ludus_craft_noise3(n, x / size, y / size, z);
}

static unsigned model_material(craft_mt *rng, const craft_noise *n, int x, int y, int *tunnel)
{
    double start = 4 - sqrt((double)((x - 32) * (x - 32) + (y - 32) * (y - 32)));
    start += 2 * model_noise(n, x, y, 8, 3);
    start = 1 / (1 + exp(-start));
    double water = model_noise(n, x, y, 3, 15);
    water += 0.15 * model_noise(n, x, y, 3, 5);
    water += 0.1;
    water -= 2 * start;
    double mountain = model_noise(n, x, y, 0, 15);
    mountain += 0.3 * model_noise(n, x, y, 0, 5);
    mountain /= 1 + 0.3;
    mountain -= 4 * start + 0.3 * water;
    if (start > 0.5) return MAT_GRASS;
    if (mountain > 0.15) {
        if (model_noise(n, x, y, 6, 7) > 0.15 && mountain > 0.3) return MAT_PATH;
        if (model_noise(n, 2.0 * x, y / 5.0, 7, 3) > 0.4) return *tunnel = 1, MAT_PATH;
        if (model_noise(n, x / 5.0, 2.0 * y, 7, 3) > 0.4) return *tunnel = 1, MAT_PATH;
        if (model_noise(n, x, y, 1, 8) > 0 && craft_mt_uniform(rng) > 0.85) return MAT_COAL;
        if (model_noise(n, x, y, 2, 6) > 0.4 && craft_mt_uniform(rng) > 0.75) return MAT_IRON;
        if (mountain > 0.18 && craft_mt_uniform(rng) > 0.994) return MAT_DIAMOND;
        if (mountain > 0.3 && model_noise(n, x, y, 6, 5) > 0.35) return MAT_LAVA;
        return MAT_STONE;
    }
    if (0.25 < water && water <= 0.35 && model_noise(n, x, y, 4, 9) > -0.2) return MAT_SAND;
    if (0.3 < water) return MAT_WATER;
    if (model_noise(n, x, y, 5, 7) > 0 && craft_mt_uniform(rng) > 0.8) return MAT_TREE;
    return MAT_GRASS;
}

/* The model's world: materials, objects [kind, x, y] in creation order,
 * and the words drawn. Returns the number of objects (player first). */
static int model_world(uint64_t seed, uint32_t episode, uint8_t mat[64][64], int objs[][3], uint64_t *words)
{
    craft_mt rng;
    ludus_craft_mt_seed(&rng, ludus_craft_world_seed(seed, episode));
    craft_noise noise;
    ludus_craft_noise_seed(&noise, ludus_craft_mt_randint(&rng, 2147483647u));
    static int tunnel[64][64];
    memset(tunnel, 0, sizeof tunnel);
    for (int x = 0; x < 64; x++)
        for (int y = 0; y < 64; y++) mat[x][y] = (uint8_t)model_material(&rng, &noise, x, y, &tunnel[x][y]);
    int n = 0;
    objs[n][0] = KIND_PLAYER, objs[n][1] = 32, objs[n][2] = 32, n++;
    for (int x = 0; x < 64; x++)
        for (int y = 0; y < 64; y++) {
            unsigned m = mat[x][y];
            if (m != MAT_GRASS && m != MAT_SAND && m != MAT_PATH) continue;
            double d = sqrt((double)((x - 32) * (x - 32) + (y - 32) * (y - 32)));
            int kind = 0;
            if (d > 3 && m == MAT_GRASS && craft_mt_uniform(&rng) > 0.985) kind = KIND_COW;
            else if (d > 10 && craft_mt_uniform(&rng) > 0.993) kind = KIND_ZOMBIE;
            else if (m == MAT_PATH && tunnel[x][y] && craft_mt_uniform(&rng) > 0.95) kind = KIND_SKELETON;
            if (kind) objs[n][0] = kind, objs[n][1] = x, objs[n][2] = y, n++;
        }
    *words = rng.words;
    return n;
}

static void check_against_model(long seeds)
{
    ludus_env *env = NULL;
    CHECK_OK(ludus_env_make("Crafter-Reward-v1", "assets=", &env));
    if (!env) return;
    craft_state *st = ludus_env_state_new(env);
    static uint8_t mat[64][64];
    static int objs[4096][3];
    long same = 0;
    for (long i = 0; i < seeds; i++) {
        /* small seeds, then seeds spread over the uint64 range */
        uint64_t seed = i < seeds / 2 ? (uint64_t)i : (uint64_t)i * 0x9e3779b97f4a7c15ull;
        uint32_t episode = 1 + (uint32_t)(i % 3);
        ludus_env_reset(env, st, seed, NULL);
        for (uint32_t e = 1; e < episode; e++) ludus_env_reset_continue(env, st, NULL);
        uint64_t words;
        int n = model_world(seed, episode, mat, objs, &words);
        int ok = (int)st->num_objs == n && st->rng.words == words;
        for (int x = 0; ok && x < 64; x++)
            for (int y = 0; ok && y < 64; y++) ok = craft_mat_at(st, x, y) == mat[x][y];
        for (int k = 0; ok && k < n; k++)
            ok = st->objs[k].kind == objs[k][0] && st->objs[k].x == objs[k][1] && st->objs[k].y == objs[k][2];
        CHECK_MSG(ok, "seed %llu episode %u: the generator differs from the plain model", (unsigned long long)seed,
                  episode);
        same += ok;
    }
    printf("%ld of %ld worlds equal to the plain model of spec section 4\n", same, seeds);
    free(st);
    ludus_env_destroy(env);
}

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
    const char *longer = getenv("LUDUS_LONG_TESTS");
    check_against_model(longer && *longer == '1' ? 20000 : 400);
    return check_finish("test_craft_worldgen");
}
