/* report_html.c: report.html from run and experiment folders (report.h).
 * The statistics come from stats.c, the drawing from html.c; this file
 * decides what is shown: one <section> per question a reader asks, each
 * with a fixed id (summary, curves, heldout, aggregates, profiles,
 * improvement, curriculum, episodes, config, data) so tests and links can
 * find it. Episodes are replayed with the eval protocol's action streams
 * (episode e of seed S samples from the stream eval.c seeds from (S, e)),
 * so the GIFs show episodes `ludus eval --seed S` plays.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "core/file.h"
#include "eval/html.h"
#include "eval/report_data.h"
#include "learn/agent_internal.h"
#include "ludus/agent.h"
#include "ludus/report.h"

#define CURVE_POINTS 80
#define NTAU 21

void ludus_report_options_default(ludus_report_options *o)
{
    memset(o, 0, sizeof *o);
    o->gif_episodes = 16;
    o->gif_tile = 16;
    o->gif_max_frames = 300;
    o->reps = LUDUS_STATS_REPS_AGGREGATE;
    o->seed = 0;
    o->levels = 8;
}

static int check_options(const ludus_report_options *o)
{
    if (o->gif_episodes < 0 || o->gif_episodes > 1000)
        return ludus_err_set(LUDUS_EINVAL, "report: gif_episodes must be in [0, 1000], got %d", o->gif_episodes);
    if (o->gif_tile < 1 || o->gif_tile > 64)
        return ludus_err_set(LUDUS_EINVAL, "report: gif_tile must be in [1, 64], got %d", o->gif_tile);
    if (o->gif_max_frames < 1 || o->gif_max_frames > 10000)
        return ludus_err_set(LUDUS_EINVAL, "report: gif_max_frames must be in [1, 10000], got %d", o->gif_max_frames);
    if (o->levels < 0 || o->levels > 64)
        return ludus_err_set(LUDUS_EINVAL, "report: levels must be in [0, 64], got %d", o->levels);
    if (o->reps < 1 || o->reps > LUDUS_STATS_MAX_REPS)
        return ludus_err_set(LUDUS_EINVAL, "report: reps must be in [1, %d], got %d", LUDUS_STATS_MAX_REPS, o->reps);
    return LUDUS_OK;
}

/* ---- worlds and score matrices ---- */

/* The most worlds of a split, runs of a method (checked up front, so the
 * fixed arrays below never drop anything). */
#define REP_MAX_LIST 256

typedef struct names {
    const char *v[REP_MAX_LIST];
    int n;
} names;

static int names_has(const names *w, const char *s)
{
    for (int i = 0; i < w->n; i++)
        if (strcmp(w->v[i], s) == 0) return 1;
    return 0;
}

static void names_add(names *w, const char *s)
{
    if (!names_has(w, s) && w->n < REP_MAX_LIST) w->v[w->n++] = s;
}

static const rep_result *find_result(const rep_run *r, const char *world, int heldout)
{
    for (int i = 0; i < r->nres; i++)
        if (r->res[i].heldout == heldout && strcmp(r->res[i].world, world) == 0) return &r->res[i];
    return NULL;
}

/* The (runs, worlds) solved-rate matrix of method k over the worlds w of
 * one split: only runs that have every world. Returns the number of rows
 * (0 when none); idx gets the runs' indices when not NULL. */
static int method_matrix(const rep_model *m, int k, const names *w, int heldout, double *out, int *idx)
{
    int rows = 0;
    for (int i = 0; i < m->nruns; i++) {
        const rep_run *r = &m->runs[i];
        if (strcmp(r->method, m->methods[k]) != 0 || w->n == 0) continue;
        int ok = 1;
        for (int t = 0; t < w->n && ok; t++) {
            const rep_result *x = find_result(r, w->v[t], heldout);
            ok = x && isfinite(x->solved);
        }
        if (!ok) continue;
        for (int t = 0; t < w->n; t++) out[(size_t)rows * w->n + t] = find_result(r, w->v[t], heldout)->solved;
        if (idx) idx[rows] = i;
        rows++;
    }
    return rows;
}

/* ---- learning curves ---- */

typedef struct series {
    double *x, *y;
    int n;
} series;

/* Run r's series: kind 0 is metrics.csv's column `col` (by name); kind 1
 * and 2 are eval_curve.csv's train and held-out rows, averaged over the
 * worlds of an evaluation (solved_rate for "success", mean_return for
 * "return"); kind 3 is 1 minus 2, the generalization gap, at the steps
 * both have. n 0 when the run has no such data. */
#define NK 4
static int run_series(const rep_run *r, int kind, const char *col, series *s)
{
    memset(s, 0, sizeof *s);
    if (kind == 3) { /* the gap: train minus held-out where both were evaluated */
        series t = {0}, h = {0};
        int rc = run_series(r, 1, col, &t);
        if (!rc) rc = run_series(r, 2, col, &h);
        if (!rc && t.n && h.n) {
            int n = 0;
            for (int i = 0, j = 0; i < t.n && j < h.n;) {
                if (t.x[i] < h.x[j]) i++;
                else if (t.x[i] > h.x[j]) j++;
                else {
                    t.x[n] = t.x[i];
                    t.y[n++] = t.y[i++] - h.y[j++];
                }
            }
            *s = t;
            s->n = n;
            t.x = t.y = NULL;
        }
        free(t.x);
        free(t.y);
        free(h.x);
        free(h.y);
        return rc;
    }
    const rep_csv *c = kind == 0 ? &r->metrics : &r->curve;
    if (kind && !r->has_curve) return LUDUS_OK;
    const char *ycol = kind == 0 ? col : strcmp(col, "success") == 0 ? "solved_rate" : "mean_return";
    int xi = ludus_rep_csv_col(c, "steps"), yi = ludus_rep_csv_col(c, ycol);
    if (xi < 0 || yi < 0 || c->nrows == 0) return LUDUS_OK;
    double *x = malloc((size_t)c->nrows * sizeof *x), *y = malloc((size_t)c->nrows * sizeof *y);
    if (!x || !y) {
        free(x);
        free(y);
        return ludus_err_set(LUDUS_ENOMEM, "report: out of memory");
    }
    const char *file = kind == 0 ? "metrics.csv" : "eval_curve.csv";
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", r->dir, file);
    int rc = ludus_rep_csv_numbers(c, path, xi, x);
    if (!rc) rc = ludus_rep_csv_numbers(c, path, yi, y);
    if (rc) {
        free(x);
        free(y);
        return rc;
    }
    if (kind) { /* average the rows of one split at each evaluation */
        int si = ludus_rep_csv_col(c, "split"), n = 0, cnt = 0;
        const char *want = kind == 1 ? "train" : "heldout";
        for (int i = 0; i < c->nrows; i++) {
            if (strcmp(c->cell[(size_t)i * c->ncols + si], want) != 0) continue;
            if (n && x[n - 1] == x[i] && cnt) {
                y[n - 1] += (y[i] - y[n - 1]) / ++cnt;
                continue;
            }
            x[n] = x[i];
            y[n] = y[i];
            n++;
            cnt = 1;
        }
        s->n = n;
    } else
        s->n = c->nrows;
    s->x = x;
    s->y = y;
    if (!s->n) {
        free(x);
        free(y);
        s->x = s->y = NULL;
    }
    return LUDUS_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The value of s at step g: its last point at or before g, NaN before its
 * first point or after its last. */
static double value_at(const series *s, double g)
{
    if (!s->n || g < s->x[0] || g > s->x[s->n - 1]) return NAN;
    int lo = 0, hi = s->n - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (s->x[mid] <= g) lo = mid;
        else hi = mid - 1;
    }
    return s->y[lo];
}

