/* nn.h: the neural-network toolkit under ludus's learners, public so that a
 * C user can build, train, save and load small networks. float32 only. The
 * parameters of a network live in one flat buffer and their gradients in
 * another (ludus_nn_params); layers are plain functions in _forward /
 * _backward pairs over caller-owned buffers whose shapes each comment gives,
 * row-major, as in llm.c. Backward functions ADD into their gradient outputs
 * (dinp, dw, ...), so branches merge without extra code; callers zero them.
 *
 * Layers, optimizers and distributions do no allocation, no I/O and no
 * locking; calls on distinct buffers may run concurrently. Conventions for
 * errors and ownership are those of ludus.h.
 *
 * Contracts in short: the void functions (gemm, layers, activations,
 * distributions, Adam's step) cannot fail and trust their arguments, as
 * the kernels of a BLAS do: shapes >= 1 and buffers of the sizes the
 * comments give, non-NULL unless a comment says "may be NULL"; checking is
 * the caller's job at its edge (the learners check configs and
 * observations). Outputs may not alias inputs unless a comment says so.
 * The int functions (parameters, Adam's init, orthogonal init, files)
 * check their arguments and return LUDUS_OK or a LUDUS_E* code with a
 * message. Everything is thread-safe for distinct buffers and objects,
 * except ludus_nn_set_threads (process-wide).
 */
#ifndef LUDUS_NN_H
#define LUDUS_NN_H

#include "ludus/ludus.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Parameters: named tensors in one flat buffer
 *
 * Declare every tensor with ludus_nn_params_add (which returns its offset
 * into data/grad), then ludus_nn_params_alloc once; offsets stay valid.
 * Names and shapes are those a PyTorch state_dict would use, so a
 * checkpoint loads into the equivalent torch.nn.Module.
 * ---------------------------------------------------------------------- */

#define LUDUS_NN_NAME_CAP 64
#define LUDUS_NN_MAX_DIMS 4

typedef struct ludus_nn_tensor {
    char name[LUDUS_NN_NAME_CAP];
    int ndim;
    int shape[LUDUS_NN_MAX_DIMS];
    size_t offset;   /* in floats, into data and grad */
    size_t numel;
} ludus_nn_tensor;

typedef struct ludus_nn_params {
    ludus_nn_tensor *tensors;
    int count, cap;
    size_t size;     /* floats in data and in grad */
    float *data;     /* (size); NULL until ludus_nn_params_alloc */
    float *grad;     /* (size) */
} ludus_nn_params;

/* Start an empty set (no allocation yet); p is the caller's struct. */
LUDUS_API void ludus_nn_params_init(ludus_nn_params *p);
/* Declare a tensor (name and shape are copied). Names must be unique,
 * 1..63 bytes of [A-Za-z0-9_.]; 1 <= ndim <= 4, every dim >= 1: otherwise
 * LUDUS_EINVAL, as after alloc; LUDUS_ENOMEM. *offset (may be NULL) gets
 * the tensor's offset in floats. */
LUDUS_API int ludus_nn_params_add(ludus_nn_params *p, const char *name, int ndim,
                                  const int *shape, size_t *offset);
/* Allocate data and grad (64-byte aligned, zeroed), owned by p until
 * ludus_nn_params_free. LUDUS_EINVAL when already allocated; LUDUS_ENOMEM. */
LUDUS_API int ludus_nn_params_alloc(ludus_nn_params *p);
/* The tensor called name, or NULL (also for NULL arguments); owned by p,
 * valid until the next add or the free. */
LUDUS_API const ludus_nn_tensor *ludus_nn_params_find(const ludus_nn_params *p, const char *name);
/* Free everything p allocated; p is left empty. NULL is harmless. */
LUDUS_API void ludus_nn_params_free(ludus_nn_params *p);

/* ------------------------------------------------------------------------
 * Matrix product
 *
 * C (M,N) = alpha * op(A) op(B) + beta * C, row-major, op(X) = X or X^T.
 * A is (M,K) or, transposed, (K,M); B is (K,N) or (N,K). Runs on the
 * kernels ludus_nn_set_kernels chose (by default the best SIMD build the
 * CPU runs, or OpenBLAS for shapes where it was measured faster). beta == 0
 * ignores C's contents. Thread-safe for distinct C.
 * ---------------------------------------------------------------------- */

