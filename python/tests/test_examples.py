"""test_examples.py: examples/python/ppo_torch.py runs and learns a little.
Needs PyTorch and takes a while, so it runs only with LUDUS_LONG_TESTS=1."""
import os
import re
import subprocess
import sys

import pytest

from conftest import REPO_DIR

pytestmark = pytest.mark.skipif(os.environ.get("LUDUS_LONG_TESTS") != "1",
                                reason="long test: set LUDUS_LONG_TESTS=1")


def test_ppo_torch_example_solves_doorkey_5x5():
    pytest.importorskip("torch")
    script = os.path.join(REPO_DIR, "examples", "python", "ppo_torch.py")
    r = subprocess.run([sys.executable, script, "--total-steps", "81920", "--seed", "1"],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr
    returns = [float(x) for x in re.findall(r"return ([0-9.]+)", r.stdout)]
    assert returns and returns[-1] > 0.8, r.stdout
