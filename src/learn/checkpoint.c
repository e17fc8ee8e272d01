/* checkpoint.c: a policy on disk and back. The checkpoint is a safetensors
 * file whose metadata names the format, the world, the architecture (with
 * the encoder chosen for it), the observation layout and the action count,
 * so loading can refuse a file meant for another world or network before
 * touching a weight. An agent is a loaded policy plus the per-world memory
 * needed to act with it.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "learn/ppo_internal.h"
#include "nn/nn_internal.h"

/* The observation layout as JSON, one object per field:
 * [{"name": "view", "offset": 0, "shape": [7, 9], "low": 0, "high": 18}, ...] */
static void layout_json(const ludus_env_info *info, char *buf, size_t cap)
{
    strbuf sb = sb_make(buf, cap);
    ludus_sb_putc(&sb, '[');
    for (int i = 0; i < info->num_obs_fields; i++) {
        const ludus_obs_field *f = &info->obs_fields[i];
        ludus_sb_puts(&sb, i ? ", {\"name\": " : "{\"name\": ");
        ludus_sb_json_str(&sb, f->name);
        ludus_sb_printf(&sb, ", \"offset\": %zu, \"shape\": [", f->offset);
        for (int d = 0; d < f->ndim; d++) ludus_sb_printf(&sb, "%s%d", d ? ", " : "", f->shape[d]);
        ludus_sb_printf(&sb, "], \"low\": %d, \"high\": %d}", f->low, f->high);
    }
    ludus_sb_putc(&sb, ']');
}

/* base (key, value, ..., NULL) then extra's pairs, in a malloc'd array. */
const char **ludus_checkpoint_meta_join(const char *const *base, const char *const *extra)
{
    size_t n = 0, m = 0;
    while (base[n]) n += 2;
    while (extra && extra[m]) m += 2;
    const char **all = malloc((n + m + 1) * sizeof *all);
    if (!all) return NULL;
    memcpy(all, base, n * sizeof *all);
    if (m) memcpy(all + n, extra, m * sizeof *all);
    all[n + m] = NULL;
    return all;
}

int ludus_ppo_save(const ludus_ppo *p, const char *path)
{
    return ludus_ppo_save_meta(p, path, NULL);
}

int ludus_policy_checkpoint_save(const char *path, const policy *pol, const ludus_env_info *info, uint64_t steps_done,
                                 const char *cfg, const char *const *extra)
{
    char arch[512], obs[32], acts[32], steps[32], layout[1024];
    layout_json(info, layout, sizeof layout);
    ludus_policy_arch_to_json(&pol->arch, arch, sizeof arch);
    snprintf(obs, sizeof obs, "%zu", info->obs_size);
    snprintf(acts, sizeof acts, "%d", info->num_actions);
    snprintf(steps, sizeof steps, "%llu", (unsigned long long)steps_done);
    const char *meta[] = {CKPT_KEY_FORMAT, CKPT_FORMAT, CKPT_KEY_ENV, info->id, CKPT_KEY_ARCH, arch,
                          CKPT_KEY_OBS, obs, CKPT_KEY_ACTIONS, acts, CKPT_KEY_STEPS, steps,
                          CKPT_KEY_CONFIG, cfg, CKPT_KEY_LAYOUT, layout, NULL};
    const char **all = ludus_checkpoint_meta_join(meta, extra);
    int rc = all ? ludus_nn_save(path, &pol->params, all) : ludus_err_set(LUDUS_ENOMEM, "save: out of memory");
    free(all);
    return rc;
}

int ludus_ppo_save_meta(const ludus_ppo *p, const char *path, const char *const *extra)
{
    if (!p || !path) return ludus_err_set(LUDUS_EINVAL, "save: NULL argument");
    int n = ludus_ppo_config_to_json(ludus_ppo_cfg_of(p), NULL, 0);
    char *cfg = malloc((size_t)n + 1);
    if (!cfg) return ludus_err_set(LUDUS_ENOMEM, "save: out of memory");
    ludus_ppo_config_to_json(ludus_ppo_cfg_of(p), cfg, (size_t)n + 1);
    int rc = ludus_policy_checkpoint_save(path, ludus_ppo_policy_const(p), ludus_ppo_env_info(p), ludus_ppo_steps(p),
                                          cfg, extra);
    free(cfg);
    return rc;
}

int ludus_ppo_save_state(const ludus_ppo *cp, const char *path)
{
    return ludus_ppo_save_state_meta(cp, path, NULL);
}

