/* report_levels.c: the report's pictures of the levels a run's curriculum
 * favours. The curriculum is read back from the run's last checkpoint
 * (ludus_curriculum_load_run), its most probable levels under P_replay
 * are reset on the training world (from their blocks, or their seeds for
 * worlds without blocks) and drawn with the world's own RGB renderer, as
 * PNG data: URIs. A state that cannot be read is a note in the report,
 * never a failed report: the rest of the run's evidence still stands.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/file.h"
#include "eval/html.h"
#include "eval/report_data.h"
#include "ludus/curriculum.h"

static void level_note(hbuf *b, const char *text)
{
    ludus_hb_put(b, "<p class=\"note\">");
    ludus_hb_esc(b, text);
    ludus_hb_put(b, "</p>\n");
}

/* Draw the levels into <figure>s; a level the world refuses is a note. */
static int draw_levels(hbuf *b, const ludus_env *env, const ludus_curriculum_level *lv, int n, int total, int tile,
                       const char *tmp_png)
{
    const ludus_env_info *info = ludus_env_get_info(env);
    ludus_render_opts ro = {.tile_size = tile, .agent_view = 0, .highlight = 0};
    int w, h, rc = ludus_env_render_size(env, &ro, &w, &h);
    if (rc == LUDUS_EINVAL) { /* frames without tiles of that size: the world's default */
        ro.tile_size = 0;
        rc = ludus_env_render_size(env, &ro, &w, &h);
    }
    if (rc == LUDUS_EUNSUPPORTED) {
        level_note(b, "This world draws no frames: no pictures of its levels.");
        return LUDUS_OK;
    }
    if (rc) return rc;
    const size_t LS = ludus_env_level_size(env), cap = (size_t)w * (size_t)h * 3;
    void *state = ludus_env_state_new(env);
    uint8_t *obs = malloc(info->obs_size ? info->obs_size : 1), *rgb = malloc(cap);
    if (!state || !obs || !rgb) {
        rc = ludus_err_set(LUDUS_ENOMEM, "report: out of memory");
        goto done;
    }
    /* shown at about 160 pixels across, pixels kept sharp by the CSS */
    const int big = w > h ? w : h, scale = big < 160 ? 160 / big : 1;
    ludus_hb_put(b, "<div class=\"gifs levels\">\n");
    for (int i = 0; i < n; i++) {
        const ludus_curriculum_level *l = &lv[i];
        rc = l->block ? ludus_env_reset_level(env, state, l->block, LS, obs) : ludus_env_reset(env, state, l->seed, obs);
        if (!rc) rc = ludus_env_render(env, state, &ro, rgb, cap);
        if (rc && rc != LUDUS_ENOMEM) { /* a level the world refuses: say so, go on */
            char msg[1200];
            snprintf(msg, sizeof msg, "Level %d (slot %d) cannot be drawn: %s", i + 1, l->slot, ludus_errmsg());
            ludus_hb_put(b, "</div>\n");
            level_note(b, msg);
            ludus_hb_put(b, "<div class=\"gifs levels\">\n");
            rc = LUDUS_OK;
            continue;
        }
        char *data = NULL;
        size_t len = 0;
        if (!rc) rc = ludus_png_write(tmp_png, rgb, w, h);
        if (!rc) rc = ludus_file_read(tmp_png, (size_t)1 << 26, &data, &len);
        unlink(tmp_png);
        if (rc) break;
        ludus_hb_printf(b, "<figure><img alt=\"level %d of the curriculum\" width=\"%d\" height=\"%d\" src=\"", i + 1,
                        w * scale, h * scale);
        ludus_hb_data_uri(b, "image/png", data, len);
        free(data);
        ludus_hb_printf(b, "\"/><figcaption>#%d: P = %.3f, score ", i + 1, l->prob);
        ludus_hb_num(b, l->score);
        ludus_hb_printf(b, "<br/>depth %d, staleness %llu, ", l->depth, (unsigned long long)l->staleness);
        if (l->block) ludus_hb_printf(b, "slot %d", l->slot);
        else ludus_hb_printf(b, "seed %llu", (unsigned long long)l->seed);
        ludus_hb_put(b, "</figcaption></figure>\n");
    }
    ludus_hb_put(b, "</div>\n");
    if (!rc && total > n) {
        char msg[160];
        snprintf(msg, sizeof msg, "The %d most probable of the buffer's %d scored levels.", n, total);
        level_note(b, msg);
    }
done:
    ludus_free(state);
    free(obs);
    free(rgb);
    return rc;
}

int ludus_rep_levels(hbuf *b, const rep_run *r, int k, int tile, const char *tmp_png, int *drawn)
{
    *drawn = 0;
    ludus_env *env = NULL;
    ludus_curriculum *c = NULL;
    int rc = ludus_curriculum_load_run(r->dir, &env, &c);
    if (rc == LUDUS_ENOMEM) return rc;
    if (!rc && !c) return LUDUS_OK; /* no curriculum: no pictures, nothing to say */
    *drawn = 1;
    ludus_hb_put(b, "<h4>");
    ludus_hb_esc(b, r->method);
    ludus_hb_printf(b, ", seed %lld, ", r->seed);
    ludus_hb_esc(b, r->dir);
    ludus_hb_put(b, "</h4>\n");
    if (rc) { /* damaged, foreign or missing state: the reader learns why */
        char msg[1200];
        snprintf(msg, sizeof msg, "The curriculum's levels cannot be shown: %s", ludus_errmsg());
        level_note(b, msg);
        return LUDUS_OK;
    }
    ludus_curriculum_level *lv = calloc((size_t)(k > 0 ? k : 1), sizeof *lv);
    int total = lv ? ludus_curriculum_levels(c, lv, k) : LUDUS_ENOMEM;
    if (total < 0) rc = lv ? total : ludus_err_set(LUDUS_ENOMEM, "report: out of memory");
    else if (total == 0) {
        char msg[200];
        snprintf(msg, sizeof msg, "The curriculum (%s) holds no scored levels: it keeps no level buffer, or has "
                                  "scored none yet.", ludus_curriculum_name(c));
        level_note(b, msg);
    } else
        rc = draw_levels(b, env, lv, total < k ? total : k, total, tile, tmp_png);
    free(lv);
    ludus_curriculum_destroy(c);
    ludus_env_destroy(env);
    return rc;
}
