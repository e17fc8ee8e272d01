"""test_gymnasium.py: with Gymnasium installed, ludus registers every world
as "ludus/<id>", gymnasium.make and make_vec build ludus environments, and
every world passes gymnasium.utils.env_checker.check_env with no warning.
Skipped when Gymnasium is not installed (it is not in Debian 12)."""
import warnings

import numpy as np
import pytest

gymnasium = pytest.importorskip("gymnasium")

import ludus  # noqa: E402
from gymnasium.utils.env_checker import check_env  # noqa: E402

if ludus._compat.gymnasium is None:
    pytest.skip("ludus does not use this Gymnasium (%s; it follows 1.x)" % gymnasium.__version__,
                allow_module_level=True)


def test_every_world_is_registered():
    registered = {k for k in gymnasium.registry if k.startswith("ludus/")}
    assert registered == {"ludus/" + eid for eid in ludus.ids() if "/" not in eid}


def test_gymnasium_make():
    env = gymnasium.make("ludus/MiniGrid-DoorKey-8x8-v0", agent_view_size=5)
    assert isinstance(env.unwrapped, ludus.Env)
    assert env.spec.id == "ludus/MiniGrid-DoorKey-8x8-v0"
    obs, _ = env.reset(seed=1)
    assert obs["image"].shape == (5, 5, 3)
    ref, _ = ludus.make("MiniGrid-DoorKey-8x8-v0", agent_view_size=5).reset(seed=1)
    assert np.array_equal(obs["image"], ref["image"])
    assert isinstance(env.observation_space, gymnasium.spaces.Dict)
    assert isinstance(env.action_space, gymnasium.spaces.Discrete)
    env.step(env.action_space.sample())
    env.close()


@pytest.mark.parametrize("eid", [eid for eid in ludus.ids() if "/" not in eid])
def test_check_env(eid):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", DeprecationWarning)  # gymnasium: "a newer -v1 exists"
        check_env(ludus.make(eid))
        check_env(gymnasium.make("ludus/" + eid).unwrapped)


def test_make_vec_uses_the_ludus_vector():
    vec = gymnasium.make_vec("ludus/MiniGrid-DoorKey-5x5-v0", num_envs=4)
    assert isinstance(vec, ludus.vector.VectorEnv)
    assert isinstance(vec, gymnasium.vector.VectorEnv)
    if hasattr(gymnasium.vector, "AutoresetMode"):  # Gymnasium >= 1.1
        assert vec.metadata["autoreset_mode"] == gymnasium.vector.AutoresetMode.SAME_STEP
    obs, _ = vec.reset(seed=0)
    assert obs in vec.observation_space
    obs, rew, term, trunc, info = vec.step(vec.action_space.sample())
    assert obs in vec.observation_space


def test_vector_wrappers_work():
    from gymnasium.wrappers.vector import RecordEpisodeStatistics
    vec = RecordEpisodeStatistics(ludus.vector.make("MiniGrid-Empty-5x5-v0", 4, max_steps=20))
    vec.reset(seed=0)
    for _ in range(20):
        _, _, _, _, info = vec.step(np.zeros(4, dtype=np.int32))  # turning never ends early
    assert "episode" in info and list(info["episode"]["l"]) == [20] * 4
