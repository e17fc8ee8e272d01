#!/usr/bin/env bash
# test_craft_cli.sh: Crafter through the `ludus` command. `ludus trace`
# with the original textures must print the reference's own step lines for
# a recorded episode; info, text, render and bench work; bad options and a
# bad assets folder give a one-line error and a non-zero status.
set -u
LUDUS=${1:?usage: test_craft_cli.sh path/to/ludus}
SHARED=${LUDUS_SHARED_DIR:-$(dirname "$0")/../../shared}
DATA=${LUDUS_CRAFTER_DATA:-$SHARED/data/crafter}
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

expect_fail() {
  "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  if [ "$rc" != 0 ] && grep -q '^ludus: ' "$tmp/err"; then ok
  else bad "$* -> rc $rc, stderr: $(head -c 300 "$tmp/err")"; fi
}

# ---- trace: the reference's lines, byte for byte ---------------------------
trace=$(ls "$DATA"/traces/*.jsonl.gz 2>/dev/null | sort | sed -n 4p)
if [ -z "$trace" ] || [ ! -f "$trace" ]; then
  bad "reference trace missing at $trace (set LUDUS_SHARED_DIR)"
else
  /usr/bin/python3 - "$trace" "$tmp/ref" "$tmp/args" <<'PY'
import gzip, json, sys
path, ref, args = sys.argv[1:4]
lines = [l.rstrip("\n") for l in gzip.open(path, "rt")]
steps = [l for l in lines if l.startswith('{"t":')]
open(ref, "w").write("\n".join(steps) + "\n")
seed = json.loads(lines[0])["seed"]
acts = ",".join(str(json.loads(l)["a"]) for l in steps)
open(args, "w").write("%d %s\n" % (seed, acts))
PY
  read -r seed acts <"$tmp/args"
  if "$LUDUS" trace Crafter-Reward-v1 --seed "$seed" --actions "$acts" --options "assets=$DATA/assets" \
      >"$tmp/ours" 2>"$tmp/err"; then ok; else bad "ludus trace failed: $(cat "$tmp/err")"; fi
  grep '^{"t":' "$tmp/ours" >"$tmp/ours_steps"
  if cmp -s "$tmp/ours_steps" "$tmp/ref"; then ok
  else bad "trace of seed $seed differs from the reference: $(diff "$tmp/ours_steps" "$tmp/ref" | head -c 400)"; fi
  if grep -q "^{\"kind\":\"reset\",\"seed\":$seed,\"episode\":1," "$tmp/ours"; then ok; else bad "no reset line"; fi
fi

# ---- info, text, render, bench ------------------------------------------------
"$LUDUS" info CrafterReward-v1 >"$tmp/info" 2>&1 && grep -q 'options .*mode=exact|fast' "$tmp/info" \
  && grep -q 'view .*shape (7, 9)' "$tmp/info" && ok || bad "ludus info: $(head -c 300 "$tmp/info")"
"$LUDUS" text Crafter-Reward-v1 --seed 1 --actions 1,1,5 --balrog >"$tmp/text" 2>&1 \
  && grep -q 'You face' "$tmp/text" && grep -q -- '- health: 9/9' "$tmp/text" && ok \
  || bad "ludus text --balrog: $(head -c 300 "$tmp/text")"
"$LUDUS" render Crafter-Reward-v1 --seed 2 --tile 16 -o "$tmp/frame.png" >/dev/null 2>"$tmp/err" \
  && [ -s "$tmp/frame.png" ] && ok || bad "ludus render: $(cat "$tmp/err")"
"$LUDUS" bench Crafter-Reward-v1 --envs 4 --steps 2000 --options mode=fast >"$tmp/bench" 2>&1 && ok \
  || bad "ludus bench: $(head -c 300 "$tmp/bench")"

# ---- errors ------------------------------------------------------------------------
expect_fail "$LUDUS" info Crafter-Reward-v1 --options colour=blue
expect_fail "$LUDUS" trace Crafter-Reward-v1 --seed 0 --actions 1 --options assets=/nonexistent/assets
expect_fail "$LUDUS" trace Crafter-Reward-v1 --seed 0 --actions 17
expect_fail "$LUDUS" render Crafter-Reward-v1 --seed 0 --tile 500 -o "$tmp/big.png"

echo "test_craft_cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
