#!/usr/bin/env bash
# web_learning.sh: the per-task table of docs/web.md ("PPO from the tensor
# view"). For each atomic task and each holdout (skin, entity): PPO with the
# recipe configs/web-atomic.json (its env_options, reward=partial, plus)
# trained on `split=train,holdout=H`, then
# evaluated on 500 held-out levels of the seen split (eval.json, written by
# the run) and on 500 held-out levels of `split=test,holdout=H` (`ludus
# eval --options`); the uniform random agent (legal actions from the mask)
# on the same held-out split. Sampled actions, 95% bootstrap intervals.
# One markdown row per task and holdout.
#   bench/web_learning.sh BUILD_DIR OUT_DIR [TASK,TASK,...] [HOLDOUT,...] [SEED]
# e.g. nice -n 10 bench/web_learning.sh build /tmp/web-runs click-button,enter-text skin 1
set -euo pipefail
build=$1 out=$2
tasks=${3:-click-button,click-link,click-dialog,click-tab,click-collapsible,click-menu,click-checkboxes,enter-text,choose-list,login-user}
holdouts=${4:-skin,entity}
seed=${5:-1}
here=$(cd "$(dirname "$0")/.." && pwd)
# the recipe's own world options (its reward), kept when evaluating
ropt=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("env_options", ""))' "$here/configs/web-atomic.json")
mkdir -p "$out"
echo "| task | holdout | random, held-out | PPO, seen (new levels) | PPO, held-out | frames | train wall s | train CPU s |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for t in ${tasks//,/ }; do
  id="Web-$t-v0"
  for h in ${holdouts//,/ }; do
    run="$out/$t-$h-s$seed"
    cfg="$out/$t-$h.json"
    # the recipe with the split's options
    python3 - "$here/configs/web-atomic.json" "$cfg" "$h" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["env_options"] = c.get("env_options", "") + ",split=train,holdout=" + sys.argv[3]
json.dump(c, open(sys.argv[2], "w"))
PY
    "$build/ludus" train "$id" --config "$cfg" --seed "$seed" --out "$run" --force --no-report >/dev/null 2>"$run.log" || {
      echo "| $t | $h | failed: $(tail -1 "$run.log") |"; continue; }
    "$build/ludus" eval "$run" --options "${ropt:+$ropt,}split=test,holdout=$h" --episodes 500 --out "$run/test.json" >/dev/null
    "$build/ludus" eval --agent random "$id" --options "${ropt:+$ropt,}split=test,holdout=$h" --episodes 500 \
      --out "$run/random.json" >/dev/null
    python3 - "$run" "$t" "$h" <<'PY'
import csv, json, sys
run, task, h = sys.argv[1:]
def cell(path):
    s = json.load(open(path))["splits"]["heldout"]["success"]
    return "%.3f [%.3f, %.3f]" % (s["mean"], s["ci95"][0], s["ci95"][1])
rows = list(csv.DictReader(open(run + "/metrics.csv")))
last = rows[-1]
print("| %s | %s | %s | %s | %s | %s | %.0f | %.0f |" % (
    task, h, cell(run + "/random.json"), cell(run + "/eval.json"), cell(run + "/test.json"),
    last["steps"], float(last["wall_s"]), float(last["cpu_s"])))
PY
  done
done
