"""Exploration: RLISTA recipes on the paper set (LeCun vs LMMSE warm start, lr, threshold).

Run: PYTHONPATH=. python scripts/explore_recipe.py N_TRAIN EPOCHS   (docs/training.md used 20000 30)
"""

import sys
import time

import numpy as np
import torch

from ac_learned.config import build_grids, load_config
from ac_learned.metrics import normalise_output, rse
from ac_learned.nets import build_network
from ac_learned.priors import make_dataset

torch.set_num_threads(1)
cfg = load_config("configs/paper-rlista6.json")
x, nu = build_grids(cfg["grid"])
N = int(sys.argv[1])
EP = int(sys.argv[2])
a, g, _ = make_dataset(N, x, nu, {"paper": 1}, 0)
at, gt, _ = make_dataset(2000, x, nu, {"paper": 1}, 1)
rng0 = np.random.default_rng(5)
gn = g + rng0.choice([1e-5, 1e-4, 1e-3], len(g))[:, None] * rng0.standard_normal(g.shape)
Wlin = np.linalg.solve(gn.T @ gn + 1e-8 * np.eye(len(x)), gn.T @ a)


def run(thr="nonneg", lr=0.01, epochs=EP, depth=6, init="lecun", bs=256, decay=0.9):
    torch.manual_seed(0)
    net = build_network({"type": "rlista", "depth": depth, "threshold": thr}, len(x), len(nu))
    if init == "lmmse":
        with torch.no_grad():
            net.w_e.mul_(0.01)
            net.w_t.mul_(0.01)
            net.w_e[0] = torch.tensor(2 * Wlin.T)
            for layer in range(1, depth):
                net.w_t[layer] += torch.eye(len(nu))
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    G = torch.tensor(g, dtype=torch.float32)
    A = torch.tensor(a, dtype=torch.float32)
    rng = np.random.default_rng(0)
    for ep in range(epochs):
        for gr in opt.param_groups:
            gr["lr"] = lr * decay ** (ep // max(1, epochs // 15))
        noisy = G + torch.tensor(
            rng.choice([1e-5, 1e-4, 1e-3], len(g))[:, None] * rng.standard_normal(g.shape), dtype=torch.float32
        )
        perm = torch.randperm(len(g))
        for s in range(0, len(g), bs):
            i = perm[s : s + bs]
            p = net(noisy[i])
            loss = torch.linalg.norm(p - A[i], dim=1).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    out = []
    for s in [1e-5, 1e-4, 1e-3]:
        with torch.no_grad():
            p = net(torch.tensor(gt + s * rng.standard_normal(gt.shape), dtype=torch.float32)).double().numpy()
        out.append(round(rse(normalise_output(p), at).mean(), 4))
    return out


for kw in [
    dict(init="lmmse", lr=1e-3),
    dict(init="lmmse", lr=1e-3, thr="soft"),
    dict(lr=1e-3),
    dict(init="lmmse", lr=3e-3),
]:
    t = time.time()
    print(kw, run(**kw), f"{time.time() - t:.1f}s", flush=True)
