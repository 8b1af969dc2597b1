"""solve (model="auto", fitted) beside MaxEnt-flat on random physical spectra outside the training prior.

Run: OMP_NUM_THREADS=1 python scripts/physical_vs_maxent.py [n] [beta ...]   (~25 min with n = 40 and all
five beta; docs/accuracy.md)

The spectra and noise of scripts/noise_band_check.py section (d) (:func:`noise_band_check.random_physical_set`:
metals, Mott insulators, semicircles, unequal broad peaks, Lorentzians, semiconductors with random parameters;
+-10 window, 401 omega points; beta = 2, 5, 10, 37.5, 100 with 51, 51, 101, 201, 501 tau points; sigma 1e-5
and 1e-4, one draw each), continued by what a user gets from ``ac_learned.solve`` and by ana_cont MaxEnt-flat
(chi2kink, the true sigma as error bar).  Mean and median Err, and the share where solve is better.
"""
import sys
import warnings

import numpy as np
from ensemble_check import PHYSICAL_BETAS
from noise_band_check import random_physical_set

from ac_learned.grids import trapezoid_weights
from ac_learned.metrics import err_l1
from ac_learned.pipeline import _maxent_solve
from ac_learned.solve import solve


def main(n: int, betas: list[float]) -> None:
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
            theirs = np.array([
                err_l1((_maxent_solve(tau, row, beta, w, np.full(n_tau, sigma), "maxent", None, "numpy", "cpu").A
                        * tw)[None], truth[i:i + 1])[0]
                for i, row in enumerate(noisy)])
            print(f"| {beta:g} | {sigma:g} | {ours.mean():.3f} / {np.median(ours):.3f} | {theirs.mean():.3f} / "
                  f"{np.median(theirs):.3f} | {ours.mean() / theirs.mean():.2f} | {np.mean(ours < theirs):.0%} |",
                  flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40, [float(b) for b in sys.argv[2:]])
