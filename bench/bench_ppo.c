/* bench_ppo.c: PPO training throughput in frames per second (world steps
 * + policy forward + backward + Adam) for the default policy, printing a
 * metrics line per update so learning can be watched at the same time.
 *   bench_ppo [ENV_ID] [STEPS] [THREADS] [key=value JSON overrides]
 * e.g. bench_ppo MiniGrid-DoorKey-5x5-v0 100000 2 '{"epochs": 4}'
 */
#include <stdio.h>
#include <stdlib.h>

#include "ludus/learn.h"

int main(int argc, char **argv)
{
    const char *id = argc > 1 ? argv[1] : "MiniGrid-DoorKey-5x5-v0";
    ludus_ppo_config cfg;
    ludus_ppo_config_default(&cfg, id);
    if (argc > 2) cfg.total_steps = strtoull(argv[2], NULL, 10);
    if (argc > 3) cfg.num_threads = atoi(argv[3]);
    if (argc > 4 && ludus_ppo_config_apply_json(&cfg, argv[4])) {
        fprintf(stderr, "bench_ppo: %s\n", ludus_errmsg());
        return 2;
    }
    ludus_ppo *ppo;
    if (ludus_ppo_create(&cfg, &ppo)) {
        fprintf(stderr, "bench_ppo: %s\n", ludus_errmsg());
        return 1;
    }
    ludus_ppo_metrics m = {0};
    while (!ludus_ppo_done(ppo)) {
        if (ludus_ppo_update(ppo, &m)) {
            fprintf(stderr, "bench_ppo: %s\n", ludus_errmsg());
            return 1;
        }
        printf("update %4d steps %8llu wall %7.2f sps %8.0f ret %.3f succ %.3f ent %.3f kl %.4f clip %.3f vloss %.4f\n",
               m.update, (unsigned long long)m.steps, m.wall, m.sps, m.ret, m.success, m.entropy,
               m.approx_kl, m.clip_frac, m.value_loss);
    }
    printf("bench_ppo: %s %llu frames in %.2f s: %.0f frames/s (%d threads)\n", id,
           (unsigned long long)m.steps, m.wall, m.steps / m.wall, cfg.num_threads);
    ludus_ppo_destroy(ppo);
    return 0;
}