LUDUS_API void ludus_nn_gemm(int trans_a, int trans_b, int M, int N, int K, float alpha,
                             const float *A, int lda, const float *B, int ldb, float beta,
                             float *C, int ldc);
/* The number of threads OpenBLAS may use for one product (n < 1 means 1).
 * Process-wide: this is OpenBLAS's own setting (openblas_set_num_threads),
 * shared with every other user of OpenBLAS in the process, and it stays
 * until changed again; it is not thread-safe (call it when no product is
 * running). Results for a given count are deterministic. A learner that
 * changes it says so in its contract (learn.h). */
LUDUS_API void ludus_nn_set_threads(int n);
/* Which code computes the matrix products, process-wide: "portable" (C),
 * "avx2" (AVX2+FMA intrinsics), "avx512" (AVX-512F intrinsics), "blas"
 * (OpenBLAS) or "auto" (the best of avx512, avx2, portable that the CPU
 * runs, or OpenBLAS for the shapes where it was measured faster). NULL
 * reads the environment variable LUDUS_KERNELS (unset or empty: "auto").
 * Without a call, the first product reads LUDUS_KERNELS and falls back to
 * "auto" when it is bad (ludus_ppo_create and the DQN learner refuse a bad
 * LUDUS_KERNELS with this function's message instead).
 * The kernels give every row of C a result that depends on that row's
 * inputs and (trans_a, trans_b, N, K) only, not on M or the other rows;
 * avx2 and avx512 agree bit for bit, portable differs by rounding.
 * Returns LUDUS_OK; LUDUS_EINVAL for an unknown name, LUDUS_EUNSUPPORTED
 * when this CPU or build cannot run it (the choice then stays as it was).
 * Not thread-safe: call it when no product is running. */
LUDUS_API int ludus_nn_set_kernels(const char *name);
/* The kernels in use: "portable", "avx2", "avx512", "blas", or for auto
 * "auto:" and the SIMD build it runs ("auto:avx512"). A static string. */
LUDUS_API const char *ludus_nn_kernels(void);
/* The number OpenBLAS uses now (process-wide; ludus_ppo_create sets it to
 * 1 and ludus_ppo_destroy restores what it found). */
LUDUS_API int ludus_nn_get_threads(void);

/* ------------------------------------------------------------------------
 * Layers
 * ---------------------------------------------------------------------- */

/* Linear, as torch.nn.Linear: out = inp w^T + b.
 * out (B,O), inp (B,In), w (O,In), b (O) or NULL. */
LUDUS_API void ludus_nn_linear_forward(float *out, const float *inp, const float *w,
                                       const float *b, int B, int In, int O);
/* dinp (B,In) += dout w; dw (O,In) += dout^T inp; db (O) += sum over B of
 * dout. dinp and db may be NULL. dout (B,O). */
LUDUS_API void ludus_nn_linear_backward(float *dinp, float *dw, float *db, const float *dout,
                                        const float *inp, const float *w, int B, int In, int O);

/* 2-D convolution over channels-last images with a torch.nn.Conv2d weight.
 * Valid for the small kernels used on grid views. */
typedef struct ludus_nn_conv {
    int B;           /* images */
    int H, W, C;     /* input height, width, channels */
    int O;           /* output channels */
    int K;           /* square kernel size */
    int stride;      /* >= 1 */
    int pad;         /* zero padding on every side, >= 0 */
} ludus_nn_conv;

/* Output height and width; 0 when the kernel does not fit. */
LUDUS_API int ludus_nn_conv_out_h(const ludus_nn_conv *c);
LUDUS_API int ludus_nn_conv_out_w(const ludus_nn_conv *c);
/* Floats in the col buffer: the im2col matrix (B*OH*OW, K*K*C), columns
 * in (ky, kx, channel) order, followed by the weight permuted to match
 * (O*C*K*K). */
