"""datasets.py: the Minari datasets `ludus collect` writes, read with h5py
(Debian's python3-h5py; frames stored as JPEG are decoded with Pillow,
python3-pil, as Minari does). Not the C reader: these are the files as the
Farama ecosystem sees them, so what this module returns is what Minari's
HDF5 backend returns.

    ds = ludus.datasets.open("datasets/MiniGrid-DoorKey-5x5/random-v0")
    for ep in ds:                       # episodes in order
        ep.observations["image"]        # (T + 1, 7, 7, 3) uint8
        ep.actions, ep.rewards          # (T,) int64, (T,) float64
        ep.terminations, ep.seed        # (T,) bool, the level it was played on
        ep.infos["action_mask"]         # (T + 1, mask bytes) int8, masked worlds only

Observations are a dict of arrays (missions as a list of str) for dict
spaces, or the bare array (Crafter).
"""
import builtins
import io
import json
import os

import numpy as np

from . import errors

__all__ = ["open", "Dataset", "Episode"]


class Episode:
    """One episode: id, seed (its level), observations (T + 1 rows),
    actions, rewards, terminations, truncations (T rows), infos (a dict of
    arrays, as Minari's EpisodeData.infos: in worlds with a legal-action mask
    "action_mask", (T + 1, mask bytes) int8, the mask of each observation,
    the components' masks one after the other; {} otherwise)."""

    def __init__(self, id, seed, observations, actions, rewards, terminations, truncations, infos=None):
        self.id = id
        self.seed = seed
        self.observations = observations
        self.actions = actions
        self.rewards = rewards
        self.terminations = terminations
        self.truncations = truncations
        self.infos = infos if infos is not None else {}

    @property
    def action_mask(self):
        """infos["action_mask"] (T + 1 rows), or None when not recorded."""
        return self.infos.get("action_mask")

    @property
    def total_steps(self):
        return len(self.rewards)

    def __repr__(self):
        return "Episode(id=%d, seed=%d, steps=%d, return=%g)" % (self.id, self.seed, self.total_steps,
                                                                 float(np.sum(self.rewards)))


def _h5py():
    try:
        import h5py
    except ImportError:
        raise errors.UnsupportedError("ludus.datasets needs h5py (Debian: apt-get install python3-h5py)") from None
    return h5py


def _data_dir(path):
    for d in (os.path.join(path, "data"), path):
        if os.path.isfile(os.path.join(d, "metadata.json")):
            return d
    raise errors.NotFoundError("%s is not a dataset: no data/metadata.json (make one with `ludus collect`)" % path)


def _is_image(space):
    """Minari's is_image_space: Box uint8 of 2 or 3 dims, at least 32x32, bounds 0..255."""
    return (space.get("type") == "Box" and space.get("dtype") == "uint8" and len(space["shape"]) in (2, 3)
            and space["shape"][0] >= 32 and space["shape"][1] >= 32
            and np.all(np.asarray(space["low"]) == 0) and np.all(np.asarray(space["high"]) == 255))


def _decode(node, space, path):
    h5py = _h5py()
    kind = space.get("type")
    if kind == "Dict":
        if not isinstance(node, h5py.Group):
            raise errors.FormatError("%s: a dict observation must be a group" % path)
        if sorted(node.keys()) != sorted(space["subspaces"]):
            raise errors.FormatError("%s: keys %s, but the space has %s" % (path, sorted(node.keys()),
                                                                           sorted(space["subspaces"])))
        return {k: _decode(node[k], s, path + "/" + k) for k, s in space["subspaces"].items()}
    if not isinstance(node, h5py.Dataset):
        raise errors.FormatError("%s: not a dataset" % path)
    if kind == "Text":
        return [s.decode("utf-8") if isinstance(s, bytes) else str(s) for s in node[()]]
    if _is_image(space):
        try:
            from PIL import Image
        except ImportError:
            raise errors.UnsupportedError("JPEG frames need Pillow (Debian: apt-get install python3-pil)") from None
        frames = [np.array(Image.open(io.BytesIO(np.asarray(b, dtype=np.uint8).tobytes())), dtype=np.uint8)
                  for b in node[()]]
        return np.stack(frames) if frames else np.zeros((0,) + tuple(space["shape"]), np.uint8)
    return node[()]


class Dataset:
    """A dataset folder (<namespace>/<name>-vN or its data/ folder).
    metadata: the parsed metadata.json; observation_space and action_space
    its spaces as dicts (Minari's serialization); env_id and env_options the
    ludus world the episodes were played in."""

    def __init__(self, path):
        self.path = path
        self._dir = _data_dir(path)
        try:
            with builtins.open(os.path.join(self._dir, "metadata.json"), "rb") as f:
                self.metadata = json.loads(f.read(16 << 20))
            self.observation_space = json.loads(self.metadata["observation_space"])
            self.action_space = json.loads(self.metadata["action_space"])
            ludus = self.metadata["ludus"]
            self.env_id = ludus["env_id"]
            self.env_options = ludus["env_options"]
            self.total_episodes = int(self.metadata["total_episodes"])
            self.total_steps = int(self.metadata["total_steps"])
            # datasets written before masks were recorded have no key
            self.action_masks = bool(ludus.get("action_masks", 0))
        except (ValueError, KeyError, TypeError) as e:
            raise errors.FormatError("%s: metadata.json: %s" % (path, e)) from None
        self._file = os.path.join(self._dir, "main_data.hdf5")
        if not os.path.isfile(self._file):
            raise errors.FormatError("%s: metadata.json without main_data.hdf5" % path)

    def __len__(self):
        return self.total_episodes

    def episode(self, i):
        """Episode i as numpy arrays."""
        h5py = _h5py()
        if not 0 <= i < self.total_episodes:
            raise IndexError("episode %d outside 0..%d" % (i, self.total_episodes - 1))
        try:
            with h5py.File(self._file, "r") as f:
                g = f["episode_%d" % i]
                rewards = g["rewards"][()]
                infos = {}
                if "infos" in g:
                    for k, v in g["infos"].items():
                        if not isinstance(v, h5py.Dataset):
                            raise errors.FormatError("%s: episode_%d/infos/%s is not a dataset" % (self._file, i, k))
                        infos[k] = v[()]
                if self.action_masks:
                    m = infos.get("action_mask")
                    if m is None or m.ndim != 2 or m.shape[0] != len(rewards) + 1:
                        raise errors.FormatError("%s: episode_%d/infos/action_mask is missing or not (T + 1, mask) "
                                                 "though metadata.json says the masks are recorded" % (self._file, i))
                return Episode(int(g.attrs["id"]), int(g.attrs["seed"]),
                               _decode(g["observations"], self.observation_space, "episode_%d/observations" % i),
                               g["actions"][()], rewards, g["terminations"][()], g["truncations"][()], infos)
        except (OSError, KeyError) as e:
            raise errors.FormatError("%s: episode %d: %s" % (self._file, i, e)) from None

    def __iter__(self):
        for i in range(self.total_episodes):
            yield self.episode(i)

    def __repr__(self):
        return "Dataset(%r, %s, %d episodes, %d steps)" % (self.metadata.get("dataset_id"), self.env_id,
                                                           self.total_episodes, self.total_steps)


def open(path):  # noqa: A001 (the module's verb, as h5py.File / io.open)
    """The dataset in folder `path`."""
    return Dataset(path)
