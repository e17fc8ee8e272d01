/* cmd_info.c: `ludus info ID`: everything a user needs to drive a world:
 * spaces, actions, observation layout, sizes, options.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cmd_info(int argc, char **argv)
{
    const char *id = NULL, *options = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--options") == 0) {
            if (!(options = cli_value(argc, argv, &i))) return CLI_USAGE_ERROR;
        } else if (argv[i][0] == '-') {
            return cli_error("info: unknown flag '%s'", argv[i]);
        } else if (!id) {
            id = argv[i];
        } else {
            return cli_error("info: unexpected argument '%s'", argv[i]);
        }
    }
    if (!id) {
        cli_usage(stderr, "info");
        return cli_error("info: which world? (`ludus list` shows them)");
    }
    ludus_env *env;
    if (cli_make_env(id, options, &env)) return 1;
    const ludus_env_info *in = ludus_env_get_info(env);
    printf("id            %s\n", in->id);
    printf("family        %s\n", in->family);
    printf("description   %s\n", in->description);
    printf("world size    %d x %d cells\n", in->width, in->height);
    if (in->max_steps) printf("max steps     %u\n", in->max_steps);
    else printf("max steps     depends on the level\n");
    if (in->action_dims == 1) {
        printf("actions       Discrete(%d)", in->num_actions);
        if (in->max_action > in->num_actions)
            printf(" (step also accepts 0..%d, as the reference does)", in->max_action - 1);
        printf("%s\n", in->mask_size ? ", with a legal-action mask" : "");
        for (int a = 0; a < in->num_actions; a++) printf("  %2d  %s\n", a, in->action_names[a]);
    } else {
        printf("actions       MultiDiscrete([");
        for (int k = 0; k < in->action_dims; k++) printf("%s%d", k ? ", " : "", in->action_nvec[k]);
        printf("])%s; --actions takes one C0:C1:... per step\n", in->mask_size ? ", with a legal-action mask" : "");
        for (int k = 0, a = 0; k < in->action_dims; k++)
            for (int v = 0; v < in->action_nvec[k]; v++, a++)
                printf("  %d:%-3d %s\n", k, v, in->action_names[a]);
    }
    printf("observation   %zu bytes, uint8\n", in->obs_size);
    for (int f = 0; f < in->num_obs_fields; f++) {
        const ludus_obs_field *o = &in->obs_fields[f];
        printf("  %-12s offset %4zu  shape (", o->name, o->offset);
        for (int d = 0; d < o->ndim; d++) printf("%s%d", d ? ", " : "", o->shape[d]);
        printf("%s)  values %d..%d\n", o->ndim == 1 ? "," : "", o->low, o->high);
    }
    printf("mission       up to %zu bytes\n", in->mission_capacity ? in->mission_capacity - 1 : 0);
    printf("text          up to %zu bytes (ludus_env_text)\n", in->text_capacity);
    printf("state         %zu bytes, flat (memcpy clones it)\n", in->state_size);
    if (ludus_env_level_size(env))
        printf("level         %zu bytes, a block to store, edit and replay (ludus_env_reset_level)\n",
               ludus_env_level_size(env));
    int w, h;
    ludus_render_opts ro = {0, 0, 1};
    if (ludus_env_render_size(env, &ro, &w, &h) == LUDUS_OK) printf("frame         %d x %d RGB (default tile)\n", w, h);
    if (in->options_doc) printf("options       %s\n", in->options_doc);
    /* Level generation: how often levels are rejected and drawn again, and
     * how the step limit varies, over the first levels. */
    enum { PROBE_LEVELS = 200 };
    void *st = ludus_env_state_new(env);
    uint64_t rejected = 0, most = 0;
    uint32_t lo = UINT32_MAX, hi = 0;
    for (uint64_t seed = 0; st && seed < PROBE_LEVELS; seed++) {
        if (ludus_env_reset(env, st, seed, NULL) != LUDUS_OK) {
            free(st);
            ludus_env_destroy(env);
            return cli_fail("info: reset");
        }
        uint32_t r = ludus_env_rejections(env, st), m = ludus_env_max_steps(env, st);
        rejected += r;
        if (r > most) most = r;
        if (m < lo) lo = m;
        if (m > hi) hi = m;
    }
    free(st);
    if (!in->max_steps) printf("step limits   %u..%u over levels 0..%d\n", lo, hi, PROBE_LEVELS - 1);
    if (rejected)
        printf("generation    %.2f rejected samples per level on average (at most %llu) over levels 0..%d\n",
               (double)rejected / PROBE_LEVELS, (unsigned long long)most, PROBE_LEVELS - 1);
    ludus_env_destroy(env);
    return 0;
}
