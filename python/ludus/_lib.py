"""_lib.py: finds libludus, checks its version against the package's, and
declares the C API to ctypes. Every function gets explicit argtypes and
restype so a wrong Python value fails in ctypes, never in C; pointers are
passed as plain integers (addresses of numpy buffers the Python side owns),
which is also the cheapest argument ctypes converts on the hot path.

Search order: $LUDUS_LIBRARY (a file, or a folder holding the library), the
library next to this package (what `pip install ./python` puts there), then
the system's library path.
"""
import ctypes
import ctypes.util
import glob
import os
import sys

from . import errors
from ._version import __version__

_HERE = os.path.dirname(os.path.abspath(__file__))
_SUFFIX = ".dylib" if sys.platform == "darwin" else ".so"
_MAJOR = __version__.split(".")[0]

c_int, c_uint32, c_uint64, c_size_t = ctypes.c_int, ctypes.c_uint32, ctypes.c_uint64, ctypes.c_size_t
c_double, c_uint8, c_char_p, c_void_p = ctypes.c_double, ctypes.c_uint8, ctypes.c_char_p, ctypes.c_void_p

MAX_OBS_FIELDS = 4
MAX_ACTION_DIMS = 8
TEXT_FULL, TEXT_BALROG = 0, 1


class ObsField(ctypes.Structure):
    _fields_ = [("name", c_char_p), ("offset", c_size_t), ("ndim", c_int),
                ("shape", c_int * 3), ("low", c_uint8), ("high", c_uint8),
                ("space_low", c_uint8), ("space_high", c_uint8), ("kind", c_int)]


class KeyBinding(ctypes.Structure):
    _fields_ = [("key", c_int), ("action", c_int), ("label", c_char_p)]


class EnvInfo(ctypes.Structure):
    _fields_ = [("id", c_char_p), ("family", c_char_p), ("description", c_char_p),
                ("num_actions", c_int), ("max_action", c_int),
                ("action_names", ctypes.POINTER(c_char_p)),
                ("obs_size", c_size_t), ("num_obs_fields", c_int),
                ("obs_fields", ObsField * MAX_OBS_FIELDS),
                ("state_size", c_size_t), ("width", c_int), ("height", c_int),
                ("max_steps", c_uint32), ("text_capacity", c_size_t),
                ("mission_capacity", c_size_t), ("options_doc", c_char_p),
                ("num_achievements", c_int), ("achievement_names", ctypes.POINTER(c_char_p)),
                ("keys", ctypes.POINTER(KeyBinding)), ("train_options", c_char_p),
                ("flags", c_uint32), ("action_dims", c_int),
                ("action_nvec", c_int * MAX_ACTION_DIMS), ("mask_size", c_int)]


class StepOut(ctypes.Structure):
    _fields_ = [("reward", c_double), ("terminated", c_uint8), ("truncated", c_uint8),
                ("success", c_uint8), ("reserved", c_uint8), ("achievements", c_uint32)]


class RenderOpts(ctypes.Structure):
    _fields_ = [("tile_size", c_int), ("agent_view", c_int), ("highlight", c_int)]


class EpisodeStats(ctypes.Structure):
    _fields_ = [("episodes", c_uint64), ("successes", c_uint64), ("steps", c_uint64),
                ("return_sum", c_double), ("return_sq_sum", c_double),
                ("truncations", c_uint64)]


class VecConfig(ctypes.Structure):
    _fields_ = [("env_id", c_char_p), ("env_options", c_char_p), ("num_envs", c_int),
                ("num_threads", c_int), ("level_start", c_uint64), ("level_count", c_uint64),
                ("seed", c_uint64), ("obs", c_void_p), ("rewards", c_void_p),
                ("terminated", c_void_p), ("truncated", c_void_p), ("final_obs", c_void_p),
                ("final_mask", c_void_p), ("action_masks", c_void_p)]


# uint64_t (*)(void *user, int world, ludus_rng *rng)
LEVEL_FN = ctypes.CFUNCTYPE(c_uint64, c_void_p, c_int, c_void_p)

