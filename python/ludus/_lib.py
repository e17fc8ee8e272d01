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


# Every ctypes mirror of a C struct names its C type in _c_name_; at import
# each is compared with the library's own layout (ludus_abi_layout), and
# python/tests/test_abi.py requires every mirror to be in that table.

class AbiField(ctypes.Structure):
    _c_name_ = "ludus_abi_field"
    _fields_ = [("type", c_char_p), ("field", c_char_p), ("offset", c_size_t), ("size", c_size_t)]


class Rng(ctypes.Structure):
    _c_name_ = "ludus_rng"
    _fields_ = [("state_hi", c_uint64), ("state_lo", c_uint64), ("inc_hi", c_uint64),
                ("inc_lo", c_uint64), ("buf32", c_uint32), ("has32", c_uint32)]


class ObsField(ctypes.Structure):
    _c_name_ = "ludus_obs_field"
    _fields_ = [("name", c_char_p), ("offset", c_size_t), ("ndim", c_int),
                ("shape", c_int * 3), ("low", c_uint8), ("high", c_uint8),
                ("space_low", c_uint8), ("space_high", c_uint8), ("kind", c_int)]


class KeyBinding(ctypes.Structure):
    _c_name_ = "ludus_key_binding"
    _fields_ = [("key", c_int), ("action", c_int), ("label", c_char_p)]


class EnvInfo(ctypes.Structure):
    _c_name_ = "ludus_env_info"
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
                ("action_nvec", c_int * MAX_ACTION_DIMS), ("mask_size", c_int),
                ("easy_options", c_char_p)]


class StepOut(ctypes.Structure):
    _c_name_ = "ludus_step_out"
    _fields_ = [("reward", c_double), ("terminated", c_uint8), ("truncated", c_uint8),
                ("success", c_uint8), ("reserved", c_uint8), ("achievements", c_uint32)]


class RenderOpts(ctypes.Structure):
    _c_name_ = "ludus_render_opts"
    _fields_ = [("tile_size", c_int), ("agent_view", c_int), ("highlight", c_int)]


class EpisodeStats(ctypes.Structure):
    _c_name_ = "ludus_episode_stats"
    _fields_ = [("episodes", c_uint64), ("successes", c_uint64), ("steps", c_uint64),
                ("return_sum", c_double), ("return_sq_sum", c_double),
                ("truncations", c_uint64)]


class VecConfig(ctypes.Structure):
    _c_name_ = "ludus_vec_config"
    _fields_ = [("env_id", c_char_p), ("env_options", c_char_p), ("num_envs", c_int),
                ("num_threads", c_int), ("level_start", c_uint64), ("level_count", c_uint64),
                ("seed", c_uint64), ("obs", c_void_p), ("rewards", c_void_p),
                ("terminated", c_void_p), ("truncated", c_void_p), ("final_obs", c_void_p),
                ("final_mask", c_void_p), ("action_masks", c_void_p),
                ("world_offset", c_int)]


# uint64_t (*)(void *user, int world, ludus_rng *rng)
LEVEL_FN = ctypes.CFUNCTYPE(c_uint64, c_void_p, c_int, c_void_p)


class RunProgress(ctypes.Structure):
    _c_name_ = "ludus_run_progress"
    _fields_ = [("update", c_int), ("steps", c_uint64), ("total_steps", c_uint64),
                ("wall_s", c_double), ("steps_per_s", c_double), ("seconds_left", c_double),
                ("ret", c_double), ("checkpointed", c_int)]


# void (*)(const ludus_run_progress *p, void *user)
RUN_PROGRESS_FN = ctypes.CFUNCTYPE(None, ctypes.POINTER(RunProgress), c_void_p)
# ---- agents and evaluation (ludus/agent.h, ludus/learn.h) ----
MAX_ACHIEVEMENTS = 32     # LUDUS_PPO_MAX_ACHIEVEMENTS
EVAL_NAME_CAP = 64        # LUDUS_EVAL_NAME_CAP
AGENT_TEXT, AGENT_TEXT_BALROG = 1, 2


