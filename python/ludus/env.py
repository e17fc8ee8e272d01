"""env.py: one ludus world behind the Gymnasium API. The Python object owns
the world's flat state (a numpy block whose address C receives) and an
observation buffer C writes into; reset and step are one C call each, and
the observation handed back is a fresh copy (the reference MiniGrid returns
new arrays too, so agents may keep them). Seeding follows Gymnasium: the
first reset() without a seed draws one from the OS, later ones continue the
world's random stream, reset(seed=s) restarts it.
"""
import ctypes
import operator
import os
import threading
import warnings

import numpy as np

from . import _guard, _lib, errors, spaces
from ._compat import gymnasium
from ._lib import lib

_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1
_UINT64_LIMIT = 2**64
_STATE_ALIGN = 64
RENDER_FPS = 10  # MiniGrid's metadata["render_fps"]
# Families whose reference declares every array as Box(0, 255) although the
# values span less (MiniGrid's image holds 0..10): their spaces say the same.


def ids():
    """Every registered world id, in the library's stable order."""
    return [lib.ludus_env_id(i).decode() for i in range(lib.ludus_env_count())]


def describe(id):
    """The one-line description of a world id; NotFoundError if unknown."""
    text = lib.ludus_env_describe(_id_bytes(id))
    if text is None:
        _make_spec(id, "")  # raises NotFoundError with the library's suggestions
    return text.decode()


def _id_bytes(id):
    if not isinstance(id, str):
        raise TypeError("a world id is a str, got %s" % type(id).__name__)
    return id.encode()


def options_string(options):
    """Keyword arguments as the C options string "key=value,key=value".
    None values are left out (the world's default applies)."""
    parts = []
    for key, value in options.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = int(value)
        text = str(value)
        if not isinstance(value, (int, str, np.integer)) or any(c in text for c in ",= "):
            raise errors.InvalidArgumentError(
                "option %s=%r: a world option is an integer or a word without ',', '=' or spaces"
                % (key, value))
        parts.append("%s=%s" % (key, text))
    return ",".join(parts)


def _make_spec(id, opts):
    """ludus_env_make: the C spec handle (an int address) for id and options."""
    handle = _lib.c_void_p()
    _lib.check(lib.ludus_env_make(_id_bytes(id), opts.encode(), handle))
    return handle.value


def check_seed(seed):
    """A seed as the uint64 ludus takes: ValueError outside [0, 2**64)."""
    if isinstance(seed, (bool, np.bool_)):
        raise TypeError("a seed is an integer, got bool")
    try:
        seed = operator.index(seed)
    except TypeError:
        raise TypeError("a seed is an integer, got %s" % type(seed).__name__) from None
    if not 0 <= seed < _UINT64_LIMIT:
        raise errors.InvalidArgumentError(
            "seed %d is out of range: ludus seeds are integers in [0, 2**64)" % seed)
    return seed


def entropy_seed():
    """A fresh 64-bit seed from the operating system (Gymnasium seeds from OS
    entropy when reset() is first called without a seed)."""
    return int.from_bytes(os.urandom(8), "little")


def as_action(action, env_id, max_action):
    """An action as a C int; TypeError for non-integers, ValueError outside int32."""
    if isinstance(action, (bool, np.bool_)):
        raise TypeError("an action is an integer, got bool")
    try:
        a = operator.index(action)
    except TypeError:
        raise TypeError("an action is an integer, got %s" % type(action).__name__) from None
    if not _INT32_MIN <= a <= _INT32_MAX:
        raise errors.InvalidArgumentError(
            "action %d is out of range for '%s' (0..%d)" % (a, env_id, max_action - 1))
    return a


def aligned_zeros(nbytes, align=_STATE_ALIGN):
    """A zeroed uint8 array of nbytes whose data address is a multiple of align."""
    raw = np.zeros(nbytes + align, dtype=np.uint8)
    skip = (-raw.ctypes.data) % align
    return raw[skip:skip + nbytes]


