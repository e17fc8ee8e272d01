/* craft_data.h: helpers shared by the Crafter tests: where the reference
 * data lives (shared/data/crafter, or $LUDUS_CRAFTER_DATA for the hidden
 * set with the same layout) and raw access to JSON numbers that cJSON's
 * doubles cannot hold exactly (Python ints beyond 2^53).
 */
#ifndef LUDUS_CRAFT_DATA_H
#define LUDUS_CRAFT_DATA_H

#include <stdlib.h>

#include "check.h"

/* The data folder, or NULL (after a failed CHECK) when it is missing. */
static inline const char *craft_data_dir(void)
{
    static char dir[2048];
    const char *override = getenv("LUDUS_CRAFTER_DATA");
    if (override && *override) {
        snprintf(dir, sizeof dir, "%s", override);
        return dir;
    }
    const char *shared = check_shared_dir();
    CHECK_MSG(shared != NULL, "the Crafter reference data is missing: the test cannot run");
    if (!shared) return NULL;
    snprintf(dir, sizeof dir, "%s/data/crafter", shared);
    return dir;
}

/* The original textures: the data folder's assets/ (tests only). */
static inline const char *craft_assets_dir(void)
{
    static char dir[2100];
    const char *data = craft_data_dir();
    if (!data) return NULL;
    const char *override = getenv("LUDUS_CRAFTER_TEST_ASSETS");
    if (override && *override) snprintf(dir, sizeof dir, "%s", override);
    else snprintf(dir, sizeof dir, "%s/assets", data);
    return dir;
}

/* The raw text of the number that follows "key": in a compact JSON line. */
static inline const char *craft_raw_number(const char *line, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(line, pat);
    return p ? p + strlen(pat) : NULL;
}

/* A decimal integer (any size, optional '-') as its sign and |n| mod 2^61-1. */
static inline void craft_decimal_mod61(const char *s, int *negative, uint64_t *mod)
{
    const uint64_t P = (1ull << 61) - 1;
    *negative = *s == '-';
    if (*negative) s++;
    uint64_t r = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        /* r * 10 + d mod P without overflow: r < 2^61, so r * 8 < 2^64 */
        uint64_t r8 = r << 3, r2 = r << 1;
        r8 = (r8 & P) + (r8 >> 61);
        if (r8 >= P) r8 -= P;
        r = r8 + r2 + (uint64_t)(*s - '0');
        r = (r & P) + (r >> 61);
        if (r >= P) r -= P;
    }
    *mod = r;
}

#endif
