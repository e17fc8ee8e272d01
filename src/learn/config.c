/* config.c: PPO's configuration: tuned defaults per world, range checks,
 * and the JSON form written to a run's config.json and read back from
 * --config files. One table drives parsing, printing and the error
 * messages, so a new key cannot be half-supported.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "learn/policy.h"

void ludus_ppo_config_default(ludus_ppo_config *c, const char *env_id)
{
    memset(c, 0, sizeof *c);
    snprintf(c->env_id, sizeof c->env_id, "%s", env_id ? env_id : "MiniGrid-DoorKey-5x5-v0");
    c->total_steps = 150000;
    c->seed = 1;
    c->train_levels = 0;
    c->num_envs = 16;
    c->num_steps = 128;
    c->num_threads = 2;
    c->env_threads = 1;
    c->epochs = 4;
    c->minibatches = 8;
    c->recurrence = 1;
    c->lr = 1e-3f;
    c->anneal_lr = 1;
    c->gamma = 0.99f;
    c->gae_lambda = 0.95f;
    c->clip = 0.2f;
    c->vf_coef = 0.5f;
    c->ent_coef = 0.01f;
    c->max_grad_norm = 0.5f;
    c->adam_eps = 1e-8f;
    c->norm_adv = 1;
    c->checkpoint_every = 0;
    c->eval_episodes = 1000;
    c->arch = (ludus_policy_arch){.embed = 8, .conv1 = 16, .conv2 = 32, .kernel = 3,
                                  .hidden = 64, .head = 64, .memory = 0, .instr = 0,
                                  .word_embed = 32, .max_words = 16};
    if (env_id && strncmp(env_id, "MiniGrid-Memory", 15) == 0) {
        c->arch.memory = 64;
        c->recurrence = 16;
    }
    if (env_id && strncmp(env_id, "BabyAI-", 7) == 0) c->arch.instr = 64;
    if (env_id && strncmp(env_id, "Crafter", 7) == 0) {
        /* fast mode: the reference's rules without its night-image noise
         * draws (docs/crafter.md), which only an exact replay needs */
        snprintf(c->env_options, sizeof c->env_options, "mode=fast");
        c->total_steps = 1000000;
        /* chosen from 1M-frame runs (docs/learning.md): 4,096 frames per
         * update gave 6.5% against 3.5% for 16,384 at lr 3e-4, and this
         * net reaches 5.6% at 2.2x the frames per second of one with 32
         * channels and 256 units, which makes 100M frames an hour's run */
        c->num_envs = 64;
        c->num_steps = 64;
        c->epochs = 3;
        c->minibatches = 4;
        c->lr = 1e-3f;
        c->env_threads = 2; /* a reset is 1 ms of world generation */
        c->eval_episodes = 100;
        c->arch.embed = 16;
        c->arch.conv1 = 16;
        c->arch.conv2 = 16;
        c->arch.hidden = 128;
        c->arch.head = 64;
    }
}

typedef enum { K_INT, K_U64, K_FLOAT, K_STR, K_ARCH } key_kind;

typedef struct key_desc {
    const char *name;
    key_kind kind;
    size_t off;
    double lo, hi;   /* K_STR: hi is the buffer's size */
} key_desc;

