"""Sub-benchmark ``reliability``: false alarms in distribution, detection out of it.

Every card stores chi2 thresholds calibrated at the 99 % quantile of chi2/N over
half of its held-out set (:mod:`ac_learned.diagnostics`).  This benchmark goes
through the user path (:func:`ac_learned.solve.solve` on a uniform tau grid
with the true noise as error bar) and measures, for each zoo model:

- the false-alarm rate on fresh in-distribution spectra (the card's own prior,
  a seed the card never used);
- the flag rate on families no model was trained on (:data:`UNSEEN`): hard-edged
  boxes, power-law threshold edges, combs of many narrow peaks, a linear ramp,
  and three broken inputs (a spectrum with a negative lobe; noise three times the
  error bar passed; a spectrum reaching beyond the frequency window solved on);
- whether the flag picks out the *bad* reconstructions: "bad" means an Err
  above the 90th percentile of the in-distribution Err of the same model and
  noise, and the table gives the flag rate among bad and among the other spectra.

The flag of the network alone (``fit_data=False``) is measured on every spectrum;
the flag of ``solve``'s default (the spectrum fitted to the data, also flagged
when its chi2/N stays above :data:`ac_learned.diagnostics.FIT_NOTE_ABOVE`) on
the first ``n_fit`` of them (the fit costs milliseconds per spectrum).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..diagnostics import FIT_NOTE_ABOVE
from ._common import md_table, savefig, write_report

SIGMAS = (1e-4, 1e-3)
BETA = 10.0
N_TAU = 201
BAD_QUANTILE = 0.9
#: Range of the share of a "beyond window" spectrum's weight outside the window solved on.
BEYOND = (0.1, 0.5)


def _cell_average(density, u: np.ndarray, n_sub: int = 16) -> np.ndarray:
    """Weights of ``density(u_fine) -> (n, m)`` on the cells of grid ``u``, normalised per row."""
    from ..grids import cell_edges

    edges = cell_edges(u)
    t = (np.arange(n_sub) + 0.5) / n_sub
    fine = (edges[:-1, None] + np.diff(edges)[:, None] * t[None, :]).ravel()
    d = density(fine).reshape(-1, u.size, n_sub).mean(axis=2) * np.diff(edges)[None, :]
    d = np.maximum(d, 0.0)
    return d / d.sum(axis=1, keepdims=True)


def _box(rng: np.random.Generator, n: int, u: np.ndarray) -> np.ndarray:
    """One or two flat bands with hard edges."""
    k = rng.integers(1, 3, n)
    lo = rng.uniform(-0.8, 0.3, (n, 2))
    hi = lo + rng.uniform(0.05, 0.5, (n, 2))
    w = rng.uniform(0.3, 1.0, (n, 2)) * (np.arange(2)[None, :] < k[:, None])

    def density(f):
        inside = (f[None, None, :] >= lo[..., None]) & (f[None, None, :] <= hi[..., None])
        return np.einsum("nc,ncm->nm", w / (hi - lo), inside.astype(float))

    return _cell_average(density, u)


def _edge(rng: np.random.Generator, n: int, u: np.ndarray) -> np.ndarray:
    """X-ray-edge-like threshold: (u - u0)^-alpha exp(-(u - u0)/gamma) above u0, either side."""
    u0 = rng.uniform(-0.6, 0.3, n)
    alpha = rng.uniform(0.2, 0.7, n)
    gamma = rng.uniform(0.05, 0.4, n)
    side = rng.choice([-1.0, 1.0], n)

    def density(f):
        s = side[:, None] * f[None, :] - u0[:, None]
        pos = np.where(s > 0, s, np.inf)
        return np.where(s > 0, pos ** (-alpha[:, None]) * np.exp(-pos / gamma[:, None]), 0.0)

    return _cell_average(density, u, n_sub=64)


def _comb(rng: np.random.Generator, n: int, u: np.ndarray) -> np.ndarray:
    """8-12 equally spaced narrow peaks (a phonon ladder) under a Gaussian envelope."""
    from ..priors import GAUSS, MAX_COMPONENTS, Components, components_to_weights

    comp = Components.empty(n)
    k = rng.integers(8, MAX_COMPONENTS + 1, n)
    start = rng.uniform(-0.7, -0.2, n)
    spacing = rng.uniform(0.03, 0.08, n)
    width = spacing * rng.uniform(0.05, 0.2, n)
    env = rng.uniform(0.1, 0.4, n)
    for c in range(MAX_COMPONENTS):
        rows = np.nonzero(k > c)[0]
        centre = start[rows] + c * spacing[rows]
        comp.set(rows, c, GAUSS, centre, width[rows], np.exp(-0.5 * ((centre - start[rows]) / env[rows]) ** 2))
    return components_to_weights(comp, u)


def _ramp(rng: np.random.Generator, n: int, u: np.ndarray) -> np.ndarray:
    """A linear ramp (triangle with one vertical side) over a random interval."""
    lo = rng.uniform(-0.8, 0.0, n)
    hi = lo + rng.uniform(0.2, 0.8, n)
    rising = rng.uniform(size=n) < 0.5

    def density(f):
        t = (f[None, :] - lo[:, None]) / (hi - lo)[:, None]
        t = np.where(rising[:, None], t, 1.0 - t)
        return np.where((f[None, :] >= lo[:, None]) & (f[None, :] <= hi[:, None]), t, 0.0)

    return _cell_average(density, u)


UNSEEN = {"box": _box, "edge": _edge, "comb": _comb, "ramp": _ramp}
# Inputs that break the method's assumptions: a spectrum with a negative lobe (as an off-diagonal
# G_ij has), noise three times larger than the error bar the user passes, and a spectrum of the card's
# prior drawn on a window twice as wide as the one solved on, with 10-50 % of its weight beyond omega.
CORRUPTED = ("negative lobe", "noise 3x err", "beyond window")


def _negative_lobe(a: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``a`` minus a weight q in [0.2, 0.5] of another spectrum of the batch, renormalised to sum 1."""
    q = rng.uniform(0.2, 0.5, (a.shape[0], 1))
    other = np.roll(a, int(rng.integers(1, a.shape[0])) if a.shape[0] > 1 else 0, axis=0)  # another row
    b = a - q * other
    return b / b.sum(axis=1, keepdims=True)


