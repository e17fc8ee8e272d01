"""test_env.py: one world through the Gymnasium API: spaces, seeding,
options, snapshots, frames, and every bad input a user can give, each
answered by a Python exception carrying the library's message."""
import copy
import pickle

import numpy as np
import pytest

import ludus

DOORKEY = "MiniGrid-DoorKey-8x8-v0"


def rollout(env, seed, actions):
    obs, _ = env.reset(seed=seed)
    out = [obs]
    for a in actions:
        step = env.step(a)
        out.append(step)
        if step[2] or step[3]:
            break
    return out


def same(a, b):
    """Deep equality of observations, steps and rollouts."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    return type(a) is type(b) and a == b


def test_registry():
    ids = ludus.ids()
    assert DOORKEY in ids and len(ids) == len(set(ids))
    assert "door" in ludus.describe(DOORKEY).lower()
    with pytest.raises(ludus.NotFoundError, match="unknown world id"):
        ludus.describe("MiniGrid-Nope-v0")


def test_spaces_and_obs():
    env = ludus.make(DOORKEY)
    assert env.spec.id == DOORKEY
    assert env.action_space.n == 7
    assert env.observation_space["image"].shape == (7, 7, 3)
    assert env.observation_space["image"].dtype == np.uint8
    assert env.observation_space["direction"].n == 4
    obs, info = env.reset(seed=3)
    assert info == {}
    assert set(obs) == {"image", "direction", "mission"}
    assert obs["image"].shape == (7, 7, 3) and obs["image"].dtype == np.uint8
    assert type(obs["direction"]) is int and type(obs["mission"]) is str
    assert obs["mission"] == "use the key to open the door and then get to the goal"
    assert obs in env.observation_space
    obs2, reward, terminated, truncated, info = env.step(2)
    assert type(reward) is float and terminated is False and truncated is False and info == {}
    assert obs2 in env.observation_space
    # Each step returns fresh arrays: what an agent keeps is never overwritten.
    obs3 = env.step(0)[0]
    assert not np.shares_memory(obs2["image"], obs3["image"])
    assert env.step_count == 2 and env.max_steps == 640
    assert env.action_names[:3] == ["turn left", "turn right", "go forward"]
    assert env.metadata["render_fps"] > 0
    assert env.unwrapped is env
    env.close()


def test_action_space_sample_and_seed():
    env = ludus.make(DOORKEY)
    env.action_space.seed(7)
    a = [int(env.action_space.sample()) for _ in range(50)]
    assert all(0 <= x < 7 for x in a)
    env.action_space.seed(7)
    assert a == [int(env.action_space.sample()) for _ in range(50)]
    # Gymnasium's formula: start + integers(n) from numpy's default_rng(seed).
    rng = np.random.default_rng(7)
    assert a == [int(rng.integers(7)) for _ in range(50)]
    assert env.action_space.contains(3) and not env.action_space.contains(7)
    assert not env.action_space.contains(1.5)
    sample = env.observation_space.sample()
    assert sample in env.observation_space


def test_seeded_reset_is_a_pure_function_of_the_seed():
    actions = [2, 2, 1, 2, 3, 0, 2, 5, 2, 2] * 8
    a = rollout(ludus.make(DOORKEY), 11, actions)
    env = ludus.make(DOORKEY)
    rollout(env, 99, actions)  # an earlier episode changes nothing
    b = rollout(env, 11, actions)
    assert same(a, b)
    c = rollout(env, 12, actions)
    assert not same(a, c)


def test_unseeded_reset_continues_the_stream():
    env = ludus.make("MiniGrid-Empty-Random-6x6-v0")
    env.reset(seed=5)
    seq = [env.reset()[0] for _ in range(5)]
    env.reset(seed=5)
    assert same(seq, [env.reset()[0] for _ in range(5)])
    # Continuing is not restarting: the episodes after seed 5 differ from it.
    first = env.reset(seed=5)[0]
    assert not all(same(first, s) for s in seq)


def test_first_unseeded_reset_uses_os_entropy():
    seeds = set()
    for _ in range(4):
        env = ludus.make("MiniGrid-Empty-Random-6x6-v0")
        obs, _ = env.reset()
        seed = env.np_random_seed
        assert isinstance(seed, int) and 0 <= seed < 2**64
        seeds.add(seed)
        # The drawn seed replays the episode.
        assert same(obs, ludus.make("MiniGrid-Empty-Random-6x6-v0").reset(seed=seed)[0])
    assert len(seeds) == 4


def test_np_random_mirrors_the_world_seed():
    env = ludus.make(DOORKEY)
    env.reset(seed=123)
    assert env.np_random_seed == 123
    # numpy's Generator(PCG64(123)): what the world's own stream starts from.
    assert env.np_random.bit_generator.state == np.random.default_rng(123).bit_generator.state
    state = env.np_random.bit_generator.state
    env.reset()
    assert env.np_random.bit_generator.state == state
    env.reset(seed=124)
    assert env.np_random.bit_generator.state != state


def test_seed_edges():
    env = ludus.make(DOORKEY)
    for seed in (0, 2**32, 2**63, 2**64 - 1, np.uint64(2**64 - 1), np.int64(5)):
        obs, _ = env.reset(seed=seed)
        assert obs in env.observation_space
        assert env.np_random_seed == int(seed)
    for seed in (-1, 2**64, 2**100):
        with pytest.raises(ludus.InvalidArgumentError, match=r"\[0, 2\*\*64\)"):
            env.reset(seed=seed)
    for seed in (1.5, "3", True, [1]):
        with pytest.raises(TypeError, match="seed is an integer"):
            env.reset(seed=seed)
    assert isinstance(ludus.InvalidArgumentError("x"), ValueError)


def test_options_change_the_world():
    env = ludus.make(DOORKEY, agent_view_size=5, max_steps=10)
    assert env.observation_space["image"].shape == (5, 5, 3)
    obs, _ = env.reset(seed=0)
    assert obs["image"].shape == (5, 5, 3) and obs in env.observation_space
    assert env.max_steps == 10
    for t in range(10):
        _, _, terminated, truncated, _ = env.step(0)
    assert truncated and not terminated
    assert env.spec.kwargs["agent_view_size"] == 5
    again = env.spec.make()
    assert again.spec.kwargs == env.spec.kwargs and again.observation_space == env.observation_space
    assert ludus.make(DOORKEY, tile_size=8).spec.kwargs == {"id": DOORKEY, "tile_size": 8}


def test_bad_options():
    with pytest.raises(ludus.InvalidArgumentError, match="agent_view_size must be odd"):
        ludus.make(DOORKEY, agent_view_size=4)
    with pytest.raises(ludus.InvalidArgumentError, match="unknown option 'colour'"):
        ludus.make(DOORKEY, colour=3)
    with pytest.raises(ludus.InvalidArgumentError, match="max_steps"):
        ludus.make(DOORKEY, max_steps=0)
    with pytest.raises(ludus.InvalidArgumentError, match="without ','"):
        ludus.make(DOORKEY, max_steps="3,agent_view_size=5")
    with pytest.raises(ludus.InvalidArgumentError, match="an integer or a word"):
        ludus.make(DOORKEY, max_steps=2.5)


def test_unknown_id():
    with pytest.raises(ludus.NotFoundError) as e:
        ludus.make("MiniGrid-DoorKey-8x9-v0")
    assert isinstance(e.value, KeyError) and isinstance(e.value, ludus.Error)
    assert e.value.code == -3
    msg = str(e.value)
    assert msg.startswith("unknown world id 'MiniGrid-DoorKey-8x9-v0'; did you mean")
    assert DOORKEY in msg
    with pytest.raises(TypeError, match="world id is a str"):
        ludus.make(42)


def test_bad_actions():
    env = ludus.make(DOORKEY)
    env.reset(seed=0)
    before = env.observe()
    for action in (7, -1, 2**31 - 1, 2**40, -(2**40)):
        with pytest.raises(ludus.InvalidArgumentError, match=r"out of range for 'MiniGrid-DoorKey-8x8-v0' \(0\.\.6\)"):
            env.step(action)
    # A refused action leaves the world untouched.
    assert same(before, env.observe()) and env.step_count == 0
    for action in (1.0, "2", None, True, np.float32(1)):
        with pytest.raises(TypeError, match="action is an integer"):
            env.step(action)
    # numpy integers and 0-d arrays are actions.
    env.step(np.int64(2))
    env.step(np.array(1, dtype=np.uint8))
    assert env.step_count == 2


def test_dynamic_obstacles_accepts_every_reference_action():
    env = ludus.make("MiniGrid-Dynamic-Obstacles-5x5-v0")
    assert env.action_space.n == 3
    env.reset(seed=1)
    env.step(6)  # the reference accepts 0..6 and treats >= 3 as turn left
    with pytest.raises(ludus.InvalidArgumentError):
        env.step(7)


def test_step_before_reset():
    env = ludus.make(DOORKEY)
    with pytest.raises(ludus.StateError, match="never reset") as e:
        env.step(0)
    assert isinstance(e.value, RuntimeError)
    with pytest.raises(ludus.StateError):
        env.observe()
    with pytest.raises(ludus.StateError):
        env.text()


def test_closed_environment():
    env = ludus.make(DOORKEY)
    env.reset(seed=0)
    env.close()
    env.close()  # twice is fine
    assert env.closed
    for call in (lambda: env.step(0), lambda: env.reset(seed=1), lambda: env.text(),
                 lambda: env.observe(), lambda: env.clone(), lambda: env.max_steps):
        with pytest.raises(ludus.StateError, match="is closed"):
            call()
    with ludus.make(DOORKEY) as env2:
        env2.reset(seed=0)
    assert env2.closed


def test_reset_options_are_refused():
    env = ludus.make(DOORKEY)
    env.reset(seed=0, options={})
    env.reset(seed=0, options=None)
    with pytest.raises(ludus.InvalidArgumentError, match="give world options to ludus.make"):
        env.reset(seed=0, options={"max_steps": 3})


def test_clone_continues_identically():
    env = ludus.make(DOORKEY)
    env.reset(seed=4)
    for a in (2, 1, 2, 2):
        env.step(a)
    twin = env.clone()
    actions = [2, 0, 2, 3, 5, 2, 1, 2] * 4
    a = [env.step(x) for x in actions]
    b = [twin.step(x) for x in actions]
    assert same(a, b)
    assert twin.step_count == env.step_count
    # Independent: stepping one leaves the other where it was.
    count = twin.step_count
    env.step(2)
    assert twin.step_count == count


def test_text_observation():
    env = ludus.make(DOORKEY)
    env.reset(seed=0)
    full = env.text()
    assert full.startswith("Mission: use the key to open the door and then get to the goal\n")
    assert "Actions: turn left, turn right, go forward, pick up, drop, toggle, done" in full
    balrog = env.text("balrog")
    assert balrog and "Mission" not in balrog and balrog in full
    with pytest.raises(ludus.InvalidArgumentError, match="text mode"):
        env.text("xml")


def test_render():
    env = ludus.make(DOORKEY)
    env.reset(seed=0)
    with pytest.warns(UserWarning, match="render_mode"):
        assert env.render() is None
    if "rgb_array" not in env.metadata["render_modes"]:
        # This build's grid worlds draw no frames yet: asking for them says so.
        with pytest.raises(ludus.UnsupportedError, match="draws no frames") as e:
            ludus.make(DOORKEY, render_mode="rgb_array")
        assert isinstance(e.value, NotImplementedError)
        return
    env = ludus.make(DOORKEY, render_mode="rgb_array", tile_size=8)
    env.reset(seed=0)
    frame = env.render()
    assert frame.dtype == np.uint8 and frame.shape == (8 * 8, 8 * 8, 3)
    assert frame.std() > 0
    env.step(1)
    assert not np.array_equal(frame, env.render())
    with pytest.raises(ludus.InvalidArgumentError):
        ludus.make(DOORKEY, render_mode="rgb_array", tile_size=-1)


def test_render_every_world_that_draws():
    drawn = 0
    for eid in ludus.ids():
        env = ludus.make(eid)
        if "rgb_array" not in env.metadata["render_modes"]:
            continue
        env = ludus.make(eid, render_mode="rgb_array")
        env.reset(seed=0)
        frame = env.render()
        assert frame.ndim == 3 and frame.shape[2] == 3 and frame.dtype == np.uint8, eid
        assert frame.std() > 0, eid
        drawn += 1
    if drawn == 0:
        pytest.skip("no world of this build draws frames yet")


def fake_info(family, fields, mission_capacity):
    info = ludus._lib.EnvInfo()
    info.family = family
    info.obs_size = sum(int(np.prod(field[1])) for field in fields)
    info.num_obs_fields = len(fields)
    offset = 0
    for k, field in enumerate(fields):
        name, shape, low, high = field[:4]
        space_low, space_high = field[4:] if len(field) > 4 else (low, high)
        f = info.obs_fields[k]
        f.name, f.offset, f.ndim, f.low, f.high = name, offset, len(shape), low, high
        f.space_low, f.space_high = space_low, space_high
        for d, n in enumerate(shape):
            f.shape[d] = n
        offset += int(np.prod(shape))
    info.mission_capacity = mission_capacity
    return info


def test_observation_layouts():
    # MiniGrid: an image the reference declares 0..255, a direction, a mission.
    grid = ludus.env.ObsLayout(fake_info(b"minigrid", [(b"image", (7, 7, 3), 0, 10, 0, 255),
                                                       (b"direction", (1,), 0, 3)], 64))
    space = grid.space()
    assert space["image"].high.max() == 255 and space["direction"].n == 4
    assert space["mission"].max_length == 63 and not grid.bare
    # A single array and no mission (Crafter's pixels): the bare array.
    pixels = ludus.env.ObsLayout(fake_info(b"crafter", [(b"image", (64, 64, 3), 0, 255)], 1))
    assert pixels.bare and pixels.space().shape == (64, 64, 3)
    buf = np.arange(2 * 64 * 64 * 3, dtype=np.uint64).astype(np.uint8).reshape(2, -1)
    (name, view, scalar), = pixels.views(buf)
    assert name == "image" and view.shape == (2, 64, 64, 3) and np.shares_memory(view, buf)
    # Other families keep the bounds the library declares; one-value fields
    # are Discrete from their low bound.
    sym = ludus.env.ObsLayout(fake_info(b"crafter", [(b"view", (7, 9), 0, 18),
                                                     (b"level", (1,), 1, 5)], 1))
    space = sym.space()
    assert space["view"].high.max() == 18 and space["level"].n == 5 and space["level"].start == 1
    assert "mission" not in space.spaces and not sym.bare


def test_bad_render_options():
    for size in (-1, 2**40):
        with pytest.raises(ludus.InvalidArgumentError, match="tile size"):
            ludus.make(DOORKEY, tile_size=size)
    with pytest.raises(TypeError, match="tile_size"):
        ludus.make(DOORKEY, tile_size=8.0)


def test_render_mode_human_is_refused():
    with pytest.raises((ludus.InvalidArgumentError, ludus.UnsupportedError)):
        ludus.make(DOORKEY, render_mode="human")


def test_errors_carry_the_library_message_and_code():
    with pytest.raises(ludus.Error) as e:
        ludus.make(DOORKEY, agent_view_size=99)
    assert e.value.code == -1 and "agent_view_size" in e.value.message


def test_pickle_and_deepcopy_rebuild_the_world():
    env = ludus.make(DOORKEY, max_steps=50)
    env.reset(seed=8)
    env.step(2)
    actions = [1, 2, 2, 0, 2]
    for twin in (pickle.loads(pickle.dumps(env)), copy.deepcopy(env)):
        assert twin is not env and twin._envp != env._envp
        assert twin.spec.kwargs["max_steps"] == 50 and twin.np_random_seed == 8
        reference = env.clone()
        assert same([twin.step(a) for a in actions], [reference.step(a) for a in actions])
    env.close()
    with pytest.raises(ludus.StateError):
        pickle.dumps(env)
