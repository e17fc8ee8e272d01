"""test_text.py: ludus.text for language-model agents: the text observation
in both modes, action names both ways, and TextEnv playing by name."""
import pytest

import ludus
import ludus.text

DOORKEY = "MiniGrid-DoorKey-5x5-v0"


def test_observe_and_action_names():
    env = ludus.make(DOORKEY)
    env.reset(seed=0)
    full = ludus.text.observe(env)
    assert full == env.text("full")
    lines = full.split("\n")
    assert lines[0] == "Mission: " + env.mission
    assert lines[-1] == "Actions: " + ", ".join(ludus.text.action_names(env))
    balrog = ludus.text.observe(env, "balrog")
    # BALROG's description: the view lines only, without mission or actions.
    assert balrog.split("\n") == [ln for ln in lines[1:-1] if ln]
    assert ludus.text.action_names(env) == ["turn left", "turn right", "go forward", "pick up",
                                            "drop", "toggle", "done"]


def test_action_index():
    env = ludus.make(DOORKEY)
    assert ludus.text.action_index(env, "go forward") == 2
    assert ludus.text.action_index(env, "  Pick   Up ") == 3
    with pytest.raises(ludus.InvalidArgumentError, match="'jump' is not an action of 'MiniGrid-DoorKey-5x5-v0'; the actions are: turn left"):
        ludus.text.action_index(env, "jump")


def test_text_env_plays_by_name():
    tenv = ludus.text.make(DOORKEY, mode="balrog")
    env = ludus.make(DOORKEY)
    text, info = tenv.reset(seed=4)
    obs, _ = env.reset(seed=4)
    assert text == env.text("balrog")
    assert info["mission"] == obs["mission"] and info["actions"][2] == "go forward"
    assert (info["obs"]["image"] == obs["image"]).all()
    for name in ("turn right", "go forward", "go forward", "toggle"):
        text, reward, terminated, truncated, info = tenv.step(name)
        obs, r, te, tr, _ = env.step(ludus.text.action_index(env, name))
        assert text == env.text("balrog") and reward == r and terminated == te and truncated == tr
    text, *_ = tenv.step(0)
    env.step(0)
    assert text == env.text("balrog")
    # replies are parsed by the world (docs/text-observation.md); an
    # invalid one raises and is counted
    with pytest.raises(ludus.InvalidArgumentError, match="invalid action: 'fly' names no action"):
        tenv.step("fly")
    assert tenv.env.unwrapped.invalid_actions == 1
    tenv.close()
    with pytest.raises(ludus.StateError):
        tenv.step(0)


def test_text_env_bad_mode():
    with pytest.raises(ludus.InvalidArgumentError, match="text mode"):
        ludus.text.make(DOORKEY, mode="html")


def test_every_world_describes_itself():
    for eid in ludus.ids():
        env = ludus.make(eid)
        env.reset(seed=1)
        text = env.text()
        assert text.strip() and env.text("balrog").strip(), eid
        # The full text names every legal action, and leads with the mission when there is one.
        assert all(name in text for name in env.action_names), eid
        if env.mission:
            assert text.startswith("Mission: %s\n" % env.mission), eid
        env.close()
