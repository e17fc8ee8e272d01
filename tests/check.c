/* check.c: the test harness behind check.h. */
#include "check.h"

#include <stdarg.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <zlib.h>

long check_passed, check_failed;

void check_fail(const char *file, int line, const char *fmt, ...)
{
    check_failed++;
    if (check_failed > 50) return; /* enough to diagnose; keep logs readable */
    fprintf(stderr, "FAIL %s:%d: ", file, line);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int check_finish(const char *name)
{
    printf("%s: %ld passed, %ld failed\n", name, check_passed, check_failed);
    return check_failed ? 1 : 0;
}

const char *check_shared_dir(void)
{
    const char *dir = getenv("LUDUS_SHARED_DIR");
    if (!dir || !*dir) dir = LUDUS_SHARED_DIR;
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr,
                "*** REFERENCE DATA MISSING: shared/ folder '%s' not found.\n"
                "*** Set LUDUS_SHARED_DIR to the folder holding spec/ and data/.\n",
                dir);
        return NULL;
    }
    return dir;
}

struct check_lines {
    gzFile gz;
    char *buf;
    size_t cap;
};

check_lines *check_lines_open(const char *path)
{
    gzFile gz = gzopen(path, "rb");
    if (!gz) return NULL;
    check_lines *lr = calloc(1, sizeof *lr);
    lr->gz = gz;
    lr->cap = 1 << 16;
    lr->buf = malloc(lr->cap);
    return lr;
}

const char *check_lines_next(check_lines *lr)
{
    size_t len = 0;
    for (;;) {
        if (!gzgets(lr->gz, lr->buf + len, (int)(lr->cap - len))) return len ? lr->buf : NULL;
        len += strlen(lr->buf + len);
        if (len && lr->buf[len - 1] == '\n') {
            lr->buf[--len] = 0;
            return lr->buf;
        }
        if (len + 1 < lr->cap) continue; /* short read at end of file */
        lr->cap *= 2;
        lr->buf = realloc(lr->buf, lr->cap);
    }
}

void check_lines_close(check_lines *lr)
{
    if (!lr) return;
    gzclose(lr->gz);
    free(lr->buf);
    free(lr);
}

char *check_run(const char *cmd, int *status)
{
    FILE *p = popen(cmd, "r");
    if (!p) return NULL;
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    size_t n;
    while ((n = fread(out + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (len + 1 >= cap) out = realloc(out, cap *= 2);
    }
    out[len] = 0;
    int st = pclose(p);
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
    return out;
}

void check_json_diff(const char *ours, const char *ref, const char *fallback, char *field, char *va, char *vb,
                     size_t cap)
{
    cJSON *a = cJSON_Parse(ours), *b = cJSON_Parse(ref);
    const cJSON *item = NULL;
    if (a && b) {
        cJSON_ArrayForEach(item, b)
        {
            const cJSON *mine = cJSON_GetObjectItemCaseSensitive(a, item->string);
            if (mine && cJSON_Compare(mine, item, 1)) continue;
            char *pa = mine ? cJSON_PrintUnformatted(mine) : NULL, *pb = cJSON_PrintUnformatted(item);
            snprintf(field, cap, "%s", item->string);
            snprintf(va, cap, "%s", pa ? pa : "(missing)");
            snprintf(vb, cap, "%s", pb ? pb : "");
            free(pa);
            free(pb);
            break;
        }
    }
    if (!item) {
        int n = cap > 10 ? (int)cap - 10 : 0;
        snprintf(field, cap, "%s", fallback);
        snprintf(va, cap, "%.*s", n, ours);
        snprintf(vb, cap, "%.*s", n, ref);
    }
    cJSON_Delete(a);
    cJSON_Delete(b);
}
