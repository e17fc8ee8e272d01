"""test_maze.py: the maze worlds from Python: the 5x5 view, the held-out
layouts' step limits, and levels as blocks (level, reset_level,
mutate_level) with their errors."""
import numpy as np
import pytest

import ludus


def test_observation_and_limits():
    env = ludus.make("Maze-v0")
    obs, _ = env.reset(seed=3)
    assert obs["image"].shape == (5, 5, 3) and obs["image"].dtype == np.uint8
    assert obs["direction"] in (0, 1, 2, 3)
    assert obs["image"][2, 4].tolist() == [1, 0, 0]  # the agent's own cell reads empty
    env.close()


def test_levels_round_trip_and_mutate():
    env = ludus.make("Maze-v0")
    assert env.level_size == 30
    obs, _ = env.reset(seed=7)
    lv = env.level()
    assert isinstance(lv, bytes) and len(lv) == 30 and lv[0] == 13 and lv[1] == 13
    other = ludus.make("Maze-SixteenRooms-v0")
    obs2, _ = other.reset_level(lv)
    assert np.array_equal(obs["image"], obs2["image"])
    assert other.level() == lv
    child = env.mutate_level(lv, 20, seed=1)
    assert len(child) == 30 and child[2:5] == lv[2:5]  # the agent's pose stays
    assert env.mutate_level(lv, 20, seed=1) == child   # the same seed, the same edits
    assert env.mutate_level(lv, 0, seed=1) == lv
    env.reset_level(child)
    assert env.level() == child
    env.close()
    other.close()


def test_level_errors():
    env = ludus.make("Maze-v0")
    env.reset(seed=0)
    lv = bytearray(env.level())
    lv[4] = 9
    good = env.level()
    with pytest.raises(ludus.InvalidArgumentError, match="direction 9"):
        env.reset_level(bytes(lv))
    with pytest.raises(ludus.StateError):
        env.step(0)  # refused until the next reset
    with pytest.raises(ludus.InvalidArgumentError, match="29 bytes"):
        env.reset_level(good[:29])
    with pytest.raises(ludus.InvalidArgumentError, match="edits"):
        env.mutate_level(good, -1, seed=0)
    with pytest.raises(ludus.InvalidArgumentError, match="direction 9"):
        env.mutate_level(bytes(lv), 3, seed=0)
    env.reset(seed=0)
    assert env.level() == good
    with pytest.raises(TypeError):
        env.reset_level(12)
    grid = ludus.make("MiniGrid-Empty-5x5-v0")
    grid.reset(seed=0)
    assert grid.level_size == 0
    with pytest.raises(ludus.UnsupportedError):
        grid.level()
    env.close()
    grid.close()
