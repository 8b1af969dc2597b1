"""Which networks should the fit start from on precise data?  The low-noise band against the all-noise model.

Run: OMP_NUM_THREADS=1 PYTHONPATH=.:scripts python scripts/noise_band_check.py [n] [draws]   (docs/accuracy.md)

Until session 9, for data with sigma_rel <= 1.5e-4, ``model="auto"`` served each window's low-noise band (trained
on sigma in [1e-5, 3e-4]) and averaged it with the same band of the next wider window.  The bands were chosen on their
own prior's held-out sets, where they are 2-12 % better.  This script compares start rules for the fit on
the same noisy data, on spectra from and not from the training prior:

``band``   the rule shipped until session 9: low-noise band + low-noise band of the next window;
``broad``  the all-noise model + the all-noise model of the next window (shipped since: the bands left
           ``model="auto"`` because of what this script measures);
``mixed``  the low-noise band + the all-noise model of the same window.

(a) held-out sets: n spectra of four windows' prior (held-out seed), 201 uniform tau at beta = 10; mean RSE.
(b) six physical spectra (scripts/ensemble_check.py: metal, Mott insulator, semicircle, asymmetric, Lorentzian,
    band edges) at beta = 2 ... 100 on +-10, ``draws`` noise draws each; mean Err, MaxEnt-flat beside.
(c) continuous spectra drawn from the zoo prior on a fine grid at physical beta and windows
    (scripts/physical_beta_check.py's cases), n per row; mean Err.
(d) n random physical spectra per row (the six kinds of (b) with random positions, widths and weights,
    :func:`random_physical`), beta = 2 ... 100 on +-10, one noise draw each; mean Err and the share of
    spectra where ``broad`` beats ``band``.
"""
import math
import sys
import warnings

import numpy as np
from ensemble_check import PHYSICAL_BETAS, physical_spectrum
from physical_beta_check import CASES

import ac_learned.zoo as zoo
from ac_learned.cards import load_model
from ac_learned.grids import trapezoid_weights, weights_to_density
from ac_learned.kernels import fermionic_kernel, fermionic_kernel_dimensionless
from ac_learned.metrics import err_l1, rse
from ac_learned.pipeline import _maxent_solve
from ac_learned.priors import make_dataset
from ac_learned.solve import solve

SOLVE = sys.modules["ac_learned.solve"]
RULES = ("band", "broad", "mixed")
SIGMAS = (1e-5, 3e-5, 1e-4)
HELDOUT = ("rlista10-v10", "rlista10-v32", "rlista10-v100", "rlista10-v320")


def _window(v_required: float) -> list[dict]:
    """Cards of the rlista10 family (both noise bands, whatever their ``auto`` flag) of the smallest V >= v."""
    family = [c for c in zoo.list_cards() if c["name"].startswith("rlista10-")]
    v_best = min(float(c["grid"]["v_max"]) for c in family if float(c["grid"]["v_max"]) >= v_required)
    return [c for c in family if float(c["grid"]["v_max"]) == v_best]


def _band_resolve(model, v_required, sigma_rel=None):
    """``model="auto"`` as shipped until session 9: the low-noise band when it covers the data's noise."""
    return load_model(zoo.pick_noise_band(_window(v_required), sigma_rel)["_path"])


def _band_companion(served):
    """The same noise band of the next wider window."""
    for card in _window(math.nextafter(served.v_max, math.inf)):
        if zoo.noise_ceiling(card) == zoo.noise_ceiling(served.card):
            return load_model(card["_path"])
    return None


def _broad_of_window(served):
    return load_model(max(_window(served.v_max), key=zoo.noise_ceiling)["_path"])


def use_rule(rule: str) -> None:
    """Point solve's model choice and averaging partner at ``rule``."""
    SOLVE.resolve = _band_resolve if rule != "broad" else (lambda m, v, s=None: _band_resolve(m, v, None))
    SOLVE.companion = {"band": _band_companion, "broad": _band_companion, "mixed": _broad_of_window}[rule]


