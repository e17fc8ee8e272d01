/* test_craft_rng.c: Crafter's random numbers against numpy and CPython
 * (shared/data/crafter/rng-vectors.jsonl): every tuple hash and world seed,
 * the first 1248 raw MT19937 outputs of each stream, and every recorded
 * call (randint, uniform, the night-noise array) with the words consumed.
 * Also: skipping words equals drawing them, and the uint64 seed edges.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdint.h>

#include "craft_data.h"
#include "envs/craft/craft.h"

static long hashes, streams, ops, draws;

static void check_tuple_hash(const char *line)
{
    const char *a = craft_raw_number(line, "a"), *b = craft_raw_number(line, "b");
    const char *h = craft_raw_number(line, "hash"), *w = craft_raw_number(line, "world_seed");
    CHECK_MSG(a && b && h && w, "malformed tuple_hash line: %.80s", line);
    if (!a || !b || !h || !w) return;
    int na, nb;
    uint64_t ma, mb;
    craft_decimal_mod61(a, &na, &ma);
    craft_decimal_mod61(b, &nb, &mb);
    int64_t got = ludus_craft_py_hash_pair(ludus_craft_py_hash_int(na, ma), ludus_craft_py_hash_int(nb, mb));
    long long want = strtoll(h, NULL, 10);
    CHECK_MSG(got == want, "hash((%.24s, %.4s)) = %lld, want %lld", a, b, (long long)got, want);
    const int64_t m = 2147483647;
    int64_t ws = got % m;
    if (ws < 0) ws += m;
    CHECK_EQ(ws, strtoll(w, NULL, 10));
    /* For Crafter's own seeds (non-negative, below 2^64) the one-call form agrees. */
    errno = 0;
    unsigned long long sa = strtoull(a, NULL, 10), sb = strtoull(b, NULL, 10);
    if (!na && !nb && errno == 0) CHECK_EQ(ludus_craft_world_seed(sa, sb), ws);
    hashes++;
}

static void check_stream(const cJSON *j)
{
    uint32_t seed = (uint32_t)cJSON_GetObjectItem(j, "seed")->valuedouble;
    const cJSON *raw = cJSON_GetObjectItem(j, "raw32");
    craft_mt mt;
    ludus_craft_mt_seed(&mt, seed);
    int i = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, raw)
    {
        uint32_t got = craft_mt_next32(&mt);
        if (got != (uint32_t)v->valuedouble) {
            CHECK_MSG(0, "seed %u raw32[%d] = %u, want %.0f", seed, i, got, v->valuedouble);
            return;
        }
        i++;
    }
    CHECK_MSG(i == 1248, "seed %u: %d raw words", seed, i);
    check_passed++;

    ludus_craft_mt_seed(&mt, seed);
    const cJSON *op;
    int k = 0;
    cJSON_ArrayForEach(op, cJSON_GetObjectItem(j, "ops"))
    {
        const char *name = cJSON_GetObjectItem(op, "op")->valuestring;
        const cJSON *out = cJSON_GetObjectItem(op, "out");
        double low = cJSON_GetObjectItem(op, "low")->valuedouble;
        double high = cJSON_GetObjectItem(op, "high")->valuedouble;
        int ok = 1;
        if (strcmp(name, "randint") == 0) {
            int64_t got = (int64_t)low + ludus_craft_mt_randint(&mt, (uint32_t)(high - low));
            ok = got == (int64_t)out->valuedouble;
            draws++;
        } else if (strcmp(name, "uniform") == 0) {
            double got = low + (high - low) * craft_mt_uniform(&mt);
            ok = got == out->valuedouble;
            draws++;
        } else if (strcmp(name, "uniform_array") == 0) {
            const cJSON *x;
            cJSON_ArrayForEach(x, out)
            {
                double got = low + (high - low) * craft_mt_uniform(&mt);
                ok &= got == x->valuedouble;
                draws++;
            }
        } else {
            ok = 0;
        }
        uint64_t words = (uint64_t)cJSON_GetObjectItem(op, "words")->valuedouble;
        if (!ok || mt.words != words) {
            CHECK_MSG(0, "seed %u op %d (%s): value %s, words %llu want %llu", seed, k, name,
                      ok ? "ok" : "differs", (unsigned long long)mt.words, (unsigned long long)words);
            return;
        }
        k++;
        ops++;
    }
    check_passed++;
    streams++;
}

