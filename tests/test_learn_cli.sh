#!/usr/bin/env bash
# test_learn_cli.sh: `ludus train`, `ludus eval` and `ludus play --policy`
# as a user drives them: a short run writes its folder, eval reads it back,
# a trained agent plays through a pipe (every frame printed), and every bad
# input (unknown flag, bad number, wrong-typed config, existing folder,
# corrupted or foreign checkpoint, resume of another world, a policy for
# another view) fails with a message. Crafter's runs and evaluations carry
# the achievements and the Crafter score.
set -u
LUDUS=${1:?usage: test_learn_cli.sh path/to/ludus}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
# flipbyte FILE OFFSET: invert every bit of one byte (a change whatever it held)
flipbyte() {
  local b; b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
  printf "\\$(printf %03o $((255 - b)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
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
for f in config.json metrics.csv checkpoint.safetensors state.safetensors eval.json report.html; do
  [ -s "run/$f" ] && ok || bad "run/$f missing"
done
[ "$(wc -l < run/metrics.csv)" = 5 ] && ok || bad "metrics.csv has $(wc -l < run/metrics.csv) lines, want header + 4"
head -1 run/metrics.csv | grep -q "steps,wall_s,episodes,return,success" && ok || bad "metrics.csv header"
grep -q '"heldout"' run/eval.json && grep -q '"ci95"' run/eval.json && ok || bad "eval.json content"
grep -q '"num_envs": 4' run/config.json && ok || bad "config.json lacks the config's values"
grep -q 'id="curves"' run/report.html && grep -q "wrote run/report.html" out.txt && ok || bad "train's report.html"
if "$LUDUS" train MiniGrid-Empty-5x5-v0 --steps 256 --config small.json --out norep --no-report >/dev/null 2>&1 &&
   [ -f norep/eval.json ] && [ ! -e norep/report.html ]; then ok; else bad "--no-report"; fi
# an existing folder is refused; --force overwrites; --resume continues
expect 1 "exists; use --resume" -- "$LUDUS" train MiniGrid-Empty-5x5-v0 --steps 512 --config small.json --out run
if "$LUDUS" train MiniGrid-Empty-5x5-v0 --steps 256 --config small.json --out run --force >/dev/null 2>&1; then ok; else bad "--force"; fi
if "$LUDUS" train --resume run --steps 768 >/dev/null 2>err.txt; then ok; else bad "--resume: $(cat err.txt)"; fi
[ "$(tail -1 run/metrics.csv | cut -d, -f2)" = 768 ] && ok || bad "resumed run did not reach 768 steps"
expect 1 "trained MiniGrid-Empty-5x5-v0, not" -- "$LUDUS" train MiniGrid-DoorKey-5x5-v0 --resume run
# eval (the report is library code: ludus eval, the end of ludus train and
# Python write the same eval.json)
if "$LUDUS" eval run --episodes 30 >out.txt 2>err.txt && grep -q heldout out.txt; then ok; else bad "eval: $(cat err.txt)"; fi
if "$LUDUS" eval run/checkpoint.safetensors --episodes 10 --env MiniGrid-Empty-6x6-v0 --out e.json >/dev/null 2>&1 && grep -q Empty-6x6 e.json; then ok; else bad "eval --env"; fi
expect 2 "unknown option --episode" -- "$LUDUS" eval run --episode 3
expect 2 "episodes" -- "$LUDUS" eval run --episodes 0
expect 1 "does not exist" -- "$LUDUS" eval nowhere
head -c 100 run/checkpoint.safetensors > cut.safetensors
expect 1 "truncated" -- "$LUDUS" eval cut.safetensors
cp run/checkpoint.safetensors flip.safetensors
flipbyte flip.safetensors $(( $(stat -c %s flip.safetensors) - 10 ))
expect 1 "checksum" -- "$LUDUS" eval flip.safetensors
expect 1 "not a ludus policy checkpoint" -- "$LUDUS" eval run/state.safetensors
expect 1 "NoSuch" -- "$LUDUS" eval run --env MiniGrid-NoSuch-v0
# eval.json is JSON whatever the checkpoint's path holds (quotes, backslashes)
mkdir -p 'od"d\dir'
cp run/checkpoint.safetensors 'od"d\dir/c"k.safetensors'
if "$LUDUS" eval 'od"d\dir/c"k.safetensors' --episodes 5 >/dev/null 2>err.txt \
   && python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["checkpoint"] == sys.argv[2] and d["agent"] == "checkpoint", d' \
      'od"d\dir/c"k.safetensors.eval.json' 'od"d\dir/c"k.safetensors' 2>>err.txt; then ok; else bad "eval.json of an odd path: $(cat err.txt)"; fi
# --agent: random in a named world (as the argument or --env), or a checkpoint
if "$LUDUS" eval --agent random MiniGrid-Empty-5x5-v0 --episodes 8 --seed 2 --out r1.json >out.txt 2>err.txt \
   && "$LUDUS" eval --agent random --env MiniGrid-Empty-5x5-v0 --episodes 8 --seed 2 --out r2.json >/dev/null 2>>err.txt \
   && cmp -s r1.json r2.json && grep -q "agent random" out.txt \
   && python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["agent"] == "random" and d["checkpoint"] is None and d["episodes"] == 8 and d["train_levels"] == 0, d' r1.json 2>>err.txt
then ok; else bad "eval --agent random: $(cat err.txt)"; fi
(cd run && "$LUDUS" eval --agent random MiniGrid-Empty-5x5-v0 --episodes 2 >/dev/null 2>&1) && [ -s run/MiniGrid-Empty-5x5-v0.random.eval.json ] && ok || bad "eval --agent random's default output"
if "$LUDUS" eval --agent run/checkpoint.safetensors MiniGrid-Empty-6x6-v0 --episodes 6 --out a1.json >/dev/null 2>err.txt \
   && "$LUDUS" eval run/checkpoint.safetensors --env MiniGrid-Empty-6x6-v0 --episodes 6 --out a2.json >/dev/null 2>>err.txt \
   && cmp -s a1.json a2.json; then ok; else bad "eval --agent CHECKPOINT ID: $(cat err.txt)"; fi
expect 2 "needs a world" -- "$LUDUS" eval --agent random
expect 2 "agent needs a value" -- "$LUDUS" eval --agent
expect 1 "NoSuch" -- "$LUDUS" eval --agent random MiniGrid-NoSuch-v0
expect 1 "does not exist" -- "$LUDUS" eval --agent nowhere.safetensors MiniGrid-Empty-5x5-v0
expect 2 "named twice" -- "$LUDUS" eval --agent random MiniGrid-Empty-5x5-v0 --env MiniGrid-Empty-6x6-v0
# numbers: too large is a usage error, never a silent wrap
expect 2 "larger than 2^64-1" -- "$LUDUS" eval run --seed 18446744073709551616
expect 2 "larger than 2^64-1" -- "$LUDUS" eval run --train-levels 99999999999999999999999
expect 2 "must be at most" -- "$LUDUS" eval run --train-levels 1000000001
expect 2 "episodes" -- "$LUDUS" eval run --episodes 9223372036854775808
expect 2 "episodes" -- "$LUDUS" eval run --episodes 1000001
expect 2 "seed needs a value" -- "$LUDUS" eval run --seed
expect 2 "must not be negative" -- "$LUDUS" eval run --seed -1
# --help names every flag
"$LUDUS" eval --help > help.txt
for f in --agent --env --options --episodes --train-levels --greedy --seed --out; do
  grep -q -- "^  $f " help.txt && ok || bad "eval --help lacks $f"
done
# play --policy: an agent trained on Empty-5x5 (the defaults learn it in
# well under 20k frames) plays through a pipe; N asks for the next level.
echo '{"eval_episodes": 0}' > noeval.json
if "$LUDUS" train MiniGrid-Empty-5x5-v0 --steps 20480 --config noeval.json --out good >/dev/null 2>err.txt; then ok; else bad "train good: $(cat err.txt)"; fi
G=good/checkpoint.safetensors
if printf 'Nq' | "$LUDUS" play --policy $G --greedy >play1.txt 2>err.txt; then ok; else bad "play --policy: $(cat err.txt)"; fi
[ "$(grep -c '^success after' play1.txt)" = 2 ] && ok || bad "greedy agent did not solve levels 0 and 1: $(grep -E '^(success|failure|out of time)' play1.txt)"
grep -q "MiniGrid-Empty-5x5-v0  level 1" play1.txt && ok || bad "N did not start level 1"
grep -q "last: go forward" play1.txt && grep -q "step 1/100" play1.txt && ok || bad "no per-step frames"
[ "$(grep -c '^----' play1.txt)" -gt 4 ] && ok || bad "frames not printed in pipe mode"
printf 'Nq' | "$LUDUS" play --policy $G --greedy >play2.txt 2>/dev/null
cmp -s play1.txt play2.txt && ok || bad "greedy play is not reproducible"
printf 'q' | "$LUDUS" play MiniGrid-Empty-6x6-v0 --policy $G --seed 4 --delay 0 >play3.txt 2>err.txt && ok || bad "sampled play on Empty-6x6: $(cat err.txt)"
printf 'q' | "$LUDUS" play MiniGrid-Empty-6x6-v0 --policy $G --seed 4 >play4.txt 2>/dev/null
cmp -s play3.txt play4.txt && grep -q "Empty-6x6-v0  level 4" play3.txt && grep -q "sampled actions" play3.txt && ok || bad "sampled play is not reproducible"
# key play is unchanged beside it: keys still step the world
printf 'wwq' | "$LUDUS" play MiniGrid-Empty-5x5-v0 >keys.txt 2>/dev/null && grep -q "step 2/100  last: go forward" keys.txt && ok || bad "key play"
expect 2 "go with --policy" -- "$LUDUS" play MiniGrid-Empty-5x5-v0 --greedy
expect 2 "go with --policy" -- "$LUDUS" play MiniGrid-Empty-5x5-v0 --delay 10
expect 2 "delay must be in" -- "$LUDUS" play --policy $G --delay -3
expect 2 "policy needs a value" -- "$LUDUS" play MiniGrid-Empty-5x5-v0 --policy
expect 1 "No such file" -- "$LUDUS" play --policy nowhere.safetensors
expect 1 "checksum" -- "$LUDUS" play --policy flip.safetensors
expect 2 "trained on observations of 148 bytes" -- "$LUDUS" play MiniGrid-Empty-5x5-v0 --policy $G --options agent_view_size=5
# Crafter: the symbolic policy is chosen by itself; metrics.csv gets the
# score and one count column per achievement; eval.json the success rates
# and the score with intervals; kept checkpoints; eval --options.
echo '{"num_envs": 8, "num_steps": 64, "minibatches": 2, "eval_episodes": 6, "env_options": "mode=fast,length=40",
       "checkpoint_every": 2, "keep_checkpoints": 1}' > crafter.json
