"""Sub-benchmark ``broadening``: the fit's default model for precise data.

``solve`` fits the network's weights to the data by moving them the least in
Neyman's chi-square divergence from a default model ``m``.  For precise data
(relative error <= 1e-4, tapering to none at 3e-4) ``m`` is 0.3 of the network's
spectrum plus 0.7 of it broadened by a Gaussian of width 2 + 0.1|nu| in nu = beta*omega
(:func:`ac_learned.refine.broadened_share`).  This measures that choice against
others on the same noisy data.  A variant (``--variants``, comma-separated) is

``none``               ``m`` = the network's spectrum;
``flat:W``             ``m = (1 - W) * network + W * flat``;
``broad:W``            ``m = (1 - W) * network + W * broadened network``, the same W at every noise level;
``broadw:W:C0:C1``     ``broad:W`` with the broadening's width ``C0 + C1 |nu|``;
``shipped``            what ``solve`` does.

Sets (``--sets``, default ``dcqab``):

(d) random physical spectra outside the training prior, ``n`` per beta = 2, 5, 10, 37.5, 100 on +-10: mean Err;
(c) the six fixed physical spectra (3 noise draws each): mean Err;
(q) two metals, a broad and a narrow quasi-particle peak with Hubbard bands, at beta = 20 and 200: Err;
(a) the paper set (``paper-rlista6``'s prior, grid and held-out seed), ``2n`` spectra: mean RSE and Err;
(b) held-out spectra of three zoo windows' own prior (beta = 10, 201 uniform tau), ``2n`` each: mean RSE and Err;
(m) ``solve`` as shipped beside ana_cont MaxEnt-flat (chi2kink, the true sigma as error bar) on the random
    physical spectra of (d), sigma = 1e-5 and 1e-4 (their own noise draws); mean / median Err and the share
    where ``solve`` is better.  MaxEnt at up to 501 tau points: about an hour with ``n = 40``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from ._common import md_table, write_report
from ._physical import (
    OMEGA,
    PHYSICAL_BETAS,
    SIX,
    errs_on_omega,
    maxent_flat_err,
    patched,
    random_physical_set,
    six_noise,
    six_physical,
    solve_module,
)

SIGMAS = (1e-5, 1e-4, 1e-3)
VARIANTS = ("none", "flat:0.7", "broad:0.7")
SETS = "dcqab"
#: (centre, width, weight) of the Gaussians of the two metals of set (q).
METALS = {"broad QP": ((0.2, 0.3, 0.6), (-2.0, 0.8, 0.4)),
          "narrow QP": ((0.02, 0.05, 0.3), (2.5, 0.6, 0.35), (-2.5, 0.6, 0.35))}
PRIOR_SETS = ("paper-rlista6", "rlista10-v32", "rlista10-v180", "rlista10-v560")
#: Noise levels of set (m), drawn in this order from each beta's generator.
MAXENT_SIGMAS = (1e-5, 1e-4)


def add_options(group) -> None:
    """Command-line options of this sub-benchmark."""
    group.add_argument("--variants", default=",".join(VARIANTS),
                       help=f"default models compared, comma-separated (default {','.join(VARIANTS)})")
    group.add_argument("--sigmas", default=",".join(f"{s:g}" for s in SIGMAS),
                       help="relative noise levels, comma-separated (default 1e-5,1e-4,1e-3; set m: 1e-5,1e-4)")
    group.add_argument("--sets", default=SETS, help=f"letters of {SETS + 'm'!r} (default {SETS!r})")
    group.add_argument("--n", type=int, default=None, help="random physical spectra per beta (default 40)")


def _settings(quick: bool, n: int | None) -> dict:
    if quick:
        return {"n": n or 2, "draws": 1, "betas": PHYSICAL_BETAS[:1], "names": SIX[:2],
                "metal_betas": ((20.0, 101),), "prior_sets": PRIOR_SETS[:2]}
    return {"n": n or 40, "draws": 3, "betas": PHYSICAL_BETAS, "names": SIX,
            "metal_betas": ((20.0, 101), (200.0, 201)), "prior_sets": PRIOR_SETS}


def parse_variant(variant: str) -> tuple[str, float | None, tuple[float, float] | None]:
    """``(kind, share, widths)`` of a variant name (see the module docstring)."""
    from ..errors import InputError

    kind, _, rest = variant.partition(":")
    try:
        if kind in ("none", "shipped") and not rest:
            return kind, None, None
        if kind in ("flat", "broad"):
            return kind, float(rest), None
        if kind == "broadw":
            share, c0, c1 = rest.split(":")
            return kind, float(share), (float(c0), float(c1))
    except ValueError:
        pass
    raise InputError(f"unknown variant {variant!r}: use none, shipped, flat:W, broad:W or broadw:W:C0:C1")


def _flat_start(shipped_fitted, share: float):
    """A stand-in for solve's ``_fitted`` whose fit starts from ``(1 - share) * network + share * flat``.

    The flat share is mixed in on the grid the fit runs on, and it replaces the
    broadened share: none is added.
    """
    from ..grids import refine_near_zero, trapezoid_weights, weights_on_grid

    def fitted(weights, nu, x, g_rel, err_rel, cov_rel, shipped_share, target=None):
        fine = refine_near_zero(nu)
        if fine.size > nu.size:
            weights, nu = weights_on_grid(weights, nu, fine), fine
        flat = trapezoid_weights(nu)
        weights = (1 - share) * weights + share * flat / flat.sum()
        return shipped_fitted(weights, nu, x, g_rel, err_rel, cov_rel, np.zeros(len(weights)), target)

    return fitted


def start(variant: str):
    """A context in which ``solve``'s fit starts from the default model named by ``variant``."""
    from ..refine import broadened

    kind, share, widths = parse_variant(variant)
    mod = solve_module()
    shipped_fitted, shipped_mix = mod._fitted, mod.with_broadened_share
    mix = shipped_mix
    if widths is not None:
        def mix(w, nu, sh):
            s = np.broadcast_to(np.asarray(sh, float), w.shape[:1])[:, None]
            return (1 - s) * w + s * broadened(w, nu, widths)
    if kind in ("none", "flat"):
        fitted = _flat_start(shipped_fitted, share or 0.0)
    elif kind == "shipped":
        fitted = shipped_fitted
    else:
        def fitted(weights, nu, x, g_rel, err_rel, cov_rel, shipped_share, target=None):
            return shipped_fitted(weights, nu, x, g_rel, err_rel, cov_rel, np.full(len(weights), share), target)
    return patched(mod, _fitted=fitted, with_broadened_share=mix)


