/* cli.h: shared pieces of the `ludus` command: argument parsing that turns
 * every bad argument into a one-line error and exit status 2, and the
 * command table. The CLI is the only place that prints freely or exits.
 */
#ifndef LUDUS_CLI_H
#define LUDUS_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "ludus/ludus.h"

#define CLI_USAGE_ERROR 2

/* Print "ludus: <message>" to stderr; returns CLI_USAGE_ERROR (or 1 for
 * cli_fail, which reports a library failure with ludus_errmsg()). */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_fail(const char *what);

/* Parsers: return 0 on success, print the error and return non-zero. */
int cli_parse_u64(const char *flag, const char *s, uint64_t *out);
int cli_parse_int(const char *flag, const char *s, long lo, long hi, long *out);
int cli_parse_double(const char *flag, const char *s, double lo, double hi, double *out);
/* "2,2,5,..." -> malloc'd array of count steps x info->action_dims
 * components; a world of several components takes "C0:C1:..." per step
 * ("1:3,0:2"). Every component is checked against its range. */
int cli_parse_actions(const char *s, const ludus_env_info *info, int32_t **actions, int *count);
/* A uniformly random legal action of `state` into a (action_dims): each
 * component uniform over its values allowed by the mask (one draw per
 * component; a one-component world without a mask draws exactly
 * integers(0, num_actions)). */
void cli_random_action(const ludus_env *env, const void *state, ludus_rng *rng, int32_t *a);
/* The action's name ("go forward"; "slot 2, digit 3" for several
 * components) into buf. */
const char *cli_action_name(const ludus_env_info *info, const int32_t *a, char *buf, size_t cap);

/* A flag's value: argv[*i + 1], or an error if it is missing. */
const char *cli_value(int argc, char **argv, int *i);

/* Make the world `id` (printing the library's message on failure). */
int cli_make_env(const char *id, const char *options, ludus_env **env);

/* Seconds on a monotonic clock. */
double cli_now(void);

typedef struct cli_command {
    const char *name;
    const char *summary;
    const char *usage;
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
} cli_command;

int cmd_list(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_play(int argc, char **argv);
int cmd_text(int argc, char **argv);
int cmd_render(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_mcp(int argc, char **argv);
int cmd_agent(int argc, char **argv);
/* datasets (issue 13): cmd_data.c */
int cmd_collect(int argc, char **argv);
int cmd_dataset(int argc, char **argv);
int cmd_report(int argc, char **argv);
/* DIR/report.html with the default options (the end of `train` and
 * `experiment`); prints where it went, or the error. 0 or 1. */
int cli_report_folder(const char *dir);

/* Print a command's usage line to `f`. */
void cli_usage(FILE *f, const char *name);

#endif
