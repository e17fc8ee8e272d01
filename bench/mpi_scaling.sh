#!/usr/bin/env bash
# mpi_scaling.sh: frames per second of one training run on this machine,
# four ways, over the same total worlds (the world's defaults: num_envs):
#   threads   ludus train --threads 2                 (one process, 2 threads)
#   1 rank    mpirun --bind-to none -np 1 ludus train --threads 2
#             (Open MPI binds a rank to one core when it starts at most
#             two; bound, the 2 threads share one core: 43k against 71k
#             frames/s on Empty-5x5)
#   2 ranks   mpirun -np 2 ludus train --threads 1    (DD-PPO, dist.h)
#   1 thread  ludus train --threads 1                 (for reference)
# alternated round by round, so a machine shared with other work loads
# every variant alike. Frames/s = steps / the last metrics row's wall_s
# (training only: no start-up, no evaluation).
#   bench/mpi_scaling.sh build/ludus [ROUNDS] [STEPS] [WORLD...]
set -euo pipefail
LUDUS=$(realpath "${1:?usage: mpi_scaling.sh path/to/ludus [rounds] [steps] [world...]}")
ROUNDS=${2:-3}
STEPS=${3:-65536}
shift $(( $# < 3 ? $# : 3 ))
WORLDS=("$@")
[ ${#WORLDS[@]} -gt 0 ] || WORLDS=(MiniGrid-Empty-5x5-v0 BabyAI-GoToLocal-v0)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
MPI=(mpirun --oversubscribe --mca btl self,vader,tcp --mca btl_tcp_if_include lo --mca oob_tcp_if_include lo
     --mca btl_vader_single_copy_mechanism none)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
echo '{"eval_episodes": 0, "checkpoint_seconds": 0}' > "$T/cfg.json"
fps() { awk -F, -v s="$STEPS" 'END {printf "%.0f", s / $3}' "$1/metrics.csv"; }
printf "world\tround\tthreads_2\tmpi_1rank_2threads\tmpi_2ranks_1thread\tthreads_1\n"
for w in "${WORLDS[@]}"; do
  for r in $(seq "$ROUNDS"); do
    "$LUDUS" train "$w" --steps "$STEPS" --threads 2 --config "$T/cfg.json" --out "$T/a" --force 2>/dev/null >/dev/null
    "${MPI[@]}" --bind-to none -np 1 "$LUDUS" train "$w" --steps "$STEPS" --threads 2 --config "$T/cfg.json" --out "$T/b" --force 2>/dev/null >/dev/null
    "${MPI[@]}" -np 2 "$LUDUS" train "$w" --steps "$STEPS" --threads 1 --config "$T/cfg.json" --out "$T/c" --force 2>/dev/null >/dev/null
    "$LUDUS" train "$w" --steps "$STEPS" --threads 1 --config "$T/cfg.json" --out "$T/d" --force 2>/dev/null >/dev/null
    printf "%s\t%d\t%s\t%s\t%s\t%s\n" "$w" "$r" "$(fps "$T/a")" "$(fps "$T/b")" "$(fps "$T/c")" "$(fps "$T/d")"
  done
done