/* ludus_craft_mt_advance(n) must leave the stream where n draws would. */
static void check_advance(void)
{
    static const uint64_t starts[] = {0, 1, 300, 623, 624, 625, 1000};
    static const uint64_t skips[] = {0, 1, 2, 623, 624, 625, 1247, 1248, 6174, 6175, 20000};
    for (size_t a = 0; a < sizeof starts / sizeof *starts; a++)
        for (size_t b = 0; b < sizeof skips / sizeof *skips; b++) {
            craft_mt x, y;
            ludus_craft_mt_seed(&x, 1256191933u);
            for (uint64_t i = 0; i < starts[a]; i++) craft_mt_next32(&x);
            y = x;
            for (uint64_t i = 0; i < skips[b]; i++) craft_mt_next32(&x);
            ludus_craft_mt_advance(&y, skips[b]);
            CHECK_MSG(x.words == y.words && craft_mt_next32(&x) == craft_mt_next32(&y) &&
                          craft_mt_next32(&x) == craft_mt_next32(&y),
                      "advance %llu from %llu", (unsigned long long)skips[b], (unsigned long long)starts[a]);
        }
}

/* A ludus seed is the Python int of the same value: seeds at and above
 * 2^61 - 1 wrap as CPython's int hash does. */
static void check_seed_edges(void)
{
    CHECK_EQ(ludus_craft_world_seed(0, 1), 1256191933);
    const uint64_t p = (1ull << 61) - 1;
    CHECK_EQ(ludus_craft_world_seed(p, 1), ludus_craft_world_seed(0, 1));
    CHECK_EQ(ludus_craft_world_seed(p + 5, 3), ludus_craft_world_seed(5, 3));
    CHECK_EQ(ludus_craft_world_seed(1ull << 63, 1), ludus_craft_world_seed(4, 1));        /* 2^63 = 4 (mod p) */
    CHECK_EQ(ludus_craft_world_seed(UINT64_MAX, 1), ludus_craft_world_seed(7, 1));        /* 2^64-1 = 7 (mod p) */
    CHECK(ludus_craft_world_seed(UINT64_MAX, 1) < 2147483647u);
    CHECK(ludus_craft_py_hash_int(1, 1) == -2);                                       /* hash(-1) == -2 */
}

int main(void)
{
    const char *dir = craft_data_dir();
    if (!dir) return check_finish("test_craft_rng");
    char path[2200];
    snprintf(path, sizeof path, "%s/rng-vectors.jsonl", dir);
    check_lines *lr = check_lines_open(path);
    CHECK_MSG(lr != NULL, "cannot open %s", path);
    const char *line;
    while (lr && (line = check_lines_next(lr))) {
        if (strstr(line, "\"kind\":\"tuple_hash\"")) {
            check_tuple_hash(line);
        } else if (strstr(line, "\"kind\":\"mt19937\"")) {
            cJSON *j = cJSON_Parse(line);
            CHECK_MSG(j != NULL, "unparsable stream line");
            if (j) check_stream(j);
            cJSON_Delete(j);
        }
    }
    check_lines_close(lr);
    printf("%ld tuple hashes, %ld streams, %ld calls (%ld draws) matched\n", hashes, streams, ops, draws);
    CHECK(hashes > 0 && streams > 0);
    check_advance();
    check_seed_edges();
    return check_finish("test_craft_rng");
}
