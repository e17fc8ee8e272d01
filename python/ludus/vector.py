"""vector.py: many worlds of one id, stepped by the C library's worker
threads straight into numpy arrays this object lends it. Nothing is copied
per step: observations, rewards and flags are the same arrays every step,
overwritten in place (copy what you keep). Episodes reset in the same step;
the last observation of an ended episode is in info["final_obs"], also a
lent buffer. Follows Gymnasium's vector API (reset, step, num_envs,
single_observation_space, ...); with Gymnasium installed it is a
gymnasium.vector.VectorEnv.

Levels: each reset draws a level (a seed) per world from that world's own
sampler stream, uniformly from train_levels; reset(seed=s) restarts every
stream from s. Results never depend on the number of threads.
"""
import ctypes
import math
import threading

import numpy as np

from . import _guard, _lib, errors, spaces
from ._compat import gymnasium
from ._lib import lib
from .env import Env, ObsLayout, check_seed, entropy_seed, options_string

_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1
_UINT64_LIMIT = 2**64
MAX_ENVS = 1 << 24  # ludus_vec_create's limit, checked here before buffers are sized

_Base = gymnasium.vector.VectorEnv if gymnasium is not None else object
try:  # Gymnasium >= 1.1 names the autoreset modes
    from gymnasium.vector import AutoresetMode
    AUTORESET_MODE = AutoresetMode.SAME_STEP
except ImportError:
    AUTORESET_MODE = "SameStep"


def level_range(train_levels):
    """(level_start, level_count) for the C sampler from None (any uint64
    seed), an int n (levels 0..n-1) or a range with step 1."""
    if train_levels is None:
        return 0, 0
    if isinstance(train_levels, range):
        if train_levels.step != 1 or len(train_levels) == 0 or train_levels.start < 0 \
                or train_levels.stop > _UINT64_LIMIT:
            raise errors.InvalidArgumentError(
                "train_levels=%r: want a non-empty range of step 1 inside [0, 2**64)" % (train_levels,))
        return train_levels.start, len(train_levels) % _UINT64_LIMIT
    if isinstance(train_levels, (bool, np.bool_)) or not isinstance(train_levels, (int, np.integer)):
        raise TypeError("train_levels is None, an int or a range, got %s" % type(train_levels).__name__)
    n = int(train_levels)
    if not 0 < n < _UINT64_LIMIT:
        raise errors.InvalidArgumentError("train_levels=%d: want a count in [1, 2**64)" % n)
    return 0, n