#define O(f) offsetof(ludus_ppo_config, f)
static const key_desc keys[] = {
    {"env_id", K_STR, O(env_id), 0, sizeof(((ludus_ppo_config *)0)->env_id)},
    {"env_options", K_STR, O(env_options), 0, sizeof(((ludus_ppo_config *)0)->env_options)},
    {"total_steps", K_U64, O(total_steps), 1, 1e15},
    {"seed", K_U64, O(seed), 0, 9007199254740992.0},
    {"train_levels", K_U64, O(train_levels), 0, (double)LUDUS_MAX_TRAIN_LEVELS},
    {"num_envs", K_INT, O(num_envs), 1, 65536},
    {"num_steps", K_INT, O(num_steps), 1, 1 << 20},
    {"num_threads", K_INT, O(num_threads), 1, 256},
    {"env_threads", K_INT, O(env_threads), 1, 64},
    {"epochs", K_INT, O(epochs), 1, 1000},
    {"minibatches", K_INT, O(minibatches), 1, 1 << 20},
    {"recurrence", K_INT, O(recurrence), 1, 1 << 16},
    {"lr", K_FLOAT, O(lr), 0, 10},
    {"anneal_lr", K_INT, O(anneal_lr), 0, 1},
    {"gamma", K_FLOAT, O(gamma), 0, 1},
    {"gae_lambda", K_FLOAT, O(gae_lambda), 0, 1},
    {"clip", K_FLOAT, O(clip), 0, 10},
    {"vf_coef", K_FLOAT, O(vf_coef), 0, 1e6},
    {"ent_coef", K_FLOAT, O(ent_coef), 0, 1e6},
    {"explore_coef", K_FLOAT, O(explore_coef), 0, 1e6},
    {"max_grad_norm", K_FLOAT, O(max_grad_norm), 0, 1e9},
    {"adam_eps", K_FLOAT, O(adam_eps), 1e-30, 1},
    {"norm_adv", K_INT, O(norm_adv), 0, 1},
    {"checkpoint_every", K_INT, O(checkpoint_every), 0, 1 << 30},
    {"keep_checkpoints", K_INT, O(keep_checkpoints), 0, 1},
    {"eval_episodes", K_INT, O(eval_episodes), 0, 1 << 24},
    {"arch", K_ARCH, O(arch), 0, 0},
};
#undef O
#define NUM_KEYS ((int)(sizeof keys / sizeof keys[0]))

static double get_num(const ludus_ppo_config *c, const key_desc *k)
{
    const char *p = (const char *)c + k->off;
    switch (k->kind) {
    case K_INT: return *(const int *)p;
    case K_U64: return (double)*(const uint64_t *)p;
    case K_FLOAT: return *(const float *)p;
    default: return 0;
    }
}

int ludus_ppo_config_check(const ludus_ppo_config *c)
{
    if (!c) return ludus_err_set(LUDUS_EINVAL, "config: NULL");
    if (!c->env_id[0]) return ludus_err_set(LUDUS_EINVAL, "config: env_id is empty");
    if (!memchr(c->env_id, 0, sizeof c->env_id) || !memchr(c->env_options, 0, sizeof c->env_options))
        return ludus_err_set(LUDUS_EINVAL, "config: env_id or env_options is not NUL-terminated");
    for (int i = 0; i < NUM_KEYS; i++) {
        const key_desc *k = &keys[i];
        if (k->kind == K_STR || k->kind == K_ARCH) continue;
        double v = get_num(c, k);
        if (!(v >= k->lo && v <= k->hi))
            return ludus_err_set(LUDUS_EINVAL, "config: %s = %g is outside [%g, %g]", k->name, v, k->lo, k->hi);
    }
    if (c->num_steps % c->recurrence)
        return ludus_err_set(LUDUS_EINVAL, "config: num_steps (%d) must be a multiple of recurrence (%d)",
                       c->num_steps, c->recurrence);
    long chunks = (long)c->num_envs * (c->num_steps / c->recurrence);
    if (c->minibatches > chunks)
        return ludus_err_set(LUDUS_EINVAL, "config: %d minibatches but only %ld sequences per rollout",
                       c->minibatches, chunks);
    if (c->recurrence > 1 && !c->arch.memory)
        return ludus_err_set(LUDUS_EINVAL, "config: recurrence %d needs a memory (arch.memory > 0)", c->recurrence);
    char buf[512];
    ludus_policy_arch_to_json(&c->arch, buf, sizeof buf);
    ludus_policy_arch check;
    if (ludus_policy_arch_from_json(buf, &check))
        return ludus_err_set(LUDUS_EINVAL, "config: %s", ludus_errmsg());
    return LUDUS_OK;
}

