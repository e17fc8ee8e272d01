#!/usr/bin/env bash
# test_web_ppo.sh: PPO from the web worlds' tensor view (three action
# components with the legal-action mask) learns atomic tasks and
# generalizes to held-out skins: trained on `split=train,holdout=skin`
# with the recipe configs/web-atomic.json (reward=partial, words=slots:
# the word component names an instruction field or an element slot, so
# the word to type can be copied), evaluated on `split=test,holdout=skin`,
# it beats the uniform random agent (legal actions from the mask) on the
# same held-out levels by a wide margin: PPO's lower 95% bound above
# random's upper bound plus 0.3. The default run: enter-text (a word
# copied from the instruction into a text box, then submit) at 24k frames.
# With LUDUS_LONG_TESTS=1 also the recipe's full budget (80k frames) on
# click-link and click-tab (held-out skins and held-out entities) and on
# the copy tasks choose-list, find-word and enter-password (held-out
# skins) (several minutes).
set -u
LUDUS=${1:?usage: test_web_ppo.sh /abs/path/to/ludus}
here="$(cd "$(dirname "$0")/.." && pwd)"
# the recipe's own world options (its reward and word encoding), kept when evaluating
ropt=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("env_options", ""))' "$here/configs/web-atomic.json")
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# train TASK HOLDOUT STEPS: a run in $tmp/TASK-HOLDOUT, then its held-out
# evaluation and the random agent's, and the check
learns() {
  local t=$1 h=$2 steps=$3 run="$tmp/$1-$2"
  python3 - "$here/configs/web-atomic.json" "$tmp/$t-$h.json" "$h" "$steps" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["env_options"] = c.get("env_options", "") + ",split=train,holdout=" + sys.argv[3]
c["total_steps"] = int(sys.argv[4])
c["eval_episodes"] = 0
json.dump(c, open(sys.argv[2], "w"))
PY
  "$LUDUS" train "Web-$t-v0" --config "$tmp/$t-$h.json" --seed 1 --out "$run" --no-report >/dev/null 2>"$run.err" \
    || { bad "train Web-$t-v0 ($h): $(tail -1 "$run.err")"; return; }
  "$LUDUS" eval "$run" --options "${ropt:+$ropt,}split=test,holdout=$h" --episodes 300 --out "$tmp/$t-$h-ppo.json" >/dev/null 2>&1
  "$LUDUS" eval --agent random "Web-$t-v0" --options "${ropt:+$ropt,}split=test,holdout=$h" --episodes 300 \
    --out "$tmp/$t-$h-random.json" >/dev/null 2>&1
  python3 - "$tmp/$t-$h-random.json" "$tmp/$t-$h-ppo.json" "$h" <<'PY' && ok || bad "PPO beats random on Web-$t-v0, held-out $h"
import json, sys
def heldout(p):
    d = json.load(open(p))
    assert d["env_options"].endswith("split=test,holdout=" + sys.argv[3]), d["env_options"]
    return d["splits"]["heldout"]["success"]
r, p = heldout(sys.argv[1]), heldout(sys.argv[2])
print("random %.3f, PPO %.3f [%.3f, %.3f]" % (r["mean"], p["mean"], p["ci95"][0], p["ci95"][1]))
assert p["ci95"][0] > r["ci95"][1] + 0.3, (r, p)
PY
}

learns enter-text skin 24000

if [ "${LUDUS_LONG_TESTS:-0}" = 1 ]; then
  for t in click-link click-tab; do
    for h in skin entity; do learns "$t" "$h" 80000; done
  done
  for t in choose-list find-word enter-password; do learns "$t" skin 80000; done
fi

echo "test_web_ppo: $pass passed, $fail failed"
[ "$fail" = 0 ]
