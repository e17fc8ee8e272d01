#!/usr/bin/env bash
# test_report_cli.sh: `ludus report` as a person sees it. A small real run and
# a small experiment folder built by hand in the brief's layout (from four
# tiny real runs: two methods x two seeds, their eval_curve.csv and
# results.json assembled from `ludus eval` of their kept checkpoints) get
# a report.html each; the HTML parses with a strict checker, every SVG with
# xml.etree, the downloads hold the files' bytes; then headless Chromium
# opens each report, its screenshot is not blank (and a blank page's is
# caught as blank) and its DOM has every section. A short Robust PLR run on
# the maze gets the pictures of the levels its curriculum favours (each
# found pixel for pixel on a screenshot of the whole page) and shows its
# commit; a damaged or foreign curriculum state is a note in the report.
# Bad folders give one-line
# errors and leave an earlier report untouched. LUDUS_REPORT_KEEP=DIR keeps
# a copy of the experiment folder, LUDUS_REPORT_SHOT=FILE.png its screenshot. Chromium missing: a skip of
# the browser part only when CI is unset; under CI=true a failure.
set -u
LUDUS=${1:?usage: test_report_cli.sh /absolute/path/to/ludus}
HERE=$(cd "$(dirname "$0")" && pwd)
LIB=$(dirname "$LUDUS")/libludus.so
CHECK="python3 $HERE/report_check.py"
# Python loads libludus for the PNG reader: a sanitizer build's library
# needs its runtimes preloaded (the paths ldd resolves), leaks not checked
PYLIB=(python3)
if ldd "$LIB" 2>/dev/null | grep -q libasan; then
  PYLIB=(env "LD_PRELOAD=$(ldd "$LIB" | awk '/libasan|libubsan/ {printf "%s:", $3}')" ASAN_OPTIONS=detect_leaks=0 python3)
