/* dist.c: the communicator interface (dist.h): the single-process
 * communicator and the NULL-tolerant wrappers the learners call. The MPI
 * communicator lives outside the library (src/mpi/), so libludus never
 * links MPI.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "ludus/dist.h"

static int single_sum_f32(ludus_dist *d, float *buf, size_t n)
{
    (void)d, (void)buf, (void)n;
    return LUDUS_OK;
}

static int single_sum_f64(ludus_dist *d, double *buf, size_t n)
{
    (void)d, (void)buf, (void)n;
    return LUDUS_OK;
}

static int single_bcast(ludus_dist *d, void *buf, size_t bytes, int root)
{
    (void)d, (void)buf, (void)bytes, (void)root;
    return LUDUS_OK;
}

static int single_barrier(ludus_dist *d)
{
    (void)d;
    return LUDUS_OK;
}

static int single_gather(ludus_dist *d, const void *send, size_t bytes, void *recv, int root)
{
    (void)d, (void)root;
    if (bytes && recv != send) memmove(recv, send, bytes);
    return LUDUS_OK;
}

static int single_allgather(ludus_dist *d, const void *send, size_t bytes, void *recv)
{
    return single_gather(d, send, bytes, recv, 0);
}

static void single_destroy(ludus_dist *d)
{
    free(d);
}

int ludus_dist_single_create(ludus_dist **out)
{
    if (!out) return ludus_err_set(LUDUS_EINVAL, "dist: NULL argument");
    ludus_dist *d = calloc(1, sizeof *d);
    if (!(*out = d)) return ludus_err_set(LUDUS_ENOMEM, "dist: out of memory");
    d->name = "single";
    d->rank = 0;
    d->size = 1;
    d->allreduce_f32 = single_sum_f32;
    d->allreduce_f64 = single_sum_f64;
    d->bcast = single_bcast;
    d->barrier = single_barrier;
    d->gather = single_gather;
    d->allgather = single_allgather;
    d->destroy = single_destroy;
    return LUDUS_OK;
}

void ludus_dist_destroy(ludus_dist *d)
{
    if (d && d->destroy) d->destroy(d);
}

int ludus_dist_rank(const ludus_dist *d)
{
    return d ? d->rank : 0;
}

int ludus_dist_size(const ludus_dist *d)
{
    return d ? d->size : 1;
}

int ludus_dist_allreduce_f32(ludus_dist *d, float *buf, size_t n)
{
    if (!buf && n) return ludus_err_set(LUDUS_EINVAL, "dist: NULL buffer");
    return d && d->size > 1 ? d->allreduce_f32(d, buf, n) : LUDUS_OK;
}

int ludus_dist_allreduce_f64(ludus_dist *d, double *buf, size_t n)
{
    if (!buf && n) return ludus_err_set(LUDUS_EINVAL, "dist: NULL buffer");
    return d && d->size > 1 ? d->allreduce_f64(d, buf, n) : LUDUS_OK;
}

int ludus_dist_bcast(ludus_dist *d, void *buf, size_t bytes, int root)
{
    if (!buf && bytes) return ludus_err_set(LUDUS_EINVAL, "dist: NULL buffer");
    if (root < 0 || root >= ludus_dist_size(d))
        return ludus_err_set(LUDUS_EINVAL, "dist: root %d is not a rank of %d", root, ludus_dist_size(d));
    return d && d->size > 1 ? d->bcast(d, buf, bytes, root) : LUDUS_OK;
}

int ludus_dist_barrier(ludus_dist *d)
{
    return d && d->size > 1 ? d->barrier(d) : LUDUS_OK;
}

int ludus_dist_gather(ludus_dist *d, const void *send, size_t bytes, void *recv, int root)
{
    if (!send && bytes) return ludus_err_set(LUDUS_EINVAL, "dist: NULL buffer");
    if (root < 0 || root >= ludus_dist_size(d))
        return ludus_err_set(LUDUS_EINVAL, "dist: root %d is not a rank of %d", root, ludus_dist_size(d));
    if (ludus_dist_rank(d) == root && !recv && bytes) return ludus_err_set(LUDUS_EINVAL, "dist: NULL receive buffer");
    if (d && d->size > 1) return d->gather(d, send, bytes, recv, root);
    return single_gather(d, send, bytes, recv, root);
}

int ludus_dist_allgather(ludus_dist *d, const void *send, size_t bytes, void *recv)
{
    if ((!send || !recv) && bytes) return ludus_err_set(LUDUS_EINVAL, "dist: NULL buffer");
    if (!d || d->size <= 1) return single_gather(d, send, bytes, recv, 0);
    if (d->allgather) return d->allgather(d, send, bytes, recv);
    int rc = d->gather(d, send, bytes, recv, 0);
    return rc ? rc : d->bcast(d, recv, bytes * (size_t)d->size, 0);
}

int ludus_dist_gather_var(ludus_dist *d, const void *buf, size_t len, int root, char **out, size_t *lens)
{
    const int size = ludus_dist_size(d), rank = ludus_dist_rank(d);
    if (!out || (!buf && len)) return ludus_err_set(LUDUS_EINVAL, "dist: NULL argument");
    *out = NULL;
    if (root < 0 || root >= size) return ludus_err_set(LUDUS_EINVAL, "dist: root %d is not a rank of %d", root, size);
    if (rank == root && !lens) return ludus_err_set(LUDUS_EINVAL, "dist: NULL lengths on the root");
    uint64_t mine = len, max = 0, *all = rank == root ? calloc((size_t)size, sizeof *all) : NULL;
    char *pad = NULL, *recv = NULL;
    int rc = rank == root && !all ? ludus_err_set(LUDUS_ENOMEM, "dist: out of memory") : LUDUS_OK;
    /* every rank's length to root, the longest back to all: blocks of that size */
    if (!rc) rc = ludus_dist_gather(d, &mine, sizeof mine, all, root);
    for (int r = 0; !rc && rank == root && r < size; r++)
        if (all[r] > max) max = all[r];
    if (!rc) rc = ludus_dist_bcast(d, &max, sizeof max, root);
    if (!rc && (!(pad = calloc(max ? (size_t)max : 1, 1)) ||
                (rank == root && !(recv = malloc((size_t)size * (size_t)max + 1)))))
        rc = ludus_err_set(LUDUS_ENOMEM, "dist: out of memory");
    if (!rc) {
        if (len) memcpy(pad, buf, len);
        rc = ludus_dist_gather(d, pad, (size_t)max, recv, root);
    }
    if (!rc && rank == root) {
        size_t at = 0;
        for (int r = 0; r < size; r++) {
            memmove(recv + at, recv + (size_t)r * max, (size_t)all[r]);
            lens[r] = (size_t)all[r];
            at += (size_t)all[r];
        }
        recv[at] = 0;
        *out = recv;
        recv = NULL;
    }
    free(all);
    free(pad);
    free(recv);
    return rc;
}

