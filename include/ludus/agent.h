/* agent.h: one interface for everything that acts in ludus worlds. An
 * agent maps the observations of a batch of n worlds to n actions and may
 * watch the transitions its actions caused. It is a table of functions
 * (ludus_agent_ops) plus the agent's own data, so a trained policy, a
 * random player, a C callback, a Python callable (through ctypes) or a
 * learner's current policy all plug into evaluation (learn.h's
 * ludus_eval_run) the same way. Every struct here is plain data of ints
 * and pointers, passed by pointer, so ctypes can fill and read it.
 */
#ifndef LUDUS_AGENT_H
#define LUDUS_AGENT_H

#include "ludus/ludus.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ludus_agent ludus_agent;

/* ludus_agent_ops.flags: what the agent wants besides the tensor
 * observation (text costs a rendering per world and step, so only agents
 * that ask get it). */
enum {
    LUDUS_AGENT_TEXT = 1u << 0,        /* ludus_agent_input.texts, LUDUS_TEXT_FULL */
    LUDUS_AGENT_TEXT_BALROG = 1u << 1  /* ludus_agent_input.texts, LUDUS_TEXT_BALROG */
};

/* The most components an action may have (multi-discrete actions). */
#define LUDUS_AGENT_MAX_ACTION_DIMS 8

/* What an agent sees for one decision in each of n worlds. Arrays are
 * lent for the call only: copy what must be kept. */
typedef struct ludus_agent_input {
    int n;                          /* worlds, 1..the max_worlds of the last bind */
    int greedy;                     /* 1: the agent's most likely action; 0: sample */
    size_t obs_size;                /* bytes of one observation */
    const uint8_t *obs;             /* (n, obs_size) tensor observations */
    const char *const *missions;    /* (n) each world's mission ("" for worlds without one) */
    const char *const *texts;       /* (n) text observations when the agent's flags ask
                                       for them; NULL otherwise */
    const uint8_t *starts;          /* (n) 1 where world i begins an episode: recurrent
                                       state restarts there */
    ludus_rng *rngs;                /* (n) world i's own stream: sampling draws from
                                       rngs[i] only, so actions do not depend on n or
                                       on the order of worlds; NULL only when greedy */
    int action_dims;                /* components of one action; 1 for today's worlds */
    const int *action_sizes;        /* (action_dims) component d takes 0..action_sizes[d]-1 */
    const uint8_t *action_mask;     /* (n, sum of action_sizes): 1 where a value is legal
                                       now; NULL: every value is legal */
} ludus_agent_input;

/* The transitions the last actions caused, for agents that adapt online.
 * Lent for the call only. */
typedef struct ludus_agent_feedback {
    int n;                          /* as in the input that chose the actions */
    size_t obs_size;
    int action_dims;
    const int32_t *actions;         /* (n, action_dims) the actions taken */
    const double *rewards;          /* (n) */
    const uint8_t *terminated;      /* (n) */
    const uint8_t *truncated;       /* (n) */
    const uint8_t *next_obs;        /* (n, obs_size) the observation after the step, before
                                       any reset (an ended episode's last one) */
    const uint8_t *stepped;         /* (n) 1 where world i was stepped with actions[i]; 0
                                       for worlds that idle (their row means nothing);
                                       NULL: every world stepped */
} ludus_agent_feedback;

/* The table of functions that makes an agent. Only act is required.
 * Every function returns LUDUS_OK or a negative LUDUS_E* code (with
 * ludus_err_set for C agents; an agent outside the library that cannot
 * set a message may return any negative number, and the library names the
 * agent in the message). */
typedef struct ludus_agent_ops {
    const char *name;   /* what the agent is ("random", "checkpoint", "python"),
                           copied at creation; NULL: "agent" */
    uint32_t flags;     /* LUDUS_AGENT_* */
    /* Prepare to act in env's worlds, up to max_worlds at a time: check
     * the observation layout and actions fit the agent (LUDUS_EINVAL
     * saying what differs otherwise) and size buffers. Called before the
     * first act and whenever the world or the batch grows; NULL: the agent
     * acts in any world. */
    int (*bind)(void *self, const ludus_env *env, int max_worlds);
    /* Write in->n actions, (n, action_dims) int32, into actions. */
    int (*act)(void *self, const ludus_agent_input *in, int32_t *actions);
    /* Watch the transitions caused by the last act; NULL: ignored. */
    int (*observe)(void *self, const ludus_agent_feedback *fb);
    /* Free self; called by ludus_agent_destroy. NULL: nothing to free. */
    void (*destroy)(void *self);
} ludus_agent_ops;

/* For agents written outside the library: record message (copied, cut
 * at 1023 bytes) as the calling thread's ludus_errmsg() and return code,
 * so an agent's function can `return ludus_agent_fail(LUDUS_EINVAL,
 * "...")`. No varargs, so ctypes can call it; format the message first. */
LUDUS_API int ludus_agent_fail(int code, const char *message);

