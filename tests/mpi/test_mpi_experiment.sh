#!/usr/bin/env bash
# test_mpi_experiment.sh: `mpirun -np 2 ludus experiment` as a user runs
# it, on this machine. Usage:
#   test_mpi_experiment.sh /abs/path/to/ludus MPIRUN [MPIRUN FLAGS...]
# Four runs (2 methods x 2 seeds) over 2 ranks: rank 0 trains the first
# two, rank 1 the last two, each once; results.json and every run's
# heldout.json are those of the single-process command on the same file,
# byte for byte (runs are deterministic per seed). The same command again
# keeps every finished run, resumes a half-finished one, and writes the
# report once; ranks that do not share a folder (another working folder
# each) still leave every run's results on rank 0; a folder holding
# another experiment is refused with one clear line and nothing changes;
# a rank whose run fails ends the job, saying so, and one process then
# finishes the experiment with the same numbers.
set -u
LUDUS=${1:?usage: test_mpi_experiment.sh path/to/ludus mpirun [flags]}
MPIRUN=${2:?usage: test_mpi_experiment.sh path/to/ludus mpirun [flags]}
shift 2
FLAGS=("$@")
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
mpi() { local n=$1; shift; timeout 300 "$MPIRUN" -np "$n" "${FLAGS[@]}" "$LUDUS" "$@"; }
# expect STATUS PATTERN -- command...: exit status ("nonzero" for any
# failure) and an output line matching PATTERN
expect() {
  local want=$1 pat=$2; shift 3
  "$@" >"$T/out" 2>&1; local got=$?
  if { [ "$got" = "$want" ] || { [ "$want" = nonzero ] && [ "$got" != 0 ] && [ "$got" != 124 ]; }; } &&
     grep -q -- "$pat" "$T/out"; then ok; else bad "$* -> $got: $(head -c 800 "$T/out")"; fi
}
# same_json A B: the same JSON value
same_json() { python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1])) == json.load(open(sys.argv[2])) else 1)' "$1" "$2"; }
cd "$T"
cat > e.json <<'EOF'
{"train_env": "MiniGrid-Empty-5x5-v0",
 "heldout": ["MiniGrid-Empty-6x6-v0"],
 "methods": [{"name": "dr"}, {"name": "dr-fast", "config": {"lr": 0.003}}],
 "seeds": [1, 2],
 "episodes": 5,
 "config": {"total_steps": 512, "num_envs": 4, "num_steps": 32, "minibatches": 2, "num_threads": 1}}
EOF
RUNS="runs/dr/seed1 runs/dr-fast/seed1 runs/dr/seed2 runs/dr-fast/seed2"

# ---- --check: rank 0 alone lists the runs ----
mpi 2 experiment e.json --check --out two >check.out 2>&1 && [ "$(grep -c '^  two/runs/' check.out)" = 4 ] &&
  grep -q '^e.json: 4 runs into two$' check.out && ok || bad "--check under mpirun: $(cat check.out)"

# ---- 2 ranks against 1 process ----
expect 0 "4 runs into two over 2 ranks" -- mpi 2 experiment e.json --out two --no-report
cp "$T/out" two.out
expect 0 "wrote one/results.json" -- "$LUDUS" experiment e.json --out one --no-report
same_json one/results.json two/results.json && ok || bad "results.json differs: $(diff one/results.json two/results.json | head -8)"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if r["complete"] is True and len(r["runs"]) == 4 else 1)' two/results.json && ok || bad "results.json not complete: $(cat two/results.json)"
for r in $RUNS; do
  cmp -s "one/$r/heldout.json" "two/$r/heldout.json" && ok || bad "$r/heldout.json differs"
  grep -q '"ranks": 1' "two/$r/config.json" && ok || bad "$r/config.json: $(grep ranks "two/$r/config.json")"
  # trained once: its updates 1 to 4 once each
  [ "$(tail -n +2 "two/$r/metrics.csv" | cut -d, -f1 | tr '\n' ' ')" = "1 2 3 4 " ] && ok || bad "$r/metrics.csv: $(cat "two/$r/metrics.csv")"
done
# contiguous shares: runs 1-2 on rank 0, 3-4 on rank 1, each started once
[ "$(grep -c ': training$' two.out)" = 4 ] && ok || bad "runs started: $(grep ': training$' two.out)"
grep -q '^\[1/4\] dr seed 1 (two/runs/dr/seed1): training$' two.out && grep -q '^\[2/4\] dr-fast seed 1 .*: training$' two.out &&
  grep -q '^(rank 1) \[3/4\] dr seed 2 .*: training$' two.out && grep -q '^(rank 1) \[4/4\] dr-fast seed 2 .*: training$' two.out &&
  ok || bad "who trained what: $(grep 'training$' two.out)"
# the four runs' results differ from one another, so the equality above says something
[ "$(for r in $RUNS; do grep solved_rate "one/$r/heldout.json" | md5sum; done | sort -u | wc -l)" = 4 ] && ok \
  || bad "the runs' results are not distinct: $(grep -h solved_rate one/runs/*/*/heldout.json)"
