"""The embedded example behind ``ac-learned demo``.

A Hubbard-like three-peak spectrum at beta = 10 is turned into G(tau) on 101
points with white noise, continued with the shipped model, compared with the
truth, and plotted.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .grids import trapezoid_weights
from .kernels import fermionic_kernel
from .solve import solve


def demo_spectrum(omega: np.ndarray) -> np.ndarray:
    """Three Gaussian peaks (QP at 0.1, Hubbard bands at -1.3 and +1.5), unit weight."""
    peaks = [(0.1, 0.15, 0.35), (-1.3, 0.35, 0.3), (1.5, 0.4, 0.35)]
    a = sum(w * np.exp(-((omega - m) ** 2) / (2 * s * s)) / (np.sqrt(2 * np.pi) * s) for m, s, w in peaks)
    return a / (a @ trapezoid_weights(omega))


def run_demo(plot: str | Path | None = "ac_learned_demo.png", noise: float = 1e-4, seed: int = 0,
             log=print) -> dict:
    """Make noisy data from a known spectrum, continue it, report errors, plot.

    Returns
    -------
    dict
        ``rse`` (L2 of the weights on the demo grid), ``err`` (integrated
        absolute error over the true weight), ``chi2``, ``reliable``, ``model``.
    """
    beta = 10.0
    tau = np.linspace(0, beta, 101)
    fine = np.linspace(-8, 8, 4001)
    a_fine = demo_spectrum(fine)
    g_true = -fermionic_kernel(tau, fine, beta) @ (a_fine * trapezoid_weights(fine))
    rng = np.random.default_rng(seed)
    g = g_true + noise * rng.standard_normal(tau.size)
    omega = np.linspace(-3, 3, 301)
    res = solve(tau, g, beta=beta, omega=omega, err=noise)
    w = trapezoid_weights(omega)
    a_true = demo_spectrum(omega)
    err = float(np.abs(res.A - a_true) @ w / (a_true @ w))
    rse = float(np.linalg.norm((res.A - a_true) * w))
    out = {"model": res.model_card["name"], "rse": rse, "err": err, "chi2": res.chi2, "reliable": res.reliable,
           "sign_seen": res.sign_seen}
    log(f"model {out['model']}: Err = {err:.4f}, RSE = {rse:.4f}, chi2/N = {res.chi2:.3f}, "
        f"reliable = {res.reliable}, input sign = {res.sign_seen}")
    for msg in res.warnings:
        log(f"warning: {msg}")
    if plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
        ax1.plot(omega, a_true, "k--", label="true A(ω)")
        ax1.plot(omega, res.A, "C0", label=f"RLISTA ({out['model']})")
        ax1.set_xlabel("ω")
        ax1.set_ylabel("A(ω)")
        ax1.legend()
        ax2.plot(tau, g, ".", ms=3, label="data G(τ)")
        ax2.plot(tau, res.backtransform, "C1", label=f"backtransform, χ²/N={res.chi2:.2f}")
        ax2.set_xlabel("τ")
        ax2.legend()
        fig.tight_layout()
        fig.savefig(plot, dpi=110)
        plt.close(fig)
        log(f"wrote {plot}")
    return out