typedef struct curve {
    double x[CURVE_POINTS], iqm[CURVE_POINTS], lo[CURVE_POINTS], hi[CURVE_POINTS];
    int n;
} curve;

/* The IQM across runs of ns series on a grid of their steps, with its
 * bootstrap band. */
static int iqm_curve(const series *s, int ns, int reps, uint64_t seed, curve *out)
{
    int total = 0;
    for (int i = 0; i < ns; i++) total += s[i].n;
    out->n = 0;
    if (!total) return LUDUS_OK;
    double *all = malloc((size_t)total * sizeof *all), v[256];
    if (!all) return ludus_err_set(LUDUS_ENOMEM, "report: out of memory");
    int k = 0;
    for (int i = 0; i < ns; i++)
        for (int j = 0; j < s[i].n; j++) all[k++] = s[i].x[j];
    qsort(all, (size_t)total, sizeof *all, cmp_double);
    int u = 0;
    for (int i = 0; i < total; i++)
        if (!u || all[i] != all[u - 1]) all[u++] = all[i];
    int rc = LUDUS_OK;
    for (int g = 0; g < (u < CURVE_POINTS ? u : CURVE_POINTS) && !rc; g++) {
        double gx = u <= CURVE_POINTS ? all[g] : all[(size_t)g * (u - 1) / (CURVE_POINTS - 1)];
        int nv = 0;
        for (int i = 0; i < ns && nv < 256; i++) {
            double y = value_at(&s[i], gx);
            if (isfinite(y)) v[nv++] = y;
        }
        out->x[out->n] = gx;
        if (!nv) {
            out->iqm[out->n] = out->lo[out->n] = out->hi[out->n] = NAN;
        } else {
            ludus_stats_aggregates ag;
            rc = ludus_stats_aggregate(v, nv, 1, reps, seed + (uint64_t)g, &ag);
            out->iqm[out->n] = ag.iqm.mean;
            out->lo[out->n] = ag.iqm.lo;
            out->hi[out->n] = ag.iqm.hi;
        }
        out->n++;
    }
    free(all);
    return rc;
}

static void free_series(series *s, int n)
{
    for (int i = 0; i < n; i++) {
        free(s[i].x);
        free(s[i].y);
    }
}

static void legend_html(hbuf *b, const rep_model *m, const curve *cv, unsigned kinds);

static const char *const kind_name[NK] = {"training episodes", "evaluation, training levels", "evaluation, held-out",
                                          "gap, train minus held-out"};
static const char *const kind_dash[NK] = {NULL, "2 3", "7 4", NULL};

/* One chart of metric `col`: every method's kinds in `kinds` (bit k),
 * faint per-run lines, the IQM across runs and its band. *drawn is set
 * when there was anything to draw. */
static int curve_chart(hbuf *b, const rep_model *m, const char *col, unsigned kinds, const char *title,
                       const char *ylabel, int reps, uint64_t seed, int *drawn)
{
    int R = m->nruns, rc = LUDUS_OK;
    series *s = calloc((size_t)R * NK, sizeof *s);
    curve *cv = calloc((size_t)m->nmethods * NK, sizeof *cv);
    if (!s || !cv) {
        free(s);
        free(cv);
        return ludus_err_set(LUDUS_ENOMEM, "report: out of memory");
    }
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (int i = 0; i < R && !rc; i++)
        for (int k = 0; k < NK && !rc; k++) {
            if (!(kinds >> k & 1)) continue;
            rc = run_series(&m->runs[i], k, col, &s[i * NK + k]);
            for (int j = 0; j < s[i * NK + k].n; j++) {
                double x = s[i * NK + k].x[j], y = s[i * NK + k].y[j];
                if (!isfinite(x) || !isfinite(y)) continue;
                x0 = fmin(x0, x), x1 = fmax(x1, x), y0 = fmin(y0, y), y1 = fmax(y1, y);
            }
        }
    *drawn = isfinite(x0);
    if (rc || !*drawn) goto done;
    for (int mi = 0; mi < m->nmethods && !rc; mi++)
        for (int k = 0; k < NK && !rc; k++) {
            series group[256];
            int ng = 0;
            for (int i = 0; i < R && ng < 256; i++)
                if (strcmp(m->runs[i].method, m->methods[mi]) == 0 && s[i * NK + k].n) group[ng++] = s[i * NK + k];
            rc = iqm_curve(group, ng, reps, seed, &cv[mi * NK + k]);
        }
    if (rc) goto done;
    if (strcmp(col, "success") == 0 && !(kinds & 8u)) y0 = 0, y1 = 1;
    if (kinds & 8u) y0 = fmin(y0, 0), y1 = fmax(y1, 0); /* the gap: zero in view */
    svg_chart c;
    ludus_svg_begin(&c, b, 720, 320, x0 < 0 ? x0 : 0, x1, y0, y1, title, "environment steps", ylabel);
    for (int mi = 0; mi < m->nmethods; mi++) {
        const char *color = ludus_svg_color(mi);
        for (int k = 0; k < NK; k++) {
            const curve *q = &cv[mi * NK + k];
            if (!q->n) continue;
            for (int i = 0; i < R; i++)
                if (strcmp(m->runs[i].method, m->methods[mi]) == 0)
                    ludus_svg_line(&c, s[i * NK + k].x, s[i * NK + k].y, s[i * NK + k].n, color, 1, 0.25, kind_dash[k]);
            ludus_svg_band(&c, q->x, q->lo, q->hi, q->n, color, 0.18);
            ludus_svg_line(&c, q->x, q->iqm, q->n, color, 2.2, 1, kind_dash[k]);
        }
    }
    ludus_svg_end(&c);
    legend_html(b, m, cv, kinds);
done:
    free_series(s, R * NK);
    free(s);
    free(cv);
    return rc;
}

/* The methods' colours and, with cv, the kinds of line each has drawn. */
static void legend_html(hbuf *b, const rep_model *m, const curve *cv, unsigned kinds)
{
    ludus_hb_put(b, "<p class=\"legend\">");
    for (int k = 0; k < m->nmethods; k++) {
        ludus_hb_printf(b, "<span style=\"color:%s\">&#9679; ", ludus_svg_color(k));
        ludus_hb_esc(b, m->methods[k]);
        int first = 1;
        for (int j = 0; cv && j < NK; j++)
            if ((kinds >> j & 1) && cv[k * NK + j].n && (kinds & (kinds - 1))) {
                ludus_hb_printf(b, "%s%s%s", first ? " (" : ", ", kind_dash[j] == NULL ? "solid: " : j == 1 ? "dotted: " : "dashed: ",
                                kind_name[j]);
                first = 0;
            }
        ludus_hb_put(b, first ? "</span> " : ")</span> ");
    }
    ludus_hb_put(b, "</p>\n");
}

