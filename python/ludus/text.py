"""text.py: ludus worlds for language-model agents. Every world describes
its state in words (the mission, what is visible and where, what the agent
carries) and names its actions; `mode="balrog"` gives exactly the lines
BALROG's BabyAI-Text wrapper gives models, so scores compare with BALROG's.
TextEnv wraps a world so observations are that text and actions may be
given in words, parsed as BALROG's agents parse a model's reply
(Env.parse_action; docs/text-observation.md).
"""
from . import errors
from .env import make as _make

MODES = ("full", "balrog")


def observe(env, mode="full"):
    """The text observation of env's current state ('full' or 'balrog')."""
    return env.unwrapped.text(mode)


def action_names(env):
    """The names of env's actions, index i naming action i."""
    return list(env.unwrapped.action_names)


def action_index(env, name):
    """The action index for a name (case and surrounding spaces ignored)."""
    names = env.unwrapped.action_names
    key = " ".join(str(name).lower().split())
    for i, n in enumerate(names):
        if n == key:
            return i
    raise errors.InvalidArgumentError("%r is not an action of '%s'; the actions are: %s"
                                      % (name, env.unwrapped.id, ", ".join(names)))


class TextEnv:
    """A world whose observations are text and whose actions may be names.

    reset() -> (text, info) and step(action) -> (text, reward, terminated,
    truncated, info), where action is an index (a vector for worlds of
    several components) or a reply in words ("go forward", "Action: pick
    up"). A reply that names no action, or more than one, raises
    InvalidArgumentError and leaves the world as it was; info
    "invalid_actions" counts such replies in the episode. info also
    carries "mission", "actions" (the names) and "obs" (the world's own
    observation, for agents that use both)."""

    def __init__(self, env, mode="full"):
        if mode not in MODES:
            raise errors.InvalidArgumentError("text mode %r is unknown (use 'full' or 'balrog')" % (mode,))
        self.env = env
        self.mode = mode
        self.action_names = list(env.unwrapped.action_names)

    def reset(self, *, seed=None, options=None):
        obs, info = self.env.reset(seed=seed, options=options)
        return self._text(obs, info)

    def step(self, action):
        if isinstance(action, str):
            action = self.env.unwrapped.parse_action(action)
        obs, reward, terminated, truncated, info = self.env.step(action)
        text, info = self._text(obs, info)
        return text, reward, terminated, truncated, info

    def _text(self, obs, info):
        info = dict(info)
        info["obs"] = obs
        info["mission"] = self.env.unwrapped.mission
        info["actions"] = self.action_names
        info["invalid_actions"] = self.env.unwrapped.invalid_actions
        return self.env.unwrapped.text(self.mode), info

    def close(self):
        self.env.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __repr__(self):
        return "<ludus.text.TextEnv %s mode=%s>" % (self.env.unwrapped.id, self.mode)


def make(id, mode="full", **kwargs):
    """ludus.make(id, **kwargs) wrapped in a TextEnv."""
    return TextEnv(_make(id, **kwargs), mode)