def _solve(variant, *args, **kwargs):
    from ..solve import solve

    with start(variant):
        return solve(*args, **kwargs)


def random_physical_rows(s, variants, sigmas, log) -> list[dict]:
    """Set (d): one noise draw per spectrum, scaled to each sigma."""
    rows = []
    for beta, n_tau in s["betas"]:
        tau, w, truth, g, rng = random_physical_set(beta, n_tau, s["n"])
        noise = rng.standard_normal(g.shape)
        for sigma in sigmas:
            means = [float(errs_on_omega(_solve(v, tau, g + sigma * noise, beta=beta, omega=w, err=sigma).A, w,
                                         truth).mean()) for v in variants]
            rows.append({"set": f"(d) random physical, β {beta:g}, {s['n']}", "sigma": sigma, "values": means})
            log(f"broadening {rows[-1]['set']} sigma {sigma:g}")
    return rows


def six_physical_rows(s, variants, sigmas, log) -> list[dict]:
    """Set (c)."""
    rows = []
    for beta, n_tau in s["betas"]:
        tau, cases = six_physical(beta, n_tau, s["names"])
        for sigma in sigmas:
            errs = [[] for _ in variants]
            for k, (truth, g) in enumerate(cases):
                noisy = g + sigma * six_noise(k, s["draws"], n_tau)
                for j, v in enumerate(variants):
                    errs[j] += list(errs_on_omega(_solve(v, tau, noisy, beta=beta, omega=OMEGA, err=sigma).A,
                                                  OMEGA, truth))
            rows.append({"set": f"(c) six physical, β {beta:g}", "sigma": sigma,
                         "values": [float(np.mean(e)) for e in errs]})
            log(f"broadening {rows[-1]['set']} sigma {sigma:g}")
    return rows


