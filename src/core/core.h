/* core.h: private helpers shared by every module (errors, logging, small
 * utilities). Nothing here is part of the public API; symbols are hidden.
 */
#ifndef LUDUS_CORE_H
#define LUDUS_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "ludus/ludus.h"

#if defined(__GNUC__)
#define LUDUS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define LUDUS_LIKELY(x) __builtin_expect(!!(x), 1)
#define LUDUS_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define LUDUS_PRINTF(a, b)
#define LUDUS_LIKELY(x) (x)
#define LUDUS_UNLIKELY(x) (x)
#endif

/* Record a failure for ludus_errmsg() on this thread and return `code`, so
 * callers write `return ludus_err_set(LUDUS_EINVAL, "bad action %d", a);`. */
int ludus_err_set(int code, const char *fmt, ...) LUDUS_PRINTF(2, 3);
/* Prefix the current message with more context ("loading x.st: ..."). */
int ludus_err_wrap(int code, const char *fmt, ...) LUDUS_PRINTF(2, 3);

void ludus_log_msg(ludus_log_level level, const char *fmt, ...) LUDUS_PRINTF(2, 3);

/* Levenshtein distance of two short strings, capped at `cap`. */
int ludus_str_edit_distance(const char *a, const char *b, int cap);

/* Format a double as Python's repr() does (shortest round-trip digits,
 * ".0" for integral values, exponent form outside [1e-4, 1e16)). Writes at
 * most 32 bytes including the NUL; returns the length. */
int ludus_fmt_double_repr(char *buf, double v);

/* A string builder with snprintf semantics: writes what fits, always
 * NUL-terminates (when cap > 0) and counts the full length, so a caller can
 * retry with a buffer of sb.len + 1 bytes. */
typedef struct strbuf {
    char *buf;
    size_t cap;
    size_t len;
} strbuf;

static inline strbuf sb_make(char *buf, size_t cap)
{
    strbuf sb = {buf, cap, 0};
    if (cap) buf[0] = 0;
    return sb;
}
void ludus_sb_printf(strbuf *sb, const char *fmt, ...) LUDUS_PRINTF(2, 3);
void ludus_sb_puts(strbuf *sb, const char *s);
void ludus_sb_putc(strbuf *sb, char c);
/* A JSON string literal, escaped. */
void ludus_sb_json_str(strbuf *sb, const char *s);
/* A double as Python's repr writes it. */
void ludus_sb_double(strbuf *sb, double v);

#endif
