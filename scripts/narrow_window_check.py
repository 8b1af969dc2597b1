"""Windows of a few temperatures: `solve` and MaxEnt-flat on a metal with Hubbard bands, beta * max|omega| = 0.1-20.

Run: PYTHONPATH=. OMP_NUM_THREADS=1 python scripts/narrow_window_check.py   (about 1 min)
The spectrum (quasi-particle peak, bands at +-2.5) lies inside omega in [-5, 5]; 101 tau points, white noise
1e-4 and 1e-3. Prints Err = int |A - A_true| / int A_true of both methods and `solve`'s warnings, the figures
behind the narrow-window warning (README, "Three warnings do not change reliable").
"""

import contextlib
import io
import warnings

import numpy as np

import ac_learned
from ac_learned.ana_cont import AnalyticContinuationProblem
from ac_learned.grids import trapezoid_weights
from ac_learned.kernels import fermionic_kernel

W = 5.0
OMEGA = np.linspace(-W, W, 301)
FINE = np.linspace(-30, 30, 6001)


def spectrum(w):
    gauss = [(0.5, 0.0, 0.4), (0.25, 2.5, 0.6), (0.25, -2.5, 0.6)]
    return sum(a * np.exp(-0.5 * ((w - c) / s) ** 2) / (s * np.sqrt(2 * np.pi)) for a, c, s in gauss)


def err(a):
    truth = spectrum(OMEGA)
    w = trapezoid_weights(OMEGA)
    return float(np.abs(a - truth) @ w / (truth @ w))


def maxent_flat(tau, g, sigma, beta):
    probl = AnalyticContinuationProblem(im_axis=tau, re_axis=OMEGA, im_data=-g, kernel_mode="time_fermionic",
                                        beta=beta)
    model = np.ones_like(OMEGA) / (OMEGA[-1] - OMEGA[0]) / beta
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sol, _ = probl.solve(method="maxent_svd", alpha_determination="chi2kink", optimizer="newton",
                                 stdev=np.full(tau.size, sigma), model=model, interactive=False)
        return err(sol.A_opt)
    except Exception as exc:  # noqa: BLE001 - a failed MaxEnt run is reported, not fatal
        print(f"  MaxEnt failed: {type(exc).__name__}")
        return float("nan")


def main():
    rng = np.random.default_rng(0)
    print("beta  beta*W  sigma   Err solve  Err MaxEnt-flat  solve's warnings")
    for beta in (0.02, 0.1, 0.2, 0.4, 1.0, 2.0, 4.0):
        tau = np.linspace(0, beta, 101)
        g = -fermionic_kernel(tau, FINE, beta) @ (spectrum(FINE) * trapezoid_weights(FINE))
        for sigma in (1e-4, 1e-3):
            noisy = g + sigma * rng.standard_normal(g.size)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = ac_learned.solve(tau, noisy, beta=beta, omega=OMEGA, err=sigma)
            said = "; ".join(w[:48] for w in res.warnings) or "-"
            me = maxent_flat(tau, noisy, sigma, beta)
            print(f"{beta:5g} {beta * W:6.3g} {sigma:6g}  {err(res.A):9.3f}  {me:15.3f}  {said}")


if __name__ == "__main__":
    main()