def metal_rows(s, variants, sigmas, log) -> list[dict]:
    """Set (q): Err = int |A - A_true| d omega of the two metals."""
    from ..kernels import fermionic_kernel_dimensionless

    w_fine = np.linspace(-15.0, 15.0, 3001)
    omega = np.linspace(-10.0, 10.0, 401)
    rows = []
    for label, peaks in METALS.items():
        a_true = sum(h * np.exp(-0.5 * ((w_fine - c) / sd) ** 2) / sd for c, sd, h in peaks)
        a_true /= np.trapezoid(a_true, w_fine)
        for beta, n_tau in s["metal_betas"]:
            tau = np.linspace(0.0, beta, n_tau)
            g = -fermionic_kernel_dimensionless(tau / beta, beta * w_fine) @ (a_true * np.gradient(w_fine))
            noise = np.random.default_rng(0).standard_normal(tau.size)
            for sigma in sigmas:
                vals = [float(np.trapezoid(np.abs(_solve(v, tau, g + sigma * noise, beta=beta, omega=omega,
                                                         err=sigma).A - np.interp(omega, w_fine, a_true)), omega))
                        for v in variants]
                rows.append({"set": f"(q) {label}, β {beta:g}", "sigma": sigma, "values": vals})
                log(f"broadening {rows[-1]['set']} sigma {sigma:g}")
    return rows


def prior_rows(s, variants, sigmas, sets, log) -> list[dict]:
    """Sets (a) and (b): held-out spectra of the training priors, mean RSE and Err of the weights."""
    from ..cards import load_model
    from ..kernels import fermionic_kernel_dimensionless
    from ..metrics import err_l1, rse
    from ..priors import make_dataset
    from ..zoo import list_cards

    cards = {c["name"]: c for c in list_cards()}
    n, rows = 2 * s["n"], []
    for name in s["prior_sets"]:
        letter = "a" if name == "paper-rlista6" else "b"
        if letter not in sets:
            continue
        card = cards[name]
        model = load_model(card["_path"])
        a, _, _ = make_dataset(n, model.x, model.nu, card["prior"], int(card["data"]["seed"]) + 2)
        if letter == "a":
            beta = float(card["grid"]["beta_reference"])
            tau = model.x * beta
        else:
            beta, tau = 10.0, np.linspace(0.0, 10.0, 201)
        g = -(a @ fermionic_kernel_dimensionless(tau / beta, model.nu).T)
        noise = np.random.default_rng(11).standard_normal(g.shape)
        for sigma in sigmas:
            res = [_solve(v, tau, g + sigma * noise, beta=beta, omega=model.nu / beta, err=sigma,
                          model="auto" if letter == "b" else name) for v in variants]
            rows.append({"set": f"({letter}) {name} RSE, {n}", "sigma": sigma,
                         "values": [float(rse(r.weights, a).mean()) for r in res]})
            rows.append({"set": f"({letter}) {name} Err, {n}", "sigma": sigma,
                         "values": [float(err_l1(r.weights, a).mean()) for r in res]})
            log(f"broadening ({letter}) {name} sigma {sigma:g}")
    return rows


def maxent_rows(s, sigmas, log) -> list[dict]:
    """Set (m): ``solve`` as shipped beside MaxEnt-flat on the random physical spectra."""
    from ..solve import solve

    rows = []
    for beta, n_tau in s["betas"]:
        tau, w, truth, g, rng = random_physical_set(beta, n_tau, s["n"])
        for sigma in MAXENT_SIGMAS:
            noisy = g + sigma * rng.standard_normal(g.shape)
            if sigma not in sigmas:
                continue
            ours = errs_on_omega(solve(tau, noisy, beta=beta, omega=w, err=sigma).A, w, truth)
            theirs = np.array([maxent_flat_err(tau, row, beta, w, sigma, truth[i]) for i, row in enumerate(noisy)])
            ran = np.isfinite(theirs)  # spectra on which MaxEnt failed are left out of both columns
            ours, theirs = ours[ran], theirs[ran]
            rows.append({"beta": beta, "sigma": sigma, "n": s["n"], "maxent_failed": int((~ran).sum()),
                         "solve_mean": float(ours.mean()), "solve_median": float(np.median(ours)),
                         "maxent_mean": float(theirs.mean()), "maxent_median": float(np.median(theirs)),
                         "ratio": float(ours.mean() / theirs.mean()), "solve_better": float(np.mean(ours < theirs))})
            log(f"broadening (m) beta {beta:g} sigma {sigma:g}: ratio {rows[-1]['ratio']:.2f}")
    return rows