if "$LUDUS" train Crafter-Reward-v1 --steps 2048 --config crafter.json --out craft >out.txt 2>err.txt; then ok; else bad "train Crafter: $(cat err.txt)"; fi
head -1 craft/metrics.csv | grep -q ",score,collect_coal,collect_diamond,.*,wake_up$" && ok || bad "Crafter metrics.csv header: $(head -1 craft/metrics.csv)"
[ "$(awk -F, 'NR > 1 {print NF}' craft/metrics.csv | sort -u)" = 41 ] && ok || bad "Crafter metrics rows are not 41 columns"
grep -q '"score": {"mean"' craft/eval.json && grep -q '"place_table": {"mean"' craft/eval.json && grep -q '"env_options": "mode=fast,length=40"' craft/eval.json && ok || bad "Crafter eval.json: $(head -c 400 craft/eval.json)"
grep -q "Crafter score (%)" out.txt && grep -q "^collect_wood " out.txt && ok || bad "Crafter eval table"
[ -s craft/checkpoints/000000001024.safetensors ] && [ -s craft/checkpoints/000000002048.safetensors ] && ok || bad "kept checkpoints: $(ls craft/checkpoints 2>&1)"
if "$LUDUS" eval craft/checkpoints/000000001024.safetensors --options length=30 --out ce.json >out.txt 2>err.txt \
   && grep -q '"env_options": "length=30"' ce.json && grep -q '"episodes": 6' ce.json; then ok; else bad "eval --options: $(cat err.txt)"; fi
