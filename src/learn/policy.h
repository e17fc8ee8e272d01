/* policy.h: the actor-critic networks the learners train. Three encoders
 * read the observation, chosen from the declared kinds of the world's
 * observation fields (ludus_obs_kind): the grid one (MiniGrid's embedded
 * (V, V, 3) view, optional direction), the symbolic one (a map of semantic
 * ids, such as Crafter's 7x9 view, plus scalar bytes: vitals, inventory,
 * ...) and the pixel one (an RGB frame, bytes / 255, through strided
 * convolutions). All feed one CNN trunk, an
 * optional GRU memory core and an optional mission encoder (words ->
 * embedding -> GRU). Batches are time-major sequences (L steps of B
 * worlds) so the memory core can be trained through time while everything
 * else runs as one large batch.
 */
#ifndef LUDUS_LEARN_POLICY_H
#define LUDUS_LEARN_POLICY_H

#include "core/core.h"
#include "ludus/learn.h"
#include "ludus/learner.h"
#include "ludus/nn.h"

/* Bag-of-indices vocabulary for one grid cell: object type (11), colour
 * (6) and state (3) each get their own rows of one embedding table. */
#define POLICY_CELL_VOCAB 20
#define POLICY_COLOR_BASE 11
#define POLICY_STATE_BASE 17

/* Directions (east, south, west, north) embedded when arch.direction. */
#define POLICY_DIRECTIONS 4

/* Encoders (ludus_policy_arch.encoder); AUTO resolves from the kinds of
 * the observation's fields. */
enum { POLICY_ENCODER_AUTO = 0, POLICY_ENCODER_GRID = 1, POLICY_ENCODER_SYMBOLIC = 2, POLICY_ENCODER_PIXELS = 3 };

/* Channels of an RGB frame (LUDUS_OBS_RGB fields are (H, W, 3)). */
#define POLICY_RGB_CHANNELS 3

/* Symbolic encoder limits: ids of a map cell, and bytes after the map. */
#define POLICY_MAX_IDS 64
#define POLICY_MAX_EXTRAS 64
/* Each byte after the map enters the trunk twice: as value / (its field's
 * largest value), and one-hot over min(value, POLICY_EXTRA_BINS - 1), so
 * counts and categories (facing, sleeping) need no scale of their own. */
#define POLICY_EXTRA_BINS 16

/* The observation as a policy reads it (ludus_policy_input_of derives it from a
 * world's obs_fields). */
typedef struct policy_input {
    int encoder;          /* POLICY_ENCODER_GRID, _SYMBOLIC or _PIXELS */
    int h, w;             /* the map: grid (V, V) cells of 3 indices; symbolic (H, W)
                             ids; pixels (H, W) of 3 bytes */
    int ids;              /* symbolic: id values 0..ids-1 (larger ones read as ids-1) */
    int extras;           /* symbolic: X bytes after the map */
    uint8_t extra_high[POLICY_MAX_EXTRAS]; /* each one's largest value (its field's) */
    size_t obs_size;
    int num_actions;
    /* The action space: action_dims categoricals of nvec[k] values over
     * the num_actions = sum(nvec) logits, component after component; a
     * legal-action mask of num_actions bytes per sample when mask_size. */
    int action_dims;
    int nvec[LUDUS_MAX_ACTION_DIMS];
    int mask_size;
} policy_input;

/* The input of a world for an encoder (AUTO: the one its fields' kinds
 * call for: grid cells (+ direction) the grid encoder, a symbol map then
 * scalars the symbolic one, an RGB frame the pixel one). Shapes and value
 * ranges are checked, never used to choose. LUDUS_EUNSUPPORTED when no
 * encoder reads the observation (naming the field and its kind, or what
 * its layout lacks), LUDUS_EINVAL when the one asked for is not the one
 * its kinds call for. */
int ludus_policy_input_of(const ludus_env_info *info, int encoder, policy_input *in);

/* Words of the instruction vocabulary: 0 pads, 1 is any unknown word. */
#define POLICY_WORD_PAD 0
#define POLICY_WORD_UNK 1