class AgentInput(ctypes.Structure):
    _c_name_ = "ludus_agent_input"
    _fields_ = [("n", c_int), ("greedy", c_int), ("obs_size", c_size_t), ("obs", c_void_p),
                ("missions", ctypes.POINTER(c_char_p)), ("texts", ctypes.POINTER(c_char_p)),
                ("starts", c_void_p), ("rngs", c_void_p), ("action_dims", c_int),
                ("action_sizes", ctypes.POINTER(c_int)), ("action_mask", c_void_p)]


# int (*)(void *user, const ludus_agent_input *in, int32_t *actions)
AGENT_ACT_FN = ctypes.CFUNCTYPE(c_int, c_void_p, ctypes.POINTER(AgentInput), c_void_p)


class Estimate(ctypes.Structure):
    _c_name_ = "ludus_estimate"
    _fields_ = [("mean", c_double), ("lo", c_double), ("hi", c_double)]


class EvalResult(ctypes.Structure):
    _c_name_ = "ludus_eval_result"
    _fields_ = [("episodes", c_int), ("ret", Estimate), ("success", Estimate), ("length", Estimate),
                ("num_achievements", c_int), ("achievements", Estimate * MAX_ACHIEVEMENTS),
                ("score", Estimate), ("progress", c_double), ("progress_se", c_double)]


class EvalSplit(ctypes.Structure):
    _c_name_ = "ludus_eval_split"
    _fields_ = [("level_start", c_uint64), ("level_count", c_uint64), ("result", EvalResult)]


class EvalReport(ctypes.Structure):
    _c_name_ = "ludus_eval_report"
    _fields_ = [("agent", ctypes.c_char * EVAL_NAME_CAP), ("checkpoint", ctypes.c_char * 4096),
                ("env_id", ctypes.c_char * 96), ("env_options", ctypes.c_char * 256),
                ("episodes", c_int), ("greedy", c_int), ("seed", c_uint64), ("train_levels", c_uint64),
                ("heldout_level_start", c_uint64), ("train", EvalSplit), ("heldout", EvalSplit),
                ("achievement_names", (ctypes.c_char * EVAL_NAME_CAP) * MAX_ACHIEVEMENTS)]


class EvalReportConfig(ctypes.Structure):
    _c_name_ = "ludus_eval_report_config"
    _fields_ = [("env_id", c_char_p), ("env_options", c_char_p), ("train_levels", c_uint64),
                ("episodes", c_int), ("greedy", c_int), ("seed", c_uint64)]


class CollectConfig(ctypes.Structure):
    _c_name_ = "ludus_collect_config"
    _fields_ = [("env_id", c_char_p), ("env_options", c_char_p), ("dataset_id", c_char_p), ("heldout", c_int),
                ("train_levels", c_uint64), ("episodes", c_int), ("greedy", c_int), ("seed", c_uint64),
                ("jpeg_quality", c_int)]



def mirrors():
    """Every ctypes mirror of a C struct defined in this module."""
    return [v for v in globals().values()
            if isinstance(v, type) and issubclass(v, ctypes.Structure) and hasattr(v, "_c_name_")]

