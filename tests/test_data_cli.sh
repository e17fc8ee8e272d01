#!/usr/bin/env bash
# test_data_cli.sh: `ludus collect`, `ludus dataset info` and behaviour
# cloning (`ludus train --algo bc`) as a user drives them. A PPO checkpoint
# trained on DoorKey-5x5's first 20 levels records 150 episodes; BC on them
# lowers its loss (recorded in metrics.csv) and its policy, read by `ludus
# eval`, solves at least 90% of the held-out levels (the run recorded in
# docs/datasets.md reaches 0.99). Every bad input is a one-line error: bad
# flags, a folder that is not a dataset, a dataset of another world, one of
# another observation layout, bc without a dataset, a resume that changes
# the dataset.
set -u
LUDUS=${1:?usage: test_data_cli.sh path/to/ludus}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
# the held-out success rate in an eval.json (the table's columns are not fixed-width words)
heldout_success() {
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["splits"]["heldout"]["success"]["mean"])' "$1" 2>/dev/null ||
    echo missing
}
# ge A B: A is a number and A >= B
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a ~ /^[0-9.eE+-]+$/ && a + 0 >= b + 0) }'; }
# expect STATUS PATTERN -- command...: exit status and one stderr line matching PATTERN
expect() {
  local want=$1 pat=$2; shift 3
  "$@" >"$T/out" 2>"$T/err"; local got=$?
  if [ "$got" = "$want" ] && grep -q -- "$pat" "$T/err"; then ok; else bad "$* -> $got: $(head -c 300 "$T/err")"; fi
}
cd "$T"
# ---- bad input ----
expect 2 "which agent" -- "$LUDUS" collect MiniGrid-Empty-5x5-v0 --episodes 3 --out ds
expect 2 "where" -- "$LUDUS" collect MiniGrid-Empty-5x5-v0 --agent random --episodes 3
expect 2 "how many" -- "$LUDUS" collect MiniGrid-Empty-5x5-v0 --agent random --out ds
expect 2 "train or heldout" -- "$LUDUS" collect MiniGrid-Empty-5x5-v0 --agent random --episodes 3 --out ds --levels all
expect 2 "unknown option --episode" -- "$LUDUS" collect MiniGrid-Empty-5x5-v0 --agent random --episode 3 --out ds
expect 1 "unknown world id" -- "$LUDUS" collect MiniGrid-Nope-v0 --agent random --episodes 3 --out ds
expect 1 "does not exist\|cannot\|No such" -- "$LUDUS" collect MiniGrid-Empty-5x5-v0 --agent nothing.safetensors --episodes 3 --out ds
expect 2 "unknown subcommand" -- "$LUDUS" dataset show ds
expect 1 "is not a folder" -- "$LUDUS" dataset info nowhere
mkdir -p empty
expect 1 "is not a dataset" -- "$LUDUS" dataset info empty
expect 2 "needs a dataset" -- "$LUDUS" train MiniGrid-Empty-5x5-v0 --algo bc --out r0
expect 1 "is not a dataset" -- "$LUDUS" train MiniGrid-Empty-5x5-v0 --algo bc --dataset empty --out r1
expect 2 "unknown key \"dataset\"" -- "$LUDUS" train MiniGrid-Empty-5x5-v0 --dataset empty --out r2
# ---- a dataset of another world, and one of another layout ----
"$LUDUS" collect MiniGrid-Empty-5x5-v0 --agent random --episodes 4 --out ds >/dev/null 2>"$T/err" && ok || bad "collect: $(cat "$T/err")"
expect 1 "was recorded in world MiniGrid-Empty-5x5-v0, not MiniGrid-DoorKey-5x5-v0" -- \
  "$LUDUS" train MiniGrid-DoorKey-5x5-v0 --algo bc --dataset ds/MiniGrid-Empty-5x5/random-v0 --out r3
"$LUDUS" collect CrafterReward-v1 --agent random --episodes 1 --out ds >/dev/null 2>"$T/err" && ok || bad "collect: $(cat "$T/err")"
echo '{"env_options": "obs=rgb"}' > rgb.json
expect 1 "its observations (82 bytes" -- \
  "$LUDUS" train CrafterReward-v1 --algo bc --config rgb.json --dataset ds/CrafterReward/random-v0 --out r4
