/* agent.c: the agent interface (include/ludus/agent.h) and the agents that
 * need no file: uniformly random, and a C callback. The library wraps every
 * agent's table so the checks live at one edge: inputs against the bound
 * world before the agent sees them, and the agent's actions against the
 * action space (and mask) before a world does, whoever wrote the agent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "learn/agent_internal.h"

#define AGENT_NAME_CAP 64
#define AGENT_PATH_CAP 4096
#define AGENT_ID_CAP 96
#define AGENT_OPTIONS_CAP 256

struct ludus_agent {
    ludus_agent_ops ops;
    void *self;
    char name[AGENT_NAME_CAP];
    char checkpoint[AGENT_PATH_CAP];  /* "" none */
    char env_id[AGENT_ID_CAP];        /* "" none */
    char env_options[AGENT_OPTIONS_CAP];
    /* the world of the last bind ("" before one) */
    char bound_id[AGENT_ID_CAP];
    int max_worlds;
    size_t obs_size;
    int action_dims;
    int action_sizes[LUDUS_AGENT_MAX_ACTION_DIMS];
    int mask_width;                   /* sum of action_sizes */
    const char **no_missions;         /* (max_worlds) "", lent when a caller gives none */
};

/* Today every world has one component, Discrete(num_actions). */
void ludus_agent_action_space(const ludus_env_info *info, int *dims, int *sizes)
{
    *dims = info->action_dims;
    for (int d = 0; d < info->action_dims; d++) sizes[d] = info->action_nvec[d];
}

static int copy_str(char *dst, size_t cap, const char *src, const char *what)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) return ludus_err_set(LUDUS_EINVAL, "agent: the %s is too long (%zu bytes, at most %zu)", what, n, cap - 1);
    memcpy(dst, src ? src : "", n + 1);
    return LUDUS_OK;
}

int ludus_agent_fail(int code, const char *message)
{
    return ludus_err_set(code, "%s", message ? message : "");
}

int ludus_agent_create(const ludus_agent_ops *ops, void *self, ludus_agent **out)
{
    if (!out) return ludus_err_set(LUDUS_EINVAL, "agent create: NULL out");
    *out = NULL;
    if (!ops || !ops->act) return ludus_err_set(LUDUS_EINVAL, "agent create: the table has no act function");
    if (ops->flags & ~(uint32_t)(LUDUS_AGENT_TEXT | LUDUS_AGENT_TEXT_BALROG))
        return ludus_err_set(LUDUS_EINVAL, "agent create: unknown flags 0x%x", (unsigned)ops->flags);
    if ((ops->flags & LUDUS_AGENT_TEXT) && (ops->flags & LUDUS_AGENT_TEXT_BALROG))
        return ludus_err_set(LUDUS_EINVAL, "agent create: LUDUS_AGENT_TEXT and LUDUS_AGENT_TEXT_BALROG exclude each other");
    ludus_agent *a = calloc(1, sizeof *a);
    if (!a) return ludus_err_set(LUDUS_ENOMEM, "agent create: out of memory");
    int rc = copy_str(a->name, sizeof a->name, ops->name ? ops->name : "agent", "name");
    if (rc) {
        free(a);
        return rc;
    }
    a->ops = *ops;
    a->ops.name = a->name;
    a->self = self;
    *out = a;
    return LUDUS_OK;
}

void ludus_agent_destroy(ludus_agent *a)
{
    if (!a) return;
    if (a->ops.destroy) a->ops.destroy(a->self);
    free(a->no_missions);
    free(a);
}

int ludus_agent_set_origin(ludus_agent *a, const char *checkpoint, const char *env_id, const char *env_options)
{
    if (!a) return ludus_err_set(LUDUS_EINVAL, "agent origin: NULL agent");
    char ck[AGENT_PATH_CAP], id[AGENT_ID_CAP], opts[AGENT_OPTIONS_CAP];
    int rc = copy_str(ck, sizeof ck, checkpoint, "checkpoint path");
    if (!rc) rc = copy_str(id, sizeof id, env_id, "world id");
    if (!rc) rc = copy_str(opts, sizeof opts, env_options, "world options");
    if (rc) return rc;
    memcpy(a->checkpoint, ck, sizeof ck);
    memcpy(a->env_id, id, sizeof id);
    memcpy(a->env_options, opts, sizeof opts);
    return LUDUS_OK;
}

const char *ludus_agent_name(const ludus_agent *a)
{
    return a ? a->name : NULL;
}

uint32_t ludus_agent_flags(const ludus_agent *a)
{
    return a ? a->ops.flags : 0;
}

const char *ludus_agent_checkpoint(const ludus_agent *a)
{
    return a && a->checkpoint[0] ? a->checkpoint : NULL;
}

const char *ludus_agent_env_id(const ludus_agent *a)
{
    return a && a->env_id[0] ? a->env_id : NULL;
}

