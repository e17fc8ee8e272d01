"""test_datasets.py: datasets written by `ludus collect` (C, libhdf5), read
back with h5py and checked field by field against the Minari v0.5.3 format
(../shared/spec/minari.md; minari/dataset/_storages/hdf5_storage.py and
minari/serialization.py), then replayed in ludus: the recorded actions from
the recorded seeds give the recorded observations and rewards. Also the
reader's refusals of lying files (rewritten with h5py, digest updated) and
ludus.datasets.
"""
import hashlib
import json
import os
import string
import subprocess

import numpy as np
import pytest

import ludus
import ludus.datasets

h5py = pytest.importorskip("h5py")


def ludus_bin():
    lib = os.environ.get("LUDUS_LIBRARY", "")
    path = os.path.join(os.path.dirname(lib), "ludus")
    if not os.path.isfile(path):
        pytest.skip("the ludus command is not built next to %s" % lib)
    return path


def run(*args):
    return subprocess.run([ludus_bin()] + [str(a) for a in args], capture_output=True, text=True, timeout=300)


# (world, options, collect args, dataset id): a grid world, one with
# missions, Crafter symbolic and in pixels (JPEG), a maze on held-out levels
CASES = [
    ("MiniGrid-DoorKey-5x5-v0", "", ["--train-levels", "7", "--episodes", "6"], "grid/doorkey-v0"),
    ("BabyAI-GoToRedBall-v0", "", ["--episodes", "5"], "babyai/gotoredball-v0"),
    ("CrafterReward-v1", "", ["--episodes", "2"], "crafter/symbolic-v0"),
    ("CrafterReward-v1", "obs=rgb", ["--episodes", "2"], "crafter/rgb-v0"),
    ("Maze-v0", "", ["--episodes", "4", "--levels", "heldout"], "maze/heldout-v0"),
]


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    d = tmp_path_factory.mktemp("datasets")
    for env_id, opts, args, name in CASES:
        extra = ["--options", opts] if opts else []
        r = run("collect", env_id, "--agent", "random", "--out", d, "--name", name, "--seed", 3, *args, *extra)
        assert r.returncode == 0, r.stderr
        assert r.stdout.startswith("wrote %s/%s" % (d, name))
    return d


def options_dict(opts):
    return dict(kv.split("=") for kv in opts.split(",")) if opts else {}


def expected_space(space):
    """Minari's serialize_space of a ludus (Gymnasium-like) space, written
    out here from minari/serialization.py, as a dict."""
    kind = type(space).__name__
    if kind == "Dict":
        return {"type": "Dict", "subspaces": {k: expected_space(space.spaces[k]) for k in sorted(space.spaces)}}
    if kind == "Discrete":
        return {"type": "Discrete", "dtype": "int64", "start": int(space.start), "n": int(space.n)}
    if kind == "Box":
        return {"type": "Box", "dtype": str(space.dtype), "shape": list(space.shape), "low": space.low.tolist(),
                "high": space.high.tolist()}
    if kind == "Text":
        return {"type": "Text", "max_length": space.max_length, "min_length": space.min_length,
                "charset": string.printable}
    raise AssertionError(kind)


def is_image(space):
    return (space["type"] == "Box" and space["dtype"] == "uint8" and len(space["shape"]) in (2, 3)
            and space["shape"][0] >= 32 and space["shape"][1] >= 32
            and np.all(np.asarray(space["low"]) == 0) and np.all(np.asarray(space["high"]) == 255))


def check_leaf(ds, space, rows):
    """One observation dataset against its space (hdf5_storage.py's rules)."""
    assert ds.compression is None
    assert ds.chunks is not None
    if space["type"] == "Text":
        assert ds.shape == (rows,) and ds.maxshape == (None,)
        info = h5py.check_string_dtype(ds.dtype)
        assert info is not None and info.encoding == "utf-8" and info.length is None
    elif is_image(space):
        # JPEG bytes, one per frame (vlen uint8), decoded by Minari's reader
        assert ds.shape == (rows,)
        assert h5py.check_vlen_dtype(ds.dtype) == np.dtype(np.uint8)
    elif space["type"] == "Discrete":
        assert ds.dtype == np.int64 and ds.shape == (rows,) and ds.maxshape == (None,)
    else:
        assert space["type"] == "Box" and ds.dtype == np.uint8
        assert ds.shape == (rows, *space["shape"]) and ds.maxshape == (None, *space["shape"])


