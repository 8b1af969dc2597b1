"""Sub-benchmark ``time`` (paper Table VI): per-spectrum inference time beside MaxEnt.

Networks: 6- and 20-RLISTA, FCN-4 and CNN-FCN with random weights of the right
shape (timing does not depend on the values), on the paper's window (beta = 10,
omega in [-3, 3], V = 30) with N_omega uniform frequencies and N_tau uniform
imaginary times.  Backends: the package's numpy inference backend
(:class:`ac_learned.inference.NumpyBackend`) and torch backend
(:class:`ac_learned.inference.TorchBackend`, float64 and float32) for the
unrolled family; for FCN-4 and CNN-FCN the torch module itself and a plain
numpy forward of the same weights.  Every timed call starts from a numpy array
and returns a numpy float64 array, as the inference backends do.

MaxEnt is ana_cont's ``maxent_svd`` (chi2kink, flat default model, Newton), called
exactly as :mod:`ac_learned.bench_ana_cont` calls it, on the first spectra of the
same noisy batch (white noise 1e-4 on the normalised G).

FLOPs are counted analytically as 2 x multiply-adds of the matrix products and the
convolution (element-wise work is left out) and checked against torch's
``FlopCounterMode`` in the tests.  The fraction of peak divides the achieved rate
by the best single-thread GEMM rate of the same library and dtype measured in the
same run.
"""

from __future__ import annotations

import contextlib
import io
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..errors import InputError
from ._common import fmt_ratio, fmt_seconds, md_table, savefig, time_call

NETWORKS = ("6-RLISTA", "20-RLISTA", "FCN-4", "CNN-FCN")
BACKENDS = ("numpy-f64", "torch-f64", "torch-f32")
FCN4_WIDTHS = (512, 512, 512)
CNN_SHAPE = {"width": 128, "channels": 8, "kernel_size": 32}  # ac_learned.nets.CNNFCN defaults
BETA, V_MAX, NOISE = 10.0, 30.0, 1e-4


@dataclass
class Settings:
    """Sizes and repeats of one run.

    ``n_tau`` is an int (fixed) or ``"2w"`` (twice N_omega).
    """

    n_omegas: tuple[int, ...] = (100, 200, 400)
    n_tau: int | str = 200
    batches: tuple[int, ...] = (1, 1000)
    repeats: int = 7
    min_time: float = 0.05
    n_maxent: int = 5
    maxent_repeats: int = 3
    gemm_n: int = 1024
    gemm_repeats: int = 30
    backends: tuple[str, ...] = BACKENDS
    networks: tuple[str, ...] = NETWORKS
    extra: dict = field(default_factory=dict)


def settings(quick: bool, n_tau: int | str | None = None) -> Settings:
    """Full or ``--quick`` settings, with an optional N_tau override."""
    s = Settings(n_omegas=(16,), n_tau=32, batches=(1, 50), repeats=2, min_time=0.002, n_maxent=1,
                 maxent_repeats=1, gemm_n=256, gemm_repeats=1) if quick else Settings()
    if n_tau is not None:
        s.n_tau = n_tau
    return s


def parse_n_tau(text: str) -> int | str:
    """``--n-tau`` value: a positive int or ``2w``."""
    if text.strip().lower() == "2w":
        return "2w"
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 4:
        raise InputError(f"--n-tau must be an integer >= 4 or '2w' (twice N_omega), not {text!r}")
    return value


def tau_points(n_tau: int | str, n_omega: int) -> int:
    """N_tau for one N_omega."""
    return 2 * n_omega if n_tau == "2w" else int(n_tau)


def arch(name: str) -> dict:
    """The ``arch`` section (see :func:`ac_learned.nets.build_network`) of a benchmarked network."""
    if name.endswith("-RLISTA"):
        return {"type": "rlista", "depth": int(name.split("-")[0]), "threshold": "soft"}
    if name == "FCN-4":
        return {"type": "fcn", "widths": list(FCN4_WIDTHS)}
    if name == "CNN-FCN":
        return {"type": "cnn_fcn", **CNN_SHAPE}
    raise InputError(f"unknown network {name!r}; use one of {NETWORKS}")


