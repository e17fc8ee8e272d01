"""test_actions.py: actions of several components and legal-action masks
from Python (the Keypad world), MultiDiscrete spaces, vector envs with
(N, action_dims) actions, and replies in words parsed by the world."""
import random

import numpy as np
import pytest

import ludus
import ludus.text
import ludus.vector
from ludus import spaces

KEYPAD = "Keypad-5x5-v0"


def code_of(env):
    line = env.text("balrog").split("\n")[0]  # "The keypad lights the code 2 2 3 4 0."
    return [int(w) for w in line.rstrip(".").split()[-5:]]


def test_spaces_and_step():
    env = ludus.make(KEYPAD)
    assert env.action_dims == 2 and env.action_nvec == (5, 5) and env.mask_size == 10
    assert isinstance(env.action_space, spaces.MultiDiscrete)
    assert list(env.action_space.nvec) == [5, 5]
    obs, info = env.reset(seed=4)
    assert info["action_mask"].tolist() == [1] * 10
    code = code_of(env)
    total = 0.0
    for slot in range(5):
        assert env.action_space.contains(np.array([slot, code[slot]]))
        obs, r, term, trunc, info = env.step(np.array([slot, code[slot]]))
        total += r
        assert info["action_mask"][slot] == 0
    assert term and not trunc and total == pytest.approx(1.0)
    # a filled slot is refused and changes nothing
    env.reset(seed=4)
    env.step([0, 1])
    state = env.text()
    with pytest.raises(ludus.InvalidArgumentError, match="not legal"):
        env.step([0, 2])
    assert env.text() == state
    with pytest.raises(ludus.InvalidArgumentError, match="2 components"):
        env.step(3)
    with pytest.raises(ludus.InvalidArgumentError, match="out of range"):
        env.step([1, 9])
    with pytest.raises(TypeError):
        env.step([1.5, 2.0])
    # one-component worlds: Discrete as before, no mask in info
    dk = ludus.make("MiniGrid-DoorKey-5x5-v0")
    assert isinstance(dk.action_space, spaces.Discrete) and dk.action_dims == 1 and dk.mask_size == 0
    _, info = dk.reset(seed=0)
    assert "action_mask" not in info and dk.action_mask() is None


def test_multidiscrete_sample_with_mask():
    space = spaces.MultiDiscrete([5, 5], seed=3)
    mask = (np.array([0, 0, 1, 0, 1], dtype=np.int8), np.array([1, 0, 0, 0, 0], dtype=np.int8))
    for _ in range(50):
        a = space.sample(mask)
        assert a[0] in (2, 4) and a[1] == 0
    with pytest.raises(ValueError):
        space.sample((np.ones(5, dtype=np.int8),))
    batch = spaces.batch_space(space, 3)
    assert batch.shape == (3, 2)


def test_vector_env():
    vec = ludus.vector.make(KEYPAD, num_envs=6, threads=2)
    obs, info = vec.reset(seed=1)
    assert vec.action_dims == 2 and info["action_mask"].shape == (6, 10)
    assert vec.action_space.shape == (6, 2)
    rng = np.random.default_rng(0)
    ret = 0.0
    for _ in range(25):
        masks = vec.action_masks()
        acts = np.zeros((6, 2), dtype=np.int64)
        for i in range(6):
            acts[i, 0] = rng.choice(np.flatnonzero(masks[i, :5]))
            acts[i, 1] = rng.integers(5)
        obs, rew, term, trunc, info = vec.step(acts)
        ret += rew.sum()
        assert np.array_equal(info["action_mask"], vec.action_masks())
    assert vec.stats()["episodes"] == 30
    with pytest.raises(ludus.InvalidArgumentError, match="shape"):
        vec.step(np.zeros(6, dtype=np.int64))
    # a masked action steps nothing
    vec.step(np.array([[0, 0]] * 6))
    with pytest.raises(ludus.InvalidArgumentError, match="not legal"):
        vec.step(np.array([[0, 0]] * 6))
    vec.close()


def test_parse_action_and_text_env():
    env = ludus.make("BabyAI-GoToLocal-v0")
    env.reset(seed=0)
    assert env.parse_action("go forward") == 2
    assert env.parse_action("Action: Pick up.") == 3
    assert env.parse_action("<|ACTION|>toggle<|END|>") == 5
    assert env.invalid_actions == 0
    for bad in ("", "jump", "turn left and go forward", "\x00go forward", "x" * 100000):
        with pytest.raises(ludus.InvalidArgumentError, match="invalid action"):
            env.parse_action(bad)
    assert env.invalid_actions == 5
    with pytest.raises(TypeError):
        env.parse_action(3)
    kp = ludus.make(KEYPAD)
    assert kp.parse_action("enter 3 in slot 2").tolist() == [1, 3]
    craft = ludus.make("Crafter-Reward-v1")
    assert craft.parse_action("Make Wood Pickaxe") == 11 and craft.parse_action("Move West") == 1

    tenv = ludus.text.make("MiniGrid-DoorKey-5x5-v0")
    text, info = tenv.reset(seed=0)
    assert info["invalid_actions"] == 0
    with pytest.raises(ludus.InvalidArgumentError):
        tenv.step("jump over it")
    text, r, term, trunc, info = tenv.step("I'll turn left.")
    assert info["invalid_actions"] == 1
    _, info = tenv.reset(seed=1)
    assert info["invalid_actions"] == 0


def test_parse_never_crashes():
    rnd = random.Random(7)
    env = ludus.make("Keypad-6x10-v0")
    words = ["enter", "slot", "1", "9", "digit", "Action:", "<|ACTION|>", "<|END|>", "é", "\n", "-", "_"]
    for i in range(3000):
        if i % 2:
            reply = "".join(chr(rnd.randint(1, 0x2FF)) for _ in range(rnd.randint(0, 80)))
        else:
            reply = " ".join(rnd.choice(words) for _ in range(rnd.randint(0, 8)))
        try:
            a = env.parse_action(reply)
        except ludus.InvalidArgumentError as e:
            assert "invalid action" in str(e)
        else:
            assert 0 <= a[0] < 6 and 0 <= a[1] < 10
