"""test_evaluate.py: ludus.evaluate runs the C library's evaluation protocol.
A checkpoint evaluated by path and the same checkpoint called from a Python
policy (ludus.Agent wrapped in a lambda, so every step crosses the ctypes
callback) give the same eval.json numbers, greedy and sampled, for a plain
policy and for one with memory that reads missions; evaluate("random")
equals `ludus eval --agent random`; a policy's exception comes back as
itself; bad answers and arguments are clear errors.
"""
import json
import os
import subprocess

import numpy as np
import pytest

import ludus

from conftest import REPO_DIR

EMPTY = "MiniGrid-Empty-5x5-v0"
BABYAI = "BabyAI-GoToLocalS6N2-v0"


def ludus_bin():
    lib = os.environ.get("LUDUS_LIBRARY", "")
    for folder in (os.path.dirname(lib) if os.path.isfile(lib) else lib, os.path.join(REPO_DIR, "build")):
        path = os.path.join(folder, "ludus")
        if folder and os.path.isfile(path):
            return path
    pytest.fail("the ludus command was not found next to LUDUS_LIBRARY (%r) or in build/" % lib)


def run(*args):
    p = subprocess.run([ludus_bin(), *args], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return p.stdout


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    """Two short runs: a plain policy on Empty-5x5, and one with memory
    that reads the mission on a BabyAI level."""
    d = tmp_path_factory.mktemp("runs")
    cfg = d / "small.json"
    cfg.write_text(json.dumps({"num_envs": 4, "num_steps": 32, "minibatches": 2, "eval_episodes": 0}))
    mem = d / "memory.json"
    mem.write_text(json.dumps({"num_envs": 4, "num_steps": 32, "minibatches": 2, "eval_episodes": 0,
                               "recurrence": 4, "arch": {"memory": 8}}))
    run("train", EMPTY, "--steps", "256", "--config", str(cfg), "--out", str(d / "empty"))
    run("train", BABYAI, "--steps", "256", "--config", str(mem), "--out", str(d / "babyai"))
    return {EMPTY: str(d / "empty" / "checkpoint.safetensors"),
            BABYAI: str(d / "babyai" / "checkpoint.safetensors")}


def numbers(report):
    """eval.json less the keys that name the agent."""
    return {k: v for k, v in report.items() if k not in ("agent", "checkpoint")}


@pytest.mark.parametrize("world", [EMPTY, BABYAI])
@pytest.mark.parametrize("greedy", [False, True])
def test_python_policy_equals_checkpoint(checkpoints, world, greedy):
    path = checkpoints[world]
    direct = ludus.evaluate(path, episodes=70, train_levels=20, greedy=greedy, seed=3)
    assert direct["agent"] == "checkpoint" and direct["checkpoint"] == path
    calls = []
    with ludus.Agent.load(path) as agent:
        assert agent.env_id == world and agent.name == "checkpoint"

        def policy(obs, info):
            calls.append(len(info["missions"]))
            return agent(obs, info)

        through_python = ludus.evaluate(policy, world, episodes=70, train_levels=20, greedy=greedy, seed=3)
    assert through_python["agent"] == "python" and through_python["checkpoint"] is None
    assert numbers(through_python) == numbers(direct)
    assert calls and max(calls) == 64 and min(calls) >= 1  # 70 episodes: 64 worlds at once
    # and the command writes the same report
    out = os.path.join(os.path.dirname(path), "e%d.json" % greedy)
    args = ["eval", path, "--episodes", "70", "--train-levels", "20", "--seed", "3", "--out", out]
    run(*(args + ["--greedy"] if greedy else args))
    with open(out) as f:
        assert json.load(f) == direct


def test_random_equals_command(tmp_path):
    out = str(tmp_path / "r.json")
    run("eval", "--agent", "random", "MiniGrid-DoorKey-5x5-v0", "--episodes", "80", "--seed", "11",
        "--train-levels", "7", "--out", out)
    with open(out) as f:
        cli = json.load(f)
    ours = ludus.evaluate("random", "MiniGrid-DoorKey-5x5-v0", episodes=80, seed=11, train_levels=7)
    assert ours == cli
    assert ours["agent"] == "random" and ours["splits"]["train"]["level_count"] == 7
    # the random agent wrapped in Python acts the same
    with ludus.Agent.random() as agent:
        wrapped = ludus.evaluate(lambda obs, info: agent(obs, info), "MiniGrid-DoorKey-5x5-v0", episodes=80,
                                 seed=11, train_levels=7)
    assert numbers(wrapped) == numbers(cli)
    # Crafter's report carries the achievements and the score
    c = ludus.evaluate("random", "Crafter-Reward-v1", episodes=4, options={"length": 30})
    assert c["env_options"] == "length=30"
    assert len(c["splits"]["heldout"]["achievements"]) == 22 and "score" in c["generalization_gap"]


def test_what_a_policy_sees():
    seen = []

    def policy(obs, info):
        seen.append((obs, info))
        return np.zeros(len(info["missions"]), dtype=np.int64)

    ludus.evaluate(policy, BABYAI, episodes=3, train_levels=5, text="full")
    obs, info = seen[0]
    vec = ludus.vector.make(BABYAI, 3)
    assert set(obs) == set(vec.single_observation_space.spaces)
    assert obs["image"].shape == (3,) + vec.single_observation_space["image"].shape
    assert obs["mission"] == info["missions"] and all(m.startswith("go to") for m in info["missions"])
    assert info["starts"].tolist() == [True] * 3 and seen[1][1]["starts"].tolist() == [False] * 3
    assert info["action_sizes"] == (7,) and info["action_mask"] is None and info["greedy"] is False
    assert len(info["texts"]) == 3 and all(info["missions"][i] in info["texts"][i] for i in range(3))
    assert info["raw_obs"].shape == (3, vec.world_info["obs_size"]) and info["env_id"] == BABYAI
    vec.close()
    # level i of the training split is reset(seed=i): the first observation matches a world's
    env = ludus.make(BABYAI)
    first, _ = env.reset(seed=0)
    assert np.array_equal(first["image"], obs["image"][0]) and first["mission"] == info["missions"][0]
    env.close()
    # a world with one field (Crafter's pixels) sees the bare array, as ludus.vector does
    shapes = []
    ludus.evaluate(lambda o, i: shapes.append(o.shape) or np.zeros(len(i["missions"]), int), "Crafter-Reward-v1",
                   episodes=2, options="length=5,obs=rgb")
    vec = ludus.vector.make("Crafter-Reward-v1", 2, obs="rgb")
    assert shapes[0] == (2,) + vec.single_observation_space.shape
    vec.close()
    assert seen[0][1]["texts"] is not None
    seen.clear()
    ludus.evaluate(policy, EMPTY, episodes=1)
    assert seen[0][1]["texts"] is None


class Boom(Exception):
    pass


def test_policy_errors():
    def boom(obs, info):
        raise Boom("inside the policy")

    with pytest.raises(Boom, match="inside the policy"):
        ludus.evaluate(boom, EMPTY, episodes=5)
    n = {"calls": 0}

    def late(obs, info):
        n["calls"] += 1
        if n["calls"] == 30:
            raise KeyboardInterrupt
        return np.ones(len(info["missions"]), dtype=np.int32)

    with pytest.raises(KeyboardInterrupt):
        ludus.evaluate(late, EMPTY, episodes=5)
    cases = [
        (lambda o, i: np.zeros(len(i["missions"]) + 1, int), ludus.InvalidArgumentError, "shape"),
        (lambda o, i: np.zeros(len(i["missions"])), TypeError, "dtype float64"),
        (lambda o, i: np.full(len(i["missions"]), 7), ludus.InvalidArgumentError, "chose action 7 for world 0"),
        (lambda o, i: np.full(len(i["missions"]), -1), ludus.InvalidArgumentError, "chose action -1"),
        (lambda o, i: np.full(len(i["missions"]), 2**40), ludus.InvalidArgumentError, "chose action"),
        (lambda o, i: None, TypeError, "dtype object"),
    ]
    for policy, exc, msg in cases:
        with pytest.raises(exc, match=msg):
            ludus.evaluate(policy, EMPTY, episodes=3)
    # and the library still works afterwards
    assert ludus.evaluate("random", EMPTY, episodes=2)["episodes"] == 2


def test_bad_arguments(checkpoints, tmp_path):
    policy = lambda o, i: np.zeros(len(i["missions"]), int)  # noqa: E731
    with pytest.raises(ludus.InvalidArgumentError, match="needs the world"):
        ludus.evaluate(policy)
    with pytest.raises(ludus.InvalidArgumentError, match="episodes"):
        ludus.evaluate(policy, EMPTY, episodes=0)
    with pytest.raises(TypeError, match="episodes"):
        ludus.evaluate(policy, EMPTY, episodes=2.5)
    with pytest.raises(ludus.InvalidArgumentError, match="train_levels"):
        ludus.evaluate(policy, EMPTY, train_levels=-1)
    with pytest.raises(ValueError):
        ludus.evaluate(policy, EMPTY, seed=-1)
    with pytest.raises(TypeError, match="policy"):
        ludus.evaluate(3, EMPTY)
    with pytest.raises(ludus.InvalidArgumentError, match="text"):
        ludus.evaluate(policy, EMPTY, text="yes")
    with pytest.raises(ludus.InvalidArgumentError, match="no world of its own"):
        ludus.evaluate("random")
    with pytest.raises(ludus.NotFoundError):
        ludus.evaluate("random", "MiniGrid-NoSuch-v0", episodes=1)
    with pytest.raises(ludus.Error, match="No such file|not exist|cannot open"):
        ludus.evaluate(str(tmp_path / "missing.safetensors"), EMPTY)
    with pytest.raises(ludus.InvalidArgumentError, match="observations of"):
        ludus.evaluate(checkpoints[EMPTY], "Crafter-Reward-v1", episodes=1)
    agent = ludus.Agent.random()
    agent.close()
    with pytest.raises(ludus.StateError):
        ludus.evaluate(agent, EMPTY)
