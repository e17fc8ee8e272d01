/* cmd_train.c: `ludus train ID`: a thin shell over the run (run.h): the
 * flags become a setup (or a resume's overrides), progress is printed as
 * a live line on a terminal and plain lines otherwise, and a finished run
 * is evaluated into eval.json. Exit status 130 when SIGINT/SIGTERM stopped
 * the run (it checkpointed first: --resume continues it).
 *
 * Under mpirun (builds with LUDUS_MPI) every process is one rank of the
 * run (dist.h, docs/scaling.md): rank 0 writes the folder and prints the
 * progress; a rank that fails once training has begun ends the whole job
 * (MPI_Abort), since the others wait for it in a collective.
 */
#define _GNU_SOURCE /* sched_getaffinity: the cores mpirun bound a rank to */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_learn.h"
#include "ludus/dist.h"
#include "ludus/learn.h"
#include "ludus/run.h"
#ifdef LUDUS_MPI
#include "mpi/dist_mpi.h"
#endif

#define TRAIN_INTERRUPTED 130

static int usage(void)
{
    cli_usage(stderr, "train");
    return 2;
}

static int parse_u64(const char *flag, const char *v, uint64_t *out)
{
    char *end;
    if (!v || !*v || *v == '-') {
        fprintf(stderr, "ludus train: %s needs a non-negative integer\n", flag);
        return 0;
    }
    errno = 0;
    *out = strtoull(v, &end, 10);
    if (*end || errno) {
        fprintf(stderr, "ludus train: %s: \"%s\" is not a non-negative integer\n", flag, v);
        return 0;
    }
    return 1;
}

static void fmt_time(char *buf, size_t cap, double s)
{
    if (!(s >= 0) || s > 1e7) snprintf(buf, cap, "--:--");
    else if (s < 3600) snprintf(buf, cap, "%d:%02d", (int)s / 60, (int)s % 60);
    else snprintf(buf, cap, "%d:%02d:%02d", (int)s / 3600, (int)s / 60 % 60, (int)s % 60);
}

typedef struct show {
    int tty;
    uint64_t next_line;
    double wall_s;      /* of the last update */
} show;

static void on_progress(const ludus_run_progress *p, void *user)
{
    show *s = user;
    s->wall_s = p->wall_s;
    char left[32];
    fmt_time(left, sizeof left, p->seconds_left);
    const int last = p->steps >= p->total_steps;
    if (s->tty)
        fprintf(stderr, "\r%9llu/%llu steps  %7.0f steps/s  return %.3f  left %s   ", (unsigned long long)p->steps,
                (unsigned long long)p->total_steps, p->steps_per_s, p->ret, left);
    else if (p->steps >= s->next_line || last) {
        fprintf(stderr, "steps %llu/%llu  steps/s %.0f  return %.3f  left %s\n", (unsigned long long)p->steps,
                (unsigned long long)p->total_steps, p->steps_per_s, p->ret, left);
        s->next_line = p->steps + p->total_steps / 20;
    }
}

static int fail(const char *what)
{
    fprintf(stderr, "ludus train: %s%s%s\n", what ? what : "", what ? ": " : "", ludus_errmsg());
    return 1;
}

static int train(int argc, char **argv, ludus_dist *dist);

/* Ranks other than 0 prefix what they print. */
static int cli_rank;

/* Open MPI binds each rank to one core when it starts at most two; a rank
 * training on more threads than the cores it may use then runs them all on
 * those cores. Measured on the 2-core VM, MiniGrid-Empty-5x5, 1 rank x 2
 * threads: 43k frames/s bound to a core, 71k with --bind-to none
 * (docs/scaling.md). Rank 0 says so once, before training. */
static void warn_binding(int threads)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return;
    const int cores = CPU_COUNT(&set);
    if (cores >= threads) return;
    fprintf(stderr,
            "ludus train: warning: this rank may use %d core%s but trains with %d threads; start mpirun with "
            "--bind-to none (or --map-by slot:PE=%d)\n",
            cores, cores == 1 ? "" : "s", threads, threads);
}

int cmd_train(int argc, char **argv)
{
    ludus_dist *dist = NULL;
#ifdef LUDUS_MPI
    if (ludus_dist_mpi_launched()) {
        if (ludus_dist_mpi_create(NULL, NULL, &dist)) return fail(NULL);
        cli_rank = ludus_dist_rank(dist);
    }
#endif
    int rc = train(argc, argv, dist);
    ludus_dist_destroy(dist);
    return rc;
}

/* A failure once the ranks train together: the others may wait for this
 * one in a collective, so the job ends here. */