[ ! -e two/report.html ] && ok || bad "--no-report wrote report.html"

# ---- the same command again: everything kept; a half-finished run resumes ----
rm two/runs/dr-fast/seed2/heldout.json two/results.json
touch mark
sleep 1
expect 0 "wrote two/results.json" -- mpi 2 experiment e.json --out two
cp "$T/out" again.out
[ "$(grep -c 'finished before, kept$' again.out)" = 3 ] && ok || bad "kept: $(grep kept again.out)"
grep -q '^(rank 1) \[4/4\] dr-fast seed 2 .*: resuming from its checkpoint$' again.out && ok || bad "no resume: $(cat again.out)"
same_json one/results.json two/results.json && ok || bad "results.json after the resume differs"
cmp -s one/runs/dr-fast/seed2/heldout.json two/runs/dr-fast/seed2/heldout.json && ok || bad "the resumed run's results differ"
[ -z "$(find two/runs -newer mark \( -name metrics.csv -o -name checkpoint.safetensors \) | tr '\n' ' ')" ] && ok \
  || bad "the second command trained again: $(find two/runs -newer mark -type f)"
[ -z "$(find two/runs -newer mark -name heldout.json | grep -v dr-fast/seed2)" ] && ok || bad "kept results rewritten"
[ -s two/report.html ] && ok || bad "no report.html from rank 0"

# ---- ranks that see different folders: rank 0 still gets every result ----
mkdir -p a b
cp e.json a/ && cp e.json b/
timeout 300 "$MPIRUN" "${FLAGS[@]}" -np 1 -wdir "$T/a" "$LUDUS" experiment e.json --out sep --no-report : \
  -np 1 -wdir "$T/b" "$LUDUS" experiment e.json --out sep --no-report >sep.out 2>&1 && ok || bad "separate folders: $(tail -5 sep.out)"
same_json one/results.json a/sep/results.json && ok || bad "results.json with separate folders differs: $(head -c 600 a/sep/results.json)"
[ -f b/sep/runs/dr/seed2/metrics.csv ] && [ ! -e a/sep/runs/dr/seed2/metrics.csv ] && ok || bad "rank 1 trained into its own folder"
cmp -s one/runs/dr/seed2/heldout.json a/sep/runs/dr/seed2/heldout.json && ok || bad "rank 1's results not on rank 0"
[ ! -e b/sep/results.json ] && ok || bad "rank 1 wrote results.json"

# ---- a folder holding another experiment: refused on every rank ----
sed 's/"episodes": 5/"episodes": 4/' e.json > other.json
cp two/results.json before.json
expect 1 "^ludus experiment: two holds another experiment (its experiment.json differs from other.json); use another folder$" -- \
  mpi 2 experiment other.json --out two --no-report
# one line from ludus (after the banner), none from rank 1, and no MPI_Abort
[ "$(grep -c '^ludus' "$T/out")" = 2 ] && ! grep -q "MPI_ABORT\|rank 1" "$T/out" && ok || bad "the refusal said: $(cat "$T/out")"
cmp -s before.json two/results.json && ok || bad "a refused experiment changed results.json"
cmp -s e.json two/experiment.json && ok || bad "a refused experiment changed experiment.json"

# ---- a rank whose run fails ends the job; one process finishes it ----
mkdir -p bad/runs/dr
echo "not a folder" > bad/runs/dr/seed2   # rank 1's first run cannot start
expect nonzero "ludus experiment (rank 1): .*run bad/runs/dr/seed2 (method dr, seed 2)" -- \
  mpi 2 experiment e.json --out bad --no-report
grep -q "ludus experiment (rank 1): ending the job; finished runs are kept" "$T/out" && ok || bad "no word of the end: $(cat "$T/out")"
rm bad/runs/dr/seed2
expect 0 "wrote bad/results.json" -- "$LUDUS" experiment e.json --out bad --no-report
# Every run equals the straight experiment's, except one that rank 0 was
# training when mpirun stopped it: that run checkpointed mid-way (a signal
# saves the update), and PPO's resume restarts the episodes in flight, so
# it may differ; on a loaded machine that happens. It must still be there.
python3 - one/results.json bad/results.json "$T/out" <<'PY' && ok || bad "results.json after the failure and one process differs"
import json, re, sys
one, two = (json.load(open(f)) for f in sys.argv[1:3])
resumed = set(re.findall(r"\] (\S+) seed (\d+) \(.*\): resuming from its checkpoint", open(sys.argv[3]).read()))
key = lambda r: (r["method"], str(r["seed"]))
a = {key(r): r for r in one["runs"]}
b = {key(r): r for r in two["runs"]}
assert a.keys() == b.keys(), (a.keys(), b.keys())
assert {k for k in a if a[k] != b[k]} <= resumed, ({k for k in a if a[k] != b[k]}, resumed)
assert all(b[k]["steps"] == a[k]["steps"] for k in a)
strip = lambda d: {k: v for k, v in d.items() if k != "runs"}
assert strip(one) == strip(two)
PY

echo "test_mpi_experiment: $pass passed, $fail failed"
[ "$fail" = 0 ]
