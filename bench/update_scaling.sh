#!/usr/bin/env bash
# update_scaling.sh: how the PPO update's epochs scale from 1 to 2 learner
# threads on the default grid policy (MiniGrid-DoorKey-5x5-v0, the default
# network and config), 1 and 2 threads alternated in each round so the
# machine's load hits both alike.
#   bench/update_scaling.sh [BUILD_DIR] [ROUNDS] [FRAMES] [ENV_ID] [JSON]
#   BASELINE=OTHER_BUILD_DIR bench/update_scaling.sh ...  also runs another
#     build's bench_ppo in the same rounds (before/after a change, side by side)
#   chrt -f 1 bench/update_scaling.sh ...  (root) runs it at real-time
#     priority: on a loaded machine the benchmark then gets the cores as on an
#     idle one (the kernel's real-time throttling still takes 5% a second)
# Per run: the epochs' wall seconds, and their split in thread CPU seconds
# (ludus_ppo_metrics: learn_serial_cpu_s, learn_job_cpu_s, learn_crit_cpu_s,
# learn_wait_cpu_s, timed under LUDUS_PPO_PROFILE=1). At the end, per build,
# over the fastest round of each count:
#   wall speedup = update wall (1 thread) / update wall (2 threads): the
#     figure the issue asks for, meaningful on an idle 2-core machine only;
#   cpu speedup = (serial + jobs at 1 thread) / (serial + critical path at
#     2 threads): what the same run would give with one free core per
#     thread and no wake-up latency, measurable on a loaded machine;
#   per-worker work at 2 threads against 1 = jobs (2) / jobs (1);
#   waiting = the calling thread's CPU inside the pool but in no job
#     (handing out, spinning for the other worker): load and imbalance;
#   unexplained = wall (2) - serial - critical path: time neither thread's
#     CPU accounts for (wake-ups, descheduling, the machine's other load).
set -euo pipefail
build=${1:-build}
rounds=${2:-3}
frames=${3:-40960}
env=${4:-MiniGrid-DoorKey-5x5-v0}
json=${5:-'{}'}
builds=("$build")
[ -n "${BASELINE:-}" ] && builds+=("$BASELINE")
grep -m1 'model name' /proc/cpuinfo
grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|fma|avx512f)$' | tr '\n' ' '; echo
echo "online cpus: $(nproc); scheduling policy: $(chrt -p $$ 2>/dev/null | sed -n 's/.*policy: *//p' | head -1)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); kernels: ${LUDUS_KERNELS:-auto}"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for r in $(seq "$rounds"); do
    for b in "${builds[@]}"; do
        for t in 1 2; do
            out=$(LUDUS_PPO_PROFILE=1 "$b/bench_ppo" "$env" "$frames" "$t" "$json")
            wall=$(echo "$out" | sed -n 's/.*update (PPO epochs): *\([0-9.]*\) s wall, \([0-9.]*\) s cpu.*/\1/p')
            split=$(echo "$out" | sed -n 's/.*serial \([0-9.]*\), jobs \([0-9.]*\) over all workers, critical path \([0-9.]*\);.*waiting in the pool \([0-9.]*\)/\1 \2 \3 \4/p')
            echo "$b $t $wall $split" >>"$tmp"
            printf 'round %d, %s, %d thread(s): epochs %s s wall; thread cpu s: serial %s jobs %s critical path %s waiting %s\n' \
                "$r" "$b" "$t" "$wall" $split
        done
    done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
for b in "${builds[@]}"; do
    echo "== $b"
    awk -v b="$b" '
        $1 == b { t = $2; n[t]++; r[t, n[t]] = $3
                  if (!(t in best) || $3 < best[t]) { best[t] = $3; s[t] = $4; j[t] = $5; c[t] = $6; w[t] = $7 } }
        END {
            printf "per round wall speedup:"
            for (i = 1; i <= n[1] && i <= n[2]; i++) printf " %.3fx", r[1, i] / r[2, i]
            printf "\n"
            printf "fastest round: 1 thread %.3f s, 2 threads %.3f s: wall speedup %.3fx\n", best[1], best[2], best[1] / best[2]
            printf "serial fraction: %.2f%% (1 thread), %.2f%% (2 threads)\n", 100 * s[1] / (s[1] + j[1]), 100 * s[2] / (s[2] + j[2])
            printf "cpu speedup (serial + jobs at 1) / (serial + critical path at 2): %.3fx\n", (s[1] + j[1]) / (s[2] + c[2])
            printf "per-worker work at 2 threads against 1: %.3fx\n", j[2] / j[1]
            printf "waiting in the pool (calling thread): %.4f s (1 thread), %.4f s (2 threads)\n", w[1], w[2]
            printf "unexplained at 2 threads (wall - serial - critical path): %.4f s = %.1f%% of the wall\n", best[2] - s[2] - c[2], 100 * (best[2] - s[2] - c[2]) / best[2]
        }' "$tmp"
done