LUDUS_API size_t ludus_nn_conv_col_size(const ludus_nn_conv *c);

/* out (B,OH,OW,O), col (ludus_nn_conv_col_size) is filled here and read
 * again by the backward pass, inp (B,H,W,C), w (O,C,K,K), b (O) or NULL. */
LUDUS_API void ludus_nn_conv2d_forward(float *out, float *col, const float *inp, const float *w,
                                       const float *b, const ludus_nn_conv *c);
/* dinp (B,H,W,C) += ..., may be NULL (the first layer needs none);
 * dw (O,C,K,K) +=; db (O) += or NULL; dcol is scratch of col's size
 * (always needed); dout (B,OH,OW,O); col from the forward. */
LUDUS_API void ludus_nn_conv2d_backward(float *dinp, float *dw, float *db, float *dcol,
                                        const float *dout, const float *col, const float *w,
                                        const ludus_nn_conv *c);

/* Convolution over an embedding bag, fused: the same result as
 * ludus_nn_embedding_forward (K = NI indices per cell, summed) followed by
 * ludus_nn_conv2d_forward (stride 1, no padding), with the convolution's
 * torch weight. Both are linear, so each (kernel offset, index) pair maps
 * to one O-vector, table[(ky*K + kx)*V + v] = w[:, :, ky, kx] emb[v]; the
 * forward sums NI*K*K table rows per output and the backward scatters
 * into the table's gradient before touching w and emb. For one-hot-like
 * inputs (grid cells) this is several times less work than im2col. */
typedef struct ludus_nn_embconv {
    int B;           /* images */
    int H, W;        /* input height and width in cells */
    int NI;          /* indices per cell */
    int V, E;        /* embedding rows and width */
    int O, K;        /* output channels, square kernel */
} ludus_nn_embconv;

LUDUS_API int ludus_nn_embconv_out_h(const ludus_nn_embconv *c);
LUDUS_API int ludus_nn_embconv_out_w(const ludus_nn_embconv *c);
/* Floats in the table (and in its gradient): K*K*V*O. */
LUDUS_API size_t ludus_nn_embconv_table_size(const ludus_nn_embconv *c);
/* out (B,OH,OW,O); table is filled here (the backward does not need it);
 * idx (B,H,W,NI) each in [0,V), trusted; emb (V,E); w (O,E,K,K); b (O)
 * or NULL. */
LUDUS_API void ludus_nn_embconv_forward(float *out, float *table, const int32_t *idx,
                                        const float *emb, const float *w, const float *b,
                                        const ludus_nn_embconv *c);
/* demb (V,E) += (may be NULL), dw (O,E,K,K) +=, db (O) += (may be NULL);
 * dtable is scratch of the table's size; dout (B,OH,OW,O). */
LUDUS_API void ludus_nn_embconv_backward(float *demb, float *dw, float *db, float *dtable,
                                         const float *dout, const int32_t *idx, const float *emb,
                                         const float *w, const ludus_nn_embconv *c);

/* Embedding bag: out[n] = sum over k of table[idx[n,k]]. K == 1 is a plain
 * torch.nn.Embedding. out (N,D), idx (N,K) each in [0,V), table (V,D).
 * Indices are trusted here: callers check them at the edge. */
LUDUS_API void ludus_nn_embedding_forward(float *out, const int32_t *idx, const float *table,
                                          int N, int K, int D);
/* dtable (V,D) += scatter of dout (N,D). */
LUDUS_API void ludus_nn_embedding_backward(float *dtable, const float *dout, const int32_t *idx,
                                           int N, int K, int D);

/* Element-wise activations over n floats. Backward uses the forward's
 * output: dinp += dout * f'(out). out may alias inp in the forward. */
LUDUS_API void ludus_nn_relu_forward(float *out, const float *inp, size_t n);
LUDUS_API void ludus_nn_relu_backward(float *dinp, const float *dout, const float *out, size_t n);
LUDUS_API void ludus_nn_tanh_forward(float *out, const float *inp, size_t n);
LUDUS_API void ludus_nn_tanh_backward(float *dinp, const float *dout, const float *out, size_t n);

