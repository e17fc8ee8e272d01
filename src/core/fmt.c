/* fmt.c: number formatting that matches Python's, so traces written by
 * ludus read exactly like the reference's (repr of floats).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

int ludus_fmt_double_repr(char *buf, double v)
{
    if (isnan(v)) return snprintf(buf, 32, "NaN");
    if (isinf(v)) return snprintf(buf, 32, v > 0 ? "Infinity" : "-Infinity");
    if (v == 0) return snprintf(buf, 32, signbit(v) ? "-0.0" : "0.0");
    /* Shortest %.*e that round-trips gives the digits and the exponent. */
    char e[40];
    int prec;
    for (prec = 0; prec < 17; prec++) {
        snprintf(e, sizeof e, "%.*e", prec, v);
        if (strtod(e, NULL) == v) break;
    }
    char *ep = strchr(e, 'e');
    int exp10 = atoi(ep + 1);
    *ep = 0;
    char digits[24];
    int nd = 0;
    int neg = e[0] == '-';
    for (char *p = e + neg; *p; p++)
        if (*p >= '0' && *p <= '9') digits[nd++] = *p;
    digits[nd] = 0;
    char *o = buf;
    if (neg) *o++ = '-';
    if (exp10 < -4 || exp10 >= 16) {
        *o++ = digits[0];
        if (nd > 1) {
            *o++ = '.';
            memcpy(o, digits + 1, (size_t)nd - 1);
            o += nd - 1;
        }
        o += sprintf(o, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
    } else if (exp10 < 0) {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -exp10 - 1; i++) *o++ = '0';
        memcpy(o, digits, (size_t)nd);
        o += nd;
    } else {
        for (int i = 0; i <= exp10; i++) *o++ = i < nd ? digits[i] : '0';
        *o++ = '.';
        if (nd > exp10 + 1) {
            memcpy(o, digits + exp10 + 1, (size_t)(nd - exp10 - 1));
            o += nd - exp10 - 1;
        } else {
            *o++ = '0';
        }
    }
    *o = 0;
    return (int)(o - buf);
}

void ludus_sb_puts(strbuf *sb, const char *s)
{
    size_t n = strlen(s);
    if (sb->len + n < sb->cap) {
        memcpy(sb->buf + sb->len, s, n + 1);
    } else if (sb->cap && sb->len < sb->cap) {
        size_t room = sb->cap - 1 - sb->len;
        memcpy(sb->buf + sb->len, s, room);
        sb->buf[sb->cap - 1] = 0;
    }
    sb->len += n;
}

void ludus_sb_putc(strbuf *sb, char c)
{
    if (sb->len + 1 < sb->cap) {
        sb->buf[sb->len] = c;
        sb->buf[sb->len + 1] = 0;
    }
    sb->len++;
}

void ludus_sb_printf(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = sb->len < sb->cap ? sb->cap - sb->len : 0;
    int n = vsnprintf(room ? sb->buf + sb->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0) sb->len += (size_t)n;
}

void ludus_sb_json_str(strbuf *sb, const char *s)
{
    ludus_sb_putc(sb, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            ludus_sb_putc(sb, '\\');
            ludus_sb_putc(sb, (char)c);
        } else if (c < 0x20) {
            ludus_sb_printf(sb, "\\u%04x", c);
        } else {
            ludus_sb_putc(sb, (char)c);
        }
    }
    ludus_sb_putc(sb, '"');
}

void ludus_sb_double(strbuf *sb, double v)
{
    char tmp[40];
    ludus_fmt_double_repr(tmp, v);
    ludus_sb_puts(sb, tmp);
}
