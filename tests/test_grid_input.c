/* test_grid_input.c: what a user can get wrong with a grid world, and the
 * state promises the grid family makes. Bad options and misused states get
 * a clear error; extreme seeds reset deterministically; a state cloned with
 * memcpy replays exactly like the original (observations, rewards, flags
 * and the whole state block, across episode boundaries).
 */
#include <stdlib.h>

#include "check.h"

enum { TURN_LEFT = 0, TURN_RIGHT = 1, FORWARD = 2 }; /* MiniGrid action ids */

static int is_grid_id(const char *id) { return !strncmp(id, "MiniGrid-", 9) || !strncmp(id, "BabyAI-", 7); }

static void check_bad_option(const char *id, const char *options, const char *needle)
{
    ludus_env *env = (ludus_env *)1;
    CHECK_ERR(ludus_env_make(id, options, &env), LUDUS_EINVAL);
    CHECK_MSG(env == NULL, "%s [%s]: out not cleared on failure", id, options);
    CHECK_MSG(strstr(ludus_errmsg(), needle) != NULL, "%s [%s]: message '%s' lacks '%s'", id, options,
              ludus_errmsg(), needle);
}

static void test_bad_options(void)
{
    static const char *const ids[] = {"MiniGrid-Empty-8x8-v0", "MiniGrid-MultiRoom-N6-v0",
                                      "MiniGrid-PutNear-8x8-N3-v0", "MiniGrid-MemoryS13Random-v0"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        const char *id = ids[i];
        check_bad_option(id, "foo=1", "unknown option 'foo'");
        check_bad_option(id, "max_steps=10,size=9", "unknown option 'size'");
        check_bad_option(id, "agent_view_size=4", "odd");
        check_bad_option(id, "agent_view_size=14", "odd");
        check_bad_option(id, "agent_view_size=1", "agent_view_size");
        check_bad_option(id, "agent_view_size=17", "agent_view_size");
        check_bad_option(id, "agent_view_size=-7", "agent_view_size");
        check_bad_option(id, "agent_view_size=seven", "agent_view_size");
        check_bad_option(id, "agent_view_size=7x", "agent_view_size");
        check_bad_option(id, "agent_view_size=", "agent_view_size");
        check_bad_option(id, "max_steps=0", "max_steps");
        check_bad_option(id, "max_steps=-1", "max_steps");
        check_bad_option(id, "max_steps=99999999999999999999", "max_steps");
        check_bad_option(id, "max_steps=1.5", "max_steps");
        check_bad_option(id, "max_steps", "malformed");
        check_bad_option(id, "=5", "malformed");
    }
}

/* Valid options change what they say and nothing else. */
static void test_good_options(void)
{
    static const char *const ids[] = {"MiniGrid-Fetch-8x8-N3-v0", "MiniGrid-GoToDoor-8x8-v0",
                                      "MiniGrid-GoToObject-8x8-N2-v0", "MiniGrid-PutNear-8x8-N3-v0"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        ludus_env *e7 = NULL, *e5 = NULL;
        CHECK_OK(ludus_env_make(ids[i], NULL, &e7));
        CHECK_OK(ludus_env_make(ids[i], "agent_view_size=5,max_steps=3", &e5));
        if (!e7 || !e5) {
            ludus_env_destroy(e7);
            ludus_env_destroy(e5);
            continue;
        }
        const ludus_env_info *i5 = ludus_env_get_info(e5);
        CHECK_EQ(i5->obs_size, 5 * 5 * 3 + 1);
        CHECK_EQ(i5->max_steps, 3);
        void *s7 = ludus_env_state_new(e7), *s5 = ludus_env_state_new(e5);
        uint8_t o7[7 * 7 * 3 + 1], o5[5 * 5 * 3 + 1];
        CHECK_OK(ludus_env_reset(e7, s7, 4, o7));
        CHECK_OK(ludus_env_reset(e5, s5, 4, o5));
        CHECK_STR(ludus_env_mission(e5, s5), ludus_env_mission(e7, s7));
        /* These worlds see through walls, so the 5x5 view is the 7x7 view
         * without its outer columns and its two farthest rows. */
        static const int actions[3] = {TURN_LEFT, FORWARD, TURN_RIGHT};
        for (int t = 0; t <= 3; t++) {
            int same = 1;
            for (int vx = 0; vx < 5; vx++)
                for (int vy = 0; vy < 5; vy++)
                    same &= memcmp(o5 + (vx * 5 + vy) * 3, o7 + ((vx + 1) * 7 + vy + 2) * 3, 3) == 0;
            CHECK_MSG(same, "%s t=%d: 5x5 view is not the centre of the 7x7 view", ids[i], t);
            CHECK_EQ(o5[75], o7[147]);
            if (t == 3) break;
            ludus_step_out a, b;
            CHECK_OK(ludus_env_step(e7, s7, actions[t], o7, &a));
            CHECK_OK(ludus_env_step(e5, s5, actions[t], o5, &b));
            CHECK_EQ(b.truncated, t == 2);
            CHECK_EQ(a.truncated, 0);
        }
        free(s7);
        free(s5);
        ludus_env_destroy(e7);
        ludus_env_destroy(e5);
    }
}

