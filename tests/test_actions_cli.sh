#!/usr/bin/env bash
# test_actions_cli.sh: actions of several components through the `ludus`
# command, with the Keypad world: `info` shows the MultiDiscrete space,
# `text`, `render` and `record` take one C0:C1 per step (and --random
# respects the mask), a bad component or a masked action is a one-line
# error; one-component worlds read --actions as before.
set -u
LUDUS=${1:?usage: test_actions_cli.sh path/to/ludus}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
# expect STATUS PATTERN command...: exit status and a one-line error matching PATTERN
expect() {
  local want=$1 pat=$2; shift 2
  "$@" >"$T/out" 2>"$T/err"; local got=$?
  if [ "$got" = "$want" ] && grep -q -- "$pat" "$T/err" && [ "$(wc -l < "$T/err")" -le 1 ]; then ok
  else bad "$* -> $got: $(head -c 300 "$T/err")"; fi
}
K=Keypad-5x5-v0

"$LUDUS" info $K >"$T/info" 2>&1 && grep -q 'MultiDiscrete(\[5, 5\]), with a legal-action mask' "$T/info" \
  && grep -q '1:4   digit 4' "$T/info" && ok || bad "info: $(head -c 400 "$T/info")"

# the code of seed 4, read from the text, entered right: return 1, success
"$LUDUS" text $K --seed 4 --steps 0 --random >"$T/t0" 2>&1 || bad "text: $(cat "$T/t0")"
code=($(head -1 "$T/t0" | sed -E 's/.*code ([0-9 ]+)\./\1/'))
acts="0:${code[0]},1:${code[1]},2:${code[2]},3:${code[3]},4:${code[4]}"
"$LUDUS" text $K --seed 4 --actions "$acts" >"$T/t1" 2>&1 && grep -q 'episode over: success, return 1' "$T/t1" \
  && grep -q "> slot 5, digit ${code[4]}" "$T/t1" && ok || bad "text --actions $acts: $(tail -c 300 "$T/t1")"
# random play respects the mask: always 5 steps to the end, never an error
for seed in 1 2 3 4 5 6 7 8; do
  "$LUDUS" text $K --seed $seed --random --steps 50 >"$T/r" 2>&1 && grep -q '(step 5,' "$T/r" \
    && ! grep -q '(step 6,' "$T/r" && ok || bad "text --random seed $seed: $(tail -c 300 "$T/r")"
done
"$LUDUS" render $K --seed 4 --actions "0:${code[0]},1:0" -o "$T/k.png" >/dev/null 2>"$T/err" && [ -s "$T/k.png" ] \
  && ok || bad "render: $(cat "$T/err")"
"$LUDUS" record $K --seed 4 --random -o "$T/k.gif" >"$T/out" 2>"$T/err" && grep -q '6 frames' "$T/out" \
  && ok || bad "record: $(cat "$T/err") $(cat "$T/out")"
"$LUDUS" record $K --seed 4 --actions "$acts" -o "$T/k2.gif" >"$T/out" 2>"$T/err" && grep -q 'success' "$T/out" \
  && ok || bad "record --actions: $(cat "$T/err") $(cat "$T/out")"

"$LUDUS" bench $K --envs 16 --threads 2 --steps 20000 >"$T/out" 2>"$T/err" && grep -q 'steps/s' "$T/out" \
  && ok || bad "bench: $(cat "$T/err")"

# a learner, its evaluation and play over action vectors and masks
if "$LUDUS" train $K --steps 4096 --out "$T/run" >"$T/out" 2>"$T/err"; then ok; else bad "train: $(tail -c 300 "$T/err")"; fi
"$LUDUS" eval "$T/run" --episodes 20 --out "$T/eval.json" >"$T/out" 2>"$T/err" && grep -q 'heldout' "$T/out" \
  && ok || bad "eval: $(tail -c 300 "$T/err")"
"$LUDUS" eval --agent random $K --episodes 20 --out "$T/random.json" >"$T/out" 2>"$T/err" && ok \
  || bad "eval --agent random: $(tail -c 300 "$T/err")"
echo q | "$LUDUS" play --policy "$T/run/checkpoint.safetensors" --delay 0 >"$T/out" 2>"$T/err" \
  && grep -q 'after 5 steps' "$T/out" && ok || bad "play --policy: $(tail -c 300 "$T/err")"

# errors: shapes, ranges, the mask, a world without traces
expect 2 "not a comma-separated list of 2 components" "$LUDUS" text $K --seed 1 --actions 3
expect 2 "not a comma-separated list of 2 components" "$LUDUS" text $K --seed 1 --actions 1:2:3
expect 2 "not a comma-separated list of 2 components" "$LUDUS" text $K --seed 1 --actions 1:
expect 2 "component 1 of action 1 is 5, out of range 0..4" "$LUDUS" text $K --seed 1 --actions 0:0,1:5
expect 2 "component 0 of action 0 is -1" "$LUDUS" render $K --seed 1 --actions -1:0 -o "$T/x.png"
expect 1 "not legal now" "$LUDUS" text $K --seed 1 --actions 0:0,0:1
expect 1 "not legal now" "$LUDUS" record $K --seed 1 --actions 2:0,2:1 -o "$T/x.gif"
expect 1 "writes no traces" "$LUDUS" trace $K --seed 1 --actions 0:0

# one-component worlds: as before
"$LUDUS" text MiniGrid-DoorKey-5x5-v0 --seed 1 --actions 2,1 >"$T/g" 2>&1 && grep -q '> turn right' "$T/g" \
  && ok || bad "grid text: $(tail -c 300 "$T/g")"
expect 2 "not a comma-separated list of integers" "$LUDUS" text MiniGrid-DoorKey-5x5-v0 --seed 1 --actions 1:2
"$LUDUS" info MiniGrid-DoorKey-5x5-v0 | grep -q '^actions       Discrete(7)$' && ok || bad "grid info"

echo "test_actions_cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