def run(quick: bool, log=print, variants=VARIANTS, sigmas=SIGMAS, sets: str = SETS, n: int | None = None) -> dict:
    """Every set asked for; the raw numbers."""
    from ..errors import InputError

    if not sets or set(sets) - set(SETS + "m"):
        raise InputError(f"--sets takes letters of {SETS + 'm'!r}, got {sets!r}")
    for v in variants:
        parse_variant(v)
    s = _settings(quick, n)
    out = {"settings": s, "variants": list(variants), "sigmas": list(sigmas), "sets": sets, "rows": []}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if "d" in sets:
            out["rows"] += random_physical_rows(s, variants, sigmas, log)
        if "c" in sets:
            out["rows"] += six_physical_rows(s, variants, sigmas, log)
        if "q" in sets:
            out["rows"] += metal_rows(s, variants, sigmas, log)
        if "a" in sets or "b" in sets:
            out["rows"] += prior_rows(s, variants, sigmas, sets, log)
        if "m" in sets:
            out["maxent"] = maxent_rows(s, sigmas, log)
    return out


def markdown(raw: dict) -> str:
    """The tables of :func:`run`'s output."""
    parts = ["The fit's default model on the same noisy data in every column (variants: see "
             "`ac_learned/bench/broadening.py`; `shipped` is what `solve` does). Mean Err = Σ|a − a_true| / Σ a_true "
             "on the user's ω grid for the physical sets, mean RSE and Err of the weights on the model grid for "
             "the training priors' held-out sets.\n"]
    if raw["rows"]:
        parts.append(md_table(["set", "σ", *raw["variants"]],
                              [[r["set"], f"{r['sigma']:g}", *(f"{v:.4f}" for v in r["values"])]
                               for r in raw["rows"]]))
    if raw.get("maxent"):
        parts += ["\n## `solve` beside MaxEnt-flat on random physical spectra (±10, 401 ω points)\n",
                  "Mean / median Err; spectra on which MaxEnt failed are left out of both columns.\n\n",
                  md_table(["β", "σ", "spectra", "solve", "MaxEnt-flat", "ratio of means", "solve better",
                            "MaxEnt failed"],
                           [[f"{r['beta']:g}", f"{r['sigma']:g}", r["n"],
                             f"{r['solve_mean']:.3f} / {r['solve_median']:.3f}",
                             f"{r['maxent_mean']:.3f} / {r['maxent_median']:.3f}", f"{r['ratio']:.2f}",
                             f"{r['solve_better']:.0%}", r["maxent_failed"]] for r in raw["maxent"]])]
    return "\n".join(parts)


def run_bench(out_dir: Path, quick: bool, command: str, info: dict, log=print, variants: str = ",".join(VARIANTS),
              sigmas: str = ",".join(f"{s:g}" for s in SIGMAS), sets: str = SETS, n: int | None = None) -> list[Path]:
    """Run ``broadening`` and write ``broadening.md`` and ``broadening.json``."""
    from ..errors import InputError

    try:
        sigma_list = tuple(float(x) for x in sigmas.split(","))
    except ValueError:
        raise InputError(f"--sigmas takes comma-separated numbers, got {sigmas!r}") from None
    raw = run(quick, log, tuple(v.strip() for v in variants.split(",") if v.strip()), sigma_list, sets, n)
    path = write_report(out_dir, "broadening", "Benchmark `broadening`: the fit's default model for precise data",
                        command, info, markdown(raw), raw)
    return [path, path.with_suffix(".json")]
