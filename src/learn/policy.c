/* policy.c: the actor-critic, forward and backward over time-major
 * batches. The trunk (cell embeddings -> two ReLU convolutions -> a ReLU
 * fully connected layer, to which the grid encoder adds the direction and
 * the symbolic one the bytes after the map) runs on all L*B samples in
 * single matrix products; only the GRU cores step through time. Every
 * buffer is sized once per workspace, so a forward or backward never
 * allocates.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "learn/policy.h"
#include "nn/nn_internal.h"

/* The instruction vocabulary: BabyAI's and MiniGrid's mission words. Its
 * order is part of the checkpoint format: append, never reorder. */
static const char *const policy_words[] = {
    "a", "the", "go", "to", "pick", "up", "open", "put", "next", "and", "then", "after",
    "you", "door", "ball", "box", "key", "red", "green", "blue", "purple", "yellow", "grey",
    "on", "your", "left", "right", "in", "front", "of", "behind", "get", "goal", "use",
    "lava", "avoid", "square", "object", "objects", "all", "unlock", "that", "is", "same",
    "color", "as", "find", "reach", "traverse", "rooms", "matching", "corridor",
    "large", "small", "it", "first", "toggle", "enter", "room", "agent", "carry", "drop",
};
#define POLICY_NUM_WORDS ((int)(sizeof policy_words / sizeof policy_words[0]))

/* Output side of a convolution without padding; 0 when it does not fit. */
static int conv_out(int side, int k, int stride)
{
    return side < k ? 0 : (side - k) / stride + 1;
}

/* The cell embedding and the first convolution, fused (nn.h's embconv). */
static ludus_nn_embconv conv1_shape(const policy *p, int S)
{
    return (ludus_nn_embconv){.B = S, .H = p->in.h, .W = p->in.w, .NI = p->cell_ids, .V = p->cell_vocab,
                              .E = p->arch.embed, .O = p->arch.conv1, .K = p->arch.kernel};
}

/* The pixel encoder's first convolution, over the frames / 255. */
static ludus_nn_conv pixel_conv1_shape(const policy *p, int S)
{
    return (ludus_nn_conv){.B = S, .H = p->in.h, .W = p->in.w, .C = POLICY_RGB_CHANNELS,
                           .O = p->arch.conv1, .K = p->k1, .stride = p->s1, .pad = 0};
}

static ludus_nn_conv conv2_shape(const policy *p, int S)
{
    return (ludus_nn_conv){.B = S, .H = p->h1, .W = p->w1, .C = p->arch.conv1,
                           .O = p->arch.conv2, .K = p->arch.kernel, .stride = p->s2, .pad = 0};
}

static const char *encoder_name(int e)
{
    switch (e) {
    case POLICY_ENCODER_GRID: return "grid";
    case POLICY_ENCODER_SYMBOLIC: return "symbolic";
    case POLICY_ENCODER_PIXELS: return "pixel";
    default: return "auto";
    }
}

static const char *kind_name(int k)
{
    static const char *const names[] = {"opaque", "grid cells", "direction", "symbol map",
                                        "scalars", "rgb", "tokens"};
    return k >= 0 && k < (int)(sizeof names / sizeof names[0]) ? names[k] : "unknown";
}

static size_t field_bytes(const ludus_obs_field *f)
{
    size_t n = 1;
    for (int d = 0; d < f->ndim; d++) n *= (size_t)f->shape[d];
    return n;
}

/* The encoder a field's kind calls for when it comes first (0: none). */
static int encoder_of_kind(int kind)
{
    switch (kind) {
    case LUDUS_OBS_GRID_CELLS: return POLICY_ENCODER_GRID;
    case LUDUS_OBS_SYMBOL_MAP: return POLICY_ENCODER_SYMBOLIC;
    case LUDUS_OBS_RGB: return POLICY_ENCODER_PIXELS;
    default: return 0;
    }
}

static int unread_field(const ludus_env_info *info, const ludus_obs_field *g, const char *encoder)
{
    return ludus_err_set(LUDUS_EUNSUPPORTED, "%s: the %s encoder does not read field \"%s\" (kind %s)", info->id,
                         encoder, g->name, kind_name(g->kind));
}

/* Grid cells (V, V, 3) first, then at most a direction byte right after. */
static int grid_input(const ludus_env_info *info, policy_input *in)
{
    const ludus_obs_field *f = &info->obs_fields[0];
    if (f->ndim != 3 || f->shape[2] != 3 || f->shape[0] != f->shape[1] || f->offset != 0 ||
        f->high >= POLICY_COLOR_BASE)
        return ludus_err_set(LUDUS_EUNSUPPORTED, "%s: the grid encoder wants field \"%s\" (grid cells) at offset 0, "
                             "(V, V, 3), values up to %d",
                             info->id, f->name, POLICY_COLOR_BASE - 1);
    const size_t map = field_bytes(f);
    for (int k = 1; k < info->num_obs_fields; k++) {
        const ludus_obs_field *g = &info->obs_fields[k];
        if (g->kind != LUDUS_OBS_DIRECTION) return unread_field(info, g, "grid");
        if (g->offset != map || field_bytes(g) != 1)
            return ludus_err_set(LUDUS_EUNSUPPORTED, "%s: the grid encoder reads the direction as the one byte "
                                 "after the cells, not field \"%s\" at offset %zu",
                                 info->id, g->name, g->offset);
    }
    in->encoder = POLICY_ENCODER_GRID;
    in->h = in->w = f->shape[0];
    return LUDUS_OK;
}

/* A 2-D map of ids first, then scalar fields that cover the rest of the
 * observation. */
static int symbolic_input(const ludus_env_info *info, policy_input *in)
{
    const ludus_obs_field *f = &info->obs_fields[0];
    if (f->ndim != 2 || f->offset != 0 || f->low != 0 || f->high >= POLICY_MAX_IDS)
        return ludus_err_set(LUDUS_EUNSUPPORTED, "%s: the symbolic encoder wants field \"%s\" (symbol map) at "
                             "offset 0, 2-D, ids 0..%d",
                             info->id, f->name, POLICY_MAX_IDS - 1);
    size_t map = field_bytes(f);
    if (info->obs_size < map || info->obs_size - map > POLICY_MAX_EXTRAS)
        return ludus_err_set(LUDUS_EUNSUPPORTED, "%s: the symbolic encoder reads at most %d scalar bytes after the "
                             "map, not %zu",
                             info->id, POLICY_MAX_EXTRAS, info->obs_size - map);
    in->encoder = POLICY_ENCODER_SYMBOLIC;
    in->h = f->shape[0];
    in->w = f->shape[1];
    in->ids = f->high + 1;
    in->extras = (int)(info->obs_size - map);
    uint8_t seen[POLICY_MAX_EXTRAS] = {0};
    for (int k = 1; k < info->num_obs_fields; k++) {
        const ludus_obs_field *g = &info->obs_fields[k];
        size_t n = field_bytes(g);
        if (g->kind != LUDUS_OBS_SCALARS) return unread_field(info, g, "symbolic");
        if (g->offset < map || g->offset + n > info->obs_size)
            return ludus_err_set(LUDUS_EUNSUPPORTED, "%s: field \"%s\" lies outside the bytes after the map", info->id,
                                 g->name);
        for (size_t i = 0; i < n; i++) {
            in->extra_high[g->offset - map + i] = g->high;
            seen[g->offset - map + i] = 1;
        }
    }
    for (int i = 0; i < in->extras; i++)
        if (!seen[i])
            return ludus_err_set(LUDUS_EUNSUPPORTED, "%s: byte %zu of the observation belongs to no field", info->id,
                                 map + (size_t)i);
    return LUDUS_OK;
}

