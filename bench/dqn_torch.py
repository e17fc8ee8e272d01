"""dqn_torch.py: the same DQN learner work as `bench_dqn` in PyTorch, for a
side-by-side throughput figure on this CPU. Same network as ludus's default
DQN (cell embeddings -> conv 3x3 8->16 -> conv 3x3 16->32 -> fc 64 ->
advantage and value heads of 64, dueling V + A - mean A), same acting
(8 worlds: one no-grad forward of 8 per step, epsilon-greedy argmax) and
the same gradient step (a minibatch of 64 from a replay of uint8 cells:
Double DQN targets through a target network, Huber loss, global-norm
clipping at 10, Adam), one gradient step per step of the 8 worlds as
ludus's defaults do. No worlds here (random cells), which favours PyTorch
by the world-step time. Times are wall and process CPU seconds.
    /usr/bin/python3 bench/dqn_torch.py [threads] [steps]
Needs Debian's python3-torch (optional; not needed by the tests).
"""
import os
import sys
import time

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(threads))

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

torch.set_num_threads(threads)
torch.manual_seed(0)


class QNet(nn.Module):
    def __init__(self, actions=7):
        super().__init__()
        self.embed = nn.Embedding(20, 8)
        self.conv1 = nn.Conv2d(8, 16, 3)
        self.conv2 = nn.Conv2d(16, 32, 3)
        self.fc = nn.Linear(288, 64)
        self.adv = nn.Sequential(nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, actions))
        self.val = nn.Sequential(nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))

    def forward(self, cells):  # cells: (B, 7, 7, 3) uint8 indices
        x = self.embed(cells.long()).sum(3).permute(0, 3, 1, 2)
        x = torch.relu(self.conv2(torch.relu(self.conv1(x))))
        x = torch.relu(self.fc(x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)))
        a, v = self.adv(x), self.val(x)
        return v + a - a.mean(1, keepdim=True)


N, B, CAP, GAMMA = 8, 64, 100000, 0.99
net, tgt = QNet(), QNet()
tgt.load_state_dict(net.state_dict())
opt = torch.optim.Adam(net.parameters(), lr=5e-4, eps=1e-5)


def cells(n):
    return torch.stack([torch.randint(0, 11, (n, 7, 7)), 11 + torch.randint(0, 6, (n, 7, 7)),
                        17 + torch.randint(0, 3, (n, 7, 7))], 3).to(torch.uint8)


r_obs, r_next = cells(CAP), cells(CAP)
r_act, r_ret = torch.randint(0, 7, (CAP,)), torch.randn(CAP)
r_disc = torch.full((CAP,), GAMMA ** 3)
world_obs = cells(N)


def act(eps=0.05):
    with torch.no_grad():
        q = net(world_obs)
    a = q.argmax(1)
    rnd = torch.rand(N) < eps
    return torch.where(rnd, torch.randint(0, 7, (N,)), a)


def grad_step(k):
    idx = torch.randint(0, CAP, (B,))
    o, nx, a = r_obs[idx], r_next[idx], r_act[idx]
    with torch.no_grad():
        best = net(nx).argmax(1, keepdim=True)
        y = r_ret[idx] + r_disc[idx] * tgt(nx).gather(1, best).squeeze(1)
    q = net(o).gather(1, a.unsqueeze(1)).squeeze(1)
    loss = nn.functional.smooth_l1_loss(q, y)
    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(net.parameters(), 10.0)
    opt.step()
    if k % 250 == 0:
        tgt.load_state_dict(net.state_dict())


for k in range(50):  # warm-up
    act()
    grad_step(k)
clock = {"act": [0.0, 0.0], "grad": [0.0, 0.0]}
for k in range(steps):
    t0 = time.perf_counter(), time.process_time()
    act()
    t1 = time.perf_counter(), time.process_time()
    grad_step(k)
    t2 = time.perf_counter(), time.process_time()
    for i in range(2):
        clock["act"][i] += t1[i] - t0[i]
        clock["grad"][i] += t2[i] - t1[i]
a, g = clock["act"], clock["grad"]
frames = steps * N
print(f"dqn_torch: torch {torch.__version__}, {threads} threads, {steps} steps of {N} worlds, batch {B}")
print(f"  acting:         {a[0]:.2f} s wall, {a[1]:.2f} s cpu: {frames / a[0]:.0f} frames/s")
print(f"  gradient steps: {g[0]:.2f} s wall, {g[1]:.2f} s cpu: {steps / g[0]:.0f} /s wall, {steps / g[1]:.0f} /s cpu")
print(f"  both (no worlds): {frames / (a[0] + g[0]):.0f} frames/s")
