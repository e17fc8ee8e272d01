/* err.c: error codes and the per-thread message behind ludus_errmsg().
 * The message lives in thread-local storage, so concurrent failures on
 * different threads never overwrite each other (stb/SQLite style).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core.h"

#define ERR_MSG_CAP 1024

static _Thread_local char err_msg[ERR_MSG_CAP];

const char *ludus_version(void) { return LUDUS_VERSION; }

#ifndef LUDUS_GIT_DESCRIBE
#define LUDUS_GIT_DESCRIBE "unknown"
#endif
const char *ludus_commit(void) { return LUDUS_GIT_DESCRIBE; }

const char *ludus_errmsg(void) { return err_msg; }

const char *ludus_strerror(int code)
{
    switch (code) {
    case LUDUS_OK: return "ok";
    case LUDUS_EINVAL: return "invalid argument";
    case LUDUS_ENOMEM: return "out of memory";
    case LUDUS_ENOTFOUND: return "not found";
    case LUDUS_EIO: return "input/output error";
    case LUDUS_EFORMAT: return "malformed input";
    case LUDUS_ESTATE: return "wrong state";
    case LUDUS_EUNSUPPORTED: return "not supported";
    case LUDUS_EINTERNAL: return "internal error";
    default: return "unknown error";
    }
}

int ludus_err_set(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err_msg, sizeof err_msg, fmt, ap);
    va_end(ap);
    return code;
}

int ludus_err_wrap(int code, const char *fmt, ...)
{
    char prefix[ERR_MSG_CAP], old[ERR_MSG_CAP];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err_msg, sizeof old);
    size_t n = strlen(prefix);
    if (n > ERR_MSG_CAP / 2) n = ERR_MSG_CAP / 2;
    memcpy(err_msg, prefix, n);
    memcpy(err_msg + n, ": ", 2);
    size_t rest = strlen(old);
    if (rest > ERR_MSG_CAP - n - 3) rest = ERR_MSG_CAP - n - 3;
    memcpy(err_msg + n + 2, old, rest);
    err_msg[n + 2 + rest] = 0;
    return code;
}

int ludus_str_edit_distance(const char *a, const char *b, int cap)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 127 || lb > 127) return cap;
    int row[128];
    for (size_t j = 0; j <= lb; j++) row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0], best = cap;
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int cost = (a[i - 1] | 32) == (b[j - 1] | 32) ? 0 : 1; /* ASCII case-insensitive */
            int v = diag + cost;
            if (up + 1 < v) v = up + 1;
            if (row[j - 1] + 1 < v) v = row[j - 1] + 1;
            row[j] = v;
            diag = up;
            if (v < best) best = v;
        }
        if (best >= cap) return cap;
    }
    return row[lb] < cap ? row[lb] : cap;
}