int ludus_ppo_config_apply_json(ludus_ppo_config *cfg, const char *json)
{
    if (!cfg || !json) return ludus_err_set(LUDUS_EINVAL, "config: NULL argument");
    cJSON *root = cJSON_Parse(json);
    if (!root) return ludus_err_set(LUDUS_EINVAL, "config: not valid JSON (near \"%.20s\")", cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() : "");
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return ludus_err_set(LUDUS_EINVAL, "config: expected a JSON object");
    }
    ludus_ppo_config c = *cfg;
    int rc = LUDUS_OK;
    for (const cJSON *e = root->child; e && !rc; e = e->next) {
        const key_desc *k = NULL;
        for (int i = 0; i < NUM_KEYS; i++)
            if (strcmp(keys[i].name, e->string) == 0) k = &keys[i];
        if (!k) {
            rc = ludus_err_set(LUDUS_EINVAL, "config: unknown key \"%s\"", e->string);
            break;
        }
        char *p = (char *)&c + k->off;
        if (k->kind == K_STR) {
            if (!cJSON_IsString(e) || strlen(e->valuestring) >= (size_t)k->hi)
                rc = ludus_err_set(LUDUS_EINVAL, "config: \"%s\" must be a string of at most %d bytes", k->name,
                             (int)k->hi - 1);
            else
                snprintf(p, (size_t)k->hi, "%s", e->valuestring);
            continue;
        }
        if (k->kind == K_ARCH) {
            if ((rc = ludus_policy_arch_apply(e, &c.arch))) ludus_err_wrap(rc, "config: ");
            continue;
        }
        if (!cJSON_IsNumber(e)) {
            rc = ludus_err_set(LUDUS_EINVAL, "config: \"%s\" must be a number", k->name);
            break;
        }
        double v = e->valuedouble;
        if (k->kind != K_FLOAT && v != floor(v)) {
            rc = ludus_err_set(LUDUS_EINVAL, "config: \"%s\" must be an integer, not %g", k->name, v);
            break;
        }
        if (!(v >= k->lo && v <= k->hi)) {
            rc = ludus_err_set(LUDUS_EINVAL, "config: \"%s\" = %g is outside [%g, %g]", k->name, v, k->lo, k->hi);
            break;
        }
        if (k->kind == K_INT) *(int *)p = (int)v;
        else if (k->kind == K_U64) *(uint64_t *)p = (uint64_t)v;
        else *(float *)p = (float)v;
    }
    cJSON_Delete(root);
    if (!rc) *cfg = c;
    return rc;
}

int ludus_ppo_config_to_json(const ludus_ppo_config *c, char *buf, size_t cap)
{
    strbuf sb = sb_make(buf, cap);
    ludus_sb_puts(&sb, "{\n");
    for (int i = 0; i < NUM_KEYS; i++) {
        const key_desc *k = &keys[i];
        ludus_sb_printf(&sb, "  \"%s\": ", k->name);
        const char *p = (const char *)c + k->off;
        if (k->kind == K_STR) ludus_sb_json_str(&sb, p);
        else if (k->kind == K_ARCH) {
            char a[512];
            ludus_policy_arch_to_json(&c->arch, a, sizeof a);
            ludus_sb_puts(&sb, a);
        } else if (k->kind == K_INT) ludus_sb_printf(&sb, "%d", *(const int *)p);
        else if (k->kind == K_U64) ludus_sb_printf(&sb, "%llu", (unsigned long long)*(const uint64_t *)p);
        else ludus_sb_printf(&sb, "%.9g", (double)*(const float *)p);
        ludus_sb_puts(&sb, i + 1 < NUM_KEYS ? ",\n" : "\n");
    }
    ludus_sb_puts(&sb, "}\n");
    return (int)sb.len;
}