int ludus_dist_share(long total, int parts, int part, long *first, long *count)
{
    if (!first || !count) return ludus_err_set(LUDUS_EINVAL, "dist: NULL argument");
    if (parts < 1 || part < 0 || part >= parts || total < 0)
        return ludus_err_set(LUDUS_EINVAL, "dist: part %d of %d (of %ld items)", part, parts, total);
    long a = (long)((long long)total * part / parts), b = (long)((long long)total * (part + 1) / parts);
    *first = a;
    *count = b - a;
    return LUDUS_OK;
}

uint64_t ludus_dist_hash(const void *buf, size_t n)
{
    const unsigned char *p = buf;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

int ludus_dist_check_same(ludus_dist *d, uint64_t hash, const char *what)
{
    int size = ludus_dist_size(d);
    if (size <= 1) return LUDUS_OK;
    uint64_t *all = calloc((size_t)size, sizeof *all);
    if (!all) return ludus_err_set(LUDUS_ENOMEM, "dist: out of memory");
    int rc = ludus_dist_gather(d, &hash, sizeof hash, all, 0);
    int bad = -1;
    for (int r = 1; !rc && ludus_dist_rank(d) == 0 && r < size && bad < 0; r++)
        if (all[r] != all[0]) bad = r;
    free(all);
    if (!rc) rc = ludus_dist_bcast(d, &bad, sizeof bad, 0);
    if (!rc && bad >= 0)
        rc = ludus_err_set(LUDUS_ESTATE, "dist: rank %d's %s differ from rank 0's", bad, what ? what : "values");
    return rc;
}
