"""test_vector.py: ludus.vector. Each world of the batch must play exactly
the episode a single ludus.make(id) plays from the same level and actions,
including same-step auto-reset and the final observation; results must not
depend on the thread count; the arrays must be the ones C writes into; and
every bad argument gets a clear exception."""
import ctypes
import pickle

import numpy as np
import pytest

import ludus
from ludus._lib import lib

DOORKEY5 = "MiniGrid-DoorKey-5x5-v0"
EMPTY = "MiniGrid-Empty-Random-5x5-v0"


def run(vec, seed, steps, action_seed=0):
    """Copies of everything a vec returns over `steps` random steps."""
    rng = np.random.default_rng(action_seed)
    obs, _ = vec.reset(seed=seed)
    log = [(copy_obs(obs), vec.levels.copy())]
    for _ in range(steps):
        actions = rng.integers(0, vec.single_action_space.n, vec.num_envs)
        obs, rew, term, trunc, info = vec.step(actions)
        final = copy_obs(info["final_obs"]) if info else None
        mask = info["_final_obs"].copy() if info else None
        log.append((copy_obs(obs), rew.copy(), term.copy(), trunc.copy(), final, mask))
    return log


def copy_obs(obs):
    return {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in obs.items()}


def equal_logs(a, b):
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        for u, v in zip(x, y):
            if isinstance(u, dict):
                if u.keys() != v.keys() or any(not np.array_equal(u[k], v[k]) if isinstance(u[k], np.ndarray)
                                               else u[k] != v[k] for k in u):
                    return False
            elif isinstance(u, np.ndarray):
                if not np.array_equal(u, v):
                    return False
            elif u != v:
                return False
    return True


def test_spaces_and_shapes():
    vec = ludus.vector.make(DOORKEY5, 6, train_levels=50)
    assert vec.num_envs == 6
    assert vec.single_observation_space["image"].shape == (7, 7, 3)
    assert vec.observation_space["image"].shape == (6, 7, 7, 3)
    assert vec.single_action_space.n == 7
    assert vec.action_space.shape == (6,)
    obs, info = vec.reset(seed=0)
    assert info == {}
    assert obs["image"].shape == (6, 7, 7, 3) and obs["image"].dtype == np.uint8
    assert obs["direction"].shape == (6,)
    assert obs["mission"] == ("use the key to open the door and then get to the goal",) * 6
    assert obs in vec.observation_space
    obs, rew, term, trunc, info = vec.step(vec.action_space.sample())
    assert obs in vec.observation_space
    assert rew.dtype == np.float64 and rew.shape == (6,)
    assert term.dtype == np.bool_ and trunc.dtype == np.bool_ and term.shape == (6,)
    assert vec.metadata["autoreset_mode"] is ludus.vector.AUTORESET_MODE
    vec.close()


def test_arrays_are_the_buffers_c_writes():
    vec = ludus.vector.make(DOORKEY5, 4)
    obs, _ = vec.reset(seed=1)
    obs2, rew, term, trunc, _ = vec.step([2, 2, 2, 2])
    obs3, rew3, term3, trunc3, _ = vec.step([1, 1, 1, 1])
    # The same memory every step: nothing is copied per step.
    assert obs3["image"] is obs2["image"] and rew3 is rew and term3 is term and trunc3 is trunc
    vecp = vec._vecp
    assert lib.ludus_vec_obs(vecp) == obs["image"].__array_interface__["data"][0]
    assert lib.ludus_vec_rewards(vecp) == rew.__array_interface__["data"][0]
    assert lib.ludus_vec_terminated(vecp) == term.__array_interface__["data"][0]
    assert lib.ludus_vec_truncated(vecp) == trunc.__array_interface__["data"][0]
    # Image and direction are views of the one (N, obs_size) buffer lent to C.
    assert np.shares_memory(obs["image"], vec._obs_buf) and np.shares_memory(obs["direction"], vec._obs_buf)
    assert not np.shares_memory(obs["image"], obs["direction"])
    # C writes the flags as 0/1 bytes, which the bool views read.
    assert set(np.unique(term.view(np.uint8))) <= {0, 1}


