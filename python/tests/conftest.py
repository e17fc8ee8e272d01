"""conftest.py: run the tests against this checkout's package and library.
The package is imported from python/ (no install needed); the library from
$LUDUS_LIBRARY, which CTest sets to the one it built, or else from the
repository's build/ folder. Reference data: $LUDUS_SHARED_DIR or ../shared.
"""
import os
import sys

import pytest

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO_DIR = os.path.dirname(PYTHON_DIR)
sys.path.insert(0, PYTHON_DIR)
if not os.environ.get("LUDUS_LIBRARY"):
    built = os.path.join(REPO_DIR, "build", "libludus.so")
    if os.path.exists(built):
        os.environ["LUDUS_LIBRARY"] = built


def shared_dir():
    """The shared/ folder with the reference data; fails loudly when absent."""
    path = os.environ.get("LUDUS_SHARED_DIR") or os.path.join(os.path.dirname(REPO_DIR), "shared")
    if not os.path.isdir(os.path.join(path, "data")):
        pytest.fail("REFERENCE DATA MISSING: shared/ folder %r not found; set LUDUS_SHARED_DIR "
                    "to the folder holding spec/ and data/" % path)
    return path
