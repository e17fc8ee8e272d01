/* dist.h: a communicator for training over several processes (ranks),
 * as decentralized distributed PPO (DD-PPO) does: every rank steps its own
 * worlds and keeps a copy of the learner, and gradients are summed across
 * ranks before every optimizer step. The library only calls the functions
 * below; a communicator is a table of them. This library ships the
 * single-process one (ludus_dist_single_create; a NULL communicator means
 * the same); the `ludus` command adds an Open MPI one (src/mpi/, built
 * with the CMake option LUDUS_MPI) so that libludus itself never links
 * MPI. Any other transport can fill the table.
 *
 * Every call is collective: all ranks make the same calls in the same
 * order with the same sizes. A function returns LUDUS_OK, or a negative
 * LUDUS_E* code with a message (ludus_errmsg) when the transport failed
 * (a rank died): the communicator is then unusable. A communicator is
 * used by one thread at a time.
 */
#ifndef LUDUS_DIST_H
#define LUDUS_DIST_H

#include <signal.h>
#include <stddef.h>

#include "ludus/ludus.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ludus_dist ludus_dist;

struct ludus_dist {
    const char *name;   /* "single", "mpi", ... */
    int rank, size;     /* this process's rank in [0, size) and the number of ranks */
    void *impl;         /* the transport's own state */
    /* NULL, or a flag a signal handler sets (the run points it at its own
     * while it trains): a transport that waits in a collective when it
     * becomes nonzero gives up after a short grace with LUDUS_EIO, since
     * a launcher signals every rank when one dies (mpirun) */
    volatile sig_atomic_t *interrupt;
    /* buf (n values) becomes the element-wise sum over ranks, on every rank */
    int (*allreduce_f32)(ludus_dist *d, float *buf, size_t n);
    int (*allreduce_f64)(ludus_dist *d, double *buf, size_t n);
    /* root's `bytes` bytes of buf are copied into every rank's buf */
    int (*bcast)(ludus_dist *d, void *buf, size_t bytes, int root);
    int (*barrier)(ludus_dist *d);
    /* every rank's `bytes` bytes of send are written, in rank order, into
     * root's recv (size * bytes; unused on other ranks, may be NULL) */
    int (*gather)(ludus_dist *d, const void *send, size_t bytes, void *recv, int root);
    void (*destroy)(ludus_dist *d);   /* frees d; NULL: nothing to free */
    /* every rank's `bytes` bytes of send are written, in rank order, into
     * every rank's recv (size * bytes). May be NULL: ludus_dist_allgather
     * then gathers to rank 0 and broadcasts. */
    int (*allgather)(ludus_dist *d, const void *send, size_t bytes, void *recv);
};

/* A communicator of one rank (rank 0, size 1): sums and broadcasts copy
 * nothing, gather copies send into recv. The caller destroys *out.
 * LUDUS_EINVAL for NULL, LUDUS_ENOMEM. Thread-safe. */
LUDUS_API int ludus_dist_single_create(ludus_dist **out);
/* Free a communicator through its destroy function (NULL is harmless).
 * For MPI's this also finalizes MPI. */
LUDUS_API void ludus_dist_destroy(ludus_dist *d);

/* The wrappers below accept NULL for the single-process case: rank 0,
 * size 1, and the collectives change nothing (gather copies). */
LUDUS_API int ludus_dist_rank(const ludus_dist *d);
LUDUS_API int ludus_dist_size(const ludus_dist *d);
/* In-place sums over ranks (LUDUS_EINVAL for a NULL buf with n > 0). */
LUDUS_API int ludus_dist_allreduce_f32(ludus_dist *d, float *buf, size_t n);
LUDUS_API int ludus_dist_allreduce_f64(ludus_dist *d, double *buf, size_t n);
/* root's buf to every rank (LUDUS_EINVAL for a root out of range). */
LUDUS_API int ludus_dist_bcast(ludus_dist *d, void *buf, size_t bytes, int root);
LUDUS_API int ludus_dist_barrier(ludus_dist *d);
/* Rank order into root's recv (size * bytes bytes). */
LUDUS_API int ludus_dist_gather(ludus_dist *d, const void *send, size_t bytes, void *recv, int root);

/* Every rank's `bytes` bytes of send, in rank order, into every rank's
 * recv (size * bytes bytes; recv must not overlap send). For one process
 * (NULL or size 1) it copies send into recv. LUDUS_EINVAL for NULL
 * buffers with bytes > 0; transport errors. Collective. */
LUDUS_API int ludus_dist_allgather(ludus_dist *d, const void *send, size_t bytes, void *recv);

/* Every rank's `len` bytes of buf, lengths differing, to root (for
 * results of independent runs spread over ranks with ludus_dist_share):
 * on root *out (malloc'd, the caller frees it; NUL-terminated past the
 * end) holds the blocks in rank order, back to back, and lens (size
 * entries, the caller's) their lengths; elsewhere *out is NULL and lens
 * unused (may be NULL). LUDUS_EINVAL for NULL out or, on root, lens;
 * LUDUS_ENOMEM; transport errors. Collective. */
LUDUS_API int ludus_dist_gather_var(ludus_dist *d, const void *buf, size_t len, int root, char **out,
                                    size_t *lens);

/* Contiguous shares: part `part` of `parts` gets the items
 * [*first, *first + *count) = [total * part / parts, total * (part + 1) / parts)
 * of `total` (integer division; sizes differ by at most one). Used for
 * the worlds of a rank and for spreading independent runs over ranks.
 * LUDUS_EINVAL for parts < 1 or part outside [0, parts). Thread-safe. */
LUDUS_API int ludus_dist_share(long total, int parts, int part, long *first, long *count);

/* A 64-bit FNV-1a hash of n bytes, to check that ranks hold the same
 * parameters. Thread-safe. */
LUDUS_API uint64_t ludus_dist_hash(const void *buf, size_t n);
/* LUDUS_OK when every rank passed the same hash, else LUDUS_ESTATE with a
 * message naming the first rank that differs from rank 0 (on every rank);
 * transport errors as above. Collective. */
LUDUS_API int ludus_dist_check_same(ludus_dist *d, uint64_t hash, const char *what);

#ifdef __cplusplus
}
#endif

#endif /* LUDUS_DIST_H */