@pytest.mark.parametrize("world_id", [DOORKEY5, "MiniGrid-Dynamic-Obstacles-5x5-v0", "MiniGrid-Fetch-5x5-N2-v0"])
def test_each_world_plays_the_single_env_episode(world_id):
    n, steps = 5, 300
    vec = ludus.vector.make(world_id, n, threads=2, train_levels=range(1000, 1040))
    singles = [ludus.make(world_id) for _ in range(n)]
    obs, _ = vec.reset(seed=7)
    levels = vec.levels
    assert all(1000 <= lv < 1040 for lv in levels)
    for i in range(n):
        ref, _ = singles[i].reset(seed=int(levels[i]))
        assert np.array_equal(obs["image"][i], ref["image"]) and obs["direction"][i] == ref["direction"]
        assert obs["mission"][i] == ref["mission"]
    rng = np.random.default_rng(3)
    ended = 0
    for t in range(steps):
        actions = rng.integers(0, vec.single_action_space.n, n).astype(np.int32)
        obs, rew, term, trunc, info = vec.step(actions)
        levels = vec.levels
        for i in range(n):
            ref, r, te, tr, _ = singles[i].step(int(actions[i]))
            assert r == rew[i] and te == term[i] and tr == trunc[i], (t, i)
            if te or tr:
                ended += 1
                assert info["_final_obs"][i]
                final = info["final_obs"]
                assert np.array_equal(final["image"][i], ref["image"])
                assert final["direction"][i] == ref["direction"] and final["mission"][i] == ref["mission"]
                ref, _ = singles[i].reset(seed=int(levels[i]))
            else:
                assert not info or not info["_final_obs"][i]
            assert np.array_equal(obs["image"][i], ref["image"]), (t, i)
            assert obs["direction"][i] == ref["direction"] and obs["mission"][i] == ref["mission"]
    assert ended > 0
    stats = vec.stats()
    assert stats["episodes"] == ended
    vec.clear_stats()
    assert vec.stats()["episodes"] == 0


def test_results_do_not_depend_on_threads():
    logs = []
    for threads in (1, 2, 3):
        vec = ludus.vector.make(EMPTY, 7, threads=threads, train_levels=20)
        logs.append(run(vec, 5, 120))
        vec.close()
    assert equal_logs(logs[0], logs[1]) and equal_logs(logs[0], logs[2])


def test_seeded_reset_repeats_and_unseeded_continues():
    vec = ludus.vector.make(EMPTY, 8)
    a = run(vec, 11, 30)
    b = run(vec, 11, 30)
    assert equal_logs(a, b)
    c = run(vec, 12, 30)
    assert not np.array_equal(a[0][1], c[0][1])
    vec.reset(seed=11)
    first = vec.levels.copy()
    vec.reset()
    assert not np.array_equal(first, vec.levels)
    assert vec.np_random_seed == 11


def test_train_levels():
    vec = ludus.vector.make(EMPTY, 16, train_levels=3)
    vec.reset(seed=0)
    seen = set()
    for _ in range(20):
        vec.reset()
        seen.update(int(x) for x in vec.levels)
    assert seen == {0, 1, 2}
    vec = ludus.vector.make(EMPTY, 16, train_levels=range(2**64 - 2, 2**64))
    vec.reset(seed=0)
    assert set(int(x) for x in vec.levels) <= {2**64 - 2, 2**64 - 1}
    vec = ludus.vector.make(EMPTY, 16)
    vec.reset(seed=0)
    assert int(vec.levels.max()) > 2**32  # any uint64 seed
    for bad in (0, -1, range(5, 5), range(0, 10, 2), range(-1, 3), 2**64):
        with pytest.raises(ludus.InvalidArgumentError, match="train_levels"):
            ludus.vector.make(EMPTY, 2, train_levels=bad)
    for bad in ("10", 2.0, True):
        with pytest.raises(TypeError, match="train_levels"):
            ludus.vector.make(EMPTY, 2, train_levels=bad)


