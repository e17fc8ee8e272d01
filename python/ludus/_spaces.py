"""_spaces.py: the spaces ludus uses when Gymnasium is not installed, with
Gymnasium's constructors and attributes (shape, dtype, n, low/high, spaces,
sample(), contains(), seed()) and its sampling formulas (Discrete.sample
draws start + integers(n) from numpy's default_rng(seed), as Gymnasium does).
"""
import string

import numpy as np

# Gymnasium's default Text charset.
ALPHANUMERIC = frozenset(string.ascii_letters + string.digits)


class Space:
    """Base: a set of values with a shape, a dtype and its own random stream."""

    def __init__(self, shape=None, dtype=None, seed=None):
        self._shape = None if shape is None else tuple(int(d) for d in shape)
        self.dtype = None if dtype is None else np.dtype(dtype)
        self._np_random = None
        if seed is not None:
            self.seed(seed)

    @property
    def shape(self):
        return self._shape

    @property
    def np_random(self):
        if self._np_random is None:
            self.seed()
        return self._np_random

    def seed(self, seed=None):
        """Seed this space's sampler (numpy's default_rng(seed)); returns [seed]."""
        if isinstance(seed, np.random.Generator):
            self._np_random = seed
            return [None]
        if seed is None:
            seed = int(np.random.SeedSequence().entropy)
        self._np_random = np.random.default_rng(seed)
        return [seed]

    def sample(self, mask=None):
        raise NotImplementedError

    def contains(self, x):
        raise NotImplementedError

    def __contains__(self, x):
        return self.contains(x)


class Discrete(Space):
    """The integers start, ..., start + n - 1."""

    def __init__(self, n, seed=None, start=0):
        self.n = np.int64(n)
        self.start = np.int64(start)
        if self.n <= 0:
            raise ValueError("Discrete: n must be positive, got %d" % n)
        super().__init__((), np.int64, seed)

    def sample(self, mask=None):
        if mask is not None:
            mask = np.asarray(mask, dtype=np.int8)
            if mask.shape != (self.n,):
                raise ValueError("Discrete.sample: mask must have shape (%d,)" % self.n)
            legal = np.flatnonzero(mask)
            if legal.size == 0:
                return self.start
            return self.start + self.np_random.choice(legal)
        return self.start + self.np_random.integers(self.n)

    def contains(self, x):
        if isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_)):
            v = int(x)
        elif isinstance(x, np.ndarray) and x.shape == () and np.issubdtype(x.dtype, np.integer):
            v = int(x)
        else:
            return False
        return bool(self.start <= v < self.start + self.n)

    def __repr__(self):
        return "Discrete(%d)" % self.n if self.start == 0 else "Discrete(%d, start=%d)" % (self.n, self.start)

    def __eq__(self, other):
        return isinstance(other, Discrete) and self.n == other.n and self.start == other.start


class MultiDiscrete(Space):
    """An array of independent Discrete values, element i in [start_i, start_i + nvec_i)."""

    def __init__(self, nvec, dtype=np.int64, seed=None, start=None):
        self.nvec = np.array(nvec, dtype=dtype, copy=True)
        self.start = np.zeros_like(self.nvec) if start is None else np.array(start, dtype=dtype)
        if np.any(self.nvec <= 0):
            raise ValueError("MultiDiscrete: every nvec entry must be positive")
        super().__init__(self.nvec.shape, dtype, seed)

    def sample(self, mask=None):
        """A random value; mask (as Gymnasium's): a tuple with one int8
        array of nvec[i] entries per component, 1 where a value is legal (a
        component with none legal gives its start)."""
        if mask is not None:
            if self.nvec.ndim != 1 or not isinstance(mask, tuple) or len(mask) != len(self.nvec):
                raise ValueError("MultiDiscrete.sample: mask must be a tuple of %d arrays" % len(self.nvec))
            out = np.empty(self.nvec.shape, dtype=self.dtype)
            for i, (n, m) in enumerate(zip(self.nvec, mask)):
                m = np.asarray(m, dtype=np.int8)
                if m.shape != (int(n),):
                    raise ValueError("MultiDiscrete.sample: mask %d must have shape (%d,)" % (i, n))
                legal = np.flatnonzero(m)
                out[i] = self.start[i] + (self.np_random.choice(legal) if legal.size else 0)
            return out
        return (self.np_random.random(self.nvec.shape) * self.nvec).astype(self.dtype) + self.start

    def contains(self, x):
        if isinstance(x, (list, tuple)):
            x = np.array(x)
        if not isinstance(x, np.ndarray) or x.shape != self.shape or x.dtype == object:
            return False
        if not np.issubdtype(x.dtype, np.integer):
            return False
        return bool(np.all(self.start <= x) and np.all(x - self.start < self.nvec))

    def __repr__(self):
        return "MultiDiscrete(%s)" % self.nvec

    def __eq__(self, other):
        return (isinstance(other, MultiDiscrete) and np.array_equal(self.nvec, other.nvec)
                and np.array_equal(self.start, other.start))


