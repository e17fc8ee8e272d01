/* heldout.c: what makes an evaluation "held out". Two checks the
 * evaluator, the periodic evaluation of a run and experiments share: the
 * levels played are not training levels (same world, same options,
 * overlapping level seeds), and the world is one the trained agent can
 * act in (the same observation layout and actions).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "ludus/learn.h"

#define OPT_CAP 512
#define OPT_MAX_PAIRS 64

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* options as a canonical text: pairs trimmed, empty ones dropped, sorted,
 * joined with commas. 0, or -1 when too long to compare. */
static int canonical_options(const char *opts, char *out, size_t cap)
{
    char buf[OPT_CAP], *pairs[OPT_MAX_PAIRS];
    int n = 0;
    out[0] = 0;
    if (!opts) return 0;
    if (strlen(opts) >= sizeof buf) return -1;
    memcpy(buf, opts, strlen(opts) + 1);
    for (char *p = buf; p;) {
        char *comma = strchr(p, ',');
        if (comma) *comma = 0;
        while (*p == ' ' || *p == '\t') p++;
        size_t len = strlen(p);
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t')) p[--len] = 0;
        if (len) {
            if (n == OPT_MAX_PAIRS) return -1;
            pairs[n++] = p;
        }
        p = comma ? comma + 1 : NULL;
    }
    qsort(pairs, (size_t)n, sizeof *pairs, cmp_str);
    size_t at = 0;
    for (int i = 0; i < n; i++) {
        int w = snprintf(out + at, cap - at, "%s%s", i ? "," : "", pairs[i]);
        if (w < 0 || (size_t)w >= cap - at) return -1;
        at += (size_t)w;
    }
    return 0;
}

int ludus_eval_check_heldout(const char *env_id, const char *env_options, uint64_t level_start, uint64_t level_count,
                             const char *train_env_id, const char *train_env_options, uint64_t train_levels)
{
    if (!env_id || !train_env_id) return ludus_err_set(LUDUS_EINVAL, "held-out check: NULL world id");
    if (strcmp(env_id, train_env_id) != 0) return LUDUS_OK;
    char a[OPT_CAP], b[OPT_CAP];
    /* options too long to compare count as the same world: refusing is the safe side */
    int ca = canonical_options(env_options, a, sizeof a), cb = canonical_options(train_env_options, b, sizeof b);
    if (ca == 0 && cb == 0 && strcmp(a, b) != 0) return LUDUS_OK;
    const uint64_t tn = train_levels ? train_levels : LUDUS_MAX_TRAIN_LEVELS;
    if (level_count == 0 || level_start >= tn) return LUDUS_OK;
    const uint64_t last = level_count - 1 > UINT64_MAX - level_start ? UINT64_MAX : level_start + (level_count - 1);
    return ludus_err_set(LUDUS_EINVAL,
                         "held-out levels %llu..%llu of %s%s%s%s overlap its training levels 0..%llu: they are not "
                         "held out (start them at %llu or later)",
                         (unsigned long long)level_start, (unsigned long long)last, env_id,
                         a[0] ? " (" : "", a, a[0] ? ")" : "", (unsigned long long)(tn - 1), (unsigned long long)tn);
}

/* "76 bytes: image 5x5x3, direction 1" */
static void describe(const ludus_env_info *info, char *buf, size_t cap)
{
    strbuf sb = sb_make(buf, cap);
    ludus_sb_printf(&sb, "%zu bytes:", info->obs_size);
    for (int i = 0; i < info->num_obs_fields; i++) {
        const ludus_obs_field *f = &info->obs_fields[i];
        ludus_sb_printf(&sb, "%s %s ", i ? "," : "", f->name);
        for (int d = 0; d < f->ndim; d++) ludus_sb_printf(&sb, "%s%d", d ? "x" : "", f->shape[d]);
        ludus_sb_printf(&sb, " in %d..%d", f->low, f->high);
    }
    ludus_sb_printf(&sb, "; %d actions", info->num_actions);
}

static int same_field(const ludus_obs_field *a, const ludus_obs_field *b)
{
    if (strcmp(a->name, b->name) || a->offset != b->offset || a->ndim != b->ndim || a->low != b->low ||
        a->high != b->high || a->kind != b->kind)
        return 0;
    for (int d = 0; d < a->ndim && d < 3; d++)
        if (a->shape[d] != b->shape[d]) return 0;
    return 1;
}

int ludus_eval_check_world(const ludus_env_info *trained, const ludus_env_info *other)
{
    if (!trained || !other) return ludus_err_set(LUDUS_EINVAL, "world check: NULL argument");
    int same = trained->obs_size == other->obs_size && trained->num_obs_fields == other->num_obs_fields &&
               trained->num_actions == other->num_actions && trained->action_dims == other->action_dims &&
               trained->mask_size == other->mask_size;
    for (int i = 0; same && i < trained->num_obs_fields; i++) same = same_field(&trained->obs_fields[i], &other->obs_fields[i]);
    for (int d = 0; same && d < trained->action_dims && d < LUDUS_MAX_ACTION_DIMS; d++)
        same = trained->action_nvec[d] == other->action_nvec[d];
    if (same) return LUDUS_OK;
    char a[512], b[512];
    describe(trained, a, sizeof a);
    describe(other, b, sizeof b);
    return ludus_err_set(LUDUS_EINVAL, "%s's observation and actions (%s) differ from %s's (%s): an agent trained in "
                         "one cannot act in the other", other->id, b, trained->id, a);
}
