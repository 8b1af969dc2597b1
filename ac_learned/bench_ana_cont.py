"""Benchmark inside ana_cont: MaxEnt with a flat model vs RLISTA vs RLISTA+ (neural default).

``python -m ac_learned.bench_ana_cont [--n N] [--out docs/ana_cont_bench.md]``

Spectra are drawn from the paper prior (``ac_learned.priors.make_dataset``) on
the model's own grids (beta = 10, omega = nu / beta in [-3, 3]); ``G(tau)`` on the
model's tau grid gets white noise of 1e-4 and 1e-3 (relative to the norm).  The
demo spectrum (:func:`ac_learned.demo.demo_spectrum`, on a 301-point grid) is
added with ``N`` noise realisations.  Every method runs on the same
``re_axis``; errors are computed on the weights ``A(omega_j) w_j`` (trapezoid
``w``): RSE = ``|a - a_true|_2`` (Huang & Yang) and Err = ``sum|a - a_true| /
sum a_true`` (ACTest).  BLAS is pinned to one thread (the module re-executes
itself with ``OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=MKL_NUM_THREADS=1`` when
they are not set).  Times are per spectrum: the minimum and the median over
``--repeats`` runs, then the median over spectra.  alpha steps and Newton
iterations are counted in a separate, untimed verbose run (parsed from ana_cont's log).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import sys
import time
from pathlib import Path

_PIN = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _pinned() -> bool:
    return all(os.environ.get(k) == "1" for k in _PIN)


def _reexec_pinned(argv: list[str]) -> None:
    env = dict(os.environ, **{k: "1" for k in _PIN})
    os.execve(sys.executable, [sys.executable, "-m", "ac_learned.bench_ana_cont", *argv], env)


def _methods(beta: float, model: str):
    import numpy as np

    def maxent_flat(problem, stdev, omega, verbose):
        flat = np.full(omega.size, 1.0 / (omega[-1] - omega[0]))
        return problem.solve(method="maxent_svd", alpha_determination="chi2kink", optimizer="newton",
                             model=flat / beta, stdev=stdev, verbose=verbose)

    def rlista(problem, stdev, omega, verbose):
        return problem.solve(method="rlista", stdev=stdev, verbose=False, rlista_model=model)

    def rlista_plus(problem, stdev, omega, verbose, flat_weight=None):
        extra = {} if flat_weight is None else {"flat_weight": flat_weight}
        return problem.solve(method="rlista+", stdev=stdev, verbose=verbose, rlista_model=model, **extra)

    return {"MaxEnt-flat": maxent_flat, "RLISTA": rlista, "RLISTA+": rlista_plus}


_NFEV = re.compile(r"nfev = (\d+)")


def _count_steps(fn, *args) -> tuple[int, int]:
    """alpha steps and Newton iterations of one verbose MaxEnt run (0, 0 for RLISTA)."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        fn(*args, True)
    nfev = [int(m) for m in _NFEV.findall(buf.getvalue())]
    return len(nfev), sum(nfev)


def _cases(n: int, noise: float, seed: int, model: str):
    """(name, tau, g, omega, a_true) for n prior spectra and n noisy copies of the demo spectrum."""
    import numpy as np

    from .demo import demo_spectrum
    from .grids import trapezoid_weights
    from .kernels import fermionic_kernel
    from .priors import make_dataset
    from .zoo import resolve

    net = resolve(model, 30.0)
    beta = float(net.card["grid"].get("beta_reference", 10.0))
    a, g, _ = make_dataset(n, net.x, net.nu, {"paper": 1.0}, seed)
    rng = np.random.default_rng(seed + 1)
    omega = net.nu / beta
    for i in range(n):
        yield "paper prior", beta, net.x * beta, g[i] + noise * rng.standard_normal(net.x.size), omega, a[i]
    w_demo = np.linspace(-3.0, 3.0, 301)
    tau = np.linspace(0.0, beta, 101)
    fine = np.linspace(-8.0, 8.0, 4001)
    g_demo = fermionic_kernel(tau, fine, beta) @ (demo_spectrum(fine) * trapezoid_weights(fine))
    a_demo = demo_spectrum(w_demo) * trapezoid_weights(w_demo)
    for _ in range(n):
        yield "demo", beta, tau, g_demo + noise * rng.standard_normal(tau.size), w_demo, a_demo


