"""test_reference.py: ludus against the reference MiniGrid itself, when it
is installed (it is not in Debian 12; the recorded traces in test_traces.py
are the default check). Random episodes on seeds the traces do not cover,
through gymnasium.make on both sides."""
import numpy as np
import pytest

gymnasium = pytest.importorskip("gymnasium")
pytest.importorskip("minigrid")

import ludus  # noqa: E402

if ludus._compat.gymnasium is None:
    pytest.skip("ludus does not use this Gymnasium (%s)" % gymnasium.__version__, allow_module_level=True)

IDS = [eid for eid in ludus.ids() if eid in gymnasium.registry]


@pytest.mark.parametrize("eid", IDS)
def test_random_episodes_match_the_reference(eid):
    env = ludus.make(eid)
    rng = np.random.default_rng(0)
    for seed in (1000, 2**31 + 7, 2**64 - 1):
        # a fresh reference per seed: the reference's Synth levels carry a
        # stale locked room from one reset to the next (docs/python.md,
        # Seeding), while a ludus level is a pure function of its seed
        ref = gymnasium.make(eid).unwrapped
        a, _ = ref.reset(seed=seed)
        b, _ = env.reset(seed=seed)
        for t in range(120):
            assert np.array_equal(a["image"], b["image"]) and a["direction"] == b["direction"]
            assert a["mission"] == b["mission"], (eid, seed, t)
            action = int(rng.integers(ref.action_space.n))
            a, ra, ta, ua, _ = ref.step(action)
            b, rb, tb, ub, _ = env.step(action)
            assert (ra, ta, ua) == (rb, tb, ub), (eid, seed, t)
            if ta or ua:
                break
