/* cmd_report.c: `ludus report DIR... [--out FILE]`: report.html over run
 * and experiment folders. A thin shell over ludus_report_write: parse,
 * call, print where the report went.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ludus/report.h"

int cli_report_folder(const char *dir)
{
    if (ludus_report_write(&dir, 1, NULL, NULL) != LUDUS_OK) return cli_fail("report");
    printf("wrote %s/report.html\n", dir);
    return 0;
}

int cmd_report(int argc, char **argv)
{
    ludus_report_options o;
    ludus_report_options_default(&o);
    const char *out = NULL;
    const char **dirs = calloc((size_t)argc, sizeof *dirs);
    int nd = 0, rc = 0;
    if (!dirs) return cli_error("report: out of memory");
    for (int i = 1; i < argc && !rc; i++) {
        const char *a = argv[i];
        long v;
        int takes = strcmp(a, "--out") == 0 || strcmp(a, "-o") == 0 || strcmp(a, "--episodes") == 0 ||
                    strcmp(a, "--tile") == 0 || strcmp(a, "--max-frames") == 0 || strcmp(a, "--reps") == 0 ||
                    strcmp(a, "--seed") == 0 || strcmp(a, "--levels") == 0;
        const char *val = NULL;
        if (takes && !(val = cli_value(argc, argv, &i))) {
            rc = CLI_USAGE_ERROR;
            break;
        }
        if (strcmp(a, "--out") == 0 || strcmp(a, "-o") == 0) {
            out = val;
        } else if (strcmp(a, "--episodes") == 0) {
            if ((rc = cli_parse_int(a, val, 0, 1000, &v)) == 0) o.gif_episodes = (int)v;
        } else if (strcmp(a, "--tile") == 0) {
            if ((rc = cli_parse_int(a, val, 1, 64, &v)) == 0) o.gif_tile = (int)v;
        } else if (strcmp(a, "--max-frames") == 0) {
            if ((rc = cli_parse_int(a, val, 1, 10000, &v)) == 0) o.gif_max_frames = (int)v;
        } else if (strcmp(a, "--reps") == 0) {
            if ((rc = cli_parse_int(a, val, 1, LUDUS_STATS_MAX_REPS, &v)) == 0) o.reps = (int)v;
        } else if (strcmp(a, "--levels") == 0) {
            if ((rc = cli_parse_int(a, val, 0, 64, &v)) == 0) o.levels = (int)v;
        } else if (strcmp(a, "--seed") == 0) {
            rc = cli_parse_u64(a, val, &o.seed);
        } else if (strcmp(a, "--no-gifs") == 0) {
            o.gif_episodes = 0;
        } else if (a[0] == '-' && a[1]) {
            rc = cli_error("report: unknown argument '%s' (see `ludus report --help`)", a);
        } else
            dirs[nd++] = a;
    }
    if (!rc && !nd) rc = cli_error("report: name at least one run or experiment folder (see `ludus report --help`)");
    if (!rc) {
        if (ludus_report_write(dirs, nd, &o, out) != LUDUS_OK) rc = cli_fail("report");
        else {
            if (out) printf("wrote %s\n", out);
            else printf("wrote %s/report.html\n", dirs[0]);
        }
    }
    free(dirs);
    return rc;
}
