/* cmd_experiment.c: `ludus experiment FILE.json`: a thin shell over
 * experiment.h. Checks the file (--check stops there), runs every method
 * and seed into the folder (progress on stderr), and prints the mean
 * held-out solved rate of each method on each world from results.json.
 * Exit status 130 when SIGINT/SIGTERM stopped it (the current run
 * checkpointed: the same command continues).
 *
 * Under mpirun (builds with LUDUS_MPI) the runs are spread over the ranks
 * (ludus_experiment_run_dist, docs/scaling.md): every rank prints its
 * runs' progress (ranks other than 0 prefixed), rank 0 the table and the
 * report; a rank that fails ends the whole job (MPI_Abort), since rank 0
 * waits for its results.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_learn.h"
#include "ludus/dist.h"
#include "ludus/experiment.h"
#ifdef LUDUS_MPI
#include "mpi/dist_mpi.h"
#endif

#define EXPERIMENT_INTERRUPTED 130

typedef struct show {
    int tty;
    uint64_t next_line;
    char who[32];       /* "" on rank 0, else "(rank R) " */
} show;

static void on_event(const ludus_experiment_event *ev, void *user)
{
    show *s = user;
    static const char *const what[] = {"", "finished before, kept", "training", "resuming from its checkpoint", "",
                                       "evaluating", "done"};
    if (ev->kind == LUDUS_EXPERIMENT_PROGRESS) {
        const ludus_run_progress *p = ev->progress;
        const int last = p->steps >= p->total_steps;
        if (s->tty)
            fprintf(stderr, "\r  %s%9llu/%llu steps  %7.0f steps/s  return %.3f   ", s->who, (unsigned long long)p->steps,
                    (unsigned long long)p->total_steps, p->steps_per_s, p->ret);
        else if (p->steps >= s->next_line || last) {
            fprintf(stderr, "  %ssteps %llu/%llu  steps/s %.0f  return %.3f\n", s->who, (unsigned long long)p->steps,
                    (unsigned long long)p->total_steps, p->steps_per_s, p->ret);
            s->next_line = p->steps + p->total_steps / 4;
        }
        if (s->tty && last) fputc('\n', stderr);
        return;
    }
    if (ev->kind == LUDUS_EXPERIMENT_START || ev->kind == LUDUS_EXPERIMENT_RESUME) s->next_line = 0;
    fprintf(stderr, "%s[%d/%d] %s seed %llu (%s): %s\n", s->who, ev->run + 1, ev->runs, ev->method, (unsigned long long)ev->seed,
            ev->dir, what[ev->kind]);
}

/* Mean solved rate over the finished runs of each method, per world. */
static void print_table(const char *dir)
{
    char path[4200];
    if ((size_t)snprintf(path, sizeof path, "%s/results.json", dir) >= sizeof path) return;
    FILE *f = fopen(path, "rb");
    if (!f) return;
    char *text = NULL;
    size_t cap = 0, len = 0, got;
    char chunk[65536];
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + got + 1 > cap) {
            char *t = realloc(text, cap = (len + got + 1) * 2);
            if (!t) break;
            text = t;
        }
        memcpy(text + len, chunk, got);
        len += got;
    }
    fclose(f);
    if (!text) return;
    text[len] = 0;
    cJSON *root = cJSON_Parse(text);
    free(text);
    const cJSON *methods = cJSON_GetObjectItemCaseSensitive(root, "methods");
    const cJSON *worlds = cJSON_GetObjectItemCaseSensitive(root, "worlds");
    const cJSON *runs = cJSON_GetObjectItemCaseSensitive(root, "runs");
    printf("\nsolved rate, mean over seeds (%d episodes per world and run; %s)\n%-28s %-8s",
           cJSON_GetObjectItemCaseSensitive(root, "episodes") ? cJSON_GetObjectItemCaseSensitive(root, "episodes")->valueint : 0,
           path, "world", "split");
    const cJSON *m, *w, *r;
    cJSON_ArrayForEach(m, methods) printf(" %12.12s", m->valuestring);
    putchar('\n');
    cJSON_ArrayForEach(w, worlds) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(w, "name"), *split = cJSON_GetObjectItemCaseSensitive(w, "split");
        if (!cJSON_IsString(name) || !cJSON_IsString(split)) continue;
        printf("%-28.28s %-8s", name->valuestring, split->valuestring);
        cJSON_ArrayForEach(m, methods) {
            double sum = 0;
            int n = 0;
            cJSON_ArrayForEach(r, runs) {
                const cJSON *rm = cJSON_GetObjectItemCaseSensitive(r, "method");
                const cJSON *res = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "results"), name->valuestring);
                const cJSON *sr = cJSON_GetObjectItemCaseSensitive(res, "solved_rate");
                if (cJSON_IsString(rm) && !strcmp(rm->valuestring, m->valuestring) && cJSON_IsNumber(sr)) sum += sr->valuedouble, n++;
            }
            if (n) printf(" %7.3f (%2d)", sum / n, n);
            else printf(" %12s", "-");
        }
        putchar('\n');
    }
    cJSON_Delete(root);
}

