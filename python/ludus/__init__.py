"""ludus: fast, reproducible worlds for agents that learn and generalize,
from Python. `ludus.make(id)` gives one world with the Gymnasium API,
`ludus.vector.make(id, n)` many worlds stepped in C into numpy arrays,
`ludus.text` the text observations for language-model agents,
`ludus.evaluate(policy, id)` the held-out evaluation of any policy, and
`ludus.train` starts or resumes a training run (the C library's run). The C library
libludus does the work; this package reaches it through ctypes.
"""
from ._version import __version__
from ._lib import library_version, path as library_path
from .errors import (Error, FormatError, InternalError, InvalidArgumentError, LudusIOError,
                     NotFoundError, OutOfMemoryError, StateError, UnsupportedError)
from .env import Env, describe, ids, make
from . import spaces, text, vector
from .agent import Agent, collect, evaluate
from .train import train
from . import _gym

_gym.register()

__all__ = ["make", "ids", "describe", "Env", "vector", "evaluate", "collect", "Agent", "train", "text", "spaces", "Error",
           "InvalidArgumentError", "FormatError", "NotFoundError", "StateError",
           "UnsupportedError", "OutOfMemoryError", "LudusIOError", "InternalError",
           "__version__", "library_version", "library_path"]
