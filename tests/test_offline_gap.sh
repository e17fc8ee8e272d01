#!/usr/bin/env bash
# test_offline_gap.sh: `ludus dataset merge` and a smoke run of
# bench/offline_gap.sh (docs/offline-gap.md).
# merge: two datasets of random play on Empty-5x5 merged into one; h5py
# (the Farama ecosystem's reader) reads the merged file and finds every
# episode of the first source then every episode of the second, each
# observation, action, reward, flag and level seed equal to its source's,
# ids renumbered 0..N-1, totals summed; `ludus dataset info` and BC read
# it. Bad input: no sources, no --out or --name, a folder that is not a
# dataset, datasets of two worlds, training with held-out levels, an
# existing target: each a one-line error, nothing written.
# smoke: the study's script at tiny budgets prints one table of 11 rows and
# 7 columns whose every measure parses and lies in [0, 1]; run again on its
# folder it runs nothing and prints the same table.
set -u
LUDUS=${1:?usage: test_offline_gap.sh path/to/ludus}
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
# expect STATUS PATTERN -- command...: exit status and one stderr line matching PATTERN
expect() {
  local want=$1 pat=$2; shift 3
  "$@" >"$T/out" 2>"$T/err"; local got=$?
  if [ "$got" = "$want" ] && grep -q -- "$pat" "$T/err" && [ "$(wc -l <"$T/err")" -le 3 ]; then ok
  else bad "$* -> $got: $(head -c 300 "$T/err")"; fi
}
# Debian's python3 has h5py (python3-h5py); a python3 earlier on PATH may not
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
cd "$T"
W=MiniGrid-Empty-5x5-v0
"$LUDUS" collect $W --agent random --episodes 5 --train-levels 3 --seed 1 --out ds --name a/one-v0 >/dev/null &&
"$LUDUS" collect $W --agent random --episodes 4 --train-levels 7 --seed 2 --out ds --name a/two-v0 >/dev/null &&
"$LUDUS" collect $W --agent random --episodes 2 --levels heldout --out ds --name a/held-v0 >/dev/null &&
"$LUDUS" collect MiniGrid-Empty-6x6-v0 --agent random --episodes 2 --out ds --name a/other-v0 >/dev/null ||
  { echo "FAIL: collecting the sources" >&2; exit 1; }

# ---- merging ----
if "$LUDUS" dataset merge --out ds --name m/both-v0 ds/a/one-v0 ds/a/two-v0 >out 2>err &&
   grep -q "9 episodes" out; then ok; else bad "merge: $(cat out err)"; fi
$PY - ds/a/one-v0 ds/a/two-v0 ds/m/both-v0 <<'EOF' && ok || bad "the merged file read with h5py differs from its sources"
import json, sys
import h5py
import numpy as np
srcs, merged = sys.argv[1:3], sys.argv[3]
eps = []
for s in srcs:
    with h5py.File(s + "/data/main_data.hdf5", "r") as f:
        for i in range(len(f.keys())):
            g = f["episode_%d" % i]
            eps.append({k: np.asarray(g["observations"][k]) for k in g["observations"]} |
                       {"actions": g["actions"][()], "rewards": g["rewards"][()], "terminations": g["terminations"][()],
                        "truncations": g["truncations"][()], "seed": int(g.attrs["seed"])})
meta = json.load(open(merged + "/data/metadata.json"))
assert meta["total_episodes"] == len(eps) == 9, meta["total_episodes"]
assert meta["total_steps"] == sum(len(e["actions"]) for e in eps)
lu = meta["ludus"]
assert lu["agent"] == "random" and lu["levels"] == "train" and lu["level_start"] == "0" and lu["level_count"] == "7", lu
with h5py.File(merged + "/data/main_data.hdf5", "r") as f:
    assert len(f.keys()) == 9
    for i, e in enumerate(eps):
        g = f["episode_%d" % i]
        assert int(g.attrs["id"]) == i and int(g.attrs["seed"]) == e["seed"]
        assert int(g.attrs["total_steps"]) == len(e["actions"])
        for k in ("actions", "rewards", "terminations", "truncations"):
            assert g[k].dtype == f["episode_0"][k].dtype and np.array_equal(g[k][()], e[k]), (i, k)
        for k in g["observations"]:
            assert np.array_equal(np.asarray(g["observations"][k]), e[k]), (i, k)
    # the sources' seeds: one-v0 on levels 0..2, two-v0 on 0..6, in order
    assert [int(f["episode_%d" % i].attrs["seed"]) for i in range(9)] == [e["seed"] for e in eps]
