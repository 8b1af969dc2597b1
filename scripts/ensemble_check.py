"""Does averaging two windows' networks before the fit help?  solve(model="auto") against the same fit
started from the served network alone (solve(model=<the served model's name>)), on the same noisy data.

Run: OMP_NUM_THREADS=1 PYTHONPATH=. python scripts/ensemble_check.py [n]   (~8 min with n = 60;
docs/accuracy.md, ac_learned.zoo.companion)

(a) Held-out sets: n spectra of each window's own prior (data seed + 2, the held-out seed), 201 uniform tau
    points at beta = 10, white noise sigma = 1e-4 and 1e-3; RSE and Err of the weights on the model grid
    (V < 1000, where the fit keeps that grid).
(b) Physical spectra not drawn from any training prior (a metal with quasi-particle peak and Hubbard bands, a
    Mott insulator, a semicircle, an asymmetric two-peak spectrum, a Lorentzian with a smooth cut-off, a
    semiconductor with square-root band edges), beta = 2 ... 100 on a +-10 window, 401 omega points, each with
    five noise draws; Err on the omega grid.
"""
import sys
import warnings

import numpy as np

from ac_learned.cards import load_model
from ac_learned.grids import trapezoid_weights
from ac_learned.kernels import fermionic_kernel, fermionic_kernel_dimensionless
from ac_learned.metrics import err_l1, rse
from ac_learned.priors import make_dataset
from ac_learned.solve import solve
from ac_learned.zoo import companion, list_cards

HELDOUT = ("rlista10-v10", "rlista10-v32", "rlista10-v56", "rlista10-v180", "rlista10-v320")
SIGMAS = (1e-4, 1e-3)
PHYSICAL_BETAS = ((2.0, 51), (5.0, 51), (10.0, 101), (37.5, 201), (100.0, 501))


def _gauss(w, c, s):
    return np.exp(-0.5 * ((w - c) / s) ** 2)


def physical_spectrum(name: str, w: np.ndarray) -> np.ndarray:
    """Normalised test spectra of the kind QMC users continue (none is a training family as such)."""
    a = {
        "metal": 0.4 * _gauss(w, 0, 0.2) / 0.2 + 0.3 * _gauss(w, -2.5, 0.6) / 0.6 + 0.3 * _gauss(w, 2.5, 0.6) / 0.6,
        "mott": _gauss(w, -2.0, 0.5) + _gauss(w, 2.0, 0.5),
        "semicircle": np.sqrt(np.clip(4.0 - w ** 2, 0.0, None)),
        "asymmetric": 0.7 * _gauss(w, -1.0, 0.4) / 0.4 + 0.3 * _gauss(w, 3.0, 1.0),
        "lorentzian": 0.3 / (w ** 2 + 0.09) * np.exp(-(w / 6.0) ** 4),
        "band edges": np.sqrt(np.clip(-0.5 - w, 0, None)) * np.exp(-(w + 0.5) ** 2 / 2)
        + np.sqrt(np.clip(w - 0.8, 0, None)) * np.exp(-(w - 0.8) ** 2),
    }[name]
    return a / (trapezoid_weights(w) @ a)


def heldout(n: int) -> None:
    cards = {c["name"]: c for c in list_cards()}
    beta, rng = 10.0, np.random.default_rng(7)
    print("| held-out set | sigma | served (averaged with) | RSE single | RSE averaged | ratio | wins | Err ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for name in HELDOUT:
        card = cards[name]
        model = load_model(card["_path"])
        a, _, _ = make_dataset(n, model.x, model.nu, card["prior"], int(card["data"]["seed"]) + 2)
        tau = np.linspace(0.0, beta, 201)
        g = -(a @ fermionic_kernel_dimensionless(tau / beta, model.nu).T)
        for sigma in SIGMAS:
            noisy = g + sigma * rng.standard_normal(g.shape)
            avg = solve(tau, noisy, beta=beta, omega=model.nu / beta, err=sigma)
            one = solve(tau, noisy, beta=beta, omega=model.nu / beta, err=sigma, model=avg.model_card["name"])
            r_avg, r_one = rse(avg.weights, a), rse(one.weights, a)
            e_ratio = err_l1(avg.weights, a).mean() / err_l1(one.weights, a).mean()
            print(f"| {name} | {sigma:g} | {avg.model_card['name']} ({avg.averaged_with}) | {r_one.mean():.4f} | "
                  f"{r_avg.mean():.4f} | {r_avg.mean() / r_one.mean():.3f} | {np.mean(r_avg < r_one):.0%} | "
                  f"{e_ratio:.3f} |", flush=True)


def physical(draws: int = 5) -> None:
    w = np.linspace(-10.0, 10.0, 401)
    fine = np.linspace(-40.0, 40.0, 40001)
    names = ("metal", "mott", "semicircle", "asymmetric", "lorentzian", "band edges")
    print("\n| beta | Ntau | sigma | mean Err single | mean Err averaged | ratio | averaged better |")
    print("|---|---|---|---|---|---|---|")
    totals = {s: [] for s in SIGMAS}
    for beta, n_tau in PHYSICAL_BETAS:
        tau = np.linspace(0.0, beta, n_tau)
        kern = fermionic_kernel(tau, fine, beta) * trapezoid_weights(fine)
        for sigma in SIGMAS:
            e_one, e_avg = [], []
            for k, name in enumerate(names):
                truth = physical_spectrum(name, w)
                g = -(kern @ physical_spectrum(name, fine))
                noisy = g + sigma * np.random.default_rng(100 * k + 1).standard_normal((draws, n_tau))
                avg = solve(tau, noisy, beta=beta, omega=w, err=sigma)
                one = solve(tau, noisy, beta=beta, omega=w, err=sigma, model=avg.model_card["name"])
                e_avg += list(err_l1(avg.A * trapezoid_weights(w), truth * trapezoid_weights(w)))
                e_one += list(err_l1(one.A * trapezoid_weights(w), truth * trapezoid_weights(w)))
            e_one, e_avg = np.array(e_one), np.array(e_avg)
            totals[sigma].append((e_one.mean(), e_avg.mean()))
            print(f"| {beta:g} | {n_tau} | {sigma:g} | {e_one.mean():.3f} | {e_avg.mean():.3f} | "
                  f"{e_avg.mean() / e_one.mean():.3f} | {np.mean(e_avg < e_one):.0%} |", flush=True)
    for sigma, rows in totals.items():
        rows = np.array(rows)
        print(f"\nsigma {sigma:g}, all betas: mean Err {rows[:, 0].mean():.3f} single, "
              f"{rows[:, 1].mean():.3f} averaged")


def main(n: int) -> None:
    warnings.simplefilter("ignore")
    assert companion(load_model(list_cards()[-1]["_path"])) is None  # the widest window has no partner
    heldout(n)
    physical()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60)
