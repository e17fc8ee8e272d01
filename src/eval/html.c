/* html.c: the HTML and SVG writer of report.html (see html.h). Charts are
 * plain SVG elements written as well-formed XML (every attribute quoted,
 * every element closed), so browsers and XML parsers read them alike.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/digest.h"
#include "eval/html.h"

static int grow(hbuf *b, size_t need)
{
    if (b->oom) return 0;
    if (b->len + need + 1 <= b->cap) return 1;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + need + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return 0;
    }
    b->p = p;
    b->cap = cap;
    return 1;
}

void ludus_hb_free(hbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

void ludus_hb_putn(hbuf *b, const char *s, size_t n)
{
    if (!grow(b, n)) return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

void ludus_hb_put(hbuf *b, const char *s)
{
    ludus_hb_putn(b, s, strlen(s));
}

void ludus_hb_printf(hbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !grow(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void ludus_hb_esc(hbuf *b, const char *s)
{
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '&': ludus_hb_put(b, "&amp;"); break;
        case '<': ludus_hb_put(b, "&lt;"); break;
        case '>': ludus_hb_put(b, "&gt;"); break;
        case '"': ludus_hb_put(b, "&quot;"); break;
        case '\'': ludus_hb_put(b, "&#39;"); break;
        default:
            /* control characters other than tab and newline are not
             * allowed in XML (SVG text) */
            if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t') ludus_hb_put(b, "?");
            else ludus_hb_putn(b, p, 1);
        }
    }
}

void ludus_hb_data_uri(hbuf *b, const char *mime, const void *data, size_t n)
{
    ludus_hb_printf(b, "data:%s;base64,", mime);
    size_t need = 4 * ((n + 2) / 3);
    if (!grow(b, need)) return;
    b->len += ludus_base64_encode(data, n, b->p + b->len);
}

void ludus_hb_num(hbuf *b, double v)
{
    if (!isfinite(v)) ludus_hb_put(b, "n/a");
    else if (fabs(v) >= 1000) ludus_hb_printf(b, "%.0f", v);
    else if (fabs(v) >= 10) ludus_hb_printf(b, "%.1f", v);
    else ludus_hb_printf(b, "%.3f", v);
}

void ludus_hb_interval(hbuf *b, double point, double lo, double hi)
{
    ludus_hb_num(b, point);
    ludus_hb_put(b, " [");
    ludus_hb_num(b, lo);
    ludus_hb_put(b, ", ");
    ludus_hb_num(b, hi);
    ludus_hb_put(b, "]");
}

const char *ludus_svg_color(int i)
{
    static const char *pal[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};
    return pal[(i % 10 + 10) % 10];
}

double ludus_svg_px(const svg_chart *c, double x)
{
    return c->ml + (x - c->x0) / (c->x1 - c->x0) * (c->w - c->ml - c->mr);
}

double ludus_svg_py(const svg_chart *c, double y)
{
    return c->h - c->mb - (y - c->y0) / (c->y1 - c->y0) * (c->h - c->mt - c->mb);
}

