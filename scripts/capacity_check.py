"""How far below MaxEnt can any direct estimator get on the paper set at one noise level?

Run: OMP_NUM_THREADS=1 PYTHONPATH=. python scripts/capacity_check.py [SIGMA] [MINUTES] [STEPS]
(docs/accuracy.md used 1e-4 75 7000).  An experiment, not a shipped model: it asks whether the issue's
target (RLISTA mean RSE <= 0.5 x MaxEnt's at sigma = 1e-4) is limited by the RLISTA architecture or by
the data.  It trains a network far larger than any RLISTA (a residual MLP: 4 blocks of two 1024 x 1024
layers, 8.5M parameters, 57-190x the RLISTAs of the papertable benchmark) on an unlimited stream of
fresh eq.-16 spectra at the one noise level SIGMA (a new batch every step, so it cannot overfit), with
the paper's loss (mean RSE), starting from the linear MMSE map (the warm start that gives the RLISTAs
their lead), and scores it on the `default` benchmark's 200 paper-set spectra (paper-rlista6's
held-out seed, noise seed 123), where MaxEnt-flat, paper-rlista6 and the noise-specific RLISTA were
measured (docs/bench/default.md, docs/accuracy.md).  It also scores the network fitted to the data
(`refine.fit_each`, error bars SIGMA).

The input is whitened in the kernel's singular basis: ``c = U^T g`` minus its prior mean, scaled by
``1 / sqrt(var_prior(c_i) + SIGMA^2)``, so that every direction the data resolve is O(1) and the ones
below the noise are ~N(0, 1) noise.  Cosine learning-rate decay over PLANNED_STEPS steps of BATCH; training
stops there or after MINUTES.  Checkpoints go to runs/capacity-SIGMA/ every 5 minutes; a re-run resumes.
"""
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ac_learned.bench.fig2a import paper_grids
from ac_learned.kernels import fermionic_kernel_dimensionless
from ac_learned.metrics import normalise_output, rse
from ac_learned.priors import make_dataset
from ac_learned.refine import fit_each

SIGMA = float(sys.argv[1]) if len(sys.argv) > 1 else 1e-4
MINUTES = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
WIDTH, BLOCKS, BATCH = 1024, 4, 512
PLANNED_STEPS = int(sys.argv[3]) if len(sys.argv) > 3 else 7000
LR_MAX, LR_MIN = 1e-3, 1e-5
RUN = Path("runs") / f"capacity-{SIGMA:g}"


class ResidualMLP(nn.Module):
    """The linear MMSE estimate plus a correction from BLOCKS residual blocks of WIDTH units, clipped at 0
    and normalised.  The correction's last layer starts at zero, so training starts from the LMMSE map."""

    def __init__(self, n_in: int, n_out: int, proj: np.ndarray, shift: np.ndarray, scale: np.ndarray,
                 lmmse: np.ndarray, a_mean: np.ndarray):
        super().__init__()
        self.register_buffer("proj", torch.as_tensor(proj, dtype=torch.float32))
        self.register_buffer("shift", torch.as_tensor(shift, dtype=torch.float32))
        self.register_buffer("lmmse", torch.as_tensor(lmmse, dtype=torch.float32))
        self.register_buffer("a_mean", torch.as_tensor(a_mean, dtype=torch.float32))
        self.register_buffer("scale", torch.as_tensor(scale, dtype=torch.float32))
        self.inp = nn.Linear(n_in, WIDTH)
        self.blocks = nn.ModuleList(
            nn.Sequential(nn.LayerNorm(WIDTH), nn.Linear(WIDTH, WIDTH), nn.GELU(), nn.Linear(WIDTH, WIDTH))
            for _ in range(BLOCKS)
        )
        self.out = nn.Sequential(nn.LayerNorm(WIDTH), nn.Linear(WIDTH, n_out))
        nn.init.zeros_(self.out[1].weight)
        nn.init.zeros_(self.out[1].bias)

    def forward(self, g: torch.Tensor) -> torch.Tensor:
        c = (g @ self.proj - self.shift) * self.scale
        h = self.inp(c)
        for block in self.blocks:
            h = h + block(h)
        a = torch.relu(self.a_mean + c @ self.lmmse + self.out(h))
        return a / (a.sum(dim=-1, keepdim=True) + 1e-12)


