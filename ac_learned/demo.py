"""The embedded example behind ``ac-learned demo``.

A Hubbard-like three-peak spectrum at beta = 10 is turned into G(tau) on 101
points with white noise, continued with the shipped model, compared with the
truth, and plotted.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .diagnostics import fit_note
from .grids import trapezoid_weights
from .kernels import fermionic_kernel


def demo_spectrum(omega: np.ndarray) -> np.ndarray:
    """Three Gaussian peaks (QP at 0.1, Hubbard bands at -1.3 and +1.5), unit weight."""
    peaks = [(0.1, 0.15, 0.35), (-1.3, 0.35, 0.3), (1.5, 0.4, 0.35)]
    a = sum(w * np.exp(-((omega - m) ** 2) / (2 * s * s)) / (np.sqrt(2 * np.pi) * s) for m, s, w in peaks)
    return a / (a @ trapezoid_weights(omega))


def run_demo(plot: str | Path | None = "ac_learned_demo.png", noise: float = 1e-4, seed: int = 0,
             log=print) -> dict:
    """Make noisy data from a known spectrum, run the main job on it, report errors.

    The data are written as an ana_cont text file in a temporary folder and go
    through the same path as ``ac-learned continue`` (loader, solve, error band,
    plot).

    Returns
    -------
    dict
        ``rse`` (L2 of the weights on the demo grid), ``err`` (integrated
        absolute error over the true weight), ``chi2``, ``reliable``, ``model``.
    """
    import tempfile

    from .errors import InputError
    from .io import write_text
    from .pipeline import continue_file

    if not noise > 0:
        raise InputError(f"--noise must be positive, got {noise}")
    beta = 10.0
    tau = np.linspace(0, beta, 101)
    fine = np.linspace(-8, 8, 4001)
    g_true = -fermionic_kernel(tau, fine, beta) @ (demo_spectrum(fine) * trapezoid_weights(fine))
    g = g_true + noise * np.random.default_rng(seed).standard_normal(tau.size)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo_G_tau.dat"
        write_text(path, tau, g, np.full(tau.size, noise), fmt="ana_cont")
        out = continue_file(path, plot=plot, force=True, selectors={"beta": beta}, omega_max=3.0, n_omega=301,
                            log=lambda *a: None)
    res, omega = out.result, out.result.omega
    w = trapezoid_weights(omega)
    a_true = demo_spectrum(omega)
    err = float(np.abs(res.A - a_true) @ w / (a_true @ w))
    rse = float(np.linalg.norm((res.A - a_true) * w))
    inside = float(np.mean((a_true >= out.band.lower - 1e-12) & (a_true <= out.band.upper + 1e-12)))
    summary = {"model": res.model_card["name"], "rse": rse, "err": err, "chi2": res.chi2, "reliable": res.reliable,
               "sign_seen": res.sign_seen, "band_coverage": inside}
    log(f"demo: three-peak spectrum, beta = {beta:g}, {tau.size} tau points, noise {noise:g}")
    note = fit_note(res.chi2, fitted=res.fit_distance is not None)
    log(f"model {summary['model']}: Err = {err:.4f}, RSE = {rse:.4f}, chi2/N = {res.chi2:.3f}, "
        f"reliable = {res.reliable}, input sign = {res.sign_seen}{note}")
    log(f"error band ({out.band.method}, {out.band.n_samples}): mean std {out.band.std.mean():.4f}; the true "
        f"spectrum lies inside it at {100 * inside:.0f}% of the frequencies")
    for msg in res.warnings:
        log(f"warning: {msg}")
    if plot:
        log(f"wrote {plot}")
    return summary