EOF
if "$LUDUS" dataset info ds/m/both-v0 >out 2>&1 && grep -q "^episodes    9" out; then ok; else bad "info: $(cat out)"; fi
echo '{"eval_episodes": 0}' >quiet.json
if "$LUDUS" train $W --algo bc --dataset ds/m/both-v0 --steps 256 --config quiet.json \
     --out bc --no-report >out 2>&1; then ok; else bad "bc on the merged dataset: $(tail -2 out)"; fi

# ---- bad input ----
expect 2 "which datasets" -- "$LUDUS" dataset merge --out ds --name m/x-v0
expect 2 "where" -- "$LUDUS" dataset merge --name m/x-v0 ds/a/one-v0
expect 2 "which id" -- "$LUDUS" dataset merge --out ds ds/a/one-v0
expect 2 "unknown option --nam" -- "$LUDUS" dataset merge --out ds --nam m/x-v0 ds/a/one-v0
mkdir -p empty
expect 1 "is not a dataset" -- "$LUDUS" dataset merge --out ds --name m/x-v0 ds/a/one-v0 empty
expect 1 "recorded in world MiniGrid-Empty-6x6-v0" -- "$LUDUS" dataset merge --out ds --name m/x-v0 ds/a/one-v0 ds/a/other-v0
expect 1 "held-out levels stay apart" -- "$LUDUS" dataset merge --out ds --name m/x-v0 ds/a/one-v0 ds/a/held-v0
if [ ! -e ds/m/x-v0/data/metadata.json ]; then ok; else bad "a refused merge left a dataset"; fi
expect 1 "already\|exists" -- "$LUDUS" dataset merge --out ds --name m/both-v0 ds/a/one-v0

# ---- the study's script at tiny budgets ----
if LUDUS="$LUDUS" ENV_ID=MiniGrid-DoorKey-5x5-v0 PPO_STEPS=4096 CKPT_EVERY=1 EARLY_STEPS=2048 EPISODES=8 \
     OFF_STEPS=1024 EVAL_EPISODES=8 TRAIN_LEVELS=2 DIV_LEVELS=4 SEEDS=1 \
     "$HERE/../bench/offline_gap.sh" study >table.md 2>err; then ok; else bad "offline_gap.sh: $(cat err)"; fi
$PY - table.md <<'EOF' && ok || bad "the study's table: $(cat table.md)"
import re, sys
lines = [l for l in open(sys.argv[1]) if l.startswith("|")]
assert lines[0].split("|")[1:-1] == [" data ", " transitions ", " learner ", " training levels ", " train ",
                                     " held-out ", " gap "], lines[0]
rows = [l.split("|")[1:-1] for l in lines[2:]]
assert len(rows) == 11, len(rows)
assert [r[2].strip() for r in rows] == ["PPO"] * 3 + ["BC", "CQL"] * 4, [r[2] for r in rows]
for r in rows:
    assert len(r) == 7
    for c in (4, 5):  # "mean [lo, hi]"
        m = re.fullmatch(r" (\S+) \[(\S+), (\S+)\] ", r[c])
        assert m, r[c]
        mean, lo, hi = map(float, m.groups())
        assert 0 <= lo <= mean <= hi <= 1, r[c]
    gap = float(r[6])
    assert -1 <= gap <= 1
    int(r[1].split()[0])
EOF
# a second run on the same folder skips every finished step: the same table, no new command
lines=$(wc -l <study/cpu.txt)
if LUDUS="$LUDUS" ENV_ID=MiniGrid-DoorKey-5x5-v0 PPO_STEPS=4096 CKPT_EVERY=1 EARLY_STEPS=2048 EPISODES=8 \
     OFF_STEPS=1024 EVAL_EPISODES=8 TRAIN_LEVELS=2 DIV_LEVELS=4 SEEDS=1 \
     "$HERE/../bench/offline_gap.sh" study >again.md 2>err && cmp -s table.md again.md &&
   [ "$(wc -l <study/cpu.txt)" = "$lines" ]; then ok; else bad "offline_gap.sh again: $(cat err)"; fi
echo "test_offline_gap: $pass passed, $fail failed"
[ "$fail" = 0 ]