def _settings(quick: bool) -> dict:
    if quick:
        return {"n": 40, "n_fit": 10, "models": ["rlista10-v32"], "sigmas": (1e-4,)}
    return {"n": 400, "n_fit": 100, "models": None, "sigmas": SIGMAS}


def _data(card: dict, model, family: str, n: int, sigma: float, seed: int):
    """(a_true on the model grid, noisy G on the user tau grid, tau).

    For ``"beyond window"`` the spectrum is drawn on the grid ``2 nu`` and ``a_true`` holds
    its weights inside the model's window (the part a continuation on that window can show).
    """
    from ..kernels import fermionic_kernel_dimensionless
    from ..priors import make_dataset

    rng = np.random.default_rng(seed)
    nu = model.nu
    tau = np.linspace(0.0, BETA, N_TAU)
    if family in UNSEEN:
        a = UNSEEN[family](rng, n, nu / np.max(np.abs(nu)))
    elif family == "beyond window":  # the first n draws with BEYOND of their weight beyond |nu|
        nu = 2.0 * nu
        a, _, _ = make_dataset(20 * n, model.x, nu, card["prior"], seed)
        beyond = (a * (np.abs(nu) > model.nu[-1])).sum(axis=1)
        a = a[(beyond >= BEYOND[0]) & (beyond <= BEYOND[1])][:n]
    else:
        a, _, _ = make_dataset(n, model.x, nu, card["prior"], seed)
    if family == "negative lobe":
        a = _negative_lobe(a, rng)
    g = -(a @ fermionic_kernel_dimensionless(tau / BETA, nu).T)
    g = g + (3.0 if family == "noise 3x err" else 1.0) * sigma * rng.standard_normal(g.shape)
    if family == "beyond window":  # the true weights in the model's cells, renormalised as solve renormalises
        from ..grids import cell_edges

        cdf = np.concatenate([np.zeros((a.shape[0], 1)), np.cumsum(a, axis=1)], axis=1)
        inner = np.array([np.interp(cell_edges(model.nu), cell_edges(nu), row) for row in cdf])
        a = np.diff(inner, axis=1)
        a = a / a.sum(axis=1, keepdims=True)
    return a, g, tau