def decode(node, space):
    if space["type"] == "Dict":
        return {k: decode(node[k], s) for k, s in space["subspaces"].items()}
    if space["type"] == "Text":
        return [b.decode("utf-8") for b in node[()]]
    if is_image(space):
        from PIL import Image
        import io
        return np.stack([np.array(Image.open(io.BytesIO(np.asarray(b).tobytes()))) for b in node[()]])
    return node[()]


@pytest.mark.parametrize("env_id,opts,args,name", CASES)
def test_layout_and_metadata(root, env_id, opts, args, name):
    data = os.path.join(root, name, "data")
    assert sorted(os.listdir(data)) == ["main_data.hdf5", "metadata.json"]
    meta = json.load(open(os.path.join(data, "metadata.json")))
    env = ludus.make(env_id, **options_dict(opts))
    # the keys Minari's MinariStorage and MinariDataset read
    assert meta["data_format"] == "hdf5"
    assert meta["dataset_id"] == name
    assert meta["minari_version"] == "0.5.3"
    assert isinstance(meta["observation_space"], str) and isinstance(meta["action_space"], str)
    obs_space = json.loads(meta["observation_space"])
    assert obs_space == expected_space(env.observation_space)
    assert json.loads(meta["action_space"]) == {"type": "Discrete", "dtype": "int64", "start": 0,
                                                "n": int(env.action_space.n)}
    lu = meta["ludus"]
    assert lu["env_id"] == env_id and lu["env_options"] == opts and lu["agent"] == "random"
    assert lu["main_data_sha256"] == hashlib.sha256(open(os.path.join(data, "main_data.hdf5"), "rb").read()).hexdigest()
    heldout = "--levels" in args
    assert lu["levels"] == ("heldout" if heldout else "train")
    with h5py.File(os.path.join(str(root), "bool.h5"), "w") as ref:
        bool_type = ref.create_dataset("b", data=np.array([True, False])).id.get_type()
    with h5py.File(os.path.join(data, "main_data.hdf5"), "r") as f:
        # track_order=True on the file: episodes listed in creation order
        assert f["/"].id.get_create_plist().get_link_creation_order() == 3  # tracked | indexed, as h5py's
        E = meta["total_episodes"]
        assert list(f.keys()) == ["episode_%d" % i for i in range(E)]
        steps = 0
        for i in range(E):
            g = f["episode_%d" % i]
            assert list(g.attrs.keys()) == ["id", "seed", "total_steps"]
            for k in ("id", "seed", "total_steps"):
                assert g.attrs[k].dtype == np.int64
            assert g.attrs["id"] == i
            seed = int(g.attrs["seed"])
            if heldout:
                assert seed >= 1000000000
            elif "--train-levels" in args:
                assert 0 <= seed < int(args[args.index("--train-levels") + 1])
            T = int(g.attrs["total_steps"])
            steps += T
            assert sorted(g.keys()) == ["actions", "infos", "observations", "rewards", "terminations", "truncations"]
            assert isinstance(g["infos"], h5py.Group) and len(g["infos"]) == 0
            if obs_space["type"] == "Dict":
                assert isinstance(g["observations"], h5py.Group)
                assert sorted(g["observations"].keys()) == sorted(obs_space["subspaces"])
                for k, s in obs_space["subspaces"].items():
                    check_leaf(g["observations"][k], s, T + 1)
            else:
                check_leaf(g["observations"], obs_space, T + 1)
            assert g["actions"].dtype == np.int64 and g["actions"].shape == (T,)
            assert g["rewards"].dtype == np.float64 and g["rewards"].shape == (T,)
            for k in ("terminations", "truncations"):
                assert g[k].dtype == np.bool_ and g[k].shape == (T,) and g[k].maxshape == (None,)
                # the very type h5py writes for numpy bool (an enum of int8, FALSE 0, TRUE 1)
                assert g[k].id.get_type() == bool_type
            ends = g["terminations"][()] | g["truncations"][()]
            assert ends[-1] and not ends[:-1].any()
        assert steps == meta["total_steps"]


