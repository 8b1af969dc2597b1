"""Sub-benchmark ``fig2a``: ISTA vs LISTA vs RLISTA on a sharp peak and a multi-peak spectrum.

The paper's grid (beta = 10, N_omega = 50 uniform in [-3, 3], N_tau = 100 uniform;
V = 30).  LISTA and RLISTA (6 layers, soft thresholding as in the paper) are
trained with :func:`ac_learned.train.train` on paper-prior spectra with the LMMSE
warm start and the paper's noise levels {1e-5, 1e-4, 1e-3}.  ISTA is the same
recursion with ``W_e = t K^T``, ``W_t = I - t K^T K`` and threshold ``t lambda``
(:class:`ac_learned.nets.ISTA`), run in numpy for many iterations; lambda is the
value with the lowest mean RSE on held-out prior spectra (never the test spectra).
The two test spectra get white noise 1e-4.  This module also holds the helpers
the ``robustness`` sub-benchmark shares (grid, configs, training, test spectra).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from ._common import md_table, savefig, write_report

BETA, V_MAX = 10.0, 30.0
PAPER_GRID = {"n_x": 100, "x_kind": "uniform", "n_nu": 50, "nu_kind": "uniform", "v_max": V_MAX}
PAPER_LEVELS = {"sigma_min": 1e-5, "sigma_max": 1e-3, "p_correlated": 0.0, "levels": [1e-5, 1e-4, 1e-3]}
TEST_NOISE = 1e-4
SHIPPED = "paper-rlista6"  # 6-RLISTA on the same grid, 100k spectra, 60 epochs (docs/models.md)
# (centre, standard deviation, weight) in omega units (1/beta = 0.1)
SHARP_PEAK = ((0.5, 0.1, 1.0),)
MULTI_PEAK = ((-1.2, 0.3, 1.0), (0.0, 0.1, 1.0), (0.6, 0.15, 1.0), (1.3, 0.25, 1.0))


def paper_grids() -> tuple[np.ndarray, np.ndarray]:
    """The paper's ``x`` (100 points) and ``nu`` (50 points, [-30, 30]) grids."""
    from ..config import build_grids

    return build_grids(PAPER_GRID)


def gaussian_mixture(peaks, nu: np.ndarray) -> np.ndarray:
    """Cell-integrated weights (sum 1) of Gaussians ``(centre, std, weight)`` given in omega units."""
    from ..priors import GAUSS, Components, components_to_weights

    comp = Components.empty(1)
    scale = BETA / V_MAX  # omega -> window units u = beta omega / V
    for col, (centre, std, weight) in enumerate(peaks):
        comp.set(np.array([0]), col, GAUSS, centre * scale, std * scale, weight)
    return components_to_weights(comp, nu / V_MAX)[0]


