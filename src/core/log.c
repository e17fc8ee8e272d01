/* log.c: the replaceable log callback. The library never prints; whoever
 * embeds it decides where messages go (raylib's SetTraceLogCallback).
 */
#include <stdarg.h>
#include <stdio.h>

#include "core.h"

static ludus_log_fn log_fn;
static void *log_user;
static ludus_log_level log_min = LUDUS_LOG_INFO;

void ludus_set_log_callback(ludus_log_fn fn, void *user, ludus_log_level min_level)
{
    log_fn = fn;
    log_user = user;
    log_min = min_level;
}

void ludus_log_msg(ludus_log_level level, const char *fmt, ...)
{
    if (!log_fn || level < log_min) return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    log_fn(level, buf, log_user);
}
