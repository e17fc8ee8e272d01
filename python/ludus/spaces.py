"""spaces.py: observation and action spaces with Gymnasium's attributes.
When Gymnasium is importable these names are gymnasium.spaces themselves, so
its checkers and wrappers recognise them; otherwise ludus's own classes
(_spaces.py) stand in with the same constructors and attributes.
"""
import string

from ._compat import gymnasium

# Every printable ASCII character: missions contain spaces and punctuation.
MISSION_CHARSET = frozenset(string.printable)

if gymnasium is not None:
    from gymnasium.spaces import Box, Dict, Discrete, MultiDiscrete, Space, Text, Tuple
    from gymnasium.vector.utils import batch_space
else:
    from ._spaces import Box, Dict, Discrete, MultiDiscrete, Space, Text, Tuple, batch_space

__all__ = ["Space", "Box", "Discrete", "MultiDiscrete", "Text", "Dict", "Tuple", "batch_space",
           "MISSION_CHARSET"]
