#!/usr/bin/env python3
"""mpi_model.py: a MODEL (not a measurement) of distributed PPO's
all-reduce cost on many machines, from two measurements on this one:
  - each network's parameters P and all-reduces per update k
    (epochs x minibatches), from bench_mpi_allreduce's table;
  - C, the CPU seconds one rank spends on one update of its worlds (the
    world's default num_envs, one thread): the mean cpu_s increase per
    metrics row of a short `ludus train --threads 1` run.
A ring all-reduce of 4P bytes over R ranks takes
  t(R) = 2 (R - 1) a + 2 (R - 1) / R * 4P / B
(a: per-message latency, B: link bandwidth in bytes/s). Weak scaling, as
DD-PPO runs: every rank keeps its worlds, so C stays and an update makes
R times the frames. The all-reduce's share of an update is
k t(R) / (C + k t(R)); it "dominates" past half, i.e. k t(R) > C.
  bench/mpi_model.py build/ludus allreduce.tsv
"""
import csv, json, os, subprocess, sys, tempfile

LINKS = [("10 Gbit/s Ethernet (TCP)", 10e9 / 8, 50e-6), ("100 Gbit/s (RDMA-class)", 100e9 / 8, 5e-6)]

def compute_s(ludus, spec):
    """Mean CPU seconds per update of a 1-thread run (updates 2..4), and
    the frames of one update (num_envs x num_steps)."""
    with tempfile.TemporaryDirectory() as d:
        cfg = json.load(open(spec)) if spec.endswith(".json") else {"env_id": spec}
        cfg.update({"eval_episodes": 0, "checkpoint_seconds": 0})
        path = os.path.join(d, "cfg.json")
        json.dump(cfg, open(path, "w"))
        base = [ludus, "train", cfg["env_id"], "--config", path, "--threads", "1"]
        subprocess.run(base + ["--steps", "1", "--out", os.path.join(d, "probe")], capture_output=True, check=True)
        c = json.load(open(os.path.join(d, "probe", "config.json")))
        per = c["num_envs"] * c["num_steps"]
        subprocess.run(base + ["--steps", str(4 * per), "--out", os.path.join(d, "run")], capture_output=True,
                       check=True)
        cpu = [float(r["cpu_s"]) for r in csv.DictReader(open(os.path.join(d, "run", "metrics.csv")))]
        return (cpu[-1] - cpu[0]) / (len(cpu) - 1), per

def main():
    ludus, table = sys.argv[1], sys.argv[2]
    nets = list(csv.DictReader(open(table), delimiter="\t"))
    print("| network | P | k | C (s/update/rank) | frames/update/rank | link | all-reduce per update at R=2, 8, 64 (ms) | share at R=64 | R where k t(R) > C |")
    print("|---|---:|---:|---:|---:|---|---|---:|---:|")
    for n in nets:
        name = n["network"]
        spec = name.split(" ")[0]
        spec = spec if not spec.endswith(".json") else os.path.join("configs", spec)
        C, per = compute_s(ludus, spec)
        P, k = int(n["params"]), int(n["allreduces_per_update"])
        for link, B, a in LINKS:
            t = lambda R: 2 * (R - 1) * a + 2 * (R - 1) / R * 4 * P / B
            ms = ", ".join("%.1f" % (1e3 * k * t(R)) for R in (2, 8, 64))
            share = k * t(64) / (C + k * t(64))
            R = 2
            while k * t(R) <= C and R < 10 ** 6:
                R *= 2
            lo = R // 2
            while lo + 1 < R:  # bisect the first R with k t(R) > C
                mid = (lo + R) // 2
                if k * t(mid) > C:
                    R = mid
                else:
                    lo = mid
            print("| %s | %d | %d | %.3f | %d | %s | %s | %.1f%% | %s |" %
                  (name, P, k, C, per, link, ms, 100 * share, R if R < 10 ** 6 else "never"))

if __name__ == "__main__":
    main()
