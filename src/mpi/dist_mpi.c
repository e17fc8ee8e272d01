/* dist_mpi.c: dist.h's communicator over Open MPI. Sums are MPI_Allreduce
 * with MPI_SUM (for two ranks the one addition per value is exact and
 * commutative, so the result does not depend on MPI's reduction order;
 * docs/scaling.md says what holds for more), broadcasts MPI_Bcast,
 * gathers MPI_Gather and MPI_Allgather, each started non-blocking and polled (a signal
 * while waiting ends the wait, see wait_for). Buffers longer than an
 * int's count go in pieces.
 * Errors are returned (MPI_ERRORS_RETURN) and become LUDUS_EIO messages.
 */
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mpi.h>

#include "core/core.h"
#include "mpi/dist_mpi.h"

#define PIECE ((size_t)1 << 30)

typedef struct mpi_impl {
    MPI_Comm comm;
} mpi_impl;

static MPI_Comm comm_of(ludus_dist *d)
{
    return ((mpi_impl *)d->impl)->comm;
}

static int mpi_fail(int err, const char *what)
{
    char msg[MPI_MAX_ERROR_STRING] = "";
    int len = 0;
    MPI_Error_string(err, msg, &len);
    return ludus_err_set(LUDUS_EIO, "mpi: %s failed (%s): another rank may have died", what, msg);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Seconds a collective polls before each further poll yields the core. */
#define SPIN_S 0.002

/* Seconds a collective keeps waiting once d->interrupt is set. */
#define GRACE_S 0.5

/* Wait for a started collective, polling, so that a signal (mpirun sends
 * one to every rank when one dies) ends the wait instead of a hang. */
static int wait_for(ludus_dist *d, MPI_Request *req, const char *what)
{
    const double t0 = now_s();
    double since = -1.0;
    int yield = 0;
    for (unsigned long spins = 1;; spins++) {
        int done = 0, err = MPI_Test(req, &done, MPI_STATUS_IGNORE);
        if (err != MPI_SUCCESS) return mpi_fail(err, what);
        if (done) return LUDUS_OK;
        /* spin while a transfer is under way; a rank still waiting after
         * SPIN_S waits for another that computes: give the core away
         * between polls, or on a machine with fewer free cores than
         * processes the waiting ranks starve the computing ones */
        if (yield) sched_yield();
        if (spins % 64) continue;
        const double t = now_s();
        yield = t - t0 > SPIN_S;
        if (!d->interrupt || !*d->interrupt) continue;
        if (since < 0) since = t;
        else if (t - since > GRACE_S)
            return ludus_err_set(LUDUS_EIO, "mpi: a signal arrived while rank %d waited for the others in %s: "
                                 "a rank has died or the job is being stopped", d->rank, what);
    }
}

static int sum_f32(ludus_dist *d, float *buf, size_t n)
{
    for (size_t at = 0; at < n; at += PIECE) {
        int cnt = (int)(n - at < PIECE ? n - at : PIECE), rc;
        MPI_Request req;
        int err = MPI_Iallreduce(MPI_IN_PLACE, buf + at, cnt, MPI_FLOAT, MPI_SUM, comm_of(d), &req);
        if (err != MPI_SUCCESS) return mpi_fail(err, "MPI_Allreduce");
        if ((rc = wait_for(d, &req, "MPI_Allreduce"))) return rc;
    }
    return LUDUS_OK;
}

static int sum_f64(ludus_dist *d, double *buf, size_t n)
{
    for (size_t at = 0; at < n; at += PIECE) {
        int cnt = (int)(n - at < PIECE ? n - at : PIECE), rc;
        MPI_Request req;
        int err = MPI_Iallreduce(MPI_IN_PLACE, buf + at, cnt, MPI_DOUBLE, MPI_SUM, comm_of(d), &req);
        if (err != MPI_SUCCESS) return mpi_fail(err, "MPI_Allreduce");
        if ((rc = wait_for(d, &req, "MPI_Allreduce"))) return rc;
    }
    return LUDUS_OK;
}

static int bcast(ludus_dist *d, void *buf, size_t bytes, int root)
{
    for (size_t at = 0; at < bytes; at += PIECE) {
        int cnt = (int)(bytes - at < PIECE ? bytes - at : PIECE), rc;
        MPI_Request req;
        int err = MPI_Ibcast((char *)buf + at, cnt, MPI_BYTE, root, comm_of(d), &req);
        if (err != MPI_SUCCESS) return mpi_fail(err, "MPI_Bcast");
        if ((rc = wait_for(d, &req, "MPI_Bcast"))) return rc;
    }
    return LUDUS_OK;
}

static int barrier(ludus_dist *d)
{
    MPI_Request req;
    int err = MPI_Ibarrier(comm_of(d), &req);
    return err != MPI_SUCCESS ? mpi_fail(err, "MPI_Barrier") : wait_for(d, &req, "MPI_Barrier");
}

static int gather(ludus_dist *d, const void *send, size_t bytes, void *recv, int root)
{
    if (bytes > INT_MAX) return ludus_err_set(LUDUS_EINVAL, "mpi: gather of %zu bytes per rank", bytes);
    MPI_Request req;
    int err = MPI_Igather(send, (int)bytes, MPI_BYTE, recv, (int)bytes, MPI_BYTE, root, comm_of(d), &req);
    return err != MPI_SUCCESS ? mpi_fail(err, "MPI_Gather") : wait_for(d, &req, "MPI_Gather");
}

static int allgather(ludus_dist *d, const void *send, size_t bytes, void *recv)
{
    if (bytes > INT_MAX) return ludus_err_set(LUDUS_EINVAL, "mpi: allgather of %zu bytes per rank", bytes);
    MPI_Request req;
    int err = MPI_Iallgather(send, (int)bytes, MPI_BYTE, recv, (int)bytes, MPI_BYTE, comm_of(d), &req);
    return err != MPI_SUCCESS ? mpi_fail(err, "MPI_Allgather") : wait_for(d, &req, "MPI_Allgather");
}

static void destroy(ludus_dist *d)
{
    mpi_impl *m = d->impl;
    int fin = 0;
    MPI_Finalized(&fin);
    if (m && !fin) {
        MPI_Comm_free(&m->comm);
        MPI_Finalize();
    }
    free(m);
    free(d);
}

int ludus_dist_mpi_launched(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE", NULL};
    for (int i = 0; vars[i]; i++)
        if (getenv(vars[i])) return 1;
    return 0;
}

int ludus_dist_mpi_create(int *argc, char ***argv, ludus_dist **out)
{
    if (!out) return ludus_err_set(LUDUS_EINVAL, "mpi: NULL argument");
    *out = NULL;
    int provided = 0, err = MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
    if (err != MPI_SUCCESS) return ludus_err_set(LUDUS_EIO, "mpi: MPI_Init failed");
    ludus_dist *d = calloc(1, sizeof *d);
    mpi_impl *m = calloc(1, sizeof *m);
    if (!d || !m) {
        free(d);
        free(m);
        MPI_Finalize();
        return ludus_err_set(LUDUS_ENOMEM, "mpi: out of memory");
    }
    MPI_Comm_dup(MPI_COMM_WORLD, &m->comm);
    MPI_Comm_set_errhandler(m->comm, MPI_ERRORS_RETURN);
    MPI_Comm_rank(m->comm, &d->rank);
    MPI_Comm_size(m->comm, &d->size);
    d->name = "mpi";
    d->impl = m;
    d->allreduce_f32 = sum_f32;
    d->allreduce_f64 = sum_f64;
    d->bcast = bcast;
    d->barrier = barrier;
    d->gather = gather;
    d->allgather = allgather;
    d->destroy = destroy;
    *out = d;
    return LUDUS_OK;
}

void ludus_dist_mpi_abort(ludus_dist *d, int status)
{
    MPI_Abort(d && d->impl ? comm_of(d) : MPI_COMM_WORLD, status);
}