/* Steps and reads on a state that was never reset, or belongs to another
 * world, and out-of-range actions are refused. */
static void test_state_misuse(void)
{
    ludus_env *a = NULL, *b = NULL;
    CHECK_OK(ludus_env_make("MiniGrid-RedBlueDoors-8x8-v0", NULL, &a));
    CHECK_OK(ludus_env_make("MiniGrid-LockedRoom-v0", NULL, &b));
    if (!a || !b) goto done;
    void *sa = ludus_env_state_new(a), *sb = ludus_env_state_new(b);
    ludus_step_out out;
    uint8_t obs[7 * 7 * 3 + 1];
    CHECK_ERR(ludus_env_step(a, sa, 0, NULL, &out), LUDUS_ESTATE);
    CHECK_ERR(ludus_env_observe(a, sa, obs), LUDUS_ESTATE);
    CHECK_OK(ludus_env_reset(b, sb, 1, NULL));
    CHECK_ERR(ludus_env_step(a, sb, 0, NULL, &out), LUDUS_ESTATE);
    CHECK_OK(ludus_env_reset(a, sa, 1, NULL));
    CHECK_ERR(ludus_env_step(a, sa, -1, NULL, &out), LUDUS_EINVAL);
    CHECK_ERR(ludus_env_step(a, sa, 7, NULL, &out), LUDUS_EINVAL);
    CHECK_EQ(ludus_env_step_count(a, sa), 0);
    CHECK_OK(ludus_env_step(a, sa, 6, NULL, &out));
    CHECK_EQ(ludus_env_step_count(a, sa), 1);
    free(sa);
    free(sb);
done:
    ludus_env_destroy(a);
    ludus_env_destroy(b);
}

/* Seeds at the edges of uint64 reset fine, and twice the same way. */
static void test_edge_seeds(void)
{
    static const uint64_t seeds[] = {0, 1, UINT64_C(1) << 63, UINT64_MAX - 1, UINT64_MAX};
    for (int i = 0; i < ludus_env_count(); i++) {
        const char *id = ludus_env_id(i);
        if (!is_grid_id(id)) continue;
        ludus_env *env = NULL;
        CHECK_OK(ludus_env_make(id, NULL, &env));
        if (!env) continue;
        const ludus_env_info *info = ludus_env_get_info(env);
        void *x = ludus_env_state_new(env), *y = ludus_env_state_new(env);
        uint8_t *ox = malloc(info->obs_size), *oy = malloc(info->obs_size);
        for (size_t k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
            CHECK_OK(ludus_env_reset(env, x, seeds[k], ox));
            memset(y, 0xa5, info->state_size); /* garbage must not leak into the layout */
            CHECK_OK(ludus_env_reset(env, y, seeds[k], oy));
            CHECK_MSG(memcmp(x, y, info->state_size) == 0, "%s seed %llu: two resets differ", id,
                      (unsigned long long)seeds[k]);
            CHECK_MSG(memcmp(ox, oy, info->obs_size) == 0, "%s seed %llu: observations differ", id,
                      (unsigned long long)seeds[k]);
            char line[64];
            int n = ludus_env_trace_reset(env, x, seeds[k], NULL, 0);
            CHECK_MSG(n > 0, "%s: trace_reset failed", id);
            snprintf(line, sizeof line, "\"seed\":%llu,", (unsigned long long)seeds[k]);
            char *buf = malloc((size_t)n + 1);
            ludus_env_trace_reset(env, x, seeds[k], buf, (size_t)n + 1);
            CHECK_MSG(strstr(buf, line) != NULL, "%s: trace line lacks %s", id, line);
            free(buf);
        }
        free(ox);
        free(oy);
        free(x);
        free(y);
        ludus_env_destroy(env);
    }
}