def run(quick: bool, log=print) -> dict:
    """Flag rates and Err per (model, sigma, family)."""
    from ..cards import load_model
    from ..grids import trapezoid_weights
    from ..metrics import err_l1
    from ..solve import solve
    from ..zoo import covers_noise, list_cards

    s = _settings(quick)
    # the auto models and the noise bands of their windows (selectable by name); not paper-rlista6
    shipped = list_cards()
    auto_windows = {float(c["grid"]["v_max"]) for c in shipped if c.get("auto", True)}
    cards = [c for c in shipped if float(c["grid"]["v_max"]) in auto_windows]
    if s["models"]:
        cards = [c for c in cards if c["name"] in s["models"]]
    families = ["in-distribution", *UNSEEN, *CORRUPTED]
    rows = []
    for card in sorted(cards, key=lambda c: c["grid"]["v_max"]):
        model = load_model(card["_path"])
        omega = model.nu / BETA
        wts = trapezoid_weights(omega)
        seed0 = int(card["data"]["seed"]) + 101  # never used by training, validation or the card's test set
        for j, sigma in enumerate(s["sigmas"]):
            if not covers_noise(card, sigma):  # a noise-band model never serves such data
                continue
            per_family = {}
            for k, fam in enumerate(families):
                a, g, tau = _data(card, model, fam, s["n"], sigma, seed0 + 17 * j + k)
                res = solve(tau, g, beta=BETA, omega=omega, err=sigma, model=card["_path"], fit_data=False)
                got = np.maximum(np.atleast_2d(res.A), 0) * wts
                got = got / got.sum(axis=1, keepdims=True)
                fitted = solve(tau, g[:s["n_fit"]], beta=BETA, omega=omega, err=sigma, model=card["_path"])
                per_family[fam] = (err_l1(got, a), np.asarray(res.chi2), ~np.asarray(res.reliable),
                                   ~np.atleast_1d(fitted.reliable), np.atleast_1d(fitted.chi2))
            bad_cut = float(np.quantile(per_family["in-distribution"][0], BAD_QUANTILE))
            for fam, (err, chi2, flagged, flagged_fit, chi2_fit) in per_family.items():
                bad = err > bad_cut
                rows.append({
                    "model": card["name"], "v_max": card["grid"]["v_max"], "sigma": sigma, "family": fam,
                    "n": int(err.size), "flag_rate": float(flagged.mean()),
                    "err_median": float(np.median(err)), "bad_fraction": float(bad.mean()),
                    "flag_rate_bad": float(flagged[bad].mean()) if bad.any() else None,
                    "flag_rate_good": float(flagged[~bad].mean()) if (~bad).any() else None,
                    "err_median_flagged": float(np.median(err[flagged])) if flagged.any() else None,
                    "err_median_unflagged": float(np.median(err[~flagged])) if (~flagged).any() else None,
                    "chi2_median": float(np.median(chi2)), "bad_err_cut": bad_cut,
                    "n_fit": int(flagged_fit.size), "flag_rate_fitted": float(flagged_fit.mean()),
                    "chi2_fitted_median": float(np.median(chi2_fit)),
                })
            log(f"reliability: {card['name']} sigma {sigma:g}: " + ", ".join(
                f"{r['family']} {r['flag_rate']:.0%}/{r['flag_rate_fitted']:.0%}" for r in rows[-len(families):]))
    return {"settings": {**s, "families": families}, "rows": rows}


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{v:.0%}"


def _g3(v: float | None) -> str:
    return "–" if v is None else f"{v:.3g}"


def summary(rows: list[dict]) -> list[dict]:
    """Flag rates per (family, sigma) pooled over models (means of the per-model rates)."""
    out = []
    keys = list(dict.fromkeys((r["family"], r["sigma"]) for r in rows))
    for fam, sigma in keys:
        sel = [r for r in rows if r["family"] == fam and r["sigma"] == sigma]

        def mean_of(key, sel=sel):
            vals = [r[key] for r in sel if r[key] is not None]
            return float(np.mean(vals)) if vals else None

        out.append({"family": fam, "sigma": sigma, "models": len(sel), "flag_rate": mean_of("flag_rate"),
                    "bad_fraction": mean_of("bad_fraction"), "flag_rate_bad": mean_of("flag_rate_bad"),
                    "flag_rate_good": mean_of("flag_rate_good"), "err_median": mean_of("err_median"),
                    "flag_rate_fitted": mean_of("flag_rate_fitted")})
    return out


