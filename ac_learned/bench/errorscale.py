"""Sub-benchmark ``errorscale``: the fitted chi2/N with correct and too large error bars.

``solve`` warns when the fitted chi2/N falls below ``ERRORS_TOO_LARGE_BELOW``
(:mod:`ac_learned.diagnostics`): error bars far too large, such as the spread of
the samples passed instead of the error of their mean.  For each model and noise
level, ``n`` spectra of the model's own prior (the held-out seed) are put on a
uniform tau grid at beta = 10 (the paper model on its own grid) with white noise
or noise correlated along tau (AR(1) with coefficient rho, unit variance per
point) and continued by ``solve`` with the error bars ``err = k * sigma``: k = 1
(correct) and k = 2, 3, 10 (too large).  Reported: the smallest, 1st-percentile
and median fitted chi2/N, and the share that ``solve`` warns about.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from ._common import md_table, write_report

BETA = 10.0
#: (model, N_tau); None: the model's own x grid.
CASES = (("rlista10-v32", 201), ("rlista10-v180", 201), ("rlista10-v32", 41), ("paper-rlista6", None))
SIGMAS = (1e-4, 1e-3)
RHOS = (0.0, 0.5, 0.9)
SCALES = (1.0, 2.0, 3.0, 10.0)


def add_options(group) -> None:
    """Command-line options of this sub-benchmark."""
    group.add_argument("--n", type=int, default=None, help="spectra per row (default 100)")


def correlated_noise(rng: np.random.Generator, shape: tuple[int, int], rho: float) -> np.ndarray:
    """AR(1) noise along the last axis, unit variance at every point."""
    e = rng.standard_normal(shape)
    for j in range(1, shape[1]):
        e[:, j] = rho * e[:, j - 1] + np.sqrt(1.0 - rho ** 2) * e[:, j]
    return e


def run(quick: bool, log=print, n: int | None = None) -> dict:
    """Every case; the raw numbers."""
    from ..cards import load_model
    from ..diagnostics import ERRORS_TOO_LARGE_BELOW
    from ..kernels import fermionic_kernel_dimensionless
    from ..priors import make_dataset
    from ..solve import solve
    from ..zoo import list_cards

    n = n or (4 if quick else 100)
    cases, sigmas, rhos = (CASES[2:3], SIGMAS[1:], RHOS[::2]) if quick else (CASES, SIGMAS, RHOS)
    cards = {c["name"]: c for c in list_cards()}
    rng = np.random.default_rng(5)
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, n_tau in cases:
            card = cards[name]
            model = load_model(card["_path"])
            a, _, _ = make_dataset(n, model.x, model.nu, card["prior"], int(card["data"]["seed"]) + 2)
            tau = model.x * BETA if n_tau is None else np.linspace(0.0, BETA, n_tau)
            g = -(a @ fermionic_kernel_dimensionless(tau / BETA, model.nu).T)
            for sigma in sigmas:
                for rho in rhos:
                    noisy = g + sigma * correlated_noise(rng, g.shape, rho)
                    for k in SCALES if rho == 0.0 else (1.0,):
                        res = solve(tau, noisy, beta=BETA, omega=model.nu / BETA, err=k * sigma,
                                    model=card["_path"])
                        c = np.asarray(res.chi2)
                        rows.append({"model": name, "n_tau": int(tau.size), "sigma": sigma, "rho": rho, "scale": k,
                                     "n": n, "min": float(c.min()), "p1": float(np.percentile(c, 1)),
                                     "median": float(np.median(c)),
                                     "warned": float(np.mean(c < ERRORS_TOO_LARGE_BELOW))})
                        log(f"errorscale {name} {tau.size} sigma {sigma:g} rho {rho:g} x{k:g}: "
                            f"min chi2/N {rows[-1]['min']:.3f}")
    return {"warn_below": ERRORS_TOO_LARGE_BELOW, "rows": rows}


def markdown(raw: dict) -> str:
    """The table of :func:`run`'s output."""
    correct = [r for r in raw["rows"] if r["scale"] == 1.0]
    lowest = min((r["min"] for r in correct), default=float("nan"))
    total = sum(r["n"] for r in correct)
    return "\n".join([
        f"`solve` with error bars `err = k·σ` (k = 1 correct); warned = fitted χ²/N below {raw['warn_below']:g}. "
        f"With correct error bars the smallest fitted χ²/N over all {total} spectra is {lowest:.3f}.\n",
        md_table(["model", "N_τ", "σ", "ρ (AR(1))", "err / σ", "spectra", "min χ²/N", "1st pct", "median", "warned"],
                 [[r["model"], r["n_tau"], f"{r['sigma']:g}", f"{r['rho']:g}", f"{r['scale']:g}", r["n"],
                   f"{r['min']:.3f}", f"{r['p1']:.3f}", f"{r['median']:.3f}", f"{r['warned']:.0%}"]
                  for r in raw["rows"]]),
    ])


def run_bench(out_dir: Path, quick: bool, command: str, info: dict, log=print, n: int | None = None) -> list[Path]:
    """Run ``errorscale`` and write ``errorscale.md`` and ``errorscale.json``."""
    raw = run(quick, log, n)
    path = write_report(out_dir, "errorscale", "Benchmark `errorscale`: fitted χ²/N with correct and too large "
                        "error bars", command, info, markdown(raw), raw)
    return [path, path.with_suffix(".json")]