/* ---- sections ---- */

static void section_open(hbuf *b, const char *id, const char *title)
{
    ludus_hb_printf(b, "<section id=\"%s\">\n<h2>", id);
    ludus_hb_esc(b, title);
    ludus_hb_put(b, "</h2>\n");
}

static void note(hbuf *b, const char *text)
{
    ludus_hb_put(b, "<p class=\"note\">");
    ludus_hb_esc(b, text);
    ludus_hb_put(b, "</p>\n");
}

static int section_curves(hbuf *b, const rep_model *m, const ludus_report_options *o, int reps)
{
    section_open(b, "curves", "Learning curves");
    note(b, "Lines: each method's IQM across its runs (the 25% trimmed mean) with a 95% stratified-bootstrap band; "
            "faint lines: the individual runs. Solid: the training episodes of metrics.csv; dashed: the held-out "
            "evaluations of eval_curve.csv; dotted: the evaluations on training levels.");
    int any = 0, drawn, rc;
    if ((rc = curve_chart(b, m, "success", 7u, "Solved rate", "solved rate", reps, o->seed, &drawn))) return rc;
    any |= drawn;
    if ((rc = curve_chart(b, m, "return", 7u, "Return", "mean return", reps, o->seed, &drawn))) return rc;
    any |= drawn;
    if (!any) note(b, "No learning curves: metrics.csv has no rows with steps and success or return.");
    if ((rc = curve_chart(b, m, "success", 8u, "Generalization gap over training (evaluations)",
                          "solved rate, train minus held-out", reps, o->seed, &drawn)))
        return rc;
    if (!drawn) note(b, "No generalization-gap curve: no eval_curve.csv with both training and held-out evaluations.");
    ludus_hb_put(b, "</section>\n");
    return LUDUS_OK;
}

static int section_curriculum(hbuf *b, const rep_model *m, const ludus_report_options *o, int reps,
                              const char *tmp_png)
{
    section_open(b, "curriculum", "Curriculum diagnostics");
    names cols = {0};
    for (int i = 0; i < m->nruns; i++)
        for (int k = 0; k < m->runs[i].metrics.ncols; k++)
            if (strncmp(m->runs[i].metrics.head[k], "cur_", 4) == 0) names_add(&cols, m->runs[i].metrics.head[k]);
    if (!cols.n) note(b, "No curriculum diagnostics: metrics.csv has no columns named cur_* (training without a "
                         "curriculum, or by uniform sampling of levels).");
    else note(b, "The metrics.csv columns named cur_*, one chart each: the IQM across runs with its band, and the runs.");
    for (int k = 0; k < cols.n; k++) {
        int drawn, rc = curve_chart(b, m, cols.v[k], 1u, cols.v[k], cols.v[k], reps, o->seed, &drawn);
        if (rc) return rc;
    }
    /* the levels each run's curriculum favours, from its last checkpoint */
    hbuf lv = {0};
    int any = 0, rc = LUDUS_OK;
    for (int i = 0; i < m->nruns && o->levels && !rc; i++) {
        int drawn;
        rc = ludus_rep_levels(&lv, &m->runs[i], o->levels, o->gif_tile, tmp_png, &drawn);
        any |= drawn;
    }
    if (!rc && any) {
        ludus_hb_put(b, "<h3 id=\"curriculum-levels\">Levels the curriculum favours</h3>\n");
        char msg[400];
        snprintf(msg, sizeof msg, "For each run with a curriculum, the %d most probable levels of its buffer under "
                                  "its replay distribution P_replay as its last checkpoint saved it, drawn by the "
                                  "training world: P is that probability, score the level's score, depth the edits "
                                  "behind it (ACCEL), staleness the levels drawn since it was last chosen.", o->levels);
        note(b, msg);
        ludus_hb_putn(b, lv.p ? lv.p : "", lv.len);
        if (lv.oom) b->oom = 1;
    }
    ludus_hb_free(&lv);
    if (rc) return ludus_err_wrap(rc, "report: the curriculum's levels");
    ludus_hb_put(b, "</section>\n");
    return LUDUS_OK;
}

/* The mean over a split's worlds of run r; NaN without any. */
static double run_split_mean(const rep_run *r, int heldout)
{
    double s = 0;
    int n = 0;
    for (int i = 0; i < r->nres; i++)
        if (r->res[i].heldout == heldout && isfinite(r->res[i].solved)) s += r->res[i].solved, n++;
    return n ? s / n : NAN;
}

static int section_summary(hbuf *b, const rep_model *m, const ludus_report_options *o)
{
    section_open(b, "summary", "Summary: training, held-out and the generalization gap");
    note(b, "Solved rate on training levels and on held-out levels, each the mean across runs of the run's mean over "
            "its worlds of that split, and the generalization gap (train minus held-out) on the same resampled runs, "
            "with 95% bootstrap intervals over runs. A small gap with poor training results is not success: read "
            "the gap beside both numbers.");
    ludus_hb_put(b, "<table>\n<tr><th>method</th><th>runs</th><th>seeds</th><th>train</th><th>held-out</th>"
                    "<th>gap (train &#8722; held-out)</th></tr>\n");
    for (int k = 0; k < m->nmethods; k++) {
        double tr[256], ho[256];
        int n = 0, runs = 0;
        ludus_hb_put(b, "<tr><td>");
        ludus_hb_esc(b, m->methods[k]);
        ludus_hb_put(b, "</td>");
        hbuf seeds = {0};
        for (int i = 0; i < m->nruns; i++) {
            const rep_run *r = &m->runs[i];
            if (strcmp(r->method, m->methods[k]) != 0) continue;
            ludus_hb_printf(&seeds, "%s%lld", runs ? ", " : "", r->seed);
            runs++;
            double a = run_split_mean(r, 0), h = run_split_mean(r, 1);
            if (isfinite(a) && isfinite(h) && n < 256) tr[n] = a, ho[n] = h, n++;
        }
        ludus_hb_printf(b, "<td>%d</td><td>%s</td>", runs, seeds.p ? seeds.p : "");
        ludus_hb_free(&seeds);
        if (!n) {
            ludus_hb_put(b, "<td colspan=\"3\">no evaluation (eval.json or results.json) with both splits</td></tr>\n");
            continue;
        }
        ludus_stats_gap g;
        int rc = ludus_stats_generalization_gap(tr, ho, n, o->reps, o->seed, &g);
        if (rc) return rc;
        ludus_hb_put(b, "<td>");
        ludus_hb_interval(b, g.train.mean, g.train.lo, g.train.hi);
        ludus_hb_put(b, "</td><td>");
        ludus_hb_interval(b, g.heldout.mean, g.heldout.lo, g.heldout.hi);
        ludus_hb_put(b, "</td><td>");
        ludus_hb_interval(b, g.gap.mean, g.gap.lo, g.gap.hi);
        ludus_hb_put(b, "</td></tr>\n");
    }
    ludus_hb_put(b, "</table>\n</section>\n");
    return LUDUS_OK;
}

