/* pool.h: a fixed pool of worker threads that runs one job, split into
 * chunks, at a time. Threads (the caller included) claim chunks from a
 * shared counter, so a worker the OS has descheduled never holds the batch
 * up: the others simply take its share. Workers spin briefly between jobs,
 * then sleep, so a steady stream of short jobs (batches of world steps)
 * costs no syscall while a long pause (the learner's update) costs no CPU.
 */
#ifndef LUDUS_VEC_POOL_H
#define LUDUS_VEC_POOL_H

typedef struct pool pool;
/* Process chunk `chunk` of `nchunks`. Chunks must be independent: any
 * thread may run any chunk, in any order. */
typedef void (*pool_fn)(void *ctx, int chunk, int nchunks);

/* nthreads >= 1; nthreads == 1 starts no thread. NULL on failure. */
pool *pool_create(int nthreads);
void pool_destroy(pool *p);
int pool_threads(const pool *p);
/* Run fn(ctx, c, nchunks) for every c in [0, nchunks) and return when all
 * are done. nchunks >= 1. */
void pool_run(pool *p, pool_fn fn, void *ctx, int nchunks);

#endif
