#!/usr/bin/env bash
# kernels_ppo.sh: the PPO update's GFLOP/s and fraction of the fp32 peak
# (bench_ppo's last line) for the default grid policy, Crafter's symbolic
# policy, a recurrent (GRU) policy and the pixel encoder, each under the
# kernels' auto choice and under OpenBLAS alone (LUDUS_KERNELS=blas),
# alternated in one loop so a shared machine's load hits both alike.
#   bench/kernels_ppo.sh [BUILD_DIR] [ROUNDS] [THREADS]
set -euo pipefail
build=${1:-build}
rounds=${2:-2}
threads=${3:-1}
pixels='{"env_options": "mode=fast,obs=rgb", "arch": {"conv1": 32, "kernel1": 4, "stride1": 4, "conv2": 64, "kernel": 3, "stride2": 2, "hidden": 256, "head": 64}}'
run() { # name env frames json
    for k in auto blas; do
        line=$(LUDUS_KERNELS=$k "$build/bench_ppo" "$2" "$3" "$threads" "$4" | tail -1)
        echo "$1 [$k] $line"
    done
}
grep -m1 'model name' /proc/cpuinfo
grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|fma|avx512f)$' | tr '\n' ' '; echo
for r in $(seq "$rounds"); do
    echo "# round $r"
    run grid MiniGrid-DoorKey-5x5-v0 40960 '{}'
    run crafter-symbolic Crafter-Reward-v1 16384 '{}'
    run gru64 MiniGrid-MemoryS7-v0 40960 '{}'
    run gru256 MiniGrid-MemoryS7-v0 20480 '{"arch": {"memory": 256}}'
    run pixels Crafter-Reward-v1 8192 "$pixels"
done
