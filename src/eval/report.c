/* report.c: the held-out evaluation report, eval.json. One function runs
 * both splits for any agent and one writes the JSON, so `ludus eval`, the
 * end of `ludus train` and Python's ludus.evaluate produce the same
 * layout. Strings go through the JSON escaper (paths and options may hold
 * quotes and backslashes); numbers keep six significant digits, and a NaN
 * is written as null, never as a bare word JSON does not have.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "ludus/learn.h"

static int copy_name(char *dst, size_t cap, const char *src, const char *what)
{
    size_t n = strlen(src);
    if (n >= cap) return ludus_err_set(LUDUS_EINVAL, "eval report: the %s is too long (%zu bytes, at most %zu)", what, n, cap - 1);
    memcpy(dst, src, n + 1);
    return LUDUS_OK;
}

int ludus_eval_report_run(ludus_agent *agent, const ludus_eval_report_config *cfg, ludus_eval_report *out)
{
    if (!agent || !cfg || !out) return ludus_err_set(LUDUS_EINVAL, "eval report: NULL argument");
    if (cfg->episodes < 1 || cfg->episodes > LUDUS_EVAL_MAX_EPISODES)
        return ludus_err_set(LUDUS_EINVAL, "eval report: episodes must be in [1, %d], got %d", LUDUS_EVAL_MAX_EPISODES,
                             cfg->episodes);
    if (cfg->train_levels > LUDUS_MAX_TRAIN_LEVELS)
        return ludus_err_set(LUDUS_EINVAL, "eval report: train_levels must be at most %llu, got %llu",
                             (unsigned long long)LUDUS_MAX_TRAIN_LEVELS, (unsigned long long)cfg->train_levels);
    memset(out, 0, sizeof *out);
    const char *home = ludus_agent_env_id(agent);
    const char *id = cfg->env_id ? cfg->env_id : home;
    if (!id)
        return ludus_err_set(LUDUS_EINVAL, "eval: agent '%s' has no world of its own; name one (env_id)",
                             ludus_agent_name(agent));
    const char *options = cfg->env_options ? cfg->env_options
                          : home && strcmp(id, home) == 0 ? ludus_agent_env_options(agent) : "";
    const char *ck = ludus_agent_checkpoint(agent);
    int rc = copy_name(out->agent, sizeof out->agent, ludus_agent_name(agent), "agent's name");
    if (!rc) rc = copy_name(out->checkpoint, sizeof out->checkpoint, ck ? ck : "", "checkpoint path");
    if (!rc) rc = copy_name(out->env_id, sizeof out->env_id, id, "world id");
    if (!rc) rc = copy_name(out->env_options, sizeof out->env_options, options, "world options");
    if (rc) return rc;
    out->episodes = cfg->episodes;
    out->greedy = cfg->greedy != 0;
    out->seed = cfg->seed;
    out->train_levels = cfg->train_levels;
    out->heldout_level_start = LUDUS_HELDOUT_START;
    out->train.level_start = 0;
    out->train.level_count = cfg->train_levels ? cfg->train_levels : LUDUS_MAX_TRAIN_LEVELS;
    out->heldout.level_start = LUDUS_HELDOUT_START;
    out->heldout.level_count = (uint64_t)cfg->episodes;
    ludus_eval_split *split[2] = {&out->train, &out->heldout};
    for (int s = 0; s < 2; s++) {
        ludus_eval_config ec = {.env_id = id, .env_options = options, .level_start = split[s]->level_start,
                                .level_count = split[s]->level_count, .episodes = cfg->episodes,
                                .greedy = out->greedy, .seed = cfg->seed};
        if (s == 1 && home) { /* the held-out split stays out of the agent's training levels */
            ec.train_env_id = home;
            ec.train_env_options = ludus_agent_env_options(agent);
            ec.train_levels = cfg->train_levels;
        }
        if ((rc = ludus_eval_run(agent, &ec, &split[s]->result))) return rc;
    }
    if (out->train.result.num_achievements) { /* the names, from the world's own description */
        ludus_env *env;
        if ((rc = ludus_env_make(id, options, &env))) return rc;
        const ludus_env_info *info = ludus_env_get_info(env);
        for (int i = 0; i < out->train.result.num_achievements && !rc; i++)
            rc = copy_name(out->achievement_names[i], sizeof out->achievement_names[i], info->achievement_names[i],
                           "achievement name");
        ludus_env_destroy(env);
    }
    return rc;
}

static void json_num(strbuf *sb, double v)
{
    if (isfinite(v)) ludus_sb_printf(sb, "%.6g", v);
    else ludus_sb_puts(sb, "null");
}

static void json_estimate(strbuf *sb, const char *indent, const char *name, ludus_estimate e, int last)
{
    ludus_sb_puts(sb, indent);
    ludus_sb_json_str(sb, name);
    ludus_sb_puts(sb, ": {\"mean\": ");
    json_num(sb, e.mean);
    ludus_sb_puts(sb, ", \"ci95\": [");
    json_num(sb, e.lo);
    ludus_sb_puts(sb, ", ");
    json_num(sb, e.hi);
    ludus_sb_puts(sb, last ? "]}\n" : "]},\n");
}

