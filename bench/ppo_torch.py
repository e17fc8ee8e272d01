"""ppo_torch.py: the same PPO learner work as `bench_ppo` in PyTorch, for a
side-by-side throughput figure on this CPU. Same network (cell embeddings
-> conv 3x3 8->16 -> conv 3x3 16->32 -> fc 64 -> actor/critic heads of 64),
same rollout shape (16 worlds x 128 steps: one no-grad forward of 16 per
step) and the same update (4 epochs x 8 minibatches of 256, clipped PPO
loss, value loss, entropy, grad clipping, Adam). World stepping is left out
(the Python MiniGrid is not installed here), which favours PyTorch.
    /usr/bin/python3 bench/ppo_torch.py [threads] [iterations]
Needs Debian's python3-torch (optional; not needed by the tests).
"""
import sys
import time

import torch
import torch.nn as nn

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
iters = int(sys.argv[2]) if len(sys.argv) > 2 else 5
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


def iteration():
    acts, logps, vals = [], [], []
    with torch.no_grad():
        for t in range(T):
            logits, v = pol(obs[t * N:(t + 1) * N])
            d = torch.distributions.Categorical(logits=logits)
            a = d.sample()
            acts.append(a); logps.append(d.log_prob(a)); vals.append(v)
    acts, logps, vals = torch.cat(acts), torch.cat(logps), torch.cat(vals)
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


iteration()  # warm-up
t0 = time.perf_counter()
for _ in range(iters):
    iteration()
dt = time.perf_counter() - t0
print(f"ppo_torch: torch {torch.__version__}, {threads} threads: {iters * T * N / dt:.0f} frames/s "
      f"(learner only, {iters} updates of {T * N} frames in {dt:.2f} s)")