fi
checklib() { "${PYLIB[@]}" "$HERE/report_check.py" "$@"; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
run_ok() { if "$@" >"$T/out" 2>"$T/err"; then ok; else bad "$*: $(head -c 400 "$T/err")"; fi; }
# refuse PATTERN -- command...: exit status 1 or 2, exactly one line on stderr matching PATTERN
refuse() {
  local pat=$1; shift 2
  "$@" >"$T/out" 2>"$T/err"; local got=$?
  local lines; lines=$(wc -l <"$T/err")
  if [ "$got" -ne 0 ] && [ "$lines" -eq 1 ] && grep -q -- "$pat" "$T/err" && grep -q '^ludus: ' "$T/err"; then ok
  else bad "$* -> status $got, $lines line(s): $(head -c 400 "$T/err") (want /$pat/)"; fi
}
IDS=summary,curves,heldout,aggregates,profiles,improvement,curriculum,episodes,config,data
cd "$T"
W=MiniGrid-Empty-5x5-v0 W2=MiniGrid-Empty-6x6-v0 W3=MiniGrid-Empty-8x8-v0
cat > small.json <<'J'
{"num_envs": 8, "num_steps": 64, "minibatches": 2, "eval_episodes": 30, "checkpoint_every": 2, "keep_checkpoints": 1}
J

# ---- one real run -------------------------------------------------------
run_ok "$LUDUS" train $W --steps 4096 --seed 1 --config small.json --out run
run_ok "$LUDUS" report run --episodes 8
[ -f run/report.html ] && ok || bad "no run/report.html"
ls run/*.tmp >/dev/null 2>&1 && bad "a temporary file was left in run/" || ok
run_ok $CHECK html run/report.html --ids $IDS --csv ppo-seed1-metrics.csv=run/metrics.csv --gifs 3
grep -q "MiniGrid-Empty-5x5-v0" run/report.html && ok || bad "the world is not named in the report"
grep -q "generalization gap" run/report.html && ok || bad "no generalization gap"
# deterministic given the seed: the same report twice
run_ok "$LUDUS" report run --episodes 8 --out again.html
cmp -s run/report.html again.html && ok || bad "two reports of the same run differ"

# ---- an experiment folder by hand, in the brief's layout -----------------
mkdir -p exp/runs
cat > exp/experiment.json <<J
{"train_env": "$W", "methods": ["short", "long"], "seeds": [1, 2], "heldout": ["$W2", "$W3"], "episodes": 20}
J
for m in short long; do
  steps=2048; [ $m = long ] && steps=6144
  for s in 1 2; do
    d=exp/runs/$m/seed$s
    run_ok "$LUDUS" train $W --steps $steps --seed $s --config small.json --out $d
    # eval_curve.csv from the kept checkpoints, each evaluated on every world
    for ck in $d/checkpoints/*.safetensors; do
      for w in $W $W2 $W3; do
        "$LUDUS" eval "$ck" --env $w --episodes 20 --seed 0 --out "$ck.$w.json" >/dev/null 2>&1 || bad "eval $ck $w"
      done
    done
    python3 - $d "$W" "$W2" "$W3" <<'P'
import glob, json, os, sys
d, W = sys.argv[1], sys.argv[2]
rows = []
for ck in glob.glob(d + "/checkpoints/*.safetensors"):
    st = int(os.path.basename(ck).split(".")[0])
    for w in sys.argv[2:]:
        r = json.load(open("%s.%s.json" % (ck, w)))
        split = "train" if w == W else "heldout"
        e = r["splits"][split]
        rows.append((st, w, split, r["episodes"], e["success"]["mean"], e["return"]["mean"]))
with open(d + "/eval_curve.csv", "w") as f:
    f.write("update,steps,world,split,episodes,solved_rate,mean_return\n")
    for st, w, split, n, sr, mr in sorted(rows):
        f.write("%d,%d,%s,%s,%d,%.6g,%.6g\n" % (st // 512, st, w, split, n, sr, mr))
P
    for w in $W2 $W3; do
      "$LUDUS" eval $d --env $w --episodes 20 --out $d/eval.$w.json >/dev/null 2>&1 || bad "eval $d on $w"
    done
  done
done
# a curriculum-like diagnostics column on one run, to see cur_* drawn
python3 - exp/runs/long/seed1/metrics.csv <<'P'
import sys
p = sys.argv[1]; lines = open(p).read().splitlines()
out = [lines[0] + ",cur_levels_seen"] + ["%s,%d" % (l, 7 * (i + 1)) for i, l in enumerate(lines[1:])]
open(p, "w").write("\n".join(out) + "\n")
P
python3 - exp "$W" "$W2" "$W3" <<'P'
import json, sys
root, W, W2, W3 = sys.argv[1:]
runs = []
for m in ("short", "long"):
    for s in (1, 2):
        d = "runs/%s/seed%d" % (m, s)
        ev = json.load(open("%s/%s/eval.json" % (root, d)))
        res = {W: {"split": "train", "episodes": ev["episodes"], "solved_rate": ev["splits"]["train"]["success"]["mean"],
                   "mean_return": ev["splits"]["train"]["return"]["mean"]}}
        for w in (W2, W3):  # W2 under a name of its own, as an experiment's "heldout" may give
            e = json.load(open("%s/%s/eval.%s.json" % (root, d, w)))
            res["Empty6-named" if w == W2 else w] = {"split": "heldout", "episodes": e["episodes"], "solved_rate": e["splits"]["heldout"]["success"]["mean"],
                      "mean_return": e["splits"]["heldout"]["return"]["mean"]}
        cfg = json.load(open("%s/%s/config.json" % (root, d)))
        runs.append({"method": m, "seed": s, "dir": d, "steps": cfg["total_steps"], "results": res})
json.dump({"format": "ludus-results/1", "commit": "test-commit-123", "train_env": W, "methods": ["short", "long"],
           "seeds": [1, 2], "worlds": [{"id": W, "split": "train"}, {"id": W2, "name": "Empty6-named", "split": "heldout"},
                                       {"id": W3, "split": "heldout"}], "episodes": 20, "runs": runs},
          open(root + "/results.json", "w"), indent=1)
P
run_ok "$LUDUS" report exp --episodes 6 --reps 5000
run_ok $CHECK html exp/report.html --ids $IDS --gifs 6 \
  --csv long-seed1-metrics.csv=exp/runs/long/seed1/metrics.csv \
  --csv short-seed2-eval_curve.csv=exp/runs/short/seed2/eval_curve.csv
for want in test-commit-123 cur_levels_seen "P(row &gt; column)" Empty6-named $W3 "evaluation, held-out" \
  "<p>Empty6-named, seed 1"; do
  grep -qF -- "$want" exp/report.html && ok || bad "exp/report.html lacks '$want'"
done
[ -n "${LUDUS_REPORT_KEEP:-}" ] && cp -r exp "$LUDUS_REPORT_KEEP"  # to look at by hand
# two run folders side by side (methods from their configs)
run_ok "$LUDUS" report run exp/runs/long/seed2 --no-gifs --out two.html
run_ok $CHECK html two.html --ids $IDS --gifs 0

# ---- a curriculum's favoured levels, and the commit of a single run --------
# a few Robust PLR updates on the maze: the report pictures the 8 most
# probable levels of its buffer; a damaged or foreign state is a note
cat > cur.json <<'J'
{"curriculum": "robust-plr", "num_envs": 4, "num_steps": 64, "minibatches": 2, "eval_episodes": 10,
 "curriculum_knobs": {"buffer_size": 16, "rho": 0.2}}
J
run_ok "$LUDUS" train Maze-v0 --steps 2560 --seed 1 --config cur.json --out cur
run_ok "$LUDUS" report cur --no-gifs
run_ok $CHECK html cur/report.html --ids $IDS,curriculum-levels --gifs 0 --pngs 8
commit=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["commit"])' cur/config.json 2>/dev/null)
[ -n "$commit" ] && ok || bad "cur/config.json records no commit"
grep -qF "<code>$commit</code>" cur/report.html && ok || bad "the report of a single run does not show its commit '$commit'"
grep -q '"commit": "' run/config.json && ok || bad "run/config.json records no commit"
grep -q '<figcaption>#8: P = ' cur/report.html && ok || bad "no caption of the 8th level"
run_ok "$LUDUS" report cur --no-gifs --levels 3 --out cur3.html
run_ok $CHECK html cur3.html --ids $IDS,curriculum-levels --gifs 0 --pngs 3
run_ok "$LUDUS" report run --no-gifs --out plain.html  # no curriculum: no such section
run_ok $CHECK html plain.html --ids $IDS --gifs 0 --pngs 0
grep -q 'curriculum-levels' plain.html && bad "a run without a curriculum got the levels section" || ok
cp -r cur curcut && head -c 2000 cur/state.safetensors > curcut/state.safetensors
run_ok "$LUDUS" report curcut --no-gifs
grep -q "The curriculum&#39;s levels cannot be shown: .*state.safetensors" curcut/report.html && ok \
  || bad "a damaged state is not named in the report"
cp -r cur curforeign && cp run/state.safetensors curforeign/
run_ok "$LUDUS" report curforeign --no-gifs
grep -q "cannot be shown: .*saved by another run" curforeign/report.html && ok || bad "a foreign state is not named"
refuse "levels must be in \[0, 64\]" -- "$LUDUS" report cur --levels 65

# ---- bad input: one line each, and an earlier report is never lost -------
cp exp/report.html exp.before
mkdir empty half halfexp notcsv badjson badnum badres
refuse "no such folder" -- "$LUDUS" report nowhere
refuse "empty" -- "$LUDUS" report empty
refuse "not a folder" -- "$LUDUS" report small.json
refuse "name at least one" -- "$LUDUS" report
refuse "unknown argument" -- "$LUDUS" report run --bogus
refuse "must be in" -- "$LUDUS" report run --episodes -1
cp run/config.json half/
refuse "no metrics.csv" -- "$LUDUS" report half
cp exp/experiment.json halfexp/
refuse "no results.json" -- "$LUDUS" report halfexp
cp run/config.json notcsv/ && { cat run/metrics.csv; echo "1,2,3"; } > notcsv/metrics.csv
refuse "line [0-9]*: 3 fields" -- "$LUDUS" report notcsv
echo '{"env_id": "x", ' > badjson/config.json
refuse "malformed JSON" -- "$LUDUS" report badjson
cp run/config.json badnum/ && sed '3s/^[0-9]*,[0-9]*,/7,many,/' run/metrics.csv > badnum/metrics.csv
refuse "line 3, column steps: 'many' is not a number" -- "$LUDUS" report badnum --no-gifs
cp exp/experiment.json badres/ && echo '{"format": "other"}' > badres/results.json
refuse "ludus-results/1" -- "$LUDUS" report badres
refuse "cannot write" -- "$LUDUS" report run --no-gifs --out "$T/no/such/dir/r.html"
# exp's results.json breaks after its report was written: the report stays
cp exp/results.json exp.results && echo '{"format": "ludus-results/1", "runs": [' > exp/results.json
refuse "malformed JSON" -- "$LUDUS" report exp
cmp -s exp/report.html exp.before && ok || bad "a failed report changed the earlier one"
cp exp.results exp/results.json

# ---- in a browser ---------------------------------------------------------
# LUDUS_CHROMIUM names the browser (set and empty: behave as if none is installed)
CHROME=${LUDUS_CHROMIUM-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$CHROME" ]; then
  if [ "${CI:-}" = "true" ] || [ -n "${CI:-}" ]; then
    bad "chromium is not installed (scripts/setup-debian.sh installs it); CI needs the browser check"
  else
    echo "test_report_cli: SKIP the browser part: chromium is not installed (apt-get install chromium; CI is unset)"
  fi
else
  shot() { # shot HTML PNG [DOM [--window-size=W,H]]
    timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$T/profile" \
      "${4:---window-size=1100,2400}" --screenshot="$2" "file://$1" >"$T/chrome.log" 2>&1 || bad "chromium screenshot of $1: $(tail -c 300 $T/chrome.log)"
    if [ $# -ge 3 ]; then
      timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --user-data-dir="$T/profile" --dump-dom "file://$1" \
        >"$3" 2>"$T/chrome.log" || bad "chromium --dump-dom of $1"
    fi
  }
  shot "$T/run/report.html" "$T/shot-run.png"
  run_ok checklib png "$T/shot-run.png" "$LIB"
  shot "$T/exp/report.html" "$T/shot-exp.png" "$T/dom.html"
  run_ok checklib png "$T/shot-exp.png" "$LIB"
  run_ok $CHECK dom "$T/dom.html" --ids $IDS
  # the curriculum's levels as drawn: a page tall enough for the whole
  # report, each level picture found on it pixel for pixel
  shot "$T/cur/report.html" "$T/shot-cur.png" "$T/dom-cur.html" --window-size=1100,12000
  run_ok checklib png "$T/shot-cur.png" "$LIB"
  run_ok $CHECK dom "$T/dom-cur.html" --ids $IDS,curriculum-levels
  run_ok checklib shown "$T/shot-cur.png" "$LIB" "$T/cur/report.html"
  [ -n "${LUDUS_REPORT_SHOT:-}" ] && cp "$T/shot-exp.png" "$LUDUS_REPORT_SHOT"
fi
# the screenshot checker catches a blank page (a white PNG written by ludus_png_write)
"${PYLIB[@]}" - "$LIB" "$T/blank.png" <<'P'
import ctypes, sys
lib = ctypes.CDLL(sys.argv[1]); w, h = 400, 300
buf = (ctypes.c_uint8 * (w * h * 3))(*([255] * (w * h * 3)))
sys.exit(lib.ludus_png_write(sys.argv[2].encode(), buf, w, h) != 0)
P
if checklib png "$T/blank.png" "$LIB" >/dev/null 2>&1; then bad "a blank picture passed as not blank"; else ok; fi
echo "test_report_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