for r in r0 r1 r2 r3 r4; do [ ! -e "$r/checkpoint.safetensors" ] && ok || bad "$r left a checkpoint"; done
expect 1 "already holds a dataset" -- "$LUDUS" collect MiniGrid-Empty-5x5-v0 --agent random --episodes 4 --out ds
# ---- PPO expert -> dataset -> BC ----
echo '{"eval_episodes": 0}' > noeval.json
if "$LUDUS" train MiniGrid-DoorKey-5x5-v0 --steps 50000 --train-levels 20 --config noeval.json --out ppo >/dev/null 2>"$T/err"; then ok; else bad "ppo: $(cat "$T/err")"; fi
# the checkpoint's training levels ([0, 20)) are the default "train" levels
if "$LUDUS" collect MiniGrid-DoorKey-5x5-v0 --agent ppo/checkpoint.safetensors --episodes 150 \
     --out ds --name doorkey/expert-v0 >out.txt 2>"$T/err"; then ok; else bad "collect: $(cat "$T/err")"; fi
grep -q "wrote ds/doorkey/expert-v0: 150 episodes" out.txt && ok || bad "collect said: $(cat out.txt)"
"$LUDUS" dataset info ds/doorkey/expert-v0 >info.txt 2>"$T/err" && ok || bad "info: $(cat "$T/err")"
grep -q "levels      train: seeds 0..19 from \[0, 20)" info.txt && ok || bad "info: $(cat info.txt)"
grep -q "agent       checkpoint (ppo/checkpoint.safetensors)" info.txt && ok || bad "info: $(cat info.txt)"
echo '{"eval_episodes": 0, "grad_steps": 25}' > bc.json
if "$LUDUS" train MiniGrid-DoorKey-5x5-v0 --algo bc --dataset ds/doorkey/expert-v0 --config bc.json --steps 64000 \
     --train-levels 20 --out bc >/dev/null 2>"$T/err"; then ok; else bad "bc: $(cat "$T/err")"; fi
# the loss falls: the first row's cross-entropy is near log 7, the last far below
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "loss") c = i } NR == 2 { first = $c } END { last = $c;
  if (first > 1.0 && last < 0.5 * first) exit 0; print "loss " first " -> " last; exit 1 }' bc/metrics.csv && ok || bad "bc loss"
grep -q '"algo": "bc"' bc/config.json && ok || bad "config.json: $(cat bc/config.json)"
grep -q "\"dataset\": \"$T/ds/doorkey/expert-v0\"" bc/config.json && ok || bad "dataset path not absolute: $(cat bc/config.json)"
if "$LUDUS" eval bc --episodes 100 --out bc/eval.json >eval.txt 2>"$T/err"; then ok; else bad "eval: $(cat "$T/err")"; fi
ge "$(heldout_success bc/eval.json)" 0.9 && ok || bad "bc: $(cat eval.txt)"
# a resumed BC run gives what a straight one does (Adam's state, the update's stream)
echo '{"eval_episodes": 0, "grad_steps": 5, "checkpoint_every": 1}' > short.json
"$LUDUS" train MiniGrid-DoorKey-5x5-v0 --algo bc --dataset ds/doorkey/expert-v0 --config short.json --steps 5120 \
  --out straight >/dev/null 2>&1 && ok || bad "straight bc run"
"$LUDUS" train MiniGrid-DoorKey-5x5-v0 --algo bc --dataset ds/doorkey/expert-v0 --config short.json --steps 2560 \
  --out halves >/dev/null 2>&1 && ok || bad "first half"
"$LUDUS" train --resume halves --steps 5120 >/dev/null 2>&1 && ok || bad "resumed half"
# every column but wall_s
if [ "$(cut -d, -f1,2,4- straight/metrics.csv)" = "$(cut -d, -f1,2,4- halves/metrics.csv)" ]; then ok; else
  bad "resumed bc differs: $(cat straight/metrics.csv halves/metrics.csv)"; fi
expect 2 "--dataset cannot change it" -- "$LUDUS" train --resume bc --dataset ds/MiniGrid-Empty-5x5/random-v0
echo "test_data_cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
