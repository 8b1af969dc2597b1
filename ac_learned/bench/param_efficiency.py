"""Sub-benchmark ``params`` (paper Fig. 2b): RSE against the number of parameters.

LISTA (depths 4-7), RLISTA (depths 4-40, soft thresholding) from the package's
LMMSE warm start, RLISTA from the paper's LeCun initialisation (a few depths),
FCN-2/3/4 (1/2/3 hidden ReLU layers of equal width, softmax output) and CNN-FCN
(FC -> conv1d 8 x 32 -> FC, softmax) over a set of widths are trained by
:func:`ac_learned.train.train` on the paper set (eq. 16 prior, N_omega = 50 on
[-3, 3], N_tau = 100, beta = 10) with white noise sigma = 1e-5 and tested on
held-out spectra at the same noise (and at 1e-4).  Two untrained references
bound the plot: the prior mean (what a network that ignores its input scores)
and the linear least-squares (LMMSE) estimator fitted on the training set.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from ._common import md_table, savefig, write_report
from .fig2a import paper_config, paper_grids, predict, train_network

TRAIN_SIGMA = 1e-5
TEST_SIGMAS = (1e-5, 1e-4)
NOISE = {"sigma_min": TRAIN_SIGMA, "sigma_max": TRAIN_SIGMA, "p_correlated": 0.0, "levels": [TRAIN_SIGMA]}
TEST_SEED = 20221
FAMILY_STYLE = {"LISTA": "C0o-", "RLISTA": "C3s-", "RLISTA (LeCun init)": "C3s:", "FCN-2": "C1^-",
                "FCN-3": "C2v-", "FCN-4": "C4D-", "CNN-FCN": "C5P-"}


def networks(quick: bool) -> list[tuple[str, str, dict]]:
    """``(family, size label, arch)`` of every trained network."""
    if quick:
        return [("LISTA", "4", {"type": "lista", "depth": 4, "threshold": "soft", "init": "lmmse"}),
                ("RLISTA", "4", {"type": "rlista", "depth": 4, "threshold": "soft", "init": "lmmse"}),
                ("FCN-2", "32", {"type": "fcn", "widths": [32]}),
                ("CNN-FCN", "32", {"type": "cnn_fcn", "width": 32, "channels": 8, "kernel_size": 32})]
    nets = [("LISTA", str(d), {"type": "lista", "depth": d, "threshold": "soft", "init": "lmmse"})
            for d in (4, 5, 6, 7)]
    nets += [("RLISTA", str(d), {"type": "rlista", "depth": d, "threshold": "soft", "init": "lmmse"})
             for d in (4, 6, 8, 10, 15, 20, 30, 40)]
    nets += [("RLISTA (LeCun init)", str(d), {"type": "rlista", "depth": d, "threshold": "soft"})
             for d in (4, 6, 10, 20)]
    for hidden in (1, 2, 3):
        nets += [(f"FCN-{hidden + 1}", str(w), {"type": "fcn", "widths": [w] * hidden}) for w in (64, 128, 256, 512)]
    nets += [("CNN-FCN", str(w), {"type": "cnn_fcn", "width": w, "channels": 8, "kernel_size": 32})
             for w in (64, 128, 256, 512)]
    return nets


def _settings(quick: bool) -> dict:
    if quick:
        return {"n_train": 300, "epochs": 1, "n_test": 100}
    return {"n_train": 100000, "epochs": 30, "n_test": 2000}


def count_parameters(net) -> int:
    """Number of trainable parameters of a torch module."""
    return int(sum(p.numel() for p in net.parameters() if p.requires_grad))


def references(a_train: np.ndarray, g_train: np.ndarray, rng: np.random.Generator) -> dict:
    """The untrained estimators: ``{"prior mean": (estimate, 0), "LMMSE (linear)": (estimate, Nx Nnu)}``.

    ``estimate`` maps a batch of noisy G (n, Nx) to normalised weights.  The
    LMMSE matrix minimises ``|g_noisy W - a|^2`` on the training spectra with
    the training noise, as :func:`ac_learned.train.lmmse_init` does.
    """
    from ..metrics import normalise_output

    mean = a_train.mean(axis=0)
    gn = g_train + TRAIN_SIGMA * rng.standard_normal(g_train.shape)
    gram = gn.T @ gn
    w_lin = np.linalg.solve(gram + 1e-10 * np.trace(gram) / gram.shape[0] * np.eye(gram.shape[0]), gn.T @ a_train)
    return {"prior mean": (lambda g: np.broadcast_to(mean, (len(g), mean.size)), 0),
            "LMMSE (linear)": (lambda g: normalise_output(np.atleast_2d(g) @ w_lin), int(w_lin.size))}


def _scores(estimate, a_test: np.ndarray, g_test: dict[float, np.ndarray]) -> dict:
    from ..metrics import rse

    out = {}
    for sigma, g in g_test.items():
        r = rse(estimate(g), a_test)
        out[f"{sigma:g}"] = {"mean": float(r.mean()), "median": float(np.median(r))}
    return out


def run(quick: bool, workdir: str | Path, log=print) -> dict:
    """Train every network and score it and the references on one held-out set."""
    from ..priors import make_dataset

    s = _settings(quick)
    x, nu = paper_grids()
    a_test, g_clean, _ = make_dataset(s["n_test"], x, nu, {"paper": 1.0}, TEST_SEED)
    rng = np.random.default_rng(TEST_SEED + 1)
    g_test = {sig: g_clean + sig * rng.standard_normal(g_clean.shape) for sig in TEST_SIGMAS}
    rows = []
    a_tr, g_tr, _ = make_dataset(s["n_train"], x, nu, {"paper": 1.0}, 0)  # the trainer's training seed
    for label, (estimate, n_par) in references(a_tr, g_tr, np.random.default_rng(5)).items():
        rows.append({"family": label, "size": "–", "parameters": n_par, "train_s": 0.0,
                     "rse": _scores(estimate, a_test, g_test)})
    for i, (family, size, arch) in enumerate(networks(quick)):
        cfg = paper_config(f"params-{i}", arch, NOISE, s["n_train"], s["epochs"], n_test=50)
        cfg["eval"] = {"sigmas": [TRAIN_SIGMA], "calibration_sigmas": [TRAIN_SIGMA], "quantile": 0.99}
        t0 = time.perf_counter()
        net, _ = train_network(cfg, workdir, log=lambda *a: None)
        dt = time.perf_counter() - t0
        row = {"family": family, "size": size, "parameters": count_parameters(net), "train_s": dt,
               "rse": _scores(lambda g, net=net: predict(net, g), a_test, g_test)}
        rows.append(row)
        log(f"params: {family} {size}: {row['parameters']} parameters, RSE {row['rse'][f'{TRAIN_SIGMA:g}']['mean']:.4f}"
            f" ({dt:.0f} s)")
    return {"settings": {**s, "train_sigma": TRAIN_SIGMA, "test_sigmas": list(TEST_SIGMAS)}, "rows": rows}


def markdown(raw: dict) -> str:
    """Table of a :func:`run` result."""
    s = raw["settings"]
    k0, k1 = (f"{v:g}" for v in TEST_SIGMAS)
    rows = [[r["family"], r["size"], f"{r['parameters']:,}", f"{r['rse'][k0]['mean']:.4f}",
             f"{r['rse'][k0]['median']:.4f}", f"{r['rse'][k1]['mean']:.4f}", f"{r['train_s']:.0f}"]
            for r in raw["rows"]]
    return "\n".join([
        f"Paper set: eq. 16 prior, β = 10, N_ω = 50 uniform on [−3, 3], N_τ = 100 uniform. Every network trained "
        f"by `ac_learned.train.train` on {s['n_train']} spectra with white noise σ = {TRAIN_SIGMA:g}, "
        f"{s['epochs']} epochs, batch 256, Adam 1e-3 decayed ×0.9 every {max(1, s['epochs'] // 4)} epochs, no l2 "
        f"penalty (the paper: 100k spectra, 150 epochs, lr 1e-2, penalty 0.01). Tested on {s['n_test']} held-out "
        f"spectra at σ = {k0} (the paper's Fig. 2b) and {k1}. Size = depth for the unrolled nets, hidden width for "
        "FCN-k (k − 1 hidden ReLU layers of that width, softmax output) and the first FC width for CNN-FCN "
        "(FC → conv1d 8 channels × kernel 32 → FC, softmax); the paper's own width sets are not known to us. "
        "LISTA/RLISTA start from the package's LMMSE warm start; 'RLISTA (LeCun init)' is the paper's "
        "initialisation. References (not trained): 'prior mean' outputs the mean training spectrum whatever "
        "the input; 'LMMSE (linear)' is the best linear map fitted on the training set. RSE on the normalised "
        "weights (sum 1). Training times are on one thread of a shared 2-core machine.", "",
        "![params](params.png)", "",
        md_table(["family", "size", "parameters", f"mean RSE σ={k0}", f"median RSE σ={k0}", f"mean RSE σ={k1}",
                  "train s"], rows),
    ])


def plot(raw: dict, path: str | Path) -> Path:
    """Mean RSE at the training noise against parameters (log x), the references as lines."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    key = f"{TEST_SIGMAS[0]:g}"
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    for family, style in FAMILY_STYLE.items():
        sel = sorted((r for r in raw["rows"] if r["family"] == family), key=lambda r: r["parameters"])
        if sel:
            ax.plot([r["parameters"] for r in sel], [r["rse"][key]["mean"] for r in sel], style, label=family, ms=5)
    for r, ls in zip((r for r in raw["rows"] if r["size"] == "–"), ("--", "-.")):
        ax.axhline(r["rse"][key]["mean"], color="k", ls=ls, lw=1, label=f"{r['family']} ({r['parameters']:,} par.)")
    ax.set_xscale("log")
    ax.set_xlabel("trainable parameters")
    ax.set_ylabel(f"mean RSE, σ = {key}")
    ax.set_title("Paper set, N_ω = 50, N_τ = 100 (Fig. 2b)", fontsize=9)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return savefig(fig, path)


def run_bench(out_dir: Path, quick: bool, command: str, info: dict, log=print) -> list[Path]:
    """Run ``params`` and write ``params.md``, ``params.json`` and ``params.png``."""
    with tempfile.TemporaryDirectory(prefix="ac_bench_params_") as work:
        raw = run(quick, work, log)
    path = write_report(out_dir, "params", "Benchmark `params`: RSE against the number of parameters (Fig. 2b)",
                        command, info, markdown(raw), raw)
    return [path, path.with_suffix(".json"), plot(raw, Path(out_dir) / "params.png")]
