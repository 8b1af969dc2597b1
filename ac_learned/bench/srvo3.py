"""Sub-benchmark ``srvo3``: the SrVO3 DFT+DMFT G(tau) beside MaxEnt.

The t2g G(tau) of SrVO3 at beta = 37.5 / eV (the SrVO3 example of TRIQS/maxent,
``doc/guide/srvo3/``; columns tau, G(tau), error) continued on +-10 eV by the
network alone, by ``solve``'s default (the network fitted to the data), by
ana_cont MaxEnt with a flat default model and by RLISTA+ (MaxEnt with the
network's spectrum as default model): chi2/N, the reliability flag, the
quasi-particle peak, the upper and lower band maxima and the weights in three
energy ranges; then ``solve`` on three windows and with the error bars taken 2x
and 3.3x smaller.  Writes a figure.

The data file is not shipped (GPL-3 origin).  ``--data PATH``, or the
environment variable ``SRVO3_DATA``, or ``shared/realdata/srvo3_G_tau.dat``
beside the repository.
"""

from __future__ import annotations

import contextlib
import io
import os
import warnings
from pathlib import Path

import numpy as np

from ._common import md_table, savefig, write_report

BETA = 37.5
BANDS = {"[-4,-1]": (-4.0, -1.0), "[-1,1]": (-1.0, 1.0), "[1,5]": (1.0, 5.0)}