/* LayerNorm over the last dimension, eps 1e-5, as torch.nn.LayerNorm.
 * out (N,C), mean (N), rstd (N) saved for backward, inp (N,C), w (C), b (C). */
LUDUS_API void ludus_nn_layernorm_forward(float *out, float *mean, float *rstd, const float *inp,
                                          const float *w, const float *b, int N, int C);
/* dinp (N,C) +=, dw (C) +=, db (C) +=. */
LUDUS_API void ludus_nn_layernorm_backward(float *dinp, float *dw, float *db, const float *dout,
                                           const float *inp, const float *mean,
                                           const float *rstd, const float *w, int N, int C);

/* GRU cell, as torch.nn.GRUCell (gate order r, z, n):
 *   r = sigmoid(x W_ir^T + b_ir + h W_hr^T + b_hr)
 *   z = sigmoid(x W_iz^T + b_iz + h W_hz^T + b_hz)
 *   n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn))
 *   h' = (1 - z) * n + z * h
 * h (B,H) out, gates (B,6H) saved for backward, x (B,In), hprev (B,H),
 * w_ih (3H,In), w_hh (3H,H), b_ih (3H), b_hh (3H). */
LUDUS_API void ludus_nn_gru_forward(float *h, float *gates, const float *x, const float *hprev,
                                    const float *w_ih, const float *w_hh, const float *b_ih,
                                    const float *b_hh, int B, int In, int H);
/* dx (B,In) += (may be NULL), dhprev (B,H) += (may be NULL), dw_ih, dw_hh,
 * db_ih, db_hh +=; scratch (B,6H); dh (B,H) the gradient of h'. */
LUDUS_API void ludus_nn_gru_backward(float *dx, float *dhprev, float *dw_ih, float *dw_hh,
                                     float *db_ih, float *db_hh, float *scratch, const float *dh,
                                     const float *gates, const float *x, const float *hprev,
                                     const float *w_ih, const float *w_hh, int B, int In, int H);

/* ------------------------------------------------------------------------
 * Categorical distribution over A actions, from logits
 * ---------------------------------------------------------------------- */

/* logp (B,A) = log_softmax(logits (B,A)); may alias. */
LUDUS_API void ludus_nn_log_softmax(float *logp, const float *logits, int B, int A);
/* Entropy of one row of log-probabilities (A). */
LUDUS_API float ludus_nn_categorical_entropy(const float *logp, int A);
/* Draw an action from one row of log-probabilities with one uniform draw
 * from rng (inverse CDF), so a run replays exactly from its seeds. */
LUDUS_API int ludus_nn_categorical_sample(const float *logp, int A, ludus_rng *rng);
/* The most likely action (the lowest index on ties). */
LUDUS_API int ludus_nn_categorical_argmax(const float *logp, int A);
/* Gradient of sum_b (dlogp[b] * logp[b, actions[b]] + dent[b] * H_b) with
 * respect to the logits, added into dlogits (B,A). logp (B,A) from
 * ludus_nn_log_softmax; dent may be NULL. */
LUDUS_API void ludus_nn_categorical_backward(float *dlogits, const float *logp,
                                             const int32_t *actions, const float *dlogp,
                                             const float *dent, int B, int A);

/* ------------------------------------------------------------------------
 * Optimisation and initialisation
 * ---------------------------------------------------------------------- */

/* Adam exactly as torch.optim.Adam (no amsgrad, no weight decay):
 *   m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2
 *   p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps) */
typedef struct ludus_nn_adam {
    float beta1, beta2, eps;
    int64_t t;       /* steps taken */
    size_t n;
    float *m, *v;    /* (n) each, owned */
} ludus_nn_adam;

/* Zeroed moments for n parameters, owned by opt until ludus_nn_adam_free.
 * LUDUS_EINVAL for betas outside [0, 1) or eps <= 0; LUDUS_ENOMEM. */
LUDUS_API int ludus_nn_adam_init(ludus_nn_adam *opt, size_t n, float beta1, float beta2,
                                 float eps);