static int fail_training(ludus_dist *dist, const char *dir)
{
    if (cli_rank) fprintf(stderr, "ludus train (rank %d): %s\n", cli_rank, ludus_errmsg());
    else fail(NULL);
#ifdef LUDUS_MPI
    if (ludus_dist_size(dist) > 1) {
        fprintf(stderr, "ludus train (rank %d): ending the job; the run resumes from its last checkpoint "
                "with as many ranks: mpirun -np %d ludus train --resume %s\n", cli_rank, ludus_dist_size(dist), dir);
        ludus_dist_mpi_abort(dist, 1);
    }
#else
    (void)dist, (void)dir;
#endif
    return 1;
}

static int train(int argc, char **argv, ludus_dist *dist)
{
    const char *id = NULL, *out = NULL, *config = NULL, *resume = NULL, *algo = NULL, *curriculum = NULL, *dataset = NULL;
    uint64_t steps = 0, levels = 0, seed = 0, threads = 0;
    int have_steps = 0, have_levels = 0, have_seed = 0, force = 0, report = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--list-algos") == 0) {
            for (int k = 0; k < ludus_learner_count(); k++)
                printf("%-12s %s\n", ludus_learner_at(k)->name, ludus_learner_at(k)->description);
            return 0;
        } else if (strcmp(a, "--steps") == 0) {
            if (!parse_u64(a, v, &steps) || steps == 0) return usage();
            have_steps = 1, i++;
        } else if (strcmp(a, "--train-levels") == 0) {
            if (!parse_u64(a, v, &levels)) return usage();
            have_levels = 1, i++;
        } else if (strcmp(a, "--seed") == 0) {
            if (!parse_u64(a, v, &seed)) return usage();
            have_seed = 1, i++;
        } else if (strcmp(a, "--threads") == 0) {
            if (!parse_u64(a, v, &threads) || threads < 1 || threads > 256) return usage();
            i++;
        } else if (strcmp(a, "--out") == 0 && v) out = argv[++i];
        else if (strcmp(a, "--algo") == 0 && v) algo = argv[++i];
        else if (strcmp(a, "--curriculum") == 0 && v) curriculum = argv[++i];
        else if (strcmp(a, "--config") == 0 && v) config = argv[++i];
        else if (strcmp(a, "--dataset") == 0 && v) dataset = argv[++i];
        else if (strcmp(a, "--resume") == 0 && v) resume = argv[++i];
        else if (strcmp(a, "--force") == 0) force = 1;
        else if (strcmp(a, "--no-report") == 0) report = 0;
        else if (a[0] == '-') {
            fprintf(stderr, "ludus train: unknown option %s\n", a);
            return usage();
        } else if (!id) id = a;
        else {
            fprintf(stderr, "ludus train: unexpected argument %s\n", a);
            return usage();
        }
    }
    if (!id && !resume) return usage();
    ludus_run *run = NULL;
    char num[32];
    if (resume) {
        if (config || force || algo || have_levels || have_seed || out || curriculum || dataset) {
            fprintf(stderr, "ludus train: --resume continues a run with its own config.json; %s cannot change it\n",
                    config ? "--config" : force ? "--force" : algo ? "--algo" : curriculum ? "--curriculum"
                    : have_levels ? "--train-levels"
                    : have_seed ? "--seed" : dataset ? "--dataset" : "--out");
            return 2;
        }
        char ov[128] = "{}";
        if (have_steps && threads) snprintf(ov, sizeof ov, "{\"total_steps\": %llu, \"num_threads\": %llu}",
                                            (unsigned long long)steps, (unsigned long long)threads);
        else if (have_steps) snprintf(ov, sizeof ov, "{\"total_steps\": %llu}", (unsigned long long)steps);
        else if (threads) snprintf(ov, sizeof ov, "{\"num_threads\": %llu}", (unsigned long long)threads);
        if (ludus_run_resume_dist(resume, have_steps || threads ? ov : NULL, dist, &run)) {
            if (cli_rank) fprintf(stderr, "ludus train (rank %d): %s\n", cli_rank, ludus_errmsg());
            return cli_rank ? 1 : fail(NULL);
        }
        if (id && strcmp(id, ludus_run_get_config(run)->env_id) != 0) {
            fprintf(stderr, "ludus train: %s trained %s, not %s\n", resume, ludus_run_get_config(run)->env_id, id);
            ludus_run_destroy(run);
            return 1;
        }
        out = resume;
    } else {
        ludus_run_setup *setup;
        int rc = config ? ludus_run_setup_load(id, algo, config, &setup) : ludus_run_setup_create(id, algo, NULL, &setup);
        if (rc) return fail(NULL);
        if (have_steps) snprintf(num, sizeof num, "%llu", (unsigned long long)steps), rc = ludus_run_setup_set(setup, "total_steps", num);
        if (!rc && have_levels) snprintf(num, sizeof num, "%llu", (unsigned long long)levels), rc = ludus_run_setup_set(setup, "train_levels", num);
        if (!rc && have_seed) snprintf(num, sizeof num, "%llu", (unsigned long long)seed), rc = ludus_run_setup_set(setup, "seed", num);
        char abs[4096];
        if (!rc && dataset) { /* absolute, so a resume from elsewhere finds it */
            char cwd[2048];
            if (dataset[0] != '/' && getcwd(cwd, sizeof cwd)) snprintf(abs, sizeof abs, "%s/%s", cwd, dataset);
            else snprintf(abs, sizeof abs, "%s", dataset);
            rc = ludus_run_setup_set(setup, "dataset", abs);
        }
        if (!rc && threads) snprintf(num, sizeof num, "%llu", (unsigned long long)threads), rc = ludus_run_setup_set(setup, "num_threads", num);
        if (!rc && curriculum) rc = ludus_run_setup_set(setup, "curriculum", curriculum);
        if (!rc && ludus_run_setup_check(setup)) rc = 2;
        if (rc) {
            fprintf(stderr, "ludus train: %s\n", ludus_errmsg());
            ludus_run_setup_destroy(setup);
            return 2;
        }
        char dflt[256];
        const ludus_run_config *c = ludus_run_setup_config(setup);
        if (!out) {
            snprintf(dflt, sizeof dflt, "runs/%s-seed%llu", c->env_id, (unsigned long long)c->seed);
            out = dflt;
        }
        rc = ludus_run_start_dist(out, setup, force, dist, &run);
        ludus_run_setup_destroy(setup);
        if (rc) {
            if (cli_rank) fprintf(stderr, "ludus train (rank %d): %s\n", cli_rank, ludus_errmsg());
            return cli_rank ? 1 : fail(NULL);
        }
    }
    const ludus_run_config *c = ludus_run_get_config(run);
    char ranks[48] = "";
    if (c->ranks > 1) snprintf(ranks, sizeof ranks, " over %d ranks", c->ranks);
    if (!cli_rank)
        fprintf(stderr, "ludus train %s (%s): %llu steps, seed %llu, %s levels, into %s%s%s\n", c->env_id,
                ludus_run_learner(run)->name, (unsigned long long)c->total_steps, (unsigned long long)c->seed,
                c->train_levels ? "limited" : "unlimited", out, ranks, resume ? " (resumed)" : "");
    if (dist && !cli_rank) warn_binding(c->num_threads);
    show s = {.tty = !cli_rank && isatty(fileno(stderr)), .next_line = 0};
    int rc = ludus_run_train(run, 1, cli_rank ? NULL : on_progress, &s);
    if (s.tty) fputc('\n', stderr);
    if (rc) {
        fail_training(dist, out);
        ludus_run_destroy(run);
        return 1;
    }
    if (cli_rank) { /* rank 0 reports and evaluates */
        const int stopped = ludus_run_stopped(run);
        ludus_run_destroy(run);
        return stopped ? TRAIN_INTERRUPTED : 0;
    }
    const int stopped = ludus_run_stopped(run);
    struct timespec cpu;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
    fprintf(stderr, "%s %llu steps (update %d) in %.1f s (%.1f s of CPU); checkpoint %s\n",
            stopped ? "interrupted at" : "trained", (unsigned long long)ludus_run_steps(run), ludus_run_update(run),
            s.wall_s, (double)cpu.tv_sec + 1e-9 * (double)cpu.tv_nsec, ludus_run_checkpoint_path(run));
    if (stopped) {
        if (c->ranks > 1)
            fprintf(stderr, "ludus train: interrupted; continue with: mpirun -np %d ludus train --resume %s\n", c->ranks,
                    out);
        else fprintf(stderr, "ludus train: interrupted; continue with: ludus train --resume %s\n", out);
        ludus_run_destroy(run);
        return TRAIN_INTERRUPTED;
    }
    rc = 0;
    if (c->eval_episodes > 0) {
        /* the learner's agent on training and held-out levels: eval.json */
        char path[4096];
        snprintf(path, sizeof path, "%s/eval.json", ludus_run_dir(run));
        ludus_agent *agent;
        if (ludus_run_agent(run, &agent)) rc = fail(NULL);
        else {
            rc = cli_eval_agent(agent, c->env_id, c->env_options, c->train_levels, c->eval_episodes, 0, c->seed, path,
                                stdout);
            ludus_agent_destroy(agent);
        }
        /* report.html beside eval.json (learning curves, results, episodes) */
        if (!rc && report) rc = cli_report_folder(ludus_run_dir(run));
    }
    ludus_run_destroy(run);
    return rc;
}
