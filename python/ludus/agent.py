"""agent.py: agents and the held-out evaluation from Python, through the C
library's own protocol. `evaluate(policy, id, ...)` runs ludus_eval_report_run,
the function behind `ludus eval` and the end of `ludus train`, so the
levels, action streams and bootstrap intervals are the same and the result
is the same dict as eval.json. `collect(policy, id, episodes=N, out=DIR)`
runs ludus_dataset_collect, the function behind `ludus collect`, so a
Python policy records a Minari dataset through the same C writer. A Python
callable becomes a C callback agent (ctypes); a checkpoint path or
"random" becomes the library's agent.

A policy is called as policy(obs, info) -> actions, once per step for a
batch of n worlds (n <= 64). obs has the layout of ludus.vector's
observations: a dict of arrays with a leading axis n (and "mission", a
tuple of n strings, for worlds with missions), or the bare (n, ...) array
for worlds with a single field (Crafter). info holds:
  "missions"     tuple of n strings ("" for worlds without missions)
  "starts"       (n,) bool: world i begins an episode (reset recurrent state)
  "greedy"       the greedy flag evaluate was given
  "texts"        tuple of n text observations when evaluate(text=...) asked; else None
  "action_sizes" tuple: the values of each action component ((7,) for MiniGrid)
  "action_mask"  (n, sum(action_sizes)) bool of legal values, or None (all legal)
  "raw_obs"      (n, obs_size) uint8, the flat observations
  "rngs"         the address of the n per-world random streams (ludus_rng), for
                 C agents such as ludus.Agent that sample from them
  "env_id", "env_options"  the world
The arrays are copies the policy may keep. It returns n actions: an integer
array of shape (n,) (or (n, len(action_sizes))). An exception raised by the
policy stops the evaluation (or the collection, which then leaves no
dataset behind) and is raised again by evaluate (collect).
"""
import ctypes
import json
import os

import numpy as np

from . import _lib, errors
from ._lib import lib
from .env import ObsLayout, _make_spec, check_seed, options_string

MAX_WORLDS = 64               # evaluation's batch (eval.c's EVAL_WORLDS)
MAX_EPISODES = 1000000        # LUDUS_EVAL_MAX_EPISODES
MAX_TRAIN_LEVELS = 1000000000  # LUDUS_MAX_TRAIN_LEVELS


def _c_array(ctype, address, count):
    return np.ctypeslib.as_array((ctype * count).from_address(address))


def _options_arg(options):
    if options is None:
        return None
    if isinstance(options, str):
        return options
    if isinstance(options, dict):
        return options_string(options)
    raise TypeError("options is a dict, a 'key=value,...' string or None, got %s" % type(options).__name__)


def _int_arg(name, value, lo, hi):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError("%s is an int, got %s" % (name, type(value).__name__))
    if not lo <= value <= hi:
        raise errors.InvalidArgumentError("%s must be in [%d, %d], got %d" % (name, lo, hi, value))
    return int(value)


