"""_guard.py: one C call at a time per object. An Env or VectorEnv hands
the library raw addresses (its spec, states, buffers, the vec's threads);
two Python threads inside C on one object corrupt it, and close() under a
running call frees memory the call still uses. ctypes releases the GIL, so
nothing else serializes them: every method that calls C takes the object's
lock without waiting, and a second, concurrent call raises StateError (a
RuntimeError) at once instead of crashing. close() waits for the call in
flight, then frees; later calls raise StateError.
"""
import functools
import threading

from . import errors

# Set while a VectorEnv's level sampler runs (on the library's worker
# threads, inside the step that holds the lock): close() from there cannot
# wait for that step, so it raises instead.
_sampler = threading.local()


def busy(obj):
    """The exception for a call on obj while another is in flight."""
    return errors.StateError(
        "%r is busy in another call: a ludus environment is used by one thread at a time "
        "(give each thread its own, or hold a lock around the calls; a level sampler may "
        "not call back into its vector environment)" % (obj,), errors.LUDUS_ESTATE)


def exclusive(method):
    """Run method holding self._guard; raise busy() when it is taken."""
    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        lock = self._guard
        if not lock.acquire(False):
            raise busy(self)
        try:
            return method(self, *args, **kwargs)
        finally:
            lock.release()
    return guarded


def acquire_for_close(obj):
    """Take obj._guard for close(): wait for a call in flight on another
    thread; raise if the call in flight is this thread's own (a level
    sampler closing its vector environment), which would never end."""
    lock = obj._guard
    if lock.acquire(False):
        return
    if getattr(_sampler, "owner", None) is obj:
        raise errors.StateError("%r cannot be closed from its own level sampler" % (obj,),
                                errors.LUDUS_ESTATE)
    lock.acquire()
