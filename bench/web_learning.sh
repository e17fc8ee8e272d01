#!/usr/bin/env bash
# web_learning.sh: the per-task table of docs/web.md ("PPO from the tensor
# view"). For each atomic task, holdout (skin, entity) and seed: PPO with
# the recipe configs/web-atomic.json (its env_options, reward=partial and
# words=slots, plus the split) trained on `split=train,holdout=H`, then
# evaluated on 500 held-out levels of the seen split (eval.json, written
# by the run) and on 500 held-out levels of `split=test,holdout=H` (`ludus
# eval --options`); the uniform random agent (legal actions from the
# mask) once per task and holdout on the same held-out split. Sampled
# actions, 95% bootstrap intervals. One markdown row per run (seed), and
# with SUMMARY=1 (or `bench/web_learning.sh --summary OUT_DIR`) one row per
# task and holdout over the seeds found in OUT_DIR.
#   bench/web_learning.sh BUILD_DIR OUT_DIR [TASK,TASK,...] [HOLDOUT,...] [SEED,SEED,...]
#   bench/web_learning.sh --summary OUT_DIR
# e.g. nice -n 10 bench/web_learning.sh build /tmp/web-runs enter-text,choose-list skin 1,2,3
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

summary() {
  python3 - "$1" <<'PY'
import glob, json, os, re, sys
out = sys.argv[1]
def heldout(p):
    return json.load(open(p))["splits"]["heldout"]["success"]
def cell(s):
    return "%.3f [%.3f, %.3f]" % (s["mean"], s["ci95"][0], s["ci95"][1])
runs = {}
for d in sorted(glob.glob(os.path.join(out, "*-s[0-9]*"))):
    m = re.match(r"(.+)-(skin|entity)-s(\d+)$", os.path.basename(d))
    if not m or not os.path.exists(d + "/test.json") or not os.path.exists(d + "/eval.json"):
        continue
    runs.setdefault((m.group(1), m.group(2)), []).append((int(m.group(3)), d))
print("| task | holdout | oracle | random, held-out | seeds | PPO seen, mean (per seed) | PPO held-out, mean (per seed) | lowest held-out lower bound |")
print("| --- | --- | ---: | ---: | ---: | --- | --- | ---: |")
for (task, h), rs in runs.items():
    rs.sort()
    rnd = os.path.join(out, "%s-%s-random.json" % (task, h))
    seen = [heldout(d + "/eval.json") for _, d in rs]
    test = [heldout(d + "/test.json") for _, d in rs]
    mean = lambda xs: sum(x["mean"] for x in xs) / len(xs)
    print("| %s | %s | 1.000 | %s | %s | %.3f (%s) | %.3f (%s) | %.3f |" % (
        task, h, cell(heldout(rnd)) if os.path.exists(rnd) else "-", ",".join(str(s) for s, _ in rs),
        mean(seen), ", ".join("%.3f" % x["mean"] for x in seen),
        mean(test), ", ".join("%.3f" % x["mean"] for x in test), min(x["ci95"][0] for x in test)))
PY
}

if [ "${1:-}" = --summary ]; then summary "${2:?usage: web_learning.sh --summary OUT_DIR}"; exit 0; fi
build=$1 out=$2
tasks=${3:-click-button,click-link,click-dialog,click-tab,click-collapsible,click-menu,click-checkboxes,enter-text,choose-list,login-user}
holdouts=${4:-skin,entity}
seeds=${5:-1}
# the recipe's own world options (its reward and word encoding), kept when evaluating
ropt=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("env_options", ""))' "$here/configs/web-atomic.json")
mkdir -p "$out"
echo "| task | holdout | seed | random, held-out | PPO, seen (new levels) | PPO, held-out | frames | train wall s | train CPU s |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for t in ${tasks//,/ }; do
  id="Web-$t-v0"
  for h in ${holdouts//,/ }; do
    cfg="$out/$t-$h.json"
    # the recipe with the split's options
    python3 - "$here/configs/web-atomic.json" "$cfg" "$h" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["env_options"] = c.get("env_options", "") + ",split=train,holdout=" + sys.argv[3]
json.dump(c, open(sys.argv[2], "w"))
PY
    rnd="$out/$t-$h-random.json"
    [ -s "$rnd" ] || "$build/ludus" eval --agent random "$id" --options "${ropt:+$ropt,}split=test,holdout=$h" \
      --episodes 500 --out "$rnd" >/dev/null
    for seed in ${seeds//,/ }; do
      run="$out/$t-$h-s$seed"
      "$build/ludus" train "$id" --config "$cfg" --seed "$seed" --out "$run" --force --no-report >/dev/null 2>"$run.log" || {
        echo "| $t | $h | $seed | failed: $(tail -1 "$run.log") |"; continue; }
      "$build/ludus" eval "$run" --options "${ropt:+$ropt,}split=test,holdout=$h" --episodes 500 --out "$run/test.json" >/dev/null
      python3 - "$run" "$t" "$h" "$seed" "$rnd" <<'PY'
import csv, json, sys
run, task, h, seed, rnd = sys.argv[1:]
def cell(path):
    s = json.load(open(path))["splits"]["heldout"]["success"]
    return "%.3f [%.3f, %.3f]" % (s["mean"], s["ci95"][0], s["ci95"][1])
rows = list(csv.DictReader(open(run + "/metrics.csv")))
last = rows[-1]
print("| %s | %s | %s | %s | %s | %s | %s | %.0f | %.0f |" % (
    task, h, seed, cell(rnd), cell(run + "/eval.json"), cell(run + "/test.json"),
    last["steps"], float(last["wall_s"]), float(last["cpu_s"])))
PY
    done
  done
done
if [ "${SUMMARY:-0}" = 1 ]; then echo; summary "$out"; fi
