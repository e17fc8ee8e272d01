#!/usr/bin/env bash
# test_cli.sh: the `ludus` command as a user drives it. `ludus trace` must
# print the reference's own lines for recorded episodes; every bad argument
# must give a one-line error and a non-zero exit status.
set -u
LUDUS=${1:?usage: test_cli.sh path/to/ludus}
SHARED=${LUDUS_SHARED_DIR:-$(dirname "$0")/../../shared}
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# expect_fail CODE CMD...: exits with CODE and prints exactly one stderr line
expect_fail() {
  local want=$1; shift
  "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  local lines; lines=$(grep -c . "$tmp/err")
  if [ "$rc" = "$want" ] && [ "$lines" -ge 1 ] && grep -q '^ludus: ' "$tmp/err"; then ok
  else bad "$* -> rc $rc (want $want), stderr: $(head -c 300 "$tmp/err")"; fi
}

# ---- trace reproduces the reference lines --------------------------------
traces="$SHARED/data/minigrid-traces/random"
if [ ! -d "$traces" ]; then
  bad "reference traces missing at $traces (set LUDUS_SHARED_DIR)"
else
  for id in MiniGrid-DoorKey-8x8-v0 MiniGrid-Dynamic-Obstacles-6x6-v0 MiniGrid-LavaCrossingS9N2-v0 MiniGrid-FourRooms-v0; do
    for ep in 0 3; do
      # The reference episode: its seed, its actions, its reset and step lines.
      /usr/bin/python3 - "$traces/$id.jsonl.gz" "$ep" "$tmp/ref" "$tmp/args" <<'PY'
import gzip, sys
path, ep, ref, args = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
import json
eps = []
for line in gzip.open(path, "rt"):
    d = json.loads(line)
    if d["kind"] == "reset": eps.append([line.rstrip("\n")])
    elif d["kind"] == "step": eps[-1].append(line.rstrip("\n"))
lines = eps[ep]
seed = json.loads(lines[0])["seed"]
actions = [json.loads(l)["action"] for l in lines[1:]]
open(ref, "w").write("\n".join(lines) + "\n")
open(args, "w").write(f"{seed} {','.join(map(str, actions))}\n")
PY
      read -r seed actions <"$tmp/args"
      "$LUDUS" trace "$id" --seed "$seed" --actions "$actions" 2>/dev/null | tail -n +2 >"$tmp/ours"
      if cmp -s "$tmp/ours" "$tmp/ref"; then ok; else bad "trace $id seed $seed differs from the reference"; fi
    done
  done
fi
# The header line names the world and the format.
"$LUDUS" trace MiniGrid-Empty-5x5-v0 --seed 1 --actions 2,2 | head -1 | grep -q '"env_id":"MiniGrid-Empty-5x5-v0","format":"ludus-trace/1"' && ok || bad "trace header"
# An episode that ends early stops the trace and says so.
n=$("$LUDUS" trace MiniGrid-Empty-5x5-v0 --seed 1 --actions 2,2,1,2,2,2,2 2>"$tmp/err" | wc -l)
[ "$n" = 7 ] && grep -q "ended at step 4" "$tmp/err" && ok || bad "early end: $n lines, $(cat "$tmp/err")"

# ---- list, info, bench, play -----------------------------------------------
[ "$("$LUDUS" list | wc -l)" -ge 54 ] && ok || bad "list is short"
"$LUDUS" list --family MiniGrid | grep -q '^MiniGrid-DoorKey-8x8-v0 ' && ok || bad "list --family"
"$LUDUS" info MiniGrid-DoorKey-8x8-v0 | grep -q 'image .*shape (7, 7, 3)' && ok || bad "info image field"
"$LUDUS" info MiniGrid-Dynamic-Obstacles-5x5-v0 | grep -q 'Discrete(3)' && ok || bad "info dynamic obstacles"
"$LUDUS" info BabyAI-UnblockPickup-v0 | grep -q '^generation .* rejected samples per level' && ok || bad "info shows BabyAI rejections"
"$LUDUS" info BabyAI-BossLevel-v0 | grep -q '^step limits ' && ok || bad "info shows BabyAI step limits"
"$LUDUS" bench MiniGrid-Empty-5x5-v0 --envs 8 --threads 2 --steps 20000 | grep -q 'steps/s' && ok || bad "bench"
printf 'ww' | "$LUDUS" play MiniGrid-Empty-5x5-v0 --seed 0 | grep -q 'step 2/100' && ok || bad "play from a pipe"
printf 'wwdwwq' | "$LUDUS" play MiniGrid-Empty-5x5-v0 | grep -q '^success after' && ok || bad "play reaches the goal"
"$LUDUS" --version | grep -q '^ludus ' && ok || bad "--version"
"$LUDUS" trace --help | grep -q '^usage: ludus trace' && ok || bad "trace --help"

