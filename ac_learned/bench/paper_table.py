"""Sub-benchmark ``papertable``: ISTA, LISTA and RLISTA by depth beside MaxEnt on the paper set.

The paper's grid (beta = 10, N_omega = 50 uniform in [-3, 3], N_tau = 100
uniform) and prior (eq. 16).  LISTA (depths 4, 6, 10) and RLISTA (depths 4, 6,
10, 20, 40) are trained by :func:`ac_learned.train.train` from
:func:`.fig2a.paper_config` (LMMSE warm start, soft thresholding, Adam 1e-3,
the paper's noise levels {1e-5, 1e-4, 1e-3} mixed in training), the same
number of spectra and epochs for every depth.  One network per depth serves
every test noise level.

Test set: ``n_test`` fresh eq.-16 spectra (a seed no training run uses) with
white noise sigma in {0, 1e-5, 1e-4, 1e-3} relative to G(0) + G(beta) = 1.
ISTA runs ``ista_iter`` iterations with its lambda chosen per sigma on separate
held-out spectra.  MaxEnt (ana_cont ``maxent_svd``, chi2kink, flat default, the
true sigma as error bar; 1e-6 where sigma = 0) runs on the first ``n_subset``
test spectra, and the networks and their data fits
(:func:`ac_learned.refine.fit_to_data`, ``-fit`` rows) are scored on the same
subset so that the ratios compare identical data.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from ..refine import fit_each
from ._common import md_table, savefig, write_report
from .fig2a import (
    BETA,
    PAPER_LEVELS,
    SHIPPED,
    choose_lambda,
    ista,
    paper_config,
    paper_grids,
    predict,
    shipped_model,
    train_network,
)
from .neural_default import MAXENT_TIMEOUT_S

SIGMAS = (0.0, 1e-5, 1e-4, 1e-3)
#: Error bar given to MaxEnt and to the data fit for noiseless data (both need a finite one).
ZERO_NOISE_ERR = 1e-6
TEST_SEED = 20221  # the test spectra; training uses seeds 0-2
LAMBDA_SEED = 20222  # ISTA's lambda-selection spectra


def _settings(quick: bool) -> dict:
    if quick:
        return {"n_train": 300, "epochs": 1, "n_test": 30, "n_subset": 2, "lista_depths": [2], "rlista_depths": [2, 3],
                "ista_iter": 50, "n_lambda": 20, "lams": [1e-4, 1e-3], "sigmas": [0.0, 1e-4]}
    return {"n_train": 100000, "epochs": 30, "n_test": 10000, "n_subset": 200, "lista_depths": [4, 6, 10],
            "rlista_depths": [4, 6, 10, 20, 40], "ista_iter": 2000, "n_lambda": 500,
            "lams": [1e-6, 1e-5, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0], "sigmas": list(SIGMAS)}


def _stats(est: np.ndarray, a_true: np.ndarray) -> dict:
    from ..metrics import err_l1, rse

    ok = np.all(np.isfinite(est), axis=1)
    r, e = rse(est[ok], a_true[ok]), err_l1(est[ok], a_true[ok])
    return {"rse_mean": float(r.mean()), "rse_median": float(np.median(r)), "err_mean": float(e.mean()),
            "err_median": float(np.median(e)), "n": int(ok.sum())}


def _maxent_weights(x: np.ndarray, nu: np.ndarray, g: np.ndarray, err: float) -> np.ndarray:
    from ..zoo import models_dir
    from .neural_default import _maxent, _weights

    omega = nu / BETA
    A = _maxent(x * BETA, -g, omega, np.full(x.size, err), "maxent", str(models_dir() / f"{SHIPPED}.json"))
    out = np.full(A.shape, np.nan)
    ok = np.all(np.isfinite(A), axis=1)
    out[ok] = _weights(A[ok], omega)
    return out


def run(quick: bool, workdir: str | Path, log=print) -> dict:
    """Train the networks, run every method at every sigma; return the numbers."""
    from ..kernels import fermionic_kernel_dimensionless
    from ..metrics import normalise_output
    from ..priors import make_dataset
    from .param_efficiency import count_parameters

    s = _settings(quick)
    x, nu = paper_grids()
    kern = fermionic_kernel_dimensionless(x, nu)
    nets, params, train_s = {}, {}, {}
    for kind, depths in (("lista", s["lista_depths"]), ("rlista", s["rlista_depths"])):
        for depth in depths:
            label = f"{depth}-{kind.upper()}"
            cfg = paper_config(f"papertable-{kind}{depth}", {"type": kind, "depth": depth, "threshold": "soft",
                                                             "init": "lmmse"},
                               PAPER_LEVELS, s["n_train"], s["epochs"], n_test=min(500, s["n_test"]))
            t0 = time.perf_counter()
            nets[label], _ = train_network(cfg, workdir, log=lambda *a: None)
            train_s[label] = time.perf_counter() - t0
            params[label] = count_parameters(nets[label])
            log(f"papertable: trained {label} ({params[label]} parameters, {train_s[label]:.0f} s)")
    shipped = shipped_model(x, nu)
    a_true, g_clean, _ = make_dataset(s["n_test"], x, nu, {"paper": 1.0}, TEST_SEED)
    a_lam, g_lam_clean, _ = make_dataset(s["n_lambda"], x, nu, {"paper": 1.0}, LAMBDA_SEED)
    sub = slice(0, s["n_subset"])
    full, subset, lambdas, seconds = {}, {}, {}, {}
    for k, sigma in enumerate(s["sigmas"]):
        rng = np.random.default_rng(1000 + k)
        g = g_clean + sigma * rng.standard_normal(g_clean.shape)
        g_lam = g_lam_clean + sigma * rng.standard_normal(g_lam_clean.shape)
        lam, _ = choose_lambda(kern, g_lam, a_lam, s["lams"], s["ista_iter"])
        lambdas[sigma] = lam
        est = {f"ISTA ({s['ista_iter']} it.)": normalise_output(ista(kern, g, lam, s["ista_iter"]))}
        for label, net in nets.items():
            est[label] = predict(net, g)
        if shipped is not None:
            est[f"6-RLISTA shipped ({SHIPPED})"] = normalise_output(shipped.run(g))
        full[sigma] = {m: _stats(e, a_true) for m, e in est.items()}
        err = sigma if sigma > 0 else ZERO_NOISE_ERR
        t0 = time.perf_counter()
        sub_est = {"MaxEnt (flat)": _maxent_weights(x, nu, g[sub], err)}
        seconds.setdefault("MaxEnt (flat)", []).append((time.perf_counter() - t0) / s["n_subset"])
        for m, e in est.items():
            sub_est[m] = e[sub]
            if "RLISTA" in m:
                t0 = time.perf_counter()
                sub_est[f"{m} + fit"] = fit_each(e[sub], kern, g[sub], np.asarray(err))[0]
                seconds.setdefault("fit", []).append((time.perf_counter() - t0) / s["n_subset"])
        ok = np.all(np.isfinite(sub_est["MaxEnt (flat)"]), axis=1)  # a failed MaxEnt drops the spectrum for all
        subset[sigma] = {m: _stats(e[ok], a_true[sub][ok]) for m, e in sub_est.items()}
        subset[sigma]["_dropped"] = int((~ok).sum())
        me = subset[sigma]["MaxEnt (flat)"]["rse_mean"]
        best = min((m for m in subset[sigma] if "RLISTA" in m), key=lambda m: subset[sigma][m]["rse_mean"])
        log(f"papertable: sigma {sigma:g}: ISTA lambda {lam:g}; subset mean RSE MaxEnt {me:.4f}, best RLISTA "
            f"row {best} {subset[sigma][best]['rse_mean']:.4f} ({subset[sigma][best]['rse_mean'] / me:.2f}x)")
    return {"settings": s, "parameters": params, "train_seconds": train_s, "lambdas": lambdas,
            "full": full, "subset": subset, "seconds": {k: float(np.mean(v)) for k, v in seconds.items()}}


def _depth_of(label: str) -> int | None:
    head = label.split("-", 1)[0]
    return int(head) if head.isdigit() else None


def markdown(raw: dict) -> str:
    """Tables of a :func:`run` result."""
    s = raw["settings"]
    sig = [float(k) for k in raw["full"]]
    head = ["method", "parameters"] + [f"σ = {v:g} mean / median" for v in sig]
    full_rows = []
    for m in raw["full"][sig[0]]:
        n_par = raw["parameters"].get(m, 6 * (50 * 100 + 50 * 50 + 1) if "shipped" in m else 0)
        full_rows.append([m, f"{n_par:,}"] + [f"{raw['full'][v][m]['rse_mean']:.4f} / "
                                              f"{raw['full'][v][m]['rse_median']:.4f}" for v in sig])
    sub_rows = []
    for m in raw["subset"][sig[0]]:
        if m.startswith("_"):
            continue
        cells = [m]
        for v in sig:
            q, me = raw["subset"][v][m], raw["subset"][v]["MaxEnt (flat)"]["rse_mean"]
            cells.append(f"{q['rse_mean']:.4f} / {q['rse_median']:.4f} ({q['rse_mean'] / me:.2f}×)")
        sub_rows.append(cells)
    kept = ", ".join(f"σ = {v:g}: {raw['subset'][v]['MaxEnt (flat)']['n']}/{s['n_subset']}" for v in sig)
    lam = ", ".join(f"σ = {float(v):g}: {lv:g}" for v, lv in raw["lambdas"].items())
    sec = raw["seconds"]
    return "\n".join([
        f"Paper set: eq. 16 prior, β = {BETA:g}, N_ω = 50 uniform in [−3, 3], N_τ = 100 uniform. "
        f"{s['n_test']} test spectra (seed {TEST_SEED}, no training run uses it), white noise σ relative to "
        f"G(0) + G(β) = 1. LISTA and RLISTA trained by `ac_learned.train.train` "
        f"(`fig2a.paper_config`: LMMSE warm start, soft thresholding, Adam 1e-3, decay 0.9 four times) on "
        f"{s['n_train']} eq.-16 spectra for {s['epochs']} epochs with the paper's noise levels "
        "{1e-5, 1e-4, 1e-3} mixed; one network per depth serves every σ (the paper trains 150 epochs; the shipped "
        f"`{SHIPPED}` had 60). ISTA: {s['ista_iter']} iterations, λ chosen per σ on {s['n_lambda']} other "
        f"spectra ({lam}). RSE = ‖a − a_true‖₂ on weights summing to 1 (Huang & Yang's measure); Err tables are "
        "in the JSON.", "",
        "![papertable](papertable.png)", "",
        f"## Mean / median RSE on all {s['n_test']} test spectra", "",
        md_table(head, full_rows),
        f"## Beside MaxEnt: the first {s['n_subset']} test spectra", "",
        "MaxEnt = ana_cont `maxent_svd`, chi2kink, flat default normalised on the window, the true σ as "
        f"error bar ({ZERO_NOISE_ERR:g} for σ = 0). '+ fit' = the network's spectrum moved the least needed to "
        "fit the data to χ²/N = 1 (`ac_learned.refine.fit_to_data`, what `solve` does by default with an "
        "error bar). Cells: mean / median RSE (mean over MaxEnt's mean). Spectra where MaxEnt's α search failed "
        f"(or that ran over {MAXENT_TIMEOUT_S:g} s) are dropped for every row (kept: {kept}). "
        "Seconds per spectrum (one thread): MaxEnt "
        f"{sec.get('MaxEnt (flat)', float('nan')):.3g}, fit {sec.get('fit', float('nan')):.2g}.", "",
        md_table(["method"] + [f"σ = {v:g}" for v in sig], sub_rows),
    ])


def plot(raw: dict, path: str | Path) -> Path:
    """Mean RSE against depth at each sigma: networks on all test spectra (filled) and, beside MaxEnt,
    networks and their data fits on the MaxEnt subset (open); ISTA as a line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sig = [float(k) for k in raw["full"]]
    n_sub = raw["settings"]["n_subset"]
    fig, axes = plt.subplots(1, len(sig), figsize=(4.2 * len(sig), 3.8), squeeze=False, sharey=True)

    def curve(table: dict, suffix: str) -> list[tuple[int, float]]:
        return sorted((_depth_of(m), q["rse_mean"]) for m, q in table.items() if not m.startswith("_")
                      and m.endswith(suffix) and _depth_of(m) is not None)

    for ax, v in zip(axes[0], sig):
        for kind, colour in (("LISTA", "C1"), ("RLISTA", "C0")):
            pts = curve(raw["full"][v], f"-{kind}")
            if pts:
                ax.plot(*zip(*pts), "o-", color=colour, label=f"{kind} (all)")
            pts = curve(raw["subset"][v], f"-{kind}")
            if pts:
                ax.plot(*zip(*pts), "o--", color=colour, mfc="none", label=f"{kind} ({n_sub})")
        pts = curve(raw["subset"][v], "-RLISTA + fit")
        if pts:
            ax.plot(*zip(*pts), "s:", color="C2", label=f"RLISTA + fit ({n_sub})")
        for m, q in raw["full"][v].items():
            if m.startswith("ISTA"):
                ax.axhline(q["rse_mean"], color="0.5", ls=":", label=f"{m} (all)")
        ax.axhline(raw["subset"][v]["MaxEnt (flat)"]["rse_mean"], color="k", ls="--",
                   label=f"MaxEnt ({raw['subset'][v]['MaxEnt (flat)']['n']} of {n_sub})")
        ax.set(xscale="log", xlabel="depth (layers)", title=f"σ = {v:g}")
        ax.set_xticks([d for d, _ in curve(raw["full"][v], "-RLISTA")])
        ax.get_xaxis().set_major_formatter(matplotlib.ticker.ScalarFormatter())
        ax.minorticks_off()
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("mean RSE")
    axes[0][-1].legend(fontsize=7)
    fig.tight_layout()
    return savefig(fig, path)


#: Where a full run keeps its trained networks, so that a re-run resumes instead of retraining.
FULL_RUN_WORKDIR = Path("runs/bench-papertable")


def run_bench(out_dir: Path, quick: bool, command: str, info: dict, log=print) -> list[Path]:
    """Run ``papertable`` and write ``papertable.md``, ``.json`` and ``.png``.

    A full run trains in :data:`FULL_RUN_WORKDIR` (checkpoints, resumed when the
    configs match); ``--quick`` trains in a temporary folder.
    """
    if quick:
        with tempfile.TemporaryDirectory(prefix="ac_bench_papertable_") as work:
            raw = run(quick, work, log)
    else:
        FULL_RUN_WORKDIR.mkdir(parents=True, exist_ok=True)
        raw = run(quick, FULL_RUN_WORKDIR, log)
    path = write_report(out_dir, "papertable", "Benchmark `papertable`: ISTA, LISTA, RLISTA by depth and MaxEnt "
                        "on the paper set", command, info, markdown(raw), raw)
    return [path, path.with_suffix(".json"), plot(raw, Path(out_dir) / "papertable.png")]
