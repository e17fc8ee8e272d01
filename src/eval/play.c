/* play.c: the episode driver of evaluation and collection (play.h). Every
 * slot acts at every step (finished ones idle at the tail of the run), so
 * an agent's memory rows stay aligned with the slots; the agent observes
 * each step's last observation before any reset.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "eval/play.h"
#include "learn/agent_internal.h"

int ludus_play_episodes(ludus_agent *agent, const ludus_env *env, const ludus_play_config *cfg,
                        const ludus_play_hooks *h)
{
    if (!agent || !env || !cfg || !h) return ludus_err_set(LUDUS_EINVAL, "play: NULL argument");
    if (cfg->episodes < 1 || cfg->worlds < 1 || cfg->level_count < 1)
        return ludus_err_set(LUDUS_EINVAL, "play: episodes, worlds and level_count must be >= 1");
    const ludus_env_info *info = ludus_env_get_info(env);
    const int E = cfg->episodes, B = E < cfg->worlds ? E : cfg->worlds;
    int rc = ludus_agent_bind(agent, env, B);
    if (rc) return rc;
    const uint32_t flags = ludus_agent_flags(agent);
    const int want_text = (flags & (LUDUS_AGENT_TEXT | LUDUS_AGENT_TEXT_BALROG)) != 0;
    const ludus_text_mode text_mode = (flags & LUDUS_AGENT_TEXT_BALROG) ? LUDUS_TEXT_BALROG : LUDUS_TEXT_FULL;
    int dims, sizes[LUDUS_AGENT_MAX_ACTION_DIMS];
    ludus_agent_action_space(info, &dims, sizes);
    char *states = calloc((size_t)B, info->state_size);
    uint8_t *obs = malloc((size_t)B * info->obs_size), *starts = malloc((size_t)B);
    int *episode = malloc((size_t)B * sizeof(int));
    uint8_t *active = malloc((size_t)B), *ended = calloc((size_t)B, 1);
    uint8_t *term = calloc((size_t)B, 1), *trunc = calloc((size_t)B, 1);
    double *rewards = calloc((size_t)B, sizeof *rewards);
    int32_t *actions = calloc((size_t)B * dims, sizeof(int32_t));
    uint8_t *amask = info->mask_size ? malloc((size_t)B * info->mask_size) : NULL;
    ludus_rng *rngs = calloc((size_t)B, sizeof *rngs);
    const char **missions = calloc((size_t)B, sizeof *missions), **texts = NULL;
    char *text_buf = NULL;
    if (want_text) {
        texts = calloc((size_t)B, sizeof *texts);
        text_buf = malloc((size_t)B * info->text_capacity);
    }
    if (!states || !obs || !starts || !episode || !active || !ended || !term || !trunc || !rewards || !actions ||
        !rngs || !missions || (info->mask_size && !amask) || (want_text && (!texts || !text_buf))) {
        rc = ludus_err_set(LUDUS_ENOMEM, "play: out of memory");
        goto done;
    }
    int next = 0, running = 0;
    /* Start episode `e` in slot w. */
#define START(w, e)                                                                              \
    do {                                                                                         \
        uint64_t level_ = cfg->level_start + (uint64_t)(e) % cfg->level_count;                   \
        void *st_ = states + (size_t)(w) * info->state_size;                                     \
        if ((rc = ludus_env_reset(env, st_, level_, obs + (size_t)(w) * info->obs_size))) goto done; \
        uint32_t words_[4] = {(uint32_t)cfg->seed, (uint32_t)(cfg->seed >> 32), (uint32_t)(e), 0xe7a1u}; \
        ludus_rng_seed_words(&rngs[w], words_, 4);                                               \
        episode[w] = (e);                                                                        \
        starts[w] = 1;                                                                           \
        if (h->start && (rc = h->start(h->user, (w), (e), level_))) goto done;                   \
    } while (0)
    for (int w = 0; w < B; w++) {
        START(w, next);
        next++;
        active[w] = 1;
        running++;
    }
    const ludus_agent_input in = {.n = B, .greedy = cfg->greedy, .obs_size = info->obs_size, .obs = obs,
                                  .missions = missions, .texts = texts, .starts = starts, .rngs = rngs,
                                  .action_dims = dims, .action_sizes = sizes, .action_mask = amask};
    const ludus_agent_feedback fb = {.n = B, .obs_size = info->obs_size, .action_dims = dims, .actions = actions,
                                     .rewards = rewards, .terminated = term, .truncated = trunc,
                                     .next_obs = obs, .stepped = active};
    while (running) {
        for (int w = 0; w < B; w++) {
            const void *st = states + (size_t)w * info->state_size;
            missions[w] = ludus_env_mission(env, st);
            /* an idle slot's action means nothing: every value legal there */
            if (amask && !active[w]) memset(amask + (size_t)w * info->mask_size, 1, (size_t)info->mask_size);
            else if (amask && (rc = ludus_env_action_mask(env, st, amask + (size_t)w * info->mask_size))) goto done;
            if (want_text) {
                char *t = text_buf + (size_t)w * info->text_capacity;
                if ((rc = ludus_env_text(env, st, text_mode, t, info->text_capacity)) < 0) goto done;
                rc = LUDUS_OK;
                texts[w] = t;
            }
            if (active[w] && h->observe &&
                (rc = h->observe(h->user, w, episode[w], obs + (size_t)w * info->obs_size, missions[w],
                                 amask ? amask + (size_t)w * info->mask_size : NULL)))
                goto done;
        }
        if ((rc = ludus_agent_act(agent, &in, actions))) goto done;
        for (int w = 0; w < B; w++) {
            rewards[w] = 0;
            term[w] = trunc[w] = ended[w] = 0;
            if (!active[w]) continue;
            starts[w] = 0;
            ludus_step_out so;
            void *st = states + (size_t)w * info->state_size;
            const int32_t *a = actions + (size_t)w * dims;
            uint8_t *o = obs + (size_t)w * info->obs_size;
            if ((rc = ludus_env_step_vec(env, st, a, o, &so))) goto done;
            rewards[w] = so.reward;
            term[w] = so.terminated;
            trunc[w] = so.truncated;
            ended[w] = so.terminated || so.truncated;
            if (h->step && (rc = h->step(h->user, w, episode[w], a, &so, o, st))) goto done;
        }
        /* the agent sees each step's last observation before any reset */
        if ((rc = ludus_agent_observe(agent, &fb))) goto done;
        for (int w = 0; w < B; w++) {
            if (!ended[w]) continue;
            if (next < E) {
                START(w, next);
                next++;
            } else {
                active[w] = 0;
                running--;
            }
        }
    }
#undef START
done:
    free(states); free(obs); free(starts); free(episode); free(active); free(ended); free(term); free(trunc);
    free(rewards); free(actions); free(rngs); free(missions); free(texts); free(text_buf); free(amask);
    return rc;
}