def markdown(raw: dict) -> str:
    """Tables of a :func:`run` result."""
    s = raw["settings"]
    pooled = [[r["family"], f"{r['sigma']:g}", r["models"], _pct(r["flag_rate"]), _pct(r["bad_fraction"]),
               _pct(r["flag_rate_bad"]), _pct(r["flag_rate_good"]), _g3(r["err_median"]),
               _pct(r["flag_rate_fitted"])]
              for r in summary(raw["rows"])]
    full = [[r["model"], f"{r['sigma']:g}", r["family"], _pct(r["flag_rate"]), _pct(r["bad_fraction"]),
             _pct(r["flag_rate_bad"]), _pct(r["flag_rate_good"]), _g3(r["err_median"]),
             _g3(r["err_median_flagged"]), _g3(r["err_median_unflagged"]), _g3(r["chi2_median"]),
             _pct(r["flag_rate_fitted"]), _g3(r["chi2_fitted_median"])]
            for r in raw["rows"]]
    return "\n".join([
        "Noise-band models (`*-lownoise`) are tested only at the noise they serve (σ ≤ their training σ_max/2). "
        "Each shipped zoo model (`rlista10-v*`, noise bands included) through `ac_learned.solve` "
        f"(β = {BETA:g}, {N_TAU} uniform τ points with both ends, ω = ν/β on the model grid, white noise σ "
        f"with σ as error bar), {s['n']} spectra "
        "per model, σ and family. 'in-distribution' = the card's own prior with a seed it never used (the flag "
        "rate there is the false-alarm rate; the thresholds sit at the 99 % quantile of held-out χ²/N). "
        "Unseen families (no model was trained on them): `box` = 1–2 flat bands with hard edges, `edge` = "
        "power-law threshold (u − u₀)^−α e^−(u−u₀)/γ, `comb` = 8–12 equally spaced narrow peaks, `ramp` = "
        "linear ramp; broken inputs: `negative lobe` = a spectrum minus 20–50 % of another (as an off-diagonal "
        "G_ij has), `noise 3x err` = noise three times the error bar passed, `beyond window` = a spectrum of the "
        f"card's prior drawn on a window twice as wide as the one solved on, with {BEYOND[0]:.0%}–{BEYOND[1]:.0%} of "
        "its weight beyond ω (lost to a continuation on ω). The "
        "'flagged' columns are the network's own flag (`fit_data=False`, the one calibrated on held-out χ²/N); "
        f"'flagged, fitted' is the flag of `solve`'s default on the first {s['n_fit']} spectra of each set: the "
        "spectrum fitted to the data, flagged also when its χ²/N stays above "
        f"{FIT_NOTE_ABOVE:g} (no spectrum in the window fits the data). 'bad' = Err "
        f"above the {BAD_QUANTILE:.0%} quantile of the same model's in-distribution Err at the same σ; "
        "'flagged among bad' is the detection rate of bad reconstructions, 'flagged among good' the flag rate of the "
        "others.", "",
        "![reliability](reliability.png)", "",
        "## Pooled over models (mean of the per-model rates)", "",
        md_table(["family", "σ", "models", "flagged", "bad", "flagged among bad", "flagged among good", "median Err",
                  "flagged, fitted"], pooled), "",
        "## Per model", "",
        md_table(["model", "σ", "family", "flagged", "bad", "flagged among bad", "flagged among good", "median Err",
                  "median Err flagged", "median Err unflagged", "median χ²/N", "flagged, fitted",
                  "median χ²/N fitted"], full),
    ])


def plot(raw: dict, path: str | Path) -> Path:
    """Flag rate per family and model, one panel per sigma."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = raw["rows"]
    sigmas = list(dict.fromkeys(r["sigma"] for r in rows))
    families = raw["settings"]["families"]
    models = list(dict.fromkeys(r["model"] for r in rows))
    fig, axes = plt.subplots(1, len(sigmas), figsize=(6.5 * len(sigmas), 3.6), squeeze=False, sharey=True)
    width = 0.8 / max(len(models), 1)
    for ax, sigma in zip(axes[0], sigmas):
        for m, name in enumerate(models):
            vals = [next((r["flag_rate"] for r in rows if r["model"] == name and r["sigma"] == sigma
                          and r["family"] == f), np.nan) for f in families]
            ax.bar(np.arange(len(families)) + (m - (len(models) - 1) / 2) * width, vals, width, label=name)
        ax.set_xticks(np.arange(len(families)), families, rotation=30, ha="right", fontsize=8)
        ax.axhline(0.01, color="k", lw=0.8, ls="--")
        ax.set_title(f"flagged unreliable, σ = {sigma:g}", fontsize=9)
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3, axis="y")
    axes[0][0].set_ylabel("fraction flagged")
    axes[0][-1].legend(fontsize=6, ncol=2)
    fig.tight_layout()
    return savefig(fig, path)


def run_bench(out_dir: Path, quick: bool, command: str, info: dict, log=print) -> list[Path]:
    """Run ``reliability`` and write ``reliability.md``, ``reliability.json`` and ``reliability.png``."""
    raw = run(quick, log)
    path = write_report(out_dir, "reliability", "Benchmark `reliability`: calibrated flag, false alarms and detection",
                        command, info, markdown(raw), raw)
    return [path, path.with_suffix(".json"), plot(raw, Path(out_dir) / "reliability.png")]
