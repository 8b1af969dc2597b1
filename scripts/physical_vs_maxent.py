"""solve (model="auto", fitted) beside MaxEnt-flat on random physical spectra outside the training prior.

Run: OMP_NUM_THREADS=1 python scripts/physical_vs_maxent.py [n] [beta ...] [--cache=DIR]   (about an hour with
n = 40 and all five beta, most of it MaxEnt at 201 and 501 tau points; docs/accuracy.md)

The spectra and noise of scripts/noise_band_check.py section (d) (:func:`noise_band_check.random_physical_set`:
metals, Mott insulators, semicircles, unequal broad peaks, Lorentzians, semiconductors with random parameters;
+-10 window, 401 omega points; beta = 2, 5, 10, 37.5, 100 with 51, 51, 101, 201, 501 tau points; sigma 1e-5
and 1e-4, one draw each), continued by what a user gets from ``ac_learned.solve`` and by ana_cont MaxEnt-flat
(chi2kink, the true sigma as error bar).  Mean and median Err, and the share where solve is better.
With ``--cache=DIR`` MaxEnt's Err per spectrum is kept in DIR (one ``.npy`` per beta, sigma and n) and read
back on the next run, so that a change to ``solve`` is re-measured in seconds.
"""
import sys
import warnings
from pathlib import Path

import numpy as np
from ensemble_check import PHYSICAL_BETAS
from noise_band_check import random_physical_set

from ac_learned.grids import trapezoid_weights
from ac_learned.metrics import err_l1
from ac_learned.pipeline import _maxent_solve
from ac_learned.solve import solve


def main(n: int, betas: list[float], cache: Path | None = None) -> None:
    warnings.simplefilter("ignore")
    print(f"{n} spectra per row | beta | sigma | solve mean / median Err | MaxEnt-flat mean / median Err | "
          "ratio of means | solve better |")
    for beta, n_tau in PHYSICAL_BETAS:
        if betas and beta not in betas:
            continue
        tau, w, truth, g, rng = random_physical_set(beta, n_tau, n)
        tw = trapezoid_weights(w)
        for sigma in (1e-5, 1e-4):
            noisy = g + sigma * rng.standard_normal(g.shape)
            ours = err_l1(solve(tau, noisy, beta=beta, omega=w, err=sigma).A * tw, truth)
            theirs = maxent_flat_errs(tau, noisy, beta, w, sigma, truth, cache, n)
            ran = np.isfinite(theirs)  # MaxEnt's chi2kink can fail; those spectra are left out of both columns
            failed = "" if ran.all() else f" (MaxEnt failed on {int((~ran).sum())}; left out)"
            ours, theirs = ours[ran], theirs[ran]
            print(f"| {beta:g} | {sigma:g} | {ours.mean():.3f} / {np.median(ours):.3f} | {theirs.mean():.3f} / "
                  f"{np.median(theirs):.3f} | {ours.mean() / theirs.mean():.2f} | {np.mean(ours < theirs):.0%} |"
                  + failed, flush=True)


def maxent_flat_errs(tau, noisy, beta, w, sigma, truth, cache: Path | None, n: int) -> np.ndarray:
    """MaxEnt-flat's Err per spectrum (NaN where it failed), read from / written to ``cache`` when given."""
    stored = None if cache is None else cache / f"maxent-err-beta{beta:g}-sigma{sigma:g}-n{n}.npy"
    if stored is not None and stored.exists():
        return np.load(stored, allow_pickle=False)
    theirs = np.array([_maxent_err(tau, row, beta, w, sigma, truth[i]) for i, row in enumerate(noisy)])
    if stored is not None:
        stored.parent.mkdir(parents=True, exist_ok=True)
        np.save(stored, theirs)
    return theirs


def _maxent_err(tau, g, beta, w, sigma, truth) -> float:
    """Err of MaxEnt-flat on one spectrum, NaN where ana_cont fails (e.g. its chi2kink fit)."""
    try:
        res = _maxent_solve(tau, g, beta, w, np.full(tau.size, sigma), "maxent", None, "numpy", "cpu")
    except (RuntimeError, ValueError, np.linalg.LinAlgError):
        return float("nan")
    return float(err_l1((res.A * trapezoid_weights(w))[None], truth[None])[0])


if __name__ == "__main__":
    numbers = [a for a in sys.argv[1:] if not a.startswith("--cache=")]
    caches = [Path(a.split("=", 1)[1]) for a in sys.argv[1:] if a.startswith("--cache=")]
    main(int(numbers[0]) if numbers else 40, [float(b) for b in numbers[1:]], caches[0] if caches else None)
