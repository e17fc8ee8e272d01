/* pool.c: the worker pool behind vec/ and learn/ (see pool.h). Thread t
 * (the caller is 0, the workers 1 .. n-1) owns a lane of the job's chunks,
 * [nchunks t / n, nchunks (t + 1) / n), and claims from its own lane first,
 * then steals from the others' in turn: with one chunk per thread (the
 * learner's shards) each chunk runs on the same core job after job, so the
 * buffers it writes stay in that core's caches, and a worker the OS has
 * descheduled still never holds a job up. A lane is one 64-bit word,
 * (generation << 32) | (next << 16) | end, claimed by compare-and-swap, so
 * a worker that wakes late for a finished job fails its claim instead of
 * touching the next job, and reads its job's end in the same word. A job is
 * published by writing its function, the lanes, then the generation; it is
 * over when every chunk is counted done.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"

#define POOL_SPINS 20000
#define POOL_MAIN_SPINS 2000
#define POOL_LINE 64

typedef struct lane {
    _Alignas(POOL_LINE) _Atomic uint64_t w; /* (generation << 32) | (next << 16) | end */
} lane;

typedef struct member {
    pool *p;
    int t;
} member;

struct pool {
    int nthreads;
    pthread_t *threads;
    member *members;
    lane *lanes;             /* (nthreads) one cache line each */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_cond_t done_cv;  /* POOL_BLOCK: the last chunk's finisher signals */
    pool_wait wait;
    pool_fn fn;              /* valid for whoever claims a chunk */
    void *ctx;
    int nchunks;
    /* written once per job and read by the spinning workers: a line of
     * its own, apart from the finishers' counter */
    _Alignas(POOL_LINE) atomic_uint generation;
    atomic_int stop;
    atomic_int sleepers;
    atomic_int hot;          /* ludus_pool_spin: idle workers spin before they sleep */
    _Alignas(POOL_LINE) atomic_int done; /* chunks finished in the current job */
};

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Claim a chunk of job `gen` for thread t: its own lane's next, else
 * another lane's, in turn; -1 when none is left or the job is over. */
static int claim(pool *p, int t, unsigned gen)
{
    const int n = p->nthreads;
    for (int i = 0; i < n; i++) {
        lane *l = &p->lanes[(t + i) % n];
        uint64_t cur = atomic_load_explicit(&l->w, memory_order_acquire);
        for (;;) {
            if ((unsigned)(cur >> 32) != gen) return -1;
            int next = (int)((cur >> 16) & 0xffffu), end = (int)(cur & 0xffffu);
            if (next >= end) break;
            if (atomic_compare_exchange_weak_explicit(&l->w, &cur, cur + (1u << 16), memory_order_acq_rel,
                                                      memory_order_acquire))
                return next;
        }
    }
    return -1;
}

static void work(pool *p, int t, unsigned gen)
{
    int c;
    while ((c = claim(p, t, gen)) >= 0) {
        /* the job cannot end (nor fn, ctx, nchunks change) before this
         * chunk is counted done */
        int nchunks = p->nchunks;
        p->fn(p->ctx, c, nchunks);
        int done = atomic_fetch_add_explicit(&p->done, 1, memory_order_acq_rel) + 1;
        if (p->wait == POOL_BLOCK && done == nchunks) {
            pthread_mutex_lock(&p->mu);
            pthread_cond_broadcast(&p->done_cv);
            pthread_mutex_unlock(&p->mu);
        }
    }
}

static void *worker_main(void *arg)
{
    member *me = arg;
    pool *p = me->p;
    /* Workers start before any job exists: generation 0 is "nothing yet".
     * Reading the counter here instead would miss a job published before
     * this thread got to run. */
    unsigned seen = 0;
    for (;;) {
        int spins = 0;
        while (atomic_load_explicit(&p->generation, memory_order_acquire) == seen && !atomic_load(&p->stop)) {
            if (++spins < POOL_SPINS && (p->wait == POOL_SPIN || atomic_load_explicit(&p->hot, memory_order_relaxed))) {
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
        work(p, me->t, seen);
    }
}

pool *ludus_pool_create(int nthreads, pool_wait wait)
{
    if (nthreads < 1) nthreads = 1;
    size_t size = (sizeof(pool) + POOL_LINE - 1) / POOL_LINE * POOL_LINE;
    pool *p = aligned_alloc(POOL_LINE, size);
    if (!p) return NULL;
    memset(p, 0, size);
    p->nthreads = 1; /* until the lanes exist: destroy joins nothing */
    p->wait = wait;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    pthread_cond_init(&p->done_cv, NULL);
    if (nthreads > 1) {
        p->threads = calloc((size_t)nthreads, sizeof *p->threads);
        p->members = calloc((size_t)nthreads, sizeof *p->members);
        p->lanes = aligned_alloc(POOL_LINE, (size_t)nthreads * sizeof *p->lanes);
        if (!p->threads || !p->members || !p->lanes) goto fail;
        for (int t = 0; t < nthreads; t++) atomic_init(&p->lanes[t].w, 0);
        p->nthreads = nthreads;
        for (int t = 1; t < nthreads; t++) {
            p->members[t] = (member){p, t};
            if (pthread_create(&p->threads[t], NULL, worker_main, &p->members[t]) != 0) {
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
    }
    free(p->threads);
    free(p->members);
    free(p->lanes);
    pthread_cond_destroy(&p->cv);
    pthread_cond_destroy(&p->done_cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

int ludus_pool_threads(const pool *p) { return p ? p->nthreads : 1; }

void ludus_pool_spin(pool *p, int on)
{
    if (p) atomic_store_explicit(&p->hot, on != 0, memory_order_relaxed);
}

void ludus_pool_run(pool *p, pool_fn fn, void *ctx, int nchunks)
{
    if (p->nthreads == 1 || nchunks == 1 || nchunks > POOL_MAX_CHUNKS) {
        for (int c = 0; c < nchunks; c++) fn(ctx, c, nchunks);
        return;
    }
    const int n = p->nthreads;
    unsigned gen = atomic_load(&p->generation) + 1;
    p->fn = fn;
    p->ctx = ctx;
    p->nchunks = nchunks;
    atomic_store_explicit(&p->done, 0, memory_order_relaxed);
    for (int t = 0; t < n; t++) {
        uint64_t lo = (uint64_t)((long)nchunks * t / n), hi = (uint64_t)((long)nchunks * (t + 1) / n);
        atomic_store_explicit(&p->lanes[t].w, (uint64_t)gen << 32 | lo << 16 | hi, memory_order_release);
    }
    /* sequentially consistent: ordered before the load of sleepers, as a
     * worker's increment of sleepers is before its load of generation, so
     * one of the two sees the other */
    atomic_store(&p->generation, gen);
    if (atomic_load(&p->sleepers) > 0) {
        pthread_mutex_lock(&p->mu);
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    work(p, 0, gen);
    /* Every chunk is claimed; wait for the ones still running elsewhere. */
    if (p->wait == POOL_BLOCK) {
        /* a short spin first: the other chunks of an even split end about
         * when this one does, and a futex sleep and wake-up would cost the
         * learner's short jobs (gradient sums, Adam) more than they run;
         * while spinning is on (a burst of jobs), as long as the workers
         * spin between jobs */
        const int most = atomic_load_explicit(&p->hot, memory_order_relaxed) ? POOL_SPINS : POOL_MAIN_SPINS;
        for (int spins = 0; spins < most; spins++) {
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
