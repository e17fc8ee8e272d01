/* data.h: datasets of recorded episodes in the format of the Farama
 * Foundation's Minari (v0.5.3, HDF5 backend), written and read with the
 * HDF5 C library, so Minari, h5py and ludus's offline learners read the
 * same files. A dataset is a folder <root>/<namespace>/<name>-vN/data/
 * holding metadata.json and main_data.hdf5 (docs/datasets.md gives every
 * field). Observations follow the Python package's spaces: each obs field
 * a Box array (a one-value field a Discrete int64), the mission a UTF-8
 * string, a world with one array and no mission the bare array; frames
 * of 32x32 pixels or more with bounds 0..255 are stored as JPEG bytes, as
 * Minari's image rule has it. metadata.json also holds what ludus needs
 * to replay the episodes (world id, options, levels) and the SHA-256 of
 * main_data.hdf5, checked before the HDF5 library reads a byte of it.
 */
#ifndef LUDUS_DATA_H
#define LUDUS_DATA_H

#include "ludus/agent.h"
#include "ludus/ludus.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One episode of T steps, as plain arrays. */
typedef struct ludus_dataset_episode {
    int64_t id;              /* its index in the dataset */
    uint64_t seed;           /* the level it was played on (ludus_env_reset's seed) */
    int steps;               /* T >= 1 */
    uint8_t *obs;            /* (T + 1, obs_size) the observations, the last one after the last step */
    char *missions;          /* (T + 1, mission_capacity) NUL-terminated; NULL for worlds without missions */
    int32_t *actions;        /* (T, action_dims) */
    double *rewards;         /* (T) */
    uint8_t *terminations;   /* (T) 0 or 1 */
    uint8_t *truncations;    /* (T) 0 or 1 */
    /* (T + 1, mask_size) the legal-action mask of each observation (the
     * world's ludus_env_action_mask: 1 legal, 0 forbidden; the components'
     * masks one after the other), stored as the episode's
     * infos/action_mask; NULL when the dataset records none (worlds without
     * a mask, datasets written before masks were recorded). */
    uint8_t *action_masks;
} ludus_dataset_episode;

/* Free what ludus_dataset_read put in *ep and zero it (NULL is harmless). */
LUDUS_API void ludus_dataset_episode_free(ludus_dataset_episode *ep);

/* What a dataset says about itself (metadata.json). */
typedef struct ludus_dataset_meta {
    char dataset_id[256];    /* "namespace/name-v0" */
    char env_id[96];
    char env_options[256];
    char agent[64];          /* the agent that acted ("random", "checkpoint", ...) */
    char checkpoint[1024];   /* its checkpoint; "" when none */
    char levels[16];         /* "train" or "heldout" */
    uint64_t level_start, level_count; /* episode i started on level start + i % count */
    uint64_t seed;           /* the action streams' seed */
    int greedy;
    int jpeg_quality;        /* of the frames stored as JPEG (0 when none) */
    int64_t total_episodes, total_steps;
    int action_masks;        /* 1: every episode records its legal-action masks
                                (infos/action_mask; only for a world with a mask);
                                0: none (metadata.json without the key: 0) */
} ludus_dataset_meta;

/* ---- writing ---- */

typedef struct ludus_dataset_writer ludus_dataset_writer;

/* Start a dataset for episodes of env (made from meta->env_id and
 * meta->env_options) in folder `dir` (the <name>-vN folder; created with
 * its parents). meta's dataset_id must be (namespace/)name-vN of [A-Za-z0-9_.:-]
 * parts; total_episodes and total_steps are counted by the writer. Refuses
 * (LUDUS_EINVAL) a folder that already holds a dataset: nothing is
 * overwritten. The HDF5 file is written as main_data.hdf5.part and
 * renamed, then metadata.json written atomically, by
 * ludus_dataset_writer_finish: a dataset is there complete or not at all.
 * LUDUS_EIO with the reason when a file cannot be written. The caller
 * destroys *out. Not thread-safe per writer. */
LUDUS_API int ludus_dataset_writer_open(const char *dir, const ludus_env *env, const ludus_dataset_meta *meta,
                                        ludus_dataset_writer **out);
/* Append one episode (its id is the writer's count so far; ep->id is
 * ignored). Every action, observation value and flag is checked against
 * the world (LUDUS_EINVAL naming the step). When meta->action_masks was
 * 1 (LUDUS_EINVAL at open for a world without a mask), ep->action_masks
 * must hold T + 1 rows of 0/1 bytes under which each recorded action is
 * legal; when 0, ep->action_masks is ignored. */
