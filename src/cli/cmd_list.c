/* cmd_list.c: `ludus list`: every registered id with its one-line description. */
#include <string.h>
#include <strings.h>

#include "cli.h"

int cmd_list(int argc, char **argv)
{
    const char *family = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--family") == 0) {
            if (!(family = cli_value(argc, argv, &i))) return CLI_USAGE_ERROR;
        } else {
            cli_usage(stderr, "list");
            return cli_error("list: unexpected argument '%s'", argv[i]);
        }
    }
    int n = ludus_env_count(), shown = 0;
    for (int i = 0; i < n; i++) {
        const char *id = ludus_env_id(i);
        if (family) {
            /* The family is the id's prefix ("MiniGrid", "BabyAI", "Crafter"). */
            size_t fl = strlen(family);
            if (strncasecmp(id, family, fl) != 0 || id[fl] != '-') continue;
        }
        printf("%-44s %s\n", id, ludus_env_describe(id));
        shown++;
    }
    if (family && !shown) return cli_error("list: no world in family '%s'", family);
    return 0;
}
