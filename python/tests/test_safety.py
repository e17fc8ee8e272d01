"""test_safety.py: what the package does with misuse that used to crash.
States from outside (pickles, snapshot bytes) are checked by the library
before any call reads them; two threads on one environment get a
StateError instead of a segfault, and close() under a running call waits
for it instead of freeing memory the call uses. Real threads throughout.
"""
import pickle
import threading
import time

import numpy as np
import pytest

import ludus
from ludus import _guard

DOORKEY = "MiniGrid-DoorKey-8x8-v0"
BOSS = "BabyAI-BossLevel-v0"
CRAFTER = "Crafter-Reward-v1"


# ---- states from outside ---------------------------------------------------

def test_snapshot_restore_continues_identically():
    for id in (DOORKEY, BOSS, CRAFTER):
        env = ludus.make(id)
        env.reset(seed=4)
        for a in (2, 1, 2):
            env.step(a)
        snap = env.snapshot()
        assert isinstance(snap, bytes) and len(snap) == env.world_info["state_size"]
        ahead = [env.step(a)[1:4] for a in (2, 2, 0, 2)]
        env.restore(snap)
        assert [env.step(a)[1:4] for a in (2, 2, 0, 2)] == ahead
        twin = ludus.make(id)
        twin.restore(bytearray(snap))  # any bytes-like object
        assert twin.mission == env.mission
        # the restored stream continues: the next episode is the original's
        env.restore(snap)
        assert _same_obs(twin.reset()[0], env.reset()[0])
        env.close()
        twin.close()


def _same_obs(a, b):
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
    return np.array_equal(a, b)


def _damaged_pickle(env, edit):
    """A pickle of env whose state bytes went through edit(bytearray)."""
    fn, args = env.__reduce__()
    state = bytearray(args[3])
    edit(state)
    return pickle.dumps(_Rebuild(fn, args[:3] + (bytes(state),) + args[4:]))


