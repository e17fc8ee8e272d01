#!/bin/sh
# dqn_vs_torch.sh: ludus's DQN (bench_dqn) and the same DQN in PyTorch
# (bench/dqn_torch.py: the same network, batch 64, Double DQN, dueling,
# Huber, clipping, Adam, one gradient step per step of 8 worlds), run
# alternately ROUNDS times at one thread, side by side, so both see the
# same load; prints each round's figures, their ratios, and the load
# average before each run (the machine may be shared: read the ratios).
#   bench/dqn_vs_torch.sh [BUILD_DIR] [ROUNDS] [FRAMES] [TORCH_STEPS]
# e.g. bench/dqn_vs_torch.sh build 3 60000 2000
# Needs Debian's python3-torch at /usr/bin/python3 (optional).
set -eu
BUILD=${1:-build}
ROUNDS=${2:-3}
FRAMES=${3:-60000}
TSTEPS=${4:-2000}
HERE=$(dirname "$0")
PY=${PYTHON:-/usr/bin/python3}
[ -x "$BUILD/bench_dqn" ] || { echo "dqn_vs_torch: no $BUILD/bench_dqn (build first)" >&2; exit 2; }
"$PY" -c "import torch" 2>/dev/null || { echo "dqn_vs_torch: $PY has no torch (apt-get install python3-torch)" >&2; exit 2; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "dqn_vs_torch: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs; $ROUNDS rounds, ludus $FRAMES frames, torch $TSTEPS steps, 1 thread each"
echo "round  load(1,5,15)      ludus grad/s wall  cpu  loop fr/s wall  cpu | torch grad/s wall  cpu  loop fr/s wall  cpu | ratio grad wall  cpu  loop wall  cpu"
i=1
while [ "$i" -le "$ROUNDS" ]; do
    l=$(load)
    L=$(OPENBLAS_NUM_THREADS=1 "$BUILD/bench_dqn" MiniGrid-DoorKey-5x5-v0 "$FRAMES" "" 1 | awk '
        /full loop:/ { w = $3; c = $6; f = $9 }
        /acting alone:/ { w0 = $3; c0 = $6 }
        /gradient steps:/ { gw = $3; gc = $6 }
        END { printf "%s %s %s %s\n", gw, gc, f, '"$FRAMES"' / c }')
    T=$(OPENBLAS_NUM_THREADS=1 "$PY" "$HERE/dqn_torch.py" 1 "$TSTEPS" | awk '
        /frames\/s$/ && /acting/ { aw = $2; ac = $5 }
        /gradient steps:/ { gw = $3; gc = $6 }
        END { n = '"$TSTEPS"'; printf "%.0f %.0f %.0f %.0f\n", n / gw, n / gc, 8 * n / (aw + gw), 8 * n / (ac + gc) }')
    echo "$i $l $L $T" | awk '{ printf "%-6s %-17s %17.0f %5.0f %15.0f %5.0f | %17.0f %5.0f %15.0f %5.0f | %16.1fx %4.1fx %8.1fx %4.1fx\n",
        $1, $2 " " $3 " " $4, $5, $6, $7, $8, $9, $10, $11, $12, $5 / $9, $6 / $10, $7 / $11, $8 / $12 }'
    i=$((i + 1))
done
echo "load after: $(load)"
