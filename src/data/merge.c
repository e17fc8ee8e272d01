/* merge.c: `ludus dataset merge`: the episodes of several datasets of one
 * world, in order, into a new dataset (a dataset of mixed quality from
 * several agents, as the offline study of docs/offline-gap.md needs).
 */
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "ludus/data.h"
#include "ludus/learn.h"

int ludus_dataset_merge(const char *const *dirs, int n, const char *root, const char *dataset_id, char *path,
                        size_t cap)
{
    if (!dirs || !root || !dataset_id) return ludus_err_set(LUDUS_EINVAL, "merge: NULL argument");
    if (n < 1) return ludus_err_set(LUDUS_EINVAL, "merge: no datasets to merge");
    for (int i = 0; i < n; i++)
        if (!dirs[i]) return ludus_err_set(LUDUS_EINVAL, "merge: NULL argument");
    ludus_dataset_meta meta;
    memset(&meta, 0, sizeof meta);
    if ((size_t)snprintf(meta.dataset_id, sizeof meta.dataset_id, "%s", dataset_id) >= sizeof meta.dataset_id)
        return ludus_err_set(LUDUS_EINVAL, "merge: the dataset id is too long");
    char dir[4096];
    if ((size_t)snprintf(dir, sizeof dir, "%s/%s", root, dataset_id) >= sizeof dir)
        return ludus_err_set(LUDUS_EINVAL, "merge: the path %.200s is too long", root);

    /* Every source first: one world, one option string, one level split;
     * the merged level range covers all of theirs. */
    uint64_t lo = 0, hi = 0;
    int greedy = 1, same_agent = 1, masks = 1, rc = LUDUS_OK;
    for (int i = 0; i < n && !rc; i++) {
        ludus_dataset *ds = NULL;
        if ((rc = ludus_dataset_open(dirs[i], &ds))) {
            rc = ludus_err_wrap(rc, "merge: %s", dirs[i]);
            break;
        }
        const ludus_dataset_meta *m = ludus_dataset_get_meta(ds);
        if (i == 0) {
            memcpy(meta.env_id, m->env_id, sizeof meta.env_id);
            memcpy(meta.env_options, m->env_options, sizeof meta.env_options);
            memcpy(meta.agent, m->agent, sizeof meta.agent);
            memcpy(meta.levels, m->levels, sizeof meta.levels);
            meta.seed = m->seed;
            meta.jpeg_quality = m->jpeg_quality;
            lo = m->level_start;
            hi = m->level_start + m->level_count;
        } else if (strcmp(m->env_id, meta.env_id) != 0 || strcmp(m->env_options, meta.env_options) != 0) {
            rc = ludus_err_set(LUDUS_EINVAL, "merge: %s was recorded in world %s (options \"%s\"), %s in %s (options \"%s\")",
                               dirs[i], m->env_id, m->env_options, dirs[0], meta.env_id, meta.env_options);
        } else if (strcmp(m->levels, meta.levels) != 0) {
            rc = ludus_err_set(LUDUS_EINVAL, "merge: %s holds %s levels, %s %s levels: held-out levels stay apart",
                               dirs[i], m->levels, dirs[0], meta.levels);
        } else {
            lo = m->level_start < lo ? m->level_start : lo;
            hi = m->level_start + m->level_count > hi ? m->level_start + m->level_count : hi;
            if (m->jpeg_quality > meta.jpeg_quality) meta.jpeg_quality = m->jpeg_quality;
        }
        same_agent = same_agent && strcmp(m->agent, meta.agent) == 0;
        greedy = greedy && m->greedy;
        masks = masks && m->action_masks;
        ludus_dataset_close(ds);
    }
    if (rc) return rc;
    if (!same_agent) snprintf(meta.agent, sizeof meta.agent, "mixed");
    meta.greedy = greedy;
    meta.action_masks = masks; /* the masks only when every source records them */
    meta.level_start = lo;
    meta.level_count = hi - lo;

    ludus_env *env = NULL;
    ludus_dataset_writer *w = NULL;
    if ((rc = ludus_env_make(meta.env_id, meta.env_options, &env))) return rc;
    if ((rc = ludus_dataset_writer_open(dir, env, &meta, &w))) goto done;
    for (int i = 0; i < n && !rc; i++) {
        ludus_dataset *ds = NULL;
        if ((rc = ludus_dataset_open(dirs[i], &ds))) {
            rc = ludus_err_wrap(rc, "merge: %s", dirs[i]);
            break;
        }
        const int64_t E = ludus_dataset_get_meta(ds)->total_episodes;
        for (int64_t e = 0; e < E && !rc; e++) {
            ludus_dataset_episode ep;
            if ((rc = ludus_dataset_read(ds, e, &ep))) break;
            rc = ludus_dataset_writer_add(w, &ep);
            ludus_dataset_episode_free(&ep);
        }
        ludus_dataset_close(ds);
    }
    if (!rc) rc = ludus_dataset_writer_finish(w);
    if (!rc && path && cap) snprintf(path, cap, "%s", dir);
done:
    ludus_dataset_writer_destroy(w);
    ludus_env_destroy(env);
    return rc;
}
