/* bench_ppo.c: PPO training throughput in frames per second (world steps
 * + policy forward + backward + Adam) for the default policy, printing a
 * metrics line per update so learning can be watched at the same time,
 * then the time in each phase (wall and process CPU seconds).
 *   bench_ppo [ENV_ID] [STEPS] [THREADS] [JSON config overrides] [STOP]
 * e.g. bench_ppo MiniGrid-DoorKey-5x5-v0 100000 2 '{"epochs": 4}'
 * With STOP (a success rate), the run ends once five updates in a row
 * reach it, for tuning sweeps; the learning-rate schedule still spans STEPS.
 * Last, the PPO epochs' achieved GFLOP/s (the library's count of matrix
 * product and embedding-convolution operations, ludus_ppo_metrics's
 * learn_flops) and its fraction of the fp32 peak of THREADS cores
 * (bench/peak.h says how the peak is computed): over wall seconds (what a
 * user gets; a shared machine lowers it) and over the process's CPU
 * seconds (the rate while it ran, against one core's peak).
 * Before it, the epochs' split into serial and parallel thread CPU seconds
 * (ludus_ppo_metrics's learn_serial_cpu_s ..., with LUDUS_PPO_PROFILE=1
 * in the environment; bench/update_scaling.sh).
 */
#include <stdio.h>
#include <stdlib.h>

#include "ludus/learn.h"
#include "ludus/nn.h"
#include "peak.h"

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
    double rollout = 0, world = 0, learn = 0, rollout_cpu = 0, learn_cpu = 0, learn_flops = 0;
    double serial = 0, job = 0, crit = 0, wait = 0;
    double stop = argc > 5 ? atof(argv[5]) : 2.0;
    int streak = 0;
    while (!ludus_ppo_done(ppo)) {
        if (ludus_ppo_update(ppo, &m)) {
            fprintf(stderr, "bench_ppo: %s\n", ludus_errmsg());
            return 1;
        }
        rollout += m.rollout_s, world += m.world_s, learn += m.learn_s;
        rollout_cpu += m.rollout_cpu_s, learn_cpu += m.learn_cpu_s, learn_flops += m.learn_flops;
        serial += m.learn_serial_cpu_s, job += m.learn_job_cpu_s, crit += m.learn_crit_cpu_s;
        wait += m.learn_wait_cpu_s;
        printf("update %4d steps %8llu wall %7.2f sps %8.0f ret %.3f succ %.3f ent %.3f kl %.4f clip %.3f vloss %.4f\n",
               m.update, (unsigned long long)m.steps, m.wall, m.sps, m.ret, m.success, m.entropy,
               m.approx_kl, m.clip_frac, m.value_loss);
        if (m.episodes) streak = m.success >= stop ? streak + 1 : 0;
        if (streak >= 5) break;
    }
    double f = (double)m.steps;
    printf("bench_ppo: %s, %d threads, %llu frames in %.2f s wall: %.0f frames/s\n", id, cfg.num_threads,
           (unsigned long long)m.steps, m.wall, f / m.wall);
    printf("  rollout (acting + worlds): %.2f s wall, %.2f s cpu: %.0f frames/s (worlds alone %.3f s wall)\n",
           rollout, rollout_cpu, f / rollout, world);
    printf("  update (PPO epochs):       %.2f s wall, %.2f s cpu: %.0f frames/s\n", learn, learn_cpu, f / learn);
    if (job > 0)
        printf("  update split (thread cpu s): serial %.4f, jobs %.4f over all workers, critical path %.4f; "
               "serial fraction %.2f%%, bound on the speedup over one worker %.3fx; waiting in the pool %.4f\n",
               serial, job, crit, 100.0 * serial / (serial + job), (serial + job) / (serial + crit), wait);
    peak_info pi;
    peak_measure(&pi, cfg.num_threads > 0 ? cfg.num_threads : 1);
    peak_print(&pi);
    printf("  update rate (%s kernels): %.2f GFLOP in the epochs; %.1f GFLOP/s over wall = %.1f%% of the peak of "
           "%d core%s (%.1f GFLOP/s); %.1f GFLOP/s per CPU second = %.1f%% of one core's peak\n",
           ludus_nn_kernels(), learn_flops * 1e-9, learn_flops / learn * 1e-9, 100.0 * learn_flops / learn / pi.peak,
           pi.cores, pi.cores > 1 ? "s" : "", pi.peak * 1e-9, learn_flops / learn_cpu * 1e-9,
           100.0 * learn_flops / learn_cpu / pi.core_peak);
    ludus_ppo_destroy(ppo);
    return 0;
}
