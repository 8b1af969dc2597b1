"""RLISTA vs MaxEnt-flat vs RLISTA+ on each zoo model's own held-out spectra (issue 3).

Run: OMP_NUM_THREADS=1 PYTHONPATH=. python scripts/zoo_vs_maxent.py N SIGMA [MODEL ...] > table.md

For each model: N spectra from its card's prior, drawn with the card's test seed (data.seed + 2,
the held-out set the card's metrics come from), beta = 10 (the kernel depends only on tau/beta and
beta*omega), omega = nu / beta (the model's grid), a user-like tau grid of 201 uniform points with
both ends, white noise SIGMA (relative to the norm) with the true SIGMA as error bars.  Errors on the
weights A(omega_j) w_j: Err = sum|a - a_true| / sum a_true and RSE = |a - a_true|_2.  MaxEnt is
ana_cont maxent_svd with chi2kink and a flat default (ac_learned.pipeline._maxent_solve).
"""

import sys
import time

import numpy as np

from ac_learned.cards import load_model
from ac_learned.grids import trapezoid_weights
from ac_learned.kernels import fermionic_kernel_dimensionless
from ac_learned.metrics import err_l1, rse
from ac_learned.pipeline import _maxent_solve
from ac_learned.priors import make_dataset
from ac_learned.solve import solve
from ac_learned.zoo import list_cards


def weights(A, omega):
    a = np.maximum(A, 0) * trapezoid_weights(omega)
    return a / a.sum()


def maxent_or_nan(tau, g, beta, omega, err, kind, card_path):
    """One MaxEnt run; NaNs when ana_cont's alpha search fails (counted in the table)."""
    try:
        return _maxent_solve(tau, g, beta, omega, err, kind, card_path, "auto", "cpu").A
    except (RuntimeError, ValueError, IndexError, np.linalg.LinAlgError):
        return np.full(omega.shape, np.nan)


def main():
    n, sigma = int(sys.argv[1]), float(sys.argv[2])
    names = sys.argv[3:] or [c["name"] for c in list_cards() if c["name"].startswith("rlista10-")]
    beta = 10.0
    print("| model | V | method | mean Err | median Err | mean RSE | wins vs MaxEnt-flat (Err) | s/spectrum |")
    print("|---|---|---|---|---|---|---|---|")
    for name in names:
        card = next(c for c in list_cards() if c["name"] == name)
        model = load_model(card["_path"])
        a_true, _, _ = make_dataset(n, model.x, model.nu, card["prior"], int(card["data"]["seed"]) + 2)
        tau = np.linspace(0, beta, 201)
        omega = model.nu / beta
        g = -(a_true @ fermionic_kernel_dimensionless(tau / beta, model.nu).T)
        g = g + sigma * np.random.default_rng(123).standard_normal(g.shape)
        err = np.full(tau.size, sigma)
        out = {}
        for method in ("RLISTA", "MaxEnt-flat", "RLISTA+"):
            t = time.perf_counter()
            if method == "RLISTA":
                got = np.atleast_2d(solve(tau, g, beta=beta, omega=omega, err=sigma, model=card["_path"]).A)
            else:
                kind = "maxent" if method == "MaxEnt-flat" else "rlista+"
                got = np.array([maxent_or_nan(tau, gi, beta, omega, err, kind, card["_path"]) for gi in g])
            dt = (time.perf_counter() - t) / n
            a = np.array([weights(A, omega) for A in got])
            out[method] = (err_l1(a, a_true), rse(a, a_true), dt)
        ok = np.all([np.isfinite(e) for e, _, _ in out.values()], axis=0)  # spectra every method solved
        base = out["MaxEnt-flat"][0][ok]
        for method, (e, r, dt) in out.items():
            e, r = e[ok], r[ok]
            wins = "" if method == "MaxEnt-flat" else f"{np.mean(e < base):.0%}"
            print(f"| {name} | {card['grid']['v_max']:g} | {method} | {e.mean():.3f} | {np.median(e):.3f} | "
                  f"{r.mean():.4f} | {wins} | {dt:.3g} |", flush=True)
        print(f"| {name} | | ({n - ok.sum()} of {n} spectra dropped: a MaxEnt alpha search failed) | | | | | |",
              flush=True)


if __name__ == "__main__":
    main()
