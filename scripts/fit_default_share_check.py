"""Should the fit's default model carry a flat share, or a higher floor, where the network put no weight?

Run: OMP_NUM_THREADS=1 PYTHONPATH=. python scripts/fit_default_share_check.py [n] [draws]   (docs/accuracy.md)

``solve`` fits the network's weights to the data by moving them the least in Neyman's chi-square divergence
``sum (a - m)^2 / (m + floor * max m)`` with ``m`` the network's (window-averaged) weights and floor 1e-3.
Where the data say little (smooth spectra at high temperature) the network's structure survives the fit, and
MaxEnt-flat, whose entropy prefers smooth spectra, is better there.  This script compares the shipped fit
with variants of its default model: ``m = (1 - w) * network + w * flat`` (flat = equal density on the grid)
and larger floors, on the same noisy data:

(a) paper set: ``paper-rlista6``'s prior and grid, held-out seed, sigma 1e-5, 1e-4, 1e-3; mean RSE.
(b) held-out sets of three zoo windows (201 uniform tau at beta = 10), sigma 1e-4 and 1e-3; mean RSE.
(c) six physical spectra (scripts/ensemble_check.py) at beta = 2 ... 100 on +-10, sigma 1e-4 and 1e-3;
    mean Err.
"""
import sys
import warnings

import numpy as np
from ensemble_check import PHYSICAL_BETAS, physical_spectrum

import ac_learned.refine as refine
from ac_learned.cards import load_model
from ac_learned.grids import trapezoid_weights
from ac_learned.kernels import fermionic_kernel, fermionic_kernel_dimensionless
from ac_learned.metrics import err_l1, rse
from ac_learned.priors import make_dataset
from ac_learned.solve import solve
from ac_learned.zoo import list_cards

SOLVE = sys.modules["ac_learned.solve"]
SHIPPED_FIT = refine.fit_to_data
SHIPPED_FITTED = SOLVE._fitted
#: (flat share w, floor) of the fit's default model; the first is what solve ships.
VARIANTS = ((0.0, 1e-3), (0.0, 1e-2), (0.0, 1e-1), (0.03, 1e-3), (0.1, 1e-3), (0.3, 1e-3))


def flat_start(share: float):
    """A stand-in for solve's ``_fitted`` whose fit starts from ``(1 - share) * network + share * flat``.

    The flat share is mixed in on the grid the shipped fit runs on, and it replaces the broadened share
    that solve ships for precise data (:func:`ac_learned.refine.broadened_share`): none is added.
    """
    def fitted(weights, nu, x, g_rel, err_rel, cov_rel, shipped_share, target=None):
        fine = SOLVE.refine_near_zero(nu)  # the grid the shipped fit runs on (refining it again changes nothing)
        if fine.size > nu.size:
            weights, nu = SOLVE.weights_on_grid(weights, nu, fine), fine
        flat = trapezoid_weights(nu)
        weights = (1 - share) * weights + share * flat / flat.sum()
        return SHIPPED_FITTED(weights, nu, x, g_rel, err_rel, cov_rel, np.zeros(len(weights)), target)

    return fitted


def use_variant(share: float, floor: float) -> None:
    """Make solve's fit start from ``(1 - share) * network + share * flat`` with the divergence's ``floor``."""
    def fit(a0, kernel, g, err=None, cov=None, **kwargs):
        return SHIPPED_FIT(a0, kernel, g, err, floor=floor, cov=cov, **kwargs)

    refine.fit_to_data = fit
    SOLVE._fitted = flat_start(share)


def paper_and_heldout(n: int) -> None:
    cards = {c["name"]: c for c in list_cards()}
    print("| set | sigma | " + " | ".join(f"w={w:g}, floor={f:g}" for w, f in VARIANTS) + " |")
    print("|---|---|" + "---|" * len(VARIANTS))
    for name, beta, n_tau, sigmas in (("paper-rlista6", None, None, (1e-5, 1e-4, 1e-3)),
                                      ("rlista10-v32", 10.0, 201, (1e-4, 1e-3)),
                                      ("rlista10-v180", 10.0, 201, (1e-4, 1e-3)),
                                      ("rlista10-v560", 10.0, 201, (1e-4, 1e-3))):
        card = cards[name]
        model = load_model(card["_path"])
        a, _, _ = make_dataset(n, model.x, model.nu, card["prior"], int(card["data"]["seed"]) + 2)
        if beta is None:  # the paper grid itself
            beta = float(card["grid"]["beta_reference"])
            tau = model.x * beta
        else:
            tau = np.linspace(0.0, beta, n_tau)
        g = -(a @ fermionic_kernel_dimensionless(tau / beta, model.nu).T)
        for sigma in sigmas:
            noisy = g + sigma * np.random.default_rng(11).standard_normal(g.shape)
            means = []
            for share, floor in VARIANTS:
                use_variant(share, floor)
                res = solve(tau, noisy, beta=beta, omega=model.nu / beta, err=sigma,
                            model="auto" if name != "paper-rlista6" else name)
                means.append(rse(res.weights, a).mean())
            print(f"| {name}, {n} | {sigma:g} | " + " | ".join(f"{m:.4f}" for m in means) + " |", flush=True)


def physical(draws: int) -> None:
    w = np.linspace(-10.0, 10.0, 401)
    fine = np.linspace(-40.0, 40.0, 40001)
    names = ("metal", "mott", "semicircle", "asymmetric", "lorentzian", "band edges")
    print("\n| beta | sigma | " + " | ".join(f"w={s:g}, floor={f:g}" for s, f in VARIANTS) + " |")
    print("|---|---|" + "---|" * len(VARIANTS))
    for beta, n_tau in PHYSICAL_BETAS:
        tau = np.linspace(0.0, beta, n_tau)
        kern = fermionic_kernel(tau, fine, beta) * trapezoid_weights(fine)
        for sigma in (1e-4, 1e-3):
            errs = [[] for _ in VARIANTS]
            for k, name in enumerate(names):
                truth = physical_spectrum(name, w) * trapezoid_weights(w)
                g = -(kern @ physical_spectrum(name, fine))
                noisy = g + sigma * np.random.default_rng(100 * k + 1).standard_normal((draws, n_tau))
                for j, (share, floor) in enumerate(VARIANTS):
                    use_variant(share, floor)
                    res = solve(tau, noisy, beta=beta, omega=w, err=sigma)
                    errs[j] += list(err_l1(res.A * trapezoid_weights(w), truth))
            print(f"| {beta:g} | {sigma:g} | " + " | ".join(f"{np.mean(e):.3f}" for e in errs) + " |", flush=True)


def main(n: int, draws: int) -> None:
    warnings.simplefilter("ignore")
    physical(draws)
    paper_and_heldout(n)
    use_variant(0.0, refine.DEFAULT_FLOOR)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100, int(sys.argv[2]) if len(sys.argv) > 2 else 3)
