"""Sub-benchmark ``robustness`` (paper Fig. 4): networks trained without noise, tested with noise.

RLISTA (6 layers, soft thresholding), CNN-FCN and FCN-4 are trained on noiseless
paper-prior spectra (sigma = 0) on the paper's grid.  RLISTA is trained twice:
from the paper's LeCun initialisation and from the package's LMMSE warm start
(which, on noiseless data, starts from a nearly unregularised least-squares
inverse).  Each is then applied to 200 noisy copies of one spectrum (the
``fig2a`` multi-peak spectrum) at sigma in {1e-5, 1e-4, 1e-3}: "RSE of the mean"
is the RSE of the average output, "Std" is ``|std over copies|_2`` (the L2 norm
over frequencies of the pointwise standard deviation, in the units of RSE), and
"mean RSE" is the average RSE of the single outputs.  The shipped ``paper-rlista6``
(same grid and architecture, trained with noise) is added as a reference row.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from ._common import md_table, savefig, write_report
from .fig2a import (
    BETA,
    MULTI_PEAK,
    SHIPPED,
    gaussian_mixture,
    paper_config,
    paper_grids,
    predict,
    shipped_model,
    train_network,
)
from .timing import FCN4_WIDTHS

NOISELESS = {"sigma_min": 0.0, "sigma_max": 0.0, "p_correlated": 0.0, "levels": []}
SIGMAS = (1e-5, 1e-4, 1e-3)
NETWORKS = {
    "6-RLISTA": {"type": "rlista", "depth": 6, "threshold": "soft"},
    "6-RLISTA (LMMSE init)": {"type": "rlista", "depth": 6, "threshold": "soft", "init": "lmmse"},
    "CNN-FCN": {"type": "cnn_fcn", "width": 128, "channels": 8, "kernel_size": 32},
    "FCN-4": {"type": "fcn", "widths": list(FCN4_WIDTHS)},
}


def shipped_card() -> dict:
    """The shipped reference model's card."""
    from ..cards import read_card
    from ..zoo import models_dir

    return read_card(models_dir() / f"{SHIPPED}.json")


def _settings(quick: bool) -> dict:
    if quick:
        return {"n_train": 400, "epochs": 1, "n_test": 50, "copies": 20}
    return {"n_train": 20000, "epochs": 20, "n_test": 500, "copies": 200}


def noise_response(estimate, a_true: np.ndarray, g_clean: np.ndarray, sigma: float, copies: int, seed: int) -> dict:
    """RSE of the mean output, Std and mean RSE over ``copies`` noisy inputs.

    Parameters
    ----------
    estimate : callable
        Maps a batch of G (n, Nx) to normalised weights (n, Nnu).

    Returns
    -------
    dict
        ``rse_of_mean, std, mean_rse, mean, pointwise_std`` (the last two arrays).
    """
    from ..metrics import rse

    g = g_clean + sigma * np.random.default_rng(seed).standard_normal((copies, g_clean.size))
    out = estimate(g)
    mean, sd = out.mean(axis=0), out.std(axis=0)
    return {"rse_of_mean": float(rse(mean, a_true)), "std": float(np.linalg.norm(sd)),
            "mean_rse": float(rse(out, a_true).mean()), "mean": mean, "pointwise_std": sd}


def run(quick: bool, workdir: str | Path, log=print) -> dict:
    """Train the networks on noiseless data and measure their response to noise."""
    from ..kernels import fermionic_kernel_dimensionless
    from ..metrics import normalise_output, rse

    s = _settings(quick)
    x, nu = paper_grids()
    a_true = gaussian_mixture(MULTI_PEAK, nu)
    g_clean = fermionic_kernel_dimensionless(x, nu) @ a_true
    rows, curves = [], {}
    estimators = []
    for i, (label, arch) in enumerate(NETWORKS.items()):
        cfg = paper_config(f"robust-{i}", arch, NOISELESS, s["n_train"], s["epochs"], s["n_test"])
        net, card = train_network(cfg, workdir, log=lambda *a: None)
        estimators.append((label, lambda g, net=net: predict(net, g), card))
    shipped = shipped_model(x, nu)
    if shipped is not None:  # reference: the same architecture trained WITH noise
        estimators.append((f"{SHIPPED} (trained with noise)", lambda g: normalise_output(shipped.run(g)),
                           shipped_card()))
    for label, estimate, card in estimators:
        clean = float(rse(estimate(g_clean)[0], a_true))
        held = {p["sigma"]: p["rse_mean"] for p in card["metrics"]["per_sigma"]}
        log(f"robustness: trained {label}: held-out RSE at sigma 0: {held.get(0.0, float('nan')):.4f}, "
            f"test spectrum clean RSE {clean:.4f}")
        for j, sigma in enumerate(SIGMAS):
            r = noise_response(estimate, a_true, g_clean, sigma, s["copies"], seed=1000 + j)
            curves[(label, sigma)] = (r.pop("mean"), r.pop("pointwise_std"))
            rows.append({"network": label, "sigma": sigma, "clean_rse": clean,
                         "held_out_rse_sigma0": held.get(0.0), "held_out_rse_1e-4": held.get(1e-4), **r})
            log(f"  sigma {sigma:g}: RSE of mean {r['rse_of_mean']:.4f} Std {r['std']:.4f} "
                f"mean RSE {r['mean_rse']:.4f}")
    return {"settings": s, "rows": rows, "nu": nu, "a_true": a_true,
            "curves": [{"network": k[0], "sigma": k[1], "mean": v[0], "std": v[1]} for k, v in curves.items()]}