class ObsLayout:
    """How the flat uint8 observation maps to the reference's structure:
    each C obs field is a Box array (or, when it holds one value, a Discrete
    int, as MiniGrid's `direction`), plus the mission string when the world
    has one. A world with a single array and no mission observes the bare
    array (as Crafter does)."""

    def __init__(self, info):
        self.obs_size = info.obs_size
        self.fields = []
        for k in range(info.num_obs_fields):
            f = info.obs_fields[k]
            shape = tuple(f.shape[d] for d in range(f.ndim))
            scalar = shape == (1,)
            self.fields.append((f.name.decode(), f.offset, shape, scalar, f.low, f.high,
                                f.space_low, f.space_high))
        self.has_mission = info.mission_capacity > 1
        self.mission_max = max(int(info.mission_capacity) - 1, 0)
        self.bare = len(self.fields) == 1 and not self.fields[0][3] and not self.has_mission

    def space(self):
        subs = {}
        for name, _, shape, scalar, _, _, space_low, space_high in self.fields:
            if scalar:
                subs[name] = spaces.Discrete(int(space_high) - int(space_low) + 1, start=int(space_low))
            else:
                subs[name] = spaces.Box(int(space_low), int(space_high), shape, np.uint8)
        if self.bare:
            return next(iter(subs.values()))
        if self.has_mission:
            subs["mission"] = spaces.Text(self.mission_max, min_length=0, charset=spaces.MISSION_CHARSET)
        return spaces.Dict(subs)

    def views(self, buf):
        """(name, view, scalar) over a (..., obs_size) uint8 buffer; the views
        alias the buffer."""
        lead = buf.shape[:-1]
        out = []
        for name, off, shape, scalar, *_ in self.fields:
            size = int(np.prod(shape))
            view = buf[..., off] if scalar else buf[..., off:off + size].reshape(lead + shape)
            out.append((name, view, scalar))
        return out


class EnvSpec:
    """The spec of a ludus environment (used when Gymnasium is absent; with
    Gymnasium, env.spec is a gymnasium EnvSpec): its id and the keyword
    arguments it was made with; make() builds another like it."""

    def __init__(self, id, kwargs):
        self.id = id
        self.entry_point = make
        self.kwargs = dict(kwargs)
        self.nondeterministic = False
        self.max_episode_steps = None
        self.reward_threshold = None
        self.order_enforce = False
        self.disable_env_checker = True
        self.additional_wrappers = ()
        self.vector_entry_point = None

    def make(self, **kwargs):
        merged = dict(self.kwargs)
        merged.update(kwargs)
        return make(**merged)

    def __repr__(self):
        return "EnvSpec(id=%r, kwargs=%r)" % (self.id, self.kwargs)


def _spec_for(id, kwargs):
    if gymnasium is not None:
        from gymnasium.envs.registration import EnvSpec as GymSpec
        return GymSpec(id=id, entry_point=make, kwargs=dict(kwargs, id=id))
    return EnvSpec(id, dict(kwargs, id=id))


_Base = gymnasium.Env if gymnasium is not None else object


