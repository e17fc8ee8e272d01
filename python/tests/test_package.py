"""test_package.py: how the package finds and checks libludus (the
environment variable, the copy next to the package, clear errors when it
cannot), that its version agrees with the library's and the build's, that
`pip` can build it offline, and that it works without Gymnasium."""
import os
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

import ludus
from conftest import PYTHON_DIR, REPO_DIR

LIBRARY = os.path.realpath(ludus.library_path)


def run_python(code, env_update, cwd):
    env = {k: v for k, v in os.environ.items() if k not in ("LUDUS_LIBRARY", "PYTHONPATH")}
    env.update(env_update)
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def copy_package(dest):
    shutil.copytree(os.path.join(PYTHON_DIR, "ludus"), os.path.join(dest, "ludus"),
                    ignore=shutil.ignore_patterns("__pycache__", "*.so*"))
    return dest


def test_versions_agree():
    assert ludus.library_version == ludus.__version__
    with open(os.path.join(REPO_DIR, "CMakeLists.txt")) as f:
        cmake = re.search(r"project\(ludus VERSION (\d+\.\d+\.\d+)", f.read()).group(1)
    with open(os.path.join(REPO_DIR, "include", "ludus", "ludus.h")) as f:
        header = re.search(r'#define LUDUS_VERSION "([^"]+)"', f.read()).group(1)
    assert cmake == header == ludus.__version__


def test_library_from_environment_variable(tmp_path):
    copy_package(tmp_path)
    for given in (LIBRARY, os.path.dirname(LIBRARY)):
        r = run_python("import ludus; print(ludus.library_path)", {"LUDUS_LIBRARY": given}, tmp_path)
        assert r.returncode == 0, r.stderr
        assert os.path.realpath(r.stdout.strip()).startswith(os.path.realpath(os.path.dirname(LIBRARY)))


def test_library_next_to_the_package(tmp_path):
    copy_package(tmp_path)
    shutil.copyfile(LIBRARY, tmp_path / "ludus" / "libludus.so")
    r = run_python("import ludus; print(ludus.library_path); "
                   "print(ludus.make('MiniGrid-Empty-5x5-v0').reset(seed=0)[0]['mission'])", {}, tmp_path)
    assert r.returncode == 0, r.stderr
    path, mission = r.stdout.split("\n")[:2]
    assert path == str(tmp_path / "ludus" / "libludus.so")
    assert mission == "get to the green goal square"


def test_missing_library_is_a_clear_import_error(tmp_path):
    copy_package(tmp_path)
    bogus = str(tmp_path / "nowhere" / "libludus.so")
    r = run_python("import ludus", {"LUDUS_LIBRARY": bogus}, tmp_path)
    assert r.returncode != 0
    assert "ImportError: ludus: cannot load the C library libludus" in r.stderr
    assert bogus in r.stderr and "LUDUS_LIBRARY" in r.stderr
    # Without the variable and without a bundled copy: the system path, then the same advice.
    r = run_python("import ludus", {"LD_LIBRARY_PATH": ""}, tmp_path)
    if r.returncode != 0:  # unless a libludus is installed system-wide
        assert "cannot load the C library libludus" in r.stderr and "(system)" in r.stderr


def test_version_mismatch_is_refused(tmp_path):
    copy_package(tmp_path)
    (tmp_path / "ludus" / "_version.py").write_text('__version__ = "9.9.0"\n')
    r = run_python("import ludus", {"LUDUS_LIBRARY": LIBRARY}, tmp_path)
    assert r.returncode != 0
    assert "is version %s but this Python package is 9.9.0" % ludus.library_version in r.stderr


def test_a_library_that_is_not_libludus(tmp_path):
    copy_package(tmp_path)
    libc = subprocess.run(["sh", "-c", "ldd /bin/sh | sed -n 's/.*libc.so.6 => \\([^ ]*\\).*/\\1/p'"],
                          capture_output=True, text=True).stdout.strip()
    if not libc:
        pytest.skip("no libc path from ldd")
    r = run_python("import ludus", {"LUDUS_LIBRARY": libc}, tmp_path)
    assert r.returncode != 0 and "ImportError" in r.stderr and "ludus" in r.stderr


def test_works_without_gymnasium(tmp_path):
    code = ("import ludus, ludus._spaces as own\n"
            "assert ludus._compat.gymnasium is None\n"
            "assert ludus.Env.__mro__[1] is object\n"
            "env = ludus.make('MiniGrid-DoorKey-5x5-v0')\n"
            "assert type(env.observation_space) is own.Dict and type(env.action_space) is own.Discrete\n"
            "obs, info = env.reset(seed=0)\n"
            "assert obs in env.observation_space\n"
            "assert env.step(2)[0] in env.observation_space\n"
            "vec = ludus.vector.make('MiniGrid-DoorKey-5x5-v0', 3)\n"
            "obs, _ = vec.reset(seed=0)\n"
            "assert obs in vec.observation_space and vec.action_space.sample().shape == (3,)\n"
            "print('ok')\n")
    r = run_python(code, {"LUDUS_NO_GYMNASIUM": "1", "LUDUS_LIBRARY": LIBRARY,
                          "PYTHONPATH": PYTHON_DIR}, tmp_path)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


def test_pip_builds_a_wheel_offline(tmp_path):
    pip = subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True)
    if pip.returncode != 0:
        pytest.skip("pip is not installed (Debian: python3-pip)")
    src = tmp_path / "src"
    shutil.copytree(PYTHON_DIR, src, ignore=shutil.ignore_patterns(
        "__pycache__", "*.so*", "build", "*.egg-info", "tests"))
    env = dict(os.environ, LUDUS_LIBRARY=LIBRARY, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                        "-w", str(tmp_path / "dist"), str(src)], env=env, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    wheels = list((tmp_path / "dist").glob("ludus-%s-*.whl" % ludus.__version__))
    assert len(wheels) == 1
    with zipfile.ZipFile(wheels[0]) as z:
        names = set(z.namelist())
        assert {"ludus/__init__.py", "ludus/libludus.so", "ludus/vector.py", "ludus/text.py"} <= names
        z.extractall(tmp_path / "site")
    r = run_python("import ludus; print(ludus.library_path)", {}, tmp_path / "site")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(tmp_path / "site" / "ludus" / "libludus.so")
