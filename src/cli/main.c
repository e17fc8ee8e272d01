/* main.c: the `ludus` command. The only place that prints freely or exits.
 * (Branch nn: the learning commands; main's dispatch table absorbs them.)
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli_learn.h"
#include "ludus/ludus.h"

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "train") == 0) return cmd_train(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "eval") == 0) return cmd_eval(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "--version") != 0) {
        fprintf(stderr, "ludus: unknown command %s (train, eval)\n", argv[1]);
        return 2;
    }
    printf("ludus %s\n", ludus_version());
    return 0;
}
