"""Sub-benchmark ``narrowwindow``: windows of a few temperatures, behind ``solve``'s narrow-window warning.

Over a window of fewer than a few temperatures (beta * max|omega| small) the kernel
hardly varies, so G(tau) fixes little beyond the total weight and the first
moments.  A metal with a quasi-particle peak and Hubbard bands at +-2.5 (inside
omega in [-5, 5], 301 points), G(tau) on 101 points at beta = 0.02 ... 4
(beta * max|omega| = 0.1 ... 20), white noise 1e-4 and 1e-3, continued by ``solve``
and by ana_cont MaxEnt-flat (chi2kink, the true sigma as error bar).  Reported:
Err = int |A - A_true| / int A_true of both and ``solve``'s warnings
(``NARROW_WINDOW_WARN`` in :mod:`ac_learned.diagnostics` sets the limit).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from ._common import md_table, write_report

W = 5.0
BETAS = (0.02, 0.1, 0.2, 0.4, 1.0, 2.0, 4.0)
SIGMAS = (1e-4, 1e-3)


def spectrum(w: np.ndarray) -> np.ndarray:
    """The metal: a quasi-particle peak (weight 0.5, width 0.4) and Hubbard bands at +-2.5."""
    gauss = [(0.5, 0.0, 0.4), (0.25, 2.5, 0.6), (0.25, -2.5, 0.6)]
    return sum(a * np.exp(-0.5 * ((w - c) / s) ** 2) / (s * np.sqrt(2 * np.pi)) for a, c, s in gauss)


def run(quick: bool, log=print) -> dict:
    """Every beta and noise level; the raw numbers."""
    from ..diagnostics import NARROW_WINDOW, NARROW_WINDOW_WARN
    from ..grids import trapezoid_weights
    from ..kernels import fermionic_kernel
    from ..solve import solve
    from ._physical import maxent_flat_err

    omega = np.linspace(-W, W, 301)
    fine = np.linspace(-30, 30, 6001)
    tw = trapezoid_weights(omega)
    truth = spectrum(omega)
    truth_w = truth * tw
    betas, sigmas = ((0.4,), (1e-3,)) if quick else (BETAS, SIGMAS)
    rng = np.random.default_rng(0)
    rows = []
    for beta in betas:
        tau = np.linspace(0, beta, 101)
        g = -fermionic_kernel(tau, fine, beta) @ (spectrum(fine) * trapezoid_weights(fine))
        for sigma in sigmas:
            noisy = g + sigma * rng.standard_normal(g.size)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = solve(tau, noisy, beta=beta, omega=omega, err=sigma)
            err_solve = float(np.abs(res.A - truth) @ tw / (truth @ tw))
            # MaxEnt-flat's Err on the same data (weights against the true weights, the same measure)
            err_maxent = maxent_flat_err(tau, noisy, beta, omega, sigma, truth_w / truth_w.sum())
            rows.append({"beta": beta, "window": beta * W, "sigma": sigma, "err_solve": err_solve,
                         "err_maxent": err_maxent, "reliable": res.reliable,
                         "narrow_warning": any(w.startswith(NARROW_WINDOW.split("{")[0]) for w in res.warnings),
                         "warnings": list(res.warnings)})
            log(f"narrowwindow beta {beta:g} sigma {sigma:g}: solve {err_solve:.3f}, MaxEnt {err_maxent:.3f}")
    return {"warn_below": NARROW_WINDOW_WARN, "rows": rows}


def markdown(raw: dict) -> str:
    """The table of :func:`run`'s output."""
    return "\n".join([
        "A metal with a quasi-particle peak and Hubbard bands at ±2.5 on ω ∈ [−5, 5] (301 points), G(τ) on 101 "
        f"points; Err = ∫|A − A_true| / ∫A_true. `solve` warns below β·Ω = {raw['warn_below']:g} (Ω = max|ω|) without "
        "changing `reliable`.\n",
        md_table(["β", "β·Ω (Ω = 5)", "σ", "Err solve", "Err MaxEnt-flat", "reliable", "narrow-window warning"],
                 [[f"{r['beta']:g}", f"{r['window']:.3g}", f"{r['sigma']:g}", f"{r['err_solve']:.3f}",
                   f"{r['err_maxent']:.3f}", r["reliable"], "yes" if r["narrow_warning"] else "no"]
                  for r in raw["rows"]]),
    ])


def run_bench(out_dir: Path, quick: bool, command: str, info: dict, log=print) -> list[Path]:
    """Run ``narrowwindow`` and write ``narrowwindow.md`` and ``narrowwindow.json``."""
    raw = run(quick, log)
    path = write_report(out_dir, "narrowwindow", "Benchmark `narrowwindow`: windows of a few temperatures",
                        command, info, markdown(raw), raw)
    return [path, path.with_suffix(".json")]