int ludus_ppo_save_state_meta(const ludus_ppo *cp, const char *path, const char *const *extra)
{
    if (!cp || !path) return ludus_err_set(LUDUS_EINVAL, "save state: NULL argument");
    ludus_ppo *p = (ludus_ppo *)cp; /* read-only use of the accessors */
    ludus_nn_adam *adam = ludus_ppo_adam(p);
    ludus_nn_params st;
    ludus_nn_params_init(&st);
    int shape[1] = {(int)adam->n};
    /* the curriculum's state rides along in a float tensor, two bytes per
     * value (0..65535, exact in a float and always finite) */
    uint8_t *blob = NULL;
    size_t blob_size = 0;
    ludus_curriculum *cur = ludus_ppo_curriculum(p);
    int rc = cur ? ludus_curriculum_save(cur, &blob, &blob_size) : LUDUS_OK;
    if (!rc) rc = ludus_nn_params_add(&st, "adam.m", 1, shape, NULL);
    if (!rc) rc = ludus_nn_params_add(&st, "adam.v", 1, shape, NULL);
    int cshape[1] = {(int)((blob_size + 1) / 2)};
    if (!rc && cur) rc = ludus_nn_params_add(&st, "curriculum", 1, cshape, NULL);
    if (!rc) rc = ludus_nn_params_alloc(&st);
    if (!rc) {
        memcpy(st.data + st.tensors[0].offset, adam->m, adam->n * sizeof(float));
        memcpy(st.data + st.tensors[1].offset, adam->v, adam->n * sizeof(float));
        if (cur) {
            float *dst = st.data + st.tensors[2].offset;
            for (size_t i = 0; i < (size_t)cshape[0]; i++)
                dst[i] = (float)(blob[2 * i] | (2 * i + 1 < blob_size ? blob[2 * i + 1] << 8 : 0));
        }
        char t[32], upd[32], steps[32], cbytes[32];
        snprintf(cbytes, sizeof cbytes, "%zu", blob_size);
        snprintf(t, sizeof t, "%lld", (long long)adam->t);
        snprintf(upd, sizeof upd, "%d", *ludus_ppo_update_counter(p));
        snprintf(steps, sizeof steps, "%llu", (unsigned long long)*ludus_ppo_step_counter(p));
        const char *meta[] = {CKPT_KEY_FORMAT, "ludus-ppo-state-1", "adam.t", t, "ppo.update", upd,
                              "ppo.steps", steps, CKPT_KEY_ENV, ludus_ppo_env_info(p)->id,
                              cur ? "curriculum.bytes" : NULL, cbytes, NULL};
        const char **all = ludus_checkpoint_meta_join(meta, extra);
        rc = all ? ludus_nn_save(path, &st, all) : ludus_err_set(LUDUS_ENOMEM, "save state: out of memory");
        free(all);
    }
    ludus_nn_params_free(&st);
    ludus_free(blob);
    return rc;
}

int ludus_checkpoint_meta_u64(const ludus_nn_file *f, const char *path, const char *key, unsigned long long *out)
{
    const char *v = ludus_nn_file_meta(f, key);
    char *end;
    if (!v || !*v) return ludus_err_set(LUDUS_EFORMAT, "%s: metadata \"%s\" is missing", path, key);
    *out = strtoull(v, &end, 10);
    if (*end) return ludus_err_set(LUDUS_EFORMAT, "%s: metadata \"%s\" is not a number: \"%s\"", path, key, v);
    return LUDUS_OK;
}

/* Open a checkpoint and check its metadata; *arch from the file. */
static int open_checkpoint(const char *path, ludus_nn_file **out, ludus_policy_arch *arch)
{
    ludus_nn_file *f;
    int rc = ludus_nn_file_open(path, &f);
    if (rc) return rc;
    const char *fmt = ludus_nn_file_meta(f, CKPT_KEY_FORMAT);
    if (!fmt || strcmp(fmt, CKPT_FORMAT) != 0) {
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: not a ludus policy checkpoint (format \"%s\")", path,
                     fmt ? fmt : "missing");
        goto fail;
    }
    const char *a = ludus_nn_file_meta(f, CKPT_KEY_ARCH);
    if (!a) {
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: the architecture (ludus.arch) is missing", path);
        goto fail;
    }
    if ((rc = ludus_policy_arch_from_json(a, arch))) {
        ludus_err_wrap(rc, "%s", path);
        goto fail;
    }
    if (!ludus_nn_file_meta(f, CKPT_KEY_ENV)) {
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: the world id (ludus.env) is missing", path);
        goto fail;
    }
    *out = f;
    return LUDUS_OK;
fail:
    ludus_nn_file_close(f);
    return rc;
}