def forward_flops(name: str, n_x: int, n_nu: int) -> int:
    """FLOPs (2 x multiply-adds) of one spectrum through a network's matrix products.

    Unrolled L layers: ``L Nnu Nx`` for ``W_e g`` and ``(L - 1) Nnu^2`` for
    ``W_t a`` (the first layer starts from ``a = 0``).  FCN: the sum of
    ``fan_in x fan_out``.  CNN-FCN: ``Nx W + W K C + C W Nnu``.
    """
    a = arch(name)
    if a["type"] == "rlista":
        depth = a["depth"]
        macs = depth * n_nu * n_x + (depth - 1) * n_nu * n_nu
    elif a["type"] == "fcn":
        sizes = [n_x, *a["widths"], n_nu]
        macs = sum(i * o for i, o in zip(sizes[:-1], sizes[1:]))
    else:
        w, c, k = a["width"], a["channels"], a["kernel_size"]
        macs = n_x * w + w * k * c + c * w * n_nu
    return 2 * macs


def make_net(name: str, n_x: int, n_nu: int, seed: int = 0):
    """A torch network of the benchmarked shape with random (untrained) weights."""
    import torch

    from ..nets import build_network

    torch.manual_seed(seed)
    net = build_network(arch(name), n_x, n_nu)
    if hasattr(net, "lam"):
        with torch.no_grad():
            net.lam.fill_(1e-3)
    return net.eval()


def _loaded_model(name: str, net, n_x: int, n_nu: int):
    from ..cards import LoadedModel

    arrays = dict(net.export(), x=np.linspace(0, 1, n_x), nu=np.linspace(-V_MAX, V_MAX, n_nu))
    card = {"name": name, "arch": dict(arch(name), eta=net.eta)}
    return LoadedModel(card, arrays, Path(f"<random {name}>"))


def _numpy_fcn(net) -> Callable[[np.ndarray], np.ndarray]:
    from torch import nn

    layers = [(m.weight.detach().double().numpy().T.copy(), m.bias.detach().double().numpy())
              for m in net.body if isinstance(m, nn.Linear)]

    def run(g: np.ndarray) -> np.ndarray:
        h = np.atleast_2d(np.asarray(g, dtype=np.float64))
        for w, b in layers[:-1]:
            h = np.maximum(h @ w + b, 0.0)
        return _softmax(h @ layers[-1][0] + layers[-1][1])

    return run