class VectorEnv(_Base):
    """num_envs worlds of one id behind Gymnasium's vector API. Make it with
    ludus.vector.make(id, num_envs, threads=..., train_levels=...).

    One Python thread at a time (the library's own worker threads do the
    parallel work): a call while another thread's call is in flight raises
    StateError; close() waits for a call in flight."""

    def __init__(self, id, num_envs, threads=1, train_levels=None, **options):
        self._guard = threading.Lock()
        self._vecp = None
        self.closed = True
        if isinstance(num_envs, (bool, np.bool_)) or not isinstance(num_envs, (int, np.integer)):
            raise TypeError("num_envs is an int, got %s" % type(num_envs).__name__)
        if isinstance(threads, (bool, np.bool_)) or not isinstance(threads, (int, np.integer)):
            raise TypeError("threads is an int, got %s" % type(threads).__name__)
        if not _INT32_MIN <= threads <= _INT32_MAX:
            raise errors.InvalidArgumentError("num_threads must be in [1, 64], got %d" % threads)
        self._id = id
        self._options = dict(options)
        self._opts = options_string(options)
        self._threads = int(threads)
        self._level_start, self._level_count = level_range(train_levels)
        self.train_levels = train_levels
        self._sampler = None
        self._sampler_cb = None
        self._sampler_error = None
        self._needs_reset = None  # why the worlds must be reset before stepping

        # The spec, for sizes: made and freed here; the vec builds its own.
        probe = Env(id, **options)
        self.single_observation_space = probe.observation_space
        self.single_action_space = probe.action_space
        self.action_names = list(probe.action_names)
        self.world_info = dict(probe.world_info)
        layout = self._layout = ObsLayout(_info_of(probe))
        probe.close()

        n = int(num_envs)
        if not 1 <= n <= MAX_ENVS:
            raise errors.InvalidArgumentError("num_envs must be in [1, %d], got %d" % (MAX_ENVS, n))
        self.num_envs = n
        size = layout.obs_size
        self._obs_buf = np.zeros((n, size), dtype=np.uint8)
        self._final_buf = np.zeros((n, size), dtype=np.uint8)
        self._rewards = np.zeros(n, dtype=np.float64)
        self._term = np.zeros(n, dtype=np.uint8)
        self._trunc = np.zeros(n, dtype=np.uint8)
        self._final_mask = np.zeros(n, dtype=np.uint8)
        # actions (N,) for one-component worlds, (N, action_dims) otherwise
        self.action_dims = self.world_info["action_dims"]
        self.mask_size = self.world_info["mask_size"]
        self._actions = np.zeros(n if self.action_dims == 1 else (n, self.action_dims), dtype=np.int32)
        # the worlds' legal-action masks (N, mask_size), lent to the vec
        self._masks = np.zeros((n, max(1, self.mask_size)), dtype=np.uint8)
        self._actionsp = self._actions.ctypes.data
        # Flags are written as 0/1 bytes: a bool view reads them without a copy.
        self._terminations = self._term.view(np.bool_)
        self._truncations = self._trunc.view(np.bool_)
        self._final_mask_bool = self._final_mask.view(np.bool_)
        self._obs_views = layout.views(self._obs_buf)
        self._final_views = layout.views(self._final_buf)
        self._missions = ("",) * n

        self._create(entropy_seed())
        self.closed = False

        self.observation_space = spaces.batch_space(self.single_observation_space, n)
        self.action_space = spaces.batch_space(self.single_action_space, n)
        self.metadata = {"autoreset_mode": AUTORESET_MODE, "render_modes": []}
        self.render_mode = None
        self.spec = None
        self._np_random_seed_value = None
        self._rng = None

    # ---- Gymnasium vector API ----------------------------------------------

    @_guard.exclusive
    def reset(self, *, seed=None, options=None):
        """Reset every world with a level from its sampler: (obs, info).
        seed=s restarts the sampler streams from s (same s, same levels);
        None continues them."""
        self._check_open()
        if options:
            raise errors.InvalidArgumentError("reset(options=...) is not used by ludus worlds")
        if seed is not None:
            if isinstance(seed, (list, tuple, np.ndarray)):
                raise errors.InvalidArgumentError(
                    "ludus.vector takes one integer seed for its level sampler, not one per world")
            seed = check_seed(seed)
            self._destroy()
            self._create(seed)
            self._np_random_seed_value = seed
            self._rng = None
        self._call(lib.ludus_vec_reset(self._vecp))
        self._needs_reset = None
        if self._layout.has_mission:
            self._missions = tuple(self._mission(i) for i in range(self.num_envs))
        return self._observation(self._obs_views, self._missions), self._mask_info({})

    def _mask_info(self, info):
        if self.mask_size:
            info["action_mask"] = self._masks.copy()
        return info

    def action_masks(self):
        """The worlds' legal-action masks, (num_envs, mask_size) uint8 (a
        copy), each row the components' masks one after the other; None for
        a world without a mask."""
        self._check_open()
        return self._masks.copy() if self.mask_size else None

    @_guard.exclusive
    def step(self, actions):
        """Step every world: (obs, rewards, terminations, truncations, info).
        Worlds whose episode ended were reset in this step; their last
        observation is info["final_obs"] where info["_final_obs"] is True."""
        if self.closed or self._needs_reset:
            self._check_open()
            raise errors.StateError("reset the vector environment first: %s" % self._needs_reset,
                                    errors.LUDUS_ESTATE)
        self._load_actions(actions)
        self._call(lib.ludus_vec_step(self._vecp, self._actionsp))
        info = {}
        if self._final_mask.any():
            ended = self._missions
            if self._layout.has_mission:
                missions = list(ended)
                for i in np.flatnonzero(self._final_mask):
                    missions[i] = self._mission(int(i))
                self._missions = tuple(missions)
            info["final_obs"] = self._observation(self._final_views, ended)
            info["_final_obs"] = self._final_mask_bool
        self._mask_info(info)
        return (self._observation(self._obs_views, self._missions), self._rewards,
                self._terminations, self._truncations, info)

    def close(self, **kwargs):
        """Free the worlds and threads. The arrays already returned stay valid
        (numpy owns them). Safe to call twice. A call in flight on another
        thread is waited for; from the level sampler it raises StateError."""
        if self.closed:
            return
        _guard.acquire_for_close(self)
        try:
            if not self.closed:
                self.closed = True
                self._destroy()
        finally:
            self._guard.release()

    def render(self):
        raise errors.UnsupportedError("ludus.vector draws no frames; use vec.world(i).render() "
                                      "on a copy made with render_mode='rgb_array'",
                                      errors.LUDUS_EUNSUPPORTED)

    @property
    def unwrapped(self):
        return self

    @property
    def np_random_seed(self):
        """The seed of the last reset(seed=...), None if there was none."""
        return self._np_random_seed_value

    @property
    def np_random(self):
        if self._rng is None:
            seed = self._np_random_seed_value
            self._rng = np.random.Generator(np.random.PCG64(seed if seed is not None else entropy_seed()))
        return self._rng

    @np_random.setter
    def np_random(self, value):
        self._rng = value

    @property
    def _np_random(self):
        return self.np_random

    @_np_random.setter
    def _np_random(self, value):
        self._rng = value

    # ---- beyond Gymnasium ----------------------------------------------------

    @property
    def id(self):
        return self._id

    @property
    def threads(self):
        return self._threads

    @property
    @_guard.exclusive
    def levels(self):
        """The level (seed) of each world's current episode, (num_envs,) uint64:
        ludus.make(id).reset(seed=int(levels[i])) replays world i's episode."""
        self._check_open()
        return np.array([lib.ludus_vec_level(self._vecp, i) for i in range(self.num_envs)],
                        dtype=np.uint64)

    @_guard.exclusive
    def world(self, i, **kwargs):
        """An independent ludus.Env holding a copy of world i's current state
        (for inspection, rendering, text or planning). Keyword arguments go
        to ludus.make (render_mode=...)."""
        self._check_open()
        i = self._world_index(i)
        env = Env(self._id, **dict(self._options, **kwargs))
        ctypes.memmove(env._statep, lib.ludus_vec_state(self._vecp, i), env._state.nbytes)
        env._seeded = True
        env._np_random_seed_value = int(lib.ludus_vec_level(self._vecp, i))
        env._read_mission()
        return env

    @_guard.exclusive
    def set_level_sampler(self, fn):
        """Choose each episode's level yourself (a curriculum, e.g. Prioritized
        Level Replay): fn(world) returns the seed of world `world`'s next
        episode, an int in [0, 2**64). It is called from the library's worker
        threads (under the GIL). If it raises, the step or reset that called
        it re-raises the exception and the vector must be reset. None
        restores the uniform sampler over train_levels."""
        self._check_open()
        if fn is not None and not callable(fn):
            raise TypeError("the level sampler must be callable or None")
        self._sampler = fn
        self._install_sampler()

    @_guard.exclusive
    def stats(self):
        """Statistics of the episodes ended since the last clear_stats()."""
        self._check_open()
        s = _lib.EpisodeStats()
        lib.ludus_vec_stats(self._vecp, s)
        n = s.episodes
        mean = s.return_sum / n if n else math.nan
        var = max(s.return_sq_sum / n - mean * mean, 0.0) if n else math.nan
        return {"episodes": n, "successes": s.successes, "truncations": s.truncations,
                "steps": s.steps, "return_mean": mean, "return_std": math.sqrt(var),
                "success_rate": s.successes / n if n else math.nan,
                "length_mean": s.steps / n if n else math.nan}

    @_guard.exclusive
    def clear_stats(self):
        self._check_open()
        lib.ludus_vec_clear_stats(self._vecp)

    # ---- internals -----------------------------------------------------------

    def _create(self, seed):
        cfg = _lib.VecConfig(
            env_id=self._id.encode(), env_options=self._opts.encode(), num_envs=self.num_envs,
            num_threads=self._threads, level_start=self._level_start,
            level_count=self._level_count, seed=seed,
            obs=self._obs_buf.ctypes.data, rewards=self._rewards.ctypes.data,
            terminated=self._term.ctypes.data, truncated=self._trunc.ctypes.data,
            final_obs=self._final_buf.ctypes.data, final_mask=self._final_mask.ctypes.data,
            action_masks=self._masks.ctypes.data)
        handle = ctypes.c_void_p()
        _lib.check(lib.ludus_vec_create(cfg, handle))
        self._vecp = handle.value
        self._envp = lib.ludus_vec_env(self._vecp)
        if self._sampler is not None:
            self._install_sampler()

    def _destroy(self):
        vecp, self._vecp = self._vecp, None
        if vecp:
            lib.ludus_vec_destroy(vecp)

    def _install_sampler(self):
        if self._sampler is None:
            self._sampler_cb = None
            _lib.check(lib.ludus_vec_set_level_fn(self._vecp, _lib.LEVEL_FN(), None))
            return
        fn = self._sampler

        def level(user, world, rng):
            _guard._sampler.owner = self
            try:
                return check_seed(fn(world))
            except BaseException as e:  # never let an exception cross into C
                if self._sampler_error is None:
                    self._sampler_error = e
                return 0
            finally:
                _guard._sampler.owner = None

        self._sampler_cb = _lib.LEVEL_FN(level)
        _lib.check(lib.ludus_vec_set_level_fn(self._vecp, self._sampler_cb, None))

    def _call(self, rc):
        err, self._sampler_error = self._sampler_error, None
        if err is not None:
            self._needs_reset = "the level sampler raised %s" % type(err).__name__
            raise err
        if rc < 0:
            exc = _lib.error(rc)
            # A bad action steps nothing, and a vec never reset says so itself;
            # any other failure leaves worlds half-stepped.
            if rc not in (errors.LUDUS_EINVAL, errors.LUDUS_ESTATE):
                self._needs_reset = "the last call failed (%s)" % exc
            raise exc

    def _load_actions(self, actions):
        a = actions if isinstance(actions, np.ndarray) else np.asarray(actions)
        if a.shape != self._actions.shape:
            raise errors.InvalidArgumentError(
                "actions must have shape %s, got %s" % (self._actions.shape, a.shape))
        if a.dtype != np.int32:
            if not np.issubdtype(a.dtype, np.integer):
                raise TypeError("actions must be integers, got dtype %s" % a.dtype)
            if a.dtype.itemsize >= 4 and (a.min() < _INT32_MIN or a.max() > _INT32_MAX):
                bad = int(a.max()) if a.max() > _INT32_MAX else int(a.min())
                raise errors.InvalidArgumentError(
                    "action %d is out of range for '%s' (0..%d)"
                    % (bad, self._id, self.world_info["max_action"] - 1))
        self._actions[:] = a

    def _observation(self, views, missions):
        if self._layout.bare:
            return views[0][1]
        obs = {name: view for name, view, _ in views}
        if self._layout.has_mission:
            obs["mission"] = missions
        return obs

    def _mission(self, i):
        return lib.ludus_env_mission(self._envp, lib.ludus_vec_state(self._vecp, i)).decode()

    def _world_index(self, i):
        if isinstance(i, (bool, np.bool_)) or not isinstance(i, (int, np.integer)):
            raise TypeError("a world index is an int, got %s" % type(i).__name__)
        if not 0 <= i < self.num_envs:
            raise errors.InvalidArgumentError("world %d is out of range (0..%d)" % (i, self.num_envs - 1))
        return int(i)

    def _check_open(self):
        if self.closed:
            raise errors.StateError("the vector environment '%s' is closed" % getattr(self, "_id", "?"),
                                    errors.LUDUS_ESTATE)

    def __reduce__(self):
        raise TypeError("a ludus VectorEnv cannot be pickled (its worlds live in C threads); "
                        "pickle the arguments of ludus.vector.make instead")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self):
        return "<ludus.vector.VectorEnv %s num_envs=%d threads=%d%s>" % (
            getattr(self, "_id", "?"), getattr(self, "num_envs", 0), getattr(self, "_threads", 0),
            " closed" if getattr(self, "closed", True) else "")

    __str__ = __repr__


def _info_of(env):
    return lib.ludus_env_get_info(env._envp).contents


def make(id, num_envs, threads=1, train_levels=None, **options):
    """num_envs worlds of `id`, stepped by `threads` worker threads, with
    levels drawn from train_levels (None: any seed; n: levels 0..n-1; or a
    range). Other keyword arguments are world options, as for ludus.make."""
    return VectorEnv(id, num_envs, threads=threads, train_levels=train_levels, **options)
