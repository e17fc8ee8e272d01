"""bench_python.py: steps per second through the Python API. One world
(ludus.make) and batches (ludus.vector.make) of 64 and 1,024 worlds on 1
and 2 threads, all with uniformly random actions drawn before timing;
episodes reset as they end (by hand for one world, in C for batches). When
the reference MiniGrid is importable it is timed the same way through
gymnasium.make, on the same machine.

    LUDUS_LIBRARY=build/libludus.so /usr/bin/python3 bench/bench_python.py
    options: --env ID  --seconds S  --sizes 64,1024  --threads 1,2  --reference
"""
import argparse
import os
import platform
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import ludus  # noqa: E402

ACTION_BANK = 4096  # random actions drawn up front, cycled while timing


def bench_single(make, seconds, seed=0):
    env = make()
    n_actions = int(env.action_space.n)
    actions = [int(a) for a in np.random.default_rng(seed).integers(0, n_actions, ACTION_BANK)]
    env.reset(seed=seed)
    steps, k = 0, 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(256):
            _, _, terminated, truncated, _ = env.step(actions[k])
            k = (k + 1) % ACTION_BANK
            if terminated or truncated:
                env.reset()
        steps += 256
        now = time.perf_counter()
        if now >= deadline:
            break
    env.close()
    return steps / (now - start)


def bench_vector(env_id, num_envs, threads, seconds, seed=0):
    vec = ludus.vector.make(env_id, num_envs, threads=threads)
    n_actions = int(vec.single_action_space.n)
    batches = max(1, ACTION_BANK // num_envs) * 4
    actions = np.random.default_rng(seed).integers(0, n_actions, (batches, num_envs)).astype(np.int32)
    vec.reset(seed=seed)
    for b in range(min(batches, 8)):  # warm the worker threads
        vec.step(actions[b])
    calls, b = 0, 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(16):
            vec.step(actions[b])
            b = (b + 1) % batches
        calls += 16
        now = time.perf_counter()
        if now >= deadline:
            break
    vec.close()
    return calls * num_envs / (now - start)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--env", default="MiniGrid-DoorKey-8x8-v0")
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--sizes", default="64,1024")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--reference", action="store_true",
                   help="also time the reference MiniGrid through gymnasium.make (if importable)")
    args = p.parse_args()

    print("ludus %s (%s), numpy %s, Python %s, %s, %d CPUs" % (
        ludus.__version__, ludus.library_path, np.__version__, platform.python_version(),
        platform.machine(), os.cpu_count()))
    print("world: %s, random actions, %.1f s per figure\n" % (args.env, args.seconds))
    print("%-44s %16s" % ("what", "steps/s"))
    rate = bench_single(lambda: ludus.make(args.env), args.seconds)
    print("%-44s %16s" % ("ludus.make (1 world)", "{:,.0f}".format(rate)))
    for n in (int(x) for x in args.sizes.split(",")):
        for t in (int(x) for x in args.threads.split(",")):
            rate = bench_vector(args.env, n, t, args.seconds)
            print("%-44s %16s" % ("ludus.vector.make(%d worlds, threads=%d)" % (n, t), "{:,.0f}".format(rate)))
    if args.reference:
        try:
            import gymnasium
            import minigrid  # noqa: F401  (registers the MiniGrid ids)
        except ImportError as e:
            print("reference MiniGrid not importable here (%s)" % e)
            return
        rate = bench_single(lambda: gymnasium.make(args.env), args.seconds)
        print("%-44s %16s" % ("reference: gymnasium.make (1 world)", "{:,.0f}".format(rate)))


if __name__ == "__main__":
    main()
