"""Sub-benchmark ``averaging``: the fit started from two windows' average.

``solve(model="auto")`` starts the fit to the data from the average of the served
network's spectrum and that of the same noise band of the next wider window
(:func:`ac_learned.zoo.companion`): two networks trained on different windows
ripple at different frequencies.  This compares it with the same fit started
from the served network alone (``solve(model=<the served model's name>)``) on
the same noisy data:

(a) held-out sets: ``n`` spectra of each window's own prior (the held-out seed),
    201 uniform tau points at beta = 10, white noise sigma = 1e-4 and 1e-3; RSE
    and Err of the weights on the model grid;
(b) the six fixed physical spectra (metal, Mott insulator, semicircle, asymmetric
    peaks, Lorentzian, band edges), beta = 2 ... 100 on a +-10 window, 401 omega
    points, five noise draws each; Err on the omega grid.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from ._common import md_table, write_report
from ._physical import OMEGA, PHYSICAL_BETAS, SIX, errs_on_omega, six_noise, six_physical

HELDOUT = ("rlista10-v10", "rlista10-v32", "rlista10-v56", "rlista10-v180", "rlista10-v320")
SIGMAS = (1e-4, 1e-3)


def add_options(group) -> None:
    """Command-line options of this sub-benchmark."""
    group.add_argument("--n", type=int, default=None, help="held-out spectra per window (default 60)")


def _settings(quick: bool, n: int | None) -> dict:
    if quick:
        return {"n": n or 3, "draws": 1, "heldout": HELDOUT[:1], "betas": PHYSICAL_BETAS[:1], "names": SIX[:2],
                "sigmas": SIGMAS[1:]}
    return {"n": n or 60, "draws": 5, "heldout": HELDOUT, "betas": PHYSICAL_BETAS, "names": SIX, "sigmas": SIGMAS}


def heldout_rows(s: dict, log) -> list[dict]:
    """Set (a)."""
    from ..cards import load_model
    from ..kernels import fermionic_kernel_dimensionless
    from ..metrics import err_l1, rse
    from ..priors import make_dataset
    from ..solve import solve
    from ..zoo import list_cards

    cards = {c["name"]: c for c in list_cards()}
    beta, rng = 10.0, np.random.default_rng(7)
    tau = np.linspace(0.0, beta, 201)
    rows = []
    for name in s["heldout"]:
        card = cards[name]
        model = load_model(card["_path"])
        a, _, _ = make_dataset(s["n"], model.x, model.nu, card["prior"], int(card["data"]["seed"]) + 2)
        g = -(a @ fermionic_kernel_dimensionless(tau / beta, model.nu).T)
        for sigma in SIGMAS:
            noisy = g + sigma * rng.standard_normal(g.shape)
            if sigma not in s["sigmas"]:
                continue
            avg = solve(tau, noisy, beta=beta, omega=model.nu / beta, err=sigma)
            one = solve(tau, noisy, beta=beta, omega=model.nu / beta, err=sigma, model=avg.model_card["name"])
            r_avg, r_one = rse(avg.weights, a), rse(one.weights, a)
            rows.append({"set": name, "sigma": sigma, "n": s["n"], "served": avg.model_card["name"],
                         "averaged_with": avg.averaged_with, "rse_single": float(r_one.mean()),
                         "rse_averaged": float(r_avg.mean()), "ratio": float(r_avg.mean() / r_one.mean()),
                         "wins": float(np.mean(r_avg < r_one)),
                         "err_ratio": float(err_l1(avg.weights, a).mean() / err_l1(one.weights, a).mean())})
            log(f"averaging (a) {name} sigma {sigma:g}: ratio {rows[-1]['ratio']:.3f}")
    return rows


def physical_rows(s: dict, log) -> list[dict]:
    """Set (b)."""
    from ..solve import solve

    rows = []
    for beta, n_tau in s["betas"]:
        tau, cases = six_physical(beta, n_tau, s["names"])
        for sigma in s["sigmas"]:
            e_one, e_avg = [], []
            for k, (truth, g) in enumerate(cases):
                noisy = g + sigma * six_noise(k, s["draws"], n_tau)
                avg = solve(tau, noisy, beta=beta, omega=OMEGA, err=sigma)
                one = solve(tau, noisy, beta=beta, omega=OMEGA, err=sigma, model=avg.model_card["name"])
                e_avg += list(errs_on_omega(avg.A, OMEGA, truth))
                e_one += list(errs_on_omega(one.A, OMEGA, truth))
            e_one, e_avg = np.array(e_one), np.array(e_avg)
            rows.append({"beta": beta, "n_tau": n_tau, "sigma": sigma, "err_single": float(e_one.mean()),
                         "err_averaged": float(e_avg.mean()), "ratio": float(e_avg.mean() / e_one.mean()),
                         "averaged_better": float(np.mean(e_avg < e_one))})
            log(f"averaging (b) beta {beta:g} sigma {sigma:g}: ratio {rows[-1]['ratio']:.3f}")
    return rows


def run(quick: bool, log=print, n: int | None = None) -> dict:
    """Both sets; the raw numbers."""
    s = _settings(quick, n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {"settings": s, "heldout": heldout_rows(s, log), "physical": physical_rows(s, log)}


def markdown(raw: dict) -> str:
    """The tables of :func:`run`'s output."""
    return "\n".join([
        "The same noisy data continued by `solve(model=\"auto\")` (the fit started from the served network "
        "averaged with the next wider window's) and by `solve(model=<the served model>)` (started from the "
        "served network alone). 'wins' / 'averaged better': share of spectra where the averaged start is better.\n",
        "\n## (a) Held-out spectra of the windows' own prior (β = 10, 201 τ points)\n",
        md_table(["held-out set", "σ", "spectra", "served (averaged with)", "RSE single", "RSE averaged", "ratio",
                  "wins", "Err ratio"],
                 [[r["set"], f"{r['sigma']:g}", r["n"], f"{r['served']} ({r['averaged_with']})",
                   f"{r['rse_single']:.4f}", f"{r['rse_averaged']:.4f}", f"{r['ratio']:.3f}", f"{r['wins']:.0%}",
                   f"{r['err_ratio']:.3f}"] for r in raw["heldout"]]),
        "\n## (b) Six fixed physical spectra (±10, 401 ω points)\n",
        md_table(["β", "N_τ", "σ", "mean Err single", "mean Err averaged", "ratio", "averaged better"],
                 [[f"{r['beta']:g}", r["n_tau"], f"{r['sigma']:g}", f"{r['err_single']:.3f}",
                   f"{r['err_averaged']:.3f}", f"{r['ratio']:.3f}", f"{r['averaged_better']:.0%}"]
                  for r in raw["physical"]]),
    ])


def run_bench(out_dir: Path, quick: bool, command: str, info: dict, log=print, n: int | None = None) -> list[Path]:
    """Run ``averaging`` and write ``averaging.md`` and ``averaging.json``."""
    raw = run(quick, log, n)
    path = write_report(out_dir, "averaging", "Benchmark `averaging`: the fit started from two windows' average",
                        command, info, markdown(raw), raw)
    return [path, path.with_suffix(".json")]
