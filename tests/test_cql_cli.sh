#!/usr/bin/env bash
# test_cql_cli.sh: discrete CQL (`ludus train --algo cql`) as a user drives
# it. A PPO checkpoint trained on MiniGrid-Empty-5x5 records 60 episodes
# with `ludus collect`; CQL on them (alpha 1) brings its conservative
# term down (metrics.csv) and its greedy policy, read by
# `ludus eval --greedy`, solves at least 95% of held-out levels. A resumed
# run gives the straight one's metrics. Every bad input is a one-line error:
# cql without a dataset, a dataset of another world, alpha out of range.
# With LUDUS_LONG_TESTS=1 also DoorKey-5x5 (about 40 s): CQL (alpha 1) on a
# PPO expert's 150 episodes reaches greedy held-out success >= 0.9 where
# the same learner without the conservative term (alpha 0, offline Double
# DQN) stays below 0.2 (measured 1.000 and 0.000, docs/datasets.md).
set -u
LUDUS=${1:?usage: test_cql_cli.sh path/to/ludus}
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
# lt A B: A is a number and A < B
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a ~ /^[0-9.eE+-]+$/ && a + 0 < b + 0) }'; }
# expect STATUS PATTERN -- command...: exit status and one stderr line matching PATTERN
expect() {
  local want=$1 pat=$2; shift 3
  "$@" >"$T/out" 2>"$T/err"; local got=$?
  if [ "$got" = "$want" ] && grep -q -- "$pat" "$T/err" && [ "$(wc -l <"$T/err")" -le 1 ]; then ok
  else bad "$* -> $got: $(head -c 300 "$T/err")"; fi
}
cd "$T"
# ---- bad input ----
expect 2 "cql needs a dataset" -- "$LUDUS" train MiniGrid-Empty-5x5-v0 --algo cql --out r0
echo '{"alpha": -1}' > neg.json
expect 1 "\"alpha\" = -1 is outside \[0, 1000\]" -- "$LUDUS" train MiniGrid-Empty-5x5-v0 --algo cql --dataset ds --config neg.json --out r1
echo '{"alpha": 1e6}' > big.json
expect 1 "\"alpha\" = 1000000 is outside" -- "$LUDUS" train MiniGrid-Empty-5x5-v0 --algo cql --dataset ds --config big.json --out r2
"$LUDUS" collect MiniGrid-Empty-5x5-v0 --agent random --episodes 4 --out ds >/dev/null 2>"$T/err" && ok || bad "collect: $(cat "$T/err")"
expect 1 "was recorded in world MiniGrid-Empty-5x5-v0, not MiniGrid-DoorKey-5x5-v0" -- \
  "$LUDUS" train MiniGrid-DoorKey-5x5-v0 --algo cql --dataset ds/MiniGrid-Empty-5x5/random-v0 --out r3
for r in r0 r1 r2 r3; do [ ! -e "$r/checkpoint.safetensors" ] && ok || bad "$r left a checkpoint"; done
# ---- PPO expert -> dataset -> CQL ----
echo '{"eval_episodes": 0}' > noeval.json
if "$LUDUS" train MiniGrid-Empty-5x5-v0 --steps 20000 --config noeval.json --out ppo >/dev/null 2>"$T/err"; then ok
else bad "ppo: $(cat "$T/err")"; fi
if "$LUDUS" collect MiniGrid-Empty-5x5-v0 --agent ppo/checkpoint.safetensors --episodes 60 \
     --out ds --name empty/expert-v0 >/dev/null 2>"$T/err"; then ok; else bad "collect: $(cat "$T/err")"; fi
echo '{"eval_episodes": 0, "grad_steps": 25}' > cql.json
if "$LUDUS" train MiniGrid-Empty-5x5-v0 --algo cql --dataset ds/empty/expert-v0 --config cql.json --steps 64000 \
     --out cql >/dev/null 2>"$T/err"; then ok; else bad "cql: $(cat "$T/err")"; fi
grep -q '"algo": "cql"' cql/config.json && ok || bad "config.json: $(cat cql/config.json)"
grep -q '"alpha": 1' cql/config.json && ok || bad "config.json has no alpha 1: $(cat cql/config.json)"
# the conservative term falls (log 7 = 1.95 for equal Q values; its floor is the data's own action entropy)
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "cql_term") c = i } NR == 2 { first = $c } END { last = $c;
  if (first > 1.0 && last < 0.75 * first) exit 0; print "cql_term " first " -> " last; exit 1 }' cql/metrics.csv && ok ||
  bad "cql term: $(cat cql/metrics.csv)"
if "$LUDUS" eval cql --greedy --episodes 100 --out cql/eval.json >eval.txt 2>"$T/err"; then ok; else bad "eval: $(cat "$T/err")"; fi
ge "$(heldout_success cql/eval.json)" 0.95 && ok || bad "cql: $(cat eval.txt)"
# a resumed CQL run gives what a straight one does (Adam, the target network, the update's stream)
echo '{"eval_episodes": 0, "grad_steps": 5, "target_update": 7, "checkpoint_every": 1}' > short.json
"$LUDUS" train MiniGrid-Empty-5x5-v0 --algo cql --dataset ds/empty/expert-v0 --config short.json --steps 3200 \
  --out straight >/dev/null 2>&1 && ok || bad "straight cql run"
"$LUDUS" train MiniGrid-Empty-5x5-v0 --algo cql --dataset ds/empty/expert-v0 --config short.json --steps 1920 \
  --out halves >/dev/null 2>&1 && ok || bad "first half"
"$LUDUS" train --resume halves --steps 3200 >/dev/null 2>&1 && ok || bad "resumed half"
if [ "$(cut -d, -f1,2,4- straight/metrics.csv)" = "$(cut -d, -f1,2,4- halves/metrics.csv)" ]; then ok; else
  bad "resumed cql differs: $(cat straight/metrics.csv halves/metrics.csv)"; fi
if [ "${LUDUS_LONG_TESTS:-0}" = 1 ]; then
  "$LUDUS" train MiniGrid-DoorKey-5x5-v0 --steps 50000 --train-levels 20 --config noeval.json --out ppodk >/dev/null 2>&1 &&
    ok || bad "ppo doorkey"
  "$LUDUS" collect MiniGrid-DoorKey-5x5-v0 --agent ppodk/checkpoint.safetensors --episodes 150 --out ds \
    --name doorkey/expert-v0 >/dev/null 2>&1 && ok || bad "collect doorkey"
  for a in 1 0; do
    echo "{\"eval_episodes\": 0, \"alpha\": $a}" > a$a.json
    "$LUDUS" train MiniGrid-DoorKey-5x5-v0 --algo cql --dataset ds/doorkey/expert-v0 --config a$a.json --steps 256000 \
      --train-levels 20 --out dk$a >/dev/null 2>&1 && ok || bad "cql doorkey alpha $a"
    "$LUDUS" eval dk$a --greedy --episodes 200 >dk$a.txt 2>&1 && ok || bad "eval doorkey alpha $a"
  done
  ge "$(heldout_success dk1/eval.json)" 0.9 && ok ||
    bad "cql doorkey: $(cat dk1.txt)"
  lt "$(heldout_success dk0/eval.json)" 0.2 && ok ||
    bad "alpha 0 doorkey unexpectedly good: $(cat dk0.txt)"
fi
echo "test_cql_cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