def _f4(v: float | None) -> str:
    return "–" if v is None else f"{v:.4f}"


def markdown(raw: dict) -> str:
    """Table of a :func:`run` result."""
    s = raw["settings"]
    rows = [[r["network"], f"{r['sigma']:g}", f"{r['rse_of_mean']:.4f}", f"{r['std']:.4f}", f"{r['mean_rse']:.4f}",
             f"{r['clean_rse']:.4f}", _f4(r["held_out_rse_sigma0"]), _f4(r["held_out_rse_1e-4"])]
            for r in raw["rows"]]
    return "\n".join([
        f"Paper grid (β = {BETA:g}, N_ω = 50, N_τ = 100). Every network trained by `ac_learned.train.train` on "
        f"{s['n_train']} noiseless (σ = 0) paper-prior spectra, {s['epochs']} epochs, Adam 1e-3, no l2 penalty; "
        f"FCN-4 = 3 hidden layers of {FCN4_WIDTHS[0]}, CNN-FCN = FC 128 → conv1d (8 × 32) → FC. Test: the "
        f"fig2a multi-peak spectrum, {s['copies']} noisy copies per σ. 'Std' = ‖pointwise std over copies‖₂; "
        "'clean RSE' = the output on the noiseless test G; 'held-out' = mean RSE on the card's held-out "
        f"prior spectra at σ = 0 and 1e-4. Reference row: the shipped `{SHIPPED}` (same grid and architecture, "
        "LMMSE warm start, trained WITH noise levels {1e-5, 1e-4, 1e-3} on 100k spectra).", "",
        "![robustness](robustness.png)", "",
        md_table(["network", "σ", "RSE of the mean", "Std", "mean RSE", "clean RSE", "held-out RSE σ=0",
                  "held-out RSE σ=1e-4"], rows),
    ])


def plot(raw: dict, path: str | Path) -> Path:
    """Mean ± std of the outputs against the truth; rows: networks, columns: sigma."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..grids import trapezoid_weights

    omega = np.asarray(raw["nu"]) / BETA
    w = trapezoid_weights(omega)
    nets = list(dict.fromkeys(c["network"] for c in raw["curves"]))
    fig, axes = plt.subplots(len(nets), len(SIGMAS), figsize=(4.2 * len(SIGMAS), 2.6 * len(nets)),
                             sharex=True, sharey=True, squeeze=False)
    stats = {(r["network"], r["sigma"]): r for r in raw["rows"]}
    for c in raw["curves"]:
        ax = axes[nets.index(c["network"])][SIGMAS.index(c["sigma"])]
        mean, sd = np.asarray(c["mean"]) / w, np.asarray(c["std"]) / w
        ax.plot(omega, np.asarray(raw["a_true"]) / w, "k-", lw=1.5)
        ax.plot(omega, mean, "C3-")
        ax.fill_between(omega, mean - sd, mean + sd, color="C3", alpha=0.3)
        r = stats[(c["network"], c["sigma"])]
        ax.set_title(f"{c['network']}, σ={c['sigma']:g}\nRSE(mean) {r['rse_of_mean']:.3f}, Std {r['std']:.3f}",
                     fontsize=8)
        ax.grid(alpha=0.3)
    for ax in axes[-1]:
        ax.set_xlabel("ω")
    for row in axes:
        row[0].set_ylabel("A(ω)")
    axes[0][0].set_ylim(-0.2, 1.5 * float(np.max(np.asarray(raw["a_true"]) / w)))
    fig.tight_layout()
    return savefig(fig, path)


def run_bench(out_dir: Path, quick: bool, command: str, info: dict, log=print) -> list[Path]:
    """Run ``robustness`` and write ``robustness.md``, ``robustness.json`` and ``robustness.png``."""
    with tempfile.TemporaryDirectory(prefix="ac_bench_robust_") as work:
        raw = run(quick, work, log)
    path = write_report(out_dir, "robustness", "Benchmark `robustness`: trained without noise, tested with noise",
                        command, info, markdown(raw), raw)
    return [path, path.with_suffix(".json"), plot(raw, Path(out_dir) / "robustness.png")]
