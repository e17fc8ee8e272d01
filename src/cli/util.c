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

int cli_parse_actions(const char *s, const ludus_env_info *info, int32_t **actions, int *count)
{
    *actions = NULL;
    *count = 0;
    if (!s) return cli_error("--actions needs a value");
    const int dims = info->action_dims;
    size_t n = 1;
    for (const char *p = s; *p; p++) n += *p == ',';
    int32_t *a = malloc(n * (size_t)dims * sizeof *a);
    if (!a) return cli_error("out of memory");
    int k = 0;
    const char *p = s;
    if (!*p) { /* an empty list is a valid episode of zero steps */
        *actions = a;
        return 0;
    }
    for (;;) {
        for (int c = 0; c < dims; c++) {
            char *end;
            errno = 0;
            long v = strtol(p, &end, 10);
            char want = c + 1 < dims ? ':' : ',';
            if (end == p || (*end && *end != want) || (c + 1 < dims && !*end) || errno == ERANGE) {
                free(a);
                if (dims == 1)
                    return cli_error("--actions: '%s' is not a comma-separated list of integers (at action %d)", s, k);
                return cli_error("--actions: '%s' is not a comma-separated list of %d components C0:C1%s "
                                 "(at action %d)", s, dims, dims > 2 ? ":..." : "", k);
            }
            int hi = dims == 1 ? info->max_action : info->action_nvec[c];
            if (v < 0 || v >= hi) {
                free(a);
                if (dims == 1)
                    return cli_error("--actions: action %ld (number %d) is out of range 0..%d", v, k, hi - 1);
                return cli_error("--actions: component %d of action %d is %ld, out of range 0..%d", c, k, v, hi - 1);
            }
            a[(size_t)k * dims + c] = (int32_t)v;
            p = end + (*end != 0);
            if (!*end && c + 1 == dims) {
                *actions = a;
                *count = k + 1;
                return 0;
            }
        }
        k++;
    }
}

void cli_random_action(const ludus_env *env, const void *state, ludus_rng *rng, int32_t *a)
{
    const ludus_env_info *in = ludus_env_get_info(env);
    if (in->action_dims == 1 && !in->mask_size) {
        a[0] = (int32_t)ludus_rng_integers(rng, 0, in->num_actions);
        return;
    }
    uint8_t mask[LUDUS_MAX_MASK_SIZE];
    if (in->mask_size && ludus_env_action_mask(env, state, mask) != LUDUS_OK) memset(mask, 1, sizeof mask);
    if (!in->mask_size) memset(mask, 1, sizeof mask);
    for (int k = 0, off = 0; k < in->action_dims; off += in->action_nvec[k], k++) {
        int legal = 0;
        for (int v = 0; v < in->action_nvec[k]; v++) legal += mask[off + v] != 0;
        int pick = legal ? (int)ludus_rng_integers(rng, 0, legal) : 0;
        a[k] = 0;
        for (int v = 0; v < in->action_nvec[k]; v++)
            if (mask[off + v] && pick-- == 0) {
                a[k] = v;
                break;
            }
    }
}

const char *cli_action_name(const ludus_env_info *info, const int32_t *a, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = 0;
    for (int k = 0, off = 0; k < info->action_dims && len < cap; off += info->action_nvec[k], k++) {
        int i = off + a[k];
        const char *name = a[k] < info->action_nvec[k] ? info->action_names[i] : "?";
        int w = snprintf(buf + len, cap - len, "%s%s", k ? ", " : "", name);
        if (w < 0) break;
        len += (size_t)w;
    }
    return buf;
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