/* One (H, W, 3) frame, the whole observation. */
static int pixel_input(const ludus_env_info *info, policy_input *in)
{
    const ludus_obs_field *f = &info->obs_fields[0];
    if (f->ndim != 3 || f->shape[2] != POLICY_RGB_CHANNELS || f->offset != 0)
        return ludus_err_set(LUDUS_EUNSUPPORTED, "%s: the pixel encoder wants field \"%s\" (rgb) at offset 0, "
                             "(H, W, 3)",
                             info->id, f->name);
    for (int k = 1; k < info->num_obs_fields; k++) return unread_field(info, &info->obs_fields[k], "pixel");
    if (info->obs_size != field_bytes(f))
        return ludus_err_set(LUDUS_EUNSUPPORTED, "%s: %zu bytes of the observation belong to no field", info->id,
                             info->obs_size - field_bytes(f));
    in->encoder = POLICY_ENCODER_PIXELS;
    in->h = f->shape[0];
    in->w = f->shape[1];
    return LUDUS_OK;
}

int ludus_policy_input_of(const ludus_env_info *info, int encoder, policy_input *in)
{
    memset(in, 0, sizeof *in);
    in->obs_size = info->obs_size;
    in->num_actions = info->num_actions;
    in->action_dims = info->action_dims;
    memcpy(in->nvec, info->action_nvec, sizeof in->nvec);
    in->mask_size = info->mask_size;
    if (info->num_obs_fields < 1)
        return ludus_err_set(LUDUS_EUNSUPPORTED, "%s: no policy reads its observation (it declares no fields)", info->id);
    const ludus_obs_field *f = &info->obs_fields[0];
    const int chosen = encoder_of_kind(f->kind);
    if (!chosen)
        return ludus_err_set(LUDUS_EUNSUPPORTED, "%s: no policy reads its observation: its first field \"%s\" is of "
                             "kind %s (the encoders read grid cells, a symbol map or an rgb frame)",
                             info->id, f->name, kind_name(f->kind));
    if (encoder != POLICY_ENCODER_AUTO && encoder != chosen)
        return ludus_err_set(LUDUS_EINVAL, "%s: the %s encoder does not fit its observation (field \"%s\" is %s: the "
                             "%s one reads it)",
                             info->id, encoder_name(encoder), f->name, kind_name(f->kind), encoder_name(chosen));
    return chosen == POLICY_ENCODER_GRID ? grid_input(info, in)
           : chosen == POLICY_ENCODER_SYMBOLIC ? symbolic_input(info, in)
                                               : pixel_input(info, in);
}

int ludus_policy_create(policy *p, const ludus_policy_arch *arch, const policy_input *in)
{
    memset(p, 0, sizeof *p);
    p->arch = *arch;
    p->in = *in;
    p->num_actions = in->num_actions;
    p->obs_size = in->obs_size;
    const ludus_policy_arch *a = &p->arch;
    if (a->encoder != POLICY_ENCODER_AUTO && a->encoder != in->encoder)
        return ludus_err_set(LUDUS_EINVAL, "policy: arch.encoder is %s but the observation is read by the %s encoder",
                       encoder_name(a->encoder), encoder_name(in->encoder));
    p->arch.encoder = in->encoder;
    const int grid = in->encoder == POLICY_ENCODER_GRID, pixels = in->encoder == POLICY_ENCODER_PIXELS;
    p->cell_ids = grid ? 3 : pixels ? 0 : 1;
    p->cell_vocab = grid ? POLICY_CELL_VOCAB : pixels ? 0 : in->ids;
    size_t need = pixels ? (size_t)in->h * in->w * POLICY_RGB_CHANNELS
                         : (size_t)in->h * in->w * p->cell_ids + (grid && a->direction ? 1 : 0);
    if (in->obs_size < need)
        return ludus_err_set(LUDUS_EINVAL, "policy: observations of %zu bytes hold no %dx%dx%d %s%s", in->obs_size,
                       in->h, in->w, pixels ? POLICY_RGB_CHANNELS : p->cell_ids, pixels ? "frame" : "map",
                       grid && a->direction ? " and direction" : "");
    if (!grid && a->direction)
        return ludus_err_set(LUDUS_EINVAL, "policy: direction is a grid-encoder input (the %s encoder has none)",
                       encoder_name(in->encoder));
    p->k1 = a->kernel1 ? a->kernel1 : a->kernel;
    p->s1 = a->stride1 ? a->stride1 : 1;
    p->s2 = a->stride2 ? a->stride2 : 1;
    if (!pixels && (p->k1 != a->kernel || p->s1 != 1 || p->s2 != 1))
        return ludus_err_set(LUDUS_EINVAL, "policy: kernel1, stride1 and stride2 are pixel-encoder settings (the %s "
                                     "encoder's convolutions have kernel %d, stride 1)",
                       encoder_name(in->encoder), a->kernel);
    p->h1 = conv_out(in->h, p->k1, p->s1);
    p->w1 = conv_out(in->w, p->k1, p->s1);
    p->h2 = conv_out(p->h1, a->kernel, p->s2);
    p->w2 = conv_out(p->w1, a->kernel, p->s2);
    if (p->h2 < 1 || p->w2 < 1)
        return ludus_err_set(LUDUS_EINVAL, "policy: convolutions %dx%d stride %d then %dx%d stride %d do not fit a "
                                     "%dx%d %s",
                       p->k1, p->k1, p->s1, a->kernel, a->kernel, p->s2, in->h, in->w, pixels ? "frame" : "view");
    p->flat = p->h2 * p->w2 * a->conv2;
    if (a->film && !a->instr)
        return ludus_err_set(LUDUS_EINVAL, "policy: film needs the instruction encoder (instr > 0)");
    if (a->layer_norm && (a->hidden < 2 || a->head < 2))
        return ludus_err_set(LUDUS_EINVAL, "policy: layer_norm needs hidden and head >= 2 (a LayerNorm over one "
                                           "value is constant); got hidden %d, head %d", a->hidden, a->head);
    p->feat = a->memory ? a->memory : a->hidden;
    p->zdim = p->feat + a->instr;
    p->vocab = 2 + POLICY_NUM_WORDS;
    ludus_nn_params *P = &p->params;
    ludus_nn_params_init(P);
    int rc = 0, k = a->kernel, H;
#define ADD(name, off, ...)                                                                   \
    do {                                                                                      \
        int shape_[] = {__VA_ARGS__};                                                         \
        if (!rc) rc = ludus_nn_params_add(P, name, (int)(sizeof shape_ / sizeof shape_[0]), shape_, &p->off); \
    } while (0)
    if (pixels) {
        ADD("conv1.weight", c1_w, a->conv1, POLICY_RGB_CHANNELS, p->k1, p->k1);
    } else {
        ADD("embed.weight", embed_w, p->cell_vocab, a->embed);
        ADD("conv1.weight", c1_w, a->conv1, a->embed, k, k);
    }
    ADD("conv1.bias", c1_b, a->conv1);
    ADD("conv2.weight", c2_w, a->conv2, a->conv1, k, k);
    ADD("conv2.bias", c2_b, a->conv2);
    ADD("fc.weight", fc_w, a->hidden, p->flat);
    ADD("fc.bias", fc_b, a->hidden);
    if (a->layer_norm) {
        ADD("fc_norm.weight", fn_w, a->hidden);
        ADD("fc_norm.bias", fn_b, a->hidden);
    }
    if (a->direction) ADD("direction.weight", dir_w, POLICY_DIRECTIONS, a->hidden);
    if (!grid && in->extras) {
        ADD("extras.weight", xs_w, a->hidden, in->extras);
        ADD("extras_embed.weight", xe_w, in->extras * POLICY_EXTRA_BINS, a->hidden);
    }
    if ((H = a->memory)) {
        ADD("memory.weight_ih", m_wih, 3 * H, a->hidden);
        ADD("memory.weight_hh", m_whh, 3 * H, H);
        ADD("memory.bias_ih", m_bih, 3 * H);
        ADD("memory.bias_hh", m_bhh, 3 * H);
    }
    if ((H = a->instr)) {
        ADD("instr_embed.weight", w_emb, p->vocab, a->word_embed);
        ADD("instr_rnn.weight_ih", i_wih, 3 * H, a->word_embed);
        ADD("instr_rnn.weight_hh", i_whh, 3 * H, H);
        ADD("instr_rnn.bias_ih", i_bih, 3 * H);
        ADD("instr_rnn.bias_hh", i_bhh, 3 * H);
        if (a->film) {
            ADD("film.weight", film_w, 2 * a->conv2, H);
            ADD("film.bias", film_b, 2 * a->conv2);
        }
    }
    ADD("actor.0.weight", a0_w, a->head, p->zdim);
    ADD("actor.0.bias", a0_b, a->head);
    if (a->layer_norm) {
        ADD("actor.1.weight", an_w, a->head);
        ADD("actor.1.bias", an_b, a->head);
    }
    ADD("actor.2.weight", a2_w, p->num_actions, a->head);
    ADD("actor.2.bias", a2_b, p->num_actions);
    ADD("critic.0.weight", v0_w, a->head, p->zdim);
    ADD("critic.0.bias", v0_b, a->head);
    if (a->layer_norm) {
        ADD("critic.1.weight", vn_w, a->head);
        ADD("critic.1.bias", vn_b, a->head);
    }
    ADD("critic.2.weight", v2_w, 1, a->head);
    ADD("critic.2.bias", v2_b, 1);
#undef ADD
    if (!rc) rc = ludus_nn_params_alloc(P);
    if (rc) ludus_nn_params_free(P);
    return rc;
}