@pytest.mark.parametrize("env_id,opts,args,name", CASES)
def test_replay_gives_the_recorded_episode(root, env_id, opts, args, name):
    data = os.path.join(root, name, "data")
    meta = json.load(open(os.path.join(data, "metadata.json")))
    space = json.loads(meta["observation_space"])
    env = ludus.make(env_id, **options_dict(opts))
    jpeg = any(is_image(s) for s in (space["subspaces"].values() if space["type"] == "Dict" else [space]))

    def same(recorded, live):
        if isinstance(live, dict):
            for k in live:
                same(recorded[k] if k != "mission" else recorded[k], live[k])
        elif isinstance(live, str):
            assert recorded == live
        elif jpeg:
            # JPEG is lossy: the frame comes back as Pillow's JPEG of the
            # live frame (Minari's encode_frame) comes back
            from PIL import Image
            import io
            buf = io.BytesIO()
            Image.fromarray(np.asarray(live)).save(buf, format="JPEG")
            pil = np.array(Image.open(io.BytesIO(buf.getvalue())))
            assert np.abs(recorded.astype(int) - pil.astype(int)).max() <= 1
        else:
            assert np.array_equal(recorded, np.asarray(live))

    with h5py.File(os.path.join(data, "main_data.hdf5"), "r") as f:
        for i in range(meta["total_episodes"]):
            g = f["episode_%d" % i]
            obs = decode(g["observations"], space)
            row = (lambda t: {k: v[t] for k, v in obs.items()}) if isinstance(obs, dict) else (lambda t: obs[t])
            live, _ = env.reset(seed=int(g.attrs["seed"]))
            same(row(0), live)
            acts, rews = g["actions"][()], g["rewards"][()]
            term, trunc = g["terminations"][()], g["truncations"][()]
            for t in range(len(acts)):
                live, r, te, tr, _ = env.step(int(acts[t]))
                assert r == rews[t] and te == term[t] and tr == trunc[t]
                same(row(t + 1), live)


def test_python_reader(root):
    ds = ludus.datasets.open(os.path.join(root, "grid/doorkey-v0"))
    assert len(ds) == 6 and ds.env_id == "MiniGrid-DoorKey-5x5-v0"
    eps = list(ds)
    assert sum(e.total_steps for e in eps) == ds.total_steps
    e = eps[0]
    assert e.observations["image"].shape == (e.total_steps + 1, 7, 7, 3)
    assert e.observations["direction"].dtype == np.int64
    assert e.actions.dtype == np.int64 and e.rewards.dtype == np.float64 and e.terminations.dtype == np.bool_
    rgb = ludus.datasets.open(os.path.join(root, "crafter/rgb-v0", "data"))
    frames = rgb.episode(0).observations
    assert frames.shape == (rgb.episode(0).total_steps + 1, 64, 64, 3) and frames.dtype == np.uint8
    with pytest.raises(ludus.NotFoundError):
        ludus.datasets.open(str(root))


def test_info(root):
    r = run("dataset", "info", os.path.join(root, "grid/doorkey-v0"))
    assert r.returncode == 0, r.stderr
    assert "episodes    6 " in r.stdout and "levels      train: seeds" in r.stdout
    with h5py.File(os.path.join(root, "grid/doorkey-v0/data/main_data.hdf5"), "r") as f:
        rets = [f["episode_%d/rewards" % i][()].sum() for i in range(6)]
    assert ("mean %.4f" % np.mean(rets)) in r.stdout


