#!/usr/bin/env bash
# test_experiment_cli.sh: `ludus experiment`. A real experiment (2 methods
# x 2 seeds on Maze-v0, evaluated on two held-out mazes, with the
# periodic evaluation on) is killed with SIGKILL at seeded random moments
# and run again with the same command until it finishes: every run's
# metrics.csv then holds each update once, eval_curve.csv each
# (update, world, split) once at the evaluation updates, results.json
# lists the four runs, and a finished experiment run again is kept whole.
# SIGINT stops it with status 130; a second process on the same folder is
# refused; every bad file is a one-line error naming the field.
set -u
LUDUS=${1:?usage: test_experiment_cli.sh path/to/ludus}
T=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
# expect STATUS PATTERN -- command...: exit status and a one-line stderr matching PATTERN
expect() {
  local want=$1 pat=$2; shift 3
  "$@" >"$T/out" 2>"$T/err"; local got=$?
  if [ "$got" = "$want" ] && grep -q -- "$pat" "$T/err" && [ "$(wc -l <"$T/err")" -le 1 ]; then ok
  else bad "$* -> $got: $(head -c 400 "$T/err")"; fi
}
cd "$T"

# ---- bad files: one line each, naming the field ----
M='"methods": [{"name": "a"}], "seeds": [1]'
printf '{"train_env": "Maze-v0", %s' "$M" > f1.json
expect 1 'f1.json: not valid JSON (line 1' -- "$LUDUS" experiment f1.json --check
printf '{"train_env": "Maze-v", %s}' "$M" > f2.json
expect 1 "f2.json: train_env: unknown world id 'Maze-v'; did you mean 'Maze-v0'" -- "$LUDUS" experiment f2.json --check
printf '{"train_env": "Maze-v0", "methods": [{"name": "a", "algorithm": "ppo"}], "seeds": [1]}' > f3.json
expect 1 'methods\[0\]: unknown key "algorithm"; did you mean "algo"' -- "$LUDUS" experiment f3.json --check
printf '{"train_env": "Maze-v0", "methods": [{"name": "a"}, {"name": "a"}], "seeds": [1]}' > f4.json
expect 1 'methods\[1\]: the name "a" is also methods\[0\]' -- "$LUDUS" experiment f4.json --check
printf '{"train_env": "Maze-v0", "methods": [{"name": "a"}], "seeds": [1, 1e16]}' > f5.json
expect 1 'seeds\[1\] = .* is not an integer in \[0, 9007199254740992\]' -- "$LUDUS" experiment f5.json --check
printf '{"train_env": "Maze-v0", "heldout": ["MiniGrid-Empty-5x5-v0"], %s}' "$M" > f6.json
expect 1 "heldout\[0\].*MiniGrid-Empty-5x5-v0's observation and actions (148 bytes" -- "$LUDUS" experiment f6.json --check
printf '{"train_env": "Maze-v0", "heldout": [{"id": "Maze-v0", "name": "x", "level_start": 3}], %s}' "$M" > f7.json
expect 1 'heldout\[0\].*levels 3..102 of Maze-v0 .*overlap its training levels' -- "$LUDUS" experiment f7.json --check
printf '{"train_env": "Maze-v0", "methods": [{"name": "a", "config": {"no_such_key": 1}}], "seeds": [1]}' > f8.json
expect 1 'methods\[0\] ("a").*unknown key "no_such_key"' -- "$LUDUS" experiment f8.json --check
expect 1 'no-such.json' -- "$LUDUS" experiment no-such.json
"$LUDUS" experiment f1.json --bogus >/dev/null 2>err.txt; st=$?
[ "$st" = 2 ] && head -1 err.txt | grep -q 'unknown option --bogus' && ok || bad "--bogus: $st $(cat err.txt)"

# ---- --check lists the runs ----
cat > e.json <<'EOF'
{"train_env": "Maze-v0",
 "heldout": ["Maze-SixteenRooms-v0", "Maze-Labyrinth-v0"],
 "methods": [{"name": "dr"}, {"name": "dr-fast", "algo": "ppo", "config": {"lr": 0.001}}],
 "seeds": [1, 2],
 "episodes": 3,
 "config": {"total_steps": 3072, "num_envs": 4, "num_steps": 32, "minibatches": 2, "num_threads": 1,
            "checkpoint_every": 1, "eval_interval": 4, "eval_curve_episodes": 2}}
EOF
"$LUDUS" experiment e.json --check >out.txt 2>&1 && grep -q "e.json: 4 runs into experiments/e" out.txt &&
  grep -q "experiments/e/runs/dr-fast/seed2" out.txt && ok || bad "--check: $(cat out.txt)"