def test_world_copy():
    vec = ludus.vector.make(DOORKEY5, 3, train_levels=10)
    obs, _ = vec.reset(seed=2)
    vec.step([2, 1, 2])
    obs, *_ = vec.step([2, 2, 0])
    env = vec.world(1)
    single = env.observe()
    assert np.array_equal(single["image"], obs["image"][1]) and single["mission"] == obs["mission"][1]
    assert env.step_count == 2
    # A copy: stepping it leaves the vec's world alone.
    env.step(2)
    assert vec.world(1).step_count == 2
    for bad in (3, -1):
        with pytest.raises(ludus.InvalidArgumentError, match="out of range"):
            vec.world(bad)
    with pytest.raises(TypeError):
        vec.world(1.0)


def test_level_sampler():
    vec = ludus.vector.make(EMPTY, 4, threads=2)
    calls = []

    def sampler(world):
        calls.append(world)
        return 500 + world

    vec.set_level_sampler(sampler)
    vec.reset(seed=0)
    assert list(vec.levels) == [500, 501, 502, 503]
    assert sorted(calls) == [0, 1, 2, 3]
    # The hook survives a seeded reset (the C vec is rebuilt for it).
    vec.reset(seed=9)
    assert list(vec.levels) == [500, 501, 502, 503]
    vec.set_level_sampler(None)
    vec.reset(seed=0)
    assert list(vec.levels) != [500, 501, 502, 503]


def test_level_sampler_errors():
    vec = ludus.vector.make(EMPTY, 3)

    def broken(world):
        raise ZeroDivisionError("no level for %d" % world)

    vec.set_level_sampler(broken)
    with pytest.raises(ZeroDivisionError, match="no level"):
        vec.reset(seed=0)
    with pytest.raises(ludus.StateError, match="reset the vector environment first"):
        vec.step([0, 0, 0])
    vec.set_level_sampler(lambda world: -5)
    with pytest.raises(ludus.InvalidArgumentError, match=r"\[0, 2\*\*64\)"):
        vec.reset(seed=0)
    vec.set_level_sampler(lambda world: 7)
    vec.reset(seed=0)
    vec.step([0, 0, 0])
    with pytest.raises(TypeError, match="callable"):
        vec.set_level_sampler(3)


def test_bad_actions():
    vec = ludus.vector.make(DOORKEY5, 3)
    obs, _ = vec.reset(seed=0)
    before = obs["image"].copy()
    with pytest.raises(ludus.InvalidArgumentError, match=r"action 7 of world 1 is out of range"):
        vec.step([0, 7, 0])
    with pytest.raises(ludus.InvalidArgumentError, match="action -1 of world 2"):
        vec.step(np.array([0, 0, -1], dtype=np.int8))
    # A refused batch steps no world.
    assert np.array_equal(obs["image"], before)
    assert all(vec.world(i).step_count == 0 for i in range(3))
    with pytest.raises(ludus.InvalidArgumentError, match=r"action 4294967298 is out of range"):
        vec.step(np.array([0, 2**32 + 2, 0], dtype=np.int64))
    with pytest.raises(ludus.InvalidArgumentError, match=r"shape \(3,\)"):
        vec.step([0, 1])
    with pytest.raises(ludus.InvalidArgumentError, match=r"shape \(3,\)"):
        vec.step(np.zeros((3, 1), dtype=np.int32))
    with pytest.raises(TypeError, match="integers"):
        vec.step([0.0, 1.0, 2.0])
    with pytest.raises(TypeError, match="integers"):
        vec.step(np.array([True, False, True]))
    vec.step(np.array([1, 2, 3], dtype=np.uint64))
    vec.step((1, 2, 3))