def default_data_path() -> Path:
    """``SRVO3_DATA``, else ``shared/realdata/srvo3_G_tau.dat`` beside the repository."""
    env = os.environ.get("SRVO3_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "realdata" / "srvo3_G_tau.dat"


def add_options(group) -> None:
    """Command-line options of this sub-benchmark."""
    group.add_argument("--data", type=Path, default=None,
                       help="the SrVO3 file (tau, G(tau), error); default $SRVO3_DATA or "
                            "shared/realdata/srvo3_G_tau.dat beside the repository")


def band_weights(omega: np.ndarray, A: np.ndarray) -> dict:
    """Weight of ``A`` in each energy range of :data:`BANDS`."""
    from ..grids import trapezoid_weights

    w = trapezoid_weights(omega)
    return {b: float(np.sum((A * w)[(omega >= lo) & (omega < hi)])) for b, (lo, hi) in BANDS.items()}


def features(omega: np.ndarray, A: np.ndarray) -> dict:
    """Quasi-particle peak (position, height), upper and lower band maxima, band weights."""
    near = (omega > -1) & (omega < 1.5)
    hub = (omega > 1.5) & (omega < 5)
    low = (omega > -4) & (omega < -1)
    return {"qp": float(omega[near][np.argmax(A[near])]), "qp_height": float(A[near].max()),
            "upper": float(omega[hub][np.argmax(A[hub])]), "lower": float(omega[low][np.argmax(A[low])]),
            "weights": band_weights(omega, A)}


def run(quick: bool, data: Path | None = None, log=print) -> dict:
    """All methods on the file; the raw numbers and the spectra."""
    from ..errors import InputError
    from ..pipeline import _maxent_solve
    from ..solve import solve

    path = Path(data) if data is not None else default_data_path()
    if not path.is_file():
        raise InputError(f"srvo3: no data at {path}. The file is not shipped (GPL-3 origin): take "
                         "srvo3_G_tau.dat (tau, G(tau), error; beta = 37.5) from the SrVO3 example of TRIQS/maxent "
                         "(doc/guide/srvo3/) and pass --data PATH (or set SRVO3_DATA)")
    tau, g, err = np.loadtxt(path, unpack=True)
    omega = np.linspace(-10, 10, 201 if quick else 801)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = solve(tau, g, beta=BETA, omega=omega, err=err)
        net = solve(tau, g, beta=BETA, omega=omega, err=err, fit_data=False)
        with contextlib.redirect_stdout(io.StringIO()):
            flat = _maxent_solve(tau, g, BETA, omega, err, "maxent", None, "numpy", "cpu")
            plus = _maxent_solve(tau, g, BETA, omega, err, "rlista+", "auto", "auto", "cpu")
    log("srvo3: methods done")
    methods = [(f"network alone ({net.model_card['name']}, `fit_data=False`)", net.A, net.chi2),
               (f"`solve` default (fitted, start averaged with {res.averaged_with})", res.A, res.chi2),
               ("MaxEnt-flat", flat.A, flat.chi2), ("RLISTA+ (MaxEnt, neural default)", plus.A, plus.chi2)]
    rows = [{"method": name, "chi2": float(chi2), **features(omega, A)} for name, A, chi2 in methods]
    windows = []
    for wmax in ((10.0,) if quick else (4.0, 6.0, 10.0)):
        om = np.linspace(-wmax, wmax, 201 if quick else 601)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = solve(tau, g, beta=BETA, omega=om, err=err)
        f = features(om, r.A)
        windows.append({"window": wmax, "model": r.model_card["name"], "chi2": float(r.chi2), "qp": f["qp"],
                        "upper": f["upper"]})
    tighter = []
    for scale in (0.5, 0.3):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = solve(tau, g, beta=BETA, omega=omega, err=err * scale)
        z = (r.backtransform - g) / err
        f = features(omega, r.A)
        tighter.append({"scale": scale, "chi2_file_errors": float(np.mean(z ** 2)), "qp": f["qp"],
                        "upper": f["upper"], "largest_residual": float(np.abs(z).max())})
    return {"data": str(path), "beta": BETA, "served": res.model_card["name"], "reliable": res.reliable,
            "warnings": list(res.warnings), "rows": rows, "windows": windows, "tighter": tighter,
            "omega": omega, "tau": tau, "g": g, "err": err,
            "spectra": {name: A for name, A, _ in methods},
            "residuals": {"network": (net.backtransform - g) / err, "fitted": (res.backtransform - g) / err}}


def markdown(raw: dict) -> str:
    """The tables of :func:`run`'s output."""
    return "\n".join([
        f"SrVO3 t2g, β = {raw['beta']:g} / eV, ω ∈ ±10 eV; `solve` serves `{raw['served']}`, "
        f"reliable = {raw['reliable']}. QP = quasi-particle peak.\n",
        md_table(["method", "χ²/N", "QP peak", "upper band max", "lower band max",
                  "weight " + " / ".join(BANDS) + " eV"],
                 [[r["method"], f"{r['chi2']:.3g}", f"{r['qp']:+.2f} eV ({r['qp_height']:.2f}/eV)",
                   f"{r['upper']:+.2f} eV", f"{r['lower']:+.2f} eV",
                   " / ".join(f"{v:.3f}" for v in r["weights"].values())] for r in raw["rows"]]),
        "\n## `solve` on other windows\n",
        md_table(["window", "model", "χ²/N", "QP peak", "upper band max"],
                 [[f"±{r['window']:g} eV", r["model"], f"{r['chi2']:.2f}", f"{r['qp']:+.2f} eV",
                   f"{r['upper']:+.2f} eV"] for r in raw["windows"]]),
        "\n## `solve` with the error bars taken smaller\n",
        md_table(["error bars", "χ²/N with the file's errors", "largest residual", "QP peak", "upper band max"],
                 [[f"× {r['scale']:g}", f"{r['chi2_file_errors']:.3f}", f"{r['largest_residual']:.1f} σ",
                   f"{r['qp']:+.2f} eV", f"{r['upper']:+.2f} eV"] for r in raw["tighter"]]),
    ])


def plot(raw: dict, path: Path) -> Path:
    """Left: the four spectra; right: the residuals of the network and of the fit."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 2, figsize=(11, 4))
    omega = raw["omega"]
    for r, style in zip(raw["rows"], ("C0:", "C0-", "k-", "C3--")):
        ax[0].plot(omega, raw["spectra"][r["method"]], style, label=f"{r['method']} (χ²/N {r['chi2']:.2f})")
    ax[0].set_xlim(-6, 6)
    for x0 in (-2.0, 0.0, 2.6):
        ax[0].axvline(x0, color="0.8", lw=0.8, zorder=0)
    ax[0].set_xlabel("ω (eV)")
    ax[0].set_ylabel("A(ω) (1/eV)")
    ax[0].legend(fontsize=7)
    ax[1].plot(raw["tau"], raw["residuals"]["network"], "C0:", lw=0.8, label="network")
    ax[1].plot(raw["tau"], raw["residuals"]["fitted"], "C0", lw=0.8, label="fitted")
    ax[1].legend(fontsize=7)
    ax[1].set_xlabel("τ")
    ax[1].set_ylabel("(G_back − G)/σ")
    fig.suptitle(f"SrVO3 t2g, β = {raw['beta']:g} 1/eV")
    fig.tight_layout()
    return savefig(fig, path)


def run_bench(out_dir: Path, quick: bool, command: str, info: dict, log=print, data: Path | None = None
              ) -> list[Path]:
    """Run ``srvo3`` and write ``srvo3.md``, ``srvo3.json`` and ``srvo3.png``."""
    raw = run(quick, data, log)
    keep = {k: v for k, v in raw.items() if k not in ("omega", "tau", "g", "err", "spectra", "residuals")}
    path = write_report(out_dir, "srvo3", "Benchmark `srvo3`: SrVO3 beside MaxEnt", command, info, markdown(raw),
                        keep)
    return [path, path.with_suffix(".json"), plot(raw, Path(out_dir) / "srvo3.png")]