# ---- kill -9 at random moments, then the same command, until done ----
RANDOM=${LUDUS_KILL_SEED:-7}
for round in $(seq 1 12); do
  "$LUDUS" experiment e.json --out x/e >/dev/null 2>&1 &
  p=$!; pids+=("$p")
  # even rounds count their moment from a first checkpoint, so a loaded
  # machine still kills experiments that got somewhere
  if [ $((round % 2)) = 0 ]; then
    for _ in $(seq 400); do ls x/e/runs/*/seed*/checkpoint.safetensors >/dev/null 2>&1 || ! kill -0 "$p" 2>/dev/null && break; sleep 0.05; done
  fi
  sleep "0.$(printf '%03d' $((RANDOM % 600 + 5)))"
  kill -9 "$p" 2>/dev/null
  wait "$p" 2>/dev/null
done
"$LUDUS" experiment e.json --out x/e >final.out 2>final.err && ok || bad "final run: $(tail -3 final.err)"
# the kills landed mid-experiment: the last command continued what they left
grep -q "resuming from its checkpoint\|finished before, kept" final.err && ok || bad "nothing resumed: $(cat final.err)"
cmp -s e.json x/e/experiment.json && ok || bad "experiment.json is not the input, verbatim"
# the report at the end: every section, over the finished experiment
grep -q "wrote x/e/report.html" final.out && grep -q 'id="improvement"' x/e/report.html && ok || bad "experiment's report.html"
# 3072 steps / 128 = 24 updates; evaluations at 4, 8, ..., 24 (6), 3 rows each
for d in x/e/runs/*/seed*; do
  got=$(tail -n +2 "$d/metrics.csv" | cut -d, -f1 | tr '\n' ' ')
  [ "$got" = "$(seq 1 24 | tr '\n' ' ')" ] && ok || bad "$d/metrics.csv updates: $got"
  head -1 "$d/eval_curve.csv" | grep -qx 'update,steps,world,split,episodes,solved_rate,mean_return' && ok ||
    bad "$d/eval_curve.csv header"
  keys=$(tail -n +2 "$d/eval_curve.csv" | cut -d, -f1,3,4 | tr '\n' ' ')
  want=""
  for u in 4 8 12 16 20 24; do
    want+="$u,Maze-v0,train $u,Maze-SixteenRooms-v0,heldout $u,Maze-Labyrinth-v0,heldout "
  done
  [ "$keys" = "$want" ] && ok || bad "$d/eval_curve.csv rows: $keys"
  [ -f "$d/heldout.json" ] && [ -f "$d/eval.json" ] && ok || bad "$d: no heldout.json or eval.json"
done
python3 - x/e/results.json <<'EOF' && ok || bad "results.json"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["format"] == "ludus-results/1" and r["train_env"] == "Maze-v0" and r["complete"] is True
assert r["methods"] == ["dr", "dr-fast"] and r["seeds"] == [1, 2] and r["episodes"] == 3
assert [(w["id"], w["split"]) for w in r["worlds"]] == [("Maze-v0", "train"), ("Maze-SixteenRooms-v0", "heldout"),
                                                        ("Maze-Labyrinth-v0", "heldout")]
assert [(x["method"], x["seed"], x["dir"]) for x in r["runs"]] == [
    ("dr", 1, "runs/dr/seed1"), ("dr-fast", 1, "runs/dr-fast/seed1"), ("dr", 2, "runs/dr/seed2"), ("dr-fast", 2, "runs/dr-fast/seed2")]
for x in r["runs"]:
    assert x["steps"] == 3072
    for w in r["worlds"]:
        e = x["results"][w["name"]]
        assert e["split"] == w["split"] and e["episodes"] == 3 and 0 <= e["solved_rate"] <= 1
EOF
grep -q "solved rate, mean over seeds" final.out && ok || bad "no table: $(cat final.out)"
# finished: the same command keeps every run and trains nothing
"$LUDUS" experiment e.json --out x/e >again.out 2>again.err && [ "$(grep -c 'finished before, kept' again.err)" = 4 ] &&
  ! grep -q "training\|resuming" again.err && ok || bad "a finished experiment again: $(cat again.err)"
# another file into the same folder is refused
sed 's/"seeds": \[1, 2\]/"seeds": [1, 3]/' e.json > e2.json
expect 1 'holds another experiment' -- "$LUDUS" experiment e2.json --out x/e

# ---- SIGINT: checkpoint, status 130; a second process is refused meanwhile ----
sed -e 's/"total_steps": 3072/"total_steps": 100000000/' -e 's/"eval_interval": 4/"eval_interval": 0/' e.json > long.json
"$LUDUS" experiment long.json --out y >y.out 2>y.err &
p=$!; pids+=("$p")
for i in $(seq 1 600); do [ -s y/runs/dr/seed1/checkpoint.safetensors ] && break; sleep 0.05; done
expect 1 'is in use' -- "$LUDUS" experiment long.json --out y
kill -INT "$p"
wait "$p"; st=$?
[ "$st" = 130 ] && grep -q "interrupted; continue with the same command" y.err && ok || bad "SIGINT: status $st, $(tail -2 y.err)"

echo "test_experiment_cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