/* The checkpoint's sizes and observation layout against a world's
 * (checkpoints written before the layout was recorded: sizes only). */
static int check_world(const ludus_nn_file *f, const char *path, const ludus_env_info *info)
{
    unsigned long long obs = 0, acts = 0;
    int rc = ludus_checkpoint_meta_u64(f, path, CKPT_KEY_OBS, &obs);
    if (!rc) rc = ludus_checkpoint_meta_u64(f, path, CKPT_KEY_ACTIONS, &acts);
    if (rc) return rc;
    if (obs != info->obs_size || acts != (unsigned long long)info->num_actions)
        return ludus_err_set(LUDUS_EINVAL,
                       "%s: trained on %s (observations of %llu bytes, %llu actions); %s has %zu bytes and %d actions",
                       path, ludus_nn_file_meta(f, CKPT_KEY_ENV), obs, acts, info->id, info->obs_size,
                       info->num_actions);
    const char *saved = ludus_nn_file_meta(f, CKPT_KEY_LAYOUT);
    char layout[1024];
    layout_json(info, layout, sizeof layout);
    if (saved && strcmp(saved, layout) != 0)
        return ludus_err_set(LUDUS_EINVAL, "%s: trained on %s, whose observation is laid out as %s; %s's is %s", path,
                       ludus_nn_file_meta(f, CKPT_KEY_ENV), saved, info->id, layout);
    return LUDUS_OK;
}

/* The world options of the run that wrote the checkpoint ("" when none). */
static void checkpoint_options(const ludus_nn_file *f, char *buf, size_t cap)
{
    buf[0] = 0;
    const char *cfg = ludus_nn_file_meta(f, CKPT_KEY_CONFIG);
    cJSON *j = cfg ? cJSON_Parse(cfg) : NULL;
    const cJSON *o = j ? cJSON_GetObjectItemCaseSensitive(j, "env_options") : NULL;
    if (cJSON_IsString(o)) snprintf(buf, cap, "%s", o->valuestring);
    cJSON_Delete(j);
}

int ludus_policy_checkpoint_load(const char *checkpoint, policy *pol, const ludus_env_info *info)
{
    ludus_nn_file *f = NULL;
    ludus_policy_arch arch;
    int rc = open_checkpoint(checkpoint, &f, &arch);
    if (rc) return rc;
    const char *env = ludus_nn_file_meta(f, CKPT_KEY_ENV);
    if (strcmp(env, info->id) != 0)
        rc = ludus_err_set(LUDUS_EINVAL, "%s: a checkpoint for %s, not %s", checkpoint, env, info->id);
    if (!rc) rc = check_world(f, checkpoint, info);
    if (arch.encoder == POLICY_ENCODER_AUTO) /* written before the encoder was recorded */
        arch.encoder = pol->arch.encoder;
    if (!rc && memcmp(&arch, &pol->arch, sizeof arch) != 0)
        rc = ludus_err_set(LUDUS_EINVAL, "%s: its architecture differs from the configuration's", checkpoint);
    if (!rc) rc = ludus_nn_file_load(f, &pol->params);
    ludus_nn_file_close(f);
    return rc;
}

int ludus_checkpoint_curriculum_bytes(const ludus_nn_file *f, const char *path, uint8_t **out, size_t *size)
{
    *out = NULL;
    *size = 0;
    if (!ludus_nn_file_meta(f, "curriculum.bytes"))
        return ludus_err_set(LUDUS_ENOTFOUND, "%s: the state holds no curriculum", path);
    unsigned long long nb = 0;
    int rc = ludus_checkpoint_meta_u64(f, path, "curriculum.bytes", &nb);
    if (rc) return rc;
    if (nb > ((size_t)1 << 34)) return ludus_err_set(LUDUS_EFORMAT, "%s: curriculum.bytes is too large", path);
    size_t nf = (size_t)((nb + 1) / 2);
    float *buf = malloc(nf ? nf * sizeof(float) : 1);
    if (!buf) return ludus_err_set(LUDUS_ENOMEM, "load: out of memory");
    rc = ludus_nn_file_read(f, "curriculum", buf, nf);
    uint8_t *bytes = (uint8_t *)buf; /* decoded in place: byte 2i+1 <= float i's last byte */
    for (size_t i = 0; !rc && i < nf; i++) {
        float v = buf[i];
        if (!(v >= 0 && v <= 65535) || v != (float)(int)v) {
            rc = ludus_err_set(LUDUS_EFORMAT, "%s: tensor 'curriculum' holds %g, not two bytes", path, v);
            break;
        }
        int x = (int)v;
        bytes[2 * i] = (uint8_t)(x & 255);
        if (2 * i + 1 < (size_t)nb) bytes[2 * i + 1] = (uint8_t)(x >> 8);
    }
    if (rc) {
        free(buf);
        return rc;
    }
    *out = bytes;
    *size = (size_t)nb;
    return LUDUS_OK;
}

