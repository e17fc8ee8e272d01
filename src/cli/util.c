/* util.c: argument parsing for the `ludus` command. Strict: a value with
 * trailing junk, a negative seed or an out-of-range number is an error,
 * never silently clamped.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

int cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("ludus: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return CLI_USAGE_ERROR;
}

int cli_fail(const char *what)
{
    fprintf(stderr, "ludus: %s: %s\n", what, ludus_errmsg());
    return 1;
}

int cli_parse_u64(const char *flag, const char *s, uint64_t *out)
{
    if (!s || !*s) return cli_error("%s needs a value", flag);
    if (*s == '-') return cli_error("%s must not be negative, got '%s'", flag, s);
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9') return cli_error("%s must be a non-negative integer, got '%s'", flag, s);
    errno = 0;
    unsigned long long v = strtoull(s, NULL, 10);
    if (errno == ERANGE) return cli_error("%s is larger than 2^64-1: '%s'", flag, s);
    *out = v;
    return 0;
}

int cli_parse_int(const char *flag, const char *s, long lo, long hi, long *out)
{
    if (!s || !*s) return cli_error("%s needs a value", flag);
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*end || errno == ERANGE) return cli_error("%s must be an integer, got '%s'", flag, s);
    if (v < lo || v > hi) return cli_error("%s must be in [%ld, %ld], got %ld", flag, lo, hi, v);
    *out = v;
    return 0;
}

int cli_parse_double(const char *flag, const char *s, double lo, double hi, double *out)
{
    if (!s || !*s) return cli_error("%s needs a value", flag);
    char *end;
    double v = strtod(s, &end);
    if (*end || !isfinite(v)) return cli_error("%s must be a number, got '%s'", flag, s);
    if (v < lo || v > hi) return cli_error("%s must be in [%g, %g], got %g", flag, lo, hi, v);
    *out = v;
    return 0;
}

int cli_parse_actions(const char *s, int max_action, int **actions, int *count)
{
    *actions = NULL;
    *count = 0;
    if (!s) return cli_error("--actions needs a value");
    size_t n = 1;
    for (const char *p = s; *p; p++) n += *p == ',';
    int *a = malloc(n * sizeof *a);
    if (!a) return cli_error("out of memory");
    int k = 0;
    const char *p = s;
    if (!*p) { /* an empty list is a valid episode of zero steps */
        *actions = a;
        return 0;
    }
    for (;;) {
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (end == p || (*end && *end != ',') || errno == ERANGE) {
            free(a);
            return cli_error("--actions: '%s' is not a comma-separated list of integers (at action %d)", s, k);
        }
        if (v < 0 || v >= max_action) {
            free(a);
            return cli_error("--actions: action %ld (number %d) is out of range 0..%d", v, k, max_action - 1);
        }
        a[k++] = (int)v;
        if (!*end) break;
        p = end + 1;
    }
    *actions = a;
    *count = k;
    return 0;
}

const char *cli_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        cli_error("%s needs a value", argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

int cli_make_env(const char *id, const char *options, ludus_env **env)
{
    if (ludus_env_make(id, options, env) != LUDUS_OK) {
        fprintf(stderr, "ludus: %s\n", ludus_errmsg());
        return 1;
    }
    return 0;
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
