/* test_web_trace.c: recorded traces of the web worlds. For every task of
 * the web family and five option sets (the default, with the legal-action
 * mask; `mask=0,reward=shaped`, where every kind of invalid action
 * happens; `reward=partial`, `split=test,holdout=entity` and
 * `split=train,holdout=skin` with the oracle's action 3 steps in 4, so
 * that every page of a site is reached), a seeded stream of random actions
 * plays STEPS steps through
 * the public API, resetting with seeds 0, 1, 2, ... as episodes end, and
 * an FNV-1a hash folds in, every step, the tensor observation, the mask,
 * the reward, the end flags and the whole state, and every 4th step the
 * FULL text observation. The expected hashes were recorded from the
 * worlds as they were before the hot path was made faster (the library of
 * commit ea9b4ad, the parent of "test_web_trace: record the web worlds'
 * traces"), so any change in what a world does or shows fails here. A task that is not in the table (added
 * later) is reported and skipped; LUDUS_WEB_TRACE_PRINT=1 prints the table.
 * The ids with held-out compositions also play `split=test,holdout=task`
 * (rows recorded when that option came: the rejection draw is pinned).
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ludus/web.h"

#define STEPS 6000
#define NOPTS 5

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A value of component k: uniform over its range, or over the values the
 * mask allows (the mask always allows one). */
static int32_t draw(uint64_t *rng, const uint8_t *mask, int n)
{
    if (!mask) return (int32_t)(next(rng) % (uint64_t)n);
    int allowed = 0;
    for (int v = 0; v < n; v++) allowed += mask[v];
    int pick = (int)(next(rng) % (uint64_t)allowed);
    for (int v = 0; v < n; v++)
        if (mask[v] && pick-- == 0) return v;
    return 0;
}

static uint64_t trace(const char *id, const char *opts, int oracle)
{
    ludus_env *env = NULL;
    CHECK_OK(ludus_env_make(id, opts, &env));
    if (!env) return 0;
    const ludus_env_info *in = ludus_env_get_info(env);
    void *st = ludus_env_state_new(env);
    uint8_t *obs = malloc(in->obs_size), *mask = malloc(in->mask_size ? in->mask_size : 1);
    char *text = malloc(in->text_capacity);
    uint64_t h = 0xcbf29ce484222325ull, rng = 12345, seed = 0;
    CHECK_OK(ludus_env_reset(env, st, seed++, obs));
    for (int t = 0; t < STEPS; t++) {
        int32_t a[3];
        if (in->mask_size) CHECK_OK(ludus_env_action_mask(env, st, mask));
        for (int k = 0, off = 0; k < 3; off += in->action_nvec[k], k++)
            a[k] = draw(&rng, in->mask_size ? mask + off : NULL, in->action_nvec[k]);
        if (oracle && next(&rng) % 4 != 0) CHECK_OK(ludus_web_oracle_action(env, st, a));
        ludus_step_out out;
        CHECK_OK(ludus_env_step_vec(env, st, a, obs, &out));
        h = fnv(h, obs, in->obs_size);
        h = fnv(h, &out.reward, sizeof out.reward);
        uint8_t ends[3] = {out.terminated, out.truncated, out.success};
        h = fnv(h, ends, 3);
        h = fnv(h, st, in->state_size);
        if (in->mask_size) {
            CHECK_OK(ludus_env_action_mask(env, st, mask));
            h = fnv(h, mask, in->mask_size);
        }
        if (t % 4 == 0) {
            int len = ludus_env_text(env, st, LUDUS_TEXT_FULL, text, in->text_capacity);
            CHECK(len > 0);
            if (len > 0) h = fnv(h, text, (size_t)len);
        }
        if (out.terminated || out.truncated) CHECK_OK(ludus_env_reset(env, st, seed++, obs));
    }
    free(text);
    free(mask);
    free(obs);
    ludus_free(st);
    ludus_env_destroy(env);
    return h;
}

static const struct {
    const char *id, *opts;
    uint64_t hash;
} recorded[] = {
#include "data/web_trace.h"
    {NULL, NULL, 0},
};

int main(void)
{
    /* the third and the last two: the oracle's action 3 times in 4, so that
     * every page of a site is built; the held-out splits draw from other
     * word pools and skins */
    const char *const opts[NOPTS] = {"", "mask=0,reward=shaped", "reward=partial", "split=test,holdout=entity",
                                     "split=train,holdout=skin"};
    int print = getenv("LUDUS_WEB_TRACE_PRINT") != NULL, checked = 0;
    for (int w = 0; w < ludus_env_count(); w++) {
        const char *id = ludus_env_id(w);
        if (strncmp(id, "Web-", 4) != 0) continue;
        for (int o = 0; o <= NOPTS; o++) {
            /* and, for the ids that take it, held-out compositions (a level
             * redrawn until its composition is the test split's) */
            const char *opt = o < NOPTS ? opts[o] : "split=test,holdout=task";
            ludus_env *probe = NULL;
            if (o == NOPTS && ludus_env_make(id, opt, &probe) != LUDUS_OK) continue;
            ludus_env_destroy(probe);
            uint64_t h = trace(id, opt, o >= 2);
            if (print) printf("    {\"%s\", \"%s\", 0x%016llxull},\n", id, opt, (unsigned long long)h);
            int found = 0;
            for (size_t k = 0; recorded[k].id; k++)
                if (strcmp(recorded[k].id, id) == 0 && strcmp(recorded[k].opts, opt) == 0) {
                    found = 1;
                    checked++;
                    CHECK_MSG(h == recorded[k].hash, "%s [%s]: trace hash %016llx, recorded %016llx", id, opt,
                              (unsigned long long)h, (unsigned long long)recorded[k].hash);
                }
            if (!found && !print) fprintf(stderr, "test_web_trace: %s [%s] has no recorded trace\n", id, opt);
        }
    }
    CHECK(checked >= 17 * NOPTS || print); /* the 17 tasks recorded, every option set */
    return check_finish("test_web_trace");
}
