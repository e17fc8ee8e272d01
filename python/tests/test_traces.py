"""test_traces.py: the reference traces of MiniGrid 3.1.0 replayed through
the Python API. Every trace file whose id ludus registers (random/ and
keys/) is replayed episode by episode with ludus.make(id).reset(seed=...)
and step(action); the observation image, direction, mission, reward (exact
float equality), terminated and truncated must equal the reference's at
every step.
"""
import glob
import gzip
import json
import os

import pytest

import ludus
from conftest import shared_dir

TRACE_DIR = os.path.join(shared_dir(), "data", "minigrid-traces")
# BALROG's BabyAI-MixedTrainLocal tasks (not in minigrid 3.1.0): traces
# recorded from the BALROG fork come with the source, '+' for the ids' '/'.
MIXED_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "mixedtrainlocal-traces")
TRACE_FILES = sorted(glob.glob(os.path.join(TRACE_DIR, "*", "*.jsonl.gz")))
MIXED_FILES = sorted(glob.glob(os.path.join(MIXED_DIR, "*.jsonl.gz")))
REGISTERED = set(ludus.ids())


def trace_id(path):
    return os.path.basename(path)[: -len(".jsonl.gz")].replace("+", "/")


REPLAYED = [p for p in TRACE_FILES + MIXED_FILES if trace_id(p) in REGISTERED]


def test_trace_files_found():
    assert len(TRACE_FILES) >= 200, "expected the reference traces in %s" % TRACE_DIR
    # Every registered grid world has traces: none may slip out of the replay.
    for eid in REGISTERED:
        if "/" in eid:
            assert os.path.exists(os.path.join(MIXED_DIR, eid.replace("/", "+") + ".jsonl.gz")), eid
        elif eid.startswith(("MiniGrid-", "BabyAI-")) and not eid.startswith("MiniGrid-WFC-"):
            assert os.path.exists(os.path.join(TRACE_DIR, "random", eid + ".jsonl.gz")), eid
    assert len(MIXED_FILES) == 10
    assert REPLAYED


def check_obs(obs, ref, where):
    assert obs["image"].tolist() == ref["obs"], "%s: image differs" % where
    assert obs["direction"] == ref["agent_dir"], "%s: direction differs" % where
    assert obs["mission"] == ref["mission"], "%s: mission differs" % where


@pytest.mark.parametrize("path", REPLAYED, ids=lambda p: "%s/%s" % (os.path.basename(os.path.dirname(p)), trace_id(p)))
def test_replay(path):
    eid = trace_id(path)
    with gzip.open(path, "rt") as f:
        header = json.loads(f.readline())
        assert header["env_id"] == eid
        env = ludus.make(eid)
        assert env.action_space.n == header["action_space_n"]
        assert env.world_info["width"] == header["width"]
        assert env.world_info["height"] == header["height"]
        episodes = steps = 0
        seed = None
        for line in f:
            rec = json.loads(line)
            if rec["kind"] == "reset":
                seed = rec["seed"]
                obs, info = env.reset(seed=seed)
                assert info == {}
                check_obs(obs, rec, "%s seed %d reset" % (eid, seed))
                assert env.max_steps == rec["max_steps"]
                episodes += 1
            else:
                where = "%s seed %d t=%d" % (eid, seed, rec["t"])
                obs, reward, terminated, truncated, info = env.step(rec["action"])
                check_obs(obs, rec, where)
                assert type(reward) is float and reward == rec["reward"], \
                    "%s: reward %r, reference %r" % (where, reward, rec["reward"])
                assert terminated is rec["terminated"], where
                assert truncated is rec["truncated"], where
                steps += 1
        env.close()
    assert episodes == len(header["seeds"])
    assert steps > 0
