"""Sub-benchmark ``noiseband``: why ``model="auto"`` serves the all-noise models, also for precise data.

Each window ships an all-noise model (sigma in [1e-5, 1e-2]) and a low-noise band
(sigma in [1e-5, 3e-4]).  The bands are 2-12 % better on their own prior's held-out
sets, so they look like the choice for precise data.  This compares three rules for
the networks the fit starts from, on the same noisy data:

``band``   the low-noise band of the window, averaged with the low-noise band of the next wider window
           (used when the data's relative error is <= 1.5e-4);
``broad``  the all-noise model averaged with the next window's all-noise model (what ``solve`` does);
``mixed``  the low-noise band averaged with the same window's all-noise model.

Sets (``--sets``, default ``dbca``):

(d) random physical spectra outside the training prior (metals, Mott insulators,
    semicircles, unequal broad peaks, Lorentzians, semiconductors with random
    parameters), beta = 2 ... 100 on +-10, one noise draw each; mean Err and the
    share of spectra where ``broad`` beats ``band``;
(b) the six fixed physical spectra, ``draws`` noise draws each, MaxEnt-flat beside;
(c) spectra drawn from the zoo's own prior on a fine grid at physical beta and windows;
(a) held-out spectra of four windows' own prior on the model grid (beta = 10, 201 tau points).
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np

from ._common import md_table, write_report
from ._physical import (
    OMEGA,
    PHYSICAL_BETAS,
    SIX,
    maxent_flat_err,
    patched,
    random_physical_set,
    six_noise,
    six_physical,
    solve_module,
)

RULES = ("band", "broad", "mixed")
SIGMAS = (1e-5, 3e-5, 1e-4)
HELDOUT = ("rlista10-v10", "rlista10-v32", "rlista10-v100", "rlista10-v320")
#: (beta, Omega_max) of set (c): continuous prior spectra at physical temperatures and windows.
CASES = ((2.0, 10.0), (5.0, 10.0), (10.0, 5.0), (40.0, 10.0), (100.0, 10.0), (200.0, 5.0), (200.0, 10.0))
SETS = "dbca"


def add_options(group) -> None:
    """Command-line options of this sub-benchmark."""
    group.add_argument("--sets", default=SETS, help=f"which sets to run, letters of {SETS!r} (default all; "
                       "set b runs MaxEnt, over half an hour)")
    group.add_argument("--n", type=int, default=None, help="spectra per row of set a (d: 2/3 of it, c: 1/3; "
                       "default 60)")


def _settings(quick: bool, n: int | None) -> dict:
    if quick:
        return {"n": n or 3, "draws": 1, "betas": PHYSICAL_BETAS[:1], "sigmas": (1e-4,), "cases": CASES[:1],
                "heldout": HELDOUT[:1], "names": SIX[:2]}
    return {"n": n or 60, "draws": 3, "betas": PHYSICAL_BETAS, "sigmas": SIGMAS, "cases": CASES,
            "heldout": HELDOUT, "names": SIX}


def _rlista10_window(v_required: float) -> list[dict]:
    """Cards of the rlista10 family (both noise bands, whatever their ``auto`` flag) of the smallest V >= v."""
    from ..zoo import list_cards

    family = [c for c in list_cards() if c["name"].startswith("rlista10-")]
    v_best = min(float(c["grid"]["v_max"]) for c in family if float(c["grid"]["v_max"]) >= v_required)
    return [c for c in family if float(c["grid"]["v_max"]) == v_best]


def _band_resolve(model, v_required, sigma_rel=None):
    """The low-noise band of the window when it covers the data's noise, else the all-noise model."""
    from ..cards import load_model
    from ..zoo import pick_noise_band

    return load_model(pick_noise_band(_rlista10_window(v_required), sigma_rel)["_path"])


def _broad_resolve(model, v_required, sigma_rel=None):
    return _band_resolve(model, v_required, None)


def _same_band_companion(served):
    """The same noise band of the next wider window."""
    from ..cards import load_model
    from ..zoo import noise_ceiling

    wider = math.nextafter(served.v_max, math.inf)
    if not any(float(c["grid"]["v_max"]) >= wider for c in _all_rlista10()):
        return None
    for card in _rlista10_window(wider):
        if noise_ceiling(card) == noise_ceiling(served.card):
            return load_model(card["_path"])
    return None


def _all_rlista10() -> list[dict]:
    from ..zoo import list_cards

    return [c for c in list_cards() if c["name"].startswith("rlista10-")]


def _broad_of_window(served):
    """The all-noise model of the served window."""
    from ..cards import load_model
    from ..zoo import noise_ceiling

    return load_model(max(_rlista10_window(served.v_max), key=noise_ceiling)["_path"])