def _numpy_cnn(net) -> Callable[[np.ndarray], np.ndarray]:
    as_np = lambda t: t.detach().double().numpy()  # noqa: E731
    w_in, b_in = as_np(net.fc_in.weight).T.copy(), as_np(net.fc_in.bias)
    w_c, b_c = as_np(net.conv.weight)[:, 0, :].T.copy(), as_np(net.conv.bias)  # (K, C)
    w_out, b_out = as_np(net.fc_out.weight).T.copy(), as_np(net.fc_out.bias)
    k = net.kernel_size
    left = (k - 1) // 2

    def run(g: np.ndarray) -> np.ndarray:
        g = np.atleast_2d(np.asarray(g, dtype=np.float64))
        h = np.maximum(g @ w_in + b_in, 0.0)
        hp = np.pad(h, ((0, 0), (left, k - 1 - left)))
        windows = np.lib.stride_tricks.sliding_window_view(hp, k, axis=1)  # (n, W, K): cross-correlation
        conv = np.maximum(windows @ w_c + b_c, 0.0)  # (n, W, C)
        flat = np.ascontiguousarray(conv.transpose(0, 2, 1)).reshape(len(g), -1)  # torch's (C, W) order
        return _softmax(flat @ w_out + b_out)

    return run


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def make_runner(name: str, net, backend: str, device: str = "cpu") -> Callable[[np.ndarray], np.ndarray]:
    """A callable mapping a numpy batch (n, Nx) to numpy weights (n, Nnu) with one backend.

    Parameters
    ----------
    name : str
        One of :data:`NETWORKS`.
    net : torch.nn.Module
        From :func:`make_net`.
    backend : {"numpy-f64", "torch-f64", "torch-f32"}
    device : str
        torch device (numpy runs on the CPU).
    """
    import torch

    if backend not in BACKENDS:
        raise InputError(f"unknown backend {backend!r}; use one of {BACKENDS}")
    unrolled = hasattr(net, "w_t")
    if backend == "numpy-f64":
        if device != "cpu":
            raise InputError("the numpy backend runs on the CPU only")
        if unrolled:
            from ..inference import NumpyBackend

            return NumpyBackend(_loaded_model(name, net, net.n_x, net.n_nu)).run
        return _numpy_cnn(net) if hasattr(net, "conv") else _numpy_fcn(net)
    dtype = "float64" if backend == "torch-f64" else "float32"
    if unrolled:
        from ..inference import TorchBackend

        return TorchBackend(_loaded_model(name, net, net.n_x, net.n_nu), device, dtype).run
    tdtype = getattr(torch, dtype)
    module = net.to(device=device, dtype=tdtype).eval()

    def run(g: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            gt = torch.as_tensor(np.atleast_2d(g), dtype=tdtype, device=device)
            return module(gt).to("cpu", torch.float64).numpy()

    return run


def gemm_peaks(n: int, repeats: int, libraries: Sequence[str] = ("numpy", "torch"), device: str = "cpu",
               log=print) -> list[dict]:
    """Best rate of an n x n GEMM per library and dtype (float64, float32).

    Returns
    -------
    list of dict
        ``library, dtype, device, n, gflops``.
    """
    import torch

    rows = []
    rng = np.random.default_rng(0)
    for lib in libraries:
        for dtype in ("float64", "float32"):
            a = rng.standard_normal((n, n)).astype(dtype)
            b = rng.standard_normal((n, n)).astype(dtype)
            if lib == "numpy":
                fn = lambda a=a, b=b: a @ b  # noqa: E731
            else:
                at, bt = torch.as_tensor(a, device=device), torch.as_tensor(b, device=device)
                sync = torch.cuda.synchronize if at.is_cuda else (lambda: None)

                def fn(at=at, bt=bt, sync=sync):
                    at @ bt
                    sync()
            t = float(time_call(fn, repeats, min_time=0.0).min())
            rows.append({"library": lib, "dtype": dtype, "device": device, "n": n, "gflops": 2 * n**3 / t / 1e9})
            log(f"GEMM {lib} {dtype} {device} n={n}: {rows[-1]['gflops']:.1f} GFLOP/s")
    return rows


def maxent_time(tau: np.ndarray, omega: np.ndarray, g: np.ndarray, a_true: np.ndarray, repeats: int) -> dict:
    """ana_cont MaxEnt (flat default, chi2kink) on each spectrum, as in :mod:`ac_learned.bench_ana_cont`.

    Returns
    -------
    dict
        ``n, t_min, t_median`` (medians over spectra of the per-spectrum min and
        median over ``repeats``), ``rse_mean``, ``rse_median`` and
        ``linalg_errors`` (Newton steps ana_cont reported as singular, summed
        over spectra).
    """
    from ..bench_ana_cont import _methods
    from ..grids import trapezoid_weights
    from ..hosts.ana_cont import AnalyticContinuationProblem

    maxent = _methods(BETA, "paper-rlista6")["MaxEnt-flat"]
    stdev = np.full(tau.size, NOISE)
    w = trapezoid_weights(omega)
    t_min, t_med, rse, linalg = [], [], [], 0
    for gi, ai in zip(g, a_true):
        problem = AnalyticContinuationProblem(im_axis=tau, re_axis=omega, im_data=gi,
                                              kernel_mode="time_fermionic", beta=BETA)
        times = []
        for _ in range(max(repeats, 1)):
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t0 = _now()
                sol, _ = maxent(problem, stdev, omega, False)
                times.append(_now() - t0)
            linalg += buf.getvalue().count("LinAlgError")
        t_min.append(min(times))
        t_med.append(float(np.median(times)))
        rse.append(float(np.linalg.norm(sol.A_opt * w - ai)))
    return {"n": len(g), "t_min": float(np.median(t_min)), "t_median": float(np.median(t_med)),
            "rse_mean": float(np.mean(rse)), "rse_median": float(np.median(rse)), "linalg_errors": linalg}


def _now() -> float:
    import time

    return time.perf_counter()


def problem_data(n_omega: int, n_tau: int, n: int, seed: int) -> dict:
    """Paper-prior spectra on the benchmark grids and their noisy G (positive, normalised)."""
    from ..grids import make_nu_grid, make_x_grid
    from ..priors import make_dataset

    x, nu = make_x_grid(n_tau), make_nu_grid(n_omega, V_MAX)
    a, g, _ = make_dataset(n, x, nu, {"paper": 1.0}, seed)
    g = g + NOISE * np.random.default_rng(seed + 1).standard_normal(g.shape)
    return {"x": x, "nu": nu, "a": a, "g": g, "tau": x * BETA, "omega": nu / BETA}


def solve_time(data: dict, batch: int, repeats: int, min_time: float, model: str = "paper-rlista6",
               fit: bool = False) -> dict:
    """Per-spectrum time of the whole :func:`ac_learned.solve` call (numpy backend, shipped model).

    Includes resampling G onto the model's grid, the network, mapping the
    weights to ``A`` on the benchmark's omega grid, the backtransform and chi2;
    with ``fit``, also the fit to the data (``solve``'s default with error bars).
    """
    from ..solve import solve

    g = data["g"][:batch]

    def call():
        solve(data["tau"], g if batch > 1 else g[0], BETA, data["omega"], err=NOISE, model=model, backend="numpy",
              fit_data=fit)

    per = time_call(call, repeats, min_time) / batch
    return {"batch": batch, "fit": fit, "t_min": float(per.min()), "t_median": float(np.median(per))}


def run(s: Settings, device: str = "cpu", log=print) -> dict:
    """Measure GEMM peaks, MaxEnt and every (N_omega, network, backend, batch).

    Returns
    -------
    dict
        ``settings, peaks, maxent, nets`` (lists of row dicts; times in seconds per spectrum).
    """
    libraries = ("numpy", "torch") if device == "cpu" else ("torch",)
    peaks_start = gemm_peaks(s.gemm_n, s.gemm_repeats, libraries, device, log)
    maxent_rows, net_rows, solve_rows = [], [], []
    for n_omega in s.n_omegas:
        n_tau = tau_points(s.n_tau, n_omega)
        data = problem_data(n_omega, n_tau, max(max(s.batches), s.n_maxent), seed=n_omega)
        me = maxent_time(data["tau"], data["omega"], data["g"][:s.n_maxent], data["a"][:s.n_maxent],
                         s.maxent_repeats)
        me.update(n_omega=n_omega, n_tau=n_tau)
        maxent_rows.append(me)
        log(f"N_omega={n_omega} N_tau={n_tau} MaxEnt: t_min {fmt_seconds(me['t_min'])} "
            f"t_median {fmt_seconds(me['t_median'])} RSE {me['rse_mean']:.4f}")
        if device == "cpu":
            for fit in (False, True):
                for batch in s.batches:
                    row = solve_time(data, batch, s.repeats, s.min_time, fit=fit)
                    row.update(n_omega=n_omega, n_tau=n_tau, speedup_vs_maxent=me["t_median"] / row["t_median"])
                    solve_rows.append(row)
                    log(f"  solve(fit_data={fit}) paper-rlista6 batch {batch:5d}: {fmt_seconds(row['t_min'])} min, "
                        f"{fmt_seconds(row['t_median'])} median per spectrum")
        for name in s.networks:
            flops = forward_flops(name, n_tau, n_omega)
            for backend in s.backends:
                net = make_net(name, n_tau, n_omega)
                runner = make_runner(name, net, backend, device)
                dtype = backend.split("-")[1]
                row = {"n_omega": n_omega, "n_tau": n_tau, "network": name, "backend": backend, "device": device,
                       "dtype": {"f64": "float64", "f32": "float32"}[dtype], "flops": flops,
                       "parameters": sum(p.numel() for p in net.parameters()), "batch": {}}
                for batch in s.batches:
                    gb = data["g"][:batch]
                    per = time_call(lambda gb=gb, run=runner: run(gb), s.repeats, s.min_time) / batch
                    t_min, t_med = float(per.min()), float(np.median(per))
                    rate = flops / t_min / 1e9
                    row["batch"][batch] = {"t_min": t_min, "t_median": t_med, "gflops": rate,
                                           "speedup_vs_maxent": me["t_median"] / t_med}
                    log(f"  {name:9s} {backend:9s} batch {batch:5d}: {fmt_seconds(t_min)} min, "
                        f"{fmt_seconds(t_med)} median per spectrum, {rate:.2f} GFLOP/s")
                net_rows.append(row)
    # the peak is measured before and after (the machine may be shared); the larger is used
    peaks = peaks_start
    for p, q in zip(peaks, gemm_peaks(s.gemm_n, s.gemm_repeats, libraries, device, log)):
        p.update(gflops_start=p["gflops"], gflops_end=q["gflops"], gflops=max(p["gflops"], q["gflops"]))
    peak = {(p["library"], p["dtype"]): p["gflops"] for p in peaks}
    for row in net_rows:
        for m in row["batch"].values():
            m["peak_fraction"] = m["gflops"] / peak[(row["backend"].split("-")[0], row["dtype"])]
    load_end = [round(v, 2) for v in os.getloadavg()] if hasattr(os, "getloadavg") else None
    return {"settings": asdict(s), "peaks": peaks, "maxent": maxent_rows, "nets": net_rows, "solve": solve_rows,
            "load_average_end": load_end}


def markdown(raw: dict) -> str:
    """Tables of a :func:`run` result."""
    s = raw["settings"]
    batches = s["batches"]
    peak_rows = [[p["library"], p["dtype"], p["device"], p["n"], f"{p['gflops_start']:.1f}", f"{p['gflops_end']:.1f}",
                  f"{p['gflops']:.1f}"] for p in raw["peaks"]]
    me_rows = [[m["n_omega"], m["n_tau"], m["n"], fmt_seconds(m["t_min"]), fmt_seconds(m["t_median"]),
                f"{m['rse_mean']:.4f}", f"{m['rse_median']:.4f}", m["linalg_errors"]] for m in raw["maxent"]]
    header = ["N_ω", "N_τ", "network", "backend", "MFLOP/spectrum"]
    for b in batches:
        header += [f"batch {b}: t min", "t median", "MaxEnt ÷ net", "% of peak"]
    net_rows = []
    for r in raw["nets"]:
        cells = [r["n_omega"], r["n_tau"], r["network"], r["backend"], f"{r['flops'] / 1e6:.3g}"]
        for b in batches:
            m = r["batch"][b] if b in r["batch"] else r["batch"][str(b)]
            cells += [fmt_seconds(m["t_min"]), fmt_seconds(m["t_median"]), fmt_ratio(m["speedup_vs_maxent"]),
                      _pct(m["peak_fraction"])]
        net_rows.append(cells)
    return "\n".join([
        f"Load average at the end: {raw.get('load_average_end')}.", "",
        "## Single-thread GEMM peak", "",
        "Best of the repeats of an n × n × n product, measured before and after the timings; the larger "
        "(used for '% of peak') in the last column.", "",
        md_table(["library", "dtype", "device", "n", "GFLOP/s before", "GFLOP/s after", "GFLOP/s used"],
                 peak_rows),
        "## MaxEnt (ana_cont maxent_svd, chi2kink, flat default model; CPU)", "",
        "Per spectrum: min and median over the repeats, then the median over spectra. RSE on the weights "
        "(not comparable between N_ω). 'Newton LinAlgErrors' counts ana_cont's own 'LinAlgError in Newton "
        "Solver, setting increment to zero' messages over all runs.", "",
        md_table(["N_ω", "N_τ", "spectra", "t min", "t median", "RSE mean", "RSE median", "Newton LinAlgErrors"],
                 me_rows),
        "## Networks (random weights; times per spectrum)", "",
        "Batch b: one call on b spectra, divided by b. 'MaxEnt ÷ net' = MaxEnt median ÷ network median "
        "(speed-up). '% of peak' = analytic FLOPs ÷ the minimum time, over the GEMM peak of the same "
        "library and dtype.", "",
        md_table(header, net_rows),
        *_solve_section(raw.get("solve", [])),
    ])


def _pct(fraction: float) -> str:
    return f"{100 * fraction:.0f} %" if fraction >= 0.1 else f"{100 * fraction:.2g} %"


def _solve_section(rows: list[dict]) -> list[str]:
    if not rows:
        return []
    cells = [[r["n_omega"], r["n_tau"], "yes (default)" if r.get("fit") else "no (`fit_data=False`)", r["batch"],
              fmt_seconds(r["t_min"]), fmt_seconds(r["t_median"]), fmt_ratio(r["speedup_vs_maxent"])] for r in rows]
    return [
        "## End to end: `ac_learned.solve` with the shipped `paper-rlista6` (numpy backend)", "",
        "The whole public call on the same noisy G(τ): spline resampling onto the model's 100-point grid, "
        "the trained 6-RLISTA (50 outputs), mapping to A(ω) on the N_ω-point grid, backtransform and χ²; "
        "with 'fit', also the fit of the network's 50 weights to the data (`ac_learned.refine`, one spectrum "
        "at a time), what `solve` does by default when given error bars. "
        "Per spectrum (batch b: one call on b spectra, divided by b).", "",
        md_table(["N_ω", "N_τ", "fit to data", "batch", "t min", "t median", "MaxEnt ÷ solve"], cells),
    ]


def plot(raw: dict, path: str | Path) -> Path:
    """Per-spectrum median time against N_ω, one panel per batch size, MaxEnt in black."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    batches = raw["settings"]["batches"]
    fig, axes = plt.subplots(1, len(batches), figsize=(5.5 * len(batches), 4.2), sharey=True, squeeze=False)
    colors = dict(zip(NETWORKS, ("C0", "C1", "C2", "C3")))
    styles = dict(zip(BACKENDS, (("-", "o"), ("--", "s"), (":", "^"))))
    me = raw["maxent"]
    for ax, b in zip(axes[0], batches):
        ax.plot([m["n_omega"] for m in me], [m["t_median"] for m in me], "k-o", lw=2.5, label="MaxEnt (ana_cont)")
        for name in NETWORKS:
            for backend in BACKENDS:
                rows = [r for r in raw["nets"] if r["network"] == name and r["backend"] == backend]
                if not rows:
                    continue
                ts = [(r["batch"].get(b) or r["batch"].get(str(b)))["t_median"] for r in rows]
                ax.plot([r["n_omega"] for r in rows], ts, styles[backend][0], color=colors[name],
                        marker=styles[backend][1], ms=4, label=f"{name} {backend}")
        ax.set(xscale="log", yscale="log", xlabel="N_ω", title=f"batch {b}")
        ax.grid(True, which="both", alpha=0.3)
    axes[0][0].set_ylabel("median time per spectrum [s]")
    axes[0][-1].legend(fontsize=7, ncol=2, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    return savefig(fig, path)


def run_bench(out_dir: Path, quick: bool, command: str, info: dict, log=print,
              n_tau: int | str | None = None) -> list[Path]:
    """Run the ``time`` sub-benchmark and write ``time.md``, ``time.json`` and ``time.png``."""
    from ._common import write_report

    s = settings(quick, n_tau)
    raw = run(s, "cpu", log)
    tau_note = "N_τ = 2·N_ω" if s.n_tau == "2w" else f"N_τ = {s.n_tau} fixed"
    intro = (f"Inference time per spectrum (paper Table VI), {tau_note}, β = {BETA:g}, ω ∈ [−3, 3] "
             f"(V = βΩ = {V_MAX:g}), paper-prior spectra with white noise {NOISE:g}. "
             f"Networks have random weights of the right shape (timing does not depend on their values); "
             f"FCN-4 = 3 hidden layers of {FCN4_WIDTHS[0]}, CNN-FCN = FC {CNN_SHAPE['width']} → conv1d "
             f"({CNN_SHAPE['channels']} channels, kernel {CNN_SHAPE['kernel_size']}) → FC. "
             f"{s.repeats} timed repeats per network (each ≥ {s.min_time:g} s of calls), "
             f"{s.maxent_repeats} per MaxEnt spectrum.\n\n")
    path = write_report(out_dir, "time", "Benchmark `time`: inference time beside MaxEnt", command, info,
                        intro + markdown(raw), raw)
    png = plot(raw, Path(out_dir) / "time.png")
    return [path, path.with_suffix(".json"), png]
