#!/usr/bin/env python3
"""crafter_score.py: the Crafter score of training episodes, read from the
metrics.csv of `ludus train` runs (one row per update with, for Crafter, the
count of ended episodes that unlocked each achievement). The Crafter paper
scores an agent on every training episode that ended within the budget
(1M frames); this does the same at update granularity (the episodes of
every update whose last frame is within the window) and also scores later
windows, so a long run's curve compares with the published numbers.

  bench/crafter_score.py RUN_DIR... [--window A:B ...] [--json]

A window A:B (frames, suffixes k and M allowed) takes the updates whose
last frame lies in (A, B]; the default windows are 0:1M and, when the runs
go further, the last 1M frames before 10M, 30M and 100M and before the end.
Prints one row per run and window: episodes, score, wall and CPU seconds
at B. Standard library only.
"""
import csv
import json
import math
import sys


def frames(text):
    text = text.strip()
    mult = 1
    if text[-1:] in "kK":
        mult, text = 1000, text[:-1]
    elif text[-1:] in "mM":
        mult, text = 1000000, text[:-1]
    return int(float(text) * mult)


def load(run):
    with open(f"{run}/metrics.csv") as f:
        rows = list(csv.DictReader(f))
    # a run still going may have written half of its last row
    rows = [r for r in rows if None not in r.values() and "" not in r.values()]
    if not rows or "score" not in rows[0]:
        sys.exit(f"crafter_score: {run}/metrics.csv has no achievement columns (not a Crafter run?)")
    names = list(rows[0].keys())
    achievements = names[names.index("score") + 1:]
    return rows, achievements


def score(rows, achievements, lo, hi):
    """Episodes, per-achievement success rates (percent) and the score of
    the updates whose last frame lies in (lo, hi]."""
    sel = [r for r in rows if lo < int(r["steps"]) <= hi]
    episodes = sum(int(r["episodes"]) for r in sel)
    if not episodes:
        return 0, {}, float("nan"), sel
    rates = {a: 100.0 * sum(int(r[a]) for r in sel) / episodes for a in achievements}
    s = math.exp(sum(math.log(1.0 + v) for v in rates.values()) / len(rates)) - 1.0
    return episodes, rates, s, sel


def main(argv):
    runs, windows, as_json = [], [], False
    i = 0
    while i < len(argv):
        if argv[i] == "--window":
            a, b = argv[i + 1].split(":")
            windows.append((frames(a), frames(b)))
            i += 2
        elif argv[i] == "--json":
            as_json = True
            i += 1
        else:
            runs.append(argv[i])
            i += 1
    if not runs:
        sys.exit(__doc__)
    out = []
    for run in runs:
        rows, achievements = load(run)
        last = int(rows[-1]["steps"])
        marks = [b for b in (10000000, 30000000, 100000000) if b <= last]
        # the run's last 1M frames too, unless it ended at (just past) a mark
        end = [] if last < 2000000 or any(last - b < 100000 for b in marks) else [(last - 1000000, last)]
        wins = windows or [(0, 1000000)] + [(b - 1000000, b) for b in marks] + end
        for lo, hi in wins:
            n, rates, s, sel = score(rows, achievements, lo, hi)
            end = sel[-1] if sel else None
            out.append({"run": run, "from": lo, "to": hi, "episodes": n, "score": s, "rates": rates,
                        "steps": int(end["steps"]) if end else None,
                        "wall_s": float(end["wall_s"]) if end else None,
                        "cpu_s": float(end["cpu_s"]) if end else None})
    if as_json:
        json.dump(out, sys.stdout, indent=1)
        print()
        return
    print("| run | frames (window] | episodes | score (%) | wall at end | CPU at end |")
    print("| --- | --- | --- | --- | --- | --- |")
    for o in out:
        wall = f"{o['wall_s']:.0f} s" if o["wall_s"] is not None else "-"
        cpu = f"{o['cpu_s']:.0f} s" if o["cpu_s"] is not None else "-"
        print(f"| {o['run']} | ({o['from']:,}, {o['to']:,}] | {o['episodes']:,} | {o['score']:.2f} | {wall} | {cpu} |")


if __name__ == "__main__":
    main(sys.argv[1:])
