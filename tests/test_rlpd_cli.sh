#!/usr/bin/env bash
# test_rlpd_cli.sh: offline-to-online DQN (`ludus train ID --algo dqn
# --dataset DIR`, RLPD's symmetric sampling) as a user drives it. A PPO
# checkpoint trained on 20 DoorKey-5x5 levels records 50 episodes with
# `ludus collect` (about 600 steps); DQN with that dataset mixed into every
# minibatch (offline_ratio 0.5) and DQN from scratch, same configuration
# and seed, 10,000 online frames each: the greedy held-out success
# (`ludus eval --greedy`, 200 episodes) of the first is >= 0.2 (seen 0.40
# and 0.435 for seeds 1 and 2), of the second <= 0.05 (seen 0.000). A
# resumed run gives the straight one's metrics. Bad input is a one-line
# error: a folder that is not a dataset, a dataset of another world, an
# offline_ratio out of [0, 1].
# With LUDUS_LONG_TESTS=1 the comparison of docs/learning.md at the
# default configuration (runs of 10,000 and 20,000 frames, seeds 1-3):
# offline-to-online reaches greedy held-out success 0.2 within 20,000
# frames on every seed (seen 1.000, 0.355, 0.335), DQN from scratch on none
# (seen 0.000, 0.000, 0.055; it gets there at 40,000-80,000 frames).
set -u
LUDUS=${1:?usage: test_rlpd_cli.sh path/to/ludus}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
# expect STATUS PATTERN -- command...: exit status and one stderr line matching PATTERN
expect() {
  local want=$1 pat=$2; shift 3
  "$@" >"$T/out" 2>"$T/err"; local got=$?
  if [ "$got" = "$want" ] && grep -q -- "$pat" "$T/err" && [ "$(wc -l <"$T/err")" -le 1 ]; then ok
  else bad "$* -> $got: $(head -c 300 "$T/err")"; fi
}
# heldout RUN: the greedy held-out success of RUN's eval.json
heldout() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['splits']['heldout']['success']['mean'])" "$1/eval.json"; }
cd "$T"
DK=MiniGrid-DoorKey-5x5-v0
# ---- bad input ----
mkdir notds
expect 1 "dqn: dataset: .*notds is not a dataset" -- "$LUDUS" train $DK --algo dqn --dataset notds --out r0
"$LUDUS" collect MiniGrid-Empty-5x5-v0 --agent random --episodes 3 --out ds >/dev/null 2>"$T/err" && ok || bad "collect: $(cat "$T/err")"
expect 1 "was recorded in world MiniGrid-Empty-5x5-v0, not $DK" -- \
  "$LUDUS" train $DK --algo dqn --dataset ds/MiniGrid-Empty-5x5/random-v0 --out r1
echo '{"offline_ratio": 2}' > r2.json
expect 1 "\"offline_ratio\" = 2 is outside \[0, 1\]" -- "$LUDUS" train $DK --algo dqn --config r2.json --out r2
for r in r0 r1 r2; do [ ! -e "$r/checkpoint.safetensors" ] && ok || bad "$r left a checkpoint"; done
# ---- PPO expert -> dataset -> DQN with and without it ----
echo '{"eval_episodes": 0}' > noeval.json
"$LUDUS" train $DK --steps 50000 --train-levels 20 --config noeval.json --out ppo >/dev/null 2>"$T/err" && ok ||
  bad "ppo: $(cat "$T/err")"
"$LUDUS" collect $DK --agent ppo/checkpoint.safetensors --episodes 50 --out ds --name doorkey/expert-v0 >/dev/null \
  2>"$T/err" && ok || bad "collect: $(cat "$T/err")"
echo '{"eval_episodes": 0, "learning_starts": 500, "eps_fraction": 0.2}' > smoke.json
"$LUDUS" train $DK --algo dqn --dataset ds/doorkey/expert-v0 --config smoke.json --steps 10000 --seed 1 --out o2o \
  >/dev/null 2>"$T/err" && ok || bad "offline-to-online: $(cat "$T/err")"
