#!/usr/bin/env bash
# test_run_cli.sh: runs lose nothing. Real `ludus train` processes are
# killed with SIGKILL at seeded random moments and resumed until they
# finish: metrics.csv then holds each update exactly once, in order, and
# the final checkpoint loads. SIGINT and SIGTERM checkpoint and exit with
# status 130, and --resume continues; a second writer is refused while the
# first runs; --config with --resume, a flipped bit in a checkpoint
# (header or data), another run's checkpoint and a stale state are
# refused with a message naming what differs. Parents of --out are made.
set -u
LUDUS=${1:?usage: test_run_cli.sh path/to/ludus}
T=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$T"' EXIT
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
# exactly DIR N: metrics.csv of DIR holds updates 1..N once each, in order
exactly() {
  local got
  got=$(tail -n +2 "$1/metrics.csv" | cut -d, -f1 | tr '\n' ' ')
  local want
  want=$(seq 1 "$2" | tr '\n' ' ')
  [ "$got" = "$want" ] && ok || bad "$1/metrics.csv updates: $got (want 1..$2)"
}
cd "$T"
# 4 worlds x 32 steps = 128 steps an update; a checkpoint after each one
echo '{"num_envs": 4, "num_steps": 32, "minibatches": 2, "eval_episodes": 0, "checkpoint_every": 1}' > every.json
echo '{"num_envs": 4, "num_steps": 32, "minibatches": 2, "eval_episodes": 0}' > timed.json

# ---- kill -9 at random moments, then resume, until done ----
RANDOM=${LUDUS_KILL_SEED:-11}
N=48; STEPS=$((N * 128))
for round in 1 2 3 4 5 6 7 8 9 10; do
  if [ -f deep/er/k/config.json ]; then
    "$LUDUS" train --resume deep/er/k >/dev/null 2>&1 &
  else
    "$LUDUS" train MiniGrid-Empty-5x5-v0 --steps $STEPS --config every.json --out deep/er/k --force >/dev/null 2>&1 &
  fi
  p=$!; pids+=("$p")
  # even rounds count their moment from config.json's arrival, so a loaded
  # machine still kills runs that started; odd rounds may kill before it
  if [ $((round % 2)) = 0 ]; then
    for _ in $(seq 400); do [ -f deep/er/k/config.json ] || ! kill -0 "$p" 2>/dev/null && break; sleep 0.05; done
  fi
  sleep "0.$(printf '%03d' $((RANDOM % 450 + 5)))"
  kill -9 "$p" 2>/dev/null
  wait "$p" 2>/dev/null
done
if [ -f deep/er/k/config.json ]; then
  "$LUDUS" train --resume deep/er/k >/dev/null 2>err.txt && ok || bad "final resume: $(cat err.txt)"
else
  bad "ten kills and no config.json: the runs never started"
fi
exactly deep/er/k $N
[ "$(tail -1 deep/er/k/metrics.csv | cut -d, -f2)" = $STEPS ] && ok || bad "last row is not at $STEPS steps"
ls deep/er/k | grep -q '\.new\|\.tmp' && bad "leftover temporary files: $(ls deep/er/k)" || ok
if "$LUDUS" eval deep/er/k --episodes 5 >/dev/null 2>err.txt; then ok; else bad "final checkpoint: $(cat err.txt)"; fi

# ---- SIGINT and SIGTERM checkpoint and stop; --resume finishes ----
for sig in INT TERM; do
  "$LUDUS" train MiniGrid-Empty-5x5-v0 --steps 1000000 --config timed.json --out s$sig >/dev/null 2>err$sig.txt &
  p=$!; pids+=("$p")
  for _ in $(seq 400); do [ -f s$sig/metrics.csv ] && [ "$(wc -l < s$sig/metrics.csv)" -ge 4 ] && break; sleep 0.05; done
  kill -$sig "$p"
  wait "$p"; st=$?
  [ $st = 130 ] && ok || bad "SIG$sig: exit status $st, want 130"
  grep -q "interrupted; continue with: ludus train --resume s$sig" err$sig.txt && ok || bad "SIG$sig message: $(cat err$sig.txt)"
  n=$(tail -n +2 s$sig/metrics.csv | wc -l)
  [ -f s$sig/checkpoint.safetensors ] && ok || bad "SIG$sig left no checkpoint"
  if "$LUDUS" train --resume s$sig --steps $(((n + 3) * 128)) >/dev/null 2>err.txt; then ok; else bad "resume after SIG$sig: $(cat err.txt)"; fi
  exactly s$sig $((n + 3))