void ludus_policy_destroy(policy *p)
{
    if (p) ludus_nn_params_free(&p->params);
}

int ludus_policy_init(policy *p, ludus_rng *rng)
{
    float *w = p->params.data;
    const ludus_policy_arch *a = &p->arch;
    const float g = sqrtf(2.0f);
    int k2 = a->kernel * a->kernel, rc = 0;
    memset(w, 0, p->params.size * sizeof *w);
    if (a->encoder == POLICY_ENCODER_PIXELS) {
        rc = ludus_nn_orthogonal(w + p->c1_w, a->conv1, POLICY_RGB_CHANNELS * p->k1 * p->k1, g, rng);
    } else {
        for (int i = 0; i < p->cell_vocab * a->embed; i++) w[p->embed_w + i] = (float)ludus_nn_normal(rng);
        rc = ludus_nn_orthogonal(w + p->c1_w, a->conv1, a->embed * k2, g, rng);
    }
    rc = rc ? rc : ludus_nn_orthogonal(w + p->c2_w, a->conv2, a->conv1 * k2, g, rng);
    rc = rc ? rc : ludus_nn_orthogonal(w + p->fc_w, a->hidden, p->flat, g, rng);
    if (a->direction)
        for (int i = 0; i < POLICY_DIRECTIONS * a->hidden; i++) w[p->dir_w + i] = (float)ludus_nn_normal(rng);
    const int X = p->arch.encoder == POLICY_ENCODER_SYMBOLIC ? p->in.extras : 0;
    if (X) { /* the X one-hot rows are summed: unit variance in all */
        rc = rc ? rc : ludus_nn_orthogonal(w + p->xs_w, a->hidden, X, g, rng);
        const double sd = 1.0 / sqrt((double)X);
        for (int i = 0; i < X * POLICY_EXTRA_BINS * a->hidden; i++) w[p->xe_w + i] = (float)(sd * ludus_nn_normal(rng));
    }
    for (int core = 0; core < 2; core++) {
        int H = core ? a->instr : a->memory, In = core ? a->word_embed : a->hidden;
        if (!H) continue;
        float bound = 1.0f / sqrtf((float)H);
        size_t offs[4] = {core ? p->i_wih : p->m_wih, core ? p->i_whh : p->m_whh,
                          core ? p->i_bih : p->m_bih, core ? p->i_bhh : p->m_bhh};
        size_t lens[4] = {(size_t)3 * H * In, (size_t)3 * H * H, (size_t)3 * H, (size_t)3 * H};
        for (int t = 0; t < 4; t++)
            for (size_t i = 0; i < lens[t]; i++)
                w[offs[t] + i] = (float)ludus_rng_uniform(rng, -bound, bound);
    }
    if (a->instr)
        for (int i = 0; i < p->vocab * a->word_embed; i++) w[p->w_emb + i] = (float)ludus_nn_normal(rng);
    /* FiLM starts near the identity: x (1 + gamma) + beta with small gamma, beta */
    if (a->instr && a->film) rc = rc ? rc : ludus_nn_orthogonal(w + p->film_w, 2 * a->conv2, a->instr, 0.1f, rng);
    rc = rc ? rc : ludus_nn_orthogonal(w + p->a0_w, a->head, p->zdim, g, rng);
    rc = rc ? rc : ludus_nn_orthogonal(w + p->a2_w, p->num_actions, a->head, 0.01f, rng);
    rc = rc ? rc : ludus_nn_orthogonal(w + p->v0_w, a->head, p->zdim, g, rng);
    rc = rc ? rc : ludus_nn_orthogonal(w + p->v2_w, 1, a->head, 0.01f, rng);
    if (a->layer_norm) /* gains 1, biases 0, as torch.nn.LayerNorm */
        for (int j = 0; j < a->hidden || j < a->head; j++) {
            if (j < a->hidden) w[p->fn_w + j] = 1.0f;
            if (j < a->head) w[p->an_w + j] = w[p->vn_w + j] = 1.0f;
        }
    return rc;
}

size_t ludus_policy_macs(const policy *p)
{
    const ludus_policy_arch *a = &p->arch;
    const size_t k2 = (size_t)a->kernel * a->kernel, M = (size_t)a->memory, Hi = (size_t)a->instr;
    size_t n = a->encoder == POLICY_ENCODER_PIXELS /* im2col product, or the fused layer's gathers */
                   ? (size_t)p->h1 * p->w1 * a->conv1 * p->k1 * p->k1 * POLICY_RGB_CHANNELS
                   : (size_t)p->h1 * p->w1 * a->conv1 * k2 * p->cell_ids;
    n += (size_t)p->h2 * p->w2 * a->conv2 * a->conv1 * k2;
    n += (size_t)p->flat * a->hidden + (size_t)p->in.extras * a->hidden * 2;
    n += 3 * M * (a->hidden + M) + 3 * Hi * ((size_t)a->word_embed + Hi) * a->max_words / 2;
    n += 2 * (size_t)p->zdim * a->head + (size_t)a->head * (p->num_actions + 1);
    return n;
}

