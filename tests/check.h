/* check.h: the tiny test harness every tests/test_*.c uses. A failed CHECK
 * prints where and why and is counted; check_finish() returns non-zero if
 * anything failed, so CTest sees the failure (never "not ok" and exit 0).
 */
#ifndef LUDUS_CHECK_H
#define LUDUS_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ludus/ludus.h"

extern long check_passed, check_failed;

void check_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (cond) check_passed++;                                                    \
        else check_fail(__FILE__, __LINE__, "%s", #cond);                            \
    } while (0)

#define CHECK_MSG(cond, ...)                                                         \
    do {                                                                             \
        if (cond) check_passed++;                                                    \
        else check_fail(__FILE__, __LINE__, __VA_ARGS__);                            \
    } while (0)

#define CHECK_EQ(a, b)                                                               \
    do {                                                                             \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);              \
        if (check_a_ == check_b_) check_passed++;                                    \
        else check_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b,        \
                        check_a_, check_b_);                                         \
    } while (0)

#define CHECK_STR(a, b)                                                              \
    do {                                                                             \
        const char *check_a_ = (a), *check_b_ = (b);                                 \
        if (check_a_ && check_b_ && strcmp(check_a_, check_b_) == 0) check_passed++; \
        else check_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b,    \
                        check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)"); \
    } while (0)

/* A call that must succeed; prints ludus_errmsg() if not. */
#define CHECK_OK(call)                                                               \
    do {                                                                             \
        int check_rc_ = (call);                                                      \
        if (check_rc_ == LUDUS_OK) check_passed++;                                   \
        else check_fail(__FILE__, __LINE__, "%s returned %d: %s", #call, check_rc_,  \
                        ludus_errmsg());                                             \
    } while (0)

/* A call that must fail with `code` and leave a message. */
#define CHECK_ERR(call, code)                                                        \
    do {                                                                             \
        int check_rc_ = (call);                                                      \
        if (check_rc_ == (code) && ludus_errmsg()[0]) check_passed++;                \
        else check_fail(__FILE__, __LINE__, "%s returned %d (want %d): %s", #call,   \
                        check_rc_, (code), ludus_errmsg());                          \
    } while (0)

/* Print "<name>: N passed, M failed" and return the process exit code. */
int check_finish(const char *name);

/* The shared/ folder (specs and reference data): $LUDUS_SHARED_DIR, else
 * the path configured at build time. Returns NULL (and says so loudly on
 * stderr) when it does not exist. */
const char *check_shared_dir(void);

/* Read a gzip (or plain) text file line by line. */
typedef struct check_lines check_lines;
check_lines *check_lines_open(const char *path);
const char *check_lines_next(check_lines *lr); /* NULL at the end */
void check_lines_close(check_lines *lr);

/* Run a shell command and capture its stdout (malloc'd, NUL-terminated);
 * *status gets the exit status. Returns NULL if it could not run. */
char *check_run(const char *cmd, int *status);

/* Where two JSON lines (objects) differ, for a failure message: the first
 * field of `ref` that `ours` lacks or holds another value in goes to
 * field, and both values, printed compactly, to va and vb (each cap
 * bytes). When they agree field by field (the text differs in formatting
 * only, such as a float written otherwise) or either does not parse,
 * field is `fallback` and va, vb get the start of each line. */
void check_json_diff(const char *ours, const char *ref, const char *fallback, char *field, char *va, char *vb,
                     size_t cap);

#endif