int ludus_eval_report_json(const ludus_eval_report *r, char *buf, size_t cap)
{
    if (!r || (!buf && cap)) return ludus_err_set(LUDUS_EINVAL, "eval report json: NULL argument");
    strbuf sb = sb_make(buf, cap);
    ludus_sb_puts(&sb, "{\n  \"agent\": ");
    ludus_sb_json_str(&sb, r->agent);
    ludus_sb_puts(&sb, ",\n  \"checkpoint\": ");
    if (r->checkpoint[0]) ludus_sb_json_str(&sb, r->checkpoint);
    else ludus_sb_puts(&sb, "null");
    ludus_sb_puts(&sb, ",\n  \"env_id\": ");
    ludus_sb_json_str(&sb, r->env_id);
    ludus_sb_puts(&sb, ",\n  \"env_options\": ");
    ludus_sb_json_str(&sb, r->env_options);
    ludus_sb_printf(&sb, ",\n  \"episodes\": %d,\n  \"greedy\": %s,\n  \"seed\": %llu,\n  \"train_levels\": %llu,\n",
                    r->episodes, r->greedy ? "true" : "false", (unsigned long long)r->seed,
                    (unsigned long long)r->train_levels);
    ludus_sb_printf(&sb, "  \"heldout_level_start\": %llu,\n  \"splits\": {\n", (unsigned long long)r->heldout_level_start);
    const struct { const char *name; const ludus_eval_split *s; } split[2] = {{"train", &r->train},
                                                                               {"heldout", &r->heldout}};
    for (int s = 0; s < 2; s++) {
        const ludus_eval_result *e = &split[s].s->result;
        ludus_sb_printf(&sb, "    \"%s\": {\n      \"level_start\": %llu, \"level_count\": %llu,\n", split[s].name,
                        (unsigned long long)split[s].s->level_start, (unsigned long long)split[s].s->level_count);
        json_estimate(&sb, "      ", "return", e->ret, 0);
        json_estimate(&sb, "      ", "success", e->success, 0);
        json_estimate(&sb, "      ", "length", e->length, !e->num_achievements);
        if (e->num_achievements) { /* percentages, as the Crafter paper reports them */
            json_estimate(&sb, "      ", "score", e->score, 0);
            ludus_sb_puts(&sb, "      \"achievements\": {\n");
            for (int i = 0; i < e->num_achievements; i++)
                json_estimate(&sb, "        ", r->achievement_names[i], e->achievements[i], i + 1 == e->num_achievements);
            ludus_sb_puts(&sb, "      }\n");
        }
        ludus_sb_puts(&sb, s ? "    }\n" : "    },\n");
    }
    const ludus_eval_result *tr = &r->train.result, *ho = &r->heldout.result;
    ludus_sb_puts(&sb, "  },\n  \"generalization_gap\": {\"return\": ");
    json_num(&sb, tr->ret.mean - ho->ret.mean);
    ludus_sb_puts(&sb, ", \"success\": ");
    json_num(&sb, tr->success.mean - ho->success.mean);
    if (tr->num_achievements) {
        ludus_sb_puts(&sb, ", \"score\": ");
        json_num(&sb, tr->score.mean - ho->score.mean);
    }
    ludus_sb_puts(&sb, "}\n}\n");
    return sb.len > (size_t)INT32_MAX ? ludus_err_set(LUDUS_EINTERNAL, "eval report json: too long") : (int)sb.len;
}

int ludus_eval_report_write(const ludus_eval_report *r, const char *path)
{
    if (!r || !path) return ludus_err_set(LUDUS_EINVAL, "eval report write: NULL argument");
    int n = ludus_eval_report_json(r, NULL, 0);
    if (n < 0) return n;
    char *text = malloc((size_t)n + 1), *tmp = malloc(strlen(path) + 5);
    FILE *f = NULL;
    int rc = LUDUS_OK;
    if (!text || !tmp) {
        rc = ludus_err_set(LUDUS_ENOMEM, "eval report write: out of memory");
        goto done;
    }
    ludus_eval_report_json(r, text, (size_t)n + 1);
    sprintf(tmp, "%s.tmp", path);
    if (!(f = fopen(tmp, "w"))) {
        rc = ludus_err_set(LUDUS_EIO, "cannot write %s: %s", tmp, strerror(errno));
        goto done;
    }
    size_t wrote = fwrite(text, 1, (size_t)n, f);
    int closed = fclose(f);
    if (wrote != (size_t)n || closed != 0) {
        rc = ludus_err_set(LUDUS_EIO, "cannot write %s: %s", tmp, strerror(errno));
        remove(tmp);
        goto done;
    }
    if (rename(tmp, path) != 0) {
        rc = ludus_err_set(LUDUS_EIO, "cannot write %s: %s", path, strerror(errno));
        remove(tmp);
    }
done:
    free(text);
    free(tmp);
    return rc;
}
