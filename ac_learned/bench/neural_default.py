"""Sub-benchmark ``default`` (paper Fig. 5): MaxEnt-flat vs RLISTA vs RLISTA+.

On identical noisy data with the true sigma as error bars:

- RLISTA: the network alone (:func:`ac_learned.solve.solve` with ``fit_data=False``);
- RLISTA-fit: what ``solve`` returns by default, the network's spectrum moved the least
  needed to fit the data to chi2/N = 1 (:mod:`ac_learned.refine`);
- MaxEnt-flat: ana_cont ``maxent_svd``, chi2kink, flat default model;
- RLISTA+: the same MaxEnt with the network's spectrum as default model.

Sets: the paper set (``paper-rlista6`` on its own grid: eq. 16 prior, N_omega = 50,
N_tau = 100, beta = 10) at sigma in {1e-5, 1e-4, 1e-3}, and held-out spectra of
zoo models at sigma = 1e-4 (201 uniform tau points, omega = nu / beta on the
model grid; the network is the one ``model="auto"`` picks there: the window's all-noise model).
Spectra come from each card's prior with its held-out test seed
(``data.seed + 2``).  A spectrum on which a MaxEnt alpha search fails is dropped
from every method's statistics and counted.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import numpy as np

from ._common import md_table, savefig, write_report

BETA = 10.0
METHODS = ("RLISTA", "RLISTA-fit", "MaxEnt-flat", "RLISTA+")
PAPER_SIGMAS = (1e-5, 1e-4, 1e-3)
ZOO_SIGMA = 1e-4


def _settings(quick: bool) -> dict:
    if quick:
        return {"n_paper": 3, "paper_sigmas": (1e-4,), "n_zoo": 2, "zoo": ("rlista10-v32",)}
    return {"n_paper": 200, "paper_sigmas": PAPER_SIGMAS, "n_zoo": 40,
            "zoo": tuple(f"rlista10-v{v}" for v in (10, 18, 32, 56, 100, 180, 320, 560, 1000, 2000))}


def _weights(A: np.ndarray, omega: np.ndarray) -> np.ndarray:
    """Normalised non-negative weights of densities ``A`` (n, Nomega) on ``omega``."""
    from ..grids import trapezoid_weights

    a = np.maximum(np.atleast_2d(A), 0.0) * trapezoid_weights(omega)
    return a / a.sum(axis=1, keepdims=True)


#: Wall-clock limit of one MaxEnt run in the benchmarks (seconds); a longer run counts as failed.
MAXENT_TIMEOUT_S = 60.0


class _MaxEntTimeout(BaseException):  # not Exception: ana_cont catches those inside its Newton loop
    pass


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Raise :class:`_MaxEntTimeout` after ``seconds`` (main thread on Unix; no limit elsewhere).

    ana_cont's alpha loop catches every exception (a bare ``except``) and goes on
    with the next alpha, so the alarm repeats every 50 ms until the exception
    leaves ana_cont.
    """
    import signal
    import threading

    if seconds <= 0 or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return
    state = {"active": True}

    def handler(signum, frame):
        if state["active"]:
            raise _MaxEntTimeout

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        yield
    finally:
        while True:  # disarm even if an alarm lands in here
            try:
                state["active"] = False
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, old)
                break
            except _MaxEntTimeout:
                continue


def _maxent(tau, g, omega, err, kind: str, card_path: str, timeout_s: float = MAXENT_TIMEOUT_S) -> np.ndarray:
    """One MaxEnt run per spectrum; a row of NaN where ana_cont's alpha search fails or exceeds ``timeout_s``."""
    import io

    from ..pipeline import _maxent_solve

    out = np.full((len(g), omega.size), np.nan)
    for i, gi in enumerate(g):
        try:
            with contextlib.redirect_stdout(io.StringIO()), _time_limit(timeout_s):
                out[i] = _maxent_solve(tau, gi, BETA, omega, err, kind, card_path, "auto", "cpu").A
        except (RuntimeError, ValueError, IndexError, np.linalg.LinAlgError, _MaxEntTimeout):
            pass
    return out