class Agent:
    """An agent of the C library: Agent.load(checkpoint) or Agent.random().
    It is itself a policy(obs, info), so it can also be wrapped in Python
    code (it then acts through ludus_agent_act with the world's own random
    streams, info["rngs"])."""

    def __init__(self, handle):
        self._p = handle
        self._env = None       # the spec it is bound to (kept alive while bound)
        self._bound = None     # (env_id, env_options, max_worlds)

    @classmethod
    def load(cls, checkpoint, env_id=None, max_worlds=MAX_WORLDS):
        """A trained policy from a checkpoint file, for its own world (or
        env_id, a world with the same observations and actions)."""
        h = ctypes.c_void_p()
        _lib.check(lib.ludus_agent_load(os.fsencode(checkpoint), env_id.encode() if env_id else None,
                                        _int_arg("max_worlds", max_worlds, 1, 1 << 20), h))
        agent = cls(h.value)
        agent._bound = (agent.env_id, agent.env_options, int(max_worlds))
        return agent

    @classmethod
    def random(cls):
        """Uniformly random actions from each world's own stream."""
        h = ctypes.c_void_p()
        _lib.check(lib.ludus_agent_random(h))
        return cls(h.value)

    @property
    def name(self):
        return lib.ludus_agent_name(self._handle()).decode()

    @property
    def env_id(self):
        v = lib.ludus_agent_env_id(self._handle())
        return v.decode() if v is not None else None

    @property
    def env_options(self):
        v = lib.ludus_agent_env_options(self._handle())
        return v.decode() if v is not None else None

    @property
    def checkpoint(self):
        v = lib.ludus_agent_checkpoint(self._handle())
        return os.fsdecode(v) if v is not None else None

    def bind(self, env_id, max_worlds=MAX_WORLDS, **options):
        """Prepare to act in up to max_worlds worlds of env_id (with options)."""
        self._bind(env_id, options_string(options), max_worlds)

    def _bind(self, env_id, opts, max_worlds):
        spec = _make_spec(env_id, opts)
        try:
            _lib.check(lib.ludus_agent_bind(self._handle(), spec, int(max_worlds)))
        except BaseException:
            lib.ludus_env_destroy(spec)
            raise
        if self._env is not None:
            lib.ludus_env_destroy(self._env)
        self._env = spec
        self._bound = (env_id, opts, int(max_worlds))

    def __call__(self, obs, info):
        raw = np.ascontiguousarray(info["raw_obs"], dtype=np.uint8)
        n = raw.shape[0]
        b = self._bound
        if b is None or b[0] != info["env_id"] or b[1] != info["env_options"] or b[2] < n:
            self._bind(info["env_id"], info["env_options"], max(n, MAX_WORLDS))
        sizes = tuple(info["action_sizes"])
        dims = len(sizes)
        missions = (ctypes.c_char_p * n)(*(m.encode() for m in info["missions"]))
        texts = None
        if info.get("texts") is not None:
            texts = (ctypes.c_char_p * n)(*(t.encode() for t in info["texts"]))
        starts = np.ascontiguousarray(info["starts"], dtype=np.uint8)
        mask = info.get("action_mask")
        mask = None if mask is None else np.ascontiguousarray(mask, dtype=np.uint8)
        c_sizes = (ctypes.c_int * dims)(*sizes)
        inp = _lib.AgentInput(n, int(bool(info["greedy"])), raw.shape[1], raw.ctypes.data, missions, texts,
                              starts.ctypes.data, info["rngs"], dims, c_sizes,
                              None if mask is None else mask.ctypes.data)
        actions = np.zeros(n * dims, dtype=np.int32)
        _lib.check(lib.ludus_agent_act(self._handle(), ctypes.byref(inp), actions.ctypes.data))
        return actions if dims == 1 else actions.reshape(n, dims)

    def _handle(self):
        if self._p is None:
            raise errors.StateError("the agent is closed", errors.LUDUS_ESTATE)
        return self._p

    def close(self):
        if self._p is not None:
            lib.ludus_agent_destroy(self._p)
            self._p = None
        if self._env is not None:
            lib.ludus_env_destroy(self._env)
            self._env = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self):
        if self._p is None:
            return "<ludus.Agent closed>"
        return "<ludus.Agent %s%s>" % (self.name, " " + self.checkpoint if self.checkpoint else "")


