#!/usr/bin/python3
"""The same discrete-SAC update as learner/sac.cc, in Python with Debian's python3-torch (the same
LibTorch version), for passrl_sac_bench: it loads the C++ agent's initial parameters and batches,
runs the same updates, checks the losses agree, and times them.

  sac_update.py DIR   (DIR written by passrl_sac_bench: meta.json, params.f32, batches.f32,
                       losses.f32) -> prints JSON {seconds_per_update, max_loss_diff}
"""
import json
import sys
import time

import numpy as np
import torch


def mlp(obs_dim, hidden, actions):
    layers, width = [], obs_dim
    for h in hidden:
        layers += [torch.nn.Linear(width, h), torch.nn.ReLU()]
        width = h
    layers.append(torch.nn.Linear(width, actions))
    return torch.nn.Sequential(*layers)


def load(net, flat, at):
    with torch.no_grad():
        for p in net.parameters():
            n = p.numel()
            p.copy_(torch.from_numpy(flat[at:at + n]).reshape(p.shape))
            at += n
    return at


def main(d):
    meta = json.load(open(f"{d}/meta.json"))
    torch.set_num_threads(1)
    o, a, h, bs = meta["obs_dim"], meta["num_actions"], meta["hidden"], meta["batch_size"]
    flat = np.fromfile(f"{d}/params.f32", dtype=np.float32)
    nets = [mlp(o, h, a) for _ in range(5)]
    at = 0
    for net in nets:
        at = load(net, flat, at)
    policy, q1, q2, q1t, q2t = nets
    log_alpha = torch.tensor([flat[at]], requires_grad=True)
    lr, alr, gamma, tau = meta["learning_rate"], meta["alpha_learning_rate"], meta["gamma"], meta["tau"]
    clip, scale, target_entropy = meta["grad_clip"], meta["reward_scale"], meta["target_entropy"]
    p_opt = torch.optim.Adam(policy.parameters(), lr=lr)
    q_opt = torch.optim.Adam(list(q1.parameters()) + list(q2.parameters()), lr=lr)
    a_opt = torch.optim.Adam([log_alpha], lr=alr)
    raw = np.fromfile(f"{d}/batches.f32", dtype=np.float32)
    per = bs * (2 * o + 4)
    batches = []
    for k in range(meta["batches"]):
        x = torch.from_numpy(raw[k * per:(k + 1) * per].copy())
        obs, x = x[:bs * o].reshape(bs, o), x[bs * o:]
        nobs, x = x[:bs * o].reshape(bs, o), x[bs * o:]
        act, rew, term, w = x[:bs].long(), x[bs:2 * bs], x[2 * bs:3 * bs], x[3 * bs:4 * bs]
        batches.append((obs, nobs, act, rew, term, w))

    def update(b):
        obs, nobs, act, rew, term, w = b
        alpha = log_alpha.exp().item()
        with torch.no_grad():
            nl = policy(nobs)
            soft = (torch.softmax(nl, 1) * (torch.min(q1t(nobs), q2t(nobs)) -
                                           alpha * torch.log_softmax(nl, 1))).sum(1)
            target = scale * rew + gamma * (1 - term) * soft
        a1 = act.unsqueeze(1)
        q1v, q2v = q1(obs).gather(1, a1).squeeze(1), q2(obs).gather(1, a1).squeeze(1)
        closs = (w * (q1v - target).pow(2)).mean() + (w * (q2v - target).pow(2)).mean()
        q_opt.zero_grad()
        closs.backward()
        if clip > 0:
            torch.nn.utils.clip_grad_norm_(q1.parameters(), clip)
            torch.nn.utils.clip_grad_norm_(q2.parameters(), clip)
        q_opt.step()
        logits = policy(obs)
        probs, logp = torch.softmax(logits, 1), torch.log_softmax(logits, 1)
        with torch.no_grad():
            q1a, q2a = q1(obs), q2(obs)
        ploss = (probs * (alpha * logp - torch.min(q1a, q2a))).sum(1).mean()
        p_opt.zero_grad()
        ploss.backward()
        if clip > 0:
            torch.nn.utils.clip_grad_norm_(policy.parameters(), clip)
        p_opt.step()
        elp = (probs.detach() * logp.detach()).sum(1)
        aloss = -(log_alpha * (elp + target_entropy)).mean()
        a_opt.zero_grad()
        aloss.backward()
        a_opt.step()
        with torch.no_grad():
            for t, s in ((q1t, q1), (q2t, q2)):
                for pt, ps in zip(t.parameters(), s.parameters()):
                    pt.mul_(1 - tau).add_(ps, alpha=tau)
        return closs.item(), ploss.item(), aloss.item()

    expected = np.fromfile(f"{d}/losses.f32", dtype=np.float64).reshape(-1, 3)
    diff = 0.0
    for k in range(len(expected)):
        got = update(batches[k % len(batches)])
        diff = max(diff, max(abs(g - e) / max(1.0, abs(e)) for g, e in zip(got, expected[k])))
    n = meta["timed_updates"]
    start = time.perf_counter()
    for k in range(n):
        update(batches[k % len(batches)])
    seconds = (time.perf_counter() - start) / n
    print(json.dumps({"seconds_per_update": seconds, "max_loss_diff": diff}))


if __name__ == "__main__":
    main(sys.argv[1])
