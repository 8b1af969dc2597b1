"""How small can the fitted chi2/N get with correct error bars, and how often are wrong ones caught?

Run: OMP_NUM_THREADS=1 PYTHONPATH=. python scripts/error_scale_check.py [n]   (~6 min with n = 100;
docs/accuracy.md, ac_learned.diagnostics.errors_look_too_large)

For each model and noise level, n spectra of the model's own prior (data seed + 2, the held-out seed) are
put on a uniform tau grid at beta = 10 (the paper model on its own grid) with white noise or noise
correlated along tau (AR(1) with coefficient rho, unit variance per point), and continued by `solve` with
the error bars err = k * sigma: k = 1 (correct), and k = 2, 3, 10 (too large: e.g. the spread of the samples
passed instead of the error of their mean).  Reported: the smallest, 1st-percentile and median fitted
chi2/N, and the share that `solve` warns about (chi2/N below ERRORS_TOO_LARGE_BELOW).
"""
import sys
import warnings

import numpy as np

from ac_learned.cards import load_model
from ac_learned.diagnostics import ERRORS_TOO_LARGE_BELOW
from ac_learned.kernels import fermionic_kernel_dimensionless
from ac_learned.priors import make_dataset
from ac_learned.solve import solve
from ac_learned.zoo import list_cards

BETA = 10.0
CASES = (("rlista10-v32", 201), ("rlista10-v180", 201), ("rlista10-v32", 41), ("paper-rlista6", None))
SIGMAS = (1e-4, 1e-3)
RHOS = (0.0, 0.5, 0.9)
SCALES = (1.0, 2.0, 3.0, 10.0)


def correlated_noise(rng: np.random.Generator, shape: tuple[int, int], rho: float) -> np.ndarray:
    """AR(1) noise along the last axis, unit variance at every point."""
    e = rng.standard_normal(shape)
    for j in range(1, shape[1]):
        e[:, j] = rho * e[:, j - 1] + np.sqrt(1.0 - rho ** 2) * e[:, j]
    return e


def main(n: int) -> None:
    warnings.simplefilter("ignore")
    cards = {c["name"]: c for c in list_cards()}
    rng = np.random.default_rng(5)
    print(f"n = {n} spectra per row; warned = fitted chi2/N < {ERRORS_TOO_LARGE_BELOW}")
    print("| model | Ntau | sigma | rho | err / sigma | min chi2/N | 1st pct | median | warned |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, n_tau in CASES:
        card = cards[name]
        model = load_model(card["_path"])
        a, _, _ = make_dataset(n, model.x, model.nu, card["prior"], int(card["data"]["seed"]) + 2)
        tau = model.x * BETA if n_tau is None else np.linspace(0.0, BETA, n_tau)
        g = -(a @ fermionic_kernel_dimensionless(tau / BETA, model.nu).T)
        for sigma in SIGMAS:
            for rho in RHOS:
                noisy = g + sigma * correlated_noise(rng, g.shape, rho)
                for k in SCALES if rho == 0.0 else (1.0,):
                    res = solve(tau, noisy, beta=BETA, omega=model.nu / BETA, err=k * sigma, model=card["_path"])
                    c = np.asarray(res.chi2)
                    print(f"| {name} | {tau.size} | {sigma:g} | {rho:g} | {k:g} | {c.min():.3f} | "
                          f"{np.percentile(c, 1):.3f} | {np.median(c):.3f} | "
                          f"{np.mean(c < ERRORS_TOO_LARGE_BELOW):.0%} |", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