class Box(Space):
    """An array of the given shape and dtype with elementwise bounds."""

    def __init__(self, low, high, shape=None, dtype=np.float32, seed=None):
        dtype = np.dtype(dtype)
        if shape is None:
            shape = np.shape(low) if np.ndim(low) else np.shape(high)
        shape = tuple(int(d) for d in shape)
        self.low = np.full(shape, low, dtype=dtype) if np.isscalar(low) else np.asarray(low, dtype=dtype)
        self.high = np.full(shape, high, dtype=dtype) if np.isscalar(high) else np.asarray(high, dtype=dtype)
        if self.low.shape != shape or self.high.shape != shape:
            raise ValueError("Box: low and high must have shape %s" % (shape,))
        super().__init__(shape, dtype, seed)

    def sample(self, mask=None):
        if mask is not None:
            raise NotImplementedError("ludus.spaces.Box.sample does not take a mask")
        if np.issubdtype(self.dtype, np.integer):
            draw = self.np_random.integers(self.low.astype(np.int64), self.high.astype(np.int64) + 1,
                                           size=self.shape)
            return draw.astype(self.dtype)
        return self.np_random.uniform(self.low, self.high, size=self.shape).astype(self.dtype)

    def contains(self, x):
        if not isinstance(x, np.ndarray):
            try:
                x = np.asarray(x, dtype=self.dtype)
            except (ValueError, TypeError):
                return False
        return bool(np.can_cast(x.dtype, self.dtype) and x.shape == self.shape
                    and np.all(x >= self.low) and np.all(x <= self.high))

    def __repr__(self):
        lo, hi = self.low.flat[0] if self.low.size else 0, self.high.flat[0] if self.high.size else 0
        return "Box(%s, %s, %s, %s)" % (lo, hi, self.shape, self.dtype)

    def __eq__(self, other):
        return (isinstance(other, Box) and self.shape == other.shape and self.dtype == other.dtype
                and np.array_equal(self.low, other.low) and np.array_equal(self.high, other.high))


class Text(Space):
    """Strings of min_length..max_length characters from charset."""

    def __init__(self, max_length, *, min_length=1, charset=ALPHANUMERIC, seed=None):
        self.max_length = int(max_length)
        self.min_length = int(min_length)
        self._chars = tuple(sorted(charset))
        self.character_set = frozenset(charset)
        super().__init__((), str, seed)

    def sample(self, mask=None):
        if mask is not None:
            raise NotImplementedError("ludus.spaces.Text.sample does not take a mask")
        n = int(self.np_random.integers(self.min_length, self.max_length + 1))
        return "".join(self._chars[i] for i in self.np_random.integers(len(self._chars), size=n))

    def contains(self, x):
        return (isinstance(x, str) and self.min_length <= len(x) <= self.max_length
                and all(c in self.character_set for c in x))

    def __repr__(self):
        return "Text(%d, %d)" % (self.min_length, self.max_length)

    def __eq__(self, other):
        return (isinstance(other, Text) and self.min_length == other.min_length
                and self.max_length == other.max_length and self.character_set == other.character_set)


class Dict(Space):
    """A dictionary of named spaces (keys sorted, as Gymnasium sorts them)."""

    def __init__(self, spaces, seed=None):
        self.spaces = dict(sorted(dict(spaces).items()))
        super().__init__(None, None, None)
        if seed is not None:
            self.seed(seed)

    def seed(self, seed=None):
        seeds = super().seed(seed)
        for space in self.spaces.values():
            space.seed(int(self._np_random.integers(2**32)) if seed is not None else None)
        return seeds

    def sample(self, mask=None):
        return {k: s.sample() for k, s in self.spaces.items()}

    def contains(self, x):
        return (isinstance(x, dict) and x.keys() == self.spaces.keys()
                and all(s.contains(x[k]) for k, s in self.spaces.items()))

    def __getitem__(self, key):
        return self.spaces[key]

    def keys(self):
        return self.spaces.keys()

    def values(self):
        return self.spaces.values()

    def items(self):
        return self.spaces.items()

    def __len__(self):
        return len(self.spaces)

    def __iter__(self):
        return iter(self.spaces)

    def __repr__(self):
        return "Dict(%s)" % ", ".join("%r: %r" % kv for kv in self.spaces.items())

    def __eq__(self, other):
        return isinstance(other, Dict) and self.spaces == other.spaces


class Tuple(Space):
    """A tuple of spaces."""

    def __init__(self, spaces, seed=None):
        self.spaces = tuple(spaces)
        super().__init__(None, None, None)
        if seed is not None:
            self.seed(seed)

    def seed(self, seed=None):
        seeds = super().seed(seed)
        for space in self.spaces:
            space.seed(int(self._np_random.integers(2**32)) if seed is not None else None)
        return seeds

    def sample(self, mask=None):
        return tuple(s.sample() for s in self.spaces)

    def contains(self, x):
        if isinstance(x, (list, np.ndarray)):
            x = tuple(x)
        return (isinstance(x, tuple) and len(x) == len(self.spaces)
                and all(s.contains(v) for s, v in zip(self.spaces, x)))

    def __getitem__(self, i):
        return self.spaces[i]

    def __len__(self):
        return len(self.spaces)

    def __repr__(self):
        return "Tuple(%s)" % ", ".join(repr(s) for s in self.spaces)

    def __eq__(self, other):
        return isinstance(other, Tuple) and self.spaces == other.spaces


def batch_space(space, n):
    """The space of n stacked values of `space` (Gymnasium's batch_space)."""
    if isinstance(space, Box):
        reps = (n,) + (1,) * space.low.ndim
        return Box(np.tile(space.low, reps), np.tile(space.high, reps), dtype=space.dtype)
    if isinstance(space, Discrete):
        return MultiDiscrete(np.full((n,), space.n), start=np.full((n,), space.start))
    if isinstance(space, MultiDiscrete):  # as Gymnasium: a Box of n rows
        reps = (n,) + (1,) * space.nvec.ndim
        return Box(np.tile(space.start, reps), np.tile(space.start + space.nvec - 1, reps), dtype=space.dtype)
    if isinstance(space, Dict):
        return Dict({k: batch_space(s, n) for k, s in space.items()})
    if isinstance(space, Text):
        return Tuple(Text(space.max_length, min_length=space.min_length, charset=space.character_set)
                     for _ in range(n))
    raise TypeError("batch_space: cannot batch %r" % (space,))

