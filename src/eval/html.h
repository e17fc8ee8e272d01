/* html.h: the HTML and SVG writer behind report.html: a growing text
 * buffer that remembers running out of memory (checked once at the end),
 * escaping, data: URIs, and line charts drawn as inline SVG. Private to
 * the library.
 */
#ifndef LUDUS_EVAL_HTML_H
#define LUDUS_EVAL_HTML_H

#include <stddef.h>

#include "core/core.h"

typedef struct hbuf {
    char *p;
    size_t len, cap;
    int oom; /* a growth failed: the text is incomplete */
} hbuf;

void ludus_hb_free(hbuf *b);
void ludus_hb_put(hbuf *b, const char *s);
void ludus_hb_putn(hbuf *b, const char *s, size_t n);
void ludus_hb_printf(hbuf *b, const char *fmt, ...) LUDUS_PRINTF(2, 3);
/* Text or an attribute value with & < > " ' escaped. */
void ludus_hb_esc(hbuf *b, const char *s);
/* A data: URI of n bytes, base64 (RFC 2397). */
void ludus_hb_data_uri(hbuf *b, const char *mime, const void *data, size_t n);
/* A number for people: NaN as "n/a", else %.3g-ish with fixed decimals. */
void ludus_hb_num(hbuf *b, double v);
/* "0.42 [0.31, 0.55]" */
void ludus_hb_interval(hbuf *b, double point, double lo, double hi);

/* A line chart: axes with ticks and labels, then series and bands drawn
 * in data coordinates. */
typedef struct svg_chart {
    hbuf *b;
    double x0, x1, y0, y1; /* data ranges */
    double w, h;           /* the SVG's size in pixels */
    double ml, mr, mt, mb; /* margins */
} svg_chart;

/* The colour of series i (a fixed palette). */
const char *ludus_svg_color(int i);
/* Open the <svg> with its frame, ticks, labels and title. Ranges with
 * x1 <= x0 or y1 <= y0 are widened; an empty ylabel leaves the y axis
 * without ticks (rows of labelled intervals). */
void ludus_svg_begin(svg_chart *c, hbuf *b, double w, double h, double x0, double x1, double y0, double y1,
                     const char *title, const char *xlabel, const char *ylabel);
void ludus_svg_end(svg_chart *c);
/* A polyline through the finite points (a NaN breaks the line). dash
 * NULL: solid. */
void ludus_svg_line(svg_chart *c, const double *x, const double *y, int n, const char *color, double width,
                    double opacity, const char *dash);
/* A filled band between lo and hi (finite points only). */
void ludus_svg_band(svg_chart *c, const double *x, const double *lo, const double *hi, int n, const char *color,
                    double opacity);
double ludus_svg_px(const svg_chart *c, double x);
double ludus_svg_py(const svg_chart *c, double y);

#endif
