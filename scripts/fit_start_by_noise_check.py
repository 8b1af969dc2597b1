"""How much of the network's spectrum should the fit's default model hold, by noise level?  (issue 3)

Run: OMP_NUM_THREADS=1 PYTHONPATH=. python scripts/fit_start_by_noise_check.py [n] [variant ...]
     [--sigmas=1e-5,1e-4,1e-3] [--sets=dcqab]   (docs/accuracy.md)

``solve`` fits the network's weights to the data by moving them the least in Neyman's chi-square divergence
from a default model ``m``.  A variant is ``none`` (``m`` = the network's spectrum), ``flat:w``
(``m = (1 - w) * network + w * flat``) or ``broad:w`` (``m = (1 - w) * network + w * broadened network``,
:func:`ac_learned.refine.broadened`), the same ``w`` at every noise level; ``shipped`` is what ``solve`` does
(:func:`ac_learned.refine.broadened_share`); ``broadw:w:c0:c1`` is ``broad:w`` with the broadening's width
``c0 + c1 |nu|`` instead of the shipped (2, 0.1).  Default variants: none, flat:0.7, broad:0.7.  Measured on the
same noisy data for every variant:

(d) random physical spectra outside the training prior (:func:`noise_band_check.random_physical_set`, ``n``
    per beta = 2, 5, 10, 37.5, 100 on +-10): mean Err;
(c) the six fixed physical spectra of ``scripts/ensemble_check.py`` (3 draws each): mean Err;
(q) two metals of tests/test_zoo.py (broad and narrow quasi-particle peak with Hubbard bands) at beta = 20
    and 200: Err;
(b) held-out spectra of three zoo windows' own prior (beta = 10, 201 uniform tau): mean RSE and Err;
(a) the paper set (``paper-rlista6``'s prior, grid and held-out seed): mean RSE and Err.
"""
import sys
import warnings

import numpy as np
from ensemble_check import PHYSICAL_BETAS, physical_spectrum
from fit_default_share_check import SHIPPED_FITTED, flat_start
from noise_band_check import random_physical_set

from ac_learned.cards import load_model
from ac_learned.grids import trapezoid_weights
from ac_learned.kernels import fermionic_kernel, fermionic_kernel_dimensionless
from ac_learned.metrics import err_l1, rse
from ac_learned.priors import make_dataset
from ac_learned.refine import broadened
from ac_learned.solve import solve
from ac_learned.zoo import list_cards

SIGMAS = (1e-5, 1e-4, 1e-3)
SOLVE = sys.modules["ac_learned.solve"]
SHIPPED_WITH_SHARE = SOLVE.with_broadened_share
METALS = {"broad QP": ((0.2, 0.3, 0.6), (-2.0, 0.8, 0.4)),
          "narrow QP": ((0.02, 0.05, 0.3), (2.5, 0.6, 0.35), (-2.5, 0.6, 0.35))}


def use_start(variant: str) -> None:
    """Make solve's fit start from the default model named by ``variant`` (see the module docstring)."""
    kind, _, share = variant.partition(":")
    widths = None
    if kind == "broadw":  # broadw:w:c0:c1, the broadening's widths c0 + c1 |nu| too
        share, c0, c1 = share.split(":")
        widths = (float(c0), float(c1))
    SOLVE.with_broadened_share = SHIPPED_WITH_SHARE if widths is None else (
        lambda w, nu, sh: (1 - np.broadcast_to(np.asarray(sh, float), w.shape[:1])[:, None]) * w
        + np.broadcast_to(np.asarray(sh, float), w.shape[:1])[:, None] * broadened(w, nu, widths))
    if kind in ("none", "flat"):
        SOLVE._fitted = flat_start(float(share or 0.0))
        return

    def fitted(weights, nu, x, g_rel, err_rel, cov_rel, shipped_share, target=None):
        if kind in ("broad", "broadw"):
            shipped_share = np.full(len(weights), float(share))
        return SHIPPED_FITTED(weights, nu, x, g_rel, err_rel, cov_rel, shipped_share, target)

    SOLVE._fitted = fitted


def _row(label: str, sigma: float, values: list[float], fmt: str = ".4f") -> None:
    print(f"| {label} | {sigma:g} | " + " | ".join(f"{v:{fmt}}" for v in values) + " |", flush=True)


def random_physical(n: int, variants: list[str]) -> None:
    for beta, n_tau in PHYSICAL_BETAS:
        tau, w, truth, g, rng = random_physical_set(beta, n_tau, n)
        tw = trapezoid_weights(w)
        noise = rng.standard_normal(g.shape)  # one draw, scaled to each sigma
        for sigma in SIGMAS:
            means = []
            for variant in variants:
                use_start(variant)
                means.append(err_l1(solve(tau, g + sigma * noise, beta=beta, omega=w, err=sigma).A * tw,
                                    truth).mean())
            _row(f"(d) random physical, beta {beta:g}, {n}", sigma, means)