void ludus_policy_tokenize(const policy *p, const char *mission, int32_t *words)
{
    int W = p->arch.max_words, n = 0;
    for (int i = 0; i < W; i++) words[i] = POLICY_WORD_PAD;
    const char *s = mission ? mission : "";
    while (*s && n < W) {
        while (*s && !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))) s++;
        char word[32];
        int len = 0;
        while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')) {
            if (len < 31) word[len++] = (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
            s++;
        }
        if (!len) break;
        word[len] = 0;
        int32_t id = POLICY_WORD_UNK;
        for (int j = 0; j < POLICY_NUM_WORDS; j++)
            if (strcmp(word, policy_words[j]) == 0) {
                id = 2 + j;
                break;
            }
        words[n++] = id;
    }
}

/* ---- workspace ---- */

int ludus_policy_ws_create(policy_ws *ws, const policy *p, int cap)
{
    memset(ws, 0, sizeof *ws);
    ws->cap = cap;
    const ludus_policy_arch *a = &p->arch;
    size_t S = (size_t)cap, HW = (size_t)p->in.h * p->in.w, W = (size_t)a->max_words;
    size_t X = p->arch.encoder == POLICY_ENCODER_SYMBOLIC ? (size_t)p->in.extras : 0;
    const int pixels = a->encoder == POLICY_ENCODER_PIXELS;
    ludus_nn_embconv c1 = conv1_shape(p, cap);
    ludus_nn_conv c2 = conv2_shape(p, cap), pc1 = pixel_conv1_shape(p, cap);
    size_t table = pixels ? 0 : ludus_nn_embconv_table_size(&c1), col2 = ludus_nn_conv_col_size(&c2);
    size_t col1 = pixels ? ludus_nn_conv_col_size(&pc1) : 0;
    size_t frames = pixels ? S * HW * POLICY_RGB_CHANNELS : 0;
    size_t h1 = S * p->h1 * p->w1 * a->conv1, h2 = S * p->flat;
    size_t M = (size_t)a->memory, Hi = (size_t)a->instr, A = (size_t)p->num_actions;
    int ok = 1;
#define F(field, n) ok = ok && ((ws->field = ludus_nn_alloc_floats(n)) != NULL)
    ws->cells = malloc((S * HW * p->cell_ids + 1) * sizeof(int32_t));
    ws->dirs = malloc(S * sizeof(int32_t));
    ws->xidx = malloc((S * X + 1) * sizeof(int32_t));
    ok = ws->cells && ws->dirs && ws->xidx;
    F(xval, S * X + 1);
    F(table, table);
    F(pix, frames);
    F(col1, col1);
    F(c1, h1);
    F(col2, col2);
    F(c2, h2);
    F(fc, S * a->hidden);
    if (M) {
        F(mh, S * M);
        F(mhprev, S * M);
        F(mgates, S * 6 * M);
        F(dmh, S * M);
        F(dmprev, S * M);
        F(mscratch, S * 6 * M);
    }
    if (Hi) {
        size_t hs = 2;
        while (hs < 2 * S) hs *= 2;
        ws->words = malloc(S * W * sizeof(int32_t));
        ws->nwords = malloc(S * sizeof(int));
        ws->uniq = malloc(S * sizeof(int));
        ws->rep = malloc(S * sizeof(int));
        ws->order = malloc(S * sizeof(int));
        ws->slots = malloc(hs * sizeof(int));
        ws->active = malloc((W + 1) * sizeof(int));
        ws->slot_mask = (int)hs - 1;
        ok = ok && ws->words && ws->nwords && ws->uniq && ws->rep && ws->order && ws->slots && ws->active;
        F(wemb, S * W * a->word_embed);
        F(ih, (W + 1) * S * Hi);
        F(igates, W * S * 6 * Hi);
        F(dih, 3 * S * Hi);
        F(dwemb, S * W * a->word_embed);
        F(iscratch, S * 6 * Hi);
        if (a->film) {
            F(hfin, S * Hi);
            F(dhfin, S * Hi);
            F(gb, S * 2 * a->conv2);
            F(dgb, S * 2 * a->conv2);
            F(c2raw, h2);
        }
    }
    F(z, S * p->zdim);
    F(a1, S * a->head);
    F(logits, S * A);
    F(logp, S * A);
    F(v1, S * a->head);
    F(value, S);
    F(dz, S * p->zdim);
    F(da1, S * a->head);
    F(dlogits, S * A);
    F(dv1, S * a->head);
    F(dvalue, S);
    F(dfeat, S * p->feat);
    F(dfc, S * a->hidden);
    F(dc2, h2);
    F(dc1, h1);
    F(dtable, table);
    F(dcol, col1 > col2 ? col1 : col2);
    if (a->layer_norm) {
        const size_t wide = (size_t)(a->hidden > a->head ? a->hidden : a->head);
        F(fcpre, S * a->hidden);
        F(a1pre, S * a->head);
        F(v1pre, S * a->head);
        F(lnstat, 6 * S);
        F(dpre, S * wide);
    }
    F(grad, p->params.size);
#undef F
    if (!ok) {
        ludus_policy_ws_destroy(ws);
        return ludus_err_set(LUDUS_ENOMEM, "policy: cannot allocate a workspace for %d samples", cap);
    }
    return LUDUS_OK;
}

void ludus_policy_ws_destroy(policy_ws *ws)
{
    if (!ws) return;
    void *bufs[] = {ws->cells, ws->dirs, ws->xidx, ws->xval, ws->table, ws->pix, ws->col1, ws->c1, ws->col2, ws->c2, ws->fc, ws->mh,
                    ws->mhprev, ws->mgates, ws->words, ws->nwords, ws->uniq, ws->rep, ws->order,
                    ws->slots, ws->active, ws->hfin, ws->dhfin, ws->gb, ws->dgb, ws->c2raw, ws->wemb, ws->ih, ws->igates,
                    ws->z, ws->a1, ws->logits, ws->logp, ws->v1, ws->value, ws->dz,
                    ws->da1, ws->dlogits, ws->dv1, ws->dvalue, ws->dfeat, ws->dfc, ws->dc2,
                    ws->dc1, ws->dtable, ws->dcol, ws->dmh, ws->dmprev, ws->mscratch, ws->dih,
                    ws->dwemb, ws->iscratch, ws->fcpre, ws->a1pre, ws->v1pre, ws->lnstat, ws->dpre, ws->grad};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) free(bufs[i]);
    memset(ws, 0, sizeof *ws);
}

/* ---- the instruction encoder ---- */

/* FNV-1a over a sample's W word ids. */
static uint32_t words_hash(const int32_t *w, int W)
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < W; i++) {
        uint32_t v = (uint32_t)w[i];
        for (int k = 0; k < 4; k++) h = (h ^ ((v >> (8 * k)) & 0xffu)) * 16777619u;
    }
    return h;
}

/* Missions of the S samples (words (S, W)) through the word GRU, once per
 * distinct mission: ws->uniq, nwords, ih. The GRU at word w runs only on
 * the active[w] missions still going (sorted longest first); a mission's
 * encoding is ih[nwords[u]][u], zero for an empty one. */