const char *ludus_agent_env_options(const ludus_agent *a)
{
    return a && a->env_id[0] ? a->env_options : NULL;
}

int ludus_agent_bind(ludus_agent *a, const ludus_env *env, int max_worlds)
{
    if (!a || !env) return ludus_err_set(LUDUS_EINVAL, "agent bind: NULL argument");
    if (max_worlds < 1)
        return ludus_err_set(LUDUS_EINVAL, "agent bind: max_worlds must be >= 1, got %d", max_worlds);
    const ludus_env_info *info = ludus_env_get_info(env);
    int dims, sizes[LUDUS_AGENT_MAX_ACTION_DIMS];
    ludus_agent_action_space(info, &dims, sizes);
    ludus_err_set(LUDUS_OK, "%s", "");
    int rc = a->ops.bind ? a->ops.bind(a->self, env, max_worlds) : LUDUS_OK;
    if (rc) {
        if (rc >= 0) rc = LUDUS_EINVAL;
        if (!*ludus_errmsg()) ludus_err_set(rc, "agent '%s' cannot act in %s", a->name, info->id);
        a->bound_id[0] = 0; /* what it was bound to before may be gone */
        a->max_worlds = 0;
        return rc;
    }
    if (max_worlds > a->max_worlds) {
        const char **m = realloc(a->no_missions, (size_t)max_worlds * sizeof *m);
        if (!m) {
            a->bound_id[0] = 0;
            a->max_worlds = 0;
            return ludus_err_set(LUDUS_ENOMEM, "agent bind: out of memory");
        }
        for (int i = 0; i < max_worlds; i++) m[i] = "";
        a->no_missions = m;
    }
    snprintf(a->bound_id, sizeof a->bound_id, "%s", info->id);
    a->max_worlds = max_worlds;
    a->obs_size = info->obs_size;
    a->action_dims = dims;
    a->mask_width = 0;
    for (int d = 0; d < dims; d++) {
        a->action_sizes[d] = sizes[d];
        a->mask_width += sizes[d];
    }
    return LUDUS_OK;
}

size_t ludus_agent_obs_size(const ludus_agent *a)
{
    return a && a->max_worlds ? a->obs_size : 0;
}

int ludus_agent_num_actions(const ludus_agent *a)
{
    return a && a->max_worlds ? a->action_sizes[0] : 0;
}

/* The input against the bound world, before the agent reads it. */
static int check_input(const ludus_agent *a, const ludus_agent_input *in)
{
    if (!a->max_worlds) return ludus_err_set(LUDUS_ESTATE, "agent '%s': act before bind", a->name);
    if (in->n < 1 || in->n > a->max_worlds)
        return ludus_err_set(LUDUS_EINVAL, "agent '%s': n = %d worlds, bound for 1..%d", a->name, in->n, a->max_worlds);
    if (!in->obs || !in->starts)
        return ludus_err_set(LUDUS_EINVAL, "agent '%s': the input has no %s", a->name, in->obs ? "starts" : "obs");
    if (!in->greedy && !in->rngs)
        return ludus_err_set(LUDUS_EINVAL, "agent '%s': sampling needs each world's rng (rngs is NULL)", a->name);
    if (in->obs_size != a->obs_size)
        return ludus_err_set(LUDUS_EINVAL, "agent '%s': observations of %zu bytes; %s has %zu", a->name, in->obs_size,
                             a->bound_id, a->obs_size);
    if (in->action_dims != a->action_dims || !in->action_sizes)
        return ludus_err_set(LUDUS_EINVAL, "agent '%s': actions of %d components; %s has %d", a->name, in->action_dims,
                             a->bound_id, a->action_dims);
    for (int d = 0; d < a->action_dims; d++)
        if (in->action_sizes[d] != a->action_sizes[d])
            return ludus_err_set(LUDUS_EINVAL, "agent '%s': action component %d has %d values; %s has %d", a->name, d,
                                 in->action_sizes[d], a->bound_id, a->action_sizes[d]);
    if ((a->ops.flags & (LUDUS_AGENT_TEXT | LUDUS_AGENT_TEXT_BALROG)) && !in->texts)
        return ludus_err_set(LUDUS_EINVAL, "agent '%s' reads text observations; the input has none", a->name);
    return LUDUS_OK;
}

