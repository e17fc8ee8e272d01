#!/usr/bin/env bash
# The main job: build ludus, train PPO on the domain-randomized maze
# (Maze-v0, 3 seeds x 1M steps) and evaluate it, zero-shot, on the
# held-out mazes of curriculum research (100 episodes each), into
# experiments/maze-main (results.json, report.html, one run folder per seed with its
# eval_curve.csv). Run it again to continue after Ctrl-C; a finished
# experiment is kept (delete the folder to start over).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
echo "== ludus $(./build/ludus --version | cut -d' ' -f2): world steps per second, random actions, 1 thread"
./build/ludus bench Maze-v0 --envs 256 --threads 1 --steps 5000000
echo
echo "== PPO on Maze-v0, evaluated on the held-out mazes (configs/maze-main.json)"
./build/ludus experiment configs/maze-main.json --out experiments/maze-main