def tamper(root, tmp_path, name, fn, meta_fn=None):
    """A copy of dataset `name`, changed with h5py by fn(file) (and its
    metadata by meta_fn), the digest recomputed so the HDF5 checks are reached."""
    import shutil
    dst = tmp_path / "copy"
    shutil.copytree(os.path.join(root, name), dst)
    data = dst / "data"
    with h5py.File(data / "main_data.hdf5", "r") as f:
        t0 = int(f["episode_0"].attrs["total_steps"])
    if fn:
        with h5py.File(data / "main_data.hdf5", "a") as f:
            fn(f)
    meta = json.load(open(data / "metadata.json"))
    if meta_fn:
        meta["_t0"] = t0
        meta_fn(meta)
        del meta["_t0"]
    meta["ludus"]["main_data_sha256"] = hashlib.sha256(open(data / "main_data.hdf5", "rb").read()).hexdigest()
    json.dump(meta, open(data / "metadata.json", "w"))
    return str(dst)


def replace(f, path, data, **kw):
    del f[path]
    f.create_dataset(path, data=data, **kw)


LIES = [
    ("a group too many", lambda f: f.create_group("episode_99"), None, "episode groups"),
    ("total_steps lies", lambda f: f["episode_0"].attrs.__setitem__("total_steps", 3), None, "steps, but"),
    ("total_steps lies twice", lambda f: f["episode_0"].attrs.__setitem__("total_steps", 3),
     lambda m: m.__setitem__("total_steps", m["total_steps"] - int(m["_t0"]) + 3), "has the wrong shape"),
    ("actions as float", lambda f: replace(f, "episode_0/actions", f["episode_0/actions"][()].astype(np.float64)),
     None, "actions has the wrong type"),
    ("an action out of range", lambda f: f["episode_0/actions"].__setitem__(0, 9), None, "outside 0..6"),
    ("an image value out of range", lambda f: f["episode_0/observations/image"].__setitem__((0, 0, 0, 0), 200),
     None, "outside"),
    ("bools as uint8", lambda f: replace(f, "episode_0/terminations", f["episode_0/terminations"][()].astype(np.uint8)),
     None, "terminations has the wrong type"),
    ("a NaN reward", lambda f: f["episode_0/rewards"].__setitem__(0, np.nan), None, "not finite"),
    ("no seed", lambda f: f["episode_0"].attrs.__delitem__("seed"), None, "lacks"),
    ("total_episodes lies", None, lambda m: m.__setitem__("total_episodes", 7), "episode groups"),
    ("total_steps in metadata lies", None, lambda m: m.__setitem__("total_steps", 5), "steps"),
    ("another observation space", None,
     lambda m: m.__setitem__("observation_space", m["observation_space"].replace('"n":4', '"n":5')),
     "observation_space"),
    ("an unknown world", None, lambda m: m["ludus"].__setitem__("env_id", "MiniGrid-Nope-v0"), "unknown world"),
    ("a world of another layout", None, lambda m: m["ludus"].__setitem__("env_id", "CrafterReward-v1"),
     "observation_space"),
]


def assert_refused(d, what, message):
    """`ludus dataset info` on the tampered dataset d: one line, naming message."""
    r = run("dataset", "info", d)
    assert r.returncode == 1, (what, r.stdout)
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("ludus dataset: "), r.stderr
    assert message in r.stderr, r.stderr


@pytest.mark.parametrize("what,fn,meta_fn,message", LIES, ids=[x[0] for x in LIES])
def test_lying_files_are_one_line_errors(root, tmp_path, what, fn, meta_fn, message):
    assert_refused(tamper(root, tmp_path, "grid/doorkey-v0", fn, meta_fn), what, message)


