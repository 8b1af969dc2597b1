"""Does the fit to the data gain from the full covariance when the errors of G(tau) are correlated?

Run: OMP_NUM_THREADS=1 PYTHONPATH=. python scripts/covariance_check.py [n]   (~6 min with n = 100; docs/accuracy.md)

QMC errors at neighbouring tau points are correlated.  For each model, noise level sigma and
correlation length ell (in units of beta; exponential correlation exp(-|tau - tau'| / (ell beta))),
n spectra of the model's own prior (data seed + 3, a set no training or selection used) are put on 201
uniform tau points at beta = 10 with correlated noise, and continued three ways through `solve`:
the network alone (`fit_data=False`), fitted with the diagonal errors only (`err = sigma`, what a user
who ignores the correlations gets) and fitted with the covariance (`cov`).  Reported: mean RSE and Err
of the weights on the model grid, the median of the true (covariance) chi2/N of each back-transform,
and the share flagged unreliable.
"""
import sys

import numpy as np

from ac_learned.bench.reliability import BETA, N_TAU
from ac_learned.cards import load_model
from ac_learned.covariance import chi2_per_point_correlated, cholesky_factor
from ac_learned.kernels import fermionic_kernel_dimensionless
from ac_learned.metrics import err_l1, rse
from ac_learned.priors import make_dataset
from ac_learned.solve import solve
from ac_learned.zoo import list_cards

MODELS = ("rlista10-v32-lownoise", "rlista10-v32", "rlista10-v180")
SIGMAS = {"rlista10-v32-lownoise": (1e-4,), "rlista10-v32": (1e-3,), "rlista10-v180": (1e-4, 1e-3)}
ELLS = (0.01, 0.05)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    cards = {c["name"]: c for c in list_cards()}
    tau = np.linspace(0.0, BETA, N_TAU)
    x = tau / BETA
    print(f"{n} spectra per row, beta = {BETA}, {N_TAU} tau points; cells: mean RSE / mean Err / median true "
          "chi2/N / flagged")
    print("| model | sigma | ell | network alone | fitted, diagonal err | fitted, covariance |")
    print("|---|---|---|---|---|---|")
    for name in MODELS:
        card = cards[name]
        model = load_model(card["_path"])
        a, _, _ = make_dataset(n, model.x, model.nu, card["prior"], int(card["data"]["seed"]) + 3)
        g_clean = -(a @ fermionic_kernel_dimensionless(x, model.nu).T)
        for sigma in SIGMAS[name]:
            for ell in ELLS:
                corr = np.exp(-np.abs(x[:, None] - x[None, :]) / ell)
                cov = sigma ** 2 * corr
                chol = cholesky_factor(cov)
                rng = np.random.default_rng(7)
                g = g_clean + rng.standard_normal(g_clean.shape) @ chol.T
                omega = model.nu / BETA
                cells = []
                for kw in ({"err": sigma, "fit_data": False}, {"err": sigma}, {"cov": cov}):
                    res = solve(tau, g, beta=BETA, omega=omega, model=card["_path"], **kw)
                    w = res.weights
                    true_chi2 = chi2_per_point_correlated(g, res.backtransform, chol)
                    cells.append(f"{np.mean(rse(w, a)):.4f} / {np.mean(err_l1(w, a)):.3f} / "
                                 f"{np.median(true_chi2):.2f} / {np.mean(~np.asarray(res.reliable)):.0%}")
                print(f"| {name} | {sigma:g} | {ell:g} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