class _Rebuild:
    def __init__(self, fn, args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return self.fn, self.args


def test_unpickling_a_damaged_state_raises_format_error():
    env = ludus.make(BOSS)
    env.reset(seed=11)
    good = env.snapshot()
    # the last bytes are cells: an object type past the tables
    data = _damaged_pickle(env, lambda s: s.__setitem__(slice(-2, None), b"\x0f\x0f"))
    with pytest.raises(ludus.FormatError) as e:
        pickle.loads(data)
    assert "cell" in str(e.value) and e.value.code == ludus.errors.LUDUS_EFORMAT
    # wrong size, another world's bytes, the header
    with pytest.raises(ludus.FormatError, match="bytes"):
        pickle.loads(_damaged_pickle(env, lambda s: s.__delitem__(-1)))
    with pytest.raises(ludus.FormatError, match="not a ludus world state"):
        pickle.loads(_damaged_pickle(env, lambda s: s.__setitem__(0, s[0] ^ 1)))
    # restore() refuses and leaves the Env as it was
    bad = bytearray(good)
    bad[-1] = 0xff
    env.step(2)
    before = env.snapshot()
    with pytest.raises(ludus.FormatError):
        env.restore(bytes(bad))
    assert env.snapshot() == before
    other = ludus.make(DOORKEY)
    with pytest.raises(ludus.FormatError):
        other.restore(good)
    with pytest.raises(TypeError):
        env.restore(12)
    env.close()
    other.close()


def test_random_damage_is_refused_or_harmless():
    rng = np.random.default_rng(0)
    for id in (DOORKEY, BOSS, CRAFTER):
        env = ludus.make(id)
        env.reset(seed=2)
        for _ in range(5):
            env.step(int(rng.integers(env.num_actions)))
        good = np.frombuffer(env.snapshot(), dtype=np.uint8)
        # Crafter's tail is the unused part of its object list
        span = len(good) if id != CRAFTER else 12000
        refused = accepted = 0
        for _ in range(150):
            bad = good.copy()
            for at in rng.integers(8, span, size=int(rng.integers(1, 4))):
                bad[at] = rng.integers(256)
            try:
                env.restore(bad.tobytes())
            except ludus.FormatError:
                refused += 1
                continue
            accepted += 1
            env.text()
            for _ in range(3):
                env.step(int(rng.integers(env.num_actions)))
        assert refused > 0 and accepted > 0
        env.close()


# ---- threads -----------------------------------------------------------------

def _race(fn, threads=4, until=None, seconds=0.2):
    """Run fn(stop) in `threads` threads until until() holds (polled; at
    most a minute, as a guard against a hang) or, without until, for
    `seconds`; return the exceptions the threads raised."""
    stop = threading.Event()
    errors = []

    def run():
        try:
            fn(stop)
        except BaseException as e:  # collected for the test to judge
            errors.append(e)

    ts = [threading.Thread(target=run) for _ in range(threads)]
    for t in ts:
        t.start()
    if until is None:
        time.sleep(seconds)
    else:
        deadline = time.monotonic() + 60
        while not until() and not errors and time.monotonic() < deadline:
            time.sleep(0.01)
    stop.set()
    for t in ts:
        t.join()
    return errors


def test_two_threads_stepping_one_vector_env_raise_instead_of_crashing():
    vec = ludus.vector.make(CRAFTER, 8, threads=2)
    vec.reset(seed=1)
    actions = np.zeros(8, dtype=np.int32)
    busy = []

    def work(stop):
        while not stop.is_set():
            try:
                vec.step(actions)
                vec.stats()
            except ludus.StateError as e:
                assert "busy" in str(e)
                busy.append(e)

    assert _race(work, until=lambda: len(busy) >= 3) == []
    assert busy, "the threads never met"
    assert isinstance(busy[0], RuntimeError)
    vec.step(actions)  # the vector is intact after the contention
    vec.close()


def test_two_threads_stepping_one_env_raise_instead_of_crashing():
    env = ludus.make(CRAFTER)
    env.reset(seed=1)
    busy = []

    def work(stop):
        while not stop.is_set():
            try:
                obs, r, term, trunc, _ = env.step(5)
                if term or trunc:
                    env.reset()
                env.text()
            except ludus.StateError as e:
                busy.append(e)

    assert _race(work, until=lambda: len(busy) >= 3) == []
    assert busy
    env.step(0)
    env.close()


def test_close_during_a_step_waits_then_later_calls_raise():
    vec = ludus.vector.make(CRAFTER, 64, threads=2)
    vec.reset(seed=3)
    actions = np.zeros(64, dtype=np.int32)
    started, outcome = threading.Event(), []

    def stepper():
        started.set()
        try:
            while True:
                vec.step(actions)
        except ludus.StateError as e:
            outcome.append(e)
        except BaseException as e:  # anything else is a failure
            outcome.append(e)

    t = threading.Thread(target=stepper)
    t.start()
    started.wait()
    time.sleep(0.05)
    vec.close()  # waits for the step in flight, then frees
    t.join()
    assert len(outcome) == 1 and isinstance(outcome[0], ludus.StateError)
    assert "closed" in str(outcome[0]) or "busy" in str(outcome[0])
    with pytest.raises(ludus.StateError, match="closed"):
        vec.step(actions)
    vec.close()  # twice is harmless

    env = ludus.make(CRAFTER)
    env.reset(seed=1)
    done = []

    def env_stepper():
        try:
            while True:
                env.step(0)
        except ludus.StateError as e:
            done.append(e)

    t = threading.Thread(target=env_stepper)
    t.start()
    time.sleep(0.05)
    env.close()
    t.join()
    assert len(done) == 1


def test_a_call_in_flight_makes_others_raise_and_close_wait():
    # A level sampler that blocks holds a reset in flight for as long as the
    # test wants: no timing decides what happens.
    vec = ludus.vector.make(DOORKEY, 2)
    entered, release = threading.Event(), threading.Event()

    def sampler(world):
        entered.set()
        release.wait()
        return world

    vec.set_level_sampler(sampler)
    resetter = threading.Thread(target=lambda: vec.reset(seed=0))
    resetter.start()
    entered.wait()
    for call in (lambda: vec.step(np.zeros(2, dtype=np.int32)), vec.stats, lambda: vec.levels,
                 lambda: vec.reset(seed=1)):
        with pytest.raises(ludus.StateError, match="busy"):
            call()
    closed = threading.Event()

    def closer():
        vec.close()
        closed.set()

    t = threading.Thread(target=closer)
    t.start()
    assert not closed.wait(0.1)  # close() waits for the reset in flight
    release.set()
    resetter.join()
    t.join()
    assert closed.is_set() and vec.closed
    with pytest.raises(ludus.StateError, match="closed"):
        vec.stats()


def test_a_level_sampler_may_not_call_back_into_its_vector_env():
    vec = ludus.vector.make(DOORKEY, 4, threads=2)

    def sampler(world):
        vec.stats()  # re-enters the vector from inside its own reset
        return world

    vec.set_level_sampler(sampler)
    with pytest.raises(ludus.StateError, match="busy"):
        vec.reset(seed=0)

    def closer(world):
        vec.close()
        return world

    vec.set_level_sampler(closer)
    with pytest.raises(ludus.StateError, match="own level sampler"):
        vec.reset(seed=0)
    vec.set_level_sampler(None)
    vec.reset(seed=0)
    vec.close()
    assert getattr(_guard._sampler, "owner", None) is None


def test_one_env_per_thread_runs_in_parallel_without_errors():
    def work(stop):
        env = ludus.make(DOORKEY)
        env.reset(seed=0)
        while not stop.is_set():
            _, _, term, trunc, _ = env.step(2)
            if term or trunc:
                env.reset()
        env.close()

    assert _race(work, seconds=0.2) == []