def heldout(n: int, rng: np.random.Generator) -> None:
    cards = {c["name"]: c for c in zoo.list_cards()}
    beta, tau = 10.0, np.linspace(0.0, 10.0, 201)
    print("| held-out set | sigma | " + " | ".join(RULES) + " |\n|---|---|" + "---|" * len(RULES))
    for name in HELDOUT:
        card = cards[name]
        model = load_model(card["_path"])
        a, _, _ = make_dataset(n, model.x, model.nu, card["prior"], int(card["data"]["seed"]) + 2)
        g = -(a @ fermionic_kernel_dimensionless(tau / beta, model.nu).T)
        for sigma in SIGMAS:
            noisy = g + sigma * rng.standard_normal(g.shape)
            cells = []
            for rule in RULES:
                use_rule(rule)
                res = solve(tau, noisy, beta=beta, omega=model.nu / beta, err=sigma)
                cells.append(f"{rse(res.weights, a).mean():.4f}")
            print(f"| {name}, {n} | {sigma:g} | " + " | ".join(cells) + " |", flush=True)


def physical(draws: int) -> None:
    w = np.linspace(-10.0, 10.0, 401)
    fine = np.linspace(-40.0, 40.0, 40001)
    tw = trapezoid_weights(w)
    names = ("metal", "mott", "semicircle", "asymmetric", "lorentzian", "band edges")
    print("\n| beta | sigma | " + " | ".join(RULES) + " | MaxEnt-flat |\n|---|---|" + "---|" * (len(RULES) + 1))
    for beta, n_tau in PHYSICAL_BETAS:
        tau = np.linspace(0.0, beta, n_tau)
        kern = fermionic_kernel(tau, fine, beta) * trapezoid_weights(fine)
        for sigma in SIGMAS:
            errs = {r: [] for r in (*RULES, "maxent")}
            for k, name in enumerate(names):
                truth = physical_spectrum(name, w) * tw
                g = -(kern @ physical_spectrum(name, fine))
                noisy = g + sigma * np.random.default_rng(100 * k + 1).standard_normal((draws, n_tau))
                for rule in RULES:
                    use_rule(rule)
                    res = solve(tau, noisy, beta=beta, omega=w, err=sigma)
                    errs[rule] += list(err_l1(res.A * tw, truth))
                for row in noisy:
                    m = _maxent_solve(tau, row, beta, w, np.full(n_tau, sigma), "maxent", None, "numpy", "cpu")
                    errs["maxent"] += list(err_l1((m.A * tw)[None], truth[None]))
            print(f"| {beta:g} | {sigma:g} | " + " | ".join(f"{np.mean(errs[r]):.3f}" for r in (*RULES, "maxent"))
                  + " |", flush=True)


def prior_continuous(n: int) -> None:
    print("\n| beta | Omega | sigma | " + " | ".join(RULES) + " |\n|---|---|---|" + "---|" * len(RULES))
    for k, (beta, omega_max) in enumerate(CASES):
        v = beta * omega_max
        card = zoo.resolve("auto", v).card
        nu_fine = np.linspace(-v, v, 4001)
        a, _, _ = make_dataset(n, np.linspace(0, 1, 11), nu_fine, card["prior"], 777 + k)
        tau = np.linspace(0.0, beta, 401)
        g_clean = -(a @ fermionic_kernel_dimensionless(tau / beta, nu_fine).T)
        omega = np.linspace(-omega_max, omega_max, 401)
        a_true = weights_to_density(a, nu_fine, beta, omega) * trapezoid_weights(omega)
        for sigma in SIGMAS:
            g = g_clean + sigma * np.random.default_rng(k).standard_normal(g_clean.shape)
            cells = []
            for rule in RULES:
                use_rule(rule)
                res = solve(tau, g, beta=beta, omega=omega, err=sigma)
                cells.append(f"{err_l1(res.A * trapezoid_weights(omega), a_true).mean():.3f}")
            print(f"| {beta:g} | {omega_max:g} | {sigma:g} | " + " | ".join(cells) + " |", flush=True)