def run(n: int = 10, noises=(1e-4, 1e-3), repeats: int = 3, seed: int = 7, model: str = "paper-rlista6",
        log=print) -> list[dict]:
    """Run the benchmark; one row per (spectrum set, noise, method).

    Returns
    -------
    list of dict
        ``set, noise, method, n, rse_mean, rse_median, err_mean, err_median,
        t_min, t_median, alpha_steps, newton``.
    """
    import numpy as np

    from .grids import trapezoid_weights
    from .hosts.ana_cont import AnalyticContinuationProblem

    rows = []
    for noise in noises:
        stats: dict = {}
        for name, beta, tau, g, omega, a_true in _cases(n, noise, seed, model):
            problem = AnalyticContinuationProblem(im_axis=tau, re_axis=omega, im_data=g,
                                                  kernel_mode="time_fermionic", beta=beta)
            stdev = np.full(tau.size, noise)
            w = trapezoid_weights(omega)
            for method, fn in _methods(beta, model).items():
                times = []
                for _ in range(repeats):
                    t0 = time.perf_counter()
                    sol, _ = fn(problem, stdev, omega, False)
                    times.append(time.perf_counter() - t0)
                steps, newton = _count_steps(fn, problem, stdev, omega) if method != "RLISTA" else (0, 0)
                est = sol.A_opt * w
                rec = stats.setdefault((name, method), {"rse": [], "err": [], "tmin": [], "tmed": [], "steps": [],
                                                        "newton": [], "nokink": 0})
                rec["nokink"] += any("no kink" in m for m in getattr(sol, "warnings", []))
                rec["rse"].append(float(np.linalg.norm(est - a_true)))
                rec["err"].append(float(np.abs(est - a_true).sum() / a_true.sum()))
                rec["tmin"].append(min(times))
                rec["tmed"].append(float(np.median(times)))
                rec["steps"].append(steps)
                rec["newton"].append(newton)
        for (name, method), rec in stats.items():
            row = {"set": name, "noise": noise, "method": method, "n": len(rec["rse"]),
                   "rse_mean": float(np.mean(rec["rse"])), "rse_median": float(np.median(rec["rse"])),
                   "err_mean": float(np.mean(rec["err"])), "err_median": float(np.median(rec["err"])),
                   "t_min": float(np.median(rec["tmin"])), "t_median": float(np.median(rec["tmed"])),
                   "alpha_steps": float(np.mean(rec["steps"])), "newton": float(np.mean(rec["newton"])),
                   "no_kink": rec["nokink"]}
            rows.append(row)
            log(f"{name:12s} noise {noise:g} {method:12s} RSE {row['rse_mean']:.4f} Err {row['err_mean']:.4f} "
                f"t_min {1e3 * row['t_min']:.1f} ms t_med {1e3 * row['t_median']:.1f} ms "
                f"alpha steps {row['alpha_steps']:.1f} Newton {row['newton']:.0f}")
    return rows


