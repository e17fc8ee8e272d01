/* pool.h: a fixed pool of worker threads that runs one job, split into
 * chunks, at a time; vec/ steps worlds with it and learn/ splits batches.
 * Thread t (the caller is 0) runs its own share of the chunks first,
 * [nchunks t / n, nchunks (t + 1) / n) of n threads, so with one chunk per
 * thread a chunk's buffers stay on one core job after job; then it takes
 * the chunks others have not started, so a worker the OS has descheduled
 * never holds a job up. Two waiting policies: POOL_SPIN for a steady stream of short jobs
 * (batches of world steps: no syscall per job), POOL_BLOCK for long jobs
 * with pauses between them (the learner's updates: no CPU burnt waiting).
 */
#ifndef LUDUS_CORE_POOL_H
#define LUDUS_CORE_POOL_H

typedef struct pool pool;
/* Process chunk `chunk` of `nchunks`. Chunks must be independent: any
 * thread may run any chunk, in any order. */
typedef void (*pool_fn)(void *ctx, int chunk, int nchunks);

typedef enum pool_wait { POOL_SPIN = 0, POOL_BLOCK = 1 } pool_wait;

/* nthreads >= 1; nthreads == 1 starts no thread. NULL on failure. */
pool *ludus_pool_create(int nthreads, pool_wait wait);
void ludus_pool_destroy(pool *p);
int ludus_pool_threads(const pool *p);
/* POOL_BLOCK pools: while on (1), a worker that finishes its chunks spins
 * up to 20,000 pauses (about 1.5 ms on Zen 5) for the next job before it
 * sleeps, so a burst of short jobs (the PPO epochs' three jobs per
 * minibatch) costs no futex wake-up per job, and the caller waits as long
 * for the others' chunks before it sleeps; off (0, the default), a worker
 * sleeps at once and burns no CPU between jobs (the rollout, when the
 * worlds' threads need the cores).
 * POOL_SPIN pools always spin first. Call between jobs, from the thread
 * that runs them. */
void ludus_pool_spin(pool *p, int on);
/* Run fn(ctx, c, nchunks) for every c in [0, nchunks) and return when all
 * are done. nchunks >= 1; above POOL_MAX_CHUNKS the caller runs them all
 * in order. Which thread runs a chunk is not fixed: results must not
 * depend on it. */
#define POOL_MAX_CHUNKS 65535
void ludus_pool_run(pool *p, pool_fn fn, void *ctx, int nchunks);

#endif
