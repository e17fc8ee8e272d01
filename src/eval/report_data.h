/* report_data.h: what report.html is drawn from, read from run and
 * experiment folders: CSV tables (kept verbatim for the data appendix),
 * each run's configuration and its per-world results. Private.
 */
#ifndef LUDUS_EVAL_REPORT_DATA_H
#define LUDUS_EVAL_REPORT_DATA_H

#include <stddef.h>
#include <stdint.h>

typedef struct rep_csv {
    char *text;      /* the file as read (NUL-terminated) */
    size_t len;
    char *parse;     /* a copy split in place into cells */
    int ncols, nrows;
    char **head;     /* (ncols) */
    char **cell;     /* (nrows, ncols) */
    int *line;       /* (nrows) the file line of each row, for messages */
} rep_csv;

typedef struct rep_result {
    char world[128];     /* the world's name in results.json (its id unless named) */
    char id[128];        /* the world id to make it with */
    char options[256];   /* its options ("" when none) */
    uint64_t level_start; /* its first evaluation level */
    int heldout;         /* 1: held-out split; 0: train */
    double solved, ret;  /* solved rate, mean return */
    double lo, hi;       /* the solved rate's interval where the source has one; NaN otherwise */
} rep_result;

typedef struct rep_run {
    char *dir;           /* the run folder */
    char *method;        /* the method's label */
    long long seed;
    char *env_id, *env_options;
    char *config;        /* config.json's text */
    char *commit;        /* NULL: not recorded */
    rep_csv metrics;
    rep_csv curve;       /* eval_curve.csv; nrows 0 when absent */
    int has_curve;
    rep_result *res;
    int nres;
    int has_checkpoint;
} rep_run;

typedef struct rep_source { /* one DIR of the command line */
    char *dir;
    int experiment;
    char *experiment_json, *results_json; /* experiment folders only */
    char *commit;
} rep_source;

typedef struct rep_model {
    rep_run *runs;
    int nruns;
    rep_source *src;
    int nsrc;
    char **methods;      /* distinct labels in order of appearance */
    int nmethods;
} rep_model;

/* report_levels.c: pictures of the k levels run r's curriculum favours
 * (PNG frames at `tile` pixels per cell, written through tmp_png) as an
 * <h4> and <figure>s; *drawn 1 when the run has a curriculum (its state
 * unreadable is a note, not an error). Only LUDUS_ENOMEM and I/O errors
 * fail. */
struct hbuf;
int ludus_rep_levels(struct hbuf *b, const rep_run *r, int k, int tile, const char *tmp_png, int *drawn);

int ludus_rep_load(rep_model *m, const char *const *dirs, int ndirs);
void ludus_rep_free(rep_model *m);
/* Column index by name, or -1. */
int ludus_rep_csv_col(const rep_csv *c, const char *name);
/* Column `col` as numbers into out (nrows); "", "nan" and "NaN" are NaN;
 * anything else that is not a number is LUDUS_EFORMAT naming the file,
 * line and column. */
int ludus_rep_csv_numbers(const rep_csv *c, const char *path, int col, double *out);

#endif