def rule(name: str):
    """A context in which ``solve(model="auto")`` chooses its networks by rule ``name`` (:data:`RULES`)."""
    resolve = _broad_resolve if name == "broad" else _band_resolve
    partner = _broad_of_window if name == "mixed" else _same_band_companion
    return patched(solve_module(), resolve=resolve, companion=partner)


def _solve_by_rule(name, tau, g, beta, omega, sigma):
    from ..solve import solve

    with rule(name):
        return solve(tau, g, beta=beta, omega=omega, err=sigma)


def random_physical_rows(s: dict, log) -> list[dict]:
    """Set (d)."""
    from ..grids import trapezoid_weights
    from ..metrics import err_l1

    rows, n = [], 2 * s["n"] // 3
    for beta, n_tau in s["betas"]:
        tau, w, truth, g, rng = random_physical_set(beta, n_tau, n)
        tw = trapezoid_weights(w)
        for sigma in s["sigmas"][::2]:
            noisy = g + sigma * rng.standard_normal(g.shape)
            errs = {r: err_l1(_solve_by_rule(r, tau, noisy, beta, w, sigma).A * tw, truth) for r in RULES}
            rows.append({"beta": beta, "sigma": sigma, "n": n, **{r: float(errs[r].mean()) for r in RULES},
                         "broad_better": float(np.mean(errs["broad"] < errs["band"]))})
            log(f"noiseband (d) beta {beta:g} sigma {sigma:g}: " + ", ".join(f"{r} {rows[-1][r]:.3f}" for r in RULES))
    return rows


def six_physical_rows(s: dict, log) -> list[dict]:
    """Set (b), with MaxEnt-flat beside."""
    from ..grids import trapezoid_weights
    from ..metrics import err_l1

    rows = []
    for beta, n_tau in s["betas"]:
        tau, cases = six_physical(beta, n_tau, s["names"])
        tw = trapezoid_weights(OMEGA)
        for sigma in s["sigmas"]:
            errs = {r: [] for r in (*RULES, "maxent")}
            for k, (truth, g) in enumerate(cases):
                noisy = g + sigma * six_noise(k, s["draws"], n_tau)
                for r in RULES:
                    errs[r] += list(err_l1(_solve_by_rule(r, tau, noisy, beta, OMEGA, sigma).A * tw, truth))
                errs["maxent"] += [maxent_flat_err(tau, row, beta, OMEGA, sigma, truth) for row in noisy]
            rows.append({"beta": beta, "sigma": sigma, **{r: float(np.nanmean(v)) for r, v in errs.items()},
                         "maxent_failed": int(np.sum(~np.isfinite(errs["maxent"])))})
            log(f"noiseband (b) beta {beta:g} sigma {sigma:g}: maxent {rows[-1]['maxent']:.3f}")
    return rows


def prior_continuous_rows(s: dict, log) -> list[dict]:
    """Set (c): prior spectra on a fine grid, G(tau) on 401 points, A on 401 points."""
    from ..grids import trapezoid_weights, weights_to_density
    from ..kernels import fermionic_kernel_dimensionless
    from ..metrics import err_l1
    from ..priors import make_dataset
    from ..zoo import resolve

    rows, n = [], s["n"] // 3
    for k, (beta, omega_max) in enumerate(CASES):
        if (beta, omega_max) not in s["cases"]:
            continue
        v = beta * omega_max
        card = resolve("auto", v).card
        nu_fine = np.linspace(-v, v, 4001)
        a, _, _ = make_dataset(n, np.linspace(0, 1, 11), nu_fine, card["prior"], 777 + k)
        tau = np.linspace(0.0, beta, 401)
        g_clean = -(a @ fermionic_kernel_dimensionless(tau / beta, nu_fine).T)
        omega = np.linspace(-omega_max, omega_max, 401)
        tw = trapezoid_weights(omega)
        a_true = weights_to_density(a, nu_fine, beta, omega) * tw
        for sigma in s["sigmas"]:
            g = g_clean + sigma * np.random.default_rng(k).standard_normal(g_clean.shape)
            cells = {r: float(err_l1(_solve_by_rule(r, tau, g, beta, omega, sigma).A * tw, a_true).mean())
                     for r in RULES}
            rows.append({"beta": beta, "omega_max": omega_max, "sigma": sigma, "n": n, **cells})
            log(f"noiseband (c) beta {beta:g} Omega {omega_max:g} sigma {sigma:g}")
    return rows


