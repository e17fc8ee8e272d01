"""setup.py: `pip install ./python` installs the ludus package with libludus
copied next to it, so it loads with no environment variable. The library
comes from $LUDUS_LIBRARY if set, else the repository's build/ (run CMake
first), else a fresh CMake build. No pyproject.toml on purpose: pip then
builds with the setuptools already installed (Debian's python3-setuptools)
instead of fetching one, so installing works offline.
"""
import os
import shutil
import subprocess
import tempfile

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LIBRARY = "libludus.so"


def package_version():
    scope = {}
    with open(os.path.join(HERE, "ludus", "_version.py")) as f:
        exec(f.read(), scope)
    return scope["__version__"]


def find_or_build_library(scratch):
    given = os.environ.get("LUDUS_LIBRARY")
    if given:
        if os.path.isdir(given):
            given = os.path.join(given, LIBRARY)
        if not os.path.isfile(given):
            raise SystemExit("setup.py: LUDUS_LIBRARY=%s is not a file" % given)
        return given
    built = os.path.join(ROOT, "build", LIBRARY)
    if os.path.isfile(built):
        return built
    if not os.path.isfile(os.path.join(ROOT, "CMakeLists.txt")):
        raise SystemExit("setup.py: no libludus to bundle: set LUDUS_LIBRARY to a built "
                         "libludus.so, or install from a ludus checkout")
    jobs = str(os.cpu_count() or 1)
    subprocess.check_call(["cmake", "-S", ROOT, "-B", scratch, "-DCMAKE_BUILD_TYPE=Release",
                           "-DLUDUS_BUILD_TESTS=OFF"])
    subprocess.check_call(["cmake", "--build", scratch, "--target", "ludus_shared", "-j", jobs])
    return os.path.join(scratch, LIBRARY)


class build_with_library(build_py):
    """build_py, then copy the shared library into the built package."""

    def run(self):
        super().run()
        with tempfile.TemporaryDirectory() as scratch:
            source = os.path.realpath(find_or_build_library(scratch))
            target = os.path.join(self.build_lib, "ludus", LIBRARY)
            self.announce("bundling %s as %s" % (source, target), level=2)
            shutil.copyfile(source, target)


class BinaryDistribution(Distribution):
    """The wheel holds a compiled library: tag it for this platform."""

    def has_ext_modules(self):
        return True


setup(
    name="ludus",
    version=package_version(),
    description="Fast, reproducible worlds for agents that learn online and generalize "
                "(MiniGrid and BabyAI bit-exact), with the Gymnasium API",
    packages=["ludus"],
    python_requires=">=3.8",
    install_requires=["numpy"],
    cmdclass={"build_py": build_with_library},
    distclass=BinaryDistribution,
    zip_safe=False,
)