expect 1 "the symbolic encoder does not fit" -- "$LUDUS" eval craft --options obs=rgb
# Crafter from pixels: the rgb field chooses the pixel encoder, with the
# recipe's strided convolutions (configs/Crafter-Reward-v1-pixels.json)
# made smaller.
echo '{"num_envs": 4, "num_steps": 32, "minibatches": 2, "eval_episodes": 2, "env_options": "mode=fast,obs=rgb,length=30",
       "arch": {"conv1": 4, "kernel1": 4, "stride1": 4, "conv2": 8, "kernel": 3, "stride2": 2, "hidden": 16}}' > pix.json
if "$LUDUS" train Crafter-Reward-v1 --steps 256 --config pix.json --out pix >out.txt 2>err.txt \
   && grep -q '"score": {"mean"' pix/eval.json && grep -q '"stride1": 4' pix/config.json; then ok; else bad "train Crafter from pixels: $(cat err.txt)"; fi
expect 1 "the pixel encoder does not fit" -- "$LUDUS" eval pix --options mode=fast
expect 1 "unknown option 'nope'" -- "$LUDUS" eval craft --options nope=1
expect 1 "observations of 82 bytes" -- "$LUDUS" eval craft --env MiniGrid-Empty-5x5-v0
expect 1 "observations of 148 bytes" -- "$LUDUS" eval run --env Crafter-Reward-v1
echo '{"env_options": "mode=slow"}' > badopt.json
expect 1 "mode=slow" -- "$LUDUS" train Crafter-Reward-v1 --config badopt.json --out craft2
echo "test_learn_cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
