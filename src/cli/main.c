/* main.c: the `ludus` command: dispatch to one function per subcommand.
 * Each command lives in its own file (cmd_*.c) and is listed here once.
 */
#include <string.h>

#include "cli.h"
#include "cli_learn.h"

static const cli_command commands[] = {
    {"list", "list the registered worlds", "ludus list [--family F]", cmd_list},
    {"info", "describe a world: spaces, actions, sizes, options",
     "ludus info ID [--options K=V,...]", cmd_info},
    {"play", "play a world in the terminal, or watch a trained agent play it",
     "ludus play ID [--seed S] [--options K=V,...] [--policy CHECKPOINT [--greedy] [--delay MS]]", cmd_play},
    {"trace", "print an episode as JSON lines (the reference trace format)",
     "ludus trace ID --seed S --actions A,A,... [--options K=V,...]", cmd_trace},
    {"text", "print an episode as text, as a language-model agent sees it",
     "ludus text ID --seed S [--actions A,A,...|--random] [--steps N] [--balrog] [--options K=V,...]", cmd_text},
    {"render", "draw a world as a PNG picture",
     "ludus render ID --seed S [--actions A,A,...] [--tile N] [--agent-view] [--no-highlight] [--options K=V,...] -o FILE.png",
     cmd_render},
    {"record", "record an episode as an animated GIF",
     "ludus record ID --seed S (--actions A,A,... | --random [--steps N]) [--tile N] [--fps F] [--agent-view] [--no-highlight] [--options K=V,...] -o FILE.gif",
     cmd_record},
    {"bench", "measure steps per second with random actions",
     "ludus bench ID [--envs N] [--threads T] [--steps K] [--seed S] [--options K=V,...]", cmd_bench},
    {"train", "train an agent (PPO, or another registered learner) in a run folder",
     "ludus train ID [--algo NAME] [--steps N] [--train-levels N] [--seed S] [--threads N]\n"
     "                   [--curriculum NAME] [--out DIR] [--config FILE] [--dataset DIR] [--force] [--no-report]\n"
     "       ludus train --resume DIR [--steps N] [--threads N]\n"
     "       ludus train --list-algos\n"
     "  --algo NAME       the learner (default ppo)\n"
     "  --steps N         world steps to train for\n"
     "  --train-levels N  train on levels [0, N) (0: all)\n"
     "  --seed S          the run's seed\n"
     "  --threads N       the learner's worker threads (default 2)\n"
     "  --curriculum NAME the level sampler: uniform, plr, robust-plr, accel, alp-gmm\n"
     "                    (docs/curricula.md; knobs: config key curriculum_knobs)\n"
     "  --out DIR         the run folder, created with its parents (default runs/ID-seedS)\n"
     "  --config FILE     a flat JSON object of run and learner keys (configs/*.json)\n"
     "  --dataset DIR     the dataset (ludus collect's) bc or cql learns from, or dqn mixes in\n"
     "  --force           clear an existing run folder first\n"
     "  --no-report       skip report.html (written after eval.json by default; see ludus report)\n"
     "  --resume DIR      continue a run from its last checkpoint (Ctrl-C checkpoints; exit status 130)\n"
     "  under mpirun -np N (builds with Open MPI): N processes train one run, num_envs worlds in all\n"
     "                    (docs/scaling.md); --resume needs as many",
     cmd_train},
    {"eval", "evaluate an agent on training and held-out levels",
     "ludus eval (DIR_OR_CHECKPOINT | --agent random ID | --agent CHECKPOINT [ID]) [--env ID] [--options K=V,...]\n"
     "                  [--episodes N] [--train-levels N] [--greedy] [--seed S] [--out FILE]\n"
     "  --agent A         random (uniform actions; needs a world ID) or a checkpoint file\n"
     "  --env ID          the world (default: the checkpoint's); ID after --agent says the same\n"
     "  --options K=V,... world options (default: the run's, in its own world)\n"
     "  --episodes N      episodes per split, 1..1000000 (default: the run's eval_episodes; 1000)\n"
     "  --train-levels N  the training levels [0, N) (default: the run's; 0: all)\n"
     "  --greedy          the most likely actions (default: sampled)\n"
     "  --seed S          action streams and bootstrap resampling (default 0)\n"
     "  --out FILE        the report (default: DIR/eval.json, CHECKPOINT.eval.json, ID.random.eval.json)",
     cmd_eval},
    {"experiment", "train methods x seeds and evaluate them on held-out worlds, into one folder",
     "ludus experiment FILE.json [--out DIR] [--check] [--no-report]\n"
     "  --out DIR         the experiment's folder (default experiments/NAME for NAME.json); run the\n"
     "                    same command again to continue it: finished runs are kept, others resume\n"
     "  --check           check the file and list the runs, without running them\n"
     "  --no-report       skip report.html (written at the end by default; see ludus report)\n"
     "  under mpirun -np N (builds with Open MPI): the runs are shared out over N processes, rank 0\n"
     "                    gathers the results (docs/scaling.md)",
     cmd_experiment},
    {"agent", "a language model (any OpenAI-compatible server) plays a world or a BALROG-style suite",
     "ludus agent (ID | --suite balrog-babyai|balrog-crafter) --base-url URL --model NAME [--episodes N]\n"
     "                   [--levels train|heldout] [--memory none|cases|reflexion|playbook] [--db FILE] [--log FILE] [options]\n"
     "  --prompt naive|cot|robust  the reply format asked for (default naive); --tools: an act tool instead\n"
     "  --strict           only exact action names count (BALROG's leaderboard setting)\n"
     "  --stream           streamed replies (server-sent events)\n"
     "  --history N        past steps in the prompt (16)   --max-tokens N (256)   --temperature T (0)\n"
     "  --timeout-s S (60) --retries N (5)   --parallel N  requests in flight (16)   --wait-health-s S\n"
     "  --max-requests N --max-tokens-total N --max-wall-s S  budgets: exit status 3 with a partial summary\n"
     "  --key-env VAR      the variable holding the API key (default LUDUS_LLM_API_KEY, then OPENAI_API_KEY)\n"
     "  --deterministic-log  timings in the JSONL log written as 0\n"
     "  --options K=V,...  the world's options (e.g. mask=0 for Web-*: every action reaches the world)\n"
     "  --retrieval fts|embeddings|auto  how --memory cases finds similar episodes: FTS5 (default), the\n"
     "                     server's /v1/embeddings, or embeddings when a probe answers, else FTS5\n"
     "  --embed-model NAME the model named in embedding requests (default: --model)\n"
     "  --protocol before-after  both splits with the memory frozen, a learning pass on the training\n"
     "                     levels, both splits again; one table of success before and after",
     cmd_agent},
    {"collect", "record an agent's episodes as a Minari dataset (HDF5)",
     "ludus collect ID --agent random|CHECKPOINT --episodes N --out DIR [--levels train|heldout]\n"
     "                   [--train-levels N] [--seed S] [--greedy] [--options K=V,...] [--name NS/NAME-vN]\n"
     "                   [--jpeg-quality Q]\n"
     "  --agent A         random, or a checkpoint file (ID then defaults to its world)\n"
     "  --episodes N      episodes to record\n"
     "  --out DIR         the datasets' root: writes DIR/NS/NAME-vN/data/{metadata.json,main_data.hdf5}\n"
     "  --levels L        train: levels [0, N) (N: --train-levels, else the checkpoint's run's; 0: all);\n"
     "                    heldout: levels from 1000000000\n"
     "  --seed S          the action streams (episode i's from (S, i))\n"
     "  --greedy          the agent's most likely actions (default: sampled)\n"
     "  --name ID         the dataset id (default: ID-without-vN/AGENT[-heldout]-v0)\n"
     "  --jpeg-quality Q  of frames Minari stores as JPEG (1..100, default 75 as PIL)",
     cmd_collect},
    {"dataset", "summarize a dataset: episodes, steps, returns, levels; merge several into one",
     "ludus dataset info DIR\n"
     "       ludus dataset merge --out DIR --name NS/NAME-vN SRC...  (one world and level split; episodes in order)",
     cmd_dataset},
    {"report", "write report.html over run and experiment folders (curves, intervals, GIFs)",
     "ludus report DIR... [--out FILE] [--episodes N] [--no-gifs] [--tile N] [--max-frames N] [--levels N]\n"
     "             [--reps N] [--seed S]\n"
     "  DIR               a run folder (config.json, metrics.csv, eval.json) or an experiment folder\n"
     "                    (experiment.json, results.json, runs/METHOD/seedS/)\n"
     "  --out FILE        where the report goes (default: the first DIR's report.html)\n"
     "  --episodes N      held-out episodes each method's checkpoint plays for the best, median and\n"
     "                    worst GIFs, 0..1000 (default 16); --no-gifs: none\n"
     "  --tile N          pixels per cell in the GIFs, 1..64 (default 16)\n"
     "  --max-frames N    frames kept per GIF (default 300)\n"
     "  --levels N        levels pictured per run with a curriculum, the most probable under its\n"
     "                    replay distribution, 0..64 (default 8)\n"
     "  --reps N          bootstrap replicates of the aggregates (default 50000)\n"
     "  --seed S          bootstrap and episode seed (default 0)",
     cmd_report},
    {"mcp", "serve the worlds as tools to MCP clients (stdio, or Streamable HTTP)",
     "ludus mcp [--http HOST:PORT [--token T] [--allow-origin O]... [--allow-remote]] [limits]\n"
     "  (no --http)       MCP over stdin/stdout, one JSON-RPC message per line, until end of input\n"
     "  --http HOST:PORT  Streamable HTTP at http://HOST:PORT/mcp (port 0: any free port, printed)\n"
     "  --token T         require `Authorization: Bearer T` (default $LUDUS_MCP_TOKEN)\n"
     "  --allow-origin O  accept browser requests from Origin O too (localhost is always accepted)\n"
     "  --allow-remote    allow a HOST that is not a loopback address\n"
     "limits: --max-sessions N (16)  --max-worlds N (64, all sessions)  --max-worlds-per-session N (8)\n"
     "        --world-ttl SECONDS (1800: idle worlds and HTTP sessions are closed)\n"
     "        --max-request BYTES (1048576)  --max-steps-per-call N (1000)",
     cmd_mcp},
};
#define NUM_COMMANDS ((int)(sizeof commands / sizeof commands[0]))

void cli_usage(FILE *f, const char *name)
{
    for (int i = 0; i < NUM_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0) fprintf(f, "usage: %s\n", commands[i].usage);
}

static void help(FILE *f)
{
    fprintf(f, "ludus %s: worlds for agents that learn online and generalize\n\n", ludus_version());
    fprintf(f, "usage: ludus COMMAND [ARGS]\n\ncommands:\n");
    for (int i = 0; i < NUM_COMMANDS; i++) fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n`ludus COMMAND --help` shows a command's arguments; `ludus --version` the version.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        help(stderr);
        return CLI_USAGE_ERROR;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        help(stdout);
        return 0;
    }
    if (strcmp(name, "--version") == 0) {
        printf("ludus %s\n", ludus_version());
        return 0;
    }
    for (int i = 0; i < NUM_COMMANDS; i++) {
        if (strcmp(commands[i].name, name) != 0) continue;
        for (int a = 2; a < argc; a++)
            if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
                printf("usage: %s\n", commands[i].usage);
                return 0;
            }
        return commands[i].run(argc - 1, argv + 1);
    }
    cli_error("unknown command '%s' (try `ludus --help`)", name);
    return CLI_USAGE_ERROR;
}