_SIGNATURES = {
    "ludus_version": ([], c_char_p),
    "ludus_errmsg": ([], c_char_p),
    "ludus_strerror": ([c_int], c_char_p),
    "ludus_env_count": ([], c_int),
    "ludus_env_id": ([c_int], c_char_p),
    "ludus_env_describe": ([c_char_p], c_char_p),
    "ludus_env_make": ([c_char_p, c_char_p, ctypes.POINTER(c_void_p)], c_int),
    "ludus_env_destroy": ([c_void_p], None),
    "ludus_env_get_info": ([c_void_p], ctypes.POINTER(EnvInfo)),
    "ludus_env_reset": ([c_void_p, c_void_p, c_uint64, c_void_p], c_int),
    "ludus_env_reset_continue": ([c_void_p, c_void_p, c_void_p], c_int),
    "ludus_env_step": ([c_void_p, c_void_p, c_int, c_void_p, c_void_p], c_int),
    "ludus_env_step_vec": ([c_void_p, c_void_p, c_void_p, c_void_p, c_void_p], c_int),
    "ludus_env_action_mask": ([c_void_p, c_void_p, c_void_p], c_int),
    "ludus_env_parse_action": ([c_void_p, c_char_p, c_void_p], c_int),
    "ludus_env_observe": ([c_void_p, c_void_p, c_void_p], c_int),
    "ludus_env_mission": ([c_void_p, c_void_p], c_char_p),
    "ludus_env_max_steps": ([c_void_p, c_void_p], c_uint32),
    "ludus_env_step_count": ([c_void_p, c_void_p], c_uint32),
    "ludus_env_text": ([c_void_p, c_void_p, c_int, c_void_p, c_size_t], c_int),
    "ludus_env_render_size": ([c_void_p, ctypes.POINTER(RenderOpts), ctypes.POINTER(c_int),
                               ctypes.POINTER(c_int)], c_int),
    "ludus_env_render": ([c_void_p, c_void_p, ctypes.POINTER(RenderOpts), c_void_p, c_size_t], c_int),
    "ludus_vec_create": ([ctypes.POINTER(VecConfig), ctypes.POINTER(c_void_p)], c_int),
    "ludus_vec_destroy": ([c_void_p], None),
    "ludus_vec_reset": ([c_void_p], c_int),
    "ludus_vec_step": ([c_void_p, c_void_p], c_int),
    "ludus_vec_env": ([c_void_p], c_void_p),
    "ludus_vec_num_envs": ([c_void_p], c_int),
    "ludus_vec_obs": ([c_void_p], c_void_p),
    "ludus_vec_rewards": ([c_void_p], c_void_p),
    "ludus_vec_terminated": ([c_void_p], c_void_p),
    "ludus_vec_truncated": ([c_void_p], c_void_p),
    "ludus_vec_final_obs": ([c_void_p], c_void_p),
    "ludus_vec_final_mask": ([c_void_p], c_void_p),
    "ludus_vec_action_masks": ([c_void_p], c_void_p),
    "ludus_vec_state": ([c_void_p, c_int], c_void_p),
    "ludus_vec_level": ([c_void_p, c_int], c_uint64),
    "ludus_vec_set_level_fn": ([c_void_p, LEVEL_FN, c_void_p], c_int),
    "ludus_vec_stats": ([c_void_p, ctypes.POINTER(EpisodeStats)], None),
    "ludus_vec_clear_stats": ([c_void_p], None),
}


def _candidates():
    """(where, path) pairs to try, in order; where names the source for errors."""
    given = os.environ.get("LUDUS_LIBRARY")
    if given:
        if os.path.isdir(given):
            found = _in_folder(given)
            yield "LUDUS_LIBRARY", found or os.path.join(given, "libludus" + _SUFFIX)
        else:
            yield "LUDUS_LIBRARY", given
        return  # an explicit choice is never silently replaced by another library
    found = _in_folder(_HERE)
    if found:
        yield "package", found
    yield "system", ctypes.util.find_library("ludus") or "libludus%s.%s" % (_SUFFIX, _MAJOR)


def _in_folder(folder):
    names = ["libludus" + _SUFFIX, "libludus%s.%s" % (_SUFFIX, _MAJOR)]
    names += sorted(os.path.basename(p) for p in glob.glob(os.path.join(folder, "libludus" + _SUFFIX + ".*")))
    for name in names:
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            return path
    return None


def _load():
    tried = []
    for where, path in _candidates():
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            tried.append("%s (%s): %s" % (path, where, e))
            continue
        return lib, path
    raise ImportError(
        "ludus: cannot load the C library libludus. Tried:\n  " + "\n  ".join(tried) +
        "\nBuild it (cmake -S . -B build && cmake --build build) and either set "
        "LUDUS_LIBRARY=/path/to/build/libludus%s, or install the package with "
        "`pip install ./python`, which puts the library next to it." % _SUFFIX)


def _check_version(lib, path):
    have = lib.ludus_version().decode()
    if have.split(".")[:2] != __version__.split(".")[:2]:
        raise ImportError(
            "ludus: the library %s is version %s but this Python package is %s; "
            "rebuild the library from the same source, or point LUDUS_LIBRARY at a "
            "matching one" % (path, have, __version__))
    return have


def _declare(lib):
    for name, (argtypes, restype) in _SIGNATURES.items():
        fn = getattr(lib, name)
        fn.argtypes = argtypes
        fn.restype = restype


lib, path = _load()
if not hasattr(lib, "ludus_version"):
    raise ImportError("ludus: %s is not libludus (it has no ludus_version)" % path)
lib.ludus_version.argtypes, lib.ludus_version.restype = [], c_char_p
library_version = _check_version(lib, path)
try:
    _declare(lib)
except AttributeError as e:
    raise ImportError("ludus: %s lacks a function this package needs (%s); it is not a "
                      "libludus %s" % (path, e, __version__)) from None


def errmsg():
    msg = lib.ludus_errmsg()
    return msg.decode("utf-8", "replace") if msg else ""


def error(code):
    """The exception for a negative return code, with the library's message."""
    return errors.from_code(code, errmsg())


def check(code):
    """Raise the matching exception when a C call failed; return the code."""
    if code < 0:
        raise error(code)
    return code