static void instr_forward(const policy *p, const float *P, policy_ws *ws, const int32_t *words, int S)
{
    const int W = p->arch.max_words, Hi = p->arch.instr, Ei = p->arch.word_embed;
    int T = 0; /* distinct missions in order of first occurrence: rep[t] */
    for (int i = 0; i <= ws->slot_mask; i++) ws->slots[i] = -1;
    for (int s = 0; s < S; s++) {
        const int32_t *wd = words + (size_t)s * W;
        uint32_t h = words_hash(wd, W) & (uint32_t)ws->slot_mask;
        for (;;) {
            int t = ws->slots[h];
            if (t < 0) {
                ws->slots[h] = T;
                ws->rep[T] = s;
                ws->order[s] = T++;
                break;
            }
            if (memcmp(words + (size_t)ws->rep[t] * W, wd, (size_t)W * sizeof(int32_t)) == 0) {
                ws->order[s] = t;
                break;
            }
            h = (h + 1) & (uint32_t)ws->slot_mask;
        }
    }
    /* Sort them longest first (ties by first occurrence): tmp index t goes
     * to rank[t], kept in slots (free again). */
    int *len = ws->nwords, *rank = ws->slots;
    for (int t = 0; t < T; t++) {
        const int32_t *wd = words + (size_t)ws->rep[t] * W;
        int n = 0;
        while (n < W && wd[n] != POLICY_WORD_PAD) n++;
        ws->uniq[t] = n; /* lengths by tmp index, for now */
    }
    int U = 0;
    for (int n = W; n >= 0; n--)
        for (int t = 0; t < T; t++)
            if (ws->uniq[t] == n) rank[t] = U++;
    for (int t = 0; t < T; t++) len[rank[t]] = ws->uniq[t];
    for (int t = 0; t < T; t++) ws->uniq[t] = ws->rep[t];
    for (int t = 0; t < T; t++) ws->rep[rank[t]] = ws->uniq[t];
    for (int s = 0; s < S; s++) ws->uniq[s] = rank[ws->order[s]];
    ws->nuniq = U;
    ws->wmax = U ? len[0] : 0;
    for (int w = 0; w <= W; w++) {
        int n = 0;
        while (n < U && len[n] > w) n++;
        ws->active[w] = n;
    }
    for (int w = 0; w < W; w++)
        for (int u = 0; u < U; u++) {
            int32_t id = w < len[u] ? words[(size_t)ws->rep[u] * W + w] : POLICY_WORD_PAD;
            ws->words[(size_t)w * U + u] = (id < 0 || id >= p->vocab) ? POLICY_WORD_UNK : id;
        }
    ludus_nn_embedding_forward(ws->wemb, ws->words, P + p->w_emb, ws->wmax * U, 1, Ei);
    memset(ws->ih, 0, (size_t)U * Hi * sizeof(float));
    for (int w = 0; w < ws->wmax; w++) {
        float *hprev = ws->ih + (size_t)w * U * Hi, *hnext = hprev + (size_t)U * Hi;
        int A = ws->active[w];
        ludus_nn_gru_forward(hnext, ws->igates + (size_t)w * U * 6 * Hi, ws->wemb + (size_t)w * U * Ei, hprev,
                             P + p->i_wih, P + p->i_whh, P + p->i_bih, P + p->i_bhh, A, Ei, Hi);
        /* finished missions keep their state, so row u of every later
         * step still holds its encoding */
        memcpy(hnext + (size_t)A * Hi, hprev + (size_t)A * Hi, (size_t)(U - A) * Hi * sizeof(float));
    }
}

/* Backward of instr_forward from ws->dz's instruction columns. */
static void instr_backward(const policy *p, const float *P, policy_ws *ws, int S)
{
    const int Hi = p->arch.instr, Ei = p->arch.word_embed, U = ws->nuniq;
    float *G = ws->grad, *dfinal = ws->dih, *dh = ws->dih + (size_t)S * Hi, *dprev = ws->dih + (size_t)2 * S * Hi;
    memset(dfinal, 0, (size_t)U * Hi * sizeof(float));
    for (int s = 0; s < S; s++) { /* a mission shared by samples gets their summed gradient */
        float *d = dfinal + (size_t)ws->uniq[s] * Hi;
        const float *g = ws->dz + (size_t)s * p->zdim + p->feat;
        for (int j = 0; j < Hi; j++) d[j] += g[j];
    }
    if (p->arch.film)
        for (size_t i = 0; i < (size_t)U * Hi; i++) dfinal[i] += ws->dhfin[i];
    memset(dh, 0, (size_t)U * Hi * sizeof(float));
    for (int w = ws->wmax - 1; w >= 0; w--) {
        int A = ws->active[w];
        for (int u = 0; u < A; u++) /* missions that end at word w start their gradient here */
            if (ws->nwords[u] == w + 1) memcpy(dh + (size_t)u * Hi, dfinal + (size_t)u * Hi, Hi * sizeof(float));
        memset(dprev, 0, (size_t)U * Hi * sizeof(float));
        memset(ws->dwemb + (size_t)w * U * Ei, 0, (size_t)A * Ei * sizeof(float));
        ludus_nn_gru_backward(ws->dwemb + (size_t)w * U * Ei, dprev, G + p->i_wih, G + p->i_whh, G + p->i_bih,
                              G + p->i_bhh, ws->iscratch, dh, ws->igates + (size_t)w * U * 6 * Hi,
                              ws->wemb + (size_t)w * U * Ei, ws->ih + (size_t)w * U * Hi, P + p->i_wih,
                              P + p->i_whh, A, Ei, Hi);
        ludus_nn_embedding_backward(G + p->w_emb, ws->dwemb + (size_t)w * U * Ei, ws->words + (size_t)w * U, A, 1, Ei);
        float *t = dh;
        dh = dprev;
        dprev = t;
    }
}

/* FiLM on conv2's output (S, h2*h2, C2), in place: each channel c of a
 * sample whose mission is u becomes x (1 + gamma[u,c]) + beta[u,c], with
 * (gamma | beta) = film.weight h_u + film.bias once per mission. */
static void film_forward(const policy *p, const float *P, policy_ws *ws, int S)
{
    const int Hi = p->arch.instr, C = p->arch.conv2, U = ws->nuniq, HW = p->h2 * p->w2;
    for (int u = 0; u < U; u++)
        memcpy(ws->hfin + (size_t)u * Hi, ws->ih + ((size_t)ws->nwords[u] * U + u) * Hi, Hi * sizeof(float));
    ludus_nn_linear_forward(ws->gb, ws->hfin, P + p->film_w, P + p->film_b, U, Hi, 2 * C);
    memcpy(ws->c2raw, ws->c2, (size_t)S * p->flat * sizeof(float));
    for (int s = 0; s < S; s++) {
        const float *g = ws->gb + (size_t)ws->uniq[s] * 2 * C, *be = g + C;
        float *x = ws->c2 + (size_t)s * p->flat;
        for (int i = 0; i < HW; i++, x += C)
            for (int c = 0; c < C; c++) x[c] = x[c] * (1.0f + g[c]) + be[c];
    }
}

/* From ws->dc2 (the gradient of FiLM's output): dc2 becomes the gradient
 * of conv2's output, film.* get theirs, and ws->dhfin (U, Hi) the
 * missions' share, which instr_backward adds. */
static void film_backward(const policy *p, const float *P, policy_ws *ws, int S)
{
    const int Hi = p->arch.instr, C = p->arch.conv2, U = ws->nuniq, HW = p->h2 * p->w2;
    memset(ws->dgb, 0, (size_t)U * 2 * C * sizeof(float));
    for (int s = 0; s < S; s++) {
        const float *g = ws->gb + (size_t)ws->uniq[s] * 2 * C;
        float *dg = ws->dgb + (size_t)ws->uniq[s] * 2 * C, *dbe = dg + C;
        float *d = ws->dc2 + (size_t)s * p->flat;
        const float *x = ws->c2raw + (size_t)s * p->flat;
        for (int i = 0; i < HW; i++, d += C, x += C)
            for (int c = 0; c < C; c++) {
                dg[c] += d[c] * x[c];
                dbe[c] += d[c];
                d[c] *= 1.0f + g[c];
            }
    }
    memset(ws->dhfin, 0, (size_t)U * Hi * sizeof(float));
    ludus_nn_linear_backward(ws->dhfin, ws->grad + p->film_w, ws->grad + p->film_b, ws->dgb, ws->hfin,
                             P + p->film_w, U, Hi, 2 * C);
}

