"""A(k, omega) of every momentum in one call: `ac_learned.solve` on a batch of G(k, tau).

Synthetic data of a 1-D chain (dispersion -2 cos k, 32 momenta) at beta = 10: each A(k, omega) is a
Gaussian quasi-particle of width 0.25 + 0.15 |epsilon_k| at epsilon_k, G(k, tau) on 201 tau points, white
noise 1e-4. One `solve` call with the (n_k, N_tau) array and per-spectrum errors continues all of them
(batched network, one fit per spectrum); `reliable` and `chi2` come back per momentum.
For a QMC file, `ac_learned.io.load(path)` without a `k=` selector (ALF, SmoQyDQMC) returns `values` with one
axis per index, tau last (``meta["axes"]`` names them, e.g. orbital1, orbital2, k, tau), and `errors` of the
same shape: select the orbital, then ``values.reshape(-1, n_tau)`` is the batch this script passes.
Run: ``python examples/continue_all_k.py`` (writes continue_all_k.png).
"""

import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import ac_learned  # noqa: E402
from ac_learned.kernels import fermionic_kernel  # noqa: E402

beta, sigma = 10.0, 1e-4
k = np.linspace(0.0, np.pi, 32)
eps = -2.0 * np.cos(k)
width = 0.25 + 0.15 * np.abs(eps)
fine = np.linspace(-8.0, 8.0, 4001)
a_fine = np.exp(-0.5 * ((fine[None, :] - eps[:, None]) / width[:, None]) ** 2) / (np.sqrt(2 * np.pi) * width[:, None])
tau = np.linspace(0.0, beta, 201)
g = -(a_fine * np.gradient(fine)) @ fermionic_kernel(tau, fine, beta).T  # (n_k, N_tau), standard sign
g += sigma * np.random.default_rng(0).standard_normal(g.shape)
omega = np.linspace(-4.0, 4.0, 321)

start = time.perf_counter()
res = ac_learned.solve(tau, g, beta=beta, omega=omega, err=np.full(g.shape, sigma))
seconds = time.perf_counter() - start

truth = np.exp(-0.5 * ((omega[None, :] - eps[:, None]) / width[:, None]) ** 2) / (np.sqrt(2 * np.pi) * width[:, None])
err = np.trapezoid(np.abs(res.A - truth), omega, axis=1) / np.trapezoid(truth, omega, axis=1)
peak = omega[np.argmax(res.A, axis=1)]
print(f"{k.size} momenta in {seconds:.2f} s with {res.model_card['name']}: mean Err {err.mean():.3f} "
      f"(max {err.max():.3f}), peak - epsilon_k rms {np.sqrt(np.mean((peak - eps) ** 2)):.3f}, "
      f"chi2/N {np.min(res.chi2):.2f}-{np.max(res.chi2):.2f}, reliable {int(np.sum(res.reliable))} of {k.size}")
for w in res.warnings:
    print("warning:", w)

fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
for ax, a, title in ((axes[0], truth, "truth"), (axes[1], res.A, "ac_learned.solve")):
    ax.pcolormesh(k, omega, a.T, shading="auto", vmax=float(truth.max()))
    ax.plot(k, eps, "w--", lw=0.8)
    ax.set_xlabel("k")
    ax.set_title(title)
axes[0].set_ylabel("ω")
fig.tight_layout()
fig.savefig("continue_all_k.png", dpi=110)
print("wrote continue_all_k.png")
