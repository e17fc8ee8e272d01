#!/usr/bin/python3
"""Record reference traces (format ludus-trace/1, shared/data/minigrid-traces/
FORMAT.md) of BALROG's BabyAI-MixedTrainLocal tasks by running the level's
own code: the minigrid fork BALROG installs (BartekCupial/Minigrid @ cf73dd1,
which has mixed_seq_levels.py; Farama's minigrid does not).

    /usr/bin/python3 tests/tools/record_mixed_traces.py FORK_DIR OUT_DIR

FORK_DIR is a checkout of that fork (the folder holding minigrid/); OUT_DIR
receives one <id>.jsonl.gz per id, '/' in the id written as '+'. Needs
numpy (Debian's python3-numpy) and nothing else: gymnasium and pygame are
replaced by the few lines below that the level uses (Env.reset(seed) seeds
np_random = Generator(PCG64(SeedSequence(seed))) as gymnasium does; the
spaces only hold their arguments). The fork's package __init__ files (which
register every world and import the renderers) are skipped by giving the
packages their paths directly.

BALROG makes environments until the unseeded kind equals its task's suffix,
then resets with a seed; this does the same, per episode, on a fresh
environment. The action policy is the one of the 'random' traces (header).
"""
import gzip
import json
import os
import random
import sys
import types
from typing import Generic, TypeVar

import numpy as np

FORK, OUT = sys.argv[1], sys.argv[2]

# ---- the stand-ins for gymnasium and pygame ----
T = TypeVar("T")
U = TypeVar("U")
gym = types.ModuleType("gymnasium")
spaces = types.ModuleType("gymnasium.spaces")
core = types.ModuleType("gymnasium.core")
utils = types.ModuleType("gymnasium.utils")
seeding = types.ModuleType("gymnasium.utils.seeding")


def np_random(seed=None):
    seq = np.random.SeedSequence(seed)
    return np.random.Generator(np.random.PCG64(seq)), seq.entropy


seeding.np_random = np_random
seeding.RandomNumberGenerator = np.random.Generator


class Space(Generic[T]):
    def __init__(self, shape=None, dtype=None, seed=None, *args, **kwargs):
        self.shape, self.dtype = shape, dtype


class Discrete(Space):
    def __init__(self, n, *args, **kwargs):
        self.n = n


class Box(Space):
    def __init__(self, *args, **kwargs):
        pass


class Dict(Space):
    def __init__(self, *args, **kwargs):
        pass


class Env(Generic[T, U]):
    _np_random = None

    @property
    def np_random(self):
        if self._np_random is None:
            self._np_random, _ = np_random(None)
        return self._np_random

    def reset(self, *, seed=None, options=None):
        if seed is not None:
            self._np_random, _ = np_random(seed)


spaces.Space, spaces.Discrete, spaces.Box, spaces.Dict = Space, Discrete, Box, Dict
core.ActType = core.ObsType = T
gym.Env, gym.spaces, gym.core, gym.utils = Env, spaces, core, utils
utils.seeding = seeding
pygame = types.ModuleType("pygame")
pygame.freetype = types.ModuleType("pygame.freetype")
for name, mod in [("gymnasium", gym), ("gymnasium.spaces", spaces), ("gymnasium.core", core),
                  ("gymnasium.utils", utils), ("gymnasium.utils.seeding", seeding),
                  ("pygame", pygame), ("pygame.freetype", pygame.freetype)]:
    sys.modules[name] = mod
for pkg in ["minigrid", "minigrid.envs", "minigrid.envs.babyai"]:
    mod = types.ModuleType(pkg)
    mod.__path__ = [os.path.join(FORK, *pkg.split("."))]
    sys.modules[pkg] = mod

from minigrid.envs.babyai.mixed_seq_levels import Level_MixedTrainLocal  # noqa: E402

