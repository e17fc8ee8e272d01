#!/usr/bin/env bash
# test_mpi_curriculum.sh: `mpirun -np 2 ludus train --curriculum` as a user
# runs it (issue 17: curricula across ranks). Usage:
#   test_mpi_curriculum.sh /abs/path/to/ludus MPIRUN [MPIRUN FLAGS...]
# Robust PLR and ACCEL on 2 ranks x 1 thread leave the very checkpoint and
# state (the curriculum's tensor among them) and metrics rows (but for the
# timings) of 1 process x 2 threads with layout_exact; a 2-rank run stopped
# halfway and resumed with 2 ranks ends with the tensors of the straight
# one; SIGINT to rank 0 stops the job cleanly (a checkpoint, the resume
# hint with mpirun -np 2, no abort), and the resume completes the run.
set -u
LUDUS=${1:?usage: test_mpi_curriculum.sh path/to/ludus mpirun [flags]}
MPIRUN=${2:?usage: test_mpi_curriculum.sh path/to/ludus mpirun [flags]}
shift 2
FLAGS=("$@")
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
T=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
mpi() { local n=$1; shift; timeout 300 "$MPIRUN" -np "$n" "${FLAGS[@]}" "$LUDUS" "$@"; }
expect() {
  local want=$1 pat=$2; shift 3
  "$@" >"$T/out" 2>&1; local got=$?
  if [ "$got" = "$want" ] && grep -q -- "$pat" "$T/out"; then ok; else bad "$* -> $got: $(head -c 600 "$T/out")"; fi
}
# same_tensors A B: every tensor of two safetensors files byte for byte
same_tensors() {
  python3 - "$1" "$2" <<'EOF'
import json, struct, sys
def tensors(p):
    b = open(p, 'rb').read()
    n = struct.unpack('<Q', b[:8])[0]
    h = json.loads(b[8:8 + n])
    d = b[8 + n:]
    return {k: (v['dtype'], v['shape'], d[v['data_offsets'][0]:v['data_offsets'][1]])
            for k, v in h.items() if k != '__metadata__'}
a, b = tensors(sys.argv[1]), tensors(sys.argv[2])
sys.exit(0 if a.keys() == b.keys() and len(a) > 0 and all(a[k] == b[k] for k in a) else 1)
EOF
}
has_curriculum() { python3 -c "
import json, struct, sys
b = open(sys.argv[1], 'rb').read(); n = struct.unpack('<Q', b[:8])[0]
sys.exit(0 if 'curriculum' in json.loads(b[8:8 + n]) else 1)" "$1"; }
# the metrics rows without the timing columns (wall_s, steps_per_s, cpu_s, rollout_s, learn_s)
rows() { cut -d, -f1,2,4-14,19- "$1"; }
cd "$T"
cat > c.json <<'JSON'
{"num_envs": 4, "num_steps": 64, "minibatches": 2, "eval_episodes": 0, "layout_exact": 1, "anneal_lr": 0,
 "curriculum_knobs": {"buffer_size": 8, "rho": 0.2}}
JSON

# ---- 2 ranks x 1 thread against 1 process x 2 threads ----
for cur in robust-plr accel; do
  expect 0 "over 2 ranks" -- mpi 2 train Maze-v0 --curriculum $cur --threads 1 --config c.json --steps 2560 --out two-$cur
  expect 0 "trained 2560" -- "$LUDUS" train Maze-v0 --curriculum $cur --threads 2 --config c.json --steps 2560 --out one-$cur
  same_tensors one-$cur/checkpoint.safetensors two-$cur/checkpoint.safetensors && ok \
    || bad "$cur: 2 ranks x 1 thread and 1 x 2 threads trained different parameters"
  has_curriculum two-$cur/state.safetensors && ok || bad "$cur: the 2-rank state holds no curriculum"
  same_tensors one-$cur/state.safetensors two-$cur/state.safetensors && ok \
    || bad "$cur: the states (optimizer, curriculum) differ between 2 ranks and 1 process"
  diff <(rows one-$cur/metrics.csv) <(rows two-$cur/metrics.csv) >/dev/null && ok \
    || bad "$cur metrics differ: $(diff <(rows one-$cur/metrics.csv) <(rows two-$cur/metrics.csv) | head -4)"
done
# the report of a 2-rank run pictures the levels of the curriculum every
# rank held (all the run's worlds), the same pictures as the 1-process run's
pngs() { grep -o 'data:image/png;base64,[A-Za-z0-9+/=]*' "$1" | sort; }
for n in one two; do
  expect 0 "wrote" -- "$LUDUS" report $n-robust-plr --no-gifs --out $n.html
done
[ "$(pngs two.html | wc -l)" -ge 1 ] && [ "$(pngs one.html)" = "$(pngs two.html)" ] && ok \
  || bad "the 2-rank report's level pictures differ from the 1-process one's ($(pngs one.html | wc -l) and $(pngs two.html | wc -l))"
# the run replayed levels and skipped exploratory batches (cur_trained 0 and 1 both occur)
col=$(head -1 two-robust-plr/metrics.csv | tr ',' '\n' | grep -n '^cur_trained$' | cut -d: -f1)
[ "$(tail -n +2 two-robust-plr/metrics.csv | cut -d, -f"$col" | sort -u | tr '\n' ' ')" = "0 1 " ] && ok \
  || bad "robust-plr: cur_trained column $(tail -n +2 two-robust-plr/metrics.csv | cut -d, -f"$col" | tr '\n' ' ')"

# ---- stopped halfway and resumed with 2 ranks: the straight run's tensors ----
# (c.json's learning rate is constant: an annealed one follows the total
# steps, which --steps changes)
expect 0 "over 2 ranks" -- mpi 2 train Maze-v0 --curriculum robust-plr --threads 1 --config c.json --steps 1280 --out half
expect 0 "(resumed)" -- mpi 2 train --resume half --steps 2560
same_tensors two-robust-plr/checkpoint.safetensors half/checkpoint.safetensors && ok \
  || bad "the resumed run's parameters differ from the straight run's"
same_tensors two-robust-plr/state.safetensors half/state.safetensors && ok \
  || bad "the resumed run's state (curriculum) differs from the straight run's"
diff <(rows two-robust-plr/metrics.csv) <(rows half/metrics.csv) >/dev/null && ok \
  || bad "resumed metrics differ: $(diff <(rows two-robust-plr/metrics.csv) <(rows half/metrics.csv) | head -4)"

# ---- SIGINT to rank 0: a clean stop with a checkpoint, then resume ----
cat > every.json <<'JSON'
{"num_envs": 4, "num_steps": 32, "minibatches": 2, "eval_episodes": 0, "checkpoint_every": 1,
 "curriculum_knobs": {"buffer_size": 8, "rho": 0.2}}
JSON
mpi 2 train Maze-v0 --curriculum plr --steps 100000000 --threads 1 --config every.json --out sig >"$T/sig.out" 2>&1 &
job=$!
pids+=("$job")
for _ in $(seq 600); do [ -f sig/checkpoint.safetensors ] && break; sleep 0.1; done
[ -f sig/checkpoint.safetensors ] && ok || bad "no checkpoint before SIGINT: $(cat "$T/sig.out")"
rank0=""
for _ in $(seq 100); do
  for p in /proc/[0-9]*; do
    comm=""; { read -r comm <"$p/comm"; } 2>/dev/null; [ "$comm" = ludus ] || continue
    { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -q -- "--out sig" || continue
    if { tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=0'; then rank0=${p#/proc/}; fi
  done
  [ -n "$rank0" ] && break
  sleep 0.1
done
[ -n "$rank0" ] && kill -INT "$rank0"
wait "$job"
status=$?
[ "$status" = 130 ] && ok || bad "after SIGINT to rank 0 the job ended with status $status: $(tail -5 "$T/sig.out")"
grep -q "interrupted; continue with: mpirun -np 2 ludus train --resume sig" "$T/sig.out" && ok \
  || bad "no resume hint: $(tail -5 "$T/sig.out")"
grep -q "MPI_Abort\|ending the job" "$T/sig.out" && bad "SIGINT aborted the job: $(cat "$T/sig.out")" || ok
n=$(tail -n +2 sig/metrics.csv | wc -l)
has_curriculum sig/state.safetensors && ok || bad "the interrupted run's state holds no curriculum"
expect 0 "(resumed)" -- mpi 2 train --resume sig --steps $(((n + 2) * 128))
[ "$(tail -n +2 sig/metrics.csv | cut -d, -f1 | tr '\n' ' ')" = "$(seq 1 $((n + 2)) | tr '\n' ' ')" ] && ok \
  || bad "after SIGINT and resume: updates $(tail -n +2 sig/metrics.csv | cut -d, -f1 | tr '\n' ' '), want 1..$((n + 2))"

echo "test_mpi_curriculum: $pass passed, $fail failed"
[ "$fail" = 0 ]