def test_step_before_reset_and_after_close():
    vec = ludus.vector.make(DOORKEY5, 2)
    with pytest.raises(ludus.StateError, match="reset the vec first"):
        vec.step([0, 0])
    obs, _ = vec.reset(seed=0)
    kept = obs["image"]
    vec.close()
    vec.close()
    assert vec.closed
    for call in (lambda: vec.step([0, 0]), lambda: vec.reset(), lambda: vec.levels,
                 lambda: vec.world(0), lambda: vec.stats()):
        with pytest.raises(ludus.StateError, match="is closed"):
            call()
    assert kept.sum() > 0  # arrays handed out stay valid after close


def test_bad_construction():
    with pytest.raises(ludus.NotFoundError, match="unknown world id"):
        ludus.vector.make("MiniGrid-DorKey-5x5-v0", 2)
    with pytest.raises(ludus.InvalidArgumentError, match="num_envs must be in"):
        ludus.vector.make(EMPTY, 0)
    for n in (2**24 + 1, 2**40):
        with pytest.raises(ludus.InvalidArgumentError, match="num_envs must be in"):
            ludus.vector.make(EMPTY, n)
    with pytest.raises(ludus.InvalidArgumentError, match="num_threads must be in"):
        ludus.vector.make(EMPTY, 2, threads=65)
    for threads in (-1, 2**40):
        with pytest.raises(ludus.InvalidArgumentError, match="num_threads must be in"):
            ludus.vector.make(EMPTY, 2, threads=threads)
    with pytest.raises(TypeError, match="num_envs"):
        ludus.vector.make(EMPTY, 2.0)
    with pytest.raises(ludus.InvalidArgumentError, match="agent_view_size"):
        ludus.vector.make(EMPTY, 2, agent_view_size=2)
    with pytest.raises(ludus.InvalidArgumentError, match="one integer seed"):
        ludus.vector.make(EMPTY, 2).reset(seed=[1, 2])
    with pytest.raises(ludus.InvalidArgumentError):
        ludus.vector.make(EMPTY, 2).reset(seed=-3)


def test_options_and_threads_clamped():
    vec = ludus.vector.make(EMPTY, 3, threads=8, agent_view_size=3)
    obs, _ = vec.reset(seed=0)
    assert obs["image"].shape == (3, 3, 3, 3)
    vec.step([0, 1, 2])


def test_stats_match_the_rewards():
    vec = ludus.vector.make("MiniGrid-Empty-5x5-v0", 8, max_steps=12)
    vec.reset(seed=0)
    rng = np.random.default_rng(1)
    returns = np.zeros(8)
    done = []
    for _ in range(100):
        _, rew, term, trunc, _ = vec.step(rng.integers(0, 3, 8))
        returns += rew
        for i in np.flatnonzero(term | trunc):
            done.append(returns[i])
            returns[i] = 0
    s = vec.stats()
    assert s["episodes"] == len(done)
    assert s["return_mean"] == pytest.approx(np.mean(done), rel=1e-12)
    assert s["return_std"] == pytest.approx(np.std(done), rel=1e-9, abs=1e-12)


def test_not_picklable():
    vec = ludus.vector.make(EMPTY, 2)
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(vec)


def test_ctypes_declarations_match_the_header():
    # The info struct is read field by field; a layout mismatch would show
    # up as nonsense here.
    env = ludus.make(DOORKEY5)
    info = lib.ludus_env_get_info(env._envp).contents
    assert info.id == DOORKEY5.encode() and info.family == b"minigrid"
    assert info.num_actions == 7 and info.max_action == 7
    assert info.obs_size == 7 * 7 * 3 + 1 and info.num_obs_fields == 2
    assert info.obs_fields[1].name == b"direction" and info.obs_fields[1].offset == 147
    assert info.width == 5 and info.height == 5 and info.max_steps == 250
    assert info.text_capacity > 0 and info.mission_capacity > 0
    assert ctypes.sizeof(ludus._lib.StepOut) == 16