/* One step over params (n) with grads (n) at learning rate lr. */
LUDUS_API void ludus_nn_adam_step(ludus_nn_adam *opt, float *params, const float *grads, float lr);
/* Free the moments; opt is left empty. NULL is harmless. */
LUDUS_API void ludus_nn_adam_free(ludus_nn_adam *opt);

/* Scale grads (n) so their global L2 norm is at most max_norm, as
 * torch.nn.utils.clip_grad_norm_ (coefficient max_norm / (norm + 1e-6),
 * never above 1). Returns the norm before clipping. */
LUDUS_API float ludus_nn_clip_grad_norm(float *grads, size_t n, float max_norm);

/* A standard normal draw (Box-Muller in double) from rng. */
LUDUS_API double ludus_nn_normal(ludus_rng *rng);
/* Orthogonal initialisation, as torch.nn.init.orthogonal_: w (rows, cols)
 * gets orthonormal rows (rows <= cols) or columns, times gain, from the QR
 * decomposition of a Gaussian matrix with R's diagonal made positive.
 * LUDUS_EINVAL for a shape below 1x1, LUDUS_ENOMEM (it allocates scratch). */
LUDUS_API int ludus_nn_orthogonal(float *w, int rows, int cols, float gain, ludus_rng *rng);

/* ------------------------------------------------------------------------
 * Checkpoints: the safetensors format
 *
 * An 8-byte little-endian header length, a JSON header naming every
 * tensor's dtype ("F32"), shape and byte range, then the raw little-endian
 * data. String metadata (key -> value) rides in the header's
 * "__metadata__"; ludus adds "ludus.crc32", a checksum of the data, so a
 * corrupted file is refused rather than loaded.
 * ---------------------------------------------------------------------- */

/* Write every tensor of p with metadata given as NULL-terminated key,
 * value pairs (meta may be NULL). Writes path.tmp then renames, so a crash
 * never leaves a half-written checkpoint under path. LUDUS_EINVAL for a
 * set that was never allocated, LUDUS_EIO with the system's reason.
 * Thread-safe for distinct paths. */
LUDUS_API int ludus_nn_save(const char *path, const ludus_nn_params *p,
                            const char *const *meta);

typedef struct ludus_nn_file ludus_nn_file;

/* Read and validate a safetensors file: the header length against the
 * file size, the JSON, each tensor's dtype, shape and byte range (inside
 * the data, not overlapping, covering it), and the checksum when present.
 * Any defect fails with LUDUS_EFORMAT and says which; LUDUS_EIO when it
 * cannot be read, LUDUS_ENOMEM. On success the caller owns *out
 * (ludus_nn_file_close); on failure *out is NULL. The file's contents are
 * read into memory: later changes to the file do not matter. */
LUDUS_API int ludus_nn_file_open(const char *path, ludus_nn_file **out);
/* Free the file (NULL is harmless). */
LUDUS_API void ludus_nn_file_close(ludus_nn_file *f);
/* A metadata value, or NULL when absent (or for NULL arguments); owned by
 * f, valid until close. */
LUDUS_API const char *ludus_nn_file_meta(const ludus_nn_file *f, const char *key);
/* Tensors in the file (0 for NULL) and their descriptions (offset is in
 * floats into the file's data; NULL when i is out of range); owned by f. */
LUDUS_API int ludus_nn_file_count(const ludus_nn_file *f);
LUDUS_API const ludus_nn_tensor *ludus_nn_file_tensor(const ludus_nn_file *f, int i);
/* Copy the file's tensors into p->data. Every tensor of p must be in the
 * file with the same shape and the file must hold no others; otherwise
 * LUDUS_EFORMAT naming the first difference, and p is left untouched. */
LUDUS_API int ludus_nn_file_load(const ludus_nn_file *f, ludus_nn_params *p);
/* Copy one tensor by name into dst (numel floats); LUDUS_ENOTFOUND or
 * LUDUS_EFORMAT when absent or of another size. */
LUDUS_API int ludus_nn_file_read(const ludus_nn_file *f, const char *name, float *dst,
                                 size_t numel);

#ifdef __cplusplus
}
#endif

#endif /* LUDUS_NN_H */
