/* pool.c: the worker pool behind vec/ (see pool.h). A job is published by
 * bumping a generation counter; workers wait for a new generation, run
 * their slice and count down. Waiting spins for a short while (the next
 * batch usually comes within microseconds), then falls back to a condition
 * variable.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "pool.h"

#define POOL_SPINS 20000

struct pool {
    int nthreads;
    pthread_t *threads;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_uint generation;
    atomic_int pending;
    atomic_int stop;
    atomic_int sleepers;
    pool_fn fn;
    void *ctx;
};

typedef struct worker_arg {
    pool *p;
    int slice;
} worker_arg;

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static void *worker_main(void *arg)
{
    worker_arg *wa = arg;
    pool *p = wa->p;
    int slice = wa->slice;
    free(wa);
    /* Workers start before any job exists: generation 0 is "nothing yet".
     * Reading the counter here instead would miss a job published before
     * this thread got to run. */
    unsigned seen = 0;
    for (;;) {
        int spins = 0;
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
        seen = atomic_load(&p->generation);
        p->fn(p->ctx, slice, p->nthreads);
        atomic_fetch_sub_explicit(&p->pending, 1, memory_order_release);
    }
}

pool *pool_create(int nthreads)
{
    if (nthreads < 1) nthreads = 1;
    pool *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->nthreads = nthreads;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (nthreads > 1) {
        p->threads = calloc((size_t)nthreads, sizeof *p->threads);
        if (!p->threads) goto fail;
        for (int t = 1; t < nthreads; t++) {
            worker_arg *wa = malloc(sizeof *wa);
            if (!wa) goto fail;
            wa->p = p;
            wa->slice = t;
            if (pthread_create(&p->threads[t], NULL, worker_main, wa) != 0) {
                free(wa);
                p->nthreads = t; /* join the ones that started */
                goto fail;
            }
        }
    }
    return p;
fail:
    pool_destroy(p);
    return NULL;
}

void pool_destroy(pool *p)
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
    pthread_mutex_destroy(&p->mu);
    free(p);
}

int pool_threads(const pool *p) { return p ? p->nthreads : 1; }

void pool_run(pool *p, pool_fn fn, void *ctx)
{
    if (p->nthreads == 1) {
        fn(ctx, 0, 1);
        return;
    }
    p->fn = fn;
    p->ctx = ctx;
    atomic_store(&p->pending, p->nthreads - 1);
    atomic_fetch_add_explicit(&p->generation, 1, memory_order_release);
    if (atomic_load(&p->sleepers) > 0) {
        pthread_mutex_lock(&p->mu);
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    fn(ctx, 0, p->nthreads);
    while (atomic_load_explicit(&p->pending, memory_order_acquire) > 0) cpu_relax();
}
