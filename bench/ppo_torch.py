"""ppo_torch.py: the same PPO learner work as `bench_ppo` in PyTorch, for a
side-by-side throughput figure on this CPU. Same network (cell embeddings
-> conv 3x3 8->16 -> conv 3x3 16->32 -> fc 64 -> actor/critic heads of 64),
same rollout shape (16 worlds x 128 steps: one no-grad forward of 16 per
step and an action draw) and the same update (4 epochs x 8 minibatches of
256, clipped PPO loss, value loss, entropy, grad clipping, Adam). The two
phases are timed apart, as bench_ppo reports them: "acting" (the rollout's
forwards and draws; no world steps here, observations are random cells, so
this favours PyTorch by the world-step time, which bench_ppo prints) and
"update" (the PPO epochs). Times are wall and process CPU seconds.
    /usr/bin/python3 bench/ppo_torch.py [threads] [iterations]
Needs Debian's python3-torch (optional; not needed by the tests).
"""
import os
import sys
import time

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
iters = int(sys.argv[2]) if len(sys.argv) > 2 else 5
# Debian's torch does its matrix products in OpenBLAS, whose own thread
# pool ignores torch.set_num_threads and yields the CPU while it waits: on
# a busy machine that alone made the update 6x slower in wall time. Give
# it the same thread count, before torch loads it.
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(threads))

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

torch.set_num_threads(threads)
torch.manual_seed(0)


class Policy(nn.Module):
    def __init__(self, actions=7):
        super().__init__()
        self.embed = nn.Embedding(20, 8)
        self.conv1 = nn.Conv2d(8, 16, 3)
        self.conv2 = nn.Conv2d(16, 32, 3)
        self.fc = nn.Linear(288, 64)
        self.actor = nn.Sequential(nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, actions))
        self.critic = nn.Sequential(nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))

    def forward(self, cells):  # cells: (B, 7, 7, 3) int64 indices
        x = self.embed(cells).sum(3).permute(0, 3, 1, 2)  # (B, 8, 7, 7)
        x = torch.relu(self.conv2(torch.relu(self.conv1(x))))
        x = torch.relu(self.fc(x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)))
        return self.actor(x), self.critic(x).squeeze(1)


N, T, EPOCHS, MB = 16, 128, 4, 256
pol = Policy()
opt = torch.optim.Adam(pol.parameters(), lr=1e-3, eps=1e-8)
obs = torch.stack([torch.randint(0, 11, (T * N, 7, 7)), 11 + torch.randint(0, 6, (T * N, 7, 7)),
                   17 + torch.randint(0, 3, (T * N, 7, 7))], 3)


def iteration(clock):
    t0 = time.perf_counter(), time.process_time()
    acts, logps, vals = [], [], []
    with torch.no_grad():
        for t in range(T):
            logits, v = pol(obs[t * N:(t + 1) * N])
            d = torch.distributions.Categorical(logits=logits)
            a = d.sample()
            acts.append(a); logps.append(d.log_prob(a)); vals.append(v)
    acts, logps, vals = torch.cat(acts), torch.cat(logps), torch.cat(vals)
    t1 = time.perf_counter(), time.process_time()
    adv = torch.randn(T * N)
    ret = vals + adv
    for _ in range(EPOCHS):
        perm = torch.randperm(T * N)
        for i in range(0, T * N, MB):
            idx = perm[i:i + MB]
            logits, v = pol(obs[idx])
            d = torch.distributions.Categorical(logits=logits)
            lp = d.log_prob(acts[idx])
            ratio = (lp - logps[idx]).exp()
            a = adv[idx]
            a = (a - a.mean()) / (a.std() + 1e-8)
            pg = -torch.min(ratio * a, ratio.clamp(0.8, 1.2) * a).mean()
            loss = pg + 0.5 * 0.5 * ((v - ret[idx]) ** 2).mean() - 0.01 * d.entropy().mean()
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(pol.parameters(), 0.5)
            opt.step()
    t2 = time.perf_counter(), time.process_time()
    for k in range(2):
        clock["act"][k] += t1[k] - t0[k]
        clock["update"][k] += t2[k] - t1[k]


iteration({"act": [0, 0], "update": [0, 0]})  # warm-up
clock = {"act": [0.0, 0.0], "update": [0.0, 0.0]}
for _ in range(iters):
    iteration(clock)
frames = iters * T * N
act, upd = clock["act"], clock["update"]
print(f"ppo_torch: torch {torch.__version__}, {threads} threads, {iters} updates of {frames // iters} frames")
print(f"  acting: {act[0]:.2f} s wall, {act[1]:.2f} s cpu: {frames / act[0]:.0f} frames/s")
print(f"  update: {upd[0]:.2f} s wall, {upd[1]:.2f} s cpu: {frames / upd[0]:.0f} frames/s")
print(f"  both:   {act[0] + upd[0]:.2f} s wall, {act[1] + upd[1]:.2f} s cpu: "
      f"{frames / (act[0] + upd[0]):.0f} frames/s")
