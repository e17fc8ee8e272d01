/* dist_mpi.h: the Open MPI communicator (dist.h's table over MPI), built
 * only with the CMake option LUDUS_MPI into the small library ludus_mpi
 * that the `ludus` command and the MPI tests link; libludus never links MPI.
 */
#ifndef LUDUS_MPI_DIST_MPI_H
#define LUDUS_MPI_DIST_MPI_H

#include "ludus/dist.h"

/* 1 when this process was started by an MPI launcher (mpirun, srun):
 * Open MPI's OMPI_COMM_WORLD_SIZE or PMIx's / PMI's rank variables are set. */
int ludus_dist_mpi_launched(void);

/* MPI_Init (thread level FUNNELED: only the thread that made the
 * communicator calls it) and a communicator over a duplicate of
 * MPI_COMM_WORLD whose errors are returned, not fatal. ludus_dist_destroy
 * finalizes MPI. LUDUS_EIO with MPI's message when MPI cannot start,
 * LUDUS_ENOMEM. Call once per process. */
int ludus_dist_mpi_create(int *argc, char ***argv, ludus_dist **out);

/* End the whole job from this rank (MPI_Abort) with the exit status given:
 * for a rank that failed while others wait in a collective. */
void ludus_dist_mpi_abort(ludus_dist *d, int status);

#endif
