"""Continuous spectra at physical beta and windows: solve (auto, fitted) beside MaxEnt-flat.

Run: OMP_NUM_THREADS=1 PYTHONPATH=. python scripts/physical_beta_check.py [n]   (~15 min with n = 30; docs/accuracy.md)

The `default` benchmark draws its spectra on each model's own grid at beta = 10, so it cannot see what
the discretisation of a model's grid costs on a real, continuous spectrum.  Here every spectrum is drawn
from the zoo's prior (all families, scaled to the window) on a fine uniform grid of 4001 points over the
user's window [-Omega, Omega]; G(tau) on 401 uniform tau points is computed from it with the exact
kernel, white noise sigma (relative to G(0) + G(beta) = 1) is added and passed as the error bar, and
A(omega) is asked for on 401 uniform points.  Methods: `solve` (model="auto", fitted to the data, what a
user gets), the same without the fit's refinement of the grid near omega = 0 (`refine_near_zero`), and
ana_cont MaxEnt-flat (chi2kink, 60 s limit).  Err = int |A - A_true| d omega, A_true being the fine spectrum
averaged over the omega grid's cells (normalised), mean over the spectra MaxEnt completed; also the
median chi2/N and the share flagged unreliable.
"""
import contextlib
import io
import sys

import numpy as np

import ac_learned
from ac_learned.bench.neural_default import MAXENT_TIMEOUT_S, _MaxEntTimeout, _time_limit
from ac_learned.grids import trapezoid_weights, weights_to_density
from ac_learned.kernels import fermionic_kernel_dimensionless
from ac_learned.pipeline import _maxent_solve
from ac_learned.priors import make_dataset
from ac_learned.zoo import resolve

CASES = ((2.0, 10.0), (5.0, 10.0), (10.0, 5.0), (40.0, 10.0), (100.0, 10.0), (200.0, 5.0), (200.0, 10.0))
SIGMAS = (1e-4, 1e-3)
SOLVE = sys.modules["ac_learned.solve"]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    print(f"{n} spectra per row, 401 tau points, 401 omega points; cells: mean Err / median chi2/N / flagged")
    print("| beta | Omega | V | sigma | model (auto) | solve (fitted) | without the grid refinement | MaxEnt-flat |"
          " kept |")
    print("|---|---|---|---|---|---|---|---|---|")
    refine = SOLVE.refine_near_zero
    for k, (beta, omega_max) in enumerate(CASES):
        v = beta * omega_max
        card = resolve("auto", v).card
        nu_fine = np.linspace(-v, v, 4001)
        a, _, _ = make_dataset(n, np.linspace(0, 1, 11), nu_fine, card["prior"], 777 + k)
        tau = np.linspace(0.0, beta, 401)
        g_clean = -(a @ fermionic_kernel_dimensionless(tau / beta, nu_fine).T)
        omega = np.linspace(-omega_max, omega_max, 401)
        a_true = weights_to_density(a, nu_fine, beta, omega)  # window averages: narrow peaks keep their weight
        w = trapezoid_weights(omega)
        for sigma in SIGMAS:
            g = g_clean + sigma * np.random.default_rng(k).standard_normal(g_clean.shape)
            cells, kept = [], np.ones(n, bool)
            results = {}
            for label, fn in (("fitted", refine), ("unrefined", lambda nu: nu)):
                SOLVE.refine_near_zero = fn
                try:
                    res = ac_learned.solve(tau, g, beta=beta, omega=omega, err=sigma)
                finally:
                    SOLVE.refine_near_zero = refine
                results[label] = (np.atleast_2d(res.A), np.asarray(res.chi2), ~np.asarray(res.reliable))
                name = res.model_card["name"]
            maxent = np.full((n, omega.size), np.nan)
            for i in range(n):
                try:
                    with contextlib.redirect_stdout(io.StringIO()), _time_limit(MAXENT_TIMEOUT_S):
                        me = _maxent_solve(tau, g[i], beta, omega, np.full(tau.size, sigma), "maxent", "auto", "auto",
                                           "cpu")
                    maxent[i] = me.A
                except (RuntimeError, ValueError, IndexError, np.linalg.LinAlgError, _MaxEntTimeout):
                    kept[i] = False
            for label in ("fitted", "unrefined"):
                A, chi2, flagged = results[label]
                err = (np.abs(A - a_true) @ w)[kept]
                cells.append(f"{err.mean():.3f} / {np.median(chi2):.2f} / {flagged.mean():.0%}")
            err_me = (np.abs(maxent - a_true) @ w)[kept]
            cells.append(f"{err_me.mean():.3f}")
            print(f"| {beta:g} | {omega_max:g} | {v:g} | {sigma:g} | {name} | " + " | ".join(cells)
                  + f" | {kept.sum()}/{n} |", flush=True)


if __name__ == "__main__":
    main()