typedef struct policy {
    ludus_policy_arch arch;  /* encoder resolved */
    policy_input in;
    int num_actions;     /* A */
    size_t obs_size;
    int cell_ids;        /* indices per map cell: 3 (grid), 1 (symbolic), 0 (pixels) */
    int cell_vocab;      /* rows of the cell embedding (0: pixels, none) */
    int k1, s1, s2;      /* conv1's kernel and stride, conv2's stride (arch's,
                            0 resolved); conv2's kernel is arch.kernel */
    int h1, w1, h2, w2;  /* map size after conv1 and conv2 */
    int flat;            /* h2 * w2 * conv2 channels */
    int feat;            /* width of the trunk's output (fc or memory) */
    int zdim;            /* width of the heads' input */
    int vocab;           /* instruction vocabulary size (with pad, unk) */
    ludus_nn_params params;
    /* offsets into params */
    size_t embed_w, c1_w, c1_b, c2_w, c2_b, fc_w, fc_b, dir_w, xs_w, xe_w;
    size_t m_wih, m_whh, m_bih, m_bhh;
    size_t w_emb, i_wih, i_whh, i_bih, i_bhh, film_w, film_b;
    size_t a0_w, a0_b, a2_w, a2_b, v0_w, v0_b, v2_w, v2_b;
    size_t fn_w, fn_b, an_w, an_b, vn_w, vn_b; /* arch.layer_norm: the three LayerNorms' gains and biases */
} policy;

/* Build (declare and allocate) a policy for an input; arch->encoder must
 * be AUTO or in->encoder. The parameters are zero until ludus_policy_init. */
int ludus_policy_create(policy *p, const ludus_policy_arch *arch, const policy_input *in);
void ludus_policy_destroy(policy *p);
/* Orthogonal weights (gain sqrt 2 in the trunk, 0.01 for the actor's and
 * the critic's outputs), zero biases, N(0,1) embeddings (N(0, 1/X) for
 * the X one-hot extras, whose rows are summed), and torch's
 * uniform(+-1/sqrt(H)) for GRU weights. */
int ludus_policy_init(policy *p, ludus_rng *rng);

/* Multiply-adds of one sample's forward (the convolutions, the fully
 * connected layers and the heads; the memory and mission encoders
 * included), to size work for threads. */
size_t ludus_policy_macs(const policy *p);

/* The words of a mission as vocabulary indices, padded with 0 to
 * arch.max_words (longer missions are cut). */
void ludus_policy_tokenize(const policy *p, const char *mission, int32_t *words);

/* One batch: L steps of B worlds, time-major (sample s = t * B + b). */
typedef struct policy_batch {
    int L, B;
    const uint8_t *obs;      /* (L*B, obs_size) */
    const int32_t *words;    /* (L*B, max_words), instruction policies only */
    const float *h0;         /* (B, memory) memory before step 0; memory only */
    const uint8_t *starts;   /* (L*B) 1: an episode begins here, so the memory
                                restarts from zero; NULL: none */
    const uint8_t *mask;     /* (L*B, num_actions) legal-action masks (0:
                                forbidden, its logit set to POLICY_MASKED);
                                NULL: every action legal */
} policy_batch;

/* Activations and their gradients for up to `cap` samples, and a gradient
 * buffer of the policy's size (grad), so several workers can each run a
 * slice of a batch. */
