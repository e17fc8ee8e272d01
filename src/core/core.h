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
 * callers write `return err_set(LUDUS_EINVAL, "bad action %d", a);`. */
int err_set(int code, const char *fmt, ...) LUDUS_PRINTF(2, 3);
/* Prefix the current message with more context ("loading x.st: ..."). */
int err_wrap(int code, const char *fmt, ...) LUDUS_PRINTF(2, 3);

void log_msg(ludus_log_level level, const char *fmt, ...) LUDUS_PRINTF(2, 3);

/* Levenshtein distance of two short strings, capped at `cap`. */
int str_edit_distance(const char *a, const char *b, int cap);

/* Format a double as Python's repr() does (shortest round-trip digits,
 * ".0" for integral values, exponent form outside [1e-4, 1e16)). Writes at
 * most 32 bytes including the NUL; returns the length. */
int fmt_double_repr(char *buf, double v);

#endif