class _PolicyAgent:
    """A Python callable as a C callback agent for one evaluation."""

    def __init__(self, policy, env_id, opts, text):
        self.policy = policy
        self.env_id = env_id
        self.opts = opts
        self.error = None
        spec = _make_spec(env_id, opts)
        try:
            self.layout = ObsLayout(lib.ludus_env_get_info(spec).contents)
        finally:
            lib.ludus_env_destroy(spec)
        flags = {None: 0, "full": _lib.AGENT_TEXT, "balrog": _lib.AGENT_TEXT_BALROG}
        if text not in flags:
            raise errors.InvalidArgumentError("text=%r: want None, 'full' or 'balrog'" % (text,))
        self.cb = _lib.AGENT_ACT_FN(self._act)
        h = ctypes.c_void_p()
        _lib.check(lib.ludus_agent_callback(b"python", flags[text], self.cb, None, h))
        self.handle = h.value

    def _act(self, user, inp_p, actions_p):
        try:
            self._act_checked(inp_p.contents, actions_p)
            return 0
        except BaseException as e:  # never let an exception cross into C
            if self.error is None:
                self.error = e
            msg = "the Python policy raised %s: %s" % (type(e).__name__, e)
            return lib.ludus_agent_fail(errors.LUDUS_EINVAL, msg.encode("utf-8", "replace")[:1000])

    def _act_checked(self, inp, actions_p):
        n, size = inp.n, inp.obs_size
        raw = _c_array(ctypes.c_uint8, inp.obs, n * size).reshape(n, size).copy()
        missions = tuple(inp.missions[i].decode("utf-8", "replace") for i in range(n))
        texts = tuple(inp.texts[i].decode("utf-8", "replace") for i in range(n)) if inp.texts else None
        starts = _c_array(ctypes.c_uint8, inp.starts, n).astype(bool)
        dims = inp.action_dims
        sizes = tuple(inp.action_sizes[d] for d in range(dims))
        mask = None
        if inp.action_mask:
            mask = _c_array(ctypes.c_uint8, inp.action_mask, n * sum(sizes)).reshape(n, sum(sizes)).astype(bool)
        views = self.layout.views(raw)
        if self.layout.bare:
            obs = views[0][1]
        else:
            obs = {name: view for name, view, _ in views}
            if self.layout.has_mission:
                obs["mission"] = missions
        info = {"missions": missions, "starts": starts, "greedy": bool(inp.greedy), "texts": texts,
                "action_sizes": sizes, "action_mask": mask, "raw_obs": raw, "rngs": inp.rngs,
                "env_id": self.env_id, "env_options": self.opts}
        a = self.policy(obs, info)
        a = a if isinstance(a, np.ndarray) else np.asarray(a)
        if a.dtype == np.bool_ or not np.issubdtype(a.dtype, np.integer):
            raise TypeError("the policy returned actions of dtype %s; want integers" % a.dtype)
        want = (n,) if dims == 1 else (n, dims)
        if a.shape != want and not (dims == 1 and a.shape == (n, 1)):
            raise errors.InvalidArgumentError("the policy returned actions of shape %s; want %s" % (a.shape, want))
        a = a.reshape(n, dims)
        for d in range(dims):
            bad = (a[:, d] < 0) | (a[:, d] >= sizes[d])
            if bad.any():
                i = int(np.argmax(bad))
                raise errors.InvalidArgumentError(
                    "the policy chose action %d for world %d; %s's actions are 0..%d"
                    % (int(a[i, d]), i, self.env_id, sizes[d] - 1))
        _c_array(ctypes.c_int32, actions_p, n * dims)[:] = a.reshape(-1)

    def close(self):
        if self.handle is not None:
            lib.ludus_agent_destroy(self.handle)
            self.handle = None


def _agent_of(policy, id, opts, text, who):
    """(owned Agent or None, _PolicyAgent or None, the C handle) for policy;
    the caller closes what it gets."""
    owned, wrapper = None, None
    try:
        if isinstance(policy, Agent):
            handle = policy._handle()
        elif isinstance(policy, (str, bytes, os.PathLike)):
            if isinstance(policy, str) and policy == "random":
                owned = Agent.random()
            else:
                owned = Agent.load(policy, id)
            handle = owned._p
        elif callable(policy):
            if id is None:
                raise errors.InvalidArgumentError("%s: a Python policy needs the world's id" % who)
            wrapper = _PolicyAgent(policy, id, opts or "", text)
            handle = wrapper.handle
        else:
            raise TypeError("policy is a callable, a checkpoint path, 'random' or a ludus.Agent, got %s"
                            % type(policy).__name__)
        if text is not None and wrapper is None:
            raise errors.InvalidArgumentError("%s: text= is for Python policies" % who)
        return owned, wrapper, handle
    except BaseException:
        if owned is not None:
            owned.close()
        raise


