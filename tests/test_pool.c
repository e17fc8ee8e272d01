/* test_pool.c: the worker pool (src/core/pool.c). Every chunk of every job
 * runs exactly once, with the job's own function and context, before
 * ludus_pool_run returns, for 1-4 threads, both waiting policies (the
 * blocking one with ludus_pool_spin off, on, and switched between jobs) and chunk
 * counts below, at and above the thread count; jobs of different sizes
 * follow each other with no pause (a worker late for one job must not run
 * a chunk of the next); a job of more than POOL_MAX_CHUNKS chunks runs in
 * order on the caller; and the learner's use (one chunk per thread, the
 * chunk's number choosing its buffers) gives the same numbers whichever
 * thread runs which chunk.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "check.h"
#include "core/pool.h"

#define MAXC 80

typedef struct job {
    int id;
    int nchunks;
    atomic_int runs[MAXC];  /* times each chunk ran */
    atomic_int bad;         /* chunks run with the wrong count or out of range */
    atomic_int live;        /* chunks still running */
} job;

static void count_fn(void *ctx, int c, int nchunks)
{
    job *j = ctx;
    atomic_fetch_add(&j->live, 1);
    if (nchunks != j->nchunks || c < 0 || c >= nchunks) atomic_fetch_add(&j->bad, 1);
    else atomic_fetch_add(&j->runs[c], 1);
    /* a little work, so that chunks overlap */
    volatile double x = 0.0;
    for (int i = 0; i < 50 * (c % 4 + 1); i++) x += i;
    atomic_fetch_sub(&j->live, 1);
}

static void test_every_chunk_once(void)
{
    static const int counts[] = {1, 2, 3, 4, 5, 8, 17, 64, 80};
    const int ncounts = (int)(sizeof counts / sizeof counts[0]);
    for (int threads = 1; threads <= 4; threads++) {
        for (int w = 0; w < 4; w++) {
            static const char *const names[] = {"spin", "block", "block+spin", "block, spin switched"};
            pool *p = ludus_pool_create(threads, w ? POOL_BLOCK : POOL_SPIN);
            CHECK(p != NULL);
            if (!p) continue;
            CHECK_EQ(ludus_pool_threads(p), threads);
            int failures = 0;
            /* back to back, every size after every other */
            for (int rep = 0; rep < 300; rep++) {
                job *j = calloc(1, sizeof *j);
                j->id = rep;
                j->nchunks = counts[(rep * 7 + threads) % ncounts];
                if (w >= 2) ludus_pool_spin(p, w == 2 || rep % 3 != 0);
                ludus_pool_run(p, count_fn, j, j->nchunks);
                int ok = atomic_load(&j->bad) == 0 && atomic_load(&j->live) == 0;
                for (int c = 0; c < MAXC; c++)
                    ok &= atomic_load(&j->runs[c]) == (c < j->nchunks ? 1 : 0);
                if (!ok && failures++ < 3)
                    CHECK_MSG(0, "%d threads, %s, job %d of %d chunks: a chunk ran twice, never, or late", threads,
                              names[w], rep, j->nchunks);
                free(j); /* a late worker touching it would show under the sanitizers */
            }
            CHECK_MSG(failures == 0, "%d threads %s: %d bad jobs", threads, names[w], failures);
            ludus_pool_destroy(p);
        }
    }
    ludus_pool_destroy(NULL);
}

typedef struct order {
    pthread_t caller;
    int next;
    int in_order;
    int on_caller;
} order;

static void order_fn(void *ctx, int c, int nchunks)
{
    order *o = ctx;
    (void)nchunks;
    o->in_order &= c == o->next++;
    o->on_caller &= pthread_equal(pthread_self(), o->caller) != 0;
}

static void test_too_many_chunks(void)
{
    pool *p = ludus_pool_create(2, POOL_BLOCK);
    CHECK(p != NULL);
    if (!p) return;
    order o = {pthread_self(), 0, 1, 1};
    ludus_pool_run(p, order_fn, &o, POOL_MAX_CHUNKS + 10);
    CHECK_EQ(o.next, POOL_MAX_CHUNKS + 10);
    CHECK(o.in_order && o.on_caller);
    ludus_pool_destroy(p);
}

/* The learner's pattern: chunk k owns buffer k, sums a fixed slice in a
 * fixed order; the result depends on chunk numbers only. */
typedef struct shard_job {
    const float *x;
    int n;
    float out[4];
} shard_job;

static void shard_fn(void *ctx, int k, int K)
{
    shard_job *s = ctx;
    float acc = 0.0f;
    for (int i = s->n * k / K; i < s->n * (k + 1) / K; i++) acc += s->x[i] * (float)(i % 7) * 0.1f;
    s->out[k] = acc;
}

static void test_same_numbers(void)
{
    enum { N = 4001 };
    float *x = malloc(N * sizeof *x);
    for (int i = 0; i < N; i++) x[i] = (float)((i * 2654435761u) % 1000) / 997.0f;
    shard_job ref = {x, N, {0}};
    for (int k = 0; k < 4; k++) shard_fn(&ref, k, 4);
    for (int threads = 2; threads <= 4; threads++) {
        pool *p = ludus_pool_create(threads, POOL_BLOCK);
        CHECK(p != NULL);
        if (!p) continue;
        int same = 1;
        for (int rep = 0; rep < 200; rep++) {
            shard_job s = {x, N, {0}};
            ludus_pool_run(p, shard_fn, &s, 4);
            same &= memcmp(s.out, ref.out, sizeof ref.out) == 0;
        }
        CHECK_MSG(same, "%d threads: a shard's sum changed with the thread that ran it", threads);
        ludus_pool_destroy(p);
    }
    free(x);
}

int main(void)
{
    test_every_chunk_once();
    test_too_many_chunks();
    test_same_numbers();
    return check_finish("test_pool");
}