class Env(_Base):
    """A ludus world with the Gymnasium API. Make it with ludus.make(id, ...).

    One thread at a time: a call while another thread's call on the same Env
    is in flight raises StateError (use one Env per thread, or ludus.vector
    for many); close() waits for a call in flight."""

    def __init__(self, id, render_mode=None, tile_size=32, highlight=True, agent_pov=False, **options):
        self._guard = threading.Lock()
        self._envp = None
        self._closed = True
        opts = options_string(options)
        self._envp = _make_spec(id, opts)
        self._closed = False
        self._id = id
        self._options = dict(options)
        info = lib.ludus_env_get_info(self._envp).contents
        self.num_actions = info.num_actions
        self._max_action = info.max_action
        self.action_names = [info.action_names[i].decode() for i in range(info.num_actions)]
        # The action space: action_dims components (1 for Discrete worlds),
        # and the bytes of the legal-action mask (0: the world has none).
        self.action_dims = info.action_dims
        self.action_nvec = tuple(info.action_nvec[k] for k in range(info.action_dims))
        self.mask_size = info.mask_size
        self._act = np.zeros(max(1, info.action_dims), dtype=np.int32)
        self._actp = self._act.ctypes.data
        self._mask = np.zeros(max(1, info.mask_size), dtype=np.uint8)
        self.invalid_actions = 0  # replies parse_action refused, in this episode
        self.world_info = {
            "id": info.id.decode(), "family": info.family.decode(),
            "description": info.description.decode(), "width": info.width, "height": info.height,
            "obs_size": info.obs_size, "state_size": info.state_size,
            "max_action": info.max_action, "options": opts,
            "action_dims": info.action_dims, "action_nvec": self.action_nvec,
            "mask_size": info.mask_size,
        }
        self._layout = ObsLayout(info)
        self._state = aligned_zeros(info.state_size)
        self._statep = self._state.ctypes.data
        self._obs = aligned_zeros(info.obs_size, 16)
        self._obsp = self._obs.ctypes.data
        self._views = self._layout.views(self._obs)
        self._out = _lib.StepOut()
        self._outp = _lib.ctypes.addressof(self._out)
        self._text_buf = None
        self._text_cap = info.text_capacity
        self._seeded = False
        self._mission = ""
        self._np_random_seed_value = None
        self._rng = None

        if isinstance(tile_size, bool) or not isinstance(tile_size, (int, np.integer)):
            raise TypeError("tile_size is an int, got %s" % type(tile_size).__name__)
        if not 0 <= tile_size <= _INT32_MAX:
            raise errors.InvalidArgumentError("tile size %d is out of range" % tile_size)
        self._render_opts = _lib.RenderOpts(int(tile_size), int(bool(agent_pov)), int(bool(highlight)))
        self.metadata = {"render_modes": ["rgb_array"] if self._frame_size(False) else [],
                         "render_fps": RENDER_FPS}
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            if render_mode == "rgb_array":
                self._frame_size(True)  # raises UnsupportedError with the library's message
            raise errors.InvalidArgumentError(
                "render_mode %r is not supported; ludus draws frames as 'rgb_array'" % (render_mode,))
        self.render_mode = render_mode
        if render_mode is not None:
            self._frame_size(True)  # a bad tile size fails here, not at the first render()

        # What make() was given, so spec.make() builds the same environment.
        kwargs = dict(options)
        for key, value, default in (("render_mode", render_mode, None), ("tile_size", tile_size, 32),
                                    ("highlight", highlight, True), ("agent_pov", agent_pov, False)):
            if value != default:
                kwargs[key] = value
        self.spec = _spec_for(id, kwargs)
        self.observation_space = self._layout.space()
        self.action_space = spaces.Discrete(info.num_actions) if info.action_dims == 1 \
            else spaces.MultiDiscrete(self.action_nvec)

    # ---- Gymnasium API ---------------------------------------------------

    @_guard.exclusive
    def reset(self, *, seed=None, options=None):
        """Start an episode: (obs, info). seed=None continues the world's
        random stream (the first time, draws a seed from the OS)."""
        self._check_open()
        if options:
            raise errors.InvalidArgumentError(
                "reset(options=...) is not used by ludus worlds; give world options to "
                "ludus.make (%s)" % ", ".join(sorted(map(str, options))))
        if seed is None and self._seeded:
            _lib.check(lib.ludus_env_reset_continue(self._envp, self._statep, self._obsp))
        else:
            if seed is None:
                # np_random may have been drawn before the first reset, as
                # Gymnasium allows; the first episode then starts from it.
                seed = self._np_random_seed_value if self._np_random_seed_value is not None \
                    else entropy_seed()
            else:
                seed = check_seed(seed)
            _lib.check(lib.ludus_env_reset(self._envp, self._statep, seed, self._obsp))
            self._seeded = True
            self._np_random_seed_value = seed
            self._rng = None
        self._read_mission()
        self.invalid_actions = 0
        return self._observation(), self._mask_info({})

    def step(self, action):
        """Apply one action: (obs, reward, terminated, truncated, info)."""
        lock = self._guard  # _guard.exclusive, inlined on the hot path
        if not lock.acquire(False):
            raise _guard.busy(self)
        try:
            if self._closed:
                self._check_open()
            if self.action_dims == 1:
                a = action if type(action) is int and _INT32_MIN <= action <= _INT32_MAX \
                    else as_action(action, self._id, self._max_action)
                rc = lib.ludus_env_step(self._envp, self._statep, a, self._obsp, self._outp)
            else:
                self._load_vector(action)
                rc = lib.ludus_env_step_vec(self._envp, self._statep, self._actp, self._obsp, self._outp)
            if rc:
                raise _lib.error(rc)
            out = self._out
            info = self._mask_info({}) if self.mask_size else {}
            return self._observation(), out.reward, out.terminated != 0, out.truncated != 0, info
        finally:
            lock.release()

    def _load_vector(self, action):
        a = action if isinstance(action, np.ndarray) else np.asarray(action)
        if a.shape != (self.action_dims,):
            raise errors.InvalidArgumentError(
                "an action of '%s' is a vector of %d components, got shape %s" % (self._id, self.action_dims, a.shape))
        if not np.issubdtype(a.dtype, np.integer) or a.dtype == np.bool_:
            raise TypeError("action components are integers, got dtype %s" % a.dtype)
        if a.min() < _INT32_MIN or a.max() > _INT32_MAX:
            raise errors.InvalidArgumentError("an action component of '%s' is out of range" % self._id)
        self._act[:] = a

    @_guard.exclusive
    def action_mask(self):
        """The legal-action mask of the current state: a uint8 array of
        mask_size bytes, the components' masks one after the other (1:
        legal); None for a world without a mask."""
        self._check_open()
        return self._read_mask()

    def _read_mask(self):
        if not self.mask_size:
            return None
        mask = np.empty(self.mask_size, dtype=np.uint8)
        _lib.check(lib.ludus_env_action_mask(self._envp, self._statep, mask.ctypes.data))
        return mask

    def _mask_info(self, info):
        if self.mask_size:
            info["action_mask"] = self._read_mask()
        return info

    @_guard.exclusive
    def parse_action(self, text):
        """A reply in words as an action of this world (an int, or an array of
        action_dims components): BALROG's tolerant matching
        (docs/text-observation.md). InvalidArgumentError for a reply that
        names no action or is ambiguous; each one counts in invalid_actions."""
        self._check_open()
        if not isinstance(text, str):
            raise TypeError("a reply is a str, got %s" % type(text).__name__)
        out = np.zeros(max(1, self.action_dims), dtype=np.int32)
        # C strings end at NUL: a reply with one is cut there, as C reads it
        rc = lib.ludus_env_parse_action(self._envp, text.encode("utf-8", "replace"), out.ctypes.data)
        if rc:
            if rc == errors.LUDUS_EINVAL:
                self.invalid_actions += 1
            raise _lib.error(rc)
        return int(out[0]) if self.action_dims == 1 else out.astype(np.int64)

    @_guard.exclusive
    def render(self):
        """The frame as an (H, W, 3) uint8 array when render_mode is
        'rgb_array'; None (with a warning) when no render mode was given."""
        self._check_open()
        if self.render_mode is None:
            warnings.warn("render() called without a render_mode; make the environment with "
                          "render_mode='rgb_array'", stacklevel=2)
            return None
        w, h = self._frame_size(True)
        frame = np.empty((h, w, 3), dtype=np.uint8)
        _lib.check(lib.ludus_env_render(self._envp, self._statep, self._render_opts,
                                        frame.ctypes.data, frame.nbytes))
        return frame

    def close(self):
        """Free the world. Safe to call twice; any later call raises StateError.
        A call in flight on another thread is waited for."""
        if self._closed:
            return
        _guard.acquire_for_close(self)
        try:
            if not self._closed:
                self._closed = True
                envp, self._envp = self._envp, None
                lib.ludus_env_destroy(envp)
        finally:
            self._guard.release()

    @property
    def closed(self):
        return self._closed

    @property
    def unwrapped(self):
        return self

    @property
    def np_random_seed(self):
        """The seed of the last seeded reset (drawn from the OS when reset()
        was first called without one); None before the first reset."""
        return self._np_random_seed_value

    @property
    def np_random(self):
        """numpy's Generator(PCG64(seed)) for the last seed: the generator the
        world started its episode stream from. The world draws from its own
        copy inside its state, so drawing here never changes episodes."""
        return self._np_random

    @np_random.setter
    def np_random(self, value):
        self._np_random = value

    @property
    def _np_random(self):
        if self._rng is None:
            if self._np_random_seed_value is None:
                self._np_random_seed_value = entropy_seed()
            self._rng = np.random.Generator(np.random.PCG64(self._np_random_seed_value))
        return self._rng

    @_np_random.setter
    def _np_random(self, value):
        self._rng = value

    # ---- beyond Gymnasium -------------------------------------------------

    @property
    def id(self):
        return self._id

    @property
    @_guard.exclusive
    def max_steps(self):
        """The step limit of the current episode (BabyAI's varies by level)."""
        self._check_open()
        return lib.ludus_env_max_steps(self._envp, self._statep)

    @property
    @_guard.exclusive
    def step_count(self):
        """Steps taken in the current episode."""
        self._check_open()
        return lib.ludus_env_step_count(self._envp, self._statep)

    @property
    def mission(self):
        """The mission of the current episode ("" before the first reset)."""
        self._check_open()
        return self._mission

    @_guard.exclusive
    def text(self, mode="full"):
        """The text observation for language-model agents; see ludus.text."""
        self._check_open()
        code = _text_mode(mode)
        if self._text_buf is None:
            self._text_buf = _lib.ctypes.create_string_buffer(self._text_cap)
        n = _lib.check(lib.ludus_env_text(self._envp, self._statep, code, self._text_buf, self._text_cap))
        return self._text_buf.value[:n].decode()

    def clone(self):
        """An independent copy of this environment in its current state (the
        state is one flat block, so this is a memcpy): for planning and
        tree search. The copy continues exactly as this one would."""
        fn, args = self.__reduce__()
        return fn(*args)

    @_guard.exclusive
    def __reduce__(self):
        # Pickling (and deepcopy) rebuild the spec and copy the flat state;
        # C addresses never travel. Unpickling checks the state (_restore).
        self._check_open()
        render = (self.render_mode, self._render_opts.tile_size, bool(self._render_opts.highlight),
                  bool(self._render_opts.agent_view))
        return (_restore, (self._id, self._options, render, self._state.tobytes(), self._seeded,
                           self._np_random_seed_value))

    @_guard.exclusive
    def snapshot(self):
        """The world's state as bytes (state_size of them, no pointers inside):
        keep it, write it to disk, send it elsewhere, and give it back to
        restore() on an Env of the same id and options."""
        self._check_open()
        return self._state.tobytes()

    @_guard.exclusive
    def restore(self, state):
        """Continue from `state`, bytes from snapshot() (or a bytes-like object
        of state_size bytes). Bytes from elsewhere are checked field by field
        by the library (ludus_env_state_load): a state of another world or
        options, of another size, or damaged raises FormatError and leaves
        this Env as it was. reset() without a seed then continues the
        restored world's random stream."""
        self._check_open()
        self._load_state(state)
        self._seeded = True

    def _load_state(self, state):
        try:
            data = state if type(state) is bytes else memoryview(state).tobytes()
        except TypeError:
            raise TypeError("a state is bytes (from snapshot()), got %s" % type(state).__name__) from None
        scratch = aligned_zeros(self._state.nbytes)
        # the library copies (from any alignment), checks, and wipes scratch if refused
        _lib.check(lib.ludus_env_state_load(self._envp, scratch.ctypes.data, data, len(data)))
        self._state[:] = scratch
        self._read_mission()

    # ---- levels as blocks (worlds that have them: the mazes) -------------

    @property
    def level_size(self):
        """Bytes in one level block of this world; 0 when its levels are
        only seeds (docs/maze.md, "Levels as blocks")."""
        self._check_open()
        return int(lib.ludus_env_level_size(self._envp))

    @_guard.exclusive
    def level(self):
        """The current level as bytes (walls, goal, the agent's pose):
        UnsupportedError for worlds whose levels are only seeds."""
        self._check_open()
        n = int(lib.ludus_env_level_size(self._envp)) or 1
        buf = ctypes.create_string_buffer(n)
        _lib.check(lib.ludus_env_level_of(self._envp, self._statep, buf,
                                          int(lib.ludus_env_level_size(self._envp))))
        return buf.raw

    @_guard.exclusive
    def reset_level(self, level):
        """Start an episode on `level` (bytes from level() or mutate_level()):
        (obs, info). A damaged level raises InvalidArgumentError naming the
        field, and the world must then be reset (with a seed or a level)
        before it steps. reset() without a seed after a level continues a
        stream seeded from the level's bytes."""
        self._check_open()
        data = _level_bytes(level)
        rc = lib.ludus_env_reset_level(self._envp, self._statep, data, len(data), self._obsp)
        if rc:
            # the library refuses the state until the next reset; so does step
            self._seeded = False
            raise _lib.error(rc)
        self._seeded = True
        self._read_mission()
        return self._observation(), {}

    def mutate_level(self, level, edits, seed):
        """A copy of `level` with `edits` random edits (ACCEL's operator:
        each a no-op, a wall flipped, or the goal moved), drawn from a
        stream seeded with `seed`. The level is checked first."""
        self._check_open()
        data = ctypes.create_string_buffer(_level_bytes(level), len(_level_bytes(level)))
        rng = _lib.Rng()
        lib.ludus_rng_seed(ctypes.byref(rng), check_seed(seed))
        edits = operator.index(edits)
        if not -2**31 <= edits < 2**31:
            raise errors.InvalidArgumentError("mutate_level: %d edits is out of range" % edits)
        _lib.check(lib.ludus_env_level_mutate(self._envp, data, len(data.raw), edits, ctypes.byref(rng)))
        return data.raw

    @_guard.exclusive
    def observe(self):
        """The current observation (as reset and step return it)."""
        self._check_open()
        _lib.check(lib.ludus_env_observe(self._envp, self._statep, self._obsp))
        return self._observation()

    # ---- internals -------------------------------------------------------

    def _observation(self):
        if self._layout.bare:
            return self._views[0][1].copy()
        obs = {}
        for name, view, scalar in self._views:
            obs[name] = int(view) if scalar else view.copy()
        if self._layout.has_mission:
            obs["mission"] = self._mission
        return obs

    def _read_mission(self):
        # The mission is constant for an episode (the C contract), so it is
        # read when an episode starts or a state is copied in, not every step.
        self._mission = lib.ludus_env_mission(self._envp, self._statep).decode()

    def _frame_size(self, strict):
        w, h = _lib.c_int(), _lib.c_int()
        rc = lib.ludus_env_render_size(self._envp, self._render_opts, w, h)
        if rc == errors.LUDUS_EUNSUPPORTED and not strict:
            return None
        _lib.check(rc)
        return w.value, h.value

    def _check_open(self):
        if self._closed:
            raise errors.StateError("the environment '%s' is closed" % getattr(self, "_id", "?"),
                                    errors.LUDUS_ESTATE)

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
        state = " closed" if self._closed else ""
        return "<ludus.Env %s%s>" % (getattr(self, "_id", "?"), state)

    __str__ = __repr__