def paper_config(name: str, arch: dict, noise: dict, n_train: int, epochs: int, n_test: int = 500,
                 seed: int = 0) -> dict:
    """A training config on the paper's grid and prior (Adam 1e-3, no l2 penalty)."""
    return {
        "name": name, "arch": arch, "grid": dict(PAPER_GRID), "prior": {"paper": 1.0}, "noise": dict(noise),
        "data": {"n_train": n_train, "n_val": min(500, max(50, n_train // 20)), "n_test": n_test, "seed": seed},
        "train": {"epochs": epochs, "batch_size": 256, "lr": 1e-3, "decay_rate": 0.9,
                  "decay_every": max(1, epochs // 4), "weight_decay": 0.0, "schedule": "global", "seed": seed,
                  "checkpoint_every": 10**6},
        "eval": {"sigmas": [0.0, 1e-4], "calibration_sigmas": [1e-4], "quantile": 0.99},
    }


def train_network(cfg: dict, workdir: str | Path, log=print):
    """Train with :func:`ac_learned.train.train`; return the network (torch, eval mode) and its card.

    The card's npz holds only the unrolled family's weights, so the trained
    state is read back from the run's ``checkpoint.pt`` for every architecture.
    """
    import json

    import torch

    from ..kernels import fermionic_kernel_dimensionless
    from ..nets import build_network
    from ..train import train

    out = Path(workdir) / cfg["name"]
    card_path = train(cfg, out_dir=out, progress=False, log=log)
    x, nu = paper_grids()
    net = build_network(cfg["arch"], len(x), len(nu), kernel=fermionic_kernel_dimensionless(x, nu))
    net.load_state_dict(torch.load(out / "checkpoint.pt", map_location="cpu", weights_only=True)["model"])
    return net.eval(), json.loads(Path(card_path).read_text())


def predict(net, g: np.ndarray) -> np.ndarray:
    """Normalised network output (clipped at 0, sum 1: what ``solve`` returns) for a batch ``g``."""
    import torch

    from ..metrics import normalise_output

    with torch.inference_mode():
        out = net(torch.as_tensor(np.atleast_2d(g), dtype=torch.float32)).double().numpy()
    return normalise_output(out)


def ista(kernel: np.ndarray, g: np.ndarray, lam: float, n_iter: int) -> np.ndarray:
    """ISTA for ``min 1/2 |g - K a|^2 + lam |a|_1`` from ``a = 0`` (soft thresholding), batched.

    Identical to :class:`ac_learned.nets.ISTA` (``n_iter`` layers) in float64.
    """
    step = 1.0 / float(np.linalg.norm(kernel, 2) ** 2)
    w_e = step * kernel  # g @ w_e = t K^T g, per row
    w_t = np.eye(kernel.shape[1]) - step * kernel.T @ kernel
    g = np.atleast_2d(g)
    drive = g @ w_e
    a = np.zeros((g.shape[0], kernel.shape[1]))
    thr = step * lam
    for it in range(n_iter):
        z = drive + (a @ w_t if it else 0.0)
        a = np.sign(z) * np.maximum(np.abs(z) - thr, 0.0)
    return a


def choose_lambda(kernel: np.ndarray, g_val: np.ndarray, a_val: np.ndarray, lams, n_iter: int) -> tuple[float, dict]:
    """The lambda with the lowest mean RSE (normalised output) on held-out spectra."""
    from ..metrics import normalise_output, rse

    scores = {float(lam): float(rse(normalise_output(ista(kernel, g_val, lam, n_iter)), a_val).mean())
              for lam in lams}
    return min(scores, key=scores.get), scores


def _settings(quick: bool) -> dict:
    if quick:
        return {"n_train": 400, "epochs": 1, "n_test": 50, "n_eval": 20, "ista_iter": 100, "lams": (1e-4, 1e-3)}
    return {"n_train": 20000, "epochs": 20, "n_test": 500, "n_eval": 500, "ista_iter": 20000,
            "lams": (1e-6, 1e-5, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0)}


def shipped_model(x: np.ndarray, nu: np.ndarray):
    """Numpy backend of the shipped ``paper-rlista6`` when its grids are the paper grids, else None."""
    from ..cards import load_model
    from ..inference import NumpyBackend
    from ..zoo import models_dir

    try:
        model = load_model(models_dir() / f"{SHIPPED}.json")
    except Exception:  # noqa: BLE001  (a missing or broken shipped model only drops a reference row)
        return None
    if model.x.shape != x.shape or model.nu.shape != nu.shape or not (
            np.allclose(model.x, x) and np.allclose(model.nu, nu)):
        return None
    return NumpyBackend(model)


def run(quick: bool, workdir: str | Path, log=print) -> dict:
    """Train LISTA/RLISTA, tune ISTA, reconstruct the two test spectra; return the numbers."""
    from ..kernels import fermionic_kernel_dimensionless
    from ..metrics import err_l1, normalise_output, rse
    from ..priors import make_dataset

    s = _settings(quick)
    x, nu = paper_grids()
    kern = fermionic_kernel_dimensionless(x, nu)
    nets = {}
    for label, kind in (("LISTA", "lista"), ("RLISTA", "rlista")):
        cfg = paper_config(f"fig2a-{kind}", {"type": kind, "depth": 6, "threshold": "soft", "init": "lmmse"},
                           PAPER_LEVELS, s["n_train"], s["epochs"], s["n_test"])
        nets[label], _ = train_network(cfg, workdir, log=lambda *a: None)
        log(f"fig2a: trained 6-{label}")
    rng = np.random.default_rng(2022)
    a_val, g_val, _ = make_dataset(s["n_eval"], x, nu, {"paper": 1.0}, 77)
    g_val = g_val + TEST_NOISE * rng.standard_normal(g_val.shape)
    lam, lam_scores = choose_lambda(kern, g_val[: max(10, s["n_eval"] // 5)], a_val[: max(10, s["n_eval"] // 5)],
                                    s["lams"], s["ista_iter"])
    log(f"fig2a: ISTA lambda {lam:g} (held-out mean RSE by lambda: {lam_scores})")
    methods = {
        f"ISTA ({s['ista_iter']} it.)": lambda g: normalise_output(ista(kern, g, lam, s["ista_iter"])),
        "ISTA (6 it.)": lambda g: normalise_output(ista(kern, g, lam, 6)),
        "6-LISTA": lambda g: predict(nets["LISTA"], g),
        "6-RLISTA": lambda g: predict(nets["RLISTA"], g),
    }
    shipped = shipped_model(x, nu)
    if shipped is not None:
        methods[f"6-RLISTA shipped ({SHIPPED})"] = lambda g: normalise_output(shipped.run(g))
    a_ev, g_ev = a_val[s["n_eval"] // 5:], g_val[s["n_eval"] // 5:]
    held_out = {m: float(rse(fn(g_ev), a_ev).mean()) for m, fn in methods.items()}
    spectra = {"sharp peak": gaussian_mixture(SHARP_PEAK, nu), "multi-peak": gaussian_mixture(MULTI_PEAK, nu)}
    cases = []
    for i, (sname, a_true) in enumerate(spectra.items()):
        g = kern @ a_true + TEST_NOISE * np.random.default_rng(100 + i).standard_normal(x.size)
        for m, fn in methods.items():
            est = fn(g)[0]
            cases.append({"spectrum": sname, "method": m, "rse": float(rse(est, a_true)),
                          "err": float(err_l1(est, a_true)), "a": est, "a_true": a_true})
    return {"settings": s, "lambda": lam, "lambda_scores": lam_scores, "held_out": held_out,
            "n_held_out": len(a_ev), "cases": cases, "nu": nu}


def plot(raw: dict, path: str | Path) -> Path:
    """Reconstructions of the two spectra against the truth (density on omega)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..grids import trapezoid_weights

    omega = np.asarray(raw["nu"]) / BETA
    w = trapezoid_weights(omega)
    names = list(dict.fromkeys(c["spectrum"] for c in raw["cases"]))
    fig, axes = plt.subplots(1, len(names), figsize=(6 * len(names), 4.2), squeeze=False)
    for ax, sname in zip(axes[0], names):
        cases = [c for c in raw["cases"] if c["spectrum"] == sname]
        ax.plot(omega, np.asarray(cases[0]["a_true"]) / w, "k-", lw=2.5, label="truth")
        for c, style in zip([c for c in cases if c["method"] != "ISTA (6 it.)"], ("C0--", "C1-", "C3-", "C2:")):
            ax.plot(omega, np.asarray(c["a"]) / w, style, marker=".", ms=4,
                    label=f"{c['method']}: RSE {c['rse']:.3f}")
        ax.set(xlabel="ω", ylabel="A(ω)", title=f"{sname}, noise {TEST_NOISE:g}")
        ax.legend(fontsize=8, loc="upper left")
        ax.grid(alpha=0.3)
    return savefig(fig, path)


def markdown(raw: dict) -> str:
    """Tables of a :func:`run` result."""
    s = raw["settings"]
    rows = [[c["spectrum"], c["method"], f"{c['rse']:.4f}", f"{c['err']:.3f}"] for c in raw["cases"]]
    held = [[m, f"{v:.4f}"] for m, v in raw["held_out"].items()]
    lam_rows = [[f"{lam:g}", f"{v:.4f}"] for lam, v in raw["lambda_scores"].items()]
    return "\n".join([
        f"Paper grid (β = {BETA:g}, N_ω = 50 uniform in [−3, 3], N_τ = 100 uniform). 6-LISTA and 6-RLISTA "
        f"(soft thresholding) trained by `ac_learned.train.train` with the LMMSE warm start on {s['n_train']} "
        f"paper-prior spectra, {s['epochs']} epochs, noise levels {{1e-5, 1e-4, 1e-3}}, Adam 1e-3. ISTA: "
        f"{s['ista_iter']} iterations (and 6, the networks' depth), λ = {raw['lambda']:g} chosen on held-out "
        f"prior spectra. Test spectra: white noise {TEST_NOISE:g} on G. RSE = ‖a − a_true‖₂ on the weights "
        "(sum 1), Err = Σ|a − a_true|. For reference, the shipped `paper-rlista6` (same grid and architecture, "
        "100k spectra, 60 epochs) is run on the same inputs.", "",
        "![fig2a](fig2a.png)", "",
        "## The two test spectra", "",
        md_table(["spectrum", "method", "RSE", "Err"], rows),
        f"## Mean RSE on {raw['n_held_out']} held-out paper-prior spectra (noise {TEST_NOISE:g})", "",
        md_table(["method", "mean RSE"], held),
        "## ISTA λ scan (mean RSE on the λ-selection spectra)", "",
        md_table(["λ", "mean RSE"], lam_rows),
    ])


def run_bench(out_dir: Path, quick: bool, command: str, info: dict, log=print) -> list[Path]:
    """Run ``fig2a`` and write ``fig2a.md``, ``fig2a.json`` and ``fig2a.png``."""
    with tempfile.TemporaryDirectory(prefix="ac_bench_fig2a_") as work:
        raw = run(quick, work, log)
    path = write_report(out_dir, "fig2a", "Benchmark `fig2a`: ISTA vs LISTA vs RLISTA", command, info,
                        markdown(raw), raw)
    return [path, path.with_suffix(".json"), plot(raw, Path(out_dir) / "fig2a.png")]
