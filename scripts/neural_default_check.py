"""RLISTA+ (MaxEnt with the neural default model) with a broadened share in its default, beside MaxEnt-flat.

Run: OMP_NUM_THREADS=1 PYTHONPATH=.:scripts python scripts/neural_default_check.py [n] [share ...]
         [--betas=10,...] [--sigmas=1e-5,1e-4] [--paper=N] [--cache=DIR]
(shares are numbers in [0, 1] or ``auto``; default ``0 0.7 1``; RLISTA+ at 101 tau points takes 10-30 s per
spectrum; docs/accuracy.md)

Physical set: the random physical spectra and noise of ``scripts/physical_vs_maxent.py`` (same draws, so its
``--cache`` of MaxEnt-flat's Err per spectrum is shared).  Paper set (``--paper=N``, 0 to skip): the ``default``
benchmark's paper-set spectra (paper-rlista6's grid, held-out seed, same noise) at each sigma, mean RSE.
For each share of the network's spectrum broadened in beta*omega (``ac_learned.refine.broadened``, the width
the fit's default model uses) the neural default model is ``(1 - share) * network + share * broadened``,
then mixed with 5 % flat as shipped.  Printed: mean / median error, ratio of means to MaxEnt-flat, share of
spectra where RLISTA+ is better.  Spectra on which MaxEnt-flat fails are left out of both columns; a failed
RLISTA+ run counts as NaN and is reported.
"""
import contextlib
import io
import sys
import warnings
from pathlib import Path

import numpy as np
from ensemble_check import PHYSICAL_BETAS
from noise_band_check import random_physical_set
from physical_vs_maxent import maxent_flat_errs

import ac_learned.bench.neural_default as bench
import ac_learned.hosts.ana_cont as host
from ac_learned.grids import trapezoid_weights
from ac_learned.metrics import err_l1
from ac_learned.pipeline import _maxent_solve
from ac_learned.zoo import list_cards

SIGMAS = (1e-5, 1e-4)


def rlista_plus_errs(tau, noisy, beta, w, sigma, truth, share: float | str) -> np.ndarray:
    """Err of RLISTA+ with a broadened ``share`` per spectrum (NaN where ana_cont fails or runs past the
    benchmark's time limit)."""
    out = np.full(len(noisy), np.nan)
    for i, row in enumerate(noisy):
        try:
            with contextlib.redirect_stdout(io.StringIO()), bench._time_limit(4 * bench.MAXENT_TIMEOUT_S):
                res = _maxent_solve(tau, row, beta, w, np.full(tau.size, sigma), "rlista+", "auto", "numpy", "cpu",
                                    broadened_share=share)
        except (RuntimeError, ValueError, IndexError, np.linalg.LinAlgError, bench._MaxEntTimeout):
            continue
        out[i] = err_l1((res.A * trapezoid_weights(w))[None], truth[i][None])[0]
    return out


def physical_rows(n: int, shares: list, betas: list[float], sigmas: list[float], cache: Path | None) -> None:
    print(f"\n{n} random physical spectra | beta | sigma | share | RLISTA+ mean / median Err | "
          "MaxEnt-flat mean / median Err | ratio of means | RLISTA+ better |")
    for beta, n_tau in PHYSICAL_BETAS:
        if beta not in betas:
            continue
        tau, w, truth, g, rng = random_physical_set(beta, n_tau, n)
        for sigma in SIGMAS:
            noisy = g + sigma * rng.standard_normal(g.shape)  # drawn for every sigma: the same noise as before
            if sigma not in sigmas:
                continue
            theirs = maxent_flat_errs(tau, noisy, beta, w, sigma, truth, cache, n)
            for share in shares:
                ours = rlista_plus_errs(tau, noisy, beta, w, sigma, truth, share)
                ran = np.isfinite(theirs) & np.isfinite(ours)
                failed = "" if ran.all() else f" ({int((~ran).sum())} left out: a MaxEnt run failed)"
                o, t = ours[ran], theirs[ran]
                print(f"| {beta:g} | {sigma:g} | {share} | {o.mean():.3f} / {np.median(o):.3f} | {t.mean():.3f} / "
                      f"{np.median(t):.3f} | {o.mean() / t.mean():.2f} | {np.mean(o < t):.0%} |" + failed, flush=True)


def paper_rows(n: int, shares: list, sigmas: list[float]) -> None:
    card = {c["name"]: c for c in list_cards()}["paper-rlista6"]
    bench.METHODS = ("MaxEnt-flat", "RLISTA+")
    print(f"\npaper set, {n} spectra | sigma | share | RLISTA+ mean RSE | MaxEnt-flat mean RSE | ratio | "
          "RLISTA+ better |")
    for sigma in sigmas:
        for share in shares:
            host.DEFAULT_BROADENED_SHARE = share
            raw = bench.compare(card, n, sigma, "model")
            m = bench.summarise(raw["a_true"], {k: raw[k]["weights"] for k in bench.METHODS})["methods"]
            print(f"| {sigma:g} | {share} | {m['RLISTA+']['rse_mean']:.4f} | {m['MaxEnt-flat']['rse_mean']:.4f} | "
                  f"{m['RLISTA+']['rse_ratio']:.3f} | {m['RLISTA+']['wins_rse']:.1%} |", flush=True)


def _option(name: str, default: str) -> str:
    found = [a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith(f"--{name}=")]
    return found[-1] if found else default


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    plain = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(plain[0]) if plain else 40
    shares = [s if s == "auto" else float(s) for s in plain[1:]] or [0.0, 0.7, 1.0]
    sigmas = [float(s) for s in _option("sigmas", "1e-5,1e-4").split(",")]
    betas = [float(b) for b in _option("betas", "10").split(",") if b]
    cache = _option("cache", "")
    if betas:
        physical_rows(n, shares, betas, sigmas, Path(cache) if cache else None)
    n_paper = int(_option("paper", "0"))
    if n_paper:
        paper_rows(n_paper, shares, sigmas)
    host.DEFAULT_BROADENED_SHARE = 0.0
