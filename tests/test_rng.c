/* test_rng.c: the PCG64/SeedSequence generator against 6,400 draws recorded
 * from numpy 1.24.2 (shared/data/numpy-rng-vectors.jsonl), plus the
 * properties the worlds rely on (no draw for a one-value range, copying a
 * generator forks the stream).
 */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdlib.h>

#include "check.h"

static uint64_t parse_seed(const char *line)
{
    const char *p = strstr(line, "\"seed\":");
    if (!p) return UINT64_MAX;
    p += 7;
    while (*p == ' ') p++;
    return strtoull(p, NULL, 10); /* cJSON keeps only a double: 2^63+5 needs the text */
}

static void test_vectors(void)
{
    const char *shared = check_shared_dir();
    CHECK_MSG(shared != NULL, "numpy RNG vectors need ../shared (see above)");
    if (!shared) return;
    char path[1024];
    snprintf(path, sizeof path, "%s/data/numpy-rng-vectors.jsonl", shared);
    check_lines *lr = check_lines_open(path);
    CHECK_MSG(lr != NULL, "cannot open %s", path);
    if (!lr) return;
    int seeds = 0;
    long draws = 0;
    const char *line;
    while ((line = check_lines_next(lr))) {
        cJSON *doc = cJSON_Parse(line);
        CHECK_MSG(doc != NULL, "unparsable line in %s", path);
        if (!doc) continue;
        const cJSON *kind = cJSON_GetObjectItem(doc, "kind");
        if (!cJSON_IsString(kind) || strcmp(kind->valuestring, "seed") != 0) {
            cJSON_Delete(doc);
            continue;
        }
        uint64_t seed = parse_seed(line);
        ludus_rng rng;
        ludus_rng_seed(&rng, seed);
        seeds++;
        const cJSON *op;
        int k = 0;
        cJSON_ArrayForEach(op, cJSON_GetObjectItem(doc, "ops"))
        {
            const char *name = cJSON_GetArrayItem(op, 0)->valuestring;
            if (strcmp(name, "integers") == 0) {
                int64_t lo = (int64_t)cJSON_GetArrayItem(op, 1)->valuedouble;
                int64_t hi = (int64_t)cJSON_GetArrayItem(op, 2)->valuedouble;
                int64_t want = (int64_t)cJSON_GetArrayItem(op, 3)->valuedouble;
                int64_t got = ludus_rng_integers(&rng, lo, hi);
                CHECK_MSG(got == want, "seed %" PRIu64 " op %d integers(%" PRId64 ",%" PRId64
                          "): %" PRId64 " != %" PRId64, seed, k, lo, hi, got, want);
            } else if (strcmp(name, "random") == 0) {
                double want = cJSON_GetArrayItem(op, 1)->valuedouble;
                double got = ludus_rng_random(&rng);
                CHECK_MSG(got == want, "seed %" PRIu64 " op %d random: %.17g != %.17g", seed, k,
                          got, want);
            } else if (strcmp(name, "uniform") == 0) {
                double lo = cJSON_GetArrayItem(op, 1)->valuedouble;
                double hi = cJSON_GetArrayItem(op, 2)->valuedouble;
                double want = cJSON_GetArrayItem(op, 3)->valuedouble;
                double got = ludus_rng_uniform(&rng, lo, hi);
                CHECK_MSG(got == want, "seed %" PRIu64 " op %d uniform: %.17g != %.17g", seed, k,
                          got, want);
            } else if (strcmp(name, "shuffle") == 0) {
                int n = cJSON_GetArrayItem(op, 1)->valueint;
                const cJSON *want = cJSON_GetArrayItem(op, 2);
                int items[64];
                CHECK(n >= 0 && n <= 64);
                for (int i = 0; i < n; i++) items[i] = i;
                ludus_rng_shuffle(&rng, items, (size_t)n);
                int same = cJSON_GetArraySize(want) == n;
                for (int i = 0; same && i < n; i++)
                    same = items[i] == cJSON_GetArrayItem(want, i)->valueint;
                CHECK_MSG(same, "seed %" PRIu64 " op %d shuffle(%d) differs", seed, k, n);
            } else {
                CHECK_MSG(0, "unknown op %s", name);
            }
            k++;
            draws++;
        }
        cJSON_Delete(doc);
    }
    check_lines_close(lr);
    CHECK_EQ(seeds, 16);
    CHECK_EQ(draws, 6400);
}

static void test_properties(void)
{
    ludus_rng a, b;
    ludus_rng_seed(&a, 7);
    b = a;
    /* A one-value range draws nothing: the streams stay in step. */
    CHECK_EQ(ludus_rng_integers(&a, 5, 6), 5);
    CHECK_EQ(ludus_rng_next64(&a), ludus_rng_next64(&b));
    /* An empty or inverted range returns lo and draws nothing. */
    CHECK_EQ(ludus_rng_integers(&a, 3, 3), 3);
    CHECK_EQ(ludus_rng_integers(&a, 3, -2), 3);
    CHECK_EQ(ludus_rng_next64(&a), ludus_rng_next64(&b));
    /* Copying the struct forks the stream. */
    ludus_rng c = a;
    for (int i = 0; i < 100; i++) CHECK_EQ(ludus_rng_integers(&a, 0, 1000), ludus_rng_integers(&c, 0, 1000));
    /* Wide ranges stay in range. */
    for (int i = 0; i < 1000; i++) {
        int64_t v = ludus_rng_integers(&a, -5, (int64_t)1 << 40);
        CHECK(v >= -5 && v < ((int64_t)1 << 40));
        double u = ludus_rng_random(&a);
        CHECK(u >= 0.0 && u < 1.0);
    }
    /* Multi-word entropy: the 64-bit seed path equals its two-word form. */
    uint32_t w[2] = {5u, 0x80000000u};
    ludus_rng_seed_words(&a, w, 2);
    ludus_rng_seed(&b, 0x8000000000000005ULL);
    CHECK_EQ(ludus_rng_next64(&a), ludus_rng_next64(&b));
}

int main(void)
{
    test_vectors();
    test_properties();
    return check_finish("test_rng");
}