int cmd_experiment(int argc, char **argv)
{
    const char *file = NULL, *out = NULL;
    int check = 0, report = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--out") == 0) {
            if (!(out = cli_value(argc, argv, &i))) return CLI_USAGE_ERROR;
        } else if (strcmp(a, "--check") == 0) {
            check = 1;
        } else if (strcmp(a, "--no-report") == 0) {
            report = 0;
        } else if (a[0] == '-') {
            cli_error("experiment: unknown option %s", a);
            cli_usage(stderr, "experiment");
            return CLI_USAGE_ERROR;
        } else if (!file) {
            file = a;
        } else {
            return cli_error("experiment: unexpected argument %s", a);
        }
    }
    if (!file) {
        cli_usage(stderr, "experiment");
        return CLI_USAGE_ERROR;
    }
    ludus_experiment *e;
    if (ludus_experiment_load(file, &e)) {
        fprintf(stderr, "ludus experiment: %s\n", ludus_errmsg());
        return 1;
    }
    char dflt[4096];
    if (!out) { /* experiments/NAME for FILE NAME.json */
        const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
        size_t n = strlen(base);
        if (n > 5 && !strcmp(base + n - 5, ".json")) n -= 5;
        snprintf(dflt, sizeof dflt, "experiments/%.*s", (int)n, base);
        out = dflt;
    }
    const int runs = ludus_experiment_num_runs(e);
    ludus_dist *dist = NULL;
#ifdef LUDUS_MPI
    if (ludus_dist_mpi_launched() && ludus_dist_mpi_create(NULL, NULL, &dist)) {
        fprintf(stderr, "ludus experiment: %s\n", ludus_errmsg());
        ludus_experiment_destroy(e);
        return 1;
    }
#endif
    const int rank = ludus_dist_rank(dist), size = ludus_dist_size(dist);
    if (check) { /* rank 0 alone lists the runs */
        if (!rank) printf("%s: %d runs into %s\n", file, runs, out);
        for (int i = 0; i < runs && !rank; i++) {
            char d[4096];
            ludus_experiment_run_dir(e, i, d, sizeof d);
            printf("  %s/%s\n", out, d);
        }
        ludus_experiment_destroy(e);
        ludus_dist_destroy(dist);
        return 0;
    }
    show s = {.tty = isatty(fileno(stderr))};
    if (rank) snprintf(s.who, sizeof s.who, "(rank %d) ", rank);
    if (size > 1) s.tty = 0; /* ranks share the terminal: plain lines */
    if (!rank) {
        if (size > 1) printf("ludus experiment %s: %d runs into %s over %d ranks\n", file, runs, out, size);
        else printf("ludus experiment %s: %d runs into %s\n", file, runs, out);
        fflush(stdout);
    }
    int rc = ludus_experiment_run_dist(e, out, 1, dist, on_event, &s);
    const int stopped = ludus_experiment_stopped(e), refused = ludus_experiment_refused(e);
    ludus_experiment_destroy(e);
    if (rc && refused) { /* every rank knows; rank 0 says why */
        if (!rank) fprintf(stderr, "ludus experiment: %s\n", ludus_errmsg());
        ludus_dist_destroy(dist);
        return 1;
    }
    if (rc) {
        fprintf(stderr, "ludus experiment%s%.*s: %s\n", rank ? " " : "", rank ? (int)strlen(s.who) - 1 : 0, s.who,
                ludus_errmsg());
#ifdef LUDUS_MPI
        if (size > 1) { /* the others may wait for this rank's results */
            fprintf(stderr, "ludus experiment%s%.*s: ending the job; finished runs are kept: the same command "
                    "continues (mpirun -np %d ludus experiment %s --out %s)\n", rank ? " " : "",
                    rank ? (int)strlen(s.who) - 1 : 0, s.who, size, file, out);
            ludus_dist_mpi_abort(dist, 1);
        }
#endif
        ludus_dist_destroy(dist);
        return 1;
    }
    ludus_dist_destroy(dist);
    if (rank) return stopped ? EXPERIMENT_INTERRUPTED : 0;
    if (stopped) {
        if (size > 1)
            fprintf(stderr, "ludus experiment: interrupted; continue with the same command (mpirun -np %d ludus "
                    "experiment %s --out %s)\n", size, file, out);
        else
            fprintf(stderr, "ludus experiment: interrupted; continue with the same command (ludus experiment %s --out "
                    "%s)\n", file, out);
        return EXPERIMENT_INTERRUPTED;
    }
    print_table(out);
    printf("wrote %s/results.json\n", out);
    return report ? cli_report_folder(out) : 0;
}
