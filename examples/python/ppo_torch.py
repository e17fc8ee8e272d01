"""ppo_torch.py: a short PyTorch PPO on ludus.vector, to show the package in
the code people already write. The only ludus lines are make, reset, step
and stats; the arrays ludus returns go straight into torch.from_numpy.
Truncated episodes are bootstrapped from info["final_obs"], the last
observation ludus keeps when a world resets in the same step.

    LUDUS_LIBRARY=build/libludus.so /usr/bin/python3 examples/python/ppo_torch.py
    (needs PyTorch: Debian's python3-torch; DoorKey-5x5 is solved in ~200k steps)
"""
import argparse
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import ludus  # noqa: E402


class Agent(nn.Module):
    """The usual small MiniGrid network: a CNN over the 7x7x3 egocentric view."""

    def __init__(self, num_actions):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(3, 16, 2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 2), nn.ReLU(),
            nn.Conv2d(32, 64, 2), nn.ReLU(), nn.Flatten())
        self.actor = nn.Sequential(nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, num_actions))
        self.critic = nn.Sequential(nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))

    def features(self, image):
        # image: (B, 7, 7, 3) uint8 -> (B, 3, 7, 7) float
        return self.body(image.permute(0, 3, 1, 2).float())

    def value(self, image):
        return self.critic(self.features(image)).squeeze(-1)

    def act(self, image, action=None):
        h = self.features(image)
        dist = torch.distributions.Categorical(logits=self.actor(h))
        if action is None:
            action = dist.sample()
        return action, dist.log_prob(action), dist.entropy(), self.critic(h).squeeze(-1)


def main():
    p = argparse.ArgumentParser(description="PPO on a ludus world with PyTorch")
    p.add_argument("--env", default="MiniGrid-DoorKey-5x5-v0")
    p.add_argument("--envs", type=int, default=16)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=128, help="rollout length per world")
    p.add_argument("--total-steps", type=int, default=200_000)
    p.add_argument("--lr", type=float, default=7e-4)
    p.add_argument("--gamma", type=float, default=0.99)
    p.add_argument("--gae-lambda", type=float, default=0.95)
    p.add_argument("--clip", type=float, default=0.2)
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--minibatch", type=int, default=256)
    p.add_argument("--entropy", type=float, default=0.01)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()

    torch.manual_seed(args.seed)
    envs = ludus.vector.make(args.env, args.envs, threads=args.threads)
    agent = Agent(envs.single_action_space.n)
    opt = torch.optim.Adam(agent.parameters(), lr=args.lr, eps=1e-5)

    N, T = args.envs, args.steps
    images = torch.zeros((T, N, 7, 7, 3), dtype=torch.uint8)
    actions = torch.zeros((T, N), dtype=torch.long)
    logprobs = torch.zeros((T, N))
    rewards = torch.zeros((T, N))
    dones = torch.zeros((T, N))
    values = torch.zeros((T, N))

    obs, _ = envs.reset(seed=args.seed)
    image = torch.from_numpy(obs["image"])  # a view of the buffer ludus writes into
    start, frames, update = time.time(), 0, 0
    while frames < args.total_steps:
        envs.clear_stats()
        for t in range(T):
            images[t] = image  # copy out: ludus overwrites its buffer on the next step
            with torch.no_grad():
                action, logprob, _, value = agent.act(images[t])
            obs, reward, terminated, truncated, info = envs.step(action.numpy())
            reward = torch.from_numpy(reward).float()
            if "final_obs" in info:
                # A truncated episode did not end in the world: bootstrap its value.
                cut = torch.from_numpy(truncated & ~terminated)
                if cut.any():
                    with torch.no_grad():
                        final = agent.value(torch.from_numpy(info["final_obs"]["image"][cut.numpy()]))
                    reward[cut] += args.gamma * final
            actions[t], logprobs[t], values[t], rewards[t] = action, logprob, value, reward
            dones[t] = torch.from_numpy(terminated | truncated).float()
            image = torch.from_numpy(obs["image"])
        frames += N * T
        update += 1

        with torch.no_grad():
            next_value = agent.value(image)
            adv = torch.zeros_like(rewards)
            last = torch.zeros(N)
            for t in reversed(range(T)):
                nv = next_value if t == T - 1 else values[t + 1]
                live = 1.0 - dones[t]
                delta = rewards[t] + args.gamma * nv * live - values[t]
                last = delta + args.gamma * args.gae_lambda * live * last
                adv[t] = last
            returns = adv + values

        b_img, b_act = images.reshape(-1, 7, 7, 3), actions.reshape(-1)
        b_logp, b_adv, b_ret = logprobs.reshape(-1), adv.reshape(-1), returns.reshape(-1)
        for _ in range(args.epochs):
            for idx in torch.randperm(N * T).split(args.minibatch):
                _, logp, ent, v = agent.act(b_img[idx], b_act[idx])
                a = b_adv[idx]
                a = (a - a.mean()) / (a.std() + 1e-8)
                ratio = (logp - b_logp[idx]).exp()
                pg = -torch.min(ratio * a, ratio.clamp(1 - args.clip, 1 + args.clip) * a).mean()
                loss = pg + 0.5 * (v - b_ret[idx]).pow(2).mean() - args.entropy * ent.mean()
                opt.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(agent.parameters(), 0.5)
                opt.step()

        s = envs.stats()
        if update % 5 == 0 or frames >= args.total_steps:
            print("steps %8d  %6.0f steps/s  episodes %4d  return %.3f  success %.2f" % (
                frames, frames / (time.time() - start), s["episodes"], s["return_mean"],
                s["success_rate"]), flush=True)
    envs.close()


if __name__ == "__main__":
    main()
