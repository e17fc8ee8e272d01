"""test_collect.py: ludus.collect, a Python policy as the agent of `ludus
collect` (ludus_dataset_collect through ctypes and the agent callback).
The dataset it writes is read back with h5py: the layout and metadata of
the Minari format (../shared/spec/minari.md), every recorded action is
what the policy answers for the recorded observation, the levels are the
ones asked for, and replaying the actions from the recorded seeds in
ludus gives the recorded observations and rewards. Bad input and a
policy that raises leave no dataset behind.
"""
import json
import os

import numpy as np
import pytest

import ludus
import ludus.datasets

h5py = pytest.importorskip("h5py")

DK = "MiniGrid-DoorKey-5x5-v0"


def policy_of_obs(image, direction):
    """A deterministic policy of the observation alone (3 of the 7 actions
    move, so episodes vary): a hash of the view and the direction."""
    h = int(np.sum(image.astype(np.int64) * np.arange(1, image.size + 1).reshape(image.shape)))
    return (h + 5 * int(direction)) % 3


def batch_policy(obs, info):
    n = len(info["starts"])
    return np.array([policy_of_obs(obs["image"][i], obs["direction"][i]) for i in range(n)], dtype=np.int64)


def episodes_of(path):
    data = os.path.join(path, "data")
    meta = json.load(open(os.path.join(data, "metadata.json")))
    f = h5py.File(os.path.join(data, "main_data.hdf5"), "r")
    return meta, f


def test_a_python_policy_records_a_minari_dataset(tmp_path):
    path = ludus.collect(batch_policy, DK, episodes=7, out=str(tmp_path), train_levels=4, seed=2)
    assert path == os.path.join(str(tmp_path), "MiniGrid-DoorKey-5x5/python-v0")
    meta, f = episodes_of(path)
    with f:
        assert meta["total_episodes"] == 7 and meta["data_format"] == "hdf5"
        assert meta["dataset_id"] == "MiniGrid-DoorKey-5x5/python-v0"
        assert json.loads(meta["action_space"]) == {"type": "Discrete", "dtype": "int64", "start": 0, "n": 7}
        assert sorted(k for k in f.keys()) == sorted("episode_%d" % i for i in range(7))
        seeds, steps = [], 0
        env = ludus.make(DK)
        for i in range(7):
            g = f["episode_%d" % i]
            assert g.attrs["id"] == i
            seeds.append(int(g.attrs["seed"]))
            img, dirs = g["observations/image"][()], g["observations/direction"][()]
            acts, rews = g["actions"][()], g["rewards"][()]
            term, trunc = g["terminations"][()], g["truncations"][()]
            T = len(acts)
            steps += T
            assert g.attrs["total_steps"] == T and img.shape == (T + 1, 7, 7, 3) and img.dtype == np.uint8
            assert acts.dtype == np.int64 and rews.dtype == np.float64 and term.dtype == np.bool_
            assert g["terminations"].id.get_type().get_class() == h5py.h5t.ENUM  # h5py's numpy bool
            assert "infos" in g
            # the policy's own answers, step by step
            for t in range(T):
                assert acts[t] == policy_of_obs(img[t], dirs[t]), (i, t)
            # replayed in ludus from the recorded level
            live, _ = env.reset(seed=int(g.attrs["seed"]))
            assert np.array_equal(live["image"], img[0])
            for t in range(T):
                live, r, te, tr, _ = env.step(int(acts[t]))
                assert r == rews[t] and te == term[t] and tr == trunc[t]
                assert np.array_equal(live["image"], img[t + 1]) and live["direction"] == dirs[t + 1]
            assert term[-1] or trunc[-1]
        assert steps == meta["total_steps"]
        assert sorted(set(seeds)) == [0, 1, 2, 3]  # episode i on level i % 4
    # the package's reader and the C reader agree
    ds = ludus.datasets.open(path)
    assert len(ds) == 7 and ds.total_steps == steps


def test_levels_names_and_the_library_agents(tmp_path):
    path = ludus.collect(batch_policy, DK, episodes=3, out=tmp_path, heldout=True, name="dk/heldout-v0")
    assert path.endswith("dk/heldout-v0")
    meta, f = episodes_of(path)
    with f:
        assert all(int(f["episode_%d" % i].attrs["seed"]) >= 10**9 for i in range(3))
    # the same function drives the library's agents
    r = ludus.collect("random", DK, episodes=2, out=tmp_path, seed=1)
    assert r.endswith("MiniGrid-DoorKey-5x5/random-v0")
    meta, f = episodes_of(r)
    f.close()
    assert meta["total_episodes"] == 2
    # an instructed world: the mission is recorded as UTF-8 strings
    seen = []

    def babyai(obs, info):
        seen.extend(obs["mission"])
        return np.zeros(len(info["starts"]), dtype=np.int64) + 2

    b = ludus.collect(babyai, "BabyAI-GoToRedBall-v0", episodes=2, out=tmp_path)
    meta, f = episodes_of(b)
    with f:
        m = f["episode_0/observations/mission"][()]
        assert m[0].decode("utf-8") in seen and set(f["episode_0/actions"][()]) == {2}


def test_bad_input_leaves_nothing(tmp_path):
    out = str(tmp_path / "ds")

    def raises(obs, info):
        raise RuntimeError("policy broke")

    def files():
        return [os.path.join(d, f) for d, _, fs in os.walk(out) for f in fs]

    with pytest.raises(RuntimeError, match="policy broke"):
        ludus.collect(raises, DK, episodes=2, out=out)
    assert files() == []  # (the writer's empty folders may stay)
    with pytest.raises(ludus.InvalidArgumentError, match="action"):
        ludus.collect(lambda o, i: np.full(len(i["starts"]), 9), DK, episodes=2, out=out)
    assert files() == []
    ludus.collect(batch_policy, DK, episodes=1, out=out)  # the same place takes a dataset afterwards
    with pytest.raises(ludus.InvalidArgumentError, match="needs the world's id"):
        ludus.collect(batch_policy, episodes=2, out=out)
    with pytest.raises(ludus.InvalidArgumentError, match="episodes"):
        ludus.collect(batch_policy, DK, episodes=0, out=out)
    with pytest.raises(ludus.Error, match="unknown"):
        ludus.collect(batch_policy, "MiniGrid-Nope-v0", episodes=1, out=out)
    with pytest.raises(TypeError):
        ludus.collect(batch_policy, DK, episodes=1, out=None)
    ludus.collect(batch_policy, DK, episodes=1, out=out, name="x/y-v0")
    with pytest.raises(ludus.InvalidArgumentError):  # never overwritten
        ludus.collect(batch_policy, DK, episodes=1, out=out, name="x/y-v0")
    with pytest.raises(ludus.InvalidArgumentError, match="is not \\(namespace/\\)name-vN"):
        ludus.collect(batch_policy, DK, episodes=1, out=out, name="no version")
