#!/usr/bin/env python3
"""learned_at.py RUN: when a PPO run learned its world, from RUN/metrics.csv.

A run has learned at the first update that starts five updates in a row,
counting only updates in which episodes ended, whose rollout success is
>= 0.9 (issue 18's criterion; bench/learning.sh, tests/test_recipes.sh).
Prints one line: "STEPS WALL_S CPU_S" of that update, or "not" when the
run never did; then the run's last "STEPS WALL_S CPU_S".
"""
import csv
import sys


def learned_at(rows, need=5, level=0.9):
    """The first row that starts `need` rows in a row (rows with episodes)
    at success >= level, or None."""
    ended = [r for r in rows if r["episodes"] != "0"]
    for i in range(len(ended) - need + 1):
        if all(float(r["success"]) >= level for r in ended[i:i + need]):
            return ended[i]
    return None


def main():
    rows = list(csv.DictReader(open(f"{sys.argv[1]}/metrics.csv")))
    at = learned_at(rows)
    fmt = lambda r: f"{int(r['steps'])} {float(r['wall_s']):.3f} {float(r['cpu_s']):.3f}"
    print(fmt(at) if at else "not")
    print(fmt(rows[-1]))


if __name__ == "__main__":
    main()