done

# ---- a second writer is refused while the first runs ----
"$LUDUS" train MiniGrid-Empty-5x5-v0 --steps 1000000 --config timed.json --out two >/dev/null 2>&1 &
p=$!; pids+=("$p")
for _ in $(seq 400); do [ -f two/metrics.csv ] && [ "$(wc -l < two/metrics.csv)" -ge 2 ] && break; sleep 0.05; done
expect 1 "two is in use: another process is writing this run" -- "$LUDUS" train --resume two
expect 1 "in use" -- "$LUDUS" train MiniGrid-Empty-5x5-v0 --out two --force
kill -INT "$p"; wait "$p"
expect 2 "cannot change it" -- "$LUDUS" train --resume two --config timed.json
expect 2 "--force" -- "$LUDUS" train --resume two --force
expect 1 "unknown learner 'ppp'; did you mean 'ppo'" -- "$LUDUS" train MiniGrid-Empty-5x5-v0 --algo ppp --out x
"$LUDUS" train --list-algos | grep -q "^ppo " && ok || bad "--list-algos"
"$LUDUS" train --help 2>&1 | grep -q -- "--threads N" && ok || bad "--threads missing from --help"

# ---- corrupted and foreign files are refused on resume ----
cp -r deep/er/k c1
f=c1/checkpoint.safetensors
flipbyte $f 40      # inside the header
expect 1 "checksum mismatch" -- "$LUDUS" train --resume c1
cp deep/er/k/checkpoint.safetensors $f
flipbyte $f $(( $(stat -c %s $f) - 7 ))   # in the data
expect 1 "checksum mismatch" -- "$LUDUS" train --resume c1
cp deep/er/k/checkpoint.safetensors $f
cp sINT/checkpoint.safetensors sINT/state.safetensors c1/
expect 1 "run ids differ: config.json" -- "$LUDUS" train --resume c1
cp -r sTERM c2
cp sTERM/state.safetensors c2/state.old
"$LUDUS" train --resume c2 --steps $(( ($(tail -n +2 c2/metrics.csv | wc -l) + 2) * 128 )) >/dev/null 2>&1
mv c2/state.old c2/state.safetensors
expect 1 "checkpoint.safetensors is at update .* but state.safetensors at update" -- "$LUDUS" train --resume c2
expect 1 "no such run folder" -- "$LUDUS" train --resume nowhere

# ---- config files: regular files of bounded size only; runs/ is created ----
expect 1 "not a regular file" -- "$LUDUS" train MiniGrid-Empty-5x5-v0 --config /dev/zero --out z1
mkfifo fifo.json
expect 1 "not a regular file" -- timeout 10 "$LUDUS" train MiniGrid-Empty-5x5-v0 --config fifo.json --out z2
head -c 2000000 /dev/zero | tr '\0' ' ' > big.json
expect 1 "more than" -- "$LUDUS" train MiniGrid-Empty-5x5-v0 --config big.json --out z3
mkdir fresh && (cd fresh && "$LUDUS" train MiniGrid-Empty-5x5-v0 --steps 128 --config ../timed.json --out runs/x >/dev/null 2>&1) \
  && [ -s fresh/runs/x/checkpoint.safetensors ] && ok || bad "--out runs/x without runs/"

# ---- a second learner through the same run: DQN trains, resumes, evaluates ----
"$LUDUS" train --list-algos | grep -q "^dqn " && ok || bad "--list-algos lacks dqn"
printf '{"n_stepp": 2}\n' > dqnbad.json
expect 1 'unknown key "n_stepp"; did you mean "n_step"' -- "$LUDUS" train MiniGrid-Empty-5x5-v0 --algo dqn --config dqnbad.json --out dqb
printf '{"save_replay": 1, "eval_episodes": 20, "learning_starts": 256}\n' > dqn.json
"$LUDUS" train MiniGrid-Empty-5x5-v0 --algo dqn --steps 1024 --config dqn.json --out dq >/dev/null 2>&1 && exactly dq 2 \
  || bad "dqn train"
"$LUDUS" train --resume dq --steps 2048 >/dev/null 2>&1 && exactly dq 4 || bad "dqn resume"
grep -q '"agent": "dqn"' dq/eval.json && ok || bad "dqn eval.json names its agent"
"$LUDUS" eval dq --greedy --episodes 10 2>/dev/null | grep -q "^heldout" && ok || bad "ludus eval on a dqn run"

echo "test_run_cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