# ---- bad input: one line, non-zero ----------------------------------------
"$LUDUS" >/dev/null 2>"$tmp/err"; [ $? = 2 ] && grep -q '^usage: ludus COMMAND' "$tmp/err" && ok || bad "no command: usage and status 2"
expect_fail 2 "$LUDUS" frobnicate
expect_fail 1 "$LUDUS" info MiniGrid-DoorKey-9x9-v0
grep -q "did you mean .*'MiniGrid-DoorKey-8x8-v0'" "$tmp/err" && ok || bad "no suggestion for a near id"
expect_fail 2 "$LUDUS" info
expect_fail 2 "$LUDUS" info MiniGrid-Empty-5x5-v0 --bogus
expect_fail 1 "$LUDUS" info MiniGrid-Empty-5x5-v0 --options agent_view_size=4
expect_fail 1 "$LUDUS" info MiniGrid-Empty-5x5-v0 --options colour=red
expect_fail 2 "$LUDUS" trace MiniGrid-Empty-5x5-v0 --seed 1
expect_fail 2 "$LUDUS" trace MiniGrid-Empty-5x5-v0 --actions 1,2
expect_fail 2 "$LUDUS" trace MiniGrid-Empty-5x5-v0 --seed -1 --actions 1
expect_fail 2 "$LUDUS" trace MiniGrid-Empty-5x5-v0 --seed 18446744073709551616 --actions 1
expect_fail 2 "$LUDUS" trace MiniGrid-Empty-5x5-v0 --seed 12abc --actions 1
expect_fail 2 "$LUDUS" trace MiniGrid-Empty-5x5-v0 --seed 1 --actions 1,,2
expect_fail 2 "$LUDUS" trace MiniGrid-Empty-5x5-v0 --seed 1 --actions 7
expect_fail 2 "$LUDUS" trace MiniGrid-Empty-5x5-v0 --seed 1 --actions -1
expect_fail 2 "$LUDUS" trace MiniGrid-Empty-5x5-v0 --seed 1 --actions 1,x
expect_fail 2 "$LUDUS" trace MiniGrid-Empty-5x5-v0 --seed
expect_fail 1 "$LUDUS" trace NoSuchWorld --seed 1 --actions 1
expect_fail 2 "$LUDUS" bench MiniGrid-Empty-5x5-v0 --envs 0
expect_fail 2 "$LUDUS" bench MiniGrid-Empty-5x5-v0 --threads 100
expect_fail 2 "$LUDUS" bench MiniGrid-Empty-5x5-v0 --steps many
expect_fail 2 "$LUDUS" bench
expect_fail 2 "$LUDUS" play
expect_fail 1 "$LUDUS" play NoSuchWorld
expect_fail 2 "$LUDUS" list extra
# Edge seeds are fine.
"$LUDUS" trace MiniGrid-DoorKey-8x8-v0 --seed 18446744073709551615 --actions 2 >/dev/null && ok || bad "seed 2^64-1"
"$LUDUS" trace MiniGrid-DoorKey-8x8-v0 --seed 9223372036854775808 --actions 2 >/dev/null && ok || bad "seed 2^63"
"$LUDUS" trace MiniGrid-DoorKey-8x8-v0 --seed 0 --actions "" | wc -l | grep -q '^2$' && ok || bad "empty action list"

echo "test_cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
