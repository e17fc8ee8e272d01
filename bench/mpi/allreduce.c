/* allreduce.c: what the gradient all-reduce of distributed PPO costs for
 * the shipped networks. Run under mpirun (any number of ranks):
 *   mpirun -np 2 build/bench_mpi_allreduce [CONFIG.json | WORLD_ID]...
 * For each network (a world's defaults, or a config file's): its
 * parameters P, the bytes of one all-reduce (4 P: float32 gradients), how
 * many an update makes (epochs x minibatches), and the median wall time
 * of one MPI_Allreduce of P floats through the communicator the learner
 * uses (dist.h), over `reps` repetitions after warm-up. Rank 0 prints one
 * tab-separated row per network.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/file.h"
#include "learn/policy.h"
#include "ludus/dist.h"
#include "ludus/learn.h"
#include "mpi/dist_mpi.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The PPO config of a world id or of a config file naming its world. */
static int config_of(const char *arg, ludus_ppo_config *c, char *name, size_t cap)
{
    const char *slash = strrchr(arg, '/');
    size_t n = strlen(arg);
    if (n > 5 && !strcmp(arg + n - 5, ".json")) {
        char *text;
        size_t len;
        int rc = ludus_file_read(arg, 1 << 20, &text, &len);
        if (rc) return rc;
        const char *id = strstr(text, "\"env_id\"");
        char env[96] = "";
        if (id && sscanf(id, "\"env_id\" : \"%95[^\"]\"", env) != 1) sscanf(id, "\"env_id\": \"%95[^\"]\"", env);
        ludus_ppo_config_default(c, env);
        rc = ludus_ppo_config_apply_json(c, text);
        free(text);
        snprintf(name, cap, "%s", slash ? slash + 1 : arg);
        return rc;
    }
    ludus_ppo_config_default(c, arg);
    snprintf(name, cap, "%s (defaults)", arg);
    return LUDUS_OK;
}

int main(int argc, char **argv)
{
    ludus_dist *d;
    if (ludus_dist_mpi_create(&argc, &argv, &d)) {
        fprintf(stderr, "bench_mpi_allreduce: %s\n", ludus_errmsg());
        return 1;
    }
    const int reps = 200, rank = ludus_dist_rank(d);
    if (rank == 0)
        printf("network\tparams\tbytes_per_allreduce\tallreduces_per_update\tbytes_per_update\tmedian_us_per_allreduce"
               "\tms_per_update\tranks\n");
    for (int i = 1; i < argc; i++) {
        ludus_ppo_config c;
        char name[128];
        ludus_env *env = NULL;
        policy pol;
        memset(&pol, 0, sizeof pol);
        policy_input in;
        if (config_of(argv[i], &c, name, sizeof name) || ludus_env_make(c.env_id, c.env_options, &env) ||
            ludus_policy_input_of(ludus_env_get_info(env), c.arch.encoder, &in) || ludus_policy_create(&pol, &c.arch, &in)) {
            if (rank == 0) fprintf(stderr, "bench_mpi_allreduce: %s: %s\n", argv[i], ludus_errmsg());
            ludus_env_destroy(env);
            continue;
        }
        const size_t P = pol.params.size;
        float *g = calloc(P, sizeof *g);
        double *t = calloc((size_t)reps, sizeof *t);
        for (size_t k = 0; k < P; k++) g[k] = 1e-3f * (float)(k % 97);
        for (int w = 0; w < 10; w++) ludus_dist_allreduce_f32(d, g, P);
        for (int r = 0; r < reps; r++) {
            ludus_dist_barrier(d);
            double t0 = now_s();
            ludus_dist_allreduce_f32(d, g, P);
            t[r] = now_s() - t0;
        }
        qsort(t, (size_t)reps, sizeof *t, cmp);
        const int per_update = c.epochs * c.minibatches;
        if (rank == 0)
            printf("%s\t%zu\t%zu\t%d\t%zu\t%.1f\t%.2f\t%d\n", name, P, 4 * P, per_update, 4 * P * (size_t)per_update,
                   1e6 * t[reps / 2], 1e3 * t[reps / 2] * per_update, ludus_dist_size(d));
        free(g);
        free(t);
        ludus_policy_destroy(&pol);
        ludus_env_destroy(env);
    }
    ludus_dist_destroy(d);
    return 0;
}