def compare(card: dict, n: int, sigma: float, tau_kind: str, seed: int = 123) -> dict:
    """The three methods on ``n`` held-out spectra of a model.

    Parameters
    ----------
    card : dict
        Model card (with ``_path``).
    n : int
    sigma : float
        White noise relative to G(0) + G(beta) = 1, also passed as the error bar.
    tau_kind : {"model", "uniform201"}
        The model's own x-grid times beta, or 201 uniform points with both ends.

    Returns
    -------
    dict
        ``a_true`` and per method ``weights`` (NaN rows where MaxEnt failed) and ``seconds`` per spectrum.
    """
    from ..cards import load_model
    from ..kernels import fermionic_kernel_dimensionless
    from ..priors import make_dataset
    from ..solve import solve

    model = load_model(card["_path"])
    a_true, _, _ = make_dataset(n, model.x, model.nu, card["prior"], int(card["data"]["seed"]) + 2)
    tau = model.x * BETA if tau_kind == "model" else np.linspace(0.0, BETA, 201)
    omega = model.nu / BETA
    g = -(a_true @ fermionic_kernel_dimensionless(tau / BETA, model.nu).T)
    g = g + sigma * np.random.default_rng(seed).standard_normal(g.shape)
    err = np.full(tau.size, sigma)
    # shipped auto models: the network model="auto" picks for these data (window and noise band)
    net = "auto" if card.get("auto", True) else card["_path"]
    out = {"a_true": a_true, "omega": omega, "network": net}
    for method in METHODS:
        t0 = time.perf_counter()
        if method in ("RLISTA", "RLISTA-fit"):
            res = solve(tau, g, beta=BETA, omega=omega, err=sigma, model=net, fit_data=method == "RLISTA-fit")
            got = np.atleast_2d(res.A)
            out["network"] = res.model_card["name"]  # what "auto" chose (window, noise, resampling error)
        else:
            got = _maxent(tau, g, omega, err, "maxent" if method == "MaxEnt-flat" else "rlista+", net)
        out[method] = {"weights": _weights(got, omega), "seconds": (time.perf_counter() - t0) / n}
    return out


def summarise(a_true: np.ndarray, weights: dict[str, np.ndarray], seconds: dict[str, float] | None = None) -> dict:
    """Mean/median RSE and Err per method, win fractions against MaxEnt-flat, drops.

    Parameters
    ----------
    a_true : ndarray, shape (n, N)
    weights : dict
        Method -> (n, N) normalised weights; rows with NaN mark failed runs.
    seconds : dict, optional
        Method -> seconds per spectrum.

    Returns
    -------
    dict
        ``n``, ``dropped`` and per method ``rse_mean, rse_median, err_mean, err_median`` and, except
        for MaxEnt-flat, ``wins_rse, wins_err`` (fraction of kept spectra where it beats MaxEnt-flat)
        and ``rse_ratio`` (its mean RSE over MaxEnt-flat's).
    """
    from ..metrics import err_l1, rse

    ok = np.all([np.all(np.isfinite(w), axis=1) for w in weights.values()], axis=0)
    r = {m: rse(w[ok], a_true[ok]) for m, w in weights.items()}
    e = {m: err_l1(w[ok], a_true[ok]) for m, w in weights.items()}
    out = {"n": int(ok.size), "dropped": int((~ok).sum()), "methods": {}}
    base = "MaxEnt-flat"
    for m in weights:
        s = {"rse_mean": float(r[m].mean()), "rse_median": float(np.median(r[m])),
             "err_mean": float(e[m].mean()), "err_median": float(np.median(e[m])),
             "seconds": None if seconds is None else float(seconds[m])}
        if m != base and base in weights:
            s.update(wins_rse=float(np.mean(r[m] < r[base])), wins_err=float(np.mean(e[m] < e[base])),
                     rse_ratio=float(r[m].mean() / r[base].mean()))
        out["methods"][m] = s
    return out


