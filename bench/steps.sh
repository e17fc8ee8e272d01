#!/usr/bin/env bash
# World steps per second at 1 and 2 threads, as a markdown table for
# docs/benchmarks.md. Random actions, observations written, auto-reset
# included (`ludus bench`). Usage: bench/steps.sh [build/ludus] [IDS...]
set -euo pipefail
LUDUS=${1:-build/ludus}; shift || true
ids=("$@")
[ ${#ids[@]} -gt 0 ] || ids=(MiniGrid-Empty-8x8-v0 MiniGrid-DoorKey-8x8-v0 MiniGrid-FourRooms-v0 MiniGrid-LavaCrossingS9N2-v0)
steps=${STEPS:-50000000}
envs=${ENVS:-256}
rate() { "$LUDUS" bench "$1" --envs "$envs" --threads "$2" --steps "$steps" | sed -E 's/.* = ([0-9]+) steps\/s.*/\1/'; }
echo "| world | 1 thread | 2 threads | scaling |"
echo "|---|---:|---:|---:|"
for id in "${ids[@]}"; do
  a=$(rate "$id" 1); b=$(rate "$id" 2)
  awk -v id="$id" -v a="$a" -v b="$b" 'BEGIN { printf "| %s | %.2f M | %.2f M | %.2fx |\n", id, a/1e6, b/1e6, b/a }'
done