def random_physical(rng: np.random.Generator, w: np.ndarray) -> np.ndarray:
    """One normalised spectrum of a random kind with random parameters (energies in eV, |features| <= 6)."""
    def gauss(c, s):
        return np.exp(-0.5 * ((w - c) / s) ** 2) / s

    kind = rng.integers(6)
    u, shift = rng.uniform(2.0, 6.0), rng.uniform(-0.5, 0.5)
    if kind == 0:  # metal: quasi-particle peak and two Hubbard bands
        z = rng.uniform(0.1, 0.6)
        a = z * gauss(rng.uniform(-0.2, 0.2), rng.uniform(0.05, 0.4)) + (1 - z) * (
            rng.uniform(0.3, 0.7) * gauss(shift - u / 2, rng.uniform(0.3, 1.2))
            + rng.uniform(0.3, 0.7) * gauss(shift + u / 2, rng.uniform(0.3, 1.2)))
    elif kind == 1:  # Mott insulator
        a = rng.uniform(0.3, 0.7) * gauss(shift - u / 2, rng.uniform(0.3, 1.0)) + rng.uniform(0.3, 0.7) * gauss(
            shift + u / 2, rng.uniform(0.3, 1.0))
    elif kind == 2:  # semicircular band
        d = rng.uniform(0.5, 3.0)
        a = np.sqrt(np.clip(d * d - (w - shift) ** 2, 0.0, None))
    elif kind == 3:  # two unequal broad peaks
        a = rng.uniform(0.5, 0.9) * gauss(rng.uniform(-3, 0), rng.uniform(0.2, 0.6)) + rng.uniform(
            0.1, 0.5) * gauss(rng.uniform(1, 4), rng.uniform(0.5, 1.5))
    elif kind == 4:  # Lorentzian with a smooth cut-off
        g = rng.uniform(0.1, 1.0)
        a = g / ((w - shift) ** 2 + g * g) * np.exp(-(w / rng.uniform(4.0, 8.0)) ** 4)
    else:  # semiconductor: square-root band edges around a gap
        lo, hi = shift - rng.uniform(0.2, 1.0), shift + rng.uniform(0.2, 1.0)
        a = np.sqrt(np.clip(lo - w, 0, None)) * np.exp(-(w - lo) ** 2 / rng.uniform(1, 4)) + np.sqrt(
            np.clip(w - hi, 0, None)) * np.exp(-(w - hi) ** 2 / rng.uniform(1, 4))
    return a / (trapezoid_weights(w) @ a)


def random_physical_set(beta: float, n_tau: int, n: int):
    """Section (d)'s data at one beta: tau, the omega grid, true weights on it, clean G, and the generator
    whose next draws are the noise (one ``standard_normal(g.shape)`` per sigma, in the order 1e-5, 1e-4)."""
    w = np.linspace(-10.0, 10.0, 401)
    fine = np.linspace(-40.0, 40.0, 40001)
    tau = np.linspace(0.0, beta, n_tau)
    kern = fermionic_kernel(tau, fine, beta) * trapezoid_weights(fine)
    rng = np.random.default_rng(int(beta * 10))
    spectra = [random_physical(np.random.default_rng(rng.integers(2**31)), fine) for _ in range(n)]
    truth = np.array([np.interp(w, fine, a) for a in spectra]) * trapezoid_weights(w)
    truth /= truth.sum(axis=1, keepdims=True)
    return tau, w, truth, -(np.array(spectra) @ kern.T), rng


def random_physical_rows(n: int) -> None:
    print("\n| beta | sigma | " + " | ".join(RULES) + " | broad better |\n|---|---|" + "---|" * (len(RULES) + 1))
    for beta, n_tau in PHYSICAL_BETAS:
        tau, w, truth, g, rng = random_physical_set(beta, n_tau, n)
        tw = trapezoid_weights(w)
        for sigma in SIGMAS[::2]:
            noisy = g + sigma * rng.standard_normal(g.shape)
            errs = {}
            for rule in RULES:
                use_rule(rule)
                errs[rule] = err_l1(solve(tau, noisy, beta=beta, omega=w, err=sigma).A * tw, truth)
            print(f"| {beta:g} | {sigma:g} | " + " | ".join(f"{errs[r].mean():.3f}" for r in RULES)
                  + f" | {np.mean(errs['broad'] < errs['band']):.0%} |", flush=True)


def main(n: int, draws: int) -> None:
    warnings.simplefilter("ignore")
    random_physical_rows(2 * n // 3)
    physical(draws)
    prior_continuous(n // 3)
    heldout(n, np.random.default_rng(5))
    SOLVE.resolve, SOLVE.companion = zoo.resolve, zoo.companion


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60, int(sys.argv[2]) if len(sys.argv) > 2 else 3)