/* A step of 1, 2 or 5 times a power of ten giving about n ticks. */
static double nice_step(double span, int n)
{
    double raw = span / n, p = pow(10, floor(log10(raw))), f = raw / p;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

static void tick_label(char *buf, size_t cap, double v, double step)
{
    if (fabs(v) < step * 1e-9) v = 0;
    if (fabs(v) >= 1e6) snprintf(buf, cap, "%.3gM", v / 1e6);
    else if (fabs(v) >= 1e4) snprintf(buf, cap, "%.4gk", v / 1e3);
    else if (step >= 1) snprintf(buf, cap, "%.0f", v);
    else snprintf(buf, cap, "%.*f", (int)ceil(-log10(step)), v);
}

void ludus_svg_begin(svg_chart *c, hbuf *b, double w, double h, double x0, double x1, double y0, double y1,
                     const char *title, const char *xlabel, const char *ylabel)
{
    if (!isfinite(x0) || !isfinite(x1)) x0 = 0, x1 = 1;
    if (!isfinite(y0) || !isfinite(y1)) y0 = 0, y1 = 1;
    if (x1 <= x0) x1 = x0 + 1;
    if (y1 <= y0) y0 -= 0.5, y1 += 0.5;
    *c = (svg_chart){b, x0, x1, y0, y1, w, h, 56, 16, 28, 40};
    ludus_hb_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
                       "role=\"img\" font-family=\"sans-serif\" font-size=\"11\">\n", w, h, w, h);
    ludus_hb_put(b, "<title>");
    ludus_hb_esc(b, title);
    ludus_hb_put(b, "</title>\n");
    ludus_hb_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#fff\" stroke=\"#999\"/>\n",
                    c->ml, c->mt, w - c->ml - c->mr, h - c->mt - c->mb);
    char lab[32];
    double sx = nice_step(x1 - x0, 6), sy = nice_step(y1 - y0, 5);
    for (double v = ceil(x0 / sx) * sx; v <= x1 + sx * 1e-9; v += sx) {
        double px = ludus_svg_px(c, v);
        tick_label(lab, sizeof lab, v, sx);
        ludus_hb_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
                           "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
                        px, c->mt, px, h - c->mb, px, h - c->mb + 14, lab);
    }
    for (double v = ceil(y0 / sy) * sy; ylabel[0] && v <= y1 + sy * 1e-9; v += sy) {
        double py = ludus_svg_py(c, v);
        tick_label(lab, sizeof lab, v, sy);
        ludus_hb_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
                           "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                        c->ml, py, w - c->mr, py, c->ml - 4, py + 4, lab);
    }
    ludus_hb_printf(b, "<text x=\"%.1f\" y=\"16\" font-size=\"13\" font-weight=\"bold\">", c->ml);
    ludus_hb_esc(b, title);
    ludus_hb_printf(b, "</text>\n<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", (c->ml + w - c->mr) / 2, h - 6);
    ludus_hb_esc(b, xlabel);
    ludus_hb_printf(b, "</text>\n<text x=\"12\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 12 %.1f)\">",
                    (c->mt + h - c->mb) / 2, (c->mt + h - c->mb) / 2);
    ludus_hb_esc(b, ylabel);
    ludus_hb_put(b, "</text>\n");
}

void ludus_svg_end(svg_chart *c)
{
    ludus_hb_put(c->b, "</svg>\n");
}

static double clampy(const svg_chart *c, double y)
{
    return y < c->y0 ? c->y0 : y > c->y1 ? c->y1 : y;
}

void ludus_svg_line(svg_chart *c, const double *x, const double *y, int n, const char *color, double width,
                    double opacity, const char *dash)
{
    int open = 0;
    for (int i = 0; i <= n; i++) {
        int ok = i < n && isfinite(x[i]) && isfinite(y[i]);
        if (ok && !open) {
            ludus_hb_printf(c->b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\" stroke-opacity=\"%.2f\"%s%s%s points=\"",
                            color, width, opacity, dash ? " stroke-dasharray=\"" : "", dash ? dash : "", dash ? "\"" : "");
            open = 1;
        }
        if (ok) ludus_hb_printf(c->b, "%.1f,%.1f ", ludus_svg_px(c, x[i]), ludus_svg_py(c, clampy(c, y[i])));
        if (!ok && open) {
            ludus_hb_put(c->b, "\"/>\n");
            open = 0;
        }
    }
}

void ludus_svg_band(svg_chart *c, const double *x, const double *lo, const double *hi, int n, const char *color,
                    double opacity)
{
    int m = 0;
    for (int i = 0; i < n; i++) m += isfinite(x[i]) && isfinite(lo[i]) && isfinite(hi[i]);
    if (m < 1) return;
    ludus_hb_printf(c->b, "<polygon fill=\"%s\" fill-opacity=\"%.2f\" stroke=\"none\" points=\"", color, opacity);
    for (int i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(lo[i]) && isfinite(hi[i]))
            ludus_hb_printf(c->b, "%.1f,%.1f ", ludus_svg_px(c, x[i]), ludus_svg_py(c, clampy(c, hi[i])));
    for (int i = n - 1; i >= 0; i--)
        if (isfinite(x[i]) && isfinite(lo[i]) && isfinite(hi[i]))
            ludus_hb_printf(c->b, "%.1f,%.1f ", ludus_svg_px(c, x[i]), ludus_svg_py(c, clampy(c, lo[i])));
    ludus_hb_put(c->b, "\"/>\n");
}