/* Rows of intervals on a [0, 1] axis: label i, then one dot and whisker
 * per method. */
typedef struct interval_row {
    const char *label;
    ludus_estimate e[16];
    int has[16];
} interval_row;

static void interval_chart(hbuf *b, const rep_model *m, const interval_row *rows, int nrows, const char *title,
                           const char *xlabel, double x0, double x1)
{
    int nm = m->nmethods < 16 ? m->nmethods : 16;
    double rowh = 24.0 + 14.0 * nm, h = 68 + rowh * nrows;
    svg_chart c;
    ludus_svg_begin(&c, b, 720, h, x0, x1, 0, nrows, title, xlabel, "");
    for (int r = 0; r < nrows; r++) {
        double ytop = ludus_svg_py(&c, nrows - r);
        ludus_hb_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-weight=\"bold\">", c.ml + 4, ytop + 11);
        ludus_hb_esc(b, rows[r].label);
        ludus_hb_put(b, "</text>\n");
        for (int k = 0; k < nm; k++) {
            if (!rows[r].has[k]) continue;
            const ludus_estimate *e = &rows[r].e[k];
            double y = ytop + 22 + 14.0 * k;
            if (!isfinite(e->mean)) continue;
            const char *col = ludus_svg_color(k);
            if (isfinite(e->lo) && isfinite(e->hi))
                ludus_hb_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"3\" "
                                   "stroke-opacity=\"0.5\"/>\n",
                                ludus_svg_px(&c, fmax(e->lo, x0)), y, ludus_svg_px(&c, fmin(e->hi, x1)), y, col);
            ludus_hb_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>\n",
                            ludus_svg_px(&c, fmin(fmax(e->mean, x0), x1)), y, col);
        }
    }
    ludus_svg_end(&c);
    legend_html(b, m, NULL, 0);
}

static int section_heldout(hbuf *b, const rep_model *m, const names *wh, const names *wt, const ludus_report_options *o)
{
    section_open(b, "heldout", "Results per world");
    note(b, "Solved rate per world: the IQM across a method's runs with a 95% bootstrap interval over runs; a method "
            "with one run shows that run's rate with the interval eval.json gives over its episodes.");
    int nrows = wh->n + wt->n, rc = LUDUS_OK;
    interval_row *rows = calloc((size_t)(nrows ? nrows : 1), sizeof *rows);
    double *mat = malloc(((size_t)m->nruns + 1) * sizeof *mat);
    if (!rows || !mat) {
        free(rows);
        free(mat);
        return ludus_err_set(LUDUS_ENOMEM, "report: out of memory");
    }
    ludus_hb_put(b, "<table>\n<tr><th>world</th><th>split</th>");
    for (int k = 0; k < m->nmethods; k++) {
        ludus_hb_put(b, "<th>");
        ludus_hb_esc(b, m->methods[k]);
        ludus_hb_put(b, "</th>");
    }
    ludus_hb_put(b, "</tr>\n");
    for (int r = 0; r < nrows && !rc; r++) {
        int heldout = r < wh->n;
        const char *world = heldout ? wh->v[r] : wt->v[r - wh->n];
        char *lab = malloc(strlen(world) + 16);
        if (lab) sprintf(lab, "%s (%s)", world, heldout ? "held-out" : "train");
        rows[r].label = lab ? lab : world;
        ludus_hb_put(b, "<tr><td>");
        ludus_hb_esc(b, world);
        ludus_hb_printf(b, "</td><td>%s</td>", heldout ? "held-out" : "train");
        for (int k = 0; k < m->nmethods && !rc; k++) {
            names one = {.n = 1};
            one.v[0] = world;
            int n = method_matrix(m, k, &one, heldout, mat, NULL);
            ludus_hb_put(b, "<td>");
            if (!n) {
                ludus_hb_put(b, "&#8212;</td>");
                continue;
            }
            ludus_estimate e;
            if (n == 1) {
                const rep_result *x = NULL;
                for (int i = 0; i < m->nruns && !x; i++)
                    if (strcmp(m->runs[i].method, m->methods[k]) == 0) x = find_result(&m->runs[i], world, heldout);
                e = (ludus_estimate){mat[0], x ? x->lo : NAN, x ? x->hi : NAN};
            } else {
                ludus_stats_aggregates ag;
                rc = ludus_stats_aggregate(mat, n, 1, o->reps, o->seed, &ag);
                e = ag.iqm;
            }
            if (k < 16) rows[r].e[k] = e, rows[r].has[k] = 1;
            ludus_hb_interval(b, e.mean, e.lo, e.hi);
            ludus_hb_printf(b, " <small>(%d run%s)</small></td>", n, n == 1 ? "" : "s");
        }
        ludus_hb_put(b, "</tr>\n");
    }
    ludus_hb_put(b, "</table>\n");
    if (!rc && nrows) interval_chart(b, m, rows, nrows, "Solved rate per world", "solved rate", 0, 1);
    if (!nrows) note(b, "No results: no run has an eval.json and no experiment a results.json entry.");
    for (int r = 0; r < nrows; r++)
        if (rows[r].label != (r < wh->n ? wh->v[r] : wt->v[r - wh->n])) free((char *)rows[r].label);
    free(rows);
    free(mat);
    ludus_hb_put(b, "</section>\n");
    return rc;
}

static int section_aggregates(hbuf *b, const rep_model *m, const names *wh, const ludus_report_options *o)
{
    section_open(b, "aggregates", "Aggregate held-out performance (rliable)");
    note(b, "Over the matrix of runs x held-out worlds (solved rates): IQM of all scores pooled, median and mean of "
            "the per-world means, and the optimality gap (1 minus the mean of min(score, 1); lower is better), each "
            "with a 95% stratified-bootstrap interval (runs resampled within each world).");
    int rc = LUDUS_OK;
    double *mat = malloc(((size_t)m->nruns * (wh->n ? wh->n : 1) + 1) * sizeof *mat);
    interval_row rows[4];
    memset(rows, 0, sizeof rows);
    rows[0].label = "IQM", rows[1].label = "median", rows[2].label = "mean", rows[3].label = "optimality gap";
    if (!mat) return ludus_err_set(LUDUS_ENOMEM, "report: out of memory");
    ludus_hb_put(b, "<table>\n<tr><th>method</th><th>runs</th><th>IQM</th><th>median</th><th>mean</th>"
                    "<th>optimality gap</th></tr>\n");
    int any = 0;
    for (int k = 0; k < m->nmethods && !rc; k++) {
        int n = method_matrix(m, k, wh, 1, mat, NULL);
        ludus_hb_put(b, "<tr><td>");
        ludus_hb_esc(b, m->methods[k]);
        ludus_hb_printf(b, "</td><td>%d</td>", n);
        if (!n) {
            ludus_hb_put(b, "<td colspan=\"4\">no run with every held-out world</td></tr>\n");
            continue;
        }
        ludus_stats_aggregates ag;
        if ((rc = ludus_stats_aggregate(mat, n, wh->n, o->reps, o->seed, &ag))) break;
        ludus_estimate *e[4] = {&ag.iqm, &ag.median, &ag.mean, &ag.optimality_gap};
        for (int s = 0; s < 4; s++) {
            ludus_hb_put(b, "<td>");
            ludus_hb_interval(b, e[s]->mean, e[s]->lo, e[s]->hi);
            ludus_hb_put(b, "</td>");
            if (k < 16) rows[s].e[k] = *e[s], rows[s].has[k] = 1;
        }
        ludus_hb_put(b, "</tr>\n");
        any = 1;
    }
    ludus_hb_put(b, "</table>\n");
    if (!rc && any) interval_chart(b, m, rows, 4, "Aggregate metrics with 95% intervals", "solved rate", 0, 1);
    free(mat);
    ludus_hb_put(b, "</section>\n");
    return rc;
}