typedef struct policy_ws {
    int cap;
    int32_t *cells;          /* (cap*H*W, cell_ids) */
    int32_t *dirs;           /* (cap) direction indices (grid) */
    int32_t *xidx;           /* (cap, X) one-hot rows of the extras (symbolic) */
    float *xval;             /* (cap, X) their scaled values */
    float *table, *c1, *col2, *c2, *fc; /* table: the fused embedding conv's */
    float *pix, *col1;       /* pixels: the frames / 255 (cap, H, W, 3) and
                                conv1's im2col buffer */
    float *mh, *mhprev, *mgates;      /* (cap, M), (cap, M), (cap, 6M) */
    /* The instruction GRU runs once per distinct mission of the batch
     * (U of them, longest first, so the sequences still running at word w
     * are a prefix of active[w]); uniq maps each sample to its mission. */
    int nuniq, wmax, slot_mask;
    int *uniq, *rep, *order, *slots;  /* (cap), (cap), (cap), (2 * pow2 >= cap) */
    int *active;                      /* (W + 1) */
    int32_t *words;                   /* (W, U) time-major, pad where finished */
    int *nwords;                      /* (U) */
    float *wemb, *ih, *igates;        /* (W*U, Ei), (W+1, U, Hi), (W, U, 6Hi) */
    float *z, *a1, *logits, *logp, *v1, *value;
    /* gradients of the activations */
    float *dz, *da1, *dlogits, *dv1, *dvalue, *dfeat, *dfc, *dc2, *dc1, *dtable;
    float *dcol;                      /* scratch of the larger im2col buffer (conv1's, conv2's) */
    float *dmh, *dmprev, *mscratch;   /* (cap, M), (cap, M), (cap, 6M) */
    float *dih, *dwemb, *iscratch;    /* (3, cap, Hi), (cap*W, Ei), (cap, 6Hi) */
    /* FiLM: each mission's encoding (U, Hi), its (gamma | beta) (U, 2*C2),
     * conv2's output before the modulation (cap*h2*w2, C2), and the
     * gradients of the first two */
    float *hfin, *gb, *c2raw, *dhfin, *dgb;
    /* arch.layer_norm: the pre-activations before each LayerNorm (fc,
     * actor, critic), their means and reciprocal deviations (cap each), and
     * one gradient scratch of the largest width */
    float *fcpre, *a1pre, *v1pre, *lnstat, *dpre; /* (cap, hidden), (cap, head) x2, (6, cap), (cap, max) */
    float *grad;                      /* (params.size) */
} policy_ws;

int ludus_policy_ws_create(policy_ws *ws, const policy *p, int cap);
void ludus_policy_ws_destroy(policy_ws *ws);

/* Forward over the batch into ws: logits, logp (log-probabilities),
 * value; with memory, mh holds each step's new memory. */
void ludus_policy_forward(const policy *p, const float *params, policy_ws *ws, const policy_batch *b);
/* Backward from ws->dlogits (L*B, A) and ws->dvalue (L*B), which the
 * caller fills; adds the parameter gradients into ws->grad. */
void ludus_policy_backward(const policy *p, const float *params, policy_ws *ws, const policy_batch *b);

/* The architecture's keys (a ludus_key table, NULL-ended), and the
 * architecture as a JSON object (the checkpoint's "ludus.arch") and back.
 * Parsing checks every key and range (LUDUS_EFORMAT); keys added after
 * the first checkpoints may be absent (0). */
extern const ludus_key ludus_policy_arch_keys[];

/* ---- the actor's head: one categorical per action component ----
 * With one component and no mask these are exactly the single
 * categorical's functions (ludus_nn_categorical_*), so runs reproduce. */

/* A masked logit: exp() of it is 0 in float, and 0 * it is 0 (not NaN as
 * with -inf), so entropies and gradients stay finite. */
#define POLICY_MASKED (-1e9f)

/* Log-probabilities of the action vector a (sum over components) and the
 * entropy (sum over components) of one sample's logp row. */
float ludus_policy_logp_of(const policy *p, const float *logp, const int32_t *a);
float ludus_policy_entropy_of(const policy *p, const float *logp);
/* Sample (one uniform draw per component from rng) or take the most
 * likely value of each component; never a masked value. */
void ludus_policy_act(const policy *p, const float *logp, ludus_rng *rng, int greedy, int32_t *a);
/* Gradient of sum_s dlogp[s] * logp(a_s) + dent[s] * H_s into dlogits (S, A);
 * acts is (S, action_dims). */
void ludus_policy_head_backward(const policy *p, float *dlogits, const float *logp, const int32_t *acts,
                                const float *dlogp, const float *dent, int S);

/* The architecture as a JSON object (the checkpoint's "ludus.arch"), and
 * back. Parsing checks every key and range. */
int ludus_policy_arch_to_json(const ludus_policy_arch *a, char *buf, size_t cap);
int ludus_policy_arch_from_json(const char *json, ludus_policy_arch *a);

#endif
