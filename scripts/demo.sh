#!/usr/bin/env bash
# The main job: build ludus, measure how fast it steps a MiniGrid world,
# and show a few seeded DoorKey episodes as text (what a language-model
# agent reads).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
echo "== ludus $(./build/ludus --version | cut -d' ' -f2): steps per second, random actions, 1 and $(nproc) threads"
./build/ludus bench MiniGrid-DoorKey-8x8-v0 --envs 256 --threads 1 --steps 20000000
./build/ludus bench MiniGrid-DoorKey-8x8-v0 --envs 256 --threads "$(nproc)" --steps 20000000
for seed in 1 2 3; do
  echo
  echo "== MiniGrid-DoorKey-5x5-v0, level $seed, 6 random actions"
  ./build/ludus text MiniGrid-DoorKey-5x5-v0 --seed "$seed" --random --steps 6
done
