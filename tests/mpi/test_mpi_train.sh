#!/usr/bin/env bash
# test_mpi_train.sh: `mpirun -np 2 ludus train` as a user runs it, on this
# machine over loopback and shared memory. Usage:
#   test_mpi_train.sh /abs/path/to/ludus MPIRUN [MPIRUN FLAGS...]
# Rank 0 alone writes the run folder (config.json says "ranks": 2); its
# checkpoint holds the very tensors of the single-process run with 2
# threads over the same 8 worlds (read back with Python's own reader of
# the safetensors layout); resume goes on with 2 ranks and is refused with
# 1 or 3, naming the number; a kill -9 of rank 1 ends the job (no hang)
# with a message from rank 0, and the run resumes from its last
# checkpoint to the end; fewer worlds than ranks and a learner without a
# distributed form are refused with one clear line.
set -u
LUDUS=${1:?usage: test_mpi_train.sh path/to/ludus mpirun [flags]}
MPIRUN=${2:?usage: test_mpi_train.sh path/to/ludus mpirun [flags]}
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
# expect STATUS PATTERN -- command...: exit status and an output line matching PATTERN
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
cd "$T"
echo '{"num_envs": 8, "num_steps": 32, "minibatches": 4, "eval_episodes": 0, "layout_exact": 1}' > small.json
echo '{"num_envs": 8, "num_steps": 32, "minibatches": 4, "eval_episodes": 0, "checkpoint_every": 1}' > every.json

# ---- 2 ranks x 1 thread against 1 process x 2 threads ----
expect 0 "over 2 ranks" -- mpi 2 train MiniGrid-Empty-5x5-v0 --steps 1024 --threads 1 --config small.json --out two
expect 0 "trained 1024" -- "$LUDUS" train MiniGrid-Empty-5x5-v0 --steps 1024 --threads 2 --config small.json --out one
grep -q '"ranks": 2' two/config.json && ok || bad "config.json of the 2-rank run: $(grep ranks two/config.json)"
grep -q '"ranks": 1' one/config.json && ok || bad "config.json of the 1-process run: $(grep ranks one/config.json)"
[ "$(ls -A two | sort | tr '\n' ' ')" = ".lock checkpoint.safetensors config.json metrics.csv state.safetensors " ] \
  && ok || bad "the 2-rank folder holds: $(ls -A two | tr '\n' ' ')"
[ "$(tail -n +2 two/metrics.csv | cut -d, -f1 | tr '\n' ' ')" = "1 2 3 4 " ] && ok || bad "metrics rows: $(cat two/metrics.csv)"
same_tensors one/checkpoint.safetensors two/checkpoint.safetensors && ok \
  || bad "2 ranks x 1 thread and 1 x 2 threads trained different parameters"
# the same rows but for the timings (wall_s, steps_per_s and after)
diff <(cut -d, -f1,2,4-14 one/metrics.csv) <(cut -d, -f1,2,4-14 two/metrics.csv) >/dev/null && ok \
  || bad "metrics differ: $(diff <(cut -d, -f1,2,4-14 one/metrics.csv) <(cut -d, -f1,2,4-14 two/metrics.csv) | head -4)"

# ---- resume: as many ranks, and no other number ----
expect 0 "(resumed)" -- mpi 2 train --resume two --steps 1536
[ "$(tail -n +2 two/metrics.csv | cut -d, -f1 | tr '\n' ' ')" = "1 2 3 4 5 6 " ] && ok || bad "resumed rows: $(cut -d, -f1 two/metrics.csv | tr '\n' ' ')"
expect 1 'trained by 2 processes (config.json "ranks": 2) and must go on with as many (mpirun -np 2), not 1' -- \
  "$LUDUS" train --resume two --steps 2048
expect 1 "must go on with as many (mpirun -np 2), not 3" -- mpi 3 train --resume two --steps 2048
expect 1 'trained by 1 process (config.json "ranks": 1) and must go on with as many (no mpirun, or mpirun -np 1), not 2' -- \
  mpi 2 train --resume one --steps 2048
[ "$(tail -n +2 two/metrics.csv | wc -l)" = 6 ] && ok || bad "a refused resume changed metrics.csv"

