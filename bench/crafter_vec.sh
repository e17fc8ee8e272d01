#!/usr/bin/env bash
# Crafter through the vec at 1 and 2 threads, exact and fast mode, symbolic
# and RGB observation, as a markdown table for docs/benchmarks.md
# (`ludus bench`: random actions, auto-reset included, so world generation
# is in the figures). Usage: bench/crafter_vec.sh [build/ludus]
set -euo pipefail
LUDUS=${1:-build/ludus}
envs=${ENVS:-256}
rate() { "$LUDUS" bench Crafter-Reward-v1 --envs "$envs" --threads "$1" --steps "$2" --options "$3" |
           sed -E 's/.* = ([0-9]+) steps\/s.*/\1/'; }
echo "| mode | observation | 1 thread | 2 threads | scaling |"
echo "|---|---|---:|---:|---:|"
for obs in symbolic rgb; do
  for mode in fast exact; do
    steps=$([ "$obs" = rgb ] && echo 200000 || echo 2000000)
    a=$(rate 1 "$steps" "mode=$mode,obs=$obs"); b=$(rate 2 "$steps" "mode=$mode,obs=$obs")
    awk -v m="$mode" -v o="$obs" -v a="$a" -v b="$b" \
      'BEGIN { printf "| %s | %s | %d | %d | %.2fx |\n", m, o, a, b, b/a }'
  done
done
