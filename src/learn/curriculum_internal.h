/* curriculum_internal.h: what curriculum.c and curriculum_gmm.c share: a
 * curriculum's table row (its name, defaults and the functions that
 * differ), the buffer's slots, the records of episodes begun, and
 * ALP-GMM's hooks.
 */
#ifndef LUDUS_LEARN_CURRICULUM_INTERNAL_H
#define LUDUS_LEARN_CURRICULUM_INTERNAL_H

#include "ludus/curriculum.h"

#define CUR_GMM_MAX_K 16
#define CUR_ALP_MAX_D 4 /* world options ALP-GMM samples at once */

/* ALP-GMM's task space: D numeric world options, each in [lo, hi]. */
typedef struct ludus_cur_alp_space {
    int D;
    char name[CUR_ALP_MAX_D][32];
    double lo[CUR_ALP_MAX_D], hi[CUR_ALP_MAX_D];
} ludus_cur_alp_space;

/* The space of resolved knobs: alp_space ("name=lo:hi,...") or the one
 * option alp_option in [alp_lo, alp_hi]. LUDUS_EINVAL with one line. */
int ludus_cur_alp_parse(const ludus_curriculum_config *cfg, ludus_cur_alp_space *out);
/* Each option of the space is one the world documents (options_doc; the
 * nearest otherwise), numeric, and its box holds an integer. */
int ludus_cur_alp_check_space(const ludus_env_info *info, const ludus_cur_alp_space *sp);

/* The knobs' table (ludus_curriculum_keys() returns it). */
extern const ludus_key ludus_cur_keys[];

enum { CUR_BATCH_NEW = 0, CUR_BATCH_REPLAY = 1, CUR_BATCH_EDIT = 2 };

typedef struct cur_rec cur_rec;

/* One curriculum: a row of the table (like a world family's ops). */
typedef struct cur_ops {
    const char *name, *description;
    void (*defaults)(ludus_curriculum_config *cfg); /* the spec's values */
    int batch;        /* 1: levels chosen per batch, worlds reset each batch */
    int needs_blocks; /* 1: the world must have level blocks */
    /* per-reset curricula: fill record r with world's next level */
    int (*run_next)(ludus_curriculum *c, int world, cur_rec *r);
    /* per-batch curricula: choose the batch's kind and its N levels */
    int (*begin)(ludus_curriculum *c);
    /* a segment's score for record r's level */
    void (*commit)(ludus_curriculum *c, cur_rec *r, const ludus_curriculum_segment *s);
} cur_ops;

/* A level of the buffer (plain data: saved as bytes). */
typedef struct cur_slot {
    uint64_t seed;
    uint64_t last_sampled; /* the clock when last chosen: staleness = clock - this */
    double score, max_return;
    int32_t used, seen, has_block, parent, depth;
    uint32_t gen;          /* bumped when the slot takes another level */
} cur_slot;

/* The level of an episode begun (plain data). */
struct cur_rec {
    uint64_t seed, born;   /* born: the clock when drawn */
    double score, max_return;
    double param[CUR_ALP_MAX_D]; /* ALP-GMM: the task drawn */
    int32_t slot, has_block, replayed, parent, depth;
    uint32_t gen;
};

typedef struct cur_queue {
    int *idx;   /* records of the episodes begun by one world, in order */
    int len, cap, cur;
} cur_queue;

typedef struct cur_alp cur_alp;

typedef struct cur_scored {
    double score;
    int slot;
} cur_scored;

struct ludus_curriculum {
    const cur_ops *ops;
    ludus_curriculum_config cfg;
    const ludus_env *env;
    char options[256];
    int N;
    size_t LS;
    uint64_t level_start, level_count;
    int blocks;            /* 1: keep levels as blocks */
    int finite;            /* 1: the buffer is the seed set */
    ludus_rng rng;
    uint64_t clock, levels_seen;
    cur_slot *slots;
    uint8_t *slot_blocks;
    int cap, fill;
    int *order;
    double *weights;
    void *sorted;          /* (cap) scratch for ranking */
    cur_rec *recs;
    uint8_t *rec_blocks;
    int nrecs, rec_cap;
    cur_queue *queues;
    int *batch_slot;       /* per world: the slot replayed in the last replay batch */
    int batch_rec_base, batch_kind, pending_edit, in_batch;
    int batch_eps, batch_replayed, last_eps, last_replayed;
    void *scratch;         /* a state for generating levels */
    cur_alp *alp;
    uint8_t *started;      /* per world: 1 once its first episode was drawn (PLR's sequential start) */
    uint64_t seq_next;     /* PLR: the next level of the sequential start */
    double *wstat;         /* per world (N x 4), this batch: sum of ended returns, their count,
                              sum of |advantage| x steps, steps (ACCEL's easy bases) */
    ludus_env *start_env;  /* ACCEL with accel_start easy: the world made with its easy options */
};

uint8_t *ludus_cur_rec_block(ludus_curriculum *c, int r);
int ludus_cur_generate(ludus_curriculum *c, const ludus_env *env, int r);
int ludus_cur_replay_weights(const ludus_curriculum *c, double *p);

/* curriculum_gmm.c */
int ludus_cur_alp_init(ludus_curriculum *c);
void ludus_cur_alp_free(ludus_curriculum *c);
int ludus_cur_alp_next(ludus_curriculum *c, int r);
void ludus_cur_alp_episode(ludus_curriculum *c, const double *param, double ret);
void ludus_cur_alp_stats(const ludus_curriculum *c, ludus_curriculum_stats *out);
void ludus_cur_alp_save(const ludus_curriculum *c, uint8_t **p, size_t *n, size_t *cap, int *err);
int ludus_cur_alp_load(ludus_curriculum *c, const uint8_t *p, size_t n, size_t *at);

#endif
