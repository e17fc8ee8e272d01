"""_compat.py: whether Gymnasium is importable. With it, ludus environments
are gymnasium.Env subclasses with gymnasium.spaces (so wrappers and
check_env accept them); without it, ludus's own classes carry the same
attributes. LUDUS_NO_GYMNASIUM=1 forces the standalone classes even when
Gymnasium is installed (the tests use it to cover both paths).
"""
import os

gymnasium = None
if os.environ.get("LUDUS_NO_GYMNASIUM", "") in ("", "0"):
    try:
        import gymnasium
    except ImportError:
        gymnasium = None