# ---- recording ----
KINDS = ["goto", "pickup", "open", "putnext", "pick_up_seq_go_to"]
SEEDS = list(range(10))
MAX_STEPS = 200
POLICY = ("rng=random.Random(S*7919+13); per step: a=rng.randrange(7); c=rng.random(); if c<0.5 and useful is not "
          "None: a=useful; useful on env.unwrapped with fc=grid.get(*front_pos): 3 if fc and fc.can_pickup() and "
          "carrying is None; elif fc and fc.type in (door,box): 5; elif fc is None and carrying: 4; elif fc is None "
          "or (fc.can_overlap() and fc.type!='lava'): 2; else none")


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"))


def make(kind, num_dists):
    while True:
        env = Level_MixedTrainLocal(num_dists=num_dists)
        if env.action_kinds[0].replace(" ", "_") == kind:
            return env


def enc(obj):
    return None if obj is None else list(map(int, obj.encode()))


def useful(env):
    fc = env.grid.get(*env.front_pos)
    if fc and fc.can_pickup() and env.carrying is None:
        return 3
    if fc and fc.type in ("door", "box"):
        return 5
    if fc is None and env.carrying:
        return 4
    if fc is None or (fc.can_overlap() and fc.type != "lava"):
        return 2
    return None


def record(env_id, kind, num_dists):
    lines = []
    max_steps = set()
    episodes = []
    for seed in SEEDS:
        env = make(kind, num_dists)
        obs, _ = env.reset(seed=seed)
        grid = env.grid.encode().tolist()
        max_steps.add(int(env.max_steps))
        ep = [dumps({"kind": "reset", "seed": seed, "grid": grid, "agent_pos": list(map(int, env.agent_pos)),
                     "agent_dir": int(env.agent_dir), "carrying": enc(env.carrying), "mission": env.mission,
                     "obs": obs["image"].tolist(), "max_steps": int(env.max_steps)})]
        rng = random.Random(seed * 7919 + 13)
        for t in range(MAX_STEPS):
            a = rng.randrange(7)
            c = rng.random()
            u = useful(env)
            if c < 0.5 and u is not None:
                a = u
            obs, reward, term, trunc, _ = env.step(a)
            g2 = env.grid.encode().tolist()
            diff = [[x, y] + g2[x][y] for x in range(len(g2)) for y in range(len(g2[0])) if g2[x][y] != grid[x][y]]
            grid = g2
            ep.append(dumps({"kind": "step", "t": t, "action": a, "obs": obs["image"].tolist(), "reward": float(reward),
                             "terminated": bool(term), "truncated": bool(trunc),
                             "agent_pos": list(map(int, env.agent_pos)), "agent_dir": int(env.agent_dir),
                             "carrying": enc(env.carrying), "mission": env.mission, "grid_diff": diff}))
            if term or trunc:
                break
        episodes.append(ep)
        width, height = env.width, env.height
    ms = sorted(max_steps)
    header = {"kind": "header", "env_id": env_id, "format": "ludus-trace/1", "minigrid_version": "BartekCupial/Minigrid@cf73dd1",
              "width": width, "height": height, "agent_view_size": 7, "see_through_walls": False,
              "max_steps": ms[0] if len(ms) == 1 else ms, "class": "MixedTrainLocal(num_dists=%d)" % num_dists,
              "action_space_n": 7, "seeds": SEEDS, "max_steps_per_episode": MAX_STEPS, "env_per_episode": "fresh",
              "action_policy": POLICY}
    lines.append(dumps(header))
    for ep in episodes:
        lines.extend(ep)
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, env_id.replace("/", "+") + ".jsonl.gz")
    with gzip.GzipFile(path + ".tmp", "wb", mtime=0) as f:
        f.write(("\n".join(lines) + "\n").encode())
    os.replace(path + ".tmp", path)
    print(path, sum(len(e) - 1 for e in episodes), "steps")


for nd, base in [(0, "BabyAI-MixedTrainLocal-v0"), (8, "BabyAI-MixedTrainLocalD8-v0")]:
    for kind in KINDS:
        record(base + "/" + kind, kind, nd)