# ---- bad input ----
echo '{"num_envs": 1, "minibatches": 1, "eval_episodes": 0}' > one_world.json
expect 1 "num_envs (1) is the run's worlds over all ranks: at least one per rank (2 ranks)" -- \
  mpi 2 train MiniGrid-Empty-5x5-v0 --steps 512 --config one_world.json --out few
expect 1 "learner dqn trains in one process only (not over 2 ranks)" -- \
  mpi 2 train MiniGrid-Empty-5x5-v0 --algo dqn --steps 512 --out dqn
expect 1 "exists; use --resume" -- mpi 2 train MiniGrid-Empty-5x5-v0 --steps 512 --config small.json --out two

# ---- a rank bound to fewer cores than its threads is warned about ----
timeout 300 "$MPIRUN" -np 1 "${FLAGS[@]}" --bind-to core "$LUDUS" train MiniGrid-Empty-5x5-v0 --steps 256 \
  --threads 2 --config small.json --out bound >"$T/bound.out" 2>&1 && ok || bad "bound run: $(cat "$T/bound.out")"
grep -q "warning: this rank may use 1 core but trains with 2 threads; start mpirun with --bind-to none" \
  "$T/bound.out" && ok || bad "no binding warning: $(cat "$T/bound.out")"
if [ "$(nproc)" -ge 2 ]; then
  timeout 300 "$MPIRUN" -np 1 "${FLAGS[@]}" --bind-to none "$LUDUS" train MiniGrid-Empty-5x5-v0 --steps 256 \
    --threads 2 --config small.json --out unbound >"$T/unbound.out" 2>&1 && ok || bad "unbound run: $(cat "$T/unbound.out")"
  ! grep -q "warning: this rank" "$T/unbound.out" && ok || bad "warned without binding: $(cat "$T/unbound.out")"
fi

# ---- kill -9 of rank 1: the job ends, rank 0 says so, resume finishes ----
# mpirun follows its SIGTERM to the surviving ranks with a SIGKILL after
# odls_base_sigkill_timeout seconds (default 1): on a loaded machine rank 0
# may need longer to finish its update, wait out the 0.5 s grace and speak
timeout 300 "$MPIRUN" -np 2 "${FLAGS[@]}" --mca odls_base_sigkill_timeout 20 "$LUDUS" \
  train MiniGrid-Empty-5x5-v0 --steps 100000000 --threads 1 --config every.json --out killed >"$T/kill.out" 2>&1 &
job=$!
pids+=("$job")
for _ in $(seq 600); do [ -f killed/checkpoint.safetensors ] && break; sleep 0.1; done
[ -f killed/checkpoint.safetensors ] && ok || bad "no checkpoint before the kill: $(cat "$T/kill.out")"
# rank 1: the process of this run whose environment says so (from /proc:
# no procps needed)
victim=""
for _ in $(seq 100); do
  for p in /proc/[0-9]*; do
    tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q -- "--out killed" || continue
    if tr '\0' '\n' <"$p/environ" 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1'; then victim=${p#/proc/}; fi
  done
  [ -n "$victim" ] && break
  sleep 0.1
done
[ -n "$victim" ] && kill -9 "$victim"
wait "$job"
status=$?
[ "$status" != 0 ] && [ "$status" != 124 ] && ok || bad "after kill -9 of rank 1 the job ended with status $status"
grep -q "a signal arrived while rank 0 waited for the others" "$T/kill.out" && ok || bad "rank 0 said: $(cat "$T/kill.out")"
grep -q "mpirun -np 2 ludus train --resume killed" "$T/kill.out" && ok || bad "no resume hint: $(cat "$T/kill.out")"
done_rows=$(tail -n +2 killed/metrics.csv | wc -l)
target=$(( (done_rows + 2) * 256 ))
expect 0 "(resumed)" -- mpi 2 train --resume killed --steps "$target"
[ "$(tail -n +2 killed/metrics.csv | cut -d, -f1 | tr '\n' ' ')" = "$(seq 1 $((target / 256)) | tr '\n' ' ')" ] && ok \
  || bad "after the kill and resume: updates $(tail -n +2 killed/metrics.csv | cut -d, -f1 | tr '\n' ' '), want 1..$((target / 256))"

echo "test_mpi_train: $pass passed, $fail failed"
[ "$fail" = 0 ]
