"""test_abi.py: the ctypes mirror of the C structs (python/ludus/_lib.py)
against the library's own layout table (ludus_abi_layout, src/core/abi.c):
every mirror is listed there, with the same fields in the same order at
the same offsets and sizes, and the same sizeof. A struct added to a public
header and mirrored in Python is one row in src/core/abi.c and one class
with _c_name_ in _lib.py; forgetting either fails here.
"""
import ctypes

from ludus import _lib


def test_every_mirror_matches_the_c_layout():
    table = _lib.c_layout()
    mirrors = _lib.mirrors()
    names = {cls._c_name_ for cls in mirrors}
    # the structs the package reaches C through, at least
    assert {"ludus_env_info", "ludus_obs_field", "ludus_key_binding", "ludus_step_out",
            "ludus_render_opts", "ludus_episode_stats", "ludus_vec_config", "ludus_rng"} <= names
    problems = [d for cls in mirrors for d in _lib.layout_differences(cls, table)]
    assert problems == []


def test_the_comparison_finds_differences():
    table = _lib.c_layout()

    class Shifted(ctypes.Structure):
        _c_name_ = "ludus_render_opts"
        _fields_ = [("tile_size", ctypes.c_int), ("highlight", ctypes.c_int), ("agent_view", ctypes.c_int)]

    class Narrow(ctypes.Structure):
        _c_name_ = "ludus_step_out"
        _fields_ = [("reward", ctypes.c_float), ("terminated", ctypes.c_uint8), ("truncated", ctypes.c_uint8),
                    ("success", ctypes.c_uint8), ("reserved", ctypes.c_uint8), ("achievements", ctypes.c_uint32)]

    class Unknown(ctypes.Structure):
        _c_name_ = "ludus_no_such_struct"
        _fields_ = [("x", ctypes.c_int)]

    assert any("fields" in d for d in _lib.layout_differences(Shifted, table))
    narrow = _lib.layout_differences(Narrow, table)
    assert any("sizeof" in d for d in narrow) and any("step_out.reward" in d for d in narrow)
    assert "does not list" in _lib.layout_differences(Unknown, table)[0]


def test_the_table_is_the_compilers():
    # Rows the test can recompute from ctypes' own C rules for plain structs.
    table = _lib.c_layout()
    size, fields = table["ludus_abi_field"]
    assert size == ctypes.sizeof(_lib.AbiField) == 2 * ctypes.sizeof(ctypes.c_void_p) + 2 * ctypes.sizeof(ctypes.c_size_t)
    assert [f[0] for f in fields] == ["type", "field", "offset", "size"]
    assert table["ludus_rng"][0] == 40