static int section_profiles(hbuf *b, const rep_model *m, const names *wh, const ludus_report_options *o, int reps)
{
    section_open(b, "profiles", "Performance profiles");
    note(b, "The fraction of all runs x held-out worlds scores above each threshold tau, with 95% stratified-bootstrap "
            "bands; a curve above another dominates it.");
    int rc = LUDUS_OK, any = 0;
    double *mat = malloc(((size_t)m->nruns * (wh->n ? wh->n : 1) + 1) * sizeof *mat), tau[NTAU], y[NTAU], lo[NTAU],
           hi[NTAU];
    if (!mat) return ludus_err_set(LUDUS_ENOMEM, "report: out of memory");
    for (int i = 0; i < NTAU; i++) tau[i] = (double)i / (NTAU - 1);
    svg_chart c;
    for (int k = 0; k < m->nmethods && !rc; k++) {
        int n = method_matrix(m, k, wh, 1, mat, NULL);
        if (!n) continue;
        ludus_estimate e[NTAU];
        if ((rc = ludus_stats_profile(mat, n, wh->n, tau, NTAU, reps, o->seed, e))) break;
        if (!any) ludus_svg_begin(&c, b, 720, 320, 0, 1, 0, 1, "Performance profile (held-out)", "solved rate threshold tau",
                                  "fraction of scores > tau");
        any = 1;
        for (int i = 0; i < NTAU; i++) y[i] = e[i].mean, lo[i] = e[i].lo, hi[i] = e[i].hi;
        ludus_svg_band(&c, tau, lo, hi, NTAU, ludus_svg_color(k), 0.18);
        ludus_svg_line(&c, tau, y, NTAU, ludus_svg_color(k), 2.2, 1, NULL);
    }
    if (any) {
        ludus_svg_end(&c);
        legend_html(b, m, NULL, 0);
    }
    else note(b, "No held-out results to profile.");
    free(mat);
    ludus_hb_put(b, "</section>\n");
    return rc;
}

static int section_improvement(hbuf *b, const rep_model *m, const names *wh, const ludus_report_options *o, int reps)
{
    section_open(b, "improvement", "Probability of improvement");
    note(b, "Row over column: P(X > Y), the probability that a run of method X beats a run of Y on a held-out world "
            "(the Mann-Whitney U over nx*ny, ties 1/2, averaged over worlds), with a 95% stratified-bootstrap interval. "
            "0.5 is a tie; an interval above 0.5 says X is better.");
    if (m->nmethods < 2 || !wh->n) {
        note(b, m->nmethods < 2 ? "One method: nothing to compare." : "No held-out results to compare.");
        ludus_hb_put(b, "</section>\n");
        return LUDUS_OK;
    }
    size_t cap = (size_t)m->nruns * wh->n + 1;
    double *x = malloc(cap * sizeof *x), *y = malloc(cap * sizeof *y);
    if (!x || !y) {
        free(x);
        free(y);
        return ludus_err_set(LUDUS_ENOMEM, "report: out of memory");
    }
    int rc = LUDUS_OK;
    ludus_hb_put(b, "<table class=\"poi\">\n<tr><th>P(row &gt; column)</th>");
    for (int k = 0; k < m->nmethods; k++) {
        ludus_hb_put(b, "<th>");
        ludus_hb_esc(b, m->methods[k]);
        ludus_hb_put(b, "</th>");
    }
    ludus_hb_put(b, "</tr>\n");
    for (int i = 0; i < m->nmethods && !rc; i++) {
        ludus_hb_put(b, "<tr><th>");
        ludus_hb_esc(b, m->methods[i]);
        ludus_hb_put(b, "</th>");
        int nx = method_matrix(m, i, wh, 1, x, NULL);
        for (int j = 0; j < m->nmethods && !rc; j++) {
            int ny = method_matrix(m, j, wh, 1, y, NULL);
            if (i == j || !nx || !ny) {
                ludus_hb_put(b, "<td>&#8212;</td>");
                continue;
            }
            ludus_estimate e;
            if ((rc = ludus_stats_prob_improvement(x, nx, y, ny, wh->n, reps, o->seed, &e))) break;
            /* blue above 0.5, red below, white at a tie */
            int shade = (int)(fabs(e.mean - 0.5) * 2 * 60);
            ludus_hb_printf(b, "<td style=\"background:hsl(%d,70%%,%d%%)\">", e.mean >= 0.5 ? 210 : 0, 97 - shade / 2);
            ludus_hb_interval(b, e.mean, e.lo, e.hi);
            ludus_hb_put(b, "</td>");
        }
        ludus_hb_put(b, "</tr>\n");
    }
    ludus_hb_put(b, "</table>\n</section>\n");
    free(x);
    free(y);
    return rc;
}

/* ---- episodes ---- */

typedef struct player {
    ludus_agent *agent;
    ludus_env *env;
    const ludus_env_info *info;
    void *state;
    uint8_t *obs, *mask, *rgb;
    char *text;
    size_t rgb_cap;
    int width, height;
    ludus_render_opts ro;
} player;

static void player_free(player *p)
{
    ludus_agent_destroy(p->agent);
    ludus_env_destroy(p->env);
    free(p->state);
    free(p->obs);
    free(p->mask);
    free(p->rgb);
    free(p->text);
}

/* Play episode e on `level` with the eval protocol's stream (seed, e);
 * with gif, draw each state (at most max_frames). */