def test_changed_bytes_and_bad_folders(root, tmp_path):
    d = tamper(root, tmp_path, "grid/doorkey-v0", None)
    with open(os.path.join(d, "data", "main_data.hdf5"), "r+b") as f:
        f.seek(5000)
        b = f.read(1)
        f.seek(5000)
        f.write(bytes([b[0] ^ 0xFF]))
    r = run("dataset", "info", d)
    assert r.returncode == 1 and "SHA-256" in r.stderr and r.stderr.count("\n") == 1
    r = run("dataset", "info", tmp_path)
    assert r.returncode == 1 and "is not a dataset" in r.stderr
    r = run("dataset", "info", tmp_path / "nowhere")
    assert r.returncode == 1 and "is not a folder" in r.stderr
    (tmp_path / "bad" / "data").mkdir(parents=True)
    (tmp_path / "bad" / "data" / "metadata.json").write_text("{not json")
    (tmp_path / "bad" / "data" / "main_data.hdf5").write_text("")
    r = run("dataset", "info", tmp_path / "bad")
    assert r.returncode == 1 and "not a JSON object" in r.stderr
    # nothing is overwritten
    r = run("collect", "MiniGrid-DoorKey-5x5-v0", "--agent", "random", "--episodes", 1, "--out", root,
            "--name", "grid/doorkey-v0")
    assert r.returncode == 1 and "already holds a dataset" in r.stderr
    r = run("collect", "MiniGrid-DoorKey-5x5-v0", "--agent", "random", "--episodes", 1, "--out", root,
            "--name", "bad id")
    assert r.returncode == 1 and "is not (namespace/)name-vN" in r.stderr


@pytest.fixture(scope="module")
def masked(tmp_path_factory):
    """A dataset of a world with a legal-action mask (a web task)."""
    d = tmp_path_factory.mktemp("masked")
    r = run("collect", "Web-click-button-v0", "--agent", "random", "--episodes", "4", "--train-levels", "3",
            "--seed", 2, "--out", d, "--name", "web/masks-v0")
    assert r.returncode == 0, r.stderr
    return d


def test_action_masks_in_infos(masked, tmp_path):
    """A world with a legal-action mask (a web task: three components, a
    mask over their values) records each observation's mask as the
    episode's infos/action_mask, where Minari's collector keeps an info key
    (one row for the reset's info, then one per step): int8 as Gymnasium's
    spaces take a mask, (T + 1, sum of nvec), chunked and growable like the
    other datasets. Replayed in ludus, every row is the mask the world gives
    (info["action_mask"]) at that observation."""
    env_id, name = "Web-click-button-v0", "web/masks-v0"
    data = os.path.join(masked, name, "data")
    meta = json.load(open(os.path.join(data, "metadata.json")))
    assert meta["ludus"]["action_masks"] == 1
    env = ludus.make(env_id)
    nvec = [int(n) for n in env.action_space.nvec]
    assert json.loads(meta["action_space"])["type"] == "MultiDiscrete"
    with h5py.File(os.path.join(data, "main_data.hdf5"), "r") as f:
        for i in range(meta["total_episodes"]):
            g = f["episode_%d" % i]
            T = int(g.attrs["total_steps"])
            m = g["infos/action_mask"]
            assert list(g["infos"].keys()) == ["action_mask"]
            assert m.dtype == np.int8 and m.shape == (T + 1, sum(nvec)) and m.maxshape == (None, sum(nvec))
            assert m.chunks is not None and m.compression is None
            masks, acts = m[()], g["actions"][()]
            assert set(np.unique(masks)) <= {0, 1}
            _, info = env.reset(seed=int(g.attrs["seed"]))
            assert np.array_equal(masks[0], info["action_mask"])
            for t in range(T):
                off = np.concatenate([[0], np.cumsum(nvec)[:-1]])
                assert masks[t][off + acts[t]].all()  # every recorded value legal under its row
                _, _, _, _, info = env.step(acts[t])
                assert np.array_equal(masks[t + 1], info["action_mask"])
            assert np.array_equal(masks[T], env.action_mask())
    r = run("dataset", "info", os.path.join(masked, name))
    assert r.returncode == 0 and "masks       infos/action_mask" in r.stdout, r.stdout
    # ludus.datasets: infos as Minari's EpisodeData has them
    ep = ludus.datasets.open(os.path.join(masked, name)).episode(0)
    assert ep.action_mask.dtype == np.int8 and ep.action_mask.shape == (ep.total_steps + 1, sum(nvec))
    assert set(ep.infos) == {"action_mask"}
    # a world without a mask: infos stays the empty group, no key in ludus.datasets
    r = run("collect", "MiniGrid-Empty-5x5-v0", "--agent", "random", "--episodes", "1", "--out", tmp_path,
            "--name", "grid/nomask-v0")
    assert r.returncode == 0, r.stderr
    ep = ludus.datasets.open(os.path.join(tmp_path, "grid/nomask-v0")).episode(0)
    assert ep.infos == {} and ep.action_mask is None
    assert json.load(open(os.path.join(tmp_path, "grid/nomask-v0/data/metadata.json")))["ludus"]["action_masks"] == 0