/* ---- forward ---- */

/* The activations' loops (nn_internal.h: one build per instruction set). */
#define relu_inplace ludus_nn_relu_inplace
#define relu_grad ludus_nn_relu_grad
#define tanh_grad ludus_nn_tanh_grad

static uint8_t clampu8(uint8_t v, uint8_t hi)
{
    return v > hi ? hi : v;
}

/* The grid encoder's inputs: each cell's (object, 11 + colour, 17 + state)
 * rows of the cell embedding, and the direction. */
static void grid_inputs(const policy *p, policy_ws *ws, const uint8_t *obs, int S)
{
    const int VV = p->in.h * p->in.w;
    for (int s = 0; s < S; s++) {
        const uint8_t *o = obs + (size_t)s * p->obs_size;
        int32_t *c = ws->cells + (size_t)s * VV * 3;
        for (int i = 0; i < VV; i++) {
            c[3 * i] = clampu8(o[3 * i], POLICY_COLOR_BASE - 1);
            c[3 * i + 1] = POLICY_COLOR_BASE + clampu8(o[3 * i + 1], POLICY_STATE_BASE - POLICY_COLOR_BASE - 1);
            c[3 * i + 2] = POLICY_STATE_BASE + clampu8(o[3 * i + 2], POLICY_CELL_VOCAB - POLICY_STATE_BASE - 1);
        }
        ws->dirs[s] = p->arch.direction ? clampu8(o[3 * VV], POLICY_DIRECTIONS - 1) : 0;
    }
}

/* The symbolic encoder's inputs: each map cell's id, and for each byte j
 * after the map its one-hot row j * BINS + min(v, BINS - 1) and its value
 * min(v, high) / high. */
static void symbolic_inputs(const policy *p, policy_ws *ws, const uint8_t *obs, int S)
{
    const int HW = p->in.h * p->in.w, X = p->in.extras;
    const uint8_t top = (uint8_t)(p->in.ids - 1);
    for (int s = 0; s < S; s++) {
        const uint8_t *o = obs + (size_t)s * p->obs_size;
        int32_t *c = ws->cells + (size_t)s * HW, *xi = ws->xidx + (size_t)s * X;
        float *xv = ws->xval + (size_t)s * X;
        for (int i = 0; i < HW; i++) c[i] = clampu8(o[i], top);
        for (int j = 0; j < X; j++) {
            uint8_t v = o[HW + j], hi = p->in.extra_high[j];
            xi[j] = j * POLICY_EXTRA_BINS + clampu8(v, POLICY_EXTRA_BINS - 1);
            xv[j] = hi ? (float)clampu8(v, hi) / (float)hi : 0.0f;
        }
    }
}

/* The pixel encoder's input: every byte / 255, channels-last as stored. */
static void pixel_inputs(const policy *p, policy_ws *ws, const uint8_t *obs, int S)
{
    const size_t n = (size_t)p->in.h * p->in.w * POLICY_RGB_CHANNELS;
    const float scale = 1.0f / 255.0f;
    for (int s = 0; s < S; s++) {
        const uint8_t *o = obs + (size_t)s * p->obs_size;
        float *x = ws->pix + (size_t)s * n;
        for (size_t i = 0; i < n; i++) x[i] = (float)o[i] * scale;
    }
}


/* ---- the actor's head ---- */

/* logp = log_softmax of each component's logits, masked ones first set
 * to POLICY_MASKED. One component without a mask: exactly one softmax. */
static void head_log_softmax(const policy *p, policy_ws *ws, const uint8_t *mask, int S)
{
    const int A = p->num_actions, D = p->in.action_dims;
    if (D <= 1 && !mask) {
        ludus_nn_log_softmax(ws->logp, ws->logits, S, A);
        return;
    }
    for (int s = 0; s < S; s++) {
        float *l = ws->logits + (size_t)s * A, *o = ws->logp + (size_t)s * A;
        if (mask) {
            const uint8_t *m = mask + (size_t)s * A;
            for (int j = 0; j < A; j++)
                if (!m[j]) l[j] = POLICY_MASKED;
        }
        for (int k = 0, off = 0; k < (D > 1 ? D : 1); off += p->in.nvec[k], k++) {
            int n = D > 1 ? p->in.nvec[k] : A;
            ludus_nn_log_softmax(o + off, l + off, 1, n);
        }
    }
}

float ludus_policy_logp_of(const policy *p, const float *logp, const int32_t *a)
{
    const int D = p->in.action_dims;
    if (D <= 1) return logp[a[0]];
    float s = 0.0f;
    for (int k = 0, off = 0; k < D; off += p->in.nvec[k], k++) s += logp[off + a[k]];
    return s;
}

float ludus_policy_entropy_of(const policy *p, const float *logp)
{
    const int D = p->in.action_dims;
    if (D <= 1) return ludus_nn_categorical_entropy(logp, p->num_actions);
    float h = 0.0f;
    for (int k = 0, off = 0; k < D; off += p->in.nvec[k], k++) h += ludus_nn_categorical_entropy(logp + off, p->in.nvec[k]);
    return h;
}

/* One categorical: a sample, or the most likely value; a draw that rounding
 * lands on a masked value (the sampler's last resort is the last value)
 * becomes the most likely value instead. */
static int32_t head_pick(const float *lp, int n, ludus_rng *rng, int greedy, int masked)
{
    int v = greedy ? ludus_nn_categorical_argmax(lp, n) : ludus_nn_categorical_sample(lp, n, rng);
    if (masked && lp[v] <= 0.5f * POLICY_MASKED) v = ludus_nn_categorical_argmax(lp, n);
    return (int32_t)v;
}

void ludus_policy_act(const policy *p, const float *logp, ludus_rng *rng, int greedy, int32_t *a)
{
    const int D = p->in.action_dims, masked = p->in.mask_size != 0;
    if (D <= 1) {
        a[0] = head_pick(logp, p->num_actions, rng, greedy, masked);
        return;
    }
    for (int k = 0, off = 0; k < D; off += p->in.nvec[k], k++) a[k] = head_pick(logp + off, p->in.nvec[k], rng, greedy, masked);
}

void ludus_policy_head_backward(const policy *p, float *dlogits, const float *logp, const int32_t *acts,
                                const float *dlogp, const float *dent, int S)
{
    const int A = p->num_actions, D = p->in.action_dims;
    if (D <= 1) {
        ludus_nn_categorical_backward(dlogits, logp, acts, dlogp, dent, S, A);
        return;
    }
    for (int s = 0; s < S; s++)
        for (int k = 0, off = 0; k < D; off += p->in.nvec[k], k++)
            ludus_nn_categorical_backward(dlogits + (size_t)s * A + off, logp + (size_t)s * A + off,
                                          acts + (size_t)s * D + k, dlogp ? dlogp + s : NULL, dent ? dent + s : NULL,
                                          1, p->in.nvec[k]);
}