"$LUDUS" train $DK --algo dqn --config smoke.json --steps 10000 --seed 1 --out scratch >/dev/null 2>"$T/err" && ok ||
  bad "scratch: $(cat "$T/err")"
grep -q '"offline_ratio": 0.5' o2o/config.json && grep -q "\"dataset\": \"$T/ds/doorkey/expert-v0\"" o2o/config.json &&
  ok || bad "config.json: $(cat o2o/config.json)"
for r in o2o scratch; do
  "$LUDUS" eval $r --greedy --episodes 200 >/dev/null 2>"$T/err" && ok || bad "eval $r: $(cat "$T/err")"
done
s=$(heldout o2o) && awk -v s="$s" 'BEGIN { exit !(s >= 0.2) }' && ok || bad "offline-to-online held-out success $s < 0.2"
s=$(heldout scratch) && awk -v s="$s" 'BEGIN { exit !(s <= 0.05) }' && ok || bad "scratch held-out success $s > 0.05"
echo "offline-to-online $(heldout o2o), scratch $(heldout scratch) after 10,000 frames (greedy, held-out)"
# a resumed run (replay saved; a constant epsilon, as the schedule spans total_steps) gives what a straight one does
echo '{"eval_episodes": 0, "learning_starts": 64, "save_replay": 1, "num_envs": 4, "rollout_steps": 16,
  "checkpoint_every": 1, "target_update": 7, "eps_fraction": 0, "eps_end": 0.3}' > short.json
"$LUDUS" train $DK --algo dqn --dataset ds/doorkey/expert-v0 --config short.json --steps 1024 --out straight \
  >/dev/null 2>&1 && ok || bad "straight run"
"$LUDUS" train $DK --algo dqn --dataset ds/doorkey/expert-v0 --config short.json --steps 512 --out halves \
  >/dev/null 2>&1 && ok || bad "first half"
"$LUDUS" train --resume halves --steps 1024 >/dev/null 2>&1 && ok || bad "resumed half"
# columns but the wall-clock ones (wall_s, steps_per_s, updates_per_s, cpu_s) and `length`: the worlds'
# step counters of episodes under way are not in DQN's state, so an episode that spans the resume
# counts its length from there (its return and success are the straight run's)
cols() { cut -d, -f1,2,4-6,8-15 "$1/metrics.csv"; }
if [ "$(cols straight)" = "$(cols halves)" ]; then ok; else bad "resumed run differs: $(cols straight; cols halves)"; fi
if [ "${LUDUS_LONG_TESTS:-0}" = 1 ]; then
  # best RUN...: the largest held-out success of the runs
  best() { local m=0 r s; for r in "$@"; do s=$(heldout $r); m=$(awk -v m="$m" -v s="$s" 'BEGIN { print (s > m ? s : m) }'); done; echo $m; }
  for seed in 1 2 3; do
    for F in 10000 20000; do
      "$LUDUS" train $DK --algo dqn --dataset ds/doorkey/expert-v0 --config noeval.json --steps $F --seed $seed \
        --out lo$seed-$F >/dev/null 2>&1 && ok || bad "long offline-to-online seed $seed, $F frames"
      "$LUDUS" train $DK --algo dqn --config noeval.json --steps $F --seed $seed --out ls$seed-$F >/dev/null 2>&1 && ok ||
        bad "long scratch seed $seed, $F frames"
      for r in lo$seed-$F ls$seed-$F; do "$LUDUS" eval $r --greedy --episodes 200 >/dev/null 2>&1 && ok || bad "eval $r"; done
    done
    a=$(best lo$seed-10000 lo$seed-20000) b=$(best ls$seed-10000 ls$seed-20000)
    echo "seed $seed, best of the 10,000- and 20,000-frame runs: offline-to-online $a, scratch $b (greedy, held-out)"
    awk -v s="$a" 'BEGIN { exit !(s >= 0.2) }' && ok || bad "seed $seed: offline-to-online $a < 0.2 within 20,000 frames"
    awk -v s="$b" 'BEGIN { exit !(s < 0.2) }' && ok || bad "seed $seed: scratch $b >= 0.2 within 20,000 frames"
  done
fi
echo "test_rlpd_cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