def forbid_first_action(f):
    """Row 0 of episode 0's masks forbids the value of every component the
    episode's first action took."""
    env = ludus.make("Web-click-button-v0")
    off = np.concatenate([[0], np.cumsum([int(n) for n in env.action_space.nvec])[:-1]])
    m = f["episode_0/infos/action_mask"][()]
    m[0, off + f["episode_0/actions"][0]] = 0
    f["episode_0/infos/action_mask"][...] = m


MASK_LIES = [
    ("a mask byte of 2", lambda f: f["episode_0/infos/action_mask"].__setitem__((0, 0), 2), None, "not 0 or 1"),
    ("a mask byte of -1", lambda f: f["episode_0/infos/action_mask"].__setitem__((1, 0), -1), None, "not 0 or 1"),
    ("a mask forbidding the recorded action", forbid_first_action, None, "an action its mask forbids"),
    ("no masks", lambda f: f["episode_0/infos"].__delitem__("action_mask"), None, "has no dataset action_mask"),
    ("no infos group", lambda f: f["episode_0"].__delitem__("infos"), None, "has no group infos"),
    ("masks one byte short", lambda f: replace(f, "episode_0/infos/action_mask",
                                               f["episode_0/infos/action_mask"][:, :-1]), None, "wrong shape"),
    ("masks one row short", lambda f: replace(f, "episode_0/infos/action_mask",
                                              f["episode_0/infos/action_mask"][:-1]), None, "wrong shape"),
    ("masks as float", lambda f: replace(f, "episode_0/infos/action_mask",
                                         f["episode_0/infos/action_mask"][()].astype(np.float32)), None, "wrong type"),
    ("action_masks 2", None, lambda m: m["ludus"].__setitem__("action_masks", 2), "action_masks"),
    ("action_masks a string", None, lambda m: m["ludus"].__setitem__("action_masks", "1"), "action_masks"),
]


@pytest.mark.parametrize("what,fn,meta_fn,message", MASK_LIES, ids=[x[0] for x in MASK_LIES])
def test_lying_masks_are_one_line_errors(masked, tmp_path, what, fn, meta_fn, message):
    assert_refused(tamper(masked, tmp_path, "web/masks-v0", fn, meta_fn), what, message)


def test_masks_claimed_for_a_world_without(root, tmp_path):
    d = tamper(root, tmp_path, "grid/doorkey-v0", None, lambda m: m["ludus"].__setitem__("action_masks", 1))
    r = run("dataset", "info", d)
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "has no legal-action mask" in r.stderr, r.stderr


def test_a_masked_world_needs_the_masks(masked, tmp_path):
    """A dataset of a masked world written before masks were recorded (no
    action_masks key, infos empty) still reads, but an offline learner in
    that world refuses it in one line."""
    def drop(f):
        for k in f:
            del f[k + "/infos/action_mask"]
    d = tamper(masked, tmp_path, "web/masks-v0", drop, lambda m: m["ludus"].__delitem__("action_masks"))
    r = run("dataset", "info", d)
    assert r.returncode == 0, r.stderr
    assert "masks       none recorded (offline learners refuse it)" in r.stdout
    ep = ludus.datasets.open(d).episode(0)
    assert ep.action_mask is None
    for algo in ("bc", "cql"):
        r = run("train", "Web-click-button-v0", "--algo", algo, "--dataset", d, "--steps", 256,
                "--out", tmp_path / ("run-" + algo), "--no-report")
        assert r.returncode != 0 and r.stderr.count("\n") == 1, r.stderr
        assert "records no action masks" in r.stderr, r.stderr