void ludus_policy_forward(const policy *p, const float *P, policy_ws *ws, const policy_batch *b)
{
    const ludus_policy_arch *a = &p->arch;
    const int S = b->L * b->B, A = p->num_actions;
    const int X = a->encoder == POLICY_ENCODER_SYMBOLIC ? p->in.extras : 0;
    ludus_nn_conv c2 = conv2_shape(p, S);
    if (a->encoder == POLICY_ENCODER_PIXELS) {
        pixel_inputs(p, ws, b->obs, S);
        ludus_nn_conv c1 = pixel_conv1_shape(p, S);
        ludus_nn_conv2d_forward(ws->c1, ws->col1, ws->pix, P + p->c1_w, P + p->c1_b, &c1);
    } else {
        if (a->encoder == POLICY_ENCODER_GRID) grid_inputs(p, ws, b->obs, S);
        else symbolic_inputs(p, ws, b->obs, S);
        ludus_nn_embconv c1 = conv1_shape(p, S);
        ludus_nn_embconv_forward(ws->c1, ws->table, ws->cells, P + p->embed_w, P + p->c1_w, P + p->c1_b, &c1);
    }
    relu_inplace(ws->c1, (size_t)S * p->h1 * p->w1 * a->conv1);
    if (a->instr) instr_forward(p, P, ws, b->words, S);
    ludus_nn_conv2d_forward(ws->c2, ws->col2, ws->c1, P + p->c2_w, P + p->c2_b, &c2);
    if (a->film) film_forward(p, P, ws, S);
    relu_inplace(ws->c2, (size_t)S * p->flat);
    ludus_nn_linear_forward(ws->fc, ws->c2, P + p->fc_w, P + p->fc_b, S, p->flat, a->hidden);
    if (a->direction) /* fc(x) + direction.weight[d], before the ReLU */
        for (int s = 0; s < S; s++) {
            float *f = ws->fc + (size_t)s * a->hidden;
            const float *e = P + p->dir_w + (size_t)ws->dirs[s] * a->hidden;
            for (int j = 0; j < a->hidden; j++) f[j] += e[j];
        }
    if (X) { /* + extras.weight x + the sum of the one-hot rows, before the ReLU */
        ludus_nn_gemm(0, 1, S, a->hidden, X, 1.0f, ws->xval, X, P + p->xs_w, X, 1.0f, ws->fc, a->hidden);
        for (int s = 0; s < S; s++) {
            float *f = ws->fc + (size_t)s * a->hidden;
            const int32_t *xi = ws->xidx + (size_t)s * X;
            for (int j = 0; j < X; j++) {
                const float *e = P + p->xe_w + (size_t)xi[j] * a->hidden;
                for (int k = 0; k < a->hidden; k++) f[k] += e[k];
            }
        }
    }
    if (a->layer_norm) { /* fc <- LayerNorm(fc), before the ReLU */
        memcpy(ws->fcpre, ws->fc, (size_t)S * a->hidden * sizeof(float));
        ludus_nn_layernorm_forward(ws->fc, ws->lnstat, ws->lnstat + S, ws->fcpre, P + p->fn_w, P + p->fn_b, S,
                                   a->hidden);
    }
    relu_inplace(ws->fc, (size_t)S * a->hidden);
    const float *feat = ws->fc;
    if (a->memory) {
        const int M = a->memory, B = b->B;
        for (int t = 0; t < b->L; t++) {
            float *hp = ws->mhprev + (size_t)t * B * M;
            const float *src = t ? ws->mh + (size_t)(t - 1) * B * M : b->h0;
            for (int i = 0; i < B; i++) {
                if (b->starts && b->starts[t * B + i]) memset(hp + (size_t)i * M, 0, M * sizeof(float));
                else memcpy(hp + (size_t)i * M, src + (size_t)i * M, M * sizeof(float));
            }
            ludus_nn_gru_forward(ws->mh + (size_t)t * B * M, ws->mgates + (size_t)t * B * 6 * M,
                                 ws->fc + (size_t)t * B * a->hidden, hp, P + p->m_wih, P + p->m_whh,
                                 P + p->m_bih, P + p->m_bhh, B, a->hidden, M);
        }
        feat = ws->mh;
    }
    for (int s = 0; s < S; s++) {
        float *z = ws->z + (size_t)s * p->zdim;
        memcpy(z, feat + (size_t)s * p->feat, p->feat * sizeof(float));
        if (a->instr) {
            int u = ws->uniq[s];
            memcpy(z + p->feat, ws->ih + ((size_t)ws->nwords[u] * ws->nuniq + u) * a->instr,
                   a->instr * sizeof(float));
        }
    }
    ludus_nn_linear_forward(a->layer_norm ? ws->a1pre : ws->a1, ws->z, P + p->a0_w, P + p->a0_b, S, p->zdim, a->head);
    if (a->layer_norm)
        ludus_nn_layernorm_forward(ws->a1, ws->lnstat + 2 * S, ws->lnstat + 3 * S, ws->a1pre, P + p->an_w,
                                   P + p->an_b, S, a->head);
    ludus_nn_tanh_forward(ws->a1, ws->a1, (size_t)S * a->head);
    ludus_nn_linear_forward(ws->logits, ws->a1, P + p->a2_w, P + p->a2_b, S, a->head, A);
    head_log_softmax(p, ws, b->mask, S);
    ludus_nn_linear_forward(a->layer_norm ? ws->v1pre : ws->v1, ws->z, P + p->v0_w, P + p->v0_b, S, p->zdim, a->head);
    if (a->layer_norm)
        ludus_nn_layernorm_forward(ws->v1, ws->lnstat + 4 * S, ws->lnstat + 5 * S, ws->v1pre, P + p->vn_w,
                                   P + p->vn_b, S, a->head);
    ludus_nn_tanh_forward(ws->v1, ws->v1, (size_t)S * a->head);
    ludus_nn_linear_forward(ws->value, ws->v1, P + p->v2_w, P + p->v2_b, S, a->head, 1);
}

/* ---- backward ---- */

/* d (S, C), the gradient at a LayerNorm's output, becomes the gradient at
 * its input pre (stats: the forward's means then reciprocal deviations);
 * the gain's and bias's gradients are added into dw, db. */
static void layernorm_back(policy_ws *ws, float *d, const float *pre, const float *stats, float *dw, float *db,
                           const float *w, int S, int C)
{
    memset(ws->dpre, 0, (size_t)S * C * sizeof(float));
    ludus_nn_layernorm_backward(ws->dpre, dw, db, d, pre, stats, stats + S, w, S, C);
    memcpy(d, ws->dpre, (size_t)S * C * sizeof(float));
}