def sweep_flat_weight(weights, n: int = 10, noises=(1e-4, 1e-3), seed: int = 11, model: str = "paper-rlista6",
                      log=print) -> list[dict]:
    """Err and RSE of RLISTA+ against ``flat_weight`` (1.0 is MaxEnt with a flat model)."""
    import numpy as np

    from .grids import trapezoid_weights
    from .hosts.ana_cont import AnalyticContinuationProblem

    rows = []
    for noise in noises:
        cases = list(_cases(n, noise, seed, model))
        for fw in weights:
            stats: dict = {}
            for name, beta, tau, g, omega, a_true in cases:
                problem = AnalyticContinuationProblem(im_axis=tau, re_axis=omega, im_data=g,
                                                      kernel_mode="time_fermionic", beta=beta)
                sol, _ = problem.solve(method="rlista+", stdev=np.full(tau.size, noise), verbose=False,
                                       flat_weight=float(fw), rlista_model=model)
                est = sol.A_opt * trapezoid_weights(omega)
                rec = stats.setdefault(name, {"rse": [], "err": [], "nokink": 0})
                rec["rse"].append(float(np.linalg.norm(est - a_true)))
                rec["err"].append(float(np.abs(est - a_true).sum() / a_true.sum()))
                rec["nokink"] += any("no kink" in n for n in sol.notes)
            for name, rec in stats.items():
                row = {"set": name, "noise": noise, "flat_weight": float(fw), "n": len(rec["rse"]),
                       "rse_mean": float(np.mean(rec["rse"])), "err_mean": float(np.mean(rec["err"])),
                       "no_kink": rec["nokink"]}
                rows.append(row)
                log(f"{name:12s} noise {noise:g} flat_weight {fw:<5g} RSE {row['rse_mean']:.4f} "
                    f"Err {row['err_mean']:.4f} no-kink fallbacks {row['no_kink']}")
    return rows


def markdown(rows: list[dict], command: str) -> str:
    """The benchmark table as Markdown."""
    lines = [f"Command: `{command}`", "",
             "| spectra | noise | method | n | RSE mean | RSE median | Err mean | Err median | t min [ms] | "
             "t median [ms] | alpha steps | Newton its | no-kink fallbacks |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['set']} | {r['noise']:g} | {r['method']} | {r['n']} | {r['rse_mean']:.4f} | "
                     f"{r['rse_median']:.4f} | {r['err_mean']:.3f} | {r['err_median']:.3f} | "
                     f"{1e3 * r['t_min']:.1f} | {1e3 * r['t_median']:.1f} | {r['alpha_steps']:.1f} | "
                     f"{r['newton']:.0f} | {r['no_kink']} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m ac_learned.bench_ana_cont", description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=16, help="spectra per set and noise level (default 16)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per spectrum and method (default 3)")
    parser.add_argument("--noise", type=float, nargs="+", default=[1e-4, 1e-3])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--model", default="paper-rlista6")
    parser.add_argument("--out", type=Path, default=None, help="write the Markdown table here")
    parser.add_argument("--sweep-flat-weight", type=float, nargs="*", default=None, metavar="W",
                        help="instead, measure RLISTA+ against flat_weight (e.g. 0 0.01 0.05 0.2 0.5 1)")
    args = parser.parse_args(argv)
    if not _pinned():
        _reexec_pinned(argv)
    import numpy as np  # noqa: F401  (after pinning)

    t0 = time.perf_counter()
    command = "python -m ac_learned.bench_ana_cont " + " ".join(argv)
    if args.sweep_flat_weight is not None:
        weights = args.sweep_flat_weight or [0.0, 0.01, 0.05, 0.2, 0.5, 1.0]
        rows = sweep_flat_weight(weights, n=args.n, noises=args.noise, model=args.model)
        text = (f"Command: `{command.strip()}`\n\n| spectra | noise | flat_weight | n | RSE mean | Err mean | "
                "no-kink fallbacks |\n|---|---|---|---|---|---|---|\n")
        text += "".join(f"| {r['set']} | {r['noise']:g} | {r['flat_weight']:g} | {r['n']} | {r['rse_mean']:.4f} | "
                        f"{r['err_mean']:.3f} | {r['no_kink']} |\n" for r in rows)
    else:
        rows = run(n=args.n, noises=args.noise, repeats=args.repeats, seed=args.seed, model=args.model)
        text = markdown(rows, command.strip())
    print(f"\n{text}\n(total {time.perf_counter() - t0:.0f} s)")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
