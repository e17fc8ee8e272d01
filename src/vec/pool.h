/* pool.h: a fixed pool of worker threads that runs one job on T slices at
 * a time; the calling thread works slice 0. Workers spin briefly, then
 * sleep, so a short job (a batch of world steps) costs no syscall while a
 * long pause (the learner's update) costs no CPU.
 */
#ifndef LUDUS_VEC_POOL_H
#define LUDUS_VEC_POOL_H

typedef struct pool pool;
typedef void (*pool_fn)(void *ctx, int slice, int nslices);

/* nthreads >= 1; nthreads == 1 starts no thread. NULL on failure. */
pool *pool_create(int nthreads);
void pool_destroy(pool *p);
int pool_threads(const pool *p);
/* Run fn(ctx, t, T) for t in [0, T) and return when every slice is done. */
void pool_run(pool *p, pool_fn fn, void *ctx);

#endif