int ludus_agent_act(ludus_agent *a, const ludus_agent_input *in, int32_t *actions)
{
    if (!a || !in || !actions) return ludus_err_set(LUDUS_EINVAL, "agent act: NULL argument");
    int rc = check_input(a, in);
    if (rc) return rc;
    ludus_agent_input given = *in;
    if (!given.missions) given.missions = a->no_missions; /* agents may always read missions[i] */
    ludus_err_set(LUDUS_OK, "%s", ""); /* so a silent failure can be told from a described one */
    rc = a->ops.act(a->self, &given, actions);
    if (rc) {
        if (rc > 0) rc = LUDUS_EINVAL;
        if (!*ludus_errmsg()) ludus_err_set(rc, "agent '%s': act failed (%d)", a->name, rc);
        return rc;
    }
    const int D = a->action_dims;
    for (int i = 0; i < in->n; i++) {
        const uint8_t *mask = in->action_mask ? in->action_mask + (size_t)i * a->mask_width : NULL;
        for (int d = 0; d < D; d++) {
            int32_t v = actions[(size_t)i * D + d];
            if (v < 0 || v >= a->action_sizes[d])
                return ludus_err_set(LUDUS_EINVAL, "agent '%s' chose action %d for world %d; %s's actions are 0..%d",
                                     a->name, (int)v, i, a->bound_id, a->action_sizes[d] - 1);
            if (mask && !mask[v])
                return ludus_err_set(LUDUS_EINVAL, "agent '%s' chose action %d for world %d, which the mask forbids",
                                     a->name, (int)v, i);
            if (mask) mask += a->action_sizes[d];
        }
    }
    return LUDUS_OK;
}

int ludus_agent_observe(ludus_agent *a, const ludus_agent_feedback *fb)
{
    if (!a || !fb) return ludus_err_set(LUDUS_EINVAL, "agent observe: NULL argument");
    if (!a->ops.observe) return LUDUS_OK;
    if (!a->max_worlds) return ludus_err_set(LUDUS_ESTATE, "agent '%s': observe before bind", a->name);
    if (fb->n < 1 || fb->n > a->max_worlds || !fb->actions || !fb->rewards || !fb->terminated || !fb->truncated ||
        !fb->next_obs || fb->obs_size != a->obs_size || fb->action_dims != a->action_dims)
        return ludus_err_set(LUDUS_EINVAL, "agent '%s': bad feedback (n = %d)", a->name, fb->n);
    ludus_err_set(LUDUS_OK, "%s", "");
    int rc = a->ops.observe(a->self, fb);
    if (rc) {
        if (rc > 0) rc = LUDUS_EINVAL;
        if (!*ludus_errmsg()) ludus_err_set(rc, "agent '%s': observe failed (%d)", a->name, rc);
    }
    return rc;
}

/* ---- random ---- */

static int random_act(void *self, const ludus_agent_input *in, int32_t *actions)
{
    (void)self;
    if (!in->rngs) return ludus_err_set(LUDUS_EINVAL, "agent 'random': needs each world's rng (rngs is NULL)");
    const int D = in->action_dims;
    int width = 0;
    for (int d = 0; d < D; d++) width += in->action_sizes[d];
    for (int i = 0; i < in->n; i++) {
        const uint8_t *mask = in->action_mask ? in->action_mask + (size_t)i * width : NULL;
        for (int d = 0; d < D; d++) {
            const int size = in->action_sizes[d];
            int32_t v;
            if (!mask) {
                v = (int32_t)ludus_rng_integers(&in->rngs[i], 0, size);
            } else {
                int legal = 0;
                for (int k = 0; k < size; k++) legal += mask[k] != 0;
                if (!legal)
                    return ludus_err_set(LUDUS_EINVAL, "agent 'random': the mask allows no value of component %d for world %d",
                                         d, i);
                int64_t pick = ludus_rng_integers(&in->rngs[i], 0, legal);
                v = 0;
                for (int k = 0; k < size; k++)
                    if (mask[k] && pick-- == 0) {
                        v = k;
                        break;
                    }
                mask += size;
            }
            actions[(size_t)i * D + d] = v;
        }
    }
    return LUDUS_OK;
}

int ludus_agent_random(ludus_agent **out)
{
    static const ludus_agent_ops ops = {.name = "random", .act = random_act};
    return ludus_agent_create(&ops, NULL, out);
}

/* ---- callback ---- */

typedef struct callback_agent {
    ludus_agent_act_fn fn;
    void *user;
} callback_agent;

static int callback_act(void *self, const ludus_agent_input *in, int32_t *actions)
{
    const callback_agent *c = self;
    return c->fn(c->user, in, actions);
}

int ludus_agent_callback(const char *name, uint32_t flags, ludus_agent_act_fn act, void *user, ludus_agent **out)
{
    if (!out) return ludus_err_set(LUDUS_EINVAL, "agent callback: NULL out");
    *out = NULL;
    if (!act) return ludus_err_set(LUDUS_EINVAL, "agent callback: NULL function");
    callback_agent *c = malloc(sizeof *c);
    if (!c) return ludus_err_set(LUDUS_ENOMEM, "agent callback: out of memory");
    c->fn = act;
    c->user = user;
    const ludus_agent_ops ops = {.name = name ? name : "callback", .flags = flags, .act = callback_act,
                                 .destroy = free};
    int rc = ludus_agent_create(&ops, c, out);
    if (rc) free(c);
    return rc;
}
