#!/usr/bin/env bash
# Steps per second of every registered world of a family at 1 thread, as a
# markdown table for docs/benchmarks.md (`ludus bench`: random actions,
# observations written, auto-reset included).
# Usage: bench/worlds.sh [build/ludus] [family prefix, default MiniGrid]
set -euo pipefail
LUDUS=${1:-build/ludus}
family=${2:-MiniGrid}
steps=${STEPS:-10000000}
echo "| world | steps/s (1 thread) |"
echo "|---|---:|"
"$LUDUS" list --family "$family" | awk '{print $1}' | while read -r id; do
  r=$("$LUDUS" bench "$id" --envs 256 --threads 1 --steps "$steps" | sed -E 's/.* = ([0-9]+) steps\/s.*/\1/')
  awk -v id="$id" -v r="$r" 'BEGIN { printf "| %s | %.2f M |\n", id, r/1e6 }'
done