def collect(policy, id=None, *, episodes, out, name=None, train_levels=None, heldout=False, greedy=False, seed=0,
            options=None, jpeg_quality=0, text=None):
    """Play `episodes` episodes with policy and record them as a Minari
    dataset under out/<name> (`ludus collect`'s writer, docs/datasets.md);
    returns the dataset folder's path.

    policy: a callable policy(obs, info) -> actions (see the module's doc),
    a checkpoint path, "random", or a ludus.Agent. id: the world (None: the
    checkpoint's own; a callable needs it). name: the dataset id
    "namespace/name-vN" (None: "<id without -vN>/<agent>[-heldout]-v0", the
    agent of a callable being "python"). Levels: episode i is played on
    level start + i % count, start 0 (training levels) or 10**9 (heldout),
    count train_levels (None or 0: all of [0, 10**9)). greedy: passed to
    the policy in info. seed: episode i's action stream is (seed, i).
    options: world options (a dict or "key=value,..."). jpeg_quality: of
    frames stored as JPEG, 1..100 (0: 75). text: as for evaluate. A folder
    that already holds the dataset is refused; on any error (the policy's
    exception included) nothing is left behind."""
    episodes = _int_arg("episodes", episodes, 1, 2**31 - 1)
    levels = 0 if train_levels is None else _int_arg("train_levels", train_levels, 0, MAX_TRAIN_LEVELS)
    quality = _int_arg("jpeg_quality", jpeg_quality, 0, 100)
    seed = check_seed(seed)
    opts = _options_arg(options)
    if id is not None and not isinstance(id, str):
        raise TypeError("id is a world id string or None, got %s" % type(id).__name__)
    if name is not None and not isinstance(name, str):
        raise TypeError("name is a dataset id string or None, got %s" % type(name).__name__)
    if not isinstance(out, (str, bytes, os.PathLike)):
        raise TypeError("out is a folder path, got %s" % type(out).__name__)
    root = os.fsencode(out)
    owned, wrapper, handle = None, None, None
    try:
        owned, wrapper, handle = _agent_of(policy, id, opts, text, "collect")
        cfg = _lib.CollectConfig(id.encode() if id is not None else None,
                                 opts.encode() if opts is not None else None,
                                 name.encode() if name is not None else None,
                                 int(bool(heldout)), levels, episodes, int(bool(greedy)), seed, quality)
        path = ctypes.create_string_buffer(4096)
        rc = lib.ludus_dataset_collect(handle, ctypes.byref(cfg), root, path, len(path))
        if wrapper is not None and wrapper.error is not None:
            raise wrapper.error
        _lib.check(rc)
        return os.fsdecode(path.value)
    finally:
        if wrapper is not None:
            wrapper.close()
        if owned is not None:
            owned.close()


def evaluate(policy, id=None, *, episodes=1000, train_levels=None, greedy=False, seed=0, options=None,
             text=None):
    """Evaluate policy on the training levels [0, train_levels) and on
    held-out levels from 10**9, `episodes` episodes each, with 95%
    bootstrap intervals: the dict `ludus eval` writes as eval.json.

    policy: a callable policy(obs, info) -> actions (see the module's
    doc), a checkpoint path, "random", or a ludus.Agent. id: the world
    (None: the checkpoint's own). train_levels: None or 0 for all levels
    (training drew from [0, 10**9)), else the count. greedy: the agent's
    most likely actions (a callable sees it in info). seed: the action
    streams and the bootstrap. options: world options (a dict or
    "key=value,..."); None gives a checkpoint its run's options in its own
    world and a callable none. text: "full" or "balrog" to give a callable
    text observations in info["texts"]."""
    episodes = _int_arg("episodes", episodes, 1, MAX_EPISODES)
    levels = 0 if train_levels is None else _int_arg("train_levels", train_levels, 0, MAX_TRAIN_LEVELS)
    seed = check_seed(seed)
    opts = _options_arg(options)
    if id is not None and not isinstance(id, str):
        raise TypeError("id is a world id string or None, got %s" % type(id).__name__)
    owned, wrapper, handle = None, None, None
    try:
        owned, wrapper, handle = _agent_of(policy, id, opts, text, "evaluate")
        cfg = _lib.EvalReportConfig(id.encode() if id is not None else None,
                                    opts.encode() if opts is not None else None,
                                    levels, episodes, int(bool(greedy)), seed)
        report = _lib.EvalReport()
        rc = lib.ludus_eval_report_run(handle, ctypes.byref(cfg), ctypes.byref(report))
        if wrapper is not None and wrapper.error is not None:
            raise wrapper.error
        _lib.check(rc)
        n = _lib.check(lib.ludus_eval_report_json(ctypes.byref(report), None, 0))
        buf = ctypes.create_string_buffer(n + 1)
        _lib.check(lib.ludus_eval_report_json(ctypes.byref(report), buf, n + 1))
        return json.loads(buf.value.decode("utf-8", "surrogateescape"))
    finally:
        if wrapper is not None:
            wrapper.close()
        if owned is not None:
            owned.close()