def heldout_rows(s: dict, log) -> list[dict]:
    """Set (a): held-out spectra of the windows' own prior; mean RSE of the weights on the model grid."""
    from ..cards import load_model
    from ..kernels import fermionic_kernel_dimensionless
    from ..metrics import rse
    from ..priors import make_dataset
    from ..zoo import list_cards

    cards = {c["name"]: c for c in list_cards()}
    beta, tau = 10.0, np.linspace(0.0, 10.0, 201)
    rng = np.random.default_rng(5)
    rows = []
    for name in s["heldout"]:
        card = cards[name]
        model = load_model(card["_path"])
        a, _, _ = make_dataset(s["n"], model.x, model.nu, card["prior"], int(card["data"]["seed"]) + 2)
        g = -(a @ fermionic_kernel_dimensionless(tau / beta, model.nu).T)
        for sigma in s["sigmas"]:
            noisy = g + sigma * rng.standard_normal(g.shape)
            cells = {r: float(rse(_solve_by_rule(r, tau, noisy, beta, model.nu / beta, sigma).weights, a).mean())
                     for r in RULES}
            rows.append({"set": name, "sigma": sigma, "n": s["n"], **cells})
            log(f"noiseband (a) {name} sigma {sigma:g}")
    return rows


def run(quick: bool, log=print, sets: str = SETS, n: int | None = None) -> dict:
    """Every set asked for; the raw numbers."""
    from ..errors import InputError

    unknown = set(sets) - set(SETS)
    if unknown or not sets:
        raise InputError(f"--sets takes letters of {SETS!r}, got {sets!r}")
    s = _settings(quick, n)
    out = {"settings": s, "sets": sets}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if "d" in sets:
            out["random_physical"] = random_physical_rows(s, log)
        if "b" in sets:
            out["six_physical"] = six_physical_rows(s, log)
        if "c" in sets:
            out["prior_continuous"] = prior_continuous_rows(s, log)
        if "a" in sets:
            out["heldout"] = heldout_rows(s, log)
    return out


def markdown(raw: dict) -> str:
    """The tables of :func:`run`'s output."""
    parts = [
        "Three rules for the networks the fit starts from, on the same noisy data: `band` (low-noise band + the "
        "next window's low-noise band), `broad` (all-noise model + the next window's all-noise model: what "
        "`solve(model=\"auto\")` does) and `mixed` (low-noise band + the same window's all-noise model). "
        "Err = Σ|a − a_true| / Σ a_true, RSE = ‖a − a_true‖₂ on normalised weights.\n"]
    if "random_physical" in raw:
        parts += ["\n## (d) Random physical spectra (±10, 401 ω points), mean Err\n",
                  md_table(["β", "σ", "spectra", *RULES, "broad better"],
                           [[f"{r['beta']:g}", f"{r['sigma']:g}", r["n"], *(f"{r[k]:.3f}" for k in RULES),
                             f"{r['broad_better']:.0%}"] for r in raw["random_physical"]])]
    if "six_physical" in raw:
        parts += ["\n## (b) Six fixed physical spectra, mean Err, MaxEnt-flat beside\n",
                  md_table(["β", "σ", *RULES, "MaxEnt-flat", "MaxEnt failed"],
                           [[f"{r['beta']:g}", f"{r['sigma']:g}", *(f"{r[k]:.3f}" for k in (*RULES, "maxent")),
                             r["maxent_failed"]] for r in raw["six_physical"]])]
    if "prior_continuous" in raw:
        parts += ["\n## (c) Prior spectra on a fine grid at physical β and windows (401 τ points), mean Err\n",
                  md_table(["β", "Ω", "σ", "spectra", *RULES],
                           [[f"{r['beta']:g}", f"{r['omega_max']:g}", f"{r['sigma']:g}", r["n"],
                             *(f"{r[k]:.3f}" for k in RULES)] for r in raw["prior_continuous"]])]
    if "heldout" in raw:
        parts += ["\n## (a) Held-out spectra of the windows' own prior (β = 10, 201 τ points), mean RSE\n",
                  md_table(["held-out set", "σ", "spectra", *RULES],
                           [[r["set"], f"{r['sigma']:g}", r["n"], *(f"{r[k]:.4f}" for k in RULES)]
                            for r in raw["heldout"]])]
    return "\n".join(parts)


def run_bench(out_dir: Path, quick: bool, command: str, info: dict, log=print, sets: str = SETS,
              n: int | None = None) -> list[Path]:
    """Run ``noiseband`` and write ``noiseband.md`` and ``noiseband.json``."""
    raw = run(quick, log, sets, n)
    path = write_report(out_dir, "noiseband", "Benchmark `noiseband`: the networks the fit starts from",
                        command, info, markdown(raw), raw)
    return [path, path.with_suffix(".json")]