/* Make an agent from a table and its data. The table is copied (it need
 * not outlive the call; the functions it points to must outlive the
 * agent). On success the agent owns self (ludus_agent_destroy calls
 * ops->destroy(self)); on failure the caller still does. LUDUS_EINVAL
 * without an act function. The caller destroys *out. */
LUDUS_API int ludus_agent_create(const ludus_agent_ops *ops, void *self, ludus_agent **out);
/* Free the agent and its data. NULL is harmless. */
LUDUS_API void ludus_agent_destroy(ludus_agent *agent);

/* Where a trained agent comes from: the file it was loaded from (NULL or
 * "": none), the world it was trained in and that world's options (NULL:
 * none). Evaluation plays that world when given none, with those
 * options. The strings are copied; LUDUS_EINVAL when one is too long. */
LUDUS_API int ludus_agent_set_origin(ludus_agent *agent, const char *checkpoint, const char *env_id,
                                     const char *env_options);
/* The agent's name ("random", ...). Never NULL for an agent. */
LUDUS_API const char *ludus_agent_name(const ludus_agent *agent);
/* Its flags (LUDUS_AGENT_*). */
LUDUS_API uint32_t ludus_agent_flags(const ludus_agent *agent);
/* The checkpoint it was loaded from; NULL when none. */
LUDUS_API const char *ludus_agent_checkpoint(const ludus_agent *agent);
/* The world it was trained in; NULL for agents of no particular world. */
LUDUS_API const char *ludus_agent_env_id(const ludus_agent *agent);
/* The options that world was trained with ("" when none); they hold for
 * that world only (ludus_agent_load and ludus_eval_run make it with them;
 * other worlds get none unless given). NULL for agents without a world. */
LUDUS_API const char *ludus_agent_env_options(const ludus_agent *agent);

/* Prepare the agent to act in env's worlds, up to max_worlds (>= 1) at a
 * time (the agent's bind; see ludus_agent_ops). LUDUS_EINVAL with what
 * differs when it cannot act there. env must outlive the agent's use of
 * it (until the next bind or destroy). Not thread-safe per agent. */
LUDUS_API int ludus_agent_bind(ludus_agent *agent, const ludus_env *env, int max_worlds);
/* The observation size (bytes) and the number of actions (the first
 * component's size) of the world the agent is bound to; 0 before a bind. */
LUDUS_API size_t ludus_agent_obs_size(const ludus_agent *agent);
LUDUS_API int ludus_agent_num_actions(const ludus_agent *agent);

/* Choose actions, (in->n, action_dims) int32, after a bind. The input is
 * checked against the bound world (n within max_worlds, obs_size and
 * action sizes equal, rngs present when sampling: LUDUS_EINVAL), and so
 * are the agent's answers: an action outside its component's range or
 * against the mask fails with LUDUS_EINVAL naming the agent, world and
 * value. LUDUS_ESTATE before a bind. Not thread-safe per agent. */
LUDUS_API int ludus_agent_act(ludus_agent *agent, const ludus_agent_input *in, int32_t *actions);
/* Pass the transitions of the last act to the agent (nothing for agents
 * that do not observe). Not thread-safe per agent. */
LUDUS_API int ludus_agent_observe(ludus_agent *agent, const ludus_agent_feedback *fb);

/* ---- built-in agents ---- */

/* Uniformly random actions: component d of world i's action is
 * ludus_rng_integers(&rngs[i], 0, action_sizes[d]) (with a mask, uniform
 * over the legal values, drawn the same way over their count), so the
 * actions depend only on each world's stream. It samples whether greedy
 * or not, and needs rngs. Acts in any world. The caller destroys *out. */
LUDUS_API int ludus_agent_random(ludus_agent **out);

/* act(user, in, actions) as an agent: what ludus_agent_ops.act does,
 * without self. name as ludus_agent_ops.name; flags LUDUS_AGENT_*. The
 * callback is called on the thread that calls ludus_agent_act; user is
 * lent (never freed). Acts in any world. The caller destroys *out. */
typedef int (*ludus_agent_act_fn)(void *user, const ludus_agent_input *in, int32_t *actions);
LUDUS_API int ludus_agent_callback(const char *name, uint32_t flags, ludus_agent_act_fn act, void *user,
                                   ludus_agent **out);

/* A trained policy: load a checkpoint written by a learner (learn.h) and
 * bind it to up to max_worlds worlds of its own world (env_id NULL) or of
 * another with the same observation layout and actions (LUDUS_EINVAL
 * otherwise). Every defect of the file is LUDUS_EFORMAT with a message.
 * Named "checkpoint"; greedy picks the most likely action, otherwise
 * actions are sampled from rngs[i]. The caller destroys *out. */
LUDUS_API int ludus_agent_load(const char *checkpoint, const char *env_id, int max_worlds,
                               ludus_agent **out);

#ifdef __cplusplus
}
#endif

#endif /* LUDUS_AGENT_H */