static int play(player *p, uint64_t level, uint64_t seed, int e, ludus_gif *gif, int max_frames, double *ret,
                int *len, int *frames)
{
    const ludus_env_info *info = p->info;
    int rc = ludus_env_reset(p->env, p->state, level, p->obs);
    if (rc) return rc;
    ludus_rng rng;
    uint32_t words[4] = {(uint32_t)seed, (uint32_t)(seed >> 32), (uint32_t)e, 0xe7a1u};
    ludus_rng_seed_words(&rng, words, 4);
    int dims, sizes[LUDUS_AGENT_MAX_ACTION_DIMS];
    ludus_agent_action_space(info, &dims, sizes);
    const uint32_t flags = ludus_agent_flags(p->agent);
    const int want_text = (flags & (LUDUS_AGENT_TEXT | LUDUS_AGENT_TEXT_BALROG)) != 0;
    uint8_t start = 1, stepped = 1;
    *ret = 0;
    *len = 0;
    *frames = 0;
    for (long t = 0; t < 10000000; t++) {
        if (gif && *frames < max_frames) {
            if ((rc = ludus_env_render(p->env, p->state, &p->ro, p->rgb, p->rgb_cap))) return rc;
            if ((rc = ludus_gif_add_frame(gif, p->rgb, 12))) return rc;
            (*frames)++;
        }
        const char *mission = ludus_env_mission(p->env, p->state), *text = p->text;
        if (info->mask_size && (rc = ludus_env_action_mask(p->env, p->state, p->mask))) return rc;
        if (want_text) {
            rc = ludus_env_text(p->env, p->state, (flags & LUDUS_AGENT_TEXT_BALROG) ? LUDUS_TEXT_BALROG : LUDUS_TEXT_FULL,
                                p->text, info->text_capacity);
            if (rc < 0) return rc;
        }
        ludus_agent_input in = {.n = 1, .greedy = 0, .obs_size = info->obs_size, .obs = p->obs, .missions = &mission,
                                .texts = want_text ? &text : NULL, .starts = &start, .rngs = &rng,
                                .action_dims = dims, .action_sizes = sizes,
                                .action_mask = info->mask_size ? p->mask : NULL};
        int32_t a[LUDUS_AGENT_MAX_ACTION_DIMS];
        if ((rc = ludus_agent_act(p->agent, &in, a))) return rc;
        ludus_step_out so;
        if ((rc = ludus_env_step_vec(p->env, p->state, a, p->obs, &so))) return rc;
        *ret += so.reward;
        (*len)++;
        start = 0;
        uint8_t term = so.terminated, trunc = so.truncated;
        double r = so.reward;
        ludus_agent_feedback fb = {.n = 1, .obs_size = info->obs_size, .action_dims = dims, .actions = a,
                                   .rewards = &r, .terminated = &term, .truncated = &trunc, .next_obs = p->obs,
                                   .stepped = &stepped};
        if ((rc = ludus_agent_observe(p->agent, &fb))) return rc;
        if (term || trunc) break;
    }
    if (gif && *frames < max_frames) { /* the last state, held a while */
        if ((rc = ludus_env_render(p->env, p->state, &p->ro, p->rgb, p->rgb_cap))) return rc;
        if ((rc = ludus_gif_add_frame(gif, p->rgb, 150))) return rc;
        (*frames)++;
    }
    return LUDUS_OK;
}

typedef struct episode {
    int e;
    double ret;
    int len;
} episode;

static int cmp_episode(const void *a, const void *b)
{
    const episode *x = a, *y = b;
    if (x->ret != y->ret) return x->ret > y->ret ? -1 : 1; /* best first */
    return x->e - y->e;
}

static int episodes_for(hbuf *b, const rep_run *r, const char *world, const char *opts, uint64_t level0,
                        const ludus_report_options *o, const char *tmp_gif)
{
    player p;
    memset(&p, 0, sizeof p);
    char ck[4096];
    snprintf(ck, sizeof ck, "%s/checkpoint.safetensors", r->dir);
    int rc;
    if ((rc = ludus_env_make(world, opts, &p.env))) goto fail;
    p.info = ludus_env_get_info(p.env);
    if ((rc = ludus_agent_load(ck, world, 1, &p.agent))) goto fail;
    if ((rc = ludus_agent_bind(p.agent, p.env, 1))) goto fail;
    p.ro = (ludus_render_opts){.tile_size = o->gif_tile, .agent_view = 0, .highlight = 1};
    if ((rc = ludus_env_render_size(p.env, &p.ro, &p.width, &p.height)) == LUDUS_EINVAL) {
        p.ro.tile_size = 0; /* a world whose frames have no tiles of that size: its default */
        rc = ludus_env_render_size(p.env, &p.ro, &p.width, &p.height);
    }
    if (rc == LUDUS_EUNSUPPORTED) {
        note(b, "This world draws no frames: no episode pictures.");
        rc = LUDUS_OK;
        goto fail;
    }
    if (rc) goto fail;
    p.rgb_cap = (size_t)p.width * p.height * 3;
    p.state = calloc(1, p.info->state_size);
    p.obs = malloc(p.info->obs_size ? p.info->obs_size : 1);
    p.mask = malloc(p.info->mask_size ? p.info->mask_size : 1);
    p.rgb = malloc(p.rgb_cap);
    p.text = malloc(p.info->text_capacity ? p.info->text_capacity : 1);
    episode *ep = calloc((size_t)o->gif_episodes, sizeof *ep);
    if (!p.state || !p.obs || !p.mask || !p.rgb || !p.text || !ep) {
        free(ep);
        rc = ludus_err_set(LUDUS_ENOMEM, "report: out of memory");
        goto fail;
    }
    int frames;
    for (int e = 0; e < o->gif_episodes && !rc; e++) {
        ep[e].e = e;
        rc = play(&p, level0 + (uint64_t)e, o->seed, e, NULL, 0, &ep[e].ret, &ep[e].len, &frames);
    }
    if (!rc) qsort(ep, (size_t)o->gif_episodes, sizeof *ep, cmp_episode);
    const char *which[3] = {"best", "median", "worst"};
    int pick[3] = {0, o->gif_episodes / 2, o->gif_episodes - 1};
    ludus_hb_put(b, "<div class=\"gifs\">\n");
    for (int k = 0; k < 3 && !rc; k++) {
        if (k && pick[k] == pick[k - 1]) continue;
        const episode *x = &ep[pick[k]];
        ludus_gif *gif = NULL;
        double ret;
        int len;
        if ((rc = ludus_gif_open(tmp_gif, p.width, p.height, &gif))) break;
        rc = play(&p, level0 + (uint64_t)x->e, o->seed, x->e, gif, o->gif_max_frames, &ret, &len, &frames);
        int crc = ludus_gif_close(gif);
        if (!rc) rc = crc;
        char *data = NULL;
        size_t n = 0;
        if (!rc) rc = ludus_file_read(tmp_gif, (size_t)1 << 28, &data, &n);
        unlink(tmp_gif);
        if (rc) break;
        int scale = p.width < 240 && p.height < 240 ? 240 / (p.width > p.height ? p.width : p.height) : 1;
        if (scale < 1) scale = 1; /* small frames shown larger, pixels kept sharp by the CSS */
        ludus_hb_printf(b, "<figure><img alt=\"%s held-out episode\" width=\"%d\" height=\"%d\" src=\"", which[k],
                        p.width * scale, p.height * scale);
        ludus_hb_data_uri(b, "image/gif", data, n);
        free(data);
        ludus_hb_printf(b, "\"/><figcaption>%s of %d: level %llu, return %.3f, %d steps%s</figcaption></figure>\n",
                        which[k], o->gif_episodes, (unsigned long long)(level0 + (uint64_t)x->e), ret, len,
                        frames < len + 1 ? " (the GIF is cut)" : "");
    }
    ludus_hb_put(b, "</div>\n");
    free(ep);
fail:
    player_free(&p);
    return rc;
}

