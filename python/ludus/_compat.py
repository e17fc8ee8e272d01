"""_compat.py: whether Gymnasium is importable. With it, ludus environments
are gymnasium.Env subclasses with gymnasium.spaces (so wrappers and
check_env accept them); without it, ludus's own classes carry the same
attributes. LUDUS_NO_GYMNASIUM=1 forces the standalone classes even when
Gymnasium is installed (the tests use it to cover both paths). ludus
follows Gymnasium 1.x; an older one is left alone, with a warning.
"""
import os
import warnings

gymnasium = None
if os.environ.get("LUDUS_NO_GYMNASIUM", "") in ("", "0"):
    try:
        import gymnasium
    except ImportError:
        gymnasium = None
if gymnasium is not None and int(gymnasium.__version__.split(".")[0]) < 1:
    warnings.warn("ludus follows the Gymnasium 1.x API; Gymnasium %s is installed, so ludus "
                  "uses its own classes and registers nothing" % gymnasium.__version__)
    gymnasium = None
