#!/usr/bin/env python3
"""offline_gap_table.py ROWS.tsv [CPU.txt]: the markdown table of
bench/offline_gap.sh.

ROWS.tsv: seed, data, transitions, learner, training levels, eval.json per
line. The measure is `success` (the fraction of episodes that succeeded)
or, for worlds with achievements, the Crafter `score` divided by 100 (a
fraction too). With one seed a cell is the mean and its 95% bootstrap
interval over episodes (ludus eval's); with several, the mean over seeds
and, in parentheses, the lowest and highest seed's mean. The gap is train
minus held-out. CPU.txt (name seconds per line) adds the CPU time of each
phase below the table. With several seeds, the paper's two comparisons
follow, paired by seed on held-out levels: BC minus CQL on each dataset,
and the diverse dataset minus the repeated one for each learner (the
rows whose data names "(div. expert)", with and without "repeated").
"""
import json
import sys


def measure(split):
    if "score" in split:
        s = split["score"]
        return s["mean"] / 100.0, s["ci95"][0] / 100.0, s["ci95"][1] / 100.0
    s = split["success"]
    return s["mean"], s["ci95"][0], s["ci95"][1]


def cell(vals):
    if len(vals) == 1:
        m, lo, hi = vals[0]
        return "%.3f [%.3f, %.3f]" % (m, lo, hi)
    means = [v[0] for v in vals]
    return "%.3f (%.3f-%.3f)" % (sum(means) / len(means), min(means), max(means))


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: offline_gap_table.py ROWS.tsv [CPU.txt]")
    groups, order, seeds, world = {}, [], [], None
    for line in open(sys.argv[1]):
        seed, data, trans, learner, levels, path = line.rstrip("\n").split("\t")
        report = json.load(open(path))
        world = report["env_id"]
        key = (data, learner)
        if key not in groups:
            groups[key] = {"trans": [], "levels": levels, "train": [], "heldout": [], "gap": []}
            order.append(key)
        g = groups[key]
        tr, ho = measure(report["splits"]["train"]), measure(report["splits"]["heldout"])
        g["trans"].append(trans)
        g["train"].append(tr)
        g["heldout"].append(ho)
        g["gap"].append((tr[0] - ho[0],) * 3)
        g.setdefault("by_seed", {})[seed] = ho[0]
        if seed not in seeds:
            seeds.append(seed)
    if not order:
        sys.exit("offline_gap_table.py: no rows in %s" % sys.argv[1])
    print("%s, seeds %s; success (Crafter: score / 100); one seed: [95%% bootstrap interval], several: "
          "(lowest-highest seed)\n" % (world, ", ".join(seeds)))
    print("| data | transitions | learner | training levels | train | held-out | gap |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for key in order:
        g = groups[key]
        t = g["trans"]
        trans = t[0] if all(x == t[0] for x in t) else "%d-%d" % (min(map(int, t)), max(map(int, t)))
        gap = [v[0] for v in g["gap"]]
        print("| %s | %s | %s | %s | %s | %s | %+.3f |" % (key[0], trans, key[1], g["levels"], cell(g["train"]),
                                                          cell(g["heldout"]), sum(gap) / len(gap)))
    if len(seeds) > 1:
        print("\nPaired by seed, held-out (seeds %s):" % ", ".join(seeds))

        def paired(label, a, b):
            d = [a["by_seed"][s] - b["by_seed"][s] for s in seeds if s in a["by_seed"] and s in b["by_seed"]]
            if d:
                print("- %s: %s; mean %+.3f, >= 0 on %d of %d seeds" % (label, ", ".join("%+.3f" % x for x in d),
                                                                     sum(d) / len(d), sum(x >= 0 for x in d), len(d)))
        for data in dict.fromkeys(k[0] for k in order):
            if (data, "BC") in groups and (data, "CQL") in groups:
                paired("BC - CQL, %s" % data, groups[(data, "BC")], groups[(data, "CQL")])
        rep = [k for k in order if "(div. expert)" in k[0] and "repeated" in k[0]]
        div = [k for k in order if "(div. expert)" in k[0] and "repeated" not in k[0]]
        for r in rep:
            for d in div:
                if r[1] == d[1]:
                    paired("%s: diverse - repeated" % r[1], groups[d], groups[r])
    if len(sys.argv) == 3:
        cpu = {}
        for line in open(sys.argv[2]):
            name, sec = line.split()
            phase = name.split(".", 1)[1]
            cpu[phase] = cpu.get(phase, 0.0) + float(sec)
        print("\nCPU seconds (user + system, all seeds): " +
              ", ".join("%s %.0f" % (k, v) for k, v in cpu.items()) + "; total %.0f" % sum(cpu.values()))


main()
