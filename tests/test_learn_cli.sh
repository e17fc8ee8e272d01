#!/usr/bin/env bash
# test_learn_cli.sh: `ludus train` and `ludus eval` as a user drives them:
# a short run writes its folder, eval reads it back, and every bad input
# (unknown flag, bad number, wrong-typed config, existing folder, corrupted
# or foreign checkpoint, resume of another world) fails with a message.
set -u
LUDUS=${1:?usage: test_learn_cli.sh path/to/ludus}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
# expect STATUS PATTERN -- command...: exit status and a stderr line matching PATTERN
expect() {
  local want=$1 pat=$2; shift 3
  "$@" >"$T/out" 2>"$T/err"; local got=$?
  if [ "$got" = "$want" ] && grep -q -- "$pat" "$T/err"; then ok; else bad "$* -> $got: $(head -c 300 "$T/err")"; fi
}
cd "$T"
expect 2 "unknown option --stepz" -- "$LUDUS" train MiniGrid-Empty-5x5-v0 --stepz 10
expect 2 "non-negative integer" -- "$LUDUS" train MiniGrid-Empty-5x5-v0 --steps ten
expect 2 "usage" -- "$LUDUS" train
echo '{"lr": "fast"}' > bad.json
expect 1 '"lr" must be a number' -- "$LUDUS" train MiniGrid-Empty-5x5-v0 --config bad.json
echo '{"epochs": 3, "nope": 1}' > bad2.json
expect 1 'unknown key "nope"' -- "$LUDUS" train MiniGrid-Empty-5x5-v0 --config bad2.json
echo '{"num_envs": 4, "num_steps": 32, "minibatches": 2, "eval_episodes": 20}' > small.json
expect 1 "NoSuch" -- "$LUDUS" train MiniGrid-NoSuch-v0 --steps 256 --out r0
# a short run
if "$LUDUS" train MiniGrid-Empty-5x5-v0 --steps 512 --config small.json --out run >out.txt 2>err.txt; then ok; else bad "train: $(cat err.txt)"; fi
for f in config.json metrics.csv checkpoint.safetensors state.safetensors eval.json; do
  [ -s "run/$f" ] && ok || bad "run/$f missing"
done
[ "$(wc -l < run/metrics.csv)" = 5 ] && ok || bad "metrics.csv has $(wc -l < run/metrics.csv) lines, want header + 4"
head -1 run/metrics.csv | grep -q "steps,wall_s,episodes,return,success" && ok || bad "metrics.csv header"
grep -q '"heldout"' run/eval.json && grep -q '"ci95"' run/eval.json && ok || bad "eval.json content"
grep -q '"num_envs": 4' run/config.json && ok || bad "config.json lacks the config's values"
# an existing folder is refused; --force overwrites; --resume continues
expect 1 "exists; use --resume" -- "$LUDUS" train MiniGrid-Empty-5x5-v0 --steps 512 --config small.json --out run
if "$LUDUS" train MiniGrid-Empty-5x5-v0 --steps 256 --config small.json --out run --force >/dev/null 2>&1; then ok; else bad "--force"; fi
if "$LUDUS" train --resume run --steps 768 >/dev/null 2>err.txt; then ok; else bad "--resume: $(cat err.txt)"; fi
[ "$(tail -1 run/metrics.csv | cut -d, -f2)" = 768 ] && ok || bad "resumed run did not reach 768 steps"
expect 1 "trained MiniGrid-Empty-5x5-v0, not" -- "$LUDUS" train MiniGrid-DoorKey-5x5-v0 --resume run
# eval
if "$LUDUS" eval run --episodes 30 >out.txt 2>err.txt && grep -q heldout out.txt; then ok; else bad "eval: $(cat err.txt)"; fi
if "$LUDUS" eval run/checkpoint.safetensors --episodes 10 --env MiniGrid-Empty-6x6-v0 --out e.json >/dev/null 2>&1 && grep -q Empty-6x6 e.json; then ok; else bad "eval --env"; fi
expect 2 "unknown option --episode" -- "$LUDUS" eval run --episode 3
expect 2 "episodes" -- "$LUDUS" eval run --episodes 0
expect 1 "does not exist" -- "$LUDUS" eval nowhere
head -c 100 run/checkpoint.safetensors > cut.safetensors
expect 1 "truncated" -- "$LUDUS" eval cut.safetensors
cp run/checkpoint.safetensors flip.safetensors
printf '\x55' | dd of=flip.safetensors bs=1 seek=$(( $(stat -c %s flip.safetensors) - 10 )) conv=notrunc 2>/dev/null
expect 1 "checksum" -- "$LUDUS" eval flip.safetensors
expect 1 "not a ludus policy checkpoint" -- "$LUDUS" eval run/state.safetensors
expect 1 "NoSuch" -- "$LUDUS" eval run --env MiniGrid-NoSuch-v0
echo "test_learn_cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
