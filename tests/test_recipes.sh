#!/usr/bin/env bash
# test_recipes.sh: the shipped PPO recipes (configs/ID.json, else the
# defaults) and the "learned" criterion of issue 18 (bench/learned_at.py:
# the first update that starts five in a row, among updates in which
# episodes ended, at rollout success >= 0.9).
# Always: learned_at.py against hand-made metrics.csv files whose answer
# is known (skipped updates without episodes, a run of four, a dip, nan
# success, a learned run's first row), and every recipe file in configs/
# is a flat JSON object naming its world.
# With LUDUS_LONG_TESTS=1 (about 20 minutes of CPU on 2 cores): the
# DoorKey-5x5 defaults and the DoorKey-8x8 recipe learn on each of seeds
# 1-5, and BabyAI-GoToLocal's recipe (seed 1, 3M frames; GRU memory,
# annealed entropy) reaches issue 18's held-out success: >= 0.9 over
# 1,000 held-out levels (the run's eval.json: 0.943 [0.928, 0.957] on
# seed 1; docs/learning.md).
set -u
LUDUS=${1:?usage: test_recipes.sh path/to/ludus}
HERE=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
LA="python3 $HERE/bench/learned_at.py"

# metrics RUN ROW...: a metrics.csv of rows "steps,episodes,success" (wall = steps/1000, cpu = 2*wall)
metrics() {
  local run=$1 u=0; shift; mkdir -p "$run"
  echo "update,steps,wall_s,episodes,return,success,length,cpu_s" >"$run/metrics.csv"
  for r in "$@"; do
    IFS=, read -r st ep su <<<"$r"; u=$((u + 1))
    echo "$u,$st,$(awk -v s="$st" 'BEGIN{print s/1000}'),$ep,0.5,$su,10,$(awk -v s="$st" 'BEGIN{print 2*s/1000}')" >>"$run/metrics.csv"
  done
}
# want RUN FIRST_LINE: learned_at.py's first line
want() {
  local got; got=$($LA "$1"); got=${got%%$'\n'*}
  [ "$got" = "$2" ] && ok || bad "learned_at $1: got '$got', want '$2'"
}
metrics "$T/five" 1000,3,0.5 2000,4,0.9 3000,2,1 4000,5,0.95 5000,1,1 6000,3,0.9 7000,2,0.2
want "$T/five" "2000 2.000 4.000"
# updates in which no episode ended (success nan) neither count nor break a run
metrics "$T/gaps" 1000,0,nan 2000,4,0.9 3000,0,nan 4000,2,1 5000,5,0.95 6000,0,nan 7000,1,1 8000,3,0.9
want "$T/gaps" "2000 2.000 4.000"
# four in a row, a dip, then five: the five's first row
metrics "$T/dip" 1000,3,0.9 2000,4,0.9 3000,2,1 4000,5,0.95 5000,1,0.89 6000,3,0.9 7000,3,0.9 8000,3,0.9 9000,3,0.9 10000,3,0.9
want "$T/dip" "6000 6.000 12.000"
metrics "$T/four" 1000,0,nan 2000,4,0.9 3000,2,1 4000,5,0.95 5000,1,1
want "$T/four" "not"
last=$($LA "$T/four"); last=${last##*$'\n'}
[ "$last" = "5000 5.000 10.000" ] && ok || bad "learned_at's last line: $last"
# a run that starts learned learns at its first update with episodes
metrics "$T/start" 1000,0,nan 2000,1,1 3000,1,1 4000,1,1 5000,1,1 6000,1,1
want "$T/start" "2000 2.000 4.000"

# every recipe is a JSON object; one named after a world (configs/ID.json,
# which `ludus train ID` users pick by name) names that world, and a named
# recipe (lowercase: dqn-maze-easy, web-atomic, the maze-* experiments)
# names a world ludus knows if it names one
for f in "$HERE"/configs/*.json; do
  id=$(python3 - "$f" <<'PY'
import json, os, sys
c = json.load(open(sys.argv[1]))
assert isinstance(c, dict), "not a JSON object"
name = os.path.basename(sys.argv[1])[:-5]
if "env_id" in c:
    assert not name[0].isupper() or name == c["env_id"] or name.startswith(c["env_id"] + "-"), f"env_id {c['env_id']} in {name}.json"
    print(c["env_id"])
PY
  ) || { bad "recipe $f"; continue; }
  [ -z "$id" ] || { "$LUDUS" info "$id" >/dev/null 2>&1 && ok || bad "recipe $f: $id is not a world"; }
done

if [ "${LUDUS_LONG_TESTS:-0}" = 1 ]; then
  # learns ID SEED: trains ID with its recipe and checks it learned
  learns() {
    local id=$1 s=$2 cfg=() run="$T/$1-s$2"
    [ -f "$HERE/configs/$id.json" ] && cfg=(--config "$HERE/configs/$id.json")
    if ! "$LUDUS" train "$id" "${cfg[@]}" --seed "$s" --out "$run" --no-report >/dev/null 2>"$run.log"; then
      bad "train $id seed $s: $(tail -1 "$run.log")"; return; fi
    local at; at=$($LA "$run"); at=${at%%$'\n'*}
    echo "long: $id seed $s learned at: $at (steps wall_s cpu_s)"
    [ "$at" != not ] && ok || bad "$id seed $s did not learn (five updates in a row at success >= 0.9)"
  }
  for s in 1 2 3 4 5; do learns MiniGrid-DoorKey-5x5-v0 $s; done
  for s in 1 2 3 4 5; do learns MiniGrid-DoorKey-8x8-v0 $s; done
  id=BabyAI-GoToLocal-v0 run="$T/gtl"
  if "$LUDUS" train $id --config "$HERE/configs/$id.json" --seed 1 --out "$run" --no-report >/dev/null 2>"$run.log"; then
    h=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['splits']['heldout']['success']['mean'])" "$run/eval.json")
    echo "long: $id seed 1 held-out success $h"
    awk -v h="$h" 'BEGIN { exit !(h >= 0.9) }' && ok || bad "$id held-out success $h < 0.9"
  else bad "train $id: $(tail -1 "$run.log")"; fi
fi
echo "test_recipes: $pass passed, $fail failed"
[ "$fail" = 0 ]