_SIGNATURES = {
    "ludus_version": ([], c_char_p),
    "ludus_abi_layout": ([], ctypes.POINTER(AbiField)),
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
    "ludus_env_state_check": ([c_void_p, c_void_p], c_int),
    "ludus_env_state_load": ([c_void_p, c_void_p, c_void_p, c_size_t], c_int),
    "ludus_env_level_size": ([c_void_p], c_size_t),
    "ludus_env_level_of": ([c_void_p, c_void_p, c_void_p, c_size_t], c_int),
    "ludus_env_reset_level": ([c_void_p, c_void_p, c_void_p, c_size_t, c_void_p], c_int),
    "ludus_env_level_mutate": ([c_void_p, c_void_p, c_size_t, c_int, ctypes.POINTER(Rng)], c_int),
    "ludus_rng_seed": ([ctypes.POINTER(Rng), c_uint64], None),
    "ludus_free": ([c_void_p], None),
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
    "ludus_run_setup_create": ([c_char_p, c_char_p, c_char_p, ctypes.POINTER(c_void_p)], c_int),
    "ludus_run_setup_set": ([c_void_p, c_char_p, c_char_p], c_int),
    "ludus_run_setup_destroy": ([c_void_p], None),
    "ludus_run_start": ([c_char_p, c_void_p, c_int, ctypes.POINTER(c_void_p)], c_int),
    "ludus_run_resume": ([c_char_p, c_char_p, ctypes.POINTER(c_void_p)], c_int),
    "ludus_run_train": ([c_void_p, c_int, RUN_PROGRESS_FN, c_void_p], c_int),
    "ludus_run_stop": ([c_void_p], None),
    "ludus_run_stopped": ([c_void_p], c_int),
    "ludus_run_update": ([c_void_p], c_int),
    "ludus_run_steps": ([c_void_p], c_uint64),
    "ludus_run_dir": ([c_void_p], c_char_p),
    "ludus_run_evaluate": ([c_void_p, c_char_p, c_void_p], c_int),
    "ludus_run_destroy": ([c_void_p], None),
    "ludus_agent_fail": ([c_int, c_char_p], c_int),
    "ludus_agent_random": ([ctypes.POINTER(c_void_p)], c_int),
    "ludus_agent_load": ([c_char_p, c_char_p, c_int, ctypes.POINTER(c_void_p)], c_int),
    "ludus_agent_callback": ([c_char_p, c_uint32, AGENT_ACT_FN, c_void_p, ctypes.POINTER(c_void_p)], c_int),
    "ludus_agent_destroy": ([c_void_p], None),
    "ludus_agent_bind": ([c_void_p, c_void_p, c_int], c_int),
    "ludus_agent_act": ([c_void_p, ctypes.POINTER(AgentInput), c_void_p], c_int),
    "ludus_agent_name": ([c_void_p], c_char_p),
    "ludus_agent_env_id": ([c_void_p], c_char_p),
    "ludus_agent_env_options": ([c_void_p], c_char_p),
    "ludus_agent_checkpoint": ([c_void_p], c_char_p),
    "ludus_eval_report_run": ([c_void_p, ctypes.POINTER(EvalReportConfig), ctypes.POINTER(EvalReport)], c_int),
    "ludus_eval_report_json": ([ctypes.POINTER(EvalReport), c_void_p, c_size_t], c_int),
    "ludus_dataset_collect": ([c_void_p, ctypes.POINTER(CollectConfig), c_char_p, c_void_p, c_size_t], c_int),
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


def c_layout():
    """The library's struct layouts: {type: (sizeof, [(field, offset, size), ...])}."""
    table, rows, i = {}, lib.ludus_abi_layout(), 0
    while rows[i].type is not None:
        row = rows[i]
        name = row.type.decode()
        if row.field is None:
            table[name] = (row.size, [])
        else:
            table[name][1].append((row.field.decode(), row.offset, row.size))
        i += 1
    return table


def layout_differences(cls, table, strict=True):
    """How the ctypes mirror cls differs from the C struct it mirrors (an
    empty list when they agree): its sizeof, and the offset and size of
    each field both list; strict, also the list of field names itself (a
    field the table does not list yet is a test failure, not an ABI
    break, so the import is not strict)."""
    name = cls._c_name_
    if name not in table:
        return ["%s: the library does not list struct %s (src/core/abi.c)" % (cls.__name__, name)]
    size, fields = table[name]
    ours = [(f[0], getattr(cls, f[0]).offset, getattr(cls, f[0]).size) for f in cls._fields_]
    out = []
    if ctypes.sizeof(cls) != size:
        out.append("%s: sizeof %d in Python, %d in C" % (name, ctypes.sizeof(cls), size))
    if strict and [f[0] for f in ours] != [f[0] for f in fields]:
        out.append("%s: fields %s in Python, %s in C" % (name, [f[0] for f in ours], [f[0] for f in fields]))
    c_by_name = {f[0]: f for f in fields}
    for py in ours:
        c = c_by_name.get(py[0])
        if c is not None and py[1:] != c[1:]:
            out.append("%s.%s: offset %d size %d in Python, offset %d size %d in C"
                       % (name, py[0], py[1], py[2], c[1], c[2]))
    return out


def _check_layouts():
    table = c_layout()
    bad = [d for cls in mirrors() if cls._c_name_ in table
           for d in layout_differences(cls, table, strict=False)]
    if bad:
        raise ImportError("ludus: this package's mirror of the C structs does not match %s:\n  %s"
                          % (path, "\n  ".join(bad)))


_check_layouts()


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
