/* cli_learn.h: the learning commands of `ludus` (train, eval) and the
 * evaluation report they share. Like every command, each takes argv with
 * the command name in argv[0] and returns the exit status (0 ok, 1
 * failure, 2 bad usage).
 */
#ifndef LUDUS_CLI_LEARN_H
#define LUDUS_CLI_LEARN_H

#include <stdint.h>
#include <stdio.h>

#include "ludus/agent.h"

int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_experiment(int argc, char **argv);

/* The evaluation report of any agent (env_id NULL: the agent's world;
 * env_options NULL: the agent's options there): eval.json to json_path
 * (NULL: none) and a table to `table` (NULL: none). Returns 0, or prints
 * the error and returns 1. */
/* `--agent llm:K=V,...` (cmd_agent.c): the llm runner and its agent; 0 or
 * an exit status (the error printed). The caller destroys both. */
typedef struct ludus_llm ludus_llm;
int cli_llm_agent_from_spec(const char *spec, ludus_llm **llm, ludus_agent **agent);

int cli_eval_agent(ludus_agent *agent, const char *env_id, const char *env_options, uint64_t train_levels,
                   int episodes, int greedy, uint64_t seed, const char *json_path, FILE *table);

/* Evaluate a checkpoint on the training levels [0, train_levels) and on
 * held-out levels (env_options NULL: the run's), write the JSON report to
 * json_path and a table to `table` (NULL: none); Crafter's add the
 * achievements' success rates and the Crafter score. Returns 0 or prints
 * the error and returns 1. */
int cli_eval_report(const char *checkpoint, const char *env_id, const char *env_options,
                    uint64_t train_levels, int episodes, int greedy, uint64_t seed, const char *json_path,
                    FILE *table);

#endif