static int section_episodes(hbuf *b, const rep_model *m, const names *wh, const ludus_report_options *o,
                            const char *tmp_gif)
{
    section_open(b, "episodes", "Held-out episodes");
    if (!o->gif_episodes) {
        note(b, "Episode pictures were not asked for (gif_episodes 0).");
        ludus_hb_put(b, "</section>\n");
        return LUDUS_OK;
    }
    char msg[512];
    snprintf(msg, sizeof msg, "For each method, its first run's checkpoint plays %d episodes in its first held-out world "
                              "(from that world's first evaluation level, %llu unless the experiment says otherwise; "
                              "actions sampled from the evaluation's per-episode streams of seed %llu); the best, median "
                              "and worst by return are shown.", o->gif_episodes,
             (unsigned long long)LUDUS_HELDOUT_START, (unsigned long long)o->seed);
    note(b, msg);
    for (int k = 0; k < m->nmethods; k++) {
        const rep_run *r = NULL;
        for (int i = 0; i < m->nruns && !r; i++)
            if (strcmp(m->runs[i].method, m->methods[k]) == 0 && m->runs[i].has_checkpoint) r = &m->runs[i];
        ludus_hb_put(b, "<h3>");
        ludus_hb_esc(b, m->methods[k]);
        ludus_hb_put(b, "</h3>\n");
        if (!r) {
            note(b, "No run of this method has a checkpoint.");
            continue;
        }
        /* the first held-out world the run has a result in, else its own world's held-out levels */
        const char *name = r->env_id, *world = r->env_id, *opts = r->env_options;
        uint64_t level0 = LUDUS_HELDOUT_START;
        for (int t = 0; t < wh->n; t++) {
            const rep_result *x = find_result(r, wh->v[t], 1);
            if (!x) continue;
            name = x->world, world = x->id, opts = x->options, level0 = x->level_start;
            break;
        }
        ludus_hb_put(b, "<p>");
        ludus_hb_esc(b, name);
        ludus_hb_printf(b, ", seed %lld, ", r->seed);
        ludus_hb_esc(b, r->dir);
        ludus_hb_put(b, "</p>\n");
        int rc = episodes_for(b, r, world, opts, level0, o, tmp_gif);
        if (rc) return ludus_err_wrap(rc, "report: replaying %s's episodes in %s", r->dir, name);
    }
    ludus_hb_put(b, "</section>\n");
    return LUDUS_OK;
}

/* ---- configuration and data ---- */

static void pre(hbuf *b, const char *text)
{
    ludus_hb_put(b, "<pre>");
    ludus_hb_esc(b, text);
    ludus_hb_put(b, "</pre>\n");
}

static void section_config(hbuf *b, const rep_model *m)
{
    section_open(b, "config", "Configuration, seeds and commit");
    ludus_hb_put(b, "<table>\n<tr><th>folder</th><th>kind</th><th>commit</th></tr>\n");
    for (int s = 0; s < m->nsrc; s++) {
        ludus_hb_put(b, "<tr><td>");
        ludus_hb_esc(b, m->src[s].dir);
        ludus_hb_printf(b, "</td><td>%s</td><td><code>", m->src[s].experiment ? "experiment" : "run");
        ludus_hb_esc(b, m->src[s].commit ? m->src[s].commit : "not recorded");
        ludus_hb_put(b, "</code></td></tr>\n");
    }
    ludus_hb_put(b, "</table>\n");
    for (int s = 0; s < m->nsrc; s++)
        if (m->src[s].experiment_json) {
            ludus_hb_put(b, "<details open=\"open\"><summary>experiment.json of ");
            ludus_hb_esc(b, m->src[s].dir);
            ludus_hb_put(b, "</summary>\n");
            pre(b, m->src[s].experiment_json);
            ludus_hb_put(b, "</details>\n");
        }
    ludus_hb_put(b, "<table>\n<tr><th>method</th><th>seed</th><th>world</th><th>options</th><th>commit</th>"
                    "<th>folder</th></tr>\n");
    for (int i = 0; i < m->nruns; i++) {
        const rep_run *r = &m->runs[i];
        ludus_hb_put(b, "<tr><td>");
        ludus_hb_esc(b, r->method);
        ludus_hb_printf(b, "</td><td>%lld</td><td>", r->seed);
        ludus_hb_esc(b, r->env_id);
        ludus_hb_put(b, "</td><td>");
        ludus_hb_esc(b, r->env_options);
        ludus_hb_put(b, "</td><td><code>");
        ludus_hb_esc(b, r->commit ? r->commit : "not recorded");
        ludus_hb_put(b, "</code></td><td>");
        ludus_hb_esc(b, r->dir);
        ludus_hb_put(b, "</td></tr>\n");
    }
    ludus_hb_put(b, "</table>\n");
    for (int i = 0; i < m->nruns; i++) {
        ludus_hb_put(b, "<details><summary>config.json of ");
        ludus_hb_esc(b, m->runs[i].dir);
        ludus_hb_put(b, "</summary>\n");
        pre(b, m->runs[i].config);
        ludus_hb_put(b, "</details>\n");
    }
    ludus_hb_put(b, "</section>\n");
}

static void download(hbuf *b, const char *mime, const char *name, const char *data, size_t n)
{
    ludus_hb_put(b, "<li><a download=\"");
    ludus_hb_esc(b, name);
    ludus_hb_put(b, "\" href=\"");
    ludus_hb_data_uri(b, mime, data, n);
    ludus_hb_put(b, "\">");
    ludus_hb_esc(b, name);
    ludus_hb_printf(b, "</a> <small>(%zu bytes)</small></li>\n", n);
}

static void section_data(hbuf *b, const rep_model *m)
{
    section_open(b, "data", "Raw data");
    note(b, "Every number above comes from these files (downloads embedded in this page).");
    ludus_hb_put(b, "<ul>\n");
    hbuf csv = {0};
    ludus_hb_put(&csv, "method,seed,dir,world,split,solved_rate,mean_return\n");
    for (int i = 0; i < m->nruns; i++) {
        const rep_run *r = &m->runs[i];
        for (int k = 0; k < r->nres; k++) /* world ids and labels hold no commas; a dir may: quoted, "" for " */
        {
            ludus_hb_printf(&csv, "%s,%lld,\"", r->method, r->seed);
            for (const char *q = r->dir; *q; q++) {
                if (*q == '"') ludus_hb_put(&csv, "\"\"");
                else ludus_hb_putn(&csv, q, 1);
            }
            ludus_hb_printf(&csv, "\",%s,%s,%.6g,%.6g\n", r->res[k].world, r->res[k].heldout ? "heldout" : "train",
                            r->res[k].solved, r->res[k].ret);
        }
    }
    download(b, "text/csv", "results.csv", csv.p ? csv.p : "", csv.len);
    ludus_hb_free(&csv);
    for (int s = 0; s < m->nsrc; s++)
        if (m->src[s].results_json)
            download(b, "application/json", "results.json", m->src[s].results_json, strlen(m->src[s].results_json));
    for (int i = 0; i < m->nruns; i++) {
        const rep_run *r = &m->runs[i];
        char name[256];
        snprintf(name, sizeof name, "%s-seed%lld-metrics.csv", r->method, r->seed);
        download(b, "text/csv", name, r->metrics.text, r->metrics.len);
        if (r->has_curve) {
            snprintf(name, sizeof name, "%s-seed%lld-eval_curve.csv", r->method, r->seed);
            download(b, "text/csv", name, r->curve.text, r->curve.len);
        }
    }
    ludus_hb_put(b, "</ul>\n</section>\n");
}