def _restore(id, options, render, state, seeded, seed):
    # The unpickling end: the bytes may come from anywhere, so the library
    # checks them (FormatError for a state of another size, world or
    # options, or a damaged one) before any call can read them.
    render_mode, tile_size, highlight, agent_pov = render
    env = Env(id, render_mode=render_mode, tile_size=tile_size, highlight=highlight,
              agent_pov=agent_pov, **options)
    try:
        env._load_state(state)
    except BaseException:
        env.close()
        raise
    env._seeded = seeded
    env._np_random_seed_value = seed
    return env


def _text_mode(mode):
    if mode == "full":
        return _lib.TEXT_FULL
    if mode == "balrog":
        return _lib.TEXT_BALROG
    raise errors.InvalidArgumentError("text mode %r is unknown (use 'full' or 'balrog')" % (mode,))


def make(id, **kwargs):
    """Make the world `id` (see ludus.ids()). Keyword arguments:
    render_mode (None or 'rgb_array'), tile_size, highlight, agent_pov (how
    frames are drawn, as MiniGrid names them), and any world option
    (agent_view_size=, max_steps=, ...), passed to the library."""
    return Env(id, **kwargs)


def _level_bytes(level):
    try:
        return level if type(level) is bytes else memoryview(level).tobytes()
    except TypeError:
        raise TypeError("a level is bytes (from level()), got %s" % type(level).__name__) from None