int ludus_ppo_load(ludus_ppo *p, const char *checkpoint, const char *state)
{
    if (!p || !checkpoint) return ludus_err_set(LUDUS_EINVAL, "load: NULL argument");
    int rc = ludus_policy_checkpoint_load(checkpoint, ludus_ppo_policy(p), ludus_ppo_env_info(p));
    ludus_nn_file *f = NULL;
    if (rc || !state) return rc;
    if ((rc = ludus_nn_file_open(state, &f))) return rc;
    ludus_nn_adam *adam = ludus_ppo_adam(p);
    unsigned long long t = 0, upd = 0, steps = 0;
    const char *fmt = ludus_nn_file_meta(f, CKPT_KEY_FORMAT);
    if (!fmt || strcmp(fmt, "ludus-ppo-state-1") != 0)
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: not a ludus training state", state);
    if (!rc) rc = ludus_checkpoint_meta_u64(f, state, "adam.t", &t);
    if (!rc) rc = ludus_checkpoint_meta_u64(f, state, "ppo.update", &upd);
    if (!rc) rc = ludus_checkpoint_meta_u64(f, state, "ppo.steps", &steps);
    if (!rc) rc = ludus_nn_file_read(f, "adam.m", adam->m, adam->n);
    if (!rc) rc = ludus_nn_file_read(f, "adam.v", adam->v, adam->n);
    ludus_curriculum *cur = ludus_ppo_curriculum(p);
    if (!rc && cur) {
        uint8_t *bytes = NULL;
        size_t nb = 0;
        rc = ludus_checkpoint_curriculum_bytes(f, state, &bytes, &nb);
        if (rc == LUDUS_ENOTFOUND)
            rc = ludus_err_set(LUDUS_EFORMAT, "%s: the run has a curriculum but the state holds none", state);
        if (!rc && (rc = ludus_curriculum_load(cur, bytes, nb))) ludus_err_wrap(rc, "%s", state);
        /* per-reset curricula: the worlds restart on the loaded
         * curriculum's levels (per-batch ones reset at every update) */
        if (!rc && !ludus_curriculum_batch_resets(cur)) rc = ludus_ppo_restart_worlds(p);
        free(bytes);
    }
    ludus_nn_file_close(f);
    if (rc) return rc;
    adam->t = (int64_t)t;
    *ludus_ppo_update_counter(p) = (int)upd;
    *ludus_ppo_step_counter(p) = steps;
    ludus_ppo_reseed(p);
    return LUDUS_OK;
}

/* ---- the checkpoint agent ---- */

/* A loaded policy plus the per-world memory needed to act with it. */
typedef struct ckpt_agent {
    policy pol;
    policy_ws ws;
    int max;
    float *mem;        /* (max, M) */
    int32_t *words;    /* (max, W) */
} ckpt_agent;

static void ckpt_destroy(void *self)
{
    ckpt_agent *a = self;
    if (!a) return;
    ludus_policy_ws_destroy(&a->ws);
    ludus_policy_destroy(&a->pol);
    free(a->mem);
    free(a->words);
    free(a);
}

/* The policy reads env's observation layout and plays its actions; the
 * buffers grow to max_worlds. */