def run(quick: bool, log=print) -> dict:
    """Every (set, sigma) comparison."""
    from ..metrics import rse
    from ..zoo import list_cards

    s = _settings(quick)
    cards = {c["name"]: c for c in list_cards()}
    cases = [("paper-rlista6", sig, s["n_paper"], "model") for sig in s["paper_sigmas"]]
    cases += [(name, ZOO_SIGMA, s["n_zoo"], "uniform201") for name in s["zoo"]]
    results, examples = [], {}
    for name, sigma, n, tau_kind in cases:
        card = cards[name]
        res = compare(card, n, sigma, tau_kind)
        summ = summarise(res["a_true"], {m: res[m]["weights"] for m in METHODS},
                         {m: res[m]["seconds"] for m in METHODS})
        rse_pairs = [res[m]["weights"] for m in ("MaxEnt-flat", "RLISTA+")]
        results.append({"model": name, "network": res["network"], "v_max": card["grid"]["v_max"], "sigma": sigma,
                        "tau": tau_kind, **summ,
                        "rse_maxent": rse(rse_pairs[0], res["a_true"]).tolist(),
                        "rse_plus": rse(rse_pairs[1], res["a_true"]).tolist()})
        if not examples or (name == "paper-rlista6" and sigma == 1e-4):
            examples = {name: {"sigma": sigma, "omega": res["omega"], "a_true": res["a_true"][:3],
                              **{m: res[m]["weights"][:3] for m in METHODS}}}
        m = summ["methods"]
        log(f"default: {name} sigma {sigma:g}: mean RSE RLISTA {m['RLISTA']['rse_mean']:.4f}, RLISTA-fit "
            f"{m['RLISTA-fit']['rse_mean']:.4f} (wins {m['RLISTA-fit']['wins_rse']:.0%}), MaxEnt-flat "
            f"{m['MaxEnt-flat']['rse_mean']:.4f}, RLISTA+ {m['RLISTA+']['rse_mean']:.4f} "
            f"(wins {m['RLISTA+']['wins_rse']:.0%}); dropped {summ['dropped']}")
    return {"settings": {k: list(v) if isinstance(v, tuple) else v for k, v in s.items()}, "results": results,
            "examples": examples}


def markdown(raw: dict) -> str:
    """Tables of a :func:`run` result."""
    s = raw["settings"]
    rows = []
    for r in raw["results"]:
        for m in METHODS:
            q = r["methods"][m]
            win = lambda k, q=q: "" if k not in q else f"{q[k]:.0%}"  # noqa: E731
            net = Path(r.get("network", r["model"])).stem
            shown_net = net if m in ("RLISTA", "RLISTA-fit", "RLISTA+") else ""
            rows.append([r["model"], shown_net, f"{r['v_max']:g}", f"{r['sigma']:g}",
                         f"{r['n'] - r['dropped']}/{r['n']}", m,
                         f"{q['rse_mean']:.4f}", f"{q['rse_median']:.4f}", f"{q['err_mean']:.3f}",
                         f"{q['err_median']:.3f}", win("wins_rse"), win("wins_err"),
                         "" if "rse_ratio" not in q else f"{q['rse_ratio']:.2f}", f"{q['seconds']:.3g}"])
    return "\n".join([
        f"Same noisy data for the four methods, the true σ as error bar. Paper set: `paper-rlista6`'s grid "
        f"(eq. 16 prior, N_ω = 50 on [−3, 3], its 100 τ points, β = {BETA:g}), {s['n_paper']} held-out spectra "
        f"per σ. Zoo: {s['n_zoo']} held-out spectra of each model's broad prior, 201 uniform τ points, σ = "
        f"{ZOO_SIGMA:g}, ω = ν/β on the model grid, the network `model='auto'` picks for these data "
        "(column 'network'). "
        "RLISTA = the network alone; RLISTA-fit = `solve`'s default, the network's spectrum moved the least (in χ² "
        "divergence) needed to fit the data to χ²/N = 1 with no run of τ points misfit beyond chance "
        "(`ac_learned.refine`). "
        "MaxEnt = ana_cont `maxent_svd`, chi2kink, flat default "
        "normalised on the window; RLISTA+ = the same with the network's spectrum (plus 5 % flat; for σ ≤ 1e-4 "
        "with 0.7 of it broadened in βω, as the fit's default, `broadened_share='auto'`) as default. "
        "RSE = ‖a − a_true‖₂ and Err = Σ|a − a_true| on the normalised weights. 'wins' = fraction of the kept "
        "spectra where the method beats MaxEnt-flat; 'ratio' = its mean RSE over MaxEnt-flat's. 'kept' counts "
        "spectra every method solved (a failed MaxEnt alpha search, or one over "
        f"{MAXENT_TIMEOUT_S:g} s, drops the spectrum for all). "
        "RLISTA's and RLISTA-fit's time is one batched `solve` call over all the spectra of a row divided by "
        "their number; "
        "MaxEnt runs one spectrum at a time. Seconds per spectrum on one thread of a 2-core machine that other "
        "jobs shared: indicative only "
        "(`time.md` has the pinned timings).", "",
        "![default](default.png)", "",
        md_table(["test set", "network", "V", "σ", "kept", "method", "mean RSE", "median RSE", "mean Err", "median Err",
                  "wins (RSE)", "wins (Err)", "ratio", "s/spectrum"], rows),
    ])


