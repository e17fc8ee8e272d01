/* test_craft_noise.c: OpenSimplex (2014, 3D) against the Python package
 * Crafter uses (shared/data/crafter/opensimplex-vectors.jsonl): the
 * permutation tables of every seed and every noise3 value, compared as
 * doubles with ==, so one ulp of difference fails.
 */
#include <cjson/cJSON.h>

#include "craft_data.h"
#include "envs/craft/craft.h"

int main(void)
{
    const char *dir = craft_data_dir();
    if (!dir) return check_finish("test_craft_noise");
    char path[2200];
    snprintf(path, sizeof path, "%s/opensimplex-vectors.jsonl", dir);
    check_lines *lr = check_lines_open(path);
    CHECK_MSG(lr != NULL, "cannot open %s", path);
    craft_noise noise;
    double seeded = -1;
    long perms = 0, points = 0, wrong = 0;
    const char *line;
    while (lr && (line = check_lines_next(lr))) {
        cJSON *j = cJSON_Parse(line);
        CHECK_MSG(j != NULL, "unparsable line");
        if (!j) continue;
        const char *kind = cJSON_GetObjectItem(j, "kind")->valuestring;
        const cJSON *seed = cJSON_GetObjectItem(j, "seed");
        if (seed && seed->valuedouble != seeded) {
            ludus_craft_noise_seed(&noise, (int64_t)seed->valuedouble);
            seeded = seed->valuedouble;
        }
        if (strcmp(kind, "perm") == 0) {
            const cJSON *perm = cJSON_GetObjectItem(j, "perm"), *grad = cJSON_GetObjectItem(j, "perm_grad_index3");
            int ok = cJSON_GetArraySize(perm) == 256 && cJSON_GetArraySize(grad) == 256;
            for (int i = 0; ok && i < 256; i++)
                ok = noise.perm[i] == cJSON_GetArrayItem(perm, i)->valueint &&
                     noise.grad[i] == cJSON_GetArrayItem(grad, i)->valueint;
            CHECK_MSG(ok, "seed %.0f: permutation differs", seeded);
            perms++;
        } else if (strcmp(kind, "noise3") == 0) {
            double x = cJSON_GetObjectItem(j, "x")->valuedouble, y = cJSON_GetObjectItem(j, "y")->valuedouble;
            double z = cJSON_GetObjectItem(j, "z")->valuedouble, v = cJSON_GetObjectItem(j, "v")->valuedouble;
            double got = ludus_craft_noise3(&noise, x, y, z);
            if (got != v) {
                wrong++;
                CHECK_MSG(0, "seed %.0f noise3(%.17g, %.17g, %.17g) = %.17g, want %.17g (%s)", seeded, x, y, z,
                          got, v, cJSON_GetObjectItem(j, "src")->valuestring);
            } else {
                check_passed++;
            }
            points++;
        }
        cJSON_Delete(j);
    }
    check_lines_close(lr);
    printf("%ld permutations, %ld noise3 points compared, %ld differ\n", perms, points, wrong);
    CHECK(perms > 0 && points > 0);
    return check_finish("test_craft_noise");
}