LUDUS_API int ludus_dataset_writer_add(ludus_dataset_writer *w, const ludus_dataset_episode *ep);
/* Close the file, rename it into place and write metadata.json. */
LUDUS_API int ludus_dataset_writer_finish(ludus_dataset_writer *w);
/* Free the writer; a dataset not finished is removed (NULL is harmless). */
LUDUS_API void ludus_dataset_writer_destroy(ludus_dataset_writer *w);

/* `ludus collect`: play episodes with an agent and record them. */
typedef struct ludus_collect_config {
    const char *env_id;        /* NULL: the agent's world */
    const char *env_options;   /* NULL: the agent's when the world is its own, else none */
    const char *dataset_id;    /* NULL: "<env id without -vN>/<agent>[-heldout]-v0" */
    int heldout;               /* 0: levels [0, train_levels); 1: from LUDUS_HELDOUT_START */
    uint64_t train_levels;     /* 0: all of [0, LUDUS_MAX_TRAIN_LEVELS) */
    int episodes;              /* >= 1 */
    int greedy;                /* 1: the agent's most likely actions */
    uint64_t seed;             /* action streams: episode i's from (seed, i) */
    int jpeg_quality;          /* 1..100 for frames stored as JPEG; 0: 75 (PIL's default) */
} ludus_collect_config;

/* Play cfg->episodes episodes with agent (episode i on level
 * level_start + i % level_count, as ludus_eval_run plays them) and write
 * them as a dataset under root/<dataset_id>; the folder's path goes to
 * path (cap bytes) when path is not NULL. Episodes are numbered in the
 * order they end. Errors of ludus_env_make, the agent, and
 * ludus_dataset_writer_*; nothing is left behind on failure. Uses the
 * agent: not concurrent with other calls on it. */
LUDUS_API int ludus_dataset_collect(ludus_agent *agent, const ludus_collect_config *cfg, const char *root,
                                    char *path, size_t cap);

/* `ludus dataset merge`: the episodes of the n datasets in dirs, in that
 * order, into a new dataset root/<dataset_id> (a dataset of mixed quality
 * from several agents). The sources must share one world, one option
 * string and one level split (train or heldout); the metadata's agent is
 * theirs when they agree, else "mixed"; greedy is 1 only when all were;
 * the level range is the smallest covering theirs (each episode keeps its
 * own level as its seed); seed is the first source's. Frames stored as
 * JPEG are decoded and encoded again (lossy). The folder's path goes to
 * path (cap bytes) when path is not NULL. Errors: LUDUS_EINVAL (no
 * sources, a NULL, sources that differ, an existing dataset at the
 * target), those of ludus_dataset_open/read and the writer; nothing is
 * left behind on failure. Thread-safe across distinct targets. */
LUDUS_API int ludus_dataset_merge(const char *const *dirs, int n, const char *root, const char *dataset_id,
                                  char *path, size_t cap);

/* ---- reading ---- */

typedef struct ludus_dataset ludus_dataset;

/* Open the dataset in `dir` (the <name>-vN folder or its data/ folder):
 * metadata.json is parsed and checked field by field, its world made, its
 * spaces compared with that world's, main_data.hdf5's SHA-256 compared
 * with the one recorded, and every episode group's attributes checked
 * against the totals. A folder that is not a dataset is LUDUS_ENOTFOUND;
 * any defect of the files LUDUS_EFORMAT with a one-line message. The
 * caller closes *out. */
LUDUS_API int ludus_dataset_open(const char *dir, ludus_dataset **out);
LUDUS_API void ludus_dataset_close(ludus_dataset *ds);
/* Its metadata; its world (made with the recorded options), owned by ds. */
LUDUS_API const ludus_dataset_meta *ludus_dataset_get_meta(const ludus_dataset *ds);
LUDUS_API const ludus_env *ludus_dataset_env(const ludus_dataset *ds);
/* Read episode i (0 <= i < total_episodes) into *ep, which the caller
 * frees with ludus_dataset_episode_free. Every dataset's type and shape
 * is checked, and every value against the world's ranges (LUDUS_EFORMAT);
 * with meta.action_masks, the masks too (0/1, every recorded action legal).
 * Not thread-safe per dataset. */
LUDUS_API int ludus_dataset_read(ludus_dataset *ds, int64_t i, ludus_dataset_episode *ep);
/* LUDUS_OK when a learner in world env_id made with options (NULL: none)
 * can learn from ds: the same world, with the same observation layout and
 * actions, and, when that world has a legal-action mask, a dataset that
 * records the masks; LUDUS_EINVAL saying what differs otherwise. */
LUDUS_API int ludus_dataset_check_world(const ludus_dataset *ds, const char *env_id, const char *options);

#ifdef __cplusplus
}
#endif

#endif /* LUDUS_DATA_H */