static const char *const css =
    "body{font-family:sans-serif;margin:24px auto;max-width:1000px;color:#222;background:#fafafa}"
    "h1{font-size:24px}h2{font-size:19px;border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:32px}"
    "table{border-collapse:collapse;margin:8px 0;font-size:13px}td,th{border:1px solid #ccc;padding:4px 8px;"
    "text-align:left}th{background:#eee}.note{color:#555;font-size:13px}pre{background:#f0f0f0;padding:8px;"
    "overflow:auto;font-size:12px;white-space:pre-wrap}svg{display:block;margin:8px 0;background:#fff}"
    ".gifs{display:flex;gap:16px;flex-wrap:wrap}figure{margin:0}figcaption{font-size:12px;color:#444}"
    "img{image-rendering:pixelated;border:1px solid #ccc}nav a{margin-right:10px;font-size:13px}.legend span{margin-right:14px;font-size:13px}";

int ludus_report_write(const char *const *dirs, int ndirs, const ludus_report_options *opts, const char *out_path)
{
    if (!dirs || ndirs < 1) return ludus_err_set(LUDUS_EINVAL, "report: name at least one run or experiment folder");
    for (int i = 0; i < ndirs; i++)
        if (!dirs[i] || !dirs[i][0]) return ludus_err_set(LUDUS_EINVAL, "report: folder %d is empty or NULL", i + 1);
    ludus_report_options o;
    if (opts) o = *opts;
    else ludus_report_options_default(&o);
    int rc = check_options(&o);
    if (rc) return rc;
    rep_model m;
    if ((rc = ludus_rep_load(&m, dirs, ndirs))) return rc;
    char *path = NULL, *tmp_gif = NULL, *tmp_png = NULL;
    hbuf b = {0};
    size_t pl = strlen(out_path ? out_path : dirs[0]) + 32;
    path = malloc(pl);
    tmp_gif = malloc(pl + 16);
    tmp_png = malloc(pl + 16);
    if (!path || !tmp_gif || !tmp_png) {
        rc = ludus_err_set(LUDUS_ENOMEM, "report: out of memory");
        goto done;
    }
    if (out_path) snprintf(path, pl, "%s", out_path);
    else snprintf(path, pl, "%s/report.html", dirs[0]);
    snprintf(tmp_gif, pl + 16, "%s.episode.gif.tmp", path);
    snprintf(tmp_png, pl + 16, "%s.level.png.tmp", path);
    names wh = {0}, wt = {0};
    for (int i = 0; i < m.nruns; i++)
        for (int k = 0; k < m.runs[i].nres; k++) names_add(m.runs[i].res[k].heldout ? &wh : &wt, m.runs[i].res[k].world);
    for (int i = 0; i < m.nruns && !rc; i++)
        for (int k = 0; k < m.runs[i].nres && !rc; k++)
            if (!names_has(m.runs[i].res[k].heldout ? &wh : &wt, m.runs[i].res[k].world))
                rc = ludus_err_set(LUDUS_EINVAL, "report: more than %d worlds in one split", REP_MAX_LIST);
    for (int k = 0; k < m.nmethods && !rc; k++) {
        int n = 0;
        for (int i = 0; i < m.nruns; i++) n += strcmp(m.runs[i].method, m.methods[k]) == 0;
        if (n > REP_MAX_LIST) rc = ludus_err_set(LUDUS_EINVAL, "report: method '%s' has %d runs; at most %d", m.methods[k], n, REP_MAX_LIST);
    }
    if (m.nmethods > 16 && !rc) rc = ludus_err_set(LUDUS_EINVAL, "report: %d methods; at most 16 fit one report", m.nmethods);
    if (rc) goto done;
    int small_reps = o.reps < LUDUS_STATS_REPS_PROFILE ? o.reps : LUDUS_STATS_REPS_PROFILE;

    ludus_hb_printf(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
                        "<title>ludus report</title>\n<style>%s</style>\n</head>\n<body>\n<header>\n<h1>ludus report</h1>\n"
                        "<p class=\"note\">Written by ludus %s from ", css, ludus_version());
    for (int i = 0; i < ndirs; i++) {
        ludus_hb_put(&b, i ? ", <code>" : "<code>");
        ludus_hb_esc(&b, dirs[i]);
        ludus_hb_put(&b, "</code>");
    }
    ludus_hb_printf(&b, ": %d run%s, %d method%s, %d held-out world%s. Intervals are 95%% percentile bootstrap "
                        "intervals (seed %llu).</p>\n<nav><a href=\"#summary\">summary</a><a href=\"#curves\">curves</a>"
                        "<a href=\"#heldout\">per world</a><a href=\"#aggregates\">aggregates</a><a href=\"#profiles\">"
                        "profiles</a><a href=\"#improvement\">P(improvement)</a><a href=\"#curriculum\">curriculum</a>"
                        "<a href=\"#episodes\">episodes</a><a href=\"#config\">configuration</a><a href=\"#data\">data</a>"
                        "</nav>\n</header>\n<main>\n",
                    m.nruns, m.nruns == 1 ? "" : "s", m.nmethods, m.nmethods == 1 ? "" : "s", wh.n, wh.n == 1 ? "" : "s",
                    (unsigned long long)o.seed);
    if (!rc) rc = section_summary(&b, &m, &o);
    if (!rc) rc = section_curves(&b, &m, &o, small_reps);
    if (!rc) rc = section_heldout(&b, &m, &wh, &wt, &o);
    if (!rc) rc = section_aggregates(&b, &m, &wh, &o);
    if (!rc) rc = section_profiles(&b, &m, &wh, &o, small_reps);
    if (!rc) rc = section_improvement(&b, &m, &wh, &o, small_reps);
    if (!rc) rc = section_curriculum(&b, &m, &o, small_reps, tmp_png);
    if (!rc) rc = section_episodes(&b, &m, &wh, &o, tmp_gif);
    if (!rc) {
        section_config(&b, &m);
        section_data(&b, &m);
        ludus_hb_put(&b, "</main>\n</body>\n</html>\n");
    }
    if (!rc && b.oom) rc = ludus_err_set(LUDUS_ENOMEM, "report: out of memory");
    if (!rc) rc = ludus_file_write_atomic(path, b.p, b.len);
done:
    ludus_hb_free(&b);
    free(path);
    free(tmp_gif);
    free(tmp_png);
    ludus_rep_free(&m);
    return rc;
}