def plot(raw: dict, path: str | Path) -> Path:
    """Top: per-spectrum RSE, RLISTA+ vs MaxEnt-flat, per case; bottom: example spectra."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..grids import trapezoid_weights

    res = raw["results"]
    ex = next(iter(raw["examples"].items()), None)
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.5))
    ax = axes[0][0]
    for i, r in enumerate(res):
        ax.plot(r["rse_maxent"], r["rse_plus"], "o", ms=3, color=f"C{i}", label=f"{r['model']} σ={r['sigma']:g}")
    lim = max([max(r["rse_maxent"] + r["rse_plus"]) for r in res if r["rse_maxent"]] + [1e-3])
    ax.plot([0, lim], [0, lim], "k--", lw=1)
    ax.set_xlabel("RSE MaxEnt-flat")
    ax.set_ylabel("RSE RLISTA+")
    ax.legend(fontsize=6)
    ax.grid(alpha=0.3)
    ax = axes[0][1]
    labels = [f"{'paper' if r['model'] == 'paper-rlista6' else r['model'].replace('rlista10-', '')}"
              f"\nσ={r['sigma']:g}" for r in res]
    for k, m in enumerate(METHODS):
        ax.bar(np.arange(len(res)) + (k - 1.5) * 0.2, [r["methods"][m]["rse_mean"] for r in res], 0.2, label=m)
    ax.set_xticks(np.arange(len(res)), labels, fontsize=6)
    ax.set_ylabel("mean RSE")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3, axis="y")
    ax = axes[0][2]
    for k, m in enumerate(("RLISTA", "RLISTA-fit", "RLISTA+")):
        ax.bar(np.arange(len(res)) + (k - 1) * 0.27, [r["methods"][m]["wins_rse"] for r in res], 0.27,
               label=m, color=("C0", "C1", "C3")[k])
    ax.axhline(0.5, color="k", lw=0.8, ls="--")
    ax.set_xticks(np.arange(len(res)), labels, fontsize=6)
    ax.set_ylabel("fraction of spectra beating MaxEnt-flat (RSE)")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3, axis="y")
    if ex is not None:
        name, e = ex
        omega = np.asarray(e["omega"])
        w = trapezoid_weights(omega)
        for j, ax in enumerate(axes[1]):
            if j >= len(e["a_true"]):
                ax.axis("off")
                continue
            ax.plot(omega, np.asarray(e["a_true"][j]) / w, "k-", lw=2, label="truth")
            for m, c in zip(METHODS, ("C0", "C1", "C2", "C3")):
                ax.plot(omega, np.asarray(e[m][j]) / w, color=c, lw=1.2, label=m)
            ax.set_title(f"{name}, σ = {e.get('sigma', float('nan')):g}, spectrum {j}", fontsize=8)
            ax.set_xlabel("ω")
            ax.grid(alpha=0.3)
        axes[1][0].set_ylabel("A(ω)")
        axes[1][0].legend(fontsize=7)
    fig.tight_layout()
    return savefig(fig, path)


def run_bench(out_dir: Path, quick: bool, command: str, info: dict, log=print) -> list[Path]:
    """Run ``default`` and write ``default.md``, ``default.json`` and ``default.png``."""
    raw = run(quick, log)
    path = write_report(out_dir, "default", "Benchmark `default`: MaxEnt-flat vs RLISTA vs RLISTA+ (Fig. 5)",
                        command, info, markdown(raw), raw)
    return [path, path.with_suffix(".json"), plot(raw, Path(out_dir) / "default.png")]