static int ckpt_bind(void *self, const ludus_env *env, int max_worlds)
{
    ckpt_agent *a = self;
    const ludus_env_info *info = ludus_env_get_info(env);
    policy_input in;
    int rc = ludus_policy_input_of(info, a->pol.arch.encoder, &in);
    if (rc) return rc;
    if (memcmp(&in, &a->pol.in, sizeof in) != 0)
        return ludus_err_set(LUDUS_EINVAL, "%s: its observation (%zu bytes) or actions (%d) differ from those the agent "
                                     "was trained on (%zu bytes, %d actions)",
                       info->id, info->obs_size, info->num_actions, a->pol.obs_size, a->pol.num_actions);
    if (max_worlds <= a->max) return LUDUS_OK;
    const ludus_policy_arch *arch = &a->pol.arch;
    policy_ws ws;
    if ((rc = ludus_policy_ws_create(&ws, &a->pol, max_worlds))) return rc;
    float *mem = calloc((size_t)max_worlds * (arch->memory ? arch->memory : 1), sizeof(float));
    int32_t *words = calloc((size_t)max_worlds * arch->max_words, sizeof(int32_t));
    if (!mem || !words) {
        ludus_policy_ws_destroy(&ws);
        free(mem);
        free(words);
        return ludus_err_set(LUDUS_ENOMEM, "agent: out of memory");
    }
    ludus_policy_ws_destroy(&a->ws);
    free(a->mem);
    free(a->words);
    a->ws = ws;
    a->mem = mem;
    a->words = words;
    a->max = max_worlds;
    return LUDUS_OK;
}

static int ckpt_act(void *self, const ludus_agent_input *in, int32_t *actions)
{
    ckpt_agent *a = self;
    const int n = in->n;
    const ludus_policy_arch *arch = &a->pol.arch;
    if (arch->instr)
        for (int i = 0; i < n; i++)
            ludus_policy_tokenize(&a->pol, in->missions[i], a->words + (size_t)i * arch->max_words);
    policy_batch b = {.L = 1, .B = n, .obs = in->obs, .words = arch->instr ? a->words : NULL,
                      .h0 = arch->memory ? a->mem : NULL, .starts = in->starts,
                      .mask = a->pol.in.mask_size ? in->action_mask : NULL};
    ludus_policy_forward(&a->pol, a->pol.params.data, &a->ws, &b);
    /* one categorical per component, masked values never chosen */
    const int A = a->pol.num_actions, D = a->pol.in.action_dims;
    for (int i = 0; i < n; i++)
        ludus_policy_act(&a->pol, a->ws.logp + (size_t)i * A, in->greedy ? NULL : &in->rngs[i], in->greedy,
                         actions + (size_t)i * D);
    if (arch->memory) memcpy(a->mem, a->ws.mh, (size_t)n * arch->memory * sizeof(float));
    return LUDUS_OK;
}

static const ludus_agent_ops ckpt_ops = {
    .name = "checkpoint", .bind = ckpt_bind, .act = ckpt_act, .destroy = ckpt_destroy,
};

int ludus_agent_load(const char *path, const char *env_id, int max_worlds, ludus_agent **out)
{
    if (!out) return ludus_err_set(LUDUS_EINVAL, "agent: NULL out");
    *out = NULL;
    if (!path || max_worlds < 1) return ludus_err_set(LUDUS_EINVAL, "agent: bad argument");
    ludus_nn_file *f = NULL;
    ludus_policy_arch arch;
    int rc = open_checkpoint(path, &f, &arch);
    if (rc) return rc;
    ckpt_agent *a = calloc(1, sizeof *a);
    ludus_agent *agent = NULL;
    ludus_env *env = NULL;
    char home[96], options[256];
    if (!a) {
        rc = ludus_err_set(LUDUS_ENOMEM, "agent: out of memory");
        goto fail;
    }
    snprintf(home, sizeof home, "%s", ludus_nn_file_meta(f, CKPT_KEY_ENV));
    checkpoint_options(f, options, sizeof options);
    /* the run's world options hold for its own world only */
    const int own = !env_id || strcmp(env_id, home) == 0;
    if ((rc = ludus_env_make(own ? home : env_id, own ? options : NULL, &env))) {
        ludus_err_wrap(rc, "%s", path);
        goto fail;
    }
    const ludus_env_info *info = ludus_env_get_info(env);
    policy_input in;
    if ((rc = check_world(f, path, info)) || (rc = ludus_policy_input_of(info, arch.encoder, &in))) goto fail;
    if ((rc = ludus_policy_create(&a->pol, &arch, &in))) goto fail;
    if ((rc = ludus_nn_file_load(f, &a->pol.params))) goto fail;
    if ((rc = ludus_agent_create(&ckpt_ops, a, &agent))) goto fail;
    a = NULL; /* the agent owns it now */
    if ((rc = ludus_agent_set_origin(agent, path, home, options))) goto fail;
    if ((rc = ludus_agent_bind(agent, env, max_worlds))) goto fail;
    ludus_env_destroy(env);
    ludus_nn_file_close(f);
    *out = agent;
    return LUDUS_OK;
fail:
    ludus_env_destroy(env);
    ludus_nn_file_close(f);
    ckpt_destroy(a);
    ludus_agent_destroy(agent);
    return rc;
}
