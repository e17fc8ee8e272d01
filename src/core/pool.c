/* pool.c: the worker pool behind vec/ and learn/ (see pool.h). A job is published by
 * writing its function and chunk count, resetting the claim counter (tagged
 * with the job's generation in its high 32 bits) and bumping the
 * generation. A thread claims a chunk by compare-and-swap on the tagged
 * counter, so a worker that wakes late for a finished job fails its claim
 * instead of touching the next job. The job is over when every chunk is
 * counted done.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "pool.h"

#define POOL_SPINS 20000
#define POOL_MAIN_SPINS 2000

struct pool {
    int nthreads;
    pthread_t *threads;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_uint generation;
    _Atomic uint64_t claim;  /* (generation << 32) | next chunk */
    atomic_int done;         /* chunks finished in the current job */
    atomic_int stop;
    atomic_int sleepers;
    pool_wait wait;
    pthread_cond_t done_cv;  /* POOL_BLOCK: the last chunk's finisher signals */
    pool_fn fn;              /* valid for whoever claims a chunk */
    void *ctx;
    int nchunks;
};

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Claim the next chunk of job `gen`; -1 when it has none left or is over. */
static int claim(pool *p, unsigned gen)
{
    uint64_t cur = atomic_load_explicit(&p->claim, memory_order_acquire);
    for (;;) {
        if ((unsigned)(cur >> 32) != gen) return -1;
        int next = (int)(uint32_t)cur;
        if (next >= p->nchunks) return -1;
        if (atomic_compare_exchange_weak_explicit(&p->claim, &cur, cur + 1, memory_order_acq_rel,
                                                  memory_order_acquire))
            return next;
    }
}

static void work(pool *p, unsigned gen)
{
    int c;
    while ((c = claim(p, gen)) >= 0) {
        p->fn(p->ctx, c, p->nchunks);
        int done = atomic_fetch_add_explicit(&p->done, 1, memory_order_acq_rel) + 1;
        if (p->wait == POOL_BLOCK && done == p->nchunks) {
            pthread_mutex_lock(&p->mu);
            pthread_cond_broadcast(&p->done_cv);
            pthread_mutex_unlock(&p->mu);
        }
    }
}

static void *worker_main(void *arg)
{
    pool *p = arg;
    /* Workers start before any job exists: generation 0 is "nothing yet".
     * Reading the counter here instead would miss a job published before
     * this thread got to run. */
    unsigned seen = 0;
    for (;;) {
        int spins = p->wait == POOL_SPIN ? 0 : POOL_SPINS;
        while (atomic_load_explicit(&p->generation, memory_order_acquire) == seen && !atomic_load(&p->stop)) {
            if (++spins < POOL_SPINS) {
                cpu_relax();
                continue;
            }
            pthread_mutex_lock(&p->mu);
            atomic_fetch_add(&p->sleepers, 1);
            while (atomic_load(&p->generation) == seen && !atomic_load(&p->stop))
                pthread_cond_wait(&p->cv, &p->mu);
            atomic_fetch_sub(&p->sleepers, 1);
            pthread_mutex_unlock(&p->mu);
        }
        if (atomic_load(&p->stop)) return NULL;
        seen = atomic_load_explicit(&p->generation, memory_order_acquire);
        work(p, seen);
    }
}

pool *ludus_pool_create(int nthreads, pool_wait wait)
{
    if (nthreads < 1) nthreads = 1;
    pool *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->nthreads = nthreads;
    p->wait = wait;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    pthread_cond_init(&p->done_cv, NULL);
    if (nthreads > 1) {
        p->threads = calloc((size_t)nthreads, sizeof *p->threads);
        if (!p->threads) goto fail;
        for (int t = 1; t < nthreads; t++) {
            if (pthread_create(&p->threads[t], NULL, worker_main, p) != 0) {
                p->nthreads = t; /* join the ones that started */
                goto fail;
            }
        }
    }
    return p;
fail:
    ludus_pool_destroy(p);
    return NULL;
}

void ludus_pool_destroy(pool *p)
{
    if (!p) return;
    if (p->threads) {
        pthread_mutex_lock(&p->mu);
        atomic_store(&p->stop, 1);
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        for (int t = 1; t < p->nthreads; t++)
            if (p->threads[t]) pthread_join(p->threads[t], NULL);
        free(p->threads);
    }
    pthread_cond_destroy(&p->cv);
    pthread_cond_destroy(&p->done_cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

int ludus_pool_threads(const pool *p) { return p ? p->nthreads : 1; }

void ludus_pool_run(pool *p, pool_fn fn, void *ctx, int nchunks)
{
    if (p->nthreads == 1 || nchunks == 1) {
        for (int c = 0; c < nchunks; c++) fn(ctx, c, nchunks);
        return;
    }
    unsigned gen = atomic_load(&p->generation) + 1;
    p->fn = fn;
    p->ctx = ctx;
    p->nchunks = nchunks;
    atomic_store_explicit(&p->done, 0, memory_order_relaxed);
    atomic_store_explicit(&p->claim, (uint64_t)gen << 32, memory_order_release);
    atomic_store_explicit(&p->generation, gen, memory_order_release);
    if (atomic_load(&p->sleepers) > 0) {
        pthread_mutex_lock(&p->mu);
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    work(p, gen);
    /* Every chunk is claimed; wait for the ones still running elsewhere. */
    if (p->wait == POOL_BLOCK) {
        /* a short spin first: the other chunks of an even split end about
         * when this one does, and a futex sleep and wake-up would cost the
         * learner's short jobs (gradient sums, Adam) more than they run */
        for (int spins = 0; spins < POOL_MAIN_SPINS; spins++) {
            if (atomic_load_explicit(&p->done, memory_order_acquire) >= nchunks) return;
            cpu_relax();
        }
        pthread_mutex_lock(&p->mu);
        while (atomic_load_explicit(&p->done, memory_order_acquire) < nchunks)
            pthread_cond_wait(&p->done_cv, &p->mu);
        pthread_mutex_unlock(&p->mu);
        return;
    }
    /* Spin briefly, then yield the core to the thread we are waiting for. */
    for (int spins = 0; atomic_load_explicit(&p->done, memory_order_acquire) < nchunks; spins++) {
        if (spins < POOL_MAIN_SPINS) cpu_relax();
        else sched_yield();
    }
}
