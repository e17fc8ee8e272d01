#!/usr/bin/env bash
# test_maze_cli.sh: the maze worlds through the `ludus` command: list by
# family, info, text, trace (JSON lines that parse, the grid worlds'
# fields), render, record, play from a pipe, and one-line errors for bad
# options. With LUDUS_LONG_TESTS=1, PPO trains on Maze-v0 for 200k steps
# and must solve more held-out Maze-v0 levels than a random agent.
set -u
LUDUS=${1:?usage: test_maze_cli.sh path/to/ludus}
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

expect_fail() {
  local want=$1; shift
  "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  if [ "$rc" = "$want" ] && [ "$(grep -c . "$tmp/err")" = 1 ] && grep -q '^ludus: ' "$tmp/err"; then ok
  else bad "$* -> rc $rc (want $want), stderr: $(head -c 300 "$tmp/err")"; fi
}

n=$("$LUDUS" list --family maze | wc -l)
[ "$n" = 14 ] && ok || bad "list --family maze shows $n worlds (want 14)"
n=$("$LUDUS" list --family MAZE | grep -c '^Maze-')
[ "$n" = 14 ] && ok || bad "list --family MAZE shows $n worlds (want 14)"
"$LUDUS" info Maze-v0 | grep -q 'image .*shape (5, 5, 3)' && ok || bad "info: the 5x5 view"
"$LUDUS" info Maze-PerfectMazeXL-v0 | grep -q '103 x 103' && ok || bad "info: the XL maze's size"
"$LUDUS" info Maze-v0 | grep -q '^level  *30 bytes' && ok || bad "info: the level block's size"
"$LUDUS" info MiniGrid-Empty-5x5-v0 | grep -q '^level' && bad "info: a grid world has no level block" || ok

"$LUDUS" text Maze-SixteenRooms-v0 --seed 0 --actions 2,2 > "$tmp/text" &&
  grep -q '^Mission: get to the green goal square' "$tmp/text" && grep -q '^a wall 2 steps left' "$tmp/text" &&
  ok || bad "text of SixteenRooms"

"$LUDUS" trace Maze-Labyrinth-v0 --seed 4 --actions 2,2,2,0,1,6 > "$tmp/trace" && ok || bad "trace"
/usr/bin/python3 - "$tmp/trace" <<'PY' && ok || bad "trace lines"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
h, r, steps = lines[0], lines[1], lines[2:]
assert h["format"] == "ludus-trace/1" and h["width"] == 15 and h["max_steps"] == 450, h
assert h["agent_view_size"] == 5 and h["action_space_n"] == 7
g = r["grid"]
assert len(g) == 15 and all(len(col) == 15 for col in g)
assert g[7][7] == [8, 1, 0], g[7][7]          # the goal at interior (6, 6)
assert r["agent_pos"] == [1, 13] and r["agent_dir"] == 0
assert len(r["obs"]) == 5 and len(r["obs"][0]) == 5
assert [s["agent_pos"] for s in steps[:3]] == [[2, 13], [3, 13], [4, 13]]
assert all(s["grid_diff"] == [] for s in steps) and len(steps) == 6
PY

"$LUDUS" render Maze-PerfectMazeLarge-v0 --seed 2 --tile 4 -o "$tmp/m.png" | grep -q '212x212' && ok || bad "render"
"$LUDUS" record Maze-v0 --seed 1 --random --steps 20 -o "$tmp/m.gif" >/dev/null && [ -s "$tmp/m.gif" ] && ok ||
  bad "record"
printf 'ww' | "$LUDUS" play Maze-SixteenRooms-v0 --seed 0 | grep -q 'step 2/450' && ok || bad "play from a pipe"

expect_fail 1 "$LUDUS" info Maze-v0 --options walls=500
expect_fail 1 "$LUDUS" info Maze-v0 --options sample_walls=1,walls=0
expect_fail 1 "$LUDUS" info Maze-Labyrinth-v0 --options walls=5
expect_fail 1 "$LUDUS" render Maze-v0 --seed 0 --tile 300 -o "$tmp/x.png"

if [ "${LUDUS_LONG_TESTS:-0}" = 1 ]; then
  "$LUDUS" train Maze-v0 --steps 200000 --seed 1 --out "$tmp/run" >/dev/null 2>&1 && ok || bad "train Maze-v0"
  "$LUDUS" eval --agent random Maze-v0 --episodes 1000 --out "$tmp/random.json" >/dev/null 2>&1
  "$LUDUS" eval "$tmp/run" --episodes 1000 --out "$tmp/ppo.json" >/dev/null 2>&1
  /usr/bin/python3 - "$tmp/random.json" "$tmp/ppo.json" <<'PY' && ok || bad "PPO beats a random agent on Maze-v0"
import json, sys
def succ(p):
    d = json.load(open(p))
    return d["splits"]["heldout"]["success"]["mean"] if "splits" in d else d["heldout"]["success"]["mean"]
r, p = succ(sys.argv[1]), succ(sys.argv[2])
print("random", r, "ppo", p)
assert p > r + 0.1, (r, p)
PY
fi

echo "test_maze_cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