void ludus_policy_backward(const policy *p, const float *P, policy_ws *ws, const policy_batch *b)
{
    const ludus_policy_arch *a = &p->arch;
    const int S = b->L * b->B, A = p->num_actions;
    float *G = ws->grad;
    memset(ws->da1, 0, (size_t)S * a->head * sizeof(float));
    memset(ws->dv1, 0, (size_t)S * a->head * sizeof(float));
    memset(ws->dz, 0, (size_t)S * p->zdim * sizeof(float));
    ludus_nn_linear_backward(ws->da1, G + p->a2_w, G + p->a2_b, ws->dlogits, ws->a1, P + p->a2_w, S, a->head, A);
    tanh_grad(ws->da1, ws->a1, (size_t)S * a->head);
    if (a->layer_norm) layernorm_back(ws, ws->da1, ws->a1pre, ws->lnstat + 2 * S, G + p->an_w, G + p->an_b,
                                      P + p->an_w, S, a->head);
    ludus_nn_linear_backward(ws->dz, G + p->a0_w, G + p->a0_b, ws->da1, ws->z, P + p->a0_w, S, p->zdim, a->head);
    ludus_nn_linear_backward(ws->dv1, G + p->v2_w, G + p->v2_b, ws->dvalue, ws->v1, P + p->v2_w, S, a->head, 1);
    tanh_grad(ws->dv1, ws->v1, (size_t)S * a->head);
    if (a->layer_norm) layernorm_back(ws, ws->dv1, ws->v1pre, ws->lnstat + 4 * S, G + p->vn_w, G + p->vn_b,
                                      P + p->vn_w, S, a->head);
    ludus_nn_linear_backward(ws->dz, G + p->v0_w, G + p->v0_b, ws->dv1, ws->z, P + p->v0_w, S, p->zdim, a->head);
    for (int s = 0; s < S; s++)
        memcpy(ws->dfeat + (size_t)s * p->feat, ws->dz + (size_t)s * p->zdim, p->feat * sizeof(float));
    if (a->memory) {
        const int M = a->memory, B = b->B;
        memset(ws->dfc, 0, (size_t)S * a->hidden * sizeof(float));
        float *carry = ws->dmprev; /* (B, M): gradient reaching h_{t} from step t+1 */
        memset(carry, 0, (size_t)B * M * sizeof(float));
        for (int t = b->L - 1; t >= 0; t--) {
            float *dh = ws->dmh; /* (B, M) */
            const float *df = ws->dfeat + (size_t)t * B * M;
            for (size_t i = 0; i < (size_t)B * M; i++) dh[i] = df[i] + carry[i];
            memset(carry, 0, (size_t)B * M * sizeof(float));
            ludus_nn_gru_backward(ws->dfc + (size_t)t * B * a->hidden, carry, G + p->m_wih, G + p->m_whh,
                                  G + p->m_bih, G + p->m_bhh, ws->mscratch, dh,
                                  ws->mgates + (size_t)t * B * 6 * M, ws->fc + (size_t)t * B * a->hidden,
                                  ws->mhprev + (size_t)t * B * M, P + p->m_wih, P + p->m_whh, B, a->hidden, M);
            for (int i = 0; i < B; i++) /* a restarted memory did not come from h_{t-1} */
                if (b->starts && b->starts[t * B + i]) memset(carry + (size_t)i * M, 0, M * sizeof(float));
        }
    } else {
        memcpy(ws->dfc, ws->dfeat, (size_t)S * a->hidden * sizeof(float));
    }
    relu_grad(ws->dfc, ws->fc, (size_t)S * a->hidden);
    if (a->layer_norm)
        layernorm_back(ws, ws->dfc, ws->fcpre, ws->lnstat, G + p->fn_w, G + p->fn_b, P + p->fn_w, S, a->hidden);
    if (a->direction) ludus_nn_embedding_backward(G + p->dir_w, ws->dfc, ws->dirs, S, 1, a->hidden);
    if (a->encoder == POLICY_ENCODER_SYMBOLIC && p->in.extras) {
        const int X = p->in.extras;
        ludus_nn_gemm(1, 0, a->hidden, X, S, 1.0f, ws->dfc, a->hidden, ws->xval, X, 1.0f, G + p->xs_w, X);
        ludus_nn_embedding_backward(G + p->xe_w, ws->dfc, ws->xidx, S, X, a->hidden);
    }
    memset(ws->dc2, 0, (size_t)S * p->flat * sizeof(float));
    ludus_nn_linear_backward(ws->dc2, G + p->fc_w, G + p->fc_b, ws->dfc, ws->c2, P + p->fc_w, S, p->flat, a->hidden);
    relu_grad(ws->dc2, ws->c2, (size_t)S * p->flat);
    if (a->film) film_backward(p, P, ws, S);
    ludus_nn_conv c2 = conv2_shape(p, S);
    size_t n1 = (size_t)S * p->h1 * p->w1 * a->conv1;
    memset(ws->dc1, 0, n1 * sizeof(float));
    ludus_nn_conv2d_backward(ws->dc1, G + p->c2_w, G + p->c2_b, ws->dcol, ws->dc2, ws->col2, P + p->c2_w, &c2);
    relu_grad(ws->dc1, ws->c1, n1);
    if (a->encoder == POLICY_ENCODER_PIXELS) { /* the frames need no gradient */
        ludus_nn_conv c1 = pixel_conv1_shape(p, S);
        ludus_nn_conv2d_backward(NULL, G + p->c1_w, G + p->c1_b, ws->dcol, ws->dc1, ws->col1, P + p->c1_w, &c1);
    } else {
        ludus_nn_embconv c1 = conv1_shape(p, S);
        ludus_nn_embconv_backward(G + p->embed_w, G + p->c1_w, G + p->c1_b, ws->dtable, ws->dc1, ws->cells,
                                  P + p->embed_w, P + p->c1_w, &c1);
    }
    if (a->instr) instr_backward(p, P, ws, S);
}

/* ---- the architecture as JSON ---- */

#define AK(n, lo, hi) {#n, LUDUS_KEY_INT, offsetof(ludus_policy_arch, n), lo, hi, NULL, NULL}
/* The architecture's keys: config files (config.c nests this table under
 * "arch") and checkpoints ("ludus.arch") are read through it. */
const ludus_key ludus_policy_arch_keys[] = {
    AK(embed, 1, 256), AK(conv1, 1, 1024), AK(conv2, 1, 1024), AK(kernel, 1, 5),
    AK(hidden, 1, 4096), AK(head, 1, 4096), AK(memory, 0, 4096), AK(instr, 0, 4096),
    AK(word_embed, 1, 1024), AK(max_words, 1, 64), AK(direction, 0, 1), AK(film, 0, 1),
    AK(encoder, 0, 3), AK(kernel1, 0, 12), AK(stride1, 0, 8), AK(stride2, 0, 8), AK(layer_norm, 0, 1),
    {NULL, 0, 0, 0, 0, NULL, NULL},
};
#undef AK
/* Keys added after the first checkpoints: absent means 0. */
#define ARCH_FIRST_OPTIONAL 10

int ludus_policy_arch_to_json(const ludus_policy_arch *a, char *buf, size_t cap)
{
    strbuf sb = sb_make(buf, cap);
    ludus_sb_putc(&sb, '{');
    for (const ludus_key *k = ludus_policy_arch_keys; k->name; k++) {
        const int v = *(const int *)((const char *)a + k->offset);
        /* layer_norm 0 is left out, so checkpoints without it are as before */
        if (k->offset == offsetof(ludus_policy_arch, layer_norm) && !v) continue;
        ludus_sb_printf(&sb, "%s\"%s\": %d", k == ludus_policy_arch_keys ? "" : ", ", k->name, v);
    }
    ludus_sb_putc(&sb, '}');
    return (int)sb.len;
}

int ludus_policy_arch_from_json(const char *json, ludus_policy_arch *a)
{
    cJSON *o = cJSON_Parse(json);
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return ludus_err_set(LUDUS_EFORMAT, "arch: not a JSON object");
    }
    int rc = LUDUS_OK;
    for (int i = 0; !rc && i < ARCH_FIRST_OPTIONAL; i++)
        if (!cJSON_GetObjectItemCaseSensitive(o, ludus_policy_arch_keys[i].name))
            rc = ludus_err_set(LUDUS_EFORMAT, "arch: \"%s\" is missing", ludus_policy_arch_keys[i].name);
    cJSON_Delete(o);
    if (rc) return rc;
    ludus_policy_arch out;
    memset(&out, 0, sizeof out);
    if ((rc = ludus_keys_apply_json(ludus_policy_arch_keys, &out, sizeof out, json)))
        return ludus_err_wrap(LUDUS_EFORMAT, "arch");
    *a = out;
    return LUDUS_OK;
}