def six_physical(variants: list[str], draws: int = 3) -> None:
    w = np.linspace(-10.0, 10.0, 401)
    fine = np.linspace(-40.0, 40.0, 40001)
    names = ("metal", "mott", "semicircle", "asymmetric", "lorentzian", "band edges")
    for beta, n_tau in PHYSICAL_BETAS:
        tau = np.linspace(0.0, beta, n_tau)
        kern = fermionic_kernel(tau, fine, beta) * trapezoid_weights(fine)
        for sigma in SIGMAS:
            errs = [[] for _ in variants]
            for k, name in enumerate(names):
                truth = physical_spectrum(name, w) * trapezoid_weights(w)
                g = -(kern @ physical_spectrum(name, fine))
                noisy = g + sigma * np.random.default_rng(100 * k + 1).standard_normal((draws, n_tau))
                for j, variant in enumerate(variants):
                    use_start(variant)
                    errs[j] += list(err_l1(solve(tau, noisy, beta=beta, omega=w, err=sigma).A
                                           * trapezoid_weights(w), truth))
            _row(f"(c) six physical, beta {beta:g}", sigma, [np.mean(e) for e in errs])


def metals(variants: list[str]) -> None:
    w_fine = np.linspace(-15.0, 15.0, 3001)
    omega = np.linspace(-10.0, 10.0, 401)
    for label, peaks in METALS.items():
        a_true = sum(h * np.exp(-0.5 * ((w_fine - c) / s) ** 2) / s for c, s, h in peaks)  # weights h
        a_true /= np.trapezoid(a_true, w_fine)
        for beta, n_tau in ((20.0, 101), (200.0, 201)):
            tau = np.linspace(0.0, beta, n_tau)
            g = -fermionic_kernel_dimensionless(tau / beta, beta * w_fine) @ (a_true * np.gradient(w_fine))
            noise = np.random.default_rng(0).standard_normal(tau.size)
            for sigma in SIGMAS:
                errs = []
                for variant in variants:
                    use_start(variant)
                    res = solve(tau, g + sigma * noise, beta=beta, omega=omega, err=sigma)
                    errs.append(np.trapezoid(np.abs(res.A - np.interp(omega, w_fine, a_true)), omega))
                _row(f"(q) {label}, beta {beta:g}", sigma, errs)


def prior_sets(n: int, variants: list[str]) -> None:
    cards = {c["name"]: c for c in list_cards()}
    for name in ("paper-rlista6", "rlista10-v32", "rlista10-v180", "rlista10-v560"):
        card = cards[name]
        model = load_model(card["_path"])
        a, _, _ = make_dataset(n, model.x, model.nu, card["prior"], int(card["data"]["seed"]) + 2)
        if name == "paper-rlista6":
            beta = float(card["grid"]["beta_reference"])
            tau = model.x * beta
        else:
            beta, tau = 10.0, np.linspace(0.0, 10.0, 201)
        g = -(a @ fermionic_kernel_dimensionless(tau / beta, model.nu).T)
        noise = np.random.default_rng(11).standard_normal(g.shape)
        for sigma in SIGMAS:
            rses, errs = [], []
            for variant in variants:
                use_start(variant)
                res = solve(tau, g + sigma * noise, beta=beta, omega=model.nu / beta, err=sigma,
                            model="auto" if name != "paper-rlista6" else name)
                rses.append(rse(res.weights, a).mean())
                errs.append(err_l1(res.weights, a).mean())
            _row(f"({'a' if name == 'paper-rlista6' else 'b'}) {name} RSE, {n}", sigma, rses)
            _row(f"({'a' if name == 'paper-rlista6' else 'b'}) {name} Err, {n}", sigma, errs)


def main(n: int, variants: list[str], sets: str) -> None:
    warnings.simplefilter("ignore")
    print("| set | sigma | " + " | ".join(variants) + " |\n|---|---|" + "---|" * len(variants))
    if "d" in sets:
        random_physical(n, variants)
    if "c" in sets:
        six_physical(variants)
    if "q" in sets:
        metals(variants)
    if "a" in sets or "b" in sets:
        prior_sets(2 * n, variants)
    SOLVE._fitted = SHIPPED_FITTED
    SOLVE.with_broadened_share = SHIPPED_WITH_SHARE


if __name__ == "__main__":
    options = dict(a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("--"))
    numbers = [a for a in sys.argv[1:] if not a.startswith("--")]
    if "sigmas" in options:
        SIGMAS = tuple(float(s) for s in options["sigmas"].split(","))
    main(int(numbers[0]) if numbers else 40, numbers[1:] or ["none", "flat:0.7", "broad:0.7"],
         options.get("sets", "dcqab"))