/* A clone made with memcpy, mid-episode, replays exactly like the
 * original over several episodes (resets continue each state's own RNG
 * stream, so they must agree too). */
static void test_memcpy_clone(void)
{
    int ids = 0;
    for (int i = 0; i < ludus_env_count(); i++) {
        const char *id = ludus_env_id(i);
        if (!is_grid_id(id)) continue;
        ludus_env *env = NULL;
        CHECK_OK(ludus_env_make(id, NULL, &env));
        if (!env) continue;
        ids++;
        const ludus_env_info *info = ludus_env_get_info(env);
        void *a = ludus_env_state_new(env), *b = ludus_env_state_new(env);
        uint8_t *oa = malloc(info->obs_size), *ob = malloc(info->obs_size);
        uint32_t lcg = 2024u + (uint32_t)i;
        CHECK_OK(ludus_env_reset(env, a, 77, oa));
        for (int t = 0; t < 7; t++) {
            lcg = lcg * 1664525u + 1013904223u;
            ludus_step_out out;
            CHECK_OK(ludus_env_step(env, a, (int)((lcg >> 16) % (uint32_t)info->max_action), oa, &out));
            if (out.terminated || out.truncated) CHECK_OK(ludus_env_reset_continue(env, a, oa));
        }
        memcpy(b, a, info->state_size);
        int mismatch = 0, episodes = 0;
        for (int t = 0; t < 400 && !mismatch; t++) {
            lcg = lcg * 1664525u + 1013904223u;
            int action = (int)((lcg >> 16) % (uint32_t)info->max_action);
            ludus_step_out ra, rb;
            CHECK_OK(ludus_env_step(env, a, action, oa, &ra));
            CHECK_OK(ludus_env_step(env, b, action, ob, &rb));
            mismatch |= memcmp(&ra.reward, &rb.reward, sizeof ra.reward) != 0;
            mismatch |= ra.terminated != rb.terminated || ra.truncated != rb.truncated || ra.success != rb.success;
            mismatch |= memcmp(oa, ob, info->obs_size) != 0;
            mismatch |= memcmp(a, b, info->state_size) != 0;
            if (ra.terminated || ra.truncated) {
                episodes++;
                CHECK_OK(ludus_env_reset_continue(env, a, oa));
                CHECK_OK(ludus_env_reset_continue(env, b, ob));
                mismatch |= memcmp(oa, ob, info->obs_size) != 0 || memcmp(a, b, info->state_size) != 0;
                mismatch |= strcmp(ludus_env_mission(env, a), ludus_env_mission(env, b)) != 0;
            }
            CHECK_MSG(!mismatch, "%s: the memcpy clone diverged at step %d", id, t);
        }
        free(oa);
        free(ob);
        free(a);
        free(b);
        ludus_env_destroy(env);
    }
    CHECK_MSG(ids > 0, "no grid id is registered");
}

int main(void)
{
    test_bad_options();
    test_good_options();
    test_state_misuse();
    test_edge_seeds();
    test_memcpy_clone();
    return check_finish("test_grid_input");
}
