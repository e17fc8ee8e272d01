#!/usr/bin/env bash
# learning.sh: the "Learning" table of docs/benchmarks.md. For each world
# and training seed, `ludus train` with the world's recommended config
# (configs/ID.json when it exists, else the defaults), then one markdown row:
# frames trained, when it learned (the first update that starts five in a
# row with rollout success >= 0.9: frames, wall and CPU seconds;
# bench/learned_at.py), the run's wall
# and CPU seconds (training only), and the success on 1,000 held-out levels
# from eval.json (sampled actions, 95% bootstrap interval).
#   bench/learning.sh BUILD_DIR OUT_DIR ID[,ID...] SEED... [-- extra train flags]
# e.g. bench/learning.sh build /tmp/runs MiniGrid-DoorKey-8x8-v0 1 2 3
set -euo pipefail
build=$1 out=$2 ids=$3
shift 3
seeds=() extra=()
while [ $# -gt 0 ]; do
  if [ "$1" = "--" ]; then shift; extra=("$@"); break; fi
  seeds+=("$1"); shift
done
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
echo "| world | seed | frames | learned at (frames, wall, CPU) | train wall | train CPU | held-out success [95% CI] |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for id in ${ids//,/ }; do
  cfg=()
  [ -f "$here/configs/$id.json" ] && cfg=(--config "$here/configs/$id.json")
  for s in "${seeds[@]}"; do
    run="$out/$id-s$s"
    "$build/ludus" train "$id" "${cfg[@]}" --seed "$s" --out "$run" --force "${extra[@]}" >/dev/null 2>"$run.log" || {
      echo "| $id | $s | failed: $(tail -1 "$run.log") |"; continue; }
    python3 - "$run" "$id" "$s" "$here/bench" <<'PY'
import csv, json, sys
run, world, seed, bench = sys.argv[1:]
sys.path.insert(0, bench)
from learned_at import learned_at
rows = list(csv.DictReader(open(f"{run}/metrics.csv")))
at = learned_at(rows)
last = rows[-1]
h = json.load(open(f"{run}/eval.json"))["splits"]["heldout"]["success"]
learned = f"{int(at['steps']):,}, {float(at['wall_s']):.1f} s, {float(at['cpu_s']):.1f} s CPU" if at else "not within the run"
print(f"| {world} | {seed} | {int(last['steps']):,} | {learned} | {float(last['wall_s']):.1f} s | "
      f"{float(last['cpu_s']):.1f} s | {h['mean']:.3f} [{h['ci95'][0]:.3f}, {h['ci95'][1]:.3f}] |")
PY
  done
done