def main() -> None:
    torch.manual_seed(0)
    x, nu = paper_grids()
    kernel = fermionic_kernel_dimensionless(x, nu)
    u, _, _ = np.linalg.svd(kernel, full_matrices=False)
    a_ref, g_ref, _ = make_dataset(20000, x, nu, {"paper": 1}, 10_000)
    shift = np.mean(g_ref @ u, axis=0)
    scale = 1.0 / np.sqrt(np.var(g_ref @ u, axis=0) + SIGMA**2)
    # LMMSE in the whitened coordinates c: a = mean(a) + c @ B, B from least squares on noisy reference data
    c_ref = ((g_ref + SIGMA * np.random.default_rng(1).standard_normal(g_ref.shape)) @ u - shift) * scale
    lmmse = np.linalg.lstsq(c_ref, a_ref - a_ref.mean(axis=0), rcond=None)[0]
    net = ResidualMLP(u.shape[1], len(nu), u, shift, scale, lmmse, a_ref.mean(axis=0))
    opt = torch.optim.Adam(net.parameters(), lr=LR_MAX)
    step = 0
    RUN.mkdir(parents=True, exist_ok=True)
    ckpt = RUN / "checkpoint.pt"
    if ckpt.exists():
        state = torch.load(ckpt, weights_only=True)
        net.load_state_dict(state["net"])
        opt.load_state_dict(state["opt"])
        step = int(state["step"])
        print(f"resumed at step {step}")
    print(f"{sum(p.numel() for p in net.parameters())} parameters, sigma {SIGMA:g}", flush=True)

    a_test, g_test, _ = make_dataset(200, x, nu, {"paper": 1}, 2)  # paper-rlista6's held-out seed
    g_test = g_test + SIGMA * np.random.default_rng(123).standard_normal(g_test.shape)

    def score() -> np.ndarray:
        with torch.inference_mode():
            out = net(torch.as_tensor(g_test, dtype=torch.float32)).double().numpy()
        return normalise_output(out)

    net.eval()
    print(f"start (LMMSE map): test {rse(score(), a_test).mean():.4f}", flush=True)
    net.train()

    t_end, t_save, noise = time.time() + 60 * MINUTES, time.time(), np.random.default_rng(7_000 + step)
    while time.time() < t_end and step < PLANNED_STEPS:
        a, g, _ = make_dataset(BATCH, x, nu, {"paper": 1}, 1_000_000 + step)
        g = g + SIGMA * noise.standard_normal(g.shape)
        lr = LR_MIN + 0.5 * (LR_MAX - LR_MIN) * (1 + np.cos(np.pi * min(step / PLANNED_STEPS, 1.0)))
        for group in opt.param_groups:
            group["lr"] = float(lr)
        pred = net(torch.as_tensor(g, dtype=torch.float32))
        loss = torch.linalg.vector_norm(pred - torch.as_tensor(a, dtype=torch.float32), dim=1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 500 == 0:
            net.eval()
            print(f"step {step} lr {lr:.2e} train {loss.item():.4f} test {rse(score(), a_test).mean():.4f}",
                  flush=True)
            net.train()
        if time.time() - t_save > 300:
            torch.save({"net": net.state_dict(), "opt": opt.state_dict(), "step": step}, ckpt)
            t_save = time.time()
    torch.save({"net": net.state_dict(), "opt": opt.state_dict(), "step": step}, ckpt)
    net.eval()
    a_net = score()
    err = np.full_like(g_test, SIGMA)
    a_fit, _, _ = fit_each(a_net, kernel, g_test, err)
    print(f"sigma {SIGMA:g}, residual MLP after {step} steps ({step * BATCH} fresh spectra), mean RSE on the "
          f"200 spectra: {rse(a_net, a_test).mean():.4f} alone, {rse(a_fit, a_test).mean():.4f} fitted")
    # references on the same data: the shipped paper-rlista6 and MaxEnt-flat (as in the benchmarks)
    from ac_learned.bench.paper_table import _maxent_weights
    from ac_learned.inference import make_backend
    from ac_learned.zoo import resolve

    ref = resolve("paper-rlista6", 1.0)
    a_ref = normalise_output(make_backend(ref, "numpy", "cpu").run(g_test))
    a_ref_fit, _, _ = fit_each(a_ref, kernel, g_test, err)
    a_me = _maxent_weights(x, nu, g_test, SIGMA)
    ok = np.all(np.isfinite(a_me), axis=1)
    me = rse(a_me[ok], a_test[ok]).mean()
    print(f"same spectra ({ok.sum()} where MaxEnt converged): MaxEnt-flat {me:.4f}; residual MLP "
          f"{rse(a_net[ok], a_test[ok]).mean() / me:.2f}x alone, {rse(a_fit[ok], a_test[ok]).mean() / me:.2f}x "
          f"fitted; paper-rlista6 {rse(a_ref[ok], a_test[ok]).mean() / me:.2f}x alone, "
          f"{rse(a_ref_fit[ok], a_test[ok]).mean() / me:.2f}x fitted")


if __name__ == "__main__":
    main()
